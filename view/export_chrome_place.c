/* export_chrome_place.c: the Chrome exporter's first pass: which kernel
 * track each actor's phases go on.  One per actor, or, when its phases
 * of different fds overlap in time (a multiplexer waits on all its fds at
 * once), one per fd in the order the fds first appear.
 *
 * The phases are paired here as export_chrome_ev.c pairs them, without
 * their arguments, and looked at in order of start (then of begin): a
 * phase that ended waits while one of its actor that began earlier is
 * still open.  So the pass holds each actor's open phases, the ended ones
 * that wait, and those still running at the last start looked at, never
 * a record per event.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "view/export_chrome_int.h"

struct ph {
	int32_t fd;
	uint8_t phase;
	int64_t ts, end;
	size_t seq;                  /* the begin's event index */
};

/* One actor's phases on their way through the pass. */
struct place {
	struct ph *open, *held, *active;   /* held: by (ts, seq), the next first */
	size_t nopen, capopen, nheld, capheld, nactive, capactive;
	bool overlap;
};

static bool ph_before(const struct ph *a, const struct ph *b)
{
	return a->ts != b->ts ? a->ts < b->ts : a->seq < b->seq;
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

/* The next phase in order of start: does it overlap one of another fd
 * still running?  Its fd gets a slot (kept only if the actor's overlap). */
static void look_at(struct chrome *c, struct place *p, int actor, const struct ph *r)
{
	size_t kept = 0;
	void *room;

	for (size_t j = 0; j < p->nactive; j++)
		if (p->active[j].end > r->ts)
			p->active[kept++] = p->active[j];
	c->nplace_all -= p->nactive - kept;
	p->nactive = kept;
	for (size_t j = 0; j < p->nactive; j++)
		if (p->active[j].fd != r->fd)
			p->overlap = true;
	room = export__grow(p->active, &p->capactive, p->nactive + 1, sizeof *p->active);
	if (room == NULL) {
		c->rc = -ENOMEM;
		return;
	}
	p->active = room;
	p->active[p->nactive++] = *r;
	c->nplace_all++;
	fd_slot(c, actor, r->fd);
}

/* Looks at the ended phases that no open one began before. */
static void release(struct chrome *c, struct place *p, int actor)
{
	while (p->nheld > 0 && c->rc == 0) {
		struct ph r = p->held[0];

		for (size_t j = 0; j < p->nopen; j++)
			if (ph_before(&p->open[j], &r))
				return;
		memmove(p->held, p->held + 1, (p->nheld - 1) * sizeof *p->held);
		p->nheld--;
		c->nplace_all--;
		look_at(c, p, actor, &r);
	}
}

/* Open phase j of p ends at end (not before its start). */
static void ph_end(struct chrome *c, struct place *p, int actor, size_t j, int64_t end)
{
	struct ph r = p->open[j];
	void *room;
	size_t k;

	p->open[j] = p->open[--p->nopen];
	r.end = end > r.ts ? end : r.ts;
	if ((room = export__grow(p->held, &p->capheld, p->nheld + 1, sizeof *p->held)) == NULL) {
		c->rc = -ENOMEM;
		return;
	}
	p->held = room;
	for (k = p->nheld; k > 0 && ph_before(&r, &p->held[k - 1]); k--)
		;
	memmove(p->held + k + 1, p->held + k, (p->nheld - k) * sizeof *p->held);
	p->held[k] = r;
	p->nheld++;
	release(c, p, actor);
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
		ph_end(c, p, ev->actor, j, ev->t_ns);
	if (ev->flags & TRACE_F_END || c->rc != 0)
		return;
	if ((room = export__grow(p->open, &p->capopen, p->nopen + 1, sizeof *p->open)) == NULL) {
		c->rc = -ENOMEM;
		return;
	}
	p->open = room;
	p->open[p->nopen++] = (struct ph){ .fd = ev->fd, .phase = ev->phase, .ts = ev->t_ns,
					   .end = -1, .seq = seq };
	c->nplace_all++;
}

static void place_free(struct place *p, int n)
{
	for (int a = 0; a < n; a++) {
		free(p[a].open);
		free(p[a].held);
		free(p[a].active);
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
		while (p[a].nopen > 0 && c->rc == 0)
			ph_end(c, &p[a], a, p[a].nopen - 1, c->last_t);
		if (!p[a].overlap)
			c->nslots[a] = 0;
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
