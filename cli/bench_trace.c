/* bench_trace.c: `ioscope bench --trace`: how loading, replaying and
 * exporting grow with a trace's length.
 *
 * For each size a trace of that many events (the shipped fishing
 * recording repeated, trace/gen.h) is written into a folder of our own,
 * then every figure comes from this binary run again (/proc/self/exe) in a
 * process of its own, so that its peak memory (wait4's ru_maxrss) is that
 * size's and that command's alone:
 *   load    ioscope check FILE; jq -c . FILE when jq is installed;
 *   replay  ioscope replay FILE --paused on a pseudo-terminal of BT_WxBT_H,
 *           sent End, Home, g and the middle step, →, ← and q, each key
 *           once the previous one's frame has come; IOSCOPE_STATS=1's line
 *           (its standard error, into a file) gives the frame median, the
 *           slowest key and the first frame;
 *   export  ioscope export FILE --format F -o /dev/null, each format.
 * No process may take more than BT_CAP_S for one step: it is killed and
 * its figure is ">120".  An export killed at one size is not tried at the
 * larger ones.  SIGINT, SIGTERM and SIGHUP stop the bench between two
 * steps: the process it waits for is killed, the folder removed, and the
 * signal then ends the bench as it would have.
 *
 * Signals: SIGCHLD and the three above stay blocked except inside ppoll,
 * so a child's end or a stop can never slip in between a check and a
 * wait (the classic race pselect was made for). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/bench_trace.h"
#include "cli/cli.h"
#include "trace/gen.h"

volatile sig_atomic_t bt__stop;
sigset_t bt__orig;

static void stop_cb(int sig)
{
	int saved = errno;

	bt__stop = sig;
	errno = saved;
}

static void chld_cb(int sig)
{
	(void)sig;                          /* only to end ppoll */
}

static const int stop_sigs[] = { SIGINT, SIGTERM, SIGHUP };

static void signals_catch(void)
{
	struct sigaction sa = { .sa_handler = stop_cb };
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	for (size_t i = 0; i < sizeof stop_sigs / sizeof stop_sigs[0]; i++) {
		sigaddset(&block, stop_sigs[i]);
		sigaction(stop_sigs[i], &sa, NULL);
	}
	sa.sa_handler = chld_cb;
	sa.sa_flags = SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	sigprocmask(SIG_BLOCK, &block, &bt__orig);
}

/* As before the bench; a stop asked for is then delivered. */
static void signals_restore(void)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };

	for (size_t i = 0; i < sizeof stop_sigs / sizeof stop_sigs[0]; i++)
		sigaction(stop_sigs[i], &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	sigprocmask(SIG_SETMASK, &bt__orig, NULL);
	if (bt__stop != 0)
		raise(bt__stop);
}

double bt__mono_s(void)
{
	return (double)trace_mono_ns() / 1e9;
}

/* ppoll opens the mask the bench found: a signal blocked since the last
 * wait comes now, and ends it. */
int bt__pause_until(int fd, double deadline)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	double left = deadline - bt__mono_s();
	struct timespec ts;
	int rc;

	if (bt__stop)
		return -EINTR;
	if (left <= 0)
		return 0;
	ts.tv_sec = (time_t)left;
	ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
	rc = ppoll(&p, 1, &ts, &bt__orig);
	if (rc < 0)
		return -errno;
	return rc > 0;
}

/* Wait for pid until it ends, or kill it at the deadline or at a stop;
 * fills r (secs counts from t0).  Returns 0 or -EINTR (stopped). */
int bt__reap(pid_t pid, double t0, double deadline, struct bt_ran *r)
{
	struct rusage ru;
	pid_t w;
	int rc = 0;

	while ((w = wait4(pid, &r->status, WNOHANG, &ru)) == 0 || (w < 0 && errno == EINTR)) {
		rc = bt__pause_until(-1, deadline);   /* -EINTR: SIGCHLD, most often */
		if (rc == 0 || (rc < 0 && rc != -EINTR) || bt__stop) {
			kill(pid, SIGKILL);
			while ((w = wait4(pid, &r->status, 0, &ru)) < 0 && errno == EINTR)
				;
			r->capped = rc == 0;
			break;
		}
	}
	r->secs = bt__mono_s() - t0;
	r->mb = w == pid ? (double)ru.ru_maxrss * 1024 / 1e6 : NAN;
	if (w != pid)                       /* never: it is our child */
		r->status = 127 << 8;
	return bt__stop ? -EINTR : 0;
}

void bt__child_stderr(const char *err)
{
	int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	sigprocmask(SIG_SETMASK, &bt__orig, NULL);
	if (e < 0 || dup2(e, STDERR_FILENO) < 0)
		_exit(127);
}

/* In a child: as bt__child_stderr, and stdin, stdout on /dev/null. */
static void child_fds(const char *err)
{
	int null = open("/dev/null", O_RDWR);

	bt__child_stderr(err);
	if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0)
		_exit(127);
}

/* What a run gives a figure: its time, INFINITY when it passed the cap,
 * NAN when it failed (said in row's notes by bt__ran_ok). */
static double ran_secs(const struct bt_bench *b, const struct bt_ran *r, const char *what,
		       struct bt_row *row)
{
	if (bt__ran_ok(b, r, what, row))
		return r->secs;
	return r->capped ? INFINITY : NAN;
}

/* argv run to its end (exe: this binary, or NULL for argv[0] on PATH). */
static int run_cmd(const struct bt_bench *b, const char *exe, char *const argv[], struct bt_ran *r)
{
	double t0 = bt__mono_s();
	pid_t pid;

	*r = (struct bt_ran){ .secs = NAN, .mb = NAN };
	if ((pid = fork()) < 0)
		return -errno;
	if (pid == 0) {
		child_fds(b->err);
		if (exe != NULL)
			execv(exe, argv);
		else
			execvp(argv[0], argv);
		_exit(127);
	}
	return bt__reap(pid, t0, t0 + BT_CAP_S, r);
}

/* Add "what: why" to the row's note. */
void bt__note(struct bt_row *row, const char *fmt, ...)
{
	size_t n = strlen(row->note);
	va_list ap;

	if (n > 0 && n + 2 < sizeof row->note) {
		memcpy(row->note + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(row->note + n, sizeof row->note - n, fmt, ap);
	va_end(ap);
}

/* The first line of the child's standard error, for a note. */
static const char *first_line(const struct bt_bench *b, char *buf, size_t len)
{
	FILE *f = fopen(b->err, "r");
	size_t k = strlen(b->file);
	char *at;

	buf[0] = '\0';
	if (f != NULL) {
		if (fgets(buf, (int)len, f) == NULL)
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
	if (k >= 4 && (at = strstr(buf, b->file)) != NULL) {   /* a folder gone by now */
		memcpy(at, "FILE", 4);
		memmove(at + 4, at + k, strlen(at + k) + 1);
	}
	return buf;
}

/* Whether r ended well; if not, why in the row's note. */
bool bt__ran_ok(const struct bt_bench *b, const struct bt_ran *r, const char *what,
		   struct bt_row *row)
{
	char line[400];

	if (r->capped)
		bt__note(row, "%s: killed after %d s", what, BT_CAP_S);
	else if (WIFSIGNALED(r->status))
		bt__note(row, "%s: killed by signal %d", what, WTERMSIG(r->status));
	else if (WEXITSTATUS(r->status) != 0)
		bt__note(row, "%s: exit %d: %s", what, WEXITSTATUS(r->status), first_line(b, line, sizeof line));
	return !r->capped && WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0;
}

static bool on_path(const char *name)
{
	const char *p = getenv("PATH");
	char buf[PATH_MAX];

	while (p != NULL && *p != '\0') {
		int k = (int)strcspn(p, ":");

		if (k > 0 && snprintf(buf, sizeof buf, "%.*s/%s", k, p, name) < (int)sizeof buf &&
		    access(buf, X_OK) == 0)
			return true;
		p += k + (p[k] == ':');
	}
	return false;
}

/* ---- one size ------------------------------------------------------------ */

/* ioscope check FILE, and jq -c . FILE; *refused when check refused the
 * file (exit 2: every other command would). */
static int load(const struct bt_bench *b, struct bt_row *row, bool *refused)
{
	char *check[] = { "ioscope", "check", (char *)b->file, "--lang", "en", NULL };
	char *jq[] = { "jq", "-c", ".", (char *)b->file, NULL };
	struct bt_ran r;
	int rc;

	if ((rc = run_cmd(b, BT_SELF, check, &r)) != 0)
		return rc;
	if (isfinite(row->load_s = ran_secs(b, &r, "check", row)))
		row->load_mb = r.mb;
	*refused = !r.capped && WIFEXITED(r.status) && WEXITSTATUS(r.status) == EXIT_USAGE;
	if (!b->jq)
		return 0;
	if ((rc = run_cmd(b, NULL, jq, &r)) != 0)
		return rc;
	row->jq_s = ran_secs(b, &r, "jq", row);
	return 0;
}

/* Each export format to /dev/null; one that passed the cap at a smaller
 * size is not tried again. */
static int exports(struct bt_bench *b, struct bt_row *row)
{
	struct bt_ran r;
	int rc;

	for (int f = 0; f < BT_NEXPORTS; f++) {
		char *argv[] = { "ioscope", "export", b->file, "--format", (char *)bt_format[f],
				 "-o", "/dev/null", "--lang", "en", NULL };

		if (b->capped_at[f] != 0 && row->events >= b->capped_at[f]) {
			bt__note(row, "%s: not tried (over %d s at %zu events)", bt_format[f], BT_CAP_S,
			     b->capped_at[f]);
			continue;
		}
		if ((rc = run_cmd(b, BT_SELF, argv, &r)) != 0)
			return rc;
		row->export_s[f] = ran_secs(b, &r, bt_format[f], row);
		if (isfinite(row->export_s[f]) && (isnan(row->export_mb) || r.mb > row->export_mb))
			row->export_mb = r.mb;
		else if (isinf(row->export_s[f]))
			b->capped_at[f] = row->events;
	}
	return 0;
}

/* The trace of n events, written to b->file; its steps in *steps. */
static int generate(const struct bt_bench *b, size_t n, int32_t *steps, struct bt_row *row)
{
	struct trace_gen_info info;
	struct stat st;
	FILE *f = fopen(b->file, "w");
	int rc;

	if (f == NULL)
		return -errno;
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	rc = trace_gen(b->src, n, f, &info);
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && stat(b->file, &st) != 0)
		rc = -errno;
	if (rc != 0)
		return rc;
	row->file_mb = (double)st.st_size / 1e6;
	*steps = info.steps;
	return 0;
}

static void row_init(struct bt_row *row, size_t events)
{
	*row = (struct bt_row){ .events = events, .file_mb = NAN, .load_s = NAN, .jq_s = NAN,
				.load_mb = NAN, .rss_mb = NAN, .first_ms = NAN, .median_us = NAN,
				.keymax_us = NAN, .export_mb = NAN };
	for (int f = 0; f < BT_NEXPORTS; f++)
		row->export_s[f] = NAN;
}

/* Every figure of one size; -EINTR at a stop, or generate's -errno. */
static int measure(struct bt_bench *b, size_t events, struct bt_row *row)
{
	bool refused = false;
	int32_t steps = 0;
	int rc;

	row_init(row, events);
	if ((rc = generate(b, events, &steps, row)) == 0 && (rc = load(b, row, &refused)) == 0) {
		if (refused)
			bt__note(row, "replay and exports not tried: check refused the file");
		else if ((rc = bt__replay(b, steps, row)) == 0)
			rc = exports(b, row);
	}
	unlink(b->file);
	return rc;
}

/* ---- the whole bench ----------------------------------------------------- */

static int bench_open(struct bt_bench *b, char *cause, size_t len)
{
	const char *tmp = cli_tmp_dir(sizeof b->dir - 32);
	char path[PATH_MAX + 64];
	size_t skipped = 0;
	struct trace *src;

	snprintf(path, sizeof path, "%s/scenarios/recordings/fishing.jsonl", cli_data_dir());
	if (trace_read(path, &src, &skipped, cause, len) != 0)
		return -EINVAL;
	snprintf(b->dir, sizeof b->dir, "%s/ioscope-bench-XXXXXX", tmp);
	if (mkdtemp(b->dir) == NULL) {
		snprintf(cause, len, "%.900s: %s", b->dir, strerror(errno));
		trace_free(src);
		return -EIO;
	}
	snprintf(b->file, sizeof b->file, "%s/trace.jsonl", b->dir);
	snprintf(b->err, sizeof b->err, "%s/stderr.txt", b->dir);
	b->src = src;
	b->jq = on_path("jq");
	return 0;
}

static void bench_close(struct bt_bench *b)
{
	unlink(b->file);
	unlink(b->err);
	rmdir(b->dir);
	trace_free(b->src);
}

int cli_bench_trace(const struct cli *c)
{
	size_t sizes[BT_MAX_SIZES];
	struct bt_row rows[BT_MAX_SIZES];
	struct bt_bench b = { 0 };
	char cause[1024];
	double t0 = bt__mono_s();
	int n, done = 0, rc = 0;

	if ((n = bt_parse_events(c->events != NULL ? c->events : BT_DEFAULT, sizes, BT_MAX_SIZES,
				 cause, sizeof cause)) < 0)
		return cli_fail_usage("--events: %s", cause);
	if (bench_open(&b, cause, sizeof cause) != 0) {
		fprintf(stderr, "ioscope: bench: %s\n", cause);
		return EXIT_RUNTIME;
	}
	signals_catch();
	for (; done < n && rc == 0; done++) {
		if (isatty(STDERR_FILENO))
			fprintf(stderr, cli_tr("ioscope: bench: %zu events…\n", "ioscope: bench：%zu 个事件……\n"),
				sizes[done]);
		rc = measure(&b, sizes[done], &rows[done]);
	}
	bench_close(&b);
	signals_restore();                  /* a stop asked for ends us here */
	if (rc != 0) {
		fprintf(stderr, "ioscope: bench: %s: %s\n", b.file, strerror(-rc));
		return EXIT_RUNTIME;
	}
	if (c->csv)
		bt_put_csv(stdout, rows, n);
	else
		bt_put_table(stdout, rows, n, bt__mono_s() - t0);
	return 0;
}
