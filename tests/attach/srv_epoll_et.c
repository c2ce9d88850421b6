/* srv_epoll_et.c: an echo server on edge-triggered epoll.
 *
 *   srv_epoll_et PORT [PORTFILE]
 *
 * Every socket is non-blocking and registered with EPOLLIN | EPOLLET: the
 * kernel reports a socket once per new arrival, so each time it is
 * reported the server must drain it, accepting or reading until EAGAIN,
 * or the rest would never be reported again.  PORT 0 lets the kernel pick
 * one; PORTFILE, when given, receives the port once the server listens.
 * Runs until killed.
 */
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

#define MAX_EVENTS 16

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* PORTFILE is written whole: to a temporary name, then renamed. */
static void write_port(const char *path, int port)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL)
		die(tmp);
	fprintf(f, "%d\n", port);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		die(path);
}

static int listen_on(int port, int *bound)
{
	struct sockaddr_in addr;
	socklen_t len = sizeof addr;
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0)
		die("bind");
	if (listen(fd, SOMAXCONN) < 0)
		die("listen");
	if (getsockname(fd, (struct sockaddr *)&addr, &len) < 0)
		die("getsockname");
	*bound = ntohs(addr.sin_port);
	printf("listening on port %d\n", *bound);
	fflush(stdout);
	return fd;
}

static void set_nonblocking(int fd)
{
	int flags = fcntl(fd, F_GETFL, 0);

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		die("fcntl");
}

static void watch(int epfd, int fd)
{
	struct epoll_event ev;

	ev.events = EPOLLIN | EPOLLET;
	ev.data.fd = fd;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		die("epoll_ctl");
}

static void accept_all(int epfd, int lfd)
{
	for (;;) {
		int client = accept(lfd, NULL, NULL);

		if (client < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				perror("accept");
			return;
		}
		set_nonblocking(client);
		watch(epfd, client);
	}
}

/* Read until EAGAIN, sending back each piece. */
static void drain(int fd)
{
	char buf[1024];

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof buf, 0);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			close(fd);
			return;
		}
		if (send(fd, buf, n, MSG_NOSIGNAL) != n)
			perror("send");
	}
}

int main(int argc, char **argv)
{
	struct epoll_event events[MAX_EVENTS];
	int lfd, port, epfd;

	if (argc < 2) {
		fprintf(stderr, "usage: %s PORT [PORTFILE]\n", argv[0]);
		return 2;
	}
	lfd = listen_on(atoi(argv[1]), &port);
	if (argc > 2)
		write_port(argv[2], port);
	set_nonblocking(lfd);
	epfd = epoll_create1(0);
	if (epfd < 0)
		die("epoll_create1");
	watch(epfd, lfd);
	for (;;) {
		int n = epoll_wait(epfd, events, MAX_EVENTS, -1);

		if (n < 0) {
			perror("epoll_wait");
			continue;
		}
		for (int i = 0; i < n; i++) {
			if (events[i].data.fd == lfd)
				accept_all(epfd, lfd);
			else
				drain(events[i].data.fd);
		}
	}
}
