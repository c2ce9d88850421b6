/* cli.h: shared by the command line's files (ioscope.c, cli_learn.c). */
#ifndef IOSCOPE_CLI_H
#define IOSCOPE_CLI_H

#include <stddef.h>

#include "tui/tui.h"

enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

struct cli {
	const char *model, *record;
	double speed;
	int lang;
	int probe;
	const char *fds, *models;   /* bench */
	int csv;
	int plain, paused, theme;
	int force;                  /* --force: --record and -o may replace a file */
	int runs;                   /* lessons --runs */
	const char *format, *output; /* export */
	int width, height;          /* export --size WxH */
};

/* Print "ioscope: " and the message (fmt with one %s), and the hint. */
int cli_fail_usage(const char *fmt, const char *arg);
/* Where scenarios/, lessons/ and the quoted sources are. */
const char *cli_data_dir(void);
/* The screen, or plain text: --plain, no terminal, TERM dumb or unknown
 * to curses (then a one-line note on stderr says so). */
int cli_want_screen(const struct cli *c);
int cli_screen_run(const struct tui_opts *t);
/* After a write to stdout failed: "ioscope: standard output: REASON" on
 * stderr (err: -errno, or 0 when the C library kept none) and EXIT_RUNTIME. */
int cli_fail_stdout(int err);

int cli_lessons(int lang, int runs);
int cli_lesson(int argc, char **argv, const struct cli *c);
int cli_export(int argc, char **argv, const struct cli *c);

#endif
