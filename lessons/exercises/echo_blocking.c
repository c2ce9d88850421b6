/* Exercise echo-blocking: an echo server with plain blocking calls.
 *
 *   cc -o echo_blocking lessons/exercises/echo_blocking.c
 *   ioscope exercise echo-blocking -- ./echo_blocking {port}
 *
 * Run it as it is first: ioscope says FAIL, and why.  Then fix the TODO. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1, server;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PORT\n", argv[0]);
		return 2;
	}
	a.sin_port = htons((unsigned short)atoi(argv[1]));
	server = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(server, (struct sockaddr *)&a, sizeof a) != 0 || listen(server, 16) != 0) {
		perror("bind");
		return 1;
	}
	for (;;) {
		char buf[4096];
		int conn = accept(server, NULL, NULL);   /* blocks until a client connects */
		ssize_t n;

		if (conn < 0)
			continue;
		n = recv(conn, buf, sizeof buf, 0);       /* blocks until the client sends */
		if (n > 0)
			send(conn, buf, (size_t)n, MSG_NOSIGNAL);
		/* TODO: a client sends many lines, and a line may come in
		 * pieces.  Keep calling recv (and sending back what it
		 * returned) until it returns 0: the client closed.  Only
		 * then close. */
		close(conn);
	}
}
