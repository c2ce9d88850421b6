/* srv_poll.c: an echo server on poll().
 *
 *   srv_poll PORT [PORTFILE]
 *
 * One thread; an array of struct pollfd holds the listening socket and
 * every client; each client that poll() says is readable is read once and
 * what it said is sent back.  PORT 0 lets the kernel pick one; PORTFILE,
 * when given, receives the port once the server listens.  Runs until
 * killed.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_FDS 65

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
	struct pollfd fds[MAX_FDS];
	int nfds = 1, lfd, port;

	if (argc < 2) {
		fprintf(stderr, "usage: %s PORT [PORTFILE]\n", argv[0]);
		return 2;
	}
	lfd = listen_on(atoi(argv[1]), &port);
	if (argc > 2)
		write_port(argv[2], port);
	fds[0].fd = lfd;
	fds[0].events = POLLIN;
	for (;;) {
		if (poll(fds, nfds, -1) < 0) {
			perror("poll");
			continue;
		}
		if (fds[0].revents & POLLIN) {
			int fd = accept(lfd, NULL, NULL);

			if (fd >= 0 && nfds < MAX_FDS) {
				fds[nfds].fd = fd;
				fds[nfds].events = POLLIN;
				fds[nfds].revents = 0;
				nfds++;
			} else if (fd >= 0) {
				close(fd);
			}
		}
		for (int i = 1; i < nfds; i++) {
			char buf[1024];
			ssize_t n;

			if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = recv(fds[i].fd, buf, sizeof buf, 0);
			if (n <= 0) {
				close(fds[i].fd);
				fds[i] = fds[--nfds];     /* the last one takes its place */
				i--;
				continue;
			}
			if (send(fds[i].fd, buf, n, MSG_NOSIGNAL) != n)
				perror("send");
		}
	}
}
