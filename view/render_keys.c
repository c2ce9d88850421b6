/* render_keys.c: the text around the panes: the title bar, the key bar,
 * the help box and the "too small" notice; text cut to fit; the
 * classroom theme's sizes.
 *
 * One table of keys serves the key bar and the help box of every screen,
 * so a key means one thing everywhere.  The key bar shows the most
 * important keys that fit, and always "? help" at its right end. */
#include <stdio.h>
#include <string.h>

#include "view/render_int.h"

const char *tui_theme_name(int theme, int lang)
{
	static const char *const names[THEME_MAX][2] = {
		[THEME_DEFAULT] = { "default", "默认" },
		[THEME_CLASSROOM] = { "classroom", "课堂" },
		[THEME_MONO] = { "monochrome", "单色" },
	};

	if (theme < 0 || theme >= THEME_MAX)
		theme = THEME_DEFAULT;
	return names[theme][lang == LANG_ZH];
}

/* ---- text that fits ---- */

/* Bytes of the UTF-8 character at s (1 for a stray byte); 0 when the
 * string ends inside it (a cut made by someone's snprintf). */
static int char_len(const char *s)
{
	unsigned char c = (unsigned char)*s;
	int n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;

	for (int i = 1; i < n; i++)
		if (s[i] == '\0')
			return 0;
		else if (((unsigned char)s[i] & 0xC0) != 0x80)
			return 1;
	return n;
}

static int one_width(const char *s, int n)
{
	char one[8];

	memcpy(one, s, (size_t)n);
	one[n] = '\0';
	return grid_width(one);
}

/* Punctuation a cut line should not end with. */
static bool trailing_punct(const char *s, size_t n)
{
	static const char *const p[] = { ",", ":", ";", "·", "-", "(", "，", "：", "；", "、", "（" };

	for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) {
		size_t k = strlen(p[i]);

		if (n >= k && memcmp(s + n - k, p[i], k) == 0)
			return true;
	}
	return false;
}

static int fit(char *out, size_t len, const char *text, int cols, bool ascii, bool words)
{
	const char *ell = ascii ? "..." : "…";
	int ew = ascii ? 3 : 1, w = 0, n;
	size_t at = 0, brk = 0;
	bool cut = false;

	if (len == 0)
		return 0;
	while (text[at] != '\0' && (n = char_len(text + at)) > 0) {
		int cw = one_width(text + at, n);

		if (w + cw > cols) {
			cut = true;
			break;
		}
		if (text[at] == ' ' && w <= cols - ew)
			brk = at;
		w += cw;
		at += (size_t)n;
		if (cw == 2 && w <= cols - ew)  /* CJK may break after any character */
			brk = at;
	}
	if (!cut) {                          /* whole, but a character cut short */
		while (text[at] != '\0' && at > 0 && text[at - 1] == ' ')
			at--;
		snprintf(out, len, "%.*s", (int)at, text);
		return grid_width(out);
	}
	if (brk == 0 || !words) {            /* one long word: whole characters */
		for (at = 0, w = 0; text[at] != '\0' && (n = char_len(text + at)) > 0; at += (size_t)n) {
			if (w + one_width(text + at, n) > cols - ew)
				break;
			w += one_width(text + at, n);
		}
		brk = at;
	}
	while (brk > 0) {                    /* no "word," or "word:" before the … */
		size_t c = brk - 1;

		while (c > 0 && ((unsigned char)text[c] & 0xC0) == 0x80)
			c--;
		if (text[c] != ' ' && !trailing_punct(text, brk))
			break;
		brk = c;
	}
	if (cols < ew) {
		out[0] = '\0';
		return 0;
	}
	snprintf(out, len, "%.*s%s", (int)brk, text, ell);
	return grid_width(out);
}

int render__fit(char *out, size_t len, const char *text, int cols, bool ascii)
{
	return fit(out, len, text, cols, ascii, true);
}

int render__fit_chars(char *out, size_t len, const char *text, int cols, bool ascii)
{
	return fit(out, len, text, cols, ascii, false);
}

/* ---- the classroom: larger where the terminal has room ---- */

int render__lane_col_w(const struct grid *g, const struct tui_state *s)
{
	return s->theme == THEME_CLASSROOM && g->w >= 100 ? 2 : 1;
}

int render__story_gap(const struct tui_state *s, int lines, int h)
{
	return s->theme == THEME_CLASSROOM && lines > 0 && 2 * lines - 1 <= h ? 2 : 1;
}

/* ---- the title bar ---- */

void render__title_bar(struct grid *g, const struct tui_state *s)
{
	const struct glyphs *gl = render__glyphs(s);
	const char *dot = s->ascii ? "-" : "·", *mode = s->live ? L2(s, "live", "实时") : L2(s, "replay", "回放");
	const char *command = trace_hdr_c(s->t)->command;
	bool attach = command != NULL;
	/* a traced program's: "attach: python3 srv.py" */
	const char *scn = attach ? "attach" : trace_hdr_c(s->t)->scenario;
	const char *name = attach && *s->title == '\0' ? command : s->title;
	char right[160], title[256], left[512], where[64];
	int rw, room;

	grid_fill(g, 0, 0, g->w, ROLE_TITLE, L' ');
	if (attach)             /* a traced program has no steps: its time */
		snprintf(where, sizeof where, "%.1f s", s->v->t_ns / 1e9);
	else
		snprintf(where, sizeof where, "%s %d/%d", L2(s, "step", "步骤"), s->v->step + 1,
			 s->steps);
	snprintf(right, sizeof right, " %s %s %s %g%s %s%s%s", where, dot,
		 s->playing ? gl->play : gl->pause, s->speed, s->ascii ? "x" : "×",
		 s->waiting || s->ended ? dot : "",
		 s->waiting || s->ended ? " " : "",
		 s->waiting ? L2(s, "running to quiet ", "运行到静止 ") :
		 s->ended ? L2(s, "the end ", "结束 ") : "");
	rw = grid_width(right);
	/* " ioscope · scenario: title · live": the title gives way first,
	 * whole words at a time, then goes. */
	snprintf(left, sizeof left, " ioscope %s %s%s %s", dot, scn, "", dot);
	room = g->w - rw - 1 - grid_width(left) - grid_width(mode) - 1;
	title[0] = '\0';
	if (*name && room >= 8)
		render__fit(title, sizeof title, name, room - 2, s->ascii);
	snprintf(left, sizeof left, " ioscope %s %s%s%s %s %s", dot, scn, *title ? ": " : "", title,
		 dot, mode);
	render__fit(title, sizeof title, left, g->w - rw - 1, s->ascii);
	grid_put(g, 0, 0, ROLE_TITLE, title, g->w - rw - 1);
	grid_put(g, g->w - rw, 0, ROLE_TITLE, right, rw);
}

/* ---- keys ---- */

#define ON_LIVE (1u << TUI_SCREEN_LIVE)
#define ON_REPLAY (1u << TUI_SCREEN_REPLAY)
#define ON_LESSON (1u << TUI_SCREEN_LESSON)
#define ON_MENU (1u << TUI_SCREEN_MENU)
#define ON_RUNS (ON_LIVE | ON_REPLAY | ON_LESSON)

/* When a key is offered, beyond its screens: a key that would do nothing
 * where it is pressed is neither in the key bar nor in the help box. */
enum key_when {
	W_ALWAYS = 0,
	W_PREDICT,                /* a lesson page with a prediction */
	W_RUN,                    /* a run to show (a lesson page may have none) */
	W_SCROLL,                 /* a lesson page longer than its room (the key bar only) */
	W_NEXT_PAGE,              /* n: a page follows */
	W_NEXT_LESSON,            /* n: the last page, a lesson follows */
};

/* A key: its name (UTF-8 and ASCII), what it does in a word for the key
 * bar, in a line for the help box, on which screens, when, and its rank
 * in the key bar (1 first; 0: help box only). */
struct key {
	const char *name, *ascii;
	const char *bar[2];
	const char *help[2];
	unsigned on;
	int rank[TUI_SCREEN_MENU + 1];
	int when;                 /* enum key_when */
	int attach;               /* enum key_attach: a live attach has no
	                             steps, models or speed */
};

enum key_attach {
	A_ANY = 0,                /* as on any live run */
	A_ONLY,                   /* a live attach only */
	A_NEVER,                  /* never on a live attach */
};

static const struct key keys[] = {
	{ "n  Enter", NULL, { "next page", "下一页" }, { "next page", "下一页" },
	  ON_LESSON, { [TUI_SCREEN_LESSON] = 1 }, W_NEXT_PAGE, A_ANY },
	{ "n  Enter", NULL, { "next lesson", "下一课" }, { "the next lesson", "进入下一课" },
	  ON_LESSON, { [TUI_SCREEN_LESSON] = 1 }, W_NEXT_LESSON, A_ANY },
	{ "p", NULL, { "previous", "上一页" }, { "previous page", "上一页" },
	  ON_LESSON, { [TUI_SCREEN_LESSON] = 2 }, W_ALWAYS, A_ANY },
	{ "a", NULL, { "answer", "答案" }, { "show the prediction's answer", "显示预测的答案" },
	  ON_LESSON, { [TUI_SCREEN_LESSON] = 3 }, W_PREDICT, A_ANY },
	{ "↓↑", "Dn/Up", { "scroll", "滚动" }, { "", "" }, ON_LESSON, { [TUI_SCREEN_LESSON] = 4 },
	  W_SCROLL, A_ANY },
	{ "↓ ↑ PgDn PgUp", "Down Up PgDn PgUp", { "", "" },
	  { "scroll the page (the mouse wheel too)", "滚动本页（也可用鼠标滚轮）" }, ON_LESSON, { 0 }, W_ALWAYS, A_ANY },
	{ "↑↓", "Up/Dn", { "choose", "选择" }, { "", "" }, ON_MENU, { [TUI_SCREEN_MENU] = 1 }, W_ALWAYS, A_ANY },
	{ "↑ ↓", "Up Down", { "", "" }, { "choose a lesson", "选择课程" }, ON_MENU, { 0 }, W_ALWAYS, A_ANY },
	{ "Enter", NULL, { "open", "打开" }, { "open the lesson", "打开课程" },
	  ON_MENU, { [TUI_SCREEN_MENU] = 2 }, W_ALWAYS, A_ANY },
	{ "space", NULL, { "play", "播放" }, { "play / pause", "播放 / 暂停" },
	  ON_RUNS, { [TUI_SCREEN_LIVE] = 1, [TUI_SCREEN_REPLAY] = 1, [TUI_SCREEN_LESSON] = 7 }, W_RUN,
	  A_NEVER },
	{ "space", NULL, { "freeze", "冻结" },
	  { "freeze the view, or follow the newest event again",
	    "冻结画面，或重新跟随最新事件" },
	  ON_LIVE, { [TUI_SCREEN_LIVE] = 1 }, W_ALWAYS, A_ONLY },
	{ "→ ←", "-> <-", { "event", "事件" }, { "one event forward / back", "前进 / 后退一个事件" },
	  ON_LIVE, { [TUI_SCREEN_LIVE] = 2 }, W_ALWAYS, A_ONLY },
	{ "→", "->", { "step", "单步" },
	  { "step: the next action, then until every thread is quiet",
	    "单步：下一个动作，直到所有线程静止" },
	  ON_LIVE | ON_LESSON, { [TUI_SCREEN_LIVE] = 2, [TUI_SCREEN_LESSON] = 6 }, W_RUN, A_NEVER },
	{ "→", "->", { "step", "单步" }, { "step: the next action", "单步：下一个动作" },
	  ON_REPLAY, { [TUI_SCREEN_REPLAY] = 2 }, W_ALWAYS, A_ANY },
	{ "←", "<-", { "back", "后退" },
	  { "step back (the view goes back; the run does not)", "后退一步（只回退视图，不回退运行）" },
	  ON_LIVE | ON_LESSON, { [TUI_SCREEN_LIVE] = 3, [TUI_SCREEN_LESSON] = 8 }, W_RUN, A_NEVER },
	{ "←", "<-", { "back", "后退" }, { "step back: the previous action", "后退一步：上一个动作" },
	  ON_REPLAY, { [TUI_SCREEN_REPLAY] = 3 }, W_ALWAYS, A_ANY },
	{ ".  ,", NULL, { "", "" }, { "one event forward / back", "前进 / 后退一个事件" }, ON_RUNS, { 0 },
	  W_RUN, A_ANY },
	{ "Home End", NULL, { "", "" },
	  { "first / last event; a live run plays on to its end",
	    "第一个 / 最后一个事件；实时运行会一直运行到结束" },
	  ON_LIVE | ON_LESSON, { 0 }, W_RUN, A_NEVER },
	{ "Home End", NULL, { "", "" }, { "first / last event", "第一个 / 最后一个事件" },
	  ON_REPLAY | ON_LIVE, { 0 }, W_ALWAYS, A_ONLY },
	{ "Home End", NULL, { "", "" }, { "first / last event", "第一个 / 最后一个事件" }, ON_REPLAY, { 0 }, W_ALWAYS, A_ANY },
	{ "g", NULL, { "go to", "跳转" }, { "go to step (its number, then Enter)", "跳到某一步（输入数字，回车）" },
	  ON_RUNS, { [TUI_SCREEN_REPLAY] = 6 }, W_RUN, A_NEVER },
	{ "+/-", NULL, { "speed", "速度" }, { "speed ×2 / ÷2", "速度 ×2 / ÷2" },
	  ON_RUNS, { [TUI_SCREEN_LIVE] = 7, [TUI_SCREEN_REPLAY] = 5 }, W_RUN, A_NEVER },
	{ "m", NULL, { "model", "模型" },
	  { "run again with every actor on the next model", "让所有角色换下一个模型，重新运行" },
	  ON_LIVE | ON_LESSON, { [TUI_SCREEN_LIVE] = 5 }, W_RUN, A_NEVER },
	{ "i", NULL, { "inject", "注入" },
	  { "write data now: then the actor's letter", "立即写入数据：再按角色的字母" },
	  ON_LIVE, { [TUI_SCREEN_LIVE] = 6 }, W_ALWAYS, A_NEVER },
	{ "l", NULL, { "lessons", "课程" }, { "back to the lesson list", "回到课程列表" },
	  ON_LESSON, { [TUI_SCREEN_LESSON] = 9 }, W_ALWAYS, A_ANY },
	{ "t", NULL, { "theme", "主题" },
	  { "theme: default, classroom, monochrome", "主题：默认、课堂、单色" },
	  ON_RUNS | ON_MENU, { [TUI_SCREEN_LIVE] = 8, [TUI_SCREEN_REPLAY] = 7, [TUI_SCREEN_LESSON] = 10,
			       [TUI_SCREEN_MENU] = 4 }, W_ALWAYS, A_ANY },
	{ "q", NULL, { "quit", "退出" }, { "quit", "退出" }, ON_RUNS | ON_MENU,
	  { [TUI_SCREEN_LIVE] = 4, [TUI_SCREEN_REPLAY] = 4, [TUI_SCREEN_LESSON] = 5,
	    [TUI_SCREEN_MENU] = 3 }, W_ALWAYS, A_NEVER },
	{ "q", NULL, { "quit", "退出" },
	  { "quit: stop the program (-p: let it go; it runs on)",
	    "退出：停止程序（-p：放开它，它继续运行）" },
	  ON_LIVE, { [TUI_SCREEN_LIVE] = 4 }, W_ALWAYS, A_ONLY },
	{ "?", NULL, { "help", "帮助" }, { "this list", "本列表" },
	  ON_RUNS | ON_MENU, { 0 }, W_ALWAYS, A_ANY },
};
#define NKEYS ((int)(sizeof keys / sizeof keys[0]))

/* Whether key k does something where s is (s NULL: the menu, or a
 * screen without a state: every key of the screen). */
static bool offered(const struct key *k, int screen, const struct tui_state *s)
{
	bool lesson = s != NULL && screen == TUI_SCREEN_LESSON && s->page != NULL;

	if (!(k->on & (1u << screen)))
		return false;
	if (k->attach != A_ANY && (screen == TUI_SCREEN_LIVE || k->attach == A_ONLY)) {
		bool att = s != NULL && s->live && s->t != NULL &&
			   trace_attached(s->t);

		if ((k->attach == A_ONLY) != att)
			return false;
	}
	switch (k->when) {
	case W_PREDICT: return !lesson || !s->no_predict;
	case W_RUN: return !lesson || s->page->run;
	case W_SCROLL: return !lesson || s->page->rows > s->page->room;
	case W_NEXT_PAGE: return !lesson || !s->last_page;
	case W_NEXT_LESSON: return lesson && s->last_page && !s->last_lesson;
	default: return true;
	}
}

static int screen_of(const struct tui_state *s)
{
	if (s->screen > TUI_SCREEN_AUTO && s->screen <= TUI_SCREEN_MENU)
		return s->screen;
	return s->page != NULL ? TUI_SCREEN_LESSON : s->live ? TUI_SCREEN_LIVE : TUI_SCREEN_REPLAY;
}

/* The key's name in the help box. */
static const char *key_name(const struct key *k, int lang, bool ascii)
{
	if (lang == LANG_ZH && strcmp(k->name, "space") == 0)
		return "空格";
	return ascii && k->ascii != NULL ? k->ascii : k->name;
}

/* In the key bar: its first name ("n" of "n  Enter"). */
static int bar_name(const struct key *k, int lang, bool ascii, char *out, size_t len)
{
	const char *n = key_name(k, lang, ascii);

	snprintf(out, len, "%.*s", (int)strcspn(n, " "), n);
	return grid_width(out);
}

/* Width of "name label" in the bar. */
static int item_width(const struct key *k, int lang, bool ascii)
{
	char n[32];

	return bar_name(k, lang, ascii, n, sizeof n) + 1 + grid_width(k->bar[lang == LANG_ZH]);
}

static int put_item(struct grid *g, int x, int y, const struct key *k, int lang, bool ascii)
{
	char n[32];
	int w = grid_put(g, x, y, ROLE_KEY, (bar_name(k, lang, ascii, n, sizeof n), n), g->w - x);

	return w + 1 + grid_put(g, x + w + 1, y, ROLE_TITLE, k->bar[lang == LANG_ZH], g->w - x - w - 1);
}

static void keys_bar(struct grid *g, int y, int screen, const struct tui_state *s, int lang,
		     bool ascii, const char *note, const char *prompt)
{
	const struct key *help = &keys[NKEYS - 1];
	bool shown[NKEYS] = { false };
	int hw = prompt ? grid_width(lang == LANG_ZH ? "Esc 取消" : "Esc cancel") : item_width(help, lang, ascii);
	int room = g->w - 2 - hw - 2, used = 0, x = 1;
	char buf[512];

	grid_fill(g, 0, y, g->w, ROLE_TITLE, L' ');
	if (prompt != NULL || note != NULL) {
		render__fit(buf, sizeof buf, prompt ? prompt : note, room, ascii);
		grid_put(g, 1, y, ROLE_TITLE, buf, room);
	} else {
		/* The most important keys that fit, shown in the table's order. */
		for (int rank = 1; rank < 16; rank++)
			for (int i = 0; i < NKEYS; i++)
				if (keys[i].rank[screen] == rank && offered(&keys[i], screen, s) &&
				    used + item_width(&keys[i], lang, ascii) + 2 <= room + 2) {
					shown[i] = true;
					used += item_width(&keys[i], lang, ascii) + 2;
				}
		for (int i = 0; i < NKEYS; i++)
			if (shown[i])
				x += put_item(g, x, y, &keys[i], lang, ascii) + 2;
	}
	if (prompt != NULL) {
		x = g->w - 1 - hw;
		x += grid_put(g, x, y, ROLE_KEY, "Esc", 3);
		grid_put(g, x + 1, y, ROLE_TITLE, lang == LANG_ZH ? "取消" : "cancel", 0);
	} else {                  /* after the keys, or at the end after a note */
		put_item(g, note != NULL ? g->w - 1 - hw : x, y, help, lang, ascii);
	}
}

void render__keys(struct grid *g, int y, int screen, int lang, bool ascii, const char *note,
		  const char *prompt)
{
	keys_bar(g, y, screen, NULL, lang, ascii, note, prompt);
}

void render__keys_bar(struct grid *g, const struct tui_state *s, int y)
{
	keys_bar(g, y, screen_of(s), s, s->lang, s->ascii, s->note, s->prompt);
}

/* ---- the help box ---- */

static void border(struct grid *g, int x, int y, int w, int h, bool ascii, const char *top,
		   const char *bottom)
{
	wchar_t hr = ascii ? L'-' : L'─', vr = ascii ? L'|' : L'│';

	for (int r = 0; r < h; r++)
		grid_fill(g, x, y + r, w, ROLE_TITLE, L' ');
	grid_fill(g, x + 1, y, w - 2, ROLE_TITLE, hr);
	grid_fill(g, x + 1, y + h - 1, w - 2, ROLE_TITLE, hr);
	for (int r = 1; r < h - 1; r++) {
		grid_set(g, x, y + r, ROLE_TITLE, vr);
		grid_set(g, x + w - 1, y + r, ROLE_TITLE, vr);
	}
	grid_set(g, x, y, ROLE_TITLE, ascii ? L'+' : L'┌');
	grid_set(g, x + w - 1, y, ROLE_TITLE, ascii ? L'+' : L'┐');
	grid_set(g, x, y + h - 1, ROLE_TITLE, ascii ? L'+' : L'└');
	grid_set(g, x + w - 1, y + h - 1, ROLE_TITLE, ascii ? L'+' : L'┘');
	grid_printf(g, x + 2, y, ROLE_TITLE, w - 4, " %s ", top);
	grid_printf(g, x + 2, y + h - 1, ROLE_TITLE, w - 4, " %s ", bottom);
}

/* The glyphs' meanings, each glyph in its own colour. */
static int legend(struct grid *g, const struct glyphs *gl, int x, int y, int w, int lang,
		  bool whole)
{
	static const char *const what[][2] = {
		{ "blocked", "阻塞" }, { "phase 2 (copy)", "第二阶段（复制）" }, { "phase 1 (wait)", "第一阶段（等待）" },
		{ "data arrived", "数据到达" }, { "ready", "就绪" }, { "running", "运行" },
		{ "doing other things", "做别的事" }, { "nothing yet (EAGAIN)", "还没有（EAGAIN）" },
		{ "parked", "停在用户态" },      /* a coroutine, in user space */
		/* a traced program's blocking read: ptrace cannot split it */
		{ "wait + copy in one span (seen from outside)", "等待+复制，同一段（从外面看）" },
	};
	const wchar_t ch[] = { gl->blocked, gl->copy, gl->wait, gl->arrive, gl->ready, gl->run,
			       gl->idle, gl->poll, gl->parked, gl->whole };
	const int role[] = { ROLE_BLOCKED, ROLE_COPY, ROLE_WAIT, ROLE_READY, ROLE_READY,
			     ROLE_RUNNING, ROLE_IDLE, ROLE_POLL, ROLE_WAIT, ROLE_WAIT };
	int cx = x, row = 0, n = (int)(sizeof ch / sizeof ch[0]) - !whole;

	for (int i = 0; i < n; i++) {
		int tw = 2 + grid_width(what[i][lang == LANG_ZH]);

		if (cx > x && cx + tw > x + w)
			cx = x, row++;
		grid_set(g, cx, y + row, role[i], ch[i]);
		cx += 2 + grid_put(g, cx + 2, y + row, ROLE_TITLE, what[i][lang == LANG_ZH], x + w - cx - 2) + 2;
	}
	return row + 1;
}

static void help_box(struct grid *g, int screen, const struct tui_state *s, int lang, bool ascii,
		     const struct glyphs *gl)
{
	static const char *const title[][2] = {
		[TUI_SCREEN_LIVE] = { "keys: a live run", "按键：实时运行" },
		[TUI_SCREEN_REPLAY] = { "keys: a replay", "按键：回放" },
		[TUI_SCREEN_LESSON] = { "keys: a lesson", "按键：课程" },
		[TUI_SCREEN_MENU] = { "keys: the lessons", "按键：课程列表" },
	};
	const struct key *line[NKEYS];
	int n = 0, w = g->w - 4 < 76 ? g->w - 4 : 76, h, x, y, kw = 0, lz = lang == LANG_ZH;
	int whole = s != NULL && s->t != NULL && trace_attached(s->t);
	char buf[256];

	if (screen <= TUI_SCREEN_AUTO || screen > TUI_SCREEN_MENU)
		screen = TUI_SCREEN_LIVE;
	for (int i = 0; i < NKEYS; i++)
		if (offered(&keys[i], screen, s) && *keys[i].help[lz]) {
			line[n++] = &keys[i];
			if (grid_width(key_name(&keys[i], lang, ascii)) > kw)
				kw = grid_width(key_name(&keys[i], lang, ascii));
		}
	/* a blank line, the legend (a row more for a traced program's whole wait) */
	h = n + 2 + (screen != TUI_SCREEN_MENU ? 3 + whole : 2);
	if (h > g->h - 2)
		h = g->h - 2;
	x = (g->w - w) / 2;
	y = 1 + (g->h - 2 - h) / 2;
	border(g, x, y, w, h, ascii, title[screen][lz],
	       lz ? "按任意键关闭" : "any key closes");
	for (int i = 0; i < n && 1 + i < h - 1; i++) {
		const struct key *k = line[i];
		const char *d = k->help[lz];

		if (ascii && strstr(d, "×") != NULL)
			d = lz ? "速度 x2 / /2" : "speed x2 / /2";
		grid_put(g, x + 2, y + 1 + i, ROLE_KEY, key_name(k, lang, ascii), kw);
		render__fit(buf, sizeof buf, d, w - kw - 6, ascii);
		grid_put(g, x + 4 + kw, y + 1 + i, ROLE_TITLE, buf, w - kw - 6);
	}
	if (screen != TUI_SCREEN_MENU && gl != NULL && n + 4 + whole < h)
		legend(g, gl, x + 2, y + 2 + n, w - 4, lang, whole);
	if (screen == TUI_SCREEN_MENU && n + 1 < h - 1)
		grid_printf(g, x + 2, y + h - 2, ROLE_TITLE, w - 4, "%s", lz ?
			    (ascii ? "+ = 已学完" : "✓ = 已学完") : ascii ? "+ = finished" : "✓ = finished");
}

void render__help(struct grid *g, int screen, int lang, bool ascii, const struct glyphs *gl)
{
	help_box(g, screen, NULL, lang, ascii, gl);
}

void render__help_box(struct grid *g, const struct tui_state *s)
{
	help_box(g, screen_of(s), s, s->lang, s->ascii, render__glyphs(s));
}

void render__too_small(struct grid *g, const struct tui_state *s)
{
	char m[160];

	const char *x = s->ascii ? "x" : "×";

	snprintf(m, sizeof m, L2(s, "ioscope needs %d%s%d; this terminal is %d%s%d. Enlarge it, or press q.",
				    "ioscope 需要 %d%s%d；当前终端为 %d%s%d。请放大窗口，或按 q 退出。"),
		 TUI_MIN_W, x, TUI_MIN_H, g->w, x, g->h);
	render__wrap(g, 1, g->h / 2 > 0 ? g->h / 2 - 1 : 0, g->w - 2, 3, ROLE_ALERT, m);
}
