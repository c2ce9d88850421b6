/* tui_show.c: what the screen shows: a live run (opened, stepped to
 * where a step ends, waited on until quiet, closed) or a recording, or
 * nothing; and the notes that belong to them.  The loop and the drawing are
 * tui.c's. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <uv.h>

#include "live/run.h"
#include "trace/seek.h"
#include "tui/tui_int.h"

#define QUIET_MS 10

struct trace *tui__trace(struct tui *u)
{
	return u->run != NULL ? run_trace(u->run) : u->replay;
}

/* After a live step that performed several actions at one instant (a
 * caption and a write, say), the view stops at the first one's end: each
 * → shows one action, as in a replay. */
static void show_step(struct tui *u)
{
	struct trace *t = run_trace(u->run);

	if (u->show_step < 0)
		return;
	u->cursor = tui_step_end(t, u->show_step);
	u->follow = u->cursor >= trace_count(t);
	u->show_step = -1;
}

static void quiet_cb(uv_timer_t *h)
{
	struct tui *u = h->data;

	if (!run_quiet(u->run) && !run_ended(u->run)) {
		tui__keys_run(u);             /* held at most HOLD_NS */
		return;
	}
	/* A lesson page plays to its step: one action at a time, each
	 * followed by quiet, as the learner's → would. */
	if (u->seek > 0 && !run_ended(u->run) && run_step_index(u->run) < u->seek &&
	    run_step(u->run) >= 0) {
		tui__keys_run(u);
		return;
	}
	/* A step reached by playing to it shows that step whole, and no
	 * more: the last run_step may have performed the actions after it
	 * at the same instant (each → then shows the next one). */
	if (u->seek > 0)
		u->show_step = u->seek - 1;
	u->seek = 0;
	u->waiting = false;
	uv_timer_stop(&u->quiet);
	show_step(u);
	tui__mark(u);
	tui__keys_run(u);                     /* the keys that waited for it */
}

void tui__wait_quiet(struct tui *u)
{
	u->waiting = true;
	u->wait_since = trace_mono_ns();
	uv_timer_start(&u->quiet, quiet_cb, QUIET_MS, QUIET_MS);
}

void tui__seek(struct tui *u, int step)
{
	u->seek = 0;
	if (u->run == NULL || step <= run_step_index(u->run))
		return;
	u->seek = step;
	u->follow = true;
	tui__wait_quiet(u);
	tui__mark(u);
}

/* ---- the live run ---- */

/* A recording that failed says so at once, and keeps saying so. */
void tui__note_record(struct tui *u)
{
	int err = u->run != NULL ? run_record_error(u->run) : 0;

	if (err == 0)
		return;
	u->rec_noted = true;
	snprintf(u->note, sizeof u->note, LANG_PICK(u->lang, "recording failed: %s: %s", "录制失败：%s：%s"),
		 u->ropts.record, strerror(-err));
}

static void run_event_cb(void *arg, struct trace *t, const struct trace_ev *ev)
{
	struct tui *u = arg;

	if (!u->rec_noted)
		tui__note_record(u);
	/* The program never stops for the screen: no call spans a pause. */
	if (!u->attach) {
		tui__pause_track(u);
		tui_pauses_note(&u->pauses, t, ev, u->lang, u->note, sizeof u->note);
	}
	tui__dirty(u);
}

static void run_end_cb(void *arg)
{
	struct tui *u = arg;

	u->ended = true;
	u->playing = false;
	tui__mark(u);
}

/* Open a run of scenario with every actor on model (NULL: the script's
 * own).  The current run, if any, is closed first, completely: its model
 * threads and signal handlers are gone and its recording is finished and
 * in place before the new run sets its clock and opens the same file (a
 * FIFO's reader gets one run whole, then the other). */
int tui__live_open(struct tui *u, const char *scenario, const char *model, bool paused)
{
	char cause[512];
	int rc;

	tui__live_close(u);
	if (scenario != u->scenario)
		snprintf(u->scenario, sizeof u->scenario, "%s", scenario ? scenario : "");
	u->ropts = u->o->run;
	u->ropts.scenario = scenario != NULL ? u->scenario : NULL;   /* NULL: attach */
	u->ropts.model = model;
	u->ropts.out = NULL;
	u->ropts.on_end = run_end_cb;
	u->ropts.on_end_arg = u;
	if (u->recorded)            /* this screen's own recording: replaced */
		u->ropts.no_replace = false;
	rc = run_open(&u->ropts, &u->loop, &u->run, cause, sizeof cause);
	if (rc != 0) {
		u->run = NULL;
		snprintf(u->cause, sizeof u->cause, "%s", cause);
		return rc;
	}
	run_listen(u->run, run_event_cb, u);
	u->steps = run_steps(u->run);
	u->ended = u->waiting = false;
	u->show_step = -1;
	tui_pauses_reset(&u->pauses);
	u->follow = true;
	u->cursor = 0;
	u->playing = !paused;
	u->rec_noted = false;
	rc = run_start(u->run, paused);
	tui__pause_track(u);
	u->recorded = u->recorded || (rc == 0 && u->ropts.record != NULL);
	return rc;
}

int tui__live_close(struct tui *u)
{
	char cause[512];
	int rc;

	if (u->run == NULL)
		return 0;
	uv_timer_stop(&u->quiet);
	/* Nothing waits for this run's quiet any more: the held keys go on. */
	u->waiting = false;
	u->seek = 0;
	u->show_step = -1;
	tui_pauses_reset(&u->pauses);         /* its calls stopped now: nothing to explain */
	rc = run_close(u->run, cause, sizeof cause);
	u->run = NULL;
	if (u->scratch != NULL)               /* nothing kept of a freed trace */
		render_scratch_forget(u->scratch);
	if (rc != 0 && u->status == 0) {
		u->status = rc;
		snprintf(u->cause, sizeof u->cause, "%s", cause);
	}
	return rc;
}

void tui__pause_track(struct tui *u)
{
	if (u->attach)
		return;
	tui_pauses_track(&u->pauses, u->run != NULL && !u->playing && !run_ended(u->run),
			 u->run != NULL ? run_now(u->run) : 0);
}

int tui__replay_open(struct tui *u, const char *path, int pause, char *cause, size_t len)
{
	size_t skipped;
	int rc;

	tui__show_none(u);
	if ((rc = trace_read(path, &u->replay, &skipped, cause, len)) != 0) {
		u->replay = NULL;
		return rc;
	}
	u->steps = trace_step_max(u->replay) + 1;
	if (skipped > 0)                /* said on screen, as check and --plain say it */
		snprintf(u->note, sizeof u->note, "%s", LANG_PICK(u->lang,
			 "the last line was cut short (a run stopped mid-write) and was skipped",
			 "最后一行不完整（运行在写入途中停止），已跳过"));
	/* The seek cache's copies, made now in one pass, so that End or a
	 * jump at any length folds on from a copy near it (without memory
	 * for them, frames fold from the start). */
	(void)seek_view(render_scratch_seek(u->scratch), u->replay, trace_count(u->replay),
			&u->view, &u->more);
	u->follow = u->playing = false;
	u->cursor = pause > 0 ? tui_step_end(u->replay, pause - 1) : 0;
	return 0;
}

void tui__show_none(struct tui *u)
{
	tui__live_close(u);
	trace_free(u->replay);
	u->replay = NULL;
	if (u->scratch != NULL)               /* nothing kept of a freed trace */
		render_scratch_forget(u->scratch);
}

void tui__show_empty(struct tui *u)
{
	if (tui__trace(u) != NULL || (u->replay = trace_new()) == NULL)
		return;
	u->steps = 0;
	u->cursor = 0;
	u->follow = u->playing = false;
}

bool tui__shows(struct tui *u, bool *events)
{
	struct trace *t = tui__trace(u);

	*events = t != NULL && (u->run != NULL || trace_count(t) > 0);
	return t != NULL;
}

/* The title, after render's "attach: ": "CMD (pid N)", or "pid N: CMD"
 * attached to (the pid first: a long command is cut from its end); the
 * note: that q detaches, and what each stopped call costs the program. */
int tui__attach_open(struct tui *u)
{
	const struct trace_hdr *h;
	const char *cmd;
	char cost[160] = "";
	int rc;

	u->attach = true;
	if ((rc = tui__live_open(u, NULL, NULL, false)) != 0)
		return rc;
	h = trace_hdr_c(run_trace(u->run));
	cmd = h->command != NULL ? h->command : "";
	if (h->attach_pid > 0)
		snprintf(u->title, sizeof u->title, LANG_PICK(u->lang, "pid %d: %s", "进程 %d：%s"),
			 h->attach_pid, cmd);
	else
		snprintf(u->title, sizeof u->title, LANG_PICK(u->lang, "%s (pid %d)", "%s（进程 %d）"), cmd,
			 run_pid(u->run));
	if (h->overhead_ns > 0)
		snprintf(cost, sizeof cost, LANG_PICK(u->lang,
			 "each call stopped costs the program ~%.0f µs (the tracer's; durations include it)",
			 "每次被拦下的调用让程序多花约 %.0f 微秒（跟踪器的开销；耗时中包含它）"),
			 (double)h->overhead_ns / 1e3);
	if (h->attach_pid > 0)
		snprintf(u->note, sizeof u->note, LANG_PICK(u->lang, "attached to pid %d: q detaches, it runs on%s%s",
							     "已附着到进程 %d：q 脱离，它继续运行%s%s"),
			 h->attach_pid, *cost ? " · " : "", cost);
	else
		snprintf(u->note, sizeof u->note, "%s", cost);
	return 0;
}

const char *tui__cause(const struct tui *u)
{
	return u->cause;
}

void tui__note(struct tui *u, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(u->note, sizeof u->note, fmt, ap);
	va_end(ap);
}

void tui__page_title(struct tui *u, const char *title)
{
	snprintf(u->title, sizeof u->title, "%s", title);
	u->help = false;
}
