/* tui_int.h: shared by the screen's files (tui.c: the loop and keys;
 * tui_lesson.c: the lesson menu and lesson pages). */
#ifndef IOSCOPE_TUI_INT_H
#define IOSCOPE_TUI_INT_H

#include <stdbool.h>
#include <uv.h>

#include "lessons/lesson.h"
#include "trace/fold.h"
#include "trace/lang.h"
#include "view/grid.h"
#include "view/render.h"
#include "tui/tui.h"

struct tui {
	const struct tui_opts *o;
	struct run_opts ropts;
	uv_loop_t loop;
	uv_poll_t input;
	uv_signal_t sigs[6];
	uv_timer_t frame, quiet;
	uv_timer_t theme_end;         /* ends the theme's name in the note (tui_keys.c) */
	char theme_note[128];
	struct run *run;              /* live, or NULL */
	struct trace *replay;         /* replay, or NULL */
	struct grid grid;
	struct view view;
	size_t cursor;
	bool follow;                  /* the cursor follows the newest event */
	bool playing, waiting, ended, help, dirty, quit;
	double speed;
	int64_t play_t;               /* replay: trace time shown */
	int64_t play_mono;            /* replay: real time it was shown */
	int theme, steps, model_i;
	enum lang lang;
	char title[128];
	char prompt[96];
	int prompt_kind;              /* 0 none, 'g' go to step, 'i' inject */
	char note[512];
	bool recorded;                /* a run of this screen put its recording in place */
	bool rec_noted;               /* "recording failed" was shown */
	int status;
	char cause[512];
	/* Lessons: the menu, or the lesson being read and its page. */
	bool menu;
	char **menu_paths;
	int menu_n, menu_sel;
	char (*menu_titles)[160];
	bool *menu_done;
	struct lesson *lesson;
	int section;
	bool last_lesson;             /* no lesson follows this one (set on its last page) */
	int run_section;              /* the section whose run block is shown (-1: none, -2: not yet) */
	bool answer;                  /* the page's prediction is answered */
	int seek;                     /* play to this step, then pause (0: none) */
	char scenario[1024];          /* the scenario file of the run shown */
	/* The page shown: an array of one, so that u->page is its address
	 * (what tui_state.page takes). */
	struct tui_page page[1];
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
	int keyq_head, keyq_n;
	bool in_key;
	int64_t wait_since;           /* when waiting began */
	int show_step;                /* after a live step: show to this step's end (-1: the newest) */
	/* When the live run's clock stood still (paused or stepping), in trace
	 * time, the newest PAUSES kept: a call that spans a pause is said to
	 * (its duration is real time, the pause included). */
	bool clock_stopped;
	bool pause_noted;             /* said once per run (and after each inject) */
	int npauses;
	int64_t pauses[32][2];        /* [from, to); to INT64_MAX while stopped */
};


void tui__mark(struct tui *u);
struct trace *tui__trace(struct tui *u);
size_t tui__step_end(struct trace *t, int n);
int tui__max_step(struct trace *t);
/* The nearest step end after cursor (SIZE_MAX: none, the trace has no
 * step or the cursor is at its end) and before it (0: none); what
 * tui__step_end(t, n) gives for the nearest n, in one pass. */
size_t tui__next_step_end(struct trace *t, size_t cursor);
size_t tui__prev_step_end(struct trace *t, size_t cursor);
/* Open scenario (a path) with every actor on model (NULL: its own). */
int tui__live_open(struct tui *u, const char *scenario, const char *model, bool paused);
int tui__live_close(struct tui *u);
void tui__seek(struct tui *u, int step);
/* Wait, on a timer, until every model thread is quiet (after a step). */
void tui__wait_quiet(struct tui *u);
/* Put "recording failed: FILE: why" in the note if the run's recording
 * failed. */
void tui__note_record(struct tui *u);
/* How far a replay's trace time moves in real_ns at speed: trace times
 * are real times of a run made at the header's speed, so at 1× a replay
 * plays at the scenario's own pace, whatever speed it was recorded at. */
int64_t tui__replay_ns(const struct trace *t, int64_t real_ns, double speed);
/* tui_pause.c: note when the live clock stops and starts (call on every
 * key and event, which is when it can change); and, for a call's return,
 * put in the note how much of its duration the clock stood still. */
void tui__pause_track(struct tui *u);
void tui__note_paused_call(struct tui *u, struct trace *t, const struct trace_ev *ev);
/* tui_keys.c: one key. */
void tui__key(struct tui *u, int k);
/* Apply the queued keys that may be applied now (tui.c). */
void tui__keys_run(struct tui *u);

/* tui_lesson.c */
int tui__menu_open(struct tui *u);
void tui__menu_free(struct tui *u);
/* Keys of the menu and of lesson pages; 1 if taken. */
int tui__lesson_key(struct tui *u, int k);
/* The page shown has a prediction (a answers it). */
bool tui__page_predicts(const struct tui *u);
void tui__lesson_open(struct tui *u, const char *path);
void tui__lesson_close(struct tui *u);

#endif
