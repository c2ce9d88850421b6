/* tr_pollrs.c: a poll with a timeout that a child's exit interrupts.
 * The child exits 200 ms in; SIGCHLD (ignored, but a signal all the
 * same under ptrace) interrupts the poll with ERESTART_RESTARTBLOCK and
 * the kernel goes on with it as restart_syscall.  The poll then returns
 * when a line comes on stdin: "poll=1". */
#include <poll.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	struct pollfd p = { .fd = 0, .events = POLLIN };
	pid_t c = fork();
	int n;

	if (c == 0) {
		usleep(200000);
		_exit(0);
	}
	n = poll(&p, 1, 20000);
	printf("poll=%d\n", n);
	fflush(stdout);
	waitpid(c, NULL, 0);
	return 0;
}
