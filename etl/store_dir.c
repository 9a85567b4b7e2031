/* The "dir:PATH" store: plain UTF-8 CSV files a statistician can open, one
 * folder per version, each made whole in a hidden temporary folder and then
 * renamed into place, so a killed run leaves a version fully there or absent.
 *
 * PATH/schema_version.txt       layout version ("1")
 * PATH/README.txt               this layout, for people
 * PATH/files.csv                index of every version, in load order
 * PATH/YYYY-MM/CODE/v0001/      one version of (district, period):
 *     submission.csv            its metadata (one row)
 *     units.csv                 unit rows: ord, name, 合计 flag, sheet row
 *     values.csv                every value: ord (0 = the district's
 *                               figures), indicator, value (yuan for 14),
 *                               ok, sheet row and column it came from
 *     findings.csv              findings, columns as the findings CSV
 * PATH/.lock                    flock: the single-writer run lock
 * PATH/.put.lock                flock: held while one store_put writes
 * PATH/.index-dirty             present while files.csv may lag the folders
 * PATH/approvals.csv            every approval and reopening, in order
 * PATH/approvals/YYYY-MM_aNNN.csv  what approval NNN of a month signed off:
 *                               one line per district, its state, the
 *                               version in force and its 14 figures
 * PATH/users.csv                portal accounts with their Argon2id hashes
 *                               (mode 0600), by name
 *
 * In the CSV files an unquoted empty field is "no value" (NULL) and "" is an
 * empty text, so a CSV file's sheet (none) and an empty sheet name differ. */
#include "../core/csvout.h"
#include "../core/period.h"
#include "store_backend.h"
#include <csv.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DIR_LAYOUT_VERSION 1
#define DIR_PATH_MAX 4096
#define DIR_MAX_FIELDS 24
/* A field or record longer than this is damage, not data. */
#define DIR_MAX_RECORD (64u << 20)
/* How long store_put waits for another process's store_put to finish. */
#define DIR_PUT_WAIT_MS (300 * 1000)

static const char UTF8_BOM[] = "\xEF\xBB\xBF";

static const char *const SUBMISSION_HEADER[] = {
    "district_code", "period", "version", "status", "received_at", "loaded_at",
    "file",	     "sheet",  "sha256",  "errors", "warnings",	   "dropped"};
static const char *const UNITS_HEADER[] = {"ord", "unit", "is_total", "row"};
static const char *const VALUES_HEADER[] = {"ord", "indicator", "value", "ok", "row", "column"};
static const char *const FINDINGS_HEADER[] = {
    "file",   "sheet", "cell",	   "row",	"column", "district_code", "district_name",
    "period", "rule",  "severity", "indicator", "value",  "message"};
static const char *const INDEX_HEADER[] = {"period",	  "district_code", "version", "status",
					   "received_at", "loaded_at",	   "errors",  "warnings",
					   "sha256",	  "file"};
#define NCOLS(h) (sizeof(h) / sizeof(h)[0])

static const char README_TEXT[] =
    "jianxi store (dir: backend), layout version 1. Written by jianxi; do not\n"
    "edit. All files are UTF-8 CSV. Every loaded file is one version folder:\n"
    "\n"
    "  YYYY-MM/<district code>/v0001/submission.csv  status, file, times\n"
    "  YYYY-MM/<district code>/v0001/units.csv       the unit rows\n"
    "  YYYY-MM/<district code>/v0001/values.csv      every value; ord 0 is\n"
    "      the district's figures, ord N the Nth unit row; indicator 14 is\n"
    "      in yuan (10,000 yuan = 1 wan yuan)\n"
    "  YYYY-MM/<district code>/v0001/findings.csv    what the checks found\n"
    "  files.csv                                     every version, in load order\n"
    "  approvals.csv                                 every approval and reopening\n"
    "  approvals/YYYY-MM_a001.csv                    the figures each approval\n"
    "      signed off, one line per district\n"
    "\n"
    "Each version is one delivery: a file received at a time. The same file\n"
    "received again later is a new version; the same delivery is stored once.\n"
    "The version in force is the accepted version received last.\n"
    "Times are UTC. An empty unquoted field means no value.\n";

/* One delivery (sha256, received_at) per stored version, read
 * incrementally from files.csv. */
struct seen_delivery {
	char sha[65];
	int64_t received_at;
};
struct seen_cache {
	int active;
	struct csv_parser parser;
	dev_t dev;
	ino_t ino;
	off_t off;
	struct seen_delivery *d;
	size_t n, cap;
};

/* One CSV record being collected from libcsv's field callbacks. */
struct csv_rec {
	char *buf;
	size_t len, cap;
	size_t off[DIR_MAX_FIELDS];
	unsigned char null[DIR_MAX_FIELDS];
	size_t n;    /* fields so far; may pass DIR_MAX_FIELDS */
	uint64_t no; /* record number; 1 is the header */
	int rc;	     /* nonzero once a callback failed: stop */
	const char *path;
	const char *const *header;
	size_t n_header;
	struct dir_store *d;
	/* Called per data record; returns 0 or -1 (with the store's message). */
	int (*fn)(void *ctx, struct csv_rec *r, const char **f);
	void *ctx;
};

struct dir_store {
	struct store base;
	char *root;
	int lock_fd; /* .lock while store_lock holds it, else -1 */
	struct seen_cache seen;
	struct csv_rec seen_rec;
};

/* What submission.csv says about one version. */
struct dir_meta {
	struct store_version v;
	char *file, *sheet;
	size_t dropped;
};

static void meta_free(struct dir_meta *m)
{
	free(m->file);
	free(m->sheet);
	m->file = m->sheet = NULL;
}

/* ---- paths and folders ------------------------------------------------ */

static int dir_path(struct dir_store *d, char *buf, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* PATH-relative path into buf (DIR_PATH_MAX); -1 when too long. */
static int dir_path(struct dir_store *d, char *buf, const char *fmt, ...)
{
	int n = snprintf(buf, DIR_PATH_MAX, "%s/", d->root);
	if (n < 0 || n >= DIR_PATH_MAX)
		return store_fail(&d->base, "store path %.200s is too long", d->root);
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(buf + n, DIR_PATH_MAX - (size_t)n, fmt, ap);
	va_end(ap);
	if (m < 0 || m >= DIR_PATH_MAX - n)
		return store_fail(&d->base, "store path under %.200s is too long", d->root);
	return 0;
}

/* dir/name into buf (DIR_PATH_MAX); -1 when too long. */
static int sub_path(struct dir_store *d, char *buf, const char *dir, const char *name)
{
	if (snprintf(buf, DIR_PATH_MAX, "%s/%s", dir, name) >= DIR_PATH_MAX)
		return store_fail(&d->base, "path %.200s/%s is too long", dir, name);
	return 0;
}

static int fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	int e = errno;
	close(fd);
	errno = e;
	return rc;
}

/* Makes folder path if missing and makes its name durable in parent. */
static int ensure_dir(struct dir_store *d, const char *path, const char *parent)
{
	if (mkdir(path, 0777) == 0) {
		if (fsync_dir(parent))
			return store_fail(&d->base, "cannot sync folder %s: %s", parent,
					  strerror(errno));
		return 0;
	}
	struct stat sb;
	if (errno == EEXIST && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		return 0;
	return store_fail(&d->base, "cannot create folder %s: %s", path,
			  strerror(errno == 0 ? EEXIST : errno));
}

static int mkdir_p(const char *path, char *err, size_t errlen)
{
	char buf[DIR_PATH_MAX];
	if (strlen(path) >= sizeof buf) {
		snprintf(err, errlen, "store path %.200s is too long", path);
		return -1;
	}
	strcpy(buf, path);
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p)
			continue;
		char c = *p;
		*p = 0;
		struct stat sb;
		if (mkdir(buf, 0777) && errno != EEXIST) {
			snprintf(err, errlen, "cannot create store folder %.300s: %s", buf,
				 strerror(errno));
			return -1;
		}
		if (stat(buf, &sb) || !S_ISDIR(sb.st_mode)) {
			snprintf(err, errlen, "store path %.300s is not a folder", buf);
			return -1;
		}
		if (!c)
			return 0;
		*p = c;
	}
}

/* Removes a temporary version folder left by a killed run (files only). */
static void remove_tmp_tree(const char *path)
{
	DIR *dh = opendir(path);
	if (dh) {
		struct dirent *e;
		char sub[DIR_PATH_MAX];
		while ((e = readdir(dh))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			if (snprintf(sub, sizeof sub, "%s/%s", path, e->d_name) < (int)sizeof sub)
				unlink(sub);
		}
		closedir(dh);
	}
	rmdir(path);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The sorted names of the visible sub-folders of path (hidden ones, such as
 * temporary folders, are left out). A missing folder has none. */
static int list_subdirs(struct dir_store *d, const char *path, char ***out, size_t *n_out)
{
	*out = NULL;
	*n_out = 0;
	DIR *dh = opendir(path);
	if (!dh) {
		if (errno == ENOENT)
			return 0;
		return store_fail(&d->base, "cannot read folder %s: %s", path, strerror(errno));
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	int rc = 0;
	while ((e = readdir(dh))) {
		if (e->d_name[0] == '.')
			continue;
		char sub[DIR_PATH_MAX];
		struct stat sb;
		if (snprintf(sub, sizeof sub, "%s/%s", path, e->d_name) >= (int)sizeof sub ||
		    stat(sub, &sb) || !S_ISDIR(sb.st_mode))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			char **nn = realloc(names, cap * sizeof *nn);
			if (!nn) {
				rc = store_fail(&d->base, "out of memory");
				break;
			}
			names = nn;
		}
		if (!(names[n] = strdup(e->d_name))) {
			rc = store_fail(&d->base, "out of memory");
			break;
		}
		n++;
	}
	closedir(dh);
	if (rc) {
		names_free(names, n);
		return rc;
	}
	if (n)
		qsort(names, n, sizeof *names, name_cmp);
	*out = names;
	*n_out = n;
	return 0;
}

/* "v0012" -> 12; -1 for anything else. */
static int version_of_name(const char *name)
{
	if (name[0] != 'v' || !name[1] || strlen(name) > 10)
		return -1;
	int v = 0;
	for (const char *p = name + 1; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v >= 1 ? v : -1;
}

static int int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* The version numbers under a district folder, ascending. */
static int list_versions(struct dir_store *d, const char *path, int **out, size_t *n_out)
{
	char **names;
	size_t n;
	*out = NULL;
	*n_out = 0;
	if (list_subdirs(d, path, &names, &n))
		return -1;
	int *v = n ? malloc(n * sizeof *v) : NULL;
	if (n && !v) {
		names_free(names, n);
		return store_fail(&d->base, "out of memory");
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		int x = version_of_name(names[i]);
		if (x > 0)
			v[k++] = x;
	}
	names_free(names, n);
	if (k)
		qsort(v, k, sizeof *v, int_cmp);
	*out = v;
	*n_out = k;
	return 0;
}

/* A district code becomes a folder name: nothing that could leave the
 * period folder or hide from readers. */
static int code_is_folder_name(const char *code)
{
	if (!*code || code[0] == '.')
		return 0;
	for (const unsigned char *p = (const unsigned char *)code; *p; p++)
		if (*p == '/' || *p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

static int period_is_folder_name(const char *name)
{
	static const char shape[] = "dddd-dd";
	for (int i = 0; i < 7; i++)
		if (shape[i] == 'd' ? (name[i] < '0' || name[i] > '9') : name[i] != '-')
			return 0;
	return name[7] == 0;
}

/* ---- locks ------------------------------------------------------------ */

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Opens (creating) the lock file name and takes an exclusive flock on it,
 * trying every step_ms for up to wait_ms. Returns 0 and *fd_out, 1 when
 * still held elsewhere, -1 on error. */
static int lock_file(struct dir_store *d, const char *name, int64_t wait_ms, int step_ms,
		     int *fd_out)
{
	char path[DIR_PATH_MAX];
	if (dir_path(d, path, "%s", name))
		return -1;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0)
		return store_fail(&d->base, "cannot open lock file %s: %s", path, strerror(errno));
	int64_t until = now_ms() + wait_ms;
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			*fd_out = fd;
			return 0;
		}
		if (errno != EWOULDBLOCK && errno != EINTR) {
			int e = errno;
			close(fd);
			return store_fail(&d->base, "cannot lock %s: %s", path, strerror(e));
		}
		if (now_ms() >= until) {
			close(fd);
			return 1;
		}
		sleep_ms(step_ms);
	}
}

static int put_lock(struct dir_store *d, int *fd)
{
	int rc = lock_file(d, ".put.lock", DIR_PUT_WAIT_MS, 10, fd);
	if (rc == 1)
		return store_fail(&d->base,
				  "store %s: another process has been writing for "
				  "%d seconds; giving up",
				  d->root, DIR_PUT_WAIT_MS / 1000);
	return rc;
}

static void put_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* closing drops the flock */
}

/* ---- writing CSV ------------------------------------------------------ */

/* A quoted text field; NULL is left empty, so it reads back as NULL. These
 * files are data the store reads back: a unit named "-" or a value "=1"
 * must come back as it went in, so the reports' apostrophe (csvout.h) is
 * not added here. */
static void w_text(FILE *f, const char *s)
{
	jx_csv_verbatim(f, s);
}

static void w_int(FILE *f, long long v)
{
	fprintf(f, "%lld", v);
}

/* A number that is empty when it is 0 ("not applicable"). */
static void w_int_or_empty(FILE *f, long long v)
{
	if (v)
		fprintf(f, "%lld", v);
}

static void w_header(FILE *f, const char *const *h, size_t n)
{
	fputs(UTF8_BOM, f);
	for (size_t i = 0; i < n; i++) {
		if (i)
			putc(',', f);
		fputs(h[i], f);
	}
	putc('\n', f);
}

/* Unix seconds as "2023-10-02T08:30:00Z". */
static void format_utc(int64_t t, char buf[32])
{
	int64_t days = t / 86400, secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	int y, m, dd;
	jx_civil_from_days((int32_t)days, &y, &m, &dd);
	snprintf(buf, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, dd, (int)(secs / 3600),
		 (int)(secs / 60 % 60), (int)(secs % 60));
}

/* The inverse of format_utc; -1 unless text is exactly that shape. */
static int parse_utc(const char *text, int64_t *t)
{
	int y, m, dd, hh, mi, ss, n = 0;
	if (!text ||
	    sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &m, &dd, &hh, &mi, &ss, &n) != 6 ||
	    n == 0 || text[n])
		return -1;
	if (m < 1 || m > 12 || dd < 1 || dd > 31 || hh > 23 || mi > 59 || ss > 59)
		return -1;
	*t = (int64_t)jx_days_from_civil(y, m, dd) * 86400 + hh * 3600 + mi * 60 + ss;
	char back[32];
	format_utc(*t, back);
	return strcmp(back, text) ? -1 : 0;
}

/* The year range format_utc writes as four digits. */
#define UTC_MIN (-62135596800LL) /* 0001-01-01T00:00:00Z */
#define UTC_MAX (253402300799LL) /* 9999-12-31T23:59:59Z */

/* Flushes, syncs and closes f; -1 (with errno) when anything failed. */
static int close_synced(FILE *f)
{
	int rc = 0;
	if (ferror(f) || fflush(f) || fsync(fileno(f)))
		rc = -1;
	int e = errno;
	if (fclose(f))
		rc = -1;
	else
		errno = e;
	return rc;
}

/* Writes file dir/name with write_fn, synced to disk. */
static int write_file(struct dir_store *d, const char *dir, const char *name,
		      void (*write_fn)(FILE *f, const void *arg), const void *arg)
{
	char path[DIR_PATH_MAX];
	if (sub_path(d, path, dir, name))
		return -1;
	FILE *f = fopen(path, "wbx");
	if (!f)
		return store_fail(&d->base, "cannot create %s: %s", path, strerror(errno));
	write_fn(f, arg);
	if (close_synced(f))
		return store_fail(&d->base, "cannot write %s: %s", path, strerror(errno));
	return 0;
}

/* What the writers of one version need. */
struct put_args {
	const struct jx_submission *s;
	const char *sha256;
	int version;
	int64_t loaded_at;
};

static void write_submission(FILE *f, const void *arg)
{
	const struct put_args *a = arg;
	const struct jx_submission *s = a->s;
	char rec[32], load[32];
	format_utc(s->received_at, rec);
	format_utc(a->loaded_at, load);
	w_header(f, SUBMISSION_HEADER, NCOLS(SUBMISSION_HEADER));
	w_text(f, s->district_code);
	putc(',', f);
	w_text(f, s->period);
	fprintf(f, ",%d,%s,%s,%s,", a->version, store_status_name(jx_submission_status(s)), rec,
		load);
	w_text(f, s->file);
	putc(',', f);
	w_text(f, s->sheet);
	fprintf(f, ",%s,%zu,%zu,%zu\n", a->sha256, s->findings.errors, s->findings.warnings,
		s->findings.dropped);
}

static void write_units(FILE *f, const void *arg)
{
	const struct jx_submission *s = ((const struct put_args *)arg)->s;
	w_header(f, UNITS_HEADER, NCOLS(UNITS_HEADER));
	for (size_t i = 0; i < s->n_units; i++) {
		w_int(f, (long long)i + 1);
		putc(',', f);
		w_text(f, s->units[i].name ? s->units[i].name : "");
		fprintf(f, ",%d,%lu\n", s->units[i].is_total ? 1 : 0,
			(unsigned long)s->units[i].row);
	}
}

static void write_value_rows(FILE *f, size_t ord, const struct jx_value *v)
{
	for (int k = 0; k < JX_N_INDICATORS; k++)
		fprintf(f, "%zu,%d,%lld,%d,%lu,%lu\n", ord, k + 1, (long long)v[k].v,
			v[k].ok ? 1 : 0, (unsigned long)v[k].row, (unsigned long)v[k].col);
}

static void write_values(FILE *f, const void *arg)
{
	const struct jx_submission *s = ((const struct put_args *)arg)->s;
	w_header(f, VALUES_HEADER, NCOLS(VALUES_HEADER));
	write_value_rows(f, 0, s->figures);
	for (size_t i = 0; i < s->n_units; i++)
		write_value_rows(f, i + 1, s->units[i].v);
}

static void write_findings(FILE *f, const void *arg)
{
	const struct jx_submission *s = ((const struct put_args *)arg)->s;
	w_header(f, FINDINGS_HEADER, NCOLS(FINDINGS_HEADER));
	for (size_t i = 0; i < s->findings.n; i++) {
		const struct jx_finding *x = &s->findings.items[i];
		char cell[32];
		w_text(f, x->file);
		putc(',', f);
		w_text(f, x->sheet);
		putc(',', f);
		/* cell is for people; the reader takes row and column */
		w_text(f, *jx_cell_name(x->row, x->col, cell, sizeof cell) ? cell : NULL);
		putc(',', f);
		w_int_or_empty(f, x->row);
		putc(',', f);
		w_int_or_empty(f, x->col);
		putc(',', f);
		w_text(f, x->district_code);
		putc(',', f);
		w_text(f, x->district_name);
		putc(',', f);
		w_text(f, x->period);
		fprintf(f, ",%s,%s,", jx_rule_id(x->rule) ? jx_rule_id(x->rule) : "",
			jx_severity_name(jx_rule_severity(x->rule)));
		w_int_or_empty(f, x->indicator);
		putc(',', f);
		w_text(f, x->value);
		putc(',', f);
		w_text(f, x->message);
		putc('\n', f);
	}
}

static void write_index_line(FILE *f, const struct dir_meta *m)
{
	char period[8], rec[32], load[32];
	jx_period_format(m->v.year, m->v.month, period);
	format_utc(m->v.received_at, rec);
	format_utc(m->v.loaded_at, load);
	fprintf(f, "%s,", period);
	w_text(f, m->v.district_code);
	fprintf(f, ",%d,%s,%s,%s,%zu,%zu,%s,", m->v.version, store_status_name(m->v.status), rec,
		load, m->v.errors, m->v.warnings, m->v.sha256);
	w_text(f, m->file);
	putc('\n', f);
}

/* ---- reading CSV ------------------------------------------------------ */

static void *capped_realloc(void *p, size_t n)
{
	return n > DIR_MAX_RECORD ? NULL : realloc(p, n);
}

static void rec_field(void *field, size_t len, void *data)
{
	struct csv_rec *r = data;
	if (r->rc)
		return;
	if (r->n < DIR_MAX_FIELDS) {
		if (r->len + len + 1 > r->cap) {
			size_t cap = r->cap ? r->cap : 256;
			while (cap < r->len + len + 1)
				cap *= 2;
			char *nb = cap > DIR_MAX_RECORD ? NULL : realloc(r->buf, cap);
			if (!nb) {
				r->rc = store_fail(&r->d->base,
						   "%s: record %llu is too "
						   "large",
						   r->path, (unsigned long long)r->no + 1);
				return;
			}
			r->buf = nb;
			r->cap = cap;
		}
		r->off[r->n] = r->len;
		r->null[r->n] = field == NULL;
		if (len)
			memcpy(r->buf + r->len, field, len);
		r->len += len;
		r->buf[r->len++] = 0;
	}
	r->n++;
}

static void rec_end(int c, void *data)
{
	(void)c;
	struct csv_rec *r = data;
	size_t n = r->n;
	r->n = 0;
	r->len = 0;
	r->no++;
	if (r->rc)
		return;
	if (n != r->n_header) {
		r->rc = store_fail(&r->d->base, "%s: record %llu has %zu fields, expected %zu",
				   r->path, (unsigned long long)r->no, n, r->n_header);
		return;
	}
	const char *f[DIR_MAX_FIELDS];
	for (size_t i = 0; i < n; i++)
		f[i] = r->null[i] ? NULL : r->buf + r->off[i];
	if (r->no == 1) {
		if (f[0] && !strncmp(f[0], UTF8_BOM, 3))
			f[0] += 3;
		for (size_t i = 0; i < n; i++)
			if (!f[i] || strcmp(f[i], r->header[i])) {
				r->rc = store_fail(&r->d->base,
						   "%s: unexpected header (column %zu is "
						   "not \"%s\")",
						   r->path, i + 1, r->header[i]);
				return;
			}
		return;
	}
	if (r->fn(r->ctx, r, f))
		r->rc = -1;
}

static const unsigned char CSV_OPTS =
    CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_EMPTY_IS_NULL;

static void rec_setup(struct csv_rec *r, struct dir_store *d, const char *path,
		      const char *const *header, size_t n_header,
		      int (*fn)(void *, struct csv_rec *, const char **), void *ctx)
{
	memset(r, 0, sizeof *r);
	r->d = d;
	r->path = path;
	r->header = header;
	r->n_header = n_header;
	r->fn = fn;
	r->ctx = ctx;
}

/* Reads the whole CSV file path, calling fn per data record. A missing
 * file is an error, as is a missing or different header. */
static int read_csv(struct dir_store *d, const char *path, const char *const *header,
		    size_t n_header, int (*fn)(void *, struct csv_rec *, const char **), void *ctx)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return store_fail(&d->base, "cannot open %s: %s", path, strerror(errno));
	struct csv_rec r;
	rec_setup(&r, d, path, header, n_header, fn, ctx);
	struct csv_parser p;
	csv_init(&p, CSV_OPTS);
	csv_set_realloc_func(&p, capped_realloc);
	char buf[65536];
	size_t got;
	while (!r.rc && (got = fread(buf, 1, sizeof buf, f)) > 0)
		if (csv_parse(&p, buf, got, rec_field, rec_end, &r) != got && !r.rc)
			r.rc = store_fail(&d->base,
					  "%s: not valid CSV near record "
					  "%llu (%s)",
					  path, (unsigned long long)r.no + 1,
					  csv_strerror(csv_error(&p)));
	if (!r.rc && ferror(f))
		r.rc = store_fail(&d->base, "cannot read %s: %s", path, strerror(errno));
	if (!r.rc && csv_fini(&p, rec_field, rec_end, &r))
		r.rc = store_fail(&d->base, "%s: the last record is cut off", path);
	if (!r.rc && r.no == 0)
		r.rc = store_fail(&d->base, "%s: empty file", path);
	csv_free(&p);
	free(r.buf);
	fclose(f);
	return r.rc ? -1 : 0;
}

static int bad_field(struct csv_rec *r, const char *column)
{
	return store_fail(&r->d->base, "%s: record %llu: bad %s", r->path,
			  (unsigned long long)r->no, column);
}

static int field_i64(struct csv_rec *r, const char *text, const char *column, int64_t min,
		     int64_t max, int64_t *out)
{
	return store_parse_i64(text, min, max, out) ? bad_field(r, column) : 0;
}

/* A number written empty when 0. */
static int field_i64_or_empty(struct csv_rec *r, const char *text, const char *column, int64_t max,
			      int64_t *out)
{
	if (!text) {
		*out = 0;
		return 0;
	}
	return field_i64(r, text, column, 1, max, out);
}

static int field_dup(struct csv_rec *r, const char *text, char **out)
{
	*out = NULL;
	if (text && !(*out = strdup(text)))
		return store_fail(&r->d->base, "out of memory");
	return 0;
}

static int sha_ok(const char *s)
{
	if (!s || strlen(s) != 64)
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}

/* submission.csv: exactly one data record. */
struct meta_read {
	struct dir_meta *m;
	int count;
};

static int meta_record(void *ctx, struct csv_rec *r, const char **f)
{
	struct meta_read *mr = ctx;
	struct dir_meta *m = mr->m;
	if (++mr->count > 1)
		return store_fail(&r->d->base, "%s: more than one record", r->path);
	int64_t x;
	if (!f[0] || strlen(f[0]) >= JX_CODE_MAX)
		return bad_field(r, "district_code");
	strcpy(m->v.district_code, f[0]);
	if (!f[1] || !period_is_folder_name(f[1]))
		return bad_field(r, "period");
	m->v.year = atoi(f[1]);
	m->v.month = atoi(f[1] + 5);
	if (field_i64(r, f[2], "version", 1, INT_MAX, &x))
		return -1;
	m->v.version = (int)x;
	if (store_status_parse(f[3], &m->v.status))
		return bad_field(r, "status");
	if (parse_utc(f[4], &m->v.received_at))
		return bad_field(r, "received_at");
	if (parse_utc(f[5], &m->v.loaded_at))
		return bad_field(r, "loaded_at");
	if (!f[6])
		return bad_field(r, "file");
	if (!sha_ok(f[8]))
		return bad_field(r, "sha256");
	strcpy(m->v.sha256, f[8]);
	if (field_i64(r, f[9], "errors", 0, INT64_MAX, &x))
		return -1;
	m->v.errors = (size_t)x;
	if (field_i64(r, f[10], "warnings", 0, INT64_MAX, &x))
		return -1;
	m->v.warnings = (size_t)x;
	if (field_i64(r, f[11], "dropped", 0, INT64_MAX, &x))
		return -1;
	m->dropped = (size_t)x;
	if (field_dup(r, f[6], &m->file) || field_dup(r, f[7], &m->sheet))
		return -1;
	return 0;
}

/* Reads the metadata of version folder vdir, which must be version v of
 * (code, period): a folder moved by hand is damage, not another version. */
static int read_meta(struct dir_store *d, const char *vdir, const char *code, const char *period,
		     int version, struct dir_meta *m)
{
	char path[DIR_PATH_MAX];
	memset(m, 0, sizeof *m);
	if (sub_path(d, path, vdir, "submission.csv"))
		return -1;
	struct meta_read mr = {m, 0};
	if (read_csv(d, path, SUBMISSION_HEADER, NCOLS(SUBMISSION_HEADER), meta_record, &mr)) {
		meta_free(m);
		return -1;
	}
	char p[8];
	jx_period_format(m->v.year, m->v.month, p);
	if (mr.count != 1 || strcmp(m->v.district_code, code) || strcmp(p, period) ||
	    m->v.version != version) {
		meta_free(m);
		return store_fail(&d->base,
				  "%s: does not describe version %d of %s "
				  "%s",
				  path, version, code, period);
	}
	m->v.file = m->file;
	return 0;
}

static void metas_free(struct dir_meta *ms, size_t n)
{
	for (size_t i = 0; i < n; i++)
		meta_free(&ms[i]);
	free(ms);
}

/* The metadata of every version of (code, period), by version; in_force
 * set. */
static int read_district(struct dir_store *d, const char *period, const char *code,
			 struct dir_meta **out, size_t *n_out)
{
	char ddir[DIR_PATH_MAX], vdir[DIR_PATH_MAX];
	*out = NULL;
	*n_out = 0;
	if (dir_path(d, ddir, "%s/%s", period, code))
		return -1;
	int *vs;
	size_t n;
	if (list_versions(d, ddir, &vs, &n))
		return -1;
	struct dir_meta *ms = n ? calloc(n, sizeof *ms) : NULL;
	if (n && !ms) {
		free(vs);
		return store_fail(&d->base, "out of memory");
	}
	size_t best = n;
	for (size_t i = 0; i < n; i++) {
		int rc = snprintf(vdir, sizeof vdir, "%s/v%04d", ddir, vs[i]) >= (int)sizeof vdir
			     ? store_fail(&d->base, "path %.200s is too long", ddir)
			     : read_meta(d, vdir, code, period, vs[i], &ms[i]);
		if (rc) {
			free(vs);
			metas_free(ms, i);
			return -1;
		}
		if (ms[i].v.status == JX_ACCEPTED &&
		    (best == n || store_version_newer(ms[i].v.received_at, ms[i].v.version,
						      ms[best].v.received_at, ms[best].v.version)))
			best = i;
	}
	if (best < n)
		ms[best].v.in_force = 1;
	free(vs);
	*out = ms;
	*n_out = n;
	return 0;
}

/* ---- the index (files.csv) -------------------------------------------- */

/* Writes files.csv afresh from the version folders, then clears the dirty
 * marker. Caller holds the put lock. */
static int index_rebuild(struct dir_store *d)
{
	char tmp[DIR_PATH_MAX], final[DIR_PATH_MAX], marker[DIR_PATH_MAX];
	if (dir_path(d, tmp, ".files.csv.tmp-XXXXXX") || dir_path(d, final, "files.csv") ||
	    dir_path(d, marker, ".index-dirty"))
		return -1;
	/* Index files a killed rebuild left behind; we hold the put lock. */
	DIR *dh = opendir(d->root);
	struct dirent *ent;
	char stale[DIR_PATH_MAX];
	while (dh && (ent = readdir(dh)))
		if (!strncmp(ent->d_name, ".files.csv.tmp-", 15) &&
		    !sub_path(d, stale, d->root, ent->d_name))
			unlink(stale);
	if (dh)
		closedir(dh);
	char **periods = NULL;
	size_t n_periods = 0;
	if (list_subdirs(d, d->root, &periods, &n_periods))
		return -1;
	int fd = mkstemp(tmp);
	FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (!f) {
		int e = errno;
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		names_free(periods, n_periods);
		return store_fail(&d->base, "cannot create %s: %s", tmp, strerror(e));
	}
	w_header(f, INDEX_HEADER, NCOLS(INDEX_HEADER));
	int rc = 0;
	for (size_t i = 0; !rc && i < n_periods; i++) {
		if (!period_is_folder_name(periods[i]))
			continue;
		char pdir[DIR_PATH_MAX];
		char **codes;
		size_t n_codes;
		if (dir_path(d, pdir, "%s", periods[i]) ||
		    list_subdirs(d, pdir, &codes, &n_codes)) {
			rc = -1;
			break;
		}
		for (size_t j = 0; !rc && j < n_codes; j++) {
			struct dir_meta *ms;
			size_t n;
			if (read_district(d, periods[i], codes[j], &ms, &n)) {
				rc = -1;
				break;
			}
			for (size_t k = 0; k < n; k++)
				write_index_line(f, &ms[k]);
			metas_free(ms, n);
		}
		names_free(codes, n_codes);
	}
	names_free(periods, n_periods);
	if (rc) {
		fclose(f);
		unlink(tmp);
		return -1;
	}
	if (close_synced(f) || rename(tmp, final) || fsync_dir(d->root)) {
		int e = errno;
		unlink(tmp);
		return store_fail(&d->base, "cannot write %s: %s", final, strerror(e));
	}
	unlink(marker);
	return 0;
}

/* Rebuilds the index when a run died between storing a version and
 * indexing it (the marker is still there) or someone removed it. Caller
 * holds the put lock. */
static int index_repair(struct dir_store *d)
{
	char marker[DIR_PATH_MAX], index[DIR_PATH_MAX];
	if (dir_path(d, marker, ".index-dirty") || dir_path(d, index, "files.csv"))
		return -1;
	if (access(marker, F_OK) == 0 || access(index, F_OK) != 0)
		return index_rebuild(d);
	return 0;
}

/* Marks the index as possibly behind, durably, before a version is
 * renamed into place. */
static int index_mark_dirty(struct dir_store *d)
{
	char marker[DIR_PATH_MAX];
	if (dir_path(d, marker, ".index-dirty"))
		return -1;
	int fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0 || fsync(fd)) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return store_fail(&d->base, "cannot create %s: %s", marker, strerror(e));
	}
	close(fd);
	if (fsync_dir(d->root))
		return store_fail(&d->base, "cannot sync folder %s: %s", d->root, strerror(errno));
	return 0;
}

/* Appends one version to files.csv and clears the marker; on failure the
 * marker stays and the next run rebuilds the index. */
static int index_append(struct dir_store *d, const struct dir_meta *m)
{
	char index[DIR_PATH_MAX], marker[DIR_PATH_MAX];
	if (dir_path(d, index, "files.csv") || dir_path(d, marker, ".index-dirty"))
		return -1;
	char *line = NULL;
	size_t len = 0;
	FILE *mf = open_memstream(&line, &len);
	if (!mf)
		return store_fail(&d->base, "out of memory");
	write_index_line(mf, m);
	if (fclose(mf) || !line) {
		free(line);
		return store_fail(&d->base, "out of memory");
	}
	int fd = open(index, O_WRONLY | O_APPEND | O_CLOEXEC);
	int rc = fd < 0 ? -1 : 0;
	for (size_t done = 0; !rc && done < len;) {
		ssize_t w = write(fd, line + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			rc = -1;
		else
			done += (size_t)w;
	}
	if (!rc && fsync(fd))
		rc = -1;
	int e = errno;
	if (fd >= 0)
		close(fd);
	free(line);
	if (rc)
		return store_fail(&d->base, "cannot append to %s: %s", index, strerror(e));
	unlink(marker);
	return 0;
}

static int seen_record(void *ctx, struct csv_rec *r, const char **f)
{
	struct seen_cache *c = ctx;
	int64_t received;
	if (!sha_ok(f[8]))
		return bad_field(r, "sha256");
	if (parse_utc(f[4], &received))
		return bad_field(r, "received_at");
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		struct seen_delivery *nn = realloc(c->d, cap * sizeof *nn);
		if (!nn)
			return store_fail(&r->d->base, "out of memory");
		c->d = nn;
		c->cap = cap;
	}
	memcpy(c->d[c->n].sha, f[8], 65);
	c->d[c->n++].received_at = received;
	return 0;
}

static void seen_reset(struct dir_store *d)
{
	struct seen_cache *c = &d->seen;
	if (c->active)
		csv_free(&c->parser);
	c->active = 0;
	c->n = 0;
	c->off = 0;
	free(d->seen_rec.buf);
	memset(&d->seen_rec, 0, sizeof d->seen_rec);
}

/* Brings the cache up to the end of files.csv. The index only grows by
 * appends until it is rebuilt (a new file), so only new bytes are read;
 * the parser keeps a record that is still being written for next time. */
static int seen_refresh(struct dir_store *d)
{
	struct seen_cache *c = &d->seen;
	char path[DIR_PATH_MAX];
	if (dir_path(d, path, "files.csv"))
		return -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb)) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return store_fail(&d->base, "cannot read %s: %s", path, strerror(e));
	}
	struct csv_rec *r = &d->seen_rec;
	if (!c->active || sb.st_dev != c->dev || sb.st_ino != c->ino || sb.st_size < c->off) {
		seen_reset(d);
		csv_init(&c->parser, CSV_OPTS);
		csv_set_realloc_func(&c->parser, capped_realloc);
		c->active = 1;
		c->dev = sb.st_dev;
		c->ino = sb.st_ino;
		/* r keeps the fields of a record still being appended between
		 * calls, so it is set up only here. */
		rec_setup(r, d, "files.csv", INDEX_HEADER, NCOLS(INDEX_HEADER), seen_record, c);
	}
	int rc = 0;
	char chunk[65536];
	ssize_t got;
	while ((got = pread(fd, chunk, sizeof chunk, c->off)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			rc = store_fail(&d->base, "cannot read %s: %s", path, strerror(errno));
			break;
		}
		if (csv_parse(&c->parser, chunk, (size_t)got, rec_field, rec_end, r) !=
			(size_t)got &&
		    !r->rc)
			r->rc = store_fail(&d->base, "%s: not valid CSV", path);
		c->off += got;
		if (r->rc) {
			rc = -1;
			break;
		}
	}
	close(fd);
	if (rc)
		seen_reset(d); /* start over next time */
	return rc;
}

/* ---- opening ---------------------------------------------------------- */

static void write_text(FILE *f, const void *arg)
{
	fputs(arg, f);
}

static void write_empty_index(FILE *f, const void *arg)
{
	(void)arg;
	w_header(f, INDEX_HEADER, NCOLS(INDEX_HEADER));
}

/* Writes PATH/name whole or not at all (temporary file, then rename). */
static int write_root_file(struct dir_store *d, const char *name, void (*fn)(FILE *, const void *),
			   const void *arg)
{
	char tmp[DIR_PATH_MAX], final[DIR_PATH_MAX];
	if (dir_path(d, tmp, ".%s.tmp", name) || dir_path(d, final, "%s", name))
		return -1;
	unlink(tmp);
	const char *slash = strrchr(tmp, '/');
	if (write_file(d, d->root, slash + 1, fn, arg))
		return -1;
	if (rename(tmp, final) || fsync_dir(d->root)) {
		int e = errno;
		unlink(tmp);
		return store_fail(&d->base, "cannot write %s: %s", final, strerror(e));
	}
	return 0;
}

/* Only these may be in a folder about to become a store. */
static int is_store_litter(const char *name)
{
	return !strcmp(name, ".") || !strcmp(name, "..") || !strcmp(name, ".lock") ||
	       !strcmp(name, ".put.lock") || !strncmp(name, ".schema_version.txt", 19) ||
	       !strncmp(name, ".README.txt", 11) || !strncmp(name, ".files.csv", 10) ||
	       !strcmp(name, "files.csv") || !strcmp(name, "README.txt");
}

/* Creates the layout in an empty folder, or checks the one there. Caller
 * holds the put lock. */
static int dir_init_layout(struct dir_store *d)
{
	char path[DIR_PATH_MAX];
	if (dir_path(d, path, "schema_version.txt"))
		return -1;
	FILE *f = fopen(path, "rb");
	if (f) {
		char line[32] = "";
		int ok = fgets(line, sizeof line, f) != NULL;
		fclose(f);
		int64_t v;
		line[strcspn(line, "\r\n")] = 0;
		if (!ok || store_parse_i64(line, 1, INT_MAX, &v))
			return store_fail(&d->base, "%s is damaged", path);
		if (v > DIR_LAYOUT_VERSION)
			return store_fail(&d->base,
					  "store %s has layout version %lld; this "
					  "jianxi knows up to %d: use a newer jianxi",
					  d->root, (long long)v, DIR_LAYOUT_VERSION);
		/* Layout migrations (v < DIR_LAYOUT_VERSION) would go here. */
		return index_repair(d);
	}
	if (errno != ENOENT)
		return store_fail(&d->base, "cannot read %s: %s", path, strerror(errno));
	/* A typo such as dir:/home/clerk must not turn a folder full of other
	 * things into a store. */
	DIR *dh = opendir(d->root);
	if (!dh)
		return store_fail(&d->base, "cannot read folder %s: %s", d->root, strerror(errno));
	struct dirent *e;
	const char *stranger = NULL;
	while ((e = readdir(dh)))
		if (!is_store_litter(e->d_name)) {
			stranger = e->d_name;
			break;
		}
	if (stranger) {
		store_fail(&d->base,
			   "folder %s is not empty (it holds \"%.100s\") and is "
			   "not a jianxi store (no schema_version.txt); give an "
			   "empty or new folder",
			   d->root, stranger);
		closedir(dh);
		return -1;
	}
	closedir(dh);
	char version[16];
	snprintf(version, sizeof version, "%d\n", DIR_LAYOUT_VERSION);
	/* schema_version.txt last: it says the rest is there. */
	if (write_root_file(d, "files.csv", write_empty_index, NULL) ||
	    write_root_file(d, "README.txt", write_text, README_TEXT) ||
	    write_root_file(d, "schema_version.txt", write_text, version))
		return -1;
	return 0;
}

/* ---- the operations --------------------------------------------------- */

static void dir_close(struct store *st)
{
	struct dir_store *d = (struct dir_store *)st;
	if (d->lock_fd >= 0)
		close(d->lock_fd);
	seen_reset(d);
	free(d->seen.d);
	free(d->root);
	free(d);
}

static int dir_lock(struct store *st, int wait_seconds)
{
	struct dir_store *d = (struct dir_store *)st;
	if (d->lock_fd >= 0)
		return 0;
	int rc = lock_file(d, ".lock", (int64_t)wait_seconds * 1000, 100, &d->lock_fd);
	if (rc == 1)
		store_fail(st, "store %s is in use by another run (waited %d s)", d->root,
			   wait_seconds);
	return rc;
}

static int dir_put_locked(struct dir_store *d, const struct jx_submission *s, const char *sha256,
			  int *was_new)
{
	char pdir[DIR_PATH_MAX], ddir[DIR_PATH_MAX], tmp[DIR_PATH_MAX], vdir[DIR_PATH_MAX];
	if (index_repair(d) || dir_path(d, pdir, "%s", s->period) ||
	    dir_path(d, ddir, "%s/%s", s->period, s->district_code) ||
	    ensure_dir(d, pdir, d->root) || ensure_dir(d, ddir, pdir))
		return -1;

	/* Folders a killed run left behind; nobody else writes now. */
	DIR *dh = opendir(ddir);
	if (!dh)
		return store_fail(&d->base, "cannot read folder %s: %s", ddir, strerror(errno));
	struct dirent *e;
	while ((e = readdir(dh)))
		if (!strncmp(e->d_name, ".tmp-", 5) &&
		    snprintf(tmp, sizeof tmp, "%s/%s", ddir, e->d_name) < (int)sizeof tmp)
			remove_tmp_tree(tmp);
	closedir(dh);

	struct dir_meta *ms;
	size_t n;
	if (read_district(d, s->period, s->district_code, &ms, &n))
		return -1;
	int version = n ? ms[n - 1].v.version + 1 : 1;
	/* The same delivery: content and received time (#13). */
	for (size_t i = 0; i < n; i++)
		if (!strcmp(ms[i].v.sha256, sha256) && ms[i].v.received_at == s->received_at) {
			metas_free(ms, n);
			*was_new = 0;
			return 0;
		}
	metas_free(ms, n);

	struct put_args a = {s, sha256, version, (int64_t)time(NULL)};
	if (snprintf(tmp, sizeof tmp, "%s/.tmp-v%04d-XXXXXX", ddir, version) >= (int)sizeof tmp ||
	    snprintf(vdir, sizeof vdir, "%s/v%04d", ddir, version) >= (int)sizeof vdir)
		return store_fail(&d->base, "path %.200s is too long", ddir);
	if (!mkdtemp(tmp))
		return store_fail(&d->base, "cannot create a folder in %s: %s", ddir,
				  strerror(errno));
	if (write_file(d, tmp, "submission.csv", write_submission, &a) ||
	    write_file(d, tmp, "units.csv", write_units, &a) ||
	    write_file(d, tmp, "values.csv", write_values, &a) ||
	    write_file(d, tmp, "findings.csv", write_findings, &a))
		goto fail;
	if (fsync_dir(tmp)) {
		store_fail(&d->base, "cannot sync folder %s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (index_mark_dirty(d))
		goto fail;
	/* The one step that makes the version exist. */
	if (rename(tmp, vdir)) {
		store_fail(&d->base, "cannot rename %s to %s: %s", tmp, vdir, strerror(errno));
		goto fail;
	}
	*was_new = 1;
	if (fsync_dir(ddir))
		return store_fail(&d->base, "cannot sync folder %s: %s", ddir, strerror(errno));
	struct dir_meta m = {0};
	snprintf(m.v.district_code, sizeof m.v.district_code, "%s", s->district_code);
	m.v.year = s->year;
	m.v.month = s->month;
	m.v.version = version;
	m.v.status = jx_submission_status(s);
	m.v.received_at = s->received_at;
	m.v.loaded_at = a.loaded_at;
	memcpy(m.v.sha256, sha256, 65);
	m.v.errors = s->findings.errors;
	m.v.warnings = s->findings.warnings;
	m.file = s->file;
	/* The version is stored even if this fails: the marker stays and the
	 * index is rebuilt by the next caller. */
	index_append(d, &m);
	return 0;
fail:
	remove_tmp_tree(tmp);
	return -1;
}

static int dir_put(struct store *st, const struct jx_submission *s, const char *sha256,
		   int *was_new)
{
	struct dir_store *d = (struct dir_store *)st;
	if (!code_is_folder_name(s->district_code))
		return store_fail(st,
				  "cannot store %s: district code \"%s\" cannot "
				  "be a folder name",
				  s->file, s->district_code);
	if (s->received_at < UTC_MIN || s->received_at > UTC_MAX)
		return store_fail(st,
				  "cannot store %s: received time %lld out of "
				  "range",
				  s->file, (long long)s->received_at);
	int fd;
	if (put_lock(d, &fd))
		return -1;
	int rc = dir_put_locked(d, s, sha256, was_new);
	put_unlock(fd);
	return rc;
}

/* Reading one version back. */
struct get_ctx {
	struct jx_submission *out;
	size_t next_ord;
	size_t n_values;
};

static int units_record(void *ctx, struct csv_rec *r, const char **f)
{
	struct get_ctx *g = ctx;
	int64_t ord, total, row;
	if (field_i64(r, f[0], "ord", 1, INT64_MAX, &ord) ||
	    field_i64(r, f[2], "is_total", 0, 1, &total) ||
	    field_i64(r, f[3], "row", 0, UINT32_MAX, &row))
		return -1;
	if ((size_t)ord != ++g->next_ord)
		return bad_field(r, "ord (out of sequence)");
	struct jx_unit *u = jx_submission_add_unit(g->out, f[1] ? f[1] : "", (uint32_t)row);
	if (!u)
		return store_fail(&r->d->base, "out of memory");
	u->is_total = (int)total;
	return 0;
}

static int values_record(void *ctx, struct csv_rec *r, const char **f)
{
	struct get_ctx *g = ctx;
	int64_t ord, ind, v, ok, row, col;
	if (field_i64(r, f[0], "ord", 0, (int64_t)g->out->n_units, &ord) ||
	    field_i64(r, f[1], "indicator", 1, JX_N_INDICATORS, &ind) ||
	    field_i64(r, f[2], "value", INT64_MIN, INT64_MAX, &v) ||
	    field_i64(r, f[3], "ok", 0, 1, &ok) || field_i64(r, f[4], "row", 0, UINT32_MAX, &row) ||
	    field_i64(r, f[5], "column", 0, UINT32_MAX, &col))
		return -1;
	struct jx_value *x = ord ? &g->out->units[ord - 1].v[ind - 1] : &g->out->figures[ind - 1];
	x->v = v;
	x->ok = (uint8_t)ok;
	x->row = (uint32_t)row;
	x->col = (uint32_t)col;
	g->n_values++;
	return 0;
}

static int findings_record(void *ctx, struct csv_rec *r, const char **f)
{
	struct get_ctx *g = ctx;
	struct jx_finding x = {0};
	int64_t row, col, ind;
	if (field_i64_or_empty(r, f[3], "row", UINT32_MAX, &row) ||
	    field_i64_or_empty(r, f[4], "column", UINT32_MAX, &col) ||
	    field_i64_or_empty(r, f[10], "indicator", JX_N_INDICATORS, &ind))
		return -1;
	if (jx_rule_parse(f[8], &x.rule))
		return bad_field(r, "rule");
	x.row = (uint32_t)row;
	x.col = (uint32_t)col;
	x.indicator = (int)ind;
	/* Borrowed: jx_findings_copy copies every string. */
	x.file = (char *)f[0];
	x.sheet = (char *)f[1];
	x.district_code = (char *)f[5];
	x.district_name = (char *)f[6];
	x.period = (char *)f[7];
	x.value = (char *)f[11];
	x.message = (char *)f[12];
	if (jx_findings_copy(&g->out->findings, &x))
		return store_fail(&r->d->base, "out of memory");
	return 0;
}

static int dir_get(struct store *st, const char *code, int year, int month, int version,
		   struct jx_submission *out, struct store_version *meta)
{
	struct dir_store *d = (struct dir_store *)st;
	if (!code_is_folder_name(code))
		return 1; /* could never have been stored */
	char period[8];
	jx_period_format(year, month, period);
	struct dir_meta *ms;
	size_t n;
	if (read_district(d, period, code, &ms, &n))
		return -1;
	size_t pick = n;
	for (size_t i = 0; i < n; i++)
		if (version ? ms[i].v.version == version : ms[i].v.in_force)
			pick = i;
	if (pick == n) {
		metas_free(ms, n);
		return 1;
	}
	struct dir_meta *m = &ms[pick];
	char vdir[DIR_PATH_MAX], path[DIR_PATH_MAX];
	int rc = -1;
	if (dir_path(d, vdir, "%s/%s/v%04d", period, code, m->v.version))
		goto out;
	out->file = m->file;
	out->sheet = m->sheet;
	m->file = m->sheet = NULL; /* out owns them now */
	jx_submission_set_period(out, year, month);
	out->received_at = m->v.received_at;
	memcpy(out->sha256, m->v.sha256, sizeof out->sha256);
	struct get_ctx g = {out, 0, 0};
	if (sub_path(d, path, vdir, "units.csv") ||
	    read_csv(d, path, UNITS_HEADER, NCOLS(UNITS_HEADER), units_record, &g))
		goto out;
	if (sub_path(d, path, vdir, "values.csv") ||
	    read_csv(d, path, VALUES_HEADER, NCOLS(VALUES_HEADER), values_record, &g))
		goto out;
	if (g.n_values != (out->n_units + 1) * JX_N_INDICATORS) {
		store_fail(st, "%s: holds %zu values, expected %zu", path, g.n_values,
			   (out->n_units + 1) * JX_N_INDICATORS);
		goto out;
	}
	if (sub_path(d, path, vdir, "findings.csv") ||
	    read_csv(d, path, FINDINGS_HEADER, NCOLS(FINDINGS_HEADER), findings_record, &g))
		goto out;
	/* The counts include findings past the list's cap. */
	out->findings.errors = m->v.errors;
	out->findings.warnings = m->v.warnings;
	out->findings.dropped = m->dropped;
	*meta = m->v;
	rc = 0;
out:
	metas_free(ms, n);
	return rc;
}

static int dir_list(struct store *st, int year, int month, store_version_fn fn, void *ctx)
{
	struct dir_store *d = (struct dir_store *)st;
	char period[8], pdir[DIR_PATH_MAX];
	jx_period_format(year, month, period);
	char **codes;
	size_t n_codes;
	if (dir_path(d, pdir, "%s", period) || list_subdirs(d, pdir, &codes, &n_codes))
		return -1;
	int rc = 0;
	for (size_t i = 0; !rc && i < n_codes; i++) {
		struct dir_meta *ms;
		size_t n;
		if (read_district(d, period, codes[i], &ms, &n)) {
			rc = -1;
			break;
		}
		for (size_t k = 0; !rc && k < n; k++)
			rc = fn(ctx, &ms[k].v);
		metas_free(ms, n);
	}
	names_free(codes, n_codes);
	return rc;
}

static int dir_file_seen(struct store *st, const char *sha256, int64_t received_at)
{
	struct dir_store *d = (struct dir_store *)st;
	char marker[DIR_PATH_MAX], index[DIR_PATH_MAX];
	if (dir_path(d, marker, ".index-dirty") || dir_path(d, index, "files.csv"))
		return -1;
	if (access(marker, F_OK) == 0 || access(index, F_OK) != 0) {
		/* A put is running, or died before indexing: wait for the put
		 * lock, then the index is current or can be rebuilt. */
		int fd;
		if (put_lock(d, &fd))
			return -1;
		int rc = index_repair(d);
		put_unlock(fd);
		if (rc)
			return -1;
	}
	if (seen_refresh(d))
		return -1;
	for (size_t i = 0; i < d->seen.n; i++)
		if (d->seen.d[i].received_at == received_at &&
		    !memcmp(d->seen.d[i].sha, sha256, 64))
			return 1;
	return 0;
}

static int dir_approval_record(struct store *st, struct store_approval *a);
static int dir_approval_events(struct store *st, int year, int month, store_approval_fn fn,
			       void *ctx);
static int dir_approval_get(struct store *st, int year, int month, int number,
			    struct store_approval *out);
static int dir_user_write(struct store *st, const struct jx_account *a, int add);
static int dir_user_list(struct store *st, store_user_fn fn, void *ctx);

static int dir_in_force(struct store *st, int year, int from_month, int to_month, store_month_fn fn,
			void *ctx);
static int dir_rule_counts(struct store *st, int year, int from_month, int to_month,
			   store_rule_count_fn fn, void *ctx);

static const struct store_ops dir_ops = {
    dir_close,
    dir_lock,
    dir_put,
    dir_get,
    dir_list,
    dir_file_seen,
    NULL,
    dir_approval_record,
    dir_approval_events,
    dir_approval_get,
    dir_in_force,
    dir_rule_counts,
    dir_user_write,
    dir_user_list,
    NULL, /* versions_of_years: the loader looks up one submission at a time */
    NULL, /* put_many: store.c calls dir_put for each */
};

int store_dir_open(const char *path, struct store **out, char *err, size_t errlen)
{
	*out = NULL;
	if (strlen(path) >= DIR_PATH_MAX - 256) {
		snprintf(err, errlen, "store path %.200s... is too long", path);
		return -1;
	}
	if (mkdir_p(path, err, errlen))
		return -1;
	struct dir_store *d = calloc(1, sizeof *d);
	if (!d || !(d->root = strdup(path))) {
		free(d);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	d->base.ops = &dir_ops;
	d->lock_fd = -1;
	/* Strip trailing slashes so paths read well in messages. */
	for (size_t n = strlen(d->root); n > 1 && d->root[n - 1] == '/'; n--)
		d->root[n - 1] = 0;
	int fd;
	int rc = put_lock(d, &fd);
	if (!rc) {
		rc = dir_init_layout(d);
		put_unlock(fd);
	}
	if (rc) {
		snprintf(err, errlen, "%s", d->base.err);
		dir_close(&d->base);
		return -1;
	}
	*out = &d->base;
	return 0;
}

/* ---- approvals -------------------------------------------------------- */

static const char *const APPROVAL_HEADER[] = {"period", "seq", "event", "approval",
					      "at",	"by",  "note"};
static const char *const SNAPSHOT_HEADER[] = {"district_code",
					      "state",
					      "left_out",
					      "version",
					      "i1",
					      "i2",
					      "i3",
					      "i4",
					      "i5",
					      "i6",
					      "i7",
					      "i8",
					      "i9",
					      "i10",
					      "i11",
					      "i12",
					      "i13",
					      "i14"};

/* Every event of approvals.csv, in file order. */
struct events {
	struct store_approval *a;
	size_t n, cap;
};

static int event_record(void *ctx, struct csv_rec *r, const char **f)
{
	struct events *ev = ctx;
	struct store_approval x;
	memset(&x, 0, sizeof x);
	int64_t v;
	if (!f[0] || !period_is_folder_name(f[0]))
		return bad_field(r, "period");
	x.year = atoi(f[0]);
	x.month = atoi(f[0] + 5);
	if (x.month < 1 || x.month > 12)
		return bad_field(r, "period");
	if (field_i64(r, f[1], "seq", 1, INT_MAX, &v))
		return -1;
	x.seq = (int)v;
	if (f[2] && !strcmp(f[2], "approved"))
		x.kind = STORE_APPROVED;
	else if (f[2] && !strcmp(f[2], "reopened"))
		x.kind = STORE_REOPENED;
	else
		return bad_field(r, "event");
	if (field_i64(r, f[3], "approval", 1, INT_MAX, &v))
		return -1;
	x.number = (int)v;
	if (parse_utc(f[4], &x.at))
		return bad_field(r, "at");
	if (!f[5] || strlen(f[5]) >= sizeof x.by)
		return bad_field(r, "by");
	strcpy(x.by, f[5]);
	if (f[6] && strlen(f[6]) >= sizeof x.note)
		return bad_field(r, "note");
	snprintf(x.note, sizeof x.note, "%s", f[6] ? f[6] : "");
	if (ev->n == ev->cap) {
		size_t cap = ev->cap ? ev->cap * 2 : 16;
		struct store_approval *na = realloc(ev->a, cap * sizeof *na);
		if (!na)
			return store_fail(&r->d->base, "out of memory");
		ev->a = na;
		ev->cap = cap;
	}
	ev->a[ev->n++] = x;
	return 0;
}

/* Reads approvals.csv (none yet: no events). */
static int events_read(struct dir_store *d, struct events *ev)
{
	memset(ev, 0, sizeof *ev);
	char path[DIR_PATH_MAX];
	if (dir_path(d, path, "approvals.csv"))
		return -1;
	if (access(path, F_OK) != 0) {
		if (errno == ENOENT)
			return 0;
		return store_fail(&d->base, "cannot read %s: %s", path, strerror(errno));
	}
	if (read_csv(d, path, APPROVAL_HEADER, NCOLS(APPROVAL_HEADER), event_record, ev)) {
		free(ev->a);
		ev->a = NULL;
		return -1;
	}
	return 0;
}

static void write_event_line(FILE *f, const struct store_approval *a)
{
	char period[8], at[32];
	jx_period_format(a->year, a->month, period);
	format_utc(a->at, at);
	fprintf(f, "%s,%d,%s,%d,%s,", period, a->seq,
		a->kind == STORE_APPROVED ? "approved" : "reopened", a->number, at);
	w_text(f, a->by);
	putc(',', f);
	w_text(f, a->note);
	putc('\n', f);
}

static void write_events(FILE *f, const void *arg)
{
	const struct events *ev = arg;
	w_header(f, APPROVAL_HEADER, NCOLS(APPROVAL_HEADER));
	for (size_t i = 0; i < ev->n; i++)
		write_event_line(f, &ev->a[i]);
}

static void write_snapshot(FILE *f, const void *arg)
{
	const struct store_approval *a = arg;
	w_header(f, SNAPSHOT_HEADER, NCOLS(SNAPSHOT_HEADER));
	for (size_t i = 0; i < a->n_lines; i++) {
		const struct store_approval_line *l = &a->lines[i];
		w_text(f, l->district_code);
		fprintf(f, ",%s,%d,%d", store_line_state_name(l->state), l->left_out ? 1 : 0,
			l->version);
		for (int k = 0; k < JX_N_INDICATORS; k++)
			fprintf(f, ",%lld", (long long)l->v[k]);
		putc('\n', f);
	}
}

static int snapshot_name(struct dir_store *d, char *buf, int year, int month, int number)
{
	char period[8];
	jx_period_format(year, month, period);
	return dir_path(d, buf, "approvals/%s_a%03d.csv", period, number);
}

/* Writes approvals/<name> whole or not at all. */
static int write_snapshot_file(struct dir_store *d, const struct store_approval *a)
{
	char adir[DIR_PATH_MAX], final[DIR_PATH_MAX], tmp[DIR_PATH_MAX];
	if (dir_path(d, adir, "approvals") || ensure_dir(d, adir, d->root) ||
	    snapshot_name(d, final, a->year, a->month, a->number) ||
	    dir_path(d, tmp, "approvals/.snapshot.tmp"))
		return -1;
	unlink(tmp);
	if (write_file(d, adir, ".snapshot.tmp", write_snapshot, a))
		return -1;
	if (rename(tmp, final) || fsync_dir(adir)) {
		int e = errno;
		unlink(tmp);
		return store_fail(&d->base, "cannot write %s: %s", final, strerror(e));
	}
	return 0;
}

static int dir_approval_record(struct store *st, struct store_approval *a)
{
	struct dir_store *d = (struct dir_store *)st;
	int fd;
	if (put_lock(d, &fd))
		return -1;
	struct events ev;
	int rc = events_read(d, &ev);
	if (rc)
		goto out;
	const struct store_approval *last = NULL;
	int approvals = 0, events = 0;
	for (size_t i = 0; i < ev.n; i++)
		if (ev.a[i].year == a->year && ev.a[i].month == a->month) {
			last = &ev.a[i];
			events++;
			approvals += ev.a[i].kind == STORE_APPROVED;
		}
	int locked = last && last->kind == STORE_APPROVED;
	if (a->kind == STORE_APPROVED ? locked : !locked) {
		rc = 1;
		goto out;
	}
	a->seq = events + 1;
	a->number = a->kind == STORE_APPROVED ? approvals + 1 : last->number;
	if (a->kind == STORE_APPROVED && (rc = write_snapshot_file(d, a)))
		goto out;
	if (ev.n == ev.cap) {
		struct store_approval *na = realloc(ev.a, (ev.cap + 1) * sizeof *na);
		if (!na) {
			rc = store_fail(st, "out of memory");
			goto out;
		}
		ev.a = na;
		ev.cap++;
	}
	ev.a[ev.n] = *a;
	ev.a[ev.n].lines = NULL;
	ev.a[ev.n].n_lines = 0;
	ev.n++;
	/* The event exists once approvals.csv names it; a snapshot written
	 * before a crash is simply written again by the next approval. */
	rc = write_root_file(d, "approvals.csv", write_events, &ev);
out:
	free(ev.a);
	put_unlock(fd);
	return rc;
}

static int dir_approval_events(struct store *st, int year, int month, store_approval_fn fn,
			       void *ctx)
{
	struct dir_store *d = (struct dir_store *)st;
	struct events ev;
	if (events_read(d, &ev))
		return -1;
	/* Written in time order; listed by period, then seq. */
	int rc = 0;
	if (year == 0) {
		for (size_t i = 1; i < ev.n; i++)
			for (size_t j = i; j > 0; j--) {
				struct store_approval *x = &ev.a[j - 1], *y = &ev.a[j];
				int before = y->year != x->year	    ? y->year < x->year
					     : y->month != x->month ? y->month < x->month
								    : y->seq < x->seq;
				if (!before)
					break;
				struct store_approval t = *x;
				*x = *y;
				*y = t;
			}
	}
	for (size_t i = 0; !rc && i < ev.n; i++)
		if (year == 0 || (ev.a[i].year == year && ev.a[i].month == month))
			rc = fn(ctx, &ev.a[i]);
	free(ev.a);
	return rc;
}

static int snapshot_record(void *ctx, struct csv_rec *r, const char **f)
{
	struct store_approval *a = ctx;
	struct store_approval_line l;
	memset(&l, 0, sizeof l);
	int64_t x;
	if (!f[0] || !*f[0] || strlen(f[0]) >= sizeof l.district_code)
		return bad_field(r, "district_code");
	strcpy(l.district_code, f[0]);
	if (store_line_state_parse(f[1], &l.state))
		return bad_field(r, "state");
	if (field_i64(r, f[2], "left_out", 0, 1, &x))
		return -1;
	l.left_out = (int)x;
	if (field_i64(r, f[3], "version", 0, INT_MAX, &x))
		return -1;
	l.version = (int)x;
	for (int k = 0; k < JX_N_INDICATORS; k++)
		if (field_i64(r, f[4 + k], SNAPSHOT_HEADER[4 + k], INT64_MIN, INT64_MAX, &l.v[k]))
			return -1;
	struct store_approval_line *nl = realloc(a->lines, (a->n_lines + 1) * sizeof *nl);
	if (!nl)
		return store_fail(&r->d->base, "out of memory");
	a->lines = nl;
	a->lines[a->n_lines++] = l;
	return 0;
}

static int dir_approval_get(struct store *st, int year, int month, int number,
			    struct store_approval *out)
{
	struct dir_store *d = (struct dir_store *)st;
	struct events ev;
	if (events_read(d, &ev))
		return -1;
	const struct store_approval *pick = NULL;
	for (size_t i = 0; i < ev.n; i++)
		if (ev.a[i].year == year && ev.a[i].month == month &&
		    ev.a[i].kind == STORE_APPROVED && (!number || ev.a[i].number == number))
			pick = &ev.a[i];
	if (!pick) {
		free(ev.a);
		return 1;
	}
	*out = *pick;
	free(ev.a);
	out->lines = NULL;
	out->n_lines = 0;
	char path[DIR_PATH_MAX];
	if (snapshot_name(d, path, year, month, out->number) ||
	    read_csv(d, path, SNAPSHOT_HEADER, NCOLS(SNAPSHOT_HEADER), snapshot_record, out))
		return -1;
	return 0;
}

/* ---- set reads ---------------------------------------------------------- */

/* The district's figures (ord 0) of a values.csv; the unit rows are
 * skipped. */
struct figures_read {
	struct jx_value *v;
	int n;
};

static int figures_record(void *ctx, struct csv_rec *r, const char **f)
{
	struct figures_read *fr = ctx;
	int64_t ord, ind, v, ok, row, col;
	if (field_i64(r, f[0], "ord", 0, INT64_MAX, &ord))
		return -1;
	if (ord)
		return 0;
	if (field_i64(r, f[1], "indicator", 1, JX_N_INDICATORS, &ind) ||
	    field_i64(r, f[2], "value", INT64_MIN, INT64_MAX, &v) ||
	    field_i64(r, f[3], "ok", 0, 1, &ok) || field_i64(r, f[4], "row", 0, UINT32_MAX, &row) ||
	    field_i64(r, f[5], "column", 0, UINT32_MAX, &col))
		return -1;
	struct jx_value *x = &fr->v[ind - 1];
	x->v = v;
	x->ok = (uint8_t)ok;
	x->row = (uint32_t)row;
	x->col = (uint32_t)col;
	fr->n++;
	return 0;
}

/* One (district, period) from its version folders: submission.csv of each
 * version, values.csv of the version that decides. */
static int month_state(struct dir_store *d, const char *period, const char *code, store_month_fn fn,
		       void *ctx)
{
	struct dir_meta *ms;
	size_t n;
	if (read_district(d, period, code, &ms, &n))
		return -1;
	if (!n) {
		free(ms);
		return 0;
	}
	struct store_month_state s;
	memset(&s, 0, sizeof s);
	size_t pick = n;
	for (size_t i = 0; i < n; i++) {
		const struct store_version *v = &ms[i].v;
		s.versions++;
		s.rejected += v->status == JX_REJECTED;
		s.errors += v->errors;
		s.warnings += v->warnings;
		if (v->in_force)
			pick = i;
	}
	if (pick == n) { /* none in force: the version received last, then the highest */
		pick = 0;
		for (size_t i = 1; i < n; i++)
			if (store_version_newer(ms[i].v.received_at, ms[i].v.version,
						ms[pick].v.received_at, ms[pick].v.version))
				pick = i;
	}
	const struct dir_meta *m = &ms[pick];
	strcpy(s.district_code, m->v.district_code);
	s.year = m->v.year;
	s.month = m->v.month;
	s.version = m->v.version;
	s.status = m->v.status;
	s.received_at = m->v.received_at;
	s.file = m->file;
	char path[DIR_PATH_MAX];
	struct figures_read fr = {s.figures, 0};
	int rc = -1;
	if (dir_path(d, path, "%s/%s/v%04d/values.csv", period, code, m->v.version) ||
	    read_csv(d, path, VALUES_HEADER, NCOLS(VALUES_HEADER), figures_record, &fr))
		goto out;
	if (fr.n != JX_N_INDICATORS) {
		store_fail(&d->base, "%s: holds %d figures, expected %d", path, fr.n,
			   JX_N_INDICATORS);
		goto out;
	}
	rc = fn(ctx, &s);
out:
	metas_free(ms, n);
	return rc;
}

static int dir_in_force(struct store *st, int year, int from_month, int to_month, store_month_fn fn,
			void *ctx)
{
	struct dir_store *d = (struct dir_store *)st;
	int rc = 0;
	for (int mo = from_month; mo <= to_month && !rc; mo++) {
		char period[8], pdir[DIR_PATH_MAX];
		jx_period_format(year, mo, period);
		char **codes;
		size_t n_codes;
		if (dir_path(d, pdir, "%s", period) || list_subdirs(d, pdir, &codes, &n_codes))
			return -1;
		for (size_t i = 0; !rc && i < n_codes; i++)
			rc = month_state(d, period, codes[i], fn, ctx);
		names_free(codes, n_codes);
	}
	return rc;
}

/* The rule column of a findings.csv, counted. */
static int rule_record(void *ctx, struct csv_rec *r, const char **f)
{
	size_t *by_rule = ctx;
	enum jx_rule rule;
	if (jx_rule_parse(f[8], &rule))
		return bad_field(r, "rule");
	by_rule[rule]++;
	return 0;
}

static int dir_rule_counts(struct store *st, int year, int from_month, int to_month,
			   store_rule_count_fn fn, void *ctx)
{
	struct dir_store *d = (struct dir_store *)st;
	int rc = 0;
	for (int mo = from_month; mo <= to_month && !rc; mo++) {
		char period[8], pdir[DIR_PATH_MAX], path[DIR_PATH_MAX];
		jx_period_format(year, mo, period);
		char **codes;
		size_t n_codes;
		if (dir_path(d, pdir, "%s", period) || list_subdirs(d, pdir, &codes, &n_codes))
			return -1;
		for (size_t i = 0; !rc && i < n_codes; i++) {
			struct dir_meta *ms;
			size_t n, by_rule[JX_RULE_COUNT] = {0};
			if (read_district(d, period, codes[i], &ms, &n)) {
				rc = -1;
				break;
			}
			for (size_t k = 0; !rc && k < n; k++) {
				/* each finding is counted as an error or a warning:
				 * a version with neither has none to read */
				if (ms[k].v.errors + ms[k].v.warnings == 0)
					continue;
				if (dir_path(d, path, "%s/%s/v%04d/findings.csv", period, codes[i],
					     ms[k].v.version) ||
				    read_csv(d, path, FINDINGS_HEADER, NCOLS(FINDINGS_HEADER),
					     rule_record, by_rule))
					rc = -1;
			}
			for (int r = 0; !rc && r < JX_RULE_COUNT; r++)
				if (by_rule[r])
					rc = fn(ctx, codes[i], mo, (enum jx_rule)r, by_rule[r]);
			metas_free(ms, n);
		}
		names_free(codes, n_codes);
	}
	return rc;
}

/* ---- portal accounts (#16) -------------------------------------------- */

static const char *const USERS_HEADER[] = {
    "name", "role", "district_code", "password_hash", "created_at", "changed_at", "disabled"};

struct users {
	struct jx_account *a;
	size_t n, cap;
};

static int user_record(void *ctx, struct csv_rec *r, const char **f)
{
	struct users *us = ctx;
	struct jx_account x;
	memset(&x, 0, sizeof x);
	int64_t v;
	if (!f[0] || !jx_account_name_ok(f[0]))
		return bad_field(r, "name");
	strcpy(x.name, f[0]);
	if (jx_role_parse(f[1], &x.role))
		return bad_field(r, "role");
	if (f[2] && strlen(f[2]) >= sizeof x.district_code)
		return bad_field(r, "district_code");
	snprintf(x.district_code, sizeof x.district_code, "%s", f[2] ? f[2] : "");
	if (!f[3] || strlen(f[3]) >= sizeof x.hash)
		return bad_field(r, "password_hash");
	strcpy(x.hash, f[3]);
	if (parse_utc(f[4], &x.created_at))
		return bad_field(r, "created_at");
	if (parse_utc(f[5], &x.changed_at))
		return bad_field(r, "changed_at");
	if (field_i64(r, f[6], "disabled", 0, 1, &v))
		return -1;
	x.disabled = (int)v;
	if (!jx_account_ok(&x))
		return store_fail(&r->d->base, "%s: record %llu: the account is not valid", r->path,
				  (unsigned long long)r->no);
	if (us->n && strcmp(us->a[us->n - 1].name, x.name) >= 0)
		return store_fail(&r->d->base, "%s: record %llu: names out of order or repeated",
				  r->path, (unsigned long long)r->no);
	if (us->n == us->cap) {
		size_t cap = us->cap ? us->cap * 2 : 16;
		struct jx_account *na = realloc(us->a, cap * sizeof *na);
		if (!na)
			return store_fail(&r->d->base, "out of memory");
		us->a = na;
		us->cap = cap;
	}
	us->a[us->n++] = x;
	return 0;
}

static void users_free(struct users *us)
{
	if (us->a)
		memset(us->a, 0, us->cap * sizeof *us->a);
	free(us->a);
	memset(us, 0, sizeof *us);
}

/* Reads users.csv (none yet: no accounts). */
static int users_read(struct dir_store *d, struct users *us)
{
	memset(us, 0, sizeof *us);
	char path[DIR_PATH_MAX];
	if (dir_path(d, path, "users.csv"))
		return -1;
	if (access(path, F_OK) != 0) {
		if (errno == ENOENT)
			return 0;
		return store_fail(&d->base, "cannot read %s: %s", path, strerror(errno));
	}
	if (read_csv(d, path, USERS_HEADER, NCOLS(USERS_HEADER), user_record, us)) {
		users_free(us);
		return -1;
	}
	return 0;
}

/* Writes users.csv whole or not at all, readable by its owner only. */
static int users_write(struct dir_store *d, const struct users *us)
{
	char tmp[DIR_PATH_MAX], final[DIR_PATH_MAX];
	if (dir_path(d, tmp, ".users.csv.tmp") || dir_path(d, final, "users.csv"))
		return -1;
	unlink(tmp);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "wb");
	if (!f) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return store_fail(&d->base, "cannot create %s: %s", tmp, strerror(e));
	}
	w_header(f, USERS_HEADER, NCOLS(USERS_HEADER));
	for (size_t i = 0; i < us->n; i++) {
		const struct jx_account *a = &us->a[i];
		char created[32], changed[32];
		format_utc(a->created_at, created);
		format_utc(a->changed_at, changed);
		w_text(f, a->name);
		fprintf(f, ",%s,", jx_role_name(a->role));
		if (a->district_code[0])
			w_text(f, a->district_code);
		putc(',', f);
		w_text(f, a->hash);
		fprintf(f, ",%s,%s,%d\n", created, changed, a->disabled ? 1 : 0);
	}
	if (close_synced(f) || rename(tmp, final) || fsync_dir(d->root)) {
		int e = errno;
		unlink(tmp);
		return store_fail(&d->base, "cannot write %s: %s", final, strerror(e));
	}
	return 0;
}

static int dir_user_write(struct store *st, const struct jx_account *a, int add)
{
	struct dir_store *d = (struct dir_store *)st;
	int fd;
	if (put_lock(d, &fd))
		return -1;
	struct users us;
	int rc = users_read(d, &us);
	if (rc)
		goto out;
	size_t at = 0;
	while (at < us.n && strcmp(us.a[at].name, a->name) < 0)
		at++;
	int exists = at < us.n && !strcmp(us.a[at].name, a->name);
	if (add ? exists : !exists) {
		rc = 1;
		goto out;
	}
	if (add) {
		struct jx_account *na = realloc(us.a, (us.n + 1) * sizeof *na);
		if (!na) {
			rc = store_fail(st, "out of memory");
			goto out;
		}
		us.a = na;
		us.cap = us.n + 1;
		memmove(&us.a[at + 1], &us.a[at], (us.n - at) * sizeof *us.a);
		us.a[at] = *a;
		us.n++;
	} else {
		memcpy(us.a[at].hash, a->hash, sizeof a->hash);
		us.a[at].disabled = a->disabled;
		us.a[at].changed_at = a->changed_at;
	}
	rc = users_write(d, &us);
out:
	users_free(&us);
	put_unlock(fd);
	return rc;
}

static int dir_user_list(struct store *st, store_user_fn fn, void *ctx)
{
	struct dir_store *d = (struct dir_store *)st;
	struct users us;
	if (users_read(d, &us))
		return -1;
	int rc = 0;
	for (size_t i = 0; !rc && i < us.n; i++)
		rc = fn(ctx, &us.a[i]);
	users_free(&us);
	return rc;
}
