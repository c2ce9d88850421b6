/* server_bench_load.c: the server bench's load, one thread and one epoll:
 * N connections opened a few at a time, each answered once; then each
 * sends a line, waits for its echo and thinks before the next, the
 * requests sent inside the main thread's window timed to their answers.
 *
 * Think time is the same for every connection, so the connections due to
 * send form a queue in due order: a connection goes to its back when its
 * answer arrives (due then + think), and the first ones are spread evenly
 * over one think time, so the requests go out at a steady rate. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "models/server_bench_int.h"
#include "trace/trace.h"

enum { C_FREE, C_CONNECTING, C_HELLO, C_IDLE, C_WAITING, C_DEAD };

struct sb_conn {
	int fd;
	int state;
	int got;                       /* bytes of the answer so far */
	bool win;                      /* sent inside the window */
	int64_t sent;
};

#define EVENTS 256

static const char request[SERVER_BENCH_REQ + 1] =
	"ioscope bench --servers request\n";
_Static_assert(sizeof request == SERVER_BENCH_REQ + 1, "a request is 32 bytes, '\\n' last");

static void push(struct sb_load *l, int i, int64_t due)
{
	int at = (l->head + l->count) % l->n;

	l->fifo[at] = i;
	l->due[at] = due;
	l->count++;
}

/* A connection the server closed or refused. */
static void dead(struct sb_load *l, struct sb_conn *k)
{
	if (k->state == C_CONNECTING || k->state == C_HELLO) {
		atomic_fetch_add(&l->failed, 1);
		l->inflight--;
	} else {
		atomic_fetch_add(&l->lost, 1);
	}
	if (k->win)
		l->win_sent--;         /* never answered: counted as lost */
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, k->fd, NULL);
	close(k->fd);
	k->fd = -1;
	k->state = C_DEAD;
}

static int send_request(struct sb_load *l, struct sb_conn *k, int64_t now)
{
	int64_t ws = atomic_load(&l->w_start), we = atomic_load(&l->w_end);
	ssize_t n = send(k->fd, request, SERVER_BENCH_REQ, MSG_NOSIGNAL);

	if (n != SERVER_BENCH_REQ) {   /* an empty send buffer takes 32 bytes */
		dead(l, k);
		return -1;
	}
	k->sent = now;
	k->got = 0;
	k->win = ws != 0 && now >= ws && (we == 0 || now < we);
	l->win_sent += k->win;
	return 0;
}

static int record(struct sb_load *l, int64_t ns)
{
	if (l->nlat == l->caplat) {
		size_t cap = l->caplat ? l->caplat * 2 : 4096;
		int64_t *p = realloc(l->lat, cap * sizeof *p);

		if (p == NULL)
			return -ENOMEM;
		l->lat = p;
		l->caplat = cap;
	}
	l->lat[l->nlat++] = ns;
	return 0;
}

/* Open connections until INFLIGHT wait for their first answer. */
static int open_more(struct sb_load *l)
{
	while (l->opened < l->n && l->inflight < SERVER_BENCH_INFLIGHT) {
		struct sb_conn *k = &l->c[l->opened];
		struct epoll_event e = { .events = EPOLLOUT | EPOLLIN,
					 .data.u32 = (uint32_t)l->opened };
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

		if (fd < 0)
			return -errno;
		k->fd = fd;
		k->state = C_CONNECTING;
		l->opened++;
		l->inflight++;
		if ((connect(fd, (const struct sockaddr *)&l->addr, sizeof l->addr) != 0 &&
		     errno != EINPROGRESS) ||
		    epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &e) != 0)
			dead(l, k);
	}
	return 0;
}

/* Connected (or not): the first line goes out, for its answer only. */
static void connected(struct sb_load *l, struct sb_conn *k, int i, int64_t now)
{
	struct epoll_event e = { .events = EPOLLIN, .data.u32 = (uint32_t)i };
	int err = 0;
	socklen_t len = sizeof err;

	if (getsockopt(k->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0 ||
	    epoll_ctl(l->epfd, EPOLL_CTL_MOD, k->fd, &e) != 0) {
		dead(l, k);
		return;
	}
	k->state = C_HELLO;
	send_request(l, k, now);
}

/* An answer's bytes; a whole one ends a request. */
static int answered(struct sb_load *l, struct sb_conn *k, int i, int64_t now)
{
	char buf[4096];
	ssize_t n;

	while ((n = recv(k->fd, buf, sizeof buf, 0)) > 0)
		k->got += (int)n;
	if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		dead(l, k);
		return 0;
	}
	if (k->got < SERVER_BENCH_REQ)
		return 0;
	k->got -= SERVER_BENCH_REQ;
	if (k->state == C_HELLO) {
		k->state = C_IDLE;
		l->inflight--;
		atomic_fetch_add(&l->connected, 1);
		return 0;
	}
	k->state = C_IDLE;
	if (k->win) {
		k->win = false;
		if (record(l, now - k->sent) != 0)
			return -ENOMEM;
	}
	if (!atomic_load(&l->stop))
		push(l, i, now + l->think_ns);
	return 0;
}

static int on_event(struct sb_load *l, const struct epoll_event *e, int64_t now)
{
	int i = (int)e->data.u32;
	struct sb_conn *k = &l->c[i];

	if (k->state == C_CONNECTING) {
		connected(l, k, i, now);
		return 0;
	}
	if (k->state == C_HELLO || k->state == C_WAITING)
		return answered(l, k, i, now);
	if (k->state == C_IDLE && (e->events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return answered(l, k, i, now);   /* an end of file, most likely */
	return 0;
}

/* The requests due now go out. */
static void send_due(struct sb_load *l, int64_t now)
{
	while (l->count > 0 && l->due[l->head] <= now) {
		struct sb_conn *k = &l->c[l->fifo[l->head]];

		l->head = (l->head + 1) % l->n;
		l->count--;
		if (k->state == C_IDLE && send_request(l, k, now) == 0)
			k->state = C_WAITING;
	}
}

/* Every connection answered once: the steady load begins, the first
 * requests spread over one think time. */
static void begin_steady(struct sb_load *l, int64_t now)
{
	for (int i = 0; i < l->n; i++)
		if (l->c[i].state == C_IDLE)
			push(l, i, now + l->think_ns * i / l->n);
}

/* Whether the window's requests are all answered (or given up on). */
static bool finished(struct sb_load *l, int64_t now, int64_t *stop_at)
{
	if (!atomic_load(&l->stop))
		return false;
	if (*stop_at == 0)
		*stop_at = now;
	return (long)l->nlat >= l->win_sent ||
	       now - *stop_at > (int64_t)SERVER_BENCH_GRACE_MS * 1000000;
}

static int wait_ms(const struct sb_load *l, int64_t now)
{
	int64_t d;

	if (l->count == 0)
		return 10;
	d = l->due[l->head] - now;
	return d <= 0 ? 0 : d > 10000000 ? 10 : (int)((d + 999999) / 1000000);
}

static int load_loop(struct sb_load *l)
{
	struct epoll_event ev[EVENTS];
	bool steady = false;
	int64_t stop_at = 0;

	for (;;) {
		int64_t now = trace_mono_ns();
		int n, rc;

		if (!steady) {
			if ((rc = open_more(l)) != 0)
				return rc;
			if (atomic_load(&l->connected) + atomic_load(&l->failed) == l->n) {
				steady = true;
				begin_steady(l, now);
			} else if (now > l->deadline_ns || atomic_load(&l->stop)) {
				return 0;
			}
		}
		if (steady && finished(l, now, &stop_at))
			return 0;
		n = epoll_wait(l->epfd, ev, EVENTS, wait_ms(l, now));
		if (n < 0 && errno != EINTR)
			return -errno;
		now = trace_mono_ns();
		for (int i = 0; i < n; i++)
			if ((rc = on_event(l, &ev[i], now)) != 0)
				return rc;
		if (steady && !atomic_load(&l->stop))
			send_due(l, now);
	}
}

static void *load_main(void *arg)
{
	struct sb_load *l = arg;

	l->err = load_loop(l);
	atomic_store(&l->done, 1);
	return NULL;
}

int sb__load_start(struct sb_load *l, int n, const struct sockaddr_in *addr)
{
	int rc;

	memset(l, 0, sizeof *l);
	l->epfd = -1;
	l->n = n;
	l->addr = *addr;
	l->think_ns = (int64_t)n * 1000000000 / SERVER_BENCH_RATE;
	l->deadline_ns = trace_mono_ns() +
			 ((int64_t)SERVER_BENCH_CONNECT_MS + 2 * (int64_t)n) * 1000000;
	l->c = calloc((size_t)n, sizeof *l->c);
	l->fifo = calloc((size_t)n, sizeof *l->fifo);
	l->due = calloc((size_t)n, sizeof *l->due);
	if (l->c == NULL || l->fifo == NULL || l->due == NULL)
		return -ENOMEM;
	for (int i = 0; i < n; i++)
		l->c[i].fd = -1;
	if ((l->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return -errno;
	if ((rc = pthread_create(&l->thread, NULL, load_main, l)) != 0)
		return -rc;
	l->started = 1;
	return 0;
}

void sb__load_finish(struct sb_load *l)
{
	atomic_store(&l->stop, 1);
	if (l->started)
		pthread_join(l->thread, NULL);
	l->started = 0;
	for (int i = 0; l->c != NULL && i < l->n; i++)
		if (l->c[i].fd >= 0) {
			/* A reset, not a FIN: no TIME_WAIT left behind per
			 * connection, cell after cell. */
			struct linger lg = { .l_onoff = 1, .l_linger = 0 };

			setsockopt(l->c[i].fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
			close(l->c[i].fd);
		}
	if (l->epfd >= 0)
		close(l->epfd);
	free(l->c);
	free(l->fifo);
	free(l->due);
	free(l->lat);
	l->c = NULL;
	l->fifo = NULL;
	l->due = NULL;
	l->lat = NULL;
	l->epfd = -1;
}
