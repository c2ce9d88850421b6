/* trace.h: the one stream every view of ioscope is built from.
 *
 * A trace is a header (scenario, models, actors, kernel, start time) and an
 * ordered array of events.  Live runs append events on the libuv loop thread
 * (see sink.h); replays load them from a JSON Lines file (trace_read).  Every
 * view is a fold over events[0..n] (fold.h), so a replay looks exactly like
 * the run it was recorded from.
 *
 * Threading: a struct trace belongs to one thread (the loop thread).  Model
 * threads never touch it; they push into their own ring (ring.h).
 *
 * Strings inside events (captions, wchan, syscall names) point into the
 * trace's own pool (trace_intern) and live as long as the trace.
 */
#ifndef IOSCOPE_TRACE_H
#define IOSCOPE_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TRACE_FORMAT   "ioscope-trace"
#define TRACE_VERSION  1
#define TRACE_MAX_ACTORS 64
#define TRACE_WORLD    0        /* actor 0 is always the world */

enum trace_kind {
	TRACE_NONE = 0,
	TRACE_ENTER,     /* a traced syscall starts: call, fd */
	TRACE_EXIT,      /* it returns: call, fd, ret, err, dur_ns */
	TRACE_PHASE,     /* a read's phase begins or ends: phase, end, blocked, fd */
	TRACE_ARRIVE,    /* the world put ret bytes on fd (the reader's end);
	                    ret is -errno when its write failed */
	TRACE_CLOSE,     /* the world closed the far end of fd */
	TRACE_STATE,     /* sampler: tid, state letter, syscall, its first
	                    argument in fd, wchan */
	TRACE_CAPTION,   /* text[0] English, text[1] Chinese */
	TRACE_IDLE,      /* the actor does something else; begin/end, dur_ns */
	TRACE_LOST,      /* count events were dropped from a full ring */
	TRACE_DONE,      /* the actor's thread finished; ret 0 or -errno */
	TRACE_KIND_MAX
};

enum trace_phase { TRACE_PH_NONE = 0, TRACE_PH_WAIT, TRACE_PH_COPY, TRACE_PH_MAX };

/* The syscalls models make.  Names are the kernel's (recv is recvfrom). */
enum trace_call {
	TRACE_CALL_NONE = 0,
	TRACE_CALL_RECVFROM,
	TRACE_CALL_READ,
	TRACE_CALL_MAX
};

#define TRACE_F_BLOCKED 0x01   /* phase: the caller is blocked in it */
#define TRACE_F_END     0x02   /* phase, idle: this is the end edge */

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
	uint32_t count;        /* lost: events dropped; exit/idle: the try number */
	int64_t  ret;          /* exit: return value; arrive: bytes; done: status */
	int64_t  dur_ns;       /* exit, idle end: how long it took */
	const char *syscall;   /* state: syscall name or "running" (interned) */
	const char *wchan;     /* state: kernel function it sleeps in (interned) */
	const char *text[2];   /* caption: en, zh (interned) */
};

struct trace_actor {
	const char *name;      /* "world", "A", "B" ... (interned) */
	const char *model;     /* model name; "" for the world (interned) */
	const char *label[2];  /* en, zh, may be "" (interned) */
};

struct trace_hdr {
	const char *scenario;  /* interned */
	const char *kernel;    /* uname release (interned) */
	const char *started;   /* wall-clock start, ISO 8601 UTC (interned) */
	double speed;
	int nactors;           /* including the world at 0 */
	struct trace_actor actors[TRACE_MAX_ACTORS];
};

struct trace;

struct trace *trace_new(void);
void trace_free(struct trace *t);

/* Copy s into the trace's pool once; equal strings share one copy.
 * Returns NULL only when memory runs out. */
const char *trace_intern(struct trace *t, const char *s);

struct trace_hdr *trace_hdr(struct trace *t);
const struct trace_hdr *trace_hdr_c(const struct trace *t);

/* Add an actor to the header; returns its index or -ENOSPC. */
int trace_add_actor(struct trace *t, const char *name, const char *model,
		    const char *label_en, const char *label_zh);
int trace_find_actor(const struct trace *t, const char *name);

/* Append one event; its seq is set to the current count.  Strings must be
 * interned in this trace.  Returns 0 or -ENOMEM. */
int trace_append(struct trace *t, const struct trace_ev *ev);
size_t trace_count(const struct trace *t);
const struct trace_ev *trace_at(const struct trace *t, size_t i);

/* Drops reported by TRACE_LOST events, summed. */
uint64_t trace_lost(const struct trace *t);

/* Names for the JSON form and the narrator; NULL for unknown values. */
const char *trace_kind_name(int kind);
int trace_kind_from(const char *name);          /* -1 if unknown */
const char *trace_call_name(int call);
int trace_call_from(const char *name);          /* -1 if unknown */
const char *trace_phase_name(int phase);
int trace_phase_from(const char *name);         /* -1 if unknown */
const char *trace_errno_name(int err);          /* "EAGAIN"; never NULL */
int trace_errno_from(const char *name);         /* -1 if unknown */

/* CLOCK_MONOTONIC in ns, and ns since trace_epoch_set() was called. */
int64_t trace_mono_ns(void);
void trace_epoch_set(int64_t mono_ns);
int64_t trace_epoch(void);
int64_t trace_now(void);

/* ---- JSON Lines (record.c, read.c); described in trace/FORMAT.md ---- */

/* Write the header line / one event line.  Return 0 or -errno; -EINVAL for
 * what the format cannot represent (then nothing is written). */
int trace_write_hdr(FILE *f, const struct trace *t);
int trace_write_ev(FILE *f, const struct trace *t, const struct trace_ev *ev);
/* Whole trace to path, through path.tmp and rename(2). */
int trace_save(const struct trace *t, const char *path);

/* Read a trace file.  On failure returns -errno or -EINVAL and writes a
 * one-line "file:line:column: what was expected" into cause.  A truncated
 * last line (no newline, not valid JSON) is skipped, counted in *skipped. */
int trace_read(const char *path, struct trace **out, size_t *skipped,
	       char *cause, size_t causelen);
int trace_read_mem(const char *name, const char *buf, size_t len,
		   struct trace **out, size_t *skipped,
		   char *cause, size_t causelen);

#define TRACE_MAX_FILE (256u << 20)    /* larger files are refused */

#endif
