/* sink.h: where a live run's events meet.
 *
 * Producers (model threads, and the loop thread itself for the world and the
 * sampler) each get a ring from sink_ring_new and push into it; sink_wake,
 * safe from any thread, asks the loop thread to drain.  Draining moves every
 * ring's events into the trace in time order (per batch), assigns seq, turns
 * drop counts into TRACE_LOST events, and calls each listener once per new
 * event, in order.  All of that happens on the loop thread, a bounded
 * slice at a time: a wake-up takes at most a batch of a few thousand
 * events, and at most a few milliseconds, then the loop runs its timers
 * before it comes back for the rest, so that a producer faster than the
 * listeners cannot starve the world's clock or the screen (its ring
 * drops and counts what does not fit meanwhile).
 *
 * Time: a run's events are stamped in ns since its sink's epoch, taken once
 * (CLOCK_MONOTONIC) by sink_new before any producer starts and never
 * changed, so two runs that overlap each keep their own clock.
 *
 * Lifetime: sink_new after the loop exists; create rings before the threads
 * that use them start; sink_close after those threads are joined (and
 * the child processes reaped), then let the loop run once so its handles
 * close, then sink_free.  When sink_new fails after it made a handle, the
 * loop's next run frees what it took.
 *
 * Child processes: a ring lives in memory shared with every process
 * forked after it was made (ring.h, ring_new), so a child can push its
 * events into a ring made for it before the fork (sink_actor_new, then
 * sink_ring_new), and the parent's loop drains it as any other.  The
 * child wakes the loop through the sink's wake descriptor (sink_forked,
 * sink_wake_fd), which the loop watches.  In the child only sink_forked,
 * sink_wake, sink_now, sink_epoch and the ring's producer side may be
 * used: the rest takes a lock another thread of the parent may have held
 * at the fork, or reads state the child holds only a stale copy of.  A
 * note's or a model's strings, and an enter's or exit's syscall (a
 * traced program's kernel name of the call), must be static (same
 * address in the child), as for threads; the drain interns them, so a
 * thread's own string need only live until its event is drained.  trace/FORMAT.md, "Events from child
 * processes".
 */
#ifndef IOSCOPE_SINK_H
#define IOSCOPE_SINK_H

#include "trace/ring.h"
#include "trace/trace.h"

struct sink;
struct uv_loop_s;

typedef void (*sink_listen_cb)(void *arg, struct trace *t,
			       const struct trace_ev *ev);

int sink_new(struct uv_loop_s *loop, struct trace *t, struct sink **out);
void sink_close(struct sink *s);     /* drains what is left, closes the handle */
void sink_free(struct sink *s);

/* Any thread: the epoch (trace_mono_ns() when sink_new ran), and now in ns
 * since it. */
int64_t sink_epoch(const struct sink *s);
int64_t sink_now(const struct sink *s);

/* A ring for one producer thread; actor (an index, or an id from
 * sink_actor_new) is used for its TRACE_LOST events.  Owned by the sink.
 * Any thread: a model thread makes one for a thread it starts.  Returns
 * NULL when out of memory or past SINK_MAX_RINGS (sink.c: 256 in all,
 * 772 KiB of address space each, pages touched as it fills). */
struct ring *sink_ring_new(struct sink *s, int actor);

/* Actors that appear mid-run (a thread per connection): a producer
 * announces one with sink_actor_new, from any thread, and gets an id
 * (SINK_ACTOR_NEW + i) to put in its events' actor field; its strings
 * are copied.  The trace learns of it when the drain merges its
 * TRACE_ACTOR begin, its first event: trace_announce_actor, then the
 * begin and every later event carry its index.  parent is the creating
 * actor: an index, or the id of another announced actor.  Events of an
 * id whose begin is not merged yet wait one drain pass (the creator's
 * ring may be drained after the new one); past that, and for an id the
 * trace refused (a name taken, TRACE_ACTORS_LIMIT reached), they are
 * counted as refused (sink_refused).  Returns the id, -EINVAL (no name)
 * or -ENOSPC (TRACE_ACTORS_LIMIT ids handed out, or no ring left for its
 * thread: every announced actor gets one, so an id is not spent on an
 * actor that could not run). */
#define SINK_ACTOR_NEW 0x8000     /* above any index: TRACE_ACTORS_LIMIT */
struct sink_actor {
	const char *name, *model;
	unsigned caps;            /* enum trace_cap */
	const char *label_en, *label_zh;
	int parent;
};
int sink_actor_new(struct sink *s, const struct sink_actor *a);

/* Any thread: the name of actor (an index of the trace's header or an
 * announced one, or an id from sink_actor_new, from the thread that
 * announced it or one it started since), or NULL when there is no such
 * actor.  The string lives as long as the sink (an id's) or its trace
 * (an index's).  A model names the thread or process it starts for a
 * connection after its own actor ("S.1"). */
const char *sink_actor_name(struct sink *s, int actor);

/* In a child process right after fork (probe_forked calls it): rings
 * are in memory shared with the parent (MAP_SHARED), and from now on
 * sink_wake in this process writes to the sink's wake descriptor, which
 * the parent's loop watches, instead of the loop's async handle.  Only
 * this process's copy of s changes.  Async-signal-safe. */
void sink_forked(struct sink *s);
/* The wake descriptor (an eventfd): a child process must keep it open
 * to wake the loop (a child that closes its inherited descriptors keeps
 * this one). */
int sink_wake_fd(const struct sink *s);

/* Push ev into r and wake the loop (any thread).  sink_wake(NULL) does
 * nothing: an untraced model thread (the bench's) has no sink. */
void sink_emit(struct sink *s, struct ring *r, const struct trace_ev *ev);
void sink_wake(struct sink *s);

/* Loop thread only. */
int sink_listen(struct sink *s, sink_listen_cb cb, void *arg);
/* Everything the rings hold when it is called; what a busy producer adds
 * meanwhile waits for the next pass. */
void sink_drain(struct sink *s);
struct trace *sink_trace(struct sink *s);

/* After each drained batch, once every listener has heard all of it:
 * cb runs on the loop thread (a recorder writes the batch out there).
 * One at a time; NULL removes it. */
typedef void (*sink_batch_cb)(void *arg);
void sink_on_batch(struct sink *s, sink_batch_cb cb, void *arg);

/* The trace refused an event (-EFBIG: it holds its memory cap; -ENOMEM):
 * cb runs once, on the loop thread, from inside sink_drain.  From then on
 * nothing more is appended or heard: every event that still arrives is
 * counted, and sink_close appends the counts as TRACE_LOST events, one per
 * actor (they fit past the cap), so nothing is lost silently. */
typedef void (*sink_fail_cb)(void *arg, int err);
void sink_on_fail(struct sink *s, sink_fail_cb cb, void *arg);
int sink_status(const struct sink *s);     /* 0 or the first failure */

/* Events trace_append refused with -EINVAL (one that breaks its actor's
 * life: before its begin, after its end; trace/FORMAT.md), and those of
 * an announced actor the trace never took (above): each is dropped and
 * counted, the run goes on, and sink_close appends the count as a lost
 * event of the world's.  Loop thread. */
uint64_t sink_refused(const struct sink *s);

#endif
