/* test_lesson.c: the lesson reader and its checks, on files written here. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lessons/lesson.h"
#include "lessons/progress.h"
#include "trace/file.h"

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

/* An ordered list keeps its numbers ("exercise 2" can be named in class);
 * a bulleted one, and a number no one writes, keep the bullet. */
static void test_lesson_numbered(void **state)
{
	static const char md[] = "# T\n\n## S\n\n3. three\n4. four\n\n- a\n- b\n\n"
				 "1. loose\n\n   more of it\n\n2. next\n\nText.\n\n10000) big\n";
	struct lesson *l;
	char cause[512];

	(void)state;
	assert_int_equal(lesson_parse(en, md, sizeof md - 1, &l, cause, sizeof cause), 0);
	assert_string_equal(l->sections[0].text, "3. three\n\n4. four\n\n• a\n\n• b\n\n"
			    "1. loose\n\n• more of it\n\n2. next\n\nText.\n\n• big");
	lesson_free(l);
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

/* The zh lesson good_zh with wording planted in its second section's
 * text: lesson_check's verdict, and its cause in cause. */
static int planted(const char *wording, char *cause, size_t len)
{
	const char *at = strstr(good_zh, "A 握着鱼竿");
	char text[1024];
	struct lesson *l;
	int rc;

	snprintf(text, sizeof text, "%.*s%s%s", (int)(at - good_zh), good_zh, wording, at);
	put(en, good_en);
	put(zh, text);
	assert_int_equal(lesson_load(zh, &l, cause, len), 0);
	rc = lesson_check(l, ".", cause, len);
	lesson_free(l);
	return rc;
}

/* A Chinese lesson that uses a wording the glossary avoids is refused at
 * its line and column, with the term to use; a `code` span may quote. */
static void test_lesson_glossary(void **state)
{
	char cause[512] = "";

	(void)state;
	assert_int_equal(planted("看旁白：", cause, sizeof cause), -EINVAL);
	assert_non_null(strstr(cause, "01-wait.md:7:2: '旁白' is not the glossary's word: use '字幕'"));
	assert_null(strchr(cause, '\n'));
	assert_int_equal(planted("hello world ", cause, sizeof cause), -EINVAL);
	assert_non_null(strstr(cause, "01-wait.md:7:7: 'world' is not the glossary's word: use '场景脚本'"));
	assert_int_equal(planted("`world` 和 `旁白` 只是引用；worlds ", cause, sizeof cause), 0);
}

/* Every wording the glossary's last column lists (lessons/FORMAT.md) is
 * one the checker refuses: the table and the checker's list agree. */
static void test_lesson_glossary_mirrors_format(void **state)
{
	FILE *f = fopen("lessons/FORMAT.md", "r");
	char line[1024], cause[512];
	bool in = false;
	int rows = 0, words = 0;

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL) {
		char *last, *w, *save;

		if (strncmp(line, "## ", 3) == 0)
			in = strstr(line, "glossary") != NULL;
		if (!in || line[0] != '|' || strncmp(line, "|---", 4) == 0 ||
		    strncmp(line, "| English", 9) == 0)
			continue;
		rows++;
		line[strcspn(line, "\n")] = '\0';
		*strrchr(line, '|') = '\0';             /* the closing bar */
		last = strrchr(line, '|') + 1;
		for (w = strtok_r(last, ",", &save); w != NULL; w = strtok_r(NULL, ",", &save)) {
			char planted_w[128];

			while (*w == ' ')
				w++;
			w[strcspn(w, " ")] = '\0';
			if (*w == '\0')
				continue;
			words++;
			snprintf(planted_w, sizeof planted_w, "%s ", w);
			if (planted(planted_w, cause, sizeof cause) != -EINVAL || strstr(cause, w) == NULL)
				fail_msg("the glossary lists '%s', and check let it pass (%s)", w, cause);
		}
	}
	fclose(f);
	assert_true(rows >= 20);
	assert_true(words >= 20);
}

/* The lesson may end with 2 or 3 check questions after its exercise. */
static void test_lesson_check_yourself(void **state)
{
	static const char q[] = "```predict\nQ\n---\nA\n```\n\n";
	char text[2048], text_zh[2048];
	struct lesson *l;
	char cause[512] = "";

	(void)state;
	snprintf(text, sizeof text, "%s\n## Check yourself\n\n%s%s", good_en, q, q);
	snprintf(text_zh, sizeof text_zh, "%s\n## 自测\n\n%s%s", good_zh, q, q);
	put(en, text);
	put(zh, text_zh);
	assert_int_equal(lesson_load(en, &l, cause, sizeof cause), 0);
	assert_int_equal(lesson_check(l, ".", cause, sizeof cause), 0);
	lesson_free(l);
	assert_int_equal(lesson_load(zh, &l, cause, sizeof cause), 0);
	assert_int_equal(lesson_check(l, ".", cause, sizeof cause), 0);
	lesson_free(l);
	/* One question only. */
	snprintf(text, sizeof text, "%s\n## Check yourself\n\n%s", good_en, q);
	put(en, text);
	assert_int_equal(lesson_load(en, &l, cause, sizeof cause), 0);
	assert_int_equal(lesson_check(l, ".", cause, sizeof cause), -EINVAL);
	assert_non_null(strstr(cause, "expected 2 or 3 predict blocks (questions) under 'Check yourself', got 1"));
	lesson_free(l);
	/* Not after the exercise. */
	snprintf(text, sizeof text, "# T\n\n## S\n\n```ioscope\nscenario: fishing\n```\n\n"
		 "## Check yourself\n\n%s%s", q, q);
	put(en, text);
	assert_int_equal(lesson_load(en, &l, cause, sizeof cause), 0);
	assert_int_equal(lesson_check(l, ".", cause, sizeof cause), -EINVAL);
	assert_non_null(strstr(cause, "'## Check yourself' (or '## 自测') right after it, got 'S'"));
	lesson_free(l);
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

/* lesson_load on path: rc, and a cause holding want (and one line). */
static void load_fails(const char *path, int want_rc, const char *want)
{
	struct lesson *l = (struct lesson *)&l;
	char cause[512] = "";

	alarm(5);               /* a reader that blocks ends the binary */
	assert_int_equal(lesson_load(path, &l, cause, sizeof cause), want_rc);
	alarm(0);
	assert_null(strchr(cause, '\n'));
	if (strstr(cause, want) == NULL)
		fail_msg("cause '%s' lacks '%s'", cause, want);
}

static void put_bytes(const char *path, const char *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* Not a regular file: refused at once, in words that say what it is. */
static void test_lesson_special_files(void **state)
{
	char path[192], *big;

	(void)state;
	snprintf(path, sizeof path, "%s/fifo.md", root);
	assert_int_equal(mkfifo(path, 0600), 0);
	load_fails(path, -EINVAL, "fifo.md: not a regular file (a FIFO; expected a lesson file)");
	snprintf(path, sizeof path, "%s/x.md", root);
	assert_int_equal(mkdir(path, 0700), 0);
	load_fails(path, -EISDIR, "x.md: cannot read: Is a directory (expected a lesson file)");
	snprintf(path, sizeof path, "%s/zero.md", root);
	assert_int_equal(symlink("/dev/zero", path), 0);
	load_fails(path, -EINVAL, "zero.md: not a regular file (a character device; expected a lesson file)");
	load_fails("/dev/null", -EINVAL, "/dev/null: not a regular file (a character device");
	assert_non_null(big = malloc(LESSON_MAX_FILE + 1));
	memset(big, 'a', LESSON_MAX_FILE + 1);
	snprintf(path, sizeof path, "%s/big.md", root);
	put_bytes(path, big, LESSON_MAX_FILE + 1);
	load_fails(path, -EFBIG, "big.md: file is too large (262145 bytes, at most 262144)");
	free(big);
}

#define B(lit) lit, sizeof lit - 1

/* Bytes that are not text: the line and the column (in characters). */
static void test_lesson_not_text(void **state)
{
	struct lesson *l;
	char cause[512];

	(void)state;
	put_bytes(en, B("# T\n\n## S\n\nab\0c\n"));
	load_fails(en, -EINVAL, "01-wait.md:5:3: binary data (NUL byte) where text was expected");
	put_bytes(en, B("# T\n\n## S\n\nab\xff\n\n```predict\nQ\n---\nA\n```\n"));
	load_fails(en, -EINVAL, "01-wait.md:5:3: invalid UTF-8 (byte 0xff) where text was expected");
	put_bytes(en, B("# T\n\n## 中文\n\n```predict\n谁\xe5\x85\n---\nA\n```\n"));
	load_fails(en, -EINVAL, "01-wait.md:6:2: invalid UTF-8 (byte 0xe5)");
	put_bytes(en, B("# T\n\n## S\n\nsay \x1b]0;pwned\x07\n"));
	load_fails(en, -EINVAL, "01-wait.md:5:5: control character 0x1b");
	/* The same through lesson_parse, which the fuzz target drives. */
	assert_int_equal(lesson_parse(en, B("# T\n\xc0\xaf"), &l, cause, sizeof cause), -EINVAL);
	assert_non_null(strstr(cause, "01-wait.md:2:1: invalid UTF-8 (byte 0xc0)"));
	assert_int_equal(lesson_parse(en, "# T", LESSON_MAX_FILE + 1, &l, cause, sizeof cause), -EFBIG);
	/* A byte order mark is not text to show: the title is still a title. */
	put_bytes(en, B("\xef\xbb\xbf# T\n\n## S\n\nx\n"));
	assert_int_equal(lesson_load(en, &l, cause, sizeof cause), 0);
	assert_string_equal(l->title, "T");
	lesson_free(l);
}

/* A code block's file: must name a C file inside the data folder. */
static void test_lesson_code_names(void **state)
{
	static const struct { const char *file, *want; } bad[] = {
		{ "../../../../../../etc/passwd", ":6: file: expected a path inside the project's "
		  "source tree, without '..', '.' or empty parts, got '../../../../../../etc/passwd'" },
		{ "models/../../x.c", "without '..'" },
		{ "./models/blocking.c", "without '..', '.' or empty parts" },
		{ "models//blocking.c", "without '..', '.' or empty parts" },
		{ "models/", "without '..', '.' or empty parts" },
		{ "/etc/passwd", ":6: file: expected a relative path inside the project's source "
		  "tree, like models/blocking.c, got '/etc/passwd'" },
		{ "models/a b.c", ":6: file: expected letters, digits" },
		{ "models/x\\y.c", "expected letters, digits" },
		{ "README.md", ":6: file: expected a C file of the project (.c or .h), like "
		  "models/blocking.c, got 'README.md'" },
		{ "models/blocking.c.orig", "(.c or .h)" },
		{ "models/blocking.c~", "expected letters, digits" },
		{ "c", "(.c or .h)" },
	};
	char text[600], longname[200];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(text, sizeof text, "# T\n\n## S\n\n```code\nfile: %s\nmarker: m\n```\n",
			 bad[i].file);
		put(en, text);
		load_fails(en, -EINVAL, bad[i].want);
	}
	memset(longname, 'a', sizeof longname);
	memcpy(longname + sizeof longname - 3, ".c", 3);
	snprintf(text, sizeof text, "# T\n\n## S\n\n```code\nfile: %s\nmarker: m\n```\n", longname);
	put(en, text);
	load_fails(en, -EINVAL, ":6: file: expected a path of at most 128 characters");
	put(en, "# T\n\n## S\n\n```code\nfile: models/blocking.c\nmarker: x */ y\n```\n");
	load_fails(en, -EINVAL, ":7: marker: expected a name of 1 to 64 letters, digits, '_' or '-'");
}

/* A run block's scenario: and model: are names, never paths: they are
 * joined to the data folder (DATA/scenarios/NAME.scn) and printed as a
 * command line in handouts. */
static void test_lesson_run_names(void **state)
{
	(void)state;
	put(en, "# T\n\n## S\n\n```ioscope\nscenario: ../../../../tmp/evil\n```\n");
	load_fails(en, -EINVAL, ":6: scenario: expected a scenario name (a-z, 0-9, '-' and '_', "
		   "see ioscope scenarios), got '../../../../tmp/evil'");
	put(en, "# T\n\n## S\n\n```ioscope\nscenario: /tmp/evil\n```\n");
	load_fails(en, -EINVAL, ":6: scenario: expected a scenario name");
	put(en, "# T\n\n## S\n\n```ioscope\nscenario: fishing; rm -rf ~\n```\n");
	load_fails(en, -EINVAL, ":6: scenario: expected a scenario name");
	put(en, "# T\n\n## S\n\n```ioscope\nscenario: fishing\nmodel: ../epoll\n```\n");
	load_fails(en, -EINVAL, ":7: model: expected a model name (a-z, 0-9 and '-', see ioscope "
		   "models), got '../epoll'");
}

/* show: names the panes a page talks about. */
static void test_lesson_show(void **state)
{
	struct lesson *l;
	char cause[512];

	(void)state;
	put(en, "# T\n\n## S\n\n```ioscope\nscenario: fishing\nshow: kernel, select lanes\n```\n");
	assert_int_equal(lesson_load(en, &l, cause, sizeof cause), 0);
	assert_int_equal(lesson_run(&l->sections[0])->show,
			 LESSON_PANE_KERNEL | LESSON_PANE_MUX | LESSON_PANE_LANES);
	lesson_free(l);
	put(en, "# T\n\n## S\n\n```ioscope\nscenario: fishing\n```\n");
	assert_int_equal(lesson_load(en, &l, cause, sizeof cause), 0);
	assert_int_equal(lesson_run(&l->sections[0])->show, 0);
	lesson_free(l);
	put(en, "# T\n\n## S\n\n```ioscope\nscenario: fishing\nshow: kernel, story\n```\n");
	assert_int_equal(lesson_load(en, &l, cause, sizeof cause), 0);
	assert_int_equal(lesson_run(&l->sections[0])->show, LESSON_PANE_KERNEL | LESSON_PANE_STORY);
	lesson_free(l);
	put(en, "# T\n\n## S\n\n```ioscope\nscenario: fishing\nshow: kernel, stories\n```\n");
	load_fails(en, -EINVAL, ":7: expected show: panes among lanes, kernel, select, poll, epoll, story; got 'stories'");
	put(en, "# T\n\n## S\n\n```ioscope\nscenario: fishing\nshow: ,\n```\n");
	load_fails(en, -EINVAL, ":7: expected show: one pane or more");
	put(en, "# T\n\n## S\n\n```ioscope\nscenario: fishing\nshow: kernel\nshow: lanes\n```\n");
	load_fails(en, -EINVAL, ":8: unknown or repeated key 'show'");
	put(en, "# T\n\n## S\n\n```predict\nQ\n---\nA\n```\n\n```code\nfile: models/blocking.c\nshow: kernel\n```\n");
	load_fails(en, -EINVAL, "unknown or repeated key 'show' (expected file or marker)");
}

/* What a cause quotes stays one line of valid UTF-8: no CR of a CRLF file,
 * no character cut in half. */
static void test_lesson_cause_text(void **state)
{
	struct lesson *l;
	char cause[512], why[160];
	int line, col;

	(void)state;
	put(en, "# T\r\n\r\n## S\r\n\r\n```ioscope\r\nscenario fishing\r\n```\r\n");
	load_fails(en, -EINVAL, ":6: expected 'key: value', got 'scenario fishing'");
	put(en, "# T\n\n## S\n\n```ioscope\nscenario: 中中中中中中中中中中中中中中中中中中中中\n```\n");
	assert_int_equal(lesson_load(en, &l, cause, sizeof cause), -EINVAL);
	assert_non_null(strstr(cause, "got '中中中中中中中中中中'"));   /* 30 of 32 bytes */
	assert_int_equal(file_check_text(cause, strlen(cause), &line, &col, why, sizeof why), 0);
}

/* lesson_code itself checks the name again, and reads regular files only. */
static void test_lesson_code_files(void **state)
{
	struct lesson_block b = { .kind = LB_CODE, .file = "models/q.c", .marker = "m" };
	char d[160], path[200], cause[512], *code, *big;

	(void)state;
	snprintf(d, sizeof d, "%s/models", root);
	assert_int_equal(mkdir(d, 0700), 0);
	snprintf(path, sizeof path, "%s/models/q.c", root);
	put(path, "int a;\n/* lesson: m */\nint b;\n/* lesson end */\n");
	assert_non_null(code = lesson_code(root, &b, cause, sizeof cause));
	assert_string_equal(code, "int b;\n");
	free(code);

	b.file = "../../../../../../etc/passwd";
	assert_null(lesson_code(root, &b, cause, sizeof cause));
	assert_non_null(strstr(cause, "file: expected a path inside the project's source tree"));
	b.file = "/etc/passwd";
	assert_null(lesson_code(root, &b, cause, sizeof cause));
	assert_non_null(strstr(cause, "file: expected a relative path"));

	b.file = "models/fifo.c";
	snprintf(path, sizeof path, "%s/models/fifo.c", root);
	assert_int_equal(mkfifo(path, 0600), 0);
	alarm(5);
	assert_null(lesson_code(root, &b, cause, sizeof cause));
	alarm(0);
	assert_string_equal(cause, "models/fifo.c: not a regular file (a FIFO; expected a source file)");
	b.file = "models/zero.c";
	snprintf(path, sizeof path, "%s/models/zero.c", root);
	assert_int_equal(symlink("/dev/zero", path), 0);
	assert_null(lesson_code(root, &b, cause, sizeof cause));
	assert_string_equal(cause, "models/zero.c: not a regular file (a character device; "
			    "expected a source file)");
	b.file = "models/dir.c";
	snprintf(path, sizeof path, "%s/models/dir.c", root);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_null(lesson_code(root, &b, cause, sizeof cause));
	assert_string_equal(cause, "models/dir.c: cannot read: Is a directory (expected a source file)");
	b.file = "models/none.c";
	assert_null(lesson_code(root, &b, cause, sizeof cause));
	assert_string_equal(cause, "models/none.c: cannot open: No such file or directory");
	b.file = "models/big.c";
	snprintf(path, sizeof path, "%s/models/big.c", root);
	assert_non_null(big = malloc(LESSON_MAX_CODE + 1));
	memset(big, '/', LESSON_MAX_CODE + 1);
	put_bytes(path, big, LESSON_MAX_CODE + 1);
	free(big);
	assert_null(lesson_code(root, &b, cause, sizeof cause));
	assert_string_equal(cause, "models/big.c: file is too large (262145 bytes, at most 262144)");
	b.file = "models/q.c";
	b.marker = "m */ int evil; /*";
	assert_null(lesson_code(root, &b, cause, sizeof cause));
	assert_non_null(strstr(cause, "marker: expected a name"));
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

/* The progress file is the learner's, but what sits at its path may be
 * anything: a FIFO or a device must not hang the lesson screen, nor be
 * replaced; a huge or garbled file is ignored, not copied. */
static void test_lesson_progress_hostile(void **state)
{
	char dir[160], path[192], line[600], *text;
	struct dirent *de;
	struct stat st;
	bool done = true;
	FILE *f;
	DIR *d;

	(void)state;
	snprintf(dir, sizeof dir, "%s/hostile", root);
	snprintf(path, sizeof path, "%s/ioscope", dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(mkdir(path, 0700), 0);
	setenv("XDG_STATE_HOME", dir, 1);
	snprintf(path, sizeof path, "%s/ioscope/progress", dir);

	assert_int_equal(mkfifo(path, 0600), 0);
	alarm(5);
	assert_int_equal(progress_get("01-wait", &done), 0);
	assert_false(done);
	assert_int_equal(progress_set("01-wait", 2, false), -EINVAL);
	alarm(0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));              /* still the FIFO */
	assert_int_equal(unlink(path), 0);

	assert_int_equal(symlink("/dev/zero", path), 0);
	alarm(5);
	assert_int_equal(progress_get("01-wait", &done), 0);
	assert_int_equal(progress_set("01-wait", 2, false), -EINVAL);
	alarm(0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(unlink(path), 0);

	/* A line longer than any the program writes, then good lines. */
	memset(line, 'x', sizeof line - 1);
	line[sizeof line - 1] = '\0';
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "%s 7 1\n01-wait 3 0\n\n02-other -5 1\ngarbage\n", line);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(progress_get("01-wait", &done), 3);
	assert_false(done);
	assert_int_equal(progress_get("02-other", &done), 0);
	assert_true(done);
	assert_int_equal(progress_set("01-wait", 4, true), 0);
	assert_int_equal(progress_get("01-wait", &done), 4);
	assert_true(done);
	assert_non_null(f = fopen(path, "r"));
	assert_non_null(text = calloc(1, 4096));
	assert_true(fread(text, 1, 4095, f) > 0);
	fclose(f);
	assert_null(strstr(text, "01-wait 3"));         /* replaced, not repeated */
	assert_non_null(strstr(text, "01-wait 4 1\n"));
	free(text);
	/* No temporary file stays beside it. */
	snprintf(path, sizeof path, "%s/ioscope", dir);
	assert_non_null(d = opendir(path));
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			assert_string_equal(de->d_name, "progress");
	closedir(d);
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

		assert_true(n >= 12);               /* the twelve lessons, found */
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
		cmocka_unit_test(test_lesson_glossary),
		cmocka_unit_test(test_lesson_glossary_mirrors_format),
		cmocka_unit_test(test_lesson_check_yourself),
		cmocka_unit_test(test_lesson_missing_and_binary),
		cmocka_unit_test(test_lesson_special_files),
		cmocka_unit_test(test_lesson_not_text),
		cmocka_unit_test(test_lesson_code_names),
		cmocka_unit_test(test_lesson_code_files),
		cmocka_unit_test(test_lesson_run_names),
		cmocka_unit_test(test_lesson_show),
		cmocka_unit_test(test_lesson_cause_text),
		cmocka_unit_test(test_lesson_numbered),
		cmocka_unit_test(test_lesson_progress),
		cmocka_unit_test(test_lesson_progress_hostile),
		cmocka_unit_test(test_lesson_shipped),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("lesson", tests, setup, teardown);
}
