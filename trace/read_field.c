/* read_field.c: the trace reader's checked fields (read_field.h): a key
 * looked up in a parsed line (struct jv), its type and range checked, and
 * on any problem a "file:line:col: what was expected" cause.  The lines,
 * the header and the files are read in read.c and read_hdr.c, the events
 * in read_ev.c, all with these.  Also here: jansson's value as a struct jv
 * tree, and the index of actors by name.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "trace/file.h"
#include "trace/read_field.h"
#include "trace/trace.h"

static void cause_vset(char *cause, size_t len, const char *pre,
		       const char *fmt, va_list ap)
{
	int n;

	if (cause == NULL || len == 0)
		return;
	n = snprintf(cause, len, "%s", pre);
	if (n >= 0 && (size_t)n < len)
		vsnprintf(cause + n, len - (size_t)n, fmt, ap);
	file_cause_cut(cause, len);
}

int trace__cause(char *cause, size_t len, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cause_vset(cause, len, "", fmt, ap);
	va_end(ap);
	return rc;
}

/* "name:line:col: message"; returns -EINVAL. */
int trace__fail(struct rd *r, int col, const char *fmt, ...)
{
	char pre[512];
	va_list ap;

	snprintf(pre, sizeof pre, "%s:%zu:%d: ", r->name, r->line,
		 col > 0 ? col : 1);
	file_cause_cut(pre, sizeof pre);        /* a long name: cut it whole */
	va_start(ap, fmt);
	cause_vset(r->cause, r->causelen, pre, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A value from the file made safe for a one-line message: control bytes
 * become '?', long values are cut (at a UTF-8 boundary) with "...". */
const char *trace__shown(const char *s, char *buf, size_t size)
{
	size_t i, n = strlen(s), max = size - 4;

	for (i = 0; i < n && i < max; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	if (i < n) {
		while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
			i--;    /* do not split a UTF-8 sequence */
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

const char *trace__type_desc(const struct jv *v)
{
	switch (v != NULL ? v->type : JV_NULL) {
	case JV_OBJ:   return "an object";
	case JV_ARR:   return "an array";
	case JV_STR:   return "a string";
	case JV_INT:   return "an integer";
	case JV_REAL:  return "a real number";
	case JV_TRUE:  return "true";
	case JV_FALSE: return "false";
	default:       return "null";
	}
}

/* "a, b, c" from a name table, skipping holes. */
const char *trace__names_list(char *buf, size_t size,
			      const char *(*name)(int), int limit)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 1; i < limit && n < size; i++) {
		const char *s = name(i);

		if (s != NULL)
			n += (size_t)snprintf(buf + n, size - n, "%s%s",
					      n > 0 ? ", " : "", s);
	}
	return buf;
}

int trace__need(struct rd *r, struct jv *o, const char *key, const char *expect,
		struct jv **v)
{
	*v = jv_get(o, key);
	if (*v == NULL)
		return trace__fail(r, 1, "%s has no \"%s\" (expected %s)",
				   r->what, key, expect);
	return 0;
}

/* The message of trace__int_in; the expectation is only written out for
 * a value that fails it. */
static int int_fail(struct rd *r, const struct jv *v, const char *key,
		    int64_t lo, int64_t hi)
{
	char expect[80];

	if (lo == INT64_MIN && hi == INT64_MAX)
		snprintf(expect, sizeof expect, "an integer");
	else if (hi == INT64_MAX)
		snprintf(expect, sizeof expect, "an integer >= %lld", (long long)lo);
	else
		snprintf(expect, sizeof expect, "an integer from %lld to %lld",
			 (long long)lo, (long long)hi);
	if (!jv_is(v, JV_INT))
		return trace__fail(r, 1, "\"%s\" of %s is %s (expected %s)",
				   key, r->what, trace__type_desc(v), expect);
	return trace__fail(r, 1, "\"%s\" of %s is %lld (expected %s)",
			   key, r->what, (long long)v->i, expect);
}

int trace__int_in(struct rd *r, struct jv *v, const char *key, int64_t lo,
		  int64_t hi, int64_t *out)
{
	if (!jv_int_in(v, lo, hi))
		return int_fail(r, v, key, lo, hi);
	*out = v->i;
	return 0;
}

int trace__get_int(struct rd *r, struct jv *o, const char *key, int64_t lo,
		   int64_t hi, int64_t *out)
{
	struct jv *v;
	int rc = trace__need(r, o, key, "an integer", &v);

	return rc != 0 ? rc : trace__int_in(r, v, key, lo, hi, out);
}

int trace__opt_int(struct rd *r, struct jv *o, const char *key, int64_t lo,
		   int64_t hi, int64_t dflt, int64_t *out)
{
	struct jv *v = jv_get(o, key);

	*out = dflt;
	return v == NULL ? 0 : trace__int_in(r, v, key, lo, hi, out);
}

/* An optional boolean: false when the key is absent. */
int trace__opt_bool(struct rd *r, struct jv *o, const char *key, bool *out)
{
	struct jv *v = jv_get(o, key);

	*out = false;
	if (v != NULL && !jv_is_bool(v))
		return trace__fail(r, 1, "\"%s\" of %s is %s (expected true or false)",
				   key, r->what, trace__type_desc(v));
	*out = jv_is(v, JV_TRUE);
	return 0;
}

/* The string itself, owned by the JSON value; printable (a line break only
 * where lines). */
static int get_text(struct rd *r, struct jv *o, const char *key, bool lines,
		    const char **out)
{
	const char *bad;
	struct jv *v;
	int rc = trace__need(r, o, key, "a string", &v);

	if (rc != 0)
		return rc;
	if (!jv_is(v, JV_STR))
		return trace__fail(r, 1, "\"%s\" of %s is %s (expected a string)",
				   key, r->what, trace__type_desc(v));
	*out = v->s;
	if ((bad = trace_text_control(*out, lines)) != NULL) {
		unsigned cp = (unsigned char)bad[0] == 0xc2 ? (unsigned char)bad[1] :
			      (unsigned char)bad[0];

		return trace__fail(r, 1, "\"%s\" of %s holds the control character "
				   "U+%04X (expected printable text)", key, r->what, cp);
	}
	return 0;
}

int trace__get_raw(struct rd *r, struct jv *o, const char *key, const char **out)
{
	return get_text(r, o, key, false, out);
}

static int intern_text(struct rd *r, struct jv *o, const char *key, bool lines,
		       const char **out)
{
	int rc = get_text(r, o, key, lines, out);

	if (rc == 0 && (*out = trace_intern(r->t, *out)) == NULL)
		rc = trace_full(r->t) ? -EFBIG : -ENOMEM;
	return rc;
}

/* The string interned in the trace. */
int trace__get_str(struct rd *r, struct jv *o, const char *key, const char **out)
{
	return intern_text(r, o, key, false, out);
}

/* {"en": ..., "zh": ...} */
int trace__get_pair(struct rd *r, struct jv *o, const char *key, bool lines,
		    const char *out[2])
{
	struct jv *v;
	int rc = trace__need(r, o, key, "an object {\"en\":...,\"zh\":...}", &v);

	if (rc != 0)
		return rc;
	if (!jv_is(v, JV_OBJ))
		return trace__fail(r, 1, "\"%s\" of %s is %s (expected an object "
				   "{\"en\":...,\"zh\":...})", key, r->what,
				   trace__type_desc(v));
	rc = intern_text(r, v, "en", lines, &out[0]);
	return rc != 0 ? rc : intern_text(r, v, "zh", lines, &out[1]);
}

/* A string that must be one of a table's names. */
int trace__get_choice(struct rd *r, struct jv *o, const char *key,
		      int (*from)(const char *), const char *expect, int *out)
{
	const char *s;
	char buf[48];
	struct jv *v;
	int rc = trace__need(r, o, key, expect, &v);

	if (rc != 0)
		return rc;
	if (!jv_is(v, JV_STR))
		return trace__fail(r, 1, "\"%s\" of %s is %s (expected %s)", key,
				   r->what, trace__type_desc(v), expect);
	s = v->s;
	if ((*out = from(s)) < 0)
		return trace__fail(r, 1, "\"%s\" of %s is '%s' (expected %s)", key,
				   r->what, trace__shown(s, buf, sizeof buf), expect);
	return 0;
}

/* The list of names is only written out for a value that is not one. */
int trace__get_name(struct rd *r, struct jv *o, const char *key,
		    const char *(*name)(int), int (*from)(const char *),
		    int limit, int *out)
{
	const char *s = jv_str(jv_get(o, key));
	char list[256], expect[280];

	if (s != NULL && (*out = from(s)) >= 0)
		return 0;
	trace__names_list(list, sizeof list, name, limit);
	snprintf(expect, sizeof expect, "one of: %s", list);
	return trace__get_choice(r, o, key, from, expect, out);
}

#define CAP_NAMES "phases, tries, set, bitmap, interest, edge, signal, " \
		  "completion, helpers, loop, serves, spawns, queue, coroutine"

/* "caps": ["phases", "set", ...]: each a known name, each once. */
int trace__get_caps(struct rd *r, struct jv *a, unsigned *out)
{
	char buf[48];

	*out = 0;
	if (a == NULL)
		return 0;
	if (!jv_is(a, JV_ARR))
		return trace__fail(r, 1, "\"caps\" of %s is %s (expected an array of "
				   "capability names)", r->what, trace__type_desc(a));
	for (size_t i = 0; i < a->n; i++) {
		struct jv *v = &a->kid[i];
		int bit = jv_is(v, JV_STR) ? trace_cap_from(v->s) : -1;

		if (bit < 0 && jv_is(v, JV_STR))
			return trace__fail(r, 1, "\"caps\" of %s holds \"%s\" (expected one "
					   "of %s)", r->what, trace__shown(v->s, buf, sizeof buf),
					   CAP_NAMES);
		if (bit < 0)
			return trace__fail(r, 1, "\"caps\" of %s holds %s (expected one of "
					   "%s)", r->what, trace__type_desc(v), CAP_NAMES);
		if (*out & (unsigned)bit)
			return trace__fail(r, 1, "\"caps\" of %s names \"%s\" twice "
					   "(expected each capability once)", r->what, v->s);
		*out |= (unsigned)bit;
	}
	return 0;
}

/* ---- jansson's value as a tree ---- */

/* Values in j, itself included. */
static size_t jv_count(json_t *j)
{
	size_t n = 1, i;
	const char *k;
	json_t *v;

	if (json_is_object(j))
		json_object_foreach(j, k, v)
			n += jv_count(v);
	else if (json_is_array(j))
		json_array_foreach(j, i, v)
			n += jv_count(v);
	return n;
}

/* j into *v, its members or elements into the next free values. */
static void jv_fill(struct jv *v, json_t *j, struct jv **next)
{
	const char *k;
	json_t *x;
	size_t i = 0;

	*v = (struct jv){ .type = JV_NULL };
	switch (json_typeof(j)) {
	case JSON_OBJECT:
	case JSON_ARRAY:
		v->type = json_is_object(j) ? JV_OBJ : JV_ARR;
		v->n = (uint32_t)(json_is_object(j) ? json_object_size(j) : json_array_size(j));
		v->kid = *next;
		*next += v->n;
		if (json_is_object(j)) {
			json_object_foreach(j, k, x) {
				jv_fill(&v->kid[i], x, next);
				v->kid[i++].key = k;
			}
		} else {
			json_array_foreach(j, i, x)
				jv_fill(&v->kid[i], x, next);
		}
		break;
	case JSON_STRING:  v->type = JV_STR; v->s = json_string_value(j); break;
	case JSON_INTEGER: v->type = JV_INT; v->i = json_integer_value(j); break;
	case JSON_REAL:    v->type = JV_REAL; v->d = json_real_value(j); break;
	case JSON_TRUE:    v->type = JV_TRUE; break;
	case JSON_FALSE:   v->type = JV_FALSE; break;
	default:           break;
	}
}

/* jansson nests at most JSON_PARSER_MAX_DEPTH deep, so the recursion is
 * bounded; a line holds at most TRACE_MAX_LINE bytes, so the values are. */
int trace__jv_json(struct rd *r, json_t *o, struct jv **out)
{
	size_t n = jv_count(o);
	struct jv *next;

	if (n > r->tree_cap) {
		struct jv *t = realloc(r->tree, n * sizeof *t);

		if (t == NULL)
			return -ENOMEM;
		r->tree = t;
		r->tree_cap = n;
	}
	next = r->tree + 1;
	jv_fill(r->tree, o, &next);
	*out = r->tree;
	return 0;
}
