/* probe.c: the per-thread emitter.  Only the calling thread touches its
 * probe, so the ring has one producer. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "models/probe.h"
#include "trace/sink.h"

static __thread struct probe *cur;

void probe_attach(struct probe *p)
{
	cur = p;
}

const struct probe *probe_self(void)
{
	return cur;
}

int64_t probe_now(const struct probe *p)
{
	return p != NULL && p->sink != NULL ? sink_now(p->sink) : trace_mono_ns();
}

/* Fill events in place in the ring: no copy on the hot path. */
static struct trace_ev *ev_begin(int kind)
{
	struct trace_ev *ev;

	if (cur == NULL || cur->ring == NULL || (ev = ring_reserve_short(cur->ring)) == NULL)
		return NULL;
	ev->kind = (uint8_t)kind;
	ev->actor = (uint16_t)cur->actor;
	ev->step = -1;
	return ev;
}

static void ev_end(struct trace_ev *ev, bool wake)
{
	if (ev != NULL && ring_commit(cur->ring))
		wake = true;
	/* A zeroed probe (an untraced thread's) has no sink to wake. */
	if (wake && cur != NULL && cur->sink != NULL)
		sink_wake(cur->sink);
}

void probe_emit(struct trace_ev *src, bool wake)
{
	struct trace_ev *ev;

	if (cur == NULL || cur->ring == NULL)
		return;
	if ((ev = ring_reserve(cur->ring)) != NULL) {
		src->actor = (uint16_t)cur->actor;
		src->step = -1;
		*ev = *src;
	}
	ev_end(ev, wake);
}

void probe_note(const char *en, const char *zh)
{
	struct trace_ev ev = { .kind = TRACE_NOTE, .fd = -1, .t_ns = probe_now(cur),
			       .text = { en, zh } };

	probe_emit(&ev, false);
}

int64_t probe_enter(int call, int fd, bool may_block)
{
	struct trace_ev *ev = ev_begin(TRACE_ENTER);
	int64_t t = probe_now(cur);

	if (ev != NULL) {
		ev->t_ns = t;
		ev->call = (uint16_t)call;
		ev->fd = fd;
	}
	ev_end(ev, may_block);
	return t;
}

void probe_exit(int call, int fd, int64_t ret, int err, int64_t t0,
		uint32_t try_no)
{
	int64_t t = probe_now(cur);
	struct trace_ev *ev = ev_begin(TRACE_EXIT);

	if (ev != NULL) {
		ev->t_ns = t;
		ev->dur_ns = t - t0;
		ev->call = (uint16_t)call;
		ev->fd = fd;
		ev->ret = ret;
		ev->err = ret < 0 ? err : 0;
		ev->count = try_no;
	}
	ev_end(ev, false);
}

void probe_phase(int phase, bool end, bool blocked, int fd, int64_t t_ns)
{
	struct trace_ev *ev = ev_begin(TRACE_PHASE);

	if (ev != NULL) {
		ev->phase = (uint8_t)phase;
		ev->fd = fd;
		ev->t_ns = t_ns;
		ev->flags |= (end ? TRACE_F_END : 0) | (blocked ? TRACE_F_BLOCKED : 0);
	}
	ev_end(ev, false);
}

void probe_idle(bool end, int64_t dur_ns, uint32_t try_no)
{
	struct trace_ev ev = {
		.kind = TRACE_IDLE, .flags = end ? TRACE_F_END : 0, .fd = -1,
		.dur_ns = dur_ns, .count = try_no, .t_ns = probe_now(cur),
	};

	probe_emit(&ev, !end);
}

void probe_done(int status, uint32_t unread)
{
	struct trace_ev ev = {
		.kind = TRACE_DONE, .fd = -1, .ret = status, .count = unread,
		.t_ns = probe_now(cur),
	};

	probe_emit(&ev, true);
}

int probe_actor_new(struct probe *child, const struct sink_actor *a)
{
	struct sink_actor spec = *a;
	int id;

	memset(child, 0, sizeof *child);
	if (cur == NULL || cur->sink == NULL)
		return -EPERM;
	spec.parent = cur->actor;
	if ((id = sink_actor_new(cur->sink, &spec)) < 0)
		return id;
	/* Its ring before it runs: the sink counts its drops under its id. */
	if ((child->ring = sink_ring_new(cur->sink, id)) == NULL)
		return -ENOSPC;
	child->sink = cur->sink;
	child->actor = id;
	return 0;
}

/* The child's copy of the sink learns that it is one: its wakes go
 * through the wake descriptor (sink.c says why).  The probe the child
 * attached, or the one of the thread that forked, share that sink. */
void probe_forked(void)
{
	if (cur != NULL && cur->sink != NULL)
		sink_forked(cur->sink);
}

void probe_actor_begin(void)
{
	struct trace_ev ev = { .kind = TRACE_ACTOR, .fd = -1, .t_ns = probe_now(cur),
			       .tid = (int32_t)gettid(), .pid = (int32_t)getpid() };

	probe_emit(&ev, true);
}

void probe_actor_end(void)
{
	struct trace_ev ev = { .kind = TRACE_ACTOR, .flags = TRACE_F_END, .fd = -1,
			       .t_ns = probe_now(cur) };

	probe_emit(&ev, true);
}

void probe_model(const char *model, unsigned caps, const char *why_en, const char *why_zh)
{
	struct trace_ev ev = { .kind = TRACE_MODEL, .fd = -1, .t_ns = probe_now(cur),
			       .model = model, .caps = (int32_t)caps, .text = { why_en, why_zh } };

	probe_emit(&ev, true);
}

ssize_t probe_recv(int fd, void *buf, size_t len, int flags, bool may_block,
		   uint32_t try_no)
{
	int64_t t0 = probe_enter(TRACE_CALL_RECVFROM, fd, may_block);
	ssize_t n = recv(fd, buf, len, flags);
	int err = errno;

	probe_exit(TRACE_CALL_RECVFROM, fd, n, err, t0, try_no);
	errno = err;
	return n;
}
