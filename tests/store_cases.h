/* The store's behaviour, written once and run on both backends: each case is
 * a function of a store URL. tests/test_store.c runs them on fresh dir:
 * folders, tests/test_store_pg.c on fresh PostgreSQL databases. */
#ifndef TESTS_STORE_CASES_H
#define TESTS_STORE_CASES_H

#include "../core/period.h"
#include "../etl/store.h"
#include <criterion/criterion.h>
#include <ctype.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Every case, as X(name); the name reads as a sentence in the test list. */
#define STORE_CASES(X)                                                                             \
	X(a_version_reads_back_exactly_as_it_was_put)                                              \
	X(no_sheet_and_an_empty_sheet_name_stay_different)                                         \
	X(the_same_delivery_twice_is_stored_once)                                                  \
	X(a_file_received_again_later_is_a_new_delivery_and_back_in_force)                         \
	X(the_same_file_for_another_district_is_a_new_version)                                     \
	X(a_second_accepted_version_supersedes_the_first)                                          \
	X(a_rejected_version_is_never_in_force)                                                    \
	X(the_version_in_force_is_the_one_received_last_not_loaded_last)                           \
	X(versions_are_listed_by_district_code_then_version)                                       \
	X(the_month_list_marks_each_districts_version_in_force)                                    \
	X(a_missing_version_is_reported_as_not_found)                                              \
	X(a_delivery_is_seen_by_sha256_and_received_time)                                          \
	X(a_file_loaded_by_another_handle_is_seen)                                                 \
	X(the_store_reopens_with_its_data)                                                         \
	X(a_second_run_cannot_take_the_lock_while_the_first_holds_it)                              \
	X(several_processes_can_open_and_write_a_new_store_at_once)                                \
	X(a_put_killed_midway_leaves_the_version_whole_or_absent)                                  \
	X(the_figures_in_force_of_a_range_of_months_come_in_month_order)                           \
	X(a_year_of_months_in_force_comes_in_one_read)                                             \
	X(the_findings_of_every_version_are_counted_by_rule)                                       \
	X(a_batch_is_stored_as_its_puts_one_after_another)                                         \
	X(a_large_batch_numbers_each_months_versions_in_batch_order)

#define SC_PERIOD_Y 2023
#define SC_PERIOD_M 9
/* 2023-10-02T00:30:00Z: received in time for 2023-09 */
#define SC_T0 INT64_C(1696206600)

static inline void sc_sha(unsigned seed, char out[65])
{
	uint64_t x = seed * UINT64_C(0x9E3779B97F4A7C15) + 1;
	for (int i = 0; i < 4; i++) {
		x ^= x >> 31;
		x *= UINT64_C(0xBF58476D1CE4E5B9);
		snprintf(out + 16 * i, 17, "%016llx", (unsigned long long)x);
	}
}

static inline struct store *sc_open(const char *url)
{
	struct store *st = NULL;
	char err[1024] = "";
	int rc = store_open(url, &st, err, sizeof err);
	cr_assert_eq(rc, 0, "store_open(%s): %s", url, err);
	cr_assert(st);
	return st;
}

/* A plain submission: n_units unit rows with distinct values, figures
 * summed, no findings (accepted). s must be released by the caller. */
static inline void sc_fill(struct jx_submission *s, const char *code, int year, int month,
			   unsigned seed, size_t n_units)
{
	jx_submission_init(s);
	char file[64];
	snprintf(file, sizeof file, "%s_%04d-%02d_%u.csv", code, year, month, seed);
	s->file = strdup(file);
	s->district_code = code;
	s->district_name = "测试区";
	jx_submission_set_period(s, year, month);
	for (size_t i = 0; i < n_units; i++) {
		char name[32];
		snprintf(name, sizeof name, "单位%zu", i + 1);
		struct jx_unit *u = jx_submission_add_unit(s, name, (uint32_t)(7 + i));
		cr_assert(u);
		for (int k = 0; k < JX_N_INDICATORS; k++) {
			u->v[k].v = (int64_t)seed * 1000 + (int64_t)i * 14 + k;
			u->v[k].ok = 1;
			u->v[k].row = (uint32_t)(7 + i);
			u->v[k].col = (uint32_t)(2 + k);
		}
	}
	jx_submission_compute_figures(s);
	s->received_at = SC_T0;
	sc_sha(seed, s->sha256);
}

static inline void sc_reject(struct jx_submission *s)
{
	struct jx_loc loc = jx_submission_loc(s);
	loc.row = 7;
	loc.col = 2;
	jx_findings_add(
	    &s->findings, JX_R1, &loc, 1, "12",
	    "指标1（本期末实有见习基地总数）=12 小于 指标2（本期新增见习基地数量）=15，应满足 1≥2");
}

static inline int sc_put(struct store *st, const struct jx_submission *s)
{
	int was_new = -1;
	int rc = store_put(st, s, &was_new);
	cr_assert_eq(rc, 0, "store_put %s: %s", s->file, store_error(st));
	return was_new;
}

static inline int sc_str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

#define sc_assert_str(a, b, what)                                                                  \
	cr_assert(sc_str_eq((a), (b)), "%s: got \"%s\", expected \"%s\"", (what),                  \
		  (a) ? (a) : "(null)", (b) ? (b) : "(null)")

static inline void sc_assert_value(const struct jx_value *got, const struct jx_value *want,
				   const char *where, size_t unit, int k)
{
	cr_assert(got->v == want->v && got->ok == want->ok && got->row == want->row &&
		      got->col == want->col,
		  "%s %zu indicator %d: got %lld ok=%d @%u,%u; expected %lld "
		  "ok=%d @%u,%u",
		  where, unit, k + 1, (long long)got->v, got->ok, got->row, got->col,
		  (long long)want->v, want->ok, want->row, want->col);
}

/* Everything store_get promises to give back, field by field. */
static inline void sc_assert_same(const struct jx_submission *got, const struct jx_submission *want)
{
	sc_assert_str(got->file, want->file, "file");
	sc_assert_str(got->sheet, want->sheet, "sheet");
	cr_assert_eq(got->year, want->year);
	cr_assert_eq(got->month, want->month);
	cr_assert_str_eq(got->period, want->period);
	cr_assert_eq(got->received_at, want->received_at);
	cr_assert_str_eq(got->sha256, want->sha256);
	for (int k = 0; k < JX_N_INDICATORS; k++)
		sc_assert_value(&got->figures[k], &want->figures[k], "figures", 0, k);
	cr_assert_eq(got->n_units, want->n_units, "units: got %zu, expected %zu", got->n_units,
		     want->n_units);
	for (size_t i = 0; i < want->n_units; i++) {
		const struct jx_unit *g = &got->units[i], *w = &want->units[i];
		sc_assert_str(g->name, w->name, "unit name");
		cr_assert_eq(g->is_total, w->is_total, "unit %zu is_total", i);
		cr_assert_eq(g->row, w->row, "unit %zu row", i);
		for (int k = 0; k < JX_N_INDICATORS; k++)
			sc_assert_value(&g->v[k], &w->v[k], "unit", i, k);
	}
	const struct jx_findings *gf = &got->findings, *wf = &want->findings;
	cr_assert_eq(gf->n, wf->n, "findings: got %zu, expected %zu", gf->n, wf->n);
	cr_assert_eq(gf->errors, wf->errors);
	cr_assert_eq(gf->warnings, wf->warnings);
	cr_assert_eq(gf->dropped, wf->dropped);
	for (size_t i = 0; i < wf->n; i++) {
		const struct jx_finding *g = &gf->items[i], *w = &wf->items[i];
		cr_assert_eq(g->rule, w->rule, "finding %zu rule", i);
		sc_assert_str(g->file, w->file, "finding file");
		sc_assert_str(g->sheet, w->sheet, "finding sheet");
		cr_assert_eq(g->row, w->row, "finding %zu row", i);
		cr_assert_eq(g->col, w->col, "finding %zu col", i);
		sc_assert_str(g->district_code, w->district_code, "finding district_code");
		sc_assert_str(g->district_name, w->district_name, "finding district_name");
		sc_assert_str(g->period, w->period, "finding period");
		cr_assert_eq(g->indicator, w->indicator, "finding %zu indicator", i);
		sc_assert_str(g->value, w->value, "finding value");
		sc_assert_str(g->message, w->message, "finding message");
	}
}

/* Gets (code, period, version) and checks it against want. */
static inline void sc_assert_stored(struct store *st, const char *code, int version,
				    const struct jx_submission *want, struct store_version *meta)
{
	struct jx_submission got;
	jx_submission_init(&got);
	int rc = store_get(st, code, want->year, want->month, version, &got, meta);
	cr_assert_eq(rc, 0, "store_get %s v%d: %d %s", code, version, rc, store_error(st));
	sc_assert_same(&got, want);
	jx_submission_release(&got);
}

/* Collects store_list_versions into an array (files copied). */
struct sc_list {
	struct store_version v[32];
	char file[32][128];
	int n;
};

static inline int sc_list_add(void *ctx, const struct store_version *v)
{
	struct sc_list *l = ctx;
	cr_assert_lt(l->n, 32);
	l->v[l->n] = *v;
	snprintf(l->file[l->n], sizeof l->file[0], "%s", v->file ? v->file : "");
	l->v[l->n].file = l->file[l->n];
	l->n++;
	return 0;
}

static inline void sc_list(struct store *st, int year, int month, struct sc_list *l)
{
	memset(l, 0, sizeof *l);
	int rc = store_list_versions(st, year, month, sc_list_add, l);
	cr_assert_eq(rc, 0, "store_list_versions: %s", store_error(st));
}

/* The version number in force of (code, period), or 0 when none. */
static inline int sc_in_force(struct store *st, const char *code)
{
	struct jx_submission got;
	struct store_version meta;
	jx_submission_init(&got);
	int rc = store_get(st, code, SC_PERIOD_Y, SC_PERIOD_M, 0, &got, &meta);
	cr_assert(rc == 0 || rc == 1, "store_get: %s", store_error(st));
	jx_submission_release(&got);
	if (rc == 0)
		cr_assert(meta.in_force, "the version in force says it is not");
	return rc == 0 ? meta.version : 0;
}

/* Runs fn in a child process; returns its exit code (128 + signal). */
static inline int sc_in_child(int (*fn)(const char *url, int arg), const char *url, int arg)
{
	fflush(NULL);
	pid_t pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0)
		_exit(fn(url, arg)); /* no Criterion reporting from here */
	int status = 0;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static inline double sc_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the cases -------------------------------------------------------- */

static inline void sc_a_version_reads_back_exactly_as_it_was_put(const char *url)
{
	struct store *st = sc_open(url);
	struct jx_submission s;
	jx_submission_init(&s);
	/* Everything COPY and CSV must escape: quote, comma, tab, newline,
	 * carriage return, backslash, and "\N", COPY's NULL. */
	s.file = strdup("C:\\报表\\历下区 2023年9月 \"终版\",\t第2版\n\\N.xlsx");
	s.sheet = strdup("Sheet 1\\表\t一\r\n");
	s.district_code = "370102";
	s.district_name = "历下区";
	jx_submission_set_period(&s, 2023, 9);
	s.received_at = SC_T0 + 12345;
	sc_sha(1, s.sha256);
	const char *names[] = {"  历下区  ", "", "甲单位,\"乙\"\r\n丙\\", "合计"};
	for (int i = 0; i < 4; i++) {
		struct jx_unit *u = jx_submission_add_unit(&s, names[i], (uint32_t)(7 + i));
		cr_assert(u);
		u->is_total = i == 3;
		for (int k = 0; k < JX_N_INDICATORS; k++)
			u->v[k] = (struct jx_value){(int64_t)(i + 1) * 100 + k, 1,
						    (uint32_t)(7 + i), (uint32_t)(2 + k)};
	}
	s.units[0].v[13].v = 355000;			 /* 35.5 万元, in yuan */
	s.units[1].v[13].v = INT64_C(9007199254740993);	 /* 2^53 + 1: no doubles */
	s.units[2].v[4] = (struct jx_value){7, 0, 9, 6}; /* a bad cell */
	s.units[2].v[5] = (struct jx_value){0, 0, 9, 7};
	jx_submission_compute_figures(&s);
	s.figures[2] = (struct jx_value){42, 1, 0, 0}; /* derived */
	s.figures[13] = (struct jx_value){355000, 1, 10, 15};

	struct jx_loc loc = jx_submission_loc(&s);
	loc.row = 7;
	loc.col = 2;
	jx_findings_add(
	    &s.findings, JX_R1, &loc, 1, "12",
	    "指标1（本期末实有见习基地总数）=12 小于 指标2（本期新增见习基地数量）=15，应满足 1≥2");
	struct jx_loc bare = {"a\tb\nc\\d\"e\",f\r", NULL, 0, 0, "370102", NULL, NULL};
	jx_findings_add(&s.findings, JX_L1, &bare, 0, NULL,
			"tab\there, newline\nand \\backslash \\N, quote \"x\", comma, CR\r");
	loc.row = 9;
	loc.col = 6;
	jx_findings_add(&s.findings, JX_T2, &loc, 5, "十二\\N", "%s", "");
	/* Counts include findings past the list's cap. */
	s.findings.errors += 1000;
	s.findings.dropped = 1000;

	int64_t before = (int64_t)time(NULL);
	cr_assert_eq(sc_put(st, &s), 1);
	int64_t after = (int64_t)time(NULL);

	struct store_version meta;
	sc_assert_stored(st, "370102", 1, &s, &meta);
	cr_assert_str_eq(meta.district_code, "370102");
	cr_assert_eq(meta.year, 2023);
	cr_assert_eq(meta.month, 9);
	cr_assert_eq(meta.version, 1);
	cr_assert_eq(meta.status, JX_REJECTED);
	cr_assert_eq(meta.received_at, SC_T0 + 12345);
	cr_assert(meta.loaded_at >= before - 2 && meta.loaded_at <= after + 2,
		  "loaded_at %lld not in [%lld, %lld]", (long long)meta.loaded_at,
		  (long long)before, (long long)after);
	cr_assert_str_eq(meta.sha256, s.sha256);
	cr_assert_eq(meta.errors, 1002);
	cr_assert_eq(meta.warnings, 1);
	cr_assert_eq(meta.in_force, 0);
	cr_assert_eq(sc_in_force(st, "370102"), 0);

	/* The same as an accepted version (warnings only) is the one in force. */
	jx_findings_clear(&s.findings);
	jx_findings_add(&s.findings, JX_C3, &loc, 6, "600", "环比跳变");
	sc_sha(2, s.sha256);
	cr_assert_eq(sc_put(st, &s), 1);
	sc_assert_stored(st, "370102", 0, &s, &meta);
	cr_assert_eq(meta.version, 2);
	cr_assert_eq(meta.status, JX_ACCEPTED);
	cr_assert_eq(meta.in_force, 1);
	cr_assert_eq(meta.errors, 0);
	cr_assert_eq(meta.warnings, 1);
	jx_submission_release(&s);
	store_close(st);
}

static inline void sc_no_sheet_and_an_empty_sheet_name_stay_different(const char *url)
{
	struct store *st = sc_open(url);
	struct jx_submission a, b;
	sc_fill(&a, "370102", SC_PERIOD_Y, SC_PERIOD_M, 1, 1);
	sc_fill(&b, "370103", SC_PERIOD_Y, SC_PERIOD_M, 2, 0);
	b.sheet = strdup("");
	sc_put(st, &a);
	sc_put(st, &b);
	sc_assert_stored(st, "370102", 1, &a, NULL);
	sc_assert_stored(st, "370103", 1, &b, NULL); /* and no unit rows */
	jx_submission_release(&a);
	jx_submission_release(&b);
	store_close(st);
}

static inline void sc_the_same_delivery_twice_is_stored_once(const char *url)
{
	struct store *st = sc_open(url);
	struct jx_submission s;
	sc_fill(&s, "370102", SC_PERIOD_Y, SC_PERIOD_M, 7, 2);
	cr_assert_eq(sc_put(st, &s), 1);
	/* a night run again, or resumed after a crash: the same file received
	 * at the same second, whatever it is called now */
	struct jx_submission again;
	sc_fill(&again, "370102", SC_PERIOD_Y, SC_PERIOD_M, 7, 2);
	free(again.file);
	again.file = strdup("renamed copy.csv");
	cr_assert_eq(sc_put(st, &again), 0);
	sc_reject(&again); /* even if the checks came out otherwise */
	cr_assert_eq(sc_put(st, &again), 0);
	struct sc_list l;
	sc_list(st, SC_PERIOD_Y, SC_PERIOD_M, &l);
	cr_assert_eq(l.n, 1);
	sc_assert_stored(st, "370102", 0, &s, NULL); /* the first, unchanged */
	jx_submission_release(&s);
	jx_submission_release(&again);
	store_close(st);
}

/* A (indicator 1 = 52), then the correction B (99), then A again because B
 * was the mistake: A is in force again (#13). */
static inline void sc_a_file_received_again_later_is_a_new_delivery_and_back_in_force(const char *url)
{
	struct store *st = sc_open(url);
	struct jx_submission a, b;
	sc_fill(&a, "370102", SC_PERIOD_Y, SC_PERIOD_M, 1, 1);
	sc_fill(&b, "370102", SC_PERIOD_Y, SC_PERIOD_M, 2, 1);
	a.figures[0].v = a.units[0].v[0].v = 52;
	b.figures[0].v = b.units[0].v[0].v = 99;
	b.received_at = SC_T0 + 3600;
	cr_assert_eq(sc_put(st, &a), 1);
	cr_assert_eq(sc_put(st, &b), 1);
	cr_assert_eq(sc_in_force(st, "370102"), 2);
	cr_assert_eq(store_file_seen(st, a.sha256, SC_T0), 1);
	cr_assert_eq(store_file_seen(st, a.sha256, SC_T0 + 7200), 0, "not yet received again");
	a.received_at = SC_T0 + 7200;
	cr_assert_eq(sc_put(st, &a), 1, "a file received again later is a new delivery");
	cr_assert_eq(store_file_seen(st, a.sha256, SC_T0 + 7200), 1);
	cr_assert_eq(sc_in_force(st, "370102"), 3);
	sc_assert_stored(st, "370102", 0, &a, NULL);
	cr_assert_eq(sc_put(st, &a), 0, "and that delivery twice is still one");
	/* a rejected delivery received again is checked again: here it is
	 * accepted the second time */
	struct jx_submission sep;
	sc_fill(&sep, "370103", SC_PERIOD_Y, SC_PERIOD_M, 3, 1);
	sc_reject(&sep);
	cr_assert_eq(sc_put(st, &sep), 1);
	cr_assert_eq(sc_in_force(st, "370103"), 0);
	jx_findings_clear(&sep.findings);
	sep.received_at = SC_T0 + 86400;
	cr_assert_eq(sc_put(st, &sep), 1);
	cr_assert_eq(sc_in_force(st, "370103"), 2);
	struct sc_list l;
	sc_list(st, SC_PERIOD_Y, SC_PERIOD_M, &l);
	cr_assert_eq(l.n, 5);
	store_close(st);
	st = sc_open(url); /* and the same after reopening */
	cr_assert_eq(sc_in_force(st, "370102"), 3);
	cr_assert_eq(sc_put(st, &a), 0);
	cr_assert_eq(sc_put(st, &b), 0);
	jx_submission_release(&a);
	jx_submission_release(&b);
	jx_submission_release(&sep);
	store_close(st);
}

static inline void sc_the_same_file_for_another_district_is_a_new_version(const char *url)
{
	struct store *st = sc_open(url);
	struct jx_submission a, b, c;
	sc_fill(&a, "370102", SC_PERIOD_Y, SC_PERIOD_M, 7, 1);
	sc_fill(&b, "370103", SC_PERIOD_Y, SC_PERIOD_M, 7, 1);
	sc_fill(&c, "370102", SC_PERIOD_Y, SC_PERIOD_M + 1, 7, 1);
	cr_assert_eq(sc_put(st, &a), 1);
	cr_assert_eq(sc_put(st, &b), 1, "a flat file holds many districts");
	cr_assert_eq(sc_put(st, &c), 1, "and many periods");
	jx_submission_release(&a);
	jx_submission_release(&b);
	jx_submission_release(&c);
	store_close(st);
}

static inline void sc_a_second_accepted_version_supersedes_the_first(const char *url)
{
	struct store *st = sc_open(url);
	struct jx_submission v1, v2;
	sc_fill(&v1, "370102", SC_PERIOD_Y, SC_PERIOD_M, 1, 2);
	sc_fill(&v2, "370102", SC_PERIOD_Y, SC_PERIOD_M, 2, 3);
	v2.received_at = SC_T0 + 3600;
	sc_put(st, &v1);
	cr_assert_eq(sc_in_force(st, "370102"), 1);
	sc_put(st, &v2);
	cr_assert_eq(sc_in_force(st, "370102"), 2);
	sc_assert_stored(st, "370102", 0, &v2, NULL);
	sc_assert_stored(st, "370102", 1, &v1, NULL); /* history kept */
	jx_submission_release(&v1);
	jx_submission_release(&v2);
	store_close(st);
}

static inline void sc_a_rejected_version_is_never_in_force(const char *url)
{
	struct store *st = sc_open(url);
	struct jx_submission ok, bad, lone;
	sc_fill(&ok, "370102", SC_PERIOD_Y, SC_PERIOD_M, 1, 1);
	sc_fill(&bad, "370102", SC_PERIOD_Y, SC_PERIOD_M, 2, 1);
	sc_fill(&lone, "370103", SC_PERIOD_Y, SC_PERIOD_M, 3, 1);
	bad.received_at = SC_T0 + 3600;
	sc_reject(&bad);
	sc_reject(&lone);
	sc_put(st, &ok);
	sc_put(st, &bad);
	sc_put(st, &lone);
	cr_assert_eq(sc_in_force(st, "370102"), 1, "the earlier accepted stays");
	cr_assert_eq(sc_in_force(st, "370103"), 0, "nothing accepted: none");
	struct store_version meta;
	sc_assert_stored(st, "370102", 2, &bad, &meta); /* kept for audit */
	cr_assert_eq(meta.status, JX_REJECTED);
	cr_assert_eq(meta.errors, 1);
	cr_assert_eq(meta.in_force, 0);
	jx_submission_release(&ok);
	jx_submission_release(&bad);
	jx_submission_release(&lone);
	store_close(st);
}

static inline void sc_the_version_in_force_is_the_one_received_last_not_loaded_last(const char *url)
{
	struct store *st = sc_open(url);
	struct jx_submission late, early, tie;
	sc_fill(&late, "370102", SC_PERIOD_Y, SC_PERIOD_M, 1, 1);
	sc_fill(&early, "370102", SC_PERIOD_Y, SC_PERIOD_M, 2, 1);
	sc_fill(&tie, "370102", SC_PERIOD_Y, SC_PERIOD_M, 3, 1);
	late.received_at = SC_T0 + 100;
	early.received_at = SC_T0; /* an old file found and loaded later */
	tie.received_at = SC_T0 + 100;
	sc_put(st, &late);
	sc_put(st, &early);
	cr_assert_eq(sc_in_force(st, "370102"), 1);
	sc_put(st, &tie);
	cr_assert_eq(sc_in_force(st, "370102"), 3, "a tie goes to the higher version");
	jx_submission_release(&late);
	jx_submission_release(&early);
	jx_submission_release(&tie);
	store_close(st);
}

static inline int sc_stop_at_two(void *ctx, const struct store_version *v)
{
	(void)v;
	return ++*(int *)ctx == 2 ? 42 : 0;
}

static inline void sc_versions_are_listed_by_district_code_then_version(const char *url)
{
	struct store *st = sc_open(url);
	struct {
		const char *code;
		int month, reject;
		int64_t received;
	} load[] = {
	    {"370112", 9, 0, 10}, {"370102", 9, 0, 20},	 {"370103", 9, 0, 30}, {"370102", 9, 1, 40},
	    {"370112", 9, 0, 50}, {"370102", 10, 0, 60}, {"37011", 9, 1, 70},
	};
	for (unsigned i = 0; i < sizeof load / sizeof load[0]; i++) {
		struct jx_submission s;
		sc_fill(&s, load[i].code, SC_PERIOD_Y, load[i].month, 100 + i, 1);
		s.received_at = SC_T0 + load[i].received;
		if (load[i].reject)
			sc_reject(&s);
		cr_assert_eq(sc_put(st, &s), 1);
		jx_submission_release(&s);
	}
	struct sc_list l;
	sc_list(st, SC_PERIOD_Y, SC_PERIOD_M, &l);
	struct {
		const char *code;
		int version, in_force;
		enum jx_status status;
		unsigned seed;
	} want[] = {
	    /* byte order: "37011" after "370103", before "370112" */
	    {"370102", 1, 1, JX_ACCEPTED, 101}, {"370102", 2, 0, JX_REJECTED, 103},
	    {"370103", 1, 1, JX_ACCEPTED, 102}, {"37011", 1, 0, JX_REJECTED, 106},
	    {"370112", 1, 0, JX_ACCEPTED, 100}, {"370112", 2, 1, JX_ACCEPTED, 104},
	};
	int n = (int)(sizeof want / sizeof want[0]);
	cr_assert_eq(l.n, n, "listed %d versions, expected %d", l.n, n);
	for (int i = 0; i < n; i++) {
		const struct store_version *v = &l.v[i];
		char sha[65], file[64];
		sc_sha(want[i].seed, sha);
		snprintf(file, sizeof file, "%s_2023-09_%u.csv", want[i].code, want[i].seed);
		cr_assert_str_eq(v->district_code, want[i].code, "row %d", i);
		cr_assert_eq(v->version, want[i].version, "row %d", i);
		cr_assert_eq(v->in_force, want[i].in_force, "row %d in_force", i);
		cr_assert_eq(v->status, want[i].status, "row %d", i);
		cr_assert_eq(v->year, 2023);
		cr_assert_eq(v->month, 9);
		cr_assert_str_eq(v->sha256, sha);
		cr_assert_str_eq(v->file, file);
		cr_assert_eq(v->errors, want[i].status == JX_REJECTED ? 1u : 0u);
		cr_assert_eq(v->warnings, 0);
		cr_assert_gt(v->loaded_at, 0);
	}
	int calls = 0;
	cr_assert_eq(store_list_versions(st, SC_PERIOD_Y, SC_PERIOD_M, sc_stop_at_two, &calls), 42,
		     "the callback's nonzero stops the listing");
	cr_assert_eq(calls, 2);
	sc_list(st, 2024, 1, &l);
	cr_assert_eq(l.n, 0);
	store_close(st);
}

/* The in_force flag of store_list_versions, district by district, with
 * several versions per district: replaced, rejected, received out of load
 * order, tied on the time received; the same districts in the next month
 * and the year before must not count. Agrees with store_get's version 0. */
static inline void sc_the_month_list_marks_each_districts_version_in_force(const char *url)
{
	struct store *st = sc_open(url);
	struct {
		const char *code;
		int year, month, reject;
		int64_t received;
	} load[] = {
	    /* 370102: v1 in force; v2 an old file loaded later, v3 rejected */
	    {"370102", SC_PERIOD_Y, SC_PERIOD_M, 0, 100},
	    {"370102", SC_PERIOD_Y, SC_PERIOD_M, 0, 0},
	    {"370102", SC_PERIOD_Y, SC_PERIOD_M, 1, 200},
	    /* 370103: a tie on the time received goes to v2 */
	    {"370103", SC_PERIOD_Y, SC_PERIOD_M, 0, 100},
	    {"370103", SC_PERIOD_Y, SC_PERIOD_M, 0, 100},
	    /* 370104: nothing accepted, nothing in force */
	    {"370104", SC_PERIOD_Y, SC_PERIOD_M, 1, 10},
	    {"370104", SC_PERIOD_Y, SC_PERIOD_M, 1, 20},
	    /* 370105: v1 replaced by v3; v2 rejected, received after v3 */
	    {"370105", SC_PERIOD_Y, SC_PERIOD_M, 0, 0},
	    {"370105", SC_PERIOD_Y, SC_PERIOD_M, 1, 50},
	    {"370105", SC_PERIOD_Y, SC_PERIOD_M, 0, 10},
	    /* 370106: one version */
	    {"370106", SC_PERIOD_Y, SC_PERIOD_M, 0, 30},
	    /* later accepted versions of other months: not this month's */
	    {"370102", SC_PERIOD_Y, SC_PERIOD_M + 1, 0, 900},
	    {"370104", SC_PERIOD_Y, SC_PERIOD_M + 1, 0, 900},
	    {"370102", SC_PERIOD_Y - 1, SC_PERIOD_M, 0, 950},
	    {"370104", SC_PERIOD_Y - 1, SC_PERIOD_M, 0, 950},
	};
	for (unsigned i = 0; i < sizeof load / sizeof load[0]; i++) {
		struct jx_submission s;
		sc_fill(&s, load[i].code, load[i].year, load[i].month, 200 + i, 1);
		s.received_at = SC_T0 + load[i].received;
		if (load[i].reject)
			sc_reject(&s);
		cr_assert_eq(sc_put(st, &s), 1);
		jx_submission_release(&s);
	}
	struct {
		const char *code;
		int version, in_force;
	} want[] = {
	    {"370102", 1, 1}, {"370102", 2, 0}, {"370102", 3, 0}, {"370103", 1, 0},
	    {"370103", 2, 1}, {"370104", 1, 0}, {"370104", 2, 0}, {"370105", 1, 0},
	    {"370105", 2, 0}, {"370105", 3, 1}, {"370106", 1, 1},
	};
	int n = (int)(sizeof want / sizeof want[0]);
	for (int pass = 0; pass < 2; pass++) {
		struct sc_list l;
		sc_list(st, SC_PERIOD_Y, SC_PERIOD_M, &l);
		cr_assert_eq(l.n, n, "listed %d versions, expected %d", l.n, n);
		for (int i = 0; i < n; i++) {
			cr_assert_str_eq(l.v[i].district_code, want[i].code, "row %d", i);
			cr_assert_eq(l.v[i].version, want[i].version, "row %d", i);
			cr_assert_eq(l.v[i].in_force, want[i].in_force, "row %d (%s v%d) in_force",
				     i, want[i].code, want[i].version);
			int in_force = sc_in_force(st, want[i].code);
			cr_assert_eq(in_force == want[i].version, want[i].in_force,
				     "%s: store_get's version in force is %d", want[i].code,
				     in_force);
		}
		store_close(st);
		st = sc_open(url); /* the same after reopening */
	}
	store_close(st);
}

static inline void sc_a_missing_version_is_reported_as_not_found(const char *url)
{
	struct store *st = sc_open(url);
	struct jx_submission s, got;
	sc_fill(&s, "370102", SC_PERIOD_Y, SC_PERIOD_M, 1, 1);
	sc_put(st, &s);
	jx_submission_init(&got);
	cr_assert_eq(store_get(st, "370102", SC_PERIOD_Y, SC_PERIOD_M, 2, &got, NULL), 1);
	cr_assert_eq(store_get(st, "370199", SC_PERIOD_Y, SC_PERIOD_M, 0, &got, NULL), 1);
	cr_assert_eq(store_get(st, "370102", SC_PERIOD_Y, 12, 0, &got, NULL), 1);
	cr_assert_eq(got.n_units, 0);
	cr_assert_null(got.file);
	cr_assert_eq(store_get(st, "370102", SC_PERIOD_Y, 13, 0, &got, NULL), -1);
	cr_assert_neq(store_error(st)[0], 0);
	jx_submission_release(&got);
	jx_submission_release(&s);
	store_close(st);
}

static inline void sc_a_delivery_is_seen_by_sha256_and_received_time(const char *url)
{
	struct store *st = sc_open(url);
	struct jx_submission ok, bad;
	sc_fill(&ok, "370102", SC_PERIOD_Y, SC_PERIOD_M, 1, 1);
	sc_fill(&bad, "370103", SC_PERIOD_Y, SC_PERIOD_M, 2, 1);
	sc_reject(&bad);
	cr_assert_eq(store_file_seen(st, ok.sha256, SC_T0), 0);
	sc_put(st, &ok);
	sc_put(st, &bad);
	cr_assert_eq(store_file_seen(st, ok.sha256, SC_T0), 1);
	cr_assert_eq(store_file_seen(st, bad.sha256, SC_T0), 1, "rejected files count");
	cr_assert_eq(store_file_seen(st, ok.sha256, SC_T0 + 1), 0, "received at another time: not seen");
	char upper[65];
	for (int i = 0; i < 65; i++)
		upper[i] = (char)toupper((unsigned char)ok.sha256[i]);
	cr_assert_eq(store_file_seen(st, upper, SC_T0), 1, "hex case does not matter");
	char other[65];
	sc_sha(3, other);
	cr_assert_eq(store_file_seen(st, other, SC_T0), 0);
	cr_assert_eq(store_file_seen(st, "not a sha", SC_T0), -1);
	jx_submission_release(&ok);
	jx_submission_release(&bad);
	store_close(st);
}

static inline void sc_a_file_loaded_by_another_handle_is_seen(const char *url)
{
	struct store *reader = sc_open(url), *writer = sc_open(url);
	struct jx_submission s[3];
	for (unsigned i = 0; i < 3; i++) {
		sc_fill(&s[i], "370102", SC_PERIOD_Y, SC_PERIOD_M, 10 + i, 1);
		cr_assert_eq(store_file_seen(reader, s[i].sha256, SC_T0), 0);
		sc_put(writer, &s[i]);
		cr_assert_eq(store_file_seen(reader, s[i].sha256, SC_T0), 1, "file %u", i);
	}
	for (unsigned i = 0; i < 3; i++) {
		cr_assert_eq(store_file_seen(reader, s[i].sha256, SC_T0), 1);
		jx_submission_release(&s[i]);
	}
	store_close(reader);
	store_close(writer);
}

static inline void sc_the_store_reopens_with_its_data(const char *url)
{
	struct store *st = sc_open(url);
	struct jx_submission s;
	sc_fill(&s, "370102", SC_PERIOD_Y, SC_PERIOD_M, 1, 3);
	sc_put(st, &s);
	store_close(st);
	st = sc_open(url); /* the schema is there: nothing to migrate */
	sc_assert_stored(st, "370102", 0, &s, NULL);
	cr_assert_eq(store_file_seen(st, s.sha256, SC_T0), 1);
	cr_assert_eq(sc_put(st, &s), 0);
	jx_submission_release(&s);
	store_close(st);
}

/* Child: tries the lock for wait seconds. Exit 0 when it was refused after
 * the wait, 20 when it got it at once (wait 0 only), else a failure code. */
static inline int sc_child_try_lock(const char *url, int wait)
{
	struct store *st = NULL;
	char err[1024];
	if (store_open(url, &st, err, sizeof err))
		return 10;
	double t = sc_now();
	int rc = store_lock(st, wait);
	double took = sc_now() - t;
	int msg = store_error(st)[0] != 0;
	store_close(st);
	if (rc == 0)
		return 20;
	if (rc != 1)
		return 11;
	if (took < wait - 0.05 || took > wait + 3)
		return 12; /* did not wait as long as asked */
	return msg ? 0 : 13;
}

static inline void sc_a_second_run_cannot_take_the_lock_while_the_first_holds_it(const char *url)
{
	struct store *st = sc_open(url);
	cr_assert_eq(store_lock(st, 0), 0, "%s", store_error(st));
	cr_assert_eq(store_lock(st, 0), 0, "taking it twice in one run is fine");
	cr_assert_eq(sc_in_child(sc_child_try_lock, url, 1), 0);
	cr_assert_eq(sc_in_child(sc_child_try_lock, url, 0), 0);
	/* Holding the run lock does not stop this run from writing. */
	struct jx_submission s;
	sc_fill(&s, "370102", SC_PERIOD_Y, SC_PERIOD_M, 1, 1);
	sc_put(st, &s);
	jx_submission_release(&s);
	store_close(st);
	cr_assert_eq(sc_in_child(sc_child_try_lock, url, 0), 20,
		     "closing the store releases the lock");
}

static inline int sc_child_open_and_put(const char *url, int i)
{
	static const char *const codes[] = {"370102", "370103", "370104",
					    "370105", "370112", "370113"};
	struct store *st = NULL;
	char err[1024];
	if (store_open(url, &st, err, sizeof err))
		return 10;
	struct jx_submission s;
	sc_fill(&s, codes[i], SC_PERIOD_Y, SC_PERIOD_M, (unsigned)i, 20);
	int was_new = 0;
	int rc = store_put(st, &s, &was_new);
	jx_submission_release(&s);
	store_close(st);
	return rc ? 11 : was_new ? 0 : 12;
}

static inline void sc_several_processes_can_open_and_write_a_new_store_at_once(const char *url)
{
	pid_t pids[6];
	fflush(NULL);
	for (int i = 0; i < 6; i++) {
		pids[i] = fork();
		cr_assert_neq(pids[i], -1);
		if (pids[i] == 0)
			_exit(sc_child_open_and_put(url, i));
	}
	for (int i = 0; i < 6; i++) {
		int status = 0;
		waitpid(pids[i], &status, 0);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child %d: status %d", i,
			  status);
	}
	struct store *st = sc_open(url);
	struct sc_list l;
	sc_list(st, SC_PERIOD_Y, SC_PERIOD_M, &l);
	cr_assert_eq(l.n, 6);
	for (int i = 0; i < 6; i++)
		cr_assert(l.v[i].version == 1 && l.v[i].in_force);
	store_close(st);
}

#define SC_BIG_UNITS 50000

static inline int sc_child_put_big(const char *url, int seed)
{
	struct store *st = NULL;
	char err[1024];
	if (store_open(url, &st, err, sizeof err))
		return 10;
	struct jx_submission s;
	sc_fill(&s, "370102", SC_PERIOD_Y, SC_PERIOD_M, (unsigned)seed, SC_BIG_UNITS);
	int was_new;
	int rc = store_put(st, &s, &was_new);
	/* No cleanup: the parent is about to kill us anyway. */
	return rc ? 11 : 0;
}

static inline void sc_a_put_killed_midway_leaves_the_version_whole_or_absent(const char *url)
{
	/* Kill at different moments: opening, writing rows, finishing. */
	static const int delays_ms[] = {30, 200, 500, 900, 1500, 3000};
	int big_stored = 0;
	for (int round = 0; round < 6; round++) {
		int seed = 500 + round;
		fflush(NULL);
		pid_t pid = fork();
		cr_assert_neq(pid, -1);
		if (pid == 0)
			_exit(sc_child_put_big(url, seed));
		struct timespec ts = {delays_ms[round] / 1000,
				      (long)(delays_ms[round] % 1000) * 1000000L};
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		int status = 0;
		waitpid(pid, &status, 0);
		cr_assert(WIFSIGNALED(status) || WEXITSTATUS(status) == 0,
			  "round %d: the child failed on its own (%d)", round, WEXITSTATUS(status));

		struct store *st = sc_open(url);
		struct jx_submission want, got;
		sc_fill(&want, "370102", SC_PERIOD_Y, SC_PERIOD_M, (unsigned)seed, SC_BIG_UNITS);
		int seen = store_file_seen(st, want.sha256, want.received_at);
		cr_assert(seen == 0 || seen == 1, "%s", store_error(st));
		struct sc_list l;
		sc_list(st, SC_PERIOD_Y, SC_PERIOD_M, &l);
		int big = 0, last = 0;
		for (int i = 0; i < l.n; i++)
			if (!strcmp(l.v[i].district_code, "370102")) {
				big++;
				last = l.v[i].version;
			}
		cr_assert(big == big_stored || big == big_stored + 1,
			  "round %d: %d versions after %d", round, big, big_stored);
		int here = big == big_stored + 1;
		cr_assert_eq(seen, here, "round %d: file_seen agrees with the list", round);
		cr_assert_eq(l.n - big, round, "the small puts are all there");
		cr_log_info("killed after %d ms: the version is %s", delays_ms[round],
			    here ? "there" : "absent");
		if (here) {
			jx_submission_init(&got);
			struct store_version meta;
			cr_assert_eq(
			    store_get(st, "370102", SC_PERIOD_Y, SC_PERIOD_M, last, &got, &meta), 0,
			    "%s", store_error(st));
			cr_assert_eq(got.n_units, SC_BIG_UNITS);
			cr_assert_str_eq(got.sha256, want.sha256);
			cr_assert_str_eq(got.units[SC_BIG_UNITS - 1].name,
					 want.units[SC_BIG_UNITS - 1].name);
			cr_assert_eq(got.units[SC_BIG_UNITS - 1].v[13].v,
				     want.units[SC_BIG_UNITS - 1].v[13].v);
			cr_assert_eq(got.figures[13].v, want.figures[13].v);
			jx_submission_release(&got);
			big_stored++;
		}
		/* The store still takes writes: a small put goes through. */
		struct jx_submission small;
		sc_fill(&small, "370103", SC_PERIOD_Y, SC_PERIOD_M, (unsigned)seed + 1000, 1);
		cr_assert_eq(sc_put(st, &small), 1);
		jx_submission_release(&small);
		jx_submission_release(&want);
		store_close(st);
	}
}

/* A batch (#14): versions numbered after the stored ones and in batch
 * order, a delivery stored already or earlier in the batch not stored
 * again, accepted and rejected side by side, each read back whole. */
static inline void sc_a_batch_is_stored_as_its_puts_one_after_another(const char *url)
{
	struct store *st = sc_open(url);
	struct jx_submission old, a1, r2, a3, b2, again, old_again;
	sc_fill(&old, "370103", SC_PERIOD_Y, SC_PERIOD_M, 10, 1);
	cr_assert_eq(sc_put(st, &old), 1);
	sc_fill(&a1, "370102", SC_PERIOD_Y, SC_PERIOD_M, 1, 3);
	sc_fill(&r2, "370102", SC_PERIOD_Y, SC_PERIOD_M, 2, 1);
	sc_reject(&r2);
	sc_fill(&a3, "370102", SC_PERIOD_Y, SC_PERIOD_M, 3, 2);
	a3.received_at = SC_T0 - 60; /* loaded last, received first */
	free(a3.sheet);
	a3.sheet = strdup("Sheet\t1 \\ \"x\"\n");
	sc_fill(&b2, "370103", SC_PERIOD_Y, SC_PERIOD_M, 11, 1);
	sc_fill(&again, "370102", SC_PERIOD_Y, SC_PERIOD_M, 1, 3); /* a1 again */
	sc_fill(&old_again, "370103", SC_PERIOD_Y, SC_PERIOD_M, 10, 1);
	const struct jx_submission *subs[] = {&a1, &r2, &a3, &b2, &again, &old_again};
	int was_new[6] = {-1, -1, -1, -1, -1, -1};
	cr_assert_eq(store_put_many(st, subs, 6, was_new), 0, "%s", store_error(st));
	static const int want_new[] = {1, 1, 1, 1, 0, 0};
	for (int i = 0; i < 6; i++)
		cr_assert_eq(was_new[i], want_new[i], "submission %d", i);
	cr_assert_eq(store_put_many(st, subs, 0, was_new), 0);

	struct sc_list l;
	sc_list(st, SC_PERIOD_Y, SC_PERIOD_M, &l);
	cr_assert_eq(l.n, 5);
	struct store_version meta;
	sc_assert_stored(st, "370102", 1, &a1, &meta);
	cr_assert_eq(meta.status, JX_ACCEPTED);
	sc_assert_stored(st, "370102", 2, &r2, &meta);
	cr_assert_eq(meta.status, JX_REJECTED);
	cr_assert_eq(meta.errors, 1);
	sc_assert_stored(st, "370102", 3, &a3, &meta);
	cr_assert_eq(meta.received_at, SC_T0 - 60);
	sc_assert_stored(st, "370103", 1, &old, NULL);
	sc_assert_stored(st, "370103", 2, &b2, NULL);
	cr_assert_eq(sc_in_force(st, "370102"), 1);
	cr_assert_eq(sc_in_force(st, "370103"), 2);

	/* the whole batch again: nothing new */
	cr_assert_eq(store_put_many(st, subs, 6, was_new), 0, "%s", store_error(st));
	for (int i = 0; i < 6; i++)
		cr_assert_eq(was_new[i], 0, "submission %d", i);
	sc_list(st, SC_PERIOD_Y, SC_PERIOD_M, &l);
	cr_assert_eq(l.n, 5);
	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
		jx_submission_release((struct jx_submission *)subs[i]);
	jx_submission_release(&old);
	store_close(st);
}

/* A batch of 120 (district, month)s, each in it three times between the
 * others' (a file that repeats its rows), then each one's first version
 * again: numbered 1, 2, 3 in batch order, the delivery again never stored,
 * the last in force (#14: the batch's versions of a key are found by hash,
 * not by a scan of the batch). */
static inline void sc_a_large_batch_numbers_each_months_versions_in_batch_order(const char *url)
{
	enum { KEYS = 120, ROUNDS = 3, N = KEYS * (ROUNDS + 1) };
	static char codes[KEYS][16];
	struct store *st = sc_open(url);
	struct jx_submission *subs = calloc(N, sizeof *subs);
	const struct jx_submission **ptr = calloc(N, sizeof *ptr);
	int *was_new = calloc(N, sizeof *was_new);
	cr_assert(subs && ptr && was_new);
	for (int r = 0; r <= ROUNDS; r++)
		for (int k = 0; k < KEYS; k++) {
			snprintf(codes[k], sizeof codes[k], "37%04d", k / 6);
			int i = r * KEYS + k;
			unsigned seed = (unsigned)((r < ROUNDS ? r : 0) * KEYS + k + 1);
			sc_fill(&subs[i], codes[k], SC_PERIOD_Y, 1 + k % 6, seed, 1);
			ptr[i] = &subs[i];
			was_new[i] = -1;
		}
	cr_assert_eq(store_put_many(st, ptr, N, was_new), 0, "%s", store_error(st));
	for (int i = 0; i < N; i++)
		cr_assert_eq(was_new[i], i < ROUNDS * KEYS, "submission %d", i);
	for (int k = 0; k < KEYS; k++) {
		for (int r = 0; r < ROUNDS; r++)
			sc_assert_stored(st, codes[k], r + 1, &subs[r * KEYS + k], NULL);
		struct jx_submission got;
		struct store_version meta;
		jx_submission_init(&got);
		cr_assert_eq(store_get(st, codes[k], SC_PERIOD_Y, 1 + k % 6, 4, &got, &meta), 1,
			     "%s: no fourth version", codes[k]);
		cr_assert_eq(store_get(st, codes[k], SC_PERIOD_Y, 1 + k % 6, 0, &got, &meta), 0);
		cr_assert_eq(meta.version, ROUNDS, "%s: the last is in force", codes[k]);
		jx_submission_release(&got);
	}
	for (int i = 0; i < N; i++)
		jx_submission_release(&subs[i]);
	free(subs);
	free(ptr);
	free(was_new);
	store_close(st);
}

/* store_figures collects into this. */
struct sc_figures_seen {
	int n;
	int months[13];
	int64_t first[13]; /* indicator 1 of each month seen */
};

static inline int sc_figures_note(void *ctx, int year, int month,
				  const struct jx_value figures[JX_N_INDICATORS])
{
	struct sc_figures_seen *seen = ctx;
	cr_assert_eq(year, SC_PERIOD_Y);
	cr_assert_lt(seen->n, 13);
	seen->months[seen->n] = month;
	seen->first[seen->n] = figures[0].v;
	seen->n++;
	return 0;
}

static inline void sc_the_figures_in_force_of_a_range_of_months_come_in_month_order(const char *url)
{
	struct store *st = sc_open(url);
	struct jx_submission jul, aug1, aug2, sep_bad, other;
	sc_fill(&jul, "370102", SC_PERIOD_Y, 7, 1, 1);
	sc_fill(&aug1, "370102", SC_PERIOD_Y, 8, 2, 1);
	sc_fill(&aug2, "370102", SC_PERIOD_Y, 8, 3, 1);
	sc_fill(&sep_bad, "370102", SC_PERIOD_Y, 9, 4, 1);
	sc_fill(&other, "370103", SC_PERIOD_Y, 8, 5, 1);
	aug2.received_at = SC_T0 + 60;
	aug2.figures[0].v = 4242; /* the August in force */
	sc_reject(&sep_bad);
	sc_put(st, &jul);
	sc_put(st, &aug2);
	sc_put(st, &aug1); /* loaded last, received first: not in force */
	sc_put(st, &sep_bad);
	sc_put(st, &other);
	struct sc_figures_seen seen = {0};
	cr_assert_eq(store_figures(st, "370102", SC_PERIOD_Y, 1, 12, sc_figures_note, &seen), 0, "%s",
		     store_error(st));
	cr_assert_eq(seen.n, 2, "July and August only: September was rejected");
	cr_assert_eq(seen.months[0], 7);
	cr_assert_eq(seen.months[1], 8);
	cr_assert_eq(seen.first[0], jul.figures[0].v);
	cr_assert_eq(seen.first[1], 4242);
	memset(&seen, 0, sizeof seen);
	cr_assert_eq(store_figures(st, "370102", SC_PERIOD_Y, 8, 8, sc_figures_note, &seen), 0);
	cr_assert_eq(seen.n, 1);
	cr_assert_eq(store_figures(st, "370102", SC_PERIOD_Y, 9, 8, sc_figures_note, &seen), -1,
		     "an empty range is refused");
	jx_submission_release(&jul);
	jx_submission_release(&aug1);
	jx_submission_release(&aug2);
	jx_submission_release(&sep_bad);
	jx_submission_release(&other);
	store_close(st);
}

/* What store_in_force handed over, in order. */
struct sc_month_seen {
	size_t n;
	struct store_month_state s[16];
	char file[16][64];
	int stop_after; /* return 7 from call number stop_after; 0: never */
};

static inline int sc_month_note(void *ctx, const struct store_month_state *s)
{
	struct sc_month_seen *seen = ctx;
	cr_assert_lt(seen->n, 16);
	seen->s[seen->n] = *s;
	snprintf(seen->file[seen->n], sizeof seen->file[0], "%s", s->file ? s->file : "(null)");
	seen->s[seen->n].file = seen->file[seen->n];
	seen->n++;
	return seen->stop_after && seen->n == (size_t)seen->stop_after ? 7 : 0;
}

static inline void sc_assert_month(const struct store_month_state *got, const char *code, int month,
				   size_t versions, size_t rejected, int version,
				   enum jx_status status, const struct jx_submission *want)
{
	cr_assert_str_eq(got->district_code, code);
	cr_assert_eq(got->year, want->year, "%s %d", code, month);
	cr_assert_eq(got->month, month, "%s: month %d, expected %d", code, got->month, month);
	cr_assert_eq(got->versions, versions, "%s %d: %zu versions", code, month, got->versions);
	cr_assert_eq(got->rejected, rejected, "%s %d: %zu rejected", code, month, got->rejected);
	cr_assert_eq(got->errors, rejected, "%s %d: one error per rejected version", code, month);
	cr_assert_eq(got->warnings, 0);
	cr_assert_eq(got->version, version, "%s %d: version %d, expected %d", code, month,
		     got->version, version);
	cr_assert_eq(got->status, status, "%s %d", code, month);
	cr_assert_eq(got->received_at, want->received_at, "%s %d", code, month);
	sc_assert_str(got->file, want->file, "file");
	for (int k = 0; k < JX_N_INDICATORS; k++)
		sc_assert_value(&got->figures[k], &want->figures[k], "figure", 0, k);
}

/* Several versions per (district, month), rejected ones, a re-sent
 * delivery, a tie, a month without data and the months either side of the
 * year: what the reports read of a year, in one call. */
static inline void sc_a_year_of_months_in_force_comes_in_one_read(const char *url)
{
	struct store *st = sc_open(url);
	enum {
		DEC,
		JAN_ONLY,
		JAN_V1,
		JAN_BAD,
		JAN_OLD,
		R1,
		R2,
		MAR_A,
		MAR_B,
		TIE1,
		TIE2,
		NEXT_JAN,
		N
	};
	struct jx_submission s[N];
	sc_fill(&s[DEC], "370102", SC_PERIOD_Y - 1, 12, 1, 1);
	sc_fill(&s[JAN_ONLY], "370101", SC_PERIOD_Y, 1, 2, 2);
	sc_fill(&s[JAN_V1], "370102", SC_PERIOD_Y, 1, 3, 1);
	sc_fill(&s[JAN_BAD], "370102", SC_PERIOD_Y, 1, 4, 1);
	sc_fill(&s[JAN_OLD], "370102", SC_PERIOD_Y, 1, 5, 1);
	sc_fill(&s[R1], "370103", SC_PERIOD_Y, 1, 6, 1);
	sc_fill(&s[R2], "370103", SC_PERIOD_Y, 1, 7, 1);
	sc_fill(&s[MAR_A], "370102", SC_PERIOD_Y, 3, 8, 1);
	sc_fill(&s[MAR_B], "370102", SC_PERIOD_Y, 3, 9, 1);
	sc_fill(&s[TIE1], "370103", SC_PERIOD_Y, 3, 10, 1);
	sc_fill(&s[TIE2], "370103", SC_PERIOD_Y, 3, 11, 1);
	sc_fill(&s[NEXT_JAN], "370102", SC_PERIOD_Y + 1, 1, 12, 1);
	s[JAN_V1].received_at = SC_T0 + 100;
	s[JAN_BAD].received_at = SC_T0 + 200; /* received last, but rejected */
	sc_reject(&s[JAN_BAD]);
	s[JAN_OLD].received_at = SC_T0; /* an older file loaded later */
	sc_reject(&s[R1]);
	sc_reject(&s[R2]);
	s[R2].received_at = SC_T0 + 50;
	s[MAR_B].received_at = SC_T0 + 3600;
	s[TIE2].received_at = s[TIE1].received_at;
	for (int i = 0; i < N; i++)
		cr_assert_eq(sc_put(st, &s[i]), 1);
	/* A, B, then A again: A is back in force, as version 3 */
	s[MAR_A].received_at = SC_T0 + 7200;
	cr_assert_eq(sc_put(st, &s[MAR_A]), 1);

	struct sc_month_seen seen = {0};
	cr_assert_eq(store_in_force(st, SC_PERIOD_Y, 1, 12, sc_month_note, &seen), 0, "%s",
		     store_error(st));
	cr_assert_eq(seen.n, 5, "%zu calls: January and March only, of this year only", seen.n);
	sc_assert_month(&seen.s[0], "370101", 1, 1, 0, 1, JX_ACCEPTED, &s[JAN_ONLY]);
	sc_assert_month(&seen.s[1], "370102", 1, 3, 1, 1, JX_ACCEPTED, &s[JAN_V1]);
	sc_assert_month(&seen.s[2], "370103", 1, 2, 2, 2, JX_REJECTED, &s[R2]);
	sc_assert_month(&seen.s[3], "370102", 3, 3, 0, 3, JX_ACCEPTED, &s[MAR_A]);
	sc_assert_month(&seen.s[4], "370103", 3, 2, 0, 2, JX_ACCEPTED, &s[TIE2]);

	/* the same as store_get says is in force */
	struct jx_submission got;
	jx_submission_init(&got);
	struct store_version meta;
	for (size_t i = 0; i < seen.n; i++) {
		if (seen.s[i].status != JX_ACCEPTED)
			continue;
		cr_assert_eq(store_get(st, seen.s[i].district_code, SC_PERIOD_Y, seen.s[i].month, 0,
				       &got, &meta),
			     0);
		cr_assert_eq(meta.version, seen.s[i].version);
	}
	jx_submission_release(&got);

	/* the year either side, one month, a month without data */
	memset(&seen, 0, sizeof seen);
	cr_assert_eq(store_in_force(st, SC_PERIOD_Y - 1, 1, 12, sc_month_note, &seen), 0);
	cr_assert_eq(seen.n, 1);
	sc_assert_month(&seen.s[0], "370102", 12, 1, 0, 1, JX_ACCEPTED, &s[DEC]);
	memset(&seen, 0, sizeof seen);
	cr_assert_eq(store_in_force(st, SC_PERIOD_Y + 1, 1, 1, sc_month_note, &seen), 0);
	cr_assert_eq(seen.n, 1);
	sc_assert_month(&seen.s[0], "370102", 1, 1, 0, 1, JX_ACCEPTED, &s[NEXT_JAN]);
	memset(&seen, 0, sizeof seen);
	cr_assert_eq(store_in_force(st, SC_PERIOD_Y, 2, 2, sc_month_note, &seen), 0);
	cr_assert_eq(seen.n, 0, "February has no data");
	cr_assert_eq(store_in_force(st, SC_PERIOD_Y, 3, 3, sc_month_note, &seen), 0);
	cr_assert_eq(seen.n, 2);
	cr_assert_eq(seen.s[0].month, 3);

	/* fn's nonzero stops the read and is handed back; bad ranges are refused */
	memset(&seen, 0, sizeof seen);
	seen.stop_after = 2;
	cr_assert_eq(store_in_force(st, SC_PERIOD_Y, 1, 12, sc_month_note, &seen), 7);
	cr_assert_eq(seen.n, 2);
	memset(&seen, 0, sizeof seen);
	seen.stop_after = 5; /* the last (district, month) of the read */
	cr_assert_eq(store_in_force(st, SC_PERIOD_Y, 1, 12, sc_month_note, &seen), 7);
	cr_assert_eq(seen.n, 5);
	cr_assert_eq(store_in_force(st, SC_PERIOD_Y, 9, 8, sc_month_note, &seen), -1);
	cr_assert_eq(store_in_force(st, SC_PERIOD_Y, 0, 3, sc_month_note, &seen), -1);
	cr_assert_eq(store_in_force(st, SC_PERIOD_Y, 1, 13, sc_month_note, &seen), -1);
	for (int i = 0; i < N; i++)
		jx_submission_release(&s[i]);
	store_close(st);
}

struct sc_rules_seen {
	size_t n;
	size_t by[13][3][JX_RULE_COUNT]; /* month, district 370101..370103, rule */
	int last_month;
};

static inline int sc_rule_note(void *ctx, const char *code, int month, enum jx_rule rule, size_t n)
{
	struct sc_rules_seen *seen = ctx;
	int d = atoi(code) - 370101;
	cr_assert(d >= 0 && d < 3, "%s", code);
	cr_assert(month >= 1 && month <= 12);
	cr_assert_geq(month, seen->last_month, "in month order");
	cr_assert_gt(n, 0);
	cr_assert_eq(seen->by[month][d][rule], 0, "%s %d %s counted once", code, month,
		     jx_rule_id(rule));
	seen->last_month = month;
	seen->by[month][d][rule] = n;
	seen->n++;
	return 0;
}

/* The data-quality sheet: every finding stored, of accepted and rejected
 * versions alike, by (district, month, rule). */
static inline void sc_the_findings_of_every_version_are_counted_by_rule(const char *url)
{
	struct store *st = sc_open(url);
	struct jx_submission a, b, c, d, other_year;
	sc_fill(&a, "370102", SC_PERIOD_Y, 1, 1, 1);
	sc_fill(&b, "370102", SC_PERIOD_Y, 1, 2, 1);
	sc_fill(&c, "370103", SC_PERIOD_Y, 4, 3, 1);
	sc_fill(&d, "370101", SC_PERIOD_Y, 4, 4, 1);
	sc_fill(&other_year, "370102", SC_PERIOD_Y + 1, 1, 5, 1);
	struct jx_loc loc = jx_submission_loc(&a);
	jx_findings_add(&a.findings, JX_C2, &loc, 0, NULL, "一个提示");
	jx_findings_add(&a.findings, JX_C2, &loc, 0, NULL, "又一个提示");
	sc_reject(&b);
	jx_findings_add(&b.findings, JX_C2, &loc, 0, NULL, "提示");
	b.received_at = SC_T0 + 60;
	sc_reject(&c);
	sc_reject(&c);
	sc_reject(&other_year);
	sc_put(st, &a);
	sc_put(st, &b);
	sc_put(st, &c);
	sc_put(st, &d);
	sc_put(st, &other_year);
	struct sc_rules_seen seen = {0};
	cr_assert_eq(store_rule_counts(st, SC_PERIOD_Y, 1, 12, sc_rule_note, &seen), 0, "%s",
		     store_error(st));
	cr_assert_eq(seen.n, 3, "%zu counts", seen.n);
	cr_assert_eq(seen.by[1][1][JX_C2], 3, "both versions of January, accepted and rejected");
	cr_assert_eq(seen.by[1][1][JX_R1], 1);
	cr_assert_eq(seen.by[4][2][JX_R1], 2);
	memset(&seen, 0, sizeof seen);
	cr_assert_eq(store_rule_counts(st, SC_PERIOD_Y, 2, 3, sc_rule_note, &seen), 0);
	cr_assert_eq(seen.n, 0);
	cr_assert_eq(store_rule_counts(st, SC_PERIOD_Y + 1, 1, 1, sc_rule_note, &seen), 0);
	cr_assert_eq(seen.n, 1);
	cr_assert_eq(seen.by[1][1][JX_R1], 1);
	cr_assert_eq(store_rule_counts(st, SC_PERIOD_Y, 5, 4, sc_rule_note, &seen), -1);
	jx_submission_release(&a);
	jx_submission_release(&b);
	jx_submission_release(&c);
	jx_submission_release(&d);
	jx_submission_release(&other_year);
	store_close(st);
}

/* ---- approvals -------------------------------------------------------- */

#define APPROVAL_CASES(X)                                                                          \
	X(an_approval_keeps_its_snapshot_and_locks_the_month)                                      \
	X(reopen_and_approve_again_keep_every_event_in_order)                                      \
	X(approval_texts_with_control_characters_are_refused)

static inline void sc_approval(struct store_approval *a, int month, const char *by, size_t n)
{
	memset(a, 0, sizeof *a);
	a->year = SC_PERIOD_Y;
	a->month = month;
	a->at = SC_T0 + month;
	snprintf(a->by, sizeof a->by, "%s", by);
	a->lines = n ? calloc(n, sizeof *a->lines) : NULL;
	a->n_lines = n;
	for (size_t i = 0; i < n; i++) {
		struct store_approval_line *l = &a->lines[i];
		snprintf(l->district_code, sizeof l->district_code, "37010%zu", i + 2);
		l->state = i == 1   ? STORE_LINE_MISSING
			   : i == 2 ? STORE_LINE_REJECTED
				    : STORE_LINE_ACCEPTED;
		l->left_out = i == 1;
		l->version = l->state == STORE_LINE_ACCEPTED ? (int)i + 1 : 0;
		for (int k = 0; k < JX_N_INDICATORS && l->state == STORE_LINE_ACCEPTED; k++)
			l->v[k] = (int64_t)(i + 1) * 1000 + k;
	}
	if (n)
		a->lines[0].v[13] = INT64_C(123456789012); /* yuan, exactly */
}

static inline void sc_an_approval_keeps_its_snapshot_and_locks_the_month(const char *url)
{
	struct store *st = sc_open(url);
	struct store_approval a, got, last;
	cr_assert_eq(store_approval_state(st, SC_PERIOD_Y, SC_PERIOD_M, &last), 1);
	cr_assert_eq(store_approval_get(st, SC_PERIOD_Y, SC_PERIOD_M, 0, &got), 1);
	sc_approval(&a, SC_PERIOD_M, "王统计", 4);
	cr_assert_eq(store_approve(st, &a), 0, "%s", store_error(st));
	cr_assert_eq(a.seq, 1);
	cr_assert_eq(a.number, 1);
	store_close(st);

	st = sc_open(url); /* from a fresh handle */
	cr_assert_eq(store_approval_state(st, SC_PERIOD_Y, SC_PERIOD_M, &last), 0);
	cr_assert_eq(last.kind, STORE_APPROVED);
	cr_assert_eq(last.number, 1);
	cr_assert_eq(last.at, SC_T0 + SC_PERIOD_M);
	cr_assert_str_eq(last.by, "王统计");
	cr_assert_null(last.lines);
	/* Another month is not locked by it. */
	cr_assert_eq(store_approval_state(st, SC_PERIOD_Y, SC_PERIOD_M - 1, &last), 1);
	cr_assert_eq(store_approval_get(st, SC_PERIOD_Y, SC_PERIOD_M, 0, &got), 0, "%s",
		     store_error(st));
	cr_assert_eq(got.n_lines, 4);
	for (size_t i = 0; i < 4; i++) {
		const struct store_approval_line *w = &a.lines[i], *g = &got.lines[i];
		cr_assert_str_eq(g->district_code, w->district_code);
		cr_assert_eq(g->state, w->state);
		cr_assert_eq(g->left_out, w->left_out);
		cr_assert_eq(g->version, w->version);
		for (int k = 0; k < JX_N_INDICATORS; k++)
			cr_assert_eq(g->v[k], w->v[k], "line %zu indicator %d", i, k + 1);
	}
	store_approval_release(&got);
	/* Approving a locked month again records nothing. */
	struct store_approval again;
	sc_approval(&again, SC_PERIOD_M, "someone", 1);
	cr_assert_eq(store_approve(st, &again), 1);
	store_approval_release(&again);
	cr_assert_eq(store_approval_get(st, SC_PERIOD_Y, SC_PERIOD_M, 2, &got), 1);
	store_approval_release(&a);
	store_close(st);
}

struct sc_events {
	int n;
	char text[16][160];
};

static inline int sc_event_note(void *ctx, const struct store_approval *a)
{
	struct sc_events *e = ctx;
	cr_assert_lt(e->n, 16);
	snprintf(e->text[e->n++], sizeof e->text[0], "%04d-%02d #%d %s %d %.40s [%.60s]", a->year,
		 a->month, a->seq, a->kind == STORE_APPROVED ? "approved" : "reopened", a->number,
		 a->by, a->note);
	return 0;
}

static inline void sc_reopen_and_approve_again_keep_every_event_in_order(const char *url)
{
	struct store *st = sc_open(url);
	struct store_approval a, r, last, got;
	memset(&r, 0, sizeof r);
	r.year = SC_PERIOD_Y;
	r.month = SC_PERIOD_M;
	r.at = SC_T0 + 100;
	snprintf(r.by, sizeof r.by, "王统计");
	snprintf(r.note, sizeof r.note, "历下区更正");
	cr_assert_eq(store_reopen(st, &r), 1, "nothing to reopen yet");
	sc_approval(&a, SC_PERIOD_M, "王统计", 2);
	cr_assert_eq(store_approve(st, &a), 0, "%s", store_error(st));
	store_approval_release(&a);
	cr_assert_eq(store_reopen(st, &r), 0, "%s", store_error(st));
	cr_assert_eq(r.seq, 2);
	cr_assert_eq(r.number, 1);
	cr_assert_eq(store_reopen(st, &r), 1, "reopened already");
	cr_assert_eq(store_approval_state(st, SC_PERIOD_Y, SC_PERIOD_M, &last), 0);
	cr_assert_eq(last.kind, STORE_REOPENED);
	cr_assert_str_eq(last.note, "历下区更正");
	/* The reopened approval can still be read. */
	cr_assert_eq(store_approval_get(st, SC_PERIOD_Y, SC_PERIOD_M, 0, &got), 0);
	cr_assert_eq(got.number, 1);
	store_approval_release(&got);
	sc_approval(&a, SC_PERIOD_M, "李审核", 3);
	cr_assert_eq(store_approve(st, &a), 0, "%s", store_error(st));
	cr_assert_eq(a.seq, 3);
	cr_assert_eq(a.number, 2);
	store_approval_release(&a);
	/* An earlier month approved after: listed before. */
	sc_approval(&a, SC_PERIOD_M - 1, "王统计", 1);
	cr_assert_eq(store_approve(st, &a), 0, "%s", store_error(st));
	store_approval_release(&a);

	struct sc_events e = {0};
	cr_assert_eq(store_approval_events(st, SC_PERIOD_Y, SC_PERIOD_M, sc_event_note, &e), 0);
	cr_assert_eq(e.n, 3);
	cr_assert_str_eq(e.text[0], "2023-09 #1 approved 1 王统计 []");
	cr_assert_str_eq(e.text[1], "2023-09 #2 reopened 1 王统计 [历下区更正]");
	cr_assert_str_eq(e.text[2], "2023-09 #3 approved 2 李审核 []");
	memset(&e, 0, sizeof e);
	cr_assert_eq(store_approval_events(st, 0, 0, sc_event_note, &e), 0);
	cr_assert_eq(e.n, 4);
	cr_assert_str_eq(e.text[0], "2023-08 #1 approved 1 王统计 []");
	cr_assert_str_eq(e.text[3], "2023-09 #3 approved 2 李审核 []");
	cr_assert_eq(store_approval_get(st, SC_PERIOD_Y, SC_PERIOD_M, 1, &got), 0);
	cr_assert_eq(got.n_lines, 2);
	store_approval_release(&got);
	cr_assert_eq(store_approval_get(st, SC_PERIOD_Y, SC_PERIOD_M, 0, &got), 0);
	cr_assert_eq(got.number, 2);
	cr_assert_eq(got.n_lines, 3);
	cr_assert_str_eq(got.by, "李审核");
	store_approval_release(&got);
	store_close(st);
}

static inline void sc_approval_texts_with_control_characters_are_refused(const char *url)
{
	struct store *st = sc_open(url);
	struct store_approval a, last;
	sc_approval(&a, SC_PERIOD_M, "bad\nname", 1);
	cr_assert_eq(store_approve(st, &a), -1);
	cr_assert(strstr(store_error(st), "control characters"), "%s", store_error(st));
	snprintf(a.by, sizeof a.by, "%s", "ok");
	a.lines[0].version = 0; /* accepted without a version */
	cr_assert_eq(store_approve(st, &a), -1);
	store_approval_release(&a);
	struct store_approval r;
	memset(&r, 0, sizeof r);
	r.year = SC_PERIOD_Y;
	r.month = SC_PERIOD_M;
	snprintf(r.by, sizeof r.by, "ok");
	cr_assert_eq(store_reopen(st, &r), -1, "a reopening needs a reason");
	cr_assert_eq(store_approval_state(st, SC_PERIOD_Y, SC_PERIOD_M, &last), 1);
	store_close(st);
}

#endif
