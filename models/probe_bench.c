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
	uint64_t pushed = ring_pushed(r);

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

struct bench {
	uv_loop_t loop;
	uv_async_t stop;
	pthread_t th;
	struct trace *t;
	struct sink *s;
	struct probe p;
	int sv[2];
};

struct samples {
	int64_t plain[ROUNDS], traced[ROUNDS], bare[ROUNDS], diff[ROUNDS], woke[ROUNDS];
};

static void measure(struct bench *b, struct samples *m)
{
	probe_attach(&b->p);
	for (int r = 0; r < ROUNDS; r++) {
		m->plain[r] = round_ns(b->sv[0], 0);
		settle(b->s, b->p.ring);
		m->traced[r] = round_ns(b->sv[0], 1);
		settle(b->s, b->p.ring);
		m->bare[r] = round_probe_only(false);
		settle(b->s, b->p.ring);
		m->woke[r] = round_probe_only(true);
		settle(b->s, b->p.ring);
		m->diff[r] = m->traced[r] - m->plain[r];
	}
	probe_attach(NULL);
}

static void report(FILE *out, struct samples *m, const struct trace *t)
{
	fprintf(out, "probe cost: recv() on an empty non-blocking AF_UNIX socket (EAGAIN),\n"
		"%d interleaved rounds of %d calls, medians:\n", ROUNDS, CALLS);
	fprintf(out, "  untraced recv          %6lld ns/call\n", (long long)median(m->plain, ROUNDS));
	fprintf(out, "  traced recv            %6lld ns/call\n", (long long)median(m->traced, ROUNDS));
	fprintf(out, "  added by tracing       %6lld ns/call (median of per-round differences)\n",
		(long long)median(m->diff, ROUNDS));
	fprintf(out, "  probe alone            %6lld ns/call (enter + exit events, no syscall)\n",
		(long long)median(m->bare, ROUNDS));
	fprintf(out, "  probe, waking the loop %6lld ns/call (as before a call that may block)\n",
		(long long)median(m->woke, ROUNDS));
	fprintf(out, "  events recorded        %zu, lost %llu\n", trace_count(t),
		(unsigned long long)trace_lost(t));
}

/* The loop on its own thread, the rounds, then the loop thread told to
 * close both handles and joined.  Owns b->stop: it is closed (or closing,
 * for the caller's last uv_run) when this returns.  0 or -errno. */
static int bench_run(struct bench *b, FILE *out)
{
	struct samples *m = malloc(sizeof *m);
	int rc;

	if (m == NULL) {
		uv_close((uv_handle_t *)&b->stop, NULL);
		return -ENOMEM;
	}
	if ((rc = pthread_create(&b->th, NULL, loop_main, &b->loop)) != 0) {
		uv_close((uv_handle_t *)&b->stop, NULL);
		free(m);
		return -rc;
	}
	measure(b, m);
	uv_async_send(&b->stop);
	pthread_join(b->th, NULL);
	report(out, m, b->t);
	free(m);
	return 0;
}

int bench_probe(FILE *out)
{
	struct bench b = { .sv = { -1, -1 } };
	int rc;

	if ((b.t = trace_new()) == NULL)
		return -ENOMEM;
	if ((rc = uv_loop_init(&b.loop)) != 0)
		goto fail_trace;
	if ((rc = sink_new(&b.loop, b.t, &b.s)) != 0)
		goto fail_loop;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, b.sv) != 0) {
		rc = -errno;
		goto fail_sink;
	}
	b.p = (struct probe){ .sink = b.s, .ring = sink_ring_new(b.s, 1), .actor = 1 };
	if (b.p.ring == NULL || trace_add_actor(b.t, "bench", "blocking", TRACE_CAP_PHASES, "", "") < 0) {
		rc = -ENOMEM;
		goto fail_pair;
	}
	if ((rc = sink_listen(b.s, count_cb, NULL)) != 0 ||
	    (rc = uv_async_init(&b.loop, &b.stop, stop_cb)) != 0)
		goto fail_pair;
	b.stop.data = b.s;
	rc = bench_run(&b, out);
	/* Whether it ran or not, the rest unwinds alike: the sink is closed
	 * already if the loop thread ran, and closing it again does nothing. */
fail_pair:
	close(b.sv[0]);
	close(b.sv[1]);
fail_sink:
	sink_close(b.s);
	uv_run(&b.loop, UV_RUN_DEFAULT);      /* the handles' close callbacks */
	sink_free(b.s);
fail_loop:
	if (uv_loop_close(&b.loop) != 0 && rc == 0)
		rc = -EBUSY;
fail_trace:
	trace_free(b.t);
	return rc;
}
