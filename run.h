/* run.h: one live run of a scenario, wired end to end:
 * scenario -> world -> models -> trace -> (recorder, narrator). */
#ifndef IOSCOPE_RUN_H
#define IOSCOPE_RUN_H

#include <stddef.h>
#include <stdio.h>

struct run_opts {
	const char *scenario;     /* path of the .scn file */
	const char *model;        /* every actor's model, or NULL for the script's */
	double speed;             /* scenario seconds per real second */
	const char *record;       /* JSON Lines output, or NULL */
	int lang;                 /* NARRATE_EN / NARRATE_ZH */
	FILE *out;                /* narration, or NULL for none */
	int grace_ms;             /* after the script ends, how long models get */
};

/* Returns 0; -EINVAL for bad input (a scenario, model or option: exit 2);
 * other -errno for a runtime failure (exit 1).  cause says why in one line. */
int run_scenario(const struct run_opts *o, char *cause, size_t len);

/* Check that the model can run here; -EINVAL with the reason if not. */
int run_model_usable(const char *name, char *cause, size_t len);

#endif
