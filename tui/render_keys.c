/* render_keys.c: the text around the panes: the title bar, the key bar,
 * the help box and the "too small" notice. */
#include <stdio.h>

#include "tui/render_int.h"

void render__title_bar(struct grid *g, const struct tui_state *s)
{
	const struct glyphs *gl = render__glyphs(s);
	char right[96];
	int rw;

	grid_fill(g, 0, 0, g->w, ROLE_TITLE, L' ');
	snprintf(right, sizeof right, " %s %d/%d · %s %g× %s",
		 L2(s, "step", "步骤"), s->v->step + 1, s->steps,
		 s->playing ? gl->play : gl->pause, s->speed,
		 s->waiting ? L2(s, "· running to quiet ", "· 运行到静止 ") :
		 s->ended ? L2(s, "· the end ", "· 结束 ") : "");
	rw = grid_width(right);
	grid_printf(g, 0, 0, ROLE_TITLE, g->w - rw - 1, " ioscope · %s%s%s · %s",
		    trace_hdr_c(s->t)->scenario, *s->title ? ": " : "", s->title,
		    s->live ? L2(s, "live", "实时") : L2(s, "replay", "回放"));
	grid_put(g, g->w - rw, 0, ROLE_TITLE, right, rw);
}

void render__keys_bar(struct grid *g, const struct tui_state *s, int y)
{
	static const char *const en[] = { "space", "play", "→", "step", "←", "back",
		"+/-", "speed", "m", "model", "t", "theme", "?", "help", "q", "quit" };
	static const char *const zh[] = { "空格", "播放", "→", "单步", "←", "后退",
		"+/-", "速度", "m", "模型", "t", "主题", "?", "帮助", "q", "退出" };
	const char *const *k = s->lang == 1 ? zh : en;
	int x = 1;

	grid_fill(g, 0, y, g->w, ROLE_TITLE, L' ');
	if (s->prompt != NULL || s->note != NULL || s->keys != NULL) {
		grid_put(g, 1, y, ROLE_TITLE, s->prompt ? s->prompt : s->note ? s->note : s->keys,
			 g->w - 2);
		return;
	}
	for (int i = 0; i < 16 && x < g->w - 1; i += 2) {
		if (!s->live && (i == 8))           /* no model switch in a replay */
			continue;
		x += grid_put(g, x, y, ROLE_KEY, k[i], g->w - x);
		x += grid_printf(g, x, y, ROLE_TITLE, g->w - x, " %s  ", k[i + 1]);
	}
}

void render__help_box(struct grid *g, const struct tui_state *s)
{
	static const char *const en[] = {
		"space      play / pause",
		"→  l       step: the next scripted action, then until every thread is quiet",
		"←  h       step back (the view goes back; the run does not)",
		"Home End   first / last event      g  go to step (number, Enter)",
		".  ,       one event forward / back (watch the ready list fill)",
		"+  -       speed ×2 / ÷2",
		"m          switch model and run again (live)",
		"i          inject data now: then the actor's letter (live)",
		"t          theme: default, classroom, monochrome",
		"?          this list        q  quit",
		"", "Colours and glyphs: █ blocked  ▓ copying  ░ waiting for data",
		"· doing other things  ? nothing yet (EAGAIN)  ↓ data arrived  ◆ ready",
	};
	static const char *const zh[] = {
		"空格       播放 / 暂停",
		"→  l       单步：执行下一个脚本动作，直到所有线程静止",
		"←  h       后退一步（只回退视图，不回退运行）",
		"Home End   第一个 / 最后一个事件   g  跳到某一步（数字，回车）",
		".  ,       前进 / 后退一个事件（看就绪列表如何变化）",
		"+  -       速度 ×2 / ÷2",
		"m          换一个模型重新运行（实时）",
		"i          立即注入数据：再按角色字母（实时）",
		"t          主题：默认、课堂、单色",
		"?          本列表        q  退出",
		"", "颜色与符号：█ 阻塞  ▓ 复制  ░ 等待数据",
		"· 做别的事  ? 还没有（EAGAIN）  ↓ 数据到达  ◆ 就绪",
	};
	const char *const *t = s->lang == 1 ? zh : en;
	int n = 13, w = g->w - 8 < 78 ? g->w - 8 : 78, x = (g->w - w) / 2, y = (g->h - n - 2) / 2;

	for (int r = 0; r < n + 2; r++)
		grid_fill(g, x - 1, y + r, w + 2, ROLE_TITLE, L' ');
	for (int i = 0; i < n; i++)
		grid_put(g, x + 1, y + 1 + i, ROLE_TITLE, t[i], w - 2);
}

void render__too_small(struct grid *g, const struct tui_state *s)
{
	char m[160];

	snprintf(m, sizeof m, L2(s, "ioscope needs %d×%d; this terminal is %d×%d. Enlarge it, or press q.",
				    "ioscope 需要 %d×%d；当前终端为 %d×%d。请放大窗口，或按 q 退出。"),
		 TUI_MIN_W, TUI_MIN_H, g->w, g->h);
	render__wrap(g, 1, g->h / 2 > 0 ? g->h / 2 - 1 : 0, g->w - 2, 3, ROLE_ALERT, m);
}
