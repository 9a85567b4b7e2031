/* Target attainment as CSV and XLSX. Rates arrive as decimal text computed in
 * integers (transforms/aggregate); the XLSX shows them as percentages, marks
 * the districts behind the time schedule and charts the rates. */
#include "attainment.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
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

/* The chart of every district, one pair of bars each, while that stays
 * readable; beyond, the highest and lowest rates and the distribution. */
#define CHART_EACH_MAX 30
#define CHART_RANKED 10 /* highest and lowest shown of each measure */
/* The tables under the districts fill columns A-C; their charts go beside. */
#define COL_BESIDE_TABLES COL_PEOPLE_TARGET

static void chart_common(lxw_chart *chart, const char *title)
{
	chart_title_set_name(chart, title);
	chart_axis_set_num_format(chart->y_axis, "0%");
	chart_axis_set_min(chart->y_axis, 0);
	chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
}

static void each_district_chart(struct xu_book *b, lxw_worksheet *ws, const char *sheet_name,
				const struct attain_report *r, lxw_row_t at)
{
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
	chart_common(chart, title);
	lxw_chart_options opt = {.x_scale = 2.0, .y_scale = 1.4};
	worksheet_insert_chart_opt(ws, at, COL_NAME, chart, &opt);
}

/* A measure with a rate: reported, with a target above zero. */
static int has_rate(const struct attain_row *row, const struct attain_measure *m)
{
	return row->reported && m->has_target && m->target > 0 && m->rate[0];
}

/* actual/target of a against b, exactly: <0, 0 or >0. */
static int rate_cmp(const struct attain_measure *a, const struct attain_measure *b)
{
	__int128 x = (__int128)a->actual * b->target;
	__int128 y = (__int128)b->actual * a->target;
	return (x > y) - (x < y);
}

/* The rate bands of the distribution: below 50 %, 50-80 %, 80-100 %,
 * 100-120 %, from 120 %; band i holds rates below tenths[i]/10. */
#define N_BANDS 5
static const char *const band_name[N_BANDS] = {"低于50%", "50%—80%", "80%—100%", "100%—120%",
					       "120%及以上"};

static int rate_band(const struct attain_measure *m)
{
	static const int tenths[N_BANDS - 1] = {5, 8, 10, 12};
	for (int i = 0; i < N_BANDS - 1; i++)
		if ((__int128)m->actual * 10 < (__int128)m->target * tenths[i])
			return i;
	return N_BANDS - 1;
}

/* Sorts district indexes by rate, highest first, config order among
 * equals: a merge sort, as qsort is not stable and takes no context. */
static void rank_sort(size_t *idx, size_t *tmp, size_t n, const struct attain_report *r, int people)
{
	if (n < 2)
		return;
	size_t h = n / 2;
	rank_sort(idx, tmp, h, r, people);
	rank_sort(idx + h, tmp, n - h, r, people);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n) {
		const struct attain_row *a = &r->rows[idx[i]], *b = &r->rows[idx[j]];
		int c = people ? rate_cmp(&a->people, &b->people) : rate_cmp(&a->posts, &b->posts);
		tmp[k++] = c >= 0 ? idx[i++] : idx[j++];
	}
	while (i < h)
		tmp[k++] = idx[i++];
	while (j < n)
		tmp[k++] = idx[j++];
	memcpy(idx, tmp, n * sizeof *idx);
}

/* The ranking of one measure from row at: a title, a header and the
 * CHART_RANKED highest and lowest districts (all when they are few), with a
 * column chart of them to the right. Returns the next free row, or 0 when
 * out of memory. */
static lxw_row_t ranking_block(struct xu_book *b, lxw_worksheet *ws, const char *sheet_name,
			       const struct attain_report *r, int people, lxw_row_t at,
			       lxw_error *e)
{
	const struct xu_formats *fx = &b->fmt;
	const char *what = people ? "组织见习人数完成率" : "募集岗位完成率";
	size_t *idx = malloc(r->n_rows * sizeof *idx);
	size_t *tmp = malloc(r->n_rows * sizeof *tmp);
	if (!idx || !tmp) {
		free(idx);
		free(tmp);
		xu_keep(e, LXW_ERROR_MEMORY_MALLOC_FAILED);
		return 0;
	}
	size_t n = 0;
	for (size_t d = 0; d < r->n_rows; d++) {
		const struct attain_row *row = &r->rows[d];
		if (has_rate(row, people ? &row->people : &row->posts))
			idx[n++] = d;
	}
	rank_sort(idx, tmp, n, r, people);
	char line[256];
	if (n > 2 * CHART_RANKED)
		snprintf(line, sizeof line, "%s最高的%d个和最低的%d个区县（共%zu个区县有完成率）",
			 what, CHART_RANKED, CHART_RANKED, n);
	else
		snprintf(line, sizeof line, "%s由高到低（共%zu个区县有完成率）", what, n);
	xu_keep(e, xu_write_text(ws, at, COL_NAME, line, fx->text_bold));
	lxw_row_t row = at + 1;
	xu_keep(e, worksheet_write_string(ws, row, COL_NAME, "区县（功能区）", fx->header));
	xu_keep(e, worksheet_write_string(ws, row, COL_NAME + 1, "名次", fx->header));
	xu_keep(e, worksheet_write_string(ws, row, COL_NAME + 2, "完成率", fx->header));
	lxw_row_t first = ++row;
	for (size_t i = 0; i < n; i++) {
		if (n > 2 * CHART_RANKED && i == CHART_RANKED)
			i = n - CHART_RANKED; /* the lowest follow the highest */
		const struct attain_row *ar = &r->rows[idx[i]];
		xu_keep(e, xu_write_text(ws, row, COL_NAME, ar->name, fx->text));
		xu_keep(e,
			worksheet_write_number(ws, row, COL_NAME + 1, (double)(i + 1), fx->count));
		xu_keep(e, xu_write_rate(ws, row, COL_NAME + 2,
					 people ? ar->people.rate : ar->posts.rate, 1, fx, 0));
		row++;
	}
	free(idx);
	free(tmp);
	if (row == first)
		return row + 1;
	lxw_chart *chart = workbook_add_chart(b->wb, LXW_CHART_COLUMN);
	if (chart) {
		lxw_chart_series *s = chart_add_series(chart, NULL, NULL);
		chart_series_set_categories(s, sheet_name, first, COL_NAME, row - 1, COL_NAME);
		chart_series_set_values(s, sheet_name, first, COL_NAME + 2, row - 1, COL_NAME + 2);
		chart_series_set_name(s, what);
		snprintf(line, sizeof line, "%d年%s（截至%d月）%s", r->year, what, r->as_of_month,
			 n > 2 * CHART_RANKED ? "：最高和最低各10个区县" : "");
		chart_common(chart, line);
		chart_legend_set_position(chart, LXW_CHART_LEGEND_NONE);
		lxw_chart_options opt = {.x_scale = 1.6, .y_scale = 1.4};
		worksheet_insert_chart_opt(ws, at, COL_BESIDE_TABLES, chart, &opt);
	}
	/* the chart is about 21 rows high: the next block starts below it */
	return row + 1 > at + 23 ? row + 1 : at + 23;
}

/* How many districts fall in each rate band, for both measures, with a
 * column chart to the right. */
static void distribution_block(struct xu_book *b, lxw_worksheet *ws, const char *sheet_name,
			       const struct attain_report *r, lxw_row_t at, lxw_error *e)
{
	const struct xu_formats *fx = &b->fmt;
	size_t count[2][N_BANDS + 1] = {{0}}; /* [measure][band], last: no rate */
	for (size_t d = 0; d < r->n_rows; d++) {
		const struct attain_row *row = &r->rows[d];
		const struct attain_measure *m[2] = {&row->posts, &row->people};
		for (int k = 0; k < 2; k++)
			count[k][has_rate(row, m[k]) ? rate_band(m[k]) : N_BANDS]++;
	}
	xu_keep(e, xu_write_text(ws, at, COL_NAME, "各完成率区间的区县数", fx->text_bold));
	lxw_row_t row = at + 1;
	xu_keep(e, worksheet_write_string(ws, row, COL_NAME, "完成率", fx->header));
	xu_keep(e, worksheet_write_string(ws, row, COL_NAME + 1, "募集岗位", fx->header));
	xu_keep(e, worksheet_write_string(ws, row, COL_NAME + 2, "组织见习人数", fx->header));
	lxw_row_t first = ++row;
	for (int i = 0; i <= N_BANDS; i++, row++) {
		xu_keep(e, worksheet_write_string(ws, row, COL_NAME,
						  i < N_BANDS ? band_name[i]
							      : "无完成率（无目标或未报送）",
						  fx->text));
		for (int k = 0; k < 2; k++)
			xu_keep(e, worksheet_write_number(ws, row, (lxw_col_t)(COL_NAME + 1 + k),
							  (double)count[k][i], fx->count));
	}
	lxw_chart *chart = workbook_add_chart(b->wb, LXW_CHART_COLUMN);
	if (!chart)
		return;
	static const char *const names[2] = {"募集岗位", "组织见习人数"};
	for (int k = 0; k < 2; k++) {
		lxw_chart_series *s = chart_add_series(chart, NULL, NULL);
		/* the bands only: "no rate" is in the table, not a rate */
		chart_series_set_categories(s, sheet_name, first, COL_NAME, first + N_BANDS - 1,
					    COL_NAME);
		chart_series_set_values(s, sheet_name, first, (lxw_col_t)(COL_NAME + 1 + k),
					first + N_BANDS - 1, (lxw_col_t)(COL_NAME + 1 + k));
		chart_series_set_name(s, names[k]);
	}
	char title[128];
	snprintf(title, sizeof title, "%d年目标任务完成率分布（截至%d月，%zu个区县）", r->year,
		 r->as_of_month, r->n_rows);
	chart_title_set_name(chart, title);
	chart_axis_set_min(chart->y_axis, 0);
	chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
	lxw_chart_options opt = {.x_scale = 1.6, .y_scale = 1.4};
	worksheet_insert_chart_opt(ws, at, COL_BESIDE_TABLES, chart, &opt);
}

static lxw_error add_chart(struct xu_book *b, lxw_worksheet *ws, const char *sheet_name,
			   const struct attain_report *r, lxw_row_t at)
{
	lxw_error e = LXW_NO_ERROR;
	if (!r->n_rows)
		return e;
	if (r->n_rows <= CHART_EACH_MAX) {
		each_district_chart(b, ws, sheet_name, r, at);
		return e;
	}
	lxw_row_t row = ranking_block(b, ws, sheet_name, r, 0, at, &e);
	if (row)
		row = ranking_block(b, ws, sheet_name, r, 1, row, &e);
	if (row)
		distribution_block(b, ws, sheet_name, r, row, &e);
	return e;
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
	xu_keep(&e, add_chart(b, ws, sheet_name, r, row + 2));

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
