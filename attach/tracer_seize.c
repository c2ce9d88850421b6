/* tracer_seize.c: attach -p: a running process seized, thread by thread,
 * and left running at the end.
 *
 * No seccomp filter can be added to a running program, so its threads
 * stop at every call (PTRACE_SYSCALL) and the unwatched ones are resumed
 * at once.  No EXITKILL: if ioscope dies the program runs on.  Each
 * thread is stopped once with PTRACE_INTERRUPT right after its seize, to
 * learn from /proc/PID/task/TID/syscall whether it sits inside a watched
 * call: a blocked read is interrupted by that stop and restarted by the
 * kernel when resumed (its entry is then not told twice). */
/* sys.h first: its si_fd parameter would meet <signal.h>'s si_fd macro. */
#include "attach/tracer_int.h"
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>


#define SEIZE_OPTS (PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | \
		    PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC)

static int read_int_file(const char *path, int *out)
{
	FILE *f = fopen(path, "re");
	int ok;

	if (f == NULL)
		return -1;
	ok = fscanf(f, "%d", out) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

static pid_t tracer_of(pid_t pid)
{
	char path[64], line[128];
	FILE *f;
	int tp = 0;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "TracerPid: %d", &tp) == 1)
			break;
	fclose(f);
	return tp;
}

static void comm_of(pid_t pid, char *out, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(out, len, "?");
	snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return;
	if (fgets(out, (int)len, f) != NULL)
		out[strcspn(out, "\n")] = '\0';
	fclose(f);
}

/* Why PTRACE_SEIZE said EPERM. */
static void eperm_cause(pid_t pid, char *cause, size_t len)
{
	static const char *const scope_why[] = {
		"", "only a parent may trace its children (run ioscope as root, or set it to 0)",
		"only root may trace", "no process may be traced",
	};
	pid_t tp = tracer_of(pid);
	int scope;
	char comm[32];

	if (tp > 0) {
		comm_of(tp, comm, sizeof comm);
		snprintf(cause, len, "already traced by PID %d (%s)", (int)tp, comm);
	} else if (read_int_file("/proc/sys/kernel/yama/ptrace_scope", &scope) == 0 &&
		   scope >= 1) {
		snprintf(cause, len, "/proc/sys/kernel/yama/ptrace_scope is %d: %s", scope,
			 scope_why[scope > 3 ? 3 : scope]);
	} else {
		snprintf(cause, len, "permission denied (another user's process?)");
	}
}

/* One pass over /proc/PID/task: seizes the threads not in the table yet.
 * Returns how many, or -errno when the first seize of all fails. */
static int seize_pass(struct tracer *t, char *cause, size_t len)
{
	char path[64];
	struct dirent *d;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof path, "/proc/%d/task", (int)t->pid);
	if ((dir = opendir(path)) == NULL) {
		snprintf(cause, len, "no such process: %d", (int)t->pid);
		return -ESRCH;
	}
	while ((d = readdir(dir)) != NULL) {
		pid_t tid = (pid_t)atoi(d->d_name);
		struct tr_thread *th;

		if (tid <= 0 || tracer__find(t, tid) != NULL)
			continue;
		if (ptrace(PTRACE_SEIZE, tid, 0L, (long)SEIZE_OPTS) != 0) {
			int err = errno;

			if (t->th_n > 0)
				continue;   /* gone, or auto-attached already */
			closedir(dir);
			if (err == EPERM)
				eperm_cause(t->pid, cause, len);
			else if (err == ESRCH)
				snprintf(cause, len, "no such process: %d", (int)t->pid);
			else
				snprintf(cause, len, "cannot trace %d: %s", (int)t->pid, strerror(err));
			return -err;
		}
		if ((th = tracer__add(t, tid, t->pid, 0)) == NULL) {
			ptrace(PTRACE_DETACH, tid, 0L, 0L);
			continue;
		}
		th->seizing = true;
		if (t->o.ops != NULL && t->o.ops->thread != NULL)
			t->o.ops->thread(t->o.ops_arg, tid, t->pid, 0, tracer__now(t));
		ptrace(PTRACE_INTERRUPT, tid, 0L, 0L);
		n++;
	}
	closedir(dir);
	return n;
}

int tracer__seize(struct tracer *t, char *cause, size_t len)
{
	int n;

	if (t->pid == getpid()) {
		snprintf(cause, len, "ioscope cannot trace itself");
		return -EPERM;
	}
	if (kill(t->pid, 0) != 0 && errno == ESRCH) {
		snprintf(cause, len, "no such process: %d", (int)t->pid);
		return -ESRCH;
	}
	t->pid = tracer__tgid(t->pid);
	/* Threads made meanwhile by a thread not yet seized are not
	 * auto-attached: list again until nothing new appears. */
	do {
		if ((n = seize_pass(t, cause, len)) < 0)
			return n;
	} while (n > 0);
	return 0;
}

/* Whether the thread stopped on its way out of a call the kernel will
 * restart (rax is -ERESTARTSYS, -ERESTARTNOINTR, -ERESTARTNOHAND or
 * -ERESTART_RESTARTBLOCK): it was blocked inside it.  Any other value:
 * the call was over, and /proc/TID/syscall shows a stale number. */
static bool restarting(pid_t tid)
{
	long rax;

	errno = 0;
	rax = ptrace(PTRACE_PEEKUSER, tid, (void *)offsetof(struct user_regs_struct, rax), 0L);
	return errno == 0 && rax >= -516 && rax <= -512;
}

/* The thread's PTRACE_INTERRUPT stop after its seize. */
void tracer__at_seize(struct tracer *t, struct tr_thread *th, int64_t t_ns)
{
	char path[80], line[256];
	unsigned long long a[6];
	long nr;
	FILE *f;
	int n = 0;

	if (!restarting(th->tid))
		return;
	snprintf(path, sizeof path, "/proc/%d/task/%d/syscall", (int)th->pid, (int)th->tid);
	if ((f = fopen(path, "re")) == NULL)
		return;
	if (fgets(line, sizeof line, f) != NULL)
		n = sscanf(line, "%ld %llx %llx %llx %llx %llx %llx", &nr, &a[0], &a[1], &a[2],
			   &a[3], &a[4], &a[5]);
	fclose(f);
	if (n != 7 || !attach_sys_watched(nr))
		return;
	th->in_call = true;
	th->restart = true;
	th->nr = nr;
	for (int i = 0; i < 6; i++)
		th->args[i] = a[i];
	if (t->o.ops == NULL || t->o.ops->sys == NULL)
		return;
	t->sys = (struct attach_sys){
		.tid = th->tid, .pid = th->pid, .t_ns = t_ns, .at_seize = true, .nr = nr,
	};
	memcpy(t->sys.args, th->args, sizeof th->args);
	tracer__mem(&t->sys);
	t->o.ops->sys(t->o.ops_arg, &t->sys);
}

static void detached(struct tracer *t, pid_t tid)
{
	if (t->o.ops != NULL && t->o.ops->gone != NULL)
		t->o.ops->gone(t->o.ops_arg, tid, -1, tracer__now(t));
	tracer__remove(t, tid);
}

/* tracer_stop, attached: every thread is interrupted, and detached at its
 * next stop (tracer__detach_stop).  One held (already stopped) now. */
void tracer__detach_all(struct tracer *t)
{
	for (int i = 0; i < t->th_n; i++) {
		struct tr_thread *th = &t->th_v[i];

		th->detaching = true;
		if (th->held) {
			ptrace(PTRACE_DETACH, th->tid, 0L, 0L);
			detached(t, th->tid);
			i--;
			continue;
		}
		ptrace(PTRACE_INTERRUPT, th->tid, 0L, 0L);   /* ESRCH: its end comes */
	}
}

/* A detaching thread's stop: a signal about to be delivered goes with
 * it; a group-stop stays one. */
void tracer__detach_stop(struct tracer *t, struct tr_thread *th, int status)
{
	int sig = WSTOPSIG(status), ev = (status >> 16) & 0xff;
	int pass = ev == 0 && sig != (SIGTRAP | 0x80) ? sig : 0;

	ptrace(PTRACE_DETACH, th->tid, 0L, (long)pass);
	detached(t, th->tid);
}
