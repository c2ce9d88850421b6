/* tui_keys.c: which key is which action on a run or a replay (the menu's
 * and a lesson page's own keys are tui_lesson.c's; what an action does is
 * tui_act.c's).  The key bar and the help (view/render_keys.c) name the
 * same keys. */
#include "tui/screen.h"
#include "tui/tui_int.h"

enum tui_act tui_key_act(int k)
{
	switch (k) {
	case 'q': case 'Q': return ACT_QUIT;
	case ' ': return ACT_PLAY;
	case K_RIGHT: return ACT_FORWARD;
	case K_LEFT: return ACT_BACK;
	case K_HOME: return ACT_HOME;
	case K_END: return ACT_END;
	case '.': case '>': return ACT_NEXT_EVENT;   /* one event at a time */
	case ',': case '<': return ACT_PREV_EVENT;
	case '+': case '=': return ACT_FASTER;
	case '-': case '_': return ACT_SLOWER;
	case 'g': return ACT_GOTO;
	case 'm': return ACT_MODEL;
	case 'i': return ACT_INJECT;
	case '?': return ACT_HELP;
	case 't': return ACT_THEME;
	case K_RESIZE: return ACT_RESIZE;
	default: return ACT_NONE;
	}
}
