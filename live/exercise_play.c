/* exercise_play.c: the clients of an exercise, on real loopback sockets.
 *
 * All clients run on the caller's thread, each socket non-blocking, every
 * wait a poll with a deadline: a server that never answers costs the
 * script its deadlines, never a hang.  What they saw goes into struct
 * ex_result for the checks (exercise.c, exercise_trace.c). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "live/exercise.h"
#include "live/exercise_play.h"
#include "trace/trace.h"

void ex__sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void text_of(char *out, const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k + 1 < EX_TEXT; i++)
		if (s[i] != '\n' && s[i] != '\r')
			out[k++] = (s[i] >= 32 && s[i] < 127) ? s[i] : '?';
	out[k] = '\0';
}

int ex__stopped(struct ex_ctx *x)
{
	return x->p->stop != NULL && atomic_load(x->p->stop) ? -ECANCELED : 0;
}

/* Wait for fd to be ready for events until deadline: 1 ready, 0 timed out. */
int ex__wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		int64_t left = deadline - trace_mono_ns();
		int n;

		if (left <= 0)
			return 0;
		n = poll(&p, 1, (int)((left + MS - 1) / MS));
		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

/* A connection that completed (the server's kernel queued it for accept)
 * before deadline: 0, or -errno (-ECONNREFUSED: nothing listens). */
static int connect_by(int fd, const struct sockaddr_in *a, int64_t deadline)
{
	int err = 0;
	socklen_t len = sizeof err;
	int w;

	if (connect(fd, (const struct sockaddr *)a, sizeof *a) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return -errno;
	/* A full listen backlog drops the SYN: the kernel would retry for
	 * minutes; the deadline decides. */
	if ((w = ex__wait_fd(fd, POLLOUT, deadline)) <= 0)
		return w == 0 ? -ETIMEDOUT : w;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		return -errno;
	return -err;
}

int ex__connect(struct ex_ctx *x, struct ex_client *c, int id)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)x->p->port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int err;

	memset(c, 0, sizeof *c);
	c->fd = -1;
	c->id = id;
	if (fd < 0)
		return -errno;
	if (x->rcvbuf > 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &x->rcvbuf, sizeof x->rcvbuf);
	err = connect_by(fd, &a, trace_mono_ns() + EX_GIVE_UP_NS);
	if (err != 0) {
		close(fd);
		return err;
	}
	c->fd = fd;
	if (x->r->conns < EX_MAX_CONNS)
		x->r->conn_client[x->r->conns] = id;
	x->r->conns++;
	return 0;
}

void ex__close(struct ex_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

int ex__send(struct ex_client *c, const char *s, size_t n, int64_t deadline)
{
	while (n > 0) {
		ssize_t k = send(c->fd, s, n, MSG_NOSIGNAL);

		if (k > 0) {
			s += k;
			n -= (size_t)k;
		} else if (k < 0 && (errno == EAGAIN || errno == EINTR)) {
			int w = ex__wait_fd(c->fd, POLLOUT, deadline);

			if (w <= 0)
				return w == 0 ? -ETIMEDOUT : w;
		} else {
			c->closed |= errno == EPIPE || errno == ECONNRESET;
			return -errno;
		}
	}
	return 0;
}

/* Read what is there into c's buffer (the oldest bytes dropped when full):
 * bytes read, 0 none, -EPIPE at the end, -errno. */
static int fill(struct ex_client *c)
{
	ssize_t k;

	if (c->inlen == sizeof c->in) {
		memmove(c->in, c->in + sizeof c->in / 2, sizeof c->in / 2);
		c->inlen = sizeof c->in / 2;
	}
	k = recv(c->fd, c->in + c->inlen, sizeof c->in - c->inlen, 0);
	if (k > 0) {
		c->inlen += (size_t)k;
		return (int)k;
	}
	if (k == 0 || errno == ECONNRESET) {
		c->closed = true;
		return -EPIPE;
	}
	return errno == EAGAIN || errno == EINTR ? 0 : -errno;
}

int ex__line(struct ex_client *c, char *out, size_t len, int64_t deadline)
{
	for (;;) {
		char *nl = memchr(c->in, '\n', c->inlen);
		int k, w;

		if (nl != NULL) {
			size_t n = (size_t)(nl - c->in) + 1;
			size_t m = n < len ? n : len - 1;

			memcpy(out, c->in, m);
			out[m] = '\0';
			memmove(c->in, c->in + n, c->inlen - n);
			c->inlen -= n;
			return 1;
		}
		if ((k = fill(c)) > 0)
			continue;
		if (k < 0)
			goto partial;
		if ((w = ex__wait_fd(c->fd, POLLIN, deadline)) <= 0) {
			k = w == 0 ? 0 : w;
			goto partial;
		}
	}
partial:
	/* What came without its newline, for the evidence. */
	{
		size_t m = c->inlen < len ? c->inlen : len - 1;

		memcpy(out, c->in, m);
		out[m] = '\0';
	}
	return 0;
}

void ex__miss(struct ex_miss *m, const struct ex_client *c, const char *sent, const char *got,
	      int64_t waited)
{
	if (m->client != 0)
		return;
	m->client = c->id;
	m->closed = c->closed;
	text_of(m->sent, sent, strlen(sent));
	text_of(m->got, got, strlen(got));
	m->waited_ns = waited;
}

/* Send line, expect it back whole before deadline; counts the reply.
 * Returns 1 correct, 0 wrong or missing. */
int ex__echo(struct ex_ctx *x, struct ex_client *c, const char *line, int64_t deadline)
{
	char got[256];
	int64_t t0 = trace_mono_ns();
	int ok;

	x->r->replies++;
	if (ex__send(c, line, strlen(line), deadline) != 0) {
		ex__miss(&x->r->miss, c, line, "", trace_mono_ns() - t0);
		return 0;
	}
	ok = ex__line(c, got, sizeof got, deadline) == 1 && strcmp(got, line) == 0;
	if (ok)
		x->r->replies_ok++;
	else
		ex__miss(&x->r->miss, c, line, got, trace_mono_ns() - t0);
	return ok;
}

/* Expect line back within deadline, already sent at t0; counts it. */
int ex__expect(struct ex_ctx *x, struct ex_client *c, const char *line, int64_t t0,
	       int64_t deadline)
{
	char got[256];
	int ok = ex__line(c, got, sizeof got, deadline) == 1 && strcmp(got, line) == 0;

	x->r->replies++;
	if (ok)
		x->r->replies_ok++;
	else
		ex__miss(&x->r->miss, c, line, got, trace_mono_ns() - t0);
	return ok;
}

/* The port accepts: one connection made and closed (connection 0). */
static int wait_listen(struct ex_ctx *x)
{
	int64_t t0 = trace_mono_ns();
	int64_t limit = x->p->listen_limit_ns > 0 ? x->p->listen_limit_ns : 10000 * MS;
	struct ex_client c;

	for (;;) {
		int err = ex__connect(x, &c, 0);

		if (err == 0) {
			ex__close(&c);
			x->r->listen_ns = trace_mono_ns() - t0;
			return 0;
		}
		if (err != -ECONNREFUSED)
			return err;
		if (x->p->ended != NULL && atomic_load(x->p->ended))
			return -ECHILD;
		if (ex__stopped(x))
			return -ECANCELED;
		if (trace_mono_ns() - t0 > limit)
			return -ETIMEDOUT;
		ex__sleep_ms(20);
	}
}

static int (*const scripts[EX_SCRIPT_MAX])(struct ex_ctx *x) = {
	[EX_SCRIPT_ECHO_SEQ] = ex__play_echo_seq,
	[EX_SCRIPT_ECHO_CONC] = ex__play_echo_conc,
	[EX_SCRIPT_CHAT] = ex__play_chat,
	[EX_SCRIPT_SLOW_READER] = ex__play_slow_reader,
};

int ex_play(const struct ex_play *p, struct ex_result *res)
{
	struct ex_ctx x = { .p = p, .r = res };
	int err;

	memset(res, 0, sizeof *res);
	res->slow_bad_at = SIZE_MAX;
	if (p->def == NULL || p->def->script < 0 || p->def->script >= EX_SCRIPT_MAX ||
	    p->port <= 0 || p->port > 65535)
		return -EINVAL;
	err = wait_listen(&x);
	if (err == 0)
		err = scripts[p->def->script](&x);
	if (err == 0)
		return 0;
	res->fail = err == -ECHILD ? EX_ERR_EXITED : err == -ETIMEDOUT ? EX_ERR_NO_LISTEN :
		    err == -ECANCELED ? EX_ERR_STOPPED : EX_ERR_CLIENT;
	res->err = err;
	return err;
}

