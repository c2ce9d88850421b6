/* seek.h: the view at any cursor without folding from the first event.
 *
 * A seek cache follows one trace at a time (by trace_serial: another
 * trace, even at the same address, starts it afresh).  It keeps a packed
 * copy of the folded view every SEEK_EVERY events or more (view_pack:
 * only the actors that have appeared), made as the trace is read and
 * extended as a live trace grows (traces only grow).  seek_view gives the
 * view at n by unpacking the nearest copy at or before n and folding on,
 * or by folding on the caller's view when that is nearer: at most about
 * SEEK_EVERY events applied per call, whatever n.
 *
 * The cache belongs to one thread.  It is the caller's, like a
 * render_scratch (which holds one, render.h): nothing here is global.
 */
#ifndef IOSCOPE_SEEK_H
#define IOSCOPE_SEEK_H

#include <stddef.h>
#include <stdint.h>

#include "trace/fold.h"

/* Events between copies.  A copy costs about 1.4 KB and 800 B an actor
 * (fishing's: 4.6 KB), so a copy every 2048 events adds 2-3 bytes an
 * event to a trace's 50-100; a frame that jumps folds at most 2047 events
 * on from one, tens of microseconds.  A trace with many actors (a copy of
 * hundreds of KB) is copied less often: at most SEEK_BYTES_PER_EV bytes of
 * copies per event. */
#define SEEK_EVERY 2048
#define SEEK_BYTES_PER_EV 16

struct seek;

/* NULL when memory runs out. */
struct seek *seek_new(void);
void seek_free(struct seek *sk);
/* Drop every copy (the next seek_view starts afresh). */
void seek_forget(struct seek *sk);

/* v becomes view_fold_more(v, t, n, more): more is fitted to t first
 * (view_more_fit), and v is folded on from where it is when it is an
 * earlier seek_view result of this cache for t (the caller may have
 * applied t's events to it since) nearer n than the nearest copy.
 * Returns 0, or -ENOMEM when the copies could not be made (v is then
 * folded from the first event, still right, or without its actors past
 * TRACE_MAX_ACTORS if more could not grow, as view_fold_more).
 *
 * Two rules the cache cannot check.  A view it folds on is known by its
 * address: pass only views that live as long as the cache and that no one
 * but the caller changes (a struct view on the stack of a function called
 * twice may land where another's result was).  And the copies hold what
 * the header said when they were made (the recast actors, the captions
 * for a model): a caller that changes those after the first seek_view
 * calls seek_forget. */
int seek_view(struct seek *sk, const struct trace *t, size_t n, struct view *v,
	      struct view_more *more);

/* Events applied and copies unpacked by this cache since it was made (an
 * instrument: tests bound the work of one frame with it). */
uint64_t seek_applied(const struct seek *sk);

/* The copies held and their bytes. */
size_t seek_copies(const struct seek *sk, size_t *bytes);

#endif
