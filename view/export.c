/* export.c: what all exporters share: the format names, the dispatch,
 * saving through path.tmp, and the checks each makes first. */
#include <errno.h>
#include <string.h>

#include "view/export.h"
#include "trace/fold.h"

int export__flush(FILE *out)
{
	/* After a failed write, errno is still that write's error (each
	 * later write to a stream in error fails again the same way): keep
	 * it, so that a reader that left (EPIPE) is told from a full disk. */
	int earlier = ferror(out) ? errno : 0;

	errno = 0;
	if (fflush(out) != 0 || ferror(out))
		return errno != 0 ? -errno : earlier != 0 ? -earlier : -EIO;
	return 0;
}

int export__write_failed(FILE *out)
{
	int rc = export__flush(out);

	return rc != 0 ? rc : -EIO;
}

int export__check(const struct trace *t)
{
	const struct trace_hdr *h = trace_hdr_c(t);

	/* The header line holds at most TRACE_MAX_ACTORS; TRACE_ACTOR events
	 * announce the others, up to TRACE_ACTORS_LIMIT in all. */
	if (h->nactors < 1 || h->nactors > TRACE_ACTORS_LIMIT || h->nstart < 1 ||
	    h->nstart > TRACE_MAX_ACTORS || h->nstart > h->nactors)
		return -EINVAL;
	for (size_t i = 0; i < trace_count(t); i++)
		if (!view_ev_ok(t, trace_at(t, i)))
			return -EINVAL;
	return 0;
}

static const char *const format_names[EXPORT_MAX] = {
	[EXPORT_CHROME] = "chrome", [EXPORT_ASCIICAST] = "asciicast", [EXPORT_TEXT] = "text",
};

int export_format_from(const char *name)
{
	for (int i = 0; i < EXPORT_MAX; i++)
		if (strcmp(name, format_names[i]) == 0)
			return i;
	return strcmp(name, "cast") == 0 ? EXPORT_ASCIICAST : -1;
}

const char *export_format_name(int format)
{
	return format >= 0 && format < EXPORT_MAX ? format_names[format] : NULL;
}

int export_write(const struct trace *t, int format, int lang, int width, int height,
		 FILE *out)
{
	switch (format) {
	case EXPORT_CHROME: return export_chrome(t, out);
	case EXPORT_ASCIICAST: return export_asciicast(t, lang, width, height, out);
	case EXPORT_TEXT: return export_text(t, lang, out);
	default: return -EINVAL;
	}
}

struct save {
	const struct trace *t;
	int format, lang, width, height;
};

static int save_cb(FILE *f, void *arg)
{
	const struct save *sv = arg;

	return export_write(sv->t, sv->format, sv->lang, sv->width, sv->height, f);
}

int export_save(const struct trace *t, int format, int lang, int width, int height,
		const char *path)
{
	struct save sv = { t, format, lang, width, height };

	if (export_format_name(format) == NULL)
		return -EINVAL;
	return trace_write_file(path, save_cb, &sv);
}
