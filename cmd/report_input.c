/* Reading the store into the aggregation input, and building attainment
 * rows: shared by the summary, attainment and annual commands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/period.h"
#include "../etl/store.h"
#include "commands.h"
#include "common.h"
#include "report_input.h"

/* Which districts have any version, and which an accepted one in force. */
struct month_listing {
	const struct jx_config *cfg;
	struct agg_year *y;
	int month;
};

static int note_version(void *ctx, const struct store_version *v)
{
	struct month_listing *ml = ctx;
	int d = jx_config_district_find(ml->cfg, v->district_code, JX_MATCH_EXACT);
	if (d < 0 || strcmp(ml->cfg->districts[d].code, v->district_code))
		return 0; /* a district no longer configured */
	struct agg_cell *c = agg_year_cell(ml->y, (size_t)d, ml->month);
	if (v->in_force && v->status == JX_ACCEPTED)
		c->state = AGG_ACCEPTED; /* figures read after the listing */
	else if (c->state == AGG_MISSING)
		c->state = AGG_REJECTED;
	return 0;
}

int cmd_report_load(const char *prog, struct store *st, const struct jx_config *cfg,
		    int year, unsigned months, struct agg_year *y)
{
	if (agg_year_init(y, year, cfg->n_districts)) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return JX_EXIT_ENV;
	}
	struct jx_submission sub;
	jx_submission_init(&sub);
	int rc = 0;
	for (int m = 0; m < AGG_MONTHS && !rc; m++) {
		if (!(months & (1u << m)))
			continue;
		int py = m ? y->year : y->year - 1, pm = m ? m : 12;
		struct month_listing ml = {cfg, y, m};
		if (store_list_versions(st, py, pm, note_version, &ml)) {
			fprintf(stderr, "%s: cannot read the store: %s\n", prog,
				store_error(st));
			rc = JX_EXIT_ENV;
			break;
		}
		for (size_t d = 0; d < cfg->n_districts; d++) {
			struct agg_cell *c = agg_year_cell(y, d, m);
			if (c->state != AGG_ACCEPTED)
				continue;
			int got = store_get(st, cfg->districts[d].code, py, pm,
					    0, &sub, NULL);
			if (got < 0) {
				fprintf(stderr, "%s: cannot read %s %d-%02d from the store: %s\n",
					prog, cfg->districts[d].code, py, pm,
					store_error(st));
				rc = JX_EXIT_ENV;
				break;
			}
			if (got == 1) { /* listed in force, then gone: treat as none */
				c->state = AGG_REJECTED;
				continue;
			}
			for (int i = 0; i < JX_N_INDICATORS; i++)
				c->v[i] = sub.figures[i].v;
		}
	}
	jx_submission_release(&sub);
	return rc;
}

int cmd_parse_year(const char *text, int *year)
{
	if (!text || strlen(text) != 4 || strspn(text, "0123456789") != 4)
		return -1;
	*year = atoi(text);
	return *year >= 2000 && *year <= 2099 ? 0 : -1;
}

/* The latest month of the year with any accepted submission. With none: 12
 * for a past year, the month before now for this year (January at least),
 * 1 for a future year. */
int cmd_default_as_of(const struct jx_config *cfg, const struct agg_year *y)
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
int cmd_attain_build(const struct jx_config *cfg, const struct agg_year *y,
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


int cmd_parse_year_as_of(const char *prog, const char *year_text, const char *as_of_text,
			 int *year, int *as_of)
{
	if (!year_text || cmd_parse_year(year_text, year)) {
		fprintf(stderr, "%s: --year YYYY is required (2000-2099)\n", prog);
		return JX_EXIT_USAGE;
	}
	int ay;
	if (as_of_text && (cmd_parse_period(as_of_text, &ay, as_of) || ay != *year)) {
		fprintf(stderr, "%s: --as-of %s is not a month of %d (YYYY-MM)\n", prog, as_of_text,
			*year);
		return JX_EXIT_USAGE;
	}
	return 0;
}

int cmd_parse_format(const char *prog, const char *format, const char *output, int *xlsx)
{
	*xlsx = format && !strcmp(format, "xlsx");
	if (format && !*xlsx && strcmp(format, "csv")) {
		fprintf(stderr, "%s: --format must be csv or xlsx\n", prog);
		return JX_EXIT_USAGE;
	}
	if (*xlsx && !output) {
		fprintf(stderr, "%s: --format xlsx needs -o FILE\n", prog);
		return JX_EXIT_USAGE;
	}
	return 0;
}
