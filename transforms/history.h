/* Rules that need what is already stored: C1 (indicator 14 decreasing within
 * a year), C2 (the stock-flow identity of 13), C3 (month-over-month jumps of
 * flow indicators), C4 (indicator 14 implausibly large: written in yuan, not
 * 万元) and L1 (received after the deadline). The caller looks up the
 * accepted versions in force and hands their figures in. */
#ifndef TRANSFORMS_HISTORY_H
#define TRANSFORMS_HISTORY_H

#include "../core/config.h"
#include "../core/submission.h"

struct history {
	/* the previous month's accepted figures (December of last year for
	 * January), when there are any */
	int has_prev;
	int64_t prev[JX_N_INDICATORS];
	/* the largest accepted indicator 14 of an earlier month this year */
	int has_max14;
	int64_t max14;
	int max14_month;
	/* indicator 14 (yuan) of each earlier month of this year with an
	 * accepted version, by month 1..12; has14[m] is 0 for a month without */
	int64_t month14[13];
	unsigned char has14[13];
};

/* Appends C1, C2, C3 and C4 findings to s->findings. Values with a T finding
 * are not compared. */
void history_check(struct jx_submission *s, const struct history *h);

/* Appends an L1 warning when s->received_at is after the deadline, unless s
 * already has one (a stored version's findings). The one wording of L1 for
 * a late file, at load and in the feedback alike. */
void history_check_deadline(struct jx_submission *s, const struct jx_config *cfg);

#endif
