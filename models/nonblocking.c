/* nonblocking.c: B checks his rod now and then and chats in between.
 *
 * The fds are O_NONBLOCK: recv(2) returns at once, with EAGAIN while there
 * is nothing to read.  Phase 1 is spent awake, asking again and again (each
 * try counted); between rounds B does something else for `every` scenario
 * ns on the world's clock.  Phase 2, the recv that finds data, still blocks
 * the caller while the kernel copies.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "models/model.h"
#include "trace/sclock.h"

#define DEFAULT_EVERY_NS 250000000   /* a quarter of a scenario second */

struct rod {
	bool open;
	bool waiting;                /* inside phase 1 */
	uint32_t tries;              /* recv calls in this phase 1 */
};

/* One try on one fd: >0 bytes, 0 EOF, -EAGAIN nothing yet, other -errno. */
static ssize_t try_once(struct model_ctx *c, struct feed *f, struct rod *r,
			char *buf, size_t len)
{
	int64_t t0, t1;
	ssize_t n;
	int err;

	if (!r->waiting) {
		probe_phase(TRACE_PH_WAIT, false, false, f->fd, probe_now(&c->probe));
		r->waiting = true;
		r->tries = 0;
	}
	r->tries++;
	t0 = probe_enter(TRACE_CALL_RECVFROM, f->fd, false);
	n = recv(f->fd, buf, len, 0);
	err = errno;
	t1 = probe_now(&c->probe);
	if (n > 0) {
		/* This call found data: phase 1 ended as it began, phase 2 is
		 * the copy inside it. */
		probe_phase(TRACE_PH_WAIT, true, false, f->fd, t0);
		probe_phase(TRACE_PH_COPY, false, true, f->fd, t0);
		probe_phase(TRACE_PH_COPY, true, true, f->fd, t1);
		r->waiting = false;
	} else if (n == 0 || err != EAGAIN) {
		probe_phase(TRACE_PH_WAIT, true, false, f->fd, t1);
		r->waiting = false;
	}
	probe_exit(TRACE_CALL_RECVFROM, f->fd, n, err, t0, r->tries);
	atomic_store(&f->ready_ns, 0);
	return n < 0 ? -err : n;
}

/* One round over every open fd; returns how many were read from, or -errno.
 * *open counts the fds still open. */
static int round_once(struct model_ctx *c, struct rod *rods, char *buf, int *open)
{
	int got = 0;

	*open = 0;
	for (int i = 0; i < c->nfds; i++) {
		ssize_t n;

		if (!rods[i].open)
			continue;
		n = try_once(c, &c->fds[i], &rods[i], buf, model_chunk(c));
		if (n > 0)
			got++;
		else if (n == 0)
			rods[i].open = false;
		else if (n != -EAGAIN && n != -EINTR)
			return model_should_stop(c) ? -ECANCELED : (int)n;
		*open += rods[i].open;
	}
	return got;
}

static int nonblocking_run(struct model_ctx *c)
{
	struct rod rods[64] = { { 0 } };
	int64_t every = c->every_ns > 0 ? c->every_ns : DEFAULT_EVERY_NS;
	char buf[MODEL_BUF];
	int open = c->nfds, tries = 0;

	if (c->nfds > 64)
		return -EINVAL;
	/* lesson: nonblocking-set */
	for (int i = 0; i < c->nfds; i++) {
		int fl = fcntl(c->fds[i].fd, F_GETFL);

		if (fl < 0 || fcntl(c->fds[i].fd, F_SETFL, fl | O_NONBLOCK) < 0)
			return -errno;
		rods[i].open = true;
	}
	/* lesson end */
	while (open > 0 && !model_should_stop(c)) {
		int got = round_once(c, rods, buf, &open);
		int64_t t0;

		if (got < 0)
			return got;
		/* lesson: nonblocking-idle */
		if (got > 0 || open == 0)
			continue;
		/* Nothing anywhere: do something else for a while. */
		probe_idle(false, 0, ++tries);
		t0 = probe_now(&c->probe);
		if (sclock_sleep(c->clock, every, &c->stop) != 0)
			break;
		/* lesson end */
		probe_idle(true, probe_now(&c->probe) - t0, tries);
	}
	return open > 0 ? -ECANCELED : 0;
}

const struct model_ops model_nonblocking = {
	.name = "nonblocking",
	.summary = "O_NONBLOCK recv(): asks again and again (EAGAIN), copy still blocks",
	.caps = TRACE_CAP_PHASES | TRACE_CAP_TRIES,
	.roles = MODEL_ROLE_READER,
	.available = model_available_always,
	.run = nonblocking_run,
};
