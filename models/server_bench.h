/* server_bench.h: the C10K argument, measured (`ioscope bench --servers`).
 *
 * For each server model and each N, the server runs in a child process of
 * its own (its own process group), untraced, serving echo on a loopback
 * listening socket; the bench process is the load: one epoll thread opens
 * N connections (at most SERVER_BENCH_INFLIGHT at a time still waiting
 * for their first answer) and, once all N have had one line answered,
 * each connection sends a SERVER_BENCH_REQ-byte line every
 * N / SERVER_BENCH_RATE seconds, at most one waiting for its echo (a late
 * answer delays the next request; see server_bench_load.c).  So the
 * offered load is SERVER_BENCH_RATE requests a second at every N (2000:
 * what two shared cores serve with room to spare, even from 10,000
 * threads or processes): the servers do the same work at every size, and
 * what grows with N is only the connections that wait.  That is the C10K
 * question: what does a waiting connection cost?  Each request is timed
 * from its send to the end of its echo (CLOCK_MONOTONIC).
 *
 * After SERVER_BENCH_WARMUP_MS of that load, a window of
 * SERVER_BENCH_WINDOW_MS is measured: the requests sent in it (p50, p99,
 * answered per second), and from /proc, over the server's process group
 * (the server and every process it forks): kernel threads (the sum of
 * Threads:), memory (the sum of their Pss from smaps_rollup: a page
 * shared by n processes counts 1/n in each, so it is counted once), and
 * context switches (voluntary + involuntary, summed over every thread's
 * /proc/PID/task/TID/status, end of the window minus start).
 *
 * A size is skipped, with the reason, when it cannot run: RLIMIT_NOFILE
 * (the soft limit is first raised to the hard one, and restored after),
 * and for the models that spawn per connection (caps TRACE_CAP_SPAWNS)
 * pid_max, threads-max, RLIMIT_NPROC and vm.max_map_count; and for all,
 * memory (MemAvailable against a per-connection estimate).  A server that
 * does not have all N answered within SERVER_BENCH_CONNECT_MS (plus 2 ms
 * a connection) is reported as such in the note.  The server's process
 * group is killed (SIGKILL) and every process of it reaped at the end of
 * each cell (the bench is their subreaper meanwhile); every descriptor the
 * run opened is closed before it returns.  If the bench dies, its server
 * gets SIGKILL too (PR_SET_PDEATHSIG).
 */
#ifndef IOSCOPE_SERVER_BENCH_H
#define IOSCOPE_SERVER_BENCH_H

#include <stddef.h>
#include <stdio.h>

#define SERVER_BENCH_MAX_SIZES  8
#define SERVER_BENCH_MAX_MODELS 8
#define SERVER_BENCH_MAX_CONNS  65535     /* the echo servers' own limit */
#define SERVER_BENCH_RATE       2000      /* requests/s offered, at every N */
#define SERVER_BENCH_REQ        32        /* bytes of a request, '\n' last */
#define SERVER_BENCH_INFLIGHT   128       /* connections opening at once */
#define SERVER_BENCH_CONNECT_MS 15000     /* + 2 ms a connection */
#define SERVER_BENCH_WARMUP_MS  500
#define SERVER_BENCH_WINDOW_MS  2000
#define SERVER_BENCH_GRACE_MS   2000      /* for the window's last answers */

struct server_bench_opts {
	const int *conns;              /* sizes; NULL or nsizes 0: 10,100,
	                                  1000,10000 */
	int nsizes;
	const char *const *models;     /* NULL or nmodels 0: the default
	                                  five; names not in this build are
	                                  skipped ("not in this build") */
	int nmodels;
	int csv;                       /* CSV instead of a table */
	/* Called before each cell (may be NULL): for a progress line. */
	void (*progress)(const char *model, int conns, void *arg);
	void *arg;
};

/* Parse "10,1000" into out[0..max-1], each 1..SERVER_BENCH_MAX_CONNS.
 * Returns how many (>= 1), or -EINVAL with a sentence in cause. */
int server_bench_parse_conns(const char *s, int *out, int max, char *cause,
			     size_t len);

/* Parse "epoll,thread-pool" into out[0..max-1]: models of this build that
 * serve echo (model_ops.roles), or names of the default list (skipped
 * when not in this build); each at most once.  The names stored are
 * static strings.  Returns how many (>= 1), or -EINVAL with a sentence in
 * cause. */
int server_bench_parse_models(const char *s, const char **out, int max,
			      char *cause, size_t len);

/* Run the bench and write the result to out: a table with a row per
 * model and size, then two log-scale charts (p99 latency and memory
 * against N, per model); or, with csv, the header
 *   model,conns,threads,rss_kb,ctx_switches,p50_us,p99_us,reqs_per_s,note
 * and one row per model and size, in that order (a skipped one with
 * empty numbers and the note "skipped: <why>").  Returns 0, or -errno
 * when the run itself could not go on; then cause says why. */
int server_bench_run(const struct server_bench_opts *o, FILE *out,
		     char *cause, size_t len);

#endif
