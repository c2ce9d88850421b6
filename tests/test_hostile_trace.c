/* test_hostile_trace.c: traces made by an attacker or a careless user
 * (issue 10): values no recorder writes, lines and files too large, files
 * that are not files.  The reader must refuse each with one line naming
 * the file, line and column, without growing past the file; and views and
 * exporters handed a struct trace built by hand (not through the reader)
 * must neither overflow nor index past an array.  Run one test by name:
 * build/tests/test_hostile_trace test_hostile_field_bounds */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "view/export.h"
#include "trace/fold.h"
#include "view/narrate.h"
#include "trace/trace.h"
#include "view/grid.h"

#define HDR "{\"format\":\"ioscope-trace\",\"version\":1,\"scenario\":\"t\",\"kernel\":\"k\"," \
	"\"started\":\"2026-11-26T14:09:36Z\",\"actors\":[{\"name\":\"world\",\"model\":\"\"}," \
	"{\"name\":\"A\",\"model\":\"blocking\"},{\"name\":\"S\",\"model\":\"select\"}]}\n"
#define EV(actor, rest) "{\"seq\":0,\"t_ns\":5,\"actor\":\"" actor "\"," rest "}\n"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/ioscope-hostile-XXXXXX");
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static const char *in_dir(const char *name)
{
	static char path[128];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	return path;
}

/* Also after a failed test, which returns before its own unlink. */
static int teardown(void **state)
{
	static const char *const files[] = { "long.jsonl", "big.jsonl", "fifo.jsonl",
					     "empty.jsonl" };

	(void)state;
	for (size_t i = 0; i < sizeof files / sizeof *files; i++)
		unlink(in_dir(files[i]));
	return rmdir(dir);
}

/* A trace that any test can hang on: the alarm ends the test (and fails
 * it) instead of the whole suite hanging. */
static void arm(unsigned seconds)
{
	signal(SIGALRM, SIG_DFL);
	alarm(seconds);
}

static int read_one(const char *events, char *cause, size_t len, struct trace **t)
{
	char buf[4096];
	size_t skipped = 0;
	int n = snprintf(buf, sizeof buf, "%s%s", HDR, events);

	assert_true(n > 0 && (size_t)n < sizeof buf);
	*t = NULL;
	return trace_read_mem("h.jsonl", buf, (size_t)n, t, &skipped, cause, len);
}

static void expect_refused(const char *events, const char *want)
{
	struct trace *t;
	char cause[512];
	int rc = read_one(events, cause, sizeof cause, &t);

	if (rc != -EINVAL || strstr(cause, want) == NULL)
		fail_msg("%s-> rc %d, cause '%s' (wanted '%s')", events, rc,
			 rc != 0 ? cause : "", want);
	assert_null(t);
	assert_null(strchr(cause, '\n'));
}

static void expect_read(const char *events)
{
	struct trace *t;
	char cause[512];

	if (read_one(events, cause, sizeof cause, &t) != 0)
		fail_msg("%s-> refused: %s", events, cause);
	assert_int_equal(trace_count(t), 1);
	assert_true(view_ev_ok(t, trace_at(t, 0)));
	trace_free(t);
}

/* A trace built by hand, with the world, A and S. */
static struct trace *by_hand(void)
{
	struct trace *t = trace_new();

	assert_non_null(t);
	assert_int_equal(trace_add_actor(t, "A", "blocking", trace_caps_v1("blocking"), "", ""), 1);
	assert_int_equal(trace_add_actor(t, "S", "select", trace_caps_v1("select"), "", ""), 2);
	return t;
}

static int export_to_null(const struct trace *t, int format)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	assert_non_null(f);
	rc = export_write(t, format, NARRATE_EN, 0, 0, f);
	fclose(f);
	if (rc != 0)
		assert_int_equal(len, 0);     /* refused: nothing written */
	free(buf);
	return rc;
}

/* ---- item 9: memory bounded by the file ---- */

static long maxrss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* A header line of 16 MiB of numbers: jansson used to build all of it
 * (about 20 bytes per byte of input) before anything was checked.  It
 * must be refused at its length.  (This test runs first, so the process's
 * high-water mark is still low.) */
static void test_hostile_long_header_line(void **state)
{
	const size_t n = 16u << 20;
	const char *path = in_dir("long.jsonl");
	static const char head[] = "{\"format\":\"ioscope-trace\",\"version\":1,\"x\":[";
	struct trace *t = NULL;
	char cause[512];
	long before;
	char *buf = malloc(n + 4);
	FILE *f;

	(void)state;
	arm(60);
	assert_non_null(buf);
	memcpy(buf, head, sizeof head - 1);
	for (size_t i = sizeof head - 1; i < n; i += 2)
		memcpy(buf + i, "1,", 2);
	memcpy(buf + n, "1]}\n", 4);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(buf, 1, n + 4, f), n + 4);
	assert_int_equal(fclose(f), 0);
	free(buf);
	before = maxrss_kib();
	assert_int_equal(trace_read(path, &t, NULL, cause, sizeof cause), -EINVAL);
	assert_null(t);
	assert_non_null(strstr(cause, "long.jsonl:1:1: line is 16777219 bytes long "
			       "(expected the header of at most 256 KiB)"));
	/* The file itself (16 MiB) and a little: not 20 times it. */
	assert_true(maxrss_kib() - before < 64 * 1024);
	unlink(path);
	alarm(0);
}

/* Every line is capped, events too; and the 1e6-actor header of the
 * issue is a long line before it is a long array. */
static void test_hostile_long_event_line(void **state)
{
	size_t n = TRACE_MAX_LINE + 64, at;
	char *buf = malloc(sizeof HDR + n + 1024), cause[512];
	struct trace *t = NULL;

	(void)state;
	assert_non_null(buf);
	at = (size_t)sprintf(buf, "%s{\"seq\":0,\"t_ns\":0,\"actor\":\"world\","
			     "\"kind\":\"caption\",\"text\":{\"en\":\"", HDR);
	memset(buf + at, 'x', n);
	at += n;
	at += (size_t)sprintf(buf + at, "\",\"zh\":\"\"}}\n");
	assert_int_equal(trace_read_mem("h.jsonl", buf, at, &t, NULL, cause, sizeof cause),
			 -EINVAL);
	assert_non_null(strstr(cause, "h.jsonl:2:1: line is "));
	assert_non_null(strstr(cause, "(expected an event object of at most 1024 KiB)"));
	free(buf);
}

/* A header of n actors (the world and a1 ..), then announcements of
 * b1 .. b<more>; the caller frees it. */
static char *many_actors(int n, int more, size_t *len)
{
	char *buf = malloc(128 * (size_t)(n + more) + 256);
	size_t at;

	assert_non_null(buf);
	at = (size_t)sprintf(buf, "{\"format\":\"ioscope-trace\",\"version\":1,\"scenario\":\"t\","
			     "\"kernel\":\"k\",\"started\":\"s\",\"actors\":[{\"name\":\"world\",\"model\":\"\"}");
	for (int i = 1; i < n; i++)
		at += (size_t)sprintf(buf + at, ",{\"name\":\"a%d\",\"model\":\"m\"}", i);
	at += (size_t)sprintf(buf + at, "]}\n");
	for (int i = 1; i <= more; i++)
		at += (size_t)sprintf(buf + at, "{\"seq\":0,\"t_ns\":%d,\"actor\":\"b%d\",\"kind\":"
				      "\"actor\",\"edge\":\"begin\",\"model\":\"m\"}\n", i, i);
	*len = at;
	return buf;
}

/* TRACE_MAX_ACTORS in the header, TRACE_ACTORS_LIMIT in all with those
 * announced later. */
static void test_hostile_too_many_actors(void **state)
{
	char cause[512];
	struct trace *t = NULL;
	size_t len;
	char *buf = many_actors(TRACE_MAX_ACTORS + 1, 0, &len);

	(void)state;
	assert_int_equal(trace_read_mem("h.jsonl", buf, len, &t, NULL, cause, sizeof cause),
			 -EINVAL);
	assert_string_equal(cause, "h.jsonl:1:1: \"actors\" has 65 entries (expected 1 to 64, "
			    "\"world\" first)");
	free(buf);
	buf = many_actors(TRACE_MAX_ACTORS, TRACE_ACTORS_LIMIT - TRACE_MAX_ACTORS + 1, &len);
	assert_int_equal(trace_read_mem("h.jsonl", buf, len, &t, NULL, cause, sizeof cause),
			 -EINVAL);
	assert_string_equal(cause, "h.jsonl:4034:1: the \"actor\" event announces actor 4097 "
			    "(expected at most 4096 actors in a trace)");
	free(buf);
	buf = many_actors(TRACE_MAX_ACTORS, TRACE_ACTORS_LIMIT - TRACE_MAX_ACTORS, &len);
	assert_int_equal(trace_read_mem("h.jsonl", buf, len, &t, NULL, cause, sizeof cause), 0);
	assert_int_equal(trace_hdr_c(t)->nactors, TRACE_ACTORS_LIMIT);
	trace_free(t);
	free(buf);
}

/* A sparse file past the cap is refused from its size, unread. */
static void test_hostile_file_cap(void **state)
{
	const char *path = in_dir("big.jsonl");
	struct trace *t = NULL;
	char cause[512];
	int fd;

	(void)state;
	assert_true((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0);
	assert_int_equal(ftruncate(fd, (off_t)TRACE_MAX_FILE + 1), 0);
	close(fd);
	assert_int_equal(trace_read(path, &t, NULL, cause, sizeof cause), -EFBIG);
	assert_non_null(strstr(cause, "big.jsonl: file is too large"));
	assert_non_null(strstr(cause, "at most 268435456"));   /* TRACE_MAX_FILE */
	unlink(path);
}

/* Item 6 on the reading side: a file within TRACE_MAX_FILE whose events
 * need more than the trace's memory cap is refused at the line that
 * crossed it, in words (not a bare "File too large"). */
static void test_hostile_memory_cap(void **state)
{
	/* Events are held compactly (trace/store.h: some 40 bytes), so a file
	 * of small events reaches TRACE_MAX_FILE before the cap: these
	 * captions each hold a text of their own, 200 KB (kept interned). */
	enum { TEXT = 200000 };
	const size_t nev = TRACE_MAX_MEM / TEXT + 10;
	size_t cap = nev * (TEXT + 128) + sizeof HDR, len = 0;
	char *buf = malloc(cap), *text = malloc(TEXT + 1), cause[512], want[64];
	struct trace *t = NULL;

	(void)state;
	assert_non_null(buf);
	assert_non_null(text);
	memset(text, 'x', TEXT);
	text[TEXT] = '\0';
	len += (size_t)snprintf(buf, cap, "%s", HDR);
	for (size_t i = 0; i < nev; i++)
		len += (size_t)snprintf(buf + len, cap - len, "{\"seq\":%zu,\"t_ns\":5,"
					"\"actor\":\"world\",\"kind\":\"caption\","
					"\"text\":{\"en\":\"%zu%s\",\"zh\":\"\"}}\n", i, i, text);
	free(text);
	assert_true(len < TRACE_MAX_FILE);
	assert_int_equal(trace_read_mem("cap.jsonl", buf, len, &t, NULL, cause,
					sizeof cause), -EFBIG);
	assert_null(t);
	snprintf(want, sizeof want, "needs more than %zu MB in memory",
		 (size_t)TRACE_MAX_MEM >> 20);
	assert_non_null(strstr(cause, want));
	assert_memory_equal(cause, "cap.jsonl:", 10);
	free(buf);
}

/* The writer refuses what the reader would: an event outside the bounds,
 * a header line past TRACE_MAX_HDR_LINE.  Nothing is written then, so a
 * recording always reads back. */
static void test_hostile_writer_refuses(void **state)
{
	struct trace *t = by_hand();
	struct trace_ev ev = { .kind = TRACE_ARRIVE, .actor = 1, .fd = 5,
			       .ret = 4, .t_ns = 5, .step = 3 };
	char *buf = NULL, *label;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	assert_int_equal(trace_write_ev(f, t, &ev), 0);
	fflush(f);
	size_t good = len;
	ev.step = INT32_MAX;
	assert_int_equal(trace_write_ev(f, t, &ev), -EINVAL);
	ev.step = 3;
	ev.ret = INT64_MIN;
	assert_int_equal(trace_write_ev(f, t, &ev), -EINVAL);
	fflush(f);
	assert_int_equal(len, good);
	assert_non_null(label = malloc(TRACE_MAX_HDR_LINE));
	memset(label, 'x', TRACE_MAX_HDR_LINE - 1);
	label[TRACE_MAX_HDR_LINE - 1] = '\0';
	assert_int_equal(trace_add_actor(t, "L", "blocking", trace_caps_v1("blocking"), label, ""), 3);
	assert_int_equal(trace_write_hdr(f, t), -EINVAL);
	fflush(f);
	assert_int_equal(len, good);
	fclose(f);
	free(buf);
	free(label);
	trace_free(t);
}

/* Trace text reaches terminals (the screen, --plain, text and asciicast
 * exports): a control character in any string is refused by the reader
 * (C0, DEL, C1), never written by the writer, and never drawn. */
static void test_hostile_control_text(void **state)
{
	static const char *const bad[] = {
		EV("world", "\"kind\":\"caption\",\"text\":{\"en\":\"\\u001b[2J\",\"zh\":\"x\"}"),
		EV("world", "\"kind\":\"caption\",\"text\":{\"en\":\"ok\",\"zh\":\"a\\u0007\"}"),
		EV("world", "\"kind\":\"caption\",\"text\":{\"en\":\"a\\tb\",\"zh\":\"x\"}"),
		EV("world", "\"kind\":\"caption\",\"text\":{\"en\":\"\\u009b31m\",\"zh\":\"x\"}"),
		EV("world", "\"kind\":\"caption\",\"text\":{\"en\":\"\\u007f\",\"zh\":\"x\"}"),
	};
	struct trace *t = by_hand();
	const char *zh = "\xc2\x9b", *en = "\x1b]0;owned\x07";
	struct trace_ev ev = { .kind = TRACE_CAPTION, .fd = -1, .step = -1,
			       .text = { "fine", "\xe4\xb8\xad" } };
	char cause[512], *buf = NULL;
	size_t len = 0;
	FILE *f;
	struct grid g;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct trace *r = NULL;

		assert_int_equal(read_one(bad[i], cause, sizeof cause, &r), -EINVAL);
		assert_non_null(strstr(cause, "control character U+00"));
		assert_null(r);
	}
	assert_non_null(f = open_memstream(&buf, &len));
	assert_int_equal(trace_write_ev(f, t, &ev), 0);
	ev.text[0] = en;
	assert_int_equal(trace_write_ev(f, t, &ev), -EINVAL);
	ev.text[0] = "fine";
	ev.text[1] = zh;
	assert_int_equal(trace_write_ev(f, t, &ev), -EINVAL);
	fclose(f);
	assert_null(strchr(buf, 0x1b));
	free(buf);
	assert_int_equal(grid_init(&g, 20, 1), 0);
	grid_put(&g, 0, 0, 0, "a\x1b[2Jb\x07", 20);
	for (int x = 0; x < g.w; x++)
		assert_true(g.cells[x].ch >= 0x20);
	grid_free(&g);
	trace_free(t);
}

/* ---- items 11 and 12: files that are not trace files ---- */

static void test_hostile_special_files(void **state)
{
	const char *fifo = in_dir("fifo.jsonl");
	struct trace *t = NULL;
	char cause[512], empty[128];
	int fd;

	(void)state;
	arm(20);       /* a FIFO with no writer used to block open(2) forever */
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(trace_read(fifo, &t, NULL, cause, sizeof cause), -EINVAL);
	assert_non_null(strstr(cause, "fifo.jsonl: not a regular file (a FIFO; "));
	unlink(fifo);
	assert_int_equal(trace_read("/dev/zero", &t, NULL, cause, sizeof cause), -EINVAL);
	assert_string_equal(cause, "/dev/zero: not a regular file (a character device; "
			    "expected a trace file)");
	assert_int_equal(trace_read(dir, &t, NULL, cause, sizeof cause), -EISDIR);
	assert_non_null(strstr(cause, ": cannot read: Is a directory (expected an ioscope "
			       "trace file)"));
	snprintf(empty, sizeof empty, "%s", in_dir("empty.jsonl"));
	assert_true((fd = open(empty, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0);
	close(fd);
	assert_int_equal(trace_read(empty, &t, NULL, cause, sizeof cause), -EINVAL);
	assert_non_null(strstr(cause, "empty.jsonl: file is empty"));
	assert_null(t);
	unlink(empty);
	alarm(0);
}

/* ---- items 1, 3, 8: fields that become sizes, indices, terms of sums ---- */

static void test_hostile_field_bounds(void **state)
{
	(void)state;
	/* step: the screen's step count is max + 1, the cast's array too. */
	expect_refused(EV("world", "\"kind\":\"arrive\",\"fd\":5,\"bytes\":4,\"step\":2147483647"),
		       "h.jsonl:2:1: \"step\" of the \"arrive\" event is 2147483647 "
		       "(expected an integer from 0 to 1048575)");
	expect_refused(EV("world", "\"kind\":\"caption\",\"text\":{\"en\":\"\",\"zh\":\"\"},"
			  "\"step\":-1"), "\"step\"");
	/* Times: no more than TRACE_MAX_NS, so sums of phases stay small. */
	expect_refused("{\"seq\":0,\"t_ns\":9223372036854775807,\"actor\":\"A\",\"kind\":\"phase\","
		       "\"phase\":\"wait\",\"edge\":\"end\",\"blocked\":true,\"fd\":5}\n",
		       "\"t_ns\" of the event is 9223372036854775807 (expected an integer "
		       "from 0 to 9007199254740992)");
	expect_refused(EV("A", "\"kind\":\"exit\",\"call\":\"recvfrom\",\"fd\":5,\"ret\":4,"
			  "\"dur_ns\":9007199254740993"), "\"dur_ns\"");
	expect_refused(EV("A", "\"kind\":\"idle\",\"edge\":\"end\",\"dur_ns\":-1"), "\"dur_ns\"");
	/* Byte counts and results: an int, or -errno. */
	expect_refused(EV("world", "\"kind\":\"arrive\",\"fd\":5,\"bytes\":-9223372036854775808"),
		       "\"bytes\" of the \"arrive\" event is -9223372036854775808 "
		       "(expected an integer from -4095 to 2147483647)");
	expect_refused(EV("A", "\"kind\":\"deliver\",\"fd\":5,\"bytes\":-1"), "\"bytes\"");
	expect_refused(EV("A", "\"kind\":\"exit\",\"call\":\"recvfrom\",\"fd\":5,"
			  "\"ret\":4294967296,\"dur_ns\":1"), "\"ret\"");
	expect_refused(EV("A", "\"kind\":\"done\",\"ret\":-9223372036854775808"), "\"ret\"");
	expect_refused(EV("A", "\"kind\":\"complete\",\"fd\":5,\"tag\":0,\"ret\":3000000000,"
			  "\"waiting\":1"), "\"ret\"");
	/* Descriptors: -1 for none, never another negative. */
	expect_refused(EV("A", "\"kind\":\"enter\",\"call\":\"recvfrom\",\"fd\":-2"),
		       "\"fd\" of the \"enter\" event is -2 (expected an integer from -1 to ");
	expect_refused(EV("S", "\"kind\":\"set\",\"what\":\"build\",\"n\":1,\"fds\":[-7]"),
		       "\"fds[0]\"");
	/* Counts. */
	expect_refused(EV("S", "\"kind\":\"enter\",\"call\":\"select\",\"fd\":-1,"
			  "\"nfds\":-1,\"fds\":[]"), "\"nfds\"");
	expect_refused(EV("S", "\"kind\":\"set\",\"what\":\"scan\",\"n\":-5,\"fds\":[]"), "\"n\"");
	expect_refused(EV("S", "\"kind\":\"set\",\"what\":\"scan\",\"n\":1,\"fds\":[],"
			  "\"fds_more\":4294967295"), "\"fds_more\"");
	expect_refused(EV("S", "\"kind\":\"refuse\",\"fd\":1500,\"limit\":-2147483648"),
		       "\"limit\"");
	expect_refused(EV("S", "\"kind\":\"enter\",\"call\":\"epoll_ctl\",\"fd\":4,"
			  "\"op\":\"add\",\"target\":-9"), "\"target\"");
	/* The largest values the bounds allow are read. */
	expect_read(EV("world", "\"kind\":\"arrive\",\"fd\":5,\"bytes\":2147483647,\"step\":1048575"));
	expect_read(EV("world", "\"kind\":\"arrive\",\"fd\":5,\"bytes\":-32"));
	expect_read("{\"seq\":0,\"t_ns\":9007199254740992,\"actor\":\"A\",\"kind\":\"exit\","
		    "\"call\":\"recvfrom\",\"fd\":5,\"ret\":-1,\"errno\":\"EAGAIN\","
		    "\"dur_ns\":9007199254740992}\n");
	expect_read(EV("S", "\"kind\":\"refuse\",\"fd\":1500,\"limit\":1024"));
	expect_read(EV("S", "\"kind\":\"state\",\"tid\":7,\"state\":\"S\",\"syscall\":\"poll\","
		       "\"wchan\":\"\",\"fd\":-469754784"));      /* poll's pointer, not an fd */
}

/* Item 1: the asciicast exporter sized an array by max step + 1 and read
 * seen[INT32_MAX].  Handed such a trace by hand, every exporter refuses
 * it and writes nothing; the largest allowed step exports. */
static void test_hostile_cast_step(void **state)
{
	struct trace *t = by_hand();
	struct trace_ev ev = { .kind = TRACE_ARRIVE, .actor = 1, .fd = 5, .ret = 4,
			       .t_ns = 10, .step = INT32_MAX };

	(void)state;
	assert_int_equal(trace_append(t, &ev), 0);
	assert_false(view_ev_ok(t, trace_at(t, 0)));
	assert_int_equal(export_to_null(t, EXPORT_ASCIICAST), -EINVAL);
	assert_int_equal(export_to_null(t, EXPORT_CHROME), -EINVAL);
	assert_int_equal(export_to_null(t, EXPORT_TEXT), -EINVAL);
	trace_free(t);

	t = by_hand();
	ev.step = TRACE_MAX_STEPS - 1;
	assert_int_equal(trace_append(t, &ev), 0);
	assert_int_equal(export_to_null(t, EXPORT_ASCIICAST), 0);
	trace_free(t);
}

/* Other impossible structs: an actor past the header, a list longer than
 * its array, a time that cannot be subtracted, a NULL caption. */
static void test_hostile_exporters_by_hand(void **state)
{
	static const struct trace_ev bad[] = {
		{ .kind = TRACE_PHASE, .actor = 60, .fd = 5, .phase = TRACE_PH_WAIT },
		{ .kind = TRACE_PHASE, .actor = 9000, .fd = 5, .phase = TRACE_PH_WAIT },
		{ .kind = TRACE_EXIT, .actor = 2, .call = TRACE_CALL_EPOLL_WAIT, .nfds = 300 },
		{ .kind = TRACE_EXIT, .actor = 1, .call = TRACE_CALL_READ, .t_ns = INT64_MIN,
		  .dur_ns = INT64_MAX },
		{ .kind = TRACE_CAPTION, .actor = 0 },
		{ .kind = TRACE_CONNECT, .actor = 1, .arg = 40 },
		{ .kind = TRACE_KIND_MAX, .actor = 1 },
		{ .kind = TRACE_REFUSE, .actor = 2, .n = INT32_MIN },
		{ .kind = TRACE_REFUSE, .actor = 2, .n = 0 },
		{ .kind = TRACE_ENTER, .actor = 1, .call = TRACE_CALL_READ, .fd = -5 },
		{ .kind = TRACE_ENTER, .actor = 2, .call = TRACE_CALL_EPOLL_CTL, .fd = 4,
		  .what = TRACE_OP_ADD, .arg = INT32_MIN },
		{ .kind = TRACE_SET, .actor = 2, .what = TRACE_SET_BUILD, .nfds = 1,
		  .fd_list = { -9 } },
		{ .kind = TRACE_DELIVER, .actor = 1, .fd = 5, .ret = -1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct trace *t = by_hand();
		struct view v;
		char line[512];

		assert_int_equal(trace_append(t, &bad[i]), 0);
		assert_false(view_ev_ok(t, trace_at(t, 0)));
		for (int f = 0; f < EXPORT_MAX; f++)
			assert_int_equal(export_to_null(t, f), -EINVAL);
		view_fold(&v, t, 1);            /* ignored, but counted */
		assert_int_equal(v.n, 1);
		view_reset(&v, t);
		assert_int_equal(narrate_line(t, NARRATE_EN, &v, trace_at(t, 0), line,
					      sizeof line), 0);
		trace_free(t);
	}
}

/* Item 8: the fold summed wait phases in int64 and overflowed (UBSan at
 * fold.c:35; a wrong summary in release builds).  Phases of many fds can
 * overlap past any one time; the totals saturate. */
static void test_hostile_fold_saturates(void **state)
{
	struct trace *t = by_hand();
	struct view v;

	(void)state;
	for (int i = 0; i < 2000; i++) {
		struct trace_ev b = { .kind = TRACE_PHASE, .actor = 1, .fd = 5,
				      .phase = TRACE_PH_WAIT, .flags = TRACE_F_BLOCKED,
				      .t_ns = 0, .step = -1 };
		struct trace_ev e = b;

		e.flags |= TRACE_F_END;
		e.t_ns = TRACE_MAX_NS;
		assert_int_equal(trace_append(t, &b), 0);
		assert_int_equal(trace_append(t, &e), 0);
	}
	view_fold(&v, t, trace_count(t));
	assert_true(v.actors[1].wait_ns == INT64_MAX);
	assert_true(v.actors[1].blocked_ns == INT64_MAX);
	assert_int_equal(export_to_null(t, EXPORT_TEXT), 0);
	trace_free(t);

	/* Two phases from 0 to INT64_MAX, as in the issue: not in any view. */
	t = by_hand();
	for (int i = 0; i < 2; i++) {
		struct trace_ev b = { .kind = TRACE_PHASE, .actor = 1, .fd = 5,
				      .phase = TRACE_PH_WAIT, .step = -1 };
		struct trace_ev e = b;

		e.flags |= TRACE_F_END;
		e.t_ns = INT64_MAX;
		assert_int_equal(trace_append(t, &b), 0);
		assert_int_equal(trace_append(t, &e), 0);
	}
	view_fold(&v, t, trace_count(t));
	assert_true(v.actors[1].wait_ns == 0);
	trace_free(t);
	assert_int_equal(view_ns_between(INT64_MIN, INT64_MAX), INT64_MAX);
	assert_int_equal(view_ns_between(5, 3), 0);
	assert_int_equal(view_ns_add(INT64_MAX, 1), INT64_MAX);
}

/* Item 8: narrate negated "bytes": INT64_MIN (UBSan at narrate.c:299). */
static void test_hostile_narrate_errno(void **state)
{
	struct trace *t = by_hand();
	struct trace_ev ev = { .kind = TRACE_ARRIVE, .actor = 1, .fd = 5, .ret = INT64_MIN,
			       .t_ns = 1, .step = -1 };
	struct view v;
	char line[512];

	(void)state;
	assert_int_equal(trace_append(t, &ev), 0);
	ev.ret = -EPIPE;
	assert_int_equal(trace_append(t, &ev), 0);
	view_reset(&v, t);
	assert_int_equal(narrate_line(t, NARRATE_EN, &v, trace_at(t, 0), line, sizeof line), 0);
	assert_int_equal(narrate_line(t, NARRATE_EN, &v, trace_at(t, 1), line, sizeof line), 1);
	assert_non_null(strstr(line, "EPIPE"));
	assert_int_equal(export_to_null(t, EXPORT_TEXT), -EINVAL);
	trace_free(t);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_long_header_line),
		cmocka_unit_test(test_hostile_long_event_line),
		cmocka_unit_test(test_hostile_too_many_actors),
		cmocka_unit_test(test_hostile_file_cap),
		cmocka_unit_test(test_hostile_memory_cap),
		cmocka_unit_test(test_hostile_writer_refuses),
		cmocka_unit_test(test_hostile_control_text),
		cmocka_unit_test(test_hostile_special_files),
		cmocka_unit_test(test_hostile_field_bounds),
		cmocka_unit_test(test_hostile_cast_step),
		cmocka_unit_test(test_hostile_exporters_by_hand),
		cmocka_unit_test(test_hostile_fold_saturates),
		cmocka_unit_test(test_hostile_narrate_errno),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("hostile_trace", tests, setup, teardown);
}
