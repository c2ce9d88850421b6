/* test_wrap.c: the story's and the lesson page's line breaking
 * (render__wrap).  Chinese follows the kinsoku rules: no row starts with
 * closing punctuation, no row ends with an opening bracket or quote, and a
 * short quoted term moves to the next row whole; English breaks at spaces
 * only.  Whatever the width, no row is wider than it and no text is lost. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <glob.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view/grid.h"
#include "view/render_int.h"

#define ROWS 64

static const char *const closing[] = {
	"，", "。", "、", "；", "：", "？", "！", "）", "」", "』", "”", "’",
	"》", "〉", "】", "…",
};
static const char *const opening[] = { "（", "「", "『", "“", "‘", "《", "〈", "【" };

/* Sentences like the zh lessons' (and their ASCII words). */
static const char *const zh[] = {
	"四条泳道的颜色说明了一切（░ 第一阶段，▓ 第二阶段）。",
	"A 处于状态 S，在 recvfrom 里，睡在 unix_stream_read_generic 上。",
	"要是一千个客户端都这样等，可就不得了了。",
	"这种模式叫“边缘触发”，它只在状态变化时报告一次。",
	"按 `,` 键（逗号）后退一步，再按 `.` 键（句号）往前走……",
	"《UNIX 网络编程》第六章讲了五种 IO 模型：阻塞、非阻塞、多路复用、信号驱动和异步。",
	"epoll_wait() 返回了 2，“就绪”的两个 fd 是 5 和 7；B 还在等。",
};

static char *wrap(const char *text, int w, int *rows)
{
	struct grid g;
	char *out;

	assert_int_equal(grid_init(&g, w, ROWS), 0);
	*rows = render__wrap(&g, 0, 0, w, ROWS, ROLE_TEXT, text);
	out = grid_text(&g);
	assert_non_null(out);
	grid_free(&g);
	for (size_t n = strlen(out); n > 0 && out[n - 1] == '\n'; n--)
		out[n - 1] = '\0';     /* the empty rows below */
	return out;
}

/* text without its blanks */
static char *squeeze(const char *text)
{
	char *out = malloc(strlen(text) + 1), *o = out;

	assert_non_null(out);
	for (; *text != '\0'; text++)
		if (*text != ' ' && *text != '\n')
			*o++ = *text;
	*o = '\0';
	return out;
}

static bool starts_with_any(const char *row, const char *const *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strncmp(row, set[i], strlen(set[i])) == 0)
			return true;
	return false;
}

static bool ends_with_any(const char *row, size_t len, const char *const *set, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t k = strlen(set[i]);

		if (len >= k && strncmp(row + len - k, set[i], k) == 0)
			return true;
	}
	return false;
}

/* Every row of text wrapped at w obeys the rules; prints the first that
 * does not. */
static void check_rows(const char *text, int w)
{
	int rows;
	char *out = wrap(text, w, &rows), *row = out;
	char *a = squeeze(text), *b = squeeze(out);

	if (strcmp(a, b) != 0)
		fail_msg("w=%d: text lost:\n%s\nwrapped:\n%s", w, text, out);
	for (int y = 0; y < rows; y++) {
		char *nl = strchr(row, '\n');
		size_t len = nl ? (size_t)(nl - row) : strlen(row);

		if (y > 0 && starts_with_any(row, closing, sizeof closing / sizeof *closing))
			fail_msg("w=%d: row %d starts with closing punctuation:\n%s", w, y, out);
		if (nl != NULL && ends_with_any(row, len, opening, sizeof opening / sizeof *opening))
			fail_msg("w=%d: row %d ends with an opening bracket:\n%s", w, y, out);
		if (nl == NULL)
			break;
		row = nl + 1;
	}
	free(a);
	free(b);
	free(out);
}

static void test_wrap_zh_kinsoku(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof zh / sizeof *zh; i++)
		for (int w = 8; w <= 60; w++)
			check_rows(zh[i], w);
}

/* The reviewer's rows: closing punctuation pulled down with the word or
 * character before it. */
static void test_wrap_zh_closing_carries(void **state)
{
	int rows;
	char *out;

	(void)state;
	out = wrap("A 处于状态 S，在 recvfrom 里，睡在 unix_stream_read_generic 上。", 26, &rows);
	assert_string_equal(out, "A 处于状态 S，在 recvfrom\n里，睡在\nunix_stream_read_generic\n上。");
	free(out);
	out = wrap("要是一千个客户端都这样等，可就不得了了。", 38, &rows);
	assert_string_equal(out, "要是一千个客户端都这样等，可就不得了\n了。");
	free(out);
	out = wrap("颜色（░ 第一阶段，▓ 第二阶段）。", 28, &rows);
	assert_string_equal(out, "颜色（░ 第一阶段，▓ 第二阶\n段）。");
	free(out);
}

/* An opening bracket goes down with what it opens. */
static void test_wrap_zh_opening_carries(void **state)
{
	int rows;
	char *out;

	(void)state;
	out = wrap("一二三四五六七八（九十）", 18, &rows);
	assert_string_equal(out, "一二三四五六七八\n（九十）");
	free(out);
}

/* A short quoted term moves to the next row whole. */
static void test_wrap_zh_quote_together(void **state)
{
	int rows;
	char *out, *out2;

	(void)state;
	out = wrap("这种模式叫“边缘触发”，它只在状态变化时报告一次。", 16, &rows);
	assert_string_equal(out, "这种模式叫\n“边缘触发”，它只\n在状态变化时报告\n一次。");
	free(out);
	out = wrap("请看《UNIX 网络编程》第六章。", 18, &rows);
	assert_string_equal(out, "请看\n《UNIX 网络编程》\n第六章。");
	out2 = wrap("请看《UNIX 网络编程》第六章。", 14, &rows);   /* too long to move */
	assert_string_equal(out2, "请看《UNIX 网\n络编程》第六\n章。");
	free(out2);
	out2 = wrap("故事区里也写明了（“辅助线程……glibc 的，不是调用者”）。", 40, &rows);
	assert_string_equal(out2, "故事区里也写明了\n（“辅助线程……glibc 的，不是调用者”）。");
	free(out2);
	free(out);
}

/* English breaks at spaces, as before; a word longer than the row is cut. */
static void test_wrap_en_unchanged(void **state)
{
	static const char *const en[] = {
		"A calls recv() and nothing has come yet: it sleeps in the kernel (state S).",
		"Look at A's kernel row: the arrow, then the copy. \"Quoted\" (bracketed), don't.",
		"unix_stream_read_generic is longer than a narrow row.",
	};
	int rows;
	char *out;

	(void)state;
	out = wrap(en[0], 20, &rows);
	assert_string_equal(out, "A calls recv() and\nnothing has come\nyet: it sleeps in\nthe kernel (state\nS).");
	free(out);
	out = wrap(en[1], 24, &rows);
	assert_string_equal(out, "Look at A's kernel row:\nthe arrow, then the\ncopy. \"Quoted\"\n(bracketed), don't.");
	free(out);
	out = wrap(en[2], 10, &rows);
	assert_string_equal(out, "unix_strea\nm_read_gen\neric is\nlonger\nthan a\nnarrow\nrow.");
	free(out);
	for (size_t i = 0; i < sizeof en / sizeof *en; i++)
		for (int w = 8; w <= 60; w++)
			check_rows(en[i], w);
}

/* Every paragraph of every Chinese lesson, at every width a lesson page
 * can have, as the learner reads it. */
static void test_wrap_zh_lessons(void **state)
{
	glob_t g;
	int paragraphs = 0;

	(void)state;
	assert_int_equal(glob("lessons/zh/[0-9]*.md", 0, NULL, &g), 0);
	assert_true(g.gl_pathc >= 13);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char line[4096];
		bool code = false;
		FILE *f = fopen(g.gl_pathv[i], "r");

		assert_non_null(f);
		while (fgets(line, sizeof line, f) != NULL) {
			line[strcspn(line, "\n")] = '\0';
			if (strncmp(line, "```", 3) == 0)
				code = !code;
			else if (!code && *line != '\0' && *line != '#')
				for (int w = 30; w <= 118; w += 4, paragraphs++)
					check_rows(line, w);
		}
		fclose(f);
	}
	globfree(&g);
	assert_true(paragraphs > 1000);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrap_zh_kinsoku),
		cmocka_unit_test(test_wrap_zh_closing_carries),
		cmocka_unit_test(test_wrap_zh_opening_carries),
		cmocka_unit_test(test_wrap_zh_quote_together),
		cmocka_unit_test(test_wrap_en_unchanged),
		cmocka_unit_test(test_wrap_zh_lessons),
	};

	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		setlocale(LC_ALL, "en_US.UTF-8");
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
