/* srv.h: what the thread-pool and coroutine servers share: an epoll
 * instance whose interest list is traced, a traced accept, and the echo
 * protocol's line splitting (model.h, MODEL_SERVE_ECHO).
 *
 * Every call goes through the probes of the calling thread (probe_self),
 * so the same helpers serve a thread and the coroutines it runs.
 */
#ifndef IOSCOPE_SRV_H
#define IOSCOPE_SRV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "models/model.h"

#define SRV_LINE_MAX 1024        /* a longer line is answered in pieces */

/* An epoll instance, the owner of each watched fd (by fd number) and the
 * interest list as the trace shows it (TRACE_SET_INTEREST after each
 * change).  Owned by one thread. */
struct srv_ep {
	int epfd;
	void **owner;                /* [cap] by fd: what srv_ep_add was given */
	int *pos;                    /* [cap] by fd: index in list, -1 none */
	int *list;                   /* the interest list, n fds */
	int n, cap;
};

/* Returns 0 or -errno.  srv_ep_close is safe on a zeroed srv_ep. */
int srv_ep_open(struct srv_ep *e);
void srv_ep_close(struct srv_ep *e);

/* epoll_ctl ADD (events: EPOLL* bits; data.fd = fd) and DEL, traced, then
 * the interest list.  Returns 0 or -errno. */
int srv_ep_add(struct srv_ep *e, int fd, uint32_t events, void *owner);
int srv_ep_del(struct srv_ep *e, int fd);

/* Take fd off the tables only, without a syscall or an event: for a
 * server that stops and closes its sockets, which takes each out of the
 * kernel's interest list anyway (epoll(7): once every descriptor for it
 * is closed). */
void srv_ep_forget(struct srv_ep *e, int fd);

/* What srv_ep_add was given for fd, or NULL. */
void *srv_ep_owner(const struct srv_ep *e, int fd);

/* epoll_wait, traced (the enter wakes the loop: the thread may sleep):
 * at most max events into evs, timeout as epoll_wait's.  Returns the
 * count or -errno (-EINTR when signalled: model_stop's signal). */
struct epoll_event;
int srv_ep_wait(struct srv_ep *e, struct epoll_event *evs, int max, int timeout_ms);

/* One accept4 on a non-blocking listening socket, traced; the new socket
 * is non-blocking and close-on-exec.  Returns it, or -errno (-EAGAIN:
 * nobody waits). */
int srv_accept(int lfd);

/* Make fd non-blocking.  Returns 0 or -errno. */
int srv_nonblock(int fd);

/* The unfinished line of one connection.  srv_line_feed takes n bytes at
 * p and calls cb for every complete line ("\n"-terminated) and every
 * SRV_LINE_MAX bytes of a longer one; a nonzero return of cb stops it and
 * is returned.  What is left waits for the next bytes. */
struct srv_line {
	size_t len;
	char buf[SRV_LINE_MAX];
};
typedef int (*srv_line_cb)(void *arg, const char *line, size_t len);
int srv_line_feed(struct srv_line *l, const char *p, size_t n, srv_line_cb cb, void *arg);

/* One send of len bytes at p (MSG_NOSIGNAL: a client that left is EPIPE,
 * not a signal), traced as TRACE_CALL_WRITE.  Returns bytes or -errno. */
ssize_t srv_send(int fd, const char *p, size_t len);

/* All len bytes at p on a blocking socket (it sleeps while the client
 * does not read), each send traced as a TRACE_CALL_WRITE that may block.
 * Returns 0, -errno (-EPIPE, -ECONNRESET: the client left), or -ECANCELED
 * when a signal interrupted it with *stop set (stop may be NULL). */
int srv_send_all(int fd, const char *p, size_t len, _Atomic int *stop);

/* When did the bytes a read returns reach the socket?  A blocking reader
 * learns of them only when it wakes, so without the kernel's word its
 * phase 1 (waiting for data) would be taken to end at the return.  With
 * SO_TIMESTAMPNS on a TCP socket, recvmsg(2) hands back the time
 * (CLOCK_REALTIME) the kernel received the data it returns
 * (SCM_TIMESTAMPNS, socket(7); net/ipv4/tcp.c tcp_recv_timestamp: the
 * stamp of the last segment the read took from).  recv with ioctl
 * SIOCGSTAMPNS does not work on TCP (ENOENT).
 *
 * srv_stamp_arrivals turns the stamps on for fd: one setsockopt per
 * connection.  Returns 0 or -errno. */
int srv_stamp_arrivals(int fd);

/* One recvmsg of at most len bytes into buf, untraced (the caller traces
 * it: it needs the times around the call).  When age_ns is not NULL it
 * gets how long ago, at the return, the kernel received the returned
 * bytes (realtime now minus the stamp, at least 0), or -1 when there is
 * no stamp (end of file, an error, stamps not turned on); when it is
 * NULL the call takes no control buffer and reads no clock.  Returns
 * bytes, 0 at end of file, or -errno. */
ssize_t srv_recv_stamped(int fd, void *buf, size_t len, int64_t *age_ns);

/* Where phase 1 of a read from t0 (its enter) to t1 (its return) ended,
 * given the age srv_recv_stamped gave: t1 - age, no earlier than t0 (the
 * data was waiting before the call) and no later than t1; t1 when there
 * is no stamp (age -1). */
static inline int64_t srv_phase1_end(int64_t t0, int64_t t1, int64_t age_ns)
{
	if (age_ns < 0 || age_ns > t1 - t0)
		return age_ns < 0 ? t1 : t0;
	return t1 - age_ns;
}

/* A connection's blocking read, traced through p (NULL or without a
 * ring: untraced, no stamp asked for): recvmsg with both phases, phase 1
 * ending when the kernel says the data came (srv_phase1_end), the copy
 * from there to the return.  Returns bytes, 0 at end of file, or -errno. */
ssize_t srv_recv_blocking(const struct probe *p, int fd, void *buf, size_t len);

/* The calling thread's probe becomes p, or none when p is untraced (no
 * ring): an untraced probe must not be attached, since its wake-ups
 * would go to no sink. */
void srv_attach(struct probe *p);

#endif
