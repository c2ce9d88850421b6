/* narrate_mux.c: words for how ready fds move through select, poll and
 * epoll: what the program hands the kernel, the fds the kernel polls, what
 * comes back, and what the program then scans. */
#include <errno.h>
#include <string.h>

#include "view/narrate_int.h"

const char *narrate__fds(const struct trace_ev *ev, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	at += (size_t)snprintf(buf, len, "{");
	for (int i = 0; i < ev->nfds && i < TRACE_FDS_INLINE && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, i ? " %d%s" : "%d%s", ev->fd_list[i],
				       (ev->outs & (1u << i)) ? "+OUT" : "");
	if (ev->fds_more > 0 && at < len)
		at += (size_t)snprintf(buf + at, len - at, " … +%u", ev->fds_more);
	if (at < len)
		snprintf(buf + at, len - at, "}");
	return buf;
}

/* What ev's actor's trace can show (enum trace_cap; 0 for the world). */
static unsigned caps_of(const struct narrator *n, const struct trace_ev *ev)
{
	const struct trace_hdr *h = trace_hdr_c(n->t);

	return ev->actor < h->nactors ? h->actors[ev->actor].caps : 0;
}

static void enter_line(struct narrator *n, const struct trace_ev *ev, char *s, size_t len)
{
	const char *sys = narrate__call(ev);
	char f[160];

	switch (ev->call) {
	case TRACE_CALL_SELECT:
		if (ev->flags & TRACE_F_COST)
			snprintf(s, len, NL(n, "→ %s(nfds %d, readfds %s%s): %u B of bitmap in; the kernel polls the fds set in it (%d)",
					       "→ %s(nfds %d, readfds %s%s)：复制进 %u 字节位图；内核只轮询其中置位的 %d 个 fd"), sys,
				 ev->n, narrate__fds(ev, f, sizeof f),
				 (ev->sets & TRACE_FDSET_WRITE) ? NL(n, ", +OUT also in writefds", "，+OUT 的也在 writefds 里") : "",
				 ev->copied_in, ev->polled);
		else
			snprintf(s, len, NL(n, "→ %s(nfds %d, readfds %s): the bitmap up to nfds goes into the kernel",
					       "→ %s(nfds %d, readfds %s)：nfds 以内的位图复制进内核"), sys,
				 ev->n, narrate__fds(ev, f, sizeof f));
		break;
	case TRACE_CALL_POLL:
		if (ev->flags & TRACE_F_COST)
			snprintf(s, len, NL(n, "→ %s(nfds %d, %s): the whole array, %u B, in; the kernel polls the entries with an fd (%d)",
					       "→ %s(nfds %d, %s)：整个数组 %u 字节复制进内核；内核轮询其中有 fd 的 %d 项"), sys,
				 ev->n, narrate__fds(ev, f, sizeof f), ev->copied_in, ev->polled);
		else
			snprintf(s, len, NL(n, "→ %s(nfds %d, %s): the whole array is copied into the kernel",
					       "→ %s(nfds %d, %s)：整个数组被复制进内核"), sys,
				 ev->n, narrate__fds(ev, f, sizeof f));
		break;
	case TRACE_CALL_EPOLL_WAIT:
		snprintf(s, len, NL(n, "→ %s(epfd %d, up to %d events): nothing is copied in; the kernel already knows the fds",
				       "→ %s(epfd %d，最多 %d 个事件)：不复制任何集合，内核早已知道要看哪些 fd"), sys,
			 ev->fd, ev->n);
		break;
	case TRACE_CALL_EPOLL_CTL:
		if (ev->what == TRACE_OP_ADD && (ev->sets & TRACE_EPEV_ET))
			snprintf(s, len, NL(n, "→ %s(epfd %d, ADD, fd %d, EPOLLET): edge-triggered: fd %d is reported once per arrival, so the program must read it to EAGAIN",
					       "→ %s(epfd %d，ADD，fd %d，EPOLLET)：边缘触发：每来一次数据只报告一次 fd %d，程序必须一直读到 EAGAIN"),
				 sys, ev->fd, ev->arg, ev->arg);
		else if (ev->what == TRACE_OP_ADD)
			snprintf(s, len, NL(n, "→ %s(epfd %d, ADD, fd %d): registered once, kept in the kernel",
					       "→ %s(epfd %d，ADD，fd %d)：只登记一次，由内核保存"), sys, ev->fd, ev->arg);
		else if (ev->what == TRACE_OP_MOD && (ev->sets & TRACE_EPEV_OUT))
			snprintf(s, len, NL(n, "→ %s(epfd %d, MOD, fd %d, EPOLLIN|EPOLLOUT): bytes wait in its queue; report fd %d when it is writable",
					       "→ %s(epfd %d，MOD，fd %d，EPOLLIN|EPOLLOUT)：它的队列里有数据在等；fd %d 可写时通知我"), sys,
				 ev->fd, ev->arg, ev->arg);
		else if (ev->what == TRACE_OP_MOD)
			snprintf(s, len, NL(n, "→ %s(epfd %d, MOD, fd %d, EPOLLIN): its queue is empty; EPOLLOUT off, or every wait would wake",
					       "→ %s(epfd %d，MOD，fd %d，EPOLLIN)：它的队列空了；关掉 EPOLLOUT，否则每次等待都会被唤醒"), sys,
				 ev->fd, ev->arg);
		else
			snprintf(s, len, NL(n, "→ %s(epfd %d, DEL, fd %d): taken off the interest list",
					       "→ %s(epfd %d，DEL，fd %d)：从关注列表中移除"), sys, ev->fd, ev->arg);
		break;
	}
}

static void exit_line(struct narrator *n, const struct trace_ev *ev, char *s, size_t len)
{
	const char *sys = narrate__call(ev);
	char f[160], d[32];

	narrate_dur(ev->dur_ns, d, sizeof d);
	if (ev->ret < 0 && ev->err == EINTR && trace_attached(n->t)) {
		/* a traced program's: a signal interrupted its wait */
		snprintf(s, len, NL(n, "← %s = -1 EINTR after %s: a signal interrupted the wait",
				       "← %s = -1 EINTR，用时 %s：一个信号打断了等待"), sys, d);
		return;
	}
	if (ev->ret < 0 && ev->err == EINTR) {
		snprintf(s, len, NL(n, "← %s = -1 EINTR after %s: interrupted, ioscope is stopping this thread",
				       "← %s = -1 EINTR，用时 %s：被打断，ioscope 正在停止这个线程"),
			 sys, d);
		return;
	}
	if (ev->ret < 0) {
		snprintf(s, len, "← %s = -1 %s %s %s", sys,
			 trace_errno_name(ev->err), NL(n, "after", "用时"), d);
		return;
	}
	switch (ev->call) {
	case TRACE_CALL_SELECT:
		if (ev->flags & TRACE_F_COST)
			snprintf(s, len, NL(n, "← %s = %lld after %s: back %s in %u B of bitmap; the kernel polled the fds set in it (%d)",
					       "← %s = %lld，用时 %s：返回 %s，%u 字节位图；内核只轮询了其中置位的 %d 个 fd"), sys,
				 (long long)ev->ret, d, narrate__fds(ev, f, sizeof f), ev->copied_out,
				 ev->polled);
		else
			snprintf(s, len, NL(n, "← %s = %lld after %s: the kernel rewrote the set in place: %s",
					       "← %s = %lld，用时 %s：内核就地改写了集合：%s"), sys,
				 (long long)ev->ret, d, narrate__fds(ev, f, sizeof f));
		break;
	case TRACE_CALL_POLL:
		if (ev->flags & TRACE_F_COST)
			snprintf(s, len, NL(n, "← %s = %lld after %s: revents set on %s; the kernel polled the entries with an fd (%d) and wrote back %u B of revents",
					       "← %s = %lld，用时 %s：revents 被置位的是 %s；内核轮询了 %d 项，写回 %u 字节 revents"), sys,
				 (long long)ev->ret, d, narrate__fds(ev, f, sizeof f), ev->polled,
				 ev->copied_out);
		else
			snprintf(s, len, NL(n, "← %s = %lld after %s: revents set on %s",
					       "← %s = %lld，用时 %s：revents 被置位的是 %s"), sys,
				 (long long)ev->ret, d, narrate__fds(ev, f, sizeof f));
		break;
	case TRACE_CALL_EPOLL_WAIT:
		snprintf(s, len, NL(n, "← %s = %lld after %s: straight from the ready list: %s%s",
				       "← %s = %lld，用时 %s：直接取自就绪列表：%s%s"), sys,
			 (long long)ev->ret, d, narrate__fds(ev, f, sizeof f),
			 ev->outs ? NL(n, " (+OUT: EPOLLOUT, writable again)", "（+OUT：EPOLLOUT，又可写了）") : "");
		break;
	case TRACE_CALL_EPOLL_CTL:
		snprintf(s, len, "← %s = %lld %s %s", sys, (long long)ev->ret, NL(n, "after", "用时"), d);
		break;
	}
}

static void set_line(struct narrator *n, const struct trace_ev *ev, char *s, size_t len)
{
	unsigned caps = caps_of(n, ev);
	char f[160];

	narrate__fds(ev, f, sizeof f);
	if (ev->what == TRACE_SET_QUEUE && ev->nfds > 0) {
		if (ev->n > 0)
			snprintf(s, len, NL(n, "  its queue for fd %d holds %d B: the socket took no more; they wait for write readiness",
					       "  fd %d 的队列里有 %d 字节：套接字装不下了，等它可写再发"),
				 ev->fd_list[0], ev->n);
		else
			snprintf(s, len, NL(n, "  its queue for fd %d is empty: everything was written, in order",
					       "  fd %d 的队列空了：全部按顺序写出"), ev->fd_list[0]);
	} else if (ev->what == TRACE_SET_INTEREST) {
		snprintf(s, len, NL(n, "  interest list in the kernel: %s", "  内核中的关注列表：%s"), f);
	} else if (ev->what == TRACE_SET_BUILD && (caps & TRACE_CAP_BITMAP)) {
		snprintf(s, len, NL(n, "  rebuilds its fd_set from scratch (select overwrote the last one): %s",
				       "  从头重建 fd_set（上一次的已被 select 改写）：%s"), f);
	} else if (ev->what == TRACE_SET_BUILD && (caps & TRACE_CAP_SET)) {
		snprintf(s, len, NL(n, "  fills in its pollfd array (%d in all): %s",
				       "  填好 %d 个 pollfd 项的数组：%s"), ev->n, f);
	} else if (ev->what == TRACE_SET_BUILD) {     /* a traced program, its model not known yet */
		snprintf(s, len, NL(n, "  hands the kernel its set: %s",
				       "  把它的 fd 集合交给内核：%s"), f);
	} else if (caps & TRACE_CAP_BITMAP) {
		snprintf(s, len, NL(n, "  scans %d descriptors with FD_ISSET to find which rang: %s",
				       "  用 FD_ISSET 逐个检查 %d 个描述符，找出哪个响了：%s"), ev->n, f);
	} else if (caps & TRACE_CAP_SET) {
		snprintf(s, len, NL(n, "  walks all %d entries' revents to find the ready ones: %s",
				       "  逐个查看全部 %d 项的 revents，找出就绪的：%s"), ev->n, f);
	} else if (!(caps & TRACE_CAP_INTEREST)) {     /* not known yet (attach) */
		snprintf(s, len, NL(n, "  looks for the fds that came back ready: %s",
				       "  找出返回为就绪的 fd：%s"), f);
	} else {
		snprintf(s, len, NL(n, "  touches only what it was given (%d): %s",
				       "  只处理拿到的 %d 个事件：%s"), ev->n, f);
	}
}

/* The clients the world plays, and the server's accept and write. */
static int net_line(struct narrator *n, const struct trace_ev *ev, char *s, size_t len)
{
	const struct trace_hdr *h = trace_hdr_c(n->t);
	/* A client the world plays has no model; an actor announced before
	 * its model is known has none yet, and is not a client. */
	int client = ev->actor != TRACE_WORLD && *narrate__model(n, ev->actor) == '\0' &&
		     !(ev->actor < h->nactors && h->actors[ev->actor].announced);

	if (ev->kind == TRACE_CONNECT) {
		snprintf(s, len, NL(n, "connects to %s over loopback TCP", "通过回环 TCP 连接到 %s"),
			 narrate_actor(n->t, ev->arg));
	} else if (ev->kind == TRACE_DELIVER) {
		snprintf(s, len, NL(n, "receives %lld bytes from the server", "从服务器收到 %lld 字节"),
			 (long long)ev->ret);
	} else if (ev->kind == TRACE_ARRIVE && client) {
		snprintf(s, len, NL(n, "sends %lld bytes to the server", "向服务器发送 %lld 字节"),
			 (long long)ev->ret);
	} else if (ev->kind == TRACE_CLOSE && client) {
		snprintf(s, len, "%s", ev->what ?
			 NL(n, "resets the connection (RST): gone at once, unread data and all",
			       "重置连接（RST）：立即断开，未读的数据也一并丢弃") :
			 NL(n, "hangs up (close): the server will read end of file",
			       "挂断（close）：服务器将读到文件结尾"));
	} else if (ev->kind == TRACE_EXIT && ev->call == TRACE_CALL_ACCEPT && ev->ret >= 0) {
		snprintf(s, len, NL(n, "← %s(fd %d) = %lld: a new client, on fd %lld",
				       "← %s(fd %d) = %lld：新客户端，fd 为 %lld"),
			 narrate__call(ev), ev->fd, (long long)ev->ret, (long long)ev->ret);
	} else if (ev->kind == TRACE_EXIT && ev->call == TRACE_CALL_ACCEPT && ev->err == EAGAIN) {
		snprintf(s, len, NL(n, "← %s(fd %d) = -1 EAGAIN: nobody else is waiting to connect",
				       "← %s(fd %d) = -1 EAGAIN：没有别的连接在等待"), narrate__call(ev), ev->fd);
	} else {
		return 0;
	}
	return 1;
}

int narrate__mux(struct narrator *n, const struct trace_ev *ev, char *s, size_t len)
{
	int mux_call = ev->call == TRACE_CALL_SELECT || ev->call == TRACE_CALL_POLL ||
		       ev->call == TRACE_CALL_EPOLL_WAIT || ev->call == TRACE_CALL_EPOLL_CTL;

	if (net_line(n, ev, s, len))
		return 1;
	switch (ev->kind) {
	case TRACE_ENTER:
		if (!mux_call)
			return 0;
		enter_line(n, ev, s, len);
		return 1;
	case TRACE_EXIT:
		if (!mux_call)
			return 0;
		exit_line(n, ev, s, len);
		return 1;
	case TRACE_SET:
		set_line(n, ev, s, len);
		return 1;
	case TRACE_READY:
		snprintf(s, len, NL(n, "  fd %d joins the epoll ready list (the kernel's callback ran inside the write)",
				       "  fd %d 进入 epoll 就绪列表（内核回调在写入时就执行了）"), ev->fd);
		return 1;
	case TRACE_REFUSE:
		snprintf(s, len, NL(n, "refuses fd %d: an fd_set only holds descriptors 0..%d (FD_SETSIZE %d), and FD_SET beyond that is undefined behaviour",
				       "拒绝 fd %d：fd_set 只能容纳 0..%d 号描述符（FD_SETSIZE 为 %d），超出范围调用 FD_SET 是未定义行为"),
			 ev->fd, ev->n > 0 ? ev->n - 1 : 0, ev->n);
		return 1;
	}
	return 0;
}
