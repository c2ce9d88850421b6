/* test_trace_store.c: events held compactly come back whole (issue 13,
 * item 1); trace_at's ring of copies (item 2); trace_serial (item 3). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/trace.h"

/* What a decoded copy holds for ev appended as event i: seq is the index,
 * padding is zero (the copy starts from a zeroed struct, as ev does here:
 * events are never assigned whole, which may leave padding unspecified)
 * and fd_list past nfds reads 0. */
static void normal(struct trace_ev *n, const struct trace_ev *ev, size_t i)
{
	int listed = ev->nfds < TRACE_FDS_INLINE ? ev->nfds : TRACE_FDS_INLINE;

	memcpy(n, ev, sizeof *n);
	n->seq = i;
	for (int k = listed; k < TRACE_FDS_INLINE; k++)
		n->fd_list[k] = 0;
}

/* Append ev and read it back equal, byte for byte. */
static void round_trip(struct trace *t, const struct trace_ev *ev)
{
	size_t i = trace_count(t), before = trace_mem(t);
	struct trace_ev want;

	normal(&want, ev, i);
	assert_int_equal(trace_append(t, ev), 0);
	assert_int_equal(trace_count(t), i + 1);
	assert_true(trace_mem(t) >= before + trace_ev_mem(ev));
	assert_memory_equal(trace_at(t, i), &want, sizeof want);
}

/* An event zeroed whole (padding too), then filled by the caller; a world
 * lost event by default, which the trace takes at any step. */
static void blank(struct trace_ev *e)
{
	memset(e, 0, sizeof *e);
	e->kind = TRACE_LOST;
	e->fd = -1;
	e->step = -1;
}

/* Every field at the ends of its type, alone and all at once. */
static void test_trace_store_extremes(void **state)
{
	struct trace *t = trace_new();
	const char *s1, *s2;
	struct trace_ev e, want;

	(void)state;
	assert_non_null(t);
	s1 = trace_intern(t, "unix_stream_read_generic");
	s2 = trace_intern(t, "鱼进了桶");
	memset(&e, 0, sizeof e);
	round_trip(t, &e);
	blank(&e);
	round_trip(t, &e);
	for (int side = 0; side < 2; side++) {
		bool hi = side == 1;

		blank(&e);
		e.t_ns = hi ? INT64_MAX : INT64_MIN;
		round_trip(t, &e);
		blank(&e); e.actor = hi ? UINT16_MAX : 0; round_trip(t, &e);
		blank(&e); e.kind = hi ? UINT8_MAX : 0; round_trip(t, &e);
		blank(&e); e.flags = hi ? UINT8_MAX : 0; round_trip(t, &e);
		blank(&e); e.call = hi ? UINT16_MAX : 0; round_trip(t, &e);
		blank(&e); e.call = hi ? UINT8_MAX : 1; round_trip(t, &e);
		blank(&e); e.call = 256; round_trip(t, &e);
		blank(&e); e.phase = hi ? UINT8_MAX : 0; round_trip(t, &e);
		blank(&e); e.state = hi ? CHAR_MAX : CHAR_MIN; round_trip(t, &e);
		blank(&e); e.fd = hi ? INT32_MAX : INT32_MIN; round_trip(t, &e);
		blank(&e); e.err = hi ? INT32_MAX : INT32_MIN; round_trip(t, &e);
		blank(&e); e.err = hi ? INT16_MAX : INT16_MIN; round_trip(t, &e);
		blank(&e); e.err = hi ? INT16_MAX + 1 : INT16_MIN - 1; round_trip(t, &e);
		blank(&e); e.tid = hi ? INT32_MAX : INT32_MIN; round_trip(t, &e);
		blank(&e); e.step = hi ? INT32_MAX : INT32_MIN; round_trip(t, &e);
		blank(&e); e.step = hi ? TRACE_MAX_STEPS - 1 : 0; round_trip(t, &e);
		blank(&e); e.count = hi ? UINT32_MAX : 1; round_trip(t, &e);
		blank(&e); e.ret = hi ? INT64_MAX : INT64_MIN; round_trip(t, &e);
		blank(&e); e.ret = hi ? TRACE_MAX_RET : TRACE_MIN_RET; round_trip(t, &e);
		blank(&e); e.ret = hi ? (int64_t)INT32_MAX + 1 : (int64_t)INT32_MIN - 1;
		round_trip(t, &e);
		blank(&e); e.dur_ns = hi ? INT64_MAX : INT64_MIN; round_trip(t, &e);
		blank(&e); e.dur_ns = hi ? TRACE_MAX_NS : -1; round_trip(t, &e);
		blank(&e); e.syscall = hi ? s1 : s2; round_trip(t, &e);
		blank(&e); e.wchan = hi ? s1 : s2; round_trip(t, &e);
		blank(&e); e.text[0] = hi ? s2 : s1; round_trip(t, &e);
		blank(&e); e.text[1] = hi ? s2 : s1; round_trip(t, &e);
		blank(&e); e.n = hi ? INT32_MAX : INT32_MIN; round_trip(t, &e);
		blank(&e); e.arg = hi ? INT32_MAX : INT32_MIN; round_trip(t, &e);
		blank(&e); e.what = hi ? UINT8_MAX : 1; round_trip(t, &e);
		blank(&e); e.nfds = hi ? UINT16_MAX : 1; e.fd_list[0] = INT32_MIN; round_trip(t, &e);
		blank(&e); e.fds_more = hi ? UINT32_MAX : 1; round_trip(t, &e);
		blank(&e); e.polled = hi ? INT32_MAX : INT32_MIN; round_trip(t, &e);
		blank(&e); e.copied_in = hi ? UINT32_MAX : 1; round_trip(t, &e);
		blank(&e); e.copied_out = hi ? UINT32_MAX : 1; round_trip(t, &e);
		blank(&e); e.sets = hi ? UINT8_MAX : 1; round_trip(t, &e);
		blank(&e); e.outs = hi ? UINT16_MAX : 1; round_trip(t, &e);
	}
	/* All at once, and a full list of fds. */
	blank(&e);
	e.t_ns = INT64_MAX; e.actor = UINT16_MAX; e.kind = UINT8_MAX;
	e.flags = UINT8_MAX; e.call = UINT16_MAX; e.phase = UINT8_MAX; e.state = 'D';
	e.fd = INT32_MIN; e.err = INT32_MIN; e.tid = INT32_MAX; e.step = INT32_MAX;
	e.count = UINT32_MAX; e.ret = INT64_MIN; e.dur_ns = INT64_MAX; e.syscall = s1;
	e.wchan = s2; e.text[0] = s1; e.text[1] = s2; e.n = INT32_MIN; e.arg = INT32_MAX;
	e.what = UINT8_MAX; e.nfds = TRACE_FDS_INLINE; e.fds_more = UINT32_MAX;
	e.polled = INT32_MIN; e.copied_in = UINT32_MAX; e.copied_out = UINT32_MAX;
	e.sets = UINT8_MAX; e.outs = UINT16_MAX;
	for (int k = 0; k < TRACE_FDS_INLINE; k++)
		e.fd_list[k] = k % 2 ? INT32_MAX - k : INT32_MIN + k;
	round_trip(t, &e);
	for (int nfds = 0; nfds <= TRACE_FDS_INLINE + 1; nfds++) {
		e.nfds = (uint16_t)nfds;
		round_trip(t, &e);
	}
	/* Earlier events are untouched by later ones. */
	blank(&e);
	normal(&want, &e, 1);
	assert_memory_equal(trace_at(t, 1), &want, sizeof want);
	trace_free(t);
}

/* Random values in every field, many events, read back after all were
 * appended (so the arrays grew and moved in between). */
static void test_trace_store_random(void **state)
{
	enum { N = 20000 };
	struct trace *t = trace_new();
	struct trace_ev *want = malloc(N * sizeof *want);
	const char *strs[4];

	(void)state;
	assert_non_null(t);
	assert_non_null(want);
	strs[0] = NULL;
	strs[1] = trace_intern(t, "a");
	strs[2] = trace_intern(t, "recvfrom");
	strs[3] = trace_intern(t, "");
	srand(13);
	for (size_t i = 0; i < N; i++) {
		struct trace_ev e;
		unsigned char bytes[sizeof e];

		blank(&e);
		for (size_t k = 0; k < sizeof bytes; k++)
			bytes[k] = (unsigned char)rand();
		/* Half the fields random, half as the kind usually leaves them. */
		memcpy(&e.t_ns, bytes, 8);
		if (rand() % 2) memcpy(&e.ret, bytes + 8, 8);
		if (rand() % 2) memcpy(&e.dur_ns, bytes + 16, 8);
		if (rand() % 2) memcpy(&e.fd, bytes + 24, 4);
		if (rand() % 2) memcpy(&e.err, bytes + 28, 4);
		if (rand() % 2) memcpy(&e.tid, bytes + 32, 4);
		if (rand() % 2) memcpy(&e.step, bytes + 36, 4);
		if (rand() % 2) memcpy(&e.count, bytes + 40, 4);
		if (rand() % 2) memcpy(&e.n, bytes + 44, 4);
		if (rand() % 2) memcpy(&e.arg, bytes + 48, 4);
		if (rand() % 2) memcpy(&e.polled, bytes + 52, 4);
		if (rand() % 2) memcpy(&e.copied_in, bytes + 56, 4);
		if (rand() % 2) memcpy(&e.copied_out, bytes + 60, 4);
		if (rand() % 2) memcpy(&e.fds_more, bytes + 64, 4);
		if (rand() % 2) memcpy(&e.call, bytes + 68, 2);
		if (rand() % 2) memcpy(&e.outs, bytes + 70, 2);
		if (rand() % 2) memcpy(&e.actor, bytes + 72, 2);
		e.flags = bytes[74];
		e.phase = rand() % 2 ? bytes[75] : 0;
		e.state = rand() % 2 ? (char)bytes[76] : 0;
		e.what = rand() % 2 ? bytes[77] : 0;
		e.sets = rand() % 2 ? bytes[78] : 0;
		e.nfds = (uint16_t)(rand() % 20);
		for (int k = 0; k < TRACE_FDS_INLINE; k++)
			memcpy(&e.fd_list[k], bytes + 80 + 4 * k, 4);
		e.syscall = strs[rand() % 4];
		e.wchan = strs[rand() % 4];
		e.text[0] = strs[rand() % 4];
		e.text[1] = strs[rand() % 4];
		if (e.actor < trace_hdr(t)->nactors)
			e.kind = TRACE_LOST;     /* the world's life allows it */
		else
			e.kind = (uint8_t)(bytes[79] == TRACE_ACTOR ? TRACE_LOST : bytes[79]);
		normal(&want[i], &e, i);
		assert_int_equal(trace_append(t, &e), 0);
	}
	for (size_t i = 0; i < N; i++)
		assert_memory_equal(trace_at(t, i), &want[i], sizeof want[i]);
	free(want);
	trace_free(t);
}

/* Every event of every shipped recording, as the reader made it, is
 * stored exactly: copied out and appended to a second trace it reads
 * back the same, and written out it is the file's own line again (the
 * recordings were written by this writer from the events in full). */
/* Into u, the header's first n actors of t but the world (u has it). */
static void copy_actors(struct trace *u, const struct trace *t, int n)
{
	for (int i = 1; i < n; i++) {
		const struct trace_actor *a = &trace_hdr_c(t)->actors[i];

		assert_int_equal(trace_add_actor(u, a->name, a->model, a->caps, a->label[0],
						 a->label[1]), i);
	}
}

/* Into u, t's actor i, announced as t's was (its begin comes next). */
static void announce(struct trace *u, const struct trace *t, int i)
{
	const struct trace_actor *a = &trace_hdr_c(t)->actors[i];

	assert_int_equal(trace_announce_actor(u, a->name, a->model, a->caps, a->label[0],
					      a->label[1], a->parent), i);
}

static void test_trace_store_recordings(void **state)
{
	glob_t g;

	(void)state;
	assert_int_equal(glob("scenarios/recordings/*.jsonl", 0, NULL, &g), 0);
	assert_true(g.gl_pathc > 0);
	for (size_t f = 0; f < g.gl_pathc; f++) {
		struct trace *t = NULL, *u = trace_new();
		char cause[512], *text = NULL, *line = NULL;
		size_t len = 0, cap = 0;
		FILE *in = fopen(g.gl_pathv[f], "r"), *out;

		assert_non_null(u);
		assert_non_null(in);
		assert_int_equal(trace_read(g.gl_pathv[f], &t, NULL, cause, sizeof cause), 0);
		assert_true(getline(&line, &cap, in) > 0);           /* the header */
		copy_actors(u, t, trace_hdr_c(t)->nstart);
		for (size_t i = 0; i < trace_count(t); i++) {
			struct trace_ev e = *trace_at(t, i);

			if (e.kind == TRACE_ACTOR && !(e.flags & TRACE_F_END))
				announce(u, t, e.actor);      /* a server's child */
			assert_int_equal(e.seq, i);
			assert_int_equal(trace_append(u, &e), 0);
			assert_memory_equal(trace_at(u, i), &e, sizeof e);
			assert_non_null(out = open_memstream(&text, &len));
			assert_int_equal(trace_write_ev(out, t, &e), 0);
			assert_int_equal(fclose(out), 0);
			assert_true(getline(&line, &cap, in) > 0);
			assert_string_equal(text, line);
			free(text);
			text = NULL;
		}
		assert_int_equal(getline(&line, &cap, in), -1);
		free(line);
		fclose(in);
		trace_free(u);
		trace_free(t);
	}
	globfree(&g);
}

/* The ring: TRACE_AT_KEEP pointers in a row stay valid and distinct, and
 * each holds its own event. */
static void test_trace_store_at_keep(void **state)
{
	struct trace *t = trace_new();
	const struct trace_ev *p[TRACE_AT_KEEP];
	struct trace_ev e;

	(void)state;
	assert_non_null(t);
	for (int i = 0; i < 10; i++) {
		blank(&e);
		e.count = (uint32_t)i;
		assert_int_equal(trace_append(t, &e), 0);
	}
	assert_null(trace_at(t, 10));
	assert_null(trace_at(t, SIZE_MAX));
	for (int round = 0; round < 3; round++) {
		for (int k = 0; k < TRACE_AT_KEEP; k++)
			p[k] = trace_at(t, (size_t)(k % 10));
		/* Appends never invalidate them. */
		blank(&e);
		assert_int_equal(trace_append(t, &e), 0);
		for (int k = 0; k < TRACE_AT_KEEP; k++) {
			assert_int_equal(p[k]->seq, k % 10);
			assert_int_equal(p[k]->count, k % 10);
			for (int j = 0; j < k; j++)
				assert_ptr_not_equal(p[j], p[k]);
		}
	}
	trace_free(t);
}

/* Serials: unique per trace, never 0, never reused for a trace made at a
 * freed one's address. */
static void test_trace_store_serial(void **state)
{
	struct trace *a = trace_new(), *b = trace_new();
	uint64_t sa, sb;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	sa = trace_serial(a);
	sb = trace_serial(b);
	assert_true(sa != 0 && sb != 0 && sa != sb);
	trace_free(a);
	for (int i = 0; i < 10; i++) {
		assert_non_null(a = trace_new());
		assert_true(trace_serial(a) != sa && trace_serial(a) != sb);
		assert_true(trace_serial(a) > sb);
		sa = trace_serial(a);
		trace_free(a);
	}
	trace_free(b);
}

/* What the cap counts: the compact bytes, far below 176 per event. */
static void test_trace_store_mem(void **state)
{
	struct trace *t = trace_new();
	size_t base;
	struct trace_ev idle = { .kind = TRACE_IDLE, .fd = -1, .step = -1, .count = 3,
				 .t_ns = 100 };

	(void)state;
	assert_non_null(t);
	assert_int_equal(trace_add_actor(t, "A", "nonblocking", 0, "", ""), 1);
	idle.actor = 1;
	assert_int_equal(trace_append(t, &idle), 0);     /* the first: an index entry */
	base = trace_mem(t);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(trace_append(t, &idle), 0);
	assert_int_equal(trace_ev_mem(&idle), 36);       /* 32 hot, count cold */
	assert_int_equal(trace_mem(t) - base, 1000 * 36);
	trace_free(t);
}

/* At the cap: the compact bytes are what is counted; an event that does
 * not fit is refused whole (nothing changes), and lost events still fit
 * for a while past it (at least one per actor, within 14 KiB). */
static void test_trace_store_cap(void **state)
{
	struct trace *t = trace_new();
	struct trace_ev e, lost;
	const size_t cap = 64u << 10, slack = (TRACE_MAX_ACTORS + 16) * sizeof(struct trace_ev);
	size_t n = 0, mem, nlost = 0;
	int rc;

	(void)state;
	assert_non_null(t);
	trace_set_max_mem(t, cap);
	blank(&e);
	e.kind = TRACE_ENTER;
	e.fd = 3;
	while ((rc = trace_append(t, &e)) == 0)
		n++;
	assert_int_equal(rc, -EFBIG);
	assert_true(trace_full(t));
	mem = trace_mem(t);
	assert_true(mem <= cap && mem + trace_ev_mem(&e) > cap);
	assert_true(n >= (cap - 4096) / 32);          /* 32 bytes each, strings aside */
	e.count = 1;
	assert_int_equal(trace_append(t, &e), -EFBIG);
	assert_int_equal(trace_mem(t), mem);
	assert_int_equal(trace_count(t), n);
	blank(&lost);
	lost.count = 2;
	while (trace_append(t, &lost) == 0)
		nlost++;
	assert_true(nlost >= TRACE_MAX_ACTORS + 16);
	assert_true(trace_mem(t) <= cap + slack);
	assert_int_equal(trace_lost(t), 2 * nlost);
	for (size_t i = 0; i < trace_count(t); i++)
		assert_int_equal(trace_at(t, i)->kind, i < n ? TRACE_ENTER : TRACE_LOST);
	trace_free(t);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trace_store_extremes),
		cmocka_unit_test(test_trace_store_random),
		cmocka_unit_test(test_trace_store_recordings),
		cmocka_unit_test(test_trace_store_at_keep),
		cmocka_unit_test(test_trace_store_serial),
		cmocka_unit_test(test_trace_store_mem),
		cmocka_unit_test(test_trace_store_cap),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("trace_store", tests, NULL, NULL);
}
