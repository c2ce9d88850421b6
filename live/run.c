/* run.c: set up a live run, play it, tear it down. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "models/model.h"
#include "models/sampler.h"
#include "live/recorder.h"
#include "live/run.h"
#include "live/run_attach.h"
#include "trace/sclock.h"
#include "scenarios/scn.h"
#include "scenarios/world.h"
#include "view/narrate.h"
#include "trace/outfile.h"
#include "trace/sink.h"

/* A thread a model started and announced (its TRACE_ACTOR begin): run_quiet
 * asks the kernel about it too, until its end. */
struct run_thread {
	int actor;
	pid_t tid, pid;
};

struct run {
	struct run_opts opts;
	const struct run_opts *o;
	uv_loop_t *loop;
	uv_timer_t grace;
	struct scn *scn;
	struct trace *trace;
	struct sink *sink;
	struct sampler *sampler;
	struct world *world;
	struct sclock clock;
	struct model_ctx models[SCN_MAX_ACTORS];
	int nmodels;
	int nreaders;             /* models that end by themselves (not servers) */
	struct run_thread *threads;  /* announced and not ended, in no order */
	int nthreads, cap_threads;
	int ndone;
	int world_ended;
	int grace_ok, clock_ok;
	int started, ended;
	int closing;              /* in run_close */
	int failed;               /* -errno */
	char cause[512];
	size_t causelen;
	struct outfile rec;       /* --record; rec.f NULL when none */
	struct recorder recorder; /* writes rec.f in batches */
	int rec_err, out_err;     /* the recording's, the narration's write error */
	struct narrator narr;
	int narr_ok;              /* narrate_begin ran */
	struct run_attach *att;   /* attach: the program traced, or NULL */
};

static void record_ev(struct run *r, struct trace *t, const struct trace_ev *ev);
static void run_sink_fail_cb(void *arg, int err);
static void narrate_out(struct run *r, const struct trace_ev *ev);

static int actor_error(struct run *r, const struct scn_actor *a, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(r->cause, r->causelen, "%s:%d:%d: %s", r->scn->path, a->line,
		 r->o->model ? a->col : a->model_col, msg);
	return -EINVAL;
}

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
		const char *model = r->o->model ? r->o->model : a->model;
		const struct model_ops *m = model_find(model);
		int k = trace_add_actor(r->trace, a->name, model, m ? m->caps : 0,
					a->label[0], a->label[1]);

		if (k > 0 && r->o->model != NULL)      /* captions describe a->model */
			narrate_recast(r->trace, k, a->model);
	}
	for (int i = 0; i < r->scn->nactions && r->o->model != NULL; i++) {
		const struct scn_variant *v = scn_variant_for(&r->scn->actions[i], r->o->model);

		if (v != NULL)          /* the scenario's own words for this model */
			narrate_cast_caption(r->trace, i, v->model, v->text[0], v->text[1]);
	}
	/* The clients the world plays are actors too, with no model. */
	for (int i = 0; i < r->scn->nclients; i++)
		trace_add_actor(r->trace, r->scn->clients[i], "", 0, "", "");
}

static void finish(struct run *r)
{
	if (r->ended || r->closing)
		return;
	r->ended = 1;
	if (r->o->on_end != NULL)
		r->o->on_end(r->o->on_end_arg);
}

/* An announced actor begins or ends.  Out of memory, the run fails as
 * when the trace is full: it cannot tell when it is quiet any more. */
static void note_thread(struct run *r, const struct trace_ev *ev)
{
	struct run_thread *nt;
	int i;

	for (i = 0; i < r->nthreads && r->threads[i].actor != ev->actor; i++)
		;
	if (ev->flags & TRACE_F_END) {
		if (i < r->nthreads)
			r->threads[i] = r->threads[--r->nthreads];
		return;
	}
	if (i < r->nthreads || ev->tid <= 0)
		return;
	if (r->nthreads == r->cap_threads) {
		int cap = r->cap_threads > 0 ? 2 * r->cap_threads : 16;

		if ((nt = realloc(r->threads, (size_t)cap * sizeof *nt)) == NULL) {
			run_sink_fail_cb(r, -ENOMEM);
			return;
		}
		r->threads = nt;
		r->cap_threads = cap;
	}
	r->threads[r->nthreads++] = (struct run_thread){ ev->actor, ev->tid, ev->pid };
}

/* Every event passes here once, in order. */
static void run_listen_cb(void *arg, struct trace *t, const struct trace_ev *ev)
{
	struct run *r = arg;

	record_ev(r, t, ev);
	narrate_out(r, ev);
	if (ev->kind == TRACE_ACTOR)
		note_thread(r, ev);
	if (ev->kind == TRACE_DONE && ev->actor != TRACE_WORLD) {
		if (ev->ret != 0 && ev->ret != -ECANCELED && r->failed == 0) {
			r->failed = (int)ev->ret;
			snprintf(r->cause, r->causelen, "actor %s failed: %s",
				 trace_hdr(t)->actors[ev->actor].name, strerror((int)-ev->ret));
		}
		if (r->scn != NULL && ev->actor <= r->scn->nactors &&
		    r->scn->actors[ev->actor - 1].role != SCN_ROLE_SERVER)
			r->ndone++;
		if (r->ndone == r->nreaders && r->world_ended)
			finish(r);
	}
}

/* The trace refused an event (it reached its memory cap): stop here,
 * cleanly, rather than grow.  The clock stops, so does the world, and each
 * model is told to stop; run_close joins them.  What they still send is
 * counted as lost by the sink. */
static void run_sink_fail_cb(void *arg, int err)
{
	struct run *r = arg;

	if (r->failed == 0) {
		r->failed = err;
		if (err == -EFBIG)
			snprintf(r->cause, r->causelen, "trace reached %zu MB: run stopped",
				 trace_max_mem(r->trace) >> 20);
		else
			snprintf(r->cause, r->causelen, "trace: %s: run stopped", strerror(-err));
	}
	sclock_pause(&r->clock);
	if (r->world != NULL)
		world_resume(r->world);        /* disarms its timer */
	for (int i = 0; i < r->nmodels; i++)
		atomic_store(&r->models[i].stop, 1);
	sclock_wake(&r->clock);
	finish(r);
}

/* The script is over and some reader is still waiting (an edge-triggered
 * reader that did not drain, say): that is the lesson, not a failure.  The
 * teardown stops it; its done event says it was stopped. */
static void grace_cb(uv_timer_t *h)
{
	finish(h->data);
}

static void run_world_done_cb(void *arg)
{
	struct run *r = arg;

	r->world_ended = 1;
	if (r->closing)           /* stopped early (q, SIGINT): not a failure */
		return;
	/* A server that did not read what the script sent it: the run did not
	 * show what it was written to show. */
	if (r->failed == 0 && world_unserved(r->world, r->cause, r->causelen) > 0)
		r->failed = -ETIMEDOUT;
	if (r->ndone == r->nreaders)
		finish(r);
	else
		uv_timer_start(&r->grace, grace_cb, (uint64_t)(r->o->grace_ms > 0 ? r->o->grace_ms : 1000), 0);
}

/* The role an actor needs of its model (models/model.h, enum model_role). */
static unsigned actor_needs(const struct scn_actor *a)
{
	if (a->role != SCN_ROLE_SERVER)
		return MODEL_ROLE_READER;
	return a->serve == SCN_SERVE_ECHO ? MODEL_ROLE_ECHO : MODEL_ROLE_CHAT;
}

static const char *serve_name(unsigned role)
{
	return role == MODEL_ROLE_ECHO ? "echo" : "chat";
}

/* The models of this build that can play role, for a message:
 * "select, poll, epoll or epoll-et". */
static const char *models_for(unsigned role, char *buf, size_t len)
{
	int n = 0, k = 0;
	size_t at = 0;

	buf[0] = '\0';
	for (int i = 0; i < model_count; i++)
		n += (model_table[i]->roles & role) != 0;
	for (int i = 0; i < model_count && at < len; i++) {
		if (!(model_table[i]->roles & role))
			continue;
		at += (size_t)snprintf(buf + at, len - at, "%s%s", k == 0 ? "" : k == n - 1 ? " or " : ", ",
				       model_table[i]->name);
		k++;
	}
	return buf;
}

/* A reader on a model that does not read: what the model is instead. */
static int reader_refused(struct run *r, const struct scn_actor *a, const struct model_ops *m,
			  char *list, size_t len)
{
	unsigned serves = m->roles & (MODEL_ROLE_CHAT | MODEL_ROLE_ECHO);

	if (serves == 0)
		return actor_error(r, a, "actor %s reads the world's connections, and model '%s' "
				   "cannot (use %s)", a->name, m->name,
				   models_for(MODEL_ROLE_READER, list, len));
	return actor_error(r, a, "actor %s reads the world's connections, and model '%s' is a "
			   "server only (role=server%s%s)", a->name, m->name,
			   serves == (MODEL_ROLE_CHAT | MODEL_ROLE_ECHO) ? "" : ", serve=",
			   serves == (MODEL_ROLE_CHAT | MODEL_ROLE_ECHO) ? "" : serve_name(serves));
}

/* A server on a model that does not serve as its serve= says. */
static int server_refused(struct run *r, const struct scn_actor *a, const struct model_ops *m,
			  unsigned need, char *list, size_t len)
{
	unsigned other = need == MODEL_ROLE_ECHO ? MODEL_ROLE_CHAT : MODEL_ROLE_ECHO;

	models_for(need, list, len);
	if (m->roles & other)
		return actor_error(r, a, "actor %s is a server with serve=%s, and model '%s' serves "
				   "serve=%s only (use %s)", a->name, serve_name(need), m->name,
				   serve_name(other), list);
	/* chat is served by one thread multiplexing many clients (models/
	 * mux_server.c): the message says so, as it did before echo. */
	if (need == MODEL_ROLE_CHAT)
		return actor_error(r, a, "actor %s is a server, and model '%s' cannot serve many "
				   "clients in one thread (use %s)", a->name, m->name, list);
	return actor_error(r, a, "actor %s is a server with serve=%s, and model '%s' is a reader "
			   "only (use %s)", a->name, serve_name(need), m->name, list);
}

/* Can this actor run here, on its model (or --model's)? */
static int check_actor(struct run *r, const struct scn_actor *a)
{
	const char *name = r->o->model ? r->o->model : a->model;
	const struct model_ops *m = model_find(name);
	unsigned need = actor_needs(a);
	struct rlimit rl;
	char why[256];

	if (run_model_usable(name, why, sizeof why) != 0)
		return actor_error(r, a, "%s", why);
	if (!(m->roles & need) && need == MODEL_ROLE_READER)
		return reader_refused(r, a, m, why, sizeof why);
	if (!(m->roles & need))
		return server_refused(r, a, m, need, why, sizeof why);
	if (a->low_fd > 0 && getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY &&
	    rl.rlim_max < (rlim_t)a->low_fd + (rlim_t)a->nfds + 64)
		return actor_error(r, a, "low=%d needs descriptors up to %d, but this process may "
				   "open at most %llu (ulimit -Hn)", a->low_fd,
				   a->low_fd + a->nfds + 64, (unsigned long long)rl.rlim_max);
	return 0;
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
	if (o->model != NULL && (rc = run_model_usable(o->model, r->cause, r->causelen)) != 0)
		return rc;
	if (o->model == NULL &&
	    scn_check_models(r->scn, model_known, model_names(), r->cause, r->causelen) != 0)
		return -EINVAL;
	for (int i = 0; i < r->scn->nactors; i++)
		if ((rc = check_actor(r, &r->scn->actors[i])) != 0)
			return rc;
	return 0;
}

/* ---- the recording and the narration: every write checked ---- */

/* The first write error ends nothing but is the run's status: exit 1,
 * the file and the errno in the cause, at once in run_record_error. */
static void record_failed(struct run *r, int rc)
{
	r->rec_err = rc;
	if (r->failed == 0) {
		r->failed = rc;
		snprintf(r->cause, r->causelen, "%s: recording failed: %s", r->o->record, strerror(-rc));
	}
}

static void record_fail_cb(void *arg, int err)
{
	record_failed(arg, err);
}

/* A new file beside the target, put in place by run_start once the run
 * has started (a run that fails to start leaves the old file as it was);
 * a FIFO or device is written straight into.  The header is written at
 * once, the events in batches (live/recorder.h). */
static int open_record_file(struct run *r)
{
	int rc;

	if (r->o->record == NULL)
		return 0;
	rc = outfile_open(&r->rec, r->o->record, r->o->no_replace ? OUTFILE_NO_REPLACE : 0);
	if (rc == -EEXIST) {
		snprintf(r->cause, r->causelen, "%s exists (use --force to replace it)", r->o->record);
		return -EINVAL;
	}
	if (rc != 0) {
		snprintf(r->cause, r->causelen, "%s: cannot write: %s", r->o->record, outfile_strerror(rc));
		return -EINVAL;
	}
	return 0;
}

/* The recorder and the header, in the file open_record_file opened. */
static int open_recorder(struct run *r)
{
	int rc;

	if (r->rec.f == NULL)
		return 0;
	if ((rc = recorder_init(&r->recorder, r->loop, r->rec.f, record_fail_cb, r)) == 0 &&
	    (rc = trace_write_hdr(r->rec.f, r->trace)) == 0 && fflush(r->rec.f) != 0)
		rc = -errno;
	if (rc != 0)
		snprintf(r->cause, r->causelen, "%s: cannot write the recording: %s",
			 r->o->record, strerror(-rc));
	return rc;
}

/* An event the format cannot hold is skipped, as the reader would skip
 * it; after a failed write the recorder writes nothing more
 * (record_fail_cb). */
static void record_ev(struct run *r, struct trace *t, const struct trace_ev *ev)
{
	if (r->rec.f != NULL)
		recorder_ev(&r->recorder, t, ev);
}

/* The sink has told every listener a whole batch. */
static void run_batch_cb(void *arg)
{
	struct run *r = arg;

	if (r->rec.f != NULL)
		recorder_batch(&r->recorder);
}

static void record_close(struct run *r)
{
	int rc;

	if (r->rec.f == NULL)
		return;
	if ((rc = outfile_close(&r->rec)) != 0 && r->rec_err == 0)
		record_failed(r, rc);
}

/* Nobody reads a narration that cannot be written: the run ends. */
static void out_failed(struct run *r, int rc)
{
	r->out_err = rc;
	if (r->failed == 0) {
		r->failed = rc;
		snprintf(r->cause, r->causelen, "%s: %s",
			 r->o->out == stdout ? "standard output" : "output", strerror(-rc));
		if (rc == -EPIPE && r->o->out == stdout)
			r->cause[0] = '\0';   /* its reader left (| head): nothing to say */
	}
}

static void narrate_out(struct run *r, const struct trace_ev *ev)
{
	if (r->o->out == NULL || r->out_err != 0)
		return;
	errno = 0;
	narrate_ev(&r->narr, ev);
	if (ferror(r->o->out)) {
		out_failed(r, errno != 0 ? -errno : -EIO);
		finish(r);
	}
}

int run_record_error(const struct run *r)
{
	return r->rec_err;
}

static int start_models(struct run *r)
{
	for (int i = 0; i < r->scn->nactors; i++) {
		struct model_ctx *c = &r->models[i];
		const char *name = r->o->model ? r->o->model : r->scn->actors[i].model;
		const struct model_ops *m = model_find(name);
		int rc;

		if (m == NULL)                        /* checked when the run opened */
			return -EINVAL;
		c->actor = i + 1;
		c->fds = world_fds(r->world, i, &c->nfds);
		c->every_ns = r->scn->actors[i].every_ns;
		c->chunk = r->scn->actors[i].chunk;
		c->drain = r->scn->actors[i].drain;
		c->listen_fd = world_listen_fd(r->world, i);
		c->serve = r->scn->actors[i].serve == SCN_SERVE_ECHO ? MODEL_SERVE_ECHO : MODEL_SERVE_CHAT;
		c->workers = r->scn->actors[i].workers;
		c->queue = r->scn->actors[i].queue;
		c->work_ns = r->scn->actors[i].work_ns;
		c->clock = &r->clock;
		c->probe.sink = r->sink;
		c->probe.actor = c->actor;
		if ((c->probe.ring = sink_ring_new(r->sink, c->actor)) == NULL)
			return -ENOMEM;
		if ((rc = sampler_watch(r->sampler, c->actor, &c->tid)) != 0)
			return rc;
		if (m->caps & TRACE_CAP_HELPERS)      /* and its helpers: cannot fail now */
			sampler_watch_helpers(r->sampler, c->actor, &c->tid);
		if ((rc = model_start(c, m)) != 0)
			return rc;
		r->nmodels++;
		r->nreaders += c->listen_fd < 0;
	}
	return 0;
}

/* The grace timer and the trace, empty. */
static int open_trace(struct run *r)
{
	uv_timer_init(r->loop, &r->grace);
	r->grace.data = r;
	r->grace_ok = 1;
	return (r->trace = trace_new()) == NULL ? -ENOMEM : 0;
}

/* The trace's sink, its listeners, and the sampler (the kernel's word):
 * a scenario's run and an attach alike. */
static int open_spine(struct run *r)
{
	int rc;

	if ((rc = sink_new(r->loop, r->trace, &r->sink)) != 0)
		return rc;
	if ((rc = sink_listen(r->sink, run_listen_cb, r)) != 0)
		return rc;
	sink_on_fail(r->sink, run_sink_fail_cb, r);
	sink_on_batch(r->sink, run_batch_cb, r);
	return sampler_new(r->loop, r->sink, &r->sampler);
}

static void open_narration(struct run *r)
{
	if (r->o->out != NULL)
		narrate_begin(&r->narr, r->o->out, r->trace, r->o->lang);
	r->narr_ok = r->o->out != NULL;
}

static int run_setup(struct run *r)
{
	int rc;

	if ((rc = open_trace(r)) != 0)
		return rc;
	fill_header(r);
	if ((rc = open_record_file(r)) != 0 || (rc = open_recorder(r)) != 0)
		return rc;
	if ((rc = sclock_init(&r->clock, r->o->speed)) != 0)
		return rc;
	r->clock_ok = 1;
	if ((rc = open_spine(r)) != 0)
		return rc;
	if ((rc = world_new(r->loop, r->scn, &r->clock, r->sink, 1, &r->world)) != 0)
		return rc;
	open_narration(r);
	return 0;
}

/* ---- attach: a run with no steps, of a program not written for us ---- */

static void fill_header_attach(struct run *r)
{
	struct trace_hdr *h = trace_hdr(r->trace);
	struct utsname u;
	char when[32], cmd[2048];
	time_t now = time(NULL);

	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	run_attach_command(r->o, cmd, sizeof cmd);
	h->scenario = trace_intern(r->trace, "attach");
	h->command = trace_intern(r->trace, cmd);
	h->attach_pid = r->o->attach_argv == NULL ? r->o->attach_pid : 0;
	h->kernel = trace_intern(r->trace, uname(&u) == 0 ? u.release : "unknown");
	h->started = trace_intern(r->trace, when);
	h->speed = 1;
}

/* The tracer thread's end, on the loop: what it pushed is drained, then
 * the run is over. */
static void attach_ended_cb(void *arg)
{
	struct run *r = arg;

	if (r->closing)
		return;
	sink_drain(r->sink);
	finish(r);
}

static int attach_check(struct run *r)
{
	const struct run_opts *o = r->o;

	if ((o->attach_argv == NULL || o->attach_argv[0] == NULL) && o->attach_pid <= 0) {
		snprintf(r->cause, r->causelen, "attach needs a program or a process id");
		return -EINVAL;
	}
	if (o->attach_argv != NULL && o->attach_pid > 0) {
		snprintf(r->cause, r->causelen, "attach takes a program or -p PID, not both");
		return -EINVAL;
	}
	return 0;
}

/* As run_setup, without scenario, world or models: the program starts
 * (or is seized) here, so that a program that cannot run is bad input
 * before anything is shown; the recording's file is checked first, its
 * header written once the tracer measured what a stop costs. */
static int run_setup_attach(struct run *r)
{
	int rc;

	if ((rc = open_trace(r)) != 0)
		return rc;
	fill_header_attach(r);
	if ((rc = open_record_file(r)) != 0)
		return rc;
	if ((rc = sclock_init(&r->clock, 1)) != 0)
		return rc;
	r->clock_ok = 1;
	if ((rc = open_spine(r)) != 0)
		return rc;
	rc = run_attach_open(r->o, r->loop, r->sink, attach_ended_cb, r, &r->att, r->cause, r->causelen);
	if (rc == -ENOENT || rc == -EACCES || rc == -ESRCH)
		return -EINVAL;
	if (rc != 0)
		return rc;
	trace_hdr(r->trace)->overhead_ns = run_attach_overhead(r->att);
	if ((rc = open_recorder(r)) != 0)
		return rc;
	open_narration(r);
	return 0;
}

static void close_handle(uv_handle_t *h)
{
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

int run_open(const struct run_opts *o, uv_loop_t *loop, struct run **out,
	     char *cause, size_t len)
{
	struct run *r = calloc(1, sizeof *r);
	int rc;

	if (r == NULL)
		return -ENOMEM;
	r->opts = *o;
	r->o = &r->opts;
	r->loop = loop;
	r->causelen = sizeof r->cause;
	if (o->scenario == NULL)
		rc = (rc = attach_check(r)) == 0 ? run_setup_attach(r) : rc;
	else if ((rc = run_check(r)) == 0)
		rc = run_setup(r);
	if (rc == 0) {
		*out = r;
		return 0;
	}
	if (r->cause[0] == '\0')
		snprintf(r->cause, sizeof r->cause, "could not set up the run: %s", strerror(-rc));
	run_close(r, cause, len);
	return rc;
}

int run_start(struct run *r, bool paused)
{
	int rc;

	if (r->att != NULL) {           /* it runs already: nothing to start */
		rc = 0;
		r->started = 1;
	} else if ((rc = start_models(r)) == 0) {
		r->started = 1;
		if (!paused)
			run_play(r);
		rc = world_start(r->world, run_world_done_cb, r);
	}
	/* Started: the recording takes the target's place, and grows there
	 * (a killed run leaves what it recorded so far). */
	if (rc == 0 && r->rec.f != NULL && (rc = outfile_publish(&r->rec)) != 0) {
		snprintf(r->cause, sizeof r->cause, "%s: cannot put the recording in place: %s",
			 r->o->record, rc == -EEXIST ? "a file appeared there meanwhile" : strerror(-rc));
		r->failed = rc;
	}
	if (rc != 0 && r->failed == 0) {
		r->failed = rc;
		snprintf(r->cause, sizeof r->cause, "could not start the run: %s", strerror(-rc));
	}
	return rc;
}

/* An attach run has a clock nobody reads and no world: play, pause and
 * speed do nothing to the program. */
void run_play(struct run *r)
{
	sclock_play(&r->clock);
	if (r->started && r->world != NULL)
		world_resume(r->world);
}

void run_pause(struct run *r)
{
	sclock_pause(&r->clock);
	if (r->world != NULL)
		world_resume(r->world);        /* disarms its timer */
}


void run_set_speed(struct run *r, double speed)
{
	sclock_set_speed(&r->clock, speed);
	if (r->world != NULL)
		world_resume(r->world);
}

int run_step(struct run *r)
{
	return r->world != NULL ? world_step(r->world) : -1;
}

/* An announced thread is asleep, or gone (its end not drained yet): a
 * thread of this process or of a child (process-per-conn), read from
 * /proc/PID/task/TID. */
static bool thread_quiet(const struct run_thread *th)
{
	struct kstate ks;

	if (sampler_read_pid(th->pid, th->tid, &ks) != 0)
		return true;
	return ks.state != 'R';
}

bool run_quiet(struct run *r)
{
	if (r->att != NULL)             /* no steps to wait for */
		return true;
	for (int i = 0; i < r->nmodels; i++) {
		pid_t tid = atomic_load(&r->models[i].tid);
		struct kstate ks;

		if (atomic_load(&r->models[i].done))
			continue;
		if (tid == 0 || sampler_read(tid, &ks) != 0 || (ks.state != 'S' && ks.state != 'D'))
			return false;
	}
	sink_drain(r->sink);
	/* The threads the models started, as far as the trace has told. */
	for (int i = 0; i < r->nthreads; i++)
		if (!thread_quiet(&r->threads[i]))
			return false;
	return true;
}

bool run_ended(const struct run *r) { return r->ended; }
int run_step_index(const struct run *r) { return r->world != NULL ? world_next(r->world) : 0; }
int run_steps(const struct run *r) { return r->world != NULL ? world_total(r->world) : 0; }
int64_t run_now(const struct run *r)
{
	return sink_now(r->sink);
}

struct trace *run_trace(struct run *r) { return r->trace; }
int run_pid(const struct run *r) { return r->att != NULL ? (int)run_attach_pid(r->att) : 0; }

int run_listen(struct run *r, sink_listen_cb cb, void *arg)
{
	return sink_listen(r->sink, cb, arg);
}

int run_inject(struct run *r, int actor, int fd, const char *data)
{
	if (r->world == NULL)
		return -EINVAL;
	return world_inject(r->world, actor, fd, data, strlen(data));
}

/* Stop models (even blocked ones), drain, close every handle and fd. */
int run_close(struct run *r, char *cause, size_t len)
{
	int rc;

	r->closing = 1;
	/* The program stopped (started) or left running (attached) before the
	 * sink's last drain: no producer is left after it. */
	if (r->att != NULL) {
		int st = run_attach_stop(r->att);

		if (r->o->attach_status != NULL && run_attach_ran(r->att))
			*r->o->attach_status = st;
	}
	for (int i = 0; i < r->nmodels; i++)
		if (model_stop(&r->models[i], MODEL_STOP_MS) != 0 && r->failed == 0) {
			r->failed = -ETIMEDOUT;
			snprintf(r->cause, sizeof r->cause, "actor %s would not stop",
				 r->scn->actors[i].name);
		}
	if (r->sink != NULL)
		sink_close(r->sink);
	sampler_close(r->sampler);
	world_close(r->world);
	if (r->grace_ok)
		close_handle((uv_handle_t *)&r->grace);
	recorder_stop(&r->recorder);   /* record_close flushes the rest */
	/* Let the loop finish closing what was closed here. */
	uv_run(r->loop, UV_RUN_NOWAIT);
	if (r->narr_ok && r->out_err == 0) {
		errno = 0;
		narrate_end(&r->narr);
		if (ferror(r->o->out))
			out_failed(r, errno != 0 ? -errno : -EIO);
	} else if (r->narr_ok) {
		narrate_free(&r->narr);        /* its output failed: no summary */
	}
	record_close(r);
	run_attach_free(r->att);       /* after the sink's last drain */
	world_free(r->world);
	sampler_free(r->sampler);
	sink_free(r->sink);
	trace_free(r->trace);
	if (r->clock_ok)
		sclock_destroy(&r->clock);
	scn_free(r->scn);
	free(r->threads);
	rc = r->failed;
	snprintf(cause, len, "%s", r->cause);
	free(r);
	return rc;
}

/* Plain mode: the run on a loop of its own, SIGINT and SIGTERM included. */
struct plain {
	uv_loop_t loop;
	uv_signal_t sigint, sigterm;
	int signum;
};

static void plain_end_cb(void *arg)
{
	uv_stop(arg);
}

static void plain_signal_cb(uv_signal_t *h, int signum)
{
	struct plain *p = h->data;

	p->signum = signum;
	uv_stop(&p->loop);
}

static void walk_close_cb(uv_handle_t *h, void *arg)
{
	(void)arg;
	close_handle(h);
}

int run_scenario(const struct run_opts *o, char *cause, size_t len)
{
	struct run_opts opts = *o;
	struct plain p = { .signum = 0 };
	struct run *r;
	int rc;

	if ((rc = uv_loop_init(&p.loop)) != 0) {
		snprintf(cause, len, "could not set up the run: %s", uv_strerror(rc));
		return rc;
	}
	opts.on_end = plain_end_cb;
	opts.on_end_arg = &p.loop;
	/* Before run_open: a Ctrl-C while it starts (an attach measures the
	 * tracer's cost and starts the program) waits for the loop, and ends
	 * the run as any other. */
	uv_signal_init(&p.loop, &p.sigint);
	uv_signal_init(&p.loop, &p.sigterm);
	p.sigint.data = p.sigterm.data = &p;
	uv_signal_start(&p.sigint, plain_signal_cb, SIGINT);
	uv_signal_start(&p.sigterm, plain_signal_cb, SIGTERM);
	if ((rc = run_open(&opts, &p.loop, &r, cause, len)) == 0) {
		if (run_start(r, false) == 0)
			uv_run(&p.loop, UV_RUN_DEFAULT);
		rc = run_close(r, cause, len);
		if (rc == 0 && p.signum != 0) {
			rc = -EINTR;
			snprintf(cause, len, "interrupted by %s", strsignal(p.signum));
		}
	}
	uv_walk(&p.loop, walk_close_cb, NULL);
	uv_run(&p.loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&p.loop) != 0 && rc == 0) {
		rc = -EBUSY;          /* a handle left open: a bug, said aloud */
		snprintf(cause, len, "internal error: a libuv handle was left open");
	}
	return rc;
}

int run_model_info(int i, const char **name, const char **summary)
{
	if (i < 0 || i >= model_table_init())
		return -1;
	*name = model_table[i]->name;
	*summary = model_table[i]->summary;
	return 0;
}
