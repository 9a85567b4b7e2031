/* jianxi feedback: for each configured district with something to fix in a
 * period (findings on its latest version, lateness, or no form at all after
 * the deadline) writes DIR/<code>/<P>.csv and .xlsx (reports/feedback). */
#include "../core/config.h"
#include "../core/period.h"
#include "../etl/store.h"
#include "../reports/feedback.h"
#include "../transforms/deadline.h"
#include "../transforms/history.h"
#include "commands.h"
#include "common.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROG "jianxi feedback"


/* The latest version received of each configured district. */
struct latest {
	int version; /* 0 when none */
	int64_t received_at;
};

struct latest_ctx {
	const struct jx_config *cfg;
	struct latest *latest; /* one per configured district */
};

static void feedback_usage(FILE *f)
{
	fputs("usage: jianxi feedback --period YYYY-MM --out DIR [--config DIR] "
	      "[--store URL]\n\n"
	      "Writes what goes back to each district for the month: for every\n"
	      "configured district whose latest version has findings, that was\n"
	      "late, or that sent nothing by the deadline, DIR/<code>/<P>.csv (the\n"
	      "findings CSV, UTF-8 with BOM for Excel) and DIR/<code>/<P>.xlsx\n"
	      "(问题清单, and 原表 with each offending cell marked). A district\n"
	      "with nothing to fix gets no files; older listings of it for the\n"
	      "month are removed.\n\n"
	      "  --period P   the month, YYYY-MM\n"
	      "  --out DIR    the folder to write into\n"
	      "  --config DIR config folder (else $JIANXI_CONFIG, else ./config)\n"
	      "  --store URL  dir:PATH or PostgreSQL (else $JIANXI_STORE, else\n"
	      "               dir:./warehouse)\n"
	      "\nPrints every path written. Exit 0 done, 2 usage or config error,\n"
	      "3 store or I/O failure.\n",
	      f);
}

static int note_version(void *vctx, const struct store_version *v)
{
	struct latest_ctx *ctx = vctx;
	int d = jx_config_district_find(ctx->cfg, v->district_code, JX_MATCH_EXACT);
	if (d < 0)
		return 0; /* a district no longer configured */
	struct latest *l = &ctx->latest[d];
	if (!l->version || v->received_at > l->received_at ||
	    (v->received_at == l->received_at && v->version > l->version)) {
		l->version = v->version;
		l->received_at = v->received_at;
	}
	return 0;
}

/* The local date of t in tz. */
static struct feedback_date local_date(int64_t t, const char *tz)
{
	char iso[40];
	struct feedback_date d = {0, 0, 0};
	jx_time_format(t, tz, iso, sizeof iso);
	if (sscanf(iso, "%d-%d-%d", &d.year, &d.month, &d.day) != 3)
		memset(&d, 0, sizeof d);
	return d;
}

/* A code that is safe as one folder name under --out. */
static int code_is_safe(const char *code)
{
	return *code && strcmp(code, ".") && strcmp(code, "..") && !strchr(code, '/') &&
	       !strchr(code, '\\');
}

struct paths {
	char dir[4096], csv[4096], xlsx[4096];
};

static int make_paths(struct paths *p, const char *out, const char *code, const char *period)
{
	int a = snprintf(p->dir, sizeof p->dir, "%s/%s", out, code);
	int b = snprintf(p->csv, sizeof p->csv, "%s/%s.csv", p->dir, period);
	int c = snprintf(p->xlsx, sizeof p->xlsx, "%s/%s.xlsx", p->dir, period);
	return a < 0 || b < 0 || c < 0 || (size_t)a >= sizeof p->dir ||
		       (size_t)b >= sizeof p->csv || (size_t)c >= sizeof p->xlsx
		   ? -1
		   : 0;
}

/* Writes one district's two files and prints their paths. */
static int write_district(const struct paths *p, const struct feedback_input *in)
{
	if (cmd_mkdirs(p->dir)) {
		fprintf(stderr, PROG ": cannot create %s: %s\n", p->dir, strerror(errno));
		return JX_EXIT_ENV;
	}
	struct cmd_outfile o;
	if (cmd_outfile_open(&o, p->csv)) {
		fprintf(stderr, PROG ": cannot write %s: %s\n", p->csv, strerror(errno));
		return JX_EXIT_ENV;
	}
	if (feedback_write_csv(o.f, in)) {
		int e = errno;
		cmd_outfile_abort(&o);
		fprintf(stderr, PROG ": cannot write %s: %s\n", p->csv, strerror(e));
		return JX_EXIT_ENV;
	}
	if (cmd_outfile_commit(&o)) {
		fprintf(stderr, PROG ": cannot write %s: %s\n", p->csv, strerror(errno));
		return JX_EXIT_ENV;
	}
	printf("%s\n", p->csv);
	char err[512];
	if (feedback_write_xlsx(p->xlsx, in, err, sizeof err)) {
		fprintf(stderr, PROG ": %s\n", err);
		return JX_EXIT_ENV;
	}
	printf("%s\n", p->xlsx);
	return 0;
}

/* A district with nothing to fix: an older listing would send the clerk
 * after problems already fixed, so it goes. */
static int remove_stale(const struct paths *p)
{
	const char *files[] = {p->csv, p->xlsx};
	for (size_t i = 0; i < 2; i++)
		if (unlink(files[i]) && errno != ENOENT && errno != ENOTDIR) {
			fprintf(stderr, PROG ": cannot remove the old %s: %s\n", files[i],
				strerror(errno));
			return JX_EXIT_ENV;
		}
	return 0;
}

static int run(const struct cmd_opts *o, const struct jx_config *cfg, struct store *st,
	       int year, int month)
{
	char period[8];
	jx_period_format(year, month, period);
	struct latest *latest = calloc(cfg->n_districts + 1, sizeof *latest);
	if (!latest) {
		fputs(PROG ": out of memory\n", stderr);
		return JX_EXIT_ENV;
	}
	struct latest_ctx lctx = {cfg, latest};
	if (store_list_versions(st, year, month, note_version, &lctx)) {
		fprintf(stderr, PROG ": cannot read the store: %s\n", store_error(st));
		free(latest);
		return JX_EXIT_ENV;
	}
	int64_t end = deadline_end(cfg, year, month);
	struct feedback_date deadline = local_date(end - 1, cfg->timezone);
	int64_t now = (int64_t)time(NULL);

	int rc = 0;
	struct jx_submission sub;
	jx_submission_init(&sub);
	struct jx_findings missing;
	jx_findings_init(&missing);
	for (size_t d = 0; d < cfg->n_districts && !rc; d++) {
		const struct jx_district *dist = &cfg->districts[d];
		struct paths p;
		if (!code_is_safe(dist->code) || make_paths(&p, o->out, dist->code, period)) {
			fprintf(stderr, PROG ": district code '%s' cannot name a folder under %s\n",
				dist->code, o->out);
			rc = JX_EXIT_USAGE;
			break;
		}
		struct feedback_input in = {
		    .district_code = dist->code,
		    .district_name = dist->name,
		    .year = year,
		    .month = month,
		};
		if (latest[d].version) {
			int got =
			    store_get(st, dist->code, year, month, latest[d].version, &sub, NULL);
			if (got) {
				fprintf(stderr,
					PROG ": cannot read %s %s version %d from the store: %s\n",
					dist->code, period, latest[d].version,
					got < 0 ? store_error(st) : "not found");
				rc = JX_EXIT_ENV;
				break;
			}
			sub.district = (int)d;
			sub.district_code = dist->code;
			sub.district_name = dist->name;
			/* the late notice a version loaded without one (a file
			 * too broken to check) still owes the district */
			history_check_deadline(&sub, cfg);
			in.sub = &sub;
			in.findings = &sub.findings;
		} else {
			jx_findings_clear(&missing);
			if (now >= end && feedback_add_missing(&missing, dist->code, dist->name,
							       year, month, deadline)) {
				rc = JX_EXIT_ENV;
				break;
			}
			in.findings = &missing;
		}
		rc = in.findings->n ? write_district(&p, &in) : remove_stale(&p);
	}
	jx_findings_release(&missing);
	jx_submission_release(&sub);
	free(latest);
	if (fflush(stdout) && !rc)
		rc = JX_EXIT_ENV;
	return rc;
}

int cmd_feedback(int argc, char **argv)
{
	struct cmd_opts o;
	if (cmd_parse_opts(PROG, argc, argv, OPT_CONFIG | OPT_STORE | OPT_PERIOD | OPT_OUT, &o)) {
		feedback_usage(stderr);
		return JX_EXIT_USAGE;
	}
	if (o.help) {
		feedback_usage(stdout);
		return JX_EXIT_OK;
	}
	if (!o.period || !o.out || !*o.out) {
		fputs(PROG ": --period and --out are required\n", stderr);
		feedback_usage(stderr);
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
	struct store *st = NULL;
	rc = cmd_store_open(PROG, o.store, 0, &st);
	if (!rc) {
		rc = run(&o, &cfg, st, year, month);
		store_close(st);
	}
	jx_config_release(&cfg);
	return rc;
}
