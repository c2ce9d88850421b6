/* tui_pause.c: when the live run's clock stood still, and what that does
 * to the durations on screen.  A call's duration is real time (the probes
 * time it around the syscall): a read that sleeps through a pause, or
 * through the learner's reading between two →, shows the pause in its
 * duration ("recvfrom 8.570 s" after a pause and an inject).  That is
 * true (the thread did sleep that long; the scenario's clock stopped, the
 * kernel did not), so the screen keeps the number and says so. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "live/run.h"
#include "view/narrate.h"
#include "tui/tui_int.h"

#define NPAUSES ((int)(sizeof ((struct tui *)0)->pauses / sizeof ((struct tui *)0)->pauses[0]))

void tui__pause_track(struct tui *u)
{
	bool stopped = u->run != NULL && !u->playing && !run_ended(u->run);
	int64_t now = trace_now();

	if (stopped == u->clock_stopped)
		return;
	u->clock_stopped = stopped;
	if (stopped) {
		if (u->npauses == NPAUSES) {          /* the oldest goes */
			memmove(u->pauses, u->pauses + 1, sizeof u->pauses - sizeof u->pauses[0]);
			u->npauses--;
		}
		u->pauses[u->npauses][0] = now;
		u->pauses[u->npauses++][1] = INT64_MAX;
	} else if (u->npauses > 0) {
		u->pauses[u->npauses - 1][1] = now;
	}
}

/* How much of [from, to) the clock stood still. */
static int64_t paused_within(const struct tui *u, int64_t from, int64_t to)
{
	int64_t sum = 0;

	for (int i = 0; i < u->npauses; i++) {
		int64_t a = u->pauses[i][0] > from ? u->pauses[i][0] : from;
		int64_t b = u->pauses[i][1] < to ? u->pauses[i][1] : to;

		sum += b > a ? b - a : 0;
	}
	return sum;
}

/* A call that returns after sleeping through a pause shows its real
 * duration, the pause included ("recvfrom 8.570 s" after a pause and an
 * inject): the clock stops, the kernel does not.  Say so, once per run
 * (stepping, nearly every call spans a pause: the key bar would never
 * show the keys) and after each inject. */
void tui__note_paused_call(struct tui *u, struct trace *t, const struct trace_ev *ev)
{
	char d[32], p[32], msg[160];
	const char *call = trace_call_name(ev->call);
	int64_t in;
	size_t n = strlen(u->note);

	if (u->pause_noted || ev->kind != TRACE_EXIT || call == NULL || ev->dur_ns <= 0 ||
	    ev->t_ns < ev->dur_ns)
		return;
	in = paused_within(u, ev->t_ns - ev->dur_ns, ev->t_ns);
	if (in < 100000000)                          /* under 0.1 s: not worth a word */
		return;
	narrate_dur(ev->dur_ns, d, sizeof d);
	narrate_dur(in, p, sizeof p);
	snprintf(msg, sizeof msg, LANG_PICK(u->lang, "%s's %s %s: %s of it paused (durations are real time)",
				    "%s 的 %s %s：其中 %s 是暂停（时长都是真实时间）"),
		 trace_hdr(t)->actors[ev->actor].name, call, d, p);
	u->pause_noted = true;
	if (n > 0 && n + 4 < sizeof u->note)
		snprintf(u->note + n, sizeof u->note - n, " · %s", msg);
	else
		snprintf(u->note, sizeof u->note, "%s", msg);
}
