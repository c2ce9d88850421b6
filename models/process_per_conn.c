/* process_per_conn.c: S accepts and fork()s a child process per
 * connection, the oldest way to serve many clients (seed 000, §2).
 *
 * S's thread sleeps in a blocking accept.  For each connection it
 * announces the child as an actor of its own ("S.1", "S.2"… in accept
 * order), forks (traced as clone: its exit's ret is the child's pid) and
 * closes its own copy of the connection.  The child serves the echo
 * protocol with blocking recvmsg (recv that also returns the kernel's
 * stamp of when the data came: where phase 1 ended), and exits at end
 * of file.  Its events reach
 * the parent's trace through a ring in shared memory (trace/FORMAT.md,
 * "Events from child processes").
 *
 * The parent reaps without blocking after each accept: a child sets its
 * bit on a board in shared memory just before it exits, and S waits for
 * exactly those; a child that never got there (killed by a signal) is
 * found by a sweep of every live child, once per as many accepts as
 * there were children at the last sweep (so sweeps cost at most two
 * waitpid per accept, amortized, even at 10,000 children).  Until then
 * a dead child is a zombie, which the kernel pane shows as such.  S
 * never calls waitpid(-1): other code of the process (another server)
 * may have children of its own.  Nor does it use a descriptor per child
 * (a pidfd): at 10,000 connections the descriptors are the limit.
 *
 * Stopping: S sends every child SIGTERM, gives them GRACE_MS to die and
 * be reaped, then SIGKILLs and reaps the rest: well within MODEL_STOP_MS
 * for hundreds of children; thousands take the kernel longer to tear
 * down (2,000 in about 0.3 s on a loaded 2-core machine).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "models/model.h"
#include "models/srv.h"
#include "trace/sclock.h"

#define GRACE_MS     100           /* SIGTERM, then SIGKILL */
#define BOARD_BITS   65536         /* children alive at once, at most */
#define NAME_MAX_LEN 64

/* A child process, while it lives; pid 0: a free slot. */
struct kid {
	pid_t pid;
	int next_free;               /* free list, -1 ends it */
	struct probe probe;          /* its own ring (zeroed: untraced) */
};

struct ppc {
	struct model_ctx *c;
	struct kid *kids;            /* slot i is bit i of the board */
	int nslots, cap, free_head;
	int live;
	int since_sweep;             /* accepts since every child was checked */
	int sweep_every;             /* children alive at that check, at least 1 */
	/* Bit i: the child in slot i is exiting (it set the bit itself). */
	_Atomic uint64_t *board;
	unsigned accepted;           /* connections, for the children's names */
	unsigned failed;             /* connections closed: no child for them */
	char name[NAME_MAX_LEN];     /* the server's actor's name */
	sigset_t handled;            /* signals with a handler, at the last fork
	                                (the child resets those) */
};

/* What a child needs to serve its connection. */
struct conn {
	int fd;
	const struct probe *p;
	int64_t work_ns;             /* real ns a request takes */
	size_t chunk;
	bool mute;                   /* a send failed: read on, answer no more */
	struct srv_line line;        /* the unfinished line */
};

_Static_assert(__atomic_always_lock_free(sizeof(uint64_t), 0),
	       "the exit board is shared with child processes: lock-free atomics only");

/* ---- The child ---- */

/* Phase 1 ended when the data came, which the kernel stamps: recvmsg,
 * recv's sibling, hands the stamp back (srv.h, srv_recv_stamped).  At the
 * call's start if the data was already waiting; without a stamp (end of
 * file, an error, data that came before the kernel stamped any) at the
 * return, the only moment a blocking reader learns of it. */
static ssize_t child_recv(struct conn *k, char *buf)
{
	return srv_recv_blocking(k->p, k->fd, buf, k->chunk);
}

/* The work a request takes, then its answer: the line, back
 * (srv_line_feed's callback). */
static int child_answer(void *arg, const char *line, size_t len)
{
	struct conn *k = arg;

	if (k->work_ns > 0) {
		struct timespec ts = { k->work_ns / 1000000000, k->work_ns % 1000000000 };
		int64_t t = probe_now(k->p);

		probe_idle(false, 0, 0);
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
		probe_idle(true, probe_now(k->p) - t, 0);
	}
	if (!k->mute && srv_send_all(k->fd, line, len, NULL) != 0)
		k->mute = true;
	return 0;
}

/* Read to end of file; every complete line (or SRV_LINE_MAX bytes of one)
 * is answered.  A half line at the end goes with its sender. */
static void child_serve(struct conn *k)
{
	char buf[MODEL_BUF];
	ssize_t n;

	while ((n = child_recv(k, buf)) > 0 || n == -EINTR)
		if (n > 0)
			srv_line_feed(&k->line, buf, (size_t)n, child_answer, k);
}

/* Handlers the parent installed would run in the child on the parent's
 * behalf: libuv's for SIGTERM and SIGINT write to the loop's signal pipe,
 * which the child shares, and the parent's loop would think it got the
 * signal.  Back to the defaults, then every signal unblocked (S blocked
 * the handled ones across the fork, so none ran in between). */
static void child_signals(const sigset_t *handled)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;

	sigemptyset(&dfl.sa_mask);
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(handled, sig) == 1)
			sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static void close_from(unsigned lo, unsigned hi)
{
	struct rlimit rl;

	if (lo > hi || close_range(lo, hi, 0) == 0)
		return;
	/* No close_range (Linux < 5.9): one by one, up to the limit. */
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur > (1u << 20))
		rl.rlim_cur = 1u << 20;
	for (unsigned fd = lo; fd <= hi && fd < rl.rlim_cur; fd++)
		close((int)fd);
}

/* The child inherited every descriptor of the process: the listening
 * socket, the connections S had not closed yet, and (in ioscope's runs)
 * the world's own client sockets, the other ends of every connection.  A
 * copy kept open here would keep a connection from ending: the world's
 * close of a client would not reach its server's child as end of file
 * while this child held the client's socket too.  So it keeps only its
 * connection, the sink's wake descriptor, and stdin, stdout and stderr
 * unless they are sockets (a sanitizer's report goes to stderr). */
static void child_close_inherited(int conn, int wake)
{
	int keep[5], n = 0;
	unsigned lo = 0;

	for (int fd = 0; fd <= 2; fd++) {
		struct stat st;

		if (fstat(fd, &st) == 0 && !S_ISSOCK(st.st_mode))
			keep[n++] = fd;
	}
	keep[n++] = conn;
	if (wake >= 0 && wake != conn)
		keep[n++] = wake;
	for (int i = 1; i < n; i++)              /* a few: insertion sort */
		for (int j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
			int t = keep[j];

			keep[j] = keep[j - 1];
			keep[j - 1] = t;
		}
	for (int i = 0; i < n; i++) {
		if ((unsigned)keep[i] > lo)
			close_from(lo, (unsigned)keep[i] - 1);
		lo = (unsigned)keep[i] + 1;
	}
	close_from(lo, ~0u);
}

/* After fork, in the child: only async-signal-safe calls (another thread
 * of the parent may have held any lock at the fork), never the parent's
 * code or libuv again.  Its probe first: the thread's own is S's, whose
 * ring must keep one producer. */
static void __attribute__((noreturn)) child_main(struct ppc *s, int slot, int fd,
						 int64_t work_ns)
{
	struct kid *kid = &s->kids[slot];
	struct conn k = { .fd = fd, .p = &kid->probe, .work_ns = work_ns,
			  .chunk = model_chunk(s->c) };
	int slot_bit = slot % 64;

	probe_attach(&kid->probe);
	probe_forked();
	child_signals(&s->handled);
	child_close_inherited(fd, kid->probe.sink != NULL ? sink_wake_fd(kid->probe.sink) : -1);
	probe_actor_begin();
	child_serve(&k);
	close(fd);
	probe_actor_end();
	atomic_fetch_or_explicit(&s->board[slot / 64], UINT64_C(1) << slot_bit,
				 memory_order_release);
	_exit(0);
}

/* ---- The parent: its children ---- */

static int slot_new(struct ppc *s)
{
	int i = s->free_head;

	if (i >= 0) {
		s->free_head = s->kids[i].next_free;
		return i;
	}
	if (s->nslots == BOARD_BITS)
		return -ENOSPC;
	if (s->nslots == s->cap) {
		int cap = s->cap ? s->cap * 2 : 64;
		struct kid *k = realloc(s->kids, (size_t)cap * sizeof *k);

		if (k == NULL)
			return -ENOMEM;
		s->kids = k;
		s->cap = cap;
	}
	return s->nslots++;
}

static void slot_free(struct ppc *s, int i)
{
	s->kids[i] = (struct kid){ .pid = 0, .next_free = s->free_head };
	s->free_head = i;
}

/* A child is gone.  One that died before its own end (a signal) has its
 * end said for it, in its ring: with the child reaped, S is the ring's
 * only producer.  The ring's last event tells whether the child said it
 * already (and whether it began at all). */
static void kid_gone(struct ppc *s, int i, bool signaled)
{
	struct kid *k = &s->kids[i];
	const struct trace_ev *last = k->probe.ring != NULL ? ring_last(k->probe.ring) : NULL;

	if (last != NULL && !(last->kind == TRACE_ACTOR && (last->flags & TRACE_F_END))) {
		probe_attach(&k->probe);
		probe_actor_end();
		probe_attach(&s->c->probe);
		if (signaled && !model_should_stop(s->c))
			probe_note("a child process was killed by a signal in the middle of "
				   "its connection: its connection ends with it",
				   "一个子进程在服务连接的途中被信号杀死：它的连接随之结束");
	}
	slot_free(s, i);
	s->live--;
}

/* Reap child i if it is gone; options: WNOHANG or 0.  True if it was. */
static bool kid_reap(struct ppc *s, int i, int options)
{
	int st = 0;
	pid_t r;

	do
		r = waitpid(s->kids[i].pid, &st, options);
	while (r < 0 && errno == EINTR && options == 0);
	if (r == 0 || (r < 0 && errno == EINTR))
		return false;
	/* ECHILD: reaped by someone else's waitpid(-1); gone all the same. */
	kid_gone(s, i, r > 0 && WIFSIGNALED(st));
	return true;
}

/* Without blocking: the children that posted their exit on the board,
 * and now and then every child (those killed never post). */
static void reap(struct ppc *s, bool sweep)
{
	for (int w = 0; w < (s->nslots + 63) / 64; w++) {
		uint64_t bits;

		if (atomic_load_explicit(&s->board[w], memory_order_relaxed) == 0)
			continue;
		bits = atomic_exchange_explicit(&s->board[w], 0, memory_order_acquire);
		for (int b = 0; b < 64; b++)
			if ((bits & (UINT64_C(1) << b)) && s->kids[w * 64 + b].pid > 0 &&
			    !kid_reap(s, w * 64 + b, WNOHANG))
				/* posted just before its _exit: next time */
				atomic_fetch_or_explicit(&s->board[w], UINT64_C(1) << b,
							 memory_order_relaxed);
	}
	if (!sweep && ++s->since_sweep < s->sweep_every)
		return;
	s->since_sweep = 0;
	s->sweep_every = s->live > 1 ? s->live : 1;
	for (int i = 0; i < s->nslots; i++)
		if (s->kids[i].pid > 0)
			kid_reap(s, i, WNOHANG);
}

static void kill_all(struct ppc *s, int sig)
{
	for (int i = 0; i < s->nslots; i++)
		if (s->kids[i].pid > 0)
			kill(s->kids[i].pid, sig);
}

/* Every child killed and reaped.  SIGTERM first (a child's default:
 * it dies), then, past the grace, SIGKILL and a blocking wait. */
static void stop_children(struct ppc *s)
{
	int64_t until = trace_mono_ns() + (int64_t)GRACE_MS * 1000000;

	kill_all(s, SIGTERM);
	while (s->live > 0 && trace_mono_ns() < until) {
		int before = s->live;

		reap(s, true);
		if (s->live == before)
			poll(NULL, 0, 1);
	}
	if (s->live == 0)
		return;
	kill_all(s, SIGKILL);
	for (int i = 0; i < s->nslots; i++)
		if (s->kids[i].pid > 0)
			kid_reap(s, i, 0);
}

/* ---- The parent: accept and fork ---- */

/* The real ns a request's work takes now.  The child cannot sleep on the
 * scenario clock (its lock may be held at the fork, and the child would
 * see none of its later changes), so it gets the length at the clock's
 * speed when it was forked; on a paused clock, as at speed 1. */
static int64_t work_real_ns(struct model_ctx *c)
{
	int64_t d;

	if (c->work_ns <= 0 || c->clock == NULL)
		return c->work_ns > 0 ? c->work_ns : 0;
	d = sclock_real_until(c->clock, sclock_now(c->clock) + c->work_ns);
	return d >= 0 ? d : c->work_ns;
}

/* Announce the child of connection n; untraced, its probe is zeroed. */
static void announce(struct ppc *s, struct kid *k)
{
	char name[NAME_MAX_LEN + 16], en[NAME_MAX_LEN + 48], zh[NAME_MAX_LEN + 48];

	snprintf(name, sizeof name, "%s.%u", s->name, s->accepted);
	snprintf(en, sizeof en, "%s's process for connection %u", s->name, s->accepted);
	snprintf(zh, sizeof zh, "%s 为第 %u 个连接开的进程", s->name, s->accepted);
	probe_actor_new(&k->probe, &(struct sink_actor){
		.name = name, .model = "process-per-conn", .caps = TRACE_CAP_PHASES,
		.label_en = en, .label_zh = zh,
	});
}

static void spawn_failed(struct ppc *s)
{
	if (s->failed++ == 0)
		probe_note("fork failed (a limit on processes or memory): the server "
			   "closed that connection and goes on",
			   "fork 失败（进程数或内存到了上限）：服务器关掉这个连接，继续工作");
}

/* The signals that have a handler now: blocked across the fork, so that
 * none runs in the child before child_signals.  Only those: a blocked
 * signal whose default is to be ignored (SIGCHLD, a child exiting
 * meanwhile) is not dropped but left pending for the process, and wakes
 * another thread's call with EINTR for nothing. */
static void handled_signals(sigset_t *set)
{
	struct sigaction sa;

	sigemptyset(set);
	for (int sig = 1; sig < NSIG; sig++)
		if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler != SIG_DFL &&
		    sa.sa_handler != SIG_IGN)
			sigaddset(set, sig);
}

/* A child for connection fd; S's copy of fd is closed either way. */
static void spawn(struct ppc *s, int fd)
{
	int64_t work = work_real_ns(s->c), t0;
	int i = slot_new(s), err;
	sigset_t old;
	pid_t pid;

	s->accepted++;
	if (i < 0) {
		close(fd);
		spawn_failed(s);
		return;
	}
	s->kids[i] = (struct kid){ .pid = 0, .next_free = -1 };
	announce(s, &s->kids[i]);
	/* A connection whose handshake finished before the listener's
	 * stamps were on did not inherit them (see ppc_run). */
	if (s->kids[i].probe.ring != NULL)
		(void)srv_stamp_arrivals(fd);
	handled_signals(&s->handled);
	pthread_sigmask(SIG_BLOCK, &s->handled, &old);
	t0 = probe_enter(TRACE_CALL_CLONE, -1, false);
	/* lesson: fork-per-conn */
	pid = fork();
	if (pid == 0)
		child_main(s, i, fd, work);
	/* lesson end */
	err = errno;
	probe_exit(TRACE_CALL_CLONE, -1, pid, err, t0, 0);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	close(fd);
	if (pid < 0) {
		slot_free(s, i);
		spawn_failed(s);
		return;
	}
	s->kids[i].pid = pid;
	s->live++;
}

/* A failed accept: 0 to go on, or what run returns. */
static int accept_failed(struct ppc *s, int err)
{
	struct timespec backoff = { 0, 10 * 1000000 };

	if (model_should_stop(s->c))
		return 1;
	switch (err) {
	case EINTR:
	case ECONNABORTED:
		return 0;
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case ENOMEM:
		/* Out of descriptors or memory: the connection waits in the
		 * backlog; try again shortly rather than spin. */
		nanosleep(&backoff, NULL);
		return 0;
	default:
		return -err;
	}
}

static int serve(struct ppc *s)
{
	int lfd = s->c->listen_fd;

	while (!model_should_stop(s->c)) {
		/* lesson: accept-blocking */
		int64_t t0 = probe_enter(TRACE_CALL_ACCEPT, lfd, true);
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		int err = errno, rc;

		probe_exit(TRACE_CALL_ACCEPT, lfd, fd, err, t0, 0);
		/* lesson end */
		reap(s, false);
		if (fd >= 0)
			spawn(s, fd);
		else if ((rc = accept_failed(s, err)) != 0)
			return rc > 0 ? 0 : rc;
	}
	return 0;
}

static int ppc_run(struct model_ctx *c)
{
	struct ppc s = { .c = c, .free_head = -1 };
	int fl, rc;

	if (c->listen_fd < 0)
		return -EINVAL;
	if (c->serve != MODEL_SERVE_ECHO)
		return -EPROTONOSUPPORT;     /* its one role: serve=echo */
	snprintf(s.name, sizeof s.name, "%s", model_actor_name(c));
	/* Blocking, whatever the last user of the socket left. */
	if ((fl = fcntl(c->listen_fd, F_GETFL)) < 0 ||
	    fcntl(c->listen_fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
		return -errno;
	/* Traced, the children's reads want the kernel's arrival stamps
	 * (srv.h): every connection accepted from the listener inherits
	 * them, and the kernel starts stamping (a moment's work queue)
	 * before the first client comes.  A failure costs only the stamps,
	 * not the serving; untraced (the bench) nothing is asked. */
	if (probe_self() != NULL)
		(void)srv_stamp_arrivals(c->listen_fd);
	s.board = mmap(NULL, BOARD_BITS / 8, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s.board == MAP_FAILED)
		return -errno;
	rc = serve(&s);
	stop_children(&s);
	munmap(s.board, BOARD_BITS / 8);
	free(s.kids);
	return rc;
}

const struct model_ops model_process_per_conn = {
	.name = "process-per-conn",
	.summary = "fork() a child per connection; each child serves it with blocking reads",
	.caps = TRACE_CAP_SPAWNS,
	.roles = MODEL_ROLE_ECHO,
	.available = model_available_always,
	.run = ppc_run,
};
