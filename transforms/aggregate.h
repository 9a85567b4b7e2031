/* Aggregation of one year of district submissions: city totals per month,
 * month-over-month change (环比), year to date, and the rates the attainment
 * and year-end reports show. Integer arithmetic only; rates are decimal text
 * rounded half away from zero. Missing and rejected months never count. */
#ifndef TRANSFORMS_AGGREGATE_H
#define TRANSFORMS_AGGREGATE_H

#include <stddef.h>
#include <stdint.h>
#include "../core/indicator.h"

/* What a (district, month) holds: an accepted version in force, only
 * rejected versions, or nothing at all. */
enum agg_state { AGG_MISSING = 0, AGG_ACCEPTED, AGG_REJECTED };

struct agg_cell {
	enum agg_state state;
	int64_t v[JX_N_INDICATORS]; /* meaningful only when accepted; 14 in yuan */
};

/* The input table: for every district, months 0..12 of year, where month 0
 * is December of the year before (so that January has a previous month). */
#define AGG_MONTHS 13

struct agg_year {
	int year;
	size_t n_districts;
	struct agg_cell *cells; /* n_districts * AGG_MONTHS, owned */
};

/* Makes a table with every cell missing. Returns 0, or -1 (out of memory,
 * or too many districts). */
int agg_year_init(struct agg_year *y, int year, size_t n_districts);
void agg_year_release(struct agg_year *y);

/* The cell of district (index in config order) and month (0..12), or NULL
 * when either is out of range. Valid until agg_year_release. */
struct agg_cell *agg_year_cell(struct agg_year *y, size_t district, int month);
const struct agg_cell *agg_year_cell_const(const struct agg_year *y,
					   size_t district, int month);

/* Figures summed over some cells. n counts the accepted cells that went in:
 * n == 0 means there is nothing to show (never "zero"). */
struct agg_figures {
	size_t n;
	int last_month;             /* year to date: the latest accepted month */
	int64_t v[JX_N_INDICATORS];
};

/* The district's own figures for month (n is 1 when accepted, else 0). */
void agg_district_month(const struct agg_year *y, size_t district, int month,
			struct agg_figures *out);

/* City totals for month: the sum over accepted districts, n of them.
 * Returns 0, or -1 when a sum does not fit in 64 bits. */
int agg_city_month(const struct agg_year *y, int month,
		   struct agg_figures *out);

/* Month-over-month change of one indicator. */
struct agg_change {
	int defined;     /* 0 when this or the previous month has nothing */
	int64_t delta;   /* current - previous */
	char pct[24];    /* change in percent, 2 places ("12.50", "-3.33");
			  * "" when undefined or the previous value is 0 */
};

/* Change from prev to cur for every indicator; defined only when both have
 * n > 0. Returns 0, or -1 when a difference does not fit in 64 bits. */
int agg_change(const struct agg_figures *cur, const struct agg_figures *prev,
	       struct agg_change out[JX_N_INDICATORS]);

/* Year to date of a district over accepted months 1..as_of_month: flows
 * summed, stocks (1, 3, 13) and 14 (already a year-to-date figure) as at the
 * latest accepted month. n is the number of accepted months. Returns 0 or -1
 * (overflow). */
int agg_ytd_district(const struct agg_year *y, size_t district,
		     int as_of_month, struct agg_figures *out);

/* The city's year to date: the sum of the districts' year-to-date figures
 * (stocks and 14 as each district last reported them); n is the number of
 * districts with at least one accepted month, last_month the latest of them.
 * Returns 0 or -1 (overflow). */
int agg_ytd_city(const struct agg_year *y, int as_of_month,
		 struct agg_figures *out);

/* The latest month 1..12 with any accepted district, or 0 when none. */
int agg_latest_month(const struct agg_year *y);

/* num/den as a decimal with 4 places rounded half away from zero
 * ("0.4235", "1.0000"). Returns 0, or -1 with buf "" when den <= 0 or buf
 * is too small (32 bytes always suffice). */
int agg_rate(int64_t num, int64_t den, char *buf, size_t size);

/* num/den in percent with 2 places ("12.50", "-33.33"); same returns. */
int agg_percent(int64_t num, int64_t den, char *buf, size_t size);

/* 1 when actual is behind the time schedule: actual/target below
 * months_elapsed/12. 0 when on schedule or when there is no target. */
int agg_behind_schedule(int64_t actual, int64_t target, int months_elapsed);

#endif
