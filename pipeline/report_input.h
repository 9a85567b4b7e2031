/* What the reports (summary, attainment, annual; the command line and the
 * portal) read from the store and build for the report writers: the
 * aggregation input of a year, the default as-of month, and the attainment
 * rows. */
#ifndef PIPELINE_REPORT_INPUT_H
#define PIPELINE_REPORT_INPUT_H

#include <stddef.h>
#include "../core/config.h"
#include "../etl/store.h"
#include "../reports/attainment.h"
#include "../transforms/aggregate.h"


/* The months argument of report_input_load for a whole year. */
#define REPORT_MONTHS_OF_YEAR 0x1FFEu

/* Makes y (zeroed by the caller; release it with agg_year_release, also
 * after a failure) the table of year for cfg's districts, filled for the
 * months whose bit is set in months: bit m (1..12) is month m of year, bit 0
 * December of the year before. Returns 0, or -1 with the reason in err (the
 * store or memory: the operator's problem). */
int report_input_load(struct store *st, const struct jx_config *cfg, int year, unsigned months,
		      struct agg_year *y, char *err, size_t errlen);

/* report_input_load, calling tap(tap_ctx, s) too for each (district,
 * month) of year it reads (December of the year before not), in the order
 * store_in_force gives them: what else a report needs of the same read
 * (the annual's timeliness and quality). A nonzero return of tap stops the
 * read: -1 with err set. */
int report_input_load_tap(struct store *st, const struct jx_config *cfg, int year, unsigned months,
			  struct agg_year *y, store_month_fn tap, void *tap_ctx, char *err,
			  size_t errlen);

/* The latest month of the year with any accepted submission. With none: 12
 * for a past year, the month before now for this year (January at least),
 * 1 for a future year. */
int report_default_as_of(const struct jx_config *cfg, const struct agg_year *y);

/* Fills r (rows has room for cfg->n_districts) for as_of (1..12). Returns 0
 * or -1 when a sum does not fit in 64 bits. */
int report_attain_build(const struct jx_config *cfg, const struct agg_year *y, int as_of,
			struct attain_row *rows, struct attain_report *r);

#endif
