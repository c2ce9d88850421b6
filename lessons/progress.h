/* progress.h: where each learner is in each lesson, remembered across runs
 * in $XDG_STATE_HOME/ioscope/progress (default ~/.local/state/ioscope). */
#ifndef IOSCOPE_PROGRESS_H
#define IOSCOPE_PROGRESS_H

#include <stdbool.h>

/* The section to resume lesson name at (0 if none), and whether it was
 * finished.  Never fails: no file means no progress. */
int progress_get(const char *name, bool *done);
/* Remember it; returns 0 or -errno (a read-only home is not an error for
 * the caller to show more than once). */
int progress_set(const char *name, int section, bool done);

#endif
