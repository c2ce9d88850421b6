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

#include "view/narrate.h"
#include "tui/tui_pause.h"

void tui_pauses_reset(struct tui_pauses *p)
{
	memset(p, 0, sizeof *p);
}

void tui_pauses_track(struct tui_pauses *p, bool stopped, int64_t now)
{

	if (stopped == p->stopped)
		return;
	p->stopped = stopped;
	if (stopped) {
		if (p->n == TUI_PAUSES) {             /* the oldest goes */
			memmove(p->at, p->at + 1, sizeof p->at - sizeof p->at[0]);
			p->n--;
		}
		p->at[p->n][0] = now;
		p->at[p->n++][1] = INT64_MAX;
	} else if (p->n > 0) {
		p->at[p->n - 1][1] = now;
	}
}

/* How much of [from, to) the clock stood still. */
static int64_t paused_within(const struct tui_pauses *p, int64_t from, int64_t to)
{
	int64_t sum = 0;

	for (int i = 0; i < p->n; i++) {
		int64_t a = p->at[i][0] > from ? p->at[i][0] : from;
		int64_t b = p->at[i][1] < to ? p->at[i][1] : to;

		sum += b > a ? b - a : 0;
	}
	return sum;
}

/* A call that returns after sleeping through a pause shows its real
 * duration, the pause included ("recvfrom 8.570 s" after a pause and an
 * inject): the clock stops, the kernel does not.  Say so, once per run
 * (stepping, nearly every call spans a pause: the key bar would never
 * show the keys) and after each inject. */
void tui_pauses_note(struct tui_pauses *p, const struct trace *t, const struct trace_ev *ev,
		     enum lang lang, char *note, size_t len)
{
	char d[32], ps[32], msg[160];
	const char *call = trace_call_name(ev->call);
	int64_t in;
	size_t n = strlen(note);

	if (p->noted || ev->kind != TRACE_EXIT || call == NULL || ev->dur_ns <= 0 ||
	    ev->t_ns < ev->dur_ns)
		return;
	in = paused_within(p, ev->t_ns - ev->dur_ns, ev->t_ns);
	if (in < 100000000)                          /* under 0.1 s: not worth a word */
		return;
	narrate_dur(ev->dur_ns, d, sizeof d);
	narrate_dur(in, ps, sizeof ps);
	snprintf(msg, sizeof msg, LANG_PICK(lang, "%s's %s %s: %s of it paused (durations are real time)",
					    "%s 的 %s %s：其中 %s 是暂停（时长都是真实时间）"),
		 trace_hdr_c(t)->actors[ev->actor].name, call, d, ps);
	p->noted = true;
	if (n > 0 && n + 4 < len)
		snprintf(note + n, len - n, " · %s", msg);
	else
		snprintf(note, len, "%s", msg);
}
