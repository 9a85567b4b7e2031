/* Approving a month, locking it, and sending the city's form up, on the
 * embedded dir: store; the same round trip runs on PostgreSQL in
 * test_approval_pg.c. */
#include "approval_cases.h"

Test(approval_dir, two_cities_close_a_month_and_a_province_sums_their_forms, .timeout = 300)
{
	char *dir = tu_tmpdir(), q[600], z[600], p[600];
	snprintf(q, sizeof q, "dir:%s/qingdao", dir);
	snprintf(z, sizeof z, "dir:%s/zibo", dir);
	snprintf(p, sizeof p, "dir:%s/province", dir);
	struct up_stores s = {q, z, p};
	up_round_trip(&s);
	free(dir);
}

Test(approval_dir, the_commands_check_their_options_before_any_work)
{
	char *dir = tu_tmpdir(), store[600];
	snprintf(store, sizeof store, "dir:%s/wh", dir);
	const char *cfg = "fixtures/city-zibo";
	struct run_result r;
	const char *help[] = {"approve", "--help", NULL};
	r = tu_run(help);
	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out, "--allow-missing"), "%s", r.out);
	tu_run_free(&r);
	UP_RUN(r, 2, cfg, store, "approve");
	cr_assert(strstr(r.err, "--period YYYY-MM is required"), "%s", r.err);
	tu_run_free(&r);
	UP_RUN(r, 2, cfg, store, "approve", "--period", "2023-13");
	tu_run_free(&r);
	UP_RUN(r, 2, cfg, store, "approve", "--period", "2023-07", "--allow-missing", "370399");
	cr_assert(strstr(r.err, "\"370399\" is not a configured 区县"), "%s", r.err);
	tu_run_free(&r);
	UP_RUN(r, 2, cfg, store, "reopen", "--period", "2023-07", "--reason", " ");
	cr_assert(strstr(r.err, "--reason TEXT is required"), "%s", r.err);
	tu_run_free(&r);
	UP_RUN(r, 2, cfg, store, "reopen", "--period", "2023-07", "--reason", "two\nlines");
	tu_run_free(&r);
	UP_RUN(r, 2, cfg, store, "report-up", "--period", "2023-07");
	cr_assert(strstr(r.err, "-o FILE.xlsx"), "%s", r.err);
	tu_run_free(&r);
	/* A month with nothing at all is refused with every unit listed. */
	UP_RUN(r, 1, cfg, store, "approve", "--period", "2023-07", "--by", "x");
	cr_assert(strstr(r.err, "3 区县 without an accepted form"), "%s", r.err);
	tu_run_free(&r);
	/* Leaving every unit out is allowed, but then nothing goes up. */
	UP_RUN(r, 0, cfg, store, "approve", "--period", "2023-07", "--by", "x", "--allow-missing",
	       "淄川区,张店,370304");
	cr_assert_eq(tu_count_lines_with(r.out, ",missing,,yes"), 3, "%s", r.out);
	tu_run_free(&r);
	UP_RUN(r, 1, cfg, store, "report-up", "--period", "2023-07", "-o",
	       "/tmp/never-written.xlsx");
	cr_assert(strstr(r.err, "nothing to send"), "%s", r.err);
	tu_run_free(&r);
	cr_assert_neq(access("/tmp/never-written.xlsx", F_OK), 0);
	free(dir);
}

/* At a province the units are cities, and the messages say so. */
Test(approval_dir, a_province_names_its_units_as_the_config_says)
{
	char *dir = tu_tmpdir(), file[600];
	snprintf(file, sizeof file, "%s/flat_2023-07.csv", dir);
	const char *text = "district,period,1,2,3,4,5,6,7,8,9,10,11,12,13,14\n"
			   "烟台市,2023-07,1,0,1,0,1,1,0,0,0,0,0,0,1,0\n"
			   ",2023-07,1,0,1,0,1,1,0,0,0,0,0,0,1,0\n";
	tu_write(file, text, strlen(text));
	const char *args[] = {"check", "--config", "fixtures/province", file, NULL};
	struct run_result r = tu_run(args);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert(
	    strstr(r.out,
		   ",S3,error,,烟台市,市“烟台市”不在山东省的市名单中，请填写规范的市名称或代码\n"),
	    "%s", r.out);
	cr_assert(strstr(r.out, "第 3 行市为空，请填写市名称或代码"), "%s", r.out);
	tu_run_free(&r);
	/* The same file at a city keeps the district wording. */
	const char *city[] = {"check", "--config", "fixtures/config", file, NULL};
	r = tu_run(city);
	cr_assert(
	    strstr(r.out, "区县“烟台市”不在本市区县名单中，请填写规范的区县（功能区）名称或代码"),
	    "%s", r.out);
	tu_run_free(&r);
	unlink(file);
	rmdir(dir);
	free(dir);
}
