/* test_async.c: signal-driven IO and io_uring on real sockets.
 *
 * Both models do other work while they wait.  The assertions read the
 * trace, and where the trace could be wrong, the kernel: what a thread is
 * inside (/proc/self/task/TID/syscall), how many bytes a socket still holds
 * (FIONREAD), which threads the process has (/proc/self/task). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "models/sampler.h"
#include "tests/harness.h"

struct expect {
	const char *model;
	bool copy_blocked;     /* phase 2 blocks the caller */
	bool kernel_copies;    /* the data leaves the socket without the thread */
};

/* DESIGN.md §1: signal-driven and asynchronous IO. */
static const struct expect table[] = {
	{ "sigio", true,  false },
	{ "uring", false, true },
};

static const struct expect *cur(void **state)
{
	return *state;
}

static bool is(const struct expect *e, const char *model)
{
	return strcmp(e->model, model) == 0;
}

static int skip_unless_available(const struct expect *e)
{
	const struct model_ops *m = model_find(e->model);
	const char *why = "";

	assert_non_null(m);
	if (m->available(&why) != 0) {
		print_message("skipping %s: %s\n", e->model, why);
		return 1;
	}
	return 0;
}

/* The first event from index `from` of kind (and phase, end edge, fd when
 * not negative); NULL if none. */
static const struct trace_ev *find(struct harness *h, int kind, int phase, int end,
				   int fd, size_t from)
{
	for (size_t i = from; i < trace_count(h->t); i++) {
		const struct trace_ev *ev = trace_at(h->t, i);

		if (ev->kind == kind && (phase < 0 || ev->phase == phase) &&
		    (end < 0 || !!(ev->flags & TRACE_F_END) == end) && (fd < 0 || ev->fd == fd))
			return ev;
	}
	return NULL;
}

/* find's event, copied: a trace_at pointer expires after TRACE_AT_KEEP
 * more calls (trace.h), and these tests hold several. */
static struct trace_ev copy_of(const struct trace_ev *ev)
{
	assert_non_null(ev);
	return *ev;
}

static size_t count_fd(struct harness *h, int kind, int fd)
{
	size_t n = 0;

	for (size_t i = 0; i < trace_count(h->t); i++)
		n += trace_at(h->t, i)->kind == kind && trace_at(h->t, i)->fd == fd;
	return n;
}

/* Bytes the model got from fd: recv's return values (sigio), or the
 * results of its completions (uring). */
static int64_t got(struct harness *h, int fd)
{
	int64_t n = 0;

	for (size_t i = 0; i < trace_count(h->t); i++) {
		const struct trace_ev *ev = trace_at(h->t, i);

		if (ev->fd == fd && ev->ret > 0 &&
		    ((ev->kind == TRACE_EXIT && ev->call == TRACE_CALL_RECVFROM) ||
		     ev->kind == TRACE_COMPLETE))
			n += ev->ret;
	}
	return n;
}

struct want { int fd; int64_t bytes; };

static bool got_all(struct harness *h, void *arg)
{
	const struct want *w = arg;

	return got(h, w->fd) >= w->bytes;
}

static int unread(int fd)
{
	int n = -1;

	return ioctl(fd, FIONREAD, &n) == 0 ? n : -1;
}

/* Pause the world's clock with the model in the middle of its other work:
 * once it sleeps on the paused clock (a slice that was ending has ended
 * and the next has begun), it cannot look at its signals or its
 * completion ring until play. */
static void freeze(struct harness *h)
{
	sclock_pause(&h->clock);
	assert_true(h_wait(h, h_parked, NULL, 5000));
}

struct unread_below {
	int fd, n;
};

static bool unread_is_below(void *arg)
{
	const struct unread_below *u = arg;
	int left = unread(u->fd);

	return left >= 0 && left < u->n;
}

/* The kernel's word: the thread is not inside a read of any kind, at ten
 * looks spread over a few slices (a sample, not a wait: nothing is
 * expected to happen in between, and the test passes however slow the
 * machine). */
static void assert_not_reading(struct harness *h)
{
	pid_t tid = atomic_load(&h->c.tid);

	for (int i = 0; i < 10; i++) {
		struct kstate ks;

		assert_int_equal(sampler_read(tid, &ks), 0);
		assert_false(sampler_call_matches(TRACE_CALL_RECVFROM, ks.sysno));
		assert_false(sampler_call_matches(TRACE_CALL_READ, ks.sysno));
		assert_false(sampler_call_matches(TRACE_CALL_IO_URING_ENTER, ks.sysno));
		poll(NULL, 0, 5);
	}
}

/* sigio: the signal names the fd and ran on the model's own thread; phase
 * 1 ended when it ran; between the catch-up read at the start and the
 * signal, no recv. */
static void check_signal(struct harness *h, const struct trace_ev *w1)
{
	const struct trace_ev sig = copy_of(find(h, TRACE_SIGNAL, -1, -1, -1, 0));
	const struct trace_ev idle = copy_of(find(h, TRACE_IDLE, -1, 0, -1, 0));
	int fd = h->fds[0].fd;

	assert_int_equal(sig.fd, fd);
	assert_int_equal(sig.n, SIGRTMIN + 2);
	assert_int_equal(sig.tid, atomic_load(&h->c.tid));
	assert_int_equal(w1->t_ns, sig.t_ns);
	assert_true(sig.seq < w1->seq);
	for (size_t i = 0; i < sig.seq; i++) {
		const struct trace_ev *ev = trace_at(h->t, i);

		if (ev->kind != TRACE_EXIT || ev->call != TRACE_CALL_RECVFROM)
			continue;
		assert_true(ev->seq < idle.seq);      /* only the catch-up */
		assert_int_equal(ev->err, EAGAIN);
	}
}

/* uring: the RECV was submitted, and completed with the bytes; no read
 * call was ever made, and the copy ended when the completion was seen. */
static void check_completion(struct harness *h, const struct trace_ev *w0,
			     const struct trace_ev *w1, const struct trace_ev *c1)
{
	int fd = h->fds[0].fd;
	const struct trace_ev sub = copy_of(find(h, TRACE_SUBMIT, -1, -1, fd, 0));
	const struct trace_ev comp = copy_of(find(h, TRACE_COMPLETE, -1, -1, fd, 0));

	assert_int_equal(sub.arg, 0);
	assert_int_equal(sub.n, 1);
	assert_int_equal(comp.arg, 0);
	assert_int_equal(comp.ret, 5);
	assert_true(comp.n >= 1);
	assert_true(w0->seq < sub.seq && sub.seq < w1->seq);
	assert_int_equal(c1->t_ns, comp.t_ns);
	for (size_t i = 0; i < trace_count(h->t); i++) {
		const struct trace_ev *ev = trace_at(h->t, i);

		if (ev->kind == TRACE_ENTER)
			assert_int_equal(ev->call, TRACE_CALL_IO_URING_ENTER);
	}
}

/* Data arrives while the model does other work: exactly the bytes written
 * are read, through a phase 1 that never blocked. */
static void test_async_phases(void **state)
{
	const struct expect *e = cur(state);
	struct harness h;
	struct want w;
	struct trace_ev w0, w1, c0, c1;
	int64_t t_write;

	if (skip_unless_available(e))
		skip();
	assert_int_equal(h_init(&h, 1, 1.0), 0);
	w = (struct want){ h.fds[0].fd, 5 };
	assert_int_equal(h_start(&h, e->model), 0);
	assert_true(h_wait(&h, h_waiting, NULL, 5000));
	assert_not_reading(&h);
	t_write = sink_now(h.s);
	h_write(&h, 0, "trout", 5);
	assert_true(h_wait(&h, got_all, &w, 5000));
	h_close_far(&h, 0);
	assert_true(h_wait(&h, h_done, NULL, 5000));
	assert_int_equal(got(&h, w.fd), 5);
	assert_int_equal(unread(w.fd), 0);

	w0 = copy_of(find(&h, TRACE_PHASE, TRACE_PH_WAIT, 0, w.fd, 0));
	w1 = copy_of(find(&h, TRACE_PHASE, TRACE_PH_WAIT, 1, w.fd, w0.seq));
	c0 = copy_of(find(&h, TRACE_PHASE, TRACE_PH_COPY, 0, w.fd, w1.seq));
	c1 = copy_of(find(&h, TRACE_PHASE, TRACE_PH_COPY, 1, w.fd, c0.seq));
	assert_false(w0.flags & TRACE_F_BLOCKED);
	assert_false(w1.flags & TRACE_F_BLOCKED);
	assert_int_equal(!!(c0.flags & TRACE_F_BLOCKED), e->copy_blocked);
	assert_int_equal(!!(c1.flags & TRACE_F_BLOCKED), e->copy_blocked);
	assert_true(w0.t_ns <= w1.t_ns && w1.t_ns <= c0.t_ns && c0.t_ns <= c1.t_ns);
	assert_true(w1.t_ns >= t_write);         /* phase 1 ended with the data */
	assert_true(h_count(&h, TRACE_NOTE) >= 1);
	assert_true(h_count(&h, TRACE_IDLE) >= 2);   /* did something else */
	if (is(e, "sigio"))
		check_signal(&h, &w1);
	else
		check_completion(&h, &w0, &w1, &c1);
	assert_int_equal(copy_of(find(&h, TRACE_DONE, -1, -1, -1, 0)).ret, 0);
	h_fini(&h);
}

/* Who copies: with the model's clock paused mid-work, io_uring's data
 * leaves the socket anyway (the kernel copied it into the thread's
 * buffer); sigio's waits in the socket for the thread's recv. */
static void test_async_kernel_copies(void **state)
{
	const struct expect *e = cur(state);
	struct harness h;
	struct want w;
	int left = -1;

	if (skip_unless_available(e))
		skip();
	assert_int_equal(h_init(&h, 1, 1.0), 0);
	w = (struct want){ h.fds[0].fd, 5 };
	assert_int_equal(h_start(&h, e->model), 0);
	assert_true(h_wait(&h, h_waiting, NULL, 5000));
	freeze(&h);
	h_write(&h, 0, "perch", 5);
	if (e->kernel_copies) {      /* the kernel empties the socket by itself */
		struct unread_below u = { w.fd, 1 };

		assert_true(h_until(unread_is_below, &u, 5000));
	}
	/* The thread heard of it (a signal, a completion) and sleeps again on
	 * the paused clock: from here only play can make it read. */
	assert_true(h_wait(&h, h_parked, NULL, 5000));
	left = unread(w.fd);
	assert_int_equal(left, e->kernel_copies ? 0 : 5);
	assert_int_equal(got(&h, w.fd), 0);       /* the thread has not looked */
	assert_int_equal(h_count(&h, TRACE_COMPLETE), 0);
	sclock_play(&h.clock);
	assert_true(h_wait(&h, got_all, &w, 5000));
	assert_int_equal(unread(w.fd), 0);
	h_fini(&h);
}

/* Three arrivals while the model is away: three signals (real-time
 * signals queue), read in one go; io_uring gets them all too. */
static void test_async_coalesced(void **state)
{
	const struct expect *e = cur(state);
	struct harness h;
	struct want w;

	if (skip_unless_available(e))
		skip();
	assert_int_equal(h_init(&h, 1, 1.0), 0);
	w = (struct want){ h.fds[0].fd, 6 };
	assert_int_equal(h_start(&h, e->model), 0);
	assert_true(h_wait(&h, h_waiting, NULL, 5000));
	freeze(&h);
	h_write(&h, 0, "a", 1);
	h_write(&h, 0, "bb", 2);
	h_write(&h, 0, "ccc", 3);
	if (e->kernel_copies) {      /* the request in flight completed */
		struct unread_below u = { w.fd, 6 };

		assert_true(h_until(unread_is_below, &u, 5000));
	}
	/* Every signal was handled (each was queued inside its write), every
	 * completion posted, and the thread sleeps again on the paused clock. */
	assert_true(h_wait(&h, h_parked, NULL, 5000));
	sclock_play(&h.clock);
	assert_true(h_wait(&h, got_all, &w, 5000));
	h_close_far(&h, 0);
	assert_true(h_wait(&h, h_done, NULL, 5000));
	assert_int_equal(got(&h, w.fd), 6);
	if (is(e, "sigio")) {
		int64_t ok = 0;          /* the last read's ret */
		size_t reads = 0;

		/* Three for the data, one for the end of file. */
		assert_int_equal(count_fd(&h, TRACE_SIGNAL, w.fd), 4);
		for (size_t i = 0; i < trace_count(h.t); i++) {
			const struct trace_ev *ev = trace_at(h.t, i);

			if (ev->kind == TRACE_EXIT && ev->call == TRACE_CALL_RECVFROM && ev->ret > 0) {
				reads++;
				ok = ev->ret;
			}
		}
		assert_int_equal(reads, 1);
		assert_int_equal(ok, 6);
	} else {
		assert_true(count_fd(&h, TRACE_COMPLETE, w.fd) >= 2);   /* data, then EOF */
	}
	h_fini(&h);
}

/* A small chunk: sigio reads to EAGAIN, io_uring re-arms until it has it all. */
static void test_async_chunked(void **state)
{
	const struct expect *e = cur(state);
	struct harness h;
	struct want w;

	if (skip_unless_available(e))
		skip();
	assert_int_equal(h_init(&h, 1, 1.0), 0);
	h.c.chunk = 2;
	w = (struct want){ h.fds[0].fd, 5 };
	assert_int_equal(h_start(&h, e->model), 0);
	assert_true(h_wait(&h, h_waiting, NULL, 5000));
	h_write(&h, 0, "trout", 5);
	h_close_far(&h, 0);
	assert_true(h_wait(&h, h_done, NULL, 5000));
	assert_int_equal(got(&h, w.fd), 5);
	if (is(e, "uring"))
		assert_int_equal(count_fd(&h, TRACE_COMPLETE, w.fd), 4);  /* 2+2+1, EOF */
	assert_int_equal(find(&h, TRACE_DONE, -1, -1, -1, 0)->ret, 0);
	h_fini(&h);
}

/* Data and end of file that came before the model started are not lost. */
static void test_async_data_before_start(void **state)
{
	const struct expect *e = cur(state);
	struct harness h;

	if (skip_unless_available(e))
		skip();
	assert_int_equal(h_init(&h, 1, 1.0), 0);
	h_write(&h, 0, "early", 5);
	h_close_far(&h, 0);
	assert_int_equal(h_start(&h, e->model), 0);
	assert_true(h_wait(&h, h_done, NULL, 5000));
	assert_int_equal(got(&h, h.fds[0].fd), 5);
	assert_int_equal(find(&h, TRACE_DONE, -1, -1, -1, 0)->ret, 0);
	h_fini(&h);
}

/* End of file on every fd ends the model by itself, with status 0. */
static void test_async_eof(void **state)
{
	const struct expect *e = cur(state);
	struct harness h;

	if (skip_unless_available(e))
		skip();
	assert_int_equal(h_init(&h, 2, 1.0), 0);
	assert_int_equal(h_start(&h, e->model), 0);
	assert_true(h_wait(&h, h_waiting, NULL, 5000));
	h_close_far(&h, 1);
	h_close_far(&h, 0);
	assert_true(h_wait(&h, h_done, NULL, 5000));
	assert_int_equal(find(&h, TRACE_DONE, -1, -1, -1, 0)->ret, 0);
	assert_int_equal(model_join(&h.c, 1000), 0);
	h_fini(&h);
}

/* Several fds: every byte once, from the right fd. */
static void test_async_many_fds(void **state)
{
	const struct expect *e = cur(state);
	struct harness h;

	if (skip_unless_available(e))
		skip();
	assert_int_equal(h_init(&h, 3, 1.0), 0);
	assert_int_equal(h_start(&h, e->model), 0);
	assert_true(h_wait(&h, h_waiting, NULL, 5000));
	h_write(&h, 2, "ccc", 3);
	h_write(&h, 0, "a", 1);
	h_write(&h, 1, "bb", 2);
	for (int i = 0; i < 3; i++)
		h_close_far(&h, i);
	assert_true(h_wait(&h, h_done, NULL, 5000));
	assert_int_equal(got(&h, h.fds[0].fd), 1);
	assert_int_equal(got(&h, h.fds[1].fd), 2);
	assert_int_equal(got(&h, h.fds[2].fd), 3);
	assert_int_equal(find(&h, TRACE_DONE, -1, -1, -1, 0)->ret, 0);
	h_fini(&h);
}

/* Stopped while it does other work, with a read outstanding: within 1 s,
 * as "still waiting"; io_uring's request is taken back. */
static void test_async_stop_while_waiting(void **state)
{
	const struct expect *e = cur(state);
	struct harness h;

	if (skip_unless_available(e))
		skip();
	assert_int_equal(h_init(&h, 1, 1.0), 0);
	assert_int_equal(h_start(&h, e->model), 0);
	assert_true(h_wait(&h, h_waiting, NULL, 5000));
	/* model_stop gives up (-ETIMEDOUT) at its limit: 0 is "within 1 s". */
	assert_int_equal(model_stop(&h.c, MODEL_STOP_MS), 0);
	assert_true(h_wait(&h, h_done, NULL, 5000));
	assert_int_equal(find(&h, TRACE_DONE, -1, -1, -1, 0)->ret, -ECANCELED);
	if (is(e, "uring")) {
		const struct trace_ev *comp = find(&h, TRACE_COMPLETE, -1, -1, h.fds[0].fd, 0);

		assert_non_null(comp);
		assert_int_equal(comp->ret, -ECANCELED);
	}
	h_fini(&h);
}

/* No fd left behind (the ring's own fd included), stopped or not. */
static void test_async_no_fd_leak(void **state)
{
	const struct expect *e = cur(state);
	int before = open_fd_count();
	struct harness h;
	struct want w;

	if (skip_unless_available(e))
		skip();
	assert_int_equal(h_init(&h, 2, 1.0), 0);
	w = (struct want){ h.fds[0].fd, 1 };
	assert_int_equal(h_start(&h, e->model), 0);
	assert_true(h_wait(&h, h_waiting, NULL, 5000));
	h_write(&h, 0, "x", 1);
	h_close_far(&h, 0);
	assert_true(h_wait(&h, got_all, &w, 5000));
	h_fini(&h);                  /* stops it, fd 1 still open */
	assert_int_equal(open_fd_count(), before);
}

/* The threads of this process, and whether one is io_uring's. */
static int tasks(bool *kernel_worker)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		char path[300], comm[64] = "";
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		n++;
		snprintf(path, sizeof path, "/proc/self/task/%s/comm", de->d_name);
		if ((f = fopen(path, "r")) != NULL) {
			if (fgets(comm, sizeof comm, f) != NULL && strncmp(comm, "iou-", 4) == 0)
				*kernel_worker = true;
			fclose(f);
		}
	}
	closedir(d);
	return n;
}

/* DESIGN.md §2: "io_uring recv submitted, not waited on: the submitter
 * runs; no extra thread appears" -- before, during and after the read. */
static void test_async_uring_no_extra_thread(void **state)
{
	const struct expect *e = &table[1];
	struct harness h;
	struct want w;
	bool worker = false;
	int before, waiting, after;

	(void)state;
	if (skip_unless_available(e))
		skip();
	assert_int_equal(h_init(&h, 1, 1.0), 0);
	w = (struct want){ h.fds[0].fd, 5 };
	before = tasks(&worker);
	assert_int_equal(h_start(&h, e->model), 0);
	assert_true(h_wait(&h, h_waiting, NULL, 5000));
	assert_non_null(find(&h, TRACE_SUBMIT, -1, -1, w.fd, 0));
	waiting = tasks(&worker);
	h_write(&h, 0, "trout", 5);
	assert_true(h_wait(&h, got_all, &w, 5000));
	after = tasks(&worker);
	assert_int_equal(waiting, before + 1);     /* the model's own thread */
	assert_int_equal(after, waiting);
	assert_false(worker);
	h_close_far(&h, 0);
	assert_true(h_wait(&h, h_done, NULL, 5000));
	h_fini(&h);
}

/* F_SETOWN_EX with F_OWNER_TID: two sigio threads at once, each hears
 * only about its own fd, on its own thread. */
static void test_async_sigio_own_thread(void **state)
{
	const struct expect *e = &table[0];
	struct harness a, b;
	struct want wa, wb;

	(void)state;
	if (skip_unless_available(e))
		skip();
	assert_int_equal(h_init(&a, 1, 1.0), 0);
	assert_int_equal(h_init(&b, 1, 1.0), 0);
	wa = (struct want){ a.fds[0].fd, 3 };
	wb = (struct want){ b.fds[0].fd, 4 };
	assert_int_equal(h_start(&a, e->model), 0);
	assert_int_equal(h_start(&b, e->model), 0);
	assert_true(h_wait(&a, h_waiting, NULL, 5000));
	assert_true(h_wait(&b, h_waiting, NULL, 5000));
	h_write(&b, 0, "bass", 4);
	h_write(&a, 0, "eel", 3);
	assert_true(h_wait(&a, got_all, &wa, 5000));
	assert_true(h_wait(&b, got_all, &wb, 5000));
	for (int k = 0; k < 2; k++) {
		struct harness *h = k == 0 ? &a : &b;
		size_t n = 0;

		for (size_t i = 0; i < trace_count(h->t); i++) {
			const struct trace_ev *ev = trace_at(h->t, i);

			if (ev->kind != TRACE_SIGNAL)
				continue;
			n++;
			assert_int_equal(ev->fd, h->fds[0].fd);
			assert_int_equal(ev->tid, atomic_load(&h->c.tid));
		}
		assert_int_equal(n, 1);
	}
	h_fini(&b);
	h_fini(&a);
}

/* One row per model, named test_async_<case>/<model>. */
#define ROW(fn, i, m) { #fn "/" m, fn, NULL, NULL, (void *)&table[i] }
#define MATRIX(fn) ROW(fn, 0, "sigio"), ROW(fn, 1, "uring")

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		MATRIX(test_async_phases),
		MATRIX(test_async_kernel_copies),
		MATRIX(test_async_coalesced),
		MATRIX(test_async_chunked),
		MATRIX(test_async_data_before_start),
		MATRIX(test_async_eof),
		MATRIX(test_async_many_fds),
		MATRIX(test_async_stop_while_waiting),
		MATRIX(test_async_no_fd_leak),
		cmocka_unit_test(test_async_uring_no_extra_thread),
		cmocka_unit_test(test_async_sigio_own_thread),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("async", tests, NULL, NULL);
}
