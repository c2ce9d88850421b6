/* test_models.c: one matrix, written once, run against every model.
 *
 * Each model reads real bytes from real sockets; the assertions read only
 * the trace, and check the phases against the table of DESIGN.md §1. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <unistd.h>

#include "tests/harness.h"

struct expect {
	const char *model;
	bool wait_blocked;     /* phase 1 blocks the caller */
	bool copy_blocked;     /* phase 2 blocks the caller */
	bool polls;            /* phase 1 spent asking again (EAGAIN, idle) */
	bool drains;           /* reads until EAGAIN after a report */
	int wait_call;         /* the call phase 1 is spent in, 0 = none */
};

/* DESIGN.md §1, the models built so far. */
static const struct expect table[] = {
	{ "blocking",    true,  true, false, false, TRACE_CALL_RECVFROM },
	{ "nonblocking", false, true, true,  false, 0 },
	{ "select",      true,  true, false, false, TRACE_CALL_SELECT },
	{ "poll",        true,  true, false, false, TRACE_CALL_POLL },
	{ "epoll",       true,  true, false, false, TRACE_CALL_EPOLL_WAIT },
	{ "epoll-et",    true,  true, false, true,  TRACE_CALL_EPOLL_WAIT },
};

static const struct expect *cur(void **state)
{
	return *state;
}

static int skip_unless_available(const struct expect *e)
{
	const struct model_ops *m = model_find(e->model);
	const char *why = "";

	assert_non_null(m);
	if (m->available(&why) != 0) {
		print_message("skipping %s: %s\n", e->model, why);
		return 1;
	}
	return 0;
}

static const struct trace_ev *find(struct harness *h, int kind, int phase, int end, size_t from)
{
	for (size_t i = from; i < trace_count(h->t); i++) {
		const struct trace_ev *ev = trace_at(h->t, i);

		if (ev->kind == kind && (phase < 0 || ev->phase == phase) &&
		    (end < 0 || !!(ev->flags & TRACE_F_END) == end))
			return ev;
	}
	return NULL;
}

/* find's event, copied: a trace_at pointer expires after TRACE_AT_KEEP
 * more calls (trace.h), and these tests hold several. */
static struct trace_ev copy_of(const struct trace_ev *ev)
{
	assert_non_null(ev);
	return *ev;
}

/* Data arrives while the model waits: one read with both phases, flagged
 * as the table says; the bytes are the ones written. */
static void test_models_phases(void **state)
{
	const struct expect *e = cur(state);
	struct harness h;
	/* Copies: a trace_at pointer expires after TRACE_AT_KEEP more calls. */
	struct trace_ev w0, w1, c0, c1, ok = { .kind = TRACE_NONE };
	bool saw_wait_call = e->wait_call == 0;

	if (skip_unless_available(e))
		skip();
	assert_int_equal(h_init(&h, 1, 1.0), 0);
	assert_int_equal(h_start(&h, e->model), 0);
	assert_true(h_wait(&h, h_waiting, NULL, 5000));
	h_write(&h, 0, "trout", 5);
	h_close_far(&h, 0);
	assert_true(h_wait(&h, h_done, NULL, 5000));

	w0 = copy_of(find(&h, TRACE_PHASE, TRACE_PH_WAIT, 0, 0));
	w1 = copy_of(find(&h, TRACE_PHASE, TRACE_PH_WAIT, 1, 0));
	c0 = copy_of(find(&h, TRACE_PHASE, TRACE_PH_COPY, 0, 0));
	c1 = copy_of(find(&h, TRACE_PHASE, TRACE_PH_COPY, 1, 0));
	assert_int_equal(!!(w0.flags & TRACE_F_BLOCKED), e->wait_blocked);
	assert_int_equal(!!(w1.flags & TRACE_F_BLOCKED), e->wait_blocked);
	assert_int_equal(!!(c0.flags & TRACE_F_BLOCKED), e->copy_blocked);
	assert_int_equal(!!(c1.flags & TRACE_F_BLOCKED), e->copy_blocked);
	assert_true(w0.t_ns <= w1.t_ns && w1.t_ns <= c0.t_ns && c0.t_ns <= c1.t_ns);
	assert_true(w0.seq < w1.seq && w1.seq < c0.seq && c0.seq < c1.seq);

	for (size_t i = 0; i < trace_count(h.t); i++) {
		const struct trace_ev *ev = trace_at(h.t, i);

		if (ev->kind == TRACE_EXIT && ev->call == TRACE_CALL_RECVFROM && ev->ret > 0)
			ok = *ev;
		if (ev->kind == TRACE_EXIT && ev->ret < 0) {
			assert_true(e->polls || e->drains);
			assert_string_equal(trace_errno_name(ev->err), "EAGAIN");
		}
		/* The thread entered the call phase 1 is spent in. */
		if (ev->kind == TRACE_ENTER && ev->call == e->wait_call)
			saw_wait_call = true;
	}
	assert_int_equal(ok.kind, TRACE_EXIT);
	assert_true(saw_wait_call);
	assert_int_equal(ok.ret, 5);
	assert_int_equal(ok.call, TRACE_CALL_RECVFROM);
	if (e->polls)
		assert_true(h_count(&h, TRACE_IDLE) >= 2);   /* did something else */
	else
		assert_int_equal(h_count(&h, TRACE_IDLE), 0);
	h_fini(&h);
}

/* End of file on every fd ends the model by itself, with status 0. */
static void test_models_eof(void **state)
{
	const struct expect *e = cur(state);
	struct harness h;
	const struct trace_ev *done;

	if (skip_unless_available(e))
		skip();
	assert_int_equal(h_init(&h, 2, 1.0), 0);
	assert_int_equal(h_start(&h, e->model), 0);
	h_close_far(&h, 1);
	h_close_far(&h, 0);
	assert_true(h_wait(&h, h_done, NULL, 5000));
	done = find(&h, TRACE_DONE, -1, -1, 0);
	assert_int_equal(done->ret, 0);
	assert_int_equal(model_join(&h.c, 1000), 0);
	h_fini(&h);
}

/* A model stopped while it waits (asleep in recv, or idle) ends within 1 s. */
static void test_models_stop_while_waiting(void **state)
{
	const struct expect *e = cur(state);
	struct harness h;

	if (skip_unless_available(e))
		skip();
	assert_int_equal(h_init(&h, 1, 1.0), 0);
	h.c.every_ns = 10 * 1000000000LL;      /* a long chat */
	assert_int_equal(h_start(&h, e->model), 0);
	assert_true(h_wait(&h, h_waiting, NULL, 5000));
	/* model_stop gives up (-ETIMEDOUT) at its limit: 0 is "within 1 s". */
	assert_int_equal(model_stop(&h.c, MODEL_STOP_MS), 0);
	h_fini(&h);
}

/* Several fds: every byte is read once, from the right fd. */
static void test_models_many_fds(void **state)
{
	const struct expect *e = cur(state);
	struct harness h;
	int64_t bytes[H_MAX_FDS] = { 0 };

	if (skip_unless_available(e))
		skip();
	assert_int_equal(h_init(&h, 3, 1.0), 0);
	assert_int_equal(h_start(&h, e->model), 0);
	h_write(&h, 2, "ccc", 3);
	h_write(&h, 0, "a", 1);
	h_write(&h, 1, "bb", 2);
	for (int i = 0; i < 3; i++)
		h_close_far(&h, i);
	assert_true(h_wait(&h, h_done, NULL, 5000));
	for (size_t i = 0; i < trace_count(h.t); i++) {
		const struct trace_ev *ev = trace_at(h.t, i);

		for (int f = 0; f < 3; f++)
			if (ev->kind == TRACE_EXIT && ev->call == TRACE_CALL_RECVFROM && ev->ret > 0 && ev->fd == h.fds[f].fd)
				bytes[f] += ev->ret;
	}
	assert_int_equal(bytes[0], 1);
	assert_int_equal(bytes[1], 2);
	assert_int_equal(bytes[2], 3);
	h_fini(&h);
}

static void test_models_no_fd_leak(void **state)
{
	const struct expect *e = cur(state);
	int before = open_fd_count();
	struct harness h;

	if (skip_unless_available(e))
		skip();
	assert_int_equal(h_init(&h, 2, 1.0), 0);
	assert_int_equal(h_start(&h, e->model), 0);
	h_write(&h, 0, "x", 1);
	h_close_far(&h, 0);
	h_close_far(&h, 1);
	assert_true(h_wait(&h, h_done, NULL, 5000));
	h_fini(&h);
	assert_int_equal(open_fd_count(), before);
}

/* One row per model, named test_models_<case>/<model>. */
#define ROW(fn, i, m) { #fn "/" m, fn, NULL, NULL, (void *)&table[i] }
#define MATRIX(fn) ROW(fn, 0, "blocking"), ROW(fn, 1, "nonblocking"), \
	ROW(fn, 2, "select"), ROW(fn, 3, "poll"), ROW(fn, 4, "epoll"), ROW(fn, 5, "epoll-et")

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		MATRIX(test_models_phases),
		MATRIX(test_models_eof),
		MATRIX(test_models_stop_while_waiting),
		MATRIX(test_models_many_fds),
		MATRIX(test_models_no_fd_leak),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("models", tests, NULL, NULL);
}
