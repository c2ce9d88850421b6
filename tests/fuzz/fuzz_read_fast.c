/* fuzz_read_fast.c: libFuzzer target comparing the fast reader of event
 * lines (trace/read_fast.c) with jansson, which it stands in for.  Each
 * line of the input is parsed both ways: a line the fast reader takes,
 * jansson must take too, into the same tree (the same members, the same
 * values).  Then the whole input is read both ways (trace__read_mem, with
 * and without the fast reader): the same result, the same cause word for
 * word, the same header and events.  Any difference aborts. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "trace/read_fast.h"
#include "trace/read_int.h"
#include "trace/trace.h"
#include "tests/fuzz/read_same.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void differ(const char *what, const char *line, size_t n)
{
	fprintf(stderr, "fuzz_read_fast: %s: %.*s\n", what, (int)(n < 300 ? n : 300), line);
	abort();
}

/* One line both ways. */
static void line_both(struct rd *r, const char *s, size_t n)
{
	struct jv *fast, *slow;
	json_error_t e;
	json_t *o;
	int rc = trace__fast_line(r, s, n, &fast);

	if (rc < 0)
		abort();
	if (rc == 0)
		return;
	if ((o = json_loadb(s, n, JSON_REJECT_DUPLICATES, &e)) == NULL)
		differ("the fast reader took a line jansson refuses", s, n);
	if (trace__jv_json(r, o, &slow) != 0)
		abort();
	if (!jv_same(fast, slow))
		differ("the fast reader's tree differs from jansson's", s, n);
	json_decref(o);
}

static void lines_both(const char *buf, size_t len)
{
	struct rd r = { .name = "fuzz", .line = 2 };
	size_t pos = 0;

	while (pos < len) {
		const char *s = buf + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - s) : len - pos;

		line_both(&r, s, n);
		pos += n + (nl != NULL);
	}
	trace__rd_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct trace *fast = NULL, *slow = NULL;
	size_t skip_fast = 0, skip_slow = 0;
	char cause_fast[512] = "", cause_slow[512] = "";
	int rc_fast, rc_slow;

	lines_both(buf, size);
	rc_fast = trace__read_mem("fuzz", buf, size, false, &fast, &skip_fast,
				  cause_fast, sizeof cause_fast);
	rc_slow = trace__read_mem("fuzz", buf, size, true, &slow, &skip_slow,
				  cause_slow, sizeof cause_slow);
	if (rc_fast != rc_slow || (rc_fast != 0 && strcmp(cause_fast, cause_slow) != 0)) {
		fprintf(stderr, "fuzz_read_fast: fast %d '%s', jansson %d '%s'\n",
			rc_fast, cause_fast, rc_slow, cause_slow);
		abort();
	}
	if (rc_fast == 0 && (skip_fast != skip_slow || !traces_same(fast, slow))) {
		fprintf(stderr, "fuzz_read_fast: the traces read differ\n");
		abort();
	}
	trace_free(fast);
	trace_free(slow);
	return 0;
}
