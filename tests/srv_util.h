/* srv_util.h: a loopback TCP server socket and echo clients for the
 * server models' tests (test_thread_pool.c, test_coroutines.c).  Header
 * only: each test binary takes what it uses. */
#ifndef IOSCOPE_TEST_SRV_UTIL_H
#define IOSCOPE_TEST_SRV_UTIL_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "models/model.h"
#include "models/sampler_proc.h"
#include "trace/trace.h"

/* A listening socket on 127.0.0.1, port chosen by the kernel. */
static inline int su_listen(struct sockaddr_in *a, int backlog)
{
	socklen_t len = sizeof *a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(a, 0, sizeof *a);
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)a, sizeof *a) != 0 ||
	    listen(fd, backlog) != 0 || getsockname(fd, (struct sockaddr *)a, &len) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* A blocking client whose reads give up after 5 s. */
static inline int su_connect(const struct sockaddr_in *a)
{
	struct timeval limit = { 5, 0 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit) != 0 ||
	    connect(fd, (const struct sockaddr *)a, sizeof *a) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Read exactly len bytes (or fewer at EOF, an error, the time limit). */
static inline size_t su_read(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

/* A model's run on a thread of the test's own, untraced (no probe at
 * all, as the bench runs it), stopped with model_stop. */
static inline void *su_bare_main(void *arg)
{
	struct model_ctx *c = arg;

	atomic_store(&c->tid, gettid());
	c->status = c->ops->run(c);
	atomic_store(&c->done, 1);
	return NULL;
}

static inline int su_start_bare(struct model_ctx *c, const struct model_ops *ops)
{
	c->ops = ops;
	atomic_store(&c->stop, 0);
	if (pthread_create(&c->thread, NULL, su_bare_main, c) != 0)
		return -1;
	c->started = 1;
	return 0;
}

/* The last enter or exit of call by actor is an enter: it is inside. */
static inline bool su_inside(const struct trace *t, int actor, int call)
{
	for (size_t i = trace_count(t); i-- > 0;) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->actor == actor && ev->call == call &&
		    (ev->kind == TRACE_ENTER || ev->kind == TRACE_EXIT))
			return ev->kind == TRACE_ENTER;
	}
	return false;
}

/* The kernel's word: tid sleeps in syscall nr (/proc/self/task/TID/syscall). */
static inline bool su_asleep_in(pid_t tid, long nr)
{
	struct kstate ks;

	return tid > 0 && sampler_read(tid, &ks) == 0 && ks.state == 'S' && ks.sysno == nr;
}

/* The tid in actor's begin, or 0. */
static inline pid_t su_actor_tid(const struct trace *t, int actor)
{
	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->actor == actor && ev->kind == TRACE_ACTOR && !(ev->flags & TRACE_F_END))
			return ev->tid;
	}
	return 0;
}

/* Whether the trace holds actor's end. */
static inline bool su_actor_ended(const struct trace *t, int actor)
{
	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->actor == actor && ev->kind == TRACE_ACTOR && (ev->flags & TRACE_F_END))
			return true;
	}
	return false;
}

/* Some actor began idle time (a request's work): the count of such. */
static inline int su_idles_begun(const struct trace *t)
{
	int n = 0;

	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *ev = trace_at(t, i);

		n += ev->kind == TRACE_IDLE && !(ev->flags & TRACE_F_END);
	}
	return n;
}

/* Some actor read a connection to its end: a read that returned 0 or
 * failed with more than "nothing yet" (what the world counts). */
static inline bool su_read_to_end(const struct trace *t)
{
	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->kind == TRACE_EXIT && trace_call_is_read(ev->call) &&
		    (ev->ret == 0 || (ev->ret < 0 && ev->err != EAGAIN && ev->err != EINTR)))
			return true;
	}
	return false;
}

/* A client that resets its connection (RST: SO_LINGER 0) and leaves. */
static inline void su_reset(int fd)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
	close(fd);
}

#endif
