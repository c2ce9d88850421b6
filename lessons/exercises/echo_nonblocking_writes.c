/* Exercise echo-nonblocking-writes: echo to a client that reads slowly, without a write that blocks.
 *
 *   cc -o echo_nonblocking_writes lessons/exercises/echo_nonblocking_writes.c
 *   ioscope exercise echo-nonblocking-writes -- ./echo_nonblocking_writes {port}
 *
 * As it is, this server is the blocking one: it serves one client until
 * that client leaves, so ioscope says FAIL, and why.  Fix the TODO. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static int listen_on(const char *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_port = htons((unsigned short)atoi(port));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 16) != 0) {
		perror("bind");
		exit(1);
	}
	return fd;
}

int main(int argc, char **argv)
{
	int server;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PORT\n", argv[0]);
		return 2;
	}
	server = listen_on(argv[1]);
	/* TODO: two things.  Serve every client at once (epoll or select, as
	 * in echo-epoll).  And never block in send: make each client's socket
	 * non-blocking (fcntl O_NONBLOCK); when send takes only part (or fails
	 * with EAGAIN), keep the rest in a buffer of that client's, ask for
	 * EPOLLOUT (or put the fd in select's write set), and send the rest
	 * when it says the socket is writable.  A client that does not read
	 * must not stop the others. */
	for (;;) {
		char buf[4096];
		int conn = accept(server, NULL, NULL);
		ssize_t n;

		while (conn >= 0 && (n = recv(conn, buf, sizeof buf, 0)) > 0)   /* this client only */
			if (send(conn, buf, (size_t)n, MSG_NOSIGNAL) != n)
				break;
		if (conn >= 0)
			close(conn);
	}
}
