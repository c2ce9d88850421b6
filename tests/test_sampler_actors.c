/* test_sampler_actors.c: the sampler watches actors announced mid-run,
 * from their TRACE_ACTOR begin (tid, pid) to their end: a thread of ours,
 * a thread of a child process, not a coroutine; and a thousand of them
 * are read round robin, a bounded number per tick. */
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
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "models/sampler.h"
#include "trace/sink.h"
#include "tests/harness.h"

#define MANY 1000

struct fix {
	uv_loop_t loop;
	struct trace *t;
	struct sink *s;
	struct sampler *sp;
	struct ring *r;            /* the test's own events, actor 1's ring */
};

/* A trace with one header actor M (1); the test thread is its loop. */
static void fix_open(struct fix *f)
{
	memset(f, 0, sizeof *f);
	assert_int_equal(uv_loop_init(&f->loop), 0);
	assert_non_null(f->t = trace_new());
	assert_int_equal(trace_add_actor(f->t, "M", "toy", TRACE_CAP_SPAWNS, "", ""), 1);
	assert_int_equal(sink_new(&f->loop, f->t, &f->s), 0);
	assert_int_equal(sampler_new(&f->loop, f->s, &f->sp), 0);
	assert_non_null(f->r = sink_ring_new(f->s, 1));
}

static void fix_close(struct fix *f)
{
	sampler_close(f->sp);
	sink_close(f->s);
	uv_run(&f->loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&f->loop), 0);
	sampler_free(f->sp);
	sink_free(f->s);
	trace_free(f->t);
}

/* Announce actor name (caps) as M's child, begun as thread tid of pid:
 * what a model's probe_actor_new and the thread's probe_actor_begin make
 * of it, put in by hand.  Returns its index. */
static int begin(struct fix *f, const char *name, unsigned caps, pid_t tid, pid_t pid)
{
	int a = trace_announce_actor(f->t, name, "toy", caps, "", "", 1);

	assert_true(a > 1);
	sink_emit(f->s, f->r, &(struct trace_ev){ .kind = TRACE_ACTOR, .actor = (uint16_t)a,
		.fd = -1, .tid = tid, .pid = pid, .step = -1 });
	sink_drain(f->s);
	return a;
}

static void emit(struct fix *f, int actor, int kind, int call, int fd)
{
	sink_emit(f->s, f->r, &(struct trace_ev){ .kind = (uint8_t)kind,
		.actor = (uint16_t)actor, .call = (uint16_t)call, .fd = fd, .step = -1,
		.flags = kind == TRACE_ACTOR ? TRACE_F_END : 0 });
	sink_drain(f->s);
}

/* The first state event of actor, or NULL. */
static const struct trace_ev *state_of(const struct trace *t, int actor)
{
	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *e = trace_at(t, i);

		if (e->kind == TRACE_STATE && e->actor == actor)
			return e;
	}
	return NULL;
}

static int states(const struct trace *t)
{
	int n = 0;

	for (size_t i = 0; i < trace_count(t); i++)
		n += trace_at(t, i)->kind == TRACE_STATE;
	return n;
}

struct until {
	struct fix *f;
	int actor;                 /* a state of it, or */
	int n;                     /* n states in all */
	int64_t cpu_ns;            /* the loop's CPU time meanwhile */
};

static int64_t cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static bool run_until(void *arg)
{
	struct until *u = arg;
	int64_t t0 = cpu_now();

	uv_run(&u->f->loop, UV_RUN_NOWAIT);
	u->cpu_ns += cpu_now() - t0;
	return u->n > 0 ? states(u->f->t) >= u->n : state_of(u->f->t, u->actor) != NULL;
}

/* A thread blocked in recv on fd. */
struct sleeper {
	int fd;
	_Atomic pid_t tid;
	pthread_t th;
};

static void *sleeper_main(void *arg)
{
	struct sleeper *z = arg;
	char c;

	atomic_store(&z->tid, gettid());
	(void)recv(z->fd, &c, 1, 0);
	return NULL;
}

/* Asleep in its recv, by the kernel's word. */
static bool asleep(void *arg)
{
	pid_t tid = atomic_load(&((struct sleeper *)arg)->tid);
	struct kstate ks;

	return tid != 0 && sampler_read(tid, &ks) == 0 && ks.state == 'S' &&
	       ks.sysno == SYS_recvfrom;
}

static void sleeper_start(struct sleeper *z, int fd, const pthread_attr_t *attr)
{
	z->fd = fd;
	atomic_store(&z->tid, 0);
	assert_int_equal(pthread_create(&z->th, attr, sleeper_main, z), 0);
	assert_true(h_until(asleep, z, 5000));
}

/* An announced thread of ours in recvfrom: the sampler reads it, and
 * its state is the kernel's (asleep in recvfrom on its fd). */
static void test_sampler_actors_thread(void **state)
{
	struct fix f;
	struct sleeper z;
	struct until u = { &f, 0, 0, 0 };
	const struct trace_ev *e;
	int sv[2], a;

	(void)state;
	fix_open(&f);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	sleeper_start(&z, sv[0], NULL);
	u.actor = a = begin(&f, "M.1", TRACE_CAP_PHASES, atomic_load(&z.tid), getpid());
	emit(&f, a, TRACE_ENTER, TRACE_CALL_RECVFROM, sv[0]);
	assert_true(h_until(run_until, &u, 5000));
	e = state_of(f.t, a);
	assert_int_equal(e->tid, atomic_load(&z.tid));
	assert_int_equal(e->pid, getpid());
	assert_int_equal(e->state, 'S');
	assert_string_equal(e->syscall, "recvfrom");
	assert_int_equal(e->fd, sv[0]);
	assert_int_equal(write(sv[1], "x", 1), 1);
	assert_int_equal(pthread_join(z.th, NULL), 0);
	emit(&f, a, TRACE_EXIT, TRACE_CALL_RECVFROM, sv[0]);
	emit(&f, a, TRACE_ACTOR, 0, -1);
	close(sv[0]);
	close(sv[1]);
	fix_close(&f);
}

/* A coroutine is not watched (its thread is its scheduler's); a plain
 * sibling, begun after it, is: once the sibling's state is in, the
 * coroutine still has none. */
static void test_sampler_actors_coroutine(void **state)
{
	struct fix f;
	struct sleeper z[2];
	struct until u = { &f, 0, 0, 0 };
	int sv[2], co, plain;

	(void)state;
	fix_open(&f);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	sleeper_start(&z[0], sv[0], NULL);
	sleeper_start(&z[1], sv[0], NULL);
	co = begin(&f, "M.co1", TRACE_CAP_PHASES | TRACE_CAP_COROUTINE,
		   atomic_load(&z[0].tid), getpid());
	plain = begin(&f, "M.1", TRACE_CAP_PHASES, atomic_load(&z[1].tid), getpid());
	emit(&f, co, TRACE_ENTER, TRACE_CALL_RECVFROM, sv[0]);
	emit(&f, plain, TRACE_ENTER, TRACE_CALL_RECVFROM, sv[0]);
	u.actor = plain;
	assert_true(h_until(run_until, &u, 5000));
	assert_null(state_of(f.t, co));
	shutdown(sv[0], SHUT_RDWR);
	assert_int_equal(pthread_join(z[0].th, NULL), 0);
	assert_int_equal(pthread_join(z[1].th, NULL), 0);
	close(sv[0]);
	close(sv[1]);
	fix_close(&f);
}

/* A child process's thread (process per connection): the sampler reads
 * /proc/PID/task/TID of another process, and the state carries its pid. */
static void test_sampler_actors_process(void **state)
{
	struct fix f;
	struct until u = { &f, 0, 0, 0 };
	const struct trace_ev *e;
	int p[2], a, status;
	pid_t child;

	(void)state;
	fix_open(&f);
	assert_int_equal(pipe(p), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		char c;

		close(p[1]);
		_exit(read(p[0], &c, 1) == 1 ? 0 : 1);
	}
	close(p[0]);
	/* A process's first thread has the process's id. */
	u.actor = a = begin(&f, "M.1", TRACE_CAP_PHASES, child, child);
	emit(&f, a, TRACE_ENTER, TRACE_CALL_READ, 3);
	assert_true(h_until(run_until, &u, 5000));
	e = state_of(f.t, a);
	assert_int_equal(e->pid, child);
	assert_int_equal(e->tid, child);
	assert_string_equal(e->syscall, "read");
	assert_true(e->state == 'S' || e->state == 'R');
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(p[1]);
	emit(&f, a, TRACE_ACTOR, 0, -1);
	fix_close(&f);
}

/* A thousand announced threads asleep in recvfrom: each gets its state,
 * at most ANNOUNCED_PER_TICK (32) of them read per tick, each once in a
 * pass of 32 ticks; the loop's CPU time per tick is printed (a measure,
 * not a limit). */
static void test_sampler_actors_many(void **state)
{
	struct fix f;
	struct sleeper *z = calloc(MANY, sizeof *z);
	struct until u = { &f, 0, MANY, 0 };
	pthread_attr_t attr;
	unsigned long ticks0;
	int sv[2];

	(void)state;
	assert_non_null(z);
	fix_open(&f);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(pthread_attr_init(&attr), 0);
	assert_int_equal(pthread_attr_setstacksize(&attr, 64 * 1024), 0);
	for (int i = 0; i < MANY; i++) {
		char name[16];
		int a;

		sleeper_start(&z[i], sv[0], &attr);
		snprintf(name, sizeof name, "M.%d", i + 1);
		a = begin(&f, name, TRACE_CAP_PHASES, atomic_load(&z[i].tid), getpid());
		emit(&f, a, TRACE_ENTER, TRACE_CALL_RECVFROM, sv[0]);
	}
	ticks0 = sampler_ticks(f.sp);
	assert_true(h_until(run_until, &u, 20000));
	/* Bounded per tick, and round robin: one pass reads each once. */
	assert_true(sampler_emitted(f.sp) <= 32 * (sampler_ticks(f.sp) - ticks0));
	assert_true(sampler_ticks(f.sp) - ticks0 <= (MANY + 31) / 32 + 1);
	print_message("note: %d announced threads, %lu ticks, %.0f us of loop CPU per tick\n",
		      MANY, sampler_ticks(f.sp) - ticks0,
		      (double)u.cpu_ns / 1000.0 / (double)(sampler_ticks(f.sp) - ticks0));
	for (int i = 2; i < 2 + MANY; i++)
		assert_non_null(state_of(f.t, i));
	shutdown(sv[0], SHUT_RDWR);
	for (int i = 0; i < MANY; i++)
		assert_int_equal(pthread_join(z[i].th, NULL), 0);
	pthread_attr_destroy(&attr);
	close(sv[0]);
	close(sv[1]);
	free(z);
	fix_close(&f);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sampler_actors_thread),
		cmocka_unit_test(test_sampler_actors_coroutine),
		cmocka_unit_test(test_sampler_actors_process),
		cmocka_unit_test(test_sampler_actors_many),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("sampler_actors", tests, NULL, NULL);
}
