/* ioscope.c: the command line. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#include "bench.h"
#include "cli.h"
#include "lessons/lesson.h"
#include "trace/export.h"
#include "models/model.h"
#include "models/mux_bench.h"
#include "run.h"
#include "scenarios/scn.h"
#include "trace/narrate.h"
#include "tui/render.h"
#include "tui/tui.h"

#ifndef IOSCOPE_DATADIR
#define IOSCOPE_DATADIR "/usr/local/share/ioscope"
#endif


static const char usage[] =
"usage: ioscope [COMMAND [ARGS]]\n"
"\n"
"  (no command)        the lesson menu; without a terminal, the lesson list\n"
"  lessons             list the lessons        lesson N|NAME [--lang en|zh]  open one\n"
"  run SCENARIO [--model M] [--speed X] [--play] [--record FILE [--force]]\n"
"              [--plain] [--lang en|zh] [--theme default|classroom|mono]\n"
"                      run a scenario through real, traced IO models\n"
"  replay FILE [--speed X] [--play] [--plain] [--lang en|zh] [--theme T]\n"
"                      show a recorded trace again\n"
"  check FILE...       validate scenario (.scn), lesson (.md) and trace (.jsonl) files\n"
"  export FILE --format chrome|asciicast|text [-o OUT [--force]] [--size WxH]\n"
"                      a trace for Perfetto, asciinema, or as a plain transcript\n"
"  scenarios           list the scenarios\n"
"  models              list the IO models, and whether each can run here\n"
"  bench [--fds LIST] [--models LIST] [--csv]\n"
"                      the cost of one wait as watched fds grow: select, poll, epoll\n"
"  bench --probe       what tracing adds to one syscall\n"
"  --help, --version\n"
"\n"
"On a terminal, run and replay open the screen, paused until space (or\n"
"--play); ? lists the keys.  With --plain, or when output is not a\n"
"terminal, they narrate one line per event.\n"
"--record and -o never replace an existing file unless --force is given;\n"
"a device, a FIFO or a symbolic link's target is written, never replaced.\n"
"Exit status: 0 success, 1 runtime failure, 2 bad usage or bad input file.\n";

int cli_fail_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "ioscope: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(try 'ioscope --help')\n");
	return EXIT_USAGE;
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

static int cmd_models(void)
{
	model_table_init();
	for (int i = 0; i < model_count; i++) {
		const struct model_ops *m = model_table[i];
		const char *why = "";
		int ok = m->available(&why) == 0;

		printf("%-12s %-10s %s\n", m->name, ok ? "available" : "missing",
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
				printf("%-12s %s\n", s->name, s->title[0]);
				scn_free(s);
			}
		}
		free(names[i]);
	}
	free(names);
	return 0;
}


static int theme_from(const char *s)
{
	static const char *const names[THEME_MAX] = { "default", "classroom", "mono" };

	for (int i = 0; i < THEME_MAX; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

/* The screen, or plain text: --plain, no terminal, or a terminal curses
 * cannot drive. */
int cli_want_screen(const struct cli *c)
{
	const char *term = getenv("TERM");

	if (c->plain || !isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) ||
	    term == NULL || *term == '\0' || strcmp(term, "dumb") == 0)
		return 0;
	if (!tui_term_known()) {
		fprintf(stderr, "ioscope: TERM '%s' is unknown to curses; plain output instead\n", term);
		return 0;
	}
	return 1;
}

int cli_fail_stdout(int err)
{
	fprintf(stderr, "ioscope: standard output: %s\n",
		err < 0 ? strerror(-err) : "write error");
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

/* Options shared by the commands; returns the index of the first operand,
 * or -1 after printing the error. */
static int parse_opts(int argc, char **argv, struct cli *c)
{
	static const struct option opts[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "speed", required_argument, NULL, 's' },
		{ "record", required_argument, NULL, 'r' },
		{ "lang", required_argument, NULL, 'l' },
		{ "plain", no_argument, NULL, 'p' },
		{ "probe", no_argument, NULL, 'P' },
		{ "fds", required_argument, NULL, 'F' },
		{ "models", required_argument, NULL, 'M' },
		{ "csv", no_argument, NULL, 'C' },
		{ "paused", no_argument, NULL, 'Z' },
		{ "play", no_argument, NULL, 'Y' },
		{ "runs", no_argument, NULL, 'R' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "size", required_argument, NULL, 'S' },
		{ "theme", required_argument, NULL, 'T' },
		{ "force", no_argument, NULL, 'O' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	char extra;

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (ch) {
		case 'm': c->model = optarg; break;
		case 'r': c->record = optarg; break;
		case 'p': c->plain = 1; break;
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
				return cli_fail_usage("--size expects WIDTHxHEIGHT, from 80x24 to 1000x1000, got '%s'",
						  optarg), -1;
			break;
		case 'T':
			if ((c->theme = theme_from(optarg)) < 0)
				return cli_fail_usage("--theme expects default, classroom or mono, got '%s'", optarg), -1;
			break;
		case 'P': c->probe = 1; break;
		case 'F': c->fds = optarg; break;
		case 'M': c->models = optarg; break;
		case 'C': c->csv = 1; break;
		case 's':
			if (parse_speed(optarg, &c->speed) != 0)
				return cli_fail_usage("--speed expects a number above 0 and at most 1000, got '%s'", optarg), -1;
			break;
		case 'l':
			if ((c->lang = narrate_lang_from(optarg)) < 0)
				return cli_fail_usage("--lang expects en or zh, got '%s'", optarg), -1;
			break;
		default:
			return cli_fail_usage("unknown or incomplete option '%s'", argv[optind - 1]), -1;
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
		return cli_fail_usage("run expects one scenario (see 'ioscope scenarios')%s", "");
	o.scenario = scenario_path(argv[0], path, sizeof path);
	if (cli_want_screen(c)) {
		struct tui_opts t = { .run = o, .paused = c->paused, .theme = c->theme };

		return cli_screen_run(&t);
	}
	/* A recording FIFO whose reader left, or a closed stdout, is a write
	 * error the run reports (exit 1, naming which), not a silent death. */
	signal(SIGPIPE, SIG_IGN);
	rc = run_scenario(&o, cause, sizeof cause);
	if (rc == 0)
		return 0;
	fprintf(stderr, "ioscope: %s\n", cause);
	return rc == -EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
}

static int cmd_replay(int argc, char **argv, struct cli *c)
{
	char cause[1024];
	struct trace *t;
	struct narrator n;
	size_t skipped = 0;
	int err;

	if (argc != 1)
		return cli_fail_usage("replay expects one trace file%s", "");
	if (cli_want_screen(c)) {
		struct tui_opts to = { .replay = argv[0], .paused = c->paused, .theme = c->theme,
				       .run = { .speed = c->speed, .lang = c->lang } };

		return cli_screen_run(&to);
	}
	if (trace_read(argv[0], &t, &skipped, cause, sizeof cause) != 0) {
		fprintf(stderr, "ioscope: %s\n", cause);
		return EXIT_USAGE;
	}
	errno = 0;
	narrate_begin(&n, stdout, t, c->lang);
	for (size_t i = 0; i < trace_count(t) && !ferror(stdout); i++)
		narrate_ev(&n, trace_at(t, i));
	if (!ferror(stdout))
		narrate_end(&n);
	err = errno;
	if (skipped > 0)
		fprintf(stderr, "ioscope: %s: the last line was cut short (a run stopped mid-write) and was skipped\n", argv[0]);
	trace_free(t);
	return ferror(stdout) ? cli_fail_stdout(-err) : 0;
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
		return cli_fail_usage("check expects one or more files%s", "");
	for (int i = 0; i < argc; i++)
		if (check_one(argv[i]) != 0)
			rc = EXIT_USAGE;
	return rc;
}

static int cmd_bench(int argc, struct cli *c)
{
	int fds[MUX_BENCH_MAX_SIZES], n, err;
	const char *models[MUX_BENCH_MAX_MODELS];
	struct mux_bench_opts o = { .csv = c->csv };
	char cause[256];

	if (argc != 0)
		return cli_fail_usage("bench takes options only%s", "");
	if (c->probe)
		return bench_probe(stdout) == 0 ? 0 : EXIT_RUNTIME;
	if (c->fds != NULL) {
		if ((n = mux_bench_parse_list(c->fds, fds, MUX_BENCH_MAX_SIZES, cause, sizeof cause)) < 0)
			return cli_fail_usage("--fds: %s", cause);
		o.fds = fds;
		o.nsizes = n;
	}
	if (c->models != NULL) {
		if ((n = mux_bench_parse_models(c->models, models, MUX_BENCH_MAX_MODELS, cause, sizeof cause)) < 0)
			return cli_fail_usage("--models: %s", cause);
		o.models = models;
		o.nmodels = n;
	}
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "measuring select, poll and epoll; this takes about 20 s…\n");
	if ((err = mux_bench_run(&o, stdout, cause, sizeof cause)) < 0) {
		fprintf(stderr, "ioscope: bench: %s\n", cause);
		return err == -EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
	}
	return 0;
}

static int command(int argc, char **argv)
{
	struct cli c = { .speed = 1.0, .lang = narrate_lang_from_env() };
	const char *cmd;
	int first;

	tui_started_ns = trace_mono_ns();
	setlocale(LC_ALL, "");
	if (argc < 2) {                   /* the lesson menu, or its list */
		if (cli_want_screen(&c)) {
			struct tui_opts t = { .menu = true, .data_dir = cli_data_dir(),
					      .run = { .speed = 1, .lang = c.lang, .grace_ms = 1000 } };

			return cli_screen_run(&t);
		}
		return cli_lessons(c.lang, 0);
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("ioscope %s\n", IOSCOPE_VERSION);
		return 0;
	}
	cmd = argv[1];
	if ((first = parse_opts(argc - 1, argv + 1, &c)) < 0)
		return EXIT_USAGE;
	argc -= 1 + first;
	argv += 1 + first;
	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc, argv, &c);
	if (strcmp(cmd, "replay") == 0)
		return cmd_replay(argc, argv, &c);
	if (strcmp(cmd, "check") == 0)
		return cmd_check(argc, argv);
	if (strcmp(cmd, "models") == 0 && argc == 0)
		return cmd_models();
	if (strcmp(cmd, "lessons") == 0 && argc == 0)
		return cli_lessons(c.lang, c.runs);
	if (strcmp(cmd, "lesson") == 0)
		return cli_lesson(argc, argv, &c);
	if (strcmp(cmd, "export") == 0)
		return cli_export(argc, argv, &c);
	if (strcmp(cmd, "scenarios") == 0 && argc == 0)
		return cmd_scenarios();
	if (strcmp(cmd, "bench") == 0)
		return cmd_bench(argc, &c);
	return cli_fail_usage("unknown command or arguments: '%s'", cmd);
}

int main(int argc, char **argv)
{
	return close_stdout(command(argc, argv));
}
