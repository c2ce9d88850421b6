/* scn.c: the scenario grammar (one handler per keyword; "at" lines are in
 * scn_action.c), actors and their options, and the public API.
 *
 * scn_lex.c checks the whole text first (size, NUL bytes, UTF-8, control
 * characters) and then hands it over a line at a time; scn_load reads the
 * file (trace/file.h) and parses it here.  Every string lands in its own
 * allocation owned by struct scn, and a half-built scn is freed by scn_free,
 * so a handler can simply return its error.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scenarios/scn.h"
#include "scenarios/scn_lex.h"
#include "trace/file.h"
#include "trace/lang.h"

#define SCN_NAME_MAX   32
#define ACTOR_NAME_MAX 15
#define MODEL_NAME_MAX 32

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static int find_actor(const struct scn *s, struct scn_tok t)
{
	for (int i = 0; i < s->nactors; i++)
		if (scn__tok_is(t, s->actors[i].name))
			return i;
	return -1;
}

int scn__lang(struct scn_parser *p, struct scn_tok t)
{
	if (scn__tok_is(t, lang_code(LANG_EN)))
		return LANG_EN;
	if (scn__tok_is(t, lang_code(LANG_ZH)))
		return LANG_ZH;
	return scn__expected(p, t, "a language, en or zh");
}

static int dup_tok(struct scn_parser *p, struct scn_tok t, char **out)
{
	return scn__dup(p, t.s, t.n, out, NULL);
}

static int parse_scenario(struct scn_parser *p)
{
	struct scn_tok t;

	if (p->s->name != NULL)
		return scn__fail(p, p->kw.s, "expected one 'scenario' line, got "
		    "a second (the first is on line %d)", p->scenario_line);
	t = scn__word(p);
	if (!scn__lower_name(t, SCN_NAME_MAX, "_-"))
		return scn__expected(p, t, "a scenario name of 1 to %d "
		    "characters a-z, 0-9, '_' or '-'", SCN_NAME_MAX);
	p->scenario_line = p->lineno;
	if (dup_tok(p, t, &p->s->name) < 0)
		return -ENOMEM;
	return scn__end(p);
}

static int parse_title(struct scn_parser *p)
{
	struct scn_tok t = scn__word(p);
	int lang = scn__lang(p, t);

	if (lang < 0)
		return lang;
	if (p->s->title[lang] != NULL)
		return scn__fail(p, t.s, "expected one 'title %s' line, got a "
		    "second (the first is on line %d)", lang_code(lang),
		    p->title_line[lang]);
	p->title_line[lang] = p->lineno;
	return scn__text(p, "title text", false, &p->s->title[lang], NULL);
}

static int check_actor_name(struct scn_parser *p, struct scn_tok t)
{
	const struct scn *s = p->s;
	int i;

	for (i = 0; i < (int)t.n && (is_alnum(t.s[i]) || t.s[i] == '_'); i++)
		;
	if (t.n == 0 || t.n > ACTOR_NAME_MAX || i != (int)t.n)
		return scn__expected(p, t, "an actor name of 1 to %d letters, "
		    "digits or '_'", ACTOR_NAME_MAX);
	if (scn__tok_is(t, "world"))
		return scn__expected(p, t, "an actor name other than 'world' "
		    "(the world is the scenario's own actor)");
	if ((i = find_actor(s, t)) >= 0)
		return scn__expected(p, t, "a new actor name ('%s' is already "
		    "declared on line %d)", s->actors[i].name, s->actors[i].line);
	if (s->nactors == SCN_MAX_ACTORS)
		return scn__expected(p, t, "at most %d actors", SCN_MAX_ACTORS);
	return 0;
}

static int parse_fds(struct scn_parser *p, struct scn_tok opt,
		     struct scn_tok val, struct scn_actor *a)
{
	int n = scn__number(val, SCN_MAX_FDS);

	if (n < 1)
		return scn__expected(p, opt, "fds=N with N from 1 to %d",
		    SCN_MAX_FDS);
	a->nfds = n;
	return 0;
}

static int parse_every(struct scn_parser *p, struct scn_tok opt,
		       struct scn_tok val, struct scn_actor *a)
{
	int rc = scn__time(p, val, &a->every_ns);

	(void)opt;
	if (rc < 0)
		return rc;
	/* The screen shows times to the millisecond: two tries closer than
	 * that look like one, and a pause of a few ns only fills the trace. */
	if (a->every_ns < SCN_MIN_EVERY_NS)
		return scn__expected(p, val, "a pause of at least 1ms after "
		    "'every=' (the screen shows times to the millisecond)");
	return 0;
}

static int parse_chunk(struct scn_parser *p, struct scn_tok opt,
		       struct scn_tok val, struct scn_actor *a)
{
	int n = scn__number(val, SCN_MAX_CHUNK);

	if (n < 1)
		return scn__expected(p, opt, "chunk=N with N from 1 to %d",
		    SCN_MAX_CHUNK);
	a->chunk = n;
	return 0;
}

static int parse_drain(struct scn_parser *p, struct scn_tok opt,
		       struct scn_tok val, struct scn_actor *a)
{
	a->drain = scn__tok_is(val, "yes") ? 1 : scn__tok_is(val, "no") ? 0 :
	    -1;
	if (a->drain < 0)
		return scn__expected(p, opt, "drain=yes or drain=no");
	return 0;
}

static int parse_low(struct scn_parser *p, struct scn_tok opt,
		     struct scn_tok val, struct scn_actor *a)
{
	int n = scn__number(val, SCN_MAX_LOW_FD);

	if (n < 0)
		return scn__expected(p, opt, "low=N with N from 0 to %d",
		    SCN_MAX_LOW_FD);
	a->low_fd = n;
	return 0;
}

static int parse_sockbuf(struct scn_parser *p, struct scn_tok opt,
			 struct scn_tok val, struct scn_actor *a)
{
	int n = scn__number(val, SCN_MAX_SOCKBUF);

	if (n < SCN_MIN_SOCKBUF)
		return scn__expected(p, opt, "sockbuf=N with N from %d to %d",
		    SCN_MIN_SOCKBUF, SCN_MAX_SOCKBUF);
	a->sockbuf = n;
	return 0;
}

static int parse_role(struct scn_parser *p, struct scn_tok opt,
		      struct scn_tok val, struct scn_actor *a)
{
	if (scn__tok_is(val, "reader"))
		a->role = SCN_ROLE_READER;
	else if (scn__tok_is(val, "server"))
		a->role = SCN_ROLE_SERVER;
	else
		return scn__expected(p, opt, "role=reader or role=server");
	return 0;
}

static int parse_serve(struct scn_parser *p, struct scn_tok opt,
		       struct scn_tok val, struct scn_actor *a)
{
	if (scn__tok_is(val, "echo"))
		a->serve = SCN_SERVE_ECHO;
	else if (scn__tok_is(val, "chat"))
		a->serve = SCN_SERVE_CHAT;
	else
		return scn__expected(p, opt, "serve=echo or serve=chat");
	return 0;
}

static int parse_workers(struct scn_parser *p, struct scn_tok opt,
			 struct scn_tok val, struct scn_actor *a)
{
	int n = scn__number(val, SCN_MAX_WORKERS);

	if (n < 1)
		return scn__expected(p, opt, "workers=N with N from 1 to %d",
		    SCN_MAX_WORKERS);
	a->workers = n;
	return 0;
}

static int parse_queue(struct scn_parser *p, struct scn_tok opt,
		       struct scn_tok val, struct scn_actor *a)
{
	int n = scn__number(val, SCN_MAX_QUEUE);

	if (n < 1)
		return scn__expected(p, opt, "queue=N with N from 1 to %d",
		    SCN_MAX_QUEUE);
	a->queue = n;
	return 0;
}

static int parse_work(struct scn_parser *p, struct scn_tok opt,
		      struct scn_tok val, struct scn_actor *a)
{
	int rc = scn__time(p, val, &a->work_ns);

	(void)opt;
	if (rc < 0)
		return rc;
	if (a->work_ns > SCN_MAX_WORK_NS)
		return scn__expected(p, val, "a time of at most %llds after "
		    "'work='", SCN_MAX_WORK_NS / 1000000000LL);
	return 0;
}

static const struct {
	const char *key;
	int (*fn)(struct scn_parser *, struct scn_tok, struct scn_tok,
		  struct scn_actor *);
	int server_only;
} options[] = {
	{ "fds", parse_fds, 0 }, { "every", parse_every, 0 },
	{ "chunk", parse_chunk, 0 }, { "drain", parse_drain, 0 },
	{ "low", parse_low, 0 }, { "role", parse_role, 0 },
	{ "sockbuf", parse_sockbuf, 1 }, { "serve", parse_serve, 1 },
	{ "workers", parse_workers, 1 }, { "queue", parse_queue, 1 },
	{ "work", parse_work, 1 },
};

/* KEY=VALUE at t: the index of KEY in options (or -1), and *val. */
static int find_option(struct scn_tok t, struct scn_tok *val)
{
	const char *eq = memchr(t.s, '=', t.n);
	struct scn_tok key = { t.s, 0 };

	if (eq == NULL)
		return -1;
	key.n = (size_t)(eq - t.s);
	*val = (struct scn_tok){ eq + 1, t.n - key.n - 1 };
	for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
		if (scn__tok_is(key, options[i].key))
			return (int)i;
	return -1;
}

/* Each option at most once, in any order.  A server has no fds of its
 * own, whichever of fds= and role=server comes first; a reader has none
 * of a server's options (the first one written is named). */
static int parse_options(struct scn_parser *p, struct scn_actor *a)
{
	struct scn_tok fds = { NULL, 0 }, only = { NULL, 0 };
	unsigned seen = 0;

	for (;;) {
		struct scn_tok t = scn__word(p), val;
		int i, rc;

		if (t.n == 0)
			break;
		if ((i = find_option(t, &val)) < 0)
			return scn__expected(p, t, "an option fds=N, every=TIME, "
			    "chunk=N, drain=yes|no, low=N, role=reader|server, "
			    "sockbuf=N, serve=echo|chat, workers=N, queue=N or "
			    "work=TIME");
		if (seen & 1u << i)
			return scn__expected(p, t, "each option at most once");
		seen |= 1u << i;
		if ((rc = options[i].fn(p, t, val, a)) < 0)
			return rc;
		if (options[i].fn == parse_fds)
			fds = t;
		if (options[i].server_only && only.n == 0)
			only = t;
		if (fds.n != 0 && a->role == SCN_ROLE_SERVER)
			return scn__fail(p, fds.s, "a server actor has no fds= "
			    "(clients connect to it)");
	}
	if (a->role == SCN_ROLE_SERVER)
		a->nfds = 0;
	else if (only.n != 0)
		return scn__expected(p, only, "%.*s on a server actor only "
		    "(add role=server)",
		    (int)((const char *)memchr(only.s, '=', only.n) - only.s + 1),
		    only.s);
	return 0;
}

static int parse_actor(struct scn_parser *p)
{
	struct scn *s = p->s;
	struct scn_tok name = scn__word(p), model;
	struct scn_actor *a;
	int rc;

	if ((rc = check_actor_name(p, name)) < 0)
		return rc;
	model = scn__word(p);
	if (!scn__lower_name(model, MODEL_NAME_MAX, "-"))
		return scn__expected(p, model, "a model name of a-z, 0-9 and "
		    "'-', like blocking");
	a = &s->actors[s->nactors++];
	a->nfds = 1;
	a->drain = -1;
	a->line = p->lineno;
	a->col = scn__col(p, name.s);
	a->model_col = scn__col(p, model.s);
	if (dup_tok(p, name, &a->name) < 0 || dup_tok(p, model, &a->model) < 0)
		return -ENOMEM;
	return parse_options(p, a);
}

int scn__declared_actor(struct scn_parser *p, struct scn_tok t)
{
	int i = find_actor(p->s, t);

	if (i < 0)
		return scn__expected(p, t, "the name of an actor declared above "
		    "with an 'actor' line");
	return i;
}

static int parse_label(struct scn_parser *p)
{
	int i = scn__declared_actor(p, scn__word(p)), lang;
	struct scn_tok t;

	if (i < 0)
		return i;
	t = scn__word(p);
	if ((lang = scn__lang(p, t)) < 0)
		return lang;
	if (p->s->actors[i].label[lang] != NULL)
		return scn__fail(p, t.s, "expected one 'label %s %s' line, got a "
		    "second (the first is on line %d)", p->s->actors[i].name,
		    lang_code(lang), p->label_line[i][lang]);
	p->label_line[i][lang] = p->lineno;
	return scn__text(p, "label text", false, &p->s->actors[i].label[lang], NULL);
}

static int parse_line(struct scn_parser *p)
{
	static const struct {
		const char *word;
		int (*fn)(struct scn_parser *);
	} kw[] = {
		{ "scenario", parse_scenario }, { "title", parse_title },
		{ "actor", parse_actor }, { "label", parse_label },
		{ "at", scn__parse_at },
	};
	struct scn_tok t = scn__word(p);

	if (t.n == 0)
		return 0;       /* blank line or comment */
	p->kw = t;
	if (p->say_open && !scn__tok_is(t, "at"))
		return scn__lone_caption(p);
	if (p->s->name == NULL && !scn__tok_is(t, "scenario"))
		return scn__expected(p, t, "'scenario NAME' before anything else");
	for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
		if (scn__tok_is(t, kw[i].word))
			return kw[i].fn(p);
	return scn__expected(p, t, "a keyword: scenario, title, actor, label "
	    "or at");
}

/* Absent strings (titles, labels, a caption's data, a write's text) become
 * "" so callers never meet NULL. */
static int fill_empty(struct scn_parser *p, char **field)
{
	if (*field != NULL)
		return 0;
	return scn__dup(p, "", 0, field, NULL);
}

static int finish(struct scn_parser *p)
{
	struct scn *s = p->s;
	int last = p->lineno > 0 ? p->lineno : 1;
	int rc = 0;

	if (p->say_open)
		return scn__lone_caption(p);
	if (s->name == NULL)
		return scn__fail_at(p, last, 1, "expected a 'scenario NAME' "
		    "line, got end of file");
	if (s->nactors == 0)
		return scn__fail_at(p, last, 1, "expected at least one 'actor' "
		    "line, got end of file");
	for (int l = 0; l < 2 && rc == 0; l++) {
		rc = fill_empty(p, &s->title[l]);
		for (int i = 0; i < s->nactors && rc == 0; i++)
			rc = fill_empty(p, &s->actors[i].label[l]);
	}
	for (int i = 0; i < s->nactions && rc == 0; i++) {
		struct scn_action *a = &s->actions[i];

		if ((rc = fill_empty(p, &a->data)) == 0 &&
		    (rc = fill_empty(p, &a->text[0])) == 0)
			rc = fill_empty(p, &a->text[1]);
	}
	return rc;
}

int scn_parse(const char *path, const char *text, size_t len,
	      struct scn **out, char *cause, size_t causelen)
{
	struct scn_parser p;
	int rc;

	if (out == NULL || (text == NULL && len > 0))
		return -EINVAL;
	*out = NULL;
	memset(&p, 0, sizeof p);
	p.path = path != NULL ? path : "-";
	p.cause = cause;
	p.causelen = causelen;
	if ((p.s = calloc(1, sizeof *p.s)) == NULL)
		return scn__nomem(&p);
	rc = scn__dup(&p, p.path, strlen(p.path), &p.s->path, NULL);
	if (rc == 0)
		rc = scn__begin(&p, text, len);
	while (rc == 0 && scn__next_line(&p))
		rc = parse_line(&p);
	if (rc == 0)
		rc = finish(&p);
	if (rc < 0) {
		scn_free(p.s);
		return rc;
	}
	*out = p.s;
	return 0;
}

/* The file is read by file_read_whole: regular files only (a FIFO cannot
 * hang it, /dev/zero cannot feed it), at most SCN_MAX_FILE + 1 bytes. */
int scn_load(const char *path, struct scn **out, char *cause, size_t causelen)
{
	char *buf;
	size_t len;
	int rc;

	if (out == NULL || path == NULL)
		return -EINVAL;
	*out = NULL;
	rc = file_read_whole(path, SCN_MAX_FILE, "scenario", 0, &buf, &len,
	    cause, causelen);
	if (rc == -ENODATA)
		return -EINVAL;         /* an empty file: a bad scenario */
	if (rc != 0)
		return rc;
	rc = scn_parse(path, buf, len, out, cause, causelen);
	free(buf);
	return rc;
}

int scn_check_models(const struct scn *s, int (*known)(const char *name),
		     const char *list, char *cause, size_t causelen)
{
	if (s == NULL || known == NULL)
		return -EINVAL;
	for (int i = 0; i < s->nactors; i++) {
		const struct scn_actor *a = &s->actors[i];

		if (known(a->model))
			continue;
		scn__cause(cause, causelen, "%s:%d:%d: unknown model '%s' "
		    "(expected one of: %s)", s->path, a->line, a->model_col,
		    a->model, list != NULL ? list : "");
		return -EINVAL;
	}
	for (int i = 0; i < s->nactions; i++)
		for (int j = 0; j < s->actions[i].nvariants; j++) {
			const struct scn_variant *v = &s->actions[i].variants[j];

			if (known(v->model))
				continue;
			scn__cause(cause, causelen, "%s:%d:%d: unknown model '%s' "
			    "(expected one of: %s)", s->path, v->line, v->model_col,
			    v->model, list != NULL ? list : "");
			return -EINVAL;
		}
	return 0;
}

const struct scn_variant *scn_variant_for(const struct scn_action *a, const char *model)
{
	if (a == NULL || model == NULL)
		return NULL;
	for (int i = 0; i < a->nvariants; i++)
		if (strcmp(a->variants[i].model, model) == 0)
			return &a->variants[i];
	return NULL;
}

void scn_free(struct scn *s)
{
	if (s == NULL)
		return;
	free(s->path);
	free(s->name);
	for (int l = 0; l < 2; l++) {
		free(s->title[l]);
		for (int i = 0; i < s->nactors; i++)
			free(s->actors[i].label[l]);
	}
	for (int i = 0; i < s->nactors; i++) {
		free(s->actors[i].name);
		free(s->actors[i].model);
	}
	for (int i = 0; i < s->nactions; i++) {
		free(s->actions[i].data);
		free(s->actions[i].text[0]);
		free(s->actions[i].text[1]);
		for (int v = 0; v < s->actions[i].nvariants; v++) {
			free(s->actions[i].variants[v].model);
			free(s->actions[i].variants[v].text[0]);
			free(s->actions[i].variants[v].text[1]);
		}
		free(s->actions[i].variants);
	}
	free(s->actions);
	for (int i = 0; i < s->nclients; i++)
		free(s->clients[i]);
	free(s);
}

int64_t scn_duration(const struct scn *s)
{
	if (s == NULL || s->nactions == 0)
		return 0;
	return s->actions[s->nactions - 1].at_ns;
}
