/* fuzz_lesson.c: the lesson reader on anything. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lessons/lesson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lesson *l;
	char cause[512];

	if (lesson_parse("fuzz/en/01-x.md", (const char *)data, size, &l, cause, sizeof cause) != 0) {
		if (memchr(cause, '\n', strnlen(cause, sizeof cause)) != NULL)
			abort();              /* a cause is one line */
		return 0;
	}
	for (int i = 0; i < l->nsections; i++)
		for (int j = 0; j < l->sections[i].nblocks; j++) {
			const struct lesson_block *b = &l->sections[i].blocks[j];

			if (b->scenario == NULL || b->model == NULL || b->point == NULL ||
			    b->question == NULL || b->answer == NULL || b->file == NULL ||
			    b->marker == NULL || b->pause < 0)
				abort();
		}
	lesson_free(l);
	return 0;
}
