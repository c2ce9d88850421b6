/* test_tui_steps.c: → and ← move between step ends.  They used to try
 * every step number, each with a scan of the events (steps x events): a
 * replay whose step jumps to 10^6 spun for minutes and ignored q (issue
 * 10, item 3).  Then they scanned the trace once per key, which at 10^6
 * events is still seconds (issue 13, item 4): now they search the step
 * index trace_append keeps.  They must land exactly where the old
 * definition (tui_step_end for the nearest n) and the scanning versions
 * (kept here as the reference) do, on traces of every shape. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <glob.h>
#include <stdbool.h>
#include <stdlib.h>

#include "trace/trace.h"
#include "tui/steps.h"

/* The scanning versions, as tui/steps.c had them before the index. */
static size_t scan_step_end(const struct trace *t, int n)
{
	for (size_t i = 0; i < trace_count(t); i++)
		if (trace_at(t, i)->step > n)
			return i;
	return trace_count(t);
}

static bool starts_step(const struct trace_ev *e, int before)
{
	return e->step >= 1 && e->step > before;
}

static size_t scan_next_end(const struct trace *t, size_t cursor)
{
	size_t n = trace_count(t), i;
	int before = -1;

	for (i = 0; i < n && i <= cursor; i++)
		before = trace_at(t, i)->step > before ? trace_at(t, i)->step : before;
	for (; i < n; i++) {
		if (starts_step(trace_at(t, i), before))
			return i;
		before = trace_at(t, i)->step > before ? trace_at(t, i)->step : before;
	}
	return before >= 0 && n > cursor ? n : SIZE_MAX;
}

static size_t scan_prev_end(const struct trace *t, size_t cursor)
{
	size_t to = 0;
	int before = -1;

	for (size_t i = 0; i < cursor && i < trace_count(t); i++) {
		if (starts_step(trace_at(t, i), before))
			to = i;
		before = trace_at(t, i)->step > before ? trace_at(t, i)->step : before;
	}
	return to;
}

static int scan_step_max(const struct trace *t)
{
	int m = -1;

	for (size_t i = 0; i < trace_count(t); i++)
		if (trace_at(t, i)->step > m)
			m = trace_at(t, i)->step;
	return m;
}

static struct trace *make(const int *steps, size_t n)
{
	struct trace *t = trace_new();

	assert_non_null(t);
	for (size_t i = 0; i < n; i++) {
		struct trace_ev e = { .kind = TRACE_LOST, .fd = -1, .count = 1,
				      .step = steps[i] };

		assert_int_equal(trace_append(t, &e), 0);
	}
	return t;
}

/* The old definitions, by brute force over every step number. */
static size_t old_next(struct trace *t, size_t cursor)
{
	for (int n = 0; n <= scan_step_max(t); n++)
		if (scan_step_end(t, n) > cursor)
			return scan_step_end(t, n);
	return SIZE_MAX;
}

static size_t old_prev(struct trace *t, size_t cursor)
{
	for (int n = scan_step_max(t); n >= 0; n--)
		if (scan_step_end(t, n) < cursor)
			return scan_step_end(t, n);
	return 0;
}

/* The indexed functions equal the scanning ones at every cursor (and
 * past the end), and tui_step_end for every step n that matters: each
 * step an event has, its neighbours, and the extremes. */
static void same_as_scan(const struct trace *t)
{
	size_t n = trace_count(t);

	assert_int_equal(trace_step_max(t), scan_step_max(t));
	for (size_t c = 0; c <= n + 1; c++) {
		assert_int_equal(tui_step_next_end(t, c), scan_next_end(t, c));
		assert_int_equal(tui_step_prev_end(t, c), scan_prev_end(t, c));
	}
	assert_int_equal(tui_step_next_end(t, SIZE_MAX), scan_next_end(t, SIZE_MAX));
	assert_int_equal(tui_step_prev_end(t, SIZE_MAX), scan_prev_end(t, SIZE_MAX));
	for (int k = -2; k <= 2; k++)
		assert_int_equal(tui_step_end(t, k), scan_step_end(t, k));
	assert_int_equal(tui_step_end(t, INT32_MIN), scan_step_end(t, INT32_MIN));
	assert_int_equal(tui_step_end(t, INT32_MAX), scan_step_end(t, INT32_MAX));
	for (size_t i = 0; i < n; i++) {
		int step = trace_at(t, i)->step;

		for (int d = -1; d <= 1; d++) {
			int k = (d < 0 && step == INT32_MIN) || (d > 0 && step == INT32_MAX) ?
				step : step + d;

			assert_int_equal(tui_step_end(t, k), scan_step_end(t, k));
		}
	}
}

static void same_everywhere(struct trace *t)
{
	same_as_scan(t);
	for (size_t c = 0; c <= trace_count(t); c++) {
		assert_int_equal(tui_step_next_end(t, c), old_next(t, c));
		assert_int_equal(tui_step_prev_end(t, c), old_prev(t, c));
	}
}

static void test_tui_steps_shapes(void **state)
{
	static const int a[] = { 0, -1, -1, 1, -1, 2, 2, -1, 3 };
	static const int b[] = { -1, -1, -1 };                 /* no step */
	static const int c[] = { 0, 0, -1 };                   /* one step */
	static const int d[] = { 2, -1, 5, 1, -1, 5, 9 };      /* gaps, out of order */
	static const int e[] = { -1, 3, -1 };
	const int *all[] = { a, b, c, d, e };
	const size_t len[] = { 9, 3, 3, 7, 3 };

	(void)state;
	for (size_t k = 0; k < 5; k++) {
		struct trace *t = make(all[k], len[k]);

		same_everywhere(t);
		trace_free(t);
	}
	struct trace *t = make(NULL, 0);
	assert_int_equal(tui_step_next_end(t, 0), SIZE_MAX);
	assert_int_equal(tui_step_prev_end(t, 0), 0);
	trace_free(t);
}

static void test_tui_steps_random(void **state)
{
	int steps[40];

	(void)state;
	srand(10);
	for (int round = 0; round < 300; round++) {
		size_t n = (size_t)(rand() % 40);
		struct trace *t;

		for (size_t i = 0; i < n; i++)
			steps[i] = rand() % 3 == 0 ? -1 : rand() % 8;
		t = make(steps, n);
		same_everywhere(t);
		trace_free(t);
	}
}

/* Odd step sequences: -1s, jumps, repeats, steps going down, the
 * reader's largest step, and (by hand only) steps below -1 and the ends
 * of int32_t. */
static void test_tui_steps_odd(void **state)
{
	static const int big = TRACE_MAX_STEPS - 1;
	const int a[] = { -1, -1, 5, 5, 3, -1, 7, 2, big, 0, big, -1 };
	const int b[] = { 0 }, c[] = { 1 }, d[] = { -1 }, e[] = { big };
	const int f[] = { 3, 2, 1, 0, -1 }, g[] = { 0, 0, 0, 1, 1, 1 };
	const int h[] = { -5, -3, -1, -2, 0, -7, 2 }, i[] = { INT32_MIN, INT32_MAX };
	const int j[] = { INT32_MAX, 0, -1 }, k[] = { -1, 0, big, big - 1, big };
	const int l[] = { 1, 1, -1, 1, 2, 2, 1, 4, 3, 4, 5 };
	const int *all[] = { a, b, c, d, e, f, g, h, i, j, k, l };
	const size_t len[] = { 12, 1, 1, 1, 1, 5, 6, 7, 2, 3, 5, 11 };

	(void)state;
	for (size_t x = 0; x < sizeof all / sizeof all[0]; x++) {
		struct trace *t = make(all[x], len[x]);

		same_as_scan(t);
		trace_free(t);
	}
}

/* A live run asks between appends: the index is right after each one. */
static void test_tui_steps_growing(void **state)
{
	struct trace *t = trace_new();

	(void)state;
	assert_non_null(t);
	srand(13);
	for (int i = 0; i < 120; i++) {
		int r = rand() % 10;
		struct trace_ev e = { .kind = TRACE_LOST, .fd = -1, .count = 1,
				      .step = r < 4 ? -1 : r < 8 ? i / 10 : rand() % 30 };

		assert_int_equal(trace_append(t, &e), 0);
		same_as_scan(t);
	}
	trace_free(t);
}

/* Every shipped recording, at every cursor. */
static void test_tui_steps_recordings(void **state)
{
	glob_t g;

	(void)state;
	assert_int_equal(glob("scenarios/recordings/*.jsonl", 0, NULL, &g), 0);
	assert_true(g.gl_pathc > 0);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct trace *t = NULL;
		char cause[512];

		assert_int_equal(trace_read(g.gl_pathv[i], &t, NULL, cause, sizeof cause), 0);
		assert_true(trace_step_max(t) >= 0);
		same_everywhere(t);
		trace_free(t);
	}
	globfree(&g);
}

/* An append the trace refuses (at its cap, or one that breaks an actor's
 * life) leaves the step index as it was. */
static void test_tui_steps_refused(void **state)
{
	static const int steps[] = { -1, 2, 1, 4, -1 };
	struct trace *t = make(steps, 5);
	struct trace_ev high = { .kind = TRACE_LOST, .fd = -1, .count = 1, .step = 9 };
	const struct trace_step *s;
	size_t ns;

	(void)state;
	s = trace_steps(t, &ns);
	assert_int_equal(ns, 3);                 /* -1 at 0, 2 at 1, 4 at 3 */
	assert_int_equal(s[2].at, 3);
	assert_int_equal(s[2].step, 4);
	trace_set_max_mem(t, trace_mem(t));
	high.kind = TRACE_ENTER;
	assert_int_equal(trace_append(t, &high), -EFBIG);
	/* The world has no begin: an actor event of it is refused. */
	high.kind = TRACE_ACTOR;
	trace_set_max_mem(t, TRACE_MAX_MEM);
	assert_int_equal(trace_append(t, &high), -EINVAL);
	s = trace_steps(t, &ns);
	assert_int_equal(ns, 3);
	assert_int_equal(trace_step_max(t), 4);
	assert_int_equal(tui_step_next_end(t, 3), 5);
	assert_int_equal(trace_count(t), 5);
	same_as_scan(t);
	high.kind = TRACE_LOST;
	assert_int_equal(trace_append(t, &high), 0);
	assert_int_equal(trace_step_max(t), 9);
	assert_int_equal(tui_step_next_end(t, 3), 5);
	same_as_scan(t);
	trace_free(t);
}

/* The hostile shape: 20,000 events, the last at step 1048575 (the reader's
 * largest).  Brute force was 10^6 x 2*10^4 visits; one pass is 2*10^4.  No
 * clock is read: the test's time limit would catch the old cost. */
static void test_tui_steps_huge_step(void **state)
{
	static int steps[20000];
	struct trace *t;

	(void)state;
	for (size_t i = 0; i < 20000; i++)
		steps[i] = i == 19999 ? 1048575 : (int)(i / 1000);
	t = make(steps, 20000);
	assert_int_equal(tui_step_next_end(t, 0), 1000);
	assert_int_equal(tui_step_next_end(t, 19000), 19999);
	assert_int_equal(tui_step_next_end(t, 19999), 20000);
	assert_int_equal(tui_step_next_end(t, 20000), SIZE_MAX);
	assert_int_equal(tui_step_prev_end(t, 20000), 19999);
	assert_int_equal(tui_step_prev_end(t, 1000), 0);
	trace_free(t);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tui_steps_shapes),
		cmocka_unit_test(test_tui_steps_random),
		cmocka_unit_test(test_tui_steps_huge_step),
		cmocka_unit_test(test_tui_steps_odd),
		cmocka_unit_test(test_tui_steps_growing),
		cmocka_unit_test(test_tui_steps_recordings),
		cmocka_unit_test(test_tui_steps_refused),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
