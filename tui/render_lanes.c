/* render_lanes.c: the timeline, one lane per actor: a user row (what the
 * thread is doing) and a kernel row (the read's phase).  The scale is
 * event-ordered: one column per event, so a 3 µs copy gets a column just
 * as a 2 s wait does; real durations are printed on the spans. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "trace/narrate.h"
#include "tui/render_int.h"

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

static bool is_wait_call(int call)
{
	return call == TRACE_CALL_SELECT || call == TRACE_CALL_POLL ||
	       call == TRACE_CALL_EPOLL_WAIT;
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
	} else if (a->call != 0 && (is_wait_call(a->call) ||
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
	int n = 0, per = 2;          /* classroom: a double-height user row */

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
		if (s->theme != THEME_CLASSROOM)
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

void render__lanes(struct grid *g, const struct tui_state *s, int y, int h)
{
	static struct view v;          /* large: not on the stack */
	struct lane lanes[TRACE_MAX_ACTORS];
	const struct glyphs *gl = render__glyphs(s);
	int cols = g->w - LABEL_W, col = -1, nact = trace_hdr_c(s->t)->nactors;
	size_t first = window_start(s, cols);

	lane_labels(g, s, lanes, y, h);
	view_fold(&v, s->t, first);
	for (size_t i = first; i < s->cursor; i++) {
		const struct trace_ev *ev = trace_at(s->t, i);

		view_apply(&v, ev);
		if (!is_tick(s->t, i))
			continue;
		col++;
		for (int a = 1; a < nact; a++) {
			struct lane *l = &lanes[a];
			wchar_t ch;
			int role;

			if (l->row < 0)
				continue;
			if (ev->actor == a && ev->kind == TRACE_ENTER)
				l->span_start = col;
			user_cell(gl, &v.actors[a], ev, a, &ch, &role);
			grid_set(g, LABEL_W + col, l->row, role, ch);
			if (s->theme == THEME_CLASSROOM) {
				grid_set(g, LABEL_W + col, l->row + 1, role, ch);    /* twice as tall */
			} else {
				kernel_cell(gl, &v.actors[a], ev, a, &ch, &role);
				grid_set(g, LABEL_W + col, l->row + 1, role, ch);
			}
			if (ev->actor == a && ev->kind == TRACE_EXIT) {
				label_span(g, l, ev, LABEL_W, col);
				l->span_start = -1;
			}
		}
	}
}
