/* The subcommands of jianxi, one file each under cmd/. Each takes argc/argv
 * after the subcommand name is consumed (argv[0] is the subcommand) and
 * returns the exit code of SPEC §5. */
#ifndef CMD_COMMANDS_H
#define CMD_COMMANDS_H

enum jx_exit {
	JX_EXIT_OK = 0,       /* done and clean */
	JX_EXIT_FINDINGS = 1, /* done, and data errors were found */
	JX_EXIT_USAGE = 2,    /* usage or config error */
	JX_EXIT_ENV = 3       /* I/O or database failure */
};

int cmd_check(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_summary(int argc, char **argv);
int cmd_attainment(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_feedback(int argc, char **argv);
int cmd_annual(int argc, char **argv);
int cmd_template(int argc, char **argv);
int cmd_nightly(int argc, char **argv);
int cmd_approve(int argc, char **argv);
int cmd_reopen(int argc, char **argv);
int cmd_report_up(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_serve(int argc, char **argv);

#endif
