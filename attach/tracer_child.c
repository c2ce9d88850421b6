/* tracer_child.c: a program started under the tracer, and the measure of
 * what one stopped call costs.
 *
 * The child (forked by the tracer thread: the seizing thread must be its
 * parent or tracer) sets its stdio, PR_SET_NO_NEW_PRIVS and the seccomp
 * filter, stops itself with SIGSTOP, and once seized and resumed calls
 * execvp.  An exec failure comes back through an O_CLOEXEC pipe (nothing
 * crosses it when the exec works).  Between fork and exec the child only
 * makes async-signal-safe calls: ioscope has other threads. */
/* sys.h first: its si_fd parameter would meet <signal.h>'s si_fd macro. */
#include "attach/tracer_int.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>


#define WATCH_MAX 128
#define FILTER_MAX (WATCH_MAX + 8)

struct filter {
	struct sock_filter insn[FILTER_MAX];
	struct sock_fprog prog;
};

/* What the child writes into the pipe when it cannot run the program. */
struct child_err {
	int stage;                  /* CHILD_SETUP or CHILD_EXEC */
	int err;
};
enum { CHILD_SETUP = 1, CHILD_EXEC = 2 };

/* SECCOMP_RET_TRACE for the watched numbers (x86-64 only: a call made
 * through another ABI, i386's int 0x80 or x32, runs unstopped). */
static void filter_build(struct filter *f)
{
	long nr[WATCH_MAX];
	int n = attach_sys_list(nr, WATCH_MAX - 1), k = 0;

	/* A watched call with a timeout that a signal interrupted goes on
	 * as restart_syscall (tracer_loop.c tells it as the same call). */
	nr[n++] = SYS_restart_syscall;

	f->insn[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						    offsetof(struct seccomp_data, arch));
	f->insn[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64,
						    1, 0);
	f->insn[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f->insn[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						    offsetof(struct seccomp_data, nr));
	for (int i = 0; i < n; i++)
		f->insn[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
							    (uint32_t)nr[i], (uint8_t)(n - i), 0);
	f->insn[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f->insn[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	f->prog.len = (unsigned short)k;
	f->prog.filter = f->insn;
}

static int filter_install(const struct filter *f)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -errno;
	if (f != NULL && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &f->prog, 0, 0) != 0)
		return -errno;
	return 0;
}

static void child_fail(int fd, int stage, int err)
{
	struct child_err e = { stage, err };

	if (write(fd, &e, sizeof e) < 0)
		_exit(126);
	_exit(127);
}

/* The tracer thread blocks signals, and ioscope ignores some (SIGPIPE):
 * the program gets the defaults, as from a shell. */
static void child_signals(void)
{
	struct sigaction sa;
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static void child_fd(int from, int to)
{
	if (from >= 0 && from != to)
		dup2(from, to);
}

static void child_run(const struct tracer_opts *o, const struct filter *f, int err_fd)
{
	int rc;

	child_fd(o->stdin_fd, 0);
	child_fd(o->stdout_fd, 1);
	child_fd(o->stderr_fd, 2);
	child_signals();
	if ((rc = filter_install(f)) != 0)
		child_fail(err_fd, CHILD_SETUP, -rc);
	raise(SIGSTOP);
	execvp(o->argv[0], o->argv);
	child_fail(err_fd, CHILD_EXEC, errno);
}

/* The child stopped itself with SIGSTOP: seize it.  The seize turns its
 * group-stop into a PTRACE_EVENT_STOP, waited for here; the caller
 * resumes it.  Returns 0 or -errno. */
int tracer__seize_child(pid_t pid, bool seccomp)
{
	long opts = PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE |
		    PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC;
	int st;

	if (seccomp)
		opts |= PTRACE_O_TRACESECCOMP;
	while (waitpid(pid, &st, WSTOPPED | __WALL) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFSTOPPED(st))
		return -ECHILD;
	if (ptrace(PTRACE_SEIZE, pid, 0L, opts) != 0)
		return -errno;
	/* End the job-control stop, so the program is not left "stopped"
	 * for its shell's eyes; its SIGCONT is delivered like any signal. */
	kill(pid, SIGCONT);
	return 0;
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int tracer__spawn(struct tracer *t, char *cause, size_t len)
{
	struct filter *f = NULL;
	struct tr_thread *th;
	int p[2], rc;
	pid_t pid;

	if (t->seccomp) {
		if ((f = malloc(sizeof *f)) == NULL)
			return -ENOMEM;
		filter_build(f);
	}
	if (pipe2(p, O_CLOEXEC) != 0) {
		rc = -errno;
		snprintf(cause, len, "pipe: %s", strerror(-rc));
		goto fail_pipe;
	}
	if ((pid = fork()) < 0) {
		rc = -errno;
		snprintf(cause, len, "fork: %s", strerror(-rc));
		goto fail_fork;
	}
	if (pid == 0) {
		close(p[0]);
		child_run(&t->o, f, p[1]);
	}
	close(p[1]);
	p[1] = -1;
	free(f);
	f = NULL;
	t->exec_pipe = p[0];
	t->pid = pid;
	if ((rc = tracer__seize_child(pid, t->seccomp)) != 0) {
		snprintf(cause, len, "%s: cannot trace it: %s", t->o.argv[0], strerror(-rc));
		goto fail_seize;
	}
	if ((th = tracer__add(t, pid, pid, 0)) == NULL) {
		rc = -ENOMEM;
		snprintf(cause, len, "out of memory");
		goto fail_seize;
	}
	th->silent = true;
	tracer__resume(t, th, 0);
	return 0;

fail_seize:
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR)
		;
	t->pid = 0;
fail_fork:
	if (p[1] >= 0)
		close(p[1]);
	close(p[0]);
	t->exec_pipe = -1;
fail_pipe:
	free(f);
	return rc;
}

static void exec_cause(const char *prog, int err, char *cause, size_t len)
{
	if (err == ENOENT && strchr(prog, '/') == NULL)
		snprintf(cause, len, "%s: no such program (not found in PATH)", prog);
	else if (err == ENOENT)
		snprintf(cause, len, "%s: no such file", prog);
	else if (err == EACCES)
		snprintf(cause, len, "%s: permission denied (not executable?)", prog);
	else
		snprintf(cause, len, "%s: cannot run it: %s", prog, strerror(err));
}

/* The started program exec'd (0), or died before (the pipe says why). */
void tracer__exec_result(struct tracer *t)
{
	struct child_err e = { 0, 0 };
	char cause[256] = "";
	int rc = 0;

	if (t->start_told)
		return;
	t->start_told = true;
	if (!t->execd) {
		ssize_t n;

		while ((n = read(t->exec_pipe, &e, sizeof e)) < 0 && errno == EINTR)
			;
		if (n != (ssize_t)sizeof e) {
			rc = -ECHILD;
			snprintf(cause, sizeof cause, "%s: ended before it could run", t->o.argv[0]);
		} else if (e.stage == CHILD_SETUP) {
			rc = -e.err;
			snprintf(cause, sizeof cause, "cannot install the seccomp filter: %s",
				 strerror(e.err));
		} else {
			rc = -e.err;
			exec_cause(t->o.argv[0], e.err, cause, sizeof cause);
		}
		if (rc == 0)
			rc = -ECHILD;
	}
	close(t->exec_pipe);
	t->exec_pipe = -1;
	tracer__start_done(t, rc, cause);
}

/* The overhead's measure, on a child of the tracer thread's own:
 *
 * OV_ROUNDS rounds of OV_UNTRACED calls of close(-1) (a watched call that
 * does nothing: EBADF) untraced, then the child stops, is seized exactly
 * as a started program is (seccomp filter or not), and makes OV_ROUNDS
 * rounds of OV_TRACED of the same call, each now two stops (entry, exit)
 * with PTRACE_GET_SYSCALL_INFO at each, handled by a loop like the
 * tracer's.  It measures the kernel's stops and the tracer thread's
 * wake-ups, not follow.c's work on each stop.  The result is the median
 * over the rounds of (traced ns per call - untraced ns per call).  About
 * 5 x 200 traced calls: ~20-50 ms on this machine. */
#define OV_ROUNDS 5
#define OV_UNTRACED 2000
#define OV_TRACED 200

static void ov_child(const struct filter *f, int fd, bool seccomp)
{
	int64_t ns[2 * OV_ROUNDS];

	for (int r = 0; r < OV_ROUNDS; r++) {
		int64_t t0 = mono_ns();

		for (int i = 0; i < OV_UNTRACED; i++)
			syscall(SYS_close, -1);
		ns[r] = mono_ns() - t0;
	}
	if (seccomp && filter_install(f) != 0)
		_exit(2);
	raise(SIGSTOP);
	for (int r = 0; r < OV_ROUNDS; r++) {
		int64_t t0 = mono_ns();

		for (int i = 0; i < OV_TRACED; i++)
			syscall(SYS_close, -1);
		ns[OV_ROUNDS + r] = mono_ns() - t0;
	}
	_exit(write(fd, ns, sizeof ns) == (ssize_t)sizeof ns ? 0 : 1);
}

/* Runs the traced child to its end as the tracer would. */
static void ov_trace(pid_t pid, bool seccomp)
{
	struct tracer t = { .seccomp = seccomp };
	struct tr_thread th = { .tid = pid, .pid = pid };
	struct __ptrace_syscall_info info;
	int st;

	tracer__resume(&t, &th, 0);
	for (;;) {
		int sig, ev;

		if (waitpid(pid, &st, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st))
			return;
		sig = WSTOPSIG(st);
		ev = (st >> 16) & 0xff;
		if (sig == (SIGTRAP | 0x80) || ev == PTRACE_EVENT_SECCOMP) {
			ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof info, &info);
			th.in_call = info.op != PTRACE_SYSCALL_INFO_EXIT;
			tracer__resume(&t, &th, 0);
		} else {
			tracer__resume(&t, &th, ev == 0 ? sig : 0);
		}
	}
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int64_t tracer__measure(bool seccomp)
{
	struct filter f;
	int64_t ns[2 * OV_ROUNDS], diff[OV_ROUNDS];
	int p[2];
	pid_t pid;
	ssize_t n;

	filter_build(&f);
	if (pipe2(p, O_CLOEXEC) != 0)
		return 0;
	if ((pid = fork()) < 0) {
		close(p[0]);
		close(p[1]);
		return 0;
	}
	if (pid == 0) {
		close(p[0]);
		child_signals();
		ov_child(&f, p[1], seccomp);
	}
	close(p[1]);
	if (tracer__seize_child(pid, seccomp) == 0) {
		ov_trace(pid, seccomp);
	} else {
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR)
			;
	}
	while ((n = read(p[0], ns, sizeof ns)) < 0 && errno == EINTR)
		;
	close(p[0]);
	if (n != (ssize_t)sizeof ns)
		return 0;
	for (int r = 0; r < OV_ROUNDS; r++)
		diff[r] = ns[OV_ROUNDS + r] / OV_TRACED - ns[r] / OV_UNTRACED;
	qsort(diff, OV_ROUNDS, sizeof diff[0], cmp_i64);
	return diff[OV_ROUNDS / 2] > 0 ? diff[OV_ROUNDS / 2] : 0;
}
