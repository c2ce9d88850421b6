/* test_harness.c: the test runner's own promises (tests/harness.c): every
 * test has its own time limit, and one that overstays it names itself. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/harness.h"

#define HANG_ENV "IOSCOPE_TEST_HANG"

/* Hangs, when this binary runs itself to see the watchdog act; else passes. */
static void test_harness_hang_on_demand(void **state)
{
	(void)state;
	if (getenv(HANG_ENV) == NULL)
		return;
	for (;;)
		pause();
}

/* This binary, running only test, with a limit of 1 s: its stderr (up to
 * len - 1 bytes) and its wait status; the parent gives it 20 s. */
static int run_self(const char *test, char *err, size_t len)
{
	int fds[2], status = -1;
	size_t n = 0;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		setenv(HANG_ENV, "1", 1);
		setenv("IOSCOPE_TEST_TIMEOUT", "1", 1);
		execl("/proc/self/exe", "test_harness", test, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		struct pollfd p = { .fd = fds[0], .events = POLLIN };
		ssize_t got;

		if (poll(&p, 1, 20000) != 1) {
			kill(pid, SIGKILL);           /* no watchdog: do not hang here too */
			break;
		}
		got = read(fds[0], err + n, len - 1 - n);
		if (got <= 0)
			break;
		n += (size_t)got;
		if (n == len - 1)
			break;
	}
	err[n] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void test_harness_hung_test_names_itself(void **state)
{
	char err[1024];
	int status;

	(void)state;
	if (getenv(HANG_ENV) != NULL)
		return;                               /* the child: not again */
	status = run_self("test_harness_hang_on_demand", err, sizeof err);
	print_message("%s", err);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 124);
	assert_non_null(strstr(err, "[ TIMEOUT  ] test_harness_hang_on_demand: still running after 1 s"));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_harness_hang_on_demand),
		cmocka_unit_test(test_harness_hung_test_names_itself),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("harness", tests, NULL, NULL);
}
