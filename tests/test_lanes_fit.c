/* test_lanes_fit.c: once a run is over, the lanes show all of it (issue
 * 9, item 5).  They used to show only the tail that fits at one column per
 * event, so the first arrival (↓) and copy (▓) that lesson 1 talks about
 * had scrolled off by the end.  Stepping back (← or Home) still shows one
 * column per event. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view/render.h"

/* The screen of trace name with every event shown: ended or not. */
static char *end_screen(const char *name, int w, int h, bool ended)
{
	static struct view v;
	char path[256], cause[512];
	struct trace *t;
	size_t skipped;
	struct grid g;
	struct tui_state s = { .speed = 1, .title = "", .ended = ended };
	char *text;

	snprintf(path, sizeof path, "tests/golden/%s.jsonl", name);
	assert_int_equal(trace_read(path, &t, &skipped, cause, sizeof cause), 0);
	s.t = t;
	s.cursor = trace_count(t);
	view_fold(&v, t, s.cursor);
	s.v = &v;
	assert_int_equal(grid_init(&g, w, h), 0);
	tui_render(&g, &s);
	text = grid_text(&g);
	grid_free(&g);
	trace_free(t);
	return text;
}

/* The line of text that follows the line starting with label. */
static char *line_after(char *text, const char *label, char *out, size_t len)
{
	char *p = strstr(text, label), *nl;

	assert_non_null(p);
	p = strchr(p + 1, '\n');
	assert_non_null(p);
	p++;
	nl = strchr(p, '\n');
	snprintf(out, len, "%.*s", (int)(nl != NULL ? nl - p : (long)strlen(p)), p);
	return out;
}

static bool arrival_then_copy(const char *row)
{
	const char *p = strstr(row, "↓");

	if (p == NULL)
		return false;
	for (p += strlen("↓"); strncmp(p, "░", strlen("░")) == 0; p += strlen("░"))
		;
	return strncmp(p, "▓", strlen("▓")) == 0;
}

static void test_lanes_fit_whole_run(void **state)
{
	static const int sizes[][2] = { { 80, 24 }, { 120, 40 } };
	char row[1024], user[1024];

	(void)state;
	for (int i = 0; i < 2; i++) {
		char *text = end_screen("fishing", sizes[i][0], sizes[i][1], true);
		char *a = strstr(text, "\nA blocking");

		assert_non_null(a);
		/* A's user row: from his first call to his end. */
		snprintf(user, sizeof user, "%.*s", (int)(strchr(a + 1, '\n') - a - 1), a + 1);
		if (strstr(user, "✓") == NULL)
			fail_msg("%dx%d: A's row does not reach his end: %s", sizes[i][0], sizes[i][1], user);
		/* A's kernel row: his first arrival, then (other actors'
		 * events may come between, still waiting ░) the copy. */
		line_after(text, "\nA blocking", row, sizeof row);
		if (!arrival_then_copy(row))
			fail_msg("%dx%d: A's first ↓▓ is not on screen at the end: %s", sizes[i][0],
				 sizes[i][1], row);
		free(text);
	}
}

/* Not over (a step back from the end): the newest events, one column each. */
static void test_lanes_fit_stepping_unchanged(void **state)
{
	char *text = end_screen("fishing", 80, 24, false);
	char row[1024];

	(void)state;
	line_after(text, "\nA blocking", row, sizeof row);
	assert_non_null(strstr(row, "kernel"));    /* A's kernel lane, drawn */
	assert_non_null(strstr(row, "░"));
	assert_false(arrival_then_copy(row));      /* scrolled off: the tail only */
	free(text);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lanes_fit_whole_run),
		cmocka_unit_test(test_lanes_fit_stepping_unchanged),
	};

	setlocale(LC_ALL, "C.UTF-8");
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
