/* jianxi load FILE...: ingest, validate against history, store. Prints one
 * line per submission. */
#include <stdio.h>
#include <string.h>
#include "../core/period.h"
#include "../etl/store.h"
#include "../reports/findings_csv.h"
#include "commands.h"
#include "common.h"
#include "../pipeline/loader.h"

static const char usage_text[] =
	"usage: jianxi load [--config DIR] [--store URL] [--findings FILE]\n"
	"                   [--received-at TIME] FILE...\n"
	"\n"
	"Reads, checks and stores each file. Accepted submissions supersede the\n"
	"earlier version of their (district, period); rejected ones are kept for\n"
	"audit and never counted. Loading the same delivery (the same file\n"
	"received at the same time) twice changes nothing; the same file\n"
	"received again later is a new delivery, checked again.\n"
	"\n"
	"  --config DIR        config folder (default $JIANXI_CONFIG or ./config)\n"
	"  --store URL         dir:PATH or a PostgreSQL connection string\n"
	"                      (default $JIANXI_STORE or dir:./warehouse)\n"
	"  --findings FILE     write every finding as CSV to FILE\n"
	"  --received-at TIME  when the files were received (ISO-8601, e.g.\n"
	"                      2023-10-02T09:30:00+08:00; without a zone, the\n"
	"                      city's time), for migrations; default: when each\n"
	"                      file arrived on this machine (its inode change\n"
	"                      time, never its modification time)\n"
	"  -h, --help          this text\n"
	"\n"
	"Exit: 0 all accepted, 1 some rejected, 2 usage or config error,\n"
	"3 store or I/O failure.\n";

int cmd_load(int argc, char **argv)
{
	struct cmd_opts o;
	if (cmd_parse_opts("jianxi load", argc, argv,
			   OPT_CONFIG | OPT_STORE | OPT_FINDINGS | OPT_RECEIVED_AT | OPT_FILES, &o)) {
		fputs(usage_text, stderr);
		return JX_EXIT_USAGE;
	}
	if (o.help) {
		fputs(usage_text, stdout);
		return JX_EXIT_OK;
	}
	if (!o.n_files) {
		fputs("jianxi load: no file given\n", stderr);
		fputs(usage_text, stderr);
		return JX_EXIT_USAGE;
	}
	struct jx_config cfg;
	int rc = cmd_config_load("jianxi load", o.config, &cfg);
	if (rc)
		return rc;
	int64_t received_at = 0;
	if (o.received_at && jx_time_parse(o.received_at, cfg.timezone, &received_at)) {
		fprintf(stderr, "jianxi load: --received-at '%s' is not an ISO-8601 time\n", o.received_at);
		jx_config_release(&cfg);
		return JX_EXIT_USAGE;
	}
	struct jx_outfile out = {0};
	if (o.findings && jx_outfile_open(&out, o.findings)) {
		fprintf(stderr, "jianxi load: cannot write %s: %m\n", o.findings);
		jx_config_release(&cfg);
		return JX_EXIT_ENV;
	}
	struct loader ld = {.cfg = &cfg, .findings = out.f, .lines = stdout};
	rc = cmd_store_open("jianxi load", o.store, 1, &ld.st);
	if (rc) {
		if (o.findings)
			jx_outfile_abort(&out);
		jx_config_release(&cfg);
		return rc;
	}
	if (out.f)
		findings_csv_header(out.f);
	loader_lines_header(stdout);
	rc = JX_EXIT_OK;
	int unreadable = 0;
	for (int i = 0; i < o.n_files; i++) {
		int got = loader_file(&ld, o.files[i], received_at);
		if (got == LOADER_UNREADABLE) {
			/* the operator's problem, not the district's: the other
			 * files are still loaded, and the run exits 3 */
			fprintf(stderr, "jianxi load: %s; not loaded\n", ld.error);
			unreadable = 1;
		} else if (got) {
			fprintf(stderr, "jianxi load: %s; stopped at %s (what was stored before stays stored)\n",
				ld.error, JX_VISIBLE(o.files[i]));
			rc = JX_EXIT_ENV;
			break;
		}
	}
	if (unreadable && rc == JX_EXIT_OK)
		rc = JX_EXIT_ENV;
	store_close(ld.st);
	if (o.findings && (rc == JX_EXIT_ENV ? (jx_outfile_abort(&out), 0) : jx_outfile_commit(&out))) {
		fprintf(stderr, "jianxi load: cannot write %s: %m\n", o.findings);
		rc = JX_EXIT_ENV;
	}
	if (fflush(stdout)) {
		fputs("jianxi load: cannot write to stdout\n", stderr);
		rc = JX_EXIT_ENV;
	}
	jx_config_release(&cfg);
	if (rc)
		return rc;
	return ld.rejected ? JX_EXIT_FINDINGS : JX_EXIT_OK;
}
