/* exercise_trace.c: the expectations judged from the trace of an attach
 * run: which model the server's threads showed, and whether a call of
 * theirs slept while a client waited.
 *
 * What is read (trace/FORMAT.md, "Traced programs"): every actor but the
 * world is a thread of the program; its enter/exit pairs (call, fd, the
 * exit's ret, err, dur_ns, and sys, the kernel's name); the sampler's
 * state events inside a call ('S': asleep, with wchan); model events
 * (model, caps, text: the classifier's evidence).  A model is told by its
 * capabilities, never by its name (tests/cli_rooms.sh); its name is only
 * printed.  A client is told from a server fd by the order of the
 * accepts: the kernel's accept queue hands connections out in the order
 * their connect() completed, which the player counted. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live/exercise.h"
#include "trace/lang.h"
#include "trace/trace.h"

/* A call that took this long slept, whatever the sampler saw (the
 * tracer's own cost is ~40 us a call). */
#define EX_SLEPT_NS (50 * 1000000LL)

/* The readiness capabilities: a set handed in, or the kernel's lists. */
#define CAPS_READY (TRACE_CAP_SET | TRACE_CAP_INTEREST | TRACE_CAP_LOOP)
/* Those that are not the blocking model's (its caps are phases alone). */
#define CAPS_NOT_BLOCKING (CAPS_READY | TRACE_CAP_TRIES | TRACE_CAP_SIGNAL | \
			   TRACE_CAP_COMPLETION | TRACE_CAP_HELPERS | TRACE_CAP_QUEUE)

/* One call of a program thread, from its enter to its exit (or to the
 * trace's end when it never returned). */
struct span {
	int actor, call, fd, err;
	const char *sys;
	int64_t from, to, ret;
	bool open, asleep;
	const char *wchan;
};

typedef void (*span_cb)(const struct span *s, void *arg);

static double secs(int64_t ns)
{
	return (double)ns / 1e9;
}

static int nactors(const struct trace *t)
{
	return trace_hdr_c(t)->nactors;
}

static const char *actor_name(const struct trace *t, int a)
{
	return trace_hdr_c(t)->actors[a].name;
}

/* Every call of every program thread, in the order they ended. */
static int scan_spans(const struct trace *t, span_cb cb, void *arg)
{
	int na = nactors(t);
	struct span *open = calloc((size_t)na, sizeof *open);
	size_t n = trace_count(t);
	int64_t end = 0;

	if (open == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct trace_ev e = *trace_at(t, i);
		struct span *s;

		end = e.t_ns > end ? e.t_ns : end;
		if (e.actor == TRACE_WORLD || e.actor >= na)
			continue;
		s = &open[e.actor];
		if (e.kind == TRACE_ENTER) {
			*s = (struct span){ .actor = e.actor, .call = e.call, .fd = e.fd,
					    .sys = e.syscall, .from = e.t_ns, .open = true };
		} else if (e.kind == TRACE_STATE && s->open && e.state == 'S' && e.what == 0) {
			s->asleep = true;
			s->wchan = e.wchan;
		} else if (e.kind == TRACE_EXIT && s->open && s->call == e.call) {
			s->to = e.dur_ns > 0 ? s->from + e.dur_ns : e.t_ns;
			s->ret = e.ret;
			s->err = e.err;
			s->open = false;
			cb(s, arg);
		}
	}
	for (int a = 0; a < na; a++)
		if (open[a].open) {
			open[a].to = end;
			cb(&open[a], arg);
		}
	free(open);
	return 0;
}

static bool span_slept(const struct span *s)
{
	return s->asleep || s->to - s->from >= EX_SLEPT_NS;
}

static const char *span_sys(const struct span *s)
{
	const char *n = s->sys != NULL ? s->sys : trace_call_name(s->call);

	return n != NULL ? n : "?";
}

/* The k-th connection accepted (0 first): its fd and when, or -1. */
static int accepted_fd(const struct trace *t, int k, int64_t *at)
{
	size_t n = trace_count(t);

	for (size_t i = 0; i < n; i++) {
		const struct trace_ev *e = trace_at(t, i);

		if (e->kind != TRACE_EXIT || e->call != TRACE_CALL_ACCEPT || e->ret < 0 ||
		    e->actor == TRACE_WORLD)
			continue;
		if (k-- == 0) {
			*at = e->t_ns;
			return (int)e->ret;
		}
	}
	return -1;
}

/* Which connection fd was at time at: the last accept that returned it
 * before then (its index among the accepts), or -1. */
static int conn_of_fd(const struct trace *t, int fd, int64_t at)
{
	size_t n = trace_count(t);
	int k = 0, found = -1;

	for (size_t i = 0; i < n; i++) {
		const struct trace_ev *e = trace_at(t, i);

		if (e->t_ns > at)
			break;
		if (e->kind != TRACE_EXIT || e->call != TRACE_CALL_ACCEPT || e->ret < 0 ||
		    e->actor == TRACE_WORLD)
			continue;
		if (e->ret == fd)
			found = k;
		k++;
	}
	return found;
}

/* "client 1's socket", "the listening socket", "fd 5". */
static void say_fd(const struct trace *t, const struct ex_result *r, const struct span *s,
		   int lang, char *out, size_t len)
{
	int k = s->call == TRACE_CALL_ACCEPT ? -1 : conn_of_fd(t, s->fd, s->from);

	if (s->call == TRACE_CALL_ACCEPT)
		snprintf(out, len, "%s", LANG_PICK(lang, "the listening socket", "监听套接字"));
	else if (k >= 0 && k < r->conns && r->conn_client[k] > 0)
		snprintf(out, len, LANG_PICK(lang, "client %d's socket", "客户端 %d 的套接字"),
			 r->conn_client[k]);
	else
		snprintf(out, len, LANG_PICK(lang, "fd %d", "fd %d"), s->fd);
}

/* The model actor a showed last, at or before time at (INT64_MAX: the
 * last of all): 0 when it showed none. */
static int model_of(const struct trace *t, int a, int64_t at, struct trace_ev *out)
{
	size_t n = trace_count(t);
	int found = 0;

	for (size_t i = 0; i < n; i++) {
		const struct trace_ev *e = trace_at(t, i);

		if (e->t_ns > at)
			break;
		if (e->kind == TRACE_MODEL && e->actor == a && e->model != NULL && e->model[0]) {
			*out = *e;
			found = 1;
		}
	}
	return found;
}

/* "its model: blocking (blocking: recvfrom(5) slept 2.0 s)". */
static void say_model(const struct trace *t, int a, int64_t at, int lang, char *out, size_t len)
{
	struct trace_ev m;

	if (!model_of(t, a, at, &m))
		snprintf(out, len, "%s", LANG_PICK(lang, "its model: not classified yet",
						   "它的模型：尚未判定"));
	else
		snprintf(out, len, LANG_PICK(lang, "its model: %s (%s)", "它的模型：%s（%s）"),
			 m.model, m.text[lang == LANG_ZH] ? m.text[lang == LANG_ZH] : "");
}

static int program_actors(const struct trace *t)
{
	return t == NULL ? 0 : nactors(t) - 1;
}

static void no_threads(int lang, struct ex_verdict *v)
{
	v->pass = false;
	snprintf(v->line, sizeof v->line, "%s",
		 LANG_PICK(lang, "the trace shows none of your server's threads: it made no socket call that attach saw",
			   "跟踪里没有你的服务器的任何线程：attach 没看到它做任何套接字调用"));
}

/* ---- served concurrently ---- */

struct blame {
	int64_t from, to;       /* the window a client waited, trace time */
	struct span best;
	int64_t overlap;
};

static void blame_cb(const struct span *s, void *arg)
{
	struct blame *b = arg;
	int64_t lo = s->from > b->from ? s->from : b->from;
	int64_t hi = s->to < b->to ? s->to : b->to;

	if (!trace_call_is_read(s->call) && s->call != TRACE_CALL_ACCEPT &&
	    s->call != TRACE_CALL_WRITE)
		return;
	if (hi - lo <= b->overlap || !span_slept(s))
		return;
	b->overlap = hi - lo;
	b->best = *s;
}

static void say_blame(const struct trace *t, const struct ex_result *r, const struct ex_wait *w,
		      const struct blame *b, int lang, struct ex_verdict *v)
{
	char on[64];
	const struct span *s = &b->best;
	int64_t dur = s->to - s->from;
	struct trace_ev m;

	say_fd(t, r, s, lang, on, sizeof on);
	if (s->call == TRACE_CALL_WRITE)
		snprintf(v->line, sizeof v->line,
			 LANG_PICK(lang, "blocked %.1f s in %s on %s while client %d waited: make the socket non-blocking and keep what does not fit for later",
				   "阻塞了 %.1f 秒：在 %s 里写%s，而客户端 %d 在等：把套接字设为非阻塞，写不下的留到以后"),
			 secs(dur), span_sys(s), on, w->client);
	else if (model_of(t, s->actor, s->to, &m) && (m.caps & CAPS_READY))
		/* it has a readiness model, and still slept in a read: a read
		 * the wait had not said was ready (a second read of a drained
		 * socket, or one of another socket) */
		snprintf(v->line, sizeof v->line,
			 LANG_PICK(lang, "blocked %.1f s in %s on %s while client %d waited: read only what the wait said was ready, once, or make the socket non-blocking and stop at EAGAIN",
				   "阻塞了 %.1f 秒：在 %s 里等%s，而客户端 %d 在等：只读等待调用说就绪的套接字、只读一次，或者把套接字设为非阻塞、读到 EAGAIN 就停"),
			 secs(dur), span_sys(s), on, w->client);
	else
		snprintf(v->line, sizeof v->line,
			 LANG_PICK(lang, "blocked %.1f s in %s on %s while client %d waited: use a readiness model (select, poll, epoll)",
				   "阻塞了 %.1f 秒：在 %s 里等%s，而客户端 %d 在等：改用就绪通知模型（select、poll、epoll）"),
			 secs(dur), span_sys(s), on, w->client);
	snprintf(v->evidence[0], sizeof v->evidence[0],
		 LANG_PICK(lang, "thread %s: %s(fd %d) from %.2f s to %.2f s%s%s%s",
			   "线程 %s：%s(fd %d) 从 %.2f 秒到 %.2f 秒%s%s%s"),
		 actor_name(t, s->actor), span_sys(s), s->fd, secs(s->from), secs(s->to),
		 s->open ? LANG_PICK(lang, " (still inside at the end)", "（到结束还在里面）") : "",
		 s->asleep ? LANG_PICK(lang, "; the kernel said S, asleep in ", "；内核说 S，睡在 ") : "",
		 s->asleep && s->wchan ? s->wchan : "");
	say_model(t, s->actor, s->to, lang, v->evidence[1], sizeof v->evidence[1]);
}

static void check_concurrent(const struct ex_result *r, const struct trace *t, int64_t off,
			     int lang, struct ex_verdict *v)
{
	const struct ex_wait *worst = NULL;

	for (int i = 0; i < r->nwaits; i++) {
		const struct ex_wait *w = &r->waits[i];
		struct blame b = { .from = w->from_ns + off, .to = w->to_ns + off };

		if (worst == NULL || w->to_ns - w->from_ns > worst->to_ns - worst->from_ns)
			worst = w;
		if (!w->late)
			continue;
		v->pass = false;
		if (t != NULL && scan_spans(t, blame_cb, &b) == 0 && b.overlap * 2 >= b.to - b.from) {
			say_blame(t, r, w, &b, lang, v);
			return;
		}
		snprintf(v->line, sizeof v->line,
			 LANG_PICK(lang, "client %d waited %.1f s for its reply while client %d was connected: serve every client as its data comes",
				   "客户端 %d 等回复等了 %.1f 秒，而客户端 %d 一直连着：哪个客户端的数据来了就服务哪个"),
			 w->client, secs(w->to_ns - w->from_ns), w->other);
		snprintf(v->evidence[0], sizeof v->evidence[0], "%s",
			 LANG_PICK(lang, "the trace shows no call of your server that slept then",
				   "跟踪里看不到你的服务器那时睡在哪个调用里"));
		return;
	}
	if (worst == NULL) {
		v->pass = false;
		snprintf(v->line, sizeof v->line, "%s",
			 LANG_PICK(lang, "no client waited while another was connected (nothing to judge)",
				   "没有客户端在别人连着时等待（无从判断）"));
		return;
	}
	v->pass = true;
	snprintf(v->line, sizeof v->line,
		 LANG_PICK(lang, "served concurrently: client %d's reply came in %.0f ms while client %d was connected",
			   "并发服务：客户端 %d 的回复在 %.0f 毫秒内到达，而客户端 %d 一直连着"),
		 worst->client, (double)(worst->to_ns - worst->from_ns) / 1e6, worst->other);
}

/* ---- the model seen ---- */

struct seen {
	int actor;              /* the thread that showed it, or -1 */
	struct trace_ev model;  /* its last model event (kind NONE: none) */
	int waits[4];           /* calls of select, poll, epoll_wait; reads */
	int wait_actor;         /* the first thread that made a wait */
	const char *wait_sys;
	int *accepts, *calls;   /* per actor */
	int nactors;
};

static void seen_cb(const struct span *s, void *arg)
{
	struct seen *z = arg;
	int w = s->call == TRACE_CALL_SELECT ? 0 : s->call == TRACE_CALL_POLL ? 1 :
		s->call == TRACE_CALL_EPOLL_WAIT ? 2 : trace_call_is_read(s->call) ? 3 : -1;

	if (z->calls != NULL && s->actor < z->nactors) {
		z->calls[s->actor]++;
		z->accepts[s->actor] += s->call == TRACE_CALL_ACCEPT;
	}
	if (w < 0)
		return;
	z->waits[w]++;
	if (w < 3 && z->wait_actor < 0) {
		z->wait_actor = s->actor;
		z->wait_sys = span_sys(s);
	}
}

/* How much a thread speaks for the server: accepting, then calls. */
static long rank(const struct seen *z, int a)
{
	long r = z->calls != NULL ? z->calls[a] : 0;

	if (z->accepts != NULL && z->accepts[a] > 0)
		r += 1L << 30;
	return r;
}

/* The model the program showed: a thread's readiness model, else the
 * model of the thread that speaks for the server (the one that accepted,
 * else the busiest: a launcher's thread, pyenv's bash reading a pipe,
 * shows a model too); actor -1 when that one is not classified.  And
 * the calls seen. */
static void find_seen(const struct trace *t, struct seen *z)
{
	struct trace_ev m;
	long best = -1, ready = -1;
	int server = -1;

	memset(z, 0, sizeof *z);
	z->actor = z->wait_actor = -1;
	z->nactors = nactors(t);
	z->accepts = calloc((size_t)z->nactors, sizeof *z->accepts);
	z->calls = calloc((size_t)z->nactors, sizeof *z->calls);
	scan_spans(t, seen_cb, z);
	for (int a = 1; a < z->nactors; a++)
		if (rank(z, a) > best) {
			best = rank(z, a);
			server = a;
		}
	for (int a = 1; a < z->nactors; a++) {
		if (!model_of(t, a, INT64_MAX, &m))
			continue;
		if ((unsigned)m.caps & CAPS_READY && rank(z, a) > ready) {
			ready = rank(z, a);
			z->actor = a;
			z->model = m;
		} else if (a == server && ready < 0) {
			z->actor = a;
			z->model = m;
		}
	}
	free(z->accepts);
	free(z->calls);
	z->accepts = z->calls = NULL;
}

static const char *why_of(const struct seen *z, int lang)
{
	const char *w = z->model.text[lang == LANG_ZH];

	return w != NULL ? w : "";
}

/* "epoll_wait 12, pselect6 0 ..." as the evidence of calls. */
static void say_calls(const struct seen *z, int lang, char *out, size_t len)
{
	snprintf(out, len, LANG_PICK(lang, "calls seen: select %d, poll %d, epoll_wait %d, reads %d",
				     "看到的调用：select %d 次，poll %d 次，epoll_wait %d 次，读 %d 次"),
		 z->waits[0], z->waits[1], z->waits[2], z->waits[3]);
}

static void check_ready(const struct trace *t, int lang, struct ex_verdict *v)
{
	struct seen z;
	const char *call_model;

	find_seen(t, &z);
	say_calls(&z, lang, v->evidence[1], sizeof v->evidence[1]);
	if (z.actor >= 0 && (unsigned)z.model.caps & CAPS_READY) {
		v->pass = true;
		if ((unsigned)z.model.caps & TRACE_CAP_INTEREST)
			snprintf(v->line, sizeof v->line, LANG_PICK(lang, "readiness model seen: %s",
								    "看到的就绪通知模型：%s"),
				 z.model.model);
		else
			snprintf(v->line, sizeof v->line,
				 LANG_PICK(lang, "readiness model seen: %s (epoll was asked; any readiness model passes)",
					   "看到的就绪通知模型：%s（题目要 epoll；任何就绪通知模型都算通过）"),
				 z.model.model);
		snprintf(v->evidence[0], sizeof v->evidence[0], LANG_PICK(lang, "thread %s: %s", "线程 %s：%s"),
			 actor_name(t, z.actor), why_of(&z, lang));
		return;
	}
	call_model = z.waits[2] ? "epoll_wait" : z.waits[1] ? "poll" : z.waits[0] ? "select" : NULL;
	if (z.actor < 0 && call_model != NULL) {
		/* Not classified (yet): its calls say it. */
		v->pass = true;
		snprintf(v->line, sizeof v->line,
			 LANG_PICK(lang, "readiness calls seen: %s (thread %s; not classified)",
				   "看到了就绪通知的调用：%s（线程 %s；尚未判定模型）"),
			 z.wait_sys, actor_name(t, z.wait_actor));
		return;
	}
	v->pass = false;
	if (z.actor >= 0) {
		snprintf(v->line, sizeof v->line,
			 LANG_PICK(lang, "no readiness model: your server's model is %s; wait on all its sockets at once with select, poll or epoll",
				   "没有用就绪通知模型：你的服务器的模型是 %s；用 select、poll 或 epoll 同时等所有套接字"),
			 z.model.model);
		snprintf(v->evidence[0], sizeof v->evidence[0], LANG_PICK(lang, "thread %s: %s", "线程 %s：%s"),
			 actor_name(t, z.actor), why_of(&z, lang));
	} else {
		snprintf(v->line, sizeof v->line, "%s",
			 LANG_PICK(lang, "no readiness model: no select, poll or epoll_wait call was seen",
				   "没有用就绪通知模型：没看到任何 select、poll 或 epoll_wait 调用"));
	}
}

static void check_select(const struct trace *t, int lang, struct ex_verdict *v)
{
	struct seen z;

	find_seen(t, &z);
	say_calls(&z, lang, v->evidence[1], sizeof v->evidence[1]);
	v->pass = z.waits[0] > 0;
	if (v->pass) {
		snprintf(v->line, sizeof v->line,
			 LANG_PICK(lang, "select seen: %d calls", "看到了 select：%d 次调用"), z.waits[0]);
		if (z.actor >= 0)
			snprintf(v->evidence[0], sizeof v->evidence[0],
				 LANG_PICK(lang, "thread %s: %s", "线程 %s：%s"),
				 actor_name(t, z.actor), why_of(&z, lang));
		return;
	}
	snprintf(v->line, sizeof v->line,
		 LANG_PICK(lang, "no select (pselect6) call was seen (the model seen: %s): this exercise asks for select",
			   "没看到 select（pselect6）调用（看到的模型：%s）：这个练习要求用 select"),
		 z.actor >= 0 ? z.model.model : LANG_PICK(lang, "none", "无"));
}

static void check_blocking(const struct trace *t, int lang, struct ex_verdict *v)
{
	struct seen z;
	bool waits;

	find_seen(t, &z);
	say_calls(&z, lang, v->evidence[1], sizeof v->evidence[1]);
	waits = z.waits[0] + z.waits[1] + z.waits[2] > 0;
	if (z.actor >= 0)
		v->pass = !((unsigned)z.model.caps & CAPS_NOT_BLOCKING) && !waits;
	else
		v->pass = !waits && z.waits[3] > 0;
	if (v->pass) {
		snprintf(v->line, sizeof v->line, LANG_PICK(lang, "the model seen is %s", "看到的模型是 %s"),
			 z.actor >= 0 ? z.model.model :
			 LANG_PICK(lang, "blocking (from its calls; not classified)", "阻塞（由调用看出；尚未判定）"));
	} else if (z.actor >= 0 || waits) {
		snprintf(v->line, sizeof v->line,
			 LANG_PICK(lang, "the model seen is %s, not blocking: this exercise asks for plain blocking calls",
				   "看到的模型是 %s，不是阻塞：这个练习要的是普通的阻塞调用"),
			 z.actor >= 0 ? z.model.model : z.wait_sys);
	} else {
		snprintf(v->line, sizeof v->line, "%s",
			 LANG_PICK(lang, "no read of your server was seen", "没看到你的服务器的任何读"));
	}
	if (z.actor >= 0)
		snprintf(v->evidence[0], sizeof v->evidence[0], LANG_PICK(lang, "thread %s: %s", "线程 %s：%s"),
			 actor_name(t, z.actor), why_of(&z, lang));
}

/* ---- no write that slept ---- */

struct writes {
	int fd;
	int64_t since;
	int n, short_or_again;
	struct span worst;
	bool slept;
};

static void writes_cb(const struct span *s, void *arg)
{
	struct writes *w = arg;

	if (s->call != TRACE_CALL_WRITE || s->fd != w->fd || s->from < w->since)
		return;
	w->n++;
	if (s->err == EAGAIN || s->err == EWOULDBLOCK)
		w->short_or_again++;
	if (span_slept(s) && (!w->slept || s->to - s->from > w->worst.to - w->worst.from)) {
		w->slept = true;
		w->worst = *s;
	}
}

static void check_writes(const struct ex_result *r, const struct trace *t, int lang,
			 struct ex_verdict *v)
{
	struct writes w = { .fd = -1 };
	char on[64];
	int k = -1;

	for (int i = 0; i < r->conns; i++)
		if (r->conn_client[i] == r->slow_client)
			k = i;
	if (k >= 0)
		w.fd = accepted_fd(t, k, &w.since);
	if (w.fd < 0) {
		v->pass = false;
		snprintf(v->line, sizeof v->line,
			 LANG_PICK(lang, "the trace shows no accept of client %d's connection",
				   "跟踪里看不到客户端 %d 的连接被 accept"),
			 r->slow_client);
		return;
	}
	scan_spans(t, writes_cb, &w);
	if (w.n == 0) {
		v->pass = false;
		snprintf(v->line, sizeof v->line,
			 LANG_PICK(lang, "the trace shows no write to client %d's socket (fd %d)",
				   "跟踪里看不到对客户端 %d 的套接字（fd %d）的写"),
			 r->slow_client, w.fd);
		return;
	}
	v->pass = !w.slept;
	if (v->pass) {
		snprintf(v->line, sizeof v->line,
			 LANG_PICK(lang, "no write blocked the server (%d writes to client %d, %d of them EAGAIN)",
				   "没有一次写阻塞服务器（写了 %d 次给客户端 %d，其中 %d 次 EAGAIN）"),
			 w.n, r->slow_client, w.short_or_again);
		return;
	}
	say_fd(t, r, &w.worst, lang, on, sizeof on);
	snprintf(v->line, sizeof v->line,
		 LANG_PICK(lang, "a write slept %.1f s in %s on %s: make the socket non-blocking, keep what does not fit, write it when it is writable",
			   "一次写睡了 %.1f 秒：在 %s 里写%s：把套接字设为非阻塞，写不下的留着，等可写时再写"),
		 secs(w.worst.to - w.worst.from), span_sys(&w.worst), on);
	snprintf(v->evidence[0], sizeof v->evidence[0],
		 LANG_PICK(lang, "thread %s: %s(fd %d) from %.2f s to %.2f s returned %lld%s%s",
			   "线程 %s：%s(fd %d) 从 %.2f 秒到 %.2f 秒，返回 %lld%s%s"),
		 actor_name(t, w.worst.actor), span_sys(&w.worst), w.worst.fd, secs(w.worst.from),
		 secs(w.worst.to), (long long)w.worst.ret,
		 w.worst.asleep ? LANG_PICK(lang, "; the kernel said S, asleep in ", "；内核说 S，睡在 ") : "",
		 w.worst.asleep && w.worst.wchan ? w.worst.wchan : "");
	say_model(t, w.worst.actor, w.worst.to, lang, v->evidence[1], sizeof v->evidence[1]);
}

void ex__check_trace(int expect, const struct ex_result *res, const struct trace *t,
		     int64_t mono_to_trace, int lang, struct ex_verdict *v)
{
	if (expect == EX_CONCURRENT) {
		/* The clients' waits decide; the trace names the call. */
		check_concurrent(res, t, mono_to_trace, lang, v);
		return;
	}
	if (program_actors(t) <= 0) {
		no_threads(lang, v);
		return;
	}
	switch (expect) {
	case EX_MODEL_BLOCKING: check_blocking(t, lang, v); break;
	case EX_MODEL_SELECT: check_select(t, lang, v); break;
	case EX_MODEL_READY: check_ready(t, lang, v); break;
	case EX_WRITES: check_writes(res, t, lang, v); break;
	default:
		v->pass = false;
		snprintf(v->line, sizeof v->line, "?");
	}
}
