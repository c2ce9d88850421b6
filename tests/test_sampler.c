/* test_sampler.c: the kernel's own word on a thread blocked in recv. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

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

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sampler_sees_blocked_recv),
		cmocka_unit_test(test_sampler_self_is_running),
		cmocka_unit_test(test_sampler_gone_thread),
		cmocka_unit_test(test_sampler_names_from_build),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("sampler", tests, NULL, NULL);
}
