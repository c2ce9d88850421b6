/* main.c: the command line. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#include "models/probe_bench.h"
#include "cli/cli.h"
#include "lessons/lesson.h"
#include "view/export.h"
#include "models/model.h"
#include "models/mux_bench.h"
#include "models/server_bench.h"
#include "live/run.h"
#include "scenarios/scn.h"
#include "view/narrate.h"
#include "view/render.h"
#include "tui/tui.h"

#ifndef IOSCOPE_DATADIR
#define IOSCOPE_DATADIR "/usr/local/share/ioscope"
#endif


const char *cli_cmd;

/* bench --servers [--conns LIST]: kept here rather than in struct cli
 * (cli/cli.h), which this change does not touch. */
static int bench_servers;
static const char *bench_conns;

void cli_hint(void)
{
	if (cli_cmd != NULL)
		fprintf(stderr, cli_tr("(try 'ioscope help %s')\n", "（参见 'ioscope help %s'）\n"), cli_cmd);
	else
		fputs(cli_tr("(try 'ioscope help')\n", "（参见 'ioscope help'）\n"), stderr);
}

int cli_fail_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ioscope: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cli_hint();
	return EXIT_USAGE;
}

int cli_fail_choice(const char *got, const char *const *names, int n, const char *fmt, ...)
{
	const char *close = cli_closest(got, names, n);
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (close != NULL)
		snprintf(msg + strlen(msg), sizeof msg - strlen(msg),
			 cli_tr("; did you mean '%s'?", "；是不是 '%s'？"), close);
	return cli_fail_usage("%s", msg);
}

const char *cli_tmp_dir(size_t room)
{
	const char *tmp = getenv("TMPDIR");

	return tmp == NULL || *tmp == '\0' || strlen(tmp) > room ? "/tmp" : tmp;
}

/* Where the shipped scenarios live: $IOSCOPE_DATA, beside the binary (a
 * build tree), in ../share/ioscope next to it (an installed tree, wherever
 * it was put), or the data directory named at build time. */
const char *cli_data_dir(void)
{
	static char dir[PATH_MAX + 32];
	const char *env = getenv("IOSCOPE_DATA");
	char exe[PATH_MAX], probe[PATH_MAX + 64];
	ssize_t n;

	if (env != NULL && *env != '\0')
		return env;
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		for (int up = 0; up < 3; up++) {
			char *slash = strrchr(exe, '/');

			if (slash == NULL)
				break;
			*slash = '\0';
			snprintf(probe, sizeof probe, "%s/scenarios/fishing.scn", exe);
			if (access(probe, R_OK) == 0) {
				snprintf(dir, sizeof dir, "%s", exe);
				return dir;
			}
			snprintf(probe, sizeof probe, "%s/share/ioscope/scenarios/fishing.scn", exe);
			if (access(probe, R_OK) == 0) {
				snprintf(dir, sizeof dir, "%s/share/ioscope", exe);
				return dir;
			}
		}
	}
	return IOSCOPE_DATADIR;
}

/* A scenario given by name ("fishing") or by path ("my/class.scn"). */
static const char *scenario_path(const char *arg, char *buf, size_t len)
{
	if (strchr(arg, '/') != NULL || strstr(arg, ".scn") != NULL)
		return arg;
	snprintf(buf, len, "%s/scenarios/%s.scn", cli_data_dir(), arg);
	return buf;
}

/* A name that is no shipped scenario (where the scenarios are there to
 * choose from: a missing directory is the run's own error to report). */
static int scenario_unknown(const char *arg, const char *path)
{
	char dir[PATH_MAX + 16];

	if (path == arg)
		return 0;
	snprintf(dir, sizeof dir, "%s/scenarios", cli_data_dir());
	return access(path, F_OK) != 0 && errno == ENOENT && access(dir, F_OK) == 0;
}

static int cmd_models(void)
{
	model_table_init();
	for (int i = 0; i < model_count; i++) {
		const struct model_ops *m = model_table[i];
		const char *why = "";
		int ok = m->available(&why) == 0;

		printf("%-16s %-10s %s\n", m->name, ok ? "available" : "missing",
		       ok ? m->summary : why);
	}
	return 0;
}

static int cmd_scenarios(void)
{
	char dir[PATH_MAX + 16], path[PATH_MAX + 300], cause[512];
	struct dirent **names;
	int n;

	snprintf(dir, sizeof dir, "%s/scenarios", cli_data_dir());
	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "ioscope: %s: %s\n", dir, strerror(errno));
		return EXIT_RUNTIME;
	}
	for (int i = 0; i < n; i++) {
		size_t l = strlen(names[i]->d_name);
		struct scn *s;

		if (l > 4 && strcmp(names[i]->d_name + l - 4, ".scn") == 0) {
			snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
			if (scn_load(path, &s, cause, sizeof cause) == 0) {
				printf("%-17s %s\n", s->name, s->title[0]);
				scn_free(s);
			}
		}
		free(names[i]);
	}
	free(names);
	return 0;
}

static const char *const theme_names[THEME_MAX] = { "default", "classroom", "mono" };

static int theme_from(const char *s)
{
	for (int i = 0; i < THEME_MAX; i++)
		if (strcmp(s, theme_names[i]) == 0)
			return i;
	return -1;
}

/* Whether a person at a terminal could see the screen: stdin and stdout
 * are terminals and TERM names one curses can drive.  When not, and the
 * person is at a terminal, a note on stderr says why plain text comes
 * instead. */
static int terminal_usable(void)
{
	const char *term = getenv("TERM");

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return 0;
	if (term == NULL || *term == '\0') {
		fputs(cli_tr("ioscope: TERM is not set: plain text instead of the screen\n",
			     "ioscope: 没有设置 TERM：输出文字，而不是界面\n"), stderr);
		return 0;
	}
	if (strcmp(term, "dumb") == 0) {
		fputs(cli_tr("ioscope: TERM=dumb: plain text instead of the screen\n",
			     "ioscope: TERM=dumb：输出文字，而不是界面\n"), stderr);
		return 0;
	}
	if (!tui_term_known()) {
		fprintf(stderr, cli_tr("ioscope: TERM '%s' is unknown to curses; plain output instead\n",
				       "ioscope: curses 不认识 TERM '%s'；改为输出文字\n"), term);
		return 0;
	}
	return 1;
}

/* The screen, or plain text: --plain, no terminal, or a terminal curses
 * cannot drive.  --paused means nothing to plain text, which plays
 * through: say so rather than ignore it. */
int cli_want_screen(const struct cli *c)
{
	int screen = !c->plain && terminal_usable();

	if (!screen && c->paused > 0)
		fputs(cli_tr("ioscope: --paused applies to the screen only; plain text plays through\n",
			     "ioscope: --paused 只对界面有效；文字输出会一直播放到结束\n"), stderr);
	return screen;
}

int cli_fail_stdout(int err)
{
	if (err == -EPIPE)              /* the reader left (| head): as SIGPIPE would, quietly */
		return EXIT_RUNTIME;
	fprintf(stderr, cli_tr("ioscope: standard output: %s\n", "ioscope: 标准输出：%s\n"),
		err < 0 ? strerror(-err) : cli_tr("write error", "写入出错"));
	return EXIT_RUNTIME;
}

/* What is still buffered for stdout, and any write that failed before. */
static int close_stdout(int rc)
{
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return rc;
	if (rc != 0)          /* the command said why already */
		return rc;
	return cli_fail_stdout(errno != 0 ? -errno : 0);
}

int cli_screen_run(const struct tui_opts *t)
{
	char cause[1024] = "";
	int rc = tui_main(t, cause, sizeof cause);

	if (rc == 0)
		return 0;
	fprintf(stderr, "ioscope: %s\n", cause);
	return rc == -EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
}

static int parse_speed(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v > 0 && v <= 1000))
		return -1;
	*out = v;
	return 0;
}

/* An option getopt did not know, or one without its value, and the
 * closest it could have been. */
static int fail_option(int ch, const char *word, const struct option *opts)
{
	const char *names[64];
	char buf[8];
	int n = 0;

	for (; n < 64 && opts[n].name != NULL; n++)
		names[n] = opts[n].name;
	if (ch == ':') {
		for (int i = 0; i < n; i++)
			if (opts[i].val == optopt)
				return cli_fail_usage(cli_tr("option '--%s' needs a value", "选项 '--%s' 需要一个值"),
						      opts[i].name);
		snprintf(buf, sizeof buf, "-%c", optopt);
		return cli_fail_usage(cli_tr("option '%s' needs a value", "选项 '%s' 需要一个值"), buf);
	}
	if (optopt != 0 && strncmp(word, "--", 2) == 0) {     /* --plain=x */
		for (int i = 0; i < n; i++)
			if (opts[i].val == optopt)
				return cli_fail_usage(cli_tr("option '--%s' takes no value", "选项 '--%s' 不带值"),
						      opts[i].name);
	}
	if (optopt != 0) {            /* a short option: -x */
		snprintf(buf, sizeof buf, "-%c", optopt);
		word = buf;
	}
	return cli_fail_option(word, names, n);
}

/* Options shared by the commands (getopt_long's table). */
static const struct option opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "model", required_argument, NULL, 'm' },
	{ "speed", required_argument, NULL, 's' },
	{ "record", required_argument, NULL, 'r' },
	{ "lang", required_argument, NULL, 'l' },
	{ "plain", no_argument, NULL, 'j' },
	{ "probe", no_argument, NULL, 'P' },
	{ "fds", required_argument, NULL, 'F' },
	{ "low", required_argument, NULL, 'L' },
	{ "models", required_argument, NULL, 'M' },
	{ "csv", no_argument, NULL, 'C' },
	{ "trace", no_argument, NULL, 'B' },
	{ "events", required_argument, NULL, 'E' },
	{ "paused", no_argument, NULL, 'Z' },
	{ "play", no_argument, NULL, 'Y' },
	{ "runs", no_argument, NULL, 'R' },
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "size", required_argument, NULL, 'S' },
	{ "theme", required_argument, NULL, 'T' },
	{ "force", no_argument, NULL, 'O' },
	{ "servers", no_argument, NULL, 'G' },
	{ "conns", required_argument, NULL, 'N' },
	{ "pid", required_argument, NULL, 'I' },
	{ "attach", no_argument, NULL, 'A' },
	{ NULL, 0, NULL, 0 },
};
#define SHORT_OPTS ":o:hp:"

/* Whether option word w (after its dashes, up to '=') takes a value: the
 * long option it names or begins uniquely. */
static int long_takes_value(const char *w)
{
	size_t len = strcspn(w, "=");
	int found = -1, n = 0;

	for (int i = 0; opts[i].name != NULL; i++) {
		if (strncmp(opts[i].name, w, len) != 0)
			continue;
		if (strlen(opts[i].name) == len)
			return opts[i].has_arg == required_argument;
		found = i;
		n++;
	}
	return n == 1 && opts[found].has_arg == required_argument;
}

/* Where the program of attach or exercise begins in argv (its first word,
 * or the "--" before it), or argc: everything from there is the program's,
 * its options too, with or without "--" (getopt would otherwise take
 * "python3 -m http.server"'s -m as ioscope's --model).  exercise's first
 * operand is the exercise's name. */
static int program_at(int argc, char **argv)
{
	const char *cmd = NULL;
	int names = 0;

	for (int i = 1; i < argc; i++) {
		const char *w = argv[i];

		if (strcmp(w, "--") == 0)
			return cmd != NULL ? i : argc;
		if (strncmp(w, "--", 2) == 0) {
			i += strchr(w, '=') == NULL && long_takes_value(w + 2);
		} else if (w[0] == '-' && w[1] != '\0') {
			size_t k = strcspn(w + 1, "op");   /* -o and -p take a value */

			i += k < strlen(w + 1) && w[k + 2] == '\0';
		} else if (cmd == NULL) {
			if (strcmp(w, "attach") != 0 && strcmp(w, "exercise") != 0)
				return argc;
			cmd = w;
			names = strcmp(w, "exercise") == 0;
		} else if (names > 0) {
			names--;
		} else {
			return i;
		}
	}
	return argc;
}

/* Options shared by the commands, before or after the command; returns
 * the index of the first operand (getopt moves the operands to the end),
 * or -1 after printing the error. */
static int parse_opts(int argc, char **argv, struct cli *c)
{
	int ch;
	char extra, **copy = malloc(((size_t)argc + 1) * sizeof *copy);

	/* A first pass over a copy (getopt reorders what it reads) finds the
	 * command, so that an error in any option can point at that command's
	 * help; optind 0 makes getopt start afresh. */
	opterr = 0;
	cli_cmd = NULL;
	if (copy != NULL) {
		memcpy(copy, argv, ((size_t)argc + 1) * sizeof *copy);
		optind = 0;
		while (getopt_long(argc, copy, SHORT_OPTS, opts, NULL) != -1)
			;
		if (optind < argc && cli_command_known(copy[optind]))
			cli_cmd = copy[optind];
		free(copy);
	}
	optind = 0;
	while ((ch = getopt_long(argc, argv, SHORT_OPTS, opts, NULL)) != -1) {
		switch (ch) {
		case 'h': c->help = 1; break;
		case 'V': c->version = 1; break;
		case 'm': c->model = optarg; break;
		case 'r': c->record = optarg; break;
		case 'j': c->plain = 1; break;
		case 'Z': c->paused = 1; break;
		case 'Y': c->paused = -1; break;      /* tui_opts.paused: -1 plays */
		case 'R': c->runs = 1; break;
		case 'f': c->format = optarg; break;
		case 'o': c->output = optarg; break;
		case 'O': c->force = 1; break;
		case 'S':
			if (sscanf(optarg, "%dx%d%c", &c->width, &c->height, &extra) != 2 ||
			    c->width < TUI_MIN_W || c->height < TUI_MIN_H ||
			    c->width > EXPORT_CAST_MAX || c->height > EXPORT_CAST_MAX)
				return cli_fail_usage(cli_tr("--size expects WIDTHxHEIGHT, from 80x24 to 1000x1000, got '%s'",
							     "--size 应为 宽x高，从 80x24 到 1000x1000，而不是 '%s'"),
						      optarg), -1;
			break;
		case 'T':
			if ((c->theme = theme_from(optarg)) < 0)
				return cli_fail_choice(optarg, theme_names, THEME_MAX,
						       cli_tr("--theme expects default, classroom or mono, got '%s'",
							      "--theme 应为 default、classroom 或 mono，而不是 '%s'"),
						       optarg), -1;
			break;
		case 'P': c->probe = 1; break;
		case 'F': c->fds = optarg; break;
		case 'L': c->low = optarg; break;
		case 'M': c->models = optarg; break;
		case 'G': bench_servers = 1; break;
		case 'A': c->attach = 1; break;
		case 'p':                             /* attach -p PID */
		case 'I': {                           /* --pid */
			char *end;
			long v;

			/* "attach -p --help": help, not a bad process id. */
			if (strcmp(optarg, "--help") == 0 || strcmp(optarg, "-h") == 0) {
				c->help = 1;
				break;
			}
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || v < 1 || v > 4194304)
				return cli_fail_usage(cli_tr("-p expects a process id (1 to 4194304), got '%s'",
							     "-p 应为进程号（1 到 4194304），而不是 '%s'"), optarg), -1;
			c->pid = (int)v;
			break;
		}
		case 'N': bench_conns = optarg; break;
		case 'C': c->csv = 1; break;
		case 'B': c->trace = 1; break;
		case 'E': c->events = optarg; break;
		case 's':
			if (parse_speed(optarg, &c->speed) != 0)
				return cli_fail_usage(cli_tr("--speed expects a number above 0 and at most 1000, got '%s'",
							     "--speed 应为大于 0、不超过 1000 的数，而不是 '%s'"), optarg), -1;
			break;
		case 'l':
			if ((c->lang = narrate_lang_from(optarg)) < 0)
				return cli_fail_usage(cli_tr("--lang expects en or zh, got '%s'",
							     "--lang 应为 en 或 zh，而不是 '%s'"), optarg), -1;
			break;
		default:
			fail_option(ch, argv[optind - 1], opts);
			if (cli_cmd != NULL && (strcmp(cli_cmd, "attach") == 0 || strcmp(cli_cmd, "exercise") == 0))
				fprintf(stderr, cli_tr("(an option of the program? put it after the program's name, or -- before the program: ioscope %s -- CMD ARGS...)\n",
						       "（是程序的选项？把它写在程序名之后，或在程序前加 --：ioscope %s -- CMD ARGS...）\n"),
					cli_cmd);
			return -1;
		}
	}
	return optind;
}

static int cmd_run(int argc, char **argv, struct cli *c)
{
	char path[PATH_MAX + 64], cause[1024] = "";
	struct run_opts o = {
		.model = c->model, .speed = c->speed, .record = c->record,
		.lang = c->lang, .out = stdout, .grace_ms = 1000, .no_replace = !c->force,
	};
	int rc;

	if (argc != 1)
		return cli_fail_usage(cli_tr("run expects one scenario (see 'ioscope scenarios')%s",
					     "run 需要一个场景（见 'ioscope scenarios'）%s"), "");
	o.scenario = scenario_path(argv[0], path, sizeof path);
	if (scenario_unknown(argv[0], o.scenario))
		return cli_fail_unknown(CLI_SCENARIO, argv[0], NULL);
	if (c->model != NULL && !model_known(c->model))
		return cli_fail_unknown(CLI_MODEL, c->model, NULL);
	if (cli_want_screen(c)) {
		struct tui_opts t = { .run = o, .paused = c->paused, .theme = c->theme };

		return cli_screen_run(&t);
	}
	/* A recording FIFO whose reader left is a write error the run reports
	 * (exit 1, naming it), not a silent death; standard output whose
	 * reader left (| head) ends the run with exit 1 and no word, as
	 * SIGPIPE would have. */
	signal(SIGPIPE, SIG_IGN);
	cause[0] = '\0';
	rc = run_scenario(&o, cause, sizeof cause);
	if (rc == 0)
		return 0;
	if (cause[0] != '\0')
		fprintf(stderr, "ioscope: %s\n", cause);
	return rc == -EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
}

static int cmd_replay(int argc, char **argv, struct cli *c)
{
	char cause[1024];
	struct trace *t;
	size_t skipped = 0;
	int rc;

	if (argc != 1)
		return cli_fail_usage(cli_tr("replay expects one trace file%s", "replay 需要一个跟踪文件%s"), "");
	if (cli_want_screen(c)) {
		struct tui_opts to = { .replay = argv[0], .paused = c->paused, .theme = c->theme,
				       .run = { .speed = c->speed, .lang = c->lang } };

		return cli_screen_run(&to);
	}
	if (trace_read(argv[0], &t, &skipped, cause, sizeof cause) != 0) {
		fprintf(stderr, "ioscope: %s\n", cause);
		return EXIT_USAGE;
	}
	rc = export_text(t, c->lang, stdout);        /* what --plain prints */
	if (skipped > 0)
		fprintf(stderr, cli_tr("ioscope: %s: the last line was cut short (a run stopped mid-write) and was skipped\n",
				       "ioscope: %s: 最后一行不完整（运行在写入途中停止），已跳过\n"), argv[0]);
	trace_free(t);
	return rc != 0 ? cli_fail_stdout(rc) : 0;
}

static int check_one(const char *path)
{
	char cause[1024];
	size_t l = strlen(path), skipped = 0;

	if (l > 3 && strcmp(path + l - 3, ".md") == 0) {
		struct lesson *le;

		if (lesson_load(path, &le, cause, sizeof cause) != 0) {
			fprintf(stderr, "ioscope: %s\n", cause);
			return EXIT_USAGE;
		}
		if (lesson_check(le, cli_data_dir(), cause, sizeof cause) != 0) {
			fprintf(stderr, "ioscope: %s\n", cause);
			lesson_free(le);
			return EXIT_USAGE;
		}
		printf("%s: ok, lesson '%s': %d sections\n", path, le->title, le->nsections);
		lesson_free(le);
	} else if (l > 4 && strcmp(path + l - 4, ".scn") == 0) {
		struct scn *s;

		if (scn_load(path, &s, cause, sizeof cause) != 0) {
			fprintf(stderr, "ioscope: %s\n", cause);
			return EXIT_USAGE;
		}
		if (scn_check_models(s, model_known, model_names(), cause, sizeof cause) != 0) {
			fprintf(stderr, "ioscope: %s\n", cause);
			scn_free(s);
			return EXIT_USAGE;
		}
		printf("%s: ok, scenario '%s': %d actors, %d actions\n", path, s->name,
		       s->nactors, s->nactions);
		scn_free(s);
	} else {
		struct trace *t;

		if (trace_read(path, &t, &skipped, cause, sizeof cause) != 0) {
			fprintf(stderr, "ioscope: %s\n", cause);
			return EXIT_USAGE;
		}
		printf("%s: ok, trace of '%s': %zu events%s\n", path, trace_hdr(t)->scenario,
		       trace_count(t), skipped ? " (a cut-short last line skipped)" : "");
		trace_free(t);
	}
	return 0;
}

static int cmd_check(int argc, char **argv)
{
	int rc = 0;

	if (argc < 1)
		return cli_fail_usage(cli_tr("check expects one or more files%s", "check 需要一个或多个文件%s"), "");
	for (int i = 0; i < argc; i++)
		if (check_one(argv[i]) != 0)
			rc = EXIT_USAGE;
	return rc;
}

/* bench --trace: its own options only. */
static int bench_trace(const struct cli *c)
{
	if (!c->trace)
		return cli_fail_usage(cli_tr("--events goes with --trace%s", "--events 需要和 --trace 一起使用%s"), "");
	if (c->probe || c->fds != NULL || c->low != NULL || c->models != NULL)
		return cli_fail_usage(cli_tr("bench --trace takes --events and --csv only%s",
					     "bench --trace 只接受 --events 和 --csv%s"), "");
	return cli_bench_trace(c);
}

static void servers_progress(const char *model, int conns, void *arg)
{
	(void)arg;
	fprintf(stderr, cli_tr("  %s at %d connections…\n", "  %s，%d 个连接……\n"), model, conns);
}

/* bench --servers: its own options only. */
static int bench_servers_run(const struct cli *c)
{
	int conns[SERVER_BENCH_MAX_SIZES], n, err;
	const char *models[SERVER_BENCH_MAX_MODELS];
	struct server_bench_opts o = { .csv = c->csv };
	char cause[256];

	if (!bench_servers)
		return cli_fail_usage(cli_tr("--conns goes with --servers%s", "--conns 需要和 --servers 一起使用%s"), "");
	if (c->probe || c->trace || c->events != NULL || c->fds != NULL || c->low != NULL)
		return cli_fail_usage(cli_tr("bench --servers takes --conns, --models and --csv only%s",
					     "bench --servers 只接受 --conns、--models 和 --csv%s"), "");
	if (bench_conns != NULL) {
		if ((n = server_bench_parse_conns(bench_conns, conns, SERVER_BENCH_MAX_SIZES, cause, sizeof cause)) < 0)
			return cli_fail_usage("--conns: %s", cause);
		o.conns = conns;
		o.nsizes = n;
	}
	if (c->models != NULL) {
		if ((n = server_bench_parse_models(c->models, models, SERVER_BENCH_MAX_MODELS, cause, sizeof cause)) < 0)
			return cli_fail_usage("--models: %s", cause);
		o.models = models;
		o.nmodels = n;
	}
	if (isatty(STDERR_FILENO)) {
		fputs(cli_tr("measuring servers under load; about 3 s a model and size, more at 10000…\n",
			     "正在测量负载下的服务器；每个模型、每种规模约 3 秒，10000 个连接时更久……\n"), stderr);
		o.progress = servers_progress;
	}
	if ((err = server_bench_run(&o, stdout, cause, sizeof cause)) < 0) {
		fprintf(stderr, "ioscope: bench: %s\n", cause);
		return err == -EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
	}
	return 0;
}

static int cmd_bench(int argc, struct cli *c)
{
	int fds[MUX_BENCH_MAX_SIZES], lows[MUX_BENCH_MAX_LOWS], n, err;
	const char *models[MUX_BENCH_MAX_MODELS];
	struct mux_bench_opts o = { .csv = c->csv };
	char cause[256];

	if (argc != 0)
		return cli_fail_usage(cli_tr("bench takes options only%s", "bench 只接受选项%s"), "");
	if (bench_servers || bench_conns != NULL)
		return bench_servers_run(c);
	if (c->attach)
		return cli_bench_attach(c);
	if (c->trace || c->events != NULL)
		return bench_trace(c);
	if (c->probe)
		return bench_probe(stdout) == 0 ? 0 : EXIT_RUNTIME;
	if (c->fds != NULL) {
		if ((n = mux_bench_parse_list(c->fds, fds, MUX_BENCH_MAX_SIZES, cause, sizeof cause)) < 0)
			return cli_fail_usage("--fds: %s", cause);
		o.fds = fds;
		o.nsizes = n;
	}
	if (c->low != NULL) {
		if ((n = mux_bench_parse_lows(c->low, lows, MUX_BENCH_MAX_LOWS, cause, sizeof cause)) < 0)
			return cli_fail_usage("--low: %s", cause);
		o.lows = lows;
		o.nlows = n;
	}
	if (c->models != NULL) {
		if ((n = mux_bench_parse_models(c->models, models, MUX_BENCH_MAX_MODELS, cause, sizeof cause)) < 0)
			return cli_fail_usage("--models: %s", cause);
		o.models = models;
		o.nmodels = n;
	}
	if (isatty(STDERR_FILENO))
		fputs(cli_tr("measuring select, poll and epoll; this takes about 20 s…\n",
			     "正在测量 select、poll 和 epoll，大约需要 20 秒……\n"), stderr);
	if ((err = mux_bench_run(&o, stdout, cause, sizeof cause)) < 0) {
		fprintf(stderr, "ioscope: bench: %s\n", cause);
		return err == -EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
	}
	return 0;
}

/* --lang as the command line gives it, before getopt has read it, so that
 * an error in an earlier option is already in that language. */
static int lang_from_args(int argc, char **argv, int lang)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *v = strncmp(argv[i], "--lang=", 7) == 0 ? argv[i] + 7 :
				strcmp(argv[i], "--lang") == 0 && i + 1 < argc ? argv[i + 1] : NULL;

		if (v != NULL && narrate_lang_from(v) >= 0)
			lang = narrate_lang_from(v);
	}
	return lang;
}

/* Whether the locale's name in the environment asks for UTF-8. */
static int env_wants_utf8(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };

	for (int i = 0; i < 3; i++) {
		const char *v = getenv(vars[i]);

		if (v != NULL && *v != '\0')
			return strcasestr(v, "utf-8") != NULL || strcasestr(v, "utf8") != NULL;
	}
	return 0;
}

/* The user's locale for characters, numbers always in C (a --speed of 1.5
 * is read, and the trace written, with a point).  A locale the environment
 * names but this machine lacks (zh_CN.UTF-8 in a fresh container) leaves
 * the C locale, where every CJK character is drawn as '?': C.UTF-8, which
 * every glibc has, draws them then, and the language stays the one LANG or
 * --lang chose.  Chinese asks for wide characters even under LANG=C. */
static void locale_init(int lang)
{
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");
	if (MB_CUR_MAX > 1 || !(lang == LANG_ZH || env_wants_utf8()))
		return;
	setlocale(LC_CTYPE, "C.UTF-8");
}

static int cmd_menu(const struct cli *c)
{
	if (cli_want_screen(c)) {
		struct tui_opts t = { .menu = true, .data_dir = cli_data_dir(), .theme = c->theme,
				      .run = { .speed = c->speed, .lang = c->lang, .grace_ms = 1000 } };

		return cli_screen_run(&t);
	}
	return cli_lessons(c->lang, c->runs);
}

/* A command that takes no operand. */
static int no_operands(int argc, const char *cmd)
{
	if (argc == 0)
		return 0;
	cli_fail_usage(cli_tr("%s takes no arguments", "%s 不接受参数"), cmd);
	return -1;
}

static int command(int argc, char **argv)
{
	struct cli c = { .speed = 1.0, .lang = narrate_lang_from_env() };
	const char *cmd;
	int first, prog = program_at(argc, argv);

	tui_started_ns = trace_mono_ns();
	/* The program's words follow the operands, "--" dropped. */
	if (prog < argc && strcmp(argv[prog], "--") == 0) {
		memmove(&argv[prog], &argv[prog + 1], (size_t)(argc - prog) * sizeof *argv);
		argc--;
	}
	cli_lang = c.lang = lang_from_args(prog, argv, c.lang);
	if ((first = parse_opts(prog, argv, &c)) < 0)
		return EXIT_USAGE;
	cli_lang = c.lang;
	locale_init(c.lang);
	argc -= first;
	argv += first;
	if (c.version) {
		printf("ioscope %s\n", IOSCOPE_VERSION);
		return 0;
	}
	if (argc == 0)                    /* the lesson menu, or its list */
		return c.help ? cli_help(NULL) : cmd_menu(&c);
	cmd = argv[0];
	argc--;
	argv++;
	if (c.help)
		return cli_help(cmd);
	if (strcmp(cmd, "help") == 0)
		return argc > 1 ? cli_fail_usage(cli_tr("help takes at most one command%s", "help 最多接受一个命令%s"), "") :
			cli_help(argc == 1 ? argv[0] : NULL);
	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc, argv, &c);
	if (strcmp(cmd, "replay") == 0)
		return cmd_replay(argc, argv, &c);
	if (strcmp(cmd, "check") == 0)
		return cmd_check(argc, argv);
	if (strcmp(cmd, "models") == 0)
		return no_operands(argc, cmd) < 0 ? EXIT_USAGE : cmd_models();
	if (strcmp(cmd, "lessons") == 0)
		return no_operands(argc, cmd) < 0 ? EXIT_USAGE : cli_lessons(c.lang, c.runs);
	if (strcmp(cmd, "lesson") == 0)
		return cli_lesson(argc, argv, &c);
	if (strcmp(cmd, "export") == 0)
		return cli_export(argc, argv, &c);
	if (strcmp(cmd, "scenarios") == 0)
		return no_operands(argc, cmd) < 0 ? EXIT_USAGE : cmd_scenarios();
	if (strcmp(cmd, "bench") == 0)
		return cmd_bench(argc, &c);
	if (strcmp(cmd, "attach") == 0)
		return cli_attach(argc, argv, &c);
	if (strcmp(cmd, "exercise") == 0)
		return cli_exercise(argc, argv, &c);
	return cli_fail_unknown(CLI_COMMAND, cmd, NULL);
}

int main(int argc, char **argv)
{
	return close_stdout(command(argc, argv));
}
