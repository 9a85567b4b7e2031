/* Rule A1: a file for a month the city has approved (locked) is kept for
 * audit but not counted, and the district is told whom to ask. The caller
 * looks up the month's approval in the store and hands it in. */
#ifndef TRANSFORMS_APPROVAL_H
#define TRANSFORMS_APPROVAL_H

#include "../core/config.h"
#include "../core/submission.h"
#include <stddef.h>
#include <stdint.h>

/* The approval in force of a month, as the rule needs it. */
struct approval_lock {
	int number;	/* the 1st, 2nd ... approval of the month */
	int64_t at;	/* when, Unix seconds */
	const char *by; /* who signed off; borrowed */
};

/* Appends the A1 error to s->findings (so s is rejected). */
void approval_check(struct jx_submission *s, const struct jx_config *cfg,
		    const struct approval_lock *lock);

/* t in the city's time zone as "2023-10-10 15:04", for people. */
void approval_time_text(int64_t t, const char *tz, char *buf, size_t size);

#endif
