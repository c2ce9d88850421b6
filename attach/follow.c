/* follow.c: (being written: issue 15; this stub shows nothing). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "attach/follow.h"

struct follow {
	struct sink *sink;
	int parent;
	struct follow_stats st;
};

int follow_new(struct sink *s, int parent, struct follow **out)
{
	struct follow *f = calloc(1, sizeof *f);

	if (f == NULL)
		return -ENOMEM;
	f->sink = s;
	f->parent = parent;
	*out = f;
	return 0;
}

void follow_free(struct follow *f) { free(f); }

void follow_stats(const struct follow *f, struct follow_stats *out) { *out = f->st; }

static void f_thread(void *arg, pid_t tid, pid_t pid, pid_t creator, int64_t t) { (void)arg; (void)tid; (void)pid; (void)creator; (void)t; }
static void f_gone(void *arg, pid_t tid, int status, int64_t t) { (void)arg; (void)tid; (void)status; (void)t; }
static void f_exec(void *arg, pid_t pid, pid_t former, int64_t t) { (void)arg; (void)pid; (void)former; (void)t; }
static void f_sys(void *arg, const struct attach_sys *s) { ((struct follow *)arg)->st.stops++; (void)s; }
static void f_signal(void *arg, pid_t tid, int sig, int si_fd, int64_t t) { (void)arg; (void)tid; (void)sig; (void)si_fd; (void)t; }

const struct attach_ops follow_ops = {
	.thread = f_thread, .gone = f_gone, .exec = f_exec, .sys = f_sys, .signal = f_signal,
};
