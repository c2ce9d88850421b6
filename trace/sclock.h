/* sclock.h: scenario time, the clock the world owns.
 *
 * Scenario time is what a script's "at 1.5s" means.  While playing it runs at
 * speed × real time; paused, it stands still; a step jumps it forward.
 * Models wait on it for their voluntary pauses (B chatting between tries), so
 * pausing the world freezes everything except threads waiting in the kernel.
 *
 * Thread-safe: the loop thread drives it, model threads sleep on it.
 */
#ifndef IOSCOPE_SCLOCK_H
#define IOSCOPE_SCLOCK_H

#include <pthread.h>
#include <stdint.h>

struct sclock {
	pthread_mutex_t mu;
	pthread_cond_t cv;          /* on CLOCK_MONOTONIC */
	int64_t base_mono;          /* real ns when scenario time was base */
	int64_t base;               /* scenario ns */
	double speed;
	int playing;
};

int sclock_init(struct sclock *c, double speed);
void sclock_destroy(struct sclock *c);

int64_t sclock_now(struct sclock *c);                 /* scenario ns */
void sclock_play(struct sclock *c);
void sclock_pause(struct sclock *c);
void sclock_set_speed(struct sclock *c, double speed);
void sclock_jump(struct sclock *c, int64_t to);        /* never backwards */

/* Real ns (CLOCK_MONOTONIC) until scenario time `at`, or -1 when paused. */
int64_t sclock_real_until(struct sclock *c, int64_t at);

/* Sleep for d scenario ns.  Returns 0, or -ECANCELED when *stop (may be
 * NULL) is nonzero at a wake-up (see sclock_wake). */
int sclock_sleep(struct sclock *c, int64_t d, _Atomic int *stop);

/* Wake every sleeper so it rechecks its stop flag. */
void sclock_wake(struct sclock *c);

#endif
