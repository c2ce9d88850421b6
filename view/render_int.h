/* render_int.h: shared by the renderer's files. */
#ifndef IOSCOPE_RENDER_INT_H
#define IOSCOPE_RENDER_INT_H

#include "trace/seek.h"
#include "view/narrate.h"
#include "view/render.h"
#include "view/render_lanes.h"

/* A lesson page's text in rows: where each starts and its bytes. */
#define RENDER_PAGE_ROWS 1024

struct render_page_row {
	int at, len;              /* bytes of the page's text */
};

/* The story's lines as last made, by event (at % RENDER_STORY_KEEP): an
 * event's line is the same in every frame that shows it (the narration of
 * it against the view before it), so a step makes only the new ones. */
#define RENDER_STORY_KEEP 128
#define RENDER_IDLE_KEEP 1024

struct render_story_line {
	bool valid, said;         /* made; and not a line the narrator skips */
	bool ascii;
	int lang, w;
	uint64_t serial;          /* trace_serial of its trace */
	size_t at;                /* its event */
	char text[700];           /* its words, fitted to w - 2 columns */
};

/* What render.h's struct render_scratch holds: one part per pane that
 * needs one, each refilled by its pane on every call, but for what is
 * kept for the next frames (the seek cache, the story's lines, the
 * lanes' whole run; render_scratch_forget drops them).  render_scratch_new
 * zeroes it; the parts that grow to a trace (the lanes' arrays, the
 * views' room for actors past TRACE_MAX_ACTORS) keep their memory until
 * render_scratch_free. */
struct render_scratch {
	struct view story;        /* render.c: the story's fold, up to its oldest line */
	struct view_more story_more;   /* its actors past TRACE_MAX_ACTORS */
	struct narrator narrator; /* render.c: the story's words (narrate_line_in) */
	struct lanes_scratch lanes;    /* render_lanes.c: the lanes' fold and order */
	struct lanes_scratch kern;     /* render_kernel.c: its actors' order and groups
	                                  (its fold unused: the pane reads the tui_state's) */
	struct render_page_row rows[RENDER_PAGE_ROWS];   /* render.c: a page's rows */
	char rule[256];                /* render.c: a rule's words made for this draw */
	char krule[160];               /* render.c: the kernel pane's, a traced program's */
	struct render_story_line story_lines[RENDER_STORY_KEEP];   /* render.c, kept */
	struct seek *seek;             /* the folds' copies (render.h), kept between calls */
	struct {                       /* render__idle_again's answers, by event */
		uint64_t serial;
		size_t at;
		bool valid, again;
	} idle[RENDER_IDLE_KEEP];
	char cap_text[1024];           /* render.c: the caption last measured, */
	size_t cap_len;
	int cap_w, cap_rows;           /* at this width (0: none), in rows */
	uint64_t visited;              /* events read by this render (render__ev) */
	uint64_t applied0;             /* seek_applied when it began */
};

/* Event i of s's trace, counted in s->scratch->visited. */
static inline const struct trace_ev *render__ev(const struct tui_state *s, size_t i)
{
	if (s->scratch != NULL)
		s->scratch->visited++;
	return trace_at(s->t, i);
}

/* Event i's kind and flags (trace_kind_at), counted as render__ev is. */
static inline int render__kind(const struct tui_state *s, size_t i, unsigned *flags)
{
	if (s->scratch != NULL)
		s->scratch->visited++;
	return trace_kind_at(s->t, i, flags);
}

/* v becomes the fold of s's trace to n with more as its room: through the
 * scratch's seek cache (from a copy, or folded on), or from the first
 * event without a scratch. */
void render__seek(const struct tui_state *s, size_t n, struct view *v, struct view_more *more);

/* Glyphs, UTF-8 or ASCII. */
struct glyphs {
	wchar_t blocked, copy, wait, idle, poll, run, ready, arrive, done, hrule, vrule;
	wchar_t parked;           /* a coroutine parked in user space */
	wchar_t whole;            /* a wait that holds its copy (a traced
	                             program's blocking read): a wait's colour */
	const char *full, *empty; /* a queue's slot, taken and free */
	const char *play, *pause;
};

const struct glyphs *render__glyphs(const struct tui_state *s);

/* Actors that run a model (the world and the clients it plays are not);
 * an actor's capabilities (enum trace_cap, 0 for the world and clients);
 * those with a multiplexer's pane (TRACE_CAP_SET or TRACE_CAP_INTEREST),
 * and of those the ones with an interest list (TRACE_CAP_INTEREST). */
bool render__is_model(const struct tui_state *s, int actor);
unsigned render__caps(const struct tui_state *s, int actor);
bool render__is_mux(const struct tui_state *s, int actor);
bool render__is_epoll(const struct tui_state *s, int actor);

/* The panes; each draws in rows [y, y + h). */
int render__lanes_height(const struct tui_state *s);
/* The lanes' rows: one lane each (the most they take); with every group
 * made (with named, the actors a page names kept out of them); those a
 * draw in h rows uses (fewer once grouped); those through the last lane
 * of an actor the page names, grouped. */
int render__lanes_grouped(const struct tui_state *s, bool named);
int render__lanes_used(const struct tui_state *s, int h);
int render__lanes_keep(const struct tui_state *s);
void render__mux(struct grid *g, const struct tui_state *s, int y, int h);
void render__kernel(struct grid *g, const struct tui_state *s, int y, int h);
/* The kernel pane's rows: one per actor that has a lane and has appeared
 * by the cursor (the pane groups them when given fewer rows). */
int render__kernel_height(const struct tui_state *s);
/* The rows the kernel pane uses of h: fewer when its actors, grouped to
 * fit, need fewer. */
int render__kernel_rows(const struct tui_state *s, int h);

/* An idle event right after another idle event of its actor: idle time
 * in slices, shown once. */
bool render__idle_again(const struct tui_state *s, size_t i);

/* Wrap UTF-8 text into rows [y, y + h) at word boundaries (anywhere in
 * text without spaces, such as Chinese).  Returns the rows used; g NULL:
 * draws nothing, only counts them. */
int render__wrap(struct grid *g, int x, int y, int w, int h, int role, const char *text);

/* Text cut to cols columns at a word (or a CJK character) with "…"
 * ("..." when ascii) when it does not fit whole; never inside a
 * character, and a character cut short at the end of text is dropped.
 * Returns the columns used. */
int render__fit(char *out, size_t len, const char *text, int cols, bool ascii);
/* The same, cut at any character: for names (a wchan), not for prose. */
int render__fit_chars(char *out, size_t len, const char *text, int cols, bool ascii);

/* The key bar of a screen (enum tui_screen) in row y: a prompt or a note
 * when given, else the most important keys that fit; "? help" (or "Esc
 * cancel" for a prompt) always at the right end.  The help box: that
 * screen's keys, in a bordered box over the middle of the grid, and the
 * glyphs' legend when gl is given (the menu has none). */
void render__keys(struct grid *g, int y, int screen, int lang, bool ascii, const char *note,
		  const char *prompt);
void render__help(struct grid *g, int screen, int lang, bool ascii, const struct glyphs *gl);

/* The classroom theme reads from the back of a room, larger where the
 * terminal has room: columns per event in the lanes (2 from 100 columns
 * up, else 1), and rows per line of the story (2, a blank row between
 * lines, when lines such rows fit in h; else 1). */
int render__lane_col_w(const struct grid *g, const struct tui_state *s);
int render__story_gap(const struct tui_state *s, int lines, int h);

/* The bars and boxes around the panes (render_keys.c), for a tui_state. */
void render__title_bar(struct grid *g, const struct tui_state *s);
void render__keys_bar(struct grid *g, const struct tui_state *s, int y);
void render__help_box(struct grid *g, const struct tui_state *s);
void render__too_small(struct grid *g, const struct tui_state *s);

/* A rule across the grid with a label: "── label ───". */
void render__rule(struct grid *g, const struct tui_state *s, int y, const char *label);

#endif
