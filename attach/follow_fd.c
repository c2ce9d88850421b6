/* follow_fd.c: what each fd of a traced process is.
 *
 * On first sight an fd is looked at in /proc/PID/fd/N (readlink: what it
 * is) and /proc/PID/fdinfo/N (its flags: O_NONBLOCK, O_ASYNC; an epoll
 * instance's interest list, with each entry's events and data), so a
 * program attached to with -p, or an fd inherited, is known as it is;
 * afterwards the calls seen keep it up to date.  Only the calls the
 * tracer watches are seen: an fd is forgotten on close, close_range,
 * dup2/dup3 onto it and exec, and one that was not open when looked at
 * is not remembered (open, pipe and socketpair are not watched: the
 * number may be given out again unseen).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attach/follow_int.h"

struct follow_proc *follow__proc_new(pid_t pid)
{
	struct follow_proc *p = calloc(1, sizeof *p);

	if (p == NULL)
		return NULL;
	p->pid = pid;
	attach_cls_proc_init(&p->cls);
	return p;
}

static void eps_free(struct follow_proc *p)
{
	for (int i = 0; i < p->neps; i++)
		free(p->eps[i].it);
	free(p->eps);
	p->eps = NULL;
	p->neps = p->capeps = 0;
}

void follow__proc_free(struct follow_proc *p)
{
	if (p == NULL)
		return;
	eps_free(p);
	free(p->fds);
	free(p);
}

void follow__proc_flush(struct follow_proc *p)
{
	eps_free(p);
	if (p->fds != NULL)
		memset(p->fds, 0, (size_t)p->cap * sizeof *p->fds);
}

/* ---- looking at an fd ---- */

static int kind_of_link(const char *l)
{
	if (strncmp(l, "socket:[", 8) == 0)
		return FK_SOCKET;
	if (strncmp(l, "pipe:[", 6) == 0)
		return FK_PIPE;
	if (strncmp(l, "/dev/pts/", 9) == 0 || strncmp(l, "/dev/tty", 8) == 0 ||
	    strcmp(l, "/dev/console") == 0 || strcmp(l, "/dev/ptmx") == 0)
		return FK_TTY;
	if (strcmp(l, "anon_inode:[eventpoll]") == 0)
		return FK_EPOLL;
	if (strcmp(l, "anon_inode:[io_uring]") == 0)
		return FK_URING;
	return FK_OTHER;
}

static int look_kind(pid_t pid, int fd)
{
	char path[64], link[256];
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)pid, fd);
	if ((n = readlink(path, link, sizeof link - 1)) < 0)
		return FK_CLOSED;
	link[n] = '\0';
	return kind_of_link(link);
}

/* /proc/PID/fdinfo/N into buf; its length, or -1. */
static ssize_t read_fdinfo(pid_t pid, int fd, char *buf, size_t len)
{
	char path[64];
	ssize_t n, got = 0;
	int in;

	snprintf(path, sizeof path, "/proc/%d/fdinfo/%d", (int)pid, fd);
	if ((in = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	while (got < (ssize_t)len - 1 && (n = read(in, buf + got, len - 1 - (size_t)got)) > 0)
		got += n;
	close(in);
	buf[got] = '\0';
	return got;
}

/* The file's status flags (fdinfo's "flags:", octal); 0 when unknown. */
static unsigned look_flags(pid_t pid, int fd)
{
	char buf[512];
	const char *at;

	if (read_fdinfo(pid, fd, buf, sizeof buf) < 0 || (at = strstr(buf, "flags:")) == NULL)
		return 0;
	return (unsigned)strtoul(at + 6, NULL, 8);
}

static void look(struct follow_proc *p, int fd, struct follow_fd *e)
{
	unsigned fl;

	memset(e, 0, sizeof *e);
	e->kind = (uint8_t)look_kind(p->pid, fd);
	if (e->kind == FK_CLOSED)
		return;
	fl = look_flags(p->pid, fd);
	e->nonblock = (fl & O_NONBLOCK) != 0;
	e->async = (fl & O_ASYNC) != 0;
}

static int fds_grow(struct follow_proc *p, int fd)
{
	int cap = p->cap ? p->cap : 64;
	struct follow_fd *n;

	while (cap <= fd)
		cap *= 2;
	if (cap > FOLLOW_FD_MAX)
		cap = FOLLOW_FD_MAX;
	if ((n = realloc(p->fds, (size_t)cap * sizeof *n)) == NULL)
		return -ENOMEM;
	memset(n + p->cap, 0, (size_t)(cap - p->cap) * sizeof *n);
	p->fds = n;
	p->cap = cap;
	return 0;
}

struct follow_fd *follow__fd(struct follow_proc *p, int fd)
{
	struct follow_fd *e;

	if (fd < 0 || fd >= FOLLOW_FD_MAX || (fd >= p->cap && fds_grow(p, fd) != 0))
		return NULL;
	e = &p->fds[fd];
	if (e->kind == FK_UNKNOWN || e->kind == FK_CLOSED)
		look(p, fd, e);
	return e;
}

int follow__fd_kind(struct follow_proc *p, int fd)
{
	struct follow_fd *e;

	if (fd < 0)
		return FK_CLOSED;
	e = follow__fd(p, fd);
	return e != NULL ? e->kind : look_kind(p->pid, fd);
}

static struct follow_ep *ep_find(struct follow_proc *p, int epfd)
{
	for (int i = 0; i < p->neps; i++)
		if (p->eps[i].epfd == epfd)
			return &p->eps[i];
	return NULL;
}

static void ep_drop(struct follow_proc *p, int epfd)
{
	struct follow_ep *ep = ep_find(p, epfd);

	if (ep == NULL)
		return;
	free(ep->it);
	*ep = p->eps[--p->neps];
}

/* The kernel drops an fd from the interest lists when its file is
 * released: the usual server closes without EPOLL_CTL_DEL. */
static void ep_unlist(struct follow_proc *p, int fd)
{
	for (int i = 0; i < p->neps; i++)
		(void)follow__ep_ctl(&p->eps[i], 2 /* EPOLL_CTL_DEL */, fd, 0, 0);
}

void follow__fd_forget(struct follow_proc *p, int fd)
{
	if (fd < 0)
		return;
	ep_drop(p, fd);
	ep_unlist(p, fd);
	if (fd < p->cap)
		memset(&p->fds[fd], 0, sizeof p->fds[fd]);
}

static struct follow_ep *ep_new(struct follow_proc *p, int epfd)
{
	struct follow_ep *ep;

	if (p->neps == p->capeps) {
		int cap = p->capeps ? p->capeps * 2 : 4;
		struct follow_ep *n = realloc(p->eps, (size_t)cap * sizeof *n);

		if (n == NULL)
			return NULL;
		p->eps = n;
		p->capeps = cap;
	}
	ep = &p->eps[p->neps++];
	*ep = (struct follow_ep){ .epfd = epfd };
	return ep;
}

void follow__fd_made(struct follow_proc *p, int fd, int kind, bool nonblock)
{
	struct follow_fd *e;

	follow__fd_forget(p, fd);
	if (kind == FK_EPOLL)
		(void)ep_new(p, fd);
	if (fd < 0 || fd >= FOLLOW_FD_MAX || (fd >= p->cap && fds_grow(p, fd) != 0))
		return;
	e = &p->fds[fd];
	e->kind = (uint8_t)kind;
	e->nonblock = nonblock;
}

/* ---- epoll's interest lists ---- */

int follow__ep_ctl(struct follow_ep *ep, int op, int fd, uint32_t events, uint64_t data)
{
	int i;

	for (i = 0; i < ep->n && ep->it[i].fd != fd; i++)
		;
	if (op == 2) {                      /* EPOLL_CTL_DEL: keep the order */
		if (i < ep->n)
			memmove(&ep->it[i], &ep->it[i + 1], (size_t)(ep->n - i - 1) * sizeof *ep->it);
		ep->n -= i < ep->n;
		return 0;
	}
	if (i == ep->n) {
		if (ep->n == ep->cap) {
			int cap = ep->cap ? ep->cap * 2 : 8;
			struct follow_epi *n = realloc(ep->it, (size_t)cap * sizeof *n);

			if (n == NULL)
				return -ENOMEM;
			ep->it = n;
			ep->cap = cap;
		}
		ep->n++;
	}
	ep->it[i] = (struct follow_epi){ .fd = fd, .events = events, .data = data };
	return 0;
}

/* An instance made before follow saw it: its list from fdinfo, lines of
 * "tfd: 5 events: 19 data: 5 ..." (events and data in hex). */
static void ep_seed(struct follow_proc *p, struct follow_ep *ep)
{
	char buf[16384];
	const char *at;

	if (read_fdinfo(p->pid, ep->epfd, buf, sizeof buf) < 0)
		return;
	for (at = strstr(buf, "tfd:"); at != NULL; at = strstr(at + 4, "tfd:")) {
		int fd;
		unsigned ev;
		uint64_t data;

		if (sscanf(at, "tfd: %d events: %x data: %" SCNx64, &fd, &ev, &data) == 3 &&
		    fd >= 0 && follow__ep_ctl(ep, 1, fd, ev, data) != 0)
			return;
	}
}

struct follow_ep *follow__ep(struct follow_proc *p, int epfd)
{
	struct follow_ep *ep = ep_find(p, epfd);

	if (ep != NULL)
		return ep;
	if (follow__fd_kind(p, epfd) != FK_EPOLL || (ep = ep_new(p, epfd)) == NULL)
		return NULL;
	ep_seed(p, ep);
	return ep;
}

int follow__ep_fd(const struct follow_ep *ep, uint64_t data)
{
	for (int i = 0; i < ep->n; i++)
		if (ep->it[i].data == data)
			return ep->it[i].fd;
	for (int i = 0; i < ep->n; i++)
		if (ep->it[i].fd == (int)(uint32_t)data)
			return ep->it[i].fd;
	return -1;
}

bool follow__ep_has_io(struct follow_proc *p, const struct follow_ep *ep)
{
	for (int i = 0; i < ep->n; i++)
		if (follow_kind_shown(follow__fd_kind(p, ep->it[i].fd), p->root))
			return true;
	return false;
}

/* ---- libraries ---- */

static const char *lib_of(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base != NULL ? base + 1 : path;
	if (strncmp(base, "libuv.so", 8) == 0 || strncmp(base, "libuv-", 6) == 0)
		return "libuv";
	if (strncmp(base, "libevent", 8) == 0)
		return "libevent";
	if (strncmp(base, "libev.so", 8) == 0)
		return "libev";
	return NULL;
}

const char *follow__maps_lib(pid_t pid)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	const char *lib = NULL;
	FILE *in;

	snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
	if ((in = fopen(path, "re")) == NULL)
		return NULL;
	while (lib == NULL && getline(&line, &cap, in) > 0) {
		char *p = strchr(line, '/'), *nl;

		if (p == NULL)
			continue;
		if ((nl = strchr(p, '\n')) != NULL)
			*nl = '\0';
		lib = lib_of(p);
	}
	free(line);
	fclose(in);
	return lib;
}
