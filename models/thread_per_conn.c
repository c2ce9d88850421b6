/* thread_per_conn.c: S accepts, and starts a thread for each connection.
 *
 * The model's own thread S sleeps in a blocking accept(2).  Each
 * connection it accepts gets a thread of its own, announced as an actor
 * ("S.1", "S.2" ... in accept order), that reads it with blocking recvmsg(2)
 * exactly as models/blocking.c does, answers every complete line (the
 * echo protocol, model.h), and closes it at end of file.  A thousand idle
 * clients are a thousand threads asleep in recvmsg: the cost the event
 * loop avoids, made visible.
 *
 * Ownership: S alone walks and frees the list of its children.  A child
 * closes its own socket when it is done with it, under the server's lock,
 * so that S, shutting the live ones down when it is stopped, never shuts
 * down a number the process has since given to another socket; then it
 * puts itself on the finished list, which S empties (pthread_join, free)
 * before each accept, so ten thousand connections over a run do not keep
 * ten thousand thread handles.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "models/model.h"
#include "models/srv.h"
#include "trace/sclock.h"

#define NAME       "thread-per-conn"

struct conn {
	struct server *s;
	struct conn *prev, *next;     /* the live list: S's alone */
	struct conn *fin;             /* the finished list, under s->mu */
	struct probe probe;           /* its actor's, or zeroed: untraced */
	pthread_t th;
	int fd;                       /* -1 once closed, under s->mu */
	bool mute;                    /* an answer failed: read on, answer no more */
	struct srv_line line;         /* the unfinished line */
};

struct server {
	struct model_ctx *c;
	pthread_mutex_t mu;
	struct conn *live;            /* started, not yet joined */
	struct conn *finished;        /* done, to be joined */
	int accepted;                 /* connections, in accept order */
	int refused;                  /* closed at once: no thread for them */
};

/* A complete line (or SRV_LINE_MAX bytes of one) goes back to the client
 * after work_ns (srv_line_feed's callback).  Returns 0, or -ECANCELED
 * when the run stops. */
static int answer_cb(void *arg, const char *line, size_t len)
{
	struct conn *k = arg;
	int rc;

	if (!k->mute && ((rc = model_work(k->s->c, NULL)) != 0 ||
			 (rc = srv_send_all(k->fd, line, len, &k->s->c->stop)) != 0)) {
		if (rc == -ECANCELED)
			return rc;
		/* The client is gone (a reset): no more answers, but the
		 * connection is still read to its end, as every server model
		 * reads each (models/model.h). */
		k->mute = true;
	}
	return 0;
}

/* One blocking read with both phases, as models/blocking.c records them.
 * A blocking reader learns of its data only when it wakes; the kernel
 * says when the data came: recvmsg, recv's sibling, hands back the
 * socket's arrival stamp (srv.h, srv_recv_stamped).  Phase 1 ends then,
 * at the call's start if the data was already waiting, and the copy runs
 * from there to the return.  Without a stamp (end of file, an error, or
 * data that came before the kernel stamped any) phase 1 ends at the
 * return.  Returns bytes, 0 at EOF, or -errno. */
static ssize_t read_once(struct conn *k, char *buf, size_t len)
{
	return srv_recv_blocking(&k->probe, k->fd, buf, len);
}

static void serve(struct conn *k)
{
	char buf[MODEL_BUF];
	ssize_t n;

	do {
		if (model_should_stop(k->s->c))
			return;
		n = read_once(k, buf, model_chunk(k->s->c));
		if (n > 0 && srv_line_feed(&k->line, buf, (size_t)n, answer_cb, k) != 0)
			return;
	} while (n > 0 || n == -EINTR);
}

/* Traced, the children's reads want the kernel's arrival stamps
 * (srv.h).  Turned on for the listener, at S's start: a connection
 * accepted from it inherits them (the kernel clones the listener's socket
 * flags), and the kernel starts stamping before the first client comes
 * (turning its stamping on takes it a moment: a work queue).  Then on
 * each traced connection too, since one whose handshake finished before
 * the listener's flag was set did not inherit it.  A failure costs only
 * the stamps (phase 1 then ends at the return), not the serving; untraced
 * (the bench) nothing is asked. */
static void stamp_listener(struct model_ctx *c)
{
	if (probe_self() != NULL)
		(void)srv_stamp_arrivals(c->listen_fd);
}

static void stamp_conn(int fd)
{
	(void)srv_stamp_arrivals(fd);
}

static void *conn_main(void *arg)
{
	struct conn *k = arg;
	struct server *s = k->s;

	/* A zeroed probe (untraced) is attached as none: probe.c would wake
	 * its NULL sink. */
	probe_attach(k->probe.ring != NULL ? &k->probe : NULL);
	probe_actor_begin();
	if (k->probe.ring != NULL)
		stamp_conn(k->fd);
	serve(k);
	pthread_mutex_lock(&s->mu);
	close(k->fd);                 /* the client sees its end of file */
	k->fd = -1;
	pthread_mutex_unlock(&s->mu);
	probe_actor_end();
	probe_attach(NULL);
	pthread_mutex_lock(&s->mu);
	k->fin = s->finished;
	s->finished = k;
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

static void unlink_conn(struct server *s, struct conn *k)
{
	if (k->prev != NULL)
		k->prev->next = k->next;
	else
		s->live = k->next;
	if (k->next != NULL)
		k->next->prev = k->prev;
}

/* Join the children that finished, and free them. */
static void reap(struct server *s)
{
	struct conn *k;

	pthread_mutex_lock(&s->mu);
	k = s->finished;
	s->finished = NULL;
	pthread_mutex_unlock(&s->mu);
	while (k != NULL) {
		struct conn *fin = k->fin;

		pthread_join(k->th, NULL);
		unlink_conn(s, k);
		free(k);
		k = fin;
	}
}

/* No thread for a connection (EAGAIN: the thread limit; no memory):
 * it is closed at once, counted, and said once. */
static void refuse(struct server *s, int fd)
{
	close(fd);
	if (s->refused++ == 0)
		probe_note("no thread could be started for a connection: it was closed "
			   "at once (a thread costs memory, and there is a limit to them)",
			   "无法为一个连接启动线程：连接被立即关闭（线程要占内存，数量也有上限）");
}

/* A thread for connection fd, announced before it starts. */
/* lesson: thread-per-conn-spawn */
static void start_conn(struct server *s, int fd)
{
	struct conn *k = calloc(1, sizeof *k);
	char name[64], en[96], zh[96];
	int64_t t0;
	int rc, n;

	if (k == NULL) {
		refuse(s, fd);
		return;
	}
	n = ++s->accepted;
	k->s = s;
	k->fd = fd;
	snprintf(name, sizeof name, "%s.%d", model_actor_name(s->c), n);
	snprintf(en, sizeof en, "%s's thread for connection %d", model_actor_name(s->c), n);
	snprintf(zh, sizeof zh, "%s 为第 %d 个连接开的线程", model_actor_name(s->c), n);
	/* Untraced (-EPERM) or out of actors: the thread runs untraced. */
	(void)probe_actor_new(&k->probe, &(struct sink_actor){
		.name = name, .model = NAME, .caps = TRACE_CAP_PHASES,
		.label_en = en, .label_zh = zh });
	/* On the list first: it may finish before pthread_create returns. */
	k->next = s->live;
	if (s->live != NULL)
		s->live->prev = k;
	s->live = k;
	t0 = probe_enter(TRACE_CALL_CLONE, -1, false);
	rc = pthread_create(&k->th, NULL, conn_main, k);
	probe_exit(TRACE_CALL_CLONE, -1, rc == 0 ? 0 : -1, rc, t0, 0);
	if (rc != 0) {
		unlink_conn(s, k);
		free(k);
		refuse(s, fd);
	}
}
/* lesson end */

/* Stopped: every live child's socket is shut down (its recv sees end of
 * file, its send EPIPE; its idle sleep sees c->stop), then each is
 * joined. */
static void stop_all(struct server *s)
{
	pthread_mutex_lock(&s->mu);
	for (struct conn *k = s->live; k != NULL; k = k->next)
		if (k->fd >= 0)
			shutdown(k->fd, SHUT_RDWR);
	pthread_mutex_unlock(&s->mu);
	while (s->live != NULL) {
		struct conn *k = s->live;

		pthread_join(k->th, NULL);
		unlink_conn(s, k);
		free(k);
	}
	s->finished = NULL;           /* every one of them was on the live list */
}

/* One blocking accept.  Returns the new fd, or -errno. */
static int accept_one(struct server *s)
{
	int lfd = s->c->listen_fd;
	int64_t t0 = probe_enter(TRACE_CALL_ACCEPT, lfd, true);
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	int err = errno;

	probe_exit(TRACE_CALL_ACCEPT, lfd, fd, err, t0, 0);
	return fd < 0 ? -err : fd;
}

/* After a failed accept: 1 to go on, 0 when the listener was shut down
 * (the run is stopping us), or -errno. */
static int accept_failed(struct server *s, int err)
{
	if (err == -EINTR || err == -ECONNABORTED || err == -EPROTO)
		return 1;
	if (model_should_stop(s->c))
		return 0;
	/* Out of descriptors or memory: what the children hold comes back as
	 * they finish. */
	if (err == -EMFILE || err == -ENFILE || err == -ENOBUFS || err == -ENOMEM) {
		model_nap(s->c, MODEL_NAP_NS, NULL);
		return 1;
	}
	return err;
}

static int accept_loop(struct server *s)
{
	int rc;

	/* lesson: thread-per-conn-loop */
	while (!model_should_stop(s->c)) {
		int fd;

		reap(s);                          /* join the threads that ended */
		fd = accept_one(s);               /* asleep until a client comes */
		if (fd >= 0)
			start_conn(s, fd);        /* its own thread: S.1, S.2 ... */
		else if ((rc = accept_failed(s, fd)) <= 0)
			return rc;
	}
	/* lesson end */
	return 0;
}


static int tpc_run(struct model_ctx *c)
{
	struct server s = { .c = c };
	int fl, rc;

	if (c->listen_fd < 0)
		return -EINVAL;
	/* Blocking, whatever ran on this socket before. */
	if ((fl = fcntl(c->listen_fd, F_GETFL)) < 0 ||
	    fcntl(c->listen_fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
		return -errno;
	if ((rc = -pthread_mutex_init(&s.mu, NULL)) != 0)
		return rc;
	stamp_listener(c);
	rc = accept_loop(&s);
	stop_all(&s);
	pthread_mutex_destroy(&s.mu);
	return rc;
}

const struct model_ops model_thread_per_conn = {
	.name = NAME,
	.summary = "a blocking accept loop; a thread per connection, asleep in its own recv",
	.caps = TRACE_CAP_SPAWNS,
	.roles = MODEL_ROLE_ECHO,
	.available = model_available_always,
	.run = tpc_run,
};
