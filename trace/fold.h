/* fold.h: the view of a trace after its first n events.
 *
 * Every view (narration, screen, replay, stepping back) is
 * fold(events[0..n]): start from view_reset and apply events in order.
 * The fold reads nothing but the events, so a replay shows exactly what the
 * live run showed.
 */
#ifndef IOSCOPE_FOLD_H
#define IOSCOPE_FOLD_H

#include <stdbool.h>
#include <stdint.h>

#include "trace/trace.h"

#define VIEW_PHASES 16            /* fds whose phases are followed per actor */
#define VIEW_CAST_WORDS 640       /* bytes of a generated caption */

/* One fd's read in progress: which phase, since when, blocked or not. */
struct view_phase {
	int fd;
	uint8_t phase;            /* 0: slot free */
	bool blocked;
	bool data;                /* a wait whose data has arrived while the
	                             caller sleeps in a read of this fd: its
	                             phase 2 has begun (the wake-up), though
	                             its edge comes when the reader runs */
	bool whole;               /* a wait that holds its copy (TRACE_F_WHOLE:
	                             a traced program's blocking read) */
	int64_t since;
};

struct view_actor {
	/* Its life: when it appeared (0 for the header's actors), when it
	 * left (gone, below); its model now, which a TRACE_MODEL changes
	 * (views test caps).  Small fields share the words of others below
	 * so that the struct has no holes. */
	int64_t since, until;
	const char *model;
	unsigned caps;
	int pid;                  /* its process: from its begin or the sampler */
	/* Now. */
	int call;                 /* TRACE_CALL_* in progress, 0 when none */
	int call_fd;
	int64_t call_since;
	const char *call_sys;     /* its kernel name when not call's ("pselect6",
	                             a traced program's), else NULL */
	/* Phases per fd (a multiplexer waits on many at once), and a summary:
	 * phase is COPY if any fd is copying, else WAIT if any waits, else 0;
	 * phase_blocked if any of those blocks the caller. */
	struct view_phase ph[VIEW_PHASES];
	int phase;
	int nwait, ncopy, nblocked;   /* fds in each, for the totals below */
	int64_t wait_from, copy_from, blocked_from;
	int64_t idle_since;
	int64_t status;           /* done: its ret */
	uint32_t tries;           /* recv calls in the current wait phase */
	bool phase_blocked;
	bool phase_data;          /* some waiting fd has its data (ph[].data) */
	bool phase_whole;         /* some waiting fd's wait holds its copy */
	bool call_whole;          /* the call in progress had a whole wait */
	bool last_whole;          /* the call that returned last had one */
	bool idle;                /* doing something else */
	bool done;
	bool gone;                /* it has left (its TRACE_ACTOR end) */
	/* The kernel's last word, from the sampler. */
	const char *syscall, *wchan;
	int64_t state_t;
	int tid;
	bool have_state;
	char state;
	/* A helper thread working for the actor (glibc's aio), last seen. */
	bool have_helper;
	char helper_state;
	const char *helper_syscall, *helper_wchan;
	int helper_tid;
	bool refused;             /* the model refused an fd (FD_SETSIZE) */
	/* Totals. */
	uint64_t calls, eagain, reads, bytes, arrived, idles;
	uint64_t whole_reads;     /* reads whose wait held their copy (whole) */
	/* Wall time during which some fd was in a blocked phase, in phase 1,
	 * in phase 2 (overlaps across fds are counted once). */
	int64_t blocked_ns;
	int64_t wait_ns, copy_ns;
	/* Multiplexing: per wait, descriptors the program handed the kernel
	 * (select's nfds bits, poll's entries; epoll: one per epoll_ctl),
	 * the waits' extent (trace_ev.n of their exits: select's nfds, poll's
	 * entries, epoll's events returned), and entries the program scanned.
	 * For the select and poll calls that recorded their cost
	 * (TRACE_F_COST; costed of them): fds the kernel polled and bytes of
	 * the sets copied in (from the enters) and back (from the exits),
	 * summed.  A wait counts when it returns, with what its enter handed in. */
	uint64_t waits, handed_in, checked, scanned;
	uint64_t costed, polled, copied_in, copied_out;
	/* The select or poll call in progress: what it handed in, counted in
	 * the totals when it returns, so that they always sum whole waits. */
	uint64_t pend_in, pend_copied;
	uint32_t pend_polled;
	bool pend_cost;
	/* The last multiplexer round, as indices into the trace (-1: none):
	 * the set built, the wait's enter and exit, the program's scan, the
	 * epoll interest list; and the fds the view knows are on the epoll
	 * ready list (arrived since, not yet returned). */
	long mux_build, mux_enter, mux_exit, mux_scan, mux_interest;
	int nready;
	int ready[TRACE_FDS_INLINE];
	/* The last fd that joined it, when, and when epoll_wait took it (-1:
	 * not yet): the list is often empty again by the end of a step. */
	int last_ready_fd;
	int64_t last_ready_t, last_taken_t;
	/* The last epoll_wait's return: a ready event stamped before it (it
	 * can reach the stream late, from the world's ring) was already taken. */
	int64_t wait_exit_t;
	int nwait_fds;
	int wait_fds[TRACE_FDS_INLINE];
	/* A work queue it owns (TRACE_CAP_QUEUE, and its parent has none:
	 * the queue's producer): its latest set workq, from it or any of its
	 * workers, as an index into the trace (-1: none yet).  Read it
	 * through view_queue_at. */
	long workq;
	/* Connections it accepted, threads or processes it made (clone
	 * returns): the narration names the connection a clone is for. */
	uint32_t accepts, clones;
};

/* The state of actors past the view's own TRACE_MAX_ACTORS (a server's
 * thread per connection): the caller owns it, so a view stays a value
 * with nothing to free.  Zero it, view_more_fit it to the trace before a
 * fold (again when actors were added), view_more_free it when done.  A
 * view without one follows the first TRACE_MAX_ACTORS actors and ignores
 * the events of the others. */
struct view_more {
	struct view_actor *a;     /* actors TRACE_MAX_ACTORS .. + cap */
	int cap;
};

/* Room for every actor of t; 0 or -ENOMEM (m unchanged). */
int view_more_fit(struct view_more *m, const struct trace *t);
void view_more_free(struct view_more *m);

struct view {
	size_t n;                 /* events applied */
	int64_t t_ns;             /* time of the last one */
	int nactors;              /* actors that have appeared by event n: the
	                             header's, then each TRACE_ACTOR begin; past
	                             TRACE_MAX_ACTORS only with a view_more */
	struct view_actor actors[TRACE_MAX_ACTORS];  /* the first ones; all of
	                             them through view_actor() */
	struct view_more *more;   /* the others, or NULL (view_reset_more) */
	int step;                 /* last scripted action seen, -1 before any */
	/* The current caption, en and zh: the scenario's own version for the
	 * run's model when the header has one (view_cast_caption).  Else,
	 * when it names an actor the run put on another model than the
	 * script wrote (trace_actor.script), its words describe a model that
	 * did not run: then about holds those
	 * actors, and caption[] points into cast_words, the trace's own
	 * account of them (view_cast_words), refreshed as they act.  A copy
	 * of a view points into the original's cast_words until it is
	 * applied to again: read a copy through view_caption. */
	const char *caption[2];
	uint64_t about;           /* bit i: actor i, replaced as above */
	uint64_t named;           /* bit i: the caption names actor i */
	uint64_t recast;          /* bit i: actor i runs another model than
	                             the script wrote (from the header) */
	bool cast_stale;          /* cast_words not yet refreshed */
	char cast_words[2][VIEW_CAST_WORDS];
	const struct trace *t;    /* the trace folded, for names and models */
	uint64_t lost;
};

/* Whether ev's fields are within trace/FORMAT.md's bounds for t: the
 * kind, call and phase known, the actor in t's header, times in 0 ..
 * TRACE_MAX_NS, step -1 or below TRACE_MAX_STEPS, results, counts and
 * descriptors in range, strings present.  trace_read accepts only such events; the
 * exporters refuse a trace with any other, and view_apply ignores it. */
bool view_ev_ok(const struct trace *t, const struct trace_ev *ev);

/* Time arithmetic that cannot overflow: to - from, 0 when to <= from;
 * a + b for a, b >= 0, INT64_MAX when it would not fit. */
static inline int64_t view_ns_between(int64_t from, int64_t to)
{
	int64_t d;

	if (to <= from)
		return 0;
	return __builtin_sub_overflow(to, from, &d) ? INT64_MAX : d;
}

static inline int64_t view_ns_add(int64_t a, int64_t b)
{
	int64_t s;

	return __builtin_add_overflow(a, b, &s) ? (b < 0 ? INT64_MIN : INT64_MAX) : s;
}

/* A coroutine (TRACE_CAP_COROUTINE) in a read whose wait has begun and
 * not ended: parked in user space, its stack put aside (its recvfrom came
 * back EAGAIN before it parked: it is in no system call); the kernel thread
 * that runs it is its scheduler's, which does something else (asleep in
 * epoll_wait, or running another coroutine). */
static inline bool view_actor_parked(const struct view_actor *a)
{
	return (a->caps & TRACE_CAP_COROUTINE) && a->phase == TRACE_PH_WAIT;
}

/* Asleep in a call: a wait (select, poll, epoll_wait), a futex wait (on
 * a queue), a read still in its blocked wait phase, or an accept the
 * sampler saw asleep (a server that blocks in accept for its next
 * client); never a parked coroutine, whose thread is not its own. */
static inline bool view_actor_asleep(const struct view_actor *a)
{
	return a->call != 0 && !view_actor_parked(a) &&
	       (trace_call_is_wait(a->call) || a->call == TRACE_CALL_FUTEX ||
		(a->phase == TRACE_PH_WAIT && a->phase_blocked) ||
		(a->call == TRACE_CALL_ACCEPT && a->have_state && a->state == 'S'));
}

/* A phase total as of now: what ended phases added, and the time since a
 * phase still open began (a run stopped, or a trace cut, mid-wait). */
static inline int64_t view_total_at(int open, int64_t from, int64_t total, int64_t now)
{
	return open > 0 ? view_ns_add(total, view_ns_between(from, now)) : total;
}
#define view_wait_at(a, now)    view_total_at((a)->nwait, (a)->wait_from, (a)->wait_ns, now)
#define view_copy_at(a, now)    view_total_at((a)->ncopy, (a)->copy_from, (a)->copy_ns, now)
#define view_blocked_at(a, now) view_total_at((a)->nblocked, (a)->blocked_from, (a)->blocked_ns, now)

void view_reset(struct view *v, const struct trace *t);
/* The same, with the caller's room for actors past TRACE_MAX_ACTORS (NULL:
 * none), which the view then uses until the next reset. */
void view_reset_more(struct view *v, const struct trace *t, struct view_more *more);
/* Actor i's state, or NULL when i has not appeared in the view. */
struct view_actor *view_actor(struct view *v, int i);
const struct view_actor *view_actor_c(const struct view *v, int i);
/* The work queue actor's events are about: the actor itself, or its
 * topmost ancestor with TRACE_CAP_QUEUE when it has TRACE_CAP_QUEUE (a
 * pool's worker: its server's).  Then the latest set workq of that
 * queue by event n of the view (an index into v->t), or -1. */
int view_queue_root(const struct view *v, int actor);
long view_queue_at(const struct view *v, int actor);
/* When fd's current phase began, or -1 if fd is not in that phase. */
int64_t view_phase_since(const struct view_actor *a, int fd, int phase);
/* Apply one event; an event that is not view_ev_ok is counted in n and
 * otherwise ignored (a hand-made trace cannot index past the arrays). */
void view_apply(struct view *v, const struct trace_ev *ev);
/* view_reset, then apply events[0..n) (n is clamped to the count). */
void view_fold(struct view *v, const struct trace *t, size_t n);
void view_fold_more(struct view *v, const struct trace *t, size_t n,
		    struct view_more *more);

/* Fold on: apply v->t's events [v->n, n) to v (n clamped to the count;
 * nothing when n <= v->n), making words once at the end as view_fold
 * does.  v must be a fold of v->t (view_fold, view_unpack). */
void view_fold_on(struct view *v, size_t n);

/* A compact copy of a view (trace/seek.c keeps one every few thousand
 * events): its own fields and the actors that have appeared, not the
 * empty slots.  view_pack_size bytes; view_pack writes them to buf
 * (aligned for a view).  view_unpack makes v that view again with more
 * as its room past TRACE_MAX_ACTORS (it must hold the packed actors:
 * else -ENOSPC, v unchanged); the caption points into v's own words
 * where the packed one pointed into its view's. */
size_t view_pack_size(const struct view *v);
/* dst becomes a copy of src, in the same way, without packing: with more
 * as its room (-ENOSPC when it cannot hold src's actors: dst unchanged).
 * Slots past its actors are left as they were (no view reads them). */
int view_copy(struct view *dst, const struct view *src, struct view_more *more);
void view_pack(const struct view *v, void *buf);
int view_unpack(struct view *v, const void *buf, struct view_more *more);

/* The current caption in lang (0 en, 1 zh; an empty zh falls back to
 * en): the scenario's words, or the generated ones that replace them. */
const char *view_caption(const struct view *v, int lang);

/* What view_caption will give for caption event ev once it is applied to
 * v (the view just before it), in lang: the words are made in buf (len
 * bytes, VIEW_CAST_WORDS will do) when they replace the scenario's. */
const char *view_caption_of(const struct view *v, const struct trace_ev *ev, int lang,
			    char *buf, size_t len);

/* The scenario's caption for this run's model at step (trace_hdr's
 * captions), or NULL when it gave none. */
const struct trace_caption *view_cast_caption(const struct trace *t, int step);

/* Actors whose model differs from the one the scenario wrote for them:
 * bit i for actor i of t's header. */
uint64_t view_recast(const struct trace *t);

/* The actors a caption names, bit i for actor i (the world and clients
 * never): a name counts as a whole word, letters, digits and '_' on
 * neither side ("A's" names A, "AB" does not).  The Chinese text is
 * searched, where a capital letter is never an article; the English
 * one when the Chinese is empty. */
uint64_t view_caption_names(const struct trace *t, const struct trace_ev *ev);

/* The words that replace a caption naming the actors in named, some of
 * them recast (v->recast): for which of those the script wrote it, and
 * what the trace shows each named actor doing now in v.  lang 0 en, 1 zh.
 * Empty when none of named is recast.  Written with the narrator's
 * phrases (narrate_cast.c). */
void view_cast_words(const struct view *v, uint64_t named, int lang, char *s, size_t len);

#endif
