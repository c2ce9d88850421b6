/* mux_bench_int.h: shared by the benchmark's files (mux_bench.c: the
 * sockets, the waits and the rounds; mux_bench_out.c: the options' parsing
 * and the table or CSV written from the results). */
#ifndef IOSCOPE_MUX_BENCH_INT_H
#define IOSCOPE_MUX_BENCH_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "models/mux_bench.h"

#define BATCH     200     /* timed waits per batch */

enum { M_SELECT, M_POLL, M_EPOLL };
enum { T_TOTAL, T_SYS, T_USER };

/* "select", "poll", "epoll", by M_*. */
extern const char *const mux_bench__model_name[MUX_BENCH_MAX_MODELS];

/* The run: options resolved, then results per model (in the user's order)
 * and case: a size at a low, sizes outer, lows inner. */
struct plan {
	const int *fds;                /* per case: watched fds */
	int nsizes;                    /* cases */
	int case_fds[MUX_BENCH_MAX_SIZES];
	int low[MUX_BENCH_MAX_SIZES];  /* per case: its low */
	int li[MUX_BENCH_MAX_SIZES];   /* per case: which low, 0 .. nlows-1 */
	int maxfd[MUX_BENCH_MAX_SIZES];/* per case: highest watched descriptor,
	                                  -1 when it did not fit */
	int lows[MUX_BENCH_MAX_LOWS];
	int nlows;
	int lows_given;                /* --low: show where the fds sat */
	int model[MUX_BENCH_MAX_MODELS];
	int nmodels;
	int rounds;
	int64_t *med;                  /* [model][size][round][3] */
	int64_t fin[MUX_BENCH_MAX_MODELS][MUX_BENCH_MAX_SIZES][3];
	double spread[MUX_BENCH_MAX_MODELS][MUX_BENCH_MAX_SIZES];
	char skip[MUX_BENCH_MAX_MODELS][MUX_BENCH_MAX_SIZES][80];
	int size_skip[MUX_BENCH_MAX_SIZES];    /* the size did not fit */
};

/* The M_* named by name[0..n), or -1. */
int mux_bench__model_index(const char *name, size_t n);
/* "<what>, got '<s[0..n)>'" into cause (cut at 40 characters); -EINVAL. */
int mux_bench__fail(char *cause, size_t len, const char *what, const char *s,
		    size_t n);

/* The results of a summed plan, as the table (secs: how long the run took)
 * or as CSV; see mux_bench_run in mux_bench.h for both shapes. */
void mux_bench__put_table(FILE *out, const struct plan *pl, double secs);
void mux_bench__put_csv(FILE *out, const struct plan *pl);

#endif
