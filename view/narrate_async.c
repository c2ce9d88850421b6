/* narrate_async.c: words for signal-driven and asynchronous IO: the signal
 * that says "you can read now", the request handed over, the completion
 * that says "it is done, the data is in your buffer". */
#include <signal.h>
#include <string.h>

#include "view/narrate_int.h"

/* "SIGIO", "SIGRTMIN+2": glibc's sigabbrev_np says "POLL" for SIGIO, and
 * real-time signals have no abbreviation. */
static const char *sig_name(int signo, char *buf, size_t len)
{
	const char *s;

	if (signo == SIGIO)
		return "SIGIO";
	if (signo >= SIGRTMIN && signo <= SIGRTMAX) {
		snprintf(buf, len, signo == SIGRTMIN ? "SIGRTMIN" : "SIGRTMIN+%d", signo - SIGRTMIN);
		return buf;
	}
	s = signo > 0 ? sigabbrev_np(signo) : NULL;
	snprintf(buf, len, "SIG%s", s != NULL ? s : "?");
	return buf;
}

/* Are hidden helper threads doing the waits of ev's actor (glibc's)? */
static bool has_helpers(const struct narrator *n, const struct trace_ev *ev)
{
	const struct trace_hdr *h = trace_hdr_c(n->t);

	return ev->actor < h->nactors && (h->actors[ev->actor].caps & TRACE_CAP_HELPERS);
}

int narrate__async(struct narrator *n, const struct trace_ev *ev, char *s, size_t len)
{
	char sb[32];

	switch (ev->kind) {
	case TRACE_SIGNAL:
		snprintf(s, len, NL(n, "%s arrives for fd %d: \"you can read now\" (the handler only notes it)",
				       "%s 到达，关于 fd %d：“现在可以读了”（信号处理函数只记下它）"),
			 sig_name(ev->n, sb, sizeof sb), ev->fd);
		return 1;
	case TRACE_SUBMIT:
		if (has_helpers(n, ev))
			snprintf(s, len, NL(n, "hands glibc a read of fd %d (request %d; %d in flight) and goes on with other things",
					       "把读 fd %d 的请求交给 glibc（请求 %d；共 %d 个进行中），然后去做别的事"),
				 ev->fd, ev->arg, ev->n);
		else
			snprintf(s, len, NL(n, "hands the kernel a read of fd %d (request %d; %d in flight) and goes on with other things",
					       "把读 fd %d 的请求交给内核（请求 %d；共 %d 个进行中），然后去做别的事"),
				 ev->fd, ev->arg, ev->n);
		return 1;
	case TRACE_EXIT:
		if (ev->call == TRACE_CALL_IO_URING_ENTER && ev->ret >= 0) {
			snprintf(s, len, NL(n, "← io_uring_enter(fd %d) = %lld: %lld request(s) handed over; it returns at once",
					       "← io_uring_enter(fd %d) = %lld：交出 %lld 个请求；立即返回"),
				 ev->fd, (long long)ev->ret, (long long)ev->ret);
			return 1;
		}
		if (ev->call == TRACE_CALL_AIO_READ && ev->ret == 0) {
			snprintf(s, len, NL(n, "← aio_read(fd %d) = 0: queued; it returns at once",
					       "← aio_read(fd %d) = 0：已排队；立即返回"), ev->fd);
			return 1;
		}
		return 0;
	case TRACE_COMPLETE:
		if (ev->ret == 0)
			snprintf(s, len, NL(n, "completion for fd %d (request %d): end of file, the far end closed",
					       "fd %d 的完成记录（请求 %d）：文件结尾，对端已关闭"), ev->fd, ev->arg);
		else if (ev->ret > 0)
			snprintf(s, len, NL(n, "completion for fd %d (request %d): %lld bytes already in its buffer; it waited in neither phase",
					       "fd %d 的完成记录（请求 %d）：%lld 字节已在缓冲区里；两个阶段它都没有等"),
				 ev->fd, ev->arg, (long long)ev->ret);
		else
			snprintf(s, len, NL(n, "completion for fd %d (request %d): failed, %s",
					       "fd %d 的完成记录（请求 %d）：失败，%s"),
				 ev->fd, ev->arg, narrate__errno(ev->ret));
		return 1;
	case TRACE_NOTE:
		snprintf(s, len, "%s", *ev->text[n->lang] ? ev->text[n->lang] : ev->text[0]);
		return 1;
	}
	return 0;
}
