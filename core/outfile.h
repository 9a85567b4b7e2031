/* Writing an output file atomically: to "<path>.tmp.<pid>", flushed to disk,
 * then renamed onto path, so a reader (or a run killed half-way) never sees
 * half a report. Used by the reports of the library and by the commands. */
#ifndef CORE_OUTFILE_H
#define CORE_OUTFILE_H

#include <stdio.h>

struct jx_outfile {
	FILE *f;
	char *path, *tmp;
};

/* Opens "<path>.tmp.<pid>" for writing. Returns 0 or -1 with errno set. */
int jx_outfile_open(struct jx_outfile *o, const char *path);

/* Flushes, fsyncs, closes and renames the file onto path. Returns 0, or -1
 * with errno set and nothing left at the temporary name; the FILE is
 * closed either way. */
int jx_outfile_commit(struct jx_outfile *o);

/* As jx_outfile_commit, but when path already holds exactly the bytes
 * written, the new file is dropped and path is left as it was (its
 * modification time too); *unchanged says which happened. */
int jx_outfile_commit_if_changed(struct jx_outfile *o, int *unchanged);

/* Drops the file: nothing is left at the temporary name. */
void jx_outfile_abort(struct jx_outfile *o);

/* 1 when the files at a and b hold the same bytes, 0 when not (or either
 * cannot be read). */
int jx_files_same(const char *a, const char *b);

/* Makes dir and its parents (mode 0755). Returns 0 or -1 with errno. */
int jx_mkdirs(const char *dir);

#endif
