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
 * The queue (workq.c) sleeps in futex(2) calls of its own, one traced
 * call per FUTEX_WAIT, rather than in pthread_cond_wait: workq.c says
 * why.
 *
 * A connection read to its end of file leaves the epoll set at once but
 * is closed only when its last request has been answered: it holds one
 * reference for S and one per request queued or being answered.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "models/srv.h"
#include "models/workq.h"
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
	pthread_cond_t turn;         /* with wmu: answered moved on */
	uint32_t pushed;             /* S's: requests it queued, numbering them */
	uint32_t answered;           /* under wmu: requests answered, in order */
	struct srv_line line;        /* S's: the unfinished line */
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

/* ---- Connections ---- */

static void conn_put(struct conn *k)
{
	if (atomic_fetch_sub(&k->refs, 1) != 1)
		return;
	close(k->fd);
	pthread_cond_destroy(&k->turn);
	pthread_mutex_destroy(&k->wmu);
	free(k);
}

static bool stopping(struct pool *p)
{
	return model_should_stop(p->c) || workq_stopped(&p->q);
}

/* ---- The workers ---- */

/* The answer: the request's bytes back to its sender, after the answers
 * to its earlier requests (another worker may still be on one: a client
 * gets its echoes in the order it sent the lines).  Every earlier request
 * was taken from the queue before this one, so its worker is not waiting
 * for this one.  The socket is non-blocking (S's reads must never
 * sleep): a full send buffer is waited out in slices. */
static void answer(struct pool *p, struct conn *k, const struct workq_req *r)
{
	size_t off = 0;

	pthread_mutex_lock(&k->wmu);
	while (k->answered != r->seq)
		pthread_cond_wait(&k->turn, &k->wmu);
	while (off < r->len && !stopping(p)) {
		ssize_t n = srv_send(k->fd, r->data + off, r->len - off);

		if (n == -EAGAIN) {
			struct pollfd pfd = { .fd = k->fd, .events = POLLOUT };

			poll(&pfd, 1, SLICE_MS);
			continue;
		}
		if (n < 0 && n != -EINTR)
			break;               /* gone: S reads its end */
		off += n > 0 ? (size_t)n : 0;
	}
	k->answered++;
	pthread_cond_broadcast(&k->turn);
	pthread_mutex_unlock(&k->wmu);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct workq_req *r = malloc(sizeof *r);

	srv_attach(&w->probe);
	probe_actor_begin();
	/* lesson: worker-loop */
	while (r != NULL && workq_pop(&w->p->q, r) == 0) {
		model_work(w->p->c, &w->p->q.stop);   /* the request's work */
		answer(w->p, r->owner, r);
		conn_put(r->owner);
	}
	/* lesson end */
	free(r);
	probe_actor_end();
	probe_attach(NULL);
	return NULL;
}

static int start_workers(struct pool *p)
{
	const char *s = model_actor_name(p->c);

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
		pthread_cond_init(&k->turn, NULL);
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

/* One request for the queue; it holds k until it is answered. */
static int push_cb(void *arg, const char *line, size_t len)
{
	struct feed_arg *a = arg;
	struct workq_req r = { .owner = a->k, .seq = a->k->pushed, .fd = a->k->fd,
			       .len = len };
	int rc;

	memcpy(r.data, line, len);
	atomic_fetch_add(&a->k->refs, 1);
	rc = workq_push(&a->p->q, &r, &a->p->c->stop);
	if (rc != 0) {
		conn_put(a->k);
		return rc;
	}
	a->k->pushed++;
	return 0;
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

static void put_owner(void *owner)
{
	conn_put(owner);
}

/* After the workers are gone: the requests nobody took, then S's own
 * hold on every connection it still reads. */
static void release_all(struct pool *p)
{
	workq_drain(&p->q, put_owner);
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
