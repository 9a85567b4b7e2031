/* Target attainment as CSV and XLSX. Rates arrive as decimal text computed in
 * integers (transforms/aggregate); the XLSX shows them as percentages, marks
 * the districts behind the time schedule and charts the rates. */
#include "attainment.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../core/csvout.h"
#include "../core/period.h"

static void csv_measure(const struct attain_measure *m, int reported,
			char target[32], char actual[32])
{
	target[0] = actual[0] = 0;
	if (m->has_target)
		snprintf(target, 32, "%" PRId64, m->target);
	if (reported)
		snprintf(actual, 32, "%" PRId64, m->actual);
}

static void csv_row(FILE *f, const char *year, const char *as_of,
		    const struct attain_row *row, const char *code,
		    const char *name)
{
	char pt[32], pa[32], nt[32], na[32];
	csv_measure(&row->posts, row->reported, pt, pa);
	csv_measure(&row->people, row->reported, nt, na);
	const char *fields[] = {year, as_of, code, name,
				pt, pa, row->reported ? row->posts.rate : "",
				nt, na, row->reported ? row->people.rate : ""};
	jx_csv_row(f, fields, sizeof fields / sizeof fields[0]);
}

int attain_write_csv(const struct attain_report *r, FILE *f)
{
	char year[16], as_of[8];
	snprintf(year, sizeof year, "%d", r->year);
	jx_period_format(r->year, r->as_of_month, as_of);
	fputs("year,as_of,district_code,district_name,posts_target,"
	      "posts_actual,posts_rate,people_target,people_actual,"
	      "people_rate\n", f);
	for (size_t d = 0; d < r->n_rows; d++)
		csv_row(f, year, as_of, &r->rows[d], r->rows[d].code,
			r->rows[d].name);
	csv_row(f, year, as_of, &r->total, "total", "合计");
	if (fflush(f) || ferror(f))
		return -1;
	return 0;
}

enum {
	COL_NAME,
	COL_POSTS_TARGET,
	COL_POSTS_ACTUAL,
	COL_POSTS_RATE,
	COL_PEOPLE_TARGET,
	COL_PEOPLE_ACTUAL,
	COL_PEOPLE_RATE,
	COL_PROGRESS,
	N_COLS
};

#define FIRST_DATA_ROW 4

static lxw_error measure_cells(lxw_worksheet *ws, const struct xu_formats *fx,
			       lxw_row_t row, lxw_col_t col,
			       const struct attain_measure *m, int reported,
			       int bold)
{
	lxw_error e = LXW_NO_ERROR;
	lxw_format *num = bold ? fx->count_bold : fx->count;
	lxw_format *blank = bold ? fx->blank_bold : fx->blank;
	xu_keep(&e, m->has_target ? worksheet_write_number(ws, row, col,
							   (double)m->target, num)
				  : worksheet_write_blank(ws, row, col, blank));
	xu_keep(&e, reported ? worksheet_write_number(ws, row, col + 1,
						      (double)m->actual, num)
			     : worksheet_write_blank(ws, row, col + 1, blank));
	xu_keep(&e, xu_write_rate(ws, row, col + 2, reported ? m->rate : "", 1,
				  fx, bold));
	return e;
}

static const char *progress_note(const struct attain_row *row)
{
	if (!row->reported)
		return "无已通过审核的数据";
	if (row->posts.behind && row->people.behind)
		return "岗位、人数均落后于时间进度";
	if (row->posts.behind)
		return "岗位落后于时间进度";
	if (row->people.behind)
		return "人数落后于时间进度";
	return "";
}

static lxw_error data_row(lxw_worksheet *ws, const struct xu_formats *fx,
			  lxw_row_t row, const char *name,
			  const struct attain_row *ar, int bold)
{
	lxw_error e = LXW_NO_ERROR;
	lxw_format *text = bold ? fx->text_bold : fx->text;
	xu_keep(&e, xu_write_text(ws, row, COL_NAME, name, text));
	xu_keep(&e, measure_cells(ws, fx, row, COL_POSTS_TARGET, &ar->posts,
				  ar->reported, bold));
	xu_keep(&e, measure_cells(ws, fx, row, COL_PEOPLE_TARGET, &ar->people,
				  ar->reported, bold));
	xu_keep(&e, xu_write_text(ws, row, COL_PROGRESS, progress_note(ar), text));
	return e;
}

/* Highlights rate cells below the time schedule; blanks are not numbers
 * and stay plain. */
static lxw_error highlight_behind(lxw_worksheet *ws, const struct xu_formats *fx,
				  lxw_row_t first, lxw_row_t last, lxw_col_t col,
				  const char *progress)
{
	char cell[16], formula[96];
	lxw_rowcol_to_cell(cell, first, col);
	snprintf(formula, sizeof formula, "=AND(ISNUMBER(%s),%s<%s)", cell, cell,
		 progress);
	lxw_conditional_format cf;
	memset(&cf, 0, sizeof cf);
	cf.type = LXW_CONDITIONAL_TYPE_FORMULA;
	cf.value_string = formula;
	cf.format = fx->alert;
	return worksheet_conditional_format_range(ws, first, col, last, col, &cf);
}

static void add_chart(struct xu_book *b, lxw_worksheet *ws,
		      const char *sheet_name, const struct attain_report *r,
		      lxw_row_t at)
{
	if (!r->n_rows)
		return;
	lxw_chart *chart = workbook_add_chart(b->wb, LXW_CHART_COLUMN);
	if (!chart)
		return;
	lxw_row_t first = FIRST_DATA_ROW;
	lxw_row_t last = (lxw_row_t)(FIRST_DATA_ROW + r->n_rows - 1);
	static const struct {
		lxw_col_t col;
		const char *name;
	} series[] = {{COL_POSTS_RATE, "募集岗位完成率"},
		      {COL_PEOPLE_RATE, "组织见习人数完成率"}};
	for (size_t i = 0; i < sizeof series / sizeof series[0]; i++) {
		lxw_chart_series *s = chart_add_series(chart, NULL, NULL);
		chart_series_set_categories(s, sheet_name, first, COL_NAME, last,
					    COL_NAME);
		chart_series_set_values(s, sheet_name, first, series[i].col,
					last, series[i].col);
		chart_series_set_name(s, series[i].name);
	}
	char title[128];
	snprintf(title, sizeof title, "%d年目标任务完成率（截至%d月，时间进度%.2f%%）",
		 r->year, r->as_of_month, (double)r->as_of_month * 100.0 / 12.0);
	chart_title_set_name(chart, title);
	chart_axis_set_num_format(chart->y_axis, "0%");
	chart_axis_set_min(chart->y_axis, 0);
	chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
	lxw_chart_options opt = {.x_scale = 2.0, .y_scale = 1.4};
	worksheet_insert_chart_opt(ws, at, COL_NAME, chart, &opt);
}

lxw_error attain_sheet(struct xu_book *b, const char *sheet_name,
		       const struct attain_report *r)
{
	const struct xu_formats *fx = &b->fmt;
	lxw_worksheet *ws = workbook_add_worksheet(b->wb, sheet_name);
	if (!ws)
		return LXW_ERROR_MEMORY_MALLOC_FAILED;
	lxw_error e = LXW_NO_ERROR;
	char line[256];
	lxw_col_t last_col = N_COLS - 1;

	worksheet_set_column(ws, COL_NAME, COL_NAME, 18, NULL);
	worksheet_set_column(ws, COL_POSTS_TARGET, COL_PEOPLE_RATE, 11, NULL);
	worksheet_set_column(ws, COL_PROGRESS, COL_PROGRESS, 26, NULL);

	snprintf(line, sizeof line, "%s%d年就业见习计划目标任务完成情况",
		 r->city ? r->city : "", r->year);
	xu_keep(&e, xu_merge_text(ws, 0, 0, 0, last_col, line, fx->title));
	worksheet_set_row(ws, 0, 30, NULL);
	snprintf(line, sizeof line, "统计期：%d年1—%d月累计", r->year,
		 r->as_of_month);
	xu_keep(&e, xu_merge_text(ws, 1, 0, 1, 3, line, fx->note));
	snprintf(line, sizeof line, "时间进度：%d/12 = %.2f%%", r->as_of_month,
		 (double)r->as_of_month * 100.0 / 12.0);
	xu_keep(&e, xu_merge_text(ws, 1, 4, 1, last_col, line, fx->note_right));

	xu_keep(&e, worksheet_merge_range(ws, 2, COL_NAME, 3, COL_NAME, "", fx->header));
	xu_keep(&e, xu_write_text(ws, 2, COL_NAME,
				  r->unit_label && *r->unit_label && strcmp(r->unit_label, "区县")
				      ? r->unit_label
				      : "区县（功能区）",
				  fx->header));
	xu_keep(&e, worksheet_merge_range(ws, 2, COL_POSTS_TARGET, 2,
					  COL_POSTS_RATE, "募集岗位数（个）",
					  fx->header));
	xu_keep(&e, worksheet_merge_range(ws, 2, COL_PEOPLE_TARGET, 2,
					  COL_PEOPLE_RATE, "组织见习人数（人）",
					  fx->header));
	xu_keep(&e, worksheet_merge_range(ws, 2, COL_PROGRESS, 3, COL_PROGRESS,
					  "进度情况", fx->header));
	static const char *const sub[] = {"目标任务", "已完成", "完成率"};
	for (int i = 0; i < 3; i++) {
		xu_keep(&e, worksheet_write_string(ws, 3,
						   (lxw_col_t)(COL_POSTS_TARGET + i),
						   sub[i], fx->header));
		xu_keep(&e, worksheet_write_string(ws, 3,
						   (lxw_col_t)(COL_PEOPLE_TARGET + i),
						   sub[i], fx->header));
	}

	lxw_row_t row = FIRST_DATA_ROW;
	for (size_t d = 0; d < r->n_rows; d++, row++)
		xu_keep(&e, data_row(ws, fx, row, r->rows[d].name, &r->rows[d], 0));
	xu_keep(&e, data_row(ws, fx, row, "合计", &r->total, 1));
	xu_keep(&e, highlight_behind(ws, fx, FIRST_DATA_ROW, row, COL_POSTS_RATE,
				     r->progress));
	xu_keep(&e, highlight_behind(ws, fx, FIRST_DATA_ROW, row, COL_PEOPLE_RATE,
				     r->progress));
	row += 2;
	xu_keep(&e, xu_write_text(ws, row, 0,
				  "完成率 = 已完成 ÷ 目标任务；已完成为已通过审核的各月"
				  "指标4（本期新增见习岗位数量）、指标6（本期实际到岗人数）"
				  "之和。红色为低于时间进度。",
				  fx->note));
	row++;
	snprintf(line, sizeof line, "填报单位：%s    填报时间：%s",
		 r->city ? r->city : "", r->date_text ? r->date_text : "");
	xu_keep(&e, xu_write_text(ws, row, 0, line, fx->note));
	add_chart(b, ws, sheet_name, r, row + 2);

	worksheet_freeze_panes(ws, FIRST_DATA_ROW, 1);
	worksheet_set_landscape(ws);
	worksheet_set_paper(ws, 9);
	worksheet_fit_to_pages(ws, 1, 0);
	worksheet_repeat_rows(ws, 2, 3);
	return e;
}

int attain_write_xlsx(const struct attain_report *r, const char *path,
		      char *err, size_t errlen)
{
	struct xu_book b;
	if (xu_book_open(&b, path, err, errlen))
		return -1;
	lxw_error e = attain_sheet(&b, "目标完成", r);
	if (e != LXW_NO_ERROR) {
		snprintf(err, errlen, "cannot write %s: %s", path,
			 lxw_strerror(e));
		xu_book_abort(&b);
		return -1;
	}
	return xu_book_commit(&b, err, errlen);
}
