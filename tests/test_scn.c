/* test_scn.c: the scenario parser: fields, captions, actor options, clients
 * of server actors, every error with its line and column, and files that
 * are missing, empty, too large or binary. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdbool.h>
#include <uv.h>

#include "trace/sclock.h"
#include "scenarios/scn.h"
#include "scenarios/world.h"
#include "trace/sink.h"

#define S(lit) lit, sizeof(lit) - 1     /* text and length of a literal */

static char cause[512];

static struct scn *parse_ok(const char *text, size_t len)
{
	struct scn *s = NULL;
	int rc;

	cause[0] = '\0';
	rc = scn_parse("t.scn", text, len, &s, cause, sizeof cause);
	if (rc != 0)
		print_error("unexpected error: %s\n", cause);
	assert_int_equal(rc, 0);
	assert_non_null(s);
	return s;
}

/* The parse fails with cause starting with where ("t.scn:3:7:") and
 * containing what. */
static void parse_err(const char *text, size_t len, const char *where,
		      const char *what)
{
	struct scn *s = (struct scn *)&s;
	int rc;

	cause[0] = '\0';
	rc = scn_parse("t.scn", text, len, &s, cause, sizeof cause);
	if (rc != -EINVAL || strncmp(cause, where, strlen(where)) != 0 ||
	    strstr(cause, what) == NULL)
		print_error("input:\n%.*s\nwant: %s ... %s\ngot (%d): %s\n",
		    (int)len, text, where, what, rc, cause);
	assert_int_equal(rc, -EINVAL);
	assert_null(s);
	assert_memory_equal(cause, where, strlen(where));
	assert_non_null(strstr(cause, what));
	assert_null(strchr(cause, '\n'));
}

#define ERR(text, where, what) parse_err(S(text), where, what)
#define HEAD "scenario t\nactor A blocking\n"

static const char full[] =
	"# fishing: one rod, then two\n"
	"scenario fishing\n"
	"title en Fishing with one rod\n"
	"title zh 一根鱼竿钓鱼\n"
	"\n"
	"actor A blocking\n"
	"actor Bob_2 nonblocking fds=3 every=250ms\n"
	"label A en waits at the rod\n"
	"label A zh 守着鱼竿\n"
	"label Bob_2 en checks three rods\n"
	"at 0s say en The river is quiet.\n"
	"at 0s say zh 河面很平静。\n"
	"at 1.5s write A fish\n"
	"at 2s write Bob_2.3 \"big\\tfish\\n\"   # a comment\n"
	"at 2s close Bob_2.2\n"
	"at 3s close A\n";

static void test_scn_full(void **state)
{
	struct scn *s = parse_ok(S(full));
	const struct scn_action *a = s->actions;

	(void)state;
	assert_string_equal(s->path, "t.scn");
	assert_string_equal(s->name, "fishing");
	assert_string_equal(s->title[0], "Fishing with one rod");
	assert_string_equal(s->title[1], "一根鱼竿钓鱼");
	assert_int_equal(s->nactors, 2);
	assert_string_equal(s->actors[0].name, "A");
	assert_string_equal(s->actors[0].model, "blocking");
	assert_int_equal(s->actors[0].nfds, 1);
	assert_int_equal(s->actors[0].every_ns, 0);
	assert_string_equal(s->actors[0].label[0], "waits at the rod");
	assert_string_equal(s->actors[0].label[1], "守着鱼竿");
	assert_int_equal(s->actors[0].line, 6);
	assert_int_equal(s->actors[0].col, 7);
	assert_int_equal(s->actors[0].model_col, 9);
	assert_string_equal(s->actors[1].name, "Bob_2");
	assert_string_equal(s->actors[1].model, "nonblocking");
	assert_int_equal(s->actors[1].nfds, 3);
	assert_int_equal(s->actors[1].every_ns, 250000000);
	assert_string_equal(s->actors[1].label[0], "checks three rods");
	assert_string_equal(s->actors[1].label[1], "");
	assert_int_equal(s->actors[1].model_col, 13);

	assert_int_equal(s->nactions, 5);
	assert_int_equal(a[0].op, SCN_SAY);
	assert_int_equal(a[0].at_ns, 0);
	assert_int_equal(a[0].actor, -1);
	assert_int_equal(a[0].line, 11);
	assert_int_equal(a[0].client, -1);
	assert_string_equal(a[0].text[0], "The river is quiet.");
	assert_string_equal(a[0].text[1], "河面很平静。");
	assert_string_equal(a[0].data, "");
	assert_int_equal(a[0].len, 0);
	assert_int_equal(a[1].op, SCN_WRITE);
	assert_int_equal(a[1].at_ns, 1500000000);
	assert_int_equal(a[1].actor, 0);
	assert_int_equal(a[1].fd, 0);
	assert_string_equal(a[1].data, "fish");
	assert_int_equal(a[1].len, 4);
	assert_int_equal(a[1].line, 13);
	assert_int_equal(a[1].client, -1);
	assert_string_equal(a[1].text[0], "");
	assert_string_equal(a[1].text[1], "");
	assert_int_equal(a[2].actor, 1);
	assert_int_equal(a[2].fd, 2);
	assert_string_equal(a[2].data, "big\tfish\n");
	assert_int_equal(a[2].len, 9);
	assert_int_equal(a[3].op, SCN_CLOSE);
	assert_int_equal(a[3].actor, 1);
	assert_int_equal(a[3].fd, 1);
	assert_string_equal(a[3].data, "");
	assert_int_equal(a[3].len, 0);
	assert_string_equal(a[3].text[0], "");
	assert_string_equal(a[3].text[1], "");
	assert_int_equal(a[3].client, -1);
	assert_int_equal(a[4].op, SCN_CLOSE);
	assert_int_equal(a[4].at_ns, 3000000000);
	assert_int_equal(scn_duration(s), 3000000000);
	scn_free(s);
}

static void test_scn_defaults(void **state)
{
	struct scn *s = parse_ok(S("scenario a-b_9\nactor x9 epoll\n"));

	(void)state;
	assert_string_equal(s->name, "a-b_9");
	assert_string_equal(s->title[0], "");
	assert_string_equal(s->title[1], "");
	assert_string_equal(s->actors[0].label[0], "");
	assert_string_equal(s->actors[0].label[1], "");
	assert_int_equal(s->actors[0].role, SCN_ROLE_READER);
	assert_int_equal(s->actors[0].nfds, 1);
	assert_int_equal(s->actors[0].chunk, 0);
	assert_int_equal(s->actors[0].drain, -1);
	assert_int_equal(s->actors[0].low_fd, 0);
	assert_int_equal(s->nactions, 0);
	assert_int_equal(s->nclients, 0);
	assert_null(s->clients[0]);
	assert_null(s->actions);
	assert_int_equal(scn_duration(s), 0);
	scn_free(s);
	s = parse_ok(S("scenario t\ntitle zh 只有中文\nactor A b\n"));
	assert_string_equal(s->title[0], "");
	assert_string_equal(s->title[1], "只有中文");
	scn_free(s);
	scn_free(NULL);
	assert_int_equal(scn_duration(NULL), 0);
}

static void test_scn_caption_merge(void **state)
{
	struct scn *s = parse_ok(S(HEAD
	    "at 1s say zh 你好\n"
	    "# a comment between the two halves\n"
	    "\n"
	    "at 1s say en hello\n"
	    "at 1s say en again\n"
	    "at 1s say zh 再来\n"));

	(void)state;
	assert_int_equal(s->nactions, 2);
	assert_int_equal(s->actions[0].op, SCN_SAY);
	assert_int_equal(s->actions[0].line, 3);
	assert_string_equal(s->actions[0].text[0], "hello");
	assert_string_equal(s->actions[0].text[1], "你好");
	assert_string_equal(s->actions[1].text[0], "again");
	assert_string_equal(s->actions[1].text[1], "再来");
	assert_int_equal(s->actions[1].line, 7);
	scn_free(s);
}

static void test_scn_caption_missing(void **state)
{
	(void)state;
	ERR(HEAD "at 1.5s say en hi\nat 2s close A\n", "t.scn:3:13:",
	    "caption has English text but no Chinese (add 'at 1.5s say zh "
	    "...' on the next line)");
	ERR(HEAD "at 1s say zh 你好\n", "t.scn:3:11:",
	    "caption has Chinese text but no English (add 'at 1s say en");
	ERR(HEAD "at 1s say en a\nat 1s say en b\n", "t.scn:3:11:",
	    "English text but no Chinese");
	ERR(HEAD "at 1s say en a\nat 2s say zh b\n", "t.scn:3:11:",
	    "English text but no Chinese");
	ERR(HEAD "at 1s say en a\nlabel A en x\n", "t.scn:3:11:",
	    "English text but no Chinese");
}

static void test_scn_crlf(void **state)
{
	struct scn *s = parse_ok(S("scenario t\r\ntitle en T  \r\n"
	    "actor A blocking\r\nat 1s write A hi\r\nat 2s close A\r\n"));

	(void)state;
	assert_string_equal(s->name, "t");
	assert_string_equal(s->title[0], "T");
	assert_string_equal(s->actions[0].data, "hi");
	assert_int_equal(s->actions[0].len, 2);
	assert_int_equal(s->actions[1].line, 5);
	scn_free(s);
	ERR("scenario t\r\nactor A blocking\r\nat 1 close A\r\n",
	    "t.scn:3:4:", "expected a time with a unit");
	ERR("scenario t\ractor A b\n", "t.scn:1:11:", "control character 0x0d");
}

static void test_scn_quoted(void **state)
{
	struct scn *s = parse_ok(S(HEAD
	    "title en \"  spaced \\\"out\\\" \\\\ \"  # comment\n"
	    "at 1s write A \"#not a comment\"\n"
	    "at 1s write A   x  y   \n"
	    "at 1s say en \"a\\nb\"\n"
	    "at 1s say zh 甲 # 乙\n"));

	(void)state;
	assert_string_equal(s->title[0], "  spaced \"out\" \\ ");
	assert_string_equal(s->actions[0].data, "#not a comment");
	assert_string_equal(s->actions[1].data, "x  y");
	assert_string_equal(s->actions[2].text[0], "a\nb");
	assert_string_equal(s->actions[2].text[1], "甲 # 乙");
	scn_free(s);
}

static void test_scn_quoted_errors(void **state)
{
	(void)state;
	ERR(HEAD "at 1s write A \"ab\\q\"\n", "t.scn:3:18:",
	    "expected an escape \\\" \\\\ \\n or \\t, got '\\q'");
	ERR(HEAD "at 1s write A \"中\\文\"\n", "t.scn:3:17:", "got '\\文'");
	ERR(HEAD "at 1s write A \"abc\n", "t.scn:3:15:",
	    "expected a closing '\"'");
	ERR(HEAD "at 1s write A \"abc\\\n", "t.scn:3:15:",
	    "expected a closing '\"'");
	ERR(HEAD "at 1s write A \"abc\" x\n", "t.scn:3:21:",
	    "expected end of line, got 'x'");
	ERR(HEAD "at 1s write A \"\"\n", "t.scn:3:15:",
	    "expected data to write, got '\"\"'");
	ERR(HEAD "title en \"\"\n", "t.scn:3:10:", "expected title text");
}

static void test_scn_errors_header(void **state)
{
	(void)state;
	ERR("", "t.scn:1:1:", "expected a 'scenario NAME' line, got end of "
	    "file");
	ERR("# only\n\n", "t.scn:2:1:", "expected a 'scenario NAME' line");
	ERR("actor A b\n", "t.scn:1:1:",
	    "expected 'scenario NAME' before anything else, got 'actor'");
	ERR("scenario t\n", "t.scn:1:1:",
	    "expected at least one 'actor' line, got end of file");
	ERR("scenario t\n# x\n", "t.scn:2:1:", "at least one 'actor' line");
	ERR("scenario Big\n", "t.scn:1:10:", "expected a scenario name");
	ERR("scenario\n", "t.scn:1:9:", "got end of line");
	ERR("scenario abcdefghijabcdefghijabcdefghijabc\n", "t.scn:1:10:",
	    "got 'abcdefghijabcdefghijabcd...'");
	ERR("scenario t x\n", "t.scn:1:12:", "expected end of line, got 'x'");
	ERR("scenario t\nscenario u\n", "t.scn:2:1:",
	    "expected one 'scenario' line, got a second (the first is on "
	    "line 1)");
	ERR("scenario t\n  fish A\n", "t.scn:2:3:", "expected a keyword");
	ERR("scenario t\ntitle fr x\n", "t.scn:2:7:",
	    "expected a language, en or zh, got 'fr'");
	ERR("scenario t\ntitle en\n", "t.scn:2:9:",
	    "expected title text, got end of line");
	ERR("scenario t\ntitle en a\ntitle en b\n", "t.scn:3:7:",
	    "got a second (the first is on line 2)");
}

static void test_scn_errors_actor(void **state)
{
	(void)state;
	ERR("scenario t\nactor\n", "t.scn:2:6:", "expected an actor name");
	ERR("scenario t\nactor a.b x\n", "t.scn:2:7:", "expected an actor "
	    "name of 1 to 15 letters, digits or '_', got 'a.b'");
	ERR("scenario t\nactor abcdefghijklmnop x\n", "t.scn:2:7:",
	    "expected an actor name");
	ERR("scenario t\nactor world x\n", "t.scn:2:7:", "other than 'world'");
	ERR(HEAD "actor A x\n", "t.scn:3:7:", "expected a new actor name "
	    "('A' is already declared on line 2), got 'A'");
	ERR("scenario t\nactor A\n", "t.scn:2:8:",
	    "expected a model name of a-z, 0-9 and '-', like blocking, got "
	    "end of line");
	ERR("scenario t\nactor A Blocking\n", "t.scn:2:9:",
	    "expected a model name");
	ERR("scenario t\nactor A b fds=0\n", "t.scn:2:11:",
	    "expected fds=N with N from 1 to 64, got 'fds=0'");
	ERR("scenario t\nactor A b fds=65\n", "t.scn:2:11:", "got 'fds=65'");
	ERR("scenario t\nactor A b fds=x\n", "t.scn:2:11:", "fds=N");
	ERR("scenario t\nactor A b fds=\n", "t.scn:2:11:", "fds=N");
	ERR("scenario t\nactor A b fds=1 fds=2\n", "t.scn:2:17:",
	    "expected each option at most once, got 'fds=2'");
	ERR("scenario t\nactor A b rods=2\n", "t.scn:2:11:",
	    "expected an option fds=N, every=TIME, chunk=N, drain=yes|no, "
	    "low=N, role=reader|server, sockbuf=N, serve=echo|chat, "
	    "workers=N, queue=N or work=TIME, got 'rods=2'");
	ERR("scenario t\nactor A b extra\n", "t.scn:2:11:", "got 'extra'");
	ERR("scenario t\nactor A b every=0s\n", "t.scn:2:17:",
	    "expected a pause of at least 1ms after 'every='");
	/* Issue 10 item 6: a pause the screen cannot show only fills memory. */
	ERR("scenario t\nactor B nonblocking every=1ns\nat 3600s write B x\n",
	    "t.scn:2:27:", "expected a pause of at least 1ms after 'every=' (the "
	    "screen shows times to the millisecond), got '1ns'");
	ERR("scenario t\nactor A b every=999us\n", "t.scn:2:17:",
	    "at least 1ms");
	ERR("scenario t\nactor A b every=0.9ms\n", "t.scn:2:17:",
	    "at least 1ms");
	ERR("scenario t\nactor A b every=5\n", "t.scn:2:17:",
	    "expected a time with a unit, like 1.5s or 200ms, got '5'");
	ERR(HEAD "label B en x\n", "t.scn:3:7:", "expected the name of an "
	    "actor declared above with an 'actor' line, got 'B'");
	ERR(HEAD "label A de x\n", "t.scn:3:9:", "expected a language");
	ERR(HEAD "label A en\n", "t.scn:3:11:", "expected label text");
	ERR(HEAD "label A en x\nlabel A en y\n", "t.scn:4:9:",
	    "got a second (the first is on line 3)");
}

static void test_scn_errors_action(void **state)
{
	(void)state;
	ERR(HEAD "at\n", "t.scn:3:3:", "expected a time with a unit, like "
	    "1.5s or 200ms, got end of line");
	ERR(HEAD "at 1s\n", "t.scn:3:6:",
	    "expected an action: say, write, close, connect, send, hangup, "
	    "reset, pause or resume, got end of line");
	ERR(HEAD "at 1s sing A\n", "t.scn:3:7:", "got 'sing'");
	ERR(HEAD "at 1s say fr x\n", "t.scn:3:11:", "expected a language");
	ERR(HEAD "at 1s say en\n", "t.scn:3:13:", "expected caption text");
	ERR(HEAD "at 1s write\n", "t.scn:3:12:", "expected the name of an "
	    "actor");
	ERR(HEAD "at 1s write B x\n", "t.scn:3:13:", "got 'B'");
	ERR(HEAD "at 1s write A\n", "t.scn:3:14:",
	    "expected data to write, got end of line");
	ERR(HEAD "at 1s write world x\n", "t.scn:3:13:", "got 'world'");
	ERR(HEAD "at 1s close A x\n", "t.scn:3:15:",
	    "expected end of line, got 'x'");
	ERR(HEAD "at 1s write A x\nactor B b\nat 2s close C\n", "t.scn:5:13:",
	    "got 'C'");
}

static void test_scn_options(void **state)
{
	struct scn *s = parse_ok(S("scenario t\n"
	    "actor A epoll role=reader low=65535 drain=yes chunk=4096 fds=64 "
	    "every=1ms\n"
	    "actor B epoll chunk=1 drain=no low=0\n"
	    "actor S select role=server low=1020 every=5ms chunk=3\n"
	    "actor T poll role=server\n"));
	const struct scn_actor *a = s->actors;

	(void)state;
	assert_int_equal(a[0].role, SCN_ROLE_READER);
	assert_int_equal(a[0].nfds, 64);
	assert_int_equal(a[0].every_ns, 1000000);
	assert_int_equal(a[0].chunk, 4096);
	assert_int_equal(a[0].drain, 1);
	assert_int_equal(a[0].low_fd, 65535);
	assert_int_equal(a[1].nfds, 1);
	assert_int_equal(a[1].chunk, 1);
	assert_int_equal(a[1].drain, 0);
	assert_int_equal(a[1].low_fd, 0);
	assert_int_equal(a[1].role, SCN_ROLE_READER);
	assert_int_equal(a[2].role, SCN_ROLE_SERVER);
	assert_int_equal(a[2].nfds, 0);
	assert_int_equal(a[2].low_fd, 1020);
	assert_int_equal(a[2].every_ns, 5000000);
	assert_int_equal(a[2].chunk, 3);
	assert_int_equal(a[2].drain, -1);
	assert_int_equal(a[3].role, SCN_ROLE_SERVER);
	assert_int_equal(a[3].nfds, 0);
	assert_int_equal(a[3].chunk, 0);
	assert_int_equal(s->nclients, 0);
	scn_free(s);
}

static void test_scn_errors_options(void **state)
{
	(void)state;
	ERR("scenario t\nactor A b chunk=0\n", "t.scn:2:11:",
	    "expected chunk=N with N from 1 to 4096, got 'chunk=0'");
	ERR("scenario t\nactor A b chunk=4097\n", "t.scn:2:11:",
	    "got 'chunk=4097'");
	ERR("scenario t\nactor A b chunk=\n", "t.scn:2:11:", "chunk=N");
	ERR("scenario t\nactor A b chunk=1k\n", "t.scn:2:11:", "chunk=N");
	ERR("scenario t\nactor A b chunk=4096 chunk=1\n", "t.scn:2:22:",
	    "expected each option at most once, got 'chunk=1'");
	ERR("scenario t\nactor A b drain=maybe\n", "t.scn:2:11:",
	    "expected drain=yes or drain=no, got 'drain=maybe'");
	ERR("scenario t\nactor A b drain=YES\n", "t.scn:2:11:", "drain=yes");
	ERR("scenario t\nactor A b drain=\n", "t.scn:2:11:", "drain=yes");
	ERR("scenario t\nactor A b drain=no drain=no\n", "t.scn:2:20:",
	    "each option at most once");
	ERR("scenario t\nactor A b low=65536\n", "t.scn:2:11:",
	    "expected low=N with N from 0 to 65535, got 'low=65536'");
	ERR("scenario t\nactor A b low=-1\n", "t.scn:2:11:", "low=N");
	ERR("scenario t\nactor A b low=\n", "t.scn:2:11:", "low=N");
	ERR("scenario t\nactor A b role=client\n", "t.scn:2:11:",
	    "expected role=reader or role=server, got 'role=client'");
	ERR("scenario t\nactor A b role=\n", "t.scn:2:11:", "role=reader");
	ERR("scenario t\nactor A b role=server role=reader\n", "t.scn:2:23:",
	    "each option at most once");
	ERR("scenario t\nactor A b chunk\n", "t.scn:2:11:",
	    "expected an option fds=N, every=TIME, chunk=N, drain=yes|no, "
	    "low=N, role=reader|server, sockbuf=N, serve=echo|chat, "
	    "workers=N, queue=N or work=TIME, got 'chunk'");
	ERR("scenario t\nactor A b worker=2\n", "t.scn:2:11:",
	    "expected an option");
	ERR("scenario t\nactor A b =4\n", "t.scn:2:11:", "expected an option");
	/* Whichever comes first, the error is on fds=. */
	ERR("scenario t\nactor S b role=server fds=2\n", "t.scn:2:23:",
	    "a server actor has no fds= (clients connect to it)");
	ERR("scenario t\nactor S b fds=2 every=1s role=server\n", "t.scn:2:11:",
	    "a server actor has no fds= (clients connect to it)");
	/* A bad fds= is reported as such, before the role. */
	ERR("scenario t\nactor S b fds=0 role=server\n", "t.scn:2:11:",
	    "expected fds=N");
}

/* serve=, workers=, queue=, work=: a server's options, each with its
 * default, its range's both ends and the time's units. */
static void test_scn_server_options(void **state)
{
	struct scn *s = parse_ok(S("scenario t\n"
	    "actor S thread-pool role=server serve=echo workers=64 queue=1024 work=10s\n"
	    "actor T epoll work=250ms queue=1 role=server workers=1 serve=chat\n"
	    "actor U poll role=server work=0s\n"
	    "actor V epoll role=server serve=echo work=1.5ms\n"
	    "actor A blocking\n"));
	const struct scn_actor *a = s->actors;

	(void)state;
	assert_int_equal(a[0].serve, SCN_SERVE_ECHO);
	assert_int_equal(a[0].workers, SCN_MAX_WORKERS);
	assert_int_equal(a[0].workers, 64);
	assert_int_equal(a[0].queue, SCN_MAX_QUEUE);
	assert_int_equal(a[0].queue, 1024);
	assert_int_equal(a[0].work_ns, SCN_MAX_WORK_NS);
	assert_int_equal(a[0].work_ns, 10000000000LL);
	assert_int_equal(a[1].serve, SCN_SERVE_CHAT);
	assert_int_equal(a[1].workers, 1);
	assert_int_equal(a[1].queue, 1);
	assert_int_equal(a[1].work_ns, 250000000);
	assert_int_equal(a[1].role, SCN_ROLE_SERVER);
	/* Defaults: chat, the model's own pool and queue, no work. */
	assert_int_equal(a[2].serve, SCN_SERVE_CHAT);
	assert_int_equal(a[2].workers, 0);
	assert_int_equal(a[2].queue, 0);
	assert_int_equal(a[2].work_ns, 0);
	assert_int_equal(a[3].serve, SCN_SERVE_ECHO);
	assert_int_equal(a[3].work_ns, 1500000);
	assert_int_equal(a[4].role, SCN_ROLE_READER);
	assert_int_equal(a[4].serve, SCN_SERVE_CHAT);
	assert_int_equal(a[4].workers, 0);
	assert_int_equal(a[4].queue, 0);
	assert_int_equal(a[4].work_ns, 0);
	scn_free(s);
}

#define SRV "scenario t\nactor S b role=server "

static void test_scn_errors_server_options(void **state)
{
	(void)state;
	ERR(SRV "serve=both\n", "t.scn:2:23:",
	    "expected serve=echo or serve=chat, got 'serve=both'");
	ERR(SRV "serve=ECHO\n", "t.scn:2:23:", "serve=echo or serve=chat");
	ERR(SRV "serve=\n", "t.scn:2:23:", "serve=echo or serve=chat");
	ERR(SRV "serve=echo serve=echo\n", "t.scn:2:34:",
	    "expected each option at most once, got 'serve=echo'");
	ERR(SRV "workers=0\n", "t.scn:2:23:",
	    "expected workers=N with N from 1 to 64, got 'workers=0'");
	ERR(SRV "workers=65\n", "t.scn:2:23:", "got 'workers=65'");
	ERR(SRV "workers=\n", "t.scn:2:23:", "workers=N with N from 1 to 64");
	ERR(SRV "workers=-1\n", "t.scn:2:23:", "workers=N");
	ERR(SRV "workers=2 workers=2\n", "t.scn:2:33:", "each option at most once");
	ERR(SRV "queue=0\n", "t.scn:2:23:",
	    "expected queue=N with N from 1 to 1024, got 'queue=0'");
	ERR(SRV "queue=1025\n", "t.scn:2:23:", "got 'queue=1025'");
	ERR(SRV "queue=1k\n", "t.scn:2:23:", "queue=N");
	ERR(SRV "queue=4 queue=4\n", "t.scn:2:31:", "each option at most once");
	/* A bad time is pointed at after the '=', as for every=. */
	ERR(SRV "work=2\n", "t.scn:2:28:",
	    "expected a time with a unit, like 1.5s or 200ms, got '2'");
	ERR(SRV "work=\n", "t.scn:2:28:", "expected a time with a unit");
	ERR(SRV "work=10.000000001s\n", "t.scn:2:28:",
	    "expected a time of at most 10s after 'work=', got '10.000000001s'");
	ERR(SRV "work=11s\n", "t.scn:2:28:", "at most 10s after 'work='");
	ERR(SRV "work=3601s\n", "t.scn:2:28:", "expected a time of at most 3600s");
	ERR(SRV "work=1s work=1s\n", "t.scn:2:31:", "each option at most once");
	/* On a reader: the first server option is named, whichever order. */
	ERR("scenario t\nactor A b serve=echo\n", "t.scn:2:11:",
	    "expected serve= on a server actor only (add role=server), got 'serve=echo'");
	ERR("scenario t\nactor A b fds=2 workers=4\n", "t.scn:2:17:",
	    "expected workers= on a server actor only (add role=server), got 'workers=4'");
	ERR("scenario t\nactor A b queue=8 work=1s\n", "t.scn:2:11:",
	    "expected queue= on a server actor only (add role=server)");
	ERR("scenario t\nactor A b role=reader work=1s sockbuf=4096\n", "t.scn:2:23:",
	    "expected work= on a server actor only (add role=server), got 'work=1s'");
	ERR("scenario t\nactor A b sockbuf=4096 serve=echo\n", "t.scn:2:11:",
	    "expected sockbuf= on a server actor only (add role=server), got 'sockbuf=4096'");
	/* A bad value is reported as such, before the role. */
	ERR("scenario t\nactor A b workers=0\n", "t.scn:2:11:",
	    "expected workers=N with N from 1 to 64");
}

/* Every example scenario in scenarios/FORMAT.md (a ``` block with a
 * 'scenario' line) parses; the server models' example among them. */
static void test_scn_format_examples(void **state)
{
	FILE *f = fopen("scenarios/FORMAT.md", "r");
	char line[1024], block[8192];
	size_t n = 0;
	int in = 0, examples = 0, echo = 0;

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "```", 3) == 0) {
			if (in && strstr(block, "\nscenario ") != NULL) {
				struct scn *s = parse_ok(block, n);

				examples++;
				for (int i = 0; i < s->nactors; i++)
					echo += s->actors[i].serve == SCN_SERVE_ECHO;
				scn_free(s);
			}
			in = !in;
			n = 0;
			block[0] = '\0';
			continue;
		}
		if (in) {
			assert_true(n + strlen(line) < sizeof block);
			memcpy(block + n, line, strlen(line) + 1);
			n += strlen(line);
		}
	}
	fclose(f);
	assert_true(examples >= 3);
	assert_true(echo >= 1);
}

#define CHAT "scenario t\nactor S epoll role=server\nactor A blocking\n"

static const char chat[] =
	"scenario chat\n"
	"actor S epoll role=server chunk=16 drain=no\n"
	"actor T poll role=server low=1100\n"
	"actor R select fds=2 low=1020\n"
	"at 0s connect alice to S\n"
	"at 0s   connect bob_2 to S   # second client\n"
	"at 1s send alice hello  everyone  \n"
	"at 1s send bob_2 \"hi\\n\"\n"
	"at 2s reset alice\n"
	"at 2.5s hangup bob_2\n"
	"at 3s connect alice to T\n"
	"at 3s send alice back\n"
	"at 3s write R.2 x\n"
	"at 4s hangup alice\n";

/* A client that stops reading and reads again; small socket buffers for
 * a server and its clients. */
static void test_scn_pause(void **state)
{
	struct scn *s = parse_ok(S("scenario t\nactor S epoll role=server sockbuf=4096\n"
				   "at 0s connect carol to S\nat 1s pause carol\n"
				   "at 1s pause carol\nat 2s resume carol\n"
				   "at 3s hangup carol\n"));

	(void)state;
	assert_int_equal(s->actors[0].sockbuf, 4096);
	assert_int_equal(s->nactions, 5);
	assert_int_equal(s->actions[1].op, SCN_PAUSE);
	assert_int_equal(s->actions[1].client, 0);
	assert_int_equal(s->actions[1].actor, 0);
	assert_int_equal(s->actions[3].op, SCN_RESUME);
	assert_int_equal(s->actions[3].len, 0);
	scn_free(s);
	ERR("scenario t\nactor S epoll role=server sockbuf=100\n", "t.scn:2:27:",
	    "expected sockbuf=N with N from 1024 to 1048576, got 'sockbuf=100'");
	ERR("scenario t\nactor S epoll role=server sockbuf=2097152\n", "t.scn:2:27:",
	    "got 'sockbuf=2097152'");
	ERR("scenario t\nactor A blocking sockbuf=4096\n", "t.scn:2:18:",
	    "expected sockbuf= on a server actor only (add role=server), got "
	    "'sockbuf=4096'");
	ERR(CHAT "at 1s pause bob\n", "t.scn:4:13:",
	    "expected the name of a client connected above");
	ERR(CHAT "at 0s connect bob to S\nat 1s hangup bob\nat 2s resume bob\n",
	    "t.scn:6:14:", "expected a connected client ('bob' hung up on line 5");
	ERR(CHAT "at 0s connect bob to S\nat 1s pause bob now\n", "t.scn:5:17:",
	    "expected end of line, got 'now'");
}

static void test_scn_chat(void **state)
{
	struct scn *s = parse_ok(S(chat));
	const struct scn_action *a = s->actions;

	(void)state;
	assert_int_equal(s->nactors, 3);
	assert_int_equal(s->actors[0].chunk, 16);
	assert_int_equal(s->actors[0].drain, 0);
	assert_int_equal(s->actors[1].low_fd, 1100);
	assert_int_equal(s->actors[2].role, SCN_ROLE_READER);
	assert_int_equal(s->nclients, 2);
	assert_string_equal(s->clients[0], "alice");
	assert_string_equal(s->clients[1], "bob_2");
	assert_null(s->clients[2]);
	assert_int_equal(s->nactions, 10);

	assert_int_equal(a[0].op, SCN_CONNECT);
	assert_int_equal(a[0].client, 0);
	assert_int_equal(a[0].actor, 0);
	assert_int_equal(a[0].fd, 0);
	assert_int_equal(a[0].line, 5);
	assert_string_equal(a[0].data, "");
	assert_int_equal(a[0].len, 0);
	assert_string_equal(a[0].text[0], "");
	assert_string_equal(a[0].text[1], "");
	assert_int_equal(a[1].op, SCN_CONNECT);
	assert_int_equal(a[1].client, 1);
	assert_int_equal(a[1].actor, 0);
	assert_int_equal(a[2].op, SCN_SEND);
	assert_int_equal(a[2].at_ns, 1000000000);
	assert_int_equal(a[2].client, 0);
	assert_int_equal(a[2].actor, 0);
	assert_string_equal(a[2].data, "hello  everyone");
	assert_int_equal(a[2].len, 15);
	assert_string_equal(a[2].text[0], "");
	assert_int_equal(a[3].client, 1);
	assert_string_equal(a[3].data, "hi\n");
	assert_int_equal(a[3].len, 3);
	assert_int_equal(a[4].op, SCN_RESET);
	assert_int_equal(a[4].client, 0);
	assert_int_equal(a[4].actor, 0);
	assert_string_equal(a[4].data, "");
	assert_int_equal(a[5].op, SCN_HANGUP);
	assert_int_equal(a[5].client, 1);
	assert_int_equal(a[5].actor, 0);
	assert_int_equal(a[5].at_ns, 2500000000);
	/* alice reconnects, to the other server: her actions follow her. */
	assert_int_equal(a[6].op, SCN_CONNECT);
	assert_int_equal(a[6].client, 0);
	assert_int_equal(a[6].actor, 1);
	assert_int_equal(a[7].op, SCN_SEND);
	assert_int_equal(a[7].actor, 1);
	assert_string_equal(a[7].data, "back");
	assert_int_equal(a[8].op, SCN_WRITE);
	assert_int_equal(a[8].client, -1);
	assert_int_equal(a[8].actor, 2);
	assert_int_equal(a[8].fd, 1);
	assert_int_equal(a[9].op, SCN_HANGUP);
	assert_int_equal(a[9].actor, 1);
	assert_int_equal(a[9].line, 14);
	assert_int_equal(scn_duration(s), 4000000000);
	scn_free(s);

	/* A client left connected at the end is fine (the world hangs up). */
	s = parse_ok(S(CHAT "at 1s connect world to S\nat 1s send world x\n"));
	assert_int_equal(s->nclients, 1);
	assert_string_equal(s->clients[0], "world");
	scn_free(s);
}

static void test_scn_errors_connect(void **state)
{
	(void)state;
	ERR(CHAT "at 1s connect\n", "t.scn:4:14:", "expected a client name "
	    "of 1 to 15 characters a-z, 0-9 or '_', got end of line");
	ERR(CHAT "at 1s connect Bob to S\n", "t.scn:4:15:",
	    "expected a client name of 1 to 15 characters a-z, 0-9 or '_', "
	    "got 'Bob'");
	ERR(CHAT "at 1s connect a-b to S\n", "t.scn:4:15:", "got 'a-b'");
	ERR(CHAT "at 1s connect abcdefghijklmnop to S\n", "t.scn:4:15:",
	    "expected a client name");
	ERR(CHAT "at 1s connect alice S\n", "t.scn:4:21:",
	    "expected 'to' and a server actor, got 'S'");
	ERR(CHAT "at 1s connect alice\n", "t.scn:4:20:",
	    "expected 'to' and a server actor, got end of line");
	ERR(CHAT "at 1s connect alice to\n", "t.scn:4:23:", "expected the name "
	    "of an actor declared above with an 'actor' line, got end of line");
	ERR(CHAT "at 1s connect alice to X\n", "t.scn:4:24:",
	    "expected the name of an actor declared above");
	ERR(CHAT "at 1s connect alice to A\n", "t.scn:4:24:",
	    "expected a server actor ('A' has no role=server), got 'A'");
	ERR(CHAT "at 1s connect alice to S now\n", "t.scn:4:26:",
	    "expected end of line, got 'now'");
	ERR(CHAT "at 1s connect alice to S\nat 2s connect alice to S\n",
	    "t.scn:5:15:", "expected a client that is not connected ('alice' "
	    "connected to S on line 4), got 'alice'");
	ERR(CHAT "at 2s connect alice to S\nat 1s send alice x\n", "t.scn:5:4:",
	    "expected a time at or after 2s (actions are in time order)");
	ERR(CHAT "at 1s say en a\nat 1s connect alice to S\n", "t.scn:4:11:",
	    "caption has English text but no Chinese");
}

static void test_scn_errors_client(void **state)
{
	(void)state;
	ERR(CHAT "at 1s send bob x\n", "t.scn:4:12:", "expected the name of a "
	    "client connected above with 'at TIME connect CLIENT to ACTOR', "
	    "got 'bob'");
	ERR(CHAT "at 1s hangup\n", "t.scn:4:13:", "got end of line");
	ERR(CHAT "at 1s reset S\n", "t.scn:4:13:", "got 'S'");
	ERR(CHAT "at 1s connect alice to S\nat 2s hangup alice\n"
	    "at 3s send alice x\n", "t.scn:6:12:", "expected a connected client "
	    "('alice' hung up on line 5; connect it again first), got 'alice'");
	ERR(CHAT "at 1s connect alice to S\nat 2s reset alice\n"
	    "at 3s hangup alice\n", "t.scn:6:14:",
	    "('alice' was reset on line 5; connect it again first)");
	ERR(CHAT "at 1s connect alice to S\nat 2s reset alice\n"
	    "at 3s reset alice\n", "t.scn:6:13:", "was reset on line 5");
	ERR(CHAT "at 1s connect alice to S\nat 1s send alice\n", "t.scn:5:17:",
	    "expected data to send, got end of line");
	ERR(CHAT "at 1s connect alice to S\nat 1s send alice \"\"\n",
	    "t.scn:5:18:", "expected data to send, got '\"\"'");
	ERR(CHAT "at 1s connect alice to S\nat 1s send alice \"a\" b\n",
	    "t.scn:5:22:", "expected end of line, got 'b'");
	ERR(CHAT "at 1s connect alice to S\nat 2s hangup alice now\n",
	    "t.scn:5:20:", "expected end of line, got 'now'");
	ERR(CHAT "at 1s connect alice to S\nat 2s reset alice x\n",
	    "t.scn:5:19:", "expected end of line, got 'x'");
}

/* write and close reach readers' fds; a server only has clients. */
static void test_scn_errors_server_target(void **state)
{
	(void)state;
	ERR(CHAT "at 1s write S x\n", "t.scn:4:13:", "expected a reader actor "
	    "('S' is a server: use connect/send/hangup/reset), got 'S'");
	ERR(CHAT "at 1s close S\n", "t.scn:4:13:", "'S' is a server");
	ERR(CHAT "at 1s close S.1\n", "t.scn:4:13:", "got 'S'");
	ERR(CHAT "at 1s write A.2 x\n", "t.scn:4:14:",
	    "expected an fd number from 1 to 1 after 'A'");
}

static void test_scn_client_limits(void **state)
{
	char text[8192];
	size_t n = (size_t)snprintf(text, sizeof text, CHAT);
	struct scn *s;

	(void)state;
	for (int i = 0; i < SCN_MAX_CLIENTS; i++)
		n += (size_t)snprintf(text + n, sizeof text - n,
		    "at 1s connect c%d to S\n", i);
	/* A known client may come back when all names are taken. */
	n += (size_t)snprintf(text + n, sizeof text - n,
	    "at 2s reset c7\nat 2s connect c7 to S\n");
	s = parse_ok(text, n);
	assert_int_equal(s->nclients, SCN_MAX_CLIENTS);
	assert_string_equal(s->clients[31], "c31");
	assert_int_equal(s->actions[SCN_MAX_CLIENTS + 1].client, 7);
	scn_free(s);
	n += (size_t)snprintf(text + n, sizeof text - n,
	    "at 3s connect c32 to S\n");
	parse_err(text, n, "t.scn:38:15:", "expected at most 32 clients, got "
	    "'c32'");

	s = parse_ok(S(CHAT "at 0s connect abcdefghijklmno to S\n"));
	assert_string_equal(s->clients[0], "abcdefghijklmno");
	scn_free(s);
	n = (size_t)snprintf(text, sizeof text, CHAT
	    "at 0s connect a to S\nat 0s send a ");
	memset(text + n, 'x', SCN_MAX_DATA);
	s = parse_ok(text, n + SCN_MAX_DATA);
	assert_int_equal(s->actions[1].len, SCN_MAX_DATA);
	scn_free(s);
	text[n + SCN_MAX_DATA] = 'x';
	parse_err(text, n + SCN_MAX_DATA + 1, "t.scn:5:14:",
	    "expected at most 4096 bytes of data, got 4097");
}

/* Titles, labels and captions go into single trace lines (labels all into
 * the header, which the reader caps at 256 KiB): at most SCN_MAX_TEXT
 * bytes each, so every run records a file that reads back. */
static void test_scn_errors_text_length(void **state)
{
	static const char *const kinds[] = {
		"scenario t\ntitle en ",
		"scenario t\nactor A blocking\nlabel A en ",
		"scenario t\nactor A blocking\nat 0s say en ",
	};
	static const char *const whats[] = { "title text", "label text",
					     "caption text" };
	static const int lines[] = { 2, 3, 3 };
	char text[SCN_MAX_TEXT + 128], where[32], what[96];

	(void)state;
	for (int k = 0; k < 3; k++) {
		size_t n = (size_t)snprintf(text, sizeof text, "%s", kinds[k]);
		size_t col = n - (size_t)(strrchr(text, '\n') - text);

		memset(text + n, 'x', SCN_MAX_TEXT + 1);
		text[n + SCN_MAX_TEXT + 1] = '\n';
		snprintf(where, sizeof where, "t.scn:%d:%zu:", lines[k], col);
		snprintf(what, sizeof what, "expected at most %d bytes of %s, got %d",
			 SCN_MAX_TEXT, whats[k], SCN_MAX_TEXT + 1);
		parse_err(text, n + SCN_MAX_TEXT + 2, where, what);
	}
	/* One line of printable text: trace strings hold no control character. */
	parse_err(S("scenario t\nactor A blocking\nat 0s say en \"a\\tb\"\n"),
	    "t.scn:3:14:", "expected caption text without \\t");
	parse_err(S("scenario t\ntitle en \"a\\nb\"\n"),
	    "t.scn:2:10:", "expected title text on one line, without \\n or \\t");
	parse_err(S("scenario t\nactor A blocking\nlabel A en \"a\\tb\"\n"),
	    "t.scn:3:12:", "expected label text on one line");
}

static void test_scn_fd_range(void **state)
{
	struct scn *s = parse_ok(S("scenario t\nactor A b fds=64\n"
	    "at 0s close A.64\nat 0s close A.1\nat 0s close A\n"));

	(void)state;
	assert_int_equal(s->actions[0].fd, 63);
	assert_int_equal(s->actions[1].fd, 0);
	assert_int_equal(s->actions[2].fd, 0);
	scn_free(s);
	ERR(HEAD "at 1s close A.2\n", "t.scn:3:14:",
	    "expected an fd number from 1 to 1 after 'A' (it has fds=1), "
	    "got '.2'");
	ERR("scenario t\nactor A b fds=2\nat 1s write A.0 x\n", "t.scn:3:14:",
	    "from 1 to 2");
	ERR(HEAD "at 1s close A.\n", "t.scn:3:14:", "got '.'");
	ERR(HEAD "at 1s close A.x\n", "t.scn:3:14:", "got '.x'");
	ERR(HEAD "at 1s close A.99999999999\n", "t.scn:3:14:", "fd number");
}

static void test_scn_time_order(void **state)
{
	struct scn *s = parse_ok(S(HEAD "at 1s close A\nat 1000ms close A\n"
	    "at 1.0s say en a\nat 1s say zh b\nat 1.000001s close A\n"));

	(void)state;
	assert_int_equal(s->nactions, 4);
	assert_int_equal(scn_duration(s), 1000001000);
	scn_free(s);
	ERR(HEAD "at 1.5s close A\nat 1s close A\n", "t.scn:4:4:",
	    "expected a time at or after 1.5s (actions are in time order), "
	    "got '1s'");
	ERR(HEAD "at 2s say en a\nat 2s say zh b\n\nat 1999ms write A x\n",
	    "t.scn:6:4:", "expected a time at or after 2s (actions");
}

static void test_scn_durations(void **state)
{
	static const struct {
		const char *text;
		int64_t ns;
	} ok[] = {
		{ "0s", 0 }, { "1.5s", 1500000000 }, { "200ms", 200000000 },
		{ "250us", 250000 }, { "7ns", 7 }, { "0.1s", 100000000 },
		{ "3600s", 3600000000000 }, { "3600000ms", 3600000000000 },
		{ "1.0000000019s", 1000000001 }, { "007s", 7000000000 },
	};
	static const char *const bad[] = {
		"1", "1.5", "s", "1.s", ".5s", "-1s", "1m", "1 s", "1.5sec",
		"1e3ms", "+1s", "1..5s", "1.5S",
	};
	char text[128];

	(void)state;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		struct scn *s;
		int n = snprintf(text, sizeof text, HEAD "at %s close A\n",
		    ok[i].text);

		s = parse_ok(text, (size_t)n);
		assert_int_equal(s->actions[0].at_ns, ok[i].ns);
		scn_free(s);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int n = snprintf(text, sizeof text, HEAD "at %s close A\n",
		    bad[i]);

		parse_err(text, (size_t)n, "t.scn:3:4:", "expected a time with "
		    "a unit, like 1.5s or 200ms");
	}
	ERR(HEAD "at 3600.000000001s close A\n", "t.scn:3:4:",
	    "expected a time of at most 3600s");
	ERR(HEAD "at 99999999999999999999999s close A\n", "t.scn:3:4:",
	    "at most 3600s");
	ERR("scenario t\nactor A b every=2h\n", "t.scn:2:17:", "got '2h'");
}

static void test_scn_limits(void **state)
{
	char text[8192];
	size_t n = (size_t)snprintf(text, sizeof text, "scenario t\n");
	struct scn *s;

	(void)state;
	for (int i = 0; i < SCN_MAX_ACTORS; i++)
		n += (size_t)snprintf(text + n, sizeof text - n,
		    "actor A%d b\n", i);
	s = parse_ok(text, n);
	assert_int_equal(s->nactors, SCN_MAX_ACTORS);
	scn_free(s);
	n += (size_t)snprintf(text + n, sizeof text - n, "actor Z b\n");
	parse_err(text, n, "t.scn:18:7:", "expected at most 16 actors, got "
	    "'Z'");

	n = (size_t)snprintf(text, sizeof text, HEAD "at 0s write A ");
	memset(text + n, 'x', SCN_MAX_DATA);
	s = parse_ok(text, n + SCN_MAX_DATA);
	assert_int_equal(s->actions[0].len, SCN_MAX_DATA);
	scn_free(s);
	text[n + SCN_MAX_DATA] = 'x';
	parse_err(text, n + SCN_MAX_DATA + 1, "t.scn:3:15:",
	    "expected at most 4096 bytes of data, got 4097");
}

/* A file of exactly SCN_MAX_FILE bytes parses; one byte more does not. */
static void test_scn_too_large(void **state)
{
	static char big[SCN_MAX_FILE + 1];
	const size_t head = sizeof HEAD - 1;
	size_t n = head;
	struct scn *s;

	(void)state;
	memcpy(big, HEAD, head);
	for (; n + 14 <= SCN_MAX_FILE; n += 14)
		memcpy(big + n, "at 1s close A\n", 14);
	memset(big + n, '\n', SCN_MAX_FILE - n);
	s = parse_ok(big, SCN_MAX_FILE);
	assert_int_equal(s->nactions, (int)((SCN_MAX_FILE - head) / 14));
	scn_free(s);
	big[SCN_MAX_FILE] = '\n';
	assert_int_equal(scn_parse("t.scn", big, SCN_MAX_FILE + 1, &s, cause,
	    sizeof cause), -EINVAL);
	assert_null(s);
	assert_string_equal(cause, "t.scn: file is too large (1048577 bytes, "
	    "at most 1048576)");
}

static void test_scn_binary(void **state)
{
	(void)state;
	ERR("scenario t\nactor A\0 b\n", "t.scn:2:8:",
	    "binary data (NUL byte) where text was expected");
	ERR("scenario t\ntitle en 中文\xff\n", "t.scn:2:12:",
	    "invalid UTF-8 (byte 0xff) where text was expected");
	ERR("scenario t\ntitle en \xe4\xb8\n", "t.scn:2:10:", "byte 0xe4");
	ERR("scenario t\ntitle en \xc0\x80\n", "t.scn:2:10:", "byte 0xc0");
	ERR("scenario t\ntitle en \xed\xa0\x80\n", "t.scn:2:10:", "byte 0xed");
	ERR("scenario t\ntitle en a\x01\n", "t.scn:2:11:",
	    "control character 0x01");
	ERR("\xe4\xb8", "t.scn:1:1:", "invalid UTF-8");
}

/* Columns count characters, so an error after Chinese text points at the
 * right place in an editor. */
static void test_scn_utf8_columns(void **state)
{
	struct scn *s = parse_ok(S("\xef\xbb\xbfscenario t\nactor A b\n"));

	(void)state;
	assert_string_equal(s->name, "t");
	scn_free(s);
	ERR("\xef\xbb\xbfscenario t x\n", "t.scn:1:12:", "got 'x'");
	ERR(HEAD "at 1s write A \"中文\" x\n", "t.scn:3:20:", "got 'x'");
	ERR(HEAD "at 1s write 鱼 x\n", "t.scn:3:13:", "got '鱼'");
}

static void test_scn_cause_small(void **state)
{
	struct scn *s = NULL;
	char small[16];

	(void)state;
	assert_int_equal(scn_parse("中中中中中", S("x"), &s, small,
	    sizeof small), -EINVAL);
	/* Five 3-byte characters fill 15 bytes; a cut must not split one. */
	assert_string_equal(small, "中中中中中");
	assert_int_equal(scn_parse("中中中中中", S("x"), &s, small, 15),
	    -EINVAL);
	assert_string_equal(small, "中中中中");
	assert_int_equal(scn_parse("p", S("x"), &s, small, 6), -EINVAL);
	assert_string_equal(small, "p:1:1");
	assert_int_equal(scn_parse("p", S("x"), &s, NULL, 0), -EINVAL);
	assert_int_equal(scn_parse(NULL, S("x"), &s, small, sizeof small),
	    -EINVAL);
	assert_int_equal(scn_parse("p", NULL, 3, &s, small, sizeof small),
	    -EINVAL);
	assert_int_equal(scn_parse("p", S("x"), NULL, small, sizeof small),
	    -EINVAL);
	assert_null(s);
}

static int known(const char *name)
{
	return strcmp(name, "blocking") == 0 ||
	    strcmp(name, "nonblocking") == 0;
}

static void test_scn_check_models(void **state)
{
	struct scn *s = parse_ok(S("scenario t\nactor A blocking\n"
	    "actor B  nonblocking\n\tactor C  epol\n"));

	(void)state;
	assert_int_equal(scn_check_models(s, known, "blocking, nonblocking",
	    cause, sizeof cause), -EINVAL);
	assert_string_equal(cause, "t.scn:4:11: unknown model 'epol' "
	    "(expected one of: blocking, nonblocking)");
	s->nactors = 2;
	assert_int_equal(scn_check_models(s, known, "", cause, sizeof cause),
	    0);
	s->nactors = 3;
	scn_free(s);
	assert_int_equal(scn_check_models(NULL, known, "", cause,
	    sizeof cause), -EINVAL);
}

/* Files go into a fresh directory that the test removes again. */
static char dir[64];

static int setup_dir(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/test_scn.XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown_dir(void **state)
{
	(void)state;
	return rmdir(dir);
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void load_err(const char *name, const char *data, size_t len,
		     int want, const char *what)
{
	char path[128], where[192];
	struct scn *s = (struct scn *)&s;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (data != NULL)
		write_file(path, data, len);
	assert_int_equal(scn_load(path, &s, cause, sizeof cause), want);
	assert_null(s);
	snprintf(where, sizeof where, "%s%s", path, what);
	if (strcmp(cause, where) != 0 && strncmp(cause, where, strlen(where)))
		print_error("want: %s\ngot:  %s\n", where, cause);
	assert_memory_equal(cause, where, strlen(where));
	if (data != NULL)
		assert_int_equal(unlink(path), 0);
}

static void test_scn_load(void **state)
{
	char path[128];
	struct scn *s;
	char *big;

	(void)state;
	snprintf(path, sizeof path, "%s/ok.scn", dir);
	write_file(path, S(full));
	assert_int_equal(scn_load(path, &s, cause, sizeof cause), 0);
	assert_string_equal(s->path, path);
	assert_int_equal(s->nactions, 5);
	scn_free(s);
	assert_int_equal(unlink(path), 0);

	load_err("missing.scn", NULL, 0, -ENOENT,
	    ": cannot open: No such file or directory");
	load_err("empty.scn", "", 0, -EINVAL,
	    ": file is empty (expected a scenario)");
	load_err("nul.scn", S("scenario t\n\nac\0tor\n"), -EINVAL,
	    ":3:3: binary data (NUL byte) where text was expected");
	load_err("utf8.scn", S("scenario t\ntitle zh 中\x80\n"), -EINVAL,
	    ":2:11: invalid UTF-8 (byte 0x80)");
	load_err("bad.scn", S("scenario t\nactor A b fds=0\n"), -EINVAL,
	    ":2:11: expected fds=N");
	assert_non_null(big = malloc(SCN_MAX_FILE + 1));
	memset(big, '#', SCN_MAX_FILE + 1);
	load_err("big.scn", big, SCN_MAX_FILE + 1, -EFBIG,
	    ": file is too large (1048577 bytes, at most 1048576)");
	free(big);
	assert_int_equal(scn_load(dir, &s, cause, sizeof cause), -EISDIR);
	assert_non_null(strstr(cause, ": cannot read: Is a directory"));
	/* Not a regular file: refused before a byte is read. */
	assert_int_equal(scn_load("/dev/zero", &s, cause, sizeof cause),
	    -EINVAL);
	assert_string_equal(cause, "/dev/zero: not a regular file (a character "
	    "device; expected a scenario file)");
}

/* ---- the world's end (issue 10 item 13) ---- */

static const char two_clients[] =
	"scenario w\n"
	"actor S epoll role=server\n"
	"at 0s connect alice to S\n"
	"at 0s connect bob to S\n"
	"at 0s send alice hi\n";

struct wfix {
	uv_loop_t loop;
	struct scn *scn;
	struct trace *t;
	struct sink *sink;
	struct sclock clock;
	struct world *w;
	int done;
};

static void wfix_done_cb(void *arg)
{
	((struct wfix *)arg)->done++;
}

static void wfix_open(struct wfix *f)
{
	*f = (struct wfix){ .done = 0 };
	f->scn = parse_ok(S(two_clients));
	assert_int_equal(uv_loop_init(&f->loop), 0);
	assert_non_null(f->t = trace_new());
	assert_int_equal(sink_new(&f->loop, f->t, &f->sink), 0);
	assert_int_equal(sclock_init(&f->clock, 1000), 0);
	sclock_play(&f->clock);
	assert_int_equal(world_new(&f->loop, f->scn, &f->clock, f->sink, 1, &f->w), 0);
	assert_int_equal(world_start(f->w, wfix_done_cb, f), 0);
}

/* Run the loop until pred holds (true) or timeout_ms pass (false). */
static bool wfix_until(struct wfix *f, bool (*pred)(struct wfix *f), int timeout_ms)
{
	int64_t end = trace_mono_ns() + (int64_t)timeout_ms * 1000000;

	while (!pred(f)) {
		if (trace_mono_ns() > end)
			return false;
		uv_run(&f->loop, UV_RUN_NOWAIT);
		usleep(1000);
	}
	return true;
}

static bool script_over(struct wfix *f) { return world_next(f->w) == world_total(f->w); }
static bool world_done(struct wfix *f) { return f->done > 0; }

static void wfix_close(struct wfix *f)
{
	world_close(f->w);
	sink_close(f->sink);
	uv_run(&f->loop, UV_RUN_NOWAIT);
	world_free(f->w);
	sink_free(f->sink);
	sclock_destroy(&f->clock);
	assert_int_equal(uv_loop_close(&f->loop), 0);
	trace_free(f->t);
	scn_free(f->scn);
}

/* The server reads each client's connection to its end. */
static void serve_both(struct wfix *f)
{
	struct ring *r = sink_ring_new(f->sink, 1);

	assert_non_null(r);
	for (int i = 0; i < 2; i++)
		sink_emit(f->sink, r, &(struct trace_ev){ .kind = TRACE_EXIT, .actor = 1,
			.call = TRACE_CALL_RECVFROM, .fd = 5 + i, .ret = 0, .step = -1 });
}

/* The script is over at once (speed 1000), but the run is not: the server
 * has not read its clients yet.  Once it has, the world is done. */
static void test_scn_world_waits_for_server(void **state)
{
	struct wfix f;

	(void)state;
	wfix_open(&f);
	assert_true(wfix_until(&f, script_over, 5000));
	uv_run(&f.loop, UV_RUN_NOWAIT);
	assert_int_equal(f.done, 0);
	assert_int_equal(world_unserved(f.w, NULL, 0), 2);
	serve_both(&f);
	assert_true(wfix_until(&f, world_done, 5000));
	assert_int_equal(f.done, 1);
	assert_int_equal(world_unserved(f.w, NULL, 0), 0);
	wfix_close(&f);
}

/* A server that never reads: the world gives up after WORLD_SERVE_MS and
 * says what was left. */
static void test_scn_world_unserved(void **state)
{
	struct wfix f;

	(void)state;
	wfix_open(&f);
	assert_true(wfix_until(&f, world_done, WORLD_SERVE_MS + 5000));
	cause[0] = '\0';
	assert_int_equal(world_unserved(f.w, cause, sizeof cause), 2);
	assert_string_equal(cause, "server S read 0 of its 2 client connections to "
			    "the end; 2 still had data or an end of file unread 2 s "
			    "after the script ended");
	wfix_close(&f);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scn_full),
		cmocka_unit_test(test_scn_defaults),
		cmocka_unit_test(test_scn_caption_merge),
		cmocka_unit_test(test_scn_caption_missing),
		cmocka_unit_test(test_scn_crlf),
		cmocka_unit_test(test_scn_quoted),
		cmocka_unit_test(test_scn_quoted_errors),
		cmocka_unit_test(test_scn_errors_header),
		cmocka_unit_test(test_scn_errors_actor),
		cmocka_unit_test(test_scn_errors_action),
		cmocka_unit_test(test_scn_options),
		cmocka_unit_test(test_scn_errors_options),
		cmocka_unit_test(test_scn_server_options),
		cmocka_unit_test(test_scn_errors_server_options),
		cmocka_unit_test(test_scn_format_examples),
		cmocka_unit_test(test_scn_chat),
		cmocka_unit_test(test_scn_errors_connect),
		cmocka_unit_test(test_scn_errors_client),
		cmocka_unit_test(test_scn_errors_server_target),
		cmocka_unit_test(test_scn_client_limits),
		cmocka_unit_test(test_scn_errors_text_length),
		cmocka_unit_test(test_scn_fd_range),
		cmocka_unit_test(test_scn_time_order),
		cmocka_unit_test(test_scn_durations),
		cmocka_unit_test(test_scn_limits),
		cmocka_unit_test(test_scn_too_large),
		cmocka_unit_test(test_scn_binary),
		cmocka_unit_test(test_scn_utf8_columns),
		cmocka_unit_test(test_scn_cause_small),
		cmocka_unit_test(test_scn_check_models),
		cmocka_unit_test_setup_teardown(test_scn_load, setup_dir,
		    teardown_dir),
		cmocka_unit_test(test_scn_world_waits_for_server),
		cmocka_unit_test(test_scn_pause),
		cmocka_unit_test(test_scn_world_unserved),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("scn", tests, NULL, NULL);
}
