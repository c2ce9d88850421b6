/* test_record_attach.c: what a traced program's trace adds to the format
 * (trace/FORMAT.md, "Traced programs"): the kernel's own name of a call
 * ("sys"), a wait that holds its copy ("whole"), EPOLLET ("et"), and the
 * header's command, pid and overhead_ns.  Each round-trips; hostile
 * values are refused with the line and the field named, and the writer
 * refuses what the reader would; the store keeps "sys" in one word; the
 * sink keeps its own copy of a producer's name; old traces read as
 * before. */
#include "tests/record_util.h"

#include <uv.h>

#include "trace/sink.h"

/* A Python select server traced from outside, in a few events: the
 * header's attach fields, an announced thread, pselect6, a blocking read
 * whose wait holds its copy, sendto for write, epoll_ctl with EPOLLET,
 * a model event with its evidence. */
static struct trace *attach_trace(void)
{
	struct trace *t = trace_new();
	struct trace_hdr *h;
	struct trace_ev e;
	int a;

	assert_non_null(t);
	h = trace_hdr(t);
	h->scenario = trace_intern(t, "attach");
	h->kernel = trace_intern(t, "6.18.44");
	h->started = trace_intern(t, "2026-12-01T23:00:00Z");
	h->command = trace_intern(t, "python3 srv.py 8000");
	h->attach_pid = 4242;
	h->overhead_ns = 40000;
	a = trace_announce_actor(t, "python3.4242", "", 0, "pid 4242 thread 4242 (python3)",
				 "进程 4242 的线程 4242（python3）", -1);
	assert_int_equal(a, 1);
	e = ev_of(TRACE_ACTOR, a, 1000);
	e.tid = e.pid = 4242;
	add(t, e);
	e = mux_ev(TRACE_ENTER, TRACE_CALL_SELECT, -1, 5, 2, 3, 1);
	e.t_ns = 2000;
	e.syscall = trace_intern(t, "pselect6");
	add(t, e);
	e = mux_ev(TRACE_EXIT, TRACE_CALL_SELECT, -1, 5, 1, 4, 1);
	e.t_ns = 1202000;
	e.ret = 1;
	e.dur_ns = 1200000;
	e.syscall = trace_intern(t, "pselect6");
	add(t, e);
	e = ev_of(TRACE_MODEL, a, 1203000);
	e.model = trace_intern(t, "select");
	e.caps = (int32_t)trace_caps_v1("select");
	e.text[0] = trace_intern(t, "select: pselect6 returned fd 4, then recvfrom(4) read 6 bytes");
	e.text[1] = trace_intern(t, "select：pselect6 返回 fd 4，随后 recvfrom(4) 读到 6 字节");
	add(t, e);
	e = ev_of(TRACE_ENTER, a, 1204000);
	e.call = TRACE_CALL_RECVFROM;
	e.fd = 4;
	add(t, e);
	e = ev_of(TRACE_PHASE, a, 1204000);
	e.phase = TRACE_PH_WAIT;
	e.flags = TRACE_F_BLOCKED | TRACE_F_WHOLE;
	e.fd = 4;
	add(t, e);
	e.t_ns = 3204000;
	e.flags |= TRACE_F_END;
	add(t, e);
	e = ev_of(TRACE_EXIT, a, 3204000);
	e.call = TRACE_CALL_RECVFROM;
	e.fd = 4;
	e.ret = 6;
	e.dur_ns = 2000000;
	add(t, e);
	e = ev_of(TRACE_EXIT, a, 3300000);
	e.call = TRACE_CALL_WRITE;
	e.syscall = trace_intern(t, "sendto");
	e.fd = 4;
	e.ret = 6;
	e.dur_ns = 45000;
	add(t, e);
	e = ev_of(TRACE_ENTER, a, 3400000);
	e.call = TRACE_CALL_EPOLL_CTL;
	e.fd = 7;
	e.what = TRACE_OP_ADD;
	e.arg = 4;
	e.flags = TRACE_F_EVENTS;
	e.sets = TRACE_EPEV_IN | TRACE_EPEV_ET;
	add(t, e);
	return t;
}

/* t written whole (header and events) into a string the caller frees. */
static char *written(const struct trace *t, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	assert_non_null(f);
	assert_int_equal(trace_write_hdr(f, t), 0);
	for (size_t i = 0; i < trace_count(t); i++)
		assert_int_equal(trace_write_ev(f, t, trace_at(t, i)), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* Every new field written as FORMAT.md says, and read back the same. */
static void test_record_attach_round_trip(void **state)
{
	struct trace *t = attach_trace(), *back;
	const struct trace_hdr *h;
	size_t len;
	char *text = written(t, &len);

	(void)state;
	assert_non_null(strstr(text, "\"speed\":1,\"command\":\"python3 srv.py 8000\","
				     "\"pid\":4242,\"overhead_ns\":40000,\"actors\":"));
	assert_non_null(strstr(text, "\"kind\":\"enter\",\"call\":\"select\",\"sys\":\"pselect6\","
				     "\"fd\":-1,"));
	assert_non_null(strstr(text, "\"kind\":\"exit\",\"call\":\"write\",\"sys\":\"sendto\","));
	assert_non_null(strstr(text, "\"phase\":\"wait\",\"edge\":\"begin\",\"blocked\":true,"
				     "\"whole\":true,\"fd\":4}"));
	assert_non_null(strstr(text, "\"events\":[\"in\",\"et\"]"));
	/* a call under its own name carries no "sys" */
	assert_null(strstr(text, "\"call\":\"recvfrom\",\"sys\""));
	back = expect_good(text, len, 0);
	assert_trace_equal(t, back);
	h = trace_hdr_c(back);
	assert_string_equal(h->command, "python3 srv.py 8000");
	assert_int_equal(h->attach_pid, 4242);
	assert_int_equal(h->overhead_ns, 40000);
	assert_int_equal(trace_at(back, 5)->flags, TRACE_F_BLOCKED | TRACE_F_WHOLE);
	assert_int_equal(trace_at(back, 9)->sets, TRACE_EPEV_IN | TRACE_EPEV_ET);
	/* interned: equal names are one pointer */
	assert_ptr_equal(trace_at(back, 1)->syscall, trace_at(back, 2)->syscall);
	free(text);
	trace_free(back);
	/* started by ioscope: pid 0 is written, as the other two */
	trace_hdr(t)->attach_pid = 0;
	text = written(t, &len);
	assert_non_null(strstr(text, "\"pid\":0,\"overhead_ns\":40000"));
	back = expect_good(text, len, 0);
	assert_int_equal(trace_hdr_c(back)->attach_pid, 0);
	free(text);
	trace_free(back);
	trace_free(t);
}

#define AHDR "{\"format\":\"ioscope-trace\",\"version\":2,\"scenario\":\"attach\"," \
	"\"kernel\":\"k\",\"started\":\"x\",\"actors\":[{\"name\":\"world\"," \
	"\"model\":\"\"},{\"name\":\"A\",\"model\":\"blocking\",\"caps\":[\"phases\"]}]}\n"
#define HDRWITH(keys) "{\"format\":\"ioscope-trace\",\"version\":2,\"scenario\":\"attach\"," \
	"\"kernel\":\"k\",\"started\":\"x\"," keys ",\"actors\":[{\"name\":\"world\"," \
	"\"model\":\"\"}]}\n"
#define AEV(rest) "{\"seq\":0,\"t_ns\":1,\"actor\":\"A\"," rest "}\n"
#define ENTER(sys) AEV("\"kind\":\"enter\",\"call\":\"read\",\"sys\":" sys ",\"fd\":3")
#define SYSX "(expected the kernel's name of the call: 1 to 32 of a-z, 0-9 and _"

/* Hostile values, each refused at its line with its field named. */
static void test_record_attach_errors(void **state)
{
	static const char *const cases[][2] = {
		{ AHDR ENTER("\"PREAD64\""), "t.jsonl:2:1: \"sys\" of the \"enter\" event is "
		  "'PREAD64' " SYSX },
		{ AHDR ENTER("\"\""), "t.jsonl:2:1: \"sys\" of the \"enter\" event is '' " SYSX },
		{ AHDR ENTER("\"p-read\""), "\"sys\" of the \"enter\" event is 'p-read' " SYSX },
		{ AHDR ENTER("\"read \""), "\"sys\" of the \"enter\" event is 'read ' " SYSX },
		{ AHDR ENTER("\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\""),     /* 33 */
		  "\"sys\" of the \"enter\" event is 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
		{ AHDR ENTER("\"r\\u001b[2Jead\""), "\"sys\" of the \"enter\" event holds the "
		  "control character U+001B" },
		{ AHDR ENTER("5"), "t.jsonl:2:1: \"sys\" of the \"enter\" event is an integer "
		  "(expected a string)" },
		{ AHDR ENTER("null"), "\"sys\" of the \"enter\" event is null (expected a string)" },
		{ AHDR AEV("\"kind\":\"exit\",\"call\":\"write\",\"sys\":[\"sendto\"],\"fd\":3,"
			   "\"ret\":1,\"dur_ns\":1"),
		  "t.jsonl:2:1: \"sys\" of the \"exit\" event is an array (expected a string)" },
		{ AHDR AEV("\"kind\":\"phase\",\"phase\":\"copy\",\"edge\":\"begin\","
			   "\"blocked\":true,\"whole\":true,\"fd\":3"),
		  "t.jsonl:2:1: \"whole\" of the \"phase\" event is true on a copy phase "
		  "(expected it only on a wait: a wait that holds its copy)" },
		{ AHDR AEV("\"kind\":\"phase\",\"phase\":\"wait\",\"edge\":\"begin\","
			   "\"blocked\":true,\"whole\":1,\"fd\":3"),
		  "t.jsonl:2:1: \"whole\" of the \"phase\" event is an integer (expected true "
		  "or false)" },
		{ AHDR AEV("\"kind\":\"enter\",\"call\":\"epoll_ctl\",\"fd\":7,\"op\":\"add\","
			   "\"target\":4,\"events\":[\"et\",\"et\"]"),
		  "\"events[1]\" of the \"enter\" event of epoll_ctl is not a new event name "
		  "(expected an array of distinct event names: in, out, et)" },
		{ AHDR AEV("\"kind\":\"enter\",\"call\":\"epoll_ctl\",\"fd\":7,\"op\":\"add\","
			   "\"target\":4,\"events\":[\"edge\"]"),
		  "\"events[0]\" of the \"enter\" event of epoll_ctl is not a new event name" },
		{ HDRWITH("\"command\":5"),
		  "t.jsonl:1:1: \"command\" of the header is an integer (expected a string)" },
		{ HDRWITH("\"command\":\"vi\\u001b]0;x\""),
		  "t.jsonl:1:1: \"command\" of the header holds the control character U+001B" },
		{ HDRWITH("\"pid\":-1"), "t.jsonl:1:1: \"pid\" of the header is -1 (expected an "
		  "integer from 0 to 4194304)" },
		{ HDRWITH("\"pid\":4194305"), "\"pid\" of the header is 4194305 (expected an "
		  "integer from 0 to 4194304)" },
		{ HDRWITH("\"pid\":\"4242\""), "\"pid\" of the header is a string" },
		{ HDRWITH("\"overhead_ns\":-1"), "t.jsonl:1:1: \"overhead_ns\" of the header is "
		  "-1 (expected an integer from 0 to 10000000000)" },
		{ HDRWITH("\"overhead_ns\":10000000001"), "\"overhead_ns\" of the header is "
		  "10000000001 (expected an integer from 0 to 10000000000)" },
		{ HDRWITH("\"overhead_ns\":4.5"), "\"overhead_ns\" of the header is a real number" },
	};
	char buf[2048];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int n = snprintf(buf, sizeof buf, "%s", cases[i][0]);

		expect_bad(buf, (size_t)n, cases[i][1]);
	}
}

/* A command of 4096 bytes reads; one of 4097 is refused, read or written. */
static void test_record_attach_command_len(void **state)
{
	static char cmd[TRACE_MAX_COMMAND + 2], buf[TRACE_MAX_COMMAND + 512];
	struct trace *t;
	size_t len;
	char *text;
	FILE *f;
	int n;

	(void)state;
	memset(cmd, 'x', TRACE_MAX_COMMAND);
	n = snprintf(buf, sizeof buf, HDRWITH("\"command\":\"%s\""), cmd);
	t = expect_good(buf, (size_t)n, 0);
	assert_int_equal(strlen(trace_hdr_c(t)->command), TRACE_MAX_COMMAND);
	trace_free(t);
	cmd[TRACE_MAX_COMMAND] = 'x';
	n = snprintf(buf, sizeof buf, HDRWITH("\"command\":\"%s\""), cmd);
	expect_bad(buf, (size_t)n, "t.jsonl:1:1: \"command\" of the header is 4097 bytes long "
		   "(expected at most 4096)");
	t = attach_trace();
	trace_hdr(t)->command = trace_intern(t, cmd);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(trace_write_hdr(f, t), -EINVAL);
	trace_hdr(t)->command = trace_intern(t, "python3 srv.py");
	trace_hdr(t)->attach_pid = TRACE_MAX_PID + 1;
	assert_int_equal(trace_write_hdr(f, t), -EINVAL);
	trace_hdr(t)->attach_pid = 1;
	trace_hdr(t)->overhead_ns = TRACE_MAX_OVERHEAD_NS + 1;
	assert_int_equal(trace_write_hdr(f, t), -EINVAL);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(len, 0);            /* nothing was written */
	free(text);
	trace_free(t);
}

/* The writer refuses what the reader would: a name that is not one, a
 * whole copy. */
static void test_record_attach_writer_refuses(void **state)
{
	struct trace *t = attach_trace();
	struct trace_ev e = *trace_at(t, 1);
	char *text;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	assert_non_null(f);
	e.syscall = trace_intern(t, "Pselect6");
	assert_int_equal(trace_write_ev(f, t, &e), -EINVAL);
	e.syscall = trace_intern(t, "");
	assert_int_equal(trace_write_ev(f, t, &e), -EINVAL);
	e = *trace_at(t, 5);
	e.phase = TRACE_PH_COPY;
	assert_int_equal(trace_write_ev(f, t, &e), -EINVAL);
	e = *trace_at(t, 7);                    /* whole on an exit */
	e.flags |= TRACE_F_WHOLE;
	assert_int_equal(trace_write_ev(f, t, &e), -EINVAL);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(len, 0);
	free(text);
	trace_free(t);
}

/* The store keeps an enter's name in one word, and nothing for one
 * without. */
static void test_record_attach_store(void **state)
{
	struct trace *t = trace_new();
	struct trace_ev e = ev_of(TRACE_ENTER, 0, 5), without;
	size_t before;

	(void)state;
	assert_non_null(t);
	e.call = TRACE_CALL_SELECT;
	without = e;
	e.syscall = trace_intern(t, "pselect6");
	assert_int_equal(trace_ev_mem(&e), trace_ev_mem(&without) + 4);
	add(t, without);
	add(t, e);
	before = trace_mem(t);
	for (int i = 0; i < 100; i++)
		add(t, e);
	assert_int_equal(trace_mem(t) - before, 100 * trace_ev_mem(&e));
	assert_null(trace_at(t, 0)->syscall);
	assert_ptr_equal(trace_at(t, 1)->syscall, e.syscall);
	assert_ptr_equal(trace_at(t, 101)->syscall, e.syscall);
	trace_free(t);
}

/* A producer's name is its own (a buffer it reuses): the trace keeps a
 * copy, interned. */
static void test_record_attach_sink_interns(void **state)
{
	uv_loop_t loop;
	struct trace *t = trace_new();
	struct sink *s;
	struct ring *r;
	char name[16] = "pselect6";
	struct trace_ev e = ev_of(TRACE_ENTER, 0, 5);

	(void)state;
	assert_non_null(t);
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_int_equal(sink_new(&loop, t, &s), 0);
	assert_non_null(r = sink_ring_new(s, 0));
	e.call = TRACE_CALL_SELECT;
	e.syscall = name;
	ring_push(r, &e);
	e.kind = TRACE_EXIT;
	e.t_ns = 6;
	ring_push(r, &e);
	sink_drain(s);
	strcpy(name, "clobbered");
	assert_int_equal(trace_count(t), 2);
	assert_string_equal(trace_at(t, 0)->syscall, "pselect6");
	assert_ptr_equal(trace_at(t, 0)->syscall, trace_intern(t, "pselect6"));
	assert_ptr_equal(trace_at(t, 1)->syscall, trace_at(t, 0)->syscall);
	sink_close(s);
	uv_run(&loop, UV_RUN_NOWAIT);
	sink_free(s);
	assert_int_equal(uv_loop_close(&loop), 0);
	trace_free(t);
}

/* A trace from before these fields reads as before: no command, pid 0,
 * no overhead, no names, no whole wait; written back byte for byte. */
static void test_record_attach_old(void **state)
{
	char *file = NULL, *text;
	size_t flen = 0, len;
	FILE *f = fopen("scenarios/recordings/fishing.jsonl", "r");
	struct trace *t;

	(void)state;
	assert_non_null(f);
	assert_true(getdelim(&file, &flen, '\0', f) > 0);
	assert_int_equal(fclose(f), 0);
	t = expect_good(file, strlen(file), 0);
	assert_null(trace_hdr_c(t)->command);
	assert_int_equal(trace_hdr_c(t)->attach_pid, 0);
	assert_int_equal(trace_hdr_c(t)->overhead_ns, 0);
	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *e = trace_at(t, i);

		if (e->kind == TRACE_ENTER || e->kind == TRACE_EXIT)
			assert_null(e->syscall);
		assert_false(e->flags & TRACE_F_WHOLE);
	}
	text = written(t, &len);
	assert_int_equal(len, strlen(file));
	assert_memory_equal(text, file, len);
	free(text);
	free(file);
	trace_free(t);
}

/* The example of trace/FORMAT.md's "Traced programs" reads, and is what
 * the writer writes, byte for byte: its keys in the writer's order. */
static void test_record_attach_format_example(void **state)
{
	char *doc = NULL, *from, *to, *text;
	size_t dlen = 0, len;
	FILE *f = fopen("trace/FORMAT.md", "r");
	struct trace *t;

	(void)state;
	assert_non_null(f);
	assert_true(getdelim(&doc, &dlen, '\0', f) > 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(from = strstr(doc, "\n## Traced programs (ioscope attach)\n"));
	assert_non_null(from = strstr(from, "\n```\n"));
	from += 5;
	assert_non_null(to = strstr(from, "```\n"));
	t = expect_good(from, (size_t)(to - from), 0);
	assert_string_equal(trace_hdr_c(t)->command, "python3 srv.py 8000");
	text = written(t, &len);
	assert_int_equal(len, (size_t)(to - from));
	assert_memory_equal(text, from, len);
	free(text);
	free(doc);
	trace_free(t);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_attach_round_trip),
		cmocka_unit_test(test_record_attach_errors),
		cmocka_unit_test(test_record_attach_command_len),
		cmocka_unit_test(test_record_attach_writer_refuses),
		cmocka_unit_test(test_record_attach_store),
		cmocka_unit_test(test_record_attach_sink_interns),
		cmocka_unit_test(test_record_attach_old),
		cmocka_unit_test(test_record_attach_format_example),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("record_attach", tests, NULL, NULL);
}
