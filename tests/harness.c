/* harness.c: see harness.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "models/sampler.h"
#include "tests/harness.h"

int h_init(struct harness *h, int nfds, double speed)
{
	memset(h, 0, sizeof *h);
	if (uv_loop_init(&h->loop) != 0 || (h->t = trace_new()) == NULL)
		return -1;
	if (sink_new(&h->loop, h->t, &h->s) != 0 || sclock_init(&h->clock, speed) != 0)
		return -1;
	trace_add_actor(h->t, "A", "test", "", "");
	trace_epoch_set(trace_mono_ns());
	h->nfds = nfds;
	for (int i = 0; i < nfds; i++) {
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
			return -1;
		fcntl(sv[1], F_SETFL, O_NONBLOCK);
		h->fds[i].fd = sv[0];
		h->far[i] = sv[1];
	}
	h->c = (struct model_ctx){
		.actor = 1, .fds = h->fds, .nfds = nfds, .every_ns = 20000000,
		.listen_fd = -1, .drain = -1,
		.clock = &h->clock,
		.probe = { .sink = h->s, .ring = sink_ring_new(h->s, 1), .actor = 1 },
	};
	sclock_play(&h->clock);
	return 0;
}

int h_start(struct harness *h, const char *model)
{
	return model_start(&h->c, model_find(model));
}

bool h_wait(struct harness *h, bool (*pred)(struct harness *h, void *arg),
	    void *arg, int timeout_ms)
{
	int64_t until = trace_mono_ns() + (int64_t)timeout_ms * 1000000;

	do {
		sink_drain(h->s);
		if (pred(h, arg))
			return true;
		poll(NULL, 0, 1);     /* a re-check interval, not a wait for the event */
	} while (trace_mono_ns() < until);
	return false;
}

void h_write(struct harness *h, int i, const char *data, size_t len)
{
	int64_t expect = 0;

	atomic_compare_exchange_strong(&h->fds[i].ready_ns, &expect, trace_now());
	if (write(h->far[i], data, len) != (ssize_t)len)
		abort();
}

void h_close_far(struct harness *h, int i)
{
	if (h->far[i] >= 0)
		close(h->far[i]);
	h->far[i] = -1;
}

void h_fini(struct harness *h)
{
	model_stop(&h->c, 1000);
	sink_close(h->s);
	uv_run(&h->loop, UV_RUN_DEFAULT);
	uv_loop_close(&h->loop);
	for (int i = 0; i < h->nfds; i++) {
		close(h->fds[i].fd);
		h_close_far(h, i);
	}
	sink_free(h->s);
	trace_free(h->t);
	sclock_destroy(&h->clock);
}

int h_files_make(struct h_files *f, const char *text)
{
	FILE *fp;

	snprintf(f->dir, sizeof f->dir, "/tmp/ioscope-test-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->scn, sizeof f->scn, "%s/t.scn", f->dir);
	snprintf(f->rec, sizeof f->rec, "%s/t.jsonl", f->dir);
	if ((fp = fopen(f->scn, "w")) == NULL)
		return -1;
	fputs(text, fp);
	return fclose(fp) == 0 ? 0 : -1;
}

void h_files_remove(struct h_files *f)
{
	unlink(f->scn);
	unlink(f->rec);
	rmdir(f->dir);
}

size_t h_count(struct harness *h, int kind)
{
	size_t n = 0;

	for (size_t i = 0; i < trace_count(h->t); i++)
		n += trace_at(h->t, i)->kind == kind;
	return n;
}

bool h_done(struct harness *h, void *arg)
{
	(void)arg;
	return h_count(h, TRACE_DONE) > 0;
}

/* The thread is where it waits for data: asleep in the call it last
 * entered (recvfrom, select, poll, epoll_wait), by the kernel's own word,
 * or between two tries (idle) after at least one EAGAIN. */
bool h_waiting(struct harness *h, void *arg)
{
	pid_t tid = atomic_load(&h->c.tid);
	struct kstate ks;
	const struct trace_ev *last = trace_at(h->t, trace_count(h->t) - 1);
	int call = 0;

	(void)arg;
	if (last != NULL && last->kind == TRACE_IDLE && !(last->flags & TRACE_F_END))
		return true;
	for (size_t i = trace_count(h->t); i-- > 0;)
		if (trace_at(h->t, i)->kind == TRACE_ENTER) {
			call = trace_at(h->t, i)->call;
			break;
		}
	return tid != 0 && call != 0 && sampler_read(tid, &ks) == 0 && ks.state == 'S' &&
	       sampler_call_matches(call, ks.sysno);
}

int open_fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n - 1;     /* the directory's own fd */
}
