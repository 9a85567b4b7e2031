/* Ingest: one received file in, its submissions out. Sniffs the file, reads
 * it as CSV or XLSX, and hands the rows to the layout detector. Every data
 * problem becomes a finding inside a submission; a system failure (out of
 * memory, a file the operating system cannot open or read) is a return
 * code, never a finding against a district. */
#ifndef ETL_INGEST_H
#define ETL_INGEST_H

#include <stddef.h>
#include <stdint.h>
#include "layout.h"

/* Largest file accepted: 2 GiB of CSV, 256 MiB of XLSX on disk. */
#define INGEST_MAX_CSV_BYTES ((int64_t)2 << 30)
#define INGEST_MAX_XLSX_BYTES ((int64_t)256 << 20)

/* ingest_file's return when the operating system could not open or read
 * the file (it vanished, permissions, an I/O error, a folder, pipe or
 * device, or it changed while being read): the operator's problem. */
#define INGEST_UNREADABLE (-2)

struct ingest_opts {
	const struct jx_config *cfg;
	int64_t received_at;  /* Unix seconds; 0 = when the file arrived on this
				 machine: its inode change time (ctime), which
				 copying tools cannot carry over from the
				 sender, unlike the modification time */
	int want_sha256;      /* hash the file (load needs it; check does not) */
	int verify_first;     /* read an XLSX once without rows before using it,
				 so a CRC error found at the end never follows
				 submissions already handed on */
	size_t chunk;         /* read size; 0 = 256 KiB (tests use odd sizes) */
	char *error;          /* why INGEST_UNREADABLE, in English for the
				 operator; may be NULL */
	size_t error_size;
};

/* Reads path and calls fn for each submission (see layout_submission_fn).
 * Returns 0 when the file was handled (findings are in the submissions), fn's
 * nonzero value when it stopped, INGEST_UNREADABLE when the file could not
 * be read (submissions handed on before stay handed on), or -1 when out of
 * memory. */
int ingest_file(const char *path, const struct ingest_opts *o,
		layout_submission_fn fn, void *ctx);

/* The same for CSV bytes already in memory, fed chunk bytes at a time; name
 * stands for the file name. For tests and fuzzing. */
int ingest_csv_memory(const char *name, const void *data, size_t n,
		      const struct ingest_opts *o, layout_submission_fn fn,
		      void *ctx);

#endif
