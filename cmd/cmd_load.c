/* jianxi load: placeholder until its issue lands; says so and exits 2. */
#include <stdio.h>
#include "commands.h"

int cmd_load(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("jianxi load: not built yet\n", stderr);
	return JX_EXIT_USAGE;
}
