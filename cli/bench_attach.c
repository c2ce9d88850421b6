/* bench_attach.c: `ioscope bench --attach`: what tracing costs a program.
 *
 * The workload is this binary run again (/proc/self/exe bench --attach)
 * with BA_ENV set: it then makes BA_ROUNDS rounds of BA_N reads of an
 * empty non-blocking pipe (a watched call: EAGAIN) and BA_N getppid calls
 * (not watched), times each loop itself, prints one line per round and
 * exits.  It runs three times: untraced (fork and exec), under the tracer
 * stopping at every call (no_seccomp: what `attach -p` costs), and under
 * the tracer with its seccomp filter (what `attach -- CMD` costs).  Each
 * figure is the median of the rounds, in ns per call, with its ratio to
 * the untraced one.  The tracer hands its stops to no ops here: this is
 * the kernel's and the tracer thread's cost, not follow.c's. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attach/tracer.h"
#include "cli/cli.h"
#include "trace/trace.h"

#define BA_ENV "IOSCOPE_BENCH_ATTACH_CHILD"
#define BA_N 4000
#define BA_ROUNDS 5
#define BA_WAIT_MS 10000

enum { BA_UNTRACED, BA_EVERY, BA_SECCOMP, BA_MODES };

static const char *const mode_name[BA_MODES] = {
	"untraced", "ptrace, every call (-p)", "ptrace + seccomp filter",
};
static const char *const mode_csv[BA_MODES] = { "untraced", "ptrace", "seccomp" };

struct ba_row {
	double watched_ns, unwatched_ns;    /* medians, per call */
	int64_t overhead_ns;                /* tracer_overhead_ns; 0 untraced */
};

/* The workload (in the child). */
static _Noreturn void workload(void)
{
	int p[2];
	char c;

	if (pipe2(p, O_NONBLOCK | O_CLOEXEC) != 0)
		_exit(EXIT_RUNTIME);
	for (int r = 0; r < BA_ROUNDS; r++) {
		int64_t t0 = trace_mono_ns(), t1, t2;

		for (int i = 0; i < BA_N; i++)
			if (read(p[0], &c, 1) != -1)
				_exit(EXIT_RUNTIME);
		t1 = trace_mono_ns();
		for (int i = 0; i < BA_N; i++)
			syscall(SYS_getppid);
		t2 = trace_mono_ns();
		printf("%lld %lld\n", (long long)(t1 - t0), (long long)(t2 - t1));
	}
	close(p[0]);
	close(p[1]);
	/* _exit: nothing of ioscope's to tear down, and no atexit work run
	 * under ptrace (LeakSanitizer's, in sanitizer builds, cannot). */
	_exit(fflush(stdout) == 0 ? 0 : EXIT_RUNTIME);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof v[0], cmp_double);
	return v[n / 2];
}

/* Reads the workload's lines from fd to its end: 0, or -EPROTO. */
static int read_rounds(int fd, struct ba_row *row)
{
	char buf[1024];
	size_t have = 0;
	double w[BA_ROUNDS], u[BA_ROUNDS];
	int n = 0;
	ssize_t k;
	char *line, *save = NULL;

	while (have + 1 < sizeof buf && (k = read(fd, buf + have, sizeof buf - 1 - have)) != 0) {
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		have += (size_t)k;
	}
	buf[have] = '\0';
	for (line = strtok_r(buf, "\n", &save); line != NULL && n < BA_ROUNDS;
	     line = strtok_r(NULL, "\n", &save)) {
		long long a, b;

		if (sscanf(line, "%lld %lld", &a, &b) != 2 || a <= 0 || b <= 0)
			return -EPROTO;
		w[n] = (double)a / BA_N;
		u[n] = (double)b / BA_N;
		n++;
	}
	if (n != BA_ROUNDS)
		return -EPROTO;
	row->watched_ns = median(w, n);
	row->unwatched_ns = median(u, n);
	return 0;
}

static void end_cb(void *arg)
{
	int fd = *(int *)arg;

	if (write(fd, "e", 1) < 0) {
		/* the bench then waits on its own: tracer_stop reaps */
	}
}

static int run_untraced(char *const argv[], int out, char *cause, size_t len)
{
	pid_t pid = fork();

	if (pid < 0) {
		snprintf(cause, len, "fork: %s", strerror(errno));
		return -errno;
	}
	if (pid == 0) {
		dup2(out, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* One mode: the workload's rounds into row. */
static int run_mode(int mode, char *const argv[], struct ba_row *row, char *cause, size_t len)
{
	int out[2], end[2] = { -1, -1 }, rc, st;
	struct tracer *t = NULL;
	pid_t pid = 0;

	if (pipe2(out, O_CLOEXEC) != 0 || pipe2(end, O_CLOEXEC) != 0) {
		snprintf(cause, len, "pipe: %s", strerror(errno));
		return -errno;
	}
	if (mode == BA_UNTRACED) {
		rc = pid = run_untraced(argv, out[1], cause, len);
	} else {
		struct tracer_opts o = {
			.argv = argv, .no_seccomp = mode == BA_EVERY, .stdin_fd = -1,
			.stdout_fd = out[1], .stderr_fd = -1, .on_end = end_cb, .arg = &end[1],
		};

		rc = tracer_start(&o, &t, cause, len);
	}
	close(out[1]);
	if (rc >= 0) {
		if ((rc = read_rounds(out[0], row)) == -EPROTO)
			snprintf(cause, len, "the workload's output was not its rounds");
		else if (rc < 0)
			snprintf(cause, len, "reading the workload: %s", strerror(-rc));
	}
	if (t != NULL) {
		struct pollfd p = { .fd = end[0], .events = POLLIN };

		row->overhead_ns = tracer_overhead_ns(t);
		poll(&p, 1, BA_WAIT_MS);        /* its end, so that SIGTERM finds none */
		tracer_stop(t, 1000, &st);
	} else if (pid > 0) {
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	}
	close(out[0]);
	close(end[0]);
	close(end[1]);
	return rc < 0 ? rc : 0;
}

static void put_table(FILE *out, const struct ba_row *rows, double secs)
{
	fprintf(out, "Tracing cost: a child makes %d reads of an empty non-blocking pipe (a\n"
		"watched call: EAGAIN) and %d getppid calls (not watched), %d rounds, untraced\n"
		"and under ioscope's tracer; medians in ns per call (this machine's figures)\n\n",
		BA_N, BA_N, BA_ROUNDS);
	fprintf(out, "%-24s %11s %9s %13s %9s\n", "mode", "watched ns", "x untr.", "unwatched ns",
		"x untr.");
	for (int m = 0; m < BA_MODES; m++)
		fprintf(out, "%-24s %11.0f %9.1f %13.0f %9.1f\n", mode_name[m], rows[m].watched_ns,
			rows[m].watched_ns / rows[BA_UNTRACED].watched_ns, rows[m].unwatched_ns,
			rows[m].unwatched_ns / rows[BA_UNTRACED].unwatched_ns);
	fprintf(out, "\nOne stopped call as tracer_start measures it (the header's overhead_ns):\n"
		"  every call %lld ns, seccomp %lld ns\n"
		"The tracer's follow-up of each stop (follow.c) adds to these figures.\n"
		"took %.1f s\n",
		(long long)rows[BA_EVERY].overhead_ns, (long long)rows[BA_SECCOMP].overhead_ns, secs);
}

static void put_csv(FILE *out, const struct ba_row *rows)
{
	fputs("mode,watched_ns,watched_ratio,unwatched_ns,unwatched_ratio,overhead_ns\n", out);
	for (int m = 0; m < BA_MODES; m++)
		fprintf(out, "%s,%.1f,%.2f,%.1f,%.2f,%lld\n", mode_csv[m], rows[m].watched_ns,
			rows[m].watched_ns / rows[BA_UNTRACED].watched_ns, rows[m].unwatched_ns,
			rows[m].unwatched_ns / rows[BA_UNTRACED].unwatched_ns,
			(long long)rows[m].overhead_ns);
}

int cli_bench_attach(const struct cli *c)
{
	char self[PATH_MAX], cause[256];
	char *argv[] = { self, "bench", "--attach", NULL };
	struct ba_row rows[BA_MODES] = { { 0, 0, 0 } };
	int64_t t0 = trace_mono_ns();
	ssize_t n;
	int rc = 0;

	if (getenv(BA_ENV) != NULL)
		workload();
	if ((n = readlink("/proc/self/exe", self, sizeof self - 1)) <= 0) {
		fprintf(stderr, "ioscope: bench --attach: /proc/self/exe: %s\n", strerror(errno));
		return EXIT_RUNTIME;
	}
	self[n] = '\0';
	if (setenv(BA_ENV, "1", 1) != 0)
		return EXIT_RUNTIME;
	for (int m = 0; m < BA_MODES && rc == 0; m++)
		rc = run_mode(m, argv, &rows[m], cause, sizeof cause);
	unsetenv(BA_ENV);
	if (rc != 0) {
		fprintf(stderr, "ioscope: bench --attach: %s\n", cause);
		return EXIT_RUNTIME;
	}
	if (c->csv)
		put_csv(stdout, rows);
	else
		put_table(stdout, rows, (double)(trace_mono_ns() - t0) / 1e9);
	return 0;
}
