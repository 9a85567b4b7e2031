/* Reading one indicator cell as the form allows it to be written: ASCII or
 * full-width digits, thousands separators, surrounding spaces (ASCII, U+3000,
 * no-break); whole numbers for 1-13, up to four decimals of 万元 for 14. */
#ifndef ETL_CELL_VALUE_H
#define ETL_CELL_VALUE_H

#include <stdint.h>
#include "../core/finding.h"
#include "../core/indicator.h"
#include "rows.h"

/* Largest value accepted: counts and yuan alike (a guard, not a rule). */
#define CELL_VALUE_MAX 999999999999LL

/* The common case, inline for the row loop: a text or number cell holding
 * 1-12 ASCII digits, for indicator 14 optionally a point and 1-4 decimals,
 * nothing else. Returns 1 with *out set as cell_value_parse sets it; 0 when
 * the cell is anything else, for cell_value_parse to decide (it gives the
 * same value or the finding). Digits are summed unsigned: a longer run
 * may wrap before its length refuses it, harmlessly. */
static inline int cell_value_quick(const struct etl_cell *cell, int indicator, int64_t *out)
{
	if (!cell || (cell->kind != ETL_CELL_TEXT && cell->kind != ETL_CELL_NUMBER))
		return 0;
	const char *s = cell->text;
	size_t len = cell->len, i = 0;
	uint64_t whole = 0, d;
	while (i < len && (d = (uint64_t)(unsigned char)s[i] - '0') <= 9) {
		whole = whole * 10 + d;
		i++;
	}
	if (i == 0 || i > 12)
		return 0;
	if (indicator == JX_MONEY_INDICATOR) {
		if (whole > (uint64_t)(CELL_VALUE_MAX / JX_YUAN_PER_WAN))
			return 0;
		whole *= JX_YUAN_PER_WAN;
	}
	if (i == len) {
		*out = (int64_t)whole;
		return 1;
	}
	/* decimals: indicator 14 only (a count with ".0" is the general
	 * parse's) */
	size_t places = len - i - 1;
	if (indicator != JX_MONEY_INDICATOR || s[i] != '.' || places < 1 || places > 4)
		return 0;
	uint64_t frac = 0;
	for (i++; i < len; i++) {
		if ((d = (uint64_t)(unsigned char)s[i] - '0') > 9)
			return 0;
		frac = frac * 10 + d;
	}
	for (; places < 4; places++)
		frac *= 10;
	*out = (int64_t)(whole + frac);
	return 1;
}

/* Parses cell (NULL or blank text = empty) as indicator no. Returns -1 and
 * sets *out (counts as is, indicator 14 in yuan) when the value is good;
 * otherwise the rule it breaks: JX_T1 empty, JX_T2 not a number, JX_T3
 * negative, JX_T4 not whole / more than four decimals. */
int cell_value_parse(const struct etl_cell *cell, int indicator, int64_t *out);

/* cell_value_parse without cell_value_quick: every cell through the
 * folding parse. The two must agree wherever the quick path answers
 * (tests/test_cell_value.c holds them together). */
int cell_value_parse_general(const struct etl_cell *cell, int indicator, int64_t *out);

/* Writes the Chinese message for a cell that broke rule into buf. */
void cell_value_message(int rule, int indicator, const char *cell_name,
			const char *text, char *buf, size_t size);

/* Normalises text for comparisons: full-width digits and letters to ASCII,
 * every kind of space removed, ASCII letters lowered. Returns out. */
char *cell_text_fold(const char *text, char *out, size_t size);

#endif
