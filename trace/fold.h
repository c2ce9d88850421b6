/* fold.h: the view of a trace after its first n events.
 *
 * Every view (narration, screen, replay, stepping back) is
 * fold(events[0..n]): start from view_reset and apply events in order.
 * The fold reads nothing but the events, so a replay shows exactly what the
 * live run showed.
 */
#ifndef IOSCOPE_FOLD_H
#define IOSCOPE_FOLD_H

#include <stdbool.h>
#include <stdint.h>

#include "trace/trace.h"

struct view_actor {
	/* Now. */
	int call;                 /* TRACE_CALL_* in progress, 0 when none */
	int call_fd;
	int64_t call_since;
	int phase;                /* TRACE_PH_* in progress, 0 when none */
	bool phase_blocked;
	int phase_fd;
	int64_t phase_since;
	bool idle;                /* doing something else */
	int64_t idle_since;
	uint32_t tries;           /* recv calls in the current wait phase */
	bool done;
	int64_t status;
	/* The kernel's last word, from the sampler. */
	bool have_state;
	char state;
	const char *syscall, *wchan;
	int tid;
	int64_t state_t;
	/* Totals. */
	uint64_t calls, eagain, reads, bytes, arrived, idles;
	int64_t blocked_ns;       /* inside phases flagged blocked */
	int64_t wait_ns, copy_ns; /* in phase 1 and phase 2 */
	/* Multiplexing: per wait, descriptors the program handed the kernel
	 * (select's nfds bits, poll's entries; epoll: one per epoll_ctl),
	 * descriptors the kernel checked, and entries the program scanned. */
	uint64_t waits, handed_in, checked, scanned;
	bool refused;             /* the model refused an fd (FD_SETSIZE) */
	/* The last multiplexer round, as indices into the trace (-1: none):
	 * the set built, the wait's enter and exit, the program's scan, the
	 * epoll interest list; and the fds the view knows are on the epoll
	 * ready list (arrived since, not yet returned). */
	long mux_build, mux_enter, mux_exit, mux_scan, mux_interest;
	int nready;
	int ready[TRACE_FDS_INLINE];
};

struct view {
	size_t n;                 /* events applied */
	int64_t t_ns;             /* time of the last one */
	int nactors;
	struct view_actor actors[TRACE_MAX_ACTORS];
	int step;                 /* last scripted action seen, -1 before any */
	const char *caption[2];   /* the current caption */
	uint64_t lost;
};

void view_reset(struct view *v, const struct trace *t);
void view_apply(struct view *v, const struct trace_ev *ev);
/* view_reset, then apply events[0..n) (n is clamped to the count). */
void view_fold(struct view *v, const struct trace *t, size_t n);

#endif
