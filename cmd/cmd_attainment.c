/* jianxi attainment: each district's Σ indicator 4 and Σ indicator 6 over the
 * accepted months of the year against its annual target, as CSV or XLSX. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/period.h"
#include "../etl/store.h"
#include "../reports/attainment.h"
#include "../reports/xlsx_util.h"
#include "../transforms/aggregate.h"
#include "commands.h"
#include "common.h"
#include "../pipeline/report_input.h"

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


static int write_csv(const void *report, FILE *f)
{
	return attain_write_csv(report, f);
}

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
	struct agg_year y;
	struct attain_row *rows = NULL;
	memset(&y, 0, sizeof y);
	rc = cmd_store_open(prog, o.store, 0, &st);
	if (rc)
		goto out;
	rows = calloc(cfg.n_districts ? cfg.n_districts : 1, sizeof *rows);
	if (!rows) {
		fprintf(stderr, "%s: out of memory\n", prog);
		rc = JX_EXIT_ENV;
		goto out;
	}
	char read_err[320];
	if (report_input_load(st, &cfg, year, REPORT_MONTHS_OF_YEAR, &y, read_err, sizeof read_err)) {
		fprintf(stderr, "%s: %s\n", prog, read_err);
		rc = JX_EXIT_ENV;
		goto out;
	}
	if (!as_of)
		as_of = report_default_as_of(&cfg, &y);

	char today[64];
	xu_today_text(cfg.timezone, today, sizeof today);
	struct attain_report r;
	memset(&r, 0, sizeof r);
	if (report_attain_build(&cfg, &y, as_of, rows, &r)) {
		fprintf(stderr, "%s: a total does not fit in 64 bits; check the stored figures\n",
			prog);
		rc = JX_EXIT_ENV;
		goto out;
	}
	r.date_text = today;
	if (xlsx) {
		char err[512];
		if (attain_write_xlsx(&r, o.output, err, sizeof err)) {
			fprintf(stderr, "%s: %s\n", prog, err);
			rc = JX_EXIT_ENV;
		} else {
			printf("%s\n", o.output);
		}
	} else {
		rc = cmd_write_csv(prog, o.output, write_csv, &r);
	}
out:
	free(rows);
	agg_year_release(&y);
	store_close(st);
	jx_config_release(&cfg);
	return rc;
}
