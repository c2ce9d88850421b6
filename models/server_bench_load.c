/* server_bench_load.c: the server bench's load, one thread and one epoll:
 * N connections opened a few at a time, each answered once; then each
 * sends a line every period (N / SERVER_BENCH_RATE s), the requests sent
 * inside the main thread's window timed to their answers.
 *
 * A connection has at most one request out: its next is due one period
 * after the last was due, or at its answer if that came later (a slow
 * answer delays the next request, and never makes two go out at once).
 * So the rate offered stays SERVER_BENCH_RATE whatever the latency, as
 * long as answers come within a period, and a reqs/s below it says the
 * server did not keep up.  The first requests are spread evenly over one
 * period; the connections wait for their turn in a heap by due time. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
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
	int64_t due;                   /* when the last request was due */
};

#define EVENTS 256

static const char request[SERVER_BENCH_REQ + 1] =
	"ioscope bench --servers request\n";
_Static_assert(sizeof request == SERVER_BENCH_REQ + 1, "a request is 32 bytes, '\\n' last");

/* The heap of connections waiting to send, earliest due first. */
static void heap_swap(struct sb_load *l, int a, int b)
{
	int i = l->heap[a];
	int64_t d = l->due[a];

	l->heap[a] = l->heap[b];
	l->due[a] = l->due[b];
	l->heap[b] = i;
	l->due[b] = d;
}

static void push(struct sb_load *l, int i, int64_t due)
{
	int at = l->count++;

	l->heap[at] = i;
	l->due[at] = due;
	while (at > 0 && l->due[(at - 1) / 2] > l->due[at]) {
		heap_swap(l, at, (at - 1) / 2);
		at = (at - 1) / 2;
	}
}

static int pop(struct sb_load *l)
{
	int top = l->heap[0], at = 0;

	l->count--;
	l->heap[0] = l->heap[l->count];
	l->due[0] = l->due[l->count];
	for (;;) {
		int kid = 2 * at + 1;

		if (kid + 1 < l->count && l->due[kid + 1] < l->due[kid])
			kid++;
		if (kid >= l->count || l->due[at] <= l->due[kid])
			return top;
		heap_swap(l, at, kid);
		at = kid;
	}
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
	if (k->state == C_IDLE || k->got < SERVER_BENCH_REQ)
		return 0;            /* bytes nobody asked for are not an answer */
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
	k->due += l->think_ns;
	if (k->due < now)
		k->due = now;        /* late: no catching up in a burst */
	if (!atomic_load(&l->stop))
		push(l, i, k->due);
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
	/* Idle, it can only be an end of file (or bytes not asked for). */
	return k->state == C_DEAD ? 0 : answered(l, k, i, now);
}

/* The requests due now go out. */
static void send_due(struct sb_load *l, int64_t now)
{
	while (l->count > 0 && l->due[0] <= now) {
		struct sb_conn *k = &l->c[pop(l)];

		if (k->state == C_IDLE && send_request(l, k, now) == 0)
			k->state = C_WAITING;
	}
}

/* Every connection answered once: the steady load begins, the first
 * requests spread over one period. */
static void begin_steady(struct sb_load *l, int64_t now)
{
	for (int i = 0; i < l->n; i++)
		if (l->c[i].state == C_IDLE) {
			l->c[i].due = now + l->think_ns * i / l->n;
			push(l, i, l->c[i].due);
		}
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

/* Wait for answers until the next request is due (10 ms at most, to see
 * stop): to the nanosecond with epoll_pwait2 (Linux 5.11), else rounded
 * up to epoll_wait's milliseconds, which delays each request by up to
 * one and lowers the offered rate a little. */
static int wait_events(struct sb_load *l, struct epoll_event *ev, int64_t now)
{
	int64_t d = l->count > 0 ? l->due[0] - now : 10000000;

	d = d < 0 ? 0 : d > 10000000 ? 10000000 : d;
	if (!l->no_pwait2) {
		struct timespec ts = { 0, (long)d };
		int n = epoll_pwait2(l->epfd, ev, EVENTS, &ts, NULL);

		if (n >= 0 || errno != ENOSYS)
			return n;
		l->no_pwait2 = 1;
	}
	return epoll_wait(l->epfd, ev, EVENTS, (int)((d + 999999) / 1000000));
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
		n = wait_events(l, ev, now);
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
	l->heap = calloc((size_t)n, sizeof *l->heap);
	l->due = calloc((size_t)n, sizeof *l->due);
	if (l->c == NULL || l->heap == NULL || l->due == NULL)
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
	free(l->heap);
	free(l->due);
	free(l->lat);
	l->c = NULL;
	l->heap = NULL;
	l->due = NULL;
	l->lat = NULL;
	l->epfd = -1;
}
