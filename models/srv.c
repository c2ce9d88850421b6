/* srv.c: see srv.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "models/mux.h"
#include "models/srv.h"

int srv_ep_open(struct srv_ep *e)
{
	memset(e, 0, sizeof *e);
	if ((e->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return -errno;
	return 0;
}

void srv_ep_close(struct srv_ep *e)
{
	if (e->epfd > 0)
		close(e->epfd);
	free(e->owner);
	free(e->pos);
	free(e->list);
	memset(e, 0, sizeof *e);
}

/* Room for fd in the tables by fd number: they grow by doubling. */
static int grow(struct srv_ep *e, int fd)
{
	int cap = e->cap ? e->cap : 64;
	void **owner;
	int *pos, *list;

	if (fd < e->cap)
		return 0;
	while (cap <= fd)
		cap *= 2;
	owner = realloc(e->owner, (size_t)cap * sizeof *owner);
	if (owner != NULL)
		e->owner = owner;
	pos = realloc(e->pos, (size_t)cap * sizeof *pos);
	if (pos != NULL)
		e->pos = pos;
	list = realloc(e->list, (size_t)cap * sizeof *list);
	if (list != NULL)
		e->list = list;
	if (owner == NULL || pos == NULL || list == NULL)
		return -ENOMEM;
	for (int i = e->cap; i < cap; i++) {
		e->owner[i] = NULL;
		e->pos[i] = -1;
	}
	e->cap = cap;
	return 0;
}

/* epoll_ctl through the probe, as models/epoll.c does. */
static int ctl(struct srv_ep *e, int op, int fd, uint32_t events)
{
	struct epoll_event ee = { .events = events, .data.fd = fd };
	struct trace_ev ev = { .kind = TRACE_ENTER, .call = TRACE_CALL_EPOLL_CTL,
			       .fd = e->epfd, .arg = fd,
			       .what = op == EPOLL_CTL_ADD ? TRACE_OP_ADD : TRACE_OP_DEL };
	int rc, err;

	if (op == EPOLL_CTL_ADD) {
		ev.flags |= TRACE_F_EVENTS;
		ev.sets = (events & EPOLLIN ? TRACE_EPEV_IN : 0) |
			  (events & EPOLLOUT ? TRACE_EPEV_OUT : 0);
	}
	ev.t_ns = probe_now(probe_self());
	probe_emit(&ev, false);
	rc = epoll_ctl(e->epfd, op, fd, &ee);
	err = errno;
	ev.kind = TRACE_EXIT;
	ev.ret = rc;
	ev.err = rc < 0 ? err : 0;
	ev.dur_ns = probe_now(probe_self()) - ev.t_ns;
	ev.t_ns += ev.dur_ns;
	probe_emit(&ev, false);
	return rc < 0 ? -err : 0;
}

int srv_ep_add(struct srv_ep *e, int fd, uint32_t events, void *owner)
{
	int rc;

	if (fd < 0)
		return -EBADF;
	if ((rc = grow(e, fd)) != 0 || (rc = ctl(e, EPOLL_CTL_ADD, fd, events)) != 0)
		return rc;
	e->owner[fd] = owner;
	e->pos[fd] = e->n;
	e->list[e->n++] = fd;
	mux_emit_set(TRACE_SET_INTEREST, e->n, e->list, e->n, NULL);
	return 0;
}

void srv_ep_forget(struct srv_ep *e, int fd)
{
	int at;

	if (fd < 0 || fd >= e->cap || e->pos[fd] < 0)
		return;
	at = e->pos[fd];
	e->list[at] = e->list[--e->n];      /* the last takes its place */
	e->pos[e->list[at]] = at;
	e->pos[fd] = -1;
	e->owner[fd] = NULL;
}

int srv_ep_del(struct srv_ep *e, int fd)
{
	int rc;

	if (fd < 0 || fd >= e->cap || e->pos[fd] < 0)
		return -ENOENT;
	rc = ctl(e, EPOLL_CTL_DEL, fd, 0);
	srv_ep_forget(e, fd);
	mux_emit_set(TRACE_SET_INTEREST, e->n, e->list, e->n, NULL);
	return rc;
}

void *srv_ep_owner(const struct srv_ep *e, int fd)
{
	return fd >= 0 && fd < e->cap ? e->owner[fd] : NULL;
}

int srv_ep_wait(struct srv_ep *e, struct epoll_event *evs, int max, int timeout_ms)
{
	int64_t t0 = mux_wait_enter(TRACE_CALL_EPOLL_WAIT, e->epfd, max, NULL, 0);
	int rc = epoll_wait(e->epfd, evs, max, timeout_ms);
	int err = errno;
	int fds[TRACE_FDS_INLINE];
	int listed = rc < TRACE_FDS_INLINE ? rc : TRACE_FDS_INLINE;

	for (int i = 0; i < listed; i++)
		fds[i] = evs[i].data.fd;
	mux_wait_exit(TRACE_CALL_EPOLL_WAIT, e->epfd, rc > 0 ? rc : 0, t0, rc, err,
		      fds, listed, NULL);
	if (rc < 0)
		return -err;
	if (rc > 0) {
		struct trace_ev ev = { .kind = TRACE_SET, .what = TRACE_SET_SCAN, .n = rc,
				       .fd = -1, .t_ns = probe_now(probe_self()) };

		trace_ev_set_fds(&ev, fds, listed);
		ev.fds_more = (uint32_t)(rc - listed);
		probe_emit(&ev, false);
	}
	return rc;
}

int srv_accept(int lfd)
{
	int64_t t0 = probe_enter(TRACE_CALL_ACCEPT, lfd, false);
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	int err = errno;

	probe_exit(TRACE_CALL_ACCEPT, lfd, fd, err, t0, 0);
	return fd < 0 ? -err : fd;
}

int srv_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

int srv_line_feed(struct srv_line *l, const char *p, size_t n, srv_line_cb cb, void *arg)
{
	for (size_t i = 0; i < n; i++) {
		int rc;

		l->buf[l->len++] = p[i];
		if (p[i] != '\n' && l->len < SRV_LINE_MAX)
			continue;
		rc = cb(arg, l->buf, l->len);
		l->len = 0;
		if (rc != 0)
			return rc;
	}
	return 0;
}

ssize_t srv_send(int fd, const char *p, size_t len)
{
	int64_t t0 = probe_enter(TRACE_CALL_WRITE, fd, false);
	ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
	int err = errno;

	probe_exit(TRACE_CALL_WRITE, fd, n, err, t0, 0);
	return n < 0 ? -err : n;
}

ssize_t srv_recv_blocking(const struct probe *p, int fd, void *buf, size_t len)
{
	int64_t t0, t1, ready, age = -1;
	ssize_t n;

	probe_phase(TRACE_PH_WAIT, false, true, fd, probe_now(p));
	t0 = probe_enter(TRACE_CALL_RECVMSG, fd, true);
	n = srv_recv_stamped(fd, buf, len, p != NULL && p->ring != NULL ? &age : NULL);
	t1 = probe_now(p);
	ready = srv_phase1_end(t0, t1, age);
	probe_phase(TRACE_PH_WAIT, true, true, fd, n > 0 ? ready : t1);
	if (n > 0) {
		probe_phase(TRACE_PH_COPY, false, true, fd, ready);
		probe_phase(TRACE_PH_COPY, true, true, fd, t1);
	}
	probe_exit(TRACE_CALL_RECVMSG, fd, n, n < 0 ? (int)-n : 0, t0, 0);
	return n;
}

int srv_send_all(int fd, const char *p, size_t len, _Atomic int *stop)
{
	while (len > 0) {
		int64_t t0 = probe_enter(TRACE_CALL_WRITE, fd, true);
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		int err = errno;

		probe_exit(TRACE_CALL_WRITE, fd, n, err, t0, 0);
		if (n < 0 && err != EINTR)
			return -err;
		if (n < 0 && stop != NULL && atomic_load(stop))
			return -ECANCELED;
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		}
	}
	return 0;
}

int srv_stamp_arrivals(int fd)
{
	int on = 1;

	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0)
		return -errno;
	return 0;
}

/* The SCM_TIMESTAMPNS of m, or -1 when it holds none. */
static int64_t stamp_of(struct msghdr *m)
{
	struct timespec ts;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS ||
		    c->cmsg_len < CMSG_LEN(sizeof ts))
			continue;
		memcpy(&ts, CMSG_DATA(c), sizeof ts);
		if (ts.tv_sec <= 0 && ts.tv_nsec <= 0)
			return -1;
		return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	}
	return -1;
}

ssize_t srv_recv_stamped(int fd, void *buf, size_t len, int64_t *age_ns)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct timespec now;
	int64_t stamp;
	ssize_t n;

	if (age_ns != NULL) {
		*age_ns = -1;
		m.msg_control = ctl.buf;
		m.msg_controllen = sizeof ctl.buf;
	}
	n = recvmsg(fd, &m, 0);
	if (n < 0)
		return -errno;
	if (age_ns == NULL || n == 0 || (stamp = stamp_of(&m)) < 0 ||
	    clock_gettime(CLOCK_REALTIME, &now) != 0)
		return n;
	*age_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec - stamp;
	if (*age_ns < 0)                  /* the wall clock stepped back */
		*age_ns = 0;
	return n;
}

void srv_attach(struct probe *p)
{
	probe_attach(p != NULL && p->ring != NULL ? p : NULL);
}
