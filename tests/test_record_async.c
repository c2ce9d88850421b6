/* test_record_async.c: the trace format's signal-driven and asynchronous IO:
 * signal, submit, complete, note, state's "helper", and the io_uring_enter
 * and aio_read calls. */
#include <signal.h>
#include <unistd.h>

#include "tests/record_util.h"

/* G reads on SIGIO, U through an io_uring, P with glibc's aio_read; fds 5
 * and 6 are their connections, 7 U's ring. */
static struct trace *async_trace(void)
{
	struct trace *t = trace_new();
	struct trace_hdr *h;
	struct trace_ev e;

	assert_non_null(t);
	h = trace_hdr(t);
	h->scenario = trace_intern(t, "fishing");
	h->kernel = trace_intern(t, "6.18.44");
	h->started = trace_intern(t, "2026-11-26T13:20:00Z");
	assert_int_equal(trace_add_actor(t, "G", "sigio", trace_caps_v1("sigio"), "", ""), 1);
	assert_int_equal(trace_add_actor(t, "U", "io_uring", trace_caps_v1("io_uring"), "", ""), 2);
	assert_int_equal(trace_add_actor(t, "P", "posix-aio", trace_caps_v1("posix-aio"), "", ""), 3);
	e = ev_of(TRACE_SIGNAL, 1, 10); e.n = SIGIO; e.fd = 5; e.tid = 4242; add(t, e);
	e = ev_of(TRACE_SIGNAL, 1, 11); e.n = SIGRTMIN + 2; e.tid = 4242; add(t, e);
	e = ev_of(TRACE_ENTER, 2, 12); e.call = TRACE_CALL_IO_URING_ENTER; e.fd = 7;
	add(t, e);
	e = ev_of(TRACE_SUBMIT, 2, 13); e.fd = 5; e.arg = 1; e.n = 1; add(t, e);
	e = ev_of(TRACE_SUBMIT, 2, 14); e.fd = 6; e.arg = 2; e.n = 2; add(t, e);
	e = ev_of(TRACE_EXIT, 2, 15); e.call = TRACE_CALL_IO_URING_ENTER; e.fd = 7;
	e.ret = 2; e.dur_ns = 2000; add(t, e);
	e = ev_of(TRACE_COMPLETE, 2, 16); e.fd = 5; e.arg = 1; e.ret = 64; e.n = 2;
	add(t, e);
	e = ev_of(TRACE_COMPLETE, 2, 17); e.fd = 6; e.arg = 2; e.ret = -ECONNRESET;
	e.n = 1; add(t, e);
	e = ev_of(TRACE_ENTER, 3, 18); e.call = TRACE_CALL_AIO_READ; e.fd = 5; add(t, e);
	e = ev_of(TRACE_EXIT, 3, 19); e.call = TRACE_CALL_AIO_READ; e.fd = 5;
	e.dur_ns = 300; add(t, e);
	e = ev_of(TRACE_SUBMIT, 3, 20); e.fd = 5; e.n = 1; add(t, e);
	e = ev_of(TRACE_STATE, 3, 21); e.tid = 4300; e.state = 'S'; e.fd = 5;
	e.syscall = trace_intern(t, "read"); e.wchan = trace_intern(t, "sk_wait_data");
	e.what = 1; add(t, e);
	e = ev_of(TRACE_STATE, 3, 22); e.tid = 4299; e.state = 'R'; e.fd = -1;
	e.syscall = trace_intern(t, "running"); e.wchan = trace_intern(t, ""); add(t, e);
	e = ev_of(TRACE_COMPLETE, 3, 23); e.fd = 5; e.ret = 64; add(t, e);
	e = ev_of(TRACE_NOTE, 3, 24); e.text[0] = trace_intern(t, "a helper reads");
	e.text[1] = trace_intern(t, "辅助线程在读"); add(t, e);
	return t;
}

/* The keys of each kind, in the order FORMAT.md gives them; optional ones
 * only when they say something. */
static void test_record_shape_async(void **state)
{
#define L(seq, t, actor, rest) "{\"seq\":" #seq ",\"t_ns\":" #t ",\"actor\":\"" \
	actor "\"," rest "}\n"
	static const char want[] =
		L(0, 10, "G", "\"kind\":\"signal\",\"signal\":\"SIGIO\",\"fd\":5,"
		  "\"tid\":4242")
		L(1, 11, "G", "\"kind\":\"signal\",\"signal\":\"SIGRTMIN+2\",\"fd\":-1,"
		  "\"tid\":4242")
		L(2, 12, "U", "\"kind\":\"enter\",\"call\":\"io_uring_enter\",\"fd\":7")
		L(3, 13, "U", "\"kind\":\"submit\",\"fd\":5,\"tag\":1,\"in_flight\":1")
		L(4, 14, "U", "\"kind\":\"submit\",\"fd\":6,\"tag\":2,\"in_flight\":2")
		L(5, 15, "U", "\"kind\":\"exit\",\"call\":\"io_uring_enter\",\"fd\":7,"
		  "\"ret\":2,\"dur_ns\":2000")
		L(6, 16, "U", "\"kind\":\"complete\",\"fd\":5,\"tag\":1,\"ret\":64,"
		  "\"waiting\":2")
		L(7, 17, "U", "\"kind\":\"complete\",\"fd\":6,\"tag\":2,\"ret\":-104,"
		  "\"errno\":\"ECONNRESET\",\"waiting\":1")
		L(8, 18, "P", "\"kind\":\"enter\",\"call\":\"aio_read\",\"fd\":5")
		L(9, 19, "P", "\"kind\":\"exit\",\"call\":\"aio_read\",\"fd\":5,\"ret\":0,"
		  "\"dur_ns\":300")
		L(10, 20, "P", "\"kind\":\"submit\",\"fd\":5,\"tag\":0,\"in_flight\":1")
		L(11, 21, "P", "\"kind\":\"state\",\"tid\":4300,\"state\":\"S\","
		  "\"syscall\":\"read\",\"wchan\":\"sk_wait_data\",\"fd\":5,"
		  "\"helper\":true")
		L(12, 22, "P", "\"kind\":\"state\",\"tid\":4299,\"state\":\"R\","
		  "\"syscall\":\"running\",\"wchan\":\"\",\"fd\":-1")
		L(13, 23, "P", "\"kind\":\"complete\",\"fd\":5,\"tag\":0,\"ret\":64,"
		  "\"waiting\":0")
		L(14, 24, "P", "\"kind\":\"note\",\"text\":{\"en\":\"a helper reads\","
		  "\"zh\":\"辅助线程在读\"}");
#undef L
	struct trace *t = async_trace(), *back;
	size_t len = 0;
	char *buf = record_text(t, false, &len);

	(void)state;
	assert_string_equal(buf, want);
	free(buf);
	buf = record_text(t, true, &len);
	assert_non_null(strstr(buf, "\"models\":[\"sigio\",\"io_uring\",\"posix-aio\"]"));
	back = expect_good(buf, len, 0);
	assert_trace_equal(t, back);
	assert_int_equal(trace_at(back, 1)->n, SIGRTMIN + 2);
	assert_int_equal(trace_at(back, 7)->ret, -ECONNRESET);
	assert_int_equal(trace_at(back, 7)->err, 0);    /* ret holds it */
	assert_int_equal(trace_at(back, 11)->what, 1);
	assert_int_equal(trace_at(back, 12)->what, 0);
	assert_string_equal(trace_at(back, 14)->text[1], "辅助线程在读");
	assert_ptr_equal(trace_at(back, 14)->text[0],
			 trace_intern(back, "a helper reads"));
	trace_free(back);
	free(buf);
	trace_free(t);
}

/* One signal event of signo; returns trace_write_ev's result and, when it
 * wrote, the "signal" it wrote in name. */
static int write_signal(struct trace *t, int signo, char *name, size_t size)
{
	struct trace_ev e = ev_of(TRACE_SIGNAL, 1, 1);
	char *buf = NULL, *s, *end;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	assert_non_null(f);
	e.n = signo;
	rc = trace_write_ev(f, t, &e);
	assert_int_equal(fclose(f), 0);
	name[0] = '\0';
	if (rc == 0) {
		assert_non_null(s = strstr(buf, "\"signal\":\""));
		s += strlen("\"signal\":\"");
		assert_non_null(end = strchr(s, '"'));
		snprintf(name, size, "%.*s", (int)(end - s), s);
	} else {
		assert_int_equal(len, 0);
	}
	free(buf);
	return rc;
}

/* The number a "signal" name reads back as, or -1 if it is refused. */
static int read_signal(const char *name)
{
	char text[512], cause[256];
	struct trace *t = NULL;
	int n = snprintf(text, sizeof text, "%s" EV("\"kind\":\"signal\","
			 "\"signal\":\"%s\",\"fd\":-1,\"tid\":1"), HDR, name), signo;

	if (trace_read_mem("t", text, (size_t)n, &t, NULL, cause, sizeof cause) != 0) {
		assert_non_null(strstr(cause, "(expected a signal name such as "
				       "\"SIGIO\" or \"SIGRTMIN+2\")"));
		return -1;
	}
	signo = trace_at(t, 0)->n;
	trace_free(t);
	return signo;
}

/* Signals go by name: SIGIO (not glibc's "POLL"), SIGRTMIN+N counted from
 * this process's SIGRTMIN; every number with a name reads back as itself,
 * the rest are refused. */
static void test_record_async_signal_names(void **state)
{
	static const char *const refused[] = {
		"IO", "sigio", "SIG", "", "SIGFOO", "SIGRTMIN+0", "SIGRTMIN+01",
		"SIGRTMIN+-1", "SIGRTMIN++1", "SIGRTMIN+ 1", "SIGRTMIN+1x",
		"SIGRTMIN-1", "SIGRTMAX", "SIGRTMIN+99999999999999999999",
		"SIGIO ", " SIGIO", "SIGRTMIN ",
	};
	struct trace *t = hdr_trace();
	char name[32], over[32];
	int named = 0;

	(void)state;
	for (int signo = -1; signo <= SIGRTMAX + 1; signo++) {
		int rc = write_signal(t, signo, name, sizeof name);

		if (signo <= 0 || signo > SIGRTMAX ||
		    (signo < SIGRTMIN && signo != SIGIO && sigabbrev_np(signo) == NULL)) {
			assert_int_equal(rc, -EINVAL);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_int_equal(read_signal(name), signo);
		named++;
	}
	assert_int_equal(named, 31 + SIGRTMAX - SIGRTMIN + 1);
	assert_int_equal(write_signal(t, SIGIO, name, sizeof name), 0);
	assert_string_equal(name, "SIGIO");
	assert_int_equal(write_signal(t, SIGUSR1, name, sizeof name), 0);
	assert_string_equal(name, "SIGUSR1");
	assert_int_equal(write_signal(t, SIGRTMIN, name, sizeof name), 0);
	assert_string_equal(name, "SIGRTMIN");
	assert_int_equal(write_signal(t, SIGRTMIN + 1, name, sizeof name), 0);
	assert_string_equal(name, "SIGRTMIN+1");
	assert_int_equal(write_signal(t, SIGRTMAX, name, sizeof name), 0);
	snprintf(over, sizeof over, "SIGRTMIN+%d", SIGRTMAX - SIGRTMIN);
	assert_string_equal(name, over);
	assert_int_equal(read_signal("SIGPOLL"), SIGIO);    /* SIGIO's other name */
	snprintf(over, sizeof over, "SIGRTMIN+%d", SIGRTMAX - SIGRTMIN + 1);
	assert_int_equal(read_signal(over), -1);
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
		if (read_signal(refused[i]) != -1)
			fail_msg("\"%s\" was read as a signal", refused[i]);
	trace_free(t);
}

#define SIGS "(expected a signal name such as \"SIGIO\" or \"SIGRTMIN+2\")"
#define FD "(expected an integer from -2147483648 to 2147483647)"
#define POS "(expected an integer from 0 to 2147483647)"
#define SIG(rest) EV("\"kind\":\"signal\"" rest)
#define SUB(rest) EV("\"kind\":\"submit\"" rest)
#define CPL(rest) EV("\"kind\":\"complete\"" rest)
#define STATE(rest) EV("\"kind\":\"state\",\"tid\":1,\"state\":\"S\"," \
		       "\"syscall\":\"read\",\"wchan\":\"\"" rest)

/* Each key the new kinds need: missing, of the wrong type, out of range. */
static void test_record_async_errors(void **state)
{
	static const char *const cases[][2] = {
		{ SIG(",\"fd\":5,\"tid\":1"),
		  "t.jsonl:2:1: the \"signal\" event has no \"signal\" " SIGS },
		{ SIG(",\"signal\":29,\"fd\":5,\"tid\":1"),
		  "\"signal\" of the \"signal\" event is an integer " SIGS },
		{ SIG(",\"signal\":\"SIGWHAT\",\"fd\":5,\"tid\":1"),
		  "\"signal\" of the \"signal\" event is 'SIGWHAT' " SIGS },
		{ SIG(",\"signal\":\"SIGIO\",\"tid\":1"),
		  "the \"signal\" event has no \"fd\" (expected an integer)" },
		{ SIG(",\"signal\":\"SIGIO\",\"fd\":null,\"tid\":1"),
		  "\"fd\" of the \"signal\" event is null " FDR },
		{ SIG(",\"signal\":\"SIGIO\",\"fd\":5"),
		  "the \"signal\" event has no \"tid\" (expected an integer)" },
		{ SIG(",\"signal\":\"SIGIO\",\"fd\":5,\"tid\":-1"),
		  "\"tid\" of the \"signal\" event is -1 " POS },
		{ SIG(",\"signal\":\"SIGIO\",\"fd\":5,\"tid\":\"1\""),
		  "\"tid\" of the \"signal\" event is a string " POS },
		{ SUB(",\"tag\":1,\"in_flight\":1"),
		  "the \"submit\" event has no \"fd\" (expected an integer)" },
		{ SUB(",\"fd\":5,\"in_flight\":1"),
		  "the \"submit\" event has no \"tag\" (expected an integer)" },
		{ SUB(",\"fd\":5,\"tag\":2147483648,\"in_flight\":1"),
		  "\"tag\" of the \"submit\" event is 2147483648 " FD },
		{ SUB(",\"fd\":5,\"tag\":1.0,\"in_flight\":1"),
		  "\"tag\" of the \"submit\" event is a real number " FD },
		{ SUB(",\"fd\":5,\"tag\":1"),
		  "the \"submit\" event has no \"in_flight\" (expected an integer)" },
		{ SUB(",\"fd\":5,\"tag\":1,\"in_flight\":-1"),
		  "\"in_flight\" of the \"submit\" event is -1 " POS },
		{ SUB(",\"fd\":5,\"tag\":1,\"in_flight\":[]"),
		  "\"in_flight\" of the \"submit\" event is an array " POS },
		{ CPL(",\"tag\":1,\"ret\":64,\"waiting\":0"),
		  "the \"complete\" event has no \"fd\" (expected an integer)" },
		{ CPL(",\"fd\":5,\"ret\":64,\"waiting\":0"),
		  "the \"complete\" event has no \"tag\" (expected an integer)" },
		{ CPL(",\"fd\":5,\"tag\":\"1\",\"ret\":64,\"waiting\":0"),
		  "\"tag\" of the \"complete\" event is a string " FD },
		{ CPL(",\"fd\":5,\"tag\":1,\"waiting\":0"),
		  "the \"complete\" event has no \"ret\" (expected an integer)" },
		{ CPL(",\"fd\":5,\"tag\":1,\"ret\":\"64\",\"waiting\":0"),
		  "\"ret\" of the \"complete\" event is a string (expected an integer)" },
		{ CPL(",\"fd\":5,\"tag\":1,\"ret\":-4096,\"errno\":\"EPERM\","
		      "\"waiting\":0"),
		  "\"ret\" of the \"complete\" event is -4096 (expected bytes >= 0 "
		  "or a negative errno)" },
		{ CPL(",\"fd\":5,\"tag\":1,\"ret\":-9223372036854775808,\"waiting\":0"),
		  "\"ret\" of the \"complete\" event is -9223372036854775808 "
		  "(expected bytes" },
		{ CPL(",\"fd\":5,\"tag\":1,\"ret\":-104,\"waiting\":0"),
		  "the \"complete\" event has no \"errno\" (expected \"ECONNRESET\", "
		  "as \"ret\" is -104)" },
		{ CPL(",\"fd\":5,\"tag\":1,\"ret\":-104,\"errno\":\"EPIPE\","
		      "\"waiting\":0"),
		  "\"errno\" of the \"complete\" event is 'EPIPE' (expected "
		  "\"ECONNRESET\", as \"ret\" is -104)" },
		{ CPL(",\"fd\":5,\"tag\":1,\"ret\":-104,\"errno\":\"ENOPE\","
		      "\"waiting\":0"),
		  "\"errno\" of the \"complete\" event is 'ENOPE' (expected "
		  "\"ECONNRESET\"" },
		{ CPL(",\"fd\":5,\"tag\":1,\"ret\":-104,\"errno\":104,\"waiting\":0"),
		  "\"errno\" of the \"complete\" event is an integer (expected "
		  "\"ECONNRESET\"" },
		{ CPL(",\"fd\":5,\"tag\":1,\"ret\":64"),
		  "the \"complete\" event has no \"waiting\" (expected an integer)" },
		{ CPL(",\"fd\":5,\"tag\":1,\"ret\":64,\"waiting\":-1"),
		  "\"waiting\" of the \"complete\" event is -1 " POS },
		{ CPL(",\"fd\":5,\"tag\":1,\"ret\":64,\"waiting\":2147483648"),
		  "\"waiting\" of the \"complete\" event is 2147483648 " POS },
		{ EV("\"kind\":\"note\""),
		  "the \"note\" event has no \"text\" (expected an object "
		  "{\"en\":...,\"zh\":...})" },
		{ EV("\"kind\":\"note\",\"text\":\"hi\""),
		  "\"text\" of the \"note\" event is a string (expected an object" },
		{ EV("\"kind\":\"note\",\"text\":{\"zh\":\"x\"}"),
		  "the \"note\" event has no \"en\" (expected a string)" },
		{ EV("\"kind\":\"note\",\"text\":{\"en\":\"x\",\"zh\":null}"),
		  "\"zh\" of the \"note\" event is null (expected a string)" },
		{ STATE(",\"helper\":1"),
		  "\"helper\" of the \"state\" event is an integer (expected true "
		  "or false)" },
		{ STATE(",\"helper\":\"true\""),
		  "\"helper\" of the \"state\" event is a string (expected true "
		  "or false)" },
		{ STATE(",\"helper\":null"),
		  "\"helper\" of the \"state\" event is null" },
		{ EV("\"kind\":\"enter\",\"call\":\"io_uring\",\"fd\":7"),
		  "\"call\" of the \"enter\" event is 'io_uring' (expected one of: " },
		{ EV("\"kind\":\"exit\",\"call\":\"aio_read\",\"fd\":5,\"ret\":0"),
		  "the \"exit\" event has no \"dur_ns\"" },
		{ EV("\"kind\":\"enter\",\"call\":\"aio_read\""),
		  "the \"enter\" event has no \"fd\"" },
	};

	(void)state;
	expect_bad_events(HDR, cases, sizeof cases / sizeof cases[0]);
}

/* Optional keys absent or false; keys a kind or call does not use are
 * ignored, "errno" of a completion that did not fail among them. */
static void test_record_async_optional(void **state)
{
	static const char text[] = HDR
		STATE("")
		STATE(",\"helper\":false")
		STATE(",\"helper\":true")
		CPL(",\"fd\":5,\"tag\":1,\"ret\":0,\"errno\":\"EPIPE\",\"waiting\":0")
		CPL(",\"fd\":5,\"tag\":-7,\"ret\":-11,\"errno\":\"EAGAIN\","
		    "\"waiting\":0,\"step\":\"x\"")
		SIG(",\"signal\":\"SIGPOLL\",\"fd\":-1,\"tid\":0,\"n\":\"x\"")
		EV("\"kind\":\"enter\",\"call\":\"io_uring_enter\",\"fd\":7,"
		   "\"nfds\":\"x\",\"fds\":{},\"op\":1")
		EV("\"kind\":\"exit\",\"call\":\"aio_read\",\"fd\":5,\"ret\":-1,"
		   "\"dur_ns\":1,\"errno\":\"EAGAIN\",\"checked\":-1,\"try\":2")
		EV("\"kind\":\"note\",\"text\":{\"en\":\"\",\"zh\":\"\",\"fr\":1},"
		   "\"step\":-1");
	struct trace *t = expect_good(text, sizeof text - 1, 0);
	const struct trace_ev *e;

	(void)state;
	assert_int_equal(trace_count(t), 9);
	assert_int_equal(trace_at(t, 0)->what, 0);
	assert_int_equal(trace_at(t, 1)->what, 0);
	assert_int_equal(trace_at(t, 2)->what, 1);
	e = trace_at(t, 3);
	assert_int_equal(e->ret, 0);
	assert_int_equal(e->err, 0);
	e = trace_at(t, 4);
	assert_int_equal(e->arg, -7);
	assert_int_equal(e->ret, -EAGAIN);
	assert_int_equal(e->step, -1);
	e = trace_at(t, 5);
	assert_int_equal(e->n, SIGIO);
	assert_int_equal(e->fd, -1);
	e = trace_at(t, 6);
	assert_int_equal(e->call, TRACE_CALL_IO_URING_ENTER);
	assert_int_equal(e->n, 0);
	assert_int_equal(e->nfds, 0);
	assert_int_equal(e->what, 0);
	e = trace_at(t, 7);
	assert_int_equal(e->call, TRACE_CALL_AIO_READ);
	assert_int_equal(e->err, EAGAIN);
	assert_int_equal(e->count, 2);
	assert_int_equal(e->n, 0);
	assert_string_equal(trace_at(t, 8)->text[0], "");
	assert_int_equal(trace_at(t, 8)->step, -1);
	trace_free(t);
}

/* What the reader would refuse is not written. */
static void test_record_async_writer_refuses(void **state)
{
	struct trace *t = hdr_trace(), *back;
	struct trace_ev bad[14];
	char *buf = NULL, *text;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int n = 0;

	(void)state;
	assert_non_null(f);
	bad[n] = ev_of(TRACE_SIGNAL, 1, 1); bad[n++].n = 0;
	bad[n] = ev_of(TRACE_SIGNAL, 1, 1); bad[n++].n = SIGRTMIN - 1;  /* glibc's */
	bad[n] = ev_of(TRACE_SIGNAL, 1, 1); bad[n++].n = SIGRTMAX + 1;
	bad[n] = ev_of(TRACE_SIGNAL, 1, 1); bad[n].n = SIGIO; bad[n++].tid = -1;
	bad[n] = ev_of(TRACE_SUBMIT, 1, 1); bad[n++].n = -1;
	bad[n] = ev_of(TRACE_SUBMIT, 1, 1); bad[n++].actor = 3;
	bad[n] = ev_of(TRACE_COMPLETE, 1, 1); bad[n++].n = INT32_MIN;
	bad[n] = ev_of(TRACE_COMPLETE, 1, 1); bad[n++].ret = -4096;
	bad[n] = ev_of(TRACE_COMPLETE, 1, 1); bad[n++].ret = INT64_MIN;
	bad[n] = ev_of(TRACE_COMPLETE, 1, 1); bad[n++].ret = -255;   /* no name */
	bad[n] = ev_of(TRACE_STATE, 1, 1); bad[n].state = 'S';
	bad[n].syscall = bad[n].wchan = ""; bad[n++].what = 2;     /* not a bool */
	bad[n] = ev_of(TRACE_NOTE, 1, 1); bad[n].text[0] = "";
	bad[n++].text[1] = "\xe9\xb1";                             /* cut UTF-8 */
	bad[n] = ev_of(TRACE_SUBMIT, 1, -5); n++;
	bad[n] = ev_of(TRACE_EXIT, 1, 1); bad[n].call = TRACE_CALL_IO_URING_ENTER;
	bad[n].ret = -1; bad[n++].err = -EINTR;
	assert_int_equal(n, sizeof bad / sizeof bad[0]);
	for (int i = 0; i < n; i++)
		if (trace_write_ev(f, t, &bad[i]) != -EINVAL)
			fail_msg("bad[%d] was not refused", i);
	/* The same events, mended, are written. */
	bad[3].tid = 0;
	bad[9].ret = -ECANCELED;
	bad[10].what = 1;
	assert_int_equal(trace_write_ev(f, t, &bad[3]), 0);
	assert_int_equal(trace_write_ev(f, t, &bad[9]), 0);
	assert_int_equal(trace_write_ev(f, t, &bad[10]), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(buf, "\"ret\":-125,\"errno\":\"ECANCELED\""));
	assert_non_null(text = malloc(sizeof HDR + len));
	memcpy(text, HDR, sizeof HDR - 1);
	memcpy(text + sizeof HDR - 1, buf, len);
	back = expect_good(text, sizeof HDR - 1 + len, 0);
	assert_int_equal(trace_count(back), 3);
	trace_free(back);
	free(text);
	free(buf);
	trace_free(t);
}

/* The examples in trace/FORMAT.md's section on asynchronous IO. */
static void test_record_async_jq(void **state)
{
	char path[] = "/tmp/ioscope-record-async-XXXXXX";
	struct trace *t;
	int fd;

	(void)state;
	if (system("command -v jq >/dev/null 2>&1") != 0)
		skip();
	assert_true((fd = mkstemp(path)) >= 0);
	close(fd);
	t = async_trace();
	assert_int_equal(trace_save(t, path), 0);
	expect_jq("select(.kind==\"signal\") | {actor, signal, fd}", false, path,
		  "{\"actor\":\"G\",\"signal\":\"SIGIO\",\"fd\":5}\n"
		  "{\"actor\":\"G\",\"signal\":\"SIGRTMIN+2\",\"fd\":-1}\n");
	expect_jq("select(.kind==\"complete\") | {actor, tag, ret, errno, waiting}",
		  false, path,
		  "{\"actor\":\"U\",\"tag\":1,\"ret\":64,\"errno\":null,\"waiting\":2}\n"
		  "{\"actor\":\"U\",\"tag\":2,\"ret\":-104,\"errno\":\"ECONNRESET\","
		  "\"waiting\":1}\n"
		  "{\"actor\":\"P\",\"tag\":0,\"ret\":64,\"errno\":null,\"waiting\":0}\n");
	expect_jq("map(select(.kind==\"submit\")) | group_by(.actor) | "
		  "map({actor: .[0].actor, most: (map(.in_flight) | max)})", true,
		  path, "[{\"actor\":\"P\",\"most\":1},"
		  "{\"actor\":\"U\",\"most\":2}]\n");
	expect_jq("select(.kind==\"state\" and .helper) | {actor, tid, syscall, "
		  "wchan}", false, path, "{\"actor\":\"P\",\"tid\":4300,\"syscall\":"
		  "\"read\",\"wchan\":\"sk_wait_data\"}\n");
	trace_free(t);
	unlink(path);
}

/* The example lines of FORMAT.md's section on these models, under a header
 * naming their actors, must load as they are printed. */
static void test_record_async_format_examples(void **state)
{
	static const char hdr[] = "{\"format\":\"ioscope-trace\",\"version\":1,"
		"\"scenario\":\"s\",\"kernel\":\"k\",\"started\":\"x\",\"actors\":"
		"[{\"name\":\"world\",\"model\":\"\"},{\"name\":\"G\",\"model\":"
		"\"sigio\"},{\"name\":\"U\",\"model\":\"io_uring\"},{\"name\":\"P\","
		"\"model\":\"posix-aio\"}]}\n";
	FILE *md = fopen("trace/FORMAT.md", "r");
	char line[1024], *text = NULL;
	size_t len = 0, n = 0;
	bool in = false;
	FILE *f;
	struct trace *t;

	(void)state;
	if (md == NULL)
		skip();    /* run from elsewhere than the top of the tree */
	assert_non_null(f = open_memstream(&text, &len));
	fputs(hdr, f);
	while (fgets(line, sizeof line, md) != NULL) {
		if (strncmp(line, "## ", 3) == 0)
			in = strcmp(line, "## Signal-driven and asynchronous IO\n") == 0;
		if (in && strncmp(line, "{\"seq\":", 7) == 0) {
			fputs(line, f);
			n++;
		}
	}
	fclose(md);
	assert_int_equal(fclose(f), 0);
	assert_true(n >= 15);
	t = expect_good(text, len, 0);
	assert_int_equal(trace_count(t), n);
	trace_free(t);
	free(text);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_shape_async),
		cmocka_unit_test(test_record_async_signal_names),
		cmocka_unit_test(test_record_async_errors),
		cmocka_unit_test(test_record_async_optional),
		cmocka_unit_test(test_record_async_writer_refuses),
		cmocka_unit_test(test_record_async_jq),
		cmocka_unit_test(test_record_async_format_examples),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("record_async", tests, NULL, NULL);
}
