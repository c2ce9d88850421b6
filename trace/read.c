/* read.c: load a JSON Lines trace (trace/FORMAT.md) with jansson: lines,
 * the header, files, and the field getters of read_int.h.  Events are read
 * in read_ev.c.
 *
 * The buffer is cut at '\n' and each line parsed on its own with
 * json_loadb, so the input need not be NUL-terminated and no line length is
 * assumed.  Any error names the file, line and column and says what was
 * expected; only a truncated last line (a recorder killed mid-write) is
 * forgiven.  Unknown keys are ignored so that older readers can open newer
 * files of the same version.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "trace/file.h"
#include "trace/read_int.h"
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

static int cause_set(char *cause, size_t len, int rc, const char *fmt, ...)
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

/* ---- fields ---- */

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

/* ---- the header ---- */

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

static int rd_actor(struct rd *r, int i, json_t *a)
{
	struct trace_hdr *h = trace_hdr(r->t);
	const char *name, *model, *label[2] = { "", "" }, *script = "";
	unsigned caps = 0;
	char buf[48];
	int rc;

	snprintf(r->what, sizeof r->what, "actor %d", i);
	if (!json_is_object(a))
		return trace__fail(r, 1, "actor %d is %s (expected an object with "
				   "\"name\" and \"model\")", i, trace__type_desc(a));
	rc = trace__get_str(r, a, "name", &name);
	if (rc == 0)
		rc = trace__get_str(r, a, "model", &model);
	if (rc == 0 && json_object_get(a, "label") != NULL)
		rc = trace__get_pair(r, a, "label", false, label);
	if (rc == 0 && json_object_get(a, "script") != NULL)
		rc = trace__get_str(r, a, "script", &script);
	if (rc == 0 && r->version >= 2)
		rc = trace__get_caps(r, json_object_get(a, "caps"), &caps);
	else if (rc == 0)
		caps = trace_caps_v1(model);    /* version 1 named models only */
	if (rc != 0)
		return rc;
	if (i == 0 && strcmp(name, "world") != 0)
		return trace__fail(r, 1, "the first actor is '%s' (expected \"world\")",
				   trace__shown(name, buf, sizeof buf));
	if (i == 0) {
		h->actors[0] = (struct trace_actor){ .name = name, .model = model,
			.caps = caps, .label = { label[0], label[1] }, .parent = -1 };
		return 0;
	}
	if (name[0] == '\0' || trace_find_actor(r->t, name) >= 0)
		return trace__fail(r, 1, "actor %d is named '%s' (expected a unique, "
				   "non-empty name)", i,
				   trace__shown(name, buf, sizeof buf));
	rc = trace_add_actor(r->t, name, model, caps, label[0], label[1]);
	if (rc < 0)
		return rc;
	h->actors[rc].script = script;
	return 0;
}

static int rd_actors(struct rd *r, json_t *o)
{
	json_t *a;
	size_t n;
	int rc = trace__need(r, o, "actors", "an array of actors", &a);

	if (rc != 0)
		return rc;
	if (!json_is_array(a))
		return trace__fail(r, 1, "\"actors\" of the header is %s (expected an "
				   "array of actors)", trace__type_desc(a));
	n = json_array_size(a);
	if (n < 1 || n > TRACE_MAX_ACTORS)
		return trace__fail(r, 1, "\"actors\" has %zu entries (expected 1 to %d, "
				   "\"world\" first)", n, TRACE_MAX_ACTORS);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = rd_actor(r, (int)i, json_array_get(a, i));
	return rc;
}

/* "captions": the scenario's own captions for this run's model. */
static int rd_caption(struct rd *r, int i, json_t *c)
{
	struct trace_hdr *h = trace_hdr(r->t);
	struct trace_caption *k = &h->captions[i];
	int64_t step;
	int rc;

	snprintf(r->what, sizeof r->what, "caption %d of the header", i);
	if (!json_is_object(c))
		return trace__fail(r, 1, "caption %d of the header is %s (expected an "
				   "object with \"step\", \"model\" and \"text\")", i,
				   trace__type_desc(c));
	rc = trace__get_int(r, c, "step", 0, TRACE_MAX_STEPS - 1, &step);
	if (rc == 0)
		rc = trace__get_str(r, c, "model", &k->model);
	if (rc == 0)
		rc = trace__get_pair(r, c, "text", true, k->text);
	if (rc != 0)
		return rc;
	for (int j = 0; j < i; j++)
		if (h->captions[j].step == step)
			return trace__fail(r, 1, "caption %d of the header is for step %lld "
					   "again (expected each step once)", i, (long long)step);
	k->step = (int32_t)step;
	h->ncaptions = i + 1;
	return 0;
}

static int rd_captions(struct rd *r, json_t *o)
{
	json_t *a = json_object_get(o, "captions");
	size_t n;
	int rc = 0;

	if (a == NULL)
		return 0;
	if (!json_is_array(a))
		return trace__fail(r, 1, "\"captions\" of the header is %s (expected an "
				   "array of captions)", trace__type_desc(a));
	n = json_array_size(a);
	if (n > TRACE_MAX_CAST_CAPTIONS)
		return trace__fail(r, 1, "\"captions\" has %zu entries (expected at "
				   "most %d)", n, TRACE_MAX_CAST_CAPTIONS);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = rd_caption(r, (int)i, json_array_get(a, i));
	return rc;
}

static int rd_version(struct rd *r, json_t *o)
{
	json_t *v = json_object_get(o, "format");
	int64_t version = 0;
	int rc;

	if (!json_is_string(v) || strcmp(json_string_value(v), TRACE_FORMAT) != 0)
		return trace__fail(r, 1, "not an ioscope trace (expected \"format\":"
				   "\"%s\" in the first line)", TRACE_FORMAT);
	if ((rc = trace__get_int(r, o, "version", 1, INT64_MAX, &version)) != 0)
		return rc;
	if (version > TRACE_VERSION)
		return trace__fail(r, 1, "trace version %lld is newer than this ioscope "
				   "understands (%d)", (long long)version, TRACE_VERSION);
	r->version = (int)version;
	return 0;
}

static int rd_header(struct rd *r, json_t *o)
{
	struct trace_hdr *h = trace_hdr(r->t);
	json_t *v;
	int rc;

	snprintf(r->what, sizeof r->what, "the header");
	if (!json_is_object(o))
		return trace__fail(r, 1, "the first line is %s (expected the header "
				   "{\"format\":\"%s\",...})", trace__type_desc(o),
				   TRACE_FORMAT);
	if ((rc = rd_version(r, o)) != 0)
		return rc;
	rc = trace__get_str(r, o, "scenario", &h->scenario);
	if (rc == 0)
		rc = trace__get_str(r, o, "kernel", &h->kernel);
	if (rc == 0)
		rc = trace__get_str(r, o, "started", &h->started);
	if (rc != 0)
		return rc;
	if ((v = json_object_get(o, "speed")) != NULL && !json_is_number(v))
		return trace__fail(r, 1, "\"speed\" of the header is %s (expected a "
				   "number above 0)", trace__type_desc(v));
	if (v != NULL && !(json_number_value(v) > 0))
		return trace__fail(r, 1, "\"speed\" of the header is %g (expected a "
				   "number above 0)", json_number_value(v));
	h->speed = v != NULL ? json_number_value(v) : 1.0;
	if ((rc = rd_actors(r, o)) != 0)
		return rc;
	return rd_captions(r, o);
}

/* ---- lines ---- */

static bool is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/* One line of n bytes; last is true when it does not end in '\n'. */
static int rd_line(struct rd *r, const char *s, size_t n, bool last,
		   size_t *skipped)
{
	const char *expect = r->line == 1 ? "the header" : "an event object";
	const char *nul = memchr(s, '\0', n);
	char buf[160];
	json_error_t e;
	json_t *o;
	int rc;

	if (is_blank(s, n))
		return trace__fail(r, 1, "blank line (expected %s)", expect);
	/* jansson builds the whole line before we see a field, at up to 80
	 * bytes per byte of input (an array of empty objects); the header, a
	 * few hundred bytes by nature, has the smaller cap, so its "actors" are
	 * bounded while they are parsed.  No line ioscope writes comes near. */
	if (n > (r->line == 1 ? TRACE_MAX_HDR_LINE : TRACE_MAX_LINE))
		return trace__fail(r, 1, "line is %zu bytes long (expected %s of at "
				   "most %u KiB)", n, expect, (r->line == 1 ?
				   TRACE_MAX_HDR_LINE : TRACE_MAX_LINE) >> 10);
	o = nul != NULL ? NULL : json_loadb(s, n, JSON_REJECT_DUPLICATES, &e);
	if (o == NULL && last && r->line > 1) {
		(*skipped)++;    /* cut short by a recorder that was killed */
		return 0;
	}
	if (nul != NULL)
		return trace__fail(r, (int)(nul - s) + 1, "NUL byte (expected text, "
				   "one JSON object per line; is this a binary file?)");
	if (o == NULL)
		return trace__fail(r, e.column, "invalid JSON: %s (expected %s)",
				   trace__shown(e.text, buf, sizeof buf), expect);
	rc = r->line == 1 ? rd_header(r, o) : trace__rd_event(r, o);
	json_decref(o);
	return rc;
}

int trace_read_mem(const char *name, const char *buf, size_t len,
		   struct trace **out, size_t *skipped,
		   char *cause, size_t causelen)
{
	struct rd r = { .name = name != NULL ? name : "trace", .cause = cause,
			.causelen = causelen };
	size_t pos = 0, nskip = 0;
	int rc = 0;

	if (len == 0)
		return cause_set(cause, causelen, -EINVAL, "%s: file is empty "
				 "(expected an ioscope trace)", r.name);
	if ((r.t = trace_new()) == NULL)
		return cause_set(cause, causelen, -ENOMEM, "%s: out of memory", r.name);
	for (r.line = 1; pos < len && rc == 0; r.line++) {
		const char *s = buf + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - s) : len - pos;

		pos += n + (nl != NULL);
		rc = rd_line(&r, s, n, nl == NULL, &nskip);
	}
	if (rc == -ENOMEM)
		cause_set(cause, causelen, rc, "%s:%zu: out of memory", r.name,
			  r.line - 1);
	else if (rc == -EFBIG)                /* the trace's memory cap */
		cause_set(cause, causelen, rc, "%s:%zu: the trace needs more than "
			  "%zu MB in memory (expected a trace within ioscope's "
			  "limit)", r.name, r.line - 1, trace_max_mem(r.t) >> 20);
	else if (rc != 0 && rc != -EINVAL)    /* trace_append refused it */
		cause_set(cause, causelen, rc, "%s:%zu: cannot keep this event: %s "
			  "(expected a trace ioscope can hold)", r.name, r.line - 1,
			  strerror(-rc));
	if (rc != 0) {
		trace_free(r.t);
		return rc;
	}
	*out = r.t;
	if (skipped != NULL)
		*skipped = nskip;
	return 0;
}

/* ---- files ---- */

int trace_read(const char *path, struct trace **out, size_t *skipped,
	       char *cause, size_t causelen)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	/* Regular files only, opened without blocking (a FIFO with no writer
	 * must not hang check or replay), never more than the cap + 1 bytes. */
	rc = file_read_whole(path, TRACE_MAX_FILE, "trace", 1, &buf, &len,
			     cause, causelen);
	if (rc == -EISDIR)
		return cause_set(cause, causelen, rc, "%s: cannot read: Is a "
				 "directory (expected an ioscope trace file)", path);
	if (rc != 0)
		return rc;
	rc = trace_read_mem(path, buf, len, out, skipped, cause, causelen);
	free(buf);
	return rc;
}
