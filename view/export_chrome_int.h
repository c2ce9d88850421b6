/* export_chrome_int.h: shared by the Chrome exporter's files only:
 * export_chrome.c (the entry point and the writing), export_chrome_ev.c
 * (trace events to records), export_chrome_place.c (which kernel track
 * each phase goes on) and export_chrome_track.c (the nesting of the spans
 * on each track, as they end).  Nothing else includes this but the tests.
 *
 * The exporter streams: it holds the loaded trace and, beyond it, only
 * what is still open or waiting, never a record per event.  Two passes
 * over the trace:
 *
 *   1. export__place_all_phases: for each actor, whether its phases of
 *      different fds overlap in time (then each fd has its own kernel
 *      track, in the order the fds first appear); this must be known
 *      before the first track is named.
 *   2. export__on_event turns each event into records (a span per
 *      enter/exit, phase, idle or submit/complete pair, an instant for the
 *      rest); export__settle writes what the event made ready: an instant
 *      at once, an async begin at once and its end when it ends, a span
 *      ('X') when it ends and no span still open on its track began before
 *      it (export__lane_*: then it can be nested, and written).  At the
 *      end, the begins still open end with the trace (export__unfinished).
 *
 * The output is one valid Chrome trace document whose events are in the
 * order they became final, not sorted by time (viewers sort).  Each step
 * does nothing useful once c->rc is set, so callers check c->rc.
 */
#ifndef IOSCOPE_EXPORT_CHROME_INT_H
#define IOSCOPE_EXPORT_CHROME_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "view/export.h"

#define FD_TRACKS 64             /* per-fd kernel tracks an actor can have */
#define FD_TID0 1000             /* the first per-fd track's tid, past the actors'
                                    (more actors: export__fd_tid0) */
#define NO_REC ((size_t)-1)

/* The world's track is tid 1, not actor*2 = 0: Perfetto files tid 0 under
 * the idle (swapper) thread, outside the run's process. */
static inline int export__tid_thread(int actor)
{
	return actor == TRACE_WORLD ? 1 : actor * 2;
}

static inline int export__tid_kernel(int actor)
{
	return actor * 2 + 1;
}

/* Per-fd tracks start at 1000 while the actors' own tracks (2 per actor)
 * stay below it; past 499 actors, at the next thousand above theirs. */
static inline int export__fd_tid0(int nactors)
{
	int top = 2 * nactors + 2;

	return top <= FD_TID0 ? FD_TID0 : (top + 999) / 1000 * 1000;
}

/* One event to write: 'X' a span, 'i' an instant, 'b' an async span
 * (written as a "b" when it begins and an "e" with the same id when it
 * ends).  Records live in a pool and are freed once written. */
struct rec {
	char ph;
	bool closed;                /* its end is known */
	uint16_t actor;
	int32_t fd;
	int tid;
	int64_t ts, end;            /* ns; end < 0 while still open */
	int64_t moved;              /* ns its start was moved to nest */
	size_t seq;                 /* creation order, for ties */
	uint64_t id;
	const char *cat;
	char name[72];
	json_t *args, *end_args;    /* owned */
};

/* A begin edge waiting for its end: which record, and its key. */
enum { OPEN_CALL, OPEN_PHASE, OPEN_IDLE, OPEN_ASYNC };
struct open {
	uint8_t kind;
	int32_t key, key2;          /* call / fd, phase / tag */
	size_t rec;
};

/* What export__on_event did to a record, for export__settle. */
enum { TOUCH_NEW, TOUCH_CLOSED };
struct touch {
	uint8_t what;
	size_t rec;
};

/* A span already written, kept while a later one may nest in it. */
struct kept {
	int64_t ts, end;
};

/* One track's spans ('X') on their way out: open ones (begun, not ended),
 * held ones (ended, waiting for an open one that began no later), and the
 * written ones that may still enclose the next (a stack, innermost last). */
struct lane {
	size_t *open, nopen, capopen;
	size_t *held, nheld, capheld;   /* sorted: the next to write first */
	struct kept *stack;
	size_t depth, capstack;
	int64_t frontier;               /* where the stack was cut: no span starts before */
};

/* One actor's tracks and its open begins. */
struct actor_lanes {
	struct lane thread, kernel, *fd;   /* fd: [nslots] */
	struct open *open;
	size_t nopen, capopen;
};

/* How much the exporter held at most at any moment (the tests' proof
 * that it streams): records alive, begins open, spans written and kept
 * for nesting, pass 1's phases. */
struct export_chrome_stats {
	size_t recs_peak, open_peak, stack_peak, place_peak;
};

struct chrome {
	const struct trace *t;
	FILE *out;
	bool first;                 /* no event written yet */
	char *buf;                  /* one event's JSON text */
	size_t capbuf;
	struct rec *recs;           /* the pool */
	size_t n, cap;
	size_t *free, nfree, capfree;
	size_t nrec;                /* records made: the next seq */
	struct touch *touched;      /* by the event being turned into records */
	size_t ntouched, captouched;
	struct actor_lanes *lanes;  /* [nactors] */
	int64_t last_t;
	uint64_t next_id;
	size_t unfinished, moved;
	int rc;                     /* the first failure sticks */
	int fd_tid0;                /* export__fd_tid0 of the trace */
	int *nslots;                /* per actor: its per-fd tracks (0: none) */
	int (*slot_fd)[FD_TRACKS];  /* per actor: the fd of each */
	size_t nopen_all, nstack_all, nplace_all;     /* for the stats */
	struct export_chrome_stats st;
};

static inline int export__tid_fd(const struct chrome *c, int actor, int slot)
{
	return c->fd_tid0 + actor * FD_TRACKS + slot;
}

/* export_chrome with what it held (st may be NULL). */
int export__chrome_stats(const struct trace *t, FILE *out, struct export_chrome_stats *st);

/* The array p (of *cap elements of size) with room for need: p itself,
 * or p moved by realloc (*cap updated), or NULL when memory ran out (p is
 * unchanged and still the caller's). */
void *export__grow(void *p, size_t *cap, size_t need, size_t size);

/* o[key] = v, taking v; on failure (o or v NULL included) v is freed and
 * c->rc becomes -ENOMEM unless already set. */
void export__set(struct chrome *c, json_t *o, const char *key, json_t *v);
void export__set_int(struct chrome *c, json_t *o, const char *key, int64_t v);
/* s NULL is ""; s not UTF-8 sets c->rc to -EINVAL. */
void export__set_str(struct chrome *c, json_t *o, const char *key, const char *s);

/* Ends record i at end (not before its start) and marks it "unfinished". */
void export__unfinished(struct chrome *c, size_t i, int64_t end);

/* Ends every begin still open at c->last_t, and writes them. */
void export__end_all(struct chrome *c);
/* The records for one event; begins wait in their actor's open list. */
void export__on_event(struct chrome *c, const struct trace_ev *ev);
/* Writes or files what the last event made or ended (c->touched). */
void export__settle(struct chrome *c);
/* Writes record i as ph ('X', 'i', 'b' or 'e'); export_chrome.c. */
void export__put_rec(struct chrome *c, const struct rec *r, char ph);
/* Returns record i to the pool, with its arguments. */
void export__rec_free(struct chrome *c, size_t i);

/* Pass 1: c->nslots and c->slot_fd for every actor whose phases of
 * different fds overlap; the others keep 0 slots (export_chrome_place.c). */
void export__place_all_phases(struct chrome *c);
/* The track of a phase record of actor a on fd (pass 2): its fd's track,
 * the kernel track, or -1 when it must be an async span (past FD_TRACKS
 * fds). */
int export__phase_tid(const struct chrome *c, int actor, int fd);

/* The lane a record's tid belongs to. */
struct lane *export__lane_of(struct chrome *c, const struct rec *r);
/* Span i began on lane l / ended: filed, and what can be written is. */
void export__lane_open(struct chrome *c, struct lane *l, size_t i);
void export__lane_close(struct chrome *c, struct lane *l, size_t i);
void export__lane_free(struct lane *l);

#endif
