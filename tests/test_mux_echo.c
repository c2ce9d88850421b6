/* test_mux_echo.c: the readiness models' server with serve=echo, on real
 * TCP sockets: every complete line goes back to its sender alone, a line
 * longer than 1024 bytes in 1024-byte pieces, after the request's work
 * time (shown as idle time); and more clients at once than the chat
 * server's first table held (63), each answered. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/harness.h"

static const char *const models[] = { "select", "poll", "epoll" };

struct sock {
	int lfd;
	struct sockaddr_in a;
	socklen_t len;
};

static void listen_on(struct sock *s, int backlog)
{
	s->a = (struct sockaddr_in){ .sin_family = AF_INET,
				     .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	s->len = sizeof s->a;
	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s->lfd >= 0);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&s->a, s->len), 0);
	assert_int_equal(listen(s->lfd, backlog), 0);
	assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&s->a, &s->len), 0);
}

static int connect_to(const struct sock *s)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (const struct sockaddr *)&s->a, s->len), 0);
	return fd;
}

/* The server model running on s, serving echo after work_ns. */
static void start_echo(struct harness *h, struct sock *s, const char *model,
		       int64_t work_ns)
{
	assert_int_equal(h_init(h, 0, 1.0), 0);
	h->c.listen_fd = s->lfd;
	h->c.serve = MODEL_SERVE_ECHO;
	h->c.work_ns = work_ns;
	assert_int_equal(h_start(h, model), 0);
}

struct reader {
	int fd;
	char *got;
	size_t len, cap;
};

/* Read what came (non-blocking); true once cap bytes did. */
static bool read_now(struct harness *h, void *arg)
{
	struct reader *r = arg;
	ssize_t n;

	(void)h;
	while (r->len < r->cap &&
	       (n = recv(r->fd, r->got + r->len, r->cap - r->len, MSG_DONTWAIT)) > 0)
		r->len += (size_t)n;
	return r->len == r->cap;
}

static void send_all(int fd, const char *p, size_t n)
{
	assert_int_equal(send(fd, p, n, MSG_NOSIGNAL), (ssize_t)n);
}

static bool accepted(struct harness *h, void *arg)
{
	size_t n = 0;

	for (size_t i = 0; i < trace_count(h->t); i++) {
		const struct trace_ev *ev = trace_at(h->t, i);

		n += ev->kind == TRACE_EXIT && ev->call == TRACE_CALL_ACCEPT && ev->ret >= 0;
	}
	return n == *(size_t *)arg;
}

/* A line sent in two pieces comes back whole to its sender; the other
 * client, which a chat server would have sent it to, gets nothing. */
static void echo_back(const char *model)
{
	struct harness h;
	struct sock s;
	char got[16], none;
	struct reader r = { .got = got, .cap = 6 };
	size_t two = 2;
	int other;

	listen_on(&s, 8);
	start_echo(&h, &s, model, 0);
	r.fd = connect_to(&s);
	other = connect_to(&s);
	assert_true(h_wait(&h, accepted, &two, 5000));
	send_all(r.fd, "hel", 3);
	send_all(r.fd, "lo\n", 3);
	assert_true(h_wait(&h, read_now, &r, 10000));
	assert_memory_equal(got, "hello\n", 6);
	/* The other's line, answered, is proof the first was never sent on. */
	r = (struct reader){ .fd = other, .got = got, .cap = 4 };
	send_all(other, "bye\n", 4);
	assert_true(h_wait(&h, read_now, &r, 10000));
	assert_memory_equal(got, "bye\n", 4);
	assert_int_equal(recv(other, &none, 1, MSG_DONTWAIT), -1);
	assert_int_equal(errno, EAGAIN);
	h_fini(&h);
	close(r.fd);
	close(other);
	close(s.lfd);
}

static void test_mux_echo_back(void **state)
{
	(void)state;
	for (int m = 0; m < 3; m++)
		echo_back(models[m]);
}

/* The sizes of the server's successful writes, in order, into sizes. */
static int write_sizes(const struct trace *t, int64_t *sizes, int max)
{
	int n = 0;

	for (size_t i = 0; i < trace_count(t) && n < max; i++) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->kind == TRACE_EXIT && ev->call == TRACE_CALL_WRITE && ev->ret > 0)
			sizes[n++] = ev->ret;
	}
	return n;
}

/* The server's third write is in the trace: the client can read the
 * bytes before the server's thread records that its send returned. */
static bool three_writes(struct harness *h, void *arg)
{
	int64_t sizes[8];

	(void)arg;
	return write_sizes(h->t, sizes, 8) >= 3;
}

/* 2500 bytes and a newline: answered as 1024 + 1024 + 453, in order. */
static void echo_long(const char *model)
{
	enum { LEN = 2501 };
	static char want[LEN], got[LEN];
	struct harness h;
	struct sock s;
	struct reader r = { .got = got, .cap = LEN };
	int64_t sizes[8];

	for (int i = 0; i < LEN - 1; i++)
		want[i] = (char)('a' + i % 26);
	want[LEN - 1] = '\n';
	listen_on(&s, 8);
	start_echo(&h, &s, model, 0);
	r.fd = connect_to(&s);
	send_all(r.fd, want, LEN);
	assert_true(h_wait(&h, read_now, &r, 10000));
	assert_memory_equal(got, want, LEN);
	assert_true(h_wait(&h, three_writes, NULL, 10000));
	assert_int_equal(write_sizes(h.t, sizes, 8), 3);
	assert_int_equal(sizes[0], 1024);
	assert_int_equal(sizes[1], 1024);
	assert_int_equal(sizes[2], LEN - 2048);
	h_fini(&h);
	close(r.fd);
	close(s.lfd);
}

static void test_mux_echo_long(void **state)
{
	(void)state;
	for (int m = 0; m < 3; m++)
		echo_long(models[m]);
}

/* Each request's work time, as idle time: begun, then ended at least
 * work_ns later, before the answer's write. */
static bool two_writes(struct harness *h, void *arg)
{
	int64_t sizes[8];

	(void)arg;
	return write_sizes(h->t, sizes, 8) >= 2;
}

static void echo_work(const char *model)
{
	enum { WORK_NS = 30000000 };
	struct harness h;
	struct sock s;
	char got[8];
	struct reader r = { .got = got, .cap = 6 };
	int begun = 0, ended = 0;
	bool written_after = false;

	listen_on(&s, 8);
	start_echo(&h, &s, model, WORK_NS);
	r.fd = connect_to(&s);
	send_all(r.fd, "ab\ncd\n", 6);
	assert_true(h_wait(&h, read_now, &r, 10000));
	assert_memory_equal(got, "ab\ncd\n", 6);
	/* The client may read the answer before the server's events of it
	 * reach the trace: wait for the second write's return. */
	assert_true(h_wait(&h, two_writes, NULL, 10000));
	for (size_t i = 0; i < trace_count(h.t); i++) {
		const struct trace_ev *ev = trace_at(h.t, i);

		if (ev->kind == TRACE_IDLE && !(ev->flags & TRACE_F_END))
			begun++;
		if (ev->kind == TRACE_IDLE && (ev->flags & TRACE_F_END)) {
			ended++;
			assert_true(ev->dur_ns >= WORK_NS);
		}
		if (ev->kind == TRACE_EXIT && ev->call == TRACE_CALL_WRITE && ended > 0)
			written_after = true;
	}
	assert_int_equal(begun, 2);
	assert_int_equal(ended, 2);
	assert_true(written_after);
	h_fini(&h);
	close(r.fd);
	close(s.lfd);
}

static void test_mux_echo_work(void **state)
{
	(void)state;
	for (int m = 0; m < 3; m++)
		echo_work(models[m]);
}

/* 200 clients at once, more than the 63 the server once held: every one
 * is accepted and gets its own line back. */
static void echo_many(const char *model)
{
	enum { N = 200 };
	static int fds[N];
	struct harness h;
	struct sock s;
	size_t n = N;

	listen_on(&s, N);
	start_echo(&h, &s, model, 0);
	for (int i = 0; i < N; i++)
		fds[i] = connect_to(&s);
	assert_true(h_wait(&h, accepted, &n, 10000));
	for (int i = 0; i < N; i++) {
		char line[16], got[16];
		int len = snprintf(line, sizeof line, "client %03d\n", i);
		struct reader r = { .fd = fds[i], .got = got, .cap = (size_t)len };

		send_all(fds[i], line, (size_t)len);
		assert_true(h_wait(&h, read_now, &r, 10000));
		assert_memory_equal(got, line, (size_t)len);
	}
	h_fini(&h);
	for (int i = 0; i < N; i++)
		close(fds[i]);
	close(s.lfd);
}

static void test_mux_echo_many(void **state)
{
	(void)state;
	echo_many("poll");
	echo_many("epoll");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mux_echo_back),
		cmocka_unit_test(test_mux_echo_long),
		cmocka_unit_test(test_mux_echo_work),
		cmocka_unit_test(test_mux_echo_many),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("mux_echo", tests, NULL, NULL);
}
