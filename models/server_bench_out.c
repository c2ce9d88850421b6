/* server_bench_out.c: the server bench's options parsed, and its results
 * written as a table with two log-scale charts, or as CSV. */
#include <errno.h>
#include <langinfo.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "models/model.h"
#include "models/mux_bench.h"
#include "models/server_bench_int.h"

const char *const sb__default_models[SB_NDEFAULT] = {
	"process-per-conn", "thread-per-conn", "thread-pool", "coroutines", "epoll",
};

/* ---- options --------------------------------------------------------------- */

static int fail(char *cause, size_t len, const char *what, const char *s, size_t n)
{
	snprintf(cause, len, "%s, got '%.*s'", what, (int)(n > 40 ? 40 : n), s);
	return -EINVAL;
}

int server_bench_parse_conns(const char *s, int *out, int max, char *cause,
			     size_t len)
{
	int n = mux_bench_parse_list(s, out, max, cause, len);

	for (int i = 0; i < n; i++)
		if (out[i] > SERVER_BENCH_MAX_CONNS) {
			char v[16];

			snprintf(v, sizeof v, "%d", out[i]);
			return fail(cause, len, "expected at most 65535 connections",
				    v, strlen(v));
		}
	return n;
}

/* The static name for name[0..n): a default one, or a model of this build
 * that serves echo; NULL when neither. */
static const char *server_name(const char *name, size_t n)
{
	model_table_init();
	for (int i = 0; i < SB_NDEFAULT; i++)
		if (strlen(sb__default_models[i]) == n &&
		    strncmp(name, sb__default_models[i], n) == 0)
			return sb__default_models[i];
	for (int i = 0; i < model_count; i++)
		if (strlen(model_table[i]->name) == n &&
		    strncmp(name, model_table[i]->name, n) == 0 &&
		    (model_table[i]->roles & MODEL_ROLE_ECHO))
			return model_table[i]->name;
	return NULL;
}

int server_bench_parse_models(const char *s, const char **out, int max,
			      char *cause, size_t len)
{
	static const char what[] = "expected a comma-separated list of server "
		"models (process-per-conn, thread-per-conn, thread-pool, coroutines, "
		"epoll, or another that serves echo)";
	const char *p = s, *name;
	int n = 0;
	size_t k;

	if (s == NULL || *s == '\0')
		return fail(cause, len, what, "", 0);
	for (;; p += k + 1) {
		k = strcspn(p, ",");
		if ((name = server_name(p, k)) == NULL)
			return fail(cause, len, what, k ? p : s, k ? k : strlen(s));
		for (int i = 0; i < n; i++)
			if (out[i] == name)
				return fail(cause, len, "each model at most once", s, strlen(s));
		if (n == max)
			return fail(cause, len, "too many models", s, strlen(s));
		out[n++] = name;
		if (p[k] == '\0')
			return n;
	}
}

/* ---- the table ------------------------------------------------------------- */

static void put_row(FILE *out, const char *name, int conns, const struct sb_cell *c)
{
	if (!c->measured) {
		fprintf(out, "%-16s %5d %7s %7s %6s %6s %6s %6s %4s  %s%s\n", name, conns,
			"-", "-", "-", "-", "-", "-", "-", c->note[0] ? "skipped: " : "",
			c->note);
		return;
	}
	fprintf(out, "%-16s %5d %7d %7ld %6lld %6.0f %6.0f %6.0f %4.1f%s%s\n", name,
		conns, c->threads, c->rss_kb, c->ctx, c->p50_us, c->p99_us, c->rps,
		c->secs, c->note[0] ? "  " : "", c->note);
}

/* A bar of value on a log scale from base, 10 columns a decade. */
static void put_bar(FILE *out, const char *bar, double value, double base)
{
	int n = value > base ? (int)(10.0 * log10(value / base) + 0.5) : 0;

	for (int k = 0; k < n && k < 60; k++)
		fputs(bar, out);
}

static void put_us(FILE *out, double us)
{
	if (us >= 1e6)
		fprintf(out, " %.1f s\n", us / 1e6);
	else if (us >= 1e3)
		fprintf(out, " %.1f ms\n", us / 1e3);
	else
		fprintf(out, " %.0f µs\n", us);
}

static void put_kb(FILE *out, double kb)
{
	if (kb >= 1024 * 1024)
		fprintf(out, " %.1f GB\n", kb / (1024 * 1024));
	else if (kb >= 1024)
		fprintf(out, " %.1f MB\n", kb / 1024);
	else
		fprintf(out, " %.0f kB\n", kb);
}

/* Whether model j was measured at some size (a model not in this build
 * stays out of the charts). */
static bool charted(const struct sb_plan *pl, int j)
{
	for (int si = 0; si < pl->nsizes; si++)
		if (pl->cell[j][si].measured)
			return true;
	return false;
}

/* One chart: per size, a bar per model (what = 0: p99, 1: memory). */
static void put_chart(FILE *out, const struct sb_plan *pl, int what)
{
	const char *cs = nl_langinfo(CODESET);
	const char *bar = cs != NULL && strcmp(cs, "UTF-8") == 0 ? "█" : "#";

	/* The marks stand over the bars: a bar starts in column 32, and each
	 * 10 columns is ten times more. */
	if (what == 0)
		fputs("\np99 latency, log scale: ten columns is ten times longer\n"
		      "                               |10 µs    |100 µs   |1 ms     |10 ms\n", out);
	else
		fputs("\nserver memory, log scale: ten columns is ten times more\n"
		      "                               |100 kB   |1 MB     |10 MB    |100 MB\n", out);
	for (int si = 0; si < pl->nsizes; si++)
		for (int j = 0, first = 1; j < pl->nmodels; j++) {
			const struct sb_cell *c = &pl->cell[j][si];

			if (!charted(pl, j))
				continue;
			if (first) {
				first = 0;
				fprintf(out, "%6d conns  %-16s ", pl->conns[si], pl->names[j]);
			} else {
				fprintf(out, "%14s%-16s ", "", pl->names[j]);
			}
			if (!c->measured) {
				fputs("(skipped)\n", out);
				continue;
			}
			put_bar(out, bar, what == 0 ? c->p99_us : (double)c->rss_kb,
				what == 0 ? 10.0 : 100.0);
			if (what == 0)
				put_us(out, c->p99_us);
			else
				put_kb(out, (double)c->rss_kb);
		}
}

void sb__put_table(FILE *out, const struct sb_plan *pl, double secs)
{
	fprintf(out, "Echo servers under N connections: each sends a %d-byte line every\n"
		"N/%d s, at most one waiting for its echo (%d requests/s at every N).\n"
		"Over %.0f s once all N are connected: threads and memory (Pss, summed\n"
		"over the server's processes) at its end, context switches during it\n"
		"(voluntary + involuntary, every thread), latency of each echo (µs).\n\n",
		SERVER_BENCH_REQ, SERVER_BENCH_RATE, SERVER_BENCH_RATE,
		SERVER_BENCH_WINDOW_MS / 1000.0);
	fprintf(out, "%-16s %5s %7s %7s %6s %6s %6s %6s %4s  %s\n", "model", "conns",
		"threads", "rss_kb", "ctx_sw", "p50_us", "p99_us", "reqs/s", "secs",
		"note");
	for (int j = 0; j < pl->nmodels; j++)
		for (int si = 0; si < pl->nsizes; si++)
			put_row(out, pl->names[j], pl->conns[si], &pl->cell[j][si]);
	put_chart(out, pl, 0);
	put_chart(out, pl, 1);
	fprintf(out, "took %.1f s; one machine's numbers: compare the rows, not "
		"machines\n", secs);
}

/* ---- CSV ------------------------------------------------------------------- */

void sb__put_csv(FILE *out, const struct sb_plan *pl)
{
	fputs("model,conns,threads,rss_kb,ctx_switches,p50_us,p99_us,reqs_per_s,note\n",
	      out);
	for (int j = 0; j < pl->nmodels; j++)
		for (int si = 0; si < pl->nsizes; si++) {
			const struct sb_cell *c = &pl->cell[j][si];

			fprintf(out, "%s,%d,", pl->names[j], pl->conns[si]);
			if (!c->measured)
				fprintf(out, ",,,,,,\"skipped: %s\"\n", c->note);
			else if (c->note[0] != '\0')
				fprintf(out, "%d,%ld,%lld,%.0f,%.0f,%.0f,\"%s\"\n", c->threads,
					c->rss_kb, c->ctx, c->p50_us, c->p99_us, c->rps, c->note);
			else
				fprintf(out, "%d,%ld,%lld,%.0f,%.0f,%.0f,\n", c->threads,
					c->rss_kb, c->ctx, c->p50_us, c->p99_us, c->rps);
		}
}
