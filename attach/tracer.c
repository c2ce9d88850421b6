/* tracer.c: (being written: issue 15; this stub traces nothing). */
#include <errno.h>
#include <stdio.h>

#include "attach/tracer.h"

int tracer_start(const struct tracer_opts *o, struct tracer **out, char *cause, size_t len)
{
	(void)o;
	*out = NULL;
	snprintf(cause, len, "the tracer is not built yet");
	return -ENOSYS;
}

pid_t tracer_pid(const struct tracer *t) { (void)t; return 0; }
bool tracer_seccomp(const struct tracer *t) { (void)t; return false; }
int64_t tracer_overhead_ns(const struct tracer *t) { (void)t; return 0; }
bool tracer_ended(const struct tracer *t) { (void)t; return true; }

int tracer_stop(struct tracer *t, int wait_ms, int *status)
{
	(void)t; (void)wait_ms;
	if (status != NULL)
		*status = -1;
	return 0;
}
