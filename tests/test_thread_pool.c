/* test_thread_pool.c: the thread-pool server (models/thread_pool.c) on
 * real loopback TCP: it echoes every line; its queue's depth is in the
 * trace; with one slow worker and a queue of two, S is seen asleep in
 * futex with the queue full and the worker asleep in futex with it empty,
 * by the trace and by the kernel's own word; it stops promptly from
 * there; untraced, it serves a few hundred connections.  And the queue
 * alone (models/workq.c): order, a full queue's sleeper, the stop. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tests/harness.h"
#include "tests/srv_util.h"
#include "models/workq.h"

struct fixture {
	struct harness h;
	struct sockaddr_in a;
	int lfd;
};

static void pool_start(struct fixture *f, int workers, int queue, int64_t work_ns)
{
	assert_true((f->lfd = su_listen(&f->a, 512)) >= 0);
	assert_int_equal(h_init(&f->h, 0, 1.0), 0);
	f->h.c.listen_fd = f->lfd;
	f->h.c.serve = MODEL_SERVE_ECHO;
	f->h.c.workers = workers;
	f->h.c.queue = queue;
	f->h.c.work_ns = work_ns;
	assert_int_equal(h_start(&f->h, "thread-pool"), 0);
}

/* Stop it and take in every event it made; pool_fini frees the trace. */
static void pool_stop(struct fixture *f)
{
	assert_int_equal(model_stop(&f->h.c, MODEL_STOP_MS), 0);
	sink_drain(f->h.s);
	assert_int_equal(sink_refused(f->h.s), 0);
}

static void pool_fini(struct fixture *f)
{
	h_fini(&f->h);
	close(f->lfd);
}

/* One client sends forty lines at once to eight workers: it gets its
 * echoes back in the order it sent them, though different workers
 * answer them. */
static void test_pool_answers_in_order(void **state)
{
	enum { LINES = 40 };
	struct fixture f;
	char want[LINES * 4 + 1], got[LINES * 4 + 1];
	int cl;

	(void)state;
	for (int i = 0; i < LINES; i++)
		snprintf(want + 4 * i, 5, "%02d\n\n", i);
	for (int i = 0; i < LINES; i++)
		want[4 * i + 2] = (char)('a' + i % 26);
	pool_start(&f, 8, 64, 0);
	assert_true((cl = su_connect(&f.a)) >= 0);
	for (int round = 0; round < 5; round++) {
		assert_int_equal(write(cl, want, LINES * 4), LINES * 4);
		assert_int_equal(su_read(cl, got, LINES * 4), LINES * 4);
		assert_memory_equal(got, want, LINES * 4);
	}
	close(cl);
	pool_stop(&f);
	pool_fini(&f);
}

/* Every workq event: depth moves by one, never past its capacity cap. */
static int check_workq(const struct trace *t, int cap, int *max_depth)
{
	int n = 0, last = 0;

	*max_depth = 0;
	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->kind != TRACE_SET || ev->what != TRACE_SET_WORKQ)
			continue;
		assert_int_equal(ev->arg, cap);
		assert_true(ev->n == last + 1 || ev->n == last - 1);
		assert_int_equal((int)trace_ev_nset(ev), ev->n);
		last = ev->n;
		*max_depth = last > *max_depth ? last : *max_depth;
		n++;
	}
	assert_int_equal(last, 0);
	return n;
}

/* Eight clients, three rounds of a line each: every line comes back to
 * its sender; the three workers (the default) are announced children of
 * S and end; each line is one push and one pop of the queue. */
static void test_pool_echo(void **state)
{
	struct fixture f;
	int cl[8], max_depth;
	char want[32], got[32];

	(void)state;
	pool_start(&f, 0, 0, 0);
	for (int i = 0; i < 8; i++)
		assert_true((cl[i] = su_connect(&f.a)) >= 0);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 8; i++) {
			int len = snprintf(want, sizeof want, "client %d round %d\n", i, round);

			assert_int_equal(write(cl[i], want, (size_t)len), len);
		}
		for (int i = 0; i < 8; i++) {
			size_t len = (size_t)snprintf(want, sizeof want, "client %d round %d\n", i, round);

			assert_int_equal(su_read(cl[i], got, len), len);
			assert_memory_equal(got, want, len);
		}
	}
	for (int i = 0; i < 8; i++)
		close(cl[i]);
	pool_stop(&f);
	for (int w = 1; w <= 3; w++) {
		char name[16];
		int a;

		snprintf(name, sizeof name, "A.w%d", w);
		a = trace_find_actor(f.h.t, name);
		assert_true(a > 1);
		assert_int_equal(trace_hdr_c(f.h.t)->actors[a].parent, 1);
		assert_int_equal(trace_hdr_c(f.h.t)->actors[a].caps, TRACE_CAP_QUEUE);
		assert_true(su_actor_ended(f.h.t, a));
	}
	assert_int_equal(trace_find_actor(f.h.t, "A.w4"), -1);
	assert_int_equal(check_workq(f.h.t, 4, &max_depth), 2 * 8 * 3);
	assert_true(max_depth >= 1 && max_depth <= 4);
	pool_fini(&f);
}

static bool s_in_futex(struct harness *h, void *arg)
{
	(void)arg;
	return su_inside(h->t, 1, TRACE_CALL_FUTEX) &&
	       su_asleep_in(atomic_load(&h->c.tid), SYS_futex);
}

static bool worker_in_futex(struct harness *h, void *arg)
{
	int a = trace_find_actor(h->t, "A.w1");

	(void)arg;
	return a > 0 && su_inside(h->t, a, TRACE_CALL_FUTEX) &&
	       su_asleep_in(su_actor_tid(h->t, a), SYS_futex);
}

/* The worker took a request and works on it (the clock is paused). */
static bool worker_working(const struct trace *t)
{
	int a = trace_find_actor(t, "A.w1");

	for (size_t i = trace_count(t); a > 0 && i-- > 0;)
		if (trace_at(t, i)->actor == a)
			return trace_at(t, i)->kind == TRACE_IDLE &&
			       !(trace_at(t, i)->flags & TRACE_F_END);
	return false;
}

static int pushes(const struct trace *t)
{
	int n = 0;

	for (size_t i = 0; i < trace_count(t); i++)
		n += trace_at(t, i)->kind == TRACE_SET && trace_at(t, i)->what == TRACE_SET_WORKQ &&
		     trace_at(t, i)->actor == 1;
	return n;
}

/* S asleep in futex with n requests pushed, the worker busy with one. */
static bool full_and_stuck(struct harness *h, void *arg)
{
	return s_in_futex(h, NULL) && worker_working(h->t) && pushes(h->t) == *(int *)arg;
}

/* The depth of the last workq event, or -1. */
static int depth_now(const struct trace *t)
{
	for (size_t i = trace_count(t); i-- > 0;)
		if (trace_at(t, i)->kind == TRACE_SET && trace_at(t, i)->what == TRACE_SET_WORKQ)
			return trace_at(t, i)->n;
	return -1;
}

/* One worker, a queue of two, work that waits for the (paused) clock: a
 * client's five lines fill the queue, and S sleeps in futex on it with a
 * request still in hand; the clock plays, every line is answered in
 * order, and then the worker sleeps in futex on the empty queue. */
static void test_pool_futex_both_ways(void **state)
{
	static const char lines[] = "a\nb\nc\nd\ne\n";
	struct fixture f;
	char got[sizeof lines];
	int cl, max_depth;

	(void)state;
	pool_start(&f, 1, 2, 1000000);
	sclock_pause(&f.h.clock);
	assert_true((cl = su_connect(&f.a)) >= 0);
	assert_true(h_wait(&f.h, worker_in_futex, NULL, 5000));     /* empty */
	assert_int_equal(write(cl, lines, sizeof lines - 1), (ssize_t)sizeof lines - 1);
	/* "a" is being worked on, "b" and "c" wait, "d" is in S's hand. */
	assert_true(h_wait(&f.h, full_and_stuck, &(int){ 3 }, 5000));
	assert_int_equal(depth_now(f.h.t), 2);
	{
		const struct trace_ev *ev = NULL;

		for (size_t i = trace_count(f.h.t); i-- > 0 && ev == NULL;)
			if (trace_at(f.h.t, i)->kind == TRACE_SET &&
			    trace_at(f.h.t, i)->what == TRACE_SET_WORKQ)
				ev = trace_at(f.h.t, i);
		assert_non_null(ev);
		assert_int_equal(ev->nfds, 2);
		assert_int_equal(ev->fd_list[0], ev->fd_list[1]);   /* one client */
	}
	sclock_play(&f.h.clock);
	assert_int_equal(su_read(cl, got, sizeof lines - 1), sizeof lines - 1);
	assert_memory_equal(got, lines, sizeof lines - 1);
	assert_true(h_wait(&f.h, worker_in_futex, NULL, 5000));     /* empty again */
	close(cl);
	pool_stop(&f);
	assert_int_equal(check_workq(f.h.t, 2, &max_depth), 2 * 5);
	assert_int_equal(max_depth, 2);
	pool_fini(&f);
}

/* Stopped with S asleep in futex (queue full) and the worker asleep on
 * the paused clock: model_stop returns in time, and every actor ended. */
static void test_pool_stop_when_full(void **state)
{
	struct fixture f;
	int cl;

	(void)state;
	pool_start(&f, 1, 1, 1000000);
	sclock_pause(&f.h.clock);
	assert_true((cl = su_connect(&f.a)) >= 0);
	assert_int_equal(write(cl, "1\n2\n3\n", 6), 6);
	assert_true(h_wait(&f.h, full_and_stuck, &(int){ 2 }, 5000));
	pool_stop(&f);
	assert_true(su_actor_ended(f.h.t, trace_find_actor(f.h.t, "A.w1")));
	close(cl);
	pool_fini(&f);
}

/* Stopped with every worker asleep in futex on the empty queue. */
static void test_pool_stop_when_empty(void **state)
{
	struct fixture f;

	(void)state;
	pool_start(&f, 1, 0, 0);
	assert_true(h_wait(&f.h, worker_in_futex, NULL, 5000));
	pool_stop(&f);
	assert_true(su_actor_ended(f.h.t, trace_find_actor(f.h.t, "A.w1")));
	pool_fini(&f);
}

#define MANY 300

/* Untraced, as the bench runs it: three hundred connections, each sends
 * a line and gets it back, then all leave. */
static void test_pool_untraced_many(void **state)
{
	struct model_ctx c = { .listen_fd = -1, .serve = MODEL_SERVE_ECHO };
	struct sockaddr_in a;
	static int cl[MANY];
	char want[32], got[32];

	(void)state;
	assert_true((c.listen_fd = su_listen(&a, MANY)) >= 0);
	assert_int_equal(su_start_bare(&c, model_find("thread-pool")), 0);
	for (int i = 0; i < MANY; i++)
		assert_true((cl[i] = su_connect(&a)) >= 0);
	for (int i = 0; i < MANY; i++) {
		int len = snprintf(want, sizeof want, "line %d\n", i);

		assert_int_equal(write(cl[i], want, (size_t)len), len);
	}
	for (int i = 0; i < MANY; i++) {
		size_t len = (size_t)snprintf(want, sizeof want, "line %d\n", i);

		assert_int_equal(su_read(cl[i], got, len), len);
		assert_memory_equal(got, want, len);
		close(cl[i]);
	}
	assert_int_equal(model_stop(&c, MODEL_STOP_MS), 0);
	assert_int_equal(c.status, 0);
	close(c.listen_fd);
}

/* ---- The queue alone (models/workq.c) ---- */

struct pusher {
	struct workq *q;
	_Atomic int stop;
	_Atomic int rc;
	_Atomic pid_t tid;
};

static void *push_main(void *arg)
{
	struct pusher *u = arg;

	atomic_store(&u->tid, gettid());
	atomic_store(&u->rc, workq_push(u->q, &(struct workq_req){ .fd = 9, .len = 5,
				.data = "late\n" }, &u->stop));
	return NULL;
}

static bool asleep_in_futex(void *arg)
{
	return su_asleep_in(atomic_load(&((struct pusher *)arg)->tid), SYS_futex);
}

static void count_owner(void *owner)
{
	(*(int *)owner)++;
}

/* Oldest first; a push into a full queue sleeps in futex until
 * workq_stop refuses it; a pop after the stop is refused too; what was
 * left goes to workq_drain. */
static void test_workq_order_and_stop(void **state)
{
	struct workq q;
	struct workq_req r;
	struct pusher u = { .q = &q, .rc = 1 };
	_Atomic int never = 0;
	int left = 0;
	pthread_t th;

	(void)state;
	assert_int_equal(workq_init(&q, 2), 0);
	assert_int_equal(workq_push(&q, &(struct workq_req){ .owner = &left, .fd = 5, .len = 2,
					.data = "a\n" }, &never), 0);
	assert_int_equal(workq_push(&q, &(struct workq_req){ .owner = &left, .fd = 6, .len = 3,
					.data = "bb\n" }, &never), 0);
	assert_int_equal(workq_pop(&q, &r), 0);
	assert_int_equal(r.fd, 5);
	assert_int_equal(r.len, 2);
	assert_memory_equal(r.data, "a\n", 2);
	assert_int_equal(workq_push(&q, &(struct workq_req){ .owner = &left, .fd = 7, .len = 2,
					.data = "c\n" }, &never), 0);
	assert_int_equal(pthread_create(&th, NULL, push_main, &u), 0);
	assert_true(h_until(asleep_in_futex, &u, 5000));
	assert_int_equal(atomic_load(&u.rc), 1);      /* still asleep: full */
	workq_stop(&q);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(atomic_load(&u.rc), -ECANCELED);
	assert_int_equal(workq_pop(&q, &r), -ECANCELED);
	workq_drain(&q, count_owner);
	assert_int_equal(left, 2);                     /* "bb" and "c" */
	workq_free(&q);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool_echo),
		cmocka_unit_test(test_pool_answers_in_order),
		cmocka_unit_test(test_pool_futex_both_ways),
		cmocka_unit_test(test_pool_stop_when_full),
		cmocka_unit_test(test_pool_stop_when_empty),
		cmocka_unit_test(test_pool_untraced_many),
		cmocka_unit_test(test_workq_order_and_stop),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("thread_pool", tests, NULL, NULL);
}
