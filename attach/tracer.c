/* tracer.c: the tracer thread's life (tracer.h): started, asked to stop,
 * joined.  The wait loop is tracer_loop.c.
 *
 * Waking the tracer thread out of waitpid: tracer_stop sets a request
 * and sends the thread TR_WAKE_SIG, whose handler does nothing and is
 * installed without SA_RESTART, so waitpid returns EINTR.  A signal sent
 * just before the thread enters waitpid would be lost, so the signal is
 * sent again every few milliseconds until the thread says it saw the
 * request (ack). */
/* sys.h first: its si_fd parameter would meet <signal.h>'s si_fd macro. */
#include "attach/tracer_int.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "trace/sink.h"
#include "trace/trace.h"

/* Clear of models/sigio.c's SIGRTMIN+2 and MODEL_WAKE_SIGNAL (+4). */
#define TR_WAKE_SIG (SIGRTMIN + 5)
#define TR_WAKE_EVERY_MS 5

static pthread_once_t wake_once = PTHREAD_ONCE_INIT;

static void wake_cb(int sig)
{
	(void)sig;                  /* only to end waitpid with EINTR */
}

static void wake_install(void)
{
	struct sigaction sa = { .sa_handler = wake_cb };

	sigemptyset(&sa.sa_mask);
	sigaction(TR_WAKE_SIG, &sa, NULL);
}

int64_t tracer__now(const struct tracer *t)
{
	return t->o.sink != NULL ? sink_now(t->o.sink) : trace_mono_ns();
}

void tracer__start_done(struct tracer *t, int rc, const char *cause)
{
	pthread_mutex_lock(&t->mu);
	t->start_done = true;
	t->start_rc = rc;
	snprintf(t->cause, sizeof t->cause, "%s", cause != NULL ? cause : "");
	pthread_cond_broadcast(&t->cv);
	pthread_mutex_unlock(&t->mu);
}

int tracer__request(struct tracer *t)
{
	int req;

	pthread_mutex_lock(&t->mu);
	req = t->req;
	if (t->ack != req) {
		t->ack = req;
		pthread_cond_broadcast(&t->cv);
	}
	pthread_mutex_unlock(&t->mu);
	return req;
}

/* The tracer thread blocks every signal but its wake-up (and those a
 * fault raises), so a program-wide signal goes to another thread. */
static void thread_signals(void)
{
	sigset_t set;

	sigfillset(&set);
	sigdelset(&set, TR_WAKE_SIG);
	sigdelset(&set, SIGSEGV);
	sigdelset(&set, SIGBUS);
	sigdelset(&set, SIGFPE);
	sigdelset(&set, SIGILL);
	pthread_sigmask(SIG_SETMASK, &set, NULL);
}

/* Nothing left to trace: say so, then wait for tracer_stop. */
static void thread_idle(struct tracer *t)
{
	pthread_mutex_lock(&t->mu);
	t->done = true;
	pthread_cond_broadcast(&t->cv);
	while (t->req == TR_REQ_NONE)
		pthread_cond_wait(&t->cv, &t->mu);
	t->ack = t->req;
	pthread_cond_broadcast(&t->cv);
	pthread_mutex_unlock(&t->mu);
}

/* The thread's last act: no request is waited for after it. */
static void thread_exit(struct tracer *t)
{
	pthread_mutex_lock(&t->mu);
	t->exited = true;
	pthread_cond_broadcast(&t->cv);
	pthread_mutex_unlock(&t->mu);
}

static void *thread_main(void *arg)
{
	struct tracer *t = arg;
	char cause[256] = "";
	int rc;

	thread_signals();
	t->overhead_ns = tracer__measure(t->seccomp);
	rc = t->attached ? tracer__seize(t, cause, sizeof cause)
			 : tracer__spawn(t, cause, sizeof cause);
	if (rc != 0) {
		tracer__start_done(t, rc, cause);
		thread_idle(t);
		thread_exit(t);
		return NULL;
	}
	if (t->attached)
		tracer__start_done(t, 0, "");
	/* A started program's start is told from the loop, at its exec. */
	tracer__loop(t);
	thread_idle(t);
	thread_exit(t);
	return NULL;
}

static int tracer_new(const struct tracer_opts *o, struct tracer **out)
{
	struct tracer *t = calloc(1, sizeof *t);

	if (t == NULL)
		return -ENOMEM;
	t->o = *o;
	t->attached = o->argv == NULL || o->argv[0] == NULL;
	t->seccomp = !t->attached && !o->no_seccomp;
	t->pid = o->pid;
	t->status = -1;
	t->exec_pipe = -1;
	if (pthread_mutex_init(&t->mu, NULL) != 0) {
		free(t);
		return -ENOMEM;
	}
	if (pthread_cond_init(&t->cv, NULL) != 0) {
		pthread_mutex_destroy(&t->mu);
		free(t);
		return -ENOMEM;
	}
	*out = t;
	return 0;
}

static void tracer_free(struct tracer *t)
{
	if (t->exec_pipe >= 0)
		close(t->exec_pipe);
	pthread_cond_destroy(&t->cv);
	pthread_mutex_destroy(&t->mu);
	free(t->th_v);
	free(t);
}

/* Asks the tracer thread for req and waits until it has seen it (or has
 * ended: a KILL asked just as the thread finished is never seen). */
static void request(struct tracer *t, int req)
{
	pthread_mutex_lock(&t->mu);
	if (t->req < req)
		t->req = req;
	pthread_cond_broadcast(&t->cv);
	while (t->ack < req && !t->exited) {
		struct timespec ts;

		pthread_kill(t->th, TR_WAKE_SIG);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += TR_WAKE_EVERY_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&t->cv, &t->mu, &ts);
	}
	pthread_mutex_unlock(&t->mu);
}

/* Waits until the tracer thread is done, at most ms: whether it is. */
static bool wait_done(struct tracer *t, int ms)
{
	struct timespec ts;
	bool done;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&t->mu);
	while (!t->done)
		if (pthread_cond_timedwait(&t->cv, &t->mu, &ts) == ETIMEDOUT)
			break;
	done = t->done;
	pthread_mutex_unlock(&t->mu);
	return done;
}

int tracer_start(const struct tracer_opts *o, struct tracer **out, char *cause, size_t len)
{
	struct tracer *t;
	int rc;

	*out = NULL;
	if ((o->argv == NULL || o->argv[0] == NULL) && o->pid <= 0) {
		snprintf(cause, len, "nothing to trace: no program and no pid");
		return -EINVAL;
	}
	if ((rc = tracer_new(o, &t)) != 0) {
		snprintf(cause, len, "out of memory");
		return rc;
	}
	pthread_once(&wake_once, wake_install);
	if ((rc = pthread_create(&t->th, NULL, thread_main, t)) != 0) {
		snprintf(cause, len, "cannot start the tracer thread: %s", strerror(rc));
		tracer_free(t);
		return -rc;
	}
	pthread_mutex_lock(&t->mu);
	while (!t->start_done)
		pthread_cond_wait(&t->cv, &t->mu);
	rc = t->start_rc;
	snprintf(cause, len, "%s", t->cause);
	pthread_mutex_unlock(&t->mu);
	if (rc != 0) {
		request(t, TR_REQ_KILL);
		pthread_join(t->th, NULL);
		tracer_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

pid_t tracer_pid(const struct tracer *t)
{
	return t->pid;
}

bool tracer_seccomp(const struct tracer *t)
{
	return t->seccomp;
}

int64_t tracer_overhead_ns(const struct tracer *t)
{
	return t->overhead_ns;
}

bool tracer_ended(const struct tracer *t)
{
	return atomic_load(&t->ended);
}

int tracer_stop(struct tracer *t, int wait_ms, int *status)
{
	if (t == NULL) {
		if (status != NULL)
			*status = -1;
		return 0;
	}
	request(t, TR_REQ_STOP);
	if (!wait_done(t, wait_ms < 0 ? 0 : wait_ms))
		request(t, TR_REQ_KILL);
	pthread_join(t->th, NULL);
	if (status != NULL)
		*status = !t->attached && t->have_status ? t->status : -1;
	tracer_free(t);
	return 0;
}
