/* jianxi: one program, one subcommand per stage, dispatched from one table. */
#include <stdio.h>
#include <string.h>
#include "commands.h"

struct cmd_entry {
	const char *name;
	int (*fn)(int, char **);
	const char *what;
};

static const struct cmd_entry commands[] = {
	{"check", cmd_check, "ingest and validate files, store nothing"},
	{"load", cmd_load, "ingest, validate and store files"},
	{"summary", cmd_summary, "city summary of one month"},
	{"attainment", cmd_attainment, "districts against their annual targets"},
	{"status", cmd_status, "who submitted: on time, late, missing, rejected"},
	{"feedback", cmd_feedback, "per-district listings of what to fix"},
	{"annual", cmd_annual, "the year-end workbook"},
	{"template", cmd_template, "a blank fill-in form for one district"},
	{"nightly", cmd_nightly, "the whole pipeline for every new inbox file"},
	{"approve", cmd_approve, "sign off a month and lock it"},
	{"reopen", cmd_reopen, "unlock an approved month, with a reason"},
	{"report-up", cmd_report_up, "the city's own form for the level above"},
	{"user", cmd_user, "portal accounts: add, passwd, disable, enable, list"},
	{"serve", cmd_serve, "the districts' web portal (HTTP or HTTPS)"},
};

static void usage(FILE *f)
{
	fputs("usage: jianxi <command> [options]\n\ncommands:\n", f);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].what);
	fputs("\nRun 'jianxi <command> --help' for a command's options.\n", f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return JX_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return JX_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "jianxi: '%s' is not a command\n", argv[1]);
	usage(stderr);
	return JX_EXIT_USAGE;
}
