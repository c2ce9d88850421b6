/* uring.c: D hires a helper who texts him when the fish is in the bucket.
 *
 * io_uring through liburing.  The thread puts a RECV for every fd on the
 * submission ring and hands them all over in one io_uring_enter.  The kernel
 * waits for the data and copies it into the thread's buffers; the thread
 * does other work in slices on the world's clock and, between slices, looks
 * at the completion ring, which is memory it shares with the kernel: finding
 * out costs no system call.  Neither phase blocks it.
 *
 * Where the copy happens (checked on Linux 6.18): a RECV that finds no data
 * arms a poll on the socket.  The write that makes data ready queues task
 * work for the submitting thread, and the kernel runs it on that thread:
 * its sleep is interrupted, the recv copies into the buffer and posts the
 * completion, and the sleep resumes unnoticed.  No helper thread appears.
 * (With IORING_SETUP_DEFER_TASKRUN the copy would wait until the thread
 * asked for completions in io_uring_enter; this model keeps the default,
 * so the completion is in the ring when the thread looks.)
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <liburing.h>

#include "models/model.h"
#include "trace/sclock.h"

#define SLICE_NS 50000000       /* 50 scenario ms of other work between looks */
#define CANCEL_TAG UINT64_MAX   /* user_data of our cancel requests */

struct slot {
	struct feed *f;
	char *buf;
	bool open;
	bool in_flight;             /* a RECV is with the kernel */
	int64_t since;              /* when it was submitted */
};

struct seen {                   /* one CQE, copied out of the ring */
	uint64_t tag;
	int32_t res;
};

struct uring {
	struct model_ctx *c;
	struct io_uring ring;
	struct slot *s;
	int *queued;                /* prepared, not yet submitted, in order */
	int nqueued;
	struct seen *seen;
	unsigned nseen;             /* room in seen */
	bool ring_ok;               /* queue_init succeeded */
	bool closing;               /* taking requests back: no new ones */
	int open;
	int in_flight;
	size_t chunk;
};

/* Put a RECV for slot i on the submission ring: phase 1 begins. */
static int prep(struct uring *u, int i)
{
	/* lesson: uring-prep */
	struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);
	struct slot *s = &u->s[i];

	if (sqe == NULL)            /* the ring holds every fd: cannot happen */
		return -EBUSY;
	io_uring_prep_recv(sqe, s->f->fd, s->buf, u->chunk, 0);
	io_uring_sqe_set_data64(sqe, (uint64_t)i);
	/* lesson end */
	probe_phase(TRACE_PH_WAIT, false, false, s->f->fd, probe_now(&u->c->probe));
	u->queued[u->nqueued++] = i;
	return 0;
}

static void emit_submit(struct uring *u, int i)
{
	struct trace_ev ev = { .kind = TRACE_SUBMIT, .fd = u->s[i].f->fd, .arg = i,
			       .n = u->in_flight, .t_ns = probe_now(&u->c->probe) };

	probe_emit(&ev, false);
}

/* Hand what is queued to the kernel: one io_uring_enter.  Returns 0 or
 * -errno; what the kernel did not take stays queued for the next try. */
static int submit(struct uring *u)
{
	int64_t t0;
	int ret;

	if (u->nqueued == 0)
		return 0;
	t0 = probe_enter(TRACE_CALL_IO_URING_ENTER, u->ring.ring_fd, false);
	ret = io_uring_submit(&u->ring);
	probe_exit(TRACE_CALL_IO_URING_ENTER, u->ring.ring_fd, ret, -ret, t0, 0);
	if (ret == -EINTR || ret == -EAGAIN || ret == -EBUSY)
		return 0;
	if (ret < 0)
		return ret;
	for (int k = 0; k < ret && k < u->nqueued; k++) {
		struct slot *s = &u->s[u->queued[k]];

		s->in_flight = true;
		s->since = t0;
		u->in_flight++;
		emit_submit(u, u->queued[k]);
	}
	u->nqueued -= ret < u->nqueued ? ret : u->nqueued;
	for (int k = 0; k < u->nqueued; k++)
		u->queued[k] = u->queued[k + ret];
	return 0;
}

/* Copy out the completions waiting in the ring (shared memory: no system
 * call) and free their entries; returns how many there were. */
static int take(struct uring *u)
{
	unsigned ready = io_uring_cq_ready(&u->ring), n = 0, head;
	struct io_uring_cqe *cqe;

	/* lesson: uring-take */
	io_uring_for_each_cqe(&u->ring, head, cqe) {
		if (n == ready || n == u->nseen)
			break;
		u->seen[n++] = (struct seen){ io_uring_cqe_get_data64(cqe), cqe->res };
	}
	io_uring_cq_advance(&u->ring, n);
	/* lesson end */
	return (int)n;
}

/* The part of a completion that happened while the thread was away: the
 * kernel waited (phase 1) and copied (phase 2) without it. */
static void while_away(struct uring *u, const struct seen *d, int64_t now)
{
	struct slot *s = &u->s[d->tag];
	int64_t t;

	if (d->res <= 0)
		return;
	t = model_ready_time(s->f, s->since, now);
	probe_phase(TRACE_PH_WAIT, true, false, s->f->fd, t);
	probe_phase(TRACE_PH_COPY, false, false, s->f->fd, t);
}

/* The thread reads the completion: bytes in its buffer, end of file, or an
 * error.  Returns 0 or -errno. */
static int complete(struct uring *u, const struct seen *d, int nready)
{
	struct slot *s = &u->s[d->tag];
	struct trace_ev ev = { .kind = TRACE_COMPLETE, .fd = s->f->fd, .arg = (int32_t)d->tag,
			       .ret = d->res, .n = nready, .t_ns = probe_now(&u->c->probe) };

	s->in_flight = false;
	u->in_flight--;
	probe_emit(&ev, false);
	if (d->res > 0) {
		probe_phase(TRACE_PH_COPY, true, false, s->f->fd, ev.t_ns);
		return u->closing || model_should_stop(u->c) ? 0 : prep(u, (int)d->tag);
	}
	probe_phase(TRACE_PH_WAIT, true, false, s->f->fd, ev.t_ns);
	if (d->res == -ECANCELED && u->closing)
		return 0;           /* taken back by us: the fd is still open */
	s->open = false;
	u->open--;
	return d->res;
}

/* A slice of other work; then what completed meanwhile.  Returns 0, or
 * -ECANCELED when asked to stop, or -errno. */
static int slice(struct uring *u, uint32_t round)
{
	int64_t t0 = probe_now(&u->c->probe), now;
	int rc, n = 0;

	probe_idle(false, 0, round);
	rc = sclock_sleep(u->c->clock, SLICE_NS, &u->c->stop);
	now = probe_now(&u->c->probe);
	if (rc == 0) {
		n = take(u);
		for (int k = 0; k < n; k++)
			if (u->seen[k].tag < (uint64_t)u->c->nfds)
				while_away(u, &u->seen[k], now);
	}
	probe_idle(true, probe_now(&u->c->probe) - t0, round);
	for (int k = 0; k < n; k++) {
		int r = u->seen[k].tag < (uint64_t)u->c->nfds ? complete(u, &u->seen[k], n) : 0;

		if (r != 0 && rc == 0) {
			rc = r;             /* the rest are still taken, not re-armed */
			u->closing = true;
		}
	}
	if (rc == 0)
		rc = submit(u);
	return rc;
}

/* Take back every RECV still with the kernel before its buffer is freed:
 * closing the ring alone cancels them later, from a kernel worker. */
static void cancel_all(struct uring *u)
{
	int64_t t0;

	u->closing = true;
	if (u->nqueued > 0)         /* prepared, never handed over: hand them */
		submit(u);      /* over, so that they are counted and cancelled */
	if (u->in_flight == 0)
		return;
	for (int i = 0; i < u->c->nfds; i++) {
		struct io_uring_sqe *sqe;

		if (!u->s[i].in_flight || (sqe = io_uring_get_sqe(&u->ring)) == NULL)
			continue;
		io_uring_prep_cancel64(sqe, (uint64_t)i, 0);
		io_uring_sqe_set_data64(sqe, CANCEL_TAG);
	}
	u->nqueued = 0;
	for (int tries = 0; u->in_flight > 0 && tries < 20; tries++) {
		struct __kernel_timespec ts = { .tv_nsec = 50000000 };
		struct io_uring_cqe *cqe;
		int n, ret;

		t0 = probe_enter(TRACE_CALL_IO_URING_ENTER, u->ring.ring_fd, true);
		ret = io_uring_submit_and_wait_timeout(&u->ring, &cqe, 1, &ts, NULL);
		probe_exit(TRACE_CALL_IO_URING_ENTER, u->ring.ring_fd, ret, -ret, t0, 0);
		n = take(u);
		for (int k = 0; k < n; k++)
			if (u->seen[k].tag < (uint64_t)u->c->nfds)
				complete(u, &u->seen[k], n);
	}
}

static const struct trace_ev note = {
	.kind = TRACE_NOTE, .fd = -1,
	.text = {
		"one submission ring, one completion ring, shared with the kernel: "
		"no system call to look at completions",
		"一个提交环、一个完成环，与内核共享：查看完成情况不需要系统调用",
	},
};

static int setup(struct uring *u, struct model_ctx *c)
{
	int n = c->nfds, rc;

	u->c = c;
	u->chunk = model_chunk(c);
	u->s = calloc((size_t)n + 1, sizeof *u->s);
	u->queued = calloc((size_t)n + 1, sizeof *u->queued);
	u->nseen = 2 * (unsigned)n + 2;
	u->seen = calloc(u->nseen, sizeof *u->seen);
	if (u->s == NULL || u->queued == NULL || u->seen == NULL)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		u->s[i] = (struct slot){ .f = &c->fds[i], .open = true,
					 .buf = malloc(u->chunk) };
		if (u->s[i].buf == NULL)
			return -ENOMEM;
		u->open++;
	}
	/* Room for a RECV and then a cancel per fd; the completion ring is
	 * twice as large, so it never overflows. */
	if ((rc = io_uring_queue_init((unsigned)(n < 4 ? 4 : n), &u->ring, 0)) < 0)
		return rc;
	u->ring_ok = true;
	return 0;
}

static int uring_run(struct model_ctx *c)
{
	struct uring u = { 0 };
	struct trace_ev ev = note;
	uint32_t round = 0;
	int rc = setup(&u, c);

	if (rc == 0) {
		ev.t_ns = probe_now(&c->probe);
		probe_emit(&ev, false);
		for (int i = 0; i < c->nfds && rc == 0; i++)
			rc = prep(&u, i);
		if (rc == 0)
			rc = submit(&u);
		while (rc == 0 && u.open > 0 && !model_should_stop(c))
			rc = slice(&u, ++round);
		cancel_all(&u);
		if (rc == 0 && u.open > 0)
			rc = -ECANCELED;
		if (rc == -ECANCELED && u.open == 0)
			rc = 0;
	}
	if (u.ring_ok)
		io_uring_queue_exit(&u.ring);
	/* A request the kernel would not give back may still write into its
	 * buffer: then the buffers are left to it rather than freed. */
	for (int i = 0; u.s != NULL && u.in_flight == 0 && i < c->nfds; i++)
		free(u.s[i].buf);
	free(u.s);
	free(u.queued);
	free(u.seen);
	return rc;
}

/* -1 when the file is not there (kernels before 6.6). */
static int uring_disabled(void)
{
	FILE *f = fopen("/proc/sys/kernel/io_uring_disabled", "re");
	int v = -1;

	if (f != NULL) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static const char *why_not(int rc)
{
	int disabled = uring_disabled();

	if (disabled == 2)
		return "io_uring is disabled here (/proc/sys/kernel/io_uring_disabled is 2)";
	if (rc == -ENOSYS)
		return "the kernel has no io_uring (ENOSYS)";
	if (rc == -EPERM && disabled == 1)
		return "not permitted (EPERM: /proc/sys/kernel/io_uring_disabled is 1 and this user "
		       "is not in kernel.io_uring_group)";
	if (rc == -EPERM)
		return "not permitted (EPERM: a seccomp filter or io_uring_disabled)";
	if (rc == -ENOMEM)
		return "no memory for the rings (ENOMEM: RLIMIT_MEMLOCK too low before Linux 5.12)";
	if (rc == -EOPNOTSUPP)
		return "this kernel's io_uring has no RECV operation (Linux 5.6 or later)";
	return "io_uring_setup(2) failed here";
}

static int uring_available(const char **why)
{
	struct io_uring ring;
	struct io_uring_probe *p;
	int rc = io_uring_queue_init(4, &ring, 0);

	if (rc == 0) {
		p = io_uring_get_probe_ring(&ring);
		if (p == NULL || !io_uring_opcode_supported(p, IORING_OP_RECV))
			rc = -EOPNOTSUPP;
		if (p != NULL)
			io_uring_free_probe(p);
		io_uring_queue_exit(&ring);
	}
	if (rc != 0 && why != NULL)
		*why = why_not(rc);
	return rc;
}

const struct model_ops model_uring = {
	.name = "uring",
	.summary = "io_uring RECV: handed to the kernel, which waits and copies; the thread stays free",
	.caps = TRACE_CAP_PHASES | TRACE_CAP_COMPLETION,
	.roles = MODEL_ROLE_READER,
	.available = uring_available,
	.run = uring_run,
};
