/* Loading files into the store: ingest, the form's rules, the rules that
 * need history (looked up in the store), then one store_put per submission;
 * on a store that takes batches (PostgreSQL, store_bulk) up to 1,000 of a
 * file's submissions are checked in C, then stored in one transaction.
 * Shared by `jianxi load` and `jianxi nightly`. */
#ifndef PIPELINE_LOADER_H
#define PIPELINE_LOADER_H

#include <stdint.h>
#include <stdio.h>
#include "../core/config.h"
#include "../core/submission.h"

struct store;

struct loader {
	const struct jx_config *cfg;
	struct store *st;
	FILE *findings;     /* every finding as CSV, or NULL */
	FILE *lines;        /* one line per submission, or NULL */
	/* counts over the run */
	size_t submissions, accepted, rejected, unchanged, warnings;
	/* counts of the last file loaded */
	size_t file_accepted, file_rejected, file_unchanged;
	char error[512];    /* why loader_file returned -1 */
	/* called after each submission is handled, or NULL; stored is 1 when
	 * the submission is in the store (a new version, or one already there) */
	void (*on_submission)(void *ctx, const struct jx_submission *s, int stored);
	void *ctx;
	/* months of history a file's batches keep between them (0: the
	 * default, 80,000, two years of the whole country); past it the
	 * oldest are read again when needed (#14) */
	size_t months_max;
};

/* Writes the header of the per-submission lines. */
void loader_lines_header(FILE *f);

/* loader_file's return when the file itself could not be read (it
 * vanished, permissions, an I/O error, not a regular file): the operator's
 * problem, not the district's; the next files can still be loaded. */
#define LOADER_UNREADABLE 1

/* Loads one file received at received_at (0 = when it arrived on this
 * machine, its inode change time). Returns 0 when done (data problems are
 * findings), LOADER_UNREADABLE, or -1 when the store or memory failed;
 * ld->error says why. Submissions stored before a failure stay stored,
 * each whole (with batches: the batches stored before it). */
int loader_file(struct loader *ld, const char *path, int64_t received_at);

/* ---- the same in two steps (#16) ----------------------------------------
 * loader_read reads the file and checks the form's own rules, with no store
 * and no lock (the portal checks many uploads at once); loader_store does
 * what needs the store (the history rules C1-C3 and L1, A1, the delivery's
 * identity, the version numbers, the put), under the store's lock. Together
 * they store exactly what loader_file stores; the file is held in memory
 * between them (loader_file streams it). */
struct loader_read {
	struct jx_submission *subs; /* in file order, the form's rules checked */
	size_t n, cap;
	int rc;	    /* ingest_file's return */
	char error[512];
};

/* Called with each submission as read, before the form's rules; nonzero
 * stops the reading (loader_read then returns -1). */
typedef int (*loader_read_fn)(void *ctx, struct jx_submission *s);

/* Reads path received at received_at into r (released by
 * loader_read_release whatever the return): 0, LOADER_UNREADABLE or -1 (out
 * of memory, or before_rules stopped it); r->error says why. Whatever it
 * returns, loader_store(r) does what loader_file would have done. */
int loader_read(struct loader_read *r, const struct jx_config *cfg, const char *path,
		int64_t received_at, loader_read_fn before_rules, void *ctx);

/* Stores what loader_read read, as loader_file; the same returns. r's
 * submissions are used up (release r after). */
int loader_store(struct loader *ld, struct loader_read *r);

void loader_read_release(struct loader_read *r);

#endif
