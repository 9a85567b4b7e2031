/* Ingest: one received file in, its submissions out. Sniffs the file, reads
 * it as CSV or XLSX, and hands the rows to the layout detector. Every data
 * problem becomes a finding inside a submission; only a system failure
 * (out of memory) is a return code. */
#ifndef ETL_INGEST_H
#define ETL_INGEST_H

#include <stddef.h>
#include <stdint.h>
#include "layout.h"

/* Largest file accepted: 2 GiB of CSV, 256 MiB of XLSX on disk. */
#define INGEST_MAX_CSV_BYTES ((int64_t)2 << 30)
#define INGEST_MAX_XLSX_BYTES ((int64_t)256 << 20)

struct ingest_opts {
	const struct jx_config *cfg;
	int64_t received_at;  /* Unix seconds; 0 = the file's modification time */
	int want_sha256;      /* hash the file (load needs it; check does not) */
	int verify_first;     /* read an XLSX once without rows before using it,
				 so a CRC error found at the end never follows
				 submissions already handed on */
	size_t chunk;         /* read size; 0 = 256 KiB (tests use odd sizes) */
};

/* Reads path and calls fn for each submission (see layout_submission_fn).
 * Returns 0 when the file was handled (findings are in the submissions), fn's
 * nonzero value when it stopped, or -1 on a system failure. */
int ingest_file(const char *path, const struct ingest_opts *o,
		layout_submission_fn fn, void *ctx);

/* The same for CSV bytes already in memory, fed chunk bytes at a time; name
 * stands for the file name. For tests and fuzzing. */
int ingest_csv_memory(const char *name, const void *data, size_t n,
		      const struct ingest_opts *o, layout_submission_fn fn,
		      void *ctx);

#endif
