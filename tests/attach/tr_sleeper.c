/* tr_sleeper.c: a program the attach tests seize while it waits: reads
 * lines from stdin (a blocking read each) and answers each with
 * "got LINE", until end of file. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	char buf[256], out[300];
	ssize_t n;

	while ((n = read(0, buf, sizeof buf - 1)) > 0) {
		int len;

		buf[n] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		len = snprintf(out, sizeof out, "got %s\n", buf);
		if (write(1, out, (size_t)len) != len)
			return 1;
	}
	return 0;
}
