/* test_narrate_attach.c: the words of a traced program (ioscope attach;
 * trace/FORMAT.md, "Traced programs"), --plain and the screen's story, en
 * and zh: the command, the pid and the tracer's measured cost first; the
 * kernel's own names of the calls (pselect6, accept4, sendto); a blocking
 * read's wait that holds its copy, said in full once per actor and never
 * narrated as a copy; the tracer's share of short calls; model events
 * with their evidence.  The exports carry the names and the whole flag.
 * The trace is tests/attach_traces.h's; the transcripts are goldens
 * (IOSCOPE_GOLDEN=update rewrites them; then read them!). */
#include "tests/attach_traces.h"

#include <stdlib.h>
#include <string.h>

#include "tests/harness.h"
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

static void lacks(const char *text, const char *bad)
{
	if (strstr(text, bad) != NULL)
		fail_msg("\"%s\" in:\n%s", bad, text);
}

static int count(const char *text, const char *what)
{
	int n = 0;

	for (const char *p = strstr(text, what); p != NULL; p = strstr(p + 1, what))
		n++;
	return n;
}

static bool updating(void)
{
	const char *mode = getenv("IOSCOPE_GOLDEN");

	return mode != NULL && strcmp(mode, "update") == 0;
}

static void golden(const char *text, const char *name)
{
	char path[256];
	char *want;

	snprintf(path, sizeof path, "tests/golden/%s", name);
	if (updating()) {
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		assert_true(fputs(text, f) >= 0);
		assert_int_equal(fclose(f), 0);
		return;
	}
	want = h_slurp(path);
	if (want == NULL || strcmp(want, text) != 0)
		fail_msg("%s differs; got:\n%s", path, text);
	free(want);
}

static void test_narrate_attach_plain(void **state)
{
	struct trace *t = attach_trace_select();
	char *en = plain(t, NARRATE_EN), *zh = plain(t, NARRATE_ZH);

	(void)state;
	golden(en, "attach-select-plain.txt");
	golden(zh, "attach-select-plain-zh.txt");
	/* what was traced, and the tracer's cost, first */
	assert_int_equal(strncmp(en, "tracing python3 srv.py 8000 (pid 4242); each call ioscope "
				 "stops costs it about 38 µs more (measured at start); durations "
				 "below include that\n", 140), 0);
	assert_int_equal(strncmp(zh, "正在跟踪 python3 srv.py 8000（pid 4242）；ioscope 每拦下一次"
				 "调用，就让它多花约 38 µs（开始时测得）；下面的时长都包含这部分\n",
				 strlen("正在跟踪 python3 srv.py 8000（pid 4242）；ioscope 每拦下一次"
					"调用，就让它多花约 38 µs（开始时测得）；下面的时长都包含这部分\n")), 0);
	/* the kernel's names */
	has(en, "python3.4242  → pselect6(nfds 4, readfds {3}): the bitmap up to nfds");
	has(en, "python3.4242  ← pselect6 = 1 after 1.200 s: the kernel rewrote the set in place: {5}\n");
	has(en, "python3.4242  ← accept4(fd 3) = 5: a new client, on fd 5\n");
	/* shorter than the tracer's own cost: never "most of it" */
	has(en, "python3.4242  ← sendto(fd 5) = 6 bytes, after 30 µs (no longer than the tracer's own "
		"~38 µs: the program's part cannot be told)");
	has(en, "python3.4242  ← recvfrom(fd 5) = 6 bytes, after 42 µs (most of it the tracer's ~38 µs)");
	has(zh, "python3.4242  ← pselect6 = 1，用时 1.200 s：内核就地改写了集合：{5}\n");
	has(zh, "python3.4242  ← sendto(fd 5) = 6 字节，用时 30 µs（不比跟踪器自己的约 38 µs 长：分不出程序自己用了多少）");
	lacks(en, "select(");
	/* the whole wait: in full once per actor, never a copy */
	assert_int_equal(count(en, "ptrace sees one span, not where the wait ended"), 1);
	assert_int_equal(count(zh, "ptrace 只看到一段，看不到等待在哪里结束"), 1);
	assert_int_equal(count(en, "wait and copy end together after 1.500 s"), 1);
	has(en, "python3.4243  ← read(fd 0) = 6 bytes, after 3.000 s: waited and copied in this one call\n");
	has(en, "python3.4243    phase 1 begins: waiting for data on fd 0 inside the read; the copy "
		"will be in this span too\n");
	/* from outside, a wait is a call that may sleep, never "asleep" by
	 * itself; a copy is the read's span, the tracer's stops in it */
	lacks(en, "BLOCKED");
	has(en, "phase 2 ends after 42 µs: the read that copied it, the tracer's stops included\n");
	for (const char *l = strstr(en, "python3.4243"); l != NULL; l = strstr(l + 1, "python3.4243"))
		assert_false(strncmp(l, "python3.4243    phase 2", 23) == 0);
	has(en, "2 of its reads waited and copied in one span (from outside: their copies are in phase 1)");
	/* the evidence, without its model said twice */
	has(en, "model changes: none → select: pselect6 returned fd 5, then recvfrom(5) read 6 bytes\n");
	has(zh, "模型改变：无 → select：pselect6 返回 fd 5，随后 recvfrom(5) 读到 6 字节\n");
	/* the threads by their labels */
	has(en, "python3.4243  appears: pid 4242 thread 4243 (python3), created by python3.4242; its "
		"model: not known yet\n");
	has(zh, "python3.4243  出现：进程 4242 的线程 4243（python3），由 python3.4242 创建；模型：尚未确定\n");
	/* long calls carry no share of the tracer */
	lacks(en, "1.200 s: the kernel rewrote the set in place: {5} (");
	free(en);
	free(zh);
	trace_free(t);
}

/* Started by ioscope (pid 0), the cost not measured. */
static void test_narrate_attach_started(void **state)
{
	struct trace *t = attach_trace_select();
	char *en, *zh;

	(void)state;
	trace_hdr(t)->attach_pid = 0;
	trace_hdr(t)->overhead_ns = 0;
	en = plain(t, NARRATE_EN);
	zh = plain(t, NARRATE_ZH);
	has(en, "tracing python3 srv.py 8000 (started by ioscope); what each call ioscope stops "
		"costs it was not measured; durations below include it\n");
	has(zh, "正在跟踪 python3 srv.py 8000（由 ioscope 启动）；没有测出 ioscope 每拦下一次调用"
		"让它多花多少；下面的时长包含这部分\n");
	lacks(en, "of it the tracer");
	free(en);
	free(zh);
	trace_free(t);
}

/* The screen's story says each event as --plain does: the once per actor
 * too, from the view before the event alone. */
static void test_narrate_attach_story(void **state)
{
	struct trace *t = attach_trace_select();
	static struct view v;
	struct view_more more = { 0 };
	char *en = plain(t, NARRATE_EN), line[1024];

	(void)state;
	assert_int_equal(view_more_fit(&more, t), 0);
	for (size_t i = 0; i < trace_count(t); i++) {
		view_fold_more(&v, t, i, &more);
		if (narrate_line(t, NARRATE_EN, &v, trace_at(t, i), line, sizeof line))
			has(en, line);
	}
	view_more_free(&more);
	free(en);
	trace_free(t);
}

/* The exports: the text is the transcript; Chrome names spans by the
 * kernel's name (the family in args) and marks the whole wait; the
 * asciicast's title is the command. */
static void test_narrate_attach_exports(void **state)
{
	struct trace *t = attach_trace_select();
	char *buf = NULL, *en = plain(t, NARRATE_EN);
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	assert_int_equal(export_text(t, NARRATE_EN, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(buf, en);
	free(buf);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(export_chrome(t, f), 0);
	assert_int_equal(fclose(f), 0);
	has(buf, "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"args\":{\"name\":\"ioscope · "
		 "attach: python3 srv.py 8000\"}}");
	has(buf, "{\"name\":\"pselect6\",\"cat\":\"syscall\",\"ph\":\"X\"");
	has(buf, "\"args\":{\"call\":\"select\",\"fd\":-1,\"nfds\":6");
	has(buf, "{\"name\":\"accept4\",");
	has(buf, "{\"name\":\"sendto\",");
	has(buf, "{\"name\":\"phase 1 and 2: wait + copy, one span (blocked)\",\"cat\":\"phase\"");
	has(buf, "\"args\":{\"fd\":0,\"blocked\":true,\"whole\":true}");
	has(buf, "\"command\":\"python3 srv.py 8000\",\"pid\":4242,\"overhead_ns\":38000");
	assert_int_equal(count(buf, "phase 2: copy"), 1);        /* recvfrom(5)'s only */
	free(buf);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(export_asciicast(t, NARRATE_EN, 120, 40, f), 0);
	assert_int_equal(fclose(f), 0);
	has(buf, "\"title\":\"ioscope · attach: python3 srv.py 8000\"");
	has(buf, "pselect6");
	free(buf);
	free(en);
	trace_free(t);
}

/* Other calls under the kernel's names: epoll_ctl with EPOLLET, epoll_pwait,
 * clone3. */
static void test_narrate_attach_calls(void **state)
{
	struct trace *t = trace_new();
	struct trace_ev e;
	const int five[] = { 5 };
	char *en, *zh;

	(void)state;
	assert_non_null(t);
	trace_hdr(t)->command = trace_intern(t, "./srv_epoll_et 8000");
	assert_int_equal(at_thread(t, 4301, -1, 0), 1);
	e = at_of(TRACE_ENTER, 1, 10);
	e.call = TRACE_CALL_EPOLL_CTL;
	e.fd = 4;
	e.what = TRACE_OP_ADD;
	e.arg = 5;
	e.flags = TRACE_F_EVENTS;
	e.sets = TRACE_EPEV_IN | TRACE_EPEV_ET;
	at_add(t, e);
	e = at_of(TRACE_ENTER, 1, 20);
	e.call = TRACE_CALL_EPOLL_WAIT;
	e.syscall = trace_intern(t, "epoll_pwait");
	e.fd = 4;
	e.n = 64;
	at_add(t, e);
	e.kind = TRACE_EXIT;
	e.t_ns = 900000020;
	e.dur_ns = 900000000;
	e.ret = 1;
	e.n = 1;
	trace_ev_set_fds(&e, five, 1);
	at_add(t, e);
	at_call(t, 1, TRACE_ENTER, TRACE_CALL_CLONE, "clone3", -1, 900100, 0, 0);
	en = plain(t, NARRATE_EN);
	zh = plain(t, NARRATE_ZH);
	has(en, "→ epoll_ctl(epfd 4, ADD, fd 5, EPOLLET): edge-triggered: fd 5 is reported once per "
		"arrival, so the program must read it to EAGAIN\n");
	has(zh, "→ epoll_ctl(epfd 4，ADD，fd 5，EPOLLET)：边缘触发：每来一次数据只报告一次 fd 5，程序"
		"必须一直读到 EAGAIN\n");
	has(en, "→ epoll_pwait(epfd 4, up to 64 events)");
	has(en, "← epoll_pwait = 1 after 900.0 ms: straight from the ready list: {5}\n");
	has(en, "→ clone3: asks the kernel for a new thread or process\n");
	has(en, "tracing ./srv_epoll_et 8000 (started by ioscope)");
	free(en);
	free(zh);
	trace_free(t);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_narrate_attach_plain),
		cmocka_unit_test(test_narrate_attach_started),
		cmocka_unit_test(test_narrate_attach_story),
		cmocka_unit_test(test_narrate_attach_exports),
		cmocka_unit_test(test_narrate_attach_calls),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("narrate_attach", tests, NULL, NULL);
}
