/* read.c: load a JSON Lines trace (trace/FORMAT.md) with jansson.
 *
 * The buffer is cut at '\n' and each line parsed on its own with
 * json_loadb, so the input need not be NUL-terminated and no line length is
 * assumed.  Any error names the file, line and column and says what was
 * expected; only a truncated last line (a recorder killed mid-write) is
 * forgiven.  Unknown keys are ignored so that older readers can open newer
 * files of the same version.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "trace/trace.h"

struct rd {
	const char *name;      /* file name for messages */
	size_t line;           /* 1-based */
	char *cause;
	size_t causelen;
	struct trace *t;
	char what[48];         /* "the header", "actor 2", "\"exit\" event" */
};

static void cause_vset(char *cause, size_t len, const char *pre,
		       const char *fmt, va_list ap)
{
	int n;

	if (cause == NULL || len == 0)
		return;
	n = snprintf(cause, len, "%s", pre);
	if (n >= 0 && (size_t)n < len)
		vsnprintf(cause + n, len - (size_t)n, fmt, ap);
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
static int rd_fail(struct rd *r, int col, const char *fmt, ...)
{
	char pre[512];
	va_list ap;

	snprintf(pre, sizeof pre, "%s:%zu:%d: ", r->name, r->line,
		 col > 0 ? col : 1);
	va_start(ap, fmt);
	cause_vset(r->cause, r->causelen, pre, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A value from the file made safe for a one-line message: control bytes
 * become '?', long values are cut (at a UTF-8 boundary) with "...". */
static const char *shown(const char *s, char *buf, size_t size)
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

static const char *type_desc(const json_t *v)
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
static const char *names_list(char *buf, size_t size,
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

static int need(struct rd *r, json_t *o, const char *key, const char *expect,
		json_t **v)
{
	*v = json_object_get(o, key);
	if (*v == NULL)
		return rd_fail(r, 1, "%s has no \"%s\" (expected %s)",
			       r->what, key, expect);
	return 0;
}

static int int_in(struct rd *r, json_t *v, const char *key, int64_t lo,
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
		return rd_fail(r, 1, "\"%s\" of %s is %s (expected %s)",
			       key, r->what, type_desc(v), expect);
	x = json_integer_value(v);
	if (x < lo || x > hi)
		return rd_fail(r, 1, "\"%s\" of %s is %lld (expected %s)",
			       key, r->what, (long long)x, expect);
	*out = x;
	return 0;
}

static int get_int(struct rd *r, json_t *o, const char *key, int64_t lo,
		   int64_t hi, int64_t *out)
{
	json_t *v;
	int rc = need(r, o, key, "an integer", &v);

	return rc != 0 ? rc : int_in(r, v, key, lo, hi, out);
}

static int opt_int(struct rd *r, json_t *o, const char *key, int64_t lo,
		   int64_t hi, int64_t dflt, int64_t *out)
{
	json_t *v = json_object_get(o, key);

	*out = dflt;
	return v == NULL ? 0 : int_in(r, v, key, lo, hi, out);
}

/* The string itself, owned by the JSON value. */
static int get_raw(struct rd *r, json_t *o, const char *key, const char **out)
{
	json_t *v;
	int rc = need(r, o, key, "a string", &v);

	if (rc != 0)
		return rc;
	if (!json_is_string(v))
		return rd_fail(r, 1, "\"%s\" of %s is %s (expected a string)",
			       key, r->what, type_desc(v));
	*out = json_string_value(v);
	return 0;
}

/* The string interned in the trace. */
static int get_str(struct rd *r, json_t *o, const char *key, const char **out)
{
	int rc = get_raw(r, o, key, out);

	if (rc == 0 && (*out = trace_intern(r->t, *out)) == NULL)
		rc = -ENOMEM;
	return rc;
}

/* {"en": ..., "zh": ...} */
static int get_pair(struct rd *r, json_t *o, const char *key, const char *out[2])
{
	json_t *v;
	int rc = need(r, o, key, "an object {\"en\":...,\"zh\":...}", &v);

	if (rc != 0)
		return rc;
	if (!json_is_object(v))
		return rd_fail(r, 1, "\"%s\" of %s is %s (expected an object "
			       "{\"en\":...,\"zh\":...})", key, r->what, type_desc(v));
	rc = get_str(r, v, "en", &out[0]);
	return rc != 0 ? rc : get_str(r, v, "zh", &out[1]);
}

/* A string that must be one of a table's names. */
static int get_choice(struct rd *r, json_t *o, const char *key,
		      int (*from)(const char *), const char *expect, int *out)
{
	const char *s;
	char buf[48];
	int rc = get_raw(r, o, key, &s);

	if (rc != 0)
		return rc;
	if ((*out = from(s)) < 0)
		return rd_fail(r, 1, "\"%s\" of %s is '%s' (expected %s)", key,
			       r->what, shown(s, buf, sizeof buf), expect);
	return 0;
}

/* ---- event fields shared by several kinds ---- */

static int edge_from(const char *s)
{
	return strcmp(s, "begin") == 0 ? 0 : strcmp(s, "end") == 0 ? 1 : -1;
}

static int rd_edge(struct rd *r, json_t *o, struct trace_ev *ev)
{
	int end = 0;
	int rc = get_choice(r, o, "edge", edge_from, "begin or end", &end);

	if (rc == 0 && end)
		ev->flags |= TRACE_F_END;
	return rc;
}

static int rd_call(struct rd *r, json_t *o, struct trace_ev *ev)
{
	char list[256], expect[280];
	int call = 0, rc;

	names_list(list, sizeof list, trace_call_name, TRACE_CALL_MAX);
	snprintf(expect, sizeof expect, "one of: %s", list);
	rc = get_choice(r, o, "call", trace_call_from, expect, &call);
	ev->call = (uint16_t)call;
	return rc;
}

static int rd_fd(struct rd *r, json_t *o, struct trace_ev *ev)
{
	int64_t v = 0;
	int rc = get_int(r, o, "fd", INT32_MIN, INT32_MAX, &v);

	ev->fd = (int32_t)v;
	return rc;
}

static int rd_step(struct rd *r, json_t *o, struct trace_ev *ev)
{
	int64_t v = 0;
	int rc = opt_int(r, o, "step", 0, INT32_MAX, -1, &v);

	ev->step = (int32_t)v;
	return rc;
}

static int rd_try(struct rd *r, json_t *o, struct trace_ev *ev)
{
	int64_t v = 0;
	int rc = opt_int(r, o, "try", 0, UINT32_MAX, 0, &v);

	ev->count = (uint32_t)v;
	return rc;
}


/* ---- one function per kind, in the order FORMAT.md lists them ---- */

static int rd_enter(struct rd *r, json_t *o, struct trace_ev *ev)
{
	int rc = rd_call(r, o, ev);

	return rc != 0 ? rc : rd_fd(r, o, ev);
}

static int rd_exit(struct rd *r, json_t *o, struct trace_ev *ev)
{
	int err = 0, rc = rd_enter(r, o, ev);

	if (rc == 0)
		rc = get_int(r, o, "ret", INT64_MIN, INT64_MAX, &ev->ret);
	if (rc == 0)
		rc = get_int(r, o, "dur_ns", 0, INT64_MAX, &ev->dur_ns);
	if (rc == 0 && json_object_get(o, "errno") != NULL)
		rc = get_choice(r, o, "errno", trace_errno_from,
				"an errno name such as EAGAIN", &err);
	ev->err = err;
	return rc != 0 ? rc : rd_try(r, o, ev);
}

static int rd_phase(struct rd *r, json_t *o, struct trace_ev *ev)
{
	char list[128], expect[140];
	json_t *v;
	int phase = 0, rc;

	names_list(list, sizeof list, trace_phase_name, TRACE_PH_MAX);
	snprintf(expect, sizeof expect, "one of: %s", list);
	rc = get_choice(r, o, "phase", trace_phase_from, expect, &phase);
	ev->phase = (uint8_t)phase;
	if (rc == 0)
		rc = rd_edge(r, o, ev);
	if (rc == 0)
		rc = need(r, o, "blocked", "true or false", &v);
	if (rc == 0 && !json_is_boolean(v))
		rc = rd_fail(r, 1, "\"blocked\" of %s is %s (expected true or false)",
			     r->what, type_desc(v));
	if (rc == 0 && json_is_true(v))
		ev->flags |= TRACE_F_BLOCKED;
	return rc != 0 ? rc : rd_fd(r, o, ev);
}

static int rd_arrive(struct rd *r, json_t *o, struct trace_ev *ev)
{
	int rc = rd_fd(r, o, ev);

	if (rc == 0)
		rc = get_int(r, o, "bytes", INT64_MIN, INT64_MAX, &ev->ret);
	return rc != 0 ? rc : rd_step(r, o, ev);
}

static int rd_close(struct rd *r, json_t *o, struct trace_ev *ev)
{
	int rc = rd_fd(r, o, ev);

	return rc != 0 ? rc : rd_step(r, o, ev);
}

static int rd_state(struct rd *r, json_t *o, struct trace_ev *ev)
{
	const char *s;
	char buf[48];
	int64_t tid = 0, fd = -1;
	int rc = get_int(r, o, "tid", 0, INT32_MAX, &tid);

	ev->tid = (int32_t)tid;
	if (rc == 0)
		rc = get_raw(r, o, "state", &s);
	if (rc == 0 && (strlen(s) != 1 || s[0] <= ' ' || s[0] >= 0x7f))
		rc = rd_fail(r, 1, "\"state\" of %s is '%s' (expected one letter "
			     "as in /proc/PID/stat, e.g. \"S\")", r->what,
			     shown(s, buf, sizeof buf));
	if (rc == 0)
		ev->state = s[0];
	if (rc == 0)
		rc = get_str(r, o, "syscall", &ev->syscall);
	if (rc == 0)
		rc = get_str(r, o, "wchan", &ev->wchan);
	if (rc == 0)
		rc = opt_int(r, o, "fd", INT32_MIN, INT32_MAX, -1, &fd);
	ev->fd = (int32_t)fd;
	return rc;
}

static int rd_caption(struct rd *r, json_t *o, struct trace_ev *ev)
{
	int rc = get_pair(r, o, "text", ev->text);

	return rc != 0 ? rc : rd_step(r, o, ev);
}

static int rd_idle(struct rd *r, json_t *o, struct trace_ev *ev)
{
	int rc = rd_edge(r, o, ev);

	if (rc == 0 && (ev->flags & TRACE_F_END))
		rc = get_int(r, o, "dur_ns", 0, INT64_MAX, &ev->dur_ns);
	return rc != 0 ? rc : rd_try(r, o, ev);
}

static int rd_lost(struct rd *r, json_t *o, struct trace_ev *ev)
{
	int64_t v = 0;
	int rc = get_int(r, o, "count", 0, UINT32_MAX, &v);

	ev->count = (uint32_t)v;
	return rc;
}

static int rd_done(struct rd *r, json_t *o, struct trace_ev *ev)
{
	return get_int(r, o, "ret", INT64_MIN, INT64_MAX, &ev->ret);
}

/* A new kind needs a line here and one in record.c's table. */
static int (*const rd_kind[TRACE_KIND_MAX])(struct rd *, json_t *, struct trace_ev *) = {
	[TRACE_ENTER] = rd_enter, [TRACE_EXIT] = rd_exit,
	[TRACE_PHASE] = rd_phase, [TRACE_ARRIVE] = rd_arrive,
	[TRACE_CLOSE] = rd_close, [TRACE_STATE] = rd_state,
	[TRACE_CAPTION] = rd_caption, [TRACE_IDLE] = rd_idle,
	[TRACE_LOST] = rd_lost, [TRACE_DONE] = rd_done,
};

static const char *readable_kind(int k)
{
	return k > 0 && k < TRACE_KIND_MAX && rd_kind[k] ? trace_kind_name(k) : NULL;
}

/* seq, t_ns, actor and kind: what every event has. */
static int rd_common(struct rd *r, json_t *o, struct trace_ev *ev)
{
	const char *actor, *kind;
	char buf[48], list[512];
	int64_t seq = 0;
	int i, rc = get_int(r, o, "seq", 0, INT64_MAX, &seq);

	if (rc == 0)
		rc = get_int(r, o, "t_ns", 0, INT64_MAX, &ev->t_ns);
	if (rc == 0)
		rc = get_raw(r, o, "actor", &actor);
	if (rc == 0)
		rc = get_raw(r, o, "kind", &kind);
	if (rc != 0)
		return rc;
	if ((i = trace_find_actor(r->t, actor)) < 0)
		return rd_fail(r, 1, "event actor '%s' is not in the header "
			       "(expected one of its \"actors\")",
			       shown(actor, buf, sizeof buf));
	ev->actor = (uint16_t)i;
	if ((i = trace_kind_from(kind)) < 0 || readable_kind(i) == NULL)
		return rd_fail(r, 1, "event kind '%s' is unknown (expected one "
			       "of: %s)", shown(kind, buf, sizeof buf),
			       names_list(list, sizeof list, readable_kind,
					  TRACE_KIND_MAX));
	ev->kind = (uint8_t)i;
	return 0;
}

static int rd_event(struct rd *r, json_t *o)
{
	struct trace_ev ev = { .fd = -1, .step = -1 };
	int rc;

	snprintf(r->what, sizeof r->what, "the event");
	if (!json_is_object(o))
		return rd_fail(r, 1, "line is %s (expected an event object "
			       "{\"seq\":...,\"kind\":...})", type_desc(o));
	if ((rc = rd_common(r, o, &ev)) != 0)
		return rc;
	snprintf(r->what, sizeof r->what, "the \"%s\" event",
		 trace_kind_name(ev.kind));
	if ((rc = rd_kind[ev.kind](r, o, &ev)) != 0)
		return rc;
	return trace_append(r->t, &ev);
}

/* ---- the header ---- */

static int rd_actor(struct rd *r, int i, json_t *a)
{
	struct trace_hdr *h = trace_hdr(r->t);
	const char *name, *model, *label[2] = { "", "" };
	char buf[48];
	int rc;

	snprintf(r->what, sizeof r->what, "actor %d", i);
	if (!json_is_object(a))
		return rd_fail(r, 1, "actor %d is %s (expected an object with "
			       "\"name\" and \"model\")", i, type_desc(a));
	rc = get_str(r, a, "name", &name);
	if (rc == 0)
		rc = get_str(r, a, "model", &model);
	if (rc == 0 && json_object_get(a, "label") != NULL)
		rc = get_pair(r, a, "label", label);
	if (rc != 0)
		return rc;
	if (i == 0 && strcmp(name, "world") != 0)
		return rd_fail(r, 1, "the first actor is '%s' (expected \"world\")",
			       shown(name, buf, sizeof buf));
	if (i == 0) {
		h->actors[0] = (struct trace_actor){ name, model, { label[0], label[1] } };
		return 0;
	}
	if (name[0] == '\0' || trace_find_actor(r->t, name) >= 0)
		return rd_fail(r, 1, "actor %d is named '%s' (expected a unique, "
			       "non-empty name)", i, shown(name, buf, sizeof buf));
	rc = trace_add_actor(r->t, name, model, label[0], label[1]);
	return rc < 0 ? rc : 0;
}

static int rd_actors(struct rd *r, json_t *o)
{
	json_t *a;
	size_t n;
	int rc = need(r, o, "actors", "an array of actors", &a);

	if (rc != 0)
		return rc;
	if (!json_is_array(a))
		return rd_fail(r, 1, "\"actors\" of the header is %s (expected an "
			       "array of actors)", type_desc(a));
	n = json_array_size(a);
	if (n < 1 || n > TRACE_MAX_ACTORS)
		return rd_fail(r, 1, "\"actors\" has %zu entries (expected 1 to %d, "
			       "\"world\" first)", n, TRACE_MAX_ACTORS);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = rd_actor(r, (int)i, json_array_get(a, i));
	return rc;
}

static int rd_version(struct rd *r, json_t *o)
{
	json_t *v = json_object_get(o, "format");
	int64_t version = 0;
	int rc;

	if (!json_is_string(v) || strcmp(json_string_value(v), TRACE_FORMAT) != 0)
		return rd_fail(r, 1, "not an ioscope trace (expected \"format\":"
			       "\"%s\" in the first line)", TRACE_FORMAT);
	if ((rc = get_int(r, o, "version", 1, INT64_MAX, &version)) != 0)
		return rc;
	if (version > TRACE_VERSION)
		return rd_fail(r, 1, "trace version %lld is newer than this ioscope "
			       "understands (%d)", (long long)version, TRACE_VERSION);
	return 0;
}

static int rd_header(struct rd *r, json_t *o)
{
	struct trace_hdr *h = trace_hdr(r->t);
	json_t *v;
	int rc;

	snprintf(r->what, sizeof r->what, "the header");
	if (!json_is_object(o))
		return rd_fail(r, 1, "the first line is %s (expected the header "
			       "{\"format\":\"%s\",...})", type_desc(o), TRACE_FORMAT);
	if ((rc = rd_version(r, o)) != 0)
		return rc;
	rc = get_str(r, o, "scenario", &h->scenario);
	if (rc == 0)
		rc = get_str(r, o, "kernel", &h->kernel);
	if (rc == 0)
		rc = get_str(r, o, "started", &h->started);
	if (rc != 0)
		return rc;
	if ((v = json_object_get(o, "speed")) != NULL && !json_is_number(v))
		return rd_fail(r, 1, "\"speed\" of the header is %s (expected a "
			       "number above 0)", type_desc(v));
	if (v != NULL && !(json_number_value(v) > 0))
		return rd_fail(r, 1, "\"speed\" of the header is %g (expected a "
			       "number above 0)", json_number_value(v));
	h->speed = v != NULL ? json_number_value(v) : 1.0;
	return rd_actors(r, o);
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
		return rd_fail(r, 1, "blank line (expected %s)", expect);
	o = nul != NULL ? NULL : json_loadb(s, n, JSON_REJECT_DUPLICATES, &e);
	if (o == NULL && last && r->line > 1) {
		(*skipped)++;    /* cut short by a recorder that was killed */
		return 0;
	}
	if (nul != NULL)
		return rd_fail(r, (int)(nul - s) + 1, "NUL byte (expected text, "
			       "one JSON object per line; is this a binary file?)");
	if (o == NULL)
		return rd_fail(r, e.column, "invalid JSON: %s (expected %s)",
			       shown(e.text, buf, sizeof buf), expect);
	rc = r->line == 1 ? rd_header(r, o) : rd_event(r, o);
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

/* Grow buf to hold more than n bytes. */
static int grow(char **buf, size_t *cap, size_t n)
{
	char *nb;

	if (*buf != NULL && n < *cap)
		return 0;
	if (n > TRACE_MAX_FILE)
		return -EFBIG;
	if (*buf != NULL)
		*cap *= 2;
	if ((nb = realloc(*buf, *cap)) == NULL)
		return -ENOMEM;
	*buf = nb;
	return 0;
}

static int read_all(int fd, char **out, size_t *len)
{
	struct stat st;
	size_t cap = 65536, n = 0;
	char *buf = NULL;
	ssize_t got = 1;
	int rc = 0;

	if (fstat(fd, &st) != 0)
		return -errno;
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > TRACE_MAX_FILE)
		return -EFBIG;
	if (S_ISREG(st.st_mode))
		cap = (size_t)st.st_size + 1;    /* one read, then EOF */
	while (got != 0 && (rc = grow(&buf, &cap, n)) == 0) {
		got = read(fd, buf + n, cap - n);
		if (got < 0 && errno != EINTR) {
			rc = -errno;
			break;
		}
		n += got > 0 ? (size_t)got : 0;
	}
	if (rc == 0 && n > TRACE_MAX_FILE)
		rc = -EFBIG;
	if (rc != 0) {
		free(buf);
		return rc;
	}
	*out = buf;
	*len = n;
	return 0;
}

int trace_read(const char *path, struct trace **out, size_t *skipped,
	       char *cause, size_t causelen)
{
	char *buf = NULL;
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0) {
		rc = -errno;
		return cause_set(cause, causelen, rc, "%s: cannot open: %s",
				 path, strerror(-rc));
	}
	rc = read_all(fd, &buf, &len);
	close(fd);
	if (rc == -EFBIG)
		return cause_set(cause, causelen, rc, "%s: file is larger than "
				 "%u MiB (expected a trace within the limit)",
				 path, TRACE_MAX_FILE >> 20);
	if (rc != 0)
		return cause_set(cause, causelen, rc, "%s: cannot read: %s",
				 path, strerror(-rc));
	rc = trace_read_mem(path, buf, len, out, skipped, cause, causelen);
	free(buf);
	return rc;
}
