/* jianxi template: writes the blank fill-in form for one district and month
 * (reports/template), checking the options and the config first. */
#include "../core/config.h"
#include "../reports/template.h"
#include "commands.h"
#include "common.h"
#include <stdio.h>
#include <string.h>

#define PROG "jianxi template"


static void template_usage(FILE *f)
{
	fputs("usage: jianxi template --district D --period YYYY-MM -o FILE.xlsx "
	      "[--config DIR]\n\n"
	      "Writes the blank form 《就业见习岗位募集计划工作情况汇总表》 for one\n"
	      "district and month, ready to fill in Excel or WPS: the official\n"
	      "layout, checks on every input cell, a 校验 column for the form's\n"
	      "logical relations, and protection of everything but the inputs.\n\n"
	      "  --district D   district code, name or alias from districts.csv\n"
	      "  --period P     the month, YYYY-MM\n"
	      "  -o, --output F the file to write (written whole or not at all)\n"
	      "  --config DIR   config folder (else $JIANXI_CONFIG, else ./config)\n"
	      "\nPrints the path written. Exit 0 done, 2 usage or config error,\n"
	      "3 the file could not be written.\n",
	      f);
}

int cmd_template(int argc, char **argv)
{
	struct cmd_opts o;
	if (cmd_parse_opts(PROG, argc, argv, OPT_CONFIG | OPT_DISTRICT | OPT_PERIOD | OPT_OUTPUT, &o)) {
		template_usage(stderr);
		return JX_EXIT_USAGE;
	}
	if (o.help) {
		template_usage(stdout);
		return JX_EXIT_OK;
	}
	if (!o.district || !o.period || !o.output || !*o.output) {
		fputs(PROG ": --district, --period and -o are required\n", stderr);
		template_usage(stderr);
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
	int d = jx_config_district_find(&cfg, o.district, JX_MATCH_EXACT);
	if (d < 0) {
		fprintf(stderr,
			PROG ": unknown district '%s'\nHINT: use a code, name or alias from "
			     "%s/districts.csv\n",
			o.district, cmd_config_dir(o.config));
		jx_config_release(&cfg);
		return JX_EXIT_USAGE;
	}

	struct template_spec spec = {
	    .district_name = cfg.districts[d].name,
	    .year = year,
	    .month = month,
	    .deadline_day = cfg.deadline_day,
	};
	char err[512];
	if (template_write(o.output, &spec, err, sizeof err) != TEMPLATE_OK) {
		fprintf(stderr, PROG ": %s\n", err);
		rc = JX_EXIT_ENV;
	} else {
		printf("%s\n", o.output);
		rc = fflush(stdout) ? JX_EXIT_ENV : JX_EXIT_OK;
	}
	jx_config_release(&cfg);
	return rc;
}
