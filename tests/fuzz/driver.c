/* driver.c: runs a fuzz target over files and directories given as
 * arguments, without libFuzzer, so `make test` replays every corpus.
 *
 * A file that crashes or hangs the target is named on stderr: each file
 * gets FILE_LIMIT seconds (a hang dies by SIGALRM), and a crash signal, an
 * abort or a sanitizer's report is followed by "driver: while replaying
 * FILE". */
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_LIMIT 30

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Under the sanitizers (make asan), a report ends in abort(), which names
 * the file (their environment variables still override this). */
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);
const char *__asan_default_options(void) { return "abort_on_error=1"; }
const char *__ubsan_default_options(void) { return "abort_on_error=1:print_stacktrace=1"; }

static const char *volatile current;

static void say(const char *s)
{
	if (write(2, s, strlen(s)) < 0)
		return;
}

static void name_current(void)
{
	if (current == NULL)
		return;
	say("driver: while replaying ");
	say(current);
	say("\n");
}

static void on_signal(int sig)
{
	if (sig == SIGALRM)
		say("driver: still running after the time limit (a hang?)\n");
	name_current();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* A sanitizer that handles SEGV and friends itself keeps its handler (it
 * was installed first); its report then ends in abort(). */
static void watch(void)
{
	static const int sigs[] = { SIGALRM, SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL };
	struct sigaction sa, old;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL)
			sigaction(sigs[i], &sa, NULL);
}

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (f == NULL) {
		perror(path);
		return 1;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(buf);
		return 1;
	}
	fclose(f);
	current = path;
	alarm(FILE_LIMIT);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	alarm(0);
	current = NULL;
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	int files = 0, bad = 0;

	watch();
	for (int i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *de;

		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			bad += run_file(argv[i]);
			files++;
			continue;
		}
		if ((d = opendir(argv[i])) == NULL)
			return 1;
		while ((de = readdir(d)) != NULL) {
			char p[4096];

			if (de->d_name[0] == '.')
				continue;
			snprintf(p, sizeof p, "%s/%s", argv[i], de->d_name);
			bad += run_file(p);
			files++;
		}
		closedir(d);
	}
	printf("%d files replayed\n", files);
	return bad != 0;
}
