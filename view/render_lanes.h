/* render_lanes.h: the lanes' scratch state, which the caller owns.
 *
 * The lanes fold the trace themselves (from the window's first event,
 * through the render_scratch's seek cache when the tui_state has one, or
 * from the start to fit the whole run, which they then keep) and sort the
 * actors into lanes on every draw.  What that needs lives here, not in statics, so that two
 * screens (or a test beside the screen) never share it and the renderer
 * stays a function of its input.  Zero a struct lanes_scratch before its
 * first use; it grows to the trace it draws; render__lanes_free releases
 * it.  It is large (a struct view): keep it off small stacks.
 */
#ifndef IOSCOPE_RENDER_LANES_H
#define IOSCOPE_RENDER_LANES_H

#include <wchar.h>

#include "view/render.h"

/* One lane: a single actor (a user row and a kernel row), or a group of
 * actors of one model and parent (a row of their most common state and a
 * row that counts them: "thread-per-conn ×1000: 998 asleep in recvfrom,
 * 2 running").  Its actors are order[first .. first + n). */
struct lane {
	int row;                  /* y of its first row, -1 when not shown */
	int span_start;           /* column where the current call began */
	int first, n;
	bool group;
	bool queue;               /* a third row: the depth of the work queue
	                             its actor owns ("queue ■■■□ 3/4") */
};

struct lanes_scratch {
	struct view v;            /* the fold the lanes are drawn from */
	struct view_more more;    /* its actors past TRACE_MAX_ACTORS */
	struct view start;        /* the fold to the window's first event, kept:
	                             a step folds it on by a step (render.h) */
	struct view_more start_more;
	int *order;               /* actors with a lane, sorted; [cap] */
	struct lane *lanes;       /* [cap] */
	wchar_t (*prev)[2];       /* per lane: its last cells (fitting) */
	unsigned char *named;     /* [cap] by actor: named by the text of named_key */
	uint64_t named_key;       /* that text's hash with the actors' count; 0: none */
	int cap;                  /* actors the arrays hold */
	int unsaid;               /* actors the last draw left out without
	                             room to say so: the rule below says it */
	/* The whole run fitted walks every event: its rows as last drawn,
	 * drawn again as they are for the same trace (serial and length),
	 * rows, width and style. */
	struct {
		bool valid;
		uint64_t serial;
		size_t count;
		int w, y, h, lang, theme, unsaid;
		bool ascii;
		struct cell *cells;   /* rows [y, y + h), w wide */
	} whole;
};

/* Traces longer than this are not fitted whole at their end: a column
 * would stand for hundreds of events, and the walk over all of them would
 * make the End key cost the trace's length.  Their end shows the last
 * events, one column each, as stepping does. */
#define LANES_WHOLE_MAX 4096

/* Whether the lanes show the whole run fitted to the width: the run is
 * over, its end is shown, and it has at most LANES_WHOLE_MAX events. */
bool render__lanes_whole(const struct tui_state *s);

/* Draw the lanes of s in rows [y, y + h) with sc's scratch state. */
void render__lanes_in(struct grid *g, const struct tui_state *s, int y, int h,
		      struct lanes_scratch *sc);
void render__lanes_free(struct lanes_scratch *sc);

/* Shared with the kernel pane (render_kernel.c), which lists the same
 * actors in the same order and groups them in the same words, one row a
 * lane. */

/* Room in sc for n actors: 0 or -ENOMEM. */
int render__lanes_fit(struct lanes_scratch *sc, int n);
/* The actors with a lane (those that run a model, and those a run
 * announced), sorted into sc->order by parent, then model, then
 * announcement; returns how many.  sc fits the trace's actors. */
int render__lane_order(const struct trace *t, struct lanes_scratch *sc);
/* Lanes for sc->order[0 .. n) in rows, per rows a lane: one each when
 * they fit, else groups of siblings of one model, else the first lanes
 * and "+N more" in a spare row.  With per 2 (the lanes pane), the lane
 * of an actor that owns a work queue (render__owns_queue) takes a third
 * row for it.  Those text names (render__names) stay out of the groups
 * while the lanes fit so, else they join them.  Fills sc->lanes (rows -1); returns the lanes shown;
 * *hidden: the actors of those that are not. */
int render__lane_plan(const struct trace *t, struct lanes_scratch *sc, int n, int rows, int per,
		      const char *text, int *hidden);
/* Does actor i own a work queue: TRACE_CAP_QUEUE, and its parent has
 * none (a pool's server, not its workers)?  By the header's caps. */
bool render__owns_queue(const struct trace_hdr *h, int i);
/* Rows lane l takes in a pane of per rows a lane. */
static inline int render__lane_rows(const struct lane *l, int per)
{
	return per + (l->queue && per >= 2);
}
/* The lanes sc->order[0 .. n) makes grouped. */
int render__lane_groups(const struct trace *t, struct lanes_scratch *sc, int n, const char *text);
/* Is name a word of text (not a part of a longer name: "S.8" is not in
 * "S.80" nor "S" in "S.1")?  text NULL: no.  The actors a lesson page's
 * text names keep a lane and a kernel row of their own: text is that of
 * render__page_text (NULL when s shows no page). */
bool render__names(const char *text, const char *name);
const char *render__page_text(const struct tui_state *s);
/* A group's words in v: "thread-per-conn ×1000: 998 asleep in recvfrom,
 * 2 running", the most common first. */
void render__group_words(const struct tui_state *s, const struct view *v,
			 const struct lanes_scratch *sc, const struct lane *l, char *out, size_t len);

#endif
