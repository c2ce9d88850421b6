/* follow_obs.c: what a finished call changed, and what it says of the
 * thread's model (classify.h's observations).
 *
 * The fd cache follows the calls that change fds (close, dup2, socket,
 * accept, epoll_create, io_uring_setup), their flags (fcntl F_SETFL,
 * ioctl FIONBIO: O_NONBLOCK and O_ASYNC; F_SETSIG) and epoll's interest
 * lists (epoll_ctl).  Every call about a socket, pipe or tty, and every
 * fcntl, ioctl, signal, io_uring_setup, futex wait and clone, becomes one
 * observation fed to classify.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "attach/follow_int.h"
/* After sys.h: <signal.h> makes si_fd a macro (siginfo's field), which
 * sys.h names a parameter. */
#include <signal.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* ---- timeouts ---- */

/* A struct timeval or timespec in the tracee, in ms (rounded up: a wait
 * of 500 µs is not a poll); -1 when NULL or unreadable. */
static int64_t read_timeout(pid_t pid, uint64_t addr, bool timeval)
{
	long v[2];
	struct iovec local = { v, sizeof v };
	struct iovec remote = { (void *)(uintptr_t)addr, sizeof v };
	int64_t ms, sub;

	if (addr == 0 || process_vm_readv(pid, &local, 1, &remote, 1, 0) != (ssize_t)sizeof v ||
	    v[0] < 0 || v[1] < 0)
		return -1;
	if (v[0] > INT32_MAX)
		return (int64_t)INT32_MAX * 1000;
	sub = timeval ? v[1] / 1000 : v[1] / 1000000;
	ms = (int64_t)v[0] * 1000 + sub;
	return ms == 0 && v[1] > 0 ? 1 : ms;
}

static int64_t int_timeout(uint64_t arg)
{
	int ms = (int)arg;

	return ms < 0 ? -1 : ms;
}

int64_t follow__timeout_ms(const struct attach_sys *s)
{
	switch (s->nr) {
	case SYS_poll:
		return int_timeout(s->args[2]);
	case SYS_epoll_wait: case SYS_epoll_pwait:
		return int_timeout(s->args[3]);
	case SYS_select:
		return read_timeout(s->pid, s->args[4], true);
	case SYS_pselect6:
		return read_timeout(s->pid, s->args[4], false);
	case SYS_ppoll:
		return read_timeout(s->pid, s->args[2], false);
	case SYS_epoll_pwait2:
		return read_timeout(s->pid, s->args[3], false);
	default:
		return -1;
	}
}

/* ---- observations ---- */

static struct attach_obs obs_of(const struct follow_thr *th, const struct attach_sys *s,
				int kind, int fd)
{
	struct attach_obs o = {
		.kind = kind, .sys = attach_sys_name(s->nr), .fd = fd,
		.ret = s->ret < 0 ? -1 : s->ret, .err = s->ret < 0 ? (int)-s->ret : 0,
		.timeout_ms = -1,
	};

	if (th->in_call && th->call.nr == s->nr)
		o.dur_ns = s->t_ns - th->call.t_ns;
	o.fd_io = fd >= 0 && follow_kind_shown(follow__fd_kind(th->proc, fd), th->proc->root);
	return o;
}

static void feed_flag(struct follow *f, struct follow_thr *th, const struct attach_sys *s,
		      int kind, int fd, bool on, int op)
{
	struct attach_obs o = obs_of(th, s, kind, fd);

	o.nonblock = on;
	o.op = op;
	follow__feed(f, th, &o, s->t_ns);
}

static void state_fcntl(struct follow *f, struct follow_thr *th, const struct attach_sys *s)
{
	int fd = (int)s->args[0];
	struct follow_fd *e = follow__fd(th->proc, fd);
	bool nb, was_nb, was_async;

	switch ((int)s->args[1]) {
	case F_SETFL:
		nb = (s->args[2] & O_NONBLOCK) != 0;
		was_nb = e != NULL && e->nonblock;
		was_async = e != NULL && e->async;
		if (e != NULL) {
			e->nonblock = nb;
			e->async = (s->args[2] & O_ASYNC) != 0;
		}
		if (nb || was_nb)
			feed_flag(f, th, s, OBS_NONBLOCK, fd, nb, 0);
		if ((s->args[2] & O_ASYNC) && !was_async)
			feed_flag(f, th, s, OBS_ASYNC, fd, false, 1);
		break;
	case F_SETOWN: case F_SETOWN_EX:
		feed_flag(f, th, s, OBS_ASYNC, fd, false, 2);
		break;
	case F_SETSIG:
		if (e != NULL)
			e->sig = (int)s->args[2];
		feed_flag(f, th, s, OBS_ASYNC, fd, false, 3);
		break;
	case F_DUPFD: case F_DUPFD_CLOEXEC:
		follow__fd_forget(th->proc, (int)s->ret);
		break;
	}
}

/* The entry of the call s exits from: its arguments in memory (epoll_ctl's
 * event, FIONBIO's int) were read there. */
static const struct attach_sys *entry_of(const struct follow_thr *th, const struct attach_sys *s)
{
	return th->in_call && th->call.nr == s->nr ? &th->call : NULL;
}

static void state_ioctl(struct follow *f, struct follow_thr *th, const struct attach_sys *s)
{
	const struct attach_sys *in = entry_of(th, s);
	int fd = (int)s->args[0];
	struct follow_fd *e;

	if ((unsigned long)s->args[1] != FIONBIO || in == NULL || in->nmem < 1)
		return;
	if ((e = follow__fd(th->proc, fd)) != NULL)
		e->nonblock = in->ev[0] != 0;
	feed_flag(f, th, s, OBS_NONBLOCK, fd, in->ev[0] != 0, 0);
}

static void state_ctl(struct follow *f, struct follow_thr *th, const struct attach_sys *s)
{
	const struct attach_sys *in = entry_of(th, s);
	struct follow_ep *ep = follow__ep(th->proc, (int)s->args[0]);
	int op = (int)s->args[1], fd = (int)s->args[2];
	struct follow_fd *e = follow__fd(th->proc, fd);

	if (ep == NULL)
		return;
	if (op == EPOLL_CTL_DEL) {
		(void)follow__ep_ctl(ep, op, fd, 0, 0);
		follow__phase_end(f, th->proc, fd, s->t_ns);
		if (e != NULL)
			e->mux = false;
	} else if (in != NULL && in->nmem > 0) {
		(void)follow__ep_ctl(ep, op, fd, in->ev[0], in->data[0]);
		if (e != NULL)
			e->mux = true;
	}
}

static void state_made(struct follow *f, struct follow_thr *th, const struct attach_sys *s,
		       int kind, bool nonblock)
{
	follow__fd_made(th->proc, (int)s->ret, kind, nonblock);
	if (s->nr == SYS_socket && nonblock)
		feed_flag(f, th, s, OBS_NONBLOCK, (int)s->ret, true, 0);
	if (kind == FK_URING)
		follow__feed(f, th, &(struct attach_obs){ .kind = OBS_URING_SETUP, .sys = "io_uring_setup",
							 .fd = -1, .ret = s->ret, .timeout_ms = -1,
							 .fd_io = true }, s->t_ns);
}

static void state_close_range(struct follow *f, struct follow_proc *p, const struct attach_sys *s)
{
	uint64_t last = s->args[1];

	if (s->args[2] & CLOSE_RANGE_CLOEXEC)
		return;
	for (int i = 0; i < p->neps; i++)       /* epoll instances above the cache */
		if ((uint64_t)p->eps[i].epfd >= s->args[0] && (uint64_t)p->eps[i].epfd <= last &&
		    p->eps[i].epfd >= p->cap)
			follow__fd_forget(p, p->eps[i--].epfd);
	if (last >= (uint64_t)p->cap)
		last = p->cap > 0 ? (uint64_t)p->cap - 1 : 0;
	for (uint64_t fd = s->args[0]; fd <= last && fd < (uint64_t)p->cap; fd++) {
		follow__phase_end(f, p, (int)fd, s->t_ns);
		follow__fd_forget(p, (int)fd);
	}
}

void follow__state(struct follow *f, struct follow_thr *th, const struct attach_sys *s)
{
	struct follow_proc *p = th->proc;
	int64_t r = s->ret;

	switch (s->nr) {
	case SYS_close:
		follow__phase_end(f, p, (int)s->args[0], s->t_ns);
		follow__fd_forget(p, (int)s->args[0]);
		return;
	case SYS_close_range:
		if (r == 0)
			state_close_range(f, p, s);
		return;
	case SYS_dup: case SYS_dup2: case SYS_dup3:
		if (r >= 0) {
			follow__phase_end(f, p, (int)r, s->t_ns);
			follow__fd_forget(p, (int)r);
		}
		return;
	}
	if (r < 0)
		return;
	switch (s->nr) {
	case SYS_socket:
		state_made(f, th, s, FK_SOCKET, (s->args[1] & SOCK_NONBLOCK) != 0);
		break;
	case SYS_accept: case SYS_accept4:
		state_made(f, th, s, FK_SOCKET,
			   s->nr == SYS_accept4 && (s->args[3] & SOCK_NONBLOCK) != 0);
		break;
	case SYS_epoll_create: case SYS_epoll_create1:
		state_made(f, th, s, FK_EPOLL, false);
		break;
	case SYS_io_uring_setup:
		state_made(f, th, s, FK_URING, false);
		break;
	case SYS_epoll_ctl:
		state_ctl(f, th, s);
		break;
	case SYS_fcntl:
		state_fcntl(f, th, s);
		break;
	case SYS_ioctl:
		state_ioctl(f, th, s);
		break;
	}
}

static bool slept(const struct attach_obs *o)
{
	return o->dur_ns >= FOLLOW_BLOCKED_NS;
}

/* A wait's returned fds into o (epoll's data mapped to fds). */
static void obs_returned(struct follow_thr *th, const struct attach_sys *s, struct attach_obs *o)
{
	struct follow_ep *ep = th->family == TRACE_CALL_EPOLL_WAIT ?
			       follow__ep(th->proc, (int)th->call.args[0]) : NULL;

	for (int i = 0; s->ret > 0 && i < s->nmem && o->nfds < ATTACH_OBS_FDS; i++) {
		int fd = s->fds[i];

		if (th->family == TRACE_CALL_EPOLL_WAIT)
			fd = ep != NULL ? follow__ep_fd(ep, s->data[i]) : -1;
		if (fd >= 0)
			o->fds[o->nfds++] = fd;
	}
}

static bool fd_nonblock(struct follow_thr *th, int fd)
{
	struct follow_fd *e = follow__fd(th->proc, fd);

	return e != NULL && e->nonblock;
}

void follow__observe(struct follow *f, struct follow_thr *th, const struct attach_sys *s)
{
	const struct attach_sys *in = &th->call;
	int fd = (int)in->args[0];
	struct attach_obs o = obs_of(th, s, OBS_NONE, fd);

	o.timeout_ms = th->timeout_ms;
	switch (th->family) {
	case TRACE_CALL_READ: case TRACE_CALL_RECVFROM: case TRACE_CALL_RECVMSG:
		o.kind = OBS_READ;
		o.blocked = !th->nonblock_call && s->ret != -EAGAIN && slept(&o);
		break;
	case TRACE_CALL_WRITE:
		o.kind = OBS_WRITE;
		o.blocked = !fd_nonblock(th, fd) && slept(&o);
		break;
	case TRACE_CALL_ACCEPT:
		o.kind = OBS_ACCEPT;
		o.nonblock = in->nr == SYS_accept4 && (in->args[3] & SOCK_NONBLOCK) != 0;
		o.fd_io = follow_kind_shown(follow__fd_kind(th->proc, fd), th->proc->root);
		o.blocked = !fd_nonblock(th, fd) && slept(&o);
		break;
	case TRACE_CALL_SELECT: case TRACE_CALL_POLL: case TRACE_CALL_EPOLL_WAIT:
		o.kind = th->family == TRACE_CALL_SELECT ? OBS_SELECT :
			 th->family == TRACE_CALL_POLL ? OBS_POLL : OBS_EPOLL_WAIT;
		o.fd = th->family == TRACE_CALL_EPOLL_WAIT ? fd : -1;
		o.fd_io = th->io;
		o.n = th->family == TRACE_CALL_EPOLL_WAIT ? 0 :
		      in->nmem > 0 ? in->nmem + in->mem_more : 0;
		o.blocked = th->timeout_ms != 0 && slept(&o);
		obs_returned(th, s, &o);
		break;
	case TRACE_CALL_EPOLL_CTL:
		o.kind = OBS_EPOLL_CTL;
		o.op = (int)in->args[1];
		o.fd = (int)in->args[2];
		o.fd_io = th->io;
		o.events = in->nmem > 0 ? in->ev[0] : 0;
		break;
	case TRACE_CALL_IO_URING_ENTER:
		o.kind = OBS_URING_ENTER;
		o.n = (int)in->args[1];
		o.fd_io = true;
		o.blocked = in->args[2] > 0 && slept(&o);
		break;
	case TRACE_CALL_FUTEX:
		o = obs_of(th, s, OBS_FUTEX_WAIT, -1);
		o.blocked = slept(&o);
		break;
	case TRACE_CALL_CLONE:
		o = obs_of(th, s, OBS_CLONE, -1);
		break;
	}
	if (o.kind == OBS_NONE || ((o.kind == OBS_READ || o.kind == OBS_WRITE ||
				    o.kind == OBS_ACCEPT) && !th->io))
		return;
	if ((o.kind == OBS_SELECT || o.kind == OBS_POLL || o.kind == OBS_EPOLL_WAIT) && !th->io)
		return;
	follow__feed(f, th, &o, s->t_ns);
}

/* ---- signals ---- */

/* SIGIO, or the signal F_SETSIG chose for an O_ASYNC fd of the process. */
static bool io_signal(const struct follow_proc *p, int sig)
{
	if (sig == SIGIO)
		return true;
	for (int fd = 0; fd < p->cap; fd++)
		if (p->fds[fd].async && p->fds[fd].sig == sig)
			return true;
	return false;
}

void follow__signal(struct follow *f, struct follow_thr *th, int sig, int sig_fd, int64_t t_ns)
{
	struct attach_obs o = { .kind = OBS_SIGNAL, .fd = sig_fd, .ret = -1, .sig = sig,
				.timeout_ms = -1 };
	struct trace_ev ev = { .kind = TRACE_SIGNAL, .n = sig, .fd = sig_fd, .tid = th->tid,
			       .t_ns = t_ns };

	if (!io_signal(th->proc, sig))
		return;
	o.fd_io = sig_fd >= 0 && follow_kind_shown(follow__fd_kind(th->proc, sig_fd), th->proc->root);
	if (follow__actor(f, th, t_ns) == 0)
		follow__emit(f, th, &ev);
	follow__feed(f, th, &o, t_ns);
}
