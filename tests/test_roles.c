/* test_roles.c: which actor may run on which model goes by the model's
 * roles (models/model.h, model_ops.roles): a reader needs
 * MODEL_ROLE_READER, a server MODEL_ROLE_CHAT or MODEL_ROLE_ECHO as its
 * serve= says.  A run refuses the others with a message that names the
 * models that can (live/run.c), the `m` key's cycle skips them (it opens
 * runs until one opens), a lesson's run block is checked the same way
 * (lessons/lesson_check.c), and a server's options reach its model_ctx.
 *
 * Models this build may lack (the server models) are played by fakes put
 * in the model table for the length of a test, in the slot of a reader-only
 * model (libuv), so the lists of models that can serve stay as they are. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lessons/lesson.h"
#include "live/run.h"
#include "models/model.h"
#include "scenarios/scn.h"
#include "tests/harness.h"
#include "trace/trace.h"
#include "view/narrate.h"

/* What a fake model's thread found in its ctx, per actor. */
struct seen {
	_Atomic int ran;
	int listen_fd, serve, workers, queue;
	int64_t work_ns;
};
static struct seen seen[SCN_MAX_ACTORS + 1];

/* Note the ctx, then wait to be stopped: model_stop's signal makes poll
 * return EINTR (no client connects in these scenarios). */
static int fake_run(struct model_ctx *c)
{
	struct seen *s = &seen[c->actor];
	struct pollfd p = { .fd = c->listen_fd, .events = POLLIN };

	s->listen_fd = c->listen_fd;
	s->serve = c->serve;
	s->workers = c->workers;
	s->queue = c->queue;
	s->work_ns = c->work_ns;
	atomic_store(&s->ran, 1);
	while (!model_should_stop(c))
		poll(&p, 1, -1);
	return 0;
}

static const struct model_ops fake_echo = {
	.name = "fake-echo", .summary = "a test's server, serve=echo only",
	.caps = TRACE_CAP_PHASES, .roles = MODEL_ROLE_ECHO,
	.available = model_available_always, .run = fake_run,
};
static const struct model_ops fake_chat = {
	.name = "fake-chat", .summary = "a test's server, serve=chat only",
	.caps = TRACE_CAP_PHASES, .roles = MODEL_ROLE_CHAT,
	.available = model_available_always, .run = fake_run,
};
static const struct model_ops fake_all = {
	.name = "fake-all", .summary = "a test's model for every role",
	.caps = TRACE_CAP_PHASES, .roles = MODEL_ROLE_READER | MODEL_ROLE_CHAT | MODEL_ROLE_ECHO,
	.available = model_available_always, .run = fake_run,
};
static const struct model_ops fake_none = {
	.name = "fake-none", .summary = "a test's model with no role",
	.caps = TRACE_CAP_PHASES, .roles = 0,
	.available = model_available_always, .run = fake_run,
};

static int slot = -1;
static const struct model_ops *was;

static void install(const struct model_ops *m)
{
	for (int i = 0; i < model_table_init(); i++)
		if (strcmp(model_table[i]->name, "libuv") == 0)
			slot = i;
	if (slot < 0)
		skip();
	was = model_table[slot];
	model_table[slot] = m;
	memset(seen, 0, sizeof seen);
}

static int uninstall(void **state)
{
	(void)state;
	if (slot >= 0 && was != NULL)
		model_table[slot] = was;
	was = NULL;
	return 0;
}

static struct h_files files;

/* The lesson test's tree, under files.dir, deepest first. */
static const char *const tree[] = {
	"lessons/en/01-serve.md", "lessons/zh/01-serve.md", "lessons/en", "lessons/zh", "lessons",
	"scenarios/rd.scn", "scenarios/chat.scn", "scenarios/echo.scn", "scenarios",
};

static int setup(void **state)
{
	(void)state;
	return h_files_make(&files, "scenario t\nactor A blocking\n");
}

static int teardown(void **state)
{
	char path[256];

	uninstall(state);
	for (size_t i = 0; i < sizeof tree / sizeof tree[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", files.dir, tree[i]);
		remove(path);
	}
	h_files_remove(&files);
	return 0;
}

static void put_scn(const char *text)
{
	FILE *f = fopen(files.scn, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* run_open of text with model (NULL: the script's); its status and
 * cause.  Nothing is started. */
static int open_run(const char *text, const char *model, char *cause, size_t len)
{
	struct run_opts o = {
		.scenario = files.scn, .model = model, .speed = 1, .lang = NARRATE_EN, .grace_ms = 1000,
	};
	uv_loop_t loop;
	struct run *r;
	int rc;

	put_scn(text);
	cause[0] = '\0';
	assert_int_equal(uv_loop_init(&loop), 0);
	rc = run_open(&o, &loop, &r, cause, len);
	if (rc == 0) {
		char c2[512];

		assert_int_equal(run_close(r, c2, sizeof c2), 0);
	}
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0);
	return rc;
}

static void refused(const char *text, const char *model, const char *want)
{
	char cause[512];
	int rc = open_run(text, model, cause, sizeof cause);

	if (rc != -EINVAL || strstr(cause, want) == NULL)
		fail_msg("%s%s%s: got %d '%s', want '%s'", text, model ? " on " : "", model ? model : "",
			 rc, cause, want);
	assert_null(strchr(cause, '\n'));
}

static void accepted(const char *text, const char *model)
{
	char cause[512];
	int rc = open_run(text, model, cause, sizeof cause);

	if (rc != 0)
		fail_msg("%s%s%s: refused: %s", text, model ? " on " : "", model ? model : "", cause);
}

/* A reader on a model that only serves. */
static void test_roles_reader_on_server_only(void **state)
{
	(void)state;
	install(&fake_echo);
	refused("scenario t\nactor A fake-echo\n", NULL,
		"t.scn:2:9: actor A reads the world's connections, and model 'fake-echo' is a server "
		"only (role=server, serve=echo)");
	refused("scenario t\nactor A blocking fds=2\n", "fake-echo",
		"t.scn:2:7: actor A reads the world's connections, and model 'fake-echo' is a server "
		"only (role=server, serve=echo)");
	uninstall(state);
	install(&fake_chat);
	refused("scenario t\nactor A blocking\n", "fake-chat",
		"model 'fake-chat' is a server only (role=server, serve=chat)");
	uninstall(state);
	install(&fake_none);
	refused("scenario t\nactor A blocking\n", "fake-none",
		"actor A reads the world's connections, and model 'fake-none' cannot (use blocking, "
		"nonblocking, select, poll, epoll, epoll-et");
	uninstall(state);
}

/* A server whose serve= the model does not do: the list is of the
 * models that do (the server models are all serve=echo). */
static void test_roles_server_serve(void **state)
{
	char cause[512];

	(void)state;
	install(&fake_echo);
	refused("scenario t\nactor S fake-echo role=server\nat 1s connect a to S\n", NULL,
		"t.scn:2:9: actor S is a server with serve=chat, and model 'fake-echo' serves "
		"serve=echo only (use select, poll, epoll or epoll-et)");
	refused("scenario t\nactor S epoll role=server serve=chat\n", "fake-echo",
		"t.scn:2:7: actor S is a server with serve=chat, and model 'fake-echo' serves "
		"serve=echo only (use select, poll, epoll or epoll-et)");
	accepted("scenario t\nactor S fake-echo role=server serve=echo\n", NULL);
	accepted("scenario t\nactor S epoll role=server serve=echo\n", "fake-echo");
	/* blocking reads; it does not serve: the echo list has the fake too. */
	refused("scenario t\nactor S blocking role=server serve=echo\n", NULL,
		"t.scn:2:9: actor S is a server with serve=echo, and model 'blocking' is a reader only "
		"(use select, poll, epoll, epoll-et");
	assert_int_equal(open_run("scenario t\nactor S blocking role=server serve=echo\n", NULL, cause,
				  sizeof cause), -EINVAL);
	assert_non_null(strstr(cause, "fake-echo"));
	assert_string_equal(strchr(cause, '\0') - 1, ")");
	/* As before the server models: chat on a reader-only model. */
	refused("scenario t\nactor S blocking role=server\n", NULL,
		"t.scn:2:9: actor S is a server, and model 'blocking' cannot serve many clients in one "
		"thread (use select, poll, epoll or epoll-et)");
	uninstall(state);
	install(&fake_chat);
	refused("scenario t\nactor S fake-chat role=server serve=echo\n", NULL,
		"t.scn:2:9: actor S is a server with serve=echo, and model 'fake-chat' serves "
		"serve=chat only (use select, poll, epoll");
	accepted("scenario t\nactor S fake-chat role=server serve=chat\n", NULL);
	refused("scenario t\nactor S blocking role=server\n", NULL,
		"(use select, poll, epoll, epoll-et or fake-chat)");
	uninstall(state);
	/* The readiness models do both. */
	accepted("scenario t\nactor S epoll role=server serve=echo\nactor T poll role=server\n", NULL);
	accepted("scenario t\nactor S epoll role=server serve=echo\nactor T poll role=server\n", "select");
}

/* What the `m` key's cycle (tui/tui_act.c switch_model) lands on: it
 * opens runs until one opens, so the models it can switch to are those
 * run_open accepts, which are exactly those with the role each actor
 * needs. */
static void cycle(const char *text, unsigned need)
{
	const char *name, *summary;
	char cause[512];
	int opened = 0;

	for (int i = 0; run_model_info(i, &name, &summary) == 0; i++) {
		const struct model_ops *m = model_find(name);
		int rc;

		assert_non_null(m);
		if (run_model_usable(name, cause, sizeof cause) != 0)
			continue;                /* cannot run here: m skips it too */
		rc = open_run(text, name, cause, sizeof cause);
		if ((rc == 0) != ((m->roles & need) == need))
			fail_msg("%s on %s: %d (%s)", text, name, rc, cause);
		opened += rc == 0;
	}
	assert_true(opened > 0);
}

static void test_roles_cycle(void **state)
{
	(void)state;
	install(&fake_echo);
	cycle("scenario t\nactor A blocking fds=2\n", MODEL_ROLE_READER);
	cycle("scenario t\nactor S epoll role=server\n", MODEL_ROLE_CHAT);
	cycle("scenario t\nactor S epoll role=server serve=echo\n", MODEL_ROLE_ECHO);
	cycle("scenario t\nactor S epoll role=server serve=echo\nactor A blocking\n",
	      MODEL_ROLE_ECHO | MODEL_ROLE_READER);
	uninstall(state);
}

static bool all_ran(struct h_run *hr, void *arg)
{
	(void)hr;
	for (int *a = arg; *a != 0; a++)
		if (!atomic_load(&seen[*a].ran))
			return false;
	return true;
}

/* serve=, workers=, queue= and work= reach the model, each actor's own. */
static void test_roles_options_reach_model(void **state)
{
	struct run_opts o = { .scenario = files.scn, .speed = 1, .lang = NARRATE_EN, .grace_ms = 1000 };
	int actors[] = { 1, 2, 3, 0 };
	char cause[512] = "";
	struct h_run hr;

	(void)state;
	install(&fake_all);
	put_scn("scenario t\n"
		"actor S fake-all role=server serve=echo workers=3 queue=5 work=20ms\n"
		"actor T fake-all role=server\n"
		"actor A fake-all\n");
	assert_int_equal(h_run_open(&hr, &o, cause, sizeof cause), 0);
	assert_true(h_run_until(&hr, all_ran, actors, 10000));
	assert_int_equal(h_run_close(&hr, cause, sizeof cause), 0);
	assert_true(seen[1].listen_fd >= 0);
	assert_int_equal(seen[1].serve, MODEL_SERVE_ECHO);
	assert_int_equal(seen[1].workers, 3);
	assert_int_equal(seen[1].queue, 5);
	assert_int_equal(seen[1].work_ns, 20000000);
	assert_true(seen[2].listen_fd >= 0);
	assert_int_equal(seen[2].serve, MODEL_SERVE_CHAT);
	assert_int_equal(seen[2].workers, 0);
	assert_int_equal(seen[2].queue, 0);
	assert_int_equal(seen[2].work_ns, 0);
	assert_int_equal(seen[3].listen_fd, -1);
	assert_int_equal(seen[3].serve, MODEL_SERVE_CHAT);
	assert_int_equal(seen[3].work_ns, 0);
	uninstall(state);
}

/* ---- a lesson's run block: lesson_check goes by the roles too ---- */

static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", files.dir, rel);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* A lesson whose one run is scenario on model, in both languages; the
 * check's status and cause. */
static int check_lesson(const char *scenario, const char *model, char *cause, size_t len)
{
	char en[1024], zh[1024], path[256];
	struct lesson *l;
	int rc;

	snprintf(en, sizeof en, "# Serving\n\nAn introduction.\n\n## S serves\n\nS answers.\n\n"
		 "```ioscope\nscenario: %s\nmodel: %s\n```\n\n```predict\nWho waits?\n---\nS.\n```\n\n"
		 "## Exercise\n\nTry it.\n", scenario, model);
	snprintf(zh, sizeof zh, "# 服务\n\n介绍。\n\n## S 在服务\n\nS 回答。\n\n"
		 "```ioscope\nscenario: %s\nmodel: %s\n```\n\n```predict\n谁在等？\n---\nS。\n```\n\n"
		 "## 练习\n\n试试。\n", scenario, model);
	put("lessons/en/01-serve.md", en);
	put("lessons/zh/01-serve.md", zh);
	snprintf(path, sizeof path, "%s/lessons/en/01-serve.md", files.dir);
	assert_int_equal(lesson_load(path, &l, cause, len), 0);
	rc = lesson_check(l, files.dir, cause, len);
	lesson_free(l);
	return rc;
}

static void lesson_ok(const char *scenario, const char *model)
{
	char cause[512] = "";

	if (check_lesson(scenario, model, cause, sizeof cause) != 0)
		fail_msg("%s on %s: %s", scenario, model, cause);
}

static void lesson_bad(const char *scenario, const char *model, const char *want)
{
	char cause[512] = "";
	int rc = check_lesson(scenario, model, cause, sizeof cause);

	if (rc != -EINVAL || strstr(cause, want) == NULL)
		fail_msg("%s on %s: %d '%s', want '%s'", scenario, model, rc, cause, want);
}

static void test_roles_lesson_check(void **state)
{
	char d[128];

	(void)state;
	for (const char *const *s = (const char *const[]){ "lessons", "lessons/en", "lessons/zh",
							    "scenarios", NULL }; *s; s++) {
		snprintf(d, sizeof d, "%s/%s", files.dir, *s);
		assert_int_equal(mkdir(d, 0700) == 0 || errno == EEXIST, 1);
	}
	put("scenarios/rd.scn", "scenario rd\nactor A blocking\nat 1s write A x\n");
	put("scenarios/chat.scn", "scenario chat\nactor S epoll role=server\nat 1s connect a to S\n");
	put("scenarios/echo.scn", "scenario echo\nactor S epoll role=server serve=echo\n"
	    "at 1s connect a to S\n");
	install(&fake_echo);
	lesson_ok("echo", "fake-echo");
	lesson_ok("echo", "epoll");
	lesson_ok("chat", "poll");
	lesson_ok("rd", "blocking");
	lesson_bad("rd", "fake-echo", "01-serve.md:9: model 'fake-echo' cannot run scenario 'rd' (its "
		   "actor A reads the world's connections, and the model is a server only)");
	lesson_bad("chat", "fake-echo", "01-serve.md:9: model 'fake-echo' cannot serve scenario 'chat' "
		   "(its actor S is a server with serve=chat)");
	lesson_bad("echo", "blocking", "01-serve.md:9: model 'blocking' cannot serve scenario 'echo' "
		   "(its actor S is a server with serve=echo)");
	lesson_bad("chat", "blocking", "model 'blocking' cannot serve scenario 'chat'");
	uninstall(state);
	install(&fake_none);
	lesson_bad("rd", "fake-none", "model 'fake-none' cannot run scenario 'rd' (its actor A reads "
		   "the world's connections, and the model does not read them)");
	lesson_bad("echo", "fake-none", "model 'fake-none' cannot serve scenario 'echo'");
	uninstall(state);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_roles_reader_on_server_only, uninstall),
		cmocka_unit_test_teardown(test_roles_server_serve, uninstall),
		cmocka_unit_test_teardown(test_roles_cycle, uninstall),
		cmocka_unit_test_teardown(test_roles_options_reach_model, uninstall),
		cmocka_unit_test_teardown(test_roles_lesson_check, uninstall),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("roles", tests, setup, teardown);
}
