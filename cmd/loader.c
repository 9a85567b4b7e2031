/* Ingest, validate against history, store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/csvout.h"
#include "../core/sha256.h"
#include "../core/text.h"
#include "../etl/ingest.h"
#include "../etl/store.h"
#include "../reports/findings_csv.h"
#include "../transforms/history.h"
#include "../transforms/rules.h"
#include "approval.h"
#include "loader.h"

void loader_lines_header(FILE *f)
{
	fputs("file,district_code,district_name,period,status,errors,warnings,stored\n", f);
}

/* What the cross-period rules need, gathered from the figures in force. */
struct history_scan {
	const struct jx_submission *s;
	struct history *h;
};

static int history_month(void *ctx, int year, int month, const struct jx_value figures[JX_N_INDICATORS])
{
	struct history_scan *x = ctx;
	const struct jx_submission *s = x->s;
	struct history *h = x->h;
	int prev_y = s->month == 1 ? s->year - 1 : s->year, prev_m = s->month == 1 ? 12 : s->month - 1;
	if (year == prev_y && month == prev_m) {
		h->has_prev = 1;
		for (int k = 0; k < JX_N_INDICATORS; k++)
			h->prev[k] = figures[k].v;
	}
	const struct jx_value *v = &figures[JX_MONEY_INDICATOR - 1];
	if (year == s->year && v->ok && month >= 1 && month <= 12) {
		h->month14[month] = v->v;
		h->has14[month] = 1;
	}
	if (year == s->year && v->ok && (!h->has_max14 || v->v > h->max14)) {
		h->has_max14 = 1;
		h->max14 = v->v;
		h->max14_month = month;
	}
	return 0;
}

/* Fills h from the store: last month's figures (December of last year for
 * January), and the largest indicator 14 of an earlier month this year. */
static int history_lookup(struct loader *ld, const struct jx_submission *s, struct history *h)
{
	memset(h, 0, sizeof *h);
	struct history_scan x = {s, h};
	int rc = s->month == 1 ? store_figures(ld->st, s->district_code, s->year - 1, 12, 12, history_month, &x)
			       : store_figures(ld->st, s->district_code, s->year, 1, s->month - 1, history_month, &x);
	if (rc < 0) {
		snprintf(ld->error, sizeof ld->error, "store: %s", store_error(ld->st));
		return -1;
	}
	return 0;
}

static int structural(const struct jx_submission *s)
{
	for (size_t i = 0; i < s->findings.n; i++) {
		enum jx_rule r = s->findings.items[i].rule;
		if (r == JX_S1 || r == JX_S2)
			return 1;
	}
	return 0;
}

/* Most findings kept for one repeated (district, period) of a file; the
 * rest are counted and one closing finding says how many rows there were. */
#define REPEAT_FINDINGS_MAX 1000

/* The rows of one file that repeat a (district, period) (S7), gathered into
 * one rejected version: its first repeated row's figures, and the findings
 * of every repeated row (capped). A file repeating one month 3,000 times is
 * one version with its findings, not 3,000 versions. */
struct repeat_set {
	struct jx_submission sub;
	size_t rows;
};

/* What loading one file carries from one submission to the next. */
struct file_load {
	struct loader *ld;
	struct repeat_set *sets;
	size_t n_sets, cap_sets;
};

static int has_rule(const struct jx_submission *s, enum jx_rule rule)
{
	for (size_t i = 0; i < s->findings.n; i++)
		if (s->findings.items[i].rule == rule)
			return 1;
	return 0;
}

/* A deep copy of src without its findings; 0 or -1 (out of memory). */
static int submission_copy(struct jx_submission *dst, const struct jx_submission *src)
{
	jx_submission_init(dst);
	dst->file = strdup(src->file);
	dst->sheet = src->sheet ? strdup(src->sheet) : NULL;
	if (!dst->file || (src->sheet && !dst->sheet))
		return -1;
	dst->district = src->district;
	dst->district_code = src->district_code;
	dst->district_name = src->district_name;
	jx_submission_set_period(dst, src->year, src->month);
	for (size_t i = 0; i < src->n_units; i++) {
		struct jx_unit *u = jx_submission_add_unit(dst, src->units[i].name, src->units[i].row);
		if (!u)
			return -1;
		u->is_total = src->units[i].is_total;
		memcpy(u->v, src->units[i].v, sizeof u->v);
	}
	memcpy(dst->figures, src->figures, sizeof dst->figures);
	dst->received_at = src->received_at;
	memcpy(dst->sha256, src->sha256, sizeof dst->sha256);
	return 0;
}

/* Adds a repeated row to the set of its (district, period). */
static int repeat_add(struct file_load *fl, const struct jx_submission *s)
{
	struct repeat_set *set = NULL;
	for (size_t i = 0; i < fl->n_sets && !set; i++)
		if (fl->sets[i].sub.district == s->district && fl->sets[i].sub.year == s->year &&
		    fl->sets[i].sub.month == s->month)
			set = &fl->sets[i];
	if (!set) {
		if (fl->n_sets == fl->cap_sets) {
			size_t cap = fl->cap_sets ? fl->cap_sets * 2 : 4;
			struct repeat_set *ns = realloc(fl->sets, cap * sizeof *ns);
			if (!ns)
				return -1;
			fl->sets = ns;
			fl->cap_sets = cap;
		}
		set = &fl->sets[fl->n_sets++];
		set->rows = 0;
		if (submission_copy(&set->sub, s))
			return -1;
	}
	set->rows++;
	struct jx_findings *fs = &set->sub.findings;
	for (size_t i = 0; i < s->findings.n; i++) {
		const struct jx_finding *f = &s->findings.items[i];
		if (fs->n < REPEAT_FINDINGS_MAX) {
			if (jx_findings_copy(fs, f))
				return -1;
		} else {
			fs->dropped++;
			if (jx_rule_severity(f->rule) == JX_SEV_ERROR)
				fs->errors++;
			else
				fs->warnings++;
		}
	}
	return 0;
}

/* Counts s, writes its line and findings, tells the caller. */
static void loader_report(struct loader *ld, const struct jx_submission *s, int storable, int was_new)
{
	enum jx_status status = jx_submission_status(s);
	ld->submissions++;
	ld->warnings += s->findings.warnings;
	if (storable && !was_new) {
		ld->unchanged++;
		ld->file_unchanged++;
	}
	if (status == JX_ACCEPTED) {
		ld->accepted++;
		ld->file_accepted++;
	} else {
		ld->rejected++;
		ld->file_rejected++;
	}
	if (ld->findings)
		findings_csv_write(ld->findings, &s->findings);
	if (ld->on_submission)
		ld->on_submission(ld->ctx, s, storable);
	if (ld->lines) {
		char errors[24], warnings[24];
		snprintf(errors, sizeof errors, "%zu", s->findings.errors);
		snprintf(warnings, sizeof warnings, "%zu", s->findings.warnings);
		const char *fields[] = {s->file,
					s->district_code,
					s->district_name,
					s->period,
					status == JX_ACCEPTED ? "accepted" : "rejected",
					errors,
					warnings,
					!storable ? "no" : was_new ? "new" : "unchanged"};
		jx_csv_row(ld->lines, fields, sizeof fields / sizeof fields[0]);
	}
}

/* A repeat set shares the file's sha256 with its first row, and the store
 * would take it for that row delivered again: it is identified by the
 * file's hash and the row of its first repeat instead, so it is kept
 * (rejected) and reaches the district's feedback, and loading the same
 * delivery again still changes nothing. */
static void repeat_identity(struct jx_submission *s)
{
	for (size_t i = 0; i < s->findings.n; i++) {
		const struct jx_finding *f = &s->findings.items[i];
		if (f->rule != JX_S7)
			continue;
		char seed[128];
		snprintf(seed, sizeof seed, "%.64s:row %u", s->sha256, f->row);
		struct jx_sha256 c;
		jx_sha256_init(&c);
		jx_sha256_update(&c, seed, strlen(seed));
		jx_sha256_final(&c, s->sha256);
		return;
	}
}

/* Stores each repeat set of the file as one rejected version. Returns 0,
 * or -1 when the store failed (ld->error says why). */
static int repeats_store(struct file_load *fl)
{
	struct loader *ld = fl->ld;
	for (size_t i = 0; i < fl->n_sets; i++) {
		struct jx_submission *s = &fl->sets[i].sub;
		/* the first repeated row names the version (before sorting) */
		repeat_identity(s);
		if (s->findings.dropped) {
			struct jx_loc loc = jx_submission_loc(s);
			jx_findings_add(&s->findings, JX_S7, &loc, 0, NULL,
					"%s %s 的数据在本文件中共重复 %zu 行，以上只列出前 %d 条",
					s->district_name, s->period, fl->sets[i].rows,
					REPEAT_FINDINGS_MAX);
			s->findings.errors--; /* a note on the count, not one more row */
		}
		jx_findings_sort(&s->findings);
		int was_new = 0;
		if (store_put(ld->st, s, &was_new)) {
			snprintf(ld->error, sizeof ld->error, "store: %s", store_error(ld->st));
			return -1;
		}
		loader_report(ld, s, 1, was_new);
	}
	return 0;
}

static void repeats_release(struct file_load *fl)
{
	for (size_t i = 0; i < fl->n_sets; i++)
		jx_submission_release(&fl->sets[i].sub);
	free(fl->sets);
	fl->sets = NULL;
	fl->n_sets = fl->cap_sets = 0;
}

static int load_submission(void *vctx, struct jx_submission *s)
{
	struct file_load *fl = vctx;
	struct loader *ld = fl->ld;
	int storable = s->district >= 0 && s->year > 0;
	rules_check(s);
	if (storable && has_rule(s, JX_S7)) {
		/* a repeat is rejected whatever its history: kept for the end
		 * of the file, with the other repeats of its month */
		if (repeat_add(fl, s)) {
			snprintf(ld->error, sizeof ld->error, "%s: out of memory", s->file);
			return 1;
		}
		return 0;
	}
	if (storable && !structural(s)) {
		struct history h;
		if (history_lookup(ld, s, &h))
			return 1;
		history_check(s, &h);
		history_check_deadline(s, ld->cfg);
	}
	/* A1: the month is approved (locked) at the city. */
	if (storable && approval_gate(ld->st, ld->cfg, s, ld->error, sizeof ld->error))
		return 1;
	jx_findings_sort(&s->findings);
	int was_new = 0;
	if (storable && store_put(ld->st, s, &was_new)) {
		snprintf(ld->error, sizeof ld->error, "store: %s", store_error(ld->st));
		return 1;
	}
	loader_report(ld, s, storable, was_new);
	return 0;
}

int loader_file(struct loader *ld, const char *path, int64_t received_at)
{
	struct ingest_opts o = {
		.cfg = ld->cfg,
		.received_at = received_at,
		.want_sha256 = 1,
		.verify_first = 1,
		.error = ld->error,
		.error_size = sizeof ld->error,
	};
	ld->file_accepted = ld->file_rejected = ld->file_unchanged = 0;
	ld->error[0] = 0;
	struct file_load fl = {ld, NULL, 0, 0};
	int rc = ingest_file(path, &o, load_submission, &fl);
	if (!rc)
		rc = repeats_store(&fl);
	repeats_release(&fl);
	if (rc == INGEST_UNREADABLE)
		return LOADER_UNREADABLE;
	if (rc && !ld->error[0])
		snprintf(ld->error, sizeof ld->error, "%s: out of memory", JX_VISIBLE(path));
	return rc ? -1 : 0;
}
