#!/bin/sh
# A recording is written in batches: a busy run (one actor polling 64
# sockets flat out) makes at most one write call per 20 events recorded,
# counted by strace on the recording's own descriptor; and the world's
# action comes on time, recorded.  Skipped where strace is missing or
# may not trace.
set -u
. "$(dirname "$0")/lib.sh"
scratch record-batch

if ! command -v strace >/dev/null 2>&1 || ! strace -o /dev/null true 2>/dev/null; then
	echo "cli_record_batch: skipped (no strace, or it may not trace here)"
	summary cli_record_batch
	exit
fi
# Only write calls stop the traced process, where strace can.
filter=--seccomp-bpf
strace -f $filter -o /dev/null true 2>/dev/null || filter=

cat >"$tmp/busy.scn" <<'SCN'
scenario busy
actor B nonblocking fds=64 every=1ms
at 300s say en now
at 300s say zh 现在
at 300s write B.1 carp
at 320s close B.1
SCN
# LeakSanitizer cannot run under a tracer: its leak check is off here.
ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" timeout 60 strace -f $filter -y -e trace=write \
	-o "$tmp/strace.txt" $bin run "$tmp/busy.scn" --plain --speed 1000 \
	--record "$tmp/busy.jsonl" >/dev/null 2>"$tmp/err.txt"
rc=$?
[ $rc = 0 ] && ok || bad "the busy run exited $rc: $(cat "$tmp/err.txt")"
[ -f "$tmp/busy.jsonl" ] || : >"$tmp/busy.jsonl"
events=$(($(wc -l <"$tmp/busy.jsonl") - 1))
writes=$(grep -c "write([0-9]*<$tmp/busy.jsonl" "$tmp/strace.txt")
echo "cli_record_batch: $events events, $writes write calls on the recording"
[ "$events" -ge 1000 ] && ok || bad "only $events events: not a busy run"
# strace saw the recording's writes at all (else the count below proves nothing)
[ "$writes" -ge 1 ] && ok || bad "no write call on the recording found in strace's output"
[ $((writes * 20)) -le $((events + 100)) ] && ok ||
	bad "$writes write calls for $events events: more than one per 20"
grep -q '"en":"now"' "$tmp/busy.jsonl" && ok || bad "the action at 300s is not in the recording"
"$bin" check "$tmp/busy.jsonl" >/dev/null 2>&1 && ok || bad "the recording: $("$bin" check "$tmp/busy.jsonl" 2>&1)"

summary cli_record_batch
