#!/bin/sh
# ioscope bench --low: its options, the CSV's shape with the low column, and
# a low past the descriptor limit refused plainly.  Times are never judged.
set -u
. "$(dirname "$0")/lib.sh"
scratch bench

# fails CAUSE ARGS...: exit 2, the cause on the first line of stderr
fails() {
	want=$1; shift
	LANG=C.UTF-8 timeout 30 $bin bench "$@" --lang en >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc -eq 2 ] && ok || bad "bench $*: exit $rc, wanted 2"
	head -1 "$tmp/err" | grep -qF -- "$want" && ok || bad "bench $*: '$(head -1 "$tmp/err")' lacks '$want'"
	[ -s "$tmp/out" ] && bad "bench $*: wrote to stdout" || ok
}

fails "ioscope: --low: expected a comma-separated list of descriptor numbers from 0 to 1048575, got 'x'" --low x
fails "got '-1'" --low -1
fails "got '1048576'" --low 1048576
fails "got '0,,5'" --low 0,,5
fails "got ''" --low ""
fails "--low: too many values" --low 1,2,3,4,5
fails "at most 16 sizes x lows" --low 0,1,2 --fds 1,2,3,4,5,6
# Past the hard RLIMIT_NOFILE: refused before anything is measured.
(ulimit -n 64 && LANG=C.UTF-8 timeout 30 $bin bench --low 1000 --fds 2 --models select --lang en) >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && ok || bad "--low past the limit: exit $rc, wanted 2"
grep -qF "ioscope: bench: --low 1000 with 2 fds needs descriptors up to 1001, but RLIMIT_NOFILE's hard limit is 64" "$tmp/err" && ok ||
	bad "--low past the limit: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/err")" -eq 1 ] && ok || bad "--low past the limit: more than one line: $(cat "$tmp/err")"
[ -s "$tmp/out" ] && bad "--low past the limit wrote a result" || ok

# The CSV: a low column, a row per size and low, the fds where asked.
if LANG=C.UTF-8 timeout 60 $bin bench --models select,epoll --fds 2 --low 0,300 --csv >"$tmp/csv" 2>"$tmp/err"; then ok
else bad "bench --low 0,300 --csv failed: $(cat "$tmp/err")"; fi
head -1 "$tmp/csv" | grep -qx "model,fds,low,maxfd,median_ns,syscall_ns,user_ns,spread_pct,rounds,note" && ok ||
	bad "CSV header: $(head -1 "$tmp/csv")"
[ "$(wc -l <"$tmp/csv")" -eq 5 ] && ok || bad "CSV rows: $(cat "$tmp/csv")"
awk -F, 'NR > 1 { n++; if (NF != 10 || $5 == "" || $9 != 15) bad = 1
	if ($3 == 300 && $4 < 301) bad = 1
	if ($3 == 0 && $4 >= 300) bad = 1 }
	END { exit bad || n != 4 }' "$tmp/csv" && ok || bad "CSV rows: $(cat "$tmp/csv")"
cut -d, -f1-3 "$tmp/csv" | tail -n +2 | tr '\n' ' ' | grep -qx "select,2,0 select,2,300 epoll,2,0 epoll,2,300 " && ok ||
	bad "CSV order: $(cut -d, -f1-3 "$tmp/csv" | tr '\n' ' ')"
# The table says where the fds sat and compares the lows.
if LANG=C.UTF-8 timeout 60 $bin bench --models select --fds 2 --low 0,300 >"$tmp/table" 2>"$tmp/err"; then ok
else bad "bench --low 0,300 failed: $(cat "$tmp/err")"; fi
grep -q "^fds from (low)  *0  *300$" "$tmp/table" && ok || bad "no low row: $(cat "$tmp/table")"
grep -q "^highest fd  *[0-9]*  *30[0-9]$" "$tmp/table" && ok || bad "no highest fd row: $(cat "$tmp/table")"
grep -q "^select, low 300 / low 0: [0-9.]*x at 2 fds (syscall [0-9.]*x)$" "$tmp/table" && ok || bad "no ratio line: $(cat "$tmp/table")"
# Every `ioscope bench …` a lesson quotes (en and zh) runs as written, under
# an English and a Chinese locale, and prints the lines the lesson asks
# the learner to read.  A command both languages quote runs once a locale.
n=0
for f in lessons/en/*.md lessons/zh/*.md; do
	grep -o '`ioscope bench [^`]*`' "$f" | tr -d '`'
done | sort -u >"$tmp/cmds"
while IFS= read -r cmd; do
	n=$((n + 1))
	run=$(printf '%s' "$cmd" | sed "s|^ioscope |$bin |")
	for lang in C.UTF-8 zh_CN.UTF-8; do
		LANG=$lang LC_ALL= timeout 120 sh -c "$run" >"$tmp/lesson.out" 2>&1; rc=$?
		[ $rc -eq 0 ] && ok || bad "LANG=$lang '$cmd' -> exit $rc: $(head -3 "$tmp/lesson.out")"
		case $cmd in
		*--low*)
			for row in "highest fd" syscall userspace "low [0-9]* / low [0-9]*:"; do
				grep -q "$row" "$tmp/lesson.out" && ok || bad "'$cmd' printed no '$row'"
			done ;;
		esac
	done
done <"$tmp/cmds"
[ $n -ge 2 ] && ok || bad "found $n bench commands in the lessons, expected at least lessons 4's and 5's"
summary cli_bench
