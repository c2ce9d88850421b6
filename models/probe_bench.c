/* probe_bench.c: the cost of tracing one call.
 *
 * The same recv(2) on an empty non-blocking socket (it returns EAGAIN at
 * once, the cheapest real syscall a model makes) is timed untraced and
 * through the probe, in interleaved rounds so that noise from the rest of
 * the machine falls on both alike.  A libuv loop on its own thread drains
 * the ring as in a real run, so the cost of waking it is counted too.
 */
#include <errno.h>
#include <stdbool.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include "models/probe_bench.h"
#include "models/probe.h"
#include "view/narrate.h"
#include "trace/sink.h"

#define ROUNDS 31
#define CALLS  1000            /* per round: 2000 events, under half the ring */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int64_t median(int64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_i64);
	return v[n / 2];
}

/* Events the loop thread has appended to the trace, counted by a listener
 * there: the consumer's work is over when it has appended all we pushed. */
static _Atomic uint64_t appended;

static void count_cb(void *arg, struct trace *t, const struct trace_ev *ev)
{
	(void)arg;
	(void)t;
	(void)ev;
	atomic_fetch_add(&appended, 1);
}

/* Off the clock: wake the loop thread and let it finish every event so far,
 * so that its work never overlaps a timed round. */
static void settle(struct sink *s, struct ring *r)
{
	uint64_t pushed = atomic_load(&r->head);

	sink_wake(s);
	for (int i = 0; i < 10000000 && atomic_load(&appended) < pushed; i++)
		sched_yield();
}

/* ns per call for one round. */
static int64_t round_ns(int fd, int traced)
{
	char buf[16];
	int64_t t0 = trace_mono_ns();

	for (int i = 0; i < CALLS; i++) {
		if (traced)
			probe_recv(fd, buf, sizeof buf, MSG_DONTWAIT, false, 0);
		else
			recv(fd, buf, sizeof buf, MSG_DONTWAIT);
	}
	return (trace_mono_ns() - t0) / CALLS;
}

/* The probe alone: enter and exit around nothing. */
static int64_t round_probe_only(bool wake)
{
	int64_t t0 = trace_mono_ns();

	for (int i = 0; i < CALLS; i++) {
		int64_t t = probe_enter(TRACE_CALL_RECVFROM, 3, wake);

		probe_exit(TRACE_CALL_RECVFROM, 3, -1, EAGAIN, t, 0);
	}
	return (trace_mono_ns() - t0) / CALLS;
}

static void *loop_main(void *arg)
{
	uv_run(arg, UV_RUN_DEFAULT);
	return NULL;
}

/* On the loop thread: drain what is left, close both handles, so the
 * loop runs out of work and its thread ends. */
static void stop_cb(uv_async_t *h)
{
	sink_close(h->data);
	uv_close((uv_handle_t *)h, NULL);
}

int bench_probe(FILE *out)
{
	int64_t plain[ROUNDS], traced[ROUNDS], bare[ROUNDS], diff[ROUNDS], woke[ROUNDS];
	struct trace *t = trace_new();
	struct sink *s = NULL;
	struct probe p = { 0 };
	uv_loop_t loop;
	uv_async_t stop;
	pthread_t th;
	int sv[2], rc;

	if (t == NULL || uv_loop_init(&loop) != 0)
		return -ENOMEM;
	if ((rc = sink_new(&loop, t, &s)) != 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return rc ? rc : -errno;
	trace_add_actor(t, "bench", "blocking", "", "");
	p = (struct probe){ .sink = s, .ring = sink_ring_new(s, 1), .actor = 1 };
	sink_listen(s, count_cb, NULL);
	uv_async_init(&loop, &stop, stop_cb);
	if (pthread_create(&th, NULL, loop_main, &loop) != 0)
		return -EAGAIN;
	probe_attach(&p);
	for (int r = 0; r < ROUNDS; r++) {
		plain[r] = round_ns(sv[0], 0);
		settle(s, p.ring);
		traced[r] = round_ns(sv[0], 1);
		settle(s, p.ring);
		bare[r] = round_probe_only(false);
		settle(s, p.ring);
		woke[r] = round_probe_only(true);
		settle(s, p.ring);
		diff[r] = traced[r] - plain[r];
	}
	probe_attach(NULL);
	stop.data = s;
	uv_async_send(&stop);
	pthread_join(th, NULL);
	fprintf(out, "probe cost: recv() on an empty non-blocking AF_UNIX socket (EAGAIN),\n"
		"%d interleaved rounds of %d calls, medians:\n", ROUNDS, CALLS);
	fprintf(out, "  untraced recv          %6lld ns/call\n", (long long)median(plain, ROUNDS));
	fprintf(out, "  traced recv            %6lld ns/call\n", (long long)median(traced, ROUNDS));
	fprintf(out, "  added by tracing       %6lld ns/call (median of per-round differences)\n",
		(long long)median(diff, ROUNDS));
	fprintf(out, "  probe alone            %6lld ns/call (enter + exit events, no syscall)\n",
		(long long)median(bare, ROUNDS));
	fprintf(out, "  probe, waking the loop %6lld ns/call (as before a call that may block)\n",
		(long long)median(woke, ROUNDS));
	fprintf(out, "  events recorded        %zu, lost %llu\n", trace_count(t),
		(unsigned long long)trace_lost(t));
	uv_loop_close(&loop);
	sink_free(s);
	trace_free(t);
	close(sv[0]);
	close(sv[1]);
	return 0;
}
