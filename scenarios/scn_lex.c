/* scn_lex.c: the scenario lexer: the whole text checked, then lines, words,
 * times, quoted strings, and the one-line error messages.
 *
 * The input is not NUL-terminated and may hold anything, so every scan is
 * bounded by p->end or p->eol.  The whole text is checked for NUL bytes,
 * invalid UTF-8 and control characters before any line is parsed; after
 * that, columns can be counted in characters by skipping continuation bytes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenarios/scn_lex.h"
#include "trace/file.h"

#define MAX_TIME_NS (3600 * 1000000000LL)
#define SHOW_MAX    24          /* bytes of a word quoted in an error */

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_cont(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

static int count_cols(const char *from, const char *at)
{
	int col = 1;

	for (; from < at; from++)
		col += !is_cont(*from);
	return col;
}

void scn__cause(char *cause, size_t causelen, const char *fmt, ...)
{
	va_list ap;

	if (cause == NULL || causelen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(cause, causelen, fmt, ap);
	va_end(ap);
	file_cause_cut(cause, causelen);
}

static int failv(struct scn_parser *p, int line, int col, const char *fmt,
		 va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof msg, fmt, ap);
	scn__cause(p->cause, p->causelen, "%s:%d:%d: %s", p->path, line, col,
	    msg);
	return -EINVAL;
}

int scn__fail_at(struct scn_parser *p, int line, int col, const char *fmt,
		 ...)
{
	va_list ap;

	va_start(ap, fmt);
	failv(p, line, col, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int scn__fail(struct scn_parser *p, const char *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	failv(p, p->lineno, scn__col(p, at), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int scn__expected(struct scn_parser *p, struct scn_tok t, const char *fmt,
		  ...)
{
	char what[384];
	size_t n = t.n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (n == 0)
		return scn__fail(p, t.s, "expected %s, got end of line", what);
	if (n > SHOW_MAX)
		for (n = SHOW_MAX; is_cont(t.s[n]); n--)
			;
	return scn__fail(p, t.s, "expected %s, got '%.*s%s'", what, (int)n,
	    t.s, n < t.n ? "..." : "");
}

int scn__nomem(struct scn_parser *p)
{
	scn__cause(p->cause, p->causelen, "%s: out of memory", p->path);
	return -ENOMEM;
}

int scn__dup(struct scn_parser *p, const char *s, size_t n, char **out,
	     size_t *len)
{
	if ((*out = malloc(n + 1)) == NULL)
		return scn__nomem(p);
	memcpy(*out, s, n);
	(*out)[n] = '\0';
	if (len != NULL)
		*len = n;
	return 0;
}

/* The whole text, before any line is parsed (file_check_whole): a file
 * too large or not text is a bad scenario (-EINVAL). */
int scn__begin(struct scn_parser *p, const char *text, size_t len)
{
	size_t skip;

	if (file_check_whole(p->path, text, len, SCN_MAX_FILE, &skip, p->cause, p->causelen) != 0)
		return -EINVAL;
	p->next = text + skip;
	p->end = text + len;
	return 0;
}

int scn__next_line(struct scn_parser *p)
{
	const char *nl;

	if (p->next >= p->end)
		return 0;
	p->line = p->cur = p->next;
	nl = memchr(p->line, '\n', (size_t)(p->end - p->line));
	p->eol = nl != NULL ? nl : p->end;
	p->next = nl != NULL ? nl + 1 : p->end;
	if (p->eol > p->line && p->eol[-1] == '\r')
		p->eol--;
	p->lineno++;
	return 1;
}

int scn__col(const struct scn_parser *p, const char *at)
{
	return count_cols(p->line, at);
}

const char *scn__skip_blanks(struct scn_parser *p)
{
	while (p->cur < p->eol && is_blank(*p->cur))
		p->cur++;
	return p->cur;
}

struct scn_tok scn__word(struct scn_parser *p)
{
	struct scn_tok t;

	t.s = scn__skip_blanks(p);
	if (p->cur < p->eol && *p->cur == '#') {
		t.n = 0;        /* the cursor stays, so later words are empty */
		return t;
	}
	while (p->cur < p->eol && !is_blank(*p->cur))
		p->cur++;
	t.n = (size_t)(p->cur - t.s);
	return t;
}

int scn__tok_is(struct scn_tok t, const char *word)
{
	return t.n == strlen(word) && memcmp(t.s, word, t.n) == 0;
}

int scn__end(struct scn_parser *p)
{
	struct scn_tok t = scn__word(p);

	if (t.n != 0)
		return scn__expected(p, t, "end of line");
	return 0;
}

int scn__number(struct scn_tok t, int max)
{
	int v = 0;

	if (t.n == 0)
		return -1;
	for (size_t i = 0; i < t.n; i++) {
		if (!is_digit(t.s[i]))
			return -1;
		v = v * 10 + (t.s[i] - '0');
		if (v > max)
			return -1;
	}
	return v;
}

int scn__lower_name(struct scn_tok t, size_t max, const char *extra)
{
	if (t.n == 0 || t.n > max)
		return 0;
	for (size_t i = 0; i < t.n; i++) {
		char c = t.s[i];

		if (!(c >= 'a' && c <= 'z') && !is_digit(c) &&
		    (c == '\0' || strchr(extra, c) == NULL))
			return 0;
	}
	return 1;
}

/* Backslash escapes; *q is just past the backslash and before eol. */
static int unescape(struct scn_parser *p, const char *q, char *w)
{
	const char *e = q + 1;

	switch (*q) {
	case '"': case '\\': *w = *q; return 0;
	case 'n': *w = '\n'; return 0;
	case 't': *w = '\t'; return 0;
	}
	while (e < p->eol && is_cont(*e))
		e++;
	return scn__expected(p, (struct scn_tok){ q - 1, (size_t)(e - q + 1) },
	    "an escape \\\" \\\\ \\n or \\t");
}

static int quoted(struct scn_parser *p, const char *what, char **out,
		  size_t *len)
{
	const char *open = p->cur, *q;
	char *buf, *w;

	/* The result is shorter than the quoted text: that size is enough. */
	if ((buf = w = malloc((size_t)(p->eol - open))) == NULL)
		return scn__nomem(p);
	for (q = open + 1; q < p->eol && *q != '"'; q++, w++) {
		if (*q != '\\')
			*w = *q;
		else if (++q == p->eol)
			break;
		else if (unescape(p, q, w) < 0)
			goto fail;
	}
	if (q >= p->eol) {
		scn__fail(p, open, "expected a closing '\"' for the string "
		    "that starts here, got end of line");
		goto fail;
	}
	*w = '\0';
	p->cur = q + 1;
	if (w == buf) {
		scn__expected(p, (struct scn_tok){ open, 2 }, "%s", what);
		goto fail;
	}
	if (scn__end(p) < 0)
		goto fail;
	*out = buf;
	if (len != NULL)
		*len = (size_t)(w - buf);
	return 0;
fail:
	free(buf);
	return -EINVAL;
}

int scn__text(struct scn_parser *p, const char *what, bool lines, char **out,
	      size_t *len)
{
	const char *s = scn__skip_blanks(p), *e = p->eol;
	size_t n;
	int rc;

	if (s == e)
		return scn__expected(p, (struct scn_tok){ s, 0 }, "%s", what);
	if (*s == '"') {
		rc = quoted(p, what, out, len);
	} else {
		while (is_blank(e[-1]))
			e--;
		p->cur = p->eol;
		rc = scn__dup(p, s, (size_t)(e - s), out, len);
	}
	/* A title, label or caption goes into one line of the trace (labels
	 * all into its header, which the reader caps): keep each short. */
	if (rc == 0 && len == NULL && (n = strlen(*out)) > SCN_MAX_TEXT) {
		free(*out);
		*out = NULL;
		return scn__fail(p, s, "expected at most %d bytes of %s, got %zu",
		    SCN_MAX_TEXT, what, n);
	}
	/* ... and printable: the trace holds no control character but a
	 * caption's line breaks. */
	if (rc == 0 && len == NULL && strpbrk(*out, lines ? "\t" : "\n\t") != NULL) {
		free(*out);
		*out = NULL;
		return scn__fail(p, s, lines ? "expected %s without \\t" :
		    "expected %s on one line, without \\n or \\t", what);
	}
	return rc;
}

struct unit {
	const char *name;
	int64_t ns;
};

static const struct unit units[] = {
	{ "s", 1000000000 }, { "ms", 1000000 }, { "us", 1000 }, { "ns", 1 },
};

static const struct unit *find_unit(const char *s, const char *e)
{
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (scn__tok_is((struct scn_tok){ s, (size_t)(e - s) },
		    units[i].name))
			return &units[i];
	return NULL;
}

/* Integer arithmetic only, so 0.1s is exactly 100000000ns; digits finer
 * than a nanosecond are dropped. */
int scn__time(struct scn_parser *p, struct scn_tok t, int64_t *ns)
{
	const char *s = t.s, *e = t.s + t.n;
	int64_t whole = 0, frac = 0, scale = 1;
	const struct unit *u;

	for (; s < e && is_digit(*s); s++)
		if (whole <= MAX_TIME_NS)
			whole = whole * 10 + (*s - '0');
	if (s == t.s)
		goto bad;
	if (s < e && *s == '.') {
		if (++s == e || !is_digit(*s))
			goto bad;
		for (; s < e && is_digit(*s); s++)
			if (scale < 1000000000) {
				frac = frac * 10 + (*s - '0');
				scale *= 10;
			}
	}
	if ((u = find_unit(s, e)) == NULL)
		goto bad;
	if (whole > MAX_TIME_NS / u->ns)
		goto big;
	*ns = whole * u->ns + frac * u->ns / scale;
	if (*ns > MAX_TIME_NS)
		goto big;
	return 0;
bad:
	return scn__expected(p, t, "a time with a unit, like 1.5s or 200ms");
big:
	return scn__expected(p, t, "a time of at most 3600s");
}
