/* The listings that go back to a district: a findings CSV for Excel on
 * Chinese Windows and a workbook with the listing in Chinese and the
 * district's own form with each offending cell highlighted and commented. */
#include "feedback.h"
#include "../core/csvout.h"
#include "../core/indicator.h"
#include "../core/period.h"
#include "../core/text.h"
#include "xlsx_util.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#define LISTING_SHEET "问题清单"
#define FORM_SHEET "原表"
#define XLSX_MAX_ROW 1048576u
#define XLSX_MAX_COL 16384u

/* ------------------------------------------------------------------ */
/* Findings the caller adds */

static struct jx_loc district_loc(const char *code, const char *name, const char *period)
{
	struct jx_loc loc = {0};
	loc.district_code = code;
	loc.district_name = name;
	loc.period = period;
	return loc;
}

int feedback_add_missing(struct jx_findings *fs, const char *district_code,
			 const char *district_name, int year, int month,
			 struct feedback_date deadline)
{
	char period[8];
	jx_period_format(year, month, period);
	struct jx_loc loc = district_loc(district_code, district_name, period);
	loc.file = "";
	return jx_findings_add(
	    fs, JX_L1, &loc, 0, NULL,
	    "本期（%d年%d月）未收到报表，截止日期为%d年%d月%d日（遇节假日顺延），请尽快报送", year,
	    month, deadline.year, deadline.month, deadline.day);
}

/* ------------------------------------------------------------------ */
/* Shared by both outputs */

/* The findings in listing order: whole-file findings (no cell) first, then
 * by row and column, keeping the order found within a cell. */
struct sorted {
	const struct jx_finding **items;
	size_t n, errors, warnings;
};

static int finding_cmp(const void *pa, const void *pb)
{
	const struct jx_finding *a = *(const struct jx_finding *const *)pa;
	const struct jx_finding *b = *(const struct jx_finding *const *)pb;
	if (a->row != b->row)
		return a->row < b->row ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return a < b ? -1 : a > b; /* items sit in one array: found order */
}

static int sorted_init(struct sorted *s, const struct jx_findings *fs)
{
	memset(s, 0, sizeof *s);
	if (!fs || !fs->n)
		return 0;
	s->items = malloc(fs->n * sizeof *s->items);
	if (!s->items)
		return -1;
	for (size_t i = 0; i < fs->n; i++) {
		s->items[i] = &fs->items[i];
		if (jx_rule_severity(fs->items[i].rule) == JX_SEV_ERROR)
			s->errors++;
		else
			s->warnings++;
	}
	s->n = fs->n;
	qsort(s->items, s->n, sizeof *s->items, finding_cmp);
	return 0;
}

/* The file name without its folders: the server's inbox layout is of no
 * use to the district. The path is the server's: a backslash belongs to
 * the name (and shows its bytes that are not text, see text.h). */
static const char *base_name(const char *path)
{
	if (!path)
		return "";
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static const char *severity_zh(enum jx_rule rule)
{
	return jx_rule_severity(rule) == JX_SEV_ERROR ? "错误" : "警告";
}

/* ------------------------------------------------------------------ */
/* CSV */

int feedback_write_csv(FILE *f, const struct feedback_input *in)
{
	static const char *const header[] = {
	    "file",   "sheet", "cell",	   "row",	"column", "district_code", "district_name",
	    "period", "rule",  "severity", "indicator", "value",  "message"};
	struct sorted s;
	if (sorted_init(&s, in->findings))
		return -1;
	char period[8];
	jx_period_format(in->year, in->month, period);

	/* A BOM first: Excel on Chinese Windows reads a CSV without one as
	 * GBK and shows the Chinese as mojibake; with it, as UTF-8. */
	fputs("\xEF\xBB\xBF", f);
	jx_csv_row(f, header, sizeof header / sizeof header[0]);
	/* the findings' text is already visible UTF-8 (jx_findings_add), and
	 * jx_csv_row keeps formula-like text as text */
	for (size_t i = 0; i < s.n; i++) {
		const struct jx_finding *x = s.items[i];
		char cell[24] = "", row[16] = "", col[16] = "", ind[8] = "";
		if (x->row && x->col)
			jx_cell_name(x->row, x->col, cell, sizeof cell);
		if (x->row)
			snprintf(row, sizeof row, "%u", (unsigned)x->row);
		if (x->col)
			snprintf(col, sizeof col, "%u", (unsigned)x->col);
		if (x->indicator)
			snprintf(ind, sizeof ind, "%d", x->indicator);
		const char *fields[] = {base_name(x->file),
					x->sheet,
					cell,
					row,
					col,
					in->district_code,
					in->district_name,
					period,
					jx_rule_id(x->rule),
					jx_severity_name(jx_rule_severity(x->rule)),
					ind,
					x->value,
					x->message};
		jx_csv_row(f, fields, sizeof fields / sizeof fields[0]);
	}
	free(s.items);
	return ferror(f) ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* Workbook */

struct fb_formats {
	lxw_format *wrap;	/* bordered wrapped text (messages) */
	lxw_format *center;	/* bordered centred text */
	lxw_format *error_text; /* 错误 in the listing */
	lxw_format *number_row; /* the 1..14 row of 原表 */
	/* 原表 cells: [0] plain, [1] a warning there, [2] an error there */
	lxw_format *text[3], *count[3], *money[3];
};

static lxw_format *bordered(lxw_workbook *wb, lxw_color_t fill)
{
	lxw_format *f = workbook_add_format(wb);
	format_set_border(f, LXW_BORDER_THIN);
	format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
	if (fill)
		format_set_bg_color(f, fill);
	return f;
}

static void fb_formats_init(lxw_workbook *wb, struct fb_formats *fx)
{
	static const lxw_color_t fills[3] = {0, 0xFFEB9C, 0xFFC7CE};
	fx->wrap = bordered(wb, 0);
	format_set_text_wrap(fx->wrap);
	fx->center = bordered(wb, 0);
	format_set_align(fx->center, LXW_ALIGN_CENTER);
	fx->error_text = bordered(wb, 0);
	format_set_align(fx->error_text, LXW_ALIGN_CENTER);
	format_set_font_color(fx->error_text, 0x9C0006);
	format_set_bold(fx->error_text);
	fx->number_row = bordered(wb, 0xF2F2F2);
	format_set_align(fx->number_row, LXW_ALIGN_CENTER);
	for (int i = 0; i < 3; i++) {
		fx->text[i] = bordered(wb, fills[i]);
		fx->count[i] = bordered(wb, fills[i]);
		format_set_num_format(fx->count[i], "0");
		fx->money[i] = bordered(wb, fills[i]);
		format_set_num_format(fx->money[i], "General");
	}
}

/* Lines text takes wrapped in a column width characters wide: Chinese
 * characters count two, as a spreadsheet draws them. */
static unsigned wrapped_lines(const char *text, double width)
{
	unsigned cols = 0;
	for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p; p++) {
		if (*p < 0x80)
			cols += 1;
		else if (*p >= 0xE0)
			cols += 2; /* the lead byte of a three- or four-byte character */
	}
	unsigned per_line = width > 2 ? (unsigned)width - 1 : 1;
	return cols ? (cols + per_line - 1) / per_line : 1;
}

static int write_listing(lxw_workbook *wb, const struct xu_formats *xf, const struct fb_formats *fx,
			 const struct feedback_input *in, const struct sorted *s)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb, LISTING_SHEET);
	if (!ws)
		return -1;
	static const char *const header[] = {"文件",   "单元格", "指标",     "指标名称",
					     "填报值", "规则",	 "严重程度", "问题及修改要求"};
	static const double widths[] = {26, 8, 6, 30, 12, 6, 9, 70};
	const lxw_col_t last = 7;
	for (lxw_col_t c = 0; c <= last; c++)
		worksheet_set_column(ws, c, c, widths[c], NULL);

	char text[512];
	snprintf(text, sizeof text, "%s %d年%d月 就业见习报表问题清单", in->district_name, in->year,
		 in->month);
	worksheet_set_row(ws, 0, 28, NULL);
	if (xu_merge_text(ws, 0, 0, 0, last, text, xf->title))
		return -1;
	if (s->errors)
		snprintf(
		    text, sizeof text,
		    "共%zu条：错误%zu条，须按“问题及修改要求”修改后重新报送；警告%zu条，请核实。",
		    s->n, s->errors, s->warnings);
	else
		snprintf(text, sizeof text,
			 "共%zu条警告，请核实；数据无误的可说明情况，不必重新报送。", s->warnings);
	if (!in->sub)
		snprintf(text, sizeof text, "本期未收到贵单位报表，请尽快报送。");
	if (xu_merge_text(ws, 1, 0, 1, last, text, xf->note))
		return -1;

	const lxw_row_t head = 2;
	for (lxw_col_t c = 0; c <= last; c++)
		worksheet_write_string(ws, head, c, header[c], xf->header);
	for (size_t i = 0; i < s->n; i++) {
		const struct jx_finding *x = s->items[i];
		lxw_row_t r = head + 1 + (lxw_row_t)i;
		char cell[24] = "";
		if (x->row && x->col)
			jx_cell_name(x->row, x->col, cell, sizeof cell);
		const struct jx_indicator *ind = jx_indicator(x->indicator);
		lxw_error e = xu_write_text(ws, r, 0, base_name(x->file), fx->wrap);
		e = e ? e : xu_write_text(ws, r, 1, cell, fx->center);
		if (!e && ind)
			e = worksheet_write_number(ws, r, 2, ind->no, fx->center);
		else if (!e)
			e = worksheet_write_blank(ws, r, 2, fx->center);
		e = e ? e : xu_write_text(ws, r, 3, ind ? ind->name : "", fx->wrap);
		/* the value as read, as text: it may be "=1+1" or "十二" */
		e = e ? e : xu_write_text(ws, r, 4, x->value, fx->center);
		e = e ? e : xu_write_text(ws, r, 5, jx_rule_id(x->rule), fx->center);
		e = e ? e
		      : xu_write_text(ws, r, 6, severity_zh(x->rule),
				      jx_rule_severity(x->rule) == JX_SEV_ERROR ? fx->error_text
										: fx->center);
		e = e ? e : xu_write_text(ws, r, 7, x->message, fx->wrap);
		if (e)
			return -1;
		/* libxlsxwriter writes no row heights: without one, wrapped text
		 * overlaps the next row in readers that do not refit on opening */
		unsigned lines = wrapped_lines(x->message, widths[7]);
		unsigned l0 = wrapped_lines(base_name(x->file), widths[0]);
		unsigned l3 = wrapped_lines(ind ? ind->name : "", widths[3]);
		if (l0 > lines)
			lines = l0;
		if (l3 > lines)
			lines = l3;
		if (lines > 1 && worksheet_set_row(ws, r, 15.0 * lines, NULL))
			return -1;
	}
	worksheet_freeze_panes(ws, head + 1, 0);
	if (s->n)
		worksheet_autofilter(ws, head, 0, head + (lxw_row_t)s->n, last);
	worksheet_set_landscape(ws);
	worksheet_fit_to_pages(ws, 1, 0);
	worksheet_activate(ws);
	return 0;
}

/* One highlighted cell of 原表: the findings at it, joined into a comment. */
struct flag {
	uint32_t row, col;
	int level;	     /* 1 warning, 2 error */
	const char *value;   /* the first finding's value as read, or NULL */
	int written;	     /* a unit name or value went there */
	size_t first, count; /* its run in the sorted findings */
};

struct flags {
	struct flag *items;
	size_t n;
};

static int cell_ok(uint32_t row, uint32_t col)
{
	return row >= 1 && col >= 1 && row <= XLSX_MAX_ROW && col <= XLSX_MAX_COL;
}

/* Groups the sorted findings that point at a cell: they are consecutive. */
static int flags_init(struct flags *fl, const struct sorted *s)
{
	memset(fl, 0, sizeof *fl);
	if (!s->n)
		return 0;
	fl->items = calloc(s->n, sizeof *fl->items);
	if (!fl->items)
		return -1;
	for (size_t i = 0; i < s->n; i++) {
		const struct jx_finding *x = s->items[i];
		if (!cell_ok(x->row, x->col))
			continue;
		struct flag *f = fl->n ? &fl->items[fl->n - 1] : NULL;
		if (!f || f->row != x->row || f->col != x->col) {
			f = &fl->items[fl->n++];
			f->row = x->row;
			f->col = x->col;
			f->first = i;
		}
		f->count++;
		int level = jx_rule_severity(x->rule) == JX_SEV_ERROR ? 2 : 1;
		if (level > f->level)
			f->level = level;
		if (!f->value && x->value && *x->value)
			f->value = x->value;
	}
	return 0;
}

static struct flag *flags_find(struct flags *fl, uint32_t row, uint32_t col)
{
	size_t lo = 0, hi = fl->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct flag *f = &fl->items[mid];
		if (f->row == row && f->col == col)
			return f;
		if (f->row < row || (f->row == row && f->col < col))
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The comment of a flagged cell: "【R1 错误】message" per finding, one a
 * line (each message is cleaned; the line feeds between them are ours). */
static lxw_error write_comment(lxw_worksheet *ws, const struct flag *f, const struct sorted *s)
{
	size_t cap = 1, n = 0;
	char *buf = NULL;
	lxw_error e = LXW_ERROR_MEMORY_MALLOC_FAILED;
	for (size_t i = 0; i < f->count; i++) {
		const struct jx_finding *x = s->items[f->first + i];
		char *clean = xu_clean_text(x->message);
		if (!clean)
			goto out;
		size_t need = strlen(clean) + 32;
		char *nb = realloc(buf, cap + need);
		if (!nb) {
			free(clean);
			goto out;
		}
		buf = nb;
		cap += need;
		n += (size_t)snprintf(buf + n, cap - n, "%s【%s %s】%s", i ? "\n" : "",
				      jx_rule_id(x->rule), severity_zh(x->rule), clean);
		free(clean);
	}
	lxw_comment_options opt = {0};
	opt.author = "jianxi";
	opt.x_scale = 3;
	opt.y_scale = 1 + (double)n / 120.0;
	if (opt.y_scale > 8)
		opt.y_scale = 8;
	e = worksheet_write_comment_opt(ws, f->row - 1, f->col - 1, buf ? buf : "", &opt);
out:
	free(buf);
	return e;
}

static lxw_error write_value(lxw_worksheet *ws, const struct fb_formats *fx, struct flags *fl,
			     int no, const struct jx_value *v)
{
	if (!cell_ok(v->row, v->col))
		return LXW_NO_ERROR;
	struct flag *f = flags_find(fl, v->row, v->col);
	int level = f ? f->level : 0;
	lxw_row_t r = v->row - 1;
	lxw_col_t c = (lxw_col_t)(v->col - 1);
	if (f)
		f->written = 1;
	if (!v->ok) /* what was there is in the finding, as text */
		return xu_write_text(ws, r, c, f ? f->value : NULL, fx->text[level]);
	if (no == JX_MONEY_INDICATOR)
		return worksheet_write_number(ws, r, c, (double)v->v / JX_YUAN_PER_WAN,
					      fx->money[level]);
	return worksheet_write_number(ws, r, c, (double)v->v, fx->count[level]);
}

/* 原表: the district's form as stored, every value at its own cell. */
static int write_form(lxw_workbook *wb, const struct fb_formats *fx,
		      const struct feedback_input *in, const struct sorted *s)
{
	const struct jx_submission *sub = in->sub;
	struct flags fl;
	if (flags_init(&fl, s))
		return -1;
	if (!sub->n_units && !fl.n) {
		free(fl.items);
		return 0;
	}
	int rc = -1;
	lxw_worksheet *ws = workbook_add_worksheet(wb, FORM_SHEET);
	if (!ws)
		goto out;
	worksheet_set_column(ws, 0, 0, 20, NULL);
	worksheet_set_column(ws, 1, 40, 10, NULL);
	/* printed as the form is: landscape, one page wide */
	worksheet_set_landscape(ws);
	worksheet_fit_to_pages(ws, 1, 0);

	uint32_t first_row = 0;
	for (size_t u = 0; u < sub->n_units; u++)
		if (sub->units[u].row && (!first_row || sub->units[u].row < first_row))
			first_row = sub->units[u].row;

	/* the number row just above the unit rows, as the reader found it */
	lxw_error e = LXW_NO_ERROR;
	if (sub->n_units && first_row > 1) {
		const struct jx_unit *u0 = &sub->units[0];
		for (int i = 0; i < JX_N_INDICATORS && !e; i++)
			if (cell_ok(first_row - 1, u0->v[i].col))
				e = worksheet_write_number(ws, first_row - 2,
							   (lxw_col_t)(u0->v[i].col - 1), i + 1,
							   fx->number_row);
	}
	/* a line on what this is, where nothing of the form can be */
	if (!e && first_row > 2 && !(fl.n && fl.items[0].row == 1)) {
		char note[1024];
		snprintf(note, sizeof note,
			 "贵单位报送的原表（文件：%s%s%"
			 "s）：数据位于原单元格，有问题的单元格已标色（红色为错误，黄色为警告），鼠"
			 "标移到单元格上可查看说明。",
			 JX_VISIBLE(base_name(sub->file)), sub->sheet ? "，工作表：" : "",
			 JX_VISIBLE(sub->sheet));
		e = xu_write_text(ws, 0, 0, note, NULL);
	}
	for (size_t u = 0; u < sub->n_units && !e; u++) {
		const struct jx_unit *unit = &sub->units[u];
		int name_free = 1; /* the 项目 column is A unless a value is */
		for (int i = 0; i < JX_N_INDICATORS; i++)
			if (unit->v[i].row == unit->row && unit->v[i].col == 1)
				name_free = 0;
		if (name_free && cell_ok(unit->row, 1)) {
			struct flag *f = flags_find(&fl, unit->row, 1);
			if (f)
				f->written = 1;
			e = xu_write_text(ws, unit->row - 1, 0, unit->name,
					  fx->text[f ? f->level : 0]);
		}
		for (int i = 0; i < JX_N_INDICATORS && !e; i++)
			e = write_value(ws, fx, &fl, i + 1, &unit->v[i]);
	}
	/* cells the findings name that hold no unit value (统计期, 填报单位) */
	for (size_t i = 0; i < fl.n && !e; i++) {
		struct flag *f = &fl.items[i];
		if (!f->written)
			e = xu_write_text(ws, f->row - 1, (lxw_col_t)(f->col - 1), f->value,
					  fx->text[f->level]);
		if (!e)
			e = write_comment(ws, f, s);
	}
	if (!e)
		rc = 0;
out:
	free(fl.items);
	return rc;
}

int feedback_write_xlsx(const char *path, const struct feedback_input *in, char *err, size_t errlen)
{
	struct sorted s;
	if (sorted_init(&s, in->findings)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	struct xu_book book;
	if (xu_book_open(&book, path, err, errlen)) {
		free(s.items);
		return -1;
	}
	struct fb_formats fx;
	fb_formats_init(book.wb, &fx);
	int rc = write_listing(book.wb, &book.fmt, &fx, in, &s);
	if (!rc && in->sub)
		rc = write_form(book.wb, &fx, in, &s);
	free(s.items);
	if (rc) {
		xu_book_abort(&book);
		snprintf(err, errlen, "cannot build the workbook %s", path);
		return -1;
	}
	return xu_book_commit(&book, err, errlen);
}
