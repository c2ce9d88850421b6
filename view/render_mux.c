/* render_mux.c: how ready fds move: select's set going in (its bytes),
 * the fds the kernel polled, what came back, and the program's own scan,
 * beside epoll's interest list, its ready list and epoll_wait returning
 * only what is on it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view/narrate.h"
#include "view/render_int.h"

static const struct trace_ev *at(const struct tui_state *s, long i)
{
	return i >= 0 ? render__ev(s, (size_t)i) : NULL;
}

/* An fd of a set and whether it has write interest (or came back writable). */
struct fd_out {
	int fd;
	bool out;
};

static int cmp_fd(const void *a, const void *b)
{
	int x = ((const struct fd_out *)a)->fd, y = ((const struct fd_out *)b)->fd;

	return (x > y) - (x < y);
}

/* The event's first `shown` fds, in order, each with "+OUT" when it has
 * write interest, and how many more ("9 12+OUT +3"). */
static const char *fds_n(const struct trace_ev *ev, int shown, char *buf, size_t len)
{
	struct fd_out sorted[TRACE_FDS_INLINE];
	int n;
	size_t o = 0;
	unsigned more;

	buf[0] = '\0';
	if (ev == NULL)
		return "";
	n = ev->nfds < TRACE_FDS_INLINE ? ev->nfds : TRACE_FDS_INLINE;
	n = n < 0 ? 0 : n;
	for (int i = 0; i < n; i++)
		sorted[i] = (struct fd_out){ ev->fd_list[i], (ev->outs >> i) & 1u };
	qsort(sorted, (size_t)n, sizeof sorted[0], cmp_fd);
	shown = shown < n ? shown : n;
	for (int i = 0; i < shown && o + 16 < len; i++)
		o += (size_t)snprintf(buf + o, len - o, i ? " %d%s" : "%d%s", sorted[i].fd,
				      sorted[i].out ? "+OUT" : "");
	more = ev->fds_more + (unsigned)(n - shown);
	if (more > 0)
		snprintf(buf + o, len - o, shown ? " +%u" : "+%u", more);
	return buf;
}

/* A side's title bar: " S · what it does ", cut at a whole word. */
static void side_title(struct grid *g, const struct tui_state *s, int x, int y, int w, int actor,
		       const char *what)
{
	char t[256], fit[256];

	snprintf(t, sizeof t, " %s · %s ", narrate_actor(s->t, actor), what);
	render__fit(fit, sizeof fit, t, w, s->ascii);
	grid_put(g, x, y, ROLE_TITLE, fit, w);
}

static void row(struct grid *g, const struct tui_state *s, int x, int y, int w, const char *label,
		int role, const char *text)
{
	char fit[256];

	grid_put(g, x, y, ROLE_DIM, label, 12);
	render__fit(fit, sizeof fit, text, w - 12, s->ascii);
	grid_put(g, x + 12, y, role, fit, w - 12);
}

/* pre{fds}post in cols columns: every fd and post if they fit, else as
 * many fds as fit ("{9 12 +3}") with post, else without post.  Never a
 * list cut open or a number without its unit. */
static void fds_text(char *t, size_t len, int cols, const char *pre, const struct trace_ev *ev,
		     const char *post)
{
	int n = ev != NULL ? ev->nfds : 0;
	char b[160];

	for (int pass = 0; pass < 2; pass++)
		for (int shown = n; shown >= (pass == 0 && n > 0 ? 1 : 0); shown--) {
			snprintf(t, len, "%s{%s}%s", pre, fds_n(ev, shown, b, sizeof b), pass ? "" : post);
			if (grid_width(t) <= cols)
				return;
		}
}

/* The totals row; compact when the side is narrow (80 columns, two sides).
 * select and poll: the bytes of their sets copied in and the fds the
 * kernel polled, when the trace recorded them (older ones did not: then
 * the descriptors handed in); epoll: its epoll_ctl calls and the events
 * that came back. */
/* A traced program's totals: its scan of what came back is in user
 * space, which ptrace does not see, so it is not counted. */
static void totals_unseen(struct grid *g, const struct tui_state *s, const struct view_actor *a,
			  int x, int y, int w, bool cost, bool epoll, unsigned long long in,
			  unsigned long long mid)
{
	unsigned long long n = a->waits;
	char t[200];

	if (cost)
		snprintf(t, sizeof t, L2(s, n == 1 ? "%llu wait: in %llu B · polled %llu" :
					 "%llu waits: in %llu B · polled %llu",
					 "等待 %llu 次：传入 %llu 字节 · 轮询 %llu"), n, in, mid);
	else if (epoll)
		snprintf(t, sizeof t, L2(s, n == 1 ? "%llu wait: in %llu · back %llu" :
					 "%llu waits: in %llu · back %llu",
					 "等待 %llu 次：传入 %llu · 返回 %llu"), n, in, mid);
	else
		snprintf(t, sizeof t, L2(s, n == 1 ? "%llu wait: in %llu" : "%llu waits: in %llu",
					 "等待 %llu 次：传入 %llu"), n, in);
	if (w < 60)
		grid_printf(g, x, y, ROLE_DIM, w, "%s%s", L2(s, "so far: ", "累计："), t);
	else
		row(g, s, x, y, w, L2(s, "so far", "累计"), ROLE_DIM, t);
}

static void totals(struct grid *g, const struct tui_state *s, const struct view_actor *a,
		   int x, int y, int w)
{
	unsigned long long in = a->handed_in, mid = a->checked, sc = a->scanned;
	bool cost = a->costed > 0 || a->pend_cost, epoll = !(a->caps & TRACE_CAP_SET);
	char t[200];

	if ((a->caps & TRACE_CAP_LOOP) && w < 60) {  /* its epoll_ctl calls are not traced */
		snprintf(t, sizeof t, L2(s, "so far: back %llu·called back %llu",
					 "累计：返回 %llu·回调 %llu"), mid, sc);
		grid_printf(g, x, y, ROLE_DIM, w, "%s", t);
		return;
	}
	if (a->caps & TRACE_CAP_LOOP) {
		snprintf(t, sizeof t, L2(s, a->waits == 1 ? "%llu wait: back %llu · called back %llu" :
					 "%llu waits: back %llu · called back %llu",
					 "等待 %llu 次：返回 %llu · 回调 %llu"),
			 (unsigned long long)a->waits, mid, sc);
		row(g, s, x, y, w, L2(s, "so far", "累计"), ROLE_DIM, t);
		return;
	}

	if (cost) {
		in = a->copied_in;
		mid = a->polled;
	}
	if (trace_attached(s->t)) {
		totals_unseen(g, s, a, x, y, w, cost, epoll, in, mid);
		return;
	}
	if (w < 60) {           /* no label column: the whole side for the numbers */
		if (cost)
			snprintf(t, sizeof t, L2(s, "so far: in %llu B·polled %llu·scanned %llu",
						 "累计：传入 %llu 字节·轮询 %llu·扫描 %llu"), in, mid, sc);
		else if (epoll)
			snprintf(t, sizeof t, L2(s, "so far: in %llu·back %llu·scanned %llu",
						 "累计：传入 %llu·返回 %llu·扫描 %llu"), in, mid, sc);
		else
			snprintf(t, sizeof t, L2(s, "so far: in %llu·scanned %llu",
						 "累计：传入 %llu·扫描 %llu"), in, sc);
		grid_printf(g, x, y, ROLE_DIM, w, "%s", t);
		return;
	}
	if (cost)
		snprintf(t, sizeof t, L2(s, a->waits == 1 ? "%llu wait: in %llu B · polled %llu · scanned %llu" :
					 "%llu waits: in %llu B · polled %llu · scanned %llu",
					 "等待 %llu 次：传入 %llu 字节 · 轮询 %llu · 扫描 %llu"),
			 (unsigned long long)a->waits, in, mid, sc);
	else if (epoll)
		snprintf(t, sizeof t, L2(s, a->waits == 1 ? "%llu wait: in %llu · back %llu · scanned %llu" :
					 "%llu waits: in %llu · back %llu · scanned %llu",
					 "等待 %llu 次：传入 %llu · 返回 %llu · 扫描 %llu"),
			 (unsigned long long)a->waits, in, mid, sc);
	else
		snprintf(t, sizeof t, L2(s, a->waits == 1 ? "%llu wait: in %llu · scanned %llu" :
					 "%llu waits: in %llu · scanned %llu",
					 "等待 %llu 次：传入 %llu · 扫描 %llu"),
			 (unsigned long long)a->waits, in, sc);
	row(g, s, x, y, w, L2(s, "so far", "累计"), ROLE_DIM, t);
}

/* The cost of the call in progress or just returned (TRACE_F_COST): its
 * exit's when it has returned, else its enter's; NULL when not recorded. */
static const struct trace_ev *cost_ev(const struct view_actor *a, const struct trace_ev *in,
				      const struct trace_ev *out)
{
	if (out != NULL && a->mux_exit > a->mux_enter && (out->flags & TRACE_F_COST))
		return out;
	return in != NULL && (in->flags & TRACE_F_COST) ? in : NULL;
}

/* What went in: select's bitmap, poll's array; the bytes when recorded. */
static void in_row(struct grid *g, const struct tui_state *s, int x, int y, int w, bool sel,
		   const struct trace_ev *in, const struct trace_ev *c)
{
	char b[160], t[200];
	int n = in ? in->n : 0;
	bool wide = w - 12 >= 40;    /* room for the words, not only the unit */

	if (c != NULL && sel)
		snprintf(b, sizeof b, wide ? L2(s, "%u B of bitmap, nfds %d  ", "位图 %u 字节，nfds %d  ") :
				      L2(s, "%u B, nfds %d ", "%u 字节，nfds %d "), c->copied_in, n);
	else if (c != NULL)
		snprintf(b, sizeof b, wide ? L2(s, "%u B of array, %d entries  ", "数组 %u 字节，%d 项  ") :
				      L2(s, "%u B, %d entries ", "%u 字节，%d 项 "), c->copied_in, n);
	else
		snprintf(b, sizeof b, "%s %d  ", sel ? "nfds" : L2(s, "entries", "项数"), n);
	fds_text(t, sizeof t, w - 12, b, in, "");
	row(g, s, x, y, w, L2(s, "handed in", "交给内核"), ROLE_TEXT, t);
}

/* What the kernel did: the fds it polled, what came back (its bytes when
 * recorded, dropped before the fds when the side is too narrow for both). */
static void kernel_row(struct grid *g, const struct tui_state *s, int x, int y, int w,
		       const struct trace_ev *out, const struct trace_ev *c)
{
	char b[160], t[200];
	bool back = out != NULL && (out->flags & TRACE_F_COST);

	/* The last call that returned: a new one may already be waiting. */
	if (c != NULL && back) {
		snprintf(b, sizeof b, L2(s, "polled %d · back %u B ", "轮询 %d 个 · 返回 %u 字节 "),
			 c->polled, out->copied_out);
		fds_text(t, sizeof t, w - 12, b, out, "");
		if (grid_width(t) <= w - 12 && (out->nfds == 0 ||
		    (strstr(t, "{}") == NULL && strstr(t, "{+") == NULL))) {
			row(g, s, x, y, w, L2(s, "kernel", "内核"), ROLE_WAIT, t);
			return;
		}
	}
	if (out == NULL) {      /* the first call has not returned: nothing came back */
		if (c != NULL)
			snprintf(t, sizeof t, L2(s, "polled %d · nothing back yet (asleep in the call)",
						 "轮询 %d 个 · 还没有返回（在调用里睡眠）"), c->polled);
		else
			snprintf(t, sizeof t, "%s", L2(s, "nothing back yet (asleep in the call)",
						       "还没有返回（在调用里睡眠）"));
		if (grid_width(t) > w - 12)     /* a narrow side: the words that matter */
			snprintf(t, sizeof t, "%s", L2(s, "nothing back yet", "还没有返回"));
		row(g, s, x, y, w, L2(s, "kernel", "内核"), ROLE_WAIT, t);
		return;
	}
	if (c != NULL)
		snprintf(b, sizeof b, L2(s, "polled %d · back ", "轮询 %d 个 · 返回 "), c->polled);
	else
		snprintf(b, sizeof b, "%s", L2(s, "back ", "返回 "));
	fds_text(t, sizeof t, w - 12, b, out, "");
	row(g, s, x, y, w, L2(s, "kernel", "内核"), ROLE_WAIT, t);
}

/* select or poll: the whole set goes in each call; the kernel polls the
 * watched fds; the program scans what came back. */
static void scan_side(struct grid *g, const struct tui_state *s, int actor, int x, int y, int w, int h)
{
	const struct view_actor *a = view_actor_c(s->v, actor);   /* render__is_mux */
	const struct trace_ev *in = at(s, a->mux_enter), *out = at(s, a->mux_exit);
	const struct trace_ev *sc = at(s, a->mux_scan), *c = cost_ev(a, in, out);
	bool sel = render__caps(s, actor) & TRACE_CAP_BITMAP;
	char b[160], t[200];

	side_title(g, s, x, y, w, actor,
		   sel ? L2(s, "select: the whole set, every call", "select：每次都交出整个集合") :
			 L2(s, "poll: the whole array, every call", "poll：每次都交出整个数组"));
	if (h < 2)
		return;
	if (a->refused && (h < 3 || grid_width(L2(s, "an fd at or above FD_SETSIZE (1024): never handed to select",
						    "描述符不小于 FD_SETSIZE（1024）：根本没有交给 select")) <= w - 12)) {
		row(g, s, x, y + 1, w, L2(s, "refused", "拒绝"), ROLE_ALERT,
		    L2(s, "an fd at or above FD_SETSIZE (1024): never handed to select",
		       "描述符不小于 FD_SETSIZE（1024）：根本没有交给 select"));
		return;
	}
	if (a->refused) {       /* a narrow side: the reason on two rows, whole */
		row(g, s, x, y + 1, w, L2(s, "refused", "拒绝"), ROLE_ALERT,
		    L2(s, "an fd at or above 1024", "描述符不小于 1024"));
		row(g, s, x, y + 2, w, "", ROLE_ALERT, L2(s, "never handed to select", "根本没有交给 select"));
		return;
	}
	in_row(g, s, x, y + 1, w, sel, in, c);
	if (h > 2)
		kernel_row(g, s, x, y + 2, w, out, c);
	if (h > 3 && sc != NULL && trace_attached(s->t)) {
		/* a traced program's own scan is not seen: only what came back */
		fds_text(t, sizeof t, w - 12, L2(s, "scans in user space (unseen) for ",
						 "在用户态扫描（看不到），找 "), sc, "");
		row(g, s, x, y + 3, w, L2(s, "program", "程序"), ROLE_DIM, t);
	} else if (h > 3 && sc == NULL && trace_attached(s->t)) {
		row(g, s, x, y + 3, w, L2(s, "program", "程序"), ROLE_DIM,
		    L2(s, "scans in user space: not seen from outside", "在用户态扫描：从外面看不到"));
	} else if (h > 3 && sc == NULL) {
		row(g, s, x, y + 3, w, L2(s, "program", "程序"), ROLE_DIM,
		    L2(s, "nothing to scan yet", "还没有可扫描的"));
	} else if (h > 3) {
		snprintf(b, sizeof b, L2(s, "scanned %d to find ", "扫描 %d 个才找到 "), sc->n);
		fds_text(t, sizeof t, w - 12, b, sc, "");
		row(g, s, x, y + 3, w, L2(s, "program", "程序"), ROLE_POLL, t);
	}
	if (h > 4)
		totals(g, s, a, x, y + 4, w);
}

/* epoll: registered once; the ready list; only the ready come back. */
static void ready_side(struct grid *g, const struct tui_state *s, int actor, int x, int y, int w, int h)
{
	const struct view_actor *a = view_actor_c(s->v, actor);   /* render__is_mux */
	const struct trace_ev *out = at(s, a->mux_exit), *reg = at(s, a->mux_interest);
	bool et = render__caps(s, actor) & TRACE_CAP_EDGE;
	char b[160], t[200];
	size_t o = 0;

	side_title(g, s, x, y, w, actor,
		   et ? L2(s, "epoll, edge-triggered", "epoll，边缘触发") :
			L2(s, "epoll, level-triggered", "epoll，水平触发"));
	if (h < 2)
		return;
	/* A library's loop (libuv) registers them where no probe sees. */
	fds_text(t, sizeof t, w - 12, "", reg, (a->caps & TRACE_CAP_LOOP) ?
		 L2(s, " registered inside libuv", "（由 libuv 在内部登记）") :
		 L2(s, " added once each", "（每个只登记一次）"));
	row(g, s, x, y + 1, w, L2(s, "interest", "关注列表"), ROLE_TEXT, t);
	if (h > 2) {
		b[0] = '\0';
		for (int i = 0; i < a->nready && o + 12 < sizeof b; i++)
			o += (size_t)snprintf(b + o, sizeof b - o, i ? " %d" : "%d", a->ready[i]);
		if (a->nready == 0 && a->last_ready_fd >= 0 && a->last_taken_t >= 0) {
			char d[32];

			narrate_dur(a->last_taken_t - a->last_ready_t, d, sizeof d);
			/* Shorter sentences, not a cut one: the time keeps its unit. */
			snprintf(t, sizeof t, L2(s, "{}  fd %d was on it for %s, until epoll_wait took it",
						 "{}  fd %d 在上面停留了 %s，直到被 epoll_wait 取走"),
				 a->last_ready_fd, d);
			if (grid_width(t) > w - 12)
				snprintf(t, sizeof t, L2(s, "{}  fd %d was on it for %s", "{}  fd %d 停留了 %s"),
					 a->last_ready_fd, d);
			if (grid_width(t) > w - 12)
				snprintf(t, sizeof t, "{}  fd %d: %s", a->last_ready_fd, d);
		} else {
			snprintf(t, sizeof t, "{%s}%s", a->nready ? b : "",
				 a->nready ? L2(s, " ← put there by the kernel's callback",
						   " ← 内核回调放进来的") : "");
		}
		row(g, s, x, y + 2, w, L2(s, "ready list", "就绪列表"), a->nready ? ROLE_READY : ROLE_TEXT, t);
	}
	if (h > 3 && out == NULL) {      /* the first epoll_wait has not returned */
		row(g, s, x, y + 3, w, "epoll_wait", ROLE_WAIT,
		    L2(s, "nothing returned yet (asleep in it)", "还没有返回（在里面睡眠）"));
	} else if (h > 3) {
		char post[64];

		snprintf(b, sizeof b, L2(s, "returned %lld ", "返回 %lld 个 "), (long long)(out ? out->ret : 0));
		snprintf(post, sizeof post, L2(s, "; touched %lld", "；只处理 %lld 个"),
			 (long long)(out ? out->ret : 0));
		fds_text(t, sizeof t, w - 12, b, out, post);
		row(g, s, x, y + 3, w, "epoll_wait", ROLE_WAIT, t);
	}
	if (h > 4)
		totals(g, s, a, x, y + 4, w);
}

static void side(struct grid *g, const struct tui_state *s, int actor, int x, int y, int w, int h)
{
	if (render__is_epoll(s, actor))
		ready_side(g, s, actor, x, y, w, h);
	else
		scan_side(g, s, actor, x, y, w, h);
}

/* Two multiplexers side by side: a scanning one (select, poll) beside an
 * epoll when the scenario has both, else the first two; one alone takes
 * the whole width. */
void render__mux(struct grid *g, const struct tui_state *s, int y, int h)
{
	int scan = -1, ready = -1, pick[2] = { -1, -1 }, n = 0;

	for (int i = 1; i < s->v->nactors; i++) {
		if (!render__is_mux(s, i))
			continue;
		if (render__is_epoll(s, i) && ready < 0)
			ready = i;
		else if (!render__is_epoll(s, i) && scan < 0)
			scan = i;
		if (n < 2)
			pick[n++] = i;
	}
	if (scan >= 0 && ready >= 0) {
		pick[0] = scan;
		pick[1] = ready;
	}
	if (pick[1] >= 0) {
		int half = g->w / 2;

		side(g, s, pick[0], 0, y, half - 1, h);
		for (int r = y; r < y + h; r++)
			grid_set(g, half - 1, r, ROLE_DIM, render__glyphs(s)->vrule);
		side(g, s, pick[1], half + 1, y, g->w - half - 1, h);
	} else if (pick[0] >= 0) {
		side(g, s, pick[0], 0, y, g->w, h);
	}
}
