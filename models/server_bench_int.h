/* server_bench_int.h: shared by the server bench's files
 * (server_bench.c: the cells, the server's process, the limits;
 * server_bench_load.c: the load generator; server_bench_proc.c: what
 * /proc says of the server; server_bench_out.c: options and output). */
#ifndef IOSCOPE_SERVER_BENCH_INT_H
#define IOSCOPE_SERVER_BENCH_INT_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "models/server_bench.h"

/* The default models, in the table's order. */
#define SB_NDEFAULT 5
extern const char *const sb__default_models[SB_NDEFAULT];

/* One model at one size. */
struct sb_cell {
	int measured;                  /* else note says why not */
	int threads;
	long rss_kb;
	long long ctx;
	double p50_us, p99_us, rps;
	double secs;                   /* how long the cell took */
	char note[160];
};

struct sb_plan {
	const int *conns;
	int nsizes;
	const char *names[SERVER_BENCH_MAX_MODELS];
	int nmodels;
	struct sb_cell cell[SERVER_BENCH_MAX_MODELS][SERVER_BENCH_MAX_SIZES];
};

/* What /proc says of a process group. */
struct sb_usage {
	int procs;
	int threads;
	long rss_kb;                   /* the sum of the processes' Pss */
	long long ctx;                 /* voluntary + involuntary, all threads */
};

/* Sum over the processes of group pgid; memory only when mem (it costs
 * a walk of each process's mappings).  Returns 0 or -errno. */
int sb__usage(pid_t pgid, int mem, struct sb_usage *u);
/* Tasks (threads) of the real uid uid now, and of everyone. */
void sb__tasks(uid_t uid, long *mine, long *all);
/* A number from a /proc file (the first integer in it), or -1. */
long long sb__proc_number(const char *path);
/* The kB of field ("MemAvailable:") in a /proc file, or -1. */
long long sb__proc_field(const char *path, const char *field);

/* The load generator: one thread, one epoll. */
struct sb_conn;
struct sb_load {
	int n;
	struct sockaddr_in addr;
	int64_t think_ns;              /* a connection's period */
	struct sb_conn *c;
	int epfd;
	int *heap;                     /* conns waiting to send: a heap by */
	int64_t *due;                  /* ... due time */
	int count;
	int opened, inflight;
	int64_t deadline_ns;           /* for all N to connect */
	_Atomic int connected, failed, lost;   /* lost: closed after connecting */
	_Atomic int done;              /* the thread is over */
	_Atomic int stop;              /* main: end after the window's answers */
	_Atomic int64_t w_start, w_end;
	int64_t *lat;                  /* ns, requests sent in the window */
	size_t nlat, caplat;
	long win_sent;
	int err;                       /* -errno of the load itself */
	int no_pwait2;                 /* epoll_pwait2 is ENOSYS here */
	pthread_t thread;
	int started;
};

/* Prepare for n connections to addr; start the thread.  0 or -errno. */
int sb__load_start(struct sb_load *l, int n, const struct sockaddr_in *addr);
/* Join (after setting stop) and close every connection. */
void sb__load_finish(struct sb_load *l);

/* Output. */
void sb__put_table(FILE *out, const struct sb_plan *pl, double secs);
void sb__put_csv(FILE *out, const struct sb_plan *pl);

#endif
