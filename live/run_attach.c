/* run_attach.c: a live run of a program not written for ioscope: started
 * or seized under the tracer thread (attach/tracer.h), its stops made
 * into events by attach/follow.h; or, when ptrace is refused, watched
 * from /proc (attach/procwatch.h), the program then started by libuv. */
/* attach/sys.h first: its ops name a parameter si_fd, which <signal.h>
 * defines as a macro (siginfo_t's field). */
#include "attach/follow.h"
#include "attach/procwatch.h"
#include "attach/tracer.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "live/run_attach.h"
#include "trace/sink.h"

#define STOP_WAIT_MS 1000

struct run_attach {
	uv_loop_t *loop;
	uv_async_t async;         /* the tracer thread's end, on the loop */
	int async_ok;
	struct tracer *tr;
	struct follow *fl;
	struct procwatch *pw;
	uv_process_t proc;        /* the program, started without ptrace */
	int proc_ok, proc_exited;
	pid_t pid;
	int status;               /* the started program's wait status, or -1 */
	int attached;             /* -p */
	int64_t overhead;
	int in_fd, log_fd;        /* the program's stdin and log, or -1 */
	int ended;
	int ran;                  /* the program ran under us (started or seized) */
	void (*on_ended)(void *arg);
	void *arg;
};

/* ---- the command, as a shell would quote it ---- */

/* Append s to buf (len bytes, at used), cut to fit, always terminated. */
static size_t put(char *buf, size_t at, size_t len, const char *s)
{
	while (*s != '\0' && at + 1 < len)
		buf[at++] = *s++;
	buf[at] = '\0';
	return at;
}

/* A word as a shell would read it back: as it is, or in single quotes
 * (a ' inside as '\''). */
static size_t quote_word(const char *w, char *buf, size_t at, size_t len)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789_@%+=:,./-";

	if (at > 0)
		at = put(buf, at, len, " ");
	if (*w != '\0' && strspn(w, safe) == strlen(w))
		return put(buf, at, len, w);
	at = put(buf, at, len, "'");
	for (; *w != '\0'; w++) {
		char one[2] = { *w, '\0' };

		/* Control characters would reach terminals from the header:
		 * shown as '?' (the trace's writer refuses them). */
		at = put(buf, at, len, *w == '\'' ? "'\\''" :
			 (unsigned char)*w < 0x20 || *w == 0x7f ? "?" : one);
	}
	return put(buf, at, len, "'");
}

static void cmdline_of(pid_t pid, char *buf, size_t len)
{
	char path[64], raw[4096];
	size_t at = 0;
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(fd, raw, sizeof raw - 1);
		close(fd);
	}
	if (n <= 0) {
		snprintf(buf, len, "[pid %d]", (int)pid);
		return;
	}
	raw[n] = '\0';
	buf[0] = '\0';
	for (ssize_t i = 0; i < n; i += (ssize_t)strlen(raw + i) + 1)
		at = quote_word(raw + i, buf, at, len);
}

void run_attach_command(const struct run_opts *o, char *buf, size_t len)
{
	size_t at = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (o->attach_argv == NULL) {
		cmdline_of(o->attach_pid, buf, len);
		return;
	}
	for (char *const *w = o->attach_argv; *w != NULL; w++)
		at = quote_word(*w, buf, at, len);
}

/* ---- the end ---- */

static void ended(struct run_attach *ra)
{
	if (ra->ended)
		return;
	ra->ended = 1;
	if (ra->on_ended != NULL)
		ra->on_ended(ra->arg);
}

/* The tracer thread saw the last traced process go: on the loop now.
 * Joined here, so that every event it pushed is in the rings before the
 * run drains them and ends. */
static void async_cb(uv_async_t *h)
{
	struct run_attach *ra = h->data;

	if (ra->tr == NULL || !tracer_ended(ra->tr))
		return;
	tracer_stop(ra->tr, STOP_WAIT_MS, &ra->status);
	ra->tr = NULL;
	ended(ra);
}

static void tracer_end_cb(void *arg)
{
	struct run_attach *ra = arg;

	uv_async_send(&ra->async);
}

static void proc_end_cb(void *arg)
{
	ended(arg);
}

static void exit_cb(uv_process_t *p, int64_t exit_status, int term_signal)
{
	struct run_attach *ra = p->data;

	ra->proc_exited = 1;
	ra->status = term_signal != 0 ? term_signal : (int)((exit_status & 0xff) << 8);
	procwatch_stop(ra->pw);          /* its threads end now */
	ended(ra);
}

/* ---- the start ---- */

static int open_stdio(struct run_attach *ra, const struct run_opts *o, char *cause, size_t len)
{
	if (o->attach_log == NULL || o->attach_argv == NULL)
		return 0;
	if ((ra->in_fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0 ||
	    (ra->log_fd = open(o->attach_log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
		int rc = -errno;

		snprintf(cause, len, "%s: cannot write the program's log: %s", o->attach_log, strerror(-rc));
		return rc;
	}
	return 0;
}

/* Without ptrace, a started program is libuv's child. */
static int spawn(struct run_attach *ra, const struct run_opts *o, char *cause, size_t len)
{
	uv_stdio_container_t io[3];
	uv_process_options_t po = { .exit_cb = exit_cb, .file = o->attach_argv[0],
				    .args = (char **)o->attach_argv, .stdio = io, .stdio_count = 3 };
	int fds[3] = { ra->in_fd, ra->log_fd, ra->log_fd }, rc;

	for (int i = 0; i < 3; i++) {
		io[i].flags = UV_INHERIT_FD;
		io[i].data.fd = fds[i] >= 0 ? fds[i] : i;
	}
	ra->proc.data = ra;
	if ((rc = uv_spawn(ra->loop, &ra->proc, &po)) != 0) {
		snprintf(cause, len, "%s: %s", o->attach_argv[0],
			 rc == UV_ENOENT ? "no such program" : uv_strerror(rc));
		/* uv_spawn leaves a handle to close even when it fails. */
		uv_close((uv_handle_t *)&ra->proc, NULL);
		return rc;
	}
	ra->proc_ok = 1;
	ra->pid = ra->proc.pid;
	return 0;
}

static int watch_proc(struct run_attach *ra, const struct run_opts *o, struct sink *s,
		      const char *why, char *cause, size_t len)
{
	struct procwatch_opts po = { .sink = s, .parent = -1, .why = why,
				     .on_end = proc_end_cb, .arg = ra };
	int rc;

	if (o->attach_argv != NULL) {
		if ((rc = spawn(ra, o, cause, len)) != 0)
			return rc;
		po.on_end = NULL;                  /* exit_cb tells, with the status */
	} else {
		ra->pid = o->attach_pid;
	}
	po.pid = ra->pid;
	if ((rc = procwatch_start(ra->loop, &po, &ra->pw)) != 0)
		snprintf(cause, len, rc == -ESRCH ? "no process %d" : "cannot watch process %d: %s",
			 (int)ra->pid, strerror(-rc));
	return rc;
}

static int start_tracer(struct run_attach *ra, const struct run_opts *o, struct sink *s,
			char *cause, size_t len)
{
	struct tracer_opts to = {
		.argv = o->attach_argv, .pid = o->attach_argv == NULL ? o->attach_pid : 0,
		.sink = s, .ops = &follow_ops, .ops_arg = ra->fl,
		.stdin_fd = ra->in_fd, .stdout_fd = ra->log_fd, .stderr_fd = ra->log_fd,
		.on_end = tracer_end_cb, .arg = ra,
	};
	int rc;

	if ((rc = uv_async_init(ra->loop, &ra->async, async_cb)) != 0)
		return rc;
	ra->async.data = ra;
	ra->async_ok = 1;
	if ((rc = follow_new(s, -1, &ra->fl)) != 0)
		return rc;
	to.ops_arg = ra->fl;
	if ((rc = tracer_start(&to, &ra->tr, cause, len)) != 0) {
		ra->tr = NULL;
		return rc;
	}
	ra->pid = tracer_pid(ra->tr);
	ra->overhead = tracer_overhead_ns(ra->tr);
	return 0;
}

int run_attach_open(const struct run_opts *o, uv_loop_t *loop, struct sink *s,
		    void (*on_ended)(void *arg), void *arg, struct run_attach **out,
		    char *cause, size_t len)
{
	struct run_attach *ra = calloc(1, sizeof *ra);
	const char *hook = getenv("IOSCOPE_ATTACH_PROC");
	char why[512];
	int rc;

	if (ra == NULL)
		return -ENOMEM;
	*out = ra;
	ra->loop = loop;
	ra->status = -1;
	ra->in_fd = ra->log_fd = -1;
	ra->attached = o->attach_argv == NULL;
	ra->on_ended = on_ended;
	ra->arg = arg;
	if ((rc = open_stdio(ra, o, cause, len)) != 0)
		return rc;
	if (hook != NULL && strcmp(hook, "1") == 0) {
		rc = watch_proc(ra, o, s, "IOSCOPE_ATTACH_PROC=1 asked for /proc", cause, len);
	} else if ((rc = start_tracer(ra, o, s, cause, len)) == -EPERM && ra->attached) {
		/* Refused (Yama, another tracer): where the threads sleep, at
		 * least. */
		snprintf(why, sizeof why, "%s", cause);
		cause[0] = '\0';
		rc = watch_proc(ra, o, s, why, cause, len);
	}
	ra->ran = rc == 0 || ra->proc_ok;
	return rc;
}

int64_t run_attach_overhead(const struct run_attach *ra) { return ra->overhead; }
pid_t run_attach_pid(const struct run_attach *ra) { return ra->pid; }
int run_attach_proc(const struct run_attach *ra) { return ra->pw != NULL; }
int run_attach_ran(const struct run_attach *ra) { return ra->ran; }

/* The program started without ptrace: SIGTERM, SIGKILL after
 * STOP_WAIT_MS, reaped here (libuv's handler then finds nothing). */
static void stop_spawned(struct run_attach *ra)
{
	struct timespec ms = { 0, 10 * 1000 * 1000 };
	int st;

	if (!ra->proc_exited && ra->pid > 0) {
		kill(ra->pid, SIGTERM);
		for (int i = 0; i < STOP_WAIT_MS / 10; i++) {
			if (waitpid(ra->pid, &st, WNOHANG) == ra->pid) {
				ra->proc_exited = 1;
				ra->status = st;
				break;
			}
			nanosleep(&ms, NULL);
		}
		if (!ra->proc_exited) {
			kill(ra->pid, SIGKILL);
			if (waitpid(ra->pid, &st, 0) == ra->pid)
				ra->status = st;
			ra->proc_exited = 1;
		}
	}
	if (!uv_is_closing((uv_handle_t *)&ra->proc))
		uv_close((uv_handle_t *)&ra->proc, NULL);
	ra->proc_ok = 0;
}

int run_attach_stop(struct run_attach *ra)
{
	if (ra == NULL)
		return -1;
	if (ra->tr != NULL) {
		tracer_stop(ra->tr, STOP_WAIT_MS, &ra->status);
		ra->tr = NULL;
	}
	procwatch_stop(ra->pw);
	if (ra->proc_ok)
		stop_spawned(ra);
	if (ra->async_ok && !uv_is_closing((uv_handle_t *)&ra->async))
		uv_close((uv_handle_t *)&ra->async, NULL);
	return ra->status;
}

void run_attach_free(struct run_attach *ra)
{
	if (ra == NULL)
		return;
	follow_free(ra->fl);
	procwatch_free(ra->pw);
	if (ra->in_fd >= 0)
		close(ra->in_fd);
	if (ra->log_fd >= 0)
		close(ra->log_fd);
	free(ra);
}
