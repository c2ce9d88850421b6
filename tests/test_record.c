/* test_record.c: the JSON Lines trace format, written and read back: the
 * round trip of every kind, the core kinds' shape and errors, lines and
 * files.  Multiplexing and servers are in test_record_mux.c, signal-driven
 * and asynchronous IO in test_record_async.c. */
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "tests/record_util.h"

static char dir[] = "/tmp/ioscope-record-XXXXXX";

static const char *in_dir(const char *name)
{
	static char path[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(path[i], sizeof path[i], "%s/%s", dir, name);
	return path[i];
}

/* Temporaries a save left in dir: trace/outfile.c names them
 * TARGET.tmp.XXXXXX beside the target. */
static int tmp_left(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		n += strstr(de->d_name, ".tmp.") != NULL;
	closedir(d);
	return n;
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = malloc(1 << 20);

	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

/* jansson makes JSON strings only of valid UTF-8. */
static bool is_utf8(const char *s)
{
	json_t *j = json_string(s);
	bool ok = j != NULL;

	json_decref(j);
	return ok;
}


/* The multiplexing calls and kinds, each field at its extremes somewhere. */
static void add_mux(struct trace *t)
{
	struct trace_ev e;

	e = mux_ev(TRACE_SET, TRACE_CALL_NONE, -1, 8, 3, 3, 2);
	e.what = TRACE_SET_BUILD; add(t, e);
	e = mux_ev(TRACE_ENTER, TRACE_CALL_SELECT, -1, 8, 3, 3, 2); add(t, e);
	e = mux_ev(TRACE_READY, 0, 5, 0, 0, 0, 0); e.what = TRACE_READY_INFERRED;
	e.step = 3; add(t, e);
	e = mux_ev(TRACE_EXIT, TRACE_CALL_SELECT, -1, 8, 1, 5, 0); e.ret = 1;
	e.dur_ns = 900; e.flags = TRACE_F_COST; e.polled = 3; e.copied_in = 8;
	e.copied_out = 8; e.sets = TRACE_FDSET_READ; add(t, e);
	e = mux_ev(TRACE_SET, 0, -1, 8, 1, 5, 0); e.what = TRACE_SET_SCAN; add(t, e);
	e = mux_ev(TRACE_ENTER, TRACE_CALL_POLL, -1, 20, 20, 100, 1); add(t, e);
	e = mux_ev(TRACE_EXIT, TRACE_CALL_POLL, -1, 0, 2, -1, 0); e.ret = -1;
	e.err = EINTR; e.count = 2; e.fd_list[1] = INT32_MAX; add(t, e);
	e = mux_ev(TRACE_ENTER, TRACE_CALL_POLL, -1, 0, 0, 0, 0); add(t, e);
	e = mux_ev(TRACE_EXIT, TRACE_CALL_POLL, -1, INT32_MAX, 16, 0, 3);
	e.fds_more = TRACE_MAX_COUNT; e.flags = TRACE_F_COST; e.polled = INT32_MAX;
	e.copied_in = TRACE_MAX_COUNT; e.copied_out = TRACE_MAX_COUNT; add(t, e);
	e = mux_ev(TRACE_ENTER, TRACE_CALL_EPOLL_CTL, 9, 0, 0, 0, 0);
	e.what = TRACE_OP_ADD; e.arg = 5; add(t, e);
	e = mux_ev(TRACE_EXIT, TRACE_CALL_EPOLL_CTL, 9, 0, 0, 0, 0);
	e.what = TRACE_OP_ADD; e.arg = 5; add(t, e);
	e = mux_ev(TRACE_ENTER, TRACE_CALL_EPOLL_CTL, 9, 0, 0, 0, 0);
	e.what = TRACE_OP_DEL; e.arg = -1; add(t, e);
	e = mux_ev(TRACE_EXIT, TRACE_CALL_EPOLL_CTL, 9, 0, 0, 0, 0); e.ret = -1;
	e.err = EBADF; e.what = TRACE_OP_DEL; e.arg = INT32_MAX; add(t, e);
	e = mux_ev(TRACE_SET, 0, -1, 2, 2, 5, 1); e.what = TRACE_SET_INTEREST;
	add(t, e);
	e = mux_ev(TRACE_ENTER, TRACE_CALL_EPOLL_WAIT, 9, INT32_MAX, 0, 0, 0); add(t, e);
	e = mux_ev(TRACE_READY, 0, -1, 0, 0, 0, 0);
	e.what = TRACE_READY_INFERRED; add(t, e);
	e = mux_ev(TRACE_EXIT, TRACE_CALL_EPOLL_WAIT, 9, 1, 1, 5, 0); e.ret = 1;
	add(t, e);
	e = mux_ev(TRACE_SET, 0, -1, 0, 0, 0, 0); e.what = TRACE_SET_SCAN;
	e.fds_more = 7; add(t, e);
	e = mux_ev(TRACE_ENTER, TRACE_CALL_ACCEPT, 4, 0, 0, 0, 0); add(t, e);
	e = mux_ev(TRACE_EXIT, TRACE_CALL_ACCEPT, 4, 0, 0, 0, 0); e.ret = 10; add(t, e);
	e = mux_ev(TRACE_ENTER, TRACE_CALL_WRITE, 10, 0, 0, 0, 0); add(t, e);
	e = mux_ev(TRACE_EXIT, TRACE_CALL_WRITE, 10, 0, 0, 0, 0); e.ret = 64; add(t, e);
	e = mux_ev(TRACE_REFUSE, 0, 1024, 1024, 0, 0, 0); add(t, e);
	e = mux_ev(TRACE_REFUSE, 0, INT32_MAX, 1, 0, 0, 0); add(t, e);
}

/* A server S and the clients the world plays for it (model ""): connect,
 * deliver, closes gentle and abrupt, and done with bytes left unread. */
static void add_net(struct trace *t)
{
	struct trace_ev e;

	assert_int_equal(trace_add_actor(t, "S", "epoll", trace_caps_v1("epoll"), "", ""), 4);
	assert_int_equal(trace_add_actor(t, "alice", "", 0, "", ""), 5);
	assert_int_equal(trace_add_actor(t, "bob", "", 0, "", ""), 6);
	e = ev_of(TRACE_CONNECT, 5, 100); e.fd = 12; e.arg = 4; e.step = 0; add(t, e);
	e = ev_of(TRACE_CONNECT, 6, 101); e.fd = -1; e.arg = 6; add(t, e);
	e = ev_of(TRACE_CONNECT, 6, 102); e.fd = INT32_MAX; e.arg = TRACE_WORLD;
	e.step = TRACE_MAX_STEPS - 1; add(t, e);
	e = ev_of(TRACE_ARRIVE, 5, 103); e.fd = 12; e.ret = 5; e.step = 1; add(t, e);
	e = ev_of(TRACE_DELIVER, 6, 104); e.fd = 13; e.ret = 5; add(t, e);
	e = ev_of(TRACE_DELIVER, 6, 105); e.fd = -1; e.ret = 0; add(t, e);
	e = ev_of(TRACE_DELIVER, 5, 106); e.fd = 12; e.ret = TRACE_MAX_RET; add(t, e);
	e = ev_of(TRACE_CLOSE, 5, 107); e.fd = 12; e.what = 1; e.step = 2; add(t, e);
	e = ev_of(TRACE_CLOSE, 6, 108); e.fd = 13; e.what = 1; add(t, e);
	e = ev_of(TRACE_CLOSE, 6, 109); e.fd = 13; e.step = 3; add(t, e);
	e = ev_of(TRACE_DONE, 4, 110); e.ret = -ECANCELED; e.count = 17; add(t, e);
	e = ev_of(TRACE_DONE, 3, 111); e.ret = -ECANCELED; e.count = UINT32_MAX;
	add(t, e);
}

/* Signal-driven and asynchronous IO: signals by name, both ends of each
 * range, a failed completion, a helper thread's state, a note. */
static void add_async(struct trace *t)
{
	static const int sigs[] = { SIGIO, SIGUSR1, SIGHUP, SIGSYS };
	struct trace_ev e;

	for (int i = 0; i < 4; i++) {
		e = ev_of(TRACE_SIGNAL, 1, 200 + i); e.n = sigs[i]; e.fd = 5 - i;
		e.tid = 4242; add(t, e);
	}
	e = ev_of(TRACE_SIGNAL, 2, 204); e.n = SIGRTMIN; e.fd = -1; add(t, e);
	e = ev_of(TRACE_SIGNAL, 2, 205); e.n = SIGRTMIN + 2; e.fd = INT32_MAX;
	e.tid = INT32_MAX; add(t, e);
	e = ev_of(TRACE_SIGNAL, 2, 206); e.n = SIGRTMAX; add(t, e);
	e = ev_of(TRACE_ENTER, 2, 210); e.call = TRACE_CALL_IO_URING_ENTER; e.fd = 7;
	add(t, e);
	e = ev_of(TRACE_SUBMIT, 2, 211); e.fd = 5; e.arg = 1; e.n = 1; add(t, e);
	e = ev_of(TRACE_SUBMIT, 2, 212); e.fd = -1; e.arg = INT32_MIN;
	e.n = INT32_MAX; add(t, e);
	e = ev_of(TRACE_EXIT, 2, 213); e.call = TRACE_CALL_IO_URING_ENTER; e.fd = 7;
	e.ret = -1; e.err = EINTR; e.dur_ns = 10; add(t, e);
	e = ev_of(TRACE_COMPLETE, 2, 214); e.fd = 5; e.arg = 1; e.ret = 64; e.n = 2;
	add(t, e);
	e = ev_of(TRACE_COMPLETE, 2, 215); e.fd = 6; e.arg = INT32_MAX;
	e.ret = -ECANCELED; add(t, e);
	e = ev_of(TRACE_COMPLETE, 2, 216); e.fd = INT32_MAX; e.arg = INT32_MIN;
	e.ret = TRACE_MAX_RET; e.n = INT32_MAX; add(t, e);
	e = ev_of(TRACE_COMPLETE, 2, 217); e.ret = -1; add(t, e);    /* EPERM */
	e = ev_of(TRACE_ENTER, 3, 220); e.call = TRACE_CALL_AIO_READ; e.fd = 5; add(t, e);
	e = ev_of(TRACE_EXIT, 3, 221); e.call = TRACE_CALL_AIO_READ; e.fd = 5;
	e.dur_ns = 300; add(t, e);
	e = ev_of(TRACE_STATE, 3, 222); e.tid = 0; e.state = 'S'; e.fd = 5;
	e.syscall = trace_intern(t, "read"); e.wchan = trace_intern(t, "sk_wait_data");
	e.what = 1; add(t, e);
	e = ev_of(TRACE_NOTE, 3, 223); e.text[0] = trace_intern(t, "glibc \"helper\"");
	e.text[1] = trace_intern(t, "辅助线程"); add(t, e);
	e = ev_of(TRACE_NOTE, 0, 224); e.text[0] = e.text[1] = trace_intern(t, "");
	add(t, e);
}

/* Actors that appear (one with every key, one with none), change model
 * and leave; a lost count after an end. */
static void add_life(struct trace *t)
{
	struct trace_ev e;
	int c1, c2;

	c1 = trace_announce_actor(t, "conn-1", "thread-per-conn", TRACE_CAP_PHASES,
				  "connection 1", "连接1", 4);
	assert_int_equal(c1, 7);
	e = ev_of(TRACE_ACTOR, c1, 300); e.tid = INT32_MAX; e.pid = TRACE_MAX_PID; add(t, e);
	c2 = trace_announce_actor(t, "conn-2", "", 0, "", "", -1);
	e = ev_of(TRACE_ACTOR, c2, 301); add(t, e);
	e = ev_of(TRACE_MODEL, c1, 302); e.model = trace_intern(t, "blocking");
	e.caps = TRACE_CAP_ALL; e.text[0] = trace_intern(t, "it \"blocks\"\nin recvfrom");
	e.text[1] = trace_intern(t, "它阻塞"); add(t, e);
	e = ev_of(TRACE_MODEL, 4, 303); e.model = trace_intern(t, "epoll-et");
	e.text[0] = e.text[1] = trace_intern(t, ""); add(t, e);
	e = ev_of(TRACE_STATE, c1, 304); e.tid = 1; e.pid = 1; e.state = 'S';
	e.syscall = trace_intern(t, "recvfrom"); e.wchan = trace_intern(t, ""); add(t, e);
	e = ev_of(TRACE_ACTOR, c1, 305); e.flags = TRACE_F_END; add(t, e);
	e = ev_of(TRACE_LOST, c1, 306); e.count = 0; add(t, e);
	e = ev_of(TRACE_ACTOR, 3, 307); e.flags = TRACE_F_END; add(t, e);
}

/* Every kind, every field, and the extremes of each range. */
static struct trace *full_trace(void)
{
	struct trace *t = hdr_trace();
	struct trace_ev e;

	assert_int_equal(trace_add_actor(t, "C", "blocking", trace_caps_v1("blocking"), "", "丙"), 3);
	e = ev_of(TRACE_CAPTION, 0, 0); e.step = 0;
	e.text[0] = trace_intern(t, "Fish \"arrive\"\nnow");   /* a caption may break lines */
	e.text[1] = trace_intern(t, "鱼来了"); add(t, e);
	e = ev_of(TRACE_ARRIVE, 0, 10); e.fd = 5; e.ret = 100; e.step = 1; add(t, e);
	e = ev_of(TRACE_ARRIVE, 0, 11); e.fd = 6; e.ret = 0; add(t, e);
	e = ev_of(TRACE_ENTER, 1, 20); e.call = TRACE_CALL_RECVFROM; e.fd = 5; add(t, e);
	for (int i = 0; i < 4; i++) {
		e = ev_of(TRACE_PHASE, 1, 30 + i); e.fd = 5;
		e.phase = i < 2 ? TRACE_PH_WAIT : TRACE_PH_COPY;
		e.flags = (uint8_t)((i & 1 ? TRACE_F_END : 0) | (i < 3 ? TRACE_F_BLOCKED : 0));
		add(t, e);
	}
	e = ev_of(TRACE_EXIT, 1, 40); e.call = TRACE_CALL_RECVFROM; e.fd = 5;
	e.ret = 100; e.dur_ns = 12345; add(t, e);
	e = ev_of(TRACE_EXIT, 2, 41); e.call = TRACE_CALL_READ; e.fd = 6;
	e.ret = -1; e.err = EAGAIN; e.count = 3; e.dur_ns = 100; add(t, e);
	e = ev_of(TRACE_EXIT, 3, TRACE_MAX_NS); e.call = TRACE_CALL_READ; e.fd = -1;
	e.ret = TRACE_MIN_RET; e.err = EINTR; e.count = UINT32_MAX; e.dur_ns = TRACE_MAX_NS;
	add(t, e);
	e = ev_of(TRACE_ARRIVE, 0, 12); e.fd = 7; e.ret = -EPIPE; e.step = 2; add(t, e);
	e = ev_of(TRACE_STATE, 1, 50); e.tid = 1234; e.state = 'S'; e.fd = 5;
	e.syscall = trace_intern(t, "recvfrom"); e.wchan = trace_intern(t, "sk_wait_data");
	add(t, e);
	e = ev_of(TRACE_STATE, 2, 51); e.tid = INT32_MAX; e.state = 'R';
	e.syscall = trace_intern(t, "running"); e.wchan = trace_intern(t, ""); add(t, e);
	e = ev_of(TRACE_IDLE, 2, 60); add(t, e);
	e = ev_of(TRACE_IDLE, 2, 61); e.flags = TRACE_F_END; e.dur_ns = 5000;
	e.count = 2; add(t, e);
	e = ev_of(TRACE_CLOSE, 0, 70); e.fd = 6; e.step = TRACE_MAX_STEPS - 1; add(t, e);
	e = ev_of(TRACE_CLOSE, 0, 71); e.fd = 7; add(t, e);
	add_mux(t);
	add_net(t);
	add_async(t);
	add_life(t);
	e = ev_of(TRACE_LOST, 0, 80); e.count = 17; add(t, e);
	e = ev_of(TRACE_DONE, 1, 90); e.ret = 0; add(t, e);
	e = ev_of(TRACE_DONE, 2, 91); e.ret = -EINTR; add(t, e);
	return t;
}

static void test_record_round_trip(void **state)
{
	struct trace *t = full_trace(), *back = NULL;
	const char *path = in_dir("round.jsonl");
	char cause[256];
	size_t skipped = 99;

	(void)state;
	assert_int_equal(trace_save(t, path), 0);
	assert_int_equal(tmp_left(), 0);
	assert_int_equal(trace_read(path, &back, &skipped, cause, sizeof cause), 0);
	assert_int_equal(skipped, 0);
	assert_trace_equal(t, back);
	assert_int_equal(trace_lost(back), 17);
	trace_free(back);
	trace_free(t);
	unlink(path);
}

static void test_record_shape(void **state)
{
	static const char want[] =
		"{\"format\":\"ioscope-trace\",\"version\":2,\"scenario\":\"fishing\","
		"\"models\":[\"blocking\",\"nonblocking\"],\"kernel\":\"6.18.44\","
		"\"started\":\"2026-11-26T13:20:00Z\",\"speed\":10,\"actors\":["
		"{\"name\":\"world\",\"model\":\"\"},{\"name\":\"A\",\"model\":"
		"\"blocking\",\"caps\":[\"phases\"],\"label\":{\"en\":\"Ann\",\"zh\":\"安\"}},"
		"{\"name\":\"B\",\"model\":\"nonblocking\",\"caps\":[\"phases\",\"tries\"]},"
		"{\"name\":\"C\",\"model\":\"blocking\",\"caps\":[\"phases\"]}]}\n"
		"{\"seq\":0,\"t_ns\":1000,\"actor\":\"A\",\"kind\":\"enter\",\"call\":"
		"\"recvfrom\",\"fd\":5}\n"
		"{\"seq\":1,\"t_ns\":2000,\"actor\":\"A\",\"kind\":\"phase\",\"phase\":"
		"\"wait\",\"edge\":\"begin\",\"blocked\":true,\"fd\":5}\n"
		"{\"seq\":2,\"t_ns\":3000,\"actor\":\"B\",\"kind\":\"exit\",\"call\":"
		"\"read\",\"fd\":6,\"ret\":-1,\"dur_ns\":50,\"errno\":\"EAGAIN\",\"try\":1}\n"
		"{\"seq\":3,\"t_ns\":4000,\"actor\":\"world\",\"kind\":\"caption\","
		"\"text\":{\"en\":\"Fish\",\"zh\":\"鱼\"},\"step\":0}\n"
		"{\"seq\":4,\"t_ns\":5000,\"actor\":\"B\",\"kind\":\"idle\",\"edge\":"
		"\"end\",\"dur_ns\":700}\n";
	struct trace *t = hdr_trace();
	struct trace_ev e;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(trace_add_actor(t, "C", "blocking", trace_caps_v1("blocking"), "", ""), 3);
	e = ev_of(TRACE_ENTER, 1, 1000); e.call = TRACE_CALL_RECVFROM; e.fd = 5; add(t, e);
	e = ev_of(TRACE_PHASE, 1, 2000); e.phase = TRACE_PH_WAIT; e.fd = 5;
	e.flags = TRACE_F_BLOCKED; add(t, e);
	e = ev_of(TRACE_EXIT, 2, 3000); e.call = TRACE_CALL_READ; e.fd = 6; e.ret = -1;
	e.dur_ns = 50; e.err = EAGAIN; e.count = 1; add(t, e);
	e = ev_of(TRACE_CAPTION, 0, 4000); e.step = 0; e.text[0] = trace_intern(t, "Fish");
	e.text[1] = trace_intern(t, "鱼"); add(t, e);
	e = ev_of(TRACE_IDLE, 2, 5000); e.flags = TRACE_F_END; e.dur_ns = 700; add(t, e);
	assert_int_equal(trace_write_hdr(f, t), 0);
	for (size_t i = 0; i < trace_count(t); i++)
		assert_int_equal(trace_write_ev(f, t, trace_at(t, i)), 0);
	fclose(f);
	assert_string_equal(buf, want);
	free(buf);
	trace_hdr(t)->speed = 2.5;
	f = open_memstream(&buf, &len);
	assert_int_equal(trace_write_hdr(f, t), 0);
	fclose(f);
	assert_non_null(strstr(buf, "\"speed\":2.5,"));
	free(buf);
	trace_free(t);
}


/* A recorder killed mid-write leaves part of its last line: cut the saved
 * file at every byte of that line. */
static void test_record_truncated_last(void **state)
{
	struct trace *t = full_trace(), *r;
	const char *path = in_dir("cut.jsonl");
	size_t len, last, n = trace_count(t), skipped = 0;
	char *buf, cause[256];

	(void)state;
	assert_int_equal(trace_save(t, path), 0);
	buf = slurp(path, &len);
	for (last = len - 1; buf[last - 1] != '\n'; last--)
		;
	for (size_t k = 1; last + k < len - 1; k++) {
		r = expect_good(buf, last + k, 1);
		assert_int_equal(trace_count(r), n - 1);
		trace_free(r);
	}
	r = expect_good(buf, len - 1, 0);      /* only the '\n' is missing */
	assert_trace_equal(t, r);
	trace_free(r);
	r = expect_good(buf, last, 0);         /* cut between two lines */
	assert_int_equal(trace_count(r), n - 1);
	trace_free(r);
	write_file(path, buf, last + 9);
	assert_int_equal(trace_read(path, &r, &skipped, cause, sizeof cause), 0);
	assert_int_equal(skipped, 1);
	assert_int_equal(trace_count(r), n - 1);
	trace_free(r);
	free(buf);
	trace_free(t);
	unlink(path);
}

/* Only the last line is forgiven, and only when it is not JSON. */
static void test_record_bad_middle_line(void **state)
{
	static const char bad[] = HDR EV("\"kind\":\"done\",\"ret\":0")
		"{\"seq\":1,\"t_ns\":5,,}\n" EV("\"kind\":\"done\",\"ret\":0");
	static const char cut[] = HDR "{\"seq\":1,\"t_\n" EV("\"kind\":\"done\",\"ret\":0");
	static const char cut_nl[] = HDR "{\"seq\":1,\"t_\n";
	static const char last_bad[] = HDR "{\"seq\":0,\"t_ns\":1,\"actor\":\"A\","
		"\"kind\":\"fly\"}";
	static const char crlf[] = "{\"format\":\"ioscope-trace\",\"version\":1,"
		"\"scenario\":\"s\",\"kernel\":\"k\",\"started\":\"x\",\"actors\":"
		"[{\"name\":\"world\",\"model\":\"\"}]}\r\n";

	(void)state;
	expect_bad(bad, sizeof bad - 1, "t.jsonl:3:19: invalid JSON: string or "
		   "'}' expected near ',' (expected an event object)");
	expect_bad(cut, sizeof cut - 1, "t.jsonl:2:");
	expect_bad(cut_nl, sizeof cut_nl - 1, "t.jsonl:2:");
	expect_bad(last_bad, sizeof last_bad - 1, "t.jsonl:2:1: event kind 'fly'");
	trace_free(expect_good(crlf, sizeof crlf - 1, 0));
}

static void test_record_blank_line(void **state)
{
	static const char mid[] = HDR "\n" EV("\"kind\":\"done\",\"ret\":0");
	static const char end[] = HDR EV("\"kind\":\"done\",\"ret\":0") " \n";
	static const char first[] = "\n" HDR;

	(void)state;
	expect_bad(mid, sizeof mid - 1, "t.jsonl:2:1: blank line (expected an event");
	expect_bad(end, sizeof end - 1, "t.jsonl:3:1: blank line");
	expect_bad(first, sizeof first - 1, "t.jsonl:1:1: blank line (expected the header)");
}

static void test_record_header_errors(void **state)
{
#define H(body) "{\"format\":\"ioscope-trace\",\"version\":1," body "}\n"
#define W "{\"name\":\"world\",\"model\":\"\"}"
#define REST "\"scenario\":\"s\",\"kernel\":\"k\",\"started\":\"x\""
	static const char *const cases[][2] = {
		{ "[1]\n", "t.jsonl:1:1: the first line is an array (expected the header" },
		{ "{\"format\":\"other\",\"version\":1}\n", "not an ioscope trace" },
		{ "{\"version\":1}\n", "t.jsonl:1:1: not an ioscope trace" },
		{ "{\"format\":\"ioscope-trace\",\"version\":\"1\"}\n",
		  "\"version\" of the header is a string (expected an integer >= 1)" },
		{ "{\"format\":\"ioscope-trace\",\"version\":0}\n", "is 0 (expected" },
		{ "{\"format\":\"ioscope-trace\"}\n", "the header has no \"version\"" },
		{ H("\"actors\":[" W "]"), "the header has no \"scenario\"" },
		{ H(REST), "t.jsonl:1:1: the header has no \"actors\"" },
		{ H(REST ",\"actors\":{}"), "\"actors\" of the header is an object" },
		{ H(REST ",\"actors\":[]"), "\"actors\" has 0 entries (expected 1 to 64" },
		{ H(REST ",\"actors\":[{\"name\":\"A\",\"model\":\"\"}]"),
		  "the first actor is 'A' (expected \"world\")" },
		{ H(REST ",\"actors\":[" W ",{\"name\":\"world\",\"model\":\"\"}]"),
		  "actor 1 is named 'world' (expected a unique" },
		{ H(REST ",\"actors\":[" W ",{\"name\":\"\",\"model\":\"\"}]"),
		  "actor 1 is named ''" },
		{ H(REST ",\"actors\":[" W ",{\"name\":\"A\"}]"), "actor 1 has no \"model\"" },
		{ H(REST ",\"actors\":[" W ",7]"), "actor 1 is an integer" },
		{ H(REST ",\"actors\":[" W ",{\"name\":\"A\",\"model\":\"\",\"label\":\"x\"}]"),
		  "\"label\" of actor 1 is a string (expected an object" },
		{ H(REST ",\"speed\":\"fast\",\"actors\":[" W "]"),
		  "\"speed\" of the header is a string (expected a number above 0)" },
		{ H(REST ",\"speed\":0,\"actors\":[" W "]"), "\"speed\" of the header is 0" },
		{ "{\"format\":\"ioscope-trace\",\"version\":1", "t.jsonl:1:" },
		{ "{\"format\":\"ioscope-trace\",\"version\":1,\"format\":\"x\"}\n",
		  "invalid JSON: duplicate object key" },
		{ "{\"format\":\"ioscope-\xff\"}\n", "t.jsonl:1:" },
	};
	char many[8192];
	int n = snprintf(many, sizeof many, "%s", "{\"format\":\"ioscope-trace\","
			 "\"version\":1," REST ",\"actors\":[" W);

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		expect_bad(cases[i][0], strlen(cases[i][0]), cases[i][1]);
	for (int i = 1; i < 65; i++)
		n += snprintf(many + n, sizeof many - (size_t)n,
			      ",{\"name\":\"a%d\",\"model\":\"\"}", i);
	n += snprintf(many + n, sizeof many - (size_t)n, "]}\n");
	expect_bad(many, (size_t)n, "\"actors\" has 65 entries");
}

static void test_record_newer_version(void **state)
{
	static const char v3[] = "{\"format\":\"ioscope-trace\",\"version\":3}\n";
	struct trace *out = untouched();
	const char *path = in_dir("v3.jsonl");
	char cause[256], want[512];

	(void)state;
	write_file(path, v3, sizeof v3 - 1);
	assert_int_equal(trace_read(path, &out, NULL, cause, sizeof cause), -EINVAL);
	snprintf(want, sizeof want, "%s:1:1: trace version 3 is newer than this "
		 "ioscope understands (2)", path);
	assert_string_equal(cause, want);
	assert_ptr_equal(out, untouched());
	unlink(path);
}

static void test_record_event_errors(void **state)
{
	static const char *const cases[][2] = {
		{ "{\"seq\":0,\"t_ns\":1,\"actor\":\"Z\",\"kind\":\"done\",\"ret\":0}",
		  "t.jsonl:2:1: event actor 'Z' is not in the header" },
		{ EV("\"kind\":\"fly\""), "t.jsonl:2:1: event kind 'fly' is unknown "
		  "(expected one of: enter, exit, phase, arrive, close, state, "
		  "caption, idle, lost, done, set, ready, refuse, connect, deliver, "
		  "signal, submit, complete, note, actor, model)" },
		{ EV("\"kind\":5"), "\"kind\" of the event is an integer (expected a string)" },
		{ "{\"t_ns\":1,\"actor\":\"A\",\"kind\":\"done\",\"ret\":0}",
		  "the event has no \"seq\" (expected an integer)" },
		{ "{\"seq\":-1,\"t_ns\":1,\"actor\":\"A\",\"kind\":\"done\",\"ret\":0}",
		  "\"seq\" of the event is -1 (expected an integer >= 0)" },
		{ "{\"seq\":1.5,\"t_ns\":1,\"actor\":\"A\",\"kind\":\"done\",\"ret\":0}",
		  "\"seq\" of the event is a real number" },
		{ "{\"seq\":0,\"actor\":\"A\",\"kind\":\"done\",\"ret\":0}", "no \"t_ns\"" },
		{ "[1,2]", "t.jsonl:2:1: line is an array (expected an event object" },
		{ EV("\"kind\":\"exit\",\"call\":\"read\",\"fd\":3,\"dur_ns\":1"),
		  "the \"exit\" event has no \"ret\" (expected an integer)" },
		{ EV("\"kind\":\"enter\",\"call\":\"read\",\"fd\":\"3\""),
		  "\"fd\" of the \"enter\" event is a string (expected an integer "
		  "from -1 to 2147483647)" },
		{ EV("\"kind\":\"enter\",\"call\":\"read\",\"fd\":4294967296"),
		  "\"fd\" of the \"enter\" event is 4294967296" },
		{ EV("\"kind\":\"enter\",\"call\":\"send\",\"fd\":3"),
		  "\"call\" of the \"enter\" event is 'send' (expected one of: recvfrom, "
		  "read, select, poll, epoll_wait, epoll_ctl, accept, write, "
		  "io_uring_enter, aio_read, futex, clone, recvmsg)" },
		{ EV("\"kind\":\"exit\",\"call\":\"read\",\"fd\":3,\"ret\":-1,\"dur_ns\":1,"
		     "\"errno\":\"EFOO\""), "\"errno\" of the \"exit\" event is 'EFOO'" },
		{ EV("\"kind\":\"exit\",\"call\":\"read\",\"fd\":3,\"ret\":1,\"dur_ns\":1,"
		     "\"try\":4294967296"), "\"try\" of the \"exit\" event is 4294967296" },
		{ EV("\"kind\":\"phase\",\"phase\":\"sleep\",\"edge\":\"begin\","
		     "\"blocked\":true,\"fd\":3"), "'sleep' (expected one of: wait, copy)" },
		{ EV("\"kind\":\"phase\",\"phase\":\"wait\",\"edge\":\"middle\","
		     "\"blocked\":true,\"fd\":3"), "'middle' (expected begin or end)" },
		{ EV("\"kind\":\"phase\",\"phase\":\"wait\",\"edge\":\"end\","
		     "\"blocked\":1,\"fd\":3"),
		  "\"blocked\" of the \"phase\" event is an integer (expected true or false)" },
		{ EV("\"kind\":\"arrive\",\"fd\":3,\"bytes\":\"1\""),
		  "\"bytes\" of the \"arrive\" event is a string" },
		{ EV("\"kind\":\"state\",\"tid\":1,\"state\":\"S\",\"syscall\":\"\","
		     "\"wchan\":\"\",\"fd\":null"), "\"fd\" of the \"state\" event is null" },
		{ EV("\"kind\":\"close\",\"fd\":3,\"step\":-2"), "\"step\" of the \"close\"" },
		{ EV("\"kind\":\"state\",\"tid\":1,\"state\":\"SS\",\"syscall\":\"\","
		     "\"wchan\":\"\""), "\"state\" of the \"state\" event is 'SS' "
		  "(expected one letter" },
		{ EV("\"kind\":\"state\",\"tid\":1,\"state\":\"\\n\",\"syscall\":\"\","
		     "\"wchan\":\"\""), "\"state\" of the \"state\" event holds the control "
		  "character U+000A (expected printable text)" },
		{ EV("\"kind\":\"state\",\"tid\":1,\"state\":\"S\",\"syscall\":\"\""),
		  "has no \"wchan\"" },
		{ EV("\"kind\":\"caption\",\"text\":{\"en\":\"x\"}"),
		  "the \"caption\" event has no \"zh\"" },
		{ EV("\"kind\":\"caption\",\"text\":[]"), "\"text\" of the \"caption\" "
		  "event is an array" },
		{ EV("\"kind\":\"idle\",\"edge\":\"end\""), "the \"idle\" event has no \"dur_ns\"" },
		{ EV("\"kind\":\"lost\",\"count\":-1"), "\"count\" of the \"lost\" event is -1" },
		{ EV("\"kind\":\"done\",\"ret\":true"), "\"ret\" of the \"done\" event is true" },
		{ EV("\"kind\":\"done\",\"ret\":99999999999999999999"),
		  "t.jsonl:2:70: invalid JSON: too big integer" },
		{ EV("\"kind\":\"phase\",\"edge\":\"begin\",\"blocked\":true,\"fd\":3"),
		  "the \"phase\" event has no \"phase\" (expected one of: wait, copy)" },
		{ EV("\"kind\":\"phase\",\"phase\":1,\"edge\":\"begin\",\"blocked\":true,"
		     "\"fd\":3"), "\"phase\" of the \"phase\" event is an integer "
		  "(expected one of: wait, copy)" },
	};
	char buf[1024];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int n = snprintf(buf, sizeof buf, "%s%s\n", HDR, cases[i][0]);

		expect_bad(buf, (size_t)n, cases[i][1]);
	}
	/* A long value is cut in the message, never inside a UTF-8 sequence. */
	for (int cut = 0; cut < 3; cut++) {
		int n = snprintf(buf, sizeof buf, HDR "{\"seq\":0,\"t_ns\":1,"
				 "\"actor\":\"%.*s", cut, "xyz");
		struct trace *out = untouched();
		char cause[512];

		for (int i = 0; i < 40; i++)
			n += snprintf(buf + n, sizeof buf - (size_t)n, "鱼");
		n += snprintf(buf + n, sizeof buf - (size_t)n, "\",\"kind\":\"done\"}\n");
		assert_int_equal(trace_read_mem("t", buf, (size_t)n, &out, NULL,
						cause, sizeof cause), -EINVAL);
		assert_non_null(strstr(cause, "...' is not in the header"));
		assert_true(strlen(cause) < 200);
		assert_true(is_utf8(cause));
	}
}



/* Newer writers may add keys; seq is kept in file order and renumbered. */
static void test_record_unknown_keys(void **state)
{
	static const char text[] = "{\"format\":\"ioscope-trace\",\"version\":1,"
		"\"future\":{\"x\":[1,2]},\"scenario\":\"s\",\"kernel\":\"k\","
		"\"started\":\"x\",\"speed\":0.5,\"actors\":[{\"name\":\"world\","
		"\"model\":\"\",\"colour\":3},{\"name\":\"A\",\"model\":\"m\","
		"\"label\":{\"en\":\"a\",\"zh\":\"甲\",\"fr\":\"x\"}}]}\n"
		"{\"seq\":99,\"t_ns\":1,\"actor\":\"A\",\"kind\":\"done\",\"ret\":0,\"cpu\":3}\n"
		"{\"seq\":7,\"t_ns\":2,\"actor\":\"world\",\"kind\":\"lost\",\"count\":4}\n"
		"{\"seq\":8,\"t_ns\":3,\"actor\":\"A\",\"kind\":\"state\",\"tid\":9,"
		"\"state\":\"D\",\"syscall\":\"read\",\"wchan\":\"\"}";
	struct trace *t = expect_good(text, sizeof text - 1, 0);
	const struct trace_hdr *h = trace_hdr_c(t);

	(void)state;
	assert_true(h->speed == 0.5);
	assert_int_equal(h->nactors, 2);
	assert_string_equal(h->actors[1].label[1], "甲");
	assert_int_equal(trace_count(t), 3);
	assert_int_equal(trace_at(t, 2)->fd, -1);    /* fd is optional in state */
	assert_int_equal(trace_at(t, 2)->state, 'D');
	assert_int_equal(trace_at(t, 0)->seq, 0);
	assert_int_equal(trace_at(t, 0)->actor, 1);
	assert_int_equal(trace_at(t, 1)->seq, 1);
	assert_int_equal(trace_lost(t), 4);
	trace_free(t);
}

static void test_record_header_only(void **state)
{
	struct trace *t = expect_good(HDR, sizeof HDR - 1, 0);

	(void)state;
	assert_int_equal(trace_count(t), 0);
	assert_true(trace_hdr_c(t)->speed == 1.0);
	assert_string_equal(trace_hdr_c(t)->actors[1].model, "blocking");
	assert_string_equal(trace_hdr_c(t)->actors[1].label[0], "");
	trace_free(t);
	t = expect_good(HDR, sizeof HDR - 2, 0);      /* no final newline */
	assert_int_equal(trace_count(t), 0);
	trace_free(t);
}

static void test_record_empty_file(void **state)
{
	const char *path = in_dir("empty.jsonl");
	struct trace *out = untouched();
	char cause[256], want[512];

	(void)state;
	write_file(path, "", 0);
	assert_int_equal(trace_read(path, &out, NULL, cause, sizeof cause), -EINVAL);
	snprintf(want, sizeof want, "%s: file is empty (expected an ioscope trace)", path);
	assert_string_equal(cause, want);
	assert_ptr_equal(out, untouched());
	unlink(path);
}

static void test_record_missing_file(void **state)
{
	const char *path = in_dir("nothing.jsonl");
	struct trace *out = untouched();
	char cause[256], want[512];

	(void)state;
	assert_int_equal(trace_read(path, &out, NULL, cause, sizeof cause), -ENOENT);
	snprintf(want, sizeof want, "%s: cannot open: No such file or directory", path);
	assert_string_equal(cause, want);
	assert_ptr_equal(out, untouched());
	assert_int_equal(trace_read(dir, &out, NULL, cause, sizeof cause), -EISDIR);
	assert_non_null(strstr(cause, ": cannot read: Is a directory"));
	assert_ptr_equal(out, untouched());
}

static void test_record_binary_file(void **state)
{
	static const char elf[] = "\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0>\0";
	static const char mid[] = HDR "ab\0cd\n" EV("\"kind\":\"done\",\"ret\":0");
	static const char pad[] = HDR EV("\"kind\":\"done\",\"ret\":0") "\0\0\0\0";
	const char *path = in_dir("random.bin");
	struct trace *out = untouched(), *t;
	char noise[4096], cause[256];

	(void)state;
	expect_bad(elf, sizeof elf - 1, "t.jsonl:1:8: NUL byte (expected text");
	expect_bad(mid, sizeof mid - 1, "t.jsonl:2:3: NUL byte");
	t = expect_good(pad, sizeof pad - 1, 1);    /* zeros after a crash */
	assert_int_equal(trace_count(t), 1);
	trace_free(t);
	srand(7);
	for (size_t i = 0; i < sizeof noise; i++)
		noise[i] = (char)(rand() & 0xff);
	write_file(path, noise, sizeof noise);
	assert_int_equal(trace_read(path, &out, NULL, cause, sizeof cause), -EINVAL);
	assert_ptr_equal(out, untouched());
	assert_non_null(strstr(cause, ":1:"));
	unlink(path);
}

/* A live recorder writes line by line; the file reads at any moment. */
static void test_record_live_writer(void **state)
{
	struct trace *t = full_trace(), *r = NULL;
	const char *path = in_dir("live.jsonl");
	FILE *f = fopen(path, "w"), *m;
	char cause[256], *line = NULL;
	size_t skipped, len = 0;

	(void)state;
	assert_non_null(f);
	assert_int_equal(trace_write_hdr(f, t), 0);
	assert_int_equal(fflush(f), 0);
	assert_int_equal(trace_read(path, &r, &skipped, cause, sizeof cause), 0);
	assert_int_equal(trace_count(r), 0);
	trace_free(r);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(trace_write_ev(f, t, trace_at(t, i)), 0);
	assert_int_equal(fflush(f), 0);
	assert_int_equal(trace_read(path, &r, &skipped, cause, sizeof cause), 0);
	assert_int_equal(trace_count(r), 3);
	assert_int_equal(skipped, 0);
	trace_free(r);
	m = open_memstream(&line, &len);
	assert_int_equal(trace_write_ev(m, t, trace_at(t, 3)), 0);
	fclose(m);
	fwrite(line, 1, len / 2, f);                 /* half a line so far */
	assert_int_equal(fflush(f), 0);
	assert_int_equal(trace_read(path, &r, &skipped, cause, sizeof cause), 0);
	assert_int_equal(trace_count(r), 3);
	assert_int_equal(skipped, 1);
	trace_free(r);
	fwrite(line + len / 2, 1, len - len / 2, f);
	assert_int_equal(fflush(f), 0);
	assert_int_equal(trace_read(path, &r, &skipped, cause, sizeof cause), 0);
	assert_int_equal(trace_count(r), 4);
	assert_int_equal(skipped, 0);
	assert_ev_equal(trace_at(r, 3), trace_at(t, 3));
	trace_free(r);
	fclose(f);
	free(line);
	trace_free(t);
	unlink(path);
}

static long jq_number(const char *filter, const char *path)
{
	char cmd[1024], out[64] = "";
	FILE *p;

	snprintf(cmd, sizeof cmd, "jq %s '%s' '%s'", filter[0] == 'm' ? "-s" : "-c",
		 filter, path);
	if (filter[0] != 'm')
		strncat(cmd, " | wc -l", sizeof cmd - strlen(cmd) - 1);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(out, sizeof out, p));
	assert_int_equal(pclose(p), 0);
	return strtol(out, NULL, 10);
}

/* The examples in trace/FORMAT.md, run for real. */
static void test_record_jq(void **state)
{
	struct trace *t;
	const char *path = in_dir("jq.jsonl");
	char cmd[512];
	long blocked = 0;

	(void)state;
	if (system("command -v jq >/dev/null 2>&1") != 0)
		skip();
	t = full_trace();
	assert_int_equal(trace_save(t, path), 0);
	snprintf(cmd, sizeof cmd, "jq -c . '%s' > /dev/null", path);
	assert_int_equal(system(cmd), 0);
	for (size_t i = 0; i < trace_count(t); i++)
		blocked += trace_at(t, i)->kind == TRACE_PHASE &&
			   (trace_at(t, i)->flags & TRACE_F_BLOCKED);
	assert_int_equal(jq_number("map(select(.kind==\"phase\" and .blocked))|length",
				   path), blocked);
	assert_int_equal(jq_number("select(.kind==\"exit\" and .errno==\"EAGAIN\")",
				   path), 1);
	expect_jq("select(.kind==\"exit\" and .call==\"select\") | {polled, checked, fds}",
		  false, path, "{\"polled\":3,\"checked\":8,\"fds\":[5]}\n");
	expect_jq("select(.kind==\"set\") | {actor, what, n, size: ((.fds|length) "
		  "+ (.fds_more // 0))}", false, path,
		  "{\"actor\":\"A\",\"what\":\"build\",\"n\":8,\"size\":3}\n"
		  "{\"actor\":\"A\",\"what\":\"scan\",\"n\":8,\"size\":1}\n"
		  "{\"actor\":\"A\",\"what\":\"interest\",\"n\":2,\"size\":2}\n"
		  "{\"actor\":\"A\",\"what\":\"scan\",\"n\":0,"
		  "\"size\":7}\n");
	expect_jq("map(select(.kind==\"exit\" and .polled != null)) | "
		  "group_by(.actor) | map({actor: .[0].actor, polled: "
		  "(map(.polled) | add), copied_in: (map(.copied_in) | add)})",
		  true, path, "[{\"actor\":\"A\",\"polled\":2147483650,"
		  "\"copied_in\":2147483655}]\n");
	trace_free(t);
	t = net_trace();
	assert_int_equal(trace_save(t, path), 0);
	expect_jq("select(.kind==\"connect\") | {client: .actor, server}", false,
		  path, "{\"client\":\"alice\",\"server\":\"S\"}\n"
		  "{\"client\":\"bob\",\"server\":\"P\"}\n");
	expect_jq("map(select(.kind==\"deliver\")) | group_by(.actor) | "
		  "map({client: .[0].actor, received: (map(.bytes) | add)})", true,
		  path, "[{\"client\":\"alice\",\"received\":9},"
		  "{\"client\":\"bob\",\"received\":5}]\n");
	expect_jq("select(.kind==\"close\" and .abrupt) | {actor, fd}", false,
		  path, "{\"actor\":\"alice\",\"fd\":12}\n");
	expect_jq("select(.kind==\"done\" and .ret==-125) | {actor, unread: "
		  "(.unread // 0)}", false, path,
		  "{\"actor\":\"S\",\"unread\":5}\n{\"actor\":\"P\",\"unread\":0}\n");
	trace_free(t);
	unlink(path);
}

static void test_record_write_errors(void **state)
{
	struct trace *t = full_trace();
	const char *target = in_dir("a-dir");
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	if (f != NULL) {
		setvbuf(f, NULL, _IONBF, 0);
		assert_int_equal(trace_write_hdr(f, t), -ENOSPC);
		assert_int_equal(trace_write_ev(f, t, trace_at(t, 0)), -ENOSPC);
		fclose(f);
	}
	assert_int_equal(trace_save(t, in_dir("no/such/dir.jsonl")), -ENOENT);
	/* A directory is refused before any temporary is made. */
	assert_int_equal(mkdir(target, 0700), 0);
	assert_int_equal(trace_save(t, target), -EISDIR);
	assert_int_equal(tmp_left(), 0);
	assert_int_equal(rmdir(target), 0);
	/* A header the writer refuses fails after the temporary is made: it
	 * must not stay, and nothing is published. */
	trace_hdr(t)->speed = 0;
	assert_int_equal(trace_save(t, target), -EINVAL);
	assert_int_equal(tmp_left(), 0);
	assert_int_equal(access(target, F_OK), -1);
	trace_free(t);
}

/* What the reader would refuse is not written. */
static void test_record_writer_refuses(void **state)
{
	struct trace *t = hdr_trace();
	struct trace_ev bad[28];
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	for (int i = 0; i < 6; i++)
		bad[i] = ev_of(TRACE_DONE, 1, 1);
	bad[0].kind = TRACE_KIND_MAX;
	bad[1].actor = 9;
	bad[2] = ev_of(TRACE_STATE, 1, 1);
	bad[2].syscall = bad[2].wchan = "";
	bad[3] = ev_of(TRACE_CAPTION, 0, 1);
	bad[3].text[0] = "\xff\xfe";
	bad[3].text[1] = "";
	bad[4] = ev_of(TRACE_EXIT, 1, 1);
	bad[4].call = TRACE_CALL_READ;
	bad[4].err = 4000;
	bad[5] = ev_of(TRACE_ENTER, 1, 1);
	bad[6] = mux_ev(TRACE_SET, 0, -1, 1, 1, 3, 0);              /* what 0 */
	bad[7] = bad[6];
	bad[7].what = TRACE_SET_MAX;
	bad[8] = mux_ev(TRACE_READY, 0, 5, 0, 0, 0, 0);
	bad[9] = bad[8];
	bad[9].what = TRACE_READY_MAX;
	bad[10] = mux_ev(TRACE_ENTER, TRACE_CALL_EPOLL_CTL, 9, 0, 0, 0, 0);
	bad[11] = bad[10];
	bad[11].kind = TRACE_EXIT;
	bad[11].what = TRACE_OP_MAX;
	bad[12] = mux_ev(TRACE_ENTER, TRACE_CALL_SELECT, -1, 17, 16, 0, 1);
	bad[12].nfds = TRACE_FDS_INLINE + 1;
	bad[13] = bad[12];
	bad[13].kind = TRACE_EXIT;
	bad[14] = bad[12];
	bad[14].kind = TRACE_SET;
	bad[14].what = TRACE_SET_BUILD;
	bad[15] = mux_ev(TRACE_EXIT, TRACE_CALL_EPOLL_WAIT, 9, -1, 0, 0, 0);
	bad[16] = mux_ev(TRACE_EXIT, TRACE_CALL_POLL, -1, 1, 1, 3, 0);
	bad[16].err = 4000;
	bad[17] = mux_ev(TRACE_REFUSE, 0, 1, 1, 0, 0, 0);
	bad[17].actor = 3;
	bad[18] = ev_of(TRACE_CONNECT, 1, 1);                        /* arg -1 */
	bad[18].arg = -1;
	bad[19] = bad[18];
	bad[19].arg = 3;                                             /* no actor 3 */
	bad[20] = ev_of(TRACE_DELIVER, 1, 1);
	bad[20].ret = -1;
	bad[21] = ev_of(TRACE_CLOSE, 1, 1);
	bad[21].what = 2;                                            /* not a bool */
	bad[22] = mux_ev(TRACE_READY, 0, 5, 0, 0, 0, 0);
	bad[22].what = TRACE_READY_INFERRED + 1;                     /* was confirmed */
	bad[23] = ev_of(TRACE_CONNECT, 1, 1);
	bad[23].arg = INT32_MIN;
	bad[24] = ev_of(TRACE_DONE, 1, -1);                          /* t_ns < 0 */
	bad[25] = bad[4];
	bad[25].err = 0;
	bad[25].dur_ns = -1;
	bad[26] = ev_of(TRACE_IDLE, 1, 1);
	bad[26].flags = TRACE_F_END;
	bad[26].dur_ns = INT64_MIN;
	bad[27] = bad[2];
	bad[27].state = 'S';
	bad[27].tid = -1;
	for (int i = 0; i < 28; i++)
		assert_int_equal(trace_write_ev(f, t, &bad[i]), -EINVAL);
	trace_hdr(t)->speed = 0;
	assert_int_equal(trace_write_hdr(f, t), -EINVAL);
	fclose(f);
	assert_int_equal(len, 0);
	free(buf);
	trace_free(t);
}

static int group_setup(void **state)
{
	(void)state;
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static int group_teardown(void **state)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	(void)state;
	while (d != NULL && (de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			unlink(in_dir(de->d_name));
	if (d != NULL)
		closedir(d);
	return rmdir(dir);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_round_trip),
		cmocka_unit_test(test_record_shape),
		cmocka_unit_test(test_record_truncated_last),
		cmocka_unit_test(test_record_bad_middle_line),
		cmocka_unit_test(test_record_blank_line),
		cmocka_unit_test(test_record_header_errors),
		cmocka_unit_test(test_record_newer_version),
		cmocka_unit_test(test_record_event_errors),
		cmocka_unit_test(test_record_unknown_keys),
		cmocka_unit_test(test_record_header_only),
		cmocka_unit_test(test_record_empty_file),
		cmocka_unit_test(test_record_missing_file),
		cmocka_unit_test(test_record_binary_file),
		cmocka_unit_test(test_record_live_writer),
		cmocka_unit_test(test_record_jq),
		cmocka_unit_test(test_record_write_errors),
		cmocka_unit_test(test_record_writer_refuses),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("record", tests, group_setup,
					   group_teardown);
}
