/* test_export.c: the exporters, on the recorded golden traces and on small
 * traces made here for the edge cases (a run stopped mid-wait, spans whose
 * stamps cross, long waits).  The Chrome output is checked the way a
 * viewer imports it: spans on one track must nest, every async begin must
 * end.  Run one test by name: build/tests/test_export test_export_cast_golden/fishing */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <locale.h>
#include <malloc.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "view/export.h"
#include "view/export_chrome_int.h"
#include "view/narrate.h"
#include "tests/harness.h"

/* ---- helpers ---- */

static struct trace *golden(const char *name)
{
	char path[256], cause[512];
	struct trace *t = NULL;
	size_t skipped = 0;

	snprintf(path, sizeof path, "tests/golden/%s.jsonl", name);
	if (trace_read(path, &t, &skipped, cause, sizeof cause) != 0)
		fail_msg("%s", cause);
	return t;
}

#define HDR "{\"format\":\"ioscope-trace\",\"version\":1,\"scenario\":\"t\",\"kernel\":\"k\"," \
	"\"started\":\"2026-11-26T14:09:36Z\",\"actors\":[{\"name\":\"world\",\"model\":\"\"}," \
	"{\"name\":\"A\",\"model\":\"blocking\"},{\"name\":\"U\",\"model\":\"uring\"}]}\n"

static struct trace *made(const char *events)
{
	char buf[8192], cause[512];
	struct trace *t = NULL;
	size_t skipped = 0;
	int n = snprintf(buf, sizeof buf, "%s%s", HDR, events);

	if (trace_read_mem("made", buf, (size_t)n, &t, &skipped, cause, sizeof cause) != 0)
		fail_msg("%s", cause);
	return t;
}

/* What an exporter wrote, as a string; rc its return. */
struct output {
	char *buf;
	size_t len;
	int rc;
};

static struct output run_export(const struct trace *t, int format, int lang, int w, int h)
{
	struct output o = { NULL, 0, 0 };
	FILE *f = open_memstream(&o.buf, &o.len);

	assert_non_null(f);
	o.rc = export_write(t, format, lang, w, h, f);
	fclose(f);
	return o;
}

static json_t *load_chrome(const struct output *o)
{
	json_error_t err;
	json_t *j = json_loadb(o->buf, o->len, 0, &err);

	if (j == NULL)
		fail_msg("chrome output is not JSON: %d:%d: %s", err.line, err.column, err.text);
	return j;
}

static int64_t ns_of(json_t *v)
{
	return llround(json_number_value(v) * 1000.0);
}

/* Events of phase ph (and, if given, on track tid and in category cat). */
static size_t count(json_t *events, const char *ph, int tid, const char *cat)
{
	size_t i, n = 0;
	json_t *e;

	json_array_foreach(events, i, e) {
		if (strcmp(json_string_value(json_object_get(e, "ph")), ph) != 0)
			continue;
		if (tid >= 0 && json_integer_value(json_object_get(e, "tid")) != tid)
			continue;
		if (cat != NULL && (json_object_get(e, "cat") == NULL ||
				    strcmp(json_string_value(json_object_get(e, "cat")), cat) != 0))
			continue;
		n++;
	}
	return n;
}

static size_t count_kind(const struct trace *t, int kind, int end)
{
	size_t n = 0;

	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->kind == kind && (end < 0 || !!(ev->flags & TRACE_F_END) == end))
			n++;
	}
	return n;
}

/* A track's name from the thread_name metadata; NULL if none. */
static const char *track_name(json_t *events, int tid)
{
	size_t i;
	json_t *e;

	json_array_foreach(events, i, e)
		if (strcmp(json_string_value(json_object_get(e, "ph")), "M") == 0 &&
		    strcmp(json_string_value(json_object_get(e, "name")), "thread_name") == 0 &&
		    json_integer_value(json_object_get(e, "tid")) == tid)
			return json_string_value(json_object_get(json_object_get(e, "args"), "name"));
	return NULL;
}

static int tid_named(json_t *events, const char *name)
{
	size_t i;
	json_t *e;

	json_array_foreach(events, i, e)
		if (strcmp(json_string_value(json_object_get(e, "name")), "thread_name") == 0 &&
		    strcmp(json_string_value(json_object_get(json_object_get(e, "args"), "name")), name) == 0)
			return (int)json_integer_value(json_object_get(e, "tid"));
	return -1;
}

struct span {
	int64_t pid, tid, ts, end;
};

static int cmp_span(const void *pa, const void *pb)
{
	const struct span *a = pa, *b = pb;

	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	if (a->tid != b->tid)
		return a->tid < b->tid ? -1 : 1;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return a->end > b->end ? -1 : a->end < b->end;
}

/* Every "X" has ts >= 0 and dur >= 0, and per (pid, tid) the spans nest:
 * sorted by start, each ends before the enclosing one ends or starts after
 * it ends, never crossing. */
static void check_nesting(json_t *events)
{
	size_t n = count(events, "X", -1, NULL), m = 0, i, depth = 0;
	struct span *s = calloc(n + 1, sizeof *s), **stack = calloc(n + 1, sizeof *stack);
	json_t *e;

	assert_non_null(s);
	assert_non_null(stack);
	json_array_foreach(events, i, e) {
		if (strcmp(json_string_value(json_object_get(e, "ph")), "X") != 0)
			continue;
		assert_true(json_is_number(json_object_get(e, "ts")));
		assert_true(json_is_number(json_object_get(e, "dur")));
		assert_true(json_number_value(json_object_get(e, "ts")) >= 0);
		assert_true(json_number_value(json_object_get(e, "dur")) >= 0);
		s[m].pid = json_integer_value(json_object_get(e, "pid"));
		s[m].tid = json_integer_value(json_object_get(e, "tid"));
		s[m].ts = ns_of(json_object_get(e, "ts"));
		s[m].end = s[m].ts + ns_of(json_object_get(e, "dur"));
		m++;
	}
	qsort(s, m, sizeof *s, cmp_span);
	for (i = 0; i < m; i++) {
		if (i > 0 && (s[i].pid != s[i - 1].pid || s[i].tid != s[i - 1].tid))
			depth = 0;
		while (depth > 0 && stack[depth - 1]->end <= s[i].ts)
			depth--;
		if (depth > 0 && s[i].end > stack[depth - 1]->end)
			fail_msg("tid %lld: span [%lld, %lld] crosses [%lld, %lld]",
				 (long long)s[i].tid, (long long)s[i].ts, (long long)s[i].end,
				 (long long)stack[depth - 1]->ts, (long long)stack[depth - 1]->end);
		stack[depth++] = &s[i];
	}
	free(s);
	free(stack);
}

/* Every "b" has one "e" with the same cat and id, not before it. */
static void check_async(json_t *events)
{
	size_t i, j;
	json_t *b, *e;

	json_array_foreach(events, i, b) {
		const char *ph = json_string_value(json_object_get(b, "ph"));
		int found = 0;

		if (strcmp(ph, "b") != 0 && strcmp(ph, "e") != 0)
			continue;
		json_array_foreach(events, j, e) {
			const char *ph2 = json_string_value(json_object_get(e, "ph"));

			if (j != i && strcmp(ph2, strcmp(ph, "b") == 0 ? "e" : "b") == 0 &&
			    json_equal(json_object_get(e, "id"), json_object_get(b, "id")) &&
			    json_equal(json_object_get(e, "cat"), json_object_get(b, "cat"))) {
				found++;
				if (strcmp(ph, "b") == 0)
					assert_true(ns_of(json_object_get(e, "ts")) >=
						    ns_of(json_object_get(b, "ts")));
			}
		}
		if (found != 1)
			fail_msg("async \"%s\" %s has %d partners", ph,
				 json_string_value(json_object_get(b, "name")), found);
	}
}

/* ---- Chrome ---- */

static void test_export_chrome_golden(void **state)
{
	struct trace *t = golden(*state);
	const struct trace_hdr *h = trace_hdr_c(t);
	struct output o = run_export(t, EXPORT_CHROME, NARRATE_EN, 0, 0);
	json_t *j, *events, *meta;
	char name[128];

	assert_int_equal(o.rc, 0);
	j = load_chrome(&o);
	events = json_object_get(j, "traceEvents");
	assert_true(json_is_array(events));
	assert_string_equal(json_string_value(json_object_get(j, "displayTimeUnit")), "ns");
	meta = json_object_get(j, "metadata");
	assert_string_equal(json_string_value(json_object_get(meta, "scenario")), h->scenario);
	check_nesting(events);
	check_async(events);
	for (int a = 1; a < h->nactors; a++) {
		snprintf(name, sizeof name, "%s (%s)", h->actors[a].name, h->actors[a].model);
		assert_int_equal(tid_named(events, name), a * 2);
		snprintf(name, sizeof name, "%s kernel", h->actors[a].name);
		assert_int_equal(tid_named(events, name), a * 2 + 1);
	}
	assert_string_equal(track_name(events, 1), "world");
	/* Nothing is lost: a span per call, per phase, per idle slice; the
	 * world's events on its track. */
	assert_int_equal(count(events, "X", -1, "syscall"), count_kind(t, TRACE_EXIT, -1));
	assert_int_equal(count(events, "X", -1, "phase") + count(events, "b", -1, "phase"),
			 count_kind(t, TRACE_PHASE, 0));
	assert_int_equal(count(events, "X", -1, "idle"), count_kind(t, TRACE_IDLE, 0));
	assert_int_equal(count(events, "b", -1, "async io"), count_kind(t, TRACE_SUBMIT, -1));
	assert_int_equal(count(events, "i", 1, "world"),
			 count_kind(t, TRACE_CAPTION, -1) + count_kind(t, TRACE_ARRIVE, -1) +
			 count_kind(t, TRACE_CLOSE, -1) + count_kind(t, TRACE_CONNECT, -1) +
			 count_kind(t, TRACE_DELIVER, -1));
	assert_int_equal(count(events, "i", -1, "state"), count_kind(t, TRACE_STATE, -1));
	json_decref(j);
	free(o.buf);
	trace_free(t);
}

/* A multiplexer waits on all its fds at once: each fd gets a kernel track;
 * a single reader's phases stay on its one kernel track. */
static void test_export_chrome_fd_tracks(void **state)
{
	struct trace *t = golden("fishing");
	struct output o = run_export(t, EXPORT_CHROME, NARRATE_EN, 0, 0);
	json_t *j = load_chrome(&o), *events = json_object_get(j, "traceEvents");
	int c = trace_find_actor(t, "C"), a = trace_find_actor(t, "A");
	int fd15 = tid_named(events, "C kernel fd 15");

	assert_true(fd15 >= 1000);
	assert_int_equal(fd15, 1000 + c * 64 + 0);
	assert_true(tid_named(events, "C kernel fd 21") > fd15);
	assert_int_equal(count(events, "X", c * 2 + 1, "phase"), 0);
	assert_true(count(events, "X", fd15, "phase") >= 2);      /* wait, copy */
	assert_true(count(events, "X", a * 2 + 1, "phase") >= 2);
	assert_true(count(events, "i", c * 2 + 1, "state") >= 1);
	assert_int_equal(tid_named(events, "A kernel fd 11"), -1);
	json_decref(j);
	free(o.buf);
	trace_free(t);
}

/* More overlapping descriptors than per-fd tracks: the rest are async
 * spans, which a viewer stacks itself. */
static void test_export_chrome_many_fds(void **state)
{
	struct trace *t = trace_new();
	struct output o;
	json_t *j, *events;
	int m;

	assert_non_null(t);
	m = trace_add_actor(t, "M", "epoll", trace_caps_v1("epoll"), "", "");
	for (int edge = 0; edge < 2; edge++)
		for (int i = 0; i < 70; i++) {
			struct trace_ev e = { .t_ns = 1000 + edge * 5000 + i, .actor = (uint16_t)m,
					      .kind = TRACE_PHASE, .phase = TRACE_PH_WAIT,
					      .flags = TRACE_F_BLOCKED | (edge ? TRACE_F_END : 0),
					      .fd = 100 + i, .step = -1 };

			assert_int_equal(trace_append(t, &e), 0);
		}
	o = run_export(t, EXPORT_CHROME, NARRATE_EN, 0, 0);
	assert_int_equal(o.rc, 0);
	j = load_chrome(&o);
	events = json_object_get(j, "traceEvents");
	check_nesting(events);
	check_async(events);
	assert_int_equal(count(events, "X", -1, "phase"), 64);
	assert_int_equal(count(events, "b", -1, "phase"), 6);
	assert_int_equal(tid_named(events, "M kernel fd 163"), 1000 + m * 64 + 63);
	assert_int_equal(tid_named(events, "M kernel fd 164"), -1);
	json_decref(j);
	free(o.buf);
	trace_free(t);
}

static json_t *find_event(json_t *events, const char *ph, const char *name)
{
	size_t i;
	json_t *e;

	json_array_foreach(events, i, e)
		if (strcmp(json_string_value(json_object_get(e, "ph")), ph) == 0 &&
		    strcmp(json_string_value(json_object_get(e, "name")), name) == 0)
			return e;
	fail_msg("no \"%s\" event named '%s'", ph, name);
	return NULL;
}

/* A run stopped while waiting: the begins end with the trace. */
static void test_export_chrome_unfinished(void **state)
{
	struct trace *t = made(
		"{\"seq\":0,\"t_ns\":1000,\"actor\":\"A\",\"kind\":\"phase\",\"phase\":\"wait\",\"edge\":\"begin\",\"blocked\":true,\"fd\":5}\n"
		"{\"seq\":1,\"t_ns\":1100,\"actor\":\"A\",\"kind\":\"enter\",\"call\":\"recvfrom\",\"fd\":5}\n"
		"{\"seq\":2,\"t_ns\":1200,\"actor\":\"U\",\"kind\":\"submit\",\"fd\":6,\"tag\":7,\"in_flight\":1}\n"
		"{\"seq\":3,\"t_ns\":1300,\"actor\":\"U\",\"kind\":\"idle\",\"edge\":\"begin\"}\n"
		"{\"seq\":4,\"t_ns\":9000,\"actor\":\"A\",\"kind\":\"state\",\"tid\":42,\"state\":\"S\",\"syscall\":\"recvfrom\",\"wchan\":\"sk_wait_data\",\"fd\":5}\n");
	struct output o = run_export(t, EXPORT_CHROME, NARRATE_EN, 0, 0);
	json_t *j = load_chrome(&o), *events = json_object_get(j, "traceEvents"), *e;

	assert_int_equal(o.rc, 0);
	check_nesting(events);
	check_async(events);
	e = find_event(events, "X", "recvfrom");
	assert_int_equal(ns_of(json_object_get(e, "ts")), 1100);
	assert_int_equal(ns_of(json_object_get(e, "dur")), 9000 - 1100);
	assert_true(json_is_true(json_object_get(json_object_get(e, "args"), "unfinished")));
	e = find_event(events, "X", "phase 1: wait (blocked)");
	assert_int_equal(ns_of(json_object_get(e, "dur")), 9000 - 1000);
	assert_true(json_is_true(json_object_get(json_object_get(e, "args"), "unfinished")));
	e = find_event(events, "X", "other work");
	assert_int_equal(ns_of(json_object_get(e, "ts")) + ns_of(json_object_get(e, "dur")), 9000);
	e = find_event(events, "e", "read fd 6 (request 7)");
	assert_int_equal(ns_of(json_object_get(e, "ts")), 9000);
	assert_true(json_is_true(json_object_get(json_object_get(e, "args"), "unfinished")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "metadata"),
							    "unfinished_spans")), 4);
	e = find_event(events, "i", "state S");
	assert_string_equal(json_string_value(json_object_get(json_object_get(e, "args"), "wchan")),
			    "sk_wait_data");
	json_decref(j);
	free(o.buf);
	trace_free(t);
}

/* Stamps that cross on one track (an idle slice ending after the next
 * call began) are made to nest, and the moved span says by how much. */
static void test_export_chrome_crossing(void **state)
{
	struct trace *t = made(
		"{\"seq\":0,\"t_ns\":100,\"actor\":\"A\",\"kind\":\"idle\",\"edge\":\"begin\"}\n"
		"{\"seq\":1,\"t_ns\":150,\"actor\":\"A\",\"kind\":\"enter\",\"call\":\"recvfrom\",\"fd\":5}\n"
		"{\"seq\":2,\"t_ns\":200,\"actor\":\"A\",\"kind\":\"idle\",\"edge\":\"end\",\"dur_ns\":100}\n"
		"{\"seq\":3,\"t_ns\":300,\"actor\":\"A\",\"kind\":\"exit\",\"call\":\"recvfrom\",\"fd\":5,\"ret\":64,\"dur_ns\":150}\n"
		"{\"seq\":4,\"t_ns\":400,\"actor\":\"A\",\"kind\":\"exit\",\"call\":\"recvfrom\",\"fd\":5,\"ret\":1,\"dur_ns\":50}\n");
	struct output o = run_export(t, EXPORT_CHROME, NARRATE_EN, 0, 0);
	json_t *j = load_chrome(&o), *events = json_object_get(j, "traceEvents"), *e;
	size_t i;

	assert_int_equal(o.rc, 0);
	check_nesting(events);
	e = find_event(events, "X", "other work");
	assert_int_equal(ns_of(json_object_get(e, "ts")), 100);
	assert_int_equal(ns_of(json_object_get(e, "dur")), 100);
	json_array_foreach(events, i, e) {          /* the first recvfrom moved */
		json_t *args = json_object_get(e, "args");

		if (json_integer_value(json_object_get(args, "ret")) == 64) {
			assert_int_equal(ns_of(json_object_get(e, "ts")), 200);
			assert_int_equal(ns_of(json_object_get(e, "dur")), 100);
			assert_int_equal(json_integer_value(json_object_get(args, "moved_ns")), 50);
		}
		if (json_integer_value(json_object_get(args, "ret")) == 1) {   /* no enter */
			assert_int_equal(ns_of(json_object_get(e, "ts")), 350);
			assert_true(json_is_true(json_object_get(args, "enter_missing")));
		}
	}
	json_decref(j);
	free(o.buf);
	trace_free(t);
}

/* ---- Chrome: streaming ---- */

/* The golden fishing trace repeated in memory to n events, each copy
 * later than the one before (trace_append numbers them). */
static struct trace *repeated(size_t n)
{
	struct trace *t = golden("fishing");

	assert_int_equal(h_repeat(t, n), 0);
	assert_int_equal(trace_count(t), n);
	return t;
}

/* What the export held at most, counted by the exporter itself. */
static struct export_chrome_stats chrome_stats(const struct trace *t)
{
	struct export_chrome_stats st;
	FILE *f = fopen("/dev/null", "w");

	assert_non_null(f);
	assert_int_equal(export__chrome_stats(t, f, &st), 0);
	assert_int_equal(fclose(f), 0);
	return st;
}

/* The exporter streams: beyond the loaded trace it holds its open and
 * waiting spans and a little per actor, the same at 10^5 events as at
 * 10^3, never a record per event. */
static void test_export_chrome_streams(void **state)
{
	struct trace *small = repeated(1000), *big = repeated(100000);
	struct export_chrome_stats a = chrome_stats(small), b = chrome_stats(big);

	(void)state;
	assert_int_equal(b.recs_peak, a.recs_peak);
	assert_int_equal(b.open_peak, a.open_peak);
	assert_int_equal(b.stack_peak, a.stack_peak);
	assert_int_equal(b.place_peak, a.place_peak);
	assert_true(b.recs_peak > 0 && b.recs_peak <= 32);
	assert_true(b.open_peak <= 32 && b.stack_peak <= 32 && b.place_peak <= 32);
	trace_free(small);
	trace_free(big);
}

/* A server's long wait: one phase open from the start to the end while
 * 10^4 phases of another fd begin and end.  Every one of them overlaps it
 * (so each fd has its track), and none of them is held until it ends. */
static void test_export_chrome_long_wait(void **state)
{
	struct trace *t = trace_new();
	struct export_chrome_stats st;
	struct output o;
	json_t *j, *events;
	int m;
	FILE *f;

	(void)state;
	assert_non_null(t);
	m = trace_add_actor(t, "M", "epoll", trace_caps_v1("epoll"), "", "");
	for (int i = 0; i <= 20000; i++) {
		struct trace_ev e = { .t_ns = 1000 + i * 10, .actor = (uint16_t)m, .kind = TRACE_PHASE,
				      .phase = TRACE_PH_WAIT,
				      .flags = TRACE_F_BLOCKED | (i % 2 == 0 ? TRACE_F_END : 0),
				      .fd = i == 0 ? 3 : 4, .step = -1 };

		if (i == 0)
			e.flags = TRACE_F_BLOCKED;            /* fd 3's wait begins, never ends */
		assert_int_equal(trace_append(t, &e), 0);
	}
	f = fopen("/dev/null", "w");
	assert_non_null(f);
	assert_int_equal(export__chrome_stats(t, f, &st), 0);
	assert_int_equal(fclose(f), 0);
	assert_true(st.place_peak <= 8 && st.recs_peak <= 8 && st.stack_peak <= 8);
	o = run_export(t, EXPORT_CHROME, NARRATE_EN, 0, 0);
	assert_int_equal(o.rc, 0);
	j = load_chrome(&o);
	events = json_object_get(j, "traceEvents");
	check_nesting(events);
	assert_int_equal(count(events, "X", 1000 + m * 64 + 0, "phase"), 1);       /* fd 3 */
	assert_int_equal(count(events, "X", 1000 + m * 64 + 1, "phase"), 10000);   /* fd 4 */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "metadata"),
							    "unfinished_spans")), 1);
	json_decref(j);
	free(o.buf);
	trace_free(t);
}

/* The same seen from outside: the heap the export uses beyond the trace,
 * sampled at each write, stays under 1 MiB at 10^5 events (a record per
 * event held until the end was some 30 MB).  Not under AddressSanitizer,
 * whose allocator mallinfo2 does not see. */
struct heap_probe {
	size_t peak, writes;
};

static ssize_t probe_write(void *arg, const char *buf, size_t len)
{
	struct heap_probe *p = arg;
	size_t now = mallinfo2().uordblks;

	(void)buf;
	p->peak = now > p->peak ? now : p->peak;
	p->writes++;
	return (ssize_t)len;
}

static void test_export_chrome_heap(void **state)
{
#ifdef H_UNDER_ASAN
	(void)state;
	skip();
#else
	struct trace *t = repeated(100000);
	struct heap_probe p = { 0, 0 };
	cookie_io_functions_t io = { .write = probe_write };
	size_t base;
	FILE *f;

	(void)state;
	base = mallinfo2().uordblks;
	f = fopencookie(&p, "w", io);
	assert_non_null(f);
	assert_int_equal(export_chrome(t, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_true(p.writes > 1000);
	if (p.peak > base + (1u << 20))
		fail_msg("the export held %zu KiB beyond the trace", (p.peak - base) >> 10);
	trace_free(t);
#endif
}

/* Random spans on three actors, stamps off by up to jitter ns either way,
 * begins and ends lost at random: whatever the order, every track's spans
 * nest and every async begin has its end (what the streaming nesting
 * cannot take back, it moves). */
static struct trace *random_trace(unsigned seed, int n, int jitter)
{
	struct trace *t = trace_new();
	int actors[3];
	int64_t now = 1000;

	assert_non_null(t);
	actors[0] = trace_add_actor(t, "A", "blocking", trace_caps_v1("blocking"), "", "");
	actors[1] = trace_add_actor(t, "C", "select", trace_caps_v1("select"), "", "");
	actors[2] = trace_add_actor(t, "U", "uring", trace_caps_v1("uring"), "", "");
	for (int i = 0; i < n; i++) {
		int k = rand_r(&seed) % 10, a = actors[rand_r(&seed) % 3];
		struct trace_ev e = { .actor = (uint16_t)a, .fd = 5 + rand_r(&seed) % 3, .step = -1 };

		now += rand_r(&seed) % 100;
		e.t_ns = now + (jitter > 0 ? rand_r(&seed) % (2 * jitter + 1) - jitter : 0);
		e.t_ns = e.t_ns > 0 ? e.t_ns : 0;
		e.kind = k <= 1 ? TRACE_ENTER : k <= 3 ? TRACE_EXIT : k <= 5 ? TRACE_IDLE :
			 k <= 8 ? TRACE_PHASE : a == actors[2] ? TRACE_SUBMIT + rand_r(&seed) % 2 :
			 TRACE_READY;
		e.call = TRACE_CALL_RECVFROM;
		e.phase = rand_r(&seed) % 2 ? TRACE_PH_WAIT : TRACE_PH_COPY;
		e.flags = (rand_r(&seed) % 2 ? TRACE_F_END : 0) |
			  (e.kind == TRACE_PHASE ? TRACE_F_BLOCKED : 0);
		if (e.kind != TRACE_PHASE && e.kind != TRACE_IDLE)
			e.flags = 0;
		e.dur_ns = rand_r(&seed) % 300;
		e.ret = 1;
		e.arg = rand_r(&seed) % 4;
		assert_int_equal(trace_append(t, &e), 0);
	}
	return t;
}

static void test_export_chrome_random(void **state)
{
	(void)state;
	for (unsigned seed = 1; seed <= 400; seed++) {
		struct trace *t = random_trace(seed, 400, (int)(seed % 4) * 300);
		struct output o = run_export(t, EXPORT_CHROME, NARRATE_EN, 0, 0);
		json_t *j, *events;

		assert_int_equal(o.rc, 0);
		j = load_chrome(&o);
		events = json_object_get(j, "traceEvents");
		check_nesting(events);
		check_async(events);
		/* Every begin made one span; an end whose begin was lost, another. */
		assert_int_equal(count(events, "X", -1, "phase") + count(events, "b", -1, "phase"),
				 count_kind(t, TRACE_PHASE, 0));
		assert_true(count(events, "X", -1, "syscall") >= count_kind(t, TRACE_ENTER, -1));
		assert_true(count(events, "X", -1, "syscall") <=
			    count_kind(t, TRACE_ENTER, -1) + count_kind(t, TRACE_EXIT, -1));
		assert_true(count(events, "X", -1, "idle") >= count_kind(t, TRACE_IDLE, 0));
		assert_int_equal(count(events, "b", -1, "async io"), count_kind(t, TRACE_SUBMIT, -1));
		json_decref(j);
		free(o.buf);
		trace_free(t);
	}
}

/* ---- asciicast ---- */

struct cast_line {
	double t;
	char type;
	const char *data;
};

/* Parse the cast; returns the event lines (header checked here). */
static size_t parse_cast(const struct output *o, int w, int h, json_t **hdr, json_t ***lines)
{
	char *copy = strndup(o->buf, o->len), *save = NULL, *line;
	size_t n = 0;
	json_error_t err;

	*lines = calloc(o->len / 4 + 2, sizeof **lines);
	assert_non_null(*lines);
	line = strtok_r(copy, "\n", &save);
	assert_non_null(line);
	*hdr = json_loads(line, 0, &err);
	assert_non_null(*hdr);
	assert_int_equal(json_integer_value(json_object_get(*hdr, "version")), 2);
	assert_int_equal(json_integer_value(json_object_get(*hdr, "width")), w);
	assert_int_equal(json_integer_value(json_object_get(*hdr, "height")), h);
	assert_string_equal(json_string_value(json_object_get(json_object_get(*hdr, "env"), "TERM")),
			    "xterm-256color");
	assert_true(strncmp(json_string_value(json_object_get(*hdr, "title")), "ioscope · ", 11) == 0);
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		json_t *a = json_loads(line, 0, &err);

		if (a == NULL)
			fail_msg("cast line %zu is not JSON: %s", n + 2, err.text);
		assert_true(json_is_array(a));
		assert_int_equal(json_array_size(a), 3);
		assert_true(json_is_number(json_array_get(a, 0)));
		assert_true(json_is_string(json_array_get(a, 1)));
		assert_true(json_is_string(json_array_get(a, 2)));
		(*lines)[n++] = a;
	}
	free(copy);
	return n;
}

static size_t count_str(const char *s, const char *what)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, what)) != NULL; p += strlen(what))
		n++;
	return n;
}

static void check_cast(const struct trace *t, const struct output *o, int w, int h)
{
	json_t *hdr, **lines;
	size_t n = parse_cast(o, w, h, &hdr, &lines), frames = 0, markers = 0, steps = 0;
	double prev = 0;
	const char *last = NULL;
	bool seen[256] = { false };

	for (size_t i = 0; i < trace_count(t); i++) {
		int s = trace_at(t, i)->step;

		if (s >= 0 && s < 256 && !seen[s]) {
			seen[s] = true;
			steps++;
		}
	}
	for (size_t i = 0; i < n; i++) {
		double at = json_number_value(json_array_get(lines[i], 0));
		const char *type = json_string_value(json_array_get(lines[i], 1));
		const char *data = json_string_value(json_array_get(lines[i], 2));

		assert_true(at >= prev);
		prev = at;
		if (strcmp(type, "m") == 0) {
			assert_true(strncmp(data, "step ", 5) == 0);
			markers++;
			continue;
		}
		assert_string_equal(type, "o");
		/* Clear once, then home; every row, each ending in a reset. */
		assert_true(strncmp(data, frames == 0 ? "\033[H\033[2J" : "\033[H", frames == 0 ? 7 : 3) == 0);
		if (frames > 0)
			assert_null(strstr(data, "\033[2J"));
		assert_int_equal(count_str(data, "\r\n"), (size_t)h - 1);
		assert_true(strlen(data) >= 4 && strcmp(data + strlen(data) - 4, "\033[0m") == 0);
		frames++;
		last = data;
	}
	assert_true(markers >= steps);
	assert_true(frames >= steps + 1);
	assert_non_null(last);
	assert_non_null(strstr(last, "the end"));
	assert_non_null(strstr(last, trace_hdr_c(t)->scenario));
	for (size_t i = 0; i < n; i++)
		json_decref(lines[i]);
	free(lines);
	json_decref(hdr);
}

static void test_export_cast_golden(void **state)
{
	struct trace *t = golden(*state);
	struct output o = run_export(t, EXPORT_ASCIICAST, NARRATE_EN, 0, 0);

	assert_int_equal(o.rc, 0);
	check_cast(t, &o, 120, 40);
	free(o.buf);
	o = run_export(t, EXPORT_ASCIICAST, NARRATE_ZH, 80, 24);
	assert_int_equal(o.rc, 0);
	free(o.buf);
	trace_free(t);
}

static void test_export_cast_size(void **state)
{
	struct trace *t = golden("fishing");
	struct output o = run_export(t, EXPORT_ASCIICAST, NARRATE_EN, 80, 24);

	assert_int_equal(o.rc, 0);
	check_cast(t, &o, 80, 24);
	free(o.buf);
	o = run_export(t, EXPORT_ASCIICAST, NARRATE_EN, 79, 24);
	assert_int_equal(o.rc, -EINVAL);
	assert_int_equal(o.len, 0);
	free(o.buf);
	o = run_export(t, EXPORT_ASCIICAST, NARRATE_EN, 120, EXPORT_CAST_MAX + 1);
	assert_int_equal(o.rc, -EINVAL);
	free(o.buf);
	trace_free(t);
}

/* A 30 s wait plays in 2 s, and the title says so. */
static void test_export_cast_long_waits(void **state)
{
	struct trace *t = made(
		"{\"seq\":0,\"t_ns\":1000,\"actor\":\"world\",\"kind\":\"caption\",\"text\":{\"en\":\"go\",\"zh\":\"走\"},\"step\":0}\n"
		"{\"seq\":1,\"t_ns\":2000,\"actor\":\"A\",\"kind\":\"enter\",\"call\":\"recvfrom\",\"fd\":5}\n"
		"{\"seq\":2,\"t_ns\":30000002000,\"actor\":\"A\",\"kind\":\"arrive\",\"fd\":5,\"bytes\":64,\"step\":1}\n"
		"{\"seq\":3,\"t_ns\":30000003000,\"actor\":\"A\",\"kind\":\"exit\",\"call\":\"recvfrom\",\"fd\":5,\"ret\":64,\"dur_ns\":30000001000}\n");
	struct output o = run_export(t, EXPORT_ASCIICAST, NARRATE_EN, 0, 0);
	json_t *hdr, **lines;
	size_t n;
	double prev = 0;

	assert_int_equal(o.rc, 0);
	check_cast(t, &o, 120, 40);
	n = parse_cast(&o, 120, 40, &hdr, &lines);
	assert_non_null(strstr(json_string_value(json_object_get(hdr, "title")),
			       "(long waits shortened)"));
	for (size_t i = 0; i < n; i++) {
		double at = json_number_value(json_array_get(lines[i], 0));

		assert_true(at - prev <= 2.0 + 1e-6);
		prev = at;
		json_decref(lines[i]);
	}
	assert_true(prev < 2.1);
	free(lines);
	json_decref(hdr);
	free(o.buf);
	trace_free(t);
}

/* ---- text ---- */

static void test_export_text_same_as_replay(void **state)
{
	struct trace *t = golden(*state);

	for (int lang = NARRATE_EN; lang <= NARRATE_ZH; lang++) {
		static struct narrator n;
		struct output want = { NULL, 0, 0 }, got;
		FILE *f = open_memstream(&want.buf, &want.len);

		narrate_begin(&n, f, t, lang);
		for (size_t i = 0; i < trace_count(t); i++)
			narrate_ev(&n, trace_at(t, i));
		narrate_end(&n);
		fclose(f);
		got = run_export(t, EXPORT_TEXT, lang, 0, 0);
		assert_int_equal(got.rc, 0);
		assert_int_equal(got.len, want.len);
		assert_memory_equal(got.buf, want.buf, want.len);
		free(got.buf);
		free(want.buf);
	}
	trace_free(t);
}

/* ---- files, names, errors ---- */

static void test_export_save(void **state)
{
	char dir[] = "/tmp/ioscope-export-XXXXXX", path[256], tmp[300];
	struct trace *t = golden("fishing");
	struct stat st;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/f.json", dir);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	assert_int_equal(export_save(t, EXPORT_CHROME, NARRATE_EN, 0, 0, path), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size > 1000);
	assert_int_not_equal(stat(tmp, &st), 0);
	/* A directory in the way: nothing is left behind. */
	snprintf(path, sizeof path, "%s/d", dir);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_true(export_save(t, EXPORT_TEXT, NARRATE_EN, 0, 0, path) < 0);
	assert_int_not_equal(stat(tmp, &st), 0);
	assert_int_equal(export_save(t, EXPORT_TEXT, NARRATE_EN, 0, 0, "/nonexistent/ioscope/x"), -ENOENT);
	assert_int_equal(export_save(t, EXPORT_MAX, NARRATE_EN, 0, 0, path), -EINVAL);
	assert_int_equal(rmdir(path), 0);
	snprintf(path, sizeof path, "%s/f.json", dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
	trace_free(t);
}

static void test_export_write_errors(void **state)
{
	struct trace *t = golden("fishing");
	FILE *f = fopen("/dev/full", "w");

	if (f == NULL)
		skip();
	assert_int_equal(export_chrome(t, f), -ENOSPC);
	clearerr(f);
	assert_int_equal(export_asciicast(t, NARRATE_EN, 0, 0, f), -ENOSPC);
	clearerr(f);
	assert_int_equal(export_text(t, NARRATE_EN, f), -ENOSPC);
	fclose(f);
	trace_free(t);
}

/* Every write fails (a full disk), counted. */
static ssize_t full_write(void *c, const char *buf, size_t n)
{
	(void)buf;
	(void)n;
	(*(int *)c)++;
	errno = ENOSPC;
	return -1;
}

/* The asciicast export stops at its first failed write, instead of
 * drawing every frame of the trace for nothing. */
static void test_export_cast_stops_at_write_error(void **state)
{
	struct trace *t = repeated(20000);
	cookie_io_functions_t io = { .write = full_write };
	int writes = 0;
	FILE *f = fopencookie(&writes, "w", io);

	(void)state;
	assert_non_null(f);
	setvbuf(f, NULL, _IONBF, 0);
	assert_int_equal(export_asciicast(t, NARRATE_EN, 0, 0, f), -ENOSPC);
	fclose(f);
	if (writes > 4)
		fail_msg("%d writes tried after the first failed", writes - 1);
	trace_free(t);
}

static void test_export_format_names(void **state)
{
	assert_int_equal(export_format_from("chrome"), EXPORT_CHROME);
	assert_int_equal(export_format_from("asciicast"), EXPORT_ASCIICAST);
	assert_int_equal(export_format_from("cast"), EXPORT_ASCIICAST);
	assert_int_equal(export_format_from("text"), EXPORT_TEXT);
	assert_int_equal(export_format_from("perfetto"), -1);
	assert_string_equal(export_format_name(EXPORT_TEXT), "text");
	assert_null(export_format_name(EXPORT_MAX));
}

#define EACH(fn, name) { #fn "/" name, fn, NULL, NULL, (void *)name }

/* A trace of 300 actors (a server's threads, announced by actor events
 * past the header's 64): every exporter writes it whole.  The text names
 * the last thread and sums up all of them; Chrome gives each a track;
 * the asciicast's last frame counts all 300 in the lanes' group and the
 * kernel pane. */
static void test_export_actors_300(void **state)
{
	struct trace *t = golden("lanes-300");
	struct output o;
	json_t *j;
	size_t i, tracks = 0;
	json_t *e;

	(void)state;
	assert_true(trace_hdr_c(t)->nactors > TRACE_MAX_ACTORS);
	o = run_export(t, EXPORT_TEXT, 0, 0, 0);
	assert_int_equal(o.rc, 0);
	assert_non_null(strstr(o.buf, "conn-299 blocking"));
	free(o.buf);
	o = run_export(t, EXPORT_CHROME, 0, 0, 0);
	assert_int_equal(o.rc, 0);
	j = load_chrome(&o);
	json_array_foreach(json_object_get(j, "traceEvents"), i, e) {
		const char *n = json_string_value(json_object_get(e, "name"));
		const char *tn = json_string_value(json_object_get(json_object_get(e, "args"), "name"));

		tracks += n != NULL && strcmp(n, "thread_name") == 0 && tn != NULL &&
			  strncmp(tn, "conn-", 5) == 0 && strstr(tn, "kernel") == NULL;
	}
	assert_int_equal(tracks, 300);
	json_decref(j);
	free(o.buf);
	o = run_export(t, EXPORT_ASCIICAST, 0, 80, 24);
	assert_int_equal(o.rc, 0);
	assert_non_null(strstr(o.buf, "blocking ×300: 200 asleep in recvfrom, 60 running, 40 ended"));
	free(o.buf);
	trace_free(t);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		EACH(test_export_chrome_golden, "fishing"),
		EACH(test_export_chrome_golden, "canteen"),
		EACH(test_export_chrome_golden, "lt-vs-et"),
		cmocka_unit_test(test_export_chrome_fd_tracks),
		cmocka_unit_test(test_export_chrome_many_fds),
		cmocka_unit_test(test_export_chrome_unfinished),
		cmocka_unit_test(test_export_chrome_crossing),
		cmocka_unit_test(test_export_chrome_streams),
		cmocka_unit_test(test_export_chrome_heap),
		cmocka_unit_test(test_export_chrome_long_wait),
		cmocka_unit_test(test_export_chrome_random),
		EACH(test_export_cast_golden, "fishing"),
		EACH(test_export_cast_golden, "canteen"),
		cmocka_unit_test(test_export_cast_size),
		cmocka_unit_test(test_export_cast_long_waits),
		EACH(test_export_text_same_as_replay, "fishing"),
		EACH(test_export_text_same_as_replay, "canteen"),
		cmocka_unit_test(test_export_save),
		cmocka_unit_test(test_export_write_errors),
		cmocka_unit_test(test_export_cast_stops_at_write_error),
		cmocka_unit_test(test_export_format_names),
		cmocka_unit_test(test_export_actors_300),
	};

	/* The C locale: the cast must still come out in UTF-8. */
	setlocale(LC_ALL, "C");
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("export", tests, NULL, NULL);
}
