/* ring.c: SPSC ring.  The producer publishes head with release after writing
 * the slot; the consumer reads head with acquire, so it sees the slot. */
#include <errno.h>
#include <string.h>

#include "trace/ring.h"

void ring_init(struct ring *r)
{
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	atomic_init(&r->dropped, 0);
	r->tail_cache = 0;
}

/* The producer reads the consumer's tail only when its cached copy says the
 * ring is filling: the tail's cache line then stays with the consumer. */
struct trace_ev *ring_reserve(struct ring *r)
{
	uint32_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	struct trace_ev *slot;

	if (head - r->tail_cache >= RING_SIZE / 2) {
		r->tail_cache = atomic_load_explicit(&r->tail, memory_order_acquire);
		if (head - r->tail_cache == RING_SIZE) {
			atomic_fetch_add_explicit(&r->dropped, 1, memory_order_relaxed);
			return NULL;
		}
	}
	slot = &r->ev[head & (RING_SIZE - 1)];
	memset(slot, 0, sizeof *slot);
	return slot;
}

int ring_commit(struct ring *r)
{
	uint32_t head = atomic_load_explicit(&r->head, memory_order_relaxed) + 1;

	atomic_store_explicit(&r->head, head, memory_order_release);
	return head - r->tail_cache >= RING_SIZE / 2;
}

int ring_push(struct ring *r, const struct trace_ev *ev)
{
	struct trace_ev *slot = ring_reserve(r);

	if (slot == NULL)
		return -ENOBUFS;
	*slot = *ev;
	return ring_commit(r);
}

unsigned ring_pop(struct ring *r, struct trace_ev *out, unsigned max)
{
	uint32_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	uint32_t head = atomic_load_explicit(&r->head, memory_order_acquire);
	unsigned n = 0;

	while (tail != head && n < max)
		out[n++] = r->ev[tail++ & (RING_SIZE - 1)];
	atomic_store_explicit(&r->tail, tail, memory_order_release);
	return n;
}

uint32_t ring_take_dropped(struct ring *r)
{
	return atomic_exchange_explicit(&r->dropped, 0, memory_order_relaxed);
}
