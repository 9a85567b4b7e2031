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
