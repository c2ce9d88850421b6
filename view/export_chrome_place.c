/* export_chrome_place.c: the Chrome exporter's first pass: which kernel
 * track each actor's phases go on.  One per actor, or, when its phases
 * of different fds overlap in time (a multiplexer waits on all its fds at
 * once), one per fd in the order the fds first appear.
 *
 * The phases are paired here as export_chrome_ev.c pairs them, without
 * their arguments.  Two phases overlap when the one that starts first
 * (the one begun first, on a tie) ends after the other starts: each open
 * phase keeps the earliest start of a phase of another fd begun while it
 * was open, and compares it with its own end.  An actor's stamps follow
 * the order of its events, so a phase that ended before another began
 * cannot overlap it.  The pass holds each actor's open phases and, for
 * each fd, its first start: never a record per event.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "view/export_chrome_int.h"

/* An open phase. */
struct ph {
	int32_t fd;
	uint8_t phase;
	int64_t ts;
	int64_t other;               /* the first start of another fd's phase since */
};

/* An fd's first phase: its start, and the begin's event index on a tie. */
struct first {
	int32_t fd;
	int64_t ts;
	size_t seq;
};

/* One actor's phases on their way through the pass. */
struct place {
	struct ph *open;
	struct first *fds;
	size_t nopen, capopen, nfds, capfds;
	bool overlap;
};

/* Open phase j of p ends at end (not before its start): did a phase of
 * another fd start while it ran? */
static void ph_end(struct chrome *c, struct place *p, size_t j, int64_t end)
{
	struct ph r = p->open[j];

	memmove(p->open + j, p->open + j + 1, (p->nopen - j - 1) * sizeof *p->open);
	p->nopen--;
	c->nplace_all--;
	if (r.other < (end > r.ts ? end : r.ts))
		p->overlap = true;
}

/* The fd's first start, kept for the order of its track. */
static void first_seen(struct chrome *c, struct place *p, const struct trace_ev *ev, size_t seq)
{
	void *room;

	for (size_t k = 0; k < p->nfds; k++)
		if (p->fds[k].fd == ev->fd) {
			if (ev->t_ns < p->fds[k].ts)
				p->fds[k] = (struct first){ ev->fd, ev->t_ns, seq };
			return;
		}
	if ((room = export__grow(p->fds, &p->capfds, p->nfds + 1, sizeof *p->fds)) == NULL) {
		c->rc = -ENOMEM;
		return;
	}
	p->fds = room;
	p->fds[p->nfds++] = (struct first){ ev->fd, ev->t_ns, seq };
	c->nplace_all++;
}

/* As on_phase pairs them: a begin ends an open one of the same key (fd,
 * phase; a negative fd matches any fd) and opens its own, an end ends it. */
static void on_phase(struct chrome *c, struct place *p, const struct trace_ev *ev, size_t seq)
{
	size_t j = p->nopen;
	void *room;

	while (j-- > 0)
		if ((ev->fd < 0 || p->open[j].fd == ev->fd) && p->open[j].phase == ev->phase)
			break;
	if (j != (size_t)-1)
		ph_end(c, p, j, ev->t_ns);
	if (ev->flags & TRACE_F_END)
		return;
	for (size_t k = 0; k < p->nopen; k++)
		if (p->open[k].fd != ev->fd && ev->t_ns < p->open[k].other)
			p->open[k].other = ev->t_ns;
	first_seen(c, p, ev, seq);
	if ((room = export__grow(p->open, &p->capopen, p->nopen + 1, sizeof *p->open)) == NULL) {
		c->rc = -ENOMEM;
		return;
	}
	p->open = room;
	p->open[p->nopen++] = (struct ph){ .fd = ev->fd, .phase = ev->phase, .ts = ev->t_ns,
					   .other = INT64_MAX };
	c->nplace_all++;
}

static int cmp_first(const void *pa, const void *pb)
{
	const struct first *a = pa, *b = pb;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* An actor whose phases overlap: a track for each of its first
 * FD_TRACKS fds, in the order they first appear. */
static void give_slots(struct chrome *c, struct place *p, int actor)
{
	qsort(p->fds, p->nfds, sizeof *p->fds, cmp_first);
	c->nslots[actor] = p->nfds < FD_TRACKS ? (int)p->nfds : FD_TRACKS;
	for (int s = 0; s < c->nslots[actor]; s++)
		c->slot_fd[actor][s] = p->fds[s].fd;
}

static void place_free(struct place *p, int n)
{
	for (int a = 0; a < n; a++) {
		free(p[a].open);
		free(p[a].fds);
	}
	free(p);
}

void export__place_all_phases(struct chrome *c)
{
	int nactors = trace_hdr_c(c->t)->nactors;
	struct place *p = calloc((size_t)nactors, sizeof *p);

	if (p == NULL) {
		c->rc = -ENOMEM;
		return;
	}
	for (size_t i = 0; i < trace_count(c->t) && c->rc == 0; i++) {
		const struct trace_ev *ev = trace_at(c->t, i);

		if (ev->t_ns > c->last_t)
			c->last_t = ev->t_ns;
		if (ev->kind == TRACE_PHASE && ev->actor < nactors)
			on_phase(c, &p[ev->actor], ev, i);
		if (c->nplace_all > c->st.place_peak)
			c->st.place_peak = c->nplace_all;
	}
	/* Begins never ended end with the trace, as in the second pass. */
	for (int a = 0; a < nactors && c->rc == 0; a++) {
		while (p[a].nopen > 0)
			ph_end(c, &p[a], p[a].nopen - 1, c->last_t);
		if (p[a].overlap)
			give_slots(c, &p[a], a);
	}
	place_free(p, nactors);
}

int export__phase_tid(const struct chrome *c, int actor, int fd)
{
	if (c->nslots[actor] == 0)
		return export__tid_kernel(actor);
	for (int s = 0; s < c->nslots[actor]; s++)
		if (c->slot_fd[actor][s] == fd)
			return export__tid_fd(c, actor, s);
	return -1;
}
