/* tracer_mem.c: the arrays a traced call hands the kernel, read from the
 * tracee's memory with process_vm_readv (sys.h says which, and when). */
/* sys.h first: its si_fd parameter would meet <signal.h>'s si_fd macro. */
#include "attach/tracer_int.h"
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "trace/trace.h"

#define FDSET_MAX 1024          /* fds looked at in a select set */
#define EPOLL_EV_SIZE 12        /* struct epoll_event is packed on x86-64 */
#define EPOLL_CTL_DEL_OP 2
#define FIONBIO_REQ 0x5421

/* Reads len bytes at addr of the tracee into buf: 0, or -1 when it cannot. */
static int peek(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };

	if (addr == 0 || len == 0)
		return -1;
	return process_vm_readv(tid, &local, 1, &remote, 1, 0) == (ssize_t)len ? 0 : -1;
}

static void put(struct attach_sys *s, int32_t fd, uint32_t ev, uint64_t data)
{
	if (s->nmem >= ATTACH_MEM_MAX) {
		s->mem_more++;
		return;
	}
	s->fds[s->nmem] = fd;
	s->ev[s->nmem] = ev;
	s->data[s->nmem] = data;
	s->nmem++;
}

/* select/pselect6: the fds set in any of the three sets below nfds, each
 * with the TRACE_FDSET_* bits of the sets it is in. */
static void mem_select(struct attach_sys *s)
{
	static const uint32_t bit[3] = { TRACE_FDSET_READ, TRACE_FDSET_WRITE, TRACE_FDSET_EXCEPT };
	uint64_t set[3][FDSET_MAX / 64];
	bool have[3] = { false, false, false };
	int64_t nfds = (int64_t)s->args[0];
	size_t words;

	if (s->exit && s->ret < 0)
		return;
	if (nfds < 0)
		return;
	if (nfds > FDSET_MAX)
		nfds = FDSET_MAX;
	words = ((size_t)nfds + 63) / 64;
	s->nmem = 0;
	for (int k = 0; k < 3; k++)
		have[k] = peek(s->tid, s->args[1 + k], set[k], words * 8) == 0;
	for (int fd = 0; fd < nfds; fd++) {
		uint32_t ev = 0;

		for (int k = 0; k < 3; k++)
			if (have[k] && (set[k][fd / 64] >> (fd % 64) & 1))
				ev |= bit[k];
		if (ev != 0)
			put(s, fd, ev, 0);
	}
}

/* poll/ppoll: entry, every pollfd (fd, events); exit, those with revents. */
static void mem_poll(struct attach_sys *s)
{
	struct pollfd p[ATTACH_MEM_MAX];
	uint64_t n = s->args[1], done = 0;

	if (s->exit && s->ret < 0)
		return;
	if (n > 1u << 20)
		return;
	s->nmem = 0;
	while (done < n) {
		size_t chunk = n - done > ATTACH_MEM_MAX ? ATTACH_MEM_MAX : (size_t)(n - done);

		if (peek(s->tid, s->args[0] + done * sizeof p[0], p, chunk * sizeof p[0]) != 0) {
			s->nmem = -1;
			return;
		}
		for (size_t i = 0; i < chunk; i++) {
			if (!s->exit)
				put(s, p[i].fd, (uint16_t)p[i].events, 0);
			else if (p[i].revents != 0)
				put(s, p[i].fd, (uint16_t)p[i].revents, 0);
		}
		done += chunk;
		if (!s->exit && s->nmem >= ATTACH_MEM_MAX) {
			s->mem_more += (int)(n - done);
			return;
		}
	}
}

static void epoll_event_at(const unsigned char *b, uint32_t *ev, uint64_t *data)
{
	memcpy(ev, b, 4);
	memcpy(data, b + 4, 8);
}

/* epoll_wait family, exit: the events returned (fd -1, see sys.h). */
static void mem_epoll_wait(struct attach_sys *s)
{
	unsigned char buf[ATTACH_MEM_MAX * EPOLL_EV_SIZE];
	int64_t n = s->ret;

	if (!s->exit || n < 0)
		return;
	s->nmem = 0;
	if (n > ATTACH_MEM_MAX) {
		s->mem_more = (int)(n - ATTACH_MEM_MAX);
		n = ATTACH_MEM_MAX;
	}
	if (n == 0)
		return;
	if (peek(s->tid, s->args[1], buf, (size_t)n * EPOLL_EV_SIZE) != 0) {
		s->nmem = -1;
		s->mem_more = 0;
		return;
	}
	for (int64_t i = 0; i < n; i++) {
		uint32_t ev;
		uint64_t data;

		epoll_event_at(buf + i * EPOLL_EV_SIZE, &ev, &data);
		put(s, -1, ev, data);
	}
}

/* epoll_ctl entry: the one event, for the fd in args[2]. */
static void mem_epoll_ctl(struct attach_sys *s)
{
	unsigned char buf[EPOLL_EV_SIZE];
	uint32_t ev;
	uint64_t data;

	if (s->exit)
		return;
	s->nmem = 0;
	if ((int)s->args[1] == EPOLL_CTL_DEL_OP || s->args[3] == 0)
		return;
	if (peek(s->tid, s->args[3], buf, sizeof buf) != 0) {
		s->nmem = -1;
		return;
	}
	epoll_event_at(buf, &ev, &data);
	put(s, (int32_t)s->args[2], ev, data);
}

/* ioctl(FIONBIO) entry: the int it points to. */
static void mem_fionbio(struct attach_sys *s)
{
	int32_t on;

	if (s->exit || (uint32_t)s->args[1] != FIONBIO_REQ)
		return;
	if (peek(s->tid, s->args[2], &on, sizeof on) != 0)
		return;
	s->nmem = 0;
	put(s, (int32_t)s->args[0], (uint32_t)on, 0);
}

void tracer__mem(struct attach_sys *s)
{
	s->nmem = -1;
	s->mem_more = 0;
	switch (s->nr) {
	case SYS_select: case SYS_pselect6:
		mem_select(s);
		break;
	case SYS_poll: case SYS_ppoll:
		mem_poll(s);
		break;
	case SYS_epoll_wait: case SYS_epoll_pwait: case SYS_epoll_pwait2:
		mem_epoll_wait(s);
		break;
	case SYS_epoll_ctl:
		mem_epoll_ctl(s);
		break;
	case SYS_ioctl:
		mem_fionbio(s);
		break;
	default:
		break;
	}
}
