/* lesson.h: lesson files (lessons/FORMAT.md) and their reader.
 *
 * A lesson is Markdown, read with md4c into a title and sections; each
 * section has its text (plain, wrapped by the screen) and its blocks: the
 * run to show, prediction checkpoints, quotes of the project's code.
 * Parsing never prints or exits; errors come back through cause as
 * "FILE:LINE: what was expected".
 */
#ifndef IOSCOPE_LESSON_H
#define IOSCOPE_LESSON_H

#include <stddef.h>

#define LESSON_MAX_FILE (256u << 10)
#define LESSON_MAX_CODE (256u << 10)   /* a source file a code block quotes */
#define LESSON_MAX_CODE_PATH 128       /* its path, relative to the data folder */
#define LESSON_MAX_MARKER 64
#define LESSON_MAX_NAME 32             /* a run block's scenario: and model: */

enum lesson_block_kind { LB_RUN = 1, LB_PREDICT, LB_CODE };

/* The panes a run block's show: names (the screen gives them room). */
enum lesson_pane {
	LESSON_PANE_LANES = 1,         /* "lanes" */
	LESSON_PANE_MUX = 2,           /* "select", "poll" or "epoll": the multiplexer pane */
	LESSON_PANE_KERNEL = 4,        /* "kernel": the kernel's own word, from /proc */
	LESSON_PANE_STORY = 8,         /* "story": the latest events in words */
};

struct lesson_block {
	enum lesson_block_kind kind;
	int line;
	/* LB_RUN */
	char *scenario;        /* a scenario name: a-z 0-9 - _, never a path */
	char *model;           /* "" = the scenario's own; a-z 0-9 - */
	int pause;             /* steps to play before stopping, 0 = none */
	char *point;           /* "" when absent */
	unsigned show;         /* LESSON_PANE_* bits, 0 when absent */
	/* LB_PREDICT */
	char *question, *answer;
	/* LB_CODE */
	char *file, *marker;
};

struct lesson_section {
	char *heading;
	char *text;            /* paragraphs separated by "\n\n"; list items "• " */
	int line;
	int nblocks;
	struct lesson_block *blocks;
};

struct lesson {
	char *path;
	char *name;            /* "05-epoll": the file name without .md */
	char *lang;            /* "en" or "zh": the directory it is in */
	char *title;
	int nsections;
	struct lesson_section *sections;
};

/* Read (through file_read_whole: regular files of at most LESSON_MAX_FILE
 * bytes; a FIFO or a device is refused at once) and parse.  Returns 0, or
 * -errno / -EINVAL with cause set: "FILE: ..." for the file as a whole,
 * "FILE:LINE: ..." for the Markdown, "FILE:LINE:COL: ..." for a byte that
 * is not text (NUL, invalid UTF-8, control character).  A code block's
 * file: and marker: are checked here, at their line (lesson__code_file). */
int lesson_load(const char *path, struct lesson **out, char *cause, size_t len);
int lesson_parse(const char *path, const char *text, size_t size, struct lesson **out,
		 char *cause, size_t len);
void lesson_free(struct lesson *l);
/* A lesson's name from its path, as lesson_load sets l->name (the key
 * progress keeps it under): malloc'd, or NULL when out of memory. */
char *lesson_name(const char *path);

/* The section's run block, or NULL. */
const struct lesson_block *lesson_run(const struct lesson_section *s);

/* Everything `ioscope check` verifies beyond the syntax, with data_dir the
 * folder holding scenarios/ (and the source files quoted): scenarios,
 * models, pauses, code markers, a last "Exercise" section (or "Check
 * yourself", 2 or 3 predict blocks, right after it), a prediction, the
 * Chinese glossary's wordings (lessons/FORMAT.md) in a Chinese lesson, and
 * that the other language's file has the same structure. */
int lesson_check(const struct lesson *l, const char *data_dir, char *cause, size_t len);

/* The quoted lines of a code block: malloc'd, or NULL with cause
 * ("FILE: ..." with FILE as the block names it).  The file is read from
 * data_dir only if lesson__code_file accepts its name, and only if it is a
 * regular file of at most LESSON_MAX_CODE bytes. */
char *lesson_code(const char *data_dir, const struct lesson_block *b, char *cause, size_t len);

/* Lessons of one language under data_dir/lessons/LANG, in order: an array
 * of paths (malloc'd, NULL-terminated).  Returns the count or -errno. */
int lesson_list(const char *data_dir, const char *lang, char ***paths);
void lesson_list_free(char **paths);

/* Internal (lesson_names.c, for lesson.c and lesson_check.c): 0 if a code
 * block's file: names a .c or .h file inside the data folder (relative, no
 * '..', '.' or empty parts, letters, digits, '_', '-', '.', '/' only, at
 * most LESSON_MAX_CODE_PATH bytes), or -EINVAL with a sentence in why.
 * The same for marker: (1..LESSON_MAX_MARKER letters, digits, '_', '-')
 * and for a run block's "scenario" or "model" (key): a-z, 0-9, '-' (and
 * '_' for a scenario), 1..LESSON_MAX_NAME bytes. */
int lesson__code_file(const char *file, char *why, size_t len);
int lesson__code_marker(const char *marker, char *why, size_t len);
int lesson__run_name(const char *key, const char *name, char *why, size_t len);
/* How many bytes of s (at most max) to quote: whole characters only. */
int lesson__shown(const char *s, int max);

#endif
