/* The loader in two steps (loader_read, then loader_store under the lock,
 * as the portal stores an upload) stores exactly what loader_file stores:
 * the same versions, findings, counts and lines (#16). */
#include "../core/config.h"
#include "../etl/store.h"
#include "../pipeline/loader.h"
#include "store_dump.h"
#include "testutil.h"

/* Files in the order a season would bring them: history for C1-C3, late
 * files for L1, repeats (S7), several districts in one file, files that
 * are not forms, a correction. */
static const char *const FILES[] = {
    "fixtures/season/370102_历下区_2023-07.csv",
    "fixtures/season/370103_市中区_2023-07.csv",
    "fixtures/season/370102_历下区_2023-08.csv",
    "fixtures/season/370103_市中区_2023-08.csv",
    "fixtures/season/370102_历下区_2023-09.csv",
    "fixtures/season/370113_长清区_2023-07.csv",
    "fixtures/season/370113_长清区_2023-09.csv",
    "fixtures/csv/bad_cells_370113_2023-09.csv",
    "fixtures/csv/bad_conflict_370116_2023-08.csv",
    "fixtures/csv/bad_district_2023-09.csv",
    "fixtures/csv/bad_relations_370112_2023-09.csv",
    "fixtures/csv/bad_total_370114_2023-09.csv",
    "fixtures/csv/bad_flat.tsv",
    "fixtures/csv/flat_2023.csv",
    "fixtures/csv/form_units_370105_2023-09.csv",
    "fixtures/csv/not_a_form_370117_2023-09.csv",
    "fixtures/xlsx/two_districts_hidden.xlsx",
    "fixtures/csv/form_370102_2023-09.csv",
    "fixtures/csv/bad_flat.tsv", /* the same delivery again */
    "fixtures/no/such/file.csv",
};

struct run {
	char *findings, *lines;
	size_t findings_len, lines_len;
	size_t submissions, accepted, rejected, unchanged, warnings;
	char *dump;
	int rcs[sizeof FILES / sizeof FILES[0]];
};

/* The store's dump without the times of loading (the clock's). */
static void strip_loaded(char *s)
{
	for (char *p = strstr(s, " loaded="); p; p = strstr(p + 1, " loaded=")) {
		char *e = p + 8;
		while (*e >= '0' && *e <= '9')
			e++;
		memmove(p + 8, e, strlen(e) + 1);
	}
}

static void load_all(const struct jx_config *cfg, int two_steps, struct run *r)
{
	char *dir = tu_tmpdir(), url[600], err[256];
	snprintf(url, sizeof url, "dir:%s/warehouse", dir);
	struct store *st = NULL;
	cr_assert_eq(store_open(url, &st, err, sizeof err), 0, "%s", err);
	FILE *ff = open_memstream(&r->findings, &r->findings_len);
	FILE *fl = open_memstream(&r->lines, &r->lines_len);
	struct loader ld = {.cfg = cfg, .st = st, .findings = ff, .lines = fl};
	for (size_t i = 0; i < sizeof FILES / sizeof FILES[0]; i++) {
		/* late in the month for some, on time for others */
		size_t first = 0;
		while (strcmp(FILES[first], FILES[i]))
			first++;
		int64_t at = 1696550400 + (int64_t)first * 86400;
		if (two_steps) {
			struct loader_read rd;
			loader_read(&rd, cfg, FILES[i], at, NULL, NULL);
			r->rcs[i] = loader_store(&ld, &rd);
			loader_read_release(&rd);
		} else {
			r->rcs[i] = loader_file(&ld, FILES[i], at);
		}
	}
	fclose(ff);
	fclose(fl);
	r->submissions = ld.submissions;
	r->accepted = ld.accepted;
	r->rejected = ld.rejected;
	r->unchanged = ld.unchanged;
	r->warnings = ld.warnings;
	struct sd_period p[24];
	for (int k = 0; k < 24; k++)
		p[k] = (struct sd_period){2022 + k / 12, 1 + k % 12};
	r->dump = sd_dump(st, p, 24, err, sizeof err);
	cr_assert(r->dump, "%s", err);
	strip_loaded(r->dump);
	store_close(st);
	free(dir);
}

Test(loader, read_then_store_stores_exactly_what_loader_file_stores)
{
	struct jx_config cfg;
	struct jx_config_problems probs = {0};
	cr_assert_eq(jx_config_load(&cfg, "fixtures/config", &probs), 0);
	struct run a = {0}, b = {0};
	load_all(&cfg, 0, &a);
	load_all(&cfg, 1, &b);
	/* the run found what these files hold */
	cr_assert_gt(a.accepted, 5);
	cr_assert_gt(a.rejected, 3);
	cr_assert_gt(a.unchanged, 0);
	cr_assert(strstr(a.findings, ",S7,"), "%s", a.findings);
	cr_assert(strstr(a.findings, ",C1,") || strstr(a.findings, ",C2,") ||
		      strstr(a.findings, ",C3,"),
		  "history rules found something: %s", a.findings);
	cr_assert(strstr(a.findings, ",L1,"), "%s", a.findings);
	cr_assert_eq(a.rcs[sizeof FILES / sizeof FILES[0] - 1], LOADER_UNREADABLE);
	for (size_t i = 0; i < sizeof FILES / sizeof FILES[0]; i++)
		cr_assert_eq(b.rcs[i], a.rcs[i], "%s", FILES[i]);
	cr_assert_str_eq(b.findings, a.findings);
	cr_assert_str_eq(b.lines, a.lines);
	cr_assert_eq(b.submissions, a.submissions);
	cr_assert_eq(b.accepted, a.accepted);
	cr_assert_eq(b.rejected, a.rejected);
	cr_assert_eq(b.unchanged, a.unchanged);
	cr_assert_eq(b.warnings, a.warnings);
	cr_assert_str_eq(b.dump, a.dump);
	free(a.findings), free(a.lines), free(a.dump);
	free(b.findings), free(b.lines), free(b.dump);
	jx_config_release(&cfg);
	jx_config_problems_release(&probs);
}

/* 15 districts period after period from 2018-01 to 2029-12 (2,160 rows,
 * three batches), with C1, C2, C3 and R1 here and there. */
static char *period_file(const char *dir)
{
	static const char *const codes[] = {"370102", "370103", "370104", "370105", "370112",
					    "370113", "370114", "370115", "370116", "370117",
					    "370124", "370126", "370171", "370172", "370173"};
	enum { D = sizeof codes / sizeof codes[0] };
	size_t cap = 1 << 20, len = 0;
	char *text = malloc(cap);
	cr_assert(text);
	len += (size_t)snprintf(text + len, cap - len,
				"district,period,1,2,3,4,5,6,7,8,9,10,11,12,13,14\n");
	long i13[D];
	unsigned seed = 5;
	for (int d = 0; d < D; d++)
		i13[d] = 60;
	for (int y = 2018; y <= 2029; y++)
		for (int m = 1; m <= 12; m++)
			for (int d = 0; d < D; d++) {
				seed = seed * 1103515245u + 12345u;
				unsigned r = (seed >> 16) % 100;
				long i6 = 30 + (long)(r % 10), i5 = r == 3 ? 400 : 40;
				long i1 = r == 7 ? 1 : 30;
				i13[d] = r == 5 ? i13[d] + 7 : i13[d] + i6 - 12 - 1;
				long w = 10 + m * 2 - (r == 9 ? 5 : 0);
				len += (size_t)snprintf(text + len, cap - len,
							"%s,%04d-%02d,%ld,2,400,50,%ld,%ld,20,12,6,"
							"3,4,1,%ld,%ld.%02u\n",
							codes[d], y, m, i1, i5, i6, i13[d], w, r);
			}
	char *path = malloc(strlen(dir) + 32);
	sprintf(path, "%s/periods.csv", dir);
	tu_write(path, text, len);
	free(text);
	return path;
}

struct bounded_run {
	char *findings, *lines, *dump;
	size_t findings_len, lines_len;
};

static void load_bounded(const struct jx_config *cfg, const char *file, size_t months_max,
			 struct bounded_run *r)
{
	char *dir = tu_tmpdir(), url[600], err[256];
	snprintf(url, sizeof url, "dir:%s/warehouse", dir);
	struct store *st = NULL;
	cr_assert_eq(store_open(url, &st, err, sizeof err), 0, "%s", err);
	FILE *ff = open_memstream(&r->findings, &r->findings_len);
	FILE *fl = open_memstream(&r->lines, &r->lines_len);
	struct loader ld = {
	    .cfg = cfg, .st = st, .findings = ff, .lines = fl, .months_max = months_max};
	cr_assert_eq(loader_file(&ld, file, 1705280400), 0, "%s", ld.error);
	fclose(ff);
	fclose(fl);
	struct sd_period p[144];
	for (int k = 0; k < 144; k++)
		p[k] = (struct sd_period){2018 + k / 12, 1 + k % 12};
	r->dump = sd_dump(st, p, 144, err, sizeof err);
	cr_assert(r->dump, "%s", err);
	strip_loaded(r->dump);
	store_close(st);
	free(dir);
}

/* The months a file's batches keep between them are bounded (#14): past
 * the bound the years before the batch's are dropped, or all of them, and
 * read again from the store; the checks find the same either way. */
Test(loader, history_kept_between_batches_within_a_bound_finds_the_same)
{
	char *dir = tu_tmpdir(), cmd[1024];
	snprintf(cmd, sizeof cmd,
		 "cp -r fixtures/config %s/config && sed -i 's/^first_period = .*/first_period = "
		 "2018-01/' %s/config/settings.ini",
		 dir, dir);
	cr_assert_eq(system(cmd), 0);
	char cfg_dir[600];
	snprintf(cfg_dir, sizeof cfg_dir, "%s/config", dir);
	struct jx_config cfg;
	struct jx_config_problems probs = {0};
	cr_assert_eq(jx_config_load(&cfg, cfg_dir, &probs), 0);
	char *file = period_file(dir);
	struct bounded_run all = {0}, years = {0}, none = {0};
	load_bounded(&cfg, file, 0, &all);     /* everything kept */
	load_bounded(&cfg, file, 500, &years); /* the years before dropped */
	load_bounded(&cfg, file, 100, &none);  /* all dropped, read again */
	cr_assert_gt(tu_count_lines_with(all.findings, ",C1,"), 3);
	cr_assert_gt(tu_count_lines_with(all.findings, ",C2,"), 3);
	cr_assert_gt(tu_count_lines_with(all.findings, ",C3,"), 3);
	cr_assert_gt(tu_count_lines_with(all.findings, ",R1,"), 3);
	cr_assert_eq(tu_count_lines_with(all.lines, ",new"), 2160);
	cr_assert_str_eq(years.findings, all.findings);
	cr_assert_str_eq(none.findings, all.findings);
	cr_assert_str_eq(years.lines, all.lines);
	cr_assert_str_eq(none.lines, all.lines);
	cr_assert_str_eq(years.dump, all.dump);
	cr_assert_str_eq(none.dump, all.dump);
	struct bounded_run *runs[] = {&all, &years, &none};
	for (int i = 0; i < 3; i++)
		free(runs[i]->findings), free(runs[i]->lines), free(runs[i]->dump);
	free(file);
	free(dir);
	jx_config_release(&cfg);
	jx_config_problems_release(&probs);
}
