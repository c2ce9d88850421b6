/* tui_lesson.c: the lesson menu, and a lesson read page by page, each
 * page with its run paused where the text talks about it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lessons/progress.h"
#include "models/model.h"
#include "run.h"
#include "tui/screen.h"
#include "tui/tui_int.h"

static const char *lang_dir(const struct tui *u)
{
	return u->lang == 1 ? "zh" : "en";
}

int tui__menu_open(struct tui *u)
{
	char cause[512];
	int n = lesson_list(u->o->data_dir, lang_dir(u), &u->menu_paths);

	if (n < 0) {
		snprintf(u->cause, sizeof u->cause, "%s/lessons/%s: %s", u->o->data_dir, lang_dir(u),
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

/* The page's words: heading, text, the prediction (its answer once asked
 * for), quoted code. */
static void build_page(struct tui *u)
{
	const struct lesson_section *sec = &u->lesson->sections[u->section];
	size_t o = 0, n = sizeof u->page;

	o += (size_t)snprintf(u->page + o, n - o, "%s  (%d/%d)\n\n%s", *sec->heading ?
			      sec->heading : u->lesson->title, u->section + 1,
			      u->lesson->nsections, sec->text);
	for (int i = 0; i < sec->nblocks && o < n; i++) {
		const struct lesson_block *b = &sec->blocks[i];
		char why[256], *code;

		if (b->kind == LB_PREDICT)
			o += (size_t)snprintf(u->page + o, n - o, "\n\n%s %s\n%s", TR(u, "Predict:", "预测："),
					      b->question, u->answer ? b->answer :
					      TR(u, "(think, then press a for the answer)",
						 "（先想一想，再按 a 看答案）"));
		else if (b->kind == LB_CODE && (code = lesson_code(u->o->data_dir, b, why, sizeof why)) != NULL) {
			o += (size_t)snprintf(u->page + o, n - o, "\n\n%s (%s)\n%s", TR(u, "Code", "代码"),
					      b->file, code);
			free(code);
		} else if (b->kind == LB_RUN && *b->point) {
			o += (size_t)snprintf(u->page + o, n - o, "\n\n%s %s", TR(u, "Look at:", "请看："), b->point);
		}
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
	snprintf(u->note, sizeof u->note, TR(u, "%s: showing the recording instead", "%s：改为播放录制的运行"),
		 why);
}

/* The page's run: its scenario paused, played to its step.  A model that
 * cannot run here shows its shipped recording instead, and says so. */
static void page_run(struct tui *u)
{
	const struct lesson_block *b = lesson_run(&u->lesson->sections[u->section]);
	const char *model;
	char path[1024], why[400];

	if (b == NULL)
		return;
	model = *b->model ? b->model : NULL;
	if (model != NULL && run_model_usable(model, why, sizeof why) != 0) {
		page_recording(u, b, why);
		return;
	}
	trace_free(u->replay);
	u->replay = NULL;
	snprintf(path, sizeof path, "%s/scenarios/%s.scn", u->o->data_dir, b->scenario);
	/* Close the last page's run first, so that this one gets the same
	 * low descriptor numbers a fresh start would (select's nfds shows them). */
	tui__live_close(u);
	if (tui__live_open(u, path, model, true) != 0) {
		/* e.g. one of the script's own models cannot run here */
		snprintf(why, sizeof why, "%.390s", u->cause);
		page_recording(u, b, why);
		return;
	}
	tui__seek(u, b->pause);
}

static void show_page(struct tui *u, int section)
{
	if (section < 0 || section >= u->lesson->nsections)
		return;
	u->section = section;
	u->answer = false;
	u->help = false;
	snprintf(u->title, sizeof u->title, "%s", u->lesson->title);
	build_page(u);
	page_run(u);
	progress_set(u->lesson->name, section, section == u->lesson->nsections - 1);
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
	at = progress_get(u->lesson->name, &done);
	show_page(u, done ? 0 : at);
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
	case 'n': case K_ENTER: show_page(u, u->section + 1); return 1;
	case 'p': show_page(u, u->section - 1); return 1;
	case 'a': u->answer = true; build_page(u); tui__mark(u); return 1;
	case 'l':
		if (u->menu_paths != NULL) {
			tui__live_close(u);
			tui__lesson_close(u);
			u->menu = true;
			tui__mark(u);
		}
		return 1;
	default: return 0;
	}
}
