/* The month's status of every district (see status.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../core/csvout.h"
#include "../core/period.h"
#include "../core/text.h"
#include "../etl/store.h"
#include "../transforms/deadline.h"
#include "status.h"

const char *status_state_name(enum status_state s)
{
	switch (s) {
	case STATUS_ON_TIME:
		return "on_time";
	case STATUS_LATE:
		return "late";
	case STATUS_REJECTED:
		return "rejected";
	case STATUS_MISSING:
		break;
	}
	return "missing";
}

/* The file's name without its folder: a nightly run has moved the file
 * from the inbox since, and the name is what a district recognises. */
static const char *file_name(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	return slash ? slash + 1 : path ? path : "";
}

static int configured(const struct jx_config *cfg, const char *code)
{
	int d = jx_config_district_find(cfg, code, JX_MATCH_EXACT);
	return d < 0 || strcmp(cfg->districts[d].code, code) ? -1 : d;
}

struct scan {
	const struct jx_config *cfg;
	struct status_month *m;
};

static int note_month(void *vctx, const struct store_month_state *s)
{
	struct scan *sc = vctx;
	int d = configured(sc->cfg, s->district_code);
	if (d < 0)
		return 0; /* a district since removed from the config */
	struct status_row *r = &sc->m->rows[d];
	r->version = s->version;
	r->received_at = s->received_at;
	r->state = s->status != JX_ACCEPTED		  ? STATUS_REJECTED
		   : s->received_at < sc->m->deadline_end ? STATUS_ON_TIME
							  : STATUS_LATE;
	jx_text_visible(r->file, sizeof r->file, file_name(s->file));
	return 0;
}

/* The counts of the version that decides, from the month's versions. */
static int note_version(void *vctx, const struct store_version *v)
{
	struct scan *sc = vctx;
	int d = configured(sc->cfg, v->district_code);
	if (d < 0)
		return 0;
	struct status_row *r = &sc->m->rows[d];
	if (r->version == v->version) {
		r->errors = v->errors;
		r->warnings = v->warnings;
	}
	return 0;
}

int status_read(struct store *st, const struct jx_config *cfg, int year, int month,
		struct status_month *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	out->year = year;
	out->month = month;
	out->deadline_end = deadline_end(cfg, year, month);
	int y, m, d;
	jx_civil_from_days(deadline_day(cfg, year, month), &y, &m, &d);
	char day[16];
	snprintf(day, sizeof day, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
	memcpy(out->deadline, day, sizeof out->deadline - 1);
	out->rows = calloc(cfg->n_districts ? cfg->n_districts : 1, sizeof *out->rows);
	if (!out->rows) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	out->n = cfg->n_districts;
	for (size_t i = 0; i < out->n; i++)
		out->rows[i].district = (int)i;
	struct scan sc = {cfg, out};
	if (store_in_force(st, year, month, month, note_month, &sc) ||
	    store_list_versions(st, year, month, note_version, &sc)) {
		snprintf(err, errlen, "cannot read the store: %s", store_error(st));
		return -1;
	}
	return 0;
}

void status_month_release(struct status_month *m)
{
	free(m->rows);
	m->rows = NULL;
	m->n = 0;
}

int status_write_csv(FILE *f, const struct jx_config *cfg, const struct status_month *m)
{
	char per[8];
	jx_period_format(m->year, m->month, per);
	fputs("period,district_code,district_name,status,received_at,deadline,file\n", f);
	for (size_t i = 0; i < m->n; i++) {
		const struct status_row *r = &m->rows[i];
		const struct jx_district *dist = &cfg->districts[r->district];
		char received[40] = "";
		if (r->state != STATUS_MISSING)
			jx_time_format(r->received_at, cfg->timezone, received, sizeof received);
		const char *fields[] = {per,
					dist->code,
					dist->name,
					status_state_name(r->state),
					received,
					m->deadline,
					r->state != STATUS_MISSING ? r->file : ""};
		jx_csv_row(f, fields, sizeof fields / sizeof fields[0]);
	}
	return ferror(f) ? -1 : 0;
}
