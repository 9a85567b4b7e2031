/* jianxi feedback: for each configured district with something to fix in a
 * period (findings on its latest version, lateness, or no form at all after
 * the deadline) writes DIR/<code>/<P>.csv and .xlsx (reports/feedback). */
#include "../etl/store.h"
#include "../pipeline/reports.h"
#include "commands.h"
#include "common.h"
#include <stdio.h>

#define PROG "jianxi feedback"


static void feedback_usage(FILE *f)
{
	fputs("usage: jianxi feedback --period YYYY-MM --out DIR [--config DIR] "
	      "[--store URL]\n\n"
	      "Writes what goes back to each district for the month: for every\n"
	      "configured district whose latest version has findings, that was\n"
	      "late, or that sent nothing by the deadline, DIR/<code>/<P>.csv (the\n"
	      "findings CSV, UTF-8 with BOM for Excel) and DIR/<code>/<P>.xlsx\n"
	      "(问题清单, and 原表 with each offending cell marked). A district\n"
	      "with nothing to fix gets no files; older listings of it for the\n"
	      "month are removed.\n\n"
	      "  --period P   the month, YYYY-MM\n"
	      "  --out DIR    the folder to write into\n"
	      "  --config DIR config folder (else $JIANXI_CONFIG, else ./config)\n"
	      "  --store URL  dir:PATH or PostgreSQL (else $JIANXI_STORE, else\n"
	      "               dir:./warehouse)\n"
	      "\nPrints every path written. Exit 0 done, 2 usage or config error,\n"
	      "3 store or I/O failure.\n",
	      f);
}

/* Prints each listing's path as it is written. */
static void print_path(void *ctx, const char *path)
{
	(void)ctx;
	printf("%s\n", path);
}

static int run(const struct cmd_opts *o, const struct jx_config *cfg, struct store *st,
	       int year, int month)
{
	char err[8400];
	int bad_code = 0, rc = 0;
	cmd_keep_freed_memory();
	if (report_feedback_write_each(st, cfg, year, month, NULL, o->out, print_path, NULL, NULL,
				       &bad_code, err, sizeof err)) {
		fflush(stdout);
		fprintf(stderr, PROG ": %s\n", err);
		rc = bad_code ? JX_EXIT_USAGE : JX_EXIT_ENV;
	}
	if (fflush(stdout) && !rc)
		rc = JX_EXIT_ENV;
	return rc;
}

int cmd_feedback(int argc, char **argv)
{
	struct cmd_opts o;
	if (cmd_parse_opts(PROG, argc, argv, OPT_CONFIG | OPT_STORE | OPT_PERIOD | OPT_OUT, &o)) {
		feedback_usage(stderr);
		return JX_EXIT_USAGE;
	}
	if (o.help) {
		feedback_usage(stdout);
		return JX_EXIT_OK;
	}
	if (!o.period || !o.out || !*o.out) {
		fputs(PROG ": --period and --out are required\n", stderr);
		feedback_usage(stderr);
		return JX_EXIT_USAGE;
	}
	int year, month;
	if (cmd_parse_period(o.period, &year, &month)) {
		fprintf(stderr,
			PROG
			": bad --period '%s'\nHINT: write the month as YYYY-MM, e.g. 2023-09\n",
			o.period);
		return JX_EXIT_USAGE;
	}
	struct jx_config cfg;
	int rc = cmd_config_load(PROG, o.config, &cfg);
	if (rc)
		return rc;
	struct store *st = NULL;
	rc = cmd_store_open(PROG, o.store, 0, &st);
	if (!rc) {
		rc = run(&o, &cfg, st, year, month);
		store_close(st);
	}
	jx_config_release(&cfg);
	return rc;
}
