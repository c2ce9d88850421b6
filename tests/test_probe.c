/* test_probe.c: the helpers every model shares (probe_note,
 * model_ready_time), tested once where they live. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <uv.h>

#include "models/model.h"
#include "models/probe_bench.h"
#include "tests/harness.h"
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

/* Leave exactly `spare` descriptors free under a lowered RLIMIT_NOFILE,
 * holding the rest in fill[]; returns how many it holds, or -1. */
#define FILL_LIMIT 256
static int fill_fds(int *fill, int spare)
{
	int n = 0, fd;

	while (n < FILL_LIMIT && (fd = dup(0)) >= 0)
		fill[n++] = fd;
	if (errno != EMFILE || n < spare)
		return -1;
	while (spare-- > 0)
		close(fill[--n]);
	return n;
}

/* A ring counts what was pushed into it, not what was dropped, and
 * draining does not change the count (probe_bench waits on it). */
static void test_probe_ring_pushed(void **state)
{
	struct ring *r = aligned_alloc(64, (sizeof *r + 63) & ~(size_t)63);
	struct trace_ev out[4];

	(void)state;
	assert_non_null(r);
	ring_init(r);
	assert_int_equal(ring_pushed(r), 0);
	for (int i = 0; i < RING_SIZE + 3; i++)
		ring_push(r, &(struct trace_ev){ .kind = TRACE_ENTER, .fd = 3 });
	assert_int_equal(ring_pushed(r), RING_SIZE);
	assert_int_equal(ring_take_dropped(r), 3);
	assert_int_equal(ring_pop(r, out, 4), 4);
	assert_int_equal(ring_pushed(r), RING_SIZE);
	ring_push(r, &(struct trace_ev){ .kind = TRACE_ENTER, .fd = 3 });
	assert_int_equal(ring_pushed(r), RING_SIZE + 1);
	free(r);
}

/* Descriptors a libuv loop holds while open (its epoll fd, signal pipe,
 * async eventfd: the count depends on libuv's version). */
static int loop_fds(void)
{
	uv_loop_t l;
	int before = open_fd_count(), n;

	assert_int_equal(uv_loop_init(&l), 0);
	n = open_fd_count() - before;
	assert_int_equal(uv_loop_close(&l), 0);
	return n;
}

/* bench_probe failing part way, out of descriptors after its loop (at the
 * socketpair), gives back every descriptor it took.  Fewer spares than the
 * loop needs are not tried: libuv 1.44's uv_loop_init itself leaks its
 * epoll fd when it fails after making it. */
static void test_probe_bench_unwinds(void **state)
{
	FILE *out = fopen("/dev/null", "w");
	int fill[FILL_LIMIT], before, n, rc = -1, need = loop_fds();
	struct rlimit old, low;

	(void)state;
	assert_non_null(out);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	before = open_fd_count();
	low = (struct rlimit){ .rlim_cur = (rlim_t)before + 64, .rlim_max = old.rlim_max };
	assert_true(low.rlim_cur <= old.rlim_cur);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	for (int spare = need; spare < need + 4 && rc != 0; spare++) {
		assert_true((n = fill_fds(fill, spare)) >= 0);
		rc = bench_probe(out);
		while (n > 0)
			close(fill[--n]);
		assert_true(rc == 0 || rc == -EMFILE);
		assert_int_equal(open_fd_count(), before);
	}
	assert_int_equal(rc, 0);     /* and with enough, it runs */
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	fclose(out);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_ready_time),
		cmocka_unit_test(test_probe_note),
		cmocka_unit_test(test_probe_ring_pushed),
		cmocka_unit_test(test_probe_bench_unwinds),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("probe", tests, NULL, NULL);
}
