/* test_render_servers.c: the screens of the server models (issue 14):
 * thirty threads of a thread-per-conn server grouped; a thread pool whose
 * queue is full (S asleep in futex) and, earlier, empty (its workers
 * asleep in futex), with the queue's depth under S's lane; three
 * coroutines parked in user space while S sleeps in epoll_wait.  The
 * traces are built by hand (tests/server_traces.h), written to
 * tests/golden/servers-*.jsonl and read back, so the screens are what a
 * replay of those files shows.  Golden screens at 80x24 and 120x40, en
 * and zh (IOSCOPE_GOLDEN=update rewrites them; then read them!). */
#include "tests/server_traces.h"

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

static char *screen(const struct trace *t, size_t cursor, int w, int h, int lang, bool ascii)
{
	static struct view v;
	struct view_more more = { 0 };
	struct tui_state s = { .speed = 1, .title = "", .lang = lang, .ascii = ascii, .t = t,
			       .cursor = cursor, .ended = cursor == trace_count(t) };
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
			char *text = screen(t, cursor, sizes[i][0], sizes[i][1], lang, false);

			snprintf(file, sizeof file, "%s%s-%dx%d.txt", name, lang ? "-zh" : "",
				 sizes[i][0], sizes[i][1]);
			if (i == 0 && lang == 0)
				en80 = strdup(text);
			golden(text, file);
		}
	return en80;
}

static void test_render_servers_tpc(void **state)
{
	struct trace *t = as_file(server_trace_tpc(), "servers-tpc");
	char *text = screens(t, trace_count(t), "servers-tpc");

	(void)state;
	assert_non_null(strstr(text, "thread-per-conn ×30: 28 asleep in recvmsg, 2 running"));
	assert_null(strstr(text, "\nS.7 "));           /* no lane of its own */
	free(text);
	trace_free(t);
}

static void test_render_servers_pool(void **state)
{
	size_t empty_at;
	struct trace *t = as_file(server_trace_pool(&empty_at), "servers-pool");
	char *text = screens(t, trace_count(t), "servers-pool-full");

	(void)state;
	assert_non_null(strstr(text, "queue ■■■■ 4/4 full (fds 14 15 16 17)"));
	free(text);
	text = screens(t, empty_at, "servers-pool-empty");
	assert_non_null(strstr(text, "queue □□□□ 0/4 empty"));
	assert_non_null(strstr(text, "thread-pool ×4: 4 asleep in futex"));
	free(text);
	/* monochrome and ASCII: the bar in other glyphs */
	text = screen(t, trace_count(t), 80, 24, 0, true);
	assert_non_null(strstr(text, "queue #### 4/4 full"));
	free(text);
	trace_free(t);
}

static void test_render_servers_coroutines(void **state)
{
	struct trace *t = as_file(server_trace_coroutines(), "servers-co");
	char *text = screens(t, trace_count(t), "servers-co");

	(void)state;
	assert_non_null(strstr(text, "S.co2  parked in user space · its thread S sleeps in "
				     "epoll_wait"));
	assert_null(strstr(text, "S.co2  tid"));
	free(text);
	trace_free(t);
}

/* The queue is the producer's: a worker's set workq counts as S's, and
 * S's futex wait, the producer's, is asleep; a worker's idle is work. */
static void test_render_servers_queue_fold(void **state)
{
	size_t empty_at, last = 0;
	struct trace *t = server_trace_pool(&empty_at);
	static struct view v;
	int w1 = trace_find_actor(t, "S.w1");

	(void)state;
	for (size_t i = 0; i < trace_count(t); i++)
		if (trace_at(t, i)->kind == TRACE_SET && trace_at(t, i)->what == TRACE_SET_WORKQ &&
		    trace_at(t, i)->actor == w1)
			last = i;
	assert_true(last > empty_at);
	view_fold(&v, t, last + 1);
	assert_int_equal(view_queue_root(&v, w1), 1);
	assert_int_equal(view_queue_root(&v, 1), 1);
	assert_int_equal(view_queue_at(&v, w1), (long)last);
	assert_int_equal(view_queue_at(&v, 1), (long)last);
	view_fold(&v, t, 1);
	assert_int_equal(view_queue_at(&v, 1), -1);
	view_fold(&v, t, trace_count(t));
	assert_true(view_actor_asleep(view_actor_c(&v, 1)));      /* futex: full */
	assert_false(view_actor_asleep(view_actor_c(&v, w1)));
	trace_free(t);
}

/* process-per-conn: S forks a child per connection; each child is a
 * process of its own, and the kernel pane says so by its pid. */
static void test_render_servers_processes(void **state)
{
	struct sb b = sb_new("servers", "process-per-conn", TRACE_CAP_SPAWNS,
			     "a server: a process per connection", "服务器：每个连接一个进程");
	char *text;

	(void)state;
	sb_call(&b, 1, TRACE_ENTER, TRACE_CALL_ACCEPT, 3, 0, 0);
	sb_state(&b, 1, SRV_PID, 'S', "accept", "inet_csk_accept", 3);
	for (int k = 1; k <= 3; k++) {
		struct trace_ev e;
		int c;

		sb_call(&b, 1, TRACE_EXIT, TRACE_CALL_ACCEPT, 3, 9 + k, 30000);
		sb_call(&b, 1, TRACE_ENTER, TRACE_CALL_CLONE, -1, 0, 0);
		sb_call(&b, 1, TRACE_EXIT, TRACE_CALL_CLONE, -1, 4400 + k, 80000);
		c = sb_child(&b, "", k, "process-per-conn", TRACE_CAP_PHASES,
			     "S's process for connection %d", "S 为第 %d 个连接开的进程", 4400 + k);
		sb_call(&b, c, TRACE_ENTER, TRACE_CALL_RECVMSG, 9 + k, 0, 0);
		sb_phase(&b, c, TRACE_PH_WAIT, false, 9 + k);
		e = sb_of(TRACE_STATE, c);
		e.tid = e.pid = 4400 + k;
		e.state = 'S';
		e.syscall = trace_intern(b.t, "recvmsg");
		e.wchan = trace_intern(b.t, "sk_wait_data");
		e.fd = 9 + k;
		sb_add(&b, e);
		sb_call(&b, 1, TRACE_ENTER, TRACE_CALL_ACCEPT, 3, 0, 0);
	}
	sb_state(&b, 1, SRV_PID, 'S', "accept", "inet_csk_accept", 3);
	for (int lang = 0; lang < 2; lang++) {
		text = screen(b.t, trace_count(b.t), 80, 24, lang, false);
		assert_non_null(strstr(text, "\nS.2    tid 4402 pid 4402  S "));
		assert_non_null(strstr(text, "\nS      tid 4300  S "));    /* the run's own */
		free(text);
	}
	trace_free(b.t);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_servers_tpc),
		cmocka_unit_test(test_render_servers_pool),
		cmocka_unit_test(test_render_servers_coroutines),
		cmocka_unit_test(test_render_servers_processes),
		cmocka_unit_test(test_render_servers_queue_fold),
	};

	setlocale(LC_ALL, "C.UTF-8");
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("render_servers", tests, NULL, NULL);
}
