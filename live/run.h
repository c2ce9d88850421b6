/* run.h: one live run of a scenario, wired end to end:
 * scenario -> world -> models -> trace -> listeners (recorder, narrator,
 * the screen).
 *
 * Call order: run_open (checks the input: nothing is created or written
 * when it fails) -> run_start -> the caller runs the loop; run_play,
 * run_pause, run_step, run_set_speed while it runs -> on_end tells when the
 * script is over and every reader is done -> run_close (stops the model
 * threads, even blocked ones, closes every fd and handle; the caller then
 * closes its own handles and the loop).
 *
 * run_scenario does all of that on a loop of its own, for plain output.
 *
 * attach (run_opts.attach_argv or attach_pid, no scenario): run_open
 * starts the program under the tracer (or seizes the process), so that a
 * program that cannot run (-ENOENT, -EACCES) or a process that is not
 * there (-ESRCH) is bad input (-EINVAL, exit 2); ptrace refused for -p
 * (-EPERM) falls back to /proc (attach/procwatch.h; IOSCOPE_ATTACH_PROC=1
 * forces it, a test hook), which a note in the trace says.  The header:
 * scenario "attach", command, attach_pid, overhead_ns, the world its only
 * actor (the program's threads are announced).  run_start only puts the
 * recording in place; on_end runs once every traced process is gone and
 * its events are drained.  run_steps is 0, run_step -1, run_quiet true,
 * run_inject -EINVAL; play, pause and speed change nothing.  run_close
 * stops a started program (SIGTERM, SIGKILL after 1 s) and detaches from
 * an attached one, which runs on.
 *
 * The recording is written in batches (live/recorder.h): a run killed
 * with SIGKILL leaves a readable file that lacks at most its last quarter
 * second.  Every write is checked: a recording that cannot be written is
 * the run's error (exit 1, the file and the errno in the cause; the run
 * itself goes on); a narration that cannot be written (out full, say) ends
 * the run with that error.
 */
#ifndef IOSCOPE_RUN_H
#define IOSCOPE_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "trace/sink.h"

struct run;
struct uv_loop_s;

struct run_opts {
	const char *scenario;     /* path of the .scn file; NULL for attach */
	/* attach (instead of a scenario): trace this program, started with
	 * argv (execvp), or the running process attach_pid (detached from at
	 * run_close, it runs on).  The run has no steps; it ends when every
	 * traced process is gone.  attach_log: a file for the started
	 * program's stdout and stderr, its stdin then /dev/null (the screen
	 * gives one: the program must not draw on it); NULL: ioscope's own. */
	char *const *attach_argv;
	int attach_pid;
	const char *attach_log;
	/* attach: set by run_close to the started program's wait status (W*
	 * macros), -1 when attached to (-p) or not known; left untouched
	 * when the program never ran; may be NULL. */
	int *attach_status;
	const char *model;        /* every actor's model, or NULL for the script's */
	double speed;             /* scenario seconds per real second */
	const char *record;       /* JSON Lines output, or NULL: written beside
				   * the target and put in place once the run
				   * has started; a device, FIFO or symbolic
				   * link's target is written, never replaced
				   * (trace/outfile.h) */
	bool no_replace;          /* an existing regular file at record is an
				   * error (-EINVAL, "exists (use --force...)") */
	int lang;                 /* NARRATE_EN / NARRATE_ZH */
	FILE *out;                /* plain narration, or NULL for none */
	int grace_ms;             /* after the script ends, how long readers get */
	void (*on_end)(void *arg);/* the run is over (loop thread) */
	void *on_end_arg;
};

/* Returns 0; -EINVAL for bad input (a scenario, model or option: exit 2);
 * other -errno for a runtime failure (exit 1).  cause says why in one line. */
int run_scenario(const struct run_opts *o, char *cause, size_t len);

int run_open(const struct run_opts *o, struct uv_loop_s *loop, struct run **out,
	     char *cause, size_t len);
/* Start the model threads and the world; paused: the world waits for
 * run_play or run_step. */
int run_start(struct run *r, bool paused);
void run_play(struct run *r);
void run_pause(struct run *r);
void run_set_speed(struct run *r, double speed);
/* Perform the next scripted action(s) now, with the clock at their time.
 * Returns the index of the last action performed, or -1 at the end. */
int run_step(struct run *r);
/* Every model thread is quiet: asleep in the kernel (in its call, or idle
 * on the clock) or finished, by /proc's word; and nothing is left to drain.
 * So are the threads the models started and announced (a thread per
 * connection, a pool's workers) that the trace shows begun and not ended;
 * a child process's threads are not read (they count as asleep). */
bool run_quiet(struct run *r);
bool run_ended(const struct run *r);
/* Scripted actions performed so far, and in all. */
int run_step_index(const struct run *r);
int run_steps(const struct run *r);
/* The teacher's "a fish bites now": write data to actor's fd index now. */
int run_inject(struct run *r, int actor, int fd, const char *data);
struct trace *run_trace(struct run *r);
/* Now, in the run's trace time (ns since its sink's epoch). */
int64_t run_now(const struct run *r);
int run_listen(struct run *r, sink_listen_cb cb, void *arg);
/* Stop and free everything.  Returns the run's status (0 or -errno) and
 * puts its cause in cause. */
int run_close(struct run *r, char *cause, size_t len);

/* attach: the program's pid (started or attached to); 0 for a scenario. */
int run_pid(const struct run *r);

/* 0, or the error (-errno) that stopped the recording: the run goes on,
 * and run_close returns that error, its cause naming the file. */
int run_record_error(const struct run *r);

/* Check that the model can run here; -EINVAL with the reason if not. */
int run_model_usable(const char *name, char *cause, size_t len);
/* The i-th model of this build, in teaching order (the `m` key's cycle):
 * its name and one-line summary.  0, or -1 past the last. */
int run_model_info(int i, const char **name, const char **summary);

#endif
