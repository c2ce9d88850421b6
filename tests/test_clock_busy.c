/* test_clock_busy.c: a busy actor cannot starve the scenario clock.
 *
 * B polls 64 fds on the non-blocking model with the shortest pause a
 * script allows (1 ms) at speed 1000: a microsecond of real time between
 * rounds of 64 recv calls, far more events than the loop can take (the
 * rings drop and count the rest).  The world's timed action, 0.3 s of real
 * time after the start, must still come on time, give or take the loop's
 * slice of work: the loop thread may not spend all its time draining.
 * A listener that makes several write calls per event (a slow screen, a
 * recorder that writes per event) keeps the loop the slower side whatever
 * the recorder costs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "live/run.h"
#include "tests/harness.h"
#include "view/narrate.h"

#define AT_NS   300000000LL      /* "at 300s" at speed 1000 */
#define LATE_NS 1000000000LL     /* generous: a loaded 2-core machine, ASan */

static const char script[] =
	"scenario busy\n"
	"actor B nonblocking fds=64 every=1ms\n"
	"at 300s say en now\n"
	"at 300s say zh 现在\n"
	"at 300s write B.1 carp\n"
	"at 320s close B.1\n";

H_FILES_GROUP(script)

/* The index of the caption of step 0, or -1. */
static long caption_at(const struct trace *t)
{
	for (size_t i = trace_count(t); i-- > 0;) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->kind == TRACE_CAPTION && ev->step == 0)
			return (long)i;
	}
	return -1;
}

static bool captioned_or_ended(struct h_run *hr, void *arg)
{
	(void)arg;
	return hr->ended || caption_at(run_trace(hr->r)) >= 0;
}

static size_t lost(const struct trace *t)
{
	size_t n = 0;

	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *ev = trace_at(t, i);

		n += ev->kind == TRACE_LOST ? ev->count : 0;
	}
	return n;
}

/* Four write calls per event (to /dev/null), where B makes one recv call
 * per two events. */
static void slow_cb(void *arg, struct trace *t, const struct trace_ev *ev)
{
	int fd = *(int *)arg;

	(void)t;
	for (int i = 0; i < 4; i++)
		assert_int_equal(write(fd, ev, sizeof *ev), (ssize_t)sizeof *ev);
}

static void test_clock_busy_action_on_time(void **state)
{
	struct run_opts o = {
		.scenario = files.scn, .speed = 1000, .lang = NARRATE_EN, .grace_ms = 5000,
		.record = files.rec,
	};
	char cause[512] = "";
	struct h_run hr;
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	const struct trace *t;
	int64_t late;
	long at;

	(void)state;
	assert_true(null >= 0);
	assert_int_equal(h_run_open(&hr, &o, cause, sizeof cause), 0);
	assert_int_equal(run_listen(hr.r, slow_cb, &null), 0);
	assert_true(h_run_until(&hr, captioned_or_ended, NULL, 20000));
	t = run_trace(hr.r);
	at = caption_at(t);
	if (at < 0)
		fail_msg("the action at 0.3 s never came: %s (%zu events, %zu lost)",
			 run_ended(hr.r) ? "the run ended first" : "timed out",
			 trace_count(t), lost(t));
	late = trace_at(t, (size_t)at)->t_ns - AT_NS;
	print_message("action at 0.3 s came %.1f ms late; %zu events so far, %zu lost\n",
		      (double)late / 1e6, trace_count(t), lost(t));
	assert_true(late < LATE_NS);
	/* The rest of the script plays too. */
	assert_true(h_run_until(&hr, h_run_ended, NULL, 20000));
	h_run_close(&hr, cause, sizeof cause);
	close(null);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clock_busy_action_on_time),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("clock_busy", tests, h_files_setup, h_files_teardown);
}
