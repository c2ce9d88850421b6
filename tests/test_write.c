/* test_write.c: output files (trace/outfile.c, trace_write_file) against
 * what a user may name as output: regular files, FIFOs, character devices,
 * symbolic links, directories.  Device nodes are made with mknod in a
 * temporary folder (as root), never touched in /dev. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "trace/outfile.h"
#include "trace/trace.h"

static char dir[] = "/tmp/ioscope-write-XXXXXX";

static const char *in_dir(const char *name)
{
	static char buf[4][256];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
	return buf[k];
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static char *slurp(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Entries of d whose name holds ".tmp": what a failed write left. */
static int leftovers(const char *d)
{
	DIR *dp = opendir(d);
	struct dirent *e;
	int n = 0;

	assert_non_null(dp);
	while ((e = readdir(dp)) != NULL)
		n += strstr(e->d_name, ".tmp") != NULL;
	closedir(dp);
	return n;
}

static mode_t kind_of(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & S_IFMT;
}

static int write_text_cb(FILE *f, void *arg)
{
	return fputs(arg, f) < 0 ? -EIO : 0;
}

static int fail_cb(FILE *f, void *arg)
{
	fputs(arg, f);
	return -EIO;
}

/* A character device like /dev/null (1,3) or /dev/full (1,7), made here;
 * without root, the real /dev/null (nobody else can replace it). */
static const char *char_dev(const char *name, unsigned minor)
{
	const char *p = in_dir(name);

	unlink(p);
	if (mknod(p, S_IFCHR | 0666, makedev(1, minor)) == 0)
		return p;
	return minor == 3 ? "/dev/null" : NULL;
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	chmod(dir, 0700);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_write_regular_whole_or_nothing(void **state)
{
	const char *p = in_dir("r.txt");

	(void)state;
	put(p, "old\n");
	assert_int_equal(trace_write_file(p, fail_cb, "half"), -EIO);
	assert_string_equal(slurp(p), "old\n");
	assert_int_equal(trace_write_file(p, write_text_cb, "new\n"), 0);
	assert_string_equal(slurp(p), "new\n");
	assert_int_equal(kind_of(p), S_IFREG);
	assert_int_equal(leftovers(dir), 0);
	unlink(p);
}

/* The old code wrote OUT.tmp: a file of that name was clobbered. */
/* The new file gets the mode open(2) would give it (0666 less the umask);
 * a file it replaces keeps its own mode (mkostemp makes 0600: set back). */
static void test_write_modes(void **state)
{
	const char *p = in_dir("mode.txt");
	struct stat st;
	mode_t old = umask(022);

	(void)state;
	unlink(p);
	assert_int_equal(trace_write_file(p, write_text_cb, "a\n"), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	umask(077);
	unlink(p);
	assert_int_equal(trace_write_file(p, write_text_cb, "a\n"), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(chmod(p, 0640), 0);
	assert_int_equal(trace_write_file(p, write_text_cb, "b\n"), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	umask(old);
	unlink(p);
}

static void test_write_tmp_name_unique(void **state)
{
	const char *p = in_dir("u.txt"), *mine = in_dir("u.txt.tmp");
	struct outfile a, b;

	(void)state;
	put(mine, "someone's\n");
	assert_int_equal(outfile_open(&a, p, 0), 0);
	assert_int_equal(outfile_open(&b, p, 0), 0);
	assert_string_not_equal(a.tmp, b.tmp);
	assert_int_equal(outfile_close(&a), 0);
	assert_int_equal(outfile_close(&b), 0);
	assert_int_equal(access(p, F_OK), -1);
	assert_string_equal(slurp(mine), "someone's\n");
	unlink(mine);
	assert_int_equal(leftovers(dir), 0);
}

static void test_write_fifo_with_reader(void **state)
{
	const char *p = in_dir("f.fifo");
	char buf[32] = "";
	int rd;

	(void)state;
	assert_int_equal(mkfifo(p, 0600), 0);
	rd = open(p, O_RDONLY | O_NONBLOCK);
	assert_true(rd >= 0);
	assert_int_equal(trace_write_file(p, write_text_cb, "through\n"), 0);
	assert_int_equal(read(rd, buf, sizeof buf - 1), 8);
	assert_string_equal(buf, "through\n");
	close(rd);
	assert_int_equal(kind_of(p), S_IFIFO);
	assert_int_equal(leftovers(dir), 0);
	unlink(p);
}

/* Nobody reads: an error at once, not a hang. */
static void test_write_fifo_without_reader(void **state)
{
	const char *p = in_dir("g.fifo");

	(void)state;
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(trace_write_file(p, write_text_cb, "nobody\n"), -ENXIO);
	assert_int_equal(kind_of(p), S_IFIFO);
	assert_int_equal(leftovers(dir), 0);
	assert_non_null(strstr(outfile_strerror(-ENXIO), "FIFO"));
	unlink(p);
}

static void test_write_char_device(void **state)
{
	const char *null = char_dev("null", 3), *full = char_dev("full", 7);

	(void)state;
	assert_int_equal(trace_write_file(null, write_text_cb, "gone\n"), 0);
	assert_int_equal(kind_of(null), S_IFCHR);
	if (full == NULL) {
		print_message("no mknod (not root): /dev/full's case skipped\n");
		return;
	}
	assert_int_equal(trace_write_file(full, write_text_cb, "nowhere\n"), -ENOSPC);
	assert_int_equal(kind_of(full), S_IFCHR);
	assert_int_equal(leftovers(dir), 0);
	unlink(full);
	if (strcmp(null, "/dev/null") != 0)
		unlink(null);
}

/* The link stays; its target (in another folder) gets the new text. */
static void test_write_symlink_to_regular(void **state)
{
	const char *sub = in_dir("sub"), *target = in_dir("sub/t.txt"), *link = in_dir("l.txt");

	(void)state;
	assert_int_equal(mkdir(sub, 0700), 0);
	put(target, "old\n");
	assert_int_equal(symlink("sub/t.txt", link), 0);
	assert_int_equal(trace_write_file(link, write_text_cb, "new\n"), 0);
	assert_int_equal(kind_of(link), S_IFLNK);
	assert_string_equal(slurp(target), "new\n");
	assert_int_equal(leftovers(dir), 0);
	assert_int_equal(leftovers(sub), 0);
	/* A dangling link: its target is created, the link kept. */
	unlink(target);
	assert_int_equal(trace_write_file(link, write_text_cb, "fresh\n"), 0);
	assert_int_equal(kind_of(link), S_IFLNK);
	assert_string_equal(slurp(target), "fresh\n");
	unlink(link);
	unlink(target);
	rmdir(sub);
}

static void test_write_symlink_to_device(void **state)
{
	const char *null = char_dev("null2", 3), *link = in_dir("dn");

	(void)state;
	assert_int_equal(symlink(null, link), 0);
	assert_int_equal(trace_write_file(link, write_text_cb, "gone\n"), 0);
	assert_int_equal(kind_of(link), S_IFLNK);
	assert_int_equal(kind_of(null), S_IFCHR);
	assert_int_equal(leftovers(dir), 0);
	unlink(link);
	if (strcmp(null, "/dev/null") != 0)
		unlink(null);
}

/* /dev/stdout into a pipe is a magic link whose target, "pipe:[N]", names
 * no file: it is written as named.  (/proc/self/fd/N, never /dev/stdout,
 * so that a broken build cannot replace anything in /dev.) */
static void test_write_proc_fd_pipe(void **state)
{
	char path[64], buf[32] = "";
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	snprintf(path, sizeof path, "/proc/self/fd/%d", p[1]);
	assert_int_equal(trace_write_file(path, write_text_cb, "piped\n"), 0);
	assert_int_equal(read(p[0], buf, sizeof buf - 1), 6);
	assert_string_equal(buf, "piped\n");
	close(p[0]);
	close(p[1]);
}

static void test_write_directory_refused(void **state)
{
	const char *d = in_dir("d.jsonl");

	(void)state;
	assert_int_equal(mkdir(d, 0700), 0);
	assert_int_equal(trace_write_file(d, write_text_cb, "x\n"), -EISDIR);
	assert_int_equal(kind_of(d), S_IFDIR);
	assert_int_equal(leftovers(dir), 0);
	rmdir(d);
}

/* Root may write anyway; anyone else gets EACCES and nothing is made
 * (as root, checked by a child that becomes nobody). */
static void test_write_readonly_dir(void **state)
{
	const char *ro = in_dir("ro"), *p = in_dir("ro/x.txt");
	pid_t pid;
	int rc, st;

	(void)state;
	assert_int_equal(mkdir(ro, 0700), 0);
	assert_int_equal(chmod(ro, 0555), 0);
	rc = trace_write_file(p, write_text_cb, "x\n");
	if (geteuid() != 0) {
		assert_int_equal(rc, -EACCES);
	} else {
		assert_int_equal(rc, 0);
		assert_int_equal(unlink(p), 0);
		assert_int_equal(chmod(dir, 0755), 0);
		assert_true((pid = fork()) >= 0);
		if (pid == 0) {
			alarm(5);
			if (setgid(65534) != 0 || setuid(65534) != 0)
				_exit(3);
			_exit(trace_write_file(p, write_text_cb, "x\n") == -EACCES &&
			      access(p, F_OK) != 0 ? 0 : 1);
		}
		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_int_equal(chmod(dir, 0700), 0);
		assert_true(WIFEXITED(st));
		if (WEXITSTATUS(st) == 3)
			print_message("cannot become nobody here: EACCES not checked\n");
		else
			assert_int_equal(WEXITSTATUS(st), 0);
	}
	assert_int_equal(leftovers(ro), 0);
	chmod(ro, 0700);
	unlink(p);
	rmdir(ro);
}

static void test_write_no_replace(void **state)
{
	const char *p = in_dir("n.txt");
	struct outfile o;

	(void)state;
	put(p, "keep\n");
	assert_int_equal(outfile_open(&o, p, OUTFILE_NO_REPLACE), -EEXIST);
	assert_null(o.f);
	unlink(p);
	/* A file that appears between open and publish is kept too. */
	assert_int_equal(outfile_open(&o, p, OUTFILE_NO_REPLACE), 0);
	fputs("mine\n", o.f);
	put(p, "theirs\n");
	assert_int_equal(outfile_publish(&o), -EEXIST);
	assert_int_equal(outfile_close(&o), 0);
	assert_string_equal(slurp(p), "theirs\n");
	assert_int_equal(leftovers(dir), 0);
	unlink(p);
}

/* A live recording: published once started, then still growing. */
static void test_write_publish_then_append(void **state)
{
	const char *p = in_dir("live.jsonl");
	struct outfile o;

	(void)state;
	put(p, "previous run\n");
	assert_int_equal(outfile_open(&o, p, 0), 0);
	fputs("header\n", o.f);
	assert_string_equal(slurp(p), "previous run\n");
	assert_int_equal(outfile_publish(&o), 0);
	assert_string_equal(slurp(p), "header\n");
	fputs("event\n", o.f);
	assert_int_equal(fflush(o.f), 0);
	assert_string_equal(slurp(p), "header\nevent\n");
	assert_int_equal(outfile_close(&o), 0);
	assert_int_equal(leftovers(dir), 0);
	unlink(p);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_regular_whole_or_nothing),
		cmocka_unit_test(test_write_modes),
		cmocka_unit_test(test_write_tmp_name_unique),
		cmocka_unit_test(test_write_fifo_with_reader),
		cmocka_unit_test(test_write_fifo_without_reader),
		cmocka_unit_test(test_write_char_device),
		cmocka_unit_test(test_write_symlink_to_regular),
		cmocka_unit_test(test_write_symlink_to_device),
		cmocka_unit_test(test_write_proc_fd_pipe),
		cmocka_unit_test(test_write_directory_refused),
		cmocka_unit_test(test_write_readonly_dir),
		cmocka_unit_test(test_write_no_replace),
		cmocka_unit_test(test_write_publish_then_append),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("write", tests, setup, teardown);
}
