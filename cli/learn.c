/* learn.c: the commands for learners and their handouts: the lesson
 * list, one lesson, and exports of a recording. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "lessons/lesson.h"
#include "view/export.h"
#include "view/narrate.h"
#include "trace/outfile.h"
#include "tui/tui.h"
#include "trace/lang.h"

/* The scenario and model of every run the lessons show, once each, as
 * "SCENARIO MODEL" lines ("-": the scenario's own): what `make recordings`
 * records. */
static void print_runs(char **paths, int n)
{
	char seen[64][96], cause[512], key[96];
	int nseen = 0;

	for (int i = 0; i < n; i++) {
		struct lesson *l;

		if (lesson_load(paths[i], &l, cause, sizeof cause) != 0)
			continue;
		for (int s = 0; s < l->nsections; s++) {
			const struct lesson_block *b = lesson_run(&l->sections[s]);
			int dup = 0;

			if (b == NULL)
				continue;
			snprintf(key, sizeof key, "%s %s", b->scenario, *b->model ? b->model : "-");
			for (int k = 0; k < nseen; k++)
				dup |= strcmp(seen[k], key) == 0;
			if (!dup && nseen < 64) {
				snprintf(seen[nseen++], sizeof seen[0], "%s", key);
				printf("%s\n", key);
			}
		}
		lesson_free(l);
	}
}

int cli_lessons(int lang, int runs)
{
	char **paths, cause[512];
	int n = lesson_list(cli_data_dir(), lang_code(lang), &paths);

	if (n < 0) {
		fprintf(stderr, "ioscope: %s/lessons/%s: %s\n", cli_data_dir(), lang_code(lang), strerror(-n));
		return EXIT_RUNTIME;
	}
	if (runs) {
		print_runs(paths, n);
		n = 0;
	}
	for (int i = 0; i < n; i++) {
		struct lesson *l;

		if (lesson_load(paths[i], &l, cause, sizeof cause) != 0) {
			fprintf(stderr, "ioscope: %s\n", cause);
			continue;
		}
		printf("%2d  %-18s %s\n", i + 1, l->name, l->title);
		lesson_free(l);
	}
	lesson_list_free(paths);
	return 0;
}

/* A lesson by number ("5") or name ("05-epoll", "epoll"), in lang. */
static int find_lesson(const char *arg, int lang, char *out, size_t len)
{
	char **paths;
	int n = lesson_list(cli_data_dir(), lang_code(lang), &paths), found = -1;
	char *end;
	long k = strtol(arg, &end, 10);

	if (n < 0)
		return n;
	for (int i = 0; i < n && found < 0; i++) {
		const char *base = strrchr(paths[i], '/') + 1, *dash = strchr(base, '-');
		size_t bl = strlen(base) - 3;

		if ((*end == '\0' && k == i + 1) ||
		    (strlen(arg) == bl && strncmp(base, arg, bl) == 0) ||
		    (dash != NULL && strlen(arg) == bl - (size_t)(dash + 1 - base) &&
		     strncmp(dash + 1, arg, strlen(arg)) == 0))
			found = i;
	}
	if (found >= 0)
		snprintf(out, len, "%s", paths[found]);
	lesson_list_free(paths);
	return found >= 0 ? 0 : -ENOENT;
}

/* A lesson as text: for a handout, a screen reader, a pipe. */
static void print_lesson(const struct lesson *l, int lang)
{
	printf("%s\n", l->title);
	for (int i = 0; i < l->nsections; i++) {
		const struct lesson_section *sec = &l->sections[i];

		printf("\n## %s\n\n%s\n", *sec->heading ? sec->heading : l->title, sec->text);
		for (int j = 0; j < sec->nblocks; j++) {
			const struct lesson_block *b = &sec->blocks[j];
			char why[256], *code;

			if (b->kind == LB_RUN)
				printf("\n  ▶ ioscope run %s%s%s --paused   (%s %d)%s%s\n", b->scenario,
				       *b->model ? " --model " : "", b->model,
				       LANG_PICK(lang, "stop at step", "暂停在步骤"), b->pause,
				       *b->point ? " · " : "", b->point);
			else if (b->kind == LB_PREDICT)
				printf("\n  ? %s\n    → %s\n", b->question, b->answer);
			else if ((code = lesson_code(cli_data_dir(), b, why, sizeof why)) != NULL) {
				printf("\n  %s:\n%s", b->file, code);
				free(code);
			}
		}
	}
}

int cli_lesson(int argc, char **argv, const struct cli *c)
{
	char path[PATH_MAX], cause[1024];
	struct lesson *l;

	if (argc != 1)
		return cli_fail_usage(cli_tr("lesson expects one lesson, by number or name (see 'ioscope lessons')%s",
					     "lesson 需要一课的编号或名称（见 'ioscope lessons'）%s"), "");
	if (find_lesson(argv[0], c->lang, path, sizeof path) != 0) {
		snprintf(cause, sizeof cause, cli_tr("  (the lessons are in %s/lessons/%s; see 'ioscope lessons')",
						     "  （课程在 %s/lessons/%s；见 'ioscope lessons'）"),
			 cli_data_dir(), lang_code(c->lang));
		return cli_fail_unknown(CLI_LESSON, argv[0], cause);
	}
	if (cli_want_screen(c)) {
		struct tui_opts t = { .lesson = path, .data_dir = cli_data_dir(), .theme = c->theme,
				      .run = { .speed = c->speed, .lang = c->lang, .grace_ms = 1000 } };

		return cli_screen_run(&t);
	}
	if (lesson_load(path, &l, cause, sizeof cause) != 0) {
		fprintf(stderr, "ioscope: %s\n", cause);
		return EXIT_USAGE;
	}
	print_lesson(l, c->lang);
	lesson_free(l);
	return 0;
}

/* export into -o OUT: a regular file is replaced whole or not at all, and
 * only with --force; a device or FIFO is written into (trace/outfile.h). */
static int export_to(const struct trace *t, int fmt, const struct cli *c)
{
	struct outfile o;
	int rc = outfile_open(&o, c->output, c->force ? 0 : OUTFILE_NO_REPLACE), rc2;

	if (rc == -EEXIST) {
		fprintf(stderr, cli_tr("ioscope: %s exists (use --force to replace it)\n",
				       "ioscope: %s 已存在（加上 --force 才会覆盖）\n"), c->output);
		return EXIT_USAGE;
	}
	if (rc == 0) {
		rc = export_write(t, fmt, c->lang, c->width, c->height, o.f);
		if (rc == 0)
			rc = outfile_publish(&o);
		rc2 = outfile_close(&o);
		rc = rc != 0 ? rc : rc2;
	}
	if (rc == 0)
		return 0;
	fprintf(stderr, cli_tr("ioscope: %s: cannot write the %s export: %s\n",
			       "ioscope: %s: 无法写入 %s 导出：%s\n"), c->output,
		export_format_name(fmt), rc == -EEXIST ? "a file appeared there meanwhile" :
		outfile_strerror(rc));
	return EXIT_RUNTIME;
}

/* export FILE --format chrome|asciicast|text [-o OUT [--force]] */
int cli_export(int argc, char **argv, const struct cli *c)
{
	const char *formats[EXPORT_MAX];
	char cause[1024];
	struct trace *t;
	size_t skipped;
	int fmt, rc;

	if (argc != 1)
		return cli_fail_usage(cli_tr("export expects one trace file%s", "export 需要一个跟踪文件%s"), "");
	if (c->format == NULL)
		return cli_fail_usage(cli_tr("export needs --format chrome, asciicast or text%s",
					     "export 需要 --format chrome、asciicast 或 text%s"), "");
	for (int i = 0; i < EXPORT_MAX; i++)    /* the names the export layer knows */
		formats[i] = export_format_name(i);
	if ((fmt = export_format_from(c->format)) < 0)
		return cli_fail_choice(c->format, formats, EXPORT_MAX,
				       cli_tr("--format expects chrome, asciicast or text, got '%s'",
					      "--format 应为 chrome、asciicast 或 text，而不是 '%s'"), c->format);
	if (trace_read(argv[0], &t, &skipped, cause, sizeof cause) != 0) {
		fprintf(stderr, "ioscope: %s\n", cause);
		return EXIT_USAGE;
	}
	if (c->output != NULL && strcmp(c->output, "-") != 0) {
		rc = export_to(t, fmt, c);
	} else {
		rc = export_write(t, fmt, c->lang, c->width, c->height, stdout);
		if (rc == -EINVAL) {
			fprintf(stderr, "ioscope: export: %s\n", strerror(EINVAL));
			rc = EXIT_RUNTIME;
		} else if (rc != 0) {
			rc = cli_fail_stdout(rc);
		}
	}
	if (skipped > 0)
		fprintf(stderr, cli_tr("ioscope: %s: the last line was cut short (a run stopped mid-write) and was skipped\n",
				       "ioscope: %s: 最后一行不完整（运行在写入途中停止），已跳过\n"), argv[0]);
	trace_free(t);
	return rc;
}
