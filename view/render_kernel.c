/* render_kernel.c: the kernel's own word on each thread, from the /proc
 * sampler: asleep (and where), running, finished. */
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

/* "asleep in the kernel", or "asleep" where the long words would cut the
 * wchan, which the lessons name (80 columns). */
static const char *asleep_words(const struct grid *g, const struct tui_state *s,
				const struct view_actor *a, int actor)
{
	const char *lng = L2(s, "asleep in the kernel", "在内核中睡眠");
	char text[512];

	snprintf(text, sizeof text, "%-6s tid %d  %c %s  %s  wchan %s", narrate_actor(s->t, actor),
		 a->tid, a->state, lng, a->syscall, *a->wchan ? a->wchan : "?");
	return grid_width(text) <= g->w ? lng : L2(s, "asleep", "在睡眠");
}

/* The kernel's word, per thread, from the sampler. */
void render__kernel(struct grid *g, const struct tui_state *s, int y, int h)
{
	int r = y;

	for (int i = 1; i < s->v->nactors && r < y + h; i++) {
		const struct view_actor *a = &s->v->actors[i];

		if (!render__is_model(s, i))
			continue;
		if (a->done)
			kline(g, s, r, ROLE_DIM, "%-6s %s", narrate_actor(s->t, i),
			      L2(s, "finished", "已结束"));
		else if (a->have_helper && a->call == 0)
			kline(g, s, r, ROLE_BLOCKED, "%-6s %s tid %d  %c %s  %s  wchan %s",
			      narrate_actor(s->t, i),
			      L2(s, "not in a call; glibc's helper thread", "不在调用中；glibc 的辅助线程"),
			      a->helper_tid, a->helper_state, L2(s, "asleep", "在睡眠"),
			      a->helper_syscall, *a->helper_wchan ? a->helper_wchan : "?");
		else if (a->have_state && a->state == 'S')
			kline(g, s, r, ROLE_BLOCKED, "%-6s tid %d  %c %s  %s  wchan %s",
			      narrate_actor(s->t, i), a->tid, a->state, asleep_words(g, s, a, i),
			      a->syscall, *a->wchan ? a->wchan : "?");
		else if (a->have_state)
			kline(g, s, r, ROLE_RUNNING, "%-6s tid %d  %c  %s", narrate_actor(s->t, i),
			      a->tid, a->state, a->syscall);
		else
			kline(g, s, r, a->idle ? ROLE_IDLE : ROLE_DIM, "%-6s %s", narrate_actor(s->t, i),
			      a->call ? L2(s, "in a call, not sampled yet", "在调用中，尚未采样") :
			      a->idle ? L2(s, "doing something else: not in a system call",
					 "在做别的事：不在系统调用中") :
				    L2(s, "running in user space", "在用户态运行"));
		r++;
	}
}
