/* fuzz_scn.c: libFuzzer target for the scenario parser.  Any bytes must
 * give either a scenario whose strings are all set, or one line of cause. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scenarios/scn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int known(const char *name)
{
	return strcmp(name, "blocking") == 0 ||
	    strcmp(name, "nonblocking") == 0;
}

/* Touch every string so the sanitizers see a NULL or a missing NUL. */
static size_t walk(const struct scn *s)
{
	size_t n = strlen(s->path) + strlen(s->name);

	for (int l = 0; l < 2; l++) {
		n += strlen(s->title[l]);
		for (int i = 0; i < s->nactors; i++)
			n += strlen(s->actors[i].label[l]);
	}
	for (int i = 0; i < s->nactors; i++)
		n += strlen(s->actors[i].name) + strlen(s->actors[i].model);
	for (int i = 0; i < s->nactions; i++) {
		const struct scn_action *a = &s->actions[i];

		n += strlen(a->text[0]) + strlen(a->text[1]);
		if (strlen(a->data) != a->len)
			abort();
		if (i > 0 && a->at_ns < s->actions[i - 1].at_ns)
			abort();
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scn *s = NULL;
	char cause[256];

	if (scn_parse("fuzz.scn", (const char *)data, size, &s, cause,
	    sizeof cause) == 0) {
		if (walk(s) == 0 || scn_duration(s) < 0)
			abort();
		scn_check_models(s, known, "blocking, nonblocking", cause,
		    sizeof cause);
	} else if (s != NULL || memchr(cause, '\n', strlen(cause)) != NULL) {
		abort();
	}
	scn_free(s);
	return 0;
}
