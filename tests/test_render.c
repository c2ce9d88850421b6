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
#include "trace/narrate.h"
#include "tui/render.h"

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

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (buf != NULL && fread(buf, 1, (size_t)n, f) == (size_t)n)
		buf[n] = '\0';
	fclose(f);
	return buf;
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
	char *text, *want;
	bool ok;

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
	snprintf(path, sizeof path, "tests/golden/%s-%dx%d.txt", gd->name, w, h);
	grid_free(&g);
	trace_free(t);
	if (getenv("IOSCOPE_GOLDEN") && strcmp(getenv("IOSCOPE_GOLDEN"), "update") == 0) {
		FILE *f = fopen(path, "w");

		ok = f != NULL && fputs(text, f) >= 0;
		if (f != NULL)
			fclose(f);
		want = NULL;
	} else {
		want = slurp(path);               /* a missing file fails too */
		ok = want != NULL && strcmp(want, text) == 0;
		if (!ok)
			print_message("%s differs; got:\n%s\n", path, text);
	}
	free(want);
	free(text);
	assert_true(ok);
}

static void test_render_golden(void **state)
{
	const struct golden *gd = *state;

	check_screen(gd, 80, 24);
	check_screen(gd, 120, 40);
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

int main(int argc, char **argv)
{
	struct CMUnitTest tests[sizeof screens / sizeof screens[0]];

	setlocale(LC_ALL, "C.UTF-8");
	for (size_t i = 0; i < sizeof screens / sizeof screens[0]; i++)
		tests[i] = (struct CMUnitTest){ screens[i].name, test_render_golden, NULL, NULL,
						(void *)&screens[i] };
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("render", tests, NULL, NULL);
}
