/* test_sink_fork.c: events from a child process (sink_forked,
 * probe_forked; trace/FORMAT.md, "Events from child processes").  A
 * real fork: the child pushes into a ring made before the fork and wakes
 * the parent's loop through the sink's wake descriptor; the parent's
 * loop, run by the test and woken by nothing else, drains it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include "models/probe.h"
#include "trace/ring.h"
#include "trace/sink.h"

#define WAIT_MS 5000

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;             /* the directory's own */
}

/* The first event of actor a of kind with flags (masked), or -1. */
static long find(const struct trace *t, int a, int kind, int flags)
{
	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->actor == a && ev->kind == kind && (ev->flags & TRACE_F_END) == flags)
			return (long)i;
	}
	return -1;
}

struct fix {
	uv_loop_t loop;
	uv_timer_t tick;          /* bounds each loop pass; drains nothing */
	struct trace *t;
	struct sink *s;
	struct probe server;      /* actor 1 */
};

static void tick_cb(uv_timer_t *h)
{
	(void)h;
}

static void fix_open(struct fix *f)
{
	assert_int_equal(uv_loop_init(&f->loop), 0);
	assert_non_null(f->t = trace_new());
	assert_int_equal(trace_add_actor(f->t, "S", "process-per-conn", TRACE_CAP_SPAWNS, "", ""), 1);
	assert_int_equal(sink_new(&f->loop, f->t, &f->s), 0);
	f->server = (struct probe){ .sink = f->s, .ring = sink_ring_new(f->s, 1), .actor = 1 };
	assert_non_null(f->server.ring);
	uv_timer_init(&f->loop, &f->tick);
	uv_timer_start(&f->tick, tick_cb, 10, 10);
}

static void fix_close(struct fix *f)
{
	uv_close((uv_handle_t *)&f->tick, NULL);
	sink_close(f->s);
	uv_run(&f->loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&f->loop), 0);
	sink_free(f->s);
	trace_free(f->t);
}

/* Run the loop (never sink_drain) until actor a's end is in the trace. */
static bool loop_until_end(struct fix *f, int a)
{
	int64_t until = trace_mono_ns() + (int64_t)WAIT_MS * 1000000;

	while (trace_mono_ns() < until) {
		uv_run(&f->loop, UV_RUN_ONCE);
		if (find(f->t, a, TRACE_ACTOR, TRACE_F_END) >= 0)
			return true;
	}
	return false;
}

static void __attribute__((noreturn)) child_body(struct probe *mine, int fd)
{
	char c;

	probe_attach(mine);
	probe_forked();
	probe_actor_begin();
	probe_note("a child's note", "子进程的说明");
	/* Blocks until the parent writes: the child's wake before the call
	 * is what lets the parent see the begin meanwhile. */
	(void)probe_recv(fd, &c, 1, 0, true, 0);
	probe_actor_end();
	_exit(0);
}

/* A child's begin (with its own pid), note, read and end reach the
 * parent's trace, woken through the wake descriptor alone. */
static void test_sink_fork_child_events(void **state)
{
	struct fix f;
	struct probe kid;
	const struct trace_ev *ev;
	int sv[2], st;
	long at;
	pid_t pid;

	(void)state;
	fix_open(&f);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	probe_attach(&f.server);
	assert_int_equal(probe_actor_new(&kid, &(struct sink_actor){
		.name = "S.1", .model = "process-per-conn", .caps = TRACE_CAP_PHASES,
		.label_en = "S's process for connection 1", .label_zh = "S 为第 1 个连接开的进程" }), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		child_body(&kid, sv[0]);
	probe_attach(NULL);
	/* The begin arrives while the child is blocked in its read. */
	{
		int64_t until = trace_mono_ns() + (int64_t)WAIT_MS * 1000000;

		while ((at = find(f.t, 2, TRACE_ENTER, 0)) < 0 && trace_mono_ns() < until)
			uv_run(&f.loop, UV_RUN_ONCE);
	}
	assert_true(at >= 0);
	assert_int_equal(write(sv[1], "x", 1), 1);
	assert_true(loop_until_end(&f, 2));
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	assert_int_equal(trace_hdr(f.t)->nactors, 3);
	assert_string_equal(trace_hdr(f.t)->actors[2].name, "S.1");
	assert_int_equal(trace_hdr(f.t)->actors[2].parent, 1);
	at = find(f.t, 2, TRACE_ACTOR, 0);
	assert_true(at >= 0);
	ev = trace_at(f.t, (size_t)at);
	assert_int_equal(ev->pid, pid);
	assert_int_equal(ev->tid, pid);           /* its only thread */
	assert_true(ev->pid != getpid());
	at = find(f.t, 2, TRACE_NOTE, 0);
	assert_true(at >= 0);
	assert_string_equal(trace_at(f.t, (size_t)at)->text[0], "a child's note");
	at = find(f.t, 2, TRACE_EXIT, 0);
	assert_true(at >= 0);
	assert_int_equal(trace_at(f.t, (size_t)at)->ret, 1);
	assert_int_equal(sink_refused(f.s), 0);
	close(sv[0]);
	close(sv[1]);
	fix_close(&f);
}

/* A ring from ring_new is shared: what a child pushes, the parent pops;
 * ring_last sees the child's last event once it is gone. */
static void test_sink_fork_ring_shared(void **state)
{
	struct ring *r = ring_new();
	struct trace_ev out[8];
	int st;
	pid_t pid;

	(void)state;
	assert_non_null(r);
	assert_null(ring_last(r));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (int i = 0; i < 5; i++)
			ring_push(r, &(struct trace_ev){ .kind = TRACE_ENTER, .t_ns = i + 1 });
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_int_equal(ring_count(r), 5);
	assert_non_null(ring_last(r));
	assert_int_equal(ring_last(r)->t_ns, 5);
	assert_int_equal(ring_pop(r, out, 8), 5);
	assert_int_equal(out[0].t_ns, 1);
	assert_int_equal(out[4].t_ns, 5);
	assert_int_equal(ring_last(r)->t_ns, 5);    /* popping does not erase */
	ring_free(r);
}

/* A probe zeroed because its thread is untraced (probe_actor_new said
 * -EPERM or -ENOSPC, or the bench's threads): a call that may block
 * wakes nobody, and does not crash on the missing sink; nor does the
 * wake at a model thread's end. */
static void test_sink_fork_untraced_wake(void **state)
{
	struct probe zero = { 0 };

	(void)state;
	probe_attach(&zero);
	probe_forked();
	(void)probe_enter(TRACE_CALL_RECVFROM, 3, true);
	probe_idle(false, 0, 0);
	probe_actor_end();
	probe_attach(NULL);
	sink_wake(NULL);          /* what model.c does when its thread ends */
}

/* sink_actor_name: the header's actors by index, announced ones by id. */
static void test_sink_fork_actor_name(void **state)
{
	struct fix f;
	int id;

	(void)state;
	fix_open(&f);
	assert_string_equal(sink_actor_name(f.s, 1), "S");
	assert_string_equal(sink_actor_name(f.s, 0), "world");
	assert_null(sink_actor_name(f.s, 2));
	assert_null(sink_actor_name(f.s, -1));
	id = sink_actor_new(f.s, &(struct sink_actor){ .name = "S.1", .parent = 1 });
	assert_int_equal(id, SINK_ACTOR_NEW);
	assert_string_equal(sink_actor_name(f.s, id), "S.1");
	assert_null(sink_actor_name(f.s, id + 1));
	fix_close(&f);
}

/* The wake descriptor is the sink's: made by sink_new, closed by
 * sink_free. */
static void test_sink_fork_no_fd_leak(void **state)
{
	int before = count_fds();
	struct fix f;

	(void)state;
	fix_open(&f);
	assert_true(sink_wake_fd(f.s) >= 0);
	fix_close(&f);
	assert_int_equal(count_fds(), before);
}

/* Out of descriptors, sink_new fails cleanly (its eventfd comes first,
 * before any handle): nothing is left open or allocated. */
static void test_sink_fork_new_emfile(void **state)
{
	uv_loop_t loop;
	struct trace *t;
	struct sink *s = NULL;
	int fill[256], n = 0, fd, before;
	struct rlimit old, low;

	(void)state;
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_non_null(t = trace_new());
	before = count_fds();
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = 256;           /* the fill below reaches it */
	if (before > 200 || old.rlim_cur < 256 || setrlimit(RLIMIT_NOFILE, &low) != 0)
		skip();
	while (n < (int)(sizeof fill / sizeof fill[0]) && (fd = dup(0)) >= 0)
		fill[n++] = fd;
	assert_int_equal(errno, EMFILE);
	assert_int_equal(sink_new(&loop, t, &s), -EMFILE);
	while (n > 0)
		close(fill[--n]);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_null(s);
	assert_int_equal(count_fds(), before);
	assert_int_equal(uv_run(&loop, UV_RUN_NOWAIT), 0);
	assert_int_equal(uv_loop_close(&loop), 0);
	trace_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sink_fork_child_events),
		cmocka_unit_test(test_sink_fork_ring_shared),
		cmocka_unit_test(test_sink_fork_untraced_wake),
		cmocka_unit_test(test_sink_fork_actor_name),
		cmocka_unit_test(test_sink_fork_no_fd_leak),
		cmocka_unit_test(test_sink_fork_new_emfile),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
