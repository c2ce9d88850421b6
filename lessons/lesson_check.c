/* lesson_check.c: what a lesson refers to must exist, and its two
 * languages must match. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lessons/lesson.h"
#include "models/model.h"
#include "scenarios/scn.h"
#include "trace/file.h"

static int bad(char *cause, size_t len, const char *path, int line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	file_cause_cut(msg, sizeof msg);
	snprintf(cause, len, "%s:%d: %s", path, line, msg);
	file_cause_cut(cause, len);
	return -EINVAL;
}

/* The source file a code block names, read through file_read_named: a
 * cause names it as the block does, not by its full path. */
static char *read_code(const char *data_dir, const char *file, char *cause, size_t len)
{
	char path[1024], why[1200];
	size_t n;
	int rc;
	char *src;

	if (lesson__code_file(file, why, sizeof why) != 0) {
		snprintf(cause, len, "%s", why);
		return NULL;
	}
	if ((size_t)snprintf(path, sizeof path, "%s/%s", data_dir, file) >= sizeof path) {
		snprintf(cause, len, "%s: the data folder's path is too long", file);
		return NULL;
	}
	rc = file_read_named(path, file, LESSON_MAX_CODE, "source", 1, &src, &n, cause, len);
	if (rc != 0)
		return NULL;
	return src;
}

char *lesson_code(const char *data_dir, const struct lesson_block *b, char *cause, size_t len)
{
	char open_tag[160], *src, *from, *to, *out;

	if (lesson__code_marker(b->marker, open_tag, sizeof open_tag) != 0) {
		snprintf(cause, len, "%s", open_tag);
		return NULL;
	}
	snprintf(open_tag, sizeof open_tag, "/* lesson: %s */", b->marker);
	if ((src = read_code(data_dir, b->file, cause, len)) == NULL)
		return NULL;
	from = strstr(src, open_tag);
	to = from ? strstr(from, "/* lesson end */") : NULL;
	if (from == NULL || to == NULL) {
		snprintf(cause, len, "%s has no '%s' ... '/* lesson end */'", b->file, open_tag);
		free(src);
		return NULL;
	}
	from = strchr(from, '\n');            /* the lines after the marker */
	from = from && from < to ? from + 1 : to;
	while (to > from && to[-1] != '\n')   /* up to the end marker's line */
		to--;
	out = strndup(from, (size_t)(to - from));
	free(src);
	return out;
}

static int check_run(const struct lesson *l, const struct lesson_block *b, const char *data_dir,
		     char *cause, size_t len)
{
	char path[1024], why[400];
	const struct model_ops *m = *b->model ? model_find(b->model) : NULL;
	struct scn *s;
	int rc = 0;

	snprintf(path, sizeof path, "%s/scenarios/%s.scn", data_dir, b->scenario);
	if (scn_load(path, &s, why, sizeof why) != 0)
		return bad(cause, len, l->path, b->line, "unknown scenario '%s' (see ioscope scenarios)",
			   b->scenario);
	if (*b->model && m == NULL)
		rc = bad(cause, len, l->path, b->line, "unknown model '%s' (expected one of: %s)",
			 b->model, model_names());
	else if (b->pause > s->nactions)
		rc = bad(cause, len, l->path, b->line, "pause: %d, but scenario '%s' has %d steps",
			 b->pause, b->scenario, s->nactions);
	for (int i = 0; rc == 0 && m != NULL && i < s->nactors; i++)
		if (s->actors[i].role == SCN_ROLE_SERVER && !(m->caps & TRACE_CAP_SERVES))
			rc = bad(cause, len, l->path, b->line, "model '%s' cannot serve scenario '%s' "
				 "(its actor %s is a server)", b->model, b->scenario, s->actors[i].name);
	scn_free(s);
	return rc;
}

static int check_blocks(const struct lesson *l, const char *data_dir, int *predicts, int *runs,
			char *cause, size_t len)
{
	for (int i = 0; i < l->nsections; i++)
		for (int j = 0; j < l->sections[i].nblocks; j++) {
			const struct lesson_block *b = &l->sections[i].blocks[j];
			char why[400], *code;
			int rc;

			if (b->kind == LB_PREDICT)
				(*predicts)++;
			if (b->kind == LB_RUN && (++*runs, rc = check_run(l, b, data_dir, cause, len)) != 0)
				return rc;
			if (b->kind == LB_CODE) {
				if ((code = lesson_code(data_dir, b, why, sizeof why)) == NULL)
					return bad(cause, len, l->path, b->line, "%s", why);
				free(code);
			}
		}
	return 0;
}

/* The same lesson in the other language: lessons/en/X.md <-> lessons/zh/X.md */
static int other_path(const struct lesson *l, char *out, size_t len)
{
	const char *other = strcmp(l->lang, "en") == 0 ? "zh" : strcmp(l->lang, "zh") == 0 ? "en" : NULL;
	const char *slash = strrchr(l->path, '/');

	if (other == NULL || slash == NULL || slash - l->path < 2)
		return -1;
	snprintf(out, len, "%.*s%s%s", (int)(slash - l->path - 2), l->path, other, slash);
	return 0;
}

static int same_block(const struct lesson_block *a, const struct lesson_block *b)
{
	return a->kind == b->kind && strcmp(a->scenario, b->scenario) == 0 &&
	       strcmp(a->model, b->model) == 0 && a->pause == b->pause && a->show == b->show &&
	       strcmp(a->file, b->file) == 0 && strcmp(a->marker, b->marker) == 0;
}

static int check_translation(const struct lesson *l, char *cause, size_t len)
{
	char path[1024], why[400];
	struct lesson *o;
	int rc = 0;

	if (other_path(l, path, sizeof path) != 0)
		return bad(cause, len, l->path, 1, "expected the lesson under lessons/en/ or lessons/zh/");
	if (lesson_load(path, &o, why, sizeof why) != 0)
		return bad(cause, len, l->path, 1, "no translation: %s", why);
	if (o->nsections != l->nsections)
		rc = bad(cause, len, l->path, 1, "%d sections here, %d in %s", l->nsections,
			 o->nsections, path);
	for (int i = 0; rc == 0 && i < l->nsections; i++) {
		const struct lesson_section *a = &l->sections[i], *b = &o->sections[i];

		if (a->nblocks != b->nblocks)
			rc = bad(cause, len, l->path, a->line, "%d blocks in this section, %d in %s:%d",
				 a->nblocks, b->nblocks, path, b->line);
		for (int j = 0; rc == 0 && j < a->nblocks; j++)
			if (!same_block(&a->blocks[j], &b->blocks[j]))
				rc = bad(cause, len, l->path, a->blocks[j].line,
					 "this block differs from its translation at %s:%d", path,
					 b->blocks[j].line);
	}
	lesson_free(o);
	return rc;
}

int lesson_check(const struct lesson *l, const char *data_dir, char *cause, size_t len)
{
	const struct lesson_section *last = &l->sections[l->nsections - 1];
	int predicts = 0, runs = 0, rc;

	if ((rc = check_blocks(l, data_dir, &predicts, &runs, cause, len)) != 0)
		return rc;
	if (strcmp(last->heading, "Exercise") != 0 && strcmp(last->heading, "练习") != 0)
		return bad(cause, len, l->path, last->line,
			   "expected the last section to be '## Exercise' (or '## 练习'), got '%s'",
			   last->heading);
	if (predicts == 0)
		return bad(cause, len, l->path, 1, "expected at least one predict block (a checkpoint)");
	if (runs == 0)
		return bad(cause, len, l->path, 1, "expected at least one ioscope block (a run to show)");
	return check_translation(l, cause, len);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int lesson_list(const char *data_dir, const char *lang, char ***paths)
{
	char dir[1024];
	DIR *d;
	struct dirent *de;
	char **v = NULL;
	int n = 0;

	snprintf(dir, sizeof dir, "%s/lessons/%s", data_dir, lang);
	if ((d = opendir(dir)) == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		char **nv;

		if (l < 4 || strcmp(de->d_name + l - 3, ".md") != 0 || de->d_name[0] < '0' ||
		    de->d_name[0] > '9')
			continue;
		if ((nv = realloc(v, (size_t)(n + 2) * sizeof *v)) == NULL)
			break;
		v = nv;
		if ((v[n] = malloc(strlen(dir) + l + 2)) == NULL)
			break;
		sprintf(v[n++], "%s/%s", dir, de->d_name);
	}
	closedir(d);
	if (v == NULL && (v = calloc(1, sizeof *v)) == NULL)
		return -ENOMEM;
	v[n] = NULL;
	qsort(v, (size_t)n, sizeof *v, by_name);
	*paths = v;
	return n;
}

void lesson_list_free(char **paths)
{
	for (char **p = paths; p != NULL && *p != NULL; p++)
		free(*p);
	free(paths);
}
