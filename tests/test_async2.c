/* test_async2.c: glibc's POSIX aio and libuv, on real sockets.
 *
 * posix-aio: the caller is never blocked, and the thread that is (glibc's
 * helper, asleep in read(2)) is found through /proc.  libuv: an event loop
 * library is multiplexing plus callbacks; its thread sleeps in epoll_wait.
 * Judged from the trace and from the kernel's own word. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <aio.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "models/sampler.h"
#include "live/run.h"
#include "tests/harness.h"
#include "view/narrate.h"

static const struct trace_ev *find(const struct trace *t, int kind, int phase, int end, size_t from)
{
	for (size_t i = from; i < trace_count(t); i++) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->kind == kind && (phase < 0 || ev->phase == phase) &&
		    (end < 0 || !!(ev->flags & TRACE_F_END) == end))
			return ev;
	}
	return NULL;
}

static const struct trace_ev *find_call(const struct trace *t, int kind, int call, size_t from)
{
	for (size_t i = from; i < trace_count(t); i++) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->kind == kind && ev->call == call)
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

/* Bytes the actor's thread read (exits of read/recvfrom) or was handed
 * (completions). */
static int64_t bytes_got(const struct trace *t, int fd)
{
	int64_t n = 0;

	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->fd != fd || ev->ret <= 0)
			continue;
		if (ev->kind == TRACE_COMPLETE ||
		    (ev->kind == TRACE_EXIT && (ev->call == TRACE_CALL_READ ||
						ev->call == TRACE_CALL_RECVFROM)))
			n += ev->ret;
	}
	return n;
}

/* ---- posix-aio ---------------------------------------------------------- */

/* Both phases of every read are flagged not blocked for the caller; the
 * bytes written are the bytes completed. */
static void test_async2_aio_phases(void **state)
{
	struct harness h;
	struct trace_ev sub, comp, w1, c0, c1, note;
	size_t phases = 0;

	(void)state;
	assert_int_equal(h_init(&h, 1, 1.0), 0);
	assert_int_equal(h_start(&h, "posix-aio"), 0);
	assert_true(h_wait(&h, h_waiting, NULL, 5000));
	h_write(&h, 0, "trout", 5);
	h_close_far(&h, 0);
	assert_true(h_wait(&h, h_done, NULL, 5000));

	note = copy_of(find(h.t, TRACE_NOTE, -1, -1, 0));
	assert_non_null(strstr(note.text[0], "threads in disguise"));
	assert_true(*note.text[1] != '\0');
	sub = copy_of(find(h.t, TRACE_SUBMIT, -1, -1, 0));
	assert_int_equal(sub.fd, h.fds[0].fd);
	assert_int_equal(sub.n, 1);
	assert_non_null(find_call(h.t, TRACE_ENTER, TRACE_CALL_AIO_READ, 0));
	comp = copy_of(find(h.t, TRACE_COMPLETE, -1, -1, 0));
	assert_int_equal(comp.arg, sub.arg);
	assert_int_equal(comp.ret, 5);
	assert_int_equal(bytes_got(h.t, h.fds[0].fd), 5);

	for (size_t i = 0; i < trace_count(h.t); i++) {
		const struct trace_ev *ev = trace_at(h.t, i);

		if (ev->kind == TRACE_PHASE) {
			assert_false(ev->flags & TRACE_F_BLOCKED);
			phases++;
		}
		/* The caller never made a read syscall of its own. */
		assert_false(ev->kind == TRACE_ENTER && (ev->call == TRACE_CALL_READ ||
							 ev->call == TRACE_CALL_RECVFROM));
	}
	w1 = copy_of(find(h.t, TRACE_PHASE, TRACE_PH_WAIT, 1, 0));
	c0 = copy_of(find(h.t, TRACE_PHASE, TRACE_PH_COPY, 0, 0));
	c1 = copy_of(find(h.t, TRACE_PHASE, TRACE_PH_COPY, 1, 0));
	assert_true(w1.t_ns <= c0.t_ns && c0.t_ns <= c1.t_ns);
	assert_true(c1.t_ns <= comp.t_ns);
	/* Two requests (the data, then end of file): wait, copy, wait. */
	assert_int_equal(phases, 2 + 2 + 2);
	/* It did other work in between. */
	assert_true(h_count(&h, TRACE_IDLE) >= 2);
	assert_int_equal(find(h.t, TRACE_DONE, -1, -1, 0)->ret, 0);
	h_fini(&h);
}

/* One look for helpers of fd, by a thread other than self. */
struct helper_look {
	int fd;
	pid_t self;
	struct sampler_helper *found;
	int n;
};

static bool one_helper_asleep(void *arg)
{
	struct helper_look *l = arg;

	l->n = sampler_find_helpers(&l->fd, 1, &l->self, 1, l->found, 4);
	return l->n == 1 && l->found[0].ks.state == 'S';
}

static bool aio_finished(void *arg)
{
	return aio_error(arg) != EINPROGRESS;
}

/* glibc's helper, by the kernel's word: another thread of this process,
 * asleep in read(2) on the socket the caller handed to aio_read. */
static void test_async2_aio_finds_glibc_helper(void **state)
{
	struct sampler_helper found[4];
	struct helper_look look;
	struct aiocb cb;
	char buf[16];
	int sv[2], n = 0;
	pid_t self = gettid();

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	look = (struct helper_look){ sv[0], self, found, 0 };
	cb = (struct aiocb){ .aio_fildes = sv[0], .aio_buf = buf, .aio_nbytes = sizeof buf,
			     .aio_sigevent = { .sigev_notify = SIGEV_NONE } };
	assert_int_equal(aio_read(&cb), 0);
	assert_true(h_until(one_helper_asleep, &look, 5000));
	n = look.n;
	assert_int_equal(n, 1);
	assert_true(found[0].tid != self && found[0].tid != getpid());
	assert_int_equal(found[0].fd, sv[0]);
	assert_int_equal(found[0].ks.state, 'S');
	assert_int_equal(found[0].ks.sysno, SYS_read);
	assert_string_equal(found[0].ks.syscall, "read");
	if (found[0].ks.wchan[0] == '\0')
		print_message("note: this kernel hides wchan\n");
	else
		assert_string_equal(found[0].ks.wchan, "unix_stream_read_generic");
	/* Not this thread, nor one reading another fd. */
	assert_int_equal(sampler_find_helpers(&sv[1], 1, &self, 1, found, 4), 0);

	assert_int_equal(write(sv[1], "perch", 5), 5);
	assert_true(h_until(aio_finished, &cb, 5000));
	assert_int_equal(aio_error(&cb), 0);
	assert_int_equal(aio_return(&cb), 5);
	assert_memory_equal(buf, "perch", 5);
	close(sv[0]);
	close(sv[1]);
}

/* The harness's loop, run: the sampler's timer fires on it. */
struct looped {
	struct harness *h;
	bool (*pred)(struct harness *h, void *arg);
	void *arg;
};

static bool looped_pred(struct harness *h, void *arg)
{
	struct looped *l = arg;

	uv_run(&h->loop, UV_RUN_NOWAIT);
	return l->pred(h, l->arg);
}

static bool h_wait_loop(struct harness *h, bool (*pred)(struct harness *h, void *arg),
			void *arg, int timeout_ms)
{
	struct looped l = { h, pred, arg };

	return h_wait(h, looped_pred, &l, timeout_ms);
}

/* A helper state event: what = 1, S in read on fd. */
static bool helper_asleep(struct harness *h, void *arg)
{
	int fd = *(int *)arg;

	for (size_t i = 0; i < trace_count(h->t); i++) {
		const struct trace_ev *ev = trace_at(h->t, i);

		if (ev->kind == TRACE_STATE && ev->what == 1 && ev->fd == fd &&
		    ev->state == 'S' && strcmp(ev->syscall, "read") == 0)
			return true;
	}
	return false;
}

/* The model with the sampler watching: the helper shows up in the trace,
 * asleep in read(fd) before the data arrives, as the actor's helper. */
static void test_async2_aio_sampler_shows_helper(void **state)
{
	struct harness h;
	struct sampler *sp;
	size_t st = SIZE_MAX;       /* the seq of a helper's state on fd 0 */
	pid_t model_tid;

	(void)state;
	assert_int_equal(h_init(&h, 2, 1.0), 0);
	assert_int_equal(sampler_new(&h.loop, h.s, &sp), 0);
	assert_int_equal(sampler_watch_helpers(sp, 1, &h.c.tid), 0);
	assert_int_equal(h_start(&h, "posix-aio"), 0);
	assert_true(h_wait_loop(&h, helper_asleep, &h.fds[1].fd, 5000));
	assert_true(h_wait_loop(&h, helper_asleep, &h.fds[0].fd, 5000));
	model_tid = atomic_load(&h.c.tid);
	for (size_t i = 0; i < trace_count(h.t); i++) {
		const struct trace_ev *ev = trace_at(h.t, i);

		if (ev->kind == TRACE_STATE && ev->what == 1) {
			assert_int_equal(ev->actor, 1);
			assert_true(ev->tid != model_tid && ev->tid != gettid());
			if (ev->fd == h.fds[0].fd)
				st = ev->seq;
		}
		/* The caller itself is never seen blocked in a read. */
		if (ev->kind == TRACE_STATE && ev->what == 0)
			assert_true(ev->tid == model_tid);
	}
	assert_true(st != SIZE_MAX);
	h_write(&h, 0, "carp", 4);
	h_write(&h, 1, "eel", 3);
	h_close_far(&h, 0);
	h_close_far(&h, 1);
	assert_true(h_wait_loop(&h, h_done, NULL, 5000));
	assert_true(st < copy_of(find(h.t, TRACE_COMPLETE, -1, -1, 0)).seq);
	assert_int_equal(bytes_got(h.t, h.fds[0].fd), 4);
	assert_int_equal(bytes_got(h.t, h.fds[1].fd), 3);
	assert_true(sampler_emitted(sp) >= 2);
	model_join(&h.c, 1000);
	sink_drain(h.s);
	sampler_close(sp);
	h_fini(&h);
	sampler_free(sp);
}

/* Every fd of the harness has a helper asleep in read on it. */
static bool helpers_in_read(struct harness *h, void *arg)
{
	struct sampler_helper found[H_MAX_FDS + 4];
	int fds[H_MAX_FDS], asleep = 0, n;
	pid_t self = gettid();

	(void)arg;
	for (int i = 0; i < h->nfds; i++)
		fds[i] = h->fds[i].fd;
	n = sampler_find_helpers(fds, h->nfds, &self, 1, found, H_MAX_FDS + 4);
	for (int i = 0; i < n && i < H_MAX_FDS + 4; i++)
		asleep += found[i].ks.state == 'S';
	return asleep == h->nfds;
}

/* Stopped while glibc's helper sleeps in read: model_stop still returns
 * within a second (its shutdown ends the read), status -ECANCELED. */
static void test_async2_aio_stop_while_waiting(void **state)
{
	struct harness h;
	int64_t t0;

	(void)state;
	assert_int_equal(h_init(&h, 2, 1.0), 0);
	h.c.every_ns = 10 * 1000000000LL;      /* a long chat */
	assert_int_equal(h_start(&h, "posix-aio"), 0);
	assert_true(h_wait(&h, h_waiting, NULL, 5000));
	assert_true(h_wait(&h, helpers_in_read, NULL, 5000));
	t0 = trace_mono_ns();
	assert_int_equal(model_stop(&h.c, MODEL_STOP_MS), 0);
	t0 = trace_mono_ns() - t0;
	print_message("stopped in %.0f ms\n", (double)t0 / 1e6);   /* 0 above: within 1 s */
	sink_drain(h.s);
	assert_int_equal(find(h.t, TRACE_DONE, -1, -1, 0)->ret, -ECANCELED);
	/* Every request was seen to its end. */
	assert_int_equal(h_count(&h, TRACE_SUBMIT), h_count(&h, TRACE_COMPLETE));
	h_fini(&h);
}

static void test_async2_aio_no_fd_leak(void **state)
{
	int before = open_fd_count();
	struct harness h;

	(void)state;
	assert_int_equal(h_init(&h, 3, 1.0), 0);
	assert_int_equal(h_start(&h, "posix-aio"), 0);
	h_write(&h, 2, "ccc", 3);
	h_write(&h, 0, "a", 1);
	for (int i = 0; i < 3; i++)
		h_close_far(&h, i);
	assert_true(h_wait(&h, h_done, NULL, 5000));
	assert_int_equal(bytes_got(h.t, h.fds[0].fd), 1);
	assert_int_equal(bytes_got(h.t, h.fds[1].fd), 0);
	assert_int_equal(bytes_got(h.t, h.fds[2].fd), 3);
	h_fini(&h);
	assert_int_equal(open_fd_count(), before);
}

/* ---- libuv --------------------------------------------------------------- */

static size_t count_call(const struct trace *t, int kind, int call)
{
	size_t n = 0;

	for (size_t i = 0; i < trace_count(t); i++)
		n += trace_at(t, i)->kind == kind && trace_at(t, i)->call == call;
	return n;
}

/* Data arrives while the loop sleeps: epoll_wait returns the fd, libuv
 * reads it, both phases blocked (the loop thread waits, and copies). */
static void test_async2_libuv_phases(void **state)
{
	struct harness h;
	/* Copies: a trace_at pointer expires after TRACE_AT_KEEP more calls. */
	struct trace_ev w0, w1, c0, c1, en, ex, rd, rx, note = { .kind = TRACE_NONE };
	struct kstate ks;
	int fd;

	(void)state;
	assert_int_equal(h_init(&h, 1, 1.0), 0);
	fd = h.fds[0].fd;
	assert_int_equal(h_start(&h, "libuv"), 0);
	assert_true(h_wait(&h, h_waiting, NULL, 5000));
	/* The kernel's word: asleep in epoll_wait, not in a read. */
	assert_int_equal(sampler_read(atomic_load(&h.c.tid), &ks), 0);
	assert_int_equal(ks.state, 'S');
	assert_true(sampler_call_matches(TRACE_CALL_EPOLL_WAIT, ks.sysno));
	if (ks.wchan[0] != '\0')
		assert_string_equal(ks.wchan, "do_epoll_wait");
	assert_true(atomic_load(&h.fds[0].in_epoll));
	h_write(&h, 0, "trout", 5);
	h_close_far(&h, 0);
	assert_true(h_wait(&h, h_done, NULL, 5000));

	for (size_t i = 0; i < trace_count(h.t); i++)
		if (trace_at(h.t, i)->kind == TRACE_NOTE &&
		    strstr(trace_at(h.t, i)->text[0], "libuv waits in epoll here") != NULL)
			note = *trace_at(h.t, i);
	assert_int_equal(note.kind, TRACE_NOTE);
	w0 = copy_of(find(h.t, TRACE_PHASE, TRACE_PH_WAIT, 0, 0));
	en = copy_of(find_call(h.t, TRACE_ENTER, TRACE_CALL_EPOLL_WAIT, 0));
	ex = copy_of(find_call(h.t, TRACE_EXIT, TRACE_CALL_EPOLL_WAIT, 0));
	w1 = copy_of(find(h.t, TRACE_PHASE, TRACE_PH_WAIT, 1, 0));
	rd = copy_of(find_call(h.t, TRACE_ENTER, TRACE_CALL_READ, 0));
	c0 = copy_of(find(h.t, TRACE_PHASE, TRACE_PH_COPY, 0, 0));
	c1 = copy_of(find(h.t, TRACE_PHASE, TRACE_PH_COPY, 1, 0));
	rx = copy_of(find_call(h.t, TRACE_EXIT, TRACE_CALL_READ, 0));
	/* wait begins, enter epoll_wait, it returns fd, wait ends, read(fd)
	 * with the copy inside it. */
	assert_true(w0.seq < en.seq && en.seq < ex.seq && ex.seq <= w1.seq);
	assert_true(w1.seq < rd.seq && rd.seq < c0.seq && c0.seq < c1.seq && c1.seq < rx.seq);
	assert_true(w0.flags & TRACE_F_BLOCKED);
	assert_true(w1.flags & TRACE_F_BLOCKED);
	assert_true(c0.flags & TRACE_F_BLOCKED);
	assert_true(c1.flags & TRACE_F_BLOCKED);
	assert_int_equal(w0.fd, fd);
	assert_int_equal(ex.ret, 1);
	assert_int_equal(ex.nfds, 1);
	assert_int_equal(ex.fd_list[0], fd);         /* the world's number */
	assert_int_equal(ex.fd, en.fd);
	assert_true(ex.dur_ns > 0);
	assert_int_equal(rd.fd, fd);
	assert_int_equal(rx.ret, 5);
	assert_int_equal(bytes_got(h.t, fd), 5);
	/* Every wait that began also ended: no dangling epoll_wait. */
	assert_int_equal(count_call(h.t, TRACE_ENTER, TRACE_CALL_EPOLL_WAIT),
			 count_call(h.t, TRACE_EXIT, TRACE_CALL_EPOLL_WAIT));
	assert_int_equal(count_call(h.t, TRACE_ENTER, TRACE_CALL_READ),
			 count_call(h.t, TRACE_EXIT, TRACE_CALL_READ));
	assert_int_equal(h_count(&h, TRACE_IDLE), 0);
	assert_int_equal(find(h.t, TRACE_DONE, -1, -1, 0)->ret, 0);   /* loop closed */
	assert_false(atomic_load(&h.fds[0].in_epoll));
	h_fini(&h);
}

/* Several fds, one wait for all; small chunks make libuv read in a loop. */
static void test_async2_libuv_many_fds(void **state)
{
	struct harness h;

	(void)state;
	assert_int_equal(h_init(&h, 3, 1.0), 0);
	h.c.chunk = 2;
	assert_int_equal(h_start(&h, "libuv"), 0);
	assert_true(h_wait(&h, h_waiting, NULL, 5000));
	h_write(&h, 2, "ccccc", 5);
	h_write(&h, 0, "a", 1);
	h_write(&h, 1, "bb", 2);
	for (int i = 0; i < 3; i++)
		h_close_far(&h, i);
	assert_true(h_wait(&h, h_done, NULL, 5000));
	assert_int_equal(bytes_got(h.t, h.fds[0].fd), 1);
	assert_int_equal(bytes_got(h.t, h.fds[1].fd), 2);
	assert_int_equal(bytes_got(h.t, h.fds[2].fd), 5);
	assert_int_equal(count_call(h.t, TRACE_ENTER, TRACE_CALL_READ),
			 count_call(h.t, TRACE_EXIT, TRACE_CALL_READ));
	assert_int_equal(find(h.t, TRACE_DONE, -1, -1, 0)->ret, 0);
	h_fini(&h);
}

/* Data and end of file already there before the loop starts. */
static void test_async2_libuv_data_then_eof_at_once(void **state)
{
	struct harness h;

	(void)state;
	assert_int_equal(h_init(&h, 1, 1.0), 0);
	h_write(&h, 0, "pike", 4);
	h_close_far(&h, 0);
	assert_int_equal(h_start(&h, "libuv"), 0);
	assert_true(h_wait(&h, h_done, NULL, 5000));
	assert_int_equal(bytes_got(h.t, h.fds[0].fd), 4);
	assert_int_equal(find(h.t, TRACE_DONE, -1, -1, 0)->ret, 0);
	assert_int_equal(count_call(h.t, TRACE_ENTER, TRACE_CALL_EPOLL_WAIT),
			 count_call(h.t, TRACE_EXIT, TRACE_CALL_EPOLL_WAIT));
	h_fini(&h);
}

/* Stopped while asleep in epoll_wait: out at once (the stop signal is read
 * from a signalfd in the loop), -ECANCELED, no fd left behind. */
static void test_async2_libuv_stop_while_waiting(void **state)
{
	int before = open_fd_count();
	struct harness h;
	int last_exit = -1;        /* the call of the last exit */
	int64_t t0;

	(void)state;
	assert_int_equal(h_init(&h, 2, 1.0), 0);
	assert_int_equal(h_start(&h, "libuv"), 0);
	assert_true(h_wait(&h, h_waiting, NULL, 5000));
	t0 = trace_mono_ns();
	assert_int_equal(model_stop(&h.c, MODEL_STOP_MS), 0);
	t0 = trace_mono_ns() - t0;
	print_message("stopped in %.1f ms\n", (double)t0 / 1e6);
	/* By the signal, not by model_stop's fallback: the kernel's word that
	 * no fd was shut down (a shut-down socket reads as end of file). */
	for (int i = 0; i < h.nfds; i++) {
		char c;

		assert_int_equal(recv(h.fds[i].fd, &c, 1, MSG_PEEK | MSG_DONTWAIT), -1);
		assert_int_equal(errno, EAGAIN);
	}
	sink_drain(h.s);
	assert_int_equal(find(h.t, TRACE_DONE, -1, -1, 0)->ret, -ECANCELED);
	for (size_t i = 0; i < trace_count(h.t); i++)
		if (trace_at(h.t, i)->kind == TRACE_EXIT)
			last_exit = trace_at(h.t, i)->call;
	assert_int_equal(last_exit, TRACE_CALL_EPOLL_WAIT);
	assert_int_equal(count_call(h.t, TRACE_ENTER, TRACE_CALL_EPOLL_WAIT),
			 count_call(h.t, TRACE_EXIT, TRACE_CALL_EPOLL_WAIT));
	/* The stop was not mistaken for data or end of file. */
	assert_int_equal(count_call(h.t, TRACE_ENTER, TRACE_CALL_READ), 0);
	h_fini(&h);
	assert_int_equal(open_fd_count(), before);
}

static void test_async2_libuv_no_fd_leak(void **state)
{
	int before = open_fd_count();
	struct harness h;

	(void)state;
	assert_int_equal(h_init(&h, 2, 1.0), 0);
	assert_int_equal(h_start(&h, "libuv"), 0);
	h_write(&h, 0, "x", 1);
	h_close_far(&h, 0);
	h_close_far(&h, 1);
	assert_true(h_wait(&h, h_done, NULL, 5000));
	assert_int_equal(find(h.t, TRACE_DONE, -1, -1, 0)->ret, 0);
	h_fini(&h);
	assert_int_equal(open_fd_count(), before);
}

/* ---- a whole run ---------------------------------------------------------- */

static const char script[] =
	"scenario t\n"
	"actor D posix-aio every=50ms\n"
	"actor L libuv\n"
	"at 1000s write D.1 trout\n"
	"at 1000s write L.1 carp\n"
	"at 2000s close D.1\n"
	"at 2000s close L.1\n";

/* Before the writes (the test performs each step): D's helper asleep in
 * its read and L asleep in epoll_wait; before the closes, both have their
 * bytes and wait again. */
static bool d_and_l_wait(struct h_run *hr, void *arg)
{
	const bool *fed = arg;
	const struct trace *t = run_trace(hr->r);
	int D = trace_find_actor(t, "D"), L = trace_find_actor(t, "L");

	if (*fed && (h_actor_got(t, D) < 5 || h_actor_got(t, L) < 4))
		return false;
	return h_actor_waits(t, D) && h_actor_waits(t, L) &&
	       (*fed || h_actor_helper_asleep(t, D));
}

static void play_script(const struct run_opts *o)
{
	static const bool fed[2] = { false, true };
	char cause[512] = "";
	struct h_run hr;

	assert_int_equal(h_run_open(&hr, o, cause, sizeof cause), 0);
	assert_true(h_run_until(&hr, d_and_l_wait, (void *)&fed[0], 10000));
	assert_int_equal(run_step(hr.r), 1);
	assert_true(h_run_until(&hr, d_and_l_wait, (void *)&fed[1], 10000));
	assert_int_equal(run_step(hr.r), 3);
	assert_true(h_run_until(&hr, h_run_ended, NULL, 10000));
	if (h_run_close(&hr, cause, sizeof cause) != 0)
		fail_msg("%s", cause);
}

/* Recorded and read back: D's helper asleep in read(2) on D's fd before
 * its fish bit, flagged as a helper; L's own thread asleep in epoll_wait. */
static void test_async2_run_records_helper_and_loop(void **state)
{
	char dir[] = "/tmp/ioscope-async2-XXXXXX", scn[64], rec[64], cause[512] = "";
	struct run_opts o = { .speed = 10, .lang = NARRATE_EN, .grace_ms = 5000 };
	/* Copies (kind 0 until found): trace_at's pointers expire. */
	struct trace_ev arrive = { .kind = TRACE_NONE }, helper = { .kind = TRACE_NONE };
	struct trace_ev loop = { .kind = TRACE_NONE };
	int before = open_fd_count(), D, L;
	struct trace *t;
	size_t skipped;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(scn, sizeof scn, "%s/t.scn", dir);
	snprintf(rec, sizeof rec, "%s/t.jsonl", dir);
	assert_non_null(f = fopen(scn, "w"));
	fputs(script, f);
	fclose(f);
	o.scenario = scn;
	o.record = rec;
	play_script(&o);
	assert_int_equal(trace_read(rec, &t, &skipped, cause, sizeof cause), 0);
	D = trace_find_actor(t, "D");
	L = trace_find_actor(t, "L");
	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->actor == D && ev->kind == TRACE_ARRIVE && arrive.kind == TRACE_NONE)
			arrive = *ev;
		if (ev->actor == D && ev->kind == TRACE_STATE && ev->what == 1 &&
		    arrive.kind == TRACE_NONE && ev->state == 'S' && strcmp(ev->syscall, "read") == 0)
			helper = *ev;
		if (ev->actor == L && ev->kind == TRACE_STATE && ev->what == 0 &&
		    strncmp(ev->syscall, "epoll_", 6) == 0)
			loop = *ev;
		/* D's own thread is never seen in a read. */
		assert_false(ev->actor == D && ev->kind == TRACE_STATE && ev->what == 0 &&
			     strcmp(ev->syscall, "read") == 0);
	}
	assert_int_equal(arrive.kind, TRACE_ARRIVE);
	assert_int_equal(helper.kind, TRACE_STATE);
	assert_int_equal(helper.fd, arrive.fd);
	if (*helper.wchan)
		assert_string_equal(helper.wchan, "unix_stream_read_generic");
	assert_int_equal(loop.kind, TRACE_STATE);
	assert_int_equal(loop.state, 'S');
	if (*loop.wchan)
		assert_string_equal(loop.wchan, "do_epoll_wait");
	assert_int_equal(bytes_got(t, arrive.fd), 5);
	trace_free(t);
	unlink(scn);
	unlink(rec);
	rmdir(dir);
	assert_int_equal(open_fd_count(), before);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_async2_aio_phases),
		cmocka_unit_test(test_async2_aio_finds_glibc_helper),
		cmocka_unit_test(test_async2_aio_sampler_shows_helper),
		cmocka_unit_test(test_async2_aio_stop_while_waiting),
		cmocka_unit_test(test_async2_aio_no_fd_leak),
		cmocka_unit_test(test_async2_libuv_phases),
		cmocka_unit_test(test_async2_libuv_many_fds),
		cmocka_unit_test(test_async2_libuv_data_then_eof_at_once),
		cmocka_unit_test(test_async2_libuv_stop_while_waiting),
		cmocka_unit_test(test_async2_libuv_no_fd_leak),
		cmocka_unit_test(test_async2_run_records_helper_and_loop),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("async2", tests, NULL, NULL);
}
