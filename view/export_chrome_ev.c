/* export_chrome_ev.c: trace events to the Chrome exporter's records: a
 * span per enter/exit, phase, idle or submit/complete pair, an instant for
 * the rest, and what each event makes ready is handed on (export__settle):
 * written at once, or to its track's lane (export_chrome_track.c).  The
 * first pass chose the phases' tracks (export_chrome_place.c).
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "trace/file.h"
#include "view/export_chrome_int.h"

/* ---- building records ---- */

void export__set(struct chrome *c, json_t *o, const char *key, json_t *v)
{
	if (o == NULL || v == NULL || json_object_set_new(o, key, v) != 0) {
		json_decref(v);
		if (c->rc == 0)
			c->rc = -ENOMEM;
	}
}

void export__set_int(struct chrome *c, json_t *o, const char *key, int64_t v)
{
	export__set(c, o, key, json_integer((json_int_t)v));
}

void export__set_str(struct chrome *c, json_t *o, const char *key, const char *s)
{
	json_t *v = json_string(s != NULL ? s : "");

	if (v == NULL && c->rc == 0)
		c->rc = -EINVAL;     /* not UTF-8: the reader would not have read it */
	export__set(c, o, key, v);
}

static json_t *fds_json(const struct trace_ev *ev)
{
	json_t *a = json_array();

	for (int i = 0; a != NULL && i < ev->nfds && i < TRACE_FDS_INLINE; i++)
		json_array_append_new(a, json_integer(ev->fd_list[i]));
	return a;
}

void *export__grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 8;
	void *q;

	if (need <= *cap && p != NULL)
		return p;
	while (n < need)
		n *= 2;
	if (n > SIZE_MAX / size || (q = realloc(p, n * size)) == NULL)
		return NULL;
	*cap = n;
	return q;
}

static void touch(struct chrome *c, int what, size_t i)
{
	void *room;

	room = export__grow(c->touched, &c->captouched, c->ntouched + 1, sizeof *c->touched);
	if (room == NULL) {
		c->rc = -ENOMEM;
		return;
	}
	c->touched = room;
	c->touched[c->ntouched++] = (struct touch){ (uint8_t)what, i };
}

/* A slot of the pool: a freed one, or a new one at the end. */
static size_t rec_slot(struct chrome *c)
{
	void *recs, *spare;

	if (c->nfree > 0)
		return c->free[--c->nfree];
	/* The free list gets room for every slot with it: freeing never fails. */
	if ((recs = export__grow(c->recs, &c->cap, c->n + 1, sizeof *c->recs)) != NULL)
		c->recs = recs;
	if ((spare = export__grow(c->free, &c->capfree, c->n + 1, sizeof *c->free)) != NULL)
		c->free = spare;
	if (recs == NULL || spare == NULL) {
		c->rc = -ENOMEM;
		return NO_REC;
	}
	return c->n++;
}

void export__rec_free(struct chrome *c, size_t i)
{
	json_decref(c->recs[i].args);
	json_decref(c->recs[i].end_args);
	c->recs[i].args = c->recs[i].end_args = NULL;
	c->free[c->nfree++] = i;
}

/* A new record at ts; returns its index, or NO_REC with c->rc set. */
static size_t rec_new(struct chrome *c, char ph, int actor, int tid, int64_t ts,
		      const char *cat, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static size_t rec_new(struct chrome *c, char ph, int actor, int tid, int64_t ts,
		      const char *cat, const char *fmt, ...)
{
	size_t i = rec_slot(c);
	struct rec *r;
	va_list ap;

	if (i == NO_REC)
		return NO_REC;
	r = &c->recs[i];
	*r = (struct rec){ .ph = ph, .actor = (uint16_t)actor, .fd = -1, .tid = tid,
			   .ts = ts, .end = ph == 'i' || ph == 'C' ? ts : -1, .seq = c->nrec++, .cat = cat,
			   .args = json_object() };
	va_start(ap, fmt);
	vsnprintf(r->name, sizeof r->name, fmt, ap);
	va_end(ap);
	file_cause_cut(r->name, sizeof r->name);   /* never half a character */
	if (r->args == NULL)
		c->rc = -ENOMEM;
	touch(c, TOUCH_NEW, i);
	if (c->n - c->nfree > c->st.recs_peak)
		c->st.recs_peak = c->n - c->nfree;
	return i;
}

static json_t *args_of(struct chrome *c, size_t i)
{
	return i == NO_REC ? NULL : c->recs[i].args;
}

/* Record i ends at end (not before its start). */
static void rec_close(struct chrome *c, size_t i, int64_t end)
{
	struct rec *r = &c->recs[i];

	r->end = end > r->ts ? end : r->ts;
	r->closed = true;
	touch(c, TOUCH_CLOSED, i);
}

static void open_push(struct chrome *c, int kind, int actor, int key, int key2, size_t rec)
{
	struct actor_lanes *al = &c->lanes[actor];
	void *room;

	if (rec == NO_REC)
		return;
	room = export__grow(al->open, &al->capopen, al->nopen + 1, sizeof *al->open);
	if (room == NULL) {
		c->rc = -ENOMEM;
		return;
	}
	al->open = room;
	al->open[al->nopen++] = (struct open){ (uint8_t)kind, key, key2, rec };
	if (++c->nopen_all > c->st.open_peak)
		c->st.open_peak = c->nopen_all;
}

/* Take the latest open begin with this key (key < 0 matches any); its
 * record's index, or NO_REC when there is none. */
static size_t open_take(struct chrome *c, int kind, int actor, int key, int key2)
{
	struct actor_lanes *al = &c->lanes[actor];

	for (size_t i = al->nopen; i-- > 0;) {
		struct open *o = &al->open[i];

		if (o->kind == kind && (key < 0 || o->key == key) && o->key2 == key2) {
			size_t rec = o->rec;

			memmove(o, o + 1, (--al->nopen - i) * sizeof *o);
			c->nopen_all--;
			return rec;
		}
	}
	return NO_REC;
}

void export__unfinished(struct chrome *c, size_t i, int64_t end)
{
	struct rec *r = &c->recs[i];

	export__set(c, r->ph == 'b' ? (r->end_args = json_object()) : r->args, "unfinished",
		    json_true());
	c->unfinished++;
	rec_close(c, i, end);
}

/* Begins never ended (a run stopped while waiting) end with the trace. */
void export__end_all(struct chrome *c)
{
	int nactors = trace_hdr_c(c->t)->nactors;

	for (int a = 0; a < nactors && c->rc == 0; a++) {
		struct actor_lanes *al = &c->lanes[a];

		while (al->nopen > 0 && c->rc == 0) {
			size_t rec = al->open[--al->nopen].rec;

			c->nopen_all--;
			export__unfinished(c, rec, c->last_t);
			export__settle(c);
		}
	}
}

/* What the event made or ended: an instant goes out at once, so does an
 * async begin (its end when it ends); a span waits in its track's lane. */
void export__settle(struct chrome *c)
{
	for (size_t k = 0; k < c->ntouched && c->rc == 0; k++) {
		size_t i = c->touched[k].rec;
		struct rec *r = &c->recs[i];

		if (c->touched[k].what == TOUCH_NEW) {
			if (r->ph == 'i' || r->ph == 'C') {
				export__put_rec(c, r, r->ph);
				export__rec_free(c, i);
			} else if (r->ph == 'b') {
				export__put_rec(c, r, 'b');
			} else if (!r->closed) {
				export__lane_open(c, export__lane_of(c, r), i);
			}
		} else if (r->ph == 'b') {
			export__put_rec(c, r, 'e');
			export__rec_free(c, i);
		} else {
			export__lane_close(c, export__lane_of(c, r), i);
		}
	}
	c->ntouched = 0;
}

/* ---- events to records ---- */

static const char *phase_name(int phase, bool blocked, bool whole)
{
	if (phase == TRACE_PH_WAIT && whole)     /* a traced program's blocking read */
		return "phase 1 and 2: wait + copy, one span (blocked)";
	if (phase == TRACE_PH_WAIT)
		return blocked ? "phase 1: wait (blocked)" : "phase 1: wait (not blocked)";
	return blocked ? "phase 2: copy (blocked)" : "phase 2: copy (not blocked)";
}

/* The span's name: the kernel's own (a traced program's "pselect6"), and
 * the family beside it in args. */
static const char *call_span_name(const struct trace_ev *ev)
{
	if (ev->syscall != NULL)
		return ev->syscall;
	return trace_call_name(ev->call) ? trace_call_name(ev->call) : "call";
}

static void call_sys_args(struct chrome *c, size_t i, const struct trace_ev *ev)
{
	if (ev->syscall != NULL && trace_call_name(ev->call) != NULL)
		export__set_str(c, args_of(c, i), "call", trace_call_name(ev->call));
}

static void call_enter(struct chrome *c, const struct trace_ev *ev)
{
	size_t old = open_take(c, OPEN_CALL, ev->actor, -1, 0), i;

	if (old != NO_REC)
		export__unfinished(c, old, ev->t_ns);     /* an enter with no exit */
	i = rec_new(c, 'X', ev->actor, export__tid_thread(ev->actor), ev->t_ns, "syscall", "%s",
		    call_span_name(ev));
	call_sys_args(c, i, ev);
	export__set_int(c, args_of(c, i), "fd", ev->fd);
	if (ev->call == TRACE_CALL_SELECT || ev->call == TRACE_CALL_POLL) {
		export__set_int(c, args_of(c, i), "nfds", ev->n);
		export__set(c, args_of(c, i), "fds", fds_json(ev));
	}
	open_push(c, OPEN_CALL, ev->actor, ev->call, 0, i);
}

static void call_exit(struct chrome *c, const struct trace_ev *ev)
{
	size_t i = open_take(c, OPEN_CALL, ev->actor, ev->call, 0);
	json_t *a;

	if (i == NO_REC) {                /* its enter was lost */
		int64_t ts = ev->t_ns - ev->dur_ns;

		i = rec_new(c, 'X', ev->actor, export__tid_thread(ev->actor), ts > 0 ? ts : 0,
			    "syscall", "%s", call_span_name(ev));
		call_sys_args(c, i, ev);
		export__set(c, args_of(c, i), "enter_missing", json_true());
		export__set_int(c, args_of(c, i), "fd", ev->fd);
	}
	if (i == NO_REC)
		return;
	rec_close(c, i, ev->t_ns);
	a = c->recs[i].args;
	export__set_int(c, a, "ret", ev->ret);
	if (ev->err != 0)
		export__set_str(c, a, "errno", trace_errno_name(ev->err));
	if (ev->count > 0)
		export__set_int(c, a, "try", ev->count);
	export__set_int(c, a, "dur_ns", ev->dur_ns);
	if (ev->call == TRACE_CALL_SELECT || ev->call == TRACE_CALL_POLL ||
	    ev->call == TRACE_CALL_EPOLL_WAIT) {
		export__set_int(c, a, "checked", ev->n);
		export__set(c, a, "ready_fds", fds_json(ev));
	}
}

static void on_phase(struct chrome *c, const struct trace_ev *ev)
{
	bool blocked = ev->flags & TRACE_F_BLOCKED, whole = ev->flags & TRACE_F_WHOLE;
	size_t i = open_take(c, OPEN_PHASE, ev->actor, ev->fd, ev->phase);

	if (!(ev->flags & TRACE_F_END)) {
		/* Past FD_TRACKS overlapping fds: an async span, which never clashes. */
		int tid = export__phase_tid(c, ev->actor, ev->fd);

		if (i != NO_REC)
			export__unfinished(c, i, ev->t_ns);   /* begun twice */
		i = rec_new(c, tid >= 0 ? 'X' : 'b', ev->actor,
			    tid >= 0 ? tid : export__tid_kernel(ev->actor), ev->t_ns, "phase", "%s",
			    phase_name(ev->phase, blocked, whole));
		if (i == NO_REC)
			return;
		if (tid < 0)
			c->recs[i].id = ++c->next_id;
		c->recs[i].fd = ev->fd;
		export__set_int(c, c->recs[i].args, "fd", ev->fd);
		export__set(c, c->recs[i].args, "blocked", json_boolean(blocked));
		if (whole)
			export__set(c, c->recs[i].args, "whole", json_true());
		open_push(c, OPEN_PHASE, ev->actor, ev->fd, ev->phase, i);
	} else if (i != NO_REC) {
		rec_close(c, i, ev->t_ns);
	} else {                              /* an end with no begin */
		i = rec_new(c, 'i', ev->actor, export__tid_kernel(ev->actor), ev->t_ns, "phase",
			    "%s ends", phase_name(ev->phase, blocked, whole));
		export__set_int(c, args_of(c, i), "fd", ev->fd);
		export__set(c, args_of(c, i), "begin_missing", json_true());
	}
}

static void on_idle(struct chrome *c, const struct trace_ev *ev)
{
	size_t i = open_take(c, OPEN_IDLE, ev->actor, 0, 0);

	if (!(ev->flags & TRACE_F_END)) {
		if (i != NO_REC)
			export__unfinished(c, i, ev->t_ns);
		i = rec_new(c, 'X', ev->actor, export__tid_thread(ev->actor), ev->t_ns, "idle",
			    "other work");
		if (ev->count > 0)
			export__set_int(c, args_of(c, i), "after_try", ev->count);
		open_push(c, OPEN_IDLE, ev->actor, 0, 0, i);
		return;
	}
	if (i == NO_REC) {
		int64_t ts = ev->t_ns - ev->dur_ns;

		i = rec_new(c, 'X', ev->actor, export__tid_thread(ev->actor), ts > 0 ? ts : 0, "idle",
			    "other work");
		export__set(c, args_of(c, i), "begin_missing", json_true());
	}
	if (i == NO_REC)
		return;
	rec_close(c, i, ev->t_ns);
	export__set_int(c, c->recs[i].args, "dur_ns", ev->dur_ns);
}

static void on_async(struct chrome *c, const struct trace_ev *ev)
{
	size_t i;

	if (ev->kind == TRACE_SUBMIT) {
		i = rec_new(c, 'b', ev->actor, export__tid_thread(ev->actor), ev->t_ns, "async io",
			    "read fd %d (request %d)", ev->fd, ev->arg);
		if (i == NO_REC)
			return;
		c->recs[i].id = ++c->next_id;
		export__set_int(c, c->recs[i].args, "fd", ev->fd);
		export__set_int(c, c->recs[i].args, "tag", ev->arg);
		export__set_int(c, c->recs[i].args, "in_flight", ev->n);
		open_push(c, OPEN_ASYNC, ev->actor, 0, ev->arg, i);
		return;
	}
	if ((i = open_take(c, OPEN_ASYNC, ev->actor, 0, ev->arg)) != NO_REC) {
		rec_close(c, i, ev->t_ns);
		c->recs[i].end_args = json_object();
	} else {
		i = rec_new(c, 'i', ev->actor, export__tid_thread(ev->actor), ev->t_ns, "async io",
			    "completion of request %d (no submit seen)", ev->arg);
		if (i == NO_REC)
			return;
		c->recs[i].end_args = json_incref(c->recs[i].args);
	}
	export__set_int(c, c->recs[i].end_args, "ret", ev->ret);
	if (ev->ret < 0)
		export__set_str(c, c->recs[i].end_args, "errno", trace_errno_name((int)-ev->ret));
	export__set_int(c, c->recs[i].end_args, "waiting", ev->n);
}

static const char *actor(const struct chrome *c, int a)
{
	const struct trace_hdr *h = trace_hdr_c(c->t);

	return a < h->nactors ? h->actors[a].name : "?";
}

/* The world's events, on the world's track. */
static void on_world(struct chrome *c, const struct trace_ev *ev)
{
	int w = export__tid_thread(TRACE_WORLD);
	size_t i;

	switch (ev->kind) {
	case TRACE_CAPTION:
		i = rec_new(c, 'i', TRACE_WORLD, w, ev->t_ns, "world", "caption");
		export__set_str(c, args_of(c, i), "en", ev->text[0]);
		export__set_str(c, args_of(c, i), "zh", ev->text[1]);
		break;
	case TRACE_ARRIVE:
		i = rec_new(c, 'i', TRACE_WORLD, w, ev->t_ns, "world", "arrive: %lld bytes for %s fd %d",
			    (long long)ev->ret, actor(c, ev->actor), ev->fd);
		export__set_int(c, args_of(c, i), "bytes", ev->ret);
		break;
	case TRACE_CLOSE:
		i = rec_new(c, 'i', TRACE_WORLD, w, ev->t_ns, "world", "close%s: %s fd %d",
			    ev->what ? " (reset)" : "", actor(c, ev->actor), ev->fd);
		if (ev->what)
			export__set(c, args_of(c, i), "abrupt", json_true());
		break;
	case TRACE_CONNECT:
		i = rec_new(c, 'i', TRACE_WORLD, w, ev->t_ns, "world", "connect: %s to %s",
			    actor(c, ev->actor), actor(c, ev->arg));
		export__set_str(c, args_of(c, i), "server", actor(c, ev->arg));
		break;
	default:          /* TRACE_DELIVER */
		i = rec_new(c, 'i', TRACE_WORLD, w, ev->t_ns, "world", "deliver: %lld bytes to %s",
			    (long long)ev->ret, actor(c, ev->actor));
		export__set_int(c, args_of(c, i), "bytes", ev->ret);
		break;
	}
	export__set_str(c, args_of(c, i), "actor", actor(c, ev->actor));
	export__set_int(c, args_of(c, i), "fd", ev->fd);
	if (ev->step >= 0)
		export__set_int(c, args_of(c, i), "step", ev->step);
}

static void on_state(struct chrome *c, const struct trace_ev *ev)
{
	size_t i = rec_new(c, 'i', ev->actor, export__tid_kernel(ev->actor), ev->t_ns, "state",
			   "state %c", ev->state);
	char s[2] = { ev->state, '\0' };

	export__set_str(c, args_of(c, i), "state", s);
	export__set_str(c, args_of(c, i), "syscall", ev->syscall);
	export__set_str(c, args_of(c, i), "wchan", ev->wchan);
	export__set_int(c, args_of(c, i), "tid", ev->tid);
	if (ev->pid > 0)
		export__set_int(c, args_of(c, i), "pid", ev->pid);
	export__set_int(c, args_of(c, i), "fd", ev->fd);
	if (ev->what)
		export__set(c, args_of(c, i), "helper", json_true());
}

static const char *signal_name(int signo, char *buf, size_t len)
{
	const char *abbrev = signo > 0 && signo < SIGRTMIN ? sigabbrev_np(signo) : NULL;

	if (abbrev != NULL)
		snprintf(buf, len, "SIG%s", abbrev);
	else if (signo >= SIGRTMIN && signo <= SIGRTMAX)
		snprintf(buf, len, signo == SIGRTMIN ? "SIGRTMIN" : "SIGRTMIN+%d", signo - SIGRTMIN);
	else
		snprintf(buf, len, "signal %d", signo);
	return buf;
}

/* An actor appears (its tracks begin with this instant), leaves, or
 * changes its model: instants on its thread's track, cat "actor". */
static void on_life(struct chrome *c, const struct trace_ev *ev)
{
	const struct trace_actor *a = &trace_hdr_c(c->t)->actors[ev->actor];
	int th = export__tid_thread(ev->actor);
	size_t i;

	if (ev->kind == TRACE_MODEL) {
		i = rec_new(c, 'i', ev->actor, th, ev->t_ns, "actor", "model: %s", ev->model);
		export__set_str(c, args_of(c, i), "model", ev->model);
		export__set_str(c, args_of(c, i), "en", ev->text[0]);
		export__set_str(c, args_of(c, i), "zh", ev->text[1]);
		return;
	}
	if (ev->flags & TRACE_F_END) {
		rec_new(c, 'i', ev->actor, th, ev->t_ns, "actor", "leaves");
		return;
	}
	i = rec_new(c, 'i', ev->actor, th, ev->t_ns, "actor", "appears");
	export__set_str(c, args_of(c, i), "model", a->model);
	if (a->parent >= 0)
		export__set_str(c, args_of(c, i), "parent", actor(c, a->parent));
	if (ev->tid > 0)
		export__set_int(c, args_of(c, i), "tid", ev->tid);
	if (ev->pid > 0)
		export__set_int(c, args_of(c, i), "pid", ev->pid);
}

/* A work queue's depth as a counter track of its own, named by the
 * actor that owns the queue (a worker's set counts on its server's), so
 * Perfetto draws it as a graph over time: "queue S", with "requests"
 * and its "max" (a flat line, the capacity). */
static void workq_counter(struct chrome *c, const struct trace_ev *ev)
{
	const struct trace_hdr *h = trace_hdr_c(c->t);
	int root = ev->actor;
	size_t i;

	while (h->actors[root].parent >= 0 && h->actors[root].parent < root &&
	       (h->actors[root].caps & TRACE_CAP_QUEUE) &&
	       (h->actors[h->actors[root].parent].caps & TRACE_CAP_QUEUE))
		root = h->actors[root].parent;
	i = rec_new(c, 'C', ev->actor, export__tid_thread(root), ev->t_ns, "queue", "queue %s",
		    actor(c, root));
	export__set_int(c, args_of(c, i), "requests", ev->n);
	export__set_int(c, args_of(c, i), "max", ev->arg);
}

/* What a program does or is told in user space: instants on its thread;
 * what the kernel holds (ready list, interest list): on its kernel track. */
static void on_other(struct chrome *c, const struct trace_ev *ev)
{
	int th = export__tid_thread(ev->actor), k = export__tid_kernel(ev->actor), a = ev->actor;
	char sig[32];
	size_t i;

	switch (ev->kind) {
	case TRACE_SET:
		if (ev->what == TRACE_SET_WORKQ)
			workq_counter(c, ev);
		i = rec_new(c, 'i', a, ev->what == TRACE_SET_INTEREST ? k : th, ev->t_ns, "mux",
			    "set %s", trace_set_name(ev->what) ? trace_set_name(ev->what) : "?");
		export__set_int(c, args_of(c, i), "n", ev->n);
		export__set(c, args_of(c, i), "fds", fds_json(ev));
		if (ev->fds_more > 0)
			export__set_int(c, args_of(c, i), "fds_more", ev->fds_more);
		break;
	case TRACE_READY:
		i = rec_new(c, 'i', a, k, ev->t_ns, "mux", "ready fd %d", ev->fd);
		break;
	case TRACE_REFUSE:
		i = rec_new(c, 'i', a, th, ev->t_ns, "mux", "refused fd %d", ev->fd);
		export__set_int(c, args_of(c, i), "limit", ev->n);
		break;
	case TRACE_SIGNAL:
		i = rec_new(c, 'i', a, th, ev->t_ns, "signal", "%s",
			    signal_name(ev->n, sig, sizeof sig));
		export__set_int(c, args_of(c, i), "fd", ev->fd);
		export__set_int(c, args_of(c, i), "tid", ev->tid);
		break;
	case TRACE_NOTE:
		i = rec_new(c, 'i', a, th, ev->t_ns, "note", "note");
		export__set_str(c, args_of(c, i), "en", ev->text[0]);
		export__set_str(c, args_of(c, i), "zh", ev->text[1]);
		break;
	case TRACE_LOST:
		i = rec_new(c, 'i', a, th, ev->t_ns, "lost", "%u events lost", ev->count);
		break;
	case TRACE_DONE:
		i = rec_new(c, 'i', a, th, ev->t_ns, "done", "done");
		export__set_int(c, args_of(c, i), "ret", ev->ret);
		export__set_int(c, args_of(c, i), "unread", ev->count);
		break;
	case TRACE_ACTOR:
	case TRACE_MODEL:
		on_life(c, ev);
		break;
	default:
		break;
	}
}

void export__on_event(struct chrome *c, const struct trace_ev *ev)
{
	if (ev->actor >= trace_hdr_c(c->t)->nactors)
		return;                       /* the reader never lets one through */
	switch (ev->kind) {
	case TRACE_ENTER: call_enter(c, ev); break;
	case TRACE_EXIT: call_exit(c, ev); break;
	case TRACE_PHASE: on_phase(c, ev); break;
	case TRACE_IDLE: on_idle(c, ev); break;
	case TRACE_SUBMIT: case TRACE_COMPLETE: on_async(c, ev); break;
	case TRACE_CAPTION: case TRACE_ARRIVE: case TRACE_CLOSE:
	case TRACE_CONNECT: case TRACE_DELIVER: on_world(c, ev); break;
	case TRACE_STATE: on_state(c, ev); break;
	default: on_other(c, ev); break;
	}
}
