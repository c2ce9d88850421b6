/* classify.h: which IO model a traced thread uses, from what it does.
 *
 * follow.c turns each syscall a thread finishes into one observation
 * (struct attach_obs) and feeds it here; the rules (classify.c: one table,
 * a unit test per rule in tests/test_classify.c) keep per-thread and
 * per-process evidence and say when the thread's model changes, with the
 * evidence in a sentence of each language ("epoll: epoll_wait returned fd
 * 5, then recvfrom(5) read 8 bytes").  A model changes only on repeated
 * evidence (a program that makes one EAGAIN read at start-up is not a
 * polling program).  Pure: no syscalls, no clock, no trace.
 *
 * Models are named as ioscope's own (models/model.h): "blocking",
 * "nonblocking", "select", "poll", "epoll", "epoll-et", "sigio", "uring",
 * "posix-aio", "libuv"; and "libevent", "libev" for loops ioscope has no
 * model of.  "" until there is evidence.
 */
#ifndef IOSCOPE_ATTACH_CLASSIFY_H
#define IOSCOPE_ATTACH_CLASSIFY_H

#include <stdbool.h>
#include <stdint.h>

enum attach_obs_kind {
	OBS_NONE = 0,
	OBS_READ,         /* read/readv/recvfrom/recvmsg/pread64 of fd: ret,
	                     err (EAGAIN: an unblocked try), dur_ns, blocked */
	OBS_WRITE,        /* write/writev/sendto/sendmsg of fd: ret, err, blocked */
	OBS_ACCEPT,       /* accept/accept4 on fd: ret = the new fd, err, blocked;
	                     nonblock: SOCK_NONBLOCK asked */
	OBS_SELECT,       /* select/pselect6: n = fds handed in, ret, err,
	                     fds = those returned, timeout_ms, blocked */
	OBS_POLL,         /* poll/ppoll: the same */
	OBS_EPOLL_CTL,    /* epoll_ctl: op (1 add, 2 del, 3 mod), fd, events
	                     (EPOLLET included), ret */
	OBS_EPOLL_WAIT,   /* epoll_wait/pwait/pwait2: ret, fds returned (mapped
	                     through epoll_ctl's data), timeout_ms, blocked */
	OBS_NONBLOCK,     /* fd made non-blocking: fcntl(F_SETFL, O_NONBLOCK),
	                     ioctl(FIONBIO, 1), socket/accept4 SOCK_NONBLOCK;
	                     on = false when it is made blocking again */
	OBS_ASYNC,        /* fd made signal-driven: fcntl F_SETFL O_ASYNC, or
	                     F_SETOWN / F_SETSIG on it (what says which) */
	OBS_SIGNAL,       /* a signal reached the thread: sig (SIGIO, or
	                     F_SETSIG's), fd = si_fd or -1 */
	OBS_URING_SETUP,  /* io_uring_setup: ret = the ring's fd */
	OBS_URING_ENTER,  /* io_uring_enter: n = to_submit, ret, blocked
	                     (min_complete > 0 and it slept) */
	OBS_FUTEX_WAIT,   /* FUTEX_WAIT*: blocked, dur_ns */
	OBS_CLONE,        /* clone/clone3/fork: ret = the new tid/pid */
	OBS_LIB,          /* /proc/PID/maps names an event-loop library: lib =
	                     "libuv", "libevent" or "libev" (per process) */
	OBS_MAX
};

#define ATTACH_OBS_FDS 16

struct attach_obs {
	int kind;                 /* enum attach_obs_kind */
	const char *sys;          /* the kernel's name of the call ("pselect6";
	                             static), NULL for SIGNAL and LIB */
	int fd;                   /* the fd the call is about, or -1 */
	int64_t ret;              /* the call's return (>= 0), or -1 */
	int err;                  /* errno when it failed, else 0 */
	int64_t dur_ns;           /* entry to exit, as the tracer saw it */
	bool blocked;             /* it slept in the kernel: the sampler or
	                             the call's duration said so (follow.c) */
	bool nonblock;            /* accept4 SOCK_NONBLOCK; NONBLOCK: on */
	int op;                   /* epoll_ctl's op; ASYNC: 1 O_ASYNC,
	                             2 F_SETOWN, 3 F_SETSIG */
	uint32_t events;          /* epoll_ctl's event mask (EPOLL* bits) */
	int n;                    /* fds handed in (select, poll); to_submit */
	int64_t timeout_ms;       /* waits: -1 forever, 0 a poll, else ms */
	int nfds;                 /* fds[] returned ready (at most ATTACH_OBS_FDS) */
	int fds[ATTACH_OBS_FDS];
	int sig;                  /* SIGNAL */
	const char *lib;          /* LIB (static string) */
	bool fd_io;               /* fd is a socket, pipe or tty (follow.c
	                             read /proc/PID/fd/N): only those count as
	                             evidence of an IO model */
};

/* What several threads of one process share: the libraries mapped, the
 * fds made signal-driven, the glibc aio helper threads' tids. */
struct attach_cls_proc {
	const char *lib;          /* "libuv", "libevent", "libev" or NULL */
	unsigned long async_fds[16];     /* bit per fd < 1024: O_ASYNC set */
	unsigned long et_fds[16];        /* registered with EPOLLET (by any thread) */
	unsigned long nb_fds[16];        /* made non-blocking (by any thread) */
	int aio_helpers;                 /* threads seen with the aio helper
	                                    signature */
};

/* One thread's evidence and its model now. */
struct attach_cls {
	const char *model;        /* "" until evidence; static strings */
	unsigned caps;            /* enum trace_cap of model */
	char why_en[200], why_zh[200];   /* the evidence of the last change */
	/* Rule counters (classify.c owns their meaning). */
	int score[16];
	int last_rule;
	int pending_fd;           /* a wait returned it; a read of it follows */
	int pending_kind;         /* which wait */
	bool aio_helper;          /* this thread is a glibc aio helper */
	/* How this thread last made an fd non-blocking ("ioctl(FIONBIO)",
	 * "fcntl(O_NONBLOCK)", "SOCK_NONBLOCK"; static) and which: the polling
	 * rule's evidence says it (Python's setblocking(False) is FIONBIO). */
	const char *nb_how;
	int nb_fd;
};

void attach_cls_init(struct attach_cls *c);
void attach_cls_proc_init(struct attach_cls_proc *p);
/* Feed one observation of the thread c (of process p).  Returns true when
 * c->model changed: c->model, c->caps, c->why_en and c->why_zh say to what
 * and why. */
bool attach_cls_feed(struct attach_cls_proc *p, struct attach_cls *c,
		     const struct attach_obs *o);

/* The rules, for tests and for `ioscope help attach`: name, the model it
 * gives, one line of what it looks for. */
struct attach_rule_info {
	const char *name, *model, *looks_for;
};
int attach_cls_rules(const struct attach_rule_info **out);

#endif
