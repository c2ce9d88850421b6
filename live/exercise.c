/* exercise.c: the exercises (one table) and the checks that read what the
 * clients saw.  The checks that read the trace are in exercise_trace.c. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "live/exercise.h"
#include "trace/lang.h"

#define B(x) (1u << (x))

static const struct ex_def exercises[] = {
	{ "echo-blocking",
	  { "echo lines back, one client at a time, with blocking calls",
	    "逐行回显，一次服务一个客户端，用阻塞调用" },
	  EX_SCRIPT_ECHO_SEQ, B(EX_REPLIES) | B(EX_MODEL_BLOCKING), "echo_blocking" },
	{ "echo-select",
	  { "echo to many clients at once with select: an idle one must not hold up the others",
	    "用 select 同时回显多个客户端：空闲的客户端不能拖住别人" },
	  EX_SCRIPT_ECHO_CONC, B(EX_REPLIES) | B(EX_MODEL_SELECT) | B(EX_CONCURRENT), "echo_select" },
	{ "echo-epoll",
	  { "echo to many clients at once with epoll (or another readiness model)",
	    "用 epoll（或其他就绪通知模型）同时回显多个客户端" },
	  EX_SCRIPT_ECHO_CONC, B(EX_REPLIES) | B(EX_MODEL_READY) | B(EX_CONCURRENT), "echo_epoll" },
	{ "chat",
	  { "a chat server (lesson 12): a line goes to every other client; one leaves",
	    "聊天室（第 12 课）：一行发给其他所有客户端；有人离开" },
	  EX_SCRIPT_CHAT, B(EX_BROADCAST) | B(EX_NOT_SENDER) | B(EX_LEAVE) | B(EX_MODEL_READY), "chat" },
	{ "echo-nonblocking-writes",
	  { "echo megabytes to a client that reads slowly, without a write that blocks",
	    "向读得慢的客户端回显几 MB 数据，且没有一次写被阻塞" },
	  EX_SCRIPT_SLOW_READER, B(EX_NO_LOSS) | B(EX_WRITES) | B(EX_CONCURRENT),
	  "echo_nonblocking_writes" },
};

#define NEX ((int)(sizeof exercises / sizeof exercises[0]))

const struct ex_def *ex_at(int i)
{
	return i >= 0 && i < NEX ? &exercises[i] : NULL;
}

const struct ex_def *ex_find(const char *name)
{
	for (int i = 0; i < NEX; i++)
		if (strcmp(exercises[i].name, name) == 0)
			return &exercises[i];
	return NULL;
}

static double secs(int64_t ns)
{
	return (double)ns / 1e9;
}

/* The evidence of a reply that was not right. */
static void say_miss(const struct ex_miss *m, int lang, char *out, size_t len)
{
	if (m->client == 0)
		out[0] = '\0';
	else if (m->got[0] == '\0' && m->closed)
		snprintf(out, len, LANG_PICK(lang, "client %d sent \"%s\" and your server closed the connection",
					     "客户端 %d 发了 \"%s\"，你的服务器却关闭了连接"),
			 m->client, m->sent);
	else if (m->got[0] == '\0')
		snprintf(out, len, LANG_PICK(lang, "client %d sent \"%s\" and got nothing in %.1f s",
					     "客户端 %d 发了 \"%s\"，%.1f 秒内什么也没收到"),
			 m->client, m->sent, secs(m->waited_ns));
	else
		snprintf(out, len, LANG_PICK(lang, "client %d sent \"%s\" and got \"%s\"",
					     "客户端 %d 发了 \"%s\"，收到的却是 \"%s\""),
			 m->client, m->sent, m->got);
}

static void check_replies(const struct ex_result *r, int lang, struct ex_verdict *v)
{
	v->pass = r->replies > 0 && r->replies_ok == r->replies;
	if (v->pass)
		snprintf(v->line, sizeof v->line, LANG_PICK(lang, "every reply correct (%d of %d)",
							    "每个回复都正确（%d/%d）"),
			 r->replies_ok, r->replies);
	else
		snprintf(v->line, sizeof v->line,
			 LANG_PICK(lang, "%d of %d replies wrong or missing",
				   "%d/%d 个回复错误或缺失"),
			 r->replies - r->replies_ok, r->replies);
	say_miss(&r->miss, lang, v->evidence[0], sizeof v->evidence[0]);
}

static void check_broadcast(const struct ex_result *r, int lang, struct ex_verdict *v)
{
	v->pass = r->bcast > 0 && r->bcast_ok == r->bcast;
	if (v->pass)
		snprintf(v->line, sizeof v->line,
			 LANG_PICK(lang, "every line reached every other client (%d of %d)",
				   "每一行都送到了其他每个客户端（%d/%d）"),
			 r->bcast_ok, r->bcast);
	else
		snprintf(v->line, sizeof v->line,
			 LANG_PICK(lang, "%d of %d deliveries missing: a line must reach every other connected client",
				   "缺了 %d/%d 次投递：一行要送到其他每个已连接的客户端"),
			 r->bcast - r->bcast_ok, r->bcast);
	if (r->bcast_miss.client != 0)
		snprintf(v->evidence[0], sizeof v->evidence[0],
			 LANG_PICK(lang, "client %d did not get \"%s\" within %.1f s",
				   "客户端 %d 没收到 \"%s\"（等了 %.1f 秒）"),
			 r->bcast_miss.client, r->bcast_miss.sent, secs(r->bcast_miss.waited_ns));
}

static void check_not_sender(const struct ex_result *r, int lang, struct ex_verdict *v)
{
	v->pass = r->bcast > 0 && r->echoed == 0;
	if (r->bcast == 0)
		snprintf(v->line, sizeof v->line, "%s",
			 LANG_PICK(lang, "no line was sent", "没有发出任何一行"));
	else if (v->pass)
		snprintf(v->line, sizeof v->line, "%s",
			 LANG_PICK(lang, "no line came back to its sender", "没有一行回到发送者"));
	else
		snprintf(v->line, sizeof v->line,
			 LANG_PICK(lang, "lines that came back to their sender: %d; send to the others only",
				   "回到发送者的行：%d；只发给其他人"),
			 r->echoed);
	if (r->echo_miss.client != 0)
		snprintf(v->evidence[0], sizeof v->evidence[0],
			 LANG_PICK(lang, "client %d sent \"%s\" and got it back: \"%s\"",
				   "客户端 %d 发了 \"%s\"，又收到了它：\"%s\""),
			 r->echo_miss.client, r->echo_miss.sent, r->echo_miss.got);
}

static void check_leave(const struct ex_result *r, int lang, struct ex_verdict *v)
{
	v->pass = r->after_leave > 0 && r->after_leave_ok == r->after_leave;
	if (v->pass)
		snprintf(v->line, sizeof v->line,
			 LANG_PICK(lang, "after client %d left, the others were still served (%d of %d)",
				   "客户端 %d 离开后，其他人照常收发（%d/%d）"),
			 r->leaver, r->after_leave_ok, r->after_leave);
	else
		snprintf(v->line, sizeof v->line,
			 LANG_PICK(lang, "after client %d left, %d of %d deliveries were missing: forget a client when its read returns 0",
				   "客户端 %d 离开后，缺了 %d/%d 次投递：读到 0 时要忘掉这个客户端"),
			 r->leaver, r->after_leave - r->after_leave_ok, r->after_leave);
}

static void check_no_loss(const struct ex_result *r, int lang, struct ex_verdict *v)
{
	v->pass = r->slow_total > 0 && r->slow_back == r->slow_total &&
		  r->slow_bad_at == SIZE_MAX;
	if (v->pass)
		snprintf(v->line, sizeof v->line,
			 LANG_PICK(lang, "no data lost: client %d got all %zu KB back",
				   "没有丢数据：客户端 %d 收回了全部 %zu KB"),
			 r->slow_client, r->slow_total >> 10);
	else if (r->slow_bad_at != SIZE_MAX)
		snprintf(v->line, sizeof v->line,
			 LANG_PICK(lang, "client %d got wrong bytes back from offset %zu",
				   "客户端 %d 从偏移 %zu 起收回的字节不对"),
			 r->slow_client, r->slow_bad_at);
	else
		snprintf(v->line, sizeof v->line,
			 LANG_PICK(lang, "client %d got %zu of %zu KB back (it sent %zu KB): keep what a write could not send, and send it later",
				   "客户端 %d 只收回 %zu/%zu KB（它发了 %zu KB）：写不下的要留着，稍后再发"),
			 r->slow_client, r->slow_back >> 10, r->slow_total >> 10, r->slow_sent >> 10);
}

/* The play could not run: every expectation fails with the one reason. */
static void say_play_failed(const struct ex_result *r, int lang, struct ex_verdict *v)
{
	v->pass = false;
	switch (r->fail) {
	case EX_ERR_EXITED:
		snprintf(v->line, sizeof v->line, "%s",
			 LANG_PICK(lang, "your server exited before it listened",
				   "你的服务器在监听之前就退出了"));
		break;
	case EX_ERR_NO_LISTEN:
		snprintf(v->line, sizeof v->line,
			 LANG_PICK(lang, "your server did not accept connections on its port within %.0f s",
				   "你的服务器在 %.0f 秒内没有在它的端口上接受连接"),
			 10.0);
		break;
	case EX_ERR_STOPPED:
		snprintf(v->line, sizeof v->line, "%s", LANG_PICK(lang, "stopped", "已停止"));
		break;
	default:
		snprintf(v->line, sizeof v->line,
			 LANG_PICK(lang, "a client could not run: %s", "客户端无法运行：%s"),
			 strerror(-r->err));
	}
}

int ex_check(const struct ex_def *def, const struct ex_result *res,
	     const struct trace *t, int64_t mono_to_trace, int lang,
	     struct ex_verdict *out, int n)
{
	int k = 0;

	for (int e = 0; e < EX_MAX && k < n; e++) {
		struct ex_verdict *v = &out[k];

		if (!(def->expects & B(e)))
			continue;
		memset(v, 0, sizeof *v);
		v->expect = e;
		k++;
		if (res->fail != EX_OK) {
			say_play_failed(res, lang, v);
			continue;
		}
		switch (e) {
		case EX_REPLIES: check_replies(res, lang, v); break;
		case EX_BROADCAST: check_broadcast(res, lang, v); break;
		case EX_NOT_SENDER: check_not_sender(res, lang, v); break;
		case EX_LEAVE: check_leave(res, lang, v); break;
		case EX_NO_LOSS: check_no_loss(res, lang, v); break;
		default: ex__check_trace(e, res, t, mono_to_trace, lang, v);
		}
	}
	return k;
}
