/* world_int.h: shared by world.c (timers, readers) and world_net.c (the
 * loopback TCP server sockets and the clients the world plays). */
#ifndef IOSCOPE_WORLD_INT_H
#define IOSCOPE_WORLD_INT_H

#include <stdbool.h>
#include <uv.h>

#include "scenarios/world.h"
#include "trace/sink.h"

struct world_actor {
	struct feed *fds;     /* reader ends */
	int *far;                 /* world's ends, -1 once closed */
	int nfds;
	int listen_fd;            /* server actors: the listening socket, else -1 */
	int sockbuf;              /* server actors: its sockets' buffers, 0 = default */
	/* Server actors: connections the world made to it, and those it has
	 * read to the end (EOF or an error), itself or through the actors
	 * it announced; gone once its own thread is done,
	 * blind once its events were lost (the count cannot be trusted). */
	int conns, served;
	int gone, blind;
};

struct world_client {
	int fd;                   /* -1 when not connected */
	uv_poll_t *poll;          /* watches fd for what the server sends */
	int server;               /* scenario actor it is connected to */
	uint32_t got;             /* FNV-1a of all it received since connect */
};

struct world {
	uv_loop_t *loop;
	uv_timer_t timer;
	const struct scn *scn;
	struct sclock *clock;
	struct sink *sink;
	struct ring *ring;
	int actor_base;           /* trace index of scenario actor 0 */
	int client_base;          /* trace index of client 0 */
	struct world_actor actors[SCN_MAX_ACTORS];
	struct world_client clients[SCN_MAX_CLIENTS];
	int next;                 /* next action */
	int ended;                /* the script is over, every far end closed */
	int done;                 /* ... and done_cb ran */
	world_done_cb done_cb;
	void *done_arg;
};

void world__emit(struct world *w, struct trace_ev *ev);
void world__done(struct world *w);

/* A sink listener: counts what each server actor has served. */
void world__observe_cb(void *arg, struct trace *t, const struct trace_ev *ev);
bool world__serving(const struct world *w);    /* a server still owes a read */

/* sockbuf: SO_SNDBUF and SO_RCVBUF for the listening socket (its
 * connections inherit them) and its clients' sockets; 0 = the kernel's. */
int world__listen(struct world_actor *a, int sockbuf);
void world__connect(struct world *w, const struct scn_action *a, int step);
void world__send(struct world *w, const struct scn_action *a, int step);
void world__hangup(struct world *w, int client, int abrupt, int step);
void world__clients_close(struct world *w);
/* The client stops reading its socket (paused) or reads it again. */
void world__pause(struct world *w, int client, bool paused, int step);

#endif
