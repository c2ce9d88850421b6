/* probe.h: traced syscalls and the events of a read's two phases.
 *
 * Each model thread attaches its probe once; then probe_* calls stamp
 * CLOCK_MONOTONIC (vDSO, no syscall) and push enter/exit/phase events into
 * the thread's own ring, lock-free.  The cost is measured by
 * `ioscope bench --probe`.
 */
#ifndef IOSCOPE_PROBE_H
#define IOSCOPE_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "trace/sink.h"
#include "trace/trace.h"

struct ring;

struct probe {
	struct sink *sink;
	struct ring *ring;
	int actor;
};

/* Make p the calling thread's probe (NULL detaches: calls go untraced). */
void probe_attach(struct probe *p);
/* The calling thread's probe, or NULL: for code that emits but is not
 * handed its model's context (a multiplexer's ops, a signal handler). */
const struct probe *probe_self(void);

/* Now, in ns since the epoch of p's sink: the time every event p emits is
 * stamped in.  Without a sink (p NULL: untraced) CLOCK_MONOTONIC, where
 * only differences mean anything.  Async-signal-safe. */
int64_t probe_now(const struct probe *p);

/* Events are pushed without waking the loop thread (that would cost a
 * syscall per event), except before the thread may go quiet: the enter of a
 * call that may block, the start of idle time, the end.  So emit a read's
 * phase-begin before its enter.
 *
 * Low level: emit one event stamped now (or at t_ns when given). */
int64_t probe_enter(int call, int fd, bool may_block);
void probe_exit(int call, int fd, int64_t ret, int err, int64_t t0,
		uint32_t try_no);
void probe_phase(int phase, bool end, bool blocked, int fd, int64_t t_ns);
void probe_idle(bool end, int64_t dur_ns, uint32_t try_no);
/* The end: status 0, -ECANCELED (stopped while waiting, with unread bytes
 * still in its sockets), or -errno. */
void probe_done(int status, uint32_t unread);
/* Any event: actor and step are filled in; wake as above. */
void probe_emit(struct trace_ev *ev, bool wake);
/* A note stamped now: one sentence in English and in Chinese, static
 * strings (the sink interns them). */
void probe_note(const char *en, const char *zh);

/* ---- Actors a model creates mid-run ----
 *
 * A model that starts a thread (a thread per connection) makes it an
 * actor of its own: before starting it, probe_actor_new announces it to
 * the sink (its parent: the caller's actor) and gives it a ring of its
 * own, so every thread still has one producer per ring and pushes
 * lock-free; the new thread attaches that probe and calls
 * probe_actor_begin first and probe_actor_end last, so its life's edges
 * are in its own ring around its events.  The sink makes it an actor of
 * the trace when it merges the begin (sink.h, sink_actor_new).
 *
 * A child process (fork) works the same way: the sink's rings live in
 * memory shared across fork, so the child attaches the probe
 * probe_actor_new gave it, calls probe_forked once, then
 * probe_actor_begin, and its events reach the parent's sink
 * (trace/FORMAT.md, "Events from child processes"). */

/* Fill child with the probe of a thread the caller's actor is about to
 * start, announced as a (its parent is set to the caller's actor).
 * Returns 0; -EPERM when the caller is untraced, -ENOSPC or -ENOMEM when
 * the sink has no id or ring left: child is then zeroed and the thread,
 * attaching it, runs untraced. */
int probe_actor_new(struct probe *child, const struct sink_actor *a);
/* In a child process, right after fork, before any other probe call:
 * from now on this process wakes the sink through a descriptor it
 * inherited, not through the loop's async handle (the child holds only a
 * copy of its state).  Async-signal-safe. */
void probe_forked(void);
/* From the new thread, its first event: its TRACE_ACTOR begin, with its
 * tid and pid.  Wakes the loop. */
void probe_actor_begin(void);
/* Its last: the calling thread's actor leaves (TRACE_ACTOR end).  Wakes
 * the loop. */
void probe_actor_end(void);
/* The calling thread's actor runs model now, which can show caps (enum
 * trace_cap); why: one sentence in English and in Chinese.  Static
 * strings (the sink interns them). */
void probe_model(const char *model, unsigned caps, const char *why_en, const char *why_zh);

/* recv(2) through the probe; errno is preserved for the caller. */
ssize_t probe_recv(int fd, void *buf, size_t len, int flags, bool may_block,
		   uint32_t try_no);

#endif
