/* read_fast.c: one event line exactly as ioscope writes it, without
 * jansson (see read_fast.h).  It is a recognizer first: at the first byte
 * it does not expect it says "not mine" and the line goes to jansson, so
 * it never has to explain a mistake and never reads anything jansson would
 * read differently.  The values go into a fixed table of struct jv and
 * their strings, with their NULs, into one buffer as long as the line.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trace/file.h"
#include "trace/read_fast.h"

/* The keys of an event line (read_ev.c asks for no other), with those of
 * its two-language objects; at most 64, one bit each. */
static const char *const keys[] = {
	"seq", "t_ns", "actor", "kind", "edge", "call", "fd", "step", "try",
	"dur_ns", "ret", "bytes", "out", "fds", "fds_more", "events", "op",
	"target", "sets", "polled", "copied_in", "copied_out", "nfds",
	"maxevents", "checked", "errno", "phase", "blocked", "abrupt", "tid",
	"pid", "state", "syscall", "wchan", "helper", "text", "en", "zh",
	"count", "unread", "what", "n", "limit", "server", "fnv1a", "signal",
	"tag", "in_flight", "waiting", "model", "caps", "label", "parent", "why",
	"max", "sys", "whole",
};
#define NKEYS (sizeof keys / sizeof keys[0])
_Static_assert(NKEYS <= 64, "one bit of a uint64_t per key");

#define KEY_SLOTS 256              /* open addressing, a quarter full */
static uint8_t key_slot[KEY_SLOTS];    /* index in keys + 1, 0 = free */
static uint8_t key_len[NKEYS];
static pthread_once_t keys_once = PTHREAD_ONCE_INIT;

static unsigned key_hash(const unsigned char *s, size_t n)
{
	return ((unsigned)n * 31u + s[0] * 7u + s[n - 1] * 13u + s[n / 2]) % KEY_SLOTS;
}

static void keys_init(void)
{
	for (size_t k = 0; k < NKEYS; k++) {
		size_t n = strlen(keys[k]);
		unsigned h = key_hash((const unsigned char *)keys[k], n);

		while (key_slot[h] != 0)
			h = (h + 1) % KEY_SLOTS;
		key_slot[h] = (uint8_t)(k + 1);
		key_len[k] = (uint8_t)n;
	}
}

/* The key's index in keys, or -1. */
static int key_find(const unsigned char *s, size_t n)
{
	if (n == 0)
		return -1;
	for (unsigned h = key_hash(s, n); key_slot[h] != 0; h = (h + 1) % KEY_SLOTS) {
		int k = key_slot[h] - 1;

		if (key_len[k] == n && memcmp(keys[k], s, n) == 0)
			return k;
	}
	return -1;
}

/* The line's object takes node[0] and its members node[1 .. 1 + 64]
 * (each key once); the elements and members one level below follow, one
 * array or object after another. */
#define FAST_NODES 512
#define FAST_BELOW (1 + NKEYS)

struct rd_fast {
	struct jv node[FAST_NODES];
	char *text;                /* the strings, each with its NUL */
	size_t text_cap;
};

/* Where the reader is in the line. */
struct lex {
	const unsigned char *p, *end;
	char *out;                 /* the next string's place in text */
	struct jv *next, *last;    /* free values below the top, and their end */
};

/* ---- values ---- */

/* A string after its opening quote, copied with a NUL to lx->out: none
 * that needs an escape. */
static bool lex_string(struct lex *lx, const char **s)
{
	const unsigned char *p = lx->p;
	char *o = lx->out;

	*s = o;
	while (p < lx->end && *p != '"') {
		size_t n = 1;

		if (*p < 0x20 || *p == '\\')
			return false;
		if (*p >= 0x80 && (n = file_utf8_len(p, lx->end)) == 0)
			return false;
		memcpy(o, p, n);
		o += n;
		p += n;
	}
	if (p == lx->end)
		return false;
	*o++ = '\0';
	lx->out = o;
	lx->p = p + 1;
	return true;
}

/* An integer as jansson reads one: -?(0|[1-9][0-9]*), here of at most 18
 * digits (no overflow), then what ends a value. */
static bool lex_int(struct lex *lx, int64_t *v)
{
	const unsigned char *p = lx->p;
	bool neg = p < lx->end && *p == '-';
	uint64_t x = 0;        /* 19 digits fit: the 19th only says "too long" */
	int digits = 0;

	p += neg;
	if (p < lx->end && *p == '0') {
		p++;
		digits = 1;
	} else {
		for (; p < lx->end && *p >= '0' && *p <= '9' && digits < 19; p++, digits++)
			x = x * 10 + (uint64_t)(*p - '0');
	}
	if (digits == 0 || digits > 18 || p == lx->end ||
	    (*p != ',' && *p != '}' && *p != ']'))
		return false;
	*v = neg ? -(int64_t)x : (int64_t)x;
	lx->p = p;
	return true;
}

static bool lex_word(struct lex *lx, const char *w, size_t n)
{
	if ((size_t)(lx->end - lx->p) < n || memcmp(lx->p, w, n) != 0)
		return false;
	lx->p += n;
	return true;
}

/* A value that holds no other. */
static bool lex_scalar(struct lex *lx, struct jv *v)
{
	*v = (struct jv){ .type = JV_NULL };
	switch (lx->p < lx->end ? *lx->p : 0) {
	case '"':
		lx->p++;
		v->type = JV_STR;
		return lex_string(lx, &v->s);
	case 't':
		v->type = JV_TRUE;
		return lex_word(lx, "true", 4);
	case 'f':
		v->type = JV_FALSE;
		return lex_word(lx, "false", 5);
	case 'n':
		return lex_word(lx, "null", 4);
	default:
		v->type = JV_INT;
		return lex_int(lx, &v->i);
	}
}

/* ---- containers ---- */

/* A key known to events, and its ':'; seen holds the keys met before in
 * the same object (a second one is jansson's to refuse). */
static bool lex_key(struct lex *lx, uint64_t *seen, const char **key)
{
	const unsigned char *k = lx->p + 1, *q;
	int i;

	if (lx->p == lx->end || *lx->p != '"' ||
	    (q = memchr(k, '"', (size_t)(lx->end - k))) == NULL ||
	    (i = key_find(k, (size_t)(q - k))) < 0 || (*seen & (UINT64_C(1) << i)) ||
	    q + 1 == lx->end || q[1] != ':')
		return false;
	*seen |= UINT64_C(1) << i;
	*key = keys[i];
	lx->p = q + 2;
	return true;
}

/* Elements or members (members: each with its key) of a container whose
 * opening bracket is behind: scalars, into lx->next on. */
static bool lex_below(struct lex *lx, struct jv *v, bool members)
{
	unsigned char close = members ? '}' : ']';
	uint64_t seen = 0;
	const char *key = NULL;

	v->type = members ? JV_OBJ : JV_ARR;
	v->kid = lx->next;
	v->n = 0;
	if (lx->p < lx->end && *lx->p == close) {
		lx->p++;
		return true;
	}
	for (;;) {
		if (lx->next == lx->last || (members && !lex_key(lx, &seen, &key)) ||
		    !lex_scalar(lx, lx->next))
			return false;
		lx->next->key = key;
		lx->next++;
		v->n++;
		if (lx->p == lx->end)
			return false;
		if (*lx->p++ == close)
			return true;
		if (lx->p[-1] != ',')
			return false;
	}
}

/* A member's value: a scalar, or an array or object of scalars. */
static bool lex_value(struct lex *lx, struct jv *v)
{
	if (lx->p < lx->end && (*lx->p == '[' || *lx->p == '{')) {
		*v = (struct jv){ .type = JV_NULL };
		return lex_below(lx, v, *lx->p++ == '{');
	}
	return lex_scalar(lx, v);
}

/* The line's object, and nothing after it. */
static bool lex_line(struct lex *lx, struct jv *top)
{
	struct jv *m = top + 1;
	uint64_t seen = 0;

	*top = (struct jv){ .type = JV_OBJ, .kid = m };
	if (lx->p == lx->end || *lx->p++ != '{')
		return false;
	if (lx->p < lx->end && *lx->p == '}')
		return ++lx->p == lx->end;
	for (;;) {
		const char *key;

		if (!lex_key(lx, &seen, &key) || !lex_value(lx, m))
			return false;
		m->key = key;
		m++;
		top->n++;
		if (lx->p == lx->end)
			return false;
		if (*lx->p == '}')
			return ++lx->p == lx->end;
		if (*lx->p++ != ',')
			return false;
	}
}

int trace__fast_line(struct rd *r, const char *s, size_t n, struct jv **out)
{
	struct rd_fast *f = r->fast;
	struct lex lx;

	if (f == NULL) {                /* a reader's first line */
		pthread_once(&keys_once, keys_init);
		if ((f = r->fast = calloc(1, sizeof *f)) == NULL)
			return -ENOMEM;
	}
	if (n + 1 > f->text_cap) {      /* each string's NUL takes a quote's place */
		size_t cap = n + 1 > 4096 ? n + 1 : 4096;
		char *t = realloc(f->text, cap);

		if (t == NULL)
			return -ENOMEM;
		f->text = t;
		f->text_cap = cap;
	}
	lx = (struct lex){ .p = (const unsigned char *)s,
			   .end = (const unsigned char *)s + n, .out = f->text,
			   .next = f->node + FAST_BELOW, .last = f->node + FAST_NODES };
	if (!lex_line(&lx, &f->node[0]))
		return 0;
	*out = &f->node[0];
	return 1;
}

void trace__fast_free(struct rd *r)
{
	if (r->fast != NULL)
		free(r->fast->text);
	free(r->fast);
	r->fast = NULL;
}
