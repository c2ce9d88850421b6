/* classify.c: which IO model a traced thread uses: the rules.
 *
 * Each observation is offered to the rules (the table below) in order; the
 * first whose match function takes it as one round of its evidence counts
 * it, and writes the evidence in both languages.  Then the thread's memory
 * takes in what the observation was (the fds a wait returned, an EAGAIN
 * try, an EPOLLET registration), for the rounds that follow.
 *
 * A round is one whole pattern, never one call: a wait that returned an fd
 * and the read of that fd; a read of a blocking fd with no wait before it;
 * an EAGAIN try of an fd tried already since the last wait.  A thread gets its first model at the
 * second round of one rule (CLS_FIRST: one round could be start-up, or a
 * library's one-off).  A thread that has a model changes it only after
 * CLS_CHANGE rounds of another rule with no round of its own model between
 * (each round of its own model is contrary evidence and clears the
 * others): a server that blocks once in a write-then-read handshake and
 * then serves through epoll stays epoll.  Learning that the process maps
 * an event-loop library refines epoll into the library's name at
 * CLS_FIRST: that is the same evidence named better, not a change.
 *
 * The thread's memory lives in struct attach_cls's private fields:
 * score[0..SL_N) are the rules' scores, score[SL_N..16) hold struct
 * cls_mem (copied in and out, no aliasing), pending_kind / pending_fd the
 * notice a read may follow (a wait's ready fds, a SIGIO, a pread64 that
 * failed with ESPIPE), last_rule the rule that gave the model.  Sets of
 * fds in cls_mem are 32-bit filters (fd % 32): two fds 32 apart share a
 * bit, which can make a read of the one count for the other; a round is
 * still a wait and a read, and one round never decides alone.  An EAGAIN
 * on an fd that a wait or a signal told of is draining, never a polling
 * try, so a server of many clients is not mistaken for a polling loop.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "attach/classify.h"
#include "models/model.h"
#include "trace/trace.h"

#define CLS_FIRST  2          /* rounds of one rule for a first model */
#define CLS_CHANGE 3          /* rounds in a row, none of the model's own
                                 between, to change a model */
#define CLS_SCORE_MAX 1000    /* scores stop there: no overflow */
#define CLS_EPOLLET (1u << 31)   /* EPOLLET, as <sys/epoll.h> has it */
#define CLS_WHY 200           /* sizeof why_en, why_zh */

/* Score slots: one per model (the posix-aio helper and caller rules
 * share one, and so do the three libraries: a process maps one). */
enum {
	SL_BLOCKING, SL_NONBLOCKING, SL_SELECT, SL_POLL, SL_EPOLL, SL_EPOLL_ET,
	SL_SIGIO, SL_URING, SL_AIO, SL_LIB, SL_N
};

/* What a thread remembers between observations. */
struct cls_mem {
	uint32_t ready;       /* fds the last wait returned (filter), while
	                         pending_kind names that wait */
	uint32_t tried;       /* fds whose read or accept returned EAGAIN
	                         since the last wait (filter) */
	uint32_t et;          /* fds epoll_ctl registered with EPOLLET */
	uint32_t nb;          /* fds known non-blocking: made so here
	                         (fcntl, ioctl, SOCK_NONBLOCK), or an EAGAIN */
	uint16_t bytes;       /* read from the ready fds since that wait
	                         (BYTES_MAX: at least that) */
	uint16_t tries;       /* EAGAIN tries since the last wait */
	uint16_t arg;         /* select/poll: fds handed in; SIGIO: the
	                         signal's number */
	int16_t ring;         /* io_uring_setup's fd, or -1 */
};
#define BYTES_MAX UINT16_MAX

#define CLS_SCORES ((int)(sizeof ((struct attach_cls *)0)->score / sizeof(int)))
_Static_assert(sizeof(struct cls_mem) <= sizeof(int) * (16 - SL_N),
	       "the thread's memory fits in score[] after the rules' slots");
_Static_assert(CLS_SCORES == 16, "struct attach_cls has score[16]");

/* pending_kind: 0 none, PEND_WAIT + an index of wait_sys[], or these;
 * PEND_COUNTED added once the notice gave its round (one round per wait,
 * per signal).  A counted notice still says which fds the thread was told
 * of until the next: reading those to EAGAIN is draining, not polling. */
enum { PEND_NONE = 0, PEND_WAIT = 1, PEND_AIO = 64, PEND_SIG = 65, PEND_COUNTED = 0x100 };

static const struct {
	const char *sys;
	int kind;             /* enum attach_obs_kind */
} wait_sys[] = {
	{ "select", OBS_SELECT }, { "pselect6", OBS_SELECT },
	{ "poll", OBS_POLL }, { "ppoll", OBS_POLL },
	{ "epoll_wait", OBS_EPOLL_WAIT }, { "epoll_pwait", OBS_EPOLL_WAIT },
	{ "epoll_pwait2", OBS_EPOLL_WAIT },
};
#define WAIT_SYS_N ((int)(sizeof wait_sys / sizeof wait_sys[0]))

/* One feed's working state. */
struct cls_x {
	struct attach_cls_proc *p;
	struct attach_cls *c;
	const struct attach_obs *o;
	struct cls_mem m;
	char en[256], zh[256];
};

struct cls_rule {
	struct attach_rule_info info;
	int slot;
	unsigned caps;        /* 0: ioscope's own model's (model_find) */
	bool (*match)(const struct cls_rule *r, struct cls_x *x);
};

/* ---- small facts about an observation */

static uint32_t fbit(int fd)
{
	return fd >= 0 ? 1u << (fd & 31) : 0;
}

static bool in_set(uint32_t set, int fd)
{
	return (set & fbit(fd)) != 0;
}

/* A read or an accept of a socket, pipe or tty. */
static bool io_read(const struct attach_obs *o)
{
	return (o->kind == OBS_READ || o->kind == OBS_ACCEPT) && o->fd_io && o->fd >= 0;
}

static bool eagain(const struct attach_obs *o)
{
	return o->err == EAGAIN || o->err == EWOULDBLOCK;
}

static const char *sys_of(const struct attach_obs *o)
{
	if (o->sys != NULL && o->sys[0] != '\0')
		return o->sys;
	switch (o->kind) {
	case OBS_ACCEPT: return "accept";
	case OBS_SELECT: return "select";
	case OBS_POLL: return "poll";
	case OBS_EPOLL_WAIT: return "epoll_wait";
	case OBS_URING_ENTER: return "io_uring_enter";
	case OBS_FUTEX_WAIT: return "futex";
	default: return "read";
	}
}

static int wait_index(const struct attach_obs *o)
{
	const char *s = sys_of(o);

	for (int i = 0; i < WAIT_SYS_N; i++)
		if (wait_sys[i].kind == o->kind && strcmp(wait_sys[i].sys, s) == 0)
			return i;
	for (int i = 0; i < WAIT_SYS_N; i++)
		if (wait_sys[i].kind == o->kind)
			return i;
	return 0;
}

/* The wait the thread's pending ready fds came from, or -1. */
static int pending_wait(const struct attach_cls *c)
{
	int i = (c->pending_kind & ~PEND_COUNTED) - PEND_WAIT;

	return i >= 0 && i < WAIT_SYS_N ? i : -1;
}

/* The read is of an fd that a wait of kind just returned, and got data
 * (or a connection, or the end of the file). */
static bool ready_read(const struct cls_x *x, int kind)
{
	int w = pending_wait(x->c);

	return w >= 0 && wait_sys[w].kind == kind && !(x->c->pending_kind & PEND_COUNTED) &&
	       io_read(x->o) &&
	       in_set(x->m.ready, x->o->fd) && x->o->err == 0 && x->o->ret >= 0;
}

static bool async_fd(const struct attach_cls_proc *p, int fd)
{
	const int bits = (int)(8 * sizeof p->async_fds[0]);

	return fd >= 0 && fd < 16 * bits &&
	       (p->async_fds[fd / bits] >> (fd % bits) & 1) != 0;
}

/* A process's set of fds (< 1024): what one thread did to an fd holds for
 * the others (an acceptor registers with EPOLLET, a worker drains). */
static bool proc_has(const unsigned long *set, int fd)
{
	const int bits = (int)(8 * sizeof set[0]);

	return fd >= 0 && fd < 16 * bits && (set[fd / bits] >> (fd % bits) & 1) != 0;
}

static void proc_put(unsigned long *set, int fd, bool on)
{
	const int bits = (int)(8 * sizeof set[0]);

	if (fd < 0 || fd >= 16 * bits)
		return;
	if (on)
		set[fd / bits] |= 1ul << (fd % bits);
	else
		set[fd / bits] &= ~(1ul << (fd % bits));
}

/* ---- the words */

static void say(char *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(char *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b, 256, fmt, ap);
	va_end(ap);
}

static void dur(char *b, size_t n, int64_t ns, bool zh)
{
	if (ns < 0)
		ns = 0;
	if (ns >= 1000000000)
		snprintf(b, n, zh ? "%.1f 秒" : "%.1f s", (double)ns / 1e9);
	else if (ns >= 10000000)
		snprintf(b, n, zh ? "%.0f 毫秒" : "%.0f ms", (double)ns / 1e6);
	else if (ns >= 1000000)
		snprintf(b, n, zh ? "%.1f 毫秒" : "%.1f ms", (double)ns / 1e6);
	else
		snprintf(b, n, zh ? "%lld 微秒" : "%lld µs", (long long)(ns / 1000));
}

/* What a read or accept that returned did: "read 8 bytes". */
static void got(char *en, char *zh, size_t n, const struct attach_obs *o)
{
	if (o->kind == OBS_ACCEPT) {
		snprintf(en, n, "took a new connection, fd %lld", (long long)o->ret);
		snprintf(zh, n, "接受了新连接 fd %lld", (long long)o->ret);
	} else if (o->ret == 0) {
		snprintf(en, n, "saw the end of the stream");
		snprintf(zh, n, "读到了流的结尾");
	} else {
		snprintf(en, n, "read %lld byte%s", (long long)o->ret, o->ret == 1 ? "" : "s");
		snprintf(zh, n, "读到 %lld 字节", (long long)o->ret);
	}
}

/* "epoll_wait returned fd 5, then recvfrom(5) read 8 bytes", and the
 * select/poll form with the fds handed in. */
static void say_round(struct cls_x *x, const char *model)
{
	const struct attach_obs *o = x->o;
	const char *w = wait_sys[pending_wait(x->c)].sys;
	char ge[64], gz[64], over_en[32] = "", over_zh[48] = "";

	got(ge, gz, sizeof ge, o);
	if (x->m.arg > 0 && wait_sys[pending_wait(x->c)].kind != OBS_EPOLL_WAIT) {
		snprintf(over_en, sizeof over_en, " over %u fd%s", x->m.arg, x->m.arg == 1 ? "" : "s");
		snprintf(over_zh, sizeof over_zh, " 监视 %u 个 fd，", x->m.arg);
	}
	say(x->en, "%s: %s%s returned fd %d, then %s(%d) %s",
	    model, w, over_en, o->fd, sys_of(o), o->fd, ge);
	say(x->zh, "%s：%s%s%s返回了 fd %d，随后 %s(%d) %s",
	    model, w, over_zh, over_zh[0] ? "" : " ", o->fd, sys_of(o), o->fd, gz);
}

/* ---- the rules' match functions: true when x->o is one round of the
 * rule's evidence; they write the evidence into x->en / x->zh. */

/* glibc's aio helper (sysdeps/pthread/aio_misc.c): it tries pread64 and,
 * on ESPIPE (a socket cannot seek), falls back to read(2), in which it
 * sleeps until data comes.  No program does that pair by itself. */
static bool m_aio_helper(const struct cls_rule *r, struct cls_x *x)
{
	const struct attach_obs *o = x->o;
	char ge[64], gz[64], de[32] = "", dz[48] = "";

	if (o->kind != OBS_READ || !io_read(o) || x->c->pending_kind != PEND_AIO ||
	    o->fd != x->c->pending_fd || o->err != 0)
		return false;
	if (!x->c->aio_helper) {
		x->c->aio_helper = true;
		x->p->aio_helpers++;
	}
	got(ge, gz, sizeof ge, o);
	if (o->blocked && o->dur_ns > 0) {
		dur(de, sizeof de, o->dur_ns, false);
		dur(dz, sizeof dz, o->dur_ns, true);
	}
	say(x->en, "%s: pread64(%d) failed with ESPIPE, then %s(%d) %s%s%s%s: "
	    "glibc's aio helper thread", r->info.model, o->fd, sys_of(o), o->fd,
	    de[0] ? "slept " : "", de, de[0] ? " and " : "", ge);
	say(x->zh, "%s：pread64(%d) 返回 ESPIPE，随后 %s(%d) %s%s%s%s：这是 glibc 的 aio 助手线程",
	    r->info.model, o->fd, sys_of(o), o->fd, dz[0] ? "睡了 " : "", dz,
	    dz[0] ? "，" : "", gz);
	return true;
}

/* The thread that asked: aio_suspend sleeps in futex while helpers of its
 * process do its reads.  A wait that returned 0 slept, however briefly
 * (a fast client's data is there before the caller asks); one that failed
 * (EAGAIN: the word had changed) did not wait. */
static bool m_aio_caller(const struct cls_rule *r, struct cls_x *x)
{
	const struct attach_obs *o = x->o;

	if (o->kind != OBS_FUTEX_WAIT || (!o->blocked && (o->err != 0 || o->ret != 0)) ||
	    x->c->aio_helper || x->p->aio_helpers <= 0)
		return false;
	say(x->en, "%s: it waits in futex (aio_suspend) while %d glibc aio helper "
	    "thread%s read%s for it", r->info.model, x->p->aio_helpers,
	    x->p->aio_helpers == 1 ? "" : "s", x->p->aio_helpers == 1 ? "s" : "");
	say(x->zh, "%s：它在 futex 里等待（aio_suspend），同时有 %d 个 glibc aio 助手线程替它读",
	    r->info.model, x->p->aio_helpers);
	return true;
}

/* A wait, a signal or a failed pread64 told the thread of this fd: what
 * it reads now is an answer to that, not a read that takes its chances. */
static bool told_of(const struct cls_x *x, int fd)
{
	int base = x->c->pending_kind & ~PEND_COUNTED;

	return (pending_wait(x->c) >= 0 && in_set(x->m.ready, fd)) ||
	       (base == PEND_SIG && async_fd(x->p, fd)) ||
	       (base == PEND_AIO && x->c->pending_fd == fd);
}

/* "slept 2.0 s until data came" */
static void say_slept(struct cls_x *x, const char *model)
{
	const struct attach_obs *o = x->o;
	char de[32] = "", dz[48] = "", te[64], tz[64];

	if (o->dur_ns > 0) {
		dur(de, sizeof de, o->dur_ns, false);
		dur(dz, sizeof dz, o->dur_ns, true);
	}
	if (eagain(o)) {
		snprintf(te, sizeof te, "until its timeout (EAGAIN)");
		snprintf(tz, sizeof tz, "直到超时（EAGAIN）");
	} else if (o->kind == OBS_ACCEPT) {
		snprintf(te, sizeof te, "until a client connected (fd %lld)", (long long)o->ret);
		snprintf(tz, sizeof tz, "直到有客户端连上（fd %lld）", (long long)o->ret);
	} else if (o->ret == 0) {
		snprintf(te, sizeof te, "until the other end closed");
		snprintf(tz, sizeof tz, "直到对端关闭");
	} else {
		snprintf(te, sizeof te, "until data came");
		snprintf(tz, sizeof tz, "直到数据到来");
	}
	say(x->en, "%s: %s(%d) slept%s%s %s", model, sys_of(o), o->fd,
	    de[0] ? " " : "", de, te);
	say(x->zh, "%s：%s(%d) 在内核里睡了%s%s，%s", model, sys_of(o), o->fd,
	    dz[0] ? " " : "", dz, tz);
}

/* A read or accept of a blocking fd with nothing telling the thread it
 * would not block: either it slept in the kernel (a non-blocking fd never
 * sleeps there), or it returned at once on an fd never made non-blocking,
 * with no wait before it.  The second counts too because a fast client
 * leaves a blocking server's reads no time to sleep (measured: a
 * thread-per-connection echo server's recvfrom returns in 10-70 us under
 * a client that answers at once), yet the server still takes its chances
 * in each read. */
static bool m_blocking(const struct cls_rule *r, struct cls_x *x)
{
	const struct attach_obs *o = x->o;
	char ge[64], gz[64];

	if (!io_read(o) || x->c->aio_helper || told_of(x, o->fd))
		return false;
	if (o->blocked) {
		if (o->err != 0 && !eagain(o))
			return false;
		say_slept(x, r->info.model);
		return true;
	}
	if (o->err != 0 || o->ret < 0 || in_set(x->m.nb, o->fd) || proc_has(x->p->nb_fds, o->fd))
		return false;
	got(ge, gz, sizeof ge, o);
	say(x->en, "%s: %s(%d) %s on a blocking fd, with no wait for readiness before it",
	    r->info.model, sys_of(o), o->fd, ge);
	say(x->zh, "%s：%s(%d) 没有先等待就绪，直接在阻塞的 fd 上%s", r->info.model,
	    sys_of(o), o->fd, gz);
	return true;
}

/* An EAGAIN try of an fd already tried since the last wait: the thread
 * asks again and again instead of waiting.  One EAGAIN is not polling (a
 * start-up try, or an edge-triggered reader's last read). */
/* The words for how an fd was made non-blocking, by the call's name. */
static const char *nb_how(const char *sys)
{
	if (sys == NULL)
		return NULL;
	if (strcmp(sys, "ioctl") == 0)
		return "ioctl(FIONBIO)";
	if (strcmp(sys, "fcntl") == 0)
		return "fcntl(O_NONBLOCK)";
	return "SOCK_NONBLOCK";
}

static bool m_nonblocking(const struct cls_rule *r, struct cls_x *x)
{
	const struct attach_obs *o = x->o;
	unsigned tries = (unsigned)x->m.tries + 1;

	if (!io_read(o) || !eagain(o) || o->blocked || !in_set(x->m.tried, o->fd))
		return false;
	/* Draining what a wait or a signal told of: fds 32 apart share a
	 * bit of tried, and a server of many clients must not look like it
	 * polls. */
	if ((pending_wait(x->c) >= 0 && in_set(x->m.ready, o->fd)) ||
	    ((x->c->pending_kind & ~PEND_COUNTED) == PEND_SIG && async_fd(x->p, o->fd)))
		return false;
	if (x->c->nb_how != NULL && in_set(x->m.nb, o->fd)) {
		say(x->en, "%s: fd %d made non-blocking (%s); %s(%d) returned EAGAIN "
		    "again, %u tries with no wait between them: it polls", r->info.model,
		    o->fd, x->c->nb_how, sys_of(o), o->fd, tries);
		say(x->zh, "%s：fd %d 已设为非阻塞（%s）；%s(%d) 又返回 EAGAIN，中间没有"
		    "任何等待，已试 %u 次：它在轮询", r->info.model, o->fd,
		    x->c->nb_how, sys_of(o), o->fd, tries);
		return true;
	}
	say(x->en, "%s: %s(%d) returned EAGAIN again, %u tries with no wait "
	    "between them: it polls", r->info.model, sys_of(o), o->fd, tries);
	say(x->zh, "%s：%s(%d) 又返回 EAGAIN，中间没有任何等待，已试 %u 次：它在轮询",
	    r->info.model, sys_of(o), o->fd, tries);
	return true;
}

static bool m_select(const struct cls_rule *r, struct cls_x *x)
{
	if (!ready_read(x, OBS_SELECT))
		return false;
	say_round(x, r->info.model);
	return true;
}

static bool m_poll(const struct cls_rule *r, struct cls_x *x)
{
	if (!ready_read(x, OBS_POLL))
		return false;
	say_round(x, r->info.model);
	return true;
}

/* Level-triggered: a read of an fd not registered with EPOLLET here.  An
 * accept says nothing of the trigger mode (edge-triggered servers often
 * keep their listener level-triggered), so only reads are rounds. */
static bool m_epoll(const struct cls_rule *r, struct cls_x *x)
{
	if (x->p->lib != NULL || x->o->kind != OBS_READ ||
	    !ready_read(x, OBS_EPOLL_WAIT) || in_set(x->m.et, x->o->fd) ||
	    proc_has(x->p->et_fds, x->o->fd))
		return false;
	say_round(x, r->info.model);
	return true;
}

/* Edge-triggered: an fd registered with EPOLLET, returned by the wait,
 * read (or accepted from) until EAGAIN, or to the end of the stream: the
 * round ends there, since an edge is reported once. */
static bool m_epoll_et(const struct cls_rule *r, struct cls_x *x)
{
	const struct attach_obs *o = x->o;
	int w = pending_wait(x->c);
	const char *end_en, *end_zh;
	char n[16];

	if (x->p->lib != NULL || w < 0 || wait_sys[w].kind != OBS_EPOLL_WAIT ||
	    (x->c->pending_kind & PEND_COUNTED) || !io_read(o) || o->blocked ||
	    !in_set(x->m.ready, o->fd) ||
	    !(in_set(x->m.et, o->fd) || proc_has(x->p->et_fds, o->fd)))
		return false;
	if (eagain(o)) {
		end_en = "EAGAIN";
		end_zh = " EAGAIN";
	} else if (o->kind == OBS_READ && o->err == 0 && o->ret == 0) {
		end_en = "the end of the stream";
		end_zh = "流的结尾";
	} else {
		return false;
	}
	snprintf(n, sizeof n, "%u%s", x->m.bytes, x->m.bytes == BYTES_MAX ? "+" : "");
	say(x->en, "%s: fd %d is registered with EPOLLET; %s returned it, then "
	    "%s(%d) drained it to %s (%s bytes)", r->info.model, o->fd,
	    wait_sys[w].sys, sys_of(o), o->fd, end_en, n);
	say(x->zh, "%s：fd %d 以 EPOLLET 注册；%s 返回它后，%s(%d) 一直读到%s，共读到 %s 字节",
	    r->info.model, o->fd, wait_sys[w].sys, sys_of(o), o->fd, end_zh, n);
	return true;
}

/* A signal for an fd made signal-driven (O_ASYNC, F_SETOWN, F_SETSIG),
 * then a read of it. */
static bool m_sigio(const struct cls_rule *r, struct cls_x *x)
{
	const struct attach_obs *o = x->o;
	char ge[64], gz[64], se[32], sz[32];

	if (x->c->pending_kind != PEND_SIG || o->kind != OBS_READ || !io_read(o) ||
	    !async_fd(x->p, o->fd) || o->err != 0 || o->ret < 0 ||
	    (x->c->pending_fd >= 0 && x->c->pending_fd != o->fd))
		return false;
	got(ge, gz, sizeof ge, o);
	if (x->m.arg == SIGIO) {
		snprintf(se, sizeof se, "SIGIO");
		snprintf(sz, sizeof sz, "SIGIO");
	} else {
		snprintf(se, sizeof se, "signal %u", x->m.arg);
		snprintf(sz, sizeof sz, "信号 %u", x->m.arg);
	}
	say(x->en, "%s: fd %d is signal-driven (O_ASYNC); %s came, then %s(%d) %s",
	    r->info.model, o->fd, se, sys_of(o), o->fd, ge);
	say(x->zh, "%s：fd %d 是信号驱动的（O_ASYNC）；%s 到达后，%s(%d) %s",
	    r->info.model, o->fd, sz, sys_of(o), o->fd, gz);
	return true;
}

/* io_uring_enter that slept waiting for completions.  Submitting alone
 * is no round: libuv submits its epoll_ctl calls through a ring and waits
 * in epoll_pwait.  A read call that brings data clears this rule's score
 * (the data did not come through the ring): observe(). */
static bool m_uring(const struct cls_rule *r, struct cls_x *x)
{
	const struct attach_obs *o = x->o;
	char re[48] = "", rz[64] = "", ne[32] = "", nz[48] = "", de[32] = "", dz[48] = "";

	if (o->kind != OBS_URING_ENTER || !o->blocked)
		return false;
	if (x->m.ring >= 0 && x->m.ring == o->fd) {
		snprintf(re, sizeof re, "io_uring_setup made ring fd %d; ", o->fd);
		snprintf(rz, sizeof rz, "io_uring_setup 建立了环 fd %d；", o->fd);
	}
	if (o->n > 0) {
		snprintf(ne, sizeof ne, " submitted %d", o->n);
		snprintf(nz, sizeof nz, "提交了 %d 个请求", o->n);
	}
	dur(de, sizeof de, o->dur_ns, false);
	dur(dz, sizeof dz, o->dur_ns, true);
	say(x->en, "%s: %s%s(%d)%s%s%s%s; no read call carries the data",
	    r->info.model, re, sys_of(o), o->fd, ne, ne[0] && de[0] ? " and" : "",
	    de[0] ? " slept " : "", de);
	say(x->zh, "%s：%s%s(%d) %s%s%s%s；数据不经过 read 调用",
	    r->info.model, rz, sys_of(o), o->fd, nz, nz[0] && dz[0] ? "，" : "",
	    dz[0] ? "睡了 " : "", dz);
	return true;
}

/* An event-loop library mapped in the process, and an epoll round in the
 * thread: the library's loop is what waits. */
static bool m_lib(const struct cls_rule *r, struct cls_x *x)
{
	char ge[64], gz[64];
	const struct attach_obs *o = x->o;
	const char *w;

	if (x->p->lib == NULL || strcmp(x->p->lib, r->info.model) != 0 ||
	    !ready_read(x, OBS_EPOLL_WAIT))
		return false;
	w = wait_sys[pending_wait(x->c)].sys;
	got(ge, gz, sizeof ge, o);
	say(x->en, "%s: the process maps %s; %s returned fd %d, then %s(%d) %s",
	    r->info.model, x->p->lib, w, o->fd, sys_of(o), o->fd, ge);
	say(x->zh, "%s：进程映射了 %s；%s 返回了 fd %d，随后 %s(%d) %s",
	    r->info.model, x->p->lib, w, o->fd, sys_of(o), o->fd, gz);
	return true;
}

#define CAPS_LOOP_LIB (TRACE_CAP_LOOP | TRACE_CAP_INTEREST | TRACE_CAP_SERVES)

/* In order: the first that matches takes the observation.  The aio
 * helper comes before blocking (its read sleeps too); the libraries come
 * before epoll (epoll's rules step aside when the process maps one). */
static const struct cls_rule rules[] = {
	{ { "posix-aio-helper", "posix-aio",
	    "pread64 on a socket fails with ESPIPE, then read(2) of it: glibc's aio helper thread" },
	  SL_AIO, 0, m_aio_helper },
	{ { "posix-aio-caller", "posix-aio",
	    "sleeps in futex (aio_suspend) while its process has aio helper threads" },
	  SL_AIO, 0, m_aio_caller },
	{ { "libuv", "libuv",
	    "libuv mapped in the process, and epoll waits whose ready fds the thread reads" },
	  SL_LIB, 0, m_lib },
	{ { "libevent", "libevent",
	    "libevent mapped in the process, and epoll waits whose ready fds the thread reads" },
	  SL_LIB, CAPS_LOOP_LIB, m_lib },
	{ { "libev", "libev",
	    "libev mapped in the process, and epoll waits whose ready fds the thread reads" },
	  SL_LIB, CAPS_LOOP_LIB, m_lib },
	{ { "blocking", "blocking",
	    "a read or accept of a socket, pipe or tty that slept in the kernel, or of one never "
	    "made non-blocking with no wait before it" },
	  SL_BLOCKING, 0, m_blocking },
	{ { "nonblocking", "nonblocking",
	    "reads or accepts returning EAGAIN again and again, with no wait between" },
	  SL_NONBLOCKING, 0, m_nonblocking },
	{ { "select", "select",
	    "select/pselect6 returns fds, then the thread reads one of them" },
	  SL_SELECT, 0, m_select },
	{ { "poll", "poll",
	    "poll/ppoll returns fds, then the thread reads one of them" },
	  SL_POLL, 0, m_poll },
	{ { "epoll-et", "epoll-et",
	    "fds registered with EPOLLET; epoll_wait returns one, the thread reads it until EAGAIN" },
	  SL_EPOLL_ET, 0, m_epoll_et },
	{ { "epoll", "epoll",
	    "epoll_wait/epoll_pwait returns fds (level-triggered), then the thread reads one" },
	  SL_EPOLL, 0, m_epoll },
	{ { "sigio", "sigio",
	    "an fd made O_ASYNC (F_SETOWN), a SIGIO or F_SETSIG signal, then a read of it" },
	  SL_SIGIO, 0, m_sigio },
	{ { "uring", "uring",
	    "io_uring_setup, then io_uring_enter sleeps for completions, with no read calls for the data" },
	  SL_URING, 0, m_uring },
};
#define RULES_N ((int)(sizeof rules / sizeof rules[0]))

static struct attach_rule_info rule_info[RULES_N];
static pthread_once_t rule_info_once = PTHREAD_ONCE_INIT;

/* ---- memory */

static void mem_load(const struct attach_cls *c, struct cls_mem *m)
{
	memcpy(m, &c->score[SL_N], sizeof *m);
}

static void mem_store(struct attach_cls *c, const struct cls_mem *m)
{
	memcpy(&c->score[SL_N], m, sizeof *m);
}

static void clear_pending(struct cls_x *x)
{
	x->c->pending_kind = PEND_NONE;
	x->c->pending_fd = -1;
	x->m.ready = 0;
}

/* A wait, or a signal for an IO fd: the thread stopped trying. */
static void waited(struct cls_x *x)
{
	x->m.tried = 0;
	x->m.tries = 0;
}

static void observe_read(struct cls_x *x)
{
	const struct attach_obs *o = x->o;

	if (!io_read(o))
		return;
	if (eagain(o) && !o->blocked) {
		x->m.nb |= fbit(o->fd);      /* only a non-blocking fd says so */
		proc_put(x->p->nb_fds, o->fd, true);
		x->m.tried |= fbit(o->fd);
		if (x->m.tries < UINT16_MAX)
			x->m.tries++;
	}
	if (o->kind == OBS_READ && o->err == 0 && o->ret > 0) {
		x->c->score[SL_URING] = 0;
		if (pending_wait(x->c) >= 0 && in_set(x->m.ready, o->fd) &&
		    x->m.bytes < BYTES_MAX)
			x->m.bytes = (uint16_t)(o->ret < BYTES_MAX - x->m.bytes ?
						x->m.bytes + o->ret : BYTES_MAX);
	}
	if (o->kind == OBS_ACCEPT && o->err == 0 && o->ret >= 0 && o->ret <= INT32_MAX) {
		if (o->nonblock)
			x->m.nb |= fbit((int)o->ret);
		else
			x->m.nb &= ~fbit((int)o->ret);
		proc_put(x->p->nb_fds, (int)o->ret, o->nonblock);   /* a new fd */
	}
	if (x->c->pending_kind == PEND_AIO)
		clear_pending(x);
	if (o->kind == OBS_READ && o->err == ESPIPE && o->sys != NULL &&
	    strcmp(o->sys, "pread64") == 0) {
		x->c->pending_kind = PEND_AIO;
		x->c->pending_fd = o->fd;
	}
}

static void observe_wait(struct cls_x *x)
{
	const struct attach_obs *o = x->o;
	int nfds = o->nfds < ATTACH_OBS_FDS ? o->nfds : ATTACH_OBS_FDS;
	uint32_t ready = 0;

	waited(x);
	/* A wait that returned nothing (asyncio's epoll_wait with timeout
	 * 0, EINTR) leaves an earlier one's ready fds to be read. */
	if (o->ret <= 0 || nfds <= 0)
		return;
	for (int i = 0; i < nfds; i++)
		ready |= fbit(o->fds[i]);
	/* More were ready than follow could hand over (ATTACH_OBS_FDS):
	 * the reads that follow may be of any of them. */
	if (o->ret > nfds)
		ready = UINT32_MAX;
	if (ready == 0)
		return;
	x->c->pending_kind = PEND_WAIT + wait_index(o);
	x->c->pending_fd = o->fds[0];
	x->m.ready = ready;
	x->m.bytes = 0;
	x->m.arg = o->n > 0 && o->n <= UINT16_MAX ? (uint16_t)o->n : 0;
}

static void observe(struct cls_x *x)
{
	const struct attach_obs *o = x->o;
	const int bits = (int)(8 * sizeof x->p->async_fds[0]);

	switch (o->kind) {
	case OBS_READ:
	case OBS_ACCEPT:
		observe_read(x);
		break;
	case OBS_SELECT:
	case OBS_POLL:
	case OBS_EPOLL_WAIT:
		observe_wait(x);
		break;
	case OBS_EPOLL_CTL:
		if (!o->fd_io || o->fd < 0)
			break;
		if ((o->op == 1 || o->op == 3) && (o->events & CLS_EPOLLET))
			x->m.et |= fbit(o->fd);
		else if (o->op >= 1 && o->op <= 3)
			x->m.et &= ~fbit(o->fd);
		if (o->op >= 1 && o->op <= 3)
			proc_put(x->p->et_fds, o->fd, (o->op == 1 || o->op == 3) && (o->events & CLS_EPOLLET));
		break;
	case OBS_NONBLOCK:
		if (!o->fd_io || o->fd < 0)
			break;
		if (o->nonblock) {
			x->m.nb |= fbit(o->fd);
			x->c->nb_how = nb_how(o->sys);
			x->c->nb_fd = o->fd;
		} else {
			x->m.nb &= ~fbit(o->fd);
		}
		proc_put(x->p->nb_fds, o->fd, o->nonblock);
		break;
	case OBS_ASYNC:
		if (o->fd_io && o->fd >= 0 && o->fd < 16 * bits)
			x->p->async_fds[o->fd / bits] |= 1ul << (o->fd % bits);
		break;
	case OBS_SIGNAL:
		if (o->sig != SIGIO && !async_fd(x->p, o->fd))
			break;
		waited(x);
		x->c->pending_kind = PEND_SIG;
		x->c->pending_fd = o->fd;
		x->m.arg = o->sig > 0 && o->sig <= UINT16_MAX ? (uint16_t)o->sig : 0;
		break;
	case OBS_URING_SETUP:
		x->m.ring = o->ret >= 0 && o->ret <= INT16_MAX ? (int16_t)o->ret : -1;
		break;
	case OBS_LIB:
		if (o->lib == NULL)
			break;
		for (int i = 0; i < RULES_N; i++)
			if (rules[i].slot == SL_LIB && strcmp(rules[i].info.model, o->lib) == 0)
				x->p->lib = rules[i].info.model;
		break;
	default:
		break;
	}
}

/* ---- deciding */

static unsigned caps_of(const struct cls_rule *r)
{
	const struct model_ops *m;

	if (r->caps != 0)
		return r->caps;
	m = model_find(r->info.model);
	return m != NULL ? m->caps : 0;
}

/* Copy s into a why_ buffer, cut at a character's start when too long. */
static void set_why(char *dst, const char *s)
{
	size_t n = strlen(s);

	if (n > CLS_WHY - 1) {
		n = CLS_WHY - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static bool refines(int cur, int r)
{
	return rules[r].slot == SL_LIB &&
	       (rules[cur].slot == SL_EPOLL || rules[cur].slot == SL_EPOLL_ET);
}

/* One round of rule r: confirm the model, or count towards a change. */
static bool decide(struct cls_x *x, int r)
{
	struct attach_cls *c = x->c;
	int cur = c->last_rule, slot = rules[r].slot, need;

	if (cur >= 0 && cur < RULES_N && rules[cur].slot == slot) {
		/* Evidence for the model it has: against every change. */
		for (int i = 0; i < SL_N; i++)
			c->score[i] = 0;
		return false;
	}
	if (c->score[slot] < CLS_SCORE_MAX)
		c->score[slot]++;
	need = cur < 0 || cur >= RULES_N || refines(cur, r) ? CLS_FIRST : CLS_CHANGE;
	if (c->score[slot] < need)
		return false;
	c->model = rules[r].info.model;
	c->caps = caps_of(&rules[r]);
	c->last_rule = r;
	set_why(c->why_en, x->en);
	set_why(c->why_zh, x->zh);
	for (int i = 0; i < SL_N; i++)
		c->score[i] = 0;
	return true;
}

/* The rules whose round is a notice (a wait's ready fds, a signal) and a
 * read it told of. */
static bool uses_notice(int slot)
{
	return slot == SL_SELECT || slot == SL_POLL || slot == SL_EPOLL ||
	       slot == SL_EPOLL_ET || slot == SL_SIGIO || slot == SL_LIB;
}

/* ---- the interface */

void attach_cls_init(struct attach_cls *c)
{
	struct cls_mem m = { .ring = -1 };

	memset(c, 0, sizeof *c);
	c->model = "";
	c->last_rule = -1;
	c->pending_fd = -1;
	mem_store(c, &m);
}

void attach_cls_proc_init(struct attach_cls_proc *p)
{
	memset(p, 0, sizeof *p);
}

bool attach_cls_feed(struct attach_cls_proc *p, struct attach_cls *c,
		     const struct attach_obs *o)
{
	struct cls_x x = { .p = p, .c = c, .o = o };
	int matched = -1;
	bool changed = false;

	if (o == NULL || o->kind <= OBS_NONE || o->kind >= OBS_MAX)
		return false;
	mem_load(c, &x.m);
	for (int i = 0; i < RULES_N && matched < 0; i++)
		if (rules[i].match(&rules[i], &x))
			matched = i;
	if (matched >= 0) {
		changed = decide(&x, matched);
		/* One round per wait, per signal. */
		if (uses_notice(rules[matched].slot))
			c->pending_kind |= PEND_COUNTED;
	}
	observe(&x);
	mem_store(c, &x.m);
	return changed;
}

static void rule_info_init(void)
{
	for (int i = 0; i < RULES_N; i++)
		rule_info[i] = rules[i].info;
}

int attach_cls_rules(const struct attach_rule_info **out)
{
	pthread_once(&rule_info_once, rule_info_init);
	*out = rule_info;
	return RULES_N;
}
