/* harness.c: see harness.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "models/sampler.h"
#include "view/narrate.h"
#include "tests/harness.h"

int h_init(struct harness *h, int nfds, double speed)
{
	memset(h, 0, sizeof *h);
	if (uv_loop_init(&h->loop) != 0 || (h->t = trace_new()) == NULL)
		return -1;
	if (sink_new(&h->loop, h->t, &h->s) != 0 || sclock_init(&h->clock, speed) != 0)
		return -1;
	trace_add_actor(h->t, "A", "test", 0, "", "");
	h->nfds = nfds;
	for (int i = 0; i < nfds; i++) {
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
			return -1;
		fcntl(sv[1], F_SETFL, O_NONBLOCK);
		h->fds[i].fd = sv[0];
		h->far[i] = sv[1];
	}
	h->c = (struct model_ctx){
		.actor = 1, .fds = h->fds, .nfds = nfds, .every_ns = 20000000,
		.listen_fd = -1, .drain = -1,
		.clock = &h->clock,
		.probe = { .sink = h->s, .ring = sink_ring_new(h->s, 1), .actor = 1 },
	};
	sclock_play(&h->clock);
	return 0;
}

int h_start(struct harness *h, const char *model)
{
	return model_start(&h->c, model_find(model));
}

bool h_until(bool (*cond)(void *arg), void *arg, int timeout_ms)
{
	int64_t until = trace_mono_ns() + (int64_t)timeout_ms * 1000000;

	do {
		if (cond(arg))
			return true;
		poll(NULL, 0, 1);     /* a re-check interval, not a wait for the event */
	} while (trace_mono_ns() < until);
	return cond(arg);
}

struct h_pred {
	struct harness *h;
	bool (*pred)(struct harness *h, void *arg);
	void *arg;
};

static bool drained_pred(void *arg)
{
	struct h_pred *p = arg;

	sink_drain(p->h->s);
	return p->pred(p->h, p->arg);
}

bool h_wait(struct harness *h, bool (*pred)(struct harness *h, void *arg),
	    void *arg, int timeout_ms)
{
	struct h_pred p = { h, pred, arg };

	return h_until(drained_pred, &p, timeout_ms);
}

void h_write(struct harness *h, int i, const char *data, size_t len)
{
	int64_t expect = 0;

	atomic_compare_exchange_strong(&h->fds[i].ready_ns, &expect, sink_now(h->s));
	if (write(h->far[i], data, len) != (ssize_t)len)
		abort();
}

void h_close_far(struct harness *h, int i)
{
	if (h->far[i] >= 0)
		close(h->far[i]);
	h->far[i] = -1;
}

void h_fini(struct harness *h)
{
	model_stop(&h->c, MODEL_STOP_MS);
	sink_close(h->s);
	uv_run(&h->loop, UV_RUN_DEFAULT);
	/* As libuv's own tests: a loop that will not close holds a handle
	 * someone forgot. */
	assert_int_equal(uv_loop_close(&h->loop), 0);
	for (int i = 0; i < h->nfds; i++) {
		close(h->fds[i].fd);
		h_close_far(h, i);
	}
	sink_free(h->s);
	trace_free(h->t);
	sclock_destroy(&h->clock);
}

int h_files_make(struct h_files *f, const char *text)
{
	FILE *fp;

	snprintf(f->dir, sizeof f->dir, "/tmp/ioscope-test-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->scn, sizeof f->scn, "%s/t.scn", f->dir);
	snprintf(f->rec, sizeof f->rec, "%s/t.jsonl", f->dir);
	if ((fp = fopen(f->scn, "w")) == NULL)
		return -1;
	fputs(text, fp);
	return fclose(fp) == 0 ? 0 : -1;
}

void h_files_remove(struct h_files *f)
{
	unlink(f->scn);
	unlink(f->rec);
	rmdir(f->dir);
}

size_t h_count(struct harness *h, int kind)
{
	size_t n = 0;

	for (size_t i = 0; i < trace_count(h->t); i++)
		n += trace_at(h->t, i)->kind == kind;
	return n;
}

bool h_done(struct harness *h, void *arg)
{
	(void)arg;
	return h_count(h, TRACE_DONE) > 0;
}

/* The thread is where it waits for data: asleep in the call it last
 * entered (recvfrom, select, poll, epoll_wait), by the kernel's own word,
 * or between two tries (idle) after at least one EAGAIN. */
bool h_waiting(struct harness *h, void *arg)
{
	pid_t tid = atomic_load(&h->c.tid);
	struct kstate ks;
	const struct trace_ev *last = trace_at(h->t, trace_count(h->t) - 1);
	int call = 0;

	(void)arg;
	if (last != NULL && last->kind == TRACE_IDLE && !(last->flags & TRACE_F_END))
		return true;
	for (size_t i = trace_count(h->t); i-- > 0;)
		if (trace_at(h->t, i)->kind == TRACE_ENTER) {
			call = trace_at(h->t, i)->call;
			break;
		}
	return tid != 0 && call != 0 && sampler_read(tid, &ks) == 0 && ks.state == 'S' &&
	       sampler_call_matches(call, ks.sysno);
}

int open_fd_count(void)
{
	static bool warm;
	DIR *d;
	struct dirent *de;
	int n = 0;

	/* libuv opens a pipe for the whole process with its first loop and
	 * keeps it: have it before the first count, so that a test run alone
	 * counts the same as one run after others. */
	if (!warm) {
		uv_loop_t l;

		if (uv_loop_init(&l) == 0)
			uv_loop_close(&l);
		warm = true;
	}
	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n - 1;     /* the directory's own fd */
}

/* Asleep on the world clock's condition variable, by the kernel's word:
 * pthread_cond_wait sleeps in futex(2) on a word inside the cond, and
 * /proc/self/task/TID/syscall gives that word's address as the first
 * argument.  With the clock paused, such a thread cannot run on until
 * sclock_play (a signal handler may interrupt it; it then sleeps again). */
bool h_parked(struct harness *h, void *arg)
{
	pid_t tid = atomic_load(&h->c.tid);
	uintptr_t cv = (uintptr_t)&h->clock.cv;
	struct kstate ks;

	(void)arg;
	return tid != 0 && sampler_read(tid, &ks) == 0 && ks.state == 'S' &&
	       ks.sysno == SYS_futex && (uintptr_t)ks.arg0 >= cv &&
	       (uintptr_t)ks.arg0 < cv + sizeof h->clock.cv;
}

long h_actor_wait_index(const struct trace *t, int actor)
{
	bool asleep = false;

	for (size_t i = trace_count(t); i-- > 0;) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->actor != actor)
			continue;
		switch (ev->kind) {
		case TRACE_DONE:
			return (long)i;
		case TRACE_STATE:
			asleep |= ev->what == 0 && ev->state == 'S';
			continue;
		case TRACE_PHASE: case TRACE_NOTE: case TRACE_SET: case TRACE_SUBMIT:
		case TRACE_CAPTION:
			continue;
		case TRACE_IDLE:
			return ev->flags & TRACE_F_END ? -1 : (long)i;
		case TRACE_ENTER:
			return asleep ? (long)i : -1;
		default:
			return -1;        /* data came, a call returned, a signal ran */
		}
	}
	return -1;
}

bool h_actor_waits(const struct trace *t, int actor)
{
	return h_actor_wait_index(t, actor) >= 0;
}

int64_t h_actor_got(const struct trace *t, int actor)
{
	int64_t n = 0;

	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->actor == actor && ev->ret > 0 &&
		    ((ev->kind == TRACE_EXIT && (ev->call == TRACE_CALL_RECVFROM ||
						 ev->call == TRACE_CALL_READ)) ||
		     ev->kind == TRACE_COMPLETE))
			n += ev->ret;
	}
	return n;
}

bool h_actor_helper_asleep(const struct trace *t, int actor)
{
	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->actor == actor && ev->kind == TRACE_STATE && ev->what == 1 &&
		    ev->state == 'S')
			return true;
	}
	return false;
}

static void h_run_end_cb(void *arg)
{
	struct h_run *hr = arg;

	hr->ended = true;
}

static void h_run_limit_cb(uv_timer_t *t)
{
	struct h_run *hr = t->data;

	hr->expired = true;
}

int h_run_open(struct h_run *hr, const struct run_opts *o, char *cause, size_t len)
{
	struct run_opts opts = *o;
	int rc;

	memset(hr, 0, sizeof *hr);
	if (uv_loop_init(&hr->loop) != 0)
		abort();                  /* nothing to test without one */
	uv_timer_init(&hr->loop, &hr->limit);
	hr->limit.data = hr;
	opts.on_end = h_run_end_cb;
	opts.on_end_arg = hr;
	if ((rc = run_open(&opts, &hr->loop, &hr->r, cause, len)) != 0) {
		hr->r = NULL;
		return rc;
	}
	return run_start(hr->r, false);
}

bool h_run_until(struct h_run *hr, bool (*pred)(struct h_run *hr, void *arg), void *arg,
		 int timeout_ms)
{
	bool held;

	hr->expired = false;
	uv_update_time(&hr->loop);       /* the limit counts from now */
	uv_timer_start(&hr->limit, h_run_limit_cb, (uint64_t)timeout_ms, 0);
	while (!(held = pred(hr, arg)) && !hr->expired)
		uv_run(&hr->loop, UV_RUN_ONCE);
	uv_timer_stop(&hr->limit);
	return held;
}

bool h_run_ended(struct h_run *hr, void *arg)
{
	(void)arg;
	return hr->ended;
}

int h_run_close(struct h_run *hr, char *cause, size_t len)
{
	int rc = 0;

	if (hr->r != NULL)
		rc = run_close(hr->r, cause, len);
	hr->r = NULL;
	/* Only the harness's own handle is closed here: run_close closes
	 * the run's, and any it forgot keeps the loop from closing. */
	uv_close((uv_handle_t *)&hr->limit, NULL);
	uv_run(&hr->loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&hr->loop), 0);
	return rc;
}

/* Per-test time limits, as libuv's runner gives every test its own.  The
 * Makefile links each test binary with --wrap for the two cmocka entry
 * points below, so every main's cmocka_run_group_tests_name lands here,
 * test_*.c files unchanged.  Each test (and the group's setup and teardown)
 * runs under a watchdog thread armed with its name; one that overstays its
 * limit names itself on stderr and the process exits with status 124, as
 * timeout(1) does.  The limit is H_TEST_LIMIT_S seconds, or
 * IOSCOPE_TEST_TIMEOUT from the environment. */
int __real__cmocka_run_group_tests(const char *group_name,
				   const struct CMUnitTest *const tests, const size_t num_tests,
				   CMFixtureFunction group_setup, CMFixtureFunction group_teardown);
int __wrap__cmocka_run_group_tests(const char *group_name,
				   const struct CMUnitTest *const tests, const size_t num_tests,
				   CMFixtureFunction group_setup, CMFixtureFunction group_teardown);
void __wrap_cmocka_set_test_filter(const char *pattern);

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool started;
	int limit_s;
	char what[160];             /* what runs now; "" when nothing is timed */
	int64_t deadline;           /* trace_mono_ns() */
	const char *filter;
	const struct CMUnitTest *run;  /* the tests that pass the filter, in order */
	size_t next;                /* the one whose setup comes next */
	CMFixtureFunction group_setup, group_teardown;
	const char *group;
} wd = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void *watchdog_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&wd.mu);
	for (;;) {
		int64_t now = trace_mono_ns();

		if (wd.what[0] != '\0' && now >= wd.deadline) {
			fflush(stdout);
			fprintf(stderr, "[ TIMEOUT  ] %s: still running after %d s\n", wd.what,
				wd.limit_s);
			_exit(124);
		}
		if (wd.what[0] == '\0') {
			pthread_cond_wait(&wd.cv, &wd.mu);
		} else {
			struct timespec ts = { wd.deadline / 1000000000, wd.deadline % 1000000000 };

			pthread_cond_timedwait(&wd.cv, &wd.mu, &ts);
		}
	}
	return NULL;
}

static void watchdog_arm(const char *what, const char *detail)
{
	pthread_mutex_lock(&wd.mu);
	snprintf(wd.what, sizeof wd.what, "%s%s", what, detail);
	wd.deadline = trace_mono_ns() + (int64_t)wd.limit_s * 1000000000;
	pthread_cond_signal(&wd.cv);
	pthread_mutex_unlock(&wd.mu);
}

static void watchdog_disarm(void)
{
	pthread_mutex_lock(&wd.mu);
	wd.what[0] = '\0';
	pthread_cond_signal(&wd.cv);
	pthread_mutex_unlock(&wd.mu);
}

static int watchdog_start(void)
{
	pthread_condattr_t ca;
	pthread_t th;
	const char *env = getenv("IOSCOPE_TEST_TIMEOUT");
	int rc;

	if (wd.started)
		return 0;
	wd.limit_s = env != NULL && atoi(env) > 0 ? atoi(env) : H_TEST_LIMIT_S;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	rc = pthread_cond_init(&wd.cv, &ca);
	pthread_condattr_destroy(&ca);
	if (rc != 0 || pthread_create(&th, NULL, watchdog_main, NULL) != 0)
		return -1;
	pthread_detach(th);
	wd.started = true;
	return 0;
}

/* Each test's setup and teardown: tests run one at a time, in order, and
 * cmocka calls every test's setup exactly once, so a count names them. */
static int timed_setup(void **state)
{
	const struct CMUnitTest *t = &wd.run[wd.next++];

	watchdog_arm(t->name, "");
	return t->setup_func != NULL ? t->setup_func(state) : 0;
}

static int timed_teardown(void **state)
{
	const struct CMUnitTest *t = &wd.run[wd.next - 1];
	int rc = t->teardown_func != NULL ? t->teardown_func(state) : 0;

	watchdog_disarm();
	return rc;
}

/* The group's setup or teardown (when: " (group setup)"), timed alike. */
static int timed_group(CMFixtureFunction f, const char *when, void **state)
{
	int rc;

	watchdog_arm(wd.group, when);
	rc = f(state);
	watchdog_disarm();
	return rc;
}

static int timed_group_setup(void **state)
{
	return timed_group(wd.group_setup, " (group setup)", state);
}

static int timed_group_teardown(void **state)
{
	return timed_group(wd.group_teardown, " (group teardown)", state);
}

void __wrap_cmocka_set_test_filter(const char *pattern)
{
	wd.filter = pattern;
}

int __wrap__cmocka_run_group_tests(const char *group_name,
				   const struct CMUnitTest *const tests, const size_t num_tests,
				   CMFixtureFunction group_setup, CMFixtureFunction group_teardown)
{
	/* run: the tests that pass the filter; timed: the same, as cmocka
	 * gets them (one allocation, run's half first). */
	struct CMUnitTest *run = calloc(2 * num_tests + 1, sizeof *run), *timed;
	size_t n = 0;
	int rc;

	if (run == NULL || watchdog_start() != 0) {
		fprintf(stderr, "test harness: cannot start the watchdog\n");
		free(run);
		return 1;
	}
	timed = run + num_tests;
	/* cmocka's own filter is a glob of * and ?; fnmatch is the same here. */
	for (size_t i = 0; i < num_tests; i++)
		if (wd.filter == NULL || fnmatch(wd.filter, tests[i].name, 0) == 0)
			run[n++] = tests[i];
	for (size_t i = 0; i < n; i++) {
		timed[i] = run[i];
		timed[i].setup_func = timed_setup;
		timed[i].teardown_func = timed_teardown;
	}
	wd.run = run;
	wd.next = 0;
	wd.group = group_name;
	wd.group_setup = group_setup;
	wd.group_teardown = group_teardown;
	rc = __real__cmocka_run_group_tests(group_name, timed, n,
					    group_setup ? timed_group_setup : NULL,
					    group_teardown ? timed_group_teardown : NULL);
	watchdog_disarm();
	free(run);
	return rc;
}

char *h_slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL) {
		if (fread(buf, 1, (size_t)n, f) == (size_t)n) {
			buf[n] = '\0';
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

char *h_transcript(const struct trace *t, int lang)
{
	struct narrator *n = malloc(sizeof *n);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(n);
	assert_non_null(f);
	narrate_begin(n, f, t, lang);
	for (size_t i = 0; i < trace_count(t); i++)
		narrate_ev(n, trace_at(t, i));
	narrate_end(n);
	assert_int_equal(fclose(f), 0);
	free(n);
	return buf;
}

int h_repeat(struct trace *t, size_t n)
{
	size_t base = trace_count(t);
	int64_t span = 1000;
	int32_t steps = 0;
	int rc;

	for (size_t i = 0; i < base; i++) {
		const struct trace_ev *e = trace_at(t, i);

		span = e->t_ns + 1000 > span ? e->t_ns + 1000 : span;
		steps = e->step + 1 > steps ? e->step + 1 : steps;
	}
	for (size_t k = base, rep = 1; k < n && base > 0; rep++)
		for (size_t i = 0; i < base && k < n; i++, k++) {
			struct trace_ev e = *trace_at(t, i);    /* a copy: appends follow */

			e.t_ns += (int64_t)rep * span;
			if (e.step >= 0)
				e.step += (int32_t)rep * steps;
			if ((rc = trace_append(t, &e)) != 0)
				return rc;
		}
	return 0;
}
