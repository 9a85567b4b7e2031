/* Indicator cell parsing and its findings' wording. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/indicator.h"
#include "cell_value.h"

char *cell_text_fold(const char *text, char *out, size_t size)
{
	const unsigned char *p = (const unsigned char *)(text ? text : "");
	size_t n = 0;
	while (*p && n + 1 < size) {
		if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x81 && p[2] <= 0xBF) {
			/* U+FF01..U+FF3F: full-width ASCII ！..＿ */
			out[n++] = (char)tolower(p[2] - 0x81 + 0x21);
			p += 3;
		} else if (p[0] == 0xEF && p[1] == 0xBD && p[2] >= 0x80 && p[2] <= 0x9E) {
			/* U+FF40..U+FF5E: ｀..～ */
			out[n++] = (char)(p[2] - 0x80 + 0x60);
			p += 3;
		} else if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) {
			p += 3; /* ideographic space */
		} else if (p[0] == 0xC2 && p[1] == 0xA0) {
			p += 2; /* no-break space */
		} else if (isspace(*p)) {
			p++;
		} else {
			out[n++] = (char)tolower(*p);
			p++;
		}
	}
	out[n] = 0;
	return out;
}

/* The general parse of folded text p. Returns -1 with *out set, or the
 * rule; *too_large is set when the text is a well-formed number beyond
 * CELL_VALUE_MAX (a T2 worded as such). */
static int parse_folded(const char *p, int indicator, int64_t *out, int *too_large)
{
	*too_large = 0;
	if (!*p)
		return JX_T1;
	int negative = 0;
	if (*p == '-' || *p == '+') {
		negative = *p == '-';
		p++;
	} else if (!strncmp(p, "\xE2\x88\x92", 3)) { /* U+2212 minus sign */
		negative = 1;
		p += 3;
	}
	/* integer part with optional, well-placed thousands separators; past
	 * the guard the digits are still read, to tell a huge number from
	 * text */
	int64_t whole = 0;
	int digits = 0, group = -1, big = 0;
	for (; *p; p++) {
		if (isdigit((unsigned char)*p)) {
			if (whole > CELL_VALUE_MAX / 10)
				big = 1;
			else
				whole = whole * 10 + (*p - '0');
			digits++;
			if (group >= 0)
				group++;
		} else if (*p == ',' && digits > 0 && (group < 0 ? digits <= 3 : group == 3)) {
			group = 0;
		} else {
			break;
		}
	}
	if (!digits || (group >= 0 && group != 3))
		return JX_T2;
	int64_t frac = 0;
	int frac_digits = 0, frac_nonzero_tail = 0;
	if (*p == '.') {
		p++;
		for (; isdigit((unsigned char)*p); p++) {
			if (frac_digits < 4)
				frac = frac * 10 + (*p - '0');
			else if (*p != '0')
				frac_nonzero_tail = 1;
			frac_digits++;
		}
		if (!frac_digits)
			return JX_T2;
	}
	if (*p)
		return JX_T2;
	for (int i = frac_digits; i < 4; i++)
		frac *= 10;
	if (negative && (whole || frac || frac_nonzero_tail))
		return JX_T3;
	if (big || (indicator == JX_MONEY_INDICATOR && whole > CELL_VALUE_MAX / JX_YUAN_PER_WAN)) {
		*too_large = 1;
		return JX_T2;
	}
	if (indicator == JX_MONEY_INDICATOR) {
		if (frac_nonzero_tail)
			return JX_T4;
		*out = whole * JX_YUAN_PER_WAN + frac;
		return -1;
	}
	if (frac || frac_nonzero_tail)
		return JX_T4;
	*out = whole;
	return -1;
}

/* Folds text and parses it; a text longer than the stack buffer is folded
 * on the heap (a cell holds at most ETL_MAX_CELL_BYTES). */
static int parse_text(const char *text, size_t len, int indicator, int64_t *out,
		      int *too_large)
{
	char stack[128];
	char *buf = len < sizeof stack ? stack : malloc(len + 1);
	*too_large = 0;
	if (!buf)
		return JX_T2;
	cell_text_fold(text, buf, len < sizeof stack ? sizeof stack : len + 1);
	int rule = parse_folded(buf, indicator, out, too_large);
	if (buf != stack)
		free(buf);
	return rule;
}

int cell_value_parse_general(const struct etl_cell *cell, int indicator, int64_t *out)
{
	int too_large;
	if (!cell || !cell->len)
		return JX_T1;
	if (cell->kind == ETL_CELL_BOOL || cell->kind == ETL_CELL_ERROR ||
	    cell->kind == ETL_CELL_DATE || cell->kind == ETL_CELL_TIME)
		return JX_T2;
	return parse_text(cell->text, cell->len, indicator, out, &too_large);
}

int cell_value_parse(const struct etl_cell *cell, int indicator, int64_t *out)
{
	if (cell_value_quick(cell, indicator, out))
		return -1;
	return cell_value_parse_general(cell, indicator, out);
}

void cell_value_message(int rule, int indicator, const char *cell_name,
			const char *text, char *buf, size_t size)
{
	const struct jx_indicator *ind = jx_indicator(indicator);
	const char *name = ind ? ind->name : "";
	switch (rule) {
	case JX_T1:
		snprintf(buf, size,
			 "指标%d（%s）单元格 %s 为空，应填写数值；没有发生的请填写 0",
			 indicator, name, cell_name);
		break;
	case JX_T2: {
		int64_t v;
		int too_large;
		if (text && parse_text(text, strlen(text), indicator, &v, &too_large) == JX_T2 &&
		    too_large) {
			if (indicator == JX_MONEY_INDICATOR)
				snprintf(buf, size,
					 "指标%d（%s）单元格 %s 的值 %s 数值过大，超出可处理的范围（最大 %lld.9999 万元），请核实金额和单位（万元）",
					 indicator, name, cell_name, text,
					 CELL_VALUE_MAX / JX_YUAN_PER_WAN);
			else
				snprintf(buf, size,
					 "指标%d（%s）单元格 %s 的值 %s 数值过大，超出可处理的范围（最大 %lld），请核实是否多填了数字",
					 indicator, name, cell_name, text, CELL_VALUE_MAX);
			break;
		}
		snprintf(buf, size,
			 "指标%d（%s）单元格 %s 的内容“%s”不是有效数字，请只填写阿拉伯数字（不带单位和文字）",
			 indicator, name, cell_name, text);
		break;
	}
	case JX_T3:
		snprintf(buf, size,
			 "指标%d（%s）单元格 %s 的值 %s 为负数，该指标不能为负，请核实后填写",
			 indicator, name, cell_name, text);
		break;
	default:
		if (indicator == JX_MONEY_INDICATOR)
			snprintf(buf, size,
				 "指标%d（%s）单元格 %s 的值 %s 超过4位小数；资金以万元为单位，最多保留4位小数（精确到元）",
				 indicator, name, cell_name, text);
		else
			snprintf(buf, size,
				 "指标%d（%s）单元格 %s 的值 %s 不是整数，指标1-13应填写整数",
				 indicator, name, cell_name, text);
		break;
	}
}
