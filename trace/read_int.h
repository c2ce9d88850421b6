/* read_int.h: what the trace reader's files share besides the fields
 * (read_field.h): the line readers that read.c calls for the header
 * (read_hdr.c) and for each event (read_ev.c), and the whole read with a
 * choice of parser.  Nothing else includes this but the reader's tests
 * and fuzz targets.
 */
#ifndef IOSCOPE_TRACE_READ_INT_H
#define IOSCOPE_TRACE_READ_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "trace/read_field.h"

/* The header line (read_hdr.c): checked into r->t's header; sets
 * r->version. */
int trace__rd_header(struct rd *r, struct jv *o);

/* One event line (read_ev.c): checked and appended to r->t. */
int trace__rd_event(struct rd *r, struct jv *o);

/* trace_read_mem, with slow: every line through jansson, none through the
 * fast reader (read_fast.h), so a test can compare the two. */
int trace__read_mem(const char *name, const char *buf, size_t len, bool slow,
		    struct trace **out, size_t *skipped, char *cause,
		    size_t causelen);

#endif
