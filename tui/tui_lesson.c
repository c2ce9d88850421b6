/* tui_lesson.c: the lesson menu, and a lesson read page by page, each
 * page with its run paused where the text talks about it (tui_lesson.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lessons/lesson.h"
#include "lessons/progress.h"
#include "live/run.h"
#include "tui/screen.h"
#include "tui/tui_int.h"
#include "tui/tui_lesson.h"

struct tui_lessons {
	struct tui *u;                /* the screen the pages drive */
	const char *data_dir;         /* where lessons/ and scenarios/ are */
	enum lang lang;
	/* The menu. */
	bool menu;                    /* shown */
	char **paths;
	int n, sel;
	char (*titles)[160];
	bool *done;
	/* The lesson being read, and its page. */
	struct lesson *lesson;
	int section;
	bool last_lesson;             /* no lesson follows this one (set on its last page) */
	int run_section;              /* the section whose run block is shown (-1: none, -2: not yet) */
	bool answer;                  /* the page's prediction is answered */
	struct tui_page page;
};

struct tui_lessons *tui_lessons_new(struct tui *u, const char *data_dir, enum lang lang)
{
	struct tui_lessons *ls = calloc(1, sizeof *ls);

	if (ls == NULL)
		return NULL;
	ls->u = u;
	ls->data_dir = data_dir;
	ls->lang = lang;
	return ls;
}

bool tui_lessons_menu_shown(const struct tui_lessons *ls)
{
	return ls != NULL && ls->menu;
}

bool tui_lessons_page_shown(const struct tui_lessons *ls)
{
	return ls != NULL && ls->lesson != NULL;
}

/* The menu's titles and ✓ for the lessons listed; the list stays (the
 * menu is read again only when the screen opens). */
int tui_lessons_menu_open(struct tui_lessons *ls, char *cause, size_t len)
{
	char why[512];
	int n = lesson_list(ls->data_dir, lang_code(ls->lang), &ls->paths);

	if (n < 0) {
		ls->paths = NULL;
		snprintf(cause, len, "%s/lessons/%s: %s", ls->data_dir, lang_code(ls->lang), strerror(-n));
		return n;
	}
	ls->n = n;
	ls->titles = calloc((size_t)(n > 0 ? n : 1), sizeof *ls->titles);
	ls->done = calloc((size_t)(n > 0 ? n : 1), sizeof *ls->done);
	if (ls->titles == NULL || ls->done == NULL) {
		snprintf(cause, len, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		struct lesson *l;

		if (lesson_load(ls->paths[i], &l, why, sizeof why) != 0) {
			snprintf(ls->titles[i], sizeof ls->titles[i], "%2d. (%.140s)", i + 1, why);
			continue;
		}
		snprintf(ls->titles[i], sizeof ls->titles[i], "%2d. %s", i + 1, l->title);
		progress_get(l->name, &ls->done[i]);
		lesson_free(l);
	}
	ls->menu = true;
	return 0;
}

static void lesson_close(struct tui_lessons *ls)
{
	lesson_free(ls->lesson);
	ls->lesson = NULL;
}

void tui_lessons_free(struct tui_lessons *ls)
{
	if (ls == NULL)
		return;
	lesson_close(ls);
	lesson_list_free(ls->paths);
	free(ls->titles);
	free(ls->done);
	free(ls);
}

void tui_lessons_menu(const struct tui_lessons *ls, struct tui_menu *m, const char **items, int max)
{
	m->title = LANG_PICK(ls->lang, "lessons", "课程");
	m->items = items;
	m->done = ls->done;
	m->n = ls->n < max ? ls->n : max;
	m->sel = ls->sel;
	m->lang = ls->lang;
	for (int i = 0; i < m->n; i++)
		items[i] = ls->titles[i];
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
static char *next_lesson(struct tui_lessons *ls, char *title, size_t len)
{
	char **paths, cause[512], *out = NULL;
	int n = lesson_list(ls->data_dir, lang_code(ls->lang), &paths);

	for (int i = 0; i + 1 < n && out == NULL; i++) {
		char *name = lesson_name(paths[i]);
		bool here = name != NULL && strcmp(name, ls->lesson->name) == 0;
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

static void build_page(struct tui_lessons *ls)
{
	char title[200], *next = NULL;

	if (ls->section == ls->lesson->nsections - 1)
		next = next_lesson(ls, title, sizeof title);
	ls->last_lesson = ls->section == ls->lesson->nsections - 1 && next == NULL;
	tui_page_build(&ls->page, ls->lesson, ls->section, ls->answer, ls->lang, ls->data_dir,
		       next != NULL ? title : NULL);
	free(next);
}

/* The page shown has a prediction (a answers it). */
static bool page_predicts(const struct tui_lessons *ls)
{
	const struct lesson_section *sec;

	if (ls->lesson == NULL || ls->section < 0 || ls->section >= ls->lesson->nsections)
		return false;
	sec = &ls->lesson->sections[ls->section];
	for (int k = 0; k < sec->nblocks; k++)
		if (sec->blocks[k].kind == LB_PREDICT)
			return true;
	return false;
}

void tui_lessons_state(struct tui_lessons *ls, struct tui_state *s)
{
	if (ls == NULL || ls->lesson == NULL)
		return;
	s->page = &ls->page;
	s->screen = TUI_SCREEN_LESSON;
	s->no_predict = !page_predicts(ls);
	s->last_page = ls->section == ls->lesson->nsections - 1;
	s->last_lesson = s->last_page && ls->last_lesson;
}

/* The menu's ✓, from what progress remembers. */
static void menu_refresh(struct tui_lessons *ls)
{
	for (int i = 0; i < ls->n && ls->done != NULL; i++) {
		char *name = lesson_name(ls->paths[i]);

		if (name != NULL)
			progress_get(name, &ls->done[i]);
		free(name);
	}
}

/* A model that cannot run here: the run as it was recorded by `make
 * recordings`, at the same step, and a note saying so. */
static void page_recording(struct tui_lessons *ls, const struct lesson_block *b, const char *why)
{
	char path[1024], cause[512];

	if (*b->model)
		snprintf(path, sizeof path, "%s/scenarios/recordings/%s--%s.jsonl", ls->data_dir,
			 b->scenario, b->model);
	else
		snprintf(path, sizeof path, "%s/scenarios/recordings/%s.jsonl", ls->data_dir,
			 b->scenario);
	if (tui__replay_open(ls->u, path, b->pause, cause, sizeof cause) != 0) {
		tui__note(ls->u, "%.200s; no recording either (%.250s)", why, cause);
		return;
	}
	tui__note(ls->u, LANG_PICK(ls->lang, "%s: showing the recording instead", "%s：改为播放录制的运行"),
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
static void open_run(struct tui_lessons *ls, int src)
{
	const struct lesson_block *b = lesson_run(&ls->lesson->sections[src]);
	const char *model = *b->model ? b->model : NULL;
	char path[1024], why[400];

	if (model != NULL && run_model_usable(model, why, sizeof why) != 0) {
		page_recording(ls, b, why);
		return;
	}
	snprintf(path, sizeof path, "%s/scenarios/%s.scn", ls->data_dir, b->scenario);
	if (tui__live_open(ls->u, path, model, true) != 0) {
		/* e.g. one of the script's own models cannot run here */
		snprintf(why, sizeof why, "%.390s", tui__cause(ls->u));
		page_recording(ls, b, why);
		return;
	}
	tui__seek(ls->u, b->pause);
}

/* The page's run, whichever way the page was reached: its own run block
 * opened afresh; for a page without one, the run of the nearest earlier
 * page that has one (kept as it is when that run is already shown, so
 * that reading on keeps what was stepped), or none: the text takes the
 * screen (an empty trace, so that the screen has something to fold). */
static void page_run(struct tui_lessons *ls)
{
	int src = run_source(ls->lesson, ls->section);
	bool events;

	if (src == ls->run_section && src != ls->section && tui__shows(ls->u, &events)) {
		ls->page.run = events;
		return;
	}
	/* Close the last page's run first, so that this one gets the same
	 * low descriptor numbers a fresh start would (select's nfds shows them). */
	tui__show_none(ls->u);
	ls->run_section = src;
	if (src >= 0)
		open_run(ls, src);
	ls->page.run = tui__shows(ls->u, &events) && events;
	tui__show_empty(ls->u);
}

static void show_page(struct tui_lessons *ls, int section)
{
	bool was = false, last;

	if (section < 0 || section >= ls->lesson->nsections)
		return;
	last = section == ls->lesson->nsections - 1;
	ls->section = section;
	ls->answer = false;
	ls->page.top = 0;
	tui__page_title(ls->u, ls->lesson->title);
	build_page(ls);
	page_run(ls);
	/* A finished lesson stays finished when it is read again. */
	progress_get(ls->lesson->name, &was);
	progress_set(ls->lesson->name, section, was || last);
	if (last)
		menu_refresh(ls);
	tui__mark(ls->u);
}

int tui_lessons_open(struct tui_lessons *ls, const char *path, char *cause, size_t len)
{
	bool done;
	int at, rc;

	lesson_close(ls);
	if ((rc = lesson_load(path, &ls->lesson, cause, len)) != 0) {
		ls->lesson = NULL;
		return rc;
	}
	ls->menu = false;
	/* Nothing of the lesson read before stays: its first page without a
	 * run shows text, not the last lesson's run. */
	tui__show_none(ls->u);
	ls->run_section = -2;           /* none yet: the first page opens its own */
	at = progress_get(ls->lesson->name, &done);
	at = done || at >= ls->lesson->nsections ? 0 : at;
	show_page(ls, at);
	if (at > 0)
		tui__note(ls->u, LANG_PICK(ls->lang, "resumed at page %d of %d, where you left it (p: back)",
					   "从上次离开的第 %d 页（共 %d 页）继续（p：上一页）"),
			  at + 1, ls->lesson->nsections);
	return 0;
}

/* A lesson from the menu, or the next one: a file that cannot be read
 * says why in the note (and the menu stays, if there is one). */
static void open_or_say(struct tui_lessons *ls, const char *path)
{
	char cause[512];

	if (tui_lessons_open(ls, path, cause, sizeof cause) != 0) {
		tui__note(ls->u, "%s", cause);
		ls->menu = ls->paths != NULL;
	}
}

/* n on the last page: the next lesson, from its first page. */
static void open_next(struct tui_lessons *ls)
{
	char title[200], cause[512], *next = next_lesson(ls, title, sizeof title);
	struct lesson *l;

	if (next == NULL)
		return;
	if (lesson_load(next, &l, cause, sizeof cause) != 0) {
		tui__note(ls->u, "%s", cause);
		free(next);
		return;
	}
	lesson_free(l);
	lesson_close(ls);
	for (int i = 0; i < ls->n; i++)
		if (strcmp(ls->paths[i], next) == 0)
			ls->sel = i;
	open_or_say(ls, next);
	free(next);
}

/* Scroll the page by d rows, within what the screen drew last. */
static void scroll(struct tui_lessons *ls, int d)
{
	struct tui_page *p = &ls->page;
	int max = p->rows - p->room > 0 ? p->rows - p->room : 0;

	p->top += d;
	p->top = p->top < 0 ? 0 : p->top > max ? max : p->top;
	tui__mark(ls->u);
}

static int menu_key(struct tui_lessons *ls, int k)
{
	switch (k) {
	case K_UP: case 'k': if (ls->sel > 0) ls->sel--; break;
	case K_DOWN: case 'j': if (ls->sel + 1 < ls->n) ls->sel++; break;
	case K_ENTER: case K_RIGHT: case ' ':
		if (ls->n > 0)
			open_or_say(ls, ls->paths[ls->sel]);
		break;
	case 'q': case 'Q': return 0;    /* the screen's quit */
	default: return 1;               /* swallowed: the menu has no run */
	}
	tui__mark(ls->u);
	return 1;
}

/* l: back to the menu (read now if the screen opened on one lesson). */
static void to_menu(struct tui_lessons *ls)
{
	char cause[512];

	tui__live_close(ls->u);
	lesson_close(ls);
	if (ls->paths != NULL)
		menu_refresh(ls);
	else if (tui_lessons_menu_open(ls, cause, sizeof cause) != 0)
		return;
	ls->menu = true;
	tui__mark(ls->u);
}

/* a: the prediction's answer, brought into view. */
static void answer(struct tui_lessons *ls)
{
	const char *q;

	ls->answer = true;
	build_page(ls);
	q = strstr(ls->page.text, LANG_PICK(ls->lang, "\n\nPredict: ", "\n\n预测："));
	ls->page.focus = q != NULL ? (int)(q - ls->page.text) + 2 : -1;
	tui__mark(ls->u);
}

int tui_lessons_key(struct tui_lessons *ls, int k)
{
	struct tui_page *p;

	if (ls == NULL)
		return 0;
	if (ls->menu)
		return menu_key(ls, k);
	if (ls->lesson == NULL)
		return 0;
	p = &ls->page;
	switch (k) {
	case 'n': case K_ENTER:
		if (ls->section + 1 < ls->lesson->nsections)
			show_page(ls, ls->section + 1);
		else
			open_next(ls);
		return 1;
	case 'p': show_page(ls, ls->section - 1); return 1;
	case K_DOWN: scroll(ls, 1); return 1;
	case K_UP: scroll(ls, -1); return 1;
	case K_WHEEL_DOWN: scroll(ls, 3); return 1;
	case K_WHEEL_UP: scroll(ls, -3); return 1;
	case K_PGDN: scroll(ls, p->room > 2 ? p->room - 1 : 1); return 1;
	case K_PGUP: scroll(ls, p->room > 2 ? 1 - p->room : -1); return 1;
	case 'a': answer(ls); return 1;
	case 'l': to_menu(ls); return 1;
	default: return 0;
	}
}
