/* test_record_servers.c: the trace format of the server models (issue
 * 14): set "workq" with its "max", the calls futex and clone with fd -1,
 * written and read back, on both readers (the fast one and jansson's). */
#include "tests/record_util.h"
#include "trace/fold.h"
#include "trace/read_int.h"

/* The shape FORMAT.md gives: what, n, max, fds. */
static void test_record_workq_shape(void **state)
{
#define L(seq, rest) "{\"seq\":" #seq ",\"t_ns\":100,\"actor\":\"A\"," rest "}\n"
	static const char want[] =
		L(0, "\"kind\":\"set\",\"what\":\"workq\",\"n\":3,\"max\":4,\"fds\":[7,9,12]")
		L(1, "\"kind\":\"set\",\"what\":\"workq\",\"n\":0,\"max\":1,\"fds\":[]")
		L(2, "\"kind\":\"enter\",\"call\":\"futex\",\"fd\":-1")
		L(3, "\"kind\":\"exit\",\"call\":\"futex\",\"fd\":-1,\"ret\":0,\"dur_ns\":0")
		L(4, "\"kind\":\"enter\",\"call\":\"clone\",\"fd\":-1")
		L(5, "\"kind\":\"exit\",\"call\":\"clone\",\"fd\":-1,\"ret\":4312,\"dur_ns\":0")
		L(6, "\"kind\":\"exit\",\"call\":\"futex\",\"fd\":-1,\"ret\":-1,\"dur_ns\":0,"
		  "\"errno\":\"EAGAIN\"");
#undef L
	struct trace *t = hdr_trace(), *back;
	struct trace_ev e;
	size_t len;
	char *text;

	(void)state;
	e = mux_ev(TRACE_SET, 0, -1, 3, 3, 7, 0);
	e.fd_list[1] = 9; e.fd_list[2] = 12;
	e.what = TRACE_SET_WORKQ; e.arg = 4; add(t, e);
	e = mux_ev(TRACE_SET, 0, -1, 0, 0, 0, 0); e.what = TRACE_SET_WORKQ; e.arg = 1; add(t, e);
	add(t, mux_ev(TRACE_ENTER, TRACE_CALL_FUTEX, -1, 0, 0, 0, 0));
	add(t, mux_ev(TRACE_EXIT, TRACE_CALL_FUTEX, -1, 0, 0, 0, 0));
	add(t, mux_ev(TRACE_ENTER, TRACE_CALL_CLONE, -1, 0, 0, 0, 0));
	e = mux_ev(TRACE_EXIT, TRACE_CALL_CLONE, -1, 0, 0, 0, 0); e.ret = 4312; add(t, e);
	e = mux_ev(TRACE_EXIT, TRACE_CALL_FUTEX, -1, 0, 0, 0, 0); e.ret = -1; e.err = EAGAIN;
	add(t, e);
	text = record_text(t, false, &len);
	assert_string_equal(text, want);
	free(text);
	/* and back, whole, through both readers */
	text = record_text(t, true, &len);
	for (int slow = 0; slow < 2; slow++) {
		char cause[512] = "";

		back = NULL;
		assert_int_equal(trace__read_mem("t.jsonl", text, len, slow, &back, NULL,
						 cause, sizeof cause), 0);
		assert_trace_equal(t, back);
		assert_int_equal(trace_at(back, 0)->arg, 4);
		assert_int_equal(trace_at(back, 2)->fd, -1);
		trace_free(back);
	}
	free(text);
	trace_free(t);
}

/* What the writer refuses: a workq without its capacity, more requests
 * than it holds, a capacity on another set. */
static void test_record_workq_refused(void **state)
{
	static const struct { int what, n, arg; } bad[] = {
		{ TRACE_SET_WORKQ, 0, 0 }, { TRACE_SET_WORKQ, 5, 4 }, { TRACE_SET_WORKQ, 1, -1 },
		{ TRACE_SET_QUEUE, 1, 4 }, { TRACE_SET_INTEREST, 0, 1 },
	};
	struct trace *t = hdr_trace();
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct trace_ev e = mux_ev(TRACE_SET, 0, -1, bad[i].n, 0, 0, 0);

		e.what = (uint8_t)bad[i].what;
		e.arg = bad[i].arg;
		assert_false(view_ev_ok(t, &e));
		assert_int_equal(trace_write_ev(f, t, &e), -EINVAL);
	}
	assert_int_equal(fclose(f), 0);
	assert_int_equal(len, 0);
	free(buf);
	trace_free(t);
}

#define WQ(rest) EV("\"kind\":\"set\",\"what\":\"workq\"" rest)

/* What the reader refuses, with the line's own words. */
static void test_record_workq_bad(void **state)
{
	static const char *const cases[][2] = {
		{ WQ(",\"n\":1,\"fds\":[5]"),
		  "the \"set\" event of workq has no \"max\" (expected an integer)" },
		{ WQ(",\"n\":1,\"max\":0,\"fds\":[5]"),
		  "\"max\" of the \"set\" event of workq is 0 (expected an integer from 1 "
		  "to 2147483647)" },
		{ WQ(",\"n\":1,\"max\":\"4\",\"fds\":[5]"),
		  "\"max\" of the \"set\" event of workq is a string" },
		{ WQ(",\"n\":5,\"max\":4,\"fds\":[5]"),
		  "\"n\" of the \"set\" event of workq is 5 (expected at most \"max\", 4)" },
		{ EV("\"kind\":\"set\",\"what\":\"queue\",\"n\":1,\"max\":4,\"fds\":[5]"),
		  "\"max\" of the \"set\" event of queue is there (expected it only on a "
		  "workq set)" },
	};
	char buf[2048];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int len = snprintf(buf, sizeof buf, "%s%s", HDR, cases[i][0]);

		for (int slow = 0; slow < 2; slow++) {
			struct trace *out = NULL;
			char cause[512] = "";

			assert_int_equal(trace__read_mem("t.jsonl", buf, (size_t)len, slow, &out,
							 NULL, cause, sizeof cause), -EINVAL);
			if (strstr(cause, cases[i][1]) == NULL)
				fail_msg("cause \"%s\" lacks \"%s\"", cause, cases[i][1]);
		}
	}
}

/* A line jansson reads (spaces, other key order) gives the same event. */
static void test_record_workq_lines(void **state)
{
	static const char text[] = HDR
		WQ(",\"n\":2,\"max\":2,\"fds\":[7,9]")
		"{ \"seq\": 1, \"t_ns\": 1, \"actor\": \"A\", \"kind\": \"set\", \"max\": 2, "
		"\"n\": 2, \"what\": \"workq\", \"fds\": [7, 9] }\n"
		EV("\"kind\":\"enter\",\"call\":\"futex\",\"fd\":-1")
		EV("\"kind\":\"exit\",\"call\":\"clone\",\"fd\":-1,\"ret\":0,\"dur_ns\":5");
	struct trace *t = expect_good(text, sizeof text - 1, 0);

	(void)state;
	assert_int_equal(trace_count(t), 4);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(trace_at(t, (size_t)i)->what, TRACE_SET_WORKQ);
		assert_int_equal(trace_at(t, (size_t)i)->n, 2);
		assert_int_equal(trace_at(t, (size_t)i)->arg, 2);
		assert_int_equal(trace_at(t, (size_t)i)->nfds, 2);
	}
	assert_int_equal(trace_at(t, 2)->call, TRACE_CALL_FUTEX);
	assert_int_equal(trace_at(t, 2)->fd, -1);
	assert_int_equal(trace_at(t, 3)->call, TRACE_CALL_CLONE);
	trace_free(t);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_workq_shape),
		cmocka_unit_test(test_record_workq_refused),
		cmocka_unit_test(test_record_workq_bad),
		cmocka_unit_test(test_record_workq_lines),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("record_servers", tests, NULL, NULL);
}
