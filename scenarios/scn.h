/* scn.h: scenario files, the script a teacher edits.
 *
 * A scenario is a list of actors (who reads, through which IO model, from how
 * many fds) and a timeline of actions the world performs on real sockets.
 * An actor is a reader (the world holds the far end of each of its fds) or a
 * server (it listens on loopback TCP and the world plays its clients, each
 * named by its first connect action).  The text format is in
 * scenarios/FORMAT.md; an example is fishing.scn.
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
#define SCN_MAX_DATA   4096         /* bytes in one write or send action */
#define SCN_MAX_TEXT   2048         /* bytes in a title, label or caption */
#define SCN_MAX_CLIENTS 32          /* distinct client names in a scenario;
                                       a name that hung up may connect
                                       again, so connections over time are
                                       not limited by it.  A teaching
                                       scenario shows a handful (the lanes
                                       of many group as "×N"); the bench,
                                       not a scenario, makes thousands */
#define SCN_MAX_CHUNK  4096         /* largest chunk=N */
#define SCN_MAX_LOW_FD 65535        /* largest low=N */
#define SCN_MIN_SOCKBUF 1024        /* smallest sockbuf=N */
#define SCN_MAX_SOCKBUF (1 << 20)   /* largest sockbuf=N */
#define SCN_MIN_EVERY_NS 1000000    /* shortest every=TIME: 1 ms */
#define SCN_MAX_WORKERS 64          /* largest workers=N */
#define SCN_MAX_QUEUE  1024         /* largest queue=N */
#define SCN_MAX_WORK_NS (10 * 1000000000LL)   /* longest work=TIME: 10 s */
#define SCN_MAX_VARIANTS 16         /* versions of one caption for other models */
#define SCN_MAX_MODEL_CAPTIONS 256  /* captions for one model in a scenario
                                       (TRACE_MAX_CAST_CAPTIONS) */
#define SCN_MAX_MODEL_TEXT (32u << 10)  /* their bytes: they go into the
                                       recording's header line */

enum scn_op {
	SCN_SAY = 1,    /* a caption: text[0] English, text[1] Chinese */
	SCN_WRITE,      /* write data (len bytes) to the far end of actor.fd */
	SCN_CLOSE,      /* close the far end of actor.fd */
	SCN_CONNECT,    /* client connects to the server actor */
	SCN_SEND,       /* client writes data (len bytes) to its connection */
	SCN_HANGUP,     /* client closes its connection normally */
	SCN_RESET,      /* client closes abruptly (SO_LINGER 0: an RST) */
	SCN_PAUSE,      /* client stops reading its socket (data piles up) */
	SCN_RESUME,     /* client reads its socket again */
};

/* SCN_WRITE and SCN_CLOSE only target readers; the client actions only
 * servers. */
enum scn_role {
	SCN_ROLE_READER = 0,    /* reads nfds fds whose far ends the world holds */
	SCN_ROLE_SERVER,        /* accepts clients on a loopback TCP socket */
};

/* What a server does with each complete line a client sends (serve=). */
enum scn_serve {
	SCN_SERVE_CHAT = 0,     /* sends it to all the other clients */
	SCN_SERVE_ECHO,         /* sends it back to its sender, after work */
};

struct scn_actor {
	char *name;             /* "A": letters, digits, '_' ; 1..15 chars */
	char *model;            /* model name as written, e.g. "blocking" */
	enum scn_role role;     /* SCN_ROLE_READER unless role=server */
	int nfds;               /* reader: 1..SCN_MAX_FDS ("rods", "dishes");
	                           server: 0 (its fds are accepted clients) */
	int64_t every_ns;       /* non-blocking pause between tries, at least
	                           SCN_MIN_EVERY_NS; 0 = default */
	int chunk;              /* bytes per read, 1..SCN_MAX_CHUNK; 0 = the
	                           model's default */
	int drain;              /* edge-triggered: read until EAGAIN after each
	                           report; 1 yes, 0 no, -1 = the model's default */
	int low_fd;             /* the actor's fds are numbered >= low_fd,
	                           0..SCN_MAX_LOW_FD; 0 = wherever they fall */
	int sockbuf;            /* server: SO_SNDBUF and SO_RCVBUF asked for
	                           its sockets and its clients', bytes,
	                           SCN_MIN_SOCKBUF..SCN_MAX_SOCKBUF; 0 = the
	                           kernel's default */
	enum scn_serve serve;   /* server: SCN_SERVE_CHAT unless serve=echo */
	int workers;            /* server: worker threads, 1..SCN_MAX_WORKERS;
	                           0 = the model's default */
	int queue;              /* server: requests its queue holds,
	                           1..SCN_MAX_QUEUE; 0 = the model's default */
	int64_t work_ns;        /* server: scenario ns a request takes to
	                           handle before its answer,
	                           0..SCN_MAX_WORK_NS; 0 = none */
	char *label[2];         /* en, zh; "" when absent */
	int line, col;          /* where the actor was declared (for errors) */
	int model_col;          /* column of the model name */
};

/* "at TIME say for MODEL en|zh TEXT": the caption above it, as written
 * for a run that puts the actors on MODEL (--model, m). */
struct scn_variant {
	char *model;            /* a-z, 0-9, '-'; 1..32 chars */
	char *text[2];          /* en, zh */
	int line, model_col;    /* where it was written (for errors) */
};

struct scn_action {
	int64_t at_ns;          /* scenario time */
	enum scn_op op;
	int actor;              /* index into actors; -1 for SCN_SAY.  WRITE,
	                           CLOSE: a reader.  CONNECT: the server
	                           connected to; SEND, HANGUP, RESET: the server
	                           the client is connected to at that point */
	int client;             /* index into clients for CONNECT, SEND, HANGUP
	                           and RESET; -1 otherwise */
	int fd;                 /* WRITE, CLOSE: 0-based fd index within the
	                           actor; 0 otherwise */
	char *data;             /* WRITE, SEND: bytes, NUL-terminated;
	                           1..SCN_MAX_DATA of them */
	size_t len;
	char *text[2];          /* SCN_SAY */
	int nvariants;          /* SCN_SAY: its versions for other models, */
	struct scn_variant *variants;   /* each model once; NULL when none */
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
	int nclients;
	char *clients[SCN_MAX_CLIENTS];   /* "alice": a-z, 0-9, '_' ; 1..15
	                                     chars; unique; in order of first
	                                     connect.  Slots past nclients
	                                     are NULL, like actors past
	                                     nactors */
};

/* Parse text (len bytes, need not be NUL-terminated; at most SCN_MAX_FILE).
 * path is used in error messages and stored.  Returns 0 and *out, or
 * -EINVAL (or -ENOMEM) with cause set.  After success every char * in the
 * result is non-NULL ("" where unused) and actions is NULL when nactions is
 * 0.  The script is consistent: a client connects only while it is not
 * connected, and sends, hangs up or resets only while it is, so a player can
 * follow it without checks of its own.  Model names are not checked here
 * (see scn_check_models). */
int scn_parse(const char *path, const char *text, size_t len,
	      struct scn **out, char *cause, size_t causelen);

/* Read the file and parse it (through file_read_whole, trace/file.h).
 * Missing, unreadable, empty, binary (NUL bytes or invalid UTF-8) and
 * too-large files fail with a cause naming the file: -errno of open/read,
 * -EFBIG, -EISDIR, -EINVAL (also: not a regular file, such as a FIFO or a
 * device, refused without reading) or -ENOMEM. */
int scn_load(const char *path, struct scn **out, char *cause, size_t causelen);

/* Check every actor's model, and every model a caption is written for,
 * with known(name) (returns nonzero if the name is a model).  On the
 * first unknown one, returns -EINVAL with
 * "FILE:LINE:COL: unknown model 'x' (expected one of: ...)"; list is the
 * text after "expected one of: ". */
int scn_check_models(const struct scn *s, int (*known)(const char *name),
		     const char *list, char *cause, size_t causelen);

/* The caption's version for model, or NULL when the scenario gives none. */
const struct scn_variant *scn_variant_for(const struct scn_action *a, const char *model);

void scn_free(struct scn *s);

/* Time of the last action (0 when there are none). */
int64_t scn_duration(const struct scn *s);

#endif
