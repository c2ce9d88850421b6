/* exercise.c: `ioscope exercise`: check a learner's own server.  (Being
 * written: issue 15.) */
#include <stdio.h>

#include "cli/cli.h"

int cli_exercise(int argc, char **argv, const struct cli *c)
{
	(void)argc; (void)argv; (void)c;
	fputs("ioscope: exercise: not built yet\n", stderr);
	return EXIT_RUNTIME;
}
