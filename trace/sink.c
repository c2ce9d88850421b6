/* sink.c: drains producer rings into the trace on the loop thread.
 *
 * Two ways to wake the loop.  A thread of this process calls
 * uv_async_send, which costs a syscall only when the loop was not already
 * told.  A child process (sink_forked) cannot: uv_async_send sets a
 * "pending" flag in the handle and writes to the loop's own descriptor,
 * and the loop, woken, calls back only the handles whose flag it sees
 * set, in its own memory; the child set the flag in its copy, so the
 * parent's loop never calls the sink back, and the child's copy stays
 * "pending" for ever, so it never writes again either.  So the sink owns
 * a second descriptor, an eventfd the loop watches (uv_poll), and a child
 * writes to it: a syscall per wake, which is all a child's wakes cost
 * more (they come before a call that may block, and at a ring half
 * full). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <uv.h>

#include "trace/sink.h"

/* Rings: the set-up's (one per actor of the header, the world's, the
 * sampler's) and one per actor a producer announces.  Bounded because a
 * ring is large (RING_SIZE events of 192 bytes: 772 KiB of address
 * space, pages touched only as it fills) and stays until sink_free.
 * Each is shared with the processes forked after it was made (ring_new):
 * a child process pushes into its own ring as a thread would. */
#define SINK_MAX_RINGS     256
#define SINK_MAX_LISTENERS 8
#define SINK_BATCH         (RING_SIZE * 2)
/* One pass of the loop (a wake-up) takes at most a batch of events into
 * the trace, and stops after SINK_PASS_NS even in the middle of one (the
 * next pass finishes it first); then the loop runs its timers (the
 * world's clock, the screen's frames) and comes back for the rest.  A
 * producer faster than the listeners would otherwise keep the loop
 * draining for ever; its ring drops and counts what does not fit, as it
 * must anyway.  The clock is read every SINK_PASS_CHECK events. */
#define SINK_PASS          SINK_BATCH
#define SINK_PASS_NS       4000000
#define SINK_PASS_CHECK    16
#define SINK_HELD          (UINT64_C(1) << 63)   /* in a batch's seq: held once */

_Static_assert(SINK_ACTOR_NEW >= TRACE_ACTORS_LIMIT &&
	       SINK_ACTOR_NEW + TRACE_ACTORS_LIMIT <= UINT16_MAX + 1,
	       "an announced actor's id is above every index and fits trace_ev.actor");

struct listener {
	sink_listen_cb cb;
	void *arg;
};

/* An actor a producer announced (sink_actor_new), known to the trace
 * once its begin is merged.  The producer writes it before any event of
 * the actor is pushed, and the ring's release and acquire order that
 * before the drain reads it; index is the drain's alone. */
struct fresh {
	char *name, *model, *label[2];
	unsigned caps;
	int parent;               /* an index, or an id of another fresh actor */
	int index;                /* in the trace; 0: not yet; -1: refused */
};

struct sink {
	uv_async_t async;
	uv_poll_t wake_poll;          /* watches wake_fd: child processes' wakes */
	int wake_fd;                  /* eventfd, non-blocking */
	int forked;                   /* this is a child's copy (sink_forked) */
	int64_t epoch;                /* trace_mono_ns() at sink_new; never changes */
	struct trace *trace;
	/* Rings are added from any thread (an announced actor's): under lock,
	 * published by a release store of nrings that the drain loads. */
	pthread_mutex_t lock;
	struct ring *rings[SINK_MAX_RINGS];
	int ring_actor[SINK_MAX_RINGS];
	_Atomic int nrings;
	struct fresh *fresh;          /* [TRACE_ACTORS_LIMIT], ids SINK_ACTOR_NEW + i */
	_Atomic int nfresh;
	/* Events of a fresh actor whose begin is not merged yet (its ring was
	 * drained before its creator's): tried once more in the next pass. */
	struct trace_ev *held;        /* [SINK_BATCH] */
	unsigned nheld;
	unsigned nheld_in;            /* of this batch, the first were held */
	struct listener listeners[SINK_MAX_LISTENERS];
	int nlisteners;
	struct trace_ev *batch;       /* SINK_BATCH scratch events */
	unsigned nbatch, next;        /* in it, sorted; told up to next */
	uint64_t pending[SINK_MAX_RINGS];   /* drops taken, not yet in a lost event */
	/* Events the trace could not keep once it failed, by actor: grown to
	 * the actor counted (at most TRACE_ACTORS_LIMIT); without memory for
	 * that, booked under the world (slot 0, always there). */
	uint64_t *unsaved;
	int nunsaved;
	uint64_t world_unsaved;       /* the world's, and the others' past nunsaved */
	/* Events trace_append refused for breaking an actor's life (-EINVAL:
	 * an event before its actor's begin or after its end): dropped and
	 * counted, the run goes on; sink_close says how many in a lost event
	 * of the world's. */
	uint64_t refused;
	int err;                      /* the first failure, then nothing is appended */
	sink_fail_cb on_fail;
	void *fail_arg;
	sink_batch_cb on_batch;
	void *batch_arg;
	int draining;
	int closed;
	int abandoned;                /* sink_new failed: handles still closing */
};

static size_t sink_drain_all(struct sink *s, bool final, size_t budget, int64_t until);
static size_t sink_backlog(struct sink *s);

/* One bounded pass; what is left brings the loop back here after its
 * timers (a producer that finished sends no more wake-ups). */
static void sink_async_cb(uv_async_t *h)
{
	struct sink *s = h->data;

	sink_drain_all(s, false, SINK_PASS, trace_mono_ns() + SINK_PASS_NS);
	if (sink_backlog(s) > 0 && !s->closed)
		uv_async_send(&s->async);
}

/* A child process woke the loop: reset the eventfd's count (it may be
 * EAGAIN: another pass took it), then drain as for a thread's wake. */
static void sink_wake_cb(uv_poll_t *h, int status, int events)
{
	struct sink *s = h->data;
	uint64_t n;

	(void)status;
	(void)events;
	if (read(s->wake_fd, &n, sizeof n) < 0 && errno != EAGAIN)
		return;           /* cannot be: an eventfd read takes 8 bytes */
	sink_async_cb(&s->async);
}

static void sink_free_mem(struct sink *s)
{
	if (s->wake_fd >= 0)
		close(s->wake_fd);
	pthread_mutex_destroy(&s->lock);
	free(s->fresh);
	free(s->held);
	free(s->batch);
	free(s);
}

/* sink_new failed after it made handles: the loop lets go of them in
 * its next pass, and after the last the sink's memory goes. */
static void sink_abandon_cb(uv_handle_t *h)
{
	struct sink *s = h->data;

	if (--s->abandoned == 0)
		sink_free_mem(s);
}

int sink_new(uv_loop_t *loop, struct trace *t, struct sink **out)
{
	struct sink *s = calloc(1, sizeof *s);
	int rc;

	if (s == NULL)
		return -ENOMEM;
	s->batch = malloc(SINK_BATCH * sizeof *s->batch);
	s->held = malloc(SINK_BATCH * sizeof *s->held);
	/* Untouched pages cost nothing: most runs announce no actor. */
	s->fresh = calloc(TRACE_ACTORS_LIMIT, sizeof *s->fresh);
	if (s->batch == NULL || s->held == NULL || s->fresh == NULL) {
		rc = -ENOMEM;
		goto fail_mem;
	}
	s->wake_fd = -1;
	if ((rc = -pthread_mutex_init(&s->lock, NULL)) != 0)
		goto fail_mem;
	/* Until a handle is made a failure leaves nothing behind; after,
	 * the handles must be closed and the loop run before the memory
	 * they sit in goes (sink_abandon_cb). */
	if ((s->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		rc = -errno;
		goto fail_lock;
	}
	if ((rc = uv_poll_init(loop, &s->wake_poll, s->wake_fd)) != 0)
		goto fail_fd;
	s->wake_poll.data = s;
	if ((rc = uv_async_init(loop, &s->async, sink_async_cb)) != 0)
		goto fail_poll;
	s->async.data = s;
	if ((rc = uv_poll_start(&s->wake_poll, UV_READABLE, sink_wake_cb)) != 0)
		goto fail_async;
	s->trace = t;
	s->epoch = trace_mono_ns();
	*out = s;
	return 0;
fail_async:
	s->abandoned++;
	uv_close((uv_handle_t *)&s->async, sink_abandon_cb);
fail_poll:
	s->abandoned++;
	uv_close((uv_handle_t *)&s->wake_poll, sink_abandon_cb);
	return rc;
fail_fd:
	close(s->wake_fd);
fail_lock:
	pthread_mutex_destroy(&s->lock);
fail_mem:
	free(s->fresh);
	free(s->held);
	free(s->batch);
	free(s);
	return rc;
}

static void sink_flush_unsaved(struct sink *s);

void sink_close(struct sink *s)
{
	if (s == NULL || s->closed)
		return;
	sink_drain_all(s, true, SIZE_MAX, 0);
	sink_flush_unsaved(s);
	s->closed = 1;
	uv_close((uv_handle_t *)&s->async, NULL);
	uv_close((uv_handle_t *)&s->wake_poll, NULL);
}

void sink_free(struct sink *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < s->nrings; i++)
		ring_free(s->rings[i]);
	for (int i = 0; i < s->nfresh; i++) {
		free(s->fresh[i].name);
		free(s->fresh[i].model);
		free(s->fresh[i].label[0]);
		free(s->fresh[i].label[1]);
	}
	free(s->unsaved);
	sink_free_mem(s);
}

int64_t sink_epoch(const struct sink *s) { return s->epoch; }
int64_t sink_now(const struct sink *s) { return trace_mono_ns() - s->epoch; }

struct ring *sink_ring_new(struct sink *s, int actor)
{
	struct ring *r = NULL;
	int n;

	pthread_mutex_lock(&s->lock);
	n = atomic_load_explicit(&s->nrings, memory_order_relaxed);
	if (n < SINK_MAX_RINGS && (r = ring_new()) != NULL) {
		s->rings[n] = r;
		s->ring_actor[n] = actor;
		s->pending[n] = 0;
		atomic_store_explicit(&s->nrings, n + 1, memory_order_release);
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

static char *dup_or_empty(const char *str)
{
	return strdup(str != NULL ? str : "");
}

int sink_actor_new(struct sink *s, const struct sink_actor *a)
{
	struct fresh *f;
	int i;

	if (a->name == NULL || a->name[0] == '\0')
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	i = atomic_load_explicit(&s->nfresh, memory_order_relaxed);
	if (atomic_load_explicit(&s->nrings, memory_order_relaxed) >= SINK_MAX_RINGS)
		i = TRACE_ACTORS_LIMIT;       /* its thread could have no ring */
	else if (i < TRACE_ACTORS_LIMIT)
		atomic_store_explicit(&s->nfresh, i + 1, memory_order_relaxed);
	pthread_mutex_unlock(&s->lock);
	if (i >= TRACE_ACTORS_LIMIT)
		return -ENOSPC;
	f = &s->fresh[i];
	f->caps = a->caps;
	f->parent = a->parent;
	f->name = strdup(a->name);
	f->model = dup_or_empty(a->model);
	f->label[0] = dup_or_empty(a->label_en);
	f->label[1] = dup_or_empty(a->label_zh);
	if (f->name == NULL || f->model == NULL || f->label[0] == NULL || f->label[1] == NULL)
		f->index = -1;        /* its events are refused, counted */
	return SINK_ACTOR_NEW + i;
}

const char *sink_actor_name(struct sink *s, int actor)
{
	const char *name = NULL;
	int i = actor - SINK_ACTOR_NEW;

	pthread_mutex_lock(&s->lock);
	if (actor >= SINK_ACTOR_NEW && i < atomic_load_explicit(&s->nfresh, memory_order_relaxed))
		name = s->fresh[i].name;
	else if (actor >= 0 && actor < SINK_ACTOR_NEW && actor < trace_hdr(s->trace)->nactors)
		name = trace_hdr(s->trace)->actors[actor].name;
	pthread_mutex_unlock(&s->lock);
	return name;
}

void sink_forked(struct sink *s)
{
	s->forked = 1;
}

int sink_wake_fd(const struct sink *s)
{
	return s->wake_fd;
}

void sink_wake(struct sink *s)
{
	static const uint64_t one = 1;

	if (s == NULL)            /* an untraced model thread's: nobody to wake */
		return;
	if (!s->forked) {
		uv_async_send(&s->async);
		return;
	}
	/* Not checked, on purpose: it fails (EAGAIN) only when the count is
	 * at its maximum, and then the loop is woken already. */
	ssize_t n = write(s->wake_fd, &one, sizeof one);

	(void)n;
}

void sink_emit(struct sink *s, struct ring *r, const struct trace_ev *ev)
{
	ring_push(r, ev);
	sink_wake(s);
}


int sink_listen(struct sink *s, sink_listen_cb cb, void *arg)
{
	if (s->nlisteners == SINK_MAX_LISTENERS)
		return -ENOSPC;
	s->listeners[s->nlisteners++] = (struct listener){ cb, arg };
	return 0;
}

struct trace *sink_trace(struct sink *s) { return s->trace; }

void sink_on_fail(struct sink *s, sink_fail_cb cb, void *arg)
{
	s->on_fail = cb;
	s->fail_arg = arg;
}

void sink_on_batch(struct sink *s, sink_batch_cb cb, void *arg)
{
	s->on_batch = cb;
	s->batch_arg = arg;
}

int sink_status(const struct sink *s) { return s->err; }
uint64_t sink_refused(const struct sink *s) { return s->refused; }

static int by_time(const void *a, const void *b)
{
	const struct trace_ev *x = a, *y = b;

	if (x->t_ns != y->t_ns)
		return x->t_ns < y->t_ns ? -1 : 1;
	/* Equal times keep ring order: seq holds the pop position here. */
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static struct trace_ev lost_ev(int actor, uint64_t *count, int64_t t_ns)
{
	uint32_t c = *count > UINT32_MAX ? UINT32_MAX : (uint32_t)*count;

	*count -= c;
	return (struct trace_ev){ .kind = TRACE_LOST, .actor = (uint16_t)actor,
				  .count = c, .fd = -1, .step = -1, .t_ns = t_ns };
}

/* Pop everything the rings hold now, at most SINK_BATCH events.  A ring's
 * drops are taken before its events and always get a slot of their own:
 * once taken from the ring, the count exists only here. */
static unsigned sink_collect(struct sink *s, bool final)
{
	unsigned n = s->nheld;

	/* Held events first; their seq's top bit says they were held once.
	 * They wait for new events (one of them may be the begin they need)
	 * unless this is the last pass. */
	memcpy(s->batch, s->held, n * sizeof *s->batch);
	s->nheld_in = n;
	s->nheld = 0;
	for (int i = 0; i < atomic_load_explicit(&s->nrings, memory_order_acquire) &&
	     n < SINK_BATCH; i++) {
		unsigned got;

		s->pending[i] += ring_take_dropped(s->rings[i]);
		got = ring_pop(s->rings[i], s->batch + n, SINK_BATCH - n - (s->pending[i] > 0));
		n += got;
		if (s->pending[i] > 0) {
			s->batch[n] = lost_ev(s->ring_actor[i], &s->pending[i],
					      got ? s->batch[n - 1].t_ns : sink_now(s));
			n++;
		}
	}
	if (n == s->nheld_in && !final) {
		s->nheld = n;                 /* nothing new: they wait on */
		return 0;
	}
	for (unsigned i = 0; i < n; i++)
		s->batch[i].seq = i < s->nheld_in ? SINK_HELD | i : i;
	return n;
}

/* Into the trace.  Notes, models and an enter's or exit's kernel name of
 * its call (attach: "pselect6") carry a producer's strings, static or its
 * own: the trace keeps its own copies. */
static int sink_add(struct sink *s, struct trace_ev *ev)
{
	if ((ev->kind == TRACE_ENTER || ev->kind == TRACE_EXIT) && ev->syscall != NULL &&
	    (ev->syscall = trace_intern(s->trace, ev->syscall)) == NULL)
		return trace_full(s->trace) ? -EFBIG : -ENOMEM;
	if (ev->kind == TRACE_MODEL &&
	    (ev->model = trace_intern(s->trace, ev->model ? ev->model : "")) == NULL)
		return trace_full(s->trace) ? -EFBIG : -ENOMEM;
	if (ev->kind == TRACE_NOTE || ev->kind == TRACE_MODEL)
		for (int l = 0; l < 2; l++)
			if ((ev->text[l] = trace_intern(s->trace, ev->text[l] ? ev->text[l] : "")) == NULL)
				return trace_full(s->trace) ? -EFBIG : -ENOMEM;
	return trace_append(s->trace, ev);
}

static void sink_fail(struct sink *s, int err)
{
	s->err = err;
	if (s->on_fail != NULL)
		s->on_fail(s->fail_arg, err);
}

/* The count of actor a's unsaved events, the array grown to hold it;
 * the world's when a is out of range or memory runs out. */
static uint64_t *unsaved_of(struct sink *s, int a)
{
	if (a <= TRACE_WORLD || a >= TRACE_ACTORS_LIMIT)
		return &s->world_unsaved;
	if (a >= s->nunsaved) {
		int n = s->nunsaved ? s->nunsaved : TRACE_MAX_ACTORS;
		uint64_t *u;

		while (n <= a)
			n *= 2;
		n = n < TRACE_ACTORS_LIMIT ? n : TRACE_ACTORS_LIMIT;
		if ((u = realloc(s->unsaved, (size_t)n * sizeof *u)) == NULL)
			return &s->world_unsaved;
		memset(u + s->nunsaved, 0, (size_t)(n - s->nunsaved) * sizeof *u);
		s->unsaved = u;
		s->nunsaved = n;
	}
	return &s->unsaved[a];
}

/* After a failure: count what the trace did not take. */
static void sink_count_unsaved(struct sink *s, const struct trace_ev *ev)
{
	*unsaved_of(s, ev->actor) += ev->kind == TRACE_LOST ? ev->count : 1;
}

/* An event of a fresh actor (id SINK_ACTOR_NEW + i): its index in the
 * trace, announced by its begin.  Returns 0 (ev->actor is an index), 1
 * (hold it: its begin is not merged yet) or -EINVAL (no such actor, or
 * the trace refused it). */
static int sink_map(struct sink *s, struct trace_ev *ev)
{
	struct fresh *f;
	int i = ev->actor - SINK_ACTOR_NEW, parent;

	if (ev->actor < SINK_ACTOR_NEW)
		return 0;
	if (i >= atomic_load_explicit(&s->nfresh, memory_order_acquire))
		return -EINVAL;
	f = &s->fresh[i];
	if (f->index == 0 && (ev->kind != TRACE_ACTOR || (ev->flags & TRACE_F_END)))
		return (ev->seq & SINK_HELD) ? -EINVAL : 1;   /* held once already */
	if (f->index == 0) {
		parent = f->parent;
		if (parent >= SINK_ACTOR_NEW)
			parent = parent - SINK_ACTOR_NEW < TRACE_ACTORS_LIMIT &&
				 s->fresh[parent - SINK_ACTOR_NEW].index > 0 ?
				 s->fresh[parent - SINK_ACTOR_NEW].index : -1;
		/* Under the lock: the table of actors may move, and
		 * sink_actor_name reads it from other threads. */
		pthread_mutex_lock(&s->lock);
		f->index = trace_announce_actor(s->trace, f->name, f->model, f->caps, f->label[0],
						f->label[1], parent);
		pthread_mutex_unlock(&s->lock);
		if (f->index <= 0)
			f->index = -1;
	}
	if (f->index < 0)
		return -EINVAL;
	ev->actor = (uint16_t)f->index;
	return 0;
}

/* Keep ev for the next pass; -ENOSPC when the room is full. */
static int sink_hold(struct sink *s, const struct trace_ev *ev)
{
	if (s->nheld == SINK_BATCH)
		return -ENOSPC;
	s->held[s->nheld++] = *ev;
	return 0;
}

static void sink_tell(struct sink *s, size_t at)
{
	/* A copy: one listener's trace_at calls must not expire the next's. */
	const struct trace_ev ev = *trace_at(s->trace, at);

	for (int l = 0; l < s->nlisteners; l++)
		s->listeners[l].cb(s->listeners[l].arg, s->trace, &ev);
}

/* Events the rings hold now, a drop count as one, and what is left of a
 * batch cut short. */
static size_t sink_backlog(struct sink *s)
{
	size_t n = s->nbatch - s->next;
	int nrings = atomic_load_explicit(&s->nrings, memory_order_acquire);

	for (int i = 0; i < nrings; i++)
		n += ring_count(s->rings[i]) + (s->pending[i] > 0);
	return n;
}

/* One event of the batch into the trace, and to every listener. */
static void sink_take(struct sink *s, struct trace_ev *ev)
{
	size_t at = trace_count(s->trace);
	int rc;

	if (s->err == 0 && (rc = sink_map(s, ev)) != 0) {
		if (rc < 0 || sink_hold(s, ev) != 0)
			s->refused++;
		return;
	}
	if (s->err == 0 && (rc = sink_add(s, ev)) != 0) {
		if (rc == -EINVAL) {      /* out of its actor's life */
			s->refused++;
			return;
		}
		sink_fail(s, rc);
	}
	if (s->err != 0)
		sink_count_unsaved(s, ev);
	else
		sink_tell(s, at);
}

/* Tell the rest of the batch; false when until (a trace_mono_ns time; 0
 * for none) passed first. */
static bool sink_tell_batch(struct sink *s, int64_t until)
{
	while (s->next < s->nbatch) {
		sink_take(s, &s->batch[s->next++]);
		if (until > 0 && s->next % SINK_PASS_CHECK == 0 && trace_mono_ns() >= until)
			return s->next == s->nbatch;
	}
	return true;
}

/* The rings' events into the trace, batch by batch, until they are empty
 * or batches of budget events in all were taken, or until passed (then
 * the batch is finished by the next call); final: the held ones too, for
 * the last time.  Returns how many were taken. */
static size_t sink_drain_all(struct sink *s, bool final, size_t budget, int64_t until)
{
	size_t taken = 0;

	if (s->draining)        /* a listener emitted: the next pass takes it */
		return 0;
	s->draining = 1;
	for (;;) {
		unsigned from = s->next;
		bool whole = sink_tell_batch(s, until);

		taken += s->next - from;
		if (!whole)
			break;
		if (from < s->nbatch && s->on_batch != NULL)
			s->on_batch(s->batch_arg);
		s->nbatch = s->next = 0;
		if (taken >= budget || (until > 0 && trace_mono_ns() >= until) ||
		    (s->nbatch = sink_collect(s, final)) == 0)
			break;
		qsort(s->batch, s->nbatch, sizeof *s->batch, by_time);
	}
	s->draining = 0;
	return taken;
}

/* What the rings hold now (and the held events, and a lost event per
 * ring): a busy producer's later events wait for the next pass. */
void sink_drain(struct sink *s)
{
	sink_drain_all(s, false, sink_backlog(s) + s->nheld + 1, 0);
}

/* Append count as lost events of actor a, heard like any other; 0, or
 * trace_append's refusal (count keeps what is left). */
static int sink_lost(struct sink *s, int a, uint64_t *count)
{
	while (*count > 0) {
		uint64_t left = *count;
		struct trace_ev ev = lost_ev(a, count, sink_now(s));
		size_t at = trace_count(s->trace);
		int rc = trace_append(s->trace, &ev);

		if (rc != 0) {
			*count = left;
			return rc;
		}
		sink_tell(s, at);
	}
	return 0;
}

/* What the trace did not keep, as lost events past its cap (trace_append
 * keeps room for them): each actor's, then the world's, which takes an
 * actor's when the trace refuses that actor a lost event (announced, its
 * begin never kept). */
static void sink_flush_unsaved(struct sink *s)
{
	for (int a = 1; a < s->nunsaved; a++)
		if (sink_lost(s, a, &s->unsaved[a]) == -EINVAL) {
			s->world_unsaved += s->unsaved[a];
			s->unsaved[a] = 0;
		}
	s->world_unsaved += s->refused;
	(void)sink_lost(s, TRACE_WORLD, &s->world_unsaved);
	if (s->on_batch != NULL)
		s->on_batch(s->batch_arg);
}
