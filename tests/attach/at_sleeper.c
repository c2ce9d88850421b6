/* at_sleeper.c: a program the attach tests watch: one thread asleep in
 * read on a pipe, the main thread in epoll_wait on another (EPOLLET); it
 * says "ready" on stdout once both are set up, then sleeps until killed.
 * With an argument N, it exits with status N after the first line on
 * stdin instead (the main thread then reads stdin). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

static int rd[2];

static void *reader(void *arg)
{
	char b;

	(void)arg;
	while (read(rd[0], &b, 1) > 0)
		;
	return NULL;
}

int main(int argc, char **argv)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET }, out;
	int ep_pipe[2], ep;
	pthread_t th;
	char line[256];

	if (pipe(rd) != 0 || pipe(ep_pipe) != 0 || (ep = epoll_create1(0)) < 0)
		return 2;
	ev.data.fd = ep_pipe[0];
	if (epoll_ctl(ep, EPOLL_CTL_ADD, ep_pipe[0], &ev) != 0 ||
	    pthread_create(&th, NULL, reader, NULL) != 0)
		return 2;
	printf("ready\n");
	fflush(stdout);
	if (argc > 1) {
		if (read(0, line, sizeof line) < 0)
			return 2;
		return atoi(argv[1]);
	}
	for (;;)
		epoll_wait(ep, &out, 1, -1);
}
