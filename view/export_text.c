/* export_text.c: the plain transcript, exactly what `ioscope replay FILE
 * --plain` prints. */
#include <errno.h>
#include <stdlib.h>

#include "view/export.h"
#include "view/narrate.h"

int export_text(const struct trace *t, int lang, FILE *out)
{
	/* The narrator folds a whole view: too big for a small thread stack. */
	struct narrator *n;

	if (export__check(t) != 0)
		return -EINVAL;
	if ((n = malloc(sizeof *n)) == NULL)
		return -ENOMEM;
	narrate_begin(n, out, t, lang);
	for (size_t i = 0; i < trace_count(t) && !ferror(out); i++)
		narrate_ev(n, trace_at(t, i));
	if (!ferror(out))           /* a reader that left (| head) is not told more */
		narrate_end(n);
	else
		narrate_free(n);
	free(n);
	return export__flush(out);
}
