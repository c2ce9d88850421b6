/* test_five.c: the five IO models, checked against DESIGN.md §1 (UNP
 * figure 6.6) from the trace alone.  One script, every model: which phase
 * of the read blocked the calling thread?  A model that cannot run here is
 * skipped with its reason; none is faked. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/model.h"
#include "live/run.h"
#include "tests/harness.h"
#include "view/narrate.h"

struct row {
	const char *model;
	bool wait_blocked, copy_blocked;
	bool helper_blocked;     /* a helper thread sleeps in read (POSIX aio) */
};

static const struct row table[] = {
	{ "blocking",    true,  true,  false },
	{ "nonblocking", false, true,  false },
	{ "select",      true,  true,  false },
	{ "poll",        true,  true,  false },
	{ "epoll",       true,  true,  false },
	{ "epoll-et",    true,  true,  false },
	{ "sigio",       false, true,  false },
	{ "uring",       false, false, false },
	{ "posix-aio",   false, false, true  },
	{ "libuv",       true,  true,  false },
};

/* The test performs each write (run_step) once A waits for it: the times
 * only order them. */
static const char script[] =
	"scenario five\n"
	"actor A blocking\n"
	"at 1000s write A.1 fish\n"
	"at 2000s write A.1 more\n";

H_FILES_GROUP(script)

/* Before a write: A has the bytes of the writes before it and waits for
 * more; before the first, a POSIX aio helper (if the model has one) is
 * asleep in its read, by the kernel's word through the sampler. */
struct before {
	int64_t bytes;
	bool helper;
};

static bool a_waits(struct h_run *hr, void *arg)
{
	const struct before *b = arg;
	const struct trace *t = run_trace(hr->r);
	int A = trace_find_actor(t, "A");

	return h_actor_got(t, A) >= b->bytes && h_actor_waits(t, A) &&
	       (!b->helper || h_actor_helper_asleep(t, A));
}

/* The script, each write once A waits for it; then to its end. */
static void play(const struct row *r)
{
	struct run_opts o = { .scenario = files.scn, .model = r->model, .speed = 10,
			      .record = files.rec, .grace_ms = 3000 };
	struct before first = { 0, r->helper_blocked }, second = { 4, false };
	char cause[512] = "";
	struct h_run hr;

	unlink(files.rec);
	assert_int_equal(h_run_open(&hr, &o, cause, sizeof cause), 0);
	assert_true(h_run_until(&hr, a_waits, &first, 10000));
	assert_int_equal(run_step(hr.r), 0);
	assert_true(h_run_until(&hr, a_waits, &second, 10000));
	assert_int_equal(run_step(hr.r), 1);
	assert_true(h_run_until(&hr, h_run_ended, NULL, 10000));
	if (h_run_close(&hr, cause, sizeof cause) != 0)
		fail_msg("%s", cause);
}

static void test_five_phases(void **state)
{
	const struct row *r = *state;
	const struct model_ops *m = model_find(r->model);
	const char *why = "";
	char cause[512] = "";
	struct trace *t;
	size_t skipped;
	int A, waits = 0, copies = 0, helper_asleep = 0;
	int64_t bytes = 0;

	assert_non_null(m);                 /* every model is in this build */
	if (m->available(&why) != 0) {
		print_message("skipping %s: %s\n", r->model, why);
		skip();
	}
	play(r);
	assert_int_equal(trace_read(files.rec, &t, &skipped, cause, sizeof cause), 0);
	A = trace_find_actor(t, "A");
	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->actor != A)
			continue;
		if (ev->kind == TRACE_PHASE && ev->phase == TRACE_PH_WAIT) {
			assert_int_equal(!!(ev->flags & TRACE_F_BLOCKED), r->wait_blocked);
			waits++;
		}
		if (ev->kind == TRACE_PHASE && ev->phase == TRACE_PH_COPY) {
			assert_int_equal(!!(ev->flags & TRACE_F_BLOCKED), r->copy_blocked);
			copies++;
		}
		if (ev->kind == TRACE_STATE && ev->what == 1 && ev->state == 'S')
			helper_asleep++;
		if (((ev->kind == TRACE_EXIT && (ev->call == TRACE_CALL_RECVFROM ||
						 ev->call == TRACE_CALL_READ)) ||
		     ev->kind == TRACE_COMPLETE) && ev->ret > 0)
			bytes += ev->ret;
	}
	assert_true(waits >= 2);
	assert_true(copies >= 2);
	assert_int_equal(bytes, 8);           /* "fish" and "more", each once */
	if (r->helper_blocked)
		assert_true(helper_asleep > 0);   /* the truth behind POSIX aio */
	trace_free(t);
}

int main(int argc, char **argv)
{
	struct CMUnitTest tests[sizeof table / sizeof table[0]];

	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		tests[i] = (struct CMUnitTest){ table[i].model, test_five_phases, NULL, NULL,
						(void *)&table[i] };
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("five", tests, h_files_setup, h_files_teardown);
}
