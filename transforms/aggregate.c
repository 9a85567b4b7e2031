/* Aggregation of one year of district submissions: see aggregate.h. Sums are
 * checked for overflow (a hostile file may hold huge numbers) and rates are
 * long divisions in 128-bit integers, so no floating point touches a total. */
#include "aggregate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* More districts than any city has; keeps the table size far from overflow. */
#define AGG_MAX_DISTRICTS 100000

int agg_year_init(struct agg_year *y, int year, size_t n_districts)
{
	memset(y, 0, sizeof *y);
	if (n_districts > AGG_MAX_DISTRICTS)
		return -1;
	y->year = year;
	y->n_districts = n_districts;
	if (n_districts == 0)
		return 0;
	y->cells = calloc(n_districts * AGG_MONTHS, sizeof *y->cells);
	if (!y->cells)
		return -1;
	/* calloc gives AGG_MISSING (0) and zero values everywhere. */
	return 0;
}

void agg_year_release(struct agg_year *y)
{
	free(y->cells);
	memset(y, 0, sizeof *y);
}

const struct agg_cell *agg_year_cell_const(const struct agg_year *y,
					   size_t district, int month)
{
	if (district >= y->n_districts || month < 0 || month >= AGG_MONTHS)
		return NULL;
	return &y->cells[district * AGG_MONTHS + (size_t)month];
}

struct agg_cell *agg_year_cell(struct agg_year *y, size_t district, int month)
{
	return (struct agg_cell *)agg_year_cell_const(y, district, month);
}

static int add_figures(int64_t acc[JX_N_INDICATORS],
		       const int64_t v[JX_N_INDICATORS])
{
	for (int i = 0; i < JX_N_INDICATORS; i++)
		if (__builtin_add_overflow(acc[i], v[i], &acc[i]))
			return -1;
	return 0;
}

void agg_district_month(const struct agg_year *y, size_t district, int month,
			struct agg_figures *out)
{
	memset(out, 0, sizeof *out);
	const struct agg_cell *c = agg_year_cell_const(y, district, month);
	if (!c || c->state != AGG_ACCEPTED)
		return;
	out->n = 1;
	out->last_month = month;
	memcpy(out->v, c->v, sizeof out->v);
}

int agg_city_month(const struct agg_year *y, int month, struct agg_figures *out)
{
	memset(out, 0, sizeof *out);
	for (size_t d = 0; d < y->n_districts; d++) {
		const struct agg_cell *c = agg_year_cell_const(y, d, month);
		if (!c || c->state != AGG_ACCEPTED)
			continue;
		if (add_figures(out->v, c->v))
			return -1;
		out->n++;
		out->last_month = month;
	}
	return 0;
}

int agg_change(const struct agg_figures *cur, const struct agg_figures *prev,
	       struct agg_change out[JX_N_INDICATORS])
{
	int rc = 0;
	memset(out, 0, sizeof(struct agg_change) * JX_N_INDICATORS);
	if (!cur->n || !prev->n)
		return 0;
	for (int i = 0; i < JX_N_INDICATORS; i++) {
		if (__builtin_sub_overflow(cur->v[i], prev->v[i], &out[i].delta)) {
			out[i].delta = 0;
			rc = -1;
			continue;
		}
		out[i].defined = 1;
		if (prev->v[i] > 0)
			agg_percent(out[i].delta, prev->v[i], out[i].pct,
				    sizeof out[i].pct);
	}
	return rc;
}

int agg_ytd_district(const struct agg_year *y, size_t district,
		     int as_of_month, struct agg_figures *out)
{
	memset(out, 0, sizeof *out);
	if (as_of_month > 12)
		as_of_month = 12;
	const struct agg_cell *latest = NULL;
	for (int m = 1; m <= as_of_month; m++) {
		const struct agg_cell *c = agg_year_cell_const(y, district, m);
		if (!c || c->state != AGG_ACCEPTED)
			continue;
		for (int i = 0; i < JX_N_INDICATORS; i++) {
			const struct jx_indicator *ind = jx_indicator(i + 1);
			if (ind && ind->kind != JX_KIND_FLOW)
				continue;
			if (__builtin_add_overflow(out->v[i], c->v[i], &out->v[i]))
				return -1;
		}
		out->n++;
		out->last_month = m;
		latest = c;
	}
	if (!latest)
		return 0;
	for (int i = 0; i < JX_N_INDICATORS; i++) {
		const struct jx_indicator *ind = jx_indicator(i + 1);
		if (ind && ind->kind != JX_KIND_FLOW)
			out->v[i] = latest->v[i];
	}
	return 0;
}

int agg_ytd_city(const struct agg_year *y, int as_of_month,
		 struct agg_figures *out)
{
	memset(out, 0, sizeof *out);
	for (size_t d = 0; d < y->n_districts; d++) {
		struct agg_figures f;
		if (agg_ytd_district(y, d, as_of_month, &f))
			return -1;
		if (!f.n)
			continue;
		if (add_figures(out->v, f.v))
			return -1;
		out->n++;
		if (f.last_month > out->last_month)
			out->last_month = f.last_month;
	}
	return 0;
}

int agg_latest_month(const struct agg_year *y)
{
	for (int m = 12; m >= 1; m--)
		for (size_t d = 0; d < y->n_districts; d++) {
			const struct agg_cell *c = agg_year_cell_const(y, d, m);
			if (c && c->state == AGG_ACCEPTED)
				return m;
		}
	return 0;
}

/* num/den * 10^scale, as a decimal with `places` places, rounded half away
 * from zero. 128-bit intermediates: |num| < 2^63, scale <= 6. */
static int format_ratio(int64_t num, int64_t den, int scale, int places,
			char *buf, size_t size)
{
	if (size)
		buf[0] = 0;
	if (den <= 0 || size < 2)
		return -1;
	unsigned __int128 mag = num < 0 ? (unsigned __int128)(-(__int128)num)
					: (unsigned __int128)num;
	unsigned __int128 pow = 1;
	for (int i = 0; i < scale + places; i++)
		pow *= 10;
	unsigned __int128 d = (unsigned __int128)den;
	unsigned __int128 q = (mag * pow * 2 + d) / (d * 2);
	unsigned __int128 unit = 1;
	for (int i = 0; i < places; i++)
		unit *= 10;
	unsigned __int128 ip = q / unit, fp = q % unit;
	/* The integer part fits in 64 bits: it is at most |num| * 10^scale /
	 * 1 with scale <= 2 for the callers; guard anyway. */
	if (ip > UINT64_MAX)
		return -1;
	char frac[16];
	for (int i = places - 1; i >= 0; i--) {
		frac[i] = (char)('0' + (int)(fp % 10));
		fp /= 10;
	}
	frac[places] = 0;
	int neg = num < 0 && q != 0;
	int n = snprintf(buf, size, "%s%llu%s%s", neg ? "-" : "",
			 (unsigned long long)ip, places ? "." : "", frac);
	if (n < 0 || (size_t)n >= size) {
		buf[0] = 0;
		return -1;
	}
	return 0;
}

int agg_rate(int64_t num, int64_t den, char *buf, size_t size)
{
	return format_ratio(num, den, 0, 4, buf, size);
}

int agg_percent(int64_t num, int64_t den, char *buf, size_t size)
{
	return format_ratio(num, den, 2, 2, buf, size);
}

int agg_behind_schedule(int64_t actual, int64_t target, int months_elapsed)
{
	if (target <= 0)
		return 0;
	/* actual / target < months / 12  <=>  actual * 12 < target * months */
	return (__int128)actual * 12 < (__int128)target * months_elapsed;
}
