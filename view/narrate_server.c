/* narrate_server.c: words for the server models' own events (issue 14):
 * a futex wait on the work queue (which side: empty or full, from the
 * queue's depth at that moment), a thread or process made for a
 * connection (clone), the queue's depth (set workq). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "view/narrate_int.h"

/* The latest set workq of the queue ev's actor works on, by the view
 * before ev: 1 with it in *q, 0 when there is none yet. */
static int queue_now(const struct narrator *n, int actor, struct trace_ev *q)
{
	long at = view_queue_at(n->now, actor);

	if (at < 0 || (size_t)at >= trace_count(n->t))
		return 0;
	*q = *trace_at(n->t, (size_t)at);
	return 1;
}

/* "7 9 12", or "7 9 … +3". */
static const char *fds_words(const struct trace_ev *ev, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (int i = 0; i < ev->nfds && i < TRACE_FDS_INLINE && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, i ? " %d" : "%d", ev->fd_list[i]);
	if (ev->fds_more > 0 && at < len)
		snprintf(buf + at, len - at, " … +%u", ev->fds_more);
	return buf;
}

/* A futex wait: the queue is empty (a worker waits for a request) or
 * full (the producer waits for room); else only that it sleeps. */
static void futex_enter(struct narrator *n, const struct trace_ev *ev, char *s, size_t len)
{
	struct trace_ev q;

	if (queue_now(n, ev->actor, &q) && q.n == 0)
		snprintf(s, len, NL(n, "→ futex wait: sleeps in futex: the queue is empty (0/%d), "
				       "nothing to take until a request comes",
				       "→ futex 等待：在 futex 中睡眠：队列是空的（0/%d），要等有请求来"),
			 q.arg);
	else if (queue_now(n, ev->actor, &q) && q.n == q.arg)
		snprintf(s, len, NL(n, "→ futex wait: sleeps in futex: the queue is full (%d/%d), "
				       "no room until a worker takes a request",
				       "→ futex 等待：在 futex 中睡眠：队列满了（%d/%d），要等工作线程取走一个"),
			 q.n, q.arg);
	else
		snprintf(s, len, "%s", NL(n, "→ futex wait: sleeps in futex until another thread wakes it",
					  "→ futex 等待：在 futex 中睡眠，直到别的线程唤醒它"));
}

static void futex_exit(struct narrator *n, const struct trace_ev *ev, char *s, size_t len)
{
	char d[32];

	narrate_dur(ev->dur_ns, d, sizeof d);
	if (ev->ret >= 0)
		snprintf(s, len, NL(n, "← futex = %lld after %s: another thread woke it (wakes are not traced)",
				       "← futex = %lld，用时 %s：被别的线程唤醒（唤醒本身不被跟踪）"),
			 (long long)ev->ret, d);
	else if (ev->err == EAGAIN)
		snprintf(s, len, NL(n, "← futex = -1 EAGAIN after %s: the queue had changed already: no sleep",
				       "← futex = -1 EAGAIN，用时 %s：队列已经变了，不用睡"), d);
	else
		snprintf(s, len, NL(n, "← futex = -1 %s after %s", "← futex = -1 %s，用时 %s"),
			 trace_errno_name(ev->err), d);
}

/* "S.3" or "S.w2", if an actor of that name whose parent is the maker
 * has appeared by now: the child made.  Children are named in accept
 * order (S.1, S.2 …) and pool workers in the order made (S.w1 …).  The
 * child's own begin may come before or after the clone returns; one that
 * comes after is not named yet, so that a live run, whose header does not
 * hold the child yet, and its replay, whose header does, say the same. */
static const char *child_named(const struct narrator *n, int maker, const char *infix,
			       unsigned k, char *buf, size_t len)
{
	const struct trace_hdr *h = trace_hdr_c(n->t);
	int i;

	snprintf(buf, len, "%s.%s%u", narrate_actor(n->t, maker), infix, k);
	i = trace_find_actor(n->t, buf);
	return i > 0 && h->actors[i].parent == maker && view_actor_c(n->now, i) != NULL ?
	       buf : NULL;
}

static void clone_exit(struct narrator *n, const struct trace_ev *ev, char *s, size_t len)
{
	const struct view_actor *a = view_actor_c(n->now, ev->actor);
	const char *who = narrate_actor(n->t, ev->actor), *child;
	bool process = ev->ret > 0;
	unsigned conn = a != NULL ? a->accepts : 0, made = a != NULL ? a->clones + 1 : 1;
	const char *kind = process ? NL(n, "process", "进程") : NL(n, "thread", "线程");
	char d[32], name[64], what[160];

	narrate_dur(ev->dur_ns, d, sizeof d);
	if (ev->ret < 0) {
		snprintf(s, len, NL(n, "← %s = -1 %s after %s: nothing made",
				       "← %s = -1 %s，用时 %s：什么也没创建"),
			 narrate__call(ev), trace_errno_name(ev->err), d);
		return;
	}
	if (conn > 0 && (child = child_named(n, ev->actor, "", conn, name, sizeof name)) != NULL)
		snprintf(what, sizeof what, NL(n, "%s made a %s for connection %u (%s)",
					       "%s 开了一个%s，服务第 %u 个连接（%s）"),
			 who, kind, conn, child);
	else if ((child = child_named(n, ev->actor, "w", made, name, sizeof name)) != NULL)
		snprintf(what, sizeof what, NL(n, "%s made a %s: its worker %u (%s)",
					       "%s 开了一个%s：它的第 %u 个工作者（%s）"),
			 who, kind, made, child);
	else if (conn > 0)
		snprintf(what, sizeof what, NL(n, "%s made a %s for connection %u",
					       "%s 开了一个%s，服务第 %u 个连接"), who, kind, conn);
	else
		snprintf(what, sizeof what, NL(n, "%s made a %s", "%s 开了一个%s"), who, kind);
	if (process)
		snprintf(s, len, NL(n, "← %s = %lld after %s: %s, pid %lld",
				       "← %s = %lld，用时 %s：%s，pid %lld"),
			 narrate__call(ev), (long long)ev->ret, d, what, (long long)ev->ret);
	else
		snprintf(s, len, NL(n, "← %s after %s: %s (pthread_create said 0: done; the "
				       "thread's tid is in its own first line)",
				       "← %s，用时 %s：%s（pthread_create 返回 0：成功；新线程的 "
				       "tid 在它自己的第一行里）"), narrate__call(ev), d, what);
}

/* The queue's depth now, and whether the actor put a request in or took
 * one out (against the depth before). */
static void workq_line(struct narrator *n, const struct trace_ev *ev, char *s, size_t len)
{
	struct trace_ev q;
	bool had = queue_now(n, ev->actor, &q);
	const char *tail = ev->n == ev->arg ? NL(n, ": the queue is full", "：队列满了") :
			   ev->n == 0 ? NL(n, ": the queue is empty", "：队列空了") : "";
	char f[160] = "", fds[200] = "";

	if (ev->nfds > 0)
		snprintf(fds, sizeof fds, NL(n, " (fds %s)", "（fd %s）"), fds_words(ev, f, sizeof f));
	if (had && ev->n > q.n)
		snprintf(s, len, NL(n, "  puts a request in the queue: %d/%d%s%s",
				       "  把一个请求放进队列：现有 %d/%d%s%s"), ev->n, ev->arg, fds, tail);
	else if (had && ev->n < q.n)
		snprintf(s, len, NL(n, "  takes a request from the queue: %d/%d left%s%s",
				       "  从队列里取走一个请求：还剩 %d/%d%s%s"), ev->n, ev->arg, fds, tail);
	else
		snprintf(s, len, NL(n, "  the queue holds %d of %d requests%s%s",
				       "  队列里有 %d 个请求，最多 %d 个%s%s"), ev->n, ev->arg, fds, tail);
}

int narrate__server(struct narrator *n, const struct trace_ev *ev, char *s, size_t len)
{
	if (ev->kind == TRACE_SET && ev->what == TRACE_SET_WORKQ) {
		workq_line(n, ev, s, len);
		return 1;
	}
	if (ev->kind != TRACE_ENTER && ev->kind != TRACE_EXIT)
		return 0;
	if (ev->call == TRACE_CALL_FUTEX && ev->kind == TRACE_ENTER)
		futex_enter(n, ev, s, len);
	else if (ev->call == TRACE_CALL_FUTEX)
		futex_exit(n, ev, s, len);
	else if (ev->call == TRACE_CALL_CLONE && ev->kind == TRACE_ENTER)
		snprintf(s, len, NL(n, "→ %s: asks the kernel for a new thread or process",
				       "→ %s：请内核创建一个新线程或进程"), narrate__call(ev));
	else if (ev->call == TRACE_CALL_CLONE)
		clone_exit(n, ev, s, len);
	else
		return 0;
	return 1;
}
