/* test_epoch.c: each run's clock is its own sink's (sink_epoch, sink_now,
 * probe_now), so two runs that overlap do not share, or race on, one. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <uv.h>

#include "models/probe.h"
#include "trace/sink.h"

struct run_clock {
	uv_loop_t loop;
	struct trace *t;
	struct sink *s;
	struct probe p;
};

static void clock_open(struct run_clock *rc)
{
	assert_int_equal(uv_loop_init(&rc->loop), 0);
	assert_non_null(rc->t = trace_new());
	assert_int_equal(sink_new(&rc->loop, rc->t, &rc->s), 0);
	rc->p = (struct probe){ .sink = rc->s, .ring = sink_ring_new(rc->s, 1), .actor = 1 };
	assert_non_null(rc->p.ring);
}

static void clock_close(struct run_clock *rc)
{
	sink_close(rc->s);
	uv_run(&rc->loop, UV_RUN_NOWAIT);
	sink_free(rc->s);
	assert_int_equal(uv_loop_close(&rc->loop), 0);
	trace_free(rc->t);
}

/* The second sink is made once the monotonic clock has moved past the
 * first's epoch (a condition, not a sleep: it moves within microseconds). */
static void test_epoch_per_sink(void **state)
{
	struct run_clock a, b;
	int64_t before, ta, tb;
	const struct trace_ev *ev;

	(void)state;
	before = trace_mono_ns();
	clock_open(&a);
	assert_true(sink_epoch(a.s) >= before);
	while (trace_mono_ns() <= sink_epoch(a.s) + 1000)
		;
	clock_open(&b);
	assert_true(sink_epoch(b.s) > sink_epoch(a.s));

	/* A probe stamps in its own sink's time: an event through b, then
	 * a's now, differ by at least the gap between the epochs. */
	probe_attach(&b.p);
	tb = probe_enter(TRACE_CALL_RECVFROM, 3, false);
	probe_attach(NULL);
	ta = probe_now(&a.p);
	assert_true(ta - tb >= sink_epoch(b.s) - sink_epoch(a.s));
	assert_true(tb >= 0 && tb <= sink_now(b.s));

	sink_drain(b.s);
	assert_int_equal(trace_count(b.t), 1);
	ev = trace_at(b.t, 0);
	assert_int_equal(ev->t_ns, tb);
	assert_int_equal(trace_count(a.t), 0);

	/* The epochs stay as they were made. */
	clock_close(&a);
	assert_true(probe_now(&b.p) >= tb);
	clock_close(&b);
}

/* Untraced (no sink): the raw monotonic clock, never a stale epoch. */
static void test_epoch_probe_without_sink(void **state)
{
	int64_t before = trace_mono_ns(), t = probe_now(NULL);

	(void)state;
	assert_true(t >= before && t <= trace_mono_ns());
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_epoch_per_sink),
		cmocka_unit_test(test_epoch_probe_without_sink),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("epoch", tests, NULL, NULL);
}
