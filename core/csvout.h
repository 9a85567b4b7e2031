/* Writing RFC 4180 CSV: UTF-8, comma-separated, fields quoted only when they
 * hold a comma, quote, CR or LF. */
#ifndef JX_CSVOUT_H
#define JX_CSVOUT_H

#include <stdio.h>

/* Writes one field (no separator). NULL is written as an empty field. */
void jx_csv_field(FILE *f, const char *text);
/* Writes fields[0..n) and a line feed. */
void jx_csv_row(FILE *f, const char *const *fields, size_t n);

#endif
