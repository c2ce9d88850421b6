/* srv_epoll.c: an echo server on epoll, level-triggered.
 *
 *   srv_epoll PORT [PORTFILE]
 *
 * The listening socket and each client are in one epoll instance (EPOLLIN,
 * the default level-triggered mode); epoll_wait hands back those ready and
 * each is read once: what is left is reported again by the next wait.
 * PORT 0 lets the kernel pick one; PORTFILE, when given, receives the port
 * once the server listens.  Runs until killed.
 */
#include <arpa/inet.h>
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

int main(int argc, char **argv)
{
	struct epoll_event ev, events[MAX_EVENTS];
	int lfd, port, epfd;

	if (argc < 2) {
		fprintf(stderr, "usage: %s PORT [PORTFILE]\n", argv[0]);
		return 2;
	}
	lfd = listen_on(atoi(argv[1]), &port);
	if (argc > 2)
		write_port(argv[2], port);
	epfd = epoll_create1(0);
	if (epfd < 0)
		die("epoll_create1");
	ev.events = EPOLLIN;
	ev.data.fd = lfd;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev) < 0)
		die("epoll_ctl");
	for (;;) {
		int n = epoll_wait(epfd, events, MAX_EVENTS, -1);

		if (n < 0) {
			perror("epoll_wait");
			continue;
		}
		for (int i = 0; i < n; i++) {
			int fd = events[i].data.fd;
			char buf[1024];
			ssize_t got;

			if (fd == lfd) {
				int client = accept(lfd, NULL, NULL);

				if (client < 0)
					continue;
				ev.events = EPOLLIN;
				ev.data.fd = client;
				if (epoll_ctl(epfd, EPOLL_CTL_ADD, client, &ev) < 0) {
					perror("epoll_ctl");
					close(client);
				}
				continue;
			}
			got = recv(fd, buf, sizeof buf, 0);
			if (got <= 0) {
				close(fd);      /* closing also takes it out of epoll */
				continue;
			}
			if (send(fd, buf, got, MSG_NOSIGNAL) != got)
				perror("send");
		}
	}
}
