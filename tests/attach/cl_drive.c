/* cl_drive.c: the clients the attach tests play against a server.
 *
 *   cl_drive PORT [--clients N] [--lines K] [--idle M] [--slow] [--chat]
 *                 [--delay D] [--pause P] [--timeout S]
 *
 * Opens N connections to 127.0.0.1:PORT at once (then M idle ones that
 * stay connected and say nothing), and plays them all from one poll loop:
 *
 *   echo (default): each client sends K lines, one at a time, and checks
 *     that the server sends each back before it sends the next; a client
 *     that is done closes its connection (so a server that serves one
 *     client at a time gets to the next).
 *   --chat: the server broadcasts each line to the other clients.  The
 *     clients first exchange "sync" lines until every client has heard
 *     every other one (a server only broadcasts to those it has accepted),
 *     then each sends K lines and checks that it receives every other
 *     client's lines, in their order, and never its own.
 *   --slow: client 1 sends each line in three pieces, 30 ms apart.
 *   --delay D: each client waits D ms after connecting before its first
 *     line (a server blocked in recv for that long).
 *   --pause P: each client thinks P ms before each of its lines after the
 *     first (a person typing: the server waits for every line).
 *
 * Every wait is bounded by --timeout (seconds, default 10).  Exit 0 when
 * every reply was right; 1 with one line on stderr saying what was wrong;
 * 2 on bad usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 256
#define LINE_MAX_LEN 80
#define PIECE_GAP_MS 30
#define SYNC_EVERY_MS 50

struct opts {
	int port, clients, lines, idle, delay_ms, pause_ms, timeout_s;
	bool slow, chat;
};

struct conn {
	int fd, id;                /* id: 1.. for clients, 0 for idle ones */
	bool idle, done, eof;
	int64_t start_at;          /* --delay: no line before this */
	/* sending */
	int line;                  /* next line to send (0..lines) */
	char out[LINE_MAX_LEN];
	size_t out_len, out_off;   /* the line being sent, bytes sent */
	int piece;                 /* slow: pieces of it sent */
	int64_t piece_at;          /* slow: when the next piece may go */
	/* receiving */
	char in[4096];
	size_t in_len;
	int echoed;                /* echo: lines echoed back correctly */
	int heard[MAX_CONNS + 1];  /* chat: lines heard from each client */
	bool synced[MAX_CONNS + 1];   /* chat: a sync heard from each */
	int heard_total;
	int64_t sync_at;           /* chat: when to send the next sync */
};

static struct opts o = { .clients = 1, .lines = 3, .timeout_s = 10 };
static struct conn conns[MAX_CONNS];
static int nconns;
static bool all_synced;

/* Times are in microseconds: --delay is what the truth test measures. */
static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void fail(const char *fmt, ...)
{
	va_list ap;

	fputs("cl_drive: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* The backstop: a wait the poll loop does not bound (connect). */
static void on_alarm(int sig)
{
	static const char msg[] = "cl_drive: timed out (alarm)\n";

	(void)sig;
	(void)!write(2, msg, sizeof msg - 1);
	_exit(1);
}

static void usage(void)
{
	fputs("usage: cl_drive PORT [--clients N] [--lines K] [--idle M] "
	      "[--slow] [--chat] [--delay D] [--pause P] [--timeout S]\n", stderr);
	exit(2);
}

static int num(const char *s, int lo, int hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		usage();
	return (int)v;
}

static void parse(int argc, char **argv)
{
	if (argc < 2)
		usage();
	o.port = num(argv[1], 1, 65535);
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		bool has = i + 1 < argc;

		if (!strcmp(a, "--slow")) o.slow = true;
		else if (!strcmp(a, "--chat")) o.chat = true;
		else if (!has) usage();
		else if (!strcmp(a, "--clients")) o.clients = num(argv[++i], 1, 64);
		else if (!strcmp(a, "--lines")) o.lines = num(argv[++i], 1, 1000);
		else if (!strcmp(a, "--idle")) o.idle = num(argv[++i], 0, 64);
		else if (!strcmp(a, "--delay")) o.delay_ms = num(argv[++i], 0, 600000);
		else if (!strcmp(a, "--pause")) o.pause_ms = num(argv[++i], 0, 600000);
		else if (!strcmp(a, "--timeout")) o.timeout_s = num(argv[++i], 1, 3600);
		else usage();
	}
	if (o.chat && o.clients < 2) {
		fputs("cl_drive: --chat needs --clients 2 or more\n", stderr);
		exit(2);
	}
}

static int dial(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(o.port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		fail("socket: %s", strerror(errno));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		fail("connect to port %d: %s", o.port, strerror(errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
		fail("fcntl: %s", strerror(errno));
	return fd;
}

static void open_all(void)
{
	nconns = o.clients + o.idle;
	if (nconns > MAX_CONNS)
		usage();
	/* The clients first: a server that serves one at a time takes them
	 * in the order they connected, and the idle ones would stall it. */
	for (int i = 0; i < nconns; i++) {
		struct conn *c = &conns[i];

		c->fd = dial();
		c->idle = i >= o.clients;
		c->id = c->idle ? 0 : i + 1;
		c->done = c->idle;
		c->start_at = now_us() + (int64_t)o.delay_ms * 1000;
	}
}

static void make_line(struct conn *c)
{
	int n;

	if (o.chat)
		n = snprintf(c->out, sizeof c->out, "c%d l%d hello from client %d\n",
			     c->id, c->line, c->id);
	else
		n = snprintf(c->out, sizeof c->out, "client %d line %d: the quick brown fox\n",
			     c->id, c->line);
	c->out_len = (size_t)n;
	c->out_off = 0;
	c->piece = 0;
	if (c->line > 0)
		c->piece_at = now_us() + (int64_t)o.pause_ms * 1000;
}

/* The end of the next piece to send: the whole line, or a third of it. */
static size_t piece_end(const struct conn *c)
{
	if (!(o.slow && c->id == 1))
		return c->out_len;
	if (c->piece >= 2)
		return c->out_len;
	return c->out_len * (size_t)(c->piece + 1) / 3;
}

static void send_some(struct conn *c, int64_t t)
{
	size_t end = piece_end(c);
	ssize_t n;

	if (t < c->piece_at)
		return;
	n = send(c->fd, c->out + c->out_off, end - c->out_off, MSG_NOSIGNAL);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n < 0)
		fail("client %d: send of line %d: %s", c->id, c->line, strerror(errno));
	c->out_off += (size_t)n;
	if (c->out_off == end && end < c->out_len) {
		c->piece++;
		c->piece_at = t + PIECE_GAP_MS * 1000;
	}
}

static bool sending(const struct conn *c)
{
	return c->out_off < c->out_len;
}

static void send_sync(struct conn *c)
{
	char buf[32];
	int n = snprintf(buf, sizeof buf, "sync c%d\n", c->id);

	/* Small and rare: the socket's buffer always has room. */
	if (send(c->fd, buf, (size_t)n, MSG_NOSIGNAL) != n)
		fail("client %d: send of a sync line: %s", c->id, strerror(errno));
}

/* echo: the bytes back so far must be the start of the line sent. */
static void check_echo(struct conn *c)
{
	size_t n = c->in_len < c->out_len ? c->in_len : c->out_len;

	if (memcmp(c->in, c->out, n) != 0 || c->in_len > c->out_len) {
		size_t shown = c->in_len;

		if (shown > 0 && c->in[shown - 1] == '\n')
			shown--;
		fail("client %d: line %d came back as '%.*s', wanted '%.*s'",
		     c->id, c->line, (int)shown, c->in, (int)c->out_len - 1, c->out);
	}
	if (c->in_len < c->out_len || sending(c))
		return;
	c->echoed++;
	c->in_len = 0;
	c->line++;
	if (c->line == o.lines) {
		c->done = true;
		close(c->fd);
		c->fd = -1;
		return;
	}
	make_line(c);
}

static void chat_line(struct conn *c, const char *s, size_t len)
{
	int from, line;

	if (sscanf(s, "sync c%d", &from) == 1 && from >= 1 && from <= o.clients) {
		if (from == c->id)
			fail("client %d: got its own sync line back", c->id);
		c->synced[from] = true;
		return;
	}
	if (sscanf(s, "c%d l%d", &from, &line) != 2 || from < 1 || from > o.clients)
		fail("client %d: got '%.*s', which no client sent", c->id, (int)len, s);
	if (from == c->id)
		fail("client %d: got its own line back: '%.*s'", c->id, (int)len, s);
	if (line != c->heard[from])
		fail("client %d: from client %d got line %d, wanted line %d",
		     c->id, from, line, c->heard[from]);
	c->heard[from]++;
	c->heard_total++;
}

static void check_chat(struct conn *c)
{
	char *nl;

	while ((nl = memchr(c->in, '\n', c->in_len)) != NULL) {
		size_t len = (size_t)(nl - c->in);

		chat_line(c, c->in, len);
		memmove(c->in, nl + 1, c->in_len - len - 1);
		c->in_len -= len + 1;
	}
	if (c->in_len == sizeof c->in)
		fail("client %d: a line longer than %zu bytes", c->id, sizeof c->in);
}

static bool chat_done(const struct conn *c)
{
	return c->line == o.lines && !sending(c) &&
	       c->heard_total == (o.clients - 1) * o.lines;
}

static void receive(struct conn *c)
{
	ssize_t n;

	if (c->idle) {          /* idle ones drain what a chat sends them */
		char junk[4096];

		while ((n = recv(c->fd, junk, sizeof junk, 0)) > 0)
			;
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
			close(c->fd);   /* the server let it go: not ours to judge */
			c->fd = -1;
		}
		return;
	}
	n = recv(c->fd, c->in + c->in_len, sizeof c->in - c->in_len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n < 0)
		fail("client %d: recv: %s", c->id, strerror(errno));
	if (n == 0) {
		c->eof = true;
		fail("client %d: the server closed the connection after %d of %d lines",
		     c->id, o.chat ? c->heard_total : c->echoed,
		     o.chat ? (o.clients - 1) * o.lines : o.lines);
	}
	c->in_len += (size_t)n;
	if (o.chat)
		check_chat(c);
	else
		check_echo(c);
}

static void update_sync(int64_t t)
{
	bool all = true;

	for (int i = 0; i < o.clients; i++)
		for (int j = 1; j <= o.clients; j++)
			if (j != conns[i].id && !conns[i].synced[j])
				all = false;
	if (all) {
		all_synced = true;
		return;
	}
	for (int i = 0; i < o.clients; i++) {
		struct conn *c = &conns[i];

		if (t >= c->sync_at && t >= c->start_at) {
			send_sync(c);
			c->sync_at = t + SYNC_EVERY_MS * 1000;
		}
	}
}

/* What to send now, for one client. */
static void advance(struct conn *c, int64_t t)
{
	if (c->done || t < c->start_at)
		return;
	if (o.chat) {
		if (!all_synced)
			return;
		if (!sending(c) && c->line < o.lines) {
			make_line(c);
			c->line++;
		}
	} else if (c->out_len == 0) {
		make_line(c);
	}
	if (sending(c))
		send_some(c, t);
	if (o.chat && chat_done(c))
		c->done = true;
}

static void describe_wait(char *buf, size_t size)
{
	for (int i = 0; i < o.clients; i++) {
		const struct conn *c = &conns[i];

		if (c->done)
			continue;
		if (o.chat && !all_synced)
			snprintf(buf, size, "client %d had not heard every other client "
				 "(a server that does not broadcast?)", c->id);
		else if (o.chat)
			snprintf(buf, size, "client %d had heard %d of %d lines", c->id,
				 c->heard_total, (o.clients - 1) * o.lines);
		else
			snprintf(buf, size, "client %d was waiting for line %d back "
				 "(%zu of %zu bytes)", c->id, c->line, c->in_len, c->out_len);
		return;
	}
	snprintf(buf, size, "nothing left to do");
}

/* The poll timeout in ms, rounded up: the next piece, sync or delay, or
 * the deadline. */
static int next_wait(int64_t t, int64_t deadline)
{
	int64_t next = deadline;

	for (int i = 0; i < o.clients; i++) {
		const struct conn *c = &conns[i];

		if (c->done)
			continue;
		if (c->start_at > t && c->start_at < next)
			next = c->start_at;
		if (sending(c) && c->piece_at > t && c->piece_at < next)
			next = c->piece_at;
		if (o.chat && !all_synced) {
			int64_t at = c->sync_at > c->start_at ? c->sync_at : c->start_at;

			if (at < next)
				next = at > t ? at : t;
		}
	}
	return (int)((next - t + 999) / 1000);
}

static bool all_done(void)
{
	for (int i = 0; i < o.clients; i++)
		if (!conns[i].done)
			return false;
	return true;
}

static void run(void)
{
	int64_t deadline = now_us() + (int64_t)o.timeout_s * 1000000;
	struct pollfd pf[MAX_CONNS];

	for (;;) {
		int64_t t = now_us();
		int n = 0;
		char why[160];

		if (o.chat && !all_synced)
			update_sync(t);
		for (int i = 0; i < o.clients; i++)
			advance(&conns[i], t);
		if (all_done())
			return;
		if (t >= deadline) {
			describe_wait(why, sizeof why);
			fail("timed out after %d s: %s", o.timeout_s, why);
		}
		for (int i = 0; i < nconns; i++) {
			if (conns[i].fd < 0)
				continue;
			pf[n].fd = conns[i].fd;
			pf[n].events = POLLIN;
			if (!conns[i].done && sending(&conns[i]) && t >= conns[i].piece_at)
				pf[n].events |= POLLOUT;
			n++;
		}
		if (poll(pf, (nfds_t)n, next_wait(t, deadline)) < 0 && errno != EINTR)
			fail("poll: %s", strerror(errno));
		for (int i = 0, k = 0; i < nconns; i++) {
			if (conns[i].fd < 0)
				continue;
			if (pf[k++].revents & (POLLIN | POLLHUP | POLLERR))
				receive(&conns[i]);
		}
	}
}

int main(int argc, char **argv)
{
	parse(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, on_alarm);
	alarm((unsigned)o.timeout_s + 2);
	open_all();
	run();
	for (int i = 0; i < nconns; i++)
		if (conns[i].fd >= 0)
			close(conns[i].fd);
	return 0;
}
