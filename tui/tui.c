/* tui.c: the screen's loop.  Keys come in through a uv_poll on stdin,
 * signals through uv_signal, trace events through the run's listener; each
 * marks the screen dirty, and one frame timer draws.  Paused and idle, no
 * timer is armed: the process sleeps in epoll_wait. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "scenarios/scn.h"
#include "trace/seek.h"
#include "view/render.h"
#include "tui/screen.h"
#include "tui/tui.h"
#include "tui/tui_int.h"

#define FRAME_MS 33

static void schedule(struct tui *u);

int64_t tui_started_ns;          /* set by main(), for the first frame's delay */

static int cmp_ns(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void print_stats(struct tui *u)
{
	unsigned n = u->nframes < 4096 ? u->nframes : 4096;
	char key[32] = "-";

	if (!u->stats || n == 0)
		return;
	qsort(u->frame_ns, n, sizeof u->frame_ns[0], cmp_ns);
	if (u->nkeys > 0)
		snprintf(key, sizeof key, "%.0f µs", u->key_max_ns / 1e3);
	fprintf(stderr, "ioscope stats: %ux%u, %u frames, median %.0f µs, 90th %.0f µs, max %.0f µs, "
		"key max %s, first frame %.1f ms after start\n", u->grid.w, u->grid.h, u->nframes,
		u->frame_ns[n / 2] / 1e3, u->frame_ns[n * 9 / 10] / 1e3, u->frame_ns[n - 1] / 1e3,
		key, (u->first_frame - tui_started_ns) / 1e6);
}

/* A frame is on the screen: the keys applied since it was asked for have
 * been shown (IOSCOPE_STATS's key max). */
static void keys_shown(struct tui *u, int64_t now)
{
	if (u->key_ns == 0)
		return;
	if (now - u->key_ns > u->key_max_ns)
		u->key_max_ns = now - u->key_ns;
	u->nkeys++;
	u->key_ns = 0;
}



void tui__dirty(struct tui *u)
{
	u->dirty = true;
	if (!uv_is_active((uv_handle_t *)&u->frame))
		schedule(u);
}

void tui__mark(struct tui *u)
{
	tui__pause_track(u);
	u->dirty = true;
	schedule(u);
}

/* ---- drawing ---- */

static void draw_menu(struct tui *u)
{
	const char *items[64];
	struct tui_menu m = { .lang = u->lang, .ascii = !screen_utf8(), .help = u->help,
			      .note = *u->note ? u->note : NULL };
	int w, h;

	tui_lessons_menu(u->lessons, &m, items, 64);
	screen_size(&w, &h);
	if ((u->grid.w != w || u->grid.h != h) && (grid_free(&u->grid), grid_init(&u->grid, w, h) != 0))
		return;
	tui_render_menu(&u->grid, &m);
	screen_draw(&u->grid);
	u->dirty = false;
	keys_shown(u, trace_mono_ns());
}

static void draw(struct tui *u)
{
	struct trace *t = tui__trace(u);
	int64_t t0 = trace_mono_ns();
	struct tui_state s = {
		.t = t, .title = u->title, .live = u->run != NULL, .playing = u->playing,
		.waiting = u->waiting, .ended = u->ended, .speed = u->speed, .lang = u->lang,
		.theme = u->theme, .ascii = !screen_utf8(), .help = u->help, .steps = u->steps,
		.prompt = u->prompt_kind ? u->prompt : NULL, .note = *u->note ? u->note : NULL,
		/* attach: the replay's keys (space, arrows, q) are the ones that
		 * do something; m, i and the step keys do not. */
		.screen = u->run ? TUI_SCREEN_LIVE : TUI_SCREEN_REPLAY,
		.scratch = u->scratch,
	};
	int w, h;

	if (tui_lessons_menu_shown(u->lessons) || t == NULL) {
		draw_menu(u);
		return;
	}
	tui_lessons_state(u->lessons, &s);
	if (u->follow)
		u->cursor = trace_count(t);
	if (u->cursor > trace_count(t))
		u->cursor = trace_count(t);
	s.cursor = u->cursor;
	/* The end is shown at the last event of a run that ended, or of a
	 * replay (the end of the run it recorded); stepped back, it is not. */
	s.ended = (u->ended || u->run == NULL) && u->cursor == trace_count(t);
	/* One fold a frame, from the scratch's nearest copy or folded on
	 * (render.h).  Without memory for the actors past the view's own, the
	 * panes show the first TRACE_MAX_ACTORS: the view ignores the others'
	 * events. */
	(void)seek_view(render_scratch_seek(u->scratch), t, u->cursor, &u->view, &u->more);
	s.v = &u->view;
	screen_size(&w, &h);
	if (u->grid.w != w || u->grid.h != h) {
		grid_free(&u->grid);
		if (grid_init(&u->grid, w, h) != 0)
			return;
	}
	tui_render(&u->grid, &s);
	screen_draw(&u->grid);
	u->dirty = false;
	if (u->stats) {
		int64_t now = trace_mono_ns();

		keys_shown(u, now);
		if (u->nframes == 0)
			u->first_frame = now;
		u->frame_ns[u->nframes++ % 4096] = now - t0;
	}
}

/* Replay playback: show every event up to the trace time reached. */
static void replay_advance(struct tui *u)
{
	struct trace *t = u->replay;
	int64_t now = trace_mono_ns();

	/* Trace times are real times, and a run made at --speed 10 went ten
	 * times faster than its scenario: at "1×" it plays at the scenario's
	 * own pace. */
	u->play_t += tui_replay_ns(t, now - u->play_mono, u->speed);
	u->play_mono = now;
	while (u->cursor < trace_count(t) && trace_at(t, u->cursor)->t_ns <= u->play_t)
		u->cursor++;
	if (u->cursor == trace_count(t)) {
		u->playing = false;
		u->ended = true;
	}
	u->dirty = true;
}

static void frame_cb(uv_timer_t *h)
{
	struct tui *u = h->data;

	if (u->replay != NULL && u->playing)
		replay_advance(u);
	if (u->dirty)
		draw(u);
	schedule(u);
}

/* A frame timer only while something moves. */
static void schedule(struct tui *u)
{
	bool moving = u->playing || u->waiting;

	/* The first frame of a play comes at once (space is seen now), the
	 * rest on the tick. */
	if (moving && !uv_is_active((uv_handle_t *)&u->frame))
		uv_timer_start(&u->frame, frame_cb, u->dirty ? 1 : FRAME_MS, FRAME_MS);
	else if (!moving && u->dirty)
		uv_timer_start(&u->frame, frame_cb, 1, 0);
	else if (!moving)
		uv_timer_stop(&u->frame);
}

/* ---- keys ---- */

/* Keys wait while a step plays (a burst of → steps as many times as
 * pressed), but not for ever: a run that never falls quiet must not hold
 * q back. */
#define HOLD_NS 2000000000LL

static bool keys_held(struct tui *u)
{
	return u->waiting && trace_mono_ns() - u->wait_since < HOLD_NS;
}

void tui__keys_run(struct tui *u)
{
	int n = (int)(sizeof u->keyq / sizeof u->keyq[0]);

	/* Re-entered from the loop a closing run spins (run_close): the
	 * keys wait, in order, for the one being applied. */
	if (u->in_key)
		return;
	u->in_key = true;
	while (u->keyq_n > 0 && !u->quit && !keys_held(u)) {
		int k = u->keyq[u->keyq_head];
		int64_t read_ns = u->keyq_ns[u->keyq_head];

		u->keyq_head = (u->keyq_head + 1) % n;
		u->keyq_n--;
		if (u->key_ns == 0 || read_ns < u->key_ns)
			u->key_ns = read_ns;
		tui__key(u, k);
	}
	if (!u->dirty)                /* nothing to show: shown as it is */
		u->key_ns = 0;
	u->in_key = false;
	if (u->quit)
		uv_stop(&u->loop);
}

static void input_cb(uv_poll_t *h, int status, int events)
{
	struct tui *u = h->data;
	int n = (int)(sizeof u->keyq / sizeof u->keyq[0]);
	int k;

	(void)status;
	(void)events;
	/* Read every key now (the poll is level-triggered); past the
	 * queue's room a paste is dropped, not spun on. */
	while ((k = screen_key()) != KEY_NONE)
		if (u->keyq_n < n) {
			u->keyq_ns[(u->keyq_head + u->keyq_n) % n] = trace_mono_ns();
			u->keyq[(u->keyq_head + u->keyq_n++) % n] = k;
		}
	tui__keys_run(u);
}

static void signal_cb(uv_signal_t *h, int signum)
{
	struct tui *u = h->data;

	switch (signum) {
	case SIGWINCH:
		screen_resize();
		screen_invalidate();     /* all of it again: no cell of the old size left */
		tui__mark(u);
		break;
	case SIGCONT:
		screen_invalidate();
		tui__mark(u);
		break;
	default:                     /* SIGINT, SIGTERM, SIGHUP, SIGQUIT */
		u->quit = true;
		if (u->status == 0) {
			u->status = -EINTR;
			snprintf(u->cause, sizeof u->cause, "interrupted by %s", strsignal(signum));
		}
		uv_stop(&u->loop);
	}
}

/* ---- set-up and tear-down ---- */

static void close_walk_cb(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

/* What is written to stderr while the screen is up would tear it: hold it
 * in a file and print it after. */
struct held {
	int saved;
	FILE *tmp;
};

static void hold_stderr(struct held *hd)
{
	fflush(stderr);
	hd->saved = dup(STDERR_FILENO);
	hd->tmp = tmpfile();
	if (hd->saved >= 0 && hd->tmp != NULL)
		dup2(fileno(hd->tmp), STDERR_FILENO);
}

static void release_stderr(struct held *hd)
{
	char buf[4096];
	size_t n;

	fflush(stderr);
	if (hd->saved >= 0) {
		dup2(hd->saved, STDERR_FILENO);
		close(hd->saved);
	}
	if (hd->tmp != NULL) {
		rewind(hd->tmp);
		while ((n = fread(buf, 1, sizeof buf, hd->tmp)) > 0)
			fwrite(buf, 1, n, stderr);
		fclose(hd->tmp);
	}
}

static int handles_init(struct tui *u)
{
	static const int signums[] = { SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCONT };
	int rc;

	if ((rc = uv_loop_init(&u->loop)) != 0)
		return rc;
	uv_timer_init(&u->loop, &u->frame);
	uv_timer_init(&u->loop, &u->quiet);
	uv_timer_init(&u->loop, &u->theme_end);
	u->frame.data = u->quiet.data = u->theme_end.data = u;
	for (int i = 0; i < 6; i++) {
		uv_signal_init(&u->loop, &u->sigs[i]);
		u->sigs[i].data = u;
		uv_signal_start(&u->sigs[i], signal_cb, signums[i]);
	}
	if ((rc = uv_poll_init(&u->loop, &u->input, STDIN_FILENO)) != 0)
		return rc;
	u->input.data = u;
	return uv_poll_start(&u->input, UV_READABLE, input_cb);
}

/* The title: the scenario's, in the chosen language. */
static void load_title(struct tui *u, const char *path)
{
	struct scn *s;
	char cause[256];

	if (path != NULL && scn_load(path, &s, cause, sizeof cause) == 0) {
		snprintf(u->title, sizeof u->title, "%s", *s->title[u->lang] ? s->title[u->lang] : s->title[0]);
		scn_free(s);
	}
}

/* The scratch every draw works in: one for the screen's life. */
static int scratch_open(struct tui *u)
{
	if ((u->scratch = render_scratch_new()) == NULL) {
		snprintf(u->cause, sizeof u->cause, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

static int open_source(struct tui *u)
{
	if ((u->lessons = tui_lessons_new(u, u->o->data_dir, u->lang)) == NULL)
		return -ENOMEM;
	if (u->o->menu)
		return tui_lessons_menu_open(u->lessons, u->cause, sizeof u->cause);
	if (u->o->lesson != NULL)
		return tui_lessons_open(u->lessons, u->o->lesson, u->cause, sizeof u->cause) != 0 ?
		       -EINVAL : 0;
	if (u->o->replay != NULL) {
		if (tui__replay_open(u, u->o->replay, 0, u->cause, sizeof u->cause) != 0)
			return -EINVAL;
		u->playing = u->o->paused < 0;
		u->play_mono = trace_mono_ns();
		return 0;
	}
	if (u->o->run.scenario == NULL)            /* attach: a program, no script */
		return tui__attach_open(u);
	load_title(u, u->o->run.scenario);
	if (u->o->run.model != NULL)
		snprintf(u->note, sizeof u->note, LANG_PICK(u->lang, "every actor runs on %s; captions for other models give way to the trace's words",
					     "每个角色都用 %s；为其他模型写的说明已换成跟踪记录显示的内容"), u->o->run.model);
	return tui__live_open(u, u->o->run.scenario, u->o->run.model, u->o->paused >= 0);
}

int tui_main(const struct tui_opts *o, char *cause, size_t len)
{
	static struct tui tui;        /* large (the view): not on the stack */
	struct tui *u = &tui;
	struct held hd = { -1, NULL };
	struct sigaction ign = { .sa_handler = SIG_IGN }, pipe_old;
	const char *why = "";
	int rc;

	/* A recording FIFO whose reader left is a write error the screen
	 * reports ("recording failed"), not a death that leaves the terminal
	 * broken. */
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &pipe_old);
	memset(u, 0, sizeof *u);
	u->o = o;
	u->show_step = -1;
	u->speed = o->run.speed > 0 ? o->run.speed : 1;
	u->lang = o->run.lang;
	u->theme = o->theme;
	u->stats = getenv("IOSCOPE_STATS") != NULL;
	/* Bad input is reported before the screen opens. */
	if ((rc = handles_init(u)) == 0 && (rc = scratch_open(u)) == 0 &&
	    (rc = open_source(u)) == 0) {
		hold_stderr(&hd);
		if ((rc = screen_open(u->theme, &why)) != 0) {
			snprintf(u->cause, sizeof u->cause, "no screen: %s", why);
		} else {
			tui__mark(u);
			uv_run(&u->loop, UV_RUN_DEFAULT);
			screen_close();
		}
		release_stderr(&hd);
		print_stats(u);
	}
	tui__live_close(u);
	tui_lessons_free(u->lessons);
	trace_free(u->replay);
	grid_free(&u->grid);
	render_scratch_free(u->scratch);
	view_more_free(&u->more);
	uv_walk(&u->loop, close_walk_cb, NULL);
	uv_run(&u->loop, UV_RUN_DEFAULT);
	uv_loop_close(&u->loop);
	sigaction(SIGPIPE, &pipe_old, NULL);
	if (rc == 0)
		rc = u->status;
	snprintf(cause, len, "%s", u->cause);
	return rc;
}
