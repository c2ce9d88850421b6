/* follow_ev.c: one syscall stop into the trace's events.
 *
 * The same events the models emit (models/mux.c, blocking.c,
 * nonblocking.c, epoll.c, select.c), in the same order, seen from the
 * outside:
 *  - a wait (select, poll, epoll_wait) begins phase 1 (blocked) of each
 *    IO fd it watches for reading that is not waiting already, and ends
 *    it for each fd it returns readable, at its exit: the next read of
 *    that fd that returns bytes is phase 2 (its enter to its exit);
 *  - a read of an fd that is not non-blocking is one wait phase flagged
 *    whole (its copy is inside: ptrace cannot see where the wait ended);
 *  - an EAGAIN on a non-blocking fd no wait watches is an unblocked try:
 *    phase 1 begins (not blocked) at the first, each exit counts them,
 *    and the try that gets bytes ends it and copies.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "attach/follow_int.h"

/* The kernel's "restart me" returns (include/linux/errno.h): the call
 * comes back (the same number) unless a handler makes it EINTR. */
static bool restartable(int64_t ret)
{
	return ret == -512 || ret == -513 || ret == -514 || ret == -516;
}

static bool futex_waits(uint64_t op)
{
	unsigned cmd = (unsigned)op & 127;     /* FUTEX_CMD_MASK */

	return cmd == 0 || cmd == 9 || cmd == 11;   /* WAIT, WAIT_BITSET, WAIT_REQUEUE_PI */
}

static int family_of(const struct attach_sys *s)
{
	switch (s->nr) {
	case SYS_read: case SYS_readv: case SYS_pread64: case SYS_preadv: case SYS_preadv2:
		return TRACE_CALL_READ;
	case SYS_recvfrom:
		return TRACE_CALL_RECVFROM;
	case SYS_recvmsg: case SYS_recvmmsg:
		return TRACE_CALL_RECVMSG;
	case SYS_write: case SYS_writev: case SYS_pwrite64: case SYS_sendto: case SYS_sendmsg:
	case SYS_sendmmsg:
		return TRACE_CALL_WRITE;
	case SYS_select: case SYS_pselect6:
		return TRACE_CALL_SELECT;
	case SYS_poll: case SYS_ppoll:
		return TRACE_CALL_POLL;
	case SYS_epoll_wait: case SYS_epoll_pwait: case SYS_epoll_pwait2:
		return TRACE_CALL_EPOLL_WAIT;
	case SYS_epoll_ctl:
		return TRACE_CALL_EPOLL_CTL;
	case SYS_accept: case SYS_accept4:
		return TRACE_CALL_ACCEPT;
	case SYS_io_uring_enter:
		return TRACE_CALL_IO_URING_ENTER;
	case SYS_futex:
		return futex_waits(s->args[1]) ? TRACE_CALL_FUTEX : TRACE_CALL_NONE;
	case SYS_clone: case SYS_clone3: case SYS_fork: case SYS_vfork:
		return TRACE_CALL_CLONE;
	default:
		return TRACE_CALL_NONE;
	}
}

/* The fd an enter and exit carry (-1: a set, or none). */
static int call_fd(const struct follow_thr *th)
{
	switch (th->family) {
	case TRACE_CALL_SELECT: case TRACE_CALL_POLL: case TRACE_CALL_FUTEX: case TRACE_CALL_CLONE:
		return -1;
	default:
		return (int)th->call.args[0];
	}
}

void follow__phase(struct follow *f, struct follow_thr *th, int phase, bool end,
		       unsigned flags, int fd, int64_t t_ns)
{
	struct trace_ev ev = { .kind = TRACE_PHASE, .phase = (uint8_t)phase, .fd = fd,
			       .t_ns = t_ns,
			       .flags = (uint8_t)(flags | (end ? TRACE_F_END : 0)) };

	follow__emit(f, th, &ev);
}

void follow__phase_end(struct follow *f, struct follow_proc *p, int fd, int64_t t_ns)
{
	struct follow_fd *e = fd >= 0 && fd < p->cap ? &p->fds[fd] : NULL;

	if (e == NULL || e->wait == FW_NONE)
		return;
	follow__phase(f, follow__thr(f, e->owner), TRACE_PH_WAIT, true,
		   e->wait_blocked ? TRACE_F_BLOCKED : 0, fd, t_ns);
	e->wait = FW_NONE;
	e->tries = 0;
}

void follow__wait_begin(struct follow *f, struct follow_thr *th, struct follow_fd *e, int fd,
		       int how, bool blocked, int64_t t_ns)
{
	follow__phase(f, th, TRACE_PH_WAIT, false, blocked ? TRACE_F_BLOCKED : 0, fd, t_ns);
	e->wait = (uint8_t)how;
	e->wait_blocked = blocked;
	e->owner = th->tid;
	e->tries = 0;
}

/* ---- enter ---- */

struct trace_ev follow__call_ev(const struct follow_thr *th, int kind, int64_t t_ns)
{
	const char *sys = attach_sys_name(th->call.nr);
	const char *fam = trace_call_name(th->family);
	struct trace_ev ev = { .kind = (uint8_t)kind, .call = (uint16_t)th->family,
			       .fd = call_fd(th), .t_ns = t_ns };

	if (sys != NULL && fam != NULL && strcmp(sys, fam) != 0)
		ev.syscall = sys;
	return ev;
}

static bool msg_dontwait(const struct attach_sys *s)
{
	uint64_t flags = s->nr == SYS_recvfrom || s->nr == SYS_recvmmsg ? s->args[3] :
			 s->nr == SYS_recvmsg ? s->args[2] : 0;

	return (flags & MSG_DONTWAIT) != 0;
}

/* A read: a blocking one begins its one whole wait here; one that leaves
 * a wait which did not return its fd ends that wait first. */
static void enter_read(struct follow *f, struct follow_thr *th, int64_t t_ns)
{
	int fd = (int)th->call.args[0];
	struct follow_fd *e = follow__fd(th->proc, fd);

	th->nonblock_call = msg_dontwait(&th->call) || (e != NULL && e->nonblock);
	if (e == NULL || e->ready || th->nonblock_call)
		return;
	follow__phase_end(f, th->proc, fd, t_ns);
	follow__phase(f, th, TRACE_PH_WAIT, false, TRACE_F_BLOCKED | TRACE_F_WHOLE, fd, t_ns);
	th->whole = true;
}

/* About a socket, a pipe or a tty (or a wait over one): io; shown: io,
 * or the thread is an actor already and the call is one it shows. */
static bool decide(struct follow_thr *th)
{
	const struct attach_sys *s = &th->call;
	struct follow_ep *ep;

	switch (th->family) {
	case TRACE_CALL_SELECT: case TRACE_CALL_POLL:
		for (int i = 0; i < s->nmem; i++)
			th->io = th->io || follow_kind_shown(follow__fd_kind(th->proc, s->fds[i]), th->proc->root);
		if (s->nmem < 0)        /* not read (at the seize): likely sockets */
			th->io = (th->family == TRACE_CALL_SELECT ? s->args[0] : s->args[1]) > 0;
		return th->io || th->actor >= 0;
	case TRACE_CALL_EPOLL_WAIT:
		ep = follow__ep(th->proc, (int)s->args[0]);
		th->io = ep != NULL && follow__ep_has_io(th->proc, ep);
		return th->io || th->actor >= 0;
	case TRACE_CALL_EPOLL_CTL:
		th->io = follow_kind_shown(follow__fd_kind(th->proc, (int)s->args[2]), th->proc->root);
		return th->io || th->actor >= 0;
	case TRACE_CALL_IO_URING_ENTER:
		th->io = follow__fd_kind(th->proc, (int)s->args[0]) == FK_URING;
		return th->io;
	case TRACE_CALL_FUTEX: case TRACE_CALL_CLONE:
		return th->actor >= 0;
	default:
		th->io = follow_kind_shown(follow__fd_kind(th->proc, (int)s->args[0]), th->proc->root);
		return th->io;
	}
}

static void note_seize(struct follow *f, struct follow_thr *th, int64_t t_ns)
{
	char en[160], zh[160];
	const char *name = attach_sys_name(th->call.nr);

	if (th->noted_seize)
		return;
	th->noted_seize = true;
	snprintf(en, sizeof en, "was already in %s when ioscope attached: its start is not known",
		 name != NULL ? name : "a call");
	snprintf(zh, sizeof zh, "ioscope 附加时它已在 %s 中：不知道这次调用何时开始",
		 name != NULL ? name : "一个调用");
	follow__note(f, th, t_ns, en, zh);
}

static void on_entry(struct follow *f, struct follow_thr *th, const struct attach_sys *s)
{
	struct trace_ev ev;

	if (th->in_call) {
		/* The same call again after a restartable exit, or after the
		 * seize: it goes on. */
		if ((th->restart || th->call.at_seize) && th->call.nr == s->nr) {
			th->restart = false;
			return;
		}
		follow__abandon(f, th, th->restart ? th->restart_t : s->t_ns);
	}
	th->call = *s;
	th->in_call = true;
	th->restart = th->io = th->shown = th->whole = th->nonblock_call = false;
	if ((th->family = family_of(s)) == TRACE_CALL_NONE)
		return;
	th->timeout_ms = follow__timeout_ms(s);
	if (!decide(th) || (th->io && follow__actor(f, th, s->t_ns) != 0) || th->actor < 0)
		return;
	th->shown = true;
	if (s->at_seize)
		note_seize(f, th, s->t_ns);
	ev = follow__call_ev(th, TRACE_ENTER, s->t_ns);
	if (th->family == TRACE_CALL_SELECT || th->family == TRACE_CALL_POLL)
		follow__enter_set(f, th, &ev);
	else if (th->family == TRACE_CALL_EPOLL_WAIT)
		follow__enter_epoll(f, th, &ev);
	else if (th->family == TRACE_CALL_EPOLL_CTL)
		follow__put_ctl(&ev, s);
	else if (trace_call_is_read(th->family))
		enter_read(f, th, s->t_ns);
	follow__emit(f, th, &ev);
}

/* ---- exit ---- */

static void put_ret(struct trace_ev *ev, const struct follow_thr *th, int64_t ret, int64_t t_ns)
{
	ev->ret = ret < 0 ? -1 : ret;
	ev->err = ret < 0 ? (int32_t)-ret : 0;
	ev->dur_ns = t_ns - th->call.t_ns;
}

/* The read's phases at its exit; returns the try number for its exit. */
static uint32_t exit_read(struct follow *f, struct follow_thr *th, int64_t ret, int64_t t)
{
	int fd = (int)th->call.args[0];
	int64_t t0 = th->call.t_ns;
	struct follow_fd *e = follow__fd(th->proc, fd);
	uint32_t tries = 0;

	if (th->whole) {
		follow__phase(f, th, TRACE_PH_WAIT, true, TRACE_F_BLOCKED | TRACE_F_WHOLE, fd, t);
		if (ret == -EAGAIN && e != NULL)
			e->nonblock = true;      /* made so where follow did not see */
		return 0;
	}
	if (e == NULL)
		return 0;
	if (ret == -EAGAIN && !e->ready && !e->mux) {
		if (e->wait != FW_TRY) {
			follow__phase_end(f, th->proc, fd, t0);
			follow__wait_begin(f, th, e, fd, FW_TRY, false, t0);
		}
		return ++e->tries;
	}
	if (e->wait == FW_TRY)
		tries = ++e->tries;
	if (ret > 0) {
		follow__phase_end(f, th->proc, fd, t0);
		follow__phase(f, th, TRACE_PH_COPY, false, TRACE_F_BLOCKED, fd, t0);
		follow__phase(f, th, TRACE_PH_COPY, true, TRACE_F_BLOCKED, fd, t);
	} else if (e->wait == FW_TRY && ret != -EINTR) {
		follow__phase_end(f, th->proc, fd, t);
	}
	e->ready = false;
	return tries;
}

static void on_exit(struct follow *f, struct follow_thr *th, const struct attach_sys *s)
{
	struct trace_ev ev;

	if (th->in_call && restartable(s->ret)) {
		th->restart = true;
		th->restart_t = s->t_ns;
		return;
	}
	follow__state(f, th, s);
	if (!th->in_call)
		return;
	if (th->family == TRACE_CALL_NONE) {
		th->in_call = false;
		return;
	}
	if (th->shown) {
		ev = follow__call_ev(th, TRACE_EXIT, s->t_ns);
		put_ret(&ev, th, s->ret, s->t_ns);
		if (trace_call_is_read(th->family))
			ev.count = exit_read(f, th, s->ret, s->t_ns);
		if (trace_call_is_wait(th->family))
			follow__exit_wait(f, th, s, &ev);
		else if (th->family == TRACE_CALL_EPOLL_CTL)
			follow__exit_ctl(f, th, s, &ev);
		else
			follow__emit(f, th, &ev);
	}
	follow__observe(f, th, s);     /* its duration: the entry is still th->call */
	th->in_call = false;
}

/* The call in progress ends here, without the exit stop it would have
 * had: its whole wait's span ends with it.  False when it was not shown. */
static bool end_call(struct follow *f, struct follow_thr *th, int64_t t_ns)
{
	th->in_call = th->restart = false;
	if (!th->shown)
		return false;
	if (th->whole)
		follow__phase(f, th, TRACE_PH_WAIT, true, TRACE_F_BLOCKED | TRACE_F_WHOLE,
			   (int)th->call.args[0], t_ns);
	return true;
}

void follow__abandon(struct follow *f, struct follow_thr *th, int64_t t_ns)
{
	struct trace_ev ev;

	if (!end_call(f, th, t_ns))
		return;
	ev = follow__call_ev(th, TRACE_EXIT, t_ns);
	put_ret(&ev, th, -EINTR, t_ns);
	follow__emit(f, th, &ev);
}

/* The thread is gone (ended, killed, let go) inside a call: the call
 * has no exit to show, and none is made up; a note says so. */
void follow__unfinished(struct follow *f, struct follow_thr *th, int64_t t_ns)
{
	const char *name = attach_sys_name(th->call.nr);
	char en[160], zh[160];

	if (!end_call(f, th, t_ns))
		return;
	snprintf(en, sizeof en, "its %s had not returned when ioscope last saw the thread",
		 name != NULL ? name : "call");
	snprintf(zh, sizeof zh, "ioscope 最后看到这个线程时，它的 %s 还没有返回",
		 name != NULL ? name : "调用");
	follow__note(f, th, t_ns, en, zh);
}

void follow__sys(struct follow *f, struct follow_thr *th, const struct attach_sys *s)
{
	if (s->exit)
		on_exit(f, th, s);
	else
		on_entry(f, th, s);
}
