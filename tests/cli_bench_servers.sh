#!/bin/sh
# ioscope bench --servers: its options refused plainly, the table's and the
# CSV's shape and sanity at 10 connections (epoll, and each other server
# model this build has), no process of a server left behind, even when
# the bench itself is killed.  Times are never judged.
set -u
. "$(dirname "$0")/lib.sh"
scratch servers
# By its full path: left() looks for this binary's benches, not those of
# another checkout's test run on the same machine.
case $bin in /*) ;; *) bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin") ;; esac
unset LC_ALL
LANG=C.UTF-8; export LANG

# fails CAUSE ARGS...: exit 2, the cause on the first line of stderr, nothing on stdout
fails() {
	want=$1; shift
	timeout 30 $bin bench "$@" --lang en >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc -eq 2 ] && ok || bad "bench $*: exit $rc, wanted 2"
	head -1 "$tmp/err" | grep -qF -- "ioscope: $want" && ok || bad "bench $*: '$(head -1 "$tmp/err")' lacks '$want'"
	[ -s "$tmp/out" ] && bad "bench $*: wrote to stdout" || ok
}

fails "--conns: expected a comma-separated list of positive integers, got 'x'" --servers --conns x
fails "--conns: expected a comma-separated list of positive integers, got '0'" --servers --conns 0
fails "--conns: expected at most 65535 connections, got '70000'" --servers --conns 10,70000
fails "--conns: too many values" --servers --conns 1,2,3,4,5,6,7,8,9
fails "--models: expected a comma-separated list of server models" --servers --models pigeon
fails "--models: expected a comma-separated list of server models" --servers --models blocking
fails "--models: each model at most once" --servers --models epoll,epoll
fails "--models: expected a comma-separated list of server models" --servers --models ""
fails "--conns goes with --servers" --conns 10
fails "bench --servers takes --conns, --models and --csv only" --servers --fds 10
fails "bench --servers takes --conns, --models and --csv only" --servers --probe

# left: processes of a bench --servers still running (the server is a
# fork of the bench: the same command line)
left() { pgrep -f -- "$bin bench --servers" >/dev/null; }
# gone: wait up to 5 s for no such process
gone() {
	i=0
	while left && [ $i -lt 500 ]; do sleep 0.01; i=$((i + 1)); done
	! left
}

# csv_sane FILE MODEL: the header, one row for MODEL at 10, measured and sane
csv_sane() {
	head -1 "$1" | grep -qx "model,conns,threads,rss_kb,ctx_switches,p50_us,p99_us,reqs_per_s,note" && ok ||
		bad "$2: CSV header: $(head -1 "$1")"
	[ "$(wc -l <"$1")" -eq 2 ] && ok || bad "$2: CSV rows: $(cat "$1")"
	awk -F, -v m="$2" 'NR == 2 { if (NF != 9 || $1 != m || $2 != 10) exit 1
		if ($3 < 1 || $4 <= 0 || $5 < 0 || $6 <= 0 || $6 > $7 || $8 <= 0) exit 1
		if ($9 != "") exit 1; r = 1 } END { exit !r }' "$1" && ok ||
		bad "$2: CSV row not sane: $(cat "$1")"
}

# epoll at 10 connections, as CSV and as a table
if timeout 60 $bin bench --servers --conns 10 --models epoll --csv >"$tmp/csv" 2>"$tmp/err"; then ok
else bad "bench --servers --csv failed: $(cat "$tmp/err")"; fi
csv_sane "$tmp/csv" epoll
awk -F, 'NR == 2 && $3 == 1 { r = 1 } END { exit !r }' "$tmp/csv" && ok ||
	bad "epoll: one thread expected: $(cat "$tmp/csv")"
gone && ok || bad "a server process was left after the CSV run"
if timeout 60 $bin bench --servers --conns 10 --models epoll,thread-per-conn >"$tmp/table" 2>"$tmp/err"; then ok
else bad "bench --servers failed: $(cat "$tmp/err")"; fi
grep -q "^model  *conns  *threads  *rss_kb  *ctx_sw  *p50_us  *p99_us  *reqs/s  *secs  *note$" "$tmp/table" && ok ||
	bad "no table header: $(cat "$tmp/table")"
grep -q "^epoll  *10  *1  *[0-9][0-9]*  *[0-9][0-9]*  *[0-9][0-9]*  *[0-9][0-9]*  *[0-9][0-9]*  *[0-9.][0-9.]* *$" "$tmp/table" && ok ||
	bad "no epoll row: $(cat "$tmp/table")"
grep -q "^p99 latency, log scale" "$tmp/table" && grep -q "^server memory, log scale" "$tmp/table" && ok ||
	bad "no charts: $(cat "$tmp/table")"
grep -q "^    10 conns  epoll  *█* [0-9.]* [mµ]*s$" "$tmp/table" && ok || bad "no p99 bar: $(cat "$tmp/table")"
# It reads at 80 columns: no line wider.
[ "$(wc -L <"$tmp/table")" -le 80 ] && ok || bad "a line wider than 80 columns: $(cat "$tmp/table")"
# Every bar of a chart starts in one column, the first row of a size too.
awk '/log scale/ { chart++ } chart && /█/ { col[index($0, "█")] = 1 }
     END { n = 0; for (c in col) n++; exit n != 1 }' "$tmp/table" && ok ||
	bad "the charts' bars do not line up: $(cat "$tmp/table")"
[ ! -s "$tmp/err" ] && ok || bad "stderr not a terminal, yet: $(cat "$tmp/err")"
gone && ok || bad "a server process was left after the table run"

# A size past the descriptor limit is a skipped row that says why, not an error.
(ulimit -n 100 && timeout 60 $bin bench --servers --conns 10,100 --models epoll --csv) >"$tmp/csv" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && ok || bad "--conns 100 under ulimit -n 100: exit $rc: $(cat "$tmp/err")"
grep -qx 'epoll,100,,,,,,,"skipped: RLIMIT_NOFILE (ulimit -n) is 100, 100 connections need more"' "$tmp/csv" && ok ||
	bad "no RLIMIT_NOFILE skip: $(cat "$tmp/csv")"
grep -q "^epoll,10,1," "$tmp/csv" && ok || bad "10 connections not measured under ulimit -n 100: $(cat "$tmp/csv")"
gone && ok || bad "a server process was left after the ulimit run"

# The other server models, where this build has them; a missing one is
# skipped in the run too, with its reason.
for m in process-per-conn thread-per-conn thread-pool coroutines; do
	if ! $bin models | grep -q "^$m  *available "; then
		echo "skip: $m is not in this build (or cannot run here)"
		if ! $bin models | grep -q "^$m "; then
			timeout 60 $bin bench --servers --conns 10 --models "$m" --csv >"$tmp/csv" 2>"$tmp/err"
			grep -qx "$m,10,,,,,,,\"skipped: not in this build\"" "$tmp/csv" && ok ||
				bad "$m: no 'not in this build' row: $(cat "$tmp/csv" "$tmp/err")"
		fi
		continue
	fi
	if timeout 90 $bin bench --servers --conns 10 --models "$m" --csv >"$tmp/csv" 2>"$tmp/err"; then ok
	else bad "bench --servers --models $m failed: $(cat "$tmp/err")"; fi
	csv_sane "$tmp/csv" "$m"
	gone && ok || bad "$m: a server process was left"
done

# The bench killed mid-run: its server goes too (PR_SET_PDEATHSIG).
# (timeout runs the bench, the bench forks the server: wait for both)
timeout 60 $bin bench --servers --conns 10 --models epoll >/dev/null 2>&1 &
pid=$!
i=0 bench= server=
while [ -z "$server" ] && [ $i -lt 1000 ]; do
	bench=$(pgrep -P $pid 2>/dev/null | head -1)
	[ -n "$bench" ] && server=$(pgrep -P "$bench" 2>/dev/null | head -1)
	[ -z "$server" ] && sleep 0.01
	i=$((i + 1))
done
[ -n "$server" ] && ok || bad "no bench and server found to kill"
[ -n "$bench" ] && kill -9 "$bench" 2>/dev/null
wait $pid 2>/dev/null
gone && ok || bad "the server outlived its killed bench: $(pgrep -af -- "$bin bench --servers")"
summary cli_bench_servers
