/* The "dir:PATH" store: plain UTF-8 CSV files a statistician can open.
 * Layout 2 (#14): every version of a month is a few rows in three
 * append-only files of that month's folder, and one index names every
 * version with where its rows are. A version exists once its index line
 * is written, synced and committed; rows that no committed line names (a
 * killed writer's) are never read, and the next writer cuts them off.
 *
 * PATH/schema_version.txt       layout version ("2")
 * PATH/README.txt               this layout, for people
 * PATH/versions.csv             every version, in load order: its metadata
 *                               and the byte ranges of its rows in the
 *                               month's files; "commit" 1 ends a batch
 *                               stored together, "check" is the CRC-32 of
 *                               the line's bytes before its last comma
 * PATH/YYYY-MM/units.csv        unit rows: district, version, ord, name,
 *                               合计 flag, sheet row
 * PATH/YYYY-MM/values.csv       every value: district, version, ord (0 =
 *                               the district's figures), indicator, value
 *                               (yuan for 14), ok, sheet row and column
 * PATH/YYYY-MM/findings.csv     findings: version, then the columns of the
 *                               findings CSV
 * PATH/.lock                    flock: the single-writer run lock
 * PATH/.put.lock                flock: held while one batch is written
 * PATH/approvals.csv            every approval and reopening, in order
 * PATH/approvals/YYYY-MM_aNNN.csv  what approval NNN of a month signed off:
 *                               one line per district, its state, the
 *                               version in force and its 14 figures
 * PATH/users.csv                portal accounts with their Argon2id hashes
 *                               (mode 0600), by name
 *
 * A batch (store_put is a batch of one) is written under .put.lock: the
 * index and the month files are cut back to what the index commits, the
 * batch's rows are appended to its months' files and each file is synced
 * once; then the batch's index lines are appended in one write, the last
 * with commit 1, and the index is synced once. Readers take the index up to
 * its last committed line whose checks hold: a batch is there whole or not
 * at all, and a torn last line is never read as figures.
 *
 * Layout 1 (a folder per version with four files, files.csv as index) is
 * migrated when opened: the layout 2 files are written beside the version
 * folders, versions.csv put in place, then schema_version.txt says 2 (the
 * step that commits), then the version folders and files.csv are removed
 * (finished by the next open when killed before). Until the commit the
 * layout 1 store is untouched.
 *
 * In the CSV files an unquoted empty field is "no value" (NULL) and "" is an
 * empty text, so a CSV file's sheet (none) and an empty sheet name differ. */
#include "../core/csvout.h"
#include "../core/period.h"
#include "../core/slots.h"
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
#include <zlib.h>

#define DIR_LAYOUT_VERSION 2
#define DIR_PATH_MAX 4096
#define DIR_MAX_FIELDS 24
/* A field or record longer than this is damage, not data. */
#define DIR_MAX_RECORD (64u << 20)
/* How long store_put waits for another process's store_put to finish. */
#define DIR_PUT_WAIT_MS (300 * 1000)

static const char UTF8_BOM[] = "\xEF\xBB\xBF";

/* Layout 1, read when migrating. */
static const char *const SUBMISSION_HEADER[] = {
    "district_code", "period", "version", "status", "received_at", "loaded_at",
    "file",	     "sheet",  "sha256",  "errors", "warnings",	   "dropped"};
static const char *const UNITS_HEADER[] = {"ord", "unit", "is_total", "row"};
static const char *const VALUES_HEADER[] = {"ord", "indicator", "value", "ok", "row", "column"};
static const char *const FINDINGS_HEADER[] = {
    "file",   "sheet", "cell",	   "row",	"column", "district_code", "district_name",
    "period", "rule",  "severity", "indicator", "value",  "message"};

/* Layout 2: a month's files, each row led by the version it belongs to. */
enum { DF_UNITS, DF_VALUES, DF_FINDINGS, DF_N };
static const char *const DATA_FILE[DF_N] = {"units.csv", "values.csv", "findings.csv"};
static const char *const UNITS2_HEADER[] = {"district_code", "version",	 "ord",
					    "unit",	     "is_total", "row"};
static const char *const VALUES2_HEADER[] = {"district_code", "version", "ord", "indicator",
					     "value",	      "ok",	 "row", "column"};
static const char *const FINDINGS2_HEADER[] = {
    "version",	     "file",   "sheet", "cell",	    "row",	 "column", "district_code",
    "district_name", "period", "rule",	"severity", "indicator", "value",  "message"};
static const char *const VERSIONS_HEADER[] = {
    "period",	    "district_code", "version",	       "status",      "received_at",
    "loaded_at",    "errors",	     "warnings",       "dropped",     "sha256",
    "file",	    "sheet",	     "units_at",       "units_bytes", "values_at",
    "values_bytes", "findings_at",   "findings_bytes", "commit",      "check"};
#define NCOLS(h) (sizeof(h) / sizeof(h)[0])

static const char README_TEXT[] =
    "jianxi store (dir: backend), layout version 2. Written by jianxi; do not\n"
    "edit. All files are UTF-8 CSV. Each month has a folder with three files\n"
    "that every loaded file of that month adds rows to:\n"
    "\n"
    "  YYYY-MM/values.csv    every value: district_code and version say whose;\n"
    "      ord 0 is the district's figures, ord N the Nth unit row;\n"
    "      indicator 14 is in yuan (10,000 yuan = 1 wan yuan)\n"
    "  YYYY-MM/units.csv     the unit rows\n"
    "  YYYY-MM/findings.csv  what the checks found, by version\n"
    "  versions.csv          every version, in load order: district, month,\n"
    "      status, file, times; the *_at and *_bytes columns say where its\n"
    "      rows are in the month's files (for jianxi)\n"
    "  approvals.csv         every approval and reopening\n"
    "  approvals/YYYY-MM_a001.csv  the figures each approval signed off,\n"
    "      one line per district\n"
    "\n"
    "Each version is one delivery: a file received at a time. The same file\n"
    "received again later is a new version; the same delivery is stored once.\n"
    "The version in force is the accepted version received last. Rows of a\n"
    "version that versions.csv does not list (a run killed while writing)\n"
    "are not data; the next run removes them.\n"
    "Times are UTC. An empty unquoted field means no value.\n";

/* One CSV record being collected from libcsv's field callbacks. */
struct csv_rec {
	char *buf;
	size_t len, cap;
	size_t off[DIR_MAX_FIELDS];
	unsigned char null[DIR_MAX_FIELDS];
	size_t n;    /* fields so far; may pass DIR_MAX_FIELDS */
	uint64_t no; /* record number; 1 is the header */
	int rc;	     /* nonzero once a callback failed (-1) or stopped (1) */
	const char *path;
	const char *const *header;
	size_t n_header;
	struct dir_store *d;
	/* Called per data record; returns 0, 1 to stop reading, or -1 (with
	 * the store's message). */
	int (*fn)(void *ctx, struct csv_rec *r, const char **f);
	void *ctx;
};

/* One committed version, as versions.csv lists it. */
struct ver {
	struct store_version v; /* in_force 0; v.file is file */
	char *file, *sheet;
	size_t dropped;
	int64_t at[DF_N], len[DF_N]; /* its rows in the month's files */
	size_t next; /* index + 1 of the next version of (district, month); 0: none */
	size_t batch_prev; /* in a batch being written: index + 1 of its version before */
};

/* (district, month) -> its versions, first and last (index + 1; 0: free). */
struct key_slot {
	size_t first, last;
};

/* What the index commits of one month's files: where each ends. */
struct period_info {
	int year, month;
	int64_t end[DF_N];
};

/* versions.csv as far as it is committed, read incrementally. */
struct vindex {
	int active;
	dev_t dev;
	ino_t ino;
	int64_t off; /* bytes taken: the header and every committed line */
	struct ver *v;
	size_t n, cap;
	struct key_slot *slots;
	size_t cap_slots;
	struct period_info *p;
	size_t n_p, cap_p;
};

struct dir_store {
	struct store base;
	char *root;
	int lock_fd; /* .lock while store_lock holds it, else -1 */
	struct vindex ix;
};

/* What a layout 1 submission.csv says about one version. */
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
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	if (!text)
		return -1;
	int x[6] = {0}, at[6] = {0, 5, 8, 11, 14, 17}, width[6] = {4, 2, 2, 2, 2, 2};
	for (int i = 0; i < 20; i++)
		if (shape[i] == 'd' ? text[i] < '0' || text[i] > '9' : text[i] != shape[i])
			return -1;
	if (text[20])
		return -1;
	for (int k = 0; k < 6; k++)
		for (int i = 0; i < width[k]; i++)
			x[k] = x[k] * 10 + (text[at[k] + i] - '0');
	int y = x[0], m = x[1], dd = x[2];
	if (m < 1 || m > 12 || dd < 1 || dd > 31 || x[3] > 23 || x[4] > 59 || x[5] > 59)
		return -1;
	int32_t days = jx_days_from_civil(y, m, dd);
	int y2, m2, d2;
	jx_civil_from_days(days, &y2, &m2, &d2);
	if (y2 != y || m2 != m || d2 != dd)
		return -1; /* 2023-02-30 */
	*t = (int64_t)days * 86400 + x[3] * 3600 + x[4] * 60 + x[5];
	return 0;
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

/* ---- writing a version's rows (layout 2) ------------------------------ */

static void write_unit_rows(FILE *f, const struct jx_submission *s, int version)
{
	for (size_t i = 0; i < s->n_units; i++) {
		w_text(f, s->district_code);
		fprintf(f, ",%d,%zu,", version, i + 1);
		w_text(f, s->units[i].name ? s->units[i].name : "");
		fprintf(f, ",%d,%lu\n", s->units[i].is_total ? 1 : 0,
			(unsigned long)s->units[i].row);
	}
}

static void write_value_rows(FILE *f, const char *code, int version, size_t ord,
			     const struct jx_value *v)
{
	for (int k = 0; k < JX_N_INDICATORS; k++) {
		w_text(f, code);
		fprintf(f, ",%d,%zu,%d,%lld,%d,%lu,%lu\n", version, ord, k + 1, (long long)v[k].v,
			v[k].ok ? 1 : 0, (unsigned long)v[k].row, (unsigned long)v[k].col);
	}
}

/* The district's figures first: a reader wanting only them stops there. */
static void write_values_of(FILE *f, const struct jx_submission *s, int version)
{
	write_value_rows(f, s->district_code, version, 0, s->figures);
	for (size_t i = 0; i < s->n_units; i++)
		write_value_rows(f, s->district_code, version, i + 1, s->units[i].v);
}

static void write_finding_rows(FILE *f, const struct jx_submission *s, int version)
{
	for (size_t i = 0; i < s->findings.n; i++) {
		const struct jx_finding *x = &s->findings.items[i];
		char cell[32];
		fprintf(f, "%d,", version);
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

/* One index line of x into f, its check added: commit 1 ends a batch.
 * Returns 0 or -1 (out of memory). */
static int write_version_line(FILE *f, const struct ver *x, int commit)
{
	char *line = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&line, &len);
	if (!m)
		return -1;
	char period[8], rec[32], load[32];
	jx_period_format(x->v.year, x->v.month, period);
	format_utc(x->v.received_at, rec);
	format_utc(x->v.loaded_at, load);
	fprintf(m, "%s,", period);
	w_text(m, x->v.district_code);
	fprintf(m, ",%d,%s,%s,%s,%zu,%zu,%zu,%s,", x->v.version, store_status_name(x->v.status),
		rec, load, x->v.errors, x->v.warnings, x->dropped, x->v.sha256);
	w_text(m, x->file);
	putc(',', m);
	w_text(m, x->sheet);
	for (int k = 0; k < DF_N; k++)
		fprintf(m, ",%lld,%lld", (long long)x->at[k], (long long)x->len[k]);
	fprintf(m, ",%d", commit);
	if (fclose(m) || !line) {
		free(line);
		return -1;
	}
	fwrite(line, 1, len, f);
	fprintf(f, ",%08lx\n", (unsigned long)crc32(0L, (const Bytef *)line, (uInt)len));
	free(line);
	return 0;
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
	int x = r->fn(r->ctx, r, f);
	if (x)
		r->rc = x < 0 ? -1 : 1;
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

/* ---- the index (versions.csv) ------------------------------------------ */

static void ver_free(struct ver *x)
{
	free(x->file);
	free(x->sheet);
	x->file = x->sheet = NULL;
}

static void vindex_reset(struct vindex *ix)
{
	for (size_t i = 0; i < ix->n; i++)
		ver_free(&ix->v[i]);
	free(ix->v);
	free(ix->slots);
	free(ix->p);
	memset(ix, 0, sizeof *ix);
}

static size_t key_hash(const char *code, int year, int month)
{
	size_t h = 1469598103934665603u;
	for (const unsigned char *c = (const unsigned char *)code; *c; c++)
		h = (h ^ *c) * 1099511628211u;
	h = (h ^ (size_t)year) * 1099511628211u;
	return (h ^ (size_t)month) * 1099511628211u;
}

/* The slot of (code, year, month): its own, or the free one it would take;
 * NULL when the table is empty. */
static struct key_slot *key_slot(struct vindex *ix, const char *code, int year, int month)
{
	if (!ix->cap_slots)
		return NULL;
	size_t j = key_hash(code, year, month) & (ix->cap_slots - 1);
	for (;; j = (j + 1) & (ix->cap_slots - 1)) {
		struct key_slot *k = &ix->slots[j];
		if (!k->first)
			return k;
		const struct store_version *v = &ix->v[k->first - 1].v;
		if (v->year == year && v->month == month && !strcmp(v->district_code, code))
			return k;
	}
}

/* The first version of (code, year, month), index + 1; 0 when none. */
static size_t key_first(struct vindex *ix, const char *code, int year, int month)
{
	struct key_slot *k = key_slot(ix, code, year, month);
	return k ? k->first : 0;
}

static struct period_info *period_get(struct vindex *ix, int year, int month)
{
	for (size_t i = 0; i < ix->n_p; i++)
		if (ix->p[i].year == year && ix->p[i].month == month)
			return &ix->p[i];
	return NULL;
}

/* Takes x (moved) into the index. Versions of a (district, month) must
 * come in rising order. 0, or -1 with the store's message. */
static int vindex_add(struct dir_store *d, struct ver *x)
{
	struct vindex *ix = &d->ix;
	if ((ix->n + 1) * 2 > ix->cap_slots) {
		size_t cap = ix->cap_slots ? ix->cap_slots * 2 : 1024;
		struct key_slot *ns = calloc(cap, sizeof *ns);
		if (!ns)
			return store_fail(&d->base, "out of memory");
		for (size_t i = 0; i < ix->cap_slots; i++) {
			struct key_slot *o = &ix->slots[i];
			if (!o->first)
				continue;
			const struct store_version *v = &ix->v[o->first - 1].v;
			size_t j = key_hash(v->district_code, v->year, v->month) & (cap - 1);
			while (ns[j].first)
				j = (j + 1) & (cap - 1);
			ns[j] = *o;
		}
		free(ix->slots);
		ix->slots = ns;
		ix->cap_slots = cap;
	}
	if (ix->n == ix->cap) {
		size_t cap = ix->cap ? ix->cap * 2 : 1024;
		struct ver *nv = realloc(ix->v, cap * sizeof *nv);
		if (!nv)
			return store_fail(&d->base, "out of memory");
		ix->v = nv;
		ix->cap = cap;
	}
	struct period_info *p = period_get(ix, x->v.year, x->v.month);
	if (!p) {
		if (ix->n_p == ix->cap_p) {
			size_t cap = ix->cap_p ? ix->cap_p * 2 : 16;
			struct period_info *np = realloc(ix->p, cap * sizeof *np);
			if (!np)
				return store_fail(&d->base, "out of memory");
			ix->p = np;
			ix->cap_p = cap;
		}
		p = &ix->p[ix->n_p++];
		memset(p, 0, sizeof *p);
		p->year = x->v.year;
		p->month = x->v.month;
	}
	struct key_slot *k = key_slot(ix, x->v.district_code, x->v.year, x->v.month);
	if (k->first && ix->v[k->last - 1].v.version >= x->v.version)
		return store_fail(&d->base,
				  "versions.csv of store %s is damaged: version %d of %s %04d-%02d "
				  "comes after version %d",
				  d->root, x->v.version, x->v.district_code, x->v.year, x->v.month,
				  ix->v[k->last - 1].v.version);
	x->next = 0;
	x->v.file = x->file;
	x->v.in_force = 0;
	ix->v[ix->n++] = *x;
	memset(x, 0, sizeof *x);
	if (k->first)
		ix->v[k->last - 1].next = ix->n;
	else
		k->first = ix->n;
	k->last = ix->n;
	const struct ver *y = &ix->v[ix->n - 1];
	for (int i = 0; i < DF_N; i++)
		if (y->at[i] + y->len[i] > p->end[i])
			p->end[i] = y->at[i] + y->len[i];
	return 0;
}

/* The accepted version received last (then the highest) among the versions
 * from first (index + 1); 0 when none is accepted. */
static size_t key_in_force(const struct vindex *ix, size_t first)
{
	size_t best = 0;
	for (size_t i = first; i; i = ix->v[i - 1].next) {
		const struct store_version *v = &ix->v[i - 1].v;
		if (v->status == JX_ACCEPTED &&
		    (!best ||
		     store_version_newer(v->received_at, v->version, ix->v[best - 1].v.received_at,
					 ix->v[best - 1].v.version)))
			best = i;
	}
	return best;
}

/* The end of the CSV record starting at buf (its '\n' outside quotes
 * included) into *end; 0 when buf[0..n) holds no whole record. */
static int record_end(const char *buf, size_t n, size_t *end)
{
	int quoted = 0;
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '"')
			quoted = !quoted;
		else if (buf[i] == '\n' && !quoted) {
			*end = i + 1;
			return 1;
		}
	}
	return 0;
}

/* 1 when the record's last field is the CRC-32 of the bytes before it. */
static int record_check_ok(const char *rec, size_t len)
{
	if (len < 10 || rec[len - 1] != '\n' || rec[len - 10] != ',')
		return 0;
	unsigned long want = 0;
	for (size_t i = len - 9; i < len - 1; i++) {
		char c = rec[i];
		int x = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (x < 0)
			return 0;
		want = want * 16 + (unsigned long)x;
	}
	return crc32(0L, (const Bytef *)rec, (uInt)(len - 10)) == want;
}

struct version_read {
	struct ver x;
	int commit;
};

static int period_field(struct csv_rec *r, const char *text, int *year, int *month)
{
	if (!text || !period_is_folder_name(text))
		return bad_field(r, "period");
	*year = atoi(text);
	*month = atoi(text + 5);
	if (*year < 1 || *month < 1 || *month > 12)
		return bad_field(r, "period");
	return 0;
}

static int version_record(void *ctx, struct csv_rec *r, const char **f)
{
	struct version_read *vr = ctx;
	struct ver *x = &vr->x;
	memset(x, 0, sizeof *x);
	int64_t n;
	if (period_field(r, f[0], &x->v.year, &x->v.month))
		return -1;
	if (!f[1] || strlen(f[1]) >= JX_CODE_MAX || !code_is_folder_name(f[1]))
		return bad_field(r, "district_code");
	strcpy(x->v.district_code, f[1]);
	if (field_i64(r, f[2], "version", 1, INT_MAX, &n))
		return -1;
	x->v.version = (int)n;
	if (store_status_parse(f[3], &x->v.status))
		return bad_field(r, "status");
	if (parse_utc(f[4], &x->v.received_at))
		return bad_field(r, "received_at");
	if (parse_utc(f[5], &x->v.loaded_at))
		return bad_field(r, "loaded_at");
	if (field_i64(r, f[6], "errors", 0, INT64_MAX, &n))
		return -1;
	x->v.errors = (size_t)n;
	if (field_i64(r, f[7], "warnings", 0, INT64_MAX, &n))
		return -1;
	x->v.warnings = (size_t)n;
	if (field_i64(r, f[8], "dropped", 0, INT64_MAX, &n))
		return -1;
	x->dropped = (size_t)n;
	if (!sha_ok(f[9]))
		return bad_field(r, "sha256");
	strcpy(x->v.sha256, f[9]);
	if (!f[10])
		return bad_field(r, "file");
	for (int k = 0; k < DF_N; k++)
		if (field_i64(r, f[12 + 2 * k], VERSIONS_HEADER[12 + 2 * k], 0, INT64_MAX,
			      &x->at[k]) ||
		    field_i64(r, f[13 + 2 * k], VERSIONS_HEADER[13 + 2 * k], 0,
			      INT64_MAX - x->at[k], &x->len[k]))
			return -1;
	if (field_i64(r, f[18], "commit", 0, 1, &n))
		return -1;
	vr->commit = (int)n;
	if (field_dup(r, f[10], &x->file) || field_dup(r, f[11], &x->sheet)) {
		ver_free(x);
		return -1;
	}
	return 0;
}

/* Parses the whole record rec[0..len) (it ends with its '\n') with r's
 * callback; the header when header. jianxi wrote it: a field is quoted
 * ("" for a quote inside) or holds no quote, comma, CR or line break; an
 * empty unquoted field is NULL, as libcsv gives it. scratch holds len
 * bytes. */
static int parse_record(struct dir_store *d, struct csv_rec *r, const char *rec, size_t len,
			char *scratch, int header)
{
	r->no = header ? 0 : 1;
	r->rc = 0;
	r->n = r->len = 0;
	size_t i = 0;
	for (;;) {
		if (rec[i] == '"') {
			size_t k = 0;
			for (i++;; i++) {
				if (i >= len - 1)
					goto bad;
				if (rec[i] == '"') {
					if (rec[i + 1] != '"')
						break;
					i++;
				}
				scratch[k++] = rec[i];
			}
			i++;
			rec_field(scratch, k, r);
		} else {
			size_t start = i;
			for (; rec[i] != ',' && rec[i] != '\n'; i++)
				if (rec[i] == '"' || rec[i] == '\r')
					goto bad;
			rec_field(i > start ? (void *)(rec + start) : NULL, i - start, r);
		}
		if (rec[i] == '\n')
			break;
		if (rec[i] != ',')
			goto bad;
		i++;
	}
	if (i + 1 != len)
		goto bad;
	rec_end('\n', r);
	return r->rc ? -1 : 0;
bad:
	return store_fail(&d->base, "%s: not valid CSV", r->path);
}

/* Brings the index up to the last committed line of versions.csv. Only
 * bytes past what was taken are read: the file only grows, but for a cut
 * uncommitted tail, which was never taken. A torn or uncommitted tail is
 * left for the writer to cut; a bad line with committed lines after it is
 * damage. 0 or -1. */
static int vindex_refresh(struct dir_store *d)
{
	struct vindex *ix = &d->ix;
	char path[DIR_PATH_MAX];
	if (dir_path(d, path, "versions.csv"))
		return -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb)) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return store_fail(&d->base, "cannot read %s: %s", path, strerror(e));
	}
	if (!ix->active || sb.st_dev != ix->dev || sb.st_ino != ix->ino || sb.st_size < ix->off) {
		vindex_reset(ix);
		ix->active = 1;
		ix->dev = sb.st_dev;
		ix->ino = sb.st_ino;
	}
	if (sb.st_size == ix->off) {
		close(fd);
		return 0;
	}
	size_t n = (size_t)(sb.st_size - ix->off);
	char *buf = malloc(n);
	if (!buf) {
		close(fd);
		return store_fail(&d->base, "out of memory");
	}
	size_t got = 0;
	while (got < n) {
		ssize_t k = pread(fd, buf + got, n - got, ix->off + (off_t)got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	int e = errno;
	close(fd);
	if (got < n) {
		free(buf);
		return store_fail(&d->base, "cannot read %s: %s", path,
				  got < n && e ? strerror(e) : "file shrank");
	}
	char *scratch = malloc(n);
	if (!scratch) {
		free(buf);
		return store_fail(&d->base, "out of memory");
	}
	struct version_read vr;
	struct csv_rec r;
	rec_setup(&r, d, path, VERSIONS_HEADER, NCOLS(VERSIONS_HEADER), version_record, &vr);
	struct ver *pend = NULL;
	size_t n_pend = 0, cap_pend = 0, pos = 0, taken = 0, end;
	int rc = 0;
	if (ix->off == 0) {
		if (!record_end(buf, n, &end) || parse_record(d, &r, buf, end, scratch, 1)) {
			if (!r.rc)
				store_fail(&d->base, "%s: the header is cut off", path);
			rc = -1;
		}
		pos = taken = end;
	}
	while (!rc && pos < n) {
		if (!record_end(buf + pos, n - pos, &end))
			break; /* being written, or torn */
		if (!record_check_ok(buf + pos, end)) {
			/* a torn last batch, or damage if a good line follows */
			for (size_t i = pos; i < n; i++) {
				size_t e2;
				if (buf[i] == '\n' && record_end(buf + i + 1, n - i - 1, &e2) &&
				    record_check_ok(buf + i + 1, e2)) {
					rc = store_fail(&d->base,
							"%s is damaged at byte %lld: a line "
							"that does not check, followed by good "
							"ones",
							path, (long long)(ix->off + (int64_t)pos));
					break;
				}
			}
			break;
		}
		/* a line that checks was written whole: if it does not read, that
		 * is damage, never a tail to cut */
		if (parse_record(d, &r, buf + pos, end, scratch, 0)) {
			rc = -1;
			break;
		}
		if (n_pend == cap_pend) {
			size_t cap = cap_pend ? cap_pend * 2 : 64;
			struct ver *np = realloc(pend, cap * sizeof *np);
			if (!np) {
				ver_free(&vr.x);
				rc = store_fail(&d->base, "out of memory");
				break;
			}
			pend = np;
			cap_pend = cap;
		}
		pend[n_pend++] = vr.x;
		pos += end;
		if (vr.commit) {
			for (size_t i = 0; !rc && i < n_pend; i++)
				rc = vindex_add(d, &pend[i]);
			for (size_t i = 0; i < n_pend; i++)
				ver_free(&pend[i]);
			n_pend = 0;
			taken = pos;
		}
	}
	for (size_t i = 0; i < n_pend; i++)
		ver_free(&pend[i]);
	free(pend);
	free(r.buf);
	free(scratch);
	free(buf);
	if (rc) {
		vindex_reset(ix); /* start over next time */
		return -1;
	}
	ix->off += (int64_t)taken;
	return 0;
}

/* A month's data file kept open through one set read, and the buffers its
 * ranges are read into. Data files are only appended to and cut in place,
 * never replaced, but the file is still opened again by each read of the
 * store, never kept between them. */
struct rfile {
	int fd; /* -1: none open */
	int year, month, df;
	char path[DIR_PATH_MAX];
	char *buf, *scratch;
	size_t cap;
};

#define RFILE_INIT                                                                                 \
	{                                                                                          \
		.fd = -1                                                                           \
	}

static void rfile_close(struct rfile *rf)
{
	if (rf->fd >= 0)
		close(rf->fd);
	free(rf->buf);
	free(rf->scratch);
	*rf = (struct rfile)RFILE_INIT;
}

/* Reads the rows at[0..len) of the month's file df with fn (no header),
 * through rf (the file stays open for the next range). The rows are CSV
 * jianxi wrote, read with its own splitter (parse_record). fn may return
 * 1 to stop early. 0 or -1. */
static int read_range_in(struct dir_store *d, struct rfile *rf, int year, int month, int df,
			 int64_t at, int64_t len, const char *const *header, size_t n_header,
			 int (*fn)(void *, struct csv_rec *, const char **), void *ctx)
{
	if (!len)
		return 0;
	if (rf->fd < 0 || rf->year != year || rf->month != month || rf->df != df) {
		if (rf->fd >= 0)
			close(rf->fd);
		rf->fd = -1;
		char period[8];
		jx_period_format(year, month, period);
		if (dir_path(d, rf->path, "%s/%s", period, DATA_FILE[df]))
			return -1;
		rf->fd = open(rf->path, O_RDONLY | O_CLOEXEC);
		if (rf->fd < 0)
			return store_fail(&d->base, "cannot open %s: %s", rf->path,
					  strerror(errno));
		rf->year = year;
		rf->month = month;
		rf->df = df;
	}
	if (len < 0 || (uint64_t)len > DIR_MAX_RECORD * (uint64_t)4)
		return store_fail(&d->base, "%s: bytes %lld-%lld: too many to read at once",
				  rf->path, (long long)at, (long long)(at + len));
	size_t n = (size_t)len;
	if (rf->cap < n) {
		char *nb = realloc(rf->buf, n), *ns = nb ? realloc(rf->scratch, n) : NULL;
		if (nb)
			rf->buf = nb;
		if (ns)
			rf->scratch = ns;
		if (!nb || !ns)
			return store_fail(&d->base, "out of memory");
		rf->cap = n;
	}
	size_t got = 0;
	while (got < n) {
		ssize_t k = pread(rf->fd, rf->buf + got, n - got, at + (off_t)got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return store_fail(&d->base, "%s: cannot read bytes %lld-%lld: %s", rf->path,
					  (long long)at, (long long)(at + len),
					  k < 0 ? strerror(errno) : "the file is shorter");
		got += (size_t)k;
	}
	struct csv_rec r;
	rec_setup(&r, d, rf->path, header, n_header, fn, ctx);
	int rc = 0;
	for (size_t pos = 0, end; !rc && pos < n; pos += end) {
		if (!record_end(rf->buf + pos, n - pos, &end)) {
			rc = store_fail(&d->base, "%s: bytes %lld-%lld end inside a record",
					rf->path, (long long)at, (long long)(at + len));
			break;
		}
		if (parse_record(d, &r, rf->buf + pos, end, rf->scratch, 0))
			rc = r.rc == 1 ? 1 : -1; /* 1: fn stopped the read */
	}
	free(r.buf);
	return rc < 0 ? -1 : 0;
}

/* read_range_in for one range, the file closed after. */
static int read_range(struct dir_store *d, int year, int month, int df, int64_t at, int64_t len,
		      const char *const *header, size_t n_header,
		      int (*fn)(void *, struct csv_rec *, const char **), void *ctx)
{
	struct rfile rf = RFILE_INIT;
	int rc = read_range_in(d, &rf, year, month, df, at, len, header, n_header, fn, ctx);
	rfile_close(&rf);
	return rc;
}

/* ---- writing a batch ----------------------------------------------------- */

static const char *const *const DATA_HEADER[DF_N] = {UNITS2_HEADER, VALUES2_HEADER,
						     FINDINGS2_HEADER};
static const size_t DATA_NCOLS[DF_N] = {NCOLS(UNITS2_HEADER), NCOLS(VALUES2_HEADER),
					NCOLS(FINDINGS2_HEADER)};

/* One version to write. */
struct put_item {
	const struct jx_submission *s;
	const char *sha256;
	int version; /* 0: the next of its (district, month); else as given */
	enum jx_status status;
	int64_t loaded_at;
	size_t errors, warnings, dropped;
};

/* One month's files being appended to. */
struct pw {
	int year, month;
	FILE *f[DF_N];
	int64_t start[DF_N];
	int created; /* a file was created: its folder is synced */
};

/* A batch being written: its months' files and its versions. */
struct bw {
	struct pw *pw;
	size_t n_pw, cap_pw;
	struct ver *x;
	size_t n, cap;
	struct jx_slots last_of; /* (district, month) -> its last version in x */
};

static uint64_t bw_hash(const void *ctx, size_t i)
{
	const struct store_version *v = &((const struct bw *)ctx)->x[i].v;
	return key_hash(v->district_code, v->year, v->month);
}

struct bw_sought {
	const struct bw *b;
	const struct jx_submission *s;
};

static int bw_same(const void *ctx, size_t i)
{
	const struct bw_sought *q = ctx;
	const struct store_version *v = &q->b->x[i].v;
	return v->year == q->s->year && v->month == q->s->month &&
	       !strcmp(v->district_code, q->s->district_code);
}

/* Opens the month's files for appending, first cut back to what the index
 * commits (a killed writer's rows go); a month the index has nothing of
 * starts afresh with its headers. */
static struct pw *pw_open(struct dir_store *d, struct bw *b, int year, int month)
{
	for (size_t i = 0; i < b->n_pw; i++)
		if (b->pw[i].year == year && b->pw[i].month == month)
			return &b->pw[i];
	if (b->n_pw == b->cap_pw) {
		size_t cap = b->cap_pw ? b->cap_pw * 2 : 4;
		struct pw *np = realloc(b->pw, cap * sizeof *np);
		if (!np) {
			store_fail(&d->base, "out of memory");
			return NULL;
		}
		b->pw = np;
		b->cap_pw = cap;
	}
	struct pw *w = &b->pw[b->n_pw++];
	memset(w, 0, sizeof *w);
	w->year = year;
	w->month = month;
	char period[8], pdir[DIR_PATH_MAX], path[DIR_PATH_MAX];
	jx_period_format(year, month, period);
	if (dir_path(d, pdir, "%s", period) || ensure_dir(d, pdir, d->root))
		return NULL;
	const struct period_info *pi = period_get(&d->ix, year, month);
	for (int k = 0; k < DF_N; k++) {
		if (sub_path(d, path, pdir, DATA_FILE[k]))
			return NULL;
		int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0)
			w->created = 1;
		else if (errno == EEXIST)
			fd = open(path, O_RDWR | O_CLOEXEC);
		struct stat sb;
		if (fd < 0 || fstat(fd, &sb)) {
			int e = errno;
			if (fd >= 0)
				close(fd);
			store_fail(&d->base, "cannot open %s: %s", path, strerror(e));
			return NULL;
		}
		int64_t end = pi ? pi->end[k] : 0;
		if (sb.st_size < end) {
			close(fd);
			store_fail(&d->base,
				   "%s is damaged: %lld bytes, but versions.csv has rows up to "
				   "byte %lld",
				   path, (long long)sb.st_size, (long long)end);
			return NULL;
		}
		FILE *f = NULL;
		if ((sb.st_size > end && ftruncate(fd, end)) || !(f = fdopen(fd, "r+b")) ||
		    fseeko(f, end, SEEK_SET)) {
			int e = errno;
			if (f)
				fclose(f);
			else
				close(fd);
			store_fail(&d->base, "cannot write %s: %s", path, strerror(e));
			return NULL;
		}
		w->f[k] = f;
		if (!pi)
			w_header(f, DATA_HEADER[k], DATA_NCOLS[k]);
		w->start[k] = end;
	}
	return w;
}

/* Appends the rows of it to its month's files. Returns 1 (added), 0 (the
 * same delivery is stored already, or earlier in the batch) or -1. */
static int bw_add(struct dir_store *d, struct bw *b, const struct put_item *it)
{
	const struct jx_submission *s = it->s;
	int version = it->version;
	/* the batch's versions of a (district, month) by hash: a batch of
	 * 50,000 months (a file repeating each of its rows) numbered each by a
	 * scan of the batch before it, 13 s where 0.3 s does (#14) */
	if (jx_slots_reserve(&b->last_of, b->n + 1, bw_hash, b))
		return store_fail(&d->base, "out of memory");
	struct bw_sought q = {b, s};
	size_t *kslot = jx_slots_find(&b->last_of,
				      key_hash(s->district_code, s->year, s->month), bw_same, &q);
	if (!version) {
		int last = 0;
		for (size_t i = key_first(&d->ix, s->district_code, s->year, s->month); i;
		     i = d->ix.v[i - 1].next) {
			const struct store_version *v = &d->ix.v[i - 1].v;
			/* the same delivery: content and received time (#13) */
			if (!strcmp(v->sha256, it->sha256) && v->received_at == s->received_at)
				return 0;
			last = v->version;
		}
		/* the batch's versions of the key, last first */
		for (size_t i = *kslot; i; i = b->x[i - 1].batch_prev) {
			const struct store_version *v = &b->x[i - 1].v;
			if (!strcmp(v->sha256, it->sha256) && v->received_at == s->received_at)
				return 0;
			if (i == *kslot)
				last = v->version;
		}
		version = last + 1;
	}
	struct pw *w = pw_open(d, b, s->year, s->month);
	if (!w)
		return -1;
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct ver *nx = realloc(b->x, cap * sizeof *nx);
		if (!nx)
			return store_fail(&d->base, "out of memory");
		b->x = nx;
		b->cap = cap;
	}
	struct ver *x = &b->x[b->n];
	memset(x, 0, sizeof *x);
	snprintf(x->v.district_code, sizeof x->v.district_code, "%s", s->district_code);
	x->v.year = s->year;
	x->v.month = s->month;
	x->v.version = version;
	x->v.status = it->status;
	x->v.received_at = s->received_at;
	x->v.loaded_at = it->loaded_at;
	memcpy(x->v.sha256, it->sha256, 65);
	x->v.errors = it->errors;
	x->v.warnings = it->warnings;
	x->dropped = it->dropped;
	x->file = strdup(s->file);
	x->sheet = s->sheet ? strdup(s->sheet) : NULL;
	x->batch_prev = *kslot;
	*kslot = b->n + 1;
	b->n++;
	if (!x->file || (s->sheet && !x->sheet))
		return store_fail(&d->base, "out of memory");
	for (int k = 0; k < DF_N; k++) {
		FILE *f = w->f[k];
		x->at[k] = ftello(f);
		if (k == DF_UNITS)
			write_unit_rows(f, s, version);
		else if (k == DF_VALUES)
			write_values_of(f, s, version);
		else
			write_finding_rows(f, s, version);
		x->len[k] = ftello(f) - x->at[k];
		if (x->at[k] < 0 || x->len[k] < 0 || ferror(f))
			return store_fail(&d->base, "cannot write the rows of %s %s: %s",
					  s->district_code, s->period, strerror(errno));
	}
	return 1;
}

/* Makes the batch's rows durable: each file synced once, and the folder
 * of a file created. 0 or -1. */
static int bw_sync(struct dir_store *d, struct bw *b)
{
	for (size_t i = 0; i < b->n_pw; i++) {
		struct pw *w = &b->pw[i];
		char period[8], pdir[DIR_PATH_MAX];
		jx_period_format(w->year, w->month, period);
		if (dir_path(d, pdir, "%s", period))
			return -1;
		for (int k = 0; k < DF_N; k++) {
			FILE *f = w->f[k];
			if (ferror(f) || fflush(f) || fsync(fileno(f)))
				return store_fail(&d->base, "cannot write %s/%s: %s", pdir,
						  DATA_FILE[k], strerror(errno));
		}
		if (w->created && fsync_dir(pdir))
			return store_fail(&d->base, "cannot sync folder %s: %s", pdir,
					  strerror(errno));
	}
	return 0;
}

/* Closes the month files; abort: first cut off what the batch wrote. */
static void bw_close(struct bw *b, int abort)
{
	for (size_t i = 0; i < b->n_pw; i++)
		for (int k = 0; k < DF_N; k++) {
			FILE *f = b->pw[i].f[k];
			if (!f)
				continue;
			if (abort && !fflush(f)) {
				if (ftruncate(fileno(f), b->pw[i].start[k])) {
					/* the next writer cuts them off */
				}
			}
			fclose(f);
		}
	free(b->pw);
	for (size_t i = 0; i < b->n; i++)
		ver_free(&b->x[i]);
	free(b->x);
	jx_slots_free(&b->last_of);
	memset(b, 0, sizeof *b);
}

/* The index lines of the batch, the last with commit 1, into a buffer. */
static int bw_lines(struct dir_store *d, const struct bw *b, char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	FILE *m = open_memstream(out, len);
	if (!m)
		return store_fail(&d->base, "out of memory");
	int rc = 0;
	for (size_t i = 0; !rc && i < b->n; i++)
		rc = write_version_line(m, &b->x[i], i + 1 == b->n);
	if (fclose(m) || rc || !*out) {
		free(*out);
		*out = NULL;
		return store_fail(&d->base, "out of memory");
	}
	return 0;
}

/* Cuts an uncommitted tail off versions.csv (a killed writer's). Caller
 * holds the put lock and has refreshed the index. */
static int index_cut(struct dir_store *d)
{
	char path[DIR_PATH_MAX];
	struct stat sb;
	if (dir_path(d, path, "versions.csv"))
		return -1;
	if (stat(path, &sb))
		return store_fail(&d->base, "cannot read %s: %s", path, strerror(errno));
	if (sb.st_size > d->ix.off && truncate(path, d->ix.off))
		return store_fail(&d->base, "cannot cut %s: %s", path, strerror(errno));
	return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	for (size_t done = 0; done < len;) {
		ssize_t w = write(fd, buf + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		done += (size_t)w;
	}
	return 0;
}

/* Stores items[0..n) as one batch: was_new[i] 1 or 0; all or nothing.
 * Caller holds the put lock. */
static int put_batch(struct dir_store *d, const struct put_item *items, size_t n, int *was_new)
{
	if (vindex_refresh(d) || index_cut(d))
		return -1;
	struct bw b = {0};
	int rc = 0;
	for (size_t i = 0; !rc && i < n; i++) {
		int got = bw_add(d, &b, &items[i]);
		if (got < 0)
			rc = -1;
		else
			was_new[i] = got;
	}
	if (rc || !b.n || bw_sync(d, &b)) {
		rc = rc || b.n ? -1 : 0;
		bw_close(&b, rc != 0);
		return rc;
	}
	char *lines, path[DIR_PATH_MAX];
	size_t len;
	if (bw_lines(d, &b, &lines, &len) || dir_path(d, path, "versions.csv")) {
		bw_close(&b, 1);
		return -1;
	}
	/* The one step that makes the batch exist. */
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0 || write_all(fd, lines, len) || fsync(fd)) {
		int e = errno;
		if (fd >= 0) {
			if (ftruncate(fd, d->ix.off)) {
				/* an uncommitted tail: cut by the next writer */
			}
			close(fd);
		}
		free(lines);
		bw_close(&b, 1);
		return store_fail(&d->base, "cannot append to %s: %s", path, strerror(e));
	}
	close(fd);
	free(lines);
	d->ix.off += (int64_t)len;
	for (size_t i = 0; !rc && i < b.n; i++)
		rc = vindex_add(d, &b.x[i]);
	if (rc)
		vindex_reset(&d->ix); /* stored: read again next time */
	bw_close(&b, 0);
	return 0;
}

static int put_ok(struct dir_store *d, const struct jx_submission *s)
{
	if (!code_is_folder_name(s->district_code))
		return store_fail(&d->base,
				  "cannot store %s: district code \"%s\" cannot "
				  "be a folder name",
				  s->file, s->district_code);
	if (s->received_at < UTC_MIN || s->received_at > UTC_MAX)
		return store_fail(&d->base,
				  "cannot store %s: received time %lld out of "
				  "range",
				  s->file, (long long)s->received_at);
	return 0;
}

static int dir_put_many(struct store *st, const struct jx_submission *const *subs,
			const char *const *shas, size_t n, int *was_new)
{
	struct dir_store *d = (struct dir_store *)st;
	for (size_t i = 0; i < n; i++)
		if (put_ok(d, subs[i]))
			return -1;
	struct put_item *items = calloc(n ? n : 1, sizeof *items);
	if (!items)
		return store_fail(st, "out of memory");
	int64_t now = (int64_t)time(NULL);
	for (size_t i = 0; i < n; i++) {
		const struct jx_submission *s = subs[i];
		items[i] = (struct put_item){s,
					     shas[i],
					     0,
					     jx_submission_status(s),
					     now,
					     s->findings.errors,
					     s->findings.warnings,
					     s->findings.dropped};
	}
	int fd, rc = put_lock(d, &fd);
	if (!rc) {
		rc = put_batch(d, items, n, was_new);
		put_unlock(fd);
	}
	free(items);
	return rc;
}

static int dir_put(struct store *st, const struct jx_submission *s, const char *sha256,
		   int *was_new)
{
	const struct jx_submission *subs[] = {s};
	const char *shas[] = {sha256};
	int got = 0;
	int rc = dir_put_many(st, subs, shas, 1, &got);
	*was_new = rc ? 0 : got;
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
	w_header(f, VERSIONS_HEADER, NCOLS(VERSIONS_HEADER));
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
	       !strncmp(name, ".README.txt", 11) || !strncmp(name, ".versions.csv", 13) ||
	       !strcmp(name, "versions.csv") || !strcmp(name, "README.txt");
}

/* The period folders of the store, sorted. */
static int list_periods(struct dir_store *d, char ***out, size_t *n_out)
{
	if (list_subdirs(d, d->root, out, n_out))
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < *n_out; i++) {
		if (period_is_folder_name((*out)[i]))
			(*out)[k++] = (*out)[i];
		else
			free((*out)[i]);
	}
	*n_out = k;
	return 0;
}

/* Removes what layout 1 kept per version: the version folders (with any
 * temporary ones a killed run left), then files.csv, whose presence says
 * this is not done yet. */
static int v1_cleanup(struct dir_store *d)
{
	char **periods;
	size_t n_periods;
	if (list_periods(d, &periods, &n_periods))
		return -1;
	for (size_t i = 0; i < n_periods; i++) {
		char pdir[DIR_PATH_MAX], ddir[DIR_PATH_MAX], sub[DIR_PATH_MAX];
		char **codes;
		size_t n_codes;
		if (dir_path(d, pdir, "%s", periods[i]) ||
		    list_subdirs(d, pdir, &codes, &n_codes)) {
			names_free(periods, n_periods);
			return -1;
		}
		for (size_t j = 0; j < n_codes; j++) {
			if (sub_path(d, ddir, pdir, codes[j]))
				continue;
			DIR *dh = opendir(ddir);
			struct dirent *e;
			while (dh && (e = readdir(dh)))
				if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
				    !sub_path(d, sub, ddir, e->d_name)) {
					remove_tmp_tree(sub);
					unlink(sub);
				}
			if (dh)
				closedir(dh);
			rmdir(ddir);
		}
		names_free(codes, n_codes);
		fsync_dir(pdir);
	}
	names_free(periods, n_periods);
	char path[DIR_PATH_MAX];
	DIR *dh = opendir(d->root);
	struct dirent *e;
	while (dh && (e = readdir(dh)))
		if ((!strncmp(e->d_name, ".files.csv", 10) || !strcmp(e->d_name, ".index-dirty")) &&
		    !sub_path(d, path, d->root, e->d_name))
			unlink(path);
	if (dh)
		closedir(dh);
	if (dir_path(d, path, "files.csv"))
		return -1;
	if (unlink(path) && errno != ENOENT)
		return store_fail(&d->base, "cannot remove %s: %s", path, strerror(errno));
	fsync_dir(d->root);
	return 0;
}

/* Reads layout 1 version m of (code, period) whole into out: m's file and
 * sheet move to out. 0 or -1. */
static int v1_get(struct dir_store *d, const char *period, const char *code, struct dir_meta *m,
		  struct jx_submission *out)
{
	char vdir[DIR_PATH_MAX], path[DIR_PATH_MAX];
	if (dir_path(d, vdir, "%s/%s/v%04d", period, code, m->v.version))
		return -1;
	out->file = m->file;
	out->sheet = m->sheet;
	m->file = m->sheet = NULL;
	jx_submission_set_period(out, m->v.year, m->v.month);
	out->received_at = m->v.received_at;
	memcpy(out->sha256, m->v.sha256, sizeof out->sha256);
	struct get_ctx g = {out, 0, 0};
	if (sub_path(d, path, vdir, "units.csv") ||
	    read_csv(d, path, UNITS_HEADER, NCOLS(UNITS_HEADER), units_record, &g) ||
	    sub_path(d, path, vdir, "values.csv") ||
	    read_csv(d, path, VALUES_HEADER, NCOLS(VALUES_HEADER), values_record, &g))
		return -1;
	if (g.n_values != (out->n_units + 1) * JX_N_INDICATORS)
		return store_fail(&d->base, "%s: holds %zu values, expected %zu", path, g.n_values,
				  (out->n_units + 1) * JX_N_INDICATORS);
	if (sub_path(d, path, vdir, "findings.csv") ||
	    read_csv(d, path, FINDINGS_HEADER, NCOLS(FINDINGS_HEADER), findings_record, &g))
		return -1;
	out->findings.errors = m->v.errors;
	out->findings.warnings = m->v.warnings;
	out->findings.dropped = m->dropped;
	return 0;
}

/* Migrates layout 1 to 2 (see the top of this file). Caller holds the put
 * lock. */
static int migrate_v1(struct dir_store *d)
{
	char path[DIR_PATH_MAX], tmp[DIR_PATH_MAX];
	if (dir_path(d, path, "versions.csv") || dir_path(d, tmp, ".versions.csv.tmp"))
		return -1;
	/* what a migration killed before its commit left: written anew */
	unlink(path);
	unlink(tmp);
	vindex_reset(&d->ix);
	char **periods;
	size_t n_periods;
	if (list_periods(d, &periods, &n_periods))
		return -1;
	struct bw b = {0};
	int rc = 0;
	for (size_t i = 0; !rc && i < n_periods; i++) {
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
			for (size_t k = 0; !rc && k < n; k++) {
				struct jx_submission s;
				jx_submission_init(&s);
				s.district_code = ms[k].v.district_code;
				if (v1_get(d, periods[i], codes[j], &ms[k], &s)) {
					rc = -1;
				} else {
					struct put_item it = {&s,
							      ms[k].v.sha256,
							      ms[k].v.version,
							      ms[k].v.status,
							      ms[k].v.loaded_at,
							      ms[k].v.errors,
							      ms[k].v.warnings,
							      ms[k].dropped};
					if (bw_add(d, &b, &it) != 1)
						rc = -1;
				}
				jx_submission_release(&s);
			}
			metas_free(ms, n);
		}
		names_free(codes, n_codes);
	}
	names_free(periods, n_periods);
	char *lines = NULL;
	size_t len = 0;
	if (!rc && (bw_sync(d, &b) || (b.n && bw_lines(d, &b, &lines, &len))))
		rc = -1;
	if (!rc) {
		FILE *f = fopen(tmp, "wbx");
		if (!f)
			rc = store_fail(&d->base, "cannot create %s: %s", tmp, strerror(errno));
		else {
			w_header(f, VERSIONS_HEADER, NCOLS(VERSIONS_HEADER));
			fwrite(lines ? lines : "", 1, len, f);
			if (close_synced(f) || rename(tmp, path) || fsync_dir(d->root))
				rc = store_fail(&d->base, "cannot write %s: %s", path,
						strerror(errno));
		}
	}
	free(lines);
	bw_close(&b, 0);
	if (rc) {
		unlink(tmp);
		return -1;
	}
	char version[16];
	snprintf(version, sizeof version, "%d\n", DIR_LAYOUT_VERSION);
	/* README first; schema_version.txt is the step that commits. */
	if (write_root_file(d, "README.txt", write_text, README_TEXT) ||
	    write_root_file(d, "schema_version.txt", write_text, version))
		return -1;
	return v1_cleanup(d);
}

/* What a killed writer left: the index's uncommitted tail, rows past what
 * the index commits in the month files, and month files the index has
 * nothing of. Caller holds the put lock. */
static int repair(struct dir_store *d)
{
	char path[DIR_PATH_MAX];
	if (dir_path(d, path, "files.csv"))
		return -1;
	if (access(path, F_OK) == 0 && v1_cleanup(d))
		return -1;
	if (vindex_refresh(d) || index_cut(d))
		return -1;
	char **periods;
	size_t n_periods;
	if (list_periods(d, &periods, &n_periods))
		return -1;
	int rc = 0;
	for (size_t i = 0; !rc && i < n_periods; i++) {
		int year = atoi(periods[i]), month = atoi(periods[i] + 5);
		const struct period_info *pi = period_get(&d->ix, year, month);
		for (int k = 0; !rc && k < DF_N; k++) {
			struct stat sb;
			if (dir_path(d, path, "%s/%s", periods[i], DATA_FILE[k]))
				rc = -1;
			else if (stat(path, &sb))
				continue;
			else if (!pi)
				unlink(path);
			else if (sb.st_size < pi->end[k])
				rc = store_fail(&d->base,
						"%s is damaged: %lld bytes, but versions.csv has "
						"rows up to byte %lld",
						path, (long long)sb.st_size, (long long)pi->end[k]);
			else if (sb.st_size > pi->end[k] && truncate(path, pi->end[k]))
				rc = store_fail(&d->base, "cannot cut %s: %s", path,
						strerror(errno));
		}
	}
	names_free(periods, n_periods);
	return rc;
}

/* Creates the layout in an empty folder, or checks (migrates, repairs) the
 * one there. Caller holds the put lock. */
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
		if (v == 1 && migrate_v1(d))
			return -1;
		return repair(d);
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
	if (write_root_file(d, "versions.csv", write_empty_index, NULL) ||
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
	vindex_reset(&d->ix);
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

/* ---- reading versions back (layout 2) ----------------------------------- */

/* The leading columns of a month file's row name the version whose range it
 * is in: a range that says otherwise is damage. code NULL: the file has no
 * district column (findings). */
static int row_key_ok(struct csv_rec *r, const char *code, const char *code_text,
		      const char *version_text, int version)
{
	if (code && (!code_text || strcmp(code_text, code)))
		return bad_field(r, "district_code (not the index's)");
	int64_t v;
	if (!version_text || store_parse_i64(version_text, 1, INT_MAX, &v) || v != version)
		return bad_field(r, "version (not the version the index names)");
	return 0;
}

struct get2 {
	struct get_ctx g;
	const char *code;
	int version;
};

static int units2_record(void *ctx, struct csv_rec *r, const char **f)
{
	struct get2 *w = ctx;
	return row_key_ok(r, w->code, f[0], f[1], w->version) ? -1 : units_record(&w->g, r, f + 2);
}

/* 0 when the row's ord and indicator are the ones due after n values: a
 * version's values are written figures first (ord 0), then each unit row,
 * indicators 1 to 14 each; a row out of that order (damage) must never be
 * read as another figure (#14). */
static int value_in_sequence(struct csv_rec *r, const char *ord, const char *ind, size_t n)
{
	int64_t o, i;
	if (store_parse_i64(ord, 0, INT64_MAX, &o) ||
	    store_parse_i64(ind, 1, JX_N_INDICATORS, &i) || (uint64_t)o != n / JX_N_INDICATORS ||
	    i != (int64_t)(n % JX_N_INDICATORS) + 1)
		return bad_field(r, "ord or indicator (out of sequence)");
	return 0;
}

static int values2_record(void *ctx, struct csv_rec *r, const char **f)
{
	struct get2 *w = ctx;
	if (row_key_ok(r, w->code, f[0], f[1], w->version) ||
	    value_in_sequence(r, f[2], f[3], w->g.n_values))
		return -1;
	return values_record(&w->g, r, f + 2);
}

static int findings2_record(void *ctx, struct csv_rec *r, const char **f)
{
	struct get2 *w = ctx;
	return row_key_ok(r, NULL, NULL, f[0], w->version) ? -1 : findings_record(&w->g, r, f + 1);
}

static int dir_get(struct store *st, const char *code, int year, int month, int version,
		   struct jx_submission *out, struct store_version *meta)
{
	struct dir_store *d = (struct dir_store *)st;
	if (!code_is_folder_name(code))
		return 1; /* could never have been stored */
	if (vindex_refresh(d))
		return -1;
	size_t first = key_first(&d->ix, code, year, month), force = key_in_force(&d->ix, first),
	       pick = 0;
	for (size_t i = first; i && !pick; i = d->ix.v[i - 1].next)
		if (version ? d->ix.v[i - 1].v.version == version : i == force)
			pick = i;
	if (!pick)
		return 1;
	const struct ver *x = &d->ix.v[pick - 1];
	out->file = strdup(x->file);
	out->sheet = x->sheet ? strdup(x->sheet) : NULL;
	if (!out->file || (x->sheet && !out->sheet))
		return store_fail(st, "out of memory");
	jx_submission_set_period(out, year, month);
	out->received_at = x->v.received_at;
	memcpy(out->sha256, x->v.sha256, sizeof out->sha256);
	struct get2 w = {{out, 0, 0}, code, x->v.version};
	if (read_range(d, year, month, DF_UNITS, x->at[DF_UNITS], x->len[DF_UNITS], UNITS2_HEADER,
		       NCOLS(UNITS2_HEADER), units2_record, &w) ||
	    read_range(d, year, month, DF_VALUES, x->at[DF_VALUES], x->len[DF_VALUES],
		       VALUES2_HEADER, NCOLS(VALUES2_HEADER), values2_record, &w))
		return -1;
	if (w.g.n_values != (out->n_units + 1) * JX_N_INDICATORS)
		return store_fail(st, "%s %04d-%02d version %d: holds %zu values, expected %zu",
				  code, year, month, x->v.version, w.g.n_values,
				  (out->n_units + 1) * JX_N_INDICATORS);
	if (read_range(d, year, month, DF_FINDINGS, x->at[DF_FINDINGS], x->len[DF_FINDINGS],
		       FINDINGS2_HEADER, NCOLS(FINDINGS2_HEADER), findings2_record, &w))
		return -1;
	/* The counts include findings past the list's cap. */
	out->findings.errors = x->v.errors;
	out->findings.warnings = x->v.warnings;
	out->findings.dropped = x->dropped;
	*meta = x->v;
	meta->file = out->file;
	meta->in_force = pick == force;
	return 0;
}

/* The versions of a month, copied out of the index (a callback may read
 * the store again), ordered by district code then version. */
struct month_list {
	struct ver *x; /* borrowed strings */
	size_t n;
};

static int ver_cmp(const void *a, const void *b)
{
	const struct ver *x = a, *y = b;
	int c = strcmp(x->v.district_code, y->v.district_code);
	return c ? c : (x->v.version > y->v.version) - (x->v.version < y->v.version);
}

/* The month's versions with in_force set. */
static int month_list(struct dir_store *d, int year, int month, struct month_list *l)
{
	l->x = NULL;
	l->n = 0;
	size_t n = 0;
	for (size_t i = 0; i < d->ix.n; i++)
		n += d->ix.v[i].v.year == year && d->ix.v[i].v.month == month;
	if (!n)
		return 0;
	l->x = malloc(n * sizeof *l->x);
	if (!l->x)
		return store_fail(&d->base, "out of memory");
	for (size_t i = 0; i < d->ix.n; i++) {
		const struct ver *x = &d->ix.v[i];
		if (x->v.year != year || x->v.month != month)
			continue;
		struct ver *y = &l->x[l->n++];
		*y = *x;
		y->v.in_force = key_in_force(&d->ix, key_first(&d->ix, x->v.district_code, year,
							       month)) == i + 1;
	}
	qsort(l->x, l->n, sizeof *l->x, ver_cmp);
	return 0;
}

static int dir_list(struct store *st, int year, int month, store_version_fn fn, void *ctx)
{
	struct dir_store *d = (struct dir_store *)st;
	struct month_list l;
	if (vindex_refresh(d) || month_list(d, year, month, &l))
		return -1;
	int rc = 0;
	for (size_t i = 0; !rc && i < l.n; i++)
		rc = fn(ctx, &l.x[i].v);
	free(l.x);
	return rc;
}

static int dir_file_seen(struct store *st, const char *sha256, int64_t received_at)
{
	struct dir_store *d = (struct dir_store *)st;
	if (vindex_refresh(d))
		return -1;
	for (size_t i = 0; i < d->ix.n; i++)
		if (d->ix.v[i].v.received_at == received_at &&
		    !memcmp(d->ix.v[i].v.sha256, sha256, 64))
			return 1;
	return 0;
}

/* ---- set reads ---------------------------------------------------------- */

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

struct figures2 {
	struct figures_read fr;
	const char *code;
	int version;
};

/* The district's figures come first in a version's values: stops after. */
static int figures2_record(void *ctx, struct csv_rec *r, const char **f)
{
	struct figures2 *w = ctx;
	if (row_key_ok(r, w->code, f[0], f[1], w->version))
		return -1;
	if (f[2] && strcmp(f[2], "0"))
		return 1;
	if (value_in_sequence(r, f[2], f[3], (size_t)w->fr.n))
		return -1;
	return figures_record(&w->fr, r, f + 2);
}

/* The figures (ord 0) of version x into v, read through rf. 0 or -1. */
static int read_figures(struct dir_store *d, struct rfile *rf, const struct ver *x,
			struct jx_value v[JX_N_INDICATORS])
{
	memset(v, 0, JX_N_INDICATORS * sizeof *v);
	struct figures2 w = {{v, 0}, x->v.district_code, x->v.version};
	if (read_range_in(d, rf, x->v.year, x->v.month, DF_VALUES, x->at[DF_VALUES],
			  x->len[DF_VALUES], VALUES2_HEADER, NCOLS(VALUES2_HEADER), figures2_record,
			  &w))
		return -1;
	if (w.fr.n != JX_N_INDICATORS)
		return store_fail(&d->base,
				  "%s %04d-%02d version %d: holds %d figures, expected %d",
				  x->v.district_code, x->v.year, x->v.month, x->v.version, w.fr.n,
				  JX_N_INDICATORS);
	return 0;
}

static int dir_figures(struct store *st, const char *code, int year, int from_month, int to_month,
		       store_figures_fn fn, void *ctx)
{
	struct dir_store *d = (struct dir_store *)st;
	if (!code_is_folder_name(code))
		return 0;
	if (vindex_refresh(d))
		return -1;
	int rc = 0;
	struct rfile rf = RFILE_INIT;
	for (int mo = from_month; mo <= to_month && !rc; mo++) {
		size_t pick = key_in_force(&d->ix, key_first(&d->ix, code, year, mo));
		if (!pick)
			continue;
		struct ver x = d->ix.v[pick - 1];
		struct jx_value v[JX_N_INDICATORS];
		if (read_figures(d, &rf, &x, v))
			rc = -1;
		else
			rc = fn(ctx, year, mo, v);
	}
	rfile_close(&rf);
	return rc;
}

static int dir_versions_of_years(struct store *st, size_t n, const char *const *codes,
				 const int *years, store_stored_fn fn, void *ctx)
{
	struct dir_store *d = (struct dir_store *)st;
	if (vindex_refresh(d))
		return -1;
	int rc = 0;
	struct rfile rf = RFILE_INIT;
	for (size_t k = 0; !rc && k < n; k++) {
		if (!code_is_folder_name(codes[k]))
			continue;
		for (int mo = 1; mo <= 12 && !rc; mo++)
			for (size_t i = key_first(&d->ix, codes[k], years[k], mo); i && !rc;) {
				struct ver x = d->ix.v[i - 1];
				i = x.next;
				struct jx_value v[JX_N_INDICATORS];
				if (read_figures(d, &rf, &x, v)) {
					rc = -1;
					break;
				}
				x.v.file = NULL;
				x.v.errors = x.v.warnings = 0;
				x.v.in_force = 0;
				rc = fn(ctx, &x.v, v);
			}
	}
	rfile_close(&rf);
	return rc;
}

static int head_cmp_ix(const struct vindex *ix, size_t a, size_t b)
{
	return strcmp(ix->v[a - 1].v.district_code, ix->v[b - 1].v.district_code);
}

/* The first version of each (district, month) of the month, by code. */
static int month_heads(struct dir_store *d, int year, int month, size_t **out, size_t *n_out)
{
	*out = NULL;
	*n_out = 0;
	size_t n = 0, cap = 0;
	size_t *h = NULL;
	for (size_t i = 0; i < d->ix.n; i++) {
		const struct ver *x = &d->ix.v[i];
		if (x->v.year != year || x->v.month != month ||
		    key_first(&d->ix, x->v.district_code, year, month) != i + 1)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			size_t *nh = realloc(h, cap * sizeof *nh);
			if (!nh) {
				free(h);
				return store_fail(&d->base, "out of memory");
			}
			h = nh;
		}
		h[n++] = i + 1;
	}
	/* insertion sort would be quadratic at national scale */
	for (size_t gap = n / 2; gap > 0; gap /= 2)
		for (size_t i = gap; i < n; i++)
			for (size_t j = i; j >= gap && head_cmp_ix(&d->ix, h[j - gap], h[j]) > 0;
			     j -= gap) {
				size_t t = h[j];
				h[j] = h[j - gap];
				h[j - gap] = t;
			}
	*out = h;
	*n_out = n;
	return 0;
}

static int dir_in_force(struct store *st, int year, int from_month, int to_month, store_month_fn fn,
			void *ctx)
{
	struct dir_store *d = (struct dir_store *)st;
	if (vindex_refresh(d))
		return -1;
	int rc = 0;
	struct rfile rf = RFILE_INIT;
	for (int mo = from_month; mo <= to_month && !rc; mo++) {
		size_t *heads, n;
		if (month_heads(d, year, mo, &heads, &n)) {
			rc = -1;
			break;
		}
		for (size_t k = 0; !rc && k < n; k++) {
			struct store_month_state s;
			memset(&s, 0, sizeof s);
			size_t pick = key_in_force(&d->ix, heads[k]);
			for (size_t i = heads[k]; i; i = d->ix.v[i - 1].next) {
				const struct store_version *v = &d->ix.v[i - 1].v;
				s.versions++;
				s.rejected += v->status == JX_REJECTED;
				s.errors += v->errors;
				s.warnings += v->warnings;
			}
			if (!pick) /* none in force: received last, then the highest */
				for (size_t i = heads[k]; i; i = d->ix.v[i - 1].next) {
					const struct store_version *v = &d->ix.v[i - 1].v;
					if (!pick ||
					    store_version_newer(v->received_at, v->version,
								d->ix.v[pick - 1].v.received_at,
								d->ix.v[pick - 1].v.version))
						pick = i;
				}
			struct ver x = d->ix.v[pick - 1];
			strcpy(s.district_code, x.v.district_code);
			s.year = year;
			s.month = mo;
			s.version = x.v.version;
			s.status = x.v.status;
			s.received_at = x.v.received_at;
			s.file = x.file;
			if (read_figures(d, &rf, &x, s.figures))
				rc = -1;
			else
				rc = fn(ctx, &s);
		}
		free(heads);
	}
	rfile_close(&rf);
	return rc;
}

static int rule_record(void *ctx, struct csv_rec *r, const char **f)
{
	size_t *by_rule = ctx;
	enum jx_rule rule;
	if (jx_rule_parse(f[8], &rule))
		return bad_field(r, "rule");
	by_rule[rule]++;
	return 0;
}

struct rules2 {
	size_t *by_rule;
	int version;
};

static int rule2_record(void *ctx, struct csv_rec *r, const char **f)
{
	struct rules2 *w = ctx;
	return row_key_ok(r, NULL, NULL, f[0], w->version) ? -1 : rule_record(w->by_rule, r, f + 1);
}

static int dir_rule_counts(struct store *st, int year, int from_month, int to_month,
			   store_rule_count_fn fn, void *ctx)
{
	struct dir_store *d = (struct dir_store *)st;
	if (vindex_refresh(d))
		return -1;
	int rc = 0;
	struct rfile rf = RFILE_INIT;
	for (int mo = from_month; mo <= to_month && !rc; mo++) {
		size_t *heads, n;
		if (month_heads(d, year, mo, &heads, &n)) {
			rc = -1;
			break;
		}
		for (size_t k = 0; !rc && k < n; k++) {
			size_t by_rule[JX_RULE_COUNT] = {0};
			for (size_t i = heads[k]; i && !rc;) {
				struct ver x = d->ix.v[i - 1];
				i = x.next;
				/* each finding is counted as an error or a warning:
				 * a version with neither has none to read */
				if (x.v.errors + x.v.warnings == 0)
					continue;
				struct rules2 w = {by_rule, x.v.version};
				if (read_range_in(d, &rf, year, mo, DF_FINDINGS, x.at[DF_FINDINGS],
						  x.len[DF_FINDINGS], FINDINGS2_HEADER,
						  NCOLS(FINDINGS2_HEADER), rule2_record, &w))
					rc = -1;
			}
			char code[JX_CODE_MAX];
			strcpy(code, d->ix.v[heads[k] - 1].v.district_code);
			for (int r = 0; !rc && r < JX_RULE_COUNT; r++)
				if (by_rule[r])
					rc = fn(ctx, code, mo, (enum jx_rule)r, by_rule[r]);
		}
		free(heads);
	}
	rfile_close(&rf);
	return rc;
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

static const struct store_ops dir_ops = {
    dir_close,
    dir_lock,
    dir_put,
    dir_get,
    dir_list,
    dir_file_seen,
    dir_figures,
    dir_approval_record,
    dir_approval_events,
    dir_approval_get,
    dir_in_force,
    dir_rule_counts,
    dir_user_write,
    dir_user_list,
    dir_versions_of_years,
    dir_put_many,
    NULL, /* reusable: never pooled, opening one costs little */
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
