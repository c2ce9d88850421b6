/* world.h: the world plays a scenario on real sockets.
 *
 * For every actor fd it makes a socketpair: the reader's end goes to the
 * model (struct feed), the far end stays with the world, which writes
 * the script's bytes into it and closes it on libuv timers, in scenario time
 * (sclock).  After the last action it closes every far end still open, so
 * each reader sees end-of-file.  What it does becomes trace events: caption,
 * arrive (bytes now readable on the reader's fd), close.
 *
 * Lifetime: world_new -> world_fds (hand to models) -> world_start ->
 * ... done_cb ... -> world_close (loop thread; stops the timer and closes
 * every fd, so call it after the models are joined) -> loop runs once ->
 * world_free.  The world listens to the sink (it counts what servers
 * read): free it only once the sink is closed.
 */
#ifndef IOSCOPE_WORLD_H
#define IOSCOPE_WORLD_H

#include <stddef.h>

#include "trace/feed.h"
#include "scenarios/scn.h"

struct world;
struct sink;
struct sclock;
struct uv_loop_s;

typedef void (*world_done_cb)(void *arg);

/* Actor i of the scenario is trace actor actor_base + i, and client j is
 * trace actor actor_base + nactors + j.  Returns 0 or -errno (e.g.
 * -EMFILE when low=N asks for more descriptors than RLIMIT_NOFILE allows). */
int world_new(struct uv_loop_s *loop, const struct scn *s, struct sclock *c,
	      struct sink *sink, int actor_base, struct world **out);

/* The reader ends of actor i's fds (owned by the world). */
struct feed *world_fds(struct world *w, int actor, int *nfds);
/* A server actor's listening socket (owned by the world), else -1. */
int world_listen_fd(struct world *w, int actor);

/* Start playing; done_cb runs once the script has ended, every far end is
 * closed and every server actor has read each of its clients' connections
 * to the end (end of file or an error), itself or through an actor it
 * announced (a thread or process per connection, a worker, a coroutine:
 * any actor whose parents lead back to it); or, if a server has not,
 * WORLD_SERVE_MS after the end (world_unserved then says so).  A server
 * is gone, owing nothing more, only when its own thread is done. */
int world_start(struct world *w, world_done_cb cb, void *arg);

#define WORLD_SERVE_MS 2000

/* Connections a server actor has not read to the end; when some, cause
 * (may be NULL) says which server and how many, in one line. */
int world_unserved(const struct world *w, char *cause, size_t len);

/* After the clock resumed (play, speed change): re-arm the timer. */
void world_resume(struct world *w);
/* Perform the next action(s) now (all those at the same time), with the
 * clock jumped to their time.  Returns the last index, or -1 at the end. */
int world_step(struct world *w);
/* Write data on actor's fd index now (not scripted). */
int world_inject(struct world *w, int actor, int fd, const char *data, size_t len);

/* Index of the next action to perform, and how many there are. */
int world_next(const struct world *w);
int world_total(const struct world *w);

void world_close(struct world *w);
void world_free(struct world *w);

#endif
