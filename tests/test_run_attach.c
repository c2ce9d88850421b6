/* test_run_attach.c: live/run.c's attach session, through the /proc
 * fallback (IOSCOPE_ATTACH_PROC=1, so it runs without the tracer): bad
 * input is -EINVAL with a cause; a started program runs to its end, the
 * run ends, its status comes back; a run with no steps answers the step
 * calls harmlessly; the header says what was traced. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include "live/run.h"
#include "tests/harness.h"

#define LIMIT_MS 10000

static void end_cb(void *arg)
{
	*(int *)arg = 1;
}

static int open_attach(uv_loop_t *loop, char *const *argv, int pid, int *status, int *ended,
		       struct run **r, char *cause, size_t len)
{
	struct run_opts o = { .attach_argv = argv, .attach_pid = pid, .speed = 1,
			      .attach_status = status, .on_end = end_cb, .on_end_arg = ended };

	return run_open(&o, loop, r, cause, len);
}

static void test_run_attach_bad_input(void **state)
{
	char *none[] = { "/nonexistent/program", NULL }, *both[] = { "true", NULL }, cause[512];
	uv_loop_t loop;
	struct run *r;
	int status = -2, ended = 0;
	pid_t gone = fork();

	(void)state;
	assert_true(gone >= 0);
	if (gone == 0)
		_exit(0);
	waitpid(gone, NULL, 0);
	setenv("IOSCOPE_ATTACH_PROC", "1", 1);
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_int_equal(open_attach(&loop, none, 0, &status, &ended, &r, cause, sizeof cause), -EINVAL);
	assert_non_null(strstr(cause, "/nonexistent/program"));
	assert_int_equal(open_attach(&loop, NULL, gone, &status, &ended, &r, cause, sizeof cause), -EINVAL);
	assert_non_null(strstr(cause, "no process"));
	assert_int_equal(open_attach(&loop, NULL, 0, &status, &ended, &r, cause, sizeof cause), -EINVAL);
	assert_non_null(strstr(cause, "needs a program"));
	assert_int_equal(open_attach(&loop, both, getppid(), &status, &ended, &r, cause, sizeof cause), -EINVAL);
	assert_non_null(strstr(cause, "not both"));
	assert_int_equal(status, -2);          /* nothing ran */
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0);
	unsetenv("IOSCOPE_ATTACH_PROC");
}

static void timeout_cb(uv_timer_t *h)
{
	uv_stop(h->loop);
}

static void test_run_attach_started(void **state)
{
	char *argv[] = { "sh", "-c", "exit 7", NULL }, cause[512];
	uv_loop_t loop;
	uv_timer_t limit;
	struct run *r;
	const struct trace_hdr *h;
	int status = -2, ended = 0;

	(void)state;
	setenv("IOSCOPE_ATTACH_PROC", "1", 1);
	assert_int_equal(uv_loop_init(&loop), 0);
	uv_timer_init(&loop, &limit);
	assert_int_equal(open_attach(&loop, argv, 0, &status, &ended, &r, cause, sizeof cause), 0);
	h = trace_hdr_c(run_trace(r));
	assert_string_equal(h->scenario, "attach");
	assert_string_equal(h->command, "sh -c 'exit 7'");
	assert_int_equal(h->attach_pid, 0);
	assert_int_equal(h->nactors, 1);       /* the world; threads are announced */
	assert_true(run_pid(r) > 0);
	assert_int_equal(run_start(r, true), 0);
	/* No steps: the step calls do nothing. */
	assert_int_equal(run_steps(r), 0);
	assert_int_equal(run_step(r), -1);
	assert_int_equal(run_step_index(r), 0);
	assert_true(run_quiet(r));
	assert_int_equal(run_inject(r, 0, 0, "x"), -EINVAL);
	run_play(r);
	run_set_speed(r, 4);
	run_pause(r);
	/* The program ends by itself: so does the run. */
	uv_timer_start(&limit, timeout_cb, LIMIT_MS, 0);
	while (!ended && uv_is_active((uv_handle_t *)&limit))
		uv_run(&loop, UV_RUN_ONCE);
	assert_true(ended);
	assert_true(run_ended(r));
	assert_int_equal(run_close(r, cause, sizeof cause), 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 7);
	uv_close((uv_handle_t *)&limit, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0);
	unsetenv("IOSCOPE_ATTACH_PROC");
}

/* A program that runs on is stopped at run_close: SIGTERM. */
static void test_run_attach_stopped(void **state)
{
	char *argv[] = { "sleep", "60", NULL }, cause[512];
	uv_loop_t loop;
	struct run *r;
	int status = -2, ended = 0;
	pid_t pid;

	(void)state;
	setenv("IOSCOPE_ATTACH_PROC", "1", 1);
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_int_equal(open_attach(&loop, argv, 0, &status, &ended, &r, cause, sizeof cause), 0);
	assert_int_equal(run_start(r, false), 0);
	pid = run_pid(r);
	uv_run(&loop, UV_RUN_NOWAIT);
	assert_int_equal(run_close(r, cause, sizeof cause), 0);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGTERM);
	assert_int_equal(kill(pid, 0), -1);     /* reaped */
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0);
	unsetenv("IOSCOPE_ATTACH_PROC");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_attach_bad_input),
		cmocka_unit_test(test_run_attach_started),
		cmocka_unit_test(test_run_attach_stopped),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("run_attach", tests, NULL, NULL);
}
