/* read_field.h: the trace reader's checked fields (read_field.c), shared
 * by the files that read its lines (read.c), header (read_hdr.c) and
 * events (read_ev.c).  Nothing else includes this.
 *
 * One line is read at a time into a struct rd.  The field getters below look
 * a key up in a JSON object, check its type and range, and on any problem
 * format "file:line:col: what was expected" into the caller's cause and
 * return -EINVAL (-ENOMEM when memory runs out), so a reader can chain them
 * as `if (rc == 0) rc = trace__get_int(...)`.  Messages name the key and
 * r->what, the thing being read ("the header", "actor 2", "the \"exit\"
 * event").
 */
#ifndef IOSCOPE_TRACE_READ_FIELD_H
#define IOSCOPE_TRACE_READ_FIELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "trace/trace.h"

struct rd {
	const char *name;      /* file name for messages */
	size_t line;           /* 1-based */
	char *cause;
	size_t causelen;
	struct trace *t;       /* being built; the caller frees it on error */
	char what[64];         /* "the header", "actor 2", "the \"exit\" event" */
	int version;           /* the header's, once read */
};

/* "name:line:col: message" into r->cause; returns -EINVAL. */
int trace__fail(struct rd *r, int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* s made safe for a one-line message in buf: control bytes become '?', long
 * values are cut at a UTF-8 boundary with "...".  Returns buf. */
const char *trace__shown(const char *s, char *buf, size_t size);
/* "an integer", "a string", ... for messages. */
const char *trace__type_desc(const json_t *v);
/* "a, b, c": the names name(1) .. name(limit - 1), skipping NULLs. */
const char *trace__names_list(char *buf, size_t size,
			      const char *(*name)(int), int limit);

/* The value of a required key in *v. */
int trace__need(struct rd *r, json_t *o, const char *key, const char *expect,
		json_t **v);
/* v must be an integer from lo to hi; key names it in the message. */
int trace__int_in(struct rd *r, json_t *v, const char *key, int64_t lo,
		  int64_t hi, int64_t *out);
int trace__get_int(struct rd *r, json_t *o, const char *key, int64_t lo,
		   int64_t hi, int64_t *out);
/* An optional integer: dflt when the key is absent. */
int trace__opt_int(struct rd *r, json_t *o, const char *key, int64_t lo,
		   int64_t hi, int64_t dflt, int64_t *out);
/* An optional boolean: false when the key is absent. */
int trace__opt_bool(struct rd *r, json_t *o, const char *key, bool *out);
/* A string owned by o (trace__get_raw) or interned in r->t (trace__get_str). */
int trace__get_raw(struct rd *r, json_t *o, const char *key, const char **out);
int trace__get_str(struct rd *r, json_t *o, const char *key, const char **out);
/* {"en": ..., "zh": ...}, both interned; with lines, they may hold line
 * breaks (a caption's text), never another control character. */
int trace__get_pair(struct rd *r, json_t *o, const char *key, bool lines,
		    const char *out[2]);
/* A string that from() maps to a value >= 0; expect, the choices, is what
 * every message about the key asks for. */
int trace__get_choice(struct rd *r, json_t *o, const char *key,
		      int (*from)(const char *), const char *expect, int *out);

/* "caps" (a, NULL when absent: none): an array of capability names, each
 * known and once, as enum trace_cap bits. */
int trace__get_caps(struct rd *r, json_t *a, unsigned *out);

/* A cause that names no line (an empty file, no memory): fmt into cause,
 * cut whole at len; returns rc. */
int trace__cause(char *cause, size_t len, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
