/* The form's own rules on one submission: the logical relations R1-R6 on
 * every unit row (1≥2, 3≥4, 5≥6, 6≥7, 8≥9+11, 9≥10) and S6, each total row
 * (合计, or the district's own row) against the sum of the other rows. A relation with a cell that
 * already has a T finding is not evaluated: one bad cell, one finding. */
#ifndef TRANSFORMS_RULES_H
#define TRANSFORMS_RULES_H

#include "../core/submission.h"
#include <stddef.h>

/* Appends R1-R6 and S6 findings to s->findings. */
void rules_check(struct jx_submission *s);

/* One relation of the form: indicator left must be at least right (plus
 * plus, when plus is not 0). */
struct rules_relation {
	enum jx_rule rule;
	int left, right, plus;
	const char *text; /* "8≥9+11" */
};

/* R1-R6 in order; static storage, *n set. */
const struct rules_relation *rules_relations(size_t *n);

/* The finding's message for relation r broken on one row: prefix is ""
 * or rules_unit_prefix's text, the values as the form shows them (pv and
 * sum only for a relation with plus). The portal calls it with {lv}-style
 * placeholders so its page says exactly what the server will. */
void rules_relation_message(const struct rules_relation *r, const char *prefix, const char *lv,
			    const char *rv, const char *pv, const char *sum, char *buf,
			    size_t size);

/* The prefix naming a unit row on a form with several: "第 7 行“名称”：". */
void rules_unit_prefix(const char *row, const char *name, char *buf, size_t size);

#endif
