/* test_process_per_conn.c: the process-per-conn server (a child process
 * per connection) on a real loopback listener, with the test thread as
 * its clients and as the sink's consumer.  Its children's events reach
 * the trace (trace/FORMAT.md, "Events from child processes"); stopping
 * leaves no child, and a child killed mid-read does not stop the rest. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include "models/model.h"
#include "tests/harness.h"
#include "tests/stamped_reads.h"
#include "trace/sink.h"

#define WAIT_MS  5000
#define MAX_CLI  64

extern const struct model_ops model_process_per_conn;

struct fix {
	uv_loop_t loop;
	struct trace *t;
	struct sink *s;
	struct model_ctx c;
	struct sockaddr_in addr;
	int cli[MAX_CLI];
	int ncli;
	bool traced;
};

static int listener(struct sockaddr_in *sin)
{
	socklen_t len = sizeof *sin;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	*sin = (struct sockaddr_in){ .sin_family = AF_INET,
				     .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	assert_int_equal(bind(fd, (struct sockaddr *)sin, sizeof *sin), 0);
	assert_int_equal(listen(fd, 4096), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)sin, &len), 0);
	return fd;
}

/* S, traced or not, taking work_ns (real time: no clock) per line. */
static void fix_open_work(struct fix *f, bool traced, int64_t work_ns)
{
	memset(f, 0, sizeof *f);
	f->traced = traced;
	assert_int_equal(uv_loop_init(&f->loop), 0);
	assert_non_null(f->t = trace_new());
	assert_int_equal(trace_add_actor(f->t, "S", "process-per-conn", TRACE_CAP_SPAWNS, "", ""), 1);
	assert_int_equal(sink_new(&f->loop, f->t, &f->s), 0);
	f->c = (struct model_ctx){ .actor = 1, .listen_fd = listener(&f->addr),
				   .serve = MODEL_SERVE_ECHO, .drain = -1, .work_ns = work_ns };
	if (traced)
		f->c.probe = (struct probe){ .sink = f->s, .ring = sink_ring_new(f->s, 1), .actor = 1 };
	assert_int_equal(model_start(&f->c, &model_process_per_conn), 0);
}

static void fix_open(struct fix *f, bool traced)
{
	fix_open_work(f, traced, 0);
}

static void fix_close(struct fix *f)
{
	for (int i = 0; i < f->ncli; i++)
		if (f->cli[i] >= 0)
			close(f->cli[i]);
	assert_int_equal(model_stop(&f->c, MODEL_STOP_MS), 0);
	close(f->c.listen_fd);
	sink_close(f->s);
	uv_run(&f->loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&f->loop), 0);
	sink_free(f->s);
	trace_free(f->t);
}

static int client(struct fix *f)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct timeval tv = { .tv_sec = WAIT_MS / 1000 };

	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&f->addr, sizeof f->addr), 0);
	/* A read that would hang fails the test instead. */
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
	if (f->ncli < MAX_CLI)
		f->cli[f->ncli++] = fd;
	return fd;
}

static void send_all(int fd, const char *p, size_t len)
{
	assert_int_equal(send(fd, p, len, MSG_NOSIGNAL), (ssize_t)len);
}

/* Read exactly len bytes (the echo) into buf. */
static void recv_all(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = recv(fd, buf + got, len - got, 0);

		if (n <= 0)
			print_message("recv: %zd (%s) after %zu of %zu bytes\n", n,
				      n < 0 ? strerror(errno) : "end of file", got, len);
		assert_true(n > 0);
		got += (size_t)n;
	}
}

/* ---- What the trace holds ---- */

static int actor_named(const struct trace *t, const char *name)
{
	const struct trace_hdr *h = trace_hdr_c(t);

	for (int a = 0; a < h->nactors; a++)
		if (strcmp(h->actors[a].name, name) == 0)
			return a;
	return -1;
}

static const struct trace_ev *find(const struct trace *t, int a, int kind, int end)
{
	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->actor == a && ev->kind == kind && (ev->flags & TRACE_F_END) == end)
			return ev;
	}
	return NULL;
}

struct want {
	struct fix *f;
	int n;                    /* children S.1 .. S.n */
	int kind, end;            /* each has an event of kind (end: its end edge) */
};

static bool children_have(void *arg)
{
	struct want *w = arg;
	char name[16];

	sink_drain(w->f->s);
	for (int i = 1; i <= w->n; i++) {
		int a;

		snprintf(name, sizeof name, "S.%d", i);
		if ((a = actor_named(w->f->t, name)) < 0 || find(w->f->t, a, w->kind, w->end) == NULL)
			return false;
	}
	return true;
}

static pid_t child_pid(struct fix *f, int i)
{
	char name[16];
	const struct trace_ev *ev;
	int a;

	snprintf(name, sizeof name, "S.%d", i);
	if ((a = actor_named(f->t, name)) < 0 || (ev = find(f->t, a, TRACE_ACTOR, 0)) == NULL)
		return 0;
	return ev->pid;
}

/* The kernel's state of process pid ('S': asleep), or 0. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	int fd;
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p != NULL && p[1] == ' ' ? p[2] : 0;
}

struct asleep {
	struct fix *f;
	int n;
};

/* Children S.1 .. S.n have begun, entered recvmsg, and sleep. */
static bool children_asleep(void *arg)
{
	struct asleep *a = arg;
	struct want w = { a->f, a->n, TRACE_ENTER, 0 };

	if (!children_have(&w))
		return false;
	for (int i = 1; i <= a->n; i++)
		if (proc_state(child_pid(a->f, i)) != 'S')
			return false;
	return true;
}

/* The test process has no child left, not even a zombie. */
static bool no_child(void)
{
	int st;

	return waitpid(-1, &st, WNOHANG) < 0 && errno == ECHILD;
}

/* ---- Tests ---- */

/* N clients through real loopback: each line comes back, a long one in
 * 1024-byte pieces; each child is an actor with its own pid (the clone's
 * ret), reads to end of file and ends. */
static void test_process_per_conn_echo(void **state)
{
	enum { N = 5 };
	struct fix f;
	char line[64], back[3000], big[2501];
	struct want ends = { &f, N, TRACE_ACTOR, TRACE_F_END };

	(void)state;
	fix_open(&f, true);
	for (int i = 0; i < N; i++) {
		int fd = client(&f);
		int len = snprintf(line, sizeof line, "hello from client %d\n", i);

		send_all(fd, line, (size_t)len / 2);   /* a line in two sends */
		send_all(fd, line + len / 2, (size_t)(len - len / 2));
		recv_all(fd, back, (size_t)len);
		assert_memory_equal(back, line, (size_t)len);
	}
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\n';
	send_all(f.cli[0], big, sizeof big);
	recv_all(f.cli[0], back, sizeof big);
	assert_memory_equal(back, big, sizeof big);
	for (int i = 0; i < N; i++)
		shutdown(f.cli[i], SHUT_WR);
	assert_true(h_until(children_have, &ends, WAIT_MS));

	for (int i = 1; i <= N; i++) {
		char name[16];
		int a;
		const struct trace_ev *eof = NULL;
		pid_t pid = child_pid(&f, i);

		snprintf(name, sizeof name, "S.%d", i);
		a = actor_named(f.t, name);
		assert_true(pid > 0 && pid != getpid());
		assert_int_equal(trace_hdr(f.t)->actors[a].parent, 1);
		assert_string_equal(trace_hdr(f.t)->actors[a].model, "process-per-conn");
		assert_int_equal(trace_hdr(f.t)->actors[a].caps, TRACE_CAP_PHASES);
		/* S's clone exits, in order, return the children's pids. */
		for (size_t k = 0, seen = 0; k < trace_count(f.t); k++) {
			const struct trace_ev *ev = trace_at(f.t, k);

			if (ev->actor == 1 && ev->kind == TRACE_EXIT && ev->call == TRACE_CALL_CLONE &&
			    ++seen == (size_t)i)
				assert_int_equal(ev->ret, pid);
		}
		for (size_t k = 0; k < trace_count(f.t); k++) {
			const struct trace_ev *ev = trace_at(f.t, k);

			if (ev->actor == a && ev->kind == TRACE_EXIT &&
			    ev->call == TRACE_CALL_RECVMSG && ev->ret == 0)
				eof = ev;
		}
		assert_non_null(eof);
	}
	assert_non_null(find(f.t, actor_named(f.t, "S.1"), TRACE_PHASE, 0));
	assert_int_equal(sink_refused(f.s), 0);
	fix_close(&f);
	assert_true(no_child());
}

/* A read that slept until its line came: the kernel stamped the line's
 * arrival (in softirq, before the process woke), so phase 1 ends after
 * the call began and strictly before it returned; the copy phase is real
 * time, not 0. */
static void test_process_per_conn_stamp_blocked(void **state)
{
	struct fix f;
	struct asleep a = { &f, 1 };
	struct want ends = { &f, 1, TRACE_ACTOR, TRACE_F_END };
	struct sread r[4];
	char back[8];
	int fd;

	(void)state;
	fix_open(&f, true);
	fd = client(&f);
	assert_true(h_until(children_asleep, &a, WAIT_MS));
	send_all(fd, "late\n", 5);
	recv_all(fd, back, 5);
	shutdown(fd, SHUT_WR);
	assert_true(h_until(children_have, &ends, WAIT_MS));
	assert_int_equal(sreads_of(f.t, actor_named(f.t, "S.1"), r, 4), 1);
	assert_true(r[0].wait_end >= r[0].enter);
	assert_true(r[0].wait_end < r[0].copy_end);
	assert_true(r[0].copy_end <= r[0].exit);
	fix_close(&f);
	assert_true(no_child());
}

/* The second line comes while S.1 works on the first (work_ns): it waits
 * in the socket, so the read that takes it ends phase 1 at the call's
 * start, and the whole call is the copy. */
static void test_process_per_conn_stamp_waiting(void **state)
{
	struct fix f;
	struct want busy = { &f, 1, TRACE_IDLE, 0 };
	struct want ends = { &f, 1, TRACE_ACTOR, TRACE_F_END };
	struct sread r[4];
	char back[16];
	int fd;

	(void)state;
	fix_open_work(&f, true, 300000000);
	fd = client(&f);
	send_all(fd, "one\n", 4);
	assert_true(h_until(children_have, &busy, WAIT_MS));   /* S.1 works on it */
	send_all(fd, "two\n", 4);
	recv_all(fd, back, 8);
	assert_memory_equal(back, "one\ntwo\n", 8);
	shutdown(fd, SHUT_WR);
	assert_true(h_until(children_have, &ends, WAIT_MS));
	assert_int_equal(sreads_of(f.t, actor_named(f.t, "S.1"), r, 4), 2);
	assert_int_equal(r[1].wait_end, r[1].enter);
	assert_true(r[1].copy_end > r[1].enter);
	assert_true(r[1].copy_end <= r[1].exit);
	fix_close(&f);
	assert_true(no_child());
}

/* Stopped while every child sleeps in recvmsg: model_stop returns in
 * time, no child is left, and each child's end is in the trace (its
 * parent said it). */
static void test_process_per_conn_stop_blocked(void **state)
{
	enum { N = 3 };
	struct fix f;
	struct asleep a = { &f, N };

	(void)state;
	fix_open(&f, true);
	for (int i = 0; i < N; i++)
		client(&f);
	assert_true(h_until(children_asleep, &a, WAIT_MS));
	assert_int_equal(model_stop(&f.c, MODEL_STOP_MS), 0);
	assert_true(no_child());
	sink_drain(f.s);
	for (int i = 1; i <= N; i++) {
		char name[16];

		snprintf(name, sizeof name, "S.%d", i);
		assert_non_null(find(f.t, actor_named(f.t, name), TRACE_ACTOR, TRACE_F_END));
	}
	assert_int_equal(sink_refused(f.s), 0);
	fix_close(&f);
}

struct reaped {
	struct fix *f;
	int a;
};

/* Connect one more client (an accept reaps) until S.1's end shows. */
static bool killed_reaped(void *arg)
{
	struct reaped *r = arg;

	sink_drain(r->f->s);
	if (find(r->f->t, r->a, TRACE_ACTOR, TRACE_F_END) != NULL)
		return true;
	if (r->f->ncli < MAX_CLI)
		client(r->f);
	return false;
}

/* A child killed in the middle of its read: its client sees the end,
 * the others are still served, the next accepts reap it and say its
 * end, and the stop is as prompt as ever. */
static void test_process_per_conn_killed_child(void **state)
{
	struct fix f;
	struct asleep a = { &f, 2 };
	struct reaped r = { &f, -1 };
	char buf[8];
	int fd1, fd2;

	(void)state;
	fix_open(&f, true);
	fd1 = client(&f);
	fd2 = client(&f);
	assert_true(h_until(children_asleep, &a, WAIT_MS));
	assert_int_equal(kill(child_pid(&f, 1), SIGKILL), 0);
	assert_true(recv(fd1, buf, sizeof buf, 0) <= 0);     /* EOF or reset, not a hang */
	send_all(fd2, "ok\n", 3);
	recv_all(fd2, buf, 3);
	assert_memory_equal(buf, "ok\n", 3);
	r.a = actor_named(f.t, "S.1");
	assert_true(h_until(killed_reaped, &r, WAIT_MS));
	for (size_t i = 0; i < trace_count(f.t); i++)
		if (trace_at(f.t, i)->kind == TRACE_NOTE && trace_at(f.t, i)->actor == 1)
			r.a = -2;
	assert_int_equal(r.a, -2);          /* S's note says a child was killed */
	assert_int_equal(sink_refused(f.s), 0);
	fix_close(&f);
	assert_true(no_child());
}

/* A child keeps only its connection, the sink's wake descriptor and
 * stdio; the whole run leaves no descriptor behind. */
static void test_process_per_conn_fds(void **state)
{
	struct fix f;
	struct asleep a = { &f, 1 };
	int before = open_fd_count(), n = 0;
	char path[64];
	pid_t pid;
	DIR *d;
	struct dirent *de;

	(void)state;
	fix_open(&f, true);
	for (int i = 0; i < 8; i++)      /* descriptors a child must not keep */
		client(&f);
	a.n = 8;
	assert_true(h_until(children_asleep, &a, WAIT_MS));
	pid = child_pid(&f, 8);
	snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
	assert_non_null(d = opendir(path));
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	assert_true(n >= 2 && n <= 5);
	fix_close(&f);
	assert_true(no_child());
	assert_int_equal(open_fd_count(), before);
}

/* Untraced (the bench runs models without a sink): served all the same. */
static void test_process_per_conn_untraced(void **state)
{
	struct fix f;
	char buf[16];

	(void)state;
	fix_open(&f, false);
	for (int i = 0; i < 20; i++) {
		int fd = client(&f);

		send_all(fd, "ping\n", 5);
		recv_all(fd, buf, 5);
		assert_memory_equal(buf, "ping\n", 5);
		if (i % 2 == 0) {          /* half of them leave: reaped as we go */
			close(fd);
			f.cli[--f.ncli] = -1;
		}
	}
	assert_int_equal(trace_count(f.t), 0);
	fix_close(&f);
	assert_true(no_child());
}

/* Many at once (IOSCOPE_TEST_CONNS, default 200; 10000 is the bench's
 * largest), untraced: every connection is served while all are open,
 * and a stop with all of them asleep in recvmsg leaves no child. */
static void test_process_per_conn_many(void **state)
{
	const char *env = getenv("IOSCOPE_TEST_CONNS");
	int n = env != NULL ? atoi(env) : 200;
	int *fds;
	struct fix f;
	char buf[8];
	int64_t t0;

	(void)state;
	if (n < 1 || n > 20000)
		skip();
	assert_non_null(fds = calloc((size_t)n, sizeof *fds));
	fix_open(&f, false);
	for (int i = 0; i < n; i++) {
		if ((fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
			print_message("%d connections: %s\n", i, strerror(errno));
			skip();
		}
		assert_int_equal(connect(fds[i], (struct sockaddr *)&f.addr, sizeof f.addr), 0);
		send_all(fds[i], "hi\n", 3);
	}
	for (int i = 0; i < n; i++) {
		struct timeval tv = { .tv_sec = 30 };

		setsockopt(fds[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		recv_all(fds[i], buf, 3);
		assert_memory_equal(buf, "hi\n", 3);
	}
	/* Stopped with every child asleep in its read: in time, up to a
	 * thousand; past that the kernel's teardown of so many processes is
	 * what takes long (measured, printed). */
	t0 = trace_mono_ns();
	assert_int_equal(model_stop(&f.c, n <= 1000 ? MODEL_STOP_MS : 60000), 0);
	print_message("%d children stopped in %lld ms\n", n,
		      (long long)((trace_mono_ns() - t0) / 1000000));
	assert_true(no_child());
	for (int i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
	fix_close(&f);
}

/* The example of trace/FORMAT.md's "Events from child processes" reads:
 * a child with a pid of its own, announced by S, which it ends. */
static void test_process_per_conn_format_example(void **state)
{
	FILE *md = fopen("trace/FORMAT.md", "r");
	char line[2048], *text = NULL, cause[256];
	size_t len = 0, skipped = 0;
	FILE *out;
	bool in = false;
	struct trace *t = NULL;
	const struct trace_hdr *h;

	(void)state;
	if (md == NULL)
		skip();
	assert_non_null(out = open_memstream(&text, &len));
	while (fgets(line, sizeof line, md) != NULL) {
		if (strncmp(line, "## ", 3) == 0)
			in = strcmp(line, "## Events from child processes\n") == 0;
		if (in && line[0] == '{')
			fputs(line, out);
	}
	fclose(md);
	assert_int_equal(fclose(out), 0);
	assert_int_equal(trace_read_mem("example", text, len, &t, &skipped, cause, sizeof cause), 0);
	h = trace_hdr_c(t);
	assert_int_equal(h->nactors, 3);
	assert_string_equal(h->actors[2].name, "S.1");
	assert_int_equal(h->actors[2].parent, 1);
	assert_true(h->actors[2].ended);
	assert_int_equal(trace_at(t, 2)->ret, trace_at(t, 3)->pid);
	assert_int_equal(trace_at(t, 3)->tid, trace_at(t, 3)->pid);
	trace_free(t);
	free(text);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_process_per_conn_echo),
		cmocka_unit_test(test_process_per_conn_stamp_blocked),
		cmocka_unit_test(test_process_per_conn_stamp_waiting),
		cmocka_unit_test(test_process_per_conn_stop_blocked),
		cmocka_unit_test(test_process_per_conn_killed_child),
		cmocka_unit_test(test_process_per_conn_fds),
		cmocka_unit_test(test_process_per_conn_untraced),
		cmocka_unit_test(test_process_per_conn_many),
		cmocka_unit_test(test_process_per_conn_format_example),
	};

	signal(SIGPIPE, SIG_IGN);
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
