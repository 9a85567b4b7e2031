/* jianxi check FILE...: ingest and validate, store nothing; print the
 * findings CSV. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/period.h"
#include "../etl/ingest.h"
#include "../reports/findings_csv.h"
#include "../transforms/rules.h"
#include "commands.h"
#include "common.h"

static const char usage_text[] =
	"usage: jianxi check [--config DIR] [--received-at TIME] FILE...\n"
	"\n"
	"Reads each file (XLSX or CSV, official form or flat export), checks it\n"
	"against the form's rules and prints every finding as CSV on stdout.\n"
	"Nothing is stored.\n"
	"\n"
	"  --config DIR        config folder (default $JIANXI_CONFIG or ./config)\n"
	"  --received-at TIME  when the files were received (ISO-8601); periods\n"
	"                      after it are reported as future (default: when\n"
	"                      the file arrived here, its inode change time)\n"
	"  -h, --help          this text\n"
	"\n"
	"Exit: 0 no errors, 1 data errors found, 2 usage or config error,\n"
	"3 I/O failure.\n";

struct check_run {
	size_t errors;
	int write_failed;
};

static int check_submission(void *vctx, struct jx_submission *s)
{
	struct check_run *run = vctx;
	rules_check(s);
	jx_findings_sort(&s->findings);
	findings_csv_write(stdout, &s->findings);
	run->errors += s->findings.errors;
	if (ferror(stdout)) {
		run->write_failed = 1;
		return 1;
	}
	return 0;
}

int cmd_check(int argc, char **argv)
{
	struct cmd_opts o;
	if (cmd_parse_opts("jianxi check", argc, argv, OPT_CONFIG | OPT_RECEIVED_AT | OPT_FILES, &o)) {
		fputs(usage_text, stderr);
		return JX_EXIT_USAGE;
	}
	if (o.help) {
		fputs(usage_text, stdout);
		return JX_EXIT_OK;
	}
	if (!o.n_files) {
		fputs("jianxi check: no file given\n", stderr);
		fputs(usage_text, stderr);
		return JX_EXIT_USAGE;
	}
	struct jx_config cfg;
	int rc = cmd_config_load("jianxi check", o.config, &cfg);
	if (rc)
		return rc;
	struct ingest_opts io = {.cfg = &cfg};
	if (o.received_at && jx_time_parse(o.received_at, cfg.timezone, &io.received_at)) {
		fprintf(stderr, "jianxi check: --received-at '%s' is not an ISO-8601 time\n", o.received_at);
		jx_config_release(&cfg);
		return JX_EXIT_USAGE;
	}
	struct check_run run = {0};
	char error[512];
	io.error = error;
	io.error_size = sizeof error;
	int unreadable = 0;
	findings_csv_header(stdout);
	for (int i = 0; i < o.n_files && !run.write_failed; i++) {
		int got = ingest_file(o.files[i], &io, check_submission, &run);
		if (got == INGEST_UNREADABLE) {
			/* not the district's doing: say so, check the rest, exit 3 */
			fprintf(stderr, "jianxi check: %s\n", JX_VISIBLE(error));
			unreadable = 1;
		} else if (got < 0) {
			fprintf(stderr, "jianxi check: %s: out of memory\n",
				JX_VISIBLE(o.files[i]));
			jx_config_release(&cfg);
			return JX_EXIT_ENV;
		}
	}
	jx_config_release(&cfg);
	if (fflush(stdout) || run.write_failed) {
		fputs("jianxi check: cannot write the findings to stdout\n", stderr);
		return JX_EXIT_ENV;
	}
	if (unreadable)
		return JX_EXIT_ENV;
	return run.errors ? JX_EXIT_FINDINGS : JX_EXIT_OK;
}
