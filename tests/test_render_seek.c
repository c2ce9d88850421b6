/* test_render_seek.c: a frame's work does not grow with the trace.  The
 * screen's view and the panes' folds come from the scratch's seek cache,
 * so a frame at the middle or the end of a 10^5-event trace reads or
 * applies no more events than one of a 10^3-event trace, under a bound
 * that depends on the screen's size only.  Counted, not timed
 * (render_scratch_visited, seek_applied). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/fold.h"
#include "trace/seek.h"
#include "view/grid.h"
#include "view/render.h"
#include "tests/harness.h"

#define W 200
#define H 50
/* The screen's fold and the story's and the lanes' (each from a copy at
 * most SEEK_EVERY events back), and the events drawn: a lane column per
 * event, a story line per event, each looking back a little (an idle
 * slice's previous one). */
#define FRAME_BOUND (3 * (SEEK_EVERY + 1) + 16 * W)

static struct trace *read_trace(const char *path)
{
	char cause[512];
	struct trace *t;
	size_t skipped;

	assert_int_equal(trace_read(path, &t, &skipped, cause, sizeof cause), 0);
	return t;
}

struct screen {
	struct trace *t;
	struct render_scratch *r;
	struct view *v;
	struct view_more more;
	struct grid g;
};

/* A frame as the screen draws one (tui.c's draw): its view from the
 * scratch's cache, then the render.  Returns the events it cost. */
static uint64_t frame(struct screen *k, size_t cursor, bool ended)
{
	struct seek *sk = render_scratch_seek(k->r);
	uint64_t before = seek_applied(sk), fold;
	struct tui_state s = { .t = k->t, .cursor = cursor, .v = k->v, .speed = 1, .title = "",
			       .ended = ended, .scratch = k->r, .screen = TUI_SCREEN_REPLAY };

	assert_int_equal(seek_view(sk, k->t, cursor, k->v, &k->more), 0);
	fold = seek_applied(sk) - before;
	tui_render(&k->g, &s);
	return fold + render_scratch_visited(k->r);
}

static void screen_open(struct screen *k, size_t n)
{
	memset(k, 0, sizeof *k);
	k->t = read_trace("tests/golden/fishing.jsonl");
	assert_int_equal(h_repeat(k->t, n), 0);
	assert_non_null(k->r = render_scratch_new());
	assert_non_null(k->v = calloc(1, sizeof *k->v));
	assert_int_equal(grid_init(&k->g, W, H), 0);
}

static void screen_close(struct screen *k)
{
	grid_free(&k->g);
	view_more_free(&k->more);
	free(k->v);
	render_scratch_free(k->r);
	trace_free(k->t);
}

/* The most any of the usual moves costs: the middle, a step either way,
 * a jump, the end (playing, and over: the whole run fitted, drawn again). */
static uint64_t worst_moves(struct screen *k)
{
	size_t n = trace_count(k->t), mid = n / 2;
	size_t at[] = { mid, mid + 1, mid + 40, mid - 1, mid - 300, n / 3, 3 * n / 4, n, 0, n };
	uint64_t worst = 0;

	/* The copies are made once, as the cursor first reaches them
	 * (replaying, or End once): */
	(void)frame(k, n, false);
	for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
		uint64_t c = frame(k, at[i], false);

		worst = c > worst ? c : worst;
	}
	/* Over: a short run is fitted whole (walked once, then kept), a long
	 * one shows its last events: either way within the bound. */
	for (int i = 0; i < 4; i++) {
		uint64_t c = frame(k, n, true);

		worst = c > worst ? c : worst;
	}
	return worst;
}

static void test_render_seek_bounded(void **state)
{
	struct screen small, big;
	uint64_t w_small, w_big;

	screen_open(&small, 1000);
	screen_open(&big, 100000);
	w_small = worst_moves(&small);
	w_big = worst_moves(&big);
	print_message("events a frame at 10^3: %llu, at 10^5: %llu, bound %d\n",
		      (unsigned long long)w_small, (unsigned long long)w_big, FRAME_BOUND);
	assert_true(w_small <= FRAME_BOUND);
	assert_true(w_big <= FRAME_BOUND);
	screen_close(&small);
	screen_close(&big);
}

/* A long run of kernel samples and nothing else (a thread asleep for a
 * minute, sampled all along): a frame at its end, or in its middle,
 * walks no further back than one of a short trace. */
static void test_render_seek_samples(void **state)
{
	struct screen k;
	struct trace_ev sample = { 0 };
	size_t n0;
	uint64_t worst = 0;

	(void)state;
	screen_open(&k, 0);
	n0 = trace_count(k.t);
	for (size_t i = 0; i < n0 && sample.kind == TRACE_NONE; i++)
		if (trace_at(k.t, i)->kind == TRACE_STATE)
			sample = *trace_at(k.t, i);
	assert_int_equal(sample.kind, TRACE_STATE);
	sample.t_ns = trace_at(k.t, n0 - 1)->t_ns;
	sample.step = -1;
	for (int i = 0; i < 100000; i++) {
		sample.t_ns += 1000;
		assert_int_equal(trace_append(k.t, &sample), 0);
	}
	(void)frame(&k, trace_count(k.t), false);     /* the copies, made once */
	for (size_t at = n0 + 50000; at <= trace_count(k.t); at += 25000) {
		uint64_t c = frame(&k, at, false);

		worst = c > worst ? c : worst;
	}
	/* Over, too long to fit whole: the rule under the lanes says what
	 * they show. */
	{
		struct tui_state st = { .t = k.t, .cursor = trace_count(k.t), .v = k.v, .speed = 1,
					.title = "", .ended = true, .scratch = k.r,
					.screen = TUI_SCREEN_REPLAY };
		char *text;

		assert_int_equal(seek_view(render_scratch_seek(k.r), k.t, st.cursor, k.v, &k.more), 0);
		tui_render(&k.g, &st);
		assert_non_null(text = grid_text(&k.g));
		if (strstr(text, "its last events, one column each (too long to fit)") == NULL)
			fail_msg("no 'its last events' under the lanes:\n%s", text);
		free(text);
	}
	print_message("events a frame among 10^5 samples: %llu, bound %d\n",
		      (unsigned long long)worst, FRAME_BOUND);
	assert_true(worst <= FRAME_BOUND);
	screen_close(&k);
}

/* A scratch kept from frame to frame (its views folded on, its copies,
 * the whole run kept) draws what a fresh one draws. */
static void test_render_seek_same(void **state)
{
	struct screen k;
	struct grid g2;
	struct render_scratch *fresh;
	size_t n;

	screen_open(&k, 4000);            /* at most LANES_WHOLE_MAX: fitted whole at its end */
	n = trace_count(k.t);
	assert_int_equal(grid_init(&g2, W, H), 0);
	/* Every 37th cursor, then the end twice: drawn, then kept. */
	for (size_t c = 0, ends = 0; ends < 2; c = c + 37 < n ? c + 37 : n) {
		struct tui_state s = { .t = k.t, .cursor = c, .v = k.v, .speed = 1, .title = "",
				       .ended = c == n, .screen = TUI_SCREEN_REPLAY };

		ends += c == n;
		(void)frame(&k, c, c == n);
		assert_non_null(fresh = render_scratch_new());
		s.scratch = fresh;
		view_fold_more(k.v, k.t, c, &k.more);
		tui_render(&g2, &s);
		render_scratch_free(fresh);
		if (memcmp(k.g.cells, g2.cells, (size_t)W * H * sizeof *g2.cells) != 0)
			fail_msg("the screen at %zu differs", c);
	}
	grid_free(&g2);
	screen_close(&k);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_seek_bounded),
		cmocka_unit_test(test_render_seek_samples),
		cmocka_unit_test(test_render_seek_same),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("render_seek", tests, NULL, NULL);
}
