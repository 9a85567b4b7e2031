/* Spreadsheet number formats (ECMA-376 Part 1, §18.8.30-31): what kind of
 * value a format shows (a number, a date, a time or duration) and the text
 * a plain number format shows, so a numeric cell is read as the clerk sees
 * it: 2023.1 in format "0.00" is "2023.10". */
#ifndef ETL_NUMFMT_H
#define ETL_NUMFMT_H

#include <stddef.h>
#include <stdint.h>

enum numfmt_kind {
	NUMFMT_NUMBER,	/* General, 0.00, #,##0, text "@", anything else */
	NUMFMT_DATE,	/* shows a year, month or day: yyyy-mm-dd, m"月"d"日" */
	NUMFMT_TIME,	/* shows only a time of day: h:mm, mm:ss, h"时"mm"分" */
	NUMFMT_DURATION /* shows elapsed time: [h]:mm:ss, [mm]:ss */
};

/* The format code of a built-in format id: ECMA-376's ids 0-49 and the
 * East Asian ids 27-36 and 50-81 as a zh-CN Excel shows them (Thai for
 * 59-81). NULL for the ids whose code depends on the locale's currency
 * (5-8, 23-26, 41-44) or that are not built in. The string is static. */
const char *numfmt_builtin(uint32_t id);

/* What a format code shows. Sections after the first, quoted text,
 * escapes and [colour] / [$-804] / [>0] brackets do not count; y, d or a
 * month make a date; h, s or [h] / [mm] / [ss] without them a time. */
enum numfmt_kind numfmt_kind_of(const char *code);

/* Writes into out (size bytes) the text a number format code shows for
 * num, a plain decimal ("2023.1", "-3", no exponent) as the XLSX reader
 * gives numbers: digit placeholders 0 # ?, a decimal point, thousands
 * separators, literal text and the sections for negative numbers and zero.
 * Returns 0, or -1 when the code is one this cannot show for sure
 * (percent, exponent, fraction, scaling, conditions, dates and times) or
 * out is too small. */
int numfmt_render(const char *code, const char *num, char *out, size_t size);

/* Writes a time serial (num as above, in days) as "H:MM:SS": a duration
 * counts its hours past 24 ("36:00:00" for 1.5, as [h]:mm:ss shows it), a
 * time of day drops the days ("12:00:00" for 45170.5). */
void numfmt_time_text(const char *num, int duration, char *out, size_t size);

#endif
