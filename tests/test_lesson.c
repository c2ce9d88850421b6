/* test_lesson.c: the lesson reader and its checks, on files written here. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lessons/lesson.h"
#include "lessons/progress.h"

static char root[64], en[128], zh[128];

static const char good_en[] =
	"# Waiting\n\nAn introduction.\n\n"
	"## A waits\n\nA holds his rod.\n\n- one\n- two\n\n"
	"```ioscope\nscenario: fishing\nmodel: blocking\npause: 2\npoint: A's lane\n```\n\n"
	"```predict\nWho is blocked?\n---\nA.\n```\n\n"
	"## Exercise\n\nTry `--model poll`.\n";

static const char good_zh[] =
	"# 等待\n\n介绍。\n\n"
	"## A 在等\n\nA 握着鱼竿。\n\n"
	"```ioscope\nscenario: fishing\nmodel: blocking\npause: 2\npoint: A 的泳道\n```\n\n"
	"```predict\n谁被阻塞？\n---\nA。\n```\n\n"
	"## 练习\n\n试试 `--model poll`。\n";

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	char d[128];

	(void)state;
	snprintf(root, sizeof root, "/tmp/ioscope-lesson-XXXXXX");
	if (mkdtemp(root) == NULL)
		return -1;
	snprintf(d, sizeof d, "%s/lessons", root);
	mkdir(d, 0700);
	snprintf(d, sizeof d, "%s/lessons/en", root);
	mkdir(d, 0700);
	snprintf(d, sizeof d, "%s/lessons/zh", root);
	mkdir(d, 0700);
	snprintf(en, sizeof en, "%s/lessons/en/01-wait.md", root);
	snprintf(zh, sizeof zh, "%s/lessons/zh/01-wait.md", root);
	return 0;
}

static int teardown(void **state)
{
	char cmd[200];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_lesson_parse(void **state)
{
	struct lesson *l;
	char cause[512];
	const struct lesson_block *b;

	(void)state;
	put(en, good_en);
	assert_int_equal(lesson_load(en, &l, cause, sizeof cause), 0);
	assert_string_equal(l->title, "Waiting");
	assert_string_equal(l->name, "01-wait");
	assert_string_equal(l->lang, "en");
	assert_int_equal(l->nsections, 3);                 /* intro, A waits, Exercise */
	assert_string_equal(l->sections[0].text, "An introduction.");
	assert_string_equal(l->sections[1].heading, "A waits");
	assert_string_equal(l->sections[1].text, "A holds his rod.\n\n• one\n\n• two");
	assert_int_equal(l->sections[1].nblocks, 2);
	b = lesson_run(&l->sections[1]);
	assert_non_null(b);
	assert_string_equal(b->scenario, "fishing");
	assert_string_equal(b->model, "blocking");
	assert_int_equal(b->pause, 2);
	assert_string_equal(b->point, "A's lane");
	assert_int_equal(b->line, 12);                   /* its opening fence */
	assert_string_equal(l->sections[1].blocks[1].question, "Who is blocked?");
	assert_string_equal(l->sections[1].blocks[1].answer, "A.");
	assert_string_equal(l->sections[2].text, "Try --model poll.");
	lesson_free(l);
}

static void test_lesson_check_pair(void **state)
{
	struct lesson *l;
	char cause[512] = "";

	(void)state;
	put(en, good_en);
	put(zh, good_zh);
	assert_int_equal(lesson_load(en, &l, cause, sizeof cause), 0);
	assert_int_equal(lesson_check(l, ".", cause, sizeof cause), 0);
	lesson_free(l);
	assert_int_equal(lesson_load(zh, &l, cause, sizeof cause), 0);
	assert_int_equal(lesson_check(l, ".", cause, sizeof cause), 0);
	lesson_free(l);
}

/* text, the expected "file:line: ..." part of the cause (from checks) */
static void expect_bad(const char *text, const char *want, bool parse_error)
{
	struct lesson *l = NULL;
	char cause[512] = "";
	int rc;

	put(en, text);
	put(zh, good_zh);
	rc = lesson_load(en, &l, cause, sizeof cause);
	if (parse_error) {
		assert_int_equal(rc, -EINVAL);
	} else {
		assert_int_equal(rc, 0);
		assert_int_equal(lesson_check(l, ".", cause, sizeof cause), -EINVAL);
		lesson_free(l);
	}
	if (strstr(cause, want) == NULL)
		fail_msg("cause '%s' lacks '%s'", cause, want);
}

static void test_lesson_errors(void **state)
{
	(void)state;
	expect_bad("no title\n", "01-wait.md:1: expected a '# ' title", true);
	expect_bad("# T\n\n## S\n\n```ioscope\nmodel: epoll\n```\n", "01-wait.md:5: expected 'scenario: NAME'", true);
	expect_bad("# T\n\n## S\n\n```ioscope\nscenario fishing\n```\n", "01-wait.md:6: expected 'key: value'", true);
	expect_bad("# T\n\n## S\n\n```ioscope\nscenario: fishing\ncolour: red\n```\n", "01-wait.md:7: unknown or repeated key 'colour'", true);
	expect_bad("# T\n\n## S\n\n```ioscope\nscenario: fishing\npause: soon\n```\n", "01-wait.md:7: expected pause:", true);
	expect_bad("# T\n\n## S\n\n```predict\nWhy?\n```\n", "01-wait.md:5: expected a question, a line '---'", true);
	expect_bad("# T\n\n## S\n\n```ioscope\nscenario: fishing\n```\n\n```ioscope\nscenario: chat\n```\n",
		   "01-wait.md:9: expected at most one ioscope block", true);
	expect_bad("# T\n\n## S\n\n```ioscope\nscenario: rowing\n```\n\n```predict\nQ\n---\nA\n```\n\n## Exercise\n\nx\n",
		   "01-wait.md:5: unknown scenario 'rowing'", false);
	expect_bad("# T\n\n## S\n\n```ioscope\nscenario: fishing\nmodel: telepathy\n```\n",
		   "01-wait.md:5: unknown model 'telepathy'", false);
	expect_bad("# T\n\n## S\n\n```ioscope\nscenario: fishing\npause: 99\n```\n",
		   "pause: 99, but scenario 'fishing' has 16 steps", false);
	expect_bad("# T\n\n## S\n\n```ioscope\nscenario: chat\nmodel: blocking\n```\n",
		   "model 'blocking' cannot serve scenario 'chat'", false);
	expect_bad("# T\n\n## S\n\n```code\nfile: models/blocking.c\nmarker: no-such-marker\n```\n",
		   "01-wait.md:5: models/blocking.c has no '/* lesson: no-such-marker */'", false);
	expect_bad("# T\n\n## S\n\n```ioscope\nscenario: fishing\n```\n\n## More\n\nx\n",
		   "expected the last section to be '## Exercise'", false);
	expect_bad("# T\n\n## S\n\n```ioscope\nscenario: fishing\n```\n\n## Exercise\n\nx\n",
		   "expected at least one predict block", false);
	/* The translation must match block for block. */
	expect_bad("# T\n\nIntro.\n\n## S\n\n```ioscope\nscenario: fishing\nmodel: poll\npause: 2\n```\n\n```predict\nQ\n---\nA\n```\n\n## Exercise\n\nx\n",
		   "01-wait.md:7: this block differs from its translation", false);
	expect_bad("# T\n\n## S\n\n```ioscope\nscenario: fishing\nmodel: blocking\npause: 2\n```\n\n```predict\nQ\n---\nA\n```\n\n## Exercise\n\nx\n",
		   "01-wait.md:1: 2 sections here, 3 in", false);
}

static void test_lesson_missing_and_binary(void **state)
{
	struct lesson *l;
	char cause[512];
	FILE *f;

	(void)state;
	assert_int_equal(lesson_load("/nonexistent/x.md", &l, cause, sizeof cause), -ENOENT);
	assert_non_null(strstr(cause, "/nonexistent/x.md: cannot open"));
	put(en, "");
	assert_int_equal(lesson_load(en, &l, cause, sizeof cause), -EINVAL);
	assert_non_null(strstr(cause, "file is empty"));
	f = fopen(en, "wb");
	fwrite("# T\n\0\0\n", 1, 8, f);
	fclose(f);
	assert_int_equal(lesson_load(en, &l, cause, sizeof cause), -EINVAL);
	assert_non_null(strstr(cause, "NUL byte"));
}

static void test_lesson_progress(void **state)
{
	bool done;

	(void)state;
	setenv("XDG_STATE_HOME", root, 1);
	assert_int_equal(progress_get("01-wait", &done), 0);
	assert_false(done);
	assert_int_equal(progress_set("01-wait", 2, false), 0);
	assert_int_equal(progress_set("02-other", 1, true), 0);
	assert_int_equal(progress_get("01-wait", &done), 2);
	assert_false(done);
	assert_int_equal(progress_set("01-wait", 3, true), 0);
	assert_int_equal(progress_get("01-wait", &done), 3);
	assert_true(done);
	assert_int_equal(progress_get("02-other", &done), 1);
	assert_true(done);
}

/* Every shipped lesson is well formed, in both languages. */
static void test_lesson_shipped(void **state)
{
	static const char *const langs[] = { "en", "zh" };
	char cause[512];

	(void)state;
	for (int k = 0; k < 2; k++) {
		char **paths;
		int n = lesson_list(".", langs[k], &paths);

		assert_true(n >= 0);
		for (int i = 0; i < n; i++) {
			struct lesson *l;

			if (lesson_load(paths[i], &l, cause, sizeof cause) != 0 ||
			    lesson_check(l, ".", cause, sizeof cause) != 0)
				fail_msg("%s", cause);
			lesson_free(l);
		}
		lesson_list_free(paths);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lesson_parse),
		cmocka_unit_test(test_lesson_check_pair),
		cmocka_unit_test(test_lesson_errors),
		cmocka_unit_test(test_lesson_missing_and_binary),
		cmocka_unit_test(test_lesson_progress),
		cmocka_unit_test(test_lesson_shipped),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("lesson", tests, setup, teardown);
}
