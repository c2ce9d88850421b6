/* scn_action.c: the "at TIME ..." lines: captions, the world's writes and
 * closes on readers' fds, and the clients it plays against servers.
 *
 * Clients are followed through the script while it is parsed (connected to
 * which server, since which line), so that every send, hangup and reset
 * names the server it reaches and a player can trust the order it reads.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "scenarios/scn.h"
#include "scenarios/scn_lex.h"
#include "trace/lang.h"

#define CLIENT_NAME_MAX 15

static const char *const lang_word[2] = { [LANG_EN] = "English", [LANG_ZH] = "Chinese" };

/* "at 1.5s say en ..." without its other language on the next action line. */
int scn__lone_caption(struct scn_parser *p)
{
	const struct scn_action *a = &p->s->actions[p->say_open - 1];
	const struct scn_variant *v = a->nvariants > 0 ? &a->variants[a->nvariants - 1] : NULL;
	enum lang have = a->text[LANG_EN] != NULL ? LANG_EN : LANG_ZH;

	if (v != NULL && (v->text[LANG_EN] == NULL || v->text[LANG_ZH] == NULL)) {
		have = v->text[LANG_EN] != NULL ? LANG_EN : LANG_ZH;
		return scn__fail_at(p, v->line, p->say_col,
		    "caption for '%s' has %s text but no %s (add 'at %.*s say for "
		    "%s %s ...' on the next line)", v->model, lang_word[have],
		    lang_word[!have], (int)p->say_time.n, p->say_time.s, v->model,
		    lang_code(have == LANG_EN ? LANG_ZH : LANG_EN));
	}
	return scn__fail_at(p, a->line, p->say_col,
	    "caption has %s text but no %s (add 'at %.*s say %s ...' on the "
	    "next line)", lang_word[have], lang_word[!have],
	    (int)p->say_time.n, p->say_time.s, lang_code(have == LANG_EN ? LANG_ZH : LANG_EN));
}

static struct scn_action *add_action(struct scn_parser *p, int64_t at,
				     enum scn_op op)
{
	struct scn *s = p->s;
	struct scn_action *a;

	if ((size_t)s->nactions == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;

		a = realloc(s->actions, cap * sizeof *a);
		if (a == NULL) {
			scn__nomem(p);
			return NULL;
		}
		s->actions = a;
		p->cap = cap;
	}
	a = &s->actions[s->nactions++];
	memset(a, 0, sizeof *a);
	a->at_ns = at;
	a->op = op;
	a->actor = -1;
	a->client = -1;
	a->line = p->lineno;
	return a;
}

static int check_order(struct scn_parser *p, struct scn_tok t, int64_t at)
{
	const struct scn *s = p->s;

	if (s->nactions > 0 && at < s->actions[s->nactions - 1].at_ns)
		return scn__expected(p, t, "a time at or after %.*s (actions are "
		    "in time order)", (int)p->last_time.n, p->last_time.s);
	p->last_time = t;
	return 0;
}

static bool model_word(struct scn_tok t)
{
	if (t.n == 0 || t.n > 32)
		return false;
	for (size_t i = 0; i < t.n; i++)
		if (!((t.s[i] >= 'a' && t.s[i] <= 'z') || (t.s[i] >= '0' && t.s[i] <= '9') ||
		      t.s[i] == '-'))
			return false;
	return true;
}

/* Captions for model m so far, and their bytes in *bytes. */
static int model_captions(const struct scn *s, const char *m, size_t n, size_t *bytes)
{
	int count = 0;

	*bytes = 0;
	for (int i = 0; i < s->nactions; i++)
		for (int j = 0; j < s->actions[i].nvariants; j++) {
			const struct scn_variant *v = &s->actions[i].variants[j];

			if (strlen(v->model) != n || memcmp(v->model, m, n) != 0)
				continue;
			count++;
			for (int l = 0; l < 2; l++)
				*bytes += v->text[l] != NULL ? strlen(v->text[l]) : 0;
		}
	return count;
}

/* The header of a recording holds them all: keep them within its line. */
static int variant_text(struct scn_parser *p, struct scn_variant *v, int lang)
{
	const char *at = scn__skip_blanks(p);
	size_t bytes;
	int rc = scn__text(p, "caption text", true, &v->text[lang], NULL);

	if (rc != 0)
		return rc;
	model_captions(p->s, v->model, strlen(v->model), &bytes);
	if (bytes > SCN_MAX_MODEL_TEXT)
		return scn__fail(p, at, "expected at most %u bytes of captions for "
		    "'%s' in one scenario, got %zu", SCN_MAX_MODEL_TEXT, v->model, bytes);
	return 0;
}

/* A new version of the caption a, for model m, in *out. */
static int add_variant(struct scn_parser *p, struct scn_action *a, struct scn_tok m,
		       struct scn_variant **out)
{
	struct scn_variant *v;
	size_t bytes;

	if (a->nvariants >= SCN_MAX_VARIANTS)
		return scn__expected(p, m, "at most %d versions of one caption", SCN_MAX_VARIANTS);
	for (int i = 0; i < a->nvariants; i++)
		if (strlen(a->variants[i].model) == m.n && memcmp(a->variants[i].model, m.s, m.n) == 0)
			return scn__expected(p, m, "one caption for '%.*s' at this time "
			    "(line %d gives one)", (int)m.n, m.s, a->variants[i].line);
	if (model_captions(p->s, m.s, m.n, &bytes) >= SCN_MAX_MODEL_CAPTIONS)
		return scn__expected(p, m, "at most %d captions for one model", SCN_MAX_MODEL_CAPTIONS);
	v = realloc(a->variants, (size_t)(a->nvariants + 1) * sizeof *v);
	if (v == NULL)
		return scn__nomem(p);
	a->variants = v;
	v = &a->variants[a->nvariants++];
	memset(v, 0, sizeof *v);
	v->line = p->lineno;
	v->model_col = scn__col(p, m.s);
	*out = v;
	return scn__dup(p, m.s, m.n, &v->model, NULL);
}

/* "say for MODEL LANG TEXT": the caption just above (same time), as
 * written for a run on MODEL; two lines, en and zh, like any caption. */
static int parse_say_for(struct scn_parser *p, struct scn_tok when, int64_t at)
{
	struct scn *s = p->s;
	struct scn_tok m = scn__word(p), t;
	struct scn_action *a;
	struct scn_variant *v = NULL;
	int lang, rc;

	if (!model_word(m))
		return scn__expected(p, m, "a model name of a-z, 0-9 and '-' after "
		    "'say for', like nonblocking");
	t = scn__word(p);
	if ((lang = scn__lang(p, t)) < 0)
		return lang;
	if (p->say_open) {
		a = &s->actions[p->say_open - 1];
		v = a->nvariants > 0 ? &a->variants[a->nvariants - 1] : NULL;
		if (v == NULL || v->text[lang] != NULL || a->at_ns != at ||
		    strlen(v->model) != m.n || memcmp(v->model, m.s, m.n) != 0)
			return scn__lone_caption(p);
		p->say_open = 0;
		return variant_text(p, v, lang);
	}
	a = s->nactions > 0 ? &s->actions[s->nactions - 1] : NULL;
	if (a == NULL || a->op != SCN_SAY || a->at_ns != at)
		return scn__expected(p, when, "the caption this one replaces on the "
		    "lines just above, at the same time ('say for MODEL' follows "
		    "'say en' and 'say zh')");
	if ((rc = add_variant(p, a, m, &v)) != 0)
		return rc;
	p->say_open = s->nactions;
	p->say_col = scn__col(p, t.s);
	p->say_time = when;
	return variant_text(p, v, lang);
}

/* One caption is two lines, en and zh, with the same time, in either order. */
static int parse_say(struct scn_parser *p, struct scn_tok when, int64_t at)
{
	struct scn_tok t = scn__word(p);
	int lang, rc;
	struct scn_action *a;

	if (scn__tok_is(t, "for"))
		return parse_say_for(p, when, at);
	if ((lang = scn__lang(p, t)) < 0)
		return lang;
	if (p->say_open) {
		a = &p->s->actions[p->say_open - 1];
		if (a->text[lang] != NULL || a->at_ns != at)
			return scn__lone_caption(p);
		p->say_open = 0;
		return scn__text(p, "caption text", true, &a->text[lang], NULL);
	}
	if ((rc = check_order(p, when, at)) < 0)
		return rc;
	if ((a = add_action(p, at, SCN_SAY)) == NULL)
		return -ENOMEM;
	p->say_open = p->s->nactions;
	p->say_col = scn__col(p, t.s);
	p->say_time = when;
	return scn__text(p, "caption text", true, &a->text[lang], NULL);
}

/* The rest of the line as the bytes of a write or a send. */
static int parse_data(struct scn_parser *p, const char *what,
		      struct scn_action *a)
{
	const char *data = scn__skip_blanks(p);
	int rc;

	if ((rc = scn__text(p, what, false, &a->data, &a->len)) < 0)
		return rc;
	if (a->len > SCN_MAX_DATA)
		return scn__fail(p, data, "expected at most %d bytes of data, "
		    "got %zu", SCN_MAX_DATA, a->len);
	return 0;
}

/* ACTOR or ACTOR.N of a reader, N counted from 1 in the text and from 0 in
 * the action. */
static int parse_target(struct scn_parser *p, int *fd)
{
	struct scn_tok t = scn__word(p), num = { NULL, 0 };
	const char *dot = memchr(t.s, '.', t.n);
	const struct scn_actor *a;
	int i, n;

	if (dot != NULL) {
		num.s = dot;
		num.n = t.n - (size_t)(dot - t.s);
		t.n = (size_t)(dot - t.s);
	}
	if ((i = scn__declared_actor(p, t)) < 0)
		return i;
	a = &p->s->actors[i];
	if (a->role == SCN_ROLE_SERVER)
		return scn__expected(p, t, "a reader actor ('%s' is a server: "
		    "use connect/send/hangup/reset)", a->name);
	*fd = 0;
	if (dot == NULL)
		return i;
	n = scn__number((struct scn_tok){ dot + 1, num.n - 1 }, SCN_MAX_FDS);
	if (n < 1 || n > a->nfds)
		return scn__expected(p, num, "an fd number from 1 to %d after "
		    "'%s' (it has fds=%d)", a->nfds, a->name, a->nfds);
	*fd = n - 1;
	return i;
}

static int parse_write(struct scn_parser *p, int64_t at, enum scn_op op)
{
	struct scn_action *a;
	int i, fd;

	if ((i = parse_target(p, &fd)) < 0)
		return i;
	if ((a = add_action(p, at, op)) == NULL)
		return -ENOMEM;
	a->actor = i;
	a->fd = fd;
	return parse_data(p, "data to write", a);
}

static int parse_close(struct scn_parser *p, int64_t at, enum scn_op op)
{
	struct scn_action *a;
	int i, fd;

	if ((i = parse_target(p, &fd)) < 0)
		return i;
	if ((a = add_action(p, at, op)) == NULL)
		return -ENOMEM;
	a->actor = i;
	a->fd = fd;
	return scn__end(p);
}

static int find_client(const struct scn *s, struct scn_tok t)
{
	for (int i = 0; i < s->nclients; i++)
		if (scn__tok_is(t, s->clients[i]))
			return i;
	return -1;
}

/* A client named at t that may connect now: new (*c is -1) or no longer
 * connected (*c is its index). */
static int free_client(struct scn_parser *p, struct scn_tok t, int *c)
{
	const struct scn *s = p->s;
	int i;

	if (!scn__lower_name(t, CLIENT_NAME_MAX, "_"))
		return scn__expected(p, t, "a client name of 1 to %d characters "
		    "a-z, 0-9 or '_'", CLIENT_NAME_MAX);
	if ((i = find_client(s, t)) >= 0 && p->client[i].server >= 0)
		return scn__expected(p, t, "a client that is not connected "
		    "('%s' connected to %s on line %d)", s->clients[i],
		    s->actors[p->client[i].server].name, p->client[i].line);
	if (i < 0 && s->nclients == SCN_MAX_CLIENTS)
		return scn__expected(p, t, "at most %d clients",
		    SCN_MAX_CLIENTS);
	*c = i;
	return 0;
}

static int server_actor(struct scn_parser *p)
{
	struct scn_tok t = scn__word(p);
	int i;

	if (!scn__tok_is(t, "to"))
		return scn__expected(p, t, "'to' and a server actor");
	t = scn__word(p);
	if ((i = scn__declared_actor(p, t)) < 0)
		return i;
	if (p->s->actors[i].role != SCN_ROLE_SERVER)
		return scn__expected(p, t, "a server actor ('%s' has no "
		    "role=server)", p->s->actors[i].name);
	return i;
}

/* connect CLIENT to ACTOR: the first connect of a name declares it. */
static int parse_connect(struct scn_parser *p, int64_t at, enum scn_op op)
{
	struct scn *s = p->s;
	struct scn_tok name = scn__word(p);
	struct scn_action *a;
	int c = -1, i, rc;

	if ((rc = free_client(p, name, &c)) < 0)
		return rc;
	if ((i = server_actor(p)) < 0)
		return i;
	if (c < 0) {
		c = s->nclients;
		if (scn__dup(p, name.s, name.n, &s->clients[c], NULL) < 0)
			return -ENOMEM;
		s->nclients++;
	}
	if ((a = add_action(p, at, op)) == NULL)
		return -ENOMEM;
	a->client = c;
	a->actor = i;
	p->client[c] = (struct scn_client_state){ i, p->lineno, op };
	return scn__end(p);
}

/* A client that is connected at this point of the script. */
static int connected_client(struct scn_parser *p)
{
	const struct scn *s = p->s;
	struct scn_tok t = scn__word(p);
	const struct scn_client_state *cs;
	int c = find_client(s, t);

	if (c < 0)
		return scn__expected(p, t, "the name of a client connected "
		    "above with 'at TIME connect CLIENT to ACTOR'");
	cs = &p->client[c];
	if (cs->server < 0)
		return scn__expected(p, t, "a connected client ('%s' %s on line "
		    "%d; connect it again first)", s->clients[c],
		    cs->last == SCN_RESET ? "was reset" : "hung up", cs->line);
	return c;
}

/* send, hangup, reset, pause and resume: the action reaches the client's
 * server (pause and resume: the client stops reading, or reads again). */
static int parse_client_action(struct scn_parser *p, int64_t at,
			       enum scn_op op)
{
	struct scn_client_state *cs;
	struct scn_action *a;
	int c;

	if ((c = connected_client(p)) < 0)
		return c;
	if ((a = add_action(p, at, op)) == NULL)
		return -ENOMEM;
	cs = &p->client[c];
	a->client = c;
	a->actor = cs->server;
	if (op == SCN_SEND)
		return parse_data(p, "data to send", a);
	if (op == SCN_PAUSE || op == SCN_RESUME)
		return scn__end(p);
	*cs = (struct scn_client_state){ -1, p->lineno, op };
	return scn__end(p);
}

int scn__parse_at(struct scn_parser *p)
{
	static const struct {
		const char *word;
		enum scn_op op;
		int (*fn)(struct scn_parser *, int64_t, enum scn_op);
	} verbs[] = {
		{ "write", SCN_WRITE, parse_write },
		{ "close", SCN_CLOSE, parse_close },
		{ "connect", SCN_CONNECT, parse_connect },
		{ "send", SCN_SEND, parse_client_action },
		{ "hangup", SCN_HANGUP, parse_client_action },
		{ "reset", SCN_RESET, parse_client_action },
		{ "pause", SCN_PAUSE, parse_client_action },
		{ "resume", SCN_RESUME, parse_client_action },
	};
	struct scn_tok when = scn__word(p), verb;
	int64_t at;
	int rc;

	if ((rc = scn__time(p, when, &at)) < 0)
		return rc;
	verb = scn__word(p);
	if (scn__tok_is(verb, "say"))
		return parse_say(p, when, at);
	if (p->say_open)
		return scn__lone_caption(p);
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
		if (!scn__tok_is(verb, verbs[i].word))
			continue;
		if ((rc = check_order(p, when, at)) < 0)
			return rc;
		return verbs[i].fn(p, at, verbs[i].op);
	}
	return scn__expected(p, verb, "an action: say, write, close, connect, "
	    "send, hangup, reset, pause or resume");
}
