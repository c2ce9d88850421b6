/* render_lanes.c: the timeline, one lane per actor: a user row (what the
 * thread is doing) and a kernel row (the read's phase).  The scale is
 * event-ordered: one column per event, so a 3 µs copy gets a column just
 * as a 2 s wait does; real durations are printed on the spans. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "view/narrate.h"
#include "view/render_int.h"

#define LABEL_W 14

/* Events that get a column of their own (idle time in slices gets one). */
static bool is_tick(const struct trace *t, size_t i)
{
	const struct trace_ev *ev = trace_at(t, i);

	switch (ev->kind) {
	case TRACE_STATE: case TRACE_SET: case TRACE_CAPTION: case TRACE_LOST:
	case TRACE_NOTE:
		return false;
	case TRACE_IDLE:
		return !render__idle_again(t, i);
	case TRACE_PHASE:
		/* A phase's end comes with the next phase's begin or the
		 * call's return: no column between the two. */
		return !(ev->flags & TRACE_F_END);
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
	} else if (a->call != 0 && (trace_call_is_wait(a->call) ||
		   (a->phase == TRACE_PH_WAIT && a->phase_blocked))) {
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
	} else if (a->phase == TRACE_PH_WAIT) {
		*ch = gl->wait, *role = ROLE_WAIT;
	} else if (a->phase == TRACE_PH_COPY) {
		*ch = gl->copy, *role = ROLE_COPY;
	} else {
		*ch = L' ', *role = ROLE_TEXT;
	}
}

struct lane {
	int row;                  /* y of the user row, -1 when not shown */
	int span_start;           /* column where the current call began */
};

/* On a call's return, its name and real duration on the span it drew. */
static void label_span(struct grid *g, const struct lane *l, const struct trace_ev *ev,
		       int x0, int col)
{
	char d[32], text[64];
	int room = col - l->span_start, role;
	const char *call = trace_call_name(ev->call);

	if (call == NULL || l->span_start < 0 || ev->dur_ns < 1000000)
		return;
	narrate_dur(ev->dur_ns, d, sizeof d);
	snprintf(text, sizeof text, "%s %s", call, d);
	if (grid_width(text) + 1 > room) {
		snprintf(text, sizeof text, "%s", d);
		if (grid_width(text) + 1 > room)
			return;
	}
	role = g->cells[l->row * g->w + x0 + l->span_start].role;
	grid_put(g, x0 + l->span_start + (room - grid_width(text)) / 2, l->row, role, text, 0);
}

int render__lanes_height(const struct tui_state *s)
{
	int n = 0, per = 2;          /* a user row and a kernel row */

	for (int i = 1; i < s->v->nactors; i++)
		n += render__is_model(s, i);
	return n * per;
}

static void lane_labels(struct grid *g, const struct tui_state *s, struct lane *lanes,
			int y, int h)
{
	const struct trace_hdr *hd = trace_hdr_c(s->t);
	int per = 2, row = y;

	for (int i = 0; i < hd->nactors; i++) {
		lanes[i].row = -1;
		lanes[i].span_start = -1;
		if (!render__is_model(s, i) || row + per > y + h)
			continue;
		lanes[i].row = row;
		grid_printf(g, 0, row, ROLE_TEXT, LABEL_W - 1, "%s %s", hd->actors[i].name,
			    hd->actors[i].model);
		grid_put(g, 2, row + 1, ROLE_DIM, L2(s, "kernel", "内核"), LABEL_W - 3);
		row += per;
	}
}

/* The first event of the window: as many columns back from the cursor as
 * fit, counting only events that get a column. */
static size_t window_start(const struct tui_state *s, int cols)
{
	size_t i = s->cursor;

	while (i > 0 && cols > 0)
		if (is_tick(s->t, --i))
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

/* One event's cells in one lane: the user row's, then the kernel row's. */
static void tick_cells(const struct tui_state *s, const struct view *v, const struct trace_ev *ev,
		       int a, wchar_t ch[2], int role[2])
{
	const struct glyphs *gl = render__glyphs(s);

	user_cell(gl, &v->actors[a], ev, a, &ch[0], &role[0]);
	/* The classroom keeps the kernel row too: lessons point at its ↓. */
	kernel_cell(gl, &v->actors[a], ev, a, &ch[1], &role[1]);
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
	wchar_t prev[TRACE_MAX_ACTORS][2];
};

static bool tick_changes(struct fit *f, const struct tui_state *s, const struct view *v,
			 const struct trace_ev *ev, const struct lane *lanes)
{
	bool changed = false;

	for (int a = 1; a < trace_hdr_c(s->t)->nactors; a++) {
		wchar_t ch[2];
		int role[2];

		if (lanes[a].row < 0)
			continue;
		tick_cells(s, v, ev, a, ch, role);
		changed |= ch[0] != f->prev[a][0] || ch[1] != f->prev[a][1];
		f->prev[a][0] = ch[0];
		f->prev[a][1] = ch[1];
	}
	return changed;
}

/* The whole run: count the events that change something, and those that
 * do not, to share the width between them. */
static void fit_measure(struct fit *f, const struct tui_state *s, struct view *v,
			const struct lane *lanes)
{
	size_t busy = 0, quiet = 0;

	view_fold(v, s->t, 0);
	for (size_t i = 0; i < s->cursor; i++) {
		const struct trace_ev *ev = trace_at(s->t, i);

		view_apply(v, ev);
		if (!is_tick(s->t, i))
			continue;
		if (tick_changes(f, s, v, ev, lanes))
			busy++;
		else
			quiet++;
	}
	memset(f->prev, 0, sizeof f->prev);
	if (busy + quiet <= (size_t)f->cols) {
		f->whole = false;             /* it fits at one column each */
		return;
	}
	f->quiet_w = busy < (size_t)f->cols ? (double)((size_t)f->cols - busy) / (double)quiet : 0;
	f->scale = busy < (size_t)f->cols ? 1 : (double)f->cols / (double)busy;
}

static void fit_next(struct fit *f, const struct tui_state *s, const struct view *v,
		     const struct trace_ev *ev, const struct lane *lanes)
{
	int x = f->x + 1;

	if (f->whole) {
		double w = tick_changes(f, s, v, ev, lanes) ? 1 : f->quiet_w;

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
		       const struct view *v, const struct trace_ev *ev, struct lane *lanes)
{
	int nact = trace_hdr_c(s->t)->nactors;

	for (int a = 1; a < nact; a++) {
		struct lane *l = &lanes[a];
		wchar_t ch[2];
		int role[2];

		if (l->row < 0)
			continue;
		if (ev->actor == a && ev->kind == TRACE_ENTER)
			l->span_start = f->x * f->cw;
		tick_cells(s, v, ev, a, ch, role);
		put_cell(g, f, l->row, role[0], ch[0]);
		put_cell(g, f, l->row + 1, role[1], ch[1]);
		if (ev->actor == a && ev->kind == TRACE_EXIT) {
			label_span(g, l, ev, LABEL_W, f->x * f->cw + f->cw - 1);
			l->span_start = -1;
		}
	}
}

/* Stepping, the lanes show the newest events that fit, one column each.
 * Once the run is over and the cursor at its end, they show the whole run
 * fitted to the width, so that its beginning (A's first arrival and copy)
 * is on screen again; ← and Home go back to one column per event. */
void render__lanes(struct grid *g, const struct tui_state *s, int y, int h)
{
	static struct view v;          /* large: not on the stack */
	int cw = render__lane_col_w(g, s);
	struct fit f = { .cw = cw, .cols = (g->w - LABEL_W) / cw, .x = -1,
			 .whole = s->ended && s->cursor == trace_count(s->t) };
	struct lane lanes[TRACE_MAX_ACTORS];
	size_t first;

	lane_labels(g, s, lanes, y, h);
	if (f.whole)
		fit_measure(&f, s, &v, lanes);
	first = f.whole ? 0 : window_start(s, f.cols);
	view_fold(&v, s->t, first);
	for (size_t i = first; i < s->cursor; i++) {
		const struct trace_ev *ev = trace_at(s->t, i);

		view_apply(&v, ev);
		if (!is_tick(s->t, i))
			continue;
		fit_next(&f, s, &v, ev, lanes);
		lanes_tick(g, s, &f, &v, ev, lanes);
	}
}
