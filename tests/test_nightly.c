/* jianxi nightly end to end on the embedded dir: store. */
#include "nightly_cases.h"

Test(nightly_dir, a_season_of_files_over_several_nights, .timeout = 300)
{
	char *dir = tu_tmpdir(), store[600];
	snprintf(store, sizeof store, "dir:%s/warehouse", dir);
	season_run(store);
	free(dir);
}

Test(nightly_dir, a_missing_inbox_is_a_usage_error)
{
	const char *args[] = {"nightly", "--config", "fixtures/config", "--inbox", "/nonexistent/inbox",
			      "--out", "/tmp/x", NULL};
	struct run_result r = tu_run(args);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "is not a folder"), "%s", r.err);
	tu_run_free(&r);
}

Test(nightly_dir, a_file_still_being_written_waits_for_the_next_run)
{
	char *dir = tu_tmpdir(), store[600], inbox[600], out[600], file[700];
	snprintf(store, sizeof store, "dir:%s/warehouse", dir);
	snprintf(inbox, sizeof inbox, "%s/inbox", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	cr_assert_eq(mkdir(inbox, 0755), 0);
	snprintf(file, sizeof file, "%s/370102_2023-09.csv", inbox);
	size_t len;
	char *data = tu_slurp("fixtures/csv/form_370102_2023-09.csv", &len);
	tu_write(file, data, len); /* modified just now */
	free(data);
	const char *args[] = {"nightly", "--config", "fixtures/config", "--store", store, "--inbox", inbox,
			      "--out", out, NULL};
	struct run_result r = tu_run(args);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "files seen: 0"), "%s", r.out);
	tu_run_free(&r);
	cr_assert(access(file, F_OK) == 0, "the file stays in the inbox");
	setenv("JIANXI_INBOX_SETTLE", "0", 1);
	r = tu_run(args);
	unsetenv("JIANXI_INBOX_SETTLE");
	cr_assert(strstr(r.out, "files seen: 1"), "%s", r.out);
	tu_run_free(&r);
	cr_assert(access(file, F_OK) != 0, "loaded and moved once settled");
	free(dir);
}
