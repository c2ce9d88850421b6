/* exercise.c: `ioscope exercise [NAME -- CMD ... {port}]`: check a
 * learner's own server (live/exercise.h).
 *
 * The program is started under attach (run.h) with a free loopback port
 * in place of "{port}", its output in a log file; the exercise's clients
 * play against it on a thread of their own while this thread runs the
 * loop that gathers the trace; then the program is stopped and each
 * expectation printed, PASS or FAIL with its evidence.  Exit 0 when all
 * pass, 1 when one fails, 2 on bad usage. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include "cli/cli.h"
#include "live/exercise.h"
#include "live/run.h"
#include "trace/trace.h"

#define PORT_MARK "{port}"
/* How long the loop goes on gathering the trace after the clients are
 * done: the sink drains its rings every few ms. */
#define EX_DRAIN_MS 300

struct session {
	uv_loop_t loop;
	uv_async_t played;
	uv_timer_t drain;
	struct run *r;
	atomic_bool ended, stop;
	struct ex_play play;
	struct ex_result res;
	int64_t off;            /* CLOCK_MONOTONIC -> the trace's time */
	bool ended_early;       /* the program ended before the clients did */
	int exit_status;        /* its wait status once run_close ran; -1 unknown */
};

static int list(void)
{
	const struct ex_def *d;

	puts(cli_tr("Exercises: your own server, checked by ioscope (rustlings for IO).",
		    "练习：用 ioscope 检查你自己写的服务器。"));
	for (int i = 0; (d = ex_at(i)) != NULL; i++)
		printf("  %-24s %s\n", d->name, d->summary[cli_lang == LANG_ZH]);
	printf(cli_tr("Run one:   ioscope exercise NAME -- CMD ... %s\n"
		      "Starters:  %s/lessons/exercises/ (Python and C; they fail first, on purpose)\n",
		      "运行一个：ioscope exercise 名称 -- 命令 ... %s\n"
		      "起步代码：%s/lessons/exercises/（Python 和 C；故意先失败）\n"),
	       PORT_MARK, cli_data_dir());
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : cli_fail_stdout(-errno);
}

static int unknown(const char *name)
{
	const char *names[16];
	int n = 0;

	for (const struct ex_def *d; n < 16 && (d = ex_at(n)) != NULL; n++)
		names[n] = d->name;
	return cli_fail_choice(name, names, n, cli_tr("unknown exercise '%s' (ioscope exercise lists them)",
						      "没有练习 '%s'（ioscope exercise 会列出全部）"), name);
}

/* A loopback port nobody listens on now: bind port 0, read it, close. */
static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int port = -errno;

	if (fd < 0)
		return port;
	if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	else
		port = -errno;
	close(fd);
	return port;
}

/* s with every "{port}" replaced by port (malloc'd), or NULL. */
static char *with_port(const char *s, int port)
{
	char num[12], *out, *o;
	size_t n = 0;
	const char *p;

	snprintf(num, sizeof num, "%d", port);
	for (p = s; (p = strstr(p, PORT_MARK)) != NULL; p += strlen(PORT_MARK))
		n++;
	out = malloc(strlen(s) + n * strlen(num) + 1);
	if (out == NULL)
		return NULL;
	for (o = out, p = s; *p;) {
		if (strncmp(p, PORT_MARK, strlen(PORT_MARK)) == 0) {
			o = stpcpy(o, num);
			p += strlen(PORT_MARK);
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

static void free_argv(char **v)
{
	for (int i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

static char **program_argv(int argc, char **argv, int port)
{
	char **v = calloc((size_t)argc + 1, sizeof *v);

	for (int i = 0; v != NULL && i < argc; i++)
		if ((v[i] = with_port(argv[i], port)) == NULL) {
			free_argv(v);
			return NULL;
		}
	return v;
}

static void ended_cb(void *arg)
{
	struct session *s = arg;

	atomic_store(&s->ended, true);
}

static void played_cb(uv_async_t *a)
{
	uv_stop(a->loop);
}

static void drain_cb(uv_timer_t *t)
{
	uv_stop(t->loop);
}

static void *play_main(void *arg)
{
	struct session *s = arg;

	(void)ex_play(&s->play, &s->res);
	s->ended_early = atomic_load(&s->ended) && s->res.fail == EX_OK;
	uv_async_send(&s->played);
	return NULL;
}

/* The last lines of the program's log, indented, on stdout. */
static void log_tail(const char *path, int lines)
{
	char *buf = NULL, *p;
	size_t len = 0;
	FILE *f = fopen(path, "r");
	int seen = 0;

	if (f == NULL)
		return;
	buf = malloc(65536);
	if (buf != NULL) {
		if (fseek(f, -65535, SEEK_END) != 0)
			rewind(f);
		len = fread(buf, 1, 65535, f);
		buf[len] = '\0';
		while (len > 0 && buf[len - 1] == '\n')
			buf[--len] = '\0';
		for (p = buf + len; p > buf && seen < lines; p--)
			if (p[-1] == '\n')
				seen++;
		if (len > 0) {
			printf("%s\n", cli_tr("  its last words (its output):", "  它最后的输出："));
			for (char *line = strtok(p, "\n"); line != NULL; line = strtok(NULL, "\n"))
				printf("  | %s\n", line);
		}
	}
	free(buf);
	fclose(f);
}

/* How the server ended, from its wait status: "exited (status 3)", "was
 * killed by signal 11 (Segmentation fault)"; "ended" when not known. */
static const char *how_ended(int st, char *out, size_t len)
{
	if (st >= 0 && WIFEXITED(st))
		snprintf(out, len, cli_tr("exited (status %d)", "退出了（状态 %d）"), WEXITSTATUS(st));
	else if (st >= 0 && WIFSIGNALED(st))
		snprintf(out, len, cli_tr("was killed by signal %d (%s)", "被信号 %d（%s）杀死了"),
			 WTERMSIG(st), strsignal(WTERMSIG(st)));
	else
		snprintf(out, len, "%s", cli_tr("ended", "退出了"));
	return out;
}

static void say_exit(const struct session *s, const char *log)
{
	char how[128];

	printf(cli_tr("FAIL  your server %s before it listened\n", "FAIL  你的服务器在监听之前就%s\n"),
	       how_ended(s->exit_status, how, sizeof how));
	log_tail(log, 8);
}

/* The verdicts, one line each with their evidence: the exit status. */
static int report(struct session *s, const struct ex_def *d, const char *log)
{
	struct ex_verdict v[EX_MAX];
	int n, failed = 0;

	n = ex_check(d, &s->res, run_trace(s->r), s->off, cli_lang, v, EX_MAX);
	if (s->res.fail != EX_OK) {
		printf("FAIL  %s\n", v[0].line);
		log_tail(log, 8);
		return EXIT_RUNTIME;
	}
	for (int i = 0; i < n; i++) {
		printf("%s  %s\n", v[i].pass ? "PASS" : "FAIL", v[i].line);
		for (int k = 0; k < 2; k++)
			if (v[i].evidence[k][0])
				printf("      %s\n", v[i].evidence[k]);
		failed += !v[i].pass;
	}
	return failed ? EXIT_RUNTIME : 0;
}

/* After run_close (which reaps it): a server that ended while the
 * clients still played, and how. */
static void say_early(const struct session *s, const char *log)
{
	char how[128];

	if (!s->ended_early)
		return;
	printf(cli_tr("note  your server %s before the clients were done\n",
		      "注意  客户端还没结束，你的服务器就%s\n"), how_ended(s->exit_status, how, sizeof how));
	log_tail(log, 8);
}

/* Open the run, play, gather; the verdicts are printed before the run
 * is closed (the trace is the run's). */
static int session_run(struct session *s, const struct ex_def *d, char **pargv,
		       const struct cli *c, const char *log)
{
	/* run_close sets attach_status: say_exit tells how the server ended. */
	struct run_opts o = { .attach_argv = pargv, .attach_log = log, .speed = 1.0,
			      .attach_status = &s->exit_status,
			      .record = c->record, .no_replace = !c->force, .lang = c->lang,
			      .grace_ms = 0, .on_end = ended_cb, .on_end_arg = s };
	char cause[512] = "";
	pthread_t th;
	int err, status;

	err = run_open(&o, &s->loop, &s->r, cause, sizeof cause);
	if (err != 0) {
		fprintf(stderr, "ioscope: exercise: %s\n", cause[0] ? cause : strerror(-err));
		return err == -EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
	}
	if ((err = run_start(s->r, false)) != 0)
		goto close;
	s->off = run_now(s->r) - trace_mono_ns();
	s->play = (struct ex_play){ .def = d, .port = s->play.port, .ended = &s->ended, .stop = &s->stop };
	if ((err = -pthread_create(&th, NULL, play_main, s)) != 0)
		goto close;
	uv_run(&s->loop, UV_RUN_DEFAULT);
	pthread_join(th, NULL);
	uv_timer_start(&s->drain, drain_cb, EX_DRAIN_MS, 0);
	uv_run(&s->loop, UV_RUN_DEFAULT);
	printf("ioscope exercise %s: %s\n", d->name, d->summary[cli_lang == LANG_ZH]);
	if (s->res.fail == EX_ERR_EXITED) {
		/* run_close reaps it: its status is known after. */
		err = run_close(s->r, cause, sizeof cause);
		say_exit(s, log);
		status = EXIT_RUNTIME;
	} else {
		/* The verdicts read the run's trace: before run_close. */
		status = report(s, d, log);
		err = run_close(s->r, cause, sizeof cause);
		say_early(s, log);
	}
	if (err != 0 && err != -ECANCELED)
		fprintf(stderr, "ioscope: exercise: %s\n", cause[0] ? cause : strerror(-err));
	return fflush(stdout) != 0 ? cli_fail_stdout(-errno) : status;
close:
	run_close(s->r, cause, sizeof cause);
	fprintf(stderr, "ioscope: exercise: %s\n", strerror(-err));
	return EXIT_RUNTIME;
}

static void close_cb(uv_handle_t *h)
{
	(void)h;
}

static int exercise(const struct ex_def *d, char **pargv, int port, const struct cli *c)
{
	struct session *s = calloc(1, sizeof *s);
	char dir[256], log[300];
	int status = EXIT_RUNTIME;

	if (s == NULL)
		return EXIT_RUNTIME;
	snprintf(dir, sizeof dir, "%s/ioscope-exercise-XXXXXX", cli_tmp_dir(sizeof dir - 32));
	if (mkdtemp(dir) == NULL) {
		fprintf(stderr, "ioscope: exercise: %s: %s\n", dir, strerror(errno));
		free(s);
		return EXIT_RUNTIME;
	}
	snprintf(log, sizeof log, "%s/server.log", dir);
	s->play.port = port;
	s->exit_status = -1;
	if (uv_loop_init(&s->loop) == 0) {
		uv_async_init(&s->loop, &s->played, played_cb);
		uv_timer_init(&s->loop, &s->drain);
		status = session_run(s, d, pargv, c, log);
		uv_close((uv_handle_t *)&s->played, close_cb);
		uv_close((uv_handle_t *)&s->drain, close_cb);
		uv_run(&s->loop, UV_RUN_DEFAULT);
		uv_loop_close(&s->loop);
	}
	unlink(log);
	rmdir(dir);
	free(s);
	return status;
}

int cli_exercise(int argc, char **argv, const struct cli *c)
{
	const struct ex_def *d;
	bool marked = false;
	char **pargv;
	int port, status;

	if (argc == 0)
		return list();
	if ((d = ex_find(argv[0])) == NULL)
		return unknown(argv[0]);
	if (argc < 2)
		return cli_fail_usage(cli_tr("exercise %s needs your server: ioscope exercise %s -- CMD ... {port}",
					     "练习 %s 需要你的服务器：ioscope exercise %s -- 命令 ... {port}"),
				      d->name, d->name);
	for (int i = 1; i < argc; i++)
		marked |= strstr(argv[i], PORT_MARK) != NULL;
	if (!marked)
		return cli_fail_usage("%s", cli_tr("put {port} where your server takes its port",
						   "在你的服务器接受端口的位置写 {port}"));
	if ((port = free_port()) < 0) {
		fprintf(stderr, "ioscope: exercise: no free port: %s\n", strerror(-port));
		return EXIT_RUNTIME;
	}
	if ((pargv = program_argv(argc - 1, argv + 1, port)) == NULL)
		return EXIT_RUNTIME;
	status = exercise(d, pargv, port, c);
	free_argv(pargv);
	return status;
}
