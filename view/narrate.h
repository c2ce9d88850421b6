/* narrate.h: the plain-text view: one line per event, no escape codes.
 *
 * For pipes, CI, screen readers and handouts.  It is a fold like every other
 * view, so a replay narrates exactly what the live run narrated.
 */
#ifndef IOSCOPE_NARRATE_H
#define IOSCOPE_NARRATE_H

#include <stdio.h>

#include "trace/fold.h"
#include "trace/lang.h"

enum { NARRATE_EN = LANG_EN, NARRATE_ZH = LANG_ZH };

struct narrator {
	FILE *out;
	int lang;
	const struct trace *t;
	const struct view *now;   /* the view the words read: &v while narrating
	                             a transcript, the caller's in narrate_line_in */
	struct view v;
	uint8_t last_kind[TRACE_MAX_ACTORS];  /* each actor's previous event */
	/* Each actor's blocked phase 2 time, split by what it held: a
	 * wake-up, scheduling and the copy, or the copy of data already
	 * there (the summary's; the first TRACE_MAX_ACTORS actors). */
	int64_t woken_ns[TRACE_MAX_ACTORS], there_ns[TRACE_MAX_ACTORS];
	/* A trace of more actors: the view's room for the others, and their
	 * previous events (narrate_begin allocates, narrate_end frees). */
	struct view_more more;
	uint8_t *last_more;
};

/* Pick the language from the locale environment (zh* -> Chinese). */
int narrate_lang_from_env(void);
int narrate_lang_from(const char *s);        /* "en", "zh"; -1 otherwise */

/* Print the header (scenario, the actors of the start) and reset the
 * view.  n may be uninitialised; for a trace of more than
 * TRACE_MAX_ACTORS actors it holds memory until narrate_end. */
void narrate_begin(struct narrator *n, FILE *out, const struct trace *t, int lang);
/* Print the line for ev (some events print none), then fold it in.  Idle
 * time in slices (an asynchronous reader doing other work) prints once:
 * an idle event right after another of the same actor prints nothing. */
void narrate_ev(struct narrator *n, const struct trace_ev *ev);
/* Print the summary: per actor, what the trace measured; release what
 * narrate_begin held (narrate_free). */
void narrate_end(struct narrator *n);
/* Release what narrate_begin held without printing (its output failed). */
void narrate_free(struct narrator *n);

/* The words for ev alone (no time, no actor), given the view just before
 * it.  Returns 0 when the event has no words.  scratch is the caller's:
 * only its small fields are set (before is read in place, not copied), so
 * any narrator will do, begun or not. */
int narrate_line_in(struct narrator *scratch, const struct trace *t, int lang,
		    const struct view *before, const struct trace_ev *ev, char *s, size_t len);
/* The same with a narrator it allocates for the call (no words when
 * memory runs out): for one-off lines; a caller that words many events
 * (the screen's story) keeps a narrator and calls narrate_line_in. */
int narrate_line(const struct trace *t, int lang, const struct view *before,
		 const struct trace_ev *ev, char *s, size_t len);
const char *narrate_actor(const struct trace *t, int actor);

/* The run put actor on another model than script, the one the scenario
 * wrote: record script in the header and give the actor a label that
 * says so (the scenario's label describes script).  Returns 0, -EINVAL
 * (no such actor) or -ENOMEM; nothing changes when script is its model. */
int narrate_recast(struct trace *t, int actor, const char *script);

/* The scenario wrote a caption for the model this run put its actors
 * on: keep it in the header, to be shown instead of the caption event at
 * step.  Returns 0, -EINVAL (step out of range or given twice), -ENOSPC
 * (TRACE_MAX_CAST_CAPTIONS already) or -ENOMEM. */
int narrate_cast_caption(struct trace *t, int step, const char *model,
			 const char *en, const char *zh);

/* "850 ns", "12 µs", "1.23 ms", "150.0 ms", "1.502 s". */
const char *narrate_dur(int64_t ns, char *buf, size_t len);

#endif
