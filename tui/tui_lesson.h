/* tui_lesson.h: the lesson menu, and a lesson read page by page, each page
 * with its run paused where the text talks about it.
 *
 * The lessons' state (the menu, the lesson read, its page) is owned here;
 * the screen (tui.c) asks for what to draw and hands over keys.  The pages
 * drive what the screen shows through the few calls of tui_int.h's "what
 * the lessons ask of the screen" (a live run, a recording, nothing). */
#ifndef IOSCOPE_TUI_LESSON_H
#define IOSCOPE_TUI_LESSON_H

#include <stdbool.h>
#include <stddef.h>

#include "trace/lang.h"
#include "view/render.h"

struct tui;
struct tui_lessons;              /* NULL: no lessons (a bare replay) */

/* The lessons of data_dir/lessons/<lang>, for the screen u; NULL when out
 * of memory.  Nothing is read yet. */
struct tui_lessons *tui_lessons_new(struct tui *u, const char *data_dir, enum lang lang);
void tui_lessons_free(struct tui_lessons *ls);
/* Read the list of lessons and show the menu; -errno with a cause if the
 * folder cannot be read. */
int tui_lessons_menu_open(struct tui_lessons *ls, char *cause, size_t len);
/* Open the lesson at path, at the page where it was left; -errno with a
 * cause (a bad lesson file) and nothing changed if it cannot be read. */
int tui_lessons_open(struct tui_lessons *ls, const char *path, char *cause, size_t len);
/* Which of the two is shown: the menu, or a lesson's page (or neither: a
 * run or replay opened from the command line). */
bool tui_lessons_menu_shown(const struct tui_lessons *ls);
bool tui_lessons_page_shown(const struct tui_lessons *ls);
/* What to draw: the menu (items[0..max) are filled and pointed to), and a
 * lesson page's part of the screen's state (its page, what its keys can
 * do); s is left alone when no lesson is shown. */
void tui_lessons_menu(const struct tui_lessons *ls, struct tui_menu *m, const char **items, int max);
void tui_lessons_state(struct tui_lessons *ls, struct tui_state *s);
/* The keys of the menu and of lesson pages: 1 if taken.  The menu takes
 * every key but q (the screen's quit). */
int tui_lessons_key(struct tui_lessons *ls, int k);

#endif
