/* read_int.h: what the trace reader's files share besides the fields
 * (read_field.h): the line readers that read.c calls for the header
 * (read_hdr.c) and for each event (read_ev.c).  Nothing else includes
 * this.
 */
#ifndef IOSCOPE_TRACE_READ_INT_H
#define IOSCOPE_TRACE_READ_INT_H

#include <jansson.h>

#include "trace/read_field.h"

/* The header line (read_hdr.c): checked into r->t's header; sets
 * r->version. */
int trace__rd_header(struct rd *r, json_t *o);

/* One event line (read_ev.c): checked and appended to r->t. */
int trace__rd_event(struct rd *r, json_t *o);

#endif
