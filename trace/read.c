/* read.c: load a JSON Lines trace (trace/FORMAT.md): files and lines.  The
 * header is read in read_hdr.c, events in read_ev.c, their fields with
 * read_field.c's getters.
 *
 * A file is read a piece at a time (READ_CHUNK) into a buffer that holds
 * at most one line past it, never the whole file: a line cut by the end
 * of a read is moved to the front and completed by the next.  Each line
 * is parsed on its own: an event line as ioscope writes it by the fast
 * reader (read_fast.h), any other with jansson's json_loadb, so the input
 * need not be NUL-terminated and no line length is assumed.  Any error
 * names the file, line and column and says what was expected; only a
 * truncated last line (a recorder killed mid-write) is forgiven.  Unknown
 * keys are ignored so that older readers can open newer files of the same
 * version.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "trace/file.h"
#include "trace/read_fast.h"
#include "trace/read_int.h"
#include "trace/trace.h"

#define READ_CHUNK ((size_t)1 << 20)
/* A line of the longest allowed, cut by a read, and the next read. */
#define READ_BUF (TRACE_MAX_LINE + READ_CHUNK)
/* A tree of more values than this (an unusual line) is not kept. */
#define TREE_KEEP 4096

/* ---- lines ---- */

static bool is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/* The longest line r->line may be. */
static unsigned line_max(const struct rd *r)
{
	return r->line == 1 ? TRACE_MAX_HDR_LINE : TRACE_MAX_LINE;
}

/* What is refused before a line is parsed: a line n bytes long, blank or
 * not.  jansson builds the whole line before we see a field, at up to 80
 * bytes per byte of input (an array of empty objects); the header, a few
 * hundred bytes by nature, has the smaller cap, so its "actors" are
 * bounded while they are parsed.  No line ioscope writes comes near. */
static int rd_shape(struct rd *r, size_t n, bool blank)
{
	const char *expect = r->line == 1 ? "the header" : "an event object";

	if (blank)
		return trace__fail(r, 1, "blank line (expected %s)", expect);
	if (n > line_max(r))
		return trace__fail(r, 1, "line is %zu bytes long (expected %s of at "
				   "most %u KiB)", n, expect, line_max(r) >> 10);
	return 0;
}

/* The line through jansson. */
static int rd_json(struct rd *r, const char *s, size_t n, bool last,
		   size_t *skipped)
{
	const char *expect = r->line == 1 ? "the header" : "an event object";
	const char *nul = memchr(s, '\0', n);
	char buf[160];
	json_error_t e;
	struct jv *v;
	json_t *o;
	int rc;

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
	rc = trace__jv_json(r, o, &v);
	if (rc == 0)
		rc = r->line == 1 ? trace__rd_header(r, v) : trace__rd_event(r, v);
	json_decref(o);
	if (r->tree_cap > TREE_KEEP) {
		free(r->tree);
		r->tree = NULL;
		r->tree_cap = 0;
	}
	return rc;
}

/* One line of n bytes; last is true when it does not end in '\n'. */
static int rd_line(struct rd *r, const char *s, size_t n, bool last,
		   size_t *skipped)
{
	struct jv *v;
	int rc = rd_shape(r, n, is_blank(s, n));

	if (rc == 0 && !r->slow && r->line > 1 && (rc = trace__fast_line(r, s, n, &v)) != 0)
		return rc < 0 ? rc : trace__rd_event(r, v);
	return rc != 0 ? rc : rd_json(r, s, n, last, skipped);
}

int trace__rd_next(struct rd *r, const char *s, size_t n, bool last,
		   size_t *skipped)
{
	int rc = rd_line(r, s, n, last, skipped);

	if (rc == 0)
		r->line++;
	else if (rc == -ENOMEM)
		trace__cause(r->cause, r->causelen, rc, "%s:%zu: out of memory",
			     r->name, r->line);
	else if (rc == -EFBIG)                /* the trace's memory cap */
		trace__cause(r->cause, r->causelen, rc, "%s:%zu: the trace needs more "
			     "than %zu MB in memory (expected a trace within "
			     "ioscope's limit)", r->name, r->line,
			     trace_max_mem(r->t) >> 20);
	else if (rc != -EINVAL)               /* trace_append refused it */
		trace__cause(r->cause, r->causelen, rc, "%s:%zu: cannot keep this "
			     "event: %s (expected a trace ioscope can hold)", r->name,
			     r->line, strerror(-rc));
	return rc;
}

/* ---- a whole trace ---- */

int trace__rd_begin(struct rd *r, const char *name, bool slow, char *cause,
		     size_t causelen)
{
	*r = (struct rd){ .name = name, .line = 1, .cause = cause,
			  .causelen = causelen, .slow = slow };
	if ((r->t = trace_new()) == NULL)
		return trace__cause(cause, causelen, -ENOMEM, "%s: out of memory", name);
	return 0;
}

void trace__rd_free(struct rd *r)
{
	free(r->tree);
	r->tree = NULL;
	r->tree_cap = 0;
	trace__fast_free(r);
}

int trace__rd_end(struct rd *r, int rc, size_t nskip, struct trace **out,
		   size_t *skipped)
{
	trace__rd_free(r);
	if (rc != 0) {
		trace_free(r->t);
		return rc;
	}
	*out = r->t;
	if (skipped != NULL)
		*skipped = nskip;
	return 0;
}

int trace__read_mem(const char *name, const char *buf, size_t len, bool slow,
		    struct trace **out, size_t *skipped, char *cause,
		    size_t causelen)
{
	struct rd r;
	size_t pos = 0, nskip = 0;
	int rc;

	name = name != NULL ? name : "trace";
	if (len == 0)
		return trace__cause(cause, causelen, -EINVAL, "%s: file is empty "
				 "(expected an ioscope trace)", name);
	if ((rc = trace__rd_begin(&r, name, slow, cause, causelen)) != 0)
		return rc;
	while (pos < len && rc == 0) {
		const char *s = buf + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - s) : len - pos;

		pos += n + (nl != NULL);
		rc = trace__rd_next(&r, s, n, nl == NULL, &nskip);
	}
	return trace__rd_end(&r, rc, nskip, out, skipped);
}

int trace_read_mem(const char *name, const char *buf, size_t len,
		   struct trace **out, size_t *skipped,
		   char *cause, size_t causelen)
{
	return trace__read_mem(name, buf, len, false, out, skipped, cause, causelen);
}

/* ---- files ---- */

/* The line at buf (have bytes so far) is longer than allowed: read on to
 * its end, only to say how long it is, as a line in memory would. */
static int rd_long(struct rd *r, int fd, char *buf, size_t have, size_t *total)
{
	bool blank = is_blank(buf, have);
	size_t n = have;
	long got;

	while ((got = file_read_some(fd, r->name, buf, READ_BUF, total,
				     TRACE_MAX_FILE, r->cause, r->causelen)) > 0) {
		const char *nl = memchr(buf, '\n', (size_t)got);
		size_t k = nl != NULL ? (size_t)(nl - buf) : (size_t)got;

		n += k;
		blank = blank && is_blank(buf, k);
		if (nl != NULL)
			break;
	}
	return got < 0 ? (int)got : rd_shape(r, n, blank);
}

/* Every line of fd through buf (READ_BUF bytes); *total counts the bytes. */
static int rd_stream(struct rd *r, int fd, char *buf, size_t *total,
		     size_t *nskip)
{
	size_t have = 0, start;
	long got;
	int rc = 0;

	while ((got = file_read_some(fd, r->name, buf + have, READ_BUF - have, total,
				     TRACE_MAX_FILE, r->cause, r->causelen)) > 0) {
		const char *nl;

		have += (size_t)got;
		for (start = 0; rc == 0 && (nl = memchr(buf + start, '\n', have - start)) != NULL;
		     start = (size_t)(nl - buf) + 1)
			rc = trace__rd_next(r, buf + start, (size_t)(nl - buf) - start, false, nskip);
		if (rc != 0)
			return rc;
		have -= start;
		memmove(buf, buf + start, have);
		if (have > line_max(r))
			return rd_long(r, fd, buf, have, total);
	}
	if (got < 0)
		return (int)got;
	return have > 0 ? trace__rd_next(r, buf, have, true, nskip) : 0;
}

int trace_read(const char *path, struct trace **out, size_t *skipped,
	       char *cause, size_t causelen)
{
	size_t total = 0, nskip = 0;
	struct rd r;
	char *buf;
	int fd, rc;

	/* Regular files only, opened without blocking (a FIFO with no writer
	 * must not hang check or replay), never more than the cap + 1 bytes. */
	rc = file_open_read(path, path, TRACE_MAX_FILE, "trace", &fd, cause, causelen);
	if (rc == -EISDIR)
		return trace__cause(cause, causelen, rc, "%s: cannot read: Is a "
				 "directory (expected an ioscope trace file)", path);
	if (rc != 0)
		return rc;
	if ((buf = malloc(READ_BUF)) == NULL) {
		close(fd);
		return trace__cause(cause, causelen, -ENOMEM, "%s: cannot read: %s",
				    path, strerror(ENOMEM));
	}
	rc = trace__rd_begin(&r, path, false, cause, causelen);
	if (rc == 0)
		rc = rd_stream(&r, fd, buf, &total, &nskip);
	close(fd);
	free(buf);
	if (rc == 0 && total == 0)
		rc = trace__cause(cause, causelen, -EINVAL, "%s: file is empty "
				  "(expected an ioscope trace)", path);
	return trace__rd_end(&r, rc, nskip, out, skipped);
}
