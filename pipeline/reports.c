/* The reports, read from the store and written atomically (see reports.h):
 * what the summary, attainment, annual, status and feedback commands, the
 * nightly run and the portal share. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../core/outfile.h"
#include "../core/period.h"
#include "../etl/store.h"
#include "../reports/annual.h"
#include "../reports/attainment.h"
#include "../reports/feedback.h"
#include "../reports/summary.h"
#include "../reports/xlsx_util.h"
#include "../transforms/approval.h"
#include "../transforms/deadline.h"
#include "../transforms/history.h"
#include "approval.h"
#include "report_input.h"
#include "reports.h"
#include "status.h"

#define TOO_BIG "a total does not fit in 64 bits; check the stored figures"

/* ---- writing a file, kept when its bytes would not change -------------- */

typedef int (*csv_fn)(const void *r, FILE *f);

static int write_csv_kept(const char *path, csv_fn write, const void *r, struct report_tally *t,
			  char *err, size_t errlen)
{
	struct jx_outfile o;
	int unchanged = 0;
	if (jx_outfile_open(&o, path)) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	if (write(r, o.f)) {
		int e = errno;
		jx_outfile_abort(&o);
		snprintf(err, errlen, "cannot write %s%s%s", path, e ? ": " : "",
			 e ? strerror(e) : "");
		return -1;
	}
	if (jx_outfile_commit_if_changed(&o, &unchanged)) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	if (t)
		unchanged ? t->unchanged++ : t->written++;
	return 0;
}

typedef int (*xlsx_fn)(const void *r, const char *path, char *err, size_t errlen);

/* The workbook is written whole under a temporary name, compared with what
 * path holds, then renamed onto path or dropped. */
static int write_xlsx_kept(const char *path, xlsx_fn write, const void *r, struct report_tally *t,
			   char *err, size_t errlen)
{
	size_t n = strlen(path) + 32;
	char *tmp = malloc(n);
	if (!tmp) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
	if (write(r, tmp, err, errlen)) {
		/* the message names the temporary file: say the real one */
		char *at = strstr(err, tmp);
		if (at) {
			char said[1024];
			snprintf(said, sizeof said, "%.*s%s%s", (int)(at - err), err, path,
				 at + strlen(tmp));
			snprintf(err, errlen, "%s", said);
		}
		unlink(tmp);
		free(tmp);
		return -1;
	}
	int unchanged = access(path, F_OK) == 0 && xu_same_workbook(tmp, path);
	if (unchanged) {
		unlink(tmp);
	} else if (rename(tmp, path)) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	if (t)
		unchanged ? t->unchanged++ : t->written++;
	return 0;
}

/* ---- summary ------------------------------------------------------------ */

static void fill_row(struct summary_row *row, const struct agg_cell *c,
		     const struct agg_change mom[JX_N_INDICATORS])
{
	row->status = c->state == AGG_ACCEPTED	 ? SUMMARY_ACCEPTED
		      : c->state == AGG_REJECTED ? SUMMARY_REJECTED
						 : SUMMARY_MISSING;
	memcpy(row->v, c->v, sizeof row->v);
	for (int i = 0; i < JX_N_INDICATORS; i++) {
		row->mom[i].defined = mom[i].defined;
		row->mom[i].delta = mom[i].delta;
		memcpy(row->mom[i].pct, mom[i].pct, sizeof row->mom[i].pct);
	}
}

/* Builds the report from the loaded months (month and the one before). */
static int summary_build(const struct jx_config *cfg, const struct agg_year *y, int month,
			 struct summary_report *r)
{
	int prev = month - 1; /* 0 is December of the year before */
	struct agg_figures cur, before;
	struct agg_change mom[JX_N_INDICATORS];
	for (size_t d = 0; d < cfg->n_districts; d++) {
		struct summary_row *row = &r->rows[d];
		row->code = cfg->districts[d].code;
		row->name = cfg->districts[d].name;
		agg_district_month(y, d, month, &cur);
		agg_district_month(y, d, prev, &before);
		if (agg_change(&cur, &before, mom))
			return -1;
		fill_row(row, agg_year_cell_const(y, d, month), mom);
	}
	if (agg_city_month(y, month, &cur) || agg_city_month(y, prev, &before) ||
	    agg_change(&cur, &before, mom))
		return -1;
	struct agg_cell total = {cur.n ? AGG_ACCEPTED : AGG_MISSING, {0}};
	memcpy(total.v, cur.v, sizeof total.v);
	r->total.code = "total";
	r->total.name = "合计";
	fill_row(&r->total, &total, mom);
	r->n_counted = cur.n;
	return 0;
}

static int summary_csv(const void *r, FILE *f)
{
	return summary_write_csv(r, f);
}

static int summary_xlsx(const void *r, const char *path, char *err, size_t errlen)
{
	return summary_write_xlsx(r, path, err, errlen);
}

/* Builds the summary of month (and with xlsx reads its sign-off), then
 * writes it to path, or with path NULL as CSV to f. */
static int summary_out(struct store *st, const struct jx_config *cfg, const struct agg_year *y,
		       int month, int xlsx, const char *path, FILE *f, struct report_tally *t,
		       char *err, size_t errlen)
{
	struct summary_row *rows = calloc(cfg->n_districts ? cfg->n_districts : 1, sizeof *rows);
	if (!rows) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	char today[64];
	xu_today_text(cfg->timezone, today, sizeof today);
	struct summary_report r = {
	    .year = y->year,
	    .month = month,
	    .city = cfg->city,
	    .date_text = today,
	    .rows = rows,
	    .n_rows = cfg->n_districts,
	};
	int rc = 0;
	if (summary_build(cfg, y, month, &r)) {
		snprintf(err, errlen, TOO_BIG);
		rc = -1;
	} else if (xlsx) {
		/* The form says whether the month is signed off, and by which
		 * approval (the CSV's columns are fixed). */
		char aerr[512], note[2048];
		struct approval_month am;
		if (approval_month_read(st, cfg, y->year, month, &am, aerr, sizeof aerr)) {
			snprintf(err, errlen, "store: %s", aerr);
			rc = -1;
		} else {
			approval_month_note(&am, cfg, note, sizeof note);
			const char *notes[] = {note};
			r.notes = notes;
			r.n_notes = 1;
			r.unit_label = cfg->unit_label;
			rc = write_xlsx_kept(path, summary_xlsx, &r, t, err, errlen);
		}
	} else if (path) {
		rc = write_csv_kept(path, summary_csv, &r, t, err, errlen);
	} else if (summary_write_csv(&r, f) || fflush(f)) {
		snprintf(err, errlen, "cannot write to stdout: %s", strerror(errno));
		rc = -1;
	}
	free(rows);
	return rc;
}

int report_summary_write_from(struct store *st, const struct jx_config *cfg,
			      const struct agg_year *y, int month, int xlsx, const char *path,
			      struct report_tally *t, char *err, size_t errlen)
{
	return summary_out(st, cfg, y, month, xlsx, path, NULL, t, err, errlen);
}

static int summary_load_out(struct store *st, const struct jx_config *cfg, int year, int month,
			    int xlsx, const char *path, FILE *f, char *err, size_t errlen)
{
	struct agg_year y;
	memset(&y, 0, sizeof y);
	int rc =
	    report_input_load(st, cfg, year, (1u << month) | (1u << (month - 1)), &y, err, errlen);
	if (!rc)
		rc = summary_out(st, cfg, &y, month, xlsx, path, f, NULL, err, errlen);
	agg_year_release(&y);
	return rc;
}

int report_summary_write(struct store *st, const struct jx_config *cfg, int year, int month,
			 int xlsx, const char *path, char *err, size_t errlen)
{
	return summary_load_out(st, cfg, year, month, xlsx, path, NULL, err, errlen);
}

int report_summary_csv(struct store *st, const struct jx_config *cfg, int year, int month, FILE *f,
		       char *err, size_t errlen)
{
	return summary_load_out(st, cfg, year, month, 0, NULL, f, err, errlen);
}

/* ---- attainment --------------------------------------------------------- */

static int attain_csv(const void *r, FILE *f)
{
	return attain_write_csv(r, f);
}

static int attain_xlsx(const void *r, const char *path, char *err, size_t errlen)
{
	return attain_write_xlsx(r, path, err, errlen);
}

static int attain_out(const struct jx_config *cfg, const struct agg_year *y, int as_of, int xlsx,
		      const char *path, FILE *f, struct report_tally *t, char *err, size_t errlen)
{
	struct attain_row *rows = calloc(cfg->n_districts ? cfg->n_districts : 1, sizeof *rows);
	if (!rows) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (!as_of)
		as_of = report_default_as_of(cfg, y);
	char today[64];
	xu_today_text(cfg->timezone, today, sizeof today);
	struct attain_report r;
	memset(&r, 0, sizeof r);
	int rc = 0;
	if (report_attain_build(cfg, y, as_of, rows, &r)) {
		snprintf(err, errlen, TOO_BIG);
		rc = -1;
	} else {
		r.date_text = today;
		if (xlsx)
			rc = write_xlsx_kept(path, attain_xlsx, &r, t, err, errlen);
		else if (path)
			rc = write_csv_kept(path, attain_csv, &r, t, err, errlen);
		else if (attain_write_csv(&r, f) || fflush(f)) {
			snprintf(err, errlen, "cannot write to stdout: %s", strerror(errno));
			rc = -1;
		}
	}
	free(rows);
	return rc;
}

int report_attainment_write_from(const struct jx_config *cfg, const struct agg_year *y, int as_of,
				 int xlsx, const char *path, struct report_tally *t, char *err,
				 size_t errlen)
{
	return attain_out(cfg, y, as_of, xlsx, path, NULL, t, err, errlen);
}

static int attain_load_out(struct store *st, const struct jx_config *cfg, int year, int as_of,
			   int xlsx, const char *path, FILE *f, char *err, size_t errlen)
{
	struct agg_year y;
	memset(&y, 0, sizeof y);
	int rc = report_input_load(st, cfg, year, REPORT_MONTHS_OF_YEAR, &y, err, errlen);
	if (!rc)
		rc = attain_out(cfg, &y, as_of, xlsx, path, f, NULL, err, errlen);
	agg_year_release(&y);
	return rc;
}

int report_attainment_write(struct store *st, const struct jx_config *cfg, int year, int as_of,
			    int xlsx, const char *path, char *err, size_t errlen)
{
	return attain_load_out(st, cfg, year, as_of, xlsx, path, NULL, err, errlen);
}

int report_attainment_csv(struct store *st, const struct jx_config *cfg, int year, int as_of,
			  FILE *f, char *err, size_t errlen)
{
	return attain_load_out(st, cfg, year, as_of, 0, NULL, f, err, errlen);
}

/* ---- status ------------------------------------------------------------- */

struct status_csv {
	const struct jx_config *cfg;
	const struct status_month *m;
};

static int status_csv(const void *r, FILE *f)
{
	const struct status_csv *s = r;
	return status_write_csv(f, s->cfg, s->m);
}

int report_status_write_tally(struct store *st, const struct jx_config *cfg, int year, int month,
			      const char *path, struct report_tally *t, char *err, size_t errlen)
{
	struct status_month m;
	int rc = status_read(st, cfg, year, month, &m, err, errlen);
	if (!rc) {
		struct status_csv s = {cfg, &m};
		rc = write_csv_kept(path, status_csv, &s, t, err, errlen);
	}
	status_month_release(&m);
	return rc;
}

int report_status_write(struct store *st, const struct jx_config *cfg, int year, int month,
			const char *path, char *err, size_t errlen)
{
	return report_status_write_tally(st, cfg, year, month, path, NULL, err, errlen);
}

/* ---- annual ------------------------------------------------------------- */

/* What the store says of one (district, month) of the year. */
struct month_seen {
	int any;	     /* a version is stored */
	int in_force;	     /* an accepted version is in force */
	int64_t received_at; /* of the version in force */
};

struct year_read {
	const struct jx_config *cfg;
	struct annual_report *r;
	struct month_seen *seen; /* n_districts * 12 */
};

static int configured(const struct jx_config *cfg, const char *code)
{
	int d = jx_config_district_find(cfg, code, JX_MATCH_EXACT);
	return d < 0 || strcmp(cfg->districts[d].code, code) ? -1 : d;
}

static int annual_month(void *ctx, const struct store_month_state *s)
{
	struct year_read *yr = ctx;
	int d = configured(yr->cfg, s->district_code);
	if (d < 0)
		return 0;
	struct month_seen *ms = &yr->seen[(size_t)d * 12 + (size_t)(s->month - 1)];
	ms->any = 1;
	ms->in_force = s->status == JX_ACCEPTED;
	ms->received_at = s->received_at;
	struct annual_quality *q = &yr->r->districts[d].quality;
	for (int k = 0; k < 2; k++, q = &yr->r->total.quality) {
		q->versions += s->versions;
		q->rejected += s->rejected;
		q->errors += s->errors;
		q->warnings += s->warnings;
	}
	return 0;
}

static int annual_rule(void *ctx, const char *code, int month, enum jx_rule rule, size_t n)
{
	(void)month;
	struct year_read *yr = ctx;
	int d = configured(yr->cfg, code);
	if (d < 0 || (int)rule < 0 || rule >= JX_RULE_COUNT)
		return 0;
	yr->r->districts[d].quality.by_rule[rule] += n;
	yr->r->total.quality.by_rule[rule] += n;
	return 0;
}

/* Adds one month's timeliness to a district's tally. */
static void tally_month(struct annual_timeliness *t, int m, enum annual_month_status st)
{
	t->month[m - 1] = st;
	switch (st) {
	case ANNUAL_ON_TIME:
		t->on_time++;
		break;
	case ANNUAL_LATE:
		t->late++;
		break;
	case ANNUAL_REJECTED:
		t->rejected++;
		break;
	case ANNUAL_MISSING:
		t->missing++;
		break;
	case ANNUAL_NOT_DUE:
		return;
	}
	t->due++;
}

/* Timeliness (months up to as_of) from what the year's read of the versions
 * in force saw (yr->seen, filled by annual_month), and findings by rule
 * (every version of the year) in one more set read. */
static int annual_versions(struct store *st, const struct jx_config *cfg, int year, int as_of,
			   struct year_read *yr, char *err, size_t errlen)
{
	struct annual_report *r = yr->r;
	if (store_rule_counts(st, year, 1, 12, annual_rule, yr)) {
		snprintf(err, errlen, "cannot read the versions of %d: %s", year, store_error(st));
		return -1;
	}
	int64_t now = (int64_t)time(NULL);
	int first = jx_period_index(cfg->first_year, cfg->first_month);
	for (int m = 1; m <= 12; m++) {
		int counts = m <= as_of && jx_period_index(year, m) >= first;
		int64_t deadline = deadline_end(cfg, year, m);
		for (size_t d = 0; d < r->n_districts && counts; d++) {
			const struct month_seen *ms = &yr->seen[d * 12 + (size_t)(m - 1)];
			enum annual_month_status s =
			    ms->in_force
				? (ms->received_at <= deadline ? ANNUAL_ON_TIME : ANNUAL_LATE)
			    : ms->any	     ? ANNUAL_REJECTED
			    : deadline < now ? ANNUAL_MISSING
					     : ANNUAL_NOT_DUE;
			tally_month(&r->districts[d].timely, m, s);
			tally_month(&r->total.timely, m, s);
		}
	}
	for (size_t d = 0; d <= r->n_districts; d++) {
		struct annual_timeliness *t =
		    d < r->n_districts ? &r->districts[d].timely : &r->total.timely;
		if (t->due)
			agg_rate(t->on_time, t->due, t->on_time_rate, sizeof t->on_time_rate);
	}
	return 0;
}

/* Year to date, the monthly trend and retention from the aggregation. */
static int annual_figures(const struct jx_config *cfg, const struct agg_year *y, int as_of,
			  struct annual_report *r)
{
	struct agg_figures f;
	for (size_t d = 0; d <= cfg->n_districts; d++) {
		int is_city = d == cfg->n_districts;
		struct annual_district *ad = is_city ? &r->total : &r->districts[d];
		struct summary_row *sr = is_city ? &r->ytd.total : &r->ytd.rows[d];
		for (int m = 1; m <= 12; m++) {
			if (is_city) {
				if (agg_city_month(y, m, &f))
					return -1;
				ad->counted[m - 1] = f.n;
			} else {
				agg_district_month(y, d, m, &f);
			}
			ad->accepted[m - 1] = f.n > 0;
			memcpy(ad->month_v[m - 1], f.v, sizeof f.v);
		}
		if (is_city ? agg_ytd_city(y, as_of, &f) : agg_ytd_district(y, d, as_of, &f))
			return -1;
		ad->has_retention = f.n > 0;
		ad->completed = f.v[7];
		ad->retained = f.v[8];
		if (f.n)
			agg_rate(f.v[8], f.v[7], ad->retention_rate, sizeof ad->retention_rate);
		sr->status = f.n ? SUMMARY_ACCEPTED : SUMMARY_MISSING;
		memcpy(sr->v, f.v, sizeof sr->v);
		if (is_city) {
			r->ytd.n_counted = f.n;
			continue;
		}
		ad->code = sr->code = cfg->districts[d].code;
		ad->name = sr->name = cfg->districts[d].name;
		for (int m = 1; m <= as_of && !f.n; m++) {
			const struct agg_cell *c = agg_year_cell_const(y, d, m);
			if (c && c->state == AGG_REJECTED)
				sr->status = SUMMARY_REJECTED;
		}
	}
	r->ytd.total.code = "total";
	r->ytd.total.name = "合计";
	return 0;
}

/* The texts of the months' sign-off; approval_texts has 12 × 3 lines. */
static int annual_approvals(struct store *st, const struct jx_config *cfg, int year, int as_of,
			    struct annual_report *r, char (*approval_texts)[3][1536],
			    char *ytd_note, size_t ytd_size, char *err, size_t errlen)
{
	/* The year-to-date form names the months it sums that are signed off. */
	snprintf(ytd_note, ytd_size, "说明：本年已审核确认的月份：");
	size_t ytd_base = strlen(ytd_note);
	for (int m = 1; m <= 12; m++) {
		struct approval_month am;
		struct annual_approval *aa = &r->approval[m - 1];
		char(*t)[1536] = approval_texts[m - 1];
		char aerr[512];
		if (approval_month_read(st, cfg, year, m, &am, aerr, sizeof aerr)) {
			snprintf(err, errlen, "store: %s", aerr);
			return -1;
		}
		aa->approvals = am.approvals;
		aa->state = !am.approvals ? "未审核确认" : am.locked ? "已审核确认" : "已重新开放";
		if (am.locked && m <= as_of) {
			size_t l = strlen(ytd_note);
			snprintf(ytd_note + l, ytd_size - l, "%s%d月（第%d次）",
				 l > ytd_base ? "、" : "", m, am.last.number);
		}
		if (am.approvals) {
			approval_text(&am.last, cfg->timezone, t[0], sizeof t[0]);
			aa->approval = t[0];
			aa->left_out = am.left_out[0] ? strcpy(t[1], am.left_out) : "";
		}
		if (am.reopening.seq) {
			char when[40];
			approval_time_text(am.reopening.at, cfg->timezone, when, sizeof when);
			snprintf(t[2], sizeof t[2], "%s 由%s重新开放第%d次审核确认，原因：%s", when,
				 am.reopening.by, am.reopening.number, am.reopening.note);
			aa->reopened = t[2];
		}
	}
	if (strlen(ytd_note) == ytd_base)
		snprintf(ytd_note + ytd_base, ytd_size - ytd_base, "无");
	size_t l = strlen(ytd_note);
	snprintf(ytd_note + l, ytd_size - l, "。");
	return 0;
}

static int annual_xlsx(const void *r, const char *path, char *err, size_t errlen)
{
	return annual_write_xlsx(r, path, err, errlen);
}

int report_annual_write(struct store *st, const struct jx_config *cfg, int year, int as_of,
			const char *path, char *err, size_t errlen)
{
	struct agg_year y;
	memset(&y, 0, sizeof y);
	size_t n = cfg->n_districts ? cfg->n_districts : 1;
	struct annual_district *districts = calloc(n, sizeof *districts);
	struct summary_row *ytd_rows = calloc(n, sizeof *ytd_rows);
	struct attain_row *attain_rows = calloc(n, sizeof *attain_rows);
	char(*approval_texts)[3][1536] = calloc(12, sizeof *approval_texts);
	struct month_seen *seen = calloc(n * 12, sizeof *seen);
	struct annual_report r;
	memset(&r, 0, sizeof r);
	struct year_read yr = {cfg, &r, seen};
	int rc = -1;
	if (!districts || !ytd_rows || !attain_rows || !approval_texts || !seen) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	r.districts = districts;
	r.n_districts = cfg->n_districts;
	/* one read of the year's versions in force: the figures, and what
	 * timeliness and quality need (annual_month) */
	if (report_input_load_tap(st, cfg, year, REPORT_MONTHS_OF_YEAR, &y, annual_month, &yr, err,
				  errlen))
		goto out;
	if (!as_of)
		as_of = report_default_as_of(cfg, &y);

	char today[64], period[64], ytd_note[512];
	xu_today_text(cfg->timezone, today, sizeof today);
	snprintf(period, sizeof period, "%d年1—%d月累计", year, as_of);
	r.year = year;
	r.as_of_month = as_of;
	r.city = cfg->city;
	r.date_text = today;
	r.total.code = "total";
	/* The whole of the units: 全市 at a city; at a province (units 市),
	 * 合计. */
	r.total.name = strcmp(cfg->unit_label, "区县") ? "合计" : "全市";
	r.ytd = (struct summary_report){
	    .year = year,
	    .month = as_of,
	    .city = cfg->city,
	    .date_text = today,
	    .period_text = period,
	    .rows = ytd_rows,
	    .n_rows = cfg->n_districts,
	};
	if (annual_figures(cfg, &y, as_of, &r) ||
	    report_attain_build(cfg, &y, as_of, attain_rows, &r.attain)) {
		snprintf(err, errlen, TOO_BIG);
		goto out;
	}
	r.attain.date_text = today;
	if (annual_versions(st, cfg, year, as_of, &yr, err, errlen))
		goto out;
	r.unit_label = cfg->unit_label;
	r.ytd.unit_label = cfg->unit_label;
	if (annual_approvals(st, cfg, year, as_of, &r, approval_texts, ytd_note, sizeof ytd_note,
			     err, errlen))
		goto out;
	const char *ytd_notes[1] = {ytd_note};
	r.ytd.notes = ytd_notes;
	r.ytd.n_notes = 1;
	rc = write_xlsx_kept(path, annual_xlsx, &r, NULL, err, errlen);
out:
	free(seen);
	free(approval_texts);
	free(districts);
	free(ytd_rows);
	free(attain_rows);
	agg_year_release(&y);
	return rc;
}

/* ---- feedback ----------------------------------------------------------- */

/* The latest version received of each configured district. */
struct latest {
	int version; /* 0 when none */
	int64_t received_at;
	size_t findings; /* its errors and warnings */
};

struct latest_ctx {
	const struct jx_config *cfg;
	struct latest *latest; /* one per configured district */
};

static int note_version(void *vctx, const struct store_version *v)
{
	struct latest_ctx *ctx = vctx;
	int d = jx_config_district_find(ctx->cfg, v->district_code, JX_MATCH_EXACT);
	if (d < 0)
		return 0; /* a district no longer configured */
	struct latest *l = &ctx->latest[d];
	if (!l->version || v->received_at > l->received_at ||
	    (v->received_at == l->received_at && v->version > l->version)) {
		l->version = v->version;
		l->received_at = v->received_at;
		l->findings = v->errors + v->warnings;
	}
	return 0;
}

/* The local date of t in tz. */
static struct feedback_date local_date(int64_t t, const char *tz)
{
	char iso[40];
	struct feedback_date d = {0, 0, 0};
	jx_time_format(t, tz, iso, sizeof iso);
	if (sscanf(iso, "%d-%d-%d", &d.year, &d.month, &d.day) != 3)
		memset(&d, 0, sizeof d);
	return d;
}

/* A code that is safe as one folder name under the out folder. */
static int code_is_safe(const char *code)
{
	return *code && strcmp(code, ".") && strcmp(code, "..") && !strchr(code, '/') &&
	       !strchr(code, '\\');
}

struct paths {
	char dir[4096], csv[4096], xlsx[4096];
};

static int make_paths(struct paths *p, const char *out, const char *code, const char *period)
{
	int a = snprintf(p->dir, sizeof p->dir, "%s/%s", out, code);
	int b = snprintf(p->csv, sizeof p->csv, "%s/%s.csv", p->dir, period);
	int c = snprintf(p->xlsx, sizeof p->xlsx, "%s/%s.xlsx", p->dir, period);
	return a < 0 || b < 0 || c < 0 || (size_t)a >= sizeof p->dir ||
		       (size_t)b >= sizeof p->csv || (size_t)c >= sizeof p->xlsx
		   ? -1
		   : 0;
}

static int feedback_csv(const void *in, FILE *f)
{
	return feedback_write_csv(f, in);
}

static int feedback_xlsx(const void *in, const char *path, char *err, size_t errlen)
{
	return feedback_write_xlsx(path, in, err, errlen);
}

/* 1 when the file at path holds exactly the CSV listing of in. */
static int csv_same(const char *path, const struct feedback_input *in)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	if (!m)
		return 0;
	int ok = !feedback_write_csv(m, in);
	if (fclose(m))
		ok = 0;
	FILE *f = ok ? fopen(path, "rb") : NULL;
	int same = 0;
	if (f) {
		char *old = malloc(len + 1);
		same = old && fread(old, 1, len + 1, f) == len && !memcmp(old, text, len);
		free(old);
		fclose(f);
	}
	free(text);
	return same;
}

/* Writes one district's two files: the workbook first, so a listing whose
 * CSV is there is whole. */
static int write_district(const struct paths *p, const struct feedback_input *in, report_path_fn fn,
			  void *ctx, struct report_tally *t, char *err, size_t errlen)
{
	if (jx_mkdirs(p->dir)) {
		snprintf(err, errlen, "cannot create %s: %s", p->dir, strerror(errno));
		return -1;
	}
	/* A district that sent nothing: its notice is the same every night
	 * until it sends, and the workbook follows from the same input as
	 * the CSV: when the CSV is as it would be, both stay. */
	if (!in->sub && csv_same(p->csv, in) && access(p->xlsx, F_OK) == 0) {
		if (t)
			t->unchanged += 2;
	} else if (write_xlsx_kept(p->xlsx, feedback_xlsx, in, t, err, errlen) ||
		   write_csv_kept(p->csv, feedback_csv, in, t, err, errlen)) {
		return -1;
	}
	if (fn) {
		fn(ctx, p->csv);
		fn(ctx, p->xlsx);
	}
	return 0;
}

/* A district with nothing to fix: an older listing would send the clerk
 * after problems already fixed, so it goes. */
static int remove_stale(const struct paths *p, struct report_tally *t, char *err, size_t errlen)
{
	const char *files[] = {p->csv, p->xlsx};
	for (size_t i = 0; i < 2; i++) {
		if (!unlink(files[i])) {
			if (t)
				t->removed++;
		} else if (errno != ENOENT && errno != ENOTDIR) {
			snprintf(err, errlen, "cannot remove the old %s: %s", files[i],
				 strerror(errno));
			return -1;
		}
	}
	return 0;
}

int report_feedback_write_each(struct store *st, const struct jx_config *cfg, int year, int month,
			       const char *district_code, const char *out_dir, report_path_fn fn,
			       void *ctx, struct report_tally *t, int *bad_code, char *err,
			       size_t errlen)
{
	if (bad_code)
		*bad_code = 0;
	if (district_code && configured(cfg, district_code) < 0) {
		snprintf(err, errlen, "no district %s in the config", district_code);
		return -1;
	}
	char period[8];
	jx_period_format(year, month, period);
	struct latest *latest = calloc(cfg->n_districts + 1, sizeof *latest);
	if (!latest) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* one set read: the versions of the period, with their counts */
	struct latest_ctx lctx = {cfg, latest};
	if (store_list_versions(st, year, month, note_version, &lctx)) {
		snprintf(err, errlen, "cannot read the store: %s", store_error(st));
		free(latest);
		return -1;
	}
	int64_t end = deadline_end(cfg, year, month);
	struct feedback_date deadline = local_date(end - 1, cfg->timezone);
	int64_t now = (int64_t)time(NULL);

	int rc = 0;
	struct jx_submission sub;
	jx_submission_init(&sub);
	struct jx_findings missing;
	jx_findings_init(&missing);
	for (size_t d = 0; d < cfg->n_districts && !rc; d++) {
		const struct jx_district *dist = &cfg->districts[d];
		if (district_code && strcmp(district_code, dist->code))
			continue;
		struct paths p;
		if (!code_is_safe(dist->code) || make_paths(&p, out_dir, dist->code, period)) {
			snprintf(err, errlen, "district code '%s' cannot name a folder under %s",
				 dist->code, out_dir);
			if (bad_code)
				*bad_code = 1;
			rc = -1;
			break;
		}
		struct feedback_input in = {
		    .district_code = dist->code,
		    .district_name = dist->name,
		    .year = year,
		    .month = month,
		};
		const struct latest *l = &latest[d];
		if (l->version) {
			/* a version without findings, received in time, has
			 * nothing to say: read whole only the others */
			int late = l->received_at && l->received_at >= end;
			if (!l->findings && !late) {
				rc = remove_stale(&p, t, err, errlen);
				continue;
			}
			int got = store_get(st, dist->code, year, month, l->version, &sub, NULL);
			if (got) {
				snprintf(err, errlen,
					 "cannot read %s %s version %d from the store: %s",
					 dist->code, period, l->version,
					 got < 0 ? store_error(st) : "not found");
				rc = -1;
				break;
			}
			sub.district = (int)d;
			sub.district_code = dist->code;
			sub.district_name = dist->name;
			/* the late notice a version loaded without one (a file
			 * too broken to check) still owes the district */
			history_check_deadline(&sub, cfg);
			in.sub = &sub;
			in.findings = &sub.findings;
		} else {
			jx_findings_clear(&missing);
			if (now >= end && feedback_add_missing(&missing, dist->code, dist->name,
							       year, month, deadline)) {
				snprintf(err, errlen, "out of memory");
				rc = -1;
				break;
			}
			in.findings = &missing;
		}
		rc = in.findings->n ? write_district(&p, &in, fn, ctx, t, err, errlen)
				    : remove_stale(&p, t, err, errlen);
	}
	jx_findings_release(&missing);
	jx_submission_release(&sub);
	free(latest);
	return rc;
}

int report_feedback_write(struct store *st, const struct jx_config *cfg, int year, int month,
			  const char *district_code, const char *out_dir, char *err, size_t errlen)
{
	return report_feedback_write_each(st, cfg, year, month, district_code, out_dir, NULL, NULL,
					  NULL, NULL, err, errlen);
}
