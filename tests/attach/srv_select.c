/* srv_select.c: a chat server on select(): what one client says goes to
 * all the others (NOT an echo: the sender does not get its line back).
 *
 *   srv_select PORT [PORTFILE]
 *
 * One thread, one select() over the listening socket and every client.
 * Bytes are kept per client until a whole line is in, and each whole line
 * is sent to every other client.  PORT 0 lets the kernel pick one;
 * PORTFILE, when given, receives the port once the server listens.  Runs
 * until killed.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CLIENTS 64

struct client {
	int fd;                 /* -1: free slot */
	char buf[2048];
	size_t len;
};

static struct client clients[MAX_CLIENTS];

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

static void add_client(int fd)
{
	for (int i = 0; i < MAX_CLIENTS; i++) {
		if (clients[i].fd < 0) {
			clients[i].fd = fd;
			clients[i].len = 0;
			return;
		}
	}
	fprintf(stderr, "too many clients\n");
	close(fd);
}

static void broadcast(int from, const char *line, size_t len)
{
	for (int i = 0; i < MAX_CLIENTS; i++) {
		if (clients[i].fd < 0 || i == from)
			continue;
		if (send(clients[i].fd, line, len, MSG_NOSIGNAL) != (ssize_t)len)
			perror("send");
	}
}

/* Read what client i sent; pass on each whole line. */
static void handle(int i)
{
	struct client *c = &clients[i];
	char *nl;
	ssize_t n;

	n = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
	if (n <= 0) {
		close(c->fd);
		c->fd = -1;
		return;
	}
	c->len += n;
	while ((nl = memchr(c->buf, '\n', c->len)) != NULL) {
		size_t line = nl - c->buf + 1;

		broadcast(i, c->buf, line);
		memmove(c->buf, c->buf + line, c->len - line);
		c->len -= line;
	}
	if (c->len == sizeof c->buf) {     /* a line too long: pass it on */
		broadcast(i, c->buf, c->len);
		c->len = 0;
	}
}

int main(int argc, char **argv)
{
	int lfd, port;

	if (argc < 2) {
		fprintf(stderr, "usage: %s PORT [PORTFILE]\n", argv[0]);
		return 2;
	}
	lfd = listen_on(atoi(argv[1]), &port);
	if (argc > 2)
		write_port(argv[2], port);
	for (int i = 0; i < MAX_CLIENTS; i++)
		clients[i].fd = -1;
	for (;;) {
		fd_set rfds;
		int maxfd = lfd;

		FD_ZERO(&rfds);
		FD_SET(lfd, &rfds);
		for (int i = 0; i < MAX_CLIENTS; i++) {
			if (clients[i].fd >= 0) {
				FD_SET(clients[i].fd, &rfds);
				if (clients[i].fd > maxfd)
					maxfd = clients[i].fd;
			}
		}
		if (select(maxfd + 1, &rfds, NULL, NULL, NULL) < 0) {
			perror("select");
			continue;
		}
		if (FD_ISSET(lfd, &rfds)) {
			int fd = accept(lfd, NULL, NULL);

			if (fd >= 0)
				add_client(fd);
		}
		for (int i = 0; i < MAX_CLIENTS; i++)
			if (clients[i].fd >= 0 && FD_ISSET(clients[i].fd, &rfds))
				handle(i);
	}
}
