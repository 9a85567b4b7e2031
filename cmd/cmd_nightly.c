/* jianxi nightly: placeholder until its issue lands; says so and exits 2. */
#include <stdio.h>
#include "commands.h"

int cmd_nightly(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("jianxi nightly: not built yet\n", stderr);
	return JX_EXIT_USAGE;
}
