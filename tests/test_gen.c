/* test_gen.c: long traces made of the shipped fishing recording repeated
 * (trace/gen.c) read back whole and in order; sources whose actors come
 * and go, bounds and write errors are refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace/gen.h"
#include "trace/trace.h"

#define FISHING "scenarios/recordings/fishing.jsonl"

static char dir[] = "/tmp/ioscope-gen-XXXXXX";
static char path[sizeof dir + 32];

static struct trace *load(const char *file)
{
	char cause[512];
	struct trace *t = NULL;
	size_t skipped = 0;

	if (trace_read(file, &t, &skipped, cause, sizeof cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(skipped, 0);
	return t;
}

static struct trace *load_mem(const char *text)
{
	char cause[512];
	struct trace *t = NULL;
	size_t skipped = 0;

	if (trace_read_mem("src.jsonl", text, strlen(text), &t, &skipped, cause, sizeof cause) != 0)
		fail_msg("%s", cause);
	return t;
}

/* trace_gen of src to n events in path; its result. */
static int gen_file(const struct trace *src, size_t n, struct trace_gen_info *info)
{
	FILE *f = fopen(path, "w");
	int rc;

	assert_non_null(f);
	rc = trace_gen(src, n, f, info);
	assert_int_equal(fclose(f), 0);
	return rc;
}

/* The source event that event i of n repeats: src's events again and
 * again without their done events, which come last (when n has room). */
static struct trace_ev source_of(const struct trace *src, size_t n, size_t i)
{
	size_t nsrc = trace_count(src), ndone = 0, k = 0;
	size_t tail;

	for (size_t j = 0; j < nsrc; j++)
		ndone += trace_at(src, j)->kind == TRACE_DONE;
	tail = n > ndone ? ndone : 0;
	for (size_t j = 0;; j++) {
		struct trace_ev s = *trace_at(src, j % nsrc);
		bool done = s.kind == TRACE_DONE;

		if (k < n - tail ? done : !done)
			continue;
		if (k++ == i)
			return s;
	}
}

/* n events read back: seq 0 .. n-1, times and steps never going back,
 * each event its source's kind and actor, no actor's event after its
 * done, info as the file says. */
static void check_file(const struct trace *src, size_t n, const struct trace_gen_info *info)
{
	struct trace *t = load(path);
	int64_t last_ns = 0;
	int32_t last_step = -1;
	bool done[TRACE_MAX_ACTORS] = { false };

	assert_int_equal(trace_count(t), n);
	assert_string_equal(trace_hdr(t)->scenario, trace_hdr_c(src)->scenario);
	assert_int_equal(trace_hdr(t)->nactors, trace_hdr_c(src)->nactors);
	for (size_t i = 0; i < n; i++) {
		struct trace_ev e = *trace_at(t, i), s = source_of(src, n, i);

		assert_true(e.actor < TRACE_MAX_ACTORS);
		if (done[e.actor])
			fail_msg("event %zu of %s comes after its done", i,
				 trace_hdr(t)->actors[e.actor].name);
		done[e.actor] = e.kind == TRACE_DONE;

		assert_int_equal(e.seq, i);
		assert_true(e.t_ns >= last_ns);
		assert_int_equal(e.kind, s.kind);
		assert_int_equal(e.actor, s.actor);
		assert_int_equal(e.step < 0, s.step < 0);
		if (e.step >= 0) {
			assert_true(e.step >= last_step);
			last_step = e.step;
		}
		last_ns = e.t_ns;
	}
	assert_int_equal(info->events, n);
	assert_int_equal(info->steps, last_step + 1);
	assert_int_equal(info->last_ns, last_ns);
	trace_free(t);
}

static void test_gen_fishing(void **state)
{
	struct trace *src = load(FISHING);
	struct trace_gen_info info;
	size_t sizes[] = { 1000, 10, 319, 320, 2 * 319 + 5 };

	(void)state;
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		memset(&info, 0xff, sizeof info);
		assert_int_equal(gen_file(src, sizes[i], &info), 0);
		check_file(src, sizes[i], &info);
	}
	/* 1000 events of 319 a repetition: the fourth has begun, its steps
	 * after the third's 16 * 3. */
	assert_int_equal(gen_file(src, 1000, &info), 0);
	assert_true(info.steps > 3 * 16 && info.steps <= 4 * 16);
	trace_free(src);
}

/* Nothing asked: a header alone, which reads back empty. */
static void test_gen_none(void **state)
{
	struct trace *src = load(FISHING), *t;
	struct trace_gen_info info;

	(void)state;
	assert_int_equal(gen_file(src, 0, &info), 0);
	assert_int_equal(info.events, 0);
	assert_int_equal(info.steps, 0);
	t = load(path);
	assert_int_equal(trace_count(t), 0);
	trace_free(t);
	trace_free(src);
}

#define HDR "{\"format\":\"ioscope-trace\",\"version\":2,\"scenario\":\"forum\",\"kernel\":\"6\"," \
	"\"started\":\"2026-12-01T10:00:00Z\",\"speed\":1,\"actors\":[{\"name\":\"world\"," \
	"\"model\":\"\"},{\"name\":\"S\",\"model\":\"threads\",\"caps\":[\"serves\"]}]}\n"

/* A thread that began and ended cannot begin again in the next
 * repetition: refused, and nothing is written. */
static void test_gen_refuses_actors(void **state)
{
	static const char *const srcs[] = {
		HDR "{\"seq\":0,\"t_ns\":2100,\"actor\":\"c\",\"kind\":\"actor\",\"edge\":\"begin\","
		    "\"model\":\"\",\"parent\":\"S\",\"tid\":4301,\"pid\":4300}\n"
		    "{\"seq\":1,\"t_ns\":9500,\"actor\":\"c\",\"kind\":\"actor\",\"edge\":\"end\"}\n",
		HDR "{\"seq\":0,\"t_ns\":9500,\"actor\":\"S\",\"kind\":\"actor\",\"edge\":\"end\"}\n",
		HDR,       /* no events to repeat */
	};
	struct trace_gen_info info = { 0 };
	struct stat st;

	(void)state;
	for (size_t i = 0; i < sizeof srcs / sizeof srcs[0]; i++) {
		struct trace *src = load_mem(srcs[i]);

		assert_int_equal(gen_file(src, 10, &info), -EINVAL);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_size, 0);
		trace_free(src);
	}
}

/* Steps and times that would pass the format's bounds are refused before
 * anything is written; one repetition fewer fits. */
static void test_gen_bounds(void **state)
{
	char text[1024];
	struct trace_gen_info info;
	struct trace *src;

	(void)state;
	snprintf(text, sizeof text, HDR "{\"seq\":0,\"t_ns\":5,\"actor\":\"S\",\"kind\":\"arrive\","
		 "\"fd\":3,\"bytes\":1,\"step\":%d}\n", TRACE_MAX_STEPS / 2 - 1);
	src = load_mem(text);
	assert_int_equal(gen_file(src, 2, &info), 0);
	assert_int_equal(info.steps, TRACE_MAX_STEPS);
	assert_int_equal(gen_file(src, 3, &info), -ERANGE);
	trace_free(src);

	snprintf(text, sizeof text, HDR "{\"seq\":0,\"t_ns\":%lld,\"actor\":\"S\",\"kind\":\"arrive\","
		 "\"fd\":3,\"bytes\":1}\n", (long long)(TRACE_MAX_NS / 3));
	src = load_mem(text);
	assert_int_equal(gen_file(src, 2, &info), 0);
	assert_int_equal(gen_file(src, 3, &info), -ERANGE);
	trace_free(src);
}

/* A full disk: the write's own error. */
static void test_gen_write_error(void **state)
{
	struct trace *src = load(FISHING);
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	if (f == NULL) {
		trace_free(src);
		skip();
	}
	assert_int_equal(trace_gen(src, 5000, f, NULL), -ENOSPC);
	fclose(f);
	trace_free(src);
}

static int group_setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof path, "%s/gen.jsonl", dir);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	unlink(path);
	return rmdir(dir);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gen_fishing),
		cmocka_unit_test(test_gen_none),
		cmocka_unit_test(test_gen_refuses_actors),
		cmocka_unit_test(test_gen_bounds),
		cmocka_unit_test(test_gen_write_error),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("gen", tests, group_setup, group_teardown);
}
