/* read_ev.c: one event line of a trace (trace/FORMAT.md), checked field by
 * field in its parsed tree (struct jv, from jansson or the fast reader)
 * and appended.  There is one rd_* function per kind, in the order
 * FORMAT.md lists them, and a table indexed by kind; record.c has the
 * matching put_* functions.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "trace/fold.h"
#include "trace/read_int.h"
#include "trace/trace.h"

/* r->what, the thing being read, as a, b, c and d (each may be NULL) one
 * after another: as snprintf would, without its cost on every line. */
static void what_set(struct rd *r, const char *a, const char *b, const char *c,
		     const char *d)
{
	const char *part[] = { a, b, c, d };
	size_t n = 0;

	for (int i = 0; i < 4; i++)
		for (const char *s = part[i]; s != NULL && *s != '\0' &&
		     n + 1 < sizeof r->what; s++)
			r->what[n++] = *s;
	r->what[n] = '\0';
}

/* ---- event fields shared by several kinds ---- */

static int edge_from(const char *s)
{
	return strcmp(s, "begin") == 0 ? 0 : strcmp(s, "end") == 0 ? 1 : -1;
}

static int rd_edge(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	int end = 0;
	int rc = trace__get_choice(r, o, "edge", edge_from, "begin or end", &end);

	if (rc == 0 && end)
		ev->flags |= TRACE_F_END;
	return rc;
}

static int rd_call(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	int call = 0, rc = trace__get_name(r, o, "call", trace_call_name,
					   trace_call_from, TRACE_CALL_MAX, &call);

	ev->call = (uint16_t)call;
	return rc;
}

/* The optional "sys": the kernel's own name of the call (attach:
 * "pselect6" for select), a name and nothing else, interned. */
static int rd_sys(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	const char *sys;
	char buf[48];
	int rc;

	if (jv_get(o, "sys") == NULL)
		return 0;
	if ((rc = trace__get_raw(r, o, "sys", &sys)) != 0)
		return rc;
	if (!trace_sysname_ok(sys))
		return trace__fail(r, 1, "\"sys\" of %s is '%s' (expected the kernel's name "
				   "of the call: 1 to %d of a-z, 0-9 and _, such as \"pselect6\")",
				   r->what, trace__shown(sys, buf, sizeof buf), TRACE_MAX_SYSNAME);
	if ((ev->syscall = trace_intern(r->t, sys)) == NULL)
		return trace_full(r->t) ? -EFBIG : -ENOMEM;
	return 0;
}

/* A descriptor, or -1 for none. */
static int rd_fd(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	int64_t v = 0;
	int rc = trace__get_int(r, o, "fd", -1, INT32_MAX, &v);

	ev->fd = (int32_t)v;
	return rc;
}

static int rd_step(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	int64_t v = 0;
	int rc = trace__opt_int(r, o, "step", 0, TRACE_MAX_STEPS - 1, -1, &v);

	ev->step = (int32_t)v;
	return rc;
}

static int rd_try(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	int64_t v = 0;
	int rc = trace__opt_int(r, o, "try", 0, UINT32_MAX, 0, &v);

	ev->count = (uint32_t)v;
	return rc;
}

/* A time or a duration: ns, 0 .. TRACE_MAX_NS. */
static int rd_ns(struct rd *r, struct jv *o, const char *key, int64_t *out)
{
	return trace__get_int(r, o, key, 0, TRACE_MAX_NS, out);
}

/* A call's result (bytes, a descriptor, a count) or -errno into ev->ret. */
static int rd_ret(struct rd *r, struct jv *o, const char *key, struct trace_ev *ev)
{
	return trace__get_int(r, o, key, TRACE_MIN_RET, TRACE_MAX_RET, &ev->ret);
}

/* A name from one of trace.c's tables (phase, what, op) into *out. */
static int rd_name(struct rd *r, struct jv *o, const char *key,
		   const char *(*name)(int), int (*from)(const char *),
		   int limit, uint8_t *out)
{
	int v = 0, rc = trace__get_name(r, o, key, name, from, limit, &v);

	*out = (uint8_t)v;
	return rc;
}

/* ---- multiplexing (select, poll, epoll) ---- */

/* A count (lo 0 or 1, up to TRACE_MAX_COUNT), a descriptor (lo -1) or a
 * tag (lo INT32_MIN) into ev->n or ev->arg. */
static int rd_i32(struct rd *r, struct jv *o, const char *key, int64_t lo,
		  int32_t *out)
{
	int64_t v = 0;
	int rc = trace__get_int(r, o, key, lo, TRACE_MAX_COUNT, &v);

	*out = (int32_t)v;
	return rc;
}

/* The optional "out": fds of the listed "fds", each once, watched for
 * writing (or back writable).  Absent in older traces: none. */
static int rd_outs(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	const char *expect = "an array of distinct fds listed in \"fds\"";
	struct jv *a = jv_get(o, "out"), *v;

	if (a == NULL)
		return 0;
	if (!jv_is(a, JV_ARR))
		return trace__fail(r, 1, "\"out\" of %s is %s (expected %s)",
				   r->what, trace__type_desc(a), expect);
	for (size_t i = 0; i < a->n; i++) {
		int k = -1;

		v = &a->kid[i];
		for (int j = 0; jv_is(v, JV_INT) && j < ev->nfds && k < 0; j++)
			if (ev->fd_list[j] == v->i && !(ev->outs & (1u << j)))
				k = j;
		if (k < 0)
			return trace__fail(r, 1, "\"out[%zu]\" of %s is not a new fd of "
					   "its \"fds\" (expected %s)", i, r->what, expect);
		ev->outs |= (uint16_t)(1u << k);
	}
	return 0;
}

/* "fds": at most TRACE_FDS_INLINE descriptors; the optional "fds_more"
 * counts those of the set that were not listed. */
#define FDS_EXPECT "an array of at most 16 fds"
_Static_assert(TRACE_FDS_INLINE == 16, "FDS_EXPECT says 16");

static int rd_fds(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	char key[32];
	int64_t v = 0;
	struct jv *a;
	size_t n;
	int rc;

	if ((rc = trace__need(r, o, "fds", FDS_EXPECT, &a)) != 0)
		return rc;
	if (!jv_is(a, JV_ARR))
		return trace__fail(r, 1, "\"fds\" of %s is %s (expected %s)",
				   r->what, trace__type_desc(a), FDS_EXPECT);
	if ((n = a->n) > TRACE_FDS_INLINE)
		return trace__fail(r, 1, "\"fds\" of %s has %zu entries (expected "
				   "at most %d fds, then fds_more)", r->what, n,
				   TRACE_FDS_INLINE);
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (jv_int_in(&a->kid[i], -1, INT32_MAX)) {
			ev->fd_list[i] = (int32_t)a->kid[i].i;
			continue;
		}
		snprintf(key, sizeof key, "fds[%zu]", i);    /* for the message */
		rc = trace__int_in(r, &a->kid[i], key, -1, INT32_MAX, &v);
	}
	ev->nfds = (uint16_t)n;
	if (rc == 0)
		rc = trace__opt_int(r, o, "fds_more", 0, TRACE_MAX_COUNT, 0, &v);
	ev->fds_more = (uint32_t)v;
	return rc != 0 ? rc : rd_outs(r, o, ev);
}

/* The names in array a (key of the event), each once, as bits of
 * ev->sets: "noun" names them in the message ("event", "set"). */
static int rd_bit_names(struct rd *r, struct jv *a, const char *key, const char *noun,
			int (*from)(const char *), const char *expect, struct trace_ev *ev)
{
	int bit;

	for (size_t i = 0; i < a->n; i++) {
		bit = jv_is(&a->kid[i], JV_STR) ? from(a->kid[i].s) : -1;
		if (bit < 0 || (ev->sets & bit))
			return trace__fail(r, 1, "\"%s[%zu]\" of %s is not a "
					   "new %s name (expected %s)", key, i,
					   r->what, noun, expect);
		ev->sets |= (uint8_t)bit;
	}
	return 0;
}

/* epoll_ctl's optional "events": distinct names, "in", "out" and "et"
 * (EPOLLET, attach).  Absent (older traces): not recorded. */
static int rd_events(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	const char *expect = "an array of distinct event names: in, out, et";
	struct jv *a = jv_get(o, "events");
	int rc;

	if (a == NULL)
		return 0;
	if (!jv_is(a, JV_ARR))
		return trace__fail(r, 1, "\"events\" of %s is %s (expected %s)",
				   r->what, trace__type_desc(a), expect);
	if ((rc = rd_bit_names(r, a, "events", "event", trace_epev_from, expect, ev)) != 0)
		return rc;
	ev->flags |= TRACE_F_EVENTS;
	return 0;
}

static int rd_op(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	int rc = rd_name(r, o, "op", trace_op_name, trace_op_from,
			 TRACE_OP_MAX, &ev->what);

	if (rc == 0)
		rc = rd_i32(r, o, "target", -1, &ev->arg);
	return rc != 0 ? rc : rd_events(r, o, ev);
}

/* Messages about a call's own keys say which call: "the \"enter\" event of
 * select has no \"fds\"". */
static void what_call(struct rd *r, const struct trace_ev *ev)
{
	what_set(r, "the \"", trace_kind_name(ev->kind), "\" event of ",
		 trace_call_name(ev->call));
}

/* "sets": select's sets handed in, an array of distinct names, at least one. */
static int rd_sets(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	const char *expect = "an array of distinct set names: read, write, except";
	struct jv *a;
	int rc;

	if ((rc = trace__need(r, o, "sets", expect, &a)) != 0)
		return rc;
	if (!jv_is(a, JV_ARR) || a->n == 0)
		return trace__fail(r, 1, "\"sets\" of %s is %s (expected %s)",
				   r->what, jv_is(a, JV_ARR) ? "empty" :
				   trace__type_desc(a), expect);
	return rd_bit_names(r, a, "sets", "set", trace_fdset_from, expect, ev);
}

/* What a select or poll costs the kernel: "polled", the bytes copied in
 * and, at the exit, back; all or none (older traces have none:
 * TRACE_F_COST stays clear and the views say what they know). */
static int rd_cost(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	int64_t in = 0, out = 0;
	int rc;

	if (jv_get(o, "polled") == NULL)
		return 0;
	rc = rd_i32(r, o, "polled", 0, &ev->polled);
	if (rc == 0 && ev->polled > ev->n)
		return trace__fail(r, 1, "\"polled\" of %s is %d (expected at most "
				   "%s, %d)", r->what, ev->polled,
				   ev->kind == TRACE_EXIT ? "\"checked\"" : "\"nfds\"", ev->n);
	if (rc == 0)
		rc = trace__get_int(r, o, "copied_in", 0, TRACE_MAX_COUNT, &in);
	if (rc == 0 && ev->kind == TRACE_EXIT)
		rc = trace__get_int(r, o, "copied_out", 0, TRACE_MAX_COUNT, &out);
	if (rc == 0 && ev->call == TRACE_CALL_SELECT)
		rc = rd_sets(r, o, ev);
	ev->copied_in = (uint32_t)in;
	ev->copied_out = (uint32_t)out;
	ev->flags |= TRACE_F_COST;
	return rc;
}

/* What a call was handed, after call and fd. */
static int rd_call_args(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	int rc;

	switch (ev->call) {
	case TRACE_CALL_SELECT:
	case TRACE_CALL_POLL:
		what_call(r, ev);
		rc = rd_i32(r, o, "nfds", 0, &ev->n);
		if (rc == 0)
			rc = rd_fds(r, o, ev);
		return rc != 0 ? rc : rd_cost(r, o, ev);
	case TRACE_CALL_EPOLL_WAIT:
		what_call(r, ev);
		return rd_i32(r, o, "maxevents", 0, &ev->n);
	case TRACE_CALL_EPOLL_CTL:
		what_call(r, ev);
		return rd_op(r, o, ev);
	default:
		return 0;
	}
}

/* What a call handed back, after ret, dur_ns, errno and try. */
static int rd_call_results(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	int rc;

	switch (ev->call) {
	case TRACE_CALL_SELECT:
	case TRACE_CALL_POLL:
	case TRACE_CALL_EPOLL_WAIT:
		what_call(r, ev);
		rc = rd_i32(r, o, "checked", 0, &ev->n);
		if (rc == 0)
			rc = rd_fds(r, o, ev);
		return rc != 0 || ev->call == TRACE_CALL_EPOLL_WAIT ? rc :
		       rd_cost(r, o, ev);
	case TRACE_CALL_EPOLL_CTL:
		what_call(r, ev);
		return rd_op(r, o, ev);
	default:
		return 0;
	}
}

/* ---- one function per kind, in the order FORMAT.md lists them ---- */

static int rd_enter(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	int rc = rd_call(r, o, ev);

	if (rc == 0)
		rc = rd_sys(r, o, ev);
	if (rc == 0)
		rc = rd_fd(r, o, ev);
	return rc != 0 ? rc : rd_call_args(r, o, ev);
}

static int rd_exit(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	int err = 0, rc = rd_call(r, o, ev);

	if (rc == 0)
		rc = rd_sys(r, o, ev);
	if (rc == 0)
		rc = rd_fd(r, o, ev);

	if (rc == 0)
		rc = rd_ret(r, o, "ret", ev);
	if (rc == 0)
		rc = rd_ns(r, o, "dur_ns", &ev->dur_ns);
	if (rc == 0 && jv_get(o, "errno") != NULL)
		rc = trace__get_choice(r, o, "errno", trace_errno_from,
				       "an errno name such as EAGAIN", &err);
	ev->err = err;
	if (rc == 0)
		rc = rd_try(r, o, ev);
	return rc != 0 ? rc : rd_call_results(r, o, ev);
}

/* The optional "whole" (attach): the wait holds its copy too; only a
 * wait can.  Then its fd. */
static int rd_whole(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	bool whole = false;
	int rc = trace__opt_bool(r, o, "whole", &whole);

	if (rc == 0 && whole && ev->phase != TRACE_PH_WAIT)
		rc = trace__fail(r, 1, "\"whole\" of %s is true on a %s phase (expected it "
				 "only on a wait: a wait that holds its copy)", r->what,
				 trace_phase_name(ev->phase));
	if (whole)
		ev->flags |= TRACE_F_WHOLE;
	return rc != 0 ? rc : rd_fd(r, o, ev);
}

static int rd_phase(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	struct jv *v;
	int rc = rd_name(r, o, "phase", trace_phase_name, trace_phase_from,
			 TRACE_PH_MAX, &ev->phase);

	if (rc == 0)
		rc = rd_edge(r, o, ev);
	if (rc == 0)
		rc = trace__need(r, o, "blocked", "true or false", &v);
	if (rc == 0 && !jv_is_bool(v))
		rc = trace__fail(r, 1, "\"blocked\" of %s is %s (expected true or false)",
				 r->what, trace__type_desc(v));
	if (rc == 0 && jv_is(v, JV_TRUE))
		ev->flags |= TRACE_F_BLOCKED;
	return rc != 0 ? rc : rd_whole(r, o, ev);
}

static int rd_arrive(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	int rc = rd_fd(r, o, ev);

	if (rc == 0)
		rc = rd_ret(r, o, "bytes", ev);
	return rc != 0 ? rc : rd_step(r, o, ev);
}

static int rd_close(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	bool abrupt = false;
	int rc = rd_fd(r, o, ev);

	if (rc == 0)
		rc = trace__opt_bool(r, o, "abrupt", &abrupt);
	ev->what = abrupt;
	return rc != 0 ? rc : rd_step(r, o, ev);
}

/* "helper": tid works for the actor (glibc's aio threads). */
static int rd_state(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	const char *s;
	char buf[48];
	bool helper = false;
	int64_t tid = 0, pid = 0, fd = -1;
	int rc = trace__get_int(r, o, "tid", 0, INT32_MAX, &tid);

	ev->tid = (int32_t)tid;
	if (rc == 0)    /* absent in files written before it was */
		rc = trace__opt_int(r, o, "pid", 1, TRACE_MAX_PID, 0, &pid);
	ev->pid = (int32_t)pid;
	if (rc == 0)
		rc = trace__get_raw(r, o, "state", &s);
	if (rc == 0 && (strlen(s) != 1 || s[0] <= ' ' || s[0] >= 0x7f))
		rc = trace__fail(r, 1, "\"state\" of %s is '%s' (expected one letter "
				 "as in /proc/PID/stat, e.g. \"S\")", r->what,
				 trace__shown(s, buf, sizeof buf));
	if (rc == 0)
		ev->state = s[0];
	if (rc == 0)
		rc = trace__get_str(r, o, "syscall", &ev->syscall);
	if (rc == 0)
		rc = trace__get_str(r, o, "wchan", &ev->wchan);
	if (rc == 0)
		rc = trace__opt_int(r, o, "fd", INT32_MIN, INT32_MAX, -1, &fd);
	ev->fd = (int32_t)fd;
	if (rc == 0)
		rc = trace__opt_bool(r, o, "helper", &helper);
	ev->what = helper;
	return rc;
}

static int rd_caption(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	int rc = trace__get_pair(r, o, "text", true, ev->text);

	return rc != 0 ? rc : rd_step(r, o, ev);
}

static int rd_idle(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	int rc = rd_edge(r, o, ev);

	if (rc == 0 && (ev->flags & TRACE_F_END))
		rc = rd_ns(r, o, "dur_ns", &ev->dur_ns);
	return rc != 0 ? rc : rd_try(r, o, ev);
}

static int rd_lost(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	int64_t v = 0;
	int rc = trace__get_int(r, o, "count", 0, UINT32_MAX, &v);

	ev->count = (uint32_t)v;
	return rc;
}

static int rd_done(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	int64_t v = 0;
	int rc = rd_ret(r, o, "ret", ev);

	if (rc == 0)
		rc = trace__opt_int(r, o, "unread", 0, UINT32_MAX, 0, &v);
	ev->count = (uint32_t)v;
	return rc;
}

/* A work queue's capacity, "max" (required: the views draw n of max),
 * and no more requests than that; "max" on another set is a mistake. */
static int rd_workq_max(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	int rc;

	what_set(r, "the \"set\" event of ", trace_set_name(ev->what), NULL, NULL);
	if (ev->what != TRACE_SET_WORKQ)
		return jv_get(o, "max") == NULL ? 0 :
		       trace__fail(r, 1, "\"max\" of %s is there (expected it only "
				   "on a workq set)", r->what);
	if ((rc = rd_i32(r, o, "max", 1, &ev->arg)) != 0)
		return rc;
	if (ev->n > ev->arg)
		return trace__fail(r, 1, "\"n\" of %s is %d (expected at most \"max\", "
				   "%d)", r->what, ev->n, ev->arg);
	return 0;
}

static int rd_set(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	int rc = rd_name(r, o, "what", trace_set_name, trace_set_from,
			 TRACE_SET_MAX, &ev->what);

	if (rc == 0)
		rc = rd_i32(r, o, "n", 0, &ev->n);
	if (rc == 0)
		rc = rd_workq_max(r, o, ev);
	return rc != 0 ? rc : rd_fds(r, o, ev);
}

static int rd_ready(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	int rc = rd_name(r, o, "what", trace_ready_name, trace_ready_from,
			 TRACE_READY_MAX, &ev->what);

	if (rc == 0)
		rc = rd_fd(r, o, ev);
	return rc != 0 ? rc : rd_step(r, o, ev);
}

static int rd_refuse(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	int rc = rd_fd(r, o, ev);

	return rc != 0 ? rc : rd_i32(r, o, "limit", 1, &ev->n);
}

/* ---- servers and their clients ---- */

/* "server" names an actor of the header; ev->arg is its index. */
static int rd_connect(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	const char *server;
	char buf[48];
	int rc = rd_fd(r, o, ev);

	if (rc == 0)
		rc = trace__get_raw(r, o, "server", &server);
	if (rc != 0)
		return rc;
	if ((ev->arg = trace_find_actor(r->t, server)) < 0)
		return trace__fail(r, 1, "\"server\" of %s is '%s' (expected an actor "
				   "of the header)", r->what,
				   trace__shown(server, buf, sizeof buf));
	return rd_step(r, o, ev);
}

static int rd_deliver(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	int64_t v = 0;
	int rc = rd_fd(r, o, ev);

	if (rc == 0)
		rc = trace__get_int(r, o, "bytes", 0, TRACE_MAX_RET, &ev->ret);
	if (rc == 0)
		rc = trace__opt_int(r, o, "fnv1a", 0, UINT32_MAX, 0, &v);
	ev->count = (uint32_t)v;
	return rc;
}

/* ---- signal-driven and asynchronous IO ---- */

/* "SIGIO", "SIGRTMIN", "SIGRTMIN+2" (record.c's signal_name), mapped with
 * this process's SIGRTMIN; "SIGPOLL", SIGIO's other name, is read too. */
static int signal_from(const char *s)
{
	char *end;
	long k;

	if (strcmp(s, "SIGIO") == 0)
		return SIGIO;
	if (strcmp(s, "SIGRTMIN") == 0)
		return SIGRTMIN;
	if (strncmp(s, "SIGRTMIN+", 9) == 0 && s[9] >= '1' && s[9] <= '9') {
		k = strtol(s + 9, &end, 10);    /* no sign, space or leading 0 */
		return *end == '\0' && k <= SIGRTMAX - SIGRTMIN ? SIGRTMIN + (int)k : -1;
	}
	for (int i = 1; strncmp(s, "SIG", 3) == 0 && i < SIGRTMIN; i++)
		if (sigabbrev_np(i) != NULL && strcmp(sigabbrev_np(i), s + 3) == 0)
			return i;
	return -1;
}

static int rd_signal(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	int64_t tid = 0;
	int signo = 0, rc = trace__get_choice(r, o, "signal", signal_from,
		"a signal name such as \"SIGIO\" or \"SIGRTMIN+2\"", &signo);

	ev->n = signo;
	if (rc == 0)
		rc = rd_fd(r, o, ev);
	if (rc == 0)
		rc = trace__get_int(r, o, "tid", 0, INT32_MAX, &tid);
	ev->tid = (int32_t)tid;
	return rc;
}

/* fd and the request's tag: what submit and complete have first. */
static int rd_request(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	int rc = rd_fd(r, o, ev);

	return rc != 0 ? rc : rd_i32(r, o, "tag", INT32_MIN, &ev->arg);
}

static int rd_submit(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	int rc = rd_request(r, o, ev);

	return rc != 0 ? rc : rd_i32(r, o, "in_flight", 0, &ev->n);
}

/* A negative ret is -errno, and "errno" must name it. */
static int rd_result(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	const char *name = ev->ret < 0 && ev->ret >= -255 ?
			   trace_errno_name((int)-ev->ret) : NULL;
	char expect[80];
	int err = 0, rc;

	if (ev->ret >= 0)
		return 0;
	if (name == NULL || trace_errno_from(name) != -ev->ret)
		return trace__fail(r, 1, "\"ret\" of %s is %lld (expected bytes >= 0 "
				   "or a negative errno)", r->what, (long long)ev->ret);
	snprintf(expect, sizeof expect, "\"%s\", as \"ret\" is %lld", name,
		 (long long)ev->ret);
	rc = trace__get_choice(r, o, "errno", trace_errno_from, expect, &err);
	if (rc == 0 && err != -ev->ret)
		rc = trace__fail(r, 1, "\"errno\" of %s is '%s' (expected %s)",
				 r->what, trace_errno_name(err), expect);
	return rc;
}

static int rd_complete(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	int rc = rd_request(r, o, ev);

	/* Any integer first, so that a negative one not an errno is told so
	 * (rd_result); then the largest result allowed. */
	if (rc == 0)
		rc = trace__get_int(r, o, "ret", INT64_MIN, INT64_MAX, &ev->ret);
	if (rc == 0)
		rc = rd_result(r, o, ev);
	if (rc == 0)
		rc = rd_ret(r, o, "ret", ev);
	return rc != 0 ? rc : rd_i32(r, o, "waiting", 0, &ev->n);
}

static int rd_note(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	return trace__get_pair(r, o, "text", true, ev->text);
}

/* ---- actors that appear, change and leave ---- */

/* The begin's details, into the header's table: its name is the event's
 * "actor", which must be new. */
static int rd_announce(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	const char *name = jv_str(jv_get(o, "actor"));
	const char *model, *parent = NULL, *label[2] = { "", "" };
	unsigned caps = 0;
	char buf[48];
	int p = -1, i, rc = trace__get_str(r, o, "model", &model);

	if (rc == 0)
		rc = trace__get_caps(r, jv_get(o, "caps"), &caps);
	if (rc == 0 && jv_get(o, "label") != NULL)
		rc = trace__get_pair(r, o, "label", false, label);
	if (rc == 0 && jv_get(o, "parent") != NULL)
		rc = trace__get_raw(r, o, "parent", &parent);
	if (rc != 0)
		return rc;
	if (parent != NULL && (p = trace_find_actor(r->t, parent)) < 0)
		return trace__fail(r, 1, "\"parent\" of %s is '%s' (expected an actor of "
				   "the header or announced before it)", r->what,
				   trace__shown(parent, buf, sizeof buf));
	if (name[0] == '\0' || trace_find_actor(r->t, name) >= 0)
		return trace__fail(r, 1, "%s announces '%s' (expected a new, unique, "
				   "non-empty actor name)", r->what,
				   trace__shown(name, buf, sizeof buf));
	i = trace_announce_actor(r->t, name, model, caps, label[0], label[1], p);
	if (i == -ENOSPC)
		return trace__fail(r, 1, "%s announces actor %d (expected at most %d "
				   "actors in a trace)", r->what, trace_hdr(r->t)->nactors + 1,
				   TRACE_ACTORS_LIMIT);
	if (i < 0)
		return i;
	ev->actor = (uint16_t)i;
	return 0;
}

/* begin: the actor appears (its tid and pid optional); end: it leaves. */
static int rd_actor(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	int64_t tid = 0, pid = 0;
	int rc = rd_edge(r, o, ev);

	if (rc != 0 || (ev->flags & TRACE_F_END))
		return rc;
	rc = rd_announce(r, o, ev);
	if (rc == 0)
		rc = trace__opt_int(r, o, "tid", 1, INT32_MAX, 0, &tid);
	if (rc == 0)
		rc = trace__opt_int(r, o, "pid", 1, TRACE_MAX_PID, 0, &pid);
	ev->tid = (int32_t)tid;
	ev->pid = (int32_t)pid;
	return rc;
}

static int rd_model(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	unsigned caps = 0;
	int rc = trace__get_str(r, o, "model", &ev->model);

	if (rc == 0 && ev->model[0] == '\0')
		rc = trace__fail(r, 1, "\"model\" of %s is empty (expected the actor's "
				 "new model)", r->what);
	if (rc == 0)
		rc = trace__get_caps(r, jv_get(o, "caps"), &caps);
	ev->caps = (int32_t)caps;
	return rc != 0 ? rc : trace__get_pair(r, o, "why", true, ev->text);
}

/* A new kind needs a line here and one in record.c's table. */
static int (*const rd_kind[TRACE_KIND_MAX])(struct rd *, struct jv *, struct trace_ev *) = {
	[TRACE_ENTER] = rd_enter, [TRACE_EXIT] = rd_exit,
	[TRACE_PHASE] = rd_phase, [TRACE_ARRIVE] = rd_arrive,
	[TRACE_CLOSE] = rd_close, [TRACE_STATE] = rd_state,
	[TRACE_CAPTION] = rd_caption, [TRACE_IDLE] = rd_idle,
	[TRACE_LOST] = rd_lost, [TRACE_DONE] = rd_done,
	[TRACE_SET] = rd_set, [TRACE_READY] = rd_ready,
	[TRACE_REFUSE] = rd_refuse, [TRACE_CONNECT] = rd_connect,
	[TRACE_DELIVER] = rd_deliver, [TRACE_SIGNAL] = rd_signal,
	[TRACE_SUBMIT] = rd_submit, [TRACE_COMPLETE] = rd_complete,
	[TRACE_NOTE] = rd_note, [TRACE_ACTOR] = rd_actor, [TRACE_MODEL] = rd_model,
};

static const char *readable_kind(int k)
{
	return k > 0 && k < TRACE_KIND_MAX && rd_kind[k] ? trace_kind_name(k) : NULL;
}

/* An "actor" event that announces its actor: the name is new (rd_announce). */
static bool is_begin(struct jv *o, int kind)
{
	const char *edge;

	if (kind != TRACE_ACTOR)
		return false;
	edge = jv_str(jv_get(o, "edge"));
	return edge == NULL || strcmp(edge, "end") != 0;
}

/* The event's actor: known and still there; the world neither appears,
 * leaves nor changes its model. */
static int rd_who(struct rd *r, const char *actor, struct trace_ev *ev)
{
	const struct trace_hdr *h = trace_hdr_c(r->t);
	char buf[48];
	int i = trace_find_actor(r->t, actor);

	if (i < 0)
		return trace__fail(r, 1, "event actor '%s' is not in the header "
				   "(expected one of its \"actors\", or one an \"actor\" "
				   "event announced on an earlier line)",
				   trace__shown(actor, buf, sizeof buf));
	ev->actor = (uint16_t)i;
	if (h->actors[i].ended && ev->kind != TRACE_LOST)
		return trace__fail(r, 1, "the \"%s\" event is from '%s', which has "
				   "ended (expected no event but lost after an actor's "
				   "\"actor\" end)", trace_kind_name(ev->kind),
				   trace__shown(actor, buf, sizeof buf));
	if (i == TRACE_WORLD && (ev->kind == TRACE_ACTOR || ev->kind == TRACE_MODEL))
		return trace__fail(r, 1, "the \"%s\" event is about the world (expected "
				   "another actor: the world neither appears, leaves nor "
				   "changes its model)", trace_kind_name(ev->kind));
	return 0;
}

/* seq, t_ns, actor and kind: what every event has. */
static int rd_common(struct rd *r, struct jv *o, struct trace_ev *ev)
{
	const char *actor, *kind;
	char buf[48], list[512];
	int64_t seq = 0;
	int i, rc = trace__get_int(r, o, "seq", 0, INT64_MAX, &seq);

	if (rc == 0)
		rc = rd_ns(r, o, "t_ns", &ev->t_ns);
	if (rc == 0)
		rc = trace__get_raw(r, o, "actor", &actor);
	if (rc == 0)
		rc = trace__get_raw(r, o, "kind", &kind);
	if (rc != 0)
		return rc;
	if ((i = trace_kind_from(kind)) < 0 || readable_kind(i) == NULL)
		return trace__fail(r, 1, "event kind '%s' is unknown (expected one "
				   "of: %s)", trace__shown(kind, buf, sizeof buf),
				   trace__names_list(list, sizeof list, readable_kind,
						     TRACE_KIND_MAX));
	ev->kind = (uint8_t)i;
	/* An announcement names an actor not known yet: rd_actor adds it. */
	return is_begin(o, i) ? 0 : rd_who(r, actor, ev);
}

int trace__rd_event(struct rd *r, struct jv *o)
{
	struct trace_ev ev = { .fd = -1, .step = -1 };
	int rc;

	what_set(r, "the event", NULL, NULL, NULL);
	if (!jv_is(o, JV_OBJ))
		return trace__fail(r, 1, "line is %s (expected an event object "
				   "{\"seq\":...,\"kind\":...})", trace__type_desc(o));
	if ((rc = rd_common(r, o, &ev)) != 0)
		return rc;
	what_set(r, "the \"", trace_kind_name(ev.kind), "\" event", NULL);
	if ((rc = rd_kind[ev.kind](r, o, &ev)) != 0)
		return rc;
	/* Each field was checked above; this is the views' own test, so a
	 * bound added to one and not the other cannot let an event through. */
	if (!view_ev_ok(r->t, &ev))
		return trace__fail(r, 1, "%s is outside the bounds of trace/FORMAT.md "
				   "(expected values a view can show)", r->what);
	return trace_append(r->t, &ev);
}
