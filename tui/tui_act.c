/* tui_act.c: what each action does: stepping, playing, speed, the model,
 * injecting data, prompts, help and themes.  Which key is which action is
 * tui_keys.c's; the loop and the drawing are tui.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live/run.h"
#include "view/render.h"
#include "tui/screen.h"
#include "tui/tui_int.h"

static void go_back(struct tui *u)
{
	struct trace *t = tui__trace(u);

	if (u->follow)                /* where the screen is, not where it was drawn */
		u->cursor = trace_count(t);
	u->follow = false;
	if (u->run != NULL && u->playing) {
		run_pause(u->run);
		u->playing = false;
	}
	u->playing = u->replay != NULL ? false : u->playing;
	u->cursor = tui_step_prev_end(t, u->cursor);
	tui__mark(u);
}

static void go_forward(struct tui *u)
{
	struct trace *t = tui__trace(u);
	size_t to;

	if (u->follow)                /* events came since the last frame */
		u->cursor = trace_count(t);
	to = tui_step_next_end(t, u->cursor);
	u->playing = u->run != NULL && u->playing;
	if (to != SIZE_MAX) {
		u->cursor = to;
		if (u->replay == NULL && to == trace_count(t))   /* the last step */
			u->follow = true;
		tui__mark(u);
		return;
	}
	/* At the newest event of a live run: play the next action, then
	 * wait until every thread is quiet. */
	if (u->run != NULL && !u->waiting && !run_ended(u->run)) {
		if (u->playing) {
			run_pause(u->run);
			u->playing = false;
		}
		int first = run_step_index(u->run), last = run_step(u->run);

		if (last >= 0 || !run_ended(u->run)) {
			/* Several actions at one instant: shown one per →. */
			u->show_step = last > first ? first : -1;
			u->follow = u->show_step < 0;
			tui__wait_quiet(u);
		}
	}
	tui__mark(u);
}

/* End: the last event.  A live run shows its newest, and when paused
 * plays the rest of its script, step by step, to the end (as g would). */
static void go_end(struct tui *u)
{
	u->cursor = trace_count(tui__trace(u));
	u->follow = u->run != NULL;
	if (u->run != NULL && !u->playing && !u->waiting && !run_ended(u->run))
		tui__seek(u, run_steps(u->run));
}

static void toggle_play(struct tui *u)
{
	u->playing = !u->playing;
	if (u->run != NULL) {
		u->follow = true;
		if (u->playing)
			run_play(u->run);
		else
			run_pause(u->run);
	} else if (u->playing) {
		if (u->cursor >= trace_count(u->replay))
			u->cursor = 0;
		u->play_t = u->cursor > 0 ? trace_at(u->replay, u->cursor - 1)->t_ns : 0;
		u->play_mono = trace_mono_ns();
		u->ended = false;
	}
	tui__mark(u);
}

static void set_speed(struct tui *u, double f)
{
	double s = u->speed * f;

	if (s < 1.0 / 16 || s > 1000)
		return;
	u->speed = s;
	if (u->run != NULL)
		run_set_speed(u->run, s);
	tui__mark(u);
}

/* The place of model in the m key's cycle (the model table's order), or
 * -1: none (NULL, the script's own models) or not in the table. */
static int model_index(const char *model)
{
	const char *name, *summary;

	for (int i = 0; model != NULL && run_model_info(i, &name, &summary) == 0; i++)
		if (strcmp(name, model) == 0)
			return i;
	return -1;
}

/* The note after m: the model, and, with --record, that the file now
 * holds this run (the last one's recording was finished when it closed,
 * and this one replaces it). */
static void note_model(struct tui *u, const char *name, const char *summary)
{
	const char *rec = u->ropts.record, *base = rec != NULL ? strrchr(rec, '/') : NULL;

	base = base != NULL ? base + 1 : rec;
	if (rec != NULL && run_record_error(u->run) == 0)
		snprintf(u->note, sizeof u->note, LANG_PICK(u->lang, "m: %s · %s now records this run · %s",
							     "m：%s · %s 现在录的是这次运行 · %s"),
			 name, base, summary);
	else
		snprintf(u->note, sizeof u->note,
			 LANG_PICK(u->lang, "m: %s · %s (captions written for other models: what the trace shows)",
				   "m：%s · %s（为其他模型写的说明：换成跟踪记录显示的内容）"),
			 name, summary);
}

/* m: the same script again, every actor on the next model that can run it.
 * The run shown is closed first (tui__live_open): if no other model's run
 * opens, the model shown is opened again; if even that fails, the screen
 * shows an empty trace and the note says why. */
static void switch_model(struct tui *u)
{
	const char *was = u->ropts.model;     /* NULL: the script's own */
	const char *name = NULL, *summary = NULL;
	int at = model_index(was), n = 0;
	bool closed = false;
	char cause[512];

	while (run_model_info(n, &name, &summary) == 0)
		n++;
	/* From the script's own models every model is a change, the first
	 * one first; from a model, every other one, the next one first. */
	for (int k = 1; k < n + (at < 0); k++) {
		if (run_model_info((at + k) % n, &name, &summary) != 0 ||
		    run_model_usable(name, cause, sizeof cause) != 0)
			continue;
		closed = true;
		if (tui__live_open(u, u->scenario, name, !u->playing) == 0) {
			note_model(u, name, summary);
			tui__mark(u);
			return;
		}
	}
	snprintf(u->note, sizeof u->note, "%s", LANG_PICK(u->lang, "no other model can run this script",
							  "没有别的模型能运行这个脚本"));
	if (closed && tui__live_open(u, u->scenario, was, !u->playing) != 0) {
		tui__show_none(u);
		tui__show_empty(u);               /* something to fold */
		snprintf(u->note, sizeof u->note, "%.500s", u->cause);
	}
	tui__mark(u);
}

/* i then a letter: data arrives on that actor's first fd now. */
static void inject(struct tui *u, int key)
{
	const struct trace_hdr *h = trace_hdr_c(run_trace(u->run));

	for (int i = 1; i < h->nactors; i++)
		if (*h->actors[i].model != '\0' && (h->actors[i].name[0] | 0x20) == (key | 0x20)) {
			u->pauses.noted = false;       /* what it wakes is explained */
			if (run_inject(u->run, i - 1, 0, "bite!") == 0)
				snprintf(u->note, sizeof u->note, LANG_PICK(u->lang, "5 bytes written to %s's first fd, now",
								     "已向 %s 的第一个 fd 写入 5 字节"), h->actors[i].name);
			else
				snprintf(u->note, sizeof u->note, LANG_PICK(u->lang, "%s has no fd to write to", "%s 没有可写的 fd"),
					 h->actors[i].name);
			return;
		}
	if (key > ' ' && key < 127)
		snprintf(u->note, sizeof u->note, LANG_PICK(u->lang, "no actor named '%c'", "没有名为 '%c' 的角色"), key);
	else
		snprintf(u->note, sizeof u->note, "%s", LANG_PICK(u->lang, "no actor has that key", "没有角色对应这个键"));
}

/* Digits a step number may have: steps are below TRACE_MAX_STEPS (2^20). */
#define STEP_DIGITS 7

/* Digits typed after the prompt's question (which ends in a space). */
static size_t prompt_digits(const char *prompt)
{
	const char *sp = strrchr(prompt, ' ');

	return sp != NULL ? strlen(sp + 1) : strlen(prompt);
}

static void prompt_key(struct tui *u, int key)
{
	size_t n = strlen(u->prompt);

	if (u->prompt_kind == 'i') {
		u->prompt_kind = 0;
		if (key != K_ESC)
			inject(u, key);
	} else if (key == K_ESC) {
		u->prompt_kind = 0;
	} else if (key == K_BACKSPACE && n > 0 && u->prompt[n - 1] != ' ') {
		u->prompt[n - 1] = '\0';
	} else if (key >= '0' && key <= '9' && n + 1 < sizeof u->prompt &&
		   prompt_digits(u->prompt) < STEP_DIGITS) {
		u->prompt[n] = (char)key;
		u->prompt[n + 1] = '\0';
	} else if (key == K_ENTER) {
		const char *digits = strrchr(u->prompt, ' ');
		int step = digits && digits[1] != '\0' ? atoi(digits + 1) : -1;

		u->prompt_kind = 0;
		if (step == 0) {                      /* before the first step, as Home */
			u->follow = false;
			u->cursor = 0;
		}
		if (step >= 1 && u->playing) {        /* go there, then stay */
			if (u->run != NULL)
				run_pause(u->run);
			u->playing = false;
		}
		if (step >= 1 && u->run != NULL && step > run_step_index(u->run)) {
			tui__seek(u, step);           /* not played yet: play to it */
		} else if (step >= 1) {
			u->follow = false;
			u->cursor = tui_step_end(tui__trace(u), step - 1);
		}
	}
	tui__mark(u);
}

/* t: the next theme, and its name in the key bar for 2 s (or until the
 * next key). */
static void theme_note_cb(uv_timer_t *h)
{
	struct tui *u = h->data;

	if (strcmp(u->note, u->theme_note) == 0)
		u->note[0] = '\0';
	tui__mark(u);
}

static void next_theme(struct tui *u)
{
	const char *name = tui_theme_name((u->theme + 1) % THEME_MAX, u->lang);

	u->theme = (u->theme + 1) % THEME_MAX;
	screen_theme(u->theme);
	snprintf(u->theme_note, sizeof u->theme_note, LANG_PICK(u->lang, "theme: %s%s", "主题：%s%s"), name,
		 screen_colors() || u->theme == THEME_MONO ? "" :
		 LANG_PICK(u->lang, " (this terminal shows no colours)", "（此终端不显示颜色）"));
	snprintf(u->note, sizeof u->note, "%s", u->theme_note);
	uv_timer_start(&u->theme_end, theme_note_cb, 2000, 0);
}

/* ? and t mean the same on every screen (the menu and lessons too);
 * with the help open, any other action but quit only closes it.  1 if
 * taken. */
static int help_or_theme(struct tui *u, enum tui_act a)
{
	if (a == ACT_HELP)
		u->help = !u->help;
	else if (u->help && a != ACT_QUIT && a != ACT_RESIZE)
		u->help = false;
	else if (a == ACT_THEME)
		next_theme(u);
	else
		return 0;
	return 1;
}

/* m and i: a replay says they work in live runs only. */
static void live_only(struct tui *u, enum tui_act a)
{
	if (u->run == NULL) {
		snprintf(u->note, sizeof u->note, "%s", LANG_PICK(u->lang,
			 "m and i work in live runs only: a replay shows what was recorded",
			 "m 和 i 只在实时运行中可用：回放只显示录下来的内容"));
	} else if (a == ACT_MODEL) {
		switch_model(u);
	} else {
		u->prompt_kind = 'i';
		snprintf(u->prompt, sizeof u->prompt, "%s", LANG_PICK(u->lang, "inject data now: press the actor's letter",
								      "立即注入数据：按角色的字母"));
	}
}

/* ---- attach ---- */

/* Space: the view follows the newest event, or stands where it is (the
 * program runs on: nothing in it pauses). */
static void attach_follow(struct tui *u, bool follow)
{
	struct trace *t = tui__trace(u);

	if (u->follow && !follow)
		u->cursor = trace_count(t);
	u->follow = u->playing = follow && !u->ended;
	if (!follow)
		snprintf(u->note, sizeof u->note, "%s", LANG_PICK(u->lang,
			 "view frozen (the program runs on): ← → walk the events, space follows again",
			 "视图已冻结（程序继续运行）：← → 逐个查看事件，空格重新跟随"));
}

/* One event back or forward; back freezes the view first. */
static void attach_walk(struct tui *u, int dir)
{
	struct trace *t = tui__trace(u);

	if (u->follow)
		attach_follow(u, false);
	if (dir < 0 && u->cursor > 0)
		u->cursor--;
	else if (dir > 0 && u->cursor < trace_count(t))
		u->cursor++;
}

int tui__attach_key(struct tui *u, enum tui_act a)
{
	switch (a) {
	case ACT_PLAY: attach_follow(u, !u->follow); return 1;
	case ACT_FORWARD: case ACT_NEXT_EVENT: attach_walk(u, 1); return 1;
	case ACT_BACK: case ACT_PREV_EVENT: attach_walk(u, -1); return 1;
	case ACT_HOME: attach_follow(u, false); u->cursor = 0; return 1;
	case ACT_END: attach_follow(u, true); return 1;
	case ACT_GOTO: case ACT_MODEL: case ACT_INJECT: case ACT_FASTER: case ACT_SLOWER:
		snprintf(u->note, sizeof u->note, "%s", LANG_PICK(u->lang,
			 "not in attach: a program has no steps, its own model and its own pace",
			 "attach 中不可用：程序没有步骤，用它自己的模型，按它自己的节奏运行"));
		return 1;
	default: return 0;
	}
}

/* The prompt takes the keys themselves (digits, a letter); then help and
 * theme; then the menu's and a lesson page's own keys; then the actions
 * of a run or replay. */
void tui__key(struct tui *u, int k)
{
	enum tui_act a = tui_key_act(k);

	u->note[0] = '\0';
	tui__note_record(u);
	if (u->prompt_kind) {
		prompt_key(u, k);
		return;
	}
	if (help_or_theme(u, a)) {
		tui__mark(u);
		return;
	}
	if (u->attach && tui__attach_key(u, a)) {
		tui__mark(u);
		return;
	}
	if (tui_lessons_key(u->lessons, k)) {
		tui__mark(u);
		return;
	}
	/* A lesson page without a run (nor a recording): nothing to step,
	 * play or inject (? and t were taken above). */
	if (tui__trace(u) == NULL && a != ACT_QUIT) {
		tui__mark(u);
		return;
	}
	switch (a) {
	case ACT_QUIT: u->quit = true; break;
	case ACT_PLAY: toggle_play(u); break;
	case ACT_FORWARD: go_forward(u); break;
	case ACT_BACK: go_back(u); break;
	case ACT_HOME: u->follow = false; u->cursor = 0; break;
	case ACT_NEXT_EVENT:
		if (u->cursor < trace_count(tui__trace(u)))
			u->cursor++;
		u->follow = u->run != NULL && u->cursor == trace_count(tui__trace(u));
		break;
	case ACT_PREV_EVENT:
		u->follow = false;
		if (u->cursor > 0)
			u->cursor--;
		break;
	case ACT_END: go_end(u); break;
	case ACT_FASTER: set_speed(u, 2); break;
	case ACT_SLOWER: set_speed(u, 0.5); break;
	case ACT_GOTO:
		u->prompt_kind = 'g';
		snprintf(u->prompt, sizeof u->prompt, "%s ", LANG_PICK(u->lang, "go to step (Enter):", "跳到第几步（回车）："));
		break;
	case ACT_MODEL: case ACT_INJECT: live_only(u, a); break;
	case ACT_RESIZE:               /* curses has the new size already */
		screen_invalidate();   /* all of it again: no cell of the old size left */
		break;
	default: return;
	}
	tui__mark(u);
}
