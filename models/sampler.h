/* sampler.h: the kernel's own word on what a model thread is doing.
 *
 * While a watched thread is inside a traced call (seen through the trace's
 * enter and exit events), a timer on the loop thread reads
 * /proc/self/task/TID/{stat,syscall,wchan} and emits a TRACE_STATE event
 * whenever what it reads changes: e.g. state S, syscall recvfrom on fd 5,
 * wchan unix_stream_read_generic.  Nothing shown as blocked is assumed.
 */
#ifndef IOSCOPE_SAMPLER_H
#define IOSCOPE_SAMPLER_H

#include <stdatomic.h>
#include <sys/types.h>

struct sink;
struct sampler;
struct uv_loop_s;

/* One reading of a thread. */
struct kstate {
	char state;              /* 'R', 'S', 'D', ... */
	long sysno;              /* syscall number, -1 when running in user space */
	long arg0;               /* first argument (the fd for reads) */
	char syscall[32];        /* its name for this build, or "running" */
	char wchan[64];          /* kernel function it sleeps in, or "" */
};

/* Read tid's state now.  Returns 0 or -errno (e.g. -ENOENT: it exited). */
int sampler_read(pid_t tid, struct kstate *ks);

/* Name of a syscall number for this architecture ("syscall 123" if unknown). */
const char *sampler_sysname(long nr, char *buf, size_t len);

/* Whether syscall nr is one that call may enter the kernel as. */
int sampler_call_matches(int call, long nr);

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

/* One thread found working on an fd. */
struct sampler_helper {
	pid_t tid;
	int fd;                  /* the read's first argument */
	struct kstate ks;
};

/* Threads of this process, other than skip[0..nskip), that are inside
 * read(2) (or pread64) on one of fds[0..nfds): the kernel's word on who is
 * doing a read nobody in the trace called.  Fills out[0..max) and returns
 * how many it found (possibly more than max: the rest are not filled), or
 * -errno when /proc/self/task cannot be listed. */
int sampler_find_helpers(const int *fds, int nfds, const pid_t *skip, int nskip,
			 struct sampler_helper *out, int max);

/* Number of TRACE_STATE events emitted (for tests and the status line). */
unsigned long sampler_emitted(const struct sampler *sp);

#endif
