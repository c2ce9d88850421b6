#define _GNU_SOURCE
/* ex_echo_epoll.c: the reference solution of `ioscope exercise echo-epoll`
 * (and echo-nonblocking-writes): level-triggered epoll, non-blocking
 * sockets, what a send could not take kept per client and sent on
 * EPOLLOUT.  Not written for ioscope: a textbook server.  ./ex_echo_epoll PORT */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXFD 1024

struct out {
	char *buf;
	size_t len, cap;
};

static struct out outs[MAXFD];

static void want(int ep, int fd, int events)
{
	struct epoll_event ev = { .events = (uint32_t)events, .data.fd = fd };

	epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

static void drop(int ep, int fd)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
	close(fd);
	free(outs[fd].buf);
	memset(&outs[fd], 0, sizeof outs[fd]);
}

/* Send what is kept; 0, or -1 when the client is gone. */
static int flush(int ep, int fd)
{
	struct out *o = &outs[fd];

	while (o->len > 0) {
		ssize_t n = send(fd, o->buf, o->len, MSG_NOSIGNAL);

		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		memmove(o->buf, o->buf + n, o->len - (size_t)n);
		o->len -= (size_t)n;
	}
	want(ep, fd, EPOLLIN);
	return 0;
}

static int keep(int ep, int fd, const char *s, size_t n)
{
	struct out *o = &outs[fd];

	if (o->len + n > o->cap) {
		char *b = realloc(o->buf, (o->len + n) * 2);

		if (b == NULL)
			return -1;
		o->buf = b;
		o->cap = (o->len + n) * 2;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	want(ep, fd, EPOLLIN | EPOLLOUT);
	return flush(ep, fd);
}

static void on_client(int ep, int fd, uint32_t events)
{
	char buf[65536];
	ssize_t n;

	if (events & EPOLLOUT && flush(ep, fd) < 0) {
		drop(ep, fd);
		return;
	}
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	n = recv(fd, buf, sizeof buf, 0);
	if (n == 0 || (n < 0 && errno != EAGAIN))
		drop(ep, fd);
	else if (n > 0 && keep(ep, fd, buf, (size_t)n) < 0)
		drop(ep, fd);
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct epoll_event ev = { .events = EPOLLIN }, evs[64];
	int one = 1, lfd, ep;

	if (argc != 2)
		return 2;
	a.sin_port = htons((unsigned short)atoi(argv[1]));
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(lfd, 64) != 0) {
		perror("bind");
		return 1;
	}
	ep = epoll_create1(0);
	ev.data.fd = lfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	for (;;) {
		int n = epoll_wait(ep, evs, 64, -1);

		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd != lfd) {
				on_client(ep, fd, evs[i].events);
				continue;
			}
			for (int c; (c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0;) {
				struct epoll_event cev = { .events = EPOLLIN, .data.fd = c };

				if (c >= MAXFD) {
					close(c);
					continue;
				}
				epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
			}
		}
	}
}
