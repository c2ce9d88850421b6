/* test_read_fast.c: the fast reader of event lines (trace/read_fast.c)
 * against jansson, which reads every line it does not take: over every
 * line of every shipped recording and over lines made by hand to sit on
 * either side of what it takes, the trees must be the same, and a whole
 * read must give the same trace or the same cause word for word.  Also
 * the reader's index of actors by name.  Run one test by name:
 * build/tests/test_read_fast test_read_fast_edges */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "trace/read_fast.h"
#include "tests/harness.h"
#include "trace/read_int.h"
#include "trace/trace.h"
#include "tests/fuzz/read_same.h"

#define HDR "{\"format\":\"ioscope-trace\",\"version\":2,\"scenario\":\"t\",\"kernel\":\"k\"," \
	"\"started\":\"2026-11-26T14:09:36Z\",\"actors\":[{\"name\":\"world\",\"model\":\"\"}," \
	"{\"name\":\"A\",\"model\":\"blocking\",\"caps\":[\"phases\"]}," \
	"{\"name\":\"S\",\"model\":\"select\",\"caps\":[\"phases\",\"set\"]}]}\n"

/* The fast reader's verdict on one line (1: taken, 0: not); when it takes
 * it, jansson must read it into the same tree. */
static int fast_vs_jansson(const char *s, size_t n)
{
	struct rd r = { .name = "t", .line = 2 };
	struct jv *fast, *slow;
	json_error_t e;
	json_t *o;
	int rc = trace__fast_line(&r, s, n, &fast);

	assert_true(rc == 0 || rc == 1);
	if (rc == 1) {
		o = json_loadb(s, n, JSON_REJECT_DUPLICATES, &e);
		if (o == NULL)
			fail_msg("the fast reader took what jansson refuses: %.*s", (int)n, s);
		assert_int_equal(trace__jv_json(&r, o, &slow), 0);
		if (!jv_same(fast, slow))
			fail_msg("the trees differ: %.*s", (int)n, s);
		json_decref(o);
	}
	trace__rd_free(&r);
	return rc;
}

/* text read with and without the fast reader: the same outcome.  Returns
 * the result; the cause in cause. */
static int read_both(const char *text, size_t len, char *cause, size_t causelen)
{
	struct trace *fast = NULL, *slow = NULL;
	size_t skip_fast = 0, skip_slow = 0;
	char other[512] = "";
	int rc = trace__read_mem("h.jsonl", text, len, false, &fast, &skip_fast,
				 cause, causelen);

	assert_int_equal(trace__read_mem("h.jsonl", text, len, true, &slow, &skip_slow,
					 other, sizeof other), rc);
	if (rc != 0)
		assert_string_equal(cause, other);
	else if (skip_fast != skip_slow || !traces_same(fast, slow))
		fail_msg("the traces read differ");
	trace_free(fast);
	trace_free(slow);
	return rc;
}

/* The header, then line: read both ways. */
static int read_line_both(const char *line, size_t n, char *cause, size_t causelen)
{
	size_t len = strlen(HDR) + n + 1;
	char *text = malloc(len);
	int rc;

	assert_non_null(text);
	memcpy(text, HDR, strlen(HDR));
	memcpy(text + strlen(HDR), line, n);
	text[len - 1] = '\n';
	rc = read_both(text, len, cause, causelen);
	free(text);
	return rc;
}

/* Every event line of every shipped recording: the fast reader takes each
 * that has no escape (ioscope writes nothing else unusual), into jansson's
 * tree; each recording reads into the same trace both ways. */
static void test_read_fast_recordings(void **state)
{
	const char *dir = "scenarios/recordings";
	size_t files = 0, lines = 0, taken = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	(void)state;
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name), len, pos;
		char path[512], cause[512];
		char *text;

		if (l < 6 || strcmp(de->d_name + l - 6, ".jsonl") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		assert_non_null(text = h_slurp(path));    /* recordings hold no NUL */
		len = strlen(text);
		pos = (size_t)((char *)memchr(text, '\n', len) - text) + 1;    /* after the header */
		while (pos < len) {
			const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
			size_t n = nl != NULL ? (size_t)(nl - s) : len - pos;
			int mine = fast_vs_jansson(s, n);

			if (mine != (memchr(s, '\\', n) == NULL))
				fail_msg("%s: the fast reader %s: %.*s", path,
					 mine ? "took a line with an escape" : "did not take",
					 (int)n, s);
			lines++;
			taken += (size_t)mine;
			pos += n + (nl != NULL);
		}
		if (read_both(text, len, cause, sizeof cause) != 0)
			fail_msg("%s: %s", path, cause);
		free(text);
		files++;
	}
	closedir(d);
	assert_true(files >= 10);
	assert_true(taken > lines * 9 / 10);    /* only lines with an escape are left */
}

struct edge {
	const char *line;
	size_t n;
	int mine;
};

#define L(s) s, sizeof s - 1

/* Lines on either side of what the fast reader takes. */
static const struct edge edges[] = {
	{ L("{\"seq\":0,\"t_ns\":5,\"actor\":\"A\",\"kind\":\"arrive\",\"fd\":5,\"bytes\":4}"), 1 },
	{ L("{}"), 1 },
	{ L("{\"seq\":-0}"), 1 },
	{ L("{\"seq\":999999999999999999}"), 1 },
	{ L("{\"seq\":-999999999999999999}"), 1 },
	{ L("{\"text\":{\"en\":\"a\",\"zh\":\"\xe4\xb8\xad\xe6\x96\x87\"}}"), 1 },
	{ L("{\"text\":{},\"fds\":[]}"), 1 },
	{ L("{\"fds\":[1,-1,2147483647],\"caps\":[\"phases\",\"set\"],\"out\":[true,null]}"), 1 },
	{ L("{\"blocked\":true,\"abrupt\":false,\"helper\":null}"), 1 },
	{ L("{\"wchan\":\"\x7f\"}"), 1 },
	{ L("{\"wchan\":\"\xc2\x80\xc3\xa9\xe2\x82\xac\xef\xbf\xbf\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"}"), 1 },
	{ L("{\"wchan\":\"\",\"syscall\":\"a b\"}"), 1 },
	/* whitespace anywhere */
	{ L("{\"seq\": 0}"), 0 }, { L("{ \"seq\":0}"), 0 }, { L("{\"seq\":0} "), 0 },
	{ L("{\"seq\":0}\r"), 0 }, { L("\t{\"seq\":0}"), 0 }, { L("{\"fds\":[1, 2]}"), 0 },
	/* escapes */
	{ L("{\"wchan\":\"a\\nb\"}"), 0 }, { L("{\"wchan\":\"\\u0041\"}"), 0 },
	{ L("{\"wchan\":\"\\/\"}"), 0 }, { L("{\"se\\u0071\":0}"), 0 },
	{ L("{\"wchan\":\"\\u0000\"}"), 0 },
	/* numbers jansson reads otherwise, or not at all */
	{ L("{\"seq\":1.0}"), 0 }, { L("{\"seq\":1e5}"), 0 }, { L("{\"seq\":1E5}"), 0 },
	{ L("{\"seq\":-1.5}"), 0 }, { L("{\"seq\":01}"), 0 }, { L("{\"seq\":-01}"), 0 },
	{ L("{\"seq\":00}"), 0 }, { L("{\"seq\":-}"), 0 }, { L("{\"seq\":+1}"), 0 },
	{ L("{\"seq\":1000000000000000000}"), 0 }, { L("{\"seq\":9223372036854775807}"), 0 },
	{ L("{\"seq\":-9223372036854775808}"), 0 }, { L("{\"seq\":99999999999999999999}"), 0 },
	{ L("{\"seq\":0x10}"), 0 }, { L("{\"seq\":Infinity}"), 0 }, { L("{\"seq\":NaN}"), 0 },
	/* keys: unknown, empty, twice */
	{ L("{\"seq\":0,\"x\":1}"), 0 }, { L("{\"\":1}"), 0 }, { L("{\"seq\":0,\"seq\":1}"), 0 },
	{ L("{\"text\":{\"en\":\"a\",\"en\":\"b\"}}"), 0 }, { L("{\"Seq\":0}"), 0 },
	/* nesting past one level */
	{ L("{\"text\":{\"en\":{\"x\":1}}}"), 0 }, { L("{\"fds\":[[1]]}"), 0 },
	{ L("{\"fds\":[{\"en\":1}]}"), 0 }, { L("{\"text\":{\"en\":[\"a\"]}}"), 0 },
	/* not one object */
	{ L("[1]"), 0 }, { L("1"), 0 }, { L("\"x\""), 0 }, { L("null"), 0 }, { L(""), 0 },
	{ L("{\"seq\":0}{}"), 0 }, { L("{\"seq\":0},"), 0 }, { L("{\"seq\":0}}"), 0 },
	/* syntax */
	{ L("{\"seq\":0,}"), 0 }, { L("{,}"), 0 }, { L("{\"seq\"0}"), 0 }, { L("{\"seq\":}"), 0 },
	{ L("{\"seq\"}"), 0 }, { L("{seq:0}"), 0 }, { L("{\"seq\":0"), 0 }, { L("{"), 0 },
	{ L("{\"fds\":[1,]}"), 0 }, { L("{\"fds\":[1"), 0 }, { L("{\"fds\":[,1]}"), 0 },
	{ L("{\"fds\":[1}"), 0 }, { L("{\"text\":{\"en\":\"a\"]}"), 0 },
	{ L("{\"blocked\":tru}"), 0 }, { L("{\"blocked\":truex}"), 0 }, { L("{\"blocked\":True}"), 0 },
	{ L("{\"wchan\":\"abc}"), 0 }, { L("{\"wchan\":\"abc"), 0 }, { L("{\"seq\":'a'}"), 0 },
	/* bytes jansson refuses in a string, or outside one */
	{ L("{\"wchan\":\"\x01\"}"), 0 }, { L("{\"wchan\":\"\t\"}"), 0 },
	{ L("{\"wchan\":\"a\0b\"}"), 0 }, { L("{\"seq\":0}\0"), 0 },
	{ L("{\"wchan\":\"\x80\"}"), 0 }, { L("{\"wchan\":\"\xc0\x80\"}"), 0 },
	{ L("{\"wchan\":\"\xc1\xbf\"}"), 0 }, { L("{\"wchan\":\"\xe0\x80\x80\"}"), 0 },
	{ L("{\"wchan\":\"\xed\xa0\x80\"}"), 0 }, { L("{\"wchan\":\"\xf4\x90\x80\x80\"}"), 0 },
	{ L("{\"wchan\":\"\xf5\x80\x80\x80\"}"), 0 }, { L("{\"wchan\":\"\xf0\x8f\xbf\xbf\"}"), 0 },
	{ L("{\"wchan\":\"\xe2\x82\"}"), 0 }, { L("{\"wchan\":\"\xe2\x82"), 0 },
	{ L("{\"wchan\":\"\xff\"}"), 0 }, { L("{\"seq\":0}\xc3\xa9"), 0 },
	{ L("\xef\xbb\xbf{\"seq\":0}"), 0 },
};

/* Each hand-made line: taken or not as the table says; taken, into
 * jansson's tree; and read both ways after a header, the same outcome. */
static void test_read_fast_edges(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
		char cause[512];

		if (fast_vs_jansson(edges[i].line, edges[i].n) != edges[i].mine)
			fail_msg("edge %zu: expected %s: %.*s", i, edges[i].mine ?
				 "taken" : "not taken", (int)edges[i].n, edges[i].line);
		read_line_both(edges[i].line, edges[i].n, cause, sizeof cause);
	}
}

/* Lines the fast reader takes and the checks refuse: the same message as
 * through jansson, word for word. */
static void test_read_fast_messages(void **state)
{
	static const struct { const char *line, *cause; } bad[] = {
		{ "{\"seq\":0,\"t_ns\":5,\"actor\":\"A\",\"kind\":\"arrive\",\"fd\":5,\"bytes\":4,"
		  "\"step\":2147483647}", "h.jsonl:2:1: \"step\" of the \"arrive\" event is "
		  "2147483647 (expected an integer from 0 to 1048575)" },
		{ "{\"seq\":0,\"t_ns\":5,\"actor\":\"A\",\"kind\":\"enter\",\"call\":\"readv\",\"fd\":5}",
		  "h.jsonl:2:1: \"call\" of the \"enter\" event is 'readv' (expected one of: "
		  "recvfrom, read, select, poll, epoll_wait, epoll_ctl, accept, write, "
		  "io_uring_enter, aio_read, futex, clone, recvmsg)" },
		{ "{\"seq\":0,\"t_ns\":5,\"actor\":\"S\",\"kind\":\"enter\",\"call\":\"select\",\"fd\":-1,"
		  "\"nfds\":9,\"fds\":[5,6,\"7\"]}", "h.jsonl:2:1: \"fds[2]\" of the \"enter\" event of "
		  "select is a string (expected an integer from -1 to 2147483647)" },
		{ "{\"seq\":0,\"t_ns\":5,\"actor\":\"S\",\"kind\":\"set\",\"what\":\"build\",\"n\":2,"
		  "\"fds\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]}", "h.jsonl:2:1: \"fds\" of the "
		  "\"set\" event of build has 17 entries (expected at most 16 fds, then fds_more)" },
		{ "{\"seq\":0,\"t_ns\":5,\"actor\":\"S\",\"kind\":\"set\",\"what\":\"build\",\"n\":2}",
		  "h.jsonl:2:1: the \"set\" event of build has no \"fds\" (expected an array of at most 16 fds)" },
		{ "{\"seq\":0,\"t_ns\":5,\"actor\":\"B\",\"kind\":\"lost\",\"count\":1}",
		  "h.jsonl:2:1: event actor 'B' is not in the header (expected one of its "
		  "\"actors\", or one an \"actor\" event announced on an earlier line)" },
		{ "{\"seq\":0,\"t_ns\":5,\"actor\":\"A\",\"kind\":\"yawn\"}", NULL },
		{ "{\"seq\":0,\"t_ns\":-5,\"actor\":\"A\",\"kind\":\"lost\",\"count\":1}", NULL },
		{ "{\"seq\":0,\"t_ns\":5,\"actor\":\"A\",\"kind\":\"state\",\"tid\":4,\"state\":\"S\","
		  "\"syscall\":\"read\",\"wchan\":\"\x7f\"}", "h.jsonl:2:1: \"wchan\" of the \"state\" "
		  "event holds the control character U+007F (expected printable text)" },
		{ "{\"seq\":0,\"t_ns\":5,\"actor\":\"A\",\"kind\":\"state\",\"tid\":4,\"state\":\"Sx\","
		  "\"syscall\":\"read\",\"wchan\":\"x\"}", NULL },
		{ "{\"seq\":0,\"t_ns\":5,\"actor\":\"A\",\"kind\":\"exit\",\"call\":\"read\",\"fd\":5,"
		  "\"ret\":-11,\"dur_ns\":3,\"errno\":\"ENOPE\"}", NULL },
		{ "{\"seq\":0,\"t_ns\":5,\"actor\":\"A\",\"kind\":\"complete\",\"fd\":5,\"tag\":1,"
		  "\"ret\":-5,\"errno\":\"EAGAIN\",\"waiting\":0}", NULL },
		{ "{\"seq\":0,\"t_ns\":5,\"actor\":\"A\",\"kind\":\"connect\",\"fd\":5,\"server\":\"Z\"}", NULL },
		{ "{\"seq\":0,\"t_ns\":5,\"actor\":\"S\",\"kind\":\"enter\",\"call\":\"select\",\"fd\":-1,"
		  "\"nfds\":9,\"fds\":[5],\"out\":[6]}", NULL },
		{ "{\"seq\":0,\"t_ns\":5,\"actor\":\"S\",\"kind\":\"enter\",\"call\":\"select\",\"fd\":-1,"
		  "\"nfds\":9,\"fds\":[5],\"polled\":1,\"copied_in\":8,\"sets\":[]}", NULL },
		{ "{\"seq\":0,\"t_ns\":5,\"actor\":\"A\",\"kind\":\"caption\",\"text\":{\"en\":\"a\"}}", NULL },
		{ "{\"seq\":0,\"t_ns\":5,\"actor\":\"A\",\"kind\":\"caption\",\"text\":[\"a\"]}", NULL },
		{ "{\"seq\":0,\"t_ns\":5,\"actor\":\"N\",\"kind\":\"actor\",\"edge\":\"begin\","
		  "\"model\":\"epoll\",\"caps\":[\"phases\",\"phases\"]}", NULL },
		{ "{\"seq\":0,\"t_ns\":5,\"actor\":\"world\",\"kind\":\"model\",\"model\":\"epoll\","
		  "\"why\":{\"en\":\"a\",\"zh\":\"b\"}}", NULL },
		{ "{\"seq\":0,\"t_ns\":5,\"actor\":\"A\",\"kind\":\"phase\",\"phase\":\"nap\","
		  "\"edge\":\"begin\",\"blocked\":true,\"fd\":5}", NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char cause[512];

		assert_int_equal(fast_vs_jansson(bad[i].line, strlen(bad[i].line)), 1);
		assert_int_equal(read_line_both(bad[i].line, strlen(bad[i].line), cause,
						sizeof cause), -EINVAL);
		if (bad[i].cause != NULL)
			assert_string_equal(cause, bad[i].cause);
	}
}

/* Actors found by name cost the same with 4000 of them: a file that
 * announces 4000 and then names the last ones on every line compares a
 * few names per lookup, not thousands (a linear search made 8 million
 * comparisons here). */
static void test_read_fast_actor_index(void **state)
{
	enum { ACTORS = 4000, EVENTS = 4000 };
	struct trace *t = NULL;
	size_t skipped = 0, lookups = 0;
	char line[256], cause[256];
	struct rd r;
	int rc;

	(void)state;
	assert_int_equal(trace__rd_begin(&r, "many.jsonl", false, cause, sizeof cause), 0);
	rc = trace__rd_next(&r, HDR, strlen(HDR) - 1, false, &skipped);
	for (int i = 0; rc == 0 && i < ACTORS; i++) {
		int n = snprintf(line, sizeof line, "{\"seq\":%d,\"t_ns\":5,\"actor\":\"a%d\","
				 "\"kind\":\"actor\",\"edge\":\"begin\",\"model\":\"blocking\"}",
				 i, i);

		rc = trace__rd_next(&r, line, (size_t)n, false, &skipped);
		lookups++;       /* is the name new */
	}
	for (int i = 0; rc == 0 && i < EVENTS; i++) {
		int n = snprintf(line, sizeof line, "{\"seq\":%d,\"t_ns\":6,\"actor\":\"a%d\","
				 "\"kind\":\"lost\",\"count\":1}", ACTORS + i, ACTORS - 1 - i % 7);

		rc = trace__rd_next(&r, line, (size_t)n, false, &skipped);
		lookups++;
	}
	if (rc != 0)
		fail_msg("%s", cause);
	assert_true(trace__name_probes(r.t) < 3 * lookups);
	assert_int_equal(trace__rd_end(&r, 0, skipped, &t, &skipped), 0);
	assert_int_equal(trace_hdr(t)->nactors, 3 + ACTORS);
	assert_int_equal(trace_count(t), ACTORS + EVENTS);
	trace_free(t);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_fast_recordings),
		cmocka_unit_test(test_read_fast_edges),
		cmocka_unit_test(test_read_fast_messages),
		cmocka_unit_test(test_read_fast_actor_index),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("read_fast", tests, NULL, NULL);
}
