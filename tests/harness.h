/* harness.h: a model on real sockets, without the world or a running loop:
 * the test thread is the sink's consumer and writes the bytes itself. */
#ifndef IOSCOPE_TEST_HARNESS_H
#define IOSCOPE_TEST_HARNESS_H

#include <stdbool.h>
#include <uv.h>

#include "models/model.h"
#include "scenarios/sclock.h"
#include "trace/sink.h"

#define H_MAX_FDS 4

struct harness {
	uv_loop_t loop;
	struct trace *t;
	struct sink *s;
	struct sclock clock;
	struct model_ctx c;
	struct model_fd fds[H_MAX_FDS];
	int far[H_MAX_FDS];
	int nfds;
};

int h_init(struct harness *h, int nfds, double speed);
int h_start(struct harness *h, const char *model);
/* Drain and test pred until it holds or timeout_ms passes; true if it held. */
bool h_wait(struct harness *h, bool (*pred)(struct harness *h, void *arg),
	    void *arg, int timeout_ms);
/* Write len bytes to fd i's far end, stamping ready_ns as the world does. */
void h_write(struct harness *h, int i, const char *data, size_t len);
void h_close_far(struct harness *h, int i);
void h_fini(struct harness *h);

/* Useful predicates. */
bool h_done(struct harness *h, void *arg);            /* a TRACE_DONE was seen */
bool h_waiting(struct harness *h, void *arg);         /* blocked in recv, or idle between tries */
size_t h_count(struct harness *h, int kind);

/* A temporary folder with a scenario file holding text, and the path a
 * recording may take there; h_files_remove deletes all three. */
struct h_files {
	char dir[64], scn[128], rec[128];
};
int h_files_make(struct h_files *f, const char *text);
void h_files_remove(struct h_files *f);
int open_fd_count(void);

#endif
