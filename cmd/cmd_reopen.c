/* jianxi reopen: unlocks an approved month so that corrected files count
 * again; the reason, time and user stay in the approval history. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../core/csvout.h"
#include "../core/period.h"
#include "../etl/store.h"
#include "../pipeline/approval.h"
#include "commands.h"
#include "common.h"

static const char usage_text[] =
    "usage: jianxi reopen --period YYYY-MM --reason TEXT [--by NAME]\n"
    "                     [--config DIR] [--store URL]\n"
    "\n"
    "Reopens an approved month: files for it count again as they arrive, and\n"
    "the month can be approved anew (a new approval; the old one stays in the\n"
    "history). The reason (one line), the time and the user (--by, else the\n"
    "login name) are recorded. Files refused (A1) while the month was locked\n"
    "stay rejected: the units send them again.\n"
    "\n"
    "stdout: the event as CSV: period,seq,event,approval,at,by,note.\n"
    "\n"
    "  --period YYYY-MM  the month (required)\n"
    "  --reason TEXT     why the month is reopened (required)\n"
    "  --by NAME         who reopens (default: the login name)\n"
    "  --config DIR      config folder (else $JIANXI_CONFIG, else ./config)\n"
    "  --store URL       dir:PATH or PostgreSQL (else $JIANXI_STORE,\n"
    "                    else dir:./warehouse)\n"
    "\n"
    "Exit: 0 reopened, 1 the month is not approved (nothing changed), 2 usage\n"
    "or config error, 3 store failure.\n";

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

int cmd_reopen(int argc, char **argv)
{
	static const char prog[] = "jianxi reopen";
	struct cmd_opts o;
	int year, month;
	if (cmd_parse_opts(prog, argc, argv,
			   OPT_CONFIG | OPT_STORE | OPT_PERIOD | OPT_REASON | OPT_BY, &o)) {
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
		fprintf(stderr, "%s: --period %s is not a month (YYYY-MM)\n", prog, o.period);
		return JX_EXIT_USAGE;
	}
	struct store_approval a;
	memset(&a, 0, sizeof a);
	const char *reason = o.reason ? o.reason : "";
	while (*reason == ' ')
		reason++;
	if (!*reason) {
		fprintf(stderr, "%s: --reason TEXT is required: say why the month is reopened\n",
			prog);
		return JX_EXIT_USAGE;
	}
	if (has_control(reason) || strlen(reason) >= sizeof a.note) {
		fprintf(stderr, "%s: --reason must be one line of at most %zu bytes\n", prog,
			sizeof a.note - 1);
		return JX_EXIT_USAGE;
	}
	approval_user(o.by, a.by, sizeof a.by);
	if (has_control(a.by) || strlen(a.by) >= sizeof a.by - 1) {
		fprintf(stderr, "%s: --by must be one short line\n", prog);
		return JX_EXIT_USAGE;
	}
	snprintf(a.note, sizeof a.note, "%s", reason);

	struct jx_config cfg;
	int rc = cmd_config_load(prog, o.config, &cfg);
	if (rc)
		return rc;
	struct store *st = NULL;
	rc = cmd_store_open(prog, o.store, 1, &st);
	if (rc)
		goto out;
	a.year = year;
	a.month = month;
	a.at = (int64_t)time(NULL);
	int got = store_reopen(st, &a);
	if (got < 0) {
		fprintf(stderr, "%s: %s\n", prog, store_error(st));
		rc = JX_EXIT_ENV;
		goto out;
	}
	if (got == 1) {
		fprintf(stderr, "%s: %s is not approved; nothing to reopen\n", prog, o.period);
		rc = JX_EXIT_FINDINGS;
		goto out;
	}
	char period[8], seq[16], number[16], at[40];
	jx_period_format(year, month, period);
	snprintf(seq, sizeof seq, "%d", a.seq);
	snprintf(number, sizeof number, "%d", a.number);
	jx_time_format(a.at, cfg.timezone, at, sizeof at);
	const char *fields[] = {period, seq, "reopened", number, at, a.by, a.note};
	fputs("period,seq,event,approval,at,by,note\n", stdout);
	jx_csv_row(stdout, fields, sizeof fields / sizeof fields[0]);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "%s: cannot write to standard output (the month is reopened)\n",
			prog);
		rc = JX_EXIT_ENV;
	}
out:
	store_close(st);
	jx_config_release(&cfg);
	return rc;
}
