/* screen.c: ncursesw, opened with newterm so that a missing terminal is an
 * error we can report, not an exit inside initscr. */
#include <curses.h>
#include <term.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "view/render.h"
#include "tui/screen.h"
#include "tui/tui.h"

static SCREEN *scr;
static struct termios saved_tio;
static bool have_tio;
static bool colors;
static int cur_theme;

/* ---- signals that end the process: the terminal is put back first ----
 *
 * The crash signals (and the other signals whose default is to end the
 * process) get a handler that restores the saved termios, leaves the
 * alternate screen, shows the cursor, and dies of the same signal.  INT,
 * TERM, HUP and QUIT end the loop cleanly through uv_signal (tui.c); in
 * case the loop is stuck, a second one of them is handled here like a
 * crash.  Only async-signal-safe calls (signal-safety(7)). */

/* The crash signals are taken even from another handler (a sanitizer's),
 * which is called after the terminal is restored; the others only while
 * nobody handles them (a model may use them). */
static const int crash_sigs[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGSYS, SIGTRAP };
static const int fatal_sigs[] = {
	SIGXCPU, SIGXFSZ, SIGALRM, SIGUSR1, SIGUSR2, SIGVTALRM, SIGPROF,
};
static const int quit_sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
#define NCRASH (sizeof crash_sigs / sizeof crash_sigs[0])
#define NFATAL (sizeof fatal_sigs / sizeof fatal_sigs[0])
#define NQUIT (sizeof quit_sigs / sizeof quit_sigs[0])
static struct sigaction crash_old[NCRASH], fatal_old[NFATAL], quit_old[NQUIT];
static bool crash_set[NCRASH], fatal_set[NFATAL], quit_set[NQUIT];
static volatile sig_atomic_t quit_count;

static void restore_terminal(void)
{
	/* attributes, alternate screen, cursor, mouse reporting (the wheel) */
	static const char reset[] = "\033[0m\033[?1049l\033[?25h\033[?1000l\033[?1006l\r\n";

	if (have_tio)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	if (write(STDOUT_FILENO, reset, sizeof reset - 1) < 0) {
		/* nothing more can be done */
	}
}

/* Then the signal again, to whoever had it before (the default action:
 * death, or a sanitizer's report); a fault re-raises itself on return. */
static void die_restored(int sig)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	const struct sigaction *next = &dfl;
	int saved = errno;

	restore_terminal();
	for (size_t i = 0; i < NCRASH; i++)
		if (crash_sigs[i] == sig && crash_set[i] && crash_old[i].sa_handler != SIG_IGN)
			next = &crash_old[i];
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, next, NULL);
	raise(sig);          /* delivered when the handler returns */
	errno = saved;
}

/* The first INT, TERM, HUP or QUIT goes to libuv's own handler (the loop
 * ends cleanly); a second means the loop did not: die, restored. */
static void quit_handler(int sig)
{
	for (size_t i = 0; i < NQUIT; i++)
		if (quit_sigs[i] == sig && quit_count++ == 0 &&
		    quit_old[i].sa_handler != SIG_DFL && quit_old[i].sa_handler != SIG_IGN &&
		    !(quit_old[i].sa_flags & SA_SIGINFO)) {
			quit_old[i].sa_handler(sig);
			return;
		}
	die_restored(sig);
}

static void install(const int *sigs, size_t n, struct sigaction *old, bool *set,
		    void (*handler)(int), bool only_default)
{
	struct sigaction sa = { .sa_handler = handler };

	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (size_t i = 0; i < n; i++) {
		set[i] = false;
		if (sigaction(sigs[i], NULL, &old[i]) != 0)
			continue;
		if (only_default && old[i].sa_handler != SIG_DFL)
			continue;          /* someone else's (a model's): left alone */
		set[i] = sigaction(sigs[i], &sa, NULL) == 0;
	}
}

static void uninstall(const int *sigs, size_t n, const struct sigaction *old, bool *set)
{
	for (size_t i = 0; i < n; i++)
		if (set[i])
			sigaction(sigs[i], &old[i], NULL);
	memset(set, 0, n * sizeof set[0]);
}

static void signal_handlers(bool on)
{
	if (on) {
		quit_count = 0;
		install(crash_sigs, NCRASH, crash_old, crash_set, die_restored, false);
		install(fatal_sigs, NFATAL, fatal_old, fatal_set, die_restored, true);
		install(quit_sigs, NQUIT, quit_old, quit_set, quit_handler, false);
		return;
	}
	uninstall(crash_sigs, NCRASH, crash_old, crash_set);
	uninstall(fatal_sigs, NFATAL, fatal_old, fatal_set);
	uninstall(quit_sigs, NQUIT, quit_old, quit_set);
}

bool tui_term_known(void)
{
	int err = 0;

	if (setupterm(NULL, STDOUT_FILENO, &err) != OK)
		return false;
	del_curterm(cur_term);
	return true;
}

int screen_open(int theme, const char **why)
{
	const char *term = getenv("TERM");

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		*why = "standard input and output must be a terminal";
		return -ENOTTY;
	}
	if (term == NULL || *term == '\0' || strcmp(term, "dumb") == 0) {
		*why = "TERM is not set, or is 'dumb'";
		return -ENOTTY;
	}
	have_tio = tcgetattr(STDIN_FILENO, &saved_tio) == 0;
	if (getenv("ESCDELAY") == NULL)
		set_escdelay(25);
	scr = newterm(NULL, stdout, stdin);
	if (scr == NULL) {
		*why = "this terminal type is unknown to curses";
		return -ENOTTY;
	}
	signal_handlers(true);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	/* The wheel scrolls a lesson page; clicks are left to the terminal. */
	mousemask(BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	nodelay(stdscr, TRUE);
	curs_set(0);
	colors = has_colors() && getenv("NO_COLOR") == NULL;
	if (colors) {
		start_color();
		use_default_colors();
	}
	screen_theme(theme);
	return 0;
}

void screen_close(void)
{
	if (scr == NULL)
		return;
	curs_set(1);
	endwin();
	delscreen(scr);
	scr = NULL;
	if (have_tio)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	signal_handlers(false);
}

bool screen_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs != NULL && strcmp(cs, "UTF-8") == 0;
}

/* Foreground, background (-1: the terminal's own) and attributes. */
struct look {
	short fg, bg;
	attr_t attr;
};

static const struct look looks[THEME_MAX][ROLE_MAX] = {
	[THEME_DEFAULT] = {
		[ROLE_TEXT] = { -1, -1, A_NORMAL }, [ROLE_DIM] = { -1, -1, A_DIM },
		[ROLE_TITLE] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL },
		[ROLE_KEY] = { COLOR_BLACK, COLOR_CYAN, A_BOLD },
		[ROLE_BLOCKED] = { COLOR_RED, -1, A_BOLD },
		[ROLE_RUNNING] = { COLOR_GREEN, -1, A_NORMAL },
		[ROLE_IDLE] = { COLOR_CYAN, -1, A_NORMAL },
		[ROLE_POLL] = { COLOR_YELLOW, -1, A_BOLD },
		[ROLE_WAIT] = { COLOR_BLUE, -1, A_BOLD },
		[ROLE_COPY] = { COLOR_MAGENTA, -1, A_BOLD },
		[ROLE_READY] = { COLOR_YELLOW, -1, A_BOLD },
		[ROLE_ALERT] = { COLOR_WHITE, COLOR_RED, A_BOLD },
		[ROLE_CAPTION] = { -1, -1, A_BOLD },
	},
	/* For the back of a room, on a projector that may be light or dark:
	 * every glyph in its colour on the terminal's own background, bold;
	 * each of the seven a lane can show in its own of the 8 colours
	 * (ready: reverse video, the one that must be seen from afar). */
	[THEME_CLASSROOM] = {
		[ROLE_TEXT] = { -1, -1, A_BOLD }, [ROLE_DIM] = { -1, -1, A_NORMAL },
		[ROLE_TITLE] = { -1, -1, A_REVERSE | A_BOLD },
		[ROLE_KEY] = { -1, -1, A_REVERSE | A_BOLD | A_UNDERLINE },
		[ROLE_BLOCKED] = { COLOR_RED, -1, A_BOLD },
		[ROLE_RUNNING] = { COLOR_GREEN, -1, A_BOLD },
		[ROLE_IDLE] = { COLOR_CYAN, -1, A_BOLD },
		[ROLE_POLL] = { COLOR_YELLOW, -1, A_BOLD },
		[ROLE_WAIT] = { COLOR_BLUE, -1, A_BOLD },
		[ROLE_COPY] = { COLOR_MAGENTA, -1, A_BOLD },
		[ROLE_READY] = { -1, -1, A_REVERSE | A_BOLD },
		[ROLE_ALERT] = { COLOR_RED, -1, A_REVERSE | A_BOLD },
		[ROLE_CAPTION] = { -1, -1, A_BOLD },
	},
};

/* Without colour, roles differ by attribute; the glyphs carry the rest. */
static attr_t mono_attr(int role)
{
	switch (role) {
	case ROLE_DIM: return A_DIM;
	case ROLE_TITLE: case ROLE_ALERT: return A_REVERSE;
	case ROLE_KEY: return A_REVERSE | A_BOLD;
	case ROLE_BLOCKED: case ROLE_CAPTION: case ROLE_READY: return A_BOLD;
	default: return A_NORMAL;
	}
}

void screen_theme(int theme)
{
	cur_theme = theme;
	if (!colors || theme == THEME_MONO)
		return;
	for (int r = 0; r < ROLE_MAX; r++)
		init_pair((short)(r + 1), looks[theme][r].fg, looks[theme][r].bg);
}

void screen_look(int theme, int role, struct screen_look *out)
{
	attr_t a;

	if (theme < 0 || theme >= THEME_MAX || role < 0 || role >= ROLE_MAX) {
		theme = THEME_DEFAULT;
		role = ROLE_TEXT;
	}
	if (theme == THEME_MONO) {
		a = mono_attr(role);
		out->fg = out->bg = -1;
	} else {
		a = looks[theme][role].attr;
		out->fg = looks[theme][role].fg;
		out->bg = looks[theme][role].bg;
	}
	out->bold = (a & A_BOLD) != 0;
	out->reverse = (a & A_REVERSE) != 0;
	out->dim = (a & A_DIM) != 0;
}

bool screen_colors(void)
{
	return colors;
}

static attr_t role_attr(int role, short *pair)
{
	*pair = 0;
	if (!colors || cur_theme == THEME_MONO)
		return mono_attr(role);
	*pair = (short)(role + 1);
	return looks[cur_theme][role].attr;
}

void screen_resize(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
}

void screen_size(int *w, int *h)
{
	getmaxyx(stdscr, *h, *w);
}

void screen_invalidate(void)
{
	clearok(curscr, TRUE);
}

void screen_draw(const struct grid *g)
{
	int w, h;

	screen_size(&w, &h);
	for (int y = 0; y < g->h && y < h; y++)
		for (int x = 0; x < g->w && x < w; x++) {
			const struct cell *c = &g->cells[y * g->w + x];
			wchar_t wc[2] = { c->ch, L'\0' };
			cchar_t cc;
			short pair;
			attr_t a;

			if (c->ch == GRID_CONT)
				continue;
			/* The last column of the last row would scroll some
			 * terminals: leave it. */
			if (y == h - 1 && x == w - 1)
				continue;
			a = role_attr(c->role, &pair);
			setcchar(&cc, wc, a, pair, NULL);
			mvadd_wch(y, x, &cc);
		}
	wnoutrefresh(stdscr);
	doupdate();
}

/* A wheel turn, or nothing (other mouse events are not asked for). */
static int mouse_key(void)
{
	MEVENT e;

	if (getmouse(&e) != OK)
		return KEY_NONE;
	if (e.bstate & BUTTON4_PRESSED)
		return K_WHEEL_UP;
	if (e.bstate & BUTTON5_PRESSED)
		return K_WHEEL_DOWN;
	return KEY_NONE;
}

int screen_key(void)
{
	wint_t ch;
	int rc = get_wch(&ch);

	if (rc == ERR)
		return KEY_NONE;
	if (rc == KEY_CODE_YES) {
		switch (ch) {
		case KEY_LEFT: return K_LEFT;
		case KEY_RIGHT: return K_RIGHT;
		case KEY_UP: return K_UP;
		case KEY_DOWN: return K_DOWN;
		case KEY_HOME: return K_HOME;
		case KEY_END: return K_END;
		case KEY_ENTER: return K_ENTER;
		case KEY_BACKSPACE: return K_BACKSPACE;
		case KEY_RESIZE: return K_RESIZE;
		case KEY_NPAGE: return K_PGDN;
		case KEY_PPAGE: return K_PGUP;
		case KEY_MOUSE: return mouse_key();
		default: return KEY_NONE;
		}
	}
	if (ch == '\r' || ch == '\n')
		return K_ENTER;
	if (ch == 27)
		return K_ESC;
	if (ch == 127 || ch == 8)
		return K_BACKSPACE;
	return (int)ch;
}
