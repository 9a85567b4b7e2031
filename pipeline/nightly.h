/* The statistician's night as a library: load every new inbox file in
 * order of receipt, keep each original in processed/ or rejected/, note the
 * periods touched (in OUT/.pending until their reports are written, so a
 * run killed in between leaves them owed), then write the reports of those
 * periods in this process, reading the store once per year. `jianxi
 * nightly` parses its options, calls these and prints the run summary. */
#ifndef PIPELINE_NIGHTLY_H
#define PIPELINE_NIGHTLY_H

#include "../core/config.h"
#include "inbox.h"
#include "loader.h"
#include "reports.h"
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define NIGHTLY_MAX_PERIODS 240

struct nightly_opts {
	const char *inbox, *out;
	int64_t received_at; /* every file received then; 0: when each arrived */
	int settle;	     /* seconds a file must be unchanged to be taken */
	FILE *findings;	     /* every finding as CSV, or NULL */
	/* what the operator must hear (a file not read or not moved, a
	 * report that failed): one line each, or NULL */
	void (*say)(void *ctx, const char *line);
	/* before each file, or NULL */
	void (*progress)(void *ctx, size_t i, size_t n, const char *name);
	void *ctx;
};

struct nightly {
	struct nightly_opts o;
	struct loader ld;
	int inbox_fd;
	FILE *log;
	char log_path[4400];	 /* "" when no log was opened (nothing to do) */
	struct inbox_file *list; /* the inbox's files, in order of arrival */
	size_t n_list;
	int periods[NIGHTLY_MAX_PERIODS]; /* period indexes touched or owed */
	size_t n_periods;
	size_t files_accepted, files_rejected, files_skipped, reports, report_failures;
	size_t files;		   /* handled */
	size_t held_back;	   /* changed in the last settle seconds */
	size_t unreadable;	   /* could not be read: the operator's problem */
	size_t move_failures;	   /* handled, but could not be moved away */
	int pending_failed;	   /* OUT/.pending could not be written */
	struct report_tally tally; /* the report files written, left, removed */
	char error[600];	   /* why a call returned -1 */
};

/* 1 when the folders a and b are one or one is inside the other (as
 * they resolve, links followed; a tail not made yet taken as written). */
int nightly_paths_overlap(const char *a, const char *b);

/* The first part of a run, with the store st opened and locked by the
 * caller: removes temporary files of killed runs under OUT, clears the
 * way for processed/ and rejected/, lists the inbox, reads OUT/.pending
 * and, when there is anything to do, opens the log under OUT/logs and
 * records the periods owed. Returns 0; -1 when the inbox is not a folder
 * (*usage set) or cannot be read, or OUT cannot be written (n->error says
 * which; nothing was loaded or moved). Release n with nightly_end. */
int nightly_begin(struct nightly *n, const struct nightly_opts *o, const struct jx_config *cfg,
		  struct store *st, int *usage);

/* Loads the listed files in order and keeps each original. Returns 0, or
 * -1 on a failure of the store (n->error; the file it stopped at stays in
 * the inbox for the next run). */
int nightly_load(struct nightly *n);

/* Writes the reports of the periods touched or owed with st (opened by the
 * caller; the loading store may have been closed to release its lock):
 * per period OUT/P/summary.csv, summary.xlsx, status.csv and the listings
 * under OUT/P/feedback/; per year OUT/attainment-Y.csv and .xlsx. A report
 * whose bytes would not change is left as it was. Counts in n->reports and
 * n->report_failures (each said); when every report is written and ok is
 * set, OUT/.pending is removed. */
void nightly_reports(struct nightly *n, struct store *st, int ok);

/* Closes the log (with a last line of the files, reports and seconds) and
 * frees the list. Returns 0, or -1 when the log could not be written. */
int nightly_end(struct nightly *n, double seconds);

#endif
