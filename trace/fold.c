/* fold.c: view state as a function of the events. */
#include <errno.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "trace/fold.h"

/* Actor i of the header as it appears, at t_ns, in a cleared slot. */
static void actor_init(struct view_actor *a, const struct trace_actor *h, int64_t t_ns)
{
	a->since = t_ns;
	a->model = h->model;
	a->caps = h->caps;
}

int view_more_fit(struct view_more *m, const struct trace *t)
{
	int need = trace_hdr_c(t)->nactors - TRACE_MAX_ACTORS;
	struct view_actor *a;

	if (need <= m->cap)
		return 0;
	if ((a = realloc(m->a, (size_t)need * sizeof *a)) == NULL)
		return -ENOMEM;
	m->a = a;
	m->cap = need;
	return 0;
}

void view_more_free(struct view_more *m)
{
	free(m->a);
	*m = (struct view_more){ NULL, 0 };
}

/* Actors the view has room for. */
static int view_room(const struct view *v)
{
	return TRACE_MAX_ACTORS + (v->more != NULL ? v->more->cap : 0);
}

struct view_actor *view_actor(struct view *v, int i)
{
	if (i < 0 || i >= v->nactors)
		return NULL;
	return i < TRACE_MAX_ACTORS ? &v->actors[i] : &v->more->a[i - TRACE_MAX_ACTORS];
}

const struct view_actor *view_actor_c(const struct view *v, int i)
{
	return view_actor((struct view *)v, i);
}

/* A slot before its actor appears: what view_reset always gave. */
static void actor_clear(struct view_actor *a)
{
	memset(a, 0, sizeof *a);
	a->mux_build = a->mux_enter = a->mux_exit = a->mux_scan = a->mux_interest = -1;
	a->last_ready_fd = -1;
	a->workq = -1;
}

void view_reset_more(struct view *v, const struct trace *t, struct view_more *more)
{
	const struct trace_hdr *h = trace_hdr_c(t);

	memset(v, 0, sizeof *v);
	v->t = t;
	v->more = more != NULL && more->cap > 0 ? more : NULL;
	v->recast = view_recast(t);
	v->step = -1;
	for (int i = 0; i < TRACE_MAX_ACTORS; i++) {    /* zeroed above */
		struct view_actor *a = &v->actors[i];

		a->mux_build = a->mux_enter = a->mux_exit = a->mux_scan = a->mux_interest = -1;
		a->last_ready_fd = -1;
		a->workq = -1;
	}
	v->nactors = h->nstart < view_room(v) ? h->nstart : view_room(v);
	for (int i = 0; i < v->nactors; i++) {
		if (i >= TRACE_MAX_ACTORS)       /* the caller's room: not zeroed */
			actor_clear(view_actor(v, i));
		actor_init(view_actor(v, i), &h->actors[i], 0);
	}
	v->caption[0] = v->caption[1] = "";
}

void view_reset(struct view *v, const struct trace *t)
{
	view_reset_more(v, t, NULL);
}

int view_queue_root(const struct view *v, int actor)
{
	const struct trace_hdr *h = v->t != NULL ? trace_hdr_c(v->t) : NULL;
	const struct view_actor *a = view_actor_c(v, actor), *p;

	if (h == NULL || a == NULL || !(a->caps & TRACE_CAP_QUEUE))
		return actor;
	/* parents come before their children: the walk ends */
	while (h->actors[actor].parent >= 0 && h->actors[actor].parent < actor &&
	       (p = view_actor_c(v, h->actors[actor].parent)) != NULL &&
	       (p->caps & TRACE_CAP_QUEUE))
		actor = h->actors[actor].parent;
	return actor;
}

long view_queue_at(const struct view *v, int actor)
{
	const struct view_actor *a = view_actor_c(v, view_queue_root(v, actor));

	return a != NULL ? a->workq : -1;
}

int64_t view_phase_since(const struct view_actor *a, int fd, int phase)
{
	for (int i = 0; i < VIEW_PHASES; i++)
		if (a->ph[i].phase == phase && a->ph[i].fd == fd)
			return a->ph[i].since;
	return -1;
}

static bool in(int64_t v, int64_t lo, int64_t hi)
{
	return v >= lo && v <= hi;
}

/* Descriptors are -1 (none) or more; the sampler's "fd" is a raw first
 * argument (a pointer, for poll), and a tag is only a name. */
static bool fds_ok(const struct trace_ev *ev)
{
	bool target = (ev->kind == TRACE_ENTER || ev->kind == TRACE_EXIT) &&
		      ev->call == TRACE_CALL_EPOLL_CTL;

	if (ev->kind != TRACE_STATE && ev->fd < -1)
		return false;
	if (target && ev->arg < -1)
		return false;
	for (int i = 0; i < ev->nfds && i < TRACE_FDS_INLINE; i++)
		if (ev->fd_list[i] < -1)
			return false;
	return true;
}

/* What the reader checks field by field (read_ev.c), as one test on the
 * struct, for traces that did not come from a file: every numeric bound of
 * trace/FORMAT.md. */
/* An actor's appearance, end and model change (never the world's). */
static inline bool life_ev_ok(const struct trace_ev *ev)
{
	if (ev->kind < TRACE_ACTOR)
		return true;
	if (ev->kind == TRACE_ACTOR)
		return ev->actor != TRACE_WORLD && ev->tid >= 0 && in(ev->pid, 0, TRACE_MAX_PID);
	if (ev->kind == TRACE_MODEL)
		return ev->actor != TRACE_WORLD && ev->model != NULL && ev->model[0] != '\0' &&
		       (ev->caps & ~(int32_t)TRACE_CAP_ALL) == 0;
	return true;
}

/* A select or poll enter's or exit's cost (TRACE_F_COST): no more fds
 * polled than it was handed, bytes within the counts' bound (none back
 * yet at the enter); select names its sets. */
static bool cost_ok(const struct trace_ev *ev)
{
	if (!(ev->flags & TRACE_F_COST))
		return true;
	if ((ev->kind != TRACE_EXIT && ev->kind != TRACE_ENTER) ||
	    (ev->call != TRACE_CALL_SELECT && ev->call != TRACE_CALL_POLL) ||
	    (ev->kind == TRACE_ENTER && ev->copied_out != 0))
		return false;
	return in(ev->polled, 0, ev->n) && ev->copied_in <= TRACE_MAX_COUNT &&
	       ev->copied_out <= TRACE_MAX_COUNT &&
	       (ev->call == TRACE_CALL_SELECT ?
		ev->sets != 0 && (ev->sets & ~TRACE_FDSET_ALL) == 0 : ev->sets == 0);
}

/* A work queue has a capacity, 1 or more, and holds at most that many
 * requests; no other set has one. */
static bool set_ok(const struct trace_ev *ev)
{
	if (ev->kind != TRACE_SET)
		return true;
	if (ev->what != TRACE_SET_WORKQ)
		return ev->arg == 0;
	return in(ev->arg, 1, TRACE_MAX_COUNT) && ev->n <= ev->arg;
}

/* Write interest marks only listed fds; an events mask only on epoll_ctl. */
static bool out_ok(const struct trace_ev *ev)
{
	if (ev->nfds <= TRACE_FDS_INLINE && (ev->outs >> ev->nfds) != 0)
		return false;
	if (!(ev->flags & TRACE_F_EVENTS))
		return true;
	return (ev->kind == TRACE_ENTER || ev->kind == TRACE_EXIT) &&
	       ev->call == TRACE_CALL_EPOLL_CTL && !(ev->flags & TRACE_F_COST) &&
	       (ev->sets & ~TRACE_EPEV_ALL) == 0;
}

/* Attach: an enter's or exit's kernel name of its call is a name
 * (trace_sysname_ok); a wait that holds its copy (whole) is a wait phase. */
static bool attach_ok(const struct trace_ev *ev)
{
	if ((ev->kind == TRACE_ENTER || ev->kind == TRACE_EXIT) && ev->syscall != NULL &&
	    !trace_sysname_ok(ev->syscall))
		return false;
	return !(ev->flags & TRACE_F_WHOLE) ||
	       (ev->kind == TRACE_PHASE && ev->phase == TRACE_PH_WAIT);
}

static bool ev_ok(int nactors, const struct trace_ev *ev)
{
	bool has_text = (ev->kind != TRACE_CAPTION && ev->kind != TRACE_NOTE &&
			 ev->kind != TRACE_MODEL) ||
			(ev->text[0] != NULL && ev->text[1] != NULL);
	bool has_names = ev->kind != TRACE_STATE ||
			 (ev->syscall != NULL && ev->wchan != NULL);

	return ev->kind > TRACE_NONE && ev->kind < TRACE_KIND_MAX &&
	       ev->actor < nactors &&
	       in(ev->t_ns, 0, TRACE_MAX_NS) && in(ev->dur_ns, 0, TRACE_MAX_NS) &&
	       in(ev->step, -1, TRACE_MAX_STEPS - 1) &&
	       in(ev->ret, TRACE_MIN_RET, TRACE_MAX_RET) &&
	       in(ev->n, 0, TRACE_MAX_COUNT) && ev->fds_more <= TRACE_MAX_COUNT &&
	       ev->nfds <= TRACE_FDS_INLINE && ev->call < TRACE_CALL_MAX &&
	       ev->phase < TRACE_PH_MAX &&
	       (ev->kind != TRACE_CONNECT || in(ev->arg, 0, nactors - 1)) &&
	       (ev->kind != TRACE_STATE || in(ev->pid, 0, TRACE_MAX_PID)) &&
	       (ev->kind != TRACE_REFUSE || ev->n >= 1) &&
	       (ev->kind != TRACE_DELIVER || ev->ret >= 0) &&
	       fds_ok(ev) && has_text && has_names && life_ev_ok(ev) && cost_ok(ev) &&
	       out_ok(ev) && set_ok(ev) && attach_ok(ev);
}

bool view_ev_ok(const struct trace *t, const struct trace_ev *ev)
{
	return ev_ok(trace_hdr_c(t)->nactors, ev);
}

/* A counter of fds in some state, and the wall time it was above zero.
 * Overlapping phases of many fds can add up past any one time, so the
 * total saturates rather than overflows. */
static void count(int *n, int64_t *from, int64_t *total, int delta, int64_t t)
{
	if (delta > 0 && (*n)++ == 0)
		*from = t;
	if (delta < 0 && *n > 0 && --(*n) == 0)
		*total = view_ns_add(*total, view_ns_between(*from, t));
}

static void slot_change(struct view_actor *a, struct view_phase *p, int delta, int64_t t)
{
	if (p->phase == TRACE_PH_WAIT)
		count(&a->nwait, &a->wait_from, &a->wait_ns, delta, t);
	else
		count(&a->ncopy, &a->copy_from, &a->copy_ns, delta, t);
	if (p->blocked)
		count(&a->nblocked, &a->blocked_from, &a->blocked_ns, delta, t);
}

static void summarize(struct view_actor *a)
{
	a->phase = a->ncopy > 0 ? TRACE_PH_COPY : a->nwait > 0 ? TRACE_PH_WAIT : 0;
	a->phase_blocked = a->nblocked > 0;
	a->phase_data = a->phase_whole = false;
	for (int i = 0; i < VIEW_PHASES; i++) {
		a->phase_data |= a->ph[i].phase == TRACE_PH_WAIT && a->ph[i].data;
		a->phase_whole |= a->ph[i].phase == TRACE_PH_WAIT && a->ph[i].whole;
	}
}

/* Data arrived on fd while the actor sleeps in a read of it: the wait is
 * over for the kernel; the phase's end edge follows when the reader has
 * woken, which on a busy machine can be a few events later. */
static void apply_arrive(struct view_actor *a, const struct trace_ev *ev)
{
	if (ev->ret <= 0 || a->call_fd != ev->fd ||
	    !trace_call_is_read(a->call))
		return;
	for (int i = 0; i < VIEW_PHASES; i++)
		if (a->ph[i].phase == TRACE_PH_WAIT && a->ph[i].fd == ev->fd && a->ph[i].blocked)
			a->ph[i].data = true;
	summarize(a);
}

static void apply_phase(struct view_actor *a, const struct trace_ev *ev)
{
	struct view_phase *p = NULL;

	for (int i = 0; i < VIEW_PHASES && p == NULL; i++)
		if (a->ph[i].phase != 0 && a->ph[i].fd == ev->fd)
			p = &a->ph[i];
	if (p != NULL)                    /* the fd's previous phase is over */
		slot_change(a, p, -1, ev->t_ns), p->phase = 0;
	if (!(ev->flags & TRACE_F_END)) {
		for (int i = 0; i < VIEW_PHASES && p == NULL; i++)
			if (a->ph[i].phase == 0)
				p = &a->ph[i];
		if (p != NULL) {
			*p = (struct view_phase){ .fd = ev->fd, .phase = ev->phase,
						 .blocked = ev->flags & TRACE_F_BLOCKED,
						 .whole = ev->flags & TRACE_F_WHOLE, .since = ev->t_ns };
			slot_change(a, p, +1, ev->t_ns);
		}
		if (ev->phase == TRACE_PH_WAIT)
			a->tries = 0;
	}
	if ((ev->flags & TRACE_F_WHOLE) && a->call != 0)
		a->call_whole = true;
	summarize(a);
}

static void apply_exit(struct view_actor *a, const struct trace_ev *ev)
{
	a->call = 0;
	a->call_sys = NULL;
	a->calls++;
	a->last_whole = a->call_whole;
	a->whole_reads += a->call_whole && trace_call_is_read(ev->call);
	a->call_whole = false;
	if (ev->err == EAGAIN)
		a->eagain++;
	if (ev->ret > 0 && trace_call_is_read(ev->call)) {
		a->reads++;
		a->bytes += (uint64_t)ev->ret;
	}
	if (ev->count > a->tries)
		a->tries = ev->count;
	a->accepts += ev->call == TRACE_CALL_ACCEPT && ev->ret >= 0;
	a->clones += ev->call == TRACE_CALL_CLONE && ev->ret >= 0;
	a->have_state = false;     /* the sample was of the call that ended */
}

static void ready_add(struct view_actor *a, int fd)
{
	for (int i = 0; i < a->nready; i++)
		if (a->ready[i] == fd)
			return;
	if (a->nready < TRACE_FDS_INLINE)
		a->ready[a->nready++] = fd;
}

/* epoll_wait handed these back: they left the ready list (level-triggered
 * ones with data left will be put back by the kernel, and reported again). */
static bool in_last_wait(const struct view_actor *a, int fd)
{
	for (int i = 0; i < a->nwait_fds; i++)
		if (a->wait_fds[i] == fd)
			return true;
	return false;
}

static void ready_take(struct view_actor *a, const struct trace_ev *ev)
{
	int nfds = ev->nfds < TRACE_FDS_INLINE ? ev->nfds : TRACE_FDS_INLINE;

	a->wait_exit_t = ev->t_ns;
	a->nwait_fds = nfds;
	for (int j = 0; j < nfds; j++)
		a->wait_fds[j] = ev->fd_list[j];
	for (int j = 0; j < nfds; j++)
		if (ev->fd_list[j] == a->last_ready_fd && a->last_taken_t < 0)
			a->last_taken_t = ev->t_ns;
	for (int j = 0; j < nfds; j++)
		for (int i = 0; i < a->nready; i++)
			if (a->ready[i] == ev->fd_list[j]) {
				a->ready[i] = a->ready[--a->nready];
				break;
			}
}

static void apply_mux(struct view_actor *a, const struct trace_ev *ev, long at)
{
	if (ev->kind == TRACE_ENTER && trace_call_is_wait(ev->call))
		a->mux_enter = at;
	else if (ev->kind == TRACE_EXIT && trace_call_is_wait(ev->call)) {
		a->mux_exit = at;
		if (ev->call == TRACE_CALL_EPOLL_WAIT)
			ready_take(a, ev);
	} else if (ev->kind == TRACE_SET && ev->what == TRACE_SET_BUILD)
		a->mux_build = at;
	else if (ev->kind == TRACE_SET && ev->what == TRACE_SET_SCAN)
		a->mux_scan = at;
	else if (ev->kind == TRACE_SET && ev->what == TRACE_SET_INTEREST)
		a->mux_interest = at;
	else if (ev->kind == TRACE_READY) {
		bool taken = ev->t_ns <= a->wait_exit_t && in_last_wait(a, ev->fd);

		if (!taken)
			ready_add(a, ev->fd);
		a->last_ready_fd = ev->fd;
		a->last_ready_t = ev->t_ns;
		a->last_taken_t = taken ? a->wait_exit_t : -1;
	}
}

/* ---- captions and the cast ---- */

static bool recast_actor(const struct trace_actor *a)
{
	return a->script != NULL && a->script[0] != '\0' && a->model != NULL &&
	       a->model[0] != '\0' && strcmp(a->script, a->model) != 0;
}

uint64_t view_recast(const struct trace *t)
{
	const struct trace_hdr *h = trace_hdr_c(t);
	uint64_t m = 0;

	for (int i = 1; i < h->nactors && i < TRACE_MAX_ACTORS; i++)
		if (recast_actor(&h->actors[i]))
			m |= UINT64_C(1) << i;
	return m;
}

static bool word_byte(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

static bool names_word(const char *text, const char *name)
{
	size_t n = strlen(name);

	if (n == 0)
		return false;
	for (const char *p = text; (p = strstr(p, name)) != NULL; p++)
		if ((p == text || !word_byte(p[-1])) && !word_byte(p[n]))
			return true;
	return false;
}

uint64_t view_caption_names(const struct trace *t, const struct trace_ev *ev)
{
	const struct trace_hdr *h = trace_hdr_c(t);
	const char *text = ev->text[1] != NULL && ev->text[1][0] != '\0' ? ev->text[1] : ev->text[0];
	uint64_t m = 0;

	if (ev->kind != TRACE_CAPTION || text == NULL)
		return 0;
	for (int i = 1; i < h->nactors && i < TRACE_MAX_ACTORS; i++)
		if (h->actors[i].model != NULL && h->actors[i].model[0] != '\0' &&
		    names_word(text, h->actors[i].name))
			m |= UINT64_C(1) << i;
	return m;
}

const char *view_caption(const struct view *v, int lang)
{
	int l = lang == 1;
	const char *c = v->about ? v->cast_words[l] : v->caption[l];

	if (c == NULL || *c == '\0')
		c = v->about ? v->cast_words[0] : v->caption[0];
	return c != NULL ? c : "";
}

/* The events that change what the cast words say of an actor. */
static bool cast_changes(const struct view *v, const struct trace_ev *ev)
{
	if (v->about == 0 || !(v->named >> ev->actor & 1))
		return false;
	switch (ev->kind) {
	case TRACE_ENTER: case TRACE_EXIT: case TRACE_PHASE: case TRACE_IDLE:
	case TRACE_DONE: case TRACE_COMPLETE: case TRACE_SUBMIT:
		return true;
	}
	return false;
}

const struct trace_caption *view_cast_caption(const struct trace *t, int step)
{
	const struct trace_hdr *h = trace_hdr_c(t);

	for (int i = 0; step >= 0 && i < h->ncaptions && i < TRACE_MAX_CAST_CAPTIONS; i++)
		if (h->captions[i].step == step)
			return &h->captions[i];
	return NULL;
}

/* Caption event ev's words, en and zh: the scenario's own for this run's
 * model, else the event's; *named: the actors those name (none for the
 * scenario's own, which describe the model that ran). */
static const char *const *caption_text(const struct view *v, const struct trace_ev *ev,
				       uint64_t *named)
{
	const struct trace_caption *c = v->t != NULL ? view_cast_caption(v->t, ev->step) : NULL;

	*named = v->t != NULL && c == NULL ? view_caption_names(v->t, ev) : 0;
	return c != NULL ? c->text : ev->text;
}

static void caption_apply(struct view *v, const struct trace_ev *ev)
{
	const char *const *text = caption_text(v, ev, &v->named);

	v->about = v->named & v->recast;
	v->caption[0] = text[0];
	v->caption[1] = text[1];
	v->cast_stale = v->about != 0;
}

const char *view_caption_of(const struct view *v, const struct trace_ev *ev, int lang,
			    char *buf, size_t len)
{
	uint64_t named;
	const char *const *text = caption_text(v, ev, &named);
	int l = lang == 1;

	if ((named & v->recast) != 0) {
		view_cast_words(v, named, l, buf, len);
		return buf;
	}
	return *text[l] ? text[l] : text[0];
}

/* Words are made once per view_apply or view_fold, not per event. */
static void cast_refresh(struct view *v)
{
	if (!v->cast_stale)
		return;
	v->cast_stale = false;
	for (int l = 0; l < 2; l++) {
		view_cast_words(v, v->named, l, v->cast_words[l], sizeof v->cast_words[l]);
		v->caption[l] = v->cast_words[l];
	}
}

/* An actor appears, leaves or changes its model.  Actors appear in the
 * order of the header's table (trace_append sees to it), so the one that
 * begins is the next one, v->nactors. */
static void apply_life(struct view_actor *a, const struct trace_ev *ev)
{
	if (ev->kind == TRACE_MODEL) {
		a->model = ev->model;
		a->caps = (unsigned)ev->caps;
	} else if (ev->flags & TRACE_F_END) {
		a->gone = true;
		a->until = ev->t_ns;
	} else {
		a->pid = ev->pid;
		a->tid = ev->tid;
	}
}

/* A begin makes room for its actor before the event is judged. */
static void appear(struct view *v, const struct trace_ev *ev)
{
	const struct trace_hdr *h = v->t != NULL ? trace_hdr_c(v->t) : NULL;

	if (ev->kind != TRACE_ACTOR || (ev->flags & TRACE_F_END) || h == NULL ||
	    ev->actor != v->nactors || v->nactors >= h->nactors ||
	    v->nactors >= view_room(v))
		return;
	v->nactors++;
	actor_clear(view_actor(v, v->nactors - 1));
	actor_init(view_actor(v, v->nactors - 1), &h->actors[v->nactors - 1], ev->t_ns);
}

static void apply(struct view *v, const struct trace_ev *ev)
{
	struct view_actor *a;

	if (ev->kind == TRACE_ACTOR)
		appear(v, ev);
	if (!ev_ok(v->nactors, ev)) {
		v->n++;              /* the cursor still moves past it */
		return;
	}
	a = view_actor(v, ev->actor);      /* ev_ok: < nactors */
	apply_mux(a, ev, (long)v->n);
	if (ev->kind == TRACE_SET && ev->what == TRACE_SET_WORKQ)
		view_actor(v, view_queue_root(v, ev->actor))->workq = (long)v->n;
	v->n++;
	v->t_ns = ev->t_ns;
	if (ev->step >= 0 && ev->step > v->step)
		v->step = ev->step;
	switch (ev->kind) {
	case TRACE_ENTER:
		a->call = ev->call;
		a->call_fd = ev->fd;
		a->call_since = ev->t_ns;
		a->call_sys = ev->syscall;
		a->call_whole = false;
		if (ev->call == TRACE_CALL_SELECT || ev->call == TRACE_CALL_POLL) {
			a->pend_in = (uint64_t)(ev->n > 0 ? ev->n : 0);
			a->pend_cost = ev->flags & TRACE_F_COST;   /* what goes in, once per call */
			a->pend_polled = a->pend_cost ? (uint32_t)ev->polled : 0;
			a->pend_copied = a->pend_cost ? ev->copied_in : 0;
		} else if (ev->call == TRACE_CALL_EPOLL_CTL) {
			a->handed_in++;
		}
		break;
	case TRACE_EXIT:
		apply_exit(a, ev);
		if (trace_call_is_wait(ev->call)) {
			a->waits++;
			a->checked += (uint64_t)(ev->n > 0 ? ev->n : 0);
			a->handed_in += a->pend_in;
			a->costed += a->pend_cost;
			a->polled += a->pend_polled;
			a->copied_in += a->pend_copied;
			a->pend_in = a->pend_copied = a->pend_polled = 0;
			a->pend_cost = false;
		}
		if (ev->flags & TRACE_F_COST)
			a->copied_out += ev->copied_out;
		break;
	case TRACE_SET:
		if (ev->what == TRACE_SET_SCAN)
			a->scanned += (uint64_t)(ev->n > 0 ? ev->n : 0);
		break;
	case TRACE_REFUSE:
		a->refused = true;
		break;
	case TRACE_COMPLETE:            /* asynchronous: the data came with it */
		a->have_helper = false;
		if (ev->ret > 0) {
			a->reads++;
			a->bytes += (uint64_t)ev->ret;
		}
		break;
	case TRACE_PHASE:
		apply_phase(a, ev);
		break;
	case TRACE_ARRIVE:
		if (ev->ret > 0)
			a->arrived += (uint64_t)ev->ret;
		apply_arrive(a, ev);
		break;
	case TRACE_STATE:
		if (ev->what == 1) {
			a->have_helper = true;
			a->helper_state = ev->state;
			a->helper_syscall = ev->syscall;
			a->helper_wchan = ev->wchan;
			a->helper_tid = ev->tid;
			break;
		}
		a->have_state = true;
		a->state = ev->state;
		a->syscall = ev->syscall;
		a->wchan = ev->wchan;
		a->tid = ev->tid;
		if (ev->pid != 0)
			a->pid = ev->pid;
		a->state_t = ev->t_ns;
		break;
	case TRACE_CAPTION:
		caption_apply(v, ev);
		break;
	case TRACE_IDLE:
		a->idle = !(ev->flags & TRACE_F_END);
		if (a->idle) {
			a->idle_since = ev->t_ns;
			a->idles++;
		}
		break;
	case TRACE_LOST:
		v->lost += ev->count;
		break;
	case TRACE_DONE:
		a->done = true;
		a->status = ev->ret;
		break;
	case TRACE_ACTOR:
	case TRACE_MODEL:
		apply_life(a, ev);
		break;
	}
	if (cast_changes(v, ev))
		v->cast_stale = true;
}

void view_apply(struct view *v, const struct trace_ev *ev)
{
	apply(v, ev);
	cast_refresh(v);
}

void view_fold(struct view *v, const struct trace *t, size_t n)
{
	view_fold_more(v, t, n, NULL);
}

void view_fold_more(struct view *v, const struct trace *t, size_t n,
		    struct view_more *more)
{
	view_reset_more(v, t, more);
	view_fold_on(v, n);
}

void view_fold_on(struct view *v, size_t n)
{
	size_t count = v->t != NULL ? trace_count(v->t) : 0;

	for (size_t i = v->n; i < n && i < count; i++)
		apply(v, trace_at(v->t, i));
	cast_refresh(v);
}

/* ---- packed copies ---- */

/* A packed view: the view's fields but its actors (its first bytes up to
 * actors, and from more on); where caption[l] points into its own
 * cast_words, the offset (else -1); then its nactors actors. */
struct packed {
	unsigned char head[offsetof(struct view, actors)];
	unsigned char tail[sizeof(struct view) - offsetof(struct view, more)];
	ptrdiff_t words_at[2];
	struct view_actor actors[];
};

size_t view_pack_size(const struct view *v)
{
	return sizeof(struct packed) + (size_t)v->nactors * sizeof(struct view_actor);
}

void view_pack(const struct view *v, void *buf)
{
	struct packed *p = buf;

	memcpy(p->head, v, sizeof p->head);
	memcpy(p->tail, &v->more, sizeof p->tail);
	for (int l = 0; l < 2; l++) {
		const char *c = v->caption[l], *w = v->cast_words[l];

		p->words_at[l] = c >= w && c < w + VIEW_CAST_WORDS ? c - w : -1;
	}
	for (int i = 0; i < v->nactors; i++)
		p->actors[i] = *view_actor_c(v, i);
}

int view_unpack(struct view *v, const void *buf, struct view_more *more)
{
	const struct packed *p = buf;
	int room = TRACE_MAX_ACTORS + (more != NULL ? more->cap : 0);
	int nactors;

	memcpy(&nactors, p->head + offsetof(struct view, nactors), sizeof nactors);
	if (nactors < 0 || nactors > room)
		return -ENOSPC;
	memcpy(v, p->head, sizeof p->head);
	memcpy(&v->more, p->tail, sizeof p->tail);
	v->more = more != NULL && more->cap > 0 ? more : NULL;
	for (int i = 0; i < nactors; i++)
		*view_actor(v, i) = p->actors[i];
	for (int i = nactors; i < TRACE_MAX_ACTORS; i++)   /* as view_reset leaves them */
		actor_clear(&v->actors[i]);
	for (int l = 0; l < 2; l++)
		if (p->words_at[l] >= 0)
			v->caption[l] = v->cast_words[l] + p->words_at[l];
	return 0;
}

int view_copy(struct view *dst, const struct view *src, struct view_more *more)
{
	int room = TRACE_MAX_ACTORS + (more != NULL ? more->cap : 0);

	if (src->nactors > room)
		return -ENOSPC;
	memcpy(dst, src, offsetof(struct view, actors));
	memcpy(&dst->more, &src->more, sizeof(struct view) - offsetof(struct view, more));
	dst->more = more != NULL && more->cap > 0 ? more : NULL;
	for (int i = 0; i < src->nactors; i++)
		*view_actor(dst, i) = *view_actor_c(src, i);
	for (int l = 0; l < 2; l++) {
		const char *c = src->caption[l], *w = src->cast_words[l];

		if (c >= w && c < w + VIEW_CAST_WORDS)
			dst->caption[l] = dst->cast_words[l] + (c - w);
	}
	return 0;
}
