/* attach.c: `ioscope attach`: trace a program that was not written for
 * ioscope.  (Being written: issue 15.) */
#include <stdio.h>

#include "cli/cli.h"

int cli_attach(int argc, char **argv, const struct cli *c)
{
	(void)argc; (void)argv; (void)c;
	fputs("ioscope: attach: not built yet\n", stderr);
	return EXIT_RUNTIME;
}
