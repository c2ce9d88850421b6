#!/bin/sh
# ioscope bench --attach: the table's shape (a header, one row per mode,
# the legend, at most 80 columns) and the CSV's (a header, three rows of
# numbers).  Speeds are never judged.
set -u
. "$(dirname "$0")/lib.sh"
scratch bench-attach

# ---- the table
if LANG=C.UTF-8 timeout 60 $bin bench --attach >"$tmp/table" 2>"$tmp/err"; then ok
else bad "bench --attach: exit $?: $(cat "$tmp/err")"; fi
[ -s "$tmp/err" ] && bad "bench --attach wrote to stderr: $(cat "$tmp/err")" || ok
grep -q "^mode  *watched ns  *x untr\.  *unwatched ns  *x untr\.$" "$tmp/table" && ok ||
	bad "no table header: $(cat "$tmp/table")"
for row in "untraced" "ptrace, every call (-p)" "ptrace + seccomp filter"; do
	grep -q "^$row  *[0-9][0-9]*  *[0-9.][0-9.]*  *[0-9][0-9]*  *[0-9.][0-9.]*$" "$tmp/table" && ok ||
		bad "no row '$row': $(cat "$tmp/table")"
done
grep -q "this machine's figures" "$tmp/table" && ok || bad "no word that figures are this machine's"
grep -q "^  every call [0-9][0-9]* ns, seccomp [0-9][0-9]* ns$" "$tmp/table" && ok ||
	bad "no measured overhead line: $(cat "$tmp/table")"
grep -q "^took [0-9.]* s$" "$tmp/table" && ok || bad "no time taken: $(cat "$tmp/table")"
wide=$(awk 'length($0) > 80' "$tmp/table")
[ -z "$wide" ] && ok || bad "lines over 80 columns: $wide"

# ---- the CSV
if timeout 60 $bin bench --attach --csv >"$tmp/csv" 2>"$tmp/err"; then ok
else bad "bench --attach --csv: exit $?: $(cat "$tmp/err")"; fi
[ "$(head -1 "$tmp/csv")" = "mode,watched_ns,watched_ratio,unwatched_ns,unwatched_ratio,overhead_ns" ] &&
	ok || bad "CSV header: $(head -1 "$tmp/csv")"
[ "$(sed 1d "$tmp/csv" | cut -d, -f1 | tr '\n' ' ')" = "untraced ptrace seccomp " ] && ok ||
	bad "CSV rows: $(cat "$tmp/csv")"
[ "$(sed 1d "$tmp/csv" | grep -vc '^[a-z]*\(,[0-9][0-9.]*\)\{5\}$')" = 0 ] && ok ||
	bad "CSV fields not numbers: $(cat "$tmp/csv")"
[ "$(sed -n 2p "$tmp/csv" | cut -d, -f3,5,6)" = "1.00,1.00,0" ] && ok ||
	bad "the untraced row is not the ratios' base: $(sed -n 2p "$tmp/csv")"

summary cli_bench_attach
