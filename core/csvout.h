/* Writing CSV: UTF-8, comma-separated, quoted as RFC 4180. Every CSV jianxi
 * writes for people (the findings CSV of check/load/nightly, summary,
 * attainment, status, the districts' feedback CSV, the per-submission lines
 * of load and of the nightly log) goes through jx_csv_field/jx_csv_row, so
 * one rule holds everywhere:
 *
 * 1. A field that begins with a character a spreadsheet may read as the start
 *    of a formula is kept as text by an apostrophe before it, inside the
 *    quotes, and the field is always quoted:
 *        =1+2            ->  "'=1+2"
 *        -2+3            ->  "'-2+3"
 *        =HYPERLINK("x") ->  "'=HYPERLINK(""x"")"
 *    The characters are those OWASP lists, = + - @ TAB CR, and their
 *    full-width forms ＝ ＋ － ＠ (U+FF1D U+FF0B U+FF0D U+FF20), in case a
 *    spreadsheet or an input method turns them into the ASCII ones when a
 *    clerk edits the cell: cheap insurance, as a district's text seldom
 *    starts with one. Spreadsheets show the apostrophe; a program gets the
 *    text back by dropping the first character of a field whose second
 *    character is one of these (a text that itself began with an
 *    apostrophe and one of these would lose its apostrophe that way: the
 *    store, not the reports, is the exact record). There is no exception
 *    for numbers: jianxi's numeric columns never hold a negative number,
 *    and a text column that starts with '-' (a unit name, a value as the
 *    clerk typed it, "-3") is district text like any other.
 * 2. Any other field is quoted only when it holds a comma, quote, CR or LF;
 *    a quote inside is doubled. NULL is an empty field.
 *
 * So the apostrophe never stands outside the quotes and the number of
 * fields of a row never depends on the data. The writer does not change
 * text otherwise: text from outside is made valid, visible UTF-8 before it
 * reaches a record (jx_text_visible in text.h).
 *
 * The dir: store's own files are not output for people but data jianxi
 * reads back byte for byte; they use jx_csv_verbatim (rule 2 without rule
 * 1, always quoted). */
#ifndef JX_CSVOUT_H
#define JX_CSVOUT_H

#include <stdio.h>

/* 1 when text begins with a character of rule 1. */
int jx_csv_is_formula_like(const char *text);
/* Writes one field (no separator) by the rules above. */
void jx_csv_field(FILE *f, const char *text);
/* Writes fields[0..n) and a line feed. */
void jx_csv_row(FILE *f, const char *const *fields, size_t n);
/* Writes text always quoted and otherwise unchanged, NULL as an unquoted
 * empty field (so NULL and "" read back apart). For files jianxi reads
 * back itself, never for output meant for spreadsheets. */
void jx_csv_verbatim(FILE *f, const char *text);

#endif
