/* test_classify.c: the classification rules (attach/classify.c), each on a
 * recorded syscall sequence of the kind the prototype traced:
 * Python's blocking echo, thread per connection, select.select (pselect6),
 * selectors (epoll), a BlockingIOError polling loop, asyncio, SIGIO with
 * fcntl; C poll, io_uring, POSIX aio, edge-triggered epoll; libuv. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "attach/classify.h"
#include "models/model.h"
#include "trace/trace.h"

#define EPOLLIN_ 0x001u
#define EPOLLET_ (1u << 31)
#define MS 1000000ll
#define SEC 1000000000ll

/* ---- observations, as follow.c makes them */

#define RD(s, f, r, bl, d) \
	{ .kind = OBS_READ, .sys = (s), .fd = (f), .ret = (r), .blocked = (bl), \
	  .dur_ns = (d), .fd_io = true }
#define RDE(s, f, e) \
	{ .kind = OBS_READ, .sys = (s), .fd = (f), .ret = -1, .err = (e), .dur_ns = 20000, \
	  .fd_io = true }
#define ACC(s, f, r, bl, d) \
	{ .kind = OBS_ACCEPT, .sys = (s), .fd = (f), .ret = (r), .blocked = (bl), \
	  .dur_ns = (d), .fd_io = true }
#define ACCE(s, f, e) \
	{ .kind = OBS_ACCEPT, .sys = (s), .fd = (f), .ret = -1, .err = (e), .fd_io = true }
#define WR(s, f, r) \
	{ .kind = OBS_WRITE, .sys = (s), .fd = (f), .ret = (r), .fd_io = true }
#define SEL(s, nin, k, ...) \
	{ .kind = OBS_SELECT, .sys = (s), .fd = -1, .n = (nin), .ret = (k), .nfds = (k), \
	  .fds = { __VA_ARGS__ }, .timeout_ms = -1, .blocked = true, .dur_ns = SEC }
#define POLL(s, nin, k, ...) \
	{ .kind = OBS_POLL, .sys = (s), .fd = -1, .n = (nin), .ret = (k), .nfds = (k), \
	  .fds = { __VA_ARGS__ }, .timeout_ms = -1, .blocked = true, .dur_ns = SEC }
#define EPW(s, ep, to, k, ...) \
	{ .kind = OBS_EPOLL_WAIT, .sys = (s), .fd = (ep), .timeout_ms = (to), .ret = (k), \
	  .nfds = (k), .fds = { __VA_ARGS__ }, .blocked = (k) > 0 && (to) != 0 }
#define CTL(f, o, ev) \
	{ .kind = OBS_EPOLL_CTL, .sys = "epoll_ctl", .fd = (f), .op = (o), .events = (ev), \
	  .fd_io = true }
#define NONBLOCK(s, f) \
	{ .kind = OBS_NONBLOCK, .sys = (s), .fd = (f), .nonblock = true, .fd_io = true }
#define ASYNC(f, o) \
	{ .kind = OBS_ASYNC, .sys = "fcntl", .fd = (f), .op = (o), .fd_io = true }
#define SIGNAL(s, f) { .kind = OBS_SIGNAL, .fd = (f), .sig = (s), .ret = -1 }
#define URING_SETUP(r) { .kind = OBS_URING_SETUP, .sys = "io_uring_setup", .fd = -1, .ret = (r) }
#define URING_ENTER(f, n_, bl, d) \
	{ .kind = OBS_URING_ENTER, .sys = "io_uring_enter", .fd = (f), .n = (n_), .ret = (n_), \
	  .blocked = (bl), .dur_ns = (d) }
#define FUTEX(d) { .kind = OBS_FUTEX_WAIT, .sys = "futex", .fd = -1, .blocked = true, .dur_ns = (d) }
#define CLONE(t) { .kind = OBS_CLONE, .sys = "clone3", .fd = -1, .ret = (t) }
#define LIB(l) { .kind = OBS_LIB, .fd = -1, .ret = -1, .lib = (l) }

#define N(a) ((int)(sizeof (a) / sizeof (a)[0]))

/* Feed seq[0..n) to one thread; returns how many times its model
 * changed, *last the index of the last change (-1 none). */
static int feed(struct attach_cls_proc *p, struct attach_cls *c,
		const struct attach_obs *seq, int n, int *last)
{
	int changes = 0;

	if (last != NULL)
		*last = -1;
	for (int i = 0; i < n; i++)
		if (attach_cls_feed(p, c, &seq[i])) {
			changes++;
			if (last != NULL)
				*last = i;
		}
	return changes;
}

/* A fresh process with one thread, fed seq. */
static int run(struct attach_cls_proc *p, struct attach_cls *c,
	       const struct attach_obs *seq, int n, int *last)
{
	attach_cls_proc_init(p);
	attach_cls_init(c);
	return feed(p, c, seq, n, last);
}

static unsigned caps(const char *model)
{
	const struct model_ops *m = model_find(model);

	assert_non_null(m);
	return m->caps;
}

static void assert_has(const char *s, const char *words)
{
	if (strstr(s, words) == NULL)
		fail_msg("\"%s\" does not say \"%s\"", s, words);
}

/* ---- one test per rule */

/* Python's blocking echo: accept(), then recv() in a loop. */
static void test_classify_blocking_echo(void **state)
{
	const struct attach_obs seq[] = {
		RD("read", 3, 0, false, 0),             /* not a socket... */
		ACC("accept4", 3, 4, true, 1500 * MS),  /* round 1 */
		RD("recvfrom", 4, 8, true, 2 * SEC),    /* round 2 */
		WR("sendto", 4, 8),
		RD("recvfrom", 4, 8, true, 3 * SEC),
	};
	struct attach_obs first[N(seq)];
	struct attach_cls_proc p;
	struct attach_cls c;
	int last;

	(void)state;
	memcpy(first, seq, sizeof seq);
	first[0].fd_io = false;             /* ...the script being read */
	assert_int_equal(run(&p, &c, first, N(first), &last), 1);
	assert_int_equal(last, 2);
	assert_string_equal(c.model, "blocking");
	assert_int_equal(c.caps, caps("blocking"));
	assert_string_equal(c.why_en, "blocking: recvfrom(4) slept 2.0 s until data came");
	assert_string_equal(c.why_zh, "blocking：recvfrom(4) 在内核里睡了 2.0 秒，直到数据到来");
}

/* A client that answers at once leaves a blocking server's reads no time
 * to sleep (measured under strace: srv_blocking's recvfrom returns in
 * 10-70 us): reads of fds never made non-blocking, with no wait before
 * them, are the same evidence. */
static void test_classify_blocking_fast_client(void **state)
{
	const struct attach_obs seq[] = {
		ACC("accept", 3, 4, false, 19000),
		RD("recvfrom", 4, 37, false, 13000),   /* round 2 */
		WR("sendto", 4, 37),
		RD("recvfrom", 4, 37, false, 11000),
	};
	/* A polling loop attached to late (its fcntl unseen): an EAGAIN
	 * says the fd is non-blocking, so its reads are not. */
	const struct attach_obs poller[] = {
		RDE("recvfrom", 4, EAGAIN), RD("recvfrom", 4, 37, false, 0),
		RDE("recvfrom", 4, EAGAIN), RD("recvfrom", 4, 37, false, 0),
		RDE("recvfrom", 4, EAGAIN), RDE("recvfrom", 4, EAGAIN),
	};
	struct attach_cls_proc p;
	struct attach_cls c;
	int last;

	(void)state;
	assert_int_equal(run(&p, &c, seq, N(seq), &last), 1);
	assert_int_equal(last, 1);
	assert_string_equal(c.model, "blocking");
	assert_string_equal(c.why_en, "blocking: recvfrom(4) read 37 bytes on a blocking fd, "
			    "with no wait for readiness before it");
	assert_string_equal(c.why_zh, "blocking：recvfrom(4) 没有先等待就绪，直接在阻塞的 fd 上"
			    "读到 37 字节");
	assert_int_equal(run(&p, &c, poller, N(poller), &last), 1);
	assert_string_equal(c.model, "nonblocking");
}

/* Thread per connection: the main thread sleeps in accept, each worker
 * in recv on its own connection; one process. */
static void test_classify_thread_per_conn(void **state)
{
	const struct attach_obs main_seq[] = {
		ACC("accept4", 3, 4, true, 800 * MS), CLONE(4243),
		ACC("accept4", 3, 5, true, 1200 * MS), CLONE(4244),
	};
	const struct attach_obs w1[] = {
		RD("recvfrom", 4, 6, true, 300 * MS), WR("sendto", 4, 6),
		RD("recvfrom", 4, 0, true, 900 * MS),
	};
	const struct attach_obs w2[] = {
		RD("recvfrom", 5, 6, true, 40 * MS), WR("sendto", 5, 6),
		RD("recvfrom", 5, 6, true, 5 * MS),
	};
	struct attach_cls_proc p;
	struct attach_cls m, a, b;

	(void)state;
	attach_cls_proc_init(&p);
	attach_cls_init(&m);
	attach_cls_init(&a);
	attach_cls_init(&b);
	assert_int_equal(feed(&p, &m, main_seq, N(main_seq), NULL), 1);
	assert_int_equal(feed(&p, &a, w1, N(w1), NULL), 1);
	assert_int_equal(feed(&p, &b, w2, N(w2), NULL), 1);
	assert_string_equal(m.model, "blocking");
	assert_string_equal(a.model, "blocking");
	assert_string_equal(b.model, "blocking");
	assert_string_equal(m.why_en, "blocking: accept4(3) slept 1.2 s until a client connected (fd 5)");
	assert_has(m.why_zh, "accept4(3) 在内核里睡了 1.2 秒，直到有客户端连上（fd 5）");
	assert_string_equal(a.why_en, "blocking: recvfrom(4) slept 900 ms until the other end closed");
	assert_has(a.why_zh, "直到对端关闭");
	assert_has(b.why_en, "recvfrom(5) slept 5.0 ms until data came");
	assert_has(b.why_zh, "5.0 毫秒");
}

/* Python's select.select chat server: the kernel sees pselect6. */
static void test_classify_select_chat(void **state)
{
	const struct attach_obs seq[] = {
		SEL("pselect6", 1, 1, 3),
		ACC("accept4", 3, 4, false, 0),         /* round 1 */
		SEL("pselect6", 2, 1, 3),
		ACC("accept4", 3, 5, false, 0),         /* one round per wait... */
		SEL("pselect6", 3, 1, 4),
		RD("recvfrom", 4, 8, false, 0),         /* round 2 */
		WR("sendto", 5, 8),
	};
	struct attach_cls_proc p;
	struct attach_cls c;
	int last;

	(void)state;
	/* ...and the second accept was the second round. */
	assert_int_equal(run(&p, &c, seq, N(seq), &last), 1);
	assert_int_equal(last, 3);
	assert_string_equal(c.model, "select");
	assert_int_equal(c.caps, caps("select"));
	assert_true(c.caps & TRACE_CAP_BITMAP);
	assert_string_equal(c.why_en, "select: pselect6 over 2 fds returned fd 3, then "
			    "accept4(3) took a new connection, fd 5");
	assert_string_equal(c.why_zh, "select：pselect6 监视 2 个 fd，返回了 fd 3，随后 "
			    "accept4(3) 接受了新连接 fd 5");
	/* 60 clients: pselect6 returns more fds than an observation holds
	 * (ATTACH_OBS_FDS); the reads of the others are no blocking reads. */
	{
		struct attach_obs many[2 + 3 * 8] = {
			SEL("pselect6", 61, 16, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
			    16, 17, 18, 19),
			RD("recvfrom", 4, 9, false, 0),
		};

		many[0].ret = 40;
		for (int i = 0; i < 8; i++) {
			struct attach_obs r = RD("recvfrom", 20 + i, 9, false, 0);
			struct attach_obs w = WR("sendto", 20 + i, 9);

			many[2 + 3 * i] = r;
			many[3 + 3 * i] = w;
			many[4 + 3 * i] = w;
		}
		attach_cls_init(&c);
		assert_int_equal(feed(&p, &c, seq, N(seq), NULL), 1);
		for (int i = 0; i < 3; i++)
			assert_int_equal(feed(&p, &c, many, N(many), NULL), 0);
		assert_string_equal(c.model, "select");
	}
	/* The same server's reads give the words the issue shows. */
	attach_cls_init(&c);
	{
		const struct attach_obs reads[] = {
			SEL("pselect6", 3, 1, 4), RD("read", 4, 8, false, 0),
			SEL("pselect6", 3, 2, 4, 5), RD("read", 5, 3, false, 0),
			RD("read", 4, 2, false, 0),
		};

		assert_int_equal(feed(&p, &c, reads, N(reads), &last), 1);
		assert_int_equal(last, 3);
		assert_string_equal(c.why_en, "select: pselect6 over 3 fds returned fd 5, then "
				    "read(5) read 3 bytes");
	}
}

/* A C poll server (glibc's poll is ppoll on some arches). */
static void test_classify_poll(void **state)
{
	const struct attach_obs seq[] = {
		POLL("ppoll", 1, 1, 3), ACC("accept", 3, 4, false, 0),
		POLL("ppoll", 2, 1, 4), RD("read", 4, 12, false, 0),
		WR("write", 4, 12),
	};
	struct attach_cls_proc p;
	struct attach_cls c;
	int last;

	(void)state;
	assert_int_equal(run(&p, &c, seq, N(seq), &last), 1);
	assert_int_equal(last, 3);
	assert_string_equal(c.model, "poll");
	assert_int_equal(c.caps, caps("poll"));
	assert_string_equal(c.why_en, "poll: ppoll over 2 fds returned fd 4, then read(4) read 12 bytes");
	assert_string_equal(c.why_zh, "poll：ppoll 监视 2 个 fd，返回了 fd 4，随后 read(4) 读到 12 字节");
}

/* selectors.DefaultSelector: epoll_ctl once per fd, epoll_wait, recv. */
static void test_classify_selectors_epoll(void **state)
{
	const struct attach_obs seq[] = {
		CTL(3, 1, EPOLLIN_),
		EPW("epoll_wait", 4, -1, 1, 3), ACC("accept4", 3, 5, false, 0),
		CTL(5, 1, EPOLLIN_),
		EPW("epoll_wait", 4, -1, 1, 5), RD("recvfrom", 5, 8, false, 0),
		WR("sendto", 5, 8),
		EPW("epoll_wait", 4, -1, 1, 5), RD("recvfrom", 5, 8, false, 0),
	};
	struct attach_cls_proc p;
	struct attach_cls c;
	int last;

	(void)state;
	assert_int_equal(run(&p, &c, seq, N(seq), &last), 1);
	assert_int_equal(last, 8);
	assert_string_equal(c.model, "epoll");
	assert_int_equal(c.caps, caps("epoll"));
	assert_string_equal(c.why_en, "epoll: epoll_wait returned fd 5, then recvfrom(5) read 8 bytes");
	assert_string_equal(c.why_zh, "epoll：epoll_wait 返回了 fd 5，随后 recvfrom(5) 读到 8 字节");
}

/* A BlockingIOError loop: setblocking(False) is ioctl(FIONBIO), then
 * accept and recv are tried over and over. */
static void test_classify_nonblocking_loop(void **state)
{
	const struct attach_obs seq[] = {
		NONBLOCK("ioctl", 3),
		ACCE("accept4", 3, EAGAIN),             /* a try */
		ACCE("accept4", 3, EAGAIN),             /* round 1: tried again */
		ACC("accept4", 3, 4, false, 0), NONBLOCK("ioctl", 4),
		RDE("recvfrom", 4, EAGAIN),
		ACCE("accept4", 3, EAGAIN),             /* round 2 */
		RDE("recvfrom", 4, EAGAIN),
	};
	struct attach_cls_proc p;
	struct attach_cls c;
	int last;

	(void)state;
	assert_int_equal(run(&p, &c, seq, N(seq), &last), 1);
	assert_int_equal(last, 6);
	assert_string_equal(c.model, "nonblocking");
	assert_int_equal(c.caps, caps("nonblocking"));
	assert_true(c.caps & TRACE_CAP_TRIES);
	assert_string_equal(c.why_en, "nonblocking: fd 3 made non-blocking (ioctl(FIONBIO)); "
			    "accept4(3) returned EAGAIN again, 4 tries with no wait between "
			    "them: it polls");
	assert_string_equal(c.why_zh, "nonblocking：fd 3 已设为非阻塞（ioctl(FIONBIO)）；"
			    "accept4(3) 又返回 EAGAIN，中间没有任何等待，已试 4 次：它在轮询");
}

/* One EAGAIN at start-up is not polling; nor are EAGAINs with a wait
 * between each (an edge-triggered reader's last read). */
static void test_classify_eagain_once_is_not_polling(void **state)
{
	const struct attach_obs seq[] = {
		RDE("recvfrom", 4, EAGAIN),
		EPW("epoll_wait", 3, -1, 1, 4), RD("recvfrom", 4, 8, false, 0),
		RDE("recvfrom", 4, EAGAIN),
		EPW("epoll_wait", 3, -1, 1, 4), RD("recvfrom", 4, 8, false, 0),
		RDE("recvfrom", 4, EAGAIN),
		EPW("epoll_wait", 3, -1, 2, 4, 5), RDE("recvfrom", 4, EAGAIN),
		RDE("recvfrom", 5, EAGAIN),
	};
	const struct attach_obs alone[] = {
		RDE("recvfrom", 4, EAGAIN), RD("recvfrom", 4, 8, false, 0),
	};
	struct attach_cls_proc p;
	struct attach_cls c;

	(void)state;
	assert_int_equal(run(&p, &c, seq, N(seq), NULL), 1);
	assert_string_equal(c.model, "epoll");
	assert_int_equal(run(&p, &c, alone, N(alone), NULL), 0);
	assert_string_equal(c.model, "");
}

/* asyncio: epoll, with epoll_wait(timeout=0) calls between (a wait that
 * returned nothing is no evidence either way); its accept loop ends in
 * EAGAIN. */
static void test_classify_asyncio(void **state)
{
	const struct attach_obs seq[] = {
		CTL(6, 1, EPOLLIN_),                   /* its self-pipe socket */
		CTL(7, 1, EPOLLIN_),
		EPW("epoll_wait", 5, 0, 0, 0),
		EPW("epoll_wait", 5, -1, 1, 7), ACC("accept4", 7, 8, false, 0),
		ACCE("accept4", 7, EAGAIN),
		CTL(8, 1, EPOLLIN_),
		EPW("epoll_wait", 5, 0, 0, 0),
		EPW("epoll_wait", 5, -1, 1, 8),
		EPW("epoll_wait", 5, 0, 0, 0),         /* between the wait and the read */
		RD("recvfrom", 8, 5, false, 0),         /* round 1 */
		WR("sendto", 8, 5),
		EPW("epoll_wait", 5, 0, 0, 0),
		EPW("epoll_wait", 5, -1, 1, 8), RD("recvfrom", 8, 5, false, 0),   /* round 2 */
		EPW("epoll_wait", 5, 0, 0, 0), EPW("epoll_wait", 5, 0, 0, 0),
	};
	struct attach_cls_proc p;
	struct attach_cls c;
	int last;

	(void)state;
	assert_int_equal(run(&p, &c, seq, N(seq), &last), 1);
	assert_int_equal(last, 14);
	assert_string_equal(c.model, "epoll");
	assert_string_equal(c.why_en, "epoll: epoll_wait returned fd 8, then recvfrom(8) read 5 bytes");
}

/* SIGIO with fcntl: F_SETOWN, O_ASYNC|O_NONBLOCK; each SIGIO, then recv
 * until EAGAIN. */
static void test_classify_sigio(void **state)
{
	const struct attach_obs seq[] = {
		ASYNC(4, 2), ASYNC(4, 1), NONBLOCK("fcntl", 4),
		SIGNAL(SIGIO, -1), RD("recvfrom", 4, 8, false, 0),   /* round 1 */
		RDE("recvfrom", 4, EAGAIN),
		SIGNAL(SIGIO, -1), RD("recvfrom", 4, 6, false, 0),   /* round 2 */
		RDE("recvfrom", 4, EAGAIN),
		SIGNAL(SIGIO, -1), RDE("recvfrom", 4, EAGAIN),       /* a try, no polling */
	};
	struct attach_cls_proc p;
	struct attach_cls c;
	int last;

	(void)state;
	assert_int_equal(run(&p, &c, seq, N(seq), &last), 1);
	assert_int_equal(last, 7);
	assert_string_equal(c.model, "sigio");
	assert_int_equal(c.caps, caps("sigio"));
	assert_true(c.caps & TRACE_CAP_SIGNAL);
	assert_string_equal(c.why_en, "sigio: fd 4 is signal-driven (O_ASYNC); SIGIO came, "
			    "then recvfrom(4) read 6 bytes");
	assert_string_equal(c.why_zh, "sigio：fd 4 是信号驱动的（O_ASYNC）；SIGIO 到达后，"
			    "recvfrom(4) 读到 6 字节");
	/* F_SETSIG: another signal, naming the fd. */
	{
		const struct attach_obs rt[] = {
			ASYNC(5, 1), ASYNC(5, 3),
			SIGNAL(SIGRTMIN + 2, 5), RD("read", 5, 1, false, 0),
			SIGNAL(SIGRTMIN + 2, 5), RD("read", 5, 1, false, 0),
		};

		assert_int_equal(run(&p, &c, rt, N(rt), NULL), 1);
		assert_string_equal(c.model, "sigio");
		assert_has(c.why_en, "signal ");
		assert_has(c.why_en, "then read(5) read 1 byte");
		assert_has(c.why_zh, "信号 ");
	}
	/* A signal unrelated to any signal-driven fd is no notice. */
	{
		const struct attach_obs other[] = {
			NONBLOCK("fcntl", 5),
			SIGNAL(SIGINT, -1), RD("read", 5, 1, false, 0),
			SIGNAL(SIGINT, -1), RD("read", 5, 1, false, 0),
		};

		assert_int_equal(run(&p, &c, other, N(other), NULL), 0);
	}
}

/* C io_uring: the data comes through the ring, never a read call. */
static void test_classify_uring(void **state)
{
	const struct attach_obs seq[] = {
		URING_SETUP(3),
		URING_ENTER(3, 2, true, 1 * SEC),       /* round 1 */
		URING_ENTER(3, 0, false, 0),            /* a peek: nothing */
		URING_ENTER(3, 1, true, 1500 * MS),     /* round 2 */
	};
	const struct attach_obs reads[] = {
		URING_SETUP(3), URING_ENTER(3, 1, true, SEC),
		EPW("epoll_wait", 4, -1, 1, 5), RD("read", 5, 64, false, 0),
		URING_ENTER(3, 1, true, SEC),
	};
	/* libuv submits its epoll_ctl calls through a ring: submitting is
	 * no round, only a sleep for completions is. */
	const struct attach_obs submits[] = {
		URING_SETUP(7), URING_ENTER(7, 1, false, 0), URING_ENTER(7, 2, false, 0),
		URING_ENTER(7, 1, false, 0),
	};
	struct attach_cls_proc p;
	struct attach_cls c;
	int last;

	(void)state;
	assert_int_equal(run(&p, &c, submits, N(submits), NULL), 0);
	assert_int_equal(run(&p, &c, seq, N(seq), &last), 1);
	assert_int_equal(last, 3);
	assert_string_equal(c.model, "uring");
	assert_int_equal(c.caps, caps("uring"));
	assert_true(c.caps & TRACE_CAP_COMPLETION);
	assert_string_equal(c.why_en, "uring: io_uring_setup made ring fd 3; io_uring_enter(3) "
			    "submitted 1 and slept 1.5 s; no read call carries the data");
	assert_string_equal(c.why_zh, "uring：io_uring_setup 建立了环 fd 3；io_uring_enter(3) "
			    "提交了 1 个请求，睡了 1.5 秒；数据不经过 read 调用");
	/* The data read by read(2) between: not uring (libuv rings its
	 * epoll_ctl calls through io_uring). */
	assert_int_equal(run(&p, &c, reads, N(reads), NULL), 0);
	assert_string_equal(c.model, "");
}

/* POSIX aio on a socket: glibc's helper thread tries pread64 (ESPIPE),
 * then sleeps in read; the caller sleeps in futex (aio_suspend). */
static void test_classify_posix_aio(void **state)
{
	const struct attach_obs caller_early[] = { FUTEX(10 * MS), FUTEX(10 * MS) };
	const struct attach_obs helper[] = {
		RDE("pread64", 5, ESPIPE), RD("read", 5, 8, true, 1 * SEC),
		FUTEX(MS),                                            /* waits for work */
		RDE("pread64", 5, ESPIPE), RD("read", 5, 8, true, 2 * SEC),
	};
	const struct attach_obs caller[] = {
		ACC("accept", 3, 5, false, 0), FUTEX(1 * SEC), FUTEX(2 * SEC),
	};
	struct attach_cls_proc p;
	struct attach_cls h, c;
	int last;

	(void)state;
	attach_cls_proc_init(&p);
	attach_cls_init(&h);
	attach_cls_init(&c);
	/* No helper yet: futex waits are anybody's. */
	assert_int_equal(feed(&p, &c, caller_early, N(caller_early), NULL), 0);
	assert_int_equal(feed(&p, &h, helper, N(helper), &last), 1);
	assert_int_equal(last, 4);
	assert_string_equal(h.model, "posix-aio");
	assert_true(h.aio_helper);
	assert_int_equal(p.aio_helpers, 1);
	assert_int_equal(h.caps, caps("posix-aio"));
	assert_true(h.caps & TRACE_CAP_HELPERS);
	assert_string_equal(h.why_en, "posix-aio: pread64(5) failed with ESPIPE, then read(5) "
			    "slept 2.0 s and read 8 bytes: glibc's aio helper thread");
	assert_string_equal(h.why_zh, "posix-aio：pread64(5) 返回 ESPIPE，随后 read(5) 睡了 2.0 秒，"
			    "读到 8 字节：这是 glibc 的 aio 助手线程");
	assert_int_equal(feed(&p, &c, caller, N(caller), &last), 1);
	assert_int_equal(last, 2);
	assert_string_equal(c.model, "posix-aio");
	assert_false(c.aio_helper);
	assert_int_equal(c.caps, caps("posix-aio"));
	assert_string_equal(c.why_en, "posix-aio: it waits in futex (aio_suspend) while 1 glibc "
			    "aio helper thread reads for it");
	assert_has(c.why_zh, "同时有 1 个 glibc aio 助手线程替它读");
	/* As srv_aio under a fast client: the helper's read finds the data
	 * there, the caller's futex sleeps 20-200 us (not long enough to
	 * be seen blocked), and a futex that failed with EAGAIN never
	 * slept. */
	{
		struct attach_obs quick[] = {
			FUTEX(0), FUTEX(0), FUTEX(0), FUTEX(0), FUTEX(0),
		};

		for (int i = 0; i < N(quick); i++) {
			quick[i].blocked = false;
			quick[i].ret = i < 3 ? -1 : 0;
			quick[i].err = i < 3 ? EAGAIN : 0;
		}
		attach_cls_init(&c);
		assert_int_equal(feed(&p, &c, quick, 3, NULL), 0);
		assert_int_equal(feed(&p, &c, quick, N(quick), &last), 1);
		assert_int_equal(last, 4);
		assert_string_equal(c.model, "posix-aio");
	}
}

/* A C edge-triggered server: the listener level-triggered, each client
 * with EPOLLET, read until EAGAIN. */
static void test_classify_epoll_et(void **state)
{
	const struct attach_obs seq[] = {
		CTL(3, 1, EPOLLIN_),
		EPW("epoll_wait", 4, -1, 1, 3), ACC("accept4", 3, 5, false, 0),
		CTL(5, 1, EPOLLIN_ | EPOLLET_),
		EPW("epoll_wait", 4, -1, 1, 3), ACC("accept4", 3, 6, false, 0),
		CTL(6, 1, EPOLLIN_ | EPOLLET_),
		EPW("epoll_wait", 4, -1, 1, 5),
		RD("read", 5, 512, false, 0), RD("read", 5, 100, false, 0),
		RDE("read", 5, EAGAIN),                                /* round 1 */
		EPW("epoll_wait", 4, -1, 2, 5, 6),
		RD("read", 5, 8, false, 0), RDE("read", 5, EAGAIN),    /* round 2 */
		RD("read", 6, 8, false, 0), RDE("read", 6, EAGAIN),    /* the same wait's */
	};
	struct attach_cls_proc p;
	struct attach_cls c;
	int last;

	(void)state;
	assert_int_equal(run(&p, &c, seq, N(seq), &last), 1);
	assert_int_equal(last, 13);
	assert_string_equal(c.model, "epoll-et");
	assert_int_equal(c.caps, caps("epoll-et"));
	assert_true(c.caps & TRACE_CAP_EDGE);
	assert_string_equal(c.why_en, "epoll-et: fd 5 is registered with EPOLLET; epoll_wait "
			    "returned it, then read(5) drained it to EAGAIN (8 bytes)");
	assert_string_equal(c.why_zh, "epoll-et：fd 5 以 EPOLLET 注册；epoll_wait 返回它后，"
			    "read(5) 一直读到 EAGAIN，共读到 8 字节");
	/* As srv_epoll_et under a fast client: an ET listener accepted
	 * from until EAGAIN, clients read to their end. */
	{
		const struct attach_obs fast[] = {
			NONBLOCK("fcntl", 3), CTL(3, 1, EPOLLIN_ | EPOLLET_),
			EPW("epoll_wait", 4, -1, 1, 3),
			ACC("accept", 3, 5, false, 0), NONBLOCK("fcntl", 5),
			CTL(5, 1, EPOLLIN_ | EPOLLET_),
			ACCE("accept", 3, EAGAIN),                    /* round 1 */
			EPW("epoll_wait", 4, -1, 1, 5),
			RD("recvfrom", 5, 37, false, 0), WR("sendto", 5, 37),
			RD("recvfrom", 5, 37, false, 0), WR("sendto", 5, 37),
			RD("recvfrom", 5, 0, false, 0),                /* round 2 */
		};

		assert_int_equal(run(&p, &c, fast, N(fast), &last), 1);
		assert_int_equal(last, 12);
		assert_string_equal(c.model, "epoll-et");
		assert_string_equal(c.why_en, "epoll-et: fd 5 is registered with EPOLLET; "
				    "epoll_wait returned it, then recvfrom(5) drained it to the "
				    "end of the stream (74 bytes)");
		assert_has(c.why_zh, "一直读到流的结尾，共读到 74 字节");
	}
}

/* libuv mapped: its loop thread's epoll rounds name libuv; libevent and
 * libev have no model of ioscope's: their caps are the loop's. */
static void test_classify_libraries(void **state)
{
	const struct attach_obs uv[] = {
		LIB("libuv"), CTL(6, 1, EPOLLIN_),
		EPW("epoll_pwait", 5, -1, 1, 6), RD("read", 6, 8, false, 0),
		EPW("epoll_pwait", 5, -1, 1, 6), RD("read", 6, 8, false, 0),
	};
	const struct attach_obs ev[] = {
		LIB("libevent"),
		EPW("epoll_wait", 3, -1, 1, 7), RD("recvfrom", 7, 8, false, 0),
		EPW("epoll_wait", 3, -1, 1, 7), RD("recvfrom", 7, 8, false, 0),
	};
	/* The maps read late (a dlopen): epoll first, then named better. */
	const struct attach_obs late[] = {
		EPW("epoll_wait", 3, -1, 1, 7), RD("read", 7, 8, false, 0),
		EPW("epoll_wait", 3, -1, 1, 7), RD("read", 7, 8, false, 0),
		LIB("libev"),
		EPW("epoll_wait", 3, -1, 1, 7), RD("read", 7, 8, false, 0),
		EPW("epoll_wait", 3, -1, 1, 7), RD("read", 7, 8, false, 0),
	};
	const unsigned loop = TRACE_CAP_LOOP | TRACE_CAP_INTEREST | TRACE_CAP_SERVES;
	struct attach_cls_proc p;
	struct attach_cls c;
	int last;

	(void)state;
	assert_int_equal(run(&p, &c, uv, N(uv), NULL), 1);
	assert_string_equal(c.model, "libuv");
	assert_int_equal(c.caps, caps("libuv"));
	assert_string_equal(c.why_en, "libuv: the process maps libuv; epoll_pwait returned fd 6, "
			    "then read(6) read 8 bytes");
	assert_string_equal(c.why_zh, "libuv：进程映射了 libuv；epoll_pwait 返回了 fd 6，"
			    "随后 read(6) 读到 8 字节");
	assert_int_equal(run(&p, &c, ev, N(ev), NULL), 1);
	assert_string_equal(c.model, "libevent");
	assert_int_equal(c.caps, loop);
	assert_int_equal(run(&p, &c, late, N(late), &last), 2);
	assert_int_equal(last, 8);
	assert_string_equal(c.model, "libev");
	assert_int_equal(c.caps, loop);
	/* A library's name only with epoll evidence: its threads that do
	 * something else keep their own model. */
	{
		const struct attach_obs pool[] = {
			LIB("libuv"), RD("read", 9, 4, true, SEC), RD("read", 9, 4, true, SEC),
		};

		assert_int_equal(run(&p, &c, pool, N(pool), NULL), 1);
		assert_string_equal(c.model, "blocking");
	}
}

/* ---- the rules together */

/* A server of many clients drains every fd a wait or a signal told it of
 * to EAGAIN; fds 32 apart share a bit of the thread's memory, and that
 * must not make it look like a polling loop. */
static void test_classify_drains_are_not_polling(void **state)
{
	const struct attach_obs et[] = {
		CTL(5, 1, EPOLLIN_ | EPOLLET_), CTL(37, 1, EPOLLIN_ | EPOLLET_),
		CTL(69, 1, EPOLLIN_ | EPOLLET_),
		EPW("epoll_wait", 4, -1, 3, 5, 37, 69),
		RD("read", 5, 8, false, 0), RDE("read", 5, EAGAIN),
		RD("read", 37, 8, false, 0), RDE("read", 37, EAGAIN),
		RD("read", 69, 8, false, 0), RDE("read", 69, EAGAIN),
	};
	const struct attach_obs sig[] = {
		ASYNC(5, 1), ASYNC(37, 1), ASYNC(69, 1), SIGNAL(SIGIO, -1),
		RD("recvfrom", 5, 8, false, 0), RDE("recvfrom", 5, EAGAIN),
		RDE("recvfrom", 37, EAGAIN), RDE("recvfrom", 69, EAGAIN),
	};
	struct attach_cls_proc p;
	struct attach_cls c;

	(void)state;
	attach_cls_proc_init(&p);
	attach_cls_init(&c);
	assert_int_equal(feed(&p, &c, et, N(et), NULL), 0);
	assert_int_equal(feed(&p, &c, et, N(et), NULL), 1);
	for (int i = 0; i < 5; i++)
		assert_int_equal(feed(&p, &c, et, N(et), NULL), 0);
	assert_string_equal(c.model, "epoll-et");
	attach_cls_proc_init(&p);
	attach_cls_init(&c);
	for (int i = 0; i < 6; i++)
		feed(&p, &c, sig, N(sig), NULL);
	assert_string_equal(c.model, "sigio");
}

/* One round of any rule leaves the thread unclassified. */
static void test_classify_one_round_is_not_enough(void **state)
{
	const struct attach_obs one[][4] = {
		{ RD("recvfrom", 4, 8, true, SEC) },
		{ RDE("recvfrom", 4, EAGAIN), RDE("recvfrom", 4, EAGAIN) },
		{ SEL("pselect6", 2, 1, 4), RD("read", 4, 8, false, 0) },
		{ POLL("poll", 2, 1, 4), RD("read", 4, 8, false, 0) },
		{ EPW("epoll_wait", 3, -1, 1, 4), RD("read", 4, 8, false, 0) },
		{ CTL(4, 1, EPOLLET_), EPW("epoll_wait", 3, -1, 1, 4), RDE("read", 4, EAGAIN) },
		{ ASYNC(4, 1), SIGNAL(SIGIO, -1), RD("read", 4, 8, false, 0) },
		{ URING_SETUP(3), URING_ENTER(3, 1, true, SEC) },
		{ RDE("pread64", 5, ESPIPE), RD("read", 5, 8, true, SEC) },
	};
	struct attach_cls_proc p;
	struct attach_cls c;

	(void)state;
	for (int i = 0; i < N(one); i++) {
		int n = 0;

		while (n < 4 && one[i][n].kind != OBS_NONE)
			n++;
		assert_int_equal(run(&p, &c, one[i], n, NULL), 0);
		assert_string_equal(c.model, "");
		assert_int_equal(c.caps, 0);
	}
}

/* A model changes only on CLS_CHANGE rounds of another in a row: a round
 * of its own between starts the count again. */
static void test_classify_contrary_needs_repeats(void **state)
{
	const struct attach_obs ep[] = {
		EPW("epoll_wait", 3, -1, 1, 4), RD("recvfrom", 4, 8, false, 0),
	};
	const struct attach_obs bl[] = { RD("recvfrom", 5, 8, true, SEC) };
	struct attach_cls_proc p;
	struct attach_cls c;

	(void)state;
	attach_cls_proc_init(&p);
	attach_cls_init(&c);
	assert_int_equal(feed(&p, &c, ep, N(ep), NULL), 0);
	assert_int_equal(feed(&p, &c, ep, N(ep), NULL), 1);
	assert_string_equal(c.model, "epoll");
	assert_int_equal(feed(&p, &c, bl, N(bl), NULL), 0);
	assert_int_equal(feed(&p, &c, bl, N(bl), NULL), 0);
	assert_int_equal(feed(&p, &c, ep, N(ep), NULL), 0);    /* contrary */
	assert_int_equal(feed(&p, &c, bl, N(bl), NULL), 0);
	assert_int_equal(feed(&p, &c, bl, N(bl), NULL), 0);
	assert_string_equal(c.model, "epoll");
	assert_int_equal(feed(&p, &c, bl, N(bl), NULL), 1);
	assert_string_equal(c.model, "blocking");
	assert_has(c.why_en, "recvfrom(5) slept 1.0 s");
}

/* Calls about files, eventfds, timerfds are no evidence of anything. */
static void test_classify_non_io_is_never_evidence(void **state)
{
	struct attach_obs seq[] = {
		RD("read", 7, 100, true, SEC), RD("read", 7, 100, true, SEC),
		RD("read", 7, 100, true, SEC),
		ACC("accept4", 7, 8, true, SEC), ACC("accept4", 7, 8, true, SEC),
		RDE("read", 7, EAGAIN), RDE("read", 7, EAGAIN), RDE("read", 7, EAGAIN),
		EPW("epoll_wait", 3, -1, 1, 7), RD("read", 7, 8, false, 0),
		EPW("epoll_wait", 3, -1, 1, 7), RD("read", 7, 8, false, 0),
		EPW("epoll_wait", 3, -1, 1, 7), RD("read", 7, 8, false, 0),
		ASYNC(7, 1), SIGNAL(SIGIO, -1), RD("read", 7, 8, false, 0),
		SIGNAL(SIGIO, -1), RD("read", 7, 8, false, 0),
		CTL(7, 1, EPOLLIN_ | EPOLLET_), EPW("epoll_wait", 3, -1, 1, 7),
		RDE("read", 7, EAGAIN), EPW("epoll_wait", 3, -1, 1, 7), RDE("read", 7, EAGAIN),
		RDE("pread64", 7, ESPIPE), RD("read", 7, 8, true, SEC),
		RDE("pread64", 7, ESPIPE), RD("read", 7, 8, true, SEC),
	};
	struct attach_cls_proc p;
	struct attach_cls c;

	(void)state;
	for (int i = 0; i < N(seq); i++)
		seq[i].fd_io = false;
	assert_int_equal(run(&p, &c, seq, N(seq), NULL), 0);
	assert_string_equal(c.model, "");
	assert_int_equal(p.aio_helpers, 0);
	assert_int_equal(p.async_fds[0], 0);
}

/* A thread that first blocks, then serves through epoll, ends as epoll. */
static void test_classify_blocking_then_epoll(void **state)
{
	const struct attach_obs seq[] = {
		RD("recvfrom", 4, 5, true, SEC), RD("recvfrom", 4, 5, true, SEC),
		CTL(4, 1, EPOLLIN_), CTL(6, 1, EPOLLIN_),
		EPW("epoll_wait", 5, -1, 1, 4), RD("recvfrom", 4, 8, false, 0),
		EPW("epoll_wait", 5, -1, 1, 6), RD("recvfrom", 6, 8, false, 0),
		EPW("epoll_wait", 5, -1, 1, 4), RD("recvfrom", 4, 8, false, 0),
		EPW("epoll_wait", 5, -1, 1, 6), RD("recvfrom", 6, 8, false, 0),
	};
	struct attach_cls_proc p;
	struct attach_cls c;
	int last;

	(void)state;
	assert_int_equal(run(&p, &c, seq, N(seq), &last), 2);
	assert_int_equal(last, 9);
	assert_string_equal(c.model, "epoll");
	assert_int_equal(c.caps, caps("epoll"));
	assert_string_equal(c.why_en, "epoll: epoll_wait returned fd 4, then recvfrom(4) read 8 bytes");
}

/* Every model classify.h names has a rule, and each rule says what it
 * looks for. */
static void test_classify_rules_list_every_model(void **state)
{
	static const char *const models[] = {
		"blocking", "nonblocking", "select", "poll", "epoll", "epoll-et", "sigio",
		"uring", "posix-aio", "libuv", "libevent", "libev",
	};
	const struct attach_rule_info *r;
	int n = attach_cls_rules(&r);

	(void)state;
	assert_true(n >= N(models));
	for (int i = 0; i < n; i++) {
		assert_non_null(r[i].name);
		assert_non_null(r[i].model);
		assert_true(r[i].looks_for != NULL && strlen(r[i].looks_for) > 20);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(r[i].name, r[j].name);
	}
	for (int m = 0; m < N(models); m++) {
		bool found = false;

		for (int i = 0; i < n; i++)
			found = found || strcmp(r[i].model, models[m]) == 0;
		if (!found)
			fail_msg("no rule gives %s", models[m]);
		if (strcmp(models[m], "libevent") != 0 && strcmp(models[m], "libev") != 0)
			assert_non_null(model_find(models[m]));
	}
}

static bool utf8_whole(const char *s)
{
	for (const unsigned char *u = (const unsigned char *)s; *u != '\0';) {
		int more = *u < 0x80 ? 0 : (*u & 0xE0) == 0xC0 ? 1 : (*u & 0xF0) == 0xE0 ? 2 :
			   (*u & 0xF8) == 0xF0 ? 3 : -1;

		if (more < 0)
			return false;
		u++;
		for (int i = 0; i < more; i++, u++)
			if ((*u & 0xC0) != 0x80)
				return false;
	}
	return true;
}

/* The longest evidence each rule can write fits in why_en / why_zh, and
 * a cut never splits a character. */
static void test_classify_evidence_fits(void **state)
{
	const int64_t big = INT64_MAX / 4;
	const struct attach_obs seqs[][6] = {
		{ RD("recvmsg", 1023, big, true, big), RD("recvmsg", 1023, big, true, big) },
		{ SEL("pselect6", 1024, 1, 1023), RD("recvmsg", 1023, big, false, 0),
		  SEL("pselect6", 1024, 1, 1023), RD("recvmsg", 1023, big, false, 0) },
		{ CTL(1023, 1, EPOLLET_), EPW("epoll_pwait2", 3, -1, 1, 1023),
		  RD("recvmsg", 1023, INT32_MAX, false, 0), RDE("recvmsg", 1023, EAGAIN),
		  EPW("epoll_pwait2", 3, -1, 1, 1023), RDE("recvmsg", 1023, EAGAIN) },
		{ URING_SETUP(1023), URING_ENTER(1023, INT32_MAX, true, big),
		  URING_ENTER(1023, INT32_MAX, true, big) },
		{ RDE("pread64", 1023, ESPIPE), RD("recvmsg", 1023, big, true, big),
		  RDE("pread64", 1023, ESPIPE), RD("recvmsg", 1023, big, true, big) },
		{ ASYNC(1023, 1), SIGNAL(SIGRTMAX, 1023), RD("recvmsg", 1023, big, false, 0),
		  SIGNAL(SIGRTMAX, 1023), RD("recvmsg", 1023, big, false, 0) },
	};
	struct attach_cls_proc p;
	struct attach_cls c;

	(void)state;
	for (int i = 0; i < N(seqs); i++) {
		int n = 0;

		while (n < 6 && seqs[i][n].kind != OBS_NONE)
			n++;
		assert_int_equal(run(&p, &c, seqs[i], n, NULL), 1);
		assert_true(strlen(c.why_en) > 20 && strlen(c.why_en) < sizeof c.why_en);
		assert_true(strlen(c.why_zh) > 20 && strlen(c.why_zh) < sizeof c.why_zh);
		assert_true(utf8_whole(c.why_en));
		assert_true(utf8_whole(c.why_zh));
	}
}

/* One thread registers the fds with EPOLLET (the acceptor), another waits
 * and drains them (a worker): the worker is epoll-et.  What epoll_ctl
 * says belongs to the process, not to the thread that said it. */
static void test_classify_et_across_threads(void **state)
{
	const struct attach_obs acceptor[] = {
		CTL(5, 1, EPOLLIN_ | EPOLLET_), CTL(6, 1, EPOLLIN_ | EPOLLET_),
	};
	const struct attach_obs worker[] = {
		EPW("epoll_wait", 4, -1, 1, 5),
		RD("read", 5, 100, false, 0), RDE("read", 5, EAGAIN),    /* round 1 */
		EPW("epoll_wait", 4, -1, 1, 6),
		RD("read", 6, 8, false, 0), RDE("read", 6, EAGAIN),      /* round 2 */
	};
	struct attach_cls_proc p;
	struct attach_cls a, w;
	int last;

	(void)state;
	run(&p, &a, acceptor, N(acceptor), &last);
	attach_cls_init(&w);
	feed(&p, &w, worker, N(worker), &last);
	assert_string_equal(w.model, "epoll-et");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_blocking_echo),
		cmocka_unit_test(test_classify_blocking_fast_client),
		cmocka_unit_test(test_classify_thread_per_conn),
		cmocka_unit_test(test_classify_select_chat),
		cmocka_unit_test(test_classify_poll),
		cmocka_unit_test(test_classify_selectors_epoll),
		cmocka_unit_test(test_classify_nonblocking_loop),
		cmocka_unit_test(test_classify_eagain_once_is_not_polling),
		cmocka_unit_test(test_classify_asyncio),
		cmocka_unit_test(test_classify_sigio),
		cmocka_unit_test(test_classify_uring),
		cmocka_unit_test(test_classify_posix_aio),
		cmocka_unit_test(test_classify_epoll_et),
		cmocka_unit_test(test_classify_et_across_threads),
		cmocka_unit_test(test_classify_libraries),
		cmocka_unit_test(test_classify_drains_are_not_polling),
		cmocka_unit_test(test_classify_one_round_is_not_enough),
		cmocka_unit_test(test_classify_contrary_needs_repeats),
		cmocka_unit_test(test_classify_non_io_is_never_evidence),
		cmocka_unit_test(test_classify_blocking_then_epoll),
		cmocka_unit_test(test_classify_rules_list_every_model),
		cmocka_unit_test(test_classify_evidence_fits),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("classify", tests, NULL, NULL);
}
