/* test_mux_bench.c: the select/poll/epoll benchmark's parsing, output shape,
 * skips and cleanup.  Speeds are reported by `ioscope bench`, never asserted
 * here. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <unistd.h>

#include "models/mux_bench.h"
#include "tests/harness.h"

static void test_mux_bench_parse_list_ok(void **state)
{
	int v[4];
	char cause[128];

	(void)state;
	assert_int_equal(mux_bench_parse_list("10,100,1000", v, 4, cause,
					      sizeof cause), 3);
	assert_int_equal(v[0], 10);
	assert_int_equal(v[1], 100);
	assert_int_equal(v[2], 1000);
	assert_int_equal(mux_bench_parse_list("2147483647", v, 4, cause,
					      sizeof cause), 1);
	assert_int_equal(v[0], 2147483647);
}

static void test_mux_bench_parse_list_bad(void **state)
{
	static const struct { const char *in, *quoted; } bad[] = {
		{ "x", "'x'" }, { "10,x", "'x'" }, { "", "''" },
		{ "10,,20", "'10,,20'" }, { "1,2,", "'1,2,'" }, { "0", "'0'" },
		{ "-5", "'-5'" }, { " 5", "' 5'" }, { "5e3", "'5e3'" },
		{ "2147483648", "'2147483648'" },
		{ "99999999999999999999", "'99999999999999999999'" },
	};
	char cause[128], want[128];
	int v[4];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause[0] = '\0';
		assert_int_equal(mux_bench_parse_list(bad[i].in, v, 4, cause,
						      sizeof cause), -EINVAL);
		snprintf(want, sizeof want, "expected a comma-separated list "
			 "of positive integers, got %s", bad[i].quoted);
		assert_string_equal(cause, want);
	}
	assert_int_equal(mux_bench_parse_list("1,2,3", v, 2, cause,
					      sizeof cause), -EINVAL);
	assert_non_null(strstr(cause, "too many"));
	assert_int_equal(mux_bench_parse_list(NULL, v, 2, cause, sizeof cause),
			 -EINVAL);
}

static void test_mux_bench_parse_models(void **state)
{
	const char *m[3];
	char cause[128];

	(void)state;
	assert_int_equal(mux_bench_parse_models("epoll,select", m, 3, cause,
						sizeof cause), 2);
	assert_string_equal(m[0], "epoll");
	assert_string_equal(m[1], "select");
	assert_int_equal(mux_bench_parse_models("sel", m, 3, cause,
						sizeof cause), -EINVAL);
	assert_string_equal(cause, "expected select, poll or epoll, got 'sel'");
	assert_int_equal(mux_bench_parse_models("poll,poll", m, 3, cause,
						sizeof cause), -EINVAL);
	assert_int_equal(mux_bench_parse_models("poll,", m, 3, cause,
						sizeof cause), -EINVAL);
	assert_int_equal(mux_bench_parse_models("", m, 3, cause,
						sizeof cause), -EINVAL);
}

static void test_mux_bench_bad_opts(void **state)
{
	const char *unknown[] = { "kqueue" };
	int zero[] = { 0 };
	struct mux_bench_opts o = { .models = unknown, .nmodels = 1 };
	char cause[128];

	(void)state;
	assert_int_equal(mux_bench_run(&o, stdout, cause, sizeof cause), -EINVAL);
	assert_non_null(strstr(cause, "'kqueue'"));
	o = (struct mux_bench_opts){ .fds = zero, .nsizes = 1 };
	assert_int_equal(mux_bench_run(&o, stdout, cause, sizeof cause), -EINVAL);
	o = (struct mux_bench_opts){ .rounds = -1 };
	assert_int_equal(mux_bench_run(&o, stdout, cause, sizeof cause), -EINVAL);
}

/* Run o into a string (free it). */
static char *run_to_string(const struct mux_bench_opts *o, int *err)
{
	char *buf = NULL, cause[256] = "";
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	assert_non_null(f);
	*err = mux_bench_run(o, f, cause, sizeof cause);
	if (*err != 0)
		print_message("mux_bench_run: %s\n", cause);
	fclose(f);
	return buf;
}

/* The header, then model x size rows of 8 fields with numbers. */
static void test_mux_bench_csv_shape(void **state)
{
	static const int fds[] = { 8, 16 };
	struct mux_bench_opts o = { .fds = fds, .nsizes = 2, .csv = 1,
				    .rounds = 2 };
	static const char *const rows[] = { "select,8,0,", "select,16,0,",
		"poll,8,0,", "poll,16,0,", "epoll,8,0,", "epoll,16,0," };
	int before = open_fd_count(), err, commas;
	char *out = run_to_string(&o, &err), *line, *save = NULL;
	long ns;

	(void)state;
	assert_int_equal(err, 0);
	line = strtok_r(out, "\n", &save);
	assert_string_equal(line, "model,fds,low,maxfd,median_ns,syscall_ns,"
			    "user_ns,spread_pct,rounds,note");
	for (size_t i = 0; i < 6; i++) {
		line = strtok_r(NULL, "\n", &save);
		assert_non_null(line);
		assert_memory_equal(line, rows[i], strlen(rows[i]));
		commas = 0;
		for (char *c = line; *c; c++)
			commas += *c == ',';
		assert_int_equal(commas, 9);
		ns = strtol(line + strlen(rows[i]), NULL, 10);   /* maxfd */
		assert_true(ns > 0);
		ns = strtol(strchr(line + strlen(rows[i]), ',') + 1, NULL, 10);
		assert_true(ns > 0);
		assert_non_null(strstr(line, ",2,"));
	}
	assert_null(strtok_r(NULL, "\n", &save));
	free(out);
	assert_int_equal(open_fd_count(), before);
}

static void test_mux_bench_table_shape(void **state)
{
	static const int fds[] = { 4, 32 };
	struct mux_bench_opts o = { .fds = fds, .nsizes = 2, .rounds = 1 };
	int before = open_fd_count(), err;
	char *out = run_to_string(&o, &err);

	(void)state;
	assert_int_equal(err, 0);
	assert_non_null(strstr(out, "select  total"));
	assert_non_null(strstr(out, "        syscall"));
	assert_non_null(strstr(out, "        userspace"));
	assert_non_null(strstr(out, "\nselect/epoll"));
	assert_non_null(strstr(out, "\npoll/epoll"));
	assert_non_null(strstr(out, "epoll at 32 fds / epoll at 4 fds: "));
	/* The chart: a bar per model and size, with its time. */
	assert_non_null(strstr(out, "one wait, log scale"));
	assert_non_null(strstr(out, "\n     4 fds  select "));
	assert_non_null(strstr(out, "\n    32 fds  select "));
	assert_non_null(strstr(out, "\n            epoll  "));
	free(out);
	assert_int_equal(open_fd_count(), before);
}

/* With every low number taken, the watched sockets land above FD_SETSIZE:
 * select is skipped with the reason, never FD_SET out of range. */
static void test_mux_bench_select_skipped_high_fds(void **state)
{
	static const int fds[] = { 8 };
	static const char *const models[] = { "select", "epoll" };
	struct mux_bench_opts o = { .fds = fds, .nsizes = 1, .csv = 1,
				    .rounds = 1, .models = models, .nmodels = 2 };
	struct rlimit old, rl;
	int held[FD_SETSIZE + 8], nheld = 0, before = open_fd_count(), err, fd;
	char *out;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	if (old.rlim_max < FD_SETSIZE + 64)
		skip();
	rl = old;
	rl.rlim_cur = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	while ((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0) {
		held[nheld++] = fd;
		if (fd >= FD_SETSIZE + 2 || nheld == FD_SETSIZE + 8)
			break;
	}
	out = run_to_string(&o, &err);
	while (nheld > 0)
		close(held[--nheld]);
	setrlimit(RLIMIT_NOFILE, &old);
	assert_int_equal(err, 0);
	assert_non_null(strstr(out, "select,8,0,,,,,,1,\"skipped: descriptors "
			       "reach "));
	assert_non_null(strstr(out, "not below FD_SETSIZE"));
	assert_non_null(strstr(out, "\nepoll,8,0,"));
	assert_null(strstr(out, "\nepoll,8,0,,"));
	free(out);
	assert_int_equal(open_fd_count(), before);
}

/* A size that cannot fit under the hard limit is skipped, in a child since
 * lowering the hard limit cannot be undone. */
static void test_mux_bench_size_skipped_by_limit(void **state)
{
	static const int fds[] = { 8, 200 };
	struct mux_bench_opts o = { .fds = fds, .nsizes = 2, .rounds = 1 };
	struct rlimit rl = { 64, 64 };
	char buf[4096] = "";
	int pipefd[2], err, status;
	ssize_t n;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(pipefd), 0);
	if ((pid = fork()) == 0) {
		FILE *f = fdopen(pipefd[1], "w");

		close(pipefd[0]);
		if (f == NULL || setrlimit(RLIMIT_NOFILE, &rl) < 0)
			_exit(3);
		err = mux_bench_run(&o, f, buf, sizeof buf);
		fclose(f);
		_exit(err == 0 ? 0 : 4);
	}
	close(pipefd[1]);
	n = read(pipefd[0], buf, sizeof buf - 1);
	close(pipefd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "200 fds: skipped, RLIMIT_NOFILE hard "
			       "limit 64\n"));
	assert_non_null(strstr(buf, "\npoll    total"));
}

static void test_mux_bench_parse_lows(void **state)
{
	static const struct { const char *in, *quoted; } bad[] = {
		{ "x", "'x'" }, { "", "''" }, { "0,,5", "'0,,5'" },
		{ "-1", "'-1'" }, { "1e3", "'1e3'" }, { "1048576", "'1048576'" },
	};
	char cause[160], want[160];
	int v[4];

	(void)state;
	assert_int_equal(mux_bench_parse_lows("0,1000", v, 4, cause, sizeof cause), 2);
	assert_int_equal(v[0], 0);
	assert_int_equal(v[1], 1000);
	assert_int_equal(mux_bench_parse_lows("1048575", v, 4, cause, sizeof cause), 1);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(mux_bench_parse_lows(bad[i].in, v, 4, cause,
						      sizeof cause), -EINVAL);
		snprintf(want, sizeof want, "expected a comma-separated list of "
			 "descriptor numbers from 0 to 1048575, got %s", bad[i].quoted);
		assert_string_equal(cause, want);
	}
	assert_int_equal(mux_bench_parse_lows("1,2,3", v, 2, cause, sizeof cause),
			 -EINVAL);
	assert_non_null(strstr(cause, "too many"));
}

/* --low: a low column; the watched fds of low 300 sit at 300 and up. */
static void test_mux_bench_csv_low(void **state)
{
	static const int fds[] = { 2 }, lows[] = { 0, 300 };
	static const char *const models[] = { "select" };
	struct mux_bench_opts o = { .fds = fds, .nsizes = 1, .lows = lows,
				    .nlows = 2, .csv = 1, .rounds = 2,
				    .models = models, .nmodels = 1 };
	static const char *const rows[] = { "select,2,0,", "select,2,300," };
	int before = open_fd_count(), err, commas;
	char *out = run_to_string(&o, &err), *line, *save = NULL;

	(void)state;
	assert_int_equal(err, 0);
	line = strtok_r(out, "\n", &save);
	assert_string_equal(line, "model,fds,low,maxfd,median_ns,syscall_ns,"
			    "user_ns,spread_pct,rounds,note");
	for (size_t i = 0; i < 2; i++) {
		line = strtok_r(NULL, "\n", &save);
		assert_non_null(line);
		assert_memory_equal(line, rows[i], strlen(rows[i]));
		commas = 0;
		for (char *c = line; *c; c++)
			commas += *c == ',';
		assert_int_equal(commas, 9);
		/* maxfd: the highest watched descriptor. */
		if (i == 1)
			assert_true(strtol(line + strlen(rows[i]), NULL, 10) >= 301);
		else
			assert_true(strtol(line + strlen(rows[i]), NULL, 10) < 300);
	}
	assert_null(strtok_r(NULL, "\n", &save));
	free(out);
	assert_int_equal(open_fd_count(), before);
}

/* The table with two lows: where the fds sit, and the ratio of the higher low
 * to the lower at the same watched count. */
static void test_mux_bench_table_low(void **state)
{
	static const int fds[] = { 2, 8 }, lows[] = { 0, 200 };
	static const char *const models[] = { "select", "poll" };
	struct mux_bench_opts o = { .fds = fds, .nsizes = 2, .lows = lows,
				    .nlows = 2, .rounds = 1, .models = models,
				    .nmodels = 2 };
	int before = open_fd_count(), err;
	char *out = run_to_string(&o, &err);

	(void)state;
	assert_int_equal(err, 0);
	assert_non_null(strstr(out, "\nfds from (low)  "));
	assert_non_null(strstr(out, "\nhighest fd      "));
	assert_non_null(strstr(out, "\nselect, low 200 / low 0: "));
	assert_non_null(strstr(out, "x at 2 fds"));
	assert_non_null(strstr(out, "\npoll, low 200 / low 0: "));
	assert_non_null(strstr(out, "\n     2 fds  select "));
	free(out);
	assert_int_equal(open_fd_count(), before);
}

/* In a child (a hard limit lowered cannot be raised again): fn under
 * RLIMIT_NOFILE rl; returns what it wrote and its exit status. */
static int in_child(const struct rlimit *rl, const struct mux_bench_opts *o,
		    char *buf, size_t size)
{
	int pipefd[2], status, err;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(pipefd), 0);
	if ((pid = fork()) == 0) {
		char cause[256] = "";
		FILE *f = fdopen(pipefd[1], "w");
		struct rlimit now;

		close(pipefd[0]);
		if (f == NULL || setrlimit(RLIMIT_NOFILE, rl) < 0)
			_exit(3);
		err = mux_bench_run(o, f, cause, sizeof cause);
		getrlimit(RLIMIT_NOFILE, &now);
		fprintf(f, "\ncause: %s\nsoft after: %llu\n", cause,
			(unsigned long long)now.rlim_cur);
		fclose(f);
		_exit(err == 0 ? 0 : err == -EINVAL ? 2 : 4);
	}
	close(pipefd[1]);
	for (size_t got = 0;; got += (size_t)n) {    /* to the end: several writes */
		n = read(pipefd[0], buf + got, size - 1 - got);
		if (n <= 0) {
			buf[got] = '\0';
			break;
		}
	}
	close(pipefd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* A low past the hard limit is refused before anything is measured, and
 * says so plainly. */
static void test_mux_bench_low_over_limit(void **state)
{
	static const int fds[] = { 2 }, lows[] = { 0, 1000 };
	struct mux_bench_opts o = { .fds = fds, .nsizes = 1, .lows = lows,
				    .nlows = 2, .rounds = 1 };
	struct rlimit rl = { 64, 64 };
	char buf[4096];

	(void)state;
	assert_int_equal(in_child(&rl, &o, buf, sizeof buf), 2);
	assert_non_null(strstr(buf, "cause: --low 1000 with 2 fds needs "
			       "descriptors up to 1001, but RLIMIT_NOFILE's hard "
			       "limit is 64"));
	assert_null(strstr(buf, "model,"));
}

/* A low past the soft limit only: the soft limit is raised to the hard
 * one for the run and put back after. */
static void test_mux_bench_low_raises_soft(void **state)
{
	static const int fds[] = { 2 }, lows[] = { 1000 };
	static const char *const models[] = { "epoll" };
	struct mux_bench_opts o = { .fds = fds, .nsizes = 1, .lows = lows,
				    .nlows = 1, .rounds = 1, .csv = 1,
				    .models = models, .nmodels = 1 };
	struct rlimit old, rl;
	char buf[4096];

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	if (old.rlim_max < 1100)
		skip();
	rl = (struct rlimit){ 64, old.rlim_max };
	assert_int_equal(in_child(&rl, &o, buf, sizeof buf), 0);
	assert_non_null(strstr(buf, "\nepoll,2,1000,1001,"));
	assert_non_null(strstr(buf, "soft after: 64\n"));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mux_bench_parse_list_ok),
		cmocka_unit_test(test_mux_bench_parse_list_bad),
		cmocka_unit_test(test_mux_bench_parse_models),
		cmocka_unit_test(test_mux_bench_bad_opts),
		cmocka_unit_test(test_mux_bench_csv_shape),
		cmocka_unit_test(test_mux_bench_table_shape),
		cmocka_unit_test(test_mux_bench_select_skipped_high_fds),
		cmocka_unit_test(test_mux_bench_size_skipped_by_limit),
		cmocka_unit_test(test_mux_bench_parse_lows),
		cmocka_unit_test(test_mux_bench_csv_low),
		cmocka_unit_test(test_mux_bench_table_low),
		cmocka_unit_test(test_mux_bench_low_over_limit),
		cmocka_unit_test(test_mux_bench_low_raises_soft),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("mux_bench", tests, NULL, NULL);
}
