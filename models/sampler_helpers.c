/* sampler_helpers.c: the threads that read on an actor's behalf (glibc's
 * POSIX aio helpers), found in /proc by the fds of its requests in flight. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "models/sampler_int.h"

static int in_list(const int *a, int n, long v)
{
	for (int i = 0; i < n; i++)
		if (a[i] == v)
			return 1;
	return 0;
}

static int is_read(long nr)
{
#ifdef SYS_pread64
	if (nr == SYS_pread64)
		return 1;
#endif
	return nr == SYS_read;
}

/* Who is inside read(2) on these fds?  The syscall file alone decides (one
 * small read per thread); only the threads that pass are read in full. */
int sampler_find_helpers(const int *fds, int nfds, const pid_t *skip, int nskip,
			 struct sampler_helper *out, int max)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		pid_t tid = (pid_t)atoi(de->d_name);
		long nr, arg0;
		struct kstate ks;

		if (tid <= 0 || in_list(skip, nskip, tid))
			continue;
		if (sampler__read_syscall(tid, &nr, &arg0) != 0 || !is_read(nr) ||
		    !in_list(fds, nfds, arg0))
			continue;
		/* Read again in full: it may have moved on in between. */
		if (sampler_read(tid, &ks) != 0 || !is_read(ks.sysno) || !in_list(fds, nfds, ks.arg0))
			continue;
		if (n < max)
			out[n] = (struct sampler_helper){ .tid = tid, .fd = (int)ks.arg0, .ks = ks };
		n++;
	}
	closedir(d);
	return n;
}

/* Room for need elements of size sz in *p (capacity *cap); 0 or -ENOMEM. */
static int grow(void **p, int *cap, int need, size_t sz)
{
	int n = *cap > 0 ? *cap : 8;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	if ((q = realloc(*p, (size_t)n * sz)) == NULL)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

static struct watch *watch_of_fd(struct sampler *sp, int fd)
{
	for (int i = 0; i < sp->nw; i++)
		for (int j = 0; sp->w[i].helpers && j < sp->w[i].nreq; j++)
			if (sp->w[i].req[j].fd == fd)
				return &sp->w[i];
	return NULL;
}

/* A helper found at this tick: emitted when it is new or has changed. */
static void helper_seen(struct sampler *sp, struct watch *w, const struct sampler_helper *f)
{
	struct helper *h = NULL;

	for (int i = 0; i < w->nhl && h == NULL; i++)
		if (w->hl[i].tid == f->tid)
			h = &w->hl[i];
	if (h == NULL) {
		if (grow((void **)&w->hl, &w->caphl, w->nhl + 1, sizeof *w->hl) != 0)
			return;
		h = &w->hl[w->nhl++];
		*h = (struct helper){ .tid = f->tid };
	} else if (sampler__same(&h->last, &f->ks) && h->last.arg0 == f->ks.arg0) {
		h->seen = 1;
		return;
	}
	h->seen = 1;
	h->last = f->ks;
	sampler__emit_state(sp, w->actor, f->tid, &f->ks, 1);
}

/* Every thread that is not a watched model thread nor this (the loop)
 * thread, inside read(2) on an fd with a request in flight, is a helper
 * of the actor that submitted it: fd numbers are unique in the process,
 * so the fd names the actor.  Helpers not found any more (their read
 * returned) are forgotten, so the next time one reads it is news. */
void sampler__scan_helpers(struct sampler *sp)
{
	pid_t skip[TRACE_MAX_ACTORS + 1];
	int nskip = 0, nfds = 0, n;

	for (int i = 0; i < sp->nw; i++) {
		struct watch *w = &sp->w[i];
		pid_t tid = atomic_load(w->tid);

		if (tid != 0)
			skip[nskip++] = tid;
		for (int j = 0; w->helpers && j < w->nreq; j++) {
			if (grow((void **)&sp->fds, &sp->capfds, nfds + 1, sizeof *sp->fds) != 0)
				return;
			sp->fds[nfds++] = w->req[j].fd;
		}
		for (int j = 0; j < w->nhl; j++)
			w->hl[j].seen = 0;
	}
	skip[nskip++] = gettid();
	/* glibc runs one read per fd at a time: one helper per fd, and room
	 * for a few more (a thread found twice between its syscalls). */
	if (nfds == 0 ||
	    grow((void **)&sp->found, &sp->capfound, nfds + 4, sizeof *sp->found) != 0 ||
	    (n = sampler_find_helpers(sp->fds, nfds, skip, nskip, sp->found, sp->capfound)) < 0)
		n = 0;
	for (int i = 0; i < n && i < sp->capfound; i++) {
		struct watch *w = watch_of_fd(sp, sp->found[i].fd);

		if (w != NULL)
			helper_seen(sp, w, &sp->found[i]);
	}
	for (int i = 0; i < sp->nw; i++) {
		struct watch *w = &sp->w[i];
		int k = 0;

		for (int j = 0; j < w->nhl; j++)
			if (w->hl[j].seen)
				w->hl[k++] = w->hl[j];
		w->nhl = k;
	}
}

/* Requests in flight, per actor, from its submit and complete events. */
void sampler__track_request(struct sampler *sp, struct watch *w,
			    const struct trace_ev *ev)
{
	if (ev->kind == TRACE_SUBMIT) {
		if (grow((void **)&w->req, &w->capreq, w->nreq + 1, sizeof *w->req) != 0)
			return;
		w->req[w->nreq++] = (struct inflight){ .tag = ev->arg, .fd = ev->fd };
		sampler__start_ticking(sp);
		return;
	}
	if (ev->kind == TRACE_DONE) {         /* the thread is gone: so are they */
		w->nreq = 0;
		w->nhl = 0;
		return;
	}
	for (int j = 0; j < w->nreq; j++)
		if (w->req[j].tag == ev->arg) {
			w->req[j] = w->req[--w->nreq];
			break;
		}
	/* As an exit does for the actor's own thread: the next read on
	 * that fd is news, even by the same helper. */
	for (int j = 0; j < w->nhl; j++)
		if (w->hl[j].last.arg0 == ev->fd)
			w->hl[j--] = w->hl[--w->nhl];
}

int sampler_watch_helpers(struct sampler *sp, int actor, _Atomic pid_t *tid)
{
	int rc;

	for (int i = 0; i < sp->nw; i++)
		if (sp->w[i].actor == actor) {
			sp->w[i].helpers = 1;
			return 0;
		}
	if ((rc = sampler_watch(sp, actor, tid)) != 0)
		return rc;
	sp->w[sp->nw - 1].helpers = 1;
	return 0;
}
