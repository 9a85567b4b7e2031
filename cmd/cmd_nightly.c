/* jianxi nightly --inbox DIR --out DIR: the statistician's whole routine in
 * one scheduled command. Loads every new inbox file in order of receipt,
 * moves it to processed/ or rejected/ (input is never deleted), regenerates
 * the reports of the periods it touched, and prints a run summary. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
#include "loader.h"

extern char **environ;

static const char usage_text[] =
	"usage: jianxi nightly --inbox DIR --out DIR [--config DIR] [--store URL]\n"
	"                      [--findings FILE]\n"
	"\n"
	"Loads every file in the inbox in order of receipt (modification time),\n"
	"moves each to INBOX/processed/ or INBOX/rejected/, then writes under OUT\n"
	"the summaries of the periods touched, the attainment of their years, the\n"
	"status lists and the district feedback, and a log under OUT/logs/.\n"
	"A file already loaded (same content) is skipped; a run with nothing new\n"
	"changes nothing. A file changed in the last minute (an upload still\n"
	"being written; $JIANXI_INBOX_SETTLE seconds) waits for the next run.\n"
	"\n"
	"  --inbox DIR       where districts' files arrive\n"
	"  --out DIR         where reports and logs go\n"
	"  --config DIR      config folder (default $JIANXI_CONFIG or ./config)\n"
	"  --store URL       dir:PATH or a PostgreSQL connection string\n"
	"  --findings FILE   write every finding of the run as CSV to FILE\n"
	"  -h, --help        this text\n"
	"\n"
	"Exit: 0 all accepted, 1 some file rejected, 2 usage or config error,\n"
	"3 store or I/O failure.\n";

#define MAX_INBOX_FILES 100000
#define MAX_PERIODS 240

struct inbox_file {
	char *name;
	int64_t mtime;
	int64_t mtime_ns;
	int is_link;
};

struct nightly {
	const char *inbox, *out, *config, *store_url;
	FILE *log;
	int progress;         /* stderr is a terminal */
	struct loader ld;
	int periods[MAX_PERIODS]; /* period indexes touched */
	size_t n_periods;
	size_t files, files_accepted, files_rejected, files_skipped, reports, report_failures;
	int pending_failed;   /* OUT/.pending could not be written */
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
	if (x->mtime != y->mtime)
		return x->mtime < y->mtime ? -1 : 1;
	if (x->mtime_ns != y->mtime_ns)
		return x->mtime_ns < y->mtime_ns ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The inbox's files in order of receipt; folders (processed/, rejected/)
 * and hidden files are left alone, and so are files changed in the last
 * settle seconds: an upload still being written waits for the next run. */
static struct inbox_file *inbox_list(const char *inbox, int settle, size_t *n, int *err)
{
	time_t now = time(NULL);
	DIR *d = opendir(inbox);
	*n = 0;
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
		char path[4096];
		struct stat st;
		snprintf(path, sizeof path, "%s/%s", inbox, e->d_name);
		if (lstat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode))
			continue;
		if (settle > 0 && st.st_mtime > now - settle && st.st_mtime <= now)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			struct inbox_file *nf = realloc(files, cap * sizeof *nf);
			if (!nf)
				break;
			files = nf;
		}
		files[*n].name = strdup(e->d_name);
		files[*n].mtime = st.st_mtim.tv_sec;
		files[*n].mtime_ns = st.st_mtim.tv_nsec;
		files[*n].is_link = S_ISLNK(st.st_mode);
		if (files[*n].name)
			(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(files, *n, sizeof *files, file_cmp);
	return files;
}

/* Moves inbox/name into inbox/sub/, never over an existing file. */
static int inbox_move(const char *inbox, const char *name, const char *sub)
{
	char dir[4096], from[4096], to[4200];
	snprintf(dir, sizeof dir, "%s/%s", inbox, sub);
	if (cmd_mkdirs(dir))
		return -1;
	snprintf(from, sizeof from, "%s/%s", inbox, name);
	snprintf(to, sizeof to, "%s/%s", dir, name);
	for (int i = 1; i < 10000; i++) {
		struct stat st;
		if (lstat(to, &st) && errno == ENOENT)
			break;
		snprintf(to, sizeof to, "%s/%s.%d", dir, name, i);
	}
	return rename(from, to);
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
		if (cmd_mkdirs(dir)) {
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
	struct cmd_outfile o;
	if (cmd_mkdirs(n->out) || cmd_outfile_open(&o, path))
		return -1;
	for (size_t i = 0; i < n->n_periods; i++) {
		char per[8];
		jx_period_format(n->periods[i] / 12, n->periods[i] % 12 + 1, per);
		fprintf(o.f, "%s\n", per);
	}
	return cmd_outfile_commit(&o);
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

/* Loads one inbox file and moves it. Returns 0, or -1 on a failure of the
 * store or the file system (the file stays in the inbox for the next run). */
static int nightly_file(struct nightly *n, const struct inbox_file *f, size_t i, size_t total)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", n->inbox, f->name);
	if (n->progress)
		fprintf(stderr, "[%zu/%zu] %s\n", i + 1, total, JX_VISIBLE(f->name));
	n->files++;
	if (f->is_link) {
		/* a link could point anywhere on the machine: it is not read */
		logf_(n, "%s: a symbolic link, not read; moved to rejected/", JX_VISIBLE(f->name));
		n->files_rejected++;
		return inbox_move(n->inbox, f->name, "rejected");
	}
	size_t before = n->ld.submissions;
	if (loader_file(&n->ld, path, f->mtime))
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
		logf_(n, "%s: already loaded (same content), nothing changed", JX_VISIBLE(f->name));
	} else if (n->ld.file_rejected) {
		n->files_rejected++;
		dest = "rejected";
	} else {
		n->files_accepted++;
		dest = "processed";
	}
	if (inbox_move(n->inbox, f->name, dest)) {
		snprintf(n->ld.error, sizeof n->ld.error, "cannot move %s to %s/: %s", JX_VISIBLE(f->name), dest,
			 strerror(errno));
		return -1;
	}
	logf_(n, "%s -> %s/", JX_VISIBLE(f->name), dest);
	return 0;
}

static FILE *log_open(const char *out, char *path, size_t size)
{
	char dir[4200];
	snprintf(dir, sizeof dir, "%s/logs", out);
	if (cmd_mkdirs(dir))
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
			   OPT_CONFIG | OPT_STORE | OPT_INBOX | OPT_OUT | OPT_FINDINGS, &o)) {
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
	struct nightly n = {.inbox = o.inbox, .out = o.out, .config = o.config, .store_url = o.store};
	const char *findings = o.findings;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct jx_config cfg;
	int rc = cmd_config_load("jianxi nightly", n.config, &cfg);
	if (rc)
		return rc;
	struct stat st;
	if (stat(n.inbox, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "jianxi nightly: the inbox %s is not a folder\n", n.inbox);
		jx_config_release(&cfg);
		return JX_EXIT_USAGE;
	}
	if ((rc = cmd_store_open("jianxi nightly", n.store_url, 1, &n.ld.st))) {
		jx_config_release(&cfg);
		return rc;
	}
	size_t n_files;
	int err;
	/* JIANXI_INBOX_SETTLE: seconds a file must be unchanged (default 60) */
	const char *settle_env = getenv("JIANXI_INBOX_SETTLE");
	int settle = settle_env && *settle_env && strspn(settle_env, "0123456789") == strlen(settle_env) &&
			     strlen(settle_env) < 7
			     ? atoi(settle_env)
			     : 60;
	struct inbox_file *files = inbox_list(n.inbox, settle, &n_files, &err);
	if (err) {
		fprintf(stderr, "jianxi nightly: cannot read the inbox %s: %s\n", n.inbox, strerror(err));
		store_close(n.ld.st);
		jx_config_release(&cfg);
		return JX_EXIT_ENV;
	}
	char log_path[4400] = "";
	struct cmd_outfile fout = {0};
	pending_load(&n);
	if (n_files || n.n_periods) {
		/* .pending is written first: an out folder that cannot be written
		 * stops the run before anything is loaded or moved */
		if (cmd_mkdirs(n.out) || pending_save(&n) ||
		    !(n.log = log_open(n.out, log_path, sizeof log_path)) ||
		    (findings && cmd_outfile_open(&fout, findings))) {
			fprintf(stderr, "jianxi nightly: cannot write under %s: %s\n", n.out, strerror(errno));
			if (n.log)
				fclose(n.log);
			for (size_t i = 0; i < n_files; i++)
				free(files[i].name);
			free(files);
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
	/* reports read the store: release its lock first */
	store_close(n.ld.st);
	if (n.n_periods) {
		reports_write(&n);
		if (!n.report_failures && rc == JX_EXIT_OK)
			pending_clear(&n);
	}
	if (findings && fout.f && cmd_outfile_commit(&fout)) {
		fprintf(stderr, "jianxi nightly: cannot write %s: %s\n", findings, strerror(errno));
		rc = JX_EXIT_ENV;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("files seen: %zu\n"
	       "accepted: %zu\n"
	       "rejected: %zu\n"
	       "skipped (already loaded): %zu\n"
	       "submissions: %zu (%zu accepted, %zu rejected, %zu unchanged)\n"
	       "warnings: %zu\n"
	       "reports written: %zu%s\n"
	       "periods: ",
	       n.files, n.files_accepted, n.files_rejected, n.files_skipped, n.ld.submissions,
	       n.ld.accepted, n.ld.rejected, n.ld.unchanged, n.ld.warnings, n.reports,
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
	if (n.report_failures)
		return JX_EXIT_ENV;
	return n.files_rejected ? JX_EXIT_FINDINGS : JX_EXIT_OK;
}
