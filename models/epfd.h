/* epfd.h: an epoll instance's interest list, as the kernel prints it in
 * /proc/<pid>/fdinfo/<epoll fd> (fs/eventpoll.c, ep_show_fdinfo): after the
 * generic "pos:", "flags:", "mnt_id:", "ino:" lines, one line per watched
 * descriptor,
 *
 *   tfd:        5 events:       19 data:                5  pos:0 ino:... sdev:...
 *
 * with the fd in decimal and the event mask and user data in hex.  This is
 * how the libuv model learns what libuv's loop watches without reading
 * libuv's private structures: the kernel's format is an ABI, libuv's
 * internals are not.
 */
#ifndef IOSCOPE_EPFD_H
#define IOSCOPE_EPFD_H

#include <stddef.h>
#include <stdint.h>

/* Larger fdinfo texts are refused (-EFBIG): about 160 watched fds. */
#define EPFD_TEXT_MAX 16384

struct epfd_entry {
	int fd;                      /* the watched descriptor */
	uint32_t events;             /* its EPOLL* mask, as registered */
	uint64_t data;               /* the registered epoll_data */
};

/* Parse len bytes of fdinfo text (no NUL needed) into at most max entries.
 * Strict: every line ends in '\n'; a "tfd:" line has all three fields,
 * each in range (fd 0..INT_MAX, events 32 bits, data 64 bits); any other
 * line is "name:" (lower case, digits, '_') and printable text.  Returns
 * the number of entries, -EINVAL for anything else, -ENOSPC when there are
 * more than max. */
int epfd_parse(const char *text, size_t len, struct epfd_entry *out, int max);

/* Read /proc/self/fdinfo/<epfd> and parse it.  Returns as epfd_parse, or
 * -errno from reading, or -EFBIG past EPFD_TEXT_MAX. */
int epfd_read(int epfd, struct epfd_entry *out, int max);

#endif
