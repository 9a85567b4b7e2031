/* jianxi summary: the city summary of one month, from the versions in force
 * in the store, as the summary CSV or the official form in XLSX. */
#include <stdio.h>

#include "../etl/store.h"
#include "commands.h"
#include "common.h"
#include "../pipeline/reports.h"

static const char usage_text[] =
	"usage: jianxi summary --period YYYY-MM [--config DIR] [--store URL]\n"
	"                      [--format csv|xlsx] [-o FILE]\n"
	"\n"
	"The city summary of one month from the versions in force in the store.\n"
	"CSV (default, to stdout or FILE): period,district_code,district_name,\n"
	"status,i1..i14, one row per configured district in config order\n"
	"(status accepted, missing or rejected; indicators empty unless\n"
	"accepted; i14 in 万元), then the total row (district_code \"total\",\n"
	"status empty) summing the accepted districts.\n"
	"XLSX (--format xlsx, needs -o): the official form with a 环比 sheet of\n"
	"month-over-month change (empty where either month has no accepted data).\n"
	"\n"
	"  --period YYYY-MM  the month (required)\n"
	"  --config DIR      config folder (else $JIANXI_CONFIG, else ./config)\n"
	"  --store URL       dir:PATH or PostgreSQL (else $JIANXI_STORE,\n"
	"                    else dir:./warehouse)\n"
	"  --format FMT      csv (default) or xlsx\n"
	"  -o, --output FILE write FILE (atomically) instead of stdout\n"
	"\n"
	"Exit: 0 done, 2 usage or config error, 3 store or I/O failure.\n";

int cmd_summary(int argc, char **argv)
{
	static const char prog[] = "jianxi summary";
	struct cmd_opts o;
	int year, month;
	if (cmd_parse_opts(prog, argc, argv, OPT_CONFIG | OPT_STORE | OPT_PERIOD | OPT_FORMAT | OPT_OUTPUT, &o)) {
		fputs(usage_text, stderr);
		return JX_EXIT_USAGE;
	}
	if (o.help) {
		fputs(usage_text, stdout);
		return JX_EXIT_OK;
	}
	if (!o.period) {
		fprintf(stderr, "%s: --period YYYY-MM is required\n", prog);
		return JX_EXIT_USAGE;
	}
	if (cmd_parse_period(o.period, &year, &month)) {
		fprintf(stderr, "%s: --period %s is not a month (YYYY-MM)\n", prog,
			o.period);
		return JX_EXIT_USAGE;
	}
	int xlsx;
	if (cmd_parse_format(prog, o.format, o.output, &xlsx))
		return JX_EXIT_USAGE;

	struct jx_config cfg;
	int rc = cmd_config_load(prog, o.config, &cfg);
	if (rc)
		return rc;
	struct store *st = NULL;
	rc = cmd_store_open(prog, o.store, 0, &st);
	if (rc) {
		jx_config_release(&cfg);
		return rc;
	}
	char err[2048];
	if (xlsx ? report_summary_write(st, &cfg, year, month, 1, o.output, err, sizeof err)
		 : o.output ? report_summary_write(st, &cfg, year, month, 0, o.output, err, sizeof err)
			    : report_summary_csv(st, &cfg, year, month, stdout, err, sizeof err)) {
		fprintf(stderr, "%s: %s\n", prog, err);
		rc = JX_EXIT_ENV;
	} else if (o.output) {
		printf("%s\n", o.output);
	}
	store_close(st);
	jx_config_release(&cfg);
	return rc;
}
