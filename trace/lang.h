/* lang.h: the two languages ioscope speaks, and the one way to pick a
 * string by language.
 *
 * Everything that holds a language (struct narrator, struct tui_state,
 * run_opts.lang, the command line's cli_lang) holds one of these values;
 * arrays of two strings (a scenario's title[2], an actor's label[2]) are
 * indexed by them.  NARRATE_EN and NARRATE_ZH (view/narrate.h) have the
 * same values.
 *
 * A pair of formats passed through LANG_PICK (or a helper defined on it:
 * L2, NL, W, cli_tr) must have the same printf conversions in the same
 * order: tests/test_lang_formats.c checks every such pair in the source.
 */
#ifndef IOSCOPE_LANG_H
#define IOSCOPE_LANG_H

enum lang { LANG_EN = 0, LANG_ZH = 1 };

/* en or zh by lang (an enum lang, or an int holding one): anything but
 * LANG_ZH is English.  Both branches are string literals at most call
 * sites, so the compiler checks both as formats. */
#define LANG_PICK(lang, en, zh) ((lang) == LANG_ZH ? (zh) : (en))

/* "en" or "zh": the folder of a language's lessons, and the code the
 * scenario and trace formats use. */
const char *lang_code(enum lang lang);

#endif
