/* srv_uring.c: an echo server on io_uring (liburing).
 *
 *   srv_uring PORT [PORTFILE]
 *
 * Nothing is asked of the kernel with a plain syscall once the ring is
 * set up: an accept, each client's recv and each send are requests put on
 * the submission queue, and the server sleeps in io_uring_wait_cqe() until
 * one completes.  A completed accept queues the next accept and the new
 * client's recv; a completed recv queues the send of what it read; a
 * completed send queues the next recv.  Each request's user_data says what
 * it was and for which socket.  PORT 0 lets the kernel pick one; PORTFILE,
 * when given, receives the port once the server listens.  Runs until
 * killed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { OP_ACCEPT, OP_RECV, OP_SEND };

#define MAX_FD 1024
#define BUF_SIZE 1024

static struct io_uring ring;
static char bufs[MAX_FD][BUF_SIZE];

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

static struct io_uring_sqe *get_sqe(void)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

	if (sqe == NULL) {          /* the queue is full: hand it over first */
		io_uring_submit(&ring);
		sqe = io_uring_get_sqe(&ring);
	}
	if (sqe == NULL)
		die("io_uring_get_sqe");
	return sqe;
}

static void queue(int op, int fd, size_t len)
{
	struct io_uring_sqe *sqe = get_sqe();

	if (op == OP_ACCEPT)
		io_uring_prep_accept(sqe, fd, NULL, NULL, 0);
	else if (op == OP_RECV)
		io_uring_prep_recv(sqe, fd, bufs[fd], BUF_SIZE, 0);
	else
		io_uring_prep_send(sqe, fd, bufs[fd], len, MSG_NOSIGNAL);
	io_uring_sqe_set_data64(sqe, (uint64_t)op << 32 | (uint32_t)fd);
}

static void completed(struct io_uring_cqe *cqe)
{
	int op = (int)(cqe->user_data >> 32), fd = (int)(uint32_t)cqe->user_data;
	int res = cqe->res;

	switch (op) {
	case OP_ACCEPT:
		queue(OP_ACCEPT, fd, 0);
		if (res >= MAX_FD) {
			close(res);
		} else if (res >= 0) {
			queue(OP_RECV, res, 0);
		}
		break;
	case OP_RECV:
		if (res <= 0)
			close(fd);
		else
			queue(OP_SEND, fd, res);
		break;
	case OP_SEND:
		if (res < 0)
			close(fd);
		else
			queue(OP_RECV, fd, 0);
		break;
	}
}

int main(int argc, char **argv)
{
	int lfd, port, rc;

	if (argc < 2) {
		fprintf(stderr, "usage: %s PORT [PORTFILE]\n", argv[0]);
		return 2;
	}
	lfd = listen_on(atoi(argv[1]), &port);
	if (lfd >= MAX_FD)
		die("listening socket");
	rc = io_uring_queue_init(64, &ring, 0);
	if (rc < 0) {
		fprintf(stderr, "io_uring_queue_init: %s\n", strerror(-rc));
		return 1;
	}
	if (argc > 2)
		write_port(argv[2], port);
	queue(OP_ACCEPT, lfd, 0);
	for (;;) {
		struct io_uring_cqe *cqe;

		io_uring_submit(&ring);
		rc = io_uring_wait_cqe(&ring, &cqe);
		if (rc < 0) {
			if (rc == -EINTR)
				continue;
			fprintf(stderr, "io_uring_wait_cqe: %s\n", strerror(-rc));
			return 1;
		}
		completed(cqe);
		io_uring_cqe_seen(&ring, cqe);
	}
}
