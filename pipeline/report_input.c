/* Reading the store into the aggregation input, and building attainment
 * rows: shared by the summary, attainment and annual commands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/period.h"
#include "../etl/store.h"
#include "report_input.h"

/* What one set read of the store fills in: month m of the table is month
 * m of the year, month 0 December of the year before. */
struct month_fill {
	const struct jx_config *cfg;
	struct agg_year *y;
	unsigned months;
	int december_before;
	store_month_fn tap; /* also called for each state of the year, or NULL */
	void *tap_ctx;
};

static int note_month(void *ctx, const struct store_month_state *s)
{
	struct month_fill *mf = ctx;
	if (mf->tap && !mf->december_before) {
		int rc = mf->tap(mf->tap_ctx, s);
		if (rc)
			return rc;
	}
	int m = mf->december_before ? 0 : s->month;
	if (!(mf->months & (1u << m)))
		return 0;
	int d = jx_config_district_find(mf->cfg, s->district_code, JX_MATCH_EXACT);
	if (d < 0 || strcmp(mf->cfg->districts[d].code, s->district_code))
		return 0; /* a district no longer configured */
	struct agg_cell *c = agg_year_cell(mf->y, (size_t)d, m);
	if (s->status != JX_ACCEPTED) {
		c->state = AGG_REJECTED;
		return 0;
	}
	c->state = AGG_ACCEPTED;
	for (int i = 0; i < JX_N_INDICATORS; i++)
		c->v[i] = s->figures[i].v;
	return 0;
}

int report_input_load(struct store *st, const struct jx_config *cfg, int year, unsigned months,
		      struct agg_year *y, char *err, size_t errlen)
{
	return report_input_load_tap(st, cfg, year, months, y, NULL, NULL, err, errlen);
}

int report_input_load_tap(struct store *st, const struct jx_config *cfg, int year, unsigned months,
			  struct agg_year *y, store_month_fn tap, void *tap_ctx, char *err,
			  size_t errlen)
{
	if (agg_year_init(y, year, cfg->n_districts)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* One read for the months of the year asked for, one for December
	 * of the year before. */
	int from = 0, to = 0;
	for (int m = 1; m < AGG_MONTHS; m++)
		if (months & (1u << m)) {
			if (!from)
				from = m;
			to = m;
		}
	struct month_fill mf = {cfg, y, months, 0, tap, tap_ctx};
	int rc = from ? store_in_force(st, year, from, to, note_month, &mf) : 0;
	if (!rc && (months & 1u)) {
		mf.december_before = 1;
		rc = store_in_force(st, year - 1, 12, 12, note_month, &mf);
	}
	if (rc) {
		snprintf(err, errlen, "cannot read the store: %s", store_error(st));
		return -1;
	}
	return 0;
}

/* The latest month of the year with any accepted submission. With none: 12
 * for a past year, the month before now for this year (January at least),
 * 1 for a future year. */
int report_default_as_of(const struct jx_config *cfg, const struct agg_year *y)
{
	int m = agg_latest_month(y);
	if (m)
		return m;
	char now[40];
	int cy = 0, cm = 0;
	jx_time_format((int64_t)time(NULL), cfg->timezone, now, sizeof now);
	if (sscanf(now, "%d-%d", &cy, &cm) != 2 || y->year < cy)
		return 12;
	if (y->year > cy)
		return 1;
	return cm > 1 ? cm - 1 : 1;
}

static void fill_measure(struct attain_measure *m, int reported,
			 const struct jx_target *t, int which, int64_t actual,
			 int as_of)
{
	memset(m, 0, sizeof *m);
	if (t) {
		m->has_target = 1;
		m->target = which ? t->people : t->posts;
	}
	m->actual = actual;
	if (reported && m->has_target) {
		agg_rate(actual, m->target, m->rate, sizeof m->rate);
		m->behind = agg_behind_schedule(actual, m->target, as_of);
	}
}

/* Fills r (rows has room for cfg->n_districts) for as_of (1..12). Returns 0
 * or -1 when a sum does not fit in 64 bits. */
int report_attain_build(const struct jx_config *cfg, const struct agg_year *y,
		     int as_of, struct attain_row *rows,
		     struct attain_report *r)
{
	struct agg_figures f;
	r->year = y->year;
	r->as_of_month = as_of;
	r->city = cfg->city;
	r->unit_label = cfg->unit_label;
	r->rows = rows;
	r->n_rows = cfg->n_districts;
	agg_rate(as_of, 12, r->progress, sizeof r->progress);
	/* Without a city-wide ("*") target, the city's is the districts' sum. */
	struct jx_target sum = {y->year, -1, 0, 0, -1};
	int any_target = 0;
	for (size_t d = 0; d < cfg->n_districts; d++) {
		struct attain_row *row = &rows[d];
		const struct jx_target *t = jx_config_target(cfg, y->year, (int)d);
		memset(row, 0, sizeof *row);
		row->code = cfg->districts[d].code;
		row->name = cfg->districts[d].name;
		if (agg_ytd_district(y, d, as_of, &f))
			return -1;
		row->reported = f.n > 0;
		fill_measure(&row->posts, row->reported, t, 0, f.v[3], as_of);
		fill_measure(&row->people, row->reported, t, 1, f.v[5], as_of);
		if (t) {
			any_target = 1;
			if (__builtin_add_overflow(sum.posts, t->posts, &sum.posts) ||
			    __builtin_add_overflow(sum.people, t->people,
						   &sum.people))
				return -1;
		}
	}
	const struct jx_target *city = jx_config_target(cfg, y->year, -1);
	if (!city && any_target)
		city = &sum;
	if (agg_ytd_city(y, as_of, &f))
		return -1;
	memset(&r->total, 0, sizeof r->total);
	r->total.code = "total";
	r->total.name = "合计";
	r->total.reported = f.n > 0;
	fill_measure(&r->total.posts, r->total.reported, city, 0, f.v[3], as_of);
	fill_measure(&r->total.people, r->total.reported, city, 1, f.v[5], as_of);
	return 0;
}

