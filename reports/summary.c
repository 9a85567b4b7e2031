/* The city summary of one month as CSV and as the official form in XLSX.
 * Indicators of districts that did not submit, or whose versions were all
 * rejected, are left empty: an empty cell is never a zero. */
#include "summary.h"

#include <stdio.h>
#include <string.h>

#include "../core/csvout.h"
#include "../core/period.h"

#define FORM_TITLE "就业见习岗位募集计划工作情况汇总表"
#define COL_NOTE (JX_N_INDICATORS + 1) /* 备注, after indicator 14 */

const char *summary_status_name(enum summary_status st)
{
	switch (st) {
	case SUMMARY_ACCEPTED:
		return "accepted";
	case SUMMARY_REJECTED:
		return "rejected";
	case SUMMARY_MISSING:
		break;
	}
	return "missing";
}

static void csv_row(FILE *f, const char *period, const char *code,
		    const char *name, const char *status, const int64_t *v)
{
	char vals[JX_N_INDICATORS][32];
	const char *fields[4 + JX_N_INDICATORS] = {period, code, name, status};
	for (int i = 0; i < JX_N_INDICATORS; i++) {
		vals[i][0] = 0;
		if (v)
			jx_indicator_format(i + 1, v[i], vals[i], sizeof vals[i]);
		fields[4 + i] = vals[i];
	}
	jx_csv_row(f, fields, 4 + JX_N_INDICATORS);
}

int summary_write_csv(const struct summary_report *r, FILE *f)
{
	char period[8];
	jx_period_format(r->year, r->month, period);
	fputs("period,district_code,district_name,status", f);
	for (int i = 1; i <= JX_N_INDICATORS; i++)
		fprintf(f, ",i%d", i);
	fputc('\n', f);
	for (size_t d = 0; d < r->n_rows; d++) {
		const struct summary_row *row = &r->rows[d];
		csv_row(f, period, row->code, row->name,
			summary_status_name(row->status),
			row->status == SUMMARY_ACCEPTED ? row->v : NULL);
	}
	/* The total has no status of its own; with nothing counted its
	 * indicators stay empty rather than read as zero. */
	csv_row(f, period, "total", "合计", "",
		r->n_counted ? r->total.v : NULL);
	if (fflush(f) || ferror(f))
		return -1;
	return 0;
}

static const char *note_of(enum summary_status st)
{
	switch (st) {
	case SUMMARY_MISSING:
		return "未报送";
	case SUMMARY_REJECTED:
		return "未通过审核";
	case SUMMARY_ACCEPTED:
		break;
	}
	return "";
}

static void period_label(const struct summary_report *r, char *buf,
			 size_t size)
{
	if (r->period_text)
		snprintf(buf, size, "%s", r->period_text);
	else
		snprintf(buf, size, "%d年%d月", r->year, r->month);
}

/* One data row of the form: name, 14 values or blanks, 备注. */
static lxw_error form_row(lxw_worksheet *ws, const struct xu_formats *fx,
			  lxw_row_t row, const char *name,
			  const struct summary_row *sr, int show, const char *note,
			  int bold)
{
	lxw_error e = LXW_NO_ERROR;
	xu_keep(&e, xu_write_text(ws, row, 0, name,
				  bold ? fx->text_bold : fx->text));
	for (int i = 0; i < JX_N_INDICATORS; i++) {
		if (show)
			xu_keep(&e, xu_write_indicator(ws, row, (lxw_col_t)(i + 1),
						       i + 1, sr->v[i], fx, bold));
		else
			xu_keep(&e, worksheet_write_blank(ws, row,
							  (lxw_col_t)(i + 1),
							  bold ? fx->blank_bold
							       : fx->blank));
	}
	xu_keep(&e, xu_write_text(ws, row, COL_NOTE, note,
				  bold ? fx->text_bold : fx->text));
	return e;
}

/* The two-level header of the form: 6 over 7, 8 over 9/10/11. */
static lxw_error form_header(lxw_worksheet *ws, const struct xu_formats *fx,
			     lxw_row_t h)
{
	lxw_error e = LXW_NO_ERROR;
	xu_keep(&e, worksheet_merge_range(ws, h, 0, h + 1, 0, "项目", fx->header));
	for (int no = 1; no <= JX_N_INDICATORS; no++) {
		lxw_col_t c = (lxw_col_t)no;
		const char *name = jx_indicator(no)->name;
		if (no == 6) {
			xu_keep(&e, worksheet_merge_range(ws, h, 6, h, 7, name,
							  fx->header));
			xu_keep(&e, worksheet_write_string(ws, h + 1, 6, "小计",
							   fx->header));
		} else if (no == 8) {
			xu_keep(&e, worksheet_merge_range(ws, h, 8, h, 11, name,
							  fx->header));
			xu_keep(&e, worksheet_write_string(ws, h + 1, 8, "小计",
							   fx->header));
		} else if (no == 7 || (no >= 9 && no <= 11)) {
			xu_keep(&e, worksheet_write_string(ws, h + 1, c, name,
							   fx->header));
		} else {
			xu_keep(&e, worksheet_merge_range(ws, h, c, h + 1, c,
							  name, fx->header));
		}
	}
	xu_keep(&e, worksheet_merge_range(ws, h, COL_NOTE, h + 1, COL_NOTE,
					  "备注", fx->header));
	/* The number row that identifies the columns. */
	xu_keep(&e, worksheet_write_blank(ws, h + 2, 0, fx->header));
	for (int no = 1; no <= JX_N_INDICATORS; no++)
		xu_keep(&e, worksheet_write_number(ws, h + 2, (lxw_col_t)no, no,
						   fx->header));
	xu_keep(&e, worksheet_write_blank(ws, h + 2, COL_NOTE, fx->header));
	worksheet_set_row(ws, h, 66, NULL);
	worksheet_set_row(ws, h + 1, 80, NULL);
	return e;
}

static void print_setup(lxw_worksheet *ws, lxw_row_t first_repeat,
			lxw_row_t last_repeat)
{
	worksheet_set_landscape(ws);
	worksheet_set_paper(ws, 9); /* A4 */
	worksheet_fit_to_pages(ws, 1, 0);
	worksheet_repeat_rows(ws, first_repeat, last_repeat);
	worksheet_set_margins(ws, 0.4, 0.4, 0.6, 0.6);
}

lxw_error summary_form_sheet(struct xu_book *b, const char *sheet_name,
			     const char *title, const struct summary_report *r)
{
	const struct xu_formats *fx = &b->fmt;
	lxw_worksheet *ws = workbook_add_worksheet(b->wb, sheet_name);
	if (!ws)
		return LXW_ERROR_MEMORY_MALLOC_FAILED;
	lxw_error e = LXW_NO_ERROR;
	char line[256], period[96];
	period_label(r, period, sizeof period);

	worksheet_set_column(ws, 0, 0, 18, NULL);
	worksheet_set_column(ws, 1, JX_N_INDICATORS, 9.5, NULL);
	worksheet_set_column(ws, COL_NOTE, COL_NOTE, 11, NULL);

	xu_keep(&e, xu_merge_text(ws, 0, 0, 0, COL_NOTE,
				  title ? title : FORM_TITLE, fx->title));
	worksheet_set_row(ws, 0, 30, NULL);
	snprintf(line, sizeof line, "统计期：%s", period);
	xu_keep(&e, xu_merge_text(ws, 1, 0, 1, 7, line, fx->note));
	xu_keep(&e, xu_merge_text(ws, 1, 11, 1, COL_NOTE, "单位：个、人、万元",
				  fx->note_right));
	xu_keep(&e, form_header(ws, fx, 2));

	lxw_row_t row = 5;
	for (size_t d = 0; d < r->n_rows; d++, row++) {
		const struct summary_row *sr = &r->rows[d];
		xu_keep(&e, form_row(ws, fx, row, sr->name, sr,
				     sr->status == SUMMARY_ACCEPTED,
				     note_of(sr->status), 0));
	}
	snprintf(line, sizeof line, "%zu/%zu 个%s计入", r->n_counted,
		 r->n_expected ? r->n_expected : r->n_rows,
		 r->unit_label ? r->unit_label : "区县");
	xu_keep(&e, form_row(ws, fx, row, "合计", &r->total, r->n_counted > 0,
			     line, 1));
	row += 2;
	snprintf(line, sizeof line, "填报单位：%s", r->city ? r->city : "");
	xu_keep(&e, xu_merge_text(ws, row, 0, row, 7, line, fx->note));
	snprintf(line, sizeof line, "填报时间：%s",
		 r->date_text ? r->date_text : "");
	xu_keep(&e, xu_merge_text(ws, row, 8, row, COL_NOTE, line, fx->note));
	for (size_t i = 0; i < r->n_notes; i++) {
		row++;
		xu_keep(&e, xu_merge_text(ws, row, 0, row, COL_NOTE, r->notes[i], fx->note));
	}

	worksheet_freeze_panes(ws, 5, 1);
	print_setup(ws, 2, 4);
	return e;
}

/* The 环比 sheet: for each indicator the change and the change in percent. */
static lxw_error mom_sheet(struct xu_book *b, const struct summary_report *r)
{
	const struct xu_formats *fx = &b->fmt;
	lxw_worksheet *ws = workbook_add_worksheet(b->wb, "环比");
	if (!ws)
		return LXW_ERROR_MEMORY_MALLOC_FAILED;
	lxw_error e = LXW_NO_ERROR;
	char line[256];
	int py = r->month == 1 ? r->year - 1 : r->year;
	int pm = r->month == 1 ? 12 : r->month - 1;
	lxw_col_t last = 2 * JX_N_INDICATORS;

	worksheet_set_column(ws, 0, 0, 18, NULL);
	worksheet_set_column(ws, 1, last, 8.5, NULL);
	snprintf(line, sizeof line, "%s环比（%d年%d月较%d年%d月）", FORM_TITLE,
		 r->year, r->month, py, pm);
	xu_keep(&e, xu_merge_text(ws, 0, 0, 0, last, line, fx->title));
	worksheet_set_row(ws, 0, 30, NULL);
	xu_keep(&e, xu_merge_text(ws, 1, 0, 1, 20,
				  "增减 = 本月 − 上月；增减率 = 增减 ÷ 上月。"
				  "本月或上月未报送、未通过审核时为空。",
				  fx->note));
	xu_keep(&e, xu_merge_text(ws, 1, 21, 1, last, "单位：个、人、万元",
				  fx->note_right));

	xu_keep(&e, worksheet_merge_range(ws, 2, 0, 3, 0, "项目", fx->header));
	for (int no = 1; no <= JX_N_INDICATORS; no++) {
		lxw_col_t c = (lxw_col_t)(2 * no - 1);
		snprintf(line, sizeof line, "%d %s", no, jx_indicator(no)->name);
		xu_keep(&e, worksheet_merge_range(ws, 2, c, 2, c + 1, line,
						  fx->header));
		xu_keep(&e, worksheet_write_string(ws, 3, c, "增减", fx->header));
		xu_keep(&e, worksheet_write_string(ws, 3, c + 1, "增减率",
						   fx->header));
	}
	worksheet_set_row(ws, 2, 80, NULL);

	lxw_row_t row = 4;
	for (size_t d = 0; d <= r->n_rows; d++, row++) {
		int is_total = d == r->n_rows;
		const struct summary_row *sr = is_total ? &r->total : &r->rows[d];
		xu_keep(&e, xu_write_text(ws, row, 0, is_total ? "合计" : sr->name,
					  is_total ? fx->text_bold : fx->text));
		for (int i = 0; i < JX_N_INDICATORS; i++) {
			const struct summary_change *ch = &sr->mom[i];
			lxw_col_t c = (lxw_col_t)(2 * i + 1);
			if (ch->defined)
				xu_keep(&e, xu_write_indicator(ws, row, c, i + 1,
							       ch->delta, fx,
							       is_total));
			else
				xu_keep(&e, worksheet_write_blank(
						    ws, row, c,
						    is_total ? fx->blank_bold
							     : fx->blank));
			xu_keep(&e, xu_write_rate(ws, row, c + 1,
						  ch->defined ? ch->pct : "",
						  100, fx, is_total));
		}
	}
	worksheet_freeze_panes(ws, 4, 1);
	print_setup(ws, 2, 3);
	return e;
}

int summary_write_xlsx(const struct summary_report *r, const char *path,
		       char *err, size_t errlen)
{
	struct xu_book b;
	if (xu_book_open(&b, path, err, errlen))
		return -1;
	lxw_error e = summary_form_sheet(&b, "汇总表", NULL, r);
	xu_keep(&e, mom_sheet(&b, r));
	if (e != LXW_NO_ERROR) {
		snprintf(err, errlen, "cannot write %s: %s", path,
			 lxw_strerror(e));
		xu_book_abort(&b);
		return -1;
	}
	return xu_book_commit(&b, err, errlen);
}
