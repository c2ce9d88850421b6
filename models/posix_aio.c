/* posix_aio.c: D hires a helper who texts him when the fish is in the bucket.
 *
 * glibc's POSIX AIO: aio_read(3) hands a read of each fd to the library and
 * returns at once; the caller then does other work, in slices on the
 * world's clock, and between slices looks at each request.  Both phases
 * pass without the caller: it is never blocked.  But glibc has no kernel
 * asynchronous read for sockets: aio_read queues the request for a helper
 * thread (started on demand, kept a second after its last request) that
 * calls an ordinary read(2) and sleeps in it.  The sampler finds those
 * threads in /proc (sampler_watch_helpers): the kernel's word that the
 * blocking did not disappear, it moved to another thread.
 *
 * How the caller learns of completions: SIGEV_NONE, and aio_error(3) on each
 * request after each slice of other work.  aio_error only reads the status
 * the helper wrote into the aiocb: no syscall, so the caller never enters
 * the kernel for its reads at all, which is the point.  SIGEV_THREAD would
 * have glibc start yet another thread per completion to run the callback
 * (a second disguised thread, and the callback would not run on the
 * caller); SIGEV_SIGNAL needs a second signal and a handler that only sets
 * a flag, which is the same checking in the end.
 */
#include <aio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "models/model.h"
#include "trace/sclock.h"

#define DEFAULT_EVERY_NS 100000000  /* a tenth of a scenario second */

struct req {
	struct feed *f;
	struct aiocb cb;             /* glibc's helper writes into it: keep it
	                                in place while the request is live */
	char *buf;
	bool open;                   /* not at end of file yet */
	bool live;                   /* submitted, not yet reaped */
	bool done;                   /* found finished at this look */
	ssize_t ret;                 /* then its result: bytes, 0, -errno */
	int32_t tag;                 /* request number, for the trace */
	int64_t t_submit;
};

struct aio_state {
	struct model_ctx *c;
	struct req *r;
	const struct aiocb **list;   /* for aio_suspend */
	int open, live;
	int32_t next_tag;
	struct aio_state *next;      /* on the abandoned list */
};

/* Requests a helper could not be made to finish in time: their aiocbs and
 * buffers stay allocated (and reachable) for good, since glibc may still
 * write into them. */
static struct aio_state *abandoned;
static pthread_mutex_t abandoned_mu = PTHREAD_MUTEX_INITIALIZER;

static int submit(struct aio_state *st, struct req *r)
{
	struct trace_ev ev = { .kind = TRACE_SUBMIT, .fd = r->f->fd };
	int64_t t0;
	int rc, err;

	/* lesson: aio-submit */
	r->cb = (struct aiocb){
		.aio_fildes = r->f->fd, .aio_buf = r->buf,
		.aio_nbytes = model_chunk(st->c),
		.aio_sigevent = { .sigev_notify = SIGEV_NONE },
	};
	r->tag = ++st->next_tag;
	r->t_submit = probe_now(&st->c->probe);
	probe_phase(TRACE_PH_WAIT, false, false, r->f->fd, r->t_submit);
	t0 = probe_enter(TRACE_CALL_AIO_READ, r->f->fd, false);
	rc = aio_read(&r->cb);
	/* lesson end */
	err = errno;
	probe_exit(TRACE_CALL_AIO_READ, r->f->fd, rc, err, t0, 0);
	if (rc != 0) {
		probe_phase(TRACE_PH_WAIT, true, false, r->f->fd, probe_now(&st->c->probe));
		return -err;
	}
	r->live = true;
	st->live++;
	ev.arg = r->tag;
	ev.n = st->live;
	ev.t_ns = probe_now(&st->c->probe);
	probe_emit(&ev, false);
	return 0;
}

/* The caller has seen request r finish with ret (bytes, 0 at EOF, -errno),
 * among n seen at this look.  The helper's read returned somewhere between
 * the data's arrival and now; the caller learns of it only now, so its
 * phase 2 ends here, as it experienced it. */
static void complete(struct aio_state *st, struct req *r, ssize_t ret, int n, int64_t seen)
{
	struct trace_ev ev = { .kind = TRACE_COMPLETE, .fd = r->f->fd, .arg = r->tag,
			       .ret = ret, .n = n, .t_ns = seen };
	int fd = r->f->fd;

	r->live = false;
	st->live--;
	probe_emit(&ev, false);
	if (ret > 0) {
		int64_t ready = model_ready_time(r->f, r->t_submit, seen);

		probe_phase(TRACE_PH_WAIT, true, false, fd, ready);
		probe_phase(TRACE_PH_COPY, false, false, fd, ready);
		probe_phase(TRACE_PH_COPY, true, false, fd, seen);
	} else {
		probe_phase(TRACE_PH_WAIT, true, false, fd, seen);
	}
}

/* Whether r has finished; then its result (bytes, 0 at EOF, -errno) is in
 * r->ret.  aio_error only reads the aiocb: no syscall. */
static bool finished(struct req *r)
{
	/* lesson: aio-finished */
	int e = aio_error(&r->cb);

	if (e == EINPROGRESS)
		return false;
	r->ret = aio_return(&r->cb);
	if (r->ret < 0)
		r->ret = -(e > 0 ? e : EIO);
	return true;
	/* lesson end */
}

/* Look at every live request; reap the finished ones, and re-issue those
 * with more to read.  Returns 0 or the first -errno. */
static int look(struct aio_state *st)
{
	int64_t seen = probe_now(&st->c->probe);
	int n = 0, rc = 0;

	for (int i = 0; i < st->c->nfds; i++) {
		struct req *r = &st->r[i];

		r->done = r->live && finished(r);
		n += r->done;
	}
	for (int i = 0; i < st->c->nfds; i++) {
		struct req *r = &st->r[i];

		if (!r->done)
			continue;
		complete(st, r, r->ret, n, seen);
		if (r->ret == 0) {
			r->open = false;
			st->open--;
		} else if (r->ret < 0) {
			rc = rc != 0 ? rc : (int)r->ret;
		} else if (rc == 0) {
			rc = submit(st, r);
		}
	}
	return rc;
}

/* Stopping: cancel what glibc can cancel (requests not yet started), and
 * wait for the rest.  A helper asleep in read(2) on a socket cannot be
 * cancelled or interrupted (glibc's helpers block every signal); what ends
 * its read is model_stop's shutdown(2) of the fds (MODEL_STOP_SHUTDOWN_MS
 * in), or the world closing them.  After MODEL_SETTLE_SHUT_MS this thread
 * shuts them down itself; after MODEL_SETTLE_MAX_MS it gives up and
 * leaves the requests' memory to glibc (state_free). */
static void settle(struct aio_state *st)
{
	int64_t t0 = trace_mono_ns();
	bool shut = false, running = false;

	for (int i = 0; i < st->c->nfds; i++)
		if (st->r[i].live)
			running |= aio_cancel(st->r[i].f->fd, &st->r[i].cb) == AIO_NOTCANCELED;
	if (running)
		probe_note("aio_cancel cannot take back a read a helper is already in: "
			   "it sleeps on until ioscope shuts the socket down",
			   "aio_cancel 无法撤回辅助线程已经在执行的 read："
			   "它会一直睡到 ioscope 关闭（shutdown）这个套接字");
	for (;;) {
		struct timespec ts = { 0, 20 * 1000000 };
		int64_t ms = (trace_mono_ns() - t0) / 1000000;
		int n = 0;

		for (int i = 0; i < st->c->nfds; i++) {
			struct req *r = &st->r[i];

			if (r->live && finished(r))
				complete(st, r, r->ret, 1, probe_now(&st->c->probe));
			else if (r->live)
				st->list[n++] = &r->cb;
			if (r->live && ms >= MODEL_SETTLE_SHUT_MS && !shut)
				shutdown(r->f->fd, SHUT_RD);
		}
		shut = shut || ms >= MODEL_SETTLE_SHUT_MS;
		if (n == 0 || ms >= MODEL_SETTLE_MAX_MS)
			return;
		aio_suspend(st->list, n, &ts);   /* EINTR, EAGAIN: look again */
	}
}

/* Other work: a slice on the world's clock.  Returns 0, or -ECANCELED when
 * asked to stop. */
static int other_work(struct model_ctx *c, uint32_t slice)
{
	int64_t every = c->every_ns > 0 ? c->every_ns : DEFAULT_EVERY_NS;
	int64_t t0 = probe_now(&c->probe);
	int rc;

	probe_idle(false, 0, slice);
	rc = sclock_sleep(c->clock, every, &c->stop);
	probe_idle(true, probe_now(&c->probe) - t0, slice);
	return rc != 0 ? -ECANCELED : 0;
}

static int setup(struct aio_state *st)
{
	struct model_ctx *c = st->c;

	st->r = calloc((size_t)c->nfds, sizeof *st->r);
	st->list = calloc((size_t)c->nfds, sizeof *st->list);
	if (st->r == NULL || st->list == NULL)
		return -ENOMEM;
	for (int i = 0; i < c->nfds; i++) {
		struct req *r = &st->r[i];
		int fl = fcntl(c->fds[i].fd, F_GETFL);

		r->f = &c->fds[i];
		if ((r->buf = malloc(MODEL_BUF)) == NULL)
			return -ENOMEM;
		/* The helper's read must sleep until data comes, not fail
		 * with EAGAIN. */
		if (fl < 0 || fcntl(r->f->fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
			return -errno;
		r->open = true;
		st->open++;
	}
	return 0;
}

static void state_free(struct aio_state *st)
{
	if (st->live > 0) {
		pthread_mutex_lock(&abandoned_mu);
		st->next = abandoned;
		abandoned = st;
		pthread_mutex_unlock(&abandoned_mu);
		return;
	}
	for (int i = 0; st->r != NULL && i < st->c->nfds; i++)
		free(st->r[i].buf);
	free(st->r);
	free(st->list);
	free(st);
}

static int posix_aio_run(struct model_ctx *c)
{
	struct aio_state *st = calloc(1, sizeof *st);
	uint32_t slice = 0;
	int rc;

	if (st == NULL)
		return -ENOMEM;
	st->c = c;
	if ((rc = setup(st)) == 0) {
		probe_note("glibc runs aio_read on helper threads that block in an ordinary read: "
			   "asynchronous for the caller, threads in disguise",
			   "glibc 用辅助线程执行 aio_read，它们阻塞在普通的 read 里："
			   "对调用者是异步的，其实是换了身份的线程");
		for (int i = 0; i < c->nfds && rc == 0; i++)
			rc = submit(st, &st->r[i]);
	}
	while (rc == 0 && st->open > 0 && !model_should_stop(c)) {
		if ((rc = other_work(c, ++slice)) == 0)
			rc = look(st);
	}
	if (st->live > 0)
		settle(st);
	if (model_should_stop(c) && st->open > 0)
		rc = -ECANCELED;
	state_free(st);
	return rc;
}

const struct model_ops model_posix_aio = {
	.name = "posix-aio",
	.summary = "glibc aio_read(): the caller never waits; a hidden helper thread blocks in read()",
	.caps = TRACE_CAP_PHASES | TRACE_CAP_COMPLETION | TRACE_CAP_HELPERS,
	.roles = MODEL_ROLE_READER,
	.available = model_available_always,
	.run = posix_aio_run,
};
