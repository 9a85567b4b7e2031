/* jianxi status --period P: who submitted, for chasing districts (催报):
 * on_time, late, missing or rejected, from the version in force. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/csvout.h"
#include "../core/period.h"
#include "../etl/store.h"
#include "../transforms/deadline.h"
#include "../pipeline/approval.h"
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

/* What the versions of one district say. */
struct district_state {
	int any, accepted;
	int64_t received_at;   /* of the version that decides */
	char file[1024];
};

struct status_scan {
	const struct jx_config *cfg;
	struct district_state *states;
};

/* The file's name without its folder: a nightly run has moved the file
 * from the inbox since, and the name is what a district recognises. */
static const char *file_name(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	return slash ? slash + 1 : path ? path : "";
}

/* The version that decides: the one in force, else (no accepted version)
 * the latest rejected one, which is shown. */
static int status_month(void *vctx, const struct store_month_state *m)
{
	struct status_scan *scan = vctx;
	int d = jx_config_district_find(scan->cfg, m->district_code, JX_MATCH_EXACT);
	if (d < 0)
		return 0; /* a district since removed from the config */
	struct district_state *s = &scan->states[d];
	s->any = 1;
	s->accepted = m->status == JX_ACCEPTED;
	s->received_at = m->received_at;
	jx_text_visible(s->file, sizeof s->file, file_name(m->file));
	return 0;
}

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
	struct district_state *states = calloc(cfg.n_districts, sizeof *states);
	struct status_scan scan = {&cfg, states};
	if (!states || store_in_force(st, year, month, month, status_month, &scan) < 0) {
		fprintf(stderr, "jianxi status: store: %s\n", states ? store_error(st) : "out of memory");
		free(states);
		store_close(st);
		jx_config_release(&cfg);
		return JX_EXIT_ENV;
	}
	/* The status CSV's columns are fixed: the month's sign-off is said on
	 * stderr, once the city has approved it. */
	struct approval_month am;
	char note[2048], err[512];
	if (approval_month_read(st, &cfg, year, month, &am, err, sizeof err)) {
		fprintf(stderr, "jianxi status: store: %s\n", err);
		free(states);
		store_close(st);
		jx_config_release(&cfg);
		return JX_EXIT_ENV;
	}
	store_close(st);
	if (am.approvals) {
		approval_month_note(&am, &cfg, note, sizeof note);
		fprintf(stderr, "jianxi status: %s %s\n", o.period, note + strlen("说明："));
	}
	int64_t end = deadline_end(&cfg, year, month);
	int32_t dday = deadline_day(&cfg, year, month);
	int y, m, d;
	jx_civil_from_days(dday, &y, &m, &d);
	char deadline[16], per[8];
	snprintf(deadline, sizeof deadline, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
	jx_period_format(year, month, per);
	struct cmd_outfile out = {0};
	FILE *f = stdout;
	if (o.output) {
		if (cmd_outfile_open(&out, o.output)) {
			fprintf(stderr, "jianxi status: cannot write %s: %s\n", o.output, strerror(errno));
			free(states);
			jx_config_release(&cfg);
			return JX_EXIT_ENV;
		}
		f = out.f;
	}
	fputs("period,district_code,district_name,status,received_at,deadline,file\n", f);
	for (size_t i = 0; i < cfg.n_districts; i++) {
		const struct district_state *s = &states[i];
		char received[40] = "";
		const char *status = "missing";
		if (s->accepted)
			status = s->received_at < end ? "on_time" : "late";
		else if (s->any)
			status = "rejected";
		if (s->any)
			jx_time_format(s->received_at, cfg.timezone, received, sizeof received);
		const char *fields[] = {per, cfg.districts[i].code, cfg.districts[i].name, status,
					received, deadline, s->any ? s->file : ""};
		jx_csv_row(f, fields, sizeof fields / sizeof fields[0]);
	}
	free(states);
	jx_config_release(&cfg);
	if (o.output ? cmd_outfile_commit(&out) : fflush(stdout)) {
		fprintf(stderr, "jianxi status: cannot write %s: %s\n", o.output ? o.output : "to stdout",
			strerror(errno));
		return JX_EXIT_ENV;
	}
	if (o.output)
		printf("%s\n", o.output);
	return JX_EXIT_OK;
}
