/* Periods (YYYY-MM), civil dates and the text forms districts write them in. */
#ifndef JX_PERIOD_H
#define JX_PERIOD_H

#include <stddef.h>
#include <stdint.h>

/* Parses a period written as 2023-09, 2023-9, 2023/09, 2023.09, 202309,
 * 2023年9月, 2023年09月, 23年9月 (20YY) or a date 2023-09-30 / 2023年9月30日
 * (its month).
 * Surrounding spaces are allowed. Returns 0 and sets year/month, or -1. */
int jx_period_parse(const char *text, int *year, int *month);

/* Finds a period inside free text such as a file name: the first match of
 * YYYY-MM, YYYY_MM, YYYYMM, YYYY年M月 with 2000 <= year <= 2099. Returns
 * 0, or -1 when none. */
int jx_period_find(const char *text, int *year, int *month);

/* "YYYY-MM" into buf (at least 8 bytes). */
void jx_period_format(int year, int month, char *buf);

/* Months since year 0: for ordering and differences. */
static inline int jx_period_index(int year, int month)
{
	return year * 12 + (month - 1);
}

/* Days since 1970-01-01 of a civil date, and back (proleptic Gregorian). */
int32_t jx_days_from_civil(int year, int month, int day);
void jx_civil_from_days(int32_t days, int *year, int *month, int *day);
/* 0 = Monday ... 6 = Sunday. */
int jx_weekday(int32_t days);
/* Parses YYYY-MM-DD strictly. Returns 0 or -1. */
int jx_date_parse(const char *text, int32_t *days);

/* Parses ISO-8601 date-time: YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|±HH:MM|±HHMM|
 * ±HH] (a space may stand for T; a fraction of a second is dropped).
 * Without a zone the time is local to tz (an IANA name). Returns 0 and
 * sets *t (Unix seconds), or -1. */
int jx_time_parse(const char *text, const char *tz, int64_t *t);
/* Unix seconds of local midnight that starts day in tz. */
int64_t jx_time_local_midnight(int32_t day, const char *tz);
/* Formats t in tz as "YYYY-MM-DDTHH:MM:SS+08:00" into buf (>= 32 bytes). */
void jx_time_format(int64_t t, const char *tz, char *buf, size_t size);

#endif
