/* render.c: the screen's layout, and the story pane.  The bars and
 * boxes around it (title, keys, help, "too small") are in render_keys.c. */
#include <stdio.h>
#include <string.h>

#include "trace/narrate.h"
#include "tui/render_int.h"

static const struct glyphs utf8_glyphs = {
	.blocked = L'█', .copy = L'▓', .wait = L'░', .idle = L'·', .poll = L'?',
	.run = L'─', .ready = L'◆', .arrive = L'↓', .done = L'✓', .hrule = L'─',
	.vrule = L'│', .play = "▶", .pause = "❚❚",
};

static const struct glyphs ascii_glyphs = {
	.blocked = L'#', .copy = L'=', .wait = L'-', .idle = L'.', .poll = L'?',
	.run = L'_', .ready = L'*', .arrive = L'v', .done = L'+', .hrule = L'-',
	.vrule = L'|', .play = ">", .pause = "||",
};

const struct glyphs *render__glyphs(const struct tui_state *s)
{
	return s->ascii ? &ascii_glyphs : &utf8_glyphs;
}

static const char *model_of(const struct tui_state *s, int actor)
{
	const struct trace_hdr *h = trace_hdr_c(s->t);

	return actor > 0 && actor < h->nactors ? h->actors[actor].model : "";
}

bool render__is_model(const struct tui_state *s, int actor)
{
	return *model_of(s, actor) != '\0';
}

bool render__is_mux(const struct tui_state *s, int actor)
{
	static const char *const mux[] = { "select", "poll", "epoll", "epoll-et" };

	for (int i = 0; i < 4; i++)
		if (strcmp(model_of(s, actor), mux[i]) == 0)
			return true;
	return false;
}

bool render__is_epoll(const struct tui_state *s, int actor)
{
	return strncmp(model_of(s, actor), "epoll", 5) == 0;
}

void render__rule(struct grid *g, const struct tui_state *s, int y, const char *label)
{
	grid_fill(g, 0, y, g->w, ROLE_DIM, render__glyphs(s)->hrule);
	if (label != NULL && *label != '\0')
		grid_printf(g, 2, y, ROLE_DIM, g->w - 4, " %s ", label);
}

/* Wrap text into rows [y, y+h) at word boundaries (or anywhere, for text
 * without spaces such as Chinese).  Returns rows used. */
int render__wrap(struct grid *g, int x, int y, int w, int h, int role, const char *text)
{
	int row = 0;

	while (*text != '\0' && row < h) {
		char line[512];
		int cut = 0, last_space = -1, width = 0;

		while (text[cut] != '\0' && cut < (int)sizeof line - 8) {
			int n = 1, cw;
			char one[8];

			while ((text[cut + n] & 0xC0) == 0x80)
				n++;
			memcpy(one, text + cut, (size_t)n);
			one[n] = '\0';
			cw = grid_width(one);
			if (width + cw > w)
				break;
			if (text[cut] == ' ')
				last_space = cut;
			width += cw;
			cut += n;
			if (cw == 2)            /* CJK text may break after any character */
				last_space = cut;
		}
		if (text[cut] != '\0' && last_space > 0)
			cut = last_space;
		memcpy(line, text, (size_t)cut);
		line[cut] = '\0';
		grid_put(g, x, y + row, role, line, w);
		text += cut;
		while (*text == ' ')
			text++;
		row++;
	}
	return row;
}

/* Idle time in slices shows once, as in the plain narration: an idle
 * event right after another of its actor's (its state samples aside). */
bool render__idle_again(const struct trace *t, size_t i)
{
	int actor = trace_at(t, i)->actor;

	while (i-- > 0) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->actor == actor && ev->kind != TRACE_STATE)
			return ev->kind == TRACE_IDLE;
	}
	return false;
}

/* Wrap text that may hold line breaks: each line wraps on its own. */
static int wrap_lines(struct grid *g, int x, int y, int w, int h, int role, const char *text)
{
	char line[2048];
	int used = 0;

	while (*text != '\0' && used < h) {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) : strlen(text);

		if (n >= sizeof line)
			n = sizeof line - 1;
		memcpy(line, text, n);
		line[n] = '\0';
		used += n == 0 ? 1 : render__wrap(g, x, y + used, w, h - used, role, line);
		text += n + (nl != NULL);
	}
	return used;
}

static const char *caption_of(const struct tui_state *s)
{
	if (s->page != NULL)
		return s->page;
	const char *cap = s->v->caption[s->lang == 1];

	if (cap == NULL || *cap == '\0')
		cap = s->v->caption[0];
	return cap != NULL ? cap : "";
}

/* Rows the caption (or a lesson's page) needs at this width. */
static int caption_rows(struct grid *g, const struct tui_state *s)
{
	int max = s->page ? g->h / 2 : 4, n;
	struct grid scratch;

	if (grid_init(&scratch, g->w, max) != 0)
		return 3;
	n = wrap_lines(&scratch, 1, 0, g->w - 2, max, ROLE_TEXT, caption_of(s));
	grid_free(&scratch);
	return n;
}

/* The story so far: the caption, then the latest events in words, the
 * newest at the bottom. */
static void story(struct grid *g, const struct tui_state *s, int y, int h)
{
	static struct view before;
	char line[600];
	int used, room, n = 0;
	size_t idx[64];

	used = wrap_lines(g, 1, y, g->w - 2, s->page ? h - 1 : h - 1 < 4 ? h - 1 : 4,
			  s->page ? ROLE_TEXT : ROLE_CAPTION, caption_of(s));
	room = h - used;
	for (size_t i = s->cursor; i-- > 0 && n < room && n < 64;) {
		const struct trace_ev *ev = trace_at(s->t, i);

		if (ev->kind == TRACE_CAPTION || ev->kind == TRACE_LOST ||
		    (ev->kind == TRACE_IDLE && render__idle_again(s->t, i)))
			continue;
		idx[n++] = i;
	}
	/* One fold to the oldest line shown, then forward event by event. */
	if (n > 0)
		view_fold(&before, s->t, idx[n - 1]);
	for (int r = 0; r < n; r++) {
		size_t at = idx[n - 1 - r];
		const struct trace_ev *ev = trace_at(s->t, at);

		while (before.n < at)
			view_apply(&before, trace_at(s->t, before.n));
		if (narrate_line(s->t, s->lang, &before, ev, line, sizeof line))
			grid_printf(g, 1, y + used + r, r == n - 1 ? ROLE_TEXT : ROLE_DIM, g->w - 2,
				    "%7.3fs %-6s %s", ev->t_ns / 1e9, narrate_actor(s->t, ev->actor), line);
	}
}

static bool has_mux(const struct tui_state *s)
{
	for (int i = 1; i < s->v->nactors; i++)
		if (render__is_mux(s, i))
			return true;
	return false;
}

void tui_render(struct grid *g, const struct tui_state *s_in)
{
	struct tui_state clamped = *s_in, *s = &clamped;
	int y, lanes, kern = 0, mux, story_h, avail, need;
	bool classroom = s->theme == THEME_CLASSROOM;

	if (s->cursor > trace_count(s->t))
		s->cursor = trace_count(s->t);
	grid_clear(g);
	if (g->w < TUI_MIN_W || g->h < TUI_MIN_H) {
		render__too_small(g, s);
		return;
	}
	render__title_bar(g, s);
	lanes = render__lanes_height(s);
	for (int i = 1; i < s->v->nactors && !classroom; i++)
		kern += render__is_model(s, i);
	mux = has_mux(s) ? 5 : 0;
	/* Rows: title, lanes, rule, [mux, rule], kernel, rule, story, keys.
	 * The story takes what is left: at least the whole caption and the
	 * latest event. */
	avail = g->h - 2 - 1 - (kern ? 1 : 0) - (mux ? 1 : 0);
	story_h = avail - lanes - mux - kern;
	need = caption_rows(g, s) + 1;
	while (story_h < need && mux > 3)
		mux--, story_h++;
	while (story_h < need && kern > 0)
		kern--, story_h++;
	/* The lanes stay whole for a lesson page, which is cut instead (it
	 * reads whole on a taller terminal); a caption may take them down. */
	while (story_h < (s->page ? 4 : need) && lanes > 2)
		lanes--, story_h++;
	y = 1;
	render__lanes(g, s, y, lanes);
	y += lanes;
	render__rule(g, s, y++, L2(s, "event-ordered scale: one column per event; durations are real",
				  "按事件排列的刻度：每列一个事件；时长为真实测量值"));
	if (mux > 0) {
		render__mux(g, s, y, mux);
		y += mux;
		render__rule(g, s, y++, kern > 0 ? L2(s, "the kernel's own word (/proc/self/task/TID)",
						      "内核自己的说法（/proc/self/task/TID）") : NULL);
	}
	if (kern > 0) {
		render__kernel(g, s, y, kern);
		y += kern;
		render__rule(g, s, y++, NULL);
	}
	story(g, s, y, g->h - 1 - y);
	render__keys_bar(g, s, g->h - 1);
	if (s->help)
		render__help_box(g, s);
}

void tui_render_menu(struct grid *g, const struct tui_menu *m)
{
	int top = 3, rows = g->h - top - 3, first = 0;

	grid_clear(g);
	grid_fill(g, 0, 0, g->w, ROLE_TITLE, L' ');
	grid_printf(g, 1, 0, ROLE_TITLE, g->w - 2, "ioscope · %s", m->title);
	if (m->n == 0)
		grid_put(g, 2, top, ROLE_ALERT, m->lang == 1 ? "没有找到课程（lessons/）" :
			 "no lessons found (lessons/)", g->w - 4);
	if (m->sel >= rows)
		first = m->sel - rows + 1;
	for (int i = first; i < m->n && i - first < rows; i++) {
		int y = top + i - first;

		if (i == m->sel)
			grid_fill(g, 1, y, g->w - 2, ROLE_KEY, L' ');
		grid_printf(g, 2, y, i == m->sel ? ROLE_KEY : ROLE_TEXT, g->w - 6, "%s %s",
			    m->done[i] ? (m->ascii ? "+" : "✓") : " ", m->items[i]);
	}
	grid_fill(g, 0, g->h - 1, g->w, ROLE_TITLE, L' ');
	grid_put(g, 1, g->h - 1, ROLE_TITLE, m->lang == 1 ?
		 "↑↓ 选择  回车 打开  q 退出    ✓ = 已学完" :
		 "↑↓ choose  Enter open  q quit    ✓ = finished", g->w - 2);
}
