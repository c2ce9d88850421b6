/* seek.c: packed copies of the folded view, and folding on from them. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trace/seek.h"

#define SEEK_USERS 8              /* views of callers folded on in place */

struct copy {
	size_t n;                     /* events folded in */
	void *packed;                 /* view_pack's */
};

struct seek {
	uint64_t serial;              /* of the trace followed; 0: none */
	const struct trace *t;
	struct view b;                /* the fold the copies are taken from */
	struct view_more bmore;
	size_t next_at;               /* the next copy's event */
	struct copy *copies;
	size_t ncopies, cap, bytes;
	const struct view *users[SEEK_USERS];   /* seek_view's results */
	int nusers, next_user;
	uint64_t applied;
};

struct seek *seek_new(void)
{
	return calloc(1, sizeof(struct seek));
}

void seek_forget(struct seek *sk)
{
	for (size_t i = 0; i < sk->ncopies; i++)
		free(sk->copies[i].packed);
	sk->ncopies = 0;
	sk->bytes = 0;
	sk->serial = 0;
	sk->t = NULL;
	sk->next_at = 0;
	sk->nusers = sk->next_user = 0;
}

void seek_free(struct seek *sk)
{
	if (sk == NULL)
		return;
	seek_forget(sk);
	free(sk->copies);
	view_more_free(&sk->bmore);
	free(sk);
}

uint64_t seek_applied(const struct seek *sk)
{
	return sk->applied;
}

size_t seek_copies(const struct seek *sk, size_t *bytes)
{
	if (bytes != NULL)
		*bytes = sk->bytes;
	return sk->ncopies;
}

/* The builder's room follows the trace's actors (a live run announces
 * more): as a fold from the first event with room for all of them. */
static int fit_builder(struct seek *sk)
{
	if (view_more_fit(&sk->bmore, sk->t) != 0)
		return -ENOMEM;
	if (sk->bmore.cap > 0)
		sk->b.more = &sk->bmore;
	return 0;
}

static int start(struct seek *sk, const struct trace *t)
{
	seek_forget(sk);
	sk->t = t;
	sk->serial = trace_serial(t);
	if (view_more_fit(&sk->bmore, t) != 0)
		return -ENOMEM;
	view_reset_more(&sk->b, t, &sk->bmore);
	return 0;
}

static int push_copy(struct seek *sk)
{
	size_t bytes = view_pack_size(&sk->b), gap;
	void *p;

	if (sk->ncopies == sk->cap) {
		size_t cap = sk->cap ? 2 * sk->cap : 64;
		struct copy *c = realloc(sk->copies, cap * sizeof *c);

		if (c == NULL)
			return -ENOMEM;
		sk->copies = c;
		sk->cap = cap;
	}
	if ((p = malloc(bytes)) == NULL)
		return -ENOMEM;
	view_pack(&sk->b, p);
	sk->copies[sk->ncopies++] = (struct copy){ sk->b.n, p };
	sk->bytes += bytes;
	gap = bytes / SEEK_BYTES_PER_EV;
	sk->next_at = sk->b.n + (gap > SEEK_EVERY ? gap : SEEK_EVERY);
	return 0;
}

/* Copies up to n (clamped to the count): the builder folds on to each. */
static int extend(struct seek *sk, size_t n)
{
	size_t count = trace_count(sk->t);

	if (n > count)
		n = count;
	if (sk->ncopies == 0 && push_copy(sk) != 0)   /* the empty view */
		return -ENOMEM;
	if (sk->next_at > n)
		return 0;
	if (fit_builder(sk) != 0)
		return -ENOMEM;
	while (sk->next_at <= n) {
		sk->applied += sk->next_at - sk->b.n;
		view_fold_on(&sk->b, sk->next_at);
		if (push_copy(sk) != 0)
			return -ENOMEM;
	}
	return 0;
}

/* The last copy at or before n (copies[0] is at 0). */
static const struct copy *nearest(const struct seek *sk, size_t n)
{
	size_t lo = 0, hi = sk->ncopies;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (sk->copies[mid].n <= n)
			lo = mid;
		else
			hi = mid;
	}
	return &sk->copies[lo];
}

static bool is_user(const struct seek *sk, const struct view *v)
{
	for (int i = 0; i < sk->nusers; i++)
		if (sk->users[i] == v)
			return true;
	return false;
}

static void add_user(struct seek *sk, const struct view *v)
{
	if (is_user(sk, v))
		return;
	if (sk->nusers < SEEK_USERS) {
		sk->users[sk->nusers++] = v;
		return;
	}
	sk->users[sk->next_user] = v;
	sk->next_user = (sk->next_user + 1) % SEEK_USERS;
}

/* Whether v can be folded on to n: an earlier result for this trace,
 * not past n, with more as its room. */
static bool reusable(const struct seek *sk, const struct view *v, size_t n,
		     const struct view_more *more)
{
	const struct view_more *room = more != NULL && more->cap > 0 ? more : NULL;

	return is_user(sk, v) && v->t == sk->t && v->n <= n && v->more == room;
}

/* The trace changed (another serial), or shrank (only another trace can:
 * traces grow), or nothing is followed yet. */
static bool other_trace(const struct seek *sk, const struct trace *t)
{
	return sk->t != t || sk->serial != trace_serial(t) ||
	       (sk->ncopies > 0 && sk->copies[sk->ncopies - 1].n > trace_count(t));
}

int seek_view(struct seek *sk, const struct trace *t, size_t n, struct view *v,
	      struct view_more *more)
{
	const struct copy *c;
	size_t count = trace_count(t);
	bool fitted = more == NULL || view_more_fit(more, t) == 0;

	if (n > count)
		n = count;
	if (!fitted || (other_trace(sk, t) && start(sk, t) != 0) || extend(sk, n) != 0) {
		if (sk->t == t)
			seek_forget(sk);
		view_fold_more(v, t, n, more);
		sk->applied += n;
		return -ENOMEM;
	}
	c = nearest(sk, n);
	if (!reusable(sk, v, n, more) || v->n < c->n) {
		if (view_unpack(v, c->packed, more) != 0) {   /* more is fitted: never */
			view_fold_more(v, t, n, more);
			sk->applied += n;
			return -ENOSPC;
		}
		sk->applied++;
	}
	sk->applied += n - v->n;
	view_fold_on(v, n);
	add_user(sk, v);
	return 0;
}
