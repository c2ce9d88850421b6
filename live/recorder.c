/* recorder.c: a live recording, buffered and flushed in batches. */
#include <errno.h>

#include "live/recorder.h"

static void recorder_fail(struct recorder *r, int err)
{
	if (r->err != 0)
		return;
	r->err = err;
	if (r->timer_ok)
		uv_timer_stop(&r->timer);
	if (r->fail_cb != NULL)
		r->fail_cb(r->fail_arg, err);
}

int recorder_flush(struct recorder *r)
{
	if (r->err != 0)
		return r->err;
	r->pending = 0;
	if (r->timer_ok)
		uv_timer_stop(&r->timer);
	errno = 0;
	if (fflush(r->f) != 0)
		recorder_fail(r, errno != 0 ? -errno : -EIO);
	return r->err;
}

static void recorder_timer_cb(uv_timer_t *h)
{
	recorder_flush(h->data);
}

int recorder_init(struct recorder *r, uv_loop_t *loop, FILE *f,
		  recorder_fail_cb cb, void *arg)
{
	int rc;

	r->f = f;
	r->pending = 0;
	r->err = 0;
	r->fail_cb = cb;
	r->fail_arg = arg;
	r->timer_ok = 0;
	/* Before the first write, or stdio keeps its own small buffer. */
	if (setvbuf(f, r->buf, _IOFBF, sizeof r->buf) != 0)
		return errno != 0 ? -errno : -EINVAL;
	if ((rc = uv_timer_init(loop, &r->timer)) != 0)
		return rc;
	r->timer.data = r;
	r->timer_ok = 1;
	return 0;
}

int recorder_ev(struct recorder *r, const struct trace *t, const struct trace_ev *ev)
{
	int rc;

	if (r->err != 0)
		return r->err;
	if ((rc = trace_write_ev(r->f, t, ev)) == -EINVAL)
		return 0;                 /* not written: nothing to flush */
	if (rc != 0) {
		recorder_fail(r, rc);
		return rc;
	}
	/* The first event since the last flush starts the clock on it. */
	if (r->pending++ == 0 && r->timer_ok)
		uv_timer_start(&r->timer, recorder_timer_cb, RECORDER_FLUSH_MS, 0);
	return 0;
}

void recorder_batch(struct recorder *r)
{
	if (r->err == 0 && r->pending >= RECORDER_BATCH)
		recorder_flush(r);
}

int recorder_error(const struct recorder *r)
{
	return r->err;
}

void recorder_stop(struct recorder *r)
{
	if (r->timer_ok && !uv_is_closing((uv_handle_t *)&r->timer))
		uv_close((uv_handle_t *)&r->timer, NULL);
	r->timer_ok = 0;
}
