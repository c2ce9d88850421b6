/* test_trace.c: the event array, names, the fold and the narrator. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view/narrate.h"

static void test_trace_intern_shares(void **state)
{
	struct trace *t = trace_new();
	char buf[] = "unix_stream_read_generic";
	const char *a = trace_intern(t, buf), *b;

	(void)state;
	buf[0] = 'X';
	b = trace_intern(t, "unix_stream_read_generic");
	assert_ptr_equal(a, b);
	assert_string_equal(a, "unix_stream_read_generic");
	assert_ptr_not_equal(trace_intern(t, buf), a);
	trace_free(t);
}

static void test_trace_names_round_trip(void **state)
{
	(void)state;
	for (int k = 1; k < TRACE_KIND_MAX; k++)
		assert_int_equal(trace_kind_from(trace_kind_name(k)), k);
	for (int c = 1; c < TRACE_CALL_MAX; c++)
		assert_int_equal(trace_call_from(trace_call_name(c)), c);
	assert_int_equal(trace_phase_from("copy"), TRACE_PH_COPY);
	assert_int_equal(trace_kind_from("fly"), -1);
	assert_null(trace_kind_name(0));
	assert_null(trace_kind_name(TRACE_KIND_MAX));
	assert_string_equal(trace_errno_name(EAGAIN), "EAGAIN");
	assert_int_equal(trace_errno_from("EAGAIN"), EAGAIN);
	assert_int_equal(trace_errno_from("ENOTANERRNO"), -1);
}

static void test_trace_actors(void **state)
{
	struct trace *t = trace_new();

	(void)state;
	assert_int_equal(trace_hdr(t)->nactors, 1);
	assert_string_equal(trace_hdr(t)->actors[0].name, "world");
	assert_int_equal(trace_add_actor(t, "A", "blocking", trace_caps_v1("blocking"), "en", "zh"), 1);
	assert_int_equal(trace_find_actor(t, "A"), 1);
	assert_int_equal(trace_find_actor(t, "Z"), -1);
	for (int i = 2; i < TRACE_MAX_ACTORS; i++)
		assert_int_equal(trace_add_actor(t, "x", "", 0, "", ""), i);
	assert_int_equal(trace_add_actor(t, "y", "", 0, "", ""), -ENOSPC);
	/* Announced actors grow the table to the limit, and not past it. */
	for (int i = TRACE_MAX_ACTORS; i < TRACE_ACTORS_LIMIT; i++) {
		char name[16];

		snprintf(name, sizeof name, "c%d", i);
		assert_int_equal(trace_announce_actor(t, name, "", 0, "", "", 1), i);
	}
	assert_string_equal(trace_hdr(t)->actors[1].name, "A");
	assert_string_equal(trace_hdr(t)->actors[TRACE_ACTORS_LIMIT - 1].name, "c4095");
	assert_int_equal(trace_announce_actor(t, "y", "", 0, "", "", -1), -ENOSPC);
	trace_free(t);
}

/* The multiplexers' waits, the one list fold and lanes share. */
static void test_trace_call_is_wait(void **state)
{
	(void)state;
	for (int c = 0; c <= TRACE_CALL_MAX; c++)
		assert_int_equal(trace_call_is_wait(c), c == TRACE_CALL_SELECT ||
				 c == TRACE_CALL_POLL || c == TRACE_CALL_EPOLL_WAIT);
}

/* A blocking read and a non-blocking read, by hand. */
static struct trace *sample_trace(void)
{
	struct trace *t = trace_new();
	const struct trace_ev ev[] = {
		{ .t_ns = 0,    .actor = 1, .kind = TRACE_ENTER, .call = TRACE_CALL_RECVFROM, .fd = 5 },
		{ .t_ns = 0,    .actor = 1, .kind = TRACE_PHASE, .phase = TRACE_PH_WAIT, .flags = TRACE_F_BLOCKED, .fd = 5 },
		{ .t_ns = 10,   .actor = 2, .kind = TRACE_PHASE, .phase = TRACE_PH_WAIT, .fd = 7 },
		{ .t_ns = 20,   .actor = 2, .kind = TRACE_EXIT, .call = TRACE_CALL_RECVFROM, .fd = 7, .ret = -1, .err = EAGAIN, .count = 1 },
		{ .t_ns = 30,   .actor = 2, .kind = TRACE_EXIT, .call = TRACE_CALL_RECVFROM, .fd = 7, .ret = -1, .err = EAGAIN, .count = 2, .dur_ns = 10 },
		{ .t_ns = 1000, .actor = 1, .kind = TRACE_ARRIVE, .fd = 5, .ret = 5, .step = 3 },
		{ .t_ns = 1000, .actor = 1, .kind = TRACE_PHASE, .phase = TRACE_PH_WAIT, .flags = TRACE_F_BLOCKED | TRACE_F_END, .fd = 5 },
		{ .t_ns = 1000, .actor = 1, .kind = TRACE_PHASE, .phase = TRACE_PH_COPY, .flags = TRACE_F_BLOCKED, .fd = 5 },
		{ .t_ns = 1040, .actor = 1, .kind = TRACE_PHASE, .phase = TRACE_PH_COPY, .flags = TRACE_F_BLOCKED | TRACE_F_END, .fd = 5 },
		{ .t_ns = 1050, .actor = 1, .kind = TRACE_EXIT, .call = TRACE_CALL_RECVFROM, .fd = 5, .ret = 5, .dur_ns = 1500 },
		{ .t_ns = 2000, .actor = 2, .kind = TRACE_PHASE, .phase = TRACE_PH_WAIT, .flags = TRACE_F_END, .fd = 7 },
		{ .t_ns = 2000, .actor = 0, .kind = TRACE_LOST, .count = 3 },
	};

	trace_add_actor(t, "A", "blocking", trace_caps_v1("blocking"), "", "");
	trace_add_actor(t, "B", "nonblocking", trace_caps_v1("nonblocking"), "", "");
	for (size_t i = 0; i < sizeof ev / sizeof ev[0]; i++)
		assert_int_equal(trace_append(t, &ev[i]), 0);
	return t;
}

static void test_trace_fold_totals(void **state)
{
	struct trace *t = sample_trace();
	struct view v;

	(void)state;
	view_fold(&v, t, trace_count(t));
	assert_int_equal(v.n, trace_count(t));
	assert_int_equal(v.actors[1].wait_ns, 1000);
	assert_int_equal(v.actors[1].copy_ns, 40);
	assert_int_equal(v.actors[1].blocked_ns, 1040);
	assert_int_equal(v.actors[1].reads, 1);
	assert_int_equal(v.actors[1].bytes, 5);
	assert_int_equal(v.actors[2].eagain, 2);
	assert_int_equal(v.actors[2].wait_ns, 1990);
	assert_int_equal(v.actors[2].blocked_ns, 0);
	assert_int_equal(v.step, 3);
	assert_int_equal(v.lost, 3);
	assert_int_equal(trace_lost(t), 3);
	trace_free(t);
}

/* Folding to n and to n-1 is stepping back: A is still in the call. */
static void test_trace_fold_step_back(void **state)
{
	struct trace *t = sample_trace();
	struct view v;

	(void)state;
	view_fold(&v, t, 2);
	assert_int_equal(v.actors[1].call, TRACE_CALL_RECVFROM);
	assert_int_equal(v.actors[1].phase, TRACE_PH_WAIT);
	assert_true(v.actors[1].phase_blocked);
	view_fold(&v, t, 10);
	assert_int_equal(v.actors[1].call, 0);
	view_fold(&v, t, 1000);     /* clamped */
	assert_int_equal(v.n, trace_count(t));
	trace_free(t);
}

static void test_trace_durations(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(narrate_dur(850, b, sizeof b), "850 ns");
	assert_string_equal(narrate_dur(1990, b, sizeof b), "2.0 µs");
	assert_string_equal(narrate_dur(12345, b, sizeof b), "12 µs");
	assert_string_equal(narrate_dur(1230000, b, sizeof b), "1.23 ms");
	assert_string_equal(narrate_dur(150000000, b, sizeof b), "150.0 ms");
	assert_string_equal(narrate_dur(1502000000, b, sizeof b), "1.502 s");
	assert_string_equal(narrate_dur(-5, b, sizeof b), "0 ns");
}

/* The narrator names the call, the phase and whether the caller blocked. */
static void test_trace_narration(void **state)
{
	struct trace *t = sample_trace();
	struct narrator n;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	narrate_begin(&n, f, t, NARRATE_EN);
	for (size_t i = 0; i < trace_count(t); i++)
		narrate_ev(&n, trace_at(t, i));
	narrate_end(&n);
	fclose(f);
	assert_non_null(strstr(text, "→ recvfrom(fd 5)"));
	assert_non_null(strstr(text, "phase 1 begins: waiting for data on fd 5 · BLOCKED"));
	assert_non_null(strstr(text, "phase 1 begins: waiting for data on fd 7 · not blocked"));
	assert_non_null(strstr(text, "← recvfrom(fd 7) = -1 EAGAIN after 10 ns: nothing yet (try 2)"));
	assert_non_null(strstr(text, "phase 1 (wait) ends after 2.0 µs · the caller was not blocked (2 tries)"));
	assert_non_null(strstr(text, "← recvfrom(fd 5) = 5 bytes, after 1.5 µs"));
	assert_non_null(strstr(text, "3 events lost"));
	free(text);
	trace_free(t);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trace_intern_shares),
		cmocka_unit_test(test_trace_names_round_trip),
		cmocka_unit_test(test_trace_actors),
		cmocka_unit_test(test_trace_call_is_wait),
		cmocka_unit_test(test_trace_fold_totals),
		cmocka_unit_test(test_trace_fold_step_back),
		cmocka_unit_test(test_trace_durations),
		cmocka_unit_test(test_trace_narration),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("trace", tests, NULL, NULL);
}
