/* mux.h: the readiness models share one reader, as redis's ae.c shares its
 * event loop over ae_select.c, ae_poll.c and ae_epoll.c: each model file is
 * only its multiplexer.
 *
 * A multiplexer watches fds and waits, blocked, until some are readable
 * (or writable, for the fds a program asked that of: want_write).
 * Its wait goes through the probes and also reports how the sets moved: the
 * set built in user space (select, poll rebuild theirs before every call),
 * what the call cost the kernel (select, poll: the fds it polled, the bytes
 * of the sets copied in and back), what came back, and what the program
 * then had to scan to find the ready fds.
 */
#ifndef IOSCOPE_MUX_H
#define IOSCOPE_MUX_H

#include <stdbool.h>

#include "models/model.h"

struct mux;                      /* each multiplexer's own state */

/* What a wait reported for one fd. */
enum { MUX_IN = 1u << 0, MUX_OUT = 1u << 1 };
struct mux_ready {
	int fd;
	unsigned ev;                 /* MUX_IN (readable, end of file or an
	                                error: a read will say), MUX_OUT */
};

struct mux_ops {
	/* Make the state for at most maxfds fds.  Returns 0 or -errno. */
	int (*create)(struct mux **m, int maxfds);
	/* Watch / stop watching fd.  The caller checked it is below limit. */
	int (*add)(struct mux *m, struct feed *f);
	int (*del)(struct mux *m, struct feed *f);
	/* Watch f for writing as well (on), or for reading only again: the
	 * write set, POLLOUT, EPOLLOUT (epoll_ctl MOD).  A program arms it
	 * only while it has bytes queued for f: a socket with room is
	 * writable almost always, and would wake every wait. */
	int (*want_write)(struct mux *m, struct feed *f, bool on);
	/* Block until a watched fd is ready; put them in ready[] (at most
	 * max) and return how many, or -errno. */
	int (*wait)(struct mux *m, struct mux_ready *ready, int max);
	void (*free)(struct mux *m);
	bool edge;                   /* edge-triggered: drain on each report */
	int limit;                   /* fds must be below this; 0 = no limit */
};

/* The body of a readiness model's thread (model_ops.run): the reader of
 * c->fds, or, when c->listen_fd >= 0, the chat server (mux_server.c). */
int mux_run(struct model_ctx *c, const struct mux_ops *ops);
int mux_serve(struct model_ctx *c, const struct mux_ops *ops);

/* For multiplexer files: emit a set event (build, scan, interest); out
 * (NULL: none) marks, for each of fds, write interest (build, interest)
 * or "came back writable" (scan): trace_ev.outs. */
void mux_emit_set(int what, int n, const int *fds, int nfds, const bool *out);

/* For multiplexer files: the wait call (call is TRACE_CALL_SELECT, _POLL or
 * _EPOLL_WAIT; fd the epoll fd, else -1; n the call's size argument).
 * mux_wait_enter emits the enter, naming the set handed in (fds, nfds:
 * none for epoll, whose set lives in the kernel), wakes the loop since the
 * thread may now sleep, and returns the time to pass to mux_wait_exit.
 * mux_wait_exit emits the exit with rc and err (errno when rc < 0) and,
 * when rc > 0, the fds that came back. */
int64_t mux_wait_enter(int call, int fd, int n, const int *fds, int nfds);
void mux_wait_exit(int call, int fd, int n, int64_t t0, int rc, int err,
		   const int *fds, int nfds, const bool *out);

/* What a select or poll cost the kernel (fs/select.c), worked out from
 * what the program handed in; trace/trace.h's polled, copied_in,
 * copied_out and sets. */
struct mux_cost {
	int polled;                  /* fds the kernel polled */
	unsigned in, out;            /* bytes of the sets copied in, back */
	unsigned sets;               /* select: enum trace_fdset; poll: 0 */
};

/* mux_wait_enter and mux_wait_exit with the call's cost recorded
 * (TRACE_F_COST; the enter's without cost->out). */
int64_t mux_wait_enter_cost(int call, int n, const int *fds, int nfds,
			    const bool *out, const struct mux_cost *cost);
void mux_wait_exit_cost(int call, int n, int64_t t0, int rc, int err,
			const int *fds, int nfds, const bool *out,
			const struct mux_cost *cost);

#endif
