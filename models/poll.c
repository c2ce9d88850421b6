/* poll.c: many rods through poll(2).
 *
 * No FD_SETSIZE: the program hands the kernel an array of pollfd entries,
 * one per watched fd, of any number.  Like select, the kernel (fs/select.c,
 * do_sys_poll) copies the whole array in on every call, polls each entry
 * whose fd is >= 0, and writes each entry's revents back; the program walks
 * all of it afterwards to find the entries whose revents say readable.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>

#include "models/mux.h"

struct mux {
	struct pollfd *pfd;
	int n, max;
	int *list;                   /* scratch for set events */
	bool *out;                   /* ... and which have POLLOUT */
};

static int poll_create(struct mux **out, int maxfds)
{
	struct mux *m = calloc(1, sizeof *m);

	if (m == NULL)
		return -ENOMEM;
	if ((m->pfd = calloc((size_t)maxfds, sizeof *m->pfd)) == NULL)
		goto fail_m;
	m->list = calloc((size_t)maxfds, sizeof *m->list);
	m->out = calloc((size_t)maxfds, sizeof *m->out);
	if (m->list == NULL || m->out == NULL)
		goto fail_pfd;
	m->max = maxfds;
	*out = m;
	return 0;
fail_pfd:
	free(m->list);
	free(m->out);
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

/* POLLOUT in the entry's events, from the next call on, or out of them. */
static int poll_want_write(struct mux *m, struct feed *f, bool on)
{
	for (int i = 0; i < m->n; i++)
		if (m->pfd[i].fd == f->fd) {
			m->pfd[i].events = (short)(POLLIN | (on ? POLLOUT : 0));
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
		m->out[i] = m->pfd[i].events & POLLOUT;
	}
	mux_emit_set(TRACE_SET_BUILD, m->n, m->list, m->n, m->out);
}

static int returned(struct mux *m)
{
	int k = 0;

	for (int i = 0; i < m->n; i++)
		if (m->pfd[i].revents != 0) {
			m->out[k] = m->pfd[i].revents & POLLOUT;
			m->list[k++] = m->pfd[i].fd;
		}
	return k;
}

/* What the kernel will do with the array (do_sys_poll): copy every entry
 * in, poll those with fd >= 0 (a negative fd is skipped), and write only
 * each entry's revents back. */
static struct mux_cost cost_of(const struct mux *m)
{
	int polled = 0;

	for (int i = 0; i < m->n; i++)
		polled += m->pfd[i].fd >= 0;
	return (struct mux_cost){
		.polled = polled,
		.in = (unsigned)((size_t)m->n * sizeof(struct pollfd)),
		.out = (unsigned)((size_t)m->n * sizeof m->pfd[0].revents),
	};
}

static int poll_wait(struct mux *m, struct mux_ready *ready, int max)
{
	int rc, err, found = 0;
	struct mux_cost cost;
	int64_t t0;

	prepare(m);
	cost = cost_of(m);
	t0 = mux_wait_enter_cost(TRACE_CALL_POLL, m->n, m->list, m->n, m->out, &cost);
	rc = poll(m->pfd, (nfds_t)m->n, -1);
	err = errno;
	mux_wait_exit_cost(TRACE_CALL_POLL, m->n, t0, rc, err,
			   m->list, rc > 0 ? returned(m) : 0, m->out, &cost);
	/* lesson: poll-scan */
	if (rc < 0)
		return -err;
	/* The program's scan: every entry's revents. */
	for (int i = 0; i < m->n && found < max; i++) {
		short re = m->pfd[i].revents;
		unsigned ev = (re & (POLLIN | POLLHUP | POLLERR) ? MUX_IN : 0) |
			      (re & POLLOUT ? MUX_OUT : 0);

		if (ev != 0)
			ready[found++] = (struct mux_ready){ m->pfd[i].fd, ev };
	}
	/* lesson end */
	for (int i = 0; i < found; i++) {
		m->list[i] = ready[i].fd;
		m->out[i] = ready[i].ev & MUX_OUT;
	}
	mux_emit_set(TRACE_SET_SCAN, m->n, m->list, found, m->out);
	return found;
}

static void poll_free(struct mux *m)
{
	free(m->pfd);
	free(m->list);
	free(m->out);
	free(m);
}

static const struct mux_ops poll_mux = {
	.create = poll_create, .add = poll_add, .del = poll_del,
	.want_write = poll_want_write, .wait = poll_wait, .free = poll_free,
};

static int poll_run(struct model_ctx *c)
{
	return mux_run(c, &poll_mux);
}

const struct model_ops model_poll = {
	.name = "poll",
	.summary = "poll(): like select without the 1024 limit; the whole array is still copied in and scanned",
	.caps = TRACE_CAP_PHASES | TRACE_CAP_SET | TRACE_CAP_SERVES,
	.roles = MODEL_ROLE_READER | MODEL_ROLE_CHAT | MODEL_ROLE_ECHO,
	.available = model_available_always,
	.run = poll_run,
};
