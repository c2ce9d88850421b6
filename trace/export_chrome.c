/* export_chrome.c: a trace as Chrome trace event JSON, which ui.perfetto.dev
 * and chrome://tracing open.
 *
 * The events are first turned into records (a span per enter/exit,
 * phase, idle or submit/complete pair, an instant for the rest), then
 * given tracks, then nested, then written sorted by time.  Times are µs
 * with the ns as three decimals: the format's unit is µs whatever
 * displayTimeUnit says (Perfetto follows the spec there since 2022).
 * trace/FORMAT.md ("Exports") describes the tracks and why they are so.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "trace/export.h"

#define PID 1
#define FD_TRACKS 64             /* per-fd kernel tracks an actor can have */
#define FD_TID0 1000
#define DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

/* The world's track is tid 1, not actor*2 = 0: Perfetto files tid 0 under
 * the idle (swapper) thread, outside the run's process. */
static int tid_thread(int actor) { return actor == TRACE_WORLD ? 1 : actor * 2; }
static int tid_kernel(int actor) { return actor * 2 + 1; }
static int tid_fd(int actor, int slot) { return FD_TID0 + actor * FD_TRACKS + slot; }

/* One event to write: 'X' a span, 'i' an instant, 'b' an async span
 * (written as a "b" and an "e" with the same id). */
struct rec {
	char ph;
	bool phase;                 /* kernel side: its track is chosen later */
	uint16_t actor;
	int32_t fd;
	int tid;
	int64_t ts, end;            /* ns; end < 0 while still open */
	int64_t moved;              /* ns its start was moved to nest (nest()) */
	size_t seq;                 /* creation order, for ties */
	uint64_t id;
	const char *cat;
	char name[72];
	json_t *args, *end_args;    /* owned */
};

/* A begin edge waiting for its end: which record, and its key. */
enum { OPEN_CALL, OPEN_PHASE, OPEN_IDLE, OPEN_ASYNC };
struct open {
	uint8_t kind;
	uint16_t actor;
	int32_t key, key2;          /* call / fd, phase / tag */
	size_t rec;
};

struct chrome {
	const struct trace *t;
	struct rec *recs;
	size_t n, cap;
	struct open *open;
	size_t nopen, capopen;
	int64_t last_t;
	uint64_t next_id;
	size_t unfinished, moved;
	int rc;                     /* the first failure sticks */
	int nslots[TRACE_MAX_ACTORS];
	int slot_fd[TRACE_MAX_ACTORS][FD_TRACKS];
};

/* ---- building records ---- */

static void set(struct chrome *c, json_t *o, const char *key, json_t *v)
{
	if (o == NULL || v == NULL || json_object_set_new(o, key, v) != 0) {
		json_decref(v);
		if (c->rc == 0)
			c->rc = -ENOMEM;
	}
}

static void set_int(struct chrome *c, json_t *o, const char *key, int64_t v)
{
	set(c, o, key, json_integer((json_int_t)v));
}

static void set_str(struct chrome *c, json_t *o, const char *key, const char *s)
{
	json_t *v = json_string(s != NULL ? s : "");

	if (v == NULL && c->rc == 0)
		c->rc = -EINVAL;     /* not UTF-8: the reader would not have read it */
	set(c, o, key, v);
}

static json_t *fds_json(const struct trace_ev *ev)
{
	json_t *a = json_array();

	for (int i = 0; a != NULL && i < ev->nfds; i++)
		json_array_append_new(a, json_integer(ev->fd_list[i]));
	return a;
}

/* A new record at ts; returns its index, or (size_t)-1 with c->rc set. */
static size_t rec_new(struct chrome *c, char ph, int actor, int tid, int64_t ts,
		      const char *cat, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static size_t rec_new(struct chrome *c, char ph, int actor, int tid, int64_t ts,
		      const char *cat, const char *fmt, ...)
{
	struct rec *r;
	va_list ap;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		struct rec *p = realloc(c->recs, cap * sizeof *p);

		if (p == NULL) {
			c->rc = -ENOMEM;
			return (size_t)-1;
		}
		c->recs = p;
		c->cap = cap;
	}
	r = &c->recs[c->n];
	*r = (struct rec){ .ph = ph, .actor = (uint16_t)actor, .fd = -1, .tid = tid,
			   .ts = ts, .end = ph == 'i' ? ts : -1, .seq = c->n, .cat = cat,
			   .args = json_object() };
	va_start(ap, fmt);
	vsnprintf(r->name, sizeof r->name, fmt, ap);
	va_end(ap);
	if (r->args == NULL)
		c->rc = -ENOMEM;
	return c->n++;
}

static json_t *args_of(struct chrome *c, size_t i)
{
	return i == (size_t)-1 ? NULL : c->recs[i].args;
}

static void open_push(struct chrome *c, int kind, int actor, int key, int key2, size_t rec)
{
	if (rec == (size_t)-1)
		return;
	if (c->nopen == c->capopen) {
		size_t cap = c->capopen ? c->capopen * 2 : 64;
		struct open *p = realloc(c->open, cap * sizeof *p);

		if (p == NULL) {
			c->rc = -ENOMEM;
			return;
		}
		c->open = p;
		c->capopen = cap;
	}
	c->open[c->nopen++] = (struct open){ (uint8_t)kind, (uint16_t)actor, key, key2, rec };
}

/* Take the open begin with this key (key < 0 matches any); its record's
 * index, or (size_t)-1 when there is none. */
static size_t open_take(struct chrome *c, int kind, int actor, int key, int key2)
{
	for (size_t i = c->nopen; i-- > 0;) {
		struct open *o = &c->open[i];

		if (o->kind == kind && o->actor == actor && (key < 0 || o->key == key) &&
		    o->key2 == key2) {
			size_t rec = o->rec;

			*o = c->open[--c->nopen];
			return rec;
		}
	}
	return (size_t)-1;
}

static void unfinished(struct chrome *c, size_t i, int64_t end)
{
	struct rec *r = &c->recs[i];

	r->end = end > r->ts ? end : r->ts;
	set(c, r->ph == 'b' ? (r->end_args = json_object()) : r->args, "unfinished", json_true());
	c->unfinished++;
}

/* ---- events to records ---- */

static const char *phase_name(int phase, bool blocked)
{
	if (phase == TRACE_PH_WAIT)
		return blocked ? "phase 1: wait (blocked)" : "phase 1: wait (not blocked)";
	return blocked ? "phase 2: copy (blocked)" : "phase 2: copy (not blocked)";
}

static void call_enter(struct chrome *c, const struct trace_ev *ev)
{
	size_t old = open_take(c, OPEN_CALL, ev->actor, -1, 0), i;

	if (old != (size_t)-1)
		unfinished(c, old, ev->t_ns);     /* an enter with no exit */
	i = rec_new(c, 'X', ev->actor, tid_thread(ev->actor), ev->t_ns, "syscall", "%s",
		    trace_call_name(ev->call) ? trace_call_name(ev->call) : "call");
	set_int(c, args_of(c, i), "fd", ev->fd);
	if (ev->call == TRACE_CALL_SELECT || ev->call == TRACE_CALL_POLL) {
		set_int(c, args_of(c, i), "nfds", ev->n);
		set(c, args_of(c, i), "fds", fds_json(ev));
	}
	open_push(c, OPEN_CALL, ev->actor, ev->call, 0, i);
}

static void call_exit(struct chrome *c, const struct trace_ev *ev)
{
	size_t i = open_take(c, OPEN_CALL, ev->actor, ev->call, 0);
	json_t *a;

	if (i == (size_t)-1) {                /* its enter was lost */
		int64_t ts = ev->t_ns - ev->dur_ns;

		i = rec_new(c, 'X', ev->actor, tid_thread(ev->actor), ts > 0 ? ts : 0,
			    "syscall", "%s", trace_call_name(ev->call) ? trace_call_name(ev->call) : "call");
		set(c, args_of(c, i), "enter_missing", json_true());
		set_int(c, args_of(c, i), "fd", ev->fd);
	}
	if (i == (size_t)-1)
		return;
	c->recs[i].end = ev->t_ns > c->recs[i].ts ? ev->t_ns : c->recs[i].ts;
	a = c->recs[i].args;
	set_int(c, a, "ret", ev->ret);
	if (ev->err != 0)
		set_str(c, a, "errno", trace_errno_name(ev->err));
	if (ev->count > 0)
		set_int(c, a, "try", ev->count);
	set_int(c, a, "dur_ns", ev->dur_ns);
	if (ev->call == TRACE_CALL_SELECT || ev->call == TRACE_CALL_POLL ||
	    ev->call == TRACE_CALL_EPOLL_WAIT) {
		set_int(c, a, "checked", ev->n);
		set(c, a, "ready_fds", fds_json(ev));
	}
}

static void on_phase(struct chrome *c, const struct trace_ev *ev)
{
	bool blocked = ev->flags & TRACE_F_BLOCKED;
	size_t i = open_take(c, OPEN_PHASE, ev->actor, ev->fd, ev->phase);

	if (!(ev->flags & TRACE_F_END)) {
		if (i != (size_t)-1)
			unfinished(c, i, ev->t_ns);   /* begun twice */
		i = rec_new(c, 'X', ev->actor, -1, ev->t_ns, "phase", "%s",
			    phase_name(ev->phase, blocked));
		if (i == (size_t)-1)
			return;
		c->recs[i].phase = true;
		c->recs[i].fd = ev->fd;
		set_int(c, c->recs[i].args, "fd", ev->fd);
		set(c, c->recs[i].args, "blocked", json_boolean(blocked));
		open_push(c, OPEN_PHASE, ev->actor, ev->fd, ev->phase, i);
	} else if (i != (size_t)-1) {
		c->recs[i].end = ev->t_ns > c->recs[i].ts ? ev->t_ns : c->recs[i].ts;
	} else {                              /* an end with no begin */
		i = rec_new(c, 'i', ev->actor, tid_kernel(ev->actor), ev->t_ns, "phase",
			    "%s ends", phase_name(ev->phase, blocked));
		set_int(c, args_of(c, i), "fd", ev->fd);
		set(c, args_of(c, i), "begin_missing", json_true());
	}
}

static void on_idle(struct chrome *c, const struct trace_ev *ev)
{
	size_t i = open_take(c, OPEN_IDLE, ev->actor, 0, 0);

	if (!(ev->flags & TRACE_F_END)) {
		if (i != (size_t)-1)
			unfinished(c, i, ev->t_ns);
		i = rec_new(c, 'X', ev->actor, tid_thread(ev->actor), ev->t_ns, "idle",
			    "other work");
		if (ev->count > 0)
			set_int(c, args_of(c, i), "after_try", ev->count);
		open_push(c, OPEN_IDLE, ev->actor, 0, 0, i);
		return;
	}
	if (i == (size_t)-1) {
		int64_t ts = ev->t_ns - ev->dur_ns;

		i = rec_new(c, 'X', ev->actor, tid_thread(ev->actor), ts > 0 ? ts : 0, "idle",
			    "other work");
		set(c, args_of(c, i), "begin_missing", json_true());
	}
	if (i == (size_t)-1)
		return;
	c->recs[i].end = ev->t_ns > c->recs[i].ts ? ev->t_ns : c->recs[i].ts;
	set_int(c, c->recs[i].args, "dur_ns", ev->dur_ns);
}

static void on_async(struct chrome *c, const struct trace_ev *ev)
{
	size_t i;

	if (ev->kind == TRACE_SUBMIT) {
		i = rec_new(c, 'b', ev->actor, tid_thread(ev->actor), ev->t_ns, "async io",
			    "read fd %d (request %d)", ev->fd, ev->arg);
		if (i == (size_t)-1)
			return;
		c->recs[i].id = ++c->next_id;
		set_int(c, c->recs[i].args, "fd", ev->fd);
		set_int(c, c->recs[i].args, "tag", ev->arg);
		set_int(c, c->recs[i].args, "in_flight", ev->n);
		open_push(c, OPEN_ASYNC, ev->actor, 0, ev->arg, i);
		return;
	}
	if ((i = open_take(c, OPEN_ASYNC, ev->actor, 0, ev->arg)) != (size_t)-1) {
		c->recs[i].end = ev->t_ns > c->recs[i].ts ? ev->t_ns : c->recs[i].ts;
		c->recs[i].end_args = json_object();
	} else {
		i = rec_new(c, 'i', ev->actor, tid_thread(ev->actor), ev->t_ns, "async io",
			    "completion of request %d (no submit seen)", ev->arg);
		if (i == (size_t)-1)
			return;
		c->recs[i].end_args = json_incref(c->recs[i].args);
	}
	set_int(c, c->recs[i].end_args, "ret", ev->ret);
	if (ev->ret < 0)
		set_str(c, c->recs[i].end_args, "errno", trace_errno_name((int)-ev->ret));
	set_int(c, c->recs[i].end_args, "waiting", ev->n);
}

static const char *actor(const struct chrome *c, int a)
{
	const struct trace_hdr *h = trace_hdr_c(c->t);

	return a < h->nactors ? h->actors[a].name : "?";
}

/* The world's events, on the world's track. */
static void on_world(struct chrome *c, const struct trace_ev *ev)
{
	int w = tid_thread(TRACE_WORLD);
	size_t i;

	switch (ev->kind) {
	case TRACE_CAPTION:
		i = rec_new(c, 'i', TRACE_WORLD, w, ev->t_ns, "world", "caption");
		set_str(c, args_of(c, i), "en", ev->text[0]);
		set_str(c, args_of(c, i), "zh", ev->text[1]);
		break;
	case TRACE_ARRIVE:
		i = rec_new(c, 'i', TRACE_WORLD, w, ev->t_ns, "world", "arrive: %lld bytes for %s fd %d",
			    (long long)ev->ret, actor(c, ev->actor), ev->fd);
		set_int(c, args_of(c, i), "bytes", ev->ret);
		break;
	case TRACE_CLOSE:
		i = rec_new(c, 'i', TRACE_WORLD, w, ev->t_ns, "world", "close%s: %s fd %d",
			    ev->what ? " (reset)" : "", actor(c, ev->actor), ev->fd);
		if (ev->what)
			set(c, args_of(c, i), "abrupt", json_true());
		break;
	case TRACE_CONNECT:
		i = rec_new(c, 'i', TRACE_WORLD, w, ev->t_ns, "world", "connect: %s to %s",
			    actor(c, ev->actor), actor(c, ev->arg));
		set_str(c, args_of(c, i), "server", actor(c, ev->arg));
		break;
	default:          /* TRACE_DELIVER */
		i = rec_new(c, 'i', TRACE_WORLD, w, ev->t_ns, "world", "deliver: %lld bytes to %s",
			    (long long)ev->ret, actor(c, ev->actor));
		set_int(c, args_of(c, i), "bytes", ev->ret);
		break;
	}
	set_str(c, args_of(c, i), "actor", actor(c, ev->actor));
	set_int(c, args_of(c, i), "fd", ev->fd);
	if (ev->step >= 0)
		set_int(c, args_of(c, i), "step", ev->step);
}

static void on_state(struct chrome *c, const struct trace_ev *ev)
{
	size_t i = rec_new(c, 'i', ev->actor, tid_kernel(ev->actor), ev->t_ns, "state",
			   "state %c", ev->state);
	char s[2] = { ev->state, '\0' };

	set_str(c, args_of(c, i), "state", s);
	set_str(c, args_of(c, i), "syscall", ev->syscall);
	set_str(c, args_of(c, i), "wchan", ev->wchan);
	set_int(c, args_of(c, i), "tid", ev->tid);
	set_int(c, args_of(c, i), "fd", ev->fd);
	if (ev->what)
		set(c, args_of(c, i), "helper", json_true());
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

/* What a program does or is told in user space: instants on its thread;
 * what the kernel holds (ready list, interest list): on its kernel track. */
static void on_other(struct chrome *c, const struct trace_ev *ev)
{
	int th = tid_thread(ev->actor), k = tid_kernel(ev->actor), a = ev->actor;
	char sig[32];
	size_t i;

	switch (ev->kind) {
	case TRACE_SET:
		i = rec_new(c, 'i', a, ev->what == TRACE_SET_INTEREST ? k : th, ev->t_ns, "mux",
			    "set %s", trace_set_name(ev->what) ? trace_set_name(ev->what) : "?");
		set_int(c, args_of(c, i), "n", ev->n);
		set(c, args_of(c, i), "fds", fds_json(ev));
		if (ev->fds_more > 0)
			set_int(c, args_of(c, i), "fds_more", ev->fds_more);
		break;
	case TRACE_READY:
		i = rec_new(c, 'i', a, k, ev->t_ns, "mux", "ready fd %d", ev->fd);
		break;
	case TRACE_REFUSE:
		i = rec_new(c, 'i', a, th, ev->t_ns, "mux", "refused fd %d", ev->fd);
		set_int(c, args_of(c, i), "limit", ev->n);
		break;
	case TRACE_SIGNAL:
		i = rec_new(c, 'i', a, th, ev->t_ns, "signal", "%s",
			    signal_name(ev->n, sig, sizeof sig));
		set_int(c, args_of(c, i), "fd", ev->fd);
		set_int(c, args_of(c, i), "tid", ev->tid);
		break;
	case TRACE_NOTE:
		i = rec_new(c, 'i', a, th, ev->t_ns, "note", "note");
		set_str(c, args_of(c, i), "en", ev->text[0]);
		set_str(c, args_of(c, i), "zh", ev->text[1]);
		break;
	case TRACE_LOST:
		i = rec_new(c, 'i', a, th, ev->t_ns, "lost", "%u events lost", ev->count);
		break;
	case TRACE_DONE:
		i = rec_new(c, 'i', a, th, ev->t_ns, "done", "done");
		set_int(c, args_of(c, i), "ret", ev->ret);
		set_int(c, args_of(c, i), "unread", ev->count);
		break;
	default:
		break;
	}
}

static void on_event(struct chrome *c, const struct trace_ev *ev)
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

/* ---- tracks ---- */

static int cmp_actor_ts(const void *pa, const void *pb, void *arg)
{
	const struct rec *recs = arg, *a = &recs[*(const size_t *)pa], *b = &recs[*(const size_t *)pb];

	if (a->actor != b->actor)
		return a->actor < b->actor ? -1 : 1;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Whether a phase of one fd overlaps a phase of another (idx sorted by ts):
 * a multiplexer waits on all its fds at once. */
static bool phases_overlap(const struct chrome *c, const size_t *idx, size_t n, size_t *active)
{
	size_t nact = 0;

	for (size_t k = 0; k < n; k++) {
		const struct rec *r = &c->recs[idx[k]];
		size_t kept = 0;

		for (size_t j = 0; j < nact; j++)
			if (c->recs[active[j]].end > r->ts)
				active[kept++] = active[j];
		nact = kept;
		for (size_t j = 0; j < nact; j++)
			if (c->recs[active[j]].fd != r->fd)
				return true;
		active[nact++] = idx[k];
	}
	return false;
}

static int fd_slot(struct chrome *c, int actor, int fd)
{
	for (int s = 0; s < c->nslots[actor]; s++)
		if (c->slot_fd[actor][s] == fd)
			return s;
	if (c->nslots[actor] == FD_TRACKS)
		return -1;
	c->slot_fd[actor][c->nslots[actor]] = fd;
	return c->nslots[actor]++;
}

/* One actor's phases: on its kernel track, or, when they overlap, on one
 * track per fd (past FD_TRACKS fds, as async spans, which never clash). */
static void place_phases(struct chrome *c, const size_t *idx, size_t n, size_t *active)
{
	int a = c->recs[idx[0]].actor;
	bool per_fd = phases_overlap(c, idx, n, active);

	for (size_t k = 0; k < n; k++) {
		struct rec *r = &c->recs[idx[k]];
		int slot = per_fd ? fd_slot(c, a, r->fd) : 0;

		if (!per_fd) {
			r->tid = tid_kernel(a);
		} else if (slot >= 0) {
			r->tid = tid_fd(a, slot);
		} else {
			r->ph = 'b';
			r->tid = tid_kernel(a);
			r->id = ++c->next_id;
		}
	}
}

static void place_all_phases(struct chrome *c)
{
	size_t *idx = malloc((c->n + 1) * sizeof *idx), *active = malloc((c->n + 1) * sizeof *active);
	size_t m = 0;

	if (idx == NULL || active == NULL) {
		c->rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < c->n; i++)
		if (c->recs[i].phase)
			idx[m++] = i;
	qsort_r(idx, m, sizeof *idx, cmp_actor_ts, c->recs);
	for (size_t a = 0, b; a < m; a = b) {
		for (b = a + 1; b < m && c->recs[idx[b]].actor == c->recs[idx[a]].actor; b++)
			;
		place_phases(c, idx + a, b - a, active);
	}
out:
	free(idx);
	free(active);
}

/* ---- nesting ---- */

static int cmp_track(const void *pa, const void *pb, void *arg)
{
	const struct rec *recs = arg, *a = &recs[*(const size_t *)pa], *b = &recs[*(const size_t *)pb];

	if (a->tid != b->tid)
		return a->tid < b->tid ? -1 : 1;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	if (a->end != b->end)
		return a->end > b->end ? -1 : 1;       /* the longer one encloses */
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Spans on one track must nest.  Stamps from different threads can make
 * two spans cross by a little (an idle end stamped after the next call's
 * enter); the later one then starts where the other ends, and says by
 * how much in "moved_ns".  idx[0..n) is one track, sorted by cmp_track. */
static void nest_track(struct chrome *c, size_t *idx, size_t n, size_t *stack)
{
	size_t depth = 0, i = 0;

	while (i < n) {
		struct rec *r = &c->recs[idx[i]];

		while (depth > 0 && c->recs[stack[depth - 1]].end <= r->ts)
			depth--;
		if (depth > 0 && c->recs[stack[depth - 1]].end < r->end) {
			int64_t to = c->recs[stack[depth - 1]].end;

			r->moved += to - r->ts;
			r->ts = to;
			for (size_t j = i; j + 1 < n && cmp_track(&idx[j + 1], &idx[j], c->recs) < 0; j++) {
				size_t tmp = idx[j];

				idx[j] = idx[j + 1];
				idx[j + 1] = tmp;
			}
			continue;                     /* look at position i again */
		}
		stack[depth++] = idx[i++];
	}
}

static void nest(struct chrome *c)
{
	size_t *idx = malloc((c->n + 1) * sizeof *idx), *stack = malloc((c->n + 1) * sizeof *stack);
	size_t m = 0;

	if (idx == NULL || stack == NULL) {
		c->rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < c->n; i++)
		if (c->recs[i].ph == 'X')
			idx[m++] = i;
	qsort_r(idx, m, sizeof *idx, cmp_track, c->recs);
	for (size_t a = 0, b; a < m; a = b) {
		for (b = a + 1; b < m && c->recs[idx[b]].tid == c->recs[idx[a]].tid; b++)
			;
		nest_track(c, idx + a, b - a, stack);
	}
	for (size_t k = 0; k < m; k++)
		if (c->recs[idx[k]].moved > 0) {
			set_int(c, c->recs[idx[k]].args, "moved_ns", c->recs[idx[k]].moved);
			c->moved++;
		}
out:
	free(idx);
	free(stack);
}

/* ---- writing ---- */

static json_t *ts_json(int64_t ns)
{
	return json_real((double)ns / 1000.0);
}

static void put(FILE *out, json_t *o, bool *first)
{
	if (!*first)
		fputs(",\n", out);
	*first = false;
	json_dumpf(o, out, DUMP_FLAGS);
	json_decref(o);
}

static void put_meta(struct chrome *c, FILE *out, bool *first, const char *what, int tid,
		     json_t *args)
{
	json_t *o = json_object();

	set_str(c, o, "name", what);
	set_str(c, o, "ph", "M");
	set_int(c, o, "pid", PID);
	if (tid >= 0)
		set_int(c, o, "tid", tid);
	set(c, o, "args", args);
	put(out, o, first);
}

static void put_track(struct chrome *c, FILE *out, bool *first, int tid, int sort,
		      const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void put_track(struct chrome *c, FILE *out, bool *first, int tid, int sort,
		      const char *fmt, ...)
{
	char name[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof name, fmt, ap);
	va_end(ap);
	put_meta(c, out, first, "thread_name", tid, json_pack("{s:s}", "name", name));
	put_meta(c, out, first, "thread_sort_index", tid, json_pack("{s:i}", "sort_index", sort));
}

static void put_tracks(struct chrome *c, FILE *out, bool *first)
{
	const struct trace_hdr *h = trace_hdr_c(c->t);
	char title[160];

	snprintf(title, sizeof title, "ioscope · %s", h->scenario);
	put_meta(c, out, first, "process_name", -1, json_pack("{s:s}", "name", title));
	put_track(c, out, first, tid_thread(TRACE_WORLD), 0, "world");
	for (int a = 1; a < h->nactors; a++) {
		const char *model = *h->actors[a].model ? h->actors[a].model : "client";

		put_track(c, out, first, tid_thread(a), a * 100, "%s (%s)", h->actors[a].name, model);
		put_track(c, out, first, tid_kernel(a), a * 100 + 1, "%s kernel", h->actors[a].name);
		for (int s = 0; s < c->nslots[a]; s++)
			put_track(c, out, first, tid_fd(a, s), a * 100 + 2 + s, "%s kernel fd %d",
				  h->actors[a].name, c->slot_fd[a][s]);
	}
}

static json_t *rec_json(struct chrome *c, const struct rec *r, char ph)
{
	json_t *o = json_object();
	char phs[2] = { ph, '\0' };

	set_str(c, o, "name", r->name);
	set_str(c, o, "cat", r->cat);
	set_str(c, o, "ph", phs);
	set(c, o, "ts", ts_json(ph == 'e' ? r->end : r->ts));
	if (ph == 'X')
		set(c, o, "dur", ts_json(r->end - r->ts));
	set_int(c, o, "pid", PID);
	set_int(c, o, "tid", r->tid);
	if (ph == 'i')
		set_str(c, o, "s", "t");
	if (ph == 'b' || ph == 'e')
		set_int(c, o, "id", (int64_t)r->id);
	if (ph != 'e')
		set(c, o, "args", json_incref(r->args));
	else if (r->end_args != NULL)
		set(c, o, "args", json_incref(r->end_args));
	return o;
}

static int cmp_time(const void *pa, const void *pb, void *arg)
{
	const struct rec *recs = arg, *a = &recs[*(const size_t *)pa], *b = &recs[*(const size_t *)pb];

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	if (a->end != b->end)
		return a->end > b->end ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static json_t *header_json(struct chrome *c)
{
	const struct trace_hdr *h = trace_hdr_c(c->t);
	json_t *o = json_object(), *actors = json_array();

	set_str(c, o, "format", TRACE_FORMAT);
	set_int(c, o, "version", TRACE_VERSION);
	set_str(c, o, "scenario", h->scenario);
	set_str(c, o, "kernel", h->kernel);
	set_str(c, o, "started", h->started);
	set(c, o, "speed", json_real(h->speed));
	for (int a = 0; actors != NULL && a < h->nactors; a++) {
		json_t *x = json_object(), *label = json_object();

		set_str(c, x, "name", h->actors[a].name);
		set_str(c, x, "model", h->actors[a].model);
		set_str(c, label, "en", h->actors[a].label[0]);
		set_str(c, label, "zh", h->actors[a].label[1]);
		set(c, x, "label", label);
		if (x == NULL || json_array_append_new(actors, x) != 0)
			c->rc = -ENOMEM;
	}
	set(c, o, "actors", actors);
	set_int(c, o, "events", (int64_t)trace_count(c->t));
	set_int(c, o, "unfinished_spans", (int64_t)c->unfinished);
	set_int(c, o, "moved_spans", (int64_t)c->moved);
	return o;
}

static int write_all(struct chrome *c, FILE *out)
{
	size_t *idx = malloc((c->n + 1) * sizeof *idx);
	json_t *hdr = header_json(c);
	bool first = true;

	if (idx == NULL || hdr == NULL || c->rc != 0) {
		free(idx);
		json_decref(hdr);
		return c->rc != 0 ? c->rc : -ENOMEM;
	}
	for (size_t i = 0; i < c->n; i++)
		idx[i] = i;
	qsort_r(idx, c->n, sizeof *idx, cmp_time, c->recs);
	fputs("{\"traceEvents\":[\n", out);
	put_tracks(c, out, &first);
	for (size_t k = 0; k < c->n; k++) {
		const struct rec *r = &c->recs[idx[k]];

		put(out, rec_json(c, r, r->ph), &first);
		if (r->ph == 'b')
			put(out, rec_json(c, r, 'e'), &first);
	}
	fputs("\n],\n\"displayTimeUnit\":\"ns\",\n\"metadata\":", out);
	json_dumpf(hdr, out, DUMP_FLAGS);
	fputs("}\n", out);
	json_decref(hdr);
	free(idx);
	return c->rc != 0 ? c->rc : export__flush(out);
}

int export_chrome(const struct trace *t, FILE *out)
{
	struct chrome *c = calloc(1, sizeof *c);
	int rc;

	if (c == NULL)
		return -ENOMEM;
	c->t = t;
	for (size_t i = 0; i < trace_count(t) && c->rc == 0; i++) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->t_ns > c->last_t)
			c->last_t = ev->t_ns;
		on_event(c, ev);
	}
	/* Begins never ended (a run stopped while waiting) end with the trace. */
	for (size_t i = 0; i < c->nopen && c->rc == 0; i++)
		unfinished(c, c->open[i].rec, c->last_t);
	if (c->rc == 0)
		place_all_phases(c);
	if (c->rc == 0)
		nest(c);
	rc = c->rc != 0 ? c->rc : write_all(c, out);
	for (size_t i = 0; i < c->n; i++) {
		json_decref(c->recs[i].args);
		json_decref(c->recs[i].end_args);
	}
	free(c->recs);
	free(c->open);
	free(c);
	return rc;
}
