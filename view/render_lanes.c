/* render_lanes.c: the timeline, one lane per actor: a user row (what the
 * thread is doing) and a kernel row (the read's phase).  The scale is
 * event-ordered: one column per event, so a 3 µs copy gets a column just
 * as a 2 s wait does; real durations are printed on the spans.
 *
 * An actor's lane runs from its appearance to its end (actors a run
 * announces, such as a thread per connection).  Lanes are sorted by
 * parent, then model; when they need more rows than the pane has, the
 * actors of one model and parent share a lane that shows their most
 * common state and counts them, and what still does not fit is "+N more". */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view/narrate.h"
#include "view/render_int.h"
#include "view/render_lanes.h"

#define LABEL_W 14

/* Events that get a column of their own (idle time in slices gets one). */
static bool is_tick(const struct tui_state *s, size_t i)
{
	unsigned flags;

	switch (render__kind(s, i, &flags)) {
	case TRACE_STATE: case TRACE_SET: case TRACE_CAPTION: case TRACE_LOST:
	case TRACE_NOTE: case TRACE_MODEL:
		return false;
	case TRACE_IDLE:
		return !render__idle_again(s, i);
	case TRACE_PHASE:
		/* A phase's end comes with the next phase's begin or the
		 * call's return: no column between the two. */
		return !(flags & TRACE_F_END);
	default:
		return true;
	}
}

/* What the thread is doing, after the events so far. */
static void user_cell(const struct glyphs *gl, const struct view_actor *a,
		      const struct trace_ev *ev, int actor, wchar_t *ch, int *role)
{
	if (a->done) {
		*ch = ev->actor == actor && ev->kind == TRACE_DONE ? gl->done : L' ';
		*role = ROLE_DIM;
	} else if (a->idle) {
		*ch = gl->idle, *role = ROLE_IDLE;
	} else if (ev->actor == actor && ev->kind == TRACE_EXIT && ev->ret < 0 && ev->err == EAGAIN) {
		*ch = gl->poll, *role = ROLE_POLL;           /* EAGAIN */
	} else if (view_actor_parked(a)) {
		*ch = gl->parked, *role = ROLE_WAIT;         /* in user space, not the kernel */
	} else if (view_actor_asleep(a)) {
		*ch = gl->blocked, *role = ROLE_BLOCKED;
	} else if (a->call != 0 && a->phase == TRACE_PH_COPY) {
		*ch = gl->copy, *role = ROLE_COPY;
	} else {
		*ch = gl->run, *role = ROLE_RUNNING;
	}
}

/* The read's phase as the kernel sees it. */
static void kernel_cell(const struct glyphs *gl, const struct view_actor *a,
			const struct trace_ev *ev, int actor, wchar_t *ch, int *role)
{
	if (ev->actor == actor && (ev->kind == TRACE_ARRIVE || ev->kind == TRACE_READY)) {
		*ch = ev->kind == TRACE_ARRIVE ? gl->arrive : gl->ready;
		*role = ROLE_READY;
	} else if (a->phase == TRACE_PH_WAIT && a->phase_data) {
		*ch = gl->copy, *role = ROLE_COPY;  /* its data came: the copy's turn */
	} else if (a->phase == TRACE_PH_WAIT && a->phase_whole) {
		*ch = gl->whole, *role = ROLE_WAIT;  /* holds the copy: not its colour */
	} else if (a->phase == TRACE_PH_WAIT) {
		*ch = gl->wait, *role = ROLE_WAIT;
	} else if (a->phase == TRACE_PH_COPY) {
		*ch = gl->copy, *role = ROLE_COPY;
	} else {
		*ch = L' ', *role = ROLE_TEXT;
	}
}

/* ---- which actors, in which order, in how many lanes ---- */

/* Actors that run a model, and those a run announced (a thread whose
 * model the tracer may learn later); not the world or its clients. */
static bool has_lane(const struct trace_hdr *h, int i)
{
	return i > 0 && i < h->nactors &&
	       (h->actors[i].model[0] != '\0' || h->actors[i].announced);
}

/* The topmost ancestor of i that has a lane: the lanes of a server's
 * threads follow the server's. */
static int lane_root(const struct trace_hdr *h, int i)
{
	int p = h->actors[i].parent;

	while (p > 0 && p < i && has_lane(h, p)) {
		i = p;
		p = h->actors[i].parent;
	}
	return i;
}

/* By parent (each root, then the actors under it), then by model, then
 * in the order they were announced. */
static int by_parent_model(const void *pa, const void *pb, void *arg)
{
	const struct trace_hdr *h = arg;
	int a = *(const int *)pa, b = *(const int *)pb;
	int ra = lane_root(h, a), rb = lane_root(h, b), c;

	if (ra != rb)
		return ra < rb ? -1 : 1;
	if ((a == ra) != (b == rb))
		return a == ra ? -1 : 1;
	if ((c = strcmp(h->actors[a].model, h->actors[b].model)) != 0)
		return c;
	return a < b ? -1 : a > b;
}

int render__lanes_fit(struct lanes_scratch *sc, int n)
{
	int *order;
	struct lane *lanes;
	wchar_t (*prev)[2];
	unsigned char *named;

	if (n <= sc->cap)
		return 0;
	sc->named_key = 0;
	order = realloc(sc->order, (size_t)n * sizeof *order);
	if (order != NULL)
		sc->order = order;
	lanes = realloc(sc->lanes, (size_t)n * sizeof *lanes);
	if (lanes != NULL)
		sc->lanes = lanes;
	prev = realloc(sc->prev, (size_t)n * sizeof *prev);
	if (prev != NULL)
		sc->prev = prev;
	named = realloc(sc->named, (size_t)n);
	if (named != NULL)
		sc->named = named;
	if (order == NULL || lanes == NULL || prev == NULL || named == NULL)
		return -ENOMEM;
	sc->cap = n;
	return 0;
}

void render__lanes_free(struct lanes_scratch *sc)
{
	free(sc->whole.cells);
	sc->whole.cells = NULL;
	sc->whole.valid = false;
	view_more_free(&sc->more);
	view_more_free(&sc->start_more);
	free(sc->order);
	free(sc->lanes);
	free(sc->prev);
	free(sc->named);
	sc->named = NULL;
	sc->named_key = 0;
	sc->order = NULL;
	sc->lanes = NULL;
	sc->prev = NULL;
	sc->cap = 0;
}

int render__lane_order(const struct trace *t, struct lanes_scratch *sc)
{
	const struct trace_hdr *h = trace_hdr_c(t);
	int n = 0;

	for (int i = 1; i < h->nactors; i++)
		if (has_lane(h, i))
			sc->order[n++] = i;
	qsort_r(sc->order, (size_t)n, sizeof *sc->order, by_parent_model, (void *)h);
	return n;
}

bool render__names(const char *text, const char *name)
{
	size_t n = strlen(name);

	if (text == NULL || n == 0)
		return false;
	for (const char *at = strstr(text, name); at != NULL; at = strstr(at + 1, name)) {
		char before = at > text ? at[-1] : ' ', after = at[n];

		/* "S.8" is a word of "S.8:" and "S.8.", not of "S.80" */
		if (!isalnum((unsigned char)before) && !isalnum((unsigned char)after) &&
		    (after != '.' || !isalnum((unsigned char)at[n + 1])))
			return true;
	}
	return false;
}

/* sc->named[i]: does text name actor i?  Kept while the text and the
 * actors are the same (a page with a thousand actors draws without a
 * thousand searches of its text per lane plan): the same text (by its
 * hash), trace and count of actors.  sc fits the trace. */
static void named_prepare(const struct trace *t, struct lanes_scratch *sc, const char *text)
{
	const struct trace_hdr *h = trace_hdr_c(t);
	uint64_t key = 1469598103934665603ull ^ trace_serial(t);

	if (text == NULL)
		return;
	for (const char *c = text; *c != '\0'; c++)
		key = (key ^ (unsigned char)*c) * 1099511628211ull;
	key = (key ^ (uint64_t)h->nactors) * 1099511628211ull;
	key |= 1;                 /* 0: nothing kept */
	if (key == sc->named_key)
		return;
	for (int i = 0; i < h->nactors && i < sc->cap; i++)
		sc->named[i] = has_lane(h, i) && render__names(text, h->actors[i].name);
	sc->named_key = key;
}

static bool is_named(const struct lanes_scratch *sc, const char *text, int actor)
{
	return text != NULL && actor >= 0 && actor < sc->cap && sc->named[actor];
}

/* Could order[i] and order[j] share a lane: the same parent lane and
 * model, neither of them a root, nor an actor the text names (a lesson
 * page's: its lane is its own).  named_prepare was called for text. */
static bool same_group(const struct trace_hdr *h, const struct lanes_scratch *sc, int i, int j,
		       const char *text)
{
	int a = sc->order[i], b = sc->order[j], r = lane_root(h, a);

	return r != a && lane_root(h, b) == r && b != r &&
	       strcmp(h->actors[a].model, h->actors[b].model) == 0 &&
	       !is_named(sc, text, a) && !is_named(sc, text, b);
}

bool render__owns_queue(const struct trace_hdr *h, int i)
{
	int p = i > 0 && i < h->nactors ? h->actors[i].parent : -1;

	return i > 0 && i < h->nactors && (h->actors[i].caps & TRACE_CAP_QUEUE) &&
	       !(p >= 0 && p < h->nactors && (h->actors[p].caps & TRACE_CAP_QUEUE));
}

/* The lanes l[0 .. nl) that fit in room rows, in order. */
static int lanes_fitting(const struct lane *l, int nl, int room, int per)
{
	int shown = 0, used = 0;

	while (shown < nl && used + render__lane_rows(&l[shown], per) <= room)
		used += render__lane_rows(&l[shown++], per);
	return shown;
}

/* The lanes of order[0 .. n) into sc->lanes, grouped or not; returns
 * how many. */
static int lanes_make(const struct trace *t, struct lanes_scratch *sc, int n, bool group,
		      const char *text)
{
	const struct trace_hdr *h = trace_hdr_c(t);
	int nl = 0;

	named_prepare(t, sc, text);
	for (int i = 0; i < n;) {
		int j = i + 1;

		while (group && j < n && same_group(h, sc, i, j, text))
			j++;
		sc->lanes[nl++] = (struct lane){ .row = -1, .span_start = -1, .first = i,
						 .n = j - i, .group = j - i > 1,
						 .queue = j - i == 1 &&
							  render__owns_queue(h, sc->order[i]) };
		i = j;
	}
	return nl;
}

/* Does a lane of sc->lanes[from .. nl) hold an actor text names? */
static bool named_from(const struct trace_hdr *h, const struct lanes_scratch *sc, int from, int nl,
		       const char *text)
{
	for (int l = from < 0 ? 0 : from; l < nl; l++)
		for (int i = sc->lanes[l].first; i < sc->lanes[l].first + sc->lanes[l].n; i++)
			if (is_named(sc, text, sc->order[i]))
				return true;
	return false;
}

/* Lanes cut where no group formed (a lesson's page sized to the actors it
 * names) keep every row for lanes: "+N more" takes a spare row only.
 * The actors text names keep a lane of their own while the lanes fit
 * with them so; else they join their group too. */
int render__lane_plan(const struct trace *t, struct lanes_scratch *sc, int n, int rows, int per,
		      const char *text, int *hidden)
{
	const struct trace_hdr *h = trace_hdr_c(t);
	int nl, shown, need = 0;
	bool group;

	for (int i = 0; i < n; i++)
		need += per + (per >= 2 && render__owns_queue(h, sc->order[i]));
	group = need > rows;
	nl = lanes_make(t, sc, n, group, text);
	shown = lanes_fitting(sc->lanes, nl, rows, per);
	if (shown < nl && group && text != NULL &&
	    named_from(h, sc, nl < n ? lanes_fitting(sc->lanes, nl, rows - 1, per) : shown, nl, text)) {
		nl = lanes_make(t, sc, n, group, NULL);
		shown = lanes_fitting(sc->lanes, nl, rows, per);
	}
	if (shown < nl && nl < n)
		shown = lanes_fitting(sc->lanes, nl, rows - 1, per);
	if (shown < 1 && nl > 0 && rows >= per)
		shown = 1;            /* one lane's rows: no room to say more */
	*hidden = 0;
	for (int l = shown; l < nl; l++)
		*hidden += sc->lanes[l].n;
	return shown;
}

/* ---- a lane's cells ---- */

/* One actor's two cells: blank before it appears and after it leaves,
 * but for the mark of its end. */
static void actor_cells(const struct glyphs *gl, const struct view *v, const struct trace_ev *ev,
			int actor, wchar_t ch[2], int role[2])
{
	const struct view_actor *a = view_actor_c(v, actor);

	ch[0] = ch[1] = L' ';
	role[0] = role[1] = ROLE_TEXT;
	if (a == NULL)
		return;
	if (a->gone) {
		if (ev->actor == actor && ev->kind == TRACE_ACTOR)
			ch[0] = gl->done, role[0] = ROLE_DIM;
		return;
	}
	user_cell(gl, a, ev, actor, &ch[0], &role[0]);
	/* The classroom keeps the kernel row too: lessons point at its ↓. */
	kernel_cell(gl, a, ev, actor, &ch[1], &role[1]);
}

/* A group's user row: the state most of its actors are in (ties: the one
 * that tells most); its second row holds words, not cells. */
static void group_cells(const struct glyphs *gl, const struct view *v, const struct trace_ev *ev,
			const struct lanes_scratch *sc, const struct lane *l, wchar_t ch[2],
			int role[2]);

static int weight(int role, wchar_t ch);

static void lane_cells(const struct tui_state *s, const struct view *v, const struct trace_ev *ev,
		       const struct lanes_scratch *sc, const struct lane *l, wchar_t ch[2], int role[2])
{
	const struct glyphs *gl = render__glyphs(s);

	if (l->group)
		group_cells(gl, v, ev, sc, l, ch, role);
	else
		actor_cells(gl, v, ev, sc->order[l->first], ch, role);
}

#define GROUP_KINDS 8

static void group_cells(const struct glyphs *gl, const struct view *v, const struct trace_ev *ev,
			const struct lanes_scratch *sc, const struct lane *l, wchar_t ch[2],
			int role[2])
{
	struct kind { wchar_t ch; int role, n; } k[GROUP_KINDS];
	int nk = 0, best = -1;

	for (int i = l->first; i < l->first + l->n; i++) {
		wchar_t c[2];
		int r[2], j;

		actor_cells(gl, v, ev, sc->order[i], c, r);
		if (c[0] == L' ')
			continue;
		for (j = 0; j < nk && (k[j].ch != c[0] || k[j].role != r[0]); j++)
			;
		if (j == nk && nk < GROUP_KINDS)
			k[nk++] = (struct kind){ c[0], r[0], 0 };
		if (j < nk)
			k[j].n++;
	}
	for (int j = 0; j < nk; j++)
		if (best < 0 || k[j].n > k[best].n ||
		    (k[j].n == k[best].n && weight(k[j].role, k[j].ch) > weight(k[best].role, k[best].ch)))
			best = j;
	ch[0] = best >= 0 ? k[best].ch : L' ';
	role[0] = best >= 0 ? k[best].role : ROLE_TEXT;
	ch[1] = L' ';
	role[1] = ROLE_TEXT;
}

/* ---- a group's words: "998 asleep in recvfrom, 2 running" ---- */

/* What one actor of a group is doing now, as a phrase without its count. */
static void state_phrase(const struct tui_state *s, const struct view_actor *a, char *out, size_t len)
{
	const char *call = a != NULL ? trace_call_name(a->call) : NULL;
	bool blocked = a != NULL && view_actor_asleep(a);

	if (a == NULL)
		snprintf(out, len, "%s", L2(s, "not started yet", "个尚未出现"));
	else if (view_actor_parked(a) && !a->gone && !a->done)
		snprintf(out, len, "%s", L2(s, "parked in user space", "个停在用户态"));
	else if (a->gone)
		snprintf(out, len, "%s", L2(s, "ended", "个已结束"));
	else if (a->done)
		snprintf(out, len, "%s", L2(s, "finished", "个已完成"));
	else if (blocked && call != NULL)
		snprintf(out, len, L2(s, "asleep in %s", "个在 %s 中睡眠"),
			 a->call_sys != NULL ? a->call_sys : call);
	else if (a->call == 0 && a->have_state && (a->state == 'S' || a->state == 'D') &&
		 a->syscall != NULL && strcmp(a->syscall, "running") != 0)
		snprintf(out, len, L2(s, "asleep in %s", "个在 %s 中睡眠"), a->syscall);
	else if (a->idle && (a->caps & TRACE_CAP_QUEUE))    /* a worker's work */
		snprintf(out, len, "%s", L2(s, "working on a request", "个在处理请求"));
	else if (a->idle)
		snprintf(out, len, "%s", L2(s, "doing other work", "个在做别的事"));
	else if (call != NULL)
		snprintf(out, len, L2(s, "in %s", "个在 %s 中"), a->call_sys != NULL ? a->call_sys : call);
	else
		snprintf(out, len, "%s", L2(s, "running", "个在运行"));
}

#define PHRASES 12

void render__group_words(const struct tui_state *s, const struct view *v,
			 const struct lanes_scratch *sc, const struct lane *l, char *out, size_t len)
{
	const struct trace_hdr *h = trace_hdr_c(s->t);
	struct phrase { char what[64]; int n; } p[PHRASES];
	int np = 0, other = 0;
	size_t at;

	for (int i = l->first; i < l->first + l->n; i++) {
		char what[64];
		int j;

		state_phrase(s, view_actor_c(v, sc->order[i]), what, sizeof what);
		for (j = 0; j < np && strcmp(p[j].what, what) != 0; j++)
			;
		if (j == np && np == PHRASES) {
			other++;
			continue;
		}
		if (j == np) {
			snprintf(p[np].what, sizeof p[np].what, "%s", what);
			p[np++].n = 0;
		}
		p[j].n++;
	}
	for (int i = 1; i < np; i++)             /* the most common first, stable */
		for (int j = i; j > 0 && p[j].n > p[j - 1].n; j--) {
			struct phrase x = p[j];

			p[j] = p[j - 1];
			p[j - 1] = x;
		}
	at = (size_t)snprintf(out, len, "%s ×%d: ", h->actors[sc->order[l->first]].model, l->n);
	for (int j = 0; j < np && at < len; j++)
		at += (size_t)snprintf(out + at, len - at, L2(s, "%s%d %s", "%s%d %s"),
				       j > 0 ? L2(s, ", ", "，") : "", p[j].n, p[j].what);
	if (other > 0 && at < len)
		snprintf(out + at, len - at, L2(s, ", %d other", "，其他 %d 个"), other);
}

/* ---- labels ---- */

/* On a call's return, its name (the kernel's, a traced program's
 * "pselect6") and real duration on the span it drew. */
static void label_span(struct grid *g, const struct lane *l, const struct trace_ev *ev,
		       int x0, int col)
{
	char d[32], text[64];
	int room = col - l->span_start, role;
	const char *call = ev->syscall != NULL ? ev->syscall : trace_call_name(ev->call);

	if (call == NULL || l->span_start < 0 || ev->dur_ns < 1000000)
		return;
	narrate_dur(ev->dur_ns, d, sizeof d);
	snprintf(text, sizeof text, "%s%s %s", call, ev->call == TRACE_CALL_FUTEX ? " wait" : "", d);
	if (grid_width(text) + 1 > room) {
		snprintf(text, sizeof text, "%s", d);
		if (grid_width(text) + 1 > room)
			return;
	}
	role = g->cells[l->row * g->w + x0 + l->span_start].role;
	grid_put(g, x0 + l->span_start + (room - grid_width(text)) / 2, l->row, role, text, 0);
}

/* A traced program's blocking read returned: its kernel row's span was
 * one wait that held the copy (whole); say so on it, in the wait's
 * colour, never the copy's. */
static void label_whole(struct grid *g, const struct tui_state *s, const struct lane *l,
			int x0, int col)
{
	const char *text = L2(s, "wait + copy, one span", "等待+复制，同一段");
	int room = col - l->span_start;

	if (l->span_start < 0 || grid_width(text) + 1 > room) {
		text = L2(s, "wait+copy", "等待+复制");
		if (l->span_start < 0 || grid_width(text) + 1 > room)
			return;
	}
	grid_put(g, x0 + l->span_start + (room - grid_width(text)) / 2, l->row + 1, ROLE_WAIT,
		 text, 0);
}


int render__lane_groups(const struct trace *t, struct lanes_scratch *sc, int n, const char *text)
{
	const struct trace_hdr *h = trace_hdr_c(t);
	int nl = 0;

	named_prepare(t, sc, text);
	for (int i = 0; i < n; i++)
		nl += i == 0 || !same_group(h, sc, i - 1, i, text);
	return nl;
}

const char *render__page_text(const struct tui_state *s)
{
	return s->page != NULL ? s->page->text : NULL;
}

/* The rows of the lanes: one each (single), or grouped with text's
 * actors kept out of the groups; a queue's owner takes a row for its
 * depth.  The groups are made in the lanes' own scratch (the draw that
 * follows sorts them there again); without memory, one each. */
static int lanes_rows_of(const struct tui_state *s, bool single, const char *text)
{
	const struct trace_hdr *h = trace_hdr_c(s->t);
	int n = 0, per = 2, queues = 0;   /* a user row and a kernel row */

	for (int i = 1; i < h->nactors; i++) {
		n += has_lane(h, i);
		queues += has_lane(h, i) && render__owns_queue(h, i);
	}
	if (!single && s->scratch != NULL && render__lanes_fit(&s->scratch->lanes, h->nactors) == 0)
		n = render__lane_groups(s->t, &s->scratch->lanes,
					render__lane_order(s->t, &s->scratch->lanes), text);
	return n * per + queues;
}

int render__lanes_height(const struct tui_state *s)
{
	return lanes_rows_of(s, true, NULL);
}

int render__lanes_grouped(const struct tui_state *s, bool named)
{
	return lanes_rows_of(s, false, named ? render__page_text(s) : NULL);
}

int render__lanes_used(const struct tui_state *s, int h)
{
	struct lanes_scratch *sc = s->scratch != NULL ? &s->scratch->lanes : NULL;
	int n, nl, hidden, at = 0;

	if (h <= 0 || sc == NULL || render__lanes_fit(sc, trace_hdr_c(s->t)->nactors) != 0)
		return h;
	n = render__lane_order(s->t, sc);
	nl = render__lane_plan(s->t, sc, n, h, 2, render__page_text(s), &hidden);
	for (int l = 0; l < nl; l++)
		at += render__lane_rows(&sc->lanes[l], 2);
	at += hidden > 0 && at < h;
	return at < h ? at : h;
}

/* The rows of the lanes, grouped, through the last lane that holds an
 * actor the page's text names (at least the first lane's), and a row for
 * "+N more" when lanes follow it and groups formed (render__lane_plan
 * keeps that row then; else the rule under the lanes says it). */
int render__lanes_keep(const struct tui_state *s)
{
	struct lanes_scratch *sc = s->scratch != NULL ? &s->scratch->lanes : NULL;
	const struct trace_hdr *h = trace_hdr_c(s->t);
	const char *text = render__page_text(s);
	int n, nl, at = 0, keep = 2;

	if (sc == NULL || render__lanes_fit(sc, h->nactors) != 0)
		return keep;
	n = render__lane_order(s->t, sc);
	nl = lanes_make(s->t, sc, n, true, text);
	for (int l = 0; l < nl; l++) {
		at += render__lane_rows(&sc->lanes[l], 2);
		if (named_from(h, sc, l, l + 1, text))
			keep = at + (l + 1 < nl && nl < n);   /* and "+N more" under it */
	}
	return keep;
}

/* Each shown lane's rows from y, and "+N more" in the last row when some
 * actors did not fit. */
static void lane_rows(struct grid *g, const struct tui_state *s, struct lanes_scratch *sc,
		      int nl, int hidden, int y, int h)
{
	int at = 0;

	for (int l = 0; l < nl; l++) {
		sc->lanes[l].row = y + at;
		if (at + render__lane_rows(&sc->lanes[l], 2) > h)
			sc->lanes[l].queue = false;   /* one lane forced in: no room */
		at += render__lane_rows(&sc->lanes[l], 2);
	}
	sc->unsaid = 0;
	if (hidden > 0 && at < h)
		grid_printf(g, 0, y + at, ROLE_DIM, g->w - 1,
			    L2(s, "+%d more (too many for these rows)", "另有 %d 个（行数不够，未显示）"),
			    hidden);
	else
		sc->unsaid = hidden;
}

/* A work queue's depth under its owner's lane, from the latest set
 * workq at the cursor: "queue ■■■□ 3/4 (fds 7 9 12)", at most
 * QUEUE_BAR slots drawn (a larger queue is drawn to scale). */
#define QUEUE_BAR 16

/* "7 9 12", or "7 9 … +3" when the list was cut. */
static void fds_words(const struct trace_ev *ev, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (int i = 0; i < ev->nfds && i < TRACE_FDS_INLINE && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, i ? " %d" : "%d", ev->fd_list[i]);
	if (ev->fds_more > 0 && at < len)
		snprintf(buf + at, len - at, " … +%u", ev->fds_more);
}

static void queue_row(struct grid *g, const struct tui_state *s, const struct view *v,
		      int actor, int y)
{
	const struct glyphs *gl = render__glyphs(s);
	long at = view_queue_at(v, actor);
	char text[512];
	struct trace_ev ev;
	int slots, full, used;

	if (at < 0 || (size_t)at >= s->cursor) {
		grid_put(g, 2, y, ROLE_DIM, L2(s, "queue: nothing queued yet", "队列：还没有请求"),
			 g->w - 3);
		return;
	}
	ev = *render__ev(s, (size_t)at);
	slots = ev.arg < QUEUE_BAR ? ev.arg : QUEUE_BAR;
	/* n of max to scale, a request never drawn as none, a free slot never as full */
	full = (int)(((int64_t)ev.n * slots + ev.arg - 1) / ev.arg);
	if (ev.n < ev.arg && full == slots)
		full--;
	used = snprintf(text, sizeof text, "%s ", L2(s, "queue", "队列"));
	for (int i = 0; i < slots && used < (int)sizeof text - 8; i++)
		used += snprintf(text + used, sizeof text - (size_t)used, "%s",
				 i < full ? gl->full : gl->empty);
	used += snprintf(text + used, sizeof text - (size_t)used, " %d/%d%s", ev.n, ev.arg,
			 ev.n == ev.arg ? L2(s, " full", " 已满") :
			 ev.n == 0 ? L2(s, " empty", " 空") : "");
	if (ev.nfds > 0 && used < (int)sizeof text) {
		char f[160];

		fds_words(&ev, f, sizeof f);
		snprintf(text + used, sizeof text - (size_t)used, L2(s, " (fds %s)", "（fd %s）"), f);
	}
	grid_put(g, 2, y, ev.n == ev.arg ? ROLE_BLOCKED : ROLE_TEXT, text, g->w - 3);
}

/* A server's thread, process, worker or coroutine runs its parent's
 * model: its lane, under its parent's, is named by its name alone ("S.3",
 * not "S.3 thread-per-"), which the label's columns then hold whole. */
static bool same_model_as_parent(const struct trace_hdr *h, int i, const char *model)
{
	int p = h->actors[i].parent;

	return h->actors[i].announced && p > 0 && p < h->nactors && model != NULL &&
	       strcmp(h->actors[p].model, model) == 0;
}

/* A name too wide for the label: a traced program's thread
 * ("python3.13649") keeps its number whole and gives up the end of its
 * command's name ("python…13649"), so the tid shown is the real one. */
static void fit_name(char *out, size_t len, const char *name, int room, bool ascii)
{
	const char *dot = strrchr(name, '.');
	const char *mark = ascii ? "~" : "…";
	int tail = dot != NULL ? (int)strlen(dot + 1) : 0;
	int head = room - tail - 1;

	if (dot == NULL || head < 1 || strspn(dot + 1, "0123456789-") != (size_t)tail) {
		snprintf(out, len, "%s", name);
		return;
	}
	snprintf(out, len, "%.*s%s%s", head, name, mark, dot + 1);
}

/* The number that ends last when first and last differ only by it
 * ("11" of "S.co1" and "S.co11"); NULL else. */
static const char *tail_number(const char *first, const char *last)
{
	size_t n = strcspn(first, "0123456789");

	if (first[n] == '\0' || first[n + strspn(first + n, "0123456789")] != '\0' ||
	    strncmp(first, last, n) != 0 || last[n] == '\0' ||
	    last[n + strspn(last + n, "0123456789")] != '\0')
		return NULL;
	return last + n;
}

/* A group: "×200 blocking"; of children with their parent's model, their
 * names, "×30 S.1–S.30", or "×11 S.co1–11" when that is what fits the
 * label ("×300 of S", "S 的 ×300" else). */
static void group_label(struct grid *g, const struct tui_state *s, const struct trace_hdr *h,
			const struct lanes_scratch *sc, const struct lane *ln)
{
	int first = sc->order[ln->first], last = sc->order[ln->first + ln->n - 1];
	const char *parent, *tail = h->actors[last].name, *num;
	char text[160];

	if (!same_model_as_parent(h, first, h->actors[first].model)) {
		grid_printf(g, 0, ln->row, ROLE_TEXT, LABEL_W - 1, "×%d %s", ln->n,
			    h->actors[first].model);
		return;
	}
	parent = h->actors[h->actors[first].parent].name;
	snprintf(text, sizeof text, "×%d %s–%s", ln->n, h->actors[first].name, tail);
	if (grid_width(text) > LABEL_W - 1 && (num = tail_number(h->actors[first].name, tail)) != NULL)
		snprintf(text, sizeof text, "×%d %s–%s", ln->n, h->actors[first].name, num);
	if (grid_width(text) > LABEL_W - 1)
		snprintf(text, sizeof text, L2(s, "×%d of %s", "%2$s 的 ×%1$d"), ln->n, parent);
	grid_put(g, 0, ln->row, ROLE_TEXT, text, LABEL_W - 1);
}

/* The names, after the fold: a model that changed shows as it is now. */
static void lane_labels(struct grid *g, const struct tui_state *s, const struct lanes_scratch *sc,
			int nl)
{
	const struct trace_hdr *hd = trace_hdr_c(s->t);
	char words[512];

	for (int l = 0; l < nl; l++) {
		const struct lane *ln = &sc->lanes[l];
		int i = sc->order[ln->first];
		const struct view_actor *a = view_actor_c(&sc->v, i);
		const char *model = a != NULL && a->model != NULL ? a->model : hd->actors[i].model;

		if (ln->group) {
			group_label(g, s, hd, sc, ln);
			render__group_words(s, &sc->v, sc, ln, words, sizeof words);
			grid_put(g, 2, ln->row + 1, ROLE_TEXT, words, g->w - 3);
			continue;
		}
		if (grid_width(hd->actors[i].name) > LABEL_W - 1) {
			char name[64];

			fit_name(name, sizeof name, hd->actors[i].name, LABEL_W - 1, s->ascii);
			grid_put(g, 0, ln->row, ROLE_TEXT, name, LABEL_W - 1);
		} else if (same_model_as_parent(hd, i, model)) {
			grid_put(g, 0, ln->row, ROLE_TEXT, hd->actors[i].name, LABEL_W - 1);
		} else {
			grid_printf(g, 0, ln->row, ROLE_TEXT, LABEL_W - 1, "%s %s",
				    hd->actors[i].name, model);
		}
		grid_put(g, 2, ln->row + 1, ROLE_DIM, L2(s, "kernel", "内核"), LABEL_W - 3);
		if (ln->queue)
			queue_row(g, s, &sc->v, i, ln->row + 2);
	}
}

/* ---- columns ---- */

/* The first event of the window: as many columns back from the cursor as
 * fit, counting only events that get a column, and no more than
 * WINDOW_WALK events a column back (a long run of kernel samples and
 * nothing else would make every frame walk it). */
#define WINDOW_WALK 8

static size_t window_start(const struct tui_state *s, int cols)
{
	size_t i = s->cursor, walk = (size_t)(cols > 0 ? cols : 0) * WINDOW_WALK;
	size_t stop = i > walk ? i - walk : 0;

	while (i > stop && cols > 0)
		if (is_tick(s, --i))
			cols--;
	return i;
}

/* When several events share a screen column (the whole run, fitted), the
 * one that tells most wins: an arrival, a copy, a try, a block. */
static int weight(int role, wchar_t ch)
{
	static const int w[ROLE_MAX] = {
		[ROLE_READY] = 8, [ROLE_COPY] = 7, [ROLE_POLL] = 6, [ROLE_BLOCKED] = 5,
		[ROLE_WAIT] = 4, [ROLE_RUNNING] = 3, [ROLE_IDLE] = 2, [ROLE_DIM] = 1,
	};

	return ch == L' ' ? 0 : w[role];
}

/* Where each event goes.  Stepping: one column each, the newest that fit.
 * The whole run fitted: an event that changes some lane's cells keeps a
 * column of its own while they fit, and the runs of unchanged columns
 * between them (a long wait, chatting) shrink to share what is left. */
struct fit {
	bool whole;
	double quiet_w;           /* the width of an unchanged column */
	double scale;             /* screen columns per unit of width */
	double at;                /* the width so far */
	int cols, x;              /* columns; the last event's */
	int cw;                   /* screen cells per column (the classroom: 2) */
	bool fresh;               /* the last event began a screen column */
	int nl;                   /* lanes shown */
};

static bool tick_changes(const struct fit *f, const struct tui_state *s, struct lanes_scratch *sc,
			 const struct trace_ev *ev)
{
	bool changed = false;

	for (int l = 0; l < f->nl; l++) {
		wchar_t ch[2];
		int role[2];

		lane_cells(s, &sc->v, ev, sc, &sc->lanes[l], ch, role);
		changed |= ch[0] != sc->prev[l][0] || ch[1] != sc->prev[l][1];
		sc->prev[l][0] = ch[0];
		sc->prev[l][1] = ch[1];
	}
	return changed;
}

/* Without memory for the actors past the view's own, their lanes stay
 * blank: the view ignores their events. */
static void fold_more(struct lanes_scratch *sc, const struct tui_state *s, size_t n)
{
	render__seek(s, n, &sc->v, &sc->more);
}

/* The window's first view: sc->start, folded on from the last frame's
 * (a step moves it by a step), copied into sc->v, which the draw then
 * folds on to the cursor. */
static void fold_window(struct lanes_scratch *sc, const struct tui_state *s, size_t first)
{
	render__seek(s, first, &sc->start, &sc->start_more);
	if (view_more_fit(&sc->more, s->t) != 0 || view_copy(&sc->v, &sc->start, &sc->more) != 0)
		fold_more(sc, s, first);
}

/* The whole run: count the events that change something, and those that
 * do not, to share the width between them. */
static void fit_measure(struct fit *f, const struct tui_state *s, struct lanes_scratch *sc)
{
	size_t busy = 0, quiet = 0;

	fold_more(sc, s, 0);
	for (size_t i = 0; i < s->cursor; i++) {
		struct trace_ev ev = *render__ev(s, i);

		view_apply(&sc->v, &ev);
		if (!is_tick(s, i))
			continue;
		if (tick_changes(f, s, sc, &ev))
			busy++;
		else
			quiet++;
	}
	memset(sc->prev, 0, (size_t)sc->cap * sizeof *sc->prev);
	if (busy + quiet <= (size_t)f->cols) {
		f->whole = false;             /* it fits at one column each */
		return;
	}
	f->quiet_w = busy < (size_t)f->cols ? (double)((size_t)f->cols - busy) / (double)quiet : 0;
	f->scale = busy < (size_t)f->cols ? 1 : (double)f->cols / (double)busy;
}

static void fit_next(struct fit *f, const struct tui_state *s, struct lanes_scratch *sc,
		     const struct trace_ev *ev)
{
	int x = f->x + 1;

	if (f->whole) {
		double w = tick_changes(f, s, sc, ev) ? 1 : f->quiet_w;

		x = (int)(f->at * f->scale);
		x = x < f->cols ? x : f->cols - 1;
		f->at += w;
	}
	f->fresh = x != f->x;
	f->x = x;
}

static void put_cell(struct grid *g, const struct fit *f, int y, int role, wchar_t ch)
{
	int x = LABEL_W + f->x * f->cw;
	const struct cell *c = &g->cells[y * g->w + x];

	if (f->fresh || weight(role, ch) > weight(c->role, c->ch))
		for (int k = 0; k < f->cw; k++)
			grid_set(g, x + k, y, role, ch);
}

/* One event's column in every lane. */
static void lanes_tick(struct grid *g, const struct tui_state *s, const struct fit *f,
		       struct lanes_scratch *sc, const struct trace_ev *ev)
{
	for (int k = 0; k < f->nl; k++) {
		struct lane *l = &sc->lanes[k];
		int a = l->group ? -1 : sc->order[l->first];
		wchar_t ch[2];
		int role[2];

		if (ev->actor == a && ev->kind == TRACE_ENTER)
			l->span_start = f->x * f->cw;
		lane_cells(s, &sc->v, ev, sc, l, ch, role);
		put_cell(g, f, l->row, role[0], ch[0]);
		if (!l->group)
			put_cell(g, f, l->row + 1, role[1], ch[1]);
		if (ev->actor == a && ev->kind == TRACE_EXIT) {
			const struct view_actor *va = view_actor_c(&sc->v, a);

			label_span(g, l, ev, LABEL_W, f->x * f->cw + f->cw - 1);
			if (va != NULL && va->last_whole)
				label_whole(g, s, l, LABEL_W, f->x * f->cw + f->cw - 1);
			l->span_start = -1;
		}
	}
}

/* Stepping, the lanes show the newest events that fit, one column each.
 * Once the run is over and the cursor at its end, they show the whole run
 * fitted to the width, so that its beginning (A's first arrival and copy)
 * is on screen again; ← and Home go back to one column per event. */
static void lanes_draw(struct grid *g, const struct tui_state *s, int y, int h,
		       struct lanes_scratch *sc)
{
	int cw = render__lane_col_w(g, s), n, hidden;
	struct fit f = { .cw = cw, .cols = (g->w - LABEL_W) / cw, .x = -1,
			 .whole = render__lanes_whole(s) };
	size_t first;

	sc->unsaid = 0;
	if (render__lanes_fit(sc, trace_hdr_c(s->t)->nactors) != 0)
		return;                       /* no memory: an empty pane */
	n = render__lane_order(s->t, sc);
	f.nl = render__lane_plan(s->t, sc, n, h, 2, render__page_text(s), &hidden);
	memset(sc->prev, 0, (size_t)sc->cap * sizeof *sc->prev);
	lane_rows(g, s, sc, f.nl, hidden, y, h);
	if (f.whole)
		fit_measure(&f, s, sc);
	first = f.whole ? 0 : window_start(s, f.cols);
	if (f.whole)
		fold_more(sc, s, first);
	else
		fold_window(sc, s, first);
	for (size_t i = first; i < s->cursor; i++) {
		struct trace_ev ev = *render__ev(s, i);

		view_apply(&sc->v, &ev);
		if (!is_tick(s, i))
			continue;
		fit_next(&f, s, sc, &ev);
		lanes_tick(g, s, &f, sc, &ev);
	}
	lane_labels(g, s, sc, f.nl);
}

bool render__lanes_whole(const struct tui_state *s)
{
	return s->ended && s->cursor == trace_count(s->t) && s->cursor <= LANES_WHOLE_MAX;
}

/* The whole run's rows as kept: same trace, length, place and style. */
static bool whole_kept(const struct grid *g, const struct tui_state *s, int y, int h,
		       const struct lanes_scratch *sc)
{
	return sc->whole.valid && sc->whole.serial == trace_serial(s->t) &&
	       sc->whole.count == trace_count(s->t) && sc->whole.w == g->w &&
	       sc->whole.y == y && sc->whole.h == h && sc->whole.lang == s->lang &&
	       sc->whole.theme == s->theme && sc->whole.ascii == s->ascii;
}

static void whole_keep(const struct grid *g, const struct tui_state *s, int y, int h,
		       struct lanes_scratch *sc)
{
	size_t n = (size_t)g->w * (size_t)h;
	struct cell *c = realloc(sc->whole.cells, n * sizeof *c);

	sc->whole.valid = false;
	if (c == NULL)
		return;                       /* drawn again next time */
	sc->whole.cells = c;
	memcpy(c, &g->cells[(size_t)y * (size_t)g->w], n * sizeof *c);
	sc->whole.valid = true;
	sc->whole.serial = trace_serial(s->t);
	sc->whole.count = trace_count(s->t);
	sc->whole.w = g->w;
	sc->whole.y = y;
	sc->whole.h = h;
	sc->whole.lang = s->lang;
	sc->whole.theme = s->theme;
	sc->whole.ascii = s->ascii;
	sc->whole.unsaid = sc->unsaid;
}

/* The whole run fitted (a run over, its end shown, at most
 * LANES_WHOLE_MAX events) walks every event twice: once per trace and
 * size, then its rows are kept. */
void render__lanes_in(struct grid *g, const struct tui_state *s, int y, int h,
		      struct lanes_scratch *sc)
{
	bool whole = render__lanes_whole(s);

	if (h <= 0 || y < 0 || y + h > g->h) {
		lanes_draw(g, s, y, h, sc);
		return;
	}
	if (whole && whole_kept(g, s, y, h, sc)) {
		memcpy(&g->cells[(size_t)y * (size_t)g->w], sc->whole.cells,
		       (size_t)g->w * (size_t)h * sizeof *sc->whole.cells);
		sc->unsaid = sc->whole.unsaid;
		return;
	}
	lanes_draw(g, s, y, h, sc);
	if (whole)
		whole_keep(g, s, y, h, sc);
}
