/* select.c: C watches many rods with bells, through select(2).
 *
 * Before every call the program rebuilds its fd_set (select overwrites it
 * in place), hands the kernel a bitmap of nfds descriptors, the kernel
 * checks every one of them, and the program then tests 0..nfds-1 with
 * FD_ISSET to learn which rang.  An fd_set holds descriptors below
 * FD_SETSIZE (1024) only; FD_SET beyond it is undefined behaviour, so such
 * fds are refused before any call.
 */
#include <errno.h>
#include <stdlib.h>
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

static int sel_wait(struct mux *m, int *ready, int max)
{
	fd_set set;
	int nfds = rebuild(m, &set), rc, err, found = 0;
	int64_t t0 = mux_wait_enter(TRACE_CALL_SELECT, -1, nfds, m->list, m->n);

	rc = select(nfds, &set, NULL, NULL, NULL);
	err = errno;
	mux_wait_exit(TRACE_CALL_SELECT, -1, nfds, t0, rc, err,
		      m->list, rc > 0 ? members(m, &set) : 0);
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
	.summary = "select(): one wait for many fds; the whole set is copied, checked and scanned each time",
	.caps = TRACE_CAP_PHASES | TRACE_CAP_SET | TRACE_CAP_BITMAP | TRACE_CAP_SERVES,
	.available = model_available_always,
	.run = select_run,
};
