/* The form's own rules on one submission: the logical relations R1-R6 on
 * every unit row (1≥2, 3≥4, 5≥6, 6≥7, 8≥9+11, 9≥10) and S6, each total row
 * (合计, or the district's own row) against the sum of the other rows. A relation with a cell that
 * already has a T finding is not evaluated: one bad cell, one finding. */
#ifndef TRANSFORMS_RULES_H
#define TRANSFORMS_RULES_H

#include "../core/submission.h"

/* Appends R1-R6 and S6 findings to s->findings. */
void rules_check(struct jx_submission *s);

#endif
