/* sigio.c: the rod with a bell in the fisher's pocket.
 *
 * Signal-driven IO (UNP 6.2, TLPI 63.3).  Each fd is O_NONBLOCK|O_ASYNC and
 * owned by this thread (F_SETOWN_EX, F_OWNER_TID), so when data arrives or
 * the far end closes, the kernel sends this thread a signal naming the fd.
 * The handler only writes down what it heard.  The thread meanwhile does
 * other work in slices on the world's clock, and between slices reads every
 * fd a signal named until EAGAIN.  Phase 1 costs it nothing; phase 2, the
 * recv that copies, still blocks it.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "models/model.h"
#include "trace/sclock.h"

#define SLICE_NS 50000000      /* 50 scenario ms of other work between looks */
#define HEARD_MAX 64           /* signals noted between two looks */

/* The handler shares 64-bit times with the thread it interrupts. */
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2 && ATOMIC_INT_LOCK_FREE == 2,
	       "the signal handler needs lock-free atomics");

/* One run of the handler. */
struct heard {
	int64_t t_ns;              /* when it ran (trace time) */
	int32_t fd;                /* si_fd, or -1: SIGIO, the fd is not known */
	int32_t signo;
	int32_t tid;               /* the thread it ran on */
};

/* Written by the handler, read by the thread it interrupts.  Both run on
 * the same thread, never at once, so one producer, one consumer: head is
 * the handler's, tail the thread's. */
struct inbox {
	struct heard h[HEARD_MAX];
	_Atomic uint32_t head;
	_Atomic uint32_t tail;
	_Atomic int64_t full_ns;   /* the inbox was full then: read every fd */
	const struct probe *probe; /* the clock: set before the inbox is seen */
};

struct rod {
	struct feed *f;
	bool open;
	bool waiting;              /* inside phase 1 */
	bool rung;                 /* a signal named it: read it after this slice */
	int64_t since;             /* when this phase 1 began */
};

struct listener {
	struct model_ctx *c;
	struct inbox in;
	struct rod *rods;
	int open;
	char buf[MODEL_BUF];
};

/* Which signal: a real-time one, so that with F_SETSIG the kernel queues one
 * per event and fills si_fd (plain SIGIO is not queued, says nothing about
 * the fd, and is what the kernel falls back to when the real-time queue is
 * full: see fcntl(2), F_SETSIG).  SIGRTMIN+2 is clear of MODEL_WAKE_SIGNAL
 * (SIGRTMIN+4), whose handler does nothing, and of the two below SIGRTMIN
 * that glibc keeps for itself. */
static int sig_ready;          /* SIGRTMIN + 2, fixed once installed */

/* Each model thread's inbox, for the handler.  initial-exec: reading it
 * from a handler never allocates. */
static __thread struct inbox *_Atomic my_inbox __attribute__((tls_model("initial-exec")));

/* Async-signal-safe only: clock_gettime, gettid, atomics; errno kept. */
static void heard_cb(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;
	struct inbox *in = atomic_load_explicit(&my_inbox, memory_order_relaxed);

	(void)uc;
	if (in != NULL) {
		int64_t t = probe_now(in->probe);
		uint32_t head = atomic_load_explicit(&in->head, memory_order_relaxed);

		if (head - atomic_load_explicit(&in->tail, memory_order_acquire) < HEARD_MAX) {
			/* lesson: sigio-handler */
			bool named = sig == sig_ready && si->si_code >= POLL_IN && si->si_code <= POLL_HUP;

			in->h[head % HEARD_MAX] = (struct heard){
				.t_ns = t, .fd = named ? si->si_fd : -1,
				.signo = sig, .tid = gettid(),
			};
			atomic_store_explicit(&in->head, head + 1, memory_order_release);
			/* lesson end */
		} else {
			int64_t zero = 0;

			atomic_compare_exchange_strong(&in->full_ns, &zero, t);
		}
	}
	errno = saved;
}

static pthread_once_t handler_once = PTHREAD_ONCE_INIT;
static int handler_rc;

/* One handler for the process, for the chosen signal and for SIGIO;
 * without SA_RESTART; each blocks the other while it runs, so the inbox
 * never sees two writers at once. */
static void handler_init(void)
{
	struct sigaction sa = { .sa_sigaction = heard_cb, .sa_flags = SA_SIGINFO };

	sig_ready = SIGRTMIN + 2;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, sig_ready);
	sigaddset(&sa.sa_mask, SIGIO);
	if (sigaction(sig_ready, &sa, NULL) != 0 || sigaction(SIGIO, &sa, NULL) != 0)
		handler_rc = -errno;
}

/* Our signals reach this thread's handler even if its creator blocked them. */
static int unblock(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig_ready);
	sigaddset(&set, SIGIO);
	return -pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

/* Owner and signal before O_ASYNC: with no owner yet it would signal nobody. */
static int arm(int fd, pid_t tid)
{
	/* lesson: sigio-arm */
	struct f_owner_ex own = { .type = F_OWNER_TID, .pid = tid };
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETOWN_EX, &own) < 0 || fcntl(fd, F_SETSIG, sig_ready) < 0 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK | O_ASYNC) < 0)
		return -errno;
	/* lesson end */
	return 0;
}

/* The world closes the fds later; no signal should chase this thread. */
static void disarm(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_ASYNC);
}

static void wait_begin(struct listener *l, struct rod *r)
{
	r->since = probe_now(&l->c->probe);
	r->waiting = true;
	probe_phase(TRACE_PH_WAIT, false, false, r->f->fd, r->since);
}

static void wait_end(struct rod *r, int64_t t)
{
	probe_phase(TRACE_PH_WAIT, true, false, r->f->fd, t);
	r->waiting = false;
}

/* A signal named r at t: phase 1 ended then.  A signal from before this
 * phase 1 began was about bytes already read; the read after the slice
 * finds out, and ends the phase only if it gets something. */
static void bell(struct rod *r, int64_t t)
{
	if (!r->open)
		return;
	r->rung = true;
	if (r->waiting && t >= r->since)
		wait_end(r, t);
}

static struct rod *find(struct listener *l, int fd)
{
	for (int i = 0; i < l->c->nfds; i++)
		if (l->rods[i].f->fd == fd)
			return &l->rods[i];
	return NULL;
}

static void bell_all(struct listener *l, int64_t t)
{
	for (int i = 0; i < l->c->nfds; i++)
		bell(&l->rods[i], t);
}

/* After a slice: turn what the handler noted into events, in the order it
 * ran, stamped when it ran. */
static void look(struct listener *l)
{
	struct inbox *in = &l->in;
	uint32_t head = atomic_load_explicit(&in->head, memory_order_acquire);
	uint32_t tail = atomic_load_explicit(&in->tail, memory_order_relaxed);
	int64_t full;

	for (; tail != head; tail++) {
		struct heard h = in->h[tail % HEARD_MAX];
		struct trace_ev ev = { .kind = TRACE_SIGNAL, .n = h.signo, .fd = h.fd,
				       .tid = h.tid, .t_ns = h.t_ns };
		struct rod *r;

		probe_emit(&ev, false);
		if (h.fd < 0)          /* SIGIO: the queue overflowed */
			bell_all(l, h.t_ns);
		else if ((r = find(l, h.fd)) != NULL)
			bell(r, h.t_ns);
	}
	atomic_store_explicit(&in->tail, head, memory_order_release);
	if ((full = atomic_exchange(&in->full_ns, 0)) != 0)
		bell_all(l, full);
}

/* Read r until EAGAIN (several arrivals may share one look); 0 or -errno. */
static int drain(struct listener *l, struct rod *r)
{
	int fd = r->f->fd, err;
	ssize_t n;

	r->rung = false;
	do {
		int64_t t0 = probe_enter(TRACE_CALL_RECVFROM, fd, false), t1;

		n = recv(fd, l->buf, model_chunk(l->c), 0);
		err = errno;
		t1 = probe_now(&l->c->probe);
		if (n > 0) {
			if (r->waiting)
				wait_end(r, t0);
			probe_phase(TRACE_PH_COPY, false, true, fd, t0);
			probe_phase(TRACE_PH_COPY, true, true, fd, t1);
		} else if (r->waiting && (n == 0 || (err != EAGAIN && err != EINTR))) {
			wait_end(r, t1);
		}
		probe_exit(TRACE_CALL_RECVFROM, fd, n, err, t0, 0);
	} while (n > 0 || (n < 0 && err == EINTR));
	if (n == 0) {
		r->open = false;
		l->open--;
		return 0;
	}
	if (err != EAGAIN)
		return model_should_stop(l->c) ? -ECANCELED : -err;
	atomic_store(&r->f->ready_ns, 0);
	if (!r->waiting)
		wait_begin(l, r);
	return 0;
}

static int drain_rung(struct listener *l)
{
	for (int i = 0; i < l->c->nfds; i++) {
		int rc;

		if (l->rods[i].open && l->rods[i].rung && (rc = drain(l, &l->rods[i])) != 0)
			return rc;
	}
	return 0;
}

static const struct trace_ev note = {
	.kind = TRACE_NOTE, .fd = -1,
	.text = {
		"each fd now signals this thread (SIGRTMIN+2, naming the fd) when data arrives; "
		"data that came before would raise no signal, so each fd is read once now",
		"现在每个 fd 有数据到达时都会给这个线程发信号（SIGRTMIN+2，带上 fd）；"
		"之前已到的数据不会再触发信号，所以现在先把每个 fd 读一次",
	},
};

/* Arm every fd, then read each once: only arrivals after arming ring. */
static int listen_all(struct listener *l)
{
	struct trace_ev ev = note;
	pid_t tid = gettid();
	int rc;

	for (int i = 0; i < l->c->nfds; i++) {
		l->rods[i] = (struct rod){ .f = &l->c->fds[i], .open = true };
		l->open++;
		if ((rc = arm(l->rods[i].f->fd, tid)) != 0)
			return rc;
	}
	ev.t_ns = probe_now(&l->c->probe);
	probe_emit(&ev, false);
	for (int i = 0; i < l->c->nfds; i++) {
		wait_begin(l, &l->rods[i]);
		if ((rc = drain(l, &l->rods[i])) != 0)
			return rc;
	}
	return 0;
}

/* Other work, a slice at a time; after each, read what the signals named. */
static int work_loop(struct listener *l)
{
	uint32_t round = 0;

	while (l->open > 0 && !model_should_stop(l->c)) {
		int64_t t0;
		int rc;

		probe_idle(false, 0, ++round);
		t0 = probe_now(&l->c->probe);
		rc = sclock_sleep(l->c->clock, SLICE_NS, &l->c->stop);
		if (rc == 0)
			look(l);
		probe_idle(true, probe_now(&l->c->probe) - t0, round);
		if (rc != 0 || (rc = drain_rung(l)) != 0)
			return rc;
	}
	return l->open > 0 ? -ECANCELED : 0;
}

static int sigio_run(struct model_ctx *c)
{
	struct listener *l = calloc(1, sizeof *l);
	int rc;

	pthread_once(&handler_once, handler_init);
	if (handler_rc != 0)
		return handler_rc;
	if (l == NULL || (l->rods = calloc((size_t)c->nfds + 1, sizeof *l->rods)) == NULL) {
		free(l);
		return -ENOMEM;
	}
	l->c = c;
	l->in.probe = &c->probe;
	atomic_store(&my_inbox, &l->in);
	if ((rc = unblock()) == 0 && (rc = listen_all(l)) == 0)
		rc = work_loop(l);
	if (rc == -ECANCELED && l->open == 0)
		rc = 0;
	for (int i = 0; i < c->nfds; i++)
		disarm(c->fds[i].fd);
	/* Signals sent before the disarm were delivered as its fcntl returned. */
	atomic_store(&my_inbox, NULL);
	free(l->rods);
	free(l);
	return rc;
}

const struct model_ops model_sigio = {
	.name = "sigio",
	.summary = "O_ASYNC + a real-time signal: free while waiting, the recv that copies still blocks",
	.caps = TRACE_CAP_PHASES | TRACE_CAP_SIGNAL,
	.roles = MODEL_ROLE_READER,
	.available = model_available_always,
	.run = sigio_run,
};
