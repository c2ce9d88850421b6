/* store.h: a trace's events, held compactly (internal to trace.c).
 *
 * A struct trace_ev is 176 bytes whatever its kind, but an event uses few
 * of its fields: an idle edge has a time, an actor, a try number and
 * perhaps a duration.  So each event is kept as one fixed hot record of
 * 32 bytes (below) plus, in a cold arena of 4-byte words, only the other
 * fields it has, each present when it differs from its usual value (0,
 * -1 for step, NULL for strings).  A bit in the hot record says which are
 * there; they follow in the order of enum store_cold.
 *
 * Every value round-trips, even one the reader would refuse: a ret that
 * does not fit 32 bits, an errno past 16 bits or a call past 255 moves
 * the three to the cold arena whole (STORE_C_WIDE).  What is not kept is
 * what no reader of an event may look at: seq is the index, padding is
 * zero, and fd_list holds exactly the first min(nfds, TRACE_FDS_INLINE)
 * entries (the rest read as 0).
 *
 * Both arrays grow by doubling (amortised O(1) append, no allocation per
 * event) up to a limit the caller gives (the trace's memory cap).  Cold
 * offsets are 32-bit word indices: a store holds at most 16 GiB of cold
 * fields, far past any cap.
 *
 * Names (syscall or model, and wchan) are few and repeated on every event
 * that has one: a sampled state, and an attached program's enter and exit
 * with the kernel's own name of the call ("pselect6").  Each is kept once
 * in the store's table of names and an event holds its index, one word,
 * not a pointer's two.  The table maps pointers, not text: the strings
 * are interned, so equal names are one pointer.
 */
#ifndef IOSCOPE_STORE_H
#define IOSCOPE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "trace/trace.h"

/* One event's fixed part.  t_ns, fd and ret take their full width
 * (nearly every event has a time, most an fd, and results bound by
 * TRACE_MIN_RET .. TRACE_MAX_RET fit 32 bits); seq is dropped (it is the
 * index); the small enums are bytes. */
struct store_hot {
	int64_t  t_ns;
	int32_t  fd;
	int32_t  ret;          /* ev.ret, or 0 with STORE_C_WIDE */
	uint32_t cold;         /* first word of its cold fields */
	uint16_t actor;
	int16_t  err;          /* ev.err, or 0 with STORE_C_WIDE */
	uint16_t has;          /* STORE_C_* bits */
	uint8_t  kind, flags;
	uint8_t  call;         /* ev.call, or 0 with STORE_C_WIDE */
	uint8_t  phase;
	uint8_t  what;
	char     state;
};

struct store {
	struct store_hot *hot;
	size_t n, cap;         /* events held, room in hot */
	uint32_t *cold;
	size_t ncold, coldcap; /* words used, room */
	/* The names events point to, by index; found by pointer through
	 * slot (index + 1, 0 free; open addressing, at most half full). */
	const char **names;
	uint32_t nnames, names_cap;
	uint32_t *slot;
	uint32_t nslots;       /* a power of two, or 0 */
};

/* Where ev's fields go: which cold fields it has and their words,
 * worked out once per append (store_plan) for the three steps below. */
struct store_plan {
	unsigned has;          /* STORE_C_* bits */
	size_t words;          /* cold words */
};

struct store_plan store_plan(const struct trace_ev *ev);
/* Bytes an event of plan p takes: its hot record and its cold words. */
size_t store_plan_bytes(const struct store_plan *p);
/* Bytes ev takes in a store. */
size_t store_ev_bytes(const struct trace_ev *ev);
/* Room for ev, of plan p (both arrays grow geometrically), with at most
 * max_bytes held in all, and its names in the table: 0 or -ENOMEM.
 * Nothing changes but capacity and the table. */
int store_reserve(struct store *s, const struct trace_ev *ev, const struct store_plan *p,
		  size_t max_bytes);
/* Add ev, of plan p, as event s->n; store_reserve for it must have succeeded. */
void store_put(struct store *s, const struct trace_ev *ev, const struct store_plan *p);
/* Event i (< s->n) decoded into out, whole: seq = i. */
void store_get(const struct store *s, size_t i, struct trace_ev *out);
/* Bytes used (not capacity): what the trace's memory cap counts; the
 * table of names too. */
size_t store_bytes(const struct store *s);
void store_free(struct store *s);

#endif
