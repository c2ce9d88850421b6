/* bench_trace.h: `ioscope bench --trace`, shared by its three files:
 * bench_trace.c measures (each figure in a process of its own),
 * bench_trace_pty.c drives the replay in a pseudo-terminal, and
 * bench_trace_out.c reads --events and writes the table or the CSV.
 *
 * A figure is a number; NAN when it was not measured (the table's "-"),
 * INFINITY when its process passed BT_CAP_S and was killed (">120"). */
#ifndef IOSCOPE_CLI_BENCH_TRACE_H
#define IOSCOPE_CLI_BENCH_TRACE_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "trace/trace.h"

#define BT_MAX_SIZES   8
/* From a thousand events (three repetitions of fishing, 50 steps) every
 * key the replay is sent changes its screen, so each one's frame comes. */
#define BT_MIN_EVENTS  1000
#define BT_MAX_EVENTS  2000000
#define BT_DEFAULT     "1000,10000,100000,1000000"
#define BT_CAP_S       120       /* seconds any one process may take */
#define BT_W           200       /* the replay's terminal */
#define BT_H           50
#define BT_SETTLE_MS   50        /* silence that ends a frame (bench_trace_pty.c) */

enum { BT_TEXT, BT_CAST, BT_CHROME, BT_NEXPORTS };

struct bt_row {
	size_t events;
	double file_mb;
	double load_s, jq_s, load_mb;         /* ioscope check; jq -c . */
	double rss_mb, first_ms, median_us, keymax_us;   /* the replay */
	double export_s[BT_NEXPORTS], export_mb;         /* the largest peak */
	char note[512];                       /* what went wrong, "; " between */
};

/* ---- between bench_trace.c and bench_trace_pty.c ---- */

#define BT_SELF "/proc/self/exe"    /* this binary, run again */

struct bt_bench {
	struct trace *src;                  /* the shipped fishing recording */
	char dir[PATH_MAX];                 /* our folder, removed at the end */
	char file[PATH_MAX + 32];           /* the trace of the size measured */
	char err[PATH_MAX + 32];            /* a child's standard error */
	bool jq;                            /* jq is on PATH */
	size_t capped_at[BT_NEXPORTS];      /* an export passed the cap at this
	                                       many events (0: never) */
};

/* What one process did. */
struct bt_ran {
	double secs, mb;                    /* start to end; peak memory */
	int status;                         /* wait4's */
	bool capped;                        /* killed at the cap */
};

/* SIGINT, SIGTERM or SIGHUP asked us to stop (the signal); the mask the
 * bench found, which children get back and ppoll opens. */
extern volatile sig_atomic_t bt__stop;
extern sigset_t bt__orig;

double bt__mono_s(void);
/* In a child about to exec: the signal mask the bench found, and stderr
 * into the file err (truncated); _exit(127) when it cannot. */
void bt__child_stderr(const char *err);
/* Sleep until fd (or none: -1) is readable, a signal comes or deadline
 * (on bt__mono_s's clock): 1, -EINTR, 0 at the deadline, or -errno. */
int bt__pause_until(int fd, double deadline);
/* Wait for pid until it ends, or kill it at the deadline or a stop; fills
 * r (secs from t0).  Returns 0, or -EINTR at a stop. */
int bt__reap(pid_t pid, double t0, double deadline, struct bt_ran *r);
/* Add to the row's note (after "; "). */
void bt__note(struct bt_row *row, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Whether r ended well (exit 0); if not, why in the row's note, what
 * first, with the first line of the child's standard error. */
bool bt__ran_ok(const struct bt_bench *b, const struct bt_ran *r, const char *what,
		struct bt_row *row);
/* ioscope replay FILE on a pseudo-terminal: the row's replay figures, or
 * why not in its note.  Returns 0, or -EINTR at a stop. */
int bt__replay(const struct bt_bench *b, int32_t steps, struct bt_row *row);

/* The export formats by BT_*, as --format names them. */
extern const char *const bt_format[BT_NEXPORTS];

/* --events: a comma-separated list of BT_MIN_EVENTS .. BT_MAX_EVENTS, at most max of
 * them.  Returns how many, or -EINVAL with a one-line cause. */
int bt_parse_events(const char *s, size_t *out, int max, char *cause, size_t len);

/* The rows as a table with its legend and notes, or as CSV. */
void bt_put_table(FILE *out, const struct bt_row *rows, int n, double secs);
void bt_put_csv(FILE *out, const struct bt_row *rows, int n);

#endif
