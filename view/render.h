/* render.h: draw a trace, as of a cursor, into a grid.
 *
 * A pure function of its input: no curses, no clock, no model, and no
 * state of its own: the scratch it works in is the caller's (struct
 * render_scratch), so two threads may render at once, each with its own
 * scratch.  The screen (screen.c) shows the grid; tests compare it with
 * golden text.
 */
#ifndef IOSCOPE_RENDER_H
#define IOSCOPE_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "trace/fold.h"
#include "view/grid.h"
#include "trace/lang.h"

#define TUI_MIN_W 80
#define TUI_MIN_H 24

/* en or zh by x->lang (NARRATE_EN / NARRATE_ZH), for anything with a
 * lang: a tui_state, the screen's struct tui. */
#define L2(x, en, zh) LANG_PICK((x)->lang, en, zh)

enum tui_theme { THEME_DEFAULT = 0, THEME_CLASSROOM, THEME_MONO, THEME_MAX };

/* The theme's name, in the language (NARRATE_EN / NARRATE_ZH). */
const char *tui_theme_name(int theme, int lang);

/* What the screen is showing: it decides the key bar and the help box.
 * AUTO: a lesson when page is set, else a live run or a replay by live. */
enum tui_screen {
	TUI_SCREEN_AUTO = 0, TUI_SCREEN_LIVE, TUI_SCREEN_REPLAY, TUI_SCREEN_LESSON,
	TUI_SCREEN_MENU,
};

/* A lesson's page, shown instead of the caption: a document that scrolls.
 * tui_page_build (tui_lesson.c) fills it; tui_render clamps top, brings
 * focus into view, and writes back rows, room and shown, which the keys
 * that scroll read. */
struct tui_page {
	char text[8192];
	int top;                  /* the first row of text shown */
	int focus;                /* a byte offset of text to scroll into view once; -1: none */
	unsigned show;            /* LESSON_PANE_* bits: the panes the page talks about */
	bool run;                 /* a run to show; false: the text takes the screen */
	int rows;                 /* written back: rows of text at this width */
	int room;                 /* written back: rows of text shown at once */
	unsigned shown;           /* written back: LESSON_PANE_* bits of the panes drawn */
};

/* Scratch space a render works in: folds of the trace (too large for the
 * stack) and a lesson page's rows.  The caller owns it, so tui_render
 * keeps no state of its own and two screens can be drawn in turn, each
 * with its scratch; one scratch serves one render at a time.  Its
 * contents mean nothing between calls. */
struct render_scratch;

/* NULL when memory runs out. */
struct render_scratch *render_scratch_new(void);
void render_scratch_free(struct render_scratch *r);

/* One fold a frame.  A scratch holds a seek cache (trace/seek.h) over the
 * trace it last drew: the lanes' window and the story's oldest line fold
 * through it, from the nearest packed copy or from where they were, and
 * the screen gets its own view (tui_state.v) from it too, so that a frame
 * applies at most about SEEK_EVERY events plus those it draws, at any
 * cursor.  The lanes keep the whole run fitted (a run over, its end
 * shown) once per trace, size and theme. */
struct seek *render_scratch_seek(struct render_scratch *r);
/* Drop what r keeps of the traces it drew (their copies, the lanes'
 * whole run): when the trace shown changes, so that nothing of a freed
 * trace is kept. */
void render_scratch_forget(struct render_scratch *r);
/* Events the last tui_render with r read or applied (an instrument:
 * tests bound a frame's work with it, whatever the trace's length). */
uint64_t render_scratch_visited(const struct render_scratch *r);

struct tui_state {
	const struct trace *t;
	size_t cursor;            /* events shown: [0, cursor) */
	const struct view *v;     /* view_fold(t, cursor) */
	int steps;                /* scripted actions in all (0: unknown) */
	const char *title;        /* the scenario's title, or "" */
	bool live;                /* a live run (not a replay) */
	bool playing;
	bool waiting;             /* a step was taken; waiting for quiet */
	bool ended;               /* the run is over */
	double speed;
	int lang;                 /* NARRATE_EN / NARRATE_ZH */
	int theme;
	bool ascii;               /* no UTF-8: ASCII glyphs */
	bool help;                /* the key list is open */
	const char *prompt;       /* a question in the key bar, or NULL */
	const char *note;         /* a passing message, or NULL */
	struct tui_page *page;    /* a lesson's page, shown instead of the caption, or NULL */
	int screen;               /* enum tui_screen: the key bar and help follow it */
	/* A lesson's page: what its keys can do there (the key bar and the
	 * help offer only those). */
	bool no_predict;          /* the page has no prediction: a does nothing */
	bool last_page;           /* the lesson's last page: n opens the next lesson */
	bool last_lesson;         /* and this is the last lesson: n opens nothing */
	/* render_scratch_new's, for this render; NULL: tui_render allocates
	 * one for the call (a screen drawn often should keep its own), and
	 * draws an empty grid if it cannot. */
	struct render_scratch *scratch;
};

void tui_render(struct grid *g, const struct tui_state *s);

struct lesson;
/* Section i of lesson l, as the screen shows it: heading, text, the
 * prediction (and its answer if answer), quoted code from data_dir, what
 * to look at; on the last page, that the lesson is finished and what n
 * opens (next: the next lesson's title, or NULL for the last lesson).
 * Sets show (from the run block) and focus (-1); keeps top and run. */
void tui_page_build(struct tui_page *p, const struct lesson *l, int i, bool answer, int lang,
		    const char *data_dir, const char *next);

/* The lesson menu: items[i] is "N. title", done[i] marks finished ones. */
struct tui_menu {
	const char *title;
	const char *const *items;
	const bool *done;
	int n, sel;
	int lang;
	bool ascii;
	bool help;                /* the menu's key list is open */
	const char *note;         /* a passing message (the theme's name), or NULL */
};

void tui_render_menu(struct grid *g, const struct tui_menu *m);

#endif
