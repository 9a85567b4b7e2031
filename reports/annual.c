/* The year-end workbook. Every figure arrives computed (integer totals and
 * decimal-text rates from transforms/aggregate); this file lays out the
 * sheets, writes numbers as numbers and draws the trend and attainment
 * charts from the cells it wrote. */
#include "annual.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The indicators of the trend sheet. */
static const int trend_indicators[] = {4, 6, 8, 9, 13};
#define N_TREND (sizeof trend_indicators / sizeof trend_indicators[0])

/* Short Chinese descriptions of the rules, for the quality sheet. */
static const char *rule_text(enum jx_rule rule)
{
	static const char *const text[JX_RULE_COUNT] = {
		[JX_R1] = "指标1应不小于指标2",
		[JX_R2] = "指标3应不小于指标4",
		[JX_R3] = "指标5应不小于指标6",
		[JX_R4] = "指标6应不小于指标7",
		[JX_R5] = "指标8应不小于指标9与指标11之和",
		[JX_R6] = "指标9应不小于指标10",
		[JX_T1] = "指标单元格为空",
		[JX_T2] = "不是数字",
		[JX_T3] = "负数",
		[JX_T4] = "不是整数或小数位过多",
		[JX_S1] = "文件无法读取",
		[JX_S2] = "表格格式无法识别",
		[JX_S3] = "填报单位未知或缺失",
		[JX_S4] = "统计期缺失或有误",
		[JX_S5] = "填报单位或统计期前后不一致",
		[JX_S6] = "合计行与各单位之和不符",
		[JX_S7] = "同一单位同一统计期重复",
		[JX_C1] = "指标14小于本年此前月份",
		[JX_C2] = "在岗人数与上月存量流量不符",
		[JX_C3] = "与上月相比变动异常",
		[JX_C4] = "补贴资金数疑似误按元填报",
		[JX_L1] = "逾期报送",
		[JX_A1] = "该月已审核锁定后报送",
	};
	if ((int)rule < 0 || rule >= JX_RULE_COUNT || !text[rule])
		return "";
	return text[rule];
}

static const char *month_status_text(enum annual_month_status st)
{
	switch (st) {
	case ANNUAL_ON_TIME:
		return "按时";
	case ANNUAL_LATE:
		return "逾期";
	case ANNUAL_REJECTED:
		return "未通过";
	case ANNUAL_MISSING:
		return "未报送";
	case ANNUAL_NOT_DUE:
		break;
	}
	return "";
}

static const char *unit_of(const struct annual_report *r)
{
	return r->unit_label && *r->unit_label ? r->unit_label : "区县";
}

/* The name of the total over all units: 全市 at a city. */
static const char *total_name(const struct annual_report *r)
{
	return r->total.name && *r->total.name ? r->total.name : "全市";
}

static lxw_error title_rows(lxw_worksheet *ws, const struct xu_formats *fx,
			    lxw_col_t last, const char *title, const char *note)
{
	lxw_error e = LXW_NO_ERROR;
	xu_keep(&e, xu_merge_text(ws, 0, 0, 0, last, title, fx->title));
	worksheet_set_row(ws, 0, 30, NULL);
	xu_keep(&e, xu_merge_text(ws, 1, 0, 1, last, note, fx->note));
	return e;
}

static void print_setup(lxw_worksheet *ws, lxw_row_t r1, lxw_row_t r2)
{
	worksheet_set_landscape(ws);
	worksheet_set_paper(ws, 9);
	worksheet_fit_to_pages(ws, 1, 0);
	worksheet_repeat_rows(ws, r1, r2);
}

static lxw_error count_cell(lxw_worksheet *ws, const struct xu_formats *fx,
			    lxw_row_t row, lxw_col_t col, double v, int bold)
{
	return worksheet_write_number(ws, row, col, v,
				      bold ? fx->count_bold : fx->count);
}

/* Writes text already made fit for a cell (xu_clean_text, or a constant
 * of this file): what xu_write_text writes, without cleaning it again. */
static lxw_error clean_cell(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *clean,
			    lxw_format *fmt)
{
	return *clean ? worksheet_write_string(ws, row, col, clean, fmt)
		      : worksheet_write_blank(ws, row, col, fmt);
}

static void names_free(char **names, size_t n)
{
	for (size_t d = 0; d < n; d++)
		free(names[d]);
	free(names);
}

/* --- 月度趋势 ---------------------------------------------------------- */

static void trend_chart(struct xu_book *b, lxw_worksheet *ws,
			const char *sheet, int no, lxw_col_t col,
			lxw_row_t first, lxw_row_t at, lxw_col_t at_col)
{
	lxw_chart *chart = workbook_add_chart(b->wb, LXW_CHART_LINE);
	if (!chart)
		return;
	lxw_chart_series *s = chart_add_series(chart, NULL, NULL);
	chart_series_set_categories(s, sheet, first, 0, first + 11, 0);
	chart_series_set_values(s, sheet, first, col, first + 11, col);
	chart_series_set_marker_type(s, LXW_CHART_MARKER_AUTOMATIC);
	char title[160];
	snprintf(title, sizeof title, "%d %s", no, jx_indicator(no)->name);
	chart_series_set_name(s, title);
	chart_title_set_name(chart, title);
	chart_legend_set_position(chart, LXW_CHART_LEGEND_NONE);
	chart_show_blanks_as(chart, LXW_CHART_BLANKS_AS_GAP);
	lxw_chart_options opt = {.x_scale = 1.2, .y_scale = 1.0};
	worksheet_insert_chart_opt(ws, at, at_col, chart, &opt);
}

static lxw_error trend_sheet(struct xu_book *b, const struct annual_report *r,
			     char *const *names)
{
	static const char sheet[] = "月度趋势";
	const struct xu_formats *fx = &b->fmt;
	lxw_worksheet *ws = workbook_add_worksheet(b->wb, sheet);
	if (!ws)
		return LXW_ERROR_MEMORY_MALLOC_FAILED;
	lxw_error e = LXW_NO_ERROR;
	char line[256];

	worksheet_set_column(ws, 0, 0, 18, NULL);
	worksheet_set_column(ws, 1, 12, 10, NULL);
	snprintf(line, sizeof line, "%s%d年就业见习主要指标月度趋势",
		 r->city ? r->city : "", r->year);
	char note[256];
	snprintf(note, sizeof note,
		 "%s为当月已通过审核%s之和；未报送或未通过审核的月份为空。单位：个、人",
		 total_name(r), unit_of(r));
	xu_keep(&e, title_rows(ws, fx, 12, line, note));

	/* City totals: months down, indicators across. */
	lxw_row_t row = 3;
	xu_keep(&e, worksheet_write_string(ws, row, 0, "月份", fx->header));
	for (size_t k = 0; k < N_TREND; k++) {
		int no = trend_indicators[k];
		snprintf(line, sizeof line, "%d %s", no, jx_indicator(no)->name);
		xu_keep(&e, worksheet_write_string(ws, row, (lxw_col_t)(k + 1),
						   line, fx->header));
	}
	snprintf(line, sizeof line, "计入%s数", unit_of(r));
	xu_keep(&e, worksheet_write_string(ws, row, N_TREND + 1, line, fx->header));
	worksheet_set_row(ws, row, 48, NULL);
	lxw_row_t first = row + 1;
	for (int m = 0; m < 12; m++) {
		lxw_row_t rr = (lxw_row_t)(first + m);
		snprintf(line, sizeof line, "%d月", m + 1);
		xu_keep(&e, worksheet_write_string(ws, rr, 0, line, fx->text));
		for (size_t k = 0; k < N_TREND; k++) {
			lxw_col_t c = (lxw_col_t)(k + 1);
			if (r->total.accepted[m])
				xu_keep(&e, count_cell(ws, fx, rr, c,
						       (double)r->total.month_v[m]
									[trend_indicators[k] - 1],
						       0));
			else
				xu_keep(&e, worksheet_write_blank(ws, rr, c, fx->blank));
		}
		xu_keep(&e, count_cell(ws, fx, rr, N_TREND + 1,
				       (double)r->total.counted[m], 0));
	}
	for (size_t k = 0; k < N_TREND; k++)
		trend_chart(b, ws, sheet, trend_indicators[k], (lxw_col_t)(k + 1),
			    first, (lxw_row_t)(3 + 16 * k), 14);

	/* One block per indicator: districts down, months across. */
	row = first + 13;
	for (size_t k = 0; k < N_TREND; k++) {
		int no = trend_indicators[k];
		snprintf(line, sizeof line, "指标%d %s（各%s分月）", no,
			 jx_indicator(no)->name, unit_of(r));
		xu_keep(&e, xu_write_text(ws, row, 0, line, fx->text_bold));
		row++;
		xu_keep(&e, xu_write_text(ws, row, 0, unit_of(r), fx->header));
		for (int m = 0; m < 12; m++) {
			snprintf(line, sizeof line, "%d月", m + 1);
			xu_keep(&e, worksheet_write_string(ws, row,
							   (lxw_col_t)(m + 1), line,
							   fx->header));
		}
		row++;
		for (size_t d = 0; d <= r->n_districts; d++, row++) {
			int is_total = d == r->n_districts;
			const struct annual_district *ad =
				is_total ? &r->total : &r->districts[d];
			xu_keep(&e, is_total ? xu_write_text(ws, row, 0, total_name(r),
							     fx->text_bold)
					     : clean_cell(ws, row, 0, names[d], fx->text));
			for (int m = 0; m < 12; m++) {
				lxw_col_t c = (lxw_col_t)(m + 1);
				if (ad->accepted[m])
					xu_keep(&e, count_cell(ws, fx, row, c,
							       (double)ad->month_v[m][no - 1],
							       is_total));
				else
					xu_keep(&e, worksheet_write_blank(
							    ws, row, c,
							    is_total ? fx->blank_bold
								     : fx->blank));
			}
		}
		row++;
	}
	print_setup(ws, 3, 3);
	return e;
}

/* --- 报送及时性 -------------------------------------------------------- */

/* name is clean (clean_cell). */
static lxw_error timeliness_row(lxw_worksheet *ws, const struct xu_formats *fx,
				lxw_row_t row, const char *name,
				const struct annual_timeliness *t, int bold)
{
	lxw_error e = LXW_NO_ERROR;
	xu_keep(&e, clean_cell(ws, row, 0, name, bold ? fx->text_bold : fx->text));
	const int counts[] = {t->due, t->on_time, t->late, t->rejected, t->missing};
	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
		xu_keep(&e, count_cell(ws, fx, row, (lxw_col_t)(i + 1), counts[i],
				       bold));
	xu_keep(&e, xu_write_rate(ws, row, 6, t->on_time_rate, 1, fx, bold));
	for (int m = 0; m < 12; m++)
		xu_keep(&e, clean_cell(ws, row, (lxw_col_t)(7 + m),
				       bold ? "" : month_status_text(t->month[m]),
				       bold ? fx->text_bold : fx->text));
	return e;
}

static lxw_error timeliness_sheet(struct xu_book *b, const struct annual_report *r,
				  char *const *names)
{
	const struct xu_formats *fx = &b->fmt;
	lxw_worksheet *ws = workbook_add_worksheet(b->wb, "报送及时性");
	if (!ws)
		return LXW_ERROR_MEMORY_MALLOC_FAILED;
	lxw_error e = LXW_NO_ERROR;
	char line[256];
	worksheet_set_column(ws, 0, 0, 18, NULL);
	worksheet_set_column(ws, 1, 6, 9, NULL);
	worksheet_set_column(ws, 7, 18, 6.5, NULL);
	snprintf(line, sizeof line, "%d年各%s月报报送及时情况", r->year, unit_of(r));
	xu_keep(&e, title_rows(ws, fx, 18, line,
			       "按生效版本计：截止日为次月约定日，遇节假日顺延；"
			       "未到截止日且未报送的月份不计入应报月数。"));
	const char *const head[] = {unit_of(r), "应报月数", "按时", "逾期",
				    "未通过审核", "未报送", "按时率"};
	lxw_row_t row = 3;
	for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
		xu_keep(&e, xu_write_text(ws, row, (lxw_col_t)i, head[i], fx->header));
	for (int m = 0; m < 12; m++) {
		snprintf(line, sizeof line, "%d月", m + 1);
		xu_keep(&e, worksheet_write_string(ws, row, (lxw_col_t)(7 + m),
						   line, fx->header));
	}
	row++;
	for (size_t d = 0; d < r->n_districts; d++, row++)
		xu_keep(&e, timeliness_row(ws, fx, row, names[d], &r->districts[d].timely, 0));
	xu_keep(&e, timeliness_row(ws, fx, row, "合计", &r->total.timely, 1));

	/* Late, rejected and missing months stand out; blanks (not due) not. */
	lxw_conditional_format cf;
	memset(&cf, 0, sizeof cf);
	cf.type = LXW_CONDITIONAL_TYPE_FORMULA;
	cf.value_string = "=AND(H5<>\"\",H5<>\"按时\")";
	cf.format = fx->alert;
	xu_keep(&e, worksheet_conditional_format_range(ws, 4, 7, row - 1, 18,
						       &cf));
	worksheet_freeze_panes(ws, 4, 1);
	print_setup(ws, 3, 3);
	return e;
}

/* --- 数据质量 ---------------------------------------------------------- */

static lxw_error quality_sheet(struct xu_book *b, const struct annual_report *r,
			       char *const *names)
{
	const struct xu_formats *fx = &b->fmt;
	lxw_worksheet *ws = workbook_add_worksheet(b->wb, "数据质量");
	if (!ws)
		return LXW_ERROR_MEMORY_MALLOC_FAILED;
	lxw_error e = LXW_NO_ERROR;
	char line[256];
	lxw_col_t last = (lxw_col_t)(4 + JX_RULE_COUNT);
	worksheet_set_column(ws, 0, 0, 18, NULL);
	worksheet_set_column(ws, 1, 4, 9, NULL);
	worksheet_set_column(ws, 5, last, 5.5, NULL);
	snprintf(line, sizeof line, "%d年各%s报表数据质量", r->year, unit_of(r));
	xu_keep(&e, title_rows(ws, fx, last, line,
			       "按全年所有报送版本（含未通过审核的版本）统计各规则的问题数。"));

	lxw_row_t row = 3;
	const char *const head[] = {unit_of(r), "报送版本数", "未通过审核", "错误数",
				    "警告数"};
	for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
		xu_keep(&e, xu_write_text(ws, row, (lxw_col_t)i, head[i], fx->header));
	for (int k = 0; k < JX_RULE_COUNT; k++)
		xu_keep(&e, worksheet_write_string(ws, row, (lxw_col_t)(5 + k),
						   jx_rule_id((enum jx_rule)k),
						   fx->header));
	row++;
	for (size_t d = 0; d <= r->n_districts; d++, row++) {
		int bold = d == r->n_districts;
		const struct annual_district *ad =
			bold ? &r->total : &r->districts[d];
		const struct annual_quality *q = &ad->quality;
		xu_keep(&e, clean_cell(ws, row, 0, bold ? "合计" : names[d],
				       bold ? fx->text_bold : fx->text));
		const size_t counts[] = {q->versions, q->rejected, q->errors,
					 q->warnings};
		for (size_t i = 0; i < 4; i++)
			xu_keep(&e, count_cell(ws, fx, row, (lxw_col_t)(i + 1),
					       (double)counts[i], bold));
		for (int k = 0; k < JX_RULE_COUNT; k++)
			xu_keep(&e, count_cell(ws, fx, row, (lxw_col_t)(5 + k),
					       (double)q->by_rule[k], bold));
	}

	/* By rule, for the whole city. */
	row += 1;
	static const char *const rhead[] = {"规则", "级别", "说明", "问题数"};
	for (size_t i = 0; i < 4; i++)
		xu_keep(&e, worksheet_write_string(ws, row, (lxw_col_t)i, rhead[i],
						   fx->header));
	row++;
	for (int k = 0; k < JX_RULE_COUNT; k++, row++) {
		enum jx_rule rule = (enum jx_rule)k;
		xu_keep(&e, worksheet_write_string(ws, row, 0, jx_rule_id(rule),
						   fx->text));
		xu_keep(&e, worksheet_write_string(
				    ws, row, 1,
				    jx_rule_severity(rule) == JX_SEV_ERROR ? "错误"
									  : "警告",
				    fx->text));
		xu_keep(&e, worksheet_write_string(ws, row, 2, rule_text(rule),
						   fx->text));
		xu_keep(&e, count_cell(ws, fx, row, 3,
				       (double)r->total.quality.by_rule[k], 0));
	}
	worksheet_freeze_panes(ws, 4, 1);
	print_setup(ws, 3, 3);
	return e;
}

/* --- 留用率 ------------------------------------------------------------ */

static lxw_error retention_sheet(struct xu_book *b, const struct annual_report *r,
				 char *const *names)
{
	const struct xu_formats *fx = &b->fmt;
	lxw_worksheet *ws = workbook_add_worksheet(b->wb, "留用率");
	if (!ws)
		return LXW_ERROR_MEMORY_MALLOC_FAILED;
	lxw_error e = LXW_NO_ERROR;
	char line[256];
	worksheet_set_column(ws, 0, 0, 18, NULL);
	worksheet_set_column(ws, 1, 3, 16, NULL);
	snprintf(line, sizeof line, "%d年各%s见习留用率", r->year, unit_of(r));
	xu_keep(&e, title_rows(ws, fx, 3, line,
			       "留用率 = 被见习基地留用人数（指标9）÷ 本期完成见习人数"
			       "（指标8），按已通过审核的各月累计。"));
	const char *const head[] = {unit_of(r), "完成见习人数", "被见习基地留用人数",
				    "留用率"};
	lxw_row_t row = 3;
	for (size_t i = 0; i < 4; i++)
		xu_keep(&e, xu_write_text(ws, row, (lxw_col_t)i, head[i], fx->header));
	row++;
	for (size_t d = 0; d <= r->n_districts; d++, row++) {
		int bold = d == r->n_districts;
		const struct annual_district *ad =
			bold ? &r->total : &r->districts[d];
		lxw_format *blank = bold ? fx->blank_bold : fx->blank;
		xu_keep(&e, clean_cell(ws, row, 0, bold ? "合计" : names[d],
				       bold ? fx->text_bold : fx->text));
		if (ad->has_retention) {
			xu_keep(&e, count_cell(ws, fx, row, 1,
					       (double)ad->completed, bold));
			xu_keep(&e, count_cell(ws, fx, row, 2,
					       (double)ad->retained, bold));
		} else {
			xu_keep(&e, worksheet_write_blank(ws, row, 1, blank));
			xu_keep(&e, worksheet_write_blank(ws, row, 2, blank));
		}
		xu_keep(&e, xu_write_rate(ws, row, 3,
					  ad->has_retention ? ad->retention_rate
							    : "",
					  1, fx, bold));
	}
	print_setup(ws, 3, 3);
	return e;
}

/* --- 审核情况 ---------------------------------------------------------- */

static lxw_error approval_sheet(struct xu_book *b, const struct annual_report *r)
{
	const struct xu_formats *fx = &b->fmt;
	lxw_worksheet *ws = workbook_add_worksheet(b->wb, "审核情况");
	if (!ws)
		return LXW_ERROR_MEMORY_MALLOC_FAILED;
	lxw_error e = LXW_NO_ERROR;
	char line[256];
	worksheet_set_column(ws, 0, 0, 10, NULL);
	worksheet_set_column(ws, 1, 2, 11, NULL);
	worksheet_set_column(ws, 3, 3, 40, NULL);
	worksheet_set_column(ws, 4, 4, 24, NULL);
	worksheet_set_column(ws, 5, 5, 48, NULL);
	snprintf(line, sizeof line, "%s%d年各月数据审核确认情况", r->city ? r->city : "",
		 r->year);
	xu_keep(&e, title_rows(ws, fx, 5, line,
			       "审核确认后该月锁定：之后报送的文件留存备查但不计入（规则 A1），"
			       "重新开放须说明原因，原因与时间均留存。"));
	snprintf(line, sizeof line, "审核时未计入的%s", unit_of(r));
	const char *const head[] = {"统计期", "审核状态", "审核次数", "最近一次审核确认",
				    line, "最近一次重新开放"};
	lxw_row_t row = 3;
	for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
		xu_keep(&e, xu_write_text(ws, row, (lxw_col_t)i, head[i], fx->header));
	row++;
	for (int m = 0; m < 12; m++, row++) {
		const struct annual_approval *a = &r->approval[m];
		snprintf(line, sizeof line, "%d年%d月", r->year, m + 1);
		xu_keep(&e, xu_write_text(ws, row, 0, line, fx->text));
		xu_keep(&e, xu_write_text(ws, row, 1, a->state ? a->state : "未审核确认", fx->text));
		xu_keep(&e, count_cell(ws, fx, row, 2, (double)a->approvals, 0));
		xu_keep(&e, xu_write_text(ws, row, 3, a->approval, fx->text));
		xu_keep(&e, xu_write_text(ws, row, 4, a->left_out, fx->text));
		xu_keep(&e, xu_write_text(ws, row, 5, a->reopened, fx->text));
	}
	worksheet_freeze_panes(ws, 4, 1);
	print_setup(ws, 3, 3);
	return e;
}

int annual_write_xlsx(const struct annual_report *r, const char *path,
		      char *err, size_t errlen)
{
	/* each unit's name made fit for a cell once, for the five sheets
	 * that list the units */
	char **names = calloc(r->n_districts ? r->n_districts : 1, sizeof *names);
	for (size_t d = 0; names && d < r->n_districts; d++)
		if (!(names[d] = xu_clean_text(r->districts[d].name))) {
			names_free(names, d);
			names = NULL;
		}
	if (!names) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	struct xu_book b;
	if (xu_book_open(&b, path, err, errlen)) {
		names_free(names, r->n_districts);
		return -1;
	}
	char title[160];
	snprintf(title, sizeof title,
		 "就业见习岗位募集计划工作情况汇总表（%d年累计）", r->year);
	lxw_error e = summary_form_sheet(&b, "全年汇总", title, &r->ytd);
	xu_keep(&e, trend_sheet(&b, r, names));
	xu_keep(&e, attain_sheet(&b, "目标完成", &r->attain));
	xu_keep(&e, timeliness_sheet(&b, r, names));
	xu_keep(&e, quality_sheet(&b, r, names));
	xu_keep(&e, retention_sheet(&b, r, names));
	xu_keep(&e, approval_sheet(&b, r));
	/* libxlsxwriter keeps copies of the strings */
	names_free(names, r->n_districts);
	if (e != LXW_NO_ERROR) {
		snprintf(err, errlen, "cannot write %s: %s", path,
			 lxw_strerror(e));
		xu_book_abort(&b);
		return -1;
	}
	return xu_book_commit(&b, err, errlen);
}
