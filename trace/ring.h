/* ring.h: a single-producer, single-consumer ring of trace events.
 *
 * Each model thread owns one ring and pushes without locks; the loop thread
 * drains every ring.  A full ring never blocks the producer (that would
 * change the timings being measured): the event is dropped and counted, and
 * the consumer turns the count into a TRACE_LOST event, so nothing is lost
 * silently.
 *
 * Across fork: a ring from ring_new lives in memory shared with every
 * child process forked after it was made (MAP_SHARED), so a child can be
 * its producer while the parent's loop thread consumes it.  That holds
 * because the ring's atomics are lock-free (asserted in ring.c): a
 * lock-based atomic would take a lock in the process's own memory, which
 * the other process does not see.  Events carry pointers only to static
 * strings (notes, models), at the same address in a forked child.
 */
#ifndef IOSCOPE_RING_H
#define IOSCOPE_RING_H

#include <stdatomic.h>
#include <stdint.h>

#include "trace/trace.h"

#define RING_SIZE 4096          /* events; a power of two */

struct ring {
	_Alignas(64) _Atomic uint32_t head;     /* written by the producer */
	uint32_t tail_cache;                     /* producer's last view of tail */
	_Alignas(64) _Atomic uint32_t tail;     /* written by the consumer */
	_Alignas(64) _Atomic uint32_t dropped;  /* producer adds, consumer takes */
	struct trace_ev ev[RING_SIZE];
};

/* An empty ring in memory shared across fork (mmap MAP_SHARED |
 * MAP_ANONYMOUS: sizeof (struct ring) rounded up to pages, 772 KiB,
 * touched pages only), or NULL with errno set.  ring_free unmaps it. */
struct ring *ring_new(void);
void ring_free(struct ring *r);

/* Make the ring at r empty (memory of the caller's own, 64-byte aligned). */
void ring_init(struct ring *r);

/* Producer: copy ev in.  Returns 0, 1 when the ring is now at least half
 * full (time to wake the consumer), or -ENOBUFS when full (counted). */
int ring_push(struct ring *r, const struct trace_ev *ev);

/* Producer, without a copy: a slot to fill in, zeroed but for fd_list
 * (nfds is 0), or NULL when full (counted); then ring_commit. */
struct trace_ev *ring_reserve(struct ring *r);
/* The same, for an event that sets only fields in the first TRACE_EV_HOT
 * bytes: one cache line is written; ring_pop zeroes the rest. */
struct trace_ev *ring_reserve_short(struct ring *r);
int ring_commit(struct ring *r);      /* 1 when now at least half full */

/* Producer: the last event committed, NULL when none.  The consumer never
 * writes a slot, so it is still there after it was popped.  For a
 * producer that takes over a ring whose first producer is gone (a child
 * process reaped) and needs to know how it left off. */
const struct trace_ev *ring_last(const struct ring *r);

/* Consumer: copy out at most max events; returns how many. */
unsigned ring_pop(struct ring *r, struct trace_ev *out, unsigned max);

/* Consumer: events waiting to be popped now (a producer may add more). */
uint32_t ring_count(const struct ring *r);

/* Consumer: events dropped since the last call (and resets the count). */
uint32_t ring_take_dropped(struct ring *r);

/* Any thread: events pushed since ring_init (dropped ones not counted),
 * modulo 2^32.  What a consumer has taken is at most this. */
uint32_t ring_pushed(const struct ring *r);

#endif
