/* test_caps.c: actors carry their model's capabilities in the trace header
 * (trace/FORMAT.md, "Capabilities"): written, read back, refused when
 * malformed, and derived from the model's name for version 1 files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "models/model.h"
#include "trace/trace.h"

static struct trace *read_str(const char *s, char *cause, size_t len)
{
	struct trace *t = NULL;
	size_t skipped = 0;

	cause[0] = '\0';
	if (trace_read_mem("t.jsonl", s, strlen(s), &t, &skipped, cause, len) != 0)
		return NULL;
	return t;
}

#define HDR(v, actor) "{\"format\":\"ioscope-trace\",\"version\":" #v ",\"scenario\":\"s\"," \
	"\"kernel\":\"k\",\"started\":\"2026-12-01T00:00:00Z\",\"actors\":[{\"name\":" \
	"\"world\",\"model\":\"\"}," actor "]}\n"

/* Every model's bits survive a write and a read. */
static void test_caps_round_trip(void **state)
{
	struct trace *t = trace_new(), *back;
	char *buf = NULL, cause[256];
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_true(model_table_init() >= 0);
	for (int i = 0; i < model_count; i++)
		assert_int_equal(trace_add_actor(t, model_table[i]->name, model_table[i]->name,
						 model_table[i]->caps, "", ""), i + 1);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(trace_write_hdr(f, t), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(buf, "\"caps\":[\"phases\""));
	assert_non_null(strstr(buf, "\"version\":2"));
	back = read_str(buf, cause, sizeof cause);
	assert_non_null(back);
	assert_int_equal(trace_hdr_c(back)->nactors, model_count + 1);
	for (int i = 0; i < model_count; i++) {
		/* Every reader reads in two phases; a server's reads may be
		 * its children's (their caps are announced with them). */
		if (model_table[i]->roles & MODEL_ROLE_READER)
			assert_true(model_table[i]->caps & TRACE_CAP_PHASES);
		assert_int_equal(trace_hdr_c(back)->actors[i + 1].caps, model_table[i]->caps);
	}
	assert_int_equal(trace_hdr_c(back)->actors[0].caps, 0);
	trace_free(back);
	trace_free(t);
	free(buf);
}

/* Version 1 named models only: the reader gives each its bits of that time,
 * and they are the bits the model declares now. */
static void test_caps_v1_derived(void **state)
{
	char cause[256];
	struct trace *t;

	(void)state;
	assert_true(model_table_init() >= 0);
	/* The models version 1 knew: those that read (the server models came
	 * after it, and it gives a name it does not know no bits). */
	for (int i = 0; i < model_count; i++)
		if (model_table[i]->roles & MODEL_ROLE_READER)
			assert_int_equal(trace_caps_v1(model_table[i]->name), model_table[i]->caps);
		else
			assert_int_equal(trace_caps_v1(model_table[i]->name), 0);
	t = read_str(HDR(1, "{\"name\":\"S\",\"model\":\"select\"},{\"name\":\"E\",\"model\":\"epoll-et\"},"
			    "{\"name\":\"X\",\"model\":\"madeup\"}"), cause, sizeof cause);
	assert_non_null(t);
	assert_int_equal(trace_hdr_c(t)->actors[1].caps, trace_caps_v1("select"));
	assert_true(trace_hdr_c(t)->actors[1].caps & TRACE_CAP_BITMAP);
	assert_true(trace_hdr_c(t)->actors[2].caps & TRACE_CAP_EDGE);
	assert_int_equal(trace_hdr_c(t)->actors[3].caps, 0);
	trace_free(t);
	/* Version 2 never guesses from the name: no "caps", no bits. */
	t = read_str(HDR(2, "{\"name\":\"S\",\"model\":\"select\"}"), cause, sizeof cause);
	assert_non_null(t);
	assert_int_equal(trace_hdr_c(t)->actors[1].caps, 0);
	trace_free(t);
	t = read_str(HDR(2, "{\"name\":\"S\",\"model\":\"anything\",\"caps\":[\"set\",\"bitmap\"]}"),
		     cause, sizeof cause);
	assert_non_null(t);
	assert_int_equal(trace_hdr_c(t)->actors[1].caps, TRACE_CAP_SET | TRACE_CAP_BITMAP);
	trace_free(t);
}

static void refused(const char *text, const char *want)
{
	char cause[256];
	struct trace *t = read_str(text, cause, sizeof cause);

	if (t != NULL || strstr(cause, want) == NULL)
		fail_msg("expected an error with '%s', got '%s'", want, cause);
}

static void test_caps_refused(void **state)
{
	(void)state;
	refused(HDR(2, "{\"name\":\"S\",\"model\":\"m\",\"caps\":\"set\"}"),
		"t.jsonl:1:1: \"caps\" of actor 1 is a string (expected an array of capability names)");
	refused(HDR(2, "{\"name\":\"S\",\"model\":\"m\",\"caps\":[\"telepathy\"]}"),
		"\"caps\" of actor 1 holds \"telepathy\" (expected one of phases,");
	refused(HDR(2, "{\"name\":\"S\",\"model\":\"m\",\"caps\":[3]}"),
		"\"caps\" of actor 1 holds an integer (expected one of");
	refused(HDR(2, "{\"name\":\"S\",\"model\":\"m\",\"caps\":[\"set\",\"set\"]}"),
		"names \"set\" twice (expected each capability once)");
	refused(HDR(3, "{\"name\":\"S\",\"model\":\"m\"}"), "trace version 3 is newer");
}

/* Names and bits map one to one. */
static void test_caps_names(void **state)
{
	(void)state;
	for (unsigned bit = 1; bit & TRACE_CAP_ALL; bit <<= 1) {
		const char *name = trace_cap_name(bit);

		assert_non_null(name);
		assert_int_equal(trace_cap_from(name), (int)bit);
	}
	assert_null(trace_cap_name(TRACE_CAP_SET | TRACE_CAP_BITMAP));
	assert_null(trace_cap_name(TRACE_CAP_ALL + 1));
	assert_int_equal(trace_cap_from("Phases"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caps_round_trip),
		cmocka_unit_test(test_caps_v1_derived),
		cmocka_unit_test(test_caps_refused),
		cmocka_unit_test(test_caps_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
