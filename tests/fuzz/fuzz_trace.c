/* fuzz_trace.c: libFuzzer target for the trace reader (trace/read*.c).
 * Every input must either load or be refused with a cause; nothing leaks. */
#include <stddef.h>
#include <stdint.h>

#include "trace/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace *t = NULL;
	size_t skipped = 0;
	char cause[256];

	if (trace_read_mem("fuzz", (const char *)data, size, &t, &skipped,
			   cause, sizeof cause) == 0)
		trace_free(t);
	return 0;
}
