/* mux.c: the reader every readiness model runs: wait for many fds at once,
 * then read the ones that are ready. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "models/mux.h"
#include "trace/ring.h"

struct watched {
	struct feed *f;
	bool open;
	bool waiting;                /* inside phase 1 */
};

struct reader {
	struct model_ctx *c;
	const struct mux_ops *ops;
	struct mux *m;
	struct watched *w;
	struct mux_ready *ready;
	int open;
	char buf[MODEL_BUF];
};

/* fds and, when out is not NULL, which of them have write interest. */
static void set_fds(struct trace_ev *ev, const int *fds, int nfds, const bool *out)
{
	trace_ev_set_fds(ev, fds, nfds);
	for (int i = 0; out != NULL && i < ev->nfds; i++)
		if (out[i])
			ev->outs |= (uint16_t)(1u << i);
}

void mux_emit_set(int what, int n, const int *fds, int nfds, const bool *out)
{
	struct trace_ev ev = { .kind = TRACE_SET, .what = (uint8_t)what, .n = n,
			       .fd = -1, .t_ns = probe_now(probe_self()) };

	set_fds(&ev, fds, nfds, out);
	probe_emit(&ev, false);
}

static void put_cost(struct trace_ev *ev, const struct mux_cost *cost)
{
	if (cost == NULL)
		return;
	ev->flags |= TRACE_F_COST;
	ev->polled = cost->polled;
	ev->copied_in = cost->in;
	ev->copied_out = ev->kind == TRACE_EXIT ? cost->out : 0;
	ev->sets = (uint8_t)cost->sets;
}

static int64_t wait_enter(int call, int fd, int n, const int *fds, int nfds,
			  const bool *out, const struct mux_cost *cost)
{
	struct trace_ev ev = { .kind = TRACE_ENTER, .call = (uint16_t)call,
			       .fd = fd, .n = n };

	set_fds(&ev, fds, nfds, out);
	put_cost(&ev, cost);
	ev.t_ns = probe_now(probe_self());
	probe_emit(&ev, true);
	return ev.t_ns;
}

int64_t mux_wait_enter(int call, int fd, int n, const int *fds, int nfds)
{
	return wait_enter(call, fd, n, fds, nfds, NULL, NULL);
}

int64_t mux_wait_enter_cost(int call, int n, const int *fds, int nfds,
			    const bool *out, const struct mux_cost *cost)
{
	return wait_enter(call, -1, n, fds, nfds, out, cost);
}

static void wait_exit(int call, int fd, int n, int64_t t0, int rc, int err,
		      const int *fds, int nfds, const bool *out,
		      const struct mux_cost *cost)
{
	struct trace_ev ev = { .kind = TRACE_EXIT, .call = (uint16_t)call, .fd = fd,
			       .ret = rc, .err = rc < 0 ? err : 0, .n = n };

	ev.t_ns = probe_now(probe_self());
	ev.dur_ns = ev.t_ns - t0;
	if (rc > 0)
		set_fds(&ev, fds, nfds, out);
	put_cost(&ev, cost);
	probe_emit(&ev, false);
}

void mux_wait_exit(int call, int fd, int n, int64_t t0, int rc, int err,
		   const int *fds, int nfds, const bool *out)
{
	wait_exit(call, fd, n, t0, rc, err, fds, nfds, out, NULL);
}

void mux_wait_exit_cost(int call, int n, int64_t t0, int rc, int err,
			const int *fds, int nfds, const bool *out,
			const struct mux_cost *cost)
{
	wait_exit(call, -1, n, t0, rc, err, fds, nfds, out, cost);
}

static struct watched *find(struct reader *r, int fd)
{
	for (int i = 0; i < r->c->nfds; i++)
		if (r->w[i].f->fd == fd)
			return &r->w[i];
	return NULL;
}

/* One recv of the copy phase; returns bytes, 0 at EOF, or -errno. */
static ssize_t copy_once(struct reader *r, struct watched *w, bool may_block)
{
	int fd = w->f->fd;
	int64_t t0 = probe_enter(TRACE_CALL_RECVFROM, fd, may_block);
	ssize_t n = recv(fd, r->buf, model_chunk(r->c), 0);
	int err = errno;
	int64_t t1 = probe_now(&r->c->probe);

	if (n > 0) {
		probe_phase(TRACE_PH_COPY, false, true, fd, t0);
		probe_phase(TRACE_PH_COPY, true, true, fd, t1);
		atomic_store(&w->f->ready_ns, 0);
	}
	probe_exit(TRACE_CALL_RECVFROM, fd, n, err, t0, 0);
	return n < 0 ? -err : n;
}

static void closed(struct reader *r, struct watched *w)
{
	r->ops->del(r->m, w->f);
	w->open = false;
	r->open--;
}

/* The multiplexer said fd is readable: phase 1 is over for it.  Level
 * triggering: read once (what is left is reported again).  Edge: read
 * until EAGAIN, unless the scenario shows what happens when one does not. */
static int take(struct reader *r, struct watched *w, int64_t t_ready)
{
	/* lesson: mux-take */
	bool drain = r->ops->edge && r->c->drain != 0;
	ssize_t n;

	if (w->waiting)
		probe_phase(TRACE_PH_WAIT, true, true, w->f->fd, t_ready);
	w->waiting = false;
	do {
		n = copy_once(r, w, false);
	} while (drain && n > 0);
	/* lesson end */
	if (n == 0 || (n < 0 && n != -EAGAIN && n != -EINTR)) {
		closed(r, w);
		return n == 0 ? 0 : model_should_stop(r->c) ? -ECANCELED : (int)n;
	}
	return 0;
}

static int reader_loop(struct reader *r)
{
	while (r->open > 0 && !model_should_stop(r->c)) {
		int n;
		int64_t t;

		for (int i = 0; i < r->c->nfds; i++)
			if (r->w[i].open && !r->w[i].waiting) {
				probe_phase(TRACE_PH_WAIT, false, true, r->w[i].f->fd,
					    probe_now(&r->c->probe));
				r->w[i].waiting = true;
			}
		n = r->ops->wait(r->m, r->ready, r->c->nfds);
		t = probe_now(&r->c->probe);
		if (n == -EINTR)
			continue;
		if (n < 0)
			return model_should_stop(r->c) ? -ECANCELED : n;
		for (int i = 0; i < n; i++) {
			struct watched *w = find(r, r->ready[i].fd);
			int rc;

			if (w != NULL && w->open && (rc = take(r, w, t)) != 0)
				return rc;
		}
	}
	/* Stopped with fds still open: still waiting when the run ended. */
	return r->open > 0 ? -ECANCELED : 0;
}

/* Refuse, visibly, fds the multiplexer cannot hold (select: FD_SETSIZE). */
static int check_limit(struct reader *r)
{
	for (int i = 0; i < r->c->nfds; i++) {
		int fd = r->c->fds[i].fd;

		if (r->ops->limit > 0 && fd >= r->ops->limit) {
			struct trace_ev ev = { .kind = TRACE_REFUSE, .fd = fd,
					       .n = r->ops->limit,
					       .t_ns = probe_now(&r->c->probe) };

			probe_emit(&ev, true);
			return -EBADF;
		}
	}
	return 0;
}

static int reader_setup(struct reader *r)
{
	int rc;

	r->w = calloc((size_t)r->c->nfds, sizeof *r->w);
	r->ready = calloc((size_t)r->c->nfds, sizeof *r->ready);
	if (r->w == NULL || r->ready == NULL)
		return -ENOMEM;
	if ((rc = r->ops->create(&r->m, r->c->nfds)) != 0)
		return rc;
	for (int i = 0; i < r->c->nfds; i++) {
		struct feed *f = &r->c->fds[i];
		int fl = fcntl(f->fd, F_GETFL);

		/* Non-blocking, so that a read after a report never sleeps
		 * (and edge triggering can read until EAGAIN). */
		if (fl < 0 || fcntl(f->fd, F_SETFL, fl | O_NONBLOCK) < 0)
			return -errno;
		if ((rc = r->ops->add(r->m, f)) != 0)
			return rc;
		r->w[i] = (struct watched){ .f = f, .open = true };
		r->open++;
	}
	return 0;
}

int mux_run(struct model_ctx *c, const struct mux_ops *ops)
{
	struct reader *r = calloc(1, sizeof *r);
	int rc;

	if (r == NULL)
		return -ENOMEM;
	if (c->listen_fd >= 0) {
		free(r);
		return mux_serve(c, ops);
	}
	r->c = c;
	r->ops = ops;
	if ((rc = check_limit(r)) == -EBADF)
		rc = 0;          /* refused, and said so: the run goes on */
	else if ((rc = reader_setup(r)) == 0)
		rc = reader_loop(r);
	if (r->m != NULL)
		ops->free(r->m);
	free(r->w);
	free(r->ready);
	free(r);
	return rc;
}
