/* exercise_scripts.c: what the clients of each exercise do (the world of
 * an exercise, as a scenario's world: concurrent connections, an idle
 * one, a slow one, one that leaves).  A client whose connect fails is not
 * the script's error: its replies count as missing. */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "live/exercise_play.h"
#include "trace/trace.h"

static int64_t now(void)
{
	return trace_mono_ns();
}

static void add_wait(struct ex_ctx *x, int client, int other, int64_t from, int64_t to, bool late)
{
	struct ex_result *r = x->r;

	if (r->nwaits < EX_MAX_WAITS)
		r->waits[r->nwaits++] = (struct ex_wait){ .client = client, .other = other,
							  .from_ns = from, .to_ns = to, .late = late };
}

/* c (already connected, idle) is in the way while client w sends line and
 * waits: a wait recorded; then the reply counted when it comes. */
static void echo_past(struct ex_ctx *x, struct ex_client *w, struct ex_client *idle,
		      const char *line, struct ex_client *release, const char *release_line)
{
	char got[256];
	int64_t t0 = now();
	int got_line;

	(void)ex__send(w, line, strlen(line), t0 + EX_GIVE_UP_NS);
	got_line = ex__line(w, got, sizeof got, t0 + EX_LATE_NS);
	add_wait(x, w->id, idle->id, t0, got_line ? now() : t0 + EX_LATE_NS, !got_line);
	if (release != NULL) {
		/* Let a one-at-a-time server go on: the idle client talks, then leaves. */
		ex__echo(x, release, release_line, now() + EX_GIVE_UP_NS);
		ex__close(release);
	}
	x->r->replies++;
	if (!got_line)
		got_line = ex__line(w, got, sizeof got, now() + EX_GIVE_UP_NS);
	if (got_line && strcmp(got, line) == 0)
		x->r->replies_ok++;
	else
		ex__miss(&x->r->miss, w, line, got_line ? got : "", now() - t0);
}

/* A line sent in three pieces, 150 ms apart. */
static void send_slowly(struct ex_client *c, const char *const parts[3])
{
	for (int i = 0; i < 3; i++) {
		if (i > 0)
			ex__sleep_ms(150);
		(void)ex__send(c, parts[i], strlen(parts[i]), now() + EX_GIVE_UP_NS);
	}
}

/* A client that leaves in the middle of a line, then one that must still
 * be served. */
static void leaver_then(struct ex_ctx *x, int leaver, int next)
{
	struct ex_client c;

	if (ex__connect(x, &c, leaver) == 0)
		(void)ex__send(&c, "half a li", 9, now() + EX_GIVE_UP_NS);
	ex__close(&c);
	(void)ex__connect(x, &c, next);
	ex__echo(x, &c, "after the one that left\n", now() + EX_GIVE_UP_NS);
	ex__close(&c);
}

int ex__play_echo_seq(struct ex_ctx *x)
{
	static const char *const lines[3] = { "hello\n", "a second line\n", "and a third, longer one\n" };
	static const char *const slow[3] = { "slow ", "line ", "3\n" };
	struct ex_client c;

	for (int id = 1; id <= 2; id++) {
		(void)ex__connect(x, &c, id);
		for (int i = 0; i < 3; i++)
			ex__echo(x, &c, lines[i], now() + EX_GIVE_UP_NS);
		ex__close(&c);
	}
	(void)ex__connect(x, &c, 3);
	send_slowly(&c, slow);
	ex__expect(x, &c, "slow line 3\n", now(), now() + EX_GIVE_UP_NS);
	ex__close(&c);
	leaver_then(x, 4, 5);
	return 0;
}

/* Four clients at once, two rounds: every one sends, then every one reads. */
static void four_at_once(struct ex_ctx *x, int first)
{
	struct ex_client c[4];
	char line[4][64];

	for (int i = 0; i < 4; i++)
		(void)ex__connect(x, &c[i], first + i);
	for (int round = 0; round < 2; round++) {
		int64_t t0 = now(), deadline = t0 + 2 * EX_LATE_NS;

		for (int i = 0; i < 4; i++) {
			snprintf(line[i], sizeof line[i], "client %d, round %d\n", first + i, round + 1);
			(void)ex__send(&c[i], line[i], strlen(line[i]), deadline);
		}
		for (int i = 0; i < 4; i++)
			ex__expect(x, &c[i], line[i], t0, deadline);
	}
	for (int i = 0; i < 4; i++)
		ex__close(&c[i]);
}

int ex__play_echo_conc(struct ex_ctx *x)
{
	static const char *const slow[3] = { "slow ", "line ", "7\n" };
	struct ex_client a, b;

	/* Client 1 connects and says nothing; client 2 must be served. */
	(void)ex__connect(x, &a, 1);
	ex__sleep_ms(100);
	(void)ex__connect(x, &b, 2);
	echo_past(x, &b, &a, "ping from 2\n", &a, "ping from 1\n");
	ex__close(&b);
	four_at_once(x, 3);
	/* Client 7 sends a line in pieces; client 8 must not wait for its end. */
	(void)ex__connect(x, &a, 7);
	(void)ex__send(&a, slow[0], strlen(slow[0]), now() + EX_GIVE_UP_NS);
	ex__sleep_ms(100);
	(void)ex__connect(x, &b, 8);
	echo_past(x, &b, &a, "quick from 8\n", NULL, NULL);
	send_slowly(&a, (const char *const[3]){ "", slow[1], slow[2] });
	ex__expect(x, &a, "slow line 7\n", now(), now() + EX_GIVE_UP_NS);
	ex__close(&a);
	ex__close(&b);
	leaver_then(x, 9, 10);
	return 0;
}

/* Read c's lines until one holds mark or deadline: 1 found (the line in
 * got), 0 not (got: the last line seen, or ""). */
static int find_line(struct ex_client *c, const char *mark, char *got, size_t len, int64_t deadline)
{
	got[0] = '\0';
	while (ex__line(c, got, len, deadline) == 1)
		if (strstr(got, mark) != NULL)
			return 1;
	return 0;
}

/* from says line; each of to[0..n) must get it, and from must not. */
static void say(struct ex_ctx *x, struct ex_client *from, const char *line,
		struct ex_client *const *to, int n, bool after_leave)
{
	struct ex_result *r = x->r;
	char mark[64], got[256];
	int64_t t0 = now();

	snprintf(mark, sizeof mark, "%.*s", (int)strcspn(line, "\n"), line);
	(void)ex__send(from, line, strlen(line), t0 + EX_GIVE_UP_NS);
	for (int i = 0; i < n; i++) {
		int ok = find_line(to[i], mark, got, sizeof got, t0 + 2 * EX_LATE_NS);

		r->bcast++;
		r->bcast_ok += ok;
		r->after_leave += after_leave;
		r->after_leave_ok += after_leave && ok;
		if (!ok)
			ex__miss(&r->bcast_miss, to[i], mark, got, now() - t0);
	}
	if (find_line(from, mark, got, sizeof got, now() + 300 * MS)) {
		r->echoed++;
		if (r->echo_miss.client == 0)
			ex__miss(&r->echo_miss, from, mark, got, now() - t0);
	}
}

int ex__play_chat(struct ex_ctx *x)
{
	struct ex_client c[4];

	for (int i = 0; i < 3; i++)
		(void)ex__connect(x, &c[i], i + 1);
	ex__sleep_ms(300);
	say(x, &c[0], "hello from 1\n", (struct ex_client *const[]){ &c[1], &c[2] }, 2, false);
	ex__close(&c[2]);
	x->r->leaver = 3;
	ex__sleep_ms(200);
	say(x, &c[1], "hi from 2\n", (struct ex_client *const[]){ &c[0] }, 1, true);
	(void)ex__connect(x, &c[3], 4);
	ex__sleep_ms(200);
	say(x, &c[0], "welcome, 4\n", (struct ex_client *const[]){ &c[1], &c[3] }, 2, true);
	for (int i = 0; i < 4; i++)
		ex__close(&c[i]);
	return 0;
}

/* ---- a slow reader ---- */


#define SLOW_LINE 64
#define SLOW_MAX ((size_t)64 << 20)

/* What the slow reader sends: 1 MB more than the most the kernel lets a
 * socket's send buffer grow to (tcp_wmem's third field; 4 MB by default):
 * on loopback the server's buffer grows fast (its MSS is 64 KB), and a
 * server whose writes block must be seen blocking. */
static size_t slow_total(void)
{
	unsigned long lo, def, max = 4ul << 20;
	FILE *f = fopen("/proc/sys/net/ipv4/tcp_wmem", "r");
	size_t n;

	if (f != NULL) {
		if (fscanf(f, "%lu %lu %lu", &lo, &def, &max) != 3)
			max = 4ul << 20;
		fclose(f);
	}
	n = ((size_t)1 << 20) + (size_t)max;
	n = n > SLOW_MAX ? SLOW_MAX : n;
	return n - n % SLOW_LINE;
}

/* The o-th byte the slow client sends: 64-byte lines "0000123 defg...\n". */
static char slow_byte(size_t o)
{
	size_t line = o / SLOW_LINE, col = o % SLOW_LINE;
	static const char digits[] = "0123456789";

	if (col == SLOW_LINE - 1)
		return '\n';
	if (col == 7)
		return ' ';
	if (col < 7) {
		for (size_t k = 6; k > col; k--)
			line /= 10;
		return digits[line % 10];
	}
	return (char)('a' + (line + col) % 26);
}

struct slow {
	struct ex_client c;
	size_t total, sent, back;
	char buf[16384];
};

static void slow_send(struct ex_result *r, struct slow *s)
{
	while (s->sent < s->total) {
		size_t n = s->total - s->sent < sizeof s->buf ? s->total - s->sent : sizeof s->buf;
		ssize_t k;

		for (size_t i = 0; i < n; i++)
			s->buf[i] = slow_byte(s->sent + i);
		k = send(s->c.fd, s->buf, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (k <= 0)
			break;
		s->sent += (size_t)k;
	}
	r->slow_sent = s->sent;
}

/* Read what came back: 1 some, 0 none, -1 the connection ended. */
static int slow_recv(struct ex_result *r, struct slow *s)
{
	ssize_t k = recv(s->c.fd, s->buf, sizeof s->buf, MSG_DONTWAIT);

	if (k == 0 || (k < 0 && errno != EAGAIN && errno != EINTR))
		return -1;
	if (k < 0)
		return 0;
	for (ssize_t i = 0; i < k; i++)
		if (r->slow_bad_at == SIZE_MAX && s->buf[i] != slow_byte(s->back + (size_t)i))
			r->slow_bad_at = s->back + (size_t)i;
	s->back += (size_t)k;
	r->slow_back = s->back;
	return 1;
}

/* Client 2's ping while the slow client is in the way. */
struct ping {
	struct ex_client c;
	int64_t t0;
	bool sent, done;
};

/* A reply within EX_LATE_NS is on time; none by deadline: it gave up. */
static void ping_poll(struct ex_ctx *x, struct ping *p, int other, int64_t deadline)
{
	char got[256];

	if (!p->sent || p->done)
		return;
	if (ex__line(&p->c, got, sizeof got, now()) == 1) {
		int64_t at = now();
		bool late = at - p->t0 > EX_LATE_NS;

		p->done = true;
		add_wait(x, 2, other, p->t0, late ? p->t0 + EX_LATE_NS : at, late);
	} else if (now() >= deadline) {
		p->done = true;
		add_wait(x, 2, other, p->t0, p->t0 + EX_LATE_NS, true);
	}
}

int ex__play_slow_reader(struct ex_ctx *x)
{
	struct ex_result *r = x->r;
	struct slow *s = calloc(1, sizeof *s);
	struct ping p = { .sent = false };
	int64_t t0 = now(), moved;

	if (s == NULL)
		return -ENOMEM;
	r->slow_client = 1;
	r->slow_total = s->total = slow_total();
	x->rcvbuf = 4096;       /* a small window: the server's writes fill up soon */
	(void)ex__connect(x, &s->c, 1);
	x->rcvbuf = 0;
	/* For 1.5 s it sends and never reads; client 2 pings after 0.1 s. */
	while (now() - t0 < 1500 * MS) {
		slow_send(r, s);
		if (!p.sent && now() - t0 >= 100 * MS) {
			(void)ex__connect(x, &p.c, 2);
			p.t0 = now();
			p.sent = ex__send(&p.c, "ping from 2\n", 12, p.t0 + 100 * MS) == 0;
		}
		ping_poll(x, &p, 1, INT64_MAX);
		(void)ex__wait_fd(s->c.fd, POLLOUT, now() + 10 * MS);
	}
	/* Then it reads everything, as long as bytes keep coming. */
	for (moved = now(); s->back < s->total && now() - moved < 2 * EX_LATE_NS;) {
		size_t before = s->sent + s->back;

		slow_send(r, s);
		if (slow_recv(r, s) < 0)
			break;
		ping_poll(x, &p, 1, INT64_MAX);
		if (s->sent + s->back != before)
			moved = now();
		else
			(void)ex__wait_fd(s->c.fd, s->sent < s->total ? POLLIN | POLLOUT : POLLIN,
					  now() + 20 * MS);
	}
	ex__close(&s->c);
	/* A one-at-a-time server gets to client 2 only now. */
	for (int64_t end = now() + EX_GIVE_UP_NS; p.sent && !p.done;) {
		ping_poll(x, &p, 1, end);
		if (!p.done)
			(void)ex__wait_fd(p.c.fd, POLLIN, now() + 20 * MS);
	}
	ex__close(&p.c);
	free(s);
	return 0;
}
