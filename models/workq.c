/* workq.c: see workq.h.
 *
 * The sleeps are futex(2) calls on two words of the queue, made with
 * syscall(SYS_futex) rather than through pthread_cond_wait: glibc's
 * condition variable spins, switches between groups of waiters and takes
 * its mutex again after the wake, so a probe around it would time a
 * library call that makes zero, one or several futex calls on words of
 * glibc's.  Here one traced futex enter/exit is one FUTEX_WAIT of the
 * kernel's, on a word the program can name: `pushed` (consumers wait for
 * a request) and `popped` (producers wait for room).  Each word counts
 * its event, and a sleeper reads it under the queue's lock before it
 * sleeps, so a push or pop that lands between the unlock and the
 * FUTEX_WAIT changes the word and the kernel returns at once (EAGAIN):
 * no wake-up is lost.  The lock itself is a pthread mutex, held for a
 * copy of at most SRV_LINE_MAX bytes: nobody sleeps holding it.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "models/workq.h"

/* lesson: futex-wait */
/* Sleep while *word still holds seen; traced, since this is where a
 * thread of the pool blocks.  Returns 0 (woken), -EAGAIN (the word had
 * already moved on) or -EINTR (a signal: model_stop's). */
static int futex_wait(_Atomic uint32_t *word, uint32_t seen)
{
	int64_t t0 = probe_enter(TRACE_CALL_FUTEX, -1, true);
	long rc = syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, seen, NULL, NULL, 0);
	int err = errno;

	probe_exit(TRACE_CALL_FUTEX, -1, rc, err, t0, 0);
	return rc < 0 ? -err : 0;
}
/* lesson end */

/* Wakes are not traced (trace.h, TRACE_CALL_FUTEX): they never block. */
static void futex_wake(_Atomic uint32_t *word, int n)
{
	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

int workq_init(struct workq *q, int cap)
{
	memset(q, 0, sizeof *q);
	if ((q->slot = calloc((size_t)cap, sizeof *q->slot)) == NULL)
		return -ENOMEM;
	q->cap = cap;
	pthread_mutex_init(&q->mu, NULL);
	return 0;
}

void workq_free(struct workq *q)
{
	pthread_mutex_destroy(&q->mu);
	free(q->slot);
}

/* The trace's word for the queue now (set workq); under q->mu. */
static void show(const struct workq *q)
{
	struct trace_ev ev = { .kind = TRACE_SET, .what = TRACE_SET_WORKQ, .fd = -1,
			       .n = q->depth, .arg = q->cap };
	int fds[TRACE_FDS_INLINE];
	int listed = q->depth < TRACE_FDS_INLINE ? q->depth : TRACE_FDS_INLINE;

	if (probe_self() == NULL)
		return;
	for (int i = 0; i < listed; i++)
		fds[i] = q->slot[(q->head + i) % q->cap].fd;
	trace_ev_set_fds(&ev, fds, listed);
	ev.fds_more = (uint32_t)(q->depth - listed);
	ev.t_ns = probe_now(probe_self());
	probe_emit(&ev, false);
}

/* lesson: workq-push */
int workq_push(struct workq *q, const struct workq_req *r, _Atomic int *stop)
{
	struct workq_req *slot;
	bool wake;

	pthread_mutex_lock(&q->mu);
	while (q->depth == q->cap) {
		uint32_t seen = atomic_load(&q->popped);

		if (atomic_load(stop) || atomic_load(&q->stop)) {
			pthread_mutex_unlock(&q->mu);
			return -ECANCELED;
		}
		q->producers_wait++;
		pthread_mutex_unlock(&q->mu);
		futex_wait(&q->popped, seen);      /* full: asleep until a pop */
		pthread_mutex_lock(&q->mu);
		q->producers_wait--;
	}
	slot = &q->slot[(q->head + q->depth) % q->cap];
	*slot = (struct workq_req){ .owner = r->owner, .seq = r->seq, .fd = r->fd,
				    .len = r->len };
	memcpy(slot->data, r->data, r->len);
	q->depth++;
	show(q);
	atomic_fetch_add(&q->pushed, 1);
	wake = q->sleepers > 0;
	pthread_mutex_unlock(&q->mu);
	if (wake)
		futex_wake(&q->pushed, 1);
	return 0;
}
/* lesson end */

/* lesson: workq-pop */
int workq_pop(struct workq *q, struct workq_req *out)
{
	struct workq_req *r;
	bool wake;

	pthread_mutex_lock(&q->mu);
	while (q->depth == 0 && !atomic_load(&q->stop)) {
		uint32_t seen = atomic_load(&q->pushed);

		q->sleepers++;
		pthread_mutex_unlock(&q->mu);
		futex_wait(&q->pushed, seen);      /* empty: asleep until a push */
		pthread_mutex_lock(&q->mu);
		q->sleepers--;
	}
	if (atomic_load(&q->stop)) {
		pthread_mutex_unlock(&q->mu);
		return -ECANCELED;
	}
	r = &q->slot[q->head];
	*out = (struct workq_req){ .owner = r->owner, .seq = r->seq, .fd = r->fd,
				   .len = r->len };
	memcpy(out->data, r->data, r->len);
	q->head = (q->head + 1) % q->cap;
	q->depth--;
	show(q);
	atomic_fetch_add(&q->popped, 1);
	wake = q->producers_wait > 0;
	pthread_mutex_unlock(&q->mu);
	if (wake)
		futex_wake(&q->popped, 1);
	return 0;
}
/* lesson end */

/* The words move, so a sleeper about to sleep returns at once, and every
 * sleeper is woken. */
void workq_stop(struct workq *q)
{
	pthread_mutex_lock(&q->mu);
	atomic_store(&q->stop, 1);
	atomic_fetch_add(&q->pushed, 1);
	atomic_fetch_add(&q->popped, 1);
	pthread_mutex_unlock(&q->mu);
	futex_wake(&q->pushed, INT_MAX);
	futex_wake(&q->popped, INT_MAX);
}

bool workq_stopped(struct workq *q)
{
	return atomic_load(&q->stop) != 0;
}

void workq_drain(struct workq *q, void (*cb)(void *owner))
{
	if (q->depth == 0)
		return;
	for (int i = 0; i < q->depth; i++)
		cb(q->slot[(q->head + i) % q->cap].owner);
	q->depth = 0;
	show(q);                     /* emptied, unanswered */
}
