/* The inbox: listing in order of arrival and keeping originals (see
 * inbox.h). */
#define _GNU_SOURCE /* renameat2 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "inbox.h"

static int file_cmp(const void *a, const void *b)
{
	const struct inbox_file *x = a, *y = b;
	if (x->ctime != y->ctime)
		return x->ctime < y->ctime ? -1 : 1;
	if (x->ctime_ns != y->ctime_ns)
		return x->ctime_ns < y->ctime_ns ? -1 : 1;
	return strcmp(x->name, y->name);
}

struct inbox_file *inbox_list(const char *inbox, int settle, size_t *n, size_t *held, int *err)
{
	time_t now = time(NULL);
	DIR *d = opendir(inbox);
	*n = 0;
	*held = 0;
	*err = 0;
	if (!d) {
		*err = errno;
		return NULL;
	}
	struct inbox_file *files = NULL;
	size_t cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) && *n < INBOX_MAX_FILES) {
		if (e->d_name[0] == '.')
			continue;
		struct stat st;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		if (S_ISDIR(st.st_mode))
			continue;
		/* the later of the two changes; a modification time in the
		 * future (a sender's clock) never holds a file back */
		int64_t changed = st.st_ctim.tv_sec;
		if (st.st_mtim.tv_sec > changed && st.st_mtim.tv_sec <= now)
			changed = st.st_mtim.tv_sec;
		if (settle > 0 && changed > now - settle && changed <= now) {
			(*held)++;
			continue;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			struct inbox_file *nf = realloc(files, cap * sizeof *nf);
			if (!nf)
				break;
			files = nf;
		}
		files[*n].name = strdup(e->d_name);
		files[*n].ctime = st.st_ctim.tv_sec;
		files[*n].ctime_ns = st.st_ctim.tv_nsec;
		files[*n].is_link = S_ISLNK(st.st_mode);
		if (files[*n].name)
			(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(files, *n, sizeof *files, file_cmp);
	return files;
}

void inbox_files_free(struct inbox_file *files, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(files[i].name);
	free(files);
}

/* Length of the valid UTF-8 sequence at s, or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	size_t n = c >= 0xC2 && c <= 0xDF   ? 2
		   : c >= 0xE0 && c <= 0xEF ? 3
		   : c >= 0xF0 && c <= 0xF4 ? 4
					    : 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

void inbox_fit_name(const char *name, int k, char *out, size_t size)
{
	char suffix[16] = "";
	if (k)
		snprintf(suffix, sizeof suffix, ".%d", k);
	size_t len = strlen(name), slen = strlen(suffix);
	if (len + slen <= NAME_MAX) {
		snprintf(out, size, "%s%s", name, suffix);
		return;
	}
	const char *dot = strrchr(name, '.');
	size_t ext =
	    dot && dot != name && len - (size_t)(dot - name) <= 16 ? len - (size_t)(dot - name) : 0;
	size_t budget = NAME_MAX - ext - slen, keep = 0;
	const unsigned char *u = (const unsigned char *)name;
	while (keep < len - ext) {
		size_t c = utf8_len(u + keep);
		if (!c)
			c = 1;
		if (keep + c > budget)
			break;
		keep += c;
	}
	snprintf(out, size, "%.*s%s%s", (int)keep, name, name + len - ext, suffix);
}

/* rename that never replaces: renameat2's RENAME_NOREPLACE where the file
 * system has it, else a look first (a race another process could win). */
static int rename_noreplace(int from_fd, const char *from, int to_fd, const char *to)
{
	if (!renameat2(from_fd, from, to_fd, to, RENAME_NOREPLACE))
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	struct stat st;
	if (!fstatat(to_fd, to, &st, AT_SYMLINK_NOFOLLOW)) {
		errno = EEXIST;
		return -1;
	}
	if (errno != ENOENT)
		return -1;
	return renameat(from_fd, from, to_fd, to);
}

int inbox_keep(int from_fd, const char *from_name, int inbox_fd, const char *sub, const char *name,
	       char *kept, size_t keptlen)
{
	if (mkdirat(inbox_fd, sub, 0755) && errno != EEXIST)
		return -1;
	char to[NAME_MAX * 2 + 64], fitted[NAME_MAX + 32];
	for (int k = 0; k < 100000; k++) {
		inbox_fit_name(name, k, fitted, sizeof fitted);
		snprintf(to, sizeof to, "%s/%s", sub, fitted);
		if (!rename_noreplace(from_fd, from_name, inbox_fd, to)) {
			if (kept)
				snprintf(kept, keptlen, "%s", fitted);
			return 0;
		}
		if (errno != EEXIST && errno != ENOTEMPTY)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

int inbox_move(int inbox_fd, const char *name, const char *sub)
{
	return inbox_keep(inbox_fd, name, inbox_fd, sub, name, NULL, 0);
}

void inbox_clear_way(int inbox_fd, const char *sub, char note[192])
{
	struct stat st;
	if (fstatat(inbox_fd, sub, &st, AT_SYMLINK_NOFOLLOW) || S_ISDIR(st.st_mode))
		return;
	char aside[64];
	for (int k = 1; k < 10000; k++) {
		snprintf(aside, sizeof aside, "%s.%d", sub, k);
		if (fstatat(inbox_fd, aside, &st, AT_SYMLINK_NOFOLLOW) && errno == ENOENT) {
			if (renameat(inbox_fd, sub, inbox_fd, aside) == 0)
				snprintf(note, 192,
					 "a file named %s was in the way of the %s/ folder; "
					 "renamed to %s",
					 sub, sub, aside);
			return;
		}
	}
}
