/* read_field.c: the trace reader's checked fields (read_field.h): a key
 * looked up in a JSON object, its type and range checked, and on any
 * problem a "file:line:col: what was expected" cause.  The lines, the
 * header and the files are read in read.c and read_hdr.c, the events in
 * read_ev.c, all with these.
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

const char *trace__type_desc(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:  return "an object";
	case JSON_ARRAY:   return "an array";
	case JSON_STRING:  return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL:    return "a real number";
	case JSON_TRUE:    return "true";
	case JSON_FALSE:   return "false";
	default:           return "null";
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

int trace__need(struct rd *r, json_t *o, const char *key, const char *expect,
		json_t **v)
{
	*v = json_object_get(o, key);
	if (*v == NULL)
		return trace__fail(r, 1, "%s has no \"%s\" (expected %s)",
				   r->what, key, expect);
	return 0;
}

int trace__int_in(struct rd *r, json_t *v, const char *key, int64_t lo,
		  int64_t hi, int64_t *out)
{
	char expect[80];
	json_int_t x;

	if (lo == INT64_MIN && hi == INT64_MAX)
		snprintf(expect, sizeof expect, "an integer");
	else if (hi == INT64_MAX)
		snprintf(expect, sizeof expect, "an integer >= %lld", (long long)lo);
	else
		snprintf(expect, sizeof expect, "an integer from %lld to %lld",
			 (long long)lo, (long long)hi);
	if (!json_is_integer(v))
		return trace__fail(r, 1, "\"%s\" of %s is %s (expected %s)",
				   key, r->what, trace__type_desc(v), expect);
	x = json_integer_value(v);
	if (x < lo || x > hi)
		return trace__fail(r, 1, "\"%s\" of %s is %lld (expected %s)",
				   key, r->what, (long long)x, expect);
	*out = x;
	return 0;
}

int trace__get_int(struct rd *r, json_t *o, const char *key, int64_t lo,
		   int64_t hi, int64_t *out)
{
	json_t *v;
	int rc = trace__need(r, o, key, "an integer", &v);

	return rc != 0 ? rc : trace__int_in(r, v, key, lo, hi, out);
}

int trace__opt_int(struct rd *r, json_t *o, const char *key, int64_t lo,
		   int64_t hi, int64_t dflt, int64_t *out)
{
	json_t *v = json_object_get(o, key);

	*out = dflt;
	return v == NULL ? 0 : trace__int_in(r, v, key, lo, hi, out);
}

/* An optional boolean: false when the key is absent. */
int trace__opt_bool(struct rd *r, json_t *o, const char *key, bool *out)
{
	json_t *v = json_object_get(o, key);

	*out = false;
	if (v != NULL && !json_is_boolean(v))
		return trace__fail(r, 1, "\"%s\" of %s is %s (expected true or false)",
				   key, r->what, trace__type_desc(v));
	*out = json_is_true(v);
	return 0;
}

/* The string itself, owned by the JSON value; printable (a line break only
 * where lines). */
static int get_text(struct rd *r, json_t *o, const char *key, bool lines,
		    const char **out)
{
	const char *bad;
	json_t *v;
	int rc = trace__need(r, o, key, "a string", &v);

	if (rc != 0)
		return rc;
	if (!json_is_string(v))
		return trace__fail(r, 1, "\"%s\" of %s is %s (expected a string)",
				   key, r->what, trace__type_desc(v));
	*out = json_string_value(v);
	if ((bad = trace_text_control(*out, lines)) != NULL) {
		unsigned cp = (unsigned char)bad[0] == 0xc2 ? (unsigned char)bad[1] :
			      (unsigned char)bad[0];

		return trace__fail(r, 1, "\"%s\" of %s holds the control character "
				   "U+%04X (expected printable text)", key, r->what, cp);
	}
	return 0;
}

int trace__get_raw(struct rd *r, json_t *o, const char *key, const char **out)
{
	return get_text(r, o, key, false, out);
}

static int intern_text(struct rd *r, json_t *o, const char *key, bool lines,
		       const char **out)
{
	int rc = get_text(r, o, key, lines, out);

	if (rc == 0 && (*out = trace_intern(r->t, *out)) == NULL)
		rc = trace_full(r->t) ? -EFBIG : -ENOMEM;
	return rc;
}

/* The string interned in the trace. */
int trace__get_str(struct rd *r, json_t *o, const char *key, const char **out)
{
	return intern_text(r, o, key, false, out);
}

/* {"en": ..., "zh": ...} */
int trace__get_pair(struct rd *r, json_t *o, const char *key, bool lines,
		    const char *out[2])
{
	json_t *v;
	int rc = trace__need(r, o, key, "an object {\"en\":...,\"zh\":...}", &v);

	if (rc != 0)
		return rc;
	if (!json_is_object(v))
		return trace__fail(r, 1, "\"%s\" of %s is %s (expected an object "
				   "{\"en\":...,\"zh\":...})", key, r->what,
				   trace__type_desc(v));
	rc = intern_text(r, v, "en", lines, &out[0]);
	return rc != 0 ? rc : intern_text(r, v, "zh", lines, &out[1]);
}

/* A string that must be one of a table's names. */
int trace__get_choice(struct rd *r, json_t *o, const char *key,
		      int (*from)(const char *), const char *expect, int *out)
{
	const char *s;
	char buf[48];
	json_t *v;
	int rc = trace__need(r, o, key, expect, &v);

	if (rc != 0)
		return rc;
	if (!json_is_string(v))
		return trace__fail(r, 1, "\"%s\" of %s is %s (expected %s)", key,
				   r->what, trace__type_desc(v), expect);
	s = json_string_value(v);
	if ((*out = from(s)) < 0)
		return trace__fail(r, 1, "\"%s\" of %s is '%s' (expected %s)", key,
				   r->what, trace__shown(s, buf, sizeof buf), expect);
	return 0;
}

#define CAP_NAMES "phases, tries, set, bitmap, interest, edge, signal, " \
		  "completion, helpers, loop, serves"

/* "caps": ["phases", "set", ...]: each a known name, each once. */
int trace__get_caps(struct rd *r, json_t *a, unsigned *out)
{
	char buf[48];

	*out = 0;
	if (a == NULL)
		return 0;
	if (!json_is_array(a))
		return trace__fail(r, 1, "\"caps\" of %s is %s (expected an array of "
				   "capability names)", r->what, trace__type_desc(a));
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *v = json_array_get(a, i);
		int bit = json_is_string(v) ? trace_cap_from(json_string_value(v)) : -1;

		if (bit < 0 && json_is_string(v))
			return trace__fail(r, 1, "\"caps\" of %s holds \"%s\" (expected one "
					   "of %s)", r->what, trace__shown(json_string_value(v),
									  buf, sizeof buf), CAP_NAMES);
		if (bit < 0)
			return trace__fail(r, 1, "\"caps\" of %s holds %s (expected one of "
					   "%s)", r->what, trace__type_desc(v), CAP_NAMES);
		if (*out & (unsigned)bit)
			return trace__fail(r, 1, "\"caps\" of %s names \"%s\" twice "
					   "(expected each capability once)", r->what,
					   json_string_value(v));
		*out |= (unsigned)bit;
	}
	return 0;
}
