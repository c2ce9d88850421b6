/* record.c: a trace as JSON Lines (trace/FORMAT.md), one line per call.
 *
 * Each line is built as a jansson object, dumped compact and written with a
 * single fwrite, so a live recorder that is killed loses at most the line
 * being written (read.c skips that truncated last line).
 *
 * The writer refuses (-EINVAL) what the reader would refuse: unknown kinds,
 * calls, phases, sets, ready sources or epoll_ctl ops, an errno with no
 * name, a state that is not one printable letter, strings that are not
 * UTF-8, more than TRACE_FDS_INLINE listed fds, a connect to no actor of
 * the header, a close or state whose what is neither 0 nor 1, a signal with
 * no name, a completion's negative ret that is no errno, and a negative
 * t_ns, dur_ns, tid or count ("checked", "polled", delivered bytes, "in_flight",
 * "waiting"), any value outside the reader's bounds (view_ev_ok, the
 * table in FORMAT.md), and a line longer than the reader takes
 * (TRACE_MAX_HDR_LINE, TRACE_MAX_LINE).  A file it writes always reads
 * back.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "trace/fold.h"
#include "trace/outfile.h"
#include "trace/trace.h"

/* An object being filled; the first failure sticks in rc. */
struct put {
	json_t *o;
	int rc;
	const struct trace_hdr *h;    /* events: names actors (connect's server) */
};

static void put_new(struct put *p, const char *key, json_t *v, int rc_if_null)
{
	if (p->rc != 0) {
		json_decref(v);
		return;
	}
	if (v == NULL)
		p->rc = rc_if_null;
	else if (json_object_set_new(p->o, key, v) != 0)
		p->rc = -ENOMEM;
}

static void put_int(struct put *p, const char *key, int64_t v)
{
	put_new(p, key, json_integer((json_int_t)v), -ENOMEM);
}

/* A time, duration, thread id or count: the reader refuses negatives. */
static void put_count(struct put *p, const char *key, int64_t v)
{
	if (p->rc == 0 && v < 0)
		p->rc = -EINVAL;
	put_int(p, key, v);
}

static void put_bool(struct put *p, const char *key, bool v)
{
	put_new(p, key, json_boolean(v), -ENOMEM);
}

/* NULL if s is not UTF-8, holds a control character (trace_text_control)
 * or memory ran out: string values must be printable UTF-8. */
static json_t *str_value(const char *s, bool lines)
{
	if (s != NULL && trace_text_control(s, lines) != NULL)
		return NULL;
	return json_string(s != NULL ? s : "");
}

static void put_str(struct put *p, const char *key, const char *s)
{
	put_new(p, key, str_value(s, false), -EINVAL);
}

/* A name from one of trace.c's tables; NULL means the value is unknown. */
static void put_name(struct put *p, const char *key, const char *name)
{
	put_new(p, key, name != NULL ? json_string(name) : NULL, -EINVAL);
}

/* A caption's text (lines) may break lines; a label may not. */
static void put_pair(struct put *p, const char *key, bool lines, const char *const s[2])
{
	json_t *o = json_object();
	struct put in = { o, o != NULL ? 0 : -ENOMEM, NULL };

	if (o != NULL) {
		put_new(&in, "en", str_value(s[0], lines), -EINVAL);
		put_new(&in, "zh", str_value(s[1], lines), -EINVAL);
	}
	if (in.rc != 0) {
		json_decref(o);
		if (p->rc == 0)
			p->rc = in.rc;
		return;
	}
	put_new(p, key, o, -ENOMEM);
}

/* err's name, only if it reads back as the same number: not "EUNKNOWN". */
static const char *errno_name(int64_t err)
{
	const char *e;

	if (err <= 0 || err > INT32_MAX)
		return NULL;
	e = trace_errno_name((int)err);
	return trace_errno_from(e) == err ? e : NULL;
}

static void put_edge(struct put *p, const struct trace_ev *ev)
{
	put_str(p, "edge", (ev->flags & TRACE_F_END) ? "end" : "begin");
}

static void put_step(struct put *p, const struct trace_ev *ev)
{
	if (ev->step >= 0)
		put_int(p, "step", ev->step);
}

static void put_try(struct put *p, const struct trace_ev *ev)
{
	if (ev->count > 0)
		put_int(p, "try", ev->count);
}

/* "out": the listed fds watched for writing (or back writable), when any. */
static void put_outs(struct put *p, const struct trace_ev *ev)
{
	json_t *a;

	if (p->rc != 0 || (ev->outs & ((1u << ev->nfds) - 1)) == 0)
		return;
	a = json_array();
	for (int i = 0; a != NULL && i < ev->nfds; i++) {
		if ((ev->outs & (1u << i)) &&
		    json_array_append_new(a, json_integer(ev->fd_list[i])) != 0) {
			json_decref(a);
			a = NULL;
		}
	}
	put_new(p, "out", a, -ENOMEM);
}

/* "fds": the listed part of a set, then "fds_more" when some did not fit. */
static void put_fds(struct put *p, const struct trace_ev *ev)
{
	json_t *a;

	if (p->rc == 0 && ev->nfds > TRACE_FDS_INLINE)
		p->rc = -EINVAL;
	if (p->rc != 0)
		return;
	a = json_array();
	for (int i = 0; a != NULL && i < ev->nfds; i++) {
		if (json_array_append_new(a, json_integer(ev->fd_list[i])) != 0) {
			json_decref(a);
			a = NULL;
		}
	}
	put_new(p, "fds", a, -ENOMEM);
	if (ev->fds_more > 0)
		put_int(p, "fds_more", ev->fds_more);
	put_outs(p, ev);
}

/* epoll_ctl's operation, the descriptor it adds, changes or removes, and
 * its events mask when recorded: ["in"], ["in","out"]. */
static void put_op(struct put *p, const struct trace_ev *ev)
{
	json_t *a;

	put_name(p, "op", trace_op_name(ev->what));
	put_int(p, "target", ev->arg);
	if (p->rc != 0 || !(ev->flags & TRACE_F_EVENTS))
		return;
	a = json_array();
	for (unsigned bit = 1; a != NULL && bit <= TRACE_EPEV_ALL; bit <<= 1)
		if ((ev->sets & bit) &&
		    json_array_append_new(a, json_string(trace_epev_name(bit))) != 0) {
			json_decref(a);
			a = NULL;
		}
	put_new(p, "events", a, -ENOMEM);
}

/* select's sets handed in, by name: ["read"], ["read","write"]. */
static void put_sets(struct put *p, unsigned sets)
{
	json_t *a = json_array();

	for (unsigned bit = 1; a != NULL && bit <= TRACE_FDSET_ALL; bit <<= 1)
		if ((sets & bit) &&
		    json_array_append_new(a, json_string(trace_fdset_name(bit))) != 0) {
			json_decref(a);
			a = NULL;
		}
	put_new(p, "sets", a, -ENOMEM);
}

/* What a select or poll costs the kernel (TRACE_F_COST), when recorded:
 * at its enter, what goes in; at its exit, what went in and back. */
static void put_cost(struct put *p, const struct trace_ev *ev)
{
	if (!(ev->flags & TRACE_F_COST))
		return;
	put_count(p, "polled", ev->polled);
	put_count(p, "copied_in", ev->copied_in);
	if (ev->kind == TRACE_EXIT)
		put_count(p, "copied_out", ev->copied_out);
	if (ev->call == TRACE_CALL_SELECT)
		put_sets(p, ev->sets);
}

/* What a wait call was handed, after call and fd. */
static void put_call_args(struct put *p, const struct trace_ev *ev)
{
	switch (ev->call) {
	case TRACE_CALL_SELECT:
	case TRACE_CALL_POLL:
		put_int(p, "nfds", ev->n);
		put_fds(p, ev);
		put_cost(p, ev);
		break;
	case TRACE_CALL_EPOLL_WAIT:
		put_int(p, "maxevents", ev->n);
		break;
	case TRACE_CALL_EPOLL_CTL:
		put_op(p, ev);
		break;
	default:
		break;
	}
}

/* What a wait call handed back, after ret, dur_ns, errno and try. */
static void put_call_results(struct put *p, const struct trace_ev *ev)
{
	switch (ev->call) {
	case TRACE_CALL_SELECT:
	case TRACE_CALL_POLL:
	case TRACE_CALL_EPOLL_WAIT:
		put_count(p, "checked", ev->n);
		put_fds(p, ev);
		put_cost(p, ev);
		break;
	case TRACE_CALL_EPOLL_CTL:
		put_op(p, ev);
		break;
	default:
		break;
	}
}

/* ---- one function per kind, in the order FORMAT.md lists them ---- */

/* The kernel's own name of the call, when it is not call's (attach:
 * "pselect6" for select); only a name (view_ev_ok). */
static void put_sys(struct put *p, const struct trace_ev *ev)
{
	if (ev->syscall != NULL)
		put_name(p, "sys", trace_sysname_ok(ev->syscall) ? ev->syscall : NULL);
}

static void put_enter(struct put *p, const struct trace_ev *ev)
{
	put_name(p, "call", trace_call_name(ev->call));
	put_sys(p, ev);
	put_int(p, "fd", ev->fd);
	put_call_args(p, ev);
}

static void put_exit(struct put *p, const struct trace_ev *ev)
{
	put_name(p, "call", trace_call_name(ev->call));
	put_sys(p, ev);
	put_int(p, "fd", ev->fd);
	put_int(p, "ret", ev->ret);
	put_count(p, "dur_ns", ev->dur_ns);
	if (ev->err != 0)
		put_name(p, "errno", errno_name(ev->err));
	put_try(p, ev);
	put_call_results(p, ev);
}

static void put_phase(struct put *p, const struct trace_ev *ev)
{
	put_name(p, "phase", trace_phase_name(ev->phase));
	put_edge(p, ev);
	put_bool(p, "blocked", (ev->flags & TRACE_F_BLOCKED) != 0);
	if (ev->flags & TRACE_F_WHOLE)    /* a wait that holds its copy (attach) */
		put_bool(p, "whole", true);
	put_int(p, "fd", ev->fd);
}

static void put_arrive(struct put *p, const struct trace_ev *ev)
{
	put_int(p, "fd", ev->fd);
	put_int(p, "bytes", ev->ret);
	put_step(p, ev);
}

/* what 1: a client reset its connection (RST); only true is written. */
static void put_close(struct put *p, const struct trace_ev *ev)
{
	put_int(p, "fd", ev->fd);
	if (p->rc == 0 && ev->what > 1)
		p->rc = -EINVAL;
	if (ev->what == 1)
		put_bool(p, "abrupt", true);
	put_step(p, ev);
}

/* what 1: tid is a helper thread (glibc's aio); only true is written. */
static void put_state(struct put *p, const struct trace_ev *ev)
{
	char letter[2] = { ev->state, '\0' };

	put_count(p, "tid", ev->tid);
	if (ev->pid != 0)
		put_int(p, "pid", ev->pid);
	put_name(p, "state", ev->state > ' ' && ev->state < 0x7f ? letter : NULL);
	put_str(p, "syscall", ev->syscall);
	put_str(p, "wchan", ev->wchan);
	put_int(p, "fd", ev->fd);    /* the sampler's first syscall argument */
	if (p->rc == 0 && ev->what > 1)
		p->rc = -EINVAL;
	if (ev->what == 1)
		put_bool(p, "helper", true);
}

static void put_caption(struct put *p, const struct trace_ev *ev)
{
	put_pair(p, "text", true, ev->text);
	put_step(p, ev);
}

static void put_idle(struct put *p, const struct trace_ev *ev)
{
	put_edge(p, ev);
	if (ev->flags & TRACE_F_END)
		put_count(p, "dur_ns", ev->dur_ns);
	put_try(p, ev);
}

static void put_lost(struct put *p, const struct trace_ev *ev)
{
	put_int(p, "count", ev->count);
}

static void put_done(struct put *p, const struct trace_ev *ev)
{
	put_int(p, "ret", ev->ret);
	if (ev->count > 0)
		put_int(p, "unread", ev->count);
}

/* A work queue's capacity after its depth (view_ev_ok: only there). */
static void put_set(struct put *p, const struct trace_ev *ev)
{
	put_name(p, "what", trace_set_name(ev->what));
	put_int(p, "n", ev->n);
	if (ev->what == TRACE_SET_WORKQ)
		put_int(p, "max", ev->arg);
	put_fds(p, ev);
}

static void put_ready(struct put *p, const struct trace_ev *ev)
{
	put_name(p, "what", trace_ready_name(ev->what));
	put_int(p, "fd", ev->fd);
	put_step(p, ev);    /* the world infers it from a scripted write */
}

static void put_refuse(struct put *p, const struct trace_ev *ev)
{
	put_int(p, "fd", ev->fd);
	put_int(p, "limit", ev->n);
}

/* The server by name: indexes mean nothing to a person or to jq. */
static void put_connect(struct put *p, const struct trace_ev *ev)
{
	put_int(p, "fd", ev->fd);
	if (p->rc == 0 && (ev->arg < 0 || ev->arg >= p->h->nactors))
		p->rc = -EINVAL;
	if (p->rc == 0)
		put_str(p, "server", p->h->actors[ev->arg].name);
	put_step(p, ev);
}

static void put_deliver(struct put *p, const struct trace_ev *ev)
{
	put_int(p, "fd", ev->fd);
	put_count(p, "bytes", ev->ret);
	if (ev->count != 0)
		put_int(p, "fnv1a", ev->count);
}

/* ---- signal-driven and asynchronous IO ---- */

/* By name, because the numbers of real-time signals differ between C
 * libraries (glibc keeps the first two for its threads): "SIGIO",
 * "SIGRTMIN", "SIGRTMIN+2".  NULL when signo has no such name. */
static const char *signal_name(int signo, char *buf, size_t size)
{
	const char *abbrev;

	if (signo == SIGIO)    /* sigabbrev_np says "POLL"; fcntl(2) says SIGIO */
		return "SIGIO";
	if (signo == SIGRTMIN)
		return "SIGRTMIN";
	if (signo > SIGRTMIN && signo <= SIGRTMAX) {
		snprintf(buf, size, "SIGRTMIN+%d", signo - SIGRTMIN);
		return buf;
	}
	abbrev = signo > 0 && signo < SIGRTMIN ? sigabbrev_np(signo) : NULL;
	if (abbrev == NULL)
		return NULL;
	snprintf(buf, size, "SIG%s", abbrev);
	return buf;
}

static void put_signal(struct put *p, const struct trace_ev *ev)
{
	char buf[32];

	put_name(p, "signal", signal_name(ev->n, buf, sizeof buf));
	put_int(p, "fd", ev->fd);
	put_count(p, "tid", ev->tid);
}

static void put_submit(struct put *p, const struct trace_ev *ev)
{
	put_int(p, "fd", ev->fd);
	put_int(p, "tag", ev->arg);
	put_count(p, "in_flight", ev->n);
}

/* ret is bytes or -errno; the name makes the failure readable. */
static void put_complete(struct put *p, const struct trace_ev *ev)
{
	put_int(p, "fd", ev->fd);
	put_int(p, "tag", ev->arg);
	put_int(p, "ret", ev->ret);
	if (ev->ret < 0)
		put_name(p, "errno", ev->ret > INT64_MIN ? errno_name(-ev->ret) : NULL);
	put_count(p, "waiting", ev->n);
}

static void put_note(struct put *p, const struct trace_ev *ev)
{
	put_pair(p, "text", true, ev->text);
}

/* ---- actors that appear, change and leave ---- */

static json_t *caps_value(unsigned caps);

/* begin: the announced actor's details from the header's table (only an
 * announced one begins: the reader would take a header actor's begin for
 * a second actor of that name); end: the edge alone. */
static void put_actor(struct put *p, const struct trace_ev *ev)
{
	const struct trace_actor *a = &p->h->actors[ev->actor];
	bool labelled = (a->label[0] != NULL && a->label[0][0] != '\0') ||
			(a->label[1] != NULL && a->label[1][0] != '\0');

	put_edge(p, ev);
	if (ev->flags & TRACE_F_END)
		return;
	if (p->rc == 0 && (!a->announced || a->parent < -1 || a->parent >= p->h->nactors))
		p->rc = -EINVAL;
	put_str(p, "model", a->model);
	if (a->caps != 0)
		put_new(p, "caps", caps_value(a->caps), -ENOMEM);
	if (p->rc == 0 && a->parent >= 0)
		put_str(p, "parent", p->h->actors[a->parent].name);
	if (ev->tid != 0)
		put_count(p, "tid", ev->tid);
	if (ev->pid != 0)
		put_int(p, "pid", ev->pid);
	if (labelled)
		put_pair(p, "label", false, a->label);
}

static void put_model(struct put *p, const struct trace_ev *ev)
{
	put_str(p, "model", ev->model);
	if (ev->caps != 0)
		put_new(p, "caps", caps_value((unsigned)ev->caps), -ENOMEM);
	put_pair(p, "why", true, ev->text);
}

/* A new kind needs a line here and one in read_ev.c's table. */
static void (*const put_kind[TRACE_KIND_MAX])(struct put *, const struct trace_ev *) = {
	[TRACE_ENTER] = put_enter, [TRACE_EXIT] = put_exit,
	[TRACE_PHASE] = put_phase, [TRACE_ARRIVE] = put_arrive,
	[TRACE_CLOSE] = put_close, [TRACE_STATE] = put_state,
	[TRACE_CAPTION] = put_caption, [TRACE_IDLE] = put_idle,
	[TRACE_LOST] = put_lost, [TRACE_DONE] = put_done,
	[TRACE_SET] = put_set, [TRACE_READY] = put_ready,
	[TRACE_REFUSE] = put_refuse, [TRACE_CONNECT] = put_connect,
	[TRACE_DELIVER] = put_deliver, [TRACE_SIGNAL] = put_signal,
	[TRACE_SUBMIT] = put_submit, [TRACE_COMPLETE] = put_complete,
	[TRACE_NOTE] = put_note, [TRACE_ACTOR] = put_actor, [TRACE_MODEL] = put_model,
};

/* Dump o compact as one line.  Consumes o. */
/* One line of at most max bytes (the reader's caps, so what is written
 * reads back); a longer one is -EINVAL and nothing is written. */
static int write_line(FILE *f, json_t *o, size_t max)
{
	char *s = json_dumps(o, JSON_COMPACT);
	size_t n;
	int rc = 0;

	json_decref(o);
	if (s == NULL)
		return -ENOMEM;
	n = strlen(s);
	if (n + 1 > max) {
		free(s);
		return -EINVAL;
	}
	s[n] = '\n';    /* replaces the NUL; fwrite takes a length */
	errno = 0;
	if (fwrite(s, 1, n + 1, f) != n + 1)
		rc = errno != 0 ? -errno : -EIO;
	free(s);
	return rc;
}

int trace_write_ev(FILE *f, const struct trace *t, const struct trace_ev *ev)
{
	const struct trace_hdr *h = trace_hdr_c(t);
	struct put p = { json_object(), 0, h };

	if (p.o == NULL)
		return -ENOMEM;
	if (ev->kind >= TRACE_KIND_MAX || put_kind[ev->kind] == NULL ||
	    ev->actor >= h->nactors || !view_ev_ok(t, ev))
		p.rc = -EINVAL;
	put_count(&p, "seq", (int64_t)ev->seq);
	put_count(&p, "t_ns", ev->t_ns);
	if (p.rc == 0) {
		put_str(&p, "actor", h->actors[ev->actor].name);
		put_name(&p, "kind", trace_kind_name(ev->kind));
		put_kind[ev->kind](&p, ev);
	}
	if (p.rc != 0) {
		json_decref(p.o);
		return p.rc;
	}
	return write_line(f, p.o, TRACE_MAX_LINE);
}

/* The distinct non-empty models of the header's actors 1.., in order of
 * appearance. */
static json_t *models_value(const struct trace_hdr *h)
{
	json_t *a = json_array();

	for (int i = 1; a != NULL && i < h->nstart; i++) {
		const char *m = h->actors[i].model;
		bool seen = m == NULL || m[0] == '\0';

		for (int j = 1; j < i && !seen; j++)
			seen = h->actors[j].model != NULL &&
			       strcmp(h->actors[j].model, m) == 0;
		if (!seen && json_array_append_new(a, str_value(m, false)) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* ["phases", "set", ...]: the actor's capabilities, in bit order. */
static json_t *caps_value(unsigned caps)
{
	json_t *a = json_array();

	for (unsigned bit = 1; a != NULL && bit <= caps && bit != 0; bit <<= 1) {
		const char *name = trace_cap_name(bit);

		if ((caps & bit) && name != NULL &&
		    json_array_append_new(a, json_string(name)) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *actor_value(const struct trace_actor *a, int *rc)
{
	struct put p = { json_object(), 0, NULL };
	bool labelled = (a->label[0] != NULL && a->label[0][0] != '\0') ||
			(a->label[1] != NULL && a->label[1][0] != '\0');

	if (p.o == NULL) {
		*rc = -ENOMEM;
		return NULL;
	}
	put_str(&p, "name", a->name);
	put_str(&p, "model", a->model);
	if (a->caps != 0)
		put_new(&p, "caps", caps_value(a->caps), -ENOMEM);
	if (a->script != NULL && a->script[0] != '\0')
		put_str(&p, "script", a->script);
	if (labelled)
		put_pair(&p, "label", false, a->label);
	if (p.rc != 0) {
		json_decref(p.o);
		*rc = p.rc;
		return NULL;
	}
	return p.o;
}

/* The actors known when the run began; the others are written as their
 * TRACE_ACTOR begin events, so a recorder that streams can write this line
 * first. */
static json_t *actors_value(const struct trace_hdr *h, int *rc)
{
	json_t *a = json_array();

	*rc = a != NULL ? 0 : -ENOMEM;
	for (int i = 0; *rc == 0 && i < h->nstart; i++)
		if (json_array_append_new(a, actor_value(&h->actors[i], rc)) != 0 &&
		    *rc == 0)
			*rc = -ENOMEM;
	if (*rc != 0) {
		json_decref(a);
		return NULL;
	}
	return a;
}

/* "captions": [{"step":3,"model":"poll","text":{...}}, ...]; NULL (no
 * key) when there are none. */
static json_t *captions_value(const struct trace_hdr *h, int *rc)
{
	json_t *a;

	*rc = 0;
	if (h->ncaptions <= 0)
		return NULL;
	if (h->ncaptions > TRACE_MAX_CAST_CAPTIONS || (a = json_array()) == NULL) {
		*rc = h->ncaptions > TRACE_MAX_CAST_CAPTIONS ? -EINVAL : -ENOMEM;
		return NULL;
	}
	for (int i = 0; *rc == 0 && i < h->ncaptions; i++) {
		const struct trace_caption *c = &h->captions[i];
		struct put p = { json_object(), 0, NULL };

		if (p.o == NULL) {
			*rc = -ENOMEM;
			break;
		}
		if (c->step < 0 || c->step >= TRACE_MAX_STEPS)
			p.rc = -EINVAL;
		put_int(&p, "step", c->step);
		put_str(&p, "model", c->model);
		put_pair(&p, "text", true, c->text);
		if (p.rc != 0 || json_array_append_new(a, p.o) != 0) {
			*rc = p.rc != 0 ? p.rc : -ENOMEM;
			if (p.rc != 0)
				json_decref(p.o);
		}
	}
	if (*rc != 0) {
		json_decref(a);
		return NULL;
	}
	return a;
}

/* Whole speeds are written as integers ("speed":10), like a person would. */
static json_t *speed_value(double speed)
{
	if (!isfinite(speed) || speed <= 0)
		return NULL;
	if (speed == floor(speed) && speed < 9007199254740992.0)
		return json_integer((json_int_t)speed);
	return json_real(speed);
}

/* A traced program's (FORMAT.md, "Traced programs"): the command, the pid
 * attached to and the tracer's measured cost per call, all three when
 * there is a command; else pid and overhead_ns only when set.  Out of
 * the reader's bounds: -EINVAL. */
static void put_attach(struct put *p, const struct trace_hdr *h)
{
	bool attach = h->command != NULL;

	if (p->rc == 0 && ((attach && strlen(h->command) > TRACE_MAX_COMMAND) ||
			   h->attach_pid < 0 || h->attach_pid > TRACE_MAX_PID ||
			   h->overhead_ns < 0 || h->overhead_ns > TRACE_MAX_OVERHEAD_NS))
		p->rc = -EINVAL;
	if (attach)
		put_str(p, "command", h->command);
	if (attach || h->attach_pid != 0)
		put_int(p, "pid", h->attach_pid);
	if (attach || h->overhead_ns != 0)
		put_int(p, "overhead_ns", h->overhead_ns);
}

int trace_write_hdr(FILE *f, const struct trace *t)
{
	const struct trace_hdr *h = trace_hdr_c(t);
	struct put p = { json_object(), 0, NULL };
	json_t *actors;
	int rc = 0;

	if (p.o == NULL)
		return -ENOMEM;
	put_str(&p, "format", TRACE_FORMAT);
	put_int(&p, "version", TRACE_VERSION);
	put_str(&p, "scenario", h->scenario);
	put_new(&p, "models", models_value(h), -EINVAL);
	put_str(&p, "kernel", h->kernel);
	put_str(&p, "started", h->started);
	put_new(&p, "speed", speed_value(h->speed), -EINVAL);
	put_attach(&p, h);
	actors = actors_value(h, &rc);
	put_new(&p, "actors", actors, rc);
	if (h->ncaptions > 0) {
		json_t *c = captions_value(h, &rc);

		put_new(&p, "captions", c, rc);
	}
	if (p.rc != 0) {
		json_decref(p.o);
		return p.rc;
	}
	return write_line(f, p.o, TRACE_MAX_HDR_LINE);
}

static int save_to(FILE *f, const struct trace *t)
{
	size_t n = trace_count(t);
	int rc = trace_write_hdr(f, t);

	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = trace_write_ev(f, t, trace_at(t, i));
	if (rc == 0 && fflush(f) != 0)
		rc = -errno;
	return rc;
}

/* Through outfile: a regular file is replaced whole or not at all; a
 * device, FIFO or symbolic link's target is written, never replaced. */
int trace_write_file(const char *path, int (*write)(FILE *f, void *arg), void *arg)
{
	struct outfile o;
	int rc = outfile_open(&o, path, 0), rc2;

	if (rc != 0)
		return rc;
	rc = write(o.f, arg);
	if (rc == 0)
		rc = outfile_publish(&o);
	rc2 = outfile_close(&o);
	return rc != 0 ? rc : rc2;
}

static int save_cb(FILE *f, void *arg)
{
	return save_to(f, arg);
}

int trace_save(const struct trace *t, const char *path)
{
	return trace_write_file(path, save_cb, (void *)t);
}
