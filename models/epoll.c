/* epoll.c: the cook who calls "window 3", level- and edge-triggered.
 *
 * fds are registered once with epoll_ctl.  When data arrives on one, the
 * kernel's callback (run inside the writer's write) puts it on the epoll
 * instance's ready list, and epoll_wait hands back only what is on that
 * list: the program touches nothing else.  Level-triggered, an fd with
 * unread data stays on the list; edge-triggered, it is reported once per
 * arrival, so the reader must read until EAGAIN or be left waiting.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "models/mux.h"

struct mux {
	int epfd;
	bool edge;
	struct epoll_event *evs;
	int max;
	int *interest;               /* for the interest-list events */
	bool *out;                   /* ... and which of them have EPOLLOUT */
	int *list;                   /* scratch: the fds epoll_wait returned */
	bool *wr;                    /* ... and which came back writable */
	int n;
};

static int ep_create(struct mux **out, int maxfds, bool edge)
{
	struct mux *m = calloc(1, sizeof *m);
	int rc = -ENOMEM;

	if (m == NULL)
		return -ENOMEM;
	if ((m->evs = calloc((size_t)maxfds, sizeof *m->evs)) == NULL)
		goto fail_m;
	if ((m->interest = calloc((size_t)maxfds, sizeof *m->interest)) == NULL)
		goto fail_evs;
	m->out = calloc((size_t)maxfds, sizeof *m->out);
	m->list = calloc((size_t)maxfds, sizeof *m->list);
	m->wr = calloc((size_t)maxfds, sizeof *m->wr);
	if (m->out == NULL || m->list == NULL || m->wr == NULL)
		goto fail_interest;
	if ((m->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		rc = -errno;
		goto fail_interest;
	}
	m->max = maxfds;
	m->edge = edge;
	*out = m;
	return 0;
fail_interest:
	free(m->out);
	free(m->list);
	free(m->wr);
	free(m->interest);
fail_evs:
	free(m->evs);
fail_m:
	free(m);
	return rc;
}

static int lt_create(struct mux **out, int maxfds) { return ep_create(out, maxfds, false); }
static int et_create(struct mux **out, int maxfds) { return ep_create(out, maxfds, true); }

/* epoll_ctl through the probe (with its events mask: IN, OUT when
 * write), then the interest list as it now stands. */
static int ctl(struct mux *m, int op, struct feed *f, bool write)
{
	/* lesson: epoll-ctl */
	struct epoll_event e = { .events = EPOLLIN | EPOLLRDHUP | (m->edge ? EPOLLET : 0) |
					   (write ? EPOLLOUT : 0),
				 .data.fd = f->fd };
	int top = op == EPOLL_CTL_ADD ? TRACE_OP_ADD :
		  op == EPOLL_CTL_MOD ? TRACE_OP_MOD : TRACE_OP_DEL;
	struct trace_ev ev = { .kind = TRACE_ENTER, .call = TRACE_CALL_EPOLL_CTL,
			       .fd = m->epfd, .what = (uint8_t)top, .arg = f->fd };
	int rc, err;

	if (op != EPOLL_CTL_DEL) {
		ev.flags |= TRACE_F_EVENTS;
		ev.sets = TRACE_EPEV_IN | (write ? TRACE_EPEV_OUT : 0);
	}
	ev.t_ns = probe_now(probe_self());
	probe_emit(&ev, false);
	rc = epoll_ctl(m->epfd, op, f->fd, &e);
	/* lesson end */
	err = errno;
	ev.kind = TRACE_EXIT;
	ev.ret = rc;
	ev.err = rc < 0 ? err : 0;
	ev.dur_ns = probe_now(probe_self()) - ev.t_ns;
	ev.t_ns += ev.dur_ns;
	probe_emit(&ev, false);
	return rc < 0 ? -err : 0;
}

static void emit_interest(struct mux *m)
{
	mux_emit_set(TRACE_SET_INTEREST, m->n, m->interest, m->n, m->out);
}

static int ep_add(struct mux *m, struct feed *f)
{
	int rc = ctl(m, EPOLL_CTL_ADD, f, false);

	if (rc != 0)
		return rc;
	m->out[m->n] = false;
	m->interest[m->n++] = f->fd;
	atomic_store(&f->in_epoll, 1);
	emit_interest(m);
	return 0;
}

static int ep_del(struct mux *m, struct feed *f)
{
	int rc = ctl(m, EPOLL_CTL_DEL, f, false);

	atomic_store(&f->in_epoll, 0);
	for (int i = 0; i < m->n; i++)
		if (m->interest[i] == f->fd) {
			m->n--;
			m->interest[i] = m->interest[m->n];
			m->out[i] = m->out[m->n];
			break;
		}
	emit_interest(m);
	return rc;
}

/* EPOLL_CTL_MOD: EPOLLOUT on or off, EPOLLIN kept. */
static int ep_want_write(struct mux *m, struct feed *f, bool on)
{
	int rc = ctl(m, EPOLL_CTL_MOD, f, on);

	for (int i = 0; rc == 0 && i < m->n; i++)
		if (m->interest[i] == f->fd)
			m->out[i] = on;
	emit_interest(m);
	return rc;
}

static int ep_wait(struct mux *m, struct mux_ready *ready, int max)
{
	int64_t t0 = mux_wait_enter(TRACE_CALL_EPOLL_WAIT, m->epfd, max, NULL, 0);
	int rc, err;

	/* lesson: epoll-wait */
	rc = epoll_wait(m->epfd, m->evs, max, -1);
	err = errno;
	/* The program touches only what came back. */
	for (int i = 0; i < rc; i++) {
		uint32_t e = m->evs[i].events;

		ready[i].fd = m->evs[i].data.fd;
		ready[i].ev = (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR) ? MUX_IN : 0) |
			      (e & EPOLLOUT ? MUX_OUT : 0);
	}
	/* lesson end */
	for (int i = 0; i < rc; i++) {
		m->list[i] = ready[i].fd;
		m->wr[i] = ready[i].ev & MUX_OUT;
	}
	mux_wait_exit(TRACE_CALL_EPOLL_WAIT, m->epfd, rc > 0 ? rc : 0, t0, rc, err,
		      m->list, rc, m->wr);
	if (rc < 0)
		return -err;
	mux_emit_set(TRACE_SET_SCAN, rc, m->list, rc, m->wr);
	return rc;
}

static void ep_free(struct mux *m)
{
	close(m->epfd);
	free(m->evs);
	free(m->interest);
	free(m->out);
	free(m->list);
	free(m->wr);
	free(m);
}

static const struct mux_ops lt_mux = {
	.create = lt_create, .add = ep_add, .del = ep_del,
	.want_write = ep_want_write, .wait = ep_wait, .free = ep_free,
};

static const struct mux_ops et_mux = {
	.create = et_create, .add = ep_add, .del = ep_del,
	.want_write = ep_want_write, .wait = ep_wait, .free = ep_free, .edge = true,
};

static int epoll_run(struct model_ctx *c) { return mux_run(c, &lt_mux); }
static int epoll_et_run(struct model_ctx *c) { return mux_run(c, &et_mux); }

static int epoll_available(const char **why)
{
	int fd = epoll_create1(EPOLL_CLOEXEC);

	if (fd < 0) {
		*why = errno == ENOSYS ? "this kernel has no epoll (ENOSYS)" :
		       "epoll_create1 failed here";
		return -errno;
	}
	close(fd);
	return 0;
}

const struct model_ops model_epoll = {
	.name = "epoll",
	.summary = "epoll, level-triggered: register once; epoll_wait returns only the ready fds",
	.caps = TRACE_CAP_PHASES | TRACE_CAP_INTEREST | TRACE_CAP_SERVES,
	.roles = MODEL_ROLE_READER | MODEL_ROLE_CHAT | MODEL_ROLE_ECHO,
	.available = epoll_available,
	.run = epoll_run,
};

const struct model_ops model_epoll_et = {
	.name = "epoll-et",
	.summary = "epoll, edge-triggered: one report per arrival; read until EAGAIN",
	.caps = TRACE_CAP_PHASES | TRACE_CAP_INTEREST | TRACE_CAP_EDGE | TRACE_CAP_SERVES,
	.roles = MODEL_ROLE_READER | MODEL_ROLE_CHAT | MODEL_ROLE_ECHO,
	.available = epoll_available,
	.run = epoll_et_run,
};
