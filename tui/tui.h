/* tui.h: the live screen for `ioscope run` and `ioscope replay`. */
#ifndef IOSCOPE_TUI_H
#define IOSCOPE_TUI_H

#include <stdbool.h>
#include <stddef.h>

#include "live/run.h"

struct tui_opts {
	struct run_opts run;      /* live: the run; run.scenario set */
	const char *replay;       /* or a trace file to replay */
	bool menu;                /* or the lesson menu */
	const char *lesson;       /* or one lesson's file */
	const char *data_dir;     /* where scenarios/ and lessons/ are */
	int paused;               /* 1 --paused, -1 --play; 0: paused too (a class
				   * reads before it watches) */
	int theme;
};

/* Returns 0, -EINVAL for bad input (exit 2), -ENOTTY when there is no
 * usable terminal (cause says why: the caller falls back to plain text),
 * other -errno for a runtime failure.  The terminal is restored in every
 * case, and on every signal that ends the process: INT, TERM, HUP and QUIT
 * end the loop cleanly (exit status 1, "interrupted by ..."), and a second
 * one before the loop could act ends the process at once, restored; SEGV,
 * BUS, FPE, ILL, ABRT (and the other signals whose default is death)
 * restore the terminal in the handler and die of the same signal.  SIGPIPE
 * is ignored meanwhile: a recording FIFO whose reader left is a write
 * error ("recording failed"). */
int tui_main(const struct tui_opts *o, char *cause, size_t len);

/* Whether curses knows the terminal TERM names (its terminfo entry can be
 * loaded): if not, the caller uses plain text instead of the screen. */
bool tui_term_known(void);

/* CLOCK_MONOTONIC when the process started (main sets it), for
 * IOSCOPE_STATS's "first frame" figure. */
extern int64_t tui_started_ns;

#endif
