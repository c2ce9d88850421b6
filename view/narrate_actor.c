/* narrate_actor.c: the words for actors that appear, change model and
 * leave (trace/FORMAT.md, "Actors that appear, change and leave"). */
#include <stdio.h>
#include <string.h>

#include "view/narrate_int.h"

/* The actor's parent, and its ids when known, for its appearance. */
static void appear_line(struct narrator *n, const struct trace_ev *ev, char *s, size_t len)
{
	const struct trace_hdr *h = trace_hdr_c(n->t);
	const struct trace_actor *a = &h->actors[ev->actor];    /* view_ev_ok */
	char by[96] = "", ids[64] = "";
	const char *model = *a->model != '\0' ? a->model : NL(n, "none yet", "尚未确定");

	if (a->parent >= 0 && a->parent < h->nactors)
		snprintf(by, sizeof by, NL(n, ", created by %s", "，由 %s 创建"),
			 h->actors[a->parent].name);
	if (trace_attached(n->t) && *a->label[n->lang] != '\0') {
		/* a traced program's thread: its label says which */
		snprintf(s, len, NL(n, "appears: %s%s; its model: %s", "出现：%s%s；模型：%s"),
			 a->label[n->lang], by, *a->model != '\0' ? a->model :
			 NL(n, "not known yet", "尚未确定"));
		return;
	}
	if (ev->tid > 0 && ev->pid > 0)
		snprintf(ids, sizeof ids, " (tid %d, pid %d)", ev->tid, ev->pid);
	else if (ev->tid > 0)
		snprintf(ids, sizeof ids, " (tid %d)", ev->tid);
	snprintf(s, len, NL(n, "appears: a new actor, model %s%s%s", "出现：新的参与者，模型 %s%s%s"),
		 model, by, ids);
}

static void model_line(struct narrator *n, const struct trace_ev *ev, char *s, size_t len)
{
	const struct view_actor *a = view_actor_c(n->now, ev->actor);
	const char *was = a != NULL && a->model != NULL && *a->model != '\0' ? a->model :
			  NL(n, "none", "无");
	const char *why = ev->text[n->lang] != NULL && *ev->text[n->lang] != '\0' ?
			  ev->text[n->lang] : ev->text[0];
	size_t m = strlen(ev->model);

	/* evidence that names its model first ("select: pselect6 returned
	 * fd 5, …"): the line already says it */
	if (strncmp(why, ev->model, m) == 0 && (strncmp(why + m, ": ", 2) == 0 ||
						 strncmp(why + m, "：", 3) == 0))
		why += m + (why[m] == ':' ? 2 : 3);

	snprintf(s, len, NL(n, "model changes: %s → %s%s%s", "模型改变：%s → %s%s%s"),
		 was, ev->model, *why != '\0' ? NL(n, ": ", "：") : "", why);
}

int narrate__life(struct narrator *n, const struct trace_ev *ev, char *s, size_t len)
{
	if (ev->kind == TRACE_MODEL) {
		model_line(n, ev, s, len);
		return 1;
	}
	if (ev->kind != TRACE_ACTOR)
		return 0;
	if ((ev->flags & TRACE_F_END) && trace_attached(n->t))
		/* a traced program's thread: ended, or let go (a note before says) */
		snprintf(s, len, "%s", NL(n, "leaves: no more of it is seen; its lane ends here",
					  "离开：之后再看不到它，它的泳道到此为止"));
	else if (ev->flags & TRACE_F_END)
		snprintf(s, len, "%s", NL(n, "leaves: its thread has ended; its lane ends here",
					  "离开：它的线程已结束，它的泳道到此为止"));
	else
		appear_line(n, ev, s, len);
	return 1;
}
