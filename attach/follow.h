/* follow.h: a traced program's threads, as trace events.
 *
 * The tracer thread hands every stop here (tracer thread only, one at a
 * time).  follow.c keeps a table of the program's threads and their fds
 * and turns stops into the trace's events, pushed into one sink ring per
 * thread (one producer each: the tracer thread):
 *
 *  - a thread becomes an actor (sink_actor_new, its TRACE_ACTOR begin
 *    with tid and pid) the first time it makes a call about a socket, a
 *    pipe or a tty (readlink /proc/PID/fd/N; cached per process, flushed
 *    on close, dup2/dup3, exec); threads that never do are never shown;
 *  - enter/exit of each call, its kernel name in the event's sys;
 *  - phases from the outside: a wait (select, poll, epoll_wait) that
 *    returns ready ends phase 1 of each fd it returned, the read of that
 *    fd that follows is phase 2 (the copy); a read that blocked by itself
 *    is one wait phase flagged TRACE_F_WHOLE (its copy is inside and
 *    ptrace cannot see where the wait ended); an EAGAIN is an unblocked
 *    try;
 *  - select/poll sets handed in and returned (enter/exit fds, TRACE_SET
 *    build/scan), epoll's interest list (TRACE_SET_INTEREST after each
 *    epoll_ctl, EPOLLET as TRACE_EPEV_ET) and ready list (epoll_wait's
 *    exit fds);
 *  - the thread's model (classify.h) as TRACE_MODEL events with the
 *    evidence, when it changes.
 *
 * Strings handed to the sink (evidence, labels) live in follow's own
 * arena until follow_free, which runs after sink_close.
 */
#ifndef IOSCOPE_ATTACH_FOLLOW_H
#define IOSCOPE_ATTACH_FOLLOW_H

#include <stdint.h>
#include <sys/types.h>

#include "attach/sys.h"
#include "trace/sink.h"

struct follow;

/* parent: the actor every program thread's actor names as its parent
 * (-1 for none).  Returns 0 or -ENOMEM. */
int follow_new(struct sink *s, int parent, struct follow **out);
void follow_free(struct follow *f);

/* The tracer's ops (sys.h), their arg a struct follow: what each does is
 * said there.  An exec flushes the process's fd cache and reads its maps
 * again; a thread that is gone ends its actor. */
extern const struct attach_ops follow_ops;

/* Counts, for the end's summary and the tests. */
struct follow_stats {
	uint64_t stops;           /* syscall stops handed in */
	int threads, actors;      /* threads seen, and those shown */
	int model_changes;
};
void follow_stats(const struct follow *f, struct follow_stats *out);

#endif
