/* test_procwatch.c: attach without ptrace: a child process of the test,
 * one thread asleep in read on a pipe and its main thread in epoll_wait
 * (edge-triggered), watched from /proc only: each thread an actor with
 * its state and a model read from where it sleeps, the interest list, the
 * note that says what is lost; threads that come and go; the end. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include "attach/procwatch.h"
#include "trace/sink.h"
#include "tests/harness.h"

#define LIMIT_MS 10000

struct fix {
	uv_loop_t loop;
	uv_timer_t poll;
	struct trace *t;
	struct sink *s;
	struct procwatch *pw;
	pid_t child;
	int ctl;                  /* the test writes here: the child acts */
	int ended;
	bool (*until)(struct fix *f);
	int met;
};

/* ---- the child ---- */

static int rd_pipe[2];

static void *reader_main(void *arg)
{
	char b;

	(void)arg;
	if (read(rd_pipe[0], &b, 1) < 0)
		return NULL;
	return NULL;
}

/* The byte that started it, then the one that ends it. */
static void *late_main(void *arg)
{
	char b;

	if (read(*(int *)arg, &b, 1) < 0 || read(*(int *)arg, &b, 1) < 0)
		return NULL;
	return NULL;
}

/* One thread in read(rd_pipe), main in epoll_wait on an EPOLLET pipe;
 * a byte on ctl starts a third thread (in read on ctl), which ends at
 * the next byte. */
static void child_main(int ctl)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	int ep_pipe[2], ep;
	pthread_t th, late;

	if (pipe(rd_pipe) != 0 || pipe(ep_pipe) != 0 || (ep = epoll_create1(0)) < 0)
		_exit(2);
	ev.data.fd = ep_pipe[0];
	if (epoll_ctl(ep, EPOLL_CTL_ADD, ep_pipe[0], &ev) != 0)
		_exit(2);
	if (pthread_create(&th, NULL, reader_main, NULL) != 0)
		_exit(2);
	for (;;) {
		struct epoll_event out;
		struct epoll_event cev = { .events = EPOLLIN, .data.fd = ctl };

		epoll_ctl(ep, EPOLL_CTL_ADD, ctl, &cev);
		if (epoll_wait(ep, &out, 1, -1) == 1 && out.data.fd == ctl) {
			epoll_ctl(ep, EPOLL_CTL_DEL, ctl, NULL);
			if (pthread_create(&late, NULL, late_main, &ctl) != 0)
				_exit(2);
			pthread_join(late, NULL);   /* main now in futex: the late one reads */
		}
	}
}

static pid_t child_start(int *ctl)
{
	int p[2];
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	assert_true((pid = fork()) >= 0);
	if (pid == 0) {
		close(p[1]);
		child_main(p[0]);
		_exit(0);
	}
	close(p[0]);
	*ctl = p[1];
	return pid;
}

/* ---- the loop, until a condition ---- */

static void poll_cb(uv_timer_t *h)
{
	struct fix *f = h->data;

	sink_drain(f->s);
	if (f->until != NULL && f->until(f)) {
		f->met = 1;
		uv_stop(&f->loop);
	}
}

static void run_until(struct fix *f, bool (*until)(struct fix *f))
{
	uint64_t start = uv_now(&f->loop);

	f->until = until;
	f->met = 0;
	uv_timer_start(&f->poll, poll_cb, 5, 5);
	while (!f->met && uv_now(&f->loop) - start < LIMIT_MS) {
		uv_run(&f->loop, UV_RUN_ONCE);
		uv_update_time(&f->loop);
	}
	uv_timer_stop(&f->poll);
	assert_true(f->met);
}

static void end_cb(void *arg)
{
	((struct fix *)arg)->ended = 1;
}

static void fix_open(struct fix *f)
{
	struct procwatch_opts o = { .parent = -1, .why = "a test", .on_end = end_cb, .arg = f };

	memset(f, 0, sizeof *f);
	assert_int_equal(uv_loop_init(&f->loop), 0);
	uv_timer_init(&f->loop, &f->poll);
	f->poll.data = f;
	assert_non_null(f->t = trace_new());
	assert_int_equal(sink_new(&f->loop, f->t, &f->s), 0);
	f->child = child_start(&f->ctl);
	o.sink = f->s;
	o.pid = f->child;
	assert_int_equal(procwatch_start(&f->loop, &o, &f->pw), 0);
}

static void fix_close(struct fix *f)
{
	int st;

	procwatch_stop(f->pw);
	if (f->child > 0) {
		kill(f->child, SIGKILL);
		waitpid(f->child, &st, 0);
	}
	close(f->ctl);
	sink_close(f->s);
	uv_close((uv_handle_t *)&f->poll, NULL);
	uv_run(&f->loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&f->loop), 0);
	procwatch_free(f->pw);
	sink_free(f->s);
	trace_free(f->t);
}

/* ---- what the trace holds ---- */

static int actor_of_tid(struct trace *t, pid_t tid)
{
	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->kind == TRACE_ACTOR && !(ev->flags & TRACE_F_END) && ev->tid == tid)
			return ev->actor;
	}
	return -1;
}

/* An actor asleep (S) in syscall, by a state event. */
static int actor_in(struct trace *t, const char *syscall)
{
	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->kind == TRACE_STATE && ev->state == 'S' && ev->syscall != NULL &&
		    strcmp(ev->syscall, syscall) == 0)
			return ev->actor;
	}
	return -1;
}

static const char *model_of(struct trace *t, int actor)
{
	const char *m = NULL;

	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->kind == TRACE_MODEL && ev->actor == actor)
			m = ev->model;
	}
	return m;
}

static size_t count_kind(struct trace *t, int kind, int actor)
{
	size_t n = 0;

	for (size_t i = 0; i < trace_count(t); i++)
		n += trace_at(t, i)->kind == kind && (actor < 0 || trace_at(t, i)->actor == actor);
	return n;
}

static bool both_asleep(struct fix *f)
{
	int a = actor_in(f->t, "read"), b = actor_in(f->t, "epoll_wait");

	return a > 0 && b > 0 && model_of(f->t, a) != NULL && model_of(f->t, b) != NULL;
}

static bool late_reads(struct fix *f)
{
	return procwatch_threads(f->pw) == 3;
}

static bool late_gone(struct fix *f)
{
	return procwatch_threads(f->pw) == 2;
}

static bool gone(struct fix *f)
{
	return f->ended;
}

/* ---- the tests ---- */

static void test_procwatch_threads(void **state)
{
	struct fix f;
	const struct trace_hdr *h;
	int reader, main_a;
	char name[32];

	(void)state;
	fix_open(&f);
	run_until(&f, both_asleep);
	h = trace_hdr_c(f.t);
	reader = actor_in(f.t, "read");
	main_a = actor_in(f.t, "epoll_wait");
	assert_int_equal(main_a, actor_of_tid(f.t, f.child));
	assert_true(reader != main_a);
	/* Names: comm cut to 8, then the tid; labels say pid and thread. */
	snprintf(name, sizeof name, ".%d", (int)f.child);
	assert_non_null(strstr(h->actors[main_a].name, name));
	assert_true(h->actors[main_a].announced);
	assert_non_null(strstr(h->actors[main_a].label[0], "thread"));
	assert_string_equal(model_of(f.t, reader), "blocking");
	/* The interest list holds one edge-triggered pipe: epoll-et. */
	assert_string_equal(model_of(f.t, main_a), "epoll-et");
	assert_true(count_kind(f.t, TRACE_SET, main_a) >= 1);
	assert_true(count_kind(f.t, TRACE_NOTE, main_a) >= 1);
	/* The world's note first: what is lost without ptrace. */
	assert_int_equal(trace_at(f.t, 0)->kind, TRACE_NOTE);
	assert_non_null(strstr(trace_at(f.t, 0)->text[0], "no copies, no EAGAIN tries"));
	assert_non_null(strstr(trace_at(f.t, 0)->text[0], "a test"));
	assert_true(*trace_at(f.t, 0)->text[1] != '\0');
	/* Gone: every actor ends, and the end is told. */
	kill(f.child, SIGKILL);
	waitpid(f.child, NULL, 0);
	f.child = 0;
	run_until(&f, gone);
	assert_int_equal(procwatch_threads(f.pw), 0);
	sink_drain(f.s);
	assert_true(trace_hdr_c(f.t)->actors[main_a].ended);
	assert_true(trace_hdr_c(f.t)->actors[reader].ended);
	fix_close(&f);
}

static void test_procwatch_rescan(void **state)
{
	struct fix f;
	unsigned long scans;

	(void)state;
	fix_open(&f);
	run_until(&f, both_asleep);
	assert_int_equal(procwatch_threads(f.pw), 2);
	assert_int_equal(write(f.ctl, "x", 1), 1);      /* a thread appears */
	run_until(&f, late_reads);
	assert_int_equal(write(f.ctl, "y", 1), 1);      /* and ends */
	run_until(&f, late_gone);
	scans = procwatch_scans(f.pw);
	assert_true(scans >= 2);
	assert_false(f.ended);
	fix_close(&f);
}

static void test_procwatch_no_process(void **state)
{
	uv_loop_t loop;
	struct trace *t = trace_new();
	struct sink *s;
	struct procwatch *pw = NULL;
	pid_t pid = fork();
	struct procwatch_opts o = { .parent = -1 };

	(void)state;
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);              /* gone: its pid names no one now */
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_int_equal(sink_new(&loop, t, &s), 0);
	o.sink = s;
	o.pid = pid;
	assert_int_equal(procwatch_start(&loop, &o, &pw), -ESRCH);
	o.pid = 0;
	assert_int_equal(procwatch_start(&loop, &o, &pw), -EINVAL);
	sink_close(s);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0);
	sink_free(s);
	trace_free(t);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_procwatch_threads),
		cmocka_unit_test(test_procwatch_rescan),
		cmocka_unit_test(test_procwatch_no_process),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("procwatch", tests, NULL, NULL);
}
