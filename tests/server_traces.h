/* server_traces.h: traces of the server models (issue 14) built by hand
 * as trace/FORMAT.md and the models' conventions say they look: a server
 * S whose children are announced (S.1 a thread per connection, S.w1 a
 * pool's worker, S.co1 a coroutine), futex and clone with fd -1, set
 * workq.  For the screens, the narration and the exports of them.
 * Header-only (static inline): the Makefile links each test on its own. */
#ifndef IOSCOPE_TESTS_SERVER_TRACES_H
#define IOSCOPE_TESTS_SERVER_TRACES_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>

#include "trace/trace.h"

#define SRV_PID 4300             /* S's process, and its main thread */

struct sb {
	struct trace *t;
	int64_t now;             /* ns; each event 10 µs after the last */
	int step;
};

static inline void sb_add(struct sb *b, struct trace_ev e)
{
	b->now += 10000;
	e.t_ns = b->now;
	if (trace_append(b->t, &e) != 0)
		fail_msg("event of kind %d refused", e.kind);
}

static inline struct trace_ev sb_of(int kind, int actor)
{
	return (struct trace_ev){ .kind = (uint8_t)kind, .actor = (uint16_t)actor, .fd = -1,
				  .step = -1 };
}

static inline void sb_caption(struct sb *b, const char *en, const char *zh)
{
	struct trace_ev e = sb_of(TRACE_CAPTION, TRACE_WORLD);

	e.text[0] = trace_intern(b->t, en);
	e.text[1] = trace_intern(b->t, zh);
	e.step = b->step++;
	sb_add(b, e);
}

static inline void sb_call(struct sb *b, int actor, int kind, int call, int fd, int64_t ret,
			   int64_t dur)
{
	struct trace_ev e = sb_of(kind, actor);

	e.call = (uint16_t)call;
	e.fd = fd;
	e.ret = ret;
	e.dur_ns = dur;
	if (call == TRACE_CALL_EPOLL_WAIT && kind == TRACE_ENTER)
		e.n = 64;                    /* maxevents */
	sb_add(b, e);
}

static inline void sb_phase(struct sb *b, int actor, int phase, bool end, int fd)
{
	struct trace_ev e = sb_of(TRACE_PHASE, actor);

	e.phase = (uint8_t)phase;
	e.flags = TRACE_F_BLOCKED | (end ? TRACE_F_END : 0);
	e.fd = fd;
	sb_add(b, e);
}

static inline void sb_state(struct sb *b, int actor, int tid, char st, const char *sc,
			    const char *wchan, int fd)
{
	struct trace_ev e = sb_of(TRACE_STATE, actor);

	e.tid = tid;
	e.pid = SRV_PID;
	e.state = st;
	e.syscall = trace_intern(b->t, sc);
	e.wchan = trace_intern(b->t, wchan);
	e.fd = fd;
	sb_add(b, e);
}

static inline void sb_arrive(struct sb *b, int actor, int fd, int bytes)
{
	struct trace_ev e = sb_of(TRACE_ARRIVE, actor);

	e.fd = fd;
	e.ret = bytes;
	e.step = b->step - 1;
	sb_add(b, e);
}

/* A whole read of data already there, as models/blocking.c records it. */
static inline void sb_read_there(struct sb *b, int actor, int fd, int bytes)
{
	sb_call(b, actor, TRACE_ENTER, TRACE_CALL_RECVFROM, fd, 0, 0);
	b->now -= 10000;                 /* its copy begins with the call */
	sb_phase(b, actor, TRACE_PH_COPY, false, fd);
	sb_phase(b, actor, TRACE_PH_COPY, true, fd);
	sb_call(b, actor, TRACE_EXIT, TRACE_CALL_RECVFROM, fd, bytes, 20000);
}

/* A read (call: recvfrom, or recvmsg for the servers that block in one
 * read per connection) that waits for its data, which has come: its
 * second half. */
static inline void sb_read_rest(struct sb *b, int actor, int call, int fd, int bytes,
				int64_t waited)
{
	sb_phase(b, actor, TRACE_PH_WAIT, true, fd);
	sb_phase(b, actor, TRACE_PH_COPY, false, fd);
	sb_phase(b, actor, TRACE_PH_COPY, true, fd);
	sb_call(b, actor, TRACE_EXIT, call, fd, bytes, waited);
}

/* The world's data on fd put it on S's epoll ready list. */
static inline void e_ready(struct sb *b, int fd)
{
	struct trace_ev e = sb_of(TRACE_READY, 1);

	e.what = TRACE_READY_INFERRED;
	e.fd = fd;
	e.step = b->step - 1;
	sb_add(b, e);
}

/* S's epoll_ctl ADD of fd, and its interest list after it: fds[0 .. n). */
static inline void sb_interest(struct sb *b, const int *fds, int n)
{
	struct trace_ev e = sb_of(TRACE_ENTER, 1);

	e.call = TRACE_CALL_EPOLL_CTL;
	e.fd = 4;
	e.what = TRACE_OP_ADD;
	e.arg = fds[n - 1];
	sb_add(b, e);
	e.kind = TRACE_EXIT;
	e.dur_ns = 3000;
	sb_add(b, e);
	e = sb_of(TRACE_SET, 1);
	e.what = TRACE_SET_INTEREST;
	e.n = n;
	trace_ev_set_fds(&e, fds, n);
	sb_add(b, e);
}

static inline void sb_workq(struct sb *b, int actor, int n, int max, const int *fds)
{
	struct trace_ev e = sb_of(TRACE_SET, actor);

	e.what = TRACE_SET_WORKQ;
	e.n = n;
	e.arg = max;
	trace_ev_set_fds(&e, fds, n);
	sb_add(b, e);
}

/* Announce child "S<suffix><k>" of S (actor 1), with its begin. */
static inline int sb_child(struct sb *b, const char *suffix, int k, const char *model,
			   unsigned caps, const char *en, const char *zh, int tid)
{
	char name[32], l_en[96], l_zh[96];
	struct trace_ev e;
	int i;

	snprintf(name, sizeof name, "S.%s%d", suffix, k);
	snprintf(l_en, sizeof l_en, en, k);
	snprintf(l_zh, sizeof l_zh, zh, k);
	i = trace_announce_actor(b->t, name, model, caps, l_en, l_zh, 1);
	assert_true(i > 1);
	e = sb_of(TRACE_ACTOR, i);
	e.tid = tid;
	e.pid = SRV_PID;
	sb_add(b, e);
	return i;
}

static inline struct sb sb_new(const char *scenario, const char *model, unsigned caps,
			       const char *en, const char *zh)
{
	struct sb b = { trace_new(), 0, 0 };
	struct trace_hdr *h;

	assert_non_null(b.t);
	h = trace_hdr(b.t);
	h->scenario = trace_intern(b.t, scenario);
	h->kernel = trace_intern(b.t, "6.18.44");
	h->started = trace_intern(b.t, "2026-12-01T21:00:00Z");
	h->speed = 1;
	assert_int_equal(trace_add_actor(b.t, "S", model, caps, en, zh), 1);
	return b;
}

/* thread-per-conn: S accepts 30 connections and makes a thread for each
 * (S.1 .. S.30); two clients send a line, which their threads read and
 * echo; the other 28 sleep in recvfrom. */
static inline struct trace *server_trace_tpc(void)
{
	struct sb b = sb_new("servers", "thread-per-conn", TRACE_CAP_SPAWNS,
			     "a server: a thread per connection", "服务器：每个连接一个线程");
	int child[31];

	sb_caption(&b, "30 clients connect; S makes a thread for each",
		   "30 个客户端连上来；S 为每个连接开一个线程");
	for (int k = 1; k <= 30; k++) {
		sb_call(&b, 1, TRACE_ENTER, TRACE_CALL_ACCEPT, 3, 0, 0);
		sb_call(&b, 1, TRACE_EXIT, TRACE_CALL_ACCEPT, 3, 9 + k, 30000);
		child[k] = sb_child(&b, "", k, "thread-per-conn", TRACE_CAP_PHASES,
				    "S's thread for connection %d", "S 为第 %d 个连接开的线程",
				    SRV_PID + k);
		sb_call(&b, 1, TRACE_ENTER, TRACE_CALL_CLONE, -1, 0, 0);
		sb_call(&b, 1, TRACE_EXIT, TRACE_CALL_CLONE, -1, 0, 45000);
		sb_call(&b, child[k], TRACE_ENTER, TRACE_CALL_RECVMSG, 9 + k, 0, 0);
		sb_phase(&b, child[k], TRACE_PH_WAIT, false, 9 + k);
	}
	sb_call(&b, 1, TRACE_ENTER, TRACE_CALL_ACCEPT, 3, 0, 0);
	sb_state(&b, 1, SRV_PID, 'S', "accept", "inet_csk_accept", 3);
	for (int k = 1; k <= 30; k++)
		sb_state(&b, child[k], SRV_PID + k, 'S', "recvmsg", "sk_wait_data", 9 + k);
	b.now += 800000000;
	sb_caption(&b, "Two clients send a line; their threads wake, read it and echo it",
		   "两个客户端各发来一行；它们的线程醒来，读到它并原样写回");
	for (int k = 3; k <= 17; k += 14) {
		sb_arrive(&b, child[k], 9 + k, 6);
		sb_read_rest(&b, child[k], TRACE_CALL_RECVMSG, 9 + k, 6, 800000000);
		sb_call(&b, child[k], TRACE_ENTER, TRACE_CALL_WRITE, 9 + k, 0, 0);
		sb_call(&b, child[k], TRACE_EXIT, TRACE_CALL_WRITE, 9 + k, 6, 15000);
	}
	return b.t;
}

/* thread-pool: S reads requests with epoll and pushes them into a queue
 * of 4; four workers (S.w1 .. S.w4) take them.  Step 0: the queue is
 * empty and the workers sleep in futex; step 1: eight requests at once,
 * the workers are busy with four, four wait in the queue, which is full,
 * and S sleeps in futex.  *empty_at: the events of step 0. */
static inline struct trace *server_trace_pool(size_t *empty_at)
{
	struct sb b = sb_new("producer-consumer", "thread-pool",
			     TRACE_CAP_PHASES | TRACE_CAP_INTEREST | TRACE_CAP_QUEUE,
			     "reads requests with epoll and queues them for 4 workers",
			     "用 epoll 读请求，放进队列交给 4 个工作线程");
	int w[5], fds[8];

	sb_caption(&b, "S starts four workers; nothing to do yet",
		   "S 启动四个工作线程；暂时无事可做");
	sb_workq(&b, 1, 0, 4, NULL);
	for (int k = 1; k <= 4; k++) {
		w[k] = sb_child(&b, "w", k, "thread-pool", TRACE_CAP_QUEUE,
				"S's worker %d: takes requests from the queue",
				"S 的第 %d 个工作线程：从队列里取请求", SRV_PID + k);
		sb_call(&b, 1, TRACE_ENTER, TRACE_CALL_CLONE, -1, 0, 0);
		sb_call(&b, 1, TRACE_EXIT, TRACE_CALL_CLONE, -1, 0, 52000);
	}
	for (int k = 1; k <= 4; k++)
		sb_call(&b, w[k], TRACE_ENTER, TRACE_CALL_FUTEX, -1, 0, 0);
	for (int k = 0; k < 8; k++) {      /* its clients, connected before */
		fds[k] = 10 + k;
		sb_interest(&b, fds, k + 1);
	}
	sb_call(&b, 1, TRACE_ENTER, TRACE_CALL_EPOLL_WAIT, 4, 0, 0);
	sb_state(&b, 1, SRV_PID, 'S', "epoll_wait", "ep_poll", 4);
	for (int k = 1; k <= 4; k++)
		sb_state(&b, w[k], SRV_PID + k, 'S', "futex", "futex_wait_queue", -1);
	*empty_at = trace_count(b.t);
	b.now += 500000000;
	sb_caption(&b, "Eight requests at once: the workers are slow, the queue fills up",
		   "一下子来了八个请求：工作线程很慢，队列满了");
	for (int k = 0; k < 8; k++) {
		fds[k] = 10 + k;
		sb_arrive(&b, 1, fds[k], 6);
		e_ready(&b, fds[k]);
	}
	{
		struct trace_ev e = sb_of(TRACE_EXIT, 1);

		e.call = TRACE_CALL_EPOLL_WAIT;
		e.fd = 4;
		e.ret = 8;
		e.n = 8;
		e.dur_ns = 500000000;
		trace_ev_set_fds(&e, fds, 8);
		sb_add(&b, e);
		e = sb_of(TRACE_SET, 1);
		e.what = TRACE_SET_SCAN;
		e.n = 8;
		trace_ev_set_fds(&e, fds, 8);
		sb_add(&b, e);
	}
	for (int k = 0; k < 4; k++) {      /* each taken at once by a worker */
		sb_read_there(&b, 1, fds[k], 6);
		sb_workq(&b, 1, 1, 4, &fds[k]);
		sb_call(&b, w[k + 1], TRACE_EXIT, TRACE_CALL_FUTEX, -1, 0, 500000000);
		sb_workq(&b, w[k + 1], 0, 4, NULL);
		{
			struct trace_ev e = sb_of(TRACE_IDLE, w[k + 1]);

			e.count = 1;
			sb_add(&b, e);
		}
	}
	for (int k = 4; k < 8; k++) {      /* the rest wait in the queue */
		sb_read_there(&b, 1, fds[k], 6);
		sb_workq(&b, 1, k - 3, 4, &fds[4]);
	}
	sb_call(&b, 1, TRACE_ENTER, TRACE_CALL_FUTEX, -1, 0, 0);
	sb_state(&b, 1, SRV_PID, 'S', "futex", "futex_wait_queue", -1);
	return b.t;
}

/* coroutines: S's one thread runs an epoll loop and three coroutines
 * (S.co1 .. S.co3), each in a recv that looks blocking; co2's client
 * sends a line, S resumes it, it echoes and parks again; all three are
 * parked while S sleeps in epoll_wait. */
static inline struct trace *server_trace_coroutines(void)
{
	struct sb b = sb_new("servers", "coroutines", TRACE_CAP_INTEREST | TRACE_CAP_SERVES,
			     "one thread, an epoll loop, a coroutine per connection",
			     "一个线程、一个 epoll 循环，每个连接一个协程");
	int co[4], fds[3];

	sb_caption(&b, "Three clients connect; S starts a coroutine for each, on its own thread",
		   "三个客户端连上来；S 在自己的线程上为每个连接启动一个协程");
	for (int k = 1; k <= 3; k++) {
		sb_call(&b, 1, TRACE_ENTER, TRACE_CALL_ACCEPT, 3, 0, 0);
		sb_call(&b, 1, TRACE_EXIT, TRACE_CALL_ACCEPT, 3, 9 + k, 25000);
		fds[k - 1] = 9 + k;
		sb_interest(&b, fds, k);
		co[k] = sb_child(&b, "co", k, "coroutines", TRACE_CAP_PHASES | TRACE_CAP_COROUTINE,
				 "S's coroutine for connection %d", "S 为第 %d 个连接开的协程",
				 SRV_PID);
		sb_call(&b, co[k], TRACE_ENTER, TRACE_CALL_RECVFROM, 9 + k, 0, 0);
		sb_phase(&b, co[k], TRACE_PH_WAIT, false, 9 + k);
	}
	sb_call(&b, 1, TRACE_ENTER, TRACE_CALL_EPOLL_WAIT, 4, 0, 0);
	sb_state(&b, 1, SRV_PID, 'S', "epoll_wait", "ep_poll", 4);
	b.now += 700000000;
	sb_caption(&b, "co2's client sends a line: epoll_wait returns, S resumes co2",
		   "co2 的客户端发来一行：epoll_wait 返回，S 恢复 co2");
	sb_arrive(&b, co[2], 11, 6);
	e_ready(&b, 11);
	{
		struct trace_ev e = sb_of(TRACE_EXIT, 1);

		e.call = TRACE_CALL_EPOLL_WAIT;
		e.fd = 4;
		e.ret = 1;
		e.n = 1;
		e.dur_ns = 700000000;
		trace_ev_set_fds(&e, &fds[1], 1);
		sb_add(&b, e);
		e = sb_of(TRACE_SET, 1);
		e.what = TRACE_SET_SCAN;
		e.n = 1;
		trace_ev_set_fds(&e, &fds[1], 1);
		sb_add(&b, e);
	}
	sb_read_rest(&b, co[2], TRACE_CALL_RECVFROM, 11, 6, 700000000);
	sb_call(&b, co[2], TRACE_ENTER, TRACE_CALL_WRITE, 11, 0, 0);
	sb_call(&b, co[2], TRACE_EXIT, TRACE_CALL_WRITE, 11, 6, 12000);
	sb_call(&b, co[2], TRACE_ENTER, TRACE_CALL_RECVFROM, 11, 0, 0);
	sb_phase(&b, co[2], TRACE_PH_WAIT, false, 11);
	sb_call(&b, 1, TRACE_ENTER, TRACE_CALL_EPOLL_WAIT, 4, 0, 0);
	sb_state(&b, 1, SRV_PID, 'S', "epoll_wait", "ep_poll", 4);
	return b.t;
}

#endif
