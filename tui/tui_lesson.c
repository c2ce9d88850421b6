/* tui_lesson.c: the lesson menu, and a lesson read page by page, each
 * page with its run paused where the text talks about it. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lessons/progress.h"
#include "models/model.h"
#include "live/run.h"
#include "tui/screen.h"
#include "tui/tui_int.h"

int tui__menu_open(struct tui *u)
{
	char cause[512];
	int n = lesson_list(u->o->data_dir, lang_code(u->lang), &u->menu_paths);

	if (n < 0) {
		snprintf(u->cause, sizeof u->cause, "%s/lessons/%s: %s", u->o->data_dir, lang_code(u->lang),
			 strerror(-n));
		return n;
	}
	u->menu_n = n;
	u->menu_titles = calloc((size_t)(n > 0 ? n : 1), sizeof *u->menu_titles);
	u->menu_done = calloc((size_t)(n > 0 ? n : 1), sizeof *u->menu_done);
	if (u->menu_titles == NULL || u->menu_done == NULL)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		struct lesson *l;

		if (lesson_load(u->menu_paths[i], &l, cause, sizeof cause) != 0) {
			snprintf(u->menu_titles[i], sizeof u->menu_titles[i], "%2d. (%.140s)", i + 1, cause);
			continue;
		}
		snprintf(u->menu_titles[i], sizeof u->menu_titles[i], "%2d. %s", i + 1, l->title);
		progress_get(l->name, &u->menu_done[i]);
		lesson_free(l);
	}
	u->menu = true;
	return 0;
}

void tui__menu_free(struct tui *u)
{
	lesson_list_free(u->menu_paths);
	free(u->menu_titles);
	free(u->menu_done);
	u->menu_paths = NULL;
	u->menu_titles = NULL;
	u->menu_done = NULL;
	u->menu_n = 0;
}

/* Append to the page; text that does not fit is cut (the page holds 8 KiB,
 * more than any lesson's section). */
static void add(struct tui_page *p, size_t *o, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add(struct tui_page *p, size_t *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*o + 1 >= sizeof p->text)
		return;
	va_start(ap, fmt);
	n = vsnprintf(p->text + *o, sizeof p->text - *o, fmt, ap);
	va_end(ap);
	if (n > 0)
		*o += (size_t)n < sizeof p->text - *o ? (size_t)n : sizeof p->text - *o - 1;
}

/* Quoted code, a tab as four spaces (the screen has no tab stops). */
static void add_code(struct tui_page *p, size_t *o, const char *code)
{
	for (; *code != '\0'; code++)
		add(p, o, "%.*s", *code == '\t' ? 4 : 1, *code == '\t' ? "    " : code);
}

void tui_page_build(struct tui_page *p, const struct lesson *l, int i, bool answer, int lang,
		    const char *data_dir, const char *next)
{
	const struct lesson_section *sec = &l->sections[i];
	const struct lesson_block *run = lesson_run(sec);
	size_t o = 0;

	p->text[0] = '\0';
	p->focus = -1;
	p->show = run != NULL ? run->show : 0;
	add(p, &o, "%s  (%d/%d)\n\n%s", *sec->heading ? sec->heading : l->title, i + 1,
	    l->nsections, sec->text);
	for (int k = 0; k < sec->nblocks; k++) {
		const struct lesson_block *b = &sec->blocks[k];
		char why[256], *code;

		if (b->kind == LB_PREDICT) {
			/* no space after full-width punctuation */
			add(p, &o, "\n\n%s%s\n%s", LANG_PICK(lang, "Predict: ", "预测："), b->question,
			    answer ? b->answer : LANG_PICK(lang, "(think, then press a for the answer)",
							   "（先想一想，再按 a 看答案）"));
		} else if (b->kind == LB_CODE &&
			   (code = lesson_code(data_dir, b, why, sizeof why)) != NULL) {
			add(p, &o, "\n\n%s (%s)\n", LANG_PICK(lang, "Code", "代码"), b->file);
			add_code(p, &o, code);
			free(code);
		} else if (b->kind == LB_RUN && *b->point) {
			add(p, &o, "\n\n%s%s", LANG_PICK(lang, "Look at: ", "请看："), b->point);
		}
	}
	if (i != l->nsections - 1)
		return;
	if (next != NULL)
		add(p, &o, LANG_PICK(lang, "\n\n✓ The end of this lesson: it is marked finished in the "
					   "lesson list. Press n for the next lesson: %s",
				     "\n\n✓ 本课学完了，已记录在课程列表中。按 n 进入下一课：%s"), next);
	else
		add(p, &o, "%s", LANG_PICK(lang, "\n\n✓ The end of this lesson, and the last of the lessons.",
					   "\n\n✓ 本课学完了，这也是最后一课。"));
}

/* The lesson after the one shown, in this language: its path (malloc'd)
 * and title, or NULL. */
static char *next_lesson(struct tui *u, char *title, size_t len)
{
	char **paths, cause[512], *out = NULL;
	int n = lesson_list(u->o->data_dir, lang_code(u->lang), &paths);

	for (int i = 0; i + 1 < n && out == NULL; i++) {
		char *name = lesson_name(paths[i]);
		bool here = name != NULL && strcmp(name, u->lesson->name) == 0;
		struct lesson *l;

		free(name);
		if (!here || lesson_load(paths[i + 1], &l, cause, sizeof cause) != 0)
			continue;
		snprintf(title, len, "%d. %s", i + 2, l->title);
		lesson_free(l);
		out = strdup(paths[i + 1]);
	}
	if (n >= 0)
		lesson_list_free(paths);
	return out;
}

static void build_page(struct tui *u)
{
	char title[200], *next = NULL;

	if (u->section == u->lesson->nsections - 1)
		next = next_lesson(u, title, sizeof title);
	u->last_lesson = u->section == u->lesson->nsections - 1 && next == NULL;
	tui_page_build(u->page, u->lesson, u->section, u->answer, u->lang, u->o->data_dir,
		       next != NULL ? title : NULL);
	free(next);
}

bool tui__page_predicts(const struct tui *u)
{
	const struct lesson_section *sec;

	if (u->lesson == NULL || u->section < 0 || u->section >= u->lesson->nsections)
		return false;
	sec = &u->lesson->sections[u->section];
	for (int k = 0; k < sec->nblocks; k++)
		if (sec->blocks[k].kind == LB_PREDICT)
			return true;
	return false;
}

/* The menu's ✓, from what progress remembers. */
static void menu_refresh(struct tui *u)
{
	for (int i = 0; i < u->menu_n && u->menu_done != NULL; i++) {
		char *name = lesson_name(u->menu_paths[i]);

		if (name != NULL)
			progress_get(name, &u->menu_done[i]);
		free(name);
	}
}

/* A model that cannot run here: the run as it was recorded by `make
 * recordings`, at the same step, and a note saying so. */
static void page_recording(struct tui *u, const struct lesson_block *b, const char *why)
{
	char path[1024], cause[512];
	size_t skipped;

	if (*b->model)
		snprintf(path, sizeof path, "%s/scenarios/recordings/%s--%s.jsonl", u->o->data_dir,
			 b->scenario, b->model);
	else
		snprintf(path, sizeof path, "%s/scenarios/recordings/%s.jsonl", u->o->data_dir,
			 b->scenario);
	tui__live_close(u);
	trace_free(u->replay);
	u->replay = NULL;
	if (trace_read(path, &u->replay, &skipped, cause, sizeof cause) != 0) {
		snprintf(u->note, sizeof u->note, "%.200s; no recording either (%.250s)", why, cause);
		return;
	}
	u->steps = tui__max_step(u->replay) + 1;
	u->follow = u->playing = false;
	u->cursor = b->pause > 0 ? tui__step_end(u->replay, b->pause - 1) : 0;
	snprintf(u->note, sizeof u->note, LANG_PICK(u->lang, "%s: showing the recording instead", "%s：改为播放录制的运行"),
		 why);
}

/* The run block a page shows: its own, else the nearest earlier page's
 * (as if the lesson were read in order), -1 for none. */
static int run_source(const struct lesson *l, int section)
{
	while (section >= 0 && lesson_run(&l->sections[section]) == NULL)
		section--;
	return section;
}

/* Section src's run: its scenario paused, played to its step.  A model
 * that cannot run here shows its shipped recording instead, and says so. */
static void open_run(struct tui *u, int src)
{
	const struct lesson_block *b = lesson_run(&u->lesson->sections[src]);
	const char *model = *b->model ? b->model : NULL;
	char path[1024], why[400];

	if (model != NULL && run_model_usable(model, why, sizeof why) != 0) {
		page_recording(u, b, why);
		return;
	}
	snprintf(path, sizeof path, "%s/scenarios/%s.scn", u->o->data_dir, b->scenario);
	if (tui__live_open(u, path, model, true) != 0) {
		/* e.g. one of the script's own models cannot run here */
		snprintf(why, sizeof why, "%.390s", u->cause);
		page_recording(u, b, why);
		return;
	}
	tui__seek(u, b->pause);
}

/* The page's run, whichever way the page was reached: its own run block
 * opened afresh; for a page without one, the run of the nearest earlier
 * page that has one (kept as it is when that run is already shown, so
 * that reading on keeps what was stepped), or none: the text takes the
 * screen (an empty trace, so that the screen has something to fold). */
static void page_run(struct tui *u)
{
	int src = run_source(u->lesson, u->section);
	struct trace *t = tui__trace(u);

	if (src == u->run_section && src != u->section && t != NULL) {
		u->page->run = u->run != NULL || trace_count(t) > 0;
		return;
	}
	/* Close the last page's run first, so that this one gets the same
	 * low descriptor numbers a fresh start would (select's nfds shows them). */
	tui__live_close(u);
	trace_free(u->replay);
	u->replay = NULL;
	u->run_section = src;
	if (src >= 0)
		open_run(u, src);
	t = tui__trace(u);
	u->page->run = t != NULL && (u->run != NULL || trace_count(t) > 0);
	if (t == NULL && (u->replay = trace_new()) != NULL) {
		u->steps = 0;
		u->cursor = 0;
		u->follow = u->playing = false;
	}
}

static void show_page(struct tui *u, int section)
{
	bool was = false, last;

	if (section < 0 || section >= u->lesson->nsections)
		return;
	last = section == u->lesson->nsections - 1;
	u->section = section;
	u->answer = false;
	u->help = false;
	u->page->top = 0;
	snprintf(u->title, sizeof u->title, "%s", u->lesson->title);
	build_page(u);
	page_run(u);
	/* A finished lesson stays finished when it is read again. */
	progress_get(u->lesson->name, &was);
	progress_set(u->lesson->name, section, was || last);
	if (last)
		menu_refresh(u);
	tui__mark(u);
}

void tui__lesson_open(struct tui *u, const char *path)
{
	bool done;
	int at;

	if (lesson_load(path, &u->lesson, u->note, sizeof u->note) != 0) {
		u->lesson = NULL;
		return;
	}
	u->menu = false;
	/* Nothing of the lesson read before stays: its first page without a
	 * run shows text, not the last lesson's run. */
	tui__live_close(u);
	trace_free(u->replay);
	u->replay = NULL;
	u->run_section = -2;            /* none yet: the first page opens its own */
	at = progress_get(u->lesson->name, &done);
	at = done || at >= u->lesson->nsections ? 0 : at;
	show_page(u, at);
	if (at > 0)
		snprintf(u->note, sizeof u->note, LANG_PICK(u->lang, "resumed at page %d of %d, where you left it (p: back)",
						     "从上次离开的第 %d 页（共 %d 页）继续（p：上一页）"),
			 at + 1, u->lesson->nsections);
}

/* n on the last page: the next lesson, from its first page. */
static void open_next(struct tui *u)
{
	char title[200], cause[512], *next = next_lesson(u, title, sizeof title);
	struct lesson *l;

	if (next == NULL)
		return;
	if (lesson_load(next, &l, cause, sizeof cause) != 0) {
		snprintf(u->note, sizeof u->note, "%s", cause);
		free(next);
		return;
	}
	lesson_free(l);
	tui__lesson_close(u);
	for (int i = 0; i < u->menu_n; i++)
		if (strcmp(u->menu_paths[i], next) == 0)
			u->menu_sel = i;
	tui__lesson_open(u, next);
	if (u->lesson == NULL)          /* the note says why */
		u->menu = u->menu_paths != NULL;
	free(next);
}

/* Scroll the page by d rows, within what the screen drew last. */
static void scroll(struct tui *u, int d)
{
	struct tui_page *p = u->page;
	int max = p->rows - p->room > 0 ? p->rows - p->room : 0;

	p->top += d;
	p->top = p->top < 0 ? 0 : p->top > max ? max : p->top;
	tui__mark(u);
}

void tui__lesson_close(struct tui *u)
{
	lesson_free(u->lesson);
	u->lesson = NULL;
}

static int menu_key(struct tui *u, int k)
{
	switch (k) {
	case K_UP: case 'k': if (u->menu_sel > 0) u->menu_sel--; break;
	case K_DOWN: case 'j': if (u->menu_sel + 1 < u->menu_n) u->menu_sel++; break;
	case K_ENTER: case K_RIGHT: case ' ':
		if (u->menu_n > 0)
			tui__lesson_open(u, u->menu_paths[u->menu_sel]);
		break;
	case 'q': case 'Q': u->quit = true; break;
	default: return 1;               /* swallowed: the menu has no run */
	}
	tui__mark(u);
	return 1;
}

int tui__lesson_key(struct tui *u, int k)
{
	if (u->menu)
		return menu_key(u, k);
	if (u->lesson == NULL)
		return 0;
	switch (k) {
	case 'n': case K_ENTER:
		if (u->section + 1 < u->lesson->nsections)
			show_page(u, u->section + 1);
		else
			open_next(u);
		return 1;
	case 'p': show_page(u, u->section - 1); return 1;
	case K_DOWN: scroll(u, 1); return 1;
	case K_UP: scroll(u, -1); return 1;
	case K_WHEEL_DOWN: scroll(u, 3); return 1;
	case K_WHEEL_UP: scroll(u, -3); return 1;
	case K_PGDN: scroll(u, u->page->room > 2 ? u->page->room - 1 : 1); return 1;
	case K_PGUP: scroll(u, u->page->room > 2 ? 1 - u->page->room : -1); return 1;
	case 'a': {
		const char *q;

		u->answer = true;
		build_page(u);
		q = strstr(u->page->text, LANG_PICK(u->lang, "\n\nPredict: ", "\n\n预测："));
		u->page->focus = q != NULL ? (int)(q - u->page->text) + 2 : -1;
		tui__mark(u);
		return 1;
	}
	case 'l':
		tui__live_close(u);
		tui__lesson_close(u);
		if (u->menu_paths != NULL)
			menu_refresh(u);
		else if (tui__menu_open(u) != 0)      /* opened with `ioscope lesson N` */
			return 1;
		u->menu = true;
		tui__mark(u);
		return 1;
	default: return 0;
	}
}
