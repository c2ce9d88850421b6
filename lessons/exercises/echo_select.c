/* Exercise echo-select: serve many clients at once with select.
 *
 *   cc -o echo_select lessons/exercises/echo_select.c
 *   ioscope exercise echo-select -- ./echo_select {port}
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
	/* TODO: keep the server's fd and every client's in an fd_set.  Each
	 * turn, copy it and call select(maxfd + 1, &ready, NULL, NULL, NULL);
	 * then handle only the fds left set: the server's means accept() (add
	 * the new fd), a client's means one recv() (send back what came; 0
	 * means it left: FD_CLR and close).  Then no call waits on one client
	 * while another has something to say. */
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
