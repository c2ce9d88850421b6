/* test_tracer.c: the tracer (attach/tracer.h) on real programs
 * (tests/attach/hello_block, tr_*): the stops it hands to a recording
 * ops table of the test's own, started programs and -p, the arrays it
 * decodes, its refusals, and its stop. */
#include "attach/sys.h"            /* before <signal.h>: see tracer_int.h */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attach/tracer.h"
#include "tests/harness.h"
#include "trace/trace.h"

#define REC_MAX 4096
#define WAIT_MS 10000

enum rec_kind { REC_THREAD, REC_GONE, REC_EXEC, REC_SYS, REC_SIGNAL };

struct rec_ev {
	enum rec_kind kind;
	pid_t a, b, c;              /* thread: tid pid creator; gone: tid;
	                               exec: pid former; signal: tid sig si_fd */
	int status;
	struct attach_sys s;
};

struct rec {
	pthread_mutex_t mu;
	struct rec_ev *ev;
	int n, dropped;
	int ended;
};

static void rec_push(struct rec *r, const struct rec_ev *e)
{
	pthread_mutex_lock(&r->mu);
	if (r->n < REC_MAX)
		r->ev[r->n++] = *e;
	else
		r->dropped++;
	pthread_mutex_unlock(&r->mu);
}

static void rec_thread(void *arg, pid_t tid, pid_t pid, pid_t creator, int64_t t_ns)
{
	(void)t_ns;
	rec_push(arg, &(struct rec_ev){ .kind = REC_THREAD, .a = tid, .b = pid, .c = creator });
}

static void rec_gone(void *arg, pid_t tid, int status, int64_t t_ns)
{
	(void)t_ns;
	rec_push(arg, &(struct rec_ev){ .kind = REC_GONE, .a = tid, .status = status });
}

static void rec_exec(void *arg, pid_t pid, pid_t former, int64_t t_ns)
{
	(void)t_ns;
	rec_push(arg, &(struct rec_ev){ .kind = REC_EXEC, .a = pid, .b = former });
}

static void rec_sys(void *arg, const struct attach_sys *s)
{
	rec_push(arg, &(struct rec_ev){ .kind = REC_SYS, .s = *s });
}

static void rec_signal(void *arg, pid_t tid, int sig, int sfd, int64_t t_ns)
{
	(void)t_ns;
	rec_push(arg, &(struct rec_ev){ .kind = REC_SIGNAL, .a = tid, .b = sig, .c = sfd });
}

static const struct attach_ops rec_ops = {
	.thread = rec_thread, .gone = rec_gone, .exec = rec_exec, .sys = rec_sys,
	.signal = rec_signal,
};

static void rec_end_cb(void *arg)
{
	struct rec *r = arg;

	pthread_mutex_lock(&r->mu);
	r->ended++;
	pthread_mutex_unlock(&r->mu);
}

static void rec_init(struct rec *r)
{
	memset(r, 0, sizeof *r);
	pthread_mutex_init(&r->mu, NULL);
	assert_non_null(r->ev = calloc(REC_MAX, sizeof r->ev[0]));
}

static void rec_free(struct rec *r)
{
	free(r->ev);
	pthread_mutex_destroy(&r->mu);
}

/* The index of the first record from `from` on that matches, or -1. */
typedef bool (*rec_pred)(const struct rec_ev *e, const void *arg);

static int rec_find(struct rec *r, int from, rec_pred pred, const void *arg)
{
	int at = -1;

	pthread_mutex_lock(&r->mu);
	for (int i = from; i < r->n && at < 0; i++)
		if (pred(&r->ev[i], arg))
			at = i;
	pthread_mutex_unlock(&r->mu);
	return at;
}

struct rec_wait {
	struct rec *r;
	rec_pred pred;
	const void *arg;
};

static bool rec_wait_cb(void *arg)
{
	struct rec_wait *w = arg;

	return rec_find(w->r, 0, w->pred, w->arg) >= 0;
}

static int rec_wait(struct rec *r, rec_pred pred, const void *arg)
{
	struct rec_wait w = { r, pred, arg };

	assert_true(h_until(rec_wait_cb, &w, WAIT_MS));
	return rec_find(r, 0, pred, arg);
}

/* A read of fd 0: its entry (want < 0), or its exit with ret want. */
struct read_want {
	bool exit;
	int64_t ret;
	bool at_seize;
};

static bool is_read0(const struct rec_ev *e, const void *arg)
{
	const struct read_want *w = arg;

	return e->kind == REC_SYS && e->s.nr == SYS_read && e->s.args[0] == 0 &&
	       e->s.exit == w->exit && (!w->exit || e->s.ret == w->ret) &&
	       (w->exit || e->s.at_seize == w->at_seize);
}

static bool rec_ended(void *arg)
{
	struct rec *r = arg;
	bool ended;

	pthread_mutex_lock(&r->mu);
	ended = r->ended > 0;
	pthread_mutex_unlock(&r->mu);
	return ended;
}

/* build/tests/attach/NAME, beside this test's binary (asan builds too). */
static void prog_path(const char *name, char *out, size_t len)
{
	char self[PATH_MAX - 64];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

	assert_true(n > 0);
	self[n] = '\0';
	*strrchr(self, '/') = '\0';
	snprintf(out, len, "%s/attach/%s", self, name);
	assert_int_equal(access(out, X_OK), 0);
}

static void write_all(int fd, const char *s)
{
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

/* Reads from fd until want is in buf (or the timeout): whether it came. */
static bool read_until(int fd, char *buf, size_t len, const char *want)
{
	size_t have = 0;

	buf[0] = '\0';
	while (have + 1 < len && strstr(buf, want) == NULL) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, WAIT_MS) <= 0)
			return false;
		if ((n = read(fd, buf + have, len - 1 - have)) <= 0)
			return false;
		have += (size_t)n;
		buf[have] = '\0';
	}
	return strstr(buf, want) != NULL;
}

struct started {
	struct rec r;
	struct tracer *t;
	int in[2], out[2];
};

static int start_prog(struct started *st, const char *name, bool no_seccomp, char *cause,
		      size_t len)
{
	char path[PATH_MAX];
	char *argv[] = { path, NULL };
	struct tracer_opts o;

	prog_path(name, path, sizeof path);
	rec_init(&st->r);
	assert_int_equal(pipe2(st->in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(st->out, O_CLOEXEC), 0);
	o = (struct tracer_opts){
		.argv = argv, .no_seccomp = no_seccomp, .ops = &rec_ops, .ops_arg = &st->r,
		.stdin_fd = st->in[0], .stdout_fd = st->out[1], .stderr_fd = -1,
		.on_end = rec_end_cb, .arg = &st->r,
	};
	return tracer_start(&o, &st->t, cause, len);
}

static void rec_dump(struct rec *r)
{
	if (getenv("TR_DUMP") == NULL)
		return;
	for (int i = 0; i < r->n; i++) {
		const struct rec_ev *e = &r->ev[i];

		if (e->kind == REC_SYS)
			fprintf(stderr, "%d sys %s tid %d %s%s a0 %ld ret %ld nmem %d\n", i,
				attach_sys_name(e->s.nr), e->s.tid, e->s.exit ? "exit" : "entry",
				e->s.at_seize ? " at_seize" : "", (long)e->s.args[0], (long)e->s.ret,
				e->s.nmem);
		else
			fprintf(stderr, "%d kind %d %d %d %d status %d\n", i, e->kind, e->a, e->b,
				e->c, e->status);
	}
}

static void started_close(struct started *st)
{
	rec_dump(&st->r);
	close(st->in[0]);
	if (st->in[1] >= 0)
		close(st->in[1]);
	close(st->out[0]);
	close(st->out[1]);
	rec_free(&st->r);
}

/* hello_block: its blocking read of stdin is an entry, then (once a line
 * is written) an exit with the bytes; every stop is a watched call.
 * Fills nrs with the program's watched calls after its exec. */
static void run_hello(bool no_seccomp, long *nrs, int *nnr)
{
	struct started st;
	char cause[256], buf[64];
	int status, entry, exit_at;

	assert_int_equal(start_prog(&st, "hello_block", no_seccomp, cause, sizeof cause), 0);
	assert_int_equal(tracer_seccomp(st.t), !no_seccomp);
	assert_true(tracer_overhead_ns(st.t) > 0);
	entry = rec_wait(&st.r, is_read0, &(struct read_want){ .exit = false });
	write_all(st.in[1], "hello\n");
	exit_at = rec_wait(&st.r, is_read0, &(struct read_want){ .exit = true, .ret = 6 });
	assert_true(entry < exit_at);
	assert_int_equal(st.r.ev[entry].s.tid, st.r.ev[exit_at].s.tid);
	assert_int_equal(st.r.ev[entry].s.pid, tracer_pid(st.t));
	assert_true(st.r.ev[entry].s.t_ns <= st.r.ev[exit_at].s.t_ns);
	assert_true(read_until(st.out[0], buf, sizeof buf, "hello\n"));
	assert_true(h_until(rec_ended, &st.r, WAIT_MS));
	assert_true(tracer_ended(st.t));
	assert_int_equal(tracer_stop(st.t, 1000, &status), 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(st.r.ended, 1);
	assert_int_equal(st.r.dropped, 0);
	/* The first record is the program's thread; unwatched calls (the
	 * loader's mmap, openat...) never reach the ops. */
	assert_int_equal(st.r.ev[0].kind, REC_THREAD);
	assert_int_equal(st.r.ev[0].a, st.r.ev[0].b);
	*nnr = 0;
	for (int i = 0; i < st.r.n; i++) {
		if (st.r.ev[i].kind != REC_SYS)
			continue;
		assert_true(attach_sys_watched(st.r.ev[i].s.nr));
		if (!st.r.ev[i].s.exit && *nnr < 256)
			nrs[(*nnr)++] = st.r.ev[i].s.nr;
	}
	started_close(&st);
}

static int fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

static void test_tracer_read_stdin(void **state)
{
	long a[256], b[256];
	int na, nb, fds = fd_count();

	(void)state;
	run_hello(false, a, &na);
	run_hello(true, b, &nb);
	assert_int_equal(fd_count(), fds);  /* the tracer closed what it opened */
	/* seccomp or every stop: the same watched calls. */
	assert_int_equal(na, nb);
	for (int i = 0; i < na; i++)
		assert_int_equal(a[i], b[i]);
}

static bool is_gone_of(const struct rec_ev *e, const void *arg)
{
	return e->kind == REC_GONE && e->a == *(const pid_t *)arg;
}

static bool is_thread_of(const struct rec_ev *e, const void *arg)
{
	return e->kind == REC_THREAD && e->a == *(const pid_t *)arg;
}

static bool is_exec_of(const struct rec_ev *e, const void *arg)
{
	return e->kind == REC_EXEC && e->a == *(const pid_t *)arg;
}

static bool is_sys_nr(const struct rec_ev *e, const void *arg)
{
	return e->kind == REC_SYS && e->s.nr == *(const long *)arg;
}

/* tr_family: two threads, a fork whose child execs, exit status 3. */
static void test_tracer_family(void **state)
{
	struct started st;
	char cause[256], buf[256];
	pid_t pid, tids[2], child;
	int status, i;
	long getpid_nr = SYS_getpid;

	(void)state;
	assert_int_equal(start_prog(&st, "tr_family", false, cause, sizeof cause), 0);
	pid = tracer_pid(st.t);
	assert_true(read_until(st.out[0], buf, sizeof buf, "child "));
	assert_true(h_until(rec_ended, &st.r, WAIT_MS));
	assert_int_equal(sscanf(buf, "thread %d\nthread %d\nchild %d", &tids[0], &tids[1], &child),
			 3);
	assert_int_equal(tracer_stop(st.t, 1000, &status), 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 3);

	assert_true((i = rec_find(&st.r, 0, is_thread_of, &pid)) >= 0);
	assert_int_equal(st.r.ev[i].b, pid);
	assert_int_equal(st.r.ev[i].c, 0);
	for (int k = 0; k < 2; k++) {
		assert_true((i = rec_find(&st.r, 0, is_thread_of, &tids[k])) >= 0);
		assert_int_equal(st.r.ev[i].b, pid);
		assert_int_equal(st.r.ev[i].c, pid);
		assert_true((i = rec_find(&st.r, 0, is_gone_of, &tids[k])) >= 0);
		assert_true(WIFEXITED(st.r.ev[i].status));
	}
	assert_true((i = rec_find(&st.r, 0, is_thread_of, &child)) >= 0);
	assert_int_equal(st.r.ev[i].b, child);
	assert_int_equal(st.r.ev[i].c, pid);
	assert_true((i = rec_find(&st.r, i, is_exec_of, &child)) >= 0);
	assert_int_equal(st.r.ev[i].b, 0);
	assert_true((i = rec_find(&st.r, i, is_gone_of, &child)) >= 0);
	assert_true(WIFEXITED(st.r.ev[i].status) && WEXITSTATUS(st.r.ev[i].status) == 0);
	assert_true((i = rec_find(&st.r, 0, is_gone_of, &pid)) >= 0);
	assert_true(WIFEXITED(st.r.ev[i].status) && WEXITSTATUS(st.r.ev[i].status) == 3);
	/* getpid is not watched: never handed out. */
	assert_int_equal(rec_find(&st.r, 0, is_sys_nr, &getpid_nr), -1);
	started_close(&st);
}

static void test_tracer_no_program(void **state)
{
	char *argv[] = { "no-such-program-xyz", NULL };
	struct tracer_opts o = { .argv = argv, .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1 };
	struct tracer *t = (struct tracer *)&o;
	char cause[256];

	(void)state;
	assert_int_equal(tracer_start(&o, &t, cause, sizeof cause), -ENOENT);
	assert_null(t);
	assert_non_null(strstr(cause, "no-such-program-xyz"));
	assert_non_null(strstr(cause, "not found in PATH"));
}

/* A program the test starts itself, for -p. */
struct running {
	pid_t pid;
	int in, out;
};

static void running_start(struct running *rp, const char *name)
{
	char path[PATH_MAX];
	int in[2], out[2];

	prog_path(name, path, sizeof path);
	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	assert_true((rp->pid = fork()) >= 0);
	if (rp->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	rp->in = in[1];
	rp->out = out[0];
}

static void running_end(struct running *rp)
{
	int st;

	close(rp->in);              /* end of file: it returns */
	close(rp->out);
	assert_int_equal(waitpid(rp->pid, &st, 0), rp->pid);
	assert_true(WIFEXITED(st));
}

static bool blocked_in_read(void *arg)
{
	const struct running *rp = arg;
	char path[64], line[64] = "";
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/syscall", (int)rp->pid);
	if ((f = fopen(path, "re")) == NULL)
		return false;
	if (fgets(line, sizeof line, f) == NULL)
		line[0] = '\0';
	fclose(f);
	return strncmp(line, "0 0x0 ", 6) == 0;
}

static int seize(struct rec *r, pid_t pid, struct tracer **t, char *cause, size_t len)
{
	struct tracer_opts o = {
		.pid = pid, .ops = &rec_ops, .ops_arg = r, .on_end = rec_end_cb, .arg = r,
		.stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1,
	};

	return tracer_start(&o, t, cause, len);
}

/* -p: seized inside its read (an at_seize entry), traced through one
 * line, detached, and still answering. */
static void test_tracer_seize_read(void **state)
{
	struct running rp;
	struct rec r;
	struct tracer *t;
	char cause[256], buf[64];
	int status, i;

	(void)state;
	running_start(&rp, "tr_sleeper");
	assert_true(h_until(blocked_in_read, &rp, WAIT_MS));
	rec_init(&r);
	assert_int_equal(seize(&r, rp.pid, &t, cause, sizeof cause), 0);
	assert_int_equal(tracer_pid(t), rp.pid);
	assert_false(tracer_seccomp(t));
	i = rec_wait(&r, is_read0, &(struct read_want){ .exit = false, .at_seize = true });
	assert_int_equal(r.ev[i].s.tid, rp.pid);
	write_all(rp.in, "one\n");
	assert_true(read_until(rp.out, buf, sizeof buf, "got one\n"));
	i = rec_wait(&r, is_read0, &(struct read_want){ .exit = true, .ret = 4 });
	/* The restarted read is not told twice: no other entry before its
	 * exit (the next read's comes after). */
	assert_true((unsigned)rec_find(&r, 0, is_read0, &(struct read_want){ .exit = false }) >
		    (unsigned)i);
	assert_int_equal(tracer_stop(t, 1000, &status), 0);
	assert_int_equal(status, -1);
	assert_true(rec_find(&r, 0, is_gone_of, &rp.pid) >= 0);
	assert_int_equal(r.ended, 1);
	write_all(rp.in, "two\n");
	assert_true(read_until(rp.out, buf, sizeof buf, "got two\n"));
	running_end(&rp);
	rec_free(&r);
}

/* A second tracer on a traced process: refused, and the cause says by
 * whom; a pid that does not exist: -ESRCH. */
static void test_tracer_seize_refused(void **state)
{
	struct running rp;
	struct rec r;
	struct tracer *t, *t2 = NULL;
	char cause[256];
	pid_t gone;

	(void)state;
	running_start(&rp, "tr_sleeper");
	rec_init(&r);
	assert_int_equal(seize(&r, rp.pid, &t, cause, sizeof cause), 0);
	assert_int_equal(seize(&r, rp.pid, &t2, cause, sizeof cause), -EPERM);
	assert_null(t2);
	assert_non_null(strstr(cause, "already traced"));
	assert_int_equal(tracer_stop(t, 1000, NULL), 0);
	running_end(&rp);

	assert_true((gone = fork()) >= 0);
	if (gone == 0)
		_exit(0);
	assert_int_equal(waitpid(gone, NULL, 0), gone);
	assert_int_equal(seize(&r, gone, &t2, cause, sizeof cause), -ESRCH);
	assert_non_null(strstr(cause, "no such process"));
	rec_free(&r);
}

struct sys_want {
	long nr[3];
	bool exit;
};

static bool is_sys_of(const struct rec_ev *e, const void *arg)
{
	const struct sys_want *w = arg;

	if (e->kind != REC_SYS || e->s.exit != w->exit)
		return false;
	for (int i = 0; i < 3; i++)
		if (w->nr[i] != 0 && e->s.nr == w->nr[i])
			return true;
	return false;
}

static const struct attach_sys *sys_of(struct rec *r, long a, long b, long c, bool exit)
{
	struct sys_want w = { { a, b, c }, exit };
	int i = rec_find(r, 0, is_sys_of, &w);

	assert_true(i >= 0);
	return &r->ev[i].s;
}

static void assert_mem(const struct attach_sys *s, int n, const int *fds, const uint32_t *ev)
{
	assert_int_equal(s->nmem, n);
	assert_int_equal(s->mem_more, 0);
	for (int i = 0; i < n; i++) {
		assert_int_equal(s->fds[i], fds[i]);
		assert_int_equal(s->ev[i], ev[i]);
	}
}

/* select's sets, poll's pollfds, epoll's events, read from the tracee. */
static void test_tracer_mux_arrays(void **state)
{
	struct started st;
	char cause[256], buf[64];
	const struct attach_sys *s;
	int a, b, ep, status;

	(void)state;
	assert_int_equal(start_prog(&st, "tr_mux", false, cause, sizeof cause), 0);
	assert_true(read_until(st.out[0], buf, sizeof buf, "\n"));
	assert_int_equal(sscanf(buf, "%d %d %d", &a, &b, &ep), 3);
	assert_true(h_until(rec_ended, &st.r, WAIT_MS));
	assert_int_equal(tracer_stop(st.t, 1000, &status), 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	s = sys_of(&st.r, SYS_select, SYS_pselect6, 0, false);
	assert_mem(s, 2, (int[]){ a, b }, (uint32_t[]){ TRACE_FDSET_READ, TRACE_FDSET_WRITE });
	s = sys_of(&st.r, SYS_select, SYS_pselect6, 0, true);
	assert_int_equal(s->ret, 2);
	assert_mem(s, 2, (int[]){ a, b }, (uint32_t[]){ TRACE_FDSET_READ, TRACE_FDSET_WRITE });

	s = sys_of(&st.r, SYS_poll, SYS_ppoll, 0, false);
	assert_mem(s, 2, (int[]){ a, b }, (uint32_t[]){ POLLIN, POLLOUT });
	s = sys_of(&st.r, SYS_poll, SYS_ppoll, 0, true);
	assert_mem(s, 2, (int[]){ a, b }, (uint32_t[]){ POLLIN, POLLOUT });

	s = sys_of(&st.r, SYS_epoll_ctl, 0, 0, false);
	assert_int_equal(s->args[0], ep);
	assert_mem(s, 1, (int[]){ a }, (uint32_t[]){ EPOLLIN | EPOLLET });
	assert_int_equal(s->data[0], 0x1234567890ull);
	s = sys_of(&st.r, SYS_epoll_wait, SYS_epoll_pwait, SYS_epoll_pwait2, true);
	assert_int_equal(s->ret, 1);
	assert_mem(s, 1, (int[]){ -1 }, (uint32_t[]){ EPOLLIN });
	assert_int_equal(s->data[0], 0x1234567890ull);
	started_close(&st);
}

/* A program that ignores SIGTERM is killed once wait_ms has passed. */
static void test_tracer_stop_kills(void **state)
{
	struct started st;
	char cause[256], buf[16];
	int status;

	(void)state;
	assert_int_equal(start_prog(&st, "tr_noterm", false, cause, sizeof cause), 0);
	assert_true(read_until(st.out[0], buf, sizeof buf, "ready\n"));
	assert_false(tracer_ended(st.t));
	assert_int_equal(tracer_stop(st.t, 100, &status), 0);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	started_close(&st);
}

static bool is_signal(const struct rec_ev *e, const void *arg)
{
	return e->kind == REC_SIGNAL && e->b == *(const int *)arg;
}

struct proc_state {
	pid_t pid;
	const char *states;
};

/* Its state in /proc/PID/stat is one of states. */
static bool in_state(void *arg)
{
	const struct proc_state *ps = arg;
	char path[64], line[512], *p;
	FILE *f;
	bool in = false;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)ps->pid);
	if ((f = fopen(path, "re")) == NULL)
		return false;
	if (fgets(line, sizeof line, f) != NULL && (p = strrchr(line, ')')) != NULL &&
	    p[1] == ' ' && p[2] != '\0')
		in = strchr(ps->states, p[2]) != NULL;
	fclose(f);
	return in;
}

/* SIGSTOP stops a traced program (a group-stop, kept with PTRACE_LISTEN)
 * and SIGCONT lets it go on: it answers again. */
static void test_tracer_group_stop(void **state)
{
	struct started st;
	char cause[256], buf[64];
	int status, sig = SIGSTOP;
	pid_t pid;

	(void)state;
	assert_int_equal(start_prog(&st, "tr_sleeper", false, cause, sizeof cause), 0);
	pid = tracer_pid(st.t);
	rec_wait(&st.r, is_read0, &(struct read_want){ .exit = false });
	assert_int_equal(kill(pid, SIGSTOP), 0);
	rec_wait(&st.r, is_signal, &sig);
	assert_true(h_until(in_state, &(struct proc_state){ pid, "tT" }, WAIT_MS));
	assert_int_equal(kill(pid, SIGCONT), 0);
	sig = SIGCONT;
	rec_wait(&st.r, is_signal, &sig);
	write_all(st.in[1], "again\n");
	assert_true(read_until(st.out[0], buf, sizeof buf, "got again\n"));
	assert_false(tracer_ended(st.t));
	close(st.in[1]);            /* end of file: it returns 0 */
	st.in[1] = -1;
	assert_true(h_until(rec_ended, &st.r, WAIT_MS));
	assert_int_equal(tracer_stop(st.t, 1000, &status), 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	started_close(&st);
}

static bool is_sigio_fd0(const struct rec_ev *e, const void *arg)
{
	(void)arg;
	return e->kind == REC_SIGNAL && e->b == SIGIO && e->c == 0;
}

/* A signal-driven read: SIGIO, with the fd it names (F_SETSIG), is handed
 * to ops->signal and delivered (the program's handler runs). */
static void test_tracer_sigio_fd(void **state)
{
	struct started st;
	char cause[256], buf[64];
	int status;

	(void)state;
	assert_int_equal(start_prog(&st, "tr_sigio", false, cause, sizeof cause), 0);
	assert_true(read_until(st.out[0], buf, sizeof buf, "ready\n"));
	write_all(st.in[1], "x\n");
	rec_wait(&st.r, is_sigio_fd0, NULL);
	assert_true(read_until(st.out[0], buf, sizeof buf, "got 2\n"));
	assert_true(h_until(rec_ended, &st.r, WAIT_MS));
	assert_int_equal(tracer_stop(st.t, 1000, &status), 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	started_close(&st);
}

static bool is_restart_exit(const struct rec_ev *e, const void *arg)
{
	(void)arg;
	return e->kind == REC_SYS && e->s.exit && e->s.nr == SYS_poll && e->s.ret == -516;
}

/* A poll with a timeout, interrupted by SIGCHLD: the kernel goes on with
 * it as restart_syscall, which is told as the same poll (its number, its
 * args), never as a call of its own; its real result comes at the end. */
static void test_tracer_poll_restart(void **state)
{
	struct started st;
	char cause[256], buf[32];
	long last_ret = 0;
	int entries = 0;

	(void)state;
	for (int mode = 0; mode < 2; mode++) {
		assert_int_equal(start_prog(&st, "tr_pollrs", mode == 1, cause, sizeof cause), 0);
		assert_true(rec_wait(&st.r, is_restart_exit, NULL) >= 0);
		write_all(st.in[1], "x\n");
		assert_true(read_until(st.out[0], buf, sizeof buf, "poll=1\n"));
		assert_int_equal(tracer_stop(st.t, 1000, NULL), 0);
		entries = 0;
		for (int i = 0; i < st.r.n; i++) {
			const struct rec_ev *e = &st.r.ev[i];

			if (e->kind != REC_SYS)
				continue;
			assert_true(e->s.nr != SYS_restart_syscall);
			if (e->s.nr == SYS_poll && !e->s.exit) {
				entries++;
				assert_int_equal(e->s.args[2], 20000);   /* the same call's args */
			}
			if (e->s.nr == SYS_poll && e->s.exit)
				last_ret = e->s.ret;
		}
		assert_int_equal(entries, 2);
		assert_int_equal(last_ret, 1);
		started_close(&st);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tracer_read_stdin),
		cmocka_unit_test(test_tracer_poll_restart),
		cmocka_unit_test(test_tracer_family),
		cmocka_unit_test(test_tracer_no_program),
		cmocka_unit_test(test_tracer_seize_read),
		cmocka_unit_test(test_tracer_seize_refused),
		cmocka_unit_test(test_tracer_mux_arrays),
		cmocka_unit_test(test_tracer_stop_kills),
		cmocka_unit_test(test_tracer_group_stop),
		cmocka_unit_test(test_tracer_sigio_fd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
