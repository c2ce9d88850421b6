/* mux_server.c: the chat server of the reference texts' exercise, on any
 * readiness model: one thread, one multiplexer, many clients.  It accepts
 * on the listening socket, reads lines from each client and sends every
 * complete line to all the others (serve=chat), or back to its sender
 * alone, after the request's work time (serve=echo: the server side of
 * `ioscope bench --servers`).  A client that leaves, politely or with a
 * reset in the middle of a line, is dropped with its half line.
 *
 * It holds up to CONNS_MAX clients at once, each in a slot (the lowest
 * free one, so slot order is accept order while nobody leaves) and found
 * by its fd; a wait hands back at most WAIT_MAX ready fds, and the rest
 * are reported by the next one.  Only the clients served since the last
 * wait begin their wait phase again, so a round costs what was ready, not
 * how many are connected (the C10K point of epoll would be lost
 * otherwise).
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
#include <time.h>
#include <unistd.h>

#include "models/mux.h"
#include "trace/sclock.h"

#define CONNS_MAX 65535          /* clients at once; the listener is one more fd */
#define WAIT_MAX  64             /* ready fds one wait hands back */
#define LINE_MAX  1024
#define OUT_MAX   (64 * 1024)    /* bytes queued for one client, at most */
_Static_assert(OUT_MAX == 64 * 1024, "the notes and lesson 11 say 64 KiB");

struct conn {
	struct feed f;               /* first: select keeps &f, stable here */
	int slot;
	bool open;
	bool waiting;
	bool again;                  /* in the server's again list */
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
	struct conn **slots;     /* [CONNS_MAX]: a client, or NULL */
	int nslots;              /* slots below this were ever used */
	int lowest_free;         /* no free slot below this */
	struct conn **by_fd;     /* [nfd]: the client on each fd, or NULL */
	int nfd;
	int *again;              /* [CONNS_MAX]: slots served since the last wait */
	int nagain;
	struct mux_ready ready[WAIT_MAX];
	char buf[MODEL_BUF];
};

static struct conn *conn_of(struct server *s, int fd)
{
	return fd >= 0 && fd < s->nfd ? s->by_fd[fd] : NULL;
}

/* k's wait phase begins again before the next wait. */
static void again(struct server *s, struct conn *k)
{
	if (!k->again && s->nagain < CONNS_MAX) {
		k->again = true;
		s->again[s->nagain++] = k->slot;
	}
}

/* by_fd large enough for fd.  Returns 0 or -ENOMEM. */
static int fit_fd(struct server *s, int fd)
{
	struct conn **p;
	int n = s->nfd ? s->nfd : 64;

	if (fd < s->nfd)
		return 0;
	while (n <= fd)
		n *= 2;
	if ((p = realloc(s->by_fd, (size_t)n * sizeof *p)) == NULL)
		return -ENOMEM;
	memset(p + s->nfd, 0, (size_t)(n - s->nfd) * sizeof *p);
	s->by_fd = p;
	s->nfd = n;
	return 0;
}

/* A client in the lowest free slot, or NULL (full, no memory). */
static struct conn *conn_new(struct server *s, int fd)
{
	struct conn *k;
	int slot = s->lowest_free;

	while (slot < CONNS_MAX && s->slots[slot] != NULL)
		slot++;
	if (slot == CONNS_MAX || fit_fd(s, fd) != 0 || (k = calloc(1, sizeof *k)) == NULL)
		return NULL;
	*k = (struct conn){ .f.fd = fd, .slot = slot, .open = true };
	s->slots[slot] = k;
	s->by_fd[fd] = k;
	s->lowest_free = slot + 1;
	if (slot >= s->nslots)
		s->nslots = slot + 1;
	return k;
}

static void conn_free(struct server *s, struct conn *k)
{
	s->slots[k->slot] = NULL;
	if (k->slot < s->lowest_free)
		s->lowest_free = k->slot;
	if (conn_of(s, k->f.fd) == k)
		s->by_fd[k->f.fd] = NULL;
	free(k->q);
	free(k);
}

/* An fd the multiplexer cannot hold (select: FD_SETSIZE), refused as
 * mux.c's reader refuses one. */
static void refuse(struct server *s, int fd)
{
	struct trace_ev ev = { .kind = TRACE_REFUSE, .fd = fd, .n = s->ops->limit,
			       .t_ns = probe_now(&s->c->probe) };

	probe_emit(&ev, true);
	close(fd);
}

/* New clients: accept until EAGAIN.  Returns -EINVAL once the listening
 * socket was shut down (the run is stopping us). */
static int take_clients(struct server *s)
{
	for (;;) {
		int64_t t0 = probe_enter(TRACE_CALL_ACCEPT, s->lf.fd, false);
		int fd = accept4(s->lf.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		int err = errno;
		struct conn *k;

		probe_exit(TRACE_CALL_ACCEPT, s->lf.fd, fd, err, t0, 0);
		if (fd < 0)
			return err == EAGAIN || err == ECONNABORTED ? 0 : -err;
		if (s->ops->limit > 0 && fd >= s->ops->limit) {
			refuse(s, fd);
			continue;
		}
		if ((k = conn_new(s, fd)) == NULL) {
			close(fd);         /* full: a real server would say so */
			continue;
		}
		if (s->ops->add(s->m, &k->f) != 0) {
			close(fd);
			conn_free(s, k);
			continue;
		}
		again(s, k);
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
	conn_free(s, k);             /* and what it was never sent */
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
	for (int i = 0; i < s->nslots; i++) {
		struct conn *k = s->slots[i];

		if (k != NULL && k->open && !k->closing && k != from)
			send_to(s, k, line, len);
	}
}

/* A finished line (or a LINE_MAX piece of a longer one): to everyone
 * else (chat), or back to its sender once handled (echo). */
static void answer(struct server *s, struct conn *k, const char *line, size_t len)
{
	if (s->c->serve != MODEL_SERVE_ECHO) {
		send_all(s, k, line, len);
		return;
	}
	model_work(s->c, NULL);
	if (k->open && !k->closing)
		send_to(s, k, line, len);
}

/* Bytes from a client: keep the unfinished line, answer each finished one. */
static void take_bytes(struct server *s, struct conn *k, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (k->len < LINE_MAX)
			k->line[k->len++] = p[i];
		if (p[i] == '\n' || k->len == LINE_MAX) {
			answer(s, k, k->line, k->len);
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

static int by_slot(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* The clients served since the last wait (and the new ones) wait again,
 * in slot order. */
static void wait_again(struct server *s)
{
	qsort(s->again, (size_t)s->nagain, sizeof *s->again, by_slot);
	for (int i = 0; i < s->nagain; i++) {
		struct conn *k = s->slots[s->again[i]];

		if (k == NULL || !k->again)
			continue;            /* left, or listed twice */
		k->again = false;
		if (k->open && !k->waiting) {
			probe_phase(TRACE_PH_WAIT, false, true, k->f.fd,
				    probe_now(&s->c->probe));
			k->waiting = true;
		}
	}
	s->nagain = 0;
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
	again(s, k);
	while (serve_once(s, k) > 0 && drain && conn_of(s, k->f.fd) == k)
		;
}

static int serve(struct server *s)
{
	while (!model_should_stop(s->c)) {
		int n, rc;
		int64_t t;

		wait_again(s);
		n = s->ops->wait(s->m, s->ready, WAIT_MAX);
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
	/* Large, but only the slots used are ever touched (calloc maps
	 * zero pages). */
	s->slots = calloc(CONNS_MAX, sizeof *s->slots);
	s->again = calloc(CONNS_MAX, sizeof *s->again);
	fl = fcntl(s->lf.fd, F_GETFL);
	if (s->slots == NULL || s->again == NULL)
		rc = -ENOMEM;
	else if (fl < 0 || fcntl(s->lf.fd, F_SETFL, fl | O_NONBLOCK) < 0)
		rc = -errno;
	else if ((rc = ops->create(&s->m, CONNS_MAX + 1)) == 0 &&
		 (rc = ops->add(s->m, &s->lf)) == 0)
		rc = serve(s);
	for (int i = 0; s->slots != NULL && i < s->nslots; i++)
		if (s->slots[i] != NULL) {
			close(s->slots[i]->f.fd);
			conn_free(s, s->slots[i]);
		}
	if (s->m != NULL)
		ops->free(s->m);
	free(s->slots);
	free(s->again);
	free(s->by_fd);
	free(s);
	return rc;
}
