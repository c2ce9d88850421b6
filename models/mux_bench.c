/* mux_bench.c: one wait among N descriptors, for select, poll and epoll.
 *
 * The method is libevent's test/bench.c, with the userspace half of the
 * work timed too, since a program pays for it: select's fd_set is rebuilt
 * before every call (the kernel overwrites it) and scanned bit by bit after;
 * poll's array is kept, because the kernel rewrites every revents, but every
 * entry is scanned after; epoll hands back only the ready descriptor.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "models/mux_bench_int.h"

#define WARMUP    8       /* untimed waits first: caches, stale epoll entries */
#define WAIT_MS   1000    /* never reached: a byte is always ready */
#define DEF_ROUNDS 15

static const int default_fds[] = { 8, 64, 512, 1000, 4096, 10000 };

struct sock_addr {
	struct sockaddr_un sa;
	socklen_t len;
};

/* The watched sockets, the sender and one epoll instance per case. */
struct pool {
	int *fd;                       /* ascending: the lowest numbers free */
	struct sock_addr *addr;        /* their autobound abstract names */
	int nfd;
	int err;                       /* why the pool stopped short, or 0 */
	/* Per low: the same sockets at numbers >= it, ascending (fd itself
	 * when they already are, else dup'd up), and poll's array of them,
	 * set once; a size N uses the first N. */
	int *lfd[MUX_BENCH_MAX_LOWS];
	struct pollfd *lpfd[MUX_BENCH_MAX_LOWS];
	int ndup[MUX_BENCH_MAX_LOWS];  /* dups in lfd[li] to close */
	const int *w;                  /* the case being measured: lfd[li] */
	struct pollfd *wpfd;           /* and lpfd[li] */
	int tx;                        /* the one sender */
	int ep[MUX_BENCH_MAX_SIZES];
	struct rlimit old;             /* RLIMIT_NOFILE before the run */
	int raised;
	uint64_t iter;                 /* waits so far: where the next byte goes */
	int64_t t[3][BATCH];
	struct epoll_event ev[8];
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile q (0..1) of v[0..n-1]; sorts v. */
static int64_t pct(int64_t *v, int n, double q)
{
	qsort(v, (size_t)n, sizeof *v, cmp_i64);
	return v[(int)(q * (n - 1) + 0.5)];
}

/* The waits.  Each returns the descriptor it found ready, or -errno, and
 * fills t[T_SYS] and t[T_USER]. */

static int wait_select(struct pool *p, int n, int64_t t[3])
{
	int maxfd = p->w[n - 1], got = -ETIMEDOUT, r;
	struct timeval tv;
	fd_set rs;
	int64_t t0, t1, t2;

	t0 = now_ns();
	FD_ZERO(&rs);
	for (int i = 0; i < n; i++)
		FD_SET(p->w[i], &rs);
	tv = (struct timeval){ .tv_sec = WAIT_MS / 1000 };
	t1 = now_ns();
	r = select(maxfd + 1, &rs, NULL, NULL, &tv);
	if (r < 0)
		return -errno;
	t2 = now_ns();
	for (int fd = 0; fd <= maxfd; fd++)
		if (FD_ISSET(fd, &rs))
			got = fd;
	t[T_SYS] = t2 - t1;
	t[T_USER] = (t1 - t0) + (now_ns() - t2);
	return got;
}

static int wait_poll(struct pool *p, int n, int64_t t[3])
{
	int got = -ETIMEDOUT, r;
	int64_t t1, t2;

	t1 = now_ns();
	r = poll(p->wpfd, (nfds_t)n, WAIT_MS);
	if (r < 0)
		return -errno;
	t2 = now_ns();
	for (int i = 0; i < n; i++)
		if (p->wpfd[i].revents & POLLIN)
			got = p->wpfd[i].fd;
	t[T_SYS] = t2 - t1;
	t[T_USER] = now_ns() - t2;
	return got;
}

static int wait_epoll(struct pool *p, int ep, int64_t t[3])
{
	int got = -ETIMEDOUT, r;
	int64_t t1, t2;

	t1 = now_ns();
	r = epoll_wait(ep, p->ev, (int)(sizeof p->ev / sizeof p->ev[0]), WAIT_MS);
	if (r < 0)
		return -errno;
	t2 = now_ns();
	for (int i = 0; i < r; i++)
		got = p->ev[i].data.fd;
	t[T_SYS] = t2 - t1;
	t[T_USER] = now_ns() - t2;
	return got;
}

/* The ready descriptor's position moves by a stride prime to n, so it
 * visits every position and is never the same one twice in a row.  The
 * kernel stops queueing itself on sockets after the first ready one, so the
 * position matters; this spreads it evenly. */
static uint64_t stride_for(int n)
{
	uint64_t s = (uint64_t)n * 618 / 1000 + 1, a, b, r;

	for (;; s++) {
		for (a = s, b = (uint64_t)n; b != 0; r = a % b, a = b, b = r)
			;
		if (a == 1)
			return s;
	}
}

/* One wait, the byte sent before and read back after, neither timed. */
static int wait_one(struct pool *p, int m, int si, int n, int pos,
		    int64_t t[3])
{
	char c = 'x';
	int got;

	if (sendto(p->tx, &c, 1, 0, (struct sockaddr *)&p->addr[pos].sa,
		   p->addr[pos].len) != 1)
		return -errno;
	if (m == M_SELECT)
		got = wait_select(p, n, t);
	else if (m == M_POLL)
		got = wait_poll(p, n, t);
	else
		got = wait_epoll(p, p->ep[si], t);
	if (got < 0)
		return got;
	if (got != p->w[pos])
		return -EIO;
	if (recv(p->w[pos], &c, 1, MSG_DONTWAIT) != 1)
		return -errno;
	t[T_TOTAL] = t[T_SYS] + t[T_USER];
	return 0;
}

/* A batch of waits; med gets the median total, syscall and user times.
 * The first few are not kept: they warm the caches and empty epoll's ready
 * list of sockets written during other batches (each socket is in the epoll
 * instance of every size that includes it). */
static int batch(struct pool *p, int m, int si, int n, int64_t med[3],
		 char *cause, size_t len)
{
	uint64_t stride = stride_for(n);
	int64_t t[3];
	int err;

	for (int k = -WARMUP; k < BATCH; k++) {
		err = wait_one(p, m, si, n, (int)(p->iter++ * stride % n), t);
		if (err < 0) {
			snprintf(cause, len, "%s at %d fds: %s",
				 mux_bench__model_name[m],
				 n, err == -EIO ? "found the wrong descriptor "
				 "ready" : strerror(-err));
			return err;
		}
		for (int j = 0; k >= 0 && j < 3; j++)
			p->t[j][k] = t[j];
	}
	for (int j = 0; j < 3; j++)
		med[j] = pct(p->t[j], BATCH, 0.5);
	return 0;
}

/* At the first EMFILE, raise the soft RLIMIT_NOFILE to the hard limit
 * (restored by pool_close).  Returns whether to try again. */
static int raise_limit(struct pool *p)
{
	struct rlimit rl;

	if (p->raised || getrlimit(RLIMIT_NOFILE, &p->old) < 0 ||
	    p->old.rlim_cur >= p->old.rlim_max)
		return 0;
	rl = p->old;
	rl.rlim_cur = rl.rlim_max;
	p->raised = setrlimit(RLIMIT_NOFILE, &rl) == 0;
	return p->raised;
}

/* Open up to want watched sockets, lowest numbers first; stop short at a
 * limit and leave room for reserve more descriptors. */
static int pool_open(struct pool *p, int want, int reserve)
{
	int s;

	p->fd = calloc((size_t)want, sizeof *p->fd);
	p->addr = calloc((size_t)want, sizeof *p->addr);
	if (p->fd == NULL || p->addr == NULL)
		return -ENOMEM;
	for (; p->nfd < want; p->nfd++) {
		s = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (s < 0 && errno == EMFILE && raise_limit(p))
			s = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK |
				   SOCK_CLOEXEC, 0);
		if (s < 0) {
			p->err = errno;
			break;
		}
		p->fd[p->nfd] = s;
		/* Binding only the family autobinds a unique abstract name
		 * (unix(7)), which the sender can address. */
		p->addr[p->nfd].sa.sun_family = AF_UNIX;
		p->addr[p->nfd].len = sizeof p->addr[p->nfd].sa;
		if (bind(s, (struct sockaddr *)&p->addr[p->nfd].sa,
			 sizeof(sa_family_t)) < 0 ||
		    getsockname(s, (struct sockaddr *)&p->addr[p->nfd].sa,
				&p->addr[p->nfd].len) < 0) {
			p->err = errno;
			close(s);
			break;
		}
	}
	while (p->err != 0 && reserve-- > 0 && p->nfd > 0)
		close(p->fd[--p->nfd]);
	return p->nfd > 0 ? 0 : -p->err;
}

/* The watched sockets at numbers >= low: F_DUPFD takes the lowest free
 * number >= its argument, so one after the other they ascend.  Past the
 * soft RLIMIT_NOFILE (EINVAL: the argument; EMFILE: no number left) the
 * soft limit is raised once.  Returns 0 or -errno, with cause. */
static int pool_low(struct pool *p, int li, int low, char *cause, size_t len)
{
	int d;

	p->lfd[li] = p->fd;
	if (p->nfd > 0 && p->fd[0] >= low)
		return 0;           /* the lowest free numbers are high enough */
	if ((p->lfd[li] = calloc((size_t)p->nfd, sizeof *p->lfd[li])) == NULL)
		return -ENOMEM;
	for (int i = 0; i < p->nfd; i++) {
		d = fcntl(p->fd[i], F_DUPFD_CLOEXEC, low);
		if (d < 0 && (errno == EMFILE || errno == EINVAL) && raise_limit(p))
			d = fcntl(p->fd[i], F_DUPFD_CLOEXEC, low);
		if (d < 0) {
			d = errno;
			snprintf(cause, len, "--low %d: cannot place fd %d at %d or "
				 "above: %s", low, i + 1, low, strerror(d));
			return -d;
		}
		p->lfd[li][p->ndup[li]++] = d;
	}
	return 0;
}

/* Every low's descriptors and poll array. */
static int pool_lows(struct pool *p, const struct plan *pl, char *cause,
		     size_t len)
{
	int err;

	for (int li = 0; li < pl->nlows; li++) {
		if ((err = pool_low(p, li, pl->lows[li], cause, len)) < 0)
			return err;
		p->lpfd[li] = calloc((size_t)p->nfd + 1, sizeof *p->lpfd[li]);
		if (p->lpfd[li] == NULL)
			return -ENOMEM;
		for (int i = 0; i < p->nfd; i++)
			p->lpfd[li][i] = (struct pollfd){ .fd = p->lfd[li][i],
							  .events = POLLIN };
	}
	return 0;
}

/* The sender and one epoll instance per case, all N registered once. */
static int pool_extras(struct pool *p, const struct plan *pl, int epoll)
{
	struct epoll_event ev = { .events = EPOLLIN };
	const int *w;
	int n;

	p->tx = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->tx < 0)
		return -errno;
	for (int si = 0; epoll && si < pl->nsizes; si++) {
		if ((n = pl->fds[si]) > p->nfd)
			continue;
		if ((p->ep[si] = epoll_create1(EPOLL_CLOEXEC)) < 0)
			return -errno;
		w = p->lfd[pl->li[si]];
		for (int i = 0; i < n; i++) {
			ev.data.fd = w[i];
			if (epoll_ctl(p->ep[si], EPOLL_CTL_ADD, w[i], &ev) < 0)
				return -errno;
		}
	}
	return 0;
}

static void pool_close(struct pool *p)
{
	for (int li = 0; li < MUX_BENCH_MAX_LOWS; li++) {
		for (int i = 0; i < p->ndup[li]; i++)
			close(p->lfd[li][i]);
		if (p->lfd[li] != p->fd)
			free(p->lfd[li]);
		free(p->lpfd[li]);
	}
	for (int i = 0; i < p->nfd; i++)
		close(p->fd[i]);
	for (int si = 0; si < MUX_BENCH_MAX_SIZES; si++)
		if (p->ep[si] >= 0)
			close(p->ep[si]);
	if (p->tx >= 0)
		close(p->tx);
	free(p->fd);
	free(p->addr);
	if (p->raised)
		setrlimit(RLIMIT_NOFILE, &p->old);
}

/* Why model j cannot run at size si, into pl->skip; empty if it can. */
static void plan_skips(struct plan *pl, const struct pool *p)
{
	struct rlimit rl = { 0, 0 };
	char why[64];
	int n;

	getrlimit(RLIMIT_NOFILE, &rl);
	for (int si = 0; si < pl->nsizes; si++) {
		n = pl->fds[si];
		why[0] = '\0';
		if ((pl->size_skip[si] = n > p->nfd) && p->err == EMFILE)
			snprintf(why, sizeof why, "RLIMIT_NOFILE %s limit %llu",
				 rl.rlim_cur < rl.rlim_max ? "soft" : "hard",
				 (unsigned long long)rl.rlim_cur);
		else if (n > p->nfd)
			snprintf(why, sizeof why, "socket: %s", strerror(p->err));
		pl->maxfd[si] = pl->size_skip[si] ? -1 : p->lfd[pl->li[si]][n - 1];
		for (int j = 0; j < pl->nmodels; j++) {
			snprintf(pl->skip[j][si], sizeof pl->skip[j][si], "%s", why);
			if (!pl->size_skip[si] && pl->model[j] == M_SELECT &&
			    pl->maxfd[si] >= FD_SETSIZE)
				snprintf(pl->skip[j][si], sizeof pl->skip[j][si],
					 "descriptors reach %d, not below "
					 "FD_SETSIZE %d", pl->maxfd[si], FD_SETSIZE);
		}
	}
}

/* Round r: for each size, each model, one batch.  The model order turns
 * with the round so that none always runs right after another. */
static int plan_round(struct plan *pl, struct pool *p, int r, char *cause,
		      size_t len)
{
	int64_t *med;
	int err, j;

	for (int si = 0; si < pl->nsizes; si++) {
		for (int k = 0; k < pl->nmodels; k++) {
			j = (k + r) % pl->nmodels;
			if (pl->skip[j][si][0] != '\0')
				continue;
			med = pl->med + (((size_t)j * pl->nsizes + si) *
					 pl->rounds + r) * 3;
			p->w = p->lfd[pl->li[si]];
			p->wpfd = p->lpfd[pl->li[si]];
			err = batch(p, pl->model[j], si, pl->fds[si], med,
				    cause, len);
			if (err < 0)
				return err;
		}
	}
	return 0;
}

/* Median of the rounds' medians, and their spread. */
static void plan_sum(struct plan *pl)
{
	int64_t v[MUX_BENCH_MAX_ROUNDS];

	for (int j = 0; j < pl->nmodels; j++) {
		for (int si = 0; si < pl->nsizes; si++) {
			int64_t *med = pl->med + ((size_t)j * pl->nsizes + si) *
				       pl->rounds * 3;

			for (int t = 2; t >= 0; t--) {
				for (int r = 0; r < pl->rounds; r++)
					v[r] = med[r * 3 + t];
				pl->fin[j][si][t] = pct(v, pl->rounds, 0.5);
			}
			/* v holds the totals now. */
			pl->spread[j][si] = pl->fin[j][si][0] <= 0 ? 0 :
				100.0 * (double)(pct(v, pl->rounds, 0.9) -
				pct(v, pl->rounds, 0.1)) /
				(double)pl->fin[j][si][0];
		}
	}
}

/* The cases: each size at each low, sizes outer, lows inner. */
static int plan_cases(struct plan *pl, const struct mux_bench_opts *o,
		      char *cause, size_t len)
{
	const int *sizes = o->fds && o->nsizes > 0 ? o->fds : default_fds;
	int nsizes = o->fds && o->nsizes > 0 ? o->nsizes :
		     (int)(sizeof default_fds / sizeof default_fds[0]);

	pl->lows_given = o->lows != NULL && o->nlows > 0;
	pl->nlows = pl->lows_given ? o->nlows : 1;
	if (nsizes < 1 || pl->nlows > MUX_BENCH_MAX_LOWS ||
	    nsizes > MUX_BENCH_MAX_SIZES / pl->nlows) {
		snprintf(cause, len, "at most %d sizes x lows, and %d lows",
			 MUX_BENCH_MAX_SIZES, MUX_BENCH_MAX_LOWS);
		return -EINVAL;
	}
	for (int li = 0; li < pl->nlows; li++) {
		pl->lows[li] = pl->lows_given ? o->lows[li] : 0;
		if (pl->lows[li] < 0 || pl->lows[li] > MUX_BENCH_MAX_LOW) {
			snprintf(cause, len, "a low is from 0 to %d, got %d",
				 MUX_BENCH_MAX_LOW, pl->lows[li]);
			return -EINVAL;
		}
	}
	for (int si = 0; si < nsizes; si++) {
		if (sizes[si] < 1 || sizes[si] > MUX_BENCH_MAX_FDS) {
			snprintf(cause, len, "a size is from 1 to %d fds, got %d",
				 MUX_BENCH_MAX_FDS, sizes[si]);
			return -EINVAL;
		}
		for (int li = 0; li < pl->nlows; li++, pl->nsizes++) {
			pl->case_fds[pl->nsizes] = sizes[si];
			pl->low[pl->nsizes] = pl->lows[li];
			pl->li[pl->nsizes] = li;
		}
	}
	pl->fds = pl->case_fds;
	return 0;
}

static int plan_init(struct plan *pl, const struct mux_bench_opts *o,
		     char *cause, size_t len)
{
	int m, err;

	pl->rounds = o->rounds ? o->rounds : DEF_ROUNDS;
	pl->nmodels = o->models && o->nmodels > 0 ? o->nmodels : 3;
	if (pl->nmodels > 3 || pl->rounds < 1 ||
	    pl->rounds > MUX_BENCH_MAX_ROUNDS) {
		snprintf(cause, len, "at most %d sizes, 3 models and %d rounds",
			 MUX_BENCH_MAX_SIZES, MUX_BENCH_MAX_ROUNDS);
		return -EINVAL;
	}
	if ((err = plan_cases(pl, o, cause, len)) < 0)
		return err;
	for (int j = 0; j < pl->nmodels; j++) {
		m = o->models && o->nmodels > 0 ?
		    mux_bench__model_index(o->models[j], strlen(o->models[j])) : j;
		for (int k = 0; m >= 0 && k < j; k++)
			if (pl->model[k] == m)
				m = -1;
		if (m < 0)
			return mux_bench__fail(cause, len, "expected select, "
					       "poll or epoll, each at most once",
					       o->models[j], strlen(o->models[j]));
		pl->model[j] = m;
	}
	return 0;
}

/* The highest low's descriptors must fit under the hard RLIMIT_NOFILE:
 * say so plainly before opening anything; under the soft one only, raise
 * it (pool_close puts it back). */
static int plan_fit_lows(const struct plan *pl, struct pool *p, int maxn,
			 char *cause, size_t len)
{
	struct rlimit rl;
	int top = 0;

	for (int li = 0; li < pl->nlows; li++)
		top = pl->lows[li] > top ? pl->lows[li] : top;
	if (top == 0 || getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 0;
	if ((rlim_t)top + (rlim_t)maxn > rl.rlim_max) {
		snprintf(cause, len, "--low %d with %d fds needs descriptors up to "
			 "%d, but RLIMIT_NOFILE's hard limit is %llu (descriptors "
			 "0 to %llu); use a lower --low or fewer --fds, or raise "
			 "the hard limit (ulimit -Hn, as root)", top, maxn,
			 top + maxn - 1, (unsigned long long)rl.rlim_max,
			 (unsigned long long)rl.rlim_max - 1);
		return -EINVAL;
	}
	if ((rlim_t)top + (rlim_t)maxn + 8 > rl.rlim_cur)
		raise_limit(p);
	return 0;
}

static int plan_measure(struct plan *pl, struct pool *p, char *cause,
			size_t len)
{
	int err = 0, maxn = 0, epoll = 0;

	for (int si = 0; si < pl->nsizes; si++)
		maxn = pl->fds[si] > maxn ? pl->fds[si] : maxn;
	for (int j = 0; j < pl->nmodels; j++)
		epoll |= pl->model[j] == M_EPOLL;
	if ((err = plan_fit_lows(pl, p, maxn, cause, len)) < 0)
		return err;
	if ((err = pool_open(p, maxn, pl->nsizes + 1)) < 0) {
		snprintf(cause, len, "cannot open the sockets: %s",
			 strerror(-err));
		return err;
	}
	if ((err = pool_lows(p, pl, cause, len)) < 0)
		return err;
	if ((err = pool_extras(p, pl, epoll)) < 0) {
		snprintf(cause, len, "cannot open the sockets: %s",
			 strerror(-err));
		return err;
	}
	plan_skips(pl, p);
	pl->med = calloc((size_t)pl->nmodels * pl->nsizes * pl->rounds * 3,
			 sizeof *pl->med);
	if (pl->med == NULL)
		return -ENOMEM;
	for (int r = 0; r < pl->rounds && err == 0; r++)
		err = plan_round(pl, p, r, cause, len);
	return err;
}

int mux_bench_run(const struct mux_bench_opts *o, FILE *out, char *cause,
		  size_t len)
{
	struct plan pl;
	struct pool p;
	int64_t t0 = now_ns();
	int err;

	memset(&pl, 0, sizeof pl);
	memset(&p, 0, sizeof p);
	p.tx = -1;
	for (int si = 0; si < MUX_BENCH_MAX_SIZES; si++)
		p.ep[si] = -1;
	if ((err = plan_init(&pl, o, cause, len)) == 0 &&
	    (err = plan_measure(&pl, &p, cause, len)) == 0) {
		plan_sum(&pl);
		if (o->csv)
			mux_bench__put_csv(out, &pl);
		else
			mux_bench__put_table(out, &pl, (double)(now_ns() - t0) / 1e9);
		err = fflush(out) == 0 ? 0 : -errno;
	}
	if (err == -ENOMEM)
		snprintf(cause, len, "out of memory");
	pool_close(&p);
	free(pl.med);
	return err;
}
