/* export_cast.c: the replay screen as an asciicast v2 recording
 * (asciinema play, asciinema-player).
 *
 * A frame is tui_render's grid at a cursor, written as terminal output:
 * home (and clear, the first time), every row in full with an SGR colour
 * per cell role, "\r\n" between rows, a reset at the end.  The renderer is
 * pure (view/render.h), so an exporter may draw with it without a terminal.
 *
 * The cast plays on the scenario's clock: trace times are real times of a
 * run made at the header's speed, so a recording made at --speed 10 has
 * its gaps stretched ten times back.  Frames come at each scripted step,
 * with an "m" marker, and in between at most one per 100 ms of scenario
 * time; gaps over 2 s are cut to 2 s.
 */
#include <errno.h>
#include <locale.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "trace/file.h"
#include "view/export.h"
#include "trace/fold.h"
#include "view/narrate.h"
#include "view/render.h"

#define FRAME_NS  100000000LL     /* between steps, at most a frame per 100 ms */
#define LONG_NS   2000000000LL    /* longer gaps are shortened to this */

/* A fixed map, not the screen's themes: a recording has no theme key. */
static const char *const sgr[ROLE_MAX] = {
	[ROLE_TEXT] = "0", [ROLE_DIM] = "0;2", [ROLE_TITLE] = "0;7", [ROLE_KEY] = "0;1",
	[ROLE_BLOCKED] = "0;31", [ROLE_RUNNING] = "0;32", [ROLE_IDLE] = "0;36",
	[ROLE_POLL] = "0;33", [ROLE_WAIT] = "0;34", [ROLE_COPY] = "0;35",
	[ROLE_READY] = "0;1;33", [ROLE_ALERT] = "0;1;31", [ROLE_CAPTION] = "0",
};

/* A growing byte buffer; after a failed allocation it only counts. */
struct sbuf {
	char *p;
	size_t n, cap;
	bool oom;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (b->n + n > b->cap && !b->oom) {
		size_t cap = b->cap ? b->cap : 16384;
		char *p;

		while (cap < b->n + n)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	if (!b->oom) {
		memcpy(b->p + b->n, s, n);
		b->n += n;
	}
}

static void sb_str(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

/* wchar_t is UCS-4 here; encode it ourselves, whatever the locale. */
static void sb_utf8(struct sbuf *b, wchar_t wc)
{
	unsigned long c = (unsigned long)wc;
	char u[4];

	if (c < 0x80 && b->n < b->cap) {  /* most cells: no call */
		b->p[b->n++] = (char)c;
		return;
	}
	if (c >= 0xD800 && c <= 0xDFFF)
		c = '?';                      /* a lone surrogate is not UTF-8 */
	if (c < 0x80) {
		u[0] = (char)c;
		sb_put(b, u, 1);
	} else if (c < 0x800) {
		u[0] = (char)(0xC0 | c >> 6);
		u[1] = (char)(0x80 | (c & 0x3F));
		sb_put(b, u, 2);
	} else if (c < 0x10000) {
		u[0] = (char)(0xE0 | c >> 12);
		u[1] = (char)(0x80 | (c >> 6 & 0x3F));
		u[2] = (char)(0x80 | (c & 0x3F));
		sb_put(b, u, 3);
	} else if (c < 0x110000) {
		u[0] = (char)(0xF0 | c >> 18);
		u[1] = (char)(0x80 | (c >> 12 & 0x3F));
		u[2] = (char)(0x80 | (c >> 6 & 0x3F));
		u[3] = (char)(0x80 | (c & 0x3F));
		sb_put(b, u, 4);
	} else {
		sb_put(b, "?", 1);
	}
}

struct cast {
	FILE *out;
	struct view *v;
	struct view_more more;      /* v's actors past TRACE_MAX_ACTORS */
	struct render_scratch *scratch;   /* tui_render's, for every frame */
	struct grid g;
	struct cell *prev;          /* the last frame's cells */
	struct tui_state s;
	struct sbuf frame;
	struct sbuf line;           /* an event's JSON line */
	int64_t last_frame;         /* cast time of the last frame, ns */
	int64_t last_out;           /* of the last event written */
	bool drawn;
	int rc;
};

/* s as a JSON string, escaped as jansson's dump escapes it (its UTF-8
 * as it is; quote, backslash and controls escaped). */
static void sb_json_str(struct sbuf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t run = 0;

	sb_put(b, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
		const char *e;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		e = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\b' ? "\\b" : c == '\f' ? "\\f" :
		    c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
		sb_put(b, s + run, i - run);
		run = i + 1;
		if (e != NULL)
			sb_str(b, e);
		else
			sb_put(b, u, sizeof u);
	}
	sb_put(b, s + run, len - run);
	sb_put(b, "\"", 1);
}

/* One event line, [time, type, data], as jansson's compact dump writes
 * it: the time by jansson itself, the string by hand (a frame's screen
 * is a few KB, and jansson would copy and check it twice). */
static void put_event(struct cast *k, int64_t ns, const char *type, const char *data, size_t len)
{
	json_t *r;
	char *num;

	if (ns < k->last_out)
		ns = k->last_out;
	k->last_out = ns;
	/* Seconds, rounded to the µs: "0.000326" rather than 17 digits. */
	r = json_real((double)(ns / 1000) / 1e6);
	num = r != NULL ? json_dumps(r, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(12)) :
			  NULL;
	json_decref(r);
	if (num == NULL) {
		k->rc = -ENOMEM;
		return;
	}
	k->line.n = 0;
	sb_str(&k->line, "[");
	sb_str(&k->line, num);
	sb_str(&k->line, ",");
	sb_json_str(&k->line, type, strlen(type));
	sb_str(&k->line, ",");
	sb_json_str(&k->line, data, len);
	sb_str(&k->line, "]\n");
	free(num);
	if (k->line.oom) {
		k->rc = -ENOMEM;
		return;
	}
	/* A failed write ends the export now: the frames after it would be
	 * drawn for nothing (a full disk, a 10^6-event trace). */
	if (fwrite(k->line.p, 1, k->line.n, k->out) != k->line.n)
		k->rc = export__write_failed(k->out);
}

static bool same_as_prev(const struct cast *k)
{
	for (int i = 0; i < k->g.w * k->g.h; i++)
		if (k->g.cells[i].ch != k->prev[i].ch || k->g.cells[i].role != k->prev[i].role)
			return false;
	return true;
}

static void frame_text(struct cast *k)
{
	struct sbuf *b = &k->frame;
	int role = ROLE_TEXT;

	b->n = 0;
	sb_str(b, k->drawn ? "\033[H" : "\033[H\033[2J");
	for (int y = 0; y < k->g.h; y++) {
		if (y > 0)
			sb_str(b, "\r\n");
		for (int x = 0; x < k->g.w; x++) {
			const struct cell *cl = &k->g.cells[y * k->g.w + x];
			int r = cl->role < ROLE_MAX ? cl->role : ROLE_TEXT;

			if (cl->ch == GRID_CONT)
				continue;             /* the right half of a wide character */
			if (r != role) {
				role = r;
				sb_str(b, "\033[");
				sb_str(b, sgr[role]);
				sb_str(b, "m");
			}
			sb_utf8(b, cl->ch != 0 ? cl->ch : L' ');
		}
		if (role != ROLE_TEXT) {          /* no colour crosses a line end */
			sb_str(b, "\033[0m");
			role = ROLE_TEXT;
		}
	}
	sb_str(b, "\033[0m");
}

/* The screen with events [0, cursor) shown (k->v must be that fold). */
static void frame(struct cast *k, size_t cursor, int64_t ns, bool ended)
{
	k->s.cursor = cursor;
	k->s.ended = ended;
	k->s.playing = !ended;
	tui_render(&k->g, &k->s);
	if (k->drawn && !ended && same_as_prev(k))
		return;
	frame_text(k);
	if (k->frame.oom) {
		k->rc = -ENOMEM;
		return;
	}
	put_event(k, ns, "o", k->frame.p, k->frame.n);
	memcpy(k->prev, k->g.cells, (size_t)k->g.w * (size_t)k->g.h * sizeof *k->prev);
	k->drawn = true;
	k->last_frame = ns > k->last_frame ? ns : k->last_frame;
}

static void marker(struct cast *k, int64_t ns, int step)
{
	char m[32];

	snprintf(m, sizeof m, "step %d", step);
	put_event(k, ns, "m", m, strlen(m));
}

/* The speed the trace was recorded at (1 when it does not say). */
static double rec_speed(const struct trace *t)
{
	double s = trace_hdr_c(t)->speed;

	return s > 0 && s <= 1000 ? s : 1;
}

/* A real gap (>= 0) as scenario time: times speed, saturated just past
 * LONG_NS (longer gaps are cut to LONG_NS anyway). */
static int64_t scn_gap(int64_t gap, double speed)
{
	double g = (double)gap * speed;

	return g > (double)LONG_NS ? LONG_NS + 1 : (int64_t)g;
}

/* Scripted actions in all (at most TRACE_MAX_STEPS: export__check has
 * seen every step), and whether some gap will be shortened. */
static int scan(const struct trace *t, bool *shortened)
{
	int64_t prev = 0;
	int steps = 0;

	*shortened = false;
	for (size_t i = 0; i < trace_count(t); i++) {
		const struct trace_ev *ev = trace_at(t, i);

		if (ev->step >= steps && ev->step < TRACE_MAX_STEPS)
			steps = ev->step + 1;
		if (scn_gap(view_ns_between(prev, ev->t_ns), rec_speed(t)) > LONG_NS)
			*shortened = true;
		if (ev->t_ns > prev)
			prev = ev->t_ns;
	}
	return steps;
}

static int put_header(struct cast *k, const struct trace *t, bool shortened)
{
	const struct trace_hdr *h = trace_hdr_c(t);
	json_t *o = json_pack("{s:i,s:i,s:i}", "version", 2, "width", k->g.w, "height", k->g.h);
	struct tm tm;
	const char *end;
	char title[256], *line = NULL;
	int rc = 0;

	memset(&tm, 0, sizeof tm);
	end = strptime(h->started, "%Y-%m-%dT%H:%M:%S", &tm);
	if (o != NULL && end != NULL && (strcmp(end, "Z") == 0 || *end == '\0'))
		json_object_set_new(o, "timestamp", json_integer((json_int_t)timegm(&tm)));
	snprintf(title, sizeof title, "ioscope · %s%s%s", h->command != NULL ? "attach: " : "",
		 h->command != NULL ? h->command : h->scenario,
		 shortened ? " (long waits shortened)" : "");
	file_cause_cut(title, sizeof title);     /* never half a character */
	if (o == NULL || json_object_set_new(o, "title", json_string(title)) != 0 ||
	    json_object_set_new(o, "env", json_pack("{s:s}", "TERM", "xterm-256color")) != 0)
		rc = -ENOMEM;
	else if ((line = json_dumps(o, JSON_COMPACT)) == NULL)
		rc = -ENOMEM;
	else if (fputs(line, k->out) == EOF || fputc('\n', k->out) == EOF)
		rc = export__write_failed(k->out);
	free(line);
	json_decref(o);
	return rc;
}

/* seen[0..steps) marks the steps already drawn.  Frames between steps
 * wait (pending) until 100 ms have passed since the last one; a step draws
 * at once. */
static void play(struct cast *k, const struct trace *t, bool *seen, int steps)
{
	int64_t prev = 0, now = 0, pending_at = 0;
	double speed = rec_speed(t);
	bool pending = false;

	frame(k, 0, 0, false);
	for (size_t i = 0; i < trace_count(t) && k->rc == 0; i++) {
		/* A copy: a frame reads many events before it is applied. */
		struct trace_ev e = *trace_at(t, i);
		const struct trace_ev *ev = &e;
		int64_t tm = ev->t_ns > prev ? ev->t_ns : prev;
		int64_t gap = scn_gap(view_ns_between(prev, tm), speed);

		now = view_ns_add(now, gap > LONG_NS ? LONG_NS : gap);
		prev = tm;
		if (pending && now >= k->last_frame + FRAME_NS) {
			int64_t at = view_ns_add(k->last_frame, FRAME_NS);

			frame(k, i, pending_at > at ? pending_at : at, false);
			pending = false;
		}
		view_apply(k->v, ev);
		if (ev->step >= 0 && ev->step < steps && !seen[ev->step]) {
			seen[ev->step] = true;
			marker(k, now, ev->step + 1);
			frame(k, i + 1, now, false);
			pending = false;
		} else if (now >= k->last_frame + FRAME_NS) {
			frame(k, i + 1, now, false);
			pending = false;
		} else {
			pending = true;
			pending_at = now;
		}
	}
	if (k->rc == 0)
		frame(k, trace_count(t), now, true);
}

int export_asciicast(const struct trace *t, int lang, int width, int height, FILE *out)
{
	struct cast k = { .out = out };
	locale_t utf8 = (locale_t)0, old = (locale_t)0;
	bool shortened, *seen;
	int steps, rc;

	if (width <= 0 || height <= 0) {
		width = EXPORT_CAST_W;
		height = EXPORT_CAST_H;
	}
	if (width < TUI_MIN_W || height < TUI_MIN_H || width > EXPORT_CAST_MAX ||
	    height > EXPORT_CAST_MAX || export__check(t) != 0)
		return -EINVAL;
	steps = scan(t, &shortened);
	k.v = malloc(sizeof *k.v);
	k.scratch = render_scratch_new();
	k.prev = calloc((size_t)width * (size_t)height, sizeof *k.prev);
	seen = calloc((size_t)steps + 1, sizeof *seen);
	if (k.v == NULL || k.scratch == NULL || k.prev == NULL || seen == NULL ||
	    view_more_fit(&k.more, t) != 0 || grid_init(&k.g, width, height) != 0) {
		rc = -ENOMEM;
		goto out;
	}
	view_reset_more(k.v, t, &k.more);
	k.s = (struct tui_state){ .t = t, .v = k.v, .steps = steps, .title = "", .speed = 1,
				  .lang = lang, .theme = THEME_DEFAULT, .scratch = k.scratch };
	/* The grid measures text with the locale's wcwidth and mbrtowc. */
	if (MB_CUR_MAX == 1 && (utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0)) != (locale_t)0)
		old = uselocale(utf8);
	if ((rc = put_header(&k, t, shortened)) == 0) {
		play(&k, t, seen, steps);
		rc = k.rc != 0 ? k.rc : export__flush(out);
	}
	if (utf8 != (locale_t)0) {
		uselocale(old);
		freelocale(utf8);
	}
out:
	grid_free(&k.g);
	free(k.frame.p);
	free(k.line.p);
	free(k.prev);
	free(k.v);
	view_more_free(&k.more);
	render_scratch_free(k.scratch);
	free(seen);
	return rc;
}
