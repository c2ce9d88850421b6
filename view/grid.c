/* grid.c: cells, UTF-8 in, UTF-8 out, wcwidth for column counts. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view/grid.h"

int grid_init(struct grid *g, int w, int h)
{
	g->w = w > 0 ? w : 1;
	g->h = h > 0 ? h : 1;
	g->cells = calloc((size_t)g->w * (size_t)g->h, sizeof *g->cells);
	if (g->cells == NULL)
		return -ENOMEM;
	grid_clear(g);
	return 0;
}

void grid_free(struct grid *g)
{
	free(g->cells);
	g->cells = NULL;
}

void grid_clear(struct grid *g)
{
	for (int i = 0; i < g->w * g->h; i++)
		g->cells[i] = (struct cell){ L' ', ROLE_TEXT };
}

void grid_set(struct grid *g, int x, int y, int role, wchar_t ch)
{
	if (x < 0 || y < 0 || x >= g->w || y >= g->h)
		return;
	g->cells[y * g->w + x] = (struct cell){ ch, (unsigned char)role };
}

void grid_fill(struct grid *g, int x, int y, int w, int role, wchar_t ch)
{
	for (int i = 0; i < w; i++)
		grid_set(g, x + i, y, role, ch);
}

/* What a character the locale cannot show looks like in ASCII. */
static wchar_t ascii_of(unsigned cp)
{
	static const struct { unsigned cp; char a; } map[] = {
		{ 0xB7, '.' }, { 0xD7, 'x' }, { 0xF7, '/' }, { 0xB5, 'u' }, { 0xA0, ' ' },
		{ 0x2190, '<' }, { 0x2192, '>' }, { 0x2191, '^' }, { 0x2193, 'v' },
		{ 0x2026, '.' }, { 0x2014, '-' }, { 0x2013, '-' }, { 0x2018, '\'' },
		{ 0x2019, '\'' }, { 0x201C, '"' }, { 0x201D, '"' }, { 0x2500, '-' },
		{ 0x2502, '|' }, { 0x250C, '+' }, { 0x2510, '+' }, { 0x2514, '+' }, { 0x2518, '+' },
		{ 0x2588, '#' }, { 0x2593, '=' }, { 0x2591, '-' }, { 0x25C6, '*' }, { 0x2713, '+' },
		{ 0x25B6, '>' }, { 0x275A, '|' }, { 0x2264, '<' }, { 0x2265, '>' },
		{ 0xFF08, '(' }, { 0xFF09, ')' }, { 0xFF1A, ':' }, { 0xFF0C, ',' }, { 0xFF1B, ';' },
		{ 0x3001, ',' }, { 0x3002, '.' },
	};

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i].cp == cp)
			return (wchar_t)map[i].a;
	return L'?';
}

/* A UTF-8 sequence the locale could not decode (LANG=C): its length, and
 * its ASCII look, so that one character stays one cell ("·" is not "??"). */
static int utf8_fallback(const char *s, wchar_t *out)
{
	unsigned char c = (unsigned char)s[0];
	int n = c >= 0xF0 && c < 0xF8 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
	unsigned cp = n == 4 ? c & 0x07u : n == 3 ? c & 0x0Fu : c & 0x1Fu;

	if (c < 0x80 || n == 0)
		return 0;
	for (int i = 1; i < n; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | ((unsigned char)s[i] & 0x3Fu);
	}
	*out = ascii_of(cp);
	return n;
}

/* One character from UTF-8; returns bytes used (at least 1). */
static int next_char(const char *s, wchar_t *out)
{
	mbstate_t st;
	size_t n;
	int u;

	if ((unsigned char)*s < 0x80) {   /* ASCII: itself in every locale */
		*out = (unsigned char)*s;
		return 1;
	}
	memset(&st, 0, sizeof st);
	n = mbrtowc(out, s, MB_CUR_MAX, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		if ((u = utf8_fallback(s, out)) > 0)
			return u;
		*out = L'?';
		return 1;
	}
	return (int)n;
}

static int char_width(wchar_t c)
{
	int w;

	if (c >= 0 && c < 0x80)          /* printable ASCII, or a control shown as '?' */
		return 1;
	w = wcwidth(c);

	return w < 0 ? 1 : w;
}

int grid_put(struct grid *g, int x, int y, int role, const char *s, int max)
{
	int used = 0;

	if (max <= 0 || x + max > g->w)
		max = g->w - x;
	while (*s != '\0' && used < max) {
		wchar_t c;
		int n = next_char(s, &c), w = char_width(c);

		if (used + w > max)
			break;
		if (w == 0) {           /* a combining mark: drop it */
			s += n;
			continue;
		}
		if (c < 0x20 || (c >= 0x7f && c < 0xa0))
			c = L'?';       /* a control: never sent to the terminal */
		grid_set(g, x + used, y, role, c);
		if (w == 2)
			grid_set(g, x + used + 1, y, role, GRID_CONT);
		used += w;
		s += n;
	}
	return used;
}

int grid_printf(struct grid *g, int x, int y, int role, int max, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return grid_put(g, x, y, role, buf, max);
}

int grid_width(const char *s)
{
	int w = 0;

	while (*s != '\0') {
		wchar_t c;

		s += next_char(s, &c);
		w += char_width(c);
	}
	return w;
}

char *grid_text(const struct grid *g)
{
	size_t cap = (size_t)g->w * (size_t)g->h * 4 + (size_t)g->h + 1, at = 0;
	char *out = malloc(cap);

	if (out == NULL)
		return NULL;
	for (int y = 0; y < g->h; y++) {
		size_t line = at, end = at;

		for (int x = 0; x < g->w; x++) {
			wchar_t c = g->cells[y * g->w + x].ch;
			char mb[8];
			mbstate_t st;
			size_t n;

			if (c == GRID_CONT)
				continue;
			memset(&st, 0, sizeof st);
			n = wcrtomb(mb, c, &st);
			if (n == (size_t)-1) {
				mb[0] = '?';
				n = 1;
			}
			memcpy(out + at, mb, n);
			at += n;
			if (c != L' ')
				end = at;
		}
		at = end > line ? end : line;
		out[at++] = '\n';
	}
	out[at] = '\0';
	return out;
}
