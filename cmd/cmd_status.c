/* jianxi status: placeholder until its issue lands; says so and exits 2. */
#include <stdio.h>
#include "commands.h"

int cmd_status(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("jianxi status: not built yet\n", stderr);
	return JX_EXIT_USAGE;
}
