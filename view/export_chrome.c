/* export_chrome.c: a trace as Chrome trace event JSON, which ui.perfetto.dev
 * and chrome://tracing open.
 *
 * The events are first turned into records (a span per enter/exit,
 * phase, idle or submit/complete pair, an instant for the rest), then
 * given tracks, then nested, then written sorted by time.  Times are µs
 * with the ns as three decimals: the format's unit is µs whatever
 * displayTimeUnit says (Perfetto follows the spec there since 2022).
 * trace/FORMAT.md ("Exports") describes the tracks and why they are so.
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

static void put(FILE *out, json_t *o, bool *first)
{
	if (!*first)
		fputs(",\n", out);
	*first = false;
	json_dumpf(o, out, DUMP_FLAGS);
	json_decref(o);
}

static void put_meta(struct chrome *c, FILE *out, bool *first, const char *what, int tid,
		     json_t *args)
{
	json_t *o = json_object();

	export__set_str(c, o, "name", what);
	export__set_str(c, o, "ph", "M");
	export__set_int(c, o, "pid", PID);
	if (tid >= 0)
		export__set_int(c, o, "tid", tid);
	export__set(c, o, "args", args);
	put(out, o, first);
}

static void put_track(struct chrome *c, FILE *out, bool *first, int tid, int sort,
		      const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void put_track(struct chrome *c, FILE *out, bool *first, int tid, int sort,
		      const char *fmt, ...)
{
	char name[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof name, fmt, ap);
	va_end(ap);
	file_cause_cut(name, sizeof name);      /* never half a character */
	put_meta(c, out, first, "thread_name", tid, json_pack("{s:s}", "name", name));
	put_meta(c, out, first, "thread_sort_index", tid, json_pack("{s:i}", "sort_index", sort));
}

static void put_tracks(struct chrome *c, FILE *out, bool *first)
{
	const struct trace_hdr *h = trace_hdr_c(c->t);
	char title[160];

	snprintf(title, sizeof title, "ioscope · %s", h->scenario);
	file_cause_cut(title, sizeof title);
	put_meta(c, out, first, "process_name", -1, json_pack("{s:s}", "name", title));
	put_track(c, out, first, export__tid_thread(TRACE_WORLD), 0, "world");
	for (int a = 1; a < h->nactors; a++) {
		const char *model = *h->actors[a].model ? h->actors[a].model : "client";

		put_track(c, out, first, export__tid_thread(a), a * 100, "%s (%s)", h->actors[a].name, model);
		put_track(c, out, first, export__tid_kernel(a), a * 100 + 1, "%s kernel", h->actors[a].name);
		for (int s = 0; s < c->nslots[a]; s++)
			put_track(c, out, first, export__tid_fd(c, a, s), a * 100 + 2 + s, "%s kernel fd %d",
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

static int cmp_time(const void *pa, const void *pb, void *arg)
{
	const struct rec *recs = arg, *a = &recs[*(const size_t *)pa], *b = &recs[*(const size_t *)pb];

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	if (a->end != b->end)
		return a->end > b->end ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
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

static int write_all(struct chrome *c, FILE *out)
{
	size_t *idx = malloc((c->n + 1) * sizeof *idx);
	json_t *hdr = header_json(c);
	bool first = true;

	if (idx == NULL || hdr == NULL || c->rc != 0) {
		free(idx);
		json_decref(hdr);
		return c->rc != 0 ? c->rc : -ENOMEM;
	}
	for (size_t i = 0; i < c->n; i++)
		idx[i] = i;
	qsort_r(idx, c->n, sizeof *idx, cmp_time, c->recs);
	fputs("{\"traceEvents\":[\n", out);
	put_tracks(c, out, &first);
	for (size_t k = 0; k < c->n; k++) {
		const struct rec *r = &c->recs[idx[k]];

		put(out, rec_json(c, r, r->ph), &first);
		if (r->ph == 'b')
			put(out, rec_json(c, r, 'e'), &first);
	}
	fputs("\n],\n\"displayTimeUnit\":\"ns\",\n\"metadata\":", out);
	json_dumpf(hdr, out, DUMP_FLAGS);
	fputs("}\n", out);
	json_decref(hdr);
	free(idx);
	return c->rc != 0 ? c->rc : export__flush(out);
}

int export_chrome(const struct trace *t, FILE *out)
{
	struct chrome *c;
	int rc;

	if (export__check(t) != 0)
		return -EINVAL;
	if ((c = calloc(1, sizeof *c)) == NULL)
		return -ENOMEM;
	c->t = t;
	c->fd_tid0 = export__fd_tid0(trace_hdr_c(t)->nactors);
	c->nslots = calloc((size_t)trace_hdr_c(t)->nactors, sizeof *c->nslots);
	c->slot_fd = calloc((size_t)trace_hdr_c(t)->nactors, sizeof *c->slot_fd);
	if (c->nslots == NULL || c->slot_fd == NULL)
		c->rc = -ENOMEM;
	for (size_t i = 0; i < trace_count(t) && c->rc == 0; i++) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->t_ns > c->last_t)
			c->last_t = ev->t_ns;
		export__on_event(c, ev);
	}
	/* Begins never ended (a run stopped while waiting) end with the trace. */
	for (size_t i = 0; i < c->nopen && c->rc == 0; i++)
		export__unfinished(c, c->open[i].rec, c->last_t);
	if (c->rc == 0)
		export__place_all_phases(c);
	if (c->rc == 0)
		export__nest(c);
	rc = c->rc != 0 ? c->rc : write_all(c, out);
	for (size_t i = 0; i < c->n; i++) {
		json_decref(c->recs[i].args);
		json_decref(c->recs[i].end_args);
	}
	free(c->recs);
	free(c->open);
	free(c->nslots);
	free(c->slot_fd);
	free(c);
	return rc;
}
