/* lesson_check.c: what a lesson refers to must exist, and its two
 * languages must match. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
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

/* The block's model plays the role the actor needs of it (model_ops.roles,
 * as a run checks it: live/run.c). */
static int check_role(const struct lesson *l, const struct lesson_block *b, const struct model_ops *m,
		      const struct scn_actor *a, char *cause, size_t len)
{
	bool echo = a->serve == SCN_SERVE_ECHO;

	if (a->role != SCN_ROLE_SERVER && !(m->roles & MODEL_ROLE_READER))
		return bad(cause, len, l->path, b->line, "model '%s' cannot run scenario '%s' (its actor "
			   "%s reads the world's connections, and the model %s)", b->model, b->scenario,
			   a->name, m->roles & (MODEL_ROLE_CHAT | MODEL_ROLE_ECHO) ? "is a server only" :
			   "does not read them");
	if (a->role == SCN_ROLE_SERVER && !(m->roles & (echo ? MODEL_ROLE_ECHO : MODEL_ROLE_CHAT)))
		return bad(cause, len, l->path, b->line, "model '%s' cannot serve scenario '%s' (its "
			   "actor %s is a server with serve=%s)", b->model, b->scenario, a->name,
			   echo ? "echo" : "chat");
	return 0;
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
		rc = check_role(l, b, m, &s->actors[i], cause, len);
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

/* The Chinese glossary (lessons/FORMAT.md, "Chinese terms", whose last
 * column lists exactly these wordings): what a Chinese lesson must not
 * say, and the term it uses instead.  ASCII wordings match whole words. */
static const struct avoid {
	const char *bad, *use;
} zh_avoid[] = {
	{ "旁白", "字幕" },
	{ "故事区", "事件记录" },
	{ "内核栏", "“内核自己的说法”窗格" },
	{ "那一栏", "窗格" },
	{ "这一栏", "窗格" },
	{ "面板", "窗格" },
	{ "通道", "泳道" },
	{ "world", "场景脚本" },
	{ "外界", "场景脚本" },
	{ "钓鱼的人", "钓鱼人" },
	{ "渔夫", "钓鱼人" },
	{ "顾客", "食客" },
	{ "堵塞", "阻塞" },
	{ "描述符号", "描述符编号" },
	{ "进程表", "进程的文件描述符表" },
	{ "交进去", "传入" },
	{ "兴趣列表", "关注列表" },
	{ "注册", "登记" },
	{ "电平", "水平触发" },
	{ "边沿", "边缘" },
	{ "完成通知", "完成记录" },
	{ "帮手线程", "辅助线程" },
	{ "披着外衣的线程", "伪装起来的线程" },
};

static bool word_byte(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

/* The avoided wording that starts at p, or NULL. */
static const struct avoid *avoided_at(const char *line, const char *p, const char *end)
{
	for (size_t i = 0; i < sizeof zh_avoid / sizeof zh_avoid[0]; i++) {
		const struct avoid *a = &zh_avoid[i];
		size_t n = strlen(a->bad);
		bool ascii = (unsigned char)a->bad[0] < 0x80;

		if ((size_t)(end - p) < n || memcmp(p, a->bad, n) != 0)
			continue;
		if (ascii && ((p > line && word_byte(p[-1])) || (p + n < end && word_byte(p[n]))))
			continue;
		return a;
	}
	return NULL;
}

/* A Chinese lesson's words against the glossary, outside `code` spans:
 * the first avoided wording is the error, at its line and column (in
 * characters). */
static int check_glossary(const char *path, const char *text, size_t size, char *cause,
			  size_t len)
{
	const char *end = text + size, *line = text;
	int lineno = 1;

	while (line < end) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		bool code = false;
		int col = 1;

		eol = eol != NULL ? eol : end;
		for (const char *p = line; p < eol; p++) {
			const struct avoid *a;

			if (*p == '`')
				code = !code;
			else if (!code && (a = avoided_at(line, p, eol)) != NULL) {
				snprintf(cause, len, "%s:%d:%d: '%s' is not the glossary's word: "
					 "use '%s' (lessons/FORMAT.md, Chinese terms)", path, lineno, col,
					 a->bad, a->use);
				file_cause_cut(cause, len);
				return -EINVAL;
			}
			col += ((unsigned char)*p & 0xc0) != 0x80;
		}
		line = eol + 1;
		lineno++;
	}
	return 0;
}

static int glossary(const struct lesson *l, char *cause, size_t len)
{
	char *text;
	size_t size;
	int rc;

	if (strcmp(l->lang, "zh") != 0)
		return 0;
	if ((rc = file_read_whole(l->path, LESSON_MAX_FILE, "lesson", 0, &text, &size, cause, len)) != 0)
		return rc;
	rc = check_glossary(l->path, text, size, cause, len);
	free(text);
	return rc;
}

static bool headed(const struct lesson_section *s, const char *en, const char *zh)
{
	return strcmp(s->heading, en) == 0 || strcmp(s->heading, zh) == 0;
}

/* The lesson ends with its exercise, or with its check questions (2 or 3
 * predict blocks, nothing else) right after the exercise. */
static int check_end(const struct lesson *l, char *cause, size_t len)
{
	const struct lesson_section *last = &l->sections[l->nsections - 1];
	int ex = l->nsections - 1;

	if (headed(last, "Check yourself", "自测")) {
		for (int j = 0; j < last->nblocks; j++)
			if (last->blocks[j].kind != LB_PREDICT)
				return bad(cause, len, l->path, last->blocks[j].line,
					   "expected only predict blocks (questions) under '%s'",
					   last->heading);
		if (last->nblocks < 2 || last->nblocks > 3)
			return bad(cause, len, l->path, last->line,
				   "expected 2 or 3 predict blocks (questions) under '%s', got %d",
				   last->heading, last->nblocks);
		ex--;
	}
	if (ex < 0 || !headed(&l->sections[ex], "Exercise", "练习"))
		return bad(cause, len, l->path, l->sections[ex < 0 ? 0 : ex].line,
			   "expected the last section to be '## Exercise' (or '## 练习'), or "
			   "'## Check yourself' (or '## 自测') right after it, got '%s'",
			   l->sections[ex < 0 ? 0 : ex].heading);
	return 0;
}

int lesson_check(const struct lesson *l, const char *data_dir, char *cause, size_t len)
{
	int predicts = 0, runs = 0, rc;

	if ((rc = glossary(l, cause, len)) != 0)
		return rc;
	if ((rc = check_blocks(l, data_dir, &predicts, &runs, cause, len)) != 0)
		return rc;
	if ((rc = check_end(l, cause, len)) != 0)
		return rc;
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
