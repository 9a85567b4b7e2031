/* jianxi report-up: the city's own form for the level above, from the
 * figures its latest approval signed off. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/period.h"
#include "../etl/store.h"
#include "../reports/report_up.h"
#include "../reports/xlsx_util.h"
#include "../pipeline/approval.h"
#include "commands.h"
#include "common.h"

static const char usage_text[] =
    "usage: jianxi report-up --period YYYY-MM -o FILE.xlsx [--config DIR]\n"
    "                        [--store URL]\n"
    "\n"
    "Writes the city's own 《就业见习岗位募集计划工作情况汇总表》 for the month,\n"
    "to send to the level above: the official layout with 填报单位 = the city\n"
    "(settings city), 统计期 = the month, one unit row per unit with an\n"
    "accepted form, the 合计 row and the footer. The figures are those the\n"
    "month's latest approval signed off (`jianxi approve`), and a note under\n"
    "the footer says which approval and names the units left out (never as\n"
    "empty cells). A province running jianxi, with this city in its\n"
    "districts.csv, reads the file as the city's form.\n"
    "\n"
    "  --period YYYY-MM   the month (required; it must be approved)\n"
    "  -o, --output FILE  the workbook to write (required; written atomically)\n"
    "  --config DIR       config folder (else $JIANXI_CONFIG, else ./config)\n"
    "  --store URL        dir:PATH or PostgreSQL (else $JIANXI_STORE,\n"
    "                     else dir:./warehouse)\n"
    "\n"
    "stdout: the path written.\n"
    "Exit: 0 written, 1 the month is not approved (or reopened since) or no\n"
    "unit has accepted figures, 2 usage or config error, 3 store or I/O\n"
    "failure.\n";

/* Builds the report from the approval's lines: accepted units only. */
static int build(const struct jx_config *cfg, const struct store_approval *a,
		 struct summary_row *rows, struct summary_report *r, char *left_out, size_t size)
{
	size_t n = 0, used = 0;
	left_out[0] = 0;
	memset(&r->total, 0, sizeof r->total);
	for (size_t i = 0; i < a->n_lines; i++) {
		const struct store_approval_line *l = &a->lines[i];
		int d = jx_config_district_find(cfg, l->district_code, JX_MATCH_EXACT);
		const char *name = d >= 0 ? cfg->districts[d].name : l->district_code;
		if (l->state != STORE_LINE_ACCEPTED) {
			int w = snprintf(left_out + used, size - used, "%s%s（%s）",
					 used ? "、" : "", name,
					 l->state == STORE_LINE_MISSING ? "未报送" : "未通过审核");
			if (w > 0 && (size_t)w < size - used)
				used += (size_t)w;
			continue;
		}
		struct summary_row *row = &rows[n++];
		row->code = l->district_code;
		row->name = name;
		row->status = SUMMARY_ACCEPTED;
		for (int k = 0; k < JX_N_INDICATORS; k++) {
			row->v[k] = l->v[k];
			if (__builtin_add_overflow(r->total.v[k], l->v[k], &r->total.v[k]))
				return -1;
		}
	}
	r->rows = rows;
	r->n_rows = n;
	r->n_counted = n;
	r->n_expected = a->n_lines;
	r->total.code = "total";
	r->total.name = "合计";
	r->total.status = n ? SUMMARY_ACCEPTED : SUMMARY_MISSING;
	return 0;
}

int cmd_report_up(int argc, char **argv)
{
	static const char prog[] = "jianxi report-up";
	struct cmd_opts o;
	int year, month;
	if (cmd_parse_opts(prog, argc, argv, OPT_CONFIG | OPT_STORE | OPT_PERIOD | OPT_OUTPUT,
			   &o)) {
		fputs(usage_text, stderr);
		return JX_EXIT_USAGE;
	}
	if (o.help) {
		fputs(usage_text, stdout);
		return JX_EXIT_OK;
	}
	if (!o.period || !o.output) {
		fprintf(stderr, "%s: --period YYYY-MM and -o FILE.xlsx are required\n", prog);
		return JX_EXIT_USAGE;
	}
	if (cmd_parse_period(o.period, &year, &month)) {
		fprintf(stderr, "%s: --period %s is not a month (YYYY-MM)\n", prog, o.period);
		return JX_EXIT_USAGE;
	}
	struct jx_config cfg;
	int rc = cmd_config_load(prog, o.config, &cfg);
	if (rc)
		return rc;
	struct store *st = NULL;
	struct store_approval a;
	struct summary_row *rows = NULL;
	memset(&a, 0, sizeof a);
	rc = cmd_store_open(prog, o.store, 0, &st);
	if (rc)
		goto out;
	struct store_approval last;
	int got = store_approval_state(st, year, month, &last);
	if (got == 0 && last.kind == STORE_APPROVED)
		got = store_approval_get(st, year, month, last.number, &a);
	if (got < 0) {
		fprintf(stderr, "%s: %s\n", prog, store_error(st));
		rc = JX_EXIT_ENV;
		goto out;
	}
	if (got == 1 || last.kind != STORE_APPROVED) {
		fprintf(stderr,
			"%s: %s is not approved%s: approve it first (jianxi approve --period %s)\n",
			prog, o.period, got == 1 ? "" : " (it was reopened)", o.period);
		rc = JX_EXIT_FINDINGS;
		goto out;
	}
	rows = calloc(a.n_lines ? a.n_lines : 1, sizeof *rows);
	if (!rows) {
		fprintf(stderr, "%s: out of memory\n", prog);
		rc = JX_EXIT_ENV;
		goto out;
	}
	char today[64], left_out[2048], approved[512], note_left[2304], note_approval[768];
	xu_today_text(cfg.timezone, today, sizeof today);
	struct summary_report r = {
	    .year = year,
	    .month = month,
	    .city = cfg.city,
	    .date_text = today,
	    .unit_label = cfg.unit_label,
	};
	if (build(&cfg, &a, rows, &r, left_out, sizeof left_out)) {
		fprintf(stderr, "%s: a total does not fit in 64 bits; check the stored figures\n",
			prog);
		rc = JX_EXIT_ENV;
		goto out;
	}
	if (!r.n_rows) {
		fprintf(stderr,
			"%s: no %s had an accepted form when %s was approved; nothing to send\n",
			prog, cfg.unit_label, o.period);
		rc = JX_EXIT_FINDINGS;
		goto out;
	}
	approval_text(&a, cfg.timezone, approved, sizeof approved);
	snprintf(note_approval, sizeof note_approval, "说明：本表为%s%d年%d月数据，经%s。",
		 cfg.city, year, month, approved);
	const char *notes[2] = {note_approval, note_left};
	r.notes = notes;
	r.n_notes = 1;
	if (left_out[0]) {
		snprintf(note_left, sizeof note_left, "说明：以下%s未计入本表：%s。",
			 cfg.unit_label, left_out);
		r.n_notes = 2;
	}
	char err[512];
	if (report_up_write_xlsx(&r, o.output, err, sizeof err)) {
		fprintf(stderr, "%s: %s\n", prog, err);
		rc = JX_EXIT_ENV;
		goto out;
	}
	printf("%s\n", o.output);
out:
	free(rows);
	store_approval_release(&a);
	store_close(st);
	jx_config_release(&cfg);
	return rc;
}
