/* What every subcommand shares: finding the config folder and the store URL,
 * loading the config (exit 2 on any problem), opening the store (exit 3),
 * and writing an output file atomically. */
#ifndef CMD_COMMON_H
#define CMD_COMMON_H

#include <stdio.h>
#include "../core/config.h"
#include "../core/outfile.h" /* jx_outfile_*, jx_mkdirs */
#include "../core/text.h" /* JX_VISIBLE: names from outside, as printed */

struct store;

/* The options the subcommands take; each subcommand accepts a subset. */
enum cmd_opt {
	OPT_CONFIG = 1u << 0,      /* --config DIR */
	OPT_STORE = 1u << 1,       /* --store URL */
	OPT_PERIOD = 1u << 2,      /* --period YYYY-MM */
	OPT_YEAR = 1u << 3,        /* --year YYYY */
	OPT_AS_OF = 1u << 4,       /* --as-of YYYY-MM */
	OPT_FORMAT = 1u << 5,      /* --format csv|xlsx */
	OPT_OUTPUT = 1u << 6,      /* -o, --output FILE */
	OPT_OUT = 1u << 7,         /* --out DIR */
	OPT_DISTRICT = 1u << 8,    /* --district D */
	OPT_FINDINGS = 1u << 9,    /* --findings FILE */
	OPT_RECEIVED_AT = 1u << 10, /* --received-at TIME */
	OPT_INBOX = 1u << 11,      /* --inbox DIR */
	OPT_FILES = 1u << 12,      /* FILE... after the options */
	OPT_ALLOW_MISSING = 1u << 13, /* --allow-missing CODE[,CODE...] */
	OPT_BY = 1u << 14,         /* --by NAME */
	OPT_REASON = 1u << 15,     /* --reason TEXT */
	OPT_HISTORY = 1u << 16     /* --history */
};

struct cmd_opts {
	const char *config, *store, *period, *year, *as_of, *format, *output, *out,
		*district, *findings, *received_at, *inbox;
	const char *allow_missing, *by, *reason;
	int history;
	char **files; /* into argv */
	int n_files;
	int help;
};

/* Parses argv (argv[0] is the subcommand) into o, zeroed first, accepting
 * the options in allowed and -h/--help. Returns 0, or -1 after saying what
 * is wrong on stderr (the caller prints its usage and exits 2). */
int cmd_parse_opts(const char *prog, int argc, char **argv, unsigned allowed,
		   struct cmd_opts *o);

/* --config DIR, else $JIANXI_CONFIG, else ./config. */
const char *cmd_config_dir(const char *opt);
/* --store URL, else $JIANXI_STORE, else dir:./warehouse. */
const char *cmd_store_url(const char *opt);

/* Loads the config; on problems prints each on stderr prefixed with prog
 * and returns JX_EXIT_USAGE; returns 0 when loaded. */
int cmd_config_load(const char *prog, const char *opt, struct jx_config *cfg);

/* Opens the store; on failure prints the reason and returns JX_EXIT_ENV.
 * When lock is set, also takes the single-writer lock (waiting up to
 * $JIANXI_LOCK_WAIT seconds, default 60, then JX_EXIT_ENV with "another
 * jianxi run holds the store"). */
int cmd_store_open(const char *prog, const char *opt, int lock,
		   struct store **out);

/* Parses "YYYY-MM" strictly for --period. Returns 0 or -1. */
int cmd_parse_period(const char *text, int *year, int *month);

/* Parses --year (2000..2099). Returns 0 or -1. */
int cmd_parse_year(const char *text, int *year);

/* --year (required) and --as-of (optional, a month of that year; *as_of
 * stays 0 without it). Returns 0, or JX_EXIT_USAGE after saying why. */
int cmd_parse_year_as_of(const char *prog, const char *year_text, const char *as_of_text,
			 int *year, int *as_of);

/* --format csv (default) or xlsx; xlsx needs -o. Sets *xlsx. Returns 0, or
 * JX_EXIT_USAGE after saying why. */
int cmd_parse_format(const char *prog, const char *format, const char *output, int *xlsx);

/* Writes a CSV report with write(report, f): to stdout when output is NULL,
 * else atomically to output. Returns 0, or JX_EXIT_ENV after saying why. */
int cmd_write_csv(const char *prog, const char *output,
		  int (*write)(const void *report, FILE *f), const void *report);

/* For a run that writes workbooks by the thousand (feedback): lets the C
 * library keep up to a few MB of freed memory instead of handing it back to
 * the system after every workbook. libxlsxwriter and zlib take and free
 * about 0.4 MB a workbook; given back each time, the next workbook faults
 * every page of it in again (1.6 s of 5 s for 2,850 notices on
 * PostgreSQL, #14). Does nothing outside glibc. */
void cmd_keep_freed_memory(void);

#endif
