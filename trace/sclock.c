/* sclock.c: scenario time on a mutex and a CLOCK_MONOTONIC condition. */
#include <errno.h>
#include <stdatomic.h>
#include <time.h>

#include "trace/sclock.h"
#include "trace/trace.h"

int sclock_init(struct sclock *c, double speed)
{
	pthread_condattr_t ca;
	int rc;

	*c = (struct sclock){ .speed = speed > 0 ? speed : 1.0 };
	if ((rc = pthread_mutex_init(&c->mu, NULL)) != 0)
		return -rc;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	rc = pthread_cond_init(&c->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (rc != 0) {
		pthread_mutex_destroy(&c->mu);
		return -rc;
	}
	c->base_mono = trace_mono_ns();
	return 0;
}

void sclock_destroy(struct sclock *c)
{
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
}

static int64_t now_locked(struct sclock *c, int64_t mono)
{
	if (!c->playing)
		return c->base;
	return c->base + (int64_t)((double)(mono - c->base_mono) * c->speed);
}

/* Re-anchor the base at the current instant, then let sleepers recompute. */
static void rebase_locked(struct sclock *c)
{
	int64_t mono = trace_mono_ns();

	c->base = now_locked(c, mono);
	c->base_mono = mono;
}

int64_t sclock_now(struct sclock *c)
{
	int64_t t;

	pthread_mutex_lock(&c->mu);
	t = now_locked(c, trace_mono_ns());
	pthread_mutex_unlock(&c->mu);
	return t;
}

static void set_playing(struct sclock *c, int playing)
{
	pthread_mutex_lock(&c->mu);
	rebase_locked(c);
	c->playing = playing;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
}

void sclock_play(struct sclock *c) { set_playing(c, 1); }
void sclock_pause(struct sclock *c) { set_playing(c, 0); }

void sclock_set_speed(struct sclock *c, double speed)
{
	if (speed <= 0)
		return;
	pthread_mutex_lock(&c->mu);
	rebase_locked(c);
	c->speed = speed;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
}

void sclock_jump(struct sclock *c, int64_t to)
{
	pthread_mutex_lock(&c->mu);
	rebase_locked(c);
	if (to > c->base)
		c->base = to;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
}

static int64_t real_until_locked(struct sclock *c, int64_t at)
{
	int64_t mono = trace_mono_ns(), now = now_locked(c, mono);

	if (at <= now)
		return 0;
	if (!c->playing)
		return -1;
	return (int64_t)((double)(at - now) / c->speed);
}

int64_t sclock_real_until(struct sclock *c, int64_t at)
{
	int64_t d;

	pthread_mutex_lock(&c->mu);
	d = real_until_locked(c, at);
	pthread_mutex_unlock(&c->mu);
	return d;
}

void sclock_wake(struct sclock *c)
{
	pthread_mutex_lock(&c->mu);
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
}

static int stopped(_Atomic int *stop)
{
	return stop != NULL && atomic_load(stop);
}

int sclock_sleep(struct sclock *c, int64_t d, _Atomic int *stop)
{
	int64_t until, wait;
	int rc = 0;

	pthread_mutex_lock(&c->mu);
	until = now_locked(c, trace_mono_ns()) + d;
	while (!stopped(stop) && (wait = real_until_locked(c, until)) != 0) {
		if (wait < 0) {
			pthread_cond_wait(&c->cv, &c->mu);
		} else {
			int64_t abs = trace_mono_ns() + wait;
			struct timespec ts = { abs / 1000000000, abs % 1000000000 };

			pthread_cond_timedwait(&c->cv, &c->mu, &ts);
		}
	}
	if (stopped(stop))
		rc = -ECANCELED;
	pthread_mutex_unlock(&c->mu);
	return rc;
}

