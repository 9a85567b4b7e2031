/* Every generated workbook opens in LibreOffice: each is converted to PDF
 * headless by scripts/check_xlsx_libreoffice.sh. Skipped, with a message,
 * where LibreOffice is not installed (CI installs it). */
#include <stdio.h>
#include "testutil.h"

static void run_ok(const char *const *args)
{
	struct run_result r = tu_run(args);
	cr_assert(r.status == 0 || r.status == 1, "jianxi %s exit %d: %s", args[0], r.status, r.err);
	tu_run_free(&r);
}

Test(libreoffice, every_generated_workbook_opens, .timeout = 900)
{
	if (system("command -v soffice >/dev/null 2>&1"))
		cr_skip_test("LibreOffice is not installed (no soffice): make deps installs "
			     "libreoffice-calc-nogui");
	char *dir = tu_tmpdir(), store[600], fb[600], paths[8][700];
	snprintf(store, sizeof store, "dir:%s/warehouse", dir);
	snprintf(fb, sizeof fb, "%s/feedback", dir);
	const char *load[] = {"load", "--config", "fixtures/config", "--store", store, "--received-at",
			      "2023-10-09T09:00:00", "fixtures/csv/flat_2023.csv", "fixtures/csv/form_370104_2023-09_bom.csv",
			      "fixtures/csv/bad_relations_370112_2023-09.csv", "fixtures/csv/form_units_370105_2023-09.csv", NULL};
	run_ok(load);
	const char *names[] = {"summary.xlsx", "attainment.xlsx", "annual.xlsx", "template.xlsx"};
	for (int i = 0; i < 4; i++)
		snprintf(paths[i], sizeof paths[i], "%s/%s", dir, names[i]);
	const char *s[] = {"summary", "--config", "fixtures/config", "--store", store, "--period", "2023-09",
			   "--format", "xlsx", "-o", paths[0], NULL};
	run_ok(s);
	const char *a[] = {"attainment", "--config", "fixtures/config", "--store", store, "--year", "2023",
			   "--format", "xlsx", "-o", paths[1], NULL};
	run_ok(a);
	const char *n[] = {"annual", "--config", "fixtures/config", "--store", store, "--year", "2023", "-o", paths[2], NULL};
	run_ok(n);
	const char *t[] = {"template", "--config", "fixtures/config", "--district", "历下区", "--period", "2023-10",
			   "-o", paths[3], NULL};
	run_ok(t);
	const char *f[] = {"feedback", "--config", "fixtures/config", "--store", store, "--period", "2023-09",
			   "--out", fb, NULL};
	run_ok(f);
	snprintf(paths[4], sizeof paths[4], "%s/370112/2023-09.xlsx", fb);
	cr_assert(access(paths[4], F_OK) == 0, "no feedback workbook for 370112");
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "scripts/check_xlsx_libreoffice.sh '%s' '%s' '%s' '%s' '%s' > '%s/lo.log' 2>&1",
		 paths[0], paths[1], paths[2], paths[3], paths[4], dir);
	int st = system(cmd);
	char logp[700];
	snprintf(logp, sizeof logp, "%s/lo.log", dir);
	char *log = tu_slurp(logp, NULL);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "LibreOffice could not open a workbook:\n%s", log);
	cr_assert_eq(tu_count_lines_with(log, "ok   "), 5, "%s", log);
	free(log);
	free(dir);
}
