/* test_mux.c: what moves where in select, poll and epoll, level versus
 * edge triggering from real counts, FD_SETSIZE, and the chat server. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "live/run.h"
#include "tests/harness.h"
#include "view/narrate.h"

static const struct trace_ev *last_of(struct harness *h, int kind, int call)
{
	for (size_t i = trace_count(h->t); i-- > 0;) {
		const struct trace_ev *ev = trace_at(h->t, i);

		if (ev->kind == kind && (call < 0 || ev->call == call))
			return ev;
	}
	return NULL;
}

static size_t count_call(struct harness *h, int kind, int call, bool data)
{
	size_t n = 0;

	for (size_t i = 0; i < trace_count(h->t); i++) {
		const struct trace_ev *ev = trace_at(h->t, i);

		n += ev->kind == kind && ev->call == call && (!data || ev->ret > 0);
	}
	return n;
}

static bool read_some(struct harness *h, void *arg)
{
	(void)arg;
	return count_call(h, TRACE_EXIT, TRACE_CALL_RECVFROM, true) > 0;
}

/* Data on the third of four fds: select hands in and scans every slot up
 * to the highest fd; epoll_wait returns, and the program touches, one. */
static void run_third_of_four(const char *model, struct harness *h)
{
	assert_int_equal(h_init(h, 4, 1.0), 0);
	assert_int_equal(h_start(h, model), 0);
	assert_true(h_wait(h, h_waiting, NULL, 5000));
	h_write(h, 2, "perch", 5);
	assert_true(h_wait(h, read_some, NULL, 5000));   /* before any EOF */
	for (int i = 0; i < 4; i++)
		h_close_far(h, i);
	assert_true(h_wait(h, h_done, NULL, 5000));
}

static const struct trace_ev *first_scan(struct harness *h)
{
	for (size_t i = 0; i < trace_count(h->t); i++)
		if (trace_at(h->t, i)->kind == TRACE_SET && trace_at(h->t, i)->what == TRACE_SET_SCAN)
			return trace_at(h->t, i);
	return NULL;
}

static void test_mux_select_scans_everything(void **state)
{
	struct harness h;
	/* Copies: a trace_at pointer expires after TRACE_AT_KEEP more calls. */
	struct trace_ev scan, ex = { .kind = TRACE_NONE };
	int maxfd = 0;

	(void)state;
	run_third_of_four("select", &h);
	for (int i = 0; i < 4; i++)
		maxfd = h.fds[i].fd > maxfd ? h.fds[i].fd : maxfd;
	for (size_t i = 0; i < trace_count(h.t) && ex.kind == TRACE_NONE; i++)
		if (trace_at(h.t, i)->kind == TRACE_EXIT && trace_at(h.t, i)->call == TRACE_CALL_SELECT)
			ex = *trace_at(h.t, i);
	assert_non_null(first_scan(&h));
	scan = *first_scan(&h);
	assert_int_equal(ex.kind, TRACE_EXIT);
	assert_int_equal(ex.n, maxfd + 1);          /* nfds: how far the bit walk goes */
	assert_true(ex.flags & TRACE_F_COST);
	assert_int_equal(ex.polled, 4);             /* the kernel polled the watched fds */
	assert_int_equal(ex.copied_in, (maxfd + 1 + 63) / 64 * 8);
	assert_int_equal(ex.copied_out, ex.copied_in);
	assert_int_equal(ex.sets, TRACE_FDSET_READ);
	assert_int_equal(ex.nfds, 1);
	assert_int_equal(ex.fd_list[0], h.fds[2].fd);
	assert_int_equal(scan.n, maxfd + 1);        /* the program scanned nfds */
	assert_int_equal(scan.nfds, 1);
	assert_int_equal(scan.fd_list[0], h.fds[2].fd);
	h_fini(&h);
}

/* poll's cost: every entry copied in and polled, only revents back. */
static void test_mux_poll_cost(void **state)
{
	struct harness h;
	/* Copies: a trace_at pointer expires after TRACE_AT_KEEP more calls. */
	struct trace_ev in = { .kind = TRACE_NONE }, ex = { .kind = TRACE_NONE };

	(void)state;
	run_third_of_four("poll", &h);
	for (size_t i = 0; i < trace_count(h.t) && ex.kind == TRACE_NONE; i++) {
		const struct trace_ev *e = trace_at(h.t, i);

		if (e->call == TRACE_CALL_POLL && e->kind == TRACE_ENTER && in.kind == TRACE_NONE)
			in = *e;
		if (e->call == TRACE_CALL_POLL && e->kind == TRACE_EXIT)
			ex = *e;
	}
	assert_int_equal(in.kind, TRACE_ENTER);
	assert_int_equal(ex.kind, TRACE_EXIT);
	assert_true(in.flags & TRACE_F_COST);
	assert_int_equal(in.polled, 4);
	assert_int_equal(in.copied_in, 4 * 8);
	assert_int_equal(in.copied_out, 0);
	assert_true(ex.flags & TRACE_F_COST);
	assert_int_equal(ex.polled, 4);
	assert_int_equal(ex.copied_in, 4 * 8);
	assert_int_equal(ex.copied_out, 4 * 2);
	assert_int_equal(ex.sets, 0);
	h_fini(&h);
}

static void test_mux_epoll_touches_only_ready(void **state)
{
	struct harness h;
	/* A copy: a trace_at pointer expires after TRACE_AT_KEEP more calls. */
	struct trace_ev ex = { .kind = TRACE_NONE };

	(void)state;
	run_third_of_four("epoll", &h);
	for (size_t i = 0; i < trace_count(h.t) && ex.kind == TRACE_NONE; i++)
		if (trace_at(h.t, i)->kind == TRACE_EXIT && trace_at(h.t, i)->call == TRACE_CALL_EPOLL_WAIT)
			ex = *trace_at(h.t, i);
	assert_int_equal(ex.kind, TRACE_EXIT);
	assert_int_equal(ex.ret, 1);
	assert_int_equal(ex.n, 1);
	assert_int_equal(ex.fd_list[0], h.fds[2].fd);
	assert_int_equal(first_scan(&h)->n, 1);
	/* Registered once each: four adds before the first wait. */
	assert_int_equal(count_call(&h, TRACE_ENTER, TRACE_CALL_EPOLL_CTL, false), 4 + 4);
	h_fini(&h);
}

/* Every byte read once, no fd reported without data, for every model. */
static void test_mux_nothing_missed_or_twice(void **state)
{
	static const char *const models[] = { "select", "poll", "epoll", "epoll-et" };

	(void)state;
	for (int m = 0; m < 4; m++) {
		struct harness h;
		int64_t got = 0;

		assert_int_equal(h_init(&h, 3, 1.0), 0);
		assert_int_equal(h_start(&h, models[m]), 0);
		assert_true(h_wait(&h, h_waiting, NULL, 5000));
		h_write(&h, 0, "aaaa", 4);
		h_write(&h, 2, "cc", 2);
		h_write(&h, 1, "b", 1);
		for (int i = 0; i < 3; i++)
			h_close_far(&h, i);
		assert_true(h_wait(&h, h_done, NULL, 5000));
		for (size_t i = 0; i < trace_count(h.t); i++) {
			const struct trace_ev *ev = trace_at(h.t, i);

			if (ev->kind == TRACE_EXIT && ev->call == TRACE_CALL_RECVFROM && ev->ret > 0)
				got += ev->ret;
			/* A read after a level-triggered report never finds nothing. */
			if (ev->kind == TRACE_EXIT && ev->call == TRACE_CALL_RECVFROM &&
			    ev->ret < 0 && m < 3)
				fail_msg("%s: EAGAIN after a report", models[m]);
		}
		assert_int_equal(got, 7);
		h_fini(&h);
	}
}

/* 12 bytes, 4 per read: level-triggered reports three times; edge-triggered
 * with draining reads all after one report; without draining, one read and
 * 8 bytes left in the socket while it sleeps in epoll_wait. */
static bool reads_then_sleeps(struct harness *h, void *arg)
{
	return count_call(h, TRACE_EXIT, TRACE_CALL_RECVFROM, true) >= *(size_t *)arg &&
	       h_waiting(h, NULL);
}

static void lt_et(const char *model, int drain, size_t *reports, size_t *reads, int *left)
{
	size_t want = strcmp(model, "epoll-et") == 0 && drain == 0 ? 1 : 3;
	struct harness h;

	assert_int_equal(h_init(&h, 1, 1.0), 0);
	h.c.chunk = 4;
	h.c.drain = drain;
	assert_int_equal(h_start(&h, model), 0);
	assert_true(h_wait(&h, h_waiting, NULL, 5000));
	h_write(&h, 0, "twelve bytes", 12);
	/* Until it is back asleep after the last read it will make: all
	 * three, or the one an edge without draining allows.  (Asleep alone
	 * is no sign: just after the write the kernel may still show the
	 * thread asleep in the epoll_wait the write has ended.) */
	assert_true(h_wait(&h, reads_then_sleeps, &want, 5000));
	*reports = count_call(&h, TRACE_EXIT, TRACE_CALL_EPOLL_WAIT, false);
	*reads = count_call(&h, TRACE_EXIT, TRACE_CALL_RECVFROM, true);
	assert_int_equal(ioctl(h.fds[0].fd, FIONREAD, left), 0);   /* the kernel's count */
	h_fini(&h);
}

static void test_mux_level_vs_edge(void **state)
{
	size_t reports, reads;
	int left;

	(void)state;
	lt_et("epoll", -1, &reports, &reads, &left);
	assert_int_equal(reads, 3);
	assert_int_equal(reports, 3);
	assert_int_equal(left, 0);
	lt_et("epoll-et", 1, &reports, &reads, &left);
	assert_int_equal(reads, 3);
	assert_int_equal(reports, 1);
	assert_int_equal(left, 0);
	lt_et("epoll-et", 0, &reports, &reads, &left);
	assert_int_equal(reads, 1);
	assert_int_equal(reports, 1);
	assert_int_equal(left, 8);
}

/* Descriptors at 1024 and above: select refuses, visibly; poll reads. */
static void fd_above(struct harness *h)
{
	struct rlimit rl;

	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < 1100) {
		rl.rlim_cur = rl.rlim_max < 1100 ? rl.rlim_max : 1100;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	for (int i = 0; i < h->nfds; i++) {
		int hi = fcntl(h->fds[i].fd, F_DUPFD_CLOEXEC, 1024);

		if (hi < 0)
			skip();
		close(h->fds[i].fd);
		h->fds[i].fd = hi;
	}
}

static void test_mux_fd_setsize(void **state)
{
	struct harness h;
	const struct trace_ev *ref;

	(void)state;
	assert_int_equal(h_init(&h, 2, 1.0), 0);
	fd_above(&h);
	assert_int_equal(h_start(&h, "select"), 0);
	assert_true(h_wait(&h, h_done, NULL, 5000));
	ref = last_of(&h, TRACE_REFUSE, -1);
	assert_non_null(ref);
	assert_true(ref->fd >= 1024);
	assert_int_equal(ref->n, 1024);
	assert_int_equal(count_call(&h, TRACE_ENTER, TRACE_CALL_SELECT, false), 0);
	h_fini(&h);

	assert_int_equal(h_init(&h, 2, 1.0), 0);
	fd_above(&h);
	assert_int_equal(h_start(&h, "poll"), 0);
	h_write(&h, 1, "far", 3);
	h_close_far(&h, 0);
	h_close_far(&h, 1);
	assert_true(h_wait(&h, h_done, NULL, 5000));
	assert_null(last_of(&h, TRACE_REFUSE, -1));
	assert_int_equal(count_call(&h, TRACE_EXIT, TRACE_CALL_RECVFROM, true), 1);
	h_fini(&h);
}

static size_t count_kind(const struct trace *t, int actor, int kind)
{
	size_t n = 0;

	for (size_t i = 0; i < trace_count(t); i++)
		n += trace_at(t, i)->actor == actor && trace_at(t, i)->kind == kind;
	return n;
}

/* The trace shows the world's last step (its events carry its number),
 * the server has answered everything the clients did (accepted each that
 * came, read every byte sent, seen each leave) and waits again. */
static bool server_settled(struct h_run *hr, void *arg)
{
	const int *step = arg;
	const struct trace *t = run_trace(hr->r);
	int S = trace_find_actor(t, "S");
	long came = 0, accepted = 0, sent = 0, got = 0, left = 0, seen_leave = 0;
	bool seen = *step < 0;

	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *ev = trace_at(t, i);
		bool read = ev->actor == S && ev->kind == TRACE_EXIT &&
			    (ev->call == TRACE_CALL_READ || ev->call == TRACE_CALL_RECVFROM);

		seen |= ev->step == *step;
		came += ev->kind == TRACE_CONNECT;
		accepted += ev->actor == S && ev->kind == TRACE_EXIT &&
			    ev->call == TRACE_CALL_ACCEPT && ev->ret >= 0;
		sent += ev->kind == TRACE_ARRIVE && ev->ret > 0 ? (long)ev->ret : 0;
		got += read && ev->ret > 0 ? (long)ev->ret : 0;
		left += ev->kind == TRACE_CLOSE && ev->actor != S;
		seen_leave += read && (ev->ret == 0 || (ev->ret < 0 && ev->err != EAGAIN));
	}
	return seen && accepted >= came && got >= sent && seen_leave >= left &&
	       h_actor_waits(t, S);
}

/* The script one step at a time (the world's clock paused), each once
 * the server has answered the last. */
static void play_chat(const struct run_opts *o)
{
	char cause[512] = "";
	struct h_run hr;
	int step = -1;

	assert_int_equal(h_run_open(&hr, o, cause, sizeof cause), 0);
	run_pause(hr.r);
	do
		assert_true(h_run_until(&hr, server_settled, &step, 10000));
	while ((step = run_step(hr.r)) >= 0);
	assert_true(h_run_until(&hr, h_run_ended, NULL, 10000));
	if (h_run_close(&hr, cause, sizeof cause) != 0)
		fail_msg("%s", cause);
}

/* The shipped chat scenario on every readiness model: three clients join,
 * lines reach the others, carol's reset mid-line is survived. */
static void test_mux_chat_server(void **state)
{
	static const char *const models[] = { "select", "poll", "epoll", "epoll-et" };
	char dir[] = "/tmp/ioscope-chat-XXXXXX", rec[64], cause[512] = "";

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(rec, sizeof rec, "%s/chat.jsonl", dir);
	for (int m = 0; m < 4; m++) {
		struct run_opts o = { .scenario = "scenarios/chat.scn", .model = models[m],
				      .speed = 20, .record = rec, .grace_ms = 2000 };
		int before = open_fd_count(), S, alice, bob, carol;
		struct trace *t;
		size_t skipped;
		int64_t done = 1;          /* S's done's ret (a copy: trace.h, trace_at) */

		unlink(rec);
		play_chat(&o);
		assert_int_equal(open_fd_count(), before);
		assert_int_equal(trace_read(rec, &t, &skipped, cause, sizeof cause), 0);
		S = trace_find_actor(t, "S");
		alice = trace_find_actor(t, "alice");
		bob = trace_find_actor(t, "bob");
		carol = trace_find_actor(t, "carol");
		assert_true(S > 0 && alice > 0 && bob > 0 && carol > 0);
		assert_int_equal(count_kind(t, alice, TRACE_CONNECT), 1);
		/* alice's line reaches bob and carol; bob's two lines reach alice. */
		assert_true(count_kind(t, bob, TRACE_DELIVER) >= 1);
		assert_true(count_kind(t, carol, TRACE_DELIVER) >= 1);
		assert_true(count_kind(t, alice, TRACE_DELIVER) >= 1);
		for (size_t i = 0; i < trace_count(t); i++) {
			const struct trace_ev *ev = trace_at(t, i);

			if (ev->actor == S && ev->kind == TRACE_EXIT && ev->call == TRACE_CALL_ACCEPT &&
			    ev->ret >= 0)
				assert_true(ev->ret > 2);
			if (ev->actor == S && ev->kind == TRACE_DONE)
				done = ev->ret;
		}
		assert_int_equal(count_kind(t, S, TRACE_EXIT) > 10, 1);
		assert_int_equal(done, 0);
		trace_free(t);
	}
	unlink(rec);
	rmdir(dir);
}

/* ---- a client gone ------------------------------------------------------ */

static int connect_to(const struct sockaddr_un *a, socklen_t len)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (const struct sockaddr *)a, len), 0);
	return fd;
}

static bool accepted_two(struct harness *h, void *arg)
{
	size_t n = 0;

	(void)arg;
	for (size_t i = 0; i < trace_count(h->t); i++) {
		const struct trace_ev *ev = trace_at(h->t, i);

		n += ev->kind == TRACE_EXIT && ev->call == TRACE_CALL_ACCEPT && ev->ret >= 0;
	}
	return n == 2;
}

static bool wrote_to_gone(struct harness *h, void *arg)
{
	(void)arg;
	for (size_t i = 0; i < trace_count(h->t); i++) {
		const struct trace_ev *ev = trace_at(h->t, i);

		if (ev->kind == TRACE_EXIT && ev->call == TRACE_CALL_WRITE && ev->ret < 0)
			return true;
	}
	return false;
}

/* A client that stopped reading (shutdown SHUT_RD: the server hears
 * nothing of it) while another sends a line: the server's write to it
 * fails with EPIPE, and the process lives on (no SIGPIPE). */
static void test_mux_server_client_gone(void **state)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	socklen_t len;
	struct harness h;
	int lfd, gone, talker;

	(void)state;
	snprintf(a.sun_path + 1, sizeof a.sun_path - 1, "ioscope-test-%d", (int)getpid());
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(a.sun_path + 1));
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&a, len), 0);
	assert_int_equal(listen(lfd, 8), 0);
	assert_int_equal(h_init(&h, 0, 1.0), 0);
	h.c.listen_fd = lfd;
	assert_int_equal(h_start(&h, "epoll"), 0);
	gone = connect_to(&a, len);
	talker = connect_to(&a, len);
	assert_true(h_wait(&h, accepted_two, NULL, 5000));
	assert_int_equal(shutdown(gone, SHUT_RD), 0);
	assert_int_equal(write(talker, "hi\n", 3), 3);
	assert_true(h_wait(&h, wrote_to_gone, NULL, 5000));
	h_fini(&h);
	close(gone);
	close(talker);
	close(lfd);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mux_select_scans_everything),
		cmocka_unit_test(test_mux_poll_cost),
		cmocka_unit_test(test_mux_epoll_touches_only_ready),
		cmocka_unit_test(test_mux_nothing_missed_or_twice),
		cmocka_unit_test(test_mux_level_vs_edge),
		cmocka_unit_test(test_mux_fd_setsize),
		cmocka_unit_test(test_mux_chat_server),
		cmocka_unit_test(test_mux_server_client_gone),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("mux", tests, NULL, NULL);
}
