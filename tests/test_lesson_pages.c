/* test_lesson_pages.c: the page-walker.  Every page of every lesson, in
 * English and Chinese, at 80×24, 100×30 and 120×40, drawn by the pure
 * renderer with the run the page shows (its shipped recording at the
 * page's step) and scrolled from top to bottom: every word of the page
 * (as `ioscope lesson N` prints it) must appear on some screen, the
 * answer must come into view on `a`, and the panes the page's show: names
 * must be drawn. */
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
#include "trace/fold.h"
#include "view/render.h"
#include "tui/tui_int.h"

static const int sizes[][2] = { { 80, 24 }, { 100, 30 }, { 120, 40 } };
static int scrolled[3];             /* pages that scroll, per size (WALK_DEBUG=1 prints them) */

/* A growing string. */
struct str {
	char *s;
	size_t n, cap;
};

static void str_add(struct str *b, const char *s)
{
	size_t n = strlen(s);

	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		assert_non_null(b->s);
	}
	memcpy(b->s + b->n, s, n + 1);
	b->n += n;
}

/* text without its blanks */
static char *squeeze(const char *text)
{
	char *out = malloc(strlen(text) + 1), *o = out;

	assert_non_null(out);
	for (; *text != '\0'; text++)
		if (*text != ' ' && *text != '\n' && *text != '\t')
			*o++ = *text;
	*o = '\0';
	return out;
}

/* The words of text missing from screens (squeezed): how many, and the
 * first in first. */
static int missing(const char *text, const char *screens, char *first, size_t len)
{
	char *dup = strdup(text), *save = NULL, *w;
	int n = 0;

	assert_non_null(dup);
	for (w = strtok_r(dup, " \n\t", &save); w != NULL; w = strtok_r(NULL, " \n\t", &save))
		if (strstr(screens, w) == NULL && n++ == 0)
			snprintf(first, len, "%s", w);
	free(dup);
	return n;
}

struct walk {
	const struct lesson *l;
	int sec, lang, w, h;
	struct trace *t;           /* the run shown, or an empty trace */
	bool run;
	size_t cursor;
	int steps;
};

static void render(const struct walk *k, struct grid *g, struct tui_page *p)
{
	static struct view v;
	struct tui_state s = { .t = k->t, .cursor = k->cursor, .steps = k->steps,
			       .title = k->l->title, .speed = 1, .lang = k->lang, .page = p };

	view_fold(&v, k->t, k->cursor);
	s.v = &v;
	tui_render(g, &s);
}

/* Every screen from the top of the page to its bottom, squeezed, one
 * after the other. */
static char *scroll_all(const struct walk *k, struct tui_page *p)
{
	struct str all = { 0 };
	struct grid g;

	assert_int_equal(grid_init(&g, k->w, k->h), 0);
	p->top = 0;
	p->focus = -1;
	for (int top = 0;; top++) {
		char *text, *sq;

		p->top = top;
		render(k, &g, p);
		assert_true(p->room >= 3 || p->rows == p->room);
		text = grid_text(&g);
		sq = squeeze(text);
		str_add(&all, sq);
		free(sq);
		free(text);
		if (p->top < top || p->top + p->room >= p->rows)
			break;
	}
	grid_free(&g);
	return all.s;
}

/* The page's words as `ioscope lesson N` prints them. */
static void page_words(const struct walk *k, struct str *words, struct str *answers)
{
	const struct lesson_section *sec = &k->l->sections[k->sec];

	str_add(words, *sec->heading ? sec->heading : k->l->title);
	str_add(words, "\n");
	str_add(words, sec->text);
	for (int i = 0; i < sec->nblocks; i++) {
		const struct lesson_block *b = &sec->blocks[i];
		char why[256], *code;

		str_add(words, "\n");
		if (b->kind == LB_RUN) {
			str_add(words, b->point);
		} else if (b->kind == LB_PREDICT) {
			str_add(words, b->question);
			str_add(answers, b->answer);
			str_add(answers, "\n");
		} else if ((code = lesson_code(".", b, why, sizeof why)) != NULL) {
			str_add(words, code);
			free(code);
		}
	}
}

static int walk_page(const struct walk *k)
{
	static struct tui_page p;
	struct str words = { 0 }, answers = { 0 };
	char first[256] = "", *screens, *q;
	int bad = 0;

	page_words(k, &words, &answers);
	tui_page_build(&p, k->l, k->sec, false, k->lang, ".", "2. next");
	p.run = k->run;
	screens = scroll_all(k, &p);
	for (int z = 0; z < 3; z++)
		scrolled[z] += p.rows > p.room && k->w == sizes[z][0];
	if (getenv("WALK_DEBUG") != NULL && k->w == 80)
		print_message("%s p%d at 80x24: %d of %d rows of text on screen, panes %#x of %#x\n",
			      k->l->path, k->sec + 1, p.room, p.rows, p.shown, p.show);
	if (missing(words.s, screens, first, sizeof first) > 0) {
		print_message("%s page %d at %dx%d: '%s' never on screen\n", k->l->path, k->sec + 1,
			      k->w, k->h, first);
		bad++;
	}
	/* the panes the page names */
	if ((p.show & ~LESSON_PANE_MUX & ~p.shown) != 0 ||
	    ((p.show & LESSON_PANE_MUX) && !(p.shown & LESSON_PANE_MUX))) {
		print_message("%s page %d at %dx%d: show: %#x, drawn %#x\n", k->l->path, k->sec + 1,
			      k->w, k->h, p.show, p.shown);
		bad++;
	}
	free(screens);
	if (answers.s != NULL) {
		struct grid g;
		char *text, *sq, *head;

		/* a: the answer comes into view, its first line on the screen
		 * a pressed, all of it by scrolling on */
		tui_page_build(&p, k->l, k->sec, true, k->lang, ".", "2. next");
		p.run = k->run;
		q = strstr(p.text, k->lang == 1 ? "\n\n预测：" : "\n\nPredict: ");
		assert_non_null(q);
		p.focus = (int)(q - p.text) + 2;
		p.top = 0;
		assert_int_equal(grid_init(&g, k->w, k->h), 0);
		render(k, &g, &p);
		text = grid_text(&g);
		sq = squeeze(text);
		head = squeeze(k->lang == 1 ? "预测：" : "Predict:");
		if (strstr(sq, head) == NULL) {
			print_message("%s page %d at %dx%d: a does not bring the prediction into view\n",
				      k->l->path, k->sec + 1, k->w, k->h);
			bad++;
		}
		free(head);
		free(sq);
		free(text);
		grid_free(&g);
		screens = scroll_all(k, &p);
		if (missing(answers.s, screens, first, sizeof first) > 0) {
			print_message("%s page %d at %dx%d: answer word '%s' never on screen\n",
				      k->l->path, k->sec + 1, k->w, k->h, first);
			bad++;
		}
		free(screens);
	}
	free(words.s);
	free(answers.s);
	return bad;
}

static struct trace *recording(const struct lesson_block *b)
{
	char path[512], cause[512];
	struct trace *t;
	size_t skipped;

	if (*b->model)
		snprintf(path, sizeof path, "scenarios/recordings/%s--%s.jsonl", b->scenario, b->model);
	else
		snprintf(path, sizeof path, "scenarios/recordings/%s.jsonl", b->scenario);
	if (trace_read(path, &t, &skipped, cause, sizeof cause) != 0)
		fail_msg("%s", cause);
	return t;
}

/* k shows b's run: its recording, with the cursor where the page pauses. */
static void walk_run(struct walk *k, const struct lesson_block *b)
{
	k->t = recording(b);
	k->run = true;
	k->steps = trace_step_max(k->t) + 1;
	k->cursor = b->pause > 0 ? tui_step_end(k->t, b->pause - 1) : 0;
}

static void walk_lang(int lang)
{
	char **paths, cause[512];
	int n = lesson_list(".", lang == 1 ? "zh" : "en", &paths), bad = 0, pages = 0;

	assert_true(n >= 12);
	for (int i = 0; i < n; i++) {
		struct lesson *l;
		struct walk k = { .lang = lang };

		assert_int_equal(lesson_load(paths[i], &l, cause, sizeof cause), 0);
		k.l = l;
		for (int s = 0; s < l->nsections; s++) {
			const struct lesson_block *b = lesson_run(&l->sections[s]);

			k.sec = s;
			if (b != NULL) {
				trace_free(k.t);
				walk_run(&k, b);
			} else if (k.t == NULL) {
				k.t = trace_new();        /* what the screen shows too */
				assert_non_null(k.t);
				k.run = false;
				k.steps = 0;
				k.cursor = 0;
			}
			for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
				k.w = sizes[z][0];
				k.h = sizes[z][1];
				bad += walk_page(&k) > 0;
				pages++;
			}
		}
		trace_free(k.t);
		lesson_free(l);
	}
	lesson_list_free(paths);
	if (getenv("WALK_DEBUG") != NULL)
		print_message("%d pages walked; pages that scroll: %d at 80x24, %d at 100x30, %d at 120x40\n",
			      pages, scrolled[0], scrolled[1], scrolled[2]);
	memset(scrolled, 0, sizeof scrolled);
	if (bad > 0)
		fail_msg("%d of %d pages (all sizes) cannot be read whole", bad, pages);
}

static void test_lesson_pages_en(void **state)
{
	walk_lang(0);
}

static void test_lesson_pages_zh(void **state)
{
	walk_lang(1);
}

/* The last page says the lesson is finished and what n opens. */
static void test_lesson_pages_last(void **state)
{
	static struct tui_page p;
	struct lesson *l;
	char cause[512];

	assert_int_equal(lesson_load("lessons/en/01-two-phases.md", &l, cause, sizeof cause), 0);
	tui_page_build(&p, l, l->nsections - 1, false, 0, ".", "2. Blocking");
	assert_non_null(strstr(p.text, "finished"));
	assert_non_null(strstr(p.text, "Press n for the next lesson: 2. Blocking"));
	tui_page_build(&p, l, 0, false, 0, ".", "2. Blocking");
	assert_null(strstr(p.text, "finished"));
	tui_page_build(&p, l, l->nsections - 1, false, 0, ".", NULL);
	assert_non_null(strstr(p.text, "the last of the lessons"));
	lesson_free(l);
}

/* A page scrolls: a marker says there is more, and ↓ shows it. */
static void test_lesson_pages_scroll(void **state)
{
	static struct tui_page p;
	struct lesson *l;
	struct walk k = { .w = 80, .h = 24 };
	struct grid g;
	char cause[512], *text;

	assert_int_equal(lesson_load("lessons/en/09-async.md", &l, cause, sizeof cause), 0);
	k.l = l;
	k.t = trace_new();
	assert_non_null(k.t);
	tui_page_build(&p, l, 1, false, 0, ".", NULL);
	p.run = false;
	p.top = 0;
	assert_int_equal(grid_init(&g, 80, 24), 0);
	render(&k, &g, &p);
	assert_true(p.rows > p.room);
	text = grid_text(&g);
	assert_non_null(strstr(text, "more rows below (↓)"));
	assert_null(strstr(text, "rows above"));
	free(text);
	p.top = 1000;                       /* clamped to the last screen */
	render(&k, &g, &p);
	assert_int_equal(p.top, p.rows - p.room);
	text = grid_text(&g);
	assert_null(strstr(text, "more rows below"));
	assert_non_null(strstr(text, "rows above (↑)"));
	free(text);
	grid_free(&g);
	trace_free(k.t);
	lesson_free(l);
}

/* The story block of a page at w×h with the page scrolled to its top:
 * how many event lines under its labelled rule (-1: no rule).  Every
 * line ends whole or with "…", never cut inside a word. */
static int story_lines(const struct walk *k, struct tui_page *p)
{
	struct grid g;
	char *text, *line, *save = NULL;
	const char *label = k->lang == 1 ? "事件记录：最近的事件" : "the story: the latest events in words";
	int n = -1;

	assert_int_equal(grid_init(&g, k->w, k->h), 0);
	p->top = 0;
	p->focus = -1;
	render(k, &g, p);
	text = grid_text(&g);
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, label) != NULL) {
			n = 0;
			continue;
		}
		/* the event lines: "  0.123s A      …", up to the key bar */
		if (n >= 0 && strchr(line, 's') != NULL && line[0] == ' ' && strstr(line, "s ") != NULL &&
		    strspn(line + 1, " 0123456789.") >= 5)
			n++;
	}
	free(text);
	grid_free(&g);
	return n;
}

/* Every page that names the story in show: draws it, labelled, with two
 * lines or more at 80×24 (and at the other sizes), in both languages. */
static void test_lesson_pages_story(void **state)
{
	static struct tui_page p;
	int named = 0;

	for (int lang = 0; lang < 2; lang++) {
		char **paths, cause[512];
		int n = lesson_list(".", lang == 1 ? "zh" : "en", &paths);

		for (int i = 0; i < n; i++) {
			struct lesson *l;
			struct walk k = { .lang = lang };

			assert_int_equal(lesson_load(paths[i], &l, cause, sizeof cause), 0);
			k.l = l;
			for (int s = 0; s < l->nsections; s++) {
				const struct lesson_block *b = lesson_run(&l->sections[s]);

				if (b == NULL || !(b->show & LESSON_PANE_STORY))
					continue;
				named++;
				k.sec = s;
				walk_run(&k, b);
				for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
					int lines;

					k.w = sizes[z][0];
					k.h = sizes[z][1];
					tui_page_build(&p, l, s, false, lang, ".", NULL);
					p.run = true;
					lines = story_lines(&k, &p);
					if (lines < 2 || !(p.shown & LESSON_PANE_STORY))
						fail_msg("%s page %d at %dx%d: the story shows %d lines", l->path,
							 s + 1, k.w, k.h, lines);
				}
				trace_free(k.t);
			}
			lesson_free(l);
		}
		lesson_list_free(paths);
	}
	assert_true(named >= 8);            /* lessons 1, 3, 9, 11 in en and zh */
}

/* The "rows above" marker and the label of the rule it sits on both
 * read: the label gives way at a word, with "…". */
static void test_lesson_pages_marker_label(void **state)
{
	static struct tui_page p;
	struct lesson *l;
	struct walk k = { .w = 80, .h = 24, .run = true };
	struct grid g;
	char cause[512], *text, *row;
	const struct lesson_block *b;

	assert_int_equal(lesson_load("lessons/en/01-two-phases.md", &l, cause, sizeof cause), 0);
	k.l = l;
	k.sec = 2;
	b = lesson_run(&l->sections[k.sec]);
	assert_non_null(b);
	assert_true(b->pause > 0);
	walk_run(&k, b);
	tui_page_build(&p, l, k.sec, false, 0, ".", NULL);
	p.run = true;
	assert_int_equal(grid_init(&g, 80, 24), 0);
	p.top = 1000;
	render(&k, &g, &p);
	assert_true(p.top > 0);
	text = grid_text(&g);
	row = strstr(text, "event-ordered scale");
	assert_non_null(row);
	*strchr(row, '\n') = '\0';
	assert_non_null(strstr(row, "rows above (↑)"));
	assert_non_null(strstr(row, "… "));
	assert_null(strstr(row, "durations ar "));
	free(text);
	grid_free(&g);
	trace_free(k.t);
	lesson_free(l);
}

/* At 80×24 every page with a run keeps six rows of text or more (or all
 * of it): the panes it does not name shrink or hide, and the lanes keep
 * the actors it names. */
static void test_lesson_pages_text_rows(void **state)
{
	static struct tui_page p;
	int runs = 0;

	for (int lang = 0; lang < 2; lang++) {
		char **paths, cause[512];
		int n = lesson_list(".", lang == 1 ? "zh" : "en", &paths);

		for (int i = 0; i < n; i++) {
			struct lesson *l;
			struct walk k = { .lang = lang, .w = 80, .h = 24, .run = true };
			struct grid g;

			assert_int_equal(lesson_load(paths[i], &l, cause, sizeof cause), 0);
			assert_int_equal(grid_init(&g, 80, 24), 0);
			k.l = l;
			for (int s = 0; s < l->nsections; s++) {
				const struct lesson_block *b = lesson_run(&l->sections[s]);

				if (b == NULL)
					continue;
				runs++;
				k.sec = s;
				walk_run(&k, b);
				tui_page_build(&p, l, s, false, lang, ".", NULL);
				p.run = true;
				p.top = 0;
				render(&k, &g, &p);
				if (p.room < 6 && p.room < p.rows)
					fail_msg("%s page %d at 80x24: %d rows of text", l->path, s + 1, p.room);
				trace_free(k.t);
			}
			grid_free(&g);
			lesson_free(l);
		}
		lesson_list_free(paths);
	}
	assert_true(runs >= 24);            /* each of the 12 lessons has one, in en and zh */
}

/* The key bar and the help box of a lesson page (review F1, item 3):
 * the grid's text, drawn with state s over page p. */
static char *keys_screen(struct walk *k, struct tui_page *p, const struct tui_state *extra,
			 bool help)
{
	static struct view v;
	struct tui_state s = *extra;
	struct grid g;
	char *text;

	s.t = k->t;
	s.cursor = k->cursor;
	s.title = k->l->title;
	s.speed = 1;
	s.page = p;
	s.help = help;
	view_fold(&v, k->t, k->cursor);
	s.v = &v;
	assert_int_equal(grid_init(&g, k->w, k->h), 0);
	tui_render(&g, &s);
	text = grid_text(&g);
	grid_free(&g);
	return text;
}

/* Only the keys that do something on the page: a where there is a
 * prediction, n where a page or a lesson follows (and which), the run's
 * keys where there is a run, scrolling where the text is longer than its
 * room. */
static void test_lesson_pages_keys_offered(void **state)
{
	static struct tui_page p;
	struct tui_state none = { 0 }, nop = { .no_predict = true };
	struct tui_state last = { .last_page = true }, end = { .last_page = true, .last_lesson = true };
	struct lesson *l;
	struct walk k = { .w = 80, .h = 24 };
	char cause[512], *text;

	(void)state;
	assert_int_equal(lesson_load("lessons/en/16-review.md", &l, cause, sizeof cause), 0);
	k.l = l;
	k.t = trace_new();
	assert_non_null(k.t);
	/* page 1: a prediction, text only, it fits at 80x24 */
	tui_page_build(&p, l, 0, false, 0, ".", NULL);
	p.run = false;
	text = keys_screen(&k, &p, &none, false);
	assert_non_null(strstr(text, "a answer"));
	assert_non_null(strstr(text, "n next page"));
	assert_null(strstr(text, "→ step"));
	assert_null(strstr(text, "space play"));
	assert_null(strstr(text, "↓↑ scroll"));
	free(text);
	text = keys_screen(&k, &p, &none, true);
	assert_null(strstr(text, "one event forward"));
	assert_null(strstr(text, "go to step"));
	assert_non_null(strstr(text, "the prediction's answer"));
	free(text);
	/* no prediction: no a, in the bar or the help */
	text = keys_screen(&k, &p, &nop, false);
	assert_null(strstr(text, "a answer"));
	free(text);
	text = keys_screen(&k, &p, &nop, true);
	assert_null(strstr(text, "the prediction's answer"));
	free(text);
	/* the last page: n opens the next lesson, or (the last) nothing */
	tui_page_build(&p, l, l->nsections - 1, false, 0, ".", NULL);
	p.run = false;
	text = keys_screen(&k, &p, &last, false);
	assert_non_null(strstr(text, "n next lesson"));
	assert_null(strstr(text, "next page"));
	free(text);
	text = keys_screen(&k, &p, &end, false);
	assert_null(strstr(text, "n next"));
	assert_non_null(strstr(text, "p previous"));
	free(text);
	text = keys_screen(&k, &p, &end, true);
	assert_null(strstr(text, "next page"));
	assert_null(strstr(text, "next lesson"));
	free(text);
	trace_free(k.t);
	lesson_free(l);
	/* a page longer than its room offers scrolling; with a run, its keys */
	assert_int_equal(lesson_load("lessons/en/09-async.md", &l, cause, sizeof cause), 0);
	k.l = l;
	k.t = recording(lesson_run(&l->sections[1]));
	k.cursor = tui_step_end(k.t, 11);
	tui_page_build(&p, l, 1, false, 0, ".", NULL);
	p.run = true;
	p.top = 0;
	text = keys_screen(&k, &p, &nop, false);
	assert_non_null(strstr(text, "↓↑ scroll"));
	assert_non_null(strstr(text, "→ step"));
	free(text);
	trace_free(k.t);
	lesson_free(l);
}

/* A replay's help says what ← does there: the run of a replay is a
 * recording, it does not go on. */
static void test_lesson_pages_keys_replay_help(void **state)
{
	struct tui_state s = { .screen = TUI_SCREEN_REPLAY, .speed = 1, .help = true, .title = "" };
	static struct view v;
	struct grid g;
	char *text;

	(void)state;
	s.t = trace_new();
	assert_non_null(s.t);
	view_fold(&v, s.t, 0);
	s.v = &v;
	assert_int_equal(grid_init(&g, 80, 24), 0);
	tui_render(&g, &s);
	text = grid_text(&g);
	assert_non_null(strstr(text, "keys: a replay"));
	assert_non_null(strstr(text, "step back"));
	assert_null(strstr(text, "the run does not"));
	assert_null(strstr(text, "plays on to its end"));
	free(text);
	s.screen = TUI_SCREEN_LIVE;
	tui_render(&g, &s);
	text = grid_text(&g);
	assert_non_null(strstr(text, "the run does not"));
	assert_non_null(strstr(text, "plays on to its end"));
	free(text);
	grid_free(&g);
	trace_free((struct trace *)s.t);
}

/* The select pane counts "1 wait", "2 waits" (review F1, item 4). */
static void test_lesson_pages_mux_one_wait(void **state)
{
	static struct view v;
	struct trace *t;
	struct tui_state s = { .speed = 1, .title = "", .screen = TUI_SCREEN_REPLAY };
	struct grid g;
	char cause[512], *text;
	size_t skipped, c;
	int sel = -1;

	(void)state;
	assert_int_equal(trace_read("scenarios/recordings/fishing.jsonl", &t, &skipped, cause, sizeof cause), 0);
	for (int i = 1; i < trace_hdr_c(t)->nactors; i++)
		if (strcmp(trace_hdr_c(t)->actors[i].model, "select") == 0)
			sel = i;
	assert_true(sel > 0);
	for (c = 0; c <= trace_count(t); c++) {
		view_fold(&v, t, c);
		if (v.actors[sel].waits == 1)
			break;
	}
	assert_true(c <= trace_count(t));
	s.t = t;
	s.cursor = c;
	s.v = &v;
	s.steps = trace_step_max(t) + 1;
	assert_int_equal(grid_init(&g, 120, 40), 0);
	tui_render(&g, &s);
	text = grid_text(&g);
	assert_non_null(strstr(text, "1 wait: in"));
	assert_null(strstr(text, "1 waits"));
	free(text);
	view_fold(&v, t, trace_count(t));
	s.cursor = trace_count(t);
	tui_render(&g, &s);
	text = grid_text(&g);
	assert_true(v.actors[sel].waits > 1);
	assert_non_null(strstr(text, " waits: in"));
	free(text);
	grid_free(&g);
	trace_free(t);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lesson_pages_en),
		cmocka_unit_test(test_lesson_pages_zh),
		cmocka_unit_test(test_lesson_pages_last),
		cmocka_unit_test(test_lesson_pages_scroll),
		cmocka_unit_test(test_lesson_pages_story),
		cmocka_unit_test(test_lesson_pages_marker_label),
		cmocka_unit_test(test_lesson_pages_text_rows),
		cmocka_unit_test(test_lesson_pages_keys_offered),
		cmocka_unit_test(test_lesson_pages_keys_replay_help),
		cmocka_unit_test(test_lesson_pages_mux_one_wait),
	};

	setlocale(LC_ALL, "C.UTF-8");
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("lesson_pages", tests, NULL, NULL);
}
