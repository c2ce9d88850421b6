/* sampler.c: reads /proc for threads that are inside a traced call, and
 * runs the timer that looks; the helper threads that read on an actor's
 * behalf are found by sampler_helpers.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <uv.h>

#include "models/sampler_int.h"

#define FIRST_MS  2     /* let a thread that just entered fall asleep */
#define EVERY_MS  10
#define SLOWEST_MS 2000 /* a thread asleep for long is looked at every 2 s */

/* Names from this build's own SYS_* constants: numbers differ by arch. */
static const struct { long nr; const char *name; } sysnames[] = {
#ifdef SYS_read
	{ SYS_read, "read" },
#endif
#ifdef SYS_recvfrom
	{ SYS_recvfrom, "recvfrom" },
#endif
#ifdef SYS_pread64
	{ SYS_pread64, "pread64" },
#endif
#ifdef SYS_recvmsg
	{ SYS_recvmsg, "recvmsg" },
#endif
#ifdef SYS_select
	{ SYS_select, "select" },
#endif
#ifdef SYS_pselect6
	{ SYS_pselect6, "pselect6" },
#endif
#ifdef SYS_poll
	{ SYS_poll, "poll" },
#endif
#ifdef SYS_ppoll
	{ SYS_ppoll, "ppoll" },
#endif
#ifdef SYS_epoll_wait
	{ SYS_epoll_wait, "epoll_wait" },
#endif
#ifdef SYS_epoll_pwait
	{ SYS_epoll_pwait, "epoll_pwait" },
#endif
#ifdef SYS_io_uring_enter
	{ SYS_io_uring_enter, "io_uring_enter" },
#endif
#ifdef SYS_futex
	{ SYS_futex, "futex" },
#endif
#ifdef SYS_nanosleep
	{ SYS_nanosleep, "nanosleep" },
#endif
#ifdef SYS_clock_nanosleep
	{ SYS_clock_nanosleep, "clock_nanosleep" },
#endif
#ifdef SYS_rt_sigtimedwait
	{ SYS_rt_sigtimedwait, "rt_sigtimedwait" },
#endif
#ifdef SYS_write
	{ SYS_write, "write" },
#endif
#ifdef SYS_sendto
	{ SYS_sendto, "sendto" },
#endif
#ifdef SYS_accept
	{ SYS_accept, "accept" },
#endif
#ifdef SYS_accept4
	{ SYS_accept4, "accept4" },
#endif
};

const char *sampler_sysname(long nr, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof sysnames / sizeof sysnames[0]; i++)
		if (sysnames[i].nr == nr)
			return sysnames[i].name;
	snprintf(buf, len, "syscall %ld", nr);
	return buf;
}

/* The syscalls a traced call may reach the kernel as: glibc's select() is
 * pselect6 on x86-64, poll() is ppoll and epoll_wait() epoll_pwait on some
 * architectures.  Numbers come from this build's SYS_* constants. */
int sampler_call_matches(int call, long nr)
{
	switch (call) {
	case TRACE_CALL_RECVFROM:
		return nr == SYS_recvfrom;
	case TRACE_CALL_READ:
		return nr == SYS_read;
	case TRACE_CALL_WRITE:
		return nr == SYS_write || nr == SYS_sendto;   /* send(2) is sendto */
	case TRACE_CALL_SELECT:
#ifdef SYS_select
		if (nr == SYS_select)
			return 1;
#endif
		return nr == SYS_pselect6;
	case TRACE_CALL_POLL:
#ifdef SYS_poll
		if (nr == SYS_poll)
			return 1;
#endif
		return nr == SYS_ppoll;
	case TRACE_CALL_EPOLL_WAIT:
#ifdef SYS_epoll_wait
		if (nr == SYS_epoll_wait)
			return 1;
#endif
		return nr == SYS_epoll_pwait;
	case TRACE_CALL_ACCEPT:
#ifdef SYS_accept
		if (nr == SYS_accept)
			return 1;
#endif
		return nr == SYS_accept4;
	default:
		return 0;
	}
}

/* Read a small /proc file into buf (NUL-terminated); returns length or -errno. */
static ssize_t read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

int sampler__read_syscall(pid_t tid, long *sysno, long *arg0)
{
	char path[64], buf[256];
	ssize_t n;

	snprintf(path, sizeof path, "/proc/self/task/%d/syscall", (int)tid);
	if ((n = read_small(path, buf, sizeof buf)) < 0)
		return (int)n;
	*sysno = -1;
	*arg0 = 0;
	if (strncmp(buf, "running", 7) != 0 && sscanf(buf, "%ld %lx", sysno, arg0) < 1)
		return -EIO;
	return 0;
}

int sampler_read(pid_t tid, struct kstate *ks)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int rc;

	memset(ks, 0, sizeof *ks);
	snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tid);
	if ((n = read_small(path, buf, sizeof buf)) < 0)
		return (int)n;
	/* The command name may hold spaces and parentheses: skip to the last ')'. */
	p = strrchr(buf, ')');
	if (p == NULL || p[1] != ' ' || p[2] == '\0')
		return -EIO;
	ks->state = p[2];

	if ((rc = sampler__read_syscall(tid, &ks->sysno, &ks->arg0)) != 0)
		return rc;
	if (ks->sysno >= 0) {
		const char *s = sampler_sysname(ks->sysno, ks->syscall, sizeof ks->syscall);

		if (s != ks->syscall)
			snprintf(ks->syscall, sizeof ks->syscall, "%s", s);
	} else {
		snprintf(ks->syscall, sizeof ks->syscall, "running");
	}

	snprintf(path, sizeof path, "/proc/self/task/%d/wchan", (int)tid);
	if (read_small(path, ks->wchan, sizeof ks->wchan) < 0 || strcmp(ks->wchan, "0") == 0)
		ks->wchan[0] = '\0';
	return 0;
}

void sampler__emit_state(struct sampler *sp, int actor, pid_t tid,
			 const struct kstate *ks, int what)
{
	struct trace *t = sink_trace(sp->sink);
	struct trace_ev ev = {
		.kind = TRACE_STATE, .actor = (uint16_t)actor, .t_ns = sink_now(sp->sink),
		.tid = tid, .state = ks->state, .fd = (int)ks->arg0, .step = -1,
		.what = (uint8_t)what,
		.syscall = trace_intern(t, ks->syscall),
		.wchan = trace_intern(t, ks->wchan),
	};

	sink_emit(sp->sink, sp->ring, &ev);
	sp->emitted++;
}

int sampler__same(const struct kstate *a, const struct kstate *b)
{
	return a->state == b->state && a->sysno == b->sysno &&
	       strcmp(a->wchan, b->wchan) == 0;
}

static void sample_one(struct sampler *sp, struct watch *w)
{
	pid_t tid = atomic_load(w->tid);
	struct kstate ks;

	if (tid == 0 || sampler_read(tid, &ks) != 0)
		return;
	/* Only the call the trace says it is in: between the enter event and
	 * the syscall itself the thread is still in user space. */
	if (!sampler_call_matches(w->call, ks.sysno))
		return;
	if (w->have_last && sampler__same(&ks, &w->last))
		return;
	w->last = ks;
	w->have_last = 1;
	sampler__emit_state(sp, w->actor, tid, &ks, 0);
}

/* Nothing changes while a thread sleeps: look less and less often (10 ms
 * doubling to 2 s), so that a paused screen costs next to nothing; any new
 * call starts again at 10 ms. */
static void back_off(struct sampler *sp, unsigned long before)
{
	uint64_t every = EVERY_MS;

	sp->quiet = sp->emitted != before ? 0 : sp->quiet + 1;
	for (unsigned i = 0; i < sp->quiet / 4 && every < SLOWEST_MS; i++)
		every *= 2;
	uv_timer_set_repeat(&sp->timer, every < SLOWEST_MS ? every : SLOWEST_MS);
}

static void sampler_tick_cb(uv_timer_t *h)
{
	struct sampler *sp = h->data;
	int busy = 0, helpers = 0;
	unsigned long before = sp->emitted;

	for (int i = 0; i < sp->nw; i++) {
		if (sp->w[i].call != 0) {
			sample_one(sp, &sp->w[i]);
			busy = 1;
		}
		helpers |= sp->w[i].helpers && sp->w[i].nreq > 0;
	}
	if (helpers)
		sampler__scan_helpers(sp);
	if (!busy && !helpers) {
		uv_timer_stop(&sp->timer);
		sp->ticking = 0;
		return;
	}
	back_off(sp, before);
}

void sampler__start_ticking(struct sampler *sp)
{
	if (!sp->closed && (!sp->ticking || sp->quiet > 0)) {
		uv_timer_start(&sp->timer, sampler_tick_cb, FIRST_MS, EVERY_MS);
		sp->ticking = 1;
		sp->quiet = 0;
	}
}

static void sampler_listen_cb(void *arg, struct trace *t, const struct trace_ev *ev)
{
	struct sampler *sp = arg;
	int calls = ev->kind == TRACE_ENTER || ev->kind == TRACE_EXIT;
	int reqs = ev->kind == TRACE_SUBMIT || ev->kind == TRACE_COMPLETE ||
		   ev->kind == TRACE_DONE;

	(void)t;
	if (!calls && !reqs)
		return;
	for (int i = 0; i < sp->nw; i++) {
		struct watch *w = &sp->w[i];

		if (w->actor != ev->actor)
			continue;
		if (calls) {
			w->call = ev->kind == TRACE_ENTER ? ev->call : 0;
			w->have_last = 0;
		} else if (w->helpers) {
			sampler__track_request(sp, w, ev);
		}
	}
	if (ev->kind == TRACE_ENTER)
		sampler__start_ticking(sp);
}

int sampler_new(uv_loop_t *loop, struct sink *s, struct sampler **out)
{
	struct sampler *sp = calloc(1, sizeof *sp);
	int rc;

	if (sp == NULL)
		return -ENOMEM;
	sp->sink = s;
	sp->ring = sink_ring_new(s, TRACE_WORLD);
	if (sp->ring == NULL || (rc = sink_listen(s, sampler_listen_cb, sp)) != 0) {
		free(sp);
		return -ENOMEM;
	}
	uv_timer_init(loop, &sp->timer);
	sp->timer.data = sp;
	*out = sp;
	return 0;
}

int sampler_watch(struct sampler *sp, int actor, _Atomic pid_t *tid)
{
	if (sp->nw == TRACE_MAX_ACTORS)
		return -ENOSPC;
	sp->w[sp->nw++] = (struct watch){ .actor = actor, .tid = tid };
	return 0;
}

void sampler_close(struct sampler *sp)
{
	if (sp == NULL)
		return;
	sp->closed = 1;         /* events drained after this start nothing */
	uv_timer_stop(&sp->timer);
	uv_close((uv_handle_t *)&sp->timer, NULL);
}

void sampler_free(struct sampler *sp)
{
	if (sp == NULL)
		return;
	for (int i = 0; i < sp->nw; i++) {
		free(sp->w[i].req);
		free(sp->w[i].hl);
	}
	free(sp->fds);
	free(sp->found);
	free(sp);
}

unsigned long sampler_emitted(const struct sampler *sp)
{
	return sp->emitted;
}
