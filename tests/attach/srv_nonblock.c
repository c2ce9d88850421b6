/* srv_nonblock.c: an echo server that polls non-blocking sockets by hand.
 *
 *   srv_nonblock PORT [PORTFILE]
 *
 * No select, no epoll: every socket is O_NONBLOCK, and the server goes
 * round and round trying accept() and recv() on each, which fail with
 * EAGAIN when there is nothing yet; after each round with nothing to do it
 * naps for 5 ms so as not to burn the CPU.  PORT 0 lets the kernel pick
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
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 64

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

int main(int argc, char **argv)
{
	int clients[MAX_CLIENTS], nclients = 0, lfd, port;
	struct timespec nap = { 0, 5 * 1000 * 1000 };

	if (argc < 2) {
		fprintf(stderr, "usage: %s PORT [PORTFILE]\n", argv[0]);
		return 2;
	}
	lfd = listen_on(atoi(argv[1]), &port);
	if (argc > 2)
		write_port(argv[2], port);
	set_nonblocking(lfd);
	for (;;) {
		int busy = 0;
		int fd = accept(lfd, NULL, NULL);

		if (fd >= 0 && nclients < MAX_CLIENTS) {
			set_nonblocking(fd);
			clients[nclients++] = fd;
			busy = 1;
		} else if (fd >= 0) {
			close(fd);
		} else if (errno != EAGAIN && errno != EWOULDBLOCK) {
			perror("accept");
		}
		for (int i = 0; i < nclients; i++) {
			char buf[1024];
			ssize_t n = recv(clients[i], buf, sizeof buf, 0);

			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				continue;
			busy = 1;
			if (n <= 0) {
				close(clients[i]);
				clients[i--] = clients[--nclients];
				continue;
			}
			if (send(clients[i], buf, n, MSG_NOSIGNAL) != n)
				perror("send");
		}
		if (!busy)
			nanosleep(&nap, NULL);
	}
}
