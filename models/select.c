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
	int n, max;
	int *list;                   /* scratch for set events */
};

static int sel_create(struct mux **out, int maxfds)
{
	struct mux *m = calloc(1, sizeof *m);

	if (m == NULL)
		return -ENOMEM;
	if ((m->fds = calloc((size_t)maxfds, sizeof *m->fds)) == NULL)
		goto fail_m;
	if ((m->list = calloc((size_t)maxfds, sizeof *m->list)) == NULL)
		goto fail_fds;
	m->max = maxfds;
	*out = m;
	return 0;
fail_fds:
	free(m->fds);
fail_m:
	free(m);
	return -ENOMEM;
}

static int sel_add(struct mux *m, struct feed *f)
{
	if (m->n == m->max)
		return -ENOSPC;
	m->fds[m->n++] = f;
	return 0;
}

static int sel_del(struct mux *m, struct feed *f)
{
	for (int i = 0; i < m->n; i++)
		if (m->fds[i] == f) {
			m->fds[i] = m->fds[--m->n];
			return 0;
		}
	return -ENOENT;
}

/* The program's own work before the call: a fresh set from the list. */
static int rebuild(struct mux *m, fd_set *set)
{
	int maxfd = -1;

	/* lesson: select-rebuild */
	FD_ZERO(set);
	for (int i = 0; i < m->n; i++) {
		FD_SET(m->fds[i]->fd, set);
		m->list[i] = m->fds[i]->fd;
		if (m->fds[i]->fd > maxfd)
			maxfd = m->fds[i]->fd;
	}
	/* lesson end */
	mux_emit_set(TRACE_SET_BUILD, m->n, m->list, m->n);
	return maxfd + 1;
}

/* What the kernel handed back, for the trace (ioscope's look, not the
 * program's: the program's own scan is reported apart). */
static int members(struct mux *m, const fd_set *set)
{
	int k = 0;

	for (int i = 0; i < m->n; i++)
		if (FD_ISSET(m->fds[i]->fd, set))
			m->list[k++] = m->fds[i]->fd;
	return k;
}

/* What the kernel will do with the read set: copy ceil(nfds/64) longs in
 * and back (core_sys_select's FDS_BYTES), poll each fd whose bit is set
 * below nfds (do_select).  Counted before the call overwrites the set. */
static struct mux_cost cost_of(const fd_set *set, int nfds)
{
	enum { BITS = CHAR_BIT * sizeof(unsigned long) };
	unsigned long w[sizeof(fd_set) / sizeof(unsigned long)];
	int words = (nfds + BITS - 1) / BITS, polled = 0;

	memcpy(w, set, sizeof w);
	for (int i = 0; i < words; i++) {
		unsigned long bits = w[i];

		if ((i + 1) * BITS > nfds)      /* the last word: only below nfds */
			bits &= (1UL << (nfds - i * BITS)) - 1;
		polled += __builtin_popcountl(bits);
	}
	return (struct mux_cost){ .polled = polled,
				  .in = (unsigned)(words * sizeof(unsigned long)),
				  .out = (unsigned)(words * sizeof(unsigned long)),
				  .sets = TRACE_FDSET_READ };
}

static int sel_wait(struct mux *m, int *ready, int max)
{
	fd_set set;
	int nfds = rebuild(m, &set), rc, err, found = 0;
	struct mux_cost cost = cost_of(&set, nfds);
	int64_t t0 = mux_wait_enter_cost(TRACE_CALL_SELECT, nfds, m->list, m->n,
					 &cost);

	rc = select(nfds, &set, NULL, NULL, NULL);
	err = errno;
	mux_wait_exit_cost(TRACE_CALL_SELECT, nfds, t0, rc, err,
			   m->list, rc > 0 ? members(m, &set) : 0, &cost);
	/* lesson: select-scan */
	if (rc < 0)
		return -err;
	/* The program's scan: every descriptor below nfds, with FD_ISSET. */
	for (int fd = 0; fd < nfds && found < max; fd++)
		if (FD_ISSET(fd, &set))
			ready[found++] = fd;
	/* lesson end */
	mux_emit_set(TRACE_SET_SCAN, nfds, ready, found);
	return found;
}

static void sel_free(struct mux *m)
{
	free(m->fds);
	free(m->list);
	free(m);
}

static const struct mux_ops select_mux = {
	.create = sel_create, .add = sel_add, .del = sel_del,
	.wait = sel_wait, .free = sel_free, .limit = FD_SETSIZE,
};

static int select_run(struct model_ctx *c)
{
	return mux_run(c, &select_mux);
}

const struct model_ops model_select = {
	.name = "select",
	.summary = "select(): one wait for many fds; a bitmap up to nfds goes in and back each call, and the program scans it",
	.caps = TRACE_CAP_PHASES | TRACE_CAP_SET | TRACE_CAP_BITMAP | TRACE_CAP_SERVES,
	.available = model_available_always,
	.run = select_run,
};
