/* test_thread_per_conn.c: the thread-per-conn server on real loopback
 * sockets: it echoes every client's lines from a thread of its own,
 * announced as S.n with S as its parent; a stop while its children sleep
 * in recv returns within MODEL_STOP_MS and closes every connection; and
 * untraced, as the bench runs it, it serves a couple of hundred clients
 * at once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/time.h>
#include <unistd.h>
#include <uv.h>

#include "models/model.h"
#include "models/sampler.h"
#include "trace/sink.h"
#include "tests/harness.h"
#include "tests/stamped_reads.h"
#include "tests/srv_util.h"

#define UNTRACED_CONNS 200

struct srv {
	uv_loop_t loop;
	struct trace *t;
	struct sink *s;
	struct model_ctx c;
	struct sockaddr_in sin;
	pthread_t th;              /* untraced: the thread running ops->run */
};

static int listen_loopback(struct sockaddr_in *sin)
{
	socklen_t len = sizeof *sin;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	*sin = (struct sockaddr_in){ .sin_family = AF_INET,
				     .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	assert_int_equal(bind(fd, (struct sockaddr *)sin, sizeof *sin), 0);
	assert_int_equal(listen(fd, 1024), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)sin, &len), 0);
	return fd;
}

/* A traced server S (actor 1) on a listening socket of its own. */
static void srv_open(struct srv *v, int64_t work_ns)
{
	memset(v, 0, sizeof *v);
	assert_int_equal(uv_loop_init(&v->loop), 0);
	assert_non_null(v->t = trace_new());
	assert_int_equal(trace_add_actor(v->t, "S", "thread-per-conn", TRACE_CAP_SPAWNS, "", ""), 1);
	assert_int_equal(sink_new(&v->loop, v->t, &v->s), 0);
	v->c = (struct model_ctx){
		.actor = 1, .listen_fd = listen_loopback(&v->sin), .serve = MODEL_SERVE_ECHO,
		.work_ns = work_ns,
		.probe = { .sink = v->s, .ring = sink_ring_new(v->s, 1), .actor = 1 },
	};
	assert_non_null(v->c.probe.ring);
	assert_int_equal(model_start(&v->c, model_find("thread-per-conn")), 0);
}

static void srv_close(struct srv *v)
{
	assert_int_equal(model_stop(&v->c, MODEL_STOP_MS), 0);
	sink_close(v->s);
	uv_run(&v->loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&v->loop), 0);
	close(v->c.listen_fd);
	sink_free(v->s);
	trace_free(v->t);
}

/* A blocking client whose reads give up after 5 s. */
static int client(const struct sockaddr_in *sin)
{
	struct timeval limit = { 5, 0 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit), 0);
	assert_int_equal(connect(fd, (const struct sockaddr *)sin, sizeof *sin), 0);
	return fd;
}

/* Read exactly len bytes (the echo of a line). */
static void read_back(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n <= 0)
			fail_msg("read %zd (errno %d) after %zu of %zu bytes", n, errno, got, len);
		got += (size_t)n;
	}
}

static bool eof(int fd)
{
	char c;

	return read(fd, &c, 1) == 0;
}

/* Events of kind (and call, when not 0) of actors from `from` on. */
static int count(const struct trace *t, int from, int kind, int call)
{
	int n = 0;

	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *e = trace_at(t, i);

		n += e->actor >= from && e->kind == kind && (call == 0 || e->call == call);
	}
	return n;
}

struct want {
	struct srv *v;
	int n;
};

/* Every one of n children is asleep in recvmsg, by the kernel's word. */
static bool children_asleep(void *arg)
{
	struct want *w = arg;
	const struct trace *t = w->v->t;
	int asleep = 0;

	sink_drain(w->v->s);
	if (count(t, 2, TRACE_ENTER, TRACE_CALL_RECVMSG) < w->n)
		return false;
	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *e = trace_at(t, i);
		struct kstate ks;

		if (e->actor >= 2 && e->kind == TRACE_ACTOR && !(e->flags & TRACE_F_END) &&
		    sampler_read(e->tid, &ks) == 0 && ks.state == 'S' && ks.sysno == SYS_recvmsg)
			asleep++;
	}
	return asleep == w->n;
}

static bool children_ended(void *arg)
{
	struct want *w = arg;

	sink_drain(w->v->s);
	return count(w->v->t, 2, TRACE_ACTOR, 0) == 2 * w->n;
}

static bool idle_begun(void *arg)
{
	struct want *w = arg;

	sink_drain(w->v->s);
	return count(w->v->t, 2, TRACE_IDLE, 0) >= 1;
}

static bool read_to_end(void *arg)
{
	struct want *w = arg;

	sink_drain(w->v->s);
	return su_read_to_end(w->v->t);
}

/* A client resets its connection while its request is being worked on:
 * the answer cannot be sent, and the connection's thread still reads it
 * to its end (the run counts on it: scenarios/world_net.c). */
static void test_tpc_reset_while_working(void **state)
{
	struct srv v;
	struct want w = { &v, 1 };
	int fd;

	(void)state;
	srv_open(&v, 300 * 1000000LL);
	fd = client(&v.sin);
	assert_int_equal(write(fd, "x\n", 2), 2);
	assert_true(h_until(idle_begun, &w, 5000));
	su_reset(fd);
	assert_true(h_until(read_to_end, &w, 5000));
	srv_close(&v);
}

/* N clients, two lines each (the second in two writes): every line comes
 * back to its sender.  Each connection had a thread: S.1 .. S.N, child
 * of S, phases, model thread-per-conn, begun and ended; S traced its
 * accepts and one clone (ret 0) per connection. */
static void test_tpc_echo(void **state)
{
	enum { N = 6 };
	struct srv v;
	struct want w = { &v, N };
	int fd[N];
	const struct trace_hdr *h;

	(void)state;
	srv_open(&v, 0);
	for (int i = 0; i < N; i++)
		fd[i] = client(&v.sin);
	for (int i = 0; i < N; i++) {
		char line[32], back[32];
		int len = snprintf(line, sizeof line, "hello from %d\n", i);

		assert_int_equal(write(fd[i], line, (size_t)len), len);
		read_back(fd[i], back, (size_t)len);
		assert_memory_equal(back, line, (size_t)len);
		assert_int_equal(write(fd[i], "two ", 4), 4);
		assert_int_equal(write(fd[i], "parts\n", 6), 6);
		read_back(fd[i], back, 10);
		assert_memory_equal(back, "two parts\n", 10);
	}
	for (int i = 0; i < N; i++) {
		assert_int_equal(shutdown(fd[i], SHUT_WR), 0);
		assert_true(eof(fd[i]));          /* the server closed after our EOF */
		close(fd[i]);
	}
	assert_true(h_until(children_ended, &w, 5000));

	h = trace_hdr_c(v.t);
	assert_int_equal(h->nactors, 2 + N);
	for (int i = 2; i < 2 + N; i++) {
		char name[16];
		int k = atoi(h->actors[i].name + 2);

		snprintf(name, sizeof name, "S.%d", k);
		assert_true(k >= 1 && k <= N);
		assert_string_equal(h->actors[i].name, name);
		assert_string_equal(h->actors[i].model, "thread-per-conn");
		assert_int_equal(h->actors[i].caps, TRACE_CAP_PHASES);
		assert_int_equal(h->actors[i].parent, 1);
		assert_true(h->actors[i].announced);
		assert_true(h->actors[i].ended);
		assert_non_null(strstr(h->actors[i].label[0], "thread for connection"));
	}
	assert_int_equal(count(v.t, 1, TRACE_EXIT, TRACE_CALL_CLONE) -
			 count(v.t, 2, TRACE_EXIT, TRACE_CALL_CLONE), N);
	for (size_t i = 0; i < trace_count(v.t); i++) {
		const struct trace_ev *e = trace_at(v.t, i);

		if (e->kind == TRACE_EXIT && e->call == TRACE_CALL_CLONE)
			assert_int_equal(e->ret, 0);
		if (e->kind == TRACE_EXIT && e->call == TRACE_CALL_ACCEPT)
			assert_int_equal(e->actor, 1);
	}
	assert_int_equal(count(v.t, 1, TRACE_EXIT, TRACE_CALL_ACCEPT), N);
	assert_true(count(v.t, 2, TRACE_EXIT, TRACE_CALL_WRITE) >= 2 * N);
	/* Both phases of each read that got bytes, the wait of each read. */
	assert_int_equal(count(v.t, 2, TRACE_PHASE, 0),
			 2 * count(v.t, 2, TRACE_EXIT, TRACE_CALL_RECVMSG) +
			 2 * (count(v.t, 2, TRACE_EXIT, TRACE_CALL_RECVMSG) - N));
	assert_int_equal(sink_refused(v.s), 0);
	srv_close(&v);
}

/* A read that slept until its line came: the kernel stamped the line's
 * arrival (in softirq, before the thread woke), so phase 1 ends after
 * the call began and strictly before it returned; the copy (a wake-up,
 * scheduling, the copy) is real time, not 0. */
static void test_tpc_stamp_blocked(void **state)
{
	struct srv v;
	struct want w = { &v, 1 };
	struct sread r[4];
	char back[8];
	int fd;

	(void)state;
	srv_open(&v, 0);
	fd = client(&v.sin);
	assert_true(h_until(children_asleep, &w, 5000));
	assert_int_equal(write(fd, "late\n", 5), 5);
	read_back(fd, back, 5);
	assert_int_equal(shutdown(fd, SHUT_WR), 0);
	assert_true(eof(fd));
	close(fd);
	assert_true(h_until(children_ended, &w, 5000));
	assert_int_equal(sreads_of(v.t, 2, r, 4), 1);
	assert_true(r[0].wait_end >= r[0].enter);
	assert_true(r[0].wait_end < r[0].copy_end);
	assert_true(r[0].copy_end <= r[0].exit);
	srv_close(&v);
}

/* The second line comes while S.1 works on the first (work_ns): it waits
 * in the socket, so the read that takes it has no phase 1: it ends at the
 * call's start, and the whole call is the copy. */
static void test_tpc_stamp_waiting(void **state)
{
	struct srv v;
	struct want w = { &v, 1 };
	struct sread r[4];
	char back[16];
	int fd;

	(void)state;
	srv_open(&v, 300000000);
	fd = client(&v.sin);
	assert_int_equal(write(fd, "one\n", 4), 4);
	assert_true(h_until(idle_begun, &w, 5000));   /* S.1 works on it */
	assert_int_equal(write(fd, "two\n", 4), 4);
	read_back(fd, back, 8);
	assert_memory_equal(back, "one\ntwo\n", 8);
	assert_int_equal(shutdown(fd, SHUT_WR), 0);
	assert_true(eof(fd));
	close(fd);
	assert_true(h_until(children_ended, &w, 5000));
	assert_int_equal(sreads_of(v.t, 2, r, 4), 2);
	assert_int_equal(r[1].wait_end, r[1].enter);
	assert_true(r[1].copy_end > r[1].enter);
	assert_true(r[1].copy_end <= r[1].exit);
	srv_close(&v);
}

/* A line longer than 1024 bytes comes back whole, in 1024-byte pieces. */
static void test_tpc_long_line(void **state)
{
	enum { LEN = 3000 };
	struct srv v;
	char *line = malloc(LEN), *back = malloc(LEN);
	int fd;

	(void)state;
	assert_non_null(line);
	assert_non_null(back);
	memset(line, 'x', LEN - 1);
	line[LEN - 1] = '\n';
	srv_open(&v, 0);
	fd = client(&v.sin);
	assert_int_equal(write(fd, line, LEN), LEN);
	read_back(fd, back, LEN);
	assert_memory_equal(back, line, LEN);
	close(fd);
	free(line);
	free(back);
	srv_close(&v);
}

/* Stopped while every child sleeps in recv: model_stop returns in time,
 * every client sees its connection closed, every child ended. */
static void test_tpc_stop_blocked(void **state)
{
	enum { N = 4 };
	struct srv v;
	struct want w = { &v, N };
	int fd[N];

	(void)state;
	srv_open(&v, 0);
	for (int i = 0; i < N; i++)
		fd[i] = client(&v.sin);
	assert_true(h_until(children_asleep, &w, 5000));
	assert_int_equal(model_stop(&v.c, MODEL_STOP_MS), 0);
	for (int i = 0; i < N; i++) {
		assert_true(eof(fd[i]));
		close(fd[i]);
	}
	sink_drain(v.s);
	assert_int_equal(count(v.t, 2, TRACE_ACTOR, 0), 2 * N);
	assert_int_equal(count(v.t, 1, TRACE_DONE, 0), 1);
	srv_close(&v);
}

/* Stopped while a child works on a request (10 s of it, no clock: real
 * time): the work is cut short. */
static void test_tpc_stop_working(void **state)
{
	struct srv v;
	struct want w = { &v, 1 };
	int fd;

	(void)state;
	srv_open(&v, 10000000000);
	fd = client(&v.sin);
	assert_int_equal(write(fd, "slow\n", 5), 5);
	assert_true(h_until(idle_begun, &w, 5000));
	assert_int_equal(model_stop(&v.c, MODEL_STOP_MS), 0);
	assert_true(eof(fd));
	close(fd);
	srv_close(&v);
}

/* S asleep in accept, by the kernel's word. */
static bool in_accept(void *arg)
{
	struct srv *v = arg;
	pid_t tid = atomic_load(&v->c.tid);
	struct kstate ks;

	return tid != 0 && sampler_read(tid, &ks) == 0 && ks.state == 'S' &&
	       sampler_call_matches(TRACE_CALL_ACCEPT, ks.sysno);
}

/* A stop that finds no connection at all: S wakes from accept. */
static void test_tpc_stop_idle(void **state)
{
	struct srv v;

	(void)state;
	srv_open(&v, 0);
	assert_true(h_until(in_accept, &v, 5000));
	srv_close(&v);
}

struct sampled {
	struct srv *v;
	int n;
};

/* S has a state in accept, and each of n children one in recvmsg. */
static bool all_sampled(void *arg)
{
	struct sampled *w = arg;
	const struct trace *t = w->v->t;
	int in_recv = 0, in_accept = 0;

	uv_run(&w->v->loop, UV_RUN_NOWAIT);
	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *e = trace_at(t, i);

		if (e->kind != TRACE_STATE || e->state != 'S')
			continue;
		in_accept += e->actor == 1 && strncmp(e->syscall, "accept", 6) == 0;
		in_recv += e->actor >= 2 && strcmp(e->syscall, "recvmsg") == 0;
	}
	return in_accept > 0 && in_recv == w->n;
}

/* With the sampler watching S, its children are watched too, from their
 * begin: the kernel pane can say each is asleep in recvmsg. */
static void test_tpc_sampled(void **state)
{
	enum { N = 3 };
	struct srv v;
	struct sampler *sp;
	struct sampled w = { &v, N };
	int fd[N];

	(void)state;
	memset(&v, 0, sizeof v);
	srv_open(&v, 0);
	assert_int_equal(sampler_new(&v.loop, v.s, &sp), 0);
	assert_int_equal(sampler_watch(sp, 1, &v.c.tid), 0);
	for (int i = 0; i < N; i++)
		fd[i] = client(&v.sin);
	assert_true(h_until(all_sampled, &w, 5000));
	for (int i = 0; i < N; i++)
		close(fd[i]);
	sampler_close(sp);
	srv_close(&v);
	sampler_free(sp);
}

/* More connections than the sink has rings for: the children past them
 * run untraced (probe_actor_new zeroes their probe), and serve all the
 * same. */
static void test_tpc_traced_past_rings(void **state)
{
	enum { N = 300 };
	struct srv v;
	int *fd = calloc(N, sizeof *fd);

	(void)state;
	assert_non_null(fd);
	srv_open(&v, 0);
	for (int i = 0; i < N; i++) {
		char back[8];

		fd[i] = client(&v.sin);
		assert_int_equal(write(fd[i], "ping\n", 5), 5);
		read_back(fd[i], back, 5);
		assert_memory_equal(back, "ping\n", 5);
		sink_drain(v.s);
	}
	for (int i = 0; i < N; i++)
		close(fd[i]);
	free(fd);
	sink_drain(v.s);
	assert_true(trace_hdr_c(v.t)->nactors > 100);
	assert_true(trace_hdr_c(v.t)->nactors < 2 + N);
	srv_close(&v);
}

/* ---- untraced: no sink, as the bench runs it ---- */

static void wake_handler(int sig)
{
	(void)sig;
}

static void *untraced_main(void *arg)
{
	struct model_ctx *c = arg;

	atomic_store(&c->tid, gettid());
	probe_attach(NULL);
	c->status = c->ops->run(c);
	atomic_store(&c->done, 1);
	return NULL;
}

/* model_start's part, without a sink (model_main wakes one at its end):
 * the thread, and model_stop's signal handled. */
static void untraced_start(struct srv *v)
{
	struct sigaction sa = { .sa_handler = wake_handler };

	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(MODEL_WAKE_SIGNAL, &sa, NULL), 0);
	memset(v, 0, sizeof *v);
	v->c = (struct model_ctx){ .listen_fd = listen_loopback(&v->sin),
				   .serve = MODEL_SERVE_ECHO };
	v->c.ops = model_find("thread-per-conn");
	assert_int_equal(pthread_create(&v->c.thread, NULL, untraced_main, &v->c), 0);
	v->c.started = 1;
}

/* UNTRACED_CONNS clients connected at once, every one with a line in
 * flight before any is read back: each needs its own thread. */
static void test_tpc_untraced_many(void **state)
{
	struct srv v;
	int *fd = calloc(UNTRACED_CONNS, sizeof *fd);
	int before = open_fd_count();

	(void)state;
	assert_non_null(fd);
	untraced_start(&v);
	for (int i = 0; i < UNTRACED_CONNS; i++) {
		char line[32];
		int len;

		fd[i] = client(&v.sin);
		len = snprintf(line, sizeof line, "line %d\n", i);
		assert_int_equal(write(fd[i], line, (size_t)len), len);
	}
	for (int i = 0; i < UNTRACED_CONNS; i++) {
		char line[32], back[32];
		int len = snprintf(line, sizeof line, "line %d\n", i);

		read_back(fd[i], back, (size_t)len);
		assert_memory_equal(back, line, (size_t)len);
	}
	assert_int_equal(model_stop(&v.c, MODEL_STOP_MS), 0);
	assert_int_equal(v.c.status, 0);
	for (int i = 0; i < UNTRACED_CONNS; i++) {
		assert_true(eof(fd[i]));
		close(fd[i]);
	}
	close(v.c.listen_fd);
	free(fd);
	assert_int_equal(open_fd_count(), before);
}

static long vm_size_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "VmSize: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* A client's line: 1 echoed, 0 its connection closed unanswered. */
static int ask(const struct sockaddr_in *sin)
{
	char back[2];
	int fd = client(sin), got;

	if (write(fd, "a\n", 2) != 2)
		_exit(10);
	got = read(fd, back, 2) == 2;
	close(fd);
	return got;
}

/* In a child process: address space for one more thread stack
 * (RLIMIT_AS), besides those glibc keeps cached.  Clients that keep their
 * connections (and threads) come until one gets none (EAGAIN): its
 * connection is closed unanswered, and S goes on: once the others have
 * left, a later client is served.  Exit status 0 when it went so. */
static void no_thread_child(void)
{
	struct rlimit rl;
	struct srv v;
	int held[64], nheld = 0, refused = 0, later = 0;
	long kb;

	alarm(20);
	untraced_start(&v);
	if ((kb = vm_size_kb()) < 0)
		_exit(11);
	rl.rlim_cur = rl.rlim_max = (rlim_t)(kb + 12 * 1024) * 1024;
	if (setrlimit(RLIMIT_AS, &rl) != 0)
		_exit(12);
	while (nheld < 64 && !refused) {
		char back[2];
		int fd = client(&v.sin);

		if (write(fd, "a\n", 2) != 2)
			_exit(13);
		if (read(fd, back, 2) == 2) {
			held[nheld++] = fd;
		} else {
			refused = 1;
			close(fd);
		}
	}
	while (nheld > 0)
		close(held[--nheld]);
	for (int i = 0; i < 200 && !later; i++)
		later = ask(&v.sin);
	if (model_stop(&v.c, MODEL_STOP_MS) != 0)
		_exit(14);
	_exit(!refused ? 15 : !later ? 16 : 0);
}

/* No thread to be had (EAGAIN): the connection is closed, S goes on. */
static void test_tpc_no_thread(void **state)
{
	int status;
	pid_t kid;

	(void)state;
	kid = fork();
	assert_true(kid >= 0);
	if (kid == 0)
		no_thread_child();
	assert_int_equal(waitpid(kid, &status, 0), kid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("child: %s %d", WIFEXITED(status) ? "exit" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tpc_echo),
		cmocka_unit_test(test_tpc_reset_while_working),
		cmocka_unit_test(test_tpc_stamp_blocked),
		cmocka_unit_test(test_tpc_stamp_waiting),
		cmocka_unit_test(test_tpc_long_line),
		cmocka_unit_test(test_tpc_stop_blocked),
		cmocka_unit_test(test_tpc_stop_working),
		cmocka_unit_test(test_tpc_stop_idle),
		cmocka_unit_test(test_tpc_sampled),
		cmocka_unit_test(test_tpc_traced_past_rings),
		cmocka_unit_test(test_tpc_untraced_many),
		cmocka_unit_test(test_tpc_no_thread),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("thread_per_conn", tests, NULL, NULL);
}
