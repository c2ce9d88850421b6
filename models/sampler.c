/* sampler.c: when to look at which thread, and what to emit.  The trace's
 * enter and exit events say which model threads are inside a call; a
 * timer on the loop thread then reads them (sampler_proc.c) and emits a
 * TRACE_STATE whenever the reading changes.  An actor's requests in flight
 * (glibc's POSIX aio) say which fds its helper threads read on: each tick
 * asks sampler_proc.c who is reading there.
 *
 * Actors announced mid-run (a thread or process per connection, pool
 * workers) are watched from their TRACE_ACTOR begin, which carries their
 * tid and pid, to their end.  There may be thousands, so a tick reads at
 * most ANNOUNCED_PER_TICK of those inside a call, round robin, and the
 * timer slows down only once each of them was looked at since its last
 * enter. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "models/sampler.h"
#include "trace/sink.h"

#define FIRST_MS  2     /* let a thread that just entered fall asleep */
#define EVERY_MS  10
#define SLOWEST_MS 2000 /* a thread asleep for long is looked at every 2 s */
/* Announced threads read per tick, at most: three small /proc reads each
 * (test_sampler_actors measures a tick). */
#define ANNOUNCED_PER_TICK 32

struct inflight {
	int32_t tag;              /* TRACE_SUBMIT's arg */
	int fd;
};

struct helper {
	pid_t tid;
	int seen;                 /* found at this tick */
	struct kstate last;
};

struct watch {
	int actor;
	_Atomic pid_t *tid;       /* a header actor's, read when needed */
	pid_t own_tid, pid;       /* an announced actor's, from its begin
				     (pid 0: this process) */
	int live;                 /* announced: begun, not yet ended */
	int looked;               /* announced: read since its last enter */
	int call;                 /* TRACE_CALL_* it is in, 0 when none */
	int have_last;
	struct kstate last;
	/* Helper threads: the actor's requests in flight, by the trace, and
	 * the threads last found reading for them. */
	int helpers;
	struct inflight *req;
	int nreq, capreq;
	struct helper *hl;
	int nhl, caphl;
};

struct sampler {
	uv_timer_t timer;
	struct sink *sink;
	struct ring *ring;
	struct watch w[TRACE_MAX_ACTORS];
	int nw;
	/* Announced actors: slot i is actor nstart + i (the header's count),
	 * grown as they come; busy: live ones inside a call; unlooked: busy
	 * ones not read since they entered it; next: where the round robin
	 * goes on. */
	struct watch *aw;
	int naw, capaw;
	int busy, unlooked, next;
	int ticking;
	int closed;
	unsigned long emitted, ticks;
	unsigned quiet;           /* ticks in a row that saw nothing new */
	/* Scratch for the helper scan. */
	int *fds;
	struct sampler_helper *found;
	int capfds, capfound;
};

/* A TRACE_STATE for tid; what = 1: tid is a helper working for the actor,
 * not its own thread. */
static void emit_state(struct sampler *sp, int actor, pid_t tid,
		       const struct kstate *ks, int what, int64_t t_ns)
{
	struct trace *t = sink_trace(sp->sink);
	struct trace_ev ev = {
		.kind = TRACE_STATE, .actor = (uint16_t)actor, .t_ns = t_ns,
		.tid = tid, .pid = ks->pid, .state = ks->state, .fd = (int)ks->arg0, .step = -1,
		.what = (uint8_t)what,
		.syscall = trace_intern(t, ks->syscall),
		.wchan = trace_intern(t, ks->wchan),
	};

	sink_emit(sp->sink, sp->ring, &ev);
	sp->emitted++;
}

static pid_t tid_of(const struct watch *w)
{
	return w->tid != NULL ? atomic_load(w->tid) : w->own_tid;
}

static void sample_one(struct sampler *sp, struct watch *w)
{
	pid_t tid = tid_of(w);
	/* Stamped before the reading: a thread seen inside its call was in
	 * it then, so its state sorts before the call's exit and the
	 * actor's end, which come after the reading. */
	int64_t now = sink_now(sp->sink);
	struct kstate ks;

	if (tid == 0 || sampler_read_pid(w->pid, tid, &ks) != 0)
		return;
	/* Only the call the trace says it is in: between the enter event and
	 * the syscall itself the thread is still in user space. */
	if (!sampler_call_matches(w->call, ks.sysno))
		return;
	if (w->have_last && sampler_same(&ks, &w->last))
		return;
	w->last = ks;
	w->have_last = 1;
	emit_state(sp, w->actor, tid, &ks, 0, now);
}

/* Nothing changes while a thread sleeps: look less and less often (10 ms
 * doubling to 2 s), so that a paused screen costs next to nothing; any new
 * call starts again at 10 ms. */
static void back_off(struct sampler *sp, unsigned long before)
{
	uint64_t every = EVERY_MS;

	sp->quiet = sp->emitted != before || sp->unlooked > 0 ? 0 : sp->quiet + 1;
	for (unsigned i = 0; i < sp->quiet / 4 && every < SLOWEST_MS; i++)
		every *= 2;
	uv_timer_set_repeat(&sp->timer, every < SLOWEST_MS ? every : SLOWEST_MS);
}

/* Room for need elements of size sz in *p (capacity *cap); 0 or -ENOMEM. */
static int grow(void **p, int *cap, int need, size_t sz)
{
	int n = *cap > 0 ? *cap : 8;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	if ((q = realloc(*p, (size_t)n * sz)) == NULL)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

static struct watch *watch_of_fd(struct sampler *sp, int fd)
{
	for (int i = 0; i < sp->nw; i++)
		for (int j = 0; sp->w[i].helpers && j < sp->w[i].nreq; j++)
			if (sp->w[i].req[j].fd == fd)
				return &sp->w[i];
	return NULL;
}

/* A helper found at this tick: emitted when it is new or has changed. */
static void helper_seen(struct sampler *sp, struct watch *w, const struct sampler_helper *f)
{
	struct helper *h = NULL;

	for (int i = 0; i < w->nhl && h == NULL; i++)
		if (w->hl[i].tid == f->tid)
			h = &w->hl[i];
	if (h == NULL) {
		if (grow((void **)&w->hl, &w->caphl, w->nhl + 1, sizeof *w->hl) != 0)
			return;
		h = &w->hl[w->nhl++];
		*h = (struct helper){ .tid = f->tid };
	} else if (sampler_same(&h->last, &f->ks) && h->last.arg0 == f->ks.arg0) {
		h->seen = 1;
		return;
	}
	h->seen = 1;
	h->last = f->ks;
	emit_state(sp, w->actor, f->tid, &f->ks, 1, sink_now(sp->sink));
}

/* Every thread that is not a watched model thread nor this (the loop)
 * thread, inside read(2) on an fd with a request in flight, is a helper
 * of the actor that submitted it: fd numbers are unique in the process,
 * so the fd names the actor.  Helpers not found any more (their read
 * returned) are forgotten, so the next time one reads it is news. */
static void scan_helpers(struct sampler *sp)
{
	pid_t skip[TRACE_MAX_ACTORS + 1];
	int nskip = 0, nfds = 0, n;

	for (int i = 0; i < sp->nw; i++) {
		struct watch *w = &sp->w[i];
		pid_t tid = atomic_load(w->tid);

		if (tid != 0)
			skip[nskip++] = tid;
		for (int j = 0; w->helpers && j < w->nreq; j++) {
			if (grow((void **)&sp->fds, &sp->capfds, nfds + 1, sizeof *sp->fds) != 0)
				return;
			sp->fds[nfds++] = w->req[j].fd;
		}
		for (int j = 0; j < w->nhl; j++)
			w->hl[j].seen = 0;
	}
	skip[nskip++] = gettid();
	/* glibc runs one read per fd at a time: one helper per fd, and room
	 * for a few more (a thread found twice between its syscalls). */
	if (nfds == 0 ||
	    grow((void **)&sp->found, &sp->capfound, nfds + 4, sizeof *sp->found) != 0 ||
	    (n = sampler_find_helpers(sp->fds, nfds, skip, nskip, sp->found, sp->capfound)) < 0)
		n = 0;
	for (int i = 0; i < n && i < sp->capfound; i++) {
		struct watch *w = watch_of_fd(sp, sp->found[i].fd);

		if (w != NULL)
			helper_seen(sp, w, &sp->found[i]);
	}
	for (int i = 0; i < sp->nw; i++) {
		struct watch *w = &sp->w[i];
		int k = 0;

		for (int j = 0; j < w->nhl; j++)
			if (w->hl[j].seen)
				w->hl[k++] = w->hl[j];
		w->nhl = k;
	}
}

/* A watch's part in the busy and unlooked counts, before and after a
 * change. */
static void announced_set(struct sampler *sp, struct watch *w, int call, int looked)
{
	sp->busy -= w->live && w->call != 0;
	sp->unlooked -= w->live && w->call != 0 && !w->looked;
	w->call = call;
	w->looked = looked;
	sp->busy += w->live && w->call != 0;
	sp->unlooked += w->live && w->call != 0 && !w->looked;
}

/* Up to ANNOUNCED_PER_TICK announced threads inside a call, from where
 * the last tick stopped. */
static void sample_announced(struct sampler *sp)
{
	int budget = ANNOUNCED_PER_TICK, from = sp->next;

	for (int k = 0; k < sp->naw && budget > 0; k++) {
		int i = (from + k) % sp->naw;
		struct watch *w = &sp->aw[i];

		if (!w->live || w->call == 0)
			continue;
		sample_one(sp, w);
		announced_set(sp, w, w->call, 1);
		budget--;
		sp->next = (i + 1) % sp->naw;
	}
}

static void sampler_tick_cb(uv_timer_t *h)
{
	struct sampler *sp = h->data;
	int busy = 0, helpers = 0;
	unsigned long before = sp->emitted;

	sp->ticks++;
	for (int i = 0; i < sp->nw; i++) {
		if (sp->w[i].call != 0) {
			sample_one(sp, &sp->w[i]);
			busy = 1;
		}
		helpers |= sp->w[i].helpers && sp->w[i].nreq > 0;
	}
	if (sp->busy > 0) {
		sample_announced(sp);
		busy = 1;
	}
	if (helpers)
		scan_helpers(sp);
	if (!busy && !helpers) {
		uv_timer_stop(&sp->timer);
		sp->ticking = 0;
		return;
	}
	back_off(sp, before);
}

static void start_ticking(struct sampler *sp)
{
	if (!sp->closed && (!sp->ticking || sp->quiet > 0)) {
		uv_timer_start(&sp->timer, sampler_tick_cb, FIRST_MS, EVERY_MS);
		sp->ticking = 1;
		sp->quiet = 0;
	}
}

/* Requests in flight, per actor, from its submit and complete events. */
static void track_request(struct sampler *sp, struct watch *w,
			  const struct trace_ev *ev)
{
	if (ev->kind == TRACE_SUBMIT) {
		if (grow((void **)&w->req, &w->capreq, w->nreq + 1, sizeof *w->req) != 0)
			return;
		w->req[w->nreq++] = (struct inflight){ .tag = ev->arg, .fd = ev->fd };
		start_ticking(sp);
		return;
	}
	if (ev->kind == TRACE_DONE) {         /* the thread is gone: so are they */
		w->nreq = 0;
		w->nhl = 0;
		return;
	}
	for (int j = 0; j < w->nreq; j++)
		if (w->req[j].tag == ev->arg) {
			w->req[j] = w->req[--w->nreq];
			break;
		}
	/* As an exit does for the actor's own thread: the next read on
	 * that fd is news, even by the same helper. */
	for (int j = 0; j < w->nhl; j++)
		if (w->hl[j].last.arg0 == ev->fd)
			w->hl[j--] = w->hl[--w->nhl];
}

/* The watch of an announced actor's slot, grown to it when grow is set;
 * NULL when there is none. */
static struct watch *announced_watch(struct sampler *sp, const struct trace_hdr *h,
				     int actor, int grow_to)
{
	int slot = actor - h->nstart;

	if (slot < 0 || slot >= TRACE_ACTORS_LIMIT)
		return NULL;
	if (slot >= sp->naw) {
		if (!grow_to ||
		    grow((void **)&sp->aw, &sp->capaw, slot + 1, sizeof *sp->aw) != 0)
			return NULL;
		memset(&sp->aw[sp->naw], 0, (size_t)(slot + 1 - sp->naw) * sizeof *sp->aw);
		sp->naw = slot + 1;
	}
	return &sp->aw[slot];
}

/* An announced actor begins (its tid and pid) or ends.  A coroutine is
 * not a thread: the one that runs it is its scheduler's, sampled as the
 * scheduler. */
static void actor_seen(struct sampler *sp, const struct trace_hdr *h,
		       const struct trace_ev *ev)
{
	int begin = !(ev->flags & TRACE_F_END);
	struct watch *w;

	if (ev->actor >= h->nactors || !h->actors[ev->actor].announced)
		return;
	if (begin && ((h->actors[ev->actor].caps & TRACE_CAP_COROUTINE) ||
		      ev->tid <= 0 || ev->pid < 0))
		return;
	if ((w = announced_watch(sp, h, ev->actor, begin)) == NULL)
		return;
	announced_set(sp, w, 0, 0);
	w->live = 0;
	if (begin)
		*w = (struct watch){ .actor = ev->actor, .own_tid = ev->tid,
				     .pid = ev->pid == getpid() ? 0 : ev->pid, .live = 1 };
}

static void sampler_listen_cb(void *arg, struct trace *t, const struct trace_ev *ev)
{
	struct sampler *sp = arg;
	const struct trace_hdr *h = trace_hdr_c(t);
	int calls = ev->kind == TRACE_ENTER || ev->kind == TRACE_EXIT;
	int reqs = ev->kind == TRACE_SUBMIT || ev->kind == TRACE_COMPLETE ||
		   ev->kind == TRACE_DONE;
	struct watch *aw;

	if (ev->kind == TRACE_ACTOR) {
		actor_seen(sp, h, ev);
		return;
	}
	if (!calls && !reqs)
		return;
	if (calls && (aw = announced_watch(sp, h, ev->actor, 0)) != NULL) {
		if (aw->live) {
			announced_set(sp, aw, ev->kind == TRACE_ENTER ? ev->call : 0, 0);
			aw->have_last = 0;
			if (ev->kind == TRACE_ENTER)
				start_ticking(sp);
		}
		return;
	}
	for (int i = 0; i < sp->nw; i++) {
		struct watch *w = &sp->w[i];

		if (w->actor != ev->actor)
			continue;
		if (calls) {
			w->call = ev->kind == TRACE_ENTER ? ev->call : 0;
			w->have_last = 0;
		} else if (w->helpers) {
			track_request(sp, w, ev);
		}
	}
	if (ev->kind == TRACE_ENTER)
		start_ticking(sp);
}

int sampler_new(uv_loop_t *loop, struct sink *s, struct sampler **out)
{
	struct sampler *sp = calloc(1, sizeof *sp);
	int rc;

	if (sp == NULL)
		return -ENOMEM;
	sp->sink = s;
	/* The ring is the sink's to free. */
	if ((sp->ring = sink_ring_new(s, TRACE_WORLD)) == NULL) {
		rc = -ENOMEM;
		goto fail_sp;
	}
	if ((rc = sink_listen(s, sampler_listen_cb, sp)) != 0)
		goto fail_sp;
	uv_timer_init(loop, &sp->timer);
	sp->timer.data = sp;
	*out = sp;
	return 0;
fail_sp:
	free(sp);
	return rc;
}

int sampler_watch(struct sampler *sp, int actor, _Atomic pid_t *tid)
{
	if (sp->nw == TRACE_MAX_ACTORS)
		return -ENOSPC;
	sp->w[sp->nw++] = (struct watch){ .actor = actor, .tid = tid };
	return 0;
}

int sampler_watch_helpers(struct sampler *sp, int actor, _Atomic pid_t *tid)
{
	int rc;

	for (int i = 0; i < sp->nw; i++)
		if (sp->w[i].actor == actor) {
			sp->w[i].helpers = 1;
			return 0;
		}
	if ((rc = sampler_watch(sp, actor, tid)) != 0)
		return rc;
	sp->w[sp->nw - 1].helpers = 1;
	return 0;
}

void sampler_close(struct sampler *sp)
{
	if (sp == NULL)
		return;
	sp->closed = 1;         /* events drained after this start nothing */
	uv_timer_stop(&sp->timer);
	uv_close((uv_handle_t *)&sp->timer, NULL);
}

void sampler_free(struct sampler *sp)
{
	if (sp == NULL)
		return;
	for (int i = 0; i < sp->nw; i++) {
		free(sp->w[i].req);
		free(sp->w[i].hl);
	}
	free(sp->aw);
	free(sp->fds);
	free(sp->found);
	free(sp);
}

unsigned long sampler_emitted(const struct sampler *sp)
{
	return sp->emitted;
}

unsigned long sampler_ticks(const struct sampler *sp)
{
	return sp->ticks;
}
