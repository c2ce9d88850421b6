/* sampler_int.h: shared by the sampler's files (sampler.c: the model
 * threads' own calls, the timer and the lifecycle; sampler_helpers.c:
 * glibc's aio helper threads, found in /proc by the fds of the requests in
 * flight).  Everything here runs on the loop thread. */
#ifndef IOSCOPE_SAMPLER_INT_H
#define IOSCOPE_SAMPLER_INT_H

#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>
#include <uv.h>

#include "models/sampler.h"
#include "trace/sink.h"

struct inflight {
	int32_t tag;              /* TRACE_SUBMIT's arg */
	int fd;
};

struct helper {
	pid_t tid;
	int seen;                 /* found at this tick */
	struct kstate last;
};

struct watch {
	int actor;
	_Atomic pid_t *tid;
	int call;                 /* TRACE_CALL_* it is in, 0 when none */
	int have_last;
	struct kstate last;
	/* Helper threads: the actor's requests in flight, by the trace, and
	 * the threads last found reading for them. */
	int helpers;
	struct inflight *req;
	int nreq, capreq;
	struct helper *hl;
	int nhl, caphl;
};

struct sampler {
	uv_timer_t timer;
	struct sink *sink;
	struct ring *ring;
	struct watch w[TRACE_MAX_ACTORS];
	int nw;
	int ticking;
	int closed;
	unsigned long emitted;
	unsigned quiet;           /* ticks in a row that saw nothing new */
	/* Scratch for the helper scan. */
	int *fds;
	struct sampler_helper *found;
	int capfds, capfound;
};

/* sampler.c */

/* /proc/self/task/TID/syscall: the number and first argument, or -1 for
 * "running" (in user space).  Returns 0 or -errno. */
int sampler__read_syscall(pid_t tid, long *sysno, long *arg0);
/* Whether two readings show the same state, syscall and wchan. */
int sampler__same(const struct kstate *a, const struct kstate *b);
/* A TRACE_STATE for tid; what = 1: tid is a helper working for the actor,
 * not its own thread. */
void sampler__emit_state(struct sampler *sp, int actor, pid_t tid,
			 const struct kstate *ks, int what);
/* Arm the timer (again at its fastest) unless closed. */
void sampler__start_ticking(struct sampler *sp);

/* sampler_helpers.c */

/* One tick's look for helpers of the watches that have requests in flight. */
void sampler__scan_helpers(struct sampler *sp);
/* A TRACE_SUBMIT, TRACE_COMPLETE or TRACE_DONE of w's actor. */
void sampler__track_request(struct sampler *sp, struct watch *w,
			    const struct trace_ev *ev);

#endif
