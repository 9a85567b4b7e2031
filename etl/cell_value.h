/* Reading one indicator cell as the form allows it to be written: ASCII or
 * full-width digits, thousands separators, surrounding spaces (ASCII, U+3000,
 * no-break); whole numbers for 1-13, up to four decimals of 万元 for 14. */
#ifndef ETL_CELL_VALUE_H
#define ETL_CELL_VALUE_H

#include <stdint.h>
#include "../core/finding.h"
#include "rows.h"

/* Largest value accepted: counts and yuan alike (a guard, not a rule). */
#define CELL_VALUE_MAX 999999999999LL

/* Parses cell (NULL or blank text = empty) as indicator no. Returns -1 and
 * sets *out (counts as is, indicator 14 in yuan) when the value is good;
 * otherwise the rule it breaks: JX_T1 empty, JX_T2 not a number, JX_T3
 * negative, JX_T4 not whole / more than four decimals. */
int cell_value_parse(const struct etl_cell *cell, int indicator, int64_t *out);

/* Writes the Chinese message for a cell that broke rule into buf. */
void cell_value_message(int rule, int indicator, const char *cell_name,
			const char *text, char *buf, size_t size);

/* Normalises text for comparisons: full-width digits and letters to ASCII,
 * every kind of space removed, ASCII letters lowered. Returns out. */
char *cell_text_fold(const char *text, char *out, size_t size);

#endif
