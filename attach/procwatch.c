/* procwatch.c: attach without ptrace: the threads of /proc/PID/task, where
 * each sleeps, and the epoll interest lists of /proc/PID/fdinfo.  Every
 * read here is allowed to a process of the same user that could not
 * ptrace (the syscall and wchan files need PTRACE_MODE_READ, which Yama's
 * ptrace_scope does not restrict). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <uv.h>

#include "attach/procwatch.h"
#include "models/model.h"
#include "models/sampler_proc.h"
#include "trace/sink.h"

#define EP_MAX 16                 /* epoll instances followed */
#define EP_FDS 256                /* interest entries read per instance */
#define K_EPOLLOUT 0x004u
#define K_EPOLLET  (1u << 31)

/* A wait, what model sleeping in it suggests, and the evidence. */
struct wait_sign {
	long nr;
	const char *model;
	const char *why[2];
};

static const struct wait_sign signs[] = {
	{ SYS_epoll_wait, "epoll", { "sleeps in epoll_wait (read from /proc: no ptrace)",
				     "睡在 epoll_wait 里（从 /proc 读到：没有 ptrace）" } },
	{ SYS_epoll_pwait, "epoll", { "sleeps in epoll_pwait (read from /proc: no ptrace)",
				      "睡在 epoll_pwait 里（从 /proc 读到：没有 ptrace）" } },
#ifdef SYS_epoll_pwait2
	{ SYS_epoll_pwait2, "epoll", { "sleeps in epoll_pwait2 (read from /proc: no ptrace)",
				       "睡在 epoll_pwait2 里（从 /proc 读到：没有 ptrace）" } },
#endif
	{ SYS_select, "select", { "sleeps in select (read from /proc: no ptrace)",
				  "睡在 select 里（从 /proc 读到：没有 ptrace）" } },
	{ SYS_pselect6, "select", { "sleeps in pselect6, select's call (read from /proc: no ptrace)",
				    "睡在 pselect6（即 select）里（从 /proc 读到：没有 ptrace）" } },
	{ SYS_poll, "poll", { "sleeps in poll (read from /proc: no ptrace)",
			      "睡在 poll 里（从 /proc 读到：没有 ptrace）" } },
	{ SYS_ppoll, "poll", { "sleeps in ppoll, poll's call (read from /proc: no ptrace)",
			       "睡在 ppoll（即 poll）里（从 /proc 读到：没有 ptrace）" } },
	{ SYS_read, "blocking", { "sleeps in read (read from /proc: no ptrace)",
				  "睡在 read 里（从 /proc 读到：没有 ptrace）" } },
	{ SYS_recvfrom, "blocking", { "sleeps in recvfrom (read from /proc: no ptrace)",
				      "睡在 recvfrom 里（从 /proc 读到：没有 ptrace）" } },
	{ SYS_recvmsg, "blocking", { "sleeps in recvmsg (read from /proc: no ptrace)",
				     "睡在 recvmsg 里（从 /proc 读到：没有 ptrace）" } },
	{ SYS_accept, "blocking", { "sleeps in accept (read from /proc: no ptrace)",
				    "睡在 accept 里（从 /proc 读到：没有 ptrace）" } },
	{ SYS_accept4, "blocking", { "sleeps in accept4 (read from /proc: no ptrace)",
				     "睡在 accept4 里（从 /proc 读到：没有 ptrace）" } },
	{ SYS_io_uring_enter, "uring", { "sleeps in io_uring_enter (read from /proc: no ptrace)",
					 "睡在 io_uring_enter 里（从 /proc 读到：没有 ptrace）" } },
};

static const char *const et_note[2] = {
	"its epoll interest list holds edge-triggered fds (EPOLLET, read from /proc/PID/fdinfo)",
	"它的 epoll 关注列表里有边沿触发的 fd（EPOLLET，从 /proc/PID/fdinfo 读到）",
};

struct pw_thread {
	pid_t tid;
	int id;                   /* the sink's actor id */
	struct ring *ring;
	int live, seen;
	int have_last;
	struct kstate last;
	const struct wait_sign *model;   /* the last model said */
};

struct pw_epoll {
	int fd;
	int seen;
	uint64_t sig;             /* hash of the last interest list emitted */
	int said_et;
};

struct procwatch {
	uv_timer_t timer;
	struct sink *sink;
	struct ring *world;
	pid_t pid;
	int parent;
	struct pw_thread *th;
	int nth, capth;
	int live;
	struct pw_epoll ep[EP_MAX];
	int nep;
	int et;                   /* some interest list is edge-triggered */
	int ep_fds[EP_FDS];       /* scratch: one interest list as read */
	uint32_t ep_masks[EP_FDS];
	int ended, stopped, closing;
	unsigned long scans;
	void (*on_end)(void *arg);
	void *arg;
	char note[2][768];        /* the first note: lives until procwatch_free */
};

static void emit(struct procwatch *pw, struct ring *r, struct trace_ev *ev)
{
	if (ev->t_ns == 0)
		ev->t_ns = sink_now(pw->sink);
	sink_emit(pw->sink, r, ev);
}

/* /proc/PID/task/TID/comm, cut to 8 characters (attach's actor names). */
static void comm_of(pid_t pid, pid_t tid, char *out, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/task/%d/comm", (int)pid, (int)tid);
	out[0] = '\0';
	if ((f = fopen(path, "r")) != NULL) {
		if (fgets(out, (int)len, f) == NULL)
			out[0] = '\0';
		fclose(f);
	}
	out[strcspn(out, "\n")] = '\0';
	/* a name is the program's to choose: no escape reaches a terminal */
	for (char *c = out; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
			*c = '?';
	if (out[0] == '\0')
		snprintf(out, len, "thread");
}

static struct pw_thread *thread_add(struct procwatch *pw, pid_t tid)
{
	char comm[32], name[48], en[96], zh[128];
	struct sink_actor a = { .name = name, .model = "", .label_en = en, .label_zh = zh,
				.parent = pw->parent };
	struct pw_thread *t;
	int id;

	if (pw->nth == pw->capth) {
		int cap = pw->capth ? 2 * pw->capth : 16;
		struct pw_thread *n = realloc(pw->th, (size_t)cap * sizeof *n);

		if (n == NULL)
			return NULL;
		pw->th = n;
		pw->capth = cap;
	}
	comm_of(pw->pid, tid, comm, sizeof comm);
	snprintf(name, sizeof name, "%.8s.%d", comm, (int)tid);
	snprintf(en, sizeof en, "pid %d thread %d (%s)", (int)pw->pid, (int)tid, comm);
	snprintf(zh, sizeof zh, "进程 %d 的线程 %d（%s）", (int)pw->pid, (int)tid, comm);
	if ((id = sink_actor_new(pw->sink, &a)) < 0)
		return NULL;
	t = &pw->th[pw->nth];
	*t = (struct pw_thread){ .tid = tid, .id = id, .live = 1, .seen = 1 };
	if ((t->ring = sink_ring_new(pw->sink, id)) == NULL)
		return NULL;
	pw->nth++;
	pw->live++;
	emit(pw, t->ring, &(struct trace_ev){ .kind = TRACE_ACTOR, .actor = (uint16_t)id, .fd = -1,
					      .step = -1, .tid = tid, .pid = pw->pid });
	return t;
}

static void thread_end(struct procwatch *pw, struct pw_thread *t)
{
	if (!t->live)
		return;
	t->live = 0;
	pw->live--;
	emit(pw, t->ring, &(struct trace_ev){ .kind = TRACE_ACTOR, .flags = TRACE_F_END,
					      .actor = (uint16_t)t->id, .fd = -1, .step = -1 });
}

static const struct wait_sign *sign_of(long nr)
{
	for (size_t i = 0; i < sizeof signs / sizeof signs[0]; i++)
		if (signs[i].nr == nr)
			return &signs[i];
	return NULL;
}

/* A sleep in a wait names a model; said once per change.  epoll with an
 * edge-triggered interest list is epoll-et. */
static void model_say(struct procwatch *pw, struct pw_thread *t, const struct kstate *ks)
{
	const struct wait_sign *s = ks->state == 'S' || ks->state == 'D' ? sign_of(ks->sysno) : NULL;
	const char *name;
	const struct model_ops *m;

	if (s == NULL || s == t->model)
		return;
	if (t->model != NULL && strcmp(t->model->model, s->model) == 0)
		return;
	t->model = s;
	name = strcmp(s->model, "epoll") == 0 && pw->et ? "epoll-et" : s->model;
	m = model_find(name);
	emit(pw, t->ring, &(struct trace_ev){ .kind = TRACE_MODEL, .actor = (uint16_t)t->id, .fd = -1,
					      .step = -1, .model = name, .caps = m ? (int32_t)m->caps : 0,
					      .text = { s->why[0], s->why[1] } });
}

static void thread_sample(struct procwatch *pw, struct pw_thread *t)
{
	int64_t now = sink_now(pw->sink);
	struct kstate ks;

	struct trace *tr = sink_trace(pw->sink);

	/* A zombie's thread has no call to show: its end follows. */
	if (sampler_read_pid(pw->pid, t->tid, &ks) != 0 || ks.state == 'Z')
		return;
	if (!t->have_last || !sampler_same(&ks, &t->last) || ks.arg0 != t->last.arg0) {
		t->last = ks;
		t->have_last = 1;
		emit(pw, t->ring, &(struct trace_ev){
			.kind = TRACE_STATE, .actor = (uint16_t)t->id, .t_ns = now, .tid = t->tid,
			.pid = pw->pid, .state = ks.state, .fd = (int)ks.arg0, .step = -1,
			.syscall = trace_intern(tr, ks.syscall), .wchan = trace_intern(tr, ks.wchan) });
	}
}

static struct pw_thread *thread_find(struct procwatch *pw, pid_t tid)
{
	for (int i = 0; i < pw->nth; i++)
		if (pw->th[i].tid == tid && pw->th[i].live)
			return &pw->th[i];
	return NULL;
}

/* The threads now: new ones begin, gone ones end.  Returns how many live,
 * or -errno when the process is gone. */
static int scan_threads(struct procwatch *pw)
{
	char path[64];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof path, "/proc/%d/task", (int)pw->pid);
	if ((dir = opendir(path)) == NULL)
		return -errno;
	for (int i = 0; i < pw->nth; i++)
		pw->th[i].seen = 0;
	while ((d = readdir(dir)) != NULL) {
		pid_t tid = (pid_t)atoi(d->d_name);
		struct pw_thread *t;

		if (tid <= 0)
			continue;
		if ((t = thread_find(pw, tid)) == NULL)
			t = thread_add(pw, tid);
		if (t != NULL)
			t->seen = 1;
	}
	closedir(dir);
	for (int i = 0; i < pw->nth; i++) {
		if (pw->th[i].live && !pw->th[i].seen)
			thread_end(pw, &pw->th[i]);
		else if (pw->th[i].live)
			thread_sample(pw, &pw->th[i]);
	}
	return pw->live;
}

/* ---- epoll interest lists ---- */

/* The interest list of epfd from /proc/PID/fdinfo/EPFD: fds[] and their
 * masks; returns how many, or -errno. */
static int read_interest(pid_t pid, int epfd, int *fds, uint32_t *masks, int max)
{
	char path[64], line[256];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof path, "/proc/%d/fdinfo/%d", (int)pid, epfd);
	if ((f = fopen(path, "r")) == NULL)
		return -errno;
	while (fgets(line, sizeof line, f) != NULL) {
		int fd;
		unsigned ev;

		if (strncmp(line, "tfd:", 4) != 0 || sscanf(line, "tfd: %d events: %x", &fd, &ev) != 2)
			continue;
		if (n < max && fd >= 0) {
			fds[n] = fd;
			masks[n++] = ev;
		}
	}
	fclose(f);
	return n;
}

/* The thread asleep on epfd, else the main thread, else any. */
static struct pw_thread *owner_of(struct procwatch *pw, int epfd)
{
	struct pw_thread *main_t = NULL, *any = NULL;

	for (int i = 0; i < pw->nth; i++) {
		struct pw_thread *t = &pw->th[i];

		if (!t->live)
			continue;
		if (t->have_last && sign_of(t->last.sysno) != NULL &&
		    strcmp(sign_of(t->last.sysno)->model, "epoll") == 0 && t->last.arg0 == epfd)
			return t;
		if (t->tid == pw->pid)
			main_t = t;
		any = any ? any : t;
	}
	return main_t ? main_t : any;
}

static void interest_emit(struct procwatch *pw, struct pw_epoll *e, const int *fds,
			  const uint32_t *masks, int n)
{
	struct pw_thread *t = owner_of(pw, e->fd);
	struct trace_ev ev = { .kind = TRACE_SET, .what = TRACE_SET_INTEREST, .fd = e->fd,
			       .step = -1, .n = n };
	int et = 0;

	if (t == NULL)
		return;
	ev.actor = (uint16_t)t->id;
	for (int i = 0; i < n; i++) {
		if (i < TRACE_FDS_INLINE) {
			ev.fd_list[i] = fds[i];
			if (masks[i] & K_EPOLLOUT)
				ev.outs |= (uint16_t)(1u << i);
			ev.nfds++;
		} else {
			ev.fds_more++;
		}
		et |= (masks[i] & K_EPOLLET) != 0;
	}
	emit(pw, t->ring, &ev);
	if (et && !e->said_et) {
		e->said_et = 1;
		pw->et = 1;
		emit(pw, t->ring, &(struct trace_ev){ .kind = TRACE_NOTE, .actor = (uint16_t)t->id,
						      .fd = e->fd, .step = -1,
						      .text = { et_note[0], et_note[1] } });
	}
}

static uint64_t interest_sig(const int *fds, const uint32_t *masks, int n)
{
	uint64_t h = 1469598103934665603ull;

	for (int i = 0; i < n; i++) {
		h = (h ^ (uint32_t)fds[i]) * 1099511628211ull;
		h = (h ^ masks[i]) * 1099511628211ull;
	}
	return h ^ (uint64_t)n;
}

static struct pw_epoll *epoll_slot(struct procwatch *pw, int fd)
{
	for (int i = 0; i < pw->nep; i++)
		if (pw->ep[i].fd == fd)
			return &pw->ep[i];
	if (pw->nep == EP_MAX)
		return NULL;
	pw->ep[pw->nep] = (struct pw_epoll){ .fd = fd, .sig = 0 };
	return &pw->ep[pw->nep++];
}

/* Every anon_inode:[eventpoll] fd of the process: its interest list, when
 * it changed. */
static void scan_epolls(struct procwatch *pw)
{
	int *fds = pw->ep_fds;
	uint32_t *masks = pw->ep_masks;
	char path[64], link[384], target[64];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof path, "/proc/%d/fd", (int)pw->pid);
	if ((dir = opendir(path)) == NULL)
		return;
	while ((d = readdir(dir)) != NULL) {
		int fd = atoi(d->d_name), n;
		ssize_t l;
		struct pw_epoll *e;

		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		snprintf(link, sizeof link, "%s/%s", path, d->d_name);
		if ((l = readlink(link, target, sizeof target - 1)) <= 0)
			continue;
		target[l] = '\0';
		if (strcmp(target, "anon_inode:[eventpoll]") != 0 || (e = epoll_slot(pw, fd)) == NULL)
			continue;
		if ((n = read_interest(pw->pid, fd, fds, masks, EP_FDS)) < 0)
			continue;
		if (interest_sig(fds, masks, n) != e->sig) {
			e->sig = interest_sig(fds, masks, n);
			interest_emit(pw, e, fds, masks, n);
		}
	}
	closedir(dir);
}

/* ---- the timer ---- */

static void end_now(struct procwatch *pw)
{
	if (pw->ended)
		return;
	pw->ended = 1;
	for (int i = 0; i < pw->nth; i++)
		thread_end(pw, &pw->th[i]);
	uv_timer_stop(&pw->timer);
	if (pw->on_end != NULL)
		pw->on_end(pw->arg);
}

static void scan(struct procwatch *pw)
{
	pw->scans++;
	if (scan_threads(pw) <= 0) {
		end_now(pw);
		return;
	}
	/* The interest lists first: epoll with an edge-triggered one is
	 * epoll-et. */
	scan_epolls(pw);
	for (int i = 0; i < pw->nth; i++)
		if (pw->th[i].live && pw->th[i].have_last)
			model_say(pw, &pw->th[i], &pw->th[i].last);
}

static void tick_cb(uv_timer_t *h)
{
	scan(h->data);
}

static void note_why(struct procwatch *pw, const char *why)
{
	snprintf(pw->note[0], sizeof pw->note[0],
		 "no ptrace (%s): watching pid %d from /proc instead, only where its threads sleep: "
		 "no copies, no EAGAIN tries, no call durations", why, (int)pw->pid);
	snprintf(pw->note[1], sizeof pw->note[1],
		 "不能用 ptrace（%s）：改从 /proc 观察进程 %d，只能看到线程睡在哪里："
		 "看不到拷贝、EAGAIN 尝试和调用耗时", why, (int)pw->pid);
	emit(pw, pw->world, &(struct trace_ev){ .kind = TRACE_NOTE, .actor = TRACE_WORLD, .fd = -1,
						.step = -1, .text = { pw->note[0], pw->note[1] } });
}

int procwatch_start(uv_loop_t *loop, const struct procwatch_opts *o, struct procwatch **out)
{
	struct procwatch *pw;
	char path[64];

	if (o->pid <= 0)
		return -EINVAL;
	snprintf(path, sizeof path, "/proc/%d/task", (int)o->pid);
	if (access(path, F_OK) != 0)
		return errno == ENOENT ? -ESRCH : -errno;
	if ((pw = calloc(1, sizeof *pw)) == NULL)
		return -ENOMEM;
	pw->sink = o->sink;
	pw->pid = o->pid;
	pw->parent = o->parent;
	pw->on_end = o->on_end;
	pw->arg = o->arg;
	if ((pw->world = sink_ring_new(o->sink, TRACE_WORLD)) == NULL) {
		free(pw);
		return -ENOMEM;
	}
	uv_timer_init(loop, &pw->timer);
	pw->timer.data = pw;
	note_why(pw, o->why != NULL ? o->why : "");
	scan(pw);
	if (!pw->ended)
		uv_timer_start(&pw->timer, tick_cb, PROCWATCH_EVERY_MS, PROCWATCH_EVERY_MS);
	*out = pw;
	return 0;
}

void procwatch_stop(struct procwatch *pw)
{
	if (pw == NULL || pw->stopped)
		return;
	pw->stopped = 1;
	pw->on_end = NULL;         /* stopped by its owner: nothing to tell */
	end_now(pw);
	if (!uv_is_closing((uv_handle_t *)&pw->timer))
		uv_close((uv_handle_t *)&pw->timer, NULL);
}

void procwatch_free(struct procwatch *pw)
{
	if (pw == NULL)
		return;
	free(pw->th);
	free(pw);
}

int procwatch_threads(const struct procwatch *pw) { return pw->live; }
unsigned long procwatch_scans(const struct procwatch *pw) { return pw->scans; }
bool procwatch_ended(const struct procwatch *pw) { return pw->ended; }
