/* test_exercise.c: the exercises' checks (live/exercise.h) on traces built
 * by hand, as an attach run would write them: a program thread announced,
 * its calls as enter/exit pairs with the kernel's names, the sampler's
 * state, the classifier's model events; and the clients' results. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "live/exercise.h"
#include "trace/lang.h"
#include "trace/trace.h"

#define MS (1000000LL)

static void add(struct trace *t, struct trace_ev e)
{
	assert_int_equal(trace_append(t, &e), 0);
}

static struct trace_ev ev(int kind, int actor, int64_t t_ns)
{
	return (struct trace_ev){ .kind = (uint8_t)kind, .actor = (uint16_t)actor,
				  .t_ns = t_ns, .fd = -1, .step = -1 };
}

/* A program thread, announced as follow.c announces one. */
static int thread_of(struct trace *t, const char *name, int tid)
{
	int a = trace_announce_actor(t, name, "", 0, "pid", "进程", -1);
	struct trace_ev e = ev(TRACE_ACTOR, a, 0);

	assert_true(a > 0);
	e.tid = tid;
	e.pid = tid;
	add(t, e);
	return a;
}

static void model(struct trace *t, int a, int64_t at, const char *m, unsigned caps, const char *why)
{
	struct trace_ev e = ev(TRACE_MODEL, a, at);

	e.model = trace_intern(t, m);
	e.caps = (int32_t)caps;
	e.text[0] = trace_intern(t, why);
	e.text[1] = trace_intern(t, why);
	add(t, e);
}

/* A call from..to; sys the kernel's name (NULL: the call's). */
static void call(struct trace *t, int a, int c, const char *sys, int fd, int64_t from, int64_t to,
		 int64_t ret, int err)
{
	struct trace_ev e = ev(TRACE_ENTER, a, from);

	e.call = (uint16_t)c;
	e.fd = fd;
	e.syscall = sys ? trace_intern(t, sys) : NULL;
	add(t, e);
	e.kind = TRACE_EXIT;
	e.t_ns = to;
	e.dur_ns = to - from;
	e.ret = ret;
	e.err = err;
	add(t, e);
}

static void asleep(struct trace *t, int a, int64_t at, const char *sys, int fd, const char *wchan)
{
	struct trace_ev e = ev(TRACE_STATE, a, at);

	e.state = 'S';
	e.tid = 4242;
	e.pid = 4242;
	e.fd = fd;
	e.syscall = trace_intern(t, sys);
	e.wchan = trace_intern(t, wchan);
	add(t, e);
}

/* Results of the concurrent echo: the port check (connection 0), then
 * clients 1 and 2; client 2 waited from 0.6 s to 1.6 s (late) or 3 ms. */
static void conc_result(struct ex_result *r, bool late)
{
	memset(r, 0, sizeof *r);
	r->slow_bad_at = SIZE_MAX;
	r->conns = 3;
	r->conn_client[0] = 0;
	r->conn_client[1] = 1;
	r->conn_client[2] = 2;
	r->replies = r->replies_ok = 13;
	r->nwaits = 1;
	r->waits[0] = (struct ex_wait){ .client = 2, .other = 1, .from_ns = 600 * MS,
					.to_ns = late ? 1600 * MS : 603 * MS, .late = late };
}

static const struct ex_verdict *verdict(const struct ex_verdict *v, int n, int expect)
{
	for (int i = 0; i < n; i++)
		if (v[i].expect == expect)
			return &v[i];
	fail_msg("no verdict for expectation %d", expect);
	return v;
}

static void test_exercise_table(void **state)
{
	const struct ex_def *d;
	int n = 0;

	(void)state;
	for (; (d = ex_at(n)) != NULL; n++) {
		assert_ptr_equal(ex_find(d->name), d);
		assert_non_null(d->summary[0]);
		assert_non_null(d->summary[1]);
		assert_non_null(d->starter);
		assert_true(d->expects != 0);
	}
	assert_true(n >= 5);
	assert_non_null(ex_find("echo-blocking"));
	assert_non_null(ex_find("echo-select"));
	assert_non_null(ex_find("echo-epoll"));
	assert_non_null(ex_find("chat"));
	assert_non_null(ex_find("echo-nonblocking-writes"));
	assert_null(ex_find("echo"));
}

/* An epoll server: epoll_wait sleeps, its reads never do. */
static void test_exercise_epoll_pass(void **state)
{
	struct trace *t = trace_new();
	struct ex_result r;
	struct ex_verdict v[EX_MAX];
	int a, n;

	(void)state;
	a = thread_of(t, "srv_epol.4301", 4301);
	call(t, a, TRACE_CALL_ACCEPT, "accept4", 3, 10 * MS, 11 * MS, 5, 0);
	model(t, a, 20 * MS, "epoll", TRACE_CAP_PHASES | TRACE_CAP_INTEREST | TRACE_CAP_SERVES,
	      "epoll: epoll_wait returned fd 5, then recvfrom(5) read 8 bytes");
	for (int i = 0; i < 10; i++) {
		int64_t t0 = 100 * MS + i * 200 * MS;

		call(t, a, TRACE_CALL_EPOLL_WAIT, NULL, 4, t0, t0 + 150 * MS, 1, 0);
		call(t, a, TRACE_CALL_RECVFROM, NULL, 5, t0 + 150 * MS, t0 + 150 * MS + 40000, 8, 0);
	}
	conc_result(&r, false);
	n = ex_check(ex_find("echo-epoll"), &r, t, 0, LANG_EN, v, EX_MAX);
	assert_int_equal(n, 3);
	for (int i = 0; i < n; i++)
		assert_true(v[i].pass);
	assert_string_equal(verdict(v, n, EX_REPLIES)->line, "every reply correct (13 of 13)");
	assert_string_equal(verdict(v, n, EX_MODEL_READY)->line, "readiness model seen: epoll");
	assert_non_null(strstr(verdict(v, n, EX_MODEL_READY)->evidence[0],
			       "srv_epol.4301: epoll: epoll_wait returned fd 5"));
	assert_string_equal(verdict(v, n, EX_CONCURRENT)->line,
			    "served concurrently: client 2's reply came in 3 ms while client 1 was connected");
	trace_free(t);
}

/* A one-at-a-time blocking server: recvfrom on client 1's socket sleeps
 * 2.1 s while client 2 waits. */
static struct trace *blocking_trace(void)
{
	struct trace *t = trace_new();
	int a = thread_of(t, "python3.4242", 4242);

	/* the port check: accepted as fd 4, read 0, closed; then client 1 as fd 4 */
	call(t, a, TRACE_CALL_ACCEPT, "accept4", 3, 10 * MS, 12 * MS, 4, 0);
	call(t, a, TRACE_CALL_RECVFROM, NULL, 4, 12 * MS, 13 * MS, 0, 0);
	call(t, a, TRACE_CALL_ACCEPT, "accept4", 3, 14 * MS, 500 * MS, 4, 0);
	model(t, a, 20 * MS, "blocking", TRACE_CAP_PHASES, "blocking: recvfrom(4) slept");
	{
		struct trace_ev e = ev(TRACE_ENTER, a, 500 * MS);

		e.call = TRACE_CALL_RECVFROM;
		e.fd = 4;
		add(t, e);
		asleep(t, a, 900 * MS, "recvfrom", 4, "wait_woken");
		e.kind = TRACE_EXIT;
		e.t_ns = 2600 * MS;
		e.dur_ns = 2100 * MS;
		e.ret = 12;
		add(t, e);
	}
	return t;
}

static void test_exercise_blocking_fails(void **state)
{
	struct trace *t = blocking_trace();
	struct ex_result r;
	struct ex_verdict v[EX_MAX];
	const struct ex_verdict *c;
	int n;

	(void)state;
	conc_result(&r, true);
	n = ex_check(ex_find("echo-epoll"), &r, t, 0, LANG_EN, v, EX_MAX);
	c = verdict(v, n, EX_CONCURRENT);
	assert_false(c->pass);
	assert_string_equal(c->line, "blocked 2.1 s in recvfrom on client 1's socket while client 2 waited: "
			    "use a readiness model (select, poll, epoll)");
	assert_string_equal(c->evidence[0], "thread python3.4242: recvfrom(fd 4) from 0.50 s to 2.60 s; "
			    "the kernel said S, asleep in wait_woken");
	assert_string_equal(c->evidence[1], "its model: blocking (blocking: recvfrom(4) slept)");
	assert_false(verdict(v, n, EX_MODEL_READY)->pass);
	assert_non_null(strstr(verdict(v, n, EX_MODEL_READY)->line, "your server's model is blocking"));
	/* the same in Chinese */
	n = ex_check(ex_find("echo-epoll"), &r, t, 0, LANG_ZH, v, EX_MAX);
	c = verdict(v, n, EX_CONCURRENT);
	assert_non_null(strstr(c->line, "阻塞了 2.1 秒"));
	assert_non_null(strstr(c->line, "客户端 1 的套接字"));
	assert_non_null(strstr(c->line, "客户端 2 在等"));
	/* echo-blocking is happy with it */
	conc_result(&r, false);
	n = ex_check(ex_find("echo-blocking"), &r, t, 0, LANG_EN, v, EX_MAX);
	assert_int_equal(n, 2);
	assert_true(v[0].pass);
	assert_true(v[1].pass);
	assert_string_equal(verdict(v, n, EX_MODEL_BLOCKING)->line, "the model seen is blocking");
	trace_free(t);
}

/* An epoll server that still sleeps in a read (a second recv of a
 * drained socket): its model is a readiness model, so the advice is about
 * the read, not "use a readiness model". */
static void test_exercise_epoll_read_blocks(void **state)
{
	struct trace *t = trace_new();
	int a = thread_of(t, "python3.4242", 4242);
	struct ex_result r;
	struct ex_verdict v[EX_MAX];
	const struct ex_verdict *c;
	int n;

	(void)state;
	call(t, a, TRACE_CALL_ACCEPT, "accept4", 3, 10 * MS, 12 * MS, 4, 0);
	call(t, a, TRACE_CALL_RECVFROM, NULL, 4, 12 * MS, 13 * MS, 0, 0);
	call(t, a, TRACE_CALL_ACCEPT, "accept4", 3, 14 * MS, 500 * MS, 4, 0);
	model(t, a, 20 * MS, "epoll", TRACE_CAP_PHASES | TRACE_CAP_INTEREST,
	      "epoll: epoll_wait returned fd 4, then recvfrom(4) read 8 bytes");
	{
		struct trace_ev e = ev(TRACE_ENTER, a, 500 * MS);

		e.call = TRACE_CALL_RECVFROM;
		e.fd = 4;
		add(t, e);
		asleep(t, a, 900 * MS, "recvfrom", 4, "wait_woken");
		e.kind = TRACE_EXIT;
		e.t_ns = 2600 * MS;
		e.dur_ns = 2100 * MS;
		e.ret = 12;
		add(t, e);
	}
	conc_result(&r, true);
	n = ex_check(ex_find("echo-epoll"), &r, t, 0, LANG_EN, v, EX_MAX);
	c = verdict(v, n, EX_CONCURRENT);
	assert_false(c->pass);
	assert_string_equal(c->line, "blocked 2.1 s in recvfrom on client 1's socket while client 2 waited: "
			    "read only what the wait said was ready, once, or make the socket "
			    "non-blocking and stop at EAGAIN");
	assert_null(strstr(c->line, "use a readiness model"));
	trace_free(t);
}

/* The clients' clock is not the trace's: mono_to_trace moves their waits. */
static void test_exercise_offset(void **state)
{
	struct trace *t = blocking_trace();
	struct ex_result r;
	struct ex_verdict v[EX_MAX];
	int n;

	(void)state;
	conc_result(&r, true);
	for (int i = 0; i < r.nwaits; i++) {
		r.waits[i].from_ns += 5000 * MS;
		r.waits[i].to_ns += 5000 * MS;
	}
	n = ex_check(ex_find("echo-epoll"), &r, t, -5000 * MS, LANG_EN, v, EX_MAX);
	assert_non_null(strstr(verdict(v, n, EX_CONCURRENT)->line, "blocked 2.1 s in recvfrom"));
	/* ... and without it, the waits fall outside every call: no evidence */
	n = ex_check(ex_find("echo-epoll"), &r, t, 0, LANG_EN, v, EX_MAX);
	assert_false(verdict(v, n, EX_CONCURRENT)->pass);
	assert_string_equal(verdict(v, n, EX_CONCURRENT)->line,
			    "client 2 waited 1.0 s for its reply while client 1 was connected: "
			    "serve every client as its data comes");
	trace_free(t);
}

static void test_exercise_select(void **state)
{
	struct trace *t = trace_new();
	struct ex_result r;
	struct ex_verdict v[EX_MAX];
	int a, n;

	(void)state;
	a = thread_of(t, "python3.77", 77);
	for (int i = 0; i < 4; i++)
		call(t, a, TRACE_CALL_SELECT, "pselect6", -1, i * 100 * MS, i * 100 * MS + 90 * MS, 1, 0);
	conc_result(&r, false);
	/* not classified: the calls say it */
	n = ex_check(ex_find("echo-select"), &r, t, 0, LANG_EN, v, EX_MAX);
	assert_true(verdict(v, n, EX_MODEL_SELECT)->pass);
	assert_string_equal(verdict(v, n, EX_MODEL_SELECT)->line, "select seen: 4 calls");
	n = ex_check(ex_find("echo-epoll"), &r, t, 0, LANG_EN, v, EX_MAX);
	assert_true(verdict(v, n, EX_MODEL_READY)->pass);
	assert_string_equal(verdict(v, n, EX_MODEL_READY)->line,
			    "readiness calls seen: pselect6 (thread python3.77; not classified)");
	/* classified select: epoll's exercise says which it saw */
	model(t, a, 500 * MS, "select", TRACE_CAP_PHASES | TRACE_CAP_SET | TRACE_CAP_BITMAP, "select: pselect6 returned fd 5");
	n = ex_check(ex_find("echo-epoll"), &r, t, 0, LANG_EN, v, EX_MAX);
	assert_string_equal(verdict(v, n, EX_MODEL_READY)->line,
			    "readiness model seen: select (epoll was asked; any readiness model passes)");
	/* echo-blocking is not */
	n = ex_check(ex_find("echo-blocking"), &r, t, 0, LANG_EN, v, EX_MAX);
	assert_false(verdict(v, n, EX_MODEL_BLOCKING)->pass);
	trace_free(t);
	/* an epoll server fails echo-select */
	t = trace_new();
	a = thread_of(t, "srv.9", 9);
	call(t, a, TRACE_CALL_EPOLL_WAIT, "epoll_wait", 4, 0, 10 * MS, 1, 0);
	model(t, a, 20 * MS, "epoll", TRACE_CAP_PHASES | TRACE_CAP_INTEREST, "epoll");
	n = ex_check(ex_find("echo-select"), &r, t, 0, LANG_EN, v, EX_MAX);
	assert_false(verdict(v, n, EX_MODEL_SELECT)->pass);
	assert_string_equal(verdict(v, n, EX_MODEL_SELECT)->line,
			    "no select (pselect6) call was seen (the model seen: epoll): this exercise asks for select");
	trace_free(t);
}

/* A launcher (pyenv's shim is bash, which reads a pipe, then execs
 * python3) shows a model too: the thread that accepted speaks for the
 * server. */
static void test_exercise_launcher(void **state)
{
	struct trace *t = trace_new();
	struct ex_result r;
	struct ex_verdict v[EX_MAX];
	int sh, py, n;

	(void)state;
	sh = thread_of(t, "bash.100", 100);
	call(t, sh, TRACE_CALL_READ, NULL, 3, 0, 5 * MS, 10, 0);
	call(t, sh, TRACE_CALL_READ, NULL, 3, 6 * MS, 9 * MS, 10, 0);
	call(t, sh, TRACE_CALL_READ, NULL, 3, 10 * MS, 12 * MS, 10, 0);
	model(t, sh, 12 * MS, "blocking", TRACE_CAP_PHASES, "blocking: read(3) slept");
	py = thread_of(t, "python3.100", 100);
	call(t, py, TRACE_CALL_ACCEPT, "accept4", 3, 20 * MS, 30 * MS, 4, 0);
	call(t, py, TRACE_CALL_RECVFROM, NULL, 4, 30 * MS, 900 * MS, 10, 0);
	model(t, py, 900 * MS, "blocking", TRACE_CAP_PHASES, "blocking: recvfrom(4) slept");
	conc_result(&r, false);
	n = ex_check(ex_find("echo-epoll"), &r, t, 0, LANG_EN, v, EX_MAX);
	assert_string_equal(verdict(v, n, EX_MODEL_READY)->evidence[0],
			    "thread python3.100: blocking: recvfrom(4) slept");
	trace_free(t);

	/* the server's thread not classified: the launcher's model is not its */
	t = trace_new();
	sh = thread_of(t, "bash.200", 200);
	call(t, sh, TRACE_CALL_READ, NULL, 3, 0, 5 * MS, 10, 0);
	model(t, sh, 12 * MS, "blocking", TRACE_CAP_PHASES, "blocking: read(3) slept");
	py = thread_of(t, "python3.200", 200);
	call(t, py, TRACE_CALL_ACCEPT, "accept4", 3, 20 * MS, 30 * MS, 4, 0);
	call(t, py, TRACE_CALL_RECVFROM, NULL, 4, 30 * MS, 31 * MS, 10, 0);
	n = ex_check(ex_find("echo-blocking"), &r, t, 0, LANG_EN, v, EX_MAX);
	assert_string_equal(verdict(v, n, EX_MODEL_BLOCKING)->line,
			    "the model seen is blocking (from its calls; not classified)");
	assert_string_equal(verdict(v, n, EX_MODEL_BLOCKING)->evidence[0], "");
	trace_free(t);
}

/* Nothing traced: the trace's expectations fail saying so. */
static void test_exercise_no_threads(void **state)
{
	struct trace *t = trace_new();
	struct ex_result r;
	struct ex_verdict v[EX_MAX];
	int n;

	(void)state;
	conc_result(&r, false);
	n = ex_check(ex_find("echo-epoll"), &r, t, 0, LANG_EN, v, EX_MAX);
	assert_false(verdict(v, n, EX_MODEL_READY)->pass);
	assert_non_null(strstr(verdict(v, n, EX_MODEL_READY)->line, "none of your server's threads"));
	n = ex_check(ex_find("echo-epoll"), &r, NULL, 0, LANG_EN, v, EX_MAX);
	assert_false(verdict(v, n, EX_MODEL_READY)->pass);
	assert_true(verdict(v, n, EX_REPLIES)->pass);
	trace_free(t);
}

static void chat_result(struct ex_result *r)
{
	memset(r, 0, sizeof *r);
	r->slow_bad_at = SIZE_MAX;
	r->bcast = r->bcast_ok = 5;
	r->after_leave = r->after_leave_ok = 3;
	r->leaver = 3;
}

static void test_exercise_chat(void **state)
{
	struct trace *t = trace_new();
	struct ex_result r;
	struct ex_verdict v[EX_MAX];
	int a, n;

	(void)state;
	a = thread_of(t, "python3.5", 5);
	model(t, a, 0, "epoll", TRACE_CAP_PHASES | TRACE_CAP_INTEREST, "epoll");
	chat_result(&r);
	n = ex_check(ex_find("chat"), &r, t, 0, LANG_EN, v, EX_MAX);
	assert_int_equal(n, 4);
	for (int i = 0; i < n; i++)
		assert_true(v[i].pass);
	assert_string_equal(verdict(v, n, EX_BROADCAST)->line, "every line reached every other client (5 of 5)");
	assert_string_equal(verdict(v, n, EX_LEAVE)->line,
			    "after client 3 left, the others were still served (3 of 3)");
	/* the seed's server sends to everyone, the sender too */
	r.echoed = 1;
	r.echo_miss = (struct ex_miss){ .client = 1, .sent = "hello from 1", .got = "hello from 1" };
	n = ex_check(ex_find("chat"), &r, t, 0, LANG_EN, v, EX_MAX);
	assert_false(verdict(v, n, EX_NOT_SENDER)->pass);
	assert_string_equal(verdict(v, n, EX_NOT_SENDER)->evidence[0],
			    "client 1 sent \"hello from 1\" and got it back: \"hello from 1\"");
	/* one at a time: the others hear nothing */
	chat_result(&r);
	r.bcast_ok = 0;
	r.after_leave_ok = 0;
	r.bcast_miss = (struct ex_miss){ .client = 2, .sent = "hello from 1", .waited_ns = 2000 * MS };
	n = ex_check(ex_find("chat"), &r, t, 0, LANG_EN, v, EX_MAX);
	assert_false(verdict(v, n, EX_BROADCAST)->pass);
	assert_string_equal(verdict(v, n, EX_BROADCAST)->evidence[0],
			    "client 2 did not get \"hello from 1\" within 2.0 s");
	assert_false(verdict(v, n, EX_LEAVE)->pass);
	trace_free(t);
}

/* The slow reader is client 1, accepted as fd 5 (after the port check's
 * fd 4); client 2 waits from 0.3 s. */
static struct trace *writes_trace(bool blocking)
{
	struct trace *t = trace_new();
	int a = thread_of(t, "srv.300", 300);

	call(t, a, TRACE_CALL_ACCEPT, "accept4", 3, 10 * MS, 11 * MS, 4, 0);
	call(t, a, TRACE_CALL_ACCEPT, "accept4", 3, 20 * MS, 21 * MS, 5, 0);
	call(t, a, TRACE_CALL_READ, NULL, 5, 30 * MS, 31 * MS, 65536, 0);
	if (blocking) {
		call(t, a, TRACE_CALL_WRITE, "sendto", 5, 40 * MS, 41 * MS, 65536, 0);
		call(t, a, TRACE_CALL_WRITE, "sendto", 5, 200 * MS, 1100 * MS, 65536, 0);
	} else {
		for (int i = 0; i < 6; i++)
			call(t, a, TRACE_CALL_WRITE, "write", 5, (40 + 10 * i) * MS, (40 + 10 * i) * MS + 30000,
			     i < 3 ? 65536 : -EAGAIN, i < 3 ? 0 : EAGAIN);
	}
	return t;
}

static void writes_result(struct ex_result *r, bool late)
{
	memset(r, 0, sizeof *r);
	r->slow_client = 1;
	r->slow_total = r->slow_sent = r->slow_back = 1 << 20;
	r->slow_bad_at = SIZE_MAX;
	r->conns = 3;
	r->conn_client[1] = 1;
	r->conn_client[2] = 2;
	r->nwaits = 1;
	r->waits[0] = (struct ex_wait){ .client = 2, .other = 1, .from_ns = 300 * MS,
					.to_ns = late ? 1300 * MS : 302 * MS, .late = late };
}

static void test_exercise_writes(void **state)
{
	struct trace *t = writes_trace(false);
	struct ex_result r;
	struct ex_verdict v[EX_MAX];
	const struct ex_def *d = ex_find("echo-nonblocking-writes");
	int n;

	(void)state;
	writes_result(&r, false);
	n = ex_check(d, &r, t, 0, LANG_EN, v, EX_MAX);
	for (int i = 0; i < n; i++)
		assert_true(v[i].pass);
	assert_string_equal(verdict(v, n, EX_WRITES)->line,
			    "no write blocked the server (6 writes to client 1, 3 of them EAGAIN)");
	assert_string_equal(verdict(v, n, EX_NO_LOSS)->line, "no data lost: client 1 got all 1024 KB back");
	trace_free(t);

	t = writes_trace(true);
	writes_result(&r, true);
	r.slow_back = 600 << 10;
	n = ex_check(d, &r, t, 0, LANG_EN, v, EX_MAX);
	assert_false(verdict(v, n, EX_WRITES)->pass);
	assert_string_equal(verdict(v, n, EX_WRITES)->line,
			    "a write slept 0.9 s in sendto on client 1's socket: make the socket non-blocking, "
			    "keep what does not fit, write it when it is writable");
	assert_false(verdict(v, n, EX_CONCURRENT)->pass);
	assert_string_equal(verdict(v, n, EX_CONCURRENT)->line,
			    "blocked 0.9 s in sendto on client 1's socket while client 2 waited: make the socket "
			    "non-blocking and keep what does not fit for later");
	assert_false(verdict(v, n, EX_NO_LOSS)->pass);
	assert_non_null(strstr(verdict(v, n, EX_NO_LOSS)->line, "client 1 got 600 of 1024 KB back"));
	trace_free(t);
}

/* The play could not run: one reason. */
static void test_exercise_play_failed(void **state)
{
	struct ex_result r = { .fail = EX_ERR_NO_LISTEN };
	struct ex_verdict v[EX_MAX];
	int n;

	(void)state;
	n = ex_check(ex_find("echo-epoll"), &r, NULL, 0, LANG_EN, v, EX_MAX);
	for (int i = 0; i < n; i++) {
		assert_false(v[i].pass);
		assert_string_equal(v[i].line, "your server did not accept connections on its port within 10 s");
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exercise_table),
		cmocka_unit_test(test_exercise_epoll_pass),
		cmocka_unit_test(test_exercise_blocking_fails),
		cmocka_unit_test(test_exercise_epoll_read_blocks),
		cmocka_unit_test(test_exercise_offset),
		cmocka_unit_test(test_exercise_select),
		cmocka_unit_test(test_exercise_launcher),
		cmocka_unit_test(test_exercise_no_threads),
		cmocka_unit_test(test_exercise_chat),
		cmocka_unit_test(test_exercise_writes),
		cmocka_unit_test(test_exercise_play_failed),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("exercise", tests, NULL, NULL);
}
