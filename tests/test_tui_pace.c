/* test_tui_pace.c: replays play on the scenario's clock (issue 9, item 5).
 * A recording made at --speed 10 holds real times ten times shorter than
 * its scenario's; at "1×" it used to replay at 10×. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdlib.h>

#include "trace/trace.h"
#include "tui/steps.h"

static void test_tui_pace_recorded_speed(void **state)
{
	struct trace *t = trace_new();

	(void)state;
	assert_non_null(t);
	trace_hdr(t)->speed = 10;
	/* One real second at 1× shows a tenth of a second of a 10× trace:
	 * one scenario second. */
	assert_int_equal(tui_replay_ns(t, 1000000000, 1), 100000000);
	assert_int_equal(tui_replay_ns(t, 1000000000, 2), 200000000);
	assert_int_equal(tui_replay_ns(t, 1000000000, 0.5), 50000000);
	trace_hdr(t)->speed = 1;
	assert_int_equal(tui_replay_ns(t, 1000000000, 1), 1000000000);
	trace_free(t);
}

static void test_tui_pace_unknown_speed(void **state)
{
	struct trace *t = trace_new();

	(void)state;
	assert_non_null(t);
	trace_hdr(t)->speed = 0;          /* not said: real time */
	assert_int_equal(tui_replay_ns(t, 1000000000, 1), 1000000000);
	trace_hdr(t)->speed = -3;
	assert_int_equal(tui_replay_ns(t, 1000000000, 1), 1000000000);
	trace_hdr(t)->speed = 1e9;        /* beyond what --speed allows */
	assert_int_equal(tui_replay_ns(t, 1000000000, 1), 1000000000);
	trace_free(t);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tui_pace_recorded_speed),
		cmocka_unit_test(test_tui_pace_unknown_speed),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
