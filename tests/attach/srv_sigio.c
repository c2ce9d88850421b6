/* srv_sigio.c: an echo server driven by SIGIO (signal-driven IO).
 *
 *   srv_sigio PORT [PORTFILE]
 *
 * Each socket is told to signal this process when something happens on it
 * (F_SETOWN, then O_ASYNC; O_NONBLOCK so that draining it ends in EAGAIN).
 * The SIGIO handler only sets a flag; the main loop sleeps in sigsuspend()
 * until the flag is set, then accepts whoever is waiting and reads every
 * client until EAGAIN, sending back what it read.  SIGIO stays blocked
 * outside sigsuspend() so that no signal slips in between the test of the
 * flag and the sleep (Stevens, UNP 25.2).  PORT 0 lets the kernel pick
 * one; PORTFILE, when given, receives the port once the server listens.
 * Runs until killed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CLIENTS 64

static volatile sig_atomic_t got_sigio;

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

static void on_sigio(int sig)
{
	(void)sig;
	got_sigio = 1;
}

static void make_async(int fd)
{
	int flags;

	if (fcntl(fd, F_SETOWN, getpid()) < 0)
		die("fcntl F_SETOWN");
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_ASYNC | O_NONBLOCK) < 0)
		die("fcntl F_SETFL");
}

int main(int argc, char **argv)
{
	int clients[MAX_CLIENTS], nclients = 0, lfd, port;
	struct sigaction sa;
	sigset_t block, old;

	if (argc < 2) {
		fprintf(stderr, "usage: %s PORT [PORTFILE]\n", argv[0]);
		return 2;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigio;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGIO, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGIO);
	sigprocmask(SIG_BLOCK, &block, &old);

	lfd = listen_on(atoi(argv[1]), &port);
	make_async(lfd);
	if (argc > 2)
		write_port(argv[2], port);
	for (;;) {
		while (!got_sigio)
			sigsuspend(&old);
		got_sigio = 0;

		for (;;) {
			int fd = accept(lfd, NULL, NULL);

			if (fd < 0)
				break;
			if (nclients == MAX_CLIENTS) {
				close(fd);
				continue;
			}
			make_async(fd);
			clients[nclients++] = fd;
		}
		for (int i = 0; i < nclients; i++) {
			char buf[1024];
			ssize_t n;

			while ((n = recv(clients[i], buf, sizeof buf, 0)) > 0)
				if (send(clients[i], buf, n, MSG_NOSIGNAL) != n)
					perror("send");
			if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
				close(clients[i]);
				clients[i--] = clients[--nclients];
			}
		}
	}
}
