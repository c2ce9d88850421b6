/* mux_bench_out.c: the benchmark's options parsed, and its results written
 * as a table (with the ratios and the skip and noise notes) or as CSV. */
#include <errno.h>
#include <langinfo.h>
#include <math.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "models/mux_bench_int.h"

#define NOISY_PCT 25

const char *const mux_bench__model_name[MUX_BENCH_MAX_MODELS] = {
	"select", "poll", "epoll"
};

/* Output. */

/* One line of cells: model j's figure t at each size, or with e >= 0 the
 * ratio of j's total to e's. */
static void put_cells(FILE *out, const struct plan *pl, const char *label,
		      int j, int t, int e)
{
	double x;

	fprintf(out, "%-16s", label);
	for (int si = 0; si < pl->nsizes; si++) {
		if (pl->skip[j][si][0] || (e >= 0 && pl->skip[e][si][0])) {
			fprintf(out, " %8s", "-");
			continue;
		}
		if (e < 0) {
			fprintf(out, " %8" PRId64, pl->fin[j][si][t]);
			continue;
		}
		x = (double)pl->fin[j][si][0] / (double)pl->fin[e][si][0];
		fprintf(out, x >= 100 ? " %7.0fx" : " %7.1fx", x);
	}
	fputc('\n', out);
}

/* epoll at its largest measured size over its smallest. */
static void put_flat(FILE *out, const struct plan *pl, int e)
{
	int lo = -1, hi = -1;

	for (int si = 0; si < pl->nsizes; si++) {
		if (pl->skip[e][si][0] != '\0' || pl->li[si] != 0)
			continue;      /* the first low's cases only */
		if (lo < 0 || pl->fds[si] < pl->fds[lo])
			lo = si;
		if (hi < 0 || pl->fds[si] > pl->fds[hi])
			hi = si;
	}
	if (lo >= 0 && pl->fds[hi] > pl->fds[lo])
		fprintf(out, "epoll at %d fds / epoll at %d fds: %.2fx\n",
			pl->fds[hi], pl->fds[lo],
			(double)pl->fin[e][hi][0] / (double)pl->fin[e][lo][0]);
}

/* Each model at the highest low over the lowest, per size, in total and
 * the syscall alone: nfds grew, the watched count did not. */
static void put_lows(FILE *out, const struct plan *pl)
{
	int hi = 0, lo = 0, a, b;

	for (int li = 1; li < pl->nlows; li++) {
		hi = pl->lows[li] > pl->lows[hi] ? li : hi;
		lo = pl->lows[li] < pl->lows[lo] ? li : lo;
	}
	if (pl->lows[hi] == pl->lows[lo])
		return;
	for (int j = 0; j < pl->nmodels; j++) {
		const char *sep = ":";

		fprintf(out, "%s, low %d / low %d", mux_bench__model_name[pl->model[j]],
			pl->lows[hi], pl->lows[lo]);
		for (int si = 0; si < pl->nsizes; si += pl->nlows) {
			a = si + hi;
			b = si + lo;
			if (pl->skip[j][a][0] || pl->skip[j][b][0])
				fprintf(out, "%s - at %d fds", sep, pl->fds[si]);
			else
				fprintf(out, "%s %.2fx at %d fds (syscall %.2fx)", sep,
					(double)pl->fin[j][a][T_TOTAL] / (double)pl->fin[j][b][T_TOTAL],
					pl->fds[si],
					(double)pl->fin[j][a][T_SYS] / (double)pl->fin[j][b][T_SYS]);
			sep = ",";
		}
		fputc('\n', out);
	}
}

/* Skips (a size that did not fit once, not once per model), then the
 * noisy figures on one line. */
static void put_notes(FILE *out, const struct plan *pl)
{
	const char *sep = "noisy: spread";

	for (int si = 0; si < pl->nsizes; si++)
		for (int j = 0; j < pl->nmodels; j++)
			if (pl->size_skip[si] && j == 0 && pl->li[si] == 0)
				fprintf(out, "%d fds: skipped, %s\n", pl->fds[si],
					pl->skip[j][si]);
			else if (!pl->size_skip[si] && pl->skip[j][si][0])
				fprintf(out, "%s: skipped at %d fds: %s\n",
					mux_bench__model_name[pl->model[j]], pl->fds[si],
					pl->skip[j][si]);
	for (int j = 0; j < pl->nmodels; j++)
		for (int si = 0; si < pl->nsizes; si++)
			if (!pl->skip[j][si][0] && pl->spread[j][si] > NOISY_PCT) {
				fprintf(out, "%s %.0f%% at %s/%d", sep,
					pl->spread[j][si],
					mux_bench__model_name[pl->model[j]],
					pl->fds[si]);
				sep = ",";
			}
	if (sep[0] == ',')
		fputs("; rerun on a quiet machine\n", out);
}

/* The totals as bars on a log scale, 10 columns a decade from 100 ns: a
 * line that stays the same length (epoll) beside lines that grow (select,
 * poll) is the lesson. */
static void put_chart(FILE *out, const struct plan *pl)
{
	const char *cs = nl_langinfo(CODESET);
	const char *bar = cs != NULL && strcmp(cs, "UTF-8") == 0 ? "█" : "#";
	char d[32];

	fprintf(out, "\none wait, log scale: each 10 columns is ten times longer "
		"(|100 ns |1 µs |10 µs |100 µs |1 ms |10 ms)\n");
	for (int si = 0; si < pl->nsizes; si++)
		for (int j = 0; j < pl->nmodels; j++) {
			int64_t ns = pl->fin[j][si][T_TOTAL];
			int n = ns > 100 ? (int)(10.0 * log10((double)ns / 100.0) + 0.5) : 0;

			if (j == 0)
				fprintf(out, "%6d fds  %-6s ", pl->fds[si], mux_bench__model_name[pl->model[j]]);
			else
				fprintf(out, "%12s%-6s ", "", mux_bench__model_name[pl->model[j]]);
			if (pl->skip[j][si][0] != '\0' || ns <= 0) {
				fprintf(out, "(skipped)\n");
				continue;
			}
			for (int k = 0; k < n && k < 60; k++)
				fputs(bar, out);
			snprintf(d, sizeof d, "%lld ns", (long long)ns);
			if (ns >= 1000000)
				snprintf(d, sizeof d, "%.1f ms", ns / 1e6);
			else if (ns >= 1000)
				snprintf(d, sizeof d, "%.1f µs", ns / 1e3);
			if (pl->lows_given)
				fprintf(out, " %s, fds up to %d\n", d, pl->maxfd[si]);
			else
				fprintf(out, " %s\n", d);
		}
}

void mux_bench__put_table(FILE *out, const struct plan *pl, double secs)
{
	static const char *const part[] = { "total", "syscall", "userspace" };
	char label[32];
	int e = -1;

	fprintf(out, "One wait that finds 1 ready socket among N watched: "
		"ns, median of %d rounds x %d waits\n"
		"total = syscall (inside select, poll or epoll_wait) + userspace (the "
		"program's own work\nper wait: select and poll rebuild their set and "
		"scan what came back)\n\n%-16s", pl->rounds, BATCH, "N watched fds");
	for (int si = 0; si < pl->nsizes; si++)
		fprintf(out, " %8d", pl->fds[si]);
	fputc('\n', out);
	if (pl->lows_given) {       /* where they sat: select's nfds - 1 */
		fprintf(out, "%-16s", "fds from (low)");
		for (int si = 0; si < pl->nsizes; si++)
			fprintf(out, " %8d", pl->low[si]);
		fprintf(out, "\n%-16s", "highest fd");
		for (int si = 0; si < pl->nsizes; si++)
			if (pl->maxfd[si] >= 0)
				fprintf(out, " %8d", pl->maxfd[si]);
			else
				fprintf(out, " %8s", "-");
		fputc('\n', out);
	}
	for (int j = 0; j < pl->nmodels; j++) {
		for (int t = 0; t < 3; t++) {
			snprintf(label, sizeof label, "%-7s %s",
				 t ? "" : mux_bench__model_name[pl->model[j]], part[t]);
			put_cells(out, pl, label, j, t, -1);
		}
		if (pl->model[j] == M_EPOLL)
			e = j;
	}
	fputc('\n', out);
	for (int j = 0; e >= 0 && j < pl->nmodels; j++) {
		if (j == e)
			continue;
		snprintf(label, sizeof label, "%s/epoll",
			 mux_bench__model_name[pl->model[j]]);
		put_cells(out, pl, label, j, 0, e);
	}
	if (e >= 0)
		put_flat(out, pl, e);
	if (pl->nlows > 1)
		put_lows(out, pl);
	put_notes(out, pl);
	put_chart(out, pl);
	fprintf(out, "took %.1f s\n", secs);
}

void mux_bench__put_csv(FILE *out, const struct plan *pl)
{
	fputs("model,fds,low,maxfd,median_ns,syscall_ns,user_ns,spread_pct,"
	      "rounds,note\n", out);
	for (int j = 0; j < pl->nmodels; j++) {
		for (int si = 0; si < pl->nsizes; si++) {
			const int64_t *f = pl->fin[j][si];

			fprintf(out, "%s,%d,%d,", mux_bench__model_name[pl->model[j]],
				pl->fds[si], pl->low[si]);
			if (pl->skip[j][si][0] != '\0')
				fprintf(out, ",,,,,%d,\"skipped: %s\"\n",
					pl->rounds, pl->skip[j][si]);
			else
				fprintf(out, "%d,%" PRId64 ",%" PRId64 ",%" PRId64
					",%.1f,%d,%s\n", pl->maxfd[si], f[0], f[1], f[2],
					pl->spread[j][si], pl->rounds,
					pl->spread[j][si] > NOISY_PCT ?
					"noisy" : "");
		}
	}
}

/* Options and parsing. */

int mux_bench__model_index(const char *name, size_t n)
{
	for (int m = 0; m < MUX_BENCH_MAX_MODELS; m++)
		if (strlen(mux_bench__model_name[m]) == n &&
		    strncmp(name, mux_bench__model_name[m], n) == 0)
			return m;
	return -1;
}

int mux_bench__fail(char *cause, size_t len, const char *what, const char *s,
		    size_t n)
{
	snprintf(cause, len, "%s, got '%.*s'", what, (int)(n > 40 ? 40 : n), s);
	return -EINVAL;
}

/* Comma-separated integers from lo to hi; what says so in the message. */
static int parse_ints(const char *s, int *out, int max, long long lo,
		      long long hi, const char *what, char *cause, size_t len)
{
	const char *p = s;
	long long v;
	size_t k;
	int n = 0;

	for (; s != NULL; p += k + 1) {
		k = strcspn(p, ",");
		v = k > 0 && k < 11 ? 0 : -1;
		for (size_t i = 0; i < k && v >= 0; i++)
			v = p[i] >= '0' && p[i] <= '9' ? v * 10 + p[i] - '0' : -1;
		if (v < lo || v > hi)
			return mux_bench__fail(cause, len, what, k ? p : s,
					       k ? k : strlen(s));
		if (n == max)
			return mux_bench__fail(cause, len, "too many values", s,
					       strlen(s));
		out[n++] = (int)v;
		if (p[k] == '\0')
			return n;
	}
	return mux_bench__fail(cause, len, what, "", 0);
}

int mux_bench_parse_list(const char *s, int *out, int max, char *cause,
			 size_t len)
{
	return parse_ints(s, out, max, 1, INT_MAX, "expected a comma-separated "
			  "list of positive integers", cause, len);
}

int mux_bench_parse_lows(const char *s, int *out, int max, char *cause,
			 size_t len)
{
	char what[96];

	snprintf(what, sizeof what, "expected a comma-separated list of "
		 "descriptor numbers from 0 to %d", MUX_BENCH_MAX_LOW);
	return parse_ints(s, out, max, 0, MUX_BENCH_MAX_LOW, what, cause, len);
}

int mux_bench_parse_models(const char *s, const char **out, int max,
			   char *cause, size_t len)
{
	const char *p = s;
	int n = 0, m, seen = 0;
	size_t k;

	if (s == NULL || *s == '\0')
		return mux_bench__fail(cause, len, "expected a comma-separated "
				       "list of select, poll and epoll", "", 0);
	for (;; p += k + 1) {
		k = strcspn(p, ",");
		if ((m = mux_bench__model_index(p, k)) < 0)
			return mux_bench__fail(cause, len, "expected select, "
					       "poll or epoll", k ? p : s,
					       k ? k : strlen(s));
		if ((seen & 1 << m) || n == max)
			return mux_bench__fail(cause, len,
					       "each model at most once", s,
					       strlen(s));
		seen |= 1 << m;
		out[n++] = mux_bench__model_name[m];
		if (p[k] == '\0')
			return n;
	}
}
