/* gen.h: a long trace made from a short one, for benchmarks and tests.
 *
 * trace_gen writes a trace file of n events by playing src's events again
 * and again: repetition r (from 0) is src's events with seq counting on
 * from the last one written, t_ns moved r source spans later (the span is
 * src's last time plus TRACE_GEN_GAP_NS, so repetitions never overlap) and
 * every step >= 0 moved r times src's step count up (a repetition's steps
 * come after the previous one's).  An actor finishes once: src's done
 * events are left out of the repetitions and written last (at the last
 * time), when n has room for them.  The header is src's.  The file reads
 * back (trace_read) with n events, seq 0 .. n-1, and times and steps that
 * never go back when src's never do.
 *
 * A source whose actors come and go (TRACE_ACTOR events, announced
 * actors) cannot be repeated: a repetition would begin an actor that has
 * ended.  Those are refused.
 */
#ifndef IOSCOPE_TRACE_GEN_H
#define IOSCOPE_TRACE_GEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "trace/trace.h"

#define TRACE_GEN_GAP_NS 1000   /* between one repetition and the next */

/* What the written trace holds. */
struct trace_gen_info {
	size_t events;         /* n */
	int32_t steps;         /* its steps, 0 .. steps - 1 (0: none) */
	int64_t last_ns;       /* t_ns of its last event */
};

/* Write src's header and n events made of its own to out, and fill info
 * (may be NULL).  Returns 0; -EINVAL when src cannot be repeated (no
 * events while n > 0, actors that come and go, a negative time);
 * -ERANGE when n events would carry a step or time past the format's
 * bounds (TRACE_MAX_STEPS, TRACE_MAX_NS); or the first write's -errno
 * (what was written before stays in out).  out is flushed, not closed. */
int trace_gen(const struct trace *src, size_t n, FILE *out,
	      struct trace_gen_info *info);

#endif
