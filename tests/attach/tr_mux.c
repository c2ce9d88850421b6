/* tr_mux.c: one select, one poll, one epoll_ctl and one epoll_wait on a
 * socketpair with data waiting on its first end, for the tracer's array
 * decoding.  Prints "A B EP" (the pair's fds and the epoll fd) first. */
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u64 = 0x1234567890ull };
	struct epoll_event out[8];
	struct pollfd p[2];
	struct timeval tv = { 1, 0 };
	fd_set r, w;
	int sv[2], ep;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0 || (ep = epoll_create1(0)) < 0)
		return 1;
	printf("%d %d %d\n", sv[0], sv[1], ep);
	fflush(stdout);
	if (write(sv[1], "x", 1) != 1)
		return 1;
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(sv[0], &r);
	FD_SET(sv[1], &w);
	if (select(sv[1] + 1, &r, &w, NULL, &tv) != 2)
		return 2;
	p[0] = (struct pollfd){ .fd = sv[0], .events = POLLIN };
	p[1] = (struct pollfd){ .fd = sv[1], .events = POLLOUT };
	if (poll(p, 2, 1000) != 2)
		return 3;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev) != 0)
		return 4;
	if (epoll_wait(ep, out, 8, 1000) != 1)
		return 5;
	return 0;
}
