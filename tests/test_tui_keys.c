/* test_tui_keys.c: which key is which action (tui_keys.c), apart from what
 * the action does: the bindings the key bar and the help name. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tui/screen.h"
#include "tui/tui_int.h"

static void test_tui_keys_bindings(void **state)
{
	static const struct { int key; enum tui_act act; } b[] = {
		{ 'q', ACT_QUIT }, { 'Q', ACT_QUIT }, { ' ', ACT_PLAY }, { K_RIGHT, ACT_FORWARD },
		{ K_LEFT, ACT_BACK }, { K_HOME, ACT_HOME }, { K_END, ACT_END },
		{ '.', ACT_NEXT_EVENT }, { '>', ACT_NEXT_EVENT }, { ',', ACT_PREV_EVENT },
		{ '<', ACT_PREV_EVENT }, { '+', ACT_FASTER }, { '=', ACT_FASTER },
		{ '-', ACT_SLOWER }, { '_', ACT_SLOWER }, { 'g', ACT_GOTO }, { 'm', ACT_MODEL },
		{ 'i', ACT_INJECT }, { '?', ACT_HELP }, { 't', ACT_THEME }, { K_RESIZE, ACT_RESIZE },
	};

	(void)state;
	for (size_t i = 0; i < sizeof b / sizeof b[0]; i++)
		assert_int_equal(tui_key_act(b[i].key), b[i].act);
}

/* Keys of no action here: the lesson pages' own (n, p, a, l, arrows up
 * and down), and anything else, are ignored by the run's actions. */
static void test_tui_keys_unbound(void **state)
{
	static const int keys[] = { 'n', 'p', 'a', 'l', K_UP, K_DOWN, 'x', 'M', 0, 27 };

	(void)state;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		assert_int_equal(tui_key_act(keys[i]), ACT_NONE);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tui_keys_bindings),
		cmocka_unit_test(test_tui_keys_unbound),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("tui_keys", tests, NULL, NULL);
}
