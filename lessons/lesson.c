/* lesson.c: Markdown in, sections and blocks out, through md4c. */
#include <errno.h>
#include <stdbool.h>
#include <md4c.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lessons/lesson.h"
#include "trace/file.h"

struct buf {
	char *s;
	size_t n, cap;
};

struct parse {
	const char *text;          /* the whole input, for line numbers */
	size_t size;
	struct lesson *l;
	struct buf cur;            /* text of the block being read */
	int in_heading;            /* its level, 0 outside */
	int in_code;               /* 1 in a fenced block we read, 2 in one we skip */
	char info[16];             /* that block's info string */
	int block_line;
	int list_depth;
	unsigned next[8];          /* per list depth: an ordered list's next
	                              number, 0 for a bulleted one */
	bool item_open;            /* an item's first block is not out yet */
	int err;
	char *cause;
	size_t causelen;
};

static int buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = (b->n + n + 1) * 2;
		char *p = realloc(b->s, cap);

		if (p == NULL)
			return -ENOMEM;
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
	return 0;
}

static char *buf_take(struct buf *b)
{
	char *s = b->s ? b->s : strdup("");

	*b = (struct buf){ 0 };
	return s;
}

static int line_of(const struct parse *p, const char *at)
{
	int line = 1;

	if (at < p->text || at > p->text + p->size)
		return 0;
	for (const char *c = p->text; c < at; c++)
		line += *c == '\n';
	return line;
}

static int fail(struct parse *p, int line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	file_cause_cut(msg, sizeof msg);
	if (p->err == 0) {
		snprintf(p->cause, p->causelen, "%s:%d: %s", p->l->path, line, msg);
		file_cause_cut(p->cause, p->causelen);
		p->err = -EINVAL;
	}
	return 1;                 /* non-zero stops md4c */
}

static struct lesson_section *section(struct parse *p)
{
	return p->l->nsections > 0 ? &p->l->sections[p->l->nsections - 1] : NULL;
}

static int new_section(struct parse *p, char *heading, int line)
{
	struct lesson *l = p->l;
	struct lesson_section *s = realloc(l->sections, (size_t)(l->nsections + 1) * sizeof *s);

	if (s == NULL)
		return -ENOMEM;
	l->sections = s;
	s[l->nsections++] = (struct lesson_section){ .heading = heading, .text = strdup(""),
						     .line = line };
	return s[l->nsections - 1].text ? 0 : -ENOMEM;
}

/* Append a paragraph (or list item) to the current section's text. */
static int add_text(struct parse *p, const char *prefix)
{
	struct lesson_section *s = section(p);
	struct buf b = { 0 };
	char *t;

	if (p->cur.n == 0)
		return 0;
	if (s == NULL) {                  /* an introduction, before any '## ' */
		char *h = strdup("");

		if (h == NULL || new_section(p, h, p->block_line) != 0)
			return -ENOMEM;
		s = section(p);
	}
	t = buf_take(&p->cur);
	if (buf_add(&b, s->text, strlen(s->text)) || (*s->text && buf_add(&b, "\n\n", 2)) ||
	    buf_add(&b, prefix, strlen(prefix)) || buf_add(&b, t, strlen(t))) {
		free(t);
		free(b.s);
		return -ENOMEM;
	}
	free(t);
	free(s->text);
	s->text = buf_take(&b);
	return 0;
}

static char *dup_trim(const char *s, size_t n)
{
	char *out;

	while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	out = malloc(n + 1);
	if (out != NULL) {
		memcpy(out, s, n);
		out[n] = '\0';
	}
	return out;
}

static int set_pause(struct parse *p, struct lesson_block *b, int line, const char *val)
{
	char *e;
	long v = strtol(val, &e, 10);

	if (*val == '\0' || *e != '\0' || v < 0 || v > 10000)
		return fail(p, line, "expected pause: a step number (0 or more)");
	b->pause = (int)v;
	return 0;
}

/* show: pane names, separated by commas or spaces. */
static int set_show(struct parse *p, struct lesson_block *b, int line, const char *val)
{
	static const struct { const char *name; unsigned pane; } panes[] = {
		{ "lanes", LESSON_PANE_LANES }, { "kernel", LESSON_PANE_KERNEL },
		{ "select", LESSON_PANE_MUX }, { "poll", LESSON_PANE_MUX }, { "epoll", LESSON_PANE_MUX },
		{ "story", LESSON_PANE_STORY },
	};

	if (b->show != 0)
		return fail(p, line, "unknown or repeated key 'show' (expected scenario, model, pause, point or show)");
	while (*val != '\0') {
		size_t n = strcspn(val, ", "), i;

		for (i = 0; i < sizeof panes / sizeof panes[0]; i++)
			if (n > 0 && strlen(panes[i].name) == n && strncmp(val, panes[i].name, n) == 0)
				break;
		if (n > 0 && i == sizeof panes / sizeof panes[0])
			return fail(p, line, "expected show: panes among lanes, kernel, select, poll, epoll, story; got '%.*s'",
				    lesson__shown(val, (int)(n < 40 ? n : 40)), val);
		if (n > 0)
			b->show |= panes[i].pane;
		val += n + (val[n] != '\0');
	}
	if (b->show == 0)
		return fail(p, line, "expected show: one pane or more (lanes, kernel, select, poll, epoll, story)");
	return 0;
}

/* One "key: value" line; takes *val when it keeps it. */
static int set_key(struct parse *p, struct lesson_block *b, int line, const char *key,
		   char **val)
{
	char why[300], **slot = NULL;
	int rc = 0;

	if (b->kind == LB_RUN && strcmp(key, "scenario") == 0)
		slot = &b->scenario, rc = lesson__run_name(key, *val, why, sizeof why);
	else if (b->kind == LB_RUN && strcmp(key, "model") == 0)
		slot = &b->model, rc = lesson__run_name(key, *val, why, sizeof why);
	else if (b->kind == LB_RUN && strcmp(key, "point") == 0)
		slot = &b->point;
	else if (b->kind == LB_RUN && strcmp(key, "pause") == 0)
		return set_pause(p, b, line, *val);
	else if (b->kind == LB_RUN && strcmp(key, "show") == 0)
		return set_show(p, b, line, *val);
	else if (b->kind == LB_CODE && strcmp(key, "file") == 0)
		slot = &b->file, rc = lesson__code_file(*val, why, sizeof why);
	else if (b->kind == LB_CODE && strcmp(key, "marker") == 0)
		slot = &b->marker, rc = lesson__code_marker(*val, why, sizeof why);
	if (slot == NULL || **slot != '\0')
		return fail(p, line, "unknown or repeated key '%s' (expected %s)", key,
			    b->kind == LB_RUN ? "scenario, model, pause, point or show" : "file or marker");
	if (rc != 0)
		return fail(p, line, "%s", why);
	free(*slot);
	*slot = *val;
	*val = NULL;
	return 0;
}

/* "key: value" lines of an ioscope or code block. */
static int block_keys(struct parse *p, struct lesson_block *b, const char *body)
{
	int line = b->line + 1;          /* the line after the fence */

	for (const char *s = body; *s != '\0'; line++) {
		const char *end = strchr(s, '\n'), *colon;
		size_t n = end ? (size_t)(end - s) : strlen(s);
		char *key, *val;
		int rc;

		colon = memchr(s, ':', n);
		if (n == 0 || (n == 1 && *s == '\r')) {
			s += n + (end != NULL);
			continue;
		}
		if (colon == NULL) {
			size_t k = n - (s[n - 1] == '\r');     /* a CRLF file */

			return fail(p, line, "expected 'key: value', got '%.*s'",
				    lesson__shown(s, (int)(k < 80 ? k : 80)), s);
		}
		key = dup_trim(s, (size_t)(colon - s));
		val = dup_trim(colon + 1, n - (size_t)(colon - s) - 1);
		rc = key == NULL || val == NULL ? -ENOMEM : set_key(p, b, line, key, &val);
		free(key);
		free(val);
		if (rc != 0)
			return rc;
		s += n + (end != NULL);
	}
	if (b->kind == LB_RUN && !*b->scenario)
		return fail(p, b->line, "expected 'scenario: NAME' in the ioscope block");
	if (b->kind == LB_CODE && (!*b->file || !*b->marker))
		return fail(p, b->line, "expected 'file:' and 'marker:' in the code block");
	return 0;
}

static int block_predict(struct parse *p, struct lesson_block *b, const char *body)
{
	const char *sep = strstr(body, "\n---");

	if (strncmp(body, "---", 3) == 0)
		sep = body - 1;
	if (sep == NULL)
		return fail(p, b->line, "expected a question, a line '---', then the answer");
	b->question = dup_trim(body, (size_t)(sep + 1 - body));
	b->answer = dup_trim(sep + 4, strlen(sep + 4));
	if (b->question == NULL || b->answer == NULL)
		return -ENOMEM;
	if (!*b->question || !*b->answer)
		return fail(p, b->line, "expected a question before '---' and an answer after it");
	return 0;
}

static int end_block(struct parse *p)
{
	struct lesson_section *s = section(p);
	struct lesson_block *b, *nb;
	char *body = buf_take(&p->cur);
	int rc;

	if (body == NULL)
		return -ENOMEM;
	if (s == NULL) {
		char *h = strdup("");

		if (h == NULL || new_section(p, h, p->block_line) != 0) {
			free(body);
			return -ENOMEM;
		}
		s = section(p);
	}
	nb = realloc(s->blocks, (size_t)(s->nblocks + 1) * sizeof *nb);
	if (nb == NULL) {
		free(body);
		return -ENOMEM;
	}
	s->blocks = nb;
	b = &nb[s->nblocks++];
	*b = (struct lesson_block){
		.kind = strcmp(p->info, "ioscope") == 0 ? LB_RUN :
			strcmp(p->info, "predict") == 0 ? LB_PREDICT : LB_CODE,
		.line = p->block_line, .scenario = strdup(""), .model = strdup(""),
		.point = strdup(""), .question = strdup(""), .answer = strdup(""),
		.file = strdup(""), .marker = strdup(""),
	};
	if (b->kind == LB_PREDICT) {
		free(b->question), free(b->answer);
		b->question = b->answer = NULL;
		rc = block_predict(p, b, body);
	} else {
		rc = block_keys(p, b, body);
	}
	if (b->kind == LB_RUN && lesson_run(s) != b)
		rc = fail(p, b->line, "expected at most one ioscope block per section");
	free(body);
	return rc;
}

static int enter_block_cb(MD_BLOCKTYPE type, void *detail, void *arg)
{
	struct parse *p = arg;

	if (type == MD_BLOCK_H) {
		p->in_heading = (int)((MD_BLOCK_H_DETAIL *)detail)->level;
		p->block_line = 0;
	} else if (type == MD_BLOCK_CODE) {
		MD_BLOCK_CODE_DETAIL *d = detail;
		size_t n = d->info.size < sizeof p->info - 1 ? d->info.size : sizeof p->info - 1;

		memcpy(p->info, d->info.text ? d->info.text : "", d->info.text ? n : 0);
		p->info[d->info.text ? n : 0] = '\0';
		p->in_code = strcmp(p->info, "ioscope") == 0 || strcmp(p->info, "predict") == 0 ||
			     strcmp(p->info, "code") == 0 ? 1 : 2;
		p->block_line = 0;
	} else if (type == MD_BLOCK_UL || type == MD_BLOCK_OL) {
		if (p->list_depth < (int)(sizeof p->next / sizeof p->next[0]))
			p->next[p->list_depth] = type == MD_BLOCK_OL ?
				((MD_BLOCK_OL_DETAIL *)detail)->start : 0;
		p->list_depth++;
	} else if (type == MD_BLOCK_P || type == MD_BLOCK_LI) {
		p->block_line = 0;
		p->item_open |= type == MD_BLOCK_LI;
	}
	return 0;
}

/* A list item's text: "3. " for an ordered list's item (its first block),
 * "• " else.  A number past 9999 (a hostile file) is shown as a bullet. */
static int add_item(struct parse *p)
{
	int d = p->list_depth - 1;
	unsigned *next = d >= 0 && d < (int)(sizeof p->next / sizeof p->next[0]) ? &p->next[d] : NULL;
	char num[16];
	int rc;

	if (next == NULL || *next == 0 || *next > 9999 || !p->item_open)
		return add_text(p, "• ");
	snprintf(num, sizeof num, "%u. ", *next);
	rc = add_text(p, num);
	(*next)++;
	p->item_open = false;
	return rc;
}

static int leave_block_cb(MD_BLOCKTYPE type, void *detail, void *arg)
{
	struct parse *p = arg;
	int rc = 0;

	(void)detail;
	if (type == MD_BLOCK_H) {
		char *t = buf_take(&p->cur);
		int level = p->in_heading;

		p->in_heading = 0;
		if (t == NULL)
			return -ENOMEM;
		if (level == 1 && p->l->title == NULL && p->l->nsections == 0)
			p->l->title = t;
		else if (level == 2)
			rc = new_section(p, t, p->block_line);
		else {
			rc = add_text(p, "");     /* other headings: just text */
			free(t);
		}
	} else if (type == MD_BLOCK_CODE) {
		rc = p->in_code == 1 ? end_block(p) : add_text(p, "");
		p->in_code = 0;
	} else if (type == MD_BLOCK_UL || type == MD_BLOCK_OL) {
		p->list_depth--;
	} else if (type == MD_BLOCK_P || type == MD_BLOCK_TABLE) {
		rc = p->list_depth > 0 ? add_item(p) : add_text(p, "");
	} else if (type == MD_BLOCK_LI && p->cur.n > 0) {
		rc = add_item(p);
	} else if (type == MD_BLOCK_LI) {
		p->item_open = false;
	}
	return rc < 0 ? (p->err = rc, 1) : rc;
}

static int span_cb(MD_SPANTYPE type, void *detail, void *arg)
{
	(void)type;
	(void)detail;
	(void)arg;
	return 0;
}

static int text_cb(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *arg)
{
	struct parse *p = arg;

	if (p->block_line == 0)
		p->block_line = line_of(p, text) - (p->in_code ? 1 : 0);
	if (type == MD_TEXT_SOFTBR || type == MD_TEXT_BR)
		return buf_add(&p->cur, type == MD_TEXT_BR ? "\n" : " ", 1) ? (p->err = -ENOMEM, 1) : 0;
	if (type == MD_TEXT_NULLCHAR)
		return fail(p, line_of(p, text), "binary data (NUL byte) where text was expected");
	return buf_add(&p->cur, text, size) ? (p->err = -ENOMEM, 1) : 0;
}

char *lesson_name(const char *path)
{
	const char *slash = strrchr(path, '/'), *b = slash ? slash + 1 : path;
	size_t n = strlen(b);

	if (n > 3 && strcmp(b + n - 3, ".md") == 0)
		n -= 3;
	return dup_trim(b, n);
}

/* "en" or "zh": the name of the folder the file is in. */
static char *lang_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash != NULL && slash - path >= 2 && (slash - path == 2 || slash[-3] == '/'))
		return dup_trim(slash - 2, 2);
	return strdup("");
}

int lesson_parse(const char *path, const char *text, size_t size, struct lesson **out,
		 char *cause, size_t len)
{
	MD_PARSER md = {
		.flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_NOHTML,
		.enter_block = enter_block_cb, .leave_block = leave_block_cb,
		.enter_span = span_cb, .leave_span = span_cb, .text = text_cb,
	};
	struct parse p = { .text = text, .size = size, .cause = cause, .causelen = len };
	struct lesson *l;
	size_t skip;
	int rc;

	if ((rc = file_check_whole(path, text, size, LESSON_MAX_FILE, &skip, cause, len)) != 0)
		return rc;
	text += skip;                   /* a byte order mark, which md4c would show */
	size -= skip;
	p.text = text;
	p.size = size;
	if ((l = calloc(1, sizeof *l)) == NULL)
		return -ENOMEM;
	p.l = l;
	l->path = strdup(path);
	l->name = lesson_name(path);
	l->lang = lang_of(path);
	if (l->path == NULL || l->name == NULL || l->lang == NULL)
		p.err = -ENOMEM;
	else if (md_parse(text, (MD_SIZE)size, &md, &p) != 0 && p.err == 0)
		fail(&p, 1, "the Markdown parser stopped");
	free(p.cur.s);
	if (p.err == 0 && l->title == NULL)
		fail(&p, 1, "expected a '# ' title on the first line");
	if (p.err == 0 && l->nsections == 0)
		fail(&p, 1, "expected at least one '## ' section");
	if (p.err != 0) {
		if (p.err == -ENOMEM)
			snprintf(cause, len, "%s: out of memory", path);
		lesson_free(l);
		return p.err;
	}
	*out = l;
	return 0;
}

int lesson_load(const char *path, struct lesson **out, char *cause, size_t len)
{
	char *text;
	size_t n;
	int rc;

	rc = file_read_whole(path, LESSON_MAX_FILE, "lesson", 0, &text, &n, cause, len);
	if (rc == -ENODATA)
		return -EINVAL;         /* an empty file: a bad lesson */
	if (rc != 0)
		return rc;
	rc = lesson_parse(path, text, n, out, cause, len);
	free(text);
	return rc;
}

static void block_free(struct lesson_block *b)
{
	free(b->scenario);
	free(b->model);
	free(b->point);
	free(b->question);
	free(b->answer);
	free(b->file);
	free(b->marker);
}

void lesson_free(struct lesson *l)
{
	if (l == NULL)
		return;
	for (int i = 0; i < l->nsections; i++) {
		struct lesson_section *s = &l->sections[i];

		for (int j = 0; j < s->nblocks; j++)
			block_free(&s->blocks[j]);
		free(s->blocks);
		free(s->heading);
		free(s->text);
	}
	free(l->sections);
	free(l->path);
	free(l->name);
	free(l->lang);
	free(l->title);
	free(l);
}

const struct lesson_block *lesson_run(const struct lesson_section *s)
{
	for (int i = 0; i < s->nblocks; i++)
		if (s->blocks[i].kind == LB_RUN)
			return &s->blocks[i];
	return NULL;
}
