/* coroutines.c: gevent in C.  One kernel thread, S, runs an epoll loop
 * (the scheduler) and a coroutine per connection (announced actors
 * S.co1 ...), each with a stack of its own and straight-line code: read
 * a line, work on it, send it back, as if every call blocked.  co_recv
 * is what gevent's monkey.patch_all() makes of socket.recv: it tries a
 * recvfrom on the non-blocking socket; on EAGAIN it parks the coroutine
 * and switches to the scheduler, whose epoll_wait switches back to it
 * once the socket is readable.  The coroutine is blocked; its thread is
 * not: it sleeps in epoll_wait only when every coroutine is parked.
 *
 * The switch between stacks is co_ctx.c's: hand-rolled on x86-64, with
 * no syscall, ucontext elsewhere (co_ctx.c says why).  ASan is told of
 * every switch by the fiber annotations below.
 *
 * Each coroutine has its own probe (ring): the scheduler attaches it
 * before switching in and attaches its own after, so every event is its
 * actor's.  Stacks are mmap'd with a guard page below them.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "models/co_ctx.h"
#include "models/srv.h"
#include "trace/sclock.h"

#if defined(__SANITIZE_ADDRESS__)
#define CO_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CO_ASAN 1
#endif
#endif

#ifdef CO_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#define CO_STACK (256 * 1024)    /* ASan's redzones make frames larger */
#else
/* 64 KiB of address space; a coroutine touches two or three pages of it
 * (its line buffers are on it, 2 KiB), and only those count in its RSS. */
#define CO_STACK (64 * 1024)
#endif

#define NEVENTS  256
#define PAUSED_MS 50              /* sleepers, clock paused: look again */

enum co_wait { CO_RUN = 0, CO_READ, CO_WRITE, CO_SLEEP };

struct sched;

struct co {
	struct sched *s;
	int fd;
	int id;                      /* S.co<id>, in accept order */
	struct co_ctx ctx;
	char *stack;                 /* CO_STACK bytes above a guard page */
	struct probe probe;
	enum co_wait wait;           /* what it is parked on */
	bool dead;                   /* returned: the scheduler reaps it */
	bool cancel;                 /* the run stops: parks return at once */
	bool mute;                   /* an answer failed: read on, answer no more */
	int64_t ready_t;             /* when the scheduler saw its fd ready */
	int64_t deadline;            /* CO_SLEEP: scheduler's clock */
	struct co *next;             /* the sleepers' list */
	void *fake;                  /* ASan's fake stack while switched out */
};

struct sched {
	struct model_ctx *c;
	struct srv_ep ep;
	struct co_ctx ctx;           /* the scheduler's own context */
	struct co *sleep_head, *sleep_tail;   /* by deadline: all sleep work_ns */
	int next_id;
	long page;
	const void *main_bottom;     /* the thread's stack, for ASan */
	size_t main_size;
	void *fake;
	struct epoll_event evs[NEVENTS];
};

/* ---- Switching ---- */

static void fiber_start(void **fake, const void *bottom, size_t size)
{
#ifdef CO_ASAN
	__sanitizer_start_switch_fiber(fake, bottom, size);
#else
	(void)fake, (void)bottom, (void)size;
#endif
}

static void fiber_finish(void *fake, const void **bottom, size_t *size)
{
#ifdef CO_ASAN
	__sanitizer_finish_switch_fiber(fake, bottom, size);
#else
	(void)fake, (void)bottom, (void)size;
#endif
}

static void reap(struct sched *s, struct co *k);

/* Scheduler to k, until k parks or ends. */
static void resume(struct sched *s, struct co *k)
{
	srv_attach(&k->probe);
	fiber_start(&s->fake, k->stack, CO_STACK);
	co_ctx_switch(&s->ctx, &k->ctx);
	fiber_finish(s->fake, NULL, NULL);
	srv_attach(&s->c->probe);
	if (k->dead)
		reap(s, k);
}

/* k back to the scheduler, parked on what.  Returns 0 when woken for
 * it, -ECANCELED when the run stops. */
static int park(struct co *k, enum co_wait what)
{
	struct sched *s = k->s;

	if (k->cancel)
		return -ECANCELED;
	k->wait = what;
	fiber_start(&k->fake, s->main_bottom, s->main_size);
	co_ctx_switch(&k->ctx, &s->ctx);
	fiber_finish(k->fake, &s->main_bottom, &s->main_size);
	k->wait = CO_RUN;
	return k->cancel ? -ECANCELED : 0;
}

/* ---- What the coroutine calls: blocking, as far as it can tell ---- */

/* lesson: co-recv */
/* recv(2) for a coroutine.  Returns bytes, 0 at end of file, or -errno
 * (-ECANCELED: the run stops). */
static ssize_t co_recv(struct co *k, char *buf, size_t len)
{
	for (;;) {
		int64_t t0 = probe_enter(TRACE_CALL_RECVFROM, k->fd, false), t1;
		ssize_t n = recv(k->fd, buf, len, 0);
		int err = errno, rc;

		t1 = probe_now(probe_self());
		if (n > 0) {
			probe_phase(TRACE_PH_COPY, false, true, k->fd, t0);
			probe_phase(TRACE_PH_COPY, true, true, k->fd, t1);
		}
		probe_exit(TRACE_CALL_RECVFROM, k->fd, n, err, t0, 0);
		if (n >= 0 || (err != EAGAIN && err != EINTR))
			return n >= 0 ? n : -err;
		if (err == EINTR)
			continue;
		/* Nothing yet: the coroutine blocks, its thread goes on. */
		probe_phase(TRACE_PH_WAIT, false, true, k->fd, probe_now(probe_self()));
		rc = park(k, CO_READ);
		probe_phase(TRACE_PH_WAIT, true, true, k->fd,
			    rc == 0 ? k->ready_t : probe_now(probe_self()));
		if (rc != 0)
			return rc;
	}
}
/* lesson end */

/* send(2) of all len bytes, parked while the socket is full.  Returns 0
 * or -errno. */
static int co_send(struct co *k, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = srv_send(k->fd, p, len);
		int rc;

		if (n == -EAGAIN) {
			if ((rc = park(k, CO_WRITE)) != 0)
				return rc;
			continue;
		}
		if (n == -EINTR)
			continue;
		if (n < 0)
			return (int)n;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* gevent.sleep: the coroutine sleeps, the thread serves the others. */
static int co_sleep(struct co *k, int64_t ns)
{
	struct sched *s = k->s;
	int64_t t0 = probe_now(probe_self());
	int rc;

	if (ns <= 0)
		return 0;
	probe_idle(false, 0, 0);
	k->deadline = (s->c->clock != NULL ? sclock_now(s->c->clock) : trace_mono_ns()) + ns;
	k->next = NULL;
	if (s->sleep_tail != NULL)
		s->sleep_tail->next = k;
	else
		s->sleep_head = k;
	s->sleep_tail = k;
	rc = park(k, CO_SLEEP);
	probe_idle(true, probe_now(probe_self()) - t0, 0);
	return rc;
}

/* An answer that cannot be sent (the client reset its connection) ends
 * the answers, not the reading: the connection is still read to its end,
 * as every server model reads each (models/model.h). */
static int answer_cb(void *arg, const char *line, size_t len)
{
	struct co *k = arg;
	int rc = k->mute ? 0 : co_sleep(k, k->s->c->work_ns);

	if (rc == 0 && !k->mute && (rc = co_send(k, line, len)) != 0 && rc != -ECANCELED) {
		k->mute = true;
		rc = 0;
	}
	return rc;
}

/* lesson: co-serve */
/* A connection's whole life, written as if each call blocked. */
static void co_serve(struct co *k)
{
	struct srv_line line = { 0 };
	char buf[SRV_LINE_MAX];
	ssize_t n;

	while ((n = co_recv(k, buf, sizeof buf)) > 0)
		if (srv_line_feed(&line, buf, (size_t)n, answer_cb, k) != 0)
			break;
}
/* lesson end */

static void co_main(void *arg)
{
	struct co *k = arg;
	struct sched *s = k->s;

	bool traced = k->probe.ring != NULL;

	fiber_finish(NULL, &s->main_bottom, &s->main_size);
	if (traced)          /* its begin asks the kernel for a tid and a pid:
	                        two syscalls per connection the bench need not pay */
		probe_actor_begin();
	co_serve(k);
	if (traced)
		probe_actor_end();
	k->dead = true;
	fiber_start(NULL, s->main_bottom, s->main_size);   /* for good */
	co_ctx_switch(&k->ctx, &s->ctx);
}

/* ---- The scheduler ---- */

static char *stack_new(struct sched *s)
{
	char *m = mmap(NULL, CO_STACK + (size_t)s->page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);

	if (m == MAP_FAILED)
		return NULL;
	if (mprotect(m, (size_t)s->page, PROT_NONE) != 0) {   /* the guard */
		munmap(m, CO_STACK + (size_t)s->page);
		return NULL;
	}
#ifdef CO_ASAN
	/* A stack unmapped earlier at this address may have left poison. */
	__asan_unpoison_memory_region(m + s->page, CO_STACK);
#endif
	return m + s->page;
}

static void stack_free(struct sched *s, char *stack)
{
	munmap(stack - s->page, CO_STACK + (size_t)s->page);
}

static void reap(struct sched *s, struct co *k)
{
	if (k->cancel)                   /* stopping: the close will do */
		srv_ep_forget(&s->ep, k->fd);
	else
		srv_ep_del(&s->ep, k->fd);
	close(k->fd);
	stack_free(s, k->stack);
	free(k);
}

static int co_announce(struct sched *s, struct co *k)
{
	const char *sv = model_actor_name(s->c);
	char name[48], en[96], zh[96];
	struct sink_actor a = { .name = name, .model = "coroutines",
				.caps = TRACE_CAP_PHASES | TRACE_CAP_COROUTINE,
				.label_en = en, .label_zh = zh };

	snprintf(name, sizeof name, "%s.co%d", sv, k->id);
	snprintf(en, sizeof en, "%s's coroutine for connection %d", sv, k->id);
	snprintf(zh, sizeof zh, "%s 为第 %d 个连接开的协程", sv, k->id);
	return probe_actor_new(&k->probe, &a);   /* untraced: zeroed */
}

/* A coroutine for the new connection fd, run until it first parks. */
static int spawn(struct sched *s, int fd)
{
	struct co *k = calloc(1, sizeof *k);
	int rc = -ENOMEM;

	if (k == NULL)
		goto fail_fd;
	k->s = s;
	k->fd = fd;
	k->id = ++s->next_id;
	if ((k->stack = stack_new(s)) == NULL)
		goto fail_k;
	if ((rc = co_ctx_make(&k->ctx, k->stack, CO_STACK, co_main, k)) != 0)
		goto fail_stack;
	if ((rc = srv_ep_add(&s->ep, fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, k)) != 0)
		goto fail_stack;
	co_announce(s, k);
	resume(s, k);
	return 0;
fail_stack:
	stack_free(s, k->stack);
fail_k:
	free(k);
fail_fd:
	close(fd);
	return rc;
}

/* New clients: accept until EAGAIN.  -EINVAL once the listening socket
 * was shut down (model_stop). */
static int take_clients(struct sched *s)
{
	for (;;) {
		int fd = srv_accept(s->c->listen_fd);

		if (fd == -EAGAIN || fd == -ECONNABORTED || fd == -EINTR)
			return 0;
		if (fd < 0)
			return fd;
		spawn(s, fd);                /* no memory: that client is closed */
	}
}

/* The connection is registered edge-triggered, once, for both ways: a
 * coroutine parks only after EAGAIN, so the next arrival is an edge the
 * wait reports, and nothing needs re-arming (one epoll_ctl per
 * connection, not per park).  Edges nobody waits for are ignored. */
static void wake_fd(struct sched *s, const struct epoll_event *e, int64_t t)
{
	struct co *k = srv_ep_owner(&s->ep, e->data.fd);
	uint32_t hup = EPOLLHUP | EPOLLERR;

	if (k == NULL)
		return;
	if ((k->wait == CO_READ && (e->events & (EPOLLIN | EPOLLRDHUP | hup))) ||
	    (k->wait == CO_WRITE && (e->events & (EPOLLOUT | hup)))) {
		k->ready_t = t;
		resume(s, k);
	}
}

static int64_t sched_now(struct sched *s)
{
	return s->c->clock != NULL ? sclock_now(s->c->clock) : trace_mono_ns();
}

/* epoll_wait's timeout: until the first sleeper is due, or none. */
static int sleep_timeout(struct sched *s)
{
	int64_t ns;

	if (s->sleep_head == NULL)
		return -1;
	if (s->c->clock != NULL) {
		ns = sclock_real_until(s->c->clock, s->sleep_head->deadline);
		if (ns < 0)            /* paused: nothing says when it plays again */
			return PAUSED_MS;
	} else {
		ns = s->sleep_head->deadline - trace_mono_ns();
	}
	if (ns <= 0)
		return 0;
	return ns / 1000000 >= INT_MAX ? INT_MAX : (int)((ns + 999999) / 1000000);
}

/* Every sleep is work_ns long, so deadlines come in the order the
 * sleepers went to sleep: the list is a queue. */
static void wake_sleepers(struct sched *s)
{
	int64_t now = sched_now(s);

	while (s->sleep_head != NULL && s->sleep_head->deadline <= now) {
		struct co *k = s->sleep_head;

		if ((s->sleep_head = k->next) == NULL)
			s->sleep_tail = NULL;
		resume(s, k);
	}
}

/* lesson: co-loop */
static int sched_loop(struct sched *s)
{
	while (!model_should_stop(s->c)) {
		/* The one thread sleeps here, for every coroutine at once. */
		int n = srv_ep_wait(&s->ep, s->evs, NEVENTS, sleep_timeout(s)), rc;
		int64_t t = probe_now(probe_self());

		if (n == -EINTR)
			continue;
		if (n < 0)
			return model_should_stop(s->c) ? 0 : n;
		for (int i = 0; i < n; i++) {
			if (s->evs[i].data.fd != s->c->listen_fd) {
				wake_fd(s, &s->evs[i], t);   /* switch to the coroutine
				                                parked on it */
				continue;
			}
			if ((rc = take_clients(s)) != 0)     /* a coroutine each */
				return rc == -EINVAL ? 0 : rc;
		}
		wake_sleepers(s);
	}
	return 0;
}
/* lesson end */

/* The run stops: every coroutine is woken with its parks refused, and
 * ends (its actor too). */
static void cancel_all(struct sched *s)
{
	for (int i = s->ep.n; i-- > 0;) {
		struct co *k = srv_ep_owner(&s->ep, s->ep.list[i]);

		if (k != NULL && !k->dead) {
			k->cancel = true;
			resume(s, k);
		}
	}
}

static int co_run(struct model_ctx *c)
{
	struct sched *s;
	int rc;

	if (c->listen_fd < 0)
		return -EINVAL;              /* a server only (MODEL_ROLE_ECHO) */
	srv_attach(&c->probe);
	if ((s = calloc(1, sizeof *s)) == NULL)
		return -ENOMEM;
	s->c = c;
	s->page = sysconf(_SC_PAGESIZE);
	if ((rc = srv_nonblock(c->listen_fd)) != 0 || (rc = srv_ep_open(&s->ep)) != 0)
		goto fail_s;
	if ((rc = srv_ep_add(&s->ep, c->listen_fd, EPOLLIN, NULL)) == 0)
		rc = sched_loop(s);
	cancel_all(s);
	srv_ep_close(&s->ep);
fail_s:
	free(s);
	return rc;
}

const struct model_ops model_coroutines = {
	.name = "coroutines",
	.summary = "one epoll thread and a coroutine per connection: recv looks blocking, "
		   "but parks the coroutine, not the thread (gevent in C)",
	.caps = TRACE_CAP_INTEREST | TRACE_CAP_SERVES,
	.roles = MODEL_ROLE_ECHO,
	.available = model_available_always,
	.run = co_run,
};
