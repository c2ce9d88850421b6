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
 * free it).  what names the expected content for messages ("scenario",
 * "lesson", "trace").  Returns 0, or -errno with a one-line
 * "path: what went wrong (expected a WHAT ...)" in cause:
 *   -EISDIR  a directory;  -EINVAL  not a regular file (FIFO, device,
 *   socket);  -EFBIG  more than cap bytes;  -ENODATA  empty (only when
 *   allow_empty is false);  anything else from open/read. */
int file_read_whole(const char *path, size_t cap, const char *what,
		    int allow_empty, char **out, size_t *len,
		    char *cause, size_t causelen);

#endif
