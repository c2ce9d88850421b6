/* fuzz_export.c: libFuzzer target for the exporters (view/export_*.c).
 * Whatever the reader accepts, every exporter must write in full into a
 * memory stream and return 0 (an exporter that refuses, crashes or hangs
 * on a trace that `check` accepts is the bug), and what it writes must
 * hold its format: Chrome's is one JSON document, asciicast one JSON value
 * a line (a header object, then [time, "o"|"m", text] with times that
 * never go back), text valid UTF-8 in lines; none of them carries a
 * control byte taken from the trace into a terminal (an ESC in a caption
 * must not reach `asciinema play` or `replay --plain`).
 *
 * The language and the asciicast size come from the input's length, so a
 * reproducer replays the same way under libFuzzer and under driver.c.
 *
 * To fuzz past a known finding until it is fixed, IOSCOPE_FUZZ_SKIP may
 * name checks to leave out: "control" (control bytes and invalid UTF-8 in
 * the output) and "refuse" (an exporter's non-zero return). */
#include <locale.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "view/export.h"
#include "view/narrate.h"
#include "trace/trace.h"
#include "view/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *skip_list = "";

static bool lax(const char *check)
{
	return strstr(skip_list, check) != NULL;
}

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_export: %s%s%s\n", what, *detail ? ": " : "", detail);
	abort();
}

/* Length of the valid UTF-8 sequence at s (s[0] >= 0x80), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t left)
{
	size_t n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 :
		   s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;
	uint32_t c;

	if (n == 0 || n > left)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	c = n == 2 ? (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f) :
	    n == 3 ? (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f) :
		     (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
		     (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	/* C1 controls (U+0080..U+009F) act like ESC sequences in terminals. */
	return c >= 0x80 && c <= 0x9f ? 0 : n;
}

/* Text for a terminal: valid UTF-8, no control byte but newline; where
 * allow_esc (asciicast frames), also CR and the exporter's own CSI
 * sequences (ESC [ digits ; H, J or m), nothing else after an ESC. */
static const char *terminal_text(const char *s, size_t len, bool allow_esc)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < len;) {
		if (u[i] >= 0x80) {
			size_t n = utf8_seq(u + i, len - i);

			if (n == 0)
				return "invalid UTF-8 (or a C1 control)";
			i += n;
			continue;
		}
		if (allow_esc && u[i] == 0x1b) {
			size_t j = i + 1;

			if (j >= len || u[j++] != '[')
				return "an ESC that is not the exporter's CSI";
			while (j < len && ((u[j] >= '0' && u[j] <= '9') || u[j] == ';'))
				j++;
			if (j >= len || (u[j] != 'H' && u[j] != 'J' && u[j] != 'm'))
				return "an ESC that is not the exporter's CSI";
			i = j + 1;
			continue;
		}
		if ((u[i] < 0x20 && u[i] != '\n' && !(allow_esc && u[i] == '\r')) ||
		    u[i] == 0x7f)
			return "a control byte";
		i++;
	}
	return NULL;
}

static void check_chrome(const char *buf, size_t len)
{
	json_error_t e;
	json_t *doc = json_loadb(buf, len, 0, &e);

	if (doc == NULL)
		fail("chrome output is not JSON", e.text);
	if (!json_is_array(json_object_get(doc, "traceEvents")))
		fail("chrome output has no traceEvents array", "");
	json_decref(doc);
}

/* One asciicast v2 event line: [time, "o" or "m", text]. */
static void check_cast_event(const json_t *a, double *last)
{
	const char *type, *text, *why;
	double tm;

	if (!json_is_array(a) || json_array_size(a) != 3 ||
	    !json_is_number(json_array_get(a, 0)) ||
	    !json_is_string(json_array_get(a, 1)) ||
	    !json_is_string(json_array_get(a, 2)))
		fail("asciicast event is not [time, type, text]", "");
	tm = json_number_value(json_array_get(a, 0));
	type = json_string_value(json_array_get(a, 1));
	text = json_string_value(json_array_get(a, 2));
	if (tm < *last || tm < 0)
		fail("asciicast time goes back", "");
	*last = tm;
	if (strcmp(type, "o") != 0 && strcmp(type, "m") != 0)
		fail("asciicast event type is not o or m", type);
	if ((why = terminal_text(text, json_string_length(json_array_get(a, 2)), true)) != NULL &&
	    !lax("control"))
		fail("asciicast text", why);
}

static void check_cast(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	double last = 0;
	bool header = true;

	if (len == 0 || buf[len - 1] != '\n')
		fail("asciicast output does not end in a newline", "");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		json_error_t e;
		json_t *v = json_loadb(p, (size_t)(nl - p), 0, &e);

		if (v == NULL)
			fail("asciicast line is not JSON", e.text);
		if (header) {
			if (!json_is_object(v) ||
			    json_integer_value(json_object_get(v, "version")) != 2)
				fail("asciicast header is not a version 2 object", "");
			header = false;
		} else {
			check_cast_event(v, &last);
		}
		json_decref(v);
		p = nl + 1;
	}
}

static void check_text(const char *buf, size_t len)
{
	const char *why = terminal_text(buf, len, false);

	if (why != NULL && !lax("control"))
		fail("text output", why);
	if (len > 0 && buf[len - 1] != '\n')
		fail("text output does not end in a newline", "");
}

/* One exporter into a memory stream; its output, checked. */
static void run(const struct trace *t, int format, int lang, int w, int h)
{
	char *buf = NULL, msg[64];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	if (f == NULL)
		abort();
	rc = export_write(t, format, lang, w, h, f);
	if (fclose(f) != 0)
		abort();
	if (rc != 0 && lax("refuse")) {
		free(buf);
		return;
	}
	if (rc != 0) {
		snprintf(msg, sizeof msg, "%s returned %d", export_format_name(format), rc);
		fail("an exporter refused a trace the reader accepted", msg);
	}
	if (format == EXPORT_CHROME)
		check_chrome(buf, len);
	else if (format == EXPORT_ASCIICAST)
		check_cast(buf, len);
	else
		check_text(buf, len);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;
	struct trace *t = NULL;
	size_t skipped = 0;
	char cause[256];
	int lang = (int)(size & 1);

	if (!init) {
		/* As the program runs in a UTF-8 terminal (cli/main.c). */
		setlocale(LC_ALL, "C.UTF-8");
		if (getenv("IOSCOPE_FUZZ_SKIP") != NULL)
			skip_list = getenv("IOSCOPE_FUZZ_SKIP");
		init = true;
	}
	if (trace_read_mem("fuzz", (const char *)data, size, &t, &skipped,
			   cause, sizeof cause) != 0)
		return 0;
	run(t, EXPORT_CHROME, lang, 0, 0);
	run(t, EXPORT_TEXT, NARRATE_EN, 0, 0);
	run(t, EXPORT_TEXT, NARRATE_ZH, 0, 0);
	if (size & 2)
		run(t, EXPORT_ASCIICAST, lang, TUI_MIN_W, TUI_MIN_H);
	else
		run(t, EXPORT_ASCIICAST, lang, 0, 0);
	trace_free(t);
	return 0;
}
