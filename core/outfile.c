/* Atomic output files (see outfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"

int jx_outfile_open(struct jx_outfile *o, const char *path)
{
	memset(o, 0, sizeof *o);
	size_t n = strlen(path) + 32;
	o->path = strdup(path);
	o->tmp = malloc(n);
	if (!o->path || !o->tmp) {
		free(o->path);
		free(o->tmp);
		errno = ENOMEM;
		return -1;
	}
	snprintf(o->tmp, n, "%s.tmp.%ld", path, (long)getpid());
	int fd = open(o->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644);
	o->f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!o->f) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		free(o->path);
		free(o->tmp);
		memset(o, 0, sizeof *o);
		errno = e;
		return -1;
	}
	return 0;
}

/* fsync of the file at path. */
static int sync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	if (close(fd))
		rc = -1;
	return rc;
}

int jx_files_same(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	int same = fa && fb;
	if (same) {
		struct stat sa, sb;
		if (fstat(fileno(fa), &sa) || fstat(fileno(fb), &sb) || !S_ISREG(sb.st_mode) ||
		    sa.st_size != sb.st_size)
			same = 0;
	}
	char ba[65536], bb[65536];
	while (same) {
		size_t na = fread(ba, 1, sizeof ba, fa), nb = fread(bb, 1, sizeof bb, fb);
		if (na != nb || memcmp(ba, bb, na) || ferror(fa) || ferror(fb))
			same = 0;
		else if (na < sizeof ba)
			break;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

/* Closes the file and renames it onto its path; with unchanged, first
 * compares it with what path holds and keeps that when the same. */
static int commit(struct jx_outfile *o, int *unchanged)
{
	int rc = 0, e = 0;
	if (unchanged)
		*unchanged = 0;
	if (fflush(o->f) || (!unchanged && fsync(fileno(o->f))))
		rc = -1, e = errno;
	if (fclose(o->f) && !rc)
		rc = -1, e = errno;
	if (!rc && unchanged && jx_files_same(o->tmp, o->path)) {
		/* nothing new: the old file stays, its time too */
		*unchanged = 1;
		unlink(o->tmp);
	} else if (!rc && ((unchanged && sync_path(o->tmp)) || rename(o->tmp, o->path))) {
		rc = -1, e = errno;
	}
	if (rc)
		unlink(o->tmp);
	free(o->path);
	free(o->tmp);
	memset(o, 0, sizeof *o);
	errno = e;
	return rc;
}

int jx_outfile_commit(struct jx_outfile *o)
{
	return commit(o, NULL);
}

int jx_outfile_commit_if_changed(struct jx_outfile *o, int *unchanged)
{
	return commit(o, unchanged);
}

void jx_outfile_abort(struct jx_outfile *o)
{
	if (o->f)
		fclose(o->f);
	if (o->tmp)
		unlink(o->tmp);
	free(o->path);
	free(o->tmp);
	memset(o, 0, sizeof *o);
}

int jx_mkdirs(const char *dir)
{
	char buf[4096];
	size_t n = strlen(dir);
	if (n >= sizeof buf) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, dir, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return -1;
	return 0;
}
