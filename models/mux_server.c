/* mux_server.c: the chat server of the reference texts' exercise, on any
 * readiness model: one thread, one multiplexer, many clients.  It accepts
 * on the listening socket, reads lines from each client and sends every
 * complete line to all the others.  A client that leaves, politely or with
 * a reset in the middle of a line, is dropped with its half line.
 *
 * Its sockets are non-blocking, so a write takes what fits in the
 * socket's send buffer and returns: a short count, or EAGAIN when none
 * fits (a client that stopped reading).  What did not fit waits in that
 * client's own queue, in order, and the server asks the multiplexer for
 * write readiness (EPOLLOUT, POLLOUT, the write set) only while the queue
 * holds bytes; when the client reads again, the wait reports it writable
 * and the queue is sent.  A queue past OUT_MAX is a client that is not
 * coming back soon: the server shuts its connection down (the client
 * sees end of file) rather than grow without bound, says so in a note,
 * and reads its end of file as for any client that leaves.  So does a
 * queue it has no memory for, or no way to be told is writable. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "models/mux.h"

#define MAX_CONNS 63
#define LINE_MAX  1024
#define OUT_MAX   (64 * 1024)    /* bytes queued for one client, at most */
_Static_assert(OUT_MAX == 64 * 1024, "the notes and lesson 11 say 64 KiB");

struct conn {
	struct feed f;
	bool open;
	bool waiting;
	bool writing;                /* write interest armed: q holds bytes */
	bool closing;                /* over OUT_MAX: shut down, EOF next */
	size_t len;                  /* bytes of an unfinished line */
	char line[LINE_MAX];
	char *q;                     /* bytes not yet written, from q + qoff */
	size_t qoff, qlen, qcap;
};

struct server {
	struct model_ctx *c;
	const struct mux_ops *ops;
	struct mux *m;
	struct feed lf;          /* the listening socket */
	struct conn conns[MAX_CONNS];
	struct mux_ready ready[MAX_CONNS + 1];
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
	free(k->q);                  /* and what it was never sent */
	k->q = NULL;
	k->qoff = k->qlen = k->qcap = 0;
}
/* lesson end */

static size_t queued(const struct conn *k)
{
	return k->qlen - k->qoff;
}

/* The trace's word for k's queue now (a set event, "queue"). */
static void show_queue(const struct conn *k)
{
	mux_emit_set(TRACE_SET_QUEUE, (int)queued(k), &k->f.fd, 1, NULL);
}

/* One non-blocking send through the probe.  Returns bytes written or
 * -errno. */
static ssize_t send_once(struct conn *k, const char *p, size_t len)
{
	int64_t t0 = probe_enter(TRACE_CALL_WRITE, k->f.fd, false);
	/* A client that left must not kill the process (SIGPIPE): EPIPE. */
	ssize_t n = send(k->f.fd, p, len, MSG_NOSIGNAL);
	int err = errno;

	probe_exit(TRACE_CALL_WRITE, k->f.fd, n, err, t0, 0);
	return n < 0 ? -err : n;
}

/* Write interest on only while the queue holds bytes: an empty socket
 * buffer is writable almost always, and would wake every wait. */
static int want_write(struct server *s, struct conn *k, bool on)
{
	int rc = 0;

	if (k->writing != on && (rc = s->ops->want_write(s->m, &k->f, on)) == 0)
		k->writing = on;
	return rc;
}

/* Stop queueing for k and shut its connection down, saying why (a note);
 * the read of its end of file that follows drops it as any leaving
 * client. */
static void give_up(struct server *s, struct conn *k, const char *en, const char *zh)
{
	probe_note(en, zh);
	k->closing = true;
	k->qoff = k->qlen = 0;
	show_queue(k);
	want_write(s, k, false);
	shutdown(k->f.fd, SHUT_RDWR);
}

/* Keep n bytes at p for k, after what is already queued. */
static void enqueue(struct server *s, struct conn *k, const char *p, size_t n)
{
	size_t have = queued(k);

	if (have + n > OUT_MAX) {
		give_up(s, k, "a client's queue passed 64 KiB: the server shuts its "
			"connection down rather than hold more for a client that does "
			"not read",
			"某个客户端的队列超过 64 KiB：它不读，服务器不再替它攒数据，"
			"而是关闭这条连接");
		return;
	}
	if (k->qoff > 0 && k->qlen + n > k->qcap) {   /* what was sent goes: the
							  rest to the front, once room runs out */
		memmove(k->q, k->q + k->qoff, have);
		k->qoff = 0;
		k->qlen = have;
	}
	if (k->qlen + n > k->qcap) {
		size_t cap = k->qcap ? k->qcap : 4096;
		char *q;

		while (cap < k->qlen + n)
			cap *= 2;
		if ((q = realloc(k->q, cap)) == NULL) {
			give_up(s, k, "no memory for a client's queue: the server shuts "
				"its connection down",
				"没有内存存放某个客户端的队列：服务器关闭这条连接");
			return;
		}
		k->q = q;
		k->qcap = cap;
	}
	memcpy(k->q + k->qlen, p, n);
	k->qlen += n;
	show_queue(k);
	if (want_write(s, k, true) != 0)     /* never reported writable */
		give_up(s, k, "the server could not ask for a client's write "
			"readiness: it shuts that connection down",
			"服务器无法关注某个客户端的可写事件：关闭这条连接");
}

/* lesson: chat-send */
/* A line for k: straight to its socket when nothing waits before it;
 * what does not fit (a short write, EAGAIN) goes to the back of k's
 * queue, in order, to be sent when the socket is writable again. */
static void send_to(struct server *s, struct conn *k, const char *line, size_t len)
{
	ssize_t n = 0;

	if (queued(k) == 0) {
		n = send_once(k, line, len);
		if (n < 0 && n != -EAGAIN)
			return;          /* gone (EPIPE, ECONNRESET): its read will say */
		n = n < 0 ? 0 : n;
	}
	if ((size_t)n < len)
		enqueue(s, k, line + n, len - (size_t)n);
}

/* The wait said k is writable: send what is queued, as much as fits. */
static void flush(struct server *s, struct conn *k)
{
	while (queued(k) > 0) {
		size_t have = queued(k);
		ssize_t n = send_once(k, k->q + k->qoff, have);

		if (n == -EAGAIN)
			break;           /* full again: stay armed */
		if (n < 0)               /* gone: nothing more to send it */
			k->qoff = k->qlen;
		else
			k->qoff += (size_t)n;
	}
	show_queue(k);
	if (queued(k) == 0) {
		k->qoff = k->qlen = 0;
		want_write(s, k, false);     /* drained: write interest off */
	}
}
/* lesson end */

static void send_all(struct server *s, struct conn *from, const char *line, size_t len)
{
	for (int i = 0; i < MAX_CONNS; i++) {
		struct conn *k = &s->conns[i];

		if (k->open && !k->closing && k != from)
			send_to(s, k, line, len);
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
			struct conn *k = conn_of(s, s->ready[i].fd);

			if (s->ready[i].fd == s->lf.fd) {
				if ((rc = take_clients(s)) != 0)
					return rc == -EINVAL ? 0 : rc;
				continue;
			}
			if (k != NULL && !k->closing && (s->ready[i].ev & MUX_OUT))
				flush(s, k);         /* room again: the queue goes out */
			if (k != NULL && k->open && (s->ready[i].ev & MUX_IN))
				serve_client(s, k, t);
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
	for (int i = 0; i < MAX_CONNS; i++) {
		if (s->conns[i].open)
			close(s->conns[i].f.fd);
		free(s->conns[i].q);
	}
	if (s->m != NULL)
		ops->free(s->m);
	free(s);
	return rc;
}
