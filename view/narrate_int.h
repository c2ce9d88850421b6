/* narrate_int.h: shared by the narrator's files only. */
#ifndef IOSCOPE_NARRATE_INT_H
#define IOSCOPE_NARRATE_INT_H

#include "view/narrate.h"

/* The English or the Chinese of a phrase; both take the same arguments. */
#define NL(n, en, zh) LANG_PICK((n)->lang, en, zh)

/* The line for a multiplexing event (enter/exit of select, poll,
 * epoll_wait, epoll_ctl; set; ready; refuse).  Returns 1 if ev is one. */
int narrate__mux(struct narrator *n, const struct trace_ev *ev, char *s, size_t len);

/* The line for a signal, submission, completion or note.  Returns 1 if ev
 * is one. */
int narrate__async(struct narrator *n, const struct trace_ev *ev, char *s, size_t len);

/* The line for a futex wait, a clone or a work queue's depth (set
 * workq; narrate_server.c).  Returns 1 if ev is one. */
int narrate__server(struct narrator *n, const struct trace_ev *ev, char *s, size_t len);

/* The line for an actor's appearance, end or change of model
 * (narrate_actor.c).  Returns 1 if ev is one. */
int narrate__life(struct narrator *n, const struct trace_ev *ev, char *s, size_t len);

/* "{9 12 14}", or "{3 4 … and 12 more}" when the list was cut. */
const char *narrate__fds(const struct trace_ev *ev, char *buf, size_t len);

/* The call's name as the kernel knows it: an enter's or exit's sys
 * ("pselect6", a traced program's) when it has one, else call's; "?". */
const char *narrate__call(const struct trace_ev *ev);

/* The model of ev's actor ("" for the world). */
const char *narrate__model(const struct narrator *n, int actor);
/* The errno name of a negative result -ret ("EUNKNOWN" when ret is not a
 * -errno), never negating a value that has no negative. */
const char *narrate__errno(int64_t ret);

#endif
