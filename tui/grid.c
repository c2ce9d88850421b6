/* grid.c: cells, UTF-8 in, UTF-8 out, wcwidth for column counts. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/grid.h"

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

/* One character from UTF-8; returns bytes used (at least 1). */
static int next_char(const char *s, wchar_t *out)
{
	mbstate_t st;
	size_t n;

	memset(&st, 0, sizeof st);
	n = mbrtowc(out, s, MB_CUR_MAX, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*out = L'?';
		return 1;
	}
	return (int)n;
}

static int char_width(wchar_t c)
{
	int w = wcwidth(c);

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
