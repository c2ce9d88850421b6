/* store.c: events as a 32-byte hot record and the cold fields they have
 * (see store.h for the layout and why). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trace/store.h"

_Static_assert(sizeof(struct store_hot) == 32, "a hot record is 32 bytes");
_Static_assert(sizeof(const char *) % 4 == 0, "a pointer is whole cold words");

/* The cold fields, in the order they follow one another; each is there
 * when its bit is set in the hot record's has. */
enum store_cold {
	STORE_C_WIDE  = 1u << 0,   /* ret (64), err (32), call (16): 4 words */
	STORE_C_STEP  = 1u << 1,   /* step, when not -1 */
	STORE_C_COUNT = 1u << 2,
	STORE_C_DUR   = 1u << 3,   /* dur_ns: 2 words */
	STORE_C_TID   = 1u << 4,
	STORE_C_N     = 1u << 5,   /* n (caps) */
	STORE_C_ARG   = 1u << 6,   /* arg (pid) */
	STORE_C_COST  = 1u << 7,   /* polled, copied_in, copied_out */
	STORE_C_SETS  = 1u << 8,
	STORE_C_FDS   = 1u << 9,   /* nfds | outs << 16, fds_more, the listed fds */
	STORE_C_STR0  = 1u << 10,  /* syscall (model): its index in names */
	STORE_C_WCHAN = 1u << 11,  /* its index in names */
	STORE_C_TEXT0 = 1u << 12,
	STORE_C_TEXT1 = 1u << 13,
};

#define PTR_WORDS (sizeof(const char *) / 4)
#define HOT_FIRST 256          /* events the hot array starts with */
#define COLD_FIRST 1024        /* words the cold arena starts with */

static unsigned listed(const struct trace_ev *ev)
{
	return ev->nfds < TRACE_FDS_INLINE ? ev->nfds : TRACE_FDS_INLINE;
}

static unsigned cold_has(const struct trace_ev *ev)
{
	unsigned has = 0;

	if (ev->ret != (int32_t)ev->ret || ev->err != (int16_t)ev->err ||
	    ev->call > UINT8_MAX)
		has |= STORE_C_WIDE;
	has |= ev->step != -1 ? STORE_C_STEP : 0;
	has |= ev->count != 0 ? STORE_C_COUNT : 0;
	has |= ev->dur_ns != 0 ? STORE_C_DUR : 0;
	has |= ev->tid != 0 ? STORE_C_TID : 0;
	has |= ev->n != 0 ? STORE_C_N : 0;
	has |= ev->arg != 0 ? STORE_C_ARG : 0;
	if (ev->polled != 0 || ev->copied_in != 0 || ev->copied_out != 0)
		has |= STORE_C_COST;
	has |= ev->sets != 0 ? STORE_C_SETS : 0;
	if (ev->nfds != 0 || ev->outs != 0 || ev->fds_more != 0)
		has |= STORE_C_FDS;
	has |= ev->syscall != NULL ? STORE_C_STR0 : 0;
	has |= ev->wchan != NULL ? STORE_C_WCHAN : 0;
	has |= ev->text[0] != NULL ? STORE_C_TEXT0 : 0;
	has |= ev->text[1] != NULL ? STORE_C_TEXT1 : 0;
	return has;
}

static size_t cold_words(const struct trace_ev *ev, unsigned has)
{
	static const unsigned char words[] = {
		4, 1, 1, 2, 1, 1, 1, 3, 1, 2, 1, 1, PTR_WORDS, PTR_WORDS,
	};
	size_t n = 0;

	for (unsigned b = 0; b < sizeof words; b++)
		if (has & (1u << b))
			n += words[b];
	return n + ((has & STORE_C_FDS) ? listed(ev) : 0);
}

struct store_plan store_plan(const struct trace_ev *ev)
{
	unsigned has = cold_has(ev);

	return (struct store_plan){ has, cold_words(ev, has) };
}

size_t store_plan_bytes(const struct store_plan *p)
{
	return sizeof(struct store_hot) + 4 * p->words;
}

size_t store_ev_bytes(const struct trace_ev *ev)
{
	struct store_plan p = store_plan(ev);

	return store_plan_bytes(&p);
}

size_t store_bytes(const struct store *s)
{
	return s->n * sizeof *s->hot + s->ncold * sizeof *s->cold +
	       s->nnames * sizeof *s->names + s->nslots * sizeof *s->slot;
}

/* ---- the table of names ---- */

static uint32_t name_hash(const char *p, uint32_t mask)
{
	uint64_t h = (uint64_t)(uintptr_t)p * UINT64_C(0x9e3779b97f4a7c15);

	return (uint32_t)(h >> 32) & mask;
}

/* The slot of name p: where its index + 1 is, or the free one it would
 * take.  The table is never full (at most half). */
static uint32_t *name_slot(const struct store *s, const char *p)
{
	uint32_t mask = s->nslots - 1, i = name_hash(p, mask);

	while (s->slot[i] != 0 && s->names[s->slot[i] - 1] != p)
		i = (i + 1) & mask;
	return &s->slot[i];
}

/* Twice the slots, the names placed again. */
static int names_rehash(struct store *s)
{
	uint32_t n = s->nslots ? s->nslots * 2 : 64, *old = s->slot, oldn = s->nslots;

	if (n > UINT32_MAX / 2 || (s->slot = calloc(n, sizeof *s->slot)) == NULL) {
		s->slot = old;
		return -ENOMEM;
	}
	s->nslots = n;
	for (uint32_t i = 0; i < oldn; i++)
		if (old[i] != 0)
			*name_slot(s, s->names[old[i] - 1]) = old[i];
	free(old);
	return 0;
}

/* p in the table (NULL needs none): 0 or -ENOMEM. */
static int name_add(struct store *s, const char *p)
{
	uint32_t *slot;

	if (p == NULL || (s->nslots > 0 && *name_slot(s, p) != 0))
		return 0;
	if ((s->nnames + 1) * 2 > s->nslots && names_rehash(s) != 0)
		return -ENOMEM;
	if (s->nnames == s->names_cap) {
		uint32_t cap = s->names_cap ? s->names_cap * 2 : 32;
		const char **a = cap < UINT32_MAX / 2 ? realloc(s->names, cap * sizeof *a) : NULL;

		if (a == NULL)
			return -ENOMEM;
		s->names = a;
		s->names_cap = cap;
	}
	slot = name_slot(s, p);
	s->names[s->nnames++] = p;
	*slot = s->nnames;
	return 0;
}

/* p's index: it is in the table (store_reserve put it there). */
static uint32_t name_index(const struct store *s, const char *p)
{
	return *name_slot(s, p) - 1;
}

/* Room for need more items of size bytes in *arr (cap of them, n used):
 * double, but not past what max_bytes could hold. */
static int grow(void **arr, size_t *cap, size_t n, size_t need, size_t size,
		size_t first, size_t max_bytes)
{
	size_t c = *cap ? *cap * 2 : first;
	void *a;

	if (n + need <= *cap)
		return 0;
	if (c > max_bytes / size)
		c = max_bytes / size;
	if (c < n + need)
		c = n + need;
	if (c > SIZE_MAX / size || (a = realloc(*arr, c * size)) == NULL)
		return -ENOMEM;
	*arr = a;
	*cap = c;
	return 0;
}

int store_reserve(struct store *s, const struct trace_ev *ev, const struct store_plan *p,
		  size_t max_bytes)
{
	size_t words = p->words;

	if (s->ncold + words > UINT32_MAX)
		return -ENOMEM;
	if (name_add(s, ev->syscall) != 0 || name_add(s, ev->wchan) != 0)
		return -ENOMEM;
	if (grow((void **)&s->hot, &s->cap, s->n, 1, sizeof *s->hot, HOT_FIRST,
		 max_bytes) != 0)
		return -ENOMEM;
	if (words > 0 && grow((void **)&s->cold, &s->coldcap, s->ncold, words,
			      sizeof *s->cold, COLD_FIRST, max_bytes) != 0)
		return -ENOMEM;
	return 0;
}

static uint32_t *put(uint32_t *w, const void *v, size_t bytes)
{
	memcpy(w, v, bytes);
	return w + bytes / 4;
}

static uint32_t *put_strings(const struct store *s, uint32_t *w, const struct trace_ev *ev)
{
	if (ev->syscall != NULL)
		*w++ = name_index(s, ev->syscall);
	if (ev->wchan != NULL)
		*w++ = name_index(s, ev->wchan);
	for (int i = 0; i < 2; i++)
		if (ev->text[i] != NULL)
			w = put(w, &ev->text[i], sizeof ev->text[i]);
	return w;
}

static void put_cold(const struct store *s, uint32_t *w, const struct trace_ev *ev,
		     unsigned has)
{
	if (has & STORE_C_WIDE) {
		uint32_t call = ev->call;

		w = put(w, &ev->ret, 8);
		w = put(w, &ev->err, 4);
		w = put(w, &call, 4);
	}
	if (has & STORE_C_STEP)
		w = put(w, &ev->step, 4);
	if (has & STORE_C_COUNT)
		w = put(w, &ev->count, 4);
	if (has & STORE_C_DUR)
		w = put(w, &ev->dur_ns, 8);
	if (has & STORE_C_TID)
		w = put(w, &ev->tid, 4);
	if (has & STORE_C_N)
		w = put(w, &ev->n, 4);
	if (has & STORE_C_ARG)
		w = put(w, &ev->arg, 4);
	if (has & STORE_C_COST) {
		w = put(w, &ev->polled, 4);
		w = put(w, &ev->copied_in, 4);
		w = put(w, &ev->copied_out, 4);
	}
	if (has & STORE_C_SETS)
		*w++ = ev->sets;
	if (has & STORE_C_FDS) {
		*w++ = ev->nfds | (uint32_t)ev->outs << 16;
		*w++ = ev->fds_more;
		w = put(w, ev->fd_list, 4 * listed(ev));
	}
	put_strings(s, w, ev);
}

void store_put(struct store *s, const struct trace_ev *ev, const struct store_plan *p)
{
	unsigned has = p->has;
	struct store_hot *h = &s->hot[s->n++];
	bool wide = (has & STORE_C_WIDE) != 0;

	*h = (struct store_hot){
		.t_ns = ev->t_ns, .fd = ev->fd, .actor = ev->actor,
		.ret = wide ? 0 : (int32_t)ev->ret, .err = wide ? 0 : (int16_t)ev->err,
		.call = wide ? 0 : (uint8_t)ev->call, .has = (uint16_t)has,
		.kind = ev->kind, .flags = ev->flags, .phase = ev->phase,
		.what = ev->what, .state = ev->state,
		.cold = (uint32_t)s->ncold,
	};
	if (has == 0)
		return;
	put_cold(s, s->cold + s->ncold, ev, has);
	s->ncold += p->words;
}

static const uint32_t *get(const uint32_t *w, void *v, size_t bytes)
{
	memcpy(v, w, bytes);
	return w + bytes / 4;
}

static void get_strings(const struct store *s, const uint32_t *w, struct trace_ev *e,
			unsigned has)
{
	if (has & STORE_C_STR0)
		e->syscall = s->names[*w++];
	if (has & STORE_C_WCHAN)
		e->wchan = s->names[*w++];
	if (has & STORE_C_TEXT0)
		w = get(w, &e->text[0], sizeof e->text[0]);
	if (has & STORE_C_TEXT1)
		get(w, &e->text[1], sizeof e->text[1]);
}

static void get_cold(const struct store *s, const uint32_t *w, struct trace_ev *e,
		     unsigned has)
{
	if (has & STORE_C_WIDE) {
		uint32_t call;

		w = get(w, &e->ret, 8);
		w = get(w, &e->err, 4);
		w = get(w, &call, 4);
		e->call = (uint16_t)call;
	}
	if (has & STORE_C_STEP)
		w = get(w, &e->step, 4);
	if (has & STORE_C_COUNT)
		w = get(w, &e->count, 4);
	if (has & STORE_C_DUR)
		w = get(w, &e->dur_ns, 8);
	if (has & STORE_C_TID)
		w = get(w, &e->tid, 4);
	if (has & STORE_C_N)
		w = get(w, &e->n, 4);
	if (has & STORE_C_ARG)
		w = get(w, &e->arg, 4);
	if (has & STORE_C_COST) {
		w = get(w, &e->polled, 4);
		w = get(w, &e->copied_in, 4);
		w = get(w, &e->copied_out, 4);
	}
	if (has & STORE_C_SETS)
		e->sets = (uint8_t)*w++;
	if (has & STORE_C_FDS) {
		e->nfds = (uint16_t)(*w & 0xffff);
		e->outs = (uint16_t)(*w++ >> 16);
		e->fds_more = *w++;
		w = get(w, e->fd_list, 4 * listed(e));
	}
	get_strings(s, w, e, has);
}

void store_get(const struct store *s, size_t i, struct trace_ev *e)
{
	const struct store_hot *h = &s->hot[i];

	memset(e, 0, sizeof *e);
	e->seq = i;
	e->t_ns = h->t_ns;
	e->fd = h->fd;
	e->ret = h->ret;
	e->err = h->err;
	e->actor = h->actor;
	e->kind = h->kind;
	e->flags = h->flags;
	e->call = h->call;
	e->phase = h->phase;
	e->what = h->what;
	e->state = h->state;
	e->step = -1;
	if (h->has != 0)
		get_cold(s, s->cold + h->cold, e, h->has);
}

void store_free(struct store *s)
{
	free(s->hot);
	free(s->cold);
	free(s->names);
	free(s->slot);
	*s = (struct store){ 0 };
}
