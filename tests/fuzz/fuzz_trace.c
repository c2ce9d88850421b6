/* fuzz_trace.c: libFuzzer target for the trace reader (trace/read*.c) and
 * writer (trace/record.c).  Every input must either load or be refused with
 * a cause; nothing leaks.  What loads, the writer must write (it refuses
 * only what the reader would refuse), that text must load again, and
 * writing it again must give the same bytes: one canonical form. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* t as the writer writes it; aborts if the writer refuses any of it. */
static char *dump(const struct trace *t, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	int rc;

	if (f == NULL)
		abort();
	rc = trace_write_hdr(f, t);
	for (size_t i = 0; rc == 0 && i < trace_count(t); i++)
		rc = trace_write_ev(f, t, trace_at(t, i));
	if (fclose(f) != 0 || rc != 0) {
		fprintf(stderr, "fuzz_trace: the writer refused what was read (%d)\n", rc);
		abort();
	}
	return buf;
}

static void round_trip(const struct trace *t)
{
	struct trace *back = NULL;
	size_t len = 0, len2 = 0, skipped = 0;
	char *text = dump(t, &len), *text2, cause[256];

	if (trace_read_mem("written", text, len, &back, &skipped, cause,
			   sizeof cause) != 0 || skipped != 0) {
		fprintf(stderr, "fuzz_trace: what was written does not read: %s\n",
			cause);
		abort();
	}
	text2 = dump(back, &len2);
	if (len2 != len || memcmp(text, text2, len) != 0 ||
	    trace_count(back) != trace_count(t)) {
		fprintf(stderr, "fuzz_trace: written twice, the texts differ\n");
		abort();
	}
	free(text2);
	free(text);
	trace_free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace *t = NULL;
	size_t skipped = 0;
	char cause[256];

	if (trace_read_mem("fuzz", (const char *)data, size, &t, &skipped,
			   cause, sizeof cause) == 0) {
		round_trip(t);
		trace_free(t);
	}
	return 0;
}
