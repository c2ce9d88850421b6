/* tui_int.h: shared by the screen's files: tui.c (the loop, drawing,
 * set-up), tui_show.c (the live run or replay shown), tui_act.c (what each
 * action does), tui_keys.c (which key is which action).  The lessons (tui_lesson.c) and the pauses
 * (tui_pause.c) keep their own state behind their own headers; the lessons
 * reach the screen only through the calls under "what the lessons ask of
 * the screen" below. */
#ifndef IOSCOPE_TUI_INT_H
#define IOSCOPE_TUI_INT_H

#include <stdbool.h>
#include <uv.h>

#include "trace/fold.h"
#include "trace/lang.h"
#include "view/grid.h"
#include "view/render.h"
#include "tui/steps.h"
#include "tui/tui.h"
#include "tui/tui_lesson.h"
#include "tui/tui_pause.h"

struct tui {
	const struct tui_opts *o;
	struct run_opts ropts;
	uv_loop_t loop;
	uv_poll_t input;
	uv_signal_t sigs[6];
	uv_timer_t frame, quiet;
	uv_timer_t theme_end;         /* ends the theme's name in the note (tui_act.c) */
	char theme_note[128];
	struct run *run;              /* live, or NULL */
	struct trace *replay;         /* replay, or NULL */
	struct grid grid;
	struct view view;
	struct view_more more;        /* the view's actors past TRACE_MAX_ACTORS */
	struct render_scratch *scratch;   /* every draw's (tui_main allocates, frees) */
	size_t cursor;
	bool follow;                  /* the cursor follows the newest event */
	bool playing, waiting, ended, help, dirty, quit;
	double speed;
	int64_t play_t;               /* replay: trace time shown */
	int64_t play_mono;            /* replay: real time it was shown */
	int theme, steps;
	enum lang lang;
	char title[128];
	char prompt[96];
	int prompt_kind;              /* 0 none, 'g' go to step, 'i' inject */
	char note[512];
	bool recorded;                /* a run of this screen put its recording in place */
	bool rec_noted;               /* "recording failed" was shown */
	int status;
	char cause[512];
	struct tui_lessons *lessons;  /* the menu and lesson pages (tui_lesson.c) */
	int seek;                     /* play to this step, then pause (0: none) */
	char scenario[1024];          /* the scenario file of the run shown */
	/* IOSCOPE_STATS=1: frame times, printed on exit (for the README's
	 * figures; a benchmark, never a test). */
	bool stats;
	int64_t first_frame;
	unsigned nframes;
	int64_t frame_ns[4096];
	/* Keys are events: read into keyq as they come, applied in order,
	 * one at a time.  None is applied while another is (closing a run
	 * runs the loop, and the loop reads keys) or while a step plays
	 * (waiting, for at most HOLD_NS): they wait their turn. */
	int keyq[256];
	int64_t keyq_ns[256];         /* when each was read (IOSCOPE_STATS) */
	int keyq_head, keyq_n;
	int64_t key_ns;               /* the oldest key applied since the last
	                                 frame drawn, when read (0: none) */
	int64_t key_max_ns;           /* the slowest key, read to frame drawn */
	unsigned nkeys;               /* keys timed */
	bool in_key;
	int64_t wait_since;           /* when waiting began */
	int show_step;                /* after a live step: show to this step's end (-1: the newest) */
	/* When the live run's clock stood still (paused or stepping): a call
	 * that spans a pause is said to (its duration is real time, the pause
	 * included). */
	struct tui_pauses pauses;
	/* attach: a program traced, not a script played.  No steps, no
	 * model to switch, no data to inject; playing means the view follows
	 * the newest event (the program never waits for the screen). */
	bool attach;
};

/* ---- tui.c: the loop ---- */

/* Something changed: track the clock, draw soon. */
void tui__mark(struct tui *u);
/* Draw soon, without putting off a frame already due (an event). */
void tui__dirty(struct tui *u);
/* Apply the queued keys that may be applied now. */
void tui__keys_run(struct tui *u);

/* ---- tui_show.c: what is shown ---- */

/* The trace shown: the live run's, the replay's, or NULL. */
struct trace *tui__trace(struct tui *u);
/* Note whether the live clock stands still (on every key and event). */
void tui__pause_track(struct tui *u);
/* Wait, on a timer, until every model thread is quiet (after a step). */
void tui__wait_quiet(struct tui *u);
/* Put "recording failed: FILE: why" in the note if the run's recording
 * failed. */
void tui__note_record(struct tui *u);

/* What the lessons ask of the screen (tui_show.c too): */

/* Open scenario (a path) with every actor on model (NULL: its own), the
 * run shown closed first; -errno with tui__cause saying why. */
int tui__live_open(struct tui *u, const char *scenario, const char *model, bool paused);
/* Close the live run, if any (its error becomes the screen's status). */
int tui__live_close(struct tui *u);
/* The live run plays to step, then pauses. */
void tui__seek(struct tui *u, int step);
/* Show the recording at path paused at the end of step pause - 1 (the
 * start for 0) instead of what is shown; -errno with a cause if it
 * cannot be read (then nothing is shown). */
int tui__replay_open(struct tui *u, const char *path, int pause, char *cause, size_t len);
/* Show nothing (the live run closed, the replay freed); and, if nothing is
 * shown, an empty trace (a page of text: something to fold). */
void tui__show_none(struct tui *u);
void tui__show_empty(struct tui *u);
/* A trace is shown; *events: it is live or has events. */
bool tui__shows(struct tui *u, bool *events);
/* The cause of the last failure to open a run. */
const char *tui__cause(const struct tui *u);
/* The passing message in the key bar. */
void tui__note(struct tui *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A page came: its title, the help closed. */
void tui__page_title(struct tui *u, const char *title);

/* Open the attach run of the screen's options (tui_opts.run's attach
 * fields), its title and the tracer's cost in the note; -errno with
 * tui__cause saying why. */
int tui__attach_open(struct tui *u);

/* ---- tui_keys.c: which key is which action ---- */

enum tui_act {
	ACT_NONE,                     /* no action: the key is ignored */
	ACT_QUIT, ACT_PLAY, ACT_FORWARD, ACT_BACK, ACT_HOME, ACT_END,
	ACT_NEXT_EVENT, ACT_PREV_EVENT, ACT_FASTER, ACT_SLOWER,
	ACT_GOTO, ACT_MODEL, ACT_INJECT, ACT_HELP, ACT_THEME, ACT_RESIZE,
};

enum tui_act tui_key_act(int k);

/* ---- tui_act.c: what a key does ---- */

void tui__key(struct tui *u, int k);
/* attach's keys (tui_act.c): 1 when taken. */
int tui__attach_key(struct tui *u, enum tui_act a);

#endif
