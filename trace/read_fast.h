/* read_fast.h: a reader for one event line exactly as ioscope writes it
 * (trace/record.c: jansson's compact dump of one object), much faster
 * than jansson, which still reads every other line.
 *
 * The line must be one object without a byte of whitespace; its keys each
 * once and each a key of trace/FORMAT.md's events; its values integers of
 * at most 18 digits, strings without an escape or a control byte (UTF-8 as
 * jansson takes it), true, false, null, or one level below: an array of
 * those, or an object of them ("text": {"en": ..., "zh": ...}).  Anything
 * else is "not mine": the caller hands the line to jansson, whose tree
 * (trace__jv_json) and messages are then what they always were.  For a
 * line it takes, the tree it makes is the one jansson's would be (the
 * same members with the same values; tests/fuzz/fuzz_read_fast.c checks
 * it), so read_ev.c's checks say the same about both.
 */
#ifndef IOSCOPE_TRACE_READ_FAST_H
#define IOSCOPE_TRACE_READ_FAST_H

#include <stddef.h>

#include "trace/read_field.h"

/* The line's n bytes (no '\n'): 1 with the tree in *out (valid until the
 * next call on r), 0 when the line is not one it takes, -ENOMEM. */
int trace__fast_line(struct rd *r, const char *s, size_t n, struct jv **out);

/* What it holds in r (trace__rd_free calls it). */
void trace__fast_free(struct rd *r);

#endif
