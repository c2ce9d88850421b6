/* test_file.c: file_read_whole on every kind of file a user can name:
 * regular files around the cap, empty ones, FIFOs, devices, directories,
 * sockets, symbolic links and procfs files that claim a size of 0. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "trace/file.h"

#define CAP 64

static char dir[64];
static char cause[256];

static const char *in_dir(const char *name)
{
	static char path[16][128];
	static int k;

	k = (k + 1) % 16;
	snprintf(path[k], sizeof path[k], "%s/%s", dir, name);
	return path[k];
}

static const char *put(const char *name, const char *data, size_t len)
{
	const char *path = in_dir(name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
	return path;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/ioscope-file-XXXXXX");
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Every call is bounded: a reader that blocks (a FIFO, a device) ends the
 * binary with SIGALRM instead of hanging the suite. */
static int read_it(const char *path, size_t cap, int allow_empty, char **out,
		   size_t *len)
{
	int rc;

	memset(cause, 'x', sizeof cause - 1);
	cause[sizeof cause - 1] = '\0';
	alarm(5);
	rc = file_read_whole(path, cap, "scenario", allow_empty, out, len,
			     cause, sizeof cause);
	alarm(0);
	assert_null(strchr(cause, '\n'));               /* one line */
	if (rc != 0) {
		assert_null(*out);
		assert_int_equal(*len, 0);
	}
	return rc;
}

/* rc, then a cause that starts with "PATH: " and holds want. */
static void expect_fail(const char *path, size_t cap, int allow_empty, int want_rc,
			const char *want)
{
	char *out = (char *)&out;
	size_t len = 1;

	assert_int_equal(read_it(path, cap, allow_empty, &out, &len), want_rc);
	assert_memory_equal(cause, path, strlen(path));
	assert_memory_equal(cause + strlen(path), ": ", 2);
	if (strstr(cause, want) == NULL)
		fail_msg("cause '%s' lacks '%s'", cause, want);
}

static void test_file_regular(void **state)
{
	const char *path = put("a.scn", "scenario t\n", 11);
	char *out;
	size_t len;

	(void)state;
	assert_int_equal(read_it(path, CAP, 0, &out, &len), 0);
	assert_int_equal(len, 11);
	assert_string_equal(out, "scenario t\n");
	free(out);
}

/* Bytes past a NUL are kept: the caller reports where the NUL is. */
static void test_file_binary(void **state)
{
	const char *path = put("nul.scn", "a\0b", 3);
	char *out;
	size_t len;

	(void)state;
	assert_int_equal(read_it(path, CAP, 0, &out, &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(out, "a\0b", 4);
	free(out);
}

static void test_file_empty(void **state)
{
	const char *path = put("empty.scn", "", 0);
	char *out;
	size_t len;

	(void)state;
	expect_fail(path, CAP, 0, -ENODATA, "file is empty (expected a scenario)");
	assert_int_equal(read_it(path, CAP, 1, &out, &len), 0);
	assert_int_equal(len, 0);
	assert_string_equal(out, "");
	free(out);
}

static void test_file_cap(void **state)
{
	char data[CAP + 1], *out;
	const char *at, *over;
	size_t len;

	(void)state;
	memset(data, 'z', sizeof data);
	at = put("at.scn", data, CAP);
	over = put("over.scn", data, CAP + 1);
	assert_int_equal(read_it(at, CAP, 0, &out, &len), 0);
	assert_int_equal(len, CAP);
	assert_int_equal(out[CAP], '\0');
	free(out);
	expect_fail(over, CAP, 0, -EFBIG, "file is too large (65 bytes, at most 64");
	/* A cap of 0 admits the empty file only. */
	expect_fail(over, 0, 1, -EFBIG, "file is too large");
}

/* A cap near SIZE_MAX must not wrap cap + 1 to 0. */
static void test_file_cap_huge(void **state)
{
	const char *path = put("huge.scn", "hello", 5);
	char *out;
	size_t len;

	(void)state;
	assert_int_equal(read_it(path, SIZE_MAX, 0, &out, &len), 0);
	assert_int_equal(len, 5);
	assert_string_equal(out, "hello");
	free(out);
	assert_int_equal(read_it(path, SIZE_MAX - 1, 0, &out, &len), 0);
	assert_string_equal(out, "hello");
	free(out);
}

/* No writer: a blocking open would wait for one forever; with a writer
 * that never writes, a blocking read would.  Both are refused at once. */
static void test_file_fifo(void **state)
{
	const char *path = in_dir("f.scn");
	int w;

	(void)state;
	assert_int_equal(mkfifo(path, 0600), 0);
	expect_fail(path, CAP, 0, -EINVAL, "not a regular file (a FIFO; expected a scenario file)");
	assert_true((w = open(path, O_RDWR)) >= 0);     /* a writer that never writes */
	expect_fail(path, CAP, 0, -EINVAL, "not a regular file (a FIFO");
	assert_int_equal(close(w), 0);
}

static void test_file_devices(void **state)
{
	(void)state;
	expect_fail("/dev/zero", CAP, 0, -EINVAL,
		    "not a regular file (a character device; expected a scenario file)");
	expect_fail("/dev/null", CAP, 1, -EINVAL, "not a regular file (a character device");
}

static void test_file_directory(void **state)
{
	const char *path = in_dir("d.scn");

	(void)state;
	assert_int_equal(mkdir(path, 0700), 0);
	expect_fail(path, CAP, 0, -EISDIR, "cannot read: Is a directory (expected a scenario file)");
	expect_fail(dir, SIZE_MAX, 1, -EISDIR, "Is a directory");
}

static void test_file_missing(void **state)
{
	(void)state;
	expect_fail(in_dir("none.scn"), CAP, 0, -ENOENT, "cannot open: No such file or directory");
	expect_fail(in_dir("none/x.scn"), CAP, 0, -ENOENT, "cannot open: No such file or directory");
}

static void test_file_not_dir(void **state)
{
	char path[160];

	(void)state;
	put("plain", "x", 1);
	snprintf(path, sizeof path, "%s/plain/x.scn", dir);
	expect_fail(path, CAP, 0, -ENOTDIR, "cannot open: Not a directory");
}

static void test_file_symlink(void **state)
{
	const char *target = put("target.scn", "scenario t\n", 11), *link = in_dir("link.scn");
	const char *dangling = in_dir("dangling.scn"), *to_fifo = in_dir("to_fifo.scn");
	const char *fifo = in_dir("fifo2");
	char *out;
	size_t len;

	(void)state;
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(read_it(link, CAP, 0, &out, &len), 0);
	assert_string_equal(out, "scenario t\n");
	free(out);
	assert_int_equal(symlink(in_dir("nowhere"), dangling), 0);
	expect_fail(dangling, CAP, 0, -ENOENT, "cannot open");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(symlink(fifo, to_fifo), 0);
	expect_fail(to_fifo, CAP, 0, -EINVAL, "not a regular file (a FIFO");
	assert_int_equal(symlink("/dev/zero", in_dir("to_zero.scn")), 0);
	expect_fail(in_dir("to_zero.scn"), CAP, 0, -EINVAL, "character device");
}

/* A listening Unix socket's file: open(2) says ENXIO. */
static void test_file_socket(void **state)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s;

	(void)state;
	snprintf(a.sun_path, sizeof a.sun_path, "%s", in_dir("sock.scn"));
	assert_true((s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) >= 0);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(s, 1), 0);
	expect_fail(a.sun_path, CAP, 0, -EINVAL, "not a regular file");
	assert_int_equal(close(s), 0);
}

/* procfs says st_size 0 for files with content: read to the end anyway,
 * and still stop at the cap. */
static void test_file_proc(void **state)
{
	struct stat st;
	char *out;
	size_t len;

	(void)state;
	assert_int_equal(stat("/proc/self/status", &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(read_it("/proc/self/status", 1u << 20, 0, &out, &len), 0);
	assert_true(len > 0);
	assert_int_equal(strlen(out), len);
	assert_memory_equal(out, "Name:", 5);
	free(out);
	expect_fail("/proc/self/status", 32, 0, -EFBIG, "file is too large (more than 32 bytes");
	/* Past the first 4096-byte buffer: the buffer grows up to the cap. */
	assert_int_equal(read_it("/proc/self/smaps", 64u << 20, 0, &out, &len), 0);
	assert_true(len > 4096);
	assert_int_equal(strlen(out), len);
	free(out);
	expect_fail("/proc/self/smaps", 5000, 0, -EFBIG, "file is too large (more than 5000 bytes");
}

/* Mode 000: as root, the check runs in a child that became nobody. */
static void test_file_unreadable(void **state)
{
	const char *path = put("secret.scn", "x", 1);
	char *out;
	size_t len;
	pid_t pid;
	int st;

	(void)state;
	assert_int_equal(chmod(path, 0), 0);
	if (geteuid() != 0) {
		expect_fail(path, CAP, 0, -EACCES, "cannot open: Permission denied");
		return;
	}
	assert_int_equal(chmod(dir, 0755), 0);
	assert_true((pid = fork()) >= 0);
	if (pid == 0) {
		alarm(5);
		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(3);
		_exit(file_read_whole(path, CAP, "scenario", 0, &out, &len, cause,
				      sizeof cause) == -EACCES && out == NULL &&
		      strstr(cause, ": cannot open: Permission denied") != NULL ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_int_equal(chmod(dir, 0700), 0);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 3)
		skip();         /* cannot become nobody here */
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* The article follows the word; the cause is cut whole, at a character. */
static void test_file_cause(void **state)
{
	const char *path = put("e.jsonl", "", 0);
	char small[128], *out;
	size_t len;
	int rc;

	(void)state;
	rc = file_read_whole(path, CAP, "ioscope trace", 0, &out, &len, cause, sizeof cause);
	assert_int_equal(rc, -ENODATA);
	assert_non_null(strstr(cause, "file is empty (expected an ioscope trace)"));
	rc = file_read_whole(path, CAP, "lesson", 0, &out, &len, NULL, 0);
	assert_int_equal(rc, -ENODATA);
	/* Room for "DIR/" and one byte of 中: the half character goes. */
	path = put("中文.md", "", 0);
	memset(small, 'x', sizeof small);
	rc = file_read_whole(path, CAP, "lesson", 0, &out, &len, small, strlen(dir) + 3);
	assert_int_equal(rc, -ENODATA);
	assert_int_equal(strlen(small), strlen(dir) + 1);
	assert_memory_equal(small, path, strlen(dir) + 1);
}

/* What snprintf leaves of from in 8 bytes, then file_cause_cut. */
static const char *cut8(const char *from)
{
	static char s[8];
	size_t n = strlen(from) < sizeof s ? strlen(from) : sizeof s - 1;

	memcpy(s, from, n);
	s[n] = '\0';
	file_cause_cut(s, sizeof s);
	return s;
}

static void test_file_cause_cut(void **state)
{
	(void)state;
	assert_string_equal(cut8("abcde中"), "abcde");          /* 2 of its 3 bytes */
	assert_string_equal(cut8("abcd中"), "abcd中");          /* fits exactly */
	assert_string_equal(cut8("abcdefghij"), "abcdefg");
	assert_string_equal(cut8("ab\xf0\x9f\x98\x80\xf0\x9f\x98\x80"), "ab\xf0\x9f\x98\x80");
	assert_string_equal(cut8("abcé"), "abcé");
	file_cause_cut(NULL, 0);
}

/* text, its length, and where and what the first offender is (line 0:
 * none). */
static void text_is(const char *text, size_t len, int line, int col, const char *want)
{
	char why[160] = "";
	int l = -1, c = -1, rc = file_check_text(text, len, &l, &c, why, sizeof why);

	if (line == 0) {
		assert_int_equal(rc, 0);
		return;
	}
	if (rc != -EINVAL || l != line || c != col || strstr(why, want) == NULL)
		fail_msg("'%.*s': rc %d at %d:%d '%s', wanted %d:%d '%s'", (int)len, text,
			 rc, l, c, why, line, col, want);
}
#define T(lit) lit, sizeof lit - 1

static void test_file_text(void **state)
{
	(void)state;
	text_is(T(""), 0, 0, NULL);
	text_is(T("a\tb\r\nc\n中文 é\r"), 0, 0, NULL);
	text_is(T("ab\0c"), 1, 3, "binary data (NUL byte) where text was expected");
	text_is(T("x\n中文\0"), 2, 3, "NUL byte");
	text_is(T("été \xff"), 1, 5, "invalid UTF-8 (byte 0xff) where text was expected");
	text_is(T("\n\n\xc0\xaf"), 3, 1, "invalid UTF-8 (byte 0xc0)");      /* overlong '/' */
	text_is(T("\xe0\x80\xaf"), 1, 1, "invalid UTF-8 (byte 0xe0)");        /* overlong */
	text_is(T("a\xed\xa0\x80"), 1, 2, "invalid UTF-8 (byte 0xed)");      /* surrogate */
	text_is(T("\xf4\x90\x80\x80"), 1, 1, "invalid UTF-8 (byte 0xf4)");   /* past U+10FFFF */
	text_is(T("ok \xe4\xb8"), 1, 4, "invalid UTF-8 (byte 0xe4)");         /* cut by the end */
	text_is(T("ok \xe4\xb8\n"), 1, 4, "invalid UTF-8 (byte 0xe4)");      /* cut by a newline */
	text_is(T("\x80"), 1, 1, "invalid UTF-8 (byte 0x80)");                 /* lone continuation */
	text_is(T("say \x1b]0;x\x07"), 1, 5, "control character 0x1b where text was expected "
		"(only tabs and newlines may appear)");
	text_is(T("a\rb"), 1, 2, "control character 0x0d");
	text_is(T("a\x7f"), 1, 2, "control character 0x7f");
	text_is(T("中\xc2\x9b"), 1, 2, "control character U+009B");          /* C1 CSI */
	text_is(T("\xc2\xa0"), 0, 0, NULL);                                   /* NBSP is text */
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_regular),
		cmocka_unit_test(test_file_binary),
		cmocka_unit_test(test_file_empty),
		cmocka_unit_test(test_file_cap),
		cmocka_unit_test(test_file_cap_huge),
		cmocka_unit_test(test_file_fifo),
		cmocka_unit_test(test_file_devices),
		cmocka_unit_test(test_file_directory),
		cmocka_unit_test(test_file_missing),
		cmocka_unit_test(test_file_not_dir),
		cmocka_unit_test(test_file_symlink),
		cmocka_unit_test(test_file_socket),
		cmocka_unit_test(test_file_proc),
		cmocka_unit_test(test_file_unreadable),
		cmocka_unit_test(test_file_cause),
		cmocka_unit_test(test_file_text),
		cmocka_unit_test(test_file_cause_cut),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("file", tests, setup, teardown);
}
