/* hello_block.c: the smallest program the attach tests trace: reads one
 * line from stdin (a blocking read), writes it back, exits. */
#include <unistd.h>

int main(void)
{
	char buf[256];
	ssize_t n = read(0, buf, sizeof buf);

	if (n > 0 && write(1, buf, (size_t)n) != n)
		return 1;
	return 0;
}
