/* test_ring.c: the single-producer ring under a real second thread. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "trace/ring.h"

static struct ring *ring_alloc(void)
{
	struct ring *r = aligned_alloc(64, (sizeof *r + 63) & ~(size_t)63);

	assert_non_null(r);
	ring_init(r);
	return r;
}

static void test_ring_order(void **state)
{
	struct ring *r = ring_alloc();
	struct trace_ev out[8];

	(void)state;
	for (int i = 0; i < 5; i++)
		assert_int_equal(ring_push(r, &(struct trace_ev){ .t_ns = i }), 0);  /* not half full */
	assert_int_equal(ring_pop(r, out, 3), 3);
	assert_int_equal(out[0].t_ns, 0);
	assert_int_equal(out[2].t_ns, 2);
	assert_int_equal(ring_pop(r, out, 8), 2);
	assert_int_equal(out[1].t_ns, 4);
	assert_int_equal(ring_pop(r, out, 8), 0);
	free(r);
}

/* A full ring drops, counts the drop, and keeps what it had. */
static void test_ring_full_counts_drops(void **state)
{
	struct ring *r = ring_alloc();
	struct trace_ev ev = { 0 }, out;

	(void)state;
	for (int i = 0; i < RING_SIZE; i++) {
		ev.t_ns = i;
		/* 1 from half full on: the hint to wake the consumer */
		assert_int_equal(ring_push(r, &ev), i + 1 >= RING_SIZE / 2);
	}
	assert_int_equal(ring_push(r, &ev), -ENOBUFS);
	assert_int_equal(ring_push(r, &ev), -ENOBUFS);
	assert_int_equal(ring_take_dropped(r), 2);
	assert_int_equal(ring_take_dropped(r), 0);
	assert_int_equal(ring_pop(r, &out, 1), 1);
	assert_int_equal(out.t_ns, 0);
	assert_int_equal(ring_push(r, &ev), 1);     /* room again, still full-ish */
	free(r);
}

#define MANY 200000

static void *producer(void *arg)
{
	struct ring *r = arg;

	for (int64_t i = 0; i < MANY; i++) {
		struct trace_ev ev = { .t_ns = i, .ret = i * 3 };

		while (ring_push(r, &ev) < 0)
			ring_take_dropped(r);   /* the test wants every event: retry */
	}
	return NULL;
}

/* Two threads: every event arrives once, in order, intact. */
static void test_ring_two_threads(void **state)
{
	struct ring *r = ring_alloc();
	struct trace_ev out[256];
	pthread_t th;
	int64_t next = 0;

	(void)state;
	assert_int_equal(pthread_create(&th, NULL, producer, r), 0);
	while (next < MANY) {
		unsigned n = ring_pop(r, out, 256);

		for (unsigned i = 0; i < n; i++, next++) {
			assert_int_equal(out[i].t_ns, next);
			assert_int_equal(out[i].ret, next * 3);
		}
		if (n == 0)
			sched_yield();
	}
	pthread_join(th, NULL);
	assert_int_equal(ring_pop(r, out, 256), 0);
	free(r);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_order),
		cmocka_unit_test(test_ring_full_counts_drops),
		cmocka_unit_test(test_ring_two_threads),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("ring", tests, NULL, NULL);
}
