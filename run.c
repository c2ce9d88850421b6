/* run.c: set up a live run, play it, tear it down. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <uv.h>

#include "models/model.h"
#include "models/sampler.h"
#include "run.h"
#include "scenarios/sclock.h"
#include "scenarios/scn.h"
#include "scenarios/world.h"
#include "trace/narrate.h"
#include "trace/sink.h"

struct run {
	const struct run_opts *o;
	uv_loop_t loop;
	uv_timer_t grace;
	uv_signal_t sigint, sigterm;
	struct scn *scn;
	struct trace *trace;
	struct sink *sink;
	struct sampler *sampler;
	struct world *world;
	struct sclock clock;
	struct model_ctx models[SCN_MAX_ACTORS];
	int nmodels;
	int ndone;
	int world_ended;
	int loop_ok, clock_ok;
	int failed;               /* -errno */
	char *cause;
	size_t causelen;
	FILE *rec;
	struct narrator narr;
};

int run_model_usable(const char *name, char *cause, size_t len)
{
	const struct model_ops *m = model_find(name);
	const char *why = "";

	if (m == NULL) {
		snprintf(cause, len, "unknown model '%s' (expected one of: %s)", name, model_names());
		return -EINVAL;
	}
	if (m->available(&why) != 0) {
		snprintf(cause, len, "model '%s' cannot run here: %s", name, why);
		return -EINVAL;
	}
	return 0;
}

static void fill_header(struct run *r)
{
	struct trace_hdr *h = trace_hdr(r->trace);
	struct utsname u;
	char when[32];
	time_t now = time(NULL);

	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	h->scenario = trace_intern(r->trace, r->scn->name);
	h->kernel = trace_intern(r->trace, uname(&u) == 0 ? u.release : "unknown");
	h->started = trace_intern(r->trace, when);
	h->speed = r->o->speed;
	for (int i = 0; i < r->scn->nactors; i++) {
		const struct scn_actor *a = &r->scn->actors[i];

		trace_add_actor(r->trace, a->name, r->o->model ? r->o->model : a->model,
				a->label[0], a->label[1]);
	}
}

static void finish(struct run *r)
{
	uv_stop(&r->loop);
}

/* Every event passes here once, in order. */
static void run_listen_cb(void *arg, struct trace *t, const struct trace_ev *ev)
{
	struct run *r = arg;

	if (r->rec != NULL && trace_write_ev(r->rec, t, ev) == 0)
		fflush(r->rec);
	if (r->o->out != NULL)
		narrate_ev(&r->narr, ev);
	if (ev->kind == TRACE_DONE && ev->actor != TRACE_WORLD) {
		if (ev->ret != 0 && r->failed == 0) {
			r->failed = (int)ev->ret;
			snprintf(r->cause, r->causelen, "actor %s failed: %s",
				 trace_hdr(t)->actors[ev->actor].name, strerror((int)-ev->ret));
		}
		if (++r->ndone == r->nmodels && r->world_ended)
			finish(r);
	}
}

static void grace_cb(uv_timer_t *h)
{
	struct run *r = h->data;

	for (int i = 0; i < r->nmodels; i++)
		if (!atomic_load(&r->models[i].done) && r->failed == 0) {
			r->failed = -ETIMEDOUT;
			snprintf(r->cause, r->causelen,
				 "actor %s did not finish within %d ms of the script's end",
				 r->scn->actors[i].name, r->o->grace_ms);
		}
	finish(r);
}

static void run_world_done_cb(void *arg)
{
	struct run *r = arg;

	r->world_ended = 1;
	if (r->ndone == r->nmodels)
		finish(r);
	else
		uv_timer_start(&r->grace, grace_cb, (uint64_t)r->o->grace_ms, 0);
}

static void signal_cb(uv_signal_t *h, int signum)
{
	struct run *r = h->data;

	if (r->failed == 0) {
		r->failed = -EINTR;
		snprintf(r->cause, r->causelen, "interrupted by %s", strsignal(signum));
	}
	finish(r);
}

/* The bad-input checks, before anything is created or written. */
static int run_check(struct run *r)
{
	const struct run_opts *o = r->o;
	int rc;

	if (o->speed <= 0 || o->speed > 1000) {
		snprintf(r->cause, r->causelen, "--speed must be between 0 and 1000, got %g", o->speed);
		return -EINVAL;
	}
	if ((rc = scn_load(o->scenario, &r->scn, r->cause, r->causelen)) != 0)
		return -EINVAL;
	if (o->model != NULL)
		return run_model_usable(o->model, r->cause, r->causelen);
	if (scn_check_models(r->scn, model_known, model_names(), r->cause, r->causelen) != 0)
		return -EINVAL;
	for (int i = 0; i < r->scn->nactors; i++) {
		char why[256];

		if (run_model_usable(r->scn->actors[i].model, why, sizeof why) != 0) {
			snprintf(r->cause, r->causelen, "%s:%d:%d: %s", r->scn->path,
				 r->scn->actors[i].line, r->scn->actors[i].model_col, why);
			return -EINVAL;
		}
	}
	return 0;
}

static int open_record(struct run *r)
{
	if (r->o->record == NULL)
		return 0;
	r->rec = fopen(r->o->record, "w");
	if (r->rec == NULL) {
		int err = errno;

		snprintf(r->cause, r->causelen, "%s: cannot write: %s", r->o->record, strerror(err));
		return -EINVAL;
	}
	return trace_write_hdr(r->rec, r->trace);
}

static int start_models(struct run *r)
{
	for (int i = 0; i < r->scn->nactors; i++) {
		struct model_ctx *c = &r->models[i];
		const char *name = r->o->model ? r->o->model : r->scn->actors[i].model;
		int rc;

		c->actor = i + 1;
		c->fds = world_fds(r->world, i, &c->nfds);
		c->every_ns = r->scn->actors[i].every_ns;
		c->clock = &r->clock;
		c->probe.sink = r->sink;
		c->probe.actor = c->actor;
		if ((c->probe.ring = sink_ring_new(r->sink, c->actor)) == NULL)
			return -ENOMEM;
		if ((rc = sampler_watch(r->sampler, c->actor, &c->tid)) != 0)
			return rc;
		if ((rc = model_start(c, model_find(name))) != 0)
			return rc;
		r->nmodels++;
	}
	return 0;
}

static int run_setup(struct run *r)
{
	int rc;

	if ((rc = uv_loop_init(&r->loop)) != 0)
		return rc;
	r->loop_ok = 1;
	uv_timer_init(&r->loop, &r->grace);
	r->grace.data = r;
	uv_signal_init(&r->loop, &r->sigint);
	uv_signal_init(&r->loop, &r->sigterm);
	r->sigint.data = r->sigterm.data = r;
	uv_signal_start(&r->sigint, signal_cb, SIGINT);
	uv_signal_start(&r->sigterm, signal_cb, SIGTERM);
	if ((r->trace = trace_new()) == NULL)
		return -ENOMEM;
	fill_header(r);
	if ((rc = open_record(r)) != 0)
		return rc;
	if ((rc = sclock_init(&r->clock, r->o->speed)) != 0)
		return rc;
	r->clock_ok = 1;
	trace_epoch_set(trace_mono_ns());
	if ((rc = sink_new(&r->loop, r->trace, &r->sink)) != 0)
		return rc;
	if ((rc = sink_listen(r->sink, run_listen_cb, r)) != 0)
		return rc;
	if ((rc = sampler_new(&r->loop, r->sink, &r->sampler)) != 0)
		return rc;
	if ((rc = world_new(&r->loop, r->scn, &r->clock, r->sink, 1, &r->world)) != 0)
		return rc;
	if (r->o->out != NULL)
		narrate_begin(&r->narr, r->o->out, r->trace, r->o->lang);
	return 0;
}

static void close_cb(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

/* Stop models (even blocked ones), drain, close every handle and fd. */
static void run_teardown(struct run *r)
{
	for (int i = 0; i < r->nmodels; i++)
		if (model_stop(&r->models[i], 1000) != 0 && r->failed == 0) {
			r->failed = -ETIMEDOUT;
			snprintf(r->cause, r->causelen, "actor %s would not stop",
				 r->scn->actors[i].name);
		}
	if (r->sink != NULL)
		sink_close(r->sink);
	sampler_close(r->sampler);
	world_close(r->world);
	if (r->loop_ok) {
		uv_walk(&r->loop, close_cb, NULL);
		uv_run(&r->loop, UV_RUN_DEFAULT);
		uv_loop_close(&r->loop);
	}
	if (r->o->out != NULL && r->sink != NULL && r->world != NULL)
		narrate_end(&r->narr);
	if (r->rec != NULL)
		fclose(r->rec);
	world_free(r->world);
	sampler_free(r->sampler);
	sink_free(r->sink);
	trace_free(r->trace);
	if (r->clock_ok)
		sclock_destroy(&r->clock);
	scn_free(r->scn);
}

int run_scenario(const struct run_opts *o, char *cause, size_t len)
{
	struct run *r = calloc(1, sizeof *r);
	int rc;

	if (r == NULL)
		return -ENOMEM;
	r->o = o;
	r->cause = cause;
	r->causelen = len;
	rc = run_check(r);
	if (rc == 0 && (rc = run_setup(r)) == 0) {
		if ((rc = start_models(r)) == 0) {
			sclock_play(&r->clock);
			rc = world_start(r->world, run_world_done_cb, r);
		}
		if (rc == 0)
			uv_run(&r->loop, UV_RUN_DEFAULT);
		else
			snprintf(cause, len, "could not start the run: %s", strerror(-rc));
	} else if (rc != -EINVAL && r->cause[0] == '\0') {
		snprintf(cause, len, "could not set up the run: %s", strerror(-rc));
	}
	run_teardown(r);
	if (rc == 0)
		rc = r->failed;
	free(r);
	return rc;
}
