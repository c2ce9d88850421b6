/* test_narrate_phase2.c: the narration says what a read's phase 2 holds
 * (a wake-up, scheduling and the copy for a reader that slept; the copy
 * alone when the data was already there), on real sockets; and an EAGAIN
 * is a "try" only for a polling reader. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live/run.h"
#include "tests/harness.h"
#include "view/narrate.h"

/* The first line of text holding both a and b, or fail. */
static void assert_line(const char *text, const char *a, const char *b)
{
	for (const char *p = text; p != NULL && *p != '\0';) {
		const char *e = strchr(p, '\n');
		size_t n = e != NULL ? (size_t)(e - p) : strlen(p);
		char *line = strndup(p, n);
		bool hit = line != NULL && strstr(line, a) != NULL && strstr(line, b) != NULL;

		free(line);
		if (hit)
			return;
		p = e != NULL ? e + 1 : NULL;
	}
	fail_msg("no line with '%s' and '%s' in:\n%s", a, b, text);
}

/* ---- a blocking read and a read after select, on real sockets ---- */

/* A sleeps in recv when its data comes; S sleeps in select, then reads
 * what select said is there.  The test steps each write once the reader
 * is asleep (the times only order the actions). */
static const char script[] =
	"scenario t\n"
	"actor A blocking\n"
	"actor S select\n"
	"at 1000s write A.1 trout\n"
	"at 1001s write S.1 carp\n"
	"at 2000s close A.1\n"
	"at 2001s close S.1\n";

H_FILES_GROUP(script)

struct before {
	int next;
	int64_t a, s;
};

static bool both_wait(struct h_run *hr, void *arg)
{
	const struct before *w = arg;
	const struct trace *t = run_trace(hr->r);
	int A = trace_find_actor(t, "A"), S = trace_find_actor(t, "S");

	return run_step_index(hr->r) == w->next && h_actor_got(t, A) >= w->a &&
	       h_actor_got(t, S) >= w->s && h_actor_waits(t, A) && h_actor_waits(t, S);
}

static struct trace *run_both(void)
{
	static const struct before steps[] = { { 0, 0, 0 }, { 1, 5, 0 }, { 2, 5, 4 }, { 3, 5, 4 } };
	struct run_opts o = {
		.scenario = files.scn, .speed = 10, .record = files.rec,
		.lang = NARRATE_EN, .out = NULL, .grace_ms = 5000,
	};
	char cause[512] = "";
	struct trace *t = NULL;
	struct h_run hr;
	size_t skipped;

	if (h_run_open(&hr, &o, cause, sizeof cause) != 0) {
		h_run_close(&hr, cause, sizeof cause);
		fail_msg("%s", cause);
	}
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		assert_true(h_run_until(&hr, both_wait, (void *)&steps[i], 10000));
		assert_int_equal(run_step(hr.r), steps[i].next);
	}
	assert_true(h_run_until(&hr, h_run_ended, NULL, 10000));
	assert_int_equal(h_run_close(&hr, cause, sizeof cause), 0);
	assert_int_equal(trace_read(files.rec, &t, &skipped, cause, sizeof cause), 0);
	return t;
}

static void test_narrate_phase2_woken_vs_there(void **state)
{
	struct trace *t = run_both();
	char *en = h_transcript(t, NARRATE_EN), *zh = h_transcript(t, NARRATE_ZH);

	(void)state;
	/* A slept in recv: its phase 2 is the wake-up, not just a copy. */
	assert_line(en, "  A  ", "the kernel wakes the reader to copy it");
	assert_line(en, "  A  ", "phase 2 ends after");
	assert_line(en, "  A  ", ": wake-up, scheduling, copy · the caller was blocked");
	assert_line(zh, "  A  ", "：唤醒、调度，再加上复制");
	/* S read after select said ready: the data was there. */
	assert_line(en, "  S  ", ": just the copy (data was there) · the caller was blocked");
	assert_line(zh, "  S  ", "：只是复制（数据早已在那里）");
	assert_null(strstr(en, "phase 2 (copy)"));
	/* The summary says the same of each. */
	assert_line(en, "  A      blocking", "(a wake-up, scheduling and the copy)");
	assert_line(en, "  S      select", "(the copy: the data was already there)");
	assert_line(zh, "  A      blocking", "（唤醒、调度，再加上复制）");
	assert_line(zh, "  S      select", "（只是复制：数据早已在缓冲区里）");
	free(en);
	free(zh);
	trace_free(t);
}

/* ---- EAGAIN: a try, or an empty socket ---- */

static struct trace *load(const char *text)
{
	struct trace *t = NULL;
	char cause[256];

	if (trace_read_mem("t.jsonl", text, strlen(text), &t, NULL, cause, sizeof cause) != 0)
		fail_msg("%s", cause);
	return t;
}

static const char again[] =
	"{\"format\":\"ioscope-trace\",\"version\":2,\"scenario\":\"s\",\"kernel\":\"k\","
	"\"started\":\"x\",\"actors\":[{\"name\":\"world\",\"model\":\"\"},"
	"{\"name\":\"B\",\"model\":\"nonblocking\",\"caps\":[\"phases\",\"tries\"]},"
	"{\"name\":\"G\",\"model\":\"sigio\",\"caps\":[\"phases\",\"signal\"]},"
	"{\"name\":\"D\",\"model\":\"epoll-et\",\"caps\":[\"phases\",\"interest\",\"edge\"]}]}\n"
	"{\"seq\":0,\"t_ns\":100,\"actor\":\"B\",\"kind\":\"enter\",\"call\":\"recvfrom\",\"fd\":5}\n"
	"{\"seq\":1,\"t_ns\":200,\"actor\":\"B\",\"kind\":\"exit\",\"call\":\"recvfrom\",\"fd\":5,"
	"\"ret\":-1,\"dur_ns\":100,\"errno\":\"EAGAIN\",\"try\":3}\n"
	"{\"seq\":2,\"t_ns\":300,\"actor\":\"G\",\"kind\":\"enter\",\"call\":\"recvfrom\",\"fd\":6}\n"
	"{\"seq\":3,\"t_ns\":400,\"actor\":\"G\",\"kind\":\"exit\",\"call\":\"recvfrom\",\"fd\":6,"
	"\"ret\":-1,\"dur_ns\":100,\"errno\":\"EAGAIN\"}\n"
	"{\"seq\":4,\"t_ns\":500,\"actor\":\"D\",\"kind\":\"enter\",\"call\":\"recvfrom\",\"fd\":7}\n"
	"{\"seq\":5,\"t_ns\":600,\"actor\":\"D\",\"kind\":\"exit\",\"call\":\"recvfrom\",\"fd\":7,"
	"\"ret\":-1,\"dur_ns\":100,\"errno\":\"EAGAIN\"}\n";

static void test_narrate_phase2_eagain_try(void **state)
{
	struct trace *t = load(again);
	char *en = h_transcript(t, NARRATE_EN), *zh = h_transcript(t, NARRATE_ZH);

	(void)state;
	assert_line(en, "  B  ", "EAGAIN after 100 ns: nothing yet (try 3)");
	assert_line(en, "  G  ", "EAGAIN after 100 ns: the socket's buffer is empty, nothing (more) to read");
	assert_line(en, "  D  ", "EAGAIN after 100 ns: the socket's buffer is empty, nothing (more) to read");
	assert_null(strstr(en, "try 0"));
	assert_line(zh, "  B  ", "还没有数据（第 3 次）");
	assert_line(zh, "  G  ", "套接字的缓冲区已空，暂时没有可读的数据");
	assert_null(strstr(zh, "第 0 次"));
	free(en);
	free(zh);
	trace_free(t);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_narrate_phase2_woken_vs_there),
		cmocka_unit_test(test_narrate_phase2_eagain_try),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("narrate_phase2", tests, h_files_setup, h_files_teardown);
}
