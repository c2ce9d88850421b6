/* mux_server.c: the chat server of the reference texts' exercise, on any
 * readiness model: one thread, one multiplexer, many clients.  It accepts
 * on the listening socket, reads lines from each client and sends every
 * complete line to all the others.  A client that leaves, politely or with
 * a reset in the middle of a line, is dropped with its half line. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "models/mux.h"

#define MAX_CONNS 63
#define LINE_MAX  1024

struct conn {
	struct feed f;
	bool open;
	bool waiting;
	size_t len;                  /* bytes of an unfinished line */
	char line[LINE_MAX];
};

struct server {
	struct model_ctx *c;
	const struct mux_ops *ops;
	struct mux *m;
	struct feed lf;          /* the listening socket */
	struct conn conns[MAX_CONNS];
	int ready[MAX_CONNS + 1];
	char buf[MODEL_BUF];
};

static struct conn *conn_of(struct server *s, int fd)
{
	for (int i = 0; i < MAX_CONNS; i++)
		if (s->conns[i].open && s->conns[i].f.fd == fd)
			return &s->conns[i];
	return NULL;
}

/* New clients: accept until EAGAIN.  Returns -EINVAL once the listening
 * socket was shut down (the run is stopping us). */
static int take_clients(struct server *s)
{
	for (;;) {
		int64_t t0 = probe_enter(TRACE_CALL_ACCEPT, s->lf.fd, false);
		int fd = accept4(s->lf.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		int err = errno, slot = -1;

		probe_exit(TRACE_CALL_ACCEPT, s->lf.fd, fd, err, t0, 0);
		if (fd < 0)
			return err == EAGAIN || err == ECONNABORTED ? 0 : -err;
		for (int i = 0; i < MAX_CONNS && slot < 0; i++)
			if (!s->conns[i].open)
				slot = i;
		if (slot < 0) {
			close(fd);         /* full: a real server would say so */
			continue;
		}
		s->conns[slot] = (struct conn){ .f.fd = fd, .open = true };
		if (s->ops->add(s->m, &s->conns[slot].f) != 0) {
			close(fd);
			s->conns[slot].open = false;
		}
	}
}

/* lesson: chat-drop */
static void drop(struct server *s, struct conn *k)
{
	if (k->waiting)
		probe_phase(TRACE_PH_WAIT, true, true, k->f.fd, probe_now(&s->c->probe));
	s->ops->del(s->m, &k->f);
	close(k->f.fd);
	k->open = false;
	k->len = 0;                  /* a half line goes with its sender */
}
/* lesson end */

static void send_all(struct server *s, struct conn *from, const char *line, size_t len)
{
	for (int i = 0; i < MAX_CONNS; i++) {
		struct conn *k = &s->conns[i];
		int64_t t0;
		ssize_t n;

		if (!k->open || k == from)
			continue;
		t0 = probe_enter(TRACE_CALL_WRITE, k->f.fd, false);
		/* A client that left must not kill the process (SIGPIPE): EPIPE. */
		n = send(k->f.fd, line, len, MSG_NOSIGNAL);
		probe_exit(TRACE_CALL_WRITE, k->f.fd, n, errno, t0, 0);
	}
}

/* Bytes from a client: keep the unfinished line, send on each finished one. */
static void take_bytes(struct server *s, struct conn *k, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (k->len < LINE_MAX)
			k->line[k->len++] = p[i];
		if (p[i] == '\n' || k->len == LINE_MAX) {
			send_all(s, k, k->line, k->len);
			k->len = 0;
		}
	}
}

/* One recv: >0 bytes, 0 end of file, -errno; the client is dropped when
 * it is gone. */
static ssize_t serve_once(struct server *s, struct conn *k)
{
	int64_t t0, t1;
	ssize_t n;
	int err;

	t0 = probe_enter(TRACE_CALL_RECVFROM, k->f.fd, false);
	n = recv(k->f.fd, s->buf, sizeof s->buf, 0);
	err = errno;
	t1 = probe_now(&s->c->probe);
	if (n > 0) {
		probe_phase(TRACE_PH_COPY, false, true, k->f.fd, t0);
		probe_phase(TRACE_PH_COPY, true, true, k->f.fd, t1);
	}
	probe_exit(TRACE_CALL_RECVFROM, k->f.fd, n, err, t0, 0);
	if (n > 0)
		take_bytes(s, k, s->buf, (size_t)n);
	else if (n == 0 || err != EAGAIN)
		drop(s, k);          /* gone: EOF, or ECONNRESET from a reset */
	return n < 0 ? -err : n;
}

/* Level-triggered: one read (what is left is reported again).  Edge: until
 * EAGAIN, as mux.c's readers do, unless drain=no: a client's last bytes and
 * its end of file often arrive together, and are reported once. */
static void serve_client(struct server *s, struct conn *k, int64_t t_ready)
{
	bool drain = s->ops->edge && s->c->drain != 0;

	if (k->waiting)
		probe_phase(TRACE_PH_WAIT, true, true, k->f.fd, t_ready);
	k->waiting = false;
	while (serve_once(s, k) > 0 && drain && k->open)
		;
}

static int serve(struct server *s)
{
	while (!model_should_stop(s->c)) {
		int n, rc;
		int64_t t;

		for (int i = 0; i < MAX_CONNS; i++) {
			struct conn *k = &s->conns[i];

			if (k->open && !k->waiting) {
				probe_phase(TRACE_PH_WAIT, false, true, k->f.fd,
					    probe_now(&s->c->probe));
				k->waiting = true;
			}
		}
		n = s->ops->wait(s->m, s->ready, MAX_CONNS + 1);
		t = probe_now(&s->c->probe);
		if (n == -EINTR)
			continue;
		if (n < 0)
			return model_should_stop(s->c) ? 0 : n;
		/* lesson: chat-loop */
		for (int i = 0; i < n; i++) {
			struct conn *k = conn_of(s, s->ready[i]);

			if (s->ready[i] == s->lf.fd) {
				if ((rc = take_clients(s)) != 0)
					return rc == -EINVAL ? 0 : rc;
			} else if (k != NULL) {
				serve_client(s, k, t);
			}
		}
		/* lesson end */
	}
	return 0;
}

int mux_serve(struct model_ctx *c, const struct mux_ops *ops)
{
	struct server *s = calloc(1, sizeof *s);
	int rc, fl;

	if (s == NULL)
		return -ENOMEM;
	s->c = c;
	s->ops = ops;
	s->lf.fd = c->listen_fd;
	fl = fcntl(s->lf.fd, F_GETFL);
	if (fl < 0 || fcntl(s->lf.fd, F_SETFL, fl | O_NONBLOCK) < 0)
		rc = -errno;
	else if ((rc = ops->create(&s->m, MAX_CONNS + 1)) == 0 &&
		 (rc = ops->add(s->m, &s->lf)) == 0)
		rc = serve(s);
	for (int i = 0; i < MAX_CONNS; i++)
		if (s->conns[i].open)
			close(s->conns[i].f.fd);
	if (s->m != NULL)
		ops->free(s->m);
	free(s);
	return rc;
}
