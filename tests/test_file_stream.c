/* test_file_stream.c: trace_read reads a file a piece at a time, never
 * whole: what it makes of a file is what trace_read_mem makes of the same
 * bytes in memory (the same trace, or the same cause word for word),
 * whatever line falls across the edge of a read, however long; and the
 * memory it takes does not grow with the file.  Run one test by name:
 * build/tests/test_file_stream test_file_stream_edges */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "tests/harness.h"
#include "trace/trace.h"
#include "tests/fuzz/read_same.h"

#define HDR "{\"format\":\"ioscope-trace\",\"version\":2,\"scenario\":\"t\",\"kernel\":\"k\"," \
	"\"started\":\"2026-11-26T14:09:36Z\",\"actors\":[{\"name\":\"world\",\"model\":\"\"}," \
	"{\"name\":\"A\",\"model\":\"blocking\",\"caps\":[\"phases\"]}]}\n"
#define MIB ((size_t)1 << 20)

static char dir[64], path[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/ioscope-stream-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof path, "%s/t.jsonl", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return rmdir(dir);
}

/* A text being built. */
struct text {
	char *s;
	size_t len, cap;
};

static void add(struct text *t, const char *s, size_t n)
{
	if (t->len + n > t->cap) {
		t->cap = (t->len + n) * 2;
		t->s = realloc(t->s, t->cap);
		assert_non_null(t->s);
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
}

/* A state event whose line is exactly n bytes long, '\n' included. */
static void add_state(struct text *t, size_t n)
{
	static const char head[] = "{\"seq\":0,\"t_ns\":5,\"actor\":\"A\",\"kind\":\"state\","
				   "\"tid\":4,\"state\":\"S\",\"syscall\":\"read\",\"wchan\":\"";
	char *line = malloc(n);

	assert_non_null(line);
	assert_true(n >= sizeof head + 3);
	memcpy(line, head, sizeof head - 1);
	memset(line + sizeof head - 1, 'w', n - (sizeof head - 1) - 3);
	memcpy(line + n - 3, "\"}\n", 3);
	add(t, line, n);
	free(line);
}

static void put_file(const char *s, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

/* The file of these bytes and the bytes in memory read alike; returns the
 * result, the cause in cause. */
static int read_alike(const char *s, size_t len, char *cause, size_t causelen)
{
	struct trace *file = NULL, *mem = NULL;
	size_t skip_file = 9, skip_mem = 9;
	char other[512] = "";
	int rc;

	put_file(s, len);
	rc = trace_read(path, &file, &skip_file, cause, causelen);
	assert_int_equal(trace_read_mem(path, s, len, &mem, &skip_mem, other,
					sizeof other), rc);
	if (rc != 0)
		assert_string_equal(cause, other);
	else if (skip_file != skip_mem || !traces_same(file, mem))
		fail_msg("the file and the same bytes in memory read differently");
	trace_free(file);
	trace_free(mem);
	return rc;
}

/* Lines of every length from 110 to 1500 bytes, and a line ending on each
 * side of 1 and 2 MiB (where the reader's buffer ends); with and without a
 * last '\n', and with a cut-short last line. */
static void test_file_stream_edges(void **state)
{
	static const size_t at[] = { MIB - 1, MIB, MIB + 1, 2 * MIB - 1, 2 * MIB, 2 * MIB + 1 };
	char cause[512];

	(void)state;
	for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
		struct text t = { 0 };
		size_t n = 110;
		struct trace *tr = NULL;

		add(&t, HDR, strlen(HDR));
		while (t.len + 3000 < at[k]) {          /* lengths 110, 111, ... */
			add_state(&t, n);
			n = n < 1500 ? n + 1 : 110;
		}
		add_state(&t, at[k] - t.len - 1000);
		add_state(&t, 1000);                    /* its '\n' is byte at[k] - 1 */
		assert_int_equal(t.len, at[k]);
		for (int i = 0; i < 300; i++)
			add_state(&t, 200 + (size_t)i);
		if (read_alike(t.s, t.len, cause, sizeof cause) != 0)
			fail_msg("%s", cause);
		assert_int_equal(read_alike(t.s, t.len - 1, cause, sizeof cause), 0);
		assert_int_equal(read_alike(t.s, t.len - 5, cause, sizeof cause), 0);
		assert_int_equal(trace_read(path, &tr, &n, cause, sizeof cause), 0);
		assert_int_equal(n, 1);                 /* the cut line was skipped */
		trace_free(tr);
		free(t.s);
	}
}

/* A line longer than allowed is refused with its whole length, as in
 * memory: in the middle, at the end without '\n', blank, the header; one
 * exactly as long as allowed is read. */
static void test_file_stream_long_lines(void **state)
{
	char cause[512], want[320];
	struct text t = { 0 };
	char *spaces = malloc(TRACE_MAX_LINE + 10);

	(void)state;
	assert_non_null(spaces);
	add(&t, HDR, strlen(HDR));
	add_state(&t, 500);
	add_state(&t, TRACE_MAX_LINE + 1);              /* line 3: the limit, and its '\n' */
	assert_int_equal(read_alike(t.s, t.len, cause, sizeof cause), 0);
	add_state(&t, TRACE_MAX_LINE + 2);              /* line 4: one byte more */
	add_state(&t, 500);
	assert_int_equal(read_alike(t.s, t.len, cause, sizeof cause), -EINVAL);
	snprintf(want, sizeof want, "%s:4:1: line is %u bytes long (expected an event "
		 "object of at most 1024 KiB)", path, TRACE_MAX_LINE + 1);
	assert_string_equal(cause, want);
	t.len -= 501;                                   /* line 4 last, without '\n' */
	assert_int_equal(read_alike(t.s, t.len, cause, sizeof cause), -EINVAL);
	assert_string_equal(cause, want);
	t.len -= TRACE_MAX_LINE + 1;                    /* line 4 blank and long */
	memset(spaces, ' ', TRACE_MAX_LINE + 10);
	add(&t, spaces, TRACE_MAX_LINE + 10);
	add(&t, "\n", 1);
	add_state(&t, 500);
	assert_int_equal(read_alike(t.s, t.len, cause, sizeof cause), -EINVAL);
	snprintf(want, sizeof want, "%s:4:1: blank line (expected an event object)", path);
	assert_string_equal(cause, want);
	t.len = 0;                                      /* a header of 300 KiB */
	add(&t, "{\"format\":\"ioscope-trace\",\"x\":\"", 31);
	add(&t, spaces, 300 * 1024 - 33);
	add(&t, "\"}\n", 3);
	assert_int_equal(read_alike(t.s, t.len, cause, sizeof cause), -EINVAL);
	snprintf(want, sizeof want, "%s:1:1: line is %u bytes long (expected the header "
		 "of at most 256 KiB)", path, 300 * 1024);
	assert_string_equal(cause, want);
	free(spaces);
	free(t.s);
}

static long peak_kb(void)
{
	struct rusage ru;

	assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
	return ru.ru_maxrss;
}

/* A file of 64 MB whose lines make small events (each holds a long string
 * under a key no reader knows): reading it takes a few MB, not the file's
 * size, as it did when the file was read whole first. */
static void test_file_stream_memory(void **state)
{
	enum { LINES = 64 };
	size_t n = MIB - 1000, len;
	char *line = malloc(n + 200), cause[512];
	struct trace *t = NULL;
	long before;
	int fd;

	(void)state;
#ifdef H_UNDER_ASAN
	free(line);
	skip();    /* its quarantine keeps what the reader freed */
#endif
	assert_non_null(line);
	assert_true((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0);
	assert_int_equal(write(fd, HDR, strlen(HDR)), (ssize_t)strlen(HDR));
	len = (size_t)sprintf(line, "{\"seq\":0,\"t_ns\":5,\"actor\":\"A\",\"kind\":\"lost\","
			      "\"count\":1,\"padding\":\"");
	memset(line + len, 'p', n - len - 3);
	memcpy(line + n - 3, "\"}\n", 3);
	for (int i = 0; i < LINES; i++)
		assert_int_equal(write(fd, line, n), (ssize_t)n);
	assert_int_equal(close(fd), 0);
	free(line);
	before = peak_kb();
	assert_int_equal(trace_read(path, &t, NULL, cause, sizeof cause), 0);
	assert_int_equal(trace_count(t), LINES);
	trace_free(t);
	if (peak_kb() - before > 24 * 1024)
		fail_msg("reading a 64 MB file raised the peak by %ld KB", peak_kb() - before);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_stream_memory),
		cmocka_unit_test(test_file_stream_edges),
		cmocka_unit_test(test_file_stream_long_lines),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("file_stream", tests, setup, teardown);
}
