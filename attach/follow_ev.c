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
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
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

/* select's nfds, poll's entries: the call's extent, bounded (a program
 * may hand in anything; the kernel refuses what is too large). */
static int32_t set_extent(const struct follow_thr *th)
{
	uint64_t n = th->family == TRACE_CALL_SELECT ? th->call.args[0] : th->call.args[1];

	return n > (1u << 24) ? 1 << 24 : (int32_t)n;
}

/* The wait's entries: select's fds, poll's (negative ones are skipped by
 * the kernel, and here); readable: watched for reading, out: for
 * writing. */
static bool entry_read(const struct follow_thr *th, int i)
{
	return th->family == TRACE_CALL_SELECT ? (th->call.ev[i] & TRACE_FDSET_READ) != 0 :
	       (th->call.ev[i] & POLLIN) != 0;
}

static bool entry_out(const struct follow_thr *th, uint32_t ev)
{
	return th->family == TRACE_CALL_SELECT ? (ev & TRACE_FDSET_WRITE) != 0 :
	       th->family == TRACE_CALL_POLL ? (ev & POLLOUT) != 0 : (ev & EPOLLOUT) != 0;
}

static bool ev_readable(const struct follow_thr *th, uint32_t ev)
{
	if (th->family == TRACE_CALL_SELECT)
		return (ev & (TRACE_FDSET_READ | TRACE_FDSET_EXCEPT)) != 0;
	if (th->family == TRACE_CALL_POLL)
		return (ev & (POLLIN | POLLPRI | POLLHUP | POLLERR | POLLRDHUP)) != 0;
	return (ev & (EPOLLIN | EPOLLPRI | EPOLLHUP | EPOLLERR | EPOLLRDHUP)) != 0;
}

void follow__cost(const struct attach_sys *e, struct follow_cost *c)
{
	memset(c, 0, sizeof *c);
	if (e->nr == SYS_select || e->nr == SYS_pselect6) {
		int64_t nfds = e->args[0] > (1u << 24) ? 1 << 24 : (int64_t)e->args[0];
		uint32_t words = nfds > 0 ? (uint32_t)((nfds + 63) / 64) : 0;

		for (int i = 0; i < 3; i++)
			if (e->args[1 + i] != 0)
				c->sets |= (uint8_t)(1u << i);
		c->in = c->out = (uint32_t)__builtin_popcount(c->sets) * words * 8;
		c->polled = e->nmem > 0 ? e->nmem + e->mem_more : 0;
		return;
	}
	for (int i = 0; i < e->nmem; i++)
		c->polled += e->fds[i] >= 0;
	c->polled += e->nmem > 0 ? e->mem_more : 0;
	c->in = (uint32_t)(e->args[1] > (1u << 24) ? 1u << 24 : e->args[1]) * 8;
	c->out = c->in / 4;
}

static void put_cost(struct trace_ev *ev, const struct follow_thr *th)
{
	struct follow_cost c;

	follow__cost(&th->call, &c);
	ev->flags |= TRACE_F_COST;
	ev->polled = c.polled;
	ev->copied_in = c.in;
	ev->copied_out = ev->kind == TRACE_EXIT ? c.out : 0;
	ev->sets = th->family == TRACE_CALL_SELECT ? c.sets : 0;
}

/* fds[0..n) into ev, outs marked (the first TRACE_FDS_INLINE), more
 * counted. */
static void put_fds(struct trace_ev *ev, const int *fds, const bool *out, int n, int more)
{
	trace_ev_set_fds(ev, fds, n);
	ev->fds_more += (uint32_t)(more > 0 ? more : 0);
	for (int i = 0; i < ev->nfds; i++)
		if (out[i])
			ev->outs |= (uint16_t)(1u << i);
}

static void emit_phase(struct follow *f, struct follow_thr *th, int phase, bool end,
		       unsigned flags, int fd, int64_t t_ns)
{
	struct trace_ev ev = { .kind = TRACE_PHASE, .phase = (uint8_t)phase, .fd = fd,
			       .t_ns = t_ns,
			       .flags = (uint8_t)(flags | (end ? TRACE_F_END : 0)) };

	follow__emit(f, th, &ev);
}

static void emit_set(struct follow *f, struct follow_thr *th, int what, int n,
		     const int *fds, const bool *out, int nfds, int more, int64_t t_ns)
{
	struct trace_ev ev = { .kind = TRACE_SET, .what = (uint8_t)what, .n = n, .fd = -1,
			       .t_ns = t_ns };

	put_fds(&ev, fds, out, nfds, more);
	follow__emit(f, th, &ev);
}

void follow__phase_end(struct follow *f, struct follow_proc *p, int fd, int64_t t_ns)
{
	struct follow_fd *e = fd >= 0 && fd < p->cap ? &p->fds[fd] : NULL;

	if (e == NULL || e->wait == FW_NONE)
		return;
	emit_phase(f, follow__thr(f, e->owner), TRACE_PH_WAIT, true,
		   e->wait_blocked ? TRACE_F_BLOCKED : 0, fd, t_ns);
	e->wait = FW_NONE;
	e->tries = 0;
}

static void wait_begin(struct follow *f, struct follow_thr *th, struct follow_fd *e, int fd,
		       int how, bool blocked, int64_t t_ns)
{
	emit_phase(f, th, TRACE_PH_WAIT, false, blocked ? TRACE_F_BLOCKED : 0, fd, t_ns);
	e->wait = (uint8_t)how;
	e->wait_blocked = blocked;
	e->owner = th->tid;
	e->tries = 0;
}

/* ---- enter ---- */

static struct trace_ev call_ev(const struct follow_thr *th, int kind, int64_t t_ns)
{
	const char *sys = attach_sys_name(th->call.nr);
	const char *fam = trace_call_name(th->family);
	struct trace_ev ev = { .kind = (uint8_t)kind, .call = (uint16_t)th->family,
			       .fd = call_fd(th), .t_ns = t_ns };

	if (sys != NULL && fam != NULL && strcmp(sys, fam) != 0)
		ev.syscall = sys;
	return ev;
}

/* A wait over select's or poll's fds: phase 1 of each readable IO one,
 * the set the program built, the enter. */
static void enter_set(struct follow *f, struct follow_thr *th, struct trace_ev *ev)
{
	const struct attach_sys *s = &th->call;
	int fds[ATTACH_MEM_MAX], n = 0;
	bool out[ATTACH_MEM_MAX];

	for (int i = 0; i < s->nmem; i++) {
		struct follow_fd *e;

		if (s->fds[i] < 0)
			continue;
		if ((e = follow__fd(th->proc, s->fds[i])) != NULL && entry_read(th, i) &&
		    follow_kind_io(e->kind)) {
			e->mux = true;
			e->ready = false;
			if (e->wait == FW_NONE)
				wait_begin(f, th, e, s->fds[i], FW_MUX, th->timeout_ms != 0, ev->t_ns);
		}
		out[n] = entry_out(th, s->ev[i]);
		fds[n++] = s->fds[i];
	}
	if (s->nmem >= 0)
		emit_set(f, th, TRACE_SET_BUILD, n + (s->nmem > 0 ? s->mem_more : 0), fds, out, n,
			 s->nmem > 0 ? s->mem_more : 0, ev->t_ns);
	ev->n = set_extent(th);
	put_fds(ev, fds, out, n, s->nmem > 0 ? s->mem_more : 0);
	put_cost(ev, th);
}

static void enter_epoll(struct follow *f, struct follow_thr *th, struct trace_ev *ev)
{
	struct follow_ep *ep = follow__ep(th->proc, (int)th->call.args[0]);

	for (int i = 0; ep != NULL && i < ep->n; i++) {
		struct follow_fd *e = follow__fd(th->proc, ep->it[i].fd);

		if (e == NULL || !follow_kind_io(e->kind) || !(ep->it[i].events & EPOLLIN))
			continue;
		e->ready = false;
		if (e->wait == FW_NONE)
			wait_begin(f, th, e, ep->it[i].fd, FW_MUX, th->timeout_ms != 0, ev->t_ns);
	}
	ev->n = th->call.args[2] > INT32_MAX ? INT32_MAX : (int32_t)th->call.args[2];
}

static uint8_t epev_of(uint32_t events)
{
	return (uint8_t)((events & EPOLLIN ? TRACE_EPEV_IN : 0) |
			 (events & EPOLLOUT ? TRACE_EPEV_OUT : 0) |
			 (events & EPOLLET ? TRACE_EPEV_ET : 0));
}

static void put_ctl(struct trace_ev *ev, const struct attach_sys *s)
{
	ev->what = (uint8_t)(s->args[1] <= TRACE_OP_MOD ? s->args[1] : 0);
	ev->arg = (int32_t)s->args[2];
	if (s->args[1] != EPOLL_CTL_DEL && s->nmem > 0) {
		ev->flags |= TRACE_F_EVENTS;
		ev->sets = epev_of(s->ev[0]);
	}
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
	emit_phase(f, th, TRACE_PH_WAIT, false, TRACE_F_BLOCKED | TRACE_F_WHOLE, fd, t_ns);
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
			th->io = th->io || follow_kind_io(follow__fd_kind(th->proc, s->fds[i]));
		if (s->nmem < 0)        /* not read (at the seize): likely sockets */
			th->io = (th->family == TRACE_CALL_SELECT ? s->args[0] : s->args[1]) > 0;
		return th->io || th->actor >= 0;
	case TRACE_CALL_EPOLL_WAIT:
		ep = follow__ep(th->proc, (int)s->args[0]);
		th->io = ep != NULL && follow__ep_has_io(th->proc, ep);
		return th->io || th->actor >= 0;
	case TRACE_CALL_EPOLL_CTL:
		th->io = follow_kind_io(follow__fd_kind(th->proc, (int)s->args[2]));
		return th->io || th->actor >= 0;
	case TRACE_CALL_IO_URING_ENTER:
		th->io = follow__fd_kind(th->proc, (int)s->args[0]) == FK_URING;
		return th->io;
	case TRACE_CALL_FUTEX: case TRACE_CALL_CLONE:
		return th->actor >= 0;
	default:
		th->io = follow_kind_io(follow__fd_kind(th->proc, (int)s->args[0]));
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
	ev = call_ev(th, TRACE_ENTER, s->t_ns);
	if (th->family == TRACE_CALL_SELECT || th->family == TRACE_CALL_POLL)
		enter_set(f, th, &ev);
	else if (th->family == TRACE_CALL_EPOLL_WAIT)
		enter_epoll(f, th, &ev);
	else if (th->family == TRACE_CALL_EPOLL_CTL)
		put_ctl(&ev, s);
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
		emit_phase(f, th, TRACE_PH_WAIT, true, TRACE_F_BLOCKED | TRACE_F_WHOLE, fd, t);
		if (ret == -EAGAIN && e != NULL)
			e->nonblock = true;      /* made so where follow did not see */
		return 0;
	}
	if (e == NULL)
		return 0;
	if (ret == -EAGAIN && !e->ready && !e->mux) {
		if (e->wait != FW_TRY) {
			follow__phase_end(f, th->proc, fd, t0);
			wait_begin(f, th, e, fd, FW_TRY, false, t0);
		}
		return ++e->tries;
	}
	if (e->wait == FW_TRY)
		tries = ++e->tries;
	if (ret > 0) {
		follow__phase_end(f, th->proc, fd, t0);
		emit_phase(f, th, TRACE_PH_COPY, false, TRACE_F_BLOCKED, fd, t0);
		emit_phase(f, th, TRACE_PH_COPY, true, TRACE_F_BLOCKED, fd, t);
	} else if (e->wait == FW_TRY && ret != -EINTR) {
		follow__phase_end(f, th->proc, fd, t);
	}
	e->ready = false;
	return tries;
}

/* What a wait returned: fds, which are writable, how many more; and the
 * readable ones end their phase 1 (after the exit and the scan, as the
 * models report them). */
static int returned(struct follow_thr *th, const struct attach_sys *s, int *fds, bool *out,
		    bool *readable)
{
	struct follow_ep *ep = th->family == TRACE_CALL_EPOLL_WAIT ?
			       follow__ep(th->proc, (int)th->call.args[0]) : NULL;
	int n = 0;

	for (int i = 0; i < s->nmem; i++) {
		int fd = s->fds[i];

		if (th->family == TRACE_CALL_EPOLL_WAIT)
			fd = ep != NULL ? follow__ep_fd(ep, s->data[i]) : -1;
		if (fd < 0)
			continue;
		out[n] = entry_out(th, s->ev[i]);
		readable[n] = ev_readable(th, s->ev[i]);
		fds[n++] = fd;
	}
	return n;
}

static void exit_wait(struct follow *f, struct follow_thr *th, const struct attach_sys *s,
		      struct trace_ev *ev)
{
	int fds[ATTACH_MEM_MAX], n = 0, scan;
	bool out[ATTACH_MEM_MAX], readable[ATTACH_MEM_MAX];
	int more = s->nmem > 0 ? s->mem_more : 0;

	if (s->ret > 0)
		n = returned(th, s, fds, out, readable);
	if (th->family == TRACE_CALL_EPOLL_WAIT) {
		ev->n = s->ret > 0 ? (int32_t)s->ret : 0;
		scan = ev->n;
	} else {
		ev->n = set_extent(th);
		scan = ev->n;
		put_cost(ev, th);
	}
	if (s->ret > 0)
		put_fds(ev, fds, out, n, more);
	follow__emit(f, th, ev);
	if (s->ret < 0)
		return;
	emit_set(f, th, TRACE_SET_SCAN, scan, fds, out, n, more, s->t_ns);
	for (int i = 0; i < n; i++) {
		struct follow_fd *e = follow__fd(th->proc, fds[i]);

		if (!readable[i] || e == NULL || !follow_kind_io(e->kind))
			continue;
		if (e->wait == FW_MUX)
			follow__phase_end(f, th->proc, fds[i], s->t_ns);
		e->ready = true;
	}
}

static void exit_ctl(struct follow *f, struct follow_thr *th, const struct attach_sys *s,
		     struct trace_ev *ev)
{
	struct follow_ep *ep = follow__ep(th->proc, (int)s->args[0]);
	int fds[ATTACH_MEM_MAX];
	bool out[ATTACH_MEM_MAX];
	int n = 0;

	put_ctl(ev, &th->call);
	follow__emit(f, th, ev);
	if (s->ret != 0 || ep == NULL)
		return;
	for (int i = 0; i < ep->n && n < ATTACH_MEM_MAX; i++) {
		out[n] = (ep->it[i].events & EPOLLOUT) != 0;
		fds[n++] = ep->it[i].fd;
	}
	emit_set(f, th, TRACE_SET_INTEREST, ep->n, fds, out, n, ep->n - n, s->t_ns);
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
	th->in_call = false;
	if (th->family == TRACE_CALL_NONE)
		return;
	if (th->shown) {
		ev = call_ev(th, TRACE_EXIT, s->t_ns);
		put_ret(&ev, th, s->ret, s->t_ns);
		if (trace_call_is_read(th->family))
			ev.count = exit_read(f, th, s->ret, s->t_ns);
		if (trace_call_is_wait(th->family))
			exit_wait(f, th, s, &ev);
		else if (th->family == TRACE_CALL_EPOLL_CTL)
			exit_ctl(f, th, s, &ev);
		else
			follow__emit(f, th, &ev);
	}
	follow__observe(f, th, s);
}

void follow__abandon(struct follow *f, struct follow_thr *th, int64_t t_ns)
{
	struct trace_ev ev;

	th->in_call = th->restart = false;
	if (!th->shown)
		return;
	if (th->whole)
		emit_phase(f, th, TRACE_PH_WAIT, true, TRACE_F_BLOCKED | TRACE_F_WHOLE,
			   (int)th->call.args[0], t_ns);
	ev = call_ev(th, TRACE_EXIT, t_ns);
	put_ret(&ev, th, -EINTR, t_ns);
	follow__emit(f, th, &ev);
}

void follow__sys(struct follow *f, struct follow_thr *th, const struct attach_sys *s)
{
	if (s->exit)
		on_exit(f, th, s);
	else
		on_entry(f, th, s);
}
