/* lang.c: the languages' codes (see lang.h). */
#include "trace/lang.h"

const char *lang_code(enum lang lang)
{
	return LANG_PICK(lang, "en", "zh");
}
