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
