/* The blank fill-in form for one district and month, written with
 * libxlsxwriter: the official layout, whole-number/decimal validations on the
 * 14 input cells, a 校验 column for the form's logical relations, protection. */
#include "template.h"
#include "../core/indicator.h"
#include "xlsx_util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#define FORM_TITLE "就业见习岗位募集计划工作情况汇总表"
#define LAST_COL JX_N_INDICATORS /* O: indicator n sits in column n (A = 0) */

/* The relations of 填报说明 7, checked in the sheet: a >= b (+ c). */
static const struct {
	int a, b, c;	  /* indicator numbers, c 0 when not used */
	const char *text; /* as the 校验 column shows a broken one */
} relations[] = {
    {1, 2, 0, "1≥2"}, {3, 4, 0, "3≥4"},	    {5, 6, 0, "5≥6"},
    {6, 7, 0, "6≥7"}, {8, 9, 11, "8≥9+11"}, {9, 10, 0, "9≥10"},
};

struct template_formats {
	lxw_format *title, *label, *unit, *header, *number, *name, *input, *input_money, *check,
	    *footer_value, *note, *bad, *good;
};

/* "B6" for indicator no in the data row; absolute ("$B$6") when abs. */
static void input_cell(int no, int abs, char *buf, size_t size)
{
	snprintf(buf, size, abs ? "$%c$%d" : "%c%d", 'A' + no, TEMPLATE_DATA_ROW);
}

static void make_formats(lxw_workbook *wb, struct template_formats *f)
{
	f->title = workbook_add_format(wb);
	format_set_bold(f->title);
	format_set_font_size(f->title, 16);
	format_set_align(f->title, LXW_ALIGN_CENTER);
	format_set_align(f->title, LXW_ALIGN_VERTICAL_CENTER);

	f->label = workbook_add_format(wb);
	format_set_align(f->label, LXW_ALIGN_VERTICAL_CENTER);

	f->unit = workbook_add_format(wb);
	format_set_align(f->unit, LXW_ALIGN_RIGHT);
	format_set_align(f->unit, LXW_ALIGN_VERTICAL_CENTER);

	f->header = workbook_add_format(wb);
	format_set_border(f->header, LXW_BORDER_THIN);
	format_set_text_wrap(f->header);
	format_set_align(f->header, LXW_ALIGN_CENTER);
	format_set_align(f->header, LXW_ALIGN_VERTICAL_CENTER);
	format_set_font_size(f->header, 10);

	f->number = workbook_add_format(wb);
	format_set_border(f->number, LXW_BORDER_THIN);
	format_set_align(f->number, LXW_ALIGN_CENTER);

	f->name = workbook_add_format(wb);
	format_set_border(f->name, LXW_BORDER_THIN);
	format_set_align(f->name, LXW_ALIGN_VERTICAL_CENTER);

	/* the cells a clerk types into: unlocked, tinted */
	f->input = workbook_add_format(wb);
	format_set_border(f->input, LXW_BORDER_THIN);
	format_set_unlocked(f->input);
	format_set_bg_color(f->input, 0xFFF2CC);
	format_set_num_format(f->input, "0");
	format_set_align(f->input, LXW_ALIGN_CENTER);

	f->input_money = workbook_add_format(wb);
	format_set_border(f->input_money, LXW_BORDER_THIN);
	format_set_unlocked(f->input_money);
	format_set_bg_color(f->input_money, 0xFFF2CC);
	format_set_num_format(f->input_money, "0.####");
	format_set_align(f->input_money, LXW_ALIGN_CENTER);

	f->check = workbook_add_format(wb);
	format_set_border(f->check, LXW_BORDER_THIN);
	format_set_text_wrap(f->check);
	format_set_align(f->check, LXW_ALIGN_VERTICAL_CENTER);
	format_set_font_size(f->check, 10);

	f->footer_value = workbook_add_format(wb);
	format_set_unlocked(f->footer_value);
	format_set_bottom(f->footer_value, LXW_BORDER_THIN);

	f->note = workbook_add_format(wb);
	format_set_text_wrap(f->note);
	format_set_align(f->note, LXW_ALIGN_VERTICAL_TOP);
	format_set_font_size(f->note, 10);

	/* conditional formats: a broken relation, a passed check */
	f->bad = workbook_add_format(wb);
	format_set_bg_color(f->bad, 0xFFC7CE);
	format_set_font_color(f->bad, 0x9C0006);
	f->good = workbook_add_format(wb);
	format_set_bg_color(f->good, 0xC6EFCE);
	format_set_font_color(f->good, 0x006100);
}

/* Rows 3-4: the two-level header as on the form. Indicators 6-7 and 8-11
 * share a group heading; the others span both rows. */
static void write_header(lxw_worksheet *ws, const struct template_formats *f)
{
	const lxw_row_t r1 = 2, r2 = 3;
	worksheet_merge_range(ws, r1, 0, r2, 0, "项目", f->header);
	for (int no = 1; no <= JX_N_INDICATORS; no++) {
		const char *name = jx_indicator(no)->name;
		lxw_col_t c = (lxw_col_t)no;
		switch (no) {
		case 6: /* 本期实际到岗人数 over 6 and 7 */
			worksheet_merge_range(ws, r1, c, r1, c + 1, name, f->header);
			worksheet_write_blank(ws, r2, c, f->header);
			break;
		case 8: /* 本期完成见习人数 over 8 to 11 */
			worksheet_merge_range(ws, r1, c, r1, c + 3, name, f->header);
			worksheet_write_blank(ws, r2, c, f->header);
			break;
		case 7:
		case 9:
		case 10:
		case 11:
			worksheet_write_string(ws, r2, c, name, f->header);
			break;
		default:
			worksheet_merge_range(ws, r1, c, r2, c, name, f->header);
		}
	}
}

/* The 14 input cells of the data row, each with its validation. */
static void write_inputs(lxw_worksheet *ws, const struct template_formats *f)
{
	const lxw_row_t row = TEMPLATE_DATA_ROW - 1;
	for (int no = 1; no <= JX_N_INDICATORS; no++) {
		const struct jx_indicator *ind = jx_indicator(no);
		int money = no == JX_MONEY_INDICATOR;
		char title[32], input[256], error[256];
		snprintf(title, sizeof title, "指标%d", no);
		if (money) {
			snprintf(input, sizeof input,
				 "%s（%s）：填写不小于0的数，最多4位小数；没有请填0。", ind->name,
				 ind->unit);
			snprintf(error, sizeof error,
				 "指标%d应为不小于0的数（单位：万元，最多4位小数），没有请填0。",
				 no);
		} else {
			snprintf(input, sizeof input,
				 "%s（%s）：填写不小于0的整数；没有请填0，不要留空。", ind->name,
				 ind->unit);
			snprintf(error, sizeof error,
				 "指标%d应为不小于0的整数（单位：%s），请重新输入。", no,
				 ind->unit);
		}
		lxw_data_validation dv = {0};
		dv.validate = money ? LXW_VALIDATION_TYPE_DECIMAL : LXW_VALIDATION_TYPE_INTEGER;
		dv.criteria = LXW_VALIDATION_CRITERIA_GREATER_THAN_OR_EQUAL_TO;
		dv.value_number = 0;
		dv.error_type = LXW_VALIDATION_ERROR_TYPE_STOP;
		dv.input_title = title;
		dv.input_message = input;
		dv.error_title = "输入有误";
		dv.error_message = error;
		worksheet_write_blank(ws, row, (lxw_col_t)no, money ? f->input_money : f->input);
		worksheet_data_validation_cell(ws, row, (lxw_col_t)no, &dv);
	}
}

/* The 校验 column right of the form (outside the number row's columns, so
 * the reader ignores it) and red highlighting of the cells of a broken
 * relation. The formula's cached value is what an empty form shows, so a
 * reader that does not recalculate still shows something sensible. */
static void write_checks(lxw_worksheet *ws, const struct template_formats *f)
{
	const lxw_row_t row = TEMPLATE_DATA_ROW - 1;
	const lxw_col_t col = TEMPLATE_CHECK_COL - 1;
	char first[16], last[16], money[16];
	input_cell(1, 0, first, sizeof first);
	input_cell(JX_N_INDICATORS, 0, last, sizeof last);
	input_cell(JX_MONEY_INDICATOR, 0, money, sizeof money);

	char all_ok[512] = "AND(", broken[1536] = "";
	size_t n_rel = sizeof relations / sizeof relations[0];
	for (size_t i = 0; i < n_rel; i++) {
		char a[16], b[16], c[16], cond[64];
		input_cell(relations[i].a, 0, a, sizeof a);
		input_cell(relations[i].b, 0, b, sizeof b);
		if (relations[i].c) {
			input_cell(relations[i].c, 0, c, sizeof c);
			snprintf(cond, sizeof cond, "%s>=%s+%s", a, b, c);
		} else {
			snprintf(cond, sizeof cond, "%s>=%s", a, b);
		}
		strcat(all_ok, cond);
		strcat(all_ok, i + 1 < n_rel ? "," : ")");
		char part[128];
		snprintf(part, sizeof part, "&IF(%s,\"\",\"%s；\")", cond, relations[i].text);
		strcat(broken, part);

		/* highlight both sides of the relation while it is broken */
		char rule[160];
		lxw_col_t lo = (lxw_col_t)relations[i].a;
		lxw_col_t hi = (lxw_col_t)(relations[i].c ? relations[i].c : relations[i].b);
		char abs_a[16], abs_b[16], abs_c[16];
		input_cell(relations[i].a, 1, abs_a, sizeof abs_a);
		input_cell(relations[i].b, 1, abs_b, sizeof abs_b);
		if (relations[i].c) {
			input_cell(relations[i].c, 1, abs_c, sizeof abs_c);
			snprintf(rule, sizeof rule, "=AND(COUNT(%s,%s,%s)=3,%s<%s+%s)", abs_a,
				 abs_b, abs_c, abs_a, abs_b, abs_c);
		} else {
			snprintf(rule, sizeof rule, "=AND(COUNT(%s,%s)=2,%s<%s)", abs_a, abs_b,
				 abs_a, abs_b);
		}
		lxw_conditional_format cf = {0};
		cf.type = LXW_CONDITIONAL_TYPE_FORMULA;
		cf.value_string = rule;
		cf.format = f->bad;
		worksheet_conditional_format_range(ws, row, lo, row, hi, &cf);
	}

	char formula[2560];
	snprintf(formula, sizeof formula,
		 "=IF(COUNT(%s:%s)<%d,\"待填写：14项均须填写，没有请填0\","
		 "IF(AND(%s,ROUND(%s,4)=%s),\"通过\","
		 "\"不通过：\"%s&IF(ROUND(%s,4)=%s,\"\",\"指标14最多4位小数；\")))",
		 first, last, JX_N_INDICATORS, all_ok, money, money, broken, money, money);
	worksheet_merge_range(ws, 2, col, TEMPLATE_NUMBER_ROW - 1, col, "校验", f->header);
	worksheet_write_formula_str(ws, row, col, formula, f->check,
				    "待填写：14项均须填写，没有请填0");

	char abs_check[16];
	snprintf(abs_check, sizeof abs_check, "$%c$%d", 'A' + col, TEMPLATE_DATA_ROW);
	char rule_bad[64], rule_good[64];
	snprintf(rule_bad, sizeof rule_bad, "=LEFT(%s,3)=\"不通过\"", abs_check);
	snprintf(rule_good, sizeof rule_good, "=%s=\"通过\"", abs_check);
	lxw_conditional_format cf = {0};
	cf.type = LXW_CONDITIONAL_TYPE_FORMULA;
	cf.value_string = rule_bad;
	cf.format = f->bad;
	worksheet_conditional_format_cell(ws, row, col, &cf);
	cf.value_string = rule_good;
	cf.format = f->good;
	worksheet_conditional_format_cell(ws, row, col, &cf);
}

/* 填报说明 below the footer, as on the form, plus how to use this sheet. */
static lxw_row_t write_notes(lxw_worksheet *ws, lxw_row_t row, int deadline_day,
			     const struct template_formats *f)
{
	static const char *const notes[] = {
	    "2."
	    "指标8“本期完成见习人数”：是指统计周期内，按照见习协议的规定，如期完成就业见习的人数；"
	    "以及见习期虽未满，但提前被见习基地留用的人数。（见习期内，因见习人员个人原因等提前结束"
	    "见习的人员数不算在内）",
	    "3."
	    "指标11“其他方式就业人数”：是指见习期满后除被见习基地留用外，通过见习基地或公共就业人才"
	    "服务机构推荐、个人自主择业等方式实现就业的人数。",
	    "4."
	    "指标12“本期非正常结束见习人数”：是指统计周期内，见习期未满，因个人选择或见习基地变动等"
	    "原因，未按照见习协议规定提前结束见习，且未被留用的人员数量。",
	    "5."
	    "指标14“本年累计各级财政实际拨付的见习补贴资金数”：是指省、市、县级财政实际拨付的见习补"
	    "贴资金数，包括分配拨付中央财政下达的就业补助资金中用于见习补贴的部分。以万元为单位，最"
	    "多保留4位小数。",
	    "6.指标中的“本期”：是指统计周期当期实际情况，不与上期数据累积。",
	    "7.逻辑关系：1≥2，3≥4，5≥6≥7，8≥9+11，9≥10。",
	    "8."
	    "请在黄色单元格内填写数字，没有的填0，不要留空；右侧“校验”列显示逻辑关系的检查结果（需"
	    "在Excel或WPS中打开），不满足的单元格显示为红色。",
	};
	worksheet_write_string(ws, row++, 0, "填报说明：", f->label);
	char first[160];
	if (deadline_day > 0) {
		snprintf(first, sizeof first, "1.本表于月后%d日内上报，遇节假日顺延。",
			 deadline_day);
		worksheet_merge_range(ws, row, 0, row, LAST_COL, first, f->note);
		row++;
	}
	for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++) {
		worksheet_merge_range(ws, row, 0, row, LAST_COL, notes[i], f->note);
		/* merged cells do not grow to fit: give long notes two lines */
		if (strlen(notes[i]) > 150)
			worksheet_set_row(ws, row, 30, NULL);
		row++;
	}
	return row;
}

static int build(lxw_workbook *wb, const struct template_spec *spec)
{
	struct template_formats f;
	make_formats(wb, &f);
	lxw_worksheet *ws = workbook_add_worksheet(wb, "汇总表");
	if (!ws)
		return -1;

	char *name = xu_clean_text(spec->district_name);
	if (!name)
		return -1;
	char text[512];

	worksheet_set_column(ws, 0, 0, 18, NULL);
	worksheet_set_column(ws, 1, LAST_COL, 10, NULL);
	worksheet_set_column(ws, LAST_COL + 1, LAST_COL + 1, 24, NULL);
	worksheet_set_row(ws, 0, 30, NULL);
	worksheet_set_row(ws, 2, 42, NULL);
	worksheet_set_row(ws, 3, 84, NULL);
	worksheet_set_row(ws, TEMPLATE_DATA_ROW - 1, 24, NULL);

	worksheet_merge_range(ws, 0, 0, 0, LAST_COL, FORM_TITLE, f.title);
	snprintf(text, sizeof text, "统计期：%d年%d月", spec->year, spec->month);
	worksheet_write_string(ws, 1, 0, text, f.label);
	worksheet_merge_range(ws, 1, LAST_COL - 2, 1, LAST_COL, "单位：个、人、万元", f.unit);

	write_header(ws, &f);
	const lxw_row_t num_row = TEMPLATE_NUMBER_ROW - 1;
	worksheet_write_blank(ws, num_row, 0, f.number);
	for (int no = 1; no <= JX_N_INDICATORS; no++)
		worksheet_write_number(ws, num_row, (lxw_col_t)no, no, f.number);

	worksheet_write_string(ws, TEMPLATE_DATA_ROW - 1, 0, name, f.name);
	write_inputs(ws, &f);
	write_checks(ws, &f);

	/* a blank row, then the footer: the reader stops at either */
	lxw_row_t row = TEMPLATE_DATA_ROW + 1;
	snprintf(text, sizeof text, "填报单位：%s", name);
	worksheet_write_string(ws, row++, 0, text, f.label);
	static const char *const footer[] = {"填报时间：", "填报人：", "联系电话："};
	for (size_t i = 0; i < sizeof footer / sizeof footer[0]; i++, row++) {
		worksheet_write_string(ws, row, 0, footer[i], f.label);
		worksheet_merge_range(ws, row, 1, row, 4, "", f.footer_value);
	}
	write_notes(ws, row + 1, spec->deadline_day, &f);

	worksheet_set_selection(ws, TEMPLATE_DATA_ROW - 1, 1, TEMPLATE_DATA_ROW - 1, 1);
	worksheet_set_landscape(ws);
	worksheet_set_paper(ws, 9); /* A4 */
	worksheet_fit_to_pages(ws, 1, 0);

	/* No password: a clerk who must add sub-unit rows can lift the
	 * protection; it is there against slips, not against people. */
	lxw_protection prot = {0};
	prot.format_columns = 1;
	prot.format_rows = 1;
	worksheet_protect(ws, NULL, &prot);

	lxw_doc_properties props = {0};
	props.title = FORM_TITLE;
	snprintf(text, sizeof text, "%s %d年%d月", name, spec->year, spec->month);
	props.subject = text;
	props.comments = "由 jianxi 生成的填报模板";
	workbook_set_properties(wb, &props);
	free(name);
	return 0;
}

int template_write(const char *path, const struct template_spec *spec, char *err, size_t errlen)
{
	if (!path || !spec || !spec->district_name || !*spec->district_name || spec->month < 1 ||
	    spec->month > 12 || spec->year < 1900 || spec->year > 9999) {
		if (err && errlen)
			snprintf(err, errlen, "bad template request");
		return TEMPLATE_EINVAL;
	}
	struct xu_book book;
	if (xu_book_open(&book, path, err, errlen))
		return TEMPLATE_EIO;
	if (build(book.wb, spec)) {
		xu_book_abort(&book);
		if (err && errlen)
			snprintf(err, errlen, "cannot build the template");
		return TEMPLATE_EIO;
	}
	return xu_book_commit(&book, err, errlen) ? TEMPLATE_EIO : TEMPLATE_OK;
}
