/* Every command once under valgrind's memcheck, on the release build (the
 * sanitizers cover the rest of the tests; valgrind sees what they do not:
 * uninitialised reads, leaks in the program as shipped). */
#include "testutil.h"

#define VG_ERROR 99

static struct run_result vg_run(const char *const *args)
{
	const char *bin = getenv("JIANXI_RELEASE_BIN");
	cr_assert(bin && access(bin, X_OK) == 0, "JIANXI_RELEASE_BIN is not set (run through make check)");
	const char *vg[64] = {"--quiet", "--error-exitcode=99", "--leak-check=full",
			      "--errors-for-leak-kinds=definite,indirect", "--track-origins=yes", bin};
	size_t n = 6;
	for (size_t i = 0; args[i] && n < 62; i++)
		vg[n++] = args[i];
	vg[n] = NULL;
	/* tu_run runs $JIANXI_BIN: point it at valgrind for this call */
	char *saved = strdup(getenv("JIANXI_BIN"));
	setenv("JIANXI_BIN", "/usr/bin/valgrind", 1);
	struct run_result r = tu_run(vg);
	setenv("JIANXI_BIN", saved, 1);
	free(saved);
	return r;
}

static void vg_clean(const char *const *args, int want_status)
{
	struct run_result r = vg_run(args);
	cr_assert_neq(r.status, VG_ERROR, "valgrind found errors in jianxi %s:\n%s", args[0], r.err);
	cr_assert_eq(r.status, want_status, "jianxi %s exit %d: %s", args[0], r.status, r.err);
	tu_run_free(&r);
}

Test(valgrind, every_command_is_memcheck_clean, .timeout = 900)
{
	char *dir = tu_tmpdir(), store[600], out[600], inbox[600], tmpl[600], annual[600], xlsx[600];
	snprintf(store, sizeof store, "dir:%s/warehouse", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	snprintf(inbox, sizeof inbox, "%s/inbox", dir);
	snprintf(tmpl, sizeof tmpl, "%s/template.xlsx", dir);
	snprintf(annual, sizeof annual, "%s/annual.xlsx", dir);
	snprintf(xlsx, sizeof xlsx, "%s/summary.xlsx", dir);
	cr_assert_eq(mkdir(inbox, 0755), 0);
	const char *check[] = {"check", "--config", "fixtures/config", "--received-at", "2023-10-08T09:00:00",
			       "fixtures/csv/bad_cells_370113_2023-09.csv", "fixtures/csv/bad_flat.tsv",
			       "fixtures/csv/form_gb18030_crlf.csv", "fixtures/csv/bad_encoding_370102_2023-09.csv",
			       "fixtures/xlsx/form_370102_2023-09_libreoffice.xlsx",
			       "fixtures/xlsx/hostile/zip_bomb.xlsx", NULL};
	vg_clean(check, 1);
	const char *load[] = {"load", "--config", "fixtures/config", "--store", store, "--received-at",
			      "2023-10-08T09:00:00", "fixtures/csv/flat_2023.csv",
			      "fixtures/csv/bad_relations_370112_2023-09.csv",
			      "fixtures/xlsx/form_370102_2023-09_openpyxl.xlsx", NULL};
	vg_clean(load, 1);
	const char *status[] = {"status", "--config", "fixtures/config", "--store", store, "--period", "2023-09", NULL};
	vg_clean(status, 0);
	const char *summary[] = {"summary", "--config", "fixtures/config", "--store", store, "--period", "2023-09", NULL};
	vg_clean(summary, 0);
	const char *summary_x[] = {"summary", "--config", "fixtures/config", "--store", store, "--period", "2023-09",
				   "--format", "xlsx", "-o", xlsx, NULL};
	vg_clean(summary_x, 0);
	const char *att[] = {"attainment", "--config", "fixtures/config", "--store", store, "--year", "2023", NULL};
	vg_clean(att, 0);
	const char *ann[] = {"annual", "--config", "fixtures/config", "--store", store, "--year", "2023", "-o", annual, NULL};
	vg_clean(ann, 0);
	const char *fb[] = {"feedback", "--config", "fixtures/config", "--store", store, "--period", "2023-09", "--out", out, NULL};
	vg_clean(fb, 0);
	const char *tp[] = {"template", "--config", "fixtures/config", "--district", "370102", "--period", "2023-10", "-o", tmpl, NULL};
	vg_clean(tp, 0);
	char src[256], dst[700];
	snprintf(src, sizeof src, "fixtures/season/370102_历下区_2023-07.csv");
	snprintf(dst, sizeof dst, "%s/370102_历下区_2023-07.csv", inbox);
	size_t len;
	char *data = tu_slurp(src, &len);
	tu_write(dst, data, len);
	free(data);
	setenv("JIANXI_INBOX_SETTLE", "0", 1); /* it arrived just now */
	const char *night[] = {"nightly", "--config", "fixtures/config", "--store", store, "--inbox", inbox, "--out", out,
			       "--received-at", "2023-08-01T16:30:00+08:00", NULL};
	vg_clean(night, 0);
	free(dir);
}
