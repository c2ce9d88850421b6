/* model.c: the model table, and starting and stopping model threads. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "models/model.h"
#include "scenarios/sclock.h"
#include "trace/sink.h"

extern const struct model_ops model_blocking;
extern const struct model_ops model_nonblocking;
extern const struct model_ops model_select;
extern const struct model_ops model_poll;
extern const struct model_ops model_epoll;
extern const struct model_ops model_epoll_et;

const struct model_ops *const model_table[] = {
	&model_blocking,
	&model_nonblocking,
	&model_select,
	&model_poll,
	&model_epoll,
	&model_epoll_et,
};
const int model_count = sizeof model_table / sizeof model_table[0];

const struct model_ops *model_find(const char *name)
{
	for (int i = 0; i < model_count; i++)
		if (strcmp(model_table[i]->name, name) == 0)
			return model_table[i];
	return NULL;
}

int model_known(const char *name)
{
	return model_find(name) != NULL;
}

const char *model_names(void)
{
	static char buf[256];

	if (buf[0] == '\0')
		for (int i = 0; i < model_count; i++) {
			if (i > 0)
				strcat(buf, ", ");
			strcat(buf, model_table[i]->name);
		}
	return buf;
}

static void *model_main(void *arg)
{
	struct model_ctx *c = arg;

	atomic_store(&c->tid, gettid());
	probe_attach(&c->probe);
	c->status = c->ops->run(c);
	probe_done(c->status);
	probe_attach(NULL);
	atomic_store(&c->done, 1);
	sink_wake(c->probe.sink);
	return NULL;
}

int model_start(struct model_ctx *c, const struct model_ops *ops)
{
	int rc;

	c->ops = ops;
	atomic_store(&c->tid, 0);
	atomic_store(&c->stop, 0);
	atomic_store(&c->done, 0);
	rc = pthread_create(&c->thread, NULL, model_main, c);
	if (rc != 0)
		return -rc;
	c->started = 1;
	return 0;
}

int model_join(struct model_ctx *c, int timeout_ms)
{
	struct timespec ts;
	int rc;

	if (!c->started)
		return 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	rc = pthread_timedjoin_np(c->thread, NULL, &ts);
	if (rc != 0)
		return -rc;
	c->started = 0;
	return 0;
}

int model_stop(struct model_ctx *c, int timeout_ms)
{
	if (!c->started)
		return 0;
	atomic_store(&c->stop, 1);
	/* shutdown(2) wakes a thread blocked in recv on the fd (it returns 0)
	 * without closing the descriptor under its feet. */
	for (int i = 0; i < c->nfds; i++)
		shutdown(c->fds[i].fd, SHUT_RDWR);
	if (c->clock != NULL)
		sclock_wake(c->clock);
	return model_join(c, timeout_ms);
}
