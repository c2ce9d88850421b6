/* gen.c: a long trace made of a short one repeated (gen.h). */
#include <errno.h>
#include <stdbool.h>

#include "trace/gen.h"

struct gen_src {
	size_t count;          /* src's events */
	int64_t span_ns;       /* one repetition's shift in time */
	int32_t steps;         /* one repetition's shift in steps: max step + 1 */
	int64_t max_ns;
	int32_t max_step;      /* -1: no steps */
	size_t ndone;          /* its TRACE_DONE events (an actor finishing) */
	size_t per_rep;        /* events a repetition writes: count - ndone */
};

/* What one repetition of src spans, and whether it can be repeated. */
static int gen_measure(const struct trace *src, struct gen_src *g)
{
	const struct trace_hdr *h = trace_hdr_c(src);

	*g = (struct gen_src){ .count = trace_count(src), .max_step = -1 };
	if (h->nactors > h->nstart)             /* announced: begun once only */
		return -EINVAL;
	for (size_t i = 0; i < g->count; i++) {
		const struct trace_ev *e = trace_at(src, i);

		if (e->kind == TRACE_ACTOR || e->t_ns < 0)
			return -EINVAL;
		if (e->t_ns > g->max_ns)
			g->max_ns = e->t_ns;
		if (e->step > g->max_step)
			g->max_step = e->step;
		g->ndone += e->kind == TRACE_DONE;
	}
	g->per_rep = g->count - g->ndone;
	g->span_ns = g->max_ns + TRACE_GEN_GAP_NS;
	g->steps = g->max_step + 1;
	return 0;
}

/* Whether repetition last, the highest of n events, stays in the format's
 * bounds (every product checked before it is made). */
static int gen_fits(const struct gen_src *g, size_t n)
{
	uint64_t last;

	if (n == 0)
		return 0;
	if (g->per_rep == 0)
		return -EINVAL;
	last = (uint64_t)((n - 1) / g->per_rep);
	if (g->steps > 0 &&
	    last > (uint64_t)(TRACE_MAX_STEPS - 1 - g->max_step) / (uint64_t)g->steps)
		return -ERANGE;
	if (last > (uint64_t)(TRACE_MAX_NS - 1 - g->max_ns) / (uint64_t)g->span_ns)
		return -ERANGE;
	return 0;
}

int trace_gen(const struct trace *src, size_t n, FILE *out,
	      struct trace_gen_info *info)
{
	struct trace_gen_info got = { .events = n };
	struct gen_src g;
	size_t tail;
	int rc;

	if ((rc = gen_measure(src, &g)) != 0 || (rc = gen_fits(&g, n)) != 0)
		return rc;
	if ((rc = trace_write_hdr(out, src)) != 0)
		return rc;
	/* An actor finishes once, at the end: the repetitions skip src's done
	 * events, and the last events written are those, at the last time
	 * (a repetition that followed a done would show a finished actor
	 * acting). */
	tail = n > g.ndone ? g.ndone : 0;
	for (size_t k = 0, j = 0; k < n; j++) {
		/* A copy: trace_at's pointer does not outlive a loop (trace.h). */
		struct trace_ev e = *trace_at(src, j % g.count);
		int64_t rep = (int64_t)(j / g.count);
		bool done = e.kind == TRACE_DONE;

		if (k < n - tail ? done : !done)
			continue;
		e.seq = k++;
		e.t_ns = done ? got.last_ns : e.t_ns + rep * g.span_ns;
		if (e.step >= 0)
			e.step += (int32_t)rep * g.steps;
		if ((rc = trace_write_ev(out, src, &e)) != 0)
			return rc;
		if (e.step >= got.steps)
			got.steps = e.step + 1;
		got.last_ns = e.t_ns;
	}
	errno = 0;
	if (fflush(out) != 0)
		return errno != 0 ? -errno : -EIO;
	if (info != NULL)
		*info = got;
	return 0;
}
