/* screen.h: the only code that talks to curses.  It shows a grid, reads
 * keys, follows resizes, and always gives the terminal back: on close, on
 * a signal (the caller's loop closes it), and on a crash (a handler puts
 * back the saved termios and the normal screen, then re-raises). */
#ifndef IOSCOPE_SCREEN_H
#define IOSCOPE_SCREEN_H

#include <stdbool.h>

#include "view/grid.h"

/* Keys beyond plain characters, as screen_key returns them. */
enum {
	KEY_NONE = -1,
	K_LEFT = 0x10000, K_RIGHT, K_UP, K_DOWN, K_HOME, K_END, K_ENTER, K_BACKSPACE,
	K_RESIZE, K_ESC, K_PGDN, K_PGUP, K_WHEEL_UP, K_WHEEL_DOWN,
};

/* 0, or -errno with why: no terminal, TERM unknown... */
int screen_open(int theme, const char **why);
void screen_close(void);
/* Colours and attributes for each role; NO_COLOR and terminals without
 * colour get the monochrome theme whatever is asked. */
void screen_theme(int theme);
bool screen_utf8(void);
/* Whether the screen shows colours (false before screen_open, with
 * NO_COLOR, or on a terminal without them). */
bool screen_colors(void);

/* How a role (grid.h) looks in a theme: curses colour numbers 0-7 (-1:
 * the terminal's own) and attributes.  For tests; no screen needed. */
struct screen_look {
	short fg, bg;
	bool bold, reverse, dim;
};
void screen_look(int theme, int role, struct screen_look *out);
/* Follow a SIGWINCH: ask the terminal its size, tell curses. */
void screen_resize(void);
void screen_size(int *w, int *h);
void screen_draw(const struct grid *g);
/* Redraw everything on the next draw (after SIGCONT). */
void screen_invalidate(void);
/* The next key, or KEY_NONE when there is none (never blocks). */
int screen_key(void);

#endif
