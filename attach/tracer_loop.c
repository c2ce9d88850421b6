/* tracer_loop.c: the tracer thread's wait loop, one stop at a time, and
 * its table of traced threads.
 *
 * waitpid(-1, __WALL | __WNOTHREAD): every stop of every tracee, and
 * only of this thread's tracees and children, so the loop never reaps a
 * child another thread of ioscope (or a test) forked and waits for. */
/* sys.h first: its si_fd parameter would meet <signal.h>'s si_fd macro. */
#include "attach/tracer_int.h"
#include <errno.h>
#include <linux/audit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>


#define TR_OPS(t) ((t)->o.ops)

struct tr_thread *tracer__find(struct tracer *t, pid_t tid)
{
	for (int i = 0; i < t->th_n; i++)
		if (t->th_v[i].tid == tid)
			return &t->th_v[i];
	return NULL;
}

/* NULL when out of memory (the thread is then not followed). */
struct tr_thread *tracer__add(struct tracer *t, pid_t tid, pid_t pid, pid_t creator)
{
	struct tr_thread *th;

	if (t->th_n == t->th_cap) {
		int cap = t->th_cap == 0 ? 16 : t->th_cap * 2;
		struct tr_thread *v = realloc(t->th_v, (size_t)cap * sizeof *v);

		if (v == NULL)
			return NULL;
		t->th_v = v;
		t->th_cap = cap;
	}
	th = &t->th_v[t->th_n++];
	memset(th, 0, sizeof *th);
	th->tid = tid;
	th->pid = pid;
	th->creator = creator;
	th->nr = -1;
	return th;
}

void tracer__remove(struct tracer *t, pid_t tid)
{
	struct tr_thread *th = tracer__find(t, tid);

	if (th != NULL)
		*th = t->th_v[--t->th_n];
}

/* The process of tid, from /proc/TID/status (tid itself when unreadable). */
pid_t tracer__tgid(pid_t tid)
{
	char path[64], line[128];
	FILE *f;
	pid_t tgid = tid;

	snprintf(path, sizeof path, "/proc/%d/status", (int)tid);
	if ((f = fopen(path, "re")) == NULL)
		return tid;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(f);
	return tgid > 0 ? tgid : tid;
}

/* Seccomp mode stops only at watched calls: resume with PTRACE_CONT,
 * except inside a watched call, whose exit stop PTRACE_SYSCALL gives. */
void tracer__resume(struct tracer *t, struct tr_thread *th, int sig)
{
	int req = t->seccomp && !th->in_call ? PTRACE_CONT : PTRACE_SYSCALL;

	ptrace(req, th->tid, 0L, (long)sig);   /* ESRCH: it died, its end comes */
}

static void hand_sys(struct tracer *t, struct tr_thread *th, bool exit, int64_t ret,
		     int64_t now)
{
	struct attach_sys *s = &t->sys;

	if (th->silent || TR_OPS(t) == NULL || TR_OPS(t)->sys == NULL)
		return;
	s->tid = th->tid;
	s->pid = th->pid;
	s->t_ns = now;
	s->exit = exit;
	s->at_seize = false;
	s->nr = th->nr;
	memcpy(s->args, th->args, sizeof s->args);
	s->ret = exit ? ret : 0;
	tracer__mem(s);
	TR_OPS(t)->sys(t->o.ops_arg, s);
}

static void on_entry(struct tracer *t, struct tr_thread *th, long nr, const uint64_t *args,
		     int64_t now)
{
	/* A call with a timeout that a signal interrupted (-516,
	 * ERESTART_RESTARTBLOCK) goes on as restart_syscall: it is the same
	 * call, told under its own number (follow merges the two halves). */
	if (nr == SYS_restart_syscall && th->restart_block) {
		th->restart_block = false;
		th->in_call = true;
		hand_sys(t, th, false, 0, now);
		return;
	}
	th->restart_block = false;
	if (!attach_sys_watched(nr)) {
		/* A call interrupted at the seize, restarted by the kernel
		 * as restart_syscall, is still the same call. */
		if (!(th->restart && nr == SYS_restart_syscall))
			th->in_call = false;
		th->restart = false;
		return;
	}
	if (th->restart) {
		th->restart = false;
		if (th->in_call && nr == th->nr)
			return;     /* the restart of the call told at the seize */
	}
	th->in_call = true;
	th->nr = nr;
	memcpy(th->args, args, sizeof th->args);
	hand_sys(t, th, false, 0, now);
}

static void on_syscall(struct tracer *t, struct tr_thread *th, int64_t now)
{
	struct __ptrace_syscall_info info;
	long n = ptrace(PTRACE_GET_SYSCALL_INFO, th->tid, (void *)sizeof info, &info);

	if (n <= 0) {
		tracer__resume(t, th, 0);
		return;
	}
	if (info.op == PTRACE_SYSCALL_INFO_ENTRY || info.op == PTRACE_SYSCALL_INFO_SECCOMP) {
		/* entry and seccomp share nr and args at the same place. */
		if (info.arch != AUDIT_ARCH_X86_64)
			th->in_call = false;
		else
			on_entry(t, th, (long)info.entry.nr, (const uint64_t *)info.entry.args, now);
	} else if (info.op == PTRACE_SYSCALL_INFO_EXIT && th->in_call) {
		th->in_call = false;
		th->restart_block = info.exit.rval == -516;
		hand_sys(t, th, true, info.exit.rval, now);
	}
	tracer__resume(t, th, 0);
}

static void announce(struct tracer *t, struct tr_thread *th, int64_t now)
{
	if (!th->silent && TR_OPS(t) != NULL && TR_OPS(t)->thread != NULL)
		TR_OPS(t)->thread(t->o.ops_arg, th->tid, th->pid, th->creator, now);
}

/* A clone, fork or vfork: the new one is auto-attached.  Its first stop
 * may come before this event: it was then held until now. */
static void on_clone(struct tracer *t, struct tr_thread *th, int ev, int64_t now)
{
	unsigned long msg = 0;
	pid_t ntid, npid, me = th->tid;
	struct tr_thread *n;

	if (ptrace(PTRACE_GETEVENTMSG, th->tid, 0L, &msg) == 0 && msg > 0) {
		ntid = (pid_t)msg;
		npid = ev == PTRACE_EVENT_CLONE ? tracer__tgid(ntid) : ntid;

		if ((n = tracer__find(t, ntid)) == NULL) {
			if ((n = tracer__add(t, ntid, npid, me)) != NULL)
				n->fresh = true;
		} else {
			n->pid = npid;
			n->creator = me;
			if (n->held) {
				n->held = n->fresh = false;
				announce(t, n, now);
				tracer__resume(t, n, 0);
			}
		}
		if (n != NULL && t->attached && t->acted >= TR_REQ_STOP)
			n->detaching = true;
		th = tracer__find(t, me);       /* the table may have moved */
		if (th == NULL)
			return;
	}
	tracer__resume(t, th, 0);
}

/* execve: a non-leader that calls it takes the leader's tid (the old
 * leader's end is not reported: its slot now stands for the caller). */
static void on_exec(struct tracer *t, struct tr_thread *th, int64_t now)
{
	unsigned long msg = 0;
	pid_t former = th->tid;

	if (ptrace(PTRACE_GETEVENTMSG, th->tid, 0L, &msg) == 0 && msg > 0)
		former = (pid_t)msg;
	if (former != th->tid) {
		struct tr_thread *f = tracer__find(t, former);

		if (f != NULL) {
			pid_t tid = th->tid;
			struct tr_thread keep = *f;

			keep.tid = tid;
			tracer__remove(t, former);
			th = tracer__find(t, tid);
			if (th == NULL)
				return;
			*th = keep;
		}
	}
	th->in_call = false;
	th->restart = false;
	if (th->silent) {
		/* The started program's own exec: it runs now. */
		th->silent = false;
		t->execd = true;
		tracer__exec_result(t);
		announce(t, th, now);
	} else if (TR_OPS(t) != NULL && TR_OPS(t)->exec != NULL) {
		TR_OPS(t)->exec(t->o.ops_arg, th->pid, former != th->tid ? former : 0, now);
	}
	tracer__resume(t, th, 0);
}

static bool stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* PTRACE_EVENT_STOP: a new tracee's first stop, -p's interrupt stop, or a
 * group-stop (kept with PTRACE_LISTEN, so the program stays stopped
 * until a SIGCONT, as it would untraced). */
static void on_event_stop(struct tracer *t, struct tr_thread *th, int sig, int64_t now)
{
	if (th->fresh) {
		if (th->creator == 0) {
			th->held = true;    /* until its creator's event: on_clone */
			return;
		}
		th->fresh = false;
		announce(t, th, now);
	} else if (th->seizing) {
		th->seizing = false;
		tracer__at_seize(t, th, now);
	}
	if (stop_signal(sig))
		ptrace(PTRACE_LISTEN, th->tid, 0L, 0L);
	else
		tracer__resume(t, th, 0);
}

/* A signal about to be delivered; si_fd for F_SETSIG-style codes. */
static void on_signal(struct tracer *t, struct tr_thread *th, int sig, int64_t now)
{
	siginfo_t si;
	int fd = -1;

	if (ptrace(PTRACE_GETSIGINFO, th->tid, 0L, &si) == 0 && si.si_code >= POLL_IN &&
	    si.si_code <= POLL_HUP && sig != SIGILL && sig != SIGFPE && sig != SIGSEGV &&
	    sig != SIGBUS && sig != SIGTRAP && sig != SIGCHLD)
		fd = si.si_fd;
	if (!th->silent && TR_OPS(t) != NULL && TR_OPS(t)->signal != NULL)
		TR_OPS(t)->signal(t->o.ops_arg, th->tid, sig, fd, now);
	tracer__resume(t, th, sig);
}

static void on_gone(struct tracer *t, struct tr_thread *th, int st, int64_t now)
{
	pid_t tid = th->tid;

	if (!t->attached && tid == t->pid && !t->have_status) {
		t->status = st;
		t->have_status = true;
	}
	if (th->silent) {
		tracer__remove(t, tid);
		tracer__exec_result(t);
		return;
	}
	if (TR_OPS(t) != NULL && TR_OPS(t)->gone != NULL)
		TR_OPS(t)->gone(t->o.ops_arg, tid, st, now);
	tracer__remove(t, tid);
}

static void on_status(struct tracer *t, pid_t tid, int st, int64_t now)
{
	struct tr_thread *th = tracer__find(t, tid);
	int sig, ev;

	if (WIFEXITED(st) || WIFSIGNALED(st)) {
		if (th != NULL)
			on_gone(t, th, st, now);
		return;
	}
	if (!WIFSTOPPED(st))
		return;
	if (th == NULL) {
		/* A new tracee whose first stop came before its creator's
		 * event. */
		if ((th = tracer__add(t, tid, tracer__tgid(tid), 0)) == NULL) {
			ptrace(PTRACE_DETACH, tid, 0L, 0L);
			return;
		}
		th->fresh = true;
		th->detaching = t->attached && t->acted >= TR_REQ_STOP;
	}
	if (th->detaching) {
		tracer__detach_stop(t, th, st);
		return;
	}
	sig = WSTOPSIG(st);
	ev = (st >> 16) & 0xff;
	if (sig == (SIGTRAP | 0x80) || ev == PTRACE_EVENT_SECCOMP)
		on_syscall(t, th, now);
	else if (ev == PTRACE_EVENT_CLONE || ev == PTRACE_EVENT_FORK || ev == PTRACE_EVENT_VFORK)
		on_clone(t, th, ev, now);
	else if (ev == PTRACE_EVENT_EXEC)
		on_exec(t, th, now);
	else if (ev == PTRACE_EVENT_STOP)
		on_event_stop(t, th, sig, now);
	else if (ev != 0)
		tracer__resume(t, th, 0);
	else
		on_signal(t, th, sig, now);
}

/* Every process traced gets sig (a started program's stop). */
static void signal_all(struct tracer *t, int sig)
{
	for (int i = 0; i < t->th_n; i++) {
		bool seen = false;

		for (int j = 0; j < i && !seen; j++)
			seen = t->th_v[j].pid == t->th_v[i].pid;
		if (!seen)
			kill(t->th_v[i].pid, sig);
	}
}

static void act(struct tracer *t)
{
	int req = tracer__request(t);

	if (req <= t->acted)
		return;
	if (t->attached) {
		if (t->acted < TR_REQ_STOP)
			tracer__detach_all(t);
		if (req >= TR_REQ_KILL)     /* past the deadline: never kill a program attached to */
			t->give_up = true;
	} else {
		if (t->acted < TR_REQ_STOP)
			signal_all(t, SIGTERM);
		if (req >= TR_REQ_KILL)
			signal_all(t, SIGKILL);
	}
	t->acted = req;
}

static void end(struct tracer *t)
{
	if (t->ended_told)
		return;
	t->ended_told = true;
	atomic_store(&t->ended, true);
	if ((t->attached || t->execd) && t->o.on_end != NULL)
		t->o.on_end(t->o.arg);
}

void tracer__loop(struct tracer *t)
{
	for (;;) {
		int st;
		pid_t tid;

		act(t);
		if (t->th_n == 0 || t->give_up)
			break;
		tid = waitpid(-1, &st, __WALL | __WNOTHREAD);
		if (tid < 0) {
			if (errno == EINTR)
				continue;
			break;      /* ECHILD: nothing left, though the table says so */
		}
		on_status(t, tid, st, tracer__now(t));
	}
	if (!t->attached && !t->execd)
		tracer__exec_result(t);
	end(t);
}
