/* steps.h: where the screen's cursor goes in a trace: the end of each
 * scripted step, and how far a replay moves in real time.  Pure functions
 * of the trace (no screen, no run), tested alone (tests/test_tui_steps.c,
 * tests/test_tui_pace.c). */
#ifndef IOSCOPE_TUI_STEPS_H
#define IOSCOPE_TUI_STEPS_H

#include <stddef.h>
#include <stdint.h>

#include "trace/trace.h"

/* The cursor that shows step n whole: just before step n+1's first event,
 * or the end. */
size_t tui_step_end(const struct trace *t, int n);
/* The nearest step end after cursor (SIZE_MAX: none, the trace has no
 * step or the cursor is at its end) and before it (0: none); what
 * tui_step_end(t, n) gives for the nearest n.  These four cost O(log n)
 * or O(1): they search the step index trace_append keeps (trace_steps),
 * never the events. */
size_t tui_step_next_end(const struct trace *t, size_t cursor);
size_t tui_step_prev_end(const struct trace *t, size_t cursor);
/* How far a replay's trace time moves in real_ns at speed: trace times
 * are real times of a run made at the header's speed, so at 1× a replay
 * plays at the scenario's own pace. */
int64_t tui_replay_ns(const struct trace *t, int64_t real_ns, double speed);

#endif
