/* bench_trace_pty.c: `ioscope bench --trace`'s replay in a real terminal:
 * ioscope replay FILE --paused on a pseudo-terminal of BT_W x BT_H, its
 * first frame waited for by the key bar's last word, then each key sent
 * once the previous key's frame has come whole (never two keys in one
 * read of the replay's: each its own frame), and the figures of its
 * IOSCOPE_STATS=1 line. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/bench_trace.h"

struct pty {
	int fd;                             /* the terminal's master side */
	char tail[8];                       /* the last bytes read: a word */
	size_t ntail;                       /* cut between two reads is found */
};

/* want in buf[0..n), followed by ESC or a space: the key bar's last word,
 * not the same letters inside a longer one ("helper"). */
static bool has_word(const char *buf, size_t n, const char *want)
{
	size_t k = strlen(want);

	for (const char *p = buf; (p = memmem(p, n - (size_t)(p - buf), want, k)) != NULL; p++)
		if ((size_t)(p - buf) + k < n && (p[k] == '\033' || p[k] == ' '))
			return true;
	return false;
}

/* Read what the replay draws until want (NULL: any byte) has come: 1; 0
 * at the deadline; -EIO when the replay closed its terminal (it ended);
 * -EINTR at a stop. */
static int pty_wait(struct pty *p, const char *want, double deadline)
{
	char buf[4096 + sizeof p->tail];

	for (;;) {
		int rc = bt__pause_until(p->fd, deadline);
		ssize_t n;

		if (rc == -EINTR && !bt__stop)
			continue;                   /* SIGCHLD: the end is read as EIO */
		if (rc <= 0)
			return rc;
		memcpy(buf, p->tail, p->ntail);
		if ((n = read(p->fd, buf + p->ntail, sizeof buf - p->ntail)) < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EIO;
		n += (ssize_t)p->ntail;
		p->ntail = (size_t)n < sizeof p->tail ? (size_t)n : sizeof p->tail;
		memcpy(p->tail, buf + n - (ssize_t)p->ntail, p->ntail);
		if (want == NULL || has_word(buf, (size_t)n, want))
			return 1;
	}
}

/* The rest of a frame: curses writes one in a few writes, a millisecond
 * apart at most, and a paused replay draws nothing unasked, so BT_SETTLE_MS
 * without output ends it.  Without this wait the next key could come
 * between two writes of a frame, be read with the one before it, and
 * share its frame.  1, or as pty_wait. */
static int pty_settle(struct pty *p, double deadline)
{
	char buf[4096];
	int rc;

	while ((rc = bt__pause_until(p->fd, bt__mono_s() + BT_SETTLE_MS / 1e3)) != 0) {
		ssize_t n;

		if (rc == -EINTR && !bt__stop)
			continue;
		if (rc < 0)
			return rc;
		if ((n = read(p->fd, buf, sizeof buf)) <= 0 && !(n < 0 && errno == EINTR))
			return -EIO;
		if (bt__mono_s() > deadline)
			return 0;
	}
	return 1;
}

/* The keys, as xterm sends them with the keypad in application mode
 * (curses asks for it): End, Home, g, the middle step and Enter (when the
 * trace has steps), →, ←.  Returns how many, names in name[]. */
static int replay_keys(int32_t steps, char keys[][8], const char *name[])
{
	char digits[16];
	int n = 0;

	name[n] = "End"; strcpy(keys[n++], "\033OF");
	name[n] = "Home"; strcpy(keys[n++], "\033OH");
	if (steps > 0) {
		name[n] = "g"; strcpy(keys[n++], "g");
		snprintf(digits, sizeof digits, "%d", steps / 2 + 1);
		for (const char *d = digits; *d != '\0'; d++) {
			name[n] = "a digit of the step";
			keys[n][0] = *d;
			keys[n++][1] = '\0';
		}
		name[n] = "Enter"; strcpy(keys[n++], "\r");
	}
	name[n] = "→"; strcpy(keys[n++], "\033OC");
	name[n] = "←"; strcpy(keys[n++], "\033OD");
	return n;
}

/* The first frame, each key's frame, then q and the replay's end.  Returns
 * as pty_wait, *what naming what did not come. */
static int replay_drive(struct pty *p, int32_t steps, const char **what)
{
	char keys[24][8];
	const char *name[24];
	int n = replay_keys(steps, keys, name), rc;

	*what = "the first frame";
	if ((rc = pty_wait(p, " help", bt__mono_s() + BT_CAP_S)) != 1 ||
	    (rc = pty_settle(p, bt__mono_s() + BT_CAP_S)) != 1)
		return rc;
	for (int i = 0; i < n; i++) {
		*what = name[i];
		if (write(p->fd, keys[i], strlen(keys[i])) < 0)
			return -EIO;
		if ((rc = pty_wait(p, NULL, bt__mono_s() + BT_CAP_S)) != 1 ||
		    (rc = pty_settle(p, bt__mono_s() + BT_CAP_S)) != 1)
			return rc;
	}
	*what = "the end after q";
	if (write(p->fd, "q", 1) < 0)
		return -EIO;
	while ((rc = pty_wait(p, NULL, bt__mono_s() + BT_CAP_S)) == 1)
		;
	return rc == -EIO ? 1 : rc;
}

/* A figure of IOSCOPE_STATS's line: the number after key, or NAN. */
static double stat_field(const char *line, const char *key)
{
	const char *p = strstr(line, key);
	char *end;
	double v;

	if (p == NULL)
		return NAN;
	p += strlen(key);
	v = strtod(p, &end);
	return end == p ? NAN : v;
}

/* "ioscope stats: 200x50, 9 frames, median 1280 µs, 90th ... µs, max ...
 * µs, key max 7000 µs, first frame 14.0 ms after start" ("key max -", read
 * as not measured, when no key was shown). */
static void replay_stats(const struct bt_bench *b, struct bt_row *row)
{
	char buf[8192];
	FILE *f = fopen(b->err, "r");
	size_t n = f != NULL ? fread(buf, 1, sizeof buf - 1, f) : 0;
	const char *line;

	if (f != NULL)
		fclose(f);
	buf[n] = '\0';
	if ((line = strstr(buf, "ioscope stats:")) == NULL) {
		bt__note(row, "replay: no IOSCOPE_STATS line");
		return;
	}
	row->median_us = stat_field(line, "median ");
	row->keymax_us = stat_field(line, "key max ");
	row->first_ms = stat_field(line, "first frame ");
}

/* The child: its terminal is the pty, its standard error the file. */
static void replay_exec(const struct bt_bench *b)
{
	char *argv[] = { "ioscope", "replay", (char *)b->file, "--paused", "--lang", "en", NULL };

	bt__child_stderr(b->err);
	setenv("TERM", "xterm-256color", 1);
	setenv("IOSCOPE_STATS", "1", 1);
	unsetenv("LINES");                  /* curses would take them over the pty's size */
	unsetenv("COLUMNS");
	execv(BT_SELF, argv);
	_exit(127);
}

int bt__replay(const struct bt_bench *b, int32_t steps, struct bt_row *row)
{
	struct winsize ws = { .ws_row = BT_H, .ws_col = BT_W };
	struct pty p = { .fd = -1 };
	struct bt_ran r = { .secs = NAN, .mb = NAN };
	const char *what = "";
	double t0 = bt__mono_s();
	pid_t pid = forkpty(&p.fd, NULL, NULL, &ws);
	int rc;

	if (pid < 0) {
		bt__note(row, "replay: no pseudo-terminal: %s", strerror(errno));
		return 0;
	}
	if (pid == 0)
		replay_exec(b);
	rc = replay_drive(&p, steps, &what);
	if (rc == 0)
		kill(pid, SIGKILL);             /* it hangs: at a stop, bt__reap kills */
	if (bt__reap(pid, t0, bt__mono_s() + BT_CAP_S, &r) == -EINTR || rc == -EINTR) {
		close(p.fd);
		return -EINTR;
	}
	close(p.fd);
	if (rc == 0) {
		bt__note(row, "replay: killed after %d s waiting for %s", BT_CAP_S, what);
		if (strcmp(what, "the first frame") == 0)
			row->first_ms = INFINITY;
		else if (strcmp(what, "the end after q") != 0)
			row->keymax_us = INFINITY;
	} else if (rc < 0 && bt__ran_ok(b, &r, "replay", row)) {
		bt__note(row, "replay: ended before %s", what);
	} else if (rc == 1 && bt__ran_ok(b, &r, "replay", row)) {
		row->rss_mb = r.mb;
		replay_stats(b, row);
	}
	return 0;
}

