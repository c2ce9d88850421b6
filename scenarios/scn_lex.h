/* scn_lex.h: internals shared by the scenario grammar (scn.c for the
 * header lines and actors, scn_action.c for the "at" lines) and its lexer
 * (scn_lex.c).  Nothing outside scenarios/scn*.c includes this.
 *
 * The lexer works on one line at a time: scn__next_line() moves to the next
 * line, then scn__word() and scn__text() consume it left to right.  Errors
 * are formatted into the caller's cause as "PATH:LINE:COL: ..." and every
 * error function returns -EINVAL (scn__nomem: -ENOMEM), so a handler can
 * write `return scn__expected(p, t, "...")`.
 */
#ifndef IOSCOPE_SCN_LEX_H
#define IOSCOPE_SCN_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scenarios/scn.h"

/* A word of the current line, pointing into the text.  n == 0 means the end
 * of the line (or a comment), and s then points there. */
struct scn_tok {
	const char *s;
	size_t n;
};

/* Where a client stands at the current line of the script. */
struct scn_client_state {
	int server;                     /* actor it is connected to, or -1 */
	int line;                       /* its last connect, hangup or reset */
	enum scn_op last;               /* which of the three that was */
};

struct scn_parser {
	struct scn *s;                  /* being built; freed on error */
	const char *path;
	char *cause;
	size_t causelen;

	const char *next, *end;         /* rest of the text */
	const char *line, *eol, *cur;   /* current line, no newline; cursor */
	int lineno;
	struct scn_tok kw;              /* the line's keyword */

	size_t cap;                     /* allocated s->actions */
	int scenario_line;
	int title_line[2];
	int label_line[SCN_MAX_ACTORS][2];
	int say_open;                   /* 1 + index of a half caption, or 0 */
	int say_col;                    /* its language's column */
	struct scn_tok say_time;        /* its time, as written */
	struct scn_tok last_time;       /* the last action's time, as written */
	struct scn_client_state client[SCN_MAX_CLIENTS];
};

/* Shared by the two halves of the grammar. */
/* LANG_EN for en, LANG_ZH for zh (trace/lang.h), or an error at t. */
int scn__lang(struct scn_parser *p, struct scn_tok t);
/* Index of the actor named t, or an error at t if none is declared. */
int scn__declared_actor(struct scn_parser *p, struct scn_tok t);
/* Handles an "at" line (scn_action.c). */
int scn__parse_at(struct scn_parser *p);
/* The error for a caption whose second language never came. */
int scn__lone_caption(struct scn_parser *p);

/* Checks the whole text (size, NUL bytes, UTF-8, control characters) and
 * sets up the line reader; skips a UTF-8 byte order mark. */
int scn__begin(struct scn_parser *p, const char *text, size_t len);
/* Moves to the next line; 0 at the end of the text. */
int scn__next_line(struct scn_parser *p);

/* The next blank-separated word; '#' at the start of a word begins a
 * comment that runs to the end of the line. */
struct scn_tok scn__word(struct scn_parser *p);
/* Skips blanks and returns the cursor. */
const char *scn__skip_blanks(struct scn_parser *p);
int scn__tok_is(struct scn_tok t, const char *word);
/* 1-based column of a pointer into the current line, in characters. */
int scn__col(const struct scn_parser *p, const char *at);
/* Nothing but blanks or a comment may follow. */
int scn__end(struct scn_parser *p);

/* The rest of the line, trimmed, or one quoted string with \" \\ \n \t;
 * never empty.  what names it in errors ("caption text").  *out is a new
 * NUL-terminated string; *len (if len is not NULL) its length.  Without
 * len (a title, label or caption) it is at most SCN_MAX_TEXT bytes, with
 * no \t, and no \n unless lines (a caption): it becomes trace text, which
 * holds no control character but a caption's line breaks. */
int scn__text(struct scn_parser *p, const char *what, bool lines, char **out,
	      size_t *len);
/* A duration with a unit (s, ms, us, ns), at most 3600s. */
int scn__time(struct scn_parser *p, struct scn_tok t, int64_t *ns);
/* Decimal digits only, value 0..max; -1 otherwise. */
int scn__number(struct scn_tok t, int max);
/* 1..max characters, each a-z, 0-9 or one of extra. */
int scn__lower_name(struct scn_tok t, size_t max, const char *extra);

int scn__dup(struct scn_parser *p, const char *s, size_t n, char **out,
	     size_t *len);
int scn__nomem(struct scn_parser *p);

/* One line into cause (NULL-safe), cut at a character boundary. */
void scn__cause(char *cause, size_t causelen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int scn__fail(struct scn_parser *p, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int scn__fail_at(struct scn_parser *p, int line, int col, const char *fmt,
		 ...) __attribute__((format(printf, 4, 5)));
/* "expected <fmt>, got 'word'" (or "got end of line") at the word. */
int scn__expected(struct scn_parser *p, struct scn_tok t, const char *fmt,
		  ...) __attribute__((format(printf, 3, 4)));

#endif
