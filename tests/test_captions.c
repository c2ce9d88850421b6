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

#include "scenarios/scn.h"
#include "view/narrate.h"

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

	assert_int_equal(trace_add_actor(t, "A", recast ? "nonblocking" : "blocking", trace_caps_v1(recast ? "nonblocking" : "blocking"),
					 "A holds one rod and waits", "A 握着一根鱼竿一直等"), 1);
	assert_int_equal(trace_add_actor(t, "B", "nonblocking", trace_caps_v1("nonblocking"), "B checks now and then",
					 "B 时不时看一眼"), 2);
	assert_int_equal(trace_add_actor(t, "alice", "", 0, "", ""), 3);
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
	trace_add_actor(t, "A", "poll", trace_caps_v1("poll"), "", "");
	trace_add_actor(t, "B", "poll", trace_caps_v1("poll"), "", "");
	trace_add_actor(t, "C", "epoll", trace_caps_v1("epoll"), "", "");
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
	trace_add_actor(t, "P", "select", trace_caps_v1("select"), "P uses poll(): an array has no such limit", "P 用 poll()");
	trace_add_actor(t, "S", "select", trace_caps_v1("select"), "S tries select()", "S 想用 select()");
	trace_add_actor(t, "X", "madeup", trace_caps_v1("madeup"), "x", "x");
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


/* ---- the scenario's own captions for a model ("say for MODEL") ---- */

#define SCN_HEAD "scenario v\nactor A blocking\n"

static struct scn *parse(const char *body, char *cause, size_t len)
{
	size_t n = strlen(SCN_HEAD) + strlen(body) + 1;
	char *text = malloc(n);
	struct scn *s = NULL;
	int rc;

	assert_non_null(text);
	snprintf(text, n, SCN_HEAD "%s", body);
	cause[0] = '\0';
	rc = scn_parse("v.scn", text, strlen(text), &s, cause, len);
	free(text);
	return rc == 0 ? s : NULL;
}

static int known(const char *name)
{
	return strcmp(name, "blocking") == 0 || strcmp(name, "nonblocking") == 0 ||
	       strcmp(name, "select") == 0;
}

static void test_captions_scn_variants(void **state)
{
	char cause[256];
	struct scn *s = parse("at 0s say en A waits in recv().\n"
			      "at 0s say zh A 在 recv() 里等。\n"
			      "at 0s say for nonblocking en A asks again and again.\n"
			      "at 0s say for nonblocking zh A 一遍遍地问。\n"
			      "at 0s say for select zh A 在 select() 里等。\n"
			      "at 0s say for select en \"A waits\\nin select().\"\n"
			      "at 1s write A hi\n", cause, sizeof cause);
	const struct scn_variant *v;

	(void)state;
	assert_non_null(s);
	assert_int_equal(s->nactions, 2);
	assert_int_equal(s->actions[0].nvariants, 2);
	assert_string_equal(s->actions[0].text[0], "A waits in recv().");
	v = scn_variant_for(&s->actions[0], "select");
	assert_non_null(v);
	assert_string_equal(v->text[0], "A waits\nin select().");
	assert_string_equal(v->text[1], "A 在 select() 里等。");
	assert_int_equal(v->line, 7);
	assert_string_equal(scn_variant_for(&s->actions[0], "nonblocking")->text[1], "A 一遍遍地问。");
	assert_null(scn_variant_for(&s->actions[0], "poll"));
	assert_null(scn_variant_for(&s->actions[1], "select"));
	assert_int_equal(scn_check_models(s, known, "x", cause, sizeof cause), 0);
	scn_free(s);

	s = parse("at 0s say en a\nat 0s say zh b\nat 0s say for poll en c\nat 0s say for poll zh d\n",
		  cause, sizeof cause);
	assert_non_null(s);
	assert_int_equal(scn_check_models(s, known, "blocking, select", cause, sizeof cause), -EINVAL);
	assert_string_equal(cause, "v.scn:5:15: unknown model 'poll' (expected one of: blocking, select)");
	scn_free(s);
}

static void test_captions_scn_errors(void **state)
{
	static const struct {
		const char *body, *cause;
	} bad[] = {
		{ "at 0s say for nonblocking en x\n",
		  "v.scn:3:4: expected the caption this one replaces on the lines just above, at the same time" },
		{ "at 1s say en a\nat 1s say zh b\nat 1s write A x\nat 1s say for poll en c\n",
		  "v.scn:6:4: expected the caption this one replaces" },
		{ "at 1s say en a\nat 1s say zh b\nat 2s say for poll en c\n",
		  "v.scn:5:4: expected the caption this one replaces" },
		{ "at 1s say en a\nat 1s say zh b\nat 1s say for Poll en c\n",
		  "v.scn:5:15: expected a model name of a-z, 0-9 and '-' after 'say for', like nonblocking, got 'Poll'" },
		{ "at 1s say en a\nat 1s say zh b\nat 1s say for poll fr c\n",
		  "v.scn:5:20: expected a language, en or zh, got 'fr'" },
		{ "at 1s say en a\nat 1s say zh b\nat 1s say for poll en c\n",
		  "v.scn:5:20: caption for 'poll' has English text but no Chinese (add 'at 1s say for poll zh ...' on the next line)" },
		{ "at 1s say en a\nat 1s say zh b\nat 1s say for poll zh c\nat 1s say for select en d\n",
		  "v.scn:5:20: caption for 'poll' has Chinese text but no English (add 'at 1s say for poll en ...'" },
		{ "at 1s say en a\nat 1s say zh b\nat 1s say for poll en c\nat 1s say zh d\n",
		  "v.scn:5:20: caption for 'poll' has English text but no Chinese" },
		{ "at 1s say en a\nat 1s say zh b\nat 1s say for poll en c\nat 1s say for poll zh d\n"
		  "at 1s say for poll en e\n",
		  "v.scn:7:15: expected one caption for 'poll' at this time (line 5 gives one), got 'poll'" },
		{ "at 1s say en a\nat 1s say for poll en c\n",
		  "v.scn:3:11: caption has English text but no Chinese" },
		{ "at 1s say en a\nat 1s say zh b\nat 1s say for poll en\n",
		  "v.scn:5:22: expected caption text, got end of line" },
	};
	char cause[512];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct scn *s = parse(bad[i].body, cause, sizeof cause);

		if (s != NULL || strncmp(cause, bad[i].cause, strlen(bad[i].cause)) != 0)
			fail_msg("case %zu: got '%s', wanted '%s'", i, cause, bad[i].cause);
	}
}

/* A scenario's captions for one model fit in a recording's header. */
static void test_captions_scn_budget(void **state)
{
	static char body[200000];
	char line[4400], cause[256], text[2049];
	size_t at = 0;
	struct scn *s;

	(void)state;
	memset(text, 'x', 2048);
	text[2048] = '\0';
	for (int i = 0; i < 9; i++) {
		snprintf(line, sizeof line, "at %ds say en a\nat %ds say zh b\n"
			 "at %ds say for poll en %s\nat %ds say for poll zh %s\n",
			 i, i, i, text, i, text);
		memcpy(body + at, line, strlen(line));
		at += strlen(line);
	}
	body[at] = '\0';
	s = parse(body, cause, sizeof cause);
	assert_null(s);
	if (strstr(cause, "v.scn:37:23: ") == NULL)
		fail_msg("%s", cause);
	assert_non_null(strstr(cause, "expected at most 32768 bytes of captions for 'poll' in one scenario, got 34816"));
}

static void test_captions_header_captions(void **state)
{
	struct trace *t = fishing(true), *u;
	static struct view v;
	char *en;

	(void)state;
	assert_int_equal(narrate_cast_caption(t, 0, "nonblocking", "A keeps asking.", "A 一直在问。"), 0);
	assert_int_equal(narrate_cast_caption(t, 0, "nonblocking", "again", "again"), -EINVAL);
	assert_int_equal(narrate_cast_caption(t, -1, "nonblocking", "x", "x"), -EINVAL);
	assert_int_equal(narrate_cast_caption(t, TRACE_MAX_STEPS, "nonblocking", "x", "x"), -EINVAL);
	assert_non_null(view_cast_caption(t, 0));
	assert_null(view_cast_caption(t, 1));
	assert_null(view_cast_caption(t, -1));
	/* The scenario's own words for the model: shown as written. */
	view_fold(&v, t, 1);
	assert_int_equal(v.about, 0);
	assert_string_equal(view_caption(&v, 0), "A keeps asking.");
	assert_string_equal(v.caption[1], "A 一直在问。");
	en = narrate_all(t, NARRATE_EN);
	assert_non_null(strstr(en, "── A keeps asking.\n"));
	assert_null(strstr(en, "written for"));
	free(en);
	/* And so after a round trip through a file. */
	u = reread(t);
	assert_int_equal(trace_hdr(u)->ncaptions, 1);
	assert_string_equal(trace_hdr(u)->captions[0].model, "nonblocking");
	view_fold(&v, u, 1);
	assert_string_equal(view_caption(&v, 1), "A 一直在问。");
	trace_free(u);
	trace_free(t);

	t = trace_new();
	for (int i = 0; i < TRACE_MAX_CAST_CAPTIONS; i++)
		assert_int_equal(narrate_cast_caption(t, i, "poll", "x", "y"), 0);
	assert_int_equal(narrate_cast_caption(t, TRACE_MAX_CAST_CAPTIONS, "poll", "x", "y"), -ENOSPC);
	trace_free(t);
}

static void test_captions_header_bad_captions(void **state)
{
	static const struct {
		const char *captions, *cause;
	} bad[] = {
		{ "7", "\"captions\" of the header is an integer (expected an array of captions)" },
		{ "[1]", "caption 0 of the header is an integer (expected an object with \"step\", \"model\" and \"text\")" },
		{ "[{\"model\":\"p\",\"text\":{\"en\":\"\",\"zh\":\"\"}}]", "step" },
		{ "[{\"step\":-1,\"model\":\"p\",\"text\":{\"en\":\"\",\"zh\":\"\"}}]", "step" },
		{ "[{\"step\":1048576,\"model\":\"p\",\"text\":{\"en\":\"\",\"zh\":\"\"}}]", "step" },
		{ "[{\"step\":1,\"text\":{\"en\":\"\",\"zh\":\"\"}}]", "model" },
		{ "[{\"step\":1,\"model\":\"p\"}]", "text" },
		{ "[{\"step\":1,\"model\":\"p\",\"text\":{\"en\":\"a\\u0007\",\"zh\":\"\"}}]", "control" },
		{ "[{\"step\":1,\"model\":\"p\",\"text\":{\"en\":\"\",\"zh\":\"\"}},"
		  "{\"step\":1,\"model\":\"p\",\"text\":{\"en\":\"\",\"zh\":\"\"}}]",
		  "caption 1 of the header is for step 1 again (expected each step once)" },
	};
	char line[1024], cause[512];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct trace *t = NULL;
		size_t skipped;

		snprintf(line, sizeof line, "{\"format\":\"ioscope-trace\",\"version\":1,\"scenario\":\"s\","
			 "\"kernel\":\"k\",\"started\":\"x\",\"actors\":[{\"name\":\"world\",\"model\":\"\"}],"
			 "\"captions\":%s}\n", bad[i].captions);
		cause[0] = '\0';
		if (trace_read_mem("b.jsonl", line, strlen(line), &t, &skipped, cause, sizeof cause) != -EINVAL ||
		    strstr(cause, bad[i].cause) == NULL)
			fail_msg("case %zu: got '%s', wanted '%s'", i, cause, bad[i].cause);
		assert_null(t);
	}
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
		cmocka_unit_test(test_captions_scn_variants),
		cmocka_unit_test(test_captions_scn_errors),
		cmocka_unit_test(test_captions_scn_budget),
		cmocka_unit_test(test_captions_header_captions),
		cmocka_unit_test(test_captions_header_bad_captions),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("captions", tests, NULL, NULL);
}
