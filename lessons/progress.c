/* progress.c: a small text file, "NAME SECTION DONE" per line, rewritten
 * whole through a temporary file and rename(2).  It is read through
 * file_read_whole, like every file a user can put in our way. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lessons/progress.h"
#include "trace/file.h"

#define PROGRESS_MAX_FILE (64u << 10)
#define NAME_MAX_LEN 128
#define NAME_MAX_FMT "127"

static int state_path(char *out, size_t len, bool make)
{
	const char *x = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char dir[PATH_MAX - 16];

	if (x != NULL && *x == '/')
		snprintf(dir, sizeof dir, "%s/ioscope", x);
	else if (home != NULL && *home != '\0')
		snprintf(dir, sizeof dir, "%s/.local/state/ioscope", home);
	else
		return -ENOENT;
	if (make) {
		char step[PATH_MAX - 16];

		/* mkdir -p */
		for (char *p = strcpy(step, dir) + 1; *p; p++)
			if (*p == '/') {
				*p = '\0';
				mkdir(step, 0700);
				*p = '/';
			}
		if (mkdir(step, 0700) != 0 && errno != EEXIST)
			return -errno;
	}
	snprintf(out, len, "%s/progress", dir);
	return 0;
}

/* The file as it is: "" if there is none; an error if something that is
 * not a small regular file sits at its path (a FIFO must not hang the
 * lesson screen; a device must not be read forever, nor replaced). */
static int state_read(const char *path, char **text)
{
	size_t n;
	int rc = file_read_whole(path, PROGRESS_MAX_FILE, "progress file", 1, text, &n,
				 NULL, 0);

	if (rc == -ENOENT)
		return (*text = strdup("")) != NULL ? 0 : -ENOMEM;
	return rc;
}

/* A name that fits the format: one word of printable ASCII. */
static bool name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= NAME_MAX_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (name[i] <= ' ' || name[i] >= 0x7f)
			return false;
	return true;
}

/* Calls fn on each well-formed line of text ("NAME SECTION DONE"); a line
 * too long, or not of that form, is skipped. */
static void state_lines(const char *text, void (*fn)(const char *line, const char *name,
						     int section, int done, void *arg),
			void *arg)
{
	char line[NAME_MAX_LEN + 32], name[NAME_MAX_LEN], tail;
	int sec, done;

	for (const char *s = text, *end; *s != '\0'; s = *end ? end + 1 : end) {
		size_t n;

		end = strchr(s, '\n');
		if (end == NULL)
			end = s + strlen(s);
		n = (size_t)(end - s);
		if (n >= sizeof line)
			continue;
		memcpy(line, s, n);
		line[n] = '\0';
		if (sscanf(line, "%" NAME_MAX_FMT "s %d %d %c", name, &sec, &done, &tail) == 3 &&
		    name_ok(name))
			fn(line, name, sec > 0 ? sec : 0, done != 0, arg);
	}
}

struct get {
	const char *name;
	int section;
	bool done;
};

static void get_cb(const char *line, const char *name, int section, int done, void *arg)
{
	struct get *g = arg;

	(void)line;
	if (strcmp(name, g->name) == 0) {
		g->section = section;
		g->done = done;
	}
}

int progress_get(const char *name, bool *done)
{
	char path[PATH_MAX], *text;
	struct get g = { .name = name };

	*done = false;
	if (!name_ok(name) || state_path(path, sizeof path, false) != 0 ||
	    state_read(path, &text) != 0)
		return 0;
	state_lines(text, get_cb, &g);
	free(text);
	*done = g.done;
	return g.section;
}

struct put {
	const char *name;
	FILE *out;
};

static void put_cb(const char *line, const char *name, int section, int done, void *arg)
{
	struct put *p = arg;

	(void)section;
	(void)done;
	if (strcmp(name, p->name) != 0)
		fprintf(p->out, "%s\n", line);
}

/* The new file is written beside the old (mkstemp: a new regular file,
 * never something already there) and renamed over it only when whole. */
int progress_set(const char *name, int section, bool done)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8], *text;
	struct put p = { .name = name };
	int rc, fd;

	if (!name_ok(name))
		return -EINVAL;
	if ((rc = state_path(path, sizeof path, true)) != 0)
		return rc;
	if ((rc = state_read(path, &text)) != 0)
		return rc;
	snprintf(tmp, sizeof tmp, "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0 || (p.out = fdopen(fd, "w")) == NULL) {
		rc = -errno;
		if (fd >= 0) {
			close(fd);
			remove(tmp);
		}
		free(text);
		return rc;
	}
	state_lines(text, put_cb, &p);
	free(text);
	fprintf(p.out, "%s %d %d\n", name, section > 0 ? section : 0, done ? 1 : 0);
	rc = ferror(p.out) ? -EIO : 0;
	if (fclose(p.out) != 0 && rc == 0)
		rc = errno != 0 ? -errno : -EIO;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc != 0)
		remove(tmp);
	return rc;
}
