/* sampler_proc.c: what the kernel says of a thread, read from
 * /proc/PID/task (this process's, or a child's): its state, the syscall it is in and where it sleeps, and
 * which threads are inside read(2) on given fds.  It knows nothing of the
 * trace's actors or of when to look: sampler.c decides that. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "models/sampler_proc.h"
#include "trace/trace.h"

/* Names from this build's own SYS_* constants: numbers differ by arch. */
static const struct { long nr; const char *name; } sysnames[] = {
#ifdef SYS_read
	{ SYS_read, "read" },
#endif
#ifdef SYS_recvfrom
	{ SYS_recvfrom, "recvfrom" },
#endif
#ifdef SYS_pread64
	{ SYS_pread64, "pread64" },
#endif
#ifdef SYS_recvmsg
	{ SYS_recvmsg, "recvmsg" },
#endif
#ifdef SYS_select
	{ SYS_select, "select" },
#endif
#ifdef SYS_pselect6
	{ SYS_pselect6, "pselect6" },
#endif
#ifdef SYS_poll
	{ SYS_poll, "poll" },
#endif
#ifdef SYS_ppoll
	{ SYS_ppoll, "ppoll" },
#endif
#ifdef SYS_epoll_wait
	{ SYS_epoll_wait, "epoll_wait" },
#endif
#ifdef SYS_epoll_pwait
	{ SYS_epoll_pwait, "epoll_pwait" },
#endif
#ifdef SYS_io_uring_enter
	{ SYS_io_uring_enter, "io_uring_enter" },
#endif
#ifdef SYS_futex
	{ SYS_futex, "futex" },
#endif
#ifdef SYS_nanosleep
	{ SYS_nanosleep, "nanosleep" },
#endif
#ifdef SYS_clock_nanosleep
	{ SYS_clock_nanosleep, "clock_nanosleep" },
#endif
#ifdef SYS_rt_sigtimedwait
	{ SYS_rt_sigtimedwait, "rt_sigtimedwait" },
#endif
#ifdef SYS_write
	{ SYS_write, "write" },
#endif
#ifdef SYS_sendto
	{ SYS_sendto, "sendto" },
#endif
#ifdef SYS_accept
	{ SYS_accept, "accept" },
#endif
#ifdef SYS_accept4
	{ SYS_accept4, "accept4" },
#endif
	/* Threads and processes being made, waited for, and their signal
	 * masks (pthread_create blocks every signal around clone). */
#ifdef SYS_clone
	{ SYS_clone, "clone" },
#endif
#ifdef SYS_clone3
	{ SYS_clone3, "clone3" },
#endif
#ifdef SYS_fork
	{ SYS_fork, "fork" },
#endif
#ifdef SYS_vfork
	{ SYS_vfork, "vfork" },
#endif
#ifdef SYS_wait4
	{ SYS_wait4, "wait4" },
#endif
#ifdef SYS_waitid
	{ SYS_waitid, "waitid" },
#endif
#ifdef SYS_rt_sigprocmask
	{ SYS_rt_sigprocmask, "rt_sigprocmask" },
#endif
#ifdef SYS_rt_sigsuspend
	{ SYS_rt_sigsuspend, "rt_sigsuspend" },
#endif
#ifdef SYS_futex_waitv
	{ SYS_futex_waitv, "futex_waitv" },
#endif
#ifdef SYS_sched_yield
	{ SYS_sched_yield, "sched_yield" },
#endif
#ifdef SYS_epoll_pwait2
	{ SYS_epoll_pwait2, "epoll_pwait2" },
#endif
#ifdef SYS_sendmsg
	{ SYS_sendmsg, "sendmsg" },
#endif
#ifdef SYS_close
	{ SYS_close, "close" },
#endif
#ifdef SYS_mmap
	{ SYS_mmap, "mmap" },
#endif
#ifdef SYS_mprotect
	{ SYS_mprotect, "mprotect" },
#endif
#ifdef SYS_munmap
	{ SYS_munmap, "munmap" },
#endif
#ifdef SYS_madvise
	{ SYS_madvise, "madvise" },
#endif
#ifdef SYS_exit
	{ SYS_exit, "exit" },
#endif
#ifdef SYS_exit_group
	{ SYS_exit_group, "exit_group" },
#endif
};

const char *sampler_sysname(long nr, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof sysnames / sizeof sysnames[0]; i++)
		if (sysnames[i].nr == nr)
			return sysnames[i].name;
	snprintf(buf, len, "syscall %ld", nr);
	return buf;
}

/* The syscalls a traced call may reach the kernel as: glibc's select() is
 * pselect6 on x86-64, poll() is ppoll and epoll_wait() epoll_pwait on some
 * architectures.  Numbers come from this build's SYS_* constants. */
int sampler_call_matches(int call, long nr)
{
	switch (call) {
	case TRACE_CALL_RECVFROM:
		return nr == SYS_recvfrom;
	case TRACE_CALL_RECVMSG:
		return nr == SYS_recvmsg;
	case TRACE_CALL_READ:
		return nr == SYS_read;
	case TRACE_CALL_WRITE:
		return nr == SYS_write || nr == SYS_sendto;   /* send(2) is sendto */
	case TRACE_CALL_SELECT:
#ifdef SYS_select
		if (nr == SYS_select)
			return 1;
#endif
		return nr == SYS_pselect6;
	case TRACE_CALL_POLL:
#ifdef SYS_poll
		if (nr == SYS_poll)
			return 1;
#endif
		return nr == SYS_ppoll;
	case TRACE_CALL_EPOLL_WAIT:
#ifdef SYS_epoll_wait
		if (nr == SYS_epoll_wait)
			return 1;
#endif
		return nr == SYS_epoll_pwait;
	case TRACE_CALL_ACCEPT:
#ifdef SYS_accept
		if (nr == SYS_accept)
			return 1;
#endif
		return nr == SYS_accept4;
	case TRACE_CALL_FUTEX:
#ifdef SYS_futex_waitv
		if (nr == SYS_futex_waitv)
			return 1;
#endif
		return nr == SYS_futex;
	case TRACE_CALL_CLONE:      /* pthread_create: clone3, or clone on
				       older glibc; fork: clone */
#ifdef SYS_clone3
		if (nr == SYS_clone3)
			return 1;
#endif
#ifdef SYS_fork
		if (nr == SYS_fork || nr == SYS_vfork)
			return 1;
#endif
		return nr == SYS_clone;
	default:
		return 0;
	}
}

/* Read a small /proc file into buf (NUL-terminated); returns length or -errno. */
static ssize_t read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* /proc/PID/task/TID/NAME, PID "self" when pid is 0. */
static void task_path(char *buf, size_t len, pid_t pid, pid_t tid, const char *name)
{
	if (pid == 0)
		snprintf(buf, len, "/proc/self/task/%d/%s", (int)tid, name);
	else
		snprintf(buf, len, "/proc/%d/task/%d/%s", (int)pid, (int)tid, name);
}

/* /proc/PID/task/TID/syscall: the number and first argument, or -1 for
 * "running" (in user space).  Returns 0 or -errno. */
static int read_syscall(pid_t pid, pid_t tid, long *sysno, long *arg0)
{
	char path[64], buf[256];
	ssize_t n;

	task_path(path, sizeof path, pid, tid, "syscall");
	if ((n = read_small(path, buf, sizeof buf)) < 0)
		return (int)n;
	*sysno = -1;
	*arg0 = 0;
	if (strncmp(buf, "running", 7) != 0 && sscanf(buf, "%ld %lx", sysno, arg0) < 1)
		return -EIO;
	return 0;
}

int sampler_read(pid_t tid, struct kstate *ks)
{
	return sampler_read_pid(0, tid, ks);
}

int sampler_read_pid(pid_t pid, pid_t tid, struct kstate *ks)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int rc;

	if (pid < 0 || tid <= 0)
		return -EINVAL;
	memset(ks, 0, sizeof *ks);
	ks->pid = pid != 0 ? pid : getpid();
	task_path(path, sizeof path, pid, tid, "stat");
	if ((n = read_small(path, buf, sizeof buf)) < 0)
		return (int)n;
	/* The command name may hold spaces and parentheses: skip to the last ')'. */
	p = strrchr(buf, ')');
	if (p == NULL || p[1] != ' ' || p[2] == '\0')
		return -EIO;
	ks->state = p[2];

	if ((rc = read_syscall(pid, tid, &ks->sysno, &ks->arg0)) != 0)
		return rc;
	if (ks->sysno >= 0) {
		const char *s = sampler_sysname(ks->sysno, ks->syscall, sizeof ks->syscall);

		if (s != ks->syscall)
			snprintf(ks->syscall, sizeof ks->syscall, "%s", s);
	} else {
		snprintf(ks->syscall, sizeof ks->syscall, "running");
	}

	task_path(path, sizeof path, pid, tid, "wchan");
	if (read_small(path, ks->wchan, sizeof ks->wchan) < 0 || strcmp(ks->wchan, "0") == 0)
		ks->wchan[0] = '\0';
	return 0;
}

int sampler_same(const struct kstate *a, const struct kstate *b)
{
	return a->state == b->state && a->sysno == b->sysno &&
	       strcmp(a->wchan, b->wchan) == 0;
}

static int in_list(const int *a, int n, long v)
{
	for (int i = 0; i < n; i++)
		if (a[i] == v)
			return 1;
	return 0;
}

static int is_read(long nr)
{
#ifdef SYS_pread64
	if (nr == SYS_pread64)
		return 1;
#endif
	return nr == SYS_read;
}

/* Who is inside read(2) on these fds?  The syscall file alone decides (one
 * small read per thread); only the threads that pass are read in full. */
int sampler_find_helpers(const int *fds, int nfds, const pid_t *skip, int nskip,
			 struct sampler_helper *out, int max)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		pid_t tid = (pid_t)atoi(de->d_name);
		long nr, arg0;
		struct kstate ks;

		if (tid <= 0 || in_list(skip, nskip, tid))
			continue;
		if (read_syscall(0, tid, &nr, &arg0) != 0 || !is_read(nr) ||
		    !in_list(fds, nfds, arg0))
			continue;
		/* Read again in full: it may have moved on in between. */
		if (sampler_read(tid, &ks) != 0 || !is_read(ks.sysno) || !in_list(fds, nfds, ks.arg0))
			continue;
		if (n < max)
			out[n] = (struct sampler_helper){ .tid = tid, .fd = (int)ks.arg0, .ks = ks };
		n++;
	}
	closedir(d);
	return n;
}
