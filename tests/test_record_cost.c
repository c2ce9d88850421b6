/* test_record_cost.c: what a select or poll cost the kernel (trace/FORMAT.md,
 * "polled", "copied_in", "copied_out", "sets"): written, read back, refused
 * out of bounds, absent from older traces, summed by the fold. */
#include "tests/record_util.h"
#include "trace/fold.h"

#define L(seq, rest) "{\"seq\":" #seq ",\"t_ns\":100,\"actor\":\"A\"," rest "}\n"

/* A select or poll enter/exit with its cost. */
static struct trace_ev cost_ev(int kind, int call, int n, int polled,
			       unsigned in, unsigned out, unsigned sets)
{
	struct trace_ev e = mux_ev(kind, call, -1, n, kind == TRACE_ENTER ? 2 : 1, 5, 1);

	e.flags |= TRACE_F_COST;
	e.polled = polled;
	e.copied_in = in;
	e.copied_out = out;
	e.sets = (uint8_t)sets;
	if (kind == TRACE_EXIT)
		e.ret = 1;
	return e;
}

static struct trace *cost_trace(void)
{
	struct trace *t = hdr_trace();

	add(t, cost_ev(TRACE_ENTER, TRACE_CALL_SELECT, 1002, 2, 128, 0, TRACE_FDSET_READ));
	add(t, cost_ev(TRACE_EXIT, TRACE_CALL_SELECT, 1002, 2, 128, 128, TRACE_FDSET_READ));
	add(t, cost_ev(TRACE_EXIT, TRACE_CALL_SELECT, 7, 2, 16, 16,
		       TRACE_FDSET_READ | TRACE_FDSET_EXCEPT));
	add(t, cost_ev(TRACE_ENTER, TRACE_CALL_POLL, 3, 2, 24, 0, 0));
	add(t, cost_ev(TRACE_EXIT, TRACE_CALL_POLL, 3, 2, 24, 6, 0));
	return t;
}

static void test_record_cost_shape(void **state)
{
	static const char want[] =
		L(0, "\"kind\":\"enter\",\"call\":\"select\",\"fd\":-1,\"nfds\":1002,"
		  "\"fds\":[5,6],\"polled\":2,\"copied_in\":128,\"sets\":[\"read\"]")
		L(1, "\"kind\":\"exit\",\"call\":\"select\",\"fd\":-1,\"ret\":1,"
		  "\"dur_ns\":0,\"checked\":1002,\"fds\":[5],\"polled\":2,"
		  "\"copied_in\":128,\"copied_out\":128,\"sets\":[\"read\"]")
		L(2, "\"kind\":\"exit\",\"call\":\"select\",\"fd\":-1,\"ret\":1,"
		  "\"dur_ns\":0,\"checked\":7,\"fds\":[5],\"polled\":2,"
		  "\"copied_in\":16,\"copied_out\":16,\"sets\":[\"read\",\"except\"]")
		L(3, "\"kind\":\"enter\",\"call\":\"poll\",\"fd\":-1,\"nfds\":3,"
		  "\"fds\":[5,6],\"polled\":2,\"copied_in\":24")
		L(4, "\"kind\":\"exit\",\"call\":\"poll\",\"fd\":-1,\"ret\":1,"
		  "\"dur_ns\":0,\"checked\":3,\"fds\":[5],\"polled\":2,"
		  "\"copied_in\":24,\"copied_out\":6");
	struct trace *t = cost_trace();
	size_t len;
	char *text;

	(void)state;
	for (size_t i = 0; i < trace_count(t); i++)
		((struct trace_ev *)trace_at(t, i))->seq = i;
	text = record_text(t, false, &len);
	assert_string_equal(text, want);
	free(text);
	trace_free(t);
}

static void test_record_cost_round_trip(void **state)
{
	struct trace *t = cost_trace(), *back = NULL;
	char cause[256] = "";
	size_t len;
	char *text = record_text(t, true, &len);

	(void)state;
	assert_int_equal(trace_read_mem("t.jsonl", text, len, &back, NULL,
					cause, sizeof cause), 0);
	assert_trace_equal(t, back);
	assert_true(trace_at(back, 1)->flags & TRACE_F_COST);
	trace_free(back);
	free(text);
	trace_free(t);
}

/* A trace written before these fields: read, the flag clear. */
static void test_record_cost_absent(void **state)
{
	static const char text[] = HDR
		EV("\"kind\":\"enter\",\"call\":\"select\",\"fd\":-1,\"nfds\":8,\"fds\":[5]")
		EV("\"kind\":\"exit\",\"call\":\"select\",\"fd\":-1,\"ret\":1,"
		   "\"dur_ns\":1,\"checked\":8,\"fds\":[5]")
		EV("\"kind\":\"exit\",\"call\":\"epoll_wait\",\"fd\":9,\"ret\":1,"
		   "\"dur_ns\":1,\"checked\":1,\"fds\":[5],\"polled\":\"ignored\"");
	struct trace *t = expect_good(text, sizeof text - 1, 0);

	(void)state;
	for (size_t i = 0; i < trace_count(t); i++) {
		assert_false(trace_at(t, i)->flags & TRACE_F_COST);
		assert_int_equal(trace_at(t, i)->polled, 0);
	}
	trace_free(t);
}

#define SX(rest) EV("\"kind\":\"exit\",\"call\":\"select\",\"fd\":-1," \
		    "\"ret\":1,\"dur_ns\":1,\"checked\":8,\"fds\":[5]" rest)
#define PX(rest) EV("\"kind\":\"exit\",\"call\":\"poll\",\"fd\":-1," \
		    "\"ret\":1,\"dur_ns\":1,\"checked\":3,\"fds\":[5]" rest)
#define SN(rest) EV("\"kind\":\"enter\",\"call\":\"select\",\"fd\":-1," \
		    "\"nfds\":8,\"fds\":[5]" rest)
#define NAMES "(expected an array of distinct set names: read, write, except)"

static void test_record_cost_errors(void **state)
{
	static const char *const cases[][2] = {
		{ SX(",\"polled\":-1,\"copied_in\":8,\"copied_out\":8,\"sets\":[\"read\"]"),
		  "\"polled\" of the \"exit\" event of select is -1 " CNT },
		{ SX(",\"polled\":9,\"copied_in\":8,\"copied_out\":8,\"sets\":[\"read\"]"),
		  "\"polled\" of the \"exit\" event of select is 9 (expected at "
		  "most \"checked\", 8)" },
		{ SN(",\"polled\":9,\"copied_in\":8,\"sets\":[\"read\"]"),
		  "\"polled\" of the \"enter\" event of select is 9 (expected at "
		  "most \"nfds\", 8)" },
		{ SX(",\"polled\":1,\"copied_out\":8,\"sets\":[\"read\"]"),
		  "the \"exit\" event of select has no \"copied_in\"" },
		{ SX(",\"polled\":1,\"copied_in\":8,\"sets\":[\"read\"]"),
		  "the \"exit\" event of select has no \"copied_out\"" },
		{ SX(",\"polled\":1,\"copied_in\":2147483648,\"copied_out\":8,\"sets\":[\"read\"]"),
		  "\"copied_in\" of the \"exit\" event of select is 2147483648 " CNT },
		{ SX(",\"polled\":1,\"copied_in\":8,\"copied_out\":\"8\",\"sets\":[\"read\"]"),
		  "\"copied_out\" of the \"exit\" event of select is a string" },
		{ SX(",\"polled\":1,\"copied_in\":8,\"copied_out\":8"),
		  "the \"exit\" event of select has no \"sets\" " NAMES },
		{ SX(",\"polled\":1,\"copied_in\":8,\"copied_out\":8,\"sets\":[]"),
		  "\"sets\" of the \"exit\" event of select is empty " NAMES },
		{ SX(",\"polled\":1,\"copied_in\":8,\"copied_out\":8,\"sets\":\"read\""),
		  "\"sets\" of the \"exit\" event of select is a string " NAMES },
		{ SX(",\"polled\":1,\"copied_in\":8,\"copied_out\":8,\"sets\":[\"urgent\"]"),
		  "\"sets[0]\" of the \"exit\" event of select is not a new set name" },
		{ SX(",\"polled\":1,\"copied_in\":8,\"copied_out\":8,\"sets\":[\"read\",\"read\"]"),
		  "\"sets[1]\" of the \"exit\" event of select is not a new set name" },
		{ PX(",\"polled\":4,\"copied_in\":24,\"copied_out\":6"),
		  "\"polled\" of the \"exit\" event of poll is 4" },
	};

	(void)state;
	expect_bad_events(HDR, cases, sizeof cases / sizeof cases[0]);
}

/* The writer refuses what the reader would: a cost on another call, more
 * polled than handed in, bytes back at an enter, select without its sets. */
static void test_record_cost_write_refused(void **state)
{
	struct trace_ev bad[4];
	struct trace *t = hdr_trace();
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	bad[0] = cost_ev(TRACE_EXIT, TRACE_CALL_EPOLL_WAIT, 1, 1, 8, 8, 0);
	bad[1] = cost_ev(TRACE_EXIT, TRACE_CALL_SELECT, 8, 9, 8, 8, TRACE_FDSET_READ);
	bad[2] = cost_ev(TRACE_ENTER, TRACE_CALL_POLL, 3, 2, 24, 6, 0);
	bad[3] = cost_ev(TRACE_EXIT, TRACE_CALL_SELECT, 8, 1, 8, 8, 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(trace_write_ev(f, t, &bad[i]), -EINVAL);
	fclose(f);
	assert_int_equal(len, 0);
	free(buf);
	trace_free(t);
}

/* The fold sums what went in and was polled at the enters, what came
 * back at the exits (the same calls: each counted once). */
static void test_record_cost_fold_totals(void **state)
{
	struct trace *t = cost_trace();
	struct view v;
	const struct view_actor *a;

	(void)state;
	view_fold(&v, t, trace_count(t));
	a = view_actor_c(&v, 1);
	assert_int_equal(a->costed, 2);
	assert_int_equal(a->polled, 4);
	assert_int_equal(a->copied_in, 128 + 24);
	assert_int_equal(a->copied_out, 128 + 16 + 6);
	trace_free(t);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_cost_shape),
		cmocka_unit_test(test_record_cost_round_trip),
		cmocka_unit_test(test_record_cost_absent),
		cmocka_unit_test(test_record_cost_errors),
		cmocka_unit_test(test_record_cost_write_refused),
		cmocka_unit_test(test_record_cost_fold_totals),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("record_cost", tests, NULL, NULL);
}
