/* test_render_scratch.c: tui_render keeps no state of its own.  Its
 * scratch (folds of the trace, the lanes' order, the story's narrator, a
 * page's rows) belongs to the caller, so two screens drawn in turn, each
 * with its scratch, come out as each drawn alone; and two threads can
 * draw lesson pages, or runs with lanes and a story, at once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lessons/lesson.h"
#include "view/render.h"

/* One screen to draw: a trace (or none), a cursor, a lesson's page. */
struct screen {
	const char *trace;        /* tests/golden/NAME.jsonl, or NULL */
	const char *lesson;       /* its first page shown, or NULL */
	int lang;
	struct trace *t;
	struct view *v;
	struct tui_page *page;
	struct lesson *l;
	struct render_scratch *scratch;
};

static void screen_open(struct screen *k)
{
	char path[256], cause[512];
	size_t skipped;

	if (k->trace != NULL) {
		snprintf(path, sizeof path, "tests/golden/%s.jsonl", k->trace);
		assert_int_equal(trace_read(path, &k->t, &skipped, cause, sizeof cause), 0);
	} else {
		assert_non_null(k->t = trace_new());
	}
	assert_non_null(k->v = malloc(sizeof *k->v));
	assert_non_null(k->scratch = render_scratch_new());
	if (k->lesson != NULL) {
		assert_int_equal(lesson_load(k->lesson, &k->l, cause, sizeof cause), 0);
		assert_non_null(k->page = calloc(1, sizeof *k->page));
		tui_page_build(k->page, k->l, 0, false, k->lang, ".", NULL);
		k->page->run = k->trace != NULL;
	}
}

static void screen_close(struct screen *k)
{
	render_scratch_free(k->scratch);
	lesson_free(k->l);
	free(k->page);
	free(k->v);
	trace_free(k->t);
}

/* The screen at cursor (clamped to the trace), w x h, as text; with
 * scratch, or NULL for one tui_render allocates.  NULL when memory runs
 * out (no cmocka here: the threads below call it). */
static char *draw_text(struct screen *k, size_t cursor, int w, int h, struct render_scratch *scratch)
{
	struct tui_state s = { .t = k->t, .v = k->v, .speed = 1, .title = "", .lang = k->lang,
			       .page = k->page, .scratch = scratch };
	struct grid g;
	char *text;

	s.cursor = cursor < trace_count(k->t) ? cursor : trace_count(k->t);
	s.ended = s.cursor == trace_count(k->t);
	if (k->page != NULL) {
		k->page->top = 0;
		k->page->focus = -1;
	}
	view_fold(k->v, k->t, s.cursor);
	if (grid_init(&g, w, h) != 0)
		return NULL;
	tui_render(&g, &s);
	text = grid_text(&g);
	grid_free(&g);
	return text;
}

static char *draw(struct screen *k, size_t cursor, int w, int h, struct render_scratch *scratch)
{
	char *text = draw_text(k, cursor, w, h, scratch);

	assert_non_null(text);
	return text;
}

#define CURSORS 24

/* Two traces (one with a lesson's page over it), drawn at cursors in
 * turn with a scratch each, then the other way round with the scratches
 * swapped, then with none: every grid as when the screen was drawn alone. */
static void test_render_scratch_interleaved(void **state)
{
	struct screen k[2] = {
		{ .trace = "fishing", .lesson = "lessons/en/04-select.md" },
		{ .trace = "canteen" },
	};
	char *alone[2][CURSORS];
	size_t at[2][CURSORS];

	(void)state;
	for (int i = 0; i < 2; i++) {
		screen_open(&k[i]);
		for (int c = 0; c < CURSORS; c++) {
			at[i][c] = trace_count(k[i].t) * (size_t)c / (CURSORS - 1);
			alone[i][c] = draw(&k[i], at[i][c], 120, 40, k[i].scratch);
		}
	}
	for (int pass = 0; pass < 3; pass++)
		for (int c = 0; c < CURSORS; c++)
			for (int i = 0; i < 2; i++) {
				struct render_scratch *sc = pass == 0 ? k[i].scratch :
							    pass == 1 ? k[1 - i].scratch : NULL;
				char *text = draw(&k[i], at[i][c], 120, 40, sc);

				if (strcmp(text, alone[i][c]) != 0)
					fail_msg("pass %d, %s at %zu differs:\n%s\nalone:\n%s", pass,
						 k[i].trace, at[i][c], text, alone[i][c]);
				free(text);
			}
	for (int i = 0; i < 2; i++) {
		for (int c = 0; c < CURSORS; c++)
			free(alone[i][c]);
		screen_close(&k[i]);
	}
}

/* Two threads, each drawing its own lesson page (no run: the page's rows
 * are the scratch it needs) over and over. */
struct drawer {
	struct screen k;
	const char *want;
	int differ;
};

#define ROUNDS 300

static void *drawer_main(void *arg)
{
	struct drawer *d = arg;

	for (int r = 0; r < ROUNDS; r++) {
		char *text = draw_text(&d->k, 0, 80 + r % 2 * 40, 24 + r % 2 * 16, d->k.scratch);

		/* the odd rounds at 120x40, as want; the even ones between */
		d->differ += text == NULL || (r % 2 == 1 && strcmp(text, d->want) != 0);
		free(text);
	}
	return NULL;
}

static void test_render_scratch_threads(void **state)
{
	struct drawer d[2] = {
		{ .k = { .lesson = "lessons/en/07-limits.md" } },
		{ .k = { .lesson = "lessons/zh/04-select.md", .lang = 1 } },
	};
	pthread_t th[2];

	(void)state;
	for (int i = 0; i < 2; i++) {
		screen_open(&d[i].k);
		d[i].want = draw(&d[i].k, 0, 120, 40, d[i].k.scratch);
	}
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, drawer_main, &d[i]), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(d[i].differ, 0);
		free((char *)d[i].want);
		screen_close(&d[i].k);
	}
}

/* Two threads, each drawing its own run (lanes, kernel pane, story) at
 * cursors in turn: every grid as when drawn alone.  A pane that kept its
 * fold or narrator in a static would mix the two traces. */
#define RUN_CURSORS 8

struct runner {
	struct screen k;
	char *want[RUN_CURSORS];
	size_t at[RUN_CURSORS];
	int differ;
};

static void *runner_main(void *arg)
{
	struct runner *d = arg;

	for (int r = 0; r < ROUNDS; r++) {
		int c = r % RUN_CURSORS;
		char *text = draw_text(&d->k, d->at[c], 120, 40, d->k.scratch);

		d->differ += text == NULL || strcmp(text, d->want[c]) != 0;
		free(text);
	}
	return NULL;
}

static void test_render_scratch_threads_runs(void **state)
{
	struct runner d[2] = {
		{ .k = { .trace = "lanes-200" } },
		{ .k = { .trace = "fishing", .lang = 1 } },
	};
	pthread_t th[2];

	(void)state;
	for (int i = 0; i < 2; i++) {
		screen_open(&d[i].k);
		for (int c = 0; c < RUN_CURSORS; c++) {
			d[i].at[c] = trace_count(d[i].k.t) * (size_t)(c + 1) / RUN_CURSORS;
			d[i].want[c] = draw(&d[i].k, d[i].at[c], 120, 40, d[i].k.scratch);
		}
	}
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, runner_main, &d[i]), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(d[i].differ, 0);
		for (int c = 0; c < RUN_CURSORS; c++)
			free(d[i].want[c]);
		screen_close(&d[i].k);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_scratch_interleaved),
		cmocka_unit_test(test_render_scratch_threads),
		cmocka_unit_test(test_render_scratch_threads_runs),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
