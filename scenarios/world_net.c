/* world_net.c: server actors listen on loopback TCP; the world plays their
 * clients: it connects, sends, hangs up or resets, and reads what the
 * server sends back. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "scenarios/world_int.h"

/* Small buffers make a client that stops reading fill them within a few
 * KB (Linux doubles the value asked, for its bookkeeping: socket(7)). */
static int set_bufs(int fd, int sockbuf)
{
	if (sockbuf <= 0)
		return 0;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sockbuf, sizeof sockbuf) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sockbuf, sizeof sockbuf) != 0)
		return -errno;
	return 0;
}

int world__listen(struct world_actor *a, int sockbuf)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	a->sockbuf = sockbuf;
	/* Port 0: the kernel picks a free one; clients ask getsockname.
	 * Accepted sockets inherit the listener's buffer sizes. */
	if (set_bufs(fd, sockbuf) != 0 || bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
	    listen(fd, 64) != 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	a->listen_fd = fd;
	return 0;
}

static void client_close_cb(uv_handle_t *h)
{
	free(h);
}

static void stop_watching(struct world_client *c)
{
	if (c->poll != NULL) {
		uv_poll_stop(c->poll);
		uv_close((uv_handle_t *)c->poll, client_close_cb);
		c->poll = NULL;
	}
}

/* What the server sent this client: read it all, say how much. */
static void client_read_cb(uv_poll_t *h, int status, int events)
{
	struct world *w = h->data;
	struct world_client *c = NULL;
	char buf[4096];
	ssize_t n, total = 0;

	(void)events;
	for (int i = 0; i < SCN_MAX_CLIENTS; i++)
		if (w->clients[i].poll == h)
			c = &w->clients[i];
	if (c == NULL || status < 0)
		return;
	while ((n = read(c->fd, buf, sizeof buf)) > 0) {
		total += n;
		for (ssize_t i = 0; i < n; i++)      /* FNV-1a, in arrival order */
			c->got = (c->got ^ (uint8_t)buf[i]) * 16777619u;
	}
	if (total > 0)
		world__emit(w, &(struct trace_ev){
			.kind = TRACE_DELIVER, .actor = w->client_base + (int)(c - w->clients),
			.fd = c->fd, .ret = total, .step = -1, .count = c->got,
		});
	if (n == 0 || (n < 0 && errno != EAGAIN))
		stop_watching(c);      /* the server closed on us */
}

void world__connect(struct world *w, const struct scn_action *a, int step)
{
	struct world_client *c = &w->clients[a->client];
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	int fd, rc;

	if (getsockname(w->actors[a->actor].listen_fd, (struct sockaddr *)&sin, &len) != 0)
		return;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (set_bufs(fd, w->actors[a->actor].sockbuf) != 0) {
		close(fd);
		return;
	}
	rc = connect(fd, (struct sockaddr *)&sin, len);
	if (rc != 0 && errno != EINPROGRESS) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->server = a->actor;
	c->got = 2166136261u;                    /* FNV-1a's offset basis */
	w->actors[a->actor].conns++;
	if ((c->poll = malloc(sizeof *c->poll)) != NULL &&
	    uv_poll_init(w->loop, c->poll, fd) == 0) {
		c->poll->data = w;
		uv_poll_start(c->poll, UV_READABLE, client_read_cb);
	} else {
		free(c->poll);
		c->poll = NULL;
	}
	world__emit(w, &(struct trace_ev){
		.kind = TRACE_CONNECT, .actor = w->client_base + a->client,
		.fd = fd, .arg = w->actor_base + a->actor, .step = step,
	});
}

void world__send(struct world *w, const struct scn_action *a, int step)
{
	struct world_client *c = &w->clients[a->client];
	int64_t now = sink_now(w->sink);
	ssize_t n;

	if (c->fd < 0)
		return;
	n = send(c->fd, a->data, a->len, MSG_NOSIGNAL);   /* EPIPE, not SIGPIPE */
	world__emit(w, &(struct trace_ev){
		.kind = TRACE_ARRIVE, .actor = w->client_base + a->client,
		.fd = c->fd, .ret = n < 0 ? -errno : n, .step = step, .t_ns = now,
	});
}

void world__hangup(struct world *w, int client, int abrupt, int step)
{
	struct world_client *c = &w->clients[client];
	int64_t now = sink_now(w->sink);

	if (c->fd < 0)
		return;
	if (abrupt) {
		/* Linger 0: close sends RST, and unread data is thrown away. */
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	}
	stop_watching(c);
	close(c->fd);
	world__emit(w, &(struct trace_ev){
		.kind = TRACE_CLOSE, .actor = w->client_base + client, .fd = c->fd,
		.what = (uint8_t)(abrupt != 0), .step = step, .t_ns = now,
	});
	c->fd = -1;
}

void world__pause(struct world *w, int client, bool paused, int step)
{
	struct world_client *c = &w->clients[client];
	struct trace *t = sink_trace(w->sink);

	if (c->fd < 0 || c->poll == NULL)
		return;
	/* Not watched, its socket is not read: what the server sends piles
	 * up in its receive buffer, then in the server's send buffer. */
	if (paused)
		uv_poll_stop(c->poll);
	else
		uv_poll_start(c->poll, UV_READABLE, client_read_cb);
	world__emit(w, &(struct trace_ev){
		.kind = TRACE_NOTE, .actor = w->client_base + client, .fd = c->fd,
		.step = step, .t_ns = sink_now(w->sink),
		.text = { trace_intern(t, paused ? "stops reading its socket" :
						   "reads its socket again"),
			  trace_intern(t, paused ? "不再读自己的套接字" :
						   "又开始读自己的套接字") },
	});
}

void world__clients_close(struct world *w)
{
	for (int i = 0; i < SCN_MAX_CLIENTS; i++) {
		struct world_client *c = &w->clients[i];

		stop_watching(c);
		if (c->fd >= 0)
			close(c->fd);
		c->fd = -1;
	}
}

/* A server's read that ends a connection: end of file, or an error other
 * than "nothing yet" (ECONNRESET after a reset). */
static bool ends_conn(const struct trace_ev *ev)
{
	if (ev->kind != TRACE_EXIT ||
	    !trace_call_is_read(ev->call))
		return false;
	return ev->ret == 0 || (ev->ret < 0 && ev->err != EAGAIN &&
				ev->err != EWOULDBLOCK && ev->err != EINTR);
}

/* The actor an event counts for: its own, or for an announced actor (a
 * server's thread or process per connection, a worker, a coroutine) the
 * header's actor its parents lead back to; -1 for none.  An index the
 * header does not hold is taken as it is (the world's own numbering
 * decides).  Parents come before their children, and the walk is bounded
 * all the same. */
static int root_of(const struct trace *t, int actor)
{
	const struct trace_hdr *h = trace_hdr_c(t);

	for (int hops = 0; hops <= h->nactors; hops++) {
		if (actor < 0 || actor >= h->nactors || !h->actors[actor].announced)
			return actor;
		actor = h->actors[actor].parent;
	}
	return -1;
}

void world__observe_cb(void *arg, struct trace *t, const struct trace_ev *ev)
{
	struct world *w = arg;
	int root = root_of(t, ev->actor);
	int i = root - w->actor_base;
	struct world_actor *a;

	if (root < 0 || i < 0 || i >= w->scn->nactors ||
	    w->scn->actors[i].role != SCN_ROLE_SERVER)
		return;
	a = &w->actors[i];
	/* Only the server's own thread ends the server: its children's
	 * ends are theirs. */
	if (ev->kind == TRACE_DONE && root == ev->actor)
		a->gone = 1;
	else if (ev->kind == TRACE_LOST)
		a->blind = 1;
	else if (ends_conn(ev))
		a->served++;
	else
		return;
	if (w->ended && !world__serving(w))
		world__done(w);
}

bool world__serving(const struct world *w)
{
	for (int i = 0; i < w->scn->nactors; i++) {
		const struct world_actor *a = &w->actors[i];

		if (w->scn->actors[i].role == SCN_ROLE_SERVER && !a->gone &&
		    a->served < a->conns)
			return true;
	}
	return false;
}

int world_unserved(const struct world *w, char *cause, size_t len)
{
	int total = 0;

	for (int i = 0; i < w->scn->nactors; i++) {
		const struct world_actor *a = &w->actors[i];
		int left = a->conns - a->served;

		/* With events lost, a read may have gone unseen: not a fault. */
		if (w->scn->actors[i].role != SCN_ROLE_SERVER || a->blind || left <= 0)
			continue;
		if (total == 0 && cause != NULL)
			snprintf(cause, len, "server %s read %d of its %d client connections "
				 "to the end; %d still had data or an end of file unread "
				 "%d s after the script ended", w->scn->actors[i].name,
				 a->served, a->conns, left, WORLD_SERVE_MS / 1000);
		total += left;
	}
	return total;
}
