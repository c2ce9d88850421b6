/* file.c: reading a whole user file, safely (see file.h). */
#include "trace/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void file_cause_cut(char *cause, size_t len)
{
	size_t n, i;

	if (cause == NULL || len == 0)
		return;
	n = i = strnlen(cause, len);
	if (n + 1 < len)
		return;                         /* it fitted */
	while (i > 0 && ((unsigned char)cause[i - 1] & 0xc0) == 0x80)
		i--;
	if (i > 0 && (unsigned char)cause[i - 1] >= 0xc0) {
		unsigned char c = (unsigned char)cause[i - 1];
		size_t need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;

		if (n - (i - 1) < need)
			cause[i - 1] = '\0';
	}
}

static int fail(char *cause, size_t len, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *cause, size_t len, int rc, const char *fmt, ...)
{
	va_list ap;

	if (cause != NULL && len > 0) {
		va_start(ap, fmt);
		vsnprintf(cause, len, fmt, ap);
		va_end(ap);
		file_cause_cut(cause, len);
	}
	return rc;
}

/* "a scenario", "an ioscope trace". */
static const char *article(const char *what)
{
	return what[0] != '\0' && strchr("aeiouAEIOU", what[0]) != NULL ? "an" : "a";
}

/* Read at most cap + 1 bytes: one more than allowed tells "too large". */
static int read_capped(int fd, size_t cap, size_t hint, char **out, size_t *len)
{
	size_t size, n = 0;
	char *buf = NULL, *nb;
	ssize_t got;

	if (cap > SIZE_MAX / 2)
		cap = SIZE_MAX / 2;             /* so cap + 2 cannot wrap */
	size = hint < cap ? hint + 1 : cap + 1;
	if (size < 4096)
		size = cap + 1 < 4096 ? cap + 1 : 4096;
	for (;;) {
		if (buf == NULL || n == size) {
			if (buf != NULL && size == cap + 1)
				break;                  /* cap + 1 bytes read */
			if (buf != NULL)
				size = size > (cap + 1) / 2 ? cap + 1 : size * 2;
			if ((nb = realloc(buf, size + 1)) == NULL) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		got = read(fd, buf + n, size - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int rc = -errno;
			free(buf);
			return rc;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static const char *kind_of(mode_t mode)
{
	return S_ISFIFO(mode) ? "a FIFO" : S_ISCHR(mode) ? "a character device" :
	       S_ISBLK(mode) ? "a block device" : S_ISSOCK(mode) ? "a socket" :
	       "a special file";
}

/* Opens path for reading without blocking and checks it is a regular file
 * of at most cap bytes (as far as st_size tells); *fd or -errno with cause
 * (which calls the file name). */
static int open_regular(const char *path, const char *name, size_t cap, const char *what, int *fd,
			struct stat *st, char *cause, size_t causelen)
{
	int rc;

	if ((*fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)) < 0) {
		rc = -errno;
		if (rc == -ENXIO)       /* a socket file (or a FIFO opened O_WRONLY) */
			return fail(cause, causelen, -EINVAL, "%s: not a regular "
				    "file (expected %s %s file)", name, article(what), what);
		return fail(cause, causelen, rc, "%s: cannot open: %s", name,
			    strerror(-rc));
	}
	if (fstat(*fd, st) != 0)
		rc = fail(cause, causelen, -errno, "%s: cannot read: %s", name,
			  strerror(errno));
	else if (S_ISDIR(st->st_mode))
		rc = fail(cause, causelen, -EISDIR, "%s: cannot read: %s (expected "
			  "%s %s file)", name, strerror(EISDIR), article(what), what);
	else if (!S_ISREG(st->st_mode))
		rc = fail(cause, causelen, -EINVAL, "%s: not a regular file (%s; "
			  "expected %s %s file)", name, kind_of(st->st_mode),
			  article(what), what);
	else if ((uint64_t)st->st_size > (uint64_t)cap)
		rc = fail(cause, causelen, -EFBIG, "%s: file is too large (%lld "
			  "bytes, at most %zu)", name, (long long)st->st_size, cap);
	else
		return 0;
	close(*fd);
	*fd = -1;
	return rc;
}

int file_read_whole(const char *path, size_t cap, const char *what,
		    int allow_empty, char **out, size_t *len,
		    char *cause, size_t causelen)
{
	return file_read_named(path, path, cap, what, allow_empty, out, len, cause, causelen);
}

int file_read_named(const char *path, const char *name, size_t cap, const char *what,
		    int allow_empty, char **out, size_t *len,
		    char *cause, size_t causelen)
{
	struct stat st;
	int fd, rc;

	*out = NULL;
	*len = 0;
	if ((rc = open_regular(path, name, cap, what, &fd, &st, cause, causelen)) != 0)
		return rc;
	rc = read_capped(fd, cap, (size_t)st.st_size, out, len);
	close(fd);
	if (rc != 0)
		return fail(cause, causelen, rc, "%s: cannot read: %s", name,
			    strerror(-rc));
	if (*len > cap) {       /* it grew, or st_size said 0 (procfs) */
		free(*out);
		*out = NULL;
		*len = 0;
		return fail(cause, causelen, -EFBIG, "%s: file is too large (more "
			    "than %zu bytes)", name, cap);
	}
	if (*len == 0 && !allow_empty) {
		free(*out);
		*out = NULL;
		return fail(cause, causelen, -ENODATA, "%s: file is empty "
			    "(expected %s %s)", name, article(what), what);
	}
	return 0;
}

int file_open_read(const char *path, const char *name, size_t cap, const char *what,
		   int *fd, char *cause, size_t causelen)
{
	struct stat st;

	return open_regular(path, name, cap, what, fd, &st, cause, causelen);
}

long file_read_some(int fd, const char *name, char *buf, size_t n, size_t *total,
		    size_t cap, char *cause, size_t causelen)
{
	ssize_t got;
	int e;

	do
		got = read(fd, buf, n);
	while (got < 0 && errno == EINTR);
	if (got < 0) {
		e = errno;
		return fail(cause, causelen, -e, "%s: cannot read: %s", name,
			    strerror(e));
	}
	*total += (size_t)got;
	if (*total > cap)       /* it grew, or st_size said 0 (procfs) */
		return fail(cause, causelen, -EFBIG, "%s: file is too large (more "
			    "than %zu bytes)", name, cap);
	return (long)got;
}

/* Length of the UTF-8 sequence at s, or 0 if it is invalid (overlong forms,
 * surrogates, code points past U+10FFFF, a sequence cut by the end). */
size_t file_utf8_len(const unsigned char *s, const unsigned char *end)
{
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	n = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	cp = s[0] & (0x7f >> n);
	if ((size_t)(end - s) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)))
		return 0;
	if (n == 4 && (cp < 0x10000 || cp > 0x10ffff))
		return 0;
	return n;
}

/* The code point of a control character at s (n bytes long), or -1: C0
 * but tab and newline, CR unless before LF (or at the very end), DEL, and
 * C1 (U+0080..U+009F, which some terminals obey as escapes). */
static int control_at(const unsigned char *s, size_t n, const unsigned char *end)
{
	if (n == 1 && s[0] == '\r')
		return s + 1 < end && s[1] != '\n' ? '\r' : -1;
	if (n == 1 && ((s[0] < 0x20 && s[0] != '\t' && s[0] != '\n') || s[0] == 0x7f))
		return s[0];
	if (n == 2 && s[0] == 0xc2 && s[1] < 0xa0)
		return s[1];
	return -1;
}

int file_check_text(const char *text, size_t len, int *line, int *col,
		    char *why, size_t whylen)
{
	const unsigned char *s = (const unsigned char *)text, *end = s + len;
	int ctl;

	*line = 1;
	*col = 1;
	for (size_t n; s < end; s += n) {
		n = file_utf8_len(s, end);
		if (s[0] == '\0')
			return fail(why, whylen, -EINVAL, "binary data (NUL byte) "
				    "where text was expected");
		if (n == 0)
			return fail(why, whylen, -EINVAL, "invalid UTF-8 (byte "
				    "0x%02x) where text was expected", s[0]);
		if ((ctl = control_at(s, n, end)) >= 0)
			return fail(why, whylen, -EINVAL, ctl < 0x80 ?
				    "control character 0x%02x where text was expected "
				    "(only tabs and newlines may appear)" :
				    "control character U+%04X where text was expected "
				    "(only tabs and newlines may appear)", ctl);
		if (s[0] == '\n') {
			++*line;
			*col = 1;
		} else {
			++*col;
		}
	}
	return 0;
}

int file_check_whole(const char *path, const char *text, size_t len, size_t cap,
		     size_t *skip, char *cause, size_t causelen)
{
	char why[160];
	int line, col;

	*skip = 0;
	if (len > cap)
		return fail(cause, causelen, -EFBIG, "%s: file is too large (%zu bytes, at most %zu)",
			    path, len, cap);
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		*skip = 3;              /* a byte order mark, which is no text */
	if (file_check_text(text + *skip, len - *skip, &line, &col, why, sizeof why) != 0)
		return fail(cause, causelen, -EINVAL, "%s:%d:%d: %s", path, line, col, why);
	return 0;
}
