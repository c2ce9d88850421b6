/* follow.c: a traced program's threads and processes, and their actors.
 *
 * Tables grow as threads come (a thread-per-connection server makes
 * hundreds) and shrink as they go; lookups are linear with the last hit
 * kept, which is the thread of the next stop nearly always.  An actor is
 * announced at a thread's first call about a socket, pipe or tty
 * (follow_ev.c decides), named "<comm cut to 8>.<tid>".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attach/follow_int.h"
#include "trace/sink.h"

/* ---- the string arena: evidence and notes live until follow_free ---- */

#define CHUNK_BYTES 65536

struct follow_chunk {
	struct follow_chunk *next;
	size_t used;
	char buf[CHUNK_BYTES];
};

const char *follow__str(struct follow *f, const char *s)
{
	size_t len = strlen(s) + 1;
	struct follow_chunk *c = f->arena;
	char *out;

	if (len > CHUNK_BYTES)
		return "";
	if (c == NULL || c->used + len > CHUNK_BYTES) {
		if (f->arena_bytes + sizeof *c > FOLLOW_ARENA_MAX ||
		    (c = malloc(sizeof *c)) == NULL)
			return "";
		c->next = f->arena;
		c->used = 0;
		f->arena = c;
		f->arena_bytes += sizeof *c;
	}
	out = c->buf + c->used;
	memcpy(out, s, len);
	c->used += len;
	return out;
}

/* ---- life ---- */

int follow_new(struct sink *s, int parent, struct follow **out)
{
	struct follow *f = calloc(1, sizeof *f);

	if (f == NULL)
		return -ENOMEM;
	f->sink = s;
	f->parent = parent;
	*out = f;
	return 0;
}

void follow_free(struct follow *f)
{
	if (f == NULL)
		return;
	for (int i = 0; i < f->nthr; i++)
		free(f->thr[i]);
	for (int i = 0; i < f->nproc; i++)
		follow__proc_free(f->proc[i]);
	for (int i = 0; i < f->nnames; i++)
		free(f->names[i]);
	while (f->arena != NULL) {
		struct follow_chunk *c = f->arena;

		f->arena = c->next;
		free(c);
	}
	free(f->thr);
	free(f->proc);
	free(f->names);
	free(f);
}

void follow_stats(const struct follow *f, struct follow_stats *out)
{
	*out = f->st;
}

/* ---- tables ---- */

/* Room for one more pointer in the array *arrp points to (n used of
 * *cap); the pointer is moved through memcpy, whatever its type. */
static int grow(void *arrp, int n, int *cap)
{
	void *a;
	int c = *cap ? *cap * 2 : 16;

	if (n < *cap)
		return 0;
	memcpy(&a, arrp, sizeof a);
	if ((a = realloc(a, (size_t)c * sizeof(void *))) == NULL)
		return -ENOMEM;
	memcpy(arrp, &a, sizeof a);
	*cap = c;
	return 0;
}

static struct follow_proc *proc_find(struct follow *f, pid_t pid)
{
	for (int i = 0; i < f->nproc; i++)
		if (f->proc[i]->pid == pid)
			return f->proc[i];
	return NULL;
}

static struct follow_proc *proc_get(struct follow *f, pid_t pid)
{
	struct follow_proc *p = proc_find(f, pid);

	if (p != NULL)
		return p;
	if (grow(&f->proc, f->nproc, &f->capproc) != 0 || (p = follow__proc_new(pid)) == NULL)
		return NULL;
	f->proc[f->nproc++] = p;
	return p;
}

static void proc_put(struct follow *f, struct follow_proc *p)
{
	if (--p->nthreads > 0)
		return;
	for (int i = 0; i < f->nproc; i++)
		if (f->proc[i] == p) {
			f->proc[i] = f->proc[--f->nproc];
			break;
		}
	follow__proc_free(p);
}

struct follow_thr *follow__thr(struct follow *f, pid_t tid)
{
	if (f->last != NULL && f->last->tid == tid)
		return f->last;
	for (int i = 0; i < f->nthr; i++)
		if (f->thr[i]->tid == tid)
			return f->last = f->thr[i];
	return NULL;
}

/* The cap refuses a thread: said once, by the note of no thread's. */
static void note_cap(struct follow *f, int64_t t_ns)
{
	static const char en[] = "ioscope follows at most 4096 threads at once: "
				 "the threads made past that are not shown";
	static const char zh[] = "ioscope 最多同时跟踪 4096 个线程：之后创建的线程不显示";

	if (f->noted_cap)
		return;
	f->noted_cap = true;
	follow__note(f, NULL, t_ns, en, zh);
}

static struct follow_thr *thr_new(struct follow *f, pid_t tid, pid_t pid, pid_t creator,
				  int64_t t_ns)
{
	struct follow_thr *th, *cr = creator > 0 ? follow__thr(f, creator) : NULL;

	if (f->nthr >= FOLLOW_MAX_THREADS) {
		note_cap(f, t_ns);
		return NULL;
	}
	if (grow(&f->thr, f->nthr, &f->capthr) != 0 || (th = calloc(1, sizeof *th)) == NULL)
		return NULL;
	if ((th->proc = proc_get(f, pid)) == NULL) {
		free(th);
		return NULL;
	}
	th->proc->nthreads++;
	th->tid = tid;
	th->pid = pid;
	th->creator = creator;
	th->creator_actor = cr != NULL && cr->actor >= 0 ? cr->actor : -1;
	th->actor = FOLLOW_NO_ACTOR;
	attach_cls_init(&th->cls);
	f->thr[f->nthr++] = th;
	f->st.threads++;
	return f->last = th;
}

struct follow_thr *follow__thr_get(struct follow *f, pid_t tid, pid_t pid, int64_t t_ns)
{
	struct follow_thr *th = follow__thr(f, tid);

	return th != NULL ? th : thr_new(f, tid, pid, 0, t_ns);
}

static void thr_del(struct follow *f, struct follow_thr *th)
{
	for (int i = 0; i < f->nthr; i++)
		if (f->thr[i] == th) {
			f->thr[i] = f->thr[--f->nthr];
			break;
		}
	if (f->last == th)
		f->last = NULL;
	proc_put(f, th->proc);
	free(th);
}

/* ---- actors ---- */

/* The thread's name in the kernel, printable ASCII only: it becomes part
 * of an actor's name and of a label, written to terminals. */
static void read_comm(pid_t pid, pid_t tid, char *out, size_t len)
{
	char path[64];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/task/%d/comm", (int)pid, (int)tid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(fd, out, len - 1);
		close(fd);
	}
	if (n <= 0) {
		snprintf(out, len, "thread");
		return;
	}
	out[n] = '\0';
	if (n > 0 && out[n - 1] == '\n')
		out[--n] = '\0';
	for (ssize_t i = 0; i < n; i++)
		if (out[i] <= ' ' || out[i] > '~')
			out[i] = '_';
	if (n == 0)
		snprintf(out, len, "thread");
}

static bool name_taken(const struct follow *f, const char *name)
{
	for (int i = 0; i < f->nnames; i++)
		if (strcmp(f->names[i], name) == 0)
			return true;
	return false;
}

/* "<comm cut to 8>.<tid>", and "-2", "-3"... when a tid came back. */
static int actor_name(struct follow *f, const struct follow_thr *th, const char *comm,
		      char *out, size_t len)
{
	snprintf(out, len, "%.8s.%d", comm, (int)th->tid);
	for (int k = 2; name_taken(f, out) && k < 1000; k++)
		snprintf(out, len, "%.8s.%d-%d", comm, (int)th->tid, k);
	if (grow(&f->names, f->nnames, &f->capnames) != 0 ||
	    (f->names[f->nnames] = strdup(out)) == NULL)
		return -ENOMEM;
	f->nnames++;
	return 0;
}

static int actor_parent(struct follow *f, const struct follow_thr *th)
{
	struct follow_thr *cr = th->creator > 0 ? follow__thr(f, th->creator) : NULL;

	if (cr != NULL && cr->actor >= 0)
		return cr->actor;
	return th->creator_actor >= 0 ? th->creator_actor : f->parent;
}

/* The sink has no id or ring left: said once. */
static void note_rings(struct follow *f, int64_t t_ns)
{
	static const char en[] = "no room for more lanes: threads that touch IO from now on "
				 "are not shown";
	static const char zh[] = "没有更多泳道：从现在起接触 IO 的线程不再显示";

	if (f->noted_rings)
		return;
	f->noted_rings = true;
	follow__note(f, NULL, t_ns, en, zh);
}

/* The process's libraries, read at its first actor (and after exec). */
static void read_maps(struct follow *f, struct follow_thr *th, int64_t t_ns)
{
	struct attach_obs o = { .kind = OBS_LIB, .fd = -1, .ret = -1 };

	if (th->proc->maps_read)
		return;
	th->proc->maps_read = true;
	if ((o.lib = follow__maps_lib(th->pid)) != NULL)
		follow__feed(f, th, &o, t_ns);
}

int follow__actor(struct follow *f, struct follow_thr *th, int64_t t_ns)
{
	char comm[32], name[64], en[128], zh[128];
	struct sink_actor a = { .name = name, .model = "", .label_en = en, .label_zh = zh };
	struct trace_ev ev = { .kind = TRACE_ACTOR, .fd = -1, .t_ns = t_ns,
			       .tid = th->tid, .pid = th->pid };
	int id;

	if (th->actor >= 0)
		return 0;
	if (th->actor == FOLLOW_REFUSED || f->sink == NULL)
		return -ENOSPC;
	read_comm(th->pid, th->tid, comm, sizeof comm);
	if (actor_name(f, th, comm, name, sizeof name) != 0)
		return -ENOMEM;
	snprintf(en, sizeof en, "pid %d thread %d (%s)", (int)th->pid, (int)th->tid, comm);
	snprintf(zh, sizeof zh, "进程 %d 的线程 %d（%s）", (int)th->pid, (int)th->tid, comm);
	a.parent = actor_parent(f, th);
	if ((id = sink_actor_new(f->sink, &a)) < 0 ||
	    (th->ring = sink_ring_new(f->sink, id)) == NULL) {
		th->actor = FOLLOW_REFUSED;
		note_rings(f, t_ns);
		return -ENOSPC;
	}
	th->actor = id;
	f->st.actors++;
	follow__emit(f, th, &ev);
	read_maps(f, th, t_ns);
	return 0;
}

static void actor_end(struct follow *f, struct follow_thr *th, int64_t t_ns)
{
	struct trace_ev ev = { .kind = TRACE_ACTOR, .flags = TRACE_F_END, .fd = -1,
			       .t_ns = t_ns };

	if (th->actor < 0)
		return;
	follow__emit(f, th, &ev);
	th->actor = FOLLOW_NO_ACTOR;
	th->ring = NULL;
}

void follow__emit(struct follow *f, struct follow_thr *th, struct trace_ev *ev)
{
	if (th == NULL || th->actor < 0 || th->ring == NULL)
		return;
	ev->actor = (uint16_t)th->actor;
	ev->step = -1;
	sink_emit(f->sink, th->ring, ev);
}

/* th's note, or (th NULL) one of no thread: in a ring of follow's own,
 * under the actor the program's actors name as their parent. */
void follow__note(struct follow *f, struct follow_thr *th, int64_t t_ns,
		  const char *en, const char *zh)
{
	struct trace_ev ev = { .kind = TRACE_NOTE, .fd = -1, .t_ns = t_ns,
			       .text = { follow__str(f, en), follow__str(f, zh) } };
	int actor = f->parent >= 0 ? f->parent : TRACE_WORLD;

	if (th != NULL) {
		follow__emit(f, th, &ev);
		return;
	}
	if (f->sink == NULL || (f->own == NULL && (f->own = sink_ring_new(f->sink, actor)) == NULL))
		return;
	ev.actor = (uint16_t)actor;
	ev.step = -1;
	sink_emit(f->sink, f->own, &ev);
}

void follow__feed(struct follow *f, struct follow_thr *th, const struct attach_obs *o,
		  int64_t t_ns)
{
	struct trace_ev ev = { .kind = TRACE_MODEL, .fd = -1, .t_ns = t_ns };

	if (!attach_cls_feed(&th->proc->cls, &th->cls, o))
		return;
	f->st.model_changes++;
	if (follow__actor(f, th, t_ns) != 0)
		return;
	ev.model = follow__str(f, th->cls.model != NULL ? th->cls.model : "");
	ev.caps = (int32_t)th->cls.caps;
	ev.text[0] = follow__str(f, th->cls.why_en);
	ev.text[1] = follow__str(f, th->cls.why_zh);
	follow__emit(f, th, &ev);
}

/* ---- the ops ---- */

static void f_thread(void *arg, pid_t tid, pid_t pid, pid_t creator, int64_t t_ns)
{
	struct follow *f = arg;

	struct follow_thr *th = follow__thr(f, tid);

	if (th == NULL)
		th = thr_new(f, tid, pid, creator, t_ns);
	if (th != NULL && creator == 0)       /* started, or seized: the program */
		th->proc->root = true;
}

static void thr_gone(struct follow *f, struct follow_thr *th, int64_t t_ns)
{
	struct follow_proc *p = th->proc;

	if (th->in_call)
		follow__unfinished(f, th, t_ns);
	actor_end(f, th, t_ns);
	/* Its phases end with it: the next wait of another thread begins
	 * them again. */
	for (int fd = 0; fd < p->cap; fd++)
		if (p->fds[fd].owner == th->tid)
			p->fds[fd].wait = FW_NONE;
	thr_del(f, th);
}

static void f_gone(void *arg, pid_t tid, int status, int64_t t_ns)
{
	struct follow *f = arg;
	struct follow_thr *th = follow__thr(f, tid);

	if (th == NULL)
		return;
	if (th->actor >= 0 && status == -1)     /* detached (attach -p, q) */
		follow__note(f, th, t_ns, "ioscope lets go of this thread here: it runs on, untraced",
			     "ioscope 在这里放开这个线程：它继续运行，不再被跟踪");
	else if (th->actor >= 0 && status >= 0 && WIFSIGNALED(status))
		follow__note(f, th, t_ns, "its thread ends here: killed by a signal",
			     "它的线程在这里结束：被信号杀死");
	thr_gone(f, th, t_ns);
}

/* A new program in pid: its fds are looked at again, its libraries read
 * again, and the thread that called execve (now pid) starts afresh: its
 * actor (the old program's) ends, and the new program's is announced at
 * its first IO, with the old one as its parent. */
static void f_exec(void *arg, pid_t pid, pid_t former, int64_t t_ns)
{
	struct follow *f = arg;
	struct follow_thr *th = follow__thr(f, former > 0 ? former : pid), *old;
	int was;

	if (th == NULL && (th = follow__thr(f, pid)) == NULL)
		return;
	/* Every other thread of the process is gone (the old leader too,
	 * whose tid the caller takes), reported or not. */
	for (int i = 0; i < f->nthr; i++)
		if ((old = f->thr[i]) != th && old->proc == th->proc) {
			thr_gone(f, old, t_ns);
			i = -1;            /* the table moved */
		}
	th->in_call = false;               /* execve does not return to the old image */
	th->restart = false;
	was = th->actor;
	actor_end(f, th, t_ns);
	th->tid = pid;
	th->creator = 0;
	th->creator_actor = was >= 0 ? was : th->creator_actor;
	th->noted_seize = false;
	attach_cls_init(&th->cls);
	follow__proc_flush(th->proc);
	th->proc->maps_read = false;
	attach_cls_proc_init(&th->proc->cls);
}

static void f_sys(void *arg, const struct attach_sys *s)
{
	struct follow *f = arg;
	struct follow_thr *th;

	f->st.stops++;
	/* The arrays are indexed by nmem everywhere: bounded here. */
	if (s->nmem > ATTACH_MEM_MAX || s->mem_more < 0) {
		f->fixed = *s;
		f->fixed.nmem = s->nmem > ATTACH_MEM_MAX ? ATTACH_MEM_MAX : s->nmem;
		f->fixed.mem_more = s->mem_more < 0 ? 0 : s->mem_more;
		s = &f->fixed;
	}
	if ((th = follow__thr_get(f, s->tid, s->pid, s->t_ns)) != NULL)
		follow__sys(f, th, s);
}

static void f_signal(void *arg, pid_t tid, int sig, int sig_fd, int64_t t_ns)
{
	struct follow *f = arg;
	struct follow_thr *th = follow__thr(f, tid);

	if (th != NULL)
		follow__signal(f, th, sig, sig_fd, t_ns);
}

const struct attach_ops follow_ops = {
	.thread = f_thread, .gone = f_gone, .exec = f_exec, .sys = f_sys, .signal = f_signal,
};
