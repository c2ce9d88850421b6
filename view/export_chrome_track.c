/* export_chrome_track.c: the Chrome exporter's kernel-side tracks (one
 * per actor, or one per fd where a multiplexer's phases overlap) and the
 * nesting of the spans on each track.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "view/export_chrome_int.h"

/* ---- tracks ---- */

static int cmp_actor_ts(const void *pa, const void *pb, void *arg)
{
	const struct rec *recs = arg, *a = &recs[*(const size_t *)pa], *b = &recs[*(const size_t *)pb];

	if (a->actor != b->actor)
		return a->actor < b->actor ? -1 : 1;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Whether a phase of one fd overlaps a phase of another (idx sorted by ts):
 * a multiplexer waits on all its fds at once. */
static bool phases_overlap(const struct chrome *c, const size_t *idx, size_t n, size_t *active)
{
	size_t nact = 0;

	for (size_t k = 0; k < n; k++) {
		const struct rec *r = &c->recs[idx[k]];
		size_t kept = 0;

		for (size_t j = 0; j < nact; j++)
			if (c->recs[active[j]].end > r->ts)
				active[kept++] = active[j];
		nact = kept;
		for (size_t j = 0; j < nact; j++)
			if (c->recs[active[j]].fd != r->fd)
				return true;
		active[nact++] = idx[k];
	}
	return false;
}

static int fd_slot(struct chrome *c, int actor, int fd)
{
	for (int s = 0; s < c->nslots[actor]; s++)
		if (c->slot_fd[actor][s] == fd)
			return s;
	if (c->nslots[actor] == FD_TRACKS)
		return -1;
	c->slot_fd[actor][c->nslots[actor]] = fd;
	return c->nslots[actor]++;
}

/* One actor's phases: on its kernel track, or, when they overlap, on one
 * track per fd (past FD_TRACKS fds, as async spans, which never clash). */
static void place_phases(struct chrome *c, const size_t *idx, size_t n, size_t *active)
{
	int a = c->recs[idx[0]].actor;
	bool per_fd = phases_overlap(c, idx, n, active);

	for (size_t k = 0; k < n; k++) {
		struct rec *r = &c->recs[idx[k]];
		int slot = per_fd ? fd_slot(c, a, r->fd) : 0;

		if (!per_fd) {
			r->tid = export__tid_kernel(a);
		} else if (slot >= 0) {
			r->tid = export__tid_fd(c, a, slot);
		} else {
			r->ph = 'b';
			r->tid = export__tid_kernel(a);
			r->id = ++c->next_id;
		}
	}
}

void export__place_all_phases(struct chrome *c)
{
	size_t *idx = malloc((c->n + 1) * sizeof *idx), *active = malloc((c->n + 1) * sizeof *active);
	size_t m = 0;

	if (idx == NULL || active == NULL) {
		c->rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < c->n; i++)
		if (c->recs[i].phase)
			idx[m++] = i;
	qsort_r(idx, m, sizeof *idx, cmp_actor_ts, c->recs);
	for (size_t a = 0, b; a < m; a = b) {
		for (b = a + 1; b < m && c->recs[idx[b]].actor == c->recs[idx[a]].actor; b++)
			;
		place_phases(c, idx + a, b - a, active);
	}
out:
	free(idx);
	free(active);
}

/* ---- nesting ---- */

static int cmp_track(const void *pa, const void *pb, void *arg)
{
	const struct rec *recs = arg, *a = &recs[*(const size_t *)pa], *b = &recs[*(const size_t *)pb];

	if (a->tid != b->tid)
		return a->tid < b->tid ? -1 : 1;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	if (a->end != b->end)
		return a->end > b->end ? -1 : 1;       /* the longer one encloses */
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Spans on one track must nest.  Stamps from different threads can make
 * two spans cross by a little (an idle end stamped after the next call's
 * enter); the later one then starts where the other ends, and says by
 * how much in "moved_ns".  idx[0..n) is one track, sorted by cmp_track. */
static void nest_track(struct chrome *c, size_t *idx, size_t n, size_t *stack)
{
	size_t depth = 0, i = 0;

	while (i < n) {
		struct rec *r = &c->recs[idx[i]];

		while (depth > 0 && c->recs[stack[depth - 1]].end <= r->ts)
			depth--;
		if (depth > 0 && c->recs[stack[depth - 1]].end < r->end) {
			int64_t to = c->recs[stack[depth - 1]].end;

			r->moved += to - r->ts;
			r->ts = to;
			for (size_t j = i; j + 1 < n && cmp_track(&idx[j + 1], &idx[j], c->recs) < 0; j++) {
				size_t tmp = idx[j];

				idx[j] = idx[j + 1];
				idx[j + 1] = tmp;
			}
			continue;                     /* look at position i again */
		}
		stack[depth++] = idx[i++];
	}
}

void export__nest(struct chrome *c)
{
	size_t *idx = malloc((c->n + 1) * sizeof *idx), *stack = malloc((c->n + 1) * sizeof *stack);
	size_t m = 0;

	if (idx == NULL || stack == NULL) {
		c->rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < c->n; i++)
		if (c->recs[i].ph == 'X')
			idx[m++] = i;
	qsort_r(idx, m, sizeof *idx, cmp_track, c->recs);
	for (size_t a = 0, b; a < m; a = b) {
		for (b = a + 1; b < m && c->recs[idx[b]].tid == c->recs[idx[a]].tid; b++)
			;
		nest_track(c, idx + a, b - a, stack);
	}
	for (size_t k = 0; k < m; k++)
		if (c->recs[idx[k]].moved > 0) {
			export__set_int(c, c->recs[idx[k]].args, "moved_ns", c->recs[idx[k]].moved);
			c->moved++;
		}
out:
	free(idx);
	free(stack);
}
