/* tui_pause.h: when the live run's clock stood still, and what that does
 * to the durations on screen (see tui_pause.c).  Owned by the screen's
 * loop (tui.c), one per live run: reset when a run opens. */
#ifndef IOSCOPE_TUI_PAUSE_H
#define IOSCOPE_TUI_PAUSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace/lang.h"
#include "trace/trace.h"

#define TUI_PAUSES 32

/* The newest TUI_PAUSES spans the clock stood still, in trace time. */
struct tui_pauses {
	bool stopped;                 /* the clock stands still now */
	bool noted;                   /* said once per run (and after each inject) */
	int n;
	int64_t at[TUI_PAUSES][2];    /* [from, to); to INT64_MAX while stopped */
};

/* A new run: nothing paused, nothing said. */
void tui_pauses_reset(struct tui_pauses *p);
/* The clock stands still (paused or stepping) or runs: call on every key
 * and event, which is when it can change. */
/* now: the run's trace time (run_now). */
void tui_pauses_track(struct tui_pauses *p, bool stopped, int64_t now);
/* For a call's return: if it slept through pauses (0.1 s or more), say
 * how much of its duration the clock stood still, appended to note (len
 * bytes) after " · ", once per run or until noted is cleared. */
void tui_pauses_note(struct tui_pauses *p, const struct trace *t, const struct trace_ev *ev,
		     enum lang lang, char *note, size_t len);

#endif
