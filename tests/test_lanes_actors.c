/* test_lanes_actors.c: lanes of actors that appear and leave, and of more
 * actors than rows (issue 11, section 2): a lane from an actor's
 * appearance to its end; a server's threads after it, by model; actors of
 * one model grouped ("blocking ×200: 150 asleep in recvfrom, …"); "+N
 * more" when even the groups do not fit.  Golden screens at 80x24 and
 * 120x40 (IOSCOPE_GOLDEN=update rewrites them); the three-actor screens
 * are test_render.c's, unchanged. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view/render_int.h"
#include "view/render_lanes.h"
#include "tests/harness.h"

/* The screen of tests/golden/NAME.jsonl at cursor (negative: from the
 * end, -1 the whole trace). */
static char *screen(const char *name, long at, int w, int h, int lang)
{
	static struct view v;
	struct view_more more = { 0 };     /* the screen's: every actor, as the TUI's */
	char path[256], cause[512];
	struct trace *t;
	size_t skipped;
	struct grid g;
	struct tui_state s = { .speed = 1, .title = "", .lang = lang };
	char *text;

	snprintf(path, sizeof path, "tests/golden/%s.jsonl", name);
	if (trace_read(path, &t, &skipped, cause, sizeof cause) != 0)
		fail_msg("%s", cause);
	s.t = t;
	s.cursor = at < 0 ? trace_count(t) + 1 + (size_t)at : (size_t)at;
	assert_int_equal(view_more_fit(&more, t), 0);
	view_fold_more(&v, t, s.cursor, &more);
	s.v = &v;
	for (size_t i = 0; i < trace_count(t); i++)
		if (trace_at(t, i)->step + 1 > s.steps)
			s.steps = trace_at(t, i)->step + 1;
	assert_int_equal(grid_init(&g, w, h), 0);
	tui_render(&g, &s);
	text = grid_text(&g);
	grid_free(&g);
	view_more_free(&more);
	trace_free(t);
	return text;
}

/* text against tests/golden/NAME-WxH.txt (or written there, with
 * IOSCOPE_GOLDEN=update); returns text. */
static char *golden(char *text, const char *name, int w, int h)
{
	char path[256];
	const char *mode = getenv("IOSCOPE_GOLDEN");
	char *want;

	snprintf(path, sizeof path, "tests/golden/%s-%dx%d.txt", name, w, h);
	if (mode != NULL && strcmp(mode, "update") == 0) {
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		assert_true(fputs(text, f) >= 0);
		assert_int_equal(fclose(f), 0);
		return text;
	}
	want = h_slurp(path);
	if (want == NULL || strcmp(want, text) != 0)
		fail_msg("%s differs; got:\n%s", path, text);
	free(want);
	return text;
}

/* The row of text that starts with label, or NULL. */
static const char *row_of(const char *text, const char *label, char *out, size_t len)
{
	const char *p = strstr(text, label), *nl;

	if (p == NULL)
		return NULL;
	nl = strchr(p, '\n');
	snprintf(out, len, "%.*s", (int)(nl != NULL ? nl - p : (long)strlen(p)), p);
	return out;
}

static const int sizes[2][2] = { { 80, 24 }, { 120, 40 } };

/* The kernel pane of an English screen: the rows between the rule under
 * the lanes (or the multiplexers) and its own rule. */
static const char *kernel_pane(const char *text, char *out, size_t len)
{
	const char *end = strstr(text, "the kernel's own word"), *p;

	assert_non_null(end);
	while (end > text && end[-1] != '\n')
		end--;
	for (p = end - 1; p > text && p[-1] != '\n'; p--)
		;
	while (p > text && strncmp(p, "── ", strlen("── ")) != 0) {
		for (p--; p > text && p[-1] != '\n'; p--)
			;
	}
	p = strchr(p, '\n') + 1;
	snprintf(out, len, "%.*s", (int)(end - p), p);
	return out;
}

/* The kernel pane lists an actor from its appearance, as the lanes
 * order it, and says when it has ended; two hundred of one model share
 * a row in the lanes' words. */
static void test_lanes_actors_kernel(void **state)
{
	char pane[4096];
	char *text;

	(void)state;
	for (int i = 0; i < 2; i++) {
		int w = sizes[i][0], h = sizes[i][1];

		text = screen("lanes-appear", 6, w, h, 0);    /* before conn-1's begin */
		kernel_pane(text, pane, sizeof pane);
		assert_non_null(strstr(pane, "\nS "));
		assert_null(strstr(pane, "conn-1"));
		free(text);
		text = screen("lanes-appear", 9, w, h, 0);    /* it reads */
		kernel_pane(text, pane, sizeof pane);
		assert_non_null(strstr(pane, "conn-1 in a call"));
		assert_non_null(strstr(strstr(pane, "\nS "), "\nconn-1 "));   /* under S */
		free(text);
		text = screen("lanes-appear", -1, w, h, 0);   /* it has left */
		kernel_pane(text, pane, sizeof pane);
		assert_non_null(strstr(pane, "conn-1 ended"));
		free(text);
		text = screen("lanes-200", -1, w, h, 0);
		kernel_pane(text, pane, sizeof pane);
		assert_non_null(strstr(pane, "blocking ×200: 150 asleep in recvfrom, 30 ended, 20 running"));
		assert_null(strstr(pane, "conn-"));
		free(text);
	}
}

/* conn-1 appears after S accepts and leaves after its read: its lane is
 * blank before and after, and sits under S. */
static void test_lanes_actors_appear(void **state)
{
	char row[1024];

	(void)state;
	for (int i = 0; i < 2; i++) {
		char *text = golden(screen("lanes-appear", -1, sizes[i][0], sizes[i][1], 0),
				    "lanes-appear", sizes[i][0], sizes[i][1]);
		const char *a = strstr(text, "\nA blocking"), *s = strstr(text, "\nS thread-per-"),
			   *c = strstr(text, "\nconn-1 ");

		assert_non_null(a);
		assert_non_null(s);
		assert_non_null(c);
		assert_true(a < s && s < c);     /* in order, the thread under its server */
		assert_non_null(row_of(text, "conn-1 ", row, sizeof row));
		/* blank before it appears: the columns of A's and S's first events */
		assert_memory_equal(row + 14, "    ", 4);
		free(text);
	}
	free(golden(screen("lanes-appear", 12, 80, 24, 1), "lanes-appear-zh", 80, 24));
}

/* Two hundred threads of one model: one lane, counted by state. */
static void test_lanes_actors_group(void **state)
{
	(void)state;
	for (int i = 0; i < 2; i++) {
		char *text = golden(screen("lanes-200", -1, sizes[i][0], sizes[i][1], 0),
				    "lanes-200", sizes[i][0], sizes[i][1]);

		assert_non_null(strstr(text, "\n×200 blocking "));
		assert_non_null(strstr(text, "blocking ×200: 150 asleep in recvfrom, 30 ended, 20 running"));
		assert_null(strstr(text, "\nconn-7 blocki"));     /* no lane of its own */
		free(text);
	}
	free(golden(screen("lanes-200", -1, 80, 24, 1), "lanes-200-zh", 80, 24));
}

/* Twenty threads of ten models at 80x24: groups, then "+N more". */
static void test_lanes_actors_more(void **state)
{
	char *text = golden(screen("lanes-mixed", -1, 80, 24, 0), "lanes-mixed", 80, 24);

	(void)state;
	assert_non_null(strstr(text, "\n×4 blocking "));
	assert_non_null(strstr(text, "more (too many for these rows)"));
	free(text);
	text = golden(screen("lanes-mixed", -1, 120, 40, 0), "lanes-mixed", 120, 40);
	assert_non_null(strstr(text, "\n×3 epoll "));
	free(text);
}

/* The lanes draw from the caller's scratch state, which grows to the
 * trace and is freed by render__lanes_free. */
static void test_lanes_actors_scratch(void **state)
{
	static struct view v;
	struct lanes_scratch *sc = calloc(1, sizeof *sc);
	struct tui_state s = { .speed = 1, .title = "" };
	char cause[512], *a, *b;
	struct trace *t;
	struct grid g;

	(void)state;
	assert_non_null(sc);
	assert_int_equal(trace_read("tests/golden/lanes-200.jsonl", &t, NULL, cause, sizeof cause), 0);
	s.t = t;
	s.cursor = trace_count(t);
	view_fold(&v, t, s.cursor);
	s.v = &v;
	assert_int_equal(grid_init(&g, 80, 24), 0);
	render__lanes_in(&g, &s, 1, 8, sc);
	assert_true(sc->cap >= trace_hdr_c(t)->nactors);
	assert_true(sc->more.cap >= trace_hdr_c(t)->nactors - TRACE_MAX_ACTORS);
	a = grid_text(&g);
	grid_clear(&g);
	render__lanes_in(&g, &s, 1, 8, sc);   /* drawn again from the same scratch: the same */
	b = grid_text(&g);
	assert_string_equal(a, b);
	free(a);
	free(b);
	render__lanes_free(sc);
	assert_int_equal(sc->cap, 0);
	free(sc);
	grid_free(&g);
	trace_free(t);
}

/* The kernel pane gives a thread's pid where it is not the run's own (a
 * thread of a child process): A's thread is the run's, conn-1's a
 * child's. */
static void test_lanes_actors_kernel_pid(void **state)
{
	static const char text[] =
		"{\"format\":\"ioscope-trace\",\"version\":2,\"scenario\":\"kids\",\"kernel\":\"k\","
		"\"started\":\"2026-12-01T10:00:00Z\",\"speed\":1,\"actors\":[{\"name\":\"world\",\"model\":\"\"},"
		"{\"name\":\"A\",\"model\":\"blocking\",\"caps\":[\"phases\"]}]}\n"
		"{\"seq\":0,\"t_ns\":1000,\"actor\":\"A\",\"kind\":\"enter\",\"call\":\"recvfrom\",\"fd\":5}\n"
		"{\"seq\":1,\"t_ns\":1100,\"actor\":\"A\",\"kind\":\"state\",\"tid\":100,\"pid\":100,"
		"\"state\":\"S\",\"syscall\":\"recvfrom\",\"wchan\":\"sk_wait_data\",\"fd\":5}\n"
		"{\"seq\":2,\"t_ns\":2000,\"actor\":\"conn-1\",\"kind\":\"actor\",\"edge\":\"begin\","
		"\"model\":\"blocking\",\"caps\":[\"phases\"],\"parent\":\"A\",\"tid\":201,\"pid\":200}\n"
		"{\"seq\":3,\"t_ns\":2100,\"actor\":\"conn-1\",\"kind\":\"enter\",\"call\":\"recvfrom\",\"fd\":7}\n"
		"{\"seq\":4,\"t_ns\":2200,\"actor\":\"conn-1\",\"kind\":\"state\",\"tid\":201,\"pid\":200,"
		"\"state\":\"S\",\"syscall\":\"recvfrom\",\"wchan\":\"sk_wait_data\",\"fd\":7}\n";
	static struct view v;
	struct tui_state s = { .speed = 1, .title = "" };
	char cause[512], pane[4096], *screen_text;
	struct trace *t;
	struct grid g;

	(void)state;
	if (trace_read_mem("kids.jsonl", text, sizeof text - 1, &t, NULL, cause, sizeof cause) != 0)
		fail_msg("%s", cause);
	s.t = t;
	s.cursor = trace_count(t);
	view_fold(&v, t, s.cursor);
	s.v = &v;
	assert_int_equal(grid_init(&g, 120, 40), 0);
	tui_render(&g, &s);
	screen_text = grid_text(&g);
	kernel_pane(screen_text, pane, sizeof pane);
	assert_non_null(strstr(pane, "A      tid 100  S "));
	assert_non_null(strstr(pane, "conn-1 tid 201 pid 200  S "));
	free(screen_text);
	grid_free(&g);
	trace_free(t);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lanes_actors_appear),
		cmocka_unit_test(test_lanes_actors_group),
		cmocka_unit_test(test_lanes_actors_more),
		cmocka_unit_test(test_lanes_actors_scratch),
		cmocka_unit_test(test_lanes_actors_kernel),
		cmocka_unit_test(test_lanes_actors_kernel_pid),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests_name("lanes_actors", tests, NULL, NULL);
}
