/* follow_int.h: what follow.c, follow_fd.c and follow_ev.c share.
 *
 * follow.c: the tables of threads and processes, actors, the string
 * arena, the ops.  follow_fd.c: each process's fds (what they are, read
 * from /proc once and kept up to date from the calls seen), its epoll
 * instances' interest lists, its maps.  follow_ev.c: one syscall stop
 * into events (enter/exit, phases, sets) and observations for classify.
 * Tracer thread only, like everything in follow.
 */
#ifndef IOSCOPE_ATTACH_FOLLOW_INT_H
#define IOSCOPE_ATTACH_FOLLOW_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "attach/classify.h"
#include "attach/follow.h"
#include "attach/sys.h"
#include "trace/trace.h"

/* Threads followed at once; one more is refused (and a note says so). */
#define FOLLOW_MAX_THREADS 4096
/* fds of a process whose state is kept; above it each call reads /proc
 * again and no phase is followed. */
#define FOLLOW_FD_MAX 65536
/* A call that took this long slept in the kernel (ptrace's own cost is
 * ~40 µs a call; a wait that found its data there takes no longer). */
#define FOLLOW_BLOCKED_NS 1000000
/* The string arena (model evidence, notes) holds at most this much. */
#define FOLLOW_ARENA_MAX ((size_t)8 << 20)

enum follow_kind {
	FK_UNKNOWN = 0,   /* not looked at yet */
	FK_SOCKET, FK_PIPE, FK_TTY,     /* IO: only these make actors */
	FK_EPOLL, FK_URING,
	FK_OTHER,         /* a file, an eventfd, a timerfd... */
	FK_CLOSED         /* readlink failed: not open */
};

static inline bool follow_kind_io(int k)
{
	return k == FK_SOCKET || k == FK_PIPE || k == FK_TTY;
}

/* Whether kind k of process root-or-not is shown: sockets always; pipes
 * and ttys in the process ioscope started or attached to. */
static inline bool follow_kind_shown(int k, bool root)
{
	return k == FK_SOCKET || (root && follow_kind_io(k));
}

/* Phase 1 of an fd, when open: began by a wait that watched it (mux) or
 * by the first EAGAIN of a polling reader (try). */
enum { FW_NONE = 0, FW_MUX, FW_TRY };

struct follow_fd {
	uint8_t kind;             /* enum follow_kind */
	uint8_t wait;             /* FW_*: phase 1 open */
	bool wait_blocked;        /* ...and begun blocked */
	bool ready;               /* a wait returned it: its next read is phase 2 */
	bool nonblock;            /* O_NONBLOCK */
	bool async;               /* O_ASYNC */
	bool mux;                 /* watched by a select, poll or epoll */
	int sig;                  /* F_SETSIG's signal, 0: SIGIO */
	uint32_t tries;           /* FW_TRY: reads so far */
	pid_t owner;              /* the thread whose phase is open */
};

struct follow_epi {               /* one entry of an interest list */
	int fd;
	uint32_t events;
	uint64_t data;
};

struct follow_ep {                /* an epoll instance, by its fd */
	int epfd;
	int n, cap;
	struct follow_epi *it;
};

struct follow_proc {
	pid_t pid;
	int nthreads;
	struct follow_fd *fds;    /* by fd, up to cap */
	int cap;
	struct follow_ep *eps;
	int neps, capeps;
	struct attach_cls_proc cls;
	bool maps_read;
	/* The process ioscope started or attached to (its first thread came
	 * with no creator), not one of its children: its pipes and ttys are
	 * IO worth showing.  A child's are not (a launcher script's
	 * subshells read pipes all the time); its sockets are. */
	bool root;
};

struct follow_thr {
	pid_t tid, pid;
	pid_t creator;
	int creator_actor;        /* the creator's actor when it was made, or -1 */
	int actor;                /* sink id; FOLLOW_NO_ACTOR; FOLLOW_REFUSED */
	struct ring *ring;
	struct follow_proc *proc;
	struct attach_cls cls;
	bool noted_seize;
	/* The call in progress (its entry), and what follow made of it. */
	bool in_call;
	bool restart;             /* exit said -ERESTART*: it may come back */
	int64_t restart_t;
	struct attach_sys call;
	int family;               /* enum trace_call, or NONE: not shown */
	bool io;                  /* about a socket, pipe or tty */
	bool shown;               /* its enter was emitted */
	bool whole;               /* a blocking read: WAIT begun whole */
	bool nonblock_call;       /* the fd was non-blocking (or MSG_DONTWAIT) */
	int64_t timeout_ms;       /* waits */
};

#define FOLLOW_NO_ACTOR (-1)
#define FOLLOW_REFUSED  (-2)

struct follow_chunk;

struct follow {
	struct sink *sink;
	int parent;
	struct follow_stats st;
	struct follow_thr **thr;
	int nthr, capthr;
	struct follow_thr *last;   /* the last thread looked up */
	struct follow_proc **proc;
	int nproc, capproc;
	char **names;              /* actor names given, to keep them unique */
	int nnames, capnames;
	struct follow_chunk *arena;
	size_t arena_bytes;
	struct ring *own;          /* notes of no thread (the cap), lazily */
	bool noted_cap, noted_rings;
	struct attach_sys fixed;   /* a stop with its nmem bounded */
};

/* follow.c */
struct follow_thr *follow__thr(struct follow *f, pid_t tid);
/* tid's thread, made when unknown (a stop of a thread never announced);
 * NULL at the cap. */
struct follow_thr *follow__thr_get(struct follow *f, pid_t tid, pid_t pid, int64_t t_ns);
/* Make th an actor (announced, its begin at t_ns) if it is not one:
 * 0, or -ENOSPC when it cannot be. */
int follow__actor(struct follow *f, struct follow_thr *th, int64_t t_ns);
/* Push ev (actor and step filled in) into th's ring. */
void follow__emit(struct follow *f, struct follow_thr *th, struct trace_ev *ev);
void follow__note(struct follow *f, struct follow_thr *th, int64_t t_ns,
		  const char *en, const char *zh);
/* A copy of s that lives until follow_free ("" when the arena is full). */
const char *follow__str(struct follow *f, const char *s);
/* Feed o to th's classifier; a model event when it changes (th made an
 * actor for it first). */
void follow__feed(struct follow *f, struct follow_thr *th, const struct attach_obs *o,
		  int64_t t_ns);

/* follow_fd.c */
struct follow_proc *follow__proc_new(pid_t pid);
void follow__proc_free(struct follow_proc *p);
/* Forget every fd and epoll table (exec). */
void follow__proc_flush(struct follow_proc *p);
/* fd's state, looked at in /proc on first sight; NULL above FOLLOW_FD_MAX,
 * below 0, or out of memory. */
struct follow_fd *follow__fd(struct follow_proc *p, int fd);
/* fd's kind, for any fd (looked at each time above FOLLOW_FD_MAX). */
int follow__fd_kind(struct follow_proc *p, int fd);
void follow__fd_forget(struct follow_proc *p, int fd);
/* A new fd the program made (socket, accept, epoll_create): its kind is
 * known. */
void follow__fd_made(struct follow_proc *p, int fd, int kind, bool nonblock);
/* The epoll instance epfd's table: made (and filled from
 * /proc/PID/fdinfo when the instance was made before follow saw it)
 * when missing; NULL when epfd is no epoll instance. */
struct follow_ep *follow__ep(struct follow_proc *p, int epfd);
int follow__ep_ctl(struct follow_ep *ep, int op, int fd, uint32_t events, uint64_t data);
/* The fd of an event's data: in the table, else its low 32 bits when
 * that is an fd of the interest list; -1 when neither. */
int follow__ep_fd(const struct follow_ep *ep, uint64_t data);
bool follow__ep_has_io(struct follow_proc *p, const struct follow_ep *ep);
/* "libuv", "libevent", "libev" mapped in /proc/PID/maps, or NULL. */
const char *follow__maps_lib(pid_t pid);

/* follow_ev.c */
void follow__sys(struct follow *f, struct follow_thr *th, const struct attach_sys *s);
/* The call in progress ends without its exit stop: the thread made
 * another call after a restartable exit, so the program saw EINTR. */
void follow__abandon(struct follow *f, struct follow_thr *th, int64_t t_ns);
/* The thread is gone inside its call: no exit is made up, a note says it. */
void follow__unfinished(struct follow *f, struct follow_thr *th, int64_t t_ns);
/* An event of th's call (its family, fd and kernel name). */
struct trace_ev follow__call_ev(const struct follow_thr *th, int kind, int64_t t_ns);
void follow__phase(struct follow *f, struct follow_thr *th, int phase, bool end,
		   unsigned flags, int fd, int64_t t_ns);
/* Phase 1 of fd begins (how: FW_MUX, FW_TRY), th its owner. */
void follow__wait_begin(struct follow *f, struct follow_thr *th, struct follow_fd *e, int fd,
			int how, bool blocked, int64_t t_ns);
/* fd's phase 1, when open, ends at t_ns (it is closed, or no longer
 * watched). */
void follow__phase_end(struct follow *f, struct follow_proc *p, int fd, int64_t t_ns);
/* What a call was handed: select's fds, poll's; its cost (FORMAT.md). */
struct follow_cost {
	int32_t polled;
	uint32_t in, out;
	uint8_t sets;
};
void follow__cost(const struct attach_sys *entry, struct follow_cost *c);

/* follow_wait.c: the waits' enter (ev filled in, the phases and the set
 * before it emitted) and exit (ev emitted, then the scan and the phases). */
void follow__enter_set(struct follow *f, struct follow_thr *th, struct trace_ev *ev);
void follow__enter_epoll(struct follow *f, struct follow_thr *th, struct trace_ev *ev);
void follow__put_ctl(struct trace_ev *ev, const struct attach_sys *s);
void follow__exit_wait(struct follow *f, struct follow_thr *th, const struct attach_sys *s,
		       struct trace_ev *ev);
void follow__exit_ctl(struct follow *f, struct follow_thr *th, const struct attach_sys *s,
		      struct trace_ev *ev);

/* follow_obs.c */
/* What a finished call changed: the fd cache, the epoll tables, flags;
 * and the observations of the calls that are not shown (fcntl, ioctl,
 * socket, io_uring_setup). */
void follow__state(struct follow *f, struct follow_thr *th, const struct attach_sys *s);
/* The observation of a finished call that was followed (th->family). */
void follow__observe(struct follow *f, struct follow_thr *th, const struct attach_sys *s);
void follow__signal(struct follow *f, struct follow_thr *th, int sig, int sig_fd, int64_t t_ns);
/* A wait's timeout in ms from its entry (-1: none, forever). */
int64_t follow__timeout_ms(const struct attach_sys *s);

#endif
