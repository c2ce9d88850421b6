/* exercise_play.h: inside the player (exercise_play.c, the scripts in
 * exercise_scripts.c).  Not for other rooms. */
#ifndef IOSCOPE_EXERCISE_PLAY_H
#define IOSCOPE_EXERCISE_PLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "live/exercise.h"

#define MS (1000000LL)
/* A reply later than this counts as late (the server served another
 * first); one later than EX_GIVE_UP_NS does not come. */
#define EX_LATE_NS (1000 * MS)
#define EX_GIVE_UP_NS (3000 * MS)

struct ex_ctx {
	const struct ex_play *p;
	struct ex_result *r;
	int rcvbuf;             /* SO_RCVBUF of the next connect, 0: the kernel's */
};

struct ex_client {
	int fd, id;
	bool closed;            /* the server closed the connection */
	size_t inlen;
	char in[4096];
};

void ex__sleep_ms(int ms);
int ex__stopped(struct ex_ctx *x);
/* 1 ready, 0 deadline passed, -errno. */
int ex__wait_fd(int fd, short events, int64_t deadline);
/* Connect client number id (counted in r->conns, in order): 0 or -errno. */
int ex__connect(struct ex_ctx *x, struct ex_client *c, int id);
void ex__close(struct ex_client *c);
int ex__send(struct ex_client *c, const char *s, size_t n, int64_t deadline);
/* The next line (with its newline) into out: 1; 0 when none came by
 * deadline or the connection ended (out: what came without a newline). */
int ex__line(struct ex_client *c, char *out, size_t len, int64_t deadline);
void ex__miss(struct ex_miss *m, const struct ex_client *c, const char *sent, const char *got,
	      int64_t waited);
/* Send line and expect it back before deadline (a reply counted): 1 right. */
int ex__echo(struct ex_ctx *x, struct ex_client *c, const char *line, int64_t deadline);
/* line was sent at t0: expect it back before deadline (a reply counted). */
int ex__expect(struct ex_ctx *x, struct ex_client *c, const char *line, int64_t t0,
	       int64_t deadline);

/* The scripts (exercise_scripts.c): 0, or -errno of a client's own call
 * that failed (not the server's fault: the server's shows in r). */
int ex__play_echo_seq(struct ex_ctx *x);
int ex__play_echo_conc(struct ex_ctx *x);
int ex__play_chat(struct ex_ctx *x);
int ex__play_slow_reader(struct ex_ctx *x);

#endif
