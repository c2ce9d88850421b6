/* fuzz_scn.c: libFuzzer target for the scenario parser.  Any bytes must
 * give either a scenario whose strings are all set and whose fields keep
 * scn.h's contract (ranges, roles, a client script a player can follow
 * without checks), or one line of cause. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scenarios/scn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int known(const char *name)
{
	return strcmp(name, "blocking") == 0 ||
	    strcmp(name, "nonblocking") == 0;
}

static void check(int ok)
{
	if (!ok)
		abort();
}

static size_t walk_actors(const struct scn *s)
{
	size_t n = 0;

	check(s->nactors >= 1 && s->nactors <= SCN_MAX_ACTORS);
	for (int i = 0; i < s->nactors; i++) {
		const struct scn_actor *a = &s->actors[i];

		n += strlen(a->name) + strlen(a->model);
		n += strlen(a->label[0]) + strlen(a->label[1]);
		check(a->role == SCN_ROLE_READER || a->role == SCN_ROLE_SERVER);
		if (a->role == SCN_ROLE_SERVER)
			check(a->nfds == 0);
		else
			check(a->nfds >= 1 && a->nfds <= SCN_MAX_FDS);
		check(a->every_ns >= 0);
		check(a->chunk >= 0 && a->chunk <= SCN_MAX_CHUNK);
		check(a->drain >= -1 && a->drain <= 1);
		check(a->low_fd >= 0 && a->low_fd <= SCN_MAX_LOW_FD);
		check(a->sockbuf == 0 || (a->role == SCN_ROLE_SERVER &&
		    a->sockbuf >= SCN_MIN_SOCKBUF && a->sockbuf <= SCN_MAX_SOCKBUF));
		check(a->serve == SCN_SERVE_CHAT ||
		      (a->role == SCN_ROLE_SERVER && a->serve == SCN_SERVE_ECHO));
		check(a->workers == 0 || (a->role == SCN_ROLE_SERVER &&
		      a->workers >= 1 && a->workers <= SCN_MAX_WORKERS));
		check(a->queue == 0 || (a->role == SCN_ROLE_SERVER &&
		      a->queue >= 1 && a->queue <= SCN_MAX_QUEUE));
		check(a->work_ns == 0 || (a->role == SCN_ROLE_SERVER &&
		      a->work_ns > 0 && a->work_ns <= SCN_MAX_WORK_NS));
	}
	return n;
}

static void walk_clients(const struct scn *s)
{
	check(s->nclients >= 0 && s->nclients <= SCN_MAX_CLIENTS);
	for (int i = 0; i < SCN_MAX_CLIENTS; i++) {
		const char *c = s->clients[i];

		if (i >= s->nclients) {
			check(c == NULL);
			continue;
		}
		check(strlen(c) >= 1 && strlen(c) <= 15);
		check(strspn(c, "abcdefghijklmnopqrstuvwxyz0123456789_") ==
		    strlen(c));
		for (int j = 0; j < i; j++)
			check(strcmp(c, s->clients[j]) != 0);
	}
}

static int is_role(const struct scn *s, int actor, enum scn_role role)
{
	return actor >= 0 && actor < s->nactors &&
	    s->actors[actor].role == role;
}

/* Replays the client script: server[c] is where client c is connected
 * (-1: not), *seen how many clients have been named so far. */
static void check_action(const struct scn *s, const struct scn_action *a,
			 int *server, int *seen)
{
	int c = a->client;

	check(a->fd == 0 || a->op == SCN_WRITE || a->op == SCN_CLOSE);
	check(a->len == 0 || a->op == SCN_WRITE || a->op == SCN_SEND);
	check(a->len <= SCN_MAX_DATA);
	switch (a->op) {
	case SCN_SAY:
		check(a->actor == -1 && c == -1);
		return;
	case SCN_WRITE:
	case SCN_CLOSE:
		check(is_role(s, a->actor, SCN_ROLE_READER) && c == -1);
		check(a->fd >= 0 && a->fd < s->actors[a->actor].nfds);
		check(a->op == SCN_CLOSE || a->len >= 1);
		return;
	case SCN_CONNECT:
		check(is_role(s, a->actor, SCN_ROLE_SERVER));
		check(c >= 0 && c <= *seen && c < s->nclients);
		*seen += c == *seen;
		check(server[c] == -1);
		server[c] = a->actor;
		return;
	case SCN_SEND:
	case SCN_HANGUP:
	case SCN_RESET:
	case SCN_PAUSE:
	case SCN_RESUME:
		check(c >= 0 && c < *seen && server[c] == a->actor);
		check(is_role(s, a->actor, SCN_ROLE_SERVER));
		if (a->op == SCN_SEND)
			check(a->len >= 1);
		else if (a->op == SCN_HANGUP || a->op == SCN_RESET)
			server[c] = -1;
		return;
	}
	abort();
}

/* Touch every string so the sanitizers see a NULL or a missing NUL. */
static size_t walk(const struct scn *s)
{
	size_t n = strlen(s->path) + strlen(s->name);
	int server[SCN_MAX_CLIENTS], seen = 0;

	n += strlen(s->title[0]) + strlen(s->title[1]) + walk_actors(s);
	walk_clients(s);
	for (int i = 0; i < SCN_MAX_CLIENTS; i++)
		server[i] = -1;
	check(s->nactions == 0 ? s->actions == NULL : s->nactions > 0);
	for (int i = 0; i < s->nactions; i++) {
		const struct scn_action *a = &s->actions[i];

		n += strlen(a->text[0]) + strlen(a->text[1]);
		check(strlen(a->data) == a->len);
		check(i == 0 || a->at_ns >= s->actions[i - 1].at_ns);
		check_action(s, a, server, &seen);
	}
	check(seen == s->nclients);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scn *s = NULL;
	char cause[256];

	if (scn_parse("fuzz.scn", (const char *)data, size, &s, cause,
	    sizeof cause) == 0) {
		if (walk(s) == 0 || scn_duration(s) < 0)
			abort();
		scn_check_models(s, known, "blocking, nonblocking", cause,
		    sizeof cause);
	} else if (s != NULL || memchr(cause, '\n', strlen(cause)) != NULL) {
		abort();
	}
	scn_free(s);
	return 0;
}
