/* tr_noterm.c: a program that ignores SIGTERM (the tracer's stop must
 * kill it after its wait): says "ready" on stdout, then waits forever. */
#include <signal.h>
#include <unistd.h>

int main(void)
{
	signal(SIGTERM, SIG_IGN);
	if (write(1, "ready\n", 6) != 6)
		return 1;
	for (;;)
		pause();
}
