/* test_lang_formats.c: every pair of English and Chinese formats has the
 * same printf conversions in the same order.
 *
 * A pair picked by language (LANG_PICK and the helpers defined on it: L2,
 * NL, W, cli_tr) reaches printf as one format or the other: the compiler
 * checks both only where both are literals in a conditional it can see,
 * and not at all through a table such as narrate.c's phrases.  This test
 * reads the source (it runs from the repository's root) with a small
 * scanner: MACRO(x, "en", "zh") where both are string literals (possibly
 * concatenated over lines); tables of designated initialisers
 * [NARRATE_EN] = { [P_X] = "...", ... } and [NARRATE_ZH] = { ... }; and
 * tables of pairs, NAME[][2] = { { "en", "zh" }, ... }.  A mismatch is
 * reported as file:line. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define LIT_MAX 4096
#define SPEC_MAX 32

/* The helpers that pick one of two formats, and how many arguments come
 * before the English one. */
static const struct pick {
	const char *name;
	int skip;
} picks[] = {
	{ "LANG_PICK", 1 }, { "L2", 1 }, { "NL", 1 }, { "W", 1 }, { "cli_tr", 0 },
};

struct scan {
	int pairs;                /* pairs compared */
	int bad;                  /* of which mismatched */
	char first[640];          /* the first mismatch, for the failure */
};

static int is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Past a string or character literal starting at s (its quote). */
static const char *skip_quoted(const char *s, const char *end)
{
	char q = *s++;

	while (s < end && *s != q && *s != '\n')
		s += *s == '\\' && s + 1 < end ? 2 : 1;
	return s < end ? s + 1 : end;
}

/* Past blanks, newlines and comments. */
static const char *skip_space(const char *s, const char *end)
{
	for (;;) {
		while (s < end && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
			s++;
		if (s + 1 < end && s[0] == '/' && s[1] == '*') {
			const char *e = strstr(s + 2, "*/");

			s = e != NULL && e < end ? e + 2 : end;
		} else if (s + 1 < end && s[0] == '/' && s[1] == '/') {
			while (s < end && *s != '\n')
				s++;
		} else {
			return s;
		}
	}
}

/* One argument, up to the comma or parenthesis that ends it: its end. */
static const char *skip_arg(const char *s, const char *end)
{
	int depth = 0;

	while (s < end) {
		if (*s == '"' || *s == '\'') {
			s = skip_quoted(s, end);
			continue;
		}
		if (*s == '(' || *s == '[' || *s == '{')
			depth++;
		else if ((*s == ')' || *s == ']' || *s == '}') && depth-- == 0)
			return s;
		else if (*s == ',' && depth == 0)
			return s;
		s++;
	}
	return end;
}

/* A string literal, or several concatenated, into out (escapes kept as
 * written: a conversion cannot contain one).  Returns the end, or NULL if
 * s does not start with a literal. */
static const char *literal(const char *s, const char *end, char *out, size_t len)
{
	size_t n = 0;

	s = skip_space(s, end);
	if (s >= end || *s != '"')
		return NULL;
	while (s < end && *s == '"') {
		const char *e = skip_quoted(s, end);

		for (const char *c = s + 1; c < e - 1 && n + 1 < len; c++)
			out[n++] = *c;
		s = skip_space(e, end);
	}
	out[n] = '\0';
	return s;
}

/* The conversions of a printf format, each as what it consumes: its
 * position (n$), '*' width, '.*' precision, length and conversion; flags,
 * digits and "%%" do not matter.  A '%' that starts no conversion is
 * kept as "%?" followed by the character after it. */
static int specs(const char *f, char out[][16], int max)
{
	int n = 0;

	for (const char *p = strchr(f, '%'); p != NULL && n < max; p = strchr(p, '%')) {
		char *o = out[n];
		const char *q = ++p;

		if (*p == '%') {
			p++;
			continue;
		}
		while (*q >= '0' && *q <= '9')
			q++;
		if (*q == '$' && q > p) {
			o += sprintf(o, "%.*s$", (int)(q - p), p);
			p = q + 1;
		}
		while (*p != '\0' && strchr("-+ #0'I", *p) != NULL)
			p++;
		if (*p == '*')
			*o++ = *p++;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p == '.') {
			p++;
			if (*p == '*')
				o += sprintf(o, ".*"), p++;
			while (*p >= '0' && *p <= '9')
				p++;
		}
		while (*p != '\0' && strchr("hlLqjzZt", *p) != NULL && o - out[n] < 12)
			*o++ = *p++;
		if (*p != '\0' && strchr("diouxXeEfFgGaAcsSpnm", *p) != NULL)
			*o++ = *p++;
		else
			o += sprintf(o, "?%c", *p != '\0' ? *p++ : ' ');
		*o = '\0';
		n++;
	}
	return n;
}

static void join(char out[][16], int n, char *s, size_t len)
{
	size_t o = 0;

	s[0] = '\0';
	for (int i = 0; i < n && o + 1 < len; i++)
		o += (size_t)snprintf(s + o, len - o, "%s%%%s", i ? " " : "", out[i]);
	if (n == 0)
		snprintf(s, len, "none");
}

/* The conversions by the argument each takes: "%2$s" is the second
 * argument's, whatever its place ("%2$s 的 %1$s" translates "%s on %s"). */
static void by_argument(char out[][16], int n)
{
	char tmp[SPEC_MAX][16];
	int at[SPEC_MAX], m = 0;

	for (int i = 0; i < n; i++) {
		char *d = strchr(out[i], '$');

		at[i] = d != NULL ? atoi(out[i]) - 1 : i;
		snprintf(tmp[i], sizeof tmp[i], "%s", d != NULL ? d + 1 : out[i]);
	}
	for (int k = 0; k < n; k++)          /* in argument order (n is small) */
		for (int i = 0; i < n; i++)
			if (at[i] == k)
				snprintf(out[m++], sizeof out[0], "%s", tmp[i]);
	for (int i = 0; i < n && m < n; i++)  /* a position past n: kept, so it differs */
		if (at[i] < 0 || at[i] >= n)
			snprintf(out[m++], sizeof out[0], "?$%.8s", tmp[i]);
}

/* Compare a pair; a mismatch is counted and, the first time, kept. */
static void compare(struct scan *sc, const char *file, int line, const char *what,
		    const char *en, const char *zh)
{
	char a[SPEC_MAX][16], b[SPEC_MAX][16], ja[200], jb[200];
	int na = specs(en, a, SPEC_MAX), nb = specs(zh, b, SPEC_MAX), same = na == nb;

	by_argument(a, na);
	by_argument(b, nb);
	sc->pairs++;
	for (int i = 0; same && i < na; i++)
		same = strcmp(a[i], b[i]) == 0;
	if (same)
		return;
	sc->bad++;
	join(a, na, ja, sizeof ja);
	join(b, nb, jb, sizeof jb);
	print_message("%s:%d: %s: en has %s, zh has %s\n", file, line, what, ja, jb);
	if (sc->bad == 1)
		snprintf(sc->first, sizeof sc->first, "%.100s:%d: %.100s: en has %s, zh has %s", file,
			 line, what, ja, jb);
}

static int line_at(const char *text, const char *at)
{
	int line = 1;

	for (const char *s = text; s < at; s++)
		line += *s == '\n';
	return line;
}

/* MACRO(args..., "en", "zh") at s (just past the name). */
static void scan_pick(struct scan *sc, const char *file, const char *text, const char *at,
		      const char *end, const struct pick *pk)
{
	static char en[LIT_MAX], zh[LIT_MAX];
	const char *s = skip_space(at + strlen(pk->name), end);

	if (s >= end || *s != '(')
		return;
	s++;
	for (int i = 0; i < pk->skip; i++) {
		s = skip_arg(s, end);
		if (s >= end || *s != ',')
			return;
		s++;
	}
	if ((s = literal(s, end, en, sizeof en)) == NULL || *s != ',')
		return;
	if ((s = literal(s + 1, end, zh, sizeof zh)) == NULL || *s != ')')
		return;
	compare(sc, file, line_at(text, at), pk->name, en, zh);
}

/* The block of designated strings that starts at the '{' after s:
 * "[P_X] = literal," entries, up to the matching '}'. */
struct entry {
	char id[64];
	int line;
	char *text;
};

static int table_block(const char *text, const char *s, const char *end, struct entry *e, int max)
{
	int n = 0;

	s = strchr(s, '{');
	if (s == NULL || s >= end)
		return 0;
	for (s++; s < end && n < max;) {
		const char *id, *t;

		s = skip_space(s, end);
		if (s >= end || *s == '}')
			break;
		if (*s != '[')
			return n;               /* not a table of designated strings */
		id = s + 1;
		t = memchr(id, ']', (size_t)(end - id));
		if (t == NULL || (size_t)(t - id) >= sizeof e[n].id)
			return n;
		snprintf(e[n].id, sizeof e[n].id, "%.*s", (int)(t - id), id);
		s = skip_space(t + 1, end);
		if (s >= end || *s != '=')
			return n;
		e[n].line = line_at(text, s);
		e[n].text = malloc(LIT_MAX);
		assert_non_null(e[n].text);
		if ((s = literal(s + 1, end, e[n].text, LIT_MAX)) == NULL) {
			free(e[n].text);
			return n;
		}
		n++;
		if (*s == ',')
			s++;
	}
	return n;
}

/* [NARRATE_EN] = { ... } followed by [NARRATE_ZH] = { ... } (or LANG_). */
static void scan_table(struct scan *sc, const char *file, const char *text, const char *at,
		       const char *end, const char *zh_tag)
{
	static struct entry en[256], zh[256];
	const char *z = strstr(at, zh_tag);
	int ne, nz;

	if (z == NULL || z >= end)
		return;
	ne = table_block(text, at, z, en, 256);
	nz = table_block(text, z, end, zh, 256);
	for (int i = 0; i < ne; i++)
		for (int j = 0; j < nz; j++)
			if (strcmp(en[i].id, zh[j].id) == 0) {
				char what[96];

				snprintf(what, sizeof what, "table entry %.63s (zh at line %d)", en[i].id,
					 zh[j].line);
				compare(sc, file, en[i].line, what, en[i].text, zh[j].text);
			}
	for (int i = 0; i < ne; i++)
		free(en[i].text);
	for (int j = 0; j < nz; j++)
		free(zh[j].text);
}

/* A table of pairs, NAME[][2] = { { "en", "zh" }, [ID] = { "en", "zh" }, ... }:
 * at is its "[2]". */
static void scan_pairs(struct scan *sc, const char *file, const char *text, const char *at,
		       const char *end)
{
	static char en[LIT_MAX], zh[LIT_MAX];
	const char *s = skip_space(at + 3, end);

	if (s >= end || *s != '=' || (s = skip_space(s + 1, end)) >= end || *s != '{')
		return;
	for (s++;;) {
		const char *e;

		s = skip_space(s, end);
		if (s < end && *s == '[') {             /* [ID] = */
			s = memchr(s, ']', (size_t)(end - s));
			if (s == NULL || (s = skip_space(s + 1, end)) >= end || *s != '=')
				return;
			s = skip_space(s + 1, end);
		}
		if (s >= end || *s != '{')
			return;
		e = s;
		if ((s = literal(s + 1, end, en, sizeof en)) == NULL || *s != ',')
			return;
		if ((s = literal(s + 1, end, zh, sizeof zh)) == NULL)
			return;
		if (*s == ',')
			s = skip_space(s + 1, end);
		if (*s != '}')
			return;
		compare(sc, file, line_at(text, e), "table pair", en, zh);
		s = skip_space(s + 1, end);
		if (s >= end || *s != ',')
			return;
		s++;
	}
}

/* Every pair in text, outside comments and literals. */
static void scan_text(struct scan *sc, const char *file, const char *text, size_t len)
{
	const char *s = text, *end = text + len;

	while (s < end) {
		if (*s == '"' || *s == '\'') {
			s = skip_quoted(s, end);
			continue;
		}
		if (s + 1 < end && *s == '/' && (s[1] == '*' || s[1] == '/')) {
			s = skip_space(s, end);
			continue;
		}
		if (*s == '[' && strncmp(s, "[NARRATE_EN]", 12) == 0)
			scan_table(sc, file, text, s, end, "[NARRATE_ZH]");
		if (*s == '[' && strncmp(s, "[LANG_EN]", 9) == 0)
			scan_table(sc, file, text, s, end, "[LANG_ZH]");
		if (*s == '[' && strncmp(s, "[2]", 3) == 0 && s > text && s[-1] == ']')
			scan_pairs(sc, file, text, s, end);
		if (is_ident(*s) && (s == text || !is_ident(s[-1]))) {
			for (size_t i = 0; i < sizeof picks / sizeof picks[0]; i++) {
				size_t n = strlen(picks[i].name);

				if (strncmp(s, picks[i].name, n) == 0 && !is_ident(s[n]))
					scan_pick(sc, file, text, s, end, &picks[i]);
			}
			while (s < end && is_ident(*s))
				s++;
			continue;
		}
		s++;
	}
}

static void scan_file(struct scan *sc, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0 && n < 4 << 20);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	scan_text(sc, path, buf, (size_t)n);
	free(buf);
}

/* Every .c and .h file under dir (relative to the root), but the tests'
 * (this file's synthetic pairs) and what is not the project's. */
static void scan_dir(struct scan *sc, const char *dir, int *files)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[1024];
		size_t n = strlen(e->d_name);
		struct stat st;

		if (e->d_name[0] == '.' || strcmp(e->d_name, "build") == 0 ||
		    strcmp(e->d_name, "tests") == 0)
			continue;
		snprintf(path, sizeof path, "%s%s%s", dir, strcmp(dir, ".") == 0 ? "" : "/",
			 e->d_name);
		if (strcmp(dir, ".") == 0)
			snprintf(path, sizeof path, "%s", e->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			scan_dir(sc, path, files);
		} else if (n > 2 && (strcmp(e->d_name + n - 2, ".c") == 0 ||
				     strcmp(e->d_name + n - 2, ".h") == 0)) {
			scan_file(sc, path);
			++*files;
		}
	}
	closedir(d);
}

#define S(text) text, sizeof (text) - 1

/* The scanner itself, on synthetic pairs: it must see a mismatch. */
static void test_lang_formats_self(void **state)
{
	struct scan sc = { 0 };

	(void)state;
	scan_text(&sc, "x.c", S("\n  f(L2(u, \"a %d of %s\", \"b %s 的 %d\"));\n"));
	assert_int_equal(sc.pairs, 1);
	assert_int_equal(sc.bad, 1);
	assert_string_equal(sc.first, "x.c:2: L2: en has %d %s, zh has %s %d");
	/* Concatenated over lines, flags and widths aside, %% and escapes. */
	memset(&sc, 0, sizeof sc);
	scan_text(&sc, "y.c", S("NL(n, \"say \\\"%-8s\\\" \"\n\t\"%5.2f%%\", \"说 %s\" /* c */ \"%.3f％\")"));
	assert_int_equal(sc.pairs, 1);
	assert_int_equal(sc.bad, 0);
	/* A precision taken from an argument is an argument more. */
	memset(&sc, 0, sizeof sc);
	scan_text(&sc, "z.c", S("W(lang, \"%.*s\", \"%s\"); cli_tr(\"%zu\", \"%u\");"));
	assert_int_equal(sc.pairs, 2);
	assert_int_equal(sc.bad, 2);
	/* Numbered arguments are compared by argument, not by place. */
	memset(&sc, 0, sizeof sc);
	scan_text(&sc, "v.c", S("W(l, \"%s on %d\", \"%2$d 的 %1$s\"); W(l, \"%s on %d\", \"%2$s 的 %1$d\");"));
	assert_int_equal(sc.pairs, 2);
	assert_int_equal(sc.bad, 1);
	assert_string_equal(sc.first, "v.c:1: W: en has %s %d, zh has %d %s");
	/* Not a pair: in a comment, in a string, a non-literal, a longer name. */
	memset(&sc, 0, sizeof sc);
	scan_text(&sc, "w.c", S("/* L2(u, \"%d\", \"%s\") */ \"NL(n, \\\"%d\\\", \\\"%s\\\")\"\n"
				"L2(u, fmt, \"%s\"); XL2(u, \"%d\", \"%s\"); LANG_PICK(l, a ? \"%d\" : \"\", \"%s\");"));
	assert_int_equal(sc.pairs, 0);
	/* A two-language table. */
	memset(&sc, 0, sizeof sc);
	scan_text(&sc, "t.c", S("static const char *const p[2][2] = {\n"
				"\t[NARRATE_EN] = {\n\t\t[P_A] = \"%s ok\",\n\t\t[P_B] = \"%d\" \" x\",\n\t},\n"
				"\t[NARRATE_ZH] = {\n\t\t[P_B] = \"%u\",\n\t\t[P_A] = \"%s 好\",\n\t},\n};\n"));
	assert_int_equal(sc.pairs, 2);
	assert_int_equal(sc.bad, 1);
	assert_string_equal(sc.first, "t.c:4: table entry P_B (zh at line 7): en has %d, zh has %u");
	/* A table of pairs, designated or not. */
	memset(&sc, 0, sizeof sc);
	scan_text(&sc, "p.c", S("static const char *const what[][2] = {\n"
				"\t[A] = { \"no '%s'\", \"没有 '%s'\" },\n\t{ \"%d x\",\n\t  \"%s 个\" },\n};\n"));
	assert_int_equal(sc.pairs, 2);
	assert_int_equal(sc.bad, 1);
	assert_string_equal(sc.first, "p.c:3: table pair: en has %d, zh has %s");
}

/* The source: every pair agrees. */
static void test_lang_formats_source(void **state)
{
	struct scan sc = { 0 };
	int files = 0;

	(void)state;
	scan_dir(&sc, ".", &files);
	print_message("%d files, %d en/zh pairs, %d mismatched\n", files, sc.pairs, sc.bad);
	/* Run from the root: the source is there, with its many pairs. */
	assert_true(files > 50);
	assert_true(sc.pairs > 200);
	if (sc.bad != 0)
		fail_msg("%d en/zh format pairs differ; the first: %s", sc.bad, sc.first);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lang_formats_self),
		cmocka_unit_test(test_lang_formats_source),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("lang_formats", tests, NULL, NULL);
}
