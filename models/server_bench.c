/* server_bench.c: the server bench's cells: each model at each size, its
 * server forked into a process group of its own and killed at the end,
 * the limits checked first, the window measured. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "models/model.h"
#include "models/server_bench_int.h"
#include "trace/trace.h"

/* Bytes of memory a connection is taken to need, to refuse a size that
 * would not fit: a thread's or a process's stack pages, task and page
 * tables, plus both ends' socket buffers in use; generous. */
#define PER_SPAWN_KB 256
#define PER_CONN_KB  16
#define SERVER_ERR_BIG 126   /* exit statuses from here on are not an errno */

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* ---- limits ---------------------------------------------------------- */

static int fail(struct sb_cell *cell, const char *fmt, long long a, long long b)
{
	snprintf(cell->note, sizeof cell->note, fmt, a, b);
	return -1;
}

/* Whether n connections fit under RLIMIT_NOFILE (already raised), and a
 * server that spawns per connection under the task limits and memory;
 * else the reason in cell->note and -1. */
static int fits(const struct model_ops *m, int n, struct sb_cell *cell)
{
	struct rlimit nofile, nproc;
	long long pid_max = sb__proc_number("/proc/sys/kernel/pid_max");
	long long threads_max = sb__proc_number("/proc/sys/kernel/threads-max");
	long long maps = sb__proc_number("/proc/sys/vm/max_map_count");
	long long avail = sb__proc_field("/proc/meminfo", "MemAvailable:");
	int spawns = (m->caps & TRACE_CAP_SPAWNS) != 0;
	long mine, all;

	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur != RLIM_INFINITY &&
	    (long long)nofile.rlim_cur < (long long)n + 64)
		return fail(cell, "RLIMIT_NOFILE (ulimit -n) is %lld, %lld connections need more",
			    (long long)nofile.rlim_cur, n);
	if (avail > 0 && avail < (long long)n * (spawns ? PER_SPAWN_KB : PER_CONN_KB))
		return fail(cell, "memory: MemAvailable is %lld kB, about %lld kB needed",
			    avail, (long long)n * (spawns ? PER_SPAWN_KB : PER_CONN_KB));
	if (!spawns)
		return 0;
	sb__tasks(getuid(), &mine, &all);
	if (pid_max > 0 && all + n + 64 > pid_max)
		return fail(cell, "kernel.pid_max is %lld, %lld tasks would be needed",
			    pid_max, all + n + 64);
	if (threads_max > 0 && all + n + 64 > threads_max)
		return fail(cell, "kernel.threads-max is %lld, %lld tasks would be needed",
			    threads_max, all + n + 64);
	if (geteuid() != 0 && getrlimit(RLIMIT_NPROC, &nproc) == 0 &&
	    nproc.rlim_cur != RLIM_INFINITY && (long long)nproc.rlim_cur < mine + n + 64)
		return fail(cell, "RLIMIT_NPROC (ulimit -u) is %lld, %lld tasks would be needed",
			    (long long)nproc.rlim_cur, mine + n + 64);
	if (maps > 0 && 2LL * n + 1000 > maps)   /* a thread's stack and guard */
		return fail(cell, "vm.max_map_count is %lld, about %lld mappings needed",
			    maps, 2LL * n + 1000);
	return 0;
}

/* ---- the server's process ------------------------------------------------ */

static void wake_handler(int sig)
{
	(void)sig;
}

/* Nothing but the listening socket (as fd 3), stdin and stdout on
 * /dev/null; stderr stays, for a sanitizer's report. */
static void child_fds(int lfd)
{
	int null = open("/dev/null", O_RDWR);

	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
	}
	if (lfd != 3 && dup2(lfd, 3) != 3)
		_exit(127);
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 4u, ~0u, 0u) == 0)
		return;
#endif
	for (int fd = 4; fd < 65536; fd++)
		close(fd);
}

/* The child: the model's body on this process's main thread, untraced
 * (no sink: every probe call is a no-op), until it is killed. */
static void child_main(const struct model_ops *m, int lfd, pid_t parent)
{
	struct sigaction sa = { .sa_handler = wake_handler };
	struct model_ctx c = {
		.actor = 0, .listen_fd = 3, .drain = -1, .serve = MODEL_SERVE_ECHO,
	};
	int rc;

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);               /* the bench died before PDEATHSIG was set */
	child_fds(lfd);
	signal(SIGPIPE, SIG_IGN);
	/* As model_start would: the handler that makes a blocked call return
	 * EINTR, should the model wake its own threads with it. */
	sigemptyset(&sa.sa_mask);
	sigaction(MODEL_WAKE_SIGNAL, &sa, NULL);
	c.ops = m;
	c.thread = pthread_self();
	atomic_store(&c.tid, gettid());
	c.started = 1;
	probe_attach(NULL);
	rc = m->run(&c);
	/* The exit status carries run's errno to server_died. */
	_exit(rc >= 0 ? 0 : -rc < SERVER_ERR_BIG ? -rc : SERVER_ERR_BIG);
}

/* A loopback listener on a port of the kernel's choice. */
static int listen_any(struct sockaddr_in *a)
{
	socklen_t len = sizeof *a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	*a = (struct sockaddr_in){ .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)a, len) != 0 || listen(fd, 4096) != 0 ||
	    getsockname(fd, (struct sockaddr *)a, &len) != 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	return fd;
}

/* The server running, or -errno. */
static pid_t server_start(const struct model_ops *m, struct sockaddr_in *a)
{
	int lfd = listen_any(a);
	pid_t parent = getpid(), pid;

	if (lfd < 0)
		return lfd;
	fflush(NULL);                  /* nothing buffered is written twice */
	pid = fork();
	if (pid == 0)
		child_main(m, lfd, parent);
	if (pid > 0)
		setpgid(pid, pid);     /* both sides: whichever runs first */
	close(lfd);
	return pid < 0 ? -errno : pid;
}

/* Kill the server's whole group and reap every process of it: the
 * server first, then its children, which are ours now (subreaper). */
static void server_end(pid_t pid, struct sb_cell *cell)
{
	int status;

	kill(-pid, SIGKILL);
	while (waitpid(-pid, &status, 0) > 0 || errno == EINTR)
		;
	if (kill(-pid, 0) == 0 && cell->note[0] == '\0')
		snprintf(cell->note, sizeof cell->note, "processes of the server were left");
}

/* The server exited by itself: why, in the note. */
static bool server_died(pid_t pid, struct sb_cell *cell)
{
	int status;

	if (waitpid(pid, &status, WNOHANG) != pid)
		return false;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		snprintf(cell->note, sizeof cell->note, "the server stopped serving");
	else if (WIFEXITED(status) && WEXITSTATUS(status) < SERVER_ERR_BIG)
		snprintf(cell->note, sizeof cell->note, "the server exited: %s",
			 strerror(WEXITSTATUS(status)));
	else if (WIFEXITED(status))
		snprintf(cell->note, sizeof cell->note, "the server exited with status %d",
			 WEXITSTATUS(status));
	else
		snprintf(cell->note, sizeof cell->note, "the server died of signal %d",
			 WTERMSIG(status));
	return true;
}

/* ---- a cell -------------------------------------------------------------- */

/* Until all n answered once, or the load gave up; -1 with the note. */
static int wait_connected(struct sb_load *l, pid_t pid, int n, struct sb_cell *cell)
{
	for (;;) {
		int ok = atomic_load(&l->connected), bad = atomic_load(&l->failed);

		if (server_died(pid, cell))
			return -1;
		if (ok + bad == n && bad == 0)
			return 0;
		if (ok + bad == n || atomic_load(&l->done)) {
			if (l->err != 0)
				snprintf(cell->note, sizeof cell->note, "load: %s", strerror(-l->err));
			else if (bad > 0)
				snprintf(cell->note, sizeof cell->note, "the server closed or "
					 "refused %d of %d connections", bad, n);
			else
				snprintf(cell->note, sizeof cell->note, "only %d of %d connections "
					 "answered within %d s", ok, n,
					 (SERVER_BENCH_CONNECT_MS + 2 * n) / 1000);
			return -1;
		}
		sleep_ms(5);
	}
}

static int by_value(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The window's latencies and rate into cell. */
static void summarize(struct sb_load *l, int64_t window_ns, struct sb_cell *cell)
{
	long missing = l->win_sent - (long)l->nlat;
	int lost = atomic_load(&l->lost);

	cell->rps = (double)l->nlat * 1e9 / (double)window_ns;
	if (l->nlat > 0) {
		qsort(l->lat, l->nlat, sizeof *l->lat, by_value);
		cell->p50_us = (double)l->lat[(l->nlat - 1) / 2] / 1e3;
		cell->p99_us = (double)l->lat[(size_t)ceil(0.99 * (double)l->nlat) - 1] / 1e3;
	}
	if (lost > 0)
		snprintf(cell->note, sizeof cell->note, "%d connections closed by the server", lost);
	else if (missing > 0)
		snprintf(cell->note, sizeof cell->note, "%ld requests unanswered after %d s",
			 missing, SERVER_BENCH_GRACE_MS / 1000);
	else if (l->nlat == 0)
		snprintf(cell->note, sizeof cell->note, "no request in the window");
}

/* Warm up, then the window: /proc at its start and end. */
static int measure(struct sb_load *l, pid_t pid, struct sb_cell *cell)
{
	struct sb_usage u0, u1;
	int64_t t0, t1;
	int rc;

	sleep_ms(SERVER_BENCH_WARMUP_MS);
	if ((rc = sb__usage(pid, 0, &u0)) != 0)
		return rc;
	t0 = trace_mono_ns();
	atomic_store(&l->w_start, t0);
	sleep_ms(SERVER_BENCH_WINDOW_MS);
	t1 = trace_mono_ns();
	atomic_store(&l->w_end, t1);
	if ((rc = sb__usage(pid, 1, &u1)) != 0)
		return rc;
	if (server_died(pid, cell))
		return 0;
	atomic_store(&l->stop, 1);
	pthread_join(l->thread, NULL);
	l->started = 0;
	cell->threads = u1.threads;
	cell->rss_kb = u1.rss_kb;
	cell->ctx = u1.ctx - u0.ctx;
	summarize(l, t1 - t0, cell);
	cell->measured = 1;
	return 0;
}

/* One model at n connections.  0 (the cell says how it went), or -errno
 * when the bench itself cannot go on. */
static int cell_run(const struct model_ops *m, int n, struct sb_cell *cell)
{
	struct sockaddr_in a;
	struct sb_load l;
	pid_t pid;
	int rc = 0;

	if (fits(m, n, cell) != 0)
		return 0;
	if ((pid = server_start(m, &a)) < 0)
		return pid;
	if ((rc = sb__load_start(&l, n, &a)) == 0 && wait_connected(&l, pid, n, cell) == 0)
		rc = measure(&l, pid, cell);
	server_end(pid, cell);
	sb__load_finish(&l);
	return rc;
}

/* ---- the run --------------------------------------------------------------- */

/* Each model at each size, in order; a model not in this build, or not
 * able to run here, is skipped at every size with the reason. */
static int run_cells(const struct server_bench_opts *o, struct sb_plan *pl,
		     char *cause, size_t len)
{
	for (int j = 0; j < pl->nmodels; j++) {
		const struct model_ops *m = model_find(pl->names[j]);
		const char *why = "";

		for (int si = 0; si < pl->nsizes; si++) {
			struct sb_cell *cell = &pl->cell[j][si];
			int64_t t0 = trace_mono_ns();
			int rc;

			if (m == NULL) {
				snprintf(cell->note, sizeof cell->note, "not in this build");
				continue;
			}
			if (m->available(&why) != 0) {
				snprintf(cell->note, sizeof cell->note, "%s", why);
				continue;
			}
			if (o->progress != NULL)
				o->progress(pl->names[j], pl->conns[si], o->arg);
			if ((rc = cell_run(m, pl->conns[si], cell)) != 0) {
				snprintf(cause, len, "%s at %d connections: %s", pl->names[j],
					 pl->conns[si], strerror(-rc));
				return rc;
			}
			cell->secs = (double)(trace_mono_ns() - t0) / 1e9;
		}
	}
	return 0;
}

static const int default_conns[] = { 10, 100, 1000, 10000 };

int server_bench_run(const struct server_bench_opts *o, FILE *out, char *cause,
		     size_t len)
{
	struct sb_plan *pl = calloc(1, sizeof *pl);
	struct rlimit saved, raised;
	int reaper = 0, rc;
	int64_t t0 = trace_mono_ns();

	if (pl == NULL)
		return snprintf(cause, len, "no memory"), -ENOMEM;
	pl->conns = o->nsizes > 0 ? o->conns : default_conns;
	pl->nsizes = o->nsizes > 0 ? o->nsizes : 4;
	pl->nmodels = o->nmodels > 0 ? o->nmodels : SB_NDEFAULT;
	for (int j = 0; j < pl->nmodels; j++)
		pl->names[j] = o->nmodels > 0 ? o->models[j] : sb__default_models[j];
	/* More descriptors if the hard limit allows; and the server's
	 * orphans come to us, to be reaped, rather than to init. */
	getrlimit(RLIMIT_NOFILE, &saved);
	raised = saved;
	raised.rlim_cur = saved.rlim_max;
	setrlimit(RLIMIT_NOFILE, &raised);
	prctl(PR_GET_CHILD_SUBREAPER, &reaper);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	model_table_init();
	rc = run_cells(o, pl, cause, len);
	prctl(PR_SET_CHILD_SUBREAPER, reaper);
	setrlimit(RLIMIT_NOFILE, &saved);
	if (rc == 0 && o->csv)         /* else cause says where it failed */
		sb__put_csv(out, pl);
	else if (rc == 0)
		sb__put_table(out, pl, (double)(trace_mono_ns() - t0) / 1e9);
	free(pl);
	return rc;
}
