/* What approve, reopen, report-up and the loader share about a month's
 * sign-off: the snapshot of the figures in force, the A1 gate on loading,
 * and the user name recorded with each event. */
#ifndef PIPELINE_APPROVAL_H
#define PIPELINE_APPROVAL_H

#include "../core/config.h"
#include "../core/submission.h"
#include "../etl/store.h"
#include <stddef.h>

/* Fills a->lines (owned by a: store_approval_release) with one line per
 * configured district, in config order: accepted with the version in force
 * and its figures, rejected (versions, none accepted) or missing. Returns 0,
 * or -1 with the store's message in err. */
int approval_snapshot(struct store *st, const struct jx_config *cfg, int year, int month,
		      struct store_approval *a, char *err, size_t errlen);

/* The loader's hook: when s's month is approved, appends the A1 finding
 * (s is then stored as a rejected version). Returns 0, or -1 with the
 * store's message in err. */
int approval_gate(struct store *st, const struct jx_config *cfg, struct jx_submission *s, char *err,
		  size_t errlen);

/* The user recorded with an event: by when given, else the login name of
 * the process's user, else $USER, else "unknown". */
void approval_user(const char *by, char *out, size_t size);

/* "第2次审核确认（2023-10-10 15:04，张三）" for reports. */
void approval_text(const struct store_approval *a, const char *tz, char *buf, size_t size);

/* Where a month stands with the city's sign-off, for the reports. */
struct approval_month {
	int approvals;			 /* approvals recorded; 0: never approved */
	int locked;			 /* the last event is an approval */
	struct store_approval last;	 /* the last approval (lines NULL) */
	struct store_approval reopening; /* the last reopening; seq 0 when none */
	char left_out[768];		 /* units the last approval left out, "、"-separated */
};

/* Reads the month's history into m. Returns 0, or -1 with the store's
 * message in err. */
int approval_month_read(struct store *st, const struct jx_config *cfg, int year, int month,
			struct approval_month *m, char *err, size_t errlen);

/* One line for a report, starting "说明：": approved (which approval, and the
 * units it left out), reopened (when, by whom, why) or not approved yet. */
void approval_month_note(const struct approval_month *m, const struct jx_config *cfg, char *buf,
			 size_t size);

#endif
