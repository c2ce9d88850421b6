/* test_world_spawns.c: a server whose children do the reads (a thread or
 * a process per connection, workers, coroutines).  The world counts a
 * read that ends a connection for the server when its actor is the
 * server or any actor it announced, down any depth; only the server's
 * own end (TRACE_DONE) makes it gone.  Once by hand-driven events, once
 * with the real thread-per-conn model serving the world's clients. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "models/model.h"
#include "scenarios/world.h"
#include "trace/sclock.h"
#include "trace/sink.h"
#include "tests/harness.h"

#define S(lit) lit, sizeof(lit) - 1     /* text and length of a literal */

struct wfix {
	uv_loop_t loop;
	struct scn *scn;
	struct trace *t;
	struct sink *sink;
	struct sclock clock;
	struct world *w;
	int done;
};

static void wfix_done_cb(void *arg)
{
	((struct wfix *)arg)->done++;
}

/* A trace with the scenario's actors and clients in its header, as a
 * run makes it, and a world playing the script at speed 1000. */
static void wfix_open(struct wfix *f, const char *text, size_t len, const char *model)
{
	char cause[256];

	*f = (struct wfix){ .done = 0 };
	if (scn_parse("t.scn", text, len, &f->scn, cause, sizeof cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(uv_loop_init(&f->loop), 0);
	assert_non_null(f->t = trace_new());
	for (int i = 0; i < f->scn->nactors; i++)
		assert_int_equal(trace_add_actor(f->t, f->scn->actors[i].name, model,
						 TRACE_CAP_SPAWNS, "", ""), 1 + i);
	for (int i = 0; i < f->scn->nclients; i++)
		assert_true(trace_add_actor(f->t, f->scn->clients[i], "", 0, "", "") > 0);
	assert_int_equal(sink_new(&f->loop, f->t, &f->sink), 0);
	assert_int_equal(sclock_init(&f->clock, 1000), 0);
	sclock_play(&f->clock);
	assert_int_equal(world_new(&f->loop, f->scn, &f->clock, f->sink, 1, &f->w), 0);
}

static bool wfix_until(struct wfix *f, bool (*pred)(struct wfix *f), int timeout_ms)
{
	int64_t end = trace_mono_ns() + (int64_t)timeout_ms * 1000000;

	while (!pred(f)) {
		if (trace_mono_ns() > end)
			return false;
		uv_run(&f->loop, UV_RUN_NOWAIT);
		usleep(1000);
	}
	return true;
}

static bool script_over(struct wfix *f) { return world_next(f->w) == world_total(f->w); }
static bool world_done(struct wfix *f) { return f->done > 0; }

static void wfix_close(struct wfix *f)
{
	world_close(f->w);
	sink_close(f->sink);
	uv_run(&f->loop, UV_RUN_NOWAIT);
	world_free(f->w);
	sink_free(f->sink);
	sclock_destroy(&f->clock);
	assert_int_equal(uv_loop_close(&f->loop), 0);
	trace_free(f->t);
	scn_free(f->scn);
}

static const char two_clients[] =
	"scenario w\n"
	"actor S epoll role=server\n"
	"at 0s connect alice to S\n"
	"at 0s connect bob to S\n"
	"at 0s send alice hi\n";

/* An announced actor of parent, begun on a ring of its own. */
static struct ring *announce(struct wfix *f, const char *name, int parent, int *id)
{
	struct ring *r;

	*id = sink_actor_new(f->sink, &(struct sink_actor){
		.name = name, .model = "toy", .caps = TRACE_CAP_PHASES, .parent = parent });
	assert_true(*id >= SINK_ACTOR_NEW);
	assert_non_null(r = sink_ring_new(f->sink, *id));
	sink_emit(f->sink, r, &(struct trace_ev){ .kind = TRACE_ACTOR, .actor = (uint16_t)*id,
		.fd = -1, .tid = gettid(), .pid = getpid(), .step = -1 });
	return r;
}

/* A read's end of file: recvfrom, or recvmsg (the call of the servers
 * whose reads carry the kernel's arrival stamp). */
static void eof_read_call(struct wfix *f, struct ring *r, int id, int call, int fd)
{
	sink_emit(f->sink, r, &(struct trace_ev){ .kind = TRACE_EXIT, .actor = (uint16_t)id,
		.call = (uint16_t)call, .fd = fd, .ret = 0, .step = -1 });
}

static void eof_read(struct wfix *f, struct ring *r, int id, int fd)
{
	eof_read_call(f, r, id, TRACE_CALL_RECVFROM, fd);
}

/* S's child and the child's own child read the two connections to their
 * end: they count for S.  The child's done does not make S gone. */
static void test_world_spawns_descendants_count(void **state)
{
	struct wfix f;
	struct ring *child, *grandchild;
	int child_id, grandchild_id;

	(void)state;
	wfix_open(&f, S(two_clients), "epoll");
	assert_int_equal(world_start(f.w, wfix_done_cb, &f), 0);
	assert_true(wfix_until(&f, script_over, 5000));
	child = announce(&f, "S.1", 1, &child_id);
	grandchild = announce(&f, "S.1.1", child_id, &grandchild_id);
	sink_emit(f.sink, child, &(struct trace_ev){ .kind = TRACE_DONE,
		.actor = (uint16_t)child_id, .fd = -1, .step = -1 });
	sink_drain(f.sink);
	uv_run(&f.loop, UV_RUN_NOWAIT);
	assert_int_equal(trace_hdr_c(f.t)->actors[4].parent, 1);
	assert_int_equal(trace_hdr_c(f.t)->actors[5].parent, 4);
	assert_int_equal(f.done, 0);
	assert_int_equal(world_unserved(f.w, NULL, 0), 2);

	eof_read(&f, child, child_id, 7);
	eof_read_call(&f, grandchild, grandchild_id, TRACE_CALL_RECVMSG, 8);
	assert_true(wfix_until(&f, world_done, WORLD_SERVE_MS + 5000));
	assert_int_equal(world_unserved(f.w, NULL, 0), 0);
	wfix_close(&f);
}

/* Reads of an actor nobody announced under S (another header actor's
 * child) are not S's. */
static void test_world_spawns_other_root(void **state)
{
	static const char text[] =
		"scenario w\n"
		"actor S epoll role=server\n"
		"actor A blocking\n"
		"at 0s connect alice to S\n";
	struct wfix f;
	struct ring *r;
	int id;

	(void)state;
	wfix_open(&f, S(text), "epoll");
	assert_int_equal(world_start(f.w, wfix_done_cb, &f), 0);
	assert_true(wfix_until(&f, script_over, 5000));
	r = announce(&f, "A.1", 2, &id);
	eof_read(&f, r, id, 7);
	sink_drain(f.sink);
	uv_run(&f.loop, UV_RUN_NOWAIT);
	assert_int_equal(world_unserved(f.w, NULL, 0), 1);
	assert_int_equal(f.done, 0);
	wfix_close(&f);
}

/* The real model: thread-per-conn serves the world's two clients, each
 * connection read to its end by a thread of its own.  The world is done
 * with nothing unserved, and the server is still running (not gone). */
static void test_world_spawns_thread_per_conn(void **state)
{
	static const char text[] =
		"scenario w\n"
		"actor S thread-per-conn role=server\n"
		"at 0s connect alice to S\n"
		"at 0s connect bob to S\n"
		"at 0s send alice hi\n";
	const struct model_ops *m = model_find("thread-per-conn");
	struct model_ctx c;
	struct wfix f;

	(void)state;
	assert_non_null(m);
	wfix_open(&f, S(text), m->name);
	c = (struct model_ctx){
		.actor = 1, .listen_fd = world_listen_fd(f.w, 0), .serve = MODEL_SERVE_ECHO,
		.clock = &f.clock,
		.probe = { .sink = f.sink, .ring = sink_ring_new(f.sink, 1), .actor = 1 },
	};
	assert_non_null(c.probe.ring);
	assert_int_equal(model_start(&c, m), 0);
	assert_int_equal(world_start(f.w, wfix_done_cb, &f), 0);
	assert_true(wfix_until(&f, world_done, WORLD_SERVE_MS + 5000));
	assert_int_equal(world_unserved(f.w, NULL, 0), 0);
	assert_int_equal(atomic_load(&c.done), 0);
	assert_int_equal(model_stop(&c, MODEL_STOP_MS), 0);
	sink_drain(f.sink);
	assert_int_equal(trace_hdr_c(f.t)->nactors, 1 + 1 + 2 + 2);
	for (int i = 4; i < 6; i++)
		assert_int_equal(trace_hdr_c(f.t)->actors[i].parent, 1);
	wfix_close(&f);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_world_spawns_descendants_count),
		cmocka_unit_test(test_world_spawns_other_root),
		cmocka_unit_test(test_world_spawns_thread_per_conn),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("world_spawns", tests, NULL, NULL);
}
