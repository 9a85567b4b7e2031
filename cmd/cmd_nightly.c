/* jianxi nightly --inbox DIR --out DIR: the statistician's whole routine in
 * one scheduled command. Loads every new inbox file in order of receipt,
 * moves it to processed/ or rejected/ (input is never deleted), regenerates
 * the reports of the periods it touched, and prints a run summary. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "../core/period.h"
#include "../etl/store.h"
#include "../reports/findings_csv.h"
#include "commands.h"
#include "common.h"
#include "../pipeline/loader.h"

extern char **environ;

static const char usage_text[] =
	"usage: jianxi nightly --inbox DIR --out DIR [--config DIR] [--store URL]\n"
	"                      [--findings FILE] [--received-at TIME]\n"
	"\n"
	"Loads every file in the inbox in order of receipt, moves each to\n"
	"INBOX/processed/ or INBOX/rejected/, then writes under OUT the summaries\n"
	"of the periods touched, the attainment of their years, the status lists\n"
	"and the district feedback, and a log under OUT/logs/.\n"
	"A file is received when it arrived in the inbox by this machine's clock\n"
	"(its inode change time), never by its modification time, which copies\n"
	"keep. The same delivery (the same file received at the same time, as\n"
	"when a run is repeated or resumed after a crash) is not loaded twice; the\n"
	"same file received again later is a new delivery and is checked again.\n"
	"A file changed in the last minute (an upload still being written;\n"
	"$JIANXI_INBOX_SETTLE seconds) waits for the next run. A file that cannot\n"
	"be read stays where it is and the run exits 3; the others are loaded.\n"
	"\n"
	"  --inbox DIR         where districts' files arrive\n"
	"  --out DIR           where reports and logs go (apart from the inbox)\n"
	"  --config DIR        config folder (default $JIANXI_CONFIG or ./config)\n"
	"  --store URL         dir:PATH or a PostgreSQL connection string\n"
	"  --findings FILE     write every finding of the run as CSV to FILE\n"
	"  --received-at TIME  every file of this run was received at TIME\n"
	"                      (ISO-8601): replaying an archived inbox\n"
	"  -h, --help          this text\n"
	"\n"
	"Exit: 0 all accepted, 1 some file rejected, 2 usage or config error,\n"
	"3 store or I/O failure, or a file that could not be read.\n";

#define MAX_INBOX_FILES 100000
#define MAX_PERIODS 240

struct inbox_file {
	char *name;
	int64_t ctime;	  /* arrival in the inbox, by this machine's clock */
	int64_t ctime_ns;
	int is_link;
};

struct nightly {
	const char *inbox, *out, *config, *store_url;
	int inbox_fd;         /* the inbox folder, for moving files */
	int64_t received_at;  /* --received-at, or 0 */
	FILE *log;
	int progress;         /* stderr is a terminal */
	struct loader ld;
	int periods[MAX_PERIODS]; /* period indexes touched */
	size_t n_periods;
	size_t files, files_accepted, files_rejected, files_skipped, reports, report_failures;
	size_t held_back;     /* changed in the last settle seconds */
	size_t unreadable;    /* could not be read: the operator's problem */
	size_t move_failures; /* handled, but could not be moved away */
	int pending_failed;   /* OUT/.pending could not be written */
	char renamed[2][192];  /* files renamed out of the way, for the log */
};

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

static int file_cmp(const void *a, const void *b)
{
	const struct inbox_file *x = a, *y = b;
	if (x->ctime != y->ctime)
		return x->ctime < y->ctime ? -1 : 1;
	if (x->ctime_ns != y->ctime_ns)
		return x->ctime_ns < y->ctime_ns ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The inbox's files in order of arrival (inode change time: set by the
 * kernel when the file is created, renamed in, written or its times are
 * set, and never by the sender); folders (processed/, rejected/) and
 * hidden files are left alone, and so are files changed in the last settle
 * seconds (counted in *held): an upload still being written waits for the
 * next run. */
static struct inbox_file *inbox_list(const char *inbox, int settle, size_t *n, size_t *held,
				     int *err)
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
	while ((e = readdir(d)) && *n < MAX_INBOX_FILES) {
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

/* Length of the valid UTF-8 sequence at s, or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

/* name with the suffix ".k" (none for k = 0) as a name of at most NAME_MAX
 * bytes: when too long, the part before the extension is cut at a character
 * boundary (whole UTF-8 characters; other bytes one by one), so the file
 * keeps its extension and its name stays valid UTF-8. */
static void fit_name(const char *name, int k, char *out, size_t size)
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
	size_t ext = dot && dot != name && len - (size_t)(dot - name) <= 16 ? len - (size_t)(dot - name) : 0;
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

/* Moves inbox/name into inbox/sub/, never over an existing file; a name
 * that is taken gets ".1", ".2", ... (shortened to fit when needed). */
static int inbox_move(struct nightly *n, const char *name, const char *sub)
{
	if (mkdirat(n->inbox_fd, sub, 0755) && errno != EEXIST)
		return -1;
	char to[NAME_MAX * 2 + 64], fitted[NAME_MAX + 32];
	for (int k = 0; k < 100000; k++) {
		fit_name(name, k, fitted, sizeof fitted);
		snprintf(to, sizeof to, "%s/%s", sub, fitted);
		struct stat st;
		if (fstatat(n->inbox_fd, to, &st, AT_SYMLINK_NOFOLLOW) && errno == ENOENT)
			return renameat(n->inbox_fd, name, n->inbox_fd, to);
	}
	errno = EEXIST;
	return -1;
}

/* A file a district named "processed" or "rejected" would keep those
 * folders from being made, and every file from being moved: it is renamed
 * aside (as "processed.1") and loaded like any other. */
static void inbox_clear_way(struct nightly *n, const char *sub, char note[192])
{
	struct stat st;
	if (fstatat(n->inbox_fd, sub, &st, AT_SYMLINK_NOFOLLOW) || S_ISDIR(st.st_mode))
		return;
	char aside[64];
	for (int k = 1; k < 10000; k++) {
		snprintf(aside, sizeof aside, "%s.%d", sub, k);
		if (fstatat(n->inbox_fd, aside, &st, AT_SYMLINK_NOFOLLOW) && errno == ENOENT) {
			if (renameat(n->inbox_fd, sub, n->inbox_fd, aside) == 0)
				snprintf(note, 192, "a file named %s was in the way of the %s/ folder; renamed to %s",
					 sub, sub, aside);
			return;
		}
	}
}

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
	char *parent = slash ? (slash == copy ? strdup("/") : strndup(copy, (size_t)(slash - copy))) : strdup(".");
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

static void note_period(struct nightly *n, int idx)
{
	for (size_t i = 0; i < n->n_periods; i++)
		if (n->periods[i] == idx)
			return;
	if (n->n_periods < MAX_PERIODS)
		n->periods[n->n_periods++] = idx;
}

/* Runs this program with args, its output going to the log. Returns its
 * exit code, or -1 when it could not start. */
static int run_self(struct nightly *n, const char *const *args)
{
	char *argv[32];
	size_t k = 0;
	argv[k++] = (char *)"jianxi";
	for (size_t i = 0; args[i] && k < 30; i++)
		argv[k++] = (char *)args[i];
	argv[k] = NULL;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (n->log) {
		posix_spawn_file_actions_adddup2(&fa, fileno(n->log), 1);
		posix_spawn_file_actions_adddup2(&fa, fileno(n->log), 2);
	}
	pid_t pid;
	int rc = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc)
		return -1;
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* One report: runs it and counts the outcome. */
static void report(struct nightly *n, const char *what, const char *const *args)
{
	logf_(n, "report: %s", what);
	int rc = run_self(n, args);
	if (rc == 0 || rc == 1) {
		n->reports++;
	} else {
		n->report_failures++;
		logf_(n, "report %s failed (exit %d)", what, rc);
		fprintf(stderr, "jianxi nightly: report %s failed (exit %d); see the log\n", what, rc);
	}
}

static void reports_write(struct nightly *n)
{
	const char *cfg_args[2] = {n->config ? "--config" : NULL, n->config};
	char store[4200];
	snprintf(store, sizeof store, "%s", cmd_store_url(n->store_url));
	int years[MAX_PERIODS];
	size_t n_years = 0;
	for (size_t i = 0; i < n->n_periods; i++) {
		int y = n->periods[i] / 12, m = n->periods[i] % 12 + 1;
		char per[8], dir[4200], csv[4300], xlsx[4300], status[4300], fb[4300];
		jx_period_format(y, m, per);
		snprintf(dir, sizeof dir, "%s/%s", n->out, per);
		if (jx_mkdirs(dir)) {
			n->report_failures++;
			fprintf(stderr, "jianxi nightly: cannot create %s: %s\n", dir, strerror(errno));
			continue;
		}
		snprintf(csv, sizeof csv, "%s/summary.csv", dir);
		snprintf(xlsx, sizeof xlsx, "%s/summary.xlsx", dir);
		snprintf(status, sizeof status, "%s/status.csv", dir);
		snprintf(fb, sizeof fb, "%s/feedback", dir);
		const char *a1[] = {"summary", "--period", per, "--store", store, "-o", csv, cfg_args[0], cfg_args[1], NULL};
		report(n, csv, a1);
		const char *a2[] = {"summary", "--period", per, "--store", store, "--format", "xlsx", "-o", xlsx,
				    cfg_args[0], cfg_args[1], NULL};
		report(n, xlsx, a2);
		const char *a3[] = {"status", "--period", per, "--store", store, "-o", status, cfg_args[0], cfg_args[1], NULL};
		report(n, status, a3);
		const char *a4[] = {"feedback", "--period", per, "--store", store, "--out", fb, cfg_args[0], cfg_args[1], NULL};
		report(n, fb, a4);
		size_t j;
		for (j = 0; j < n_years && years[j] != y; j++)
			;
		if (j == n_years)
			years[n_years++] = y;
	}
	for (size_t i = 0; i < n_years; i++) {
		char year[8], csv[4300], xlsx[4300];
		snprintf(year, sizeof year, "%d", years[i] % 10000);
		snprintf(csv, sizeof csv, "%s/attainment-%s.csv", n->out, year);
		snprintf(xlsx, sizeof xlsx, "%s/attainment-%s.xlsx", n->out, year);
		const char *a1[] = {"attainment", "--year", year, "--store", store, "-o", csv, cfg_args[0], cfg_args[1], NULL};
		report(n, csv, a1);
		const char *a2[] = {"attainment", "--year", year, "--store", store, "--format", "xlsx", "-o", xlsx,
				    cfg_args[0], cfg_args[1], NULL};
		report(n, xlsx, a2);
	}
}

/* The periods whose reports are owed, kept in OUT/.pending from the moment a
 * submission is stored until the reports are written: a run killed in
 * between leaves them for the next run, even when its inbox is empty. */
static int pending_save(struct nightly *n)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/.pending", n->out);
	struct jx_outfile o;
	if (jx_mkdirs(n->out) || jx_outfile_open(&o, path))
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
	snprintf(path, sizeof path, "%s/.pending", n->out);
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
	snprintf(path, sizeof path, "%s/.pending", n->out);
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

/* Moves a handled file away; a failure is counted and reported, and the
 * run goes on with the next file (the file is handled again next run, as
 * the same delivery). */
static void nightly_move(struct nightly *n, const char *name, const char *dest)
{
	if (inbox_move(n, name, dest)) {
		n->move_failures++;
		int e = errno;
		logf_(n, "cannot move %s to %s/: %s", JX_VISIBLE(name), dest, strerror(e));
		fprintf(stderr, "jianxi nightly: cannot move %s to %s/: %s; it stays in the inbox\n",
			JX_VISIBLE(name), dest, strerror(e));
		return;
	}
	logf_(n, "%s -> %s/", JX_VISIBLE(name), dest);
}

/* Loads one inbox file and moves it. Returns 0, or -1 on a failure of the
 * store (the file stays in the inbox for the next run). A file that cannot
 * be read is the operator's problem: counted, reported, left where it is. */
static int nightly_file(struct nightly *n, const struct inbox_file *f, size_t i, size_t total)
{
	char path[4400];
	snprintf(path, sizeof path, "%s/%s", n->inbox, f->name);
	if (n->progress)
		fprintf(stderr, "[%zu/%zu] %s\n", i + 1, total, JX_VISIBLE(f->name));
	n->files++;
	if (f->is_link) {
		/* a link could point anywhere on the machine: it is not read */
		logf_(n, "%s: a symbolic link, not read; moved to rejected/", JX_VISIBLE(f->name));
		n->files_rejected++;
		nightly_move(n, f->name, "rejected");
		return 0;
	}
	size_t before = n->ld.submissions;
	int rc = loader_file(&n->ld, path, n->received_at);
	if (rc == LOADER_UNREADABLE) {
		n->unreadable++;
		logf_(n, "not read: %s; nothing loaded from it, not moved", n->ld.error);
		fprintf(stderr,
			"jianxi nightly: %s; nothing was loaded from it and it was not moved (a problem "
			"of this machine, not of the district)\n",
			n->ld.error);
		return 0;
	}
	if (rc)
		return -1;
	if (n->pending_failed) {
		/* the reports owed could not be recorded: stop before the file
		 * leaves the inbox, so the next run loads it again and owes them */
		snprintf(n->ld.error, sizeof n->ld.error, "cannot write %s/.pending: %s", n->out,
			 strerror(errno));
		return -1;
	}
	size_t subs = n->ld.submissions - before;
	const char *dest;
	if (subs && n->ld.file_unchanged == subs) {
		n->files_skipped++;
		dest = "processed";
		logf_(n, "%s: already handled (the same delivery), nothing changed", JX_VISIBLE(f->name));
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

int cmd_nightly(int argc, char **argv)
{
	struct cmd_opts o;
	if (cmd_parse_opts("jianxi nightly", argc, argv,
			   OPT_CONFIG | OPT_STORE | OPT_INBOX | OPT_OUT | OPT_FINDINGS | OPT_RECEIVED_AT,
			   &o)) {
		fputs(usage_text, stderr);
		return JX_EXIT_USAGE;
	}
	if (o.help) {
		fputs(usage_text, stdout);
		return JX_EXIT_OK;
	}
	if (!o.inbox || !o.out) {
		fputs("jianxi nightly: --inbox and --out are required\n", stderr);
		fputs(usage_text, stderr);
		return JX_EXIT_USAGE;
	}
	/* reports written into the inbox would be loaded as district files,
	 * and an inbox inside the out folder is a mix-up too */
	char *real_inbox = resolve_path(o.inbox), *real_out = resolve_path(o.out);
	int overlap = real_inbox && real_out &&
		      (path_within(real_out, real_inbox) || path_within(real_inbox, real_out));
	free(real_inbox);
	free(real_out);
	if (overlap) {
		fprintf(stderr, "jianxi nightly: --inbox %s and --out %s overlap: give two separate folders\n",
			o.inbox, o.out);
		return JX_EXIT_USAGE;
	}
	struct nightly n = {.inbox = o.inbox, .out = o.out, .config = o.config, .store_url = o.store,
			    .inbox_fd = -1};
	const char *findings = o.findings;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct jx_config cfg;
	int rc = cmd_config_load("jianxi nightly", n.config, &cfg);
	if (rc)
		return rc;
	if (o.received_at && jx_time_parse(o.received_at, cfg.timezone, &n.received_at)) {
		fprintf(stderr, "jianxi nightly: --received-at '%s' is not an ISO-8601 time\n", o.received_at);
		jx_config_release(&cfg);
		return JX_EXIT_USAGE;
	}
	if (o.received_at && !n.received_at)
		n.received_at = -1; /* 0 would mean "when each file arrived"; 1969 is as good */
	struct stat st;
	if (stat(n.inbox, &st) || !S_ISDIR(st.st_mode) ||
	    (n.inbox_fd = open(n.inbox, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "jianxi nightly: the inbox %s is not a folder\n", n.inbox);
		jx_config_release(&cfg);
		return JX_EXIT_USAGE;
	}
	if ((rc = cmd_store_open("jianxi nightly", n.store_url, 1, &n.ld.st))) {
		close(n.inbox_fd);
		jx_config_release(&cfg);
		return rc;
	}
	/* temporary files of runs killed before their rename; the store lock
	 * is held, so no other nightly writes here now */
	remove_stale_tmp(n.out, 4);
	inbox_clear_way(&n, "processed", n.renamed[0]);
	inbox_clear_way(&n, "rejected", n.renamed[1]);
	size_t n_files;
	int err;
	/* JIANXI_INBOX_SETTLE: seconds a file must be unchanged (default 60) */
	const char *settle_env = getenv("JIANXI_INBOX_SETTLE");
	int settle = settle_env && *settle_env && strspn(settle_env, "0123456789") == strlen(settle_env) &&
			     strlen(settle_env) < 7
			     ? atoi(settle_env)
			     : 60;
	struct inbox_file *files = inbox_list(n.inbox, settle, &n_files, &n.held_back, &err);
	if (err) {
		fprintf(stderr, "jianxi nightly: cannot read the inbox %s: %s\n", n.inbox, strerror(err));
		close(n.inbox_fd);
		store_close(n.ld.st);
		jx_config_release(&cfg);
		return JX_EXIT_ENV;
	}
	char log_path[4400] = "";
	struct jx_outfile fout = {0};
	pending_load(&n);
	if (n_files || n.n_periods) {
		/* .pending is written first: an out folder that cannot be written
		 * stops the run before anything is loaded or moved */
		if (jx_mkdirs(n.out) || pending_save(&n) ||
		    !(n.log = log_open(n.out, log_path, sizeof log_path)) ||
		    (findings && jx_outfile_open(&fout, findings))) {
			fprintf(stderr, "jianxi nightly: cannot write under %s: %s\n", n.out, strerror(errno));
			if (n.log)
				fclose(n.log);
			for (size_t i = 0; i < n_files; i++)
				free(files[i].name);
			free(files);
			close(n.inbox_fd);
			store_close(n.ld.st);
			jx_config_release(&cfg);
			return JX_EXIT_ENV;
		}
	}
	n.progress = isatty(2);
	n.ld.cfg = &cfg;
	n.ld.lines = n.log;
	n.ld.findings = fout.f;
	n.ld.on_submission = nightly_submission;
	n.ld.ctx = &n;
	for (int i = 0; i < 2; i++)
		if (n.renamed[i][0])
			logf_(&n, "%s", n.renamed[i]);
	if (n.log)
		loader_lines_header(n.log);
	if (fout.f)
		findings_csv_header(fout.f);
	rc = JX_EXIT_OK;
	for (size_t i = 0; i < n_files; i++) {
		if (nightly_file(&n, &files[i], i, n_files)) {
			fprintf(stderr, "jianxi nightly: %s; stopped at %s, which stays in the inbox for the next run\n",
				n.ld.error[0] ? n.ld.error : strerror(errno), JX_VISIBLE(files[i].name));
			logf_(&n, "stopped: %s", n.ld.error);
			rc = JX_EXIT_ENV;
			break;
		}
	}
	for (size_t i = 0; i < n_files; i++)
		free(files[i].name);
	free(files);
	close(n.inbox_fd);
	/* reports read the store: release its lock first */
	store_close(n.ld.st);
	if (n.n_periods) {
		reports_write(&n);
		if (!n.report_failures && rc == JX_EXIT_OK)
			pending_clear(&n);
	}
	if (findings && fout.f && jx_outfile_commit(&fout)) {
		fprintf(stderr, "jianxi nightly: cannot write %s: %s\n", findings, strerror(errno));
		rc = JX_EXIT_ENV;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("files seen: %zu\n"
	       "accepted: %zu\n"
	       "rejected: %zu\n"
	       "skipped (already handled: the same delivery): %zu\n"
	       "held back (still being written): %zu\n"
	       "not read (a problem of this machine, see stderr): %zu\n"
	       "submissions: %zu (%zu accepted, %zu rejected, %zu unchanged)\n"
	       "warnings: %zu\n"
	       "reports written: %zu%s\n"
	       "periods: ",
	       n.files, n.files_accepted, n.files_rejected, n.files_skipped, n.held_back, n.unreadable,
	       n.ld.submissions, n.ld.accepted, n.ld.rejected, n.ld.unchanged, n.ld.warnings, n.reports,
	       n.report_failures ? " (some failed: see the log)" : "");
	for (size_t i = 0; i < n.n_periods; i++) {
		char per[8];
		jx_period_format(n.periods[i] / 12, n.periods[i] % 12 + 1, per);
		printf("%s%s", i ? " " : "", per);
	}
	printf("%s\nreports in: %s\nlog: %s\ntime: %.2f s\n", n.n_periods ? "" : "none", n.out,
	       log_path[0] ? log_path : "none (nothing new)", secs);
	if (n.log) {
		logf_(&n, "done: %zu files, %zu reports, %.2f s", n.files, n.reports, secs);
		if (fclose(n.log))
			rc = JX_EXIT_ENV;
	}
	jx_config_release(&cfg);
	if (fflush(stdout))
		rc = JX_EXIT_ENV;
	if (rc)
		return rc;
	/* a file this machine could not read or move: the operator's to fix */
	if (n.report_failures || n.unreadable || n.move_failures)
		return JX_EXIT_ENV;
	return n.files_rejected ? JX_EXIT_FINDINGS : JX_EXIT_OK;
}
