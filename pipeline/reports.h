/* The reports as the command line, the nightly run and the portal write
 * them: each reads what it needs from the store in a few set reads and
 * writes its file atomically (a temporary name, then renamed). A report
 * whose bytes would not change is not rewritten: the old file stays, with
 * its modification time (a workbook's creation time in docProps/core.xml
 * aside, which is no content). Each returns 0, or -1 with the reason in err:
 * the store, memory or the disk, an operator's problem, never a district's.
 * No report function prints. */
#ifndef PIPELINE_REPORTS_H
#define PIPELINE_REPORTS_H

#include "../core/config.h"
#include "../transforms/aggregate.h"
#include <stddef.h>
#include <stdio.h>

struct store;

/* The summary of year-month: CSV (SPEC §5), or with xlsx the official form
 * with its 环比 sheet and the month's sign-off. */
int report_summary_write(struct store *st, const struct jx_config *cfg, int year, int month,
			 int xlsx, const char *path, char *err, size_t errlen);

/* Attainment of year up to as_of (0: report_default_as_of), CSV or XLSX. */
int report_attainment_write(struct store *st, const struct jx_config *cfg, int year,
			    int as_of /*0: default*/, int xlsx, const char *path, char *err,
			    size_t errlen);

/* The year-end workbook. */
int report_annual_write(struct store *st, const struct jx_config *cfg, int year, int as_of,
			const char *path, char *err, size_t errlen);

/* The status CSV of year-month (pipeline/status.h). */
int report_status_write(struct store *st, const struct jx_config *cfg, int year, int month,
			const char *path, char *err, size_t errlen);

/* The districts' listings of year-month under out_dir: for each configured
 * district (or only district_code) with something to fix — findings on its
 * latest version, lateness, or no form at all after the deadline —
 * out_dir/<code>/<YYYY-MM>.csv and .xlsx; a district with nothing to fix
 * gets none, and older listings of it for the month are removed. */
int report_feedback_write(struct store *st, const struct jx_config *cfg, int year, int month,
			  const char *district_code /*NULL: every district*/, const char *out_dir,
			  char *err, size_t errlen);

/* ---- the same, for callers that print or write several reports -------- */

/* What the writes did with their files. */
struct report_tally {
	size_t written;	  /* files written (new or changed) */
	size_t unchanged; /* files that would not change, left as they were */
	size_t removed;	  /* listings of districts with nothing left to fix */
};

/* The summary CSV and the attainment CSV written to f (stdout). */
int report_summary_csv(struct store *st, const struct jx_config *cfg, int year, int month, FILE *f,
		       char *err, size_t errlen);
int report_attainment_csv(struct store *st, const struct jx_config *cfg, int year, int as_of,
			  FILE *f, char *err, size_t errlen);

/* The summary of month from y, already read (report_input_load) for that
 * month and the one before; st is read for the sign-off (xlsx only). */
int report_summary_write_from(struct store *st, const struct jx_config *cfg,
			      const struct agg_year *y, int month, int xlsx, const char *path,
			      struct report_tally *t, char *err, size_t errlen);

/* Attainment from y, already read for the whole year. */
int report_attainment_write_from(const struct jx_config *cfg, const struct agg_year *y, int as_of,
				 int xlsx, const char *path, struct report_tally *t, char *err,
				 size_t errlen);

int report_status_write_tally(struct store *st, const struct jx_config *cfg, int year, int month,
			      const char *path, struct report_tally *t, char *err, size_t errlen);

/* Called with each listing's path that is there after the write (written,
 * or unchanged and kept). */
typedef void (*report_path_fn)(void *ctx, const char *path);

/* report_feedback_write, telling fn every listing's path. A district code
 * that cannot name a folder under out_dir is a config problem: -1 with
 * *bad_code set (the command's exit 2). */
int report_feedback_write_each(struct store *st, const struct jx_config *cfg, int year, int month,
			       const char *district_code, const char *out_dir, report_path_fn fn,
			       void *ctx, struct report_tally *t, int *bad_code, char *err,
			       size_t errlen);

#endif
