/* trace.c: the event array, its header and the string pool.
 *
 * Events are held compactly (store.h: 32 bytes and the fields each has,
 * not 176 for every kind), so trace_at decodes: into a ring of
 * TRACE_AT_KEEP copies owned by the trace, whose pointers stay valid for
 * the next TRACE_AT_KEEP calls.  Under AddressSanitizer each copy is a heap
 * block of its own, freed when its slot is reused, so a caller that holds
 * one longer reads freed memory and the sanitizer says where. */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trace/store.h"
#include "trace/trace.h"

#if defined(__SANITIZE_ADDRESS__)
#define AT_HEAP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AT_HEAP 1
#endif
#endif

#define POOL_CHUNK 4096
#define HASH_SIZE  1024
/* Lost events that still fit past the cap, in bytes: as many as 80
 * uncompressed events took (one per actor, and then some), 14 KiB. */
#define LOST_RESERVE ((TRACE_MAX_ACTORS + 16) * sizeof(struct trace_ev))

struct pool_str {
	struct pool_str *next;
	char s[];
};

/* trace_at's decoded copies: slot next % TRACE_AT_KEEP is the next used. */
struct at_ring {
	unsigned next;
#ifdef AT_HEAP
	struct trace_ev *slot[TRACE_AT_KEEP];
#else
	struct trace_ev slot[TRACE_AT_KEEP];
#endif
};

struct trace {
	struct trace_hdr hdr;
	int actors_cap;           /* room in hdr.actors */
	struct store ev;
	struct at_ring *at;
	/* The step index: where the highest step so far rises (trace_steps;
	 * the first event always does, so its last entry is the top). */
	struct trace_step *steps;
	size_t nsteps, steps_cap;
	uint64_t serial;
	uint64_t lost;
	int nbegun;               /* actors whose life began: the header's, then
	                             the announced ones whose begin was appended */
	size_t pool;              /* bytes of interned strings */
	size_t max_mem;           /* events (used) + pool may not pass it */
	int full;
	struct pool_str *hash[HASH_SIZE];
	/* Actors by name (trace_find_actor): index + 1 by hash_str of the
	 * name, 0 free; open addressing, a power of two at most half full. */
	int *names;
	size_t names_cap;
	uint64_t name_probes;     /* names compared, for tests */
};

/* Traces made by this process, for trace_serial. */
static _Atomic uint64_t serials;

static struct at_ring *at_new(void)
{
	struct at_ring *r = calloc(1, sizeof *r);

#ifdef AT_HEAP
	for (int i = 0; r != NULL && i < TRACE_AT_KEEP; i++)
		if ((r->slot[i] = malloc(sizeof *r->slot[i])) == NULL) {
			while (i-- > 0)
				free(r->slot[i]);
			free(r);
			r = NULL;
		}
#endif
	return r;
}

static void at_free(struct at_ring *r)
{
#ifdef AT_HEAP
	for (int i = 0; r != NULL && i < TRACE_AT_KEEP; i++)
		free(r->slot[i]);
#endif
	free(r);
}

/* The next slot, its previous copy expired.  Under ASan the copy moves to
 * a new block and the old one is freed (kept when malloc fails: that
 * call is then not checked). */
static struct trace_ev *at_slot(struct at_ring *r)
{
	unsigned k = r->next++ % TRACE_AT_KEEP;
#ifdef AT_HEAP
	struct trace_ev *e = malloc(sizeof *e);

	if (e != NULL) {
		free(r->slot[k]);
		r->slot[k] = e;
	}
	return r->slot[k];
#else
	return &r->slot[k];
#endif
}

struct trace *trace_new(void)
{
	struct trace *t = calloc(1, sizeof *t);

	if (t == NULL)
		return NULL;
	t->hdr.speed = 1.0;
	t->max_mem = TRACE_MAX_MEM;
	t->serial = atomic_fetch_add(&serials, 1) + 1;
	if ((t->at = at_new()) == NULL) {
		free(t);
		return NULL;
	}
	t->hdr.scenario = t->hdr.kernel = t->hdr.started = trace_intern(t, "");
	if (t->hdr.scenario == NULL || trace_add_actor(t, "world", "", 0, "", "") != 0) {
		trace_free(t);
		return NULL;
	}
	return t;
}

void trace_free(struct trace *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < HASH_SIZE; i++) {
		struct pool_str *p = t->hash[i], *next;

		for (; p != NULL; p = next) {
			next = p->next;
			free(p);
		}
	}
	free(t->hdr.actors);
	free(t->names);
	store_free(&t->ev);
	free(t->steps);
	at_free(t->at);
	free(t);
}

static unsigned hash_str(const char *s)
{
	unsigned h = 2166136261u;     /* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

const char *trace_intern(struct trace *t, const char *s)
{
	unsigned h;
	struct pool_str *p;
	size_t len;

	if (s == NULL)
		s = "";
	h = hash_str(s) % HASH_SIZE;
	for (p = t->hash[h]; p != NULL; p = p->next)
		if (strcmp(p->s, s) == 0)
			return p->s;
	len = strlen(s);
	if (trace_mem(t) + sizeof *p + len + 1 > t->max_mem) {
		t->full = 1;
		return NULL;
	}
	p = malloc(sizeof *p + len + 1);
	if (p == NULL)
		return NULL;
	memcpy(p->s, s, len + 1);
	p->next = t->hash[h];
	t->hash[h] = p;
	t->pool += sizeof *p + len + 1;
	return p->s;
}

struct trace_hdr *trace_hdr(struct trace *t) { return &t->hdr; }
const struct trace_hdr *trace_hdr_c(const struct trace *t) { return &t->hdr; }

/* Room for one more actor: the table doubles from 4 (a world and two
 * readers fit at once). */
static int actors_grow(struct trace *t)
{
	struct trace_actor *a;
	int cap;

	if (t->hdr.nactors >= TRACE_ACTORS_LIMIT)
		return -ENOSPC;
	if (t->hdr.nactors < t->actors_cap)
		return 0;
	cap = t->actors_cap ? t->actors_cap * 2 : 4;
	cap = cap < TRACE_ACTORS_LIMIT ? cap : TRACE_ACTORS_LIMIT;
	if ((a = realloc(t->hdr.actors, (size_t)cap * sizeof *a)) == NULL)
		return -ENOMEM;
	t->hdr.actors = a;
	t->actors_cap = cap;
	return 0;
}

static void names_put(int *names, size_t cap, const char *name, int a)
{
	size_t i;

	for (i = hash_str(name) & (cap - 1); names[i] != 0; i = (i + 1) & (cap - 1))
		;
	names[i] = a + 1;
}

/* Room in the name index for one more actor: 0 or -ENOMEM. */
static int names_fit(struct trace *t)
{
	size_t need = ((size_t)t->hdr.nactors + 1) * 2, cap = t->names_cap ? t->names_cap : 16;
	int *names;

	if (need <= t->names_cap)
		return 0;
	while (need > cap)
		cap *= 2;
	if ((names = calloc(cap, sizeof *names)) == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < t->names_cap; i++)
		if (t->names[i] != 0)
			names_put(names, cap, t->hdr.actors[t->names[i] - 1].name, t->names[i] - 1);
	free(t->names);
	t->names = names;
	t->names_cap = cap;
	return 0;
}

static int add_actor(struct trace *t, const char *name, const char *model,
		     unsigned caps, const char *label_en, const char *label_zh)
{
	struct trace_actor *a;
	int rc = actors_grow(t);

	if (rc != 0 || (rc = names_fit(t)) != 0)
		return rc;
	a = &t->hdr.actors[t->hdr.nactors];
	*a = (struct trace_actor){ .caps = caps & TRACE_CAP_ALL, .parent = -1 };
	a->name = trace_intern(t, name);
	a->model = trace_intern(t, model);
	a->label[0] = trace_intern(t, label_en);
	a->label[1] = trace_intern(t, label_zh);
	if (!a->name || !a->model || !a->label[0] || !a->label[1])
		return -ENOMEM;
	names_put(t->names, t->names_cap, a->name, t->hdr.nactors);
	return t->hdr.nactors++;
}

int trace_add_actor(struct trace *t, const char *name, const char *model,
		    unsigned caps, const char *label_en, const char *label_zh)
{
	int i;

	if (t->hdr.nactors > t->hdr.nstart)
		return -EBUSY;
	if (t->hdr.nactors >= TRACE_MAX_ACTORS)
		return -ENOSPC;
	if ((i = add_actor(t, name, model, caps, label_en, label_zh)) >= 0)
		t->hdr.nstart = t->nbegun = t->hdr.nactors;
	return i;
}

int trace_announce_actor(struct trace *t, const char *name, const char *model,
			 unsigned caps, const char *label_en,
			 const char *label_zh, int parent)
{
	int i;

	if (name == NULL || name[0] == '\0' || parent < -1 || parent >= t->hdr.nactors)
		return -EINVAL;
	if (trace_find_actor(t, name) >= 0)
		return -EEXIST;
	if ((i = add_actor(t, name, model, caps, label_en, label_zh)) < 0)
		return i;
	t->hdr.actors[i].parent = parent;
	t->hdr.actors[i].announced = true;
	return i;
}

int trace_find_actor(const struct trace *t, const char *name)
{
	size_t mask = t->names_cap - 1;

	if (t->names_cap == 0)
		return -1;
	for (size_t i = hash_str(name) & mask; t->names[i] != 0; i = (i + 1) & mask) {
		int a = t->names[i] - 1;

		((struct trace *)t)->name_probes++;    /* a counter, not the trace */
		if (strcmp(t->hdr.actors[a].name, name) == 0)
			return a;
	}
	return -1;
}

uint64_t trace__name_probes(const struct trace *t) { return t->name_probes; }

/* The actor's life so far allows ev (trace/FORMAT.md, "Actors that
 * appear, change and leave").  An actor outside the table is not judged
 * here: the views ignore its events and the writer refuses them. */
static bool life_ok(struct trace *t, const struct trace_ev *ev)
{
	const struct trace_actor *a;

	if (ev->actor >= t->hdr.nactors)
		return ev->kind != TRACE_ACTOR;
	a = &t->hdr.actors[ev->actor];
	if (ev->kind == TRACE_ACTOR && !(ev->flags & TRACE_F_END))
		return ev->actor == t->nbegun && a->announced;
	if (ev->actor >= t->nbegun)
		return false;                     /* announced, not begun */
	if (a->ended)
		return ev->kind == TRACE_LOST;    /* drops may be counted late */
	return ev->actor != TRACE_WORLD ||
	       (ev->kind != TRACE_ACTOR && ev->kind != TRACE_MODEL);
}

/* What an appended event changes in the header's table. */
static void life_apply(struct trace *t, const struct trace_ev *ev)
{
	if (ev->kind != TRACE_ACTOR || ev->actor >= t->hdr.nactors)
		return;
	if (ev->flags & TRACE_F_END)
		t->hdr.actors[ev->actor].ended = true;
	else
		t->nbegun++;
}

/* The cap, with slack bytes more allowed. */
static size_t mem_cap(const struct trace *t, size_t slack)
{
	return t->max_mem > SIZE_MAX - slack ? SIZE_MAX : t->max_mem + slack;
}

/* need more bytes fit under the cap, with slack bytes more allowed. */
static bool mem_fits(const struct trace *t, size_t need, size_t slack)
{
	size_t mem = trace_mem(t), cap = mem_cap(t, slack);

	return mem <= cap && need <= cap - mem;
}

/* Room for one more step index entry. */
static int steps_grow(struct trace *t)
{
	size_t cap = t->steps_cap ? t->steps_cap * 2 : 64;
	struct trace_step *s;

	if (t->nsteps < t->steps_cap)
		return 0;
	if (cap > SIZE_MAX / sizeof *s || (s = realloc(t->steps, cap * sizeof *s)) == NULL)
		return -ENOMEM;
	t->steps = s;
	t->steps_cap = cap;
	return 0;
}

int trace_append(struct trace *t, const struct trace_ev *ev)
{
	bool rises = t->nsteps == 0 || ev->step > t->steps[t->nsteps - 1].step;
	struct store_plan plan = store_plan(ev);
	size_t need = store_plan_bytes(&plan) + (rises ? sizeof *t->steps : 0);
	size_t slack = ev->kind == TRACE_LOST ? LOST_RESERVE : 0;

	if (!life_ok(t, ev))
		return -EINVAL;
	/* What is counted is what is used: capacity past it is never
	 * touched, so it costs address space, not memory. */
	if (!mem_fits(t, need, slack)) {
		t->full = 1;
		return -EFBIG;
	}
	if (store_reserve(&t->ev, ev, &plan, mem_cap(t, LOST_RESERVE)) != 0 ||
	    (rises && steps_grow(t) != 0))
		return -ENOMEM;
	if (rises)
		t->steps[t->nsteps++] = (struct trace_step){ t->ev.n, ev->step };
	store_put(&t->ev, ev, &plan);
	if (ev->kind == TRACE_LOST)
		t->lost += ev->count;
	life_apply(t, ev);
	return 0;
}

size_t trace_count(const struct trace *t) { return t->ev.n; }

void trace_set_max_mem(struct trace *t, size_t bytes) { t->max_mem = bytes; }
size_t trace_max_mem(const struct trace *t) { return t->max_mem; }
int trace_full(const struct trace *t) { return t->full; }

size_t trace_mem(const struct trace *t)
{
	return store_bytes(&t->ev) + t->nsteps * sizeof *t->steps + t->pool;
}

size_t trace_ev_mem(const struct trace_ev *ev)
{
	return store_ev_bytes(ev);
}

const struct trace_ev *trace_at(const struct trace *t, size_t i)
{
	struct trace_ev *e;

	if (i >= t->ev.n)
		return NULL;
	e = at_slot(t->at);
	store_get(&t->ev, i, e);
	return e;
}

int trace_kind_at(const struct trace *t, size_t i, unsigned *flags)
{
	const struct store_hot *h;

	if (i >= t->ev.n) {
		if (flags != NULL)
			*flags = 0;
		return TRACE_NONE;
	}
	h = &t->ev.hot[i];
	if (flags != NULL)
		*flags = h->flags;
	return h->kind;
}

uint64_t trace_serial(const struct trace *t) { return t->serial; }

int trace_step_max(const struct trace *t)
{
	int32_t top = t->nsteps > 0 ? t->steps[t->nsteps - 1].step : -1;

	return top > -1 ? top : -1;
}

const struct trace_step *trace_steps(const struct trace *t, size_t *n)
{
	*n = t->nsteps;
	return t->steps;
}

uint64_t trace_lost(const struct trace *t) { return t->lost; }

static const char *const kind_names[TRACE_KIND_MAX] = {
	[TRACE_ENTER] = "enter", [TRACE_EXIT] = "exit", [TRACE_PHASE] = "phase",
	[TRACE_ARRIVE] = "arrive", [TRACE_CLOSE] = "close", [TRACE_STATE] = "state",
	[TRACE_CAPTION] = "caption", [TRACE_IDLE] = "idle", [TRACE_LOST] = "lost",
	[TRACE_DONE] = "done", [TRACE_SET] = "set", [TRACE_READY] = "ready",
	[TRACE_REFUSE] = "refuse", [TRACE_CONNECT] = "connect",
	[TRACE_DELIVER] = "deliver", [TRACE_SIGNAL] = "signal",
	[TRACE_SUBMIT] = "submit", [TRACE_COMPLETE] = "complete",
	[TRACE_NOTE] = "note", [TRACE_ACTOR] = "actor", [TRACE_MODEL] = "model",
};

static const char *const call_names[TRACE_CALL_MAX] = {
	[TRACE_CALL_RECVFROM] = "recvfrom", [TRACE_CALL_READ] = "read",
	[TRACE_CALL_SELECT] = "select", [TRACE_CALL_POLL] = "poll",
	[TRACE_CALL_EPOLL_WAIT] = "epoll_wait", [TRACE_CALL_EPOLL_CTL] = "epoll_ctl",
	[TRACE_CALL_ACCEPT] = "accept", [TRACE_CALL_WRITE] = "write",
	[TRACE_CALL_IO_URING_ENTER] = "io_uring_enter", [TRACE_CALL_AIO_READ] = "aio_read",
	[TRACE_CALL_FUTEX] = "futex", [TRACE_CALL_CLONE] = "clone",
	[TRACE_CALL_RECVMSG] = "recvmsg",
};

static const char *const set_names[TRACE_SET_MAX] = {
	[TRACE_SET_BUILD] = "build", [TRACE_SET_SCAN] = "scan",
	[TRACE_SET_INTEREST] = "interest", [TRACE_SET_QUEUE] = "queue",
	[TRACE_SET_WORKQ] = "workq",
};

static const char *const ready_names[TRACE_READY_MAX] = {
	[TRACE_READY_INFERRED] = "inferred",
};

static const char *const op_names[TRACE_OP_MAX] = {
	[TRACE_OP_ADD] = "add", [TRACE_OP_DEL] = "del", [TRACE_OP_MOD] = "mod",
};

static const char *const phase_names[] = {
	[TRACE_PH_WAIT] = "wait", [TRACE_PH_COPY] = "copy",
};

static const char *name_of(const char *const *tab, int n, int i)
{
	return i > 0 && i < n ? tab[i] : NULL;
}

static int index_of(const char *const *tab, int n, const char *s)
{
	for (int i = 1; i < n; i++)
		if (tab[i] != NULL && strcmp(tab[i], s) == 0)
			return i;
	return -1;
}

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

const char *trace_kind_name(int k) { return name_of(kind_names, NELEM(kind_names), k); }
int trace_kind_from(const char *s) { return index_of(kind_names, NELEM(kind_names), s); }
const char *trace_call_name(int c) { return name_of(call_names, NELEM(call_names), c); }
int trace_call_from(const char *s) { return index_of(call_names, NELEM(call_names), s); }
const char *trace_phase_name(int p) { return name_of(phase_names, NELEM(phase_names), p); }
int trace_phase_from(const char *s) { return index_of(phase_names, NELEM(phase_names), s); }

const char *trace_set_name(int w) { return name_of(set_names, NELEM(set_names), w); }
int trace_set_from(const char *s) { return index_of(set_names, NELEM(set_names), s); }
const char *trace_ready_name(int w) { return name_of(ready_names, NELEM(ready_names), w); }
int trace_ready_from(const char *s) { return index_of(ready_names, NELEM(ready_names), s); }
const char *trace_op_name(int o) { return name_of(op_names, NELEM(op_names), o); }
int trace_op_from(const char *s) { return index_of(op_names, NELEM(op_names), s); }

/* A table of names in bit order: the name of one bit, the bit of a name. */
static const char *bit_name(const char *const *tab, int n, unsigned bit)
{
	for (int i = 0; i < n; i++)
		if (bit == 1u << i)
			return tab[i];
	return NULL;
}

static int bit_from(const char *const *tab, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(tab[i], name) == 0)
			return (int)(1u << i);
	return -1;
}

/* In bit order: the JSON names of enum trace_cap. */
static const char *const cap_names[] = {
	"phases", "tries", "set", "bitmap", "interest", "edge", "signal",
	"completion", "helpers", "loop", "serves", "spawns", "queue", "coroutine",
};
_Static_assert(TRACE_CAP_ALL == (1u << NELEM(cap_names)) - 1,
	       "every capability bit has a name");

/* In bit order: the JSON names of enum trace_fdset (select's sets). */
static const char *const fdset_names[] = { "read", "write", "except" };
_Static_assert(TRACE_FDSET_ALL == (1u << NELEM(fdset_names)) - 1,
	       "every fd_set bit has a name");

/* In bit order: the JSON names of enum trace_epev. */
static const char *const epev_names[] = { "in", "out", "et" };
_Static_assert(TRACE_EPEV_ALL == (1u << NELEM(epev_names)) - 1,
	       "every epoll event bit has a name");

const char *trace_cap_name(unsigned cap) { return bit_name(cap_names, NELEM(cap_names), cap); }
int trace_cap_from(const char *s) { return bit_from(cap_names, NELEM(cap_names), s); }
const char *trace_fdset_name(unsigned set) { return bit_name(fdset_names, NELEM(fdset_names), set); }
int trace_fdset_from(const char *s) { return bit_from(fdset_names, NELEM(fdset_names), s); }
const char *trace_epev_name(unsigned ev) { return bit_name(epev_names, NELEM(epev_names), ev); }
int trace_epev_from(const char *s) { return bit_from(epev_names, NELEM(epev_names), s); }

/* The models of version 1 and what each could show.  This table is the
 * only place outside models/ that knows a model by its name, and only to
 * read files written before actors carried their capabilities. */
unsigned trace_caps_v1(const char *model)
{
	static const struct { const char *name; unsigned caps; } v1[] = {
		{ "blocking", TRACE_CAP_PHASES },
		{ "nonblocking", TRACE_CAP_PHASES | TRACE_CAP_TRIES },
		{ "select", TRACE_CAP_PHASES | TRACE_CAP_SET | TRACE_CAP_BITMAP |
			    TRACE_CAP_SERVES },
		{ "poll", TRACE_CAP_PHASES | TRACE_CAP_SET | TRACE_CAP_SERVES },
		{ "epoll", TRACE_CAP_PHASES | TRACE_CAP_INTEREST | TRACE_CAP_SERVES },
		{ "epoll-et", TRACE_CAP_PHASES | TRACE_CAP_INTEREST | TRACE_CAP_EDGE |
			      TRACE_CAP_SERVES },
		{ "sigio", TRACE_CAP_PHASES | TRACE_CAP_SIGNAL },
		{ "uring", TRACE_CAP_PHASES | TRACE_CAP_COMPLETION },
		{ "posix-aio", TRACE_CAP_PHASES | TRACE_CAP_COMPLETION |
			       TRACE_CAP_HELPERS },
		{ "libuv", TRACE_CAP_PHASES | TRACE_CAP_INTEREST | TRACE_CAP_LOOP },
	};

	for (int i = 0; model != NULL && i < NELEM(v1); i++)
		if (strcmp(v1[i].name, model) == 0)
			return v1[i].caps;
	return 0;
}

bool trace_sysname_ok(const char *s)
{
	size_t n = 0;

	for (; s != NULL && s[n] != '\0' && n <= TRACE_MAX_SYSNAME; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '_'))
			return false;
	return s != NULL && n >= 1 && n <= TRACE_MAX_SYSNAME;
}

void trace_ev_set_fds(struct trace_ev *ev, const int *fds, int n)
{
	int listed = n < TRACE_FDS_INLINE ? n : TRACE_FDS_INLINE;

	for (int i = 0; i < listed; i++)
		ev->fd_list[i] = fds[i];
	ev->nfds = (uint16_t)(listed > 0 ? listed : 0);
	ev->fds_more = n > listed ? (uint32_t)(n - listed) : 0;
}

const char *trace_errno_name(int err)
{
	const char *s = err > 0 ? strerrorname_np(err) : NULL;

	return s != NULL ? s : "EUNKNOWN";
}

int trace_errno_from(const char *name)
{
	for (int e = 1; e < 256; e++) {
		const char *s = strerrorname_np(e);

		if (s != NULL && strcmp(s, name) == 0)
			return e;
	}
	return -1;
}

int64_t trace_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

const char *trace_text_control(const char *s, bool breaks)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
		if ((*p < 0x20 && !(breaks && *p == '\n')) || *p == 0x7f ||
		    (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			return (const char *)p;
	return NULL;
}
