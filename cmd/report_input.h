/* What the report commands (summary, attainment, annual) read from the
 * store and build for the report writers: the aggregation input of a year,
 * the default as-of month, and the attainment rows. */
#ifndef CMD_REPORT_INPUT_H
#define CMD_REPORT_INPUT_H

#include "../core/config.h"
#include "../reports/attainment.h"
#include "../transforms/aggregate.h"

struct store;

/* The months argument of cmd_report_load for a whole year. */
#define CMD_MONTHS_OF_YEAR 0x1FFEu

/* Makes y (zeroed by the caller; release it with agg_year_release, also
 * after a failure) the table of year for cfg's districts, filled for the
 * months whose bit is set in months: bit m (1..12) is month m of year, bit 0
 * December of the year before. Returns 0, or JX_EXIT_ENV after saying why
 * on stderr. */
int cmd_report_load(const char *prog, struct store *st, const struct jx_config *cfg,
		    int year, unsigned months, struct agg_year *y);

/* Parses --year (2000..2099). Returns 0 or -1. */
int cmd_parse_year(const char *text, int *year);

/* --year (required) and --as-of (optional, a month of that year; *as_of
 * stays 0 without it). Returns 0, or JX_EXIT_USAGE after saying why. */
int cmd_parse_year_as_of(const char *prog, const char *year_text, const char *as_of_text,
			 int *year, int *as_of);

/* --format csv (default) or xlsx; xlsx needs -o. Sets *xlsx. Returns 0, or
 * JX_EXIT_USAGE after saying why. */
int cmd_parse_format(const char *prog, const char *format, const char *output, int *xlsx);

/* The latest month of the year with any accepted submission. With none: 12
 * for a past year, the month before now for this year (January at least),
 * 1 for a future year. */
int cmd_default_as_of(const struct jx_config *cfg, const struct agg_year *y);

/* Fills r (rows has room for cfg->n_districts) for as_of (1..12). Returns 0
 * or -1 when a sum does not fit in 64 bits. */
int cmd_attain_build(const struct jx_config *cfg, const struct agg_year *y, int as_of,
		     struct attain_row *rows, struct attain_report *r);

#endif
