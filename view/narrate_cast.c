/* narrate_cast.c: words for actors the run put on another model than the
 * script wrote (--model, m).  The scenario's captions and labels about
 * them describe a model that did not run; these replace them with what
 * the trace shows. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "trace/file.h"
#include "view/narrate_int.h"

/* What a model does, in a few words, for a label: the first entry whose
 * capabilities (enum trace_cap) the actor has all of.  None for an actor
 * with none: the trace shows nothing to describe. */
static const struct {
	unsigned caps;
	const char *words[2];
} models[] = {
	{ TRACE_CAP_INTEREST | TRACE_CAP_EDGE,
	  { "epoll, edge-triggered: one report per arrival",
	    "epoll 边缘触发：每次数据到达只通知一次" } },
	{ TRACE_CAP_INTEREST | TRACE_CAP_LOOP,
	  { "libuv's event loop: callbacks over epoll",
	    "libuv 事件循环：基于 epoll 的回调" } },
	{ TRACE_CAP_INTEREST,
	  { "registers each fd once; epoll_wait returns only the ready ones",
	    "每个 fd 只登记一次；epoll_wait 只返回就绪的 fd" } },
	{ TRACE_CAP_SET | TRACE_CAP_BITMAP,
	  { "one select() waits on all its fds; the whole set is copied and scanned",
	    "一次 select() 等待所有 fd；整个集合都要复制、扫描" } },
	{ TRACE_CAP_SET,
	  { "one poll() waits on an array of fds, with no 1024 limit",
	    "一次 poll() 等待一个 fd 数组，没有 1024 的上限" } },
	{ TRACE_CAP_COMPLETION | TRACE_CAP_HELPERS,
	  { "aio_read(): a glibc helper thread waits in read() for it",
	    "aio_read()：glibc 的辅助线程替它在 read() 里等待" } },
	{ TRACE_CAP_COMPLETION,
	  { "io_uring: the kernel waits and copies while the thread stays free",
	    "io_uring：内核负责等待和复制，线程一直空闲" } },
	{ TRACE_CAP_SIGNAL,
	  { "a signal says data has come; then recv() copies it",
	    "信号告诉它数据到了，再由 recv() 复制" } },
	{ TRACE_CAP_TRIES,
	  { "recv() answers EAGAIN at once when there is nothing; it asks again later",
	    "没有数据时 recv() 立刻回答 EAGAIN，过一会儿再问" } },
	{ TRACE_CAP_PHASES,
	  { "recv() sleeps in the kernel until data has come and been copied",
	    "recv() 在内核里睡眠，直到数据到达并复制完" } },
};

static const char *model_words(unsigned caps, int lang)
{
	for (size_t i = 0; i < sizeof models / sizeof models[0]; i++)
		if ((caps & models[i].caps) == models[i].caps)
			return models[i].words[lang];
	return "";
}

int narrate_recast(struct trace *t, int actor, const char *script)
{
	struct trace_hdr *h = trace_hdr(t);
	struct trace_actor *a;
	char label[2][512];
	const char *sc, *en, *zh;

	if (actor <= 0 || actor >= h->nactors)
		return -EINVAL;
	a = &h->actors[actor];
	if (strcmp(a->model, script) == 0)
		return 0;
	for (int l = 0; l < 2; l++) {
		const char *w = model_words(a->caps, l);

		snprintf(label[l], sizeof label[l],
			 l == NARRATE_ZH ? "脚本写的是 %s%s%s" : "the script wrote %s%s%s",
			 script, *w ? (l == NARRATE_ZH ? "；这里：" : "; here: ") : "", w);
		file_cause_cut(label[l], sizeof label[l]);
	}
	sc = trace_intern(t, script);
	en = trace_intern(t, label[0]);
	zh = trace_intern(t, label[1]);
	if (sc == NULL || en == NULL || zh == NULL)
		return -ENOMEM;         /* the actor stays as it was */
	a->label[0] = en;
	a->label[1] = zh;
	a->script = sc;
	return 0;
}

int narrate_cast_caption(struct trace *t, int step, const char *model,
			 const char *en, const char *zh)
{
	struct trace_hdr *h = trace_hdr(t);
	struct trace_caption *c;

	if (step < 0 || step >= TRACE_MAX_STEPS || view_cast_caption(t, step) != NULL)
		return -EINVAL;
	if (h->ncaptions >= TRACE_MAX_CAST_CAPTIONS)
		return -ENOSPC;
	c = &h->captions[h->ncaptions];
	c->step = step;
	c->model = trace_intern(t, model);
	c->text[0] = trace_intern(t, en);
	c->text[1] = trace_intern(t, zh);
	if (c->model == NULL || c->text[0] == NULL || c->text[1] == NULL)
		return -ENOMEM;
	h->ncaptions++;
	return 0;
}

/* ---- a caption's replacement ---- */

struct out {
	char *s;
	size_t len, at;
};

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->at >= o->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->s + o->at, o->len - o->at, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->at = o->at + (size_t)n < o->len ? o->at + (size_t)n : o->len;
}

#define W(lang, en, zh) LANG_PICK(lang, en, zh)

/* What the view shows the actor doing now, in words that follow one name
 * or several ("A: ..." / "A 和 C ..."). */
static void doing(char *s, size_t len, const struct view_actor *a, int lang)
{
	struct out o = { s, len, 0 };
	const char *call = trace_call_name(a->call);
	unsigned long long again = (unsigned long long)a->eagain;

	s[0] = '\0';
	if (a->refused)
		put(&o, "%s", W(lang, "fds refused, their numbers past what the model can watch",
				"fd 被拒绝：编号超出了这个模型能监视的范围"));
	else if (a->done)
		put(&o, "%s", a->status == 0 ? W(lang, "finished", "已经结束") : W(lang, "stopped", "被停止了"));
	else if (a->phase == TRACE_PH_COPY)
		put(&o, "%s", a->phase_blocked ?
		    W(lang, "blocked while the kernel copies the data (phase 2)",
		      "被阻塞，内核正在复制数据（第二阶段）") :
		    W(lang, "free while the kernel copies the data (phase 2)",
		      "没有被阻塞，内核在替它复制数据（第二阶段）"));
	else if (a->phase == TRACE_PH_WAIT && a->phase_blocked && call != NULL && a->call != 0)
		put(&o, W(lang, "asleep in %s(), waiting for data", "在 %s() 里睡眠，等待数据"), call);
	else if (a->phase == TRACE_PH_WAIT && a->phase_blocked)
		put(&o, "%s", W(lang, "blocked, waiting for data", "被阻塞，等待数据"));
	else if (a->idle && again > 0)
		put(&o, W(lang, "doing something else between tries (%llu × EAGAIN so far)",
			  "在两次询问之间做别的事（已经 %llu 次 EAGAIN）"), again);
	else if (a->phase == TRACE_PH_WAIT && again > 0)
		put(&o, W(lang, "waiting for data without being blocked (%llu × EAGAIN so far)",
			  "等待数据但没有被阻塞（已经 %llu 次 EAGAIN）"), again);
	else if (a->phase == TRACE_PH_WAIT)
		put(&o, "%s", W(lang, "waiting for data without being blocked", "等待数据但没有被阻塞"));
	else if (a->call != 0 && call != NULL)
		put(&o, W(lang, "in %s()", "正在 %s() 中"), call);
	else if (a->reads > 0)
		put(&o, W(lang, "%llu bytes read in %llu reads so far", "已经读了 %llu 字节，共 %llu 次"),
		    (unsigned long long)a->bytes, (unsigned long long)a->reads);
	else
		put(&o, "%s", W(lang, "nothing read yet", "还没有读到数据"));
}

/* The actors in mask, joined: "A, C and D" / "A、C 和 D"; with script,
 * "A on blocking, …" / "blocking 的 A、…"; with model, "A (poll)". */
enum { NAME, NAME_SCRIPT, NAME_MODEL };

static void names(struct out *o, const struct trace_hdr *h, uint64_t mask, int how, int lang)
{
	int n = 0, k = 0;

	for (int i = 1; i < h->nactors && i < TRACE_MAX_ACTORS; i++)
		n += (int)(mask >> i & 1);
	for (int i = 1; i < h->nactors && i < TRACE_MAX_ACTORS; i++) {
		const struct trace_actor *a = &h->actors[i];

		if (!(mask >> i & 1))
			continue;
		if (k > 0)
			put(o, "%s", k == n - 1 ? W(lang, " and ", " 和 ") : W(lang, ", ", "、"));
		if (how == NAME_SCRIPT)
			put(o, W(lang, "%s on %s", "%2$s 的 %1$s"), a->name, a->script ? a->script : "");
		else if (how == NAME_MODEL)
			put(o, W(lang, "%s (%s)", "%s（%s）"), a->name, a->model);
		else
			put(o, "%s", a->name);
		k++;
	}
}

/* The model the actors in mask run, if they all run the same one. */
static const char *one_model(const struct trace_hdr *h, uint64_t mask)
{
	const char *m = NULL;

	for (int i = 1; i < h->nactors && i < TRACE_MAX_ACTORS; i++) {
		if (!(mask >> i & 1))
			continue;
		if (m != NULL && strcmp(m, h->actors[i].model) != 0)
			return NULL;
		m = h->actors[i].model;
	}
	return m;
}

void view_cast_words(const struct view *v, uint64_t named, int lang, char *s, size_t len)
{
	char did[TRACE_MAX_ACTORS][160];
	const struct trace_hdr *h;
	struct out o = { s, len, 0 };
	uint64_t left, mask;
	const char *m;
	int k = 0;

	if (len == 0)
		return;
	s[0] = '\0';
	if (v->t == NULL)
		return;
	h = trace_hdr_c(v->t);
	lang = lang == NARRATE_ZH ? NARRATE_ZH : NARRATE_EN;
	named &= h->nactors < TRACE_MAX_ACTORS ? (UINT64_C(1) << h->nactors) - 1 : ~UINT64_C(0);
	named &= v->nactors < TRACE_MAX_ACTORS ? (UINT64_C(1) << v->nactors) - 1 : ~UINT64_C(0);
	named &= ~UINT64_C(1);                 /* never the world */
	mask = named & v->recast;
	if (mask == 0)
		return;
	put(&o, "%s", W(lang, "[This caption was written for ", "［这段说明是为 "));
	names(&o, h, mask, NAME_SCRIPT, lang);
	m = one_model(h, mask);
	if (m != NULL && (mask & (mask - 1)) == 0)
		put(&o, W(lang, "; here it runs %s.] Now ", " 写的；这次运行用的是 %s。］现在："), m);
	else if (m != NULL)
		put(&o, W(lang, "; here they run %s.] Now ", " 写的；这次运行用的是 %s。］现在："), m);
	else
		put(&o, "%s", W(lang, "; here they run other models.] Now ", " 写的；这次运行用的是别的模型。］现在："));
	for (int i = 1; i < TRACE_MAX_ACTORS; i++)
		if (named >> i & 1)
			doing(did[i], sizeof did[i], &v->actors[i], lang);
	/* Every actor the caption named, recast or not; those doing the same
	 * thing share one phrase. */
	m = one_model(h, named);
	for (left = named; left != 0;) {
		int i = __builtin_ctzll(left);
		uint64_t same = 0;

		for (int j = i; j < TRACE_MAX_ACTORS; j++)
			if ((left >> j & 1) && strcmp(did[j], did[i]) == 0)
				same |= UINT64_C(1) << j;
		left &= ~same;
		if (k++ > 0)
			put(&o, "%s", W(lang, "; ", "；"));
		names(&o, h, same, m != NULL ? NAME : NAME_MODEL, lang);
		put(&o, W(lang, ": %s", " %s"), did[i]);
	}
	put(&o, "%s", W(lang, ".", "。"));
	file_cause_cut(s, len);
}
