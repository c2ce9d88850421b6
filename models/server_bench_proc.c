/* server_bench_proc.c: what /proc says of the server under load: its
 * processes (a process group), their kernel threads, memory and context
 * switches, and how many tasks the machine and the user run now. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/server_bench_int.h"

/* A small /proc file into buf, NUL-terminated; its length or -1. */
static ssize_t slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n, got = 0;

	if (fd < 0)
		return -1;
	while (got < (ssize_t)len - 1 && (n = read(fd, buf + got, len - 1 - (size_t)got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	return got;
}

long long sb__proc_number(const char *path)
{
	char buf[64];

	if (slurp(path, buf, sizeof buf) <= 0 || !isdigit((unsigned char)buf[0]))
		return -1;
	return strtoll(buf, NULL, 10);
}

/* The number after "field" at the start of a line of text, or -1. */
static long long field_of(const char *text, const char *field)
{
	size_t fl = strlen(field);

	for (const char *p = text; p != NULL && *p != '\0'; p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (strncmp(p, field, fl) == 0)
			return strtoll(p + fl, NULL, 10);
	return -1;
}

long long sb__proc_field(const char *path, const char *field)
{
	char buf[8192];

	if (slurp(path, buf, sizeof buf) < 0)
		return -1;
	return field_of(buf, field);
}

/* pid's process group and real uid from /proc/PID/stat and status; 0 or
 * -1 when it is gone. */
static int pgrp_of(const char *pid, pid_t *pgrp)
{
	char path[300], buf[1024];
	const char *p;
	int pg;

	snprintf(path, sizeof path, "/proc/%s/stat", pid);
	if (slurp(path, buf, sizeof buf) <= 0 || (p = strrchr(buf, ')')) == NULL)
		return -1;
	/* ") S ppid pgrp": the name may hold anything, so from its last ')'. */
	if (sscanf(p + 1, " %*c %*d %d", &pg) != 1)
		return -1;
	*pgrp = pg;
	return 0;
}

/* Voluntary and involuntary switches of every thread of pid. */
static long long switches(const char *pid)
{
	char path[300], buf[4096];
	long long sum = 0;
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof path, "/proc/%s/task", pid);
	if ((dir = opendir(path)) == NULL)
		return 0;
	while ((d = readdir(dir)) != NULL) {
		long long v, iv;

		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		snprintf(path, sizeof path, "/proc/%s/task/%s/status", pid, d->d_name);
		if (slurp(path, buf, sizeof buf) <= 0)
			continue;
		v = field_of(buf, "voluntary_ctxt_switches:");
		iv = field_of(buf, "nonvoluntary_ctxt_switches:");
		sum += (v > 0 ? v : 0) + (iv > 0 ? iv : 0);
	}
	closedir(dir);
	return sum;
}

static void add_process(const char *pid, int mem, struct sb_usage *u)
{
	char path[300];
	long long t, v;

	snprintf(path, sizeof path, "/proc/%s/status", pid);
	if ((t = sb__proc_field(path, "Threads:")) < 0)
		return;                 /* gone meanwhile */
	u->procs++;
	u->threads += (int)t;
	u->ctx += switches(pid);
	if (!mem)
		return;
	/* Pss: a page shared by n processes counts 1/n in each, so the sum
	 * is the server's whole memory, one process or ten thousand. */
	snprintf(path, sizeof path, "/proc/%s/smaps_rollup", pid);
	if ((v = sb__proc_field(path, "Pss:")) > 0)
		u->rss_kb += (long)v;
}

int sb__usage(pid_t pgid, int mem, struct sb_usage *u)
{
	DIR *dir = opendir("/proc");
	struct dirent *d;

	*u = (struct sb_usage){ 0 };
	if (dir == NULL)
		return -errno;
	while ((d = readdir(dir)) != NULL) {
		pid_t pg;

		if (isdigit((unsigned char)d->d_name[0]) && pgrp_of(d->d_name, &pg) == 0 &&
		    pg == pgid)
			add_process(d->d_name, mem, u);
	}
	closedir(dir);
	return 0;
}

void sb__tasks(uid_t uid, long *mine, long *all)
{
	DIR *dir = opendir("/proc");
	struct dirent *d;
	char path[300], buf[4096];

	*mine = *all = 0;
	if (dir == NULL)
		return;
	while ((d = readdir(dir)) != NULL) {
		long long t, u;

		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		snprintf(path, sizeof path, "/proc/%s/status", d->d_name);
		if (slurp(path, buf, sizeof buf) <= 0 || (t = field_of(buf, "Threads:")) < 0)
			continue;
		u = field_of(buf, "Uid:");
		*all += (long)t;
		if (u == (long long)uid)
			*mine += (long)t;
	}
	closedir(dir);
}
