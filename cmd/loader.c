/* Ingest, validate against history, store. */
#include <stdio.h>
#include <string.h>
#include "../core/csvout.h"
#include "../core/sha256.h"
#include "../etl/ingest.h"
#include "../etl/store.h"
#include "../reports/findings_csv.h"
#include "../transforms/history.h"
#include "../transforms/rules.h"
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

/* A (district, period) repeated inside one file (S7) would share the file's
 * sha256 with its first row, and the store would take it for that row sent
 * again: the repeat is identified by the file's hash and its row instead,
 * so it is kept (rejected) and reaches the district's feedback, and loading
 * the file again still changes nothing. */
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

static int load_submission(void *vctx, struct jx_submission *s)
{
	struct loader *ld = vctx;
	int storable = s->district >= 0 && s->year > 0;
	rules_check(s);
	if (storable && !structural(s)) {
		struct history h;
		if (history_lookup(ld, s, &h))
			return 1;
		history_check(s, &h);
		history_check_deadline(s, ld->cfg);
	}
	jx_findings_sort(&s->findings);
	if (storable)
		repeat_identity(s);
	int was_new = 0;
	if (storable && store_put(ld->st, s, &was_new)) {
		snprintf(ld->error, sizeof ld->error, "store: %s", store_error(ld->st));
		return 1;
	}
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
	int rc = ingest_file(path, &o, load_submission, ld);
	if (rc == INGEST_UNREADABLE)
		return LOADER_UNREADABLE;
	if (rc && !ld->error[0])
		snprintf(ld->error, sizeof ld->error, "%s: out of memory", path);
	return rc ? -1 : 0;
}
