/* render.c: the screen's layout, and the story pane.  The bars and
 * boxes around it (title, keys, help, "too small") are in render_keys.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lessons/lesson.h"
#include "view/narrate.h"
#include "view/render_int.h"

static const struct glyphs utf8_glyphs = {
	.blocked = L'█', .copy = L'▓', .wait = L'░', .idle = L'·', .poll = L'?',
	.run = L'─', .ready = L'◆', .arrive = L'↓', .done = L'✓', .hrule = L'─',
	.vrule = L'│', .play = "▶", .pause = "❚❚", .parked = L'┄', .full = "■", .empty = "□",
	.whole = L'▒',
};

static const struct glyphs ascii_glyphs = {
	.blocked = L'#', .copy = L'=', .wait = L'-', .idle = L'.', .poll = L'?',
	.run = L'_', .ready = L'*', .arrive = L'v', .done = L'+', .hrule = L'-',
	.vrule = L'|', .play = ">", .pause = "||", .parked = L'~', .full = "#", .empty = ".",
	.whole = L':',
};

const struct glyphs *render__glyphs(const struct tui_state *s)
{
	return s->ascii ? &ascii_glyphs : &utf8_glyphs;
}

/* An actor runs a model when the view gives it one (the header's, or the
 * last TRACE_MODEL's); the world and the clients it plays have none, nor
 * an actor that has not appeared yet. */
bool render__is_model(const struct tui_state *s, int actor)
{
	const struct view_actor *a = actor > 0 ? view_actor_c(s->v, actor) : NULL;

	return a != NULL && a->model != NULL && *a->model != '\0';
}

/* The caps of the model the actor runs now, from the view. */
unsigned render__caps(const struct tui_state *s, int actor)
{
	const struct view_actor *a = actor > 0 ? view_actor_c(s->v, actor) : NULL;

	return a != NULL ? a->caps : 0;
}

/* A readiness set handed in whole (select, poll) or an interest list
 * kept in the kernel (epoll, a loop over it): the multiplexers' pane.
 * True only for an actor the view holds (view_actor_c is not NULL). */
bool render__is_mux(const struct tui_state *s, int actor)
{
	return render__caps(s, actor) & (TRACE_CAP_SET | TRACE_CAP_INTEREST);
}

bool render__is_epoll(const struct tui_state *s, int actor)
{
	return render__caps(s, actor) & TRACE_CAP_INTEREST;
}

/* A rule with its label, which keeps clear of the last right columns
 * (a marker drawn there): cut at a word with "…", or dropped when not
 * even a word fits. */
static void rule_clear_of(struct grid *g, const struct tui_state *s, int y, const char *label, int right)
{
	char fitted[512];
	int cols = g->w - 6 - right;

	grid_fill(g, 0, y, g->w, ROLE_DIM, render__glyphs(s)->hrule);
	if (label == NULL || *label == '\0' || cols < 8)
		return;
	render__fit(fitted, sizeof fitted, label, cols, s->ascii);
	if (grid_width(fitted) > 1)
		grid_printf(g, 2, y, ROLE_DIM, cols + 2, " %s ", fitted);
}

void render__rule(struct grid *g, const struct tui_state *s, int y, const char *label)
{
	rule_clear_of(g, s, y, label, 0);
}

/* One UTF-8 character at s: its length in bytes (1 to 4, never past the
 * end of the string), its code point and its width in columns. */
static int char_at(const char *s, unsigned *cp, int *cw)
{
	unsigned char b = (unsigned char)s[0];
	int n = 1;
	char one[8];

	while (n < 4 && (s[n] & 0xC0) == 0x80)
		n++;
	if (b < 0x80 || n == 1)
		*cp = b;
	else
		*cp = (b & (0x7F >> n)) << (6 * (n - 1));
	for (int i = 1; i < n && b >= 0x80; i++)
		*cp |= (unsigned)(s[i] & 0x3F) << (6 * (n - 1 - i));
	memcpy(one, s, (size_t)n);
	one[n] = '\0';
	*cw = grid_width(one);
	return n;
}

static bool in_set(unsigned c, const unsigned *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == c)
			return true;
	return false;
}

/* Chinese line breaking (kinsoku): no row starts with closing punctuation
 * and none ends with an opening bracket or quote.  The ASCII ones matter
 * only next to a wide character: English breaks at spaces anyway. */
static bool is_closing(unsigned c)
{
	static const unsigned set[] = {
		0xFF0C, 0x3002, 0x3001, 0xFF1B, 0xFF1A, 0xFF1F, 0xFF01, 0xFF09,
		0x300D, 0x300F, 0x201D, 0x2019, 0x300B, 0x3009, 0x3011, 0x2026,
		0xFF0E, 0xFF05, 0x3015, 0xFF3D, 0xFF5D,
		',', '.', ';', ':', '!', '?', ')', ']', '}', '%',
	};

	return in_set(c, set, sizeof set / sizeof *set);
}

static bool is_opening(unsigned c)
{
	static const unsigned set[] = {
		0xFF08, 0x300C, 0x300E, 0x201C, 0x2018, 0x300A, 0x3008, 0x3010,
		0x3014, 0xFF3B, 0xFF5B, '(', '[', '{',
	};

	return in_set(c, set, sizeof set / sizeof *set);
}

/* Quotes and title marks (“” ‘’ 「」 『』 《》 〈〉 【】) that keep a short
 * term together. */
static const unsigned quote_open[] = { 0x201C, 0x2018, 0x300C, 0x300E, 0x300A, 0x3008, 0x3010 };
static const unsigned quote_close[] = { 0x201D, 0x2019, 0x300D, 0x300F, 0x300B, 0x3009, 0x3011 };

static bool is_quote_open(unsigned c)
{
	return in_set(c, quote_open, sizeof quote_open / sizeof *quote_open);
}

static bool is_quote_close(unsigned c)
{
	return in_set(c, quote_close, sizeof quote_close / sizeof *quote_close);
}

/* May a row end between a (aw columns) and b (bw columns)?  Spaces are
 * break points of their own; otherwise only next to a wide character,
 * and never before closing or after opening punctuation. */
static bool may_break(unsigned a, int aw, unsigned b, int bw)
{
	if (aw != 2 && bw != 2)
		return false;             /* the common case, without the sets */
	return !(a == ' ' || b == ' ' || is_closing(b) || is_opening(a));
}

/* Does closing punctuation follow the spaces at text?  ("阶段 …" keeps
 * its ellipsis.) */
static bool closing_after(const char *text)
{
	unsigned cp;
	int cw;

	while (*text == ' ')
		text++;
	if (*text == '\0')
		return false;
	char_at(text, &cp, &cw);
	return cp >= 0x80 && is_closing(cp);
}

/* Columns from the quote opening at text up to its close and the closing
 * punctuation right after; a huge width when it does not close on this
 * line within 500 bytes. */
static int quote_width(const char *text)
{
	int at = 0, width = 0, cw;
	unsigned cp;
	bool closed = false;

	while (text[at] != '\0' && text[at] != '\n' && at < 500) {
		int n = char_at(text + at, &cp, &cw);

		if (closed && !is_closing(cp))
			return width;
		if (at > 0 && is_quote_close(cp))
			closed = true;
		else if (at > 0 && is_quote_open(cp))
			break;          /* nested: leave it to the plain rules */
		width += cw;
		at += n;
	}
	return closed ? width : 1 << 20;
}

/* Where to break before the quote still open at end (text[0, end)), if
 * the quote and what must go down with it (an opening bracket before it)
 * fit in w columns whole; else -1. */
static int quote_break(const char *text, int end, int w)
{
	int at = 0, width = 0, last = -1, last_w = 0, open = -1, brk = -1, lead = 0, cw, pw = 0;
	unsigned cp, prev = 0;

	while (at < end) {
		int n = char_at(text + at, &cp, &cw);

		if (at > 0 && may_break(prev, pw, cp, cw)) {
			last = at;
			last_w = width;
		}
		if (is_quote_open(cp)) {
			open = at;
			brk = last;
			lead = width - last_w;
		} else if (is_quote_close(cp)) {
			open = -1;
		}
		width += cw;
		if (cp == ' ' && !closing_after(text + at)) {
			last = at;
			last_w = width;
		}
		prev = cp;
		pw = cw;
		at += n;
	}
	if (open < 0 || brk <= 0 || lead + quote_width(text + open) > w)
		return -1;
	return brk;
}

/* Bytes of text that fit in w columns, up to a line break.  English
 * breaks at the last space; Chinese between any two characters but by the
 * kinsoku rules above, keeping a short quoted term whole.  Text with no
 * break point is cut where it is full.  At most 500 bytes. */
static int row_cut(const char *text, int w)
{
	int cut = 0, brk = -1, width = 0, cw = 0, pw = 0, q;
	unsigned cp = 0, prev = 0;

	while (text[cut] != '\0' && text[cut] != '\n' && cut < 500) {
		int n = char_at(text + cut, &cp, &cw);

		if (cut > 0 && may_break(prev, pw, cp, cw))
			brk = cut;
		if (width + cw > w)
			break;
		if (cp == ' ' && !closing_after(text + cut))
			brk = cut;
		width += cw;
		cut += n;
		prev = cp;
		pw = cw;
	}
	if (text[cut] == '\0' || text[cut] == '\n' || cut >= 500)
		return cut;
	if (brk <= 0)
		return cut;
	q = quote_break(text, brk, w);
	return q > 0 ? q : brk;
}

/* Wrap text into rows [y, y+h) at word boundaries (or anywhere, for text
 * without spaces such as Chinese).  Returns rows used; g NULL: only
 * counts them. */
int render__wrap(struct grid *g, int x, int y, int w, int h, int role, const char *text)
{
	int row = 0;

	while (*text != '\0' && row < h) {
		char line[512];
		int cut = row_cut(text, w);

		memcpy(line, text, (size_t)cut);
		line[cut] = '\0';
		if (g != NULL)
			grid_put(g, x, y + row, role, line, w);
		text += cut;
		while (*text == ' ')
			text++;
		row++;
	}
	return row;
}

/* Idle time in slices shows once, as in the plain narration: an idle
 * event right after another of its actor's (its state samples aside).
 * The look back stops IDLE_WALK events back (others' events, samples):
 * past that an idle slice shows again, and a frame's cost stays bounded. */
#define IDLE_WALK 256

static bool idle_again(const struct tui_state *s, size_t i)
{
	int actor = render__ev(s, i)->actor;
	size_t stop = i > IDLE_WALK ? i - IDLE_WALK : 0;

	while (i-- > stop) {
		const struct trace_ev *ev = render__ev(s, i);

		if (ev->actor == actor && ev->kind != TRACE_STATE)
			return ev->kind == TRACE_IDLE;
	}
	return false;
}

/* Asked of the same events frame after frame (the lanes and the story):
 * kept by event. */
bool render__idle_again(const struct tui_state *s, size_t i)
{
	uint64_t serial = trace_serial(s->t);
	struct render_scratch *r = s->scratch;
	size_t k = i % RENDER_IDLE_KEEP;

	if (r == NULL)
		return idle_again(s, i);
	if (!r->idle[k].valid || r->idle[k].at != i || r->idle[k].serial != serial) {
		r->idle[k].again = idle_again(s, i);
		r->idle[k].valid = true;
		r->idle[k].at = i;
		r->idle[k].serial = serial;
	}
	return r->idle[k].again;
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
	const char *cap = view_caption(s->v, s->lang == 1);

	return cap != NULL ? cap : "";
}

/* Rows the caption needs at this width (at most 4). */
static int caption_rows(const struct grid *g, const struct tui_state *s)
{
	struct render_scratch *r = s->scratch;
	const char *cap = caption_of(s);
	size_t len = strlen(cap);

	if (r->cap_w == g->w && r->cap_len == len && len < sizeof r->cap_text &&
	    memcmp(r->cap_text, cap, len) == 0)
		return r->cap_rows;           /* the same caption as the last frame's */
	r->cap_rows = wrap_lines(NULL, 1, 0, g->w - 2, 4, ROLE_TEXT, cap);
	r->cap_w = len < sizeof r->cap_text ? g->w : 0;
	r->cap_len = len;
	if (r->cap_w != 0)
		memcpy(r->cap_text, cap, len);
	return r->cap_rows;
}

/* Event at's line in the story, made (and kept) if it was not: its
 * narration against the view before it, which is folded there from the
 * seek cache's nearest copy or on from the last line made (the lines are
 * made oldest first).  Without memory for actors past the view's own,
 * their lines read them as not yet appeared. */
static const struct render_story_line *story_line(const struct grid *g, const struct tui_state *s,
						  size_t at)
{
	struct render_story_line *l = &s->scratch->story_lines[at % RENDER_STORY_KEEP];
	uint64_t serial = trace_serial(s->t);
	struct view *before = &s->scratch->story;
	char line[600], full[700];
	struct trace_ev ev;

	if (l->valid && l->at == at && l->serial == serial && l->lang == s->lang &&
	    l->w == g->w && l->ascii == s->ascii)
		return l;
	l->valid = l->said = false;
	render__seek(s, at, before, &s->scratch->story_more);
	ev = *render__ev(s, at);
	if (narrate_line_in(&s->scratch->narrator, s->t, s->lang, before, &ev, line,
			    sizeof line)) {
		snprintf(full, sizeof full, "%7.3fs %-6s %s", ev.t_ns / 1e9,
			 narrate_actor(s->t, ev.actor), line);
		render__fit(l->text, sizeof l->text, full, g->w - 2, s->ascii);
		l->said = true;
	}
	l->valid = true, l->ascii = s->ascii, l->lang = s->lang, l->w = g->w;
	l->serial = serial, l->at = at;
	return l;
}

/* The latest events in words, the newest at the bottom of rows [y, y+h);
 * a line too long ends with "…" at a word.  Returns the lines drawn. */
/* The story looks at most this many events back for its lines. */
#define STORY_WALK 512

static int story_events(struct grid *g, const struct tui_state *s, int y, int h)
{
	/* The classroom double-spaces the story where it has the rows. */
	int n = 0, gap = render__story_gap(s, (h + 1) / 2, h), lines = gap == 2 ? (h + 1) / 2 : h;
	size_t idx[64];

	size_t stop = s->cursor > STORY_WALK ? s->cursor - STORY_WALK : 0;

	for (size_t i = s->cursor; i-- > stop && n < lines && n < 64;) {
		int kind = render__kind(s, i, NULL);

		if (kind == TRACE_CAPTION || kind == TRACE_LOST ||
		    (kind == TRACE_IDLE && render__idle_again(s, i)))
			continue;
		idx[n++] = i;
	}
	for (int r = 0; r < n; r++) {
		const struct render_story_line *l = story_line(g, s, idx[n - 1 - r]);

		if (l->said)
			grid_put(g, 1, y + r * gap, r == n - 1 ? ROLE_TEXT : ROLE_DIM, l->text,
				 g->w - 2);
	}
	return n;
}

/* The story so far: the caption, then the latest events. */
static void story(struct grid *g, const struct tui_state *s, int y, int h)
{
	int used = wrap_lines(g, 1, y, g->w - 2, h - 1 < 4 ? h - 1 : 4, ROLE_CAPTION, caption_of(s));

	story_events(g, s, y + used, h - used);
}

static bool has_mux(const struct tui_state *s)
{
	for (int i = 1; i < s->v->nactors; i++)
		if (render__is_mux(s, i))
			return true;
	return false;
}

/* Rows of the panes above the story (each but the story followed by a
 * rule); 0: not shown. */
struct layout {
	int lanes, mux, kern;
	int story;                /* a lesson page's story block: its lines (below a rule) */
};

/* Every pane at its full height: the lanes, the multiplexers', a row of
 * the kernel's word per model; no story block. */
static void layout_full(const struct tui_state *s, struct layout *l)
{
	*l = (struct layout){ render__lanes_height(s), has_mux(s) ? 5 : 0,
			      render__kernel_height(s), 0 };
}

static int layout_rows(const struct layout *l)
{
	return (l->lanes ? l->lanes + 1 : 0) + (l->mux ? l->mux + 1 : 0) + (l->kern ? l->kern + 1 : 0) +
	       (l->story ? l->story + 1 : 0);
}

/* The kernel pane's rule: where its words come from, ioscope's own
 * threads' or a traced program's (/proc/PID/task/TID); up: it is
 * below the pane. */
static const char *kernel_rule(const struct tui_state *s, bool up)
{
	const struct trace_hdr *h = trace_hdr_c(s->t);
	char pid[16] = "PID";

	if (h->command == NULL)
		return up ? L2(s, "↑ the kernel's own word (/proc/self/task/TID)",
			       "↑ 内核自己的说法（/proc/self/task/TID）") :
			    L2(s, "the kernel's own word (/proc/self/task/TID)",
			       "内核自己的说法（/proc/self/task/TID）");
	if (h->attach_pid > 0)
		snprintf(pid, sizeof pid, "%d", h->attach_pid);
	snprintf(s->scratch->krule, sizeof s->scratch->krule,
		 L2(s, "%sthe kernel's own word (/proc/%s/task/TID)", "%s内核自己的说法（/proc/%s/task/TID）"),
		 up ? "↑ " : "", pid);
	return s->scratch->krule;
}

/* The panes above the story (or a page's text); *last: the label of the
 * rule under them, NULL when it has none.  Returns the row after it. */
static int draw_panes(struct grid *g, const struct tui_state *s, const struct layout *l,
		      const char **last)
{
	int y = 1;
	const char *label;

	*last = NULL;
	if (l->lanes > 0) {
		render__lanes_in(g, s, y, l->lanes, &s->scratch->lanes);
		y += l->lanes;
		/* the lanes fit the whole run once it is over (its end shown) */
		if (render__lanes_whole(s))
			label = L2(s, "the whole run, fitted: quiet stretches share columns; durations are real",
				   "整个运行，压缩显示：平静的时段共用列；时长为真实测量值");
		else if (s->ended && s->cursor == trace_count(s->t))
			label = L2(s, "its last events, one column each (too long to fit); durations are real",
				   "最后的事件，每列一个（运行太长，不压缩显示）；时长为真实测量值");
		else
			label = L2(s, "event-ordered scale: one column per event; durations are real",
				   "按事件排列的刻度：每列一个事件；时长为真实测量值");
		if (s->scratch->lanes.unsaid > 0) {   /* lanes cut, no row to say it */
			snprintf(s->scratch->rule, sizeof s->scratch->rule,
				 s->scratch->lanes.unsaid == 1 ?
				 L2(s, "+%d more lane, not shown · %s", "另有 %d 条泳道未显示 · %s") :
				 L2(s, "+%d more lanes, not shown · %s", "另有 %d 条泳道未显示 · %s"),
				 s->scratch->lanes.unsaid, label);
			label = s->scratch->rule;
		}
		render__rule(g, s, y++, label);
		*last = label;
	}
	if (l->mux > 0) {
		render__mux(g, s, y, l->mux);
		y += l->mux;
		label = l->kern > 0 ? kernel_rule(s, false) : NULL;
		render__rule(g, s, y++, label);
		*last = label;
	}
	if (l->kern > 0) {
		render__kernel(g, s, y, l->kern);
		y += l->kern;
		/* Named above it when a multiplexer's pane is there; else below. */
		label = l->mux > 0 ? NULL : kernel_rule(s, true);
		render__rule(g, s, y++, label);
		*last = label;
	}
	return y;
}

/* ---- a lesson's page ---- */

/* The page's text in rows of w columns; returns how many. */
static int page_split(const char *text, int w, struct render_page_row *r, int max)
{
	const char *s = text;
	int n = 0;

	for (;;) {
		const char *nl = strchr(s, '\n'), *e = nl ? nl : s + strlen(s);

		if (s == e && n < max)
			r[n++] = (struct render_page_row){ (int)(s - text), 0 };
		while (s < e && n < max) {
			int cut = row_cut(s, w);

			if (cut == 0)           /* not even one character fits: skip it */
				while (++cut < e - s && (s[cut] & 0xC0) == 0x80)
					;
			r[n++] = (struct render_page_row){ (int)(s - text), cut };
			s += cut;
			while (s < e && *s == ' ')
				s++;
		}
		if (nl == NULL || n >= max)
			return n;
		s = nl + 1;
	}
}

#define PAGE_STORY_LINES 4          /* a story block's lines when the page names it */
#define PAGE_LEAST_TEXT 6           /* rows of text a page keeps before panes it names */

/* Does the text lack the rows it should have: all of it, or a few and
 * the "more below" marker? */
static bool page_short(int avail, const struct layout *l, int nrows)
{
	int least = nrows <= PAGE_LEAST_TEXT ? nrows : PAGE_LEAST_TEXT + 1;

	return avail - layout_rows(l) < least;
}

/* The lanes given h rows: those a draw uses (fewer when grouped). */
static void lanes_trim(const struct tui_state *s, struct layout *l)
{
	if (l->lanes > 0)
		l->lanes = render__lanes_used(s, l->lanes);
}

/* Rows the lanes' grouping freed go back to the kernel pane and the
 * multiplexer's, up to their full height, while the text keeps its rows:
 * all of them beside a pane the page does not name, else a few. */
static void page_regrow(const struct layout *full, struct layout *l, int avail, int nrows,
			unsigned want)
{
	int least = nrows <= PAGE_LEAST_TEXT ? nrows : PAGE_LEAST_TEXT + 1;

	while (l->kern < full->kern) {
		l->kern++;
		if (avail - layout_rows(l) < ((want & LESSON_PANE_KERNEL) ? least : nrows)) {
			l->kern--;
			break;
		}
	}
	while (l->mux > 0 && l->mux < full->mux) {
		l->mux++;
		if (avail - layout_rows(l) < ((want & LESSON_PANE_MUX) ? least : nrows)) {
			l->mux--;
			break;
		}
	}
}

/* The panes as a draw uses them: the rows a grouping freed go to the
 * kernel pane and the multiplexer's (then the text), and the lanes cut
 * for a kernel pane that then grouped get their groups back. */
static void page_settle(const struct tui_state *s, const struct layout *full, struct layout *l,
			int avail, int nrows, unsigned want)
{
	int grouped = render__lanes_grouped(s, true);

	lanes_trim(s, l);
	page_regrow(full, l, avail, nrows, want);
	if (l->kern > 0)          /* grouped to fit, its actors may need fewer */
		l->kern = render__kernel_rows(s, l->kern);
	if (l->lanes > 0 && l->lanes < grouped && !page_short(avail - (grouped - l->lanes), l, nrows)) {
		l->lanes = grouped;
		lanes_trim(s, l);
	}
}

/* Which panes, and how tall: the panes the page names and its text get
 * the room; the others shrink or hide until the whole text fits.  Lanes
 * too many for the text to keep its rows group (the actors the text names
 * keep their own lanes, then join their group too), and the rows a
 * grouping frees go to the kernel pane, the multiplexer's, the text. */
static void page_layout(struct grid *g, const struct tui_state *s, int nrows, struct layout *l)
{
	const struct tui_page *p = s->page;
	unsigned want = p->show ? p->show : LESSON_PANE_LANES;
	int avail = g->h - 2, keep, grouped;
	struct layout full;

	*l = (struct layout){ 0, 0, 0, 0 };
	if (!p->run)
		return;
	layout_full(s, l);
	full = *l;
	l->story = want & LESSON_PANE_STORY ? PAGE_STORY_LINES : 0;
	if (avail - layout_rows(l) < nrows && !(want & LESSON_PANE_KERNEL))
		l->kern = 0;
	while (avail - layout_rows(l) < nrows && !(want & LESSON_PANE_MUX) && l->mux > 0)
		l->mux = l->mux > 3 ? l->mux - 1 : 0;
	/* What the page names keeps its room unless the text would get less
	 * than a few rows; the lanes keep the actors the text names. */
	keep = render__lanes_keep(s);
	while (page_short(avail, l, nrows) && l->mux > 3)
		l->mux--;
	while (page_short(avail, l, nrows) && l->kern > 0 && !(want & LESSON_PANE_KERNEL))
		l->kern--;
	while (page_short(avail, l, nrows) && l->story > 2)
		l->story--;
	grouped = render__lanes_grouped(s, true);
	if (page_short(avail, l, nrows) && l->lanes > grouped)
		l->lanes = grouped;     /* siblings share a lane; the named keep theirs */
	while (page_short(avail, l, nrows) && l->lanes > keep)
		l->lanes = l->lanes - 2 > keep ? l->lanes - 2 : keep;
	while (page_short(avail, l, nrows) && l->kern > keep / 2)
		l->kern--;              /* its rows are the actors', in the same order */
	if (page_short(avail, l, nrows) && !(want & LESSON_PANE_MUX))
		l->mux = 0;
	while (page_short(avail, l, nrows) && l->lanes > 2 && !(want & LESSON_PANE_LANES))
		l->lanes -= 2;
	/* the named ones too share their group's lane, "×7 S.1–S.7" */
	grouped = render__lanes_grouped(s, false);
	if (page_short(avail, l, nrows) && l->lanes > grouped)
		l->lanes = grouped;
	page_settle(s, &full, l, avail, nrows, want);
}

/* The title of a page without a run. */
static void page_title(struct grid *g, const struct tui_state *s)
{
	grid_fill(g, 0, 0, g->w, ROLE_TITLE, L' ');
	grid_printf(g, 0, 0, ROLE_TITLE, g->w - 1, " ioscope · %s", s->title);
}

/* Bring byte focus of the text into view, with what follows it if it fits. */
static int page_focus(const struct render_page_row *r, int nrows, int focus, int top, int room)
{
	int first = -1, last = nrows - 1;

	for (int i = 0; i < nrows; i++)
		if (r[i].at <= focus)
			first = i;
	if (first < 0)
		return top;
	/* to the end of the paragraph after the focus' first */
	for (int i = first + 1, blank = 0; i < nrows; i++)
		if (r[i].len == 0 && blank++ > 0) {
			last = i - 1;
			break;
		}
	if (last - first + 1 > room)
		return first;
	if (first >= top && last < top + room)
		return top;
	return last - room + 1;
}

/* A lesson page's story block in rows [y, g->h - 1): its rule and name,
 * then the latest events.  Returns the lines of events drawn. */
static int page_story(struct grid *g, const struct tui_state *s, int y)
{
	int h = g->h - 1 - y;

	if (h < 2)
		return 0;
	render__rule(g, s, y, L2(s, "the story: the latest events in words", "事件记录：最近的事件"));
	return story_events(g, s, y + 1, h - 1);
}

static void render_page(struct grid *g, const struct tui_state *s)
{
	struct render_page_row *rows = s->scratch->rows;
	struct tui_page *p = s->page;
	struct layout l;
	const char *last = NULL;
	int nrows = page_split(p->text, g->w - 2, rows, RENDER_PAGE_ROWS), y, h, room, max, told = 0;

	page_layout(g, s, nrows, &l);
	if (p->run) {
		render__title_bar(g, s);
		y = draw_panes(g, s, &l, &last);
	} else {
		page_title(g, s);
		render__rule(g, s, 1, NULL);
		y = 2;
	}
	h = g->h - 1 - y - (l.story ? l.story + 1 : 0);
	room = nrows <= h ? nrows : h - 1;
	max = nrows - room;
	if (p->focus >= 0)
		p->top = page_focus(rows, nrows, p->focus, p->top, room);
	p->focus = -1;
	p->top = p->top < 0 ? 0 : p->top > max ? max : p->top;
	for (int i = 0; i < room; i++) {
		const struct render_page_row *r = &rows[p->top + i];
		char line[512];

		memcpy(line, p->text + r->at, (size_t)r->len);
		line[r->len] = '\0';
		grid_put(g, 1, y + i, ROLE_TEXT, line, g->w - 2);
	}
	if (p->top > 0) {
		char up[64];
		int uw;

		snprintf(up, sizeof up, L2(s, p->top == 1 ? " ↑ %d row above (↑) " : " ↑ %d rows above (↑) ",
					   " ↑ 上面还有 %d 行（按 ↑）"), p->top);
		uw = grid_width(up);
		/* the rule's label gives way to the marker */
		rule_clear_of(g, s, y - 1, last, uw + 1);
		grid_put(g, g->w - 2 - uw, y - 1, ROLE_KEY, up, 0);
	}
	if (p->top < max)
		grid_printf(g, 1, y + room, ROLE_KEY, g->w - 2,
			    L2(s, max - p->top == 1 ? " ↓ %d more row below (↓) " : " ↓ %d more rows below (↓) ",
			       " ↓ 下面还有 %d 行（按 ↓）"), max - p->top);
	/* the story: where the page names it, and in rows the text leaves */
	if (p->run && (l.story > 0 || g->h - 1 - (y + room) >= 3))
		told = page_story(g, s, y + room + (p->top < max));
	p->rows = nrows;
	p->room = room;
	p->shown = (l.lanes ? LESSON_PANE_LANES : 0) | (l.mux ? LESSON_PANE_MUX : 0) |
		   (l.kern ? LESSON_PANE_KERNEL : 0) | (told >= 2 ? LESSON_PANE_STORY : 0);
	render__keys_bar(g, s, g->h - 1);
	if (s->help)
		render__help_box(g, s);
}

struct render_scratch *render_scratch_new(void)
{
	struct render_scratch *r = calloc(1, sizeof *r);   /* each pane fills its part */

	if (r != NULL && (r->seek = seek_new()) == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

struct seek *render_scratch_seek(struct render_scratch *r)
{
	return r->seek;
}

/* The story's lines, the idle answers and the lanes' whole run are kept
 * by trace_serial, never reused: only the copies need dropping. */
void render_scratch_forget(struct render_scratch *r)
{
	seek_forget(r->seek);
}

uint64_t render_scratch_visited(const struct render_scratch *r)
{
	return r->visited + (seek_applied(r->seek) - r->applied0);
}

void render__seek(const struct tui_state *s, size_t n, struct view *v, struct view_more *more)
{
	if (s->scratch != NULL) {
		(void)seek_view(s->scratch->seek, s->t, n, v, more);
		return;
	}
	(void)view_more_fit(more, s->t);
	view_fold_more(v, s->t, n, more);
}

void render_scratch_free(struct render_scratch *r)
{
	if (r == NULL)
		return;
	seek_free(r->seek);
	view_more_free(&r->story_more);
	render__lanes_free(&r->lanes);
	render__lanes_free(&r->kern);
	free(r);
}

/* The screen in a grid of at least TUI_MIN_W x TUI_MIN_H, s->scratch set. */
static void render_screen(struct grid *g, const struct tui_state *s)
{
	struct layout l, full;
	const char *last;
	int avail, story_h, need, y, grouped, used;

	if (s->page != NULL) {
		render_page(g, s);
		return;
	}
	render__title_bar(g, s);
	layout_full(s, &l);
	full = l;
	/* Rows: title, lanes, rule, [mux, rule], kernel, rule, story, keys.
	 * The story takes what is left: at least the whole caption and the
	 * latest event. */
	avail = g->h - 2 - 1 - (l.kern ? 1 : 0) - (l.mux ? 1 : 0);
	story_h = avail - l.lanes - l.mux - l.kern;
	need = caption_rows(g, s) + 1;
	while (story_h < need && l.mux > 3)
		l.mux--, story_h++;
	/* Siblings share a lane before the kernel pane, which names each
	 * thread, gives up its rows. */
	grouped = render__lanes_grouped(s, false);
	if (story_h < need && l.lanes > grouped)
		story_h += l.lanes - grouped, l.lanes = grouped;
	while (story_h < need && l.kern > 0)
		l.kern--, story_h++;
	while (story_h < need && l.lanes > 2)
		l.lanes--, story_h++;
	/* the rows a grouping freed: to the panes cut short, then the story */
	used = l.lanes;
	lanes_trim(s, &l);
	for (story_h += used - l.lanes; story_h > need && l.kern > 0 && l.kern < full.kern;)
		l.kern++, story_h--;
	while (story_h > need && l.mux > 0 && l.mux < full.mux)
		l.mux++, story_h--;
	if (l.kern > 0)          /* grouped to fit, its actors may need fewer */
		l.kern = render__kernel_rows(s, l.kern);
	y = draw_panes(g, s, &l, &last);
	story(g, s, y, g->h - 1 - y);
	render__keys_bar(g, s, g->h - 1);
	if (s->help)
		render__help_box(g, s);
}

void tui_render(struct grid *g, const struct tui_state *s_in)
{
	struct tui_state clamped = *s_in, *s = &clamped;
	struct render_scratch *own = NULL;

	if (s->cursor > trace_count(s->t))
		s->cursor = trace_count(s->t);
	grid_clear(g);
	if (g->w < TUI_MIN_W || g->h < TUI_MIN_H) {
		render__too_small(g, s);
		return;
	}
	if (s->scratch == NULL && (s->scratch = own = render_scratch_new()) == NULL)
		return;
	s->scratch->visited = 0;
	s->scratch->applied0 = seek_applied(s->scratch->seek);
	render_screen(g, s);
	render_scratch_free(own);
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
	render__keys(g, g->h - 1, TUI_SCREEN_MENU, m->lang, m->ascii, m->note, NULL);
	if (m->help)
		render__help(g, TUI_SCREEN_MENU, m->lang, m->ascii, NULL);
}
