/* test_record_batch.c: a live recording is written in batches
 * (live/recorder.h), every write checked, and a run killed with SIGKILL
 * leaves a readable file holding what it recorded up to the last tick of
 * the flush timer. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include "live/recorder.h"
#include "live/run.h"
#include "tests/harness.h"
#include "trace/sink.h"
#include "view/narrate.h"

/* A stream whose writes are counted, as write(2) calls on a file would be:
 * stdio calls the cookie's write exactly where it would call write(2). */
struct counted {
	char *text;
	size_t len, cap;
	unsigned writes;
	int fail;                 /* errno every write fails with, or 0 */
};

static ssize_t counted_write(void *cookie, const char *buf, size_t size)
{
	struct counted *c = cookie;

	c->writes++;
	if (c->fail != 0) {
		errno = c->fail;
		return -1;
	}
	if (c->len + size + 1 > c->cap) {
		c->cap = (c->len + size + 1) * 2;
		assert_non_null(c->text = realloc(c->text, c->cap));
	}
	memcpy(c->text + c->len, buf, size);
	c->len += size;
	c->text[c->len] = '\0';
	return (ssize_t)size;
}

static FILE *counted_open(struct counted *c)
{
	cookie_io_functions_t io = { .write = counted_write };

	*c = (struct counted){ .writes = 0 };
	return fopencookie(c, "w", io);
}

/* A sink, its trace and a recorder wired as run.c wires them. */
struct fix {
	uv_loop_t loop;
	struct trace *t;
	struct sink *s;
	struct ring *ring;
	struct recorder rec;
	struct counted out;
	FILE *f;
	int fails, fail_err;
};

static void fix_fail_cb(void *arg, int err)
{
	struct fix *x = arg;

	x->fails++;
	x->fail_err = err;
}

static void fix_heard_cb(void *arg, struct trace *t, const struct trace_ev *ev)
{
	recorder_ev(&((struct fix *)arg)->rec, t, ev);
}

static void fix_batch_cb(void *arg)
{
	recorder_batch(&((struct fix *)arg)->rec);
}

static void fix_open(struct fix *x, int fail)
{
	memset(x, 0, sizeof *x);
	assert_int_equal(uv_loop_init(&x->loop), 0);
	assert_non_null(x->t = trace_new());
	assert_true(trace_add_actor(x->t, "A", "blocking", 0, "", "") > 0);
	assert_int_equal(sink_new(&x->loop, x->t, &x->s), 0);
	assert_non_null(x->ring = sink_ring_new(x->s, 1));
	assert_int_equal(sink_listen(x->s, fix_heard_cb, x), 0);
	sink_on_batch(x->s, fix_batch_cb, x);
	assert_non_null(x->f = counted_open(&x->out));
	assert_int_equal(recorder_init(&x->rec, &x->loop, x->f, fix_fail_cb, x), 0);
	assert_int_equal(trace_write_hdr(x->f, x->t), 0);
	assert_int_equal(fflush(x->f), 0);
	x->out.fail = fail;
}

static void fix_close(struct fix *x)
{
	sink_close(x->s);
	recorder_stop(&x->rec);
	uv_run(&x->loop, UV_RUN_NOWAIT);
	fclose(x->f);
	sink_free(x->s);
	assert_int_equal(uv_loop_close(&x->loop), 0);
	trace_free(x->t);
	free(x->out.text);
}

static void push(struct fix *x, int64_t i)
{
	ring_push(x->ring, &(struct trace_ev){
		.kind = i % 2 ? TRACE_EXIT : TRACE_ENTER, .actor = 1, .t_ns = 1000 + i,
		.call = TRACE_CALL_RECVFROM, .fd = 3, .ret = -EAGAIN, .err = EAGAIN, .step = -1,
	});
}

/* The end of a drained batch writes what is buffered once RECORDER_BATCH
 * events wait, not before (the loop is not run: no timer flushes). */
static void test_record_batch_end_flushes(void **state)
{
	struct fix x;
	unsigned before;

	(void)state;
	fix_open(&x, 0);
	before = x.out.writes;
	for (int i = 0; i < RECORDER_BATCH - 1; i++)
		push(&x, i);
	sink_drain(x.s);
	assert_int_equal(x.out.writes, before);          /* 255 lines: held */
	push(&x, RECORDER_BATCH - 1);
	sink_drain(x.s);
	assert_int_equal(x.out.writes, before + 1);      /* the 256th: one write */
	fix_close(&x);
}

/* Events as a run hears them, in drained batches of every size from 1 to
 * 97: at most one write per 20 events (the timer's flushes aside: one per
 * RECORDER_FLUSH_MS that passed), and every event is in the file. */
static void test_record_batch_writes(void **state)
{
	enum { N = 6000 };
	struct fix x;
	struct trace *back;
	size_t skipped;
	int64_t t0 = trace_mono_ns(), elapsed_ms;
	unsigned header_writes, allowed;
	char cause[256];

	(void)state;
	fix_open(&x, 0);
	header_writes = x.out.writes;
	for (int64_t i = 0, k = 1; i < N; k = k % 97 + 1) {
		for (int64_t j = 0; j < k && i < N; j++)
			push(&x, i++);
		sink_wake(x.s);
		uv_run(&x.loop, UV_RUN_NOWAIT);
	}
	sink_drain(x.s);
	assert_int_equal(trace_count(x.t), N);
	elapsed_ms = (trace_mono_ns() - t0) / 1000000;
	allowed = N / 20 + 1 + (unsigned)(elapsed_ms / RECORDER_FLUSH_MS);
	print_message("%d events, %u write calls (at most %u allowed) in %lld ms\n", N,
		      x.out.writes - header_writes, allowed, (long long)elapsed_ms);
	assert_true(x.out.writes - header_writes <= allowed);
	assert_int_equal(recorder_flush(&x.rec), 0);
	assert_int_equal(trace_read_mem("counted", x.out.text, x.out.len, &back, &skipped,
					cause, sizeof cause), 0);
	assert_int_equal(skipped, 0);
	assert_int_equal(trace_count(back), N);
	trace_free(back);
	assert_int_equal(x.fails, 0);
	fix_close(&x);
}

static void limit_cb(uv_timer_t *h)
{
	*(bool *)h->data = true;
}

/* Run x's loop until its stream was written, at most timeout_ms. */
static bool run_until_written(struct fix *x, int timeout_ms)
{
	uv_timer_t limit;
	bool expired = false;

	uv_timer_init(&x->loop, &limit);
	limit.data = &expired;
	uv_timer_start(&limit, limit_cb, (uint64_t)timeout_ms, 0);
	while (x->out.len == 0 && !expired)
		uv_run(&x->loop, UV_RUN_ONCE);
	uv_close((uv_handle_t *)&limit, NULL);
	uv_run(&x->loop, UV_RUN_NOWAIT);
	return x->out.len > 0;
}

/* A few events, too few for a batch to be written: the timer writes them,
 * all in one call, without waiting for more. */
static void test_record_batch_timer_writes(void **state)
{
	struct fix x;
	unsigned before;
	size_t lines = 0;

	(void)state;
	fix_open(&x, 0);
	before = x.out.writes;
	x.out.len = 0;                   /* the header's bytes: not counted here */
	for (int i = 0; i < 10; i++)
		push(&x, i);
	sink_drain(x.s);
	assert_int_equal(x.out.writes, before);     /* buffered */
	assert_true(run_until_written(&x, 10000));
	assert_int_equal(x.out.writes, before + 1);
	for (const char *p = x.out.text; *p != '\0'; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 10);
	fix_close(&x);
}

/* A write that fails is the recording's error, told once, and nothing
 * more is tried. */
static void test_record_batch_write_error(void **state)
{
	struct fix x;

	(void)state;
	fix_open(&x, ENOSPC);
	for (int i = 0; i < 3 * RECORDER_BATCH; i++)
		push(&x, i);
	sink_drain(x.s);
	assert_int_equal(x.fails, 1);
	assert_int_equal(x.fail_err, -ENOSPC);
	assert_int_equal(recorder_error(&x.rec), -ENOSPC);
	assert_int_equal(recorder_ev(&x.rec, x.t, trace_at(x.t, 0)), -ENOSPC);
	assert_int_equal(recorder_flush(&x.rec), -ENOSPC);
	assert_int_equal(x.fails, 1);
	x.out.fail = 0;                  /* fclose may write what is left */
	fix_close(&x);
}

/* ---- a whole run, killed ---- */

static const char script[] =
	"scenario killed\n"
	"actor A blocking\n"
	"at 0s say en start\n"
	"at 0s say zh 开始\n"
	"at 0.2s say en tick\n"
	"at 0.2s say zh 滴答\n"
	"at 60s write A.1 trout\n";

H_FILES_GROUP(script)

static bool has_tick(void *arg)
{
	char *text = h_slurp(arg);
	bool yes = text != NULL && strstr(text, "\"en\":\"tick\"") != NULL;

	free(text);
	return yes;
}

/* The run is killed with SIGKILL a minute before its end: the caption it
 * recorded at 0.2 s is in the file, written by the timer alone (far too
 * few events to fill a buffer or a batch), and the file reads. */
static void test_record_batch_sigkill(void **state)
{
	struct run_opts o = {
		.scenario = files.scn, .speed = 1, .record = files.rec,
		.lang = NARRATE_EN, .grace_ms = 1000,
	};
	struct trace *t;
	size_t skipped;
	char cause[512];
	bool ticked;
	int status, tick = -1;     /* the tick caption's step */
	pid_t pid;

	(void)state;
	unlink(files.rec);
	fflush(NULL);
	assert_true((pid = fork()) >= 0);
	if (pid == 0)
		_exit(run_scenario(&o, cause, sizeof cause) == 0 ? 0 : 1);
	ticked = h_until(has_tick, files.rec, 10000);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_true(ticked);
	assert_int_equal(trace_read(files.rec, &t, &skipped, cause, sizeof cause), 0);
	assert_true(skipped <= 1);
	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->kind == TRACE_CAPTION && strcmp(ev->text[0], "tick") == 0)
			tick = ev->step;
	}
	assert_true(tick >= 0);
	trace_free(t);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_batch_end_flushes),
		cmocka_unit_test(test_record_batch_writes),
		cmocka_unit_test(test_record_batch_timer_writes),
		cmocka_unit_test(test_record_batch_write_error),
		cmocka_unit_test(test_record_batch_sigkill),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("record_batch", tests, h_files_setup, h_files_teardown);
}
