/* test_sink.c: the merge of producer rings into the trace (sink.c), and
 * the trace's memory cap (trace.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>

#include "trace/sink.h"

struct fix {
	uv_loop_t loop;
	struct trace *t;
	struct sink *s;
	size_t heard;           /* events the listener was given */
	int64_t last_t;         /* and the last one's time */
};

static void fix_open(struct fix *f)
{
	*f = (struct fix){ .heard = 0 };
	assert_int_equal(uv_loop_init(&f->loop), 0);
	assert_non_null(f->t = trace_new());
	assert_int_equal(sink_new(&f->loop, f->t, &f->s), 0);
}

static void fix_close(struct fix *f)
{
	sink_close(f->s);
	uv_run(&f->loop, UV_RUN_NOWAIT);
	sink_free(f->s);
	assert_int_equal(uv_loop_close(&f->loop), 0);
	trace_free(f->t);
}

static void heard_cb(void *arg, struct trace *t, const struct trace_ev *ev)
{
	struct fix *f = arg;

	(void)t;
	f->heard++;
	f->last_t = ev->t_ns;
}

static void push(struct ring *r, int actor, int64_t t_ns)
{
	ring_push(r, &(struct trace_ev){ .kind = TRACE_ENTER, .actor = (uint16_t)actor,
					 .t_ns = t_ns, .fd = 3, .step = -1 });
}

/* Fill r to the brim, then push drops more (each counted by the ring). */
static void overfill(struct ring *r, int actor, unsigned drops)
{
	for (unsigned i = 0; i < RING_SIZE + drops; i++)
		push(r, actor, (int64_t)i);
}

static size_t count_kind(const struct trace *t, int kind)
{
	size_t n = 0;

	for (size_t i = 0; i < trace_count(t); i++)
		n += trace_at(t, i)->kind == kind;
	return n;
}

/* Two rings with interleaved times come out in time order, equal times in
 * ring order, seq numbered from 0, each event heard once. */
static void test_sink_order_across_rings(void **state)
{
	struct fix f;
	struct ring *a, *b;

	(void)state;
	fix_open(&f);
	assert_int_equal(sink_listen(f.s, heard_cb, &f), 0);
	assert_non_null(a = sink_ring_new(f.s, 1));
	assert_non_null(b = sink_ring_new(f.s, 2));
	push(a, 1, 10), push(a, 1, 30), push(a, 1, 50);
	push(b, 2, 20), push(b, 2, 30), push(b, 2, 40);
	sink_drain(f.s);
	assert_int_equal(trace_count(f.t), 6);
	assert_int_equal(f.heard, 6);
	{
		static const int64_t when[] = { 10, 20, 30, 30, 40, 50 };
		static const int who[] = { 1, 2, 1, 2, 2, 1 };

		for (size_t i = 0; i < 6; i++) {
			assert_int_equal(trace_at(f.t, i)->seq, i);
			assert_int_equal(trace_at(f.t, i)->t_ns, when[i]);
			assert_int_equal(trace_at(f.t, i)->actor, who[i]);
		}
	}
	assert_int_equal(trace_lost(f.t), 0);
	fix_close(&f);
}

/* A ring's drops become one lost event, for its actor, after its events. */
static void test_sink_drops_counted(void **state)
{
	struct fix f;
	struct ring *r;
	const struct trace_ev *ev;

	(void)state;
	fix_open(&f);
	assert_non_null(r = sink_ring_new(f.s, 3));
	overfill(r, 3, 7);
	sink_drain(f.s);
	assert_int_equal(trace_count(f.t), RING_SIZE + 1);
	assert_int_equal(trace_lost(f.t), 7);
	ev = trace_at(f.t, RING_SIZE);
	assert_int_equal(ev->kind, TRACE_LOST);
	assert_int_equal(ev->actor, 3);
	assert_int_equal(ev->count, 7);
	assert_int_equal(ev->t_ns, RING_SIZE - 1);
	fix_close(&f);
}

/* Two full rings fill a whole batch: the second ring's drops must still be
 * counted (they were taken from the ring and then thrown away). */
static void test_sink_full_batch_keeps_drops(void **state)
{
	struct fix f;
	struct ring *a, *b, *c;

	(void)state;
	fix_open(&f);
	assert_non_null(a = sink_ring_new(f.s, 1));
	assert_non_null(b = sink_ring_new(f.s, 2));
	assert_non_null(c = sink_ring_new(f.s, 3));
	overfill(a, 1, 10);
	overfill(b, 2, 10);
	overfill(c, 3, 5);
	sink_drain(f.s);
	assert_int_equal(trace_lost(f.t), 25);
	assert_int_equal(trace_count(f.t) - count_kind(f.t, TRACE_LOST), 3 * RING_SIZE);
	fix_close(&f);
}

static int fails, fail_err;

static void fail_cb(void *arg, int err)
{
	(void)arg;
	fails++;
	fail_err = err;
}

/* The trace refuses an event in the middle of a batch: the sink says so
 * once, appends nothing more, and every event it could not keep (that
 * batch's rest, and what came after) is in a lost event at close. */
static void test_sink_append_failure_counted(void **state)
{
	struct fix f;
	struct ring *a, *b;
	size_t kept, heard;

	(void)state;
	fails = fail_err = 0;
	fix_open(&f);
	trace_set_max_mem(f.t, trace_mem(f.t) + 200 * trace_ev_mem(&(struct trace_ev){
				  .kind = TRACE_ENTER, .fd = 3, .step = -1 }));
	assert_int_equal(sink_listen(f.s, heard_cb, &f), 0);
	sink_on_fail(f.s, fail_cb, NULL);
	assert_non_null(a = sink_ring_new(f.s, 1));
	assert_non_null(b = sink_ring_new(f.s, 2));
	for (int i = 0; i < 300; i++)
		push(i % 2 ? a : b, 1 + i % 2, i);
	sink_drain(f.s);
	assert_int_equal(fails, 1);
	assert_int_equal(fail_err, -EFBIG);
	assert_int_equal(sink_status(f.s), -EFBIG);
	assert_true(trace_full(f.t));
	kept = trace_count(f.t);
	assert_true(kept > 0 && kept < 300);
	assert_int_equal(f.heard, kept);
	/* Later events are counted too, and drops from a full ring. */
	for (int i = 0; i < 50; i++)
		push(a, 1, 300 + i);
	overfill(b, 2, 4);
	sink_drain(f.s);
	assert_int_equal(trace_count(f.t), kept);
	assert_int_equal(fails, 1);
	sink_close(f.s);
	assert_int_equal(count_kind(f.t, TRACE_LOST), 2);          /* one per actor */
	assert_int_equal(trace_lost(f.t), 300 + 50 + RING_SIZE + 4 - kept);
	assert_int_equal(trace_at(f.t, trace_count(f.t) - 1)->kind, TRACE_LOST);
	heard = f.heard;
	assert_int_equal(heard, kept + 2);
	fix_close(&f);
}

/* The cap holds events and strings together; lost events still fit. */
static void test_sink_trace_memory_cap(void **state)
{
	struct trace *t = trace_new();
	const size_t cap = 1u << 20;
	char big[4096];
	size_t n = 0;
	int rc;

	(void)state;
	assert_non_null(t);
	assert_int_equal(trace_max_mem(t), TRACE_MAX_MEM);
	assert_true(TRACE_MAX_MEM <= (size_t)128 << 20);
	trace_set_max_mem(t, cap);
	while ((rc = trace_append(t, &(struct trace_ev){ .kind = TRACE_ENTER, .fd = 3 })) == 0)
		n++;
	assert_int_equal(rc, -EFBIG);
	assert_true(trace_full(t));
	assert_true(n > cap / trace_ev_mem(&(struct trace_ev){ .kind = TRACE_ENTER, .fd = 3 }) / 2);
	assert_true(trace_mem(t) <= cap);
	assert_int_equal(trace_append(t, &(struct trace_ev){ .kind = TRACE_LOST, .count = 9 }), 0);
	assert_int_equal(trace_lost(t), 9);
	assert_int_equal(trace_count(t), n + 1);
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_null(trace_intern(t, big));
	assert_non_null(trace_intern(t, "world"));   /* already held: no cost */
	trace_free(t);

	/* Strings count too: a pool that fills the cap leaves no room. */
	assert_non_null(t = trace_new());
	trace_set_max_mem(t, cap);
	for (int i = 0; ; i++) {
		snprintf(big, sizeof big, "%d%01000d", i, 0);
		if (trace_intern(t, big) == NULL)
			break;
	}
	assert_true(trace_mem(t) <= cap);
	assert_true(trace_full(t));
	for (n = 0; trace_append(t, &(struct trace_ev){ .kind = TRACE_ENTER }) == 0; n++)
		;
	assert_true(n <= 1010 / trace_ev_mem(&(struct trace_ev){ .kind = TRACE_ENTER }));   /* what one more string left */
	assert_true(trace_mem(t) <= cap);
	trace_free(t);
}

/* A trace of n announced actors c0.. past the header's one (A, actor
 * 1), each begun: their indices are 2 .. n + 1. */
static void announce(struct trace *t, int n)
{
	char name[16];

	assert_int_equal(trace_add_actor(t, "A", "blocking", TRACE_CAP_PHASES, "", ""), 1);
	for (int i = 0; i < n; i++) {
		int a;

		snprintf(name, sizeof name, "c%d", i);
		a = trace_announce_actor(t, name, "blocking", TRACE_CAP_PHASES, "", "", 1);
		assert_int_equal(a, 2 + i);
		assert_int_equal(trace_append(t, &(struct trace_ev){ .kind = TRACE_ACTOR,
				 .actor = (uint16_t)a, .t_ns = 0, .fd = -1, .step = -1,
				 .tid = 100 + i, .pid = 99 }), 0);
	}
}

/* Once the trace is full, the events it could not keep are counted per
 * actor, past the header's 64 too: actor 90's are its own lost event,
 * not the world's. */
static void test_sink_unsaved_past_64(void **state)
{
	struct fix f;
	struct ring *r;
	size_t lost90 = 0, lost0 = 0;

	(void)state;
	fix_open(&f);
	announce(f.t, 100);
	trace_set_max_mem(f.t, trace_mem(f.t));          /* full: nothing more fits */
	assert_non_null(r = sink_ring_new(f.s, 90));
	for (int i = 0; i < 7; i++)
		push(r, 90, 10 + i);
	sink_drain(f.s);
	assert_int_equal(sink_status(f.s), -EFBIG);
	sink_close(f.s);
	for (size_t i = 0; i < trace_count(f.t); i++) {
		const struct trace_ev *ev = trace_at(f.t, i);

		if (ev->kind == TRACE_LOST && ev->actor == 90)
			lost90 += ev->count;
		if (ev->kind == TRACE_LOST && ev->actor == TRACE_WORLD)
			lost0 += ev->count;
	}
	assert_int_equal(lost90, 7);
	assert_int_equal(lost0, 0);
	fix_close(&f);
}

/* An event out of its actor's life (before its begin, after its end) is
 * refused by trace_append with -EINVAL: the sink drops and counts it and
 * goes on; sink_close says how many in a lost event of the world's. */
static void test_sink_refused_out_of_order(void **state)
{
	struct fix f;
	struct ring *r;
	int late;

	(void)state;
	fails = fail_err = 0;
	fix_open(&f);
	sink_on_fail(f.s, fail_cb, NULL);
	announce(f.t, 2);                                 /* c0, c1: actors 2, 3 */
	late = trace_announce_actor(f.t, "c2", "blocking", TRACE_CAP_PHASES, "", "", 1);
	assert_int_equal(late, 4);                        /* announced, not begun */
	assert_non_null(r = sink_ring_new(f.s, 1));
	push(r, 1, 10);
	push(r, late, 11);                                /* before its begin */
	push(r, 2, 12);
	ring_push(r, &(struct trace_ev){ .kind = TRACE_ACTOR, .flags = TRACE_F_END,
					 .actor = 3, .t_ns = 13, .fd = -1, .step = -1 });
	push(r, 3, 14);                                   /* after its end */
	push(r, 1, 15);
	sink_drain(f.s);
	assert_int_equal(sink_status(f.s), 0);
	assert_int_equal(fails, 0);
	assert_int_equal(sink_refused(f.s), 2);
	assert_int_equal(trace_count(f.t), 2 + 4);        /* 2 begins, 4 kept */
	assert_int_equal(trace_at(f.t, trace_count(f.t) - 1)->t_ns, 15);
	sink_close(f.s);
	assert_int_equal(trace_at(f.t, trace_count(f.t) - 1)->kind, TRACE_LOST);
	assert_int_equal(trace_at(f.t, trace_count(f.t) - 1)->actor, TRACE_WORLD);
	assert_int_equal(trace_lost(f.t), 2);
	fix_close(&f);
}

/* An actor a producer announces (sink_actor_new) becomes the trace's
 * when its begin is merged; an event of it that comes first (another
 * ring drained before the begin's) waits one pass; one of an actor never
 * begun is refused, counted. */
static void test_sink_actor_new_held(void **state)
{
	const struct sink_actor spec = { .name = "t1", .model = "toy", .caps = TRACE_CAP_PHASES,
					 .label_en = "a thread", .parent = 1 };
	struct fix f;
	struct ring *a, *b;
	int id, ghost;

	(void)state;
	fix_open(&f);
	assert_int_equal(trace_add_actor(f.t, "A", "toy", TRACE_CAP_PHASES, "", ""), 1);
	id = sink_actor_new(f.s, &spec);
	assert_true(id >= SINK_ACTOR_NEW);
	ghost = sink_actor_new(f.s, &(struct sink_actor){ .name = "ghost", .parent = 1 });
	assert_int_equal(ghost, id + 1);
	assert_int_equal(sink_actor_new(f.s, &(struct sink_actor){ .name = "" }), -EINVAL);
	assert_non_null(a = sink_ring_new(f.s, 1));
	assert_non_null(b = sink_ring_new(f.s, id));
	push(a, id, 20);                                  /* before its begin is merged */
	push(a, ghost, 21);                               /* never begun */
	sink_drain(f.s);
	ring_push(b, &(struct trace_ev){ .kind = TRACE_ACTOR, .actor = (uint16_t)id, .t_ns = 10,
					 .fd = -1, .step = -1, .tid = 7, .pid = 6 });
	push(b, id, 30);
	sink_drain(f.s);
	assert_int_equal(trace_hdr_c(f.t)->nactors, 3);
	assert_string_equal(trace_hdr_c(f.t)->actors[2].name, "t1");
	assert_int_equal(trace_hdr_c(f.t)->actors[2].parent, 1);
	assert_int_equal(trace_count(f.t), 3);
	assert_int_equal(trace_at(f.t, 0)->kind, TRACE_ACTOR);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(trace_at(f.t, i)->actor, 2);
	assert_int_equal(trace_at(f.t, 1)->t_ns, 20);
	assert_int_equal(trace_at(f.t, 2)->t_ns, 30);
	assert_int_equal(sink_refused(f.s), 1);          /* the ghost's */
	fix_close(&f);
}

struct turn {
	struct fix *f;
	uv_timer_t timer;
	size_t heard_at_timer;    /* events heard when the timer ran */
	int ran;
};

static void turn_cb(uv_timer_t *h)
{
	struct turn *tu = h->data;

	tu->heard_at_timer = tu->f->heard;
	tu->ran = 1;
}

/* The first event heard arms a timer due at once: it runs at the loop's
 * next turn for timers. */
static void turn_heard_cb(void *arg, struct trace *t, const struct trace_ev *ev)
{
	struct turn *tu = arg;

	heard_cb(tu->f, t, ev);
	if (tu->f->heard == 1)
		uv_timer_start(&tu->timer, turn_cb, 0, 0);
}

/* Six full rings (more than a loop pass takes) and one wake-up: a timer
 * that falls due with the first event heard runs before the last, comes back for the
 * rest by itself (no producer wakes it again), and every event arrives,
 * each ring's in its order. */
static void test_sink_pass_lets_timers_run(void **state)
{
	struct fix f;
	struct turn tu = { .f = &f };
	struct ring *r[6];
	size_t last[7] = { 0 };     /* by actor, its last event's index */

	(void)state;
	fix_open(&f);
	assert_int_equal(sink_listen(f.s, turn_heard_cb, &tu), 0);
	for (int i = 0; i < 6; i++) {
		assert_non_null(r[i] = sink_ring_new(f.s, 1 + i));
		for (int k = 0; k < RING_SIZE; k++)
			push(r[i], 1 + i, (int64_t)k * 6 + i);
	}
	uv_timer_init(&f.loop, &tu.timer);
	tu.timer.data = &tu;
	sink_wake(f.s);
	while (f.heard < 6 * RING_SIZE && uv_run(&f.loop, UV_RUN_NOWAIT) != 0)
		;
	assert_int_equal(f.heard, 6 * RING_SIZE);
	assert_true(tu.ran);
	assert_true(tu.heard_at_timer < 6 * RING_SIZE);
	for (size_t i = 0; i < trace_count(f.t); i++) {
		const struct trace_ev *ev = trace_at(f.t, i);

		assert_true(last[ev->actor] == 0 || trace_at(f.t, last[ev->actor])->t_ns < ev->t_ns);
		last[ev->actor] = i;
	}
	assert_int_equal(trace_lost(f.t), 0);
	uv_close((uv_handle_t *)&tu.timer, NULL);
	fix_close(&f);
}

/* A listener that costs at least 20 µs an event (a slow screen). */
static void slow_heard_cb(void *arg, struct trace *t, const struct trace_ev *ev)
{
	struct timespec ts = { 0, 20000 };

	turn_heard_cb(arg, t, ev);
	nanosleep(&ts, NULL);
}

/* One batch (a full ring) that takes its listener 80 ms or more: the loop
 * stops in the middle of it to run a timer that fell due, then finishes
 * it, every event once, in order. */
static void test_sink_slow_batch_lets_timers_run(void **state)
{
	struct fix f;
	struct turn tu = { .f = &f };
	struct ring *r;

	(void)state;
	fix_open(&f);
	assert_int_equal(sink_listen(f.s, slow_heard_cb, &tu), 0);
	assert_non_null(r = sink_ring_new(f.s, 1));
	for (int k = 0; k < RING_SIZE; k++)
		push(r, 1, k);
	uv_timer_init(&f.loop, &tu.timer);
	tu.timer.data = &tu;
	sink_wake(f.s);
	while (f.heard < RING_SIZE && uv_run(&f.loop, UV_RUN_NOWAIT) != 0)
		;
	assert_int_equal(f.heard, RING_SIZE);
	assert_true(tu.ran);
	assert_true(tu.heard_at_timer < RING_SIZE);
	for (size_t i = 0; i < trace_count(f.t); i++)
		assert_int_equal(trace_at(f.t, i)->t_ns, (int64_t)i);
	uv_close((uv_handle_t *)&tu.timer, NULL);
	fix_close(&f);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sink_order_across_rings),
		cmocka_unit_test(test_sink_drops_counted),
		cmocka_unit_test(test_sink_full_batch_keeps_drops),
		cmocka_unit_test(test_sink_append_failure_counted),
		cmocka_unit_test(test_sink_trace_memory_cap),
		cmocka_unit_test(test_sink_unsaved_past_64),
		cmocka_unit_test(test_sink_refused_out_of_order),
		cmocka_unit_test(test_sink_actor_new_held),
		cmocka_unit_test(test_sink_pass_lets_timers_run),
		cmocka_unit_test(test_sink_slow_batch_lets_timers_run),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("sink", tests, NULL, NULL);
}
