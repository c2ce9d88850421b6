/* exercise.h: `ioscope exercise`, rustlings for IO: a learner's own server
 * is started under attach (run.h), scripted clients play against it on
 * real loopback sockets, and each expectation of the exercise is checked
 * from the clients' results and the trace of the run.
 *
 * Call order (cli/exercise.c): ex_find -> run_open/run_start with the
 * program -> ex_play on a thread of its own (it waits for the port, then
 * plays the exercise's clients; every wait has a deadline) -> run_close
 * once the trace holds what the program did -> ex_check over the results
 * and the trace -> print each verdict.
 *
 * The three parts split in files: exercise.c (the table and the checks
 * that read the clients' results), exercise_trace.c (the checks that read
 * the trace), exercise_play.c (the clients).  Library code: nothing here
 * prints or exits.
 */
#ifndef IOSCOPE_EXERCISE_H
#define IOSCOPE_EXERCISE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct trace;

/* What an exercise expects; an exercise's expects holds 1u << each. */
enum ex_expect {
	EX_REPLIES = 0,     /* every reply correct */
	EX_MODEL_BLOCKING,  /* the model seen is blocking */
	EX_MODEL_SELECT,    /* select (pselect6) seen */
	EX_MODEL_READY,     /* a readiness model (epoll asked; say which) */
	EX_CONCURRENT,      /* no client waited while the server slept on another */
	EX_BROADCAST,       /* a line reaches every other connected client */
	EX_NOT_SENDER,      /* ... and not its sender */
	EX_LEAVE,           /* a client that leaves does not break the others */
	EX_NO_LOSS,         /* the slow reader got every byte back */
	EX_WRITES,          /* no write that slept */
	EX_MAX
};

/* The clients an exercise plays (exercise_play.c). */
enum ex_script {
	EX_SCRIPT_ECHO_SEQ,    /* one client after another, a slow one, one that leaves */
	EX_SCRIPT_ECHO_CONC,   /* an idle client while another is served; four at once */
	EX_SCRIPT_CHAT,        /* three talk, one leaves, one joins */
	EX_SCRIPT_SLOW_READER, /* megabytes echoed to a client that does not read for 1.5 s */
	EX_SCRIPT_MAX
};

struct ex_def {
	const char *name;       /* "echo-epoll" */
	const char *summary[2]; /* one line, en and zh */
	int script;             /* enum ex_script */
	unsigned expects;       /* 1u << enum ex_expect */
	const char *starter;    /* lessons/exercises/STARTER.py and .c */
};

/* The exercises, in teaching order: the i-th, or NULL past the last. */
const struct ex_def *ex_at(int i);
const struct ex_def *ex_find(const char *name);

/* ---- what the clients saw (exercise_play.c fills it) ---- */

#define EX_MAX_CONNS 32
#define EX_MAX_WAITS 8
#define EX_TEXT 64

/* A client waited for its reply while another client was connected. */
struct ex_wait {
	int client, other;      /* numbers, from 1; other: the one in the way */
	int64_t from_ns, to_ns; /* CLOCK_MONOTONIC: sent, replied or gave up */
	bool late;              /* no reply within the limit */
};

/* One reply that was not right: the first is kept.  For a broadcast,
 * client is the one that did not get sent. */
struct ex_miss {
	int client;             /* 0: none */
	char sent[EX_TEXT];     /* what it sent (or the line it waited for) */
	char got[EX_TEXT];      /* what came back, "" for nothing */
	int64_t waited_ns;      /* how long it waited */
	bool closed;            /* the server closed the connection */
};

enum ex_fail {
	EX_OK = 0,
	EX_ERR_EXITED,          /* the program ended before its port accepted */
	EX_ERR_NO_LISTEN,       /* the port never accepted (10 s) */
	EX_ERR_STOPPED,         /* the play was told to stop */
	EX_ERR_CLIENT           /* a client's own call failed: err says which */
};

struct ex_result {
	int fail;               /* enum ex_fail */
	int err;                /* -errno of EX_ERR_CLIENT */
	int64_t listen_ns;      /* how long the port took to accept */
	/* Connections made, in the order connect() succeeded: the server's
	 * accepts return them in that order.  0 is the port check's. */
	int conns;
	int conn_client[EX_MAX_CONNS];
	int replies, replies_ok;
	struct ex_miss miss;
	int nwaits;
	struct ex_wait waits[EX_MAX_WAITS];
	/* chat */
	int bcast, bcast_ok;    /* deliveries due, made */
	struct ex_miss bcast_miss;
	int echoed;             /* lines that came back to their sender */
	struct ex_miss echo_miss;
	int after_leave, after_leave_ok;   /* deliveries due after one left */
	int leaver;             /* the client that left */
	/* slow reader */
	int slow_client;
	size_t slow_total, slow_sent, slow_back;
	size_t slow_bad_at;     /* first byte that differs, or SIZE_MAX */
};

struct ex_play {
	int port;
	const struct ex_def *def;
	/* Set by another thread: the program is gone (stop waiting for the
	 * port), or stop altogether. */
	atomic_bool *ended, *stop;
	int64_t listen_limit_ns;   /* 0: 10 s */
};

/* Wait for 127.0.0.1:port to accept, then play def's clients, filling
 * *res (zeroed first).  Blocks for a few seconds; any thread.  Returns 0
 * when the play ran to its end (res says how the server did), or the
 * failure (-ECHILD exited, -ETIMEDOUT never listened, -ECANCELED
 * stopped, -errno a client's own call), also in res->fail. */
int ex_play(const struct ex_play *p, struct ex_result *res);

/* ---- the verdicts (exercise.c, exercise_trace.c) ---- */

#define EX_LINE 240

struct ex_verdict {
	int expect;             /* enum ex_expect */
	bool pass;
	char line[EX_LINE];     /* "every reply correct (12 of 12)" */
	char evidence[2][EX_LINE];   /* up to two lines of evidence, "" for none */
};

/* Each expectation of def, judged from res and the trace t of the run
 * (NULL: none, the trace's expectations fail saying so), in lang
 * (enum lang).  mono_to_trace: add to a CLOCK_MONOTONIC time (res's) to
 * get the trace's time (run_now - trace_mono_ns, read together).
 * Returns how many verdicts were written to out (at most n). */
int ex_check(const struct ex_def *def, const struct ex_result *res,
	     const struct trace *t, int64_t mono_to_trace, int lang,
	     struct ex_verdict *out, int n);

/* exercise_trace.c: one expectation that reads the trace. */
void ex__check_trace(int expect, const struct ex_result *res, const struct trace *t,
		     int64_t mono_to_trace, int lang, struct ex_verdict *v);

#endif
