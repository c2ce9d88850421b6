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

/* A read, a line at a time (trace_read and trace_read_mem, and tests that
 * look into r): trace__rd_begin makes r->t (name is the file's, for
 * messages; slow: every line through jansson, none through the fast
 * reader); trace__rd_next reads line r->line, n bytes at s without its
 * '\n' (last: the file ends there, without one) and moves on to the next,
 * or returns -errno with the cause written; *skipped counts a truncated
 * last line.  trace__rd_end frees what r holds and, if rc is 0, hands the
 * trace to *out (and *skipped), else frees it and returns rc. */
int trace__rd_begin(struct rd *r, const char *name, bool slow, char *cause,
		    size_t causelen);
int trace__rd_next(struct rd *r, const char *s, size_t n, bool last,
		   size_t *skipped);
int trace__rd_end(struct rd *r, int rc, size_t nskip, struct trace **out,
		  size_t *skipped);

/* trace_read_mem, with slow: every line through jansson, none through the
 * fast reader (read_fast.h), so a test can compare the two. */
int trace__read_mem(const char *name, const char *buf, size_t len, bool slow,
		    struct trace **out, size_t *skipped, char *cause,
		    size_t causelen);

#endif
