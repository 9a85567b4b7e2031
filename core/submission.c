/* The submission record: unit rows, the district's figures, findings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "period.h"
#include "submission.h"

void jx_submission_init(struct jx_submission *s)
{
	memset(s, 0, sizeof *s);
	s->district = -1;
	jx_findings_init(&s->findings);
}

static void units_free(struct jx_submission *s)
{
	for (size_t i = 0; i < s->n_units; i++)
		free(s->units[i].name);
	s->n_units = 0;
}

void jx_submission_reset(struct jx_submission *s)
{
	units_free(s);
	free(s->file);
	free(s->sheet);
	struct jx_unit *units = s->units;
	size_t cap = s->cap_units;
	struct jx_findings fs = s->findings;
	jx_findings_clear(&fs);
	memset(s, 0, sizeof *s);
	s->units = units;
	s->cap_units = cap;
	s->findings = fs;
	s->district = -1;
}

void jx_submission_clear(struct jx_submission *s)
{
	units_free(s);
	jx_findings_clear(&s->findings);
	s->district = -1;
	s->district_code = s->district_name = NULL;
	s->year = s->month = 0;
	s->period[0] = 0;
	memset(s->figures, 0, sizeof s->figures);
}

void jx_submission_release(struct jx_submission *s)
{
	jx_submission_reset(s);
	free(s->units);
	jx_findings_release(&s->findings);
	memset(s, 0, sizeof *s);
	s->district = -1;
}

struct jx_unit *jx_submission_add_unit(struct jx_submission *s,
				       const char *name, uint32_t row)
{
	if (s->n_units == s->cap_units) {
		size_t cap = s->cap_units ? s->cap_units * 2 : 4;
		struct jx_unit *u = realloc(s->units, cap * sizeof *u);
		if (!u)
			return NULL;
		s->units = u;
		s->cap_units = cap;
	}
	struct jx_unit *u = &s->units[s->n_units];
	memset(u, 0, sizeof *u);
	u->name = strdup(name ? name : "");
	if (!u->name)
		return NULL;
	u->row = row;
	s->n_units++;
	return u;
}

void jx_submission_set_period(struct jx_submission *s, int year, int month)
{
	s->year = year;
	s->month = month;
	if (year > 0 && year <= 9999 && month >= 1 && month <= 12)
		jx_period_format(year, month, s->period);
	else
		s->period[0] = 0;
}

void jx_submission_compute_figures(struct jx_submission *s)
{
	memset(s->figures, 0, sizeof s->figures);
	const struct jx_unit *total = NULL;
	for (size_t i = 0; i < s->n_units; i++)
		if (s->units[i].is_total && (!total || (total->is_total != JX_UNIT_TOTAL &&
							s->units[i].is_total == JX_UNIT_TOTAL)))
			total = &s->units[i];
	if (total) {
		memcpy(s->figures, total->v, sizeof s->figures);
		return;
	}
	if (s->n_units == 1) {
		memcpy(s->figures, s->units[0].v, sizeof s->figures);
		return;
	}
	for (int k = 0; k < JX_N_INDICATORS; k++) {
		struct jx_value *f = &s->figures[k];
		f->ok = s->n_units > 0;
		for (size_t i = 0; i < s->n_units; i++) {
			f->ok &= s->units[i].v[k].ok;
			f->v += s->units[i].v[k].v;
		}
		if (!f->ok)
			f->v = 0;
	}
}

struct jx_loc jx_submission_loc(const struct jx_submission *s)
{
	struct jx_loc loc = {s->file,	       s->sheet,	  0, 0,
			     s->district_code, s->district_name, s->period};
	return loc;
}
