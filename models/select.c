/* select.c: C watches many rods with bells, through select(2).
 *
 * Before every call the program rebuilds its fd_set (select overwrites it
 * in place) and hands the kernel a bitmap of nfds bits.  The kernel
 * (fs/select.c) copies ceil(nfds/64) longs of each set in, and do_select
 * walks them, skipping every word with no bit set: it polls (vfs_poll, a
 * wait-queue entry) only the fds whose bit is set, then copies the sets
 * back.  The program then tests 0..nfds-1 with FD_ISSET to learn which
 * rang: its own choice, since select returns no list.  An fd_set holds
 * descriptors below glibc's FD_SETSIZE (1024) only; FD_SET beyond it is
 * undefined behaviour, so such fds are refused before any call.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>

#include "models/mux.h"

struct mux {
	struct feed **fds;       /* the interest list, in user space */
	bool *wr;                    /* ... and which are in the write set too */
	int n, max;
	int *list;                   /* scratch for set events */
	bool *out;                   /* ... and which of them are writable */
};

static int sel_create(struct mux **out, int maxfds)
{
	struct mux *m = calloc(1, sizeof *m);

	if (m == NULL)
		return -ENOMEM;
	if ((m->fds = calloc((size_t)maxfds, sizeof *m->fds)) == NULL)
		goto fail_m;
	m->list = calloc((size_t)maxfds, sizeof *m->list);
	m->wr = calloc((size_t)maxfds, sizeof *m->wr);
	m->out = calloc((size_t)maxfds, sizeof *m->out);
	if (m->list == NULL || m->wr == NULL || m->out == NULL)
		goto fail_fds;
	m->max = maxfds;
	*out = m;
	return 0;
fail_fds:
	free(m->list);
	free(m->wr);
	free(m->out);
	free(m->fds);
fail_m:
	free(m);
	return -ENOMEM;
}

static int sel_add(struct mux *m, struct feed *f)
{
	if (m->n == m->max)
		return -ENOSPC;
	m->wr[m->n] = false;
	m->fds[m->n++] = f;
	return 0;
}

static int sel_del(struct mux *m, struct feed *f)
{
	for (int i = 0; i < m->n; i++)
		if (m->fds[i] == f) {
			m->n--;
			m->fds[i] = m->fds[m->n];
			m->wr[i] = m->wr[m->n];
			return 0;
		}
	return -ENOENT;
}

/* Into the write set too, from the next call on, or out of it. */
static int sel_want_write(struct mux *m, struct feed *f, bool on)
{
	for (int i = 0; i < m->n; i++)
		if (m->fds[i] == f) {
			m->wr[i] = on;
			return 0;
		}
	return -ENOENT;
}

/* The program's own work before the call: fresh sets from the list (the
 * write set only when some fd has bytes queued).  Returns nfds. */
static int rebuild(struct mux *m, fd_set *rset, fd_set *wset, bool *writing)
{
	int maxfd = -1;

	/* lesson: select-rebuild */
	FD_ZERO(rset);
	FD_ZERO(wset);
	*writing = false;
	for (int i = 0; i < m->n; i++) {
		FD_SET(m->fds[i]->fd, rset);
		if (m->wr[i]) {
			FD_SET(m->fds[i]->fd, wset);
			*writing = true;
		}
		m->list[i] = m->fds[i]->fd;
		if (m->fds[i]->fd > maxfd)
			maxfd = m->fds[i]->fd;
	}
	/* lesson end */
	mux_emit_set(TRACE_SET_BUILD, m->n, m->list, m->n, m->wr);
	return maxfd + 1;
}

/* What the kernel handed back, for the trace (ioscope's look, not the
 * program's: the program's own scan is reported apart). */
static int members(struct mux *m, const fd_set *rset, const fd_set *wset)
{
	int k = 0;

	for (int i = 0; i < m->n; i++) {
		int fd = m->fds[i]->fd;

		if (FD_ISSET(fd, rset) || FD_ISSET(fd, wset)) {
			m->out[k] = FD_ISSET(fd, wset);
			m->list[k++] = fd;
		}
	}
	return k;
}

/* What the kernel will do with the sets: copy ceil(nfds/64) longs of each
 * set handed in, in and back (core_sys_select's FDS_BYTES), poll each fd
 * whose bit is set in any of them below nfds, once (do_select).  Counted
 * before the call overwrites the sets. */
static struct mux_cost cost_of(const fd_set *rset, const fd_set *wset, bool writing,
			       int nfds)
{
	enum { BITS = CHAR_BIT * sizeof(unsigned long) };
	unsigned long r[sizeof(fd_set) / sizeof(unsigned long)];
	unsigned long w[sizeof(fd_set) / sizeof(unsigned long)];
	int words = (nfds + BITS - 1) / BITS, polled = 0, nsets = writing ? 2 : 1;

	memcpy(r, rset, sizeof r);
	memcpy(w, wset, sizeof w);
	for (int i = 0; i < words; i++) {
		unsigned long bits = r[i] | w[i];

		if ((i + 1) * BITS > nfds)      /* the last word: only below nfds */
			bits &= (1UL << (nfds - i * BITS)) - 1;
		polled += __builtin_popcountl(bits);
	}
	return (struct mux_cost){
		.polled = polled,
		.in = (unsigned)(nsets * words * sizeof(unsigned long)),
		.out = (unsigned)(nsets * words * sizeof(unsigned long)),
		.sets = TRACE_FDSET_READ | (writing ? TRACE_FDSET_WRITE : 0u) };
}

static int sel_wait(struct mux *m, struct mux_ready *ready, int max)
{
	fd_set rset, wset;
	bool writing;
	int nfds = rebuild(m, &rset, &wset, &writing), rc, err, found = 0;
	struct mux_cost cost = cost_of(&rset, &wset, writing, nfds);
	int64_t t0 = mux_wait_enter_cost(TRACE_CALL_SELECT, nfds, m->list, m->n,
					 m->wr, &cost);

	rc = select(nfds, &rset, writing ? &wset : NULL, NULL, NULL);
	err = errno;
	if (!writing)
		FD_ZERO(&wset);
	mux_wait_exit_cost(TRACE_CALL_SELECT, nfds, t0, rc, err, m->list,
			   rc > 0 ? members(m, &rset, &wset) : 0, m->out, &cost);
	/* lesson: select-scan */
	if (rc < 0)
		return -err;
	/* The program's scan: every descriptor below nfds, with FD_ISSET. */
	for (int fd = 0; fd < nfds && found < max; fd++) {
		unsigned ev = (FD_ISSET(fd, &rset) ? MUX_IN : 0) |
			      (FD_ISSET(fd, &wset) ? MUX_OUT : 0);

		if (ev != 0)
			ready[found++] = (struct mux_ready){ fd, ev };
	}
	/* lesson end */
	for (int i = 0; i < found; i++) {
		m->list[i] = ready[i].fd;
		m->out[i] = ready[i].ev & MUX_OUT;
	}
	mux_emit_set(TRACE_SET_SCAN, nfds, m->list, found, m->out);
	return found;
}

static void sel_free(struct mux *m)
{
	free(m->fds);
	free(m->wr);
	free(m->list);
	free(m->out);
	free(m);
}

static const struct mux_ops select_mux = {
	.create = sel_create, .add = sel_add, .del = sel_del,
	.want_write = sel_want_write, .wait = sel_wait, .free = sel_free,
	.limit = FD_SETSIZE,
};

static int select_run(struct model_ctx *c)
{
	return mux_run(c, &select_mux);
}

const struct model_ops model_select = {
	.name = "select",
	.summary = "select(): one wait for many fds; a bitmap up to nfds goes in and back each call, and the program scans it",
	.caps = TRACE_CAP_PHASES | TRACE_CAP_SET | TRACE_CAP_BITMAP | TRACE_CAP_SERVES,
	.roles = MODEL_ROLE_READER | MODEL_ROLE_CHAT | MODEL_ROLE_ECHO,
	.available = model_available_always,
	.run = select_run,
};
