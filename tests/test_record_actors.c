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

/* The example of trace/FORMAT.md's "Actors that appear, change and
 * leave", its header line and events as they are there. */
static char *format_example(size_t *len)
{
	FILE *md = fopen("trace/FORMAT.md", "r"), *f;
	char line[1024], *text = NULL;
	bool in = false;

	if (md == NULL)
		return NULL;
	assert_non_null(f = open_memstream(&text, len));
	while (fgets(line, sizeof line, md) != NULL) {
		if (strncmp(line, "## ", 3) == 0)
			in = strcmp(line, "## Actors that appear, change and leave\n") == 0;
		if (in && (strncmp(line, "{\"seq\":", 7) == 0 ||
			   strncmp(line, "{\"format\":", 10) == 0))
			fputs(line, f);
	}
	fclose(md);
	assert_int_equal(fclose(f), 0);
	return text;
}

/* The example reads, says who appeared and when, and is written back
 * byte for byte: the header holds the actors of the start, the others
 * are their begin events. */
static void test_record_actors_format_example(void **state)
{
	size_t len = 0, len2 = 0;
	char *text = format_example(&len), *back;
	const struct trace_hdr *h;
	struct trace *t;
	struct view *v;

	(void)state;
	if (text == NULL)
		skip();
	t = expect_good(text, len, 0);
	h = trace_hdr_c(t);
	assert_int_equal(h->nstart, 2);
	assert_int_equal(h->nactors, 3);
	assert_string_equal(h->actors[2].name, "conn-1");
	assert_string_equal(h->actors[2].model, "");
	assert_string_equal(h->actors[2].label[1], "连接1");
	assert_int_equal(h->actors[2].parent, 1);
	assert_true(h->actors[2].announced);
	assert_true(h->actors[2].ended);
	assert_false(h->actors[1].announced);
	assert_int_equal(trace_at(t, 2)->kind, TRACE_ACTOR);
	assert_int_equal(trace_at(t, 2)->tid, 4301);
	assert_int_equal(trace_at(t, 2)->pid, 4300);
	assert_int_equal(trace_at(t, 4)->kind, TRACE_MODEL);
	assert_string_equal(trace_at(t, 4)->model, "blocking");
	assert_int_equal(trace_at(t, 4)->caps, TRACE_CAP_PHASES);
	assert_true(trace_at(t, 6)->flags & TRACE_F_END);
	back = record_text(t, true, &len2);
	assert_int_equal(len2, len);
	assert_memory_equal(back, text, len);
	/* The fold: the actor is there from its begin, changes model, leaves. */
	assert_non_null(v = malloc(sizeof *v));
	view_fold(v, t, 2);
	assert_int_equal(v->nactors, 2);
	view_fold(v, t, 3);
	assert_int_equal(v->nactors, 3);
	assert_int_equal(v->actors[2].since, 2100);
	assert_string_equal(v->actors[2].model, "");
	assert_int_equal(v->actors[2].pid, 4300);
	view_fold(v, t, 5);
	assert_string_equal(v->actors[2].model, "blocking");
	assert_int_equal(v->actors[2].caps, TRACE_CAP_PHASES);
	assert_false(v->actors[2].gone);
	view_fold(v, t, 7);
	assert_true(v->actors[2].gone);
	assert_int_equal(v->actors[2].until, 9500);
	assert_int_equal(v->actors[2].arrived, 5);
	free(v);
	free(back);
	free(text);
	trace_free(t);
}

#define HDR2 "{\"format\":\"ioscope-trace\",\"version\":2,\"scenario\":\"s\"," \
	"\"kernel\":\"k\",\"started\":\"x\",\"actors\":[{\"name\":\"world\"," \
	"\"model\":\"\"},{\"name\":\"S\",\"model\":\"epoll\"}]}\n"
#define AT(actor, rest) "{\"seq\":0,\"t_ns\":1,\"actor\":\"" actor "\"," rest "}\n"
#define BEGIN(actor, rest) AT(actor, "\"kind\":\"actor\",\"edge\":\"begin\"," \
				     "\"model\":\"blocking\"" rest)
#define END(actor) AT(actor, "\"kind\":\"actor\",\"edge\":\"end\"")
#define DONE(actor) AT(actor, "\"kind\":\"done\",\"ret\":0")

/* Each hostile line, after the header and the lines before it. */
static void test_record_actors_refused(void **state)
{
	static const char *const cases[][2] = {
		{ DONE("c1") BEGIN("c1", ""), "t.jsonl:2:1: event actor 'c1' is not in the "
		  "header (expected one of its \"actors\", or one an \"actor\" event "
		  "announced on an earlier line)" },
		{ BEGIN("c1", ",\"parent\":\"Q\""), "t.jsonl:2:1: \"parent\" of the "
		  "\"actor\" event is 'Q' (expected an actor of the header or announced "
		  "before it)" },
		{ BEGIN("c1", ",\"parent\":\"c2\"") BEGIN("c2", ""), "\"parent\" of the "
		  "\"actor\" event is 'c2'" },
		{ BEGIN("S", ""), "t.jsonl:2:1: the \"actor\" event announces 'S' (expected "
		  "a new, unique, non-empty actor name)" },
		{ BEGIN("c1", "") BEGIN("c1", ""), "t.jsonl:3:1: the \"actor\" event "
		  "announces 'c1'" },
		{ BEGIN("c1", "") END("c1") BEGIN("c1", ""), "t.jsonl:4:1: the \"actor\" "
		  "event announces 'c1'" },
		{ BEGIN("", ""), "announces '' (expected a new, unique, non-empty" },
		{ BEGIN("c1", "") END("c1") END("c1"), "t.jsonl:4:1: the \"actor\" event is "
		  "from 'c1', which has ended (expected no event but lost after an "
		  "actor's \"actor\" end)" },
		{ BEGIN("c1", "") END("c1") DONE("c1"), "t.jsonl:4:1: the \"done\" event is "
		  "from 'c1', which has ended" },
		{ END("S") DONE("S"), "t.jsonl:3:1: the \"done\" event is from 'S'" },
		{ END("world"), "t.jsonl:2:1: the \"actor\" event is about the world "
		  "(expected another actor: the world neither appears, leaves nor "
		  "changes its model)" },
		{ BEGIN("world", ""), "announces 'world'" },
		{ AT("world", "\"kind\":\"model\",\"model\":\"x\",\"why\":{\"en\":\"\","
		     "\"zh\":\"\"}"), "the \"model\" event is about the world" },
		{ AT("c1", "\"kind\":\"actor\",\"edge\":\"begin\""),
		  "the \"actor\" event has no \"model\"" },
		{ AT("c1", "\"kind\":\"actor\",\"edge\":\"middle\",\"model\":\"\""),
		  "\"edge\" of the \"actor\" event is 'middle' (expected begin or end)" },
		{ AT("c1", "\"kind\":\"actor\",\"model\":\"\""),
		  "the \"actor\" event has no \"edge\"" },
		{ BEGIN("c1", ",\"tid\":0"), "\"tid\" of the \"actor\" event is 0 (expected "
		  "an integer from 1 to 2147483647)" },
		{ BEGIN("c1", ",\"pid\":4194305"), "\"pid\" of the \"actor\" event is "
		  "4194305 (expected an integer from 1 to 4194304)" },
		{ BEGIN("c1", ",\"caps\":[\"x\"]"), "\"caps\" of the \"actor\" event "
		  "holds \"x\"" },
		{ BEGIN("c1", ",\"label\":\"x\""), "\"label\" of the \"actor\" event is "
		  "a string" },
		{ BEGIN("c\\u001b1", ""), "\"actor\" of the event holds the control "
		  "character U+001B" },
		{ AT("S", "\"kind\":\"model\",\"model\":\"\",\"why\":{\"en\":\"\","
		     "\"zh\":\"\"}"), "\"model\" of the \"model\" event is empty (expected "
		  "the actor's new model)" },
		{ AT("S", "\"kind\":\"model\",\"model\":\"x\""), "the \"model\" event has "
		  "no \"why\"" },
		{ AT("S", "\"kind\":\"model\",\"model\":\"x\",\"caps\":[\"set\",\"set\"],"
		     "\"why\":{\"en\":\"\",\"zh\":\"\"}"), "names \"set\" twice" },
	};

	(void)state;
	expect_bad_events(HDR2, cases, sizeof cases / sizeof cases[0]);
}

/* A lost count may come after its actor's end; an ended actor's parent
 * still names it; an actor of the header may end. */
static void test_record_actors_allowed(void **state)
{
	static const char text[] = HDR2 BEGIN("c1", ",\"parent\":\"S\"") END("S")
		BEGIN("c2", ",\"parent\":\"S\"") END("c1")
		AT("c1", "\"kind\":\"lost\",\"count\":3") BEGIN("c3", ",\"parent\":\"c1\"");
	struct trace *t = expect_good(text, sizeof text - 1, 0);
	const struct trace_hdr *h = trace_hdr_c(t);

	(void)state;
	assert_int_equal(h->nactors, 5);
	assert_int_equal(h->actors[4].parent, 2);
	assert_true(h->actors[1].ended);
	assert_false(h->actors[1].announced);
	assert_int_equal(trace_lost(t), 3);
	trace_free(t);
}

/* In memory too, an actor's life keeps its order, so that what is
 * written always reads back. */
static void test_record_actors_append_order(void **state)
{
	struct trace *t = hdr_trace();
	struct trace_ev e;
	FILE *f = fopen("/dev/null", "w");
	int c1, c2;

	(void)state;
	assert_non_null(f);
	assert_int_equal(trace_announce_actor(t, "A", "x", 0, "", "", -1), -EEXIST);
	assert_int_equal(trace_announce_actor(t, "", "x", 0, "", "", -1), -EINVAL);
	assert_int_equal(trace_announce_actor(t, "c", "x", 0, "", "", 3), -EINVAL);
	assert_int_equal(trace_announce_actor(t, "c", "x", 0, "", "", -2), -EINVAL);
	c1 = trace_announce_actor(t, "c1", "blocking", TRACE_CAP_PHASES, "", "", 1);
	c2 = trace_announce_actor(t, "c2", "blocking", TRACE_CAP_PHASES, "", "", c1);
	assert_int_equal(c1, 3);
	assert_int_equal(c2, 4);
	assert_int_equal(trace_add_actor(t, "late", "", 0, "", ""), -EBUSY);
	assert_int_equal(trace_hdr_c(t)->nstart, 3);
	e = ev_of(TRACE_DONE, c1, 1);
	assert_int_equal(trace_append(t, &e), -EINVAL);    /* before its begin */
	e = ev_of(TRACE_ACTOR, c2, 1);
	assert_int_equal(trace_append(t, &e), -EINVAL);    /* before c1's */
	e = ev_of(TRACE_ACTOR, 1, 1);
	assert_int_equal(trace_append(t, &e), -EINVAL);    /* A is the header's */
	e = ev_of(TRACE_ACTOR, TRACE_WORLD, 1); e.flags = TRACE_F_END;
	assert_int_equal(trace_append(t, &e), -EINVAL);
	e = ev_of(TRACE_ACTOR, c1, 1); add(t, e);
	assert_int_equal(trace_append(t, &e), -EINVAL);    /* begins once */
	e = ev_of(TRACE_ACTOR, c2, 2); add(t, e);
	e = ev_of(TRACE_ACTOR, c1, 3); e.flags = TRACE_F_END; add(t, e);
	assert_int_equal(trace_append(t, &e), -EINVAL);    /* ends once */
	e = ev_of(TRACE_DONE, c1, 4);
	assert_int_equal(trace_append(t, &e), -EINVAL);
	e = ev_of(TRACE_LOST, c1, 4); e.count = 1; add(t, e);
	assert_int_equal(trace_count(t), 4);
	/* The writer refuses a begin of a header actor and a bad model. */
	e = ev_of(TRACE_ACTOR, 1, 1);
	assert_int_equal(trace_write_ev(f, t, &e), -EINVAL);
	e = ev_of(TRACE_MODEL, 1, 1); e.model = "x"; e.text[0] = e.text[1] = "";
	e.caps = (int32_t)TRACE_CAP_ALL + 1;
	assert_int_equal(trace_write_ev(f, t, &e), -EINVAL);
	e.caps = 0; e.model = "";
	assert_int_equal(trace_write_ev(f, t, &e), -EINVAL);
	e.model = "x"; e.actor = TRACE_WORLD;
	assert_int_equal(trace_write_ev(f, t, &e), -EINVAL);
	e.actor = 1;
	assert_int_equal(trace_write_ev(f, t, &e), 0);
	fclose(f);
	trace_free(t);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_actors_pid),
		cmocka_unit_test(test_record_actors_pid_bounds),
		cmocka_unit_test(test_record_actors_format_example),
		cmocka_unit_test(test_record_actors_refused),
		cmocka_unit_test(test_record_actors_allowed),
		cmocka_unit_test(test_record_actors_append_order),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("record_actors", tests, NULL, NULL);
}
