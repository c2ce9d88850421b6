/* epfd.c: see epfd.h.  The text comes from the kernel, but it is parsed
 * as if it came from anyone: every number is range-checked where it is
 * read, and a line that is not what the kernel writes refuses the whole. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "models/epfd.h"

struct cursor {
	const char *p, *end;         /* end: the line's '\n' */
};

static bool at(const struct cursor *c, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(c->end - c->p) >= n && memcmp(c->p, word, n) == 0;
}

/* One or more spaces. */
static int spaces(struct cursor *c)
{
	const char *s = c->p;

	while (c->p < c->end && *c->p == ' ')
		c->p++;
	return c->p > s ? 0 : -EINVAL;
}

static int word(struct cursor *c, const char *w)
{
	if (!at(c, w))
		return -EINVAL;
	c->p += strlen(w);
	return 0;
}

static int digit(char ch, int base)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (base == 16 && ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* An unsigned number in base 10 or 16, at most max: checked before each
 * step, so it never overflows. */
static int number(struct cursor *c, int base, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *s = c->p;
	int d;

	while (c->p < c->end && (d = digit(*c->p, base)) >= 0) {
		if (v > (max - (uint64_t)d) / (uint64_t)base)
			return -EINVAL;
		v = v * (uint64_t)base + (uint64_t)d;
		c->p++;
	}
	if (c->p == s)
		return -EINVAL;
	*out = v;
	return 0;
}

/* What follows the data on a tfd line (" pos:0 ino:... sdev:..."), and a
 * generic line's value: printable text, no control characters. */
static int printable(struct cursor *c)
{
	for (; c->p < c->end; c->p++) {
		unsigned char ch = (unsigned char)*c->p;

		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return -EINVAL;
	}
	return 0;
}

/* "tfd: N events: HEX data: HEX", then the rest of the line. */
static int tfd_line(struct cursor *c, struct epfd_entry *e)
{
	uint64_t fd, events, data;

	if (word(c, "tfd:") || spaces(c) || number(c, 10, INT_MAX, &fd) ||
	    spaces(c) || word(c, "events:") || spaces(c) ||
	    number(c, 16, UINT32_MAX, &events) ||
	    spaces(c) || word(c, "data:") || spaces(c) ||
	    number(c, 16, UINT64_MAX, &data))
		return -EINVAL;
	if (c->p < c->end && *c->p != ' ')
		return -EINVAL;
	*e = (struct epfd_entry){ .fd = (int)fd, .events = (uint32_t)events, .data = data };
	return printable(c);
}

/* "name:" and a value, as the kernel's generic fdinfo lines. */
static int other_line(struct cursor *c)
{
	const char *s = c->p;

	while (c->p < c->end && ((*c->p >= 'a' && *c->p <= 'z') ||
				 (*c->p >= '0' && *c->p <= '9') || *c->p == '_'))
		c->p++;
	if (c->p == s || c->p == c->end || *c->p != ':')
		return -EINVAL;
	c->p++;
	return printable(c);
}

int epfd_parse(const char *text, size_t len, struct epfd_entry *out, int max)
{
	const char *p = text, *end = text + len;
	int n = 0;

	while (p < end) {
		struct cursor c = { p, memchr(p, '\n', (size_t)(end - p)) };
		struct epfd_entry e;

		if (c.end == NULL)
			return -EINVAL;          /* a line cut short */
		if (at(&c, "tfd:")) {
			if (tfd_line(&c, &e) != 0)
				return -EINVAL;
			if (n == max)
				return -ENOSPC;
			out[n++] = e;
		} else if (other_line(&c) != 0) {
			return -EINVAL;
		}
		p = c.end + 1;
	}
	return n;
}

int epfd_read(int epfd, struct epfd_entry *out, int max)
{
	char path[64], text[EPFD_TEXT_MAX];
	size_t len = 0;
	ssize_t got;
	int fd, err = 0;

	if (epfd < 0)
		return -EBADF;
	snprintf(path, sizeof path, "/proc/self/fdinfo/%d", epfd);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	/* A seq_file: read until 0, the text may come in pieces. */
	while (len < sizeof text &&
	       ((got = read(fd, text + len, sizeof text - len)) > 0 || (got < 0 && errno == EINTR)))
		if (got > 0)
			len += (size_t)got;
	if (got < 0)
		err = -errno;
	close(fd);
	if (err != 0)
		return err;
	if (len == sizeof text)
		return -EFBIG;
	return epfd_parse(text, len, out, max);
}
