/* sys.h: one syscall stop of a traced program, as the tracer decoded it.
 *
 * The tracer thread (tracer.c) stops a traced thread at the entry and at
 * the exit of each watched syscall (attach_sys_watched), reads its
 * arguments with PTRACE_GET_SYSCALL_INFO and, where the call hands the
 * kernel an array (select's fd_sets, poll's pollfds, epoll's events), the
 * array from the tracee's memory (process_vm_readv).  It hands each stop
 * to follow.c as one struct attach_sys, on the tracer thread.
 *
 * x86-64 only (syscall numbers are the kernel's for that arch).
 */
#ifndef IOSCOPE_ATTACH_SYS_H
#define IOSCOPE_ATTACH_SYS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Entries decoded from the tracee's memory per call; more are counted in
 * mem_more. */
#define ATTACH_MEM_MAX 64

struct attach_sys {
	pid_t tid, pid;          /* the thread stopped, and its process */
	int64_t t_ns;            /* when the tracer saw the stop, in the
	                            sink's time (sink_now) */
	bool exit;               /* the call's exit stop; else its entry */
	bool at_seize;           /* entry only: the thread was already inside
	                            this call when it was seized (attach -p,
	                            read from /proc/TID/syscall); t_ns is the
	                            seize's time, not the call's start */
	long nr;                 /* x86-64 syscall number */
	uint64_t args[6];        /* the entry's arguments (repeated at exit) */
	int64_t ret;             /* exit: what the kernel returned (-errno on
	                            error, as the raw syscall does) */
	/* The array the call points at, read at the stop where it means
	 * something (-1: not read, or unreadable):
	 *   select/pselect6 entry: every fd set below nfds in any set handed
	 *     in, ev = its TRACE_FDSET_* bits; exit: the fds left set, ev the
	 *     same way.
	 *   poll/ppoll entry: each pollfd (fd, events); exit: the entries
	 *     with revents != 0 (fd, revents).
	 *   epoll_wait/epoll_pwait/epoll_pwait2 exit: each event returned
	 *     (ev = events, data = its epoll_data; fd is -1: the program's
	 *     data is not always its fd, follow.c maps it through epoll_ctl).
	 *   epoll_ctl entry: the one event (ev, data; fds[0] = args[2]);
	 *     nmem 0 for EPOLL_CTL_DEL or a NULL event.
	 *   ioctl(FIONBIO) entry: nmem 1, ev[0] = the int it points to. */
	int nmem;
	int mem_more;
	int32_t fds[ATTACH_MEM_MAX];
	uint32_t ev[ATTACH_MEM_MAX];
	uint64_t data[ATTACH_MEM_MAX];
};

/* Where the tracer thread hands what it sees (follow.c's follow_ops; a
 * test's own).  Tracer thread only, one call at a time. */
struct attach_ops {
	/* A thread appeared: seized (attach -p), the started program's
	 * first, or made by creator_tid (clone, fork; 0 for none). */
	void (*thread)(void *arg, pid_t tid, pid_t pid, pid_t creator_tid, int64_t t_ns);
	/* It is gone: exited or killed (status: its wait status), or
	 * detached from (-1). */
	void (*gone)(void *arg, pid_t tid, int status, int64_t t_ns);
	/* Process pid called execve; former_tid: the thread that called it,
	 * when it was not the leader (the leader's tid is pid again). */
	void (*exec)(void *arg, pid_t pid, pid_t former_tid, int64_t t_ns);
	/* A syscall stop. */
	void (*sys)(void *arg, const struct attach_sys *s);
	/* A signal is about to be delivered to tid (signal-delivery-stop):
	 * sig, and sig_fd (the siginfo's si_fd) for SIGIO / F_SETSIG signals (-1 when none). */
	void (*signal)(void *arg, pid_t tid, int sig, int sig_fd, int64_t t_ns);
};

/* Whether the tracer stops at nr (the seccomp filter's list too): the
 * reads, writes, waits, accepts, epoll_ctl, the calls that make an fd
 * non-blocking or signal-driven (fcntl, ioctl, socket, accept4), io_uring,
 * futex, clone/fork/exec, close/dup (the fd cache), exit. */
bool attach_sys_watched(long nr);
/* The kernel's name of nr ("pselect6"), or NULL for one not watched. */
const char *attach_sys_name(long nr);
/* The watched numbers, for the seccomp filter: fills out[0..max), returns
 * how many. */
int attach_sys_list(long *out, int max);

#endif
