/* progress.c: a small text file, "NAME SECTION DONE" per line, rewritten
 * whole through a temporary file and rename(2). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lessons/progress.h"

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

int progress_get(const char *name, bool *done)
{
	char path[PATH_MAX], line[512], n[256];
	int section = 0, sec, d;
	FILE *f;

	*done = false;
	if (state_path(path, sizeof path, false) != 0 || (f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "%255s %d %d", n, &sec, &d) == 3 && strcmp(n, name) == 0) {
			section = sec >= 0 ? sec : 0;
			*done = d != 0;
		}
	fclose(f);
	return section;
}

int progress_set(const char *name, int section, bool done)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8], line[512], n[256];
	FILE *in, *out;
	int rc;

	if ((rc = state_path(path, sizeof path, true)) != 0)
		return rc;
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if ((out = fopen(tmp, "w")) == NULL)
		return -errno;
	if ((in = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof line, in) != NULL)
			if (sscanf(line, "%255s", n) == 1 && strcmp(n, name) != 0)
				fputs(line, out);
		fclose(in);
	}
	fprintf(out, "%s %d %d\n", name, section, done ? 1 : 0);
	if (fclose(out) != 0 || rename(tmp, path) != 0) {
		rc = -errno;
		remove(tmp);
		return rc;
	}
	return 0;
}
