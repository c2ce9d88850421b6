#!/bin/sh
# ioscope bench --trace: the CSV's shape (a header, a row per length, every
# figure a number or "-"), the table's legend, --events refused plainly, and
# no file or process left behind, at the end or when stopped by a signal.
# Times are never judged.
set -u
. "$(dirname "$0")/lib.sh"
scratch bench-trace
mkdir "$tmp/t" "$tmp/t2"

# fails CAUSE ARGS...: exit 2, the cause on the first line of stderr, the
# hint on the second, nothing on stdout
fails() {
	want=$1; shift
	LANG=C.UTF-8 timeout 30 $bin bench "$@" --lang en >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc -eq 2 ] && ok || bad "bench $*: exit $rc, wanted 2"
	head -1 "$tmp/err" | grep -qF -- "$want" && ok || bad "bench $*: '$(head -1 "$tmp/err")' lacks '$want'"
	[ "$(wc -l <"$tmp/err")" -eq 2 ] && sed -n 2p "$tmp/err" | grep -qF "(try 'ioscope help bench')" && ok ||
		bad "bench $*: not one line and the hint: $(cat "$tmp/err")"
	[ -s "$tmp/out" ] && bad "bench $*: wrote to stdout" || ok
}

range="ioscope: --events: expected a comma-separated list of event counts from 1000 to 2000000"
fails "$range, got '0'" --trace --events 0
fails "$range, got 'x'" --trace --events x
fails "$range, got '999'" --trace --events 1000,999
fails "$range, got '2000001'" --trace --events 2000001
fails "$range, got '99999999999999999999'" --trace --events 99999999999999999999
fails "$range, got '1000,,2000'" --trace --events 1000,,2000
fails "$range, got ''" --trace --events ""
fails "$range, got '-5'" --trace --events -5
fails "ioscope: --events: at most 8 sizes" --trace --events 1000,1000,1000,1000,1000,1000,1000,1000,1000
fails "ioscope: --events goes with --trace" --events 1000
fails "ioscope: bench --trace takes --events and --csv only" --trace --fds 10
fails "ioscope: bench --trace takes --events and --csv only" --trace --probe

# ps lines of processes (not this script's own) working on files under $1
left_in() {
	ps -eo pid=,args= | grep -F -- "$1/" | grep -v -e grep -e "^ *$$ " || true
}

# ---- the CSV: header, one row per length, figures or "-"
if TMPDIR="$tmp/t" LANG=C.UTF-8 timeout 280 $bin bench --trace --events 1000,2000 --csv \
	>"$tmp/csv" 2>"$tmp/err"; then ok
else bad "bench --trace --events 1000,2000 --csv: exit $?: $(cat "$tmp/err")"; fi
head -1 "$tmp/csv" | grep -qx "events,file_mb,load_s,jq_s,load_jq,load_mb,rss_mb,rss_file,first_frame_ms,frame_median_us,key_max_us,text_s,cast_s,chrome_s,export_mb,note" &&
	ok || bad "CSV header: $(head -1 "$tmp/csv")"
[ "$(wc -l <"$tmp/csv")" -eq 3 ] && ok || bad "CSV rows: $(cat "$tmp/csv")"
cut -d, -f1 "$tmp/csv" | tail -n +2 | tr '\n' ' ' | grep -qx "1000 2000 " && ok ||
	bad "CSV lengths: $(cut -d, -f1 "$tmp/csv" | tr '\n' ' ')"
# Figures measured every time are numbers (the slowest key too: the
# replay is this binary, whose IOSCOPE_STATS tells it); jq's only with jq.
command -v jq >/dev/null 2>&1 && jq=1 || jq=0
awk -F, -v jq=$jq 'function num(x) { return x ~ /^[0-9]+(\.[0-9]+)?$/ }
	NR > 1 { n++
		for (i = 2; i <= 15; i++)
			if (!num($i) && !($i == "-" && (i == 4 || i == 5) && !jq))
				{ print "row " NR ", field " i ": " $i; bad = 1 }
		if ($2 <= 0 || $7 <= 0 || $10 <= 0) bad = 1 }
	END { exit bad || n != 2 }' "$tmp/csv" && ok || bad "CSV figures: $(cat "$tmp/csv")"
[ -z "$(ls -A "$tmp/t")" ] && ok || bad "bench left files: $(ls -AR "$tmp/t")"
[ -z "$(left_in "$tmp/t")" ] && ok || bad "bench left processes: $(left_in "$tmp/t")"

# ---- the table: a row per length and the legend under it
if TMPDIR="$tmp/t" LANG=C.UTF-8 timeout 280 $bin bench --trace --events 1000 >"$tmp/table" 2>"$tmp/err"; then ok
else bad "bench --trace --events 1000: exit $?: $(cat "$tmp/err")"; fi
grep -q "^ *events  *file MB  *load s .*exp MB$" "$tmp/table" && ok || bad "no table header: $(cat "$tmp/table")"
grep -q "^ *1000  *[0-9.]*  *[0-9.]*" "$tmp/table" && ok || bad "no row of 1000: $(cat "$tmp/table")"
grep -q "^load s, load MB: .ioscope check FILE." "$tmp/table" && ok || bad "no legend: $(cat "$tmp/table")"
grep -q "^took [0-9.]* s$" "$tmp/table" && ok || bad "no time taken: $(cat "$tmp/table")"
[ -z "$(ls -A "$tmp/t")" ] && ok || bad "bench left files: $(ls -AR "$tmp/t")"

# ---- stopped by SIGTERM while a command runs: it and the folder go, and
# the signal ends the bench
TMPDIR="$tmp/t2" LANG=C.UTF-8 timeout 280 $bin bench --trace --events 100000 --csv >"$tmp/out" 2>"$tmp/err" &
pid=$!
i=0 seen=""
# What the loop saw, kept: a short command (ioscope check takes ~0.05 s)
# may be over by the time a second look would run.
while seen=$(left_in "$tmp/t2") && [ -z "$seen" ] && [ $i -lt 1200 ] && kill -0 $pid 2>/dev/null; do
	sleep 0.05; i=$((i + 1))
done
[ -n "$seen" ] && ok || bad "no command of the bench seen running"
kill -TERM $pid
wait $pid 2>/dev/null
rc=$?
[ $rc -eq 143 ] && ok || bad "bench stopped by SIGTERM: exit $rc, wanted 143: $(cat "$tmp/err")"
[ -s "$tmp/out" ] && bad "a stopped bench printed: $(cat "$tmp/out")" || ok
[ -z "$(ls -A "$tmp/t2")" ] && ok || bad "a stopped bench left files: $(ls -AR "$tmp/t2")"
[ -z "$(left_in "$tmp/t2")" ] && ok || bad "a stopped bench left processes: $(left_in "$tmp/t2")"

summary cli_bench_trace
