/* outfile.h: an output file (a recording, an export) that never clobbers
 * what the user did not mean to replace.
 *
 * What is at the path decides how it is written:
 *   nothing, or a regular file   whole or not at all: a new file is made
 *                                beside it (O_EXCL, a unique name), then
 *                                fsync'd and renamed into place;
 *   a character device, a FIFO   written straight into (/dev/null, a
 *                                terminal, a pipe someone reads): never
 *                                replaced by a regular file;
 *   a symbolic link              followed to its target, which is then
 *                                treated as above (the new file is made in
 *                                the target's directory); the link stays;
 *   a directory, socket, block   refused.
 *   device
 * A FIFO is opened with O_NONBLOCK, so one that nobody reads is an error
 * (-ENXIO), not a hang; writes to it then block as usual.
 *
 * Call order: outfile_open -> write to o->f -> outfile_publish (the new
 * file takes the target's place; o->f stays open and later writes land in
 * the published file, which is how a live recording keeps growing) ->
 * outfile_close.  outfile_close without outfile_publish removes the new
 * file and leaves the target exactly as it was.
 */
#ifndef IOSCOPE_OUTFILE_H
#define IOSCOPE_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

/* Refuse to replace an existing regular file (-EEXIST), at open and again
 * at publish (a file that appeared meanwhile is not replaced either). */
#define OUTFILE_NO_REPLACE 1

struct outfile {
	FILE *f;                  /* write here */
	char *target;             /* the path written, symbolic links followed */
	char *tmp;                /* the new file beside it; NULL: in place */
	int flags;
	bool published;
};

/* Returns 0, or -errno with o->f NULL and nothing created: -EEXIST (a
 * regular file is there and OUTFILE_NO_REPLACE), -EISDIR, -EINVAL (a
 * socket or block device), -ENXIO (a FIFO with no reader), -ELOOP, or
 * what open(2) said. */
int outfile_open(struct outfile *o, const char *path, int flags);
/* Flush and fsync what was written, then put the new file in place (a
 * device or FIFO: flush only).  0 or -errno; on failure the target is as
 * it was and outfile_close removes the new file. */
int outfile_publish(struct outfile *o);
/* Flush, fsync and close; remove the new file if it was not published.
 * Returns the first error seen (0 or -errno).  Safe on a zeroed struct. */
int outfile_close(struct outfile *o);
/* outfile_open's errors in words for "PATH: ...": strerror, except for
 * the cases it explains better (a FIFO with no reader, a socket). */
const char *outfile_strerror(int rc);

#endif
