/* attach_traces.h: a traced program's trace built by hand, as
 * trace/FORMAT.md ("Traced programs") says an attach trace looks: the
 * header holds the world only, with the command, the pid attached to and
 * the tracer's measured cost; every thread is announced (COMM.TID, its
 * label "pid P thread T (comm)"); calls carry the kernel's own names
 * (pselect6, accept4, sendto); a blocking read is one wait with
 * TRACE_F_WHOLE and no copy; models come by model events with their
 * evidence; no arrive, no steps.
 *
 * The program: `python3 srv.py 8000` (pid 4242), a chat server whose
 * main thread serves its clients with select.select, and whose console
 * thread (4243) reads the operator's commands from the terminal with a
 * blocking read of fd 0.  For the narration's and the screen's tests.
 * Header-only (static inline): the Makefile links each test on its own. */
#ifndef IOSCOPE_TESTS_ATTACH_TRACES_H
#define IOSCOPE_TESTS_ATTACH_TRACES_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>

#include "trace/trace.h"

#define AT_PID 4242
#define AT_MAIN 1                /* python3.4242: the select loop */
#define AT_CONSOLE 2             /* python3.4243: the console thread */

static inline void at_add(struct trace *t, struct trace_ev e)
{
	if (trace_append(t, &e) != 0)
		fail_msg("event of kind %d at %lld refused", e.kind, (long long)e.t_ns);
}

static inline struct trace_ev at_of(int kind, int actor, int64_t t_us)
{
	return (struct trace_ev){ .kind = (uint8_t)kind, .actor = (uint16_t)actor,
				  .t_ns = t_us * 1000, .fd = -1, .step = -1 };
}

/* A call's enter, or its exit dur_us later (its t_us is the exit's). */
static inline void at_call(struct trace *t, int actor, int kind, int call, const char *sys,
			   int fd, int64_t t_us, int64_t ret, int64_t dur_us)
{
	struct trace_ev e = at_of(kind, actor, t_us);

	e.call = (uint16_t)call;
	e.syscall = sys != NULL ? trace_intern(t, sys) : NULL;
	e.fd = fd;
	if (kind == TRACE_EXIT) {
		e.ret = ret;
		e.dur_ns = dur_us * 1000;
	}
	at_add(t, e);
}

/* pselect6: its enter with the read set, or its exit with what came back. */
static inline void at_select(struct trace *t, int kind, int64_t t_us, const int *fds, int n,
			     int nfds, int64_t dur_us)
{
	struct trace_ev e = at_of(kind, AT_MAIN, t_us);

	e.call = TRACE_CALL_SELECT;
	e.syscall = trace_intern(t, "pselect6");
	e.n = nfds;
	trace_ev_set_fds(&e, fds, n);
	if (kind == TRACE_EXIT) {
		e.ret = n;
		e.dur_ns = dur_us * 1000;
	}
	at_add(t, e);
}

static inline void at_phase(struct trace *t, int actor, int phase, bool end, bool whole,
			    int fd, int64_t t_us)
{
	struct trace_ev e = at_of(TRACE_PHASE, actor, t_us);

	e.phase = (uint8_t)phase;
	e.flags = TRACE_F_BLOCKED | (end ? TRACE_F_END : 0) | (whole ? TRACE_F_WHOLE : 0);
	e.fd = fd;
	at_add(t, e);
}

/* /proc/4242/task/TID, as the sampler reads it. */
static inline void at_state(struct trace *t, int actor, int tid, const char *sc,
			    const char *wchan, int fd, int64_t t_us)
{
	struct trace_ev e = at_of(TRACE_STATE, actor, t_us);

	e.tid = tid;
	e.pid = AT_PID;
	e.state = 'S';
	e.syscall = trace_intern(t, sc);
	e.wchan = trace_intern(t, wchan);
	e.fd = fd;
	at_add(t, e);
}

static inline void at_model(struct trace *t, int actor, const char *model, unsigned caps,
			    const char *en, const char *zh, int64_t t_us)
{
	struct trace_ev e = at_of(TRACE_MODEL, actor, t_us);

	e.model = trace_intern(t, model);
	e.caps = (int32_t)caps;
	e.text[0] = trace_intern(t, en);
	e.text[1] = trace_intern(t, zh);
	at_add(t, e);
}

/* Thread tid of python3, announced (parent: the main thread's actor, or
 * -1), and its begin. */
static inline int at_thread(struct trace *t, int tid, int parent, int64_t t_us)
{
	char name[32], en[64], zh[64];
	struct trace_ev e;
	int i;

	snprintf(name, sizeof name, "python3.%d", tid);
	snprintf(en, sizeof en, "pid %d thread %d (python3)", AT_PID, tid);
	snprintf(zh, sizeof zh, "进程 %d 的线程 %d（python3）", AT_PID, tid);
	i = trace_announce_actor(t, name, "", 0, en, zh, parent);
	assert_true(i > 0);
	e = at_of(TRACE_ACTOR, i, t_us);
	e.tid = tid;
	e.pid = AT_PID;
	at_add(t, e);
	return i;
}

/* The console thread's blocking read of the terminal: one wait that
 * holds its copy, from its enter to its exit (done: it returned bytes
 * at end_us; else it is still asleep). */
static inline void at_console_read(struct trace *t, int64_t t_us, int64_t end_us, int bytes)
{
	at_call(t, AT_CONSOLE, TRACE_ENTER, TRACE_CALL_READ, NULL, 0, t_us, 0, 0);
	at_phase(t, AT_CONSOLE, TRACE_PH_WAIT, false, true, 0, t_us);
	if (end_us <= 0)
		return;
	at_phase(t, AT_CONSOLE, TRACE_PH_WAIT, true, true, 0, end_us);
	at_call(t, AT_CONSOLE, TRACE_EXIT, TRACE_CALL_READ, NULL, 0, end_us, bytes, end_us - t_us);
}

static inline struct trace *attach_trace_select(void)
{
	struct trace *t = trace_new();
	struct trace_hdr *h;
	const int lis[] = { 3 }, both[] = { 3, 5 }, five[] = { 5 };

	assert_non_null(t);
	h = trace_hdr(t);
	h->scenario = trace_intern(t, "attach");
	h->kernel = trace_intern(t, "6.18.44");
	h->started = trace_intern(t, "2026-12-01T23:00:00Z");
	h->speed = 1;
	h->command = trace_intern(t, "python3 srv.py 8000");
	h->attach_pid = AT_PID;
	h->overhead_ns = 38000;
	assert_int_equal(at_thread(t, 4242, -1, 0), AT_MAIN);
	at_select(t, TRACE_ENTER, 10, lis, 1, 4, 0);
	assert_int_equal(at_thread(t, 4243, AT_MAIN, 300), AT_CONSOLE);
	at_console_read(t, 310, 0, 0);
	at_state(t, AT_MAIN, 4242, "pselect6", "do_select", 4, 50000);
	at_state(t, AT_CONSOLE, 4243, "read", "wait_woken", 0, 50000);
	/* a client connects */
	at_select(t, TRACE_EXIT, 800010, lis, 1, 4, 800000);
	at_call(t, AT_MAIN, TRACE_ENTER, TRACE_CALL_ACCEPT, "accept4", 3, 800060, 0, 0);
	at_call(t, AT_MAIN, TRACE_EXIT, TRACE_CALL_ACCEPT, "accept4", 3, 800105, 5, 45);
	at_select(t, TRACE_ENTER, 800120, both, 2, 6, 0);
	at_phase(t, AT_MAIN, TRACE_PH_WAIT, false, false, 5, 800120);
	/* it sends a line: pselect6 hands fd 5 back, recvfrom copies it */
	at_select(t, TRACE_EXIT, 2000120, five, 1, 6, 1200000);
	at_phase(t, AT_MAIN, TRACE_PH_WAIT, true, false, 5, 2000120);
	at_call(t, AT_MAIN, TRACE_ENTER, TRACE_CALL_RECVFROM, NULL, 5, 2000170, 0, 0);
	at_phase(t, AT_MAIN, TRACE_PH_COPY, false, false, 5, 2000170);
	at_phase(t, AT_MAIN, TRACE_PH_COPY, true, false, 5, 2000212);
	at_call(t, AT_MAIN, TRACE_EXIT, TRACE_CALL_RECVFROM, NULL, 5, 2000212, 6, 42);
	at_model(t, AT_MAIN, "select", trace_caps_v1("select"),
		 "select: pselect6 returned fd 5, then recvfrom(5) read 6 bytes",
		 "select：pselect6 返回 fd 5，随后 recvfrom(5) 读到 6 字节", 2000220);
	at_call(t, AT_MAIN, TRACE_ENTER, TRACE_CALL_WRITE, "sendto", 5, 2000230, 0, 0);
	at_call(t, AT_MAIN, TRACE_EXIT, TRACE_CALL_WRITE, "sendto", 5, 2000260, 6, 30);
	at_select(t, TRACE_ENTER, 2000290, both, 2, 6, 0);
	at_phase(t, AT_MAIN, TRACE_PH_WAIT, false, false, 5, 2000290);
	at_state(t, AT_MAIN, 4242, "pselect6", "do_select", 6, 2050000);
	/* the operator types "stats" at the terminal */
	at_phase(t, AT_CONSOLE, TRACE_PH_WAIT, true, true, 0, 3000310);
	at_call(t, AT_CONSOLE, TRACE_EXIT, TRACE_CALL_READ, NULL, 0, 3000310, 6, 3000000);
	at_model(t, AT_CONSOLE, "blocking", trace_caps_v1("blocking"),
		 "blocking: read(0) slept 3.0 s in one call, then returned 6 bytes",
		 "blocking：read(0) 在一次调用里睡了 3.0 秒，然后返回 6 字节", 3000320);
	at_call(t, AT_CONSOLE, TRACE_ENTER, TRACE_CALL_WRITE, NULL, 1, 3000330, 0, 0);
	at_call(t, AT_CONSOLE, TRACE_EXIT, TRACE_CALL_WRITE, NULL, 1, 3000382, 24, 52);
	/* and "quit" 1.5 s later; then it waits again */
	at_console_read(t, 3000400, 4500400, 5);
	at_console_read(t, 4500500, 0, 0);
	at_state(t, AT_CONSOLE, 4243, "read", "wait_woken", 0, 4550000);
	return t;
}

#endif
