/* The inbox: where districts' files arrive (by any channel, or the
 * portal's uploads) and where their originals are kept once handled, in
 * processed/ or rejected/, never deleted and never overwritten. What
 * `nightly` and the portal share. */
#ifndef PIPELINE_INBOX_H
#define PIPELINE_INBOX_H

#include <stddef.h>
#include <stdint.h>

#define INBOX_MAX_FILES 100000

struct inbox_file {
	char *name;
	int64_t ctime; /* arrival in the inbox, by this machine's clock */
	int64_t ctime_ns;
	int is_link;
};

/* The inbox's files in order of arrival (inode change time: set by the
 * kernel when the file is created, renamed in, written or its times are
 * set, and never by the sender); folders (processed/, rejected/) and
 * hidden files are left alone, and so are files changed in the last settle
 * seconds (counted in *held): an upload still being written waits for the
 * next run. Returns the list (free it with inbox_files_free), or NULL with
 * *err set to an errno when the folder cannot be read (*err 0: empty). */
struct inbox_file *inbox_list(const char *inbox, int settle, size_t *n, size_t *held, int *err);
void inbox_files_free(struct inbox_file *files, size_t n);

/* name with the suffix ".k" (none for k = 0) as a name of at most NAME_MAX
 * bytes: when too long, the part before the extension is cut at a character
 * boundary (whole UTF-8 characters; other bytes one by one), so the file
 * keeps its extension and its name stays valid UTF-8. */
void inbox_fit_name(const char *name, int k, char *out, size_t size);

/* Keeps an original: moves the file from_name (relative to the folder
 * from_fd) into the folder sub ("processed", "rejected"; made when needed)
 * of the inbox inbox_fd, under name fitted with inbox_fit_name, never over
 * an existing file: a name taken gets ".1", ".2", ... (also when another
 * process takes it at the same moment). Both must be on one file system
 * (a rename). When kept is given, the name it got under sub goes there.
 * Returns 0, or -1 with errno set (the file stays where it was). */
int inbox_keep(int from_fd, const char *from_name, int inbox_fd, const char *sub, const char *name,
	       char *kept, size_t keptlen);

/* Moves the inbox's own file name into sub (inbox_keep within the inbox). */
int inbox_move(int inbox_fd, const char *name, const char *sub);

/* A file a district named "processed" or "rejected" would keep those
 * folders from being made, and every file from being moved: it is renamed
 * aside (as "processed.1") and loaded like any other. When that happened,
 * note says so (for the log); else note is left as it was. */
void inbox_clear_way(int inbox_fd, const char *sub, char note[192]);

#endif
