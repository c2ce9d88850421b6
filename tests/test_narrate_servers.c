/* test_narrate_servers.c: the words (--plain, en and zh) and the Chrome
 * export of the server models' events (issue 14): futex waits by which
 * side of the queue, clone for a connection or a worker, the queue's
 * depth, coroutines parked in user space; futex and clone as spans, the
 * queue as a counter track.  The traces are tests/server_traces.h's. */
#include "tests/server_traces.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "view/export.h"
#include "view/narrate.h"

/* The whole --plain transcript of t in lang (to free). */
static char *plain(struct trace *t, int lang)
{
	static struct narrator n;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	narrate_begin(&n, f, t, lang);
	for (size_t i = 0; i < trace_count(t); i++)
		narrate_ev(&n, trace_at(t, i));
	narrate_end(&n);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void has(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		fail_msg("no \"%s\" in:\n%s", want, text);
}

static void test_narrate_servers_pool(void **state)
{
	size_t empty_at;
	struct trace *t = server_trace_pool(&empty_at);
	char *en = plain(t, NARRATE_EN), *zh = plain(t, NARRATE_ZH);

	(void)state;
	has(en, "S.w1    → futex wait: sleeps in futex: the queue is empty (0/4), nothing to take");
	has(en, "S       → futex wait: sleeps in futex: the queue is full (4/4), no room until a "
		"worker takes a request");
	has(en, "S       ← clone after 52 µs: S made a thread: its worker 2 (S.w2) (pthread_create "
		"said 0: done;");
	has(en, "S         puts a request in the queue: 4/4 (fds 14 15 16 17): the queue is full");
	has(en, "S.w1      takes a request from the queue: 0/4 left: the queue is empty");
	has(en, "S.w1    ← futex = 0 after 500.0 ms: another thread woke it");
	has(zh, "S.w1    → futex 等待：在 futex 中睡眠：队列是空的（0/4）");
	has(zh, "S       → futex 等待：在 futex 中睡眠：队列满了（4/4）");
	has(zh, "S       ← clone，用时 52 µs：S 开了一个线程：它的第 2 个工作者（S.w2）（pthread_create "
		"返回 0");
	/* A worker's work is its own, not a polling reader's round. */
	has(en, "works on a request (not in a system call)");
	has(zh, "处理一个请求（不在系统调用里）");
	assert_null(strstr(en, "(round 0)"));
	free(en);
	free(zh);
	trace_free(t);
}

static void test_narrate_servers_tpc(void **state)
{
	struct trace *t = server_trace_tpc();
	char *en = plain(t, NARRATE_EN), *zh = plain(t, NARRATE_ZH);

	(void)state;
	has(en, "S       → clone: asks the kernel for a new thread or process");
	has(en, "S       ← clone after 45 µs: S made a thread for connection 30 (S.30) (pthread_create");
	has(zh, "S       ← clone，用时 45 µs：S 开了一个线程，服务第 3 个连接（S.3）");
	assert_null(strstr(en, "fd -1"));
	free(en);
	free(zh);
	trace_free(t);
}

/* A fork: the clone returns the child's pid; an unknown child still reads. */
static void test_narrate_servers_fork(void **state)
{
	struct sb b = sb_new("servers", "process-per-conn", TRACE_CAP_SPAWNS, "", "");
	char *en, *zh;

	(void)state;
	sb_call(&b, 1, TRACE_ENTER, TRACE_CALL_ACCEPT, 3, 0, 0);
	sb_call(&b, 1, TRACE_EXIT, TRACE_CALL_ACCEPT, 3, 10, 1000);
	sb_call(&b, 1, TRACE_ENTER, TRACE_CALL_CLONE, -1, 0, 0);
	sb_call(&b, 1, TRACE_EXIT, TRACE_CALL_CLONE, -1, 4312, 80000);
	sb_child(&b, "", 1, "process-per-conn", TRACE_CAP_PHASES, "S's process for connection %d",
		 "S 为第 %d 个连接开的进程", 4312);
	sb_call(&b, 1, TRACE_ENTER, TRACE_CALL_CLONE, -1, 0, 0);
	sb_call(&b, 1, TRACE_EXIT, TRACE_CALL_CLONE, -1, 4313, 80000);
	en = plain(b.t, NARRATE_EN);
	zh = plain(b.t, NARRATE_ZH);
	has(en, "← clone = 4312 after 80 µs: S made a process for connection 1, pid 4312");
	has(en, "← clone = 4313 after 80 µs: S made a process for connection 1 (S.1), pid 4313");
	has(zh, "← clone = 4312，用时 80 µs：S 开了一个进程，服务第 1 个连接，pid 4312");
	free(en);
	free(zh);
	trace_free(b.t);
}

static void test_narrate_servers_coroutines(void **state)
{
	struct trace *t = server_trace_coroutines();
	char *en = plain(t, NARRATE_EN), *zh = plain(t, NARRATE_ZH);

	(void)state;
	has(en, "S.co1     phase 1 begins: waiting for data on fd 10 · PARKED in user space");
	has(en, "S.co2     phase 1 (wait) ends after 700.2 ms · the coroutine was parked");
	has(en, "S.co2     phase 2 begins: data on fd 11; the loop resumes the coroutine");
	has(en, "; parked 700.3 ms (in user space: its thread was not blocked)");
	assert_null(strstr(en, "S.co1     phase 1 begins: waiting for data on fd 10 · BLOCKED"));
	has(zh, "S.co1     第一阶段开始：等待 fd 10 的数据 · 停在用户态");
	free(en);
	free(zh);
	trace_free(t);
}

/* The first trace event named name with ph, or NULL. */
static json_t *find(json_t *o, const char *name, const char *ph)
{
	json_t *evs = json_object_get(o, "traceEvents"), *e;
	size_t i;

	json_array_foreach(evs, i, e)
		if (strcmp(json_string_value(json_object_get(e, "name")), name) == 0 &&
		    strcmp(json_string_value(json_object_get(e, "ph")), ph) == 0)
			return e;
	return NULL;
}

static void test_export_servers_chrome(void **state)
{
	size_t empty_at;
	struct trace *t = server_trace_pool(&empty_at);
	char *buf = NULL;
	size_t len = 0, counters = 0, i;
	FILE *f = open_memstream(&buf, &len);
	json_error_t err;
	json_t *o, *e, *c;

	(void)state;
	assert_non_null(f);
	assert_int_equal(export_chrome(t, f), 0);
	assert_int_equal(fclose(f), 0);
	o = json_loadb(buf, len, 0, &err);
	if (o == NULL)
		fail_msg("not JSON: %s", err.text);
	assert_non_null(e = find(o, "futex", "X"));           /* a slice, as any call */
	assert_non_null(json_object_get(e, "dur"));
	assert_non_null(find(o, "clone", "X"));
	assert_non_null(c = find(o, "queue S", "C"));          /* a counter, the server's */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(c, "args"), "max")), 4);
	assert_null(json_object_get(c, "tid"));
	json_array_foreach(json_object_get(o, "traceEvents"), i, e)
		counters += strcmp(json_string_value(json_object_get(e, "ph")), "C") == 0;
	assert_int_equal(counters, 13);    /* every workq, S's and the workers' */
	json_decref(o);
	free(buf);
	trace_free(t);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_narrate_servers_pool),
		cmocka_unit_test(test_narrate_servers_tpc),
		cmocka_unit_test(test_narrate_servers_fork),
		cmocka_unit_test(test_narrate_servers_coroutines),
		cmocka_unit_test(test_export_servers_chrome),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("narrate_servers", tests, NULL, NULL);
}
