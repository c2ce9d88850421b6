/* trace.h: the one stream every view of ioscope is built from.
 *
 * A trace is a header (scenario, models, actors, kernel, start time) and an
 * ordered array of events.  Live runs append events on the libuv loop thread
 * (see sink.h); replays load them from a JSON Lines file (trace_read).  Every
 * view is a fold over events[0..n] (fold.h), so a replay looks exactly like
 * the run it was recorded from.  Events are held compactly (store.h, about
 * 40 bytes each): trace_at decodes one into a copy the trace owns for a
 * while (below).
 *
 * Threading: a struct trace belongs to one thread (the loop thread).  Model
 * threads never touch it; they push into their own ring (ring.h).  Reading
 * too: trace_at writes the trace's ring of decoded copies.
 *
 * Strings inside events (captions, wchan, syscall names) point into the
 * trace's own pool (trace_intern) and live as long as the trace.
 */
#ifndef IOSCOPE_TRACE_H
#define IOSCOPE_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TRACE_FORMAT   "ioscope-trace"
#define TRACE_VERSION  2        /* 2: actors carry "caps" (FORMAT.md) */
/* Actors in one trace, the header's and those announced later (FORMAT.md,
 * "Bounds"): a server with a thread per connection at a thousand
 * connections fits.  The header's table grows to it as actors come. */
#define TRACE_ACTORS_LIMIT 4096
/* Actors of the header line, known when the run began (a live run's
 * readers and clients, each with a ring); the others are announced.  It
 * is also the number of actors with a slot in fixed per-actor state: the
 * fold's own (struct view; a view_more holds the rest), 64-bit masks of
 * actors (captions), the sink's rings and the sampler's watches. */
#define TRACE_MAX_ACTORS 64
#define TRACE_WORLD    0        /* actor 0 is always the world */

enum trace_kind {
	TRACE_NONE = 0,
	TRACE_ENTER,     /* a traced syscall starts: call, fd */
	TRACE_EXIT,      /* it returns: call, fd, ret, err, dur_ns */
	TRACE_PHASE,     /* a read's phase begins or ends: phase, end, blocked, fd */
	TRACE_ARRIVE,    /* the world put ret bytes on fd (the reader's end);
	                    ret is -errno when its write failed */
	TRACE_CLOSE,     /* the world closed the far end of fd; for a client,
	                    its own socket, what = 1 if abruptly (RST) */
	TRACE_STATE,     /* sampler: tid and its pid, state letter, syscall,
	                    its first argument in fd, wchan; what = 1 when tid is a
	                    helper thread working for the actor (glibc's aio
	                    threads), not the actor's own thread */
	TRACE_CAPTION,   /* text[0] English, text[1] Chinese */
	TRACE_IDLE,      /* the actor does something else; begin/end, dur_ns */
	TRACE_LOST,      /* count events were dropped from a full ring */
	TRACE_DONE,      /* the actor's thread finished; ret 0 or -errno
	                    (-ECANCELED: stopped while still waiting, count =
	                    bytes left unread in its sockets) */
	TRACE_SET,       /* a multiplexer's set in user space: what, n, fds */
	TRACE_READY,     /* fd is on the kernel's ready list: what = how we know */
	TRACE_REFUSE,    /* the model cannot watch fd: n is its limit */
	TRACE_CONNECT,   /* a client (actor) connected to server arg; fd = its socket */
	TRACE_DELIVER,   /* a client received ret bytes (from the server) */
	TRACE_SIGNAL,    /* a signal reached the actor: n = signal number, fd =
	                    the fd it is about (si_fd) or -1, tid = the thread
	                    that ran the handler; t_ns = when the handler ran */
	TRACE_SUBMIT,    /* an asynchronous read was handed to the kernel (or
	                    to libc): fd, arg = its tag (user_data, aiocb
	                    number), n = requests now in flight */
	TRACE_COMPLETE,  /* the actor saw it completed: fd, arg = tag, ret =
	                    its result (bytes or -errno), n = completions that
	                    were waiting to be seen (the CQ ring's length) */
	TRACE_NOTE,      /* a model says something about itself: text[0] en,
	                    text[1] zh (static strings, interned by the sink) */
	TRACE_ACTOR,     /* the actor appears (begin: a thread or process just
	                    created, its tid and pid; its name, model, caps,
	                    labels and parent are in the header's table, put
	                    there by trace_announce_actor) or leaves (end,
	                    TRACE_F_END): no event of it follows but lost */
	TRACE_MODEL,     /* the actor's model changes: model, caps, text[0]
	                    en and text[1] zh say why (interned) */
	TRACE_KIND_MAX
};

enum trace_phase { TRACE_PH_NONE = 0, TRACE_PH_WAIT, TRACE_PH_COPY, TRACE_PH_MAX };

/* The syscalls models make.  Names are the kernel's (recv is recvfrom). */
enum trace_call {
	TRACE_CALL_NONE = 0,
	TRACE_CALL_RECVFROM,
	TRACE_CALL_READ,
	TRACE_CALL_SELECT,       /* glibc's select(): the kernel sees pselect6 */
	TRACE_CALL_POLL,         /* glibc's poll(): the kernel sees ppoll on some arches */
	TRACE_CALL_EPOLL_WAIT,
	TRACE_CALL_EPOLL_CTL,
	TRACE_CALL_ACCEPT,
	TRACE_CALL_WRITE,
	TRACE_CALL_IO_URING_ENTER,  /* submit and/or wait on an io_uring */
	TRACE_CALL_AIO_READ,        /* glibc's aio_read(3): a library call */
	TRACE_CALL_FUTEX,           /* futex(2) FUTEX_WAIT on a word of the
	                               program's own: how a thread sleeps on a
	                               queue (fd -1; wakes are not traced) */
	TRACE_CALL_CLONE,           /* a thread or process made: pthread_create
	                               (clone3) or fork (clone); ret = its tid or
	                               pid */
	TRACE_CALL_RECVMSG,         /* recv's sibling: also hands back the
	                               kernel's stamp of when the data arrived
	                               (SO_TIMESTAMPNS) */
	TRACE_CALL_MAX
};

/* A multiplexer's wait (select, poll, epoll_wait): it waits on a whole
 * set of descriptors at once, not on one read.  Inline: the fold asks it
 * of every enter and exit. */
static inline bool trace_call_is_wait(int call)
{
	return call == TRACE_CALL_SELECT || call == TRACE_CALL_POLL ||
	       call == TRACE_CALL_EPOLL_WAIT;
}

/* A read of one descriptor's bytes (recvfrom, recvmsg, read): what
 * counts as a read, ends a connection at 0, and has the two phases. */
static inline bool trace_call_is_read(int call)
{
	return call == TRACE_CALL_RECVFROM || call == TRACE_CALL_RECVMSG ||
	       call == TRACE_CALL_READ;
}

/* TRACE_SET: which set. */
enum trace_set {
	TRACE_SET_NONE = 0,
	TRACE_SET_BUILD,         /* the program (re)built its fd_set / pollfd array: fds */
	TRACE_SET_SCAN,          /* it tested n entries after the wait, finding fds */
	TRACE_SET_INTEREST,      /* the kernel's interest list now (epoll): fds */
	TRACE_SET_QUEUE,         /* a server's output queue for fds[0] now holds
	                            n bytes (not yet written: the socket was full) */
	TRACE_SET_WORKQ,         /* a work queue between threads now holds n
	                            requests of at most arg (JSON "max"); fds =
	                            the connections they came from, oldest
	                            first */
	TRACE_SET_MAX
};

/* The sets a select was handed (trace_ev.sets). */
enum trace_fdset {
	TRACE_FDSET_READ   = 1u << 0,
	TRACE_FDSET_WRITE  = 1u << 1,
	TRACE_FDSET_EXCEPT = 1u << 2,
	TRACE_FDSET_ALL    = (1u << 3) - 1
};

/* TRACE_READY: how the view knows the fd is on the ready list. */
enum trace_ready {
	TRACE_READY_NONE = 0,
	TRACE_READY_INFERRED,    /* data arrived on a watched fd (world's arrive);
	                            that the wait returned it, its exit says */
	TRACE_READY_MAX
};

/* epoll_ctl operations, in what for its enter/exit. */
enum trace_op { TRACE_OP_NONE = 0, TRACE_OP_ADD, TRACE_OP_DEL, TRACE_OP_MOD, TRACE_OP_MAX };

/* epoll_ctl's events mask, in sets of its enter and exit (TRACE_F_EVENTS):
 * EPOLLIN, EPOLLOUT.  JSON "events": ["in", "out"]. */
enum trace_epev {
	TRACE_EPEV_IN  = 1u << 0,
	TRACE_EPEV_OUT = 1u << 1,
	TRACE_EPEV_ET  = 1u << 2,   /* EPOLLET: edge-triggered ("et"; attach) */
	TRACE_EPEV_ALL = (1u << 3) - 1
};

/* What an actor's model can show, so views pick panes and words by what
 * the trace says, never by a model's name.  Each model declares its bits
 * (models/model.h); the trace header carries them per actor (FORMAT.md,
 * "Capabilities").  A client the world plays has none. */
enum trace_cap {
	TRACE_CAP_PHASES     = 1u << 0,  /* its reads have a wait and a copy phase */
	TRACE_CAP_TRIES      = 1u << 1,  /* it polls: non-blocking tries, EAGAIN */
	TRACE_CAP_SET        = 1u << 2,  /* it hands the kernel a whole readiness
	                                    set each call (select, poll) */
	TRACE_CAP_BITMAP     = 1u << 3,  /* that set is a bitmap up to nfds (select) */
	TRACE_CAP_INTEREST   = 1u << 4,  /* the kernel keeps its interest list and a
	                                    ready list (epoll, and loops over it) */
	TRACE_CAP_EDGE       = 1u << 5,  /* edge-triggered: drains each fd to EAGAIN */
	TRACE_CAP_SIGNAL     = 1u << 6,  /* readiness arrives as a signal (SIGIO) */
	TRACE_CAP_COMPLETION = 1u << 7,  /* submits reads, later sees completions */
	TRACE_CAP_HELPERS    = 1u << 8,  /* hidden helper threads do its waiting
	                                    (glibc's POSIX aio) */
	TRACE_CAP_LOOP       = 1u << 9,  /* a library's event loop calls back into
	                                    it (libuv) */
	TRACE_CAP_SERVES     = 1u << 10, /* serves many clients in one thread */
	TRACE_CAP_SPAWNS     = 1u << 11, /* makes a thread or a process per client:
	                                    its children are announced actors */
	TRACE_CAP_QUEUE      = 1u << 12, /* hands work to threads through a bounded
	                                    queue (set workq; futex waits) */
	TRACE_CAP_COROUTINE  = 1u << 13, /* a coroutine: its waits park it in user
	                                    space, and the kernel thread that runs
	                                    it is its scheduler's (its parent) */
	TRACE_CAP_ALL        = (1u << 14) - 1
};

#define TRACE_FDS_INLINE 16      /* fds listed in one event; more are counted */

#define TRACE_F_BLOCKED 0x01   /* phase: the caller is blocked in it */
#define TRACE_F_END     0x02   /* phase, idle: this is the end edge */
#define TRACE_F_COST    0x04   /* enter, exit of select or poll: polled,
                                  copied_in (exit: copied_out) and select's
                                  sets are recorded */
#define TRACE_F_EVENTS  0x08   /* enter, exit of epoll_ctl: sets holds its
                                  events mask (enum trace_epev) */
#define TRACE_F_WHOLE   0x10   /* phase (wait): seen from outside the program
                                  (attach), this span holds the copy too:
                                  ptrace sees one blocked call, not where its
                                  wait ended (JSON "whole": true) */
#define TRACE_F_SHORT   0x80   /* in a ring only: just the first 64 bytes
                                  were written (ring.h) */
#define TRACE_EV_HOT    64     /* bytes of the fields every event uses */

struct trace_ev {
	uint64_t seq;          /* position in the stream, from 0 */
	int64_t  t_ns;         /* CLOCK_MONOTONIC ns since the run started */
	uint16_t actor;        /* index into the header's actors */
	uint8_t  kind;         /* enum trace_kind */
	uint8_t  flags;        /* TRACE_F_* */
	uint16_t call;         /* enter/exit: enum trace_call */
	uint8_t  phase;        /* phase: enum trace_phase */
	char     state;        /* state: the letter from /proc stat, e.g. 'S' */
	int32_t  fd;           /* -1 when none */
	int32_t  err;          /* exit: errno, 0 on success */
	int32_t  tid;          /* state: the thread sampled */
	int32_t  step;         /* world events: index of the scripted action, else -1 */
	uint32_t count;        /* lost: events dropped; exit/idle: the try
	                          number; done: bytes left unread; deliver:
	                          FNV-1a (32 bits) of every byte the client
	                          received since it connected, 0 = none */
	int64_t  ret;          /* exit: return value; arrive: bytes; done: status */
	int64_t  dur_ns;       /* exit, idle end: how long it took */
	union {
		const char *syscall;  /* state: syscall name or "running" (interned);
		                         enter, exit: the kernel's own name of the
		                         call when it is not call's ("pselect6"
		                         for select, "accept4"; attach), or NULL
		                         (JSON "sys") */
		const char *model;    /* model: the actor's new model (interned) */
	};
	const char *wchan;     /* state: kernel function it sleeps in (interned) */
	const char *text[2];   /* caption: en, zh (interned) */
	/* Multiplexing.  enter of select/poll: n = nfds / entries handed in,
	 * fds = the set; epoll_wait: n = maxevents.  exit of a wait: n =
	 * select's nfds, poll's entries, epoll_wait's events returned (the
	 * JSON's "checked": an extent, not a count of fds polled; see
	 * polled), fds = the set handed back.  set: n =
	 * entries scanned (scan) or in the set.  epoll_ctl: what = op, arg =
	 * the fd added or removed.  accept: arg is not used (the new fd is
	 * its exit's ret).  connect: arg = the server's actor index. */
	union {
		int32_t n;
		int32_t caps;  /* model: the new model's enum trace_cap bits */
	};
	union {
		int32_t arg;
		int32_t pid;   /* state: the process tid belongs to, 1 ..
		                  TRACE_MAX_PID; 0 when not known (files
		                  written before it existed) */
	};
	uint8_t  what;         /* set: enum trace_set; ready: trace_ready; ctl: trace_op */
	uint16_t nfds;         /* fds listed in fd[] (at most TRACE_FDS_INLINE) */
	uint32_t fds_more;     /* fds in the set that did not fit in fd[] */
	/* enter and exit of select and poll, with TRACE_F_COST (fs/select.c):
	 * polled = the fds the kernel polls (select: bits set below nfds in
	 * the sets handed in; poll: entries with fd >= 0); copied_in,
	 * copied_out = bytes of the sets copied into the kernel and back
	 * (select: ceil(nfds/64) longs per set handed in, each way; poll:
	 * every struct pollfd in, only each revents back; an enter has no
	 * copied_out, 0); sets = select's sets handed in (TRACE_FDSET_*), 0
	 * for poll.  The program works them out from what it hands in. */
	int32_t  polled;
	uint32_t copied_in, copied_out;
	uint8_t  sets;         /* also epoll_ctl's events (TRACE_F_EVENTS) */
	/* Write interest, bit i for fd_list[i]: set build and interest, enter
	 * of select and poll: the fd is watched for writing too (select's
	 * write set, POLLOUT, EPOLLOUT); exit of a wait and set scan: it came
	 * back writable.  JSON "out": those fds. */
	uint16_t outs;
	int32_t  fd_list[TRACE_FDS_INLINE];
};

/* The fields up to dur_ns fill one cache line: the probes' hot path
 * writes only that line (see ring_reserve_short). */
_Static_assert(offsetof(struct trace_ev, syscall) == TRACE_EV_HOT,
	       "the hot fields of struct trace_ev must fill exactly one cache line");

struct trace_actor {
	const char *name;      /* "world", "A", "B" ... (interned) */
	const char *model;     /* model name; "" for the world (interned).
	                          For people: views test caps, never this */
	unsigned caps;         /* enum trace_cap: what its trace can show */
	const char *label[2];  /* en, zh, may be "" (interned) */
	const char *script;    /* the model the scenario wrote, when the run put
	                          the actor on another one (--model, m): the
	                          scenario's captions about the actor describe
	                          that model (see view_recast).  NULL or "" when
	                          it ran the script's own (interned) */
	int parent;            /* the actor that created it, -1 for none */
	bool announced;        /* it appeared in the middle of the run (a
	                          TRACE_ACTOR begin), after the header's */
	bool ended;            /* the trace holds its TRACE_ACTOR end */
};

/* A caption the scenario wrote for the model this run put its actors on
 * ("say for MODEL"): the views show it instead of the caption event at
 * step. */
#define TRACE_MAX_CAST_CAPTIONS 256
struct trace_caption {
	int32_t step;          /* 0 .. TRACE_MAX_STEPS - 1 */
	const char *model;     /* the model it was written for (interned) */
	const char *text[2];   /* en, zh (interned) */
};

struct trace_hdr {
	const char *scenario;  /* interned */
	const char *kernel;    /* uname release (interned) */
	const char *started;   /* wall-clock start, ISO 8601 UTC (interned) */
	double speed;
	/* attach (FORMAT.md, "Traced programs"): the program traced, as a
	 * shell would quote it (interned; NULL for a scenario's run), the pid
	 * attached to (-p; 0 when ioscope started it), and what the tracer
	 * adds to each call it stops, measured when it began (ns; 0 unknown) */
	const char *command;
	int attach_pid;
	int64_t overhead_ns;
	int nactors;           /* including the world at 0; at most
	                          TRACE_ACTORS_LIMIT */
	int nstart;            /* actors[0 .. nstart): the header's, known
	                          when the run began; the others were
	                          announced by TRACE_ACTOR events, in order */
	struct trace_actor *actors;  /* [nactors], owned by the trace; it moves
	                                when an actor is added (hold indices) */
	int ncaptions;         /* 0 .. TRACE_MAX_CAST_CAPTIONS, steps distinct */
	struct trace_caption captions[TRACE_MAX_CAST_CAPTIONS];
};

struct trace;

struct trace *trace_new(void);
void trace_free(struct trace *t);
/* A number unique to each trace trace_new made in this process (never 0,
 * never reused), so a cache keyed by it never mistakes a freed trace for
 * a new one at the same address. */
uint64_t trace_serial(const struct trace *t);

/* Copy s into the trace's pool once; equal strings share one copy.
 * Returns NULL when memory runs out or the trace is at its memory cap
 * (trace_full tells which). */
const char *trace_intern(struct trace *t, const char *s);

struct trace_hdr *trace_hdr(struct trace *t);
const struct trace_hdr *trace_hdr_c(const struct trace *t);
/* A traced program's (ioscope attach): seen from outside, through ptrace
 * (FORMAT.md, "Traced programs"); its header names the command. */
static inline bool trace_attached(const struct trace *t)
{
	return trace_hdr_c(t)->command != NULL;
}

/* Add an actor to the header, with the capabilities of its model (enum
 * trace_cap; 0 for the world and the clients it plays); returns its index,
 * -ENOSPC past TRACE_MAX_ACTORS, or -EBUSY once an actor was announced
 * (below). */
int trace_add_actor(struct trace *t, const char *name, const char *model,
		    unsigned caps, const char *label_en, const char *label_zh);
/* The index of the actor called name, or -1: a hash over the names, so
 * a lookup costs the same with 4 or 4096 actors (trace__name_probes
 * counts the names compared, for tests). */
int trace_find_actor(const struct trace *t, const char *name);
uint64_t trace__name_probes(const struct trace *t);
/* After the header's actors (trace_add_actor then refuses -EBUSY): an
 * actor that appears in the middle of the run, created by actor parent (or
 * -1).  Its TRACE_ACTOR begin event (actor = the index returned, its tid
 * and pid) must be the next one appended for an announced actor.  Returns
 * its index, -EEXIST (the name is taken), -EINVAL (empty name, no such
 * parent), -ENOSPC or -ENOMEM. */
int trace_announce_actor(struct trace *t, const char *name, const char *model,
			 unsigned caps, const char *label_en,
			 const char *label_zh, int parent);

/* Append one event; its seq is set to the current count.  Strings must be
 * interned in this trace.  Returns 0, -ENOMEM, or -EFBIG when the trace
 * holds its memory cap (nothing is added), or -EINVAL for an event that
 * breaks an actor's life (trace/FORMAT.md): an announced actor's event
 * before its begin, a begin out of announcement order, any event but lost
 * after its actor's end, the world's begin, end or model.  A few TRACE_LOST events still
 * fit past the cap, so whoever drops events at the cap can count them. */
int trace_append(struct trace *t, const struct trace_ev *ev);
size_t trace_count(const struct trace *t);

/* The memory cap: a trace's events and interned strings together stay
 * within TRACE_MAX_MEM bytes (or what trace_set_max_mem set), whatever the
 * input, so a run that would grow past it is stopped, not the machine. */
#define TRACE_MAX_MEM ((size_t)128 << 20)
void trace_set_max_mem(struct trace *t, size_t bytes);
size_t trace_max_mem(const struct trace *t);
/* Bytes held now: the events as stored (trace/store.h: 32 bytes each and
 * the fields each has), the step index and the interned strings. */
size_t trace_mem(const struct trace *t);
int trace_full(const struct trace *t);       /* an append or intern was refused at the cap */
/* Bytes ev takes when appended (its step may add an entry to the step
 * index, sizeof(struct trace_step), besides). */
size_t trace_ev_mem(const struct trace_ev *ev);

/* Event i (seq i), or NULL when i >= trace_count.  The pointer is valid
 * until TRACE_AT_KEEP (64) further trace_at calls on the same trace
 * (events are stored compactly and decoded into a small ring of slots);
 * under AddressSanitizer each expired copy is freed, so holding one too
 * long fails `make asan`.  Never hold a trace_at pointer across a loop
 * over events; copy the struct (`struct trace_ev e = *trace_at(t, i);`)
 * if you need it longer.  trace_append never invalidates them.  The copy
 * is whole: padding is zero and fd_list past nfds reads 0. */
#define TRACE_AT_KEEP 64
const struct trace_ev *trace_at(const struct trace *t, size_t i);

/* The step index, kept by trace_append as events arrive: each entry is
 * an event whose step is above every step before it (the first event
 * always is), so at and step both increase strictly along the array.
 * The first event whose step is above n is the first entry whose step is
 * above n: tui/steps.h finds step ends in it in O(log n).  The array is
 * valid until the next trace_append; *n gets its length. */
struct trace_step {
	size_t at;             /* the event's index */
	int32_t step;          /* its step */
};
const struct trace_step *trace_steps(const struct trace *t, size_t *n);
/* The highest step of any event, or -1 when none is above -1. */
int trace_step_max(const struct trace *t);

/* Event i's kind (TRACE_NONE past the end) and, when flags is not NULL,
 * its flags, read without decoding the event: cheap, for views that ask
 * it of many events a frame.  No trace_at pointer expires. */
int trace_kind_at(const struct trace *t, size_t i, unsigned *flags);

/* Put fds[0..n) in ev's list: the first TRACE_FDS_INLINE, the rest counted. */
void trace_ev_set_fds(struct trace_ev *ev, const int *fds, int n);
/* Total fds the event's set holds (listed + more). */
static inline uint32_t trace_ev_nset(const struct trace_ev *ev)
{
	return ev->nfds + ev->fds_more;
}

/* The first control character in s: C0 (tab too; newline unless breaks),
 * DEL, or a C1 control (U+0080..U+009F, two bytes in UTF-8), or NULL when
 * there is none.  Trace strings end up on terminals, so they hold none
 * (a caption's text may break lines): the reader refuses them and the
 * writer will not write them. */
const char *trace_text_control(const char *s, bool breaks);

/* Drops reported by TRACE_LOST events, summed. */
uint64_t trace_lost(const struct trace *t);

/* Names for the JSON form and the narrator; NULL for unknown values. */
const char *trace_kind_name(int kind);
int trace_kind_from(const char *name);          /* -1 if unknown */
const char *trace_call_name(int call);
int trace_call_from(const char *name);          /* -1 if unknown */
const char *trace_phase_name(int phase);
int trace_phase_from(const char *name);         /* -1 if unknown */
const char *trace_set_name(int what);
int trace_set_from(const char *name);
const char *trace_ready_name(int what);
int trace_ready_from(const char *name);
const char *trace_op_name(int op);
int trace_op_from(const char *name);
const char *trace_cap_name(unsigned cap);       /* one bit: "phases"; else NULL */
int trace_cap_from(const char *name);           /* its bit, or -1 if unknown */
const char *trace_fdset_name(unsigned set);     /* one bit: "read"; else NULL */
const char *trace_epev_name(unsigned ev);       /* one bit: "in", "out"; else NULL */
int trace_epev_from(const char *name);          /* its bit, or -1 if unknown */
int trace_fdset_from(const char *name);         /* its bit, or -1 if unknown */
/* Version 1 traces named models only: the capabilities each model of that
 * time had, by name (0 for a name it did not know).  For reading old files
 * and for tests that build traces by hand; views never call it. */
unsigned trace_caps_v1(const char *model);
/* s is a kernel call's name as an enter's or exit's "sys" holds it
 * ("pselect6", "accept4"): 1 to TRACE_MAX_SYSNAME of a-z, 0-9 and _. */
bool trace_sysname_ok(const char *s);
const char *trace_errno_name(int err);          /* "EAGAIN"; never NULL */
int trace_errno_from(const char *name);         /* -1 if unknown */

/* CLOCK_MONOTONIC in ns.  A run's trace time counts from its sink's
 * epoch (sink_now, probe_now): there is no global epoch. */
int64_t trace_mono_ns(void);

/* ---- JSON Lines (record.c; read.c, read_hdr.c, read_ev.c); described in trace/FORMAT.md ---- */

/* Write the header line / one event line.  Return 0 or -errno; -EINVAL for
 * what the format cannot represent (then nothing is written). */
int trace_write_hdr(FILE *f, const struct trace *t);
int trace_write_ev(FILE *f, const struct trace *t, const struct trace_ev *ev);
/* Whole trace to path, as trace_write_file writes. */
int trace_save(const struct trace *t, const char *path);
/* write(f, arg) to path through outfile (trace/outfile.h): a regular file
 * (or none) is replaced whole or not at all (a new file beside it, fsync,
 * rename; removed on failure); a device or FIFO is written in place, never
 * replaced; a symbolic link is followed to its target.  Returns 0 or
 * -errno (write's own error first). */
int trace_write_file(const char *path, int (*write)(FILE *f, void *arg), void *arg);

/* Read a trace file.  On failure returns -errno or -EINVAL and writes a
 * one-line "file:line:column: what was expected" into cause.  A truncated
 * last line (no newline, not valid JSON) is skipped, counted in *skipped. */
int trace_read(const char *path, struct trace **out, size_t *skipped,
	       char *cause, size_t causelen);
int trace_read_mem(const char *name, const char *buf, size_t len,
		   struct trace **out, size_t *skipped,
		   char *cause, size_t causelen);

#define TRACE_MAX_FILE (256u << 20)    /* larger files are refused */

/* Bounds on what a trace may hold (trace/FORMAT.md, "Bounds").  The reader
 * refuses a value outside them, so every view can use these values as
 * sizes, indices and terms of sums without overflow. */
#define TRACE_MAX_HDR_LINE (256u << 10) /* bytes in the header line */
#define TRACE_MAX_LINE   (1u << 20)    /* bytes in one event line */
#define TRACE_MAX_STEPS  (1 << 20)     /* step is -1 or 0 .. TRACE_MAX_STEPS-1 */
#define TRACE_MAX_NS     (INT64_C(1) << 53)  /* t_ns, dur_ns: ~104 days; exact
                                                 as a double (JSON tools) */
#define TRACE_MAX_RET    INT32_MAX     /* ret, bytes: a result fits an int
                                          (Linux moves at most 0x7ffff000
                                          bytes per read or write) */
#define TRACE_MIN_RET    (-4095)       /* ret: -errno at most (MAX_ERRNO) */
#define TRACE_MAX_PID    4194304       /* pid: Linux's PID_MAX_LIMIT */
#define TRACE_MAX_SYSNAME 32           /* "sys": bytes of a kernel call's name */
#define TRACE_MAX_COMMAND 4096         /* the header's "command", in bytes */
#define TRACE_MAX_OVERHEAD_NS INT64_C(10000000000)  /* "overhead_ns": 10 s */
#define TRACE_MAX_COUNT  INT32_MAX     /* n, nfds, fds_more, limits, counts */

#endif
