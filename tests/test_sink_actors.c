/* test_sink_actors.c: a model that starts a thread makes it an actor
 * (probe_actor_new, probe_actor_begin, probe_actor_end, probe_model;
 * sink.h's sink_actor_new).  A toy model thread starts a pthread; the new
 * thread, on a ring of its own, does a real blocking recv on a socketpair
 * and ends.  The trace holds its begin, its events and its end, and the
 * screen gives it a lane. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "models/probe.h"
#include "models/sampler_proc.h"
#include "trace/sink.h"
#include "view/render.h"

struct toy {
	struct probe model;       /* the toy model's thread: actor 1 */
	struct probe child;       /* the thread it starts */
	int fd;                   /* the child's end of the socketpair */
	int started;              /* probe_actor_new's return */
	_Atomic int done;
};

static void *child_main(void *arg)
{
	struct toy *y = arg;
	char buf[16];

	probe_attach(&y->child);
	probe_actor_begin();
	probe_phase(TRACE_PH_WAIT, false, true, y->fd, probe_now(&y->child));
	(void)probe_recv(y->fd, buf, sizeof buf, 0, true, 0);
	probe_phase(TRACE_PH_WAIT, true, true, y->fd, probe_now(&y->child));
	probe_model("toy-done", TRACE_CAP_PHASES | TRACE_CAP_TRIES, "it read its message",
		    "它读到了消息");
	probe_actor_end();
	probe_attach(NULL);
	return NULL;
}

/* The toy model: announce a thread, start it, wait for it. */
static void *model_main(void *arg)
{
	struct toy *y = arg;
	const struct sink_actor a = { .name = "conn-1", .model = "toy", .caps = TRACE_CAP_PHASES,
				      .label_en = "a connection", .label_zh = "一个连接" };
	pthread_t th;

	probe_attach(&y->model);
	y->started = probe_actor_new(&y->child, &a);
	if (y->started == 0 && pthread_create(&th, NULL, child_main, y) == 0)
		pthread_join(th, NULL);
	probe_attach(NULL);
	atomic_store(&y->done, 1);
	return NULL;
}

/* The first event of actor a of kind, from index from; -1 when none. */
static long find(const struct trace *t, int a, int kind, size_t from)
{
	for (size_t i = from; i < trace_count(t); i++)
		if (trace_at(t, i)->actor == a && trace_at(t, i)->kind == kind)
			return (long)i;
	return -1;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	nanosleep(&ts, NULL);
}

/* The child asleep in its recv, as the kernel says; 5 s at most. */
static bool child_asleep(struct sink *s, struct trace *t)
{
	for (int i = 0; i < 5000; i++) {
		long at;
		struct kstate ks;

		sink_drain(s);
		at = find(t, 2, TRACE_ACTOR, 0);
		if (at >= 0 && find(t, 2, TRACE_ENTER, (size_t)at) >= 0 &&
		    sampler_read(trace_at(t, (size_t)at)->tid, &ks) == 0 && ks.state == 'S')
			return true;
		sleep_ms(1);
	}
	return false;
}

static char *screen_of(const struct trace *t)
{
	static struct view v;
	struct tui_state st = { .t = t, .cursor = trace_count(t), .v = &v, .speed = 1, .title = "" };
	struct grid g;
	char *text;

	view_fold(&v, t, st.cursor);
	assert_int_equal(grid_init(&g, 120, 40), 0);
	tui_render(&g, &st);
	text = grid_text(&g);
	grid_free(&g);
	return text;
}

static void test_sink_actors_thread(void **state)
{
	struct timeval limit = { 5, 0 };
	uv_loop_t loop;
	struct trace *t;
	struct sink *s;
	struct toy y = { .started = -1 };
	int sv[2];
	pthread_t th;
	long begin, enter, exit_at, model, end;
	const struct trace_hdr *h;
	char *text;

	(void)state;
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_non_null(t = trace_new());
	assert_int_equal(trace_add_actor(t, "M", "toy", TRACE_CAP_PHASES, "", ""), 1);
	assert_int_equal(sink_new(&loop, t, &s), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	/* A recv that never gets its data still ends. */
	assert_int_equal(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit), 0);
	y.fd = sv[0];
	y.model = (struct probe){ .sink = s, .ring = sink_ring_new(s, 1), .actor = 1 };
	assert_non_null(y.model.ring);
	assert_int_equal(pthread_create(&th, NULL, model_main, &y), 0);
	assert_true(child_asleep(s, t));
	assert_int_equal(write(sv[1], "hello", 5), 5);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(y.started, 0);
	sink_close(s);
	uv_run(&loop, UV_RUN_NOWAIT);

	h = trace_hdr_c(t);
	assert_int_equal(h->nactors, 3);
	assert_string_equal(h->actors[2].name, "conn-1");
	assert_string_equal(h->actors[2].model, "toy");
	assert_int_equal(h->actors[2].caps, TRACE_CAP_PHASES);
	assert_string_equal(h->actors[2].label[1], "一个连接");
	assert_int_equal(h->actors[2].parent, 1);
	assert_true(h->actors[2].announced);
	assert_true(h->actors[2].ended);
	/* Its begin first, its recv, its model, its end last. */
	begin = find(t, 2, TRACE_ACTOR, 0);
	assert_true(begin >= 0);
	assert_false(trace_at(t, (size_t)begin)->flags & TRACE_F_END);
	assert_int_equal(trace_at(t, (size_t)begin)->pid, getpid());
	assert_true(trace_at(t, (size_t)begin)->tid > 0);
	enter = find(t, 2, TRACE_ENTER, 0);
	exit_at = find(t, 2, TRACE_EXIT, 0);
	model = find(t, 2, TRACE_MODEL, 0);
	end = find(t, 2, TRACE_ACTOR, (size_t)begin + 1);
	assert_true(begin < enter && enter < exit_at && exit_at < model && model < end);
	assert_int_equal(trace_at(t, (size_t)exit_at)->ret, 5);
	assert_string_equal(trace_at(t, (size_t)model)->model, "toy-done");
	assert_true(trace_at(t, (size_t)end)->flags & TRACE_F_END);
	assert_int_equal(sink_refused(s), 0);
	assert_int_equal(trace_lost(t), 0);

	text = screen_of(t);
	if (strstr(text, "\nconn-1 toy-do") == NULL)
		fail_msg("no lane for conn-1:\n%s", text);
	free(text);

	sink_free(s);
	assert_int_equal(uv_loop_close(&loop), 0);
	trace_free(t);
	close(sv[0]);
	close(sv[1]);
}

/* An untraced caller gets no actor: the new thread runs untraced, and
 * its probe calls do nothing. */
static void test_sink_actors_untraced(void **state)
{
	struct probe child;
	const struct sink_actor a = { .name = "x", .model = "toy" };

	(void)state;
	probe_attach(NULL);
	assert_int_equal(probe_actor_new(&child, &a), -EPERM);
	assert_null(child.ring);
	probe_attach(&child);
	probe_actor_begin();
	probe_actor_end();
	probe_attach(NULL);
}

/* Every announced actor gets a ring for its thread: once no ring is left,
 * the sink hands out no more ids, rather than spend one per attempt on an
 * actor whose thread could not be traced. */
static void test_sink_actors_no_ring_no_id(void **state)
{
	const struct sink_actor a = { .name = "conn", .model = "toy", .parent = 1 };
	uv_loop_t loop;
	struct trace *t;
	struct sink *s;
	int rings = 0;

	(void)state;
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_non_null(t = trace_new());
	assert_int_equal(trace_add_actor(t, "M", "toy", TRACE_CAP_PHASES, "", ""), 1);
	assert_int_equal(sink_new(&loop, t, &s), 0);
	assert_int_equal(sink_actor_new(s, &a), SINK_ACTOR_NEW);
	while (sink_ring_new(s, 1) != NULL)
		rings++;
	assert_true(rings > 0);
	assert_int_equal(sink_actor_new(s, &a), -ENOSPC);
	assert_int_equal(sink_actor_new(s, &a), -ENOSPC);
	sink_close(s);
	uv_run(&loop, UV_RUN_NOWAIT);
	sink_free(s);
	assert_int_equal(uv_loop_close(&loop), 0);
	trace_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sink_actors_thread),
		cmocka_unit_test(test_sink_actors_untraced),
		cmocka_unit_test(test_sink_actors_no_ring_no_id),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
