/* grid.h: an off-screen grid of cells, what the renderer draws into.
 *
 * The renderer never touches curses: it fills a grid, and screen.c copies
 * the grid to the terminal.  Tests render into a grid and compare its text
 * with the golden files under tests/golden.  A wide character (CJK) takes two cells: the
 * second holds GRID_CONT.
 */
#ifndef IOSCOPE_GRID_H
#define IOSCOPE_GRID_H

#include <stddef.h>
#include <wchar.h>

#define GRID_CONT ((wchar_t)-1)  /* right half of a wide character */

/* What a cell means; the theme maps each role to a colour and attribute. */
enum role {
	ROLE_TEXT = 0,
	ROLE_DIM,          /* labels, rules */
	ROLE_TITLE,        /* title and status bars */
	ROLE_KEY,          /* key names in the key bar */
	ROLE_BLOCKED,      /* the caller is blocked */
	ROLE_RUNNING,      /* the caller runs in user space */
	ROLE_IDLE,         /* doing something else (chatting) */
	ROLE_POLL,         /* a try that found nothing (EAGAIN) */
	ROLE_WAIT,         /* phase 1 in the kernel: waiting for data */
	ROLE_COPY,         /* phase 2: copying */
	ROLE_READY,        /* data arrived / fd ready */
	ROLE_ALERT,        /* refusals, lost events, errors */
	ROLE_CAPTION,      /* the story */
	ROLE_MAX
};

struct cell {
	wchar_t ch;
	unsigned char role;
};

struct grid {
	int w, h;
	struct cell *cells;
};

int grid_init(struct grid *g, int w, int h);      /* 0 or -ENOMEM */
void grid_free(struct grid *g);
void grid_clear(struct grid *g);

/* Put UTF-8 text at x,y, clipped to the grid and to max columns (<= 0:
 * to the right edge).  Returns the columns used.  Invalid bytes show as
 * '?'; a wide character that would not fit whole is not drawn.  In a
 * locale without UTF-8 (LANG=C) a UTF-8 character takes one cell, in an
 * ASCII look ('·' '.', '×' 'x', '→' '>', '█' '#'...) or '?'. */
int grid_put(struct grid *g, int x, int y, int role, const char *utf8, int max);
/* printf then grid_put. */
int grid_printf(struct grid *g, int x, int y, int role, int max, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
void grid_fill(struct grid *g, int x, int y, int w, int role, wchar_t ch);
void grid_set(struct grid *g, int x, int y, int role, wchar_t ch);

/* Display width of UTF-8 text in columns. */
int grid_width(const char *utf8);

/* The grid as UTF-8 text, one line per row, trailing blanks removed.
 * Returns a malloc'd string. */
char *grid_text(const struct grid *g);

#endif
