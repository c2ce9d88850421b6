/* narrate.c: one line of words per event, in English or Chinese. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "trace/file.h"
#include "view/narrate_int.h"

/* Phrases by language.  Placeholders are printf's, in the same order in
 * both languages. */
enum phrase {
	P_HEADER, P_ACTOR, P_COLS, P_CLIENT, P_CLIENT_LABEL, P_ENTER, P_EXIT_OK, P_EXIT_EOF, P_EXIT_AGAIN, P_EXIT_FULL,
	P_EXIT_DRAINED, P_EXIT_ERR, P_EXIT_INTR, P_WAIT_BEGIN_B, P_WAIT_BEGIN_NB, P_COPY_BEGIN, P_COPY_BEGIN_WOKEN,
	P_COPY_BEGIN_NB, P_PHASE_END_FREE, P_PHASE_END_B, P_PHASE_END_NB, P_COPY_END_WOKEN, P_COPY_END_THERE,
	P_COPY_END_AWAY, P_ARRIVE, P_ARRIVE_FAIL, P_CLOSE, P_STATE, P_STATE_HELPER, P_IDLE, P_WORK,
	P_IDLE_END, P_LOST, P_DONE, P_DONE_STOPPED, P_DONE_UNREAD, P_DONE_ERR, P_SUMMARY, P_SUM_ACTOR,
	P_SUM_AGAIN, P_SUM_MUX, P_SUM_MUX_COST, P_SUM_MUX_EPOLL, P_SUM_MUX_LOOP, P_SUM_BLOCKED, P_SUM_TOTAL, P_PHASE_NAME1,
	P_SUM_SPLIT, P_SUM_WOKEN, P_SUM_THERE, P_WAIT_BEGIN_PARK, P_PHASE_END_PARK, P_COPY_BEGIN_RESUME,
	P_SUM_PARKED, P_COPY_END_RESUME, P_ATTACH, P_ATTACH_STARTED, P_ATTACH_COST, P_ATTACH_NOCOST,
	P_ATTACH_HEADER, P_WAIT_BEGIN_WHOLE, P_PHASE_END_WHOLE, P_PHASE_END_WHOLE_FIRST, P_EXIT_WHOLE,
	P_TRACER_PART, P_TRACER_MOST, P_SUM_WHOLE, P_SUM_MUX_UNSEEN,
	P_WAIT_BEGIN_ATT, P_COPY_BEGIN_ATT, P_PHASE_END_SHORT, P_COPY_END_ATT, P_PHASE_END_WHOLE_SHORT,
	P_TRACER_ALL,
	P_MAX
};

static const char *const phrases[2][P_MAX] = {
	[NARRATE_EN] = {
		[P_HEADER] = "ioscope · %s · speed %g× · kernel %s · times are real seconds since the start\n",
		[P_ACTOR] = "  %-6s %-12s %s\n",
		[P_COLS] = "\n    time  who     what happened\n",
		[P_CLIENT] = "client",
		[P_CLIENT_LABEL] = "a client the world plays, over loopback TCP",
		[P_ENTER] = "→ %s(fd %d)",
		[P_EXIT_OK] = "← %s(fd %d) = %lld bytes, after %s",
		[P_EXIT_EOF] = "← %s(fd %d) = 0 after %s: end of file, the far end is closed",
		[P_EXIT_AGAIN] = "← %s(fd %d) = -1 EAGAIN after %s: nothing yet (try %u)",
		[P_EXIT_DRAINED] = "← %s(fd %d) = -1 EAGAIN after %s: the socket's buffer is empty, nothing (more) to read",
		[P_EXIT_FULL] = "← %s(fd %d) = -1 EAGAIN after %s: the send buffer is full, nothing written",
		[P_EXIT_ERR] = "← %s(fd %d) = -1 %s after %s",
		[P_EXIT_INTR] = "← %s(fd %d) = -1 EINTR after %s: interrupted, ioscope is stopping this thread",
		[P_WAIT_BEGIN_B] = "  phase 1 begins: waiting for data on fd %d · BLOCKED (asleep in the kernel)",
		[P_WAIT_BEGIN_NB] = "  phase 1 begins: waiting for data on fd %d · not blocked (free to do other things)",
		[P_COPY_BEGIN] = "  phase 2 begins: the kernel copies the data of fd %d into the process · BLOCKED",
		[P_COPY_BEGIN_WOKEN] = "  phase 2 begins: data on fd %d; the kernel wakes the reader to copy it · BLOCKED",
		[P_COPY_BEGIN_NB] = "  phase 2 begins: the kernel copies the data of fd %d into the process · not blocked (the caller is elsewhere)",
		[P_PHASE_END_FREE] = "  %s ends after %s · the caller was not blocked",
		[P_PHASE_END_B] = "  %s ends after %s · the caller was blocked",
		[P_PHASE_END_NB] = "  %s ends after %s · the caller was not blocked (%u tries)",
		[P_COPY_END_WOKEN] = "  phase 2 ends after %s: wake-up, scheduling, copy · the caller was blocked",
		[P_COPY_END_THERE] = "  phase 2 ends after %s: just the copy (data was there) · the caller was blocked",
		[P_COPY_END_AWAY] = "  phase 2 ends after %s: arrival until the program looked · the caller was not blocked",
		[P_ARRIVE] = "data arrives: %lld bytes now readable on %s's fd %d",
		[P_ARRIVE_FAIL] = "could not write to %s's fd %d: %s",
		[P_CLOSE] = "the far end of %s's fd %d closes: %s will read end of file",
		[P_STATE] = "  kernel says: thread %d is %c (%s) in %s(%s)%s%s",
		[P_STATE_HELPER] = "  kernel says: helper thread %d (glibc's, not the caller) is %c (%s) in %s(%s)%s%s",
		[P_IDLE] = "does something else for a while (round %u)",
		[P_WORK] = "works on a request (not in a system call)",
		[P_IDLE_END] = "back after %s",
		[P_LOST] = "!! %u events lost: a trace ring was full",
		[P_DONE] = "finished",
		[P_DONE_STOPPED] = "stopped by ioscope while still waiting",
		[P_DONE_UNREAD] = "stopped by ioscope while still waiting, with %u bytes unread in its sockets",
		[P_DONE_ERR] = "stopped: %s",
		[P_SUMMARY] = "\nmeasured in this trace:\n",
		[P_SUM_ACTOR] = "  %-6s %-12s reads with data %llu, bytes %llu, calls %llu; phase 1 %s, phase 2 %s",
		[P_SUM_AGAIN] = "; %llu × EAGAIN",
		[P_SUM_MUX] = "; %llu waits: handed in %llu fds, program scanned %llu",
		[P_SUM_MUX_COST] = "; %llu waits: handed in %llu B of sets, kernel polled %llu fds in all, program scanned %llu",
		[P_SUM_MUX_EPOLL] = "; %llu waits: %llu epoll_ctl calls, %llu events back, program touched %llu",
		[P_SUM_MUX_LOOP] = "; %llu waits: %llu events back, the loop called back %llu (its epoll_ctl calls are inside the library, not traced)",
		[P_SUM_BLOCKED] = "; blocked %s\n",
		[P_SUM_TOTAL] = "  %zu events, %llu lost\n",
		[P_PHASE_NAME1] = "phase 1 (wait)",
		[P_SUM_SPLIT] = " (%s of it after a wake-up, %s with the data already there)",
		[P_SUM_WOKEN] = " (a wake-up, scheduling and the copy)",
		[P_SUM_THERE] = " (the copy: the data was already there)",
		[P_WAIT_BEGIN_PARK] = "  phase 1 begins: waiting for data on fd %d · PARKED in user space (the coroutine yields; its thread goes back to the loop)",
		[P_PHASE_END_PARK] = "  %s ends after %s · the coroutine was parked; its thread was free for the others",
		[P_COPY_BEGIN_RESUME] = "  phase 2 begins: data on fd %d; the loop resumes the coroutine, which copies it",
		[P_SUM_PARKED] = "; parked %s (in user space: its thread was not blocked)\n",
		[P_COPY_END_RESUME] = "  phase 2 ends after %s: resumed by the loop, then the copy · its thread was busy copying",
		[P_ATTACH] = "tracing %s (pid %d)",
		[P_ATTACH_STARTED] = "tracing %s (started by ioscope)",
		[P_ATTACH_COST] = "; each call ioscope stops costs it about %s more (measured at start); durations below include that\n",
		[P_ATTACH_NOCOST] = "; what each call ioscope stops costs it was not measured; durations below include it\n",
		[P_ATTACH_HEADER] = "ioscope · attach · kernel %s · times are real seconds since the start\n",
		[P_WAIT_BEGIN_WHOLE] = "  phase 1 begins: waiting for data on fd %d inside the read; the copy will be in this span too",
		[P_PHASE_END_WHOLE_FIRST] = "  wait and copy end after %s: ptrace sees one span, not where the wait ended",
		[P_PHASE_END_WHOLE] = "  wait and copy end together after %s · the caller was blocked",
		[P_EXIT_WHOLE] = "← %s(fd %d) = %lld bytes, after %s: waited and copied in this one call",
		[P_TRACER_PART] = " (~%s of it the tracer)",
		[P_TRACER_MOST] = " (most of it the tracer's ~%s)",
		[P_TRACER_ALL] = " (no longer than the tracer's own ~%s: the program's part cannot be told)",
		[P_SUM_WHOLE] = "; %llu of its reads waited and copied in one span (from outside: their copies are in phase 1)",
		[P_SUM_MUX_UNSEEN] = "; %llu waits: handed in %llu fds (its scan of what came back is in user space, not seen)",
		[P_WAIT_BEGIN_ATT] = "  phase 1 begins: waiting for data on fd %d, in a call that may sleep",
		[P_COPY_BEGIN_ATT] = "  phase 2 begins: the read of fd %d that copies the data",
		[P_PHASE_END_SHORT] = "  %s ends after %s · too short to tell whether it slept (the tracer alone costs ~%s)",
		[P_COPY_END_ATT] = "  phase 2 ends after %s: the read that copied it, the tracer's stops included",
		[P_PHASE_END_WHOLE_SHORT] = "  wait and copy end together after %s · too short to tell whether it slept (the tracer alone costs ~%s)",
	},
	[NARRATE_ZH] = {
		[P_HEADER] = "ioscope · %s · 速度 %g× · 内核 %s · 时间为自开始起的真实秒数\n",
		[P_ACTOR] = "  %-6s %-12s %s\n",
		[P_COLS] = "\n    时间  谁      发生了什么\n",
		[P_CLIENT] = "客户端",
		[P_CLIENT_LABEL] = "由场景脚本扮演的客户端，经回环 TCP 连接",
		[P_ENTER] = "→ %s(fd %d)",
		[P_EXIT_OK] = "← %s(fd %d) = %lld 字节，用时 %s",
		[P_EXIT_EOF] = "← %s(fd %d) = 0，用时 %s：读到文件结尾，对端已关闭",
		[P_EXIT_AGAIN] = "← %s(fd %d) = -1 EAGAIN，用时 %s：还没有数据（第 %u 次）",
		[P_EXIT_DRAINED] = "← %s(fd %d) = -1 EAGAIN，用时 %s：套接字的缓冲区已空，暂时没有可读的数据",
		[P_EXIT_FULL] = "← %s(fd %d) = -1 EAGAIN，用时 %s：发送缓冲区已满，什么也没写出",
		[P_EXIT_ERR] = "← %s(fd %d) = -1 %s，用时 %s",
		[P_EXIT_INTR] = "← %s(fd %d) = -1 EINTR，用时 %s：被打断，ioscope 正在停止这个线程",
		[P_WAIT_BEGIN_B] = "  第一阶段开始：等待 fd %d 的数据 · 阻塞（在内核里睡眠）",
		[P_WAIT_BEGIN_NB] = "  第一阶段开始：等待 fd %d 的数据 · 不阻塞（可以做别的事）",
		[P_COPY_BEGIN] = "  第二阶段开始：内核把 fd %d 的数据复制进进程 · 阻塞",
		[P_COPY_BEGIN_WOKEN] = "  第二阶段开始：fd %d 有了数据，内核唤醒读者来复制 · 阻塞",
		[P_COPY_BEGIN_NB] = "  第二阶段开始：内核把 fd %d 的数据复制进进程 · 不阻塞（调用者在做别的事）",
		[P_PHASE_END_FREE] = "  %s结束，历时 %s · 调用者没有被阻塞",
		[P_PHASE_END_B] = "  %s结束，历时 %s · 调用者一直被阻塞",
		[P_PHASE_END_NB] = "  %s结束，历时 %s · 调用者没有被阻塞（询问 %u 次）",
		[P_COPY_END_WOKEN] = "  第二阶段结束，历时 %s：唤醒、调度，再加上复制 · 调用者一直被阻塞",
		[P_COPY_END_THERE] = "  第二阶段结束，历时 %s：只是复制（数据早已在那里） · 调用者一直被阻塞",
		[P_COPY_END_AWAY] = "  第二阶段结束，历时 %s：从数据到达到程序去看 · 调用者没有被阻塞",
		[P_ARRIVE] = "数据到达：%lld 字节，%s 的 fd %d 现在可读",
		[P_ARRIVE_FAIL] = "无法写入 %s 的 fd %d：%s",
		[P_CLOSE] = "%s 的 fd %d 的对端关闭：%s 将读到文件结尾",
		[P_STATE] = "  内核说：线程 %d 状态 %c（%s），在 %s(%s) 中%s%s",
		[P_STATE_HELPER] = "  内核说：辅助线程 %d（glibc 的，不是调用者）状态 %c（%s），在 %s(%s) 中%s%s",
		[P_IDLE] = "去做别的事（第 %u 轮）",
		[P_WORK] = "处理一个请求（不在系统调用里）",
		[P_IDLE_END] = "%s 后回来",
		[P_LOST] = "!! 丢失 %u 个事件：跟踪环形缓冲区已满",
		[P_DONE] = "结束",
		[P_DONE_STOPPED] = "被 ioscope 停止：当时仍在等待",
		[P_DONE_UNREAD] = "被 ioscope 停止：当时仍在等待，套接字里还有 %u 字节没有读",
		[P_DONE_ERR] = "停止：%s",
		[P_SUMMARY] = "\n本次跟踪的测量结果：\n",
		[P_SUM_ACTOR] = "  %-6s %-12s 读到 %llu 次，共 %llu 字节，%llu 次调用；第一阶段 %s，第二阶段 %s",
		[P_SUM_AGAIN] = "；%llu 次 EAGAIN",
		[P_SUM_MUX] = "；等待 %llu 次：交给内核 %llu 个 fd，程序扫描 %llu 个",
		[P_SUM_MUX_COST] = "；等待 %llu 次：交给内核 %llu 字节的集合，内核共轮询 %llu 个 fd，程序扫描 %llu 个",
		[P_SUM_MUX_EPOLL] = "；等待 %llu 次：调用 epoll_ctl %llu 次，返回 %llu 个事件，程序处理 %llu 个",
		[P_SUM_MUX_LOOP] = "；等待 %llu 次：返回 %llu 个事件，事件循环回调 %llu 次（它的 epoll_ctl 调用在库内部，未被跟踪）",
		[P_SUM_BLOCKED] = "；阻塞 %s\n",
		[P_SUM_TOTAL] = "  共 %zu 个事件，丢失 %llu 个\n",
		[P_PHASE_NAME1] = "第一阶段（等待）",
		[P_SUM_SPLIT] = "（其中唤醒之后 %s，数据早已在时 %s）",
		[P_SUM_WOKEN] = "（唤醒、调度，再加上复制）",
		[P_SUM_THERE] = "（只是复制：数据早已在缓冲区里）",
		[P_WAIT_BEGIN_PARK] = "  第一阶段开始：等待 fd %d 的数据 · 停在用户态（协程让出，它的线程回到事件循环）",
		[P_PHASE_END_PARK] = "  %s结束，历时 %s · 协程一直停在用户态，它的线程去服务别的连接了",
		[P_COPY_BEGIN_RESUME] = "  第二阶段开始：fd %d 有了数据，事件循环恢复这个协程，由它来复制",
		[P_SUM_PARKED] = "；停在用户态 %s（它的线程没有被阻塞）\n",
		[P_COPY_END_RESUME] = "  第二阶段结束，历时 %s：事件循环恢复它，再加上复制 · 它的线程忙着复制",
		[P_ATTACH] = "正在跟踪 %s（pid %d）",
		[P_ATTACH_STARTED] = "正在跟踪 %s（由 ioscope 启动）",
		[P_ATTACH_COST] = "；ioscope 每拦下一次调用，就让它多花约 %s（开始时测得）；下面的时长都包含这部分\n",
		[P_ATTACH_NOCOST] = "；没有测出 ioscope 每拦下一次调用让它多花多少；下面的时长包含这部分\n",
		[P_ATTACH_HEADER] = "ioscope · attach · 内核 %s · 时间为自开始起的真实秒数\n",
		[P_WAIT_BEGIN_WHOLE] = "  第一阶段开始：在这次读里等待 fd %d 的数据；复制也会在这一段里",
		[P_PHASE_END_WHOLE_FIRST] = "  等待和复制一起结束，历时 %s：ptrace 只看到一段，看不到等待在哪里结束",
		[P_PHASE_END_WHOLE] = "  等待和复制一起结束，历时 %s · 调用者一直被阻塞",
		[P_EXIT_WHOLE] = "← %s(fd %d) = %lld 字节，用时 %s：等待和复制都在这一次调用里",
		[P_TRACER_PART] = "（其中约 %s 是跟踪器的）",
		[P_TRACER_MOST] = "（大部分是跟踪器的约 %s）",
		[P_TRACER_ALL] = "（不比跟踪器自己的约 %s 长：分不出程序自己用了多少）",
		[P_SUM_WHOLE] = "；%llu 次读取的等待和复制是同一段（从外面看：复制算在第一阶段里）",
		[P_SUM_MUX_UNSEEN] = "；等待 %llu 次：交给内核 %llu 个 fd（它扫描返回结果是在用户态，看不到）",
		[P_WAIT_BEGIN_ATT] = "  第一阶段开始：等待 fd %d 的数据，所在的调用可能睡眠",
		[P_COPY_BEGIN_ATT] = "  第二阶段开始：读 fd %d，把数据复制进来",
		[P_PHASE_END_SHORT] = "  %s结束，历时 %s · 太短，看不出它是否睡眠过（仅跟踪器就要约 %s）",
		[P_COPY_END_ATT] = "  第二阶段结束，历时 %s：就是复制数据的那次读，含跟踪器的停顿",
		[P_PHASE_END_WHOLE_SHORT] = "  等待和复制一起结束，历时 %s · 太短，看不出它是否睡眠过（仅跟踪器就要约 %s）",
	},
};

static const char *state_words(char s, int lang)
{
	static const char *const en[] = { "running", "asleep, waiting", "in uninterruptible sleep", "stopped", "other" };
	static const char *const zh[] = { "运行中", "睡眠，等待中", "不可中断睡眠", "已停止", "其他" };
	const char *const *w = lang == NARRATE_ZH ? zh : en;

	switch (s) {
	case 'R': return w[0];
	case 'S': return w[1];
	case 'D': return w[2];
	case 'T': case 't': return w[3];
	default:  return w[4];
	}
}

#define P(n, id) phrases[(n)->lang][id]

const char *narrate_dur(int64_t ns, char *buf, size_t len)
{
	if (ns < 0)
		ns = 0;
	if (ns < 1000)
		snprintf(buf, len, "%lld ns", (long long)ns);
	else if (ns < 10000)
		snprintf(buf, len, "%.1f µs", ns / 1e3);
	else if (ns < 1000000)
		snprintf(buf, len, "%lld µs", (long long)(ns / 1000));
	else if (ns < 10000000)
		snprintf(buf, len, "%.2f ms", ns / 1e6);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.1f ms", ns / 1e6);
	else
		snprintf(buf, len, "%.3f s", ns / 1e9);
	return buf;
}

int narrate_lang_from(const char *s)
{
	if (strcmp(s, "en") == 0)
		return NARRATE_EN;
	if (strcmp(s, "zh") == 0)
		return NARRATE_ZH;
	return -1;
}

int narrate_lang_from_env(void)
{
	const char *vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };

	for (int i = 0; i < 3; i++) {
		const char *v = getenv(vars[i]);

		if (v != NULL && *v != '\0')
			return strncmp(v, "zh", 2) == 0 ? NARRATE_ZH : NARRATE_EN;
	}
	return NARRATE_EN;
}

const char *narrate__call(const struct trace_ev *ev)
{
	const char *call = trace_call_name(ev->call);

	if ((ev->kind == TRACE_ENTER || ev->kind == TRACE_EXIT) && ev->syscall != NULL)
		return ev->syscall;
	return call != NULL ? call : "?";
}

const char *narrate__model(const struct narrator *n, int actor)
{
	const struct trace_hdr *h = trace_hdr_c(n->t);

	return actor >= 0 && actor < h->nactors ? h->actors[actor].model : "";
}

/* -ret's errno name; ret outside -4095 .. -1 (MAX_ERRNO) is not an errno
 * and must not be negated (INT64_MIN has no negative). */
const char *narrate__errno(int64_t ret)
{
	return trace_errno_name(ret < 0 && ret >= TRACE_MIN_RET ? (int)-ret : 0);
}

/* A traced program's (FORMAT.md, "Traced programs"): what was traced,
 * and that every duration holds the tracer's cost, first. */
static void attach_header(struct narrator *n, const struct trace_hdr *h)
{
	char d[32];

	if (h->attach_pid > 0)
		fprintf(n->out, P(n, P_ATTACH), h->command, h->attach_pid);
	else
		fprintf(n->out, P(n, P_ATTACH_STARTED), h->command);
	if (h->overhead_ns > 0)
		fprintf(n->out, P(n, P_ATTACH_COST), narrate_dur(h->overhead_ns, d, sizeof d));
	else
		fputs(P(n, P_ATTACH_NOCOST), n->out);
	fprintf(n->out, P(n, P_ATTACH_HEADER), h->kernel);
}

void narrate_begin(struct narrator *n, FILE *out, const struct trace *t, int lang)
{
	const struct trace_hdr *h = trace_hdr_c(t);

	n->out = out;
	n->t = t;
	n->lang = lang == NARRATE_ZH ? NARRATE_ZH : NARRATE_EN;
	n->more = (struct view_more){ NULL, 0 };
	n->last_more = NULL;
	/* Without memory the narration follows the first actors only. */
	if (h->nactors > TRACE_MAX_ACTORS && view_more_fit(&n->more, t) == 0 &&
	    (n->last_more = calloc((size_t)n->more.cap, 1)) == NULL)
		view_more_free(&n->more);
	view_reset_more(&n->v, t, &n->more);
	n->now = &n->v;
	memset(n->last_kind, 0, sizeof n->last_kind);
	memset(n->woken_ns, 0, sizeof n->woken_ns);
	memset(n->there_ns, 0, sizeof n->there_ns);
	if (h->command != NULL)
		attach_header(n, h);
	else
		fprintf(out, P(n, P_HEADER), h->scenario, h->speed, h->kernel);
	for (int i = 1; i < h->nstart; i++) {
		const char *label = h->actors[i].label[n->lang];

		if (*label == '\0')
			label = h->actors[i].label[0];
		if (*h->actors[i].model == '\0')      /* a client the world plays */
			fprintf(out, P(n, P_ACTOR), h->actors[i].name, P(n, P_CLIENT), P(n, P_CLIENT_LABEL));
		else
			fprintf(out, P(n, P_ACTOR), h->actors[i].name, h->actors[i].model, label);
	}
	fputs(P(n, P_COLS), out);
}

/* An EAGAIN of a polling reader is one of its tries; anyone else's
 * (a read after data that drains the socket, a sigio reader's read after
 * its signal) finds the socket empty: nothing more, no try to count. */
static bool polls(const struct narrator *n, const struct trace_ev *ev)
{
	const struct view_actor *a = view_actor_c(n->now, ev->actor);

	return ev->count > 0 || (a != NULL && (a->caps & TRACE_CAP_TRIES));
}

static void exit_line(struct narrator *n, const struct trace_ev *ev, char *s, size_t len)
{
	const char *call = narrate__call(ev);
	const struct view_actor *a = view_actor_c(n->now, ev->actor);
	char d[32];

	narrate_dur(ev->dur_ns, d, sizeof d);
	/* a traced program's blocking read: its wait held the copy */
	if (ev->ret > 0 && a != NULL && a->call_whole && trace_call_is_read(ev->call))
		snprintf(s, len, P(n, P_EXIT_WHOLE), call, ev->fd, (long long)ev->ret, d);
	else if (ev->ret > 0)
		snprintf(s, len, P(n, P_EXIT_OK), call, ev->fd, (long long)ev->ret, d);
	else if (ev->ret == 0)
		snprintf(s, len, P(n, P_EXIT_EOF), call, ev->fd, d);
	else if (ev->err == EAGAIN && ev->call == TRACE_CALL_WRITE)
		snprintf(s, len, P(n, P_EXIT_FULL), call, ev->fd, d);
	else if (ev->err == EAGAIN && polls(n, ev))
		snprintf(s, len, P(n, P_EXIT_AGAIN), call, ev->fd, d, ev->count);
	else if (ev->err == EAGAIN)
		snprintf(s, len, P(n, P_EXIT_DRAINED), call, ev->fd, d);
	else if (ev->err == EINTR && trace_attached(n->t))
		snprintf(s, len, P(n, P_EXIT_ERR), call, ev->fd, "EINTR", d);   /* the program's own */
	else if (ev->err == EINTR)
		snprintf(s, len, P(n, P_EXIT_INTR), call, ev->fd, d);
	else
		snprintf(s, len, P(n, P_EXIT_ERR), call, ev->fd, trace_errno_name(ev->err), d);
}

/* What a read's phase 2 holds, from the view before its edge (since: when
 * it began).  Blocked and begun after its call (the data arrived while the
 * reader slept in it, trace/FORMAT.md): the wake-up, the scheduling and
 * the copy, from the writer's write to the call's return.  Blocked and
 * begun with its call: the data was already there, it is the copy (and
 * the probe's cost).  Not blocked: the kernel or a helper read for the
 * program, from the arrival until the program saw the completion. */
enum copy_kind { COPY_THERE, COPY_WOKEN, COPY_AWAY };

static enum copy_kind copy_kind(const struct view_actor *a, const struct trace_ev *ev,
				int64_t since)
{
	if (!(ev->flags & TRACE_F_BLOCKED))
		return COPY_AWAY;
	return a != NULL && a->call != 0 && since > a->call_since ? COPY_WOKEN : COPY_THERE;
}

static void phase_begin(struct narrator *n, const struct view_actor *a, const struct trace_ev *ev,
			char *s, size_t len)
{
	int id;

	bool co = a != NULL && (a->caps & TRACE_CAP_COROUTINE);

	if (ev->phase == TRACE_PH_COPY && !(ev->flags & TRACE_F_BLOCKED))
		id = P_COPY_BEGIN_NB;
	else if (ev->phase == TRACE_PH_COPY && copy_kind(a, ev, ev->t_ns) == COPY_WOKEN)
		id = co ? P_COPY_BEGIN_RESUME : P_COPY_BEGIN_WOKEN;
	else if (ev->phase == TRACE_PH_COPY)
		id = P_COPY_BEGIN;
	else if (co)
		id = P_WAIT_BEGIN_PARK;    /* a coroutine's wait never blocks its thread */
	else if (ev->flags & TRACE_F_WHOLE)
		id = P_WAIT_BEGIN_WHOLE;   /* a traced program's blocking read */
	else
		id = ev->flags & TRACE_F_BLOCKED ? P_WAIT_BEGIN_B : P_WAIT_BEGIN_NB;
	/* Seen from outside (attach): a call that may sleep, not one seen
	 * asleep; the copy is the read's span. */
	if (trace_attached(n->t) && id == P_WAIT_BEGIN_B)
		id = P_WAIT_BEGIN_ATT;
	else if (trace_attached(n->t) && (id == P_COPY_BEGIN || id == P_COPY_BEGIN_WOKEN))
		id = P_COPY_BEGIN_ATT;
	snprintf(s, len, P(n, id), ev->fd);
}

static void phase_line(struct narrator *n, const struct trace_ev *ev, char *s, size_t len)
{
	static const int copy_end[] = {
		[COPY_THERE] = P_COPY_END_THERE, [COPY_WOKEN] = P_COPY_END_WOKEN,
		[COPY_AWAY] = P_COPY_END_AWAY,
	};
	const struct view_actor *a = view_actor_c(n->now, ev->actor);
	char d[32];

	if (!(ev->flags & TRACE_F_END)) {
		phase_begin(n, a, ev, s, len);
		return;
	}
	int64_t since = a != NULL ? view_phase_since(a, ev->fd, ev->phase) : -1;

	int64_t dur = since >= 0 ? view_ns_between(since, ev->t_ns) : 0;
	const struct trace_hdr *h = trace_hdr_c(n->t);
	/* attach: a span within twice the tracer's own cost may not have
	 * slept at all: say so rather than "blocked" */
	bool att = h->command != NULL, shrt = att && h->overhead_ns > 0 && dur <= 2 * h->overhead_ns;
	char o[32];

	narrate_dur(dur, d, sizeof d);
	narrate_dur(h->overhead_ns, o, sizeof o);
	if (att && ev->phase == TRACE_PH_COPY)
		snprintf(s, len, P(n, P_COPY_END_ATT), d);
	else if (shrt && (ev->flags & TRACE_F_WHOLE))
		snprintf(s, len, P(n, P_PHASE_END_WHOLE_SHORT), d, o);
	else if (shrt && (ev->flags & TRACE_F_BLOCKED))
		snprintf(s, len, P(n, P_PHASE_END_SHORT), P(n, P_PHASE_NAME1), d, o);
	else if (ev->phase == TRACE_PH_COPY && a != NULL && (a->caps & TRACE_CAP_COROUTINE) &&
	    copy_kind(a, ev, since) == COPY_WOKEN)
		snprintf(s, len, P(n, P_COPY_END_RESUME), d);
	else if (ev->phase == TRACE_PH_COPY)
		snprintf(s, len, P(n, copy_end[copy_kind(a, ev, since)]), d);
	else if (a != NULL && (a->caps & TRACE_CAP_COROUTINE))
		snprintf(s, len, P(n, P_PHASE_END_PARK), P(n, P_PHASE_NAME1), d);
	else if (ev->flags & TRACE_F_WHOLE)     /* said in full once per actor */
		snprintf(s, len, P(n, a != NULL && a->whole_reads == 0 ? P_PHASE_END_WHOLE_FIRST :
				   P_PHASE_END_WHOLE), d);
	else if (ev->flags & TRACE_F_BLOCKED)
		snprintf(s, len, P(n, P_PHASE_END_B), P(n, P_PHASE_NAME1), d);
	else if (a != NULL && a->tries > 0)
		snprintf(s, len, P(n, P_PHASE_END_NB), P(n, P_PHASE_NAME1), d, a->tries);
	else
		snprintf(s, len, P(n, P_PHASE_END_FREE), P(n, P_PHASE_NAME1), d);
}

/* The sampler's first argument, named as that syscall takes it. */
static const char *first_arg(const struct trace_ev *ev, char *buf, size_t len)
{
	const char *sc = ev->syscall ? ev->syscall : "";

	if (strstr(sc, "select") != NULL)
		snprintf(buf, len, "nfds %d", ev->fd);
	else if (strncmp(sc, "epoll", 5) == 0)
		snprintf(buf, len, "epfd %d", ev->fd);
	else if (strcmp(sc, "recvfrom") == 0 || strcmp(sc, "recvmsg") == 0 ||
		 strcmp(sc, "read") == 0 ||
		 strcmp(sc, "write") == 0 || strncmp(sc, "accept", 6) == 0)
		snprintf(buf, len, "fd %d", ev->fd);
	else
		buf[0] = '\0';
	return buf;
}

static void state_line(struct narrator *n, const struct trace_ev *ev, char *s, size_t len)
{
	int has_wchan = ev->wchan != NULL && *ev->wchan != '\0';
	char arg[32];

	snprintf(s, len, P(n, ev->what == 1 ? P_STATE_HELPER : P_STATE), ev->tid, ev->state, state_words(ev->state, n->lang),
		 ev->syscall ? ev->syscall : "?", first_arg(ev, arg, sizeof arg),
		 has_wchan ? NL(n, ", wchan ", "，wchan ") : "", has_wchan ? ev->wchan : "");
}

/* A caption about an actor the run put on another model than the script
 * wrote describes a model that did not run: the trace's own account of
 * those actors replaces it, as on the screen (view_caption_of). */
static void caption_line(struct narrator *n, const struct trace_ev *ev, char *s, size_t len)
{
	char words[VIEW_CAST_WORDS];

	snprintf(s, len, "── %s", view_caption_of(n->now, ev, n->lang, words, sizeof words));
}

/* A server's actor, or one a server made (a connection's thread, a
 * worker, a coroutine): its idle time is work on a request. */
static bool answers(const struct narrator *n, const struct trace_ev *ev)
{
	const struct trace_hdr *h = trace_hdr_c(n->t);
	const struct trace_actor *a = &h->actors[ev->actor];

	return a->parent >= 0 ||
	       (a->caps & (TRACE_CAP_SERVES | TRACE_CAP_SPAWNS | TRACE_CAP_QUEUE)) != 0;
}

/* The words for one event; returns 0 when the event prints no line.  An
 * event outside trace/FORMAT.md's bounds (only a hand-made trace has one)
 * prints nothing: every phrase below relies on them (an actor index, a
 * ret that negates to an errno). */
static int line_for(struct narrator *n, const struct trace_ev *ev, char *s, size_t len)
{
	const char *who = narrate_actor(n->t, ev->actor);
	char d[32];

	if (!view_ev_ok(n->t, ev))
		return 0;
	if (narrate__server(n, ev, s, len) || narrate__mux(n, ev, s, len) ||
	    narrate__async(n, ev, s, len) ||
	    narrate__life(n, ev, s, len))
		return 1;
	switch (ev->kind) {
	case TRACE_CAPTION:
		caption_line(n, ev, s, len);
		return 1;
	case TRACE_ENTER:
		snprintf(s, len, P(n, P_ENTER), narrate__call(ev), ev->fd);
		return 1;
	case TRACE_EXIT:
		exit_line(n, ev, s, len);
		return 1;
	case TRACE_PHASE:
		phase_line(n, ev, s, len);
		return 1;
	case TRACE_ARRIVE:
		if (ev->ret >= 0)
			snprintf(s, len, P(n, P_ARRIVE), (long long)ev->ret, who, ev->fd);
		else
			snprintf(s, len, P(n, P_ARRIVE_FAIL), who, ev->fd,
				 narrate__errno(ev->ret));
		return 1;
	case TRACE_CLOSE:
		snprintf(s, len, P(n, P_CLOSE), who, ev->fd, who);
		return 1;
	case TRACE_STATE:
		state_line(n, ev, s, len);
		return 1;
	case TRACE_IDLE:
		if (ev->flags & TRACE_F_END)
			snprintf(s, len, P(n, P_IDLE_END), narrate_dur(ev->dur_ns, d, sizeof d));
		else if (answers(n, ev))      /* a server's work on a request */
			snprintf(s, len, "%s", P(n, P_WORK));
		else                          /* a reader between its tries */
			snprintf(s, len, P(n, P_IDLE), ev->count);
		return 1;
	case TRACE_LOST:
		snprintf(s, len, P(n, P_LOST), ev->count);
		return 1;
	case TRACE_DONE:
		if (ev->ret == 0)
			snprintf(s, len, "%s", P(n, P_DONE));
		else if (ev->ret == -ECANCELED && ev->count > 0)
			snprintf(s, len, P(n, P_DONE_UNREAD), ev->count);
		else if (ev->ret == -ECANCELED)
			snprintf(s, len, "%s", P(n, P_DONE_STOPPED));
		else
			snprintf(s, len, P(n, P_DONE_ERR), narrate__errno(ev->ret));
		return 1;
	}
	return 0;
}

/* A traced program's call: its duration holds the tracer's cost, said
 * where it matters, after a duration under 20 times that cost. */
static void tracer_part(struct narrator *n, const struct trace_ev *ev, char *s, size_t len)
{
	const struct trace_hdr *h = trace_hdr_c(n->t);
	size_t at = strlen(s);
	char d[32];

	if (ev->kind != TRACE_EXIT || h->command == NULL || h->overhead_ns <= 0 ||
	    ev->dur_ns <= 0 || ev->dur_ns / 20 >= h->overhead_ns || at >= len ||
	    strstr(s, narrate_dur(ev->dur_ns, d, sizeof d)) == NULL)   /* said with it */
		return;
	/* never more of it the tracer's than the call took */
	snprintf(s + at, len - at, P(n, ev->dur_ns <= h->overhead_ns ? P_TRACER_ALL :
				    ev->dur_ns <= 2 * h->overhead_ns ? P_TRACER_MOST : P_TRACER_PART),
		 narrate_dur(h->overhead_ns, d, sizeof d));
}

static int line_of(struct narrator *n, const struct trace_ev *ev, char *s, size_t len)
{
	if (!line_for(n, ev, s, len))
		return 0;
	tracer_part(n, ev, s, len);
	return 1;
}

int narrate_line_in(struct narrator *scratch, const struct trace *t, int lang,
		    const struct view *before, const struct trace_ev *ev, char *s, size_t len)
{
	scratch->t = t;
	scratch->lang = lang == NARRATE_ZH ? NARRATE_ZH : NARRATE_EN;
	scratch->now = before;
	s[0] = '\0';
	return line_of(scratch, ev, s, len);
}

int narrate_line(const struct trace *t, int lang, const struct view *before,
		 const struct trace_ev *ev, char *s, size_t len)
{
	/* Large (its own view, unused here): not on the stack. */
	struct narrator *n = malloc(sizeof *n);
	int rc;

	if (n == NULL) {
		if (len > 0)
			s[0] = '\0';
		return 0;
	}
	rc = narrate_line_in(n, t, lang, before, ev, s, len);
	free(n);
	return rc;
}

const char *narrate_actor(const struct trace *t, int actor)
{
	const struct trace_hdr *h = trace_hdr_c(t);

	return actor >= 0 && actor < h->nactors ? h->actors[actor].name : "?";
}

/* Where the actor's previous event is kept, or NULL past the room. */
static uint8_t *last_kind(struct narrator *n, int actor)
{
	if (actor < TRACE_MAX_ACTORS)
		return &n->last_kind[actor];
	actor -= TRACE_MAX_ACTORS;
	return n->last_more != NULL && actor < n->more.cap ? &n->last_more[actor] : NULL;
}

/* A blocked phase 2 ending: its time into the actor's total of its kind. */
static void split_copy(struct narrator *n, const struct trace_ev *ev)
{
	const struct view_actor *a;
	int64_t since, *sum;

	if (ev->kind != TRACE_PHASE || ev->phase != TRACE_PH_COPY || !(ev->flags & TRACE_F_END) ||
	    !(ev->flags & TRACE_F_BLOCKED) || ev->actor >= TRACE_MAX_ACTORS ||
	    !view_ev_ok(n->t, ev) || (a = view_actor_c(&n->v, ev->actor)) == NULL ||
	    (since = view_phase_since(a, ev->fd, TRACE_PH_COPY)) < 0)
		return;
	sum = copy_kind(a, ev, since) == COPY_WOKEN ? &n->woken_ns[ev->actor] : &n->there_ns[ev->actor];
	*sum = view_ns_add(*sum, view_ns_between(since, ev->t_ns));
}

void narrate_ev(struct narrator *n, const struct trace_ev *ev)
{
	char s[1024];
	uint8_t *last = last_kind(n, ev->actor);
	bool again = ev->kind == TRACE_IDLE && last != NULL && *last == TRACE_IDLE;

	if (last != NULL && ev->kind != TRACE_STATE)
		*last = ev->kind;
	if (!again && line_of(n, ev, s, sizeof s)) {
		file_cause_cut(s, sizeof s);      /* a long caption: whole characters */
		fprintf(n->out, "%8.3f  %-6s  %s\n", ev->t_ns / 1e9,
			narrate_actor(n->t, ev->actor), s);
	}
	split_copy(n, ev);
	view_apply(&n->v, ev);
}

/* A multiplexer's totals, in the words its capabilities call for: what
 * select and poll cost per call where the trace measured it (bytes of sets
 * copied in, fds the kernel polled), else what the program handed in;
 * epoll's epoll_ctl calls and the events it returned; a library's loop
 * (libuv) makes its epoll_ctl calls where no probe sees them. */
static void sum_mux(struct narrator *n, const struct view_actor *a)
{
	unsigned long long waits = a->waits, scanned = a->scanned;

	if (trace_attached(n->t) && !(a->caps & TRACE_CAP_INTEREST))
		fprintf(n->out, P(n, P_SUM_MUX_UNSEEN), waits, (unsigned long long)a->handed_in);
	else if ((a->caps & TRACE_CAP_INTEREST) && (a->caps & TRACE_CAP_LOOP))
		fprintf(n->out, P(n, P_SUM_MUX_LOOP), waits, (unsigned long long)a->checked, scanned);
	else if (a->caps & TRACE_CAP_INTEREST)
		fprintf(n->out, P(n, P_SUM_MUX_EPOLL), waits,
			(unsigned long long)a->handed_in, (unsigned long long)a->checked, scanned);
	else if (a->costed > 0)
		fprintf(n->out, P(n, P_SUM_MUX_COST), waits,
			(unsigned long long)a->copied_in, (unsigned long long)a->polled, scanned);
	else
		fprintf(n->out, P(n, P_SUM_MUX), waits, (unsigned long long)a->handed_in, scanned);
}

/* What an actor's blocked phase 2 held, in all. */
static void sum_copy(struct narrator *n, int64_t woken, int64_t there)
{
	char w[32], t[32];

	if (woken > 0 && there > 0)
		fprintf(n->out, P(n, P_SUM_SPLIT), narrate_dur(woken, w, sizeof w),
			narrate_dur(there, t, sizeof t));
	else if (woken > 0)
		fputs(P(n, P_SUM_WOKEN), n->out);
	else if (there > 0)
		fputs(P(n, P_SUM_THERE), n->out);
}

void narrate_end(struct narrator *n)
{
	const struct trace_hdr *h = trace_hdr_c(n->t);
	char w[32], c[32], b[32];

	fputs(P(n, P_SUMMARY), n->out);
	for (int i = 1; i < h->nactors; i++) {
		const struct view_actor *a = view_actor_c(&n->v, i);

		if (a == NULL || a->model == NULL || *a->model == '\0')  /* a client the world played */
			continue;
		fprintf(n->out, P(n, P_SUM_ACTOR), h->actors[i].name, a->model,
			(unsigned long long)a->reads, (unsigned long long)a->bytes,
			(unsigned long long)a->calls,
			narrate_dur(view_wait_at(a, n->v.t_ns), w, sizeof w),
			narrate_dur(view_copy_at(a, n->v.t_ns), c, sizeof c));
		if (i < TRACE_MAX_ACTORS)
			sum_copy(n, n->woken_ns[i], n->there_ns[i]);
		if (a->whole_reads > 0)
			fprintf(n->out, P(n, P_SUM_WHOLE), (unsigned long long)a->whole_reads);
		if (a->eagain > 0)
			fprintf(n->out, P(n, P_SUM_AGAIN), (unsigned long long)a->eagain);
		if (a->waits > 0)
			sum_mux(n, a);
		fprintf(n->out, P(n, a->caps & TRACE_CAP_COROUTINE ? P_SUM_PARKED : P_SUM_BLOCKED),
			narrate_dur(view_blocked_at(a, n->v.t_ns), b, sizeof b));
	}
	fprintf(n->out, P(n, P_SUM_TOTAL), n->v.n, (unsigned long long)n->v.lost);
	narrate_free(n);
}

void narrate_free(struct narrator *n)
{
	view_more_free(&n->more);
	free(n->last_more);
	n->last_more = NULL;
	n->v.more = NULL;
}
