/* test_captions.c: captions and labels when a run puts actors on another
 * model than the script wrote (--model, m): the header's script key, the
 * fold's replacement of captions about those actors, the narrator's. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/narrate.h"

#define GRIP_EN "A grips his rod and will not look away."
#define GRIP_ZH "A 紧握鱼竿，一直盯着。"
#define CHAT_EN "B chats between glances."
#define CHAT_ZH "B 一边聊天一边看。"

static void caption(struct trace *t, int64_t at, const char *en, const char *zh, int step)
{
	struct trace_ev ev = { .t_ns = at, .actor = TRACE_WORLD, .kind = TRACE_CAPTION,
			       .fd = -1, .step = step,
			       .text = { trace_intern(t, en), trace_intern(t, zh) } };

	assert_int_equal(trace_append(t, &ev), 0);
}

static void ev(struct trace *t, const struct trace_ev *e)
{
	assert_int_equal(trace_append(t, e), 0);
}

/* fishing, cut short: A was written blocking, B nonblocking; recast puts
 * both on nonblocking (A then differs from its script, B does not). */
static struct trace *fishing(bool recast)
{
	struct trace *t = trace_new();

	assert_int_equal(trace_add_actor(t, "A", recast ? "nonblocking" : "blocking",
					 "A holds one rod and waits", "A 握着一根鱼竿一直等"), 1);
	assert_int_equal(trace_add_actor(t, "B", "nonblocking", "B checks now and then",
					 "B 时不时看一眼"), 2);
	assert_int_equal(trace_add_actor(t, "alice", "", "", ""), 3);
	if (recast)
		assert_int_equal(narrate_recast(t, 1, "blocking"), 0);
	caption(t, 0, GRIP_EN, GRIP_ZH, 0);
	ev(t, &(struct trace_ev){ .t_ns = 10, .actor = 1, .kind = TRACE_PHASE,
				  .phase = TRACE_PH_WAIT, .fd = 5, .step = -1 });
	ev(t, &(struct trace_ev){ .t_ns = 10, .actor = 1, .kind = TRACE_ENTER,
				  .call = TRACE_CALL_RECVFROM, .fd = 5, .step = -1 });
	ev(t, &(struct trace_ev){ .t_ns = 20, .actor = 1, .kind = TRACE_EXIT,
				  .call = TRACE_CALL_RECVFROM, .fd = 5, .ret = -1,
				  .err = EAGAIN, .count = 1, .dur_ns = 10, .step = -1 });
	ev(t, &(struct trace_ev){ .t_ns = 30, .actor = 1, .kind = TRACE_IDLE,
				  .count = 1, .fd = -1, .step = -1 });
	caption(t, 100, CHAT_EN, CHAT_ZH, 1);
	caption(t, 200, "Nothing is biting yet.", "还没有鱼上钩。", 2);
	return t;
}

static void test_captions_names(void **state)
{
	struct trace *t = fishing(false);
	struct trace_ev e = { .kind = TRACE_CAPTION, .fd = -1, .step = -1 };

	(void)state;
	e.text[0] = "A fish bites B's hook.";
	e.text[1] = "鱼咬了 B 的钩。";
	assert_int_equal(view_caption_names(t, &e), 1u << 2);   /* "A fish": an article */
	e.text[1] = "";
	assert_int_equal(view_caption_names(t, &e), 1u << 1 | 1u << 2);
	e.text[0] = "AB and BA and A_1, but alice is a client";
	assert_int_equal(view_caption_names(t, &e), 0);
	e.text[0] = "(A) and B.";
	assert_int_equal(view_caption_names(t, &e), 1u << 1 | 1u << 2);
	e.text[0] = "world";
	assert_int_equal(view_caption_names(t, &e), 0);
	e.kind = TRACE_NOTE;
	e.text[0] = "A";
	assert_int_equal(view_caption_names(t, &e), 0);
	trace_free(t);
}

/* The script's own cast: every caption as written. */
static void test_captions_fold_script_cast(void **state)
{
	struct trace *t = fishing(false);
	struct view v;

	(void)state;
	assert_int_equal(view_recast(t), 0);
	view_fold(&v, t, 1);
	assert_string_equal(view_caption(&v, 0), GRIP_EN);
	assert_string_equal(view_caption(&v, 1), GRIP_ZH);
	assert_string_equal(v.caption[0], GRIP_EN);
	assert_int_equal(v.about, 0);
	trace_free(t);
}

static void test_captions_fold_recast(void **state)
{
	struct trace *t = fishing(true);
	static struct view v, w;

	(void)state;
	assert_int_equal(view_recast(t), 1u << 1);
	view_fold(&v, t, 1);
	assert_int_equal(v.about, 1u << 1);
	assert_null(strstr(view_caption(&v, 0), "grips"));
	assert_non_null(strstr(view_caption(&v, 0), "written for A on blocking; here it runs nonblocking"));
	assert_non_null(strstr(view_caption(&v, 0), "Now A: nothing read yet."));
	assert_non_null(strstr(view_caption(&v, 1), "blocking 的 A 写的"));
	assert_non_null(strstr(view_caption(&v, 1), "nonblocking"));
	assert_null(strstr(view_caption(&v, 1), "紧握"));
	/* The screen reads caption[]: the same words. */
	assert_string_equal(v.caption[0], view_caption(&v, 0));
	assert_string_equal(v.caption[1], view_caption(&v, 1));
	/* A acts: the words follow, event by event and in one fold alike. */
	view_apply(&v, trace_at(t, 1));
	view_apply(&v, trace_at(t, 2));
	view_apply(&v, trace_at(t, 3));
	view_apply(&v, trace_at(t, 4));
	assert_non_null(strstr(view_caption(&v, 0), "Now A: doing something else between tries (1 × EAGAIN so far)."));
	assert_non_null(strstr(view_caption(&v, 1), "已经 1 次 EAGAIN"));
	view_fold(&w, t, 5);
	assert_string_equal(view_caption(&w, 0), view_caption(&v, 0));
	assert_string_equal(w.caption[1], view_caption(&v, 1));
	/* B ran the script's model: its caption stands; so does one naming
	 * nobody. */
	view_fold(&v, t, 6);
	assert_int_equal(v.about, 0);
	assert_string_equal(view_caption(&v, 0), CHAT_EN);
	assert_string_equal(v.caption[1], CHAT_ZH);
	view_fold(&v, t, 7);
	assert_string_equal(view_caption(&v, 0), "Nothing is biting yet.");
	/* Stepping back to the first caption brings its replacement back. */
	view_fold(&v, t, 2);
	assert_non_null(strstr(v.caption[0], "written for A on blocking"));
	trace_free(t);
}

static char *narrate_all(const struct trace *t, int lang)
{
	struct narrator n;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	narrate_begin(&n, f, t, lang);
	for (size_t i = 0; i < trace_count(t); i++)
		narrate_ev(&n, trace_at(t, i));
	narrate_end(&n);
	fclose(f);
	return text;
}

static void test_captions_narration(void **state)
{
	struct trace *t = fishing(true);
	char *en = narrate_all(t, NARRATE_EN), *zh = narrate_all(t, NARRATE_ZH);

	(void)state;
	assert_null(strstr(en, "grips"));
	assert_null(strstr(en, "holds one rod"));
	assert_non_null(strstr(en, "── [This caption was written for A on blocking; here it runs nonblocking.] "
				   "Now A: nothing read yet."));
	assert_non_null(strstr(en, "A      nonblocking  the script wrote blocking; here: recv() answers EAGAIN"));
	assert_non_null(strstr(en, "── " CHAT_EN));
	assert_non_null(strstr(en, "B checks now and then"));
	assert_null(strstr(zh, "紧握"));
	assert_null(strstr(zh, "握着一根鱼竿"));
	assert_non_null(strstr(zh, "── ［这段说明是为 blocking 的 A 写的；这次运行用的是 nonblocking。］现在：A 还没有读到数据。"));
	assert_non_null(strstr(zh, "脚本写的是 blocking；这里："));
	assert_non_null(strstr(zh, "── " CHAT_ZH));
	free(en);
	free(zh);
	trace_free(t);

	/* The script's cast narrates the script's words. */
	t = fishing(false);
	en = narrate_all(t, NARRATE_EN);
	assert_non_null(strstr(en, "── " GRIP_EN));
	assert_non_null(strstr(en, "A holds one rod and waits"));
	assert_null(strstr(en, "written for"));
	free(en);
	trace_free(t);
}

/* narrate_line (the screen's story) words a caption as the narrator does. */
static void test_captions_line(void **state)
{
	struct trace *t = fishing(true);
	static struct view v;
	char s[1024];

	(void)state;
	view_fold(&v, t, 0);
	assert_int_equal(narrate_line(t, NARRATE_EN, &v, trace_at(t, 0), s, sizeof s), 1);
	assert_non_null(strstr(s, "written for A on blocking"));
	view_fold(&v, t, 5);
	assert_int_equal(narrate_line(t, NARRATE_EN, &v, trace_at(t, 5), s, sizeof s), 1);
	assert_string_equal(s, "── " CHAT_EN);
	trace_free(t);
}

/* Actors doing the same thing share one phrase; a trace where they run
 * different models says which each runs. */
static void test_captions_group(void **state)
{
	struct trace *t = trace_new();
	static struct view v;

	(void)state;
	trace_add_actor(t, "A", "poll", "", "");
	trace_add_actor(t, "B", "poll", "", "");
	trace_add_actor(t, "C", "epoll", "", "");
	narrate_recast(t, 1, "blocking");
	narrate_recast(t, 2, "select");
	caption(t, 0, "A and B wait.", "A 和 B 在等。", 0);
	view_fold(&v, t, 1);
	assert_string_equal(view_caption(&v, 0), "[This caption was written for A on blocking and B on select; "
			    "here they run poll.] Now A and B: nothing read yet.");
	assert_string_equal(view_caption(&v, 1), "［这段说明是为 blocking 的 A 和 select 的 B 写的；"
			    "这次运行用的是 poll。］现在：A 和 B 还没有读到数据。");
	narrate_recast(t, 3, "select");
	caption(t, 1, "A, B and C wait.", "A、B 和 C 在等。", 1);
	view_fold(&v, t, 2);
	assert_string_equal(view_caption(&v, 0), "[This caption was written for A on blocking, B on select and C on select; "
			    "here they run other models.] Now A (poll), B (poll) and C (epoll): nothing read yet.");
	trace_free(t);
}

static void test_captions_recast_label(void **state)
{
	struct trace *t = trace_new();

	(void)state;
	trace_add_actor(t, "P", "select", "P uses poll(): an array has no such limit", "P 用 poll()");
	trace_add_actor(t, "S", "select", "S tries select()", "S 想用 select()");
	trace_add_actor(t, "X", "madeup", "x", "x");
	assert_int_equal(narrate_recast(t, 1, "poll"), 0);
	assert_int_equal(narrate_recast(t, 2, "select"), 0);    /* its own model */
	assert_int_equal(narrate_recast(t, 3, "poll"), 0);
	assert_int_equal(narrate_recast(t, 0, "poll"), -EINVAL);
	assert_int_equal(narrate_recast(t, 4, "poll"), -EINVAL);
	assert_string_equal(trace_hdr(t)->actors[1].script, "poll");
	assert_string_equal(trace_hdr(t)->actors[1].label[0],
			    "the script wrote poll; here: one select() waits on all its fds; the whole set is copied and scanned");
	assert_null(strstr(trace_hdr(t)->actors[1].label[1], "用 poll()"));
	assert_null(trace_hdr(t)->actors[2].script);
	assert_string_equal(trace_hdr(t)->actors[2].label[0], "S tries select()");
	assert_string_equal(trace_hdr(t)->actors[3].label[0], "the script wrote poll");
	assert_int_equal(view_recast(t), 1u << 1 | 1u << 3);
	trace_free(t);
}

static struct trace *reread(const struct trace *t)
{
	char *buf = NULL, cause[256];
	size_t len = 0, skipped = 0;
	FILE *f = open_memstream(&buf, &len);
	struct trace *out = NULL;

	assert_non_null(f);
	assert_int_equal(trace_write_hdr(f, t), 0);
	for (size_t i = 0; i < trace_count(t); i++)
		assert_int_equal(trace_write_ev(f, t, trace_at(t, i)), 0);
	fclose(f);
	assert_int_equal(trace_read_mem("t.jsonl", buf, len, &out, &skipped, cause, sizeof cause), 0);
	if (strstr(buf, "\"script\"") == NULL)
		assert_null(strstr(buf, "script"));
	free(buf);
	return out;
}

/* The header carries script; a trace without it (every recording made
 * before) reads as the script's own cast. */
static void test_captions_header_round_trip(void **state)
{
	struct trace *t = fishing(true), *u = reread(t);
	static struct view v;

	(void)state;
	assert_string_equal(trace_hdr(u)->actors[1].script, "blocking");
	assert_true(trace_hdr(u)->actors[2].script == NULL || *trace_hdr(u)->actors[2].script == '\0');
	assert_int_equal(view_recast(u), 1u << 1);
	view_fold(&v, u, 1);
	assert_non_null(strstr(view_caption(&v, 0), "written for A on blocking"));
	trace_free(u);
	trace_free(t);

	t = fishing(false);
	u = reread(t);
	assert_int_equal(view_recast(u), 0);
	view_fold(&v, u, 1);
	assert_string_equal(view_caption(&v, 0), GRIP_EN);
	trace_free(u);
	trace_free(t);
}

static void test_captions_header_bad_script(void **state)
{
	const char *bad = "{\"format\":\"ioscope-trace\",\"version\":1,\"scenario\":\"s\","
			  "\"kernel\":\"k\",\"started\":\"x\",\"actors\":[{\"name\":\"world\",\"model\":\"\"},"
			  "{\"name\":\"A\",\"model\":\"poll\",\"script\":7}]}\n";
	struct trace *t = NULL;
	char cause[256];
	size_t skipped;

	(void)state;
	assert_int_equal(trace_read_mem("b.jsonl", bad, strlen(bad), &t, &skipped, cause, sizeof cause), -EINVAL);
	assert_non_null(strstr(cause, "script"));
	assert_null(t);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_captions_names),
		cmocka_unit_test(test_captions_fold_script_cast),
		cmocka_unit_test(test_captions_fold_recast),
		cmocka_unit_test(test_captions_narration),
		cmocka_unit_test(test_captions_line),
		cmocka_unit_test(test_captions_group),
		cmocka_unit_test(test_captions_recast_label),
		cmocka_unit_test(test_captions_header_round_trip),
		cmocka_unit_test(test_captions_header_bad_script),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("captions", tests, NULL, NULL);
}
