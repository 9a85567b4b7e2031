/* jianxi attainment: each district's Σ indicator 4 and Σ indicator 6 over the
 * accepted months of the year against its annual target, as CSV or XLSX. */
#include <stdio.h>

#include "../etl/store.h"
#include "commands.h"
#include "common.h"
#include "../pipeline/reports.h"

static const char usage_text[] =
	"usage: jianxi attainment --year YYYY [--as-of YYYY-MM] [--config DIR]\n"
	"                         [--store URL] [--format csv|xlsx] [-o FILE]\n"
	"\n"
	"Each district against its annual targets: posts_actual = Σ indicator 4\n"
	"(本期新增见习岗位数量), people_actual = Σ indicator 6 (本期实际到岗人数)\n"
	"over the accepted months of the year up to --as-of; rates are\n"
	"actual/target with 4 decimals, rounded half up. The total row is\n"
	"against the city-wide (\"*\") target, else the sum of district targets.\n"
	"A district with no accepted month has empty actuals and rates.\n"
	"\n"
	"  --year YYYY       the year (required)\n"
	"  --as-of YYYY-MM   last month counted, in the year; default: the latest\n"
	"                    month of the year with any accepted submission (with\n"
	"                    none: December for a past year, last month for this)\n"
	"  --config DIR      config folder (else $JIANXI_CONFIG, else ./config)\n"
	"  --store URL       dir:PATH or PostgreSQL (else $JIANXI_STORE,\n"
	"                    else dir:./warehouse)\n"
	"  --format FMT      csv (default) or xlsx (needs -o): rates against the\n"
	"                    time schedule (months ÷ 12), districts behind it\n"
	"                    highlighted, a bar chart\n"
	"  -o, --output FILE write FILE (atomically) instead of stdout\n"
	"\n"
	"Exit: 0 done, 2 usage or config error, 3 store or I/O failure.\n";


int cmd_attainment(int argc, char **argv)
{
	static const char prog[] = "jianxi attainment";
	struct cmd_opts o;
	int year, as_of = 0;
	if (cmd_parse_opts(prog, argc, argv,
			   OPT_CONFIG | OPT_STORE | OPT_YEAR | OPT_AS_OF | OPT_FORMAT | OPT_OUTPUT, &o)) {
		fputs(usage_text, stderr);
		return JX_EXIT_USAGE;
	}
	if (o.help) {
		fputs(usage_text, stdout);
		return JX_EXIT_OK;
	}
	if (cmd_parse_year_as_of(prog, o.year, o.as_of, &year, &as_of))
		return JX_EXIT_USAGE;
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
	if (o.output ? report_attainment_write(st, &cfg, year, as_of, xlsx, o.output, err, sizeof err)
		     : report_attainment_csv(st, &cfg, year, as_of, stdout, err, sizeof err)) {
		fprintf(stderr, "%s: %s\n", prog, err);
		rc = JX_EXIT_ENV;
	} else if (o.output) {
		printf("%s\n", o.output);
	}
	store_close(st);
	jx_config_release(&cfg);
	return rc;
}
