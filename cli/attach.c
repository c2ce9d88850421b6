/* attach.c: `ioscope attach [--plain] [--record FILE] -- CMD ARGS...` and
 * `ioscope attach -p PID`: a program not written for ioscope, traced, on
 * the screen or narrated. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "live/run.h"

/* Whether name runs: a path, or a word found on PATH (as execvp would). */
static int program_found(const char *name)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (strchr(name, '/') != NULL)
		return access(name, F_OK) == 0;
	if (path == NULL || *path == '\0')
		path = "/bin:/usr/bin";
	while (*path != '\0') {
		size_t n = strcspn(path, ":");

		snprintf(buf, sizeof buf, "%.*s/%s", (int)(n ? n : 1), n ? path : ".", name);
		if (access(buf, X_OK) == 0)
			return 1;
		path += n + (path[n] == ':');
	}
	return 0;
}

/* A process -p cannot watch: ioscope itself (or one of its threads), the
 * shell that runs it (it only waits for ioscope), a zombie, a kernel
 * thread.  From /proc/PID/stat: its process, state and flags. */
static int check_pid(int pid)
{
	char path[64], buf[1024], *p;
	unsigned long flags = 0;
	int tgid = pid, n;
	char state = '?';
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", pid);
	if ((f = fopen(path, "re")) != NULL) {
		while (fgets(buf, sizeof buf, f) != NULL)
			if (sscanf(buf, "Tgid: %d", &tgid) == 1)
				break;
		fclose(f);
	}
	if (tgid == getpid())
		return cli_fail_usage(cli_tr("pid %d is ioscope itself", "进程 %d 就是 ioscope 自己"), pid);
	if (tgid == getppid())
		return cli_fail_usage(cli_tr("pid %d is the shell that runs ioscope: it only waits for ioscope",
					     "进程 %d 是运行 ioscope 的 shell：它只是在等 ioscope"), pid);
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	n = (int)fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n > 0 ? n : 0] = '\0';
	/* after the command's ")" (it may hold spaces and parentheses) */
	if ((p = strrchr(buf, ')')) != NULL &&
	    sscanf(p + 1, " %c %*d %*d %*d %*d %*d %lu", &state, &flags) == 2) {
		if (state == 'Z' || state == 'X')
			return cli_fail_usage(cli_tr("process %d has exited (a zombie its parent has not reaped)",
						     "进程 %d 已经退出（父进程还没回收的僵尸进程）"), pid);
		if (flags & 0x00200000)        /* PF_KTHREAD */
			return cli_fail_usage(cli_tr("pid %d is a kernel thread: it makes no system calls to see",
						     "进程 %d 是内核线程：没有可看的系统调用"), pid);
	}
	return 0;
}

static int check_input(int argc, char **argv, const struct cli *c)
{
	char proc[64];

	if (argc == 0 && c->pid == 0)
		return cli_fail_usage("%s", cli_tr("attach needs a program (ioscope attach -- CMD ARGS...) or -p PID",
						   "attach 需要一个程序（ioscope attach -- CMD ARGS...）或 -p PID"));
	if (argc > 0 && c->pid != 0)
		return cli_fail_usage("%s", cli_tr("attach takes a program or -p PID, not both",
						   "attach 只接受一个程序或 -p PID，不能两者都给"));
	if (c->model != NULL)
		return cli_fail_usage("%s", cli_tr("attach shows the program's own model: --model does not apply",
						   "attach 显示程序自己的模型：--model 不适用"));
	if (argc > 0 && !program_found(argv[0]))
		return cli_fail_usage(cli_tr("no such program '%s'", "没有名为 '%s' 的程序"), argv[0]);
	snprintf(proc, sizeof proc, "/proc/%d", c->pid);
	if (c->pid != 0 && access(proc, F_OK) != 0)
		return cli_fail_usage(cli_tr("no process %d", "没有进程 %d"), c->pid);
	return c->pid != 0 ? check_pid(c->pid) : 0;
}

/* Whether pid still runs: there, and not a zombie its parent has yet to
 * reap. */
static bool running(int pid)
{
	char path[64], buf[512], *p, state = '?';
	FILE *f;
	int n;

	if (kill(pid, 0) != 0)
		return false;
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	if ((f = fopen(path, "re")) == NULL)
		return false;
	n = (int)fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n > 0 ? n : 0] = '\0';
	if ((p = strrchr(buf, ')')) != NULL)
		(void)sscanf(p + 1, " %c", &state);
	return state != 'Z' && state != 'X';
}

/* Set by run_close when the program ran (started or attached to): its
 * wait status, or -1; left as it was when it never did. */
#define NEVER_RAN (-2)

/* How the program ended, on stderr (stdout is the narration). */
static void say_end(const struct cli *c, int status)
{
	if (status == NEVER_RAN)
		return;
	if (c->pid != 0 && !running(c->pid))        /* it ended while watched */
		fprintf(stderr, cli_tr("ioscope: pid %d ended while ioscope watched it\n",
				       "ioscope: 进程 %d 在 ioscope 观察期间结束了\n"), c->pid);
	else if (c->pid != 0)
		fprintf(stderr, cli_tr("ioscope: detached from pid %d: it runs on\n",
				       "ioscope: 已从进程 %d 脱离：它继续运行\n"), c->pid);
	else if (status >= 0 && WIFEXITED(status))
		fprintf(stderr, cli_tr("ioscope: the program exited with status %d\n",
				       "ioscope: 程序退出，状态 %d\n"), WEXITSTATUS(status));
	else if (status >= 0 && WIFSIGNALED(status))
		fprintf(stderr, cli_tr("ioscope: the program was killed by signal %d (%s)\n",
				       "ioscope: 程序被信号 %d（%s）终止\n"),
			WTERMSIG(status), strsignal(WTERMSIG(status)));
}

/* The screen: the program's output goes to a log file, never onto it. */
static int attach_screen(struct run_opts *o, const struct cli *c)
{
	char log[PATH_MAX];
	struct tui_opts t = { .paused = -1, .theme = c->theme };
	int fd, rc;

	o->out = NULL;
	t.run = *o;
	if (c->pid != 0)                /* its output goes where it always went */
		return cli_screen_run(&t);
	/* A log only for a program that will write to it. */
	snprintf(log, sizeof log, "%s/ioscope-attach-XXXXXX.log", cli_tmp_dir(sizeof log - 32));
	if ((fd = mkstemps(log, 4)) < 0) {
		fprintf(stderr, cli_tr("ioscope: %s: cannot make the program's log: %s\n",
				       "ioscope: %s：无法创建程序的日志：%s\n"), log, strerror(errno));
		return EXIT_RUNTIME;
	}
	close(fd);
	t.run.attach_log = log;
	rc = cli_screen_run(&t);
	if (rc == 0 || t.run.attach_status == NULL || *t.run.attach_status != NEVER_RAN)
		fprintf(stderr, cli_tr("ioscope: the program's output is in %s\n",
				       "ioscope: 程序的输出在 %s\n"), log);
	return rc;
}

int cli_attach(int argc, char **argv, const struct cli *c)
{
	int status = NEVER_RAN, rc;
	char cause[1024] = "";
	struct run_opts o = {
		.attach_argv = argc > 0 ? argv : NULL, .attach_pid = c->pid, .speed = 1,
		.record = c->record, .no_replace = !c->force, .lang = c->lang, .out = stdout,
		.grace_ms = 1000, .attach_status = &status,
	};

	if ((rc = check_input(argc, argv, c)) != 0)
		return rc;
	if (cli_want_screen(c)) {
		rc = attach_screen(&o, c);
		say_end(c, status);
		return rc;
	}
	signal(SIGPIPE, SIG_IGN);
	/* A program may run for hours: each line as it happens, into a
	 * pipe or a file too (| grep, a log). */
	setvbuf(stdout, NULL, _IOLBF, 0);
	rc = run_scenario(&o, cause, sizeof cause);
	say_end(c, status);
	if (rc == 0)
		return 0;
	if (cause[0] != '\0')
		fprintf(stderr, "ioscope: %s\n", cause);
	return rc == -EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
}
