/* Where each district stands with a month's form, for chasing districts
 * (催报): the status CSV, the nightly run and the portal's board. The
 * version that decides is the one in force, else (no accepted version) the
 * latest rejected one. */
#ifndef PIPELINE_STATUS_H
#define PIPELINE_STATUS_H

#include "../core/config.h"
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct store;

enum status_state { STATUS_MISSING, STATUS_ON_TIME, STATUS_LATE, STATUS_REJECTED };

struct status_row {
	int district; /* index into cfg->districts */
	enum status_state state;
	int64_t received_at; /* of the version that decides; 0 when missing */
	/* its file's name without the folder, as printed (jx_text_visible:
	 * a 255-byte name with bytes shown as \xNN needs more than 256) */
	char file[1024];
	size_t errors, warnings; /* of the version that decides */
	int version;		 /* the version that decides; 0 when missing */
};

struct status_month {
	int year, month;
	int64_t deadline_end;	 /* received before this is on time */
	char deadline[11];	 /* the last day, YYYY-MM-DD */
	struct status_row *rows; /* one per configured district, config order */
	size_t n;
};

/* Reads the month: one set read for the versions in force and one for
 * the counts of every version of the month. Fills out (release it with
 * status_month_release, also after a failure). Returns 0, or -1 with the
 * reason in err (the store or memory: the operator's problem). */
int status_read(struct store *st, const struct jx_config *cfg, int year, int month,
		struct status_month *out, char *err, size_t errlen);

void status_month_release(struct status_month *m);

/* "missing", "on_time", "late", "rejected", as the status CSV says. */
const char *status_state_name(enum status_state s);

/* Writes the status CSV of m (SPEC §5) to f. Returns 0, or -1 when writing
 * failed (errno set). */
int status_write_csv(FILE *f, const struct jx_config *cfg, const struct status_month *m);

#endif
