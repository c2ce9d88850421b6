/* blocking.c: A holds one rod and waits.
 *
 * recv(2) on a blocking socket: the thread sleeps in the kernel through both
 * phases.  With several fds it reads them in order, to the end of each, so
 * data waiting on fd 3 is not seen while it sleeps on fd 1.
 */
#include <errno.h>
#include <sys/socket.h>

#include "models/model.h"


/* One recv: returns bytes, 0 at EOF, or -errno. */
static ssize_t read_once(struct model_ctx *c, struct feed *f, char *buf, size_t len)
{
	int64_t t0, t1, ready;
	ssize_t n;
	int err;

	probe_phase(TRACE_PH_WAIT, false, true, f->fd, probe_now(&c->probe));
	/* lesson: blocking-recv */
	t0 = probe_enter(TRACE_CALL_RECVFROM, f->fd, true);
	n = recv(f->fd, buf, len, 0);
	err = errno;
	t1 = probe_now(&c->probe);
	if (n > 0) {
		ready = model_ready_time(f, t0, t1);
		probe_phase(TRACE_PH_WAIT, true, true, f->fd, ready);
		probe_phase(TRACE_PH_COPY, false, true, f->fd, ready);
		probe_phase(TRACE_PH_COPY, true, true, f->fd, t1);
	/* lesson end */
	} else {
		probe_phase(TRACE_PH_WAIT, true, true, f->fd, t1);
	}
	probe_exit(TRACE_CALL_RECVFROM, f->fd, n, err, t0, 0);
	return n < 0 ? -err : n;
}

static int blocking_run(struct model_ctx *c)
{
	char buf[MODEL_BUF];

	/* lesson: blocking-loop */
	for (int i = 0; i < c->nfds; i++) {
		ssize_t n;

		do {
			if (model_should_stop(c))
				return -ECANCELED;
			n = read_once(c, &c->fds[i], buf, model_chunk(c));
		} while (n > 0 || n == -EINTR);
	/* lesson end */
		if (model_should_stop(c))      /* woken by the stop, not by EOF */
			return -ECANCELED;
		if (n < 0)
			return (int)n;
	}
	return 0;
}

const struct model_ops model_blocking = {
	.name = "blocking",
	.summary = "recv() on a blocking socket: asleep in the kernel through both phases",
	.caps = TRACE_CAP_PHASES,
	.roles = MODEL_ROLE_READER,
	.available = model_available_always,
	.run = blocking_run,
};
