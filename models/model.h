/* model.h: one IO model, one file, one table entry.
 *
 * A model is the body of a thread that reads everything the world sends on
 * its fds until each reaches end-of-file, through the probes (probe.h), so
 * that every syscall and both phases of every read become trace events.
 * The generic part here starts the thread, records its tid for the sampler,
 * and stops it promptly even when it is blocked in the kernel.
 *
 * Call order: model_find -> ops->available -> model_start -> (run) ->
 * model_join or model_stop.  A model's own state (an epoll fd, a ring) is a
 * struct local to its file, made and freed inside its run().
 */
#ifndef IOSCOPE_MODEL_H
#define IOSCOPE_MODEL_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include "models/probe.h"
#include "trace/feed.h"

struct sclock;

#define MODEL_BUF 4096                 /* default bytes per read */


struct model_ctx {
	/* Set by the caller before model_start. */
	int actor;                     /* trace actor index */
	struct feed *fds;
	int nfds;
	int64_t every_ns;              /* scenario ns between non-blocking tries */
	int chunk;                     /* bytes per read, 0 = MODEL_BUF */
	int drain;                     /* edge-triggered: read to EAGAIN (-1 = default) */
	int listen_fd;                 /* server role: listening socket, else -1 */
	int serve;                     /* server role: enum model_serve */
	int workers;                   /* thread-pool: worker threads, 0 = default */
	int queue;                     /* thread-pool: queue capacity, 0 = default */
	int64_t work_ns;               /* server role: scenario ns a request takes
	                                  to handle before its answer, 0 = none */
	struct sclock *clock;
	struct probe probe;

	/* Set by model_start and the thread. */
	const struct model_ops *ops;
	pthread_t thread;
	_Atomic pid_t tid;             /* 0 until the thread runs */
	_Atomic int stop;              /* asked to stop */
	_Atomic int done;              /* run() returned */
	int status;                    /* what run() returned */
	int started;
};

/* What a server does with what a client sends (scenario option serve=). */
enum model_serve {
	MODEL_SERVE_CHAT = 0,          /* every complete line goes to all the
	                                  other clients (models/mux_server.c) */
	MODEL_SERVE_ECHO,              /* every complete line goes back to its
	                                  sender, after work_ns */
};

/* The roles a model can play (model_ops.roles). */
enum model_role {
	MODEL_ROLE_READER = 1u << 0,   /* reads the fds the world holds the
	                                  other ends of */
	MODEL_ROLE_CHAT   = 1u << 1,   /* a server, serve=chat */
	MODEL_ROLE_ECHO   = 1u << 2,   /* a server, serve=echo */
};

struct model_ops {
	const char *name;              /* "blocking" */
	const char *summary;           /* one line for `ioscope models` */
	unsigned caps;                 /* enum trace_cap: what its trace can
	                                  show; the header carries it */
	unsigned roles;                /* enum model_role */
	/* 0 if it can run here, else -errno and *why says why in a sentence. */
	int (*available)(const char **why);
	/* The thread body.  Returns 0 when every fd reached EOF or stop was
	 * asked, or -errno. */
	int (*run)(struct model_ctx *c);
};

/* The models of this build, in teaching order; call model_table_init (or
 * model_find, model_names) once before reading them. */
extern const struct model_ops *model_table[];
extern int model_count;
int model_table_init(void);

const struct model_ops *model_find(const char *name);
/* For models that need nothing beyond POSIX and Linux 2.6.32 (F_SETOWN_EX). */
int model_available_always(const char **why);
int model_known(const char *name);           /* for scn_check_models */
const char *model_names(void);               /* "blocking, nonblocking, ..." */

int model_start(struct model_ctx *c, const struct model_ops *ops);

/* Wait for the thread to finish by itself, up to timeout_ms.
 * Returns 0 when joined, -ETIMEDOUT otherwise (still running). */
int model_join(struct model_ctx *c, int timeout_ms);

/* The signal model_stop sends a thread to interrupt its blocking call. */
#define MODEL_WAKE_SIGNAL (SIGRTMIN + 4)

/* Ask the thread to stop, wake it from any wait (MODEL_WAKE_SIGNAL makes
 * its call return EINTR; the clock is woken; shutdown(2) on its fds as a
 * last resort), and join within timeout_ms.  Returns 0 or -ETIMEDOUT. */
int model_stop(struct model_ctx *c, int timeout_ms);

/* model_stop's timing.  It signals the thread every MODEL_STOP_RETRY_MS,
 * shuts its fds down after MODEL_STOP_SHUTDOWN_MS, and callers give it
 * MODEL_STOP_MS.  A model whose own work ends only with that shutdown
 * (posix_aio: glibc's helpers sleep in read(2) and ignore signals) settles
 * while stopping: it shuts the fds down itself at MODEL_SETTLE_SHUT_MS, in
 * case model_stop's came too early for it, and gives up at
 * MODEL_SETTLE_MAX_MS, so that its thread still returns before model_stop
 * calls it stuck. */
#define MODEL_STOP_RETRY_MS    20
#define MODEL_STOP_SHUTDOWN_MS (15 * MODEL_STOP_RETRY_MS)
#define MODEL_STOP_MS          1000
#define MODEL_SETTLE_SHUT_MS   (MODEL_STOP_SHUTDOWN_MS + 200)
#define MODEL_SETTLE_MAX_MS    (MODEL_STOP_MS - 300)
_Static_assert(MODEL_STOP_RETRY_MS < MODEL_STOP_SHUTDOWN_MS &&
	       MODEL_STOP_SHUTDOWN_MS < MODEL_SETTLE_SHUT_MS &&
	       MODEL_SETTLE_SHUT_MS < MODEL_SETTLE_MAX_MS &&
	       MODEL_SETTLE_MAX_MS < MODEL_STOP_MS,
	       "model_stop shuts down, then a settling model does, then gives up, "
	       "then model_stop does");

/* When a read's phase 1 ended, for a model that learns of the data only at
 * t1, after asking at t0 (the call, the submission): the moment the world
 * made it ready (f->ready_ns, taken and cleared), if that fell between;
 * t0 if it was already there; t1 at the latest. */
int64_t model_ready_time(struct feed *f, int64_t t0, int64_t t1);

/* Sleep ns of real time in slices of MODEL_NAP_NS, until done or c is
 * asked to stop (or *also, when not NULL, is set).  Returns 0, or
 * -ECANCELED when stopped. */
#define MODEL_NAP_NS 10000000
int model_nap(struct model_ctx *c, int64_t ns, _Atomic int *also);
/* A server's request takes c->work_ns to handle: that long on the
 * scenario's clock (c->clock), or of real time without one (the bench,
 * tests: model_nap), recorded as idle time (TRACE_IDLE begin and end).
 * Returns 0, or -ECANCELED when stopped meanwhile. */
int model_work(struct model_ctx *c, _Atomic int *also);

/* The name of c's actor in the trace ("S"), for the actors a server
 * announces after it ("S.1", "S.w1"); "S" when untraced.  Any thread. */
const char *model_actor_name(const struct model_ctx *c);

static inline int model_should_stop(struct model_ctx *c)
{
	return atomic_load_explicit(&c->stop, memory_order_relaxed);
}

static inline size_t model_chunk(const struct model_ctx *c)
{
	return c->chunk > 0 && c->chunk < MODEL_BUF ? (size_t)c->chunk : MODEL_BUF;
}

#endif
