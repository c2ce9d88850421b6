/* test_export_actors.c: the Chrome export of actors that appear, change
 * model and leave: a new actor's tracks begin with its "appears" instant,
 * and the metadata says which actors were announced, and by whom. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "view/export.h"
#include "view/export_chrome_int.h"

static json_t *chrome_of(const char *path)
{
	char cause[512], *buf = NULL;
	size_t len = 0;
	struct trace *t;
	json_error_t e;
	json_t *o;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (trace_read(path, &t, NULL, cause, sizeof cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(export_chrome(t, f), 0);
	assert_int_equal(fclose(f), 0);
	o = json_loadb(buf, len, 0, &e);
	if (o == NULL)
		fail_msg("not JSON: %s", e.text);
	free(buf);
	trace_free(t);
	return o;
}

/* The first record named name on track tid (any track: tid < 0). */
static json_t *find(json_t *o, const char *name, int tid)
{
	json_t *evs = json_object_get(o, "traceEvents"), *e;
	size_t i;

	json_array_foreach(evs, i, e) {
		const char *n = json_string_value(json_object_get(e, "name"));

		if (n != NULL && strcmp(n, name) == 0 &&
		    (tid < 0 || json_integer_value(json_object_get(e, "tid")) == tid))
			return e;
	}
	return NULL;
}

static void test_export_actors_chrome(void **state)
{
	json_t *o = chrome_of("tests/golden/lanes-appear.jsonl"), *e, *args, *meta, *thread;

	(void)state;
	/* conn-1 is actor 3: its thread track is tid 6, named as the others. */
	thread = find(o, "thread_name", 6);
	assert_non_null(thread);
	assert_string_equal(json_string_value(json_object_get(json_object_get(thread, "args"), "name")),
			    "conn-1 (blocking)");
	assert_non_null(e = find(o, "appears", 6));
	assert_string_equal(json_string_value(json_object_get(e, "cat")), "actor");
	assert_string_equal(json_string_value(json_object_get(e, "ph")), "i");
	args = json_object_get(e, "args");
	assert_string_equal(json_string_value(json_object_get(args, "parent")), "S");
	assert_string_equal(json_string_value(json_object_get(args, "model")), "blocking");
	assert_int_equal(json_integer_value(json_object_get(args, "tid")), 4301);
	assert_int_equal(json_integer_value(json_object_get(args, "pid")), 4300);
	assert_non_null(e = find(o, "leaves", 6));
	assert_true(json_real_value(json_object_get(e, "ts")) >
		    json_real_value(json_object_get(find(o, "appears", 6), "ts")));
	/* Its first span comes after its appearance. */
	e = find(o, "recvfrom", 6);
	assert_non_null(e);
	assert_true(json_real_value(json_object_get(e, "ts")) >=
		    json_real_value(json_object_get(find(o, "appears", 6), "ts")));
	meta = json_array_get(json_object_get(json_object_get(o, "metadata"), "actors"), 3);
	assert_true(json_is_true(json_object_get(meta, "announced")));
	assert_string_equal(json_string_value(json_object_get(meta, "parent")), "S");
	assert_null(json_object_get(json_array_get(json_object_get(json_object_get(o, "metadata"),
								    "actors"), 1), "announced"));
	json_decref(o);
}

/* Per-fd tracks stay clear of the actors' own tracks however many. */
static void test_export_actors_fd_tids(void **state)
{
	(void)state;
	assert_int_equal(export__fd_tid0(3), 1000);
	assert_int_equal(export__fd_tid0(499), 1000);
	assert_int_equal(export__fd_tid0(500), 2000);
	assert_int_equal(export__fd_tid0(TRACE_ACTORS_LIMIT), 9000);
	for (int n = 1; n <= TRACE_ACTORS_LIMIT; n++)
		assert_true(export__fd_tid0(n) > 2 * (n - 1) + 1);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_export_actors_chrome),
		cmocka_unit_test(test_export_actors_fd_tids),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("export_actors", tests, NULL, NULL);
}
