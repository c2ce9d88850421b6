/* test_record_actors.c: the trace format's processes and actors that
 * appear, change and leave (trace/FORMAT.md, "Actors that appear, change
 * and leave"): state's pid, the actor and model kinds, written, read back
 * and refused. */
#include <unistd.h>

#include "tests/record_util.h"
#include "trace/fold.h"

#define STATE(rest) EV("\"kind\":\"state\",\"tid\":7,\"state\":\"S\"," \
		       "\"syscall\":\"read\",\"wchan\":\"\"" rest)

static struct trace_ev state_ev(struct trace *t, int actor, int64_t t_ns, int tid, int pid)
{
	struct trace_ev e = ev_of(TRACE_STATE, actor, t_ns);

	e.tid = tid;
	e.pid = pid;
	e.state = 'S';
	e.syscall = trace_intern(t, "recvfrom");
	e.wchan = trace_intern(t, "sk_wait_data");
	return e;
}

/* state's pid: written after tid when known, read back, absent is 0. */
static void test_record_actors_pid(void **state)
{
	struct trace *t = hdr_trace(), *back;
	char *text;
	size_t len;

	(void)state;
	add(t, state_ev(t, 1, 10, 4242, 4240));
	add(t, state_ev(t, 2, 11, 1, TRACE_MAX_PID));
	add(t, state_ev(t, 2, 12, 9, 1));
	add(t, state_ev(t, 1, 13, 4243, 0));        /* not known: not written */
	text = record_text(t, true, &len);
	assert_non_null(strstr(text, "\"kind\":\"state\",\"tid\":4242,\"pid\":4240,"
			       "\"state\":\"S\""));
	assert_non_null(strstr(text, "\"tid\":1,\"pid\":4194304,"));
	assert_non_null(strstr(text, "\"kind\":\"state\",\"tid\":4243,\"state\":\"S\""));
	back = expect_good(text, len, 0);
	assert_trace_equal(t, back);
	assert_int_equal(trace_at(back, 0)->pid, 4240);
	assert_int_equal(trace_at(back, 1)->pid, TRACE_MAX_PID);
	assert_int_equal(trace_at(back, 3)->pid, 0);
	trace_free(back);
	free(text);
	trace_free(t);
}

static void test_record_actors_pid_bounds(void **state)
{
	static const char *const cases[][2] = {
		{ STATE(",\"pid\":0"), "\"pid\" of the \"state\" event is 0 (expected an "
		  "integer from 1 to 4194304)" },
		{ STATE(",\"pid\":4194305"), "\"pid\" of the \"state\" event is 4194305" },
		{ STATE(",\"pid\":-1"), "\"pid\" of the \"state\" event is -1" },
		{ STATE(",\"pid\":\"12\""), "\"pid\" of the \"state\" event is a string" },
	};
	struct trace *t = hdr_trace();
	struct trace_ev e = state_ev(t, 1, 1, 5, -1);
	FILE *f = fopen("/dev/null", "w");
	char buf[512];
	struct trace *back;
	int n;

	(void)state;
	expect_bad_events(HDR, cases, sizeof cases / sizeof cases[0]);
	/* The same lines without pid, as older files have them, read. */
	n = snprintf(buf, sizeof buf, "%s%s", HDR, STATE(""));
	back = expect_good(buf, (size_t)n, 0);
	assert_int_equal(trace_at(back, 0)->pid, 0);
	trace_free(back);
	/* The writer refuses what the reader would. */
	assert_non_null(f);
	assert_int_equal(trace_write_ev(f, t, &e), -EINVAL);
	e.pid = TRACE_MAX_PID + 1;
	assert_int_equal(trace_write_ev(f, t, &e), -EINVAL);
	assert_int_equal(trace_append(t, &e), 0);      /* kept, but ignored */
	assert_false(view_ev_ok(t, &e));
	fclose(f);
	trace_free(t);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_actors_pid),
		cmocka_unit_test(test_record_actors_pid_bounds),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("record_actors", tests, NULL, NULL);
}
