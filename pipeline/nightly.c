/* The night's run (see nightly.h): moved here from the command so that the
 * command line and the portal share it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../core/outfile.h"
#include "../core/period.h"
#include "../core/text.h"
#include "../etl/store.h"
#include "../reports/findings_csv.h"
#include "nightly.h"
#include "report_input.h"
#include "status.h"

static void logf_(struct nightly *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void logf_(struct nightly *n, const char *fmt, ...)
{
	if (!n->log)
		return;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(n->log, fmt, ap);
	va_end(ap);
	fputc('\n', n->log);
	fflush(n->log);
}

static void say(struct nightly *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct nightly *n, const char *fmt, ...)
{
	if (!n->o.say)
		return;
	char line[9000];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	n->o.say(n->o.ctx, line);
}

/* ---- folders ------------------------------------------------------------ */

/* 1 when name is "<anything>.tmp.<pid>" of a process that is gone. */
static int stale_tmp_name(const char *name)
{
	const char *p = strstr(name, ".tmp.");
	if (!p)
		return 0;
	for (const char *q; (q = strstr(p + 1, ".tmp."));)
		p = q;
	p += 5;
	if (!*p || strspn(p, "0123456789") != strlen(p) || strlen(p) > 9)
		return 0;
	pid_t pid = (pid_t)atol(p);
	return pid > 0 && pid != getpid() && kill(pid, 0) && errno == ESRCH;
}

/* Removes the temporary files (NAME.tmp.PID) that runs killed before their
 * rename left under dir, a few folders deep (OUT/P/feedback/CODE). */
static void remove_stale_tmp(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		struct stat st;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		if (S_ISREG(st.st_mode) && stale_tmp_name(e->d_name)) {
			unlinkat(dirfd(d), e->d_name, 0);
		} else if (S_ISDIR(st.st_mode) && depth > 0) {
			char sub[4400];
			if (snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name) < (int)sizeof sub)
				remove_stale_tmp(sub, depth - 1);
		}
	}
	closedir(d);
}

/* path made absolute with its links resolved; a tail that does not exist
 * yet (an out folder made later) is appended as written. */
static char *resolve_path(const char *path)
{
	char *real = realpath(path, NULL);
	if (real || errno != ENOENT)
		return real;
	char *copy = strdup(path);
	if (!copy)
		return NULL;
	size_t len = strlen(copy);
	while (len > 1 && copy[len - 1] == '/')
		copy[--len] = 0;
	char *slash = strrchr(copy, '/');
	const char *base = slash ? slash + 1 : copy;
	char *parent = slash ? (slash == copy ? strdup("/") : strndup(copy, (size_t)(slash - copy)))
			     : strdup(".");
	char *rp = parent ? resolve_path(parent) : NULL;
	char *out = NULL;
	if (rp && (out = malloc(strlen(rp) + strlen(base) + 2)))
		sprintf(out, "%s%s%s", rp, strcmp(rp, "/") ? "/" : "", base);
	free(rp);
	free(parent);
	free(copy);
	return out;
}

/* 1 when a is b or a folder inside b. */
static int path_within(const char *a, const char *b)
{
	size_t n = strlen(b);
	return !strncmp(a, b, n) && (a[n] == 0 || a[n] == '/' || (n == 1 && b[0] == '/'));
}

int nightly_paths_overlap(const char *a, const char *b)
{
	char *ra = resolve_path(a), *rb = resolve_path(b);
	int overlap = ra && rb && (path_within(ra, rb) || path_within(rb, ra));
	free(ra);
	free(rb);
	return overlap;
}

/* ---- the periods owed --------------------------------------------------- */

static void note_period(struct nightly *n, int idx)
{
	for (size_t i = 0; i < n->n_periods; i++)
		if (n->periods[i] == idx)
			return;
	if (n->n_periods < NIGHTLY_MAX_PERIODS)
		n->periods[n->n_periods++] = idx;
}

/* The periods whose reports are owed, kept in OUT/.pending from the moment a
 * submission is stored until the reports are written: a run killed in
 * between leaves them for the next run, even when its inbox is empty. */
static int pending_save(struct nightly *n)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/.pending", n->o.out);
	struct jx_outfile o;
	if (jx_mkdirs(n->o.out) || jx_outfile_open(&o, path))
		return -1;
	for (size_t i = 0; i < n->n_periods; i++) {
		char per[8];
		jx_period_format(n->periods[i] / 12, n->periods[i] % 12 + 1, per);
		fprintf(o.f, "%s\n", per);
	}
	return jx_outfile_commit(&o);
}

static void pending_load(struct nightly *n)
{
	char path[4200], line[64];
	snprintf(path, sizeof path, "%s/.pending", n->o.out);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		int y, m;
		line[strcspn(line, "\n")] = 0;
		if (!jx_period_parse(line, &y, &m))
			note_period(n, jx_period_index(y, m));
	}
	fclose(f);
}

static void pending_clear(struct nightly *n)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/.pending", n->o.out);
	unlink(path);
}

static void nightly_submission(void *ctx, const struct jx_submission *s, int stored)
{
	struct nightly *n = ctx;
	if (!stored)
		return;
	size_t before = n->n_periods;
	note_period(n, jx_period_index(s->year, s->month));
	if (n->n_periods != before && pending_save(n))
		n->pending_failed = 1;
}

/* ---- the run ------------------------------------------------------------ */

static FILE *log_open(const char *out, char *path, size_t size)
{
	char dir[4200];
	snprintf(dir, sizeof dir, "%s/logs", out);
	if (jx_mkdirs(dir))
		return NULL;
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	char stamp[32];
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	snprintf(path, size, "%s/nightly-%s-%ld.log", dir, stamp, (long)getpid());
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	return fd >= 0 ? fdopen(fd, "a") : NULL;
}

int nightly_begin(struct nightly *n, const struct nightly_opts *o, const struct jx_config *cfg,
		  struct store *st, int *usage)
{
	memset(n, 0, sizeof *n);
	n->o = *o;
	n->inbox_fd = -1;
	n->ld.cfg = cfg;
	n->ld.st = st;
	*usage = 0;
	struct stat sb;
	if (stat(o->inbox, &sb) || !S_ISDIR(sb.st_mode) ||
	    (n->inbox_fd = open(o->inbox, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(n->error, sizeof n->error, "the inbox %s is not a folder", o->inbox);
		*usage = 1;
		return -1;
	}
	/* temporary files of runs killed before their rename; the store lock
	 * is held, so no other nightly writes here now */
	remove_stale_tmp(o->out, 4);
	char renamed[2][192] = {"", ""};
	inbox_clear_way(n->inbox_fd, "processed", renamed[0]);
	inbox_clear_way(n->inbox_fd, "rejected", renamed[1]);
	int err;
	n->list = inbox_list(o->inbox, o->settle, &n->n_list, &n->held_back, &err);
	if (err) {
		snprintf(n->error, sizeof n->error, "cannot read the inbox %s: %s", o->inbox,
			 strerror(err));
		return -1;
	}
	pending_load(n);
	if (n->n_list || n->n_periods) {
		/* .pending is written first: an out folder that cannot be written
		 * stops the run before anything is loaded or moved */
		if (jx_mkdirs(o->out) || pending_save(n) ||
		    !(n->log = log_open(o->out, n->log_path, sizeof n->log_path))) {
			snprintf(n->error, sizeof n->error, "cannot write under %s: %s", o->out,
				 strerror(errno));
			n->log_path[0] = 0;
			return -1;
		}
	}
	for (int i = 0; i < 2; i++)
		if (renamed[i][0])
			logf_(n, "%s", renamed[i]);
	if (n->log)
		loader_lines_header(n->log);
	return 0;
}

/* Moves a handled file away; a failure is counted and said, and the run
 * goes on with the next file (the file is handled again next run, as the
 * same delivery). */
static void nightly_move(struct nightly *n, const char *name, const char *dest)
{
	if (inbox_move(n->inbox_fd, name, dest)) {
		n->move_failures++;
		int e = errno;
		logf_(n, "cannot move %s to %s/: %s", JX_VISIBLE(name), dest, strerror(e));
		say(n, "cannot move %s to %s/: %s; it stays in the inbox", JX_VISIBLE(name), dest,
		    strerror(e));
		return;
	}
	logf_(n, "%s -> %s/", JX_VISIBLE(name), dest);
}

/* Loads one inbox file and moves it. Returns 0, or -1 on a failure of the
 * store (the file stays in the inbox for the next run). A file that cannot
 * be read is the operator's problem: counted, said, left where it is. */
static int nightly_file(struct nightly *n, const struct inbox_file *f, size_t i, size_t total)
{
	char path[4400];
	snprintf(path, sizeof path, "%s/%s", n->o.inbox, f->name);
	if (n->o.progress)
		n->o.progress(n->o.ctx, i, total, f->name);
	n->files++;
	if (f->is_link) {
		/* a link could point anywhere on the machine: it is not read */
		logf_(n, "%s: a symbolic link, not read; moved to rejected/", JX_VISIBLE(f->name));
		n->files_rejected++;
		nightly_move(n, f->name, "rejected");
		return 0;
	}
	size_t before = n->ld.submissions;
	int rc = loader_file(&n->ld, path, n->o.received_at);
	if (rc == LOADER_UNREADABLE) {
		n->unreadable++;
		logf_(n, "not read: %s; nothing loaded from it, not moved", n->ld.error);
		say(n,
		    "%s; nothing was loaded from it and it was not moved (a problem of this "
		    "machine, not of the district)",
		    n->ld.error);
		return 0;
	}
	if (rc)
		return -1;
	if (n->pending_failed) {
		/* the reports owed could not be recorded: stop before the file
		 * leaves the inbox, so the next run loads it again and owes them */
		snprintf(n->ld.error, sizeof n->ld.error, "cannot write %s/.pending: %s", n->o.out,
			 strerror(errno));
		return -1;
	}
	size_t subs = n->ld.submissions - before;
	const char *dest;
	if (subs && n->ld.file_unchanged == subs) {
		n->files_skipped++;
		dest = "processed";
		logf_(n, "%s: already handled (the same delivery), nothing changed",
		      JX_VISIBLE(f->name));
	} else if (n->ld.file_rejected) {
		n->files_rejected++;
		dest = "rejected";
	} else {
		n->files_accepted++;
		dest = "processed";
	}
	nightly_move(n, f->name, dest);
	return 0;
}

int nightly_load(struct nightly *n)
{
	n->ld.lines = n->log;
	n->ld.findings = n->o.findings;
	n->ld.on_submission = nightly_submission;
	n->ld.ctx = n;
	if (n->o.findings)
		findings_csv_header(n->o.findings);
	for (size_t i = 0; i < n->n_list; i++) {
		if (nightly_file(n, &n->list[i], i, n->n_list)) {
			snprintf(n->error, sizeof n->error,
				 "%s; stopped at %s, which stays in the inbox for the next run",
				 n->ld.error[0] ? n->ld.error : strerror(errno),
				 JX_VISIBLE(n->list[i].name));
			logf_(n, "stopped: %s", n->ld.error);
			return -1;
		}
	}
	return 0;
}

/* ---- the report phase --------------------------------------------------- */

/* One report's outcome: counted, logged (with before, the tally before
 * it: whether it was left as it was), and a failure said. */
static void report_done(struct nightly *n, const char *what, int rc, const char *err,
			const struct report_tally *before)
{
	if (!rc) {
		n->reports++;
		if (!before) /* said before the listings' paths */
			return;
		if (n->tally.written == before->written && n->tally.removed == before->removed &&
		    n->tally.unchanged != before->unchanged)
			logf_(n, "report: %s (unchanged, left as it was)", what);
		else
			logf_(n, "report: %s", what);
		return;
	}
	n->report_failures++;
	logf_(n, "report %s failed: %s", what, err);
	say(n, "report %s failed: %s; see the log", what, err);
}

static void log_path_fn(void *ctx, const char *path)
{
	struct nightly *n = ctx;
	if (n->log)
		fprintf(n->log, "%s\n", path);
}

/* The reports of month m of the year read into y. */
static void period_reports(struct nightly *n, struct store *st, const struct agg_year *y, int m)
{
	const struct jx_config *cfg = n->ld.cfg;
	char per[8], dir[4200], path[4300], err[8400];
	jx_period_format(y->year, m, per);
	snprintf(dir, sizeof dir, "%s/%s", n->o.out, per);
	if (jx_mkdirs(dir)) {
		n->report_failures++;
		logf_(n, "cannot create %s: %s", dir, strerror(errno));
		say(n, "cannot create %s: %s", dir, strerror(errno));
		return;
	}
	struct report_tally before = n->tally;
	snprintf(path, sizeof path, "%s/summary.csv", dir);
	int rc = report_summary_write_from(st, cfg, y, m, 0, path, &n->tally, err, sizeof err);
	report_done(n, path, rc, err, &before);

	before = n->tally;
	snprintf(path, sizeof path, "%s/summary.xlsx", dir);
	rc = report_summary_write_from(st, cfg, y, m, 1, path, &n->tally, err, sizeof err);
	report_done(n, path, rc, err, &before);

	before = n->tally;
	snprintf(path, sizeof path, "%s/status.csv", dir);
	rc = report_status_write_tally(st, cfg, y->year, m, path, &n->tally, err, sizeof err);
	report_done(n, path, rc, err, &before);

	snprintf(path, sizeof path, "%s/feedback", dir);
	logf_(n, "report: %s", path);
	rc = report_feedback_write_each(st, cfg, y->year, m, NULL, path, log_path_fn, n, &n->tally,
					NULL, err, sizeof err);
	report_done(n, path, rc, err, NULL);
}

void nightly_reports(struct nightly *n, struct store *st, int ok)
{
	const struct jx_config *cfg = n->ld.cfg;
	int done[NIGHTLY_MAX_PERIODS] = {0};
	/* a year at a time: its months read from the store once, for the
	 * summaries of its periods and its attainment */
	for (size_t i = 0; i < n->n_periods; i++) {
		if (done[i])
			continue;
		int year = n->periods[i] / 12;
		unsigned months = REPORT_MONTHS_OF_YEAR;
		for (size_t j = i; j < n->n_periods; j++)
			if (n->periods[j] / 12 == year && n->periods[j] % 12 == 0)
				months |= 1u; /* January's 环比: December before */
		struct agg_year y;
		memset(&y, 0, sizeof y);
		char err[8400];
		if (report_input_load(st, cfg, year, months, &y, err, sizeof err)) {
			agg_year_release(&y);
			for (size_t j = i; j < n->n_periods; j++)
				if (n->periods[j] / 12 == year) {
					done[j] = 1;
					n->report_failures++;
				}
			logf_(n, "reports of %d failed: %s", year, err);
			say(n, "reports of %d failed: %s; see the log", year, err);
			continue;
		}
		for (size_t j = i; j < n->n_periods; j++)
			if (n->periods[j] / 12 == year) {
				done[j] = 1;
				period_reports(n, st, &y, n->periods[j] % 12 + 1);
			}
		char path[4300];
		const char *ext[] = {"csv", "xlsx"};
		for (int x = 0; x < 2; x++) {
			struct report_tally before = n->tally;
			snprintf(path, sizeof path, "%s/attainment-%d.%s", n->o.out, year % 10000,
				 ext[x]);
			int rc = report_attainment_write_from(cfg, &y, 0, x, path, &n->tally, err,
							      sizeof err);
			report_done(n, path, rc, err, &before);
		}
		agg_year_release(&y);
	}
	if (!n->report_failures && ok)
		pending_clear(n);
}

int nightly_end(struct nightly *n, double seconds)
{
	int rc = 0;
	if (n->log) {
		logf_(
		    n,
		    "done: %zu files, %zu reports (%zu files written, %zu unchanged, %zu removed), "
		    "%.2f s",
		    n->files, n->reports, n->tally.written, n->tally.unchanged, n->tally.removed,
		    seconds);
		if (fclose(n->log))
			rc = -1;
		n->log = NULL;
	}
	inbox_files_free(n->list, n->n_list);
	n->list = NULL;
	n->n_list = 0;
	if (n->inbox_fd >= 0)
		close(n->inbox_fd);
	n->inbox_fd = -1;
	return rc;
}
