/* record_util.h: what the trace format's test suites share (test_record.c,
 * test_record_mux.c, test_record_async.c, test_record_cost.c): events and traces to write,
 * comparisons, and reading text that must load or be refused.  Header-only
 * (static inline) because the Makefile links each test_*.c on its own. */
#ifndef IOSCOPE_TESTS_RECORD_UTIL_H
#define IOSCOPE_TESTS_RECORD_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/trace.h"

/* What a failed read must leave in its out-parameter. */
static inline struct trace *untouched(void)
{
	static max_align_t mark;

	return (struct trace *)(void *)&mark;
}

static inline struct trace_ev ev_of(int kind, int actor, int64_t t_ns)
{
	return (struct trace_ev){ .kind = (uint8_t)kind, .actor = (uint16_t)actor,
				  .t_ns = t_ns, .fd = -1, .step = -1 };
}

static inline void add(struct trace *t, struct trace_ev ev)
{
	assert_int_equal(trace_append(t, &ev), 0);
}

/* An event of a multiplexing call or kind: n, its set (nfds of them, from
 * first upwards by step), what and arg. */
static inline struct trace_ev mux_ev(int kind, int call, int fd, int n,
				     int nfds, int first, int step)
{
	struct trace_ev e = ev_of(kind, 1, 100);
	int fds[64];

	assert_true(nfds <= 64);
	for (int i = 0; i < nfds; i++)
		fds[i] = first + i * step;
	e.call = (uint16_t)call;
	e.fd = fd;
	e.n = n;
	trace_ev_set_fds(&e, fds, nfds);
	return e;
}

static inline struct trace *hdr_trace(void)
{
	struct trace *t = trace_new();
	struct trace_hdr *h;

	assert_non_null(t);
	h = trace_hdr(t);
	h->scenario = trace_intern(t, "fishing");
	h->kernel = trace_intern(t, "6.18.44");
	h->started = trace_intern(t, "2026-11-26T13:20:00Z");
	h->speed = 10;
	assert_int_equal(trace_add_actor(t, "A", "blocking", trace_caps_v1("blocking"), "Ann", "安"), 1);
	assert_int_equal(trace_add_actor(t, "B", "nonblocking", trace_caps_v1("nonblocking"), "", ""), 2);
	return t;
}

static inline void assert_str_same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static inline void assert_ev_equal(const struct trace_ev *a, const struct trace_ev *b)
{
	assert_int_equal(a->seq, b->seq);
	assert_int_equal(a->t_ns, b->t_ns);
	assert_int_equal(a->actor, b->actor);
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->call, b->call);
	assert_int_equal(a->phase, b->phase);
	assert_int_equal(a->state, b->state);
	assert_int_equal(a->fd, b->fd);
	assert_int_equal(a->err, b->err);
	assert_int_equal(a->tid, b->tid);
	assert_int_equal(a->step, b->step);
	assert_int_equal(a->count, b->count);
	assert_true(a->ret == b->ret);
	assert_true(a->dur_ns == b->dur_ns);
	assert_str_same(a->syscall, b->syscall);
	assert_str_same(a->wchan, b->wchan);
	assert_str_same(a->text[0], b->text[0]);
	assert_str_same(a->text[1], b->text[1]);
	assert_int_equal(a->n, b->n);
	assert_int_equal(a->arg, b->arg);
	assert_int_equal(a->what, b->what);
	assert_int_equal(a->nfds, b->nfds);
	assert_int_equal(a->fds_more, b->fds_more);
	assert_int_equal(a->polled, b->polled);
	assert_int_equal(a->copied_in, b->copied_in);
	assert_int_equal(a->copied_out, b->copied_out);
	assert_int_equal(a->sets, b->sets);
	for (int i = 0; i < a->nfds; i++)
		assert_int_equal(a->fd_list[i], b->fd_list[i]);
}

static inline void assert_trace_equal(const struct trace *a, const struct trace *b)
{
	const struct trace_hdr *ha = trace_hdr_c(a), *hb = trace_hdr_c(b);

	assert_string_equal(ha->scenario, hb->scenario);
	assert_string_equal(ha->kernel, hb->kernel);
	assert_string_equal(ha->started, hb->started);
	assert_true(ha->speed == hb->speed);
	assert_int_equal(ha->nactors, hb->nactors);
	assert_int_equal(ha->nstart, hb->nstart);
	for (int i = 0; i < ha->nactors; i++) {
		assert_int_equal(ha->actors[i].caps, hb->actors[i].caps);
		assert_int_equal(ha->actors[i].parent, hb->actors[i].parent);
		assert_int_equal(ha->actors[i].announced, hb->actors[i].announced);
		assert_int_equal(ha->actors[i].ended, hb->actors[i].ended);
		assert_string_equal(ha->actors[i].name, hb->actors[i].name);
		assert_string_equal(ha->actors[i].model, hb->actors[i].model);
		assert_string_equal(ha->actors[i].label[0], hb->actors[i].label[0]);
		assert_string_equal(ha->actors[i].label[1], hb->actors[i].label[1]);
	}
	assert_int_equal(trace_count(a), trace_count(b));
	for (size_t i = 0; i < trace_count(a); i++)
		assert_ev_equal(trace_at(a, i), trace_at(b, i));
	assert_int_equal(trace_lost(a), trace_lost(b));
}

/* Read text that must be refused; the cause must contain want. */
static inline void expect_bad(const char *text, size_t len, const char *want)
{
	struct trace *out = untouched();
	char cause[512] = "";
	int rc = trace_read_mem("t.jsonl", text, len, &out, NULL, cause, sizeof cause);

	assert_int_equal(rc, -EINVAL);
	assert_ptr_equal(out, untouched());
	assert_null(strchr(cause, '\n'));
	if (strstr(cause, want) == NULL)
		fail_msg("cause \"%s\" lacks \"%s\"", cause, want);
}

static inline struct trace *expect_good(const char *text, size_t len, size_t skipped)
{
	struct trace *out = NULL;
	char cause[512] = "";
	size_t n = 99;

	if (trace_read_mem("t.jsonl", text, len, &out, &n, cause, sizeof cause) != 0)
		fail_msg("refused: %s", cause);
	assert_int_equal(n, skipped);
	return out;
}

#define HDR "{\"format\":\"ioscope-trace\",\"version\":1,\"scenario\":\"s\"," \
	"\"kernel\":\"k\",\"started\":\"x\",\"actors\":[{\"name\":\"world\"," \
	"\"model\":\"\"},{\"name\":\"A\",\"model\":\"blocking\"}]}\n"
#define EV(rest) "{\"seq\":0,\"t_ns\":1,\"actor\":\"A\"," rest "}\n"
#define FDR "(expected an integer from -1 to 2147483647)"        /* fd or -1 */
#define CNT "(expected an integer from 0 to 2147483647)"         /* a count */
#define LIM "(expected an integer from 1 to 2147483647)"

/* A server S, clients alice and bob (model "") and a server P, with one
 * event of each client kind and the three kinds of done. */
static inline struct trace *net_trace(void)
{
	static const int64_t done[][2] = { { -ECANCELED, 5 }, { -ECANCELED, 0 }, { 0, 0 } };
	struct trace *t = trace_new();
	struct trace_hdr *h;
	struct trace_ev e;

	assert_non_null(t);
	h = trace_hdr(t);
	h->scenario = trace_intern(t, "chat");
	h->kernel = trace_intern(t, "6.18.44");
	h->started = trace_intern(t, "2026-11-26T13:20:00Z");
	assert_int_equal(trace_add_actor(t, "S", "epoll", trace_caps_v1("epoll"), "", ""), 1);
	assert_int_equal(trace_add_actor(t, "alice", "", 0, "", ""), 2);
	assert_int_equal(trace_add_actor(t, "bob", "", 0, "", ""), 3);
	assert_int_equal(trace_add_actor(t, "P", "poll", trace_caps_v1("poll"), "", ""), 4);
	e = ev_of(TRACE_CONNECT, 2, 10); e.fd = 12; e.arg = 1; e.step = 0; add(t, e);
	e = ev_of(TRACE_CONNECT, 3, 11); e.fd = 13; e.arg = 4; add(t, e);
	e = ev_of(TRACE_ARRIVE, 2, 12); e.fd = 12; e.ret = 5; e.step = 1; add(t, e);
	e = ev_of(TRACE_DELIVER, 3, 13); e.fd = 13; e.ret = 5; e.step = 9; add(t, e);
	e = ev_of(TRACE_DELIVER, 2, 14); e.fd = 12; e.ret = 9; add(t, e);
	e = ev_of(TRACE_CLOSE, 2, 15); e.fd = 12; e.what = 1; e.step = 2; add(t, e);
	e = ev_of(TRACE_CLOSE, 3, 16); e.fd = 13; e.step = 3; add(t, e);
	for (int i = 0; i < 3; i++) {
		e = ev_of(TRACE_DONE, i == 0 ? 1 : 4, 17 + i);
		e.ret = done[i][0]; e.count = (uint32_t)done[i][1]; add(t, e);
	}
	return t;
}

/* The header (when hdr) and every event of t, as the writer writes them;
 * the caller frees the text. */
static inline char *record_text(const struct trace *t, bool hdr, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	assert_non_null(f);
	if (hdr)
		assert_int_equal(trace_write_hdr(f, t), 0);
	for (size_t i = 0; i < trace_count(t); i++)
		assert_int_equal(trace_write_ev(f, t, trace_at(t, i)), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* Each cases[i][0], one event line after hdr, must be refused with a cause
 * containing cases[i][1]. */
static inline void expect_bad_events(const char *hdr,
				     const char *const cases[][2], size_t n)
{
	char buf[2048];

	for (size_t i = 0; i < n; i++) {
		int len = snprintf(buf, sizeof buf, "%s%s\n", hdr, cases[i][0]);

		assert_true(len > 0 && (size_t)len < sizeof buf);
		expect_bad(buf, (size_t)len, cases[i][1]);
	}
}

/* jq's compact output of filter over path (slurped when slurp). */
static inline void expect_jq(const char *filter, bool slurp,
			     const char *path, const char *want)
{
	char cmd[1024], out[1024];
	size_t n;
	FILE *p;

	snprintf(cmd, sizeof cmd, "jq -c %s '%s' '%s'", slurp ? "-s" : "",
		 filter, path);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, sizeof out - 1, p);
	out[n] = '\0';
	assert_int_equal(pclose(p), 0);
	assert_string_equal(out, want);
}

#endif
