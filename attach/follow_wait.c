/* follow_wait.c: the waits' events: select's and poll's sets (built,
 * handed in with their cost, returned, scanned), epoll's interest list
 * (after each epoll_ctl, EPOLLET as et) and its ready list (epoll_wait's
 * fds, each event's data mapped to its fd through epoll_ctl's table).
 * Each fd a wait watches for reading begins its phase 1 there, and each
 * it returns readable ends it (follow_ev.c says the rest).
 */
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>

#include "attach/follow_int.h"

/* A wait watches fd for reading: its phase 1 is this thread's, blocked,
 * from the first wait that can sleep (one with a zero timeout only
 * looks); a polling reader's unblocked phase 1 (an EAGAIN before the fd
 * was handed to a wait, as asyncio's sock_recv does) ends, and the
 * blocked one begins. */
static void watch(struct follow *f, struct follow_thr *th, struct follow_fd *e, int fd,
		  int64_t t_ns)
{
	e->mux = true;
	e->ready = false;
	if (th->timeout_ms == 0)
		return;
	if (e->wait == FW_TRY)
		follow__phase_end(f, th->proc, fd, t_ns);
	if (e->wait == FW_NONE)
		follow__wait_begin(f, th, e, fd, FW_MUX, true, t_ns);
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

static void emit_set(struct follow *f, struct follow_thr *th, int what, int n,
		     const int *fds, const bool *out, int nfds, int more, int64_t t_ns)
{
	struct trace_ev ev = { .kind = TRACE_SET, .what = (uint8_t)what, .n = n, .fd = -1,
			       .t_ns = t_ns };

	put_fds(&ev, fds, out, nfds, more);
	follow__emit(f, th, &ev);
}

/* A wait over select's or poll's fds: phase 1 of each readable IO one,
 * the set the program built, the enter. */
void follow__enter_set(struct follow *f, struct follow_thr *th, struct trace_ev *ev)
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
			watch(f, th, e, s->fds[i], ev->t_ns);
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

void follow__enter_epoll(struct follow *f, struct follow_thr *th, struct trace_ev *ev)
{
	struct follow_ep *ep = follow__ep(th->proc, (int)th->call.args[0]);

	for (int i = 0; ep != NULL && i < ep->n; i++) {
		struct follow_fd *e = follow__fd(th->proc, ep->it[i].fd);

		if (e == NULL || !follow_kind_io(e->kind) || !(ep->it[i].events & EPOLLIN))
			continue;
		watch(f, th, e, ep->it[i].fd, ev->t_ns);
	}
	ev->n = th->call.args[2] > INT32_MAX ? INT32_MAX : (int32_t)th->call.args[2];
}

static uint8_t epev_of(uint32_t events)
{
	return (uint8_t)((events & EPOLLIN ? TRACE_EPEV_IN : 0) |
			 (events & EPOLLOUT ? TRACE_EPEV_OUT : 0) |
			 (events & EPOLLET ? TRACE_EPEV_ET : 0));
}

void follow__put_ctl(struct trace_ev *ev, const struct attach_sys *s)
{
	ev->what = (uint8_t)(s->args[1] <= TRACE_OP_MOD ? s->args[1] : 0);
	ev->arg = (int32_t)s->args[2];
	if (s->args[1] != EPOLL_CTL_DEL && s->nmem > 0) {
		ev->flags |= TRACE_F_EVENTS;
		ev->sets = epev_of(s->ev[0]);
	}
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

void follow__exit_wait(struct follow *f, struct follow_thr *th, const struct attach_sys *s,
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

void follow__exit_ctl(struct follow *f, struct follow_thr *th, const struct attach_sys *s,
		     struct trace_ev *ev)
{
	struct follow_ep *ep = follow__ep(th->proc, (int)s->args[0]);
	int fds[ATTACH_MEM_MAX];
	bool out[ATTACH_MEM_MAX];
	int n = 0;

	follow__put_ctl(ev, &th->call);
	follow__emit(f, th, ev);
	if (s->ret != 0 || ep == NULL)
		return;
	for (int i = 0; i < ep->n && n < ATTACH_MEM_MAX; i++) {
		out[n] = (ep->it[i].events & EPOLLOUT) != 0;
		fds[n++] = ep->it[i].fd;
	}
	emit_set(f, th, TRACE_SET_INTEREST, ep->n, fds, out, n, ep->n - n, s->t_ns);
}
