/* libuv.c: the same reader, written the way an event-loop library has you
 * write it: a uv_pipe_t per fd, uv_read_start, and callbacks.
 *
 * Underneath it is multiplexing: libuv picks the platform's best wait
 * (epoll on Linux), registers every handle once, and its thread sleeps in
 * that one wait for all of them; when it returns, libuv read(2)s each ready
 * stream and calls back.  The callbacks bracket the wait for the trace:
 *
 *   uv_run: timers, pending, idle, prepare, poll (epoll_wait, then the I/O
 *           callbacks inside it), check, closing handles
 *
 * prepare runs right before the poll: the wait's enter.  The first I/O
 * callback of an iteration runs right after epoll_wait returned: its exit.
 * alloc_cb runs right before libuv's read(2) of a stream, read_cb right
 * after.  check closes a wait that called back nothing of ours.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <uv.h>

#include "models/epfd.h"
#include "models/model.h"

#define UV_MAXEVENTS 1024       /* the events array libuv hands epoll_wait */
#define LIBUV_OWN_FDS 8         /* room for libuv's own descriptors (its
                                   signal pipe, async eventfd) and ours */

struct rod {
	uv_pipe_t h;                 /* h.data = the rod */
	struct loop *lv;
	struct feed *f;          /* the world's fd: the trace's name for it */
	int dupfd;                   /* libuv's own descriptor of that socket */
	bool open;
	bool waiting;                /* inside phase 1 */
	bool in_read;                /* alloc_cb ran: libuv is in read(2) */
	int64_t t_read;
};

struct loop {
	struct model_ctx *c;
	uv_loop_t loop;
	uv_prepare_t prepare;
	uv_check_t check;
	uv_poll_t wake;              /* the signalfd of the stop signal */
	int sfd;
	sigset_t stopset;
	struct rod *r;
	int *fds;                    /* scratch for set events */
	struct epfd_entry *watched;  /* scratch: the kernel's interest list */
	struct pollfd *pfd;          /* scratch: the same, to ask which are ready */
	int max;                     /* room in each: nfds + LIBUV_OWN_FDS */
	int open;                    /* rods not closed yet */
	int stopped_open;            /* rods still open when stopped */
	bool stopped, finishing, announced;
	bool in_poll;                /* between the wait's enter and exit */
	int64_t t_poll0, t_poll1;
	int err;                     /* first read error (-errno) */
	char buf[MODEL_BUF];
};

/* Which backend this libuv was built with, from the kernel's name for its descriptor. */
static void note_backend(struct loop *lv)
{
	char path[64], link[64] = "";
	ssize_t n;

	snprintf(path, sizeof path, "/proc/self/fd/%d", uv_backend_fd(&lv->loop));
	n = readlink(path, link, sizeof link - 1);
	link[n > 0 ? n : 0] = '\0';
	if (strcmp(link, "anon_inode:[eventpoll]") == 0)
		probe_note("libuv waits in epoll here: on Linux its backend is epoll, fixed when "
			   "libuv was built (kqueue on macOS and BSD, IOCP on Windows): one epoll_wait "
			   "for every handle, then a callback for each ready one",
			   "libuv 在这里用 epoll 等待：在 Linux 上它的后端就是 epoll，编译 libuv 时"
			   "就定下了（macOS 和 BSD 上是 kqueue，Windows 上是 IOCP）：一次 epoll_wait "
			   "照看所有句柄，再为每个就绪的句柄调用回调");
	else
		probe_note("libuv's backend here is not epoll (this ioscope expected Linux's epoll)",
			   "libuv 在这里的后端不是 epoll（本 ioscope 假定是 Linux 的 epoll）");
}

static void emit_set(struct loop *lv, int what, const int *fds, int n)
{
	struct trace_ev ev = { .kind = TRACE_SET, .what = (uint8_t)what, .n = n,
			       .fd = -1, .t_ns = probe_now(&lv->c->probe) };

	trace_ev_set_fds(&ev, fds, n);
	probe_emit(&ev, false);
}

/* The reader's sockets in the kernel's interest list.  libuv's own
 * descriptors (its signal pipe, the stop signalfd) are in it too. */
static void emit_interest(struct loop *lv)
{
	int n = 0;

	for (int i = 0; i < lv->c->nfds; i++)
		if (lv->r[i].open)
			lv->fds[n++] = lv->r[i].f->fd;
	emit_set(lv, TRACE_SET_INTEREST, lv->fds, n);
}

static int world_fd(struct loop *lv, int fd)
{
	for (int i = 0; i < lv->c->nfds; i++)
		if (lv->r[i].dupfd == fd)
			return lv->r[i].f->fd;
	return fd;
}

/* The kernel lists an interest list in its own order (its tree's); the
 * ready list's order is not to be had, so the trace gets ascending fds. */
static void insert_sorted(int *fds, int *n, int fd)
{
	int i = *n;

	for (; i > 0 && fds[i - 1] > fd; i--)
		fds[i] = fds[i - 1];
	fds[i] = fd;
	(*n)++;
}

/* What epoll_wait returned, asked of the kernel, not of libuv's private
 * state: the loop's interest list from /proc (epfd.h), and of those, the
 * descriptors ready now, by poll(2) without waiting.  It runs in the first
 * callback after the wait, before libuv has read anything of ours, so with
 * level triggering that is the set the wait returned (a descriptor that
 * became ready in the microseconds since counts with them).  Returns the
 * count, or -1 if the kernel would not say. */
static int polled(struct loop *lv, int *fds, int *nfds)
{
	const uint32_t asked = EPOLLIN | EPOLLPRI | EPOLLOUT | EPOLLRDHUP;
	int n, k = 0;

	*nfds = 0;
	if ((n = epfd_read(uv_backend_fd(&lv->loop), lv->watched, lv->max)) <= 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (lv->watched[i].events & asked)      /* a disarmed one waits for nothing */
			lv->pfd[k++] = (struct pollfd){ .fd = lv->watched[i].fd,
							.events = (short)(lv->watched[i].events & asked) };
	if (poll(lv->pfd, (nfds_t)k, 0) < 1)
		return -1;
	for (int i = 0; i < k; i++)
		if (lv->pfd[i].revents != 0)
			insert_sorted(fds, nfds, world_fd(lv, lv->pfd[i].fd));
	return *nfds;
}

/* The wait's exit, once per iteration, from the first callback after it:
 * by_fd is the descriptor that callback is about (the world's number).
 * From check (by_fd -1, known false) none of ours ran, so none of our
 * descriptors came back, and libuv's own never fire for this loop. */
static void poll_exit(struct loop *lv, int by_fd, bool known)
{
	struct trace_ev ev = { .kind = TRACE_EXIT, .call = TRACE_CALL_EPOLL_WAIT,
			       .fd = uv_backend_fd(&lv->loop) };
	int nfds = 0, n = 0;

	if (!lv->in_poll)
		return;
	lv->in_poll = false;
	ev.t_ns = lv->t_poll1 = probe_now(&lv->c->probe);
	if (known && (n = polled(lv, lv->fds, &nfds)) < 0) {
		lv->fds[0] = by_fd;      /* this libuv hides it: at least this one */
		n = nfds = 1;
	}
	ev.ret = ev.n = n;
	ev.dur_ns = ev.t_ns - lv->t_poll0;
	trace_ev_set_fds(&ev, lv->fds, nfds);
	probe_emit(&ev, false);
	/* libuv walks exactly the events it was given. */
	if (n > 0)
		emit_set(lv, TRACE_SET_SCAN, lv->fds, nfds);
}

static void close_rod(struct loop *lv, struct rod *p);

/* Close everything but check (which closes itself after the next poll, so
 * that poll's exit is traced): the loop then ends this iteration. */
static void finish(struct loop *lv)
{
	if (lv->finishing)
		return;
	lv->finishing = true;
	for (int i = 0; i < lv->c->nfds; i++)
		close_rod(lv, &lv->r[i]);
	uv_close((uv_handle_t *)&lv->prepare, NULL);
	uv_close((uv_handle_t *)&lv->wake, NULL);
}

static void close_rod(struct loop *lv, struct rod *p)
{
	if (!p->open)
		return;
	if (p->waiting)
		probe_phase(TRACE_PH_WAIT, true, true, p->f->fd, probe_now(&lv->c->probe));
	p->waiting = false;
	p->open = false;
	atomic_store(&p->f->in_epoll, 0);
	/* Closes libuv's dup, not the world's fd. */
	uv_close((uv_handle_t *)&p->h, NULL);
	if (--lv->open == 0)
		finish(lv);
}

static void stop(struct loop *lv)
{
	if (lv->stopped)
		return;
	lv->stopped = true;
	lv->stopped_open = lv->open;
	finish(lv);
}

static void prepare_cb(uv_prepare_t *h)
{
	struct loop *lv = h->data;
	struct trace_ev ev = { .kind = TRACE_ENTER, .call = TRACE_CALL_EPOLL_WAIT,
			       .fd = uv_backend_fd(&lv->loop), .n = UV_MAXEVENTS };

	if (model_should_stop(lv->c))
		stop(lv);
	if (!lv->announced && !lv->stopped) {
		/* libuv registers the pipes inside this poll, before it
		 * waits: from now on a write puts them on the ready list. */
		for (int i = 0; i < lv->c->nfds; i++)
			atomic_store(&lv->r[i].f->in_epoll, 1);
		emit_interest(lv);
		lv->announced = true;
	}
	for (int i = 0; i < lv->c->nfds; i++) {
		struct rod *p = &lv->r[i];

		if (p->open && !p->waiting) {
			probe_phase(TRACE_PH_WAIT, false, true, p->f->fd,
				    probe_now(&lv->c->probe));
			p->waiting = true;
		}
	}
	/* Stopping, libuv polls once more without waiting (handles are
	 * closing); otherwise it sleeps until something is ready. */
	ev.t_ns = lv->t_poll0 = probe_now(&lv->c->probe);
	probe_emit(&ev, !lv->finishing);
	lv->in_poll = true;
}

static void check_cb(uv_check_t *h)
{
	struct loop *lv = h->data;

	poll_exit(lv, -1, false);
	if (lv->finishing)
		uv_close((uv_handle_t *)&lv->check, NULL);
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct rod *p = h->data;
	struct loop *lv = p->lv;

	(void)suggested;
	poll_exit(lv, p->f->fd, true);
	if (p->waiting)          /* phase 1 ended when the wait returned */
		probe_phase(TRACE_PH_WAIT, true, true, p->f->fd, lv->t_poll1);
	p->waiting = false;
	*buf = uv_buf_init(lv->buf, (unsigned)model_chunk(lv->c));
	p->in_read = true;
	p->t_read = probe_enter(TRACE_CALL_READ, p->f->fd, false);
}

/* nread: bytes; 0 is EAGAIN (libuv's convention); UV_EOF; or -errno. */
static void read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct rod *p = s->data;
	struct loop *lv = p->lv;
	int fd = p->f->fd;

	(void)buf;
	poll_exit(lv, p->f->fd, true);
	/* With EPOLLHUP after a short read, libuv reports end of file
	 * without another read(2): then there is no call to close. */
	if (p->in_read) {
		int64_t t = probe_now(&lv->c->probe);
		int64_t ret = nread > 0 ? nread : nread == UV_EOF ? 0 : -1;
		int err = nread == 0 ? EAGAIN : nread < 0 && nread != UV_EOF ? (int)-nread : 0;

		p->in_read = false;
		if (nread > 0) {  /* the copy, inside read(2): the loop thread's */
			probe_phase(TRACE_PH_COPY, false, true, fd, p->t_read);
			probe_phase(TRACE_PH_COPY, true, true, fd, t);
			atomic_store(&p->f->ready_ns, 0);
		}
		probe_exit(TRACE_CALL_READ, fd, ret, err, p->t_read, 0);
	}
	if (nread < 0 && nread != UV_EOF && lv->err == 0)
		lv->err = (int)nread;    /* libuv's codes are -errno on Unix */
	if (nread < 0)
		close_rod(lv, p);
}

/* The stop signal: model_stop's MODEL_WAKE_SIGNAL is blocked in this
 * thread and read from a signalfd in the loop instead.  A handler would
 * not do: epoll_wait's EINTR never reaches a callback, libuv just waits
 * again. */
static void wake_cb(uv_poll_t *h, int status, int events)
{
	struct loop *lv = h->data;
	struct signalfd_siginfo si;

	(void)status;
	(void)events;
	poll_exit(lv, lv->sfd, true);
	while (read(lv->sfd, &si, sizeof si) == (ssize_t)sizeof si)
		;
	if (model_should_stop(lv->c) && !lv->stopped) {
		probe_note("woken by ioscope's stop signal, which this loop reads from a signalfd "
			   "it also watches: that is the descriptor epoll_wait returned",
			   "被 ioscope 的停止信号唤醒：这个循环也在监视一个 signalfd 来接收它，"
			   "epoll_wait 返回的正是这个描述符");
		stop(lv);
	}
}

static int open_rod(struct loop *lv, struct rod *p, struct feed *f)
{
	int rc;

	p->lv = lv;
	p->f = f;
	/* libuv owns what uv_pipe_open is given and closes it in uv_close;
	 * the world owns and closes its fd.  So libuv gets a dup: each
	 * closes its own descriptor of the same socket.  (O_NONBLOCK, which
	 * libuv sets, is shared: it belongs to the socket, not the fd.) */
	if ((p->dupfd = fcntl(f->fd, F_DUPFD_CLOEXEC, 0)) < 0)
		return -errno;
	if ((rc = uv_pipe_init(&lv->loop, &p->h, 0)) != 0) {
		close(p->dupfd);
		return rc;
	}
	p->h.data = p;
	p->open = true;
	lv->open++;
	/* lesson: libuv-open */
	if ((rc = uv_pipe_open(&p->h, p->dupfd)) != 0) {
		close(p->dupfd);
		return rc;
	}
	return uv_read_start((uv_stream_t *)&p->h, alloc_cb, read_cb);
	/* lesson end */
}

static int setup(struct loop *lv)
{
	struct model_ctx *c = lv->c;
	int rc;

	lv->r = calloc((size_t)c->nfds, sizeof *lv->r);
	lv->max = c->nfds + LIBUV_OWN_FDS;
	lv->fds = calloc((size_t)lv->max, sizeof *lv->fds);
	lv->watched = calloc((size_t)lv->max, sizeof *lv->watched);
	lv->pfd = calloc((size_t)lv->max, sizeof *lv->pfd);
	if (lv->r == NULL || lv->fds == NULL || lv->watched == NULL || lv->pfd == NULL)
		return -ENOMEM;
	probe_note("libuv closes the descriptors it is given, so it reads a dup() of each socket; "
		   "the trace names each socket by the world's fd number",
		   "libuv 会关闭交给它的描述符，所以它读的是每个套接字的 dup()；"
		   "跟踪里仍用 world 的 fd 编号称呼每个套接字");
	note_backend(lv);
	for (int i = 0; i < c->nfds; i++)
		if ((rc = open_rod(lv, &lv->r[i], &c->fds[i])) != 0)
			return rc;
	uv_prepare_init(&lv->loop, &lv->prepare);
	uv_check_init(&lv->loop, &lv->check);
	if ((rc = uv_poll_init(&lv->loop, &lv->wake, lv->sfd)) != 0)
		return rc;
	lv->prepare.data = lv->check.data = lv->wake.data = lv;
	uv_prepare_start(&lv->prepare, prepare_cb);
	uv_check_start(&lv->check, check_cb);
	uv_poll_start(&lv->wake, UV_READABLE, wake_cb);
	/* Only the pipes keep the loop alive: it ends when they are closed. */
	uv_unref((uv_handle_t *)&lv->prepare);
	uv_unref((uv_handle_t *)&lv->check);
	uv_unref((uv_handle_t *)&lv->wake);
	return 0;
}

static void walk_close_cb(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

/* After the run, a failed setup or an early return, close what is left
 * in the loop and the loop itself. */
static int teardown(struct loop *lv)
{
	int rc;

	uv_walk(&lv->loop, walk_close_cb, NULL);
	uv_run(&lv->loop, UV_RUN_DEFAULT);
	rc = uv_loop_close(&lv->loop);
	free(lv->r);
	free(lv->fds);
	free(lv->watched);
	free(lv->pfd);
	return rc;
}

/* The loop, from setup to its end.  Returns 0, -ECANCELED when stopped
 * with rods still open, or the first -errno. */
static int loop_run(struct loop *lv)
{
	int rc;

	if ((rc = setup(lv)) == 0 && !model_should_stop(lv->c))
		uv_run(&lv->loop, UV_RUN_DEFAULT);
	else if (rc == 0)
		lv->stopped_open = lv->open;    /* stopped before it began */
	if (rc == 0)
		rc = lv->stopped_open > 0 ? -ECANCELED : lv->err;
	return rc;
}

static int libuv_run(struct model_ctx *c)
{
	struct loop *lv = calloc(1, sizeof *lv);
	int rc, rc_close;

	if (lv == NULL)
		return -ENOMEM;
	lv->c = c;
	sigemptyset(&lv->stopset);
	sigaddset(&lv->stopset, MODEL_WAKE_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &lv->stopset, NULL);
	if ((lv->sfd = signalfd(-1, &lv->stopset, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
		rc = -errno;
		goto fail_mask;
	}
	if ((rc = uv_loop_init(&lv->loop)) != 0)
		goto fail_sfd;
	rc = loop_run(lv);
	rc_close = teardown(lv);
	/* Every handle was closed: a loop that will not close is a bug. */
	if (rc == 0)
		rc = rc_close;
fail_sfd:
	close(lv->sfd);
fail_mask:
	pthread_sigmask(SIG_UNBLOCK, &lv->stopset, NULL);
	free(lv);
	return rc;
}

const struct model_ops model_libuv = {
	.name = "libuv",
	.summary = "libuv event loop: uv_read_start callbacks over epoll; the loop thread sleeps in epoll_wait",
	.caps = TRACE_CAP_PHASES | TRACE_CAP_INTEREST | TRACE_CAP_LOOP,
	.roles = MODEL_ROLE_READER,
	.available = model_available_always,
	.run = libuv_run,
};
