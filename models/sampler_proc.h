/* sampler_proc.h: the kernel's word on a thread of this process or of a
 * child process, read from /proc/PID/task/TID/{stat,syscall,wchan}.
 * Plain reads, any thread; nothing here knows the trace's actors
 * (sampler.h decides whom to read and when). */
#ifndef IOSCOPE_SAMPLER_PROC_H
#define IOSCOPE_SAMPLER_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* One reading of a thread. */
struct kstate {
	pid_t pid;               /* the process it belongs to (its Tgid) */
	char state;              /* 'R', 'S', 'D', ... */
	long sysno;              /* syscall number, -1 when running in user space */
	long arg0;               /* first argument (the fd for reads) */
	char syscall[32];        /* its name for this build, or "running" */
	char wchan[64];          /* kernel function it sleeps in, or "" */
};

/* Read tid's state now.  Returns 0 or -errno (e.g. -ENOENT: it exited).
 * A thread under /proc/self/task is one of this process's: its pid is
 * getpid(), the Tgid its /proc/self/task/TID/status gives. */
int sampler_read(pid_t tid, struct kstate *ks);
/* The same for thread tid of process pid (0: this one), from
 * /proc/PID/task/TID, which exists only while tid is one of pid's
 * threads; ks->pid = pid.  Another process's syscall and wchan files
 * need ptrace access to it (a child of ours has it, Yama or not).
 * Returns 0, -EINVAL (pid < 0, tid <= 0) or -errno. */
int sampler_read_pid(pid_t pid, pid_t tid, struct kstate *ks);

/* Name of a syscall number for this architecture ("syscall 123" if unknown). */
const char *sampler_sysname(long nr, char *buf, size_t len);

/* Whether syscall nr is one that call may enter the kernel as. */
int sampler_call_matches(int call, long nr);

/* Whether two readings show the same state, syscall and wchan. */
int sampler_same(const struct kstate *a, const struct kstate *b);

/* One thread found working on an fd. */
struct sampler_helper {
	pid_t tid;
	int fd;                  /* the read's first argument */
	struct kstate ks;
};

/* Threads of this process, other than skip[0..nskip), that are inside
 * read(2) (or pread64) on one of fds[0..nfds): the kernel's word on who is
 * doing a read nobody in the trace called.  Fills out[0..max) and returns
 * how many it found (possibly more than max: the rest are not filled), or
 * -errno when /proc/self/task cannot be listed. */
int sampler_find_helpers(const int *fds, int nfds, const pid_t *skip, int nskip,
			 struct sampler_helper *out, int max);

#endif
