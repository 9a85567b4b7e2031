/* jianxi load and jianxi status as a statistician uses them: loading,
 * reloading, correcting, auditing; exit codes; the single-writer lock. */
#include <signal.h>
#include <time.h>
#include "../etl/store.h"
#include "testutil.h"

#define CONFIG "fixtures/config"

struct scratch {
	char *dir;
	char store[600];
};

static struct scratch scratch_new(void)
{
	struct scratch s;
	s.dir = tu_tmpdir();
	snprintf(s.store, sizeof s.store, "dir:%s/warehouse", s.dir);
	return s;
}

static struct run_result load(struct scratch *s, const char *received, const char *file)
{
	const char *args[] = {"load", "--config", CONFIG, "--store", s->store, "--received-at", received, file, NULL};
	return tu_run(args);
}

static void assert_no_line_with(const char *text, const char *a, const char *b)
{
	for (const char *line = text; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char buf[1024];
		snprintf(buf, sizeof buf, "%.*s", (int)len, line);
		cr_assert(!(strstr(buf, a) && strstr(buf, b)), "line %s", buf);
		line = end ? end + 1 : NULL;
	}
}

static char *status_of(struct scratch *s, const char *period)
{
	const char *args[] = {"status", "--config", CONFIG, "--store", s->store, "--period", period, NULL};
	struct run_result r = tu_run(args);
	cr_assert_eq(r.status, 0, "%s", r.err);
	free(r.err);
	return r.out;
}

/* A copy of a fixture under the scratch folder with one line changed. */
static char *variant(struct scratch *s, const char *fixture, const char *name, const char *from, const char *to)
{
	size_t len;
	char *text = tu_slurp(fixture, &len);
	cr_assert(text);
	char *at = strstr(text, from);
	cr_assert(at, "%s not in %s", from, fixture);
	char *out = malloc(len + strlen(to) + 1);
	size_t head = (size_t)(at - text);
	memcpy(out, text, head);
	strcpy(out + head, to);
	strcat(out, at + strlen(from));
	char *path = malloc(strlen(s->dir) + strlen(name) + 2);
	sprintf(path, "%s/%s", s->dir, name);
	tu_write(path, out, strlen(out));
	free(text);
	free(out);
	return path;
}

Test(cmd_load, a_good_file_is_stored_and_the_same_delivery_again_changes_nothing)
{
	struct scratch s = scratch_new();
	struct run_result r = load(&s, "2023-10-07T10:00:00", "fixtures/csv/form_370102_2023-09.csv");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "file,district_code,district_name,period,status,errors,warnings,stored\n"
				"fixtures/csv/form_370102_2023-09.csv,370102,历下区,2023-09,accepted,0,0,new\n");
	tu_run_free(&r);
	/* the same delivery, in another ISO 8601 spelling */
	r = load(&s, "2023-10-07T02:00:00.250Z", "fixtures/csv/form_370102_2023-09.csv");
	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out, ",accepted,0,0,unchanged\n"), "%s", r.out);
	tu_run_free(&r);
	char *st = status_of(&s, "2023-09");
	cr_assert(strstr(st, "2023-09,370102,历下区,on_time,2023-10-07T10:00:00+08:00,2023-10-07,form_370102_2023-09.csv\n"),
		  "%s", st);
	cr_assert_eq(tu_count_lines_with(st, ",missing,"), 14);
	free(st);
	/* the same file received again later is a new delivery (#13) */
	r = load(&s, "2023-10-07T11:00:00+0800", "fixtures/csv/form_370102_2023-09.csv");
	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out, ",accepted,0,0,new\n"), "%s", r.out);
	tu_run_free(&r);
	st = status_of(&s, "2023-09");
	cr_assert(strstr(st, "2023-09,370102,历下区,on_time,2023-10-07T11:00:00+08:00,2023-10-07,"), "%s", st);
	free(st);
	free(s.dir);
}

/* Without --received-at a file is received when it arrived on this machine
 * (its inode change time), not when the sender last saved it: a copy that
 * kept a 2020 modification time is received now (#13). */
Test(cmd_load, without_received_at_a_file_is_received_when_it_arrived_not_its_mtime)
{
	struct scratch s = scratch_new();
	char *copy = variant(&s, "fixtures/csv/form_370102_2023-09.csv", "370102_2023-09.csv", "历下区,52,", "历下区,52,");
	struct timespec old[2] = {{1577836800, 0}, {1577836800, 0}};
	cr_assert_eq(utimensat(AT_FDCWD, copy, old, 0), 0);
	time_t before = time(NULL);
	const char *args[] = {"load", "--config", CONFIG, "--store", s.store, copy, NULL};
	struct run_result r = tu_run(args);
	time_t after = time(NULL);
	cr_assert_eq(r.status, 0, "late is a warning only: %s %s", r.out, r.err);
	cr_assert(strstr(r.out, ",accepted,0,1,new\n"), "received now, long after the deadline: %s", r.out);
	tu_run_free(&r);
	struct store *st;
	char err[256];
	cr_assert_eq(store_open(s.store, &st, err, sizeof err), 0, "%s", err);
	struct jx_submission sub;
	jx_submission_init(&sub);
	cr_assert_eq(store_get(st, "370102", 2023, 9, 0, &sub, NULL), 0);
	cr_assert(sub.received_at >= before - 2 && sub.received_at <= after, "received %lld", (long long)sub.received_at);
	jx_submission_release(&sub);
	store_close(st);
	/* loading it again as it lies is the same delivery */
	r = tu_run(args);
	cr_assert(strstr(r.out, ",unchanged\n"), "%s", r.out);
	tu_run_free(&r);
	free(copy);
	free(s.dir);
}

/* A file that cannot be read is not held against the district and does not
 * stop the files after it; the run exits 3 and says why (#13). */
Test(cmd_load, an_unreadable_file_is_the_operators_problem_and_the_next_file_loads)
{
	struct scratch s = scratch_new();
	const char *args[] = {"load", "--config", CONFIG, "--store", s.store, "--received-at", "2023-10-07T10:00:00",
			      "/nonexistent/370113_2023-09.csv", "fixtures/csv/form_370102_2023-09.csv", NULL};
	struct run_result r = tu_run(args);
	cr_assert_eq(r.status, 3, "%s %s", r.out, r.err);
	cr_assert(strstr(r.err, "cannot open /nonexistent/370113_2023-09.csv: No such file or directory; not loaded"),
		  "%s", r.err);
	cr_assert(!strstr(r.out, "370113"), "no line for the district: %s", r.out);
	cr_assert(strstr(r.out, "form_370102_2023-09.csv,370102,历下区,2023-09,accepted,0,0,new\n"), "%s", r.out);
	tu_run_free(&r);
	char *st = status_of(&s, "2023-09");
	assert_no_line_with(st, "370113", "rejected");
	free(st);
	free(s.dir);
}

Test(cmd_load, a_rejected_correction_keeps_the_accepted_version_in_force)
{
	struct scratch s = scratch_new();
	struct run_result r = load(&s, "2023-10-07T10:00:00", "fixtures/csv/form_370102_2023-09.csv");
	tu_run_free(&r);
	char *bad = variant(&s, "fixtures/csv/form_370102_2023-09.csv", "370102_2023-09_v2.csv", "历下区,52,3,", "历下区,2,3,");
	r = load(&s, "2023-10-07T12:00:00", bad);
	cr_assert_eq(r.status, 1, "a rejected submission exits 1");
	cr_assert(strstr(r.out, ",rejected,1,"), "%s", r.out);
	tu_run_free(&r);
	const char *args[] = {"summary", "--config", CONFIG, "--store", s.store, "--period", "2023-09", NULL};
	r = tu_run(args);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "2023-09,370102,历下区,accepted,52,3,640,"), "the earlier figures count: %s", r.out);
	tu_run_free(&r);
	free(bad);
	free(s.dir);
}

Test(cmd_load, a_correction_supersedes_and_status_follows_its_receipt)
{
	struct scratch s = scratch_new();
	/* a rejected first file, corrected on time: on_time */
	char *bad = variant(&s, "fixtures/csv/form_370102_2023-09.csv", "370102_2023-09_bad.csv", "历下区,52,3,", "历下区,2,3,");
	struct run_result r = load(&s, "2023-10-05T10:00:00", bad);
	tu_run_free(&r);
	char *st = status_of(&s, "2023-09");
	cr_assert(strstr(st, "2023-09,370102,历下区,rejected,2023-10-05T10:00:00+08:00,"), "%s", st);
	free(st);
	r = load(&s, "2023-10-07T23:00:00", "fixtures/csv/form_370102_2023-09.csv");
	cr_assert_eq(r.status, 0);
	tu_run_free(&r);
	st = status_of(&s, "2023-09");
	cr_assert(strstr(st, "2023-09,370102,历下区,on_time,2023-10-07T23:00:00+08:00,"), "%s", st);
	free(st);
	/* a corrected version after the deadline supersedes, and is late */
	char *late = variant(&s, "fixtures/csv/form_370102_2023-09.csv", "370102_2023-09_late.csv", "历下区,52,3,", "历下区,53,4,");
	r = load(&s, "2023-10-09T08:00:00", late);
	cr_assert_eq(r.status, 0, "late is a warning: %s", r.out);
	cr_assert(strstr(r.out, ",accepted,0,1,new"), "%s", r.out);
	tu_run_free(&r);
	st = status_of(&s, "2023-09");
	cr_assert(strstr(st, "2023-09,370102,历下区,late,2023-10-09T08:00:00+08:00,2023-10-07,370102_2023-09_late.csv"), "%s", st);
	free(st);
	free(bad);
	free(late);
	free(s.dir);
}

Test(cmd_load, cross_period_rules_are_checked_against_the_store)
{
	struct scratch s = scratch_new();
	/* August with 14 = 40 万元 and 13 = 100 */
	char *aug = variant(&s, "fixtures/csv/form_370102_2023-09.csv", "370102_2023-08.csv", "2023年9月", "2023年8月");
	char *aug2 = variant(&s, aug, "370102_2023-08b.csv", ",2,150,35.5", ",2,100,40");
	struct run_result r = load(&s, "2023-09-01T10:00:00", aug2);
	cr_assert_eq(r.status, 0, "%s", r.out);
	tu_run_free(&r);
	char findings[700];
	snprintf(findings, sizeof findings, "%s/findings.csv", s.dir);
	const char *args[] = {"load", "--config", CONFIG, "--store", s.store, "--received-at", "2023-10-07T10:00:00",
			      "--findings", findings, "fixtures/csv/form_370102_2023-09.csv", NULL};
	r = tu_run(args);
	cr_assert_eq(r.status, 1, "C1 is an error: %s", r.out);
	tu_run_free(&r);
	char *f = tu_slurp(findings, NULL);
	cr_assert(f);
	cr_assert(strstr(f, ",O6,6,15,370102,历下区,2023-09,C1,error,14,35.5,"), "%s", f);
	/* 100 + 48 - 30 - 2 = 116, not 150 */
	cr_assert(strstr(f, ",N6,6,14,370102,历下区,2023-09,C2,warning,13,150,"), "%s", f);
	free(f);
	free(aug);
	free(aug2);
	free(s.dir);
}

Test(cmd_load, files_without_a_district_are_reported_but_not_stored)
{
	struct scratch s = scratch_new();
	struct run_result r = load(&s, "2023-10-07T10:00:00", "fixtures/csv/bad_district_2023-09.csv");
	cr_assert_eq(r.status, 1);
	cr_assert(strstr(r.out, ",,,2023-09,rejected,1,0,no\n"), "%s", r.out);
	tu_run_free(&r);
	free(s.dir);
}

Test(cmd_load, an_unreachable_database_exits_3)
{
	const char *args[] = {"load", "--config", CONFIG, "--store", "host=/nonexistent dbname=x connect_timeout=2",
			      "fixtures/csv/form_370102_2023-09.csv", NULL};
	struct run_result r = tu_run(args);
	cr_assert_eq(r.status, 3);
	cr_assert(strstr(r.err, "cannot open the store"), "%s", r.err);
	tu_run_free(&r);
}

Test(cmd_load, a_second_run_on_a_held_store_stops_with_a_clear_message)
{
	struct scratch s = scratch_new();
	int ready[2];
	cr_assert_eq(pipe(ready), 0);
	pid_t pid = fork();
	if (pid == 0) {
		struct store *st;
		char err[256];
		if (store_open(s.store, &st, err, sizeof err) || store_lock(st, 5))
			_exit(1);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		sleep(10);
		_exit(0);
	}
	char c;
	cr_assert_eq(read(ready[0], &c, 1), 1, "the holder took the lock");
	setenv("JIANXI_LOCK_WAIT", "1", 1);
	struct run_result r = load(&s, "2023-10-07T10:00:00", "fixtures/csv/form_370102_2023-09.csv");
	unsetenv("JIANXI_LOCK_WAIT");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	cr_assert_eq(r.status, 3);
	cr_assert(strstr(r.err, "another jianxi run holds the store"), "%s", r.err);
	tu_run_free(&r);
	/* the holder is gone: the lock is free again */
	r = load(&s, "2023-10-07T10:00:00", "fixtures/csv/form_370102_2023-09.csv");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_run_free(&r);
	free(s.dir);
}

Test(cmd_status, usage_errors_exit_2)
{
	const char *args[] = {"status", "--config", CONFIG, "--period", "2023-9", NULL};
	struct run_result r = tu_run(args);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "YYYY-MM"), "%s", r.err);
	tu_run_free(&r);
}

Test(cmd_load, a_district_month_repeated_in_one_file_is_kept_rejected_for_its_feedback)
{
	struct scratch s = scratch_new();
	struct run_result r = load(&s, "2023-10-07T10:00:00", "fixtures/csv/bad_flat.tsv");
	cr_assert_eq(r.status, 1);
	cr_assert(strstr(r.out, "fixtures/csv/bad_flat.tsv,370124,平阴县,2023-09,accepted,0,0,new\n"), "%s", r.out);
	cr_assert(strstr(r.out, "fixtures/csv/bad_flat.tsv,370124,平阴县,2023-09,rejected,1,0,new\n"),
		  "the repeat is stored as a rejected version: %s", r.out);
	tu_run_free(&r);
	r = load(&s, "2023-10-07T10:00:00", "fixtures/csv/bad_flat.tsv");
	cr_assert_eq(tu_count_lines_with(r.out, ",new\n"), 0, "loading again changes nothing: %s", r.out);
	tu_run_free(&r);
	char out[700];
	snprintf(out, sizeof out, "%s/feedback", s.dir);
	const char *fb[] = {"feedback", "--config", CONFIG, "--store", s.store, "--period", "2023-09", "--out", out, NULL};
	r = tu_run(fb);
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_run_free(&r);
	char path[800];
	snprintf(path, sizeof path, "%s/370124/2023-09.csv", out);
	char *listing = tu_slurp(path, NULL);
	cr_assert(listing && strstr(listing, ",S7,error,"), "平阴县 is told about the repeat: %s", listing);
	free(listing);
	/* the first row stays in force */
	char *st = status_of(&s, "2023-09");
	cr_assert(strstr(st, "2023-09,370124,平阴县,on_time,"), "%s", st);
	free(st);
	free(s.dir);
}

/* A file that repeats every one of its rows (an export appended to
 * itself): each (district, month) is one accepted version and one rejected
 * version holding its repeat, however many months there are (#14: the
 * months repeated are found by hash, no longer by a scan of those before). */
Test(cmd_load, a_file_repeating_each_of_its_many_months_gives_one_rejected_version_each)
{
	static const char *const codes[] = {"370102", "370103", "370104", "370105", "370112",
					    "370113", "370114", "370115", "370116", "370117",
					    "370124", "370126", "370171", "370172", "370173"};
	enum { N_CODES = sizeof codes / sizeof codes[0], MONTHS = 9 };
	struct scratch s = scratch_new();
	char path[700];
	snprintf(path, sizeof path, "%s/twice.csv", s.dir);
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fputs("区县,统计期,i1,i2,i3,i4,i5,i6,i7,i8,i9,i10,i11,i12,i13,i14\n", f);
	for (int pass = 0; pass < 2; pass++)
		for (int m = 1; m <= MONTHS; m++)
			for (int c = 0; c < N_CODES; c++)
				fprintf(f, "%s,2023-%02d,52,3,640,45,60,48,40,30,20,12,6,2,150,35.5\n",
					codes[c], m);
	cr_assert_eq(fclose(f), 0);
	struct run_result r = load(&s, "2023-10-01T10:00:00", path);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_eq(tu_count_lines_with(r.out, ",accepted,"), N_CODES * MONTHS, "%s", r.out);
	cr_assert_eq(tu_count_lines_with(r.out, ",rejected,1,"), N_CODES * MONTHS, "%s", r.out);
	char want[128];
	for (int m = 1; m <= MONTHS; m++)
		for (int c = 0; c < N_CODES; c++) {
			snprintf(want, sizeof want, ",%s,", codes[c]);
			char period[40];
			snprintf(period, sizeof period, ",2023-%02d,rejected,", m);
			int found = 0;
			for (const char *line = r.out; line && *line;) {
				const char *end = strchr(line, '\n');
				size_t len = end ? (size_t)(end - line) : strlen(line);
				char buf[512];
				snprintf(buf, sizeof buf, "%.*s", (int)len, line);
				found += strstr(buf, want) && strstr(buf, period);
				line = end ? end + 1 : NULL;
			}
			cr_assert_eq(found, 1, "%s 2023-%02d: one rejected version", codes[c], m);
		}
	tu_run_free(&r);
	free(s.dir);
}

Test(cmd_load, money_written_in_yuan_is_c4_and_the_next_month_blames_it_in_c1)
{
	struct scratch s = scratch_new();
	/* August: 41.5 万元 written as 415000 */
	char *aug = variant(&s, "fixtures/csv/form_370102_2023-09.csv", "370102_2023-08.csv",
			    "2023年9月", "2023年8月");
	char *aug2 = variant(&s, aug, "370102_2023-08b.csv", ",2,150,35.5", ",2,150,415000");
	char findings[700];
	snprintf(findings, sizeof findings, "%s/findings.csv", s.dir);
	const char *args[] = {"load",
			      "--config",
			      CONFIG,
			      "--store",
			      s.store,
			      "--received-at",
			      "2023-09-01T10:00:00",
			      "--findings",
			      findings,
			      aug2,
			      NULL};
	struct run_result r = tu_run(args);
	cr_assert_eq(r.status, 0, "a warning only: %s", r.out);
	cr_assert(strstr(r.out, ",2023-08,accepted,0,1,new\n"), "%s", r.out);
	tu_run_free(&r);
	char *f = tu_slurp(findings, NULL);
	cr_assert(strstr(f, ",O6,6,15,370102,历下区,2023-08,C4,warning,14,415000,"
			    "指标14（本年累计各级财政实际拨付的见习补贴资金数）=415000 万元，超过 "
			    "1 亿元；该指标单位为万元，是否误按元填报？"),
		  "%s", f);
	free(f);
	/* September, right at 45 万元: C1, and the message points at August */
	char *sep = variant(&s, "fixtures/csv/form_370102_2023-09.csv", "370102_2023-09.csv",
			    ",2,150,35.5", ",2,150,45");
	args[6] = "2023-10-07T10:00:00";
	args[9] = sep;
	r = tu_run(args);
	cr_assert_eq(r.status, 1, "%s", r.out);
	tu_run_free(&r);
	f = tu_slurp(findings, NULL);
	cr_assert(strstr(f, ",O6,6,15,370102,历下区,2023-09,C1,error,14,45,"
			    "指标14（本年累计各级财政实际拨付的见习补贴资金数）=45 万元，小于本年 "
			    "8 月已报的 415000 万元；但 8 月的 415000 万元超过 1 "
			    "亿元，疑似误按元填报，需要更正的是 8 月的报表"),
		  "%s", f);
	cr_assert_eq(tu_count_lines_with(f, ",C4,"), 0, "%s", f);
	free(f);
	free(aug);
	free(aug2);
	free(sep);
	free(s.dir);
}
