/* read_same.h: whether two parsed lines (struct jv trees) or two traces
 * read from the same text are the same, for the tests that compare the
 * fast reader with jansson (fuzz_read_fast.c, test_read_fast.c). */
#ifndef IOSCOPE_TESTS_READ_SAME_H
#define IOSCOPE_TESTS_READ_SAME_H

#include <stdbool.h>
#include <string.h>

#include "trace/read_field.h"
#include "trace/trace.h"

static inline bool str_same(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* The same value: members in any order (jansson's own order is its own). */
static inline bool jv_same(const struct jv *a, const struct jv *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case JV_INT:  return a->i == b->i;
	case JV_REAL: return memcmp(&a->d, &b->d, sizeof a->d) == 0;
	case JV_STR:  return strcmp(a->s, b->s) == 0;
	case JV_ARR:
		if (a->n != b->n)
			return false;
		for (uint32_t i = 0; i < a->n; i++)
			if (!jv_same(&a->kid[i], &b->kid[i]))
				return false;
		return true;
	case JV_OBJ:
		if (a->n != b->n)
			return false;
		for (uint32_t i = 0; i < a->n; i++) {
			uint32_t j = 0;

			while (j < b->n && strcmp(a->kid[i].key, b->kid[j].key) != 0)
				j++;
			if (j == b->n || !jv_same(&a->kid[i], &b->kid[j]))
				return false;
		}
		return true;
	default:
		return true;
	}
}

static inline bool ev_same(const struct trace_ev *a, const struct trace_ev *b)
{
	bool same = a->seq == b->seq && a->t_ns == b->t_ns && a->actor == b->actor &&
		    a->kind == b->kind && a->flags == b->flags && a->call == b->call &&
		    a->phase == b->phase && a->state == b->state && a->fd == b->fd &&
		    a->err == b->err && a->tid == b->tid && a->step == b->step &&
		    a->count == b->count && a->ret == b->ret && a->dur_ns == b->dur_ns &&
		    str_same(a->syscall, b->syscall) && str_same(a->wchan, b->wchan) &&
		    str_same(a->text[0], b->text[0]) && str_same(a->text[1], b->text[1]) &&
		    a->n == b->n && a->arg == b->arg && a->what == b->what &&
		    a->nfds == b->nfds && a->fds_more == b->fds_more &&
		    a->polled == b->polled && a->copied_in == b->copied_in &&
		    a->copied_out == b->copied_out && a->sets == b->sets &&
		    a->outs == b->outs;

	for (int i = 0; same && i < a->nfds && i < TRACE_FDS_INLINE; i++)
		same = a->fd_list[i] == b->fd_list[i];
	return same;
}

static inline bool traces_same(const struct trace *a, const struct trace *b)
{
	const struct trace_hdr *ha = trace_hdr_c(a), *hb = trace_hdr_c(b);

	if (trace_count(a) != trace_count(b) || ha->nactors != hb->nactors ||
	    ha->nstart != hb->nstart || ha->ncaptions != hb->ncaptions ||
	    !str_same(ha->scenario, hb->scenario) || !str_same(ha->kernel, hb->kernel) ||
	    !str_same(ha->started, hb->started) || ha->speed != hb->speed)
		return false;
	for (int i = 0; i < ha->nactors; i++)
		if (!str_same(ha->actors[i].name, hb->actors[i].name) ||
		    !str_same(ha->actors[i].model, hb->actors[i].model) ||
		    ha->actors[i].caps != hb->actors[i].caps ||
		    ha->actors[i].parent != hb->actors[i].parent)
			return false;
	for (size_t i = 0; i < trace_count(a); i++) {
		struct trace_ev ea = *trace_at(a, i), eb = *trace_at(b, i);

		if (!ev_same(&ea, &eb))
			return false;
	}
	return true;
}

#endif
