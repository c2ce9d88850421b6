/* procwatch.h: a running program watched without ptrace, from /proc only.
 *
 * When ptrace is refused (Yama's ptrace_scope, another tracer, a missing
 * capability) or the test hook IOSCOPE_ATTACH_PROC=1 asks for it, attach
 * still shows where the program's threads sleep: what any process of the
 * same user may read of another.
 *
 *  - every thread of /proc/PID/task is an announced actor (sink_actor_new
 *    + sink_ring_new + a TRACE_ACTOR begin with its tid and pid), named
 *    "<comm cut to 8>.<tid>" with the labels attach uses; the list is read
 *    again every PROCWATCH_EVERY_MS on a timer of the loop: new threads
 *    begin, gone ones end;
 *  - each thread's state, syscall and wchan, from /proc/PID/task/TID, as a
 *    TRACE_STATE whenever it changes (the sampler reads a thread only
 *    inside a traced call, and no call is traced here);
 *  - a thread asleep in a wait gets a TRACE_MODEL naming the wait's model,
 *    its evidence saying it was read from /proc (weaker than a traced
 *    call: one sleep, no sequence);
 *  - each epoll instance's interest list (/proc/PID/fdinfo/EPFD) as a
 *    TRACE_SET_INTEREST when it changes, on the thread asleep on that
 *    epoll fd (else the program's main thread), and a note when it holds
 *    edge-triggered fds (the set has no masks);
 *  - a note first, on the world: why ptrace was refused, and what is lost.
 *
 * Loop thread only.  Strings handed to the sink (the notes) live in the
 * procwatch until procwatch_free, which runs after sink_close.
 */
#ifndef IOSCOPE_ATTACH_PROCWATCH_H
#define IOSCOPE_ATTACH_PROCWATCH_H

#include <stdbool.h>
#include <sys/types.h>

#define PROCWATCH_EVERY_MS 100

struct sink;
struct procwatch;
struct uv_loop_s;

struct procwatch_opts {
	struct sink *sink;
	pid_t pid;                /* the process watched */
	int parent;               /* every thread's actor's parent (-1: none) */
	const char *why;          /* why not ptrace (tracer_start's cause, or
	                             the test hook's name); copied */
	/* Loop thread: the process is gone (every thread of it).  May be
	 * NULL. */
	void (*on_end)(void *arg);
	void *arg;
};

/* Check that pid exists (-ESRCH if not, -EINVAL for pid <= 0), emit the
 * note and the first scan's actors, and start the timer.  0 or -errno. */
int procwatch_start(struct uv_loop_s *loop, const struct procwatch_opts *o,
		    struct procwatch **out);
/* Stop the timer and end every live actor (their TRACE_ACTOR end).  The
 * loop must run once more to close the timer.  Idempotent. */
void procwatch_stop(struct procwatch *pw);
/* After sink_close and the loop has run. */
void procwatch_free(struct procwatch *pw);

/* Threads shown now (begun, not ended), and scans made. */
int procwatch_threads(const struct procwatch *pw);
unsigned long procwatch_scans(const struct procwatch *pw);
bool procwatch_ended(const struct procwatch *pw);

#endif
