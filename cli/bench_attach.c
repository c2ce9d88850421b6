/* bench_attach.c: `ioscope bench --attach`.  (Being written: issue 15.) */
#include <stdio.h>

#include "cli/cli.h"

int cli_bench_attach(const struct cli *c)
{
	(void)c;
	fputs("ioscope: bench --attach: not built yet\n", stderr);
	return EXIT_RUNTIME;
}
