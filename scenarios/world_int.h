/* world_int.h: shared by world.c (timers, readers) and world_net.c (the
 * loopback TCP server sockets and the clients the world plays). */
#ifndef IOSCOPE_WORLD_INT_H
#define IOSCOPE_WORLD_INT_H

#include <uv.h>

#include "scenarios/world.h"
#include "trace/sink.h"

struct world_actor {
	struct model_fd *fds;     /* reader ends */
	int *far;                 /* world's ends, -1 once closed */
	int nfds;
	int listen_fd;            /* server actors: the listening socket, else -1 */
};

struct world_client {
	int fd;                   /* -1 when not connected */
	uv_poll_t *poll;          /* watches fd for what the server sends */
	int server;               /* scenario actor it is connected to */
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
	int ended;
	world_done_cb done_cb;
	void *done_arg;
};

void world__emit(struct world *w, struct trace_ev *ev);

int world__listen(struct world_actor *a);
void world__connect(struct world *w, const struct scn_action *a, int step);
void world__send(struct world *w, const struct scn_action *a, int step);
void world__hangup(struct world *w, int client, int abrupt, int step);
void world__clients_close(struct world *w);

#endif
