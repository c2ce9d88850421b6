/* read_hdr.c: the header line of a trace (trace/FORMAT.md, "The header"):
 * its version, scenario, kernel, start, speed, the actors known when the
 * run began (with their capabilities) and the scenario's captions for the
 * run's model.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "trace/read_int.h"
#include "trace/trace.h"

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

int trace__rd_header(struct rd *r, json_t *o)
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
