/* probe_bench.h: benchmarks (`ioscope bench`), reported, never asserted. */
#ifndef IOSCOPE_BENCH_H
#define IOSCOPE_BENCH_H

#include <stdio.h>

/* What a traced recv costs over an untraced one.  Returns 0 or -errno. */
int bench_probe(FILE *out);

#endif
