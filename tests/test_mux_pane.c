/* test_mux_pane.c: write interest on the multiplexer pane.  While the
 * chat server has bytes queued for a client, the pane marks that client's
 * fd "+OUT": in epoll's interest list (the shipped slow-reader recording)
 * and in the set select hands in (a run recorded here); at 80x24 and
 * 120x40, in English and Chinese, never cut inside the braces. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "live/run.h"
#include "tests/harness.h"
#include "view/narrate.h"
#include "view/render.h"

/* The index just after the first set event (of what) with write interest. */
static size_t after_first_out(const struct trace *t, int what)
{
	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->kind == TRACE_SET && ev->what == what && ev->outs != 0)
			return i + 1;
	}
	fail_msg("no set with write interest");
	return 0;
}

/* The screen at cursor holds row_label's row with "+OUT}" on it, whole. */
static void expect_out(const struct trace *t, size_t cursor, const char *row_en,
		       const char *row_zh)
{
	static struct view v;

	view_fold(&v, t, cursor);
	for (int lang = 0; lang < 2; lang++)
		for (int w = 80; w <= 120; w += 40) {
			struct tui_state s = { .t = t, .cursor = cursor, .v = &v, .speed = 1,
					       .title = "", .lang = lang ? NARRATE_ZH : NARRATE_EN };
			const char *label = lang ? row_zh : row_en;
			struct grid g;
			char *text, *line, *end;

			assert_int_equal(grid_init(&g, w, w == 80 ? 24 : 40), 0);
			tui_render(&g, &s);
			text = grid_text(&g);
			line = strstr(text, label);
			end = line != NULL ? strchr(line, '\n') : NULL;
			if (end == NULL)
				fail_msg("%dx%d %s: no '%s' row:\n%s", w, w == 80 ? 24 : 40,
					 lang ? "zh" : "en", label, text);
			else
				*end = '\0';
			if (strstr(line, "+OUT") == NULL || strchr(line, '}') == NULL)
				fail_msg("%dx%d: row without a whole +OUT: %s", w, w == 80 ? 24 : 40, line);
			free(text);
			grid_free(&g);
		}
}

static void test_mux_pane_epoll_out(void **state)
{
	char cause[256];
	struct trace *t;
	size_t skipped;

	(void)state;
	assert_int_equal(trace_read("scenarios/recordings/slow-reader--epoll.jsonl", &t,
				    &skipped, cause, sizeof cause), 0);
	expect_out(t, after_first_out(t, TRACE_SET_INTEREST), "interest", "关注列表");
	trace_free(t);
}

/* The pause: of lang's lesson 11 for slow-reader (1 = the first action). */
static int lesson_pause(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n;
	const char *p;
	int step = -1;

	assert_non_null(f);
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strstr(buf, "scenario: slow-reader");
	assert_non_null(p);
	p = strstr(p, "pause: ");
	assert_non_null(p);
	assert_int_equal(sscanf(p, "pause: %d", &step), 1);
	return step;
}

/* Where lesson 11 pauses slow-reader, carol's fd carries +OUT in the
 * shipped recording (which the lesson shows where epoll cannot run). */
static void test_mux_pane_lesson_step(void **state)
{
	char cause[256];
	struct trace *t;
	size_t skipped, cursor = 0;
	int step = lesson_pause("lessons/en/11-event-loops.md");

	(void)state;
	assert_int_equal(lesson_pause("lessons/zh/11-event-loops.md"), step);
	assert_int_equal(trace_read("scenarios/recordings/slow-reader--epoll.jsonl", &t,
				    &skipped, cause, sizeof cause), 0);
	for (size_t i = 0; i < trace_count(t); i++)
		if (trace_at(t, i)->step >= 0 && trace_at(t, i)->step <= step - 1)
			cursor = i + 1;
	while (cursor < trace_count(t) && trace_at(t, cursor)->step < 0)
		cursor++;                /* what the server did in that step */
	expect_out(t, cursor, "interest", "关注列表");
	trace_free(t);
}

static void test_mux_pane_select_out(void **state)
{
	char dir[] = "/tmp/ioscope-pane-XXXXXX", rec[64], cause[512] = "";
	struct run_opts o = { .scenario = "scenarios/slow-reader.scn", .model = "select",
			      .speed = 10, .grace_ms = 2000 };
	struct h_run hr;
	struct trace *t;
	size_t skipped;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(rec, sizeof rec, "%s/slow.jsonl", dir);
	o.record = rec;
	assert_int_equal(h_run_open(&hr, &o, cause, sizeof cause), 0);
	assert_true(h_run_until(&hr, h_run_ended, NULL, 20000));
	if (h_run_close(&hr, cause, sizeof cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(trace_read(rec, &t, &skipped, cause, sizeof cause), 0);
	/* Just after the select that carries the write set was entered. */
	expect_out(t, after_first_out(t, TRACE_SET_BUILD) + 1, "handed in", "交给内核");
	trace_free(t);
	unlink(rec);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mux_pane_epoll_out),
		cmocka_unit_test(test_mux_pane_lesson_step),
		cmocka_unit_test(test_mux_pane_select_out),
	};

	setlocale(LC_ALL, "C.UTF-8");
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("mux_pane", tests, NULL, NULL);
}
