/* stamped_reads.h: the reads that got bytes of one actor of a trace, with
 * the times their phases ended, for the tests of the servers whose
 * blocking reads carry the kernel's arrival stamp (recvmsg,
 * models/srv.h srv_recv_stamped).
 *
 * Found by time, not by order: the sink sorts by t_ns, and a phase edge
 * may share its enter's nanosecond.  A read's own edges lie between its
 * enter (exit t_ns - dur_ns) and its exit; the previous read's end
 * before its wait began.  Header-only: each test links on its own. */
#ifndef IOSCOPE_TESTS_STAMPED_READS_H
#define IOSCOPE_TESTS_STAMPED_READS_H

#include <stdint.h>

#include "trace/trace.h"

struct sread {
	int64_t enter, wait_end, copy_end, exit, ret;
};

/* At most max reads of actor with bytes into out, in exit order; edges
 * not found are -1.  Returns how many. */
static inline int sreads_of(const struct trace *t, int actor, struct sread *out, int max)
{
	int n = 0;

	for (size_t i = 0; i < trace_count(t) && n < max; i++) {
		const struct trace_ev *x = trace_at(t, i);
		struct sread r;

		if (x->actor != actor || x->kind != TRACE_EXIT || x->call != TRACE_CALL_RECVMSG ||
		    x->ret <= 0)
			continue;
		r = (struct sread){ .enter = x->t_ns - x->dur_ns, .wait_end = -1, .copy_end = -1,
				    .exit = x->t_ns, .ret = x->ret };
		for (size_t k = 0; k < trace_count(t); k++) {
			const struct trace_ev *e = trace_at(t, k);

			if (e->actor != actor || e->kind != TRACE_PHASE || !(e->flags & TRACE_F_END) ||
			    e->fd != x->fd || e->t_ns < r.enter || e->t_ns > r.exit)
				continue;
			if (e->phase == TRACE_PH_WAIT)
				r.wait_end = e->t_ns;
			else if (e->phase == TRACE_PH_COPY)
				r.copy_end = e->t_ns;
		}
		out[n++] = r;
	}
	return n;
}

#endif
