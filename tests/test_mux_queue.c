/* test_mux_queue.c: the chat server's write path on real TCP sockets.  A
 * client that stops reading while another talks: the server never blocks
 * in write, queues what does not fit, asks for write readiness only while
 * the queue holds bytes, and when the client reads again every byte
 * arrives, in order.  A queue past its bound ends that client's
 * connection, with a note. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "live/run.h"
#include "scenarios/scn.h"
#include "tests/harness.h"

#define SMALL_BUF 4096           /* SO_SNDBUF, SO_RCVBUF asked (Linux doubles) */

static const char *const models[] = { "select", "poll", "epoll", "epoll-et" };

struct sock {
	int lfd;
	struct sockaddr_in a;
	socklen_t len;
};

static void small_bufs(int fd)
{
	int v = SMALL_BUF;

	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof v), 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof v), 0);
}

/* A loopback listener whose accepted sockets inherit small buffers. */
static void listen_small(struct sock *s)
{
	s->a = (struct sockaddr_in){ .sin_family = AF_INET,
				     .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	s->len = sizeof s->a;
	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s->lfd >= 0);
	small_bufs(s->lfd);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&s->a, s->len), 0);
	assert_int_equal(listen(s->lfd, 8), 0);
	assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&s->a, &s->len), 0);
}

static int connect_small(const struct sock *s)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	small_bufs(fd);
	assert_int_equal(connect(fd, (const struct sockaddr *)&s->a, s->len), 0);
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

/* The server read at least *arg bytes and waits again. */
static bool server_read(struct harness *h, void *arg)
{
	int64_t got = 0;
	int last_kind = TRACE_NONE, last_call = 0;   /* of the last enter or exit */

	for (size_t i = 0; i < trace_count(h->t); i++) {
		const struct trace_ev *ev = trace_at(h->t, i);

		if (ev->kind == TRACE_EXIT && ev->call == TRACE_CALL_RECVFROM && ev->ret > 0)
			got += ev->ret;
		if (ev->kind == TRACE_ENTER || ev->kind == TRACE_EXIT) {
			last_kind = ev->kind;
			last_call = ev->call;
		}
	}
	return got >= *(const int64_t *)arg && last_kind == TRACE_ENTER &&
	       trace_call_is_wait(last_call);
}

/* What the trace says of the server's writes: EAGAINs, the largest queue
 * (write exits' n), and whether write interest is armed now: the last
 * epoll_ctl's events or the last set built. */
struct writes {
	int eagain, writes;
	int64_t max_queued;
	bool armed_ever, armed_now;
};

static struct writes writes_of(const struct trace *t)
{
	struct writes w = { 0 };

	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->kind == TRACE_EXIT && ev->call == TRACE_CALL_WRITE) {
			w.eagain += ev->ret < 0 && ev->err == EAGAIN;
			w.writes++;
		}
		if (ev->kind == TRACE_SET && ev->what == TRACE_SET_QUEUE && ev->n > w.max_queued)
			w.max_queued = ev->n;
		if (ev->kind == TRACE_EXIT && ev->call == TRACE_CALL_EPOLL_CTL &&
		    ev->what == TRACE_OP_MOD && ev->ret == 0) {
			w.armed_now = ev->sets & TRACE_EPEV_OUT;
			w.armed_ever |= w.armed_now;
		}
		if (ev->kind == TRACE_SET && ev->what == TRACE_SET_BUILD) {
			w.armed_now = ev->outs != 0;
			w.armed_ever |= w.armed_now;
		}
	}
	return w;
}

static bool disarmed(struct harness *h, void *arg)
{
	struct writes w = writes_of(h->t);

	(void)arg;
	return w.armed_ever && !w.armed_now && server_read(h, &(int64_t){ 0 });
}

/* Lines numbered from 0, each distinct, so order and loss both show. */
static size_t make_lines(char *buf, size_t cap, int nlines)
{
	size_t o = 0;

	for (int i = 0; i < nlines; i++) {
		int n = snprintf(buf + o, cap - o, "line %05d from the talker, "
				 "who does not stop talking.\n", i);

		assert_true(n > 0 && (size_t)n < cap - o);
		o += (size_t)n;
	}
	return o;
}

/* Send want[0..len) from talker, a few KB at a time, each once the server
 * has read it: the server keeps reading while the other client is stuck. */
static void talk(struct harness *h, int talker, const char *want, size_t len)
{
	for (size_t o = 0; o < len;) {
		size_t n = len - o < 2048 ? len - o : 2048;
		int64_t upto = (int64_t)(o + n);

		assert_int_equal(write(talker, want + o, n), (ssize_t)n);
		o += n;
		assert_true(h_wait(h, server_read, &upto, 10000));
	}
}

struct reader {
	int fd;
	char *got;
	size_t len, cap;
	bool eof;
};

/* Read what the slow client can now (non-blocking); true once it has all
 * it was owed or reached end of file. */
static bool read_now(struct harness *h, void *arg)
{
	struct reader *r = arg;
	ssize_t n;

	(void)h;
	while (r->len < r->cap &&
	       (n = recv(r->fd, r->got + r->len, r->cap - r->len, MSG_DONTWAIT)) > 0)
		r->len += (size_t)n;
	if (r->len < r->cap && recv(r->fd, r->got + r->len, 1, MSG_DONTWAIT | MSG_PEEK) == 0)
		r->eof = true;
	return r->len == r->cap || r->eof;
}

/* One model: 48000 bytes to a client that reads nothing until the talker
 * is done, then reads everything. */
static void slow_reader(const char *model)
{
	enum { LINES = 1000 };
	static char want[LINES * 64], got[LINES * 64];
	struct harness h;
	struct sock s;
	struct reader r = { .got = got };
	struct writes w;
	size_t len = make_lines(want, sizeof want, LINES);
	int talker;

	listen_small(&s);
	assert_int_equal(h_init(&h, 0, 1.0), 0);
	h.c.listen_fd = s.lfd;
	assert_int_equal(h_start(&h, model), 0);
	r.fd = connect_small(&s);
	talker = connect_small(&s);
	assert_true(h_wait(&h, accepted_two, NULL, 5000));
	talk(&h, talker, want, len);          /* the slow client reads nothing */
	w = writes_of(h.t);
	assert_true(w.max_queued > 0);        /* the buffers filled */
	assert_true(w.armed_now);             /* waiting for write readiness */
	print_message("%s: %d writes, %d EAGAIN, at most %lld B queued\n", model,
		      w.writes, w.eagain, (long long)w.max_queued);
	r.cap = len;                           /* now it reads */
	assert_true(h_wait(&h, read_now, &r, 10000));
	assert_false(r.eof);
	assert_int_equal(r.len, len);
	assert_memory_equal(got, want, len);   /* every byte, in order */
	assert_true(h_wait(&h, disarmed, NULL, 5000));
	h_fini(&h);
	close(r.fd);
	close(talker);
	close(s.lfd);
}

static void test_mux_queue_slow_reader(void **state)
{
	(void)state;
	for (int m = 0; m < 4; m++)
		slow_reader(models[m]);
}

static bool noted(struct harness *h, void *arg)
{
	(void)arg;
	return h_count(h, TRACE_NOTE) > 0;
}

/* Past the bound: the slow client gets a prefix of what it was owed, then
 * end of file; the server says why and goes on serving the talker. */
static void overflow(const char *model)
{
	enum { LINES = 2500 };
	static char want[LINES * 64], got[LINES * 64];
	struct harness h;
	struct sock s;
	struct reader r = { .got = got };
	size_t len = make_lines(want, sizeof want, LINES);
	int talker;

	listen_small(&s);
	assert_int_equal(h_init(&h, 0, 1.0), 0);
	h.c.listen_fd = s.lfd;
	assert_int_equal(h_start(&h, model), 0);
	r.fd = connect_small(&s);
	talker = connect_small(&s);
	assert_true(h_wait(&h, accepted_two, NULL, 5000));
	talk(&h, talker, want, len);          /* 120 KB: past the 64 KiB bound */
	assert_true(h_wait(&h, noted, NULL, 5000));
	r.cap = len;
	assert_true(h_wait(&h, read_now, &r, 10000));
	assert_true(r.eof);
	assert_true(r.len < len);
	assert_memory_equal(got, want, r.len); /* a prefix, in order */
	h_fini(&h);
	close(r.fd);
	close(talker);
	close(s.lfd);
}

static void test_mux_queue_bound(void **state)
{
	(void)state;
	overflow("epoll");
	overflow("select");
}

/* ---- the shipped scenario, played by the world -------------------------- */

/* Bytes of actor's events of kind (arrive: what it sent; deliver: got). */
static int64_t bytes_of(const struct trace *t, int actor, int kind)
{
	int64_t n = 0;

	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->actor == actor && ev->kind == kind && ev->ret > 0)
			n += ev->ret;
	}
	return n;
}

/* FNV-1a of every line the script has clients other than `not` send, in
 * script order: what a client connected from the start, that sent
 * nothing itself, must receive from the chat server (each line whole). */
static uint32_t owed(const struct scn *sc, const char *not)
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < sc->nactions; i++) {
		const struct scn_action *a = &sc->actions[i];

		if (a->op != SCN_SEND || strcmp(sc->clients[a->client], not) == 0)
			continue;
		for (size_t j = 0; j < a->len; j++)
			h = (h ^ (uint8_t)a->data[j]) * 16777619u;
	}
	return h;
}

/* The hash the world recorded with actor's last deliver: all it got. */
static uint32_t got_hash(const struct trace *t, int actor)
{
	uint32_t h = 0;

	for (size_t i = 0; i < trace_count(t); i++)
		if (trace_at(t, i)->actor == actor && trace_at(t, i)->kind == TRACE_DELIVER)
			h = trace_at(t, i)->count;
	return h;
}

/* slow-reader.scn on one model, recorded and read back: carol, paused,
 * made the server queue and ask for write readiness; once she read again
 * she had every byte alice and bob sent; the server ended cleanly. */
static void play_slow_reader(const char *model)
{
	char dir[] = "/tmp/ioscope-slow-XXXXXX", rec[64], cause[512] = "";
	char *text = NULL;
	size_t textlen = 0, skipped;
	FILE *out = open_memstream(&text, &textlen);
	struct run_opts o = { .scenario = "scenarios/slow-reader.scn", .model = model,
			      .speed = 4, .grace_ms = 2000, .out = out };
	struct h_run hr;
	struct trace *t;
	struct writes w;
	struct scn *sc;
	int S, alice, bob, carol, before = open_fd_count();
	bool done_ok = false;

	assert_non_null(out);
	assert_non_null(mkdtemp(dir));
	snprintf(rec, sizeof rec, "%s/slow.jsonl", dir);
	o.record = rec;
	assert_int_equal(h_run_open(&hr, &o, cause, sizeof cause), 0);
	assert_true(h_run_until(&hr, h_run_ended, NULL, 20000));
	if (h_run_close(&hr, cause, sizeof cause) != 0)
		fail_msg("%s: %s", model, cause);
	fclose(out);
	assert_int_equal(open_fd_count(), before);
	assert_int_equal(trace_read(rec, &t, &skipped, cause, sizeof cause), 0);
	S = trace_find_actor(t, "S");
	alice = trace_find_actor(t, "alice");
	bob = trace_find_actor(t, "bob");
	carol = trace_find_actor(t, "carol");
	assert_true(S > 0 && alice > 0 && bob > 0 && carol > 0);
	w = writes_of(t);
	print_message("%s: %d writes, %d EAGAIN, at most %lld B queued for one client\n",
		      model, w.writes, w.eagain, (long long)w.max_queued);
	assert_true(w.eagain > 0);            /* a real EAGAIN */
	assert_true(w.max_queued > 0);
	assert_true(w.armed_ever);            /* EPOLLOUT, POLLOUT, writefds */
	assert_false(w.armed_now);            /* and off once drained */
	/* carol got all that alice and bob sent (she was connected before
	 * their first line); each of them got the other's. */
	assert_int_equal(bytes_of(t, carol, TRACE_DELIVER),
			 bytes_of(t, alice, TRACE_ARRIVE) + bytes_of(t, bob, TRACE_ARRIVE));
	assert_int_equal(bytes_of(t, alice, TRACE_DELIVER), bytes_of(t, bob, TRACE_ARRIVE));
	/* ... byte for byte, in order: carol what both sent, each the other's. */
	assert_int_equal(scn_load(o.scenario, &sc, cause, sizeof cause), 0);
	assert_int_equal(got_hash(t, carol), owed(sc, "carol"));
	assert_int_equal(got_hash(t, alice), owed(sc, "alice"));
	assert_int_equal(got_hash(t, bob), owed(sc, "bob"));
	scn_free(sc);
	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->actor == S && ev->kind == TRACE_DONE)
			done_ok = ev->ret == 0;
	}
	assert_true(done_ok);
	if (strncmp(model, "epoll", 5) == 0)
		assert_non_null(strstr(text, "EPOLLOUT"));
	else
		assert_non_null(strstr(text, "+OUT"));
	assert_non_null(strstr(text, "its queue for fd"));
	trace_free(t);
	free(text);
	unlink(rec);
	rmdir(dir);
}

static void test_mux_queue_scenario(void **state)
{
	(void)state;
	for (int m = 0; m < 4; m++)
		play_slow_reader(models[m]);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mux_queue_slow_reader),
		cmocka_unit_test(test_mux_queue_bound),
		cmocka_unit_test(test_mux_queue_scenario),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("mux_queue", tests, NULL, NULL);
}
