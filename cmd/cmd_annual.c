/* jianxi annual: the year-end workbook (due before 12-10): year-to-date
 * totals, monthly trend, attainment, submission timeliness, data quality and
 * retention, from every stored version of the year. */
#include <stdio.h>
#include "../etl/store.h"
#include "commands.h"
#include "common.h"
#include "../pipeline/reports.h"

static const char usage_text[] =
	"usage: jianxi annual --year YYYY -o FILE.xlsx [--as-of YYYY-MM]\n"
	"                     [--config DIR] [--store URL]\n"
	"\n"
	"The year-end workbook: 全年汇总 (year to date by district in the form\n"
	"layout: flows summed, stocks and indicator 14 as last reported),\n"
	"月度趋势 (indicators 4, 6, 8, 9, 13 by month, with line charts),\n"
	"目标完成 (attainment), 报送及时性 (on time / late / rejected / missing\n"
	"per district and month), 数据质量 (findings of every stored version by\n"
	"rule and district) and 留用率 (Σ9 ÷ Σ8). Prints the path written.\n"
	"\n"
	"  --year YYYY       the year (required)\n"
	"  -o, --output FILE the workbook to write (required; written atomically)\n"
	"  --as-of YYYY-MM   last month counted; default: the latest month of the\n"
	"                    year with any accepted submission\n"
	"  --config DIR      config folder (else $JIANXI_CONFIG, else ./config)\n"
	"  --store URL       dir:PATH or PostgreSQL (else $JIANXI_STORE,\n"
	"                    else dir:./warehouse)\n"
	"\n"
	"Exit: 0 done, 2 usage or config error, 3 store or I/O failure.\n";


int cmd_annual(int argc, char **argv)
{
	static const char prog[] = "jianxi annual";
	struct cmd_opts o;
	int year, as_of = 0;
	if (cmd_parse_opts(prog, argc, argv, OPT_CONFIG | OPT_STORE | OPT_YEAR | OPT_AS_OF | OPT_OUTPUT, &o)) {
		fputs(usage_text, stderr);
		return JX_EXIT_USAGE;
	}
	if (o.help) {
		fputs(usage_text, stdout);
		return JX_EXIT_OK;
	}
	if (cmd_parse_year_as_of(prog, o.year, o.as_of, &year, &as_of))
		return JX_EXIT_USAGE;
	if (!o.output) {
		fprintf(stderr, "%s: -o FILE.xlsx is required\n", prog);
		return JX_EXIT_USAGE;
	}

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
	if (report_annual_write(st, &cfg, year, as_of, o.output, err, sizeof err)) {
		fprintf(stderr, "%s: %s\n", prog, err);
		rc = JX_EXIT_ENV;
	} else {
		printf("%s\n", o.output);
	}
	store_close(st);
	jx_config_release(&cfg);
	return rc;
}
