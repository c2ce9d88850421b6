/* fuzz_epfd.c: libFuzzer target for the epoll fdinfo parser (epfd.c).  Any
 * bytes must give either -EINVAL / -ENOSPC or entries in range, without
 * reading past the input (it has no NUL: the sanitizers see an overrun). */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "models/epfd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct epfd_entry e[8];
	char *text = malloc(size ? size : 1);
	int n;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	n = epfd_parse(text, size, e, 8);
	if (n != -EINVAL && n != -ENOSPC && (n < 0 || n > 8))
		abort();
	for (int i = 0; i < n; i++)
		if (e[i].fd < 0)
			abort();
	free(text);
	return 0;
}
