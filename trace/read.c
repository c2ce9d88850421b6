/* read.c: load a JSON Lines trace (trace/FORMAT.md) with jansson: files
 * and lines.  The header is read in read_hdr.c, events in read_ev.c, their
 * fields with read_field.c's getters.
 *
 * The buffer is cut at '\n' and each line parsed on its own with
 * json_loadb, so the input need not be NUL-terminated and no line length is
 * assumed.  Any error names the file, line and column and says what was
 * expected; only a truncated last line (a recorder killed mid-write) is
 * forgiven.  Unknown keys are ignored so that older readers can open newer
 * files of the same version.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "trace/file.h"
#include "trace/read_int.h"
#include "trace/trace.h"

/* ---- lines ---- */

static bool is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/* One line of n bytes; last is true when it does not end in '\n'. */
static int rd_line(struct rd *r, const char *s, size_t n, bool last,
		   size_t *skipped)
{
	const char *expect = r->line == 1 ? "the header" : "an event object";
	const char *nul = memchr(s, '\0', n);
	char buf[160];
	json_error_t e;
	json_t *o;
	int rc;

	if (is_blank(s, n))
		return trace__fail(r, 1, "blank line (expected %s)", expect);
	/* jansson builds the whole line before we see a field, at up to 80
	 * bytes per byte of input (an array of empty objects); the header, a
	 * few hundred bytes by nature, has the smaller cap, so its "actors" are
	 * bounded while they are parsed.  No line ioscope writes comes near. */
	if (n > (r->line == 1 ? TRACE_MAX_HDR_LINE : TRACE_MAX_LINE))
		return trace__fail(r, 1, "line is %zu bytes long (expected %s of at "
				   "most %u KiB)", n, expect, (r->line == 1 ?
				   TRACE_MAX_HDR_LINE : TRACE_MAX_LINE) >> 10);
	o = nul != NULL ? NULL : json_loadb(s, n, JSON_REJECT_DUPLICATES, &e);
	if (o == NULL && last && r->line > 1) {
		(*skipped)++;    /* cut short by a recorder that was killed */
		return 0;
	}
	if (nul != NULL)
		return trace__fail(r, (int)(nul - s) + 1, "NUL byte (expected text, "
				   "one JSON object per line; is this a binary file?)");
	if (o == NULL)
		return trace__fail(r, e.column, "invalid JSON: %s (expected %s)",
				   trace__shown(e.text, buf, sizeof buf), expect);
	rc = r->line == 1 ? trace__rd_header(r, o) : trace__rd_event(r, o);
	json_decref(o);
	return rc;
}

int trace_read_mem(const char *name, const char *buf, size_t len,
		   struct trace **out, size_t *skipped,
		   char *cause, size_t causelen)
{
	struct rd r = { .name = name != NULL ? name : "trace", .cause = cause,
			.causelen = causelen };
	size_t pos = 0, nskip = 0;
	int rc = 0;

	if (len == 0)
		return trace__cause(cause, causelen, -EINVAL, "%s: file is empty "
				 "(expected an ioscope trace)", r.name);
	if ((r.t = trace_new()) == NULL)
		return trace__cause(cause, causelen, -ENOMEM, "%s: out of memory", r.name);
	for (r.line = 1; pos < len && rc == 0; r.line++) {
		const char *s = buf + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - s) : len - pos;

		pos += n + (nl != NULL);
		rc = rd_line(&r, s, n, nl == NULL, &nskip);
	}
	if (rc == -ENOMEM)
		trace__cause(cause, causelen, rc, "%s:%zu: out of memory", r.name,
			  r.line - 1);
	else if (rc == -EFBIG)                /* the trace's memory cap */
		trace__cause(cause, causelen, rc, "%s:%zu: the trace needs more than "
			  "%zu MB in memory (expected a trace within ioscope's "
			  "limit)", r.name, r.line - 1, trace_max_mem(r.t) >> 20);
	else if (rc != 0 && rc != -EINVAL)    /* trace_append refused it */
		trace__cause(cause, causelen, rc, "%s:%zu: cannot keep this event: %s "
			  "(expected a trace ioscope can hold)", r.name, r.line - 1,
			  strerror(-rc));
	if (rc != 0) {
		trace_free(r.t);
		return rc;
	}
	*out = r.t;
	if (skipped != NULL)
		*skipped = nskip;
	return 0;
}

/* ---- files ---- */

int trace_read(const char *path, struct trace **out, size_t *skipped,
	       char *cause, size_t causelen)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	/* Regular files only, opened without blocking (a FIFO with no writer
	 * must not hang check or replay), never more than the cap + 1 bytes. */
	rc = file_read_whole(path, TRACE_MAX_FILE, "trace", 1, &buf, &len,
			     cause, causelen);
	if (rc == -EISDIR)
		return trace__cause(cause, causelen, rc, "%s: cannot read: Is a "
				 "directory (expected an ioscope trace file)", path);
	if (rc != 0)
		return rc;
	rc = trace_read_mem(path, buf, len, out, skipped, cause, causelen);
	free(buf);
	return rc;
}
