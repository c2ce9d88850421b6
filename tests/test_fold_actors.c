/* test_fold_actors.c: the fold of a trace whose actors come and go, and
 * of more actors than a view holds itself (TRACE_MAX_ACTORS): a server's
 * thread per connection at a thousand connections. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trace/fold.h"

#define NCONN 1000

static void add(struct trace *t, struct trace_ev e)
{
	assert_int_equal(trace_append(t, &e), 0);
}

static struct trace_ev ev_of(int kind, int actor, int64_t t_ns)
{
	return (struct trace_ev){ .kind = (uint8_t)kind, .actor = (uint16_t)actor,
				  .t_ns = t_ns, .fd = -1, .step = -1 };
}

/* A server S, then n connection threads announced one by one, each
 * entering recvfrom; the even ones leave. */
static struct trace *conn_trace(int n)
{
	struct trace *t = trace_new();
	char name[32];
	int s;

	assert_non_null(t);
	s = trace_add_actor(t, "S", "threads", TRACE_CAP_SERVES, "", "");
	for (int i = 0; i < n; i++) {
		int c;
		struct trace_ev e;

		snprintf(name, sizeof name, "conn-%d", i);
		c = trace_announce_actor(t, name, "blocking", TRACE_CAP_PHASES, "", "", s);
		assert_int_equal(c, 2 + i);
		e = ev_of(TRACE_ACTOR, c, 10 * i); e.tid = 1000 + i; e.pid = 999; add(t, e);
		e = ev_of(TRACE_ENTER, c, 10 * i + 1); e.call = TRACE_CALL_RECVFROM; e.fd = 7;
		add(t, e);
	}
	for (int i = 0; i < n; i += 2) {
		struct trace_ev e = ev_of(TRACE_ACTOR, 2 + i, 100000 + i);

		e.flags = TRACE_F_END;
		add(t, e);
	}
	return t;
}

/* Without room for them, a view follows the first actors and skips the
 * events of the others; with a view_more, all of them. */
static void test_fold_actors_thousand(void **state)
{
	struct trace *t = conn_trace(NCONN);
	struct view *v = malloc(sizeof *v);
	struct view_more more = { NULL, 0 };
	const struct view_actor *a;

	(void)state;
	assert_non_null(v);
	view_fold(v, t, trace_count(t));
	assert_int_equal(v->nactors, TRACE_MAX_ACTORS);
	assert_int_equal(v->n, trace_count(t));                 /* the cursor moved past */
	assert_null(view_actor_c(v, TRACE_MAX_ACTORS));
	assert_int_equal(view_actor_c(v, 63)->call, TRACE_CALL_RECVFROM);
	assert_int_equal(view_more_fit(&more, t), 0);
	assert_int_equal(more.cap, NCONN + 2 - TRACE_MAX_ACTORS);
	view_fold_more(v, t, trace_count(t), &more);
	assert_int_equal(v->nactors, NCONN + 2);
	a = view_actor_c(v, NCONN + 1);
	assert_non_null(a);
	assert_int_equal(a->call, TRACE_CALL_RECVFROM);
	assert_int_equal(a->tid, 1000 + NCONN - 1);
	assert_int_equal(a->pid, 999);
	assert_int_equal(a->since, 10 * (NCONN - 1));
	assert_false(a->gone);
	a = view_actor_c(v, 2 + 500);
	assert_true(a->gone);
	assert_int_equal(a->until, 100000 + 500);
	assert_string_equal(a->model, "blocking");
	/* Halfway, only the actors announced so far have appeared. */
	view_fold_more(v, t, 2 * 700, &more);
	assert_int_equal(v->nactors, 2 + 700);
	assert_null(view_actor_c(v, 2 + 700));
	view_more_free(&more);
	assert_null(more.a);
	free(v);
	trace_free(t);
}

/* A view_more fitted before actors were added is fitted again. */
static void test_fold_actors_refit(void **state)
{
	struct trace *t = conn_trace(TRACE_MAX_ACTORS);
	struct view *v = malloc(sizeof *v);
	struct view_more more = { NULL, 0 };
	int c;

	(void)state;
	assert_non_null(v);
	assert_int_equal(view_more_fit(&more, t), 0);
	assert_int_equal(more.cap, 2);
	c = trace_announce_actor(t, "late", "blocking", TRACE_CAP_PHASES, "", "", 1);
	add(t, ev_of(TRACE_ACTOR, c, 1 << 20));
	view_fold_more(v, t, trace_count(t), &more);
	assert_int_equal(v->nactors, TRACE_MAX_ACTORS + 2);     /* no room for late */
	assert_int_equal(view_more_fit(&more, t), 0);
	assert_int_equal(more.cap, 3);
	view_fold_more(v, t, trace_count(t), &more);
	assert_int_equal(v->nactors, TRACE_MAX_ACTORS + 3);
	assert_int_equal(view_actor_c(v, c)->since, 1 << 20);
	view_more_free(&more);
	free(v);
	trace_free(t);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold_actors_thousand),
		cmocka_unit_test(test_fold_actors_refit),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("fold_actors", tests, NULL, NULL);
}
