/* lesson_names.c: what a lesson's blocks may name.  Their values become
 * parts of paths under ioscope's data folder (DATA/scenarios/NAME.scn,
 * DATA/models/x.c) and words of a printed command line, so they are names
 * of a strict form, never paths that could lead elsewhere. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lessons/lesson.h"
#include "trace/file.h"

static int refuse(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	file_cause_cut(why, len);
	return -EINVAL;
}

int lesson__shown(const char *s, int max)
{
	int n = (int)strnlen(s, (size_t)max + 1);

	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

static int path_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.';
}

/* Each part between single slashes: not empty, not "." nor "..". */
static int parts_ok(const char *file)
{
	for (const char *c = file, *part = file;; c++) {
		if (*c != '/' && *c != '\0')
			continue;
		if (c == part || (c - part == 1 && part[0] == '.') ||
		    (c - part == 2 && part[0] == '.' && part[1] == '.'))
			return 0;
		if (*c == '\0')
			return 1;
		part = c + 1;
	}
}

int lesson__code_file(const char *file, char *why, size_t len)
{
	size_t n = strlen(file);

	if (n > LESSON_MAX_CODE_PATH)
		return refuse(why, len, "file: expected a path of at most %d characters, "
			      "like models/blocking.c", LESSON_MAX_CODE_PATH);
	if (file[0] == '/')
		return refuse(why, len, "file: expected a relative path inside the project's "
			      "source tree, like models/blocking.c, got '%s'", file);
	if (!parts_ok(file))
		return refuse(why, len, "file: expected a path inside the project's source "
			      "tree, without '..', '.' or empty parts, got '%s'", file);
	for (size_t i = 0; i < n; i++)
		if (file[i] != '/' && !path_char(file[i]))
			return refuse(why, len, "file: expected letters, digits, '_', '-', '.' "
				      "and '/' only, like models/blocking.c, got '%s'", file);
	if (n < 2 || file[n - 2] != '.' || (file[n - 1] != 'c' && file[n - 1] != 'h'))
		return refuse(why, len, "file: expected a C file of the project (.c or .h), "
			      "like models/blocking.c, got '%s'", file);
	return 0;
}

int lesson__code_marker(const char *marker, char *why, size_t len)
{
	size_t n = strlen(marker);

	for (size_t i = 0; i < n && n <= LESSON_MAX_MARKER; i++)
		if (!path_char(marker[i]) || marker[i] == '.')
			n = 0;
	if (n == 0 || n > LESSON_MAX_MARKER)
		return refuse(why, len, "marker: expected a name of 1 to %d letters, digits, "
			      "'_' or '-', like blocking-recv", LESSON_MAX_MARKER);
	return 0;
}

/* As the scenario grammar has them: scenarios a-z 0-9 - _, models a-z 0-9 -. */
int lesson__run_name(const char *key, const char *name, char *why, size_t len)
{
	int scenario = strcmp(key, "scenario") == 0;
	const char *extra = scenario ? "-_" : "-";
	size_t n = strlen(name);
	int ok = n > 0 && n <= LESSON_MAX_NAME;

	for (const char *s = name; ok && *s != '\0'; s++)
		ok = (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || strchr(extra, *s);
	if (ok)
		return 0;
	if (scenario)
		return refuse(why, len, "scenario: expected a scenario name (a-z, 0-9, '-' "
			      "and '_', see ioscope scenarios), got '%.*s'",
			      lesson__shown(name, LESSON_MAX_NAME), name);
	return refuse(why, len, "model: expected a model name (a-z, 0-9 and '-', see "
		      "ioscope models), got '%.*s'", lesson__shown(name, LESSON_MAX_NAME), name);
}
