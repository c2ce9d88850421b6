/* test_render_layout.c: how the screen shares its rows when a server has
 * many actors (issue 14's learner walk at 80x24).  A lesson page keeps
 * about six rows of text: the lanes group rather than take them (a); the
 * rows a grouping frees go to the kernel pane, the multiplexer's pane, the
 * text or the story, not to blank rows (b); a run's lanes group before
 * the kernel pane gives up its rows to one (c); an actor the page names
 * keeps a lane and a kernel row of its own, even announced mid-run past
 * the first 64 actors (d); a group of children is labelled by its names,
 * threads and coroutines alike, or in words of the screen's language (e).
 * The traces are built by hand (tests/server_traces.h). */
#include "tests/server_traces.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "lessons/lesson.h"
#include "view/render_int.h"
#include "tests/harness.h"

/* S (model m) accepts n connections, a child each ("S.<suffix>k"),
 * asleep in recvfrom as the sampler says; with mux, S has an epoll
 * interest list of their fds. */
static struct trace *server(const char *m, const char *suffix, int n, bool mux)
{
	struct sb b = sb_new("servers", m, mux ? TRACE_CAP_INTEREST : TRACE_CAP_SPAWNS,
			     "a server", "服务器");
	int fds[128];

	assert_true(n <= 128);
	sb_caption(&b, "clients connect; S serves each", "客户端连上来；S 服务每一个");
	for (int k = 1; k <= n; k++) {
		int c;

		sb_call(&b, 1, TRACE_ENTER, TRACE_CALL_ACCEPT, 3, 0, 0);
		sb_call(&b, 1, TRACE_EXIT, TRACE_CALL_ACCEPT, 3, 9 + k, 30000);
		c = sb_child(&b, suffix, k, m, TRACE_CAP_PHASES, "S's child %d", "S 的第 %d 个",
			     SRV_PID + k);
		fds[k - 1] = 9 + k;
		if (mux)
			sb_interest(&b, fds, k);
		sb_call(&b, c, TRACE_ENTER, TRACE_CALL_RECVFROM, 9 + k, 0, 0);
		sb_phase(&b, c, TRACE_PH_WAIT, false, 9 + k);
		sb_state(&b, c, SRV_PID + k, 'S', "recvfrom", "wait_woken", 9 + k);
	}
	sb_call(&b, 1, TRACE_ENTER, TRACE_CALL_ACCEPT, 3, 0, 0);
	sb_state(&b, 1, SRV_PID, 'S', "accept4", "inet_csk_accept", 3);
	return b.t;
}

struct shot {
	struct grid g;
	struct tui_page page;
	char *text;
};

/* t at its end in a w x h grid, as a run (page NULL) or a lesson page
 * of that text showing show. */
static void shoot(struct shot *sh, const struct trace *t, int w, int h, int lang,
		  const char *page, unsigned show)
{
	static struct view v;
	struct view_more more = { 0 };
	struct tui_state s = { .speed = 1, .title = "servers", .lang = lang, .t = t,
			       .cursor = trace_count(t), .ended = false };

	assert_int_equal(view_more_fit(&more, t), 0);
	view_fold_more(&v, t, trace_count(t), &more);
	s.v = &v;
	s.steps = trace_step_max(t) + 1;
	if (page != NULL) {
		memset(&sh->page, 0, sizeof sh->page);
		snprintf(sh->page.text, sizeof sh->page.text, "%s", page);
		sh->page.show = show;
		sh->page.run = true;
		sh->page.focus = -1;
		s.page = &sh->page;
	}
	assert_int_equal(grid_init(&sh->g, w, h), 0);
	tui_render(&sh->g, &s);
	sh->text = grid_text(&sh->g);
	if (getenv("LAYOUT_DUMP") != NULL)      /* to look at the screens */
		fprintf(stderr, "%dx%d:\n%s\n", w, h, sh->text);
	grid_free(&sh->g);
	view_more_free(&more);
}

/* Row y of text (to free). */
static char *row(const char *text, int y)
{
	const char *e;

	while (y-- > 0 && (text = strchr(text, '\n')) != NULL)
		text++;
	assert_non_null(text);
	e = strchr(text, '\n');
	return strndup(text, e ? (size_t)(e - text) : strlen(text));
}

static bool blank(const char *line)
{
	return line[strspn(line, " ")] == '\0';
}

/* Blank rows between the title and the first rule under the kernel pane
 * (the story's or the page's text starts there). */
static int blank_rows_above(const char *text, const char *rule)
{
	int n = 0;

	for (int y = 1; y < 60; y++) {
		char *r = row(text, y);
		bool end = strstr(r, rule) != NULL;

		n += blank(r);
		free(r);
		if (end)
			return n;
	}
	fail_msg("no rule '%s'", rule);
	return -1;
}

#define PAGE_TEXT                                                                  \
	"Thread per connection\n\nThe kernel pane shows S.1 to S.7, each asleep in " \
	"recvfrom, and S asleep in accept4.\n\nEach thread keeps its stack while it "  \
	"sleeps; the scheduler does not run it until its data comes.\n\nPredict: how " \
	"many threads for 10,000 clients?\n\nLook at: S.1 to S.7 in the kernel pane"

/* (a) Eight lanes at 80x24 on a page that shows lanes and kernel: the
 * text keeps its rows, the kernel pane lists S.1 .. S.7, nothing is
 * drawn over it.  Before: lanes 16 rows, the kernel pane cut to S.3 and
 * "↓ 30 more rows below" over its fifth row, no text at all. */
static void test_render_layout_page_groups_lanes(void **state)
{
	struct trace *t = server("thread-per-conn", "", 7, false);

	(void)state;
	for (int lang = 0; lang < 2; lang++) {
		struct shot sh;

		shoot(&sh, t, 80, 24, lang, PAGE_TEXT, LESSON_PANE_LANES | LESSON_PANE_KERNEL);
		assert_true(sh.page.room >= 6 || sh.page.room == sh.page.rows);
		assert_non_null(strstr(sh.text, "Thread per connection"));
		assert_non_null(strstr(sh.text, "\nS.7    tid 4307"));
		assert_non_null(strstr(sh.text, "\nS.1           "));   /* named: a lane */
		assert_non_null(strstr(sh.text, "\n×5 S.2–S.6 "));
		assert_true((sh.page.shown & (LESSON_PANE_LANES | LESSON_PANE_KERNEL)) ==
			    (LESSON_PANE_LANES | LESSON_PANE_KERNEL));
		free(sh.text);
	}
	trace_free(t);
}

/* (b) Grouped lanes leave no blank rows: the rows go to the epoll pane
 * and the kernel pane.  Before: 7 coroutines at 80x24 grouped in 4 of
 * 13 rows, nine blank, the epoll pane cut to 3 rows, no kernel pane; on
 * a page, the rows under the group blank and the text short of them. */
static void test_render_layout_no_blank_rows(void **state)
{
	struct trace *t = server("coroutines", "co", 7, true);

	(void)state;
	for (int lang = 0; lang < 2; lang++) {
		struct shot sh;

		shoot(&sh, t, 80, 24, lang, NULL, 0);
		assert_int_equal(blank_rows_above(sh.text, lang ? "内核自己的说法" : "kernel's own word"),
				 0);
		assert_non_null(strstr(sh.text, lang ? "\n关注列表" : "\ninterest"));
		assert_non_null(strstr(sh.text, lang ? "\nepoll_wait  还没有返回" :
						"\nepoll_wait  nothing returned yet"));
		assert_non_null(strstr(sh.text, "\nS      tid 4300"));
		assert_non_null(strstr(sh.text, "\nS.co7  "));
		free(sh.text);
		/* a page that shows the lanes and names no coroutine */
		shoot(&sh, t, 80, 24, lang, PAGE_TEXT, LESSON_PANE_LANES);
		assert_int_equal(blank_rows_above(sh.text, "────────"), 0);
		free(sh.text);
	}
	trace_free(t);
}

/* (c) Seven threads at 80x24 in a run: the lanes group so that the kernel
 * pane lists each thread and its tid.  Before: seven lanes, the kernel
 * pane one row (S's). */
static void test_render_layout_kernel_kept(void **state)
{
	(void)state;
	for (int p = 0; p < 2; p++) {
		struct trace *t = server(p ? "process-per-conn" : "thread-per-conn", "", 7, false);
		struct shot sh;

		shoot(&sh, t, 80, 24, 0, NULL, 0);
		for (int k = 1; k <= 7; k++) {
			char want[32];

			snprintf(want, sizeof want, "\nS.%d    tid %d", k, SRV_PID + k);
			assert_non_null(strstr(sh.text, want));
		}
		free(sh.text);
		/* 120x40 has the room for a lane each */
		shoot(&sh, t, 120, 40, 0, NULL, 0);
		assert_non_null(strstr(sh.text, "\nS.7    "));
		assert_non_null(strstr(sh.text, "\nS.7    tid 4307"));
		assert_null(strstr(sh.text, "×7"));
		free(sh.text);
		trace_free(t);
	}
}

/* (d) A page that names S.8 keeps its lane out of the group, at both
 * sizes; and S.68, announced past the first 64 actors. */
static void test_render_layout_named_child(void **state)
{
	static const int sizes[2][2] = { { 80, 24 }, { 120, 40 } };
	struct trace *t = server("thread-per-conn", "", 9, false);
	struct shot sh;

	(void)state;
	for (int i = 0; i < 2; i++) {
		shoot(&sh, t, sizes[i][0], sizes[i][1], 0,
		      "One more client\n\nhal connects: S makes S.8 for it.\n\nLook at: hal's "
		      "thread, S.8: asleep in recvfrom", LESSON_PANE_LANES);
		assert_non_null(strstr(sh.text, "\nS.8           "));
		assert_non_null(strstr(sh.text, "\nS.9           "));
		assert_true(sh.page.room >= 6 || sh.page.room == sh.page.rows);
		/* 80x24 groups the others; 120x40 has the room for a lane each */
		assert_true((strstr(sh.text, "\n×7 S.1–S.7 ") != NULL) == (i == 0));
		free(sh.text);
	}
	trace_free(t);
	t = server("thread-per-conn", "", 70, false);
	assert_true(trace_find_actor(t, "S.68") > 64);
	shoot(&sh, t, 120, 40, 1, "S.68 醒来。\n\n看：S.68", LESSON_PANE_LANES | LESSON_PANE_KERNEL);
	assert_non_null(strstr(sh.text, "\nS.68          "));
	assert_non_null(strstr(sh.text, "\nS.68   tid 4368"));
	assert_non_null(strstr(sh.text, "\n×67 S.1–S.67"));
	free(sh.text);
	trace_free(t);
}

/* (e) Group labels: the names' range for threads and coroutines alike,
 * else words of the screen's language. */
static void test_render_layout_group_labels(void **state)
{
	struct trace *t = server("coroutines", "co", 7, false);
	struct shot sh;

	(void)state;
	shoot(&sh, t, 80, 24, 0, NULL, 0);
	assert_non_null(strstr(sh.text, "\n×7 S.co1–7 "));
	assert_null(strstr(sh.text, " of S"));
	free(sh.text);
	trace_free(t);
	t = server("coroutines", "co", 11, false);
	shoot(&sh, t, 80, 24, 1, NULL, 0);
	assert_non_null(strstr(sh.text, "\n×11 S.co1–11 "));
	free(sh.text);
	trace_free(t);
	t = server("coroutines", "co", 120, false);
	shoot(&sh, t, 80, 24, 1, NULL, 0);
	assert_non_null(strstr(sh.text, "\nS 的 ×120 "));
	assert_null(strstr(sh.text, " of S"));
	free(sh.text);
	shoot(&sh, t, 80, 24, 0, NULL, 0);
	assert_non_null(strstr(sh.text, "\n×120 of S "));
	free(sh.text);
	trace_free(t);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_layout_page_groups_lanes),
		cmocka_unit_test(test_render_layout_no_blank_rows),
		cmocka_unit_test(test_render_layout_kernel_kept),
		cmocka_unit_test(test_render_layout_named_child),
		cmocka_unit_test(test_render_layout_group_labels),
	};

	setlocale(LC_ALL, "C.UTF-8");
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("render_layout", tests, NULL, NULL);
}
