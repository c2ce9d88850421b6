/* test_run.c: whole runs, scenario file to recorded trace, judged from the
 * trace alone. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "live/run.h"
#include "tests/harness.h"
#include "view/narrate.h"


/* The test performs each action after the first (run_step) once the
 * actors are where it needs them: the times only order them. */
static const char script[] =
	"scenario t\n"
	"actor A blocking\n"
	"actor B nonblocking every=100ms\n"
	"at 0s say en start\n"
	"at 0s say zh 开始\n"
	"at 1000s write A.1 trout\n"
	"at 1500s write B.1 carp\n"
	"at 2000s close A.1\n";

H_FILES_GROUP(script)

/* Before each step, the world's next action (after the caption, which
 * it shows by itself at 0 s), what A and B must have got, and whether
 * B must have found nothing twice first (a nonblocking B); both then wait
 * for more. */
struct before {
	int next;
	int64_t a, b;
	bool b_tried;
};

static size_t eagains(const struct trace *t, int actor)
{
	size_t n = 0;

	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *ev = trace_at(t, i);

		n += ev->actor == actor && ev->kind == TRACE_EXIT && ev->ret < 0 &&
		     ev->err == EAGAIN;
	}
	return n;
}

static bool both_wait(struct h_run *hr, void *arg)
{
	const struct before *w = arg;
	const struct trace *t = run_trace(hr->r);
	int A = trace_find_actor(t, "A"), B = trace_find_actor(t, "B");
	bool b_blocks = strcmp(trace_hdr_c(t)->actors[B].model, "blocking") == 0;

	return run_step_index(hr->r) == w->next && h_actor_got(t, A) >= w->a && h_actor_got(t, B) >= w->b &&
	       h_actor_waits(t, A) && h_actor_waits(t, B) &&
	       (!w->b_tried || b_blocks || eagains(t, B) >= 2);
}

/* The script, each step once the actors wait for it; then to its end. */
static int run(const char *path, const char *model, const char *record, char *cause, size_t len)
{
	static const struct before steps[] = {
		{ 1, 0, 0, false }, { 2, 5, 0, true }, { 3, 5, 4, false },
	};
	struct run_opts o = {
		.scenario = path, .model = model, .speed = 10, .record = record,
		.lang = NARRATE_EN, .out = NULL, .grace_ms = 5000,
	};
	struct h_run hr;
	int rc;

	if (record != NULL)
		unlink(record);
	if ((rc = h_run_open(&hr, &o, cause, len)) != 0) {
		h_run_close(&hr, cause, len);
		return rc;
	}
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		assert_true(h_run_until(&hr, both_wait, (void *)&steps[i], 10000));
		assert_int_equal(run_step(hr.r), steps[i].next);
	}
	assert_true(h_run_until(&hr, h_run_ended, NULL, 10000));
	return h_run_close(&hr, cause, len);
}

static const struct trace_ev *first(const struct trace *t, int actor, int kind,
				    bool (*ok)(const struct trace_ev *))
{
	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->actor == actor && ev->kind == kind && (ok == NULL || ok(ev)))
			return ev;
	}
	return NULL;
}

static bool got_data(const struct trace_ev *ev) { return ev->ret > 0; }

/* A's recv spans the moment its fish bit, and the kernel saw A asleep in it. */
static void test_run_blocking_blocked_until_bite(void **state)
{
	char cause[512] = "";
	struct trace *t;
	size_t skipped;
	/* Copies: a trace_at pointer expires after TRACE_AT_KEEP more calls. */
	struct trace_ev arrive, exit, enter = { .kind = TRACE_NONE }, st = { .kind = TRACE_NONE };
	int A;

	(void)state;
	assert_int_equal(run(files.scn, NULL, files.rec, cause, sizeof cause), 0);
	assert_int_equal(trace_read(files.rec, &t, &skipped, cause, sizeof cause), 0);
	assert_int_equal(skipped, 0);
	A = trace_find_actor(t, "A");
	assert_non_null(first(t, A, TRACE_ARRIVE, NULL));
	arrive = *first(t, A, TRACE_ARRIVE, NULL);
	assert_non_null(first(t, A, TRACE_EXIT, got_data));
	exit = *first(t, A, TRACE_EXIT, got_data);
	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->actor == A && ev->kind == TRACE_ENTER && ev->t_ns <= exit.t_ns)
			enter = *ev;
		if (ev->actor == A && ev->kind == TRACE_STATE && enter.kind != TRACE_NONE &&
		    ev->t_ns < arrive.t_ns)
			st = *ev;
	}
	assert_int_equal(enter.kind, TRACE_ENTER);
	/* The call began before the data came and ended after. */
	assert_true(enter.t_ns <= arrive.t_ns && arrive.t_ns <= exit.t_ns);
	assert_true(exit.dur_ns >= arrive.t_ns - enter.t_ns);
	assert_int_equal(st.kind, TRACE_STATE);
	assert_int_equal(st.state, 'S');
	assert_string_equal(st.syscall, "recvfrom");
	trace_free(t);
}

/* B asked more than once (EAGAIN), was not blocked in phase 1, was in 2. */
static void test_run_nonblocking_polls(void **state)
{
	char cause[512] = "";
	struct trace *t;
	size_t skipped, again = 0;
	int B, saw_wait = 0, saw_copy = 0;

	(void)state;
	assert_int_equal(run(files.scn, NULL, files.rec, cause, sizeof cause), 0);
	assert_int_equal(trace_read(files.rec, &t, &skipped, cause, sizeof cause), 0);
	B = trace_find_actor(t, "B");
	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->actor != B)
			continue;
		if (ev->kind == TRACE_EXIT && ev->ret < 0 && ev->err == EAGAIN)
			again++;
		if (ev->kind == TRACE_PHASE && ev->phase == TRACE_PH_WAIT) {
			assert_false(ev->flags & TRACE_F_BLOCKED);
			saw_wait = 1;
		}
		if (ev->kind == TRACE_PHASE && ev->phase == TRACE_PH_COPY) {
			assert_true(ev->flags & TRACE_F_BLOCKED);
			saw_copy = 1;
		}
	}
	assert_true(again >= 2);
	assert_true(saw_wait && saw_copy);
	trace_free(t);
}

/* --model overrides every actor: both read through the blocking model. */
static void test_run_model_override(void **state)
{
	char cause[512] = "";
	struct trace *t;
	size_t skipped;

	(void)state;
	assert_int_equal(run(files.scn, "blocking", files.rec, cause, sizeof cause), 0);
	assert_int_equal(trace_read(files.rec, &t, &skipped, cause, sizeof cause), 0);
	assert_string_equal(trace_hdr(t)->actors[2].model, "blocking");
	assert_null(first(t, trace_find_actor(t, "B"), TRACE_IDLE, NULL));
	trace_free(t);
}

static void test_run_no_fd_leak(void **state)
{
	char cause[512] = "";
	int before = open_fd_count();

	(void)state;
	assert_int_equal(run(files.scn, NULL, NULL, cause, sizeof cause), 0);
	assert_int_equal(run(files.scn, NULL, files.rec, cause, sizeof cause), 0);
	assert_int_equal(open_fd_count(), before);
}

/* Bad input is refused before anything is written. */
static void test_run_bad_model_writes_nothing(void **state)
{
	char cause[512] = "";

	(void)state;
	unlink(files.rec);
	assert_int_equal(run(files.scn, "carrier-pigeon", files.rec, cause, sizeof cause), -EINVAL);
	assert_non_null(strstr(cause, "unknown model 'carrier-pigeon'"));
	assert_int_equal(access(files.rec, F_OK), -1);
	assert_int_equal(run("/nonexistent/x.scn", NULL, files.rec, cause, sizeof cause), -EINVAL);
	assert_non_null(strstr(cause, "/nonexistent/x.scn"));
	assert_int_equal(access(files.rec, F_OK), -1);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_blocking_blocked_until_bite),
		cmocka_unit_test(test_run_nonblocking_polls),
		cmocka_unit_test(test_run_model_override),
		cmocka_unit_test(test_run_no_fd_leak),
		cmocka_unit_test(test_run_bad_model_writes_nothing),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("run", tests, h_files_setup, h_files_teardown);
}
