/* test_tui_steps.c: → and ← move between step ends in one pass over the
 * trace.  They used to try every step number, each with a scan of the
 * events (steps x events): a replay whose step jumps to 10^6 spun for
 * minutes and ignored q (issue 10, item 3).  The one-pass functions must
 * land exactly where the old definition (tui_step_end for the nearest n)
 * does, on traces of every shape. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdlib.h>

#include "trace/trace.h"
#include "tui/steps.h"

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
	for (int n = 0; n <= tui_step_max(t); n++)
		if (tui_step_end(t, n) > cursor)
			return tui_step_end(t, n);
	return SIZE_MAX;
}

static size_t old_prev(struct trace *t, size_t cursor)
{
	for (int n = tui_step_max(t); n >= 0; n--)
		if (tui_step_end(t, n) < cursor)
			return tui_step_end(t, n);
	return 0;
}

static void same_everywhere(struct trace *t)
{
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
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
