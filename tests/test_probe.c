/* test_probe.c: the helpers every model shares (probe_note,
 * model_ready_time), tested once where they live. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <uv.h>

#include "models/model.h"
#include "trace/sink.h"

/* Phase 1 ends when the world made the data ready, clamped to the call;
 * the stamp is taken, so the next read starts afresh. */
static void test_probe_ready_time(void **state)
{
	struct feed f = { .fd = 3 };

	(void)state;
	atomic_store(&f.ready_ns, 150);
	assert_int_equal(model_ready_time(&f, 100, 200), 150);
	assert_int_equal(atomic_load(&f.ready_ns), 0);
	atomic_store(&f.ready_ns, 50);            /* already there */
	assert_int_equal(model_ready_time(&f, 100, 200), 100);
	atomic_store(&f.ready_ns, 250);           /* stamped after we looked */
	assert_int_equal(model_ready_time(&f, 100, 200), 200);
	assert_int_equal(model_ready_time(&f, 100, 200), 100);   /* none: 0 */
}

/* A note leaves through the attached probe, stamped in its sink's time,
 * with both languages interned by the sink. */
static void test_probe_note(void **state)
{
	uv_loop_t loop;
	struct trace *t;
	struct sink *s;
	struct probe p;
	const struct trace_ev *ev;
	int64_t before;

	(void)state;
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_non_null(t = trace_new());
	assert_int_equal(sink_new(&loop, t, &s), 0);
	p = (struct probe){ .sink = s, .ring = sink_ring_new(s, 1), .actor = 1 };
	before = sink_now(s);
	probe_attach(&p);
	probe_note("english", "中文");
	probe_attach(NULL);
	probe_note("untraced", "untraced");       /* detached: goes nowhere */
	sink_drain(s);
	assert_int_equal(trace_count(t), 1);
	ev = trace_at(t, 0);
	assert_int_equal(ev->kind, TRACE_NOTE);
	assert_int_equal(ev->actor, 1);
	assert_int_equal(ev->fd, -1);
	assert_true(ev->t_ns >= before && ev->t_ns <= sink_now(s));
	assert_string_equal(ev->text[0], "english");
	assert_string_equal(ev->text[1], "中文");
	sink_close(s);
	uv_run(&loop, UV_RUN_NOWAIT);
	sink_free(s);
	assert_int_equal(uv_loop_close(&loop), 0);
	trace_free(t);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_ready_time),
		cmocka_unit_test(test_probe_note),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("probe", tests, NULL, NULL);
}
