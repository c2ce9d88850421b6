/* test_sampler.c: the kernel's own word on a thread blocked in recv. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <uv.h>

#include "models/sampler.h"
#include "tests/harness.h"

/* A blocking reader, seen from another thread through /proc. */
static void test_sampler_sees_blocked_recv(void **state)
{
	struct harness h;
	struct kstate ks;
	pid_t tid;

	(void)state;
	assert_int_equal(h_init(&h, 1, 1.0), 0);
	assert_int_equal(h_start(&h, "blocking"), 0);
	assert_true(h_wait(&h, h_waiting, NULL, 5000));
	tid = atomic_load(&h.c.tid);
	assert_int_equal(sampler_read(tid, &ks), 0);
	assert_int_equal(ks.state, 'S');
	assert_int_equal(ks.sysno, SYS_recvfrom);
	assert_string_equal(ks.syscall, "recvfrom");
	assert_int_equal(ks.arg0, h.fds[0].fd);
	if (ks.wchan[0] == '\0')
		print_message("note: this kernel hides wchan\n");
	else
		assert_string_equal(ks.wchan, "unix_stream_read_generic");
	h_close_far(&h, 0);
	assert_true(h_wait(&h, h_done, NULL, 5000));
	h_fini(&h);
}

static void test_sampler_self_is_running(void **state)
{
	struct kstate ks;

	(void)state;
	assert_int_equal(sampler_read(gettid(), &ks), 0);
	/* Read from inside read(2): the kernel says so. */
	assert_int_equal(ks.state, 'R');
	assert_int_equal(ks.sysno, SYS_read);
	assert_string_equal(ks.syscall, "read");
}

static void test_sampler_gone_thread(void **state)
{
	struct kstate ks;

	(void)state;
	assert_int_equal(sampler_read(0x7ffffff0, &ks), -ENOENT);
}

static void test_sampler_names_from_build(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(sampler_sysname(SYS_recvfrom, buf, sizeof buf), "recvfrom");
	assert_string_equal(sampler_sysname(SYS_read, buf, sizeof buf), "read");
	assert_string_equal(sampler_sysname(99999, buf, sizeof buf), "syscall 99999");
	assert_true(sampler_call_matches(TRACE_CALL_RECVFROM, SYS_recvfrom));
	assert_false(sampler_call_matches(TRACE_CALL_RECVFROM, SYS_read));
	assert_true(sampler_call_matches(TRACE_CALL_SELECT, SYS_pselect6));
}

/* A thread of ours reads as of our process: pid is getpid(), the Tgid
 * /proc/self/task/TID/status gives. */
static void test_sampler_pid_is_tgid(void **state)
{
	struct kstate ks;
	char path[64], line[256];
	long tgid = -1;
	FILE *f;

	(void)state;
	assert_int_equal(sampler_read(gettid(), &ks), 0);
	snprintf(path, sizeof path, "/proc/self/task/%d/status", (int)gettid());
	assert_non_null(f = fopen(path, "r"));
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "Tgid: %ld", &tgid) == 1)
			break;
	fclose(f);
	assert_int_equal(ks.pid, tgid);
	assert_int_equal(ks.pid, getpid());
}

/* The loop runs the sampler's timer; then a state event was heard. */
static bool has_state(struct harness *h, void *arg)
{
	(void)arg;
	uv_run(&h->loop, UV_RUN_NOWAIT);
	return h_count(h, TRACE_STATE) > 0;
}

/* The sampler's state events carry the sampled thread's pid. */
static void test_sampler_state_has_pid(void **state)
{
	struct harness h;
	struct sampler *sp;

	(void)state;
	assert_int_equal(h_init(&h, 1, 1.0), 0);
	assert_int_equal(sampler_new(&h.loop, h.s, &sp), 0);
	assert_int_equal(sampler_watch(sp, 1, &h.c.tid), 0);
	assert_int_equal(h_start(&h, "blocking"), 0);
	assert_true(h_wait(&h, has_state, NULL, 5000));
	for (size_t i = 0; i < trace_count(h.t); i++)
		if (trace_at(h.t, i)->kind == TRACE_STATE)
			assert_int_equal(trace_at(h.t, i)->pid, getpid());
	sampler_close(sp);
	h_close_far(&h, 0);
	assert_true(h_wait(&h, h_done, NULL, 5000));
	h_fini(&h);
	sampler_free(sp);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sampler_sees_blocked_recv),
		cmocka_unit_test(test_sampler_self_is_running),
		cmocka_unit_test(test_sampler_gone_thread),
		cmocka_unit_test(test_sampler_names_from_build),
		cmocka_unit_test(test_sampler_pid_is_tgid),
		cmocka_unit_test(test_sampler_state_has_pid),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("sampler", tests, NULL, NULL);
}
