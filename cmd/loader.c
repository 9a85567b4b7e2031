/* Ingest, validate against history, store. */
#include <stdio.h>
#include <string.h>
#include "../core/csvout.h"
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

/* The accepted figures in force for (code, y, m): 0 found, 1 none, -1 error. */
static int in_force(struct loader *ld, const char *code, int y, int m, struct jx_submission *out)
{
	int rc = store_get(ld->st, code, y, m, 0, out, NULL);
	if (rc < 0)
		snprintf(ld->error, sizeof ld->error, "store: %s", store_error(ld->st));
	return rc;
}

/* Fills h from the store: last month's figures, and the largest indicator
 * 14 of an earlier month of the same year. */
static int history_lookup(struct loader *ld, const struct jx_submission *s, struct history *h)
{
	struct jx_submission prev;
	jx_submission_init(&prev);
	memset(h, 0, sizeof *h);
	int py = s->month == 1 ? s->year - 1 : s->year, pm = s->month == 1 ? 12 : s->month - 1;
	int rc = in_force(ld, s->district_code, py, pm, &prev);
	if (rc == 0) {
		h->has_prev = 1;
		for (int k = 0; k < JX_N_INDICATORS; k++)
			h->prev[k] = prev.figures[k].v;
	}
	for (int m = 1; rc >= 0 && m < s->month; m++) {
		jx_submission_reset(&prev);
		rc = in_force(ld, s->district_code, s->year, m, &prev);
		const struct jx_value *v = &prev.figures[JX_MONEY_INDICATOR - 1];
		if (rc == 0 && v->ok && (!h->has_max14 || v->v > h->max14)) {
			h->has_max14 = 1;
			h->max14 = v->v;
			h->max14_month = m;
		}
	}
	jx_submission_release(&prev);
	return rc < 0 ? -1 : 0;
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
	};
	ld->file_accepted = ld->file_rejected = ld->file_unchanged = 0;
	ld->error[0] = 0;
	int rc = ingest_file(path, &o, load_submission, ld);
	if (rc && !ld->error[0])
		snprintf(ld->error, sizeof ld->error, "%s: out of memory", path);
	return rc ? -1 : 0;
}
