/* poll.c: many rods through poll(2).
 *
 * No FD_SETSIZE: the program hands the kernel an array of pollfd entries,
 * one per watched fd, of any number.  But like select, the whole array is
 * copied in and checked on every call, and the program walks all of it
 * afterwards to find the entries whose revents say readable.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>

#include "models/mux.h"

struct mux {
	struct pollfd *pfd;
	int n, max;
	int *list;
};

static int poll_create(struct mux **out, int maxfds)
{
	struct mux *m = calloc(1, sizeof *m);

	if (m == NULL)
		return -ENOMEM;
	if ((m->pfd = calloc((size_t)maxfds, sizeof *m->pfd)) == NULL)
		goto fail_m;
	if ((m->list = calloc((size_t)maxfds, sizeof *m->list)) == NULL)
		goto fail_pfd;
	m->max = maxfds;
	*out = m;
	return 0;
fail_pfd:
	free(m->pfd);
fail_m:
	free(m);
	return -ENOMEM;
}

static int poll_add(struct mux *m, struct feed *f)
{
	if (m->n == m->max)
		return -ENOSPC;
	m->pfd[m->n++] = (struct pollfd){ .fd = f->fd, .events = POLLIN };
	return 0;
}

static int poll_del(struct mux *m, struct feed *f)
{
	for (int i = 0; i < m->n; i++)
		if (m->pfd[i].fd == f->fd) {
			m->pfd[i] = m->pfd[--m->n];
			return 0;
		}
	return -ENOENT;
}

/* The array the program hands in: revents cleared, for the record. */
static void prepare(struct mux *m)
{
	for (int i = 0; i < m->n; i++) {
		m->pfd[i].revents = 0;
		m->list[i] = m->pfd[i].fd;
	}
	mux_emit_set(TRACE_SET_BUILD, m->n, m->list, m->n);
}

static int returned(struct mux *m)
{
	int k = 0;

	for (int i = 0; i < m->n; i++)
		if (m->pfd[i].revents != 0)
			m->list[k++] = m->pfd[i].fd;
	return k;
}

static int poll_wait(struct mux *m, int *ready, int max)
{
	int rc, err, found = 0;
	int64_t t0;

	prepare(m);
	t0 = mux_wait_enter(TRACE_CALL_POLL, -1, m->n, m->list, m->n);
	rc = poll(m->pfd, (nfds_t)m->n, -1);
	err = errno;
	mux_wait_exit(TRACE_CALL_POLL, -1, m->n, t0, rc, err,
		      m->list, rc > 0 ? returned(m) : 0);
	/* lesson: poll-scan */
	if (rc < 0)
		return -err;
	/* The program's scan: every entry's revents. */
	for (int i = 0; i < m->n && found < max; i++)
		if (m->pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
			ready[found++] = m->pfd[i].fd;
	/* lesson end */
	mux_emit_set(TRACE_SET_SCAN, m->n, ready, found);
	return found;
}

static void poll_free(struct mux *m)
{
	free(m->pfd);
	free(m->list);
	free(m);
}

static const struct mux_ops poll_mux = {
	.create = poll_create, .add = poll_add, .del = poll_del,
	.wait = poll_wait, .free = poll_free,
};

static int poll_run(struct model_ctx *c)
{
	return mux_run(c, &poll_mux);
}

const struct model_ops model_poll = {
	.name = "poll",
	.summary = "poll(): like select without the 1024 limit; the whole array is still copied and scanned",
	.caps = TRACE_CAP_PHASES | TRACE_CAP_SET | TRACE_CAP_SERVES,
	.available = model_available_always,
	.run = poll_run,
};
