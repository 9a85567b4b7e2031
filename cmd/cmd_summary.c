/* jianxi summary: the city summary of one month, from the versions in force
 * in the store, as the summary CSV or the official form in XLSX. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/period.h"
#include "../etl/store.h"
#include "../reports/summary.h"
#include "../reports/xlsx_util.h"
#include "../transforms/aggregate.h"
#include "../pipeline/approval.h"
#include "commands.h"
#include "common.h"
#include "../pipeline/report_input.h"

static const char usage_text[] =
	"usage: jianxi summary --period YYYY-MM [--config DIR] [--store URL]\n"
	"                      [--format csv|xlsx] [-o FILE]\n"
	"\n"
	"The city summary of one month from the versions in force in the store.\n"
	"CSV (default, to stdout or FILE): period,district_code,district_name,\n"
	"status,i1..i14, one row per configured district in config order\n"
	"(status accepted, missing or rejected; indicators empty unless\n"
	"accepted; i14 in 万元), then the total row (district_code \"total\",\n"
	"status empty) summing the accepted districts.\n"
	"XLSX (--format xlsx, needs -o): the official form with a 环比 sheet of\n"
	"month-over-month change (empty where either month has no accepted data).\n"
	"\n"
	"  --period YYYY-MM  the month (required)\n"
	"  --config DIR      config folder (else $JIANXI_CONFIG, else ./config)\n"
	"  --store URL       dir:PATH or PostgreSQL (else $JIANXI_STORE,\n"
	"                    else dir:./warehouse)\n"
	"  --format FMT      csv (default) or xlsx\n"
	"  -o, --output FILE write FILE (atomically) instead of stdout\n"
	"\n"
	"Exit: 0 done, 2 usage or config error, 3 store or I/O failure.\n";

static void fill_row(struct summary_row *row, const struct agg_cell *c,
		     const struct agg_change mom[JX_N_INDICATORS])
{
	row->status = c->state == AGG_ACCEPTED   ? SUMMARY_ACCEPTED
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
static int build_report(const struct jx_config *cfg, struct agg_year *y,
			int month, struct summary_report *r)
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
		fill_row(row, agg_year_cell(y, d, month), mom);
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

static int write_csv(const void *report, FILE *f)
{
	return summary_write_csv(report, f);
}

int cmd_summary(int argc, char **argv)
{
	static const char prog[] = "jianxi summary";
	struct cmd_opts o;
	int year, month;
	if (cmd_parse_opts(prog, argc, argv, OPT_CONFIG | OPT_STORE | OPT_PERIOD | OPT_FORMAT | OPT_OUTPUT, &o)) {
		fputs(usage_text, stderr);
		return JX_EXIT_USAGE;
	}
	if (o.help) {
		fputs(usage_text, stdout);
		return JX_EXIT_OK;
	}
	if (!o.period) {
		fprintf(stderr, "%s: --period YYYY-MM is required\n", prog);
		return JX_EXIT_USAGE;
	}
	if (cmd_parse_period(o.period, &year, &month)) {
		fprintf(stderr, "%s: --period %s is not a month (YYYY-MM)\n", prog,
			o.period);
		return JX_EXIT_USAGE;
	}
	int xlsx;
	if (cmd_parse_format(prog, o.format, o.output, &xlsx))
		return JX_EXIT_USAGE;

	struct jx_config cfg;
	int rc = cmd_config_load(prog, o.config, &cfg);
	if (rc)
		return rc;
	struct store *st = NULL;
	struct agg_year y;
	struct summary_row *rows = NULL;
	memset(&y, 0, sizeof y);
	rc = cmd_store_open(prog, o.store, 0, &st);
	if (rc)
		goto out;
	rows = calloc(cfg.n_districts ? cfg.n_districts : 1, sizeof *rows);
	if (!rows) {
		fprintf(stderr, "%s: out of memory\n", prog);
		rc = JX_EXIT_ENV;
		goto out;
	}
	char read_err[320];
	if (report_input_load(st, &cfg, year, (1u << month) | (1u << (month - 1)), &y, read_err, sizeof read_err)) {
		fprintf(stderr, "%s: %s\n", prog, read_err);
		rc = JX_EXIT_ENV;
		goto out;
	}

	char today[64];
	xu_today_text(cfg.timezone, today, sizeof today);
	struct summary_report r = {
		.year = year, .month = month, .city = cfg.city,
		.date_text = today, .rows = rows, .n_rows = cfg.n_districts,
	};
	if (build_report(&cfg, &y, month, &r)) {
		fprintf(stderr, "%s: a total does not fit in 64 bits; check the stored figures\n",
			prog);
		rc = JX_EXIT_ENV;
		goto out;
	}
	if (xlsx) {
		/* The form says whether the month is signed off, and by which
		 * approval (the CSV's columns are fixed). */
		char err[512], note[2048];
		struct approval_month am;
		if (approval_month_read(st, &cfg, year, month, &am, err, sizeof err)) {
			fprintf(stderr, "%s: store: %s\n", prog, err);
			rc = JX_EXIT_ENV;
			goto out;
		}
		approval_month_note(&am, &cfg, note, sizeof note);
		const char *notes[] = {note};
		r.notes = notes;
		r.n_notes = 1;
		r.unit_label = cfg.unit_label;
		if (summary_write_xlsx(&r, o.output, err, sizeof err)) {
			fprintf(stderr, "%s: %s\n", prog, err);
			rc = JX_EXIT_ENV;
		} else {
			printf("%s\n", o.output);
		}
	} else {
		rc = cmd_write_csv(prog, o.output, write_csv, &r);
	}
out:
	free(rows);
	agg_year_release(&y);
	store_close(st);
	jx_config_release(&cfg);
	return rc;
}
