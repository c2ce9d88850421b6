/* test_record_mux.c: the trace format's multiplexing calls and kinds
 * (select, poll, epoll: set, ready, refuse) and its servers and clients
 * (connect, deliver, close's abrupt, done's unread). */
#include "tests/record_util.h"

/* The multiplexing fields, in the order FORMAT.md gives them. */
static void test_record_shape_mux(void **state)
{
#define L(seq, rest) "{\"seq\":" #seq ",\"t_ns\":100,\"actor\":\"A\"," rest "}\n"
	static const char want[] =
		L(0, "\"kind\":\"enter\",\"call\":\"select\",\"fd\":-1,\"nfds\":8,"
		  "\"fds\":[3,5,7]")
		L(1, "\"kind\":\"exit\",\"call\":\"select\",\"fd\":-1,\"ret\":1,"
		  "\"dur_ns\":900,\"checked\":8,\"fds\":[5]")
		L(2, "\"kind\":\"enter\",\"call\":\"poll\",\"fd\":-1,\"nfds\":18,"
		  "\"fds\":[100,101,102,103,104,105,106,107,108,109,110,111,112,"
		  "113,114,115],\"fds_more\":2")
		L(3, "\"kind\":\"exit\",\"call\":\"poll\",\"fd\":-1,\"ret\":-1,"
		  "\"dur_ns\":0,\"errno\":\"EINTR\",\"try\":2,\"checked\":18,"
		  "\"fds\":[]")
		L(4, "\"kind\":\"enter\",\"call\":\"epoll_wait\",\"fd\":9,"
		  "\"maxevents\":64")
		L(5, "\"kind\":\"exit\",\"call\":\"epoll_wait\",\"fd\":9,\"ret\":1,"
		  "\"dur_ns\":0,\"checked\":1,\"fds\":[5]")
		L(6, "\"kind\":\"enter\",\"call\":\"epoll_ctl\",\"fd\":9,\"op\":"
		  "\"add\",\"target\":5")
		L(7, "\"kind\":\"exit\",\"call\":\"epoll_ctl\",\"fd\":9,\"ret\":0,"
		  "\"dur_ns\":0,\"op\":\"del\",\"target\":5")
		L(8, "\"kind\":\"enter\",\"call\":\"accept\",\"fd\":4")
		L(9, "\"kind\":\"exit\",\"call\":\"write\",\"fd\":10,\"ret\":64,"
		  "\"dur_ns\":0")
		L(10, "\"kind\":\"set\",\"what\":\"interest\",\"n\":2,"
		  "\"fds\":[5,6]")
		L(11, "\"kind\":\"set\",\"what\":\"scan\",\"n\":8,\"fds\":[]")
		L(12, "\"kind\":\"ready\",\"what\":\"inferred\",\"fd\":5,\"step\":1")
		L(13, "\"kind\":\"refuse\",\"fd\":1024,\"limit\":1024");
#undef L
	struct trace *t = hdr_trace();
	struct trace_ev e;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	add(t, mux_ev(TRACE_ENTER, TRACE_CALL_SELECT, -1, 8, 3, 3, 2));
	e = mux_ev(TRACE_EXIT, TRACE_CALL_SELECT, -1, 8, 1, 5, 0); e.ret = 1;
	e.dur_ns = 900; add(t, e);
	add(t, mux_ev(TRACE_ENTER, TRACE_CALL_POLL, -1, 18, 18, 100, 1));
	e = mux_ev(TRACE_EXIT, TRACE_CALL_POLL, -1, 18, 0, 0, 0); e.ret = -1;
	e.err = EINTR; e.count = 2; add(t, e);
	add(t, mux_ev(TRACE_ENTER, TRACE_CALL_EPOLL_WAIT, 9, 64, 0, 0, 0));
	e = mux_ev(TRACE_EXIT, TRACE_CALL_EPOLL_WAIT, 9, 1, 1, 5, 0); e.ret = 1;
	add(t, e);
	e = mux_ev(TRACE_ENTER, TRACE_CALL_EPOLL_CTL, 9, 0, 0, 0, 0);
	e.what = TRACE_OP_ADD; e.arg = 5; add(t, e);
	e.kind = TRACE_EXIT; e.what = TRACE_OP_DEL; add(t, e);
	add(t, mux_ev(TRACE_ENTER, TRACE_CALL_ACCEPT, 4, 7, 2, 1, 1));  /* n, fds unused */
	e = mux_ev(TRACE_EXIT, TRACE_CALL_WRITE, 10, 0, 0, 0, 0); e.ret = 64;
	e.what = TRACE_OP_ADD; e.arg = 3; add(t, e);                    /* unused */
	e = mux_ev(TRACE_SET, 0, -1, 2, 2, 5, 1); e.what = TRACE_SET_INTEREST; add(t, e);
	e = mux_ev(TRACE_SET, 0, -1, 8, 0, 0, 0); e.what = TRACE_SET_SCAN; add(t, e);
	e = mux_ev(TRACE_READY, 0, 5, 0, 0, 0, 0); e.what = TRACE_READY_INFERRED;
	e.step = 1; add(t, e);
	add(t, mux_ev(TRACE_REFUSE, 0, 1024, 1024, 0, 0, 0));
	for (size_t i = 0; i < trace_count(t); i++)
		assert_int_equal(trace_write_ev(f, t, trace_at(t, i)), 0);
	fclose(f);
	assert_string_equal(buf, want);
	free(buf);
	trace_free(t);
}

/* A server, its clients (model "", left out of "models") and their kinds,
 * in the order FORMAT.md gives the keys. */
static void test_record_shape_net(void **state)
{
#define L(seq, actor, rest) "{\"seq\":" #seq ",\"t_ns\":1" #seq ",\"actor\":\"" \
	actor "\"," rest "}\n"
	static const char want[] =
		"{\"format\":\"ioscope-trace\",\"version\":2,\"scenario\":\"chat\","
		"\"models\":[\"epoll\",\"poll\"],\"kernel\":\"6.18.44\",\"started\":"
		"\"2026-11-26T13:20:00Z\",\"speed\":1,\"actors\":[{\"name\":"
		"\"world\",\"model\":\"\"},{\"name\":\"S\",\"model\":\"epoll\","
		"\"caps\":[\"phases\",\"interest\",\"serves\"]},"
		"{\"name\":\"alice\",\"model\":\"\"},{\"name\":\"bob\",\"model\":"
		"\"\"},{\"name\":\"P\",\"model\":\"poll\",\"caps\":[\"phases\",\"set\","
		"\"serves\"]}]}\n"
		L(0, "alice", "\"kind\":\"connect\",\"fd\":12,\"server\":\"S\","
		  "\"step\":0")
		L(1, "bob", "\"kind\":\"connect\",\"fd\":13,\"server\":\"P\"")
		L(2, "alice", "\"kind\":\"arrive\",\"fd\":12,\"bytes\":5,\"step\":1")
		L(3, "bob", "\"kind\":\"deliver\",\"fd\":13,\"bytes\":5")
		L(4, "alice", "\"kind\":\"deliver\",\"fd\":12,\"bytes\":9")
		L(5, "alice", "\"kind\":\"close\",\"fd\":12,\"abrupt\":true,"
		  "\"step\":2")
		L(6, "bob", "\"kind\":\"close\",\"fd\":13,\"step\":3")
		L(7, "S", "\"kind\":\"done\",\"ret\":-125,\"unread\":5")
		L(8, "P", "\"kind\":\"done\",\"ret\":-125")
		L(9, "P", "\"kind\":\"done\",\"ret\":0");
#undef L
	struct trace *t = net_trace(), *back;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(trace_write_hdr(f, t), 0);
	for (size_t i = 0; i < trace_count(t); i++)
		assert_int_equal(trace_write_ev(f, t, trace_at(t, i)), 0);
	fclose(f);
	assert_string_equal(buf, want);
	back = expect_good(buf, len, 0);
	assert_int_equal(trace_hdr_c(back)->nactors, 5);
	assert_string_equal(trace_hdr_c(back)->actors[3].model, "");
	assert_int_equal(trace_at(back, 0)->arg, 1);
	assert_int_equal(trace_at(back, 1)->arg, 4);
	assert_int_equal(trace_at(back, 3)->step, -1);    /* deliver has none */
	assert_int_equal(trace_at(back, 5)->what, 1);
	assert_int_equal(trace_at(back, 6)->what, 0);
	assert_int_equal(trace_at(back, 7)->count, 5);
	assert_int_equal(trace_at(back, 8)->count, 0);
	trace_free(back);
	free(buf);
	trace_free(t);
}

#define FDS "(expected an array of at most 16 fds)"
#define SEL(rest) EV("\"kind\":\"enter\",\"call\":\"select\",\"fd\":-1" rest)
#define SELX(rest) EV("\"kind\":\"exit\",\"call\":\"select\",\"fd\":-1," \
		      "\"ret\":0,\"dur_ns\":1" rest)
#define CTL(rest) EV("\"kind\":\"enter\",\"call\":\"epoll_ctl\",\"fd\":9" rest)
#define OPS "(expected one of: add, del, mod)"
#define SETS "(expected one of: build, scan, interest, queue, workq)"
#define READY "(expected one of: inferred)"

/* Each key a multiplexing call or kind needs: missing, of the wrong type,
 * out of range. */
static void test_record_mux_errors(void **state)
{
	static const char *const cases[][2] = {
		{ SEL(",\"fds\":[]"),
		  "t.jsonl:2:1: the \"enter\" event of select has no \"nfds\" "
		  "(expected an integer)" },
		{ SEL(",\"nfds\":\"3\",\"fds\":[]"),
		  "\"nfds\" of the \"enter\" event of select is a string " CNT },
		{ SEL(",\"nfds\":2147483648,\"fds\":[]"),
		  "\"nfds\" of the \"enter\" event of select is 2147483648 " CNT },
		{ SEL(",\"nfds\":1"),
		  "the \"enter\" event of select has no \"fds\" " FDS },
		{ EV("\"kind\":\"enter\",\"call\":\"poll\",\"fd\":-1,\"nfds\":1,"
		     "\"fds\":{}"), "\"fds\" of the \"enter\" event of poll is an "
		  "object " FDS },
		{ SEL(",\"nfds\":1,\"fds\":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]"),
		  "\"fds\" of the \"enter\" event of select has 17 entries "
		  "(expected at most 16 fds, then fds_more)" },
		{ SEL(",\"nfds\":1,\"fds\":[3,\"4\"]"),
		  "\"fds[1]\" of the \"enter\" event of select is a string " FDR },
		{ SEL(",\"nfds\":1,\"fds\":[2147483648]"),
		  "\"fds[0]\" of the \"enter\" event of select is 2147483648 " FDR },
		{ SEL(",\"nfds\":1,\"fds\":[1.5]"), "\"fds[0]\" of the \"enter\" "
		  "event of select is a real number" },
		{ SEL(",\"nfds\":1,\"fds\":[null]"), "\"fds[0]\" of the \"enter\" "
		  "event of select is null" },
		{ SEL(",\"nfds\":1,\"fds\":[],\"fds_more\":-1"),
		  "\"fds_more\" of the \"enter\" event of select is -1 (expected an "
		  "integer from 0 to 2147483647)" },
		{ SEL(",\"nfds\":1,\"fds\":[],\"fds_more\":2147483648"),
		  "\"fds_more\" of the \"enter\" event of select is 2147483648" },
		{ SEL(",\"nfds\":1,\"fds\":[],\"fds_more\":\"2\""),
		  "\"fds_more\" of the \"enter\" event of select is a string" },
		{ EV("\"kind\":\"enter\",\"call\":\"epoll_wait\",\"fd\":9"),
		  "the \"enter\" event of epoll_wait has no \"maxevents\" "
		  "(expected an integer)" },
		{ EV("\"kind\":\"enter\",\"call\":\"epoll_wait\",\"fd\":9,"
		     "\"maxevents\":true"), "\"maxevents\" of the \"enter\" event of "
		  "epoll_wait is true " CNT },
		{ EV("\"kind\":\"enter\",\"call\":\"epoll_wait\",\"fd\":9,"
		     "\"maxevents\":-2147483649"), "\"maxevents\" of the \"enter\" "
		  "event of epoll_wait is -2147483649 " CNT },
		{ CTL(",\"target\":5"),
		  "the \"enter\" event of epoll_ctl has no \"op\" " OPS },
		{ CTL(",\"op\":\"mod\",\"target\":5,\"events\":[\"in\",\"up\"]"),
		  "\"events[1]\" of the \"enter\" event of epoll_ctl is not a new event name "
		  "(expected an array of distinct event names: in, out, et)" },
		{ CTL(",\"op\":\"mod\",\"target\":5,\"events\":[\"out\",\"out\"]"),
		  "\"events[1]\" of the \"enter\" event of epoll_ctl is not a new event name" },
		{ CTL(",\"op\":\"mod\",\"target\":5,\"events\":\"out\""),
		  "\"events\" of the \"enter\" event of epoll_ctl is a string" },
		{ SEL(",\"nfds\":8,\"fds\":[5,6],\"out\":[7]"),
		  "\"out[0]\" of the \"enter\" event of select is not a new fd of its \"fds\"" },
		{ SEL(",\"nfds\":8,\"fds\":[5,6],\"out\":[6,6]"),
		  "\"out[1]\" of the \"enter\" event of select is not a new fd of its \"fds\"" },
		{ EV("\"kind\":\"deliver\",\"fd\":5,\"bytes\":3,\"fnv1a\":-1"),
		  "\"fnv1a\"" },
		{ EV("\"kind\":\"deliver\",\"fd\":5,\"bytes\":3,\"fnv1a\":4294967296"),
		  "\"fnv1a\"" },
		{ CTL(",\"op\":\"modify\",\"target\":5"),
		  "\"op\" of the \"enter\" event of epoll_ctl is 'modify' " OPS },
		{ CTL(",\"op\":1,\"target\":5"),
		  "\"op\" of the \"enter\" event of epoll_ctl is an integer " OPS },
		{ CTL(",\"op\":\"add\""),
		  "the \"enter\" event of epoll_ctl has no \"target\" (expected an "
		  "integer)" },
		{ CTL(",\"op\":\"add\",\"target\":\"5\""),
		  "\"target\" of the \"enter\" event of epoll_ctl is a string " FDR },
		{ SELX(",\"fds\":[]"),
		  "the \"exit\" event of select has no \"checked\" (expected an integer)" },
		{ SELX(",\"checked\":-1,\"fds\":[]"),
		  "\"checked\" of the \"exit\" event of select is -1 (expected an "
		  "integer from 0 to 2147483647)" },
		{ SELX(",\"checked\":[],\"fds\":[]"),
		  "\"checked\" of the \"exit\" event of select is an array" },
		{ SELX(",\"checked\":1"),
		  "the \"exit\" event of select has no \"fds\" " FDS },
		{ SELX(",\"checked\":1,\"fds\":[1],\"fds_more\":1.0"),
		  "\"fds_more\" of the \"exit\" event of select is a real number" },
		{ EV("\"kind\":\"exit\",\"call\":\"poll\",\"fd\":-1,\"ret\":0,"
		     "\"dur_ns\":1,\"checked\":1"),
		  "the \"exit\" event of poll has no \"fds\" " FDS },
		{ EV("\"kind\":\"exit\",\"call\":\"epoll_wait\",\"fd\":9,\"ret\":0,"
		     "\"dur_ns\":1,\"fds\":[]"),
		  "the \"exit\" event of epoll_wait has no \"checked\"" },
		{ EV("\"kind\":\"exit\",\"call\":\"epoll_wait\",\"fd\":9,\"ret\":0,"
		     "\"dur_ns\":1,\"checked\":\"1\",\"fds\":[]"),
		  "\"checked\" of the \"exit\" event of epoll_wait is a string" },
		{ EV("\"kind\":\"exit\",\"call\":\"epoll_ctl\",\"fd\":9,\"ret\":0,"
		     "\"dur_ns\":1,\"target\":5"),
		  "the \"exit\" event of epoll_ctl has no \"op\" " OPS },
		{ EV("\"kind\":\"exit\",\"call\":\"epoll_ctl\",\"fd\":9,\"ret\":0,"
		     "\"dur_ns\":1,\"op\":\"del\",\"target\":null"),
		  "\"target\" of the \"exit\" event of epoll_ctl is null " FDR },
		{ EV("\"kind\":\"set\",\"n\":1,\"fds\":[]"),
		  "the \"set\" event has no \"what\" " SETS },
		{ EV("\"kind\":\"set\",\"what\":\"read\",\"n\":1,\"fds\":[]"),
		  "\"what\" of the \"set\" event is 'read' " SETS },
		{ EV("\"kind\":\"set\",\"what\":\"inferred\",\"n\":1,\"fds\":[]"),
		  "\"what\" of the \"set\" event is 'inferred' " SETS },
		{ EV("\"kind\":\"set\",\"what\":\"scan\",\"fds\":[]"),
		  "the \"set\" event has no \"n\" (expected an integer)" },
		{ EV("\"kind\":\"set\",\"what\":\"scan\",\"n\":null,\"fds\":[]"),
		  "\"n\" of the \"set\" event is null " CNT },
		{ EV("\"kind\":\"set\",\"what\":\"scan\",\"n\":1"),
		  "the \"set\" event of scan has no \"fds\" " FDS },
		{ EV("\"kind\":\"set\",\"what\":\"scan\",\"n\":1,\"fds\":\"3,4\""),
		  "\"fds\" of the \"set\" event of scan is a string " FDS },
		{ EV("\"kind\":\"ready\",\"fd\":5"),
		  "the \"ready\" event has no \"what\" " READY },
		{ EV("\"kind\":\"ready\",\"what\":\"maybe\",\"fd\":5"),
		  "\"what\" of the \"ready\" event is 'maybe' " READY },
		{ EV("\"kind\":\"ready\",\"what\":\"confirmed\",\"fd\":5"),
		  "\"what\" of the \"ready\" event is 'confirmed' " READY },
		{ EV("\"kind\":\"ready\",\"what\":\"inferred\""),
		  "the \"ready\" event has no \"fd\" (expected an integer)" },
		{ EV("\"kind\":\"ready\",\"what\":\"inferred\",\"fd\":5,\"step\":\"1\""),
		  "\"step\" of the \"ready\" event is a string" },
		{ EV("\"kind\":\"refuse\",\"limit\":1024"),
		  "the \"refuse\" event has no \"fd\"" },
		{ EV("\"kind\":\"refuse\",\"fd\":1024"),
		  "the \"refuse\" event has no \"limit\" (expected an integer)" },
		{ EV("\"kind\":\"refuse\",\"fd\":1024,\"limit\":\"x\""),
		  "\"limit\" of the \"refuse\" event is a string " LIM },
		{ EV("\"kind\":\"refuse\",\"fd\":1024,\"limit\":2147483648"),
		  "\"limit\" of the \"refuse\" event is 2147483648 " LIM },
	};
	char buf[1024];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int n = snprintf(buf, sizeof buf, "%s%s\n", HDR, cases[i][0]);

		expect_bad(buf, (size_t)n, cases[i][1]);
	}
}

#define NHDR "{\"format\":\"ioscope-trace\",\"version\":1,\"scenario\":\"s\"," \
	"\"kernel\":\"k\",\"started\":\"x\",\"actors\":[{\"name\":\"world\"," \
	"\"model\":\"\"},{\"name\":\"S\",\"model\":\"epoll\"},{\"name\":" \
	"\"alice\",\"model\":\"\"},{\"name\":\"bob\",\"model\":\"\"}]}\n"
#define CEV(rest) "{\"seq\":0,\"t_ns\":1,\"actor\":\"alice\"," rest "}\n"
#define CONN(rest) CEV("\"kind\":\"connect\"" rest)
#define DLV(rest) CEV("\"kind\":\"deliver\"" rest)

/* Each key connect, deliver, close's abrupt and done's unread need: missing,
 * of the wrong type, out of range. */
static void test_record_net_errors(void **state)
{
	static const char *const cases[][2] = {
		{ CONN(",\"server\":\"S\""),
		  "t.jsonl:2:1: the \"connect\" event has no \"fd\" (expected an integer)" },
		{ CONN(",\"fd\":\"12\",\"server\":\"S\""),
		  "\"fd\" of the \"connect\" event is a string " FDR },
		{ CONN(",\"fd\":2147483648,\"server\":\"S\""),
		  "\"fd\" of the \"connect\" event is 2147483648 " FDR },
		{ CONN(",\"fd\":12"),
		  "the \"connect\" event has no \"server\" (expected a string)" },
		{ CONN(",\"fd\":12,\"server\":1"),
		  "\"server\" of the \"connect\" event is an integer (expected a string)" },
		{ CONN(",\"fd\":12,\"server\":null"),
		  "\"server\" of the \"connect\" event is null (expected a string)" },
		{ CONN(",\"fd\":12,\"server\":\"T\""),
		  "\"server\" of the \"connect\" event is 'T' (expected an actor of "
		  "the header)" },
		{ CONN(",\"fd\":12,\"server\":\"\""),
		  "\"server\" of the \"connect\" event is '' (expected an actor" },
		{ CONN(",\"fd\":12,\"server\":\"s\""),
		  "\"server\" of the \"connect\" event is 's' (expected an actor" },
		{ CONN(",\"fd\":12,\"server\":\"S\",\"step\":-1"),
		  "\"step\" of the \"connect\" event is -1 (expected an integer from 0 "
		  "to 1048575)" },
		{ CONN(",\"fd\":12,\"server\":\"S\",\"step\":\"0\""),
		  "\"step\" of the \"connect\" event is a string" },
		{ DLV(",\"bytes\":5"),
		  "the \"deliver\" event has no \"fd\" (expected an integer)" },
		{ DLV(",\"fd\":[],\"bytes\":5"),
		  "\"fd\" of the \"deliver\" event is an array " FDR },
		{ DLV(",\"fd\":12"),
		  "the \"deliver\" event has no \"bytes\" (expected an integer)" },
		{ DLV(",\"fd\":12,\"bytes\":-1"),
		  "\"bytes\" of the \"deliver\" event is -1 (expected an integer "
		  "from 0 to 2147483647)" },
		{ DLV(",\"fd\":12,\"bytes\":\"5\""),
		  "\"bytes\" of the \"deliver\" event is a string (expected an integer "
		  "from 0 to 2147483647)" },
		{ DLV(",\"fd\":12,\"bytes\":5.0"),
		  "\"bytes\" of the \"deliver\" event is a real number" },
		{ CEV("\"kind\":\"close\",\"fd\":12,\"abrupt\":1"),
		  "\"abrupt\" of the \"close\" event is an integer (expected true or false)" },
		{ CEV("\"kind\":\"close\",\"fd\":12,\"abrupt\":\"true\""),
		  "\"abrupt\" of the \"close\" event is a string (expected true or false)" },
		{ CEV("\"kind\":\"close\",\"fd\":12,\"abrupt\":null"),
		  "\"abrupt\" of the \"close\" event is null (expected true or false)" },
		{ CEV("\"kind\":\"close\",\"abrupt\":true"),
		  "the \"close\" event has no \"fd\"" },
		{ CEV("\"kind\":\"done\",\"ret\":-125,\"unread\":-1"),
		  "\"unread\" of the \"done\" event is -1 (expected an integer from 0 "
		  "to 4294967295)" },
		{ CEV("\"kind\":\"done\",\"ret\":-125,\"unread\":4294967296"),
		  "\"unread\" of the \"done\" event is 4294967296" },
		{ CEV("\"kind\":\"done\",\"ret\":-125,\"unread\":\"5\""),
		  "\"unread\" of the \"done\" event is a string" },
		{ CEV("\"kind\":\"done\",\"unread\":5"),
		  "the \"done\" event has no \"ret\" (expected an integer)" },
	};
	char buf[1024];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int n = snprintf(buf, sizeof buf, "%s%s\n", NHDR, cases[i][0]);

		expect_bad(buf, (size_t)n, cases[i][1]);
	}
}

/* Several actors with model "" (world and clients); optional keys absent or
 * false; a connect may name any actor of the header, the world included. */
static void test_record_net_optional(void **state)
{
	static const char text[] = NHDR
		CONN(",\"fd\":12,\"server\":\"S\"")
		CEV("\"kind\":\"connect\",\"fd\":-1,\"server\":\"world\",\"step\":4,"
		    "\"target\":\"x\"")
		DLV(",\"fd\":12,\"bytes\":0,\"step\":\"ignored\"")
		CEV("\"kind\":\"close\",\"fd\":12,\"abrupt\":false")
		CEV("\"kind\":\"close\",\"fd\":12")
		CEV("\"kind\":\"done\",\"ret\":-125,\"unread\":0")
		CEV("\"kind\":\"done\",\"ret\":0,\"count\":\"x\"");
	struct trace *t = expect_good(text, sizeof text - 1, 0);
	const struct trace_hdr *h = trace_hdr_c(t);

	(void)state;
	assert_int_equal(h->nactors, 4);
	assert_string_equal(h->actors[2].name, "alice");
	assert_string_equal(h->actors[2].model, "");
	assert_string_equal(h->actors[3].model, "");
	assert_int_equal(trace_count(t), 7);
	assert_int_equal(trace_at(t, 0)->actor, 2);
	assert_int_equal(trace_at(t, 0)->arg, 1);
	assert_int_equal(trace_at(t, 0)->step, -1);
	assert_int_equal(trace_at(t, 1)->arg, TRACE_WORLD);
	assert_int_equal(trace_at(t, 1)->step, 4);
	assert_int_equal(trace_at(t, 2)->ret, 0);
	assert_int_equal(trace_at(t, 2)->step, -1);
	assert_int_equal(trace_at(t, 3)->what, 0);
	assert_int_equal(trace_at(t, 4)->what, 0);
	assert_true(trace_at(t, 5)->ret == -ECANCELED);
	assert_int_equal(trace_at(t, 5)->count, 0);
	assert_int_equal(trace_at(t, 6)->count, 0);
	trace_free(t);
}

/* Optional and unused keys: fds_more absent is 0, an empty set is fine,
 * a call's keys are ignored on calls that do not use them. */
/* Write interest: epoll_ctl mod with its events, "out" on sets and on a
 * select's enter and exit, the server's queue; read back as written, and
 * a line without them (an older trace) reads as none. */
static void test_record_mux_out(void **state)
{
	static const char text[] = HDR
		CTL(",\"op\":\"mod\",\"target\":5,\"events\":[\"in\",\"out\"]")
		CTL(",\"op\":\"add\",\"target\":6")
		EV("\"kind\":\"set\",\"what\":\"interest\",\"n\":2,\"fds\":[5,6],\"out\":[6]")
		EV("\"kind\":\"set\",\"what\":\"queue\",\"n\":4096,\"fds\":[6]")
		SEL(",\"nfds\":8,\"fds\":[5,6,7],\"out\":[7,5],\"polled\":3,\"copied_in\":16,"
		    "\"sets\":[\"read\",\"write\"]")
		SELX(",\"checked\":8,\"fds\":[7],\"out\":[7],\"polled\":3,\"copied_in\":16,"
		     "\"copied_out\":16,\"sets\":[\"read\",\"write\"]")
		EV("\"kind\":\"deliver\",\"fd\":5,\"bytes\":3,\"fnv1a\":4294967295")
		EV("\"kind\":\"deliver\",\"fd\":5,\"bytes\":3");
	struct trace *t = expect_good(text, sizeof text - 1, 0), *back;
	size_t len;
	char *again = record_text(t, true, &len);

	(void)state;
	assert_int_equal(trace_count(t), 8);
	assert_int_equal(trace_at(t, 6)->count, UINT32_MAX);
	assert_int_equal(trace_at(t, 7)->count, 0);
	assert_int_equal(trace_at(t, 0)->what, TRACE_OP_MOD);
	assert_true(trace_at(t, 0)->flags & TRACE_F_EVENTS);
	assert_int_equal(trace_at(t, 0)->sets, TRACE_EPEV_IN | TRACE_EPEV_OUT);
	assert_false(trace_at(t, 1)->flags & TRACE_F_EVENTS);
	assert_int_equal(trace_at(t, 2)->outs, 1u << 1);
	assert_int_equal(trace_at(t, 3)->what, TRACE_SET_QUEUE);
	assert_int_equal(trace_at(t, 3)->n, 4096);
	assert_int_equal(trace_at(t, 3)->outs, 0);
	assert_int_equal(trace_at(t, 4)->outs, (1u << 2) | 1u);
	assert_int_equal(trace_at(t, 5)->outs, 1u);
	back = expect_good(again, len, 0);
	for (size_t i = 0; i < trace_count(t); i++) {
		assert_int_equal(trace_at(back, i)->outs, trace_at(t, i)->outs);
		assert_int_equal(trace_at(back, i)->sets, trace_at(t, i)->sets);
		assert_int_equal(trace_at(back, i)->flags, trace_at(t, i)->flags);
		assert_int_equal(trace_at(back, i)->count, trace_at(t, i)->count);
	}
	assert_non_null(strstr(again, "\"events\":[\"in\",\"out\"]"));
	assert_non_null(strstr(again, "\"out\":[5,7]"));
	trace_free(back);
	trace_free(t);
	free(again);
}

static void test_record_mux_optional(void **state)
{
	static const char text[] = HDR
		SEL(",\"nfds\":0,\"fds\":[]")
		SELX(",\"checked\":0,\"fds\":[-1,2147483647],\"fds_more\":0")
		EV("\"kind\":\"enter\",\"call\":\"read\",\"fd\":3,\"nfds\":\"x\","
		   "\"fds\":{},\"op\":7")
		EV("\"kind\":\"exit\",\"call\":\"accept\",\"fd\":4,\"ret\":10,"
		   "\"dur_ns\":1,\"checked\":-5,\"fds\":[\"a\"]")
		EV("\"kind\":\"enter\",\"call\":\"epoll_wait\",\"fd\":9,"
		   "\"maxevents\":8,\"fds\":99,\"nfds\":[]")
		EV("\"kind\":\"ready\",\"what\":\"inferred\",\"fd\":5,\"n\":\"?\"")
		EV("\"kind\":\"refuse\",\"fd\":1,\"limit\":1,\"fds\":null");
	struct trace *t = expect_good(text, sizeof text - 1, 0);
	const struct trace_ev *e;

	(void)state;
	assert_int_equal(trace_count(t), 7);
	e = trace_at(t, 0);
	assert_int_equal(e->nfds, 0);
	assert_int_equal(e->fds_more, 0);
	e = trace_at(t, 1);
	assert_int_equal(e->nfds, 2);
	assert_int_equal(e->fd_list[0], -1);
	assert_int_equal(e->fd_list[1], INT32_MAX);
	assert_int_equal(trace_ev_nset(e), 2);
	e = trace_at(t, 2);
	assert_int_equal(e->n, 0);
	assert_int_equal(e->nfds, 0);
	assert_int_equal(e->what, 0);
	e = trace_at(t, 3);
	assert_int_equal(e->ret, 10);
	assert_int_equal(e->n, 0);
	assert_int_equal(e->nfds, 0);
	assert_int_equal(trace_at(t, 4)->n, 8);
	assert_int_equal(trace_at(t, 4)->nfds, 0);
	assert_int_equal(trace_at(t, 5)->what, TRACE_READY_INFERRED);
	assert_int_equal(trace_at(t, 5)->step, -1);
	assert_int_equal(trace_at(t, 6)->n, 1);
	trace_free(t);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_shape_mux),
		cmocka_unit_test(test_record_shape_net),
		cmocka_unit_test(test_record_mux_errors),
		cmocka_unit_test(test_record_mux_optional),
		cmocka_unit_test(test_record_mux_out),
		cmocka_unit_test(test_record_net_errors),
		cmocka_unit_test(test_record_net_optional),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("record_mux", tests, NULL, NULL);
}
