/* render_int.h: shared by the renderer's files. */
#ifndef IOSCOPE_RENDER_INT_H
#define IOSCOPE_RENDER_INT_H

#include "tui/render.h"

/* Glyphs, UTF-8 or ASCII. */
struct glyphs {
	wchar_t blocked, copy, wait, idle, poll, run, ready, arrive, done, hrule, vrule;
	const char *play, *pause;
};

const struct glyphs *render__glyphs(const struct tui_state *s);

/* Actors that run a model (the world and the clients it plays are not). */
bool render__is_model(const struct tui_state *s, int actor);
bool render__is_mux(const struct tui_state *s, int actor);
bool render__is_epoll(const struct tui_state *s, int actor);

/* The panes; each draws in rows [y, y + h). */
void render__lanes(struct grid *g, const struct tui_state *s, int y, int h);
int render__lanes_height(const struct tui_state *s);
void render__mux(struct grid *g, const struct tui_state *s, int y, int h);
void render__kernel(struct grid *g, const struct tui_state *s, int y, int h);

/* An idle event right after another idle event of its actor: idle time
 * in slices, shown once. */
bool render__idle_again(const struct trace *t, size_t i);

/* Wrap UTF-8 text into rows [y, y + h) at word boundaries (anywhere in
 * text without spaces, such as Chinese).  Returns the rows used. */
int render__wrap(struct grid *g, int x, int y, int w, int h, int role, const char *text);

/* The bars and boxes around the panes (render_keys.c). */
void render__title_bar(struct grid *g, const struct tui_state *s);
void render__keys_bar(struct grid *g, const struct tui_state *s, int y);
void render__help_box(struct grid *g, const struct tui_state *s);
void render__too_small(struct grid *g, const struct tui_state *s);

/* A rule across the grid with a label: "── label ───". */
void render__rule(struct grid *g, const struct tui_state *s, int y, const char *label);

#define L2(s, en, zh) ((s)->lang == 1 ? (zh) : (en))

#endif
