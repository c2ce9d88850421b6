/* steps.c: where each scripted action's consequences end, and how fast a
 * replay plays (see steps.h). */
#include <stdbool.h>
#include <stdint.h>

#include "tui/steps.h"

size_t tui_step_end(const struct trace *t, int n)
{
	for (size_t i = 0; i < trace_count(t); i++)
		if (trace_at(t, i)->step > n)
			return i;
	return trace_count(t);
}

/* The step ends are the cursors tui_step_end gives for n = 0..last: an
 * event i starts a later step when its step is at least 1 and above every
 * step before it (then it ends steps max(before, 0)..step-1), and the end
 * of the trace ends the last step.  One pass, whatever the step numbers
 * (a trace whose steps jump to 10^6 must not cost steps x events). */
static bool starts_step(const struct trace_ev *e, int before)
{
	return e->step >= 1 && e->step > before;
}

size_t tui_step_next_end(const struct trace *t, size_t cursor)
{
	size_t n = trace_count(t), i;
	int before = -1;

	for (i = 0; i < n && i <= cursor; i++)
		before = trace_at(t, i)->step > before ? trace_at(t, i)->step : before;
	for (; i < n; i++) {
		if (starts_step(trace_at(t, i), before))
			return i;
		before = trace_at(t, i)->step > before ? trace_at(t, i)->step : before;
	}
	return before >= 0 && n > cursor ? n : SIZE_MAX;
}

size_t tui_step_prev_end(const struct trace *t, size_t cursor)
{
	size_t to = 0;
	int before = -1;

	for (size_t i = 0; i < cursor && i < trace_count(t); i++) {
		if (starts_step(trace_at(t, i), before))
			to = i;
		before = trace_at(t, i)->step > before ? trace_at(t, i)->step : before;
	}
	return to;
}

int tui_step_max(const struct trace *t)
{
	int m = -1;

	for (size_t i = 0; i < trace_count(t); i++)
		if (trace_at(t, i)->step > m)
			m = trace_at(t, i)->step;
	return m;
}

int64_t tui_replay_ns(const struct trace *t, int64_t real_ns, double speed)
{
	double rec = trace_hdr_c(t)->speed;

	if (!(rec > 0 && rec <= 1000))          /* a trace that does not say */
		rec = 1;
	return (int64_t)((double)real_ns * speed / rec);
}
