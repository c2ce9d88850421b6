/* test_server_bench.c: the server bench as a library: its options, and a
 * run that leaves no descriptor open and no child process behind; a
 * model not in this build is a skipped row, not an error. */
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

#include "models/model.h"
#include "models/server_bench.h"
#include "tests/harness.h"

static void test_server_bench_parse(void **state)
{
	const char *models[SERVER_BENCH_MAX_MODELS];
	int conns[SERVER_BENCH_MAX_SIZES];
	char cause[256];

	(void)state;
	assert_int_equal(server_bench_parse_conns("10,1000", conns, SERVER_BENCH_MAX_SIZES,
						  cause, sizeof cause), 2);
	assert_int_equal(conns[1], 1000);
	assert_int_equal(server_bench_parse_conns("65536", conns, SERVER_BENCH_MAX_SIZES,
						  cause, sizeof cause), -EINVAL);
	assert_non_null(strstr(cause, "at most 65535"));
	assert_int_equal(server_bench_parse_models("epoll,coroutines", models,
						   SERVER_BENCH_MAX_MODELS, cause,
						   sizeof cause), 2);
	assert_string_equal(models[1], "coroutines");   /* built or not */
	assert_int_equal(server_bench_parse_models("blocking", models,
						   SERVER_BENCH_MAX_MODELS, cause,
						   sizeof cause), -EINVAL);
	assert_int_equal(server_bench_parse_models("epoll,epoll", models,
						   SERVER_BENCH_MAX_MODELS, cause,
						   sizeof cause), -EINVAL);
}

/* A name of the default list this build lacks, or NULL. */
static const char *missing_model(void)
{
	static const char *const names[] = { "process-per-conn", "thread-per-conn",
					     "thread-pool", "coroutines" };

	for (int i = 0; i < 4; i++)
		if (model_find(names[i]) == NULL)
			return names[i];
	return NULL;
}

static void test_server_bench_clean(void **state)
{
	const char *models[2] = { "epoll", missing_model() };
	const int conns[] = { 10 };
	struct server_bench_opts o = { .conns = conns, .nsizes = 1, .models = models,
				       .nmodels = models[1] ? 2 : 1, .csv = 1 };
	char cause[256] = "", *text = NULL, line[128];
	size_t len = 0;
	int fds = open_fd_count(), status;
	FILE *out = open_memstream(&text, &len);

	(void)state;
	assert_non_null(out);
	assert_int_equal(server_bench_run(&o, out, cause, sizeof cause), 0);
	assert_int_equal(fclose(out), 0);
	assert_int_equal(open_fd_count(), fds);
	assert_int_equal(waitpid(-1, &status, WNOHANG), -1);   /* none left */
	assert_int_equal(errno, ECHILD);
	assert_non_null(strstr(text, "\nepoll,10,1,"));
	if (models[1] != NULL) {
		snprintf(line, sizeof line, "\n%s,10,,,,,,,\"skipped: not in this build\"\n",
			 models[1]);
		assert_non_null(strstr(text, line));
	}
	free(text);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_bench_parse),
		cmocka_unit_test(test_server_bench_clean),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("server_bench", tests, NULL, NULL);
}
