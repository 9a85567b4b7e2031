/* jianxi status --period P: who submitted, for chasing districts (催报):
 * on_time, late, missing or rejected, from the version in force. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "../etl/store.h"
#include "../pipeline/approval.h"
#include "../pipeline/status.h"
#include "commands.h"
#include "common.h"

static const char usage_text[] =
	"usage: jianxi status --period YYYY-MM [--config DIR] [--store URL] [-o FILE]\n"
	"\n"
	"Lists every configured district with the state of its submission for\n"
	"the period: on_time, late, missing or rejected (the version in force\n"
	"decides: a rejected file corrected on time is on_time).\n"
	"\n"
	"  --period YYYY-MM    the month\n"
	"  --config DIR        config folder (default $JIANXI_CONFIG or ./config)\n"
	"  --store URL         dir:PATH or a PostgreSQL connection string\n"
	"  -o, --output FILE   write the CSV to FILE instead of stdout\n"
	"  -h, --help          this text\n";

int cmd_status(int argc, char **argv)
{
	struct cmd_opts o;
	if (cmd_parse_opts("jianxi status", argc, argv, OPT_CONFIG | OPT_STORE | OPT_PERIOD | OPT_OUTPUT, &o)) {
		fputs(usage_text, stderr);
		return JX_EXIT_USAGE;
	}
	if (o.help) {
		fputs(usage_text, stdout);
		return JX_EXIT_OK;
	}
	int year, month;
	if (!o.period || cmd_parse_period(o.period, &year, &month)) {
		fprintf(stderr, "jianxi status: %s\n",
			!o.period ? "--period YYYY-MM is required" : "--period must be YYYY-MM");
		fputs(usage_text, stderr);
		return JX_EXIT_USAGE;
	}
	struct jx_config cfg;
	int rc = cmd_config_load("jianxi status", o.config, &cfg);
	if (rc)
		return rc;
	struct store *st;
	if ((rc = cmd_store_open("jianxi status", o.store, 0, &st))) {
		jx_config_release(&cfg);
		return rc;
	}
	char err[512], note[2048];
	struct status_month sm;
	if (status_read(st, &cfg, year, month, &sm, err, sizeof err)) {
		fprintf(stderr, "jianxi status: %s\n", err);
		status_month_release(&sm);
		store_close(st);
		jx_config_release(&cfg);
		return JX_EXIT_ENV;
	}
	/* The status CSV's columns are fixed: the month's sign-off is said on
	 * stderr, once the city has approved it. */
	struct approval_month am;
	if (approval_month_read(st, &cfg, year, month, &am, err, sizeof err)) {
		fprintf(stderr, "jianxi status: store: %s\n", err);
		status_month_release(&sm);
		store_close(st);
		jx_config_release(&cfg);
		return JX_EXIT_ENV;
	}
	store_close(st);
	if (am.approvals) {
		approval_month_note(&am, &cfg, note, sizeof note);
		fprintf(stderr, "jianxi status: %s %s\n", o.period, note + strlen("说明："));
	}
	struct jx_outfile out = {0};
	FILE *f = stdout;
	if (o.output) {
		if (jx_outfile_open(&out, o.output)) {
			fprintf(stderr, "jianxi status: cannot write %s: %s\n", o.output, strerror(errno));
			status_month_release(&sm);
			jx_config_release(&cfg);
			return JX_EXIT_ENV;
		}
		f = out.f;
	}
	status_write_csv(f, &cfg, &sm);
	status_month_release(&sm);
	jx_config_release(&cfg);
	int unchanged;
	if (o.output ? jx_outfile_commit_if_changed(&out, &unchanged) : fflush(stdout)) {
		fprintf(stderr, "jianxi status: cannot write %s: %s\n", o.output ? o.output : "to stdout",
			strerror(errno));
		return JX_EXIT_ENV;
	}
	if (o.output)
		printf("%s\n", o.output);
	return JX_EXIT_OK;
}
