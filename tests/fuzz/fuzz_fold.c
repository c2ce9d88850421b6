/* fuzz_fold.c: libFuzzer target for the fold (trace/fold.c), the
 * narration of each event (view/narrate*.c) and the replay screen
 * (view/render*.c, tui/tui_act.c).  Whatever the reader accepts, the screen
 * must show at every step and every event without crashing or hanging.
 *
 * It replays a trace as `ioscope replay` does, minus the terminal: the real
 * key handler (tui__key) steps with → to the end and ← back to the start,
 * then . one event at a time, then g to the last step and the first, and
 * after every key the screen is folded and drawn as tui.c's draw() does,
 * into an off-screen grid.  Every cell must be a printable character: a
 * control character from the trace (an ESC in a caption) must never reach
 * the terminal.  Each event is also narrated, alone (narrate_line, into a
 * normal and a tiny buffer) and as the transcript does (narrate_ev), with
 * the view just before it.
 *
 * The language, theme and glyphs come from the input's length, so a
 * reproducer replays the same way under libFuzzer and under driver.c.
 *
 * To fuzz past a known finding until it is fixed, IOSCOPE_FUZZ_SKIP may
 * name "control": cells holding control characters are then allowed. */
#include <limits.h>
#include <locale.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/fold.h"
#include "view/narrate.h"
#include "trace/trace.h"
#include "view/grid.h"
#include "view/render.h"
#include "tui/screen.h"
#include "tui/tui_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool allow_control;

static void fail(const char *what, long at)
{
	fprintf(stderr, "fuzz_fold: %s (cursor or event %ld)\n", what, at);
	abort();
}

/* A character a terminal shows as itself: no C0 or C1 control, no DEL. */
static bool printable(wchar_t c)
{
	return c == 0 || c == GRID_CONT ||
	       (c >= 0x20 && c != 0x7f && !(c >= 0x80 && c <= 0x9f) && c <= 0x10ffff &&
		!(c >= 0xd800 && c <= 0xdfff));
}

static void check_grid(const struct grid *g, long at)
{
	for (int i = 0; i < g->w * g->h; i++) {
		if (!allow_control && !printable(g->cells[i].ch))
			fail("a cell holds a control character", at);
		if (g->cells[i].role >= ROLE_MAX)
			fail("a cell has no role", at);
	}
}

/* What tui.c's draw() does for a replay, into g instead of the terminal. */
static void draw(struct tui *u, struct grid *g, bool ascii)
{
	struct trace *t = tui__trace(u);
	struct tui_state s = {
		.t = t, .title = u->title, .live = false, .playing = u->playing,
		.waiting = u->waiting, .ended = u->ended, .speed = u->speed, .lang = u->lang,
		.theme = u->theme, .ascii = ascii, .help = u->help, .steps = u->steps,
		.prompt = u->prompt_kind ? u->prompt : NULL, .note = *u->note ? u->note : NULL,
	};

	if (u->cursor > trace_count(t))
		fail("the cursor is past the end", (long)u->cursor);
	s.cursor = u->cursor;
	view_fold(&u->view, t, u->cursor);
	s.v = &u->view;
	tui_render(g, &s);
	check_grid(g, (long)u->cursor);
	u->dirty = false;
}

static void key(struct tui *u, struct grid *g, bool ascii, int k)
{
	tui__key(u, k);
	draw(u, g, ascii);
}

/* g, the digits of n, Enter: "go to step n". */
static void go_to(struct tui *u, struct grid *g, bool ascii, long long n)
{
	char digits[32];

	snprintf(digits, sizeof digits, "%lld", n);
	key(u, g, ascii, 'g');
	for (const char *p = digits; *p; p++)
		key(u, g, ascii, *p);
	key(u, g, ascii, K_ENTER);
}

/* Walks with keys; each walk ends in at most one press per event. */
static void walk(struct tui *u, struct grid *g, bool ascii)
{
	size_t n = trace_count(u->replay), prev;
	long long last = -1;

	draw(u, g, ascii);
	for (size_t i = 0; i <= n + 1; i++) {
		prev = u->cursor;
		key(u, g, ascii, K_RIGHT);
		if (u->cursor < prev)
			fail("→ went back", (long)u->cursor);
		if (u->cursor == prev)
			break;
	}
	key(u, g, ascii, K_END);
	u->ended = true;
	draw(u, g, ascii);
	u->ended = false;
	for (size_t i = 0; i <= n + 1; i++) {
		prev = u->cursor;
		key(u, g, ascii, K_LEFT);
		if (u->cursor > prev)
			fail("← went forward", (long)u->cursor);
		if (u->cursor == prev)
			break;
	}
	key(u, g, ascii, K_HOME);
	for (size_t i = 0; i < n; i++)
		key(u, g, ascii, '.');
	if (u->cursor != n)
		fail(". did not reach the end", (long)u->cursor);
	key(u, g, ascii, ',');
	for (size_t i = 0; i < n; i++)
		if (trace_at(u->replay, i)->step > last)
			last = trace_at(u->replay, i)->step;
	go_to(u, g, ascii, last + 1);
	go_to(u, g, ascii, 1);
	key(u, g, ascii, '?');
	key(u, g, ascii, '?');
}

/* Every event's words, given the view just before it. */
static void narrate_all(const struct trace *t, int lang)
{
	static struct view v;
	static struct narrator nr;
	char line[512], tiny[8];
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	if (out == NULL)
		abort();
	view_reset(&v, t);
	narrate_begin(&nr, out, t, lang);
	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *ev = trace_at(t, i);

		memset(line, 'x', sizeof line);
		memset(tiny, 'x', sizeof tiny);
		if (narrate_line(t, lang, &v, ev, line, sizeof line) &&
		    memchr(line, '\0', sizeof line) == NULL)
			fail("narrate_line left its line unterminated", (long)i);
		if (narrate_line(t, lang, &v, ev, tiny, sizeof tiny) &&
		    memchr(tiny, '\0', sizeof tiny) == NULL)
			fail("narrate_line overran a small buffer", (long)i);
		narrate_ev(&nr, ev);
		view_apply(&v, ev);
		if (v.n != i + 1)
			fail("the view did not count the event", (long)i);
	}
	narrate_end(&nr);
	if (fclose(out) != 0)
		abort();
	free(buf);
}

/* The screen's state, made once: its loop and timers are never run
 * (tui__mark arms the frame timer; nothing fires it). */
static struct tui *screen(void)
{
	static struct tui u;
	static bool made;

	if (!made) {
		if (uv_loop_init(&u.loop) != 0)
			abort();
		uv_timer_init(&u.loop, &u.frame);
		uv_timer_init(&u.loop, &u.quiet);
		made = true;
	}
	return &u;
}

/* As open_source() in tui.c sets up a replay, but with the step count
 * computed without overflow (the screen's own arithmetic is under test,
 * not this file's). */
static void open_replay(struct tui *u, struct trace *t, size_t size)
{
	long long steps = 0;

	for (size_t i = 0; i < trace_count(t); i++)
		if (trace_at(t, i)->step + 1LL > steps)
			steps = trace_at(t, i)->step + 1LL;
	u->replay = t;
	u->run = NULL;
	u->steps = steps > INT_MAX ? INT_MAX : (int)steps;
	u->cursor = 0;
	u->follow = u->playing = u->waiting = u->ended = u->help = u->dirty = u->quit = false;
	u->speed = 1;
	u->lang = (size & 1) ? LANG_ZH : LANG_EN;
	u->theme = (int)((size >> 1) % THEME_MAX);
	u->prompt_kind = 0;
	u->prompt[0] = u->note[0] = '\0';
	u->lessons = NULL;              /* no menu, no lesson */
	u->seek = 0;
	snprintf(u->title, sizeof u->title, "%s", trace_hdr_c(t)->scenario);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;
	struct trace *t = NULL;
	struct tui *u;
	struct grid g;
	size_t skipped = 0;
	char cause[256];
	bool small = (size >> 3) & 1;

	if (!init) {
		/* As the program runs in a UTF-8 terminal (cli/main.c). */
		setlocale(LC_ALL, "C.UTF-8");
		allow_control = getenv("IOSCOPE_FUZZ_SKIP") != NULL &&
				strstr(getenv("IOSCOPE_FUZZ_SKIP"), "control") != NULL;
		init = true;
	}
	if (trace_read_mem("fuzz", (const char *)data, size, &t, &skipped,
			   cause, sizeof cause) != 0)
		return 0;
	narrate_all(t, NARRATE_EN);
	narrate_all(t, NARRATE_ZH);
	u = screen();
	open_replay(u, t, size);
	if (grid_init(&g, small ? TUI_MIN_W : 120, small ? TUI_MIN_H : 40) != 0)
		abort();
	walk(u, &g, (size >> 2) & 1);
	free(grid_text(&g));
	grid_free(&g);
	u->replay = NULL;
	trace_free(t);
	return 0;
}
