#!/bin/sh
# How a run ends (issue 10, items 6 and 13): a server is given the time to
# read what its clients sent, a poll too fast for the screen is refused,
# and a trace that reaches its memory cap stops the run instead of growing.
# Every run has a time limit.
set -u
. "$(dirname "$0")/lib.sh"
scratch world

# Item 13: 32 clients send at 0.1 s; at --speed 1000 the script is over
# before the server thread is scheduled.  Every run must read all 32.
{
	printf 'scenario many\nactor S epoll role=server\n'
	i=1; while [ $i -le 32 ]; do echo "at 0s connect c$i to S"; i=$((i + 1)); done
	i=1; while [ $i -le 32 ]; do echo "at 0.1s send c$i hello"; i=$((i + 1)); done
} >"$tmp/many.scn"
for model in epoll epoll-et select poll; do
	runs=20 good=0
	[ "$model" = epoll ] || runs=5
	n=0
	while [ $n -lt $runs ]; do
		n=$((n + 1))
		timeout 30 $bin run "$tmp/many.scn" --model $model --plain --speed 1000 \
			>"$tmp/out.txt" 2>&1
		rc=$?
		if [ $rc = 0 ] && grep -q "reads with data 32, bytes 160" "$tmp/out.txt"; then
			good=$((good + 1))
		else
			bad "$model run $n: exit $rc, $(grep -e 'reads with data' -e 'ioscope:' "$tmp/out.txt")"
		fi
	done
	[ $good = $runs ] && ok
done

# Item 6: a pause shorter than the screen can show is refused, with the
# reason and the minimum (exit 2, nothing run).
printf 'scenario mem\nactor B nonblocking every=1ns\nat 3600s write B x\n' >"$tmp/fast.scn"
out=$(timeout 10 $bin check "$tmp/fast.scn" 2>&1); rc=$?
[ $rc = 2 ] && printf '%s' "$out" | grep -q "fast.scn:2:27: expected a pause of at least 1ms after 'every=' (the screen shows times to the millisecond), got '1ns'" \
	&& ok || bad "check every=1ns: exit $rc: $out"
out=$(timeout 10 $bin run "$tmp/fast.scn" --plain 2>&1); rc=$?
[ $rc = 2 ] && printf '%s' "$out" | grep -q "at least 1ms" && ok || bad "run every=1ns: exit $rc: $out"

# Item 6: the fastest polling a scenario allows, on 128 connections, fills
# the trace in seconds: the run stops at the cap, with a message, exit 1.
printf 'scenario mem\nactor B nonblocking fds=64 every=1ms\nactor C nonblocking fds=64 every=1ms\nat 3600s write B x\n' >"$tmp/mem.scn"
if [ -x /usr/bin/time ]; then
	timeout 120 /usr/bin/time -v $bin run "$tmp/mem.scn" --plain --speed 100 \
		>"$tmp/out.txt" 2>"$tmp/err.txt"
else
	timeout 120 $bin run "$tmp/mem.scn" --plain --speed 100 >"$tmp/out.txt" 2>"$tmp/err.txt"
fi
rc=$?
# /usr/bin/time says "Command exited with non-zero status 1" and exits 1.
[ $rc = 1 ] && grep -q "^ioscope: trace reached 128 MB: run stopped$" "$tmp/err.txt" \
	&& ok || bad "run at the cap: exit $rc: $(grep -v '^	' "$tmp/err.txt" | head -3)"
grep -q "events, [1-9][0-9]* lost" "$tmp/out.txt" && ok || bad "the summary does not count what was lost: $(tail -1 "$tmp/out.txt")"
# Under 256 MB (an ASan build carries its own shadow memory: not measured).
rss=$(sed -n 's/^	Maximum resident set size (kbytes): //p' "$tmp/err.txt")
case $bin in
*asan*) ok ;;
*)	if [ -z "$rss" ]; then ok
	elif [ "$rss" -lt 262144 ]; then ok
	else bad "run at the cap: maximum RSS $rss kB, wanted under 256 MB"
	fi ;;
esac

summary cli_world
