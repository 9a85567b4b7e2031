/* jianxi load into PostgreSQL, where a file's submissions are checked in C
 * and stored a batch at a time (#14): the lines and findings must be those
 * of the dir: store, which stores one submission at a time, whatever the
 * batches; a month's C1-C3 see the months loaded before it in the same
 * batch and in earlier batches. */
#include "../etl/store.h"
#include "pgutil.h"
#include "testutil.h"

/* Every configured district, months 2018-01..2023-12, district after
 * district: 1,080 rows, more than one batch, a district's history split
 * across batches. Indicator 14 grows through each year but falls now and
 * then (C1, rejected), 13 mostly follows last month (C2 otherwise), and a
 * flow sometimes jumps (C3). Then a row of an unknown district and one
 * month given twice (S7). */
static char *history_file(const char *dir)
{
	static const char *const codes[] = {"370102", "370103", "370104", "370105", "370112",
					    "370113", "370114", "370115", "370116", "370117",
					    "370124", "370126", "370171", "370172", "370173"};
	size_t cap = 1 << 20, len = 0;
	char *text = malloc(cap);
	cr_assert(text);
	len += (size_t)snprintf(text + len, cap - len,
				"district,period,1,2,3,4,5,6,7,8,9,10,11,12,13,14\n");
	unsigned seed = 7;
	for (size_t d = 0; d < sizeof codes / sizeof codes[0]; d++) {
		long i13 = 60;
		for (int y = 2018; y <= 2023; y++)
			for (int m = 1; m <= 12; m++) {
				seed = seed * 1103515245u + 12345u;
				unsigned r = (seed >> 16) % 100;
				long i6 = 30 + (long)(r % 10), i8 = 12, i12 = 1;
				long i5 = r == 3 ? 400 : 40; /* a jump: C3 */
				if (i6 > i5)
					i6 = i5;
				i13 = r == 5 ? i13 + 7 : i13 + i6 - i8 - i12; /* C2 when 5 */
				long w = 10 + m * 2 - (r == 9 ? 15 : 0);      /* C1 when 9 */
				len += (size_t)snprintf(text + len, cap - len,
							"%s,%04d-%02d,30,2,400,50,%ld,%ld,20,%ld,6,"
							"3,4,%ld,%ld,%ld.%02u\n",
							codes[d], y, m, i5, i6, i8, i12, i13, w, r);
			}
	}
	len += (size_t)snprintf(text + len, cap - len,
				"999999,2023-01,30,2,400,50,40,35,20,12,6,3,4,1,60,10.5\n"
				"370102,2019-06,30,2,400,50,40,35,20,12,6,3,4,1,60,10.5\n");
	char *path = malloc(strlen(dir) + 32);
	sprintf(path, "%s/history.csv", dir);
	tu_write(path, text, len);
	free(text);
	return path;
}

/* The bundled config with its first period moved back to 2018-01. */
static char *old_config(const char *dir)
{
	char cmd[1024];
	char *path = malloc(strlen(dir) + 16);
	sprintf(path, "%s/config", dir);
	snprintf(
	    cmd, sizeof cmd,
	    "cp -r fixtures/config %s && sed -i 's/^first_period = .*/first_period = 2018-01/' "
	    "%s/settings.ini",
	    path, path);
	cr_assert_eq(system(cmd), 0);
	return path;
}

static const char *CONFIG;

static struct run_result load(const char *store, const char *findings, const char *file)
{
	const char *args[] = {"load",
			      "--config",
			      CONFIG,
			      "--store",
			      store,
			      "--findings",
			      findings,
			      "--received-at",
			      "2024-01-15T09:00:00+08:00",
			      file,
			      NULL};
	return tu_run(args);
}

Test(load_pg, a_history_file_in_batches_gives_the_lines_and_findings_of_the_dir_store,
     .timeout = 600)
{
	char *dir = tu_tmpdir();
	char *file = history_file(dir);
	char *config = old_config(dir);
	CONFIG = config;
	char store[600], dir_findings[600], pg_findings[600];
	snprintf(store, sizeof store, "dir:%s/warehouse", dir);
	snprintf(dir_findings, sizeof dir_findings, "%s/dir_findings.csv", dir);
	snprintf(pg_findings, sizeof pg_findings, "%s/pg_findings.csv", dir);
	char db[64];
	char *url = pg_fresh_url(db, sizeof db);

	struct run_result want = load(store, dir_findings, file);
	cr_assert_eq(want.status, 1, "%s", want.err); /* some rejected */
	struct run_result got = load(url, pg_findings, file);
	cr_assert_eq(got.status, want.status, "%s", got.err);
	cr_assert_str_eq(got.out, want.out);
	cr_assert_str_eq(got.err, want.err);
	size_t a, b;
	char *fw = tu_slurp(dir_findings, &a), *fg = tu_slurp(pg_findings, &b);
	cr_assert_str_eq(fg, fw);
	/* not vacuous: the history rules fired, on months that found the
	 * month before in the same batch or in an earlier one */
	cr_assert_gt(tu_count_lines_with(fg, ",C1,"), 3);
	cr_assert_gt(tu_count_lines_with(fg, ",C2,"), 3);
	cr_assert_gt(tu_count_lines_with(fg, ",C3,"), 3);
	cr_assert_gt(tu_count_lines_with(got.out, ",new"), 1000); /* more than a batch */
	cr_assert_eq(tu_count_lines_with(got.out, ",no"), 1);
	tu_run_free(&want);
	tu_run_free(&got);
	free(fw);
	free(fg);

	/* the same delivery again: every stored row unchanged, same findings */
	want = load(store, dir_findings, file);
	got = load(url, pg_findings, file);
	cr_assert_eq(got.status, want.status, "%s", got.err);
	cr_assert_str_eq(got.out, want.out);
	cr_assert_gt(tu_count_lines_with(got.out, ",unchanged"), 1000);
	cr_assert_eq(tu_count_lines_with(got.out, ",new"), 0);
	fw = tu_slurp(dir_findings, &a);
	fg = tu_slurp(pg_findings, &b);
	cr_assert_str_eq(fg, fw);
	tu_run_free(&want);
	tu_run_free(&got);
	free(fw);
	free(fg);

	/* and what the store holds reads back the same on both */
	const char *sa[] = {"status", "--config", CONFIG,    "--store",
			    store,    "--period", "2019-06", NULL};
	const char *sb[] = {"status", "--config", CONFIG,    "--store",
			    url,      "--period", "2019-06", NULL};
	want = tu_run(sa);
	got = tu_run(sb);
	cr_assert_eq(got.status, want.status, "%s", got.err);
	cr_assert_str_eq(got.out, want.out);
	tu_run_free(&want);
	tu_run_free(&got);

	pg_drop(db);
	free(url);
	free(file);
	free(config);
	free(dir);
}

/* The rows of history_file's districts period after period (all 15
 * districts of a month, then the next month) from 2018-01 to the end of
 * last_year: to 2023, 1,080 rows, so the second batch's months of 2023 find
 * their history among the months the first batch loaded. Returns the file's text; each month alone
 * too, as months[i] (header included), when months is not NULL. */
static char *period_rows(char **months, int last_year)
{
	static const char *const codes[] = {"370102", "370103", "370104", "370105", "370112",
					    "370113", "370114", "370115", "370116", "370117",
					    "370124", "370126", "370171", "370172", "370173"};
	enum { D = sizeof codes / sizeof codes[0] };
	static const char head[] = "district,period,1,2,3,4,5,6,7,8,9,10,11,12,13,14\n";
	size_t cap = 1 << 20, len = 0;
	char *text = malloc(cap);
	cr_assert(text);
	len += (size_t)snprintf(text + len, cap - len, "%s", head);
	long i13[D];
	unsigned seed = 11;
	for (int d = 0; d < D; d++)
		i13[d] = 60;
	for (int y = 2018, i = 0; y <= last_year; y++)
		for (int m = 1; m <= 12; m++, i++) {
			size_t from = len;
			for (int d = 0; d < D; d++) {
				seed = seed * 1103515245u + 12345u;
				unsigned r = (seed >> 16) % 100;
				long i6 = 30 + (long)(r % 10), i8 = 12, i12 = 1;
				long i5 = r == 3 ? 400 : 40; /* C3 */
				if (i6 > i5)
					i6 = i5;
				long i1 = r == 7 ? 1 : 30; /* R1: rejected, not in force */
				i13[d] = r == 5 ? i13[d] + 7 : i13[d] + i6 - i8 - i12; /* C2 */
				long w = 10 + m * 2 - (r == 9 ? 5 : 0);		       /* C1 */
				len += (size_t)snprintf(
				    text + len, cap - len,
				    "%s,%04d-%02d,%ld,2,400,50,%ld,%ld,20,%ld,6,"
				    "3,4,%ld,%ld,%ld.%02u\n",
				    codes[d], y, m, i1, i5, i6, i8, i12, i13[d], w, r);
			}
			if (months) {
				size_t n = len - from;
				months[i] = malloc(sizeof head + n);
				memcpy(months[i], head, sizeof head - 1);
				memcpy(months[i] + sizeof head - 1, text + from, n);
				months[i][sizeof head - 1 + n] = 0;
			}
		}
	return text;
}

/* Every stored version with its findings, as one text: district, period,
 * version, status, then each finding's rule, indicator, value and message
 * (not its file or row, which differ between the two loads). */
static char *stored_text(const char *url)
{
	PGconn *c = PQconnectdb(url);
	cr_assert(PQstatus(c) == CONNECTION_OK);
	PGresult *r = PQexec(
	    c, "SELECT string_agg(line, E'\\n' ORDER BY line) FROM ("
	       "SELECT concat_ws('|', s.district_code, s.year, s.month, s.version, s.status, "
	       "s.errors, s.warnings, s.i13, s.i14, f.rule, f.indicator, f.value, f.message) AS "
	       "line FROM submission s LEFT JOIN finding f ON f.submission_id = s.id) x");
	cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(c));
	char *text = strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	PQfinish(c);
	return text;
}

/* History from the months loaded by the file's earlier batches (#14): one
 * file of 72 months, period after period, stores the versions and findings
 * of the same months loaded one file a month, where every month reads its
 * history from the store. */
Test(load_pg, history_from_earlier_batches_of_a_file_is_that_of_the_store, .timeout = 600)
{
	char *dir = tu_tmpdir();
	char *config = old_config(dir);
	CONFIG = config;
	char *months[72];
	char *whole = period_rows(months, 2023);
	char path[600], findings[600];
	snprintf(path, sizeof path, "%s/whole.csv", dir);
	tu_write(path, whole, strlen(whole));
	snprintf(findings, sizeof findings, "%s/findings.csv", dir);
	char db1[64], db2[64];
	char *url1 = pg_fresh_url(db1, sizeof db1), *url2 = pg_fresh_url(db2, sizeof db2);
	struct run_result got = load(url1, findings, path);
	cr_assert_eq(got.status, 1, "%s", got.err); /* some rejected */
	cr_assert_eq(tu_count_lines_with(got.out, ",new"), 1080);
	tu_run_free(&got);

	/* the months one file each, in order, in one run */
	const char *args[7 + 72 + 1] = {"load",	   "--config", CONFIG,
					"--store", url2,       "--received-at"};
	char *paths[72];
	args[6] = "2024-01-15T09:00:00+08:00";
	for (int i = 0; i < 72; i++) {
		paths[i] = malloc(strlen(dir) + 32);
		sprintf(paths[i], "%s/m%02d.csv", dir, i);
		tu_write(paths[i], months[i], strlen(months[i]));
		args[7 + i] = paths[i];
	}
	args[7 + 72] = NULL;
	struct run_result each = tu_run(args);
	cr_assert_eq(each.status, 1, "%s", each.err);
	cr_assert_eq(tu_count_lines_with(each.out, ",new"), 1080);
	tu_run_free(&each);

	char *a = stored_text(url1), *b = stored_text(url2);
	cr_assert_str_eq(a, b);
	/* not vacuous: history fired in the second batch's months too */
	cr_assert_gt(tu_count_lines_with(a, "|C1|"), 3);
	cr_assert_gt(tu_count_lines_with(a, "|C2|"), 3);
	cr_assert_gt(tu_count_lines_with(a, "|C3|"), 3);
	cr_assert_gt(tu_count_lines_with(a, "|2023|11|1|accepted|0|1|"), 0);
	cr_assert_gt(tu_count_lines_with(a, "|rejected|"), 3);
	free(a);
	free(b);
	for (int i = 0; i < 72; i++) {
		free(months[i]);
		free(paths[i]);
	}
	free(whole);
	pg_drop(db1);
	pg_drop(db2);
	free(url1);
	free(url2);
	free(config);
	free(dir);
}

/* In one batch (#14): a month rejected between others is stored rejected
 * and takes nothing with it; the months after it see the accepted ones
 * before it, never a rejected one: for C1 March compares with January's
 * 10, not February's 50 (and is rejected), April with January's too (not
 * below it); for C2 neither has a last month. */
Test(load_pg, a_rejected_month_in_a_batch_is_stored_alone_and_never_history, .timeout = 300)
{
	char *dir = tu_tmpdir();
	char *config = old_config(dir);
	CONFIG = config;
	static const char rows[] = "district,period,1,2,3,4,5,6,7,8,9,10,11,12,13,14\n"
				   "370102,2023-01,30,2,400,50,40,35,20,12,6,3,4,1,60,10\n"
				   "370103,2023-01,30,2,400,50,40,35,20,12,6,3,4,1,60,10\n"
				   "370102,2023-02,1,2,400,50,40,35,20,12,6,3,4,1,82,50\n" /* R1 */
				   "370103,2023-02,30,2,400,50,40,35,20,12,6,3,4,1,82,12\n"
				   "370102,2023-03,30,2,400,50,40,35,20,12,6,3,4,1,999,5\n" /* C1 */
				   "370102,2023-04,30,2,400,50,40,35,20,12,6,3,4,1,1021,20\n";
	char path[600], findings[600];
	snprintf(path, sizeof path, "%s/months.csv", dir);
	tu_write(path, rows, sizeof rows - 1);
	snprintf(findings, sizeof findings, "%s/findings.csv", dir);
	char db[64];
	char *url = pg_fresh_url(db, sizeof db);
	struct run_result got = load(url, findings, path);
	cr_assert_eq(got.status, 1, "%s", got.err);
	cr_assert_eq(tu_count_lines_with(got.out, ",new"), 6, "%s", got.out);
	cr_assert_eq(tu_count_lines_with(got.out, ",rejected,"), 2, "%s", got.out);
	cr_assert_eq(tu_count_lines_with(got.out, "2023-02,rejected,1,"), 1, "%s", got.out);
	cr_assert_eq(tu_count_lines_with(got.out, "2023-03,rejected,1,"), 1, "%s", got.out);
	size_t n;
	char *f = tu_slurp(findings, &n);
	cr_assert_eq(tu_count_lines_with(f, ",R1,"), 1, "%s", f);
	cr_assert_eq(tu_count_lines_with(f, ",C1,"), 1, "%s", f);
	cr_assert(strstr(f, "小于本年 1 月已报的 10 万元"), "%s", f);
	cr_assert_eq(tu_count_lines_with(f, ",C2,"), 0, "%s", f);
	cr_assert_eq(tu_count_lines_with(f, ",C3,"), 0, "%s", f);
	char *stored = stored_text(url);
	cr_assert_gt(tu_count_lines_with(stored, "370102|2023|2|1|rejected|1|1|82|500000|R1|"), 0,
		     "%s", stored);
	cr_assert_gt(tu_count_lines_with(stored, "370102|2023|4|1|accepted|0|1|1021|200000|L1|"), 0,
		     "%s", stored);
	cr_assert_gt(tu_count_lines_with(stored, "370103|2023|2|1|accepted|0|1|82|120000|L1|"), 0,
		     "%s", stored);
	free(stored);
	free(f);
	tu_run_free(&got);
	pg_drop(db);
	free(url);
	free(config);
	free(dir);
}

/* A batch the server refuses while the file's next batch is being read
 * (#14): the batch before it is stored and reported, nothing of it or of
 * any batch after it, and the run exits 3 with the server's reason. The
 * months to 2029 are past the received time (S4, rejected), and stored. */
Test(load_pg, a_batch_refused_in_the_background_stops_the_file_after_the_one_before, .timeout = 600)
{
	char *dir = tu_tmpdir();
	char *config = old_config(dir);
	CONFIG = config;
	char *whole = period_rows(NULL, 2029); /* 2,160 rows: three batches */
	char path[600], findings[600];
	snprintf(path, sizeof path, "%s/whole.csv", dir);
	tu_write(path, whole, strlen(whole));
	snprintf(findings, sizeof findings, "%s/findings.csv", dir);
	char db[64];
	char *url = pg_fresh_url(db, sizeof db);
	/* the schema first, then a rule only 370102's 2025-06 (row 1,337 of
	 * the file, in the second batch) breaks */
	const char *const init[] = {"status", "--config", CONFIG,    "--store",
				    url,      "--period", "2018-01", NULL};
	struct run_result st = tu_run(init);
	cr_assert_eq(st.status, 0, "%s", st.err);
	tu_run_free(&st);
	PGconn *c = PQconnectdb(url);
	cr_assert(PQstatus(c) == CONNECTION_OK);
	pg_admin_exec(c, "ALTER TABLE submission ADD CONSTRAINT test_refused CHECK "
			 "(NOT (district_code = '370102' AND year = 2025 AND month = 6))");
	struct run_result got = load(url, findings, path);
	cr_assert_eq(got.status, 3, "%d %s", got.status, got.err);
	cr_assert(strstr(got.err, "test_refused"), "%s", got.err);
	cr_assert_eq(tu_count_lines_with(got.out, ",new"), 1000, "%s", got.out);
	cr_assert_eq(tu_count_lines_with(got.out, ",2023-06,"),
		     15); /* the first batch ends in 2023-07 */
	cr_assert_eq(tu_count_lines_with(got.out, ",2023-07,"), 10);
	PGresult *r = PQexec(c, "SELECT count(*), max(year * 100 + month) FROM submission");
	cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK);
	cr_assert_str_eq(PQgetvalue(r, 0, 0), "1000");
	cr_assert_str_eq(PQgetvalue(r, 0, 1), "202307");
	PQclear(r);
	tu_run_free(&got);

	/* without the rule, the same file again stores the rest */
	pg_admin_exec(c, "ALTER TABLE submission DROP CONSTRAINT test_refused");
	got = load(url, findings, path);
	cr_assert_eq(got.status, 1, "%s", got.err);
	cr_assert_eq(tu_count_lines_with(got.out, ",new"), 1160, "%s", got.out);
	cr_assert_eq(tu_count_lines_with(got.out, ",unchanged"), 1000);
	r = PQexec(c, "SELECT count(*) FROM submission");
	cr_assert_str_eq(PQgetvalue(r, 0, 0), "2160");
	PQclear(r);
	tu_run_free(&got);
	PQfinish(c);
	free(whole);
	pg_drop(db);
	free(url);
	free(config);
	free(dir);
}
