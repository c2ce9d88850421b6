/* export.h: a trace in other tools' formats (`ioscope export`).
 *
 * Three exporters, each a pure function of a loaded trace (trace_read):
 *
 *   export_chrome     Chrome trace event JSON, for ui.perfetto.dev and
 *                     chrome://tracing: one track per actor's thread, one for
 *                     its kernel side (and one per fd where a multiplexer's
 *                     phases overlap), the world's events on their own track.
 *   export_asciicast  asciicast v2, for `asciinema play`: the replay screen
 *                     (tui_render) as terminal output, frame by frame.
 *   export_text       exactly what `ioscope replay FILE --plain` prints.
 *
 * trace/FORMAT.md ("Exports") describes what each output holds.  One file
 * each (export_chrome*.c, export_cast.c, export_text.c); export.c holds
 * the format names, the dispatch, export_save and the internals below.
 *
 * Every function writes to out only (never to stdout or stderr unless out
 * is one of them), leaves out open, and returns 0 or a negative errno:
 * -ENOMEM, -EINVAL for arguments it cannot honour or for a trace with an
 * event outside trace/FORMAT.md's bounds, or the stream's error
 * (-EIO when the C library kept none) if writing or the final fflush
 * failed; on failure out may hold part of the output, so write to a file
 * through export_save, which never leaves a partial file behind.
 *
 * They do not modify the trace and keep no state between calls, but
 * export_asciicast switches the calling thread's LC_CTYPE to C.UTF-8 while
 * it draws (uselocale(3)) when the current locale is not UTF-8, so the
 * screen's text is measured and encoded as the terminal will show it.
 */
#ifndef IOSCOPE_EXPORT_H
#define IOSCOPE_EXPORT_H

#include <stdio.h>

#include "trace/trace.h"

enum export_format { EXPORT_CHROME = 0, EXPORT_ASCIICAST, EXPORT_TEXT, EXPORT_MAX };

#define EXPORT_CAST_W 120          /* asciicast size when none is given */
#define EXPORT_CAST_H 40
#define EXPORT_CAST_MAX 1000       /* larger widths or heights are refused */

/* Chrome trace event JSON ({"traceEvents": [...], ...}), one event a line,
 * written as it goes: each event once it is final (an instant at once, a
 * span when it has ended and nests), so they are not sorted by time
 * (viewers sort).  Beyond the trace it holds the spans still open or
 * waiting for an earlier one of their track to end, and a little per
 * actor, never a record per event. */
int export_chrome(const struct trace *t, FILE *out);

/* asciicast v2 of the replay screen at width x height in lang (NARRATE_EN
 * or NARRATE_ZH).  width or height <= 0 means the default 120x40; below
 * the screen's minimum (TUI_MIN_W x TUI_MIN_H, 80x24) or above
 * EXPORT_CAST_MAX it returns -EINVAL and writes nothing. */
int export_asciicast(const struct trace *t, int lang, int width, int height, FILE *out);

/* The plain narration in lang: narrate_begin, narrate_ev for each event,
 * narrate_end. */
int export_text(const struct trace *t, int lang, FILE *out);

/* "chrome", "asciicast" (or "cast"), "text" -> EXPORT_*; -1 otherwise. */
int export_format_from(const char *name);
const char *export_format_name(int format);   /* NULL if unknown */

/* One of the above by format (width and height are for asciicast only). */
int export_write(const struct trace *t, int format, int lang, int width, int height,
		 FILE *out);

/* export_write to path through trace_write_file: a regular file is either
 * the whole export or untouched; a device or FIFO is written in place,
 * never replaced (trace/outfile.h).  Returns 0 or -errno; -EINVAL for an
 * unknown format. */
int export_save(const struct trace *t, int format, int lang, int width, int height,
		const char *path);

/* Internal to the export_*.c files: fflush(out), then 0, -errno, or -EIO
 * when an earlier write failed. */
int export__flush(FILE *out);
/* After a write to out failed: its error (export__flush's), -EIO when
 * the C library kept none.  Never 0. */
int export__write_failed(FILE *out);
/* Internal: 0 when the trace has 1 to TRACE_ACTORS_LIMIT actors, at most
 * TRACE_MAX_ACTORS of them in its header, and every event is view_ev_ok
 * (fold.h); else -EINVAL.  Each
 * exporter checks first and writes nothing for a trace that trace_read
 * would have refused (one built by hand), so none of them can index past
 * an array or overflow on such a trace. */
int export__check(const struct trace *t);

#endif
