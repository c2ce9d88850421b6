/* sampler.h: the kernel's own word on what a model thread is doing.
 *
 * While a watched thread is inside a traced call (seen through the trace's
 * enter and exit events), a timer on the loop thread reads
 * /proc/PID/task/TID/{stat,syscall,wchan} and emits a TRACE_STATE event
 * whenever what it reads changes: e.g. state S, syscall recvfrom on fd 5,
 * wchan unix_stream_read_generic.  Nothing shown as blocked is assumed.
 * The reading itself is sampler_proc.h's.
 *
 * Watched: the header's actors given to sampler_watch, and every actor
 * announced mid-run (a thread or a process per connection, a pool's
 * workers), by itself: from its TRACE_ACTOR begin, whose tid and pid say
 * which thread of which process to read (a child process's too), to its
 * end.  Not an actor with TRACE_CAP_COROUTINE: the thread that runs it is
 * its scheduler's, watched as the scheduler.  Announced threads inside a
 * call are read round robin, at most ANNOUNCED_PER_TICK (sampler.c, 32)
 * per tick, so a thousand of them cost a tick no more than 32 do.
 */
#ifndef IOSCOPE_SAMPLER_H
#define IOSCOPE_SAMPLER_H

#include <stdatomic.h>
#include <sys/types.h>

#include "models/sampler_proc.h"

struct sink;
struct sampler;
struct uv_loop_s;

int sampler_new(struct uv_loop_s *loop, struct sink *s, struct sampler **out);
/* Watch actor's thread; tid is read when needed (0 until it starts). */
int sampler_watch(struct sampler *sp, int actor, _Atomic pid_t *tid);
/* Also watch the threads that work for the actor behind its back (glibc's
 * POSIX aio helpers): while the trace shows it has requests in flight
 * (TRACE_SUBMIT not yet matched by a TRACE_COMPLETE of the same tag), each
 * tick lists /proc/self/task and samples every other thread found inside
 * read(2) on one of those requests' fds.  Changes are emitted as
 * TRACE_STATE with what = 1 and that thread's tid.  Watches the actor's own
 * thread too, as sampler_watch does.  Returns 0 or -ENOSPC. */
int sampler_watch_helpers(struct sampler *sp, int actor, _Atomic pid_t *tid);
void sampler_close(struct sampler *sp);      /* stops the timer */
void sampler_free(struct sampler *sp);       /* after the loop closed it */

/* Number of TRACE_STATE events emitted (for tests and the status line). */
unsigned long sampler_emitted(const struct sampler *sp);
/* Timer ticks so far (for tests: the cost of one). */
unsigned long sampler_ticks(const struct sampler *sp);

#endif
