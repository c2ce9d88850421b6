/* bench_trace_out.c: `ioscope bench --trace`'s --events read, and its
 * results written as a table (with a legend and the notes) or as CSV. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/bench_trace.h"
#include "cli/cli.h"

const char *const bt_format[BT_NEXPORTS] = { "text", "asciicast", "chrome" };

int bt_parse_events(const char *s, size_t *out, int max, char *cause, size_t len)
{
	const char *p = s;
	int n = 0;

	for (;;) {
		size_t k = strcspn(p, ","), v = 0;

		for (size_t i = 0; i < k && v <= BT_MAX_EVENTS; i++)
			v = p[i] >= '0' && p[i] <= '9' ? v * 10 + (size_t)(p[i] - '0') : BT_MAX_EVENTS + 1;
		if (k == 0 || v < BT_MIN_EVENTS || v > BT_MAX_EVENTS) {
			/* the word that is wrong, or the whole list for an empty one */
			const char *got = k > 0 ? p : s;
			size_t glen = k > 0 ? k : strlen(s);

			snprintf(cause, len, cli_tr("expected a comma-separated list of event counts from %d to %d, got '%.*s'",
						    "应为以逗号分隔的事件数，每个从 %d 到 %d，而不是 '%.*s'"),
				 BT_MIN_EVENTS, BT_MAX_EVENTS, (int)(glen < 40 ? glen : 40), got);
			return -EINVAL;
		}
		if (n == max) {
			snprintf(cause, len, cli_tr("at most %d sizes, got '%.40s'", "最多 %d 个长度，而不是 '%.40s'"),
				 max, s);
			return -EINVAL;
		}
		out[n++] = v;
		if (p[k] == '\0')
			return n;
		p += k + 1;
	}
}

/* One cell of width w: the figure with prec decimals, "-" when it was not
 * measured, ">120" when its process was killed at the cap. */
static void put_cell(FILE *out, int w, int prec, double x)
{
	if (isnan(x))
		fprintf(out, " %*s", w, "-");
	else if (isinf(x))
		fprintf(out, " %*s%d", w - 1, ">", BT_CAP_S);
	else
		fprintf(out, " %*.*f", w, prec, x);
}

/* a / b when both are figures. */
static double ratio(double a, double b)
{
	return isfinite(a) && isfinite(b) && b > 0 ? a / b : NAN;
}

static void put_row(FILE *out, const struct bt_row *r)
{
	fprintf(out, "%8zu", r->events);
	put_cell(out, 7, 2, r->file_mb);
	put_cell(out, 7, 3, r->load_s);
	put_cell(out, 7, 3, r->jq_s);
	put_cell(out, 7, 2, ratio(r->load_s, r->jq_s));
	put_cell(out, 7, 1, r->load_mb);
	put_cell(out, 7, 1, r->rss_mb);
	put_cell(out, 8, 2, ratio(r->rss_mb, r->file_mb));
	put_cell(out, 8, 1, r->first_ms);
	put_cell(out, 8, 0, r->median_us);
	put_cell(out, 8, 0, r->keymax_us);
	for (int f = 0; f < BT_NEXPORTS; f++)
		put_cell(out, f == BT_CHROME ? 8 : 7, 3, r->export_s[f]);
	put_cell(out, 7, 1, r->export_mb);
	fputc('\n', out);
}

void bt_put_table(FILE *out, const struct bt_row *rows, int n, double secs)
{
	fprintf(out, "Long traces: the shipped fishing recording repeated to each length; each "
		"figure is one run\nof this binary in a process of its own (peak memory: that "
		"process's ru_maxrss)\n\n");
	fprintf(out, "%8s %7s %7s %7s %7s %7s %7s %8s %8s %8s %8s %7s %7s %8s %7s\n",
		"events", "file MB", "load s", "jq s", "load/jq", "load MB", "RSS MB", "RSS/file",
		"1st ms", "frame µs", "key µs", "text s", "cast s", "chrome s", "exp MB");
	for (int i = 0; i < n; i++)
		put_row(out, &rows[i]);
	fprintf(out, "\nevents: the trace's length; file MB: its size (MB: 10^6 bytes)\n"
		"load s, load MB: `ioscope check FILE`, from start to exit, and its peak memory\n"
		"jq s: `jq -c . FILE >/dev/null` on the same file (goal: load/jq at most 0.33)\n"
		"RSS MB: the peak memory of `ioscope replay FILE --paused` on a %dx%d terminal\n"
		"  (goal: RSS/file at most 1)\n"
		"1st ms, frame µs, key µs: its first frame from its start, its median frame, its\n"
		"  slowest key from read to frame (End, Home, g to the middle step, →, ←), by its\n"
		"  IOSCOPE_STATS=1 line\n"
		"text s, cast s, chrome s: `ioscope export FILE --format text|asciicast|chrome -o\n"
		"  /dev/null` (goal: cast s within 5x of text s); exp MB: their largest peak memory\n"
		"\"-\": not measured (a note below says why); \">%d\": killed after %d s\n",
		BT_W, BT_H, BT_CAP_S, BT_CAP_S);
	for (int i = 0; i < n; i++)
		if (rows[i].note[0] != '\0')
			fprintf(out, "%zu events: %s\n", rows[i].events, rows[i].note);
	fprintf(out, "took %.1f s\n", secs);
}

/* A CSV field: the figure, or "-" (the note says why). */
static void put_field(FILE *out, int prec, double x)
{
	if (isfinite(x))
		fprintf(out, ",%.*f", prec, x);
	else
		fputs(",-", out);
}

void bt_put_csv(FILE *out, const struct bt_row *rows, int n)
{
	fputs("events,file_mb,load_s,jq_s,load_jq,load_mb,rss_mb,rss_file,first_frame_ms,"
	      "frame_median_us,key_max_us,text_s,cast_s,chrome_s,export_mb,note\n", out);
	for (int i = 0; i < n; i++) {
		const struct bt_row *r = &rows[i];

		fprintf(out, "%zu", r->events);
		put_field(out, 3, r->file_mb);
		put_field(out, 4, r->load_s);
		put_field(out, 4, r->jq_s);
		put_field(out, 3, ratio(r->load_s, r->jq_s));
		put_field(out, 2, r->load_mb);
		put_field(out, 2, r->rss_mb);
		put_field(out, 3, ratio(r->rss_mb, r->file_mb));
		put_field(out, 2, r->first_ms);
		put_field(out, 0, r->median_us);
		put_field(out, 0, r->keymax_us);
		for (int f = 0; f < BT_NEXPORTS; f++)
			put_field(out, 4, r->export_s[f]);
		put_field(out, 2, r->export_mb);
		fputc(',', out);
		if (r->note[0] != '\0') {         /* quoted, quotes doubled */
			fputc('"', out);
			for (const char *p = r->note; *p != '\0'; p++)
				fputs(*p == '"' ? "\"\"" : (char[]){ *p, '\0' }, out);
			fputc('"', out);
		}
		fputc('\n', out);
	}
}
