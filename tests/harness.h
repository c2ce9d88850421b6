/* harness.h: a model on real sockets, without the world or a running loop:
 * the test thread is the sink's consumer and writes the bytes itself. */
#ifndef IOSCOPE_TEST_HARNESS_H
#define IOSCOPE_TEST_HARNESS_H

#include <stdbool.h>
#include <uv.h>

/* Defined when the tests are built with AddressSanitizer (gcc says so by
 * __SANITIZE_ADDRESS__, clang by __has_feature): its allocator keeps
 * freed memory and mallinfo2 does not see it, so heap and peak-memory
 * measures skip. */
#if defined(__SANITIZE_ADDRESS__)
#define H_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define H_UNDER_ASAN 1
#endif
#endif

#include "models/model.h"
#include "live/run.h"
#include "trace/sclock.h"
#include "trace/sink.h"

/* Every test's own time limit in seconds (IOSCOPE_TEST_TIMEOUT overrides
 * it): see the watchdog in harness.c.  A test past it names itself on
 * stderr and the binary exits with status 124. */
#define H_TEST_LIMIT_S 30

#define H_MAX_FDS 4

struct harness {
	uv_loop_t loop;
	struct trace *t;
	struct sink *s;
	struct sclock clock;
	struct model_ctx c;
	struct feed fds[H_MAX_FDS];
	int far[H_MAX_FDS];
	int nfds;
};

/* Test cond every millisecond until it holds or timeout_ms passes; true
 * if it held.  For conditions no loop reports (the kernel's, a file's). */
bool h_until(bool (*cond)(void *arg), void *arg, int timeout_ms);

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
/* The model thread sleeps on h's clock (in pthread_cond_wait), by the
 * kernel's word: with the clock paused it is frozen until sclock_play. */
bool h_parked(struct harness *h, void *arg);

/* From a trace alone.  The actor waits for data: its last event that
 * matters is an idle slice begun, or a call entered that the sampler then
 * saw asleep (state S); or it is done. */
bool h_actor_waits(const struct trace *t, int actor);
/* The index of the event that shows it waits (the idle slice, the call,
 * the done), or -1 when it does not. */
long h_actor_wait_index(const struct trace *t, int actor);
/* Bytes the actor got: its reads' return values and its completions'. */
int64_t h_actor_got(const struct trace *t, int actor);
/* The sampler saw a helper thread of the actor asleep (glibc's aio). */
bool h_actor_helper_asleep(const struct trace *t, int actor);

/* A whole run (run.h) on a loop of the test's own, playing, in which the
 * test decides when each scripted action happens: give the script's
 * actions times far away (at 1000s, ...), wait with h_run_until until the
 * actors are where the step needs them, then run_step(hr->r) performs the
 * next action at once.  After the last action the world ends by itself;
 * wait for h_run_ended, then h_run_close. */
struct h_run {
	uv_loop_t loop;
	uv_timer_t limit;
	struct run *r;
	bool ended, expired;
};
/* run_open and run_start; on failure hr->r is NULL (h_run_close still). */
int h_run_open(struct h_run *hr, const struct run_opts *o, char *cause, size_t len);
/* Run the loop until pred holds or timeout_ms passes; true if it held. */
bool h_run_until(struct h_run *hr, bool (*pred)(struct h_run *hr, void *arg), void *arg,
		 int timeout_ms);
bool h_run_ended(struct h_run *hr, void *arg);
/* run_close, then closes the loop; returns run_close's status. */
int h_run_close(struct h_run *hr, char *cause, size_t len);

/* A temporary folder with a scenario file holding text, and the path a
 * recording may take there; h_files_remove deletes all three. */
struct h_files {
	char dir[64], scn[128], rec[128];
};
int h_files_make(struct h_files *f, const char *text);
void h_files_remove(struct h_files *f);
/* A suite's files made from script for the whole group: defines `files`
 * and the group's h_files_setup and h_files_teardown, for
 * cmocka_run_group_tests_name(name, tests, h_files_setup, h_files_teardown). */
#define H_FILES_GROUP(script)                                                   \
	static struct h_files files;                                            \
	static int h_files_setup(void **state)                                  \
	{                                                                       \
		(void)state;                                                    \
		return h_files_make(&files, script);                            \
	}                                                                       \
	static int h_files_teardown(void **state)                               \
	{                                                                       \
		(void)state;                                                    \
		h_files_remove(&files);                                         \
		return 0;                                                       \
	}
int open_fd_count(void);

/* A whole file, NUL-terminated; NULL when it cannot be read whole.  The
 * caller frees it. */
char *h_slurp(const char *path);
/* The plain narration of t in lang (narrate.h), as --plain prints it; the
 * caller frees it. */
char *h_transcript(const struct trace *t, int lang);
/* t's own events again and again until it holds n, each copy later than
 * the one before in time and steps; its strings are already in t's pool.
 * Unlike trace_gen, done events stay where they are in each copy: a
 * view's cost, not its truth, is what these traces test.  0, or
 * trace_append's error. */
int h_repeat(struct trace *t, size_t n);

#endif
