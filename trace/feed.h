/* feed.h: a descriptor the world feeds and a model reads: a "rod" or a
 * "dish".  The world (scenarios/) writes into the far end and stamps when
 * data became ready; the model (models/) reads the near end.  It sits here,
 * below both, so that neither room includes the other.
 *
 * Threading: fd is set before the model starts; ready_ns and in_epoll are
 * written by one thread and read by the other, hence atomic.
 */
#ifndef IOSCOPE_FEED_H
#define IOSCOPE_FEED_H

#include <stdint.h>

struct feed {
	int fd;                        /* the reader's end, owned by the world */
	_Atomic int64_t ready_ns;      /* trace time the world last made data
	                                  ready on an empty fd; 0 = not known */
	_Atomic int in_epoll;          /* registered in an epoll interest list:
	                                  a write puts it on the ready list */
};

#endif
