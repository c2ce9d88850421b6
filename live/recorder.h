/* recorder.h: a live run's recording, written in batches.
 *
 * Each event heard is formatted into the stream's buffer (RECORDER_BUF
 * bytes, set by recorder_init); what is buffered reaches the file
 *   - when the buffer is full (stdio writes it whole),
 *   - at the end of a drained batch (recorder_batch) that leaves
 *     RECORDER_BATCH events or more unwritten,
 *   - RECORDER_FLUSH_MS after the first event buffered since the last
 *     flush (a timer): a run killed with SIGKILL loses at most that much,
 *     and a truncated last line, which the reader forgives,
 *   - and when the owner closes the stream.
 * A busy run so costs one write call per RECORDER_BATCH events or fewer,
 * a quiet one a few a second, instead of one per event.
 *
 * Every write is checked: the first failure is kept (recorder_error),
 * told once to fail_cb (loop thread: from recorder_ev, recorder_batch or
 * the timer), and nothing more is written.
 *
 * Lifetime: recorder_init right after the stream is opened, before
 * anything is written to it (it sets the stream's buffer, which lives in
 * the struct) -> recorder_ev for each event, recorder_batch after each
 * drained batch (loop thread) -> recorder_stop (closes the timer: the
 * loop must run once before the struct is freed) -> the owner closes the
 * stream (which flushes the rest), before the struct is freed.
 */
#ifndef IOSCOPE_RECORDER_H
#define IOSCOPE_RECORDER_H

#include <stdio.h>
#include <uv.h>

#include "trace/trace.h"

#define RECORDER_BUF      (64 * 1024)
#define RECORDER_BATCH    256
#define RECORDER_FLUSH_MS 250

typedef void (*recorder_fail_cb)(void *arg, int err);

struct recorder {
	FILE *f;
	uv_timer_t timer;
	int timer_ok;
	unsigned pending;         /* events buffered since the last flush */
	int err;                  /* the first write error, then nothing more */
	recorder_fail_cb fail_cb;
	void *fail_arg;
	char buf[RECORDER_BUF];
};

/* 0 or -errno (setvbuf refused: the stream was written already). */
int recorder_init(struct recorder *r, uv_loop_t *loop, FILE *f,
		  recorder_fail_cb cb, void *arg);
/* One event into the buffer; 0, or the recording's error.  An event the
 * format cannot hold is skipped, as the reader would skip it. */
int recorder_ev(struct recorder *r, const struct trace *t, const struct trace_ev *ev);
/* A drained batch was heard whole: flush if it left enough unwritten. */
void recorder_batch(struct recorder *r);
/* Everything buffered, now; 0 or the recording's error. */
int recorder_flush(struct recorder *r);
int recorder_error(const struct recorder *r);
void recorder_stop(struct recorder *r);

#endif
