/* workq.h: a bounded FIFO of requests between threads (the thread-pool
 * model's), whose every sleep is one futex(2) call the probes trace.
 *
 * One or more producers push, consumers pop; a push sleeps while the
 * queue is full, a pop while it is empty.  Every change of the queue is
 * a set event (TRACE_SET_WORKQ: depth, capacity, the queued requests'
 * fds oldest first) from the thread that made it, stamped under the
 * queue's lock so that the depths appear in the order they happened.
 *
 * Call order: workq_init, then any threads push and pop; workq_stop
 * wakes and refuses them all; once they are gone, workq_drain and
 * workq_free.
 */
#ifndef IOSCOPE_WORKQ_H
#define IOSCOPE_WORKQ_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/srv.h"

struct workq_req {
	void *owner;                 /* the producer's (a connection) */
	uint32_t seq;                /* the owner's count: its requests in the
	                                order it pushed them */
	int fd;                      /* for the trace: where it came from */
	size_t len;
	char data[SRV_LINE_MAX];
};

struct workq {
	pthread_mutex_t mu;          /* everything below but the words */
	struct workq_req *slot;      /* [cap], a ring from head */
	int cap, head, depth;
	int sleepers;                /* consumers asleep on pushed */
	int producers_wait;          /* producers asleep on popped */
	_Atomic int stop;
	_Atomic uint32_t pushed;     /* futex word: bumped by every push, and stop */
	_Atomic uint32_t popped;     /* futex word: bumped by every pop, and stop */
};

/* Room for cap requests.  Returns 0 or -ENOMEM. */
int workq_init(struct workq *q, int cap);
void workq_free(struct workq *q);

/* Put a copy of r (its r->len bytes of data, at most SRV_LINE_MAX) at the
 * back, asleep in futex while the queue is full.  Returns 0, or
 * -ECANCELED when *stop (or workq_stop) is set at a wake-up: the request
 * was not queued.  A producer woken by a signal rechecks *stop. */
int workq_push(struct workq *q, const struct workq_req *r, _Atomic int *stop);

/* The oldest request into out, asleep in futex while the queue is empty.
 * Returns 0, or -ECANCELED once workq_stop was called. */
int workq_pop(struct workq *q, struct workq_req *out);

/* Refuse every push and pop from now on and wake every sleeper. */
void workq_stop(struct workq *q);
bool workq_stopped(struct workq *q);

/* Once no thread pushes or pops: each request still queued, oldest
 * first, to cb (its owner), and the queue is empty (shown so). */
void workq_drain(struct workq *q, void (*cb)(void *owner));

#endif
