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

static int fail(char *cause, size_t len, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *cause, size_t len, int rc, const char *fmt, ...)
{
	va_list ap;

	if (cause != NULL && len > 0) {
		va_start(ap, fmt);
		vsnprintf(cause, len, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static void size_words(size_t cap, char *buf, size_t len)
{
	if (cap >= (1u << 20) && cap % (1u << 20) == 0)
		snprintf(buf, len, "%zu MiB", cap >> 20);
	else if (cap >= 1024 && cap % 1024 == 0)
		snprintf(buf, len, "%zu KiB", cap >> 10);
	else
		snprintf(buf, len, "%zu bytes", cap);
}

/* Read at most cap + 1 bytes: one more than allowed tells "too large". */
static int read_capped(int fd, size_t cap, size_t hint, char **out, size_t *len)
{
	size_t size = hint + 1 < cap + 1 ? hint + 1 : cap + 1, n = 0;
	char *buf = NULL, *nb;
	ssize_t got;

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

int file_read_whole(const char *path, size_t cap, const char *what,
		    int allow_empty, char **out, size_t *len,
		    char *cause, size_t causelen)
{
	char limit[32];
	struct stat st;
	int fd, rc;

	*out = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)) < 0) {
		rc = -errno;
		if (rc == -ENXIO)       /* a socket file, or a FIFO (O_WRONLY only) */
			return fail(cause, causelen, -EINVAL, "%s: not a regular "
				    "file (expected a %s)", path, what);
		return fail(cause, causelen, rc, "%s: cannot open: %s", path,
			    strerror(-rc));
	}
	if (fstat(fd, &st) != 0) {
		rc = -errno;
		close(fd);
		return fail(cause, causelen, rc, "%s: cannot read: %s", path,
			    strerror(-rc));
	}
	if (S_ISDIR(st.st_mode) || !S_ISREG(st.st_mode)) {
		close(fd);
		if (S_ISDIR(st.st_mode))
			return fail(cause, causelen, -EISDIR, "%s: is a directory "
				    "(expected a %s file)", path, what);
		return fail(cause, causelen, -EINVAL, "%s: not a regular file "
			    "(a %s; expected a %s file)", path,
			    S_ISFIFO(st.st_mode) ? "FIFO" :
			    S_ISCHR(st.st_mode) ? "character device" :
			    S_ISBLK(st.st_mode) ? "block device" :
			    S_ISSOCK(st.st_mode) ? "socket" : "special file", what);
	}
	size_words(cap, limit, sizeof limit);
	if ((uint64_t)st.st_size > (uint64_t)cap) {
		close(fd);
		return fail(cause, causelen, -EFBIG, "%s: file is too large "
			    "(%lld bytes; a %s is at most %s)", path,
			    (long long)st.st_size, what, limit);
	}
	rc = read_capped(fd, cap, (size_t)st.st_size, out, len);
	close(fd);
	if (rc != 0)
		return fail(cause, causelen, rc, "%s: cannot read: %s", path,
			    strerror(-rc));
	if (*len > cap) {
		free(*out);
		*out = NULL;
		*len = 0;
		return fail(cause, causelen, -EFBIG, "%s: file is too large "
			    "(a %s is at most %s)", path, what, limit);
	}
	if (*len == 0 && !allow_empty) {
		free(*out);
		*out = NULL;
		return fail(cause, causelen, -ENODATA, "%s: file is empty "
			    "(expected a %s)", path, what);
	}
	return 0;
}
