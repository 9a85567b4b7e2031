/* jianxi annual: the year-end workbook (due before 12-10): year-to-date
 * totals, monthly trend, attainment, submission timeliness, data quality and
 * retention, from every stored version of the year. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/period.h"
#include "../etl/store.h"
#include "../reports/annual.h"
#include "../reports/xlsx_util.h"
#include "../transforms/aggregate.h"
#include "../transforms/approval.h"
#include "../transforms/deadline.h"
#include "../pipeline/approval.h"
#include "commands.h"
#include "common.h"
#include "../pipeline/report_input.h"

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

static int note_month(void *ctx, const struct store_month_state *s)
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

static int note_rule(void *ctx, const char *code, int month, enum jx_rule rule, size_t n)
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
static void tally_month(struct annual_timeliness *t, int m,
			enum annual_month_status st)
{
	t->month[m - 1] = st;
	switch (st) {
	case ANNUAL_ON_TIME: t->on_time++; break;
	case ANNUAL_LATE: t->late++; break;
	case ANNUAL_REJECTED: t->rejected++; break;
	case ANNUAL_MISSING: t->missing++; break;
	case ANNUAL_NOT_DUE: return;
	}
	t->due++;
}

/* Reads the versions of every month: timeliness (months up to as_of) and
 * findings by rule (every version of the year), in two set reads. Returns 0
 * or JX_EXIT_ENV. */
static int read_versions(const char *prog, struct store *st,
			 const struct jx_config *cfg, int year, int as_of,
			 struct annual_report *r)
{
	struct year_read yr = {cfg, r,
			       calloc(r->n_districts ? r->n_districts * 12 : 1, sizeof *yr.seen)};
	if (!yr.seen) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return JX_EXIT_ENV;
	}
	if (store_in_force(st, year, 1, 12, note_month, &yr) ||
	    store_rule_counts(st, year, 1, 12, note_rule, &yr)) {
		fprintf(stderr, "%s: cannot read the versions of %d: %s\n", prog, year,
			store_error(st));
		free(yr.seen);
		return JX_EXIT_ENV;
	}
	int64_t now = (int64_t)time(NULL);
	int first = jx_period_index(cfg->first_year, cfg->first_month);
	for (int m = 1; m <= 12; m++) {
		int counts = m <= as_of && jx_period_index(year, m) >= first;
		int64_t deadline = deadline_end(cfg, year, m);
		for (size_t d = 0; d < r->n_districts && counts; d++) {
			const struct month_seen *ms = &yr.seen[d * 12 + (size_t)(m - 1)];
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
			agg_rate(t->on_time, t->due, t->on_time_rate,
				 sizeof t->on_time_rate);
	}
	free(yr.seen);
	return 0;
}

/* Year to date, the monthly trend and retention from the aggregation. */
static int build_figures(const struct jx_config *cfg, const struct agg_year *y,
			 int as_of, struct annual_report *r)
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
		if (is_city ? agg_ytd_city(y, as_of, &f)
			    : agg_ytd_district(y, d, as_of, &f))
			return -1;
		ad->has_retention = f.n > 0;
		ad->completed = f.v[7];
		ad->retained = f.v[8];
		if (f.n)
			agg_rate(f.v[8], f.v[7], ad->retention_rate,
				 sizeof ad->retention_rate);
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

static const char usage_text[] =
	"usage: jianxi annual --year YYYY -o FILE.xlsx [--as-of YYYY-MM]\n"
	"                     [--config DIR] [--store URL]\n"
	"\n"
	"The year-end workbook: 全年汇总 (year to date by district in the form\n"
	"layout: flows summed, stocks and indicator 14 as last reported),\n"
	"月度趋势 (indicators 4, 6, 8, 9, 13 by month, with line charts),\n"
	"目标完成 (attainment), 报送及时性 (on time / late / rejected / missing\n"
	"per district and month), 数据质量 (findings of every stored version by\n"
	"rule and district) and 留用率 (Σ9 ÷ Σ8). Prints the path written.\n"
	"\n"
	"  --year YYYY       the year (required)\n"
	"  -o, --output FILE the workbook to write (required; written atomically)\n"
	"  --as-of YYYY-MM   last month counted; default: the latest month of the\n"
	"                    year with any accepted submission\n"
	"  --config DIR      config folder (else $JIANXI_CONFIG, else ./config)\n"
	"  --store URL       dir:PATH or PostgreSQL (else $JIANXI_STORE,\n"
	"                    else dir:./warehouse)\n"
	"\n"
	"Exit: 0 done, 2 usage or config error, 3 store or I/O failure.\n";


int cmd_annual(int argc, char **argv)
{
	static const char prog[] = "jianxi annual";
	struct cmd_opts o;
	int year, as_of = 0;
	if (cmd_parse_opts(prog, argc, argv, OPT_CONFIG | OPT_STORE | OPT_YEAR | OPT_AS_OF | OPT_OUTPUT, &o)) {
		fputs(usage_text, stderr);
		return JX_EXIT_USAGE;
	}
	if (o.help) {
		fputs(usage_text, stdout);
		return JX_EXIT_OK;
	}
	if (cmd_parse_year_as_of(prog, o.year, o.as_of, &year, &as_of))
		return JX_EXIT_USAGE;
	if (!o.output) {
		fprintf(stderr, "%s: -o FILE.xlsx is required\n", prog);
		return JX_EXIT_USAGE;
	}

	struct jx_config cfg;
	int rc = cmd_config_load(prog, o.config, &cfg);
	if (rc)
		return rc;
	struct store *st = NULL;
	struct agg_year y;
	struct annual_district *districts = NULL;
	struct summary_row *ytd_rows = NULL;
	struct attain_row *attain_rows = NULL;
	char(*approval_texts)[3][1536] = calloc(12, sizeof *approval_texts);
	char err[512];
	memset(&y, 0, sizeof y);
	rc = cmd_store_open(prog, o.store, 0, &st);
	if (rc)
		goto out;
	size_t n = cfg.n_districts ? cfg.n_districts : 1;
	districts = calloc(n, sizeof *districts);
	ytd_rows = calloc(n, sizeof *ytd_rows);
	attain_rows = calloc(n, sizeof *attain_rows);
	if (!districts || !ytd_rows || !attain_rows) {
		fprintf(stderr, "%s: out of memory\n", prog);
		rc = JX_EXIT_ENV;
		goto out;
	}
	char read_err[320];
	if (report_input_load(st, &cfg, year, REPORT_MONTHS_OF_YEAR, &y, read_err, sizeof read_err)) {
		fprintf(stderr, "%s: %s\n", prog, read_err);
		rc = JX_EXIT_ENV;
		goto out;
	}
	if (!as_of)
		as_of = report_default_as_of(&cfg, &y);

	char today[64], period[64];
	xu_today_text(cfg.timezone, today, sizeof today);
	snprintf(period, sizeof period, "%d年1—%d月累计", year, as_of);
	struct annual_report r;
	memset(&r, 0, sizeof r);
	r.year = year;
	r.as_of_month = as_of;
	r.city = cfg.city;
	r.date_text = today;
	r.districts = districts;
	r.n_districts = cfg.n_districts;
	r.total.code = "total";
	/* The whole of the units: 全市 at a city; at a province (units 市),
	 * 合计. */
	r.total.name = strcmp(cfg.unit_label, "区县") ? "合计" : "全市";
	r.ytd = (struct summary_report){
		.year = year, .month = as_of, .city = cfg.city,
		.date_text = today, .period_text = period, .rows = ytd_rows,
		.n_rows = cfg.n_districts,
	};
	if (build_figures(&cfg, &y, as_of, &r) ||
	    report_attain_build(&cfg, &y, as_of, attain_rows, &r.attain)) {
		fprintf(stderr, "%s: a total does not fit in 64 bits; check the stored figures\n",
			prog);
		rc = JX_EXIT_ENV;
		goto out;
	}
	r.attain.date_text = today;
	rc = read_versions(prog, st, &cfg, year, as_of, &r);
	if (rc)
		goto out;
	r.unit_label = cfg.unit_label;
	r.ytd.unit_label = cfg.unit_label;
	if (!approval_texts) {
		fprintf(stderr, "%s: out of memory\n", prog);
		rc = JX_EXIT_ENV;
		goto out;
	}
	/* The year-to-date form names the months it sums that are signed off. */
	char ytd_note[512] = "说明：本年已审核确认的月份：";
	size_t ytd_base = strlen(ytd_note);
	const char *ytd_notes[1] = {ytd_note};
	for (int m = 1; m <= 12; m++) {
		struct approval_month am;
		struct annual_approval *aa = &r.approval[m - 1];
		char(*t)[1536] = approval_texts[m - 1];
		if (approval_month_read(st, &cfg, year, m, &am, err, sizeof err)) {
			fprintf(stderr, "%s: store: %s\n", prog, err);
			rc = JX_EXIT_ENV;
			goto out;
		}
		aa->approvals = am.approvals;
		aa->state = !am.approvals ? "未审核确认" : am.locked ? "已审核确认" : "已重新开放";
		if (am.locked && m <= as_of) {
			size_t l = strlen(ytd_note);
			snprintf(ytd_note + l, sizeof ytd_note - l, "%s%d月（第%d次）",
				 l > ytd_base ? "、" : "", m, am.last.number);
		}
		if (am.approvals) {
			approval_text(&am.last, cfg.timezone, t[0], sizeof t[0]);
			aa->approval = t[0];
			aa->left_out = am.left_out[0] ? strcpy(t[1], am.left_out) : "";
		}
		if (am.reopening.seq) {
			char when[40];
			approval_time_text(am.reopening.at, cfg.timezone, when, sizeof when);
			snprintf(t[2], sizeof t[2], "%s 由%s重新开放第%d次审核确认，原因：%s", when,
				 am.reopening.by, am.reopening.number, am.reopening.note);
			aa->reopened = t[2];
		}
	}
	if (strlen(ytd_note) == ytd_base)
		snprintf(ytd_note + ytd_base, sizeof ytd_note - ytd_base, "无");
	size_t l = strlen(ytd_note);
	snprintf(ytd_note + l, sizeof ytd_note - l, "。");
	r.ytd.notes = ytd_notes;
	r.ytd.n_notes = 1;
	if (annual_write_xlsx(&r, o.output, err, sizeof err)) {
		fprintf(stderr, "%s: %s\n", prog, err);
		rc = JX_EXIT_ENV;
		goto out;
	}
	printf("%s\n", o.output);
out:
	free(approval_texts);
	free(districts);
	free(ytd_rows);
	free(attain_rows);
	agg_year_release(&y);
	store_close(st);
	jx_config_release(&cfg);
	return rc;
}
