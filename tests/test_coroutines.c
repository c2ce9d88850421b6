/* test_coroutines.c: the coroutine server (models/coroutines.c) on real
 * loopback TCP: it echoes every line; each connection is a coroutine
 * actor (S.co1 ...) whose events are its own; several coroutines are
 * parked in their reads at once while S's one thread sleeps in
 * epoll_wait, by the trace and by the kernel's own word; it stops
 * promptly with coroutines parked and asleep; untraced, it serves a few
 * hundred connections. */
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

struct fixture {
	struct harness h;
	struct sockaddr_in a;
	int lfd;
};

static void co_start(struct fixture *f, int64_t work_ns)
{
	assert_true((f->lfd = su_listen(&f->a, 512)) >= 0);
	assert_int_equal(h_init(&f->h, 0, 1.0), 0);
	f->h.c.listen_fd = f->lfd;
	f->h.c.serve = MODEL_SERVE_ECHO;
	f->h.c.work_ns = work_ns;
	assert_int_equal(h_start(&f->h, "coroutines"), 0);
}

static void co_stop(struct fixture *f)
{
	assert_int_equal(model_stop(&f->h.c, MODEL_STOP_MS), 0);
	sink_drain(f->h.s);
	assert_int_equal(sink_refused(f->h.s), 0);
}

static void co_fini(struct fixture *f)
{
	h_fini(&f->h);
	close(f->lfd);
}

static int actor_of(const struct trace *t, int n)
{
	char name[16];

	snprintf(name, sizeof name, "A.co%d", n);
	return trace_find_actor(t, name);
}

/* The actor's last phase event is a blocked wait begun: parked. */
static bool parked(const struct trace *t, int actor)
{
	for (size_t i = trace_count(t); i-- > 0;) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->actor == actor && ev->kind == TRACE_PHASE)
			return ev->phase == TRACE_PH_WAIT && (ev->flags & TRACE_F_BLOCKED) &&
			       !(ev->flags & TRACE_F_END);
	}
	return false;
}

/* n coroutines parked, S inside epoll_wait, and asleep there by the
 * kernel's word (/proc/self/task/TID/syscall). */
static bool all_parked(struct harness *h, void *arg)
{
	int n = *(int *)arg;

	for (int i = 1; i <= n; i++) {
		int a = actor_of(h->t, i);

		if (a < 0 || !parked(h->t, a))
			return false;
	}
	return su_inside(h->t, 1, TRACE_CALL_EPOLL_WAIT) &&
	       (su_asleep_in(atomic_load(&h->c.tid), SYS_epoll_wait) ||
		su_asleep_in(atomic_load(&h->c.tid), SYS_epoll_pwait));
}

/* Eight clients, three rounds: every line comes back to its sender; each
 * coroutine is a child of S, runs on S's thread, reads with both phases
 * and ends. */
static void test_co_echo(void **state)
{
	struct fixture f;
	int cl[8];
	char want[32], got[32];

	(void)state;
	co_start(&f, 0);
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
	co_stop(&f);
	for (int i = 1; i <= 8; i++) {
		int a = actor_of(f.h.t, i);
		const struct trace_actor *ta;

		assert_true(a > 1);
		ta = &trace_hdr_c(f.h.t)->actors[a];
		assert_int_equal(ta->parent, 1);
		assert_int_equal(ta->caps, TRACE_CAP_PHASES | TRACE_CAP_COROUTINE);
		assert_string_equal(ta->model, "coroutines");
		assert_int_equal(su_actor_tid(f.h.t, a), atomic_load(&f.h.c.tid));
		assert_true(su_actor_ended(f.h.t, a));
		assert_true(h_actor_got(f.h.t, a) >= 3 * 17);
	}
	assert_int_equal(actor_of(f.h.t, 9), -1);
	/* S itself reads nothing: its coroutines do. */
	assert_int_equal(h_actor_got(f.h.t, 1), 0);
	co_fini(&f);
}

static bool working(struct harness *h, void *arg)
{
	(void)arg;
	return su_idles_begun(h->t) > 0;
}

static bool read_to_end(struct harness *h, void *arg)
{
	(void)arg;
	return su_read_to_end(h->t);
}

/* epoll_waits that returned nothing: they timed out. */
static int timeouts(const struct trace *t)
{
	int n = 0;

	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *ev = trace_at(t, i);

		n += ev->kind == TRACE_EXIT && ev->call == TRACE_CALL_EPOLL_WAIT && ev->ret == 0;
	}
	return n;
}

/* A client resets its connection while its request is being worked on:
 * the answer cannot be sent, and the coroutine still reads the
 * connection to its end (the run counts on it: scenarios/world_net.c). */
static void test_co_reset_while_working(void **state)
{
	struct fixture f;
	int cl;

	(void)state;
	co_start(&f, 300 * 1000000LL);
	assert_true((cl = su_connect(&f.a)) >= 0);
	assert_int_equal(write(cl, "x\n", 2), 2);
	assert_true(h_wait(&f.h, working, NULL, 5000));
	su_reset(cl);
	assert_true(h_wait(&f.h, read_to_end, NULL, 5000));
	co_stop(&f);
	/* The scheduler slept through the work in one epoll_wait, timed to
	 * the sleeper's deadline, not in slices. */
	assert_true(timeouts(f.h.t) <= 2);
	co_fini(&f);
}

/* Five idle clients: five coroutines parked at once in their "blocking"
 * reads while the one kernel thread sleeps in epoll_wait.  One client
 * talks: its coroutine alone wakes, answers and parks again. */
static void test_co_parked_while_thread_sleeps(void **state)
{
	struct fixture f;
	int cl[5], five = 5;
	char got[8];

	(void)state;
	co_start(&f, 0);
	for (int i = 0; i < 5; i++)
		assert_true((cl[i] = su_connect(&f.a)) >= 0);
	assert_true(h_wait(&f.h, all_parked, &five, 5000));
	assert_int_equal(write(cl[2], "hi\n", 3), 3);
	assert_int_equal(su_read(cl[2], got, 3), 3);
	assert_memory_equal(got, "hi\n", 3);
	assert_true(h_wait(&f.h, all_parked, &five, 5000));
	/* The talker's read: the wait ended, then a copy around the recvfrom
	 * that returned data. */
	{
		int a = actor_of(f.h.t, 3);
		int64_t wait_end = -1, copy_begin = -1;

		for (size_t i = 0; i < trace_count(f.h.t); i++) {
			const struct trace_ev *ev = trace_at(f.h.t, i);

			if (ev->actor != a || ev->kind != TRACE_PHASE)
				continue;
			if (ev->phase == TRACE_PH_WAIT && (ev->flags & TRACE_F_END) && wait_end < 0)
				wait_end = ev->t_ns;
			if (ev->phase == TRACE_PH_COPY && !(ev->flags & TRACE_F_END) && copy_begin < 0)
				copy_begin = ev->t_ns;
		}
		assert_true(wait_end >= 0 && copy_begin >= wait_end);
	}
	for (int i = 0; i < 5; i++)
		close(cl[i]);
	co_stop(&f);
	co_fini(&f);
}

/* S.co1 is asleep in its work (gevent.sleep): its last event is idle
 * begun. */
static bool first_works(struct harness *h, void *arg)
{
	int a = actor_of(h->t, 1);

	(void)arg;
	for (size_t i = trace_count(h->t); a > 0 && i-- > 0;)
		if (trace_at(h->t, i)->actor == a)
			return trace_at(h->t, i)->kind == TRACE_IDLE &&
			       !(trace_at(h->t, i)->flags & TRACE_F_END);
	return false;
}

/* Stopped with coroutines parked in reads and one asleep in its work on
 * the paused clock: model_stop returns in time, every coroutine ended. */
static void test_co_stop_prompt(void **state)
{
	struct fixture f;
	int cl[4], four = 4;

	(void)state;
	co_start(&f, 1000000);
	for (int i = 0; i < 4; i++)
		assert_true((cl[i] = su_connect(&f.a)) >= 0);
	assert_true(h_wait(&f.h, all_parked, &four, 5000));
	sclock_pause(&f.h.clock);
	assert_int_equal(write(cl[0], "slow\n", 5), 5);
	assert_true(h_wait(&f.h, first_works, NULL, 5000));
	co_stop(&f);
	for (int i = 1; i <= 4; i++)
		assert_true(su_actor_ended(f.h.t, actor_of(f.h.t, i)));
	for (int i = 0; i < 4; i++)
		close(cl[i]);
	co_fini(&f);
}

#define MANY 300

/* Untraced, as the bench runs it: three hundred connections, three
 * hundred coroutines on one thread. */
static void test_co_untraced_many(void **state)
{
	struct model_ctx c = { .listen_fd = -1, .serve = MODEL_SERVE_ECHO };
	struct sockaddr_in a;
	static int cl[MANY];
	char want[32], got[32];

	(void)state;
	assert_true((c.listen_fd = su_listen(&a, MANY)) >= 0);
	assert_int_equal(su_start_bare(&c, model_find("coroutines")), 0);
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
	}
	assert_int_equal(model_stop(&c, MODEL_STOP_MS), 0);
	assert_int_equal(c.status, 0);
	for (int i = 0; i < MANY; i++)
		close(cl[i]);
	close(c.listen_fd);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_co_echo),
		cmocka_unit_test(test_co_reset_while_working),
		cmocka_unit_test(test_co_parked_while_thread_sleeps),
		cmocka_unit_test(test_co_stop_prompt),
		cmocka_unit_test(test_co_untraced_many),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("coroutines", tests, NULL, NULL);
}
