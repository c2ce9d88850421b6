/* mux_bench.h: how the cost of one wait grows with the number of watched
 * descriptors, for select, poll and epoll (`ioscope bench`).
 *
 * For each size N the benchmark watches N AF_UNIX datagram sockets, makes
 * exactly one of them readable (one byte from a single sender), does one
 * wait that finds it, finds the ready descriptor the way a real program must
 * (select: FD_ISSET over 0..maxfd; poll: every revents; epoll: the returned
 * events only) and reads the byte back.  Each wait is timed with
 * CLOCK_MONOTONIC in two parts: the syscall alone, and the userspace work
 * around it (select: rebuilding the fd_set before the call; all: the scan
 * after it).  Batches of waits run in interleaved rounds (round, size,
 * model); a figure is the median over rounds of each batch's median.
 *
 * Datagram sockets, not socketpairs: N socketpairs are 2N descriptors, and a
 * 20000 hard RLIMIT_NOFILE would then not fit 10000 watched ones.  Here N
 * watched sockets cost N + 1 descriptors, and the watched ones are created
 * first, so they are the lowest numbers and select stays usable up to about
 * 1020 of them.
 *
 * With lows (--low), each size is measured again with its watched
 * descriptors placed at numbers >= each low (dup'd up with F_DUPFD: the
 * same sockets, higher numbers), so select's nfds grows while the watched
 * count stays: the kernel's do_select skips words of the bitmap with no bit
 * set and polls only the watched fds, so nfds barely matters and the
 * watched count does.  The run checks RLIMIT_NOFILE first: a low whose
 * descriptors cannot fit under the hard limit is refused before anything
 * is measured; under the soft one only, the soft limit is raised.
 *
 * A size that does not fit under RLIMIT_NOFILE (the soft limit is raised to
 * the hard one when needed and restored after), and select wherever a
 * watched descriptor is not below FD_SETSIZE, are skipped with the reason in
 * the output; they are not errors.  Everything the run opens is closed
 * before it returns, on success or failure.
 *
 * The run is single-threaded and takes about 17 s with the defaults on a
 * 2-core machine (poll at 10000 is three quarters of it).
 */
#ifndef IOSCOPE_MUX_BENCH_H
#define IOSCOPE_MUX_BENCH_H

#include <stddef.h>
#include <stdio.h>

#define MUX_BENCH_MAX_SIZES  16       /* sizes x lows in one run */
#define MUX_BENCH_MAX_LOWS   4        /* lows in one run */
#define MUX_BENCH_MAX_LOW    1048575  /* highest low: Linux's default nr_open - 1 */
#define MUX_BENCH_MAX_MODELS 3        /* select, poll, epoll */
#define MUX_BENCH_MAX_FDS    100000   /* largest size accepted */
#define MUX_BENCH_MAX_ROUNDS 1000

struct mux_bench_opts {
	const int *fds;                /* sizes; NULL or nsizes 0: 8,64,512,
	                                  1000,4096,10000 */
	int nsizes;
	const char *const *models;     /* "select", "poll", "epoll", each at
	                                  most once, in the table's order;
	                                  NULL or nmodels 0: all three */
	int nmodels;
	const int *lows;               /* place the watched fds at numbers >=
	                                  each low in turn (0..MUX_BENCH_MAX_LOW);
	                                  NULL or nlows 0: only the lowest free
	                                  numbers, as low 0 */
	int nlows;                     /* nsizes x nlows <= MUX_BENCH_MAX_SIZES */
	int csv;                       /* CSV instead of a table */
	int rounds;                    /* interleaved rounds; 0: 15 */
};

/* Parse "10,100,1000" into out[0..max-1].  Returns how many (>= 1), or
 * -EINVAL with a sentence in cause: "expected a comma-separated list of
 * positive integers, got 'x'". */
int mux_bench_parse_list(const char *s, int *out, int max, char *cause,
			 size_t len);

/* Parse "0,1000" into out[0..max-1]: descriptor numbers from 0 to
 * MUX_BENCH_MAX_LOW.  Returns how many (>= 1), or -EINVAL with a sentence
 * in cause: "expected a comma-separated list of descriptor numbers from 0
 * to 1048575, got 'x'". */
int mux_bench_parse_lows(const char *s, int *out, int max, char *cause,
			 size_t len);

/* Parse "select,epoll" into out[0..max-1]; the names stored are static
 * strings, nothing to free.  Returns how many (>= 1), or -EINVAL with a
 * sentence in cause (unknown or repeated name, empty item). */
int mux_bench_parse_models(const char *s, const char **out, int max,
			   char *cause, size_t len);

/* Run the benchmark and write the result to out: a table with the
 * syscall/userspace split and the ratios poll/epoll, select/epoll and epoll
 * at the largest size over the smallest (with lows: a column per size and
 * low, rows saying where the fds sat, and each model at its highest low over
 * its lowest, per size), then any skip and noise lines; or, with csv, the
 * header
 *   model,fds,low,maxfd,median_ns,syscall_ns,user_ns,spread_pct,rounds,note
 * and one row per model, size and low in that order (low 0 without lows;
 * maxfd the highest watched descriptor, select's nfds - 1; the numbers
 * empty and the note "skipped: <why>" for a skipped one; note "noisy" when
 * the spread, (p90 - p10) / median of the rounds' medians, exceeds 25%).
 * Returns 0, or -EINVAL for bad options (a low whose descriptors cannot fit
 * under RLIMIT_NOFILE's hard limit among them), or -errno when a
 * measurement could not be made; then cause says why in a sentence. */
int mux_bench_run(const struct mux_bench_opts *o, FILE *out, char *cause,
		  size_t len);

#endif
