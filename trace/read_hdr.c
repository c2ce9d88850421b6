/* read_hdr.c: the header line of a trace (trace/FORMAT.md, "The header"):
 * its version, scenario, kernel, start, speed, the actors known when the
 * run began (with their capabilities) and the scenario's captions for the
 * run's model.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "trace/read_int.h"
#include "trace/trace.h"

static int rd_actor(struct rd *r, int i, struct jv *a)
{
	struct trace_hdr *h = trace_hdr(r->t);
	const char *name, *model, *label[2] = { "", "" }, *script = "";
	unsigned caps = 0;
	char buf[48];
	int rc;

	snprintf(r->what, sizeof r->what, "actor %d", i);
	if (!jv_is(a, JV_OBJ))
		return trace__fail(r, 1, "actor %d is %s (expected an object with "
				   "\"name\" and \"model\")", i, trace__type_desc(a));
	rc = trace__get_str(r, a, "name", &name);
	if (rc == 0)
		rc = trace__get_str(r, a, "model", &model);
	if (rc == 0 && jv_get(a, "label") != NULL)
		rc = trace__get_pair(r, a, "label", false, label);
	if (rc == 0 && jv_get(a, "script") != NULL)
		rc = trace__get_str(r, a, "script", &script);
	if (rc == 0 && r->version >= 2)
		rc = trace__get_caps(r, jv_get(a, "caps"), &caps);
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

static int rd_actors(struct rd *r, struct jv *o)
{
	struct jv *a;
	size_t n;
	int rc = trace__need(r, o, "actors", "an array of actors", &a);

	if (rc != 0)
		return rc;
	if (!jv_is(a, JV_ARR))
		return trace__fail(r, 1, "\"actors\" of the header is %s (expected an "
				   "array of actors)", trace__type_desc(a));
	n = a->n;
	if (n < 1 || n > TRACE_MAX_ACTORS)
		return trace__fail(r, 1, "\"actors\" has %zu entries (expected 1 to %d, "
				   "\"world\" first)", n, TRACE_MAX_ACTORS);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = rd_actor(r, (int)i, &a->kid[i]);
	return rc;
}

/* "captions": the scenario's own captions for this run's model. */
static int rd_caption(struct rd *r, int i, struct jv *c)
{
	struct trace_hdr *h = trace_hdr(r->t);
	struct trace_caption *k = &h->captions[i];
	int64_t step;
	int rc;

	snprintf(r->what, sizeof r->what, "caption %d of the header", i);
	if (!jv_is(c, JV_OBJ))
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

static int rd_captions(struct rd *r, struct jv *o)
{
	struct jv *a = jv_get(o, "captions");
	size_t n;
	int rc = 0;

	if (a == NULL)
		return 0;
	if (!jv_is(a, JV_ARR))
		return trace__fail(r, 1, "\"captions\" of the header is %s (expected an "
				   "array of captions)", trace__type_desc(a));
	n = a->n;
	if (n > TRACE_MAX_CAST_CAPTIONS)
		return trace__fail(r, 1, "\"captions\" has %zu entries (expected at "
				   "most %d)", n, TRACE_MAX_CAST_CAPTIONS);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = rd_caption(r, (int)i, &a->kid[i]);
	return rc;
}

/* As json_number_value: an integer as a double. */
static double jv_number(const struct jv *v)
{
	return v->type == JV_INT ? (double)v->i : v->d;
}

static int rd_version(struct rd *r, struct jv *o)
{
	struct jv *v = jv_get(o, "format");
	int64_t version = 0;
	int rc;

	if (!jv_is(v, JV_STR) || strcmp(v->s, TRACE_FORMAT) != 0)
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

/* A traced program's (FORMAT.md, "Traced programs"), each optional: the
 * command (at most TRACE_MAX_COMMAND bytes), the pid attached to (0:
 * ioscope started it) and the tracer's cost per call it stops. */
static int rd_attach(struct rd *r, struct jv *o)
{
	struct trace_hdr *h = trace_hdr(r->t);
	int64_t pid = 0, ns = 0;
	const char *command;
	int rc;

	if (jv_get(o, "command") != NULL) {
		if ((rc = trace__get_raw(r, o, "command", &command)) != 0)
			return rc;
		if (strlen(command) > TRACE_MAX_COMMAND)
			return trace__fail(r, 1, "\"command\" of the header is %zu bytes long "
					   "(expected at most %d)", strlen(command),
					   TRACE_MAX_COMMAND);
		if ((h->command = trace_intern(r->t, command)) == NULL)
			return trace_full(r->t) ? -EFBIG : -ENOMEM;
	}
	rc = trace__opt_int(r, o, "pid", 0, TRACE_MAX_PID, 0, &pid);
	if (rc == 0)
		rc = trace__opt_int(r, o, "overhead_ns", 0, TRACE_MAX_OVERHEAD_NS, 0, &ns);
	h->attach_pid = (int)pid;
	h->overhead_ns = ns;
	return rc;
}

int trace__rd_header(struct rd *r, struct jv *o)
{
	struct trace_hdr *h = trace_hdr(r->t);
	struct jv *v;
	int rc;

	snprintf(r->what, sizeof r->what, "the header");
	if (!jv_is(o, JV_OBJ))
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
	if ((v = jv_get(o, "speed")) != NULL && !jv_is_number(v))
		return trace__fail(r, 1, "\"speed\" of the header is %s (expected a "
				   "number above 0)", trace__type_desc(v));
	if (v != NULL && !(jv_number(v) > 0))
		return trace__fail(r, 1, "\"speed\" of the header is %g (expected a "
				   "number above 0)", jv_number(v));
	h->speed = v != NULL ? jv_number(v) : 1.0;
	if ((rc = rd_attach(r, o)) != 0)
		return rc;
	if ((rc = rd_actors(r, o)) != 0)
		return rc;
	return rd_captions(r, o);
}
