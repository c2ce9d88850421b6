/* test_epfd.c: the parser of an epoll fd's /proc fdinfo (epfd.c), on a
 * fixed text, on refused texts, and on a real epoll instance. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "models/epfd.h"

static const char kernel_text[] =
	"pos:\t0\n"
	"flags:\t02000002\n"
	"mnt_id:\t17\n"
	"ino:\t1038\n"
	"tfd:        4 events:       19 data:                4  pos:0 ino:5d63f3 sdev:9\n"
	"tfd:       12 events: 80000001 data: ffffffffffffffff  pos:0 ino:5d63f9 sdev:9\n";

static int parse(const char *text, struct epfd_entry *e, int max)
{
	return epfd_parse(text, strlen(text), e, max);
}

static void test_epfd_kernel_text(void **state)
{
	struct epfd_entry e[4];

	(void)state;
	assert_int_equal(parse(kernel_text, e, 4), 2);
	assert_int_equal(e[0].fd, 4);
	assert_int_equal(e[0].events, 0x19);
	assert_int_equal(e[0].data, 4);
	assert_int_equal(e[1].fd, 12);
	assert_int_equal(e[1].events, 0x80000001u);
	assert_true(e[1].data == UINT64_MAX);
	assert_int_equal(parse("pos:\t0\nflags:\t02\n", e, 4), 0);   /* nothing watched */
	assert_int_equal(parse("", e, 4), 0);
	assert_int_equal(parse(kernel_text, e, 1), -ENOSPC);
}

/* Each is one change away from what the kernel writes. */
static void test_epfd_refuses(void **state)
{
	static const char *const bad[] = {
		"tfd:        4 events:       19 data:                4",          /* no '\n' */
		"tfd: 2147483648 events: 19 data: 4\n",                        /* fd > INT_MAX */
		"tfd: -1 events: 19 data: 4\n",
		"tfd: 4 events: 100000000 data: 4\n",                          /* 33 bits */
		"tfd: 4 events: 19 data: 10000000000000000\n",                 /* 65 bits */
		"tfd: 4 events: 19\n",
		"tfd: 4 events: 1G data: 4\n",
		"tfd: 4 events: 19 data: 4x\n",
		"tfd:4 events: 19 data: 4\n",
		"tfd: 4 events: 19 data:\n",
		"tfd: 4 events: 19 data: 4 pos:\0\n",
		"Pos:\t0\n",
		"pos\t0\n",
		":\t0\n",
		"\n",
		"pos:\t0\x01\n",
	};
	struct epfd_entry e[4];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		size_t len = strlen(bad[i]);

		if (i == 10)
			len = sizeof "tfd: 4 events: 19 data: 4 pos:\0\n" - 1;
		if (epfd_parse(bad[i], len, e, 4) != -EINVAL)
			fail_msg("accepted #%zu: %s", i, bad[i]);
	}
}

/* A real instance: what was registered, with its mask and data. */
static void test_epfd_real(void **state)
{
	struct epfd_entry e[4];
	int ep = epoll_create1(EPOLL_CLOEXEC), sv[2], n, found = 0;

	(void)state;
	assert_true(ep >= 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(epfd_read(ep, e, 4), 0);
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, sv[0],
				   &(struct epoll_event){ .events = EPOLLIN | EPOLLRDHUP,
							  .data.u64 = 0x1234 }), 0);
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, sv[1],
				   &(struct epoll_event){ .events = EPOLLOUT | EPOLLET,
							  .data.fd = sv[1] }), 0);
	assert_int_equal(n = epfd_read(ep, e, 4), 2);
	for (int i = 0; i < n; i++)
		if (e[i].fd == sv[0]) {
			assert_int_equal(e[i].events & (EPOLLIN | EPOLLRDHUP), EPOLLIN | EPOLLRDHUP);
			assert_true(e[i].data == 0x1234);
			found |= 1;
		} else if (e[i].fd == sv[1]) {
			assert_true(e[i].events & EPOLLET);
			assert_true(e[i].events & EPOLLOUT);
			found |= 2;
		}
	assert_int_equal(found, 3);
	assert_int_equal(epfd_read(ep, e, 1), -ENOSPC);
	assert_int_equal(epfd_read(-1, e, 4), -EBADF);
	close(sv[0]);
	close(sv[1]);
	close(ep);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_epfd_kernel_text),
		cmocka_unit_test(test_epfd_refuses),
		cmocka_unit_test(test_epfd_real),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("epfd", tests, NULL, NULL);
}
