/* tr_family.c: threads, a fork, an exec and an exit status, for the
 * tracer's tests: two threads (each makes a watched call, then ends), a
 * child that execs /bin/true, and exit status 3.  Prints each thread's
 * tid and the child's pid on stdout, one per line ("thread TID",
 * "child PID"). */
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void *worker(void *arg)
{
	(void)arg;
	printf("thread %ld\n", (long)syscall(SYS_gettid));
	fflush(stdout);
	close(-1);
	return NULL;
}

int main(void)
{
	pthread_t th[2];
	pid_t pid;
	int st;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 0; i < 2; i++)
		if (pthread_create(&th[i], NULL, worker, NULL) != 0)
			return 1;
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	if ((pid = fork()) < 0)
		return 1;
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	printf("child %d\n", (int)pid);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return 1;
	getpid();
	return 3;
}
