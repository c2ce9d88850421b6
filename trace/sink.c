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
	struct trace *trace;
	struct ring *rings[SINK_MAX_RINGS];
	int ring_actor[SINK_MAX_RINGS];
	int nrings;
	struct listener listeners[SINK_MAX_LISTENERS];
	int nlisteners;
	struct trace_ev *batch;       /* SINK_BATCH scratch events */
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
	*out = s;
	return 0;
}

void sink_close(struct sink *s)
{
	if (s == NULL || s->closed)
		return;
	sink_drain(s);
	s->closed = 1;
	uv_close((uv_handle_t *)&s->async, NULL);
}

void sink_free(struct sink *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < s->nrings; i++)
		free(s->rings[i]);
	free(s->batch);
	free(s);
}

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

static int by_time(const void *a, const void *b)
{
	const struct trace_ev *x = a, *y = b;

	if (x->t_ns != y->t_ns)
		return x->t_ns < y->t_ns ? -1 : 1;
	/* Equal times keep ring order: seq holds the pop position here. */
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Pop everything the rings hold now, at most SINK_BATCH events. */
static unsigned sink_collect(struct sink *s)
{
	unsigned n = 0;

	for (int i = 0; i < s->nrings && n < SINK_BATCH; i++) {
		uint32_t lost = ring_take_dropped(s->rings[i]);
		unsigned got = ring_pop(s->rings[i], s->batch + n, SINK_BATCH - n);

		n += got;
		if (lost > 0 && n < SINK_BATCH) {
			s->batch[n] = (struct trace_ev){
				.kind = TRACE_LOST, .actor = s->ring_actor[i],
				.count = lost, .fd = -1, .step = -1,
				.t_ns = got ? s->batch[n - 1].t_ns : trace_now(),
			};
			n++;
		}
	}
	for (unsigned i = 0; i < n; i++)
		s->batch[i].seq = i;
	return n;
}

void sink_drain(struct sink *s)
{
	unsigned n;

	if (s->draining)        /* a listener emitted: the next pass takes it */
		return;
	s->draining = 1;
	while ((n = sink_collect(s)) > 0) {
		qsort(s->batch, n, sizeof *s->batch, by_time);
		for (unsigned i = 0; i < n; i++) {
			size_t at = trace_count(s->trace);

			/* Notes carry static strings from a model thread: the
			 * trace keeps its own copies. */
			if (s->batch[i].kind == TRACE_NOTE)
				for (int l = 0; l < 2; l++)
					s->batch[i].text[l] = trace_intern(s->trace,
						s->batch[i].text[l] ? s->batch[i].text[l] : "");

			if (trace_append(s->trace, &s->batch[i]) != 0)
				break;
			for (int l = 0; l < s->nlisteners; l++)
				s->listeners[l].cb(s->listeners[l].arg, s->trace,
						   trace_at(s->trace, at));
		}
	}
	s->draining = 0;
}
