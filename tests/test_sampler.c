/* test_sampler.c: the kernel's own word on a thread blocked in recv. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <uv.h>

#include "models/sampler.h"
#include "tests/harness.h"

/* A blocking reader, seen from another thread through /proc. */
static void test_sampler_sees_blocked_recv(void **state)
{
	struct harness h;
	struct kstate ks;
	pid_t tid;

	(void)state;
	assert_int_equal(h_init(&h, 1, 1.0), 0);
	assert_int_equal(h_start(&h, "blocking"), 0);
	assert_true(h_wait(&h, h_waiting, NULL, 5000));
	tid = atomic_load(&h.c.tid);
	assert_int_equal(sampler_read(tid, &ks), 0);
	assert_int_equal(ks.state, 'S');
	assert_int_equal(ks.sysno, SYS_recvfrom);
	assert_string_equal(ks.syscall, "recvfrom");
	assert_int_equal(ks.arg0, h.fds[0].fd);
	if (ks.wchan[0] == '\0')
		print_message("note: this kernel hides wchan\n");
	else
		assert_string_equal(ks.wchan, "unix_stream_read_generic");
	h_close_far(&h, 0);
	assert_true(h_wait(&h, h_done, NULL, 5000));
	h_fini(&h);
}

static void test_sampler_self_is_running(void **state)
{
	struct kstate ks;

	(void)state;
	assert_int_equal(sampler_read(gettid(), &ks), 0);
	/* Read from inside read(2): the kernel says so. */
	assert_int_equal(ks.state, 'R');
	assert_int_equal(ks.sysno, SYS_read);
	assert_string_equal(ks.syscall, "read");
}

static void test_sampler_gone_thread(void **state)
{
	struct kstate ks;

	(void)state;
	assert_int_equal(sampler_read(0x7ffffff0, &ks), -ENOENT);
}

static void test_sampler_names_from_build(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(sampler_sysname(SYS_recvfrom, buf, sizeof buf), "recvfrom");
	assert_string_equal(sampler_sysname(SYS_read, buf, sizeof buf), "read");
	assert_string_equal(sampler_sysname(99999, buf, sizeof buf), "syscall 99999");
	assert_true(sampler_call_matches(TRACE_CALL_RECVFROM, SYS_recvfrom));
	assert_false(sampler_call_matches(TRACE_CALL_RECVFROM, SYS_read));
	assert_true(sampler_call_matches(TRACE_CALL_RECVMSG, SYS_recvmsg));
	assert_false(sampler_call_matches(TRACE_CALL_RECVMSG, SYS_recvfrom));
	assert_string_equal(sampler_sysname(SYS_recvmsg, buf, sizeof buf), "recvmsg");
	assert_true(sampler_call_matches(TRACE_CALL_SELECT, SYS_pselect6));
}

/* The calls of the server models, by this build's SYS_* numbers: a
 * queue's futex, the clone of pthread_create or fork, accept, a reaped
 * child's wait4, the signal mask around clone, sleeps. */
static void test_sampler_names_servers(void **state)
{
	static const struct { long nr; const char *name; } want[] = {
		{ SYS_futex, "futex" }, { SYS_clone, "clone" },
#ifdef SYS_clone3
		{ SYS_clone3, "clone3" },
#endif
#ifdef SYS_accept
		{ SYS_accept, "accept" },
#endif
		{ SYS_accept4, "accept4" }, { SYS_wait4, "wait4" },
		{ SYS_rt_sigprocmask, "rt_sigprocmask" },
		{ SYS_nanosleep, "nanosleep" }, { SYS_clock_nanosleep, "clock_nanosleep" },
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		assert_string_equal(sampler_sysname(want[i].nr, buf, sizeof buf), want[i].name);
	assert_true(sampler_call_matches(TRACE_CALL_FUTEX, SYS_futex));
	assert_false(sampler_call_matches(TRACE_CALL_FUTEX, SYS_read));
	assert_true(sampler_call_matches(TRACE_CALL_CLONE, SYS_clone));
#ifdef SYS_clone3
	assert_true(sampler_call_matches(TRACE_CALL_CLONE, SYS_clone3));
#endif
	assert_false(sampler_call_matches(TRACE_CALL_CLONE, SYS_futex));
	assert_true(sampler_call_matches(TRACE_CALL_ACCEPT, SYS_accept4));
}

struct parked {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int go;
	_Atomic pid_t tid;
};

static void *cond_main(void *arg)
{
	struct parked *p = arg;

	pthread_mutex_lock(&p->mu);
	atomic_store(&p->tid, gettid());
	while (!p->go)
		pthread_cond_wait(&p->cv, &p->mu);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static void wake_handler(int sig)
{
	(void)sig;
}

/* Asleep until a signal cuts its nanosleep short (EINTR). */
static void *sleep_main(void *arg)
{
	struct parked *p = arg;
	struct timespec ts = { 60, 0 };

	atomic_store(&p->tid, gettid());
	nanosleep(&ts, NULL);
	return NULL;
}

struct reaper {
	pid_t child, got;
	int status;
	_Atomic pid_t tid;
};

static void *reap_main(void *arg)
{
	struct reaper *r = arg;

	atomic_store(&r->tid, gettid());
	r->got = waitpid(r->child, &r->status, 0);
	return NULL;
}

static bool tid_known_r(void *arg)
{
	return atomic_load(&((struct reaper *)arg)->tid) != 0;
}

struct in_call {
	pid_t pid, tid;
	const char *name;
};

static bool asleep_in(void *arg)
{
	struct in_call *w = arg;
	struct kstate ks;

	return w->tid != 0 && sampler_read_pid(w->pid, w->tid, &ks) == 0 &&
	       ks.state == 'S' && strcmp(ks.syscall, w->name) == 0;
}

static bool tid_known(void *arg)
{
	return atomic_load(&((struct parked *)arg)->tid) != 0;
}

/* Threads asleep on a condition variable (futex) and in nanosleep (the
 * kernel sees clock_nanosleep), a child process's thread in read, and a
 * thread reaping it (wait4), by the kernel's word. */
static void test_sampler_sees_server_waits(void **state)
{
	struct parked p = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };
	struct parked q = { .tid = 0 };
	struct in_call w;
	struct reaper r;
	struct sigaction sa = { .sa_handler = wake_handler };
	pthread_t th, sl;
	int pp[2];
	pid_t child;

	(void)state;
	assert_int_equal(pthread_create(&th, NULL, cond_main, &p), 0);
	assert_true(h_until(tid_known, &p, 5000));
	w = (struct in_call){ 0, atomic_load(&p.tid), "futex" };
	assert_true(h_until(asleep_in, &w, 5000));
	pthread_mutex_lock(&p.mu);
	p.go = 1;
	pthread_cond_signal(&p.cv);
	pthread_mutex_unlock(&p.mu);
	assert_int_equal(pthread_join(th, NULL), 0);

	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGUSR1, &sa, NULL), 0);
	assert_int_equal(pthread_create(&sl, NULL, sleep_main, &q), 0);
	assert_true(h_until(tid_known, &q, 5000));
	w = (struct in_call){ getpid(), atomic_load(&q.tid), "clock_nanosleep" };
	assert_true(h_until(asleep_in, &w, 5000));
	assert_int_equal(pthread_kill(sl, SIGUSR1), 0);
	assert_int_equal(pthread_join(sl, NULL), 0);

	assert_int_equal(pipe(pp), 0);
	if ((child = fork()) == 0) {
		char c;

		close(pp[1]);
		_exit(read(pp[0], &c, 1) == 1 ? 0 : 1);
	}
	assert_true(child > 0);
	close(pp[0]);
	w = (struct in_call){ child, child, "read" };
	assert_true(h_until(asleep_in, &w, 5000));
	/* Not a thread of that process: no such task there. */
	{
		struct kstate ks;

		assert_int_equal(sampler_read_pid(child, gettid(), &ks), -ENOENT);
		assert_int_equal(sampler_read_pid(-1, gettid(), &ks), -EINVAL);
		assert_int_equal(sampler_read_pid(child, child, &ks), 0);
		assert_int_equal(ks.pid, child);
	}
	r = (struct reaper){ .child = child };
	assert_int_equal(pthread_create(&th, NULL, reap_main, &r), 0);
	assert_true(h_until(tid_known_r, &r, 5000));
	w = (struct in_call){ 0, atomic_load(&r.tid), "wait4" };
	assert_true(h_until(asleep_in, &w, 5000));
	assert_int_equal(write(pp[1], "x", 1), 1);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(r.got, child);
	assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
	close(pp[1]);
}

/* A thread of ours reads as of our process: pid is getpid(), the Tgid
 * /proc/self/task/TID/status gives. */
static void test_sampler_pid_is_tgid(void **state)
{
	struct kstate ks;
	char path[64], line[256];
	long tgid = -1;
	FILE *f;

	(void)state;
	assert_int_equal(sampler_read(gettid(), &ks), 0);
	snprintf(path, sizeof path, "/proc/self/task/%d/status", (int)gettid());
	assert_non_null(f = fopen(path, "r"));
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "Tgid: %ld", &tgid) == 1)
			break;
	fclose(f);
	assert_int_equal(ks.pid, tgid);
	assert_int_equal(ks.pid, getpid());
}

/* The loop runs the sampler's timer; then a state event was heard. */
static bool has_state(struct harness *h, void *arg)
{
	(void)arg;
	uv_run(&h->loop, UV_RUN_NOWAIT);
	return h_count(h, TRACE_STATE) > 0;
}

/* The sampler's state events carry the sampled thread's pid. */
static void test_sampler_state_has_pid(void **state)
{
	struct harness h;
	struct sampler *sp;

	(void)state;
	assert_int_equal(h_init(&h, 1, 1.0), 0);
	assert_int_equal(sampler_new(&h.loop, h.s, &sp), 0);
	assert_int_equal(sampler_watch(sp, 1, &h.c.tid), 0);
	assert_int_equal(h_start(&h, "blocking"), 0);
	assert_true(h_wait(&h, has_state, NULL, 5000));
	for (size_t i = 0; i < trace_count(h.t); i++)
		if (trace_at(h.t, i)->kind == TRACE_STATE)
			assert_int_equal(trace_at(h.t, i)->pid, getpid());
	sampler_close(sp);
	h_close_far(&h, 0);
	assert_true(h_wait(&h, h_done, NULL, 5000));
	h_fini(&h);
	sampler_free(sp);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sampler_sees_blocked_recv),
		cmocka_unit_test(test_sampler_self_is_running),
		cmocka_unit_test(test_sampler_gone_thread),
		cmocka_unit_test(test_sampler_names_from_build),
		cmocka_unit_test(test_sampler_names_servers),
		cmocka_unit_test(test_sampler_sees_server_waits),
		cmocka_unit_test(test_sampler_pid_is_tgid),
		cmocka_unit_test(test_sampler_state_has_pid),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("sampler", tests, NULL, NULL);
}
