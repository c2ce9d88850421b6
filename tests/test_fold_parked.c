/* test_fold_parked.c: a coroutine is parked from the moment its read's
 * wait phase begins until it ends, in the order the coroutines model
 * records it: its non-blocking recvfrom comes back EAGAIN first (the
 * call is over), then the wait begins and it switches away.  Nothing of
 * it is inside a system call while it is parked. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>

#include "trace/fold.h"

static void add(struct trace *t, struct trace_ev e)
{
	assert_int_equal(trace_append(t, &e), 0);
}

static struct trace_ev ev_of(int kind, int actor, int64_t t_ns)
{
	return (struct trace_ev){ .kind = (uint8_t)kind, .actor = (uint16_t)actor,
				  .t_ns = t_ns, .fd = 7, .step = -1 };
}

static void test_fold_parked_after_eagain(void **state)
{
	struct trace *t = trace_new();
	struct view *v = malloc(sizeof *v);
	struct trace_ev e;
	size_t parked_at;
	int s, co;

	(void)state;
	assert_non_null(t);
	assert_non_null(v);
	s = trace_add_actor(t, "S", "coroutines", TRACE_CAP_INTEREST | TRACE_CAP_SERVES, "", "");
	co = trace_announce_actor(t, "S.co1", "coroutines",
				  TRACE_CAP_PHASES | TRACE_CAP_COROUTINE, "", "", s);
	e = ev_of(TRACE_ACTOR, co, 10); e.tid = 100; e.pid = 99; e.fd = -1; add(t, e);
	e = ev_of(TRACE_ENTER, co, 20); e.call = TRACE_CALL_RECVFROM; add(t, e);
	e = ev_of(TRACE_EXIT, co, 21); e.call = TRACE_CALL_RECVFROM; e.ret = -1; e.err = EAGAIN;
	add(t, e);
	e = ev_of(TRACE_PHASE, co, 22); e.phase = TRACE_PH_WAIT; e.flags = TRACE_F_BLOCKED;
	add(t, e);
	parked_at = trace_count(t);
	e = ev_of(TRACE_PHASE, co, 900); e.phase = TRACE_PH_WAIT;
	e.flags = TRACE_F_BLOCKED | TRACE_F_END; add(t, e);

	view_fold(v, t, parked_at - 1);                /* back from EAGAIN */
	assert_false(view_actor_parked(view_actor_c(v, co)));
	view_fold(v, t, parked_at);                    /* switched away */
	assert_true(view_actor_parked(view_actor_c(v, co)));
	assert_false(view_actor_asleep(view_actor_c(v, co)));
	view_fold(v, t, trace_count(t));               /* woken by the loop */
	assert_false(view_actor_parked(view_actor_c(v, co)));
	free(v);
	trace_free(t);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold_parked_after_eagain),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("fold_parked", tests, NULL, NULL);
}
