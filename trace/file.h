/* file.h: reading a whole user file, safely.
 *
 * Every reader of a user's file (scenario, lesson, trace, a lesson's code
 * block) goes through file_read_whole, so all of them refuse the same
 * things in the same words: a FIFO that would hang, a device that never
 * ends, a directory, a file past the reader's limit.  The file is opened
 * with O_NONBLOCK (a FIFO without a writer cannot block the open) and is
 * read only after fstat says it is a regular file; at most cap + 1 bytes
 * are ever read, whatever st_size claims (procfs files say 0).
 */
#ifndef IOSCOPE_FILE_H
#define IOSCOPE_FILE_H

#include <stddef.h>
#include <stdint.h>

/* Read path into a new NUL-terminated buffer (*out, *len without the NUL;
 * free it).  The bytes are not checked: a NUL inside stays, for the caller
 * to report with its line.  what names the expected content for messages
 * ("scenario", "lesson", "ioscope trace"; "a" or "an" is added).  Returns
 * 0, or -errno with *out NULL and a one-line cause starting "path: "
 * (cut at a character boundary; cause may be NULL):
 *   -ENOENT etc.  "cannot open: <strerror>"
 *   -EISDIR       "cannot read: Is a directory (expected a WHAT file)"
 *   -EINVAL       "not a regular file (a FIFO; expected a WHAT file)", or a
 *                 character device, block device, socket
 *   -EFBIG        "file is too large (N bytes, at most CAP)", or "(more than
 *                 CAP bytes)" when st_size did not tell (procfs, growing)
 *   -ENODATA      "file is empty (expected a WHAT)", only if !allow_empty
 * A FIFO is refused without waiting for a writer, and a FIFO with a writer
 * is refused too (a pipe is not read: the readers need the whole file). */
int file_read_whole(const char *path, size_t cap, const char *what,
		    int allow_empty, char **out, size_t *len,
		    char *cause, size_t causelen);
/* The same, with name instead of path at the start of the cause ("FILE:
 * ..." for a file a lesson names relative to the data folder). */
int file_read_named(const char *path, const char *name, size_t cap, const char *what,
		    int allow_empty, char **out, size_t *len,
		    char *cause, size_t causelen);

/* For a reader that reads the file a piece at a time (trace_read), so it
 * never holds the whole text: the same file, the same refusals in the same
 * words as file_read_whole.  file_open_read opens path (name in the
 * cause) and checks that it is a regular file of at most cap bytes as far
 * as st_size tells; *fd is then to be closed by the caller.  Returns 0 or
 * -errno with *fd -1 (-ENOENT etc., -EISDIR, -EINVAL, -EFBIG as above).
 * file_read_some reads up to n bytes into buf, adding them to *total:
 * returns the bytes read, 0 at the end of the file, or -errno with a cause
 * ("name: cannot read: ...", or -EFBIG "name: file is too large (more
 * than CAP bytes)" once *total passes cap: the file grew, or st_size did
 * not tell). */
int file_open_read(const char *path, const char *name, size_t cap, const char *what,
		   int *fd, char *cause, size_t causelen);
long file_read_some(int fd, const char *name, char *buf, size_t n, size_t *total,
		    size_t cap, char *cause, size_t causelen);

/* The checks a reader of a text file (a scenario, a lesson) makes on the
 * whole text before it parses a line, whether the bytes came from
 * file_read_whole or from memory (a fuzz target, a test): at most cap
 * bytes; a UTF-8 byte order mark at the start skipped (*skip is then 3,
 * else 0: the text begins at text + *skip, and lines and columns count
 * from there); then file_check_text.  Returns 0, or -errno with a one-line
 * cause:
 *   -EFBIG   "PATH: file is too large (N bytes, at most CAP)"
 *   -EINVAL  "PATH:LINE:COL: " and file_check_text's sentence */
int file_check_whole(const char *path, const char *text, size_t len, size_t cap,
		     size_t *skip, char *cause, size_t causelen);

/* Checks that len bytes of text are text: no NUL byte, valid UTF-8
 * (no overlong forms, surrogates or code points past U+10FFFF), no control
 * character but tab and newline (CR only before LF; C1 controls too).
 * Returns 0, or -EINVAL with the first offender's *line and *col (1-based;
 * columns count characters) and a sentence in why, such as "invalid UTF-8
 * (byte 0xff) where text was expected".  *line and *col are always set. */
int file_check_text(const char *text, size_t len, int *line, int *col,
		    char *why, size_t whylen);

/* After snprintf of a message into cause (len bytes): if it was cut, drop
 * the half of a UTF-8 character left at its end.  Paths and quoted words
 * may be UTF-8; a cause must stay valid text.  NULL-safe. */
void file_cause_cut(char *cause, size_t len);

/* The length of the UTF-8 sequence at s (before end): 1 for ASCII, 2-4
 * for a well-formed sequence (no overlong form, surrogate or code point
 * past U+10FFFF, as jansson takes it), 0 for anything else. */
size_t file_utf8_len(const unsigned char *s, const unsigned char *end);

#endif
