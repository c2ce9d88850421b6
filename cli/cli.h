/* cli.h: shared by the command line's files (main.c, learn.c, help.c). */
#ifndef IOSCOPE_CLI_H
#define IOSCOPE_CLI_H

#include <stddef.h>

#include "trace/lang.h"
#include "tui/tui.h"

enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

struct cli {
	const char *model, *record;
	double speed;
	int lang;
	int probe;
	const char *fds, *models;   /* bench */
	const char *low;            /* bench --low */
	int trace;                  /* bench --trace */
	const char *events;         /* bench --trace --events */
	int csv;
	int plain, paused, theme;
	int force;                  /* --force: --record and -o may replace a file */
	int runs;                   /* lessons --runs */
	const char *format, *output; /* export */
	int width, height;          /* export --size WxH */
	int help, version;          /* --help or -h; --version */
	int pid;                    /* attach -p PID (0: none) */
	int attach;                 /* bench --attach */
};

/* The language of the command line's own words, set by main before
 * anything is said; cli_tr picks en or zh by it (a macro, so that the
 * compiler checks both formats). */
extern enum lang cli_lang;
#define cli_tr(en, zh) LANG_PICK(cli_lang, en, zh)

/* The command named on the command line, once it is known to be one
 * (NULL before, or when none is). */
extern const char *cli_cmd;
/* Print "ioscope: " and the message (fmt, checked as a printf format,
 * with its arguments), and the hint "(try 'ioscope help COMMAND')";
 * returns EXIT_USAGE. */
int cli_fail_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* That hint alone, on stderr. */
void cli_hint(void);
/* cli_fail_usage of fmt and its arguments (which say got), then "; did
 * you mean" the closest of names[0..n) to got, if one is close. */
int cli_fail_choice(const char *got, const char *const *names, int n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* help.c: help, and the closest name to a word that was not known. */
enum { CLI_COMMAND, CLI_SCENARIO, CLI_MODEL, CLI_LESSON };
int cli_command_known(const char *name);
/* The name closest to word (a few edits, or word begins it), or NULL. */
const char *cli_closest(const char *word, const char *const *names, int n);
/* "ioscope: unknown scenario 'fishin'; did you mean 'fishing'?", then the
 * list of that kind and the line extra (or NULL), on stderr, in cli_lang;
 * returns EXIT_USAGE. */
int cli_fail_unknown(int kind, const char *word, const char *extra);
/* An option word ("--modle", "--mod=x", "-x") getopt did not know, with the
 * closest of the long option names[0..n) or the ones it could abbreviate,
 * and the options of cli_cmd; returns EXIT_USAGE. */
int cli_fail_option(const char *word, const char *const *names, int n);
/* The usage of cmd on stdout (NULL: the overview of every command); an
 * unknown cmd is cli_fail_unknown's. Returns an exit status. */
int cli_help(const char *cmd);
/* Where scenarios/, lessons/ and the quoted sources are. */
const char *cli_data_dir(void);
/* Where temporary files go: $TMPDIR, unless unset, empty, or longer than
 * room (then /tmp). */
const char *cli_tmp_dir(size_t room);
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
/* attach.c: `ioscope attach [-p PID] [-- CMD ARGS...]`; argv: the
 * operands after the command (the program and its arguments). */
int cli_attach(int argc, char **argv, const struct cli *c);
/* exercise.c: `ioscope exercise [NAME -- CMD ... {port}]`. */
int cli_exercise(int argc, char **argv, const struct cli *c);
/* bench_attach.c: `ioscope bench --attach`: what tracing costs a
 * program, untraced vs ptrace vs ptrace with seccomp. */
int cli_bench_attach(const struct cli *c);
/* bench --trace [--events LIST] [--csv] (bench_trace.c): an exit status. */
int cli_bench_trace(const struct cli *c);

#endif
