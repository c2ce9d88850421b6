/* tracer_int.h: the tracer's parts, shared by tracer*.c only.
 *
 *   tracer.c        the public calls, the tracer thread's life, the wake-up
 *   tracer_loop.c   the wait loop: one stop at a time, the thread table
 *   tracer_child.c  a started program (fork, seccomp filter, exec), the
 *                   first seize of a child, the measured overhead
 *   tracer_seize.c  -p: seizing a running process, refusals, detaching
 *   tracer_mem.c    the arrays a call points at (process_vm_readv)
 */
#ifndef IOSCOPE_ATTACH_TRACER_INT_H
#define IOSCOPE_ATTACH_TRACER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "attach/sys.h"
#include "attach/tracer.h"

/* One traced thread. */
struct tr_thread {
	pid_t tid, pid;
	pid_t creator;              /* the thread whose clone made it (0: none) */
	bool fresh;                 /* auto-attached: its first stop not seen yet */
	bool held;                  /* its first stop came before its creator's
	                               event: left stopped until that event */
	bool seizing;               /* -p: its PTRACE_INTERRUPT stop not seen yet */
	bool restart;               /* -p: the call it was in restarts: swallow
	                               the restarted entry */
	bool restart_block;         /* its last call exited -516: the
	                               restart_syscall that follows is it */
	bool detaching;             /* tracer_stop: detach at its next stop */
	bool in_call;               /* between a watched entry and its exit */
	bool silent;                /* the started program before its exec */
	long nr;                    /* the watched call it is in */
	uint64_t args[6];
};

enum { TR_REQ_NONE, TR_REQ_STOP, TR_REQ_KILL };

struct tracer {
	struct tracer_opts o;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* Under mu: the start's outcome, the stop's requests and answers. */
	bool start_done;
	int start_rc;
	char cause[256];
	int req;                    /* TR_REQ_* asked by tracer_stop */
	int ack;                    /* the last req the tracer thread saw */
	bool done;                  /* the tracer thread has nothing left to trace */
	bool exited;                /* it returns: no request is seen any more */
	atomic_bool ended;

	bool attached;              /* -p */
	bool seccomp;
	pid_t pid;
	int64_t overhead_ns;
	int status;                 /* the started program's wait status */
	bool have_status;
	int exec_pipe;              /* read end: the child's exec errno; -1 */
	bool execd;                 /* the started program has exec'd */
	bool start_told;            /* tracer__exec_result has run */
	int acted;                  /* the last req acted on */
	bool ended_told;
	bool give_up;               /* -p: threads that would not stop by the
	                               deadline are left to the kernel, which
	                               detaches them when this thread exits */

	struct tr_thread *th_v;
	int th_n, th_cap;
	struct attach_sys sys;      /* the stop being handed out */
};

/* tracer.c */
int64_t tracer__now(const struct tracer *t);
int tracer__request(struct tracer *t);          /* req, and marks it seen */
void tracer__start_done(struct tracer *t, int rc, const char *cause);

/* tracer_loop.c */
struct tr_thread *tracer__find(struct tracer *t, pid_t tid);
struct tr_thread *tracer__add(struct tracer *t, pid_t tid, pid_t pid, pid_t creator);
void tracer__remove(struct tracer *t, pid_t tid);
pid_t tracer__tgid(pid_t tid);
void tracer__loop(struct tracer *t);
void tracer__resume(struct tracer *t, struct tr_thread *th, int sig);

/* tracer_child.c */
int tracer__spawn(struct tracer *t, char *cause, size_t len);
int tracer__seize_child(pid_t pid, bool seccomp);
int64_t tracer__measure(bool seccomp);
void tracer__exec_result(struct tracer *t);

/* tracer_seize.c */
int tracer__seize(struct tracer *t, char *cause, size_t len);
void tracer__at_seize(struct tracer *t, struct tr_thread *th, int64_t t_ns);
void tracer__detach_all(struct tracer *t);
void tracer__detach_stop(struct tracer *t, struct tr_thread *th, int status);

/* tracer_mem.c: fills s->nmem, mem_more, fds, ev, data for s (tid, nr,
 * args, exit and ret set; at an exit, args are the entry's). */
void tracer__mem(struct attach_sys *s);

#endif
