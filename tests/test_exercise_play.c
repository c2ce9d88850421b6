/* test_exercise_play.c: the exercises' clients (live/exercise.h, ex_play)
 * against small servers of the test's own, on a thread (untraced): a
 * correct non-blocking echo server, one that drops bytes, a one-at-a-time
 * blocking one, a chat server. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "live/exercise.h"
#include "trace/lang.h"

enum mode { M_ECHO, M_DROP, M_CHAT, M_BLOCKING };

#define NCONN 32

struct conn {
	int fd;
	char *out;
	size_t outlen, outcap;
	char line[4096];
	size_t linelen;
};

struct server {
	enum mode mode;
	int lfd, port, stop[2];
	atomic_int cur;          /* blocking: the connection being served */
	atomic_bool quit;
	pthread_t th;
	struct conn c[NCONN];
};

static void queue(struct conn *c, const char *s, size_t n)
{
	if (c->outlen + n > c->outcap) {
		c->outcap = (c->outlen + n) * 2;
		c->out = realloc(c->out, c->outcap);
		assert_non_null(c->out);
	}
	memcpy(c->out + c->outlen, s, n);
	c->outlen += n;
}

static void flush_out(struct conn *c)
{
	while (c->outlen > 0) {
		ssize_t k = send(c->fd, c->out, c->outlen, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (k <= 0)
			return;
		memmove(c->out, c->out + k, c->outlen - (size_t)k);
		c->outlen -= (size_t)k;
	}
}

static void drop(struct conn *c)
{
	close(c->fd);
	free(c->out);
	memset(c, 0, sizeof *c);
	c->fd = -1;
}

/* Chat: each whole line to every other connection. */
static void chat_in(struct server *s, struct conn *c, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *nl;

		if (c->linelen < sizeof c->line)
			c->line[c->linelen++] = buf[i];
		if (buf[i] != '\n')
			continue;
		for (int k = 0; k < NCONN; k++)
			if (s->c[k].fd >= 0 && &s->c[k] != c)
				queue(&s->c[k], c->line, c->linelen);
		nl = c->line;
		(void)nl;
		c->linelen = 0;
	}
}

static void serve_one(struct server *s, struct conn *c)
{
	char buf[65536];
	ssize_t n = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);

	if (n == 0 || (n < 0 && errno != EAGAIN)) {
		drop(c);
		return;
	}
	if (n < 0)
		return;
	if (s->mode == M_CHAT)
		chat_in(s, c, buf, (size_t)n);
	else if (s->mode == M_DROP)
		queue(c, buf + 1, (size_t)n - 1);
	else
		queue(c, buf, (size_t)n);
}

static void *poll_main(void *arg)
{
	struct server *s = arg;

	for (;;) {
		struct pollfd p[NCONN + 2] = { { .fd = s->stop[0], .events = POLLIN },
					       { .fd = s->lfd, .events = POLLIN } };

		for (int i = 0; i < NCONN; i++) {
			p[i + 2].fd = s->c[i].fd;
			p[i + 2].events = (short)(POLLIN | (s->c[i].outlen ? POLLOUT : 0));
		}
		if (poll(p, NCONN + 2, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		if (p[1].revents) {
			int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK);

			for (int i = 0; fd >= 0 && i < NCONN; i++)
				if (s->c[i].fd < 0) {
					s->c[i].fd = fd;
					fd = -1;
				}
			if (fd >= 0)
				close(fd);
		}
		for (int i = 0; i < NCONN; i++) {
			if (s->c[i].fd < 0 || !p[i + 2].revents || p[i + 2].fd != s->c[i].fd)
				continue;
			if (p[i + 2].revents & (POLLIN | POLLHUP | POLLERR))
				serve_one(s, &s->c[i]);
		}
		for (int i = 0; i < NCONN; i++)
			if (s->c[i].fd >= 0)
				flush_out(&s->c[i]);
	}
	return NULL;
}

/* One client at a time, blocking recv and send. */
static void *blocking_main(void *arg)
{
	struct server *s = arg;
	char buf[65536];

	while (!atomic_load(&s->quit)) {
		int fd = accept(s->lfd, NULL, NULL);
		ssize_t n;

		if (fd < 0)
			break;
		atomic_store(&s->cur, fd);
		while (!atomic_load(&s->quit) && (n = recv(fd, buf, sizeof buf, 0)) > 0)
			if (send(fd, buf, (size_t)n, MSG_NOSIGNAL) != n)
				break;
		atomic_store(&s->cur, -1);
		close(fd);
	}
	return NULL;
}

static struct server *server_start(enum mode mode)
{
	struct server *s = calloc(1, sizeof *s);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;

	assert_non_null(s);
	s->mode = mode;
	atomic_init(&s->cur, -1);
	for (int i = 0; i < NCONN; i++)
		s->c[i].fd = -1;
	assert_int_equal(pipe(s->stop), 0);
	s->lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s->lfd >= 0);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&a, &len), 0);
	assert_int_equal(listen(s->lfd, 16), 0);
	s->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&s->th, NULL, mode == M_BLOCKING ? blocking_main : poll_main, s), 0);
	return s;
}

static void server_stop(struct server *s)
{
	int cur;

	atomic_store(&s->quit, true);
	assert_int_equal(write(s->stop[1], "x", 1), 1);
	shutdown(s->lfd, SHUT_RDWR);
	if ((cur = atomic_load(&s->cur)) >= 0)
		shutdown(cur, SHUT_RDWR);
	pthread_join(s->th, NULL);
	for (int i = 0; i < NCONN; i++)
		if (s->c[i].fd >= 0)
			drop(&s->c[i]);
	close(s->lfd);
	close(s->stop[0]);
	close(s->stop[1]);
	free(s);
}

static int play(struct server *s, const char *name, struct ex_result *r)
{
	atomic_bool ended = false, stop = false;
	struct ex_play p = { .port = s->port, .def = ex_find(name), .ended = &ended, .stop = &stop };

	return ex_play(&p, r);
}

static void test_exercise_play_echo(void **state)
{
	struct server *s = server_start(M_ECHO);
	struct ex_result r;
	struct ex_verdict v[EX_MAX];
	int n;

	(void)state;
	assert_int_equal(play(s, "echo-epoll", &r), 0);
	server_stop(s);
	assert_int_equal(r.fail, EX_OK);
	assert_true(r.replies >= 10);
	assert_int_equal(r.replies_ok, r.replies);
	assert_int_equal(r.conns, 11);   /* the port check, clients 1 .. 10 */
	assert_int_equal(r.conn_client[0], 0);
	assert_int_equal(r.conn_client[1], 1);
	assert_int_equal(r.conn_client[10], 10);
	assert_int_equal(r.nwaits, 2);
	for (int i = 0; i < r.nwaits; i++)
		assert_false(r.waits[i].late);
	n = ex_check(ex_find("echo-epoll"), &r, NULL, 0, LANG_EN, v, EX_MAX);
	for (int i = 0; i < n; i++)
		if (v[i].expect != EX_MODEL_READY)
			assert_true(v[i].pass);
}

static void test_exercise_play_drops(void **state)
{
	struct server *s = server_start(M_DROP);
	struct ex_result r;
	struct ex_verdict v[EX_MAX];
	int n;

	(void)state;
	assert_int_equal(play(s, "echo-blocking", &r), 0);
	server_stop(s);
	assert_true(r.replies > 0);
	assert_int_equal(r.replies_ok, 0);
	assert_int_equal(r.miss.client, 1);
	assert_string_equal(r.miss.sent, "hello");
	assert_string_equal(r.miss.got, "ello");
	n = ex_check(ex_find("echo-blocking"), &r, NULL, 0, LANG_EN, v, EX_MAX);
	assert_true(n > 0);
	assert_false(v[0].pass);
	assert_string_equal(v[0].evidence[0], "client 1 sent \"hello\" and got \"ello\"");
}

/* One at a time: client 2 waits while client 1 is connected and idle. */
static void test_exercise_play_blocking(void **state)
{
	struct server *s = server_start(M_BLOCKING);
	struct ex_result r;

	(void)state;
	assert_int_equal(play(s, "echo-select", &r), 0);
	server_stop(s);
	assert_true(r.nwaits >= 1);
	assert_true(r.waits[0].late);
	assert_int_equal(r.waits[0].client, 2);
	assert_int_equal(r.waits[0].other, 1);
	/* it still answers everyone in the end, one after another */
	assert_true(r.replies_ok >= 2);
}

static void test_exercise_play_chat(void **state)
{
	struct server *s = server_start(M_CHAT);
	struct ex_result r;

	(void)state;
	assert_int_equal(play(s, "chat", &r), 0);
	server_stop(s);
	assert_int_equal(r.bcast, 5);
	assert_int_equal(r.bcast_ok, 5);
	assert_int_equal(r.echoed, 0);
	assert_int_equal(r.after_leave, 3);
	assert_int_equal(r.after_leave_ok, 3);
	assert_int_equal(r.leaver, 3);

	/* an echo server is no chat: the sender hears itself, nobody else */
	s = server_start(M_ECHO);
	assert_int_equal(play(s, "chat", &r), 0);
	server_stop(s);
	assert_int_equal(r.bcast_ok, 0);
	assert_int_equal(r.echoed, 3);
	assert_int_equal(r.echo_miss.client, 1);
	assert_int_equal(r.bcast_miss.client, 2);
}

static void test_exercise_play_slow_reader(void **state)
{
	struct server *s = server_start(M_ECHO);
	struct ex_result r;

	(void)state;
	assert_int_equal(play(s, "echo-nonblocking-writes", &r), 0);
	server_stop(s);
	assert_int_equal(r.slow_client, 1);
	assert_true(r.slow_total > 1 << 20);
	assert_int_equal(r.slow_total % 64, 0);
	assert_int_equal(r.slow_sent, r.slow_total);
	assert_int_equal(r.slow_back, r.slow_total);
	assert_true(r.slow_bad_at == SIZE_MAX);
	assert_int_equal(r.nwaits, 1);
	assert_false(r.waits[0].late);

	/* blocking writes: client 2 waits while the server is stuck in send */
	s = server_start(M_BLOCKING);
	assert_int_equal(play(s, "echo-nonblocking-writes", &r), 0);
	server_stop(s);
	assert_int_equal(r.nwaits, 1);
	assert_true(r.waits[0].late);
	assert_int_equal(r.slow_back, r.slow_total);
}

/* Nobody listens: the program ended (fast), or never listens (the limit). */
static void test_exercise_play_no_server(void **state)
{
	struct server *s = server_start(M_ECHO);
	atomic_bool ended = true, stop = false;
	struct ex_play p = { .port = s->port, .def = ex_find("echo-epoll"), .ended = &ended, .stop = &stop,
			     .listen_limit_ns = 200 * 1000000LL };
	struct ex_result r;

	(void)state;
	server_stop(s);          /* its port is free again, and closed */
	assert_int_equal(ex_play(&p, &r), -ECHILD);
	assert_int_equal(r.fail, EX_ERR_EXITED);
	atomic_store(&ended, false);
	assert_int_equal(ex_play(&p, &r), -ETIMEDOUT);
	assert_int_equal(r.fail, EX_ERR_NO_LISTEN);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exercise_play_echo),
		cmocka_unit_test(test_exercise_play_drops),
		cmocka_unit_test(test_exercise_play_blocking),
		cmocka_unit_test(test_exercise_play_chat),
		cmocka_unit_test(test_exercise_play_slow_reader),
		cmocka_unit_test(test_exercise_play_no_server),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("exercise_play", tests, NULL, NULL);
}
