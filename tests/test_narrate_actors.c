/* test_narrate_actors.c: the narration says when an actor appears, changes
 * its model and leaves, in English and Chinese, and its summary follows
 * every actor, past the view's own TRACE_MAX_ACTORS too. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view/narrate.h"
#include "tests/harness.h"

static struct trace *load(const char *text)
{
	struct trace *t = NULL;
	char cause[256];

	if (trace_read_mem("t.jsonl", text, strlen(text), &t, NULL, cause, sizeof cause) != 0)
		fail_msg("%s", cause);
	return t;
}

#define HDR "{\"format\":\"ioscope-trace\",\"version\":2,\"scenario\":\"s\",\"kernel\":\"k\"," \
	"\"started\":\"x\",\"actors\":[{\"name\":\"world\",\"model\":\"\"},{\"name\":\"S\"," \
	"\"model\":\"threads\",\"caps\":[\"serves\"]}]}\n"

static void test_narrate_actors_life(void **state)
{
	static const char text[] = HDR
		"{\"seq\":0,\"t_ns\":1000,\"actor\":\"c1\",\"kind\":\"actor\",\"edge\":\"begin\","
		"\"model\":\"\",\"parent\":\"S\",\"tid\":4301,\"pid\":4300}\n"
		"{\"seq\":1,\"t_ns\":1500,\"actor\":\"c1\",\"kind\":\"arrive\",\"fd\":7,\"bytes\":5}\n"
		"{\"seq\":2,\"t_ns\":2000,\"actor\":\"c1\",\"kind\":\"model\",\"model\":\"blocking\","
		"\"caps\":[\"phases\"],\"why\":{\"en\":\"it sleeps in recvfrom\",\"zh\":\"它在 recvfrom 里睡眠\"}}\n"
		"{\"seq\":3,\"t_ns\":3000,\"actor\":\"c1\",\"kind\":\"actor\",\"edge\":\"end\"}\n"
		"{\"seq\":4,\"t_ns\":4000,\"actor\":\"c2\",\"kind\":\"actor\",\"edge\":\"begin\","
		"\"model\":\"epoll\"}\n";
	struct trace *t = load(text);
	char *en = h_transcript(t, NARRATE_EN), *zh = h_transcript(t, NARRATE_ZH);

	(void)state;
	assert_non_null(strstr(en, "   0.000  c1      appears: a new actor, model none yet, created by S "
			       "(tid 4301, pid 4300)\n"));
	/* An actor whose model is not known yet is not a client of the
	 * world's: data for it is not "sent to the server". */
	assert_null(strstr(en, "sends 5 bytes to the server"));
	assert_non_null(strstr(en, "data arrives: 5 bytes now readable on c1's fd 7"));
	assert_non_null(strstr(en, "c1      model changes: none → blocking: it sleeps in recvfrom\n"));
	assert_non_null(strstr(en, "c1      leaves: its thread has ended; its lane ends here\n"));
	assert_non_null(strstr(en, "c2      appears: a new actor, model epoll\n"));
	assert_non_null(strstr(en, "  c1     blocking     reads with data 0"));   /* the model now */
	assert_null(strstr(en, "  c1     threads"));
	assert_non_null(strstr(zh, "c1      出现：新的参与者，模型 尚未确定，由 S 创建 (tid 4301, pid 4300)\n"));
	assert_non_null(strstr(zh, "c1      模型改变：无 → blocking：它在 recvfrom 里睡眠\n"));
	assert_non_null(strstr(zh, "c1      离开：它的线程已结束，它的泳道到此为止\n"));
	/* The header lists the actors of the start only. */
	assert_true(strstr(en, "\n  c1 ") > strstr(en, "time  who"));
	free(en);
	free(zh);
	trace_free(t);
}

/* A hundred actors: the summary and the idle rounds of those past the
 * view's own actors are there too. */
static void test_narrate_actors_many(void **state)
{
	char *text = malloc(64 * 1024), *en;
	size_t at = (size_t)sprintf(text, "%s", HDR);
	struct trace *t;

	(void)state;
	assert_non_null(text);
	for (int i = 0; i < 100; i++)
		at += (size_t)sprintf(text + at, "{\"seq\":0,\"t_ns\":%d,\"actor\":\"c%d\",\"kind\":"
				      "\"actor\",\"edge\":\"begin\",\"model\":\"nonblocking\"}\n", i, i);
	for (int r = 0; r < 2; r++)
		at += (size_t)sprintf(text + at, "{\"seq\":0,\"t_ns\":200,\"actor\":\"c99\","
				      "\"kind\":\"idle\",\"edge\":\"begin\"}\n");
	t = load(text);
	en = h_transcript(t, NARRATE_EN);
	assert_non_null(strstr(en, "  c99    nonblocking  reads with data 0"));
	assert_non_null(strstr(en, "c99     does something else for a while"));
	{       /* the second idle slice in a row prints nothing */
		const char *p = strstr(en, "c99     does something else");

		assert_null(strstr(p + 1, "c99     does something else"));
	}
	free(en);
	free(text);
	trace_free(t);
}

/* narrate_line_in reads the caller's view in place with the caller's
 * narrator: the same words as narrate_line, for every event. */
static void test_narrate_actors_line_in(void **state)
{
	struct narrator *scratch = calloc(1, sizeof *scratch);
	struct view *v = malloc(sizeof *v);
	char cause[256], a[1024], b[1024];
	struct trace *t;

	(void)state;
	assert_non_null(scratch);
	assert_non_null(v);
	if (trace_read("tests/golden/lanes-appear.jsonl", &t, NULL, cause, sizeof cause) != 0)
		fail_msg("%s", cause);
	for (int lang = NARRATE_EN; lang <= NARRATE_ZH; lang++) {
		view_reset(v, t);
		for (size_t i = 0; i < trace_count(t); i++) {
			const struct trace_ev *ev = trace_at(t, i);
			int ra = narrate_line(t, lang, v, ev, a, sizeof a);
			int rb = narrate_line_in(scratch, t, lang, v, ev, b, sizeof b);

			assert_int_equal(ra, rb);
			assert_string_equal(a, b);
			assert_ptr_equal(scratch->now, v);
			view_apply(v, ev);
		}
	}
	trace_free(t);
	free(v);
	free(scratch);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_narrate_actors_life),
		cmocka_unit_test(test_narrate_actors_many),
		cmocka_unit_test(test_narrate_actors_line_in),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("narrate_actors", tests, NULL, NULL);
}
