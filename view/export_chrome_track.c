/* export_chrome_track.c: the nesting of the spans on each track, as they
 * end, and their writing.
 *
 * Spans on one track must nest.  Stamps from different threads can make
 * two spans cross by a little (an idle end stamped after the next call's
 * enter); the later one then starts where the other ends, and says by how
 * much in "moved_ns".  That needs the spans of a track in order of start
 * (the longer first on a tie): a span that ended waits (held) while one
 * that began no later on its track is still open, then goes out in that
 * order, checked against the written spans that may enclose it (the
 * stack).  A span that begins, in the trace, after a later-starting one
 * of its track was written (stamps out of order) starts where that one
 * started, and says so in "moved_ns" too: nothing written is taken back.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "view/export_chrome_int.h"

/* The order in which a track's spans go out. */
static bool span_before(const struct rec *a, const struct rec *b)
{
	if (a->ts != b->ts)
		return a->ts < b->ts;
	if (a->end != b->end)
		return a->end > b->end;       /* the longer one encloses */
	return a->seq < b->seq;
}

struct lane *export__lane_of(struct chrome *c, const struct rec *r)
{
	struct actor_lanes *al = &c->lanes[r->actor];
	int slot = r->tid - export__tid_fd(c, r->actor, 0);

	if (r->tid == export__tid_thread(r->actor))
		return &al->thread;
	if (slot >= 0 && slot < c->nslots[r->actor])
		return &al->fd[slot];
	return &al->kernel;
}

static void held_insert(struct chrome *c, struct lane *l, size_t i)
{
	void *room;
	size_t k;

	if ((room = export__grow(l->held, &l->capheld, l->nheld + 1, sizeof *l->held)) == NULL) {
		c->rc = -ENOMEM;
		return;
	}
	l->held = room;
	for (k = l->nheld; k > 0 && span_before(&c->recs[i], &c->recs[l->held[k - 1]]); k--)
		;
	memmove(l->held + k + 1, l->held + k, (l->nheld - k) * sizeof *l->held);
	l->held[k] = i;
	l->nheld++;
}

/* Whether a span still open on l began no later than r: r must wait. */
static bool waits(const struct chrome *c, const struct lane *l, const struct rec *r)
{
	for (size_t j = 0; j < l->nopen; j++)
		if (c->recs[l->open[j]].ts <= r->ts)
			return true;
	return false;
}

static void move_start(struct rec *r, int64_t to)
{
	r->moved += to - r->ts;
	r->ts = to;
	if (r->end < to)
		r->end = to;
}

/* Writes span i (the first held, no longer held) and keeps it on the
 * stack for the spans that may nest in it. */
static void write_span(struct chrome *c, struct lane *l, size_t i)
{
	struct rec *r = &c->recs[i];
	void *room;

	if ((room = export__grow(l->stack, &l->capstack, l->depth + 1, sizeof *l->stack)) == NULL) {
		c->rc = -ENOMEM;
		return;
	}
	l->stack = room;
	if (r->moved > 0) {
		export__set_int(c, r->args, "moved_ns", r->moved);
		c->moved++;
	}
	export__put_rec(c, r, 'X');
	l->stack[l->depth++] = (struct kept){ r->ts, r->end };
	if (++c->nstack_all > c->st.stack_peak)
		c->st.stack_peak = c->nstack_all;
	export__rec_free(c, i);
}

/* Writes the held spans that no open one can come before, in order. */
static void release(struct chrome *c, struct lane *l)
{
	while (l->nheld > 0 && c->rc == 0) {
		size_t i = l->held[0];
		struct rec *r = &c->recs[i];

		if (waits(c, l, r))
			return;
		memmove(l->held, l->held + 1, (l->nheld - 1) * sizeof *l->held);
		l->nheld--;
		/* The stack is cut at r's start: what comes later may not start
		 * before it (its begin came after a later span's end). */
		if (r->ts < l->frontier)
			move_start(r, l->frontier);
		l->frontier = r->ts;
		while (l->depth > 0 && l->stack[l->depth - 1].end <= r->ts) {
			l->depth--;
			c->nstack_all--;
		}
		if (l->depth > 0 && l->stack[l->depth - 1].end < r->end) {
			move_start(r, l->stack[l->depth - 1].end);
			held_insert(c, l, i);     /* and look at the first again */
			continue;
		}
		write_span(c, l, i);
	}
}

void export__lane_open(struct chrome *c, struct lane *l, size_t i)
{
	void *room;

	if ((room = export__grow(l->open, &l->capopen, l->nopen + 1, sizeof *l->open)) == NULL) {
		c->rc = -ENOMEM;
		return;
	}
	l->open = room;
	l->open[l->nopen++] = i;
}

void export__lane_close(struct chrome *c, struct lane *l, size_t i)
{
	for (size_t j = 0; j < l->nopen; j++)
		if (l->open[j] == i) {
			l->open[j] = l->open[--l->nopen];
			break;
		}
	held_insert(c, l, i);
	release(c, l);
}

void export__lane_free(struct lane *l)
{
	free(l->open);
	free(l->held);
	free(l->stack);
}
