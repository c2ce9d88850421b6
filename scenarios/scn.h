/* scn.h: scenario files, the script a teacher edits.
 *
 * A scenario is a list of actors (who reads, through which IO model, from how
 * many fds) and a timeline of actions the world performs on real sockets.
 * The text format is in scenarios/FORMAT.md; an example is fishing.scn.
 *
 * Parsing never prints or exits.  Errors come back through cause as one line:
 * "FILE:LINE:COLUMN: expected ..., got ...".
 */
#ifndef IOSCOPE_SCN_H
#define IOSCOPE_SCN_H

#include <stddef.h>
#include <stdint.h>

#define SCN_MAX_ACTORS 16
#define SCN_MAX_FDS    64           /* per actor */
#define SCN_MAX_FILE   (1u << 20)   /* larger files are refused */
#define SCN_MAX_DATA   4096         /* bytes in one write action */

enum scn_op {
	SCN_SAY = 1,    /* a caption: text[0] English, text[1] Chinese */
	SCN_WRITE,      /* write data (len bytes) to the far end of actor.fd */
	SCN_CLOSE,      /* close the far end of actor.fd */
};

struct scn_actor {
	char *name;             /* "A": letters, digits, '_' ; 1..15 chars */
	char *model;            /* model name as written, e.g. "blocking" */
	int nfds;               /* 1..SCN_MAX_FDS ("rods", "dishes") */
	int64_t every_ns;       /* non-blocking pause between tries; 0 = default */
	char *label[2];         /* en, zh; "" when absent */
	int line, col;          /* where the actor was declared (for errors) */
	int model_col;          /* column of the model name */
};

struct scn_action {
	int64_t at_ns;          /* scenario time */
	enum scn_op op;
	int actor;              /* index into actors; -1 for SCN_SAY */
	int fd;                 /* 0-based fd index within the actor */
	char *data;             /* SCN_WRITE: bytes, NUL-terminated */
	size_t len;
	char *text[2];          /* SCN_SAY */
	int line;               /* first line of the action */
};

struct scn {
	char *path;             /* as given to the parser */
	char *name;             /* from the "scenario" line */
	char *title[2];         /* en, zh */
	int nactors;
	struct scn_actor actors[SCN_MAX_ACTORS];
	int nactions;
	struct scn_action *actions;   /* in time order */
};

/* Parse text (len bytes, need not be NUL-terminated; at most SCN_MAX_FILE).
 * path is used in error messages and stored.  Returns 0 and *out, or
 * -EINVAL (or -ENOMEM) with cause set.  After success every char * in the
 * result is non-NULL ("" where unused) and actions is NULL when nactions is
 * 0.  Model names are not checked here (see scn_check_models). */
int scn_parse(const char *path, const char *text, size_t len,
	      struct scn **out, char *cause, size_t causelen);

/* Read the file and parse it.  Missing, unreadable, empty, binary (NUL bytes
 * or invalid UTF-8) and too-large files fail with a cause naming the file:
 * -errno of open/read, -EFBIG, -EISDIR, -EINVAL or -ENOMEM. */
int scn_load(const char *path, struct scn **out, char *cause, size_t causelen);

/* Check every actor's model with known(name) (returns nonzero if the name is
 * a model).  On the first unknown one, returns -EINVAL with
 * "FILE:LINE:COL: unknown model 'x' (expected one of: ...)"; list is the
 * text after "expected one of: ". */
int scn_check_models(const struct scn *s, int (*known)(const char *name),
		     const char *list, char *cause, size_t causelen);

void scn_free(struct scn *s);

/* Time of the last action (0 when there are none). */
int64_t scn_duration(const struct scn *s);

#endif
