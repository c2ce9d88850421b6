/* test_follow.c: a traced program's stops become the trace's events
 * (attach/follow.h).  A real sink on a real loop, and synthetic stops
 * (struct attach_sys) about fds the test really opens in its own process:
 * pid = getpid(), tid = gettid(), so follow's readlink of /proc/PID/fd/N
 * and its fdinfo see what they are (a socketpair is a socket, a pipe a
 * pipe, a temp file not IO). */
/* First: attach/sys.h names a parameter si_fd, which <signal.h> (through
 * cmocka.h) makes a macro. */
#include "attach/follow.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "attach/classify.h"
#include "trace/sink.h"
#include "trace/trace.h"

#define MS 1000000

struct fx {
	uv_loop_t loop;
	struct trace *t;
	struct sink *s;
	struct follow *f;
	pid_t pid, tid;
	int64_t now;              /* the stops' clock */
	int sv[2];                /* a socketpair */
	char dir[64], file[96];
	int tmp;                  /* a regular file */
};

static void fx_init(struct fx *x)
{
	memset(x, 0, sizeof *x);
	assert_int_equal(uv_loop_init(&x->loop), 0);
	assert_non_null(x->t = trace_new());
	assert_int_equal(sink_new(&x->loop, x->t, &x->s), 0);
	assert_int_equal(follow_new(x->s, -1, &x->f), 0);
	x->pid = getpid();
	x->tid = gettid();
	x->now = 10 * MS;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, x->sv), 0);
	snprintf(x->dir, sizeof x->dir, "/tmp/test_follow.XXXXXX");
	assert_non_null(mkdtemp(x->dir));
	snprintf(x->file, sizeof x->file, "%s/plain", x->dir);
	assert_true((x->tmp = open(x->file, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) >= 0);
	follow_ops.thread(x->f, x->tid, x->pid, 0, x->now);
}

/* Everything into the trace: the sink closes (sink_close drains), then
 * follow's strings may go. */
static void fx_close(struct fx *x)
{
	sink_close(x->s);
	uv_run(&x->loop, UV_RUN_NOWAIT);
	follow_free(x->f);
	x->f = NULL;
}

static void fx_fini(struct fx *x)
{
	if (x->f != NULL)
		fx_close(x);
	sink_free(x->s);
	assert_int_equal(uv_loop_close(&x->loop), 0);
	trace_free(x->t);
	close(x->sv[0]);
	close(x->sv[1]);
	close(x->tmp);
	unlink(x->file);
	rmdir(x->dir);
}

static struct attach_sys mk(struct fx *x, long nr, uint64_t a0, uint64_t a1, uint64_t a2,
			    uint64_t a3)
{
	struct attach_sys s = { .tid = x->tid, .pid = x->pid, .nr = nr,
				.args = { a0, a1, a2, a3 }, .nmem = -1 };

	return s;
}

static void enter(struct fx *x, struct attach_sys *s)
{
	s->exit = false;
	s->t_ns = x->now;
	follow_ops.sys(x->f, s);
}

/* The exit, dur ns after the entry (mem as the test left it). */
static void leave(struct fx *x, struct attach_sys *s, int64_t ret, int64_t dur)
{
	x->now += dur;
	s->exit = true;
	s->at_seize = false;
	s->ret = ret;
	s->t_ns = x->now;
	follow_ops.sys(x->f, s);
	x->now += 1000;
}

static void call(struct fx *x, long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		 int64_t ret, int64_t dur)
{
	struct attach_sys s = mk(x, nr, a0, a1, a2, a3);

	enter(x, &s);
	s.nmem = -1;
	leave(x, &s, ret, dur);
}

static struct trace *drained(struct fx *x)
{
	sink_drain(x->s);
	sink_drain(x->s);
	return x->t;
}

/* The first event of actor a of kind (and call, when not 0) from index
 * from; -1 when none. */
static long find(struct trace *t, int a, int kind, int call_, size_t from)
{
	for (size_t i = from; i < trace_count(t); i++) {
		const struct trace_ev *e = trace_at(t, i);

		if (e->actor == a && e->kind == kind && (call_ == 0 || e->call == call_))
			return (long)i;
	}
	return -1;
}

static int count(struct trace *t, int a, int kind)
{
	int n = 0;

	for (size_t i = 0; i < trace_count(t); i++)
		n += trace_at(t, i)->actor == a && trace_at(t, i)->kind == kind;
	return n;
}

/* The phase events of actor a, as "w+ w- c+ c-" with "!" for whole and
 * "." for not blocked, and the fd: "w+!5". */
static void phases(struct trace *t, int a, char *out, size_t len)
{
	size_t at = 0;

	out[0] = '\0';
	for (size_t i = 0; i < trace_count(t) && at + 16 < len; i++) {
		const struct trace_ev *e = trace_at(t, i);

		if (e->actor != a || e->kind != TRACE_PHASE)
			continue;
		at += (size_t)snprintf(out + at, len - at, "%s%c%c%s%s%d", at ? " " : "",
				       e->phase == TRACE_PH_WAIT ? 'w' : 'c',
				       e->flags & TRACE_F_END ? '-' : '+',
				       e->flags & TRACE_F_WHOLE ? "!" : "",
				       e->flags & TRACE_F_BLOCKED ? "" : ".", e->fd);
	}
}

static void fds_are(const struct trace_ev *e, int n, const int *want)
{
	assert_int_equal(e->nfds, n);
	for (int i = 0; i < n; i++)
		assert_int_equal(e->fd_list[i], want[i]);
}

/* ---- tests ---- */

/* A thread is shown from its first call about a socket, pipe or tty: its
 * name, tid and pid; one that only reads a regular file never is. */
static void test_follow_actor_lazy(void **state)
{
	struct fx x;
	char comm[32] = "", path[64], want[64];
	const struct trace_hdr *h;
	long begin, enter_at;
	FILE *in;

	(void)state;
	fx_init(&x);
	snprintf(path, sizeof path, "/proc/self/task/%d/comm", (int)x.tid);
	assert_non_null(in = fopen(path, "r"));
	assert_non_null(fgets(comm, sizeof comm, in));
	fclose(in);
	comm[strcspn(comm, "\n")] = '\0';
	snprintf(want, sizeof want, "%.8s.%d", comm, (int)x.tid);

	call(&x, SYS_read, (uint64_t)x.tmp, 0, 64, 0, 0, 20000);
	call(&x, SYS_write, (uint64_t)x.tmp, 0, 64, 0, 64, 20000);
	assert_int_equal(trace_hdr_c(drained(&x))->nactors, 1);
	/* Another thread that reads the file only. */
	follow_ops.thread(x.f, x.tid + 100000, x.pid, x.tid, x.now);
	{
		struct attach_sys s = mk(&x, SYS_read, (uint64_t)x.tmp, 0, 64, 0);

		s.tid = x.tid + 100000;
		enter(&x, &s);
		leave(&x, &s, 0, 1000);
	}
	call(&x, SYS_recvfrom, (uint64_t)x.sv[0], 0, 64, 0, 5, 30000);
	fx_close(&x);

	h = trace_hdr_c(x.t);
	assert_int_equal(h->nactors, 2);
	assert_string_equal(h->actors[1].name, want);
	assert_int_equal(h->actors[1].parent, -1);
	assert_non_null(strstr(h->actors[1].label[0], "thread"));
	assert_string_equal(h->actors[1].model, "");
	begin = find(x.t, 1, TRACE_ACTOR, 0, 0);
	enter_at = find(x.t, 1, TRACE_ENTER, 0, 0);
	assert_true(begin >= 0 && begin < enter_at);
	assert_int_equal(trace_at(x.t, (size_t)begin)->tid, x.tid);
	assert_int_equal(trace_at(x.t, (size_t)begin)->pid, x.pid);
	assert_int_equal(trace_at(x.t, (size_t)enter_at)->call, TRACE_CALL_RECVFROM);
	assert_null(trace_at(x.t, (size_t)enter_at)->syscall);
	assert_int_equal(count(x.t, 1, TRACE_ENTER), 1);     /* the file's calls: not shown */
	assert_int_equal(trace_at(x.t, (size_t)find(x.t, 1, TRACE_EXIT, 0, 0))->ret, 5);
	fx_fini(&x);
}

/* Families, with the kernel's name where it differs. */
static void test_follow_sys_names(void **state)
{
	struct fx x;
	int fds[1];
	struct attach_sys s;
	struct { int call; const char *sys; } want[] = {
		{ TRACE_CALL_SELECT, "pselect6" }, { TRACE_CALL_ACCEPT, "accept4" },
		{ TRACE_CALL_WRITE, "sendto" }, { TRACE_CALL_READ, "readv" },
		{ TRACE_CALL_WRITE, NULL }, { TRACE_CALL_RECVMSG, NULL },
	};
	long at = 0;

	(void)state;
	fx_init(&x);
	fds[0] = x.sv[0];
	s = mk(&x, SYS_pselect6, (uint64_t)fds[0] + 1, 0x1000, 0, 0);
	s.nmem = 1;
	s.fds[0] = fds[0];
	s.ev[0] = TRACE_FDSET_READ;
	enter(&x, &s);
	leave(&x, &s, 1, 2 * MS);
	call(&x, SYS_accept4, (uint64_t)x.sv[0], 0, 0, SOCK_NONBLOCK, -EAGAIN, 10000);
	call(&x, SYS_sendto, (uint64_t)x.sv[0], 0, 5, 0, 5, 10000);
	call(&x, SYS_readv, (uint64_t)x.sv[0], 0, 1, 0, 5, 10000);
	call(&x, SYS_write, (uint64_t)x.sv[1], 0, 5, 0, 5, 10000);
	call(&x, SYS_recvmsg, (uint64_t)x.sv[0], 0, 0, 0, 5, 10000);
	fx_close(&x);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const struct trace_ev *e;

		at = find(x.t, 1, TRACE_ENTER, 0, (size_t)at);
		assert_true(at >= 0);
		e = trace_at(x.t, (size_t)at);
		assert_int_equal(e->call, want[i].call);
		if (want[i].sys == NULL)
			assert_null(e->syscall);
		else
			assert_string_equal(e->syscall, want[i].sys);
		at = find(x.t, 1, TRACE_EXIT, 0, (size_t)at);
		e = trace_at(x.t, (size_t)at);
		assert_int_equal(e->call, want[i].call);
		if (want[i].call == TRACE_CALL_ACCEPT) {
			assert_int_equal(e->ret, -1);
			assert_int_equal(e->err, EAGAIN);
		}
	}
	fx_fini(&x);
}

/* A blocking read: one wait phase, whole, from its enter to its exit,
 * and no copy phase. */
static void test_follow_blocking_read(void **state)
{
	struct fx x;
	char ph[256];
	long wb, en, we, ex;
	int64_t t0;

	(void)state;
	fx_init(&x);
	t0 = x.now;
	call(&x, SYS_recvfrom, (uint64_t)x.sv[0], 0, 64, 0, 5, 5 * MS);
	fx_close(&x);
	phases(x.t, 1, ph, sizeof ph);
	snprintf(ph + strlen(ph), sizeof ph - strlen(ph), "|");
	{
		char want[64];

		snprintf(want, sizeof want, "w+!%d w-!%d|", x.sv[0], x.sv[0]);
		assert_string_equal(ph, want);
	}
	wb = find(x.t, 1, TRACE_PHASE, 0, 0);
	en = find(x.t, 1, TRACE_ENTER, 0, 0);
	we = find(x.t, 1, TRACE_PHASE, 0, (size_t)wb + 1);
	ex = find(x.t, 1, TRACE_EXIT, 0, 0);
	assert_true(wb < en && en < we && we < ex);
	assert_int_equal(trace_at(x.t, (size_t)wb)->t_ns, t0);
	assert_int_equal(trace_at(x.t, (size_t)we)->t_ns, t0 + 5 * MS);
	assert_int_equal(trace_at(x.t, (size_t)ex)->dur_ns, 5 * MS);
	fx_fini(&x);
}

/* EPOLLET: events with et and the interest list; epoll_wait's data maps
 * to the fd (a pointer in the table; else its low 32 bits when that fd is
 * listed; else skipped); its wait ends there and the recvfrom that
 * follows is the copy. */
static void test_follow_epoll_et(void **state)
{
	struct fx x;
	struct attach_sys s;
	int ep, fd;
	long at;
	const struct trace_ev *e;
	char ph[256], want[128];
	int64_t t_wait_exit, t_read;

	(void)state;
	fx_init(&x);
	fd = x.sv[0];
	assert_int_equal(fcntl(fd, F_SETFL, O_NONBLOCK), 0);   /* fdinfo says so */
	assert_true((ep = epoll_create1(EPOLL_CLOEXEC)) >= 0);
	call(&x, SYS_epoll_create1, EPOLL_CLOEXEC, 0, 0, 0, ep, 10000);
	s = mk(&x, SYS_epoll_ctl, (uint64_t)ep, EPOLL_CTL_ADD, (uint64_t)fd, 0x7000);
	s.nmem = 1;
	s.ev[0] = EPOLLIN | EPOLLET;
	s.data[0] = 0x55aa00001234ULL;
	s.fds[0] = fd;
	enter(&x, &s);
	leave(&x, &s, 0, 10000);
	s = mk(&x, SYS_epoll_ctl, (uint64_t)ep, EPOLL_CTL_ADD, (uint64_t)x.sv[1], 0x7000);
	s.nmem = 1;
	s.ev[0] = EPOLLIN | EPOLLOUT;
	s.data[0] = (uint64_t)x.sv[1];
	enter(&x, &s);
	leave(&x, &s, 0, 10000);
	/* The wait: fd by its pointer, sv[1] by its low 32 bits, one skipped. */
	s = mk(&x, SYS_epoll_wait, (uint64_t)ep, 0x8000, 8, (uint64_t)-1);
	enter(&x, &s);
	s.nmem = 3;
	s.data[0] = 0x55aa00001234ULL;
	s.ev[0] = EPOLLIN;
	s.data[1] = (0xdeadULL << 32) | (uint64_t)x.sv[1];
	s.ev[1] = EPOLLOUT;
	s.data[2] = 0x9999;
	s.ev[2] = EPOLLIN;
	leave(&x, &s, 3, 3 * MS);
	t_wait_exit = x.now - 1000;
	t_read = x.now;
	call(&x, SYS_recvfrom, (uint64_t)fd, 0, 64, 0, 8, 20000);
	call(&x, SYS_recvfrom, (uint64_t)fd, 0, 64, 0, -EAGAIN, 20000);   /* drained */
	fx_close(&x);

	at = find(x.t, 1, TRACE_ENTER, TRACE_CALL_EPOLL_CTL, 0);
	assert_true(at >= 0);
	e = trace_at(x.t, (size_t)at);
	assert_int_equal(e->fd, ep);
	assert_int_equal(e->what, TRACE_OP_ADD);
	assert_int_equal(e->arg, fd);
	assert_true(e->flags & TRACE_F_EVENTS);
	assert_int_equal(e->sets, TRACE_EPEV_IN | TRACE_EPEV_ET);
	at = find(x.t, 1, TRACE_EXIT, TRACE_CALL_EPOLL_CTL, (size_t)at);
	assert_int_equal(trace_at(x.t, (size_t)at)->sets, TRACE_EPEV_IN | TRACE_EPEV_ET);
	at = find(x.t, 1, TRACE_SET, 0, (size_t)at);
	e = trace_at(x.t, (size_t)at);
	assert_int_equal(e->what, TRACE_SET_INTEREST);
	assert_int_equal(e->n, 1);
	fds_are(e, 1, (int[]){ fd });
	at = find(x.t, 1, TRACE_SET, 0, (size_t)at + 1);
	e = trace_at(x.t, (size_t)at);
	assert_int_equal(e->n, 2);
	fds_are(e, 2, (int[]){ fd, x.sv[1] });
	assert_int_equal(e->outs, 2);
	/* The wait's exit and scan. */
	at = find(x.t, 1, TRACE_EXIT, TRACE_CALL_EPOLL_WAIT, 0);
	e = trace_at(x.t, (size_t)at);
	assert_int_equal(e->ret, 3);
	fds_are(e, 2, (int[]){ fd, x.sv[1] });
	assert_int_equal(e->outs, 2);
	at = find(x.t, 1, TRACE_SET, 0, (size_t)at);
	e = trace_at(x.t, (size_t)at);
	assert_int_equal(e->what, TRACE_SET_SCAN);
	assert_int_equal(e->n, 3);
	fds_are(e, 2, (int[]){ fd, x.sv[1] });
	/* Phases: fd's wait (sv[1] is not watched for reading... it is: EPOLLIN),
	 * ended for fd only (sv[1] came back writable), then fd's copy. */
	phases(x.t, 1, ph, sizeof ph);
	snprintf(want, sizeof want, "w+%d w+%d w-%d c+%d c-%d", fd, x.sv[1], fd, fd, fd);
	assert_string_equal(ph, want);
	at = find(x.t, 1, TRACE_PHASE, 0, (size_t)find(x.t, 1, TRACE_EXIT, TRACE_CALL_EPOLL_WAIT, 0));
	assert_int_equal(trace_at(x.t, (size_t)at)->t_ns, t_wait_exit);
	at = find(x.t, 1, TRACE_PHASE, 0, (size_t)at + 1);
	assert_int_equal(trace_at(x.t, (size_t)at)->t_ns, t_read);
	/* The drain's EAGAIN is no try: epoll watches fd. */
	at = find(x.t, 1, TRACE_EXIT, TRACE_CALL_RECVFROM, 0);
	at = find(x.t, 1, TRACE_EXIT, TRACE_CALL_RECVFROM, (size_t)at + 1);
	assert_int_equal(trace_at(x.t, (size_t)at)->err, EAGAIN);
	assert_int_equal(trace_at(x.t, (size_t)at)->count, 0);
	close(ep);
	fx_fini(&x);
}

/* select: the set built and handed in (its cost), the fds returned and
 * the scan; phase 1 of each fd watched, ended for the one returned. */
static void test_follow_select(void **state)
{
	struct fx x;
	struct attach_sys s;
	struct timespec zero = { 0, 0 };
	int a, b, nfds;
	long at;
	const struct trace_ev *e;
	char ph[256], want[128];

	(void)state;
	fx_init(&x);
	a = x.sv[0];
	b = x.sv[1];
	nfds = (a > b ? a : b) + 1;
	s = mk(&x, SYS_pselect6, (uint64_t)nfds, 0x1000, 0x2000, 0);
	s.nmem = 2;
	s.fds[0] = a;
	s.ev[0] = TRACE_FDSET_READ;
	s.fds[1] = b;
	s.ev[1] = TRACE_FDSET_READ | TRACE_FDSET_WRITE;
	enter(&x, &s);
	s.nmem = 1;
	s.fds[0] = b;
	s.ev[0] = TRACE_FDSET_READ;
	leave(&x, &s, 1, 4 * MS);
	/* A second one, with a zero timeout (read from this process's memory):
	 * a's wait goes on, and b's does not begin: a poll only looks. */
	s = mk(&x, SYS_pselect6, (uint64_t)nfds, 0x1000, 0, 0);
	s.args[4] = (uint64_t)(uintptr_t)&zero;
	s.nmem = 2;
	s.fds[0] = a;
	s.ev[0] = TRACE_FDSET_READ;
	s.fds[1] = b;
	s.ev[1] = TRACE_FDSET_READ;
	enter(&x, &s);
	s.nmem = 0;
	leave(&x, &s, 0, 10000);
	fx_close(&x);

	at = find(x.t, 1, TRACE_SET, 0, 0);
	e = trace_at(x.t, (size_t)at);
	assert_int_equal(e->what, TRACE_SET_BUILD);
	assert_int_equal(e->n, 2);
	fds_are(e, 2, (int[]){ a, b });
	assert_int_equal(e->outs, 2);
	at = find(x.t, 1, TRACE_ENTER, 0, (size_t)at);
	e = trace_at(x.t, (size_t)at);
	assert_int_equal(e->call, TRACE_CALL_SELECT);
	assert_string_equal(e->syscall, "pselect6");
	assert_int_equal(e->fd, -1);
	assert_int_equal(e->n, nfds);
	fds_are(e, 2, (int[]){ a, b });
	assert_true(e->flags & TRACE_F_COST);
	assert_int_equal(e->polled, 2);
	assert_int_equal(e->copied_in, 16);          /* two sets of one long */
	assert_int_equal(e->copied_out, 0);
	assert_int_equal(e->sets, TRACE_FDSET_READ | TRACE_FDSET_WRITE);
	at = find(x.t, 1, TRACE_EXIT, 0, (size_t)at);
	e = trace_at(x.t, (size_t)at);
	assert_int_equal(e->ret, 1);
	assert_int_equal(e->n, nfds);
	fds_are(e, 1, (int[]){ b });
	assert_int_equal(e->copied_out, 16);
	at = find(x.t, 1, TRACE_SET, 0, (size_t)at);
	e = trace_at(x.t, (size_t)at);
	assert_int_equal(e->what, TRACE_SET_SCAN);
	assert_int_equal(e->n, nfds);
	fds_are(e, 1, (int[]){ b });
	phases(x.t, 1, ph, sizeof ph);
	snprintf(want, sizeof want, "w+%d w+%d w-%d", a, b, b);
	assert_string_equal(ph, want);
	fx_fini(&x);
}

/* EAGAIN on a non-blocking fd nothing watches: unblocked tries, counted;
 * the try that gets bytes ends the wait and copies. */
static void test_follow_eagain_tries(void **state)
{
	struct fx x;
	char ph[256], want[128];
	long at = 0;
	int fd;

	(void)state;
	fx_init(&x);
	fd = x.sv[0];
	call(&x, SYS_ioctl, (uint64_t)fd, 0x5421 /* FIONBIO */, 0x1000, 0, 0, 5000);
	{
		/* FIONBIO's int is read at its entry: follow learns it there. */
		struct attach_sys s = mk(&x, SYS_ioctl, (uint64_t)fd, 0x5421, 0x1000, 0);

		s.nmem = 1;
		s.ev[0] = 1;
		enter(&x, &s);
		leave(&x, &s, 0, 5000);
	}
	for (int i = 0; i < 3; i++)
		call(&x, SYS_recvfrom, (uint64_t)fd, 0, 64, 0, -EAGAIN, 20000);
	call(&x, SYS_recvfrom, (uint64_t)fd, 0, 64, 0, 4, 20000);
	fx_close(&x);
	for (uint32_t i = 1; i <= 4; i++) {
		at = find(x.t, 1, TRACE_EXIT, TRACE_CALL_RECVFROM, (size_t)at + (i > 1));
		assert_true(at >= 0);
		assert_int_equal(trace_at(x.t, (size_t)at)->count, i);
	}
	assert_int_equal(trace_at(x.t, (size_t)at)->ret, 4);
	phases(x.t, 1, ph, sizeof ph);
	snprintf(want, sizeof want, "w+.%d w-.%d c+%d c-%d", fd, fd, fd, fd);
	assert_string_equal(ph, want);
	fx_fini(&x);
}

/* asyncio's sock_recv: one EAGAIN try, then the fd goes into epoll and
 * the thread waits there: the unblocked phase 1 ends, a blocked one
 * begins at the wait (not at the zero-timeout one before it), the wait
 * ends it, and the read is the copy, no longer a try. */
static void test_follow_try_then_wait(void **state)
{
	struct fx x;
	struct attach_sys s;
	char ph[256], want[128];
	int ep, fd;
	long at;

	(void)state;
	fx_init(&x);
	fd = x.sv[0];
	assert_int_equal(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	assert_true((ep = epoll_create1(EPOLL_CLOEXEC)) >= 0);
	call(&x, SYS_epoll_create1, EPOLL_CLOEXEC, 0, 0, 0, ep, 10000);
	call(&x, SYS_recvfrom, (uint64_t)fd, 0, 64, 0, -EAGAIN, 10000);
	s = mk(&x, SYS_epoll_ctl, (uint64_t)ep, EPOLL_CTL_ADD, (uint64_t)fd, 0x7000);
	s.nmem = 1;
	s.ev[0] = EPOLLIN;
	s.data[0] = (uint64_t)fd;
	enter(&x, &s);
	leave(&x, &s, 0, 10000);
	call(&x, SYS_epoll_wait, (uint64_t)ep, 0x8000, 4, 0, 0, 10000);
	s = mk(&x, SYS_epoll_wait, (uint64_t)ep, 0x8000, 4, (uint64_t)-1);
	enter(&x, &s);
	s.nmem = 1;
	s.data[0] = (uint64_t)fd;
	s.ev[0] = EPOLLIN;
	leave(&x, &s, 1, 5 * MS);
	call(&x, SYS_recvfrom, (uint64_t)fd, 0, 64, 0, 1, 10000);
	fx_close(&x);
	phases(x.t, 1, ph, sizeof ph);
	snprintf(want, sizeof want, "w+.%d w-.%d w+%d w-%d c+%d c-%d", fd, fd, fd, fd, fd, fd);
	assert_string_equal(ph, want);
	at = find(x.t, 1, TRACE_EXIT, TRACE_CALL_RECVFROM, 0);
	assert_int_equal(trace_at(x.t, (size_t)at)->count, 1);
	at = find(x.t, 1, TRACE_EXIT, TRACE_CALL_RECVFROM, (size_t)at + 1);
	assert_int_equal(trace_at(x.t, (size_t)at)->ret, 1);
	assert_int_equal(trace_at(x.t, (size_t)at)->count, 0);
	close(ep);
	fx_fini(&x);
}

/* A closed fd whose number a regular file gets (open is not watched): its
 * calls are not shown any more. */
static void test_follow_close_reuse(void **state)
{
	struct fx x;
	int fd, r;

	(void)state;
	fx_init(&x);
	assert_true((fd = dup(x.sv[0])) >= 0);
	call(&x, SYS_recvfrom, (uint64_t)fd, 0, 64, 0, 5, 20000);
	assert_int_equal(close(fd), 0);
	call(&x, SYS_close, (uint64_t)fd, 0, 0, 0, 0, 5000);
	assert_true((r = open(x.file, O_RDONLY | O_CLOEXEC)) >= 0);
	if (r != fd) {
		assert_int_equal(dup2(r, fd), fd);
		close(r);
	}
	call(&x, SYS_read, (uint64_t)fd, 0, 64, 0, 0, 20000);
	call(&x, SYS_write, (uint64_t)fd, 0, 64, 0, 64, 20000);
	fx_close(&x);
	assert_int_equal(count(x.t, 1, TRACE_ENTER), 1);
	assert_int_equal(count(x.t, 1, TRACE_EXIT), 1);
	close(fd);
	fx_fini(&x);
}

/* A thread that is gone ends its actor; a thread it made is its child. */
static void test_follow_gone(void **state)
{
	struct fx x;
	const struct trace_hdr *h;
	struct follow_stats st;
	pid_t child;
	long end;

	(void)state;
	fx_init(&x);
	child = x.tid + 100000;
	call(&x, SYS_write, (uint64_t)x.sv[1], 0, 5, 0, 5, 10000);
	follow_ops.thread(x.f, child, x.pid, x.tid, x.now);
	{
		struct attach_sys s = mk(&x, SYS_recvfrom, (uint64_t)x.sv[0], 0, 64, 0);

		s.tid = child;
		enter(&x, &s);
		leave(&x, &s, 5, 10000);
	}
	follow_ops.gone(x.f, child, 0, x.now);
	follow_ops.gone(x.f, x.tid, 0, x.now + 1000);
	follow_stats(x.f, &st);
	assert_int_equal(st.threads, 2);
	assert_int_equal(st.actors, 2);
	assert_true(st.stops >= 4);
	fx_close(&x);
	h = trace_hdr_c(x.t);
	assert_int_equal(h->nactors, 3);
	assert_int_equal(h->actors[2].parent, 1);
	assert_true(h->actors[1].ended);
	assert_true(h->actors[2].ended);
	end = find(x.t, 2, TRACE_ACTOR, 0, (size_t)find(x.t, 2, TRACE_ACTOR, 0, 0) + 1);
	assert_true(end > find(x.t, 2, TRACE_EXIT, 0, 0));
	assert_true(trace_at(x.t, (size_t)end)->flags & TRACE_F_END);
	assert_int_equal(sink_refused(x.s), 0);
	fx_fini(&x);
}

/* attach -p: the thread was in epoll_wait already (on an instance made
 * before: its interest list read from fdinfo); the call restarts after
 * the seize and is one call, with one note. */
static void test_follow_at_seize(void **state)
{
	struct fx x;
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 77 };
	struct attach_sys s;
	int ep;
	long at;
	int64_t t0;

	(void)state;
	fx_init(&x);
	assert_true((ep = epoll_create1(EPOLL_CLOEXEC)) >= 0);
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, x.sv[0], &ev), 0);
	t0 = x.now;
	s = mk(&x, SYS_epoll_wait, (uint64_t)ep, 0x8000, 4, (uint64_t)-1);
	s.at_seize = true;
	enter(&x, &s);
	leave(&x, &s, -514 /* ERESTARTNOHAND */, 1000);
	s.at_seize = false;
	enter(&x, &s);
	s.nmem = 1;
	s.data[0] = 77;
	s.ev[0] = EPOLLIN;
	leave(&x, &s, 1, 2 * MS);
	fx_close(&x);
	assert_int_equal(count(x.t, 1, TRACE_ENTER), 1);
	assert_int_equal(count(x.t, 1, TRACE_EXIT), 1);
	assert_int_equal(count(x.t, 1, TRACE_NOTE), 1);
	at = find(x.t, 1, TRACE_NOTE, 0, 0);
	assert_non_null(strstr(trace_at(x.t, (size_t)at)->text[0],
			       "already in epoll_wait when ioscope attached"));
	at = find(x.t, 1, TRACE_EXIT, 0, 0);
	assert_int_equal(trace_at(x.t, (size_t)at)->t_ns - trace_at(x.t, (size_t)at)->dur_ns, t0);
	fds_are(trace_at(x.t, (size_t)at), 1, (int[]){ x.sv[0] });
	close(ep);
	fx_fini(&x);
}

/* SIGIO, and F_SETSIG's signal of an O_ASYNC fd, are shown; others not. */
static void test_follow_signal(void **state)
{
	struct fx x;
	int fd;
	long at;

	(void)state;
	fx_init(&x);
	fd = x.sv[0];
	call(&x, SYS_fcntl, (uint64_t)fd, F_SETFL, O_ASYNC | O_NONBLOCK, 0, 0, 5000);
	call(&x, SYS_fcntl, (uint64_t)fd, F_SETSIG, 40, 0, 0, 5000);
	follow_ops.signal(x.f, x.tid, 10, -1, x.now);
	follow_ops.signal(x.f, x.tid, 40, fd, x.now + 1000);
	fx_close(&x);
	assert_int_equal(count(x.t, 1, TRACE_SIGNAL), 1);
	at = find(x.t, 1, TRACE_SIGNAL, 0, 0);
	assert_int_equal(trace_at(x.t, (size_t)at)->n, 40);
	assert_int_equal(trace_at(x.t, (size_t)at)->fd, fd);
	assert_int_equal(trace_at(x.t, (size_t)at)->tid, x.tid);
	fx_fini(&x);
}

/* Past FOLLOW_MAX_THREADS (4096) a thread is refused, and a note says so. */
static void test_follow_thread_cap(void **state)
{
	struct fx x;
	struct follow_stats st;

	(void)state;
	fx_init(&x);
	for (int i = 1; i <= 4100; i++)
		follow_ops.thread(x.f, x.tid + 200000 + i, x.pid, x.tid, x.now);
	follow_stats(x.f, &st);
	assert_int_equal(st.threads, 4096);
	fx_close(&x);
	assert_int_equal(count(x.t, TRACE_WORLD, TRACE_NOTE), 1);
	fx_fini(&x);
}

/* A pipe is IO too; exec ends the actor and the new program's is another,
 * its child. */
static void test_follow_exec(void **state)
{
	struct fx x;
	int p[2];
	const struct trace_hdr *h;

	(void)state;
	fx_init(&x);
	assert_int_equal(pipe(p), 0);
	call(&x, SYS_write, (uint64_t)p[1], 0, 1, 0, 1, 10000);
	/* execve from a thread that is not the leader: its tid becomes pid. */
	follow_ops.exec(x.f, x.pid, x.tid == x.pid ? 0 : x.tid, x.now);
	x.tid = x.pid;
	call(&x, SYS_read, (uint64_t)p[0], 0, 1, 0, 1, 10000);
	fx_close(&x);
	h = trace_hdr_c(x.t);
	assert_int_equal(h->nactors, 3);
	assert_true(h->actors[1].ended);
	assert_int_equal(h->actors[2].parent, 1);
	assert_string_not_equal(h->actors[1].name, h->actors[2].name);
	assert_int_equal(sink_refused(x.s), 0);
	close(p[0]);
	close(p[1]);
	fx_fini(&x);
}

/* A thread that sleeps in recvfrom again and again gets a model (the
 * rules are classify.c's): its event carries the evidence, copied, and
 * lives on in the trace after follow_free. */
static void test_follow_model(void **state)
{
	const struct attach_rule_info *rules;
	struct fx x;
	long at;

	(void)state;
	assert_true(attach_cls_rules(&rules) > 0);   /* the rules are there: never skipped */
	fx_init(&x);
	for (int i = 0; i < 4; i++)
		call(&x, SYS_recvfrom, (uint64_t)x.sv[0], 0, 64, 0, 5, 5 * MS);
	fx_close(&x);
	at = find(x.t, 1, TRACE_MODEL, 0, 0);
	assert_true(at >= 0);
	assert_string_equal(trace_at(x.t, (size_t)at)->model, "blocking");
	assert_true(trace_at(x.t, (size_t)at)->caps & TRACE_CAP_PHASES);
	assert_non_null(strstr(trace_at(x.t, (size_t)at)->text[0], "recvfrom"));
	assert_true(trace_at(x.t, (size_t)at)->text[1][0] != '\0');
	fx_fini(&x);
}

/* A child process of the program (a launcher script's subshell) reads
 * pipes all the time: its pipes are not shown, its sockets are.  The
 * program's own pipes are. */
static void test_follow_child_pipes(void **state)
{
	struct fx x;
	int p[2], sync[2];
	pid_t child;
	char c;

	(void)state;
	fx_init(&x);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(pipe(sync), 0);
	if ((child = fork()) == 0) {            /* holds the same fds: /proc/CHILD/fd */
		close(sync[1]);
		(void)!read(sync[0], &c, 1);
		_exit(0);
	}
	assert_true(child > 0);
	follow_ops.thread(x.f, child, child, x.tid, x.now);
	{
		struct attach_sys s = mk(&x, SYS_read, (uint64_t)p[0], 0, 64, 0);

		s.tid = s.pid = child;
		enter(&x, &s);
		leave(&x, &s, 3, 5 * MS);
	}
	assert_int_equal(trace_hdr_c(drained(&x))->nactors, 1);   /* not shown */
	{
		struct attach_sys s = mk(&x, SYS_recvfrom, (uint64_t)x.sv[0], 0, 64, 0);

		s.tid = s.pid = child;
		enter(&x, &s);
		leave(&x, &s, 5, 30000);
	}
	assert_int_equal(trace_hdr_c(drained(&x))->nactors, 2);   /* its socket is */
	call(&x, SYS_read, (uint64_t)p[0], 0, 64, 0, 3, 30000);   /* the program's pipe is */
	fx_close(&x);
	assert_int_equal(trace_hdr_c(x.t)->nactors, 3);
	close(sync[1]);
	assert_int_equal(waitpid(child, NULL, 0), child);
	close(sync[0]);
	close(p[0]);
	close(p[1]);
	fx_fini(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_follow_actor_lazy),
		cmocka_unit_test(test_follow_child_pipes),
		cmocka_unit_test(test_follow_sys_names),
		cmocka_unit_test(test_follow_blocking_read),
		cmocka_unit_test(test_follow_epoll_et),
		cmocka_unit_test(test_follow_select),
		cmocka_unit_test(test_follow_eagain_tries),
		cmocka_unit_test(test_follow_try_then_wait),
		cmocka_unit_test(test_follow_close_reuse),
		cmocka_unit_test(test_follow_gone),
		cmocka_unit_test(test_follow_at_seize),
		cmocka_unit_test(test_follow_signal),
		cmocka_unit_test(test_follow_thread_cap),
		cmocka_unit_test(test_follow_exec),
		cmocka_unit_test(test_follow_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
