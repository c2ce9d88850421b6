/* render_kernel.c: the kernel's own word on each thread, from the /proc
 * sampler: asleep (and where), running, finished. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "view/narrate.h"
#include "view/render_int.h"

/* One line of the kernel's word; a kernel function's name that does not
 * fit is cut with "…", not dropped. */
static void kline(struct grid *g, const struct tui_state *s, int y, int role, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void kline(struct grid *g, const struct tui_state *s, int y, int role, const char *fmt, ...)
{
	char text[512], fit[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	render__fit_chars(fit, sizeof fit, text, g->w, s->ascii);
	grid_put(g, 0, y, role, fit, 0);
}

/* The run's own process: the pid of the first of the header's actors
 * whose pid the trace gives (a live run's model threads are ioscope's);
 * 0 when none does. */
static int own_pid(const struct tui_state *s)
{
	const struct trace_hdr *h = trace_hdr_c(s->t);

	for (int i = 1; i < h->nstart; i++) {
		const struct view_actor *a = view_actor_c(s->v, i);

		if (a != NULL && a->pid != 0)
			return a->pid;
	}
	return 0;
}

/* "tid 4301", or "tid 4301 pid 4300" for a thread of another process
 * than the run's own (a child's). */
static const char *tid_words(char *buf, size_t len, int tid, int pid, int own)
{
	if (pid != 0 && own != 0 && pid != own)
		snprintf(buf, len, "tid %d pid %d", tid, pid);
	else
		snprintf(buf, len, "tid %d", tid);
	return buf;
}

/* "asleep in the kernel", or "asleep" where the long words would cut the
 * wchan, which the lessons name (80 columns). */
static const char *asleep_words(const struct grid *g, const struct tui_state *s,
				const struct view_actor *a, int actor, const char *who)
{
	const char *lng = L2(s, "asleep in the kernel", "在内核中睡眠");
	char text[512];

	snprintf(text, sizeof text, "%-6s %s  %c %s  %s  wchan %s", narrate_actor(s->t, actor),
		 who, a->state, lng, a->syscall, *a->wchan ? a->wchan : "?");
	return grid_width(text) <= g->w ? lng : L2(s, "asleep", "在睡眠");
}

/* What the scheduler's thread is doing, from its own row's words: "sleeps
 * in epoll_wait", "is running". */
static const char *thread_words(const struct tui_state *s, const struct view_actor *p,
				char *buf, size_t len)
{
	if (p == NULL || p->gone || p->done)
		snprintf(buf, len, "%s", L2(s, "has ended", "已结束"));
	else if (p->have_state && (p->state == 'S' || p->state == 'D') && p->syscall != NULL)
		snprintf(buf, len, L2(s, "sleeps in %s", "在 %s 中睡眠"), p->syscall);
	else if (view_actor_asleep(p))
		snprintf(buf, len, L2(s, "sleeps in %s", "在 %s 中睡眠"), trace_call_name(p->call));
	else
		snprintf(buf, len, "%s", L2(s, "is running (the loop, or another coroutine)",
					    "在运行（事件循环，或另一个协程）"));
	return buf;
}

/* A coroutine has no kernel thread of its own: the one that runs it is
 * its scheduler's (its parent), whatever it is doing now. */
static void coroutine_row(struct grid *g, const struct tui_state *s, int r, int i,
			  const struct view_actor *a)
{
	const struct trace_hdr *h = trace_hdr_c(s->t);
	int p = h->actors[i].parent;
	const char *sched = p >= 0 && p < h->nactors ? h->actors[p].name : "?";
	char what[128];

	thread_words(s, p >= 0 ? view_actor_c(s->v, p) : NULL, what, sizeof what);
	if (view_actor_parked(a))
		kline(g, s, r, ROLE_WAIT, L2(s, "%-6s parked in user space · its thread %s %s",
					     "%-6s 停在用户态 · 它的线程 %s %s"),
		      narrate_actor(s->t, i), sched, what);
	else
		kline(g, s, r, ROLE_RUNNING, L2(s, "%-6s runs on its thread, %s's · no thread of its own",
						"%-6s 在 %s 的线程上运行 · 它没有自己的线程"),
		      narrate_actor(s->t, i), sched);
}

/* One actor's row: the kernel's word on its thread, from the sampler. */
static void actor_row(struct grid *g, const struct tui_state *s, int r, int i,
		      const struct view_actor *a, int own)
{
	char who[64];

	tid_words(who, sizeof who, a->tid, a->pid, own);
	if ((a->caps & TRACE_CAP_COROUTINE) && !a->gone && !a->done)
		coroutine_row(g, s, r, i, a);
	else if (a->gone)
		kline(g, s, r, ROLE_DIM, "%-6s %s", narrate_actor(s->t, i), L2(s, "ended", "已结束"));
	else if (a->done)
		kline(g, s, r, ROLE_DIM, "%-6s %s", narrate_actor(s->t, i),
		      L2(s, "finished", "已结束"));
	else if (a->have_helper && a->call == 0)
		kline(g, s, r, ROLE_BLOCKED, "%-6s %s tid %d  %c %s  %s  wchan %s",
		      narrate_actor(s->t, i),
		      L2(s, "not in a call; glibc's helper thread", "不在调用中；glibc 的辅助线程"),
		      a->helper_tid, a->helper_state, L2(s, "asleep", "在睡眠"),
		      a->helper_syscall, *a->helper_wchan ? a->helper_wchan : "?");
	else if (a->have_state && a->state == 'S')
		kline(g, s, r, ROLE_BLOCKED, "%-6s %s  %c %s  %s  wchan %s",
		      narrate_actor(s->t, i), who, a->state, asleep_words(g, s, a, i, who),
		      a->syscall, *a->wchan ? a->wchan : "?");
	else if (a->have_state)
		kline(g, s, r, ROLE_RUNNING, "%-6s %s  %c  %s", narrate_actor(s->t, i),
		      who, a->state, a->syscall);
	else
		kline(g, s, r, a->idle ? ROLE_IDLE : ROLE_DIM, "%-6s %s", narrate_actor(s->t, i),
		      a->call ? L2(s, "in a call, not sampled yet", "在调用中，尚未采样") :
		      a->idle && (a->caps & TRACE_CAP_QUEUE) ?
			    L2(s, "working on a request: not in a system call",
			       "在处理请求：不在系统调用中") :
		      a->idle ? L2(s, "doing something else: not in a system call",
				 "在做别的事：不在系统调用中") :
			    L2(s, "running in user space", "在用户态运行"));
}

/* The pane's actors into sc->order, in the lanes' order: those with a
 * lane that have appeared by the cursor; with leavers (those that ended)
 * or without.  Returns how many, -ENOMEM. */
static int kernel_order(const struct tui_state *s, struct lanes_scratch *sc, bool leavers)
{
	int n, k = 0;

	if (render__lanes_fit(sc, trace_hdr_c(s->t)->nactors) != 0)
		return -ENOMEM;
	n = render__lane_order(s->t, sc);
	for (int i = 0; i < n; i++) {
		const struct view_actor *a = view_actor_c(s->v, sc->order[i]);

		if (a != NULL && (leavers || !a->gone))
			sc->order[k++] = sc->order[i];
	}
	return k;
}

int render__kernel_height(const struct tui_state *s)
{
	struct lanes_scratch *sc = &s->scratch->kern;
	int n = kernel_order(s, sc, true);

	if (n < 0)
		return 0;
	return n;
}

/* The plan of render__kernel in h rows: sc's lanes; returns how many are
 * shown, *n the actors planned, *hidden those left out. */
static int kernel_plan(const struct tui_state *s, struct lanes_scratch *sc, int h, int *n,
		       int *hidden)
{
	int nl;

	if ((*n = kernel_order(s, sc, true)) < 0)
		return -ENOMEM;
	nl = render__lane_plan(s->t, sc, *n, h, 1, render__page_text(s), hidden);
	if (*hidden > 0 && (*n = kernel_order(s, sc, false)) >= 0)
		nl = render__lane_plan(s->t, sc, *n, h, 1, render__page_text(s), hidden);
	return *n < 0 ? -ENOMEM : nl;
}

int render__kernel_rows(const struct tui_state *s, int h)
{
	int n, hidden, nl = kernel_plan(s, &s->scratch->kern, h, &n, &hidden);

	if (nl < 0)
		return h;
	return nl + (hidden > 0 && nl < h);
}

/* The kernel's word, per thread, in the lanes' order and grouped as they
 * are when the rows are short; the actors that ended are left out first. */
void render__kernel(struct grid *g, const struct tui_state *s, int y, int h)
{
	struct lanes_scratch *sc = &s->scratch->kern;
	int n, hidden, own = own_pid(s), nl = kernel_plan(s, sc, h, &n, &hidden);
	char words[512];

	if (nl < 0)
		return;
	for (int l = 0; l < nl; l++) {
		const struct lane *ln = &sc->lanes[l];
		int i = sc->order[ln->first];

		if (ln->group) {
			render__group_words(s, s->v, sc, ln, words, sizeof words);
			kline(g, s, y + l, ROLE_TEXT, "%s", words);
		} else {
			actor_row(g, s, y + l, i, view_actor_c(s->v, i), own);
		}
	}
	if (hidden > 0 && nl < h)
		kline(g, s, y + nl, ROLE_DIM, L2(s, "+%d more (too many for these rows)",
						 "另有 %d 个（行数不够，未显示）"), hidden);
}
