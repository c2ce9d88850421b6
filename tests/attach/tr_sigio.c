/* tr_sigio.c: signal-driven IO on stdin (O_ASYNC, F_SETOWN, F_SETSIG
 * SIGIO, so the signal names the fd): says "ready", waits for SIGIO,
 * reads what came and says "got N". */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void on_io(int sig)
{
	(void)sig;
	got = 1;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_io };
	sigset_t block, old;
	char buf[64], out[32];
	ssize_t n;
	int len;

	sigemptyset(&block);
	sigaddset(&block, SIGIO);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigaction(SIGIO, &sa, NULL);
	if (fcntl(0, F_SETOWN, getpid()) != 0 || fcntl(0, F_SETSIG, SIGIO) != 0 ||
	    fcntl(0, F_SETFL, O_ASYNC | O_NONBLOCK) != 0)
		return 1;
	if (write(1, "ready\n", 6) != 6)
		return 1;
	while (!got)
		sigsuspend(&old);
	n = read(0, buf, sizeof buf);
	len = snprintf(out, sizeof out, "got %d\n", (int)n);
	return write(1, out, (size_t)len) == len ? 0 : 1;
}
