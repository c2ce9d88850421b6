/* srv_blocking.c: an echo server that serves one client at a time.
 *
 *   srv_blocking PORT [PORTFILE]
 *
 * The first server of every networking book: accept a client, recv and
 * send back what it says until it hangs up, then accept the next.  While
 * one client talks, the others wait in the listen queue.  PORT 0 lets the
 * kernel pick one; PORTFILE, when given, receives the port once the
 * server listens.  Runs until killed.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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

static void serve(int client)
{
	char buf[1024];
	ssize_t n;

	while ((n = recv(client, buf, sizeof buf, 0)) > 0) {
		if (send(client, buf, n, 0) != n) {
			perror("send");
			break;
		}
	}
	close(client);
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
	for (;;) {
		int client = accept(lfd, NULL, NULL);

		if (client < 0) {
			perror("accept");
			continue;
		}
		serve(client);
	}
}
