/* run_attach.h: the attach half of a live run (run.c's, nothing else's):
 * the program traced by attach/tracer.c and attach/follow.c, or, when
 * ptrace is refused (or IOSCOPE_ATTACH_PROC=1 asks), watched from /proc
 * by attach/procwatch.c.
 *
 * Call order (run.c): run_attach_command for the header -> run_attach_open
 * (the program starts or is seized; its events wait in the sink's rings
 * until the loop drains them) -> ... ended(arg) on the loop thread once
 * every traced process is gone ... -> run_attach_stop (before
 * sink_close: a started program is stopped, SIGTERM then SIGKILL; an
 * attached one detached from, and it runs on) -> sink_close ->
 * run_attach_free (follow's strings outlive the sink's drain).
 */
#ifndef IOSCOPE_RUN_ATTACH_H
#define IOSCOPE_RUN_ATTACH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "live/run.h"

struct run_attach;
struct sink;
struct uv_loop_s;

/* The program as a shell would quote it: argv, or /proc/PID/cmdline's
 * words for a pid ("[pid N]" when it cannot be read). */
void run_attach_command(const struct run_opts *o, char *buf, size_t len);

/* Start (or attach) and return 0; -ENOENT, -EACCES (cannot run it),
 * -ESRCH (no such process): bad input; other -errno; cause says why. */
int run_attach_open(const struct run_opts *o, struct uv_loop_s *loop, struct sink *s,
		    void (*ended)(void *arg), void *arg, struct run_attach **out,
		    char *cause, size_t len);
/* What one stopped call costs (ns; 0 without ptrace), the program's pid. */
int64_t run_attach_overhead(const struct run_attach *ra);
pid_t run_attach_pid(const struct run_attach *ra);
/* Whether it is watched from /proc, without ptrace. */
int run_attach_proc(const struct run_attach *ra);
/* Whether the program ran under it (run_attach_open succeeded, or
 * started it before failing). */
int run_attach_ran(const struct run_attach *ra);
/* Stop tracing (idempotent).  The started program's wait status, -1 when
 * attached to or unknown. */
int run_attach_stop(struct run_attach *ra);
void run_attach_free(struct run_attach *ra);

#endif
