/* jianxi check as a user runs it: exit codes, stdout and stderr, and the
 * findings of every CSV fixture against its reviewed golden file. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <string.h>
#include "testutil.h"

#define RECEIVED "2023-10-08T09:00:00"

Test(cmd_check, every_csv_fixture_prints_exactly_its_golden_findings)
{
	DIR *d = opendir("fixtures/csv");
	cr_assert(d);
	struct dirent *e;
	int files = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char path[512], golden[512];
		snprintf(path, sizeof path, "fixtures/csv/%s", e->d_name);
		snprintf(golden, sizeof golden, "fixtures/expected/%s.findings.csv", e->d_name);
		char *want = tu_slurp(golden, NULL);
		cr_assert(want, "no golden file %s", golden);
		const char *args[] = {"check", "--config", "fixtures/config", "--received-at", RECEIVED,
				      path, NULL};
		struct run_result r = tu_run(args);
		cr_assert_str_eq(r.out, want, "%s: findings differ from %s", path, golden);
		int has_errors = tu_count_lines_with(want, ",error,") > 0;
		cr_assert_eq(r.status, has_errors ? 1 : 0, "%s: exit %d", path, r.status);
		cr_assert_str_eq(r.err, "", "%s wrote to stderr: %s", path, r.err);
		tu_run_free(&r);
		free(want);
		files++;
	}
	closedir(d);
	cr_assert_geq(files, 15);
}

Test(cmd_check, clean_file_exits_0_with_only_the_header)
{
	const char *args[] = {"check", "--config", "fixtures/config", "fixtures/csv/form_370102_2023-09.csv", NULL};
	struct run_result r = tu_run(args);
	cr_assert_eq(r.status, 0);
	cr_assert_str_eq(r.out, "file,sheet,cell,row,column,district_code,district_name,period,rule,"
				"severity,indicator,value,message\n");
	tu_run_free(&r);
}

Test(cmd_check, several_files_are_checked_in_one_run)
{
	const char *args[] = {"check", "--config", "fixtures/config", "--received-at", RECEIVED,
			      "fixtures/csv/form_370102_2023-09.csv", "fixtures/csv/bad_relations_370112_2023-09.csv",
			      "fixtures/csv/bad_total_370114_2023-09.csv", NULL};
	struct run_result r = tu_run(args);
	cr_assert_eq(r.status, 1);
	cr_assert_eq(tu_count_lines_with(r.out, ",R"), 6);
	cr_assert_eq(tu_count_lines_with(r.out, ",S6,"), 1);
	tu_run_free(&r);
}

/* A file that is not there is the operator's problem, not the district's:
 * exit 3 and a message, no finding; the files after it are still checked. */
Test(cmd_check, a_missing_file_is_an_operator_error_not_a_finding)
{
	const char *args[] = {"check", "--config", "fixtures/config", "no/such/370102_2023-09.csv",
			      "fixtures/csv/bad_relations_370112_2023-09.csv", NULL};
	struct run_result r = tu_run(args);
	cr_assert_eq(r.status, 3);
	cr_assert_eq(tu_count_lines_with(r.out, ",S1,"), 0, "%s", r.out);
	cr_assert(!strstr(r.out, "无法打开文件"), "%s", r.out);
	cr_assert(strstr(r.err, "cannot open no/such/370102_2023-09.csv: No such file or directory"), "%s",
		  r.err);
	cr_assert_gt(tu_count_lines_with(r.out, "bad_relations_370112_2023-09.csv"), 0, "%s", r.out);
	tu_run_free(&r);
}

Test(cmd_check, usage_errors_exit_2_with_a_message)
{
	const char *none[] = {"check", "--config", "fixtures/config", NULL};
	struct run_result r = tu_run(none);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "no file given"), "%s", r.err);
	cr_assert_str_eq(r.out, "");
	tu_run_free(&r);
	const char *badopt[] = {"check", "--frobnicate", "x.csv", NULL};
	r = tu_run(badopt);
	cr_assert_eq(r.status, 2);
	tu_run_free(&r);
	const char *badtime[] = {"check", "--config", "fixtures/config", "--received-at", "soon", "x.csv", NULL};
	r = tu_run(badtime);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "--received-at"), "%s", r.err);
	tu_run_free(&r);
}

Test(cmd_check, a_broken_config_exits_2_naming_file_and_line)
{
	char *dir = tu_tmpdir(), path[512];
	snprintf(path, sizeof path, "%s/districts.csv", dir);
	const char *districts = "code,name\n370102,历下区\n370102,市中区\n";
	tu_write(path, districts, strlen(districts));
	snprintf(path, sizeof path, "%s/settings.ini", dir);
	tu_write(path, "city=济南市\nfirst_period=2023-01\n", strlen("city=济南市\nfirst_period=2023-01\n"));
	const char *args[] = {"check", "--config", dir, "fixtures/csv/form_370102_2023-09.csv", NULL};
	struct run_result r = tu_run(args);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "districts.csv:3: duplicate code '370102'"), "%s", r.err);
	cr_assert_str_eq(r.out, "", "nothing is checked on a half-read config");
	tu_run_free(&r);
	free(dir);
}

Test(cmd_check, help_is_on_stdout_and_exits_0)
{
	const char *args[] = {"check", "--help", NULL};
	struct run_result r = tu_run(args);
	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out, "usage: jianxi check"));
	tu_run_free(&r);
	const char *top[] = {"--help", NULL};
	r = tu_run(top);
	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out, "nightly"));
	tu_run_free(&r);
	const char *unknown[] = {"frobnicate", NULL};
	r = tu_run(unknown);
	cr_assert_eq(r.status, 2);
	tu_run_free(&r);
}

Test(cmd_check, the_config_comes_from_the_environment_when_not_given)
{
	setenv("JIANXI_CONFIG", "fixtures/config", 1);
	const char *args[] = {"check", "fixtures/csv/form_370102_2023-09.csv", NULL};
	struct run_result r = tu_run(args);
	unsetenv("JIANXI_CONFIG");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_run_free(&r);
}

Test(cmd_check, the_current_month_is_not_future_early_on_its_first_day_in_the_city)
{
	/* 2024-03-01 07:00 in Jinan is still 2024-02-29 in UTC */
	const char *args[] = {"check", "--config", "fixtures/config", "--received-at", "2024-03-01T07:00:00",
			      "fixtures/csv/future_370102_2024-03.csv", NULL};
	struct run_result r = tu_run(args);
	cr_assert_eq(r.status, 0, "%s", r.out);
	cr_assert_eq(tu_count_lines_with(r.out, ",S4,"), 0, "%s", r.out);
	tu_run_free(&r);
	const char *before[] = {"check", "--config", "fixtures/config", "--received-at", "2024-02-29T23:00:00",
				"fixtures/csv/future_370102_2024-03.csv", NULL};
	r = tu_run(before);
	cr_assert_eq(r.status, 1);
	cr_assert_eq(tu_count_lines_with(r.out, ",S4,"), 1, "%s", r.out);
	tu_run_free(&r);
}

/* A 历下区 form with these data rows, checked; the run's result. */
static struct run_result check_rows(const char *rows)
{
	char *dir = tu_tmpdir(), path[512], text[4096];
	snprintf(path, sizeof path, "%s/370102_2023-09.csv", dir);
	int n = snprintf(text, sizeof text,
			 "统计期：2023年9月\n项目,1,2,3,4,5,6,7,8,9,10,11,12,13,14\n%s\n"
			 "填报单位：历下区\n",
			 rows);
	tu_write(path, text, (size_t)n);
	const char *args[] = {"check", "--config", "fixtures/config", "--received-at", RECEIVED,
			      path,    NULL};
	struct run_result r = tu_run(args);
	free(dir);
	return r;
}

#define PART_A "20,1,200,10,30,20,15,10,6,4,2,1,60,10.5\n"
#define PART_B "10,2,100,15,20,18,10,8,5,3,2,0,30,5.25\n"
#define WHOLE "30,3,300,25,50,38,25,18,11,7,4,1,90,15.75\n"

Test(cmd_check, a_district_total_that_differs_from_its_parts_is_s6_on_its_cell)
{
	const char *args[] = {"check",
			      "--config",
			      "fixtures/config",
			      "--received-at",
			      RECEIVED,
			      "fixtures/csv/bad_district_total_370103_2023-09.csv",
			      NULL};
	struct run_result r = tu_run(args);
	cr_assert_eq(r.status, 1);
	cr_assert_eq(tu_count_lines_with(r.out, ",S6,error,"), 2, "%s", r.out);
	cr_assert(strstr(r.out,
			 ",B8,8,2,370103,市中区,2023-09,S6,error,1,31,第 8 行“市中区”为本区县合计，"
			 "指标1（本期末实有见习基地总数）=31，不等于其余各行之和 30"),
		  "%s", r.out);
	cr_assert(strstr(r.out, ",O8,8,15,370103,市中区,2023-09,S6,error,14,15.7,"), "%s", r.out);
	tu_run_free(&r);
	/* the district's total before its parts, right: clean, as CSV and XLSX */
	static const char *const clean[] = {
	    "fixtures/csv/form_district_total_370102_2023-09.csv",
	    "fixtures/xlsx/form_district_total_370102_2023-09.xlsx"};
	for (size_t i = 0; i < 2; i++) {
		args[5] = clean[i];
		r = tu_run(args);
		cr_assert_eq(r.status, 0, "%s: %s", clean[i], r.out);
		cr_assert_str_eq(r.out,
				 "file,sheet,cell,row,column,district_code,district_name,period,"
				 "rule,severity,indicator,value,message\n");
		tu_run_free(&r);
	}
	/* and written by hand */
	r = check_rows("历下区," WHOLE "历下区本级," PART_A "历下区街道," PART_B);
	cr_assert_eq(r.status, 0, "%s", r.out);
	cr_assert_str_eq(r.out,
			 "file,sheet,cell,row,column,district_code,district_name,period,rule,"
			 "severity,indicator,value,message\n");
	tu_run_free(&r);
}

Test(cmd_check, a_wrong_total_row_beside_a_right_district_row_is_the_one_blamed)
{
	struct run_result r = check_rows("历下区," WHOLE "本级," PART_A "街道," PART_B
					 "合计,30,3,300,25,50,38,25,18,11,7,4,1,91,15.75\n");
	cr_assert_eq(r.status, 1);
	cr_assert_eq(tu_count_lines_with(r.out, ",S6,"), 1, "%s", r.out);
	cr_assert(strstr(r.out, ",N6,6,14,370102,历下区,2023-09,S6,error,13,91,"
				"合计行指标13（本期末实有在岗见习人数）=91，"
				"不等于各单位之和 90"),
		  "%s", r.out);
	tu_run_free(&r);
}

Test(cmd_check, two_district_totals_without_parts_must_agree)
{
	struct run_result r =
	    check_rows("历下区," WHOLE "合计,30,3,300,25,50,38,25,18,11,7,4,1,90,15.5\n");
	cr_assert_eq(r.status, 1);
	cr_assert_eq(tu_count_lines_with(r.out, ",S6,"), 1, "%s", r.out);
	cr_assert(strstr(r.out, ",O4,4,15,370102,历下区,2023-09,S6,error,14,15.5,第 4 行“合计”与第 "
				"3 行“历下区”都是本区县合计"),
		  "%s", r.out);
	tu_run_free(&r);
}
