/* world.c: scripted actions on libuv timers, real writes on real sockets. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "trace/sclock.h"
#include "scenarios/world_int.h"

/* Raise the soft RLIMIT_NOFILE to fit fd numbers up to need, if allowed. */
static int fit_nofile(rlim_t need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -errno;
	if (rl.rlim_cur >= need)
		return 0;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
		return -EMFILE;
	rl.rlim_cur = need;
	return setrlimit(RLIMIT_NOFILE, &rl) == 0 ? 0 : -errno;
}

/* Move fd to the lowest free number at or above low (low=N in a script). */
static int move_up(int fd, int low)
{
	int to;

	if (low <= 0 || fd >= low)
		return fd;
	to = fcntl(fd, F_DUPFD_CLOEXEC, low);
	if (to < 0)
		return -errno;
	close(fd);
	return to;
}

static int make_pair(struct world_actor *a, int i, int low)
{
	int sv[2], rd;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return -errno;
	rd = move_up(sv[0], low);
	/* The world must never block the loop: its end is non-blocking. */
	if (rd < 0 || fcntl(sv[1], F_SETFL, O_NONBLOCK) != 0) {
		int err = rd < 0 ? -rd : errno;

		if (rd >= 0)
			close(rd);
		close(sv[1]);
		return -err;
	}
	a->fds[i].fd = rd;
	atomic_init(&a->fds[i].ready_ns, 0);
	atomic_init(&a->fds[i].in_epoll, 0);
	a->far[i] = sv[1];
	return 0;
}

static int actor_init(struct world_actor *a, const struct scn_actor *sa)
{
	int rc;

	a->listen_fd = -1;
	if (sa->role == SCN_ROLE_SERVER)
		return world__listen(a, sa->sockbuf);
	if (sa->low_fd > 0 && (rc = fit_nofile((rlim_t)sa->low_fd + (rlim_t)sa->nfds + 64)) != 0)
		return rc;
	a->fds = calloc((size_t)sa->nfds, sizeof *a->fds);
	a->far = calloc((size_t)sa->nfds, sizeof *a->far);
	if (a->fds == NULL || a->far == NULL)
		return -ENOMEM;
	for (int i = 0; i < sa->nfds; i++) {
		if ((rc = make_pair(a, i, sa->low_fd)) != 0)
			return rc;
		a->nfds++;
	}
	return 0;
}

int world_new(uv_loop_t *loop, const struct scn *s, struct sclock *c,
	      struct sink *sink, int actor_base, struct world **out)
{
	struct world *w = calloc(1, sizeof *w);
	int rc = -ENOMEM;

	if (w == NULL)
		return -ENOMEM;
	w->loop = loop;
	w->scn = s;
	w->clock = c;
	w->sink = sink;
	w->actor_base = actor_base;
	w->client_base = actor_base + s->nactors;
	for (int i = 0; i < SCN_MAX_ACTORS; i++)
		w->actors[i].listen_fd = -1;
	for (int i = 0; i < SCN_MAX_CLIENTS; i++)
		w->clients[i].fd = -1;
	if ((w->ring = sink_ring_new(sink, TRACE_WORLD)) == NULL)
		goto fail;
	for (int i = 0; i < s->nactors; i++)
		if ((rc = actor_init(&w->actors[i], &s->actors[i])) != 0)
			goto fail;
	/* Last: from here on the sink holds w. */
	if ((rc = sink_listen(sink, world__observe_cb, w)) != 0)
		goto fail;
	uv_timer_init(loop, &w->timer);
	w->timer.data = w;
	*out = w;
	return 0;
fail:
	world_close(w);
	world_free(w);
	return rc;
}

struct feed *world_fds(struct world *w, int actor, int *nfds)
{
	*nfds = w->actors[actor].nfds;
	return w->actors[actor].fds;
}

int world_listen_fd(struct world *w, int actor)
{
	return w->actors[actor].listen_fd;
}

void world__emit(struct world *w, struct trace_ev *ev)
{
	if (ev->t_ns == 0)
		ev->t_ns = sink_now(w->sink);
	sink_emit(w->sink, w->ring, ev);
}

static void do_write(struct world *w, const struct scn_action *a, int step)
{
	struct world_actor *wa = &w->actors[a->actor];
	struct feed *f = &wa->fds[a->fd];
	int64_t expect = 0, now;
	ssize_t n;

	if (wa->far[a->fd] < 0)
		return;
	/* Stamp the moment the data becomes ready, for phase 1's end, unless
	 * unread data was already waiting. */
	now = sink_now(w->sink);
	atomic_compare_exchange_strong(&f->ready_ns, &expect, now);
	n = send(wa->far[a->fd], a->data, a->len, MSG_NOSIGNAL);   /* EPIPE, not SIGPIPE */
	world__emit(w, &(struct trace_ev){
		.kind = TRACE_ARRIVE, .actor = w->actor_base + a->actor,
		.fd = f->fd, .ret = n < 0 ? -errno : n, .step = step, .t_ns = now,
	});
	/* epoll's callback ran inside that write: the fd is on the ready list. */
	if (n > 0 && atomic_load(&f->in_epoll))
		world__emit(w, &(struct trace_ev){
			.kind = TRACE_READY, .what = TRACE_READY_INFERRED,
			.actor = w->actor_base + a->actor, .fd = f->fd, .step = step,
			.t_ns = now,      /* it joined inside the write */
		});
}

static void close_far(struct world *w, int actor, int fd, int step)
{
	struct world_actor *wa = &w->actors[actor];
	int64_t now = sink_now(w->sink);    /* before the reader can see EOF */

	if (wa->far[fd] < 0)
		return;
	close(wa->far[fd]);
	wa->far[fd] = -1;
	world__emit(w, &(struct trace_ev){
		.kind = TRACE_CLOSE, .actor = w->actor_base + actor,
		.fd = wa->fds[fd].fd, .step = step, .t_ns = now,
	});
}

static void do_action(struct world *w, const struct scn_action *a, int step)
{
	struct trace *t = sink_trace(w->sink);

	switch (a->op) {
	case SCN_SAY:
		world__emit(w, &(struct trace_ev){
			.kind = TRACE_CAPTION, .actor = TRACE_WORLD, .fd = -1,
			.step = step, .text = { trace_intern(t, a->text[0]),
						 trace_intern(t, a->text[1]) },
		});
		break;
	case SCN_WRITE:
		do_write(w, a, step);
		break;
	case SCN_CLOSE:
		close_far(w, a->actor, a->fd, step);
		break;
	case SCN_CONNECT:
		world__connect(w, a, step);
		break;
	case SCN_SEND:
		world__send(w, a, step);
		break;
	case SCN_HANGUP:
	case SCN_RESET:
		world__hangup(w, a->client, a->op == SCN_RESET, step);
		break;
	case SCN_PAUSE:
	case SCN_RESUME:
		world__pause(w, a->client, a->op == SCN_PAUSE, step);
		break;
	}
}

void world__done(struct world *w)
{
	if (w->done)
		return;
	w->done = 1;
	uv_timer_stop(&w->timer);
	if (w->done_cb != NULL)
		w->done_cb(w->done_arg);
}

static void serve_timeout_cb(uv_timer_t *h)
{
	world__done(h->data);
}

/* Hang up and close what is open; the run is over once every server has
 * read what its clients sent (world__observe_cb sees it), or at the
 * latest WORLD_SERVE_MS later.  Ending at once would stop a server that
 * has not been scheduled yet, with its clients' bytes unread. */
static void world_end(struct world *w)
{
	for (int i = 0; i < w->scn->nclients; i++)
		world__hangup(w, i, 0, -1);
	for (int i = 0; i < w->scn->nactors; i++)
		for (int j = 0; j < w->actors[i].nfds; j++)
			close_far(w, i, j, -1);
	w->ended = 1;
	if (!world__serving(w))
		world__done(w);
	else
		uv_timer_start(&w->timer, serve_timeout_cb, WORLD_SERVE_MS, 0);
}

static void arm(struct world *w);

/* Perform every action that is due, then sleep until the next one. */
static void world_tick_cb(uv_timer_t *h)
{
	struct world *w = h->data;
	int64_t now = sclock_now(w->clock);

	while (w->next < w->scn->nactions && w->scn->actions[w->next].at_ns <= now) {
		do_action(w, &w->scn->actions[w->next], w->next);
		w->next++;
	}
	arm(w);
}

/* Sleep until the next action; at the end, end.  Paused: no timer at all,
 * whoever resumes the clock calls world_resume. */
static void arm(struct world *w)
{
	int64_t wait;

	if (w->ended)
		return;
	if (w->next == w->scn->nactions) {
		world_end(w);
		return;
	}
	wait = sclock_real_until(w->clock, w->scn->actions[w->next].at_ns);
	if (wait >= 0)
		uv_timer_start(&w->timer, world_tick_cb, (uint64_t)((wait + 999999) / 1000000), 0);
	else
		uv_timer_stop(&w->timer);
}

int world_start(struct world *w, world_done_cb cb, void *arg)
{
	w->done_cb = cb;
	w->done_arg = arg;
	return uv_timer_start(&w->timer, world_tick_cb, 0, 0);
}

void world_resume(struct world *w)
{
	arm(w);
}

int world_step(struct world *w)
{
	int64_t at;
	int last = -1;

	if (w->ended)
		return -1;
	if (w->next == w->scn->nactions) {
		world_end(w);
		return -1;
	}
	at = w->scn->actions[w->next].at_ns;
	sclock_jump(w->clock, at);
	while (w->next < w->scn->nactions && w->scn->actions[w->next].at_ns == at) {
		do_action(w, &w->scn->actions[w->next], w->next);
		last = w->next++;
	}
	arm(w);
	return last;
}

int world_inject(struct world *w, int actor, int fd, const char *data, size_t len)
{
	struct scn_action a = { .op = SCN_WRITE, .actor = actor, .fd = fd,
				.data = (char *)data, .len = len };

	if (actor < 0 || actor >= w->scn->nactors || fd < 0 || fd >= w->actors[actor].nfds)
		return -EINVAL;
	do_write(w, &a, -1);
	return 0;
}

int world_next(const struct world *w) { return w->next; }
int world_total(const struct world *w) { return w->scn->nactions; }

void world_close(struct world *w)
{
	if (w == NULL)
		return;
	w->done = 1;              /* closed: done_cb will not run now */
	if (w->timer.loop != NULL && !uv_is_closing((uv_handle_t *)&w->timer)) {
		uv_timer_stop(&w->timer);
		uv_close((uv_handle_t *)&w->timer, NULL);
	}
	world__clients_close(w);
	for (int i = 0; i < SCN_MAX_ACTORS; i++) {
		struct world_actor *a = &w->actors[i];

		for (int j = 0; j < a->nfds; j++) {
			close(a->fds[j].fd);
			if (a->far[j] >= 0)
				close(a->far[j]);
		}
		a->nfds = 0;
		if (a->listen_fd >= 0)
			close(a->listen_fd);
		a->listen_fd = -1;
	}
}

void world_free(struct world *w)
{
	if (w == NULL)
		return;
	for (int i = 0; i < SCN_MAX_ACTORS; i++) {
		free(w->actors[i].fds);
		free(w->actors[i].far);
	}
	free(w);
}
