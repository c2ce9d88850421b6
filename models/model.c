/* model.c: the model table, and starting and stopping model threads. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "models/model.h"
#include "trace/sclock.h"
#include "trace/sink.h"
#include "trace/trace.h"

extern const struct model_ops model_blocking;
extern const struct model_ops model_nonblocking;
extern const struct model_ops model_select;
extern const struct model_ops model_poll;
extern const struct model_ops model_epoll;
extern const struct model_ops model_epoll_et;
/* Weak: a model whose file is not part of this build leaves its slot NULL,
 * and the table skips it. */
extern const struct model_ops model_sigio __attribute__((weak));
extern const struct model_ops model_uring __attribute__((weak));
extern const struct model_ops model_posix_aio __attribute__((weak));
extern const struct model_ops model_libuv __attribute__((weak));
extern const struct model_ops model_process_per_conn __attribute__((weak));
extern const struct model_ops model_thread_per_conn __attribute__((weak));
extern const struct model_ops model_thread_pool __attribute__((weak));
extern const struct model_ops model_coroutines __attribute__((weak));

static const struct model_ops *const all_models[] = {
	&model_blocking,
	&model_nonblocking,
	&model_select,
	&model_poll,
	&model_epoll,
	&model_epoll_et,
	&model_sigio,
	&model_uring,
	&model_posix_aio,
	&model_libuv,
	&model_process_per_conn,
	&model_thread_per_conn,
	&model_thread_pool,
	&model_coroutines,
};

const struct model_ops *model_table[sizeof all_models / sizeof all_models[0]];
int model_count;

static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void table_init(void)
{
	for (size_t i = 0; i < sizeof all_models / sizeof all_models[0]; i++)
		if (all_models[i] != NULL)
			model_table[model_count++] = all_models[i];
}

int model_table_init(void)
{
	pthread_once(&table_once, table_init);
	return model_count;
}

const struct model_ops *model_find(const char *name)
{
	model_table_init();
	for (int i = 0; i < model_count; i++)
		if (strcmp(model_table[i]->name, name) == 0)
			return model_table[i];
	return NULL;
}

int model_nap(struct model_ctx *c, int64_t ns, _Atomic int *also)
{
	while (ns > 0 && !model_should_stop(c) && (also == NULL || !atomic_load(also))) {
		int64_t d = ns < MODEL_NAP_NS ? ns : MODEL_NAP_NS;
		struct timespec ts = { (time_t)(d / 1000000000), (long)(d % 1000000000) };

		nanosleep(&ts, NULL);
		ns -= d;
	}
	return model_should_stop(c) || (also != NULL && atomic_load(also)) ? -ECANCELED : 0;
}

int model_work(struct model_ctx *c, _Atomic int *also)
{
	int64_t t0;
	int rc;

	if (c->work_ns <= 0)
		return 0;
	probe_idle(false, 0, 0);
	t0 = probe_now(probe_self());
	rc = c->clock != NULL ? sclock_sleep(c->clock, c->work_ns, &c->stop)
			      : model_nap(c, c->work_ns, also);
	probe_idle(true, probe_now(probe_self()) - t0, 0);
	return rc;
}

const char *model_actor_name(const struct model_ctx *c)
{
	const char *name = c->probe.sink != NULL ?
			   sink_actor_name(c->probe.sink, c->probe.actor) : NULL;

	return name != NULL && name[0] != '\0' ? name : "S";
}

int model_available_always(const char **why)
{
	(void)why;
	return 0;
}

int model_known(const char *name)
{
	return model_find(name) != NULL;
}

const char *model_names(void)
{
	static char buf[256];

	model_table_init();
	if (buf[0] == '\0')
		for (int i = 0; i < model_count; i++) {
			if (i > 0)
				strcat(buf, ", ");
			strcat(buf, model_table[i]->name);
		}
	return buf;
}

int64_t model_ready_time(struct feed *f, int64_t t0, int64_t t1)
{
	int64_t ready = atomic_exchange(&f->ready_ns, 0);

	if (ready < t0)
		return t0;
	return ready > t1 ? t1 : ready;
}

/* The stop signal's handler does nothing: its only work is to make the
 * thread's blocking call return EINTR (installed without SA_RESTART). */
static void wake_handler(int sig)
{
	(void)sig;
}

static pthread_once_t wake_once = PTHREAD_ONCE_INIT;

static void wake_init(void)
{
	struct sigaction sa = { .sa_handler = wake_handler };

	sigemptyset(&sa.sa_mask);
	sigaction(MODEL_WAKE_SIGNAL, &sa, NULL);
}

static int wake_signal(void)
{
	pthread_once(&wake_once, wake_init);
	return MODEL_WAKE_SIGNAL;
}

/* Bytes still in the kernel for the thread's fds: what a reader that was
 * stopped while waiting had not read (the kernel's count, FIONREAD). */
static uint32_t unread(struct model_ctx *c)
{
	uint32_t total = 0;

	for (int i = 0; i < c->nfds; i++) {
		int n = 0;

		if (ioctl(c->fds[i].fd, FIONREAD, &n) == 0 && n > 0)
			total += (uint32_t)n;
	}
	return total;
}

static void *model_main(void *arg)
{
	struct model_ctx *c = arg;

	atomic_store(&c->tid, gettid());
	probe_attach(&c->probe);
	c->status = c->ops->run(c);
	probe_done(c->status, c->status == -ECANCELED ? unread(c) : 0);
	probe_attach(NULL);
	atomic_store(&c->done, 1);
	if (c->probe.sink != NULL)         /* untraced (the bench): no loop */
		sink_wake(c->probe.sink);
	return NULL;
}

int model_start(struct model_ctx *c, const struct model_ops *ops)
{
	int rc;

	wake_signal();          /* the handler is in place before any thread */
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
	int64_t start = trace_mono_ns();

	if (!c->started)
		return 0;
	atomic_store(&c->stop, 1);
	if (c->clock != NULL)
		sclock_wake(c->clock);
	/* A signal interrupts whatever call the thread sleeps in, without
	 * touching its fds (a shutdown would look like data to the program).
	 * It is sent again until the thread is out, since it may land just
	 * before the thread enters its call; after a while, shutdown(2) on
	 * its fds is the fallback. */
	for (int tries = 0;; tries++) {
		int elapsed = (int)((trace_mono_ns() - start) / 1000000);

		pthread_kill(c->thread, wake_signal());
		if (model_join(c, MODEL_STOP_RETRY_MS) == 0)
			return 0;
		if (elapsed >= timeout_ms)
			return -ETIMEDOUT;
		if (tries == MODEL_STOP_SHUTDOWN_MS / MODEL_STOP_RETRY_MS) {
			for (int i = 0; i < c->nfds; i++)
				shutdown(c->fds[i].fd, SHUT_RDWR);
			if (c->listen_fd >= 0)
				shutdown(c->listen_fd, SHUT_RDWR);
		}
	}
}
