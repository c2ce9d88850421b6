/* outfile.c: output files that replace only regular files (outfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace/outfile.h"

#define MAX_LINKS 40           /* as the kernel's own limit (ELOOP) */
#define TMP_SUFFIX ".tmp.XXXXXX"

/* The path with every symbolic link of its last component followed, even
 * a dangling one (then the path it names, which does not exist yet). */
static int follow_links(const char *path, char **out)
{
	char *p = strdup(path), link[PATH_MAX];
	struct stat st;

	for (int hops = 0; p != NULL; hops++) {
		const char *slash;
		char *next;
		ssize_t n;

		if (lstat(p, &st) != 0 || !S_ISLNK(st.st_mode)) {
			*out = p;
			return 0;
		}
		if (hops == MAX_LINKS || (n = readlink(p, link, sizeof link - 1)) < 0) {
			int err = hops == MAX_LINKS ? ELOOP : errno;

			free(p);
			return -err;
		}
		link[n] = '\0';
		slash = strrchr(p, '/');
		if (link[0] == '/' || slash == NULL)
			next = strdup(link);
		else if (asprintf(&next, "%.*s/%s", (int)(slash - p), p, link) < 0)
			next = NULL;
		free(p);
		p = next;
	}
	return -ENOMEM;
}

/* The mode open(2) with 0666 would give a new file.  umask(2) can only be
 * read by setting it; no thread of ours creates files meanwhile. */
static mode_t default_mode(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return 0666 & ~mask;
}

/* A new file beside the target (mkostemp: O_EXCL, a unique name, mode
 * 0600); old: the file it will replace, whose permissions it keeps, else
 * those a plain open would have given it. */
static int open_new(struct outfile *o, const struct stat *old)
{
	int fd, rc;

	if (asprintf(&o->tmp, "%s" TMP_SUFFIX, o->target) < 0) {
		o->tmp = NULL;
		return -ENOMEM;
	}
	if ((fd = mkostemp(o->tmp, O_CLOEXEC)) < 0) {
		rc = -errno;
		goto fail;
	}
	if (fchmod(fd, old != NULL ? old->st_mode & 07777 : default_mode()) != 0) {
		/* The default permissions will do. */
	}
	if ((o->f = fdopen(fd, "w")) != NULL)
		return 0;
	rc = -errno;
	close(fd);
	unlink(o->tmp);
fail:
	free(o->tmp);
	o->tmp = NULL;
	return rc;
}

/* A device or FIFO: written into, never created, truncated or replaced. */
static int open_in_place(struct outfile *o)
{
	int fd = open(o->target, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY), fl, rc;
	struct stat st;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0 || !(S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))) {
		rc = errno != 0 ? -errno : -EINVAL;    /* it changed since stat */
		goto fail;
	}
	/* From here writes wait for a slow reader, as they would on a pipe. */
	if ((fl = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0 ||
	    (o->f = fdopen(fd, "w")) == NULL) {
		rc = -errno;
		goto fail;
	}
	return 0;
fail:
	close(fd);
	return rc;
}

int outfile_open(struct outfile *o, const char *path, int flags)
{
	struct stat st;
	int rc;

	memset(o, 0, sizeof *o);
	o->flags = flags;
	/* A device or FIFO by any path, /dev/stdout's magic links included
	 * (whose "pipe:[N]" names no file): opened as named. */
	if (stat(path, &st) == 0 && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))) {
		if ((o->target = strdup(path)) == NULL)
			return -ENOMEM;
		rc = open_in_place(o);
	} else if ((rc = follow_links(path, &o->target)) != 0) {
		return rc;
	} else if (stat(o->target, &st) != 0) {
		rc = errno == ENOENT ? open_new(o, NULL) : -errno;
	} else if (S_ISREG(st.st_mode)) {
		rc = (flags & OUTFILE_NO_REPLACE) ? -EEXIST : open_new(o, &st);
	} else if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
		rc = open_in_place(o);
	} else {
		rc = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	if (rc != 0) {
		free(o->target);
		o->target = NULL;
	}
	return rc;
}

/* rename(2), but only over a regular file or nothing; with NO_REPLACE
 * only over nothing (link(2) where the filesystem lacks RENAME_NOREPLACE). */
static int put_in_place(const char *tmp, const char *target, int flags)
{
	struct stat st;

	if (flags & OUTFILE_NO_REPLACE) {
		if (renameat2(AT_FDCWD, tmp, AT_FDCWD, target, RENAME_NOREPLACE) == 0)
			return 0;
		if (errno != EINVAL && errno != ENOSYS)
			return -errno;
		if (link(tmp, target) != 0)
			return -errno;
		unlink(tmp);
		return 0;
	}
	if (lstat(target, &st) == 0 && !S_ISREG(st.st_mode))
		return S_ISDIR(st.st_mode) ? -EISDIR : -EEXIST;    /* swapped meanwhile */
	return rename(tmp, target) != 0 ? -errno : 0;
}

int outfile_publish(struct outfile *o)
{
	int rc;

	if (o->f == NULL || o->published)
		return o->f == NULL ? -EBADF : 0;
	if (fflush(o->f) != 0)
		return -errno;
	/* The rename must not publish a file whose blocks are not on disk. */
	if (o->tmp != NULL && fsync(fileno(o->f)) != 0)
		return -errno;
	if (o->tmp != NULL && (rc = put_in_place(o->tmp, o->target, o->flags)) != 0)
		return rc;
	o->published = true;
	return 0;
}

int outfile_close(struct outfile *o)
{
	bool discard = o->tmp != NULL && !o->published;
	int rc = 0;

	if (o->f != NULL) {
		if (!discard && fflush(o->f) != 0)
			rc = -errno;
		if (!discard && rc == 0 && o->tmp != NULL && fsync(fileno(o->f)) != 0)
			rc = -errno;
		if (fclose(o->f) != 0 && rc == 0 && !discard)
			rc = -errno;
	}
	if (discard)
		unlink(o->tmp);
	free(o->tmp);
	free(o->target);
	memset(o, 0, sizeof *o);
	return rc;
}

const char *outfile_strerror(int rc)
{
	switch (rc) {
	case -ENXIO:
		return "no process reads this FIFO (start the reader first)";
	case -EINVAL:
		return "not a regular file, character device or FIFO";
	case -EISDIR:
		return "is a directory";
	default:
		return strerror(-rc);
	}
}
