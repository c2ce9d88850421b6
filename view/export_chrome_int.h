/* export_chrome_int.h: shared by the Chrome exporter's files only:
 * export_chrome.c (the entry point and the writing), export_chrome_ev.c
 * (trace events to records) and export_chrome_track.c (the kernel-side
 * tracks and the nesting of spans).  Nothing else includes this.
 *
 * export_chrome turns every event into records (export__on_event), ends
 * the begins still open (export__unfinished), gives the phases their
 * tracks (export__place_all_phases), nests each track's spans
 * (export__nest), then writes.  Each step does nothing useful once c->rc
 * is set, so the caller checks c->rc between them.
 */
#ifndef IOSCOPE_EXPORT_CHROME_INT_H
#define IOSCOPE_EXPORT_CHROME_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "view/export.h"

#define FD_TRACKS 64             /* per-fd kernel tracks an actor can have */
#define FD_TID0 1000             /* the first per-fd track's tid, past the actors'
                                    (more actors: export__fd_tid0) */

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
 * (written as a "b" and an "e" with the same id). */
struct rec {
	char ph;
	bool phase;                 /* kernel side: its track is chosen later */
	uint16_t actor;
	int32_t fd;
	int tid;
	int64_t ts, end;            /* ns; end < 0 while still open */
	int64_t moved;              /* ns its start was moved to nest (export__nest) */
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
	uint16_t actor;
	int32_t key, key2;          /* call / fd, phase / tag */
	size_t rec;
};

struct chrome {
	const struct trace *t;
	struct rec *recs;
	size_t n, cap;
	struct open *open;
	size_t nopen, capopen;
	int64_t last_t;
	uint64_t next_id;
	size_t unfinished, moved;
	int rc;                     /* the first failure sticks */
	int fd_tid0;                /* export__fd_tid0 of the trace */
	int *nslots;                /* per actor: its per-fd tracks */
	int (*slot_fd)[FD_TRACKS];  /* per actor: the fd of each */
};

static inline int export__tid_fd(const struct chrome *c, int actor, int slot)
{
	return c->fd_tid0 + actor * FD_TRACKS + slot;
}

/* o[key] = v, taking v; on failure (o or v NULL included) v is freed and
 * c->rc becomes -ENOMEM unless already set. */
void export__set(struct chrome *c, json_t *o, const char *key, json_t *v);
void export__set_int(struct chrome *c, json_t *o, const char *key, int64_t v);
/* s NULL is ""; s not UTF-8 sets c->rc to -EINVAL. */
void export__set_str(struct chrome *c, json_t *o, const char *key, const char *s);

/* Ends record i at end (not before its start) and marks it "unfinished". */
void export__unfinished(struct chrome *c, size_t i, int64_t end);

/* The records for one event, in c->recs; begins wait in c->open. */
void export__on_event(struct chrome *c, const struct trace_ev *ev);

/* Gives every phase record its tid (and may make it an async span). */
void export__place_all_phases(struct chrome *c);

/* Makes the 'X' spans of each track nest, moving starts where needed. */
void export__nest(struct chrome *c);

#endif
