/* sysnames.c: the syscalls the tracer stops at, by the kernel's names. */
#include <stddef.h>
#include <sys/syscall.h>

#include "attach/sys.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define SYS(n) { SYS_##n, #n }

/* The reads, writes and waits a learner's server makes; what makes an fd
 * non-blocking or signal-driven; io_uring; futex (threads that sleep on a
 * queue); what makes threads and processes; and what changes the fd
 * table (the cache of which fd is a socket). */
static const struct { long nr; const char *name; } watched[] = {
	SYS(read), SYS(readv), SYS(pread64), SYS(preadv), SYS(preadv2),
	SYS(recvfrom), SYS(recvmsg), SYS(recvmmsg),
	SYS(write), SYS(writev), SYS(pwrite64), SYS(sendto), SYS(sendmsg), SYS(sendmmsg),
	SYS(select), SYS(pselect6), SYS(poll), SYS(ppoll),
	SYS(epoll_wait), SYS(epoll_pwait), SYS(epoll_pwait2), SYS(epoll_ctl),
	SYS(epoll_create), SYS(epoll_create1),
	SYS(accept), SYS(accept4), SYS(socket), SYS(connect), SYS(fcntl), SYS(ioctl),
	SYS(io_uring_setup), SYS(io_uring_enter),
	SYS(futex), SYS(rt_sigtimedwait),
	SYS(clone), SYS(clone3), SYS(fork), SYS(vfork),
	SYS(close), SYS(close_range), SYS(dup), SYS(dup2), SYS(dup3),
};

const char *attach_sys_name(long nr)
{
	for (size_t i = 0; i < NELEM(watched); i++)
		if (watched[i].nr == nr)
			return watched[i].name;
	return NULL;
}

bool attach_sys_watched(long nr)
{
	return attach_sys_name(nr) != NULL;
}

int attach_sys_list(long *out, int max)
{
	int n = 0;

	for (size_t i = 0; i < NELEM(watched) && n < max; i++)
		out[n++] = watched[i].nr;
	return n;
}
