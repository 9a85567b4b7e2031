/* jianxi approve: the city signs off a month. Records who, when and the
 * figures in force (one line per district) and locks the month: later files
 * for it are kept as rejected versions (A1) until it is reopened. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/csvout.h"
#include "../core/period.h"
#include "../etl/store.h"
#include "../transforms/approval.h"
#include "../pipeline/approval.h"
#include "commands.h"
#include "common.h"

static const char usage_text[] =
    "usage: jianxi approve --period YYYY-MM [--allow-missing CODE[,CODE...]]\n"
    "                      [--by NAME] [--config DIR] [--store URL]\n"
    "       jianxi approve --history [--period YYYY-MM] [--config DIR] [--store URL]\n"
    "\n"
    "Signs off a month for the city and locks it. Records who (--by, else the\n"
    "login name), when, and what was in force: for every configured unit its\n"
    "state (accepted, rejected, missing), the version in force and its 14\n"
    "figures. After approval a new file for that month is stored as a rejected\n"
    "version with finding A1 until `jianxi reopen` reopens the month.\n"
    "\n"
    "Refuses while a unit has no accepted form (missing, or every version\n"
    "rejected), listing them, unless each is named in --allow-missing (code,\n"
    "name or alias; the record says which were left out). Approving a month\n"
    "that is approved already changes nothing.\n"
    "\n"
    "stdout: what was approved, as CSV: period,approval,approved_at,\n"
    "approved_by,district_code,district_name,status,version,left_out.\n"
    "--history prints the approval history instead (every approval and\n"
    "reopening, of --period or of every month): period,seq,event,approval,\n"
    "at,by,note.\n"
    "\n"
    "  --period YYYY-MM        the month (required unless --history)\n"
    "  --allow-missing CODES   units to leave out, separated by commas\n"
    "  --by NAME               who approves (default: the login name)\n"
    "  --history               list the approvals and reopenings\n"
    "  --config DIR            config folder (else $JIANXI_CONFIG, else ./config)\n"
    "  --store URL             dir:PATH or PostgreSQL (else $JIANXI_STORE,\n"
    "                          else dir:./warehouse)\n"
    "\n"
    "Exit: 0 approved (or approved already), 1 refused: units without an\n"
    "accepted form (listed on stderr), 2 usage or config error, 3 store\n"
    "failure.\n";

/* Marks the units named in list (codes, names or aliases, comma-separated)
 * as left out. Returns 0, or JX_EXIT_USAGE after saying which is unknown. */
static int mark_left_out(const char *prog, const struct jx_config *cfg, const char *list,
			 struct store_approval *a)
{
	char *copy = strdup(list);
	if (!copy) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return JX_EXIT_ENV;
	}
	int rc = 0;
	char *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int d = jx_config_district_find(cfg, t, JX_MATCH_EXACT);
		if (d < 0) {
			fprintf(stderr, "%s: --allow-missing: \"%s\" is not a configured %s\n",
				prog, t, cfg->unit_label);
			rc = JX_EXIT_USAGE;
			break;
		}
		struct store_approval_line *l = &a->lines[d];
		if (l->state == STORE_LINE_ACCEPTED)
			fprintf(stderr,
				"%s: %s %s has an accepted form; it is counted, not left out\n",
				prog, cfg->districts[d].code, cfg->districts[d].name);
		else
			l->left_out = 1;
	}
	free(copy);
	return rc;
}

static const char *state_text(enum store_line_state s)
{
	return s == STORE_LINE_REJECTED ? "rejected (no accepted version)" : "missing";
}

static void print_approval(const struct jx_config *cfg, const struct store_approval *a)
{
	char period[8], at[40], number[16], version[16];
	jx_period_format(a->year, a->month, period);
	jx_time_format(a->at, cfg->timezone, at, sizeof at);
	snprintf(number, sizeof number, "%d", a->number);
	fputs("period,approval,approved_at,approved_by,district_code,district_name,status,version,"
	      "left_out\n",
	      stdout);
	for (size_t i = 0; i < a->n_lines; i++) {
		const struct store_approval_line *l = &a->lines[i];
		int d = jx_config_district_find(cfg, l->district_code, JX_MATCH_EXACT);
		snprintf(version, sizeof version, "%d", l->version);
		const char *fields[] = {period,
					number,
					at,
					a->by,
					l->district_code,
					d >= 0 ? cfg->districts[d].name : "",
					store_line_state_name(l->state),
					l->version ? version : "",
					l->left_out ? "yes" : ""};
		jx_csv_row(stdout, fields, sizeof fields / sizeof fields[0]);
	}
}

static int print_event(void *ctx, const struct store_approval *a)
{
	const struct jx_config *cfg = ctx;
	char period[8], seq[16], number[16], at[40];
	jx_period_format(a->year, a->month, period);
	snprintf(seq, sizeof seq, "%d", a->seq);
	snprintf(number, sizeof number, "%d", a->number);
	jx_time_format(a->at, cfg->timezone, at, sizeof at);
	const char *fields[] = {period, seq, a->kind == STORE_APPROVED ? "approved" : "reopened",
				number, at,  a->by,
				a->note};
	jx_csv_row(stdout, fields, sizeof fields / sizeof fields[0]);
	return 0;
}

static int history(const char *prog, struct store *st, const struct jx_config *cfg, int year,
		   int month)
{
	fputs("period,seq,event,approval,at,by,note\n", stdout);
	if (store_approval_events(st, year, month, print_event, (void *)cfg)) {
		fprintf(stderr, "%s: %s\n", prog, store_error(st));
		return JX_EXIT_ENV;
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "%s: cannot write to standard output\n", prog);
		return JX_EXIT_ENV;
	}
	return JX_EXIT_OK;
}

int cmd_approve(int argc, char **argv)
{
	static const char prog[] = "jianxi approve";
	struct cmd_opts o;
	int year = 0, month = 0;
	if (cmd_parse_opts(prog, argc, argv,
			   OPT_CONFIG | OPT_STORE | OPT_PERIOD | OPT_ALLOW_MISSING | OPT_BY |
			       OPT_HISTORY,
			   &o)) {
		fputs(usage_text, stderr);
		return JX_EXIT_USAGE;
	}
	if (o.help) {
		fputs(usage_text, stdout);
		return JX_EXIT_OK;
	}
	if (!o.period && !o.history) {
		fprintf(stderr, "%s: --period YYYY-MM is required\n", prog);
		return JX_EXIT_USAGE;
	}
	if (o.period && cmd_parse_period(o.period, &year, &month)) {
		fprintf(stderr, "%s: --period %s is not a month (YYYY-MM)\n", prog, o.period);
		return JX_EXIT_USAGE;
	}
	if (o.history && (o.allow_missing || o.by)) {
		fprintf(stderr, "%s: --history takes no --allow-missing or --by\n", prog);
		return JX_EXIT_USAGE;
	}
	char by[STORE_BY_MAX];
	approval_user(o.by, by, sizeof by);
	for (const char *p = by; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			fprintf(stderr, "%s: --by holds control characters\n", prog);
			return JX_EXIT_USAGE;
		}
	if (strlen(by) >= STORE_BY_MAX - 1) {
		fprintf(stderr, "%s: --by is longer than %d bytes\n", prog, STORE_BY_MAX - 2);
		return JX_EXIT_USAGE;
	}

	struct jx_config cfg;
	int rc = cmd_config_load(prog, o.config, &cfg);
	if (rc)
		return rc;
	struct store *st = NULL;
	struct store_approval a;
	memset(&a, 0, sizeof a);
	rc = cmd_store_open(prog, o.store, !o.history, &st);
	if (rc)
		goto out;
	if (o.history) {
		rc = history(prog, st, &cfg, year, month);
		goto out;
	}
	struct store_approval last;
	int got = store_approval_state(st, year, month, &last);
	if (got < 0) {
		fprintf(stderr, "%s: %s\n", prog, store_error(st));
		rc = JX_EXIT_ENV;
		goto out;
	}
	if (got == 0 && last.kind == STORE_APPROVED) {
		char text[256];
		approval_text(&last, cfg.timezone, text, sizeof text);
		fprintf(stderr,
			"%s: %s is approved already (approval %d by %s: %s); nothing changed\n",
			prog, o.period, last.number, last.by, text);
		if (store_approval_get(st, year, month, last.number, &a) == 0)
			print_approval(&cfg, &a);
		rc = JX_EXIT_OK;
		goto out;
	}

	char err[512];
	a.year = year;
	a.month = month;
	if (approval_snapshot(st, &cfg, year, month, &a, err, sizeof err)) {
		fprintf(stderr, "%s: %s\n", prog, err);
		rc = JX_EXIT_ENV;
		goto out;
	}
	if (o.allow_missing && (rc = mark_left_out(prog, &cfg, o.allow_missing, &a)))
		goto out;
	size_t blocking = 0;
	for (size_t i = 0; i < a.n_lines; i++)
		blocking += a.lines[i].state != STORE_LINE_ACCEPTED && !a.lines[i].left_out;
	if (blocking) {
		fprintf(stderr, "%s: %s is not approved: %zu %s without an accepted form:\n", prog,
			o.period, blocking, cfg.unit_label);
		for (size_t i = 0; i < a.n_lines; i++)
			if (a.lines[i].state != STORE_LINE_ACCEPTED && !a.lines[i].left_out)
				fprintf(stderr, "  %s %s: %s\n", cfg.districts[i].code,
					cfg.districts[i].name, state_text(a.lines[i].state));
		fprintf(stderr, "Wait for their forms, or approve without them: --allow-missing "
				"CODE[,CODE...]\n");
		rc = JX_EXIT_FINDINGS;
		goto out;
	}
	snprintf(a.by, sizeof a.by, "%s", by);
	a.at = (int64_t)time(NULL);
	got = store_approve(st, &a);
	if (got < 0) {
		fprintf(stderr, "%s: %s\n", prog, store_error(st));
		rc = JX_EXIT_ENV;
		goto out;
	}
	if (got == 1) { /* cannot happen under the run lock; said plainly anyway */
		fprintf(stderr, "%s: %s was approved meanwhile; nothing changed\n", prog, o.period);
		rc = JX_EXIT_OK;
		goto out;
	}
	print_approval(&cfg, &a);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "%s: cannot write to standard output (the approval is recorded)\n",
			prog);
		rc = JX_EXIT_ENV;
	}
out:
	store_approval_release(&a);
	store_close(st);
	jx_config_release(&cfg);
	return rc;
}
