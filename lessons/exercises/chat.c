/* Exercise chat: a chat server (lesson 12): each line a client sends goes to every other client.
 *
 *   cc -o chat lessons/exercises/chat.c
 *   ioscope exercise chat -- ./chat {port}
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
	/* TODO: this echoes to the sender and serves one client at a time.
	 * Watch the server and every client at once (select, poll or epoll);
	 * when recv on a client returns bytes, send them to every OTHER
	 * connected client, not back to the sender; when it returns 0, forget
	 * that client (close it) and carry on with the others. */
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
