/* What every subcommand shares: finding the config folder and the store URL,
 * loading the config (exit 2 on any problem), opening the store (exit 3),
 * and writing an output file atomically. */
#ifndef CMD_COMMON_H
#define CMD_COMMON_H

#include <stdio.h>
#include "../core/config.h"

struct store;

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

/* Atomic output: opens "<path>.tmp.<pid>" for writing. Commit flushes,
 * fsyncs, closes and renames it onto path; abort removes it. Both return 0
 * or -1 with errno set; the FILE is closed either way. */
struct cmd_outfile {
	FILE *f;
	char *path, *tmp;
};
int cmd_outfile_open(struct cmd_outfile *o, const char *path);
int cmd_outfile_commit(struct cmd_outfile *o);
void cmd_outfile_abort(struct cmd_outfile *o);

/* Makes dir and its parents (mode 0755). Returns 0 or -1 with errno. */
int cmd_mkdirs(const char *dir);

#endif
