#!/bin/sh
# Truth: how long a traced call blocked, as `ioscope attach` records it,
# agrees with `strace -T` on the same program and client in a separate
# run, within max(5 %, 3 ms).  The program is the one-client-at-a-time
# echo server (tests/attach/srv_blocking.c); its client connects, waits
# $delay ms, then sends: the server's recv is blocked for about that long,
# and both tracers measure that one call (the longest recvfrom of the run).
# Skipped, with the reason, where strace is missing.  Every wait has a
# limit; nothing is left running.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/attach_util.sh"
unset LC_ALL LC_MESSAGES LANGUAGE
LANG=C.UTF-8; export LANG
scratch attach-truth
delay=300                 # ms the client waits before it sends
st_pid="" st_srv=""

# Also stop a strace run cut short (its server too: strace detaches from
# it when it is killed).
cleanup() {
	att_wait=3
	[ -n "$st_srv" ] && kill -TERM "$st_srv" 2>/dev/null
	[ -n "$st_pid" ] && kill -TERM "$st_pid" 2>/dev/null && attach_reap "$st_pid"
	for p in $att_pids; do kill -TERM "$p" 2>/dev/null; done
	for p in $att_pids; do attach_reap "$p"; done
	rm -rf "$tmp"
}

if ! command -v strace >/dev/null 2>&1; then
	echo "skip: strace is not installed: nothing to hold ioscope's durations against"
	summary attach-truth
	exit
fi
attach_built || { bad "the attach test programs are not built"; summary attach-truth; exit; }
drive="--clients 1 --lines 1 --delay $delay"

# The longest recvfrom of an attach recording, in ns (empty: none).
attach_longest() {
	jq -s '[.[1:][] | select(.kind == "exit" and (.sys // .call) == "recvfrom") | .dur_ns] | max // empty' "$1"
}

# strace_run N: the server under strace -T, the same client; the longest
# recvfrom in ns in $st_ns (empty: none); false with $st_why.
strace_run() {
	out=$tmp/strace$1.txt port=$tmp/strace$1.port
	strace -f -T -e trace=recvfrom -o "$out" "$att_dir/srv_blocking" 0 "$port" >/dev/null 2>&1 &
	st_pid=$! st_ns="" st_why=""
	i=0
	while [ ! -s "$port" ] && [ $i -lt $((att_wait * 100)) ] && kill -0 $st_pid 2>/dev/null; do
		sleep 0.01; i=$((i + 1))
	done
	st_srv=$(cat /proc/$st_pid/task/$st_pid/children 2>/dev/null)
	if [ -s "$port" ]; then
		st_drive=$("$att_drive" "$(cat "$port")" $drive 2>&1) || st_why="cl_drive under strace: $st_drive"
	else
		st_why="srv_blocking under strace wrote no port file in ${att_wait}s"
	fi
	[ -n "$st_srv" ] && kill -TERM $st_srv 2>/dev/null
	attach_reap $st_pid
	st_pid="" st_srv=""
	[ -z "$st_why" ] || return 1
	st_ns=$(sed -n 's/.*recvfrom(.*<\([0-9][0-9.]*\)>$/\1/p' "$out" |
		awk '{ ns = $1 * 1e9; if (ns > m) m = ns } END { if (m) printf "%.0f\n", m }')
	[ -n "$st_ns" ] || { st_why="no recvfrom with a duration in strace's output"; return 1; }
}

# attach_truth_run N: the same under ioscope attach; $at_ns, or $at_why.
attach_truth_run() {
	at_ns="" at_why=""
	if ! attach_run "truth$1" "$drive" "$att_dir/srv_blocking"; then
		at_why=$att_why; return 1
	fi
	[ "$att_drive_rc" = 0 ] || { at_why="cl_drive under attach: $att_drive_out"; return 1; }
	attach_valid "$tmp/truth$1.jsonl" || { at_why="no readable recording: $(attach_said)"; return 1; }
	at_ns=$(attach_longest "$tmp/truth$1.jsonl")
	[ -n "$at_ns" ] || { at_why="no recvfrom exit in the recording"; return 1; }
}

ms() { awk -v n="$1" 'BEGIN { printf "%.2f ms", n / 1e6 }'; }

# One try: both runs; true when they agree.  A machine shared with other
# work can stretch one run's wake-up and not the other's: two tries.
agree="" given_up=""
for try in 1 2; do
	attach_truth_run $try || { bad "attach: $at_why"; given_up=1; break; }
	strace_run $try || { bad "strace: $st_why"; given_up=1; break; }
	diff=$((at_ns > st_ns ? at_ns - st_ns : st_ns - at_ns))
	big=$((at_ns > st_ns ? at_ns : st_ns))
	limit=$((big / 20 > 3000000 ? big / 20 : 3000000))
	echo "truth (try $try): recv blocked $(ms $at_ns) (attach), $(ms $st_ns) (strace -T): $(ms $diff) apart, limit $(ms $limit)"
	# Both measured the call the client held up (not some other one).
	low=$((delay * 1000000 * 8 / 10))
	if [ "$at_ns" -lt $low ] || [ "$st_ns" -lt $low ]; then
		bad "a recvfrom blocked less than $((delay * 8 / 10)) ms: not the call the client held for $delay ms"
		given_up=1; break
	fi
	if [ $diff -le $limit ]; then agree=yes; break; fi
done
if [ -n "$agree" ]; then ok
elif [ -z "$given_up" ]; then
	bad "attach and strace -T disagree on the blocked recv, twice: last $(ms $at_ns) and $(ms $st_ns)"
fi

summary attach-truth
