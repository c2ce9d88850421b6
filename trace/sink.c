/* sink.c: drains producer rings into the trace on the loop thread. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "trace/sink.h"

#define SINK_MAX_RINGS     (TRACE_MAX_ACTORS + 4)
#define SINK_MAX_LISTENERS 8
#define SINK_BATCH         (RING_SIZE * 2)

struct listener {
	sink_listen_cb cb;
	void *arg;
};

struct sink {
	uv_async_t async;
	int64_t epoch;                /* trace_mono_ns() at sink_new; never changes */
	struct trace *trace;
	struct ring *rings[SINK_MAX_RINGS];
	int ring_actor[SINK_MAX_RINGS];
	int nrings;
	struct listener listeners[SINK_MAX_LISTENERS];
	int nlisteners;
	struct trace_ev *batch;       /* SINK_BATCH scratch events */
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
	int draining;
	int closed;
};

static void sink_async_cb(uv_async_t *h)
{
	sink_drain(h->data);
}

int sink_new(uv_loop_t *loop, struct trace *t, struct sink **out)
{
	struct sink *s = calloc(1, sizeof *s);
	int rc;

	if (s == NULL)
		return -ENOMEM;
	s->batch = malloc(SINK_BATCH * sizeof *s->batch);
	if (s->batch == NULL) {
		free(s);
		return -ENOMEM;
	}
	rc = uv_async_init(loop, &s->async, sink_async_cb);
	if (rc != 0) {
		free(s->batch);
		free(s);
		return rc;
	}
	s->async.data = s;
	s->trace = t;
	s->epoch = trace_mono_ns();
	*out = s;
	return 0;
}

static void sink_flush_unsaved(struct sink *s);

void sink_close(struct sink *s)
{
	if (s == NULL || s->closed)
		return;
	sink_drain(s);
	sink_flush_unsaved(s);
	s->closed = 1;
	uv_close((uv_handle_t *)&s->async, NULL);
}

void sink_free(struct sink *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < s->nrings; i++)
		free(s->rings[i]);
	free(s->unsaved);
	free(s->batch);
	free(s);
}

int64_t sink_epoch(const struct sink *s) { return s->epoch; }
int64_t sink_now(const struct sink *s) { return trace_mono_ns() - s->epoch; }

struct ring *sink_ring_new(struct sink *s, int actor)
{
	struct ring *r;

	if (s->nrings == SINK_MAX_RINGS)
		return NULL;
	/* Rings are large and cache-line aligned. */
	r = aligned_alloc(64, (sizeof *r + 63) & ~(size_t)63);
	if (r == NULL)
		return NULL;
	ring_init(r);
	s->rings[s->nrings] = r;
	s->ring_actor[s->nrings++] = actor;
	return r;
}

void sink_wake(struct sink *s)
{
	uv_async_send(&s->async);
}

void sink_emit(struct sink *s, struct ring *r, const struct trace_ev *ev)
{
	ring_push(r, ev);
	uv_async_send(&s->async);
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
static unsigned sink_collect(struct sink *s)
{
	unsigned n = 0;

	for (int i = 0; i < s->nrings && n < SINK_BATCH; i++) {
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
	for (unsigned i = 0; i < n; i++)
		s->batch[i].seq = i;
	return n;
}

/* Into the trace.  Notes carry static strings from a model thread: the
 * trace keeps its own copies. */
static int sink_add(struct sink *s, struct trace_ev *ev)
{
	if (ev->kind == TRACE_NOTE)
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

static void sink_tell(struct sink *s, size_t at)
{
	for (int l = 0; l < s->nlisteners; l++)
		s->listeners[l].cb(s->listeners[l].arg, s->trace, trace_at(s->trace, at));
}

void sink_drain(struct sink *s)
{
	unsigned n;
	int rc;

	if (s->draining)        /* a listener emitted: the next pass takes it */
		return;
	s->draining = 1;
	while ((n = sink_collect(s)) > 0) {
		qsort(s->batch, n, sizeof *s->batch, by_time);
		for (unsigned i = 0; i < n; i++) {
			size_t at = trace_count(s->trace);

			if (s->err == 0 && (rc = sink_add(s, &s->batch[i])) != 0) {
				if (rc == -EINVAL) {      /* out of its actor's life */
					s->refused++;
					continue;
				}
				sink_fail(s, rc);
			}
			if (s->err != 0)
				sink_count_unsaved(s, &s->batch[i]);
			else
				sink_tell(s, at);
		}
	}
	s->draining = 0;
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
}
