/* read_field.h: the trace reader's checked fields (read_field.c), shared
 * by the files that read its lines (read.c), header (read_hdr.c) and
 * events (read_ev.c).  Nothing else includes this but the reader's tests.
 *
 * One line is read at a time into a struct rd.  The line is parsed into a
 * small tree of struct jv, by jansson (trace__jv_json) or, for an event
 * line exactly as ioscope writes it, by the fast reader (read_fast.h):
 * the checks below and in read_hdr.c and read_ev.c read only that tree, so
 * both parsers meet the same checks and the same messages.  The field
 * getters look a key up in an object, check its type and range, and on
 * any problem format "file:line:col: what was expected" into the caller's
 * cause and return -EINVAL (-ENOMEM when memory runs out), so a reader can
 * chain them as `if (rc == 0) rc = trace__get_int(...)`.  Messages name the
 * key and r->what, the thing being read ("the header", "actor 2", "the
 * \"exit\" event").
 */
#ifndef IOSCOPE_TRACE_READ_FIELD_H
#define IOSCOPE_TRACE_READ_FIELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "trace/trace.h"

/* ---- a parsed line ---- */

enum jv_type { JV_NULL, JV_FALSE, JV_TRUE, JV_INT, JV_REAL, JV_STR, JV_ARR, JV_OBJ };

/* One JSON value.  An object's members and an array's elements are the n
 * values at kid (a member has its key); every string ends in a NUL and
 * lives as long as the line's tree. */
struct jv {
	uint8_t type;          /* enum jv_type */
	uint32_t n;            /* JV_ARR: elements, JV_OBJ: members */
	uint32_t hint;         /* JV_OBJ: where the next lookup starts */
	const char *key;       /* a member's key; NULL for anything else */
	union {
		int64_t i;         /* JV_INT */
		double d;          /* JV_REAL */
		const char *s;     /* JV_STR */
		struct jv *kid;    /* JV_ARR, JV_OBJ */
	};
};

/* The member key of object o, or NULL (absent, or o is no object).  The
 * search starts after the member found last: the checks ask for the keys
 * mostly in the order the writer wrote them. */
static inline struct jv *jv_get(struct jv *o, const char *key)
{
	if (o == NULL || o->type != JV_OBJ)
		return NULL;
	for (uint32_t k = 0, i = o->hint; k < o->n; k++, i++) {
		if (i >= o->n)
			i = 0;
		if (o->kid[i].key[0] == key[0] && strcmp(o->kid[i].key, key) == 0) {
			o->hint = i + 1;
			return &o->kid[i];
		}
	}
	return NULL;
}

static inline bool jv_is(const struct jv *v, enum jv_type type)
{
	return v != NULL && v->type == type;
}

static inline bool jv_is_bool(const struct jv *v)
{
	return v != NULL && (v->type == JV_TRUE || v->type == JV_FALSE);
}

static inline bool jv_is_number(const struct jv *v)
{
	return v != NULL && (v->type == JV_INT || v->type == JV_REAL);
}

/* The string, or NULL when v is none. */
static inline const char *jv_str(const struct jv *v)
{
	return jv_is(v, JV_STR) ? v->s : NULL;
}

/* Elements of an array; 0 for anything else. */
static inline size_t jv_size(const struct jv *v)
{
	return jv_is(v, JV_ARR) ? v->n : 0;
}

/* An integer from lo to hi. */
static inline bool jv_int_in(const struct jv *v, int64_t lo, int64_t hi)
{
	return jv_is(v, JV_INT) && v->i >= lo && v->i <= hi;
}

/* ---- the reader ---- */

struct rd {
	const char *name;      /* file name for messages */
	size_t line;           /* 1-based */
	char *cause;
	size_t causelen;
	struct trace *t;       /* being built; the caller frees it on error */
	char what[64];         /* "the header", "actor 2", "the \"exit\" event" */
	int version;           /* the header's, once read */
	bool slow;             /* every line through jansson (tests, fuzzers) */
	struct jv *tree;       /* jansson's line as a tree (trace__jv_json) */
	size_t tree_cap;
	struct rd_fast *fast;  /* the fast reader's scratch (read_fast.h) */
};

/* What trace__jv_json and the fast reader hold. */
void trace__rd_free(struct rd *r);

/* jansson's value o as a tree, in r->tree (valid until the next call and
 * while o lives).  Returns 0 or -ENOMEM. */
int trace__jv_json(struct rd *r, json_t *o, struct jv **out);

/* "name:line:col: message" into r->cause; returns -EINVAL. */
int trace__fail(struct rd *r, int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* s made safe for a one-line message in buf: control bytes become '?', long
 * values are cut at a UTF-8 boundary with "...".  Returns buf. */
const char *trace__shown(const char *s, char *buf, size_t size);
/* "an integer", "a string", ... for messages. */
const char *trace__type_desc(const struct jv *v);
/* "a, b, c": the names name(1) .. name(limit - 1), skipping NULLs. */
const char *trace__names_list(char *buf, size_t size,
			      const char *(*name)(int), int limit);

/* The value of a required key in *v. */
int trace__need(struct rd *r, struct jv *o, const char *key, const char *expect,
		struct jv **v);
/* v must be an integer from lo to hi; key names it in the message. */
int trace__int_in(struct rd *r, struct jv *v, const char *key, int64_t lo,
		  int64_t hi, int64_t *out);
int trace__get_int(struct rd *r, struct jv *o, const char *key, int64_t lo,
		   int64_t hi, int64_t *out);
/* An optional integer: dflt when the key is absent. */
int trace__opt_int(struct rd *r, struct jv *o, const char *key, int64_t lo,
		   int64_t hi, int64_t dflt, int64_t *out);
/* An optional boolean: false when the key is absent. */
int trace__opt_bool(struct rd *r, struct jv *o, const char *key, bool *out);
/* A string owned by o (trace__get_raw) or interned in r->t (trace__get_str). */
int trace__get_raw(struct rd *r, struct jv *o, const char *key, const char **out);
int trace__get_str(struct rd *r, struct jv *o, const char *key, const char **out);
/* {"en": ..., "zh": ...}, both interned; with lines, they may hold line
 * breaks (a caption's text), never another control character. */
int trace__get_pair(struct rd *r, struct jv *o, const char *key, bool lines,
		    const char *out[2]);
/* A string that from() maps to a value >= 0; expect, the choices, is what
 * every message about the key asks for. */
int trace__get_choice(struct rd *r, struct jv *o, const char *key,
		      int (*from)(const char *), const char *expect, int *out);
/* The same, from a table of names (trace_call_name, trace_phase_name...):
 * the message asks for "one of: " name(1) .. name(limit - 1). */
int trace__get_name(struct rd *r, struct jv *o, const char *key,
		    const char *(*name)(int), int (*from)(const char *),
		    int limit, int *out);

/* "caps" (a, NULL when absent: none): an array of capability names, each
 * known and once, as enum trace_cap bits. */
int trace__get_caps(struct rd *r, struct jv *a, unsigned *out);

/* A cause that names no line (an empty file, no memory): fmt into cause,
 * cut whole at len; returns rc. */
int trace__cause(char *cause, size_t len, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
