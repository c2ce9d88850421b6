/* test_run_quiet.c: run_quiet (live/run.h) asks the kernel about the
 * threads a model starts and announces (a thread per connection, a pool's
 * workers), not only about the model's own thread: a step on the screen
 * waits until they too are asleep.
 *
 * A fake server model, put in the model table's libuv slot for the test,
 * announces one thread (probe_actor_new), which spins until the test lets
 * it go to sleep in read(2); the model's own thread sleeps in poll. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "live/run.h"
#include "models/model.h"
#include "models/sampler_proc.h"
#include "tests/harness.h"
#include "trace/trace.h"
#include "view/narrate.h"

static struct {
	struct probe child;
	int pipe[2];
	_Atomic int spin;          /* the child spins while set */
	_Atomic int spinning;      /* it has begun and spins */
	_Atomic pid_t tid;         /* the model's own thread */
} fake;

static void *child_main(void *arg)
{
	char c;

	(void)arg;
	probe_attach(&fake.child);
	probe_actor_begin();
	atomic_store(&fake.spinning, 1);
	while (atomic_load(&fake.spin))
		sched_yield();            /* running: state R */
	(void)read(fake.pipe[0], &c, 1);  /* asleep: state S */
	probe_actor_end();
	probe_attach(NULL);
	return NULL;
}

static int fake_run(struct model_ctx *c)
{
	const struct sink_actor a = { .name = "S.1", .model = "fake-spawn", .caps = TRACE_CAP_PHASES,
				      .label_en = "S's thread", .label_zh = "S 的线程",
				      .parent = c->actor };
	struct pollfd p = { .fd = c->listen_fd, .events = POLLIN };
	pthread_t th;
	int rc;

	atomic_store(&fake.tid, gettid());
	if ((rc = probe_actor_new(&fake.child, &a)) != 0)
		return rc;
	if ((rc = pthread_create(&th, NULL, child_main, NULL)) != 0)
		return -rc;
	while (!model_should_stop(c))
		poll(&p, 1, -1);          /* model_stop's signal: EINTR */
	atomic_store(&fake.spin, 0);
	if (write(fake.pipe[1], "x", 1) != 1)
		return -errno;
	pthread_join(th, NULL);
	return 0;
}

static const struct model_ops fake_spawn = {
	.name = "fake-spawn", .summary = "a test's server that starts a thread",
	.caps = TRACE_CAP_PHASES | TRACE_CAP_SPAWNS, .roles = MODEL_ROLE_CHAT,
	.available = model_available_always, .run = fake_run,
};

static int slot = -1;
static const struct model_ops *was;
static struct h_files files;

static int setup(void **state)
{
	(void)state;
	for (int i = 0; i < model_table_init(); i++)
		if (strcmp(model_table[i]->name, "libuv") == 0)
			slot = i;
	if (slot < 0 || pipe(fake.pipe) != 0)
		return -1;
	was = model_table[slot];
	model_table[slot] = &fake_spawn;
	return h_files_make(&files, "scenario t\nactor S fake-spawn role=server\n");
}

static int teardown(void **state)
{
	(void)state;
	model_table[slot] = was;
	close(fake.pipe[0]);
	close(fake.pipe[1]);
	h_files_remove(&files);
	return 0;
}

/* The child is in the trace and spins; the model's thread sleeps. */
static bool child_spins(struct h_run *hr, void *arg)
{
	struct kstate ks;
	pid_t tid = atomic_load(&fake.tid);

	(void)arg;
	return atomic_load(&fake.spinning) && trace_find_actor(run_trace(hr->r), "S.1") > 0 &&
	       tid != 0 && sampler_read(tid, &ks) == 0 && ks.state == 'S';
}

static bool quiet(struct h_run *hr, void *arg)
{
	(void)arg;
	return run_quiet(hr->r);
}

static void test_run_quiet_announced_threads(void **state)
{
	struct run_opts o = { .scenario = files.scn, .speed = 1, .lang = NARRATE_EN, .grace_ms = 1000 };
	char cause[512] = "";
	struct h_run hr;

	(void)state;
	atomic_store(&fake.spin, 1);
	assert_int_equal(h_run_open(&hr, &o, cause, sizeof cause), 0);
	assert_true(h_run_until(&hr, child_spins, NULL, 10000));
	/* The model's own thread sleeps, its child runs: not quiet. */
	assert_false(run_quiet(hr.r));
	atomic_store(&fake.spin, 0);
	assert_true(h_run_until(&hr, quiet, NULL, 10000));
	assert_int_equal(h_run_close(&hr, cause, sizeof cause), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_quiet_announced_threads),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("run_quiet", tests, setup, teardown);
}
