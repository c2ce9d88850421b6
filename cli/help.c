/* help.c: what the command line says to a person: help for each
 * command, in English and Chinese, and the closest name when a word was not
 * one it knows ("did you mean fishing?"), with the list to choose from. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "lessons/lesson.h"
#include "models/model.h"
#include "view/narrate.h"

enum lang cli_lang = LANG_EN;

/* ---- help ---------------------------------------------------------------- */

struct opt_help {
	const char *name, *arg;     /* "model", "M" */
	const char *what[2];
};

static const struct opt_help opt_help[] = {
	{ "model", "M", { "put every actor on model M (see 'ioscope models')",
			  "让所有角色都改用模型 M（见 'ioscope models'）" } },
	{ "speed", "X", { "X times the scenario's own pace (above 0, at most 1000)",
			  "以场景节奏的 X 倍速播放（大于 0，最多 1000）" } },
	{ "paused", NULL, { "open the screen paused (the default): → steps, space plays",
			    "打开界面时先暂停（默认）：→ 单步，空格播放" } },
	{ "play", NULL, { "open the screen playing, not paused",
			  "打开界面后直接播放，不先暂停" } },
	{ "record", "FILE", { "also write the trace to FILE (for replay and export)",
			      "同时把跟踪写入 FILE（供 replay 和 export 使用）" } },
	{ "force", NULL, { "let --record or -o replace an existing file",
			   "允许 --record 或 -o 覆盖已有的文件" } },
	{ "plain", NULL, { "one line of narration per event, instead of the screen",
			   "不打开界面，每个事件输出一行文字叙述" } },
	{ "lang", "en|zh", { "language of screens, narration, messages (default: LANG)",
			     "界面、叙述和提示信息的语言（默认取自 LANG）" } },
	{ "theme", "T", { "colours: default, classroom (a projector) or mono",
			  "配色：default、classroom（适合投影）或 mono（单色）" } },
	{ "format", "F", { "chrome (Perfetto), asciicast (asciinema) or text",
			   "chrome（Perfetto）、asciicast（asciinema）或 text" } },
	{ "output", "OUT", { "or -o OUT: write to OUT, not to standard output",
			     "或 -o OUT：写入 OUT，而不是标准输出" } },
	{ "size", "WxH", { "the asciicast's screen: 80x24 to 1000x1000 (120x40)",
			   "asciicast 的屏幕：80x24 到 1000x1000（默认 120x40）" } },
	{ "runs", NULL, { "the runs the lessons show, as 'SCENARIO MODEL' lines",
			  "列出各课用到的运行，每行一个 'SCENARIO MODEL'" } },
	{ "fds", "LIST", { "how many fds to watch, e.g. 10,100,1000,10000",
			   "要监视的描述符数量，例如 10,100,1000,10000" } },
	{ "models", "LIST", { "the models to measure, e.g. select,poll,epoll",
			      "要测量的模型，例如 select,poll,epoll" } },
	{ "servers", NULL, { "measure the server models under many connections",
			     "测量服务器模型在大量连接下的表现" } },
	{ "conns", "LIST", { "with --servers: connections, e.g. 10,100,1000,10000",
			     "与 --servers 一起：连接数，例如 10,100,1000,10000" } },
	{ "low", "LIST", { "put the watched fds at numbers >= each N, e.g. 0,1000",
			   "把被监视的描述符放在不小于每个 N 的号码上，例如 0,1000" } },
	{ "csv", NULL, { "print CSV instead of a table", "输出 CSV，而不是表格" } },
	{ "probe", NULL, { "measure what tracing adds to one syscall",
			   "测量跟踪给一次系统调用增加的开销" } },
	{ "trace", NULL, { "measure check, replay and export on long traces",
			   "在很长的跟踪上测量 check、replay 和 export" } },
	{ "pid", "PID", { "or -p PID: attach to this running process (it runs on after)",
			  "或 -p PID：附着到这个正在运行的进程（之后它继续运行）" } },
	{ "attach", NULL, { "what tracing costs a program: untraced, ptrace, seccomp",
			    "跟踪给程序带来的代价：不跟踪、ptrace、seccomp" } },
	{ "events", "LIST", { "the traces' lengths, 1000 to 2000000, e.g. 1000,100000",
			      "跟踪的长度，从 1000 到 2000000，例如 1000,100000" } },
};

struct cmd_help {
	const char *name, *args;
	const char *what[2];        /* a line in the overview */
	const char *more[2];        /* a paragraph for 'ioscope help NAME' */
	const char *opts[12];       /* names in opt_help, in order */
};

static const struct cmd_help cmd_help[] = {
	{ "lessons", "[--runs]",
	  { "list the lessons", "列出所有课程" },
	  { "Lists the lessons in order, by number, name and title.",
	    "按顺序列出课程：编号、名称和标题。" }, { "lang", "runs" } },
	{ "lesson", "N|NAME [--speed X]",
	  { "open a lesson, by number or name", "打开一课（按编号或名称）" },
	  { "Opens lesson N (1, 5) or NAME (epoll, 05-epoll) on the screen; without\n"
	    "a terminal, prints its text.",
	    "在界面中打开第 N 课（1、5）或名为 NAME 的课（epoll、05-epoll）；\n"
	    "没有终端时，输出这一课的文字。" }, { "lang", "theme", "speed" } },
	{ "run", "SCENARIO [--model M] [--speed X] [--play] [--plain]\n"
		 "           [--record FILE [--force]]",
	  { "run a scenario through real, traced IO models", "用真实、可跟踪的 IO 模型运行一个场景" },
	  { "Runs SCENARIO, a name from 'ioscope scenarios' or a .scn file. On a\n"
	    "terminal it opens the screen (? lists its keys); with --plain, or when\n"
	    "output is not a terminal, it narrates one line per event.",
	    "运行 SCENARIO：'ioscope scenarios' 中的名称，或一个 .scn 文件。在终端中\n"
	    "打开界面（按 ? 查看按键）；使用 --plain 或输出不是终端时，每个事件输出\n"
	    "一行文字叙述。" },
	  { "model", "speed", "paused", "play", "record", "force", "plain", "lang", "theme" } },
	{ "replay", "FILE [--speed X] [--play] [--plain]",
	  { "show a recorded trace again", "重放一份录下的跟踪" },
	  { "Shows a trace written by 'run --record' again, on the screen or as\n"
	    "narration, as 'run' does.",
	    "像 run 一样重放 'run --record' 写下的跟踪：在界面中，或以文字叙述。" },
	  { "speed", "paused", "play", "plain", "lang", "theme" } },
	{ "check", "FILE...",
	  { "validate scenario (.scn), lesson (.md) and trace (.jsonl) files",
	    "检查场景（.scn）、课程（.md）和跟踪（.jsonl）文件" },
	  { "Reads each file as a scenario (.scn), a lesson (.md) or a trace, and\n"
	    "says 'ok' or names the line and column that is wrong.",
	    "把每个文件当作场景（.scn）、课程（.md）或跟踪读取，正确则输出 'ok'，\n"
	    "否则指出出错的行和列。" }, { NULL } },
	{ "export", "FILE --format chrome|asciicast|text\n"
		    "           [-o OUT [--force]] [--size WxH]",
	  { "a trace for Perfetto, asciinema, or as a plain transcript",
	    "把跟踪导出给 Perfetto、asciinema，或导出为文字记录" },
	  { "Converts a trace: chrome opens in ui.perfetto.dev, asciicast plays with\n"
	    "'asciinema play', text is a transcript for handouts.",
	    "转换一份跟踪：chrome 可在 ui.perfetto.dev 中打开，asciicast 可用\n"
	    "'asciinema play' 播放，text 是可打印的文字记录。" },
	  { "format", "output", "force", "size", "lang" } },
	{ "scenarios", "",
	  { "list the scenarios", "列出所有场景" },
	  { "Lists the scenarios 'ioscope run' knows by name.",
	    "列出 'ioscope run' 可以按名称运行的场景。" }, { NULL } },
	{ "models", "",
	  { "list the IO models, and whether each can run here", "列出 IO 模型，以及每个能否在本机运行" },
	  { "Lists the IO models, and for each one that cannot run on this machine,\n"
	    "why not.",
	    "列出所有 IO 模型；不能在本机运行的，说明原因。" }, { NULL } },
	{ "bench", "[--fds LIST] [--low LIST] [--models LIST] [--csv] | --probe\n"
		   "           | --trace [--events LIST] [--csv]\n"
		   "           | --servers [--conns LIST] [--models LIST] [--csv]\n"
		   "           | --attach",
	  { "the cost of one wait as watched fds grow", "被监视的描述符增多时，一次等待的代价" },
	  { "Measures one wait of select, poll and epoll as the number of watched\n"
	    "fds grows (about 20 s); --probe measures what tracing adds.\n"
	    "--low places the watched fds at numbers >= N: select's nfds grows\n"
	    "while the watched count stays; compare the times.\n"
	    "--trace makes traces of each length (1000,10000,100000,1000000) from\n"
	    "the fishing recording and times check (and jq), a replay on a 200x50\n"
	    "pseudo-terminal (its first frame, frames and keys) and each export,\n"
	    "with their peak memory.\n"
	    "--servers runs each server model (process-per-conn, thread-per-conn,\n"
	    "thread-pool, coroutines, epoll; one not in this build is skipped) in a\n"
	    "process of its own, serving echo to N connections from one epoll\n"
	    "thread: each sends 32 bytes every N/2000 s, one at a time, so 2000\n"
	    "requests/s at every N. Over 2 s it reports threads, memory (the\n"
	    "sum of the server's processes' Pss, from smaps_rollup), context\n"
	    "switches, p50 and p99 latency and requests/s; a size that cannot run\n"
	    "here (ulimit -n, -u, pid_max, memory) says why. About 3 s a size.\n"
	    "--attach measures what tracing costs a program's calls: untraced,\n"
	    "under ptrace, and under ptrace with the seccomp filter.",
	    "测量被监视的描述符增多时 select、poll 和 epoll 一次等待的耗时\n"
	    "（约 20 秒）；--probe 测量跟踪本身的开销。\n"
	    "--low 把被监视的描述符放在不小于 N 的号码上：select 的 nfds 变大，\n"
	    "被监视的数量不变；比较两者的耗时。\n"
	    "--trace 用 fishing 的录制生成各个长度（1000,10000,100000,1000000）\n"
	    "的跟踪，测量 check（以及 jq）、在 200x50 伪终端中的 replay（首帧、\n"
	    "每帧和按键）和各种导出的耗时，以及它们的内存峰值。\n"
	    "--servers 让每个服务器模型（process-per-conn、thread-per-conn、\n"
	    "thread-pool、coroutines、epoll；本构建中没有的会跳过）在自己的进程里\n"
	    "为一个 epoll 线程发起的 N 个连接做回显服务：每个连接每 N/2000 秒发 32\n"
	    "字节，一次只等一个回显，所以任何 N 下都是每秒 2000 个请求。\n"
	    "在 2 秒的窗口内报告线程数、内存（服务器各进程\n"
	    "smaps_rollup 中 Pss 之和）、上下文切换、p50 和 p99 延迟以及每秒请求数；\n"
	    "本机跑不了的规模（ulimit -n、-u、pid_max、内存）会说明原因。每种规模约 3 秒。\n"
	    "--attach 测量跟踪给程序的调用带来的代价：不跟踪、ptrace、以及带 seccomp\n"
	    "过滤器的 ptrace。" },
	  { "fds", "low", "models", "csv", "probe", "trace", "events", "servers", "conns", "attach" } },
	{ "attach", "[--plain] [--record FILE [--force]] [--] CMD ARGS...\n"
		    "           | -p PID [--plain] [--record FILE [--force]]",
	  { "trace any program: its threads, waits, copies and IO model",
	    "跟踪任何程序：它的线程、等待、拷贝和 IO 模型" },
	  { "Runs CMD (a program not written for ioscope, e.g. python3 srv.py) under\n"
	    "a tracer, or attaches to process PID, and shows each thread that does IO\n"
	    "on the same screen as the scenarios: its two phases, what blocks and for\n"
	    "how long, the sets handed to select and poll, epoll's lists, and the\n"
	    "model each thread uses, with the evidence. Every word after CMD is the\n"
	    "program's; put -- before CMD when it starts with a dash.\n"
	    "On the screen the program's output goes to a log file (named on exit),\n"
	    "space freezes the view (the program runs on), ←/→ then walk the events,\n"
	    "and q stops the program, or detaches from PID, which runs on.\n"
	    "With --plain, or without a terminal, it narrates one line per event.\n"
	    "Each call stopped costs the program tens of µs (measured, in the trace).\n"
	    "Where ptrace is refused (Yama's ptrace_scope), -p watches /proc instead:\n"
	    "only where threads sleep (IOSCOPE_ATTACH_PROC=1 forces that).\n"
	    "Attaching to PID and letting it go make a wait it is in (epoll_wait,\n"
	    "select) return EINTR to the program, as with any tracer: a program\n"
	    "that treats EINTR as fatal stops then.\n"
	    "Exit status: 0 when the program ran (its own status is printed), 1 on\n"
	    "a failure or an interruption, 2 for no program, no such program or PID.",
	    "在跟踪器下运行 CMD（一个并非为 ioscope 编写的程序，例如 python3 srv.py），\n"
	    "或附着到进程 PID，并在与场景相同的界面上显示每个做 IO 的线程：两个阶段、\n"
	    "什么阻塞了多久、交给 select 和 poll 的集合、epoll 的列表，以及每个线程\n"
	    "使用的模型和证据。CMD 之后的每个词都属于程序；CMD 以短横线开头时，\n"
	    "在它前面加 --。\n"
	    "在界面中，程序的输出写入日志文件（退出时给出路径）；空格冻结视图\n"
	    "（程序继续运行），之后 ←/→ 逐个查看事件；q 停止程序，或从 PID 脱离，\n"
	    "让它继续运行。使用 --plain 或没有终端时，每个事件输出一行文字叙述。\n"
	    "每次被拦下的调用让程序多花几十微秒（已测量，记录在跟踪中）。\n"
	    "不允许 ptrace 时（Yama 的 ptrace_scope），-p 改为观察 /proc：只能看到\n"
	    "线程睡在哪里（IOSCOPE_ATTACH_PROC=1 强制这样做）。\n"
	    "附着到 PID 和放开它时，它正在等待的调用（epoll_wait、select）会向程序\n"
	    "返回 EINTR，任何跟踪器都如此：把 EINTR 当作致命错误的程序会因此停下。\n"
	    "退出状态：程序运行过为 0（并输出它自己的退出状态），失败或被中断为 1，\n"
	    "没有程序、没有这个程序或进程为 2。" },
	  { "pid", "plain", "record", "force", "lang", "theme" } },
	{ "exercise", "[NAME [--] CMD ARGS... {port}]",
	  { "check your own server against an exercise", "用练习检查你自己写的服务器" },
	  { "Without NAME, lists the exercises. With NAME, starts your server CMD\n"
	    "with a free port in place of {port}, plays the exercise's clients\n"
	    "against it while tracing it, and prints PASS or FAIL for each\n"
	    "expectation with the evidence (e.g. echo-epoll: every reply right, the\n"
	    "server on a readiness model, never blocked in a read while another\n"
	    "client waits). Exit status 0 when every expectation passes, 1 if not.",
	    "不带 NAME 时列出所有练习。带 NAME 时，把 {port} 换成一个空闲端口，启动\n"
	    "你的服务器 CMD，一边跟踪它一边让练习的客户端连接它，并对每条要求输出\n"
	    "PASS 或 FAIL 以及证据（例如 echo-epoll：每个回复都正确、服务器使用就绪\n"
	    "模型、在别的客户端等待时从不阻塞在 read 里）。全部通过时退出状态为 0，\n"
	    "否则为 1。" },
	  { "lang" } },
	{ "help", "[COMMAND]",
	  { "this list, or the help of one command", "本列表，或某个命令的帮助" },
	  { "Prints the list of commands, or the usage and options of COMMAND\n"
	    "(as 'ioscope COMMAND --help' does).",
	    "输出命令列表，或 COMMAND 的用法和选项（与 'ioscope COMMAND --help' 相同）。" }, { NULL } },
};

enum { NCMDS = sizeof cmd_help / sizeof cmd_help[0] };

static const struct cmd_help *cmd_find(const char *name)
{
	for (int i = 0; i < NCMDS; i++)
		if (strcmp(cmd_help[i].name, name) == 0)
			return &cmd_help[i];
	return NULL;
}

int cli_command_known(const char *name)
{
	return cmd_find(name) != NULL;
}

/* Columns text takes on a terminal: CJK and fullwidth forms take two. */
static int text_width(const char *s)
{
	int w = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p & 0xc0) == 0x80)
			continue;
		if ((*p & 0xf0) == 0xe0 && p[1] != '\0' && p[2] != '\0') {
			unsigned cp = (*p & 0x0fu) << 12 | (p[1] & 0x3fu) << 6 | (p[2] & 0x3fu);

			w += cp >= 0x2e80 && cp < 0xfe70 ? 2 : cp >= 0xff00 && cp < 0xff61 ? 2 : 1;
		} else {
			w++;
		}
	}
	return w;
}

/* "  NAME   what": NAME padded to width columns. */
static void print_row(FILE *f, const char *name, int width, const char *what)
{
	int pad = width - text_width(name);

	fprintf(f, "  %s%*s %s\n", name, pad > 0 ? pad : 0, "", what);
}

static void print_opts(FILE *f, const char *const *names)
{
	for (; *names != NULL; names++)
		for (size_t i = 0; i < sizeof opt_help / sizeof opt_help[0]; i++) {
			const struct opt_help *o = &opt_help[i];
			char head[40];

			if (strcmp(o->name, *names) != 0)
				continue;
			snprintf(head, sizeof head, "--%s%s%s", o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
			print_row(f, head, 14, o->what[cli_lang]);
		}
}

static void print_overview(FILE *f)
{
	fprintf(f, "%sioscope [COMMAND [ARGS]] [--lang en|zh] [--theme T]\n\n",
		cli_tr("usage: ", "用法："));
	print_row(f, cli_tr("(no command)", "（无命令）"), 12,
		  cli_tr("the lesson menu; without a terminal, the lesson list",
			 "课程菜单；没有终端时，列出课程"));
	for (int i = 0; i < NCMDS; i++)
		print_row(f, cmd_help[i].name, 12, cmd_help[i].what[cli_lang]);
	fputs(cli_tr("\nOptions may come before or after the command; --lang en|zh and --theme\n"
		     "default|classroom|mono apply to every command, the menu included.\n"
		     "On a terminal, run, replay, lesson and attach open the screen (? lists\n"
		     "its keys); with --plain, or when output is not a terminal, they narrate\n"
		     "one line per event.\n"
		     "--record and -o never replace an existing file unless --force is given.\n"
		     "Exit status: 0 success, 1 runtime failure, 2 bad usage or bad input file.\n"
		     "'ioscope help COMMAND' shows a command's options; man ioscope says it all.\n",
		     "\n选项可以写在命令之前或之后；--lang en|zh 和 --theme default|classroom|mono\n"
		     "适用于所有命令，包括菜单。\n"
		     "在终端中，run、replay、lesson 和 attach 打开界面（按 ? 查看按键）；使用 --plain\n"
		     "或输出不是终端时，每个事件输出一行文字叙述。\n"
		     "--record 和 -o 不会覆盖已有文件，除非加上 --force。\n"
		     "退出状态：0 成功，1 运行时失败，2 用法错误或输入文件有误。\n"
		     "'ioscope help COMMAND' 显示某个命令的选项；完整说明见 man ioscope。\n"), f);
}

int cli_help(const char *cmd)
{
	const struct cmd_help *c = cmd != NULL ? cmd_find(cmd) : NULL;

	if (cmd == NULL) {
		print_overview(stdout);
		return 0;
	}
	if (c == NULL)
		return cli_fail_unknown(CLI_COMMAND, cmd, NULL);
	printf("%sioscope %s%s%s\n\n%s\n", cli_tr("usage: ", "用法："), c->name, *c->args ? " " : "",
	       c->args, c->more[cli_lang]);
	if (c->opts[0] != NULL) {
		printf("\n");
		print_opts(stdout, c->opts);
	}
	printf("%s", cli_tr("\nEvery command takes --lang and --theme; 'ioscope help' lists the commands.\n",
			    "\n所有命令都接受 --lang 和 --theme；'ioscope help' 列出所有命令。\n"));
	return 0;
}

/* ---- the closest name ---------------------------------------------------- */

/* The edit distance from a to b, a swap of two neighbours counting as one
 * edit ("modle" is one from "model"); words longer than 63 bytes are far
 * from everything. */
static int distance(const char *a, const char *b)
{
	int la = (int)strlen(a), lb = (int)strlen(b), d[64][64];

	if (la >= 64 || lb >= 64)
		return INT_MAX;
	for (int i = 0; i <= la; i++)
		d[i][0] = i;
	for (int j = 0; j <= lb; j++)
		d[0][j] = j;
	for (int i = 1; i <= la; i++)
		for (int j = 1; j <= lb; j++) {
			int cost = a[i - 1] != b[j - 1], v = d[i - 1][j - 1] + cost;

			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

const char *cli_closest(const char *word, const char *const *names, int n)
{
	size_t lw = strlen(word);
	int best = INT_MAX, limit = lw <= 3 ? 1 : lw <= 6 ? 2 : 3;
	const char *pick = NULL;

	if (lw == 0)
		return NULL;
	for (int i = 0; i < n; i++) {
		/* A beginning of a name is as good as one edit ("lesso"). */
		int d = strncmp(names[i], word, lw) == 0 ? 1 : distance(word, names[i]);

		if (d < best && d <= limit && (size_t)d < strlen(names[i])) {
			best = d;
			pick = names[i];
		}
	}
	return pick;
}

/* ---- the names of things ------------------------------------------------- */

enum { NAMES_MAX = 64 };
struct cli_names {
	char *v[NAMES_MAX];
	int n;
};

static void names_free(struct cli_names *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void names_add(struct cli_names *l, const char *s, size_t len)
{
	if (l->n < NAMES_MAX && (l->v[l->n] = strndup(s, len)) != NULL)
		l->n++;
}

/* The names of one kind: commands, scenario files (without .scn), models,
 * lessons in cli_lang (without their number: "epoll"). Returns how many;
 * a directory that cannot be read gives none. Free with names_free. */
static int names_of(int kind, struct cli_names *l)
{
	char dir[PATH_MAX + 16], **paths;
	struct dirent **ents;
	int n;

	l->n = 0;
	switch (kind) {
	case CLI_COMMAND:
		for (int i = 0; i < NCMDS; i++)
			names_add(l, cmd_help[i].name, strlen(cmd_help[i].name));
		break;
	case CLI_MODEL:
		model_table_init();
		for (int i = 0; i < model_count; i++)
			names_add(l, model_table[i]->name, strlen(model_table[i]->name));
		break;
	case CLI_SCENARIO:
		snprintf(dir, sizeof dir, "%s/scenarios", cli_data_dir());
		if ((n = scandir(dir, &ents, NULL, alphasort)) < 0)
			return 0;
		for (int i = 0; i < n; i++) {
			size_t len = strlen(ents[i]->d_name);

			if (len > 4 && strcmp(ents[i]->d_name + len - 4, ".scn") == 0)
				names_add(l, ents[i]->d_name, len - 4);
			free(ents[i]);
		}
		free(ents);
		qsort(l->v, (size_t)l->n, sizeof l->v[0], by_name);
		break;
	case CLI_LESSON:         /* "05-epoll" is asked for as "epoll" */
		if ((n = lesson_list(cli_data_dir(), lang_code(cli_lang), &paths)) < 0)
			return 0;
		for (int i = 0; i < n; i++) {
			const char *base = strrchr(paths[i], '/') + 1, *dash = strchr(base, '-');
			const char *name = dash != NULL ? dash + 1 : base;

			names_add(l, name, strlen(name) - 3);
		}
		lesson_list_free(paths);
		break;
	}
	return l->n;
}

static int name_known(int kind, const char *word)
{
	struct cli_names l;
	int found = 0;

	names_of(kind, &l);
	for (int i = 0; i < l.n && !found; i++)
		found = strcmp(l.v[i], word) == 0;
	names_free(&l);
	return found;
}

/* ", " between names in English, "、" in Chinese. */
static const char *comma(int i)
{
	return i == 0 ? "" : cli_tr(", ", "、");
}

static void print_list(const char *label, const struct cli_names *l)
{
	fprintf(stderr, "  %s%s", label, cli_tr(" ", ""));
	for (int i = 0; i < l->n; i++)
		fprintf(stderr, "%s%s", comma(i), l->v[i]);
	fputc('\n', stderr);
}

/* A command word that names a scenario or a lesson was meant for run or
 * lesson. */
static int fail_command(const char *word, const struct cli_names *cmds)
{
	const char *close = cli_closest(word, (const char *const *)cmds->v, cmds->n);

	if (close == NULL && name_known(CLI_SCENARIO, word))
		fprintf(stderr, cli_tr("ioscope: unknown command '%s'; did you mean 'ioscope run %s'?\n",
				       "ioscope: 未知命令 '%s'；是不是 'ioscope run %s'？\n"), word, word);
	else if (close == NULL && name_known(CLI_LESSON, word))
		fprintf(stderr, cli_tr("ioscope: unknown command '%s'; did you mean 'ioscope lesson %s'?\n",
				       "ioscope: 未知命令 '%s'；是不是 'ioscope lesson %s'？\n"), word, word);
	else if (close != NULL)
		fprintf(stderr, cli_tr("ioscope: unknown command '%s'; did you mean '%s'?\n",
				       "ioscope: 未知命令 '%s'；是不是 '%s'？\n"), word, close);
	else
		fprintf(stderr, cli_tr("ioscope: unknown command '%s'\n", "ioscope: 未知命令 '%s'\n"), word);
	print_list(cli_tr("commands:", "命令："), cmds);
	fputs(cli_tr("(try 'ioscope help')\n", "（参见 'ioscope help'）\n"), stderr);
	return EXIT_USAGE;
}

int cli_fail_unknown(int kind, const char *word, const char *extra)
{
	static const char *const what[][2] = {
		[CLI_COMMAND] = { "unknown command '%s'", "未知命令 '%s'" },
		[CLI_SCENARIO] = { "unknown scenario '%s'", "没有名为 '%s' 的场景" },
		[CLI_MODEL] = { "unknown model '%s'", "未知模型 '%s'" },
		[CLI_LESSON] = { "no lesson '%s'", "没有名为 '%s' 的课程" },
	};
	static const char *const list[][2] = {
		[CLI_COMMAND] = { "commands:", "命令：" },
		[CLI_SCENARIO] = { "scenarios:", "场景：" },
		[CLI_MODEL] = { "models:", "模型：" },
		[CLI_LESSON] = { "lessons:", "课程：" },
	};
	struct cli_names l;
	const char *close;

	names_of(kind, &l);
	if (kind == CLI_COMMAND) {
		fail_command(word, &l);
		names_free(&l);
		return EXIT_USAGE;
	}
	close = cli_closest(word, (const char *const *)l.v, l.n);
	fputs("ioscope: ", stderr);
	fprintf(stderr, what[kind][cli_lang], word);
	if (close != NULL)
		fprintf(stderr, cli_tr("; did you mean '%s'?", "；是不是 '%s'？"), close);
	if (kind == CLI_MODEL) {     /* the words run.c has always used */
		fprintf(stderr, cli_tr(" (expected one of: ", "（可选："));
		for (int i = 0; i < l.n; i++)
			fprintf(stderr, "%s%s", comma(i), l.v[i]);
		fputs(cli_tr(")\n", "）\n"), stderr);
	} else {
		fputc('\n', stderr);
		print_list(list[kind][cli_lang], &l);
	}
	if (extra != NULL)
		fprintf(stderr, "%s\n", extra);
	names_free(&l);
	return EXIT_USAGE;
}

/* The options 'ioscope help CMD' lists, as "--model, --speed, ...". */
static void print_cmd_opts(const char *cmd)
{
	const struct cmd_help *c = cmd != NULL ? cmd_find(cmd) : NULL;

	if (c == NULL || c->opts[0] == NULL)
		return;
	fprintf(stderr, cli_tr("  options of %s: ", "  %s 的选项："), c->name);
	for (int i = 0; c->opts[i] != NULL; i++)
		fprintf(stderr, "%s--%s", comma(i), c->opts[i]);
	fputc('\n', stderr);
}

int cli_fail_option(const char *word, const char *const *names, int n)
{
	char name[64];
	const char *close, *amb[8];
	int namb = 0;
	size_t len;

	snprintf(name, sizeof name, "%s", word + strspn(word, "-"));
	name[strcspn(name, "=")] = '\0';
	len = strlen(name);
	for (int i = 0; i < n && namb < 8 && strncmp(word, "--", 2) == 0; i++)
		if (len > 0 && strncmp(names[i], name, len) == 0)
			amb[namb++] = names[i];
	if (namb > 1) {               /* getopt takes a beginning that fits one */
		fprintf(stderr, cli_tr("ioscope: option '--%s' is ambiguous (", "ioscope: 选项 '--%s' 有歧义（"),
			name);
		for (int i = 0; i < namb; i++)
			fprintf(stderr, "%s--%s", comma(i), amb[i]);
		fputs(cli_tr(")\n", "）\n"), stderr);
	} else if ((close = cli_closest(name, names, n)) != NULL) {
		fprintf(stderr, cli_tr("ioscope: unknown option '%s'; did you mean '--%s'?\n",
				       "ioscope: 未知选项 '%s'；是不是 '--%s'？\n"), word, close);
	} else {
		fprintf(stderr, cli_tr("ioscope: unknown option '%s'\n", "ioscope: 未知选项 '%s'\n"), word);
	}
	print_cmd_opts(cli_cmd);
	cli_hint();
	return EXIT_USAGE;
}
