/* test_seek.c: the seek cache's view at any cursor is the fold from the
 * first event, field for field: over the shipped recordings, a 10^5-event
 * trace (a recording repeated), and a trace with actors past
 * TRACE_MAX_ACTORS; cursors at random, in order, and at every step's end. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/fold.h"
#include "trace/seek.h"
#include "tests/harness.h"

/* Actor a as a value whose padding is zero (the phases' structs have a
 * byte of it), to compare with memcmp. */
static void actor_norm(struct view_actor *out, const struct view_actor *a)
{
	*out = *a;
	memset(out->ph, 0, sizeof out->ph);
	for (int i = 0; i < VIEW_PHASES; i++) {
		out->ph[i].fd = a->ph[i].fd;
		out->ph[i].phase = a->ph[i].phase;
		out->ph[i].blocked = a->ph[i].blocked;
		out->ph[i].data = a->ph[i].data;
		out->ph[i].since = a->ph[i].since;
	}
}

static void assert_same_view(const struct view *a, const struct view *b)
{
	assert_int_equal(a->n, b->n);
	assert_int_equal(a->t_ns, b->t_ns);
	assert_int_equal(a->nactors, b->nactors);
	assert_int_equal(a->step, b->step);
	assert_int_equal(a->about, b->about);
	assert_int_equal(a->named, b->named);
	assert_int_equal(a->recast, b->recast);
	assert_int_equal(a->lost, b->lost);
	assert_ptr_equal(a->t, b->t);
	for (int l = 0; l < 2; l++) {
		assert_string_equal(view_caption(a, l), view_caption(b, l));
		assert_string_equal(a->caption[l], b->caption[l]);
		/* The caption is the view's own words where the fold's is
		 * its own, else the trace's: never another view's. */
		bool own_a = a->caption[l] >= a->cast_words[0] && a->caption[l] < a->cast_words[2];
		bool own_b = b->caption[l] >= b->cast_words[0] && b->caption[l] < b->cast_words[2];

		assert_int_equal(own_a, own_b);
		if (own_a)
			assert_int_equal(a->caption[l] - a->cast_words[0],
					 b->caption[l] - b->cast_words[0]);
	}
	for (int i = 0; i < a->nactors; i++) {
		struct view_actor x, y;

		actor_norm(&x, view_actor_c(a, i));
		actor_norm(&y, view_actor_c(b, i));
		if (memcmp(&x, &y, sizeof x) != 0)
			fail_msg("actor %d differs at n %zu", i, a->n);
	}
}

struct pair {
	struct view *v, *ref;
	struct view_more more, refmore;
	struct seek *sk;
};

static void pair_init(struct pair *p)
{
	memset(p, 0, sizeof *p);
	assert_non_null(p->v = calloc(1, sizeof *p->v));
	assert_non_null(p->ref = calloc(1, sizeof *p->ref));
	assert_non_null(p->sk = seek_new());
}

static void pair_fini(struct pair *p)
{
	view_more_free(&p->more);
	view_more_free(&p->refmore);
	seek_free(p->sk);
	free(p->v);
	free(p->ref);
}

/* The seek's view at n against the fold from 0. */
static void check_at(struct pair *p, const struct trace *t, size_t n)
{
	assert_int_equal(seek_view(p->sk, t, n, p->v, &p->more), 0);
	assert_int_equal(view_more_fit(&p->refmore, t), 0);
	view_fold_more(p->ref, t, n, &p->refmore);
	assert_same_view(p->v, p->ref);
}

/* The events that end a step: the last before a higher step begins. */
static void check_step_ends(struct pair *p, const struct trace *t, size_t every)
{
	int before = -1;
	size_t k = 0;

	for (size_t i = 0; i < trace_count(t); i++) {
		int step = trace_at(t, i)->step;

		if (step > before) {
			before = step;
			if (k++ % every == 0)
				check_at(p, t, i);
		}
	}
}

static uint32_t rnd_state = 12345;

static size_t rnd(size_t below)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return below > 0 ? (rnd_state >> 8) % below : 0;
}

static void check_trace(const struct trace *t, int randoms, size_t step_every, bool all)
{
	struct pair p;
	size_t count = trace_count(t);

	pair_init(&p);
	if (all)
		for (size_t n = 0; n <= count; n++)
			check_at(&p, t, n);                 /* in order: folded on */
	for (int i = 0; i < randoms; i++)
		check_at(&p, t, rnd(count + 1));       /* jumps: from a copy */
	check_at(&p, t, count);
	check_at(&p, t, count + 5);                 /* clamped */
	check_step_ends(&p, t, step_every);
	pair_fini(&p);
}

static struct trace *read_trace(const char *path)
{
	char cause[512];
	struct trace *t;
	size_t skipped;

	assert_int_equal(trace_read(path, &t, &skipped, cause, sizeof cause), 0);
	return t;
}

static void test_seek_recordings(void **state)
{
	const char *pats[] = { "scenarios/recordings/*.jsonl", "tests/golden/*.jsonl" };
	int seen = 0;

	for (size_t k = 0; k < 2; k++) {
		glob_t g;

		if (glob(pats[k], 0, NULL, &g) != 0)
			continue;
		for (size_t i = 0; i < g.gl_pathc; i++) {
			struct trace *t = read_trace(g.gl_pathv[i]);

			check_trace(t, 50, 1, true);
			trace_free(t);
			seen++;
		}
		globfree(&g);
	}
	assert_true(seen >= 10);
}

static void test_seek_long(void **state)
{
	struct trace *t = read_trace("scenarios/recordings/fishing.jsonl");
	struct pair p;
	size_t bytes, copies;

	assert_int_equal(h_repeat(t, 100000), 0);
	check_trace(t, 100, 97, false);
	/* A copy every SEEK_EVERY events (fishing's actors are few), and
	 * small: a few KB. */
	pair_init(&p);
	check_at(&p, t, trace_count(t));
	copies = seek_copies(p.sk, &bytes);
	assert_int_equal(copies, 100000 / SEEK_EVERY + 1);
	assert_true(bytes / copies < 8192);
	pair_fini(&p);
	trace_free(t);
}

/* A live trace grows while it is shown: copies follow it. */
static void test_seek_grows(void **state)
{
	struct trace *t = read_trace("scenarios/recordings/fishing.jsonl");
	struct pair p;

	pair_init(&p);
	for (size_t n = 1; n <= 30000; n += 3001) {
		assert_int_equal(h_repeat(t, n > trace_count(t) ? n : trace_count(t)), 0);
		check_at(&p, t, trace_count(t));
		check_at(&p, t, rnd(trace_count(t) + 1));
	}
	pair_fini(&p);
	trace_free(t);
}

/* A server S and n connection threads announced one by one (more than a
 * view holds itself), then many rounds of recvfrom among them. */
static struct trace *conn_trace(int n, int rounds)
{
	struct trace *t = trace_new();
	int s;
	int64_t now = 0;

	assert_non_null(t);
	s = trace_add_actor(t, "S", "threads", TRACE_CAP_SERVES, "", "");
	for (int i = 0; i < n; i++) {
		char name[32];
		struct trace_ev e = { .kind = TRACE_ACTOR, .fd = -1, .step = -1, .t_ns = now++,
				      .tid = 1000 + i, .pid = 999 };

		snprintf(name, sizeof name, "conn-%d", i);
		e.actor = (uint16_t)trace_announce_actor(t, name, "blocking", TRACE_CAP_PHASES,
							 "", "", s);
		assert_int_equal(trace_append(t, &e), 0);
	}
	bool *gone = calloc((size_t)n + 2, sizeof *gone);

	assert_non_null(gone);
	for (int r = 0; r < rounds; r++) {
		int c = 2 + (r * 7) % n;

		if (gone[c])
			continue;
		struct trace_ev e = { .kind = TRACE_ENTER, .actor = (uint16_t)c, .fd = 7,
				      .call = TRACE_CALL_RECVFROM, .step = r / 50, .t_ns = now++ };

		assert_int_equal(trace_append(t, &e), 0);
		e.kind = TRACE_EXIT, e.ret = 10 + r % 5, e.t_ns = now++;
		assert_int_equal(trace_append(t, &e), 0);
		if (r % 997 == 0 && c % 2 == 0) {
			struct trace_ev end = { .kind = TRACE_ACTOR, .actor = (uint16_t)c, .fd = -1,
						.step = -1, .flags = TRACE_F_END, .t_ns = now++ };

			assert_int_equal(trace_append(t, &end), 0);
			gone[c] = true;
		}
	}
	free(gone);
	return t;
}

static void test_seek_many_actors(void **state)
{
	struct trace *t = conn_trace(150, 15000);
	struct pair p;
	size_t bytes;

	check_trace(t, 60, 7, false);
	/* Copies of 150 actors are larger: fewer of them, within
	 * SEEK_BYTES_PER_EV bytes an event (and one at 0). */
	pair_init(&p);
	check_at(&p, t, trace_count(t));
	assert_true(seek_copies(p.sk, &bytes) > 2);
	assert_true(bytes <= SEEK_BYTES_PER_EV * trace_count(t) + view_pack_size(p.v));
	pair_fini(&p);
	trace_free(t);
}

/* A view the caller folded on itself is folded on again, not copied:
 * one step forward applies one event. */
static void test_seek_folds_on(void **state)
{
	struct trace *t = read_trace("scenarios/recordings/fishing.jsonl");
	struct pair p;
	uint64_t before;

	assert_int_equal(h_repeat(t, 20000), 0);
	pair_init(&p);
	assert_int_equal(seek_view(p.sk, t, 10000, p.v, &p.more), 0);
	before = seek_applied(p.sk);
	assert_int_equal(seek_view(p.sk, t, 10001, p.v, &p.more), 0);
	assert_int_equal(seek_applied(p.sk) - before, 1);
	view_apply(p.v, trace_at(t, 10001));     /* the caller's own step */
	before = seek_applied(p.sk);
	assert_int_equal(seek_view(p.sk, t, 10003, p.v, &p.more), 0);
	assert_int_equal(seek_applied(p.sk) - before, 1);
	/* Back: from the copy before, at most SEEK_EVERY events and one copy. */
	before = seek_applied(p.sk);
	assert_int_equal(seek_view(p.sk, t, 5000, p.v, &p.more), 0);
	assert_true(seek_applied(p.sk) - before <= SEEK_EVERY);
	check_at(&p, t, 5000);
	pair_fini(&p);
	trace_free(t);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seek_recordings),
		cmocka_unit_test(test_seek_long),
		cmocka_unit_test(test_seek_grows),
		cmocka_unit_test(test_seek_many_actors),
		cmocka_unit_test(test_seek_folds_on),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("seek", tests, NULL, NULL);
}
