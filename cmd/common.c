/* Shared by the subcommands: config and store discovery, atomic output. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../core/period.h"
#include "../etl/store.h"
#include "commands.h"
#include "common.h"

int cmd_parse_opts(const char *prog, int argc, char **argv, unsigned allowed,
		   struct cmd_opts *o)
{
	static const struct {
		struct option opt;
		unsigned flag;
	} table[] = {
		{{"config", required_argument, NULL, 'c'}, OPT_CONFIG},
		{{"store", required_argument, NULL, 's'}, OPT_STORE},
		{{"period", required_argument, NULL, 'p'}, OPT_PERIOD},
		{{"year", required_argument, NULL, 'y'}, OPT_YEAR},
		{{"as-of", required_argument, NULL, 'a'}, OPT_AS_OF},
		{{"format", required_argument, NULL, 'f'}, OPT_FORMAT},
		{{"output", required_argument, NULL, 'o'}, OPT_OUTPUT},
		{{"out", required_argument, NULL, 'O'}, OPT_OUT},
		{{"district", required_argument, NULL, 'd'}, OPT_DISTRICT},
		{{"findings", required_argument, NULL, 'F'}, OPT_FINDINGS},
		{{"received-at", required_argument, NULL, 'r'}, OPT_RECEIVED_AT},
		{{"inbox", required_argument, NULL, 'i'}, OPT_INBOX},
		{{"allow-missing", required_argument, NULL, 'M'}, OPT_ALLOW_MISSING},
		{{"by", required_argument, NULL, 'B'}, OPT_BY},
		{{"reason", required_argument, NULL, 'R'}, OPT_REASON},
		{{"history", no_argument, NULL, 'H'}, OPT_HISTORY},
	};
	enum { N = sizeof table / sizeof table[0] };
	struct option longopts[N + 2];
	size_t k = 0;
	for (size_t i = 0; i < N; i++)
		if (allowed & table[i].flag)
			longopts[k++] = table[i].opt;
	longopts[k++] = (struct option){"help", no_argument, NULL, 'h'};
	longopts[k] = (struct option){NULL, 0, NULL, 0};
	memset(o, 0, sizeof *o);
	optind = 1;
	opterr = 0;
	int ch;
	while ((ch = getopt_long(argc, argv, allowed & OPT_OUTPUT ? ":ho:" : ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': o->config = optarg; break;
		case 's': o->store = optarg; break;
		case 'p': o->period = optarg; break;
		case 'y': o->year = optarg; break;
		case 'a': o->as_of = optarg; break;
		case 'f': o->format = optarg; break;
		case 'o': o->output = optarg; break;
		case 'O': o->out = optarg; break;
		case 'd': o->district = optarg; break;
		case 'F': o->findings = optarg; break;
		case 'r': o->received_at = optarg; break;
		case 'i': o->inbox = optarg; break;
		case 'M': o->allow_missing = optarg; break;
		case 'B': o->by = optarg; break;
		case 'R': o->reason = optarg; break;
		case 'H': o->history = 1; break;
		case 'h': o->help = 1; break;
		case ':':
			fprintf(stderr, "%s: %s needs a value\n", prog, argv[optind - 1]);
			return -1;
		default:
			fprintf(stderr, "%s: unknown option %s\n", prog, argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc && !(allowed & OPT_FILES)) {
		fprintf(stderr, "%s: unexpected argument %s\n", prog, argv[optind]);
		return -1;
	}
	o->files = argv + optind;
	o->n_files = argc - optind;
	return 0;
}

const char *cmd_config_dir(const char *opt)
{
	const char *env = getenv("JIANXI_CONFIG");
	return opt ? opt : env && *env ? env : "./config";
}

const char *cmd_store_url(const char *opt)
{
	const char *env = getenv("JIANXI_STORE");
	return opt ? opt : env && *env ? env : "dir:./warehouse";
}

int cmd_config_load(const char *prog, const char *opt, struct jx_config *cfg)
{
	struct jx_config_problems problems = {0};
	const char *dir = cmd_config_dir(opt);
	if (jx_config_load(cfg, dir, &problems)) {
		for (size_t i = 0; i < problems.n; i++)
			fprintf(stderr, "%s: config: %s\n", prog, problems.lines[i]);
		fprintf(stderr, "%s: the config in %s is not usable; nothing was done\n",
			prog, dir);
		jx_config_problems_release(&problems);
		return JX_EXIT_USAGE;
	}
	jx_config_problems_release(&problems);
	return 0;
}

int cmd_store_open(const char *prog, const char *opt, int lock,
		   struct store **out)
{
	char err[512];
	const char *url = cmd_store_url(opt);
	if (store_open(url, out, err, sizeof err)) {
		fprintf(stderr, "%s: cannot open the store: %s\n", prog, err);
		return JX_EXIT_ENV;
	}
	if (lock) {
		/* JIANXI_LOCK_WAIT: seconds to wait for another run (default 60) */
		const char *w = getenv("JIANXI_LOCK_WAIT");
		int wait = w && *w && strspn(w, "0123456789") == strlen(w) && strlen(w) < 6 ? atoi(w) : 60;
		int rc = store_lock(*out, wait);
		if (rc) {
			if (rc == 1)
				fprintf(stderr, "%s: another jianxi run holds the store; waited %d s, nothing was done\n",
					prog, wait);
			else
				fprintf(stderr, "%s: cannot lock the store: %s\n", prog,
					store_error(*out));
			store_close(*out);
			*out = NULL;
			return JX_EXIT_ENV;
		}
	}
	return 0;
}

int cmd_parse_period(const char *text, int *year, int *month)
{
	if (!text || strlen(text) != 7 || text[4] != '-' ||
	    strspn(text, "0123456789-") != 7)
		return -1;
	return jx_period_parse(text, year, month);
}

int cmd_write_csv(const char *prog, const char *output,
		  int (*write)(const void *report, FILE *f), const void *report)
{
	if (!output) {
		if (write(report, stdout) || fflush(stdout)) {
			fprintf(stderr, "%s: cannot write to stdout: %s\n", prog, strerror(errno));
			return JX_EXIT_ENV;
		}
		return 0;
	}
	struct jx_outfile of;
	if (jx_outfile_open(&of, output)) {
		fprintf(stderr, "%s: cannot write %s: %s\n", prog, output, strerror(errno));
		return JX_EXIT_ENV;
	}
	if (write(report, of.f)) {
		fprintf(stderr, "%s: cannot write %s\n", prog, output);
		jx_outfile_abort(&of);
		return JX_EXIT_ENV;
	}
	if (jx_outfile_commit(&of)) {
		fprintf(stderr, "%s: cannot write %s: %s\n", prog, output, strerror(errno));
		return JX_EXIT_ENV;
	}
	return 0;
}

int cmd_parse_year(const char *text, int *year)
{
	if (!text || strlen(text) != 4 || strspn(text, "0123456789") != 4)
		return -1;
	*year = atoi(text);
	return *year >= 2000 && *year <= 2099 ? 0 : -1;
}


int cmd_parse_year_as_of(const char *prog, const char *year_text, const char *as_of_text,
			 int *year, int *as_of)
{
	if (!year_text || cmd_parse_year(year_text, year)) {
		fprintf(stderr, "%s: --year YYYY is required (2000-2099)\n", prog);
		return JX_EXIT_USAGE;
	}
	int ay;
	if (as_of_text && (cmd_parse_period(as_of_text, &ay, as_of) || ay != *year)) {
		fprintf(stderr, "%s: --as-of %s is not a month of %d (YYYY-MM)\n", prog, as_of_text,
			*year);
		return JX_EXIT_USAGE;
	}
	return 0;
}

int cmd_parse_format(const char *prog, const char *format, const char *output, int *xlsx)
{
	*xlsx = format && !strcmp(format, "xlsx");
	if (format && !*xlsx && strcmp(format, "csv")) {
		fprintf(stderr, "%s: --format must be csv or xlsx\n", prog);
		return JX_EXIT_USAGE;
	}
	if (*xlsx && !output) {
		fprintf(stderr, "%s: --format xlsx needs -o FILE\n", prog);
		return JX_EXIT_USAGE;
	}
	return 0;
}

void cmd_keep_freed_memory(void)
{
#ifdef __GLIBC__
	/* glibc gives back the top of the heap once 128 KB of it is free,
	 * unless the run happened to free a large block first, which raises
	 * that bound (the dir store's index does; PostgreSQL's reads do
	 * not): fix it. */
	mallopt(M_TRIM_THRESHOLD, 8 << 20);
#endif
}
