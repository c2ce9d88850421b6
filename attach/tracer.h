/* tracer.h: a program under ptrace, on a thread of its own.
 *
 * One dedicated tracer thread does every ptrace call (only the thread
 * that seized a tracee may ptrace it) and waits with waitpid(-1, __WALL)
 * for its tracees' stops; each goes to o->ops (follow.c's follow_ops).
 *
 * Started programs (argv): fork, then in the child PR_SET_NO_NEW_PRIVS
 * and a seccomp-bpf filter that returns SECCOMP_RET_TRACE for the watched
 * calls only (attach_sys_watched) and lets every other call run
 * unstopped, then raise(SIGSTOP) and execvp.  The tracer seizes it with
 * PTRACE_O_EXITKILL | TRACESYSGOOD | TRACECLONE | TRACEFORK | TRACEVFORK |
 * TRACEEXEC | TRACESECCOMP: a seccomp stop is a watched call's entry, and
 * PTRACE_SYSCALL from it gives its exit.  Children, threads and execs are
 * followed.
 *
 * Running programs (pid): every thread of /proc/PID/task is seized (until
 * the list stops changing) without EXITKILL, with plain PTRACE_SYSCALL
 * stops (no filter can be added to a running program); a thread inside a
 * call at the seize is read from /proc/TID/syscall (attach_sys.at_seize).
 * tracer_stop detaches every thread, and the program runs on.
 *
 * Group-stops are kept with PTRACE_LISTEN; other signals are passed on.
 */
#ifndef IOSCOPE_ATTACH_TRACER_H
#define IOSCOPE_ATTACH_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct attach_ops;
struct sink;
struct tracer;

struct tracer_opts {
	char *const *argv;        /* start this program (execvp, PATH searched) */
	pid_t pid;                /* or attach to this running process */
	bool no_seccomp;          /* started programs: stop at every call */
	struct sink *sink;        /* the clock of every stop (sink_now); NULL:
	                             CLOCK_MONOTONIC (the bench) */
	const struct attach_ops *ops;   /* where the stops go (follow_ops);
	                                   NULL: nowhere (the bench) */
	void *ops_arg;
	/* A started program's stdin, stdout and stderr (-1: ioscope's own;
	 * the screen gives /dev/null and a log file). */
	int stdin_fd, stdout_fd, stderr_fd;
	/* Tracer thread: every traced process is gone (exited, killed) or
	 * detached.  May be NULL. */
	void (*on_end)(void *arg);
	void *arg;
};

/* Start the tracer thread and the program, or seize the process.  Returns
 * once it runs under the tracer: 0; -ENOENT or -EACCES (the program could
 * not be run: cause names it), -ESRCH (no such process), -EPERM (ptrace
 * refused: cause says why, e.g. "/proc/sys/kernel/yama/ptrace_scope is 1:
 * only a parent may trace", "already traced by PID 1234"), other -errno. */
int tracer_start(const struct tracer_opts *o, struct tracer **out, char *cause, size_t len);

/* The traced process (the started program's pid, or the one attached). */
pid_t tracer_pid(const struct tracer *t);
/* Whether started programs stop only at watched calls (seccomp). */
bool tracer_seccomp(const struct tracer *t);
/* What one stopped call costs the program, measured by tracer_start on a
 * child of its own (a traced call minus the same call untraced), ns. */
int64_t tracer_overhead_ns(const struct tracer *t);
/* Every traced process gone (or detached). Any thread. */
bool tracer_ended(const struct tracer *t);

/* Stop tracing: a started program gets SIGTERM, then SIGKILL after
 * wait_ms, and is reaped; an attached one is detached from, every thread,
 * and runs on.  Joins the tracer thread and frees t.  *status (may be
 * NULL): the started program's wait status (W* macros), -1 when attached
 * or unknown.  Returns 0 or -errno. */
int tracer_stop(struct tracer *t, int wait_ms, int *status);

#endif
