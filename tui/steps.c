/* steps.c: where each scripted action's consequences end, and how fast a
 * replay plays (see steps.h). */
#include <stdbool.h>
#include <stdint.h>

#include "tui/steps.h"

/* The step index (trace_steps) holds every event whose step is above all
 * before it.  The first event whose step is above n is one of them, so
 * step ends are found by binary search, whatever the trace's length. */

/* The first entry of s[lo..hi) whose step is above n, or hi. */
static size_t first_step_above(const struct trace_step *s, size_t lo, size_t hi, int n)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s[mid].step > n)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* The first entry of s[lo..hi) at an event after cursor, or hi. */
static size_t first_after(const struct trace_step *s, size_t lo, size_t hi, size_t cursor)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s[mid].at > cursor)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

size_t tui_step_end(const struct trace *t, int n)
{
	size_t ns;
	const struct trace_step *s = trace_steps(t, &ns);
	size_t k = first_step_above(s, 0, ns, n);

	return k < ns ? s[k].at : trace_count(t);
}

/* The step ends are the cursors tui_step_end gives for n = 0..last: an
 * event starts a later step when its step is at least 1 and above every
 * step before it (then it ends steps max(before, 0)..step-1), and the end
 * of the trace ends the last step.  Those events are the index's entries
 * from the first whose step is at least 1. */
size_t tui_step_next_end(const struct trace *t, size_t cursor)
{
	size_t ns;
	const struct trace_step *s = trace_steps(t, &ns);
	size_t k = first_after(s, first_step_above(s, 0, ns, 0), ns, cursor);

	if (k < ns)
		return s[k].at;
	return trace_step_max(t) >= 0 && trace_count(t) > cursor ? trace_count(t) : SIZE_MAX;
}

size_t tui_step_prev_end(const struct trace *t, size_t cursor)
{
	size_t ns;
	const struct trace_step *s = trace_steps(t, &ns);
	size_t lo = first_step_above(s, 0, ns, 0);
	size_t k = first_after(s, lo, ns, cursor == 0 ? 0 : cursor - 1);

	return cursor > 0 && k > lo ? s[k - 1].at : 0;
}

int64_t tui_replay_ns(const struct trace *t, int64_t real_ns, double speed)
{
	double rec = trace_hdr_c(t)->speed;

	if (!(rec > 0 && rec <= 1000))          /* a trace that does not say */
		rec = 1;
	return (int64_t)((double)real_ns * speed / rec);
}
