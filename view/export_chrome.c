/* export_chrome.c: a trace as Chrome trace event JSON, which ui.perfetto.dev
 * and chrome://tracing open.
 *
 * A first pass chooses the phases' tracks (export_chrome_place.c); the
 * second turns the events into records (a span per enter/exit, phase,
 * idle or submit/complete pair, an instant for the rest) and writes each
 * as soon as it is final: instants at once, spans when they end and can
 * be nested (export_chrome_track.c).  So the events come out in that
 * order, not sorted by time; viewers sort them.  Times are µs with the ns
 * as three decimals: the format's unit is µs whatever displayTimeUnit
 * says (Perfetto follows the spec there since 2022).  trace/FORMAT.md
 * ("Exports") describes the tracks and why they are so.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "trace/file.h"
#include "view/export_chrome_int.h"

#define PID 1
#define DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

/* ---- writing ---- */

static json_t *ts_json(int64_t ns)
{
	return json_real((double)ns / 1000.0);
}

/* Writes s; the first failure sticks in c->rc. */
static void put_text(struct chrome *c, const char *s)
{
	if (c->rc == 0 && fputs(s, c->out) == EOF)
		c->rc = export__write_failed(c->out);
}

/* Writes o as one event of the array, and releases it. */
static void put(struct chrome *c, json_t *o)
{
	size_t len = o != NULL ? json_dumpb(o, c->buf, c->capbuf, DUMP_FLAGS) : 0;

	if (o == NULL && c->rc == 0)
		c->rc = -ENOMEM;
	if (len > c->capbuf && c->rc == 0) {          /* too long for the buffer: grow */
		char *buf = export__grow(c->buf, &c->capbuf, len, 1);

		if (buf == NULL) {
			c->rc = -ENOMEM;
		} else {
			c->buf = buf;
			len = json_dumpb(o, c->buf, c->capbuf, DUMP_FLAGS);
		}
	}
	if (len == 0 && c->rc == 0)
		c->rc = -ENOMEM;
	put_text(c, c->first ? "" : ",\n");
	c->first = false;
	if (c->rc == 0 && fwrite(c->buf, 1, len, c->out) != len)
		c->rc = export__write_failed(c->out);
	json_decref(o);
}

static void put_meta(struct chrome *c, const char *what, int tid, json_t *args)
{
	json_t *o = json_object();

	export__set_str(c, o, "name", what);
	export__set_str(c, o, "ph", "M");
	export__set_int(c, o, "pid", PID);
	if (tid >= 0)
		export__set_int(c, o, "tid", tid);
	export__set(c, o, "args", args);
	put(c, o);
}

static void put_track(struct chrome *c, int tid, int sort, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void put_track(struct chrome *c, int tid, int sort, const char *fmt, ...)
{
	char name[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof name, fmt, ap);
	va_end(ap);
	file_cause_cut(name, sizeof name);      /* never half a character */
	put_meta(c, "thread_name", tid, json_pack("{s:s}", "name", name));
	put_meta(c, "thread_sort_index", tid, json_pack("{s:i}", "sort_index", sort));
}

static void put_tracks(struct chrome *c)
{
	const struct trace_hdr *h = trace_hdr_c(c->t);
	char title[160];

	if (h->command != NULL)          /* a traced program */
		snprintf(title, sizeof title, "ioscope · attach: %s", h->command);
	else
		snprintf(title, sizeof title, "ioscope · %s", h->scenario);
	file_cause_cut(title, sizeof title);
	put_meta(c, "process_name", -1, json_pack("{s:s}", "name", title));
	put_track(c, export__tid_thread(TRACE_WORLD), 0, "world");
	for (int a = 1; a < h->nactors; a++) {
		const char *model = *h->actors[a].model ? h->actors[a].model : "client";

		if (!*h->actors[a].model && h->actors[a].announced)    /* not classified yet */
			put_track(c, export__tid_thread(a), a * 100, "%s", h->actors[a].name);
		else
			put_track(c, export__tid_thread(a), a * 100, "%s (%s)", h->actors[a].name,
				  model);
		put_track(c, export__tid_kernel(a), a * 100 + 1, "%s kernel", h->actors[a].name);
		for (int s = 0; s < c->nslots[a]; s++)
			put_track(c, export__tid_fd(c, a, s), a * 100 + 2 + s, "%s kernel fd %d",
				  h->actors[a].name, c->slot_fd[a][s]);
	}
}

static json_t *rec_json(struct chrome *c, const struct rec *r, char ph)
{
	json_t *o = json_object();
	char phs[2] = { ph, '\0' };

	export__set_str(c, o, "name", r->name);
	export__set_str(c, o, "cat", r->cat);
	export__set_str(c, o, "ph", phs);
	export__set(c, o, "ts", ts_json(ph == 'e' ? r->end : r->ts));
	if (ph == 'X')
		export__set(c, o, "dur", ts_json(r->end - r->ts));
	export__set_int(c, o, "pid", PID);
	/* a counter ('C') is the process's, keyed by its name: no tid */
	if (ph != 'C')
		export__set_int(c, o, "tid", r->tid);
	if (ph == 'i')
		export__set_str(c, o, "s", "t");
	if (ph == 'b' || ph == 'e')
		export__set_int(c, o, "id", (int64_t)r->id);
	if (ph != 'e')
		export__set(c, o, "args", json_incref(r->args));
	else if (r->end_args != NULL)
		export__set(c, o, "args", json_incref(r->end_args));
	return o;
}

void export__put_rec(struct chrome *c, const struct rec *r, char ph)
{
	put(c, rec_json(c, r, ph));
}

static json_t *header_json(struct chrome *c)
{
	const struct trace_hdr *h = trace_hdr_c(c->t);
	json_t *o = json_object(), *actors = json_array();

	export__set_str(c, o, "format", TRACE_FORMAT);
	export__set_int(c, o, "version", TRACE_VERSION);
	export__set_str(c, o, "scenario", h->scenario);
	export__set_str(c, o, "kernel", h->kernel);
	export__set_str(c, o, "started", h->started);
	export__set(c, o, "speed", json_real(h->speed));
	if (h->command != NULL) {        /* a traced program's */
		export__set_str(c, o, "command", h->command);
		export__set_int(c, o, "pid", h->attach_pid);
		export__set_int(c, o, "overhead_ns", h->overhead_ns);
	}
	for (int a = 0; actors != NULL && a < h->nactors; a++) {
		json_t *x = json_object(), *label = json_object();

		export__set_str(c, x, "name", h->actors[a].name);
		export__set_str(c, x, "model", h->actors[a].model);
		export__set_str(c, label, "en", h->actors[a].label[0]);
		export__set_str(c, label, "zh", h->actors[a].label[1]);
		export__set(c, x, "label", label);
		if (h->actors[a].announced)     /* it appeared during the run */
			export__set(c, x, "announced", json_true());
		if (h->actors[a].parent >= 0 && h->actors[a].parent < h->nactors)
			export__set_str(c, x, "parent", h->actors[h->actors[a].parent].name);
		if (x == NULL || json_array_append_new(actors, x) != 0)
			c->rc = -ENOMEM;
	}
	export__set(c, o, "actors", actors);
	export__set_int(c, o, "events", (int64_t)trace_count(c->t));
	export__set_int(c, o, "unfinished_spans", (int64_t)c->unfinished);
	export__set_int(c, o, "moved_spans", (int64_t)c->moved);
	return o;
}

/* The document's end: the header and the counts, once every event is out. */
static void put_end(struct chrome *c)
{
	json_t *hdr = header_json(c);

	put_text(c, "\n],\n\"displayTimeUnit\":\"ns\",\n\"metadata\":");
	if (hdr == NULL && c->rc == 0)
		c->rc = -ENOMEM;
	if (c->rc == 0 && json_dumpf(hdr, c->out, DUMP_FLAGS) != 0)
		c->rc = export__write_failed(c->out);
	put_text(c, "}\n");
	json_decref(hdr);
}

static int chrome_init(struct chrome *c, const struct trace *t, FILE *out)
{
	int nactors = trace_hdr_c(t)->nactors;

	c->t = t;
	c->out = out;
	c->first = true;
	c->fd_tid0 = export__fd_tid0(nactors);
	c->nslots = calloc((size_t)nactors, sizeof *c->nslots);
	c->slot_fd = calloc((size_t)nactors, sizeof *c->slot_fd);
	c->lanes = calloc((size_t)nactors, sizeof *c->lanes);
	if (c->nslots == NULL || c->slot_fd == NULL || c->lanes == NULL)
		return -ENOMEM;
	export__place_all_phases(c);
	for (int a = 0; a < nactors && c->rc == 0; a++)
		if (c->nslots[a] > 0 &&
		    (c->lanes[a].fd = calloc((size_t)c->nslots[a], sizeof *c->lanes[a].fd)) == NULL)
			return -ENOMEM;
	return c->rc;
}

static void chrome_free(struct chrome *c)
{
	for (size_t i = 0; i < c->n; i++) {
		json_decref(c->recs[i].args);
		json_decref(c->recs[i].end_args);
	}
	for (int a = 0; c->lanes != NULL && a < trace_hdr_c(c->t)->nactors; a++) {
		export__lane_free(&c->lanes[a].thread);
		export__lane_free(&c->lanes[a].kernel);
		for (int s = 0; c->lanes[a].fd != NULL && s < c->nslots[a]; s++)
			export__lane_free(&c->lanes[a].fd[s]);
		free(c->lanes[a].fd);
		free(c->lanes[a].open);
	}
	free(c->lanes);
	free(c->recs);
	free(c->free);
	free(c->touched);
	free(c->buf);
	free(c->nslots);
	free(c->slot_fd);
	free(c);
}

int export__chrome_stats(const struct trace *t, FILE *out, struct export_chrome_stats *st)
{
	struct chrome *c;
	int rc;

	if (export__check(t) != 0)
		return -EINVAL;
	if ((c = calloc(1, sizeof *c)) == NULL)
		return -ENOMEM;
	if ((rc = chrome_init(c, t, out)) != 0)
		goto done;
	put_text(c, "{\"traceEvents\":[\n");
	put_tracks(c);
	for (size_t i = 0; i < trace_count(t) && c->rc == 0; i++) {
		export__on_event(c, trace_at(t, i));
		export__settle(c);
	}
	export__end_all(c);
	put_end(c);
	rc = c->rc != 0 ? c->rc : export__flush(out);
done:
	if (st != NULL)
		*st = c->st;
	chrome_free(c);
	return rc;
}

int export_chrome(const struct trace *t, FILE *out)
{
	return export__chrome_stats(t, out, NULL);
}
