/* test_file_text.c: the one set of checks every text reader makes on a
 * whole file (file_check_whole), and a cause that names a file as its
 * reader does (file_read_named). */
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

#include "trace/file.h"

#define T(s) (s), sizeof (s) - 1

static void test_file_text_whole(void **state)
{
	char cause[200];
	size_t skip = 99;

	(void)state;
	assert_int_equal(file_check_whole("a.scn", T("ok\n"), 64, &skip, cause, sizeof cause), 0);
	assert_int_equal(skip, 0);
	/* A byte order mark is skipped; lines and columns count after it. */
	assert_int_equal(file_check_whole("a.scn", T("\xef\xbb\xbfok\n"), 64, &skip, cause,
					  sizeof cause), 0);
	assert_int_equal(skip, 3);
	assert_int_equal(file_check_whole("a.scn", T("\xef\xbb\xbf" "a\nb\x01"), 64, &skip, cause,
					  sizeof cause), -EINVAL);
	assert_string_equal(cause, "a.scn:2:2: control character 0x01 where text was expected "
			    "(only tabs and newlines may appear)");
	assert_int_equal(file_check_whole("a.md", T("0123456789"), 9, &skip, cause, sizeof cause),
			 -EFBIG);
	assert_string_equal(cause, "a.md: file is too large (10 bytes, at most 9)");
}

static void test_file_text_named(void **state)
{
	char dir[] = "/tmp/ioscope-file-text-XXXXXX", path[64], cause[200], *out = (char *)1;
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/sub", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(file_read_named(path, "models/sub", 64, "source", 1, &out, &len, cause,
					 sizeof cause), -EISDIR);
	assert_null(out);
	assert_string_equal(cause, "models/sub: cannot read: Is a directory (expected a source file)");
	snprintf(path, sizeof path, "%s/none.c", dir);
	assert_int_equal(file_read_named(path, "none.c", 64, "source", 1, &out, &len, cause,
					 sizeof cause), -ENOENT);
	assert_string_equal(cause, "none.c: cannot open: No such file or directory");
	snprintf(path, sizeof path, "%s/sub", dir);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_text_whole),
		cmocka_unit_test(test_file_text_named),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("file_text", tests, NULL, NULL);
}
