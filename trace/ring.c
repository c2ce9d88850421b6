/* ring.c: SPSC ring.  The producer publishes head with release after writing
 * the slot; the consumer reads head with acquire, so it sees the slot. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

#include "trace/ring.h"

/* A ring shared with a child process (ring_new) works only if its atomics
 * are the CPU's own instructions: a lock-based one would lock memory
 * private to each process. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2 && sizeof(uint32_t) == sizeof(int),
	       "the ring's atomics must be lock-free to work across fork");

struct ring *ring_new(void)
{
	struct ring *r = mmap(NULL, sizeof *r, PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (r == MAP_FAILED)
		return NULL;
	ring_init(r);          /* already zero; says what the fields start at */
	return r;
}

void ring_free(struct ring *r)
{
	if (r != NULL)
		munmap(r, sizeof *r);
}

void ring_init(struct ring *r)
{
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	atomic_init(&r->dropped, 0);
	r->tail_cache = 0;
}

/* The producer reads the consumer's tail only when its cached copy says the
 * ring is filling: the tail's cache line then stays with the consumer. */
static struct trace_ev *slot_for(struct ring *r)
{
	uint32_t head = atomic_load_explicit(&r->head, memory_order_relaxed);

	if (head - r->tail_cache >= RING_SIZE / 2) {
		r->tail_cache = atomic_load_explicit(&r->tail, memory_order_acquire);
		if (head - r->tail_cache == RING_SIZE) {
			atomic_fetch_add_explicit(&r->dropped, 1, memory_order_relaxed);
			return NULL;
		}
	}
	return &r->ev[head & (RING_SIZE - 1)];
}

struct trace_ev *ring_reserve(struct ring *r)
{
	struct trace_ev *slot = slot_for(r);

	/* The fd list is read only up to nfds (zeroed here). */
	if (slot != NULL)
		memset(slot, 0, offsetof(struct trace_ev, fd_list));
	return slot;
}

/* A slot last read by the consumer on another core costs a transfer per
 * cache line written: the probes' events write one. */
struct trace_ev *ring_reserve_short(struct ring *r)
{
	struct trace_ev *slot = slot_for(r);

	if (slot != NULL) {
		memset(slot, 0, TRACE_EV_HOT);
		slot->flags = TRACE_F_SHORT;
	}
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

const struct trace_ev *ring_last(const struct ring *r)
{
	uint32_t head = atomic_load_explicit(&r->head, memory_order_relaxed);

	return head == 0 ? NULL : &r->ev[(head - 1) & (RING_SIZE - 1)];
}

unsigned ring_pop(struct ring *r, struct trace_ev *out, unsigned max)
{
	uint32_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	uint32_t head = atomic_load_explicit(&r->head, memory_order_acquire);
	unsigned n = 0;

	while (tail != head && n < max) {
		struct trace_ev *ev = &out[n++];

		*ev = r->ev[tail++ & (RING_SIZE - 1)];
		if (ev->flags & TRACE_F_SHORT) {
			memset((char *)ev + TRACE_EV_HOT, 0, offsetof(struct trace_ev, fd_list) - TRACE_EV_HOT);
			ev->flags &= (uint8_t)~TRACE_F_SHORT;
		}
	}
	atomic_store_explicit(&r->tail, tail, memory_order_release);
	return n;
}

uint32_t ring_count(const struct ring *r)
{
	return atomic_load_explicit(&r->head, memory_order_acquire) -
	       atomic_load_explicit(&r->tail, memory_order_relaxed);
}

uint32_t ring_take_dropped(struct ring *r)
{
	return atomic_exchange_explicit(&r->dropped, 0, memory_order_relaxed);
}

uint32_t ring_pushed(const struct ring *r)
{
	return atomic_load_explicit(&r->head, memory_order_acquire);
}
