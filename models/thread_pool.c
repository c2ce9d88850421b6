/* thread_pool.c: producer and consumers around a bounded queue.
 *
 * The server's own thread S is the producer: one epoll loop accepts and
 * reads every connection, and each complete line (a request, the echo
 * protocol of model.h) goes into a queue of at most `queue` requests.  A
 * fixed pool of `workers` threads (announced actors S.w1 ...) are the
 * consumers: each takes the oldest request, works on it for work_ns and
 * writes the answer.  When the queue is empty the workers sleep; when it
 * is full S sleeps, and reads nobody meanwhile: the queue's bound is how
 * the slow side holds the fast one back.
 *
 * The sleeps are futex(2) calls on two words of the queue, made here
 * with syscall(SYS_futex) rather than through pthread_cond_wait: glibc's
 * condition variable spins, switches between groups of waiters and takes
 * its mutex again after the wake, so a probe around it would time a
 * library call that makes zero, one or several futex calls on words of
 * glibc's.  Here one traced futex enter/exit is one FUTEX_WAIT of the
 * kernel's, on a word the program can name: `pushed` (workers wait for a
 * request) and `popped` (S waits for room).  Each word counts its event,
 * and a sleeper reads it under the queue's lock before it sleeps, so a
 * push or pop that lands between the unlock and the FUTEX_WAIT changes the
 * word and the kernel returns at once (EAGAIN): no wake-up is lost.
 *
 * A connection read to its end of file leaves the epoll set at once but
 * is closed only when its last request has been answered: it holds one
 * reference for S and one per request queued or being answered.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "models/srv.h"
#include "trace/sclock.h"

#define DEF_WORKERS 3
#define DEF_QUEUE   4
#define MAX_WORKERS 64            /* scenario option workers=, 1..64 */
#define MAX_QUEUE   1024          /* queue=, 1..1024 */
#define NEVENTS     256           /* epoll events per wait */
#define SLICE_MS    10            /* sleeps check the stop this often */

struct conn {
	int fd;
	_Atomic int refs;            /* S's while it reads, and one per request
	                                queued or being answered */
	bool waiting;                /* S's trace: in the read's phase 1 */
	bool rearm;                  /* on S's list to begin phase 1 again */
	struct conn *next;           /* that list */
	pthread_mutex_t wmu;         /* one answer at a time on the socket */
	struct srv_line line;        /* S's: the unfinished line */
};

struct req {
	struct conn *k;
	size_t len;
	char data[SRV_LINE_MAX];
};

struct workq {
	pthread_mutex_t mu;          /* everything below but the words */
	struct req *slot;            /* [cap], a ring from head */
	int cap, head, depth;
	int sleepers;                /* workers asleep on pushed */
	bool producer_waits;         /* S asleep on popped */
	_Atomic int stop;
	_Atomic uint32_t pushed;     /* futex word: bumped by every push, and stop */
	_Atomic uint32_t popped;     /* futex word: bumped by every pop, and stop */
};

struct pool;

struct worker {
	struct pool *p;
	pthread_t th;
	struct probe probe;
	bool started;
	char name[48];
};

struct pool {
	struct model_ctx *c;
	struct workq q;
	struct srv_ep ep;
	struct worker *w;
	int nworkers;
	struct conn *rearm;          /* read since the last wait */
	struct epoll_event evs[NEVENTS];
	char buf[MODEL_BUF];
};

/* ---- The queue ---- */

/* lesson: futex-wait */
/* Sleep while *word still holds seen; traced, since this is where a
 * thread of the pool blocks.  Returns 0 (woken), -EAGAIN (the word had
 * already moved on) or -EINTR (a signal: model_stop's). */
static int futex_wait(_Atomic uint32_t *word, uint32_t seen)
{
	int64_t t0 = probe_enter(TRACE_CALL_FUTEX, -1, true);
	long rc = syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, seen, NULL, NULL, 0);
	int err = errno;

	probe_exit(TRACE_CALL_FUTEX, -1, rc, err, t0, 0);
	return rc < 0 ? -err : 0;
}
/* lesson end */

/* Wakes are not traced (trace.h, TRACE_CALL_FUTEX): they never block. */
static void futex_wake(_Atomic uint32_t *word, int n)
{
	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

static int workq_init(struct workq *q, int cap)
{
	memset(q, 0, sizeof *q);
	if ((q->slot = calloc((size_t)cap, sizeof *q->slot)) == NULL)
		return -ENOMEM;
	q->cap = cap;
	pthread_mutex_init(&q->mu, NULL);
	return 0;
}

static void workq_free(struct workq *q)
{
	pthread_mutex_destroy(&q->mu);
	free(q->slot);
}

/* The trace's word for the queue now (set workq); under q->mu, so that
 * the depths appear in the order they happened. */
static void show_queue(const struct workq *q)
{
	struct trace_ev ev = { .kind = TRACE_SET, .what = TRACE_SET_WORKQ, .fd = -1,
			       .n = q->depth, .arg = q->cap };
	int fds[TRACE_FDS_INLINE];
	int listed = q->depth < TRACE_FDS_INLINE ? q->depth : TRACE_FDS_INLINE;

	if (probe_self() == NULL)
		return;
	for (int i = 0; i < listed; i++)
		fds[i] = q->slot[(q->head + i) % q->cap].k->fd;
	trace_ev_set_fds(&ev, fds, listed);
	ev.fds_more = (uint32_t)(q->depth - listed);
	ev.t_ns = probe_now(probe_self());
	probe_emit(&ev, false);
}

/* lesson: workq-push */
/* S: one request at the back of the queue, asleep in futex while the
 * queue is full.  Returns 0, or -ECANCELED when the run is stopping. */
static int workq_push(struct pool *p, struct conn *k, const char *line, size_t len)
{
	struct workq *q = &p->q;
	struct req *r;
	bool wake;

	pthread_mutex_lock(&q->mu);
	while (q->depth == q->cap) {
		uint32_t seen = atomic_load(&q->popped);

		if (model_should_stop(p->c)) {
			pthread_mutex_unlock(&q->mu);
			return -ECANCELED;
		}
		q->producer_waits = true;
		pthread_mutex_unlock(&q->mu);
		futex_wait(&q->popped, seen);
		pthread_mutex_lock(&q->mu);
		q->producer_waits = false;
	}
	r = &q->slot[(q->head + q->depth) % q->cap];
	r->k = k;
	r->len = len;
	memcpy(r->data, line, len);
	atomic_fetch_add(&k->refs, 1);
	q->depth++;
	show_queue(q);
	atomic_fetch_add(&q->pushed, 1);
	wake = q->sleepers > 0;
	pthread_mutex_unlock(&q->mu);
	if (wake)
		futex_wake(&q->pushed, 1);
	return 0;
}
/* lesson end */

/* lesson: workq-pop */
/* A worker: the oldest request into out, asleep in futex while the queue
 * is empty.  Returns 0, or -ECANCELED once the queue is stopped. */
static int workq_pop(struct workq *q, struct req *out)
{
	struct req *r;
	bool wake;

	pthread_mutex_lock(&q->mu);
	while (q->depth == 0 && !atomic_load(&q->stop)) {
		uint32_t seen = atomic_load(&q->pushed);

		q->sleepers++;
		pthread_mutex_unlock(&q->mu);
		futex_wait(&q->pushed, seen);
		pthread_mutex_lock(&q->mu);
		q->sleepers--;
	}
	if (atomic_load(&q->stop)) {
		pthread_mutex_unlock(&q->mu);
		return -ECANCELED;
	}
	r = &q->slot[q->head];
	out->k = r->k;
	out->len = r->len;
	memcpy(out->data, r->data, r->len);
	q->head = (q->head + 1) % q->cap;
	q->depth--;
	show_queue(q);
	atomic_fetch_add(&q->popped, 1);
	wake = q->producer_waits;
	pthread_mutex_unlock(&q->mu);
	if (wake)
		futex_wake(&q->popped, 1);
	return 0;
}
/* lesson end */

/* Everyone out: the words move, so a sleeper about to sleep returns at
 * once, and every sleeper is woken. */
static void workq_stop(struct workq *q)
{
	pthread_mutex_lock(&q->mu);
	atomic_store(&q->stop, 1);
	atomic_fetch_add(&q->pushed, 1);
	atomic_fetch_add(&q->popped, 1);
	pthread_mutex_unlock(&q->mu);
	futex_wake(&q->pushed, INT_MAX);
	futex_wake(&q->popped, INT_MAX);
}

/* ---- Connections ---- */

static void conn_put(struct conn *k)
{
	if (atomic_fetch_sub(&k->refs, 1) != 1)
		return;
	close(k->fd);
	pthread_mutex_destroy(&k->wmu);
	free(k);
}

static bool stopping(struct pool *p)
{
	return model_should_stop(p->c) || atomic_load(&p->q.stop);
}

/* ---- The workers ---- */

/* Without the scenario's clock: a plain sleep, in slices, so that a stop
 * is heard. */
static void nap(struct pool *p, int64_t ns)
{
	while (ns > 0 && !stopping(p)) {
		int64_t d = ns < SLICE_MS * 1000000LL ? ns : SLICE_MS * 1000000LL;
		struct timespec ts = { d / 1000000000, d % 1000000000 };

		nanosleep(&ts, NULL);
		ns -= d;
	}
}

/* The request's work: work_ns of the scenario's time, shown as idle. */
static void work(struct pool *p)
{
	int64_t ns = p->c->work_ns, t0;

	if (ns <= 0)
		return;
	t0 = probe_now(probe_self());
	probe_idle(false, 0, 0);
	if (p->c->clock != NULL)
		sclock_sleep(p->c->clock, ns, &p->c->stop);
	else
		nap(p, ns);
	probe_idle(true, probe_now(probe_self()) - t0, 0);
}

/* The answer: the request's bytes back to its sender.  The socket is
 * non-blocking (S's reads must never sleep): a full send buffer is
 * waited out in slices. */
static void answer(struct pool *p, const struct req *r)
{
	size_t off = 0;

	pthread_mutex_lock(&r->k->wmu);
	while (off < r->len && !stopping(p)) {
		ssize_t n = srv_send(r->k->fd, r->data + off, r->len - off);

		if (n == -EAGAIN) {
			struct pollfd pfd = { .fd = r->k->fd, .events = POLLOUT };

			poll(&pfd, 1, SLICE_MS);
			continue;
		}
		if (n < 0 && n != -EINTR)
			break;               /* gone: S reads its end */
		off += n > 0 ? (size_t)n : 0;
	}
	pthread_mutex_unlock(&r->k->wmu);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct req *r = malloc(sizeof *r);

	srv_attach(&w->probe);
	probe_actor_begin();
	/* lesson: worker-loop */
	while (r != NULL && workq_pop(&w->p->q, r) == 0) {
		work(w->p);
		answer(w->p, r);
		conn_put(r->k);
	}
	/* lesson end */
	free(r);
	probe_actor_end();
	probe_attach(NULL);
	return NULL;
}

static int start_workers(struct pool *p)
{
	const char *s = srv_name(p->c);

	for (int i = 0; i < p->nworkers; i++) {
		struct worker *w = &p->w[i];
		char en[96], zh[96];
		struct sink_actor a = { .name = w->name, .model = "thread-pool",
					.caps = TRACE_CAP_QUEUE, .label_en = en, .label_zh = zh };
		int64_t t0;
		int rc;

		snprintf(w->name, sizeof w->name, "%s.w%d", s, i + 1);
		snprintf(en, sizeof en, "%s's worker thread %d", s, i + 1);
		snprintf(zh, sizeof zh, "%s 的第 %d 个工作线程", s, i + 1);
		w->p = p;
		probe_actor_new(&w->probe, &a);  /* untraced: w->probe is zeroed */
		t0 = probe_enter(TRACE_CALL_CLONE, -1, false);
		rc = pthread_create(&w->th, NULL, worker_main, w);
		probe_exit(TRACE_CALL_CLONE, -1, rc == 0 ? 0 : -1, rc, t0, 0);
		if (rc != 0)
			return -rc;
		w->started = true;
	}
	return 0;
}

static void stop_workers(struct pool *p)
{
	workq_stop(&p->q);
	for (int i = 0; i < p->nworkers; i++)
		if (p->w[i].started)
			pthread_join(p->w[i].th, NULL);
}

/* ---- S, the producer ---- */

static void rearm(struct pool *p, struct conn *k)
{
	if (k->rearm)
		return;
	k->rearm = true;
	k->next = p->rearm;
	p->rearm = k;
}

/* Phase 1 begins again for the connections read since the last wait. */
static void begin_waits(struct pool *p)
{
	int64_t t = probe_now(probe_self());

	for (struct conn *k = p->rearm; k != NULL; k = k->next) {
		probe_phase(TRACE_PH_WAIT, false, true, k->fd, t);
		k->waiting = true;
		k->rearm = false;
	}
	p->rearm = NULL;
}

/* S is done reading k: it leaves the epoll set; its socket closes when
 * its last request is answered. */
static void drop(struct pool *p, struct conn *k)
{
	srv_ep_del(&p->ep, k->fd);
	conn_put(k);
}

/* New clients: accept until EAGAIN.  -EINVAL once the listening socket
 * was shut down (model_stop). */
static int take_clients(struct pool *p)
{
	for (;;) {
		int fd = srv_accept(p->c->listen_fd);
		struct conn *k;

		if (fd == -EAGAIN || fd == -ECONNABORTED || fd == -EINTR)
			return 0;
		if (fd < 0)
			return fd;
		if ((k = calloc(1, sizeof *k)) == NULL) {
			close(fd);
			continue;
		}
		k->fd = fd;
		atomic_init(&k->refs, 1);
		pthread_mutex_init(&k->wmu, NULL);
		if (srv_ep_add(&p->ep, fd, EPOLLIN | EPOLLRDHUP, k) != 0) {
			conn_put(k);
			continue;
		}
		rearm(p, k);
	}
}

struct feed_arg {
	struct pool *p;
	struct conn *k;
};

static int push_cb(void *arg, const char *line, size_t len)
{
	struct feed_arg *a = arg;

	return workq_push(a->p, a->k, line, len);
}

/* The epoll said k is readable: one read (level-triggered), its lines
 * into the queue.  Returns 0, or -ECANCELED when stopped in a push. */
static int read_conn(struct pool *p, struct conn *k, int64_t t_ready)
{
	struct feed_arg a = { p, k };
	int64_t t0, t1;
	ssize_t n;
	int err;

	if (k->waiting)
		probe_phase(TRACE_PH_WAIT, true, true, k->fd, t_ready);
	k->waiting = false;
	t0 = probe_enter(TRACE_CALL_RECVFROM, k->fd, false);
	n = recv(k->fd, p->buf, sizeof p->buf, 0);
	err = errno;
	t1 = probe_now(probe_self());
	if (n > 0) {
		probe_phase(TRACE_PH_COPY, false, true, k->fd, t0);
		probe_phase(TRACE_PH_COPY, true, true, k->fd, t1);
	}
	probe_exit(TRACE_CALL_RECVFROM, k->fd, n, err, t0, 0);
	if (n == 0 || (n < 0 && err != EAGAIN && err != EINTR)) {
		drop(p, k);          /* end of file, or gone (ECONNRESET) */
		return 0;
	}
	rearm(p, k);
	return n > 0 ? srv_line_feed(&k->line, p->buf, (size_t)n, push_cb, &a) : 0;
}

static int serve(struct pool *p)
{
	while (!model_should_stop(p->c)) {
		int n, rc;
		int64_t t;

		begin_waits(p);
		n = srv_ep_wait(&p->ep, p->evs, NEVENTS, -1);
		t = probe_now(probe_self());
		if (n == -EINTR)
			continue;
		if (n < 0)
			return model_should_stop(p->c) ? 0 : n;
		for (int i = 0; i < n; i++) {
			int fd = p->evs[i].data.fd;
			struct conn *k = srv_ep_owner(&p->ep, fd);

			if (fd == p->c->listen_fd)
				rc = take_clients(p);
			else
				rc = k != NULL ? read_conn(p, k, t) : 0;
			if (rc == -ECANCELED || rc == -EINVAL)
				return 0;    /* stopped */
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

/* After the workers are gone: the requests nobody took, then S's own
 * hold on every connection it still reads. */
static void release_all(struct pool *p)
{
	if (p->q.depth > 0) {
		for (int i = 0; i < p->q.depth; i++)
			conn_put(p->q.slot[(p->q.head + i) % p->q.cap].k);
		p->q.depth = 0;
		show_queue(&p->q);       /* emptied, unanswered */
	}
	for (int i = p->ep.n; i-- > 0;) {
		struct conn *k = srv_ep_owner(&p->ep, p->ep.list[i]);

		if (k != NULL) {         /* stopping: the close will do */
			srv_ep_forget(&p->ep, k->fd);
			conn_put(k);
		}
	}
}

static int clamp(int v, int def, int max)
{
	return v <= 0 ? def : v > max ? max : v;
}

static int pool_run(struct model_ctx *c)
{
	struct pool *p;
	int rc;

	if (c->listen_fd < 0)
		return -EINVAL;              /* a server only (MODEL_ROLE_ECHO) */
	srv_attach(&c->probe);
	if ((p = calloc(1, sizeof *p)) == NULL)
		return -ENOMEM;
	p->c = c;
	p->nworkers = clamp(c->workers, DEF_WORKERS, MAX_WORKERS);
	if ((p->w = calloc((size_t)p->nworkers, sizeof *p->w)) == NULL) {
		rc = -ENOMEM;
		goto fail_p;
	}
	if ((rc = workq_init(&p->q, clamp(c->queue, DEF_QUEUE, MAX_QUEUE))) != 0)
		goto fail_w;
	if ((rc = srv_nonblock(c->listen_fd)) != 0 || (rc = srv_ep_open(&p->ep)) != 0)
		goto fail_q;
	if ((rc = srv_ep_add(&p->ep, c->listen_fd, EPOLLIN, NULL)) == 0 &&
	    (rc = start_workers(p)) == 0)
		rc = serve(p);
	stop_workers(p);
	release_all(p);
	srv_ep_close(&p->ep);
fail_q:
	workq_free(&p->q);
fail_w:
	free(p->w);
fail_p:
	free(p);
	return rc;
}

const struct model_ops model_thread_pool = {
	.name = "thread-pool",
	.summary = "one epoll thread reads requests into a bounded queue; "
		   "a pool of workers takes them (futex waits both ways)",
	.caps = TRACE_CAP_PHASES | TRACE_CAP_INTEREST | TRACE_CAP_QUEUE,
	.roles = MODEL_ROLE_ECHO,
	.available = model_available_always,
	.run = pool_run,
};
