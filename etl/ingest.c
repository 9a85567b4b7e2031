/* Ingest of one file: sniff, read, lay out. */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../core/sha256.h"
#include "../core/text.h"
#include "csv_reader.h"
#include "ingest.h"
#include "sniff.h"
#include "xlsx_reader.h"

#define DEFAULT_CHUNK (256 * 1024)

static void system_error(const struct ingest_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Says why the file could not be read, for the operator; the file name in
 * it comes from outside, so the message is made visible text. */
static void system_error(const struct ingest_opts *o, const char *fmt, ...)
{
	if (!o->error || !o->error_size)
		return;
	char raw[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	jx_text_visible(o->error, o->error_size, raw);
}

static int has_tsv_name(const char *name)
{
	size_t n = strlen(name);
	return n > 4 && !strcmp(name + n - 4, ".tsv");
}

/* Feeds a CSV reader from fd (or memory) and finishes the layout. */
static int ingest_csv_stream(int fd, const unsigned char *mem, size_t mem_len,
			     const char *name, const struct ingest_opts *o,
			     struct layout *l)
{
	struct csv_reader *r = malloc(sizeof *r);
	size_t chunk = o->chunk ? o->chunk : DEFAULT_CHUNK;
	unsigned char *buf = fd >= 0 ? malloc(chunk) : NULL;
	if (!r || (fd >= 0 && !buf) ||
	    csv_reader_init(r, has_tsv_name(name) ? '\t' : 0, layout_row, l)) {
		free(r);
		free(buf);
		return -1;
	}
	int rc = layout_sheet(l, NULL);
	size_t off = 0;
	while (!rc) {
		ssize_t got;
		const unsigned char *p;
		if (fd >= 0) {
			got = read(fd, buf, chunk);
			if (got < 0 && errno == EINTR)
				continue;
			p = buf;
		} else {
			got = (ssize_t)(mem_len - off < chunk ? mem_len - off : chunk);
			p = mem + off;
			off += (size_t)got;
		}
		if (got < 0) {
			system_error(o, "cannot read %s: %s", name, strerror(errno));
			rc = INGEST_UNREADABLE;
			break;
		}
		rc = got ? csv_reader_feed(r, p, (size_t)got) : csv_reader_finish(r);
		if (rc == ETL_READ_FAILED) {
			rc = layout_fail(l, r->error, NULL, r->error_row, 0);
			break;
		}
		if (!got) {
			rc = rc ? rc : layout_finish(l);
			break;
		}
	}
	csv_reader_release(r);
	free(r);
	free(buf);
	return rc;
}

static int hash_file(int fd, char hex[65])
{
	struct jx_sha256 c;
	unsigned char buf[65536];
	jx_sha256_init(&c);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (!n)
			break;
		jx_sha256_update(&c, buf, (size_t)n);
	}
	jx_sha256_final(&c, hex);
	return lseek(fd, 0, SEEK_SET) < 0 ? -1 : 0;
}

/* A file whose bytes are no form at all (S1): one submission with that
 * finding, routed by what its name says. */
static int ingest_unreadable(const char *path, const struct ingest_opts *o,
			     const char *sha, const char *msg,
			     layout_submission_fn fn, void *ctx)
{
	struct layout_opts lo = {o->cfg, path, o->received_at, sha};
	struct layout *l = layout_new(&lo, fn, ctx);
	if (!l)
		return -1;
	int rc = layout_fail(l, msg, NULL, 0, 0);
	layout_free(l);
	return rc;
}

/* 1 when path no longer names the file open as fd (st): it vanished or was
 * replaced while being read. */
static int file_changed(const char *path, const struct stat *st)
{
	struct stat now;
	return stat(path, &now) || now.st_dev != st->st_dev || now.st_ino != st->st_ino ||
	       now.st_size != st->st_size || now.st_mtim.tv_sec != st->st_mtim.tv_sec ||
	       now.st_mtim.tv_nsec != st->st_mtim.tv_nsec;
}

int ingest_file(const char *path, const struct ingest_opts *o,
		layout_submission_fn fn, void *ctx)
{
	struct ingest_opts opts = *o;
	char msg[512];
	/* O_NONBLOCK: a FIFO given as input must not hang the night */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		system_error(o, "cannot open %s: %s", path, strerror(errno));
		return INGEST_UNREADABLE;
	}
	struct stat st;
	int e = fstat(fd, &st) ? errno : 0;
	if (e || !S_ISREG(st.st_mode)) {
		close(fd);
		if (e)
			system_error(o, "cannot read %s: %s", path, strerror(e));
		else
			system_error(o, "%s is not a regular file (a folder, pipe or device)",
				     path);
		return INGEST_UNREADABLE;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	/* Received when it arrived here, by this machine's clock: the inode
	 * change time is set by the kernel (creation, rename, write, utimes)
	 * and cannot be set by a user, while the modification time travels
	 * with copies (cp -p, rsync -t, unzip, Explorer). */
	if (!opts.received_at)
		opts.received_at = (int64_t)st.st_ctim.tv_sec;
	char sha[65] = "";
	if (opts.want_sha256 && hash_file(fd, sha)) {
		system_error(o, "cannot read %s: %s", path, strerror(errno));
		close(fd);
		return INGEST_UNREADABLE;
	}
	unsigned char head[512];
	ssize_t n = pread(fd, head, sizeof head, 0);
	if (n < 0) {
		system_error(o, "cannot read %s: %s", path, strerror(errno));
		close(fd);
		return INGEST_UNREADABLE;
	}
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	enum sniff_kind kind = sniff_file(head, (size_t)n, base, msg, sizeof msg);
	int64_t cap = kind == SNIFF_XLSX ? INGEST_MAX_XLSX_BYTES : INGEST_MAX_CSV_BYTES;
	if (kind != SNIFF_OTHER && st.st_size > cap) {
		kind = SNIFF_OTHER;
		snprintf(msg, sizeof msg, "文件过大（%lld 字节，上限 %lld 字节），请拆分后报送",
			 (long long)st.st_size, (long long)cap);
	}
	if (kind == SNIFF_OTHER) {
		close(fd);
		return ingest_unreadable(path, &opts, *sha ? sha : NULL, msg, fn, ctx);
	}
	struct layout_opts lo = {opts.cfg, path, opts.received_at, *sha ? sha : NULL};
	struct layout *l = layout_new(&lo, fn, ctx);
	if (!l) {
		close(fd);
		return -1;
	}
	int rc;
	if (kind == SNIFF_TEXT) {
		rc = ingest_csv_stream(fd, NULL, 0, base, &opts, l);
	} else {
		/* The XLSX reader opens path itself; fd stays open to tell a
		 * damaged workbook from a file swapped or removed meanwhile. */
		struct etl_read_error err;
		memset(&err, 0, sizeof err);
		rc = 0;
		if (opts.verify_first)
			rc = xlsx_read(path, NULL, NULL, NULL, &err);
		if (!rc)
			rc = xlsx_read(path, layout_sheet, layout_row, l, &err);
		if (rc == ETL_READ_FAILED && file_changed(path, &st)) {
			system_error(o, "%s changed or vanished while being read", path);
			rc = INGEST_UNREADABLE;
		} else if (rc == ETL_READ_FAILED) {
			rc = layout_fail(l, err.message, err.sheet, err.row, err.col);
		} else if (!rc) {
			rc = layout_finish(l);
		}
	}
	close(fd);
	layout_free(l);
	return rc;
}

int ingest_csv_memory(const char *name, const void *data, size_t n,
		      const struct ingest_opts *o, layout_submission_fn fn,
		      void *ctx)
{
	struct layout_opts lo = {o->cfg, name, o->received_at, NULL};
	struct layout *l = layout_new(&lo, fn, ctx);
	if (!l)
		return -1;
	int rc = ingest_csv_stream(-1, data, n, name, o, l);
	layout_free(l);
	return rc;
}
