/* test_render_attach.c: the screen of a traced program (ioscope attach):
 * a Python select server (python3 srv.py 8000, pid 4242) whose main
 * thread waits in pselect6 and whose console thread blocks in read(0).
 * The title says "attach: COMMAND" and the time, not a step; lane labels
 * name the kernel's calls (pselect6); the console thread's blocking
 * reads are waits that hold their copy, drawn in the wait's colour with
 * "wait + copy, one span" on them, never as a copy; the kernel pane's
 * words come from /proc/4242/task/TID.  The trace is built by hand
 * (tests/attach_traces.h), written to tests/golden/attach-select.jsonl and
 * read back, so the screens are what a replay of that file shows.
 * Golden screens at 80x24 and 120x40, en and zh (IOSCOPE_GOLDEN=update
 * rewrites them; then read them!). */
#include "tests/attach_traces.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "view/render_int.h"
#include "tests/harness.h"

static bool updating(void)
{
	const char *mode = getenv("IOSCOPE_GOLDEN");

	return mode != NULL && strcmp(mode, "update") == 0;
}

/* text against tests/golden/NAME (or written there); frees text. */
static void golden(char *text, const char *name)
{
	char path[256];
	char *want;

	snprintf(path, sizeof path, "tests/golden/%s", name);
	if (updating()) {
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		assert_true(fputs(text, f) >= 0);
		assert_int_equal(fclose(f), 0);
	} else {
		want = h_slurp(path);
		if (want == NULL || strcmp(want, text) != 0)
			fail_msg("%s differs; got:\n%s", path, text);
		free(want);
	}
	free(text);
}

/* t as its file (tests/golden/NAME.jsonl), read back. */
static struct trace *as_file(struct trace *t, const char *name)
{
	char file[256], cause[512];
	struct trace *back = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(trace_write_hdr(f, t), 0);
	for (size_t i = 0; i < trace_count(t); i++)
		assert_int_equal(trace_write_ev(f, t, trace_at(t, i)), 0);
	assert_int_equal(fclose(f), 0);
	snprintf(file, sizeof file, "%s.jsonl", name);
	golden(strdup(buf), file);
	if (trace_read_mem(file, buf, len, &back, NULL, cause, sizeof cause) != 0)
		fail_msg("%s", cause);
	free(buf);
	trace_free(t);
	return back;
}

static char *screen(const struct trace *t, size_t cursor, int w, int h, int lang, bool ascii,
		    bool help)
{
	static struct view v;
	struct view_more more = { 0 };
	struct tui_state s = { .speed = 1, .title = "", .lang = lang, .ascii = ascii, .t = t,
			       .cursor = cursor, .ended = cursor == trace_count(t), .help = help,
			       .screen = TUI_SCREEN_REPLAY };
	struct grid g;
	char *text;

	assert_int_equal(view_more_fit(&more, t), 0);
	view_fold_more(&v, t, cursor, &more);
	s.v = &v;
	s.steps = trace_step_max(t) + 1;
	assert_int_equal(grid_init(&g, w, h), 0);
	tui_render(&g, &s);
	text = grid_text(&g);
	grid_free(&g);
	view_more_free(&more);
	return text;
}

/* Every size and language; returns the 80x24 English screen (to free). */
static char *screens(const struct trace *t, size_t cursor, const char *name)
{
	static const int sizes[2][2] = { { 80, 24 }, { 120, 40 } };
	char file[256], *en80 = NULL;

	for (int i = 0; i < 2; i++)
		for (int lang = 0; lang < 2; lang++) {
			char *text = screen(t, cursor, sizes[i][0], sizes[i][1], lang, false, false);

			snprintf(file, sizeof file, "%s%s-%dx%d.txt", name, lang ? "-zh" : "",
				 sizes[i][0], sizes[i][1]);
			if (i == 0 && lang == 0)
				en80 = strdup(text);
			golden(text, file);
		}
	return en80;
}

/* The row of the grid's text that starts with prefix, or NULL. */
static const char *row_of(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);

	for (const char *r = text; r != NULL; r = strchr(r, '\n') ? strchr(r, '\n') + 1 : NULL)
		if (strncmp(r, prefix, n) == 0)
			return r;
	return NULL;
}

/* The kernel row under the lane whose row starts with label: no copy
 * glyph, and the whole wait's. */
static void kernel_row_glyphs(const char *text, const char *label, const char *copy,
			      const char *whole)
{
	const char *lane = row_of(text, label), *k;
	char row[1024];
	size_t n;

	assert_non_null(lane);
	k = strchr(lane, '\n') + 1;
	n = strcspn(k, "\n");
	assert_true(n < sizeof row);
	memcpy(row, k, n);
	row[n] = '\0';
	assert_null(strstr(row, copy));
	assert_non_null(strstr(row, whole));
}

static void kernel_row_without_copy(const char *text, const char *label, bool want_whole)
{
	kernel_row_glyphs(text, label, "▓", want_whole ? "▒" : "");
}

static void test_render_attach_end(void **state)
{
	struct trace *t = as_file(attach_trace_select(), "attach-select");
	char *text = screens(t, trace_count(t), "attach-select");

	(void)state;
	assert_non_null(strstr(text, " ioscope · attach: python3 srv.py 8000 · replay"));
	assert_null(strstr(text, "step 0/"));
	assert_non_null(strstr(text, "/proc/4242/task/TID"));
	kernel_row_without_copy(text, "python3.4243", true);
	free(text);
	trace_free(t);
}

/* Stepping: the console's first read has just returned: its span says
 * it held the copy, its kernel row has no copy; the main thread's
 * pselect6 is named on its span. */
static void test_render_attach_step(void **state)
{
	struct trace *t = attach_trace_select();
	size_t at = 0;
	char *text;

	(void)state;
	for (size_t i = 0; i < trace_count(t); i++)
		if (trace_at(t, i)->kind == TRACE_MODEL && trace_at(t, i)->actor == AT_CONSOLE)
			at = i;
	assert_true(at > 0);
	text = screens(t, at, "attach-select-read");
	assert_non_null(strstr(text, "read 3.000 s"));
	assert_non_null(strstr(text, "▒▒wait+copy▒▒"));
	kernel_row_without_copy(text, "python3.4243", true);
	free(text);
	text = screen(t, at, 120, 40, 1, false, false);
	assert_non_null(strstr(text, "等待+复制"));
	free(text);
	/* ASCII: the whole wait in its own glyph, still no copy's */
	text = screen(t, at, 80, 24, 0, true, false);
	kernel_row_glyphs(text, "python3.4243", "=", ":");
	free(text);
	trace_free(t);
}

/* The help box's legend says what the whole wait's glyph means, for a
 * traced program only. */
static void test_render_attach_legend(void **state)
{
	struct trace *t = attach_trace_select();
	char *text = screen(t, trace_count(t), 120, 40, 0, false, true);

	(void)state;
	assert_non_null(strstr(text, "▒ wait + copy in one span (seen from outside)"));
	free(text);
	text = screen(t, trace_count(t), 120, 40, 1, false, true);
	assert_non_null(strstr(text, "▒ 等待+复制，同一段（从外面看）"));
	free(text);
	trace_free(t);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_attach_end),
		cmocka_unit_test(test_render_attach_step),
		cmocka_unit_test(test_render_attach_legend),
	};

	setlocale(LC_ALL, "C.UTF-8");
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("render_attach", tests, NULL, NULL);
}
