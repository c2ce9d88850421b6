/* test_view_caps.c: the views know an actor by the capabilities its trace
 * header declares (trace/FORMAT.md, "Capabilities"), never by its model's
 * name: a "toy" model no view has heard of gets the panes and words of
 * what it declares.  A new model needs no change outside models/. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/fold.h"
#include "trace/trace.h"
#include "view/narrate.h"
#include "view/render.h"

static int64_t now;

static struct trace_ev ev_at(int kind, int actor, int call, int fd)
{
	return (struct trace_ev){ .kind = (uint8_t)kind, .actor = (uint16_t)actor,
				  .call = (uint16_t)call, .t_ns = now += 1000, .fd = fd,
				  .step = -1 };
}

static void add_fds(struct trace *t, struct trace_ev e, const int *fds, int nfds)
{
	trace_ev_set_fds(&e, fds, nfds);
	assert_int_equal(trace_append(t, &e), 0);
}

/* An interest list kept in the kernel: register three fds once, one
 * joins the ready list, the wait returns it, the program touches it. */
static void epoll_round(struct trace *t, int a)
{
	static const int all[] = { 5, 6, 7 }, one[] = { 6 };
	struct trace_ev e;

	for (int i = 0; i < 3; i++) {
		e = ev_at(TRACE_ENTER, a, TRACE_CALL_EPOLL_CTL, 9);
		e.what = TRACE_OP_ADD;
		e.arg = all[i];
		add_fds(t, e, NULL, 0);
		e = ev_at(TRACE_EXIT, a, TRACE_CALL_EPOLL_CTL, 9);
		add_fds(t, e, NULL, 0);
	}
	e = ev_at(TRACE_SET, a, 0, -1);
	e.what = TRACE_SET_INTEREST;
	e.n = 3;
	add_fds(t, e, all, 3);
	e = ev_at(TRACE_ENTER, a, TRACE_CALL_EPOLL_WAIT, 9);
	e.n = 64;
	add_fds(t, e, NULL, 0);
	e = ev_at(TRACE_READY, a, 0, 6);
	add_fds(t, e, NULL, 0);
	e = ev_at(TRACE_EXIT, a, TRACE_CALL_EPOLL_WAIT, 9);
	e.ret = 1;
	e.dur_ns = 2000;
	add_fds(t, e, one, 1);
	e = ev_at(TRACE_SET, a, 0, -1);
	e.what = TRACE_SET_SCAN;
	e.n = 1;
	add_fds(t, e, one, 1);
}

/* A whole set handed in each call: built, checked, scanned. */
static void scan_round(struct trace *t, int a, int call)
{
	static const int all[] = { 5, 6, 7 }, one[] = { 6 };
	struct trace_ev e;

	e = ev_at(TRACE_SET, a, 0, -1);
	e.what = TRACE_SET_BUILD;
	e.n = 3;
	add_fds(t, e, all, 3);
	e = ev_at(TRACE_ENTER, a, call, -1);
	e.n = 8;
	add_fds(t, e, all, 3);
	e = ev_at(TRACE_EXIT, a, call, -1);
	e.n = 8;
	e.ret = 1;
	e.dur_ns = 2000;
	add_fds(t, e, one, 1);
	e = ev_at(TRACE_SET, a, 0, -1);
	e.what = TRACE_SET_SCAN;
	e.n = 8;
	add_fds(t, e, one, 1);
}

/* One actor "T" on the toy model, with caps, and a round of its kind. */
static struct trace *toy(unsigned caps)
{
	struct trace *t = trace_new();

	assert_non_null(t);
	now = 0;
	assert_int_equal(trace_add_actor(t, "T", "toy", caps, "", ""), 1);
	if (caps & TRACE_CAP_INTEREST)
		epoll_round(t, 1);
	else
		scan_round(t, 1, caps & TRACE_CAP_BITMAP ? TRACE_CALL_SELECT : TRACE_CALL_POLL);
	return t;
}

/* The screen at the end of t, as text (free it). */
static char *screen(const struct trace *t, int w, int h)
{
	static struct view v;
	struct tui_state s = { .t = t, .cursor = trace_count(t), .v = &v, .speed = 1, .title = "" };
	struct grid g;
	char *text;

	view_fold(&v, t, s.cursor);
	assert_int_equal(grid_init(&g, w, h), 0);
	tui_render(&g, &s);
	text = grid_text(&g);
	grid_free(&g);
	assert_non_null(text);
	return text;
}

/* Every event's words, one line each (free it). */
static char *story(const struct trace *t)
{
	static struct view before;
	char *buf = NULL, line[1024];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	view_reset(&before, t);
	for (size_t i = 0; i < trace_count(t); i++) {
		if (narrate_line(t, NARRATE_EN, &before, trace_at(t, i), line, sizeof line))
			fprintf(f, "%s\n", line);
		view_apply(&before, trace_at(t, i));
	}
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void has(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		fail_msg("'%s' not in:\n%s", want, text);
}

static void lacks(const char *text, const char *unwanted)
{
	if (strstr(text, unwanted) != NULL)
		fail_msg("'%s' in:\n%s", unwanted, text);
}

static void test_view_caps_toy_interest(void **state)
{
	struct trace *t = toy(TRACE_CAP_PHASES | TRACE_CAP_INTEREST);
	char *s = screen(t, 120, 40), *words = story(t);

	(void)state;
	has(s, " T · epoll, level-triggered");
	has(s, "{5 6 7} added once each");
	has(s, "returned 1 {6}; touched 1");
	lacks(s, "the whole set");
	has(words, "interest list in the kernel: {5 6 7}");
	has(words, "touches only what it was given (1): {6}");
	free(s);
	s = screen(t, 80, 24);
	has(s, " T · epoll, level-triggered");
	free(s);
	free(words);
	trace_free(t);
	/* Edge-triggered: the title says so. */
	t = toy(TRACE_CAP_PHASES | TRACE_CAP_INTEREST | TRACE_CAP_EDGE);
	s = screen(t, 120, 40);
	has(s, " T · epoll, edge-triggered");
	free(s);
	trace_free(t);
}

static void test_view_caps_toy_set(void **state)
{
	struct trace *t = toy(TRACE_CAP_PHASES | TRACE_CAP_SET | TRACE_CAP_BITMAP);
	char *s = screen(t, 120, 40), *words = story(t);

	(void)state;
	has(s, " T · select: the whole set, every call");
	has(s, "nfds 8  {5 6 7}");
	has(s, "scanned 8 to find {6}");
	has(words, "rebuilds its fd_set from scratch (select overwrote the last one): {5 6 7}");
	has(words, "scans 8 descriptors with FD_ISSET to find which rang: {6}");
	free(s);
	free(words);
	trace_free(t);
	/* A set that is not a bitmap: poll's array. */
	t = toy(TRACE_CAP_PHASES | TRACE_CAP_SET);
	s = screen(t, 120, 40);
	words = story(t);
	has(s, " T · poll: the whole array, every call");
	has(s, "entries 8  {5 6 7}");
	has(words, "fills in its pollfd array (3 in all): {5 6 7}");
	has(words, "walks all 8 entries' revents to find the ready ones: {6}");
	free(s);
	free(words);
	trace_free(t);
}

/* Without a set or an interest list, no multiplexer's pane: a toy that
 * declares only phases draws its lane and the kernel's word. */
static void test_view_caps_toy_plain(void **state)
{
	struct trace *t = toy(TRACE_CAP_PHASES);
	char *s = screen(t, 120, 40);

	(void)state;
	has(s, "T toy");
	lacks(s, " T · ");
	free(s);
	trace_free(t);
}

/* Two toys, a bitmap set and an interest list: side by side, as select
 * beside epoll. */
static void test_view_caps_toys_side_by_side(void **state)
{
	struct trace *t = trace_new();
	char *s;

	(void)state;
	assert_non_null(t);
	now = 0;
	assert_int_equal(trace_add_actor(t, "P", "toy", TRACE_CAP_INTEREST | TRACE_CAP_PHASES, "", ""), 1);
	assert_int_equal(trace_add_actor(t, "Q", "toy2", TRACE_CAP_SET | TRACE_CAP_BITMAP, "", ""), 2);
	epoll_round(t, 1);
	scan_round(t, 2, TRACE_CALL_SELECT);
	s = screen(t, 120, 40);
	has(s, " Q · select: the whole set, every call");
	has(s, " P · epoll, level-triggered");
	assert_true(strstr(s, " Q · select") < strstr(s, " P · epoll"));   /* the scan side first */
	free(s);
	trace_free(t);
}

/* Completions, and hidden helpers doing the waits: glibc's words. */
static void test_view_caps_toy_completion(void **state)
{
	struct trace *t = trace_new();
	struct trace_ev e;
	char *words;

	(void)state;
	assert_non_null(t);
	assert_int_equal(trace_add_actor(t, "H", "toy", TRACE_CAP_COMPLETION | TRACE_CAP_HELPERS, "", ""), 1);
	assert_int_equal(trace_add_actor(t, "K", "toy", TRACE_CAP_COMPLETION, "", ""), 2);
	for (int a = 1; a <= 2; a++) {
		e = ev_at(TRACE_SUBMIT, a, 0, 5);
		e.arg = 1;
		e.n = 1;
		add_fds(t, e, NULL, 0);
	}
	words = story(t);
	has(words, "hands glibc a read of fd 5 (request 1; 1 in flight)");
	has(words, "hands the kernel a read of fd 5 (request 1; 1 in flight)");
	free(words);
	trace_free(t);
}

/* A recast actor's label says what the model it ran does, by its caps. */
static void test_view_caps_recast_words(void **state)
{
	static const struct {
		unsigned caps;
		const char *words;
	} cases[] = {
		{ TRACE_CAP_PHASES | TRACE_CAP_INTEREST | TRACE_CAP_LOOP, "; here: libuv's event loop" },
		{ TRACE_CAP_PHASES | TRACE_CAP_INTEREST | TRACE_CAP_EDGE, "; here: epoll, edge-triggered" },
		{ TRACE_CAP_PHASES | TRACE_CAP_INTEREST, "; here: registers each fd once" },
		{ TRACE_CAP_PHASES | TRACE_CAP_SET | TRACE_CAP_BITMAP, "; here: one select() waits" },
		{ TRACE_CAP_PHASES | TRACE_CAP_SET, "; here: one poll() waits" },
		{ TRACE_CAP_COMPLETION | TRACE_CAP_HELPERS, "; here: aio_read(): a glibc helper" },
		{ TRACE_CAP_COMPLETION, "; here: io_uring:" },
		{ TRACE_CAP_PHASES | TRACE_CAP_SIGNAL, "; here: a signal says" },
		{ TRACE_CAP_PHASES | TRACE_CAP_TRIES, "; here: recv() answers EAGAIN" },
		{ TRACE_CAP_PHASES, "; here: recv() sleeps in the kernel" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct trace *t = trace_new();
		const char *label;

		assert_non_null(t);
		assert_int_equal(trace_add_actor(t, "T", "toy", cases[i].caps, "", ""), 1);
		assert_int_equal(narrate_recast(t, 1, "blocking"), 0);
		label = trace_hdr_c(t)->actors[1].label[0];
		if (strstr(label, cases[i].words) == NULL || strncmp(label, "the script wrote blocking", 25) != 0)
			fail_msg("caps %#x: '%s' lacks '%s'", cases[i].caps, label, cases[i].words);
		trace_free(t);
	}
}

/* A TRACE_MODEL event changes an actor's caps mid-run: the panes follow
 * the view's caps, not the header's.  A toy with phases only has no
 * multiplexer's pane; once its model becomes one that hands in a set, it
 * has one. */
static void test_view_caps_model_event(void **state)
{
	struct trace *t = toy(TRACE_CAP_PHASES);
	struct trace_ev ev = ev_at(TRACE_MODEL, 1, 0, -1);
	char *text;

	(void)state;
	text = screen(t, 120, 40);
	assert_null(strstr(text, "handed in"));
	free(text);
	assert_non_null(ev.model = trace_intern(t, "toy-select"));
	ev.caps = (int32_t)(TRACE_CAP_SET | TRACE_CAP_BITMAP);
	assert_non_null(ev.text[0] = trace_intern(t, "it hands in a set"));
	assert_non_null(ev.text[1] = trace_intern(t, "它交出一个集合"));
	assert_int_equal(trace_append(t, &ev), 0);
	scan_round(t, 1, TRACE_CALL_SELECT);
	text = screen(t, 120, 40);
	assert_non_null(strstr(text, "handed in"));
	free(text);
	trace_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_view_caps_toy_interest),
		cmocka_unit_test(test_view_caps_toy_set),
		cmocka_unit_test(test_view_caps_toy_plain),
		cmocka_unit_test(test_view_caps_toys_side_by_side),
		cmocka_unit_test(test_view_caps_toy_completion),
		cmocka_unit_test(test_view_caps_recast_words),
		cmocka_unit_test(test_view_caps_model_event),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
