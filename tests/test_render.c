/* test_render.c: golden screens.  A recorded trace is rendered into an
 * off-screen grid at 80×24 and 120×40 and compared with tests/golden/.
 * IOSCOPE_GOLDEN=update writes the files instead (then read them!). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lessons/lesson.h"
#include "view/narrate.h"
#include "view/render.h"
#include "view/render_int.h"
#include "tui/screen.h"
#include "tests/harness.h"

struct golden {
	const char *trace;       /* tests/golden/NAME.jsonl */
	const char *name;        /* tests/golden/NAME-WxH.txt */
	long at;                 /* cursor: events shown; < 0: from the end */
	int theme;
	int lang;
	bool ascii;
	const char *lesson;      /* a lesson page shown instead of the caption, or NULL */
	int section, top;
};

/* Compare text with tests/golden/NAME (or write it, with
 * IOSCOPE_GOLDEN=update); frees text. */
static bool same_as_golden(const char *name, char *text)
{
	char path[256];
	char *want;
	bool ok;

	snprintf(path, sizeof path, "tests/golden/%s", name);
	if (getenv("IOSCOPE_GOLDEN") && strcmp(getenv("IOSCOPE_GOLDEN"), "update") == 0) {
		FILE *f = fopen(path, "w");

		ok = f != NULL && fputs(text, f) >= 0;
		if (f != NULL)
			ok = fclose(f) == 0 && ok;
		want = NULL;
	} else {
		want = h_slurp(path);               /* a missing file fails too */
		ok = want != NULL && strcmp(want, text) == 0;
		if (!ok)
			print_message("%s differs; got:\n%s\n", path, text);
	}
	free(want);
	free(text);
	return ok;
}

static void check_screen(const struct golden *gd, int w, int h)
{
	static struct view v;
	char path[256], cause[512];
	struct trace *t;
	size_t skipped;
	struct grid g;
	struct tui_state s = { .speed = 1, .title = "", .theme = gd->theme,
			       .lang = gd->lang, .ascii = gd->ascii };
	char *text;

	static struct tui_page page;
	struct lesson *l = NULL;

	if (gd->trace != NULL) {
		snprintf(path, sizeof path, "tests/golden/%s.jsonl", gd->trace);
		assert_int_equal(trace_read(path, &t, &skipped, cause, sizeof cause), 0);
	} else {
		assert_non_null(t = trace_new());       /* a page without a run */
	}
	if (gd->lesson != NULL) {
		assert_int_equal(lesson_load(gd->lesson, &l, cause, sizeof cause), 0);
		tui_page_build(&page, l, gd->section, false, gd->lang, ".", NULL);
		page.run = gd->trace != NULL;
		page.top = gd->top;
		s.page = &page;
		s.title = l->title;
	}
	s.t = t;
	s.cursor = gd->at < 0 ? trace_count(t) + 1 + (size_t)gd->at : (size_t)gd->at;
	view_fold(&v, t, s.cursor);
	s.v = &v;
	for (size_t i = 0; i < trace_count(t); i++)
		if (trace_at(t, i)->step + 1 > s.steps)
			s.steps = trace_at(t, i)->step + 1;
	assert_int_equal(grid_init(&g, w, h), 0);
	tui_render(&g, &s);
	lesson_free(l);
	text = grid_text(&g);
	snprintf(path, sizeof path, "%s-%dx%d.txt", gd->name, w, h);
	grid_free(&g);
	trace_free(t);
	assert_true(same_as_golden(path, text));
}

static void test_render_golden(void **state)
{
	const struct golden *gd = *state;

	check_screen(gd, 80, 24);
	check_screen(gd, 120, 40);
}


/* ---- the text around the panes (render_keys.c) ---- */

static const char *const screen_names[] = { "auto", "live", "replay", "lesson", "menu" };

/* Text of row y of g, as grid_text gives it. */
static char *row_text(const struct grid *g, int y)
{
	struct grid one = { .w = g->w, .h = 1, .cells = g->cells + y * g->w };

	return grid_text(&one);
}

/* The key bar of every screen at 80 and 120 columns, in en and zh (and
 * en without UTF-8): "? help" always there, "i" in live runs, nothing
 * past the edge. */
static void test_render_keys_bar(void **state)
{
	size_t cap = 1 << 16, o = 0;
	char *all = malloc(cap);
	static const int widths[] = { 80, 120 };

	(void)state;
	assert_non_null(all);
	for (int wi = 0; wi < 2; wi++)
		for (int lang = 0; lang < 2; lang++)
			for (int ascii = 0; ascii < 1 + (lang == 0); ascii++)
				for (int scr = TUI_SCREEN_LIVE; scr <= TUI_SCREEN_MENU; scr++) {
					struct grid g;
					char *t;

					assert_int_equal(grid_init(&g, widths[wi], 1), 0);
					render__keys(&g, 0, scr, lang, ascii, NULL, NULL);
					t = row_text(&g, 0);
					assert_true(grid_width(t) - 1 <= widths[wi] - 1);   /* and '\n' */
					assert_non_null(strstr(t, lang ? "? 帮助" : "? help"));
					assert_true((strstr(t, lang ? "i 注入" : "i inject") != NULL) ==
						    (scr == TUI_SCREEN_LIVE));
					if (scr == TUI_SCREEN_LESSON) {
						assert_non_null(strstr(t, lang ? "n 下一页" : "n next page"));
						assert_null(strstr(t, lang ? "l 单步" : "l step"));
					}
					o += (size_t)snprintf(all + o, cap - o, "%d %s %s%s\n%s", widths[wi],
							      lang ? "zh" : "en", screen_names[scr],
							      ascii ? " ascii" : "", t);
					free(t);
					grid_free(&g);
				}
	/* A note and a prompt keep their way out in view. */
	for (int lang = 0; lang < 2; lang++) {
		struct grid g;
		char *t;

		assert_int_equal(grid_init(&g, 80, 2), 0);
		render__keys(&g, 0, TUI_SCREEN_LIVE, lang, false, lang ? "主题：课堂" : "theme: classroom",
			     NULL);
		render__keys(&g, 1, TUI_SCREEN_LIVE, lang, false, NULL,
			     lang ? "跳到第几步（回车）： 12" : "go to step (Enter): 12");
		t = grid_text(&g);
		o += (size_t)snprintf(all + o, cap - o, "80 %s note, prompt\n%s", lang ? "zh" : "en", t);
		free(t);
		grid_free(&g);
	}
	assert_true(o < cap);
	assert_true(same_as_golden("keys.txt", all));
}

/* tui_state.screen picks the keys; unset, a page means a lesson. */
static void test_render_keys_screen(void **state)
{
	struct tui_state s = { .live = true };
	struct grid g;
	char *t;

	(void)state;
	assert_int_equal(grid_init(&g, 120, 1), 0);
	render__keys_bar(&g, &s, 0);
	assert_non_null(t = row_text(&g, 0));
	assert_non_null(strstr(t, "i inject"));
	free(t);
	static struct tui_page page = { .text = "a page", .focus = -1 };
	s.page = &page;
	render__keys_bar(&g, &s, 0);
	assert_non_null(t = row_text(&g, 0));
	assert_non_null(strstr(t, "n next page"));
	free(t);
	s.screen = TUI_SCREEN_REPLAY;
	render__keys_bar(&g, &s, 0);
	assert_non_null(t = row_text(&g, 0));
	assert_non_null(strstr(t, "g go to"));
	assert_null(strstr(t, "i inject"));
	free(t);
	grid_free(&g);
}

/* The help box of each screen, on an empty 80×24, bordered. */
static void test_render_help_box(void **state)
{
	struct tui_state s = { .ascii = false };
	const struct glyphs *gl = render__glyphs(&s);

	(void)state;
	for (int lang = 0; lang < 2; lang++)
		for (int ascii = 0; ascii < 1 + (lang == 0); ascii++)
			for (int scr = TUI_SCREEN_LIVE; scr <= TUI_SCREEN_MENU; scr++) {
				struct tui_state as = { .ascii = ascii };
				char name[64];
				struct grid g;
				int corners = 0;

				assert_int_equal(grid_init(&g, 80, 24), 0);
				render__help(&g, scr, lang, ascii, ascii ? render__glyphs(&as) : gl);
				for (int i = 0; i < g.w * g.h; i++)
					corners += g.cells[i].ch == (ascii ? L'+' : L'┌') ||
						   g.cells[i].ch == (ascii ? L'+' : L'┘');
				assert_true(corners >= 2);
				snprintf(name, sizeof name, "help-%s-%s%s-80x24.txt", screen_names[scr],
					 lang ? "zh" : "en", ascii ? "-ascii" : "");
				assert_true(same_as_golden(name, grid_text(&g)));
				grid_free(&g);
			}
}

/* The title bar: a long title gives way at whole words, a CJK one at a
 * character, one cut short inside a character by someone's snprintf
 * loses that character, and without UTF-8 '·' and '×' are ASCII. */
static void test_render_title_bar(void **state)
{
	static const char *const titles[] = {
		"",
		"Fishing: four ways to wait for a bite, and what each costs",
		"一次读操作的两个阶段，以及四种钓鱼的方式",
		"Supercalifragilisticexpialidociousandthensomemoreletters_without_spaces",
		"cut inside \xe4\xb8",
	};
	static struct view v;
	size_t cap = 1 << 15, o = 0, skipped;
	char *all = malloc(cap), cause[256];
	struct trace *t;

	(void)state;
	assert_non_null(all);
	assert_int_equal(trace_read("tests/golden/fishing.jsonl", &t, &skipped, cause, sizeof cause), 0);
	view_fold(&v, t, 60);
	for (int w = 80; w <= 120; w += 40)
		for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++)
			for (int ascii = 0; ascii < 2; ascii++) {
				struct tui_state s = { .t = t, .cursor = 60, .v = &v, .steps = 16,
						       .title = titles[i], .speed = 1, .ascii = ascii,
						       .lang = i == 2, .live = i % 2, .ended = i == 3 };
				struct grid g;
				char *text;

				assert_int_equal(grid_init(&g, w, 1), 0);
				render__title_bar(&g, &s);
				text = row_text(&g, 0);
				assert_null(strchr(text, '?'));
				if (ascii)
					for (const char *c = text; *c; c++)
						assert_true(i == 2 || (unsigned char)*c < 0x80);
				o += (size_t)snprintf(all + o, cap - o, "%s", text);
				free(text);
				grid_free(&g);
			}
	trace_free(t);
	assert_true(same_as_golden("title-bar.txt", all));
}

/* Text cut to fit: at a whole word, or between CJK characters, never
 * inside a character; no "word," before the "…". */
static void test_render_fit(void **state)
{
	static const struct { const char *in; int cols; bool ascii; const char *want; } c[] = {
		{ "fits whole", 10, false, "fits whole" },
		{ "the kernel's own word, per thread", 24, false, "the kernel's own word…" },
		{ "the kernel's own word, per thread", 24, true, "the kernel's own..." },
		{ "一次读操作的两个阶段", 9, false, "一次读操…" },
		{ "Supercalifragilistic", 8, false, "Superca…" },
		{ "cut inside \xe4\xb8", 40, false, "cut inside" },
		{ "ab", 0, false, "" },
	};
	char out[128];

	(void)state;
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		render__fit(out, sizeof out, c[i].in, c[i].cols, c[i].ascii);
		if (strcmp(out, c[i].want) != 0)
			fail_msg("fit('%s', %d) = '%s', not '%s'", c[i].in, c[i].cols, out, c[i].want);
		assert_true(grid_width(out) <= c[i].cols);
	}
	render__fit_chars(out, sizeof out, "wchan unix_stream_read_generic", 20, false);
	assert_string_equal(out, "wchan unix_stream_r…");
}

/* LANG=C: a UTF-8 character the locale cannot decode is one cell, in
 * its ASCII look, and takes one column. */
static void test_render_c_locale(void **state)
{
	struct grid g;

	(void)state;
	assert_int_equal(grid_init(&g, 20, 1), 0);
	assert_non_null(setlocale(LC_ALL, "C"));
	assert_int_equal(grid_width("a·b×c→"), 6);
	assert_int_equal(grid_put(&g, 0, 0, ROLE_TEXT, "a·b×c→d█中", 0), 9);
	setlocale(LC_ALL, "C.UTF-8");
	assert_true(g.cells[1].ch == L'.' && g.cells[3].ch == L'x' && g.cells[5].ch == L'>' &&
		    g.cells[6].ch == L'd' && g.cells[7].ch == L'#' && g.cells[8].ch == L'?');
	grid_free(&g);
}

/* Every screen of the mux traces at 80 and 120 columns: no fd list cut
 * open, no "on it for" without its unit (the mux pane's; the story's
 * lines, "  0.301s S ...", are render.c's). */
static void check_units(const char *text)
{
	char line[2048];

	for (const char *l = text; *l; ) {
		size_t n = strcspn(l, "\n");
		double secs, d;

		snprintf(line, sizeof line, "%.*s", (int)n, l);
		l += n + (l[n] == '\n');
		if (sscanf(line, " %lfs", &secs) == 1)
			continue;
		for (char *seg = strtok(line, "│"); seg != NULL; seg = strtok(NULL, "│")) {
			const char *f = strstr(seg, "on it for ");
			char unit[8] = "";
			int open = 0;

			for (const char *c = seg; *c; c++)
				open += (*c == '{') - (*c == '}');
			if (open != 0 || (f != NULL && sscanf(f + 10, "%lf %7s", &d, unit) != 2))
				fail_msg("cut: '%s'", seg);
			if (f != NULL && strcmp(unit, "ns") != 0 && strcmp(unit, "µs") != 0 &&
			    strcmp(unit, "ms") != 0 && strcmp(unit, "s") != 0 && strcmp(unit, "s,") != 0 &&
			    strncmp(unit, "ms,", 3) != 0 && strncmp(unit, "µs,", 4) != 0)
				fail_msg("a time without its unit: '%s'", seg);
		}
	}
}

static void test_render_mux_units(void **state)
{
	static const char *const traces[] = { "canteen", "lt-vs-et" };
	static struct view v;

	(void)state;
	for (int k = 0; k < 2; k++) {
		char path[128], cause[256];
		struct trace *t;
		size_t skipped;

		snprintf(path, sizeof path, "tests/golden/%s.jsonl", traces[k]);
		assert_int_equal(trace_read(path, &t, &skipped, cause, sizeof cause), 0);
		for (size_t c = 0; c <= trace_count(t); c += 3)
			for (int w = 80; w <= 120; w += 40) {
				struct tui_state s = { .t = t, .cursor = c, .v = &v, .speed = 1, .title = "" };
				struct grid g;
				char *text;

				view_fold(&v, t, c);
				assert_int_equal(grid_init(&g, w, w == 80 ? 24 : 40), 0);
				tui_render(&g, &s);
				text = grid_text(&g);
				check_units(text);
				free(text);
				grid_free(&g);
			}
		trace_free(t);
	}
}

/* Classroom: every lane role a foreground colour on the terminal's own
 * background, blocked red and copying magenta, the seven lane roles told
 * apart in 8 colours; in every glyph set, each its own glyph. */
static void test_render_classroom_look(void **state)
{
	static const int lane[] = { ROLE_BLOCKED, ROLE_RUNNING, ROLE_IDLE, ROLE_POLL, ROLE_WAIT,
				    ROLE_COPY, ROLE_READY };
	struct screen_look l[7];
	struct tui_state u8 = { .ascii = false }, as = { .ascii = true };

	(void)state;
	for (int i = 0; i < 7; i++) {
		screen_look(THEME_CLASSROOM, lane[i], &l[i]);
		assert_int_equal(l[i].bg, -1);
		assert_true(l[i].fg >= -1 && l[i].fg <= 7);
		assert_true(l[i].bold);
		for (int j = 0; j < i; j++)
			assert_false(l[i].fg == l[j].fg && l[i].reverse == l[j].reverse);
	}
	assert_int_equal(l[0].fg, 1);      /* COLOR_RED */
	assert_int_equal(l[5].fg, 5);      /* COLOR_MAGENTA */
	for (int k = 0; k < 2; k++) {
		const struct glyphs *gl = render__glyphs(k ? &as : &u8);
		const wchar_t ch[] = { gl->blocked, gl->copy, gl->wait, gl->idle, gl->poll, gl->run,
				       gl->ready, gl->arrive };

		for (int i = 0; i < 8; i++)
			for (int j = 0; j < i; j++)
				assert_true(ch[i] != ch[j]);
	}
}

/* The lanes in the classroom theme, as roles: one letter per cell. */
static void test_render_classroom_roles(void **state)
{
	static const char letter[ROLE_MAX] = {
		[ROLE_TEXT] = 't', [ROLE_DIM] = 'd', [ROLE_TITLE] = 'T', [ROLE_KEY] = 'K',
		[ROLE_BLOCKED] = 'B', [ROLE_RUNNING] = 'r', [ROLE_IDLE] = 'i', [ROLE_POLL] = 'P',
		[ROLE_WAIT] = 'w', [ROLE_COPY] = 'C', [ROLE_READY] = 'R', [ROLE_ALERT] = 'A',
		[ROLE_CAPTION] = 'c',
	};
	static struct view v;
	struct lanes_scratch *sc = calloc(1, sizeof *sc);
	struct trace *t;
	size_t skipped, o = 0;
	char cause[256], *all = malloc(1 << 15);

	(void)state;
	assert_non_null(all);
	assert_non_null(sc);
	assert_int_equal(trace_read("tests/golden/fishing.jsonl", &t, &skipped, cause, sizeof cause), 0);
	for (long at = 60; at <= 120; at += 60) {
		struct tui_state s = { .t = t, .cursor = (size_t)at, .v = &v, .speed = 1, .title = "",
				       .theme = THEME_CLASSROOM };
		struct grid g;
		char *text;
		int h;

		view_fold(&v, t, s.cursor);
		h = render__lanes_height(&s);
		assert_int_equal(grid_init(&g, 80, h), 0);
		render__lanes_in(&g, &s, 0, h, sc);
		text = grid_text(&g);
		o += (size_t)snprintf(all + o, (1 << 15) - o, "cursor %ld\n%s", at, text);
		for (int y = 0; y < g.h; y++) {
			for (int x = 0; x < g.w; x++)
				all[o++] = g.cells[y * g.w + x].ch == L' ' ? ' ' :
					   letter[g.cells[y * g.w + x].role];
			while (o > 0 && all[o - 1] == ' ')
				o--;
			all[o++] = '\n';
		}
		all[o] = '\0';
		free(text);
		grid_free(&g);
	}
	render__lanes_free(sc);
	free(sc);
	trace_free(t);
	assert_true(same_as_golden("classroom-roles-80.txt", all));
}

static const struct golden screens[] = {
	{ "fishing", "blocking", 60, THEME_DEFAULT, 0, false, NULL, 0, 0 },
	{ "fishing", "fishing-end", -1, THEME_DEFAULT, 0, false, NULL, 0, 0 },
	{ "canteen", "select-epoll", 120, THEME_DEFAULT, 0, false, NULL, 0, 0 },
	{ "lt-vs-et", "lt-et", 140, THEME_DEFAULT, 0, false, NULL, 0, 0 },
	{ "fishing", "classroom", 60, THEME_CLASSROOM, 0, false, NULL, 0, 0 },
	{ "fishing", "zh-ascii", 60, THEME_DEFAULT, 1, true, NULL, 0, 0 },
	/* lesson 4's first page (show: lanes, kernel, select), scrolled by 3 */
	{ "fishing", "lesson-select", 60, THEME_DEFAULT, 0, false, "lessons/en/04-select.md", 0, 3 },
	{ "fishing", "lesson-select-zh", 60, THEME_DEFAULT, 1, false, "lessons/zh/04-select.md", 0, 0 },
	/* lesson 7's first page has no run: the text takes the screen */
	{ NULL, "lesson-text", 0, THEME_DEFAULT, 0, false, "lessons/en/07-limits.md", 0, 0 },
};

#define NSCREENS (sizeof screens / sizeof screens[0])

int main(int argc, char **argv)
{
	static const struct CMUnitTest more[] = {
		cmocka_unit_test(test_render_keys_bar),
		cmocka_unit_test(test_render_keys_screen),
		cmocka_unit_test(test_render_help_box),
		cmocka_unit_test(test_render_title_bar),
		cmocka_unit_test(test_render_fit),
		cmocka_unit_test(test_render_c_locale),
		cmocka_unit_test(test_render_mux_units),
		cmocka_unit_test(test_render_classroom_look),
		cmocka_unit_test(test_render_classroom_roles),
	};
	struct CMUnitTest tests[NSCREENS + sizeof more / sizeof more[0]];

	setlocale(LC_ALL, "C.UTF-8");
	for (size_t i = 0; i < NSCREENS; i++)
		tests[i] = (struct CMUnitTest){ screens[i].name, test_render_golden, NULL, NULL,
						(void *)&screens[i] };
	for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
		tests[NSCREENS + i] = more[i];
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("render", tests, NULL, NULL);
}
