/* jianxi nightly --inbox DIR --out DIR: the statistician's whole routine in
 * one scheduled command. Loads every new inbox file in order of receipt,
 * moves it to processed/ or rejected/ (input is never deleted), regenerates
 * the reports of the periods it touched, and prints a run summary. */
#include "../core/period.h"
#include "../etl/store.h"
#include "../pipeline/nightly.h"
#include "commands.h"
#include "common.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

static void say(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "jianxi nightly: %s\n", line);
}

static void progress(void *ctx, size_t i, size_t n, const char *name)
{
	(void)ctx;
	fprintf(stderr, "[%zu/%zu] %s\n", i + 1, n, JX_VISIBLE(name));
}

int cmd_nightly(int argc, char **argv)
{
	struct cmd_opts o;
	if (cmd_parse_opts("jianxi nightly", argc, argv,
			   OPT_CONFIG | OPT_STORE | OPT_INBOX | OPT_OUT | OPT_FINDINGS |
			       OPT_RECEIVED_AT,
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
	if (nightly_paths_overlap(o.inbox, o.out)) {
		fprintf(
		    stderr,
		    "jianxi nightly: --inbox %s and --out %s overlap: give two separate folders\n",
		    o.inbox, o.out);
		return JX_EXIT_USAGE;
	}
	struct nightly_opts no = {.inbox = o.inbox, .out = o.out, .say = say};
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct jx_config cfg;
	int rc = cmd_config_load("jianxi nightly", o.config, &cfg);
	if (rc)
		return rc;
	if (o.received_at && jx_time_parse(o.received_at, cfg.timezone, &no.received_at)) {
		fprintf(stderr, "jianxi nightly: --received-at '%s' is not an ISO-8601 time\n",
			o.received_at);
		jx_config_release(&cfg);
		return JX_EXIT_USAGE;
	}
	if (o.received_at && !no.received_at)
		no.received_at = -1; /* 0 would mean "when each file arrived"; 1969 is as good */
	/* JIANXI_INBOX_SETTLE: seconds a file must be unchanged (default 60) */
	const char *settle_env = getenv("JIANXI_INBOX_SETTLE");
	no.settle = settle_env && *settle_env &&
			    strspn(settle_env, "0123456789") == strlen(settle_env) &&
			    strlen(settle_env) < 7
			? atoi(settle_env)
			: 60;
	if (isatty(2))
		no.progress = progress;
	struct store *st;
	struct nightly n;
	int usage;
	struct stat sb;
	if (stat(o.inbox, &sb) || !S_ISDIR(sb.st_mode)) {
		fprintf(stderr, "jianxi nightly: the inbox %s is not a folder\n", o.inbox);
		jx_config_release(&cfg);
		return JX_EXIT_USAGE;
	}
	if ((rc = cmd_store_open("jianxi nightly", o.store, 1, &st))) {
		jx_config_release(&cfg);
		return rc;
	}
	struct jx_outfile fout = {0};
	if (nightly_begin(&n, &no, &cfg, st, &usage) ||
	    ((n.n_list || n.n_periods) && o.findings && jx_outfile_open(&fout, o.findings))) {
		if (!n.error[0])
			snprintf(n.error, sizeof n.error, "cannot write under %s: %s", o.out,
				 strerror(errno));
		fprintf(stderr, "jianxi nightly: %s\n", n.error);
		nightly_end(&n, 0);
		store_close(st);
		jx_config_release(&cfg);
		return usage ? JX_EXIT_USAGE : JX_EXIT_ENV;
	}
	n.o.findings = fout.f;
	rc = JX_EXIT_OK;
	if (nightly_load(&n)) {
		fprintf(stderr, "jianxi nightly: %s\n", n.error);
		rc = JX_EXIT_ENV;
	}
	/* the reports read the store: its lock is released first */
	store_close(st);
	if (n.n_periods) {
		if (cmd_store_open("jianxi nightly", o.store, 0, &st)) {
			n.report_failures++;
		} else {
			nightly_reports(&n, st, rc == JX_EXIT_OK);
			store_close(st);
		}
	}
	if (o.findings && fout.f && jx_outfile_commit(&fout)) {
		fprintf(stderr, "jianxi nightly: cannot write %s: %s\n", o.findings,
			strerror(errno));
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
	       n.files, n.files_accepted, n.files_rejected, n.files_skipped, n.held_back,
	       n.unreadable, n.ld.submissions, n.ld.accepted, n.ld.rejected, n.ld.unchanged,
	       n.ld.warnings, n.reports, n.report_failures ? " (some failed: see the log)" : "");
	for (size_t i = 0; i < n.n_periods; i++) {
		char per[8];
		jx_period_format(n.periods[i] / 12, n.periods[i] % 12 + 1, per);
		printf("%s%s", i ? " " : "", per);
	}
	printf("%s\nreports in: %s\nlog: %s\ntime: %.2f s\n", n.n_periods ? "" : "none", o.out,
	       n.log_path[0] ? n.log_path : "none (nothing new)", secs);
	if (nightly_end(&n, secs))
		rc = JX_EXIT_ENV;
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
