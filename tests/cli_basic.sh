#!/bin/sh
# The real binary, as a user runs it: exit codes, narration, recording,
# replay, bad input.  Every wait has a limit.
set -u
. "$(dirname "$0")/lib.sh"
# Messages in English whatever the caller's locale (one test asks for zh).
unset LC_ALL LC_MESSAGES LANGUAGE
LANG=C.UTF-8; export LANG
scratch cli

expect 0 "usage: ioscope" -- $bin --help
expect 0 "ioscope [0-9]" -- $bin --version
expect 0 "two-phases" -- $bin          # no terminal: the lesson list
expect 0 "blocking  *available" -- $bin models
expect 0 "^fishing" -- $bin scenarios
# The lists' second column starts in one place, whatever the name's length.
for list in models scenarios; do
	[ "$($bin $list | awk '{ print index($0, " " $2) }' | sort -u | wc -l)" = 1 ] && ok ||
		bad "$list: the second column does not line up: $($bin $list)"
done

# A run, recorded; the recording replays to the same narration.
timeout 60 $bin run fishing --plain --speed 20 --record "$tmp/t.jsonl" >"$tmp/live.txt" 2>"$tmp/err.txt"
rc=$?; [ $rc = 0 ] && ok || bad "run fishing exited $rc: $(cat "$tmp/err.txt")"
grep -q "kernel says: thread [0-9]* is S (asleep, waiting) in recvfrom" "$tmp/live.txt" && ok || bad "no sampler line in the narration"
grep -q "EAGAIN" "$tmp/live.txt" && ok || bad "no EAGAIN in the narration"
grep -q "phase 1 (wait) ends after .* · the caller was blocked" "$tmp/live.txt" && ok || bad "no blocked phase 1"
[ -z "$(grep -c "$(printf '\033')" "$tmp/live.txt" | grep -v '^0$')" ] && ok || bad "escape codes in plain output"
jq -c . "$tmp/t.jsonl" >/dev/null && ok || bad "jq cannot read the trace"
[ "$(head -1 "$tmp/t.jsonl" | jq -r .format)" = ioscope-trace ] && ok || bad "header"
timeout 30 $bin replay "$tmp/t.jsonl" --plain >"$tmp/replay.txt" && ok || bad "replay failed"
cmp -s "$tmp/live.txt" "$tmp/replay.txt" && ok || bad "replay narration differs: $(diff "$tmp/live.txt" "$tmp/replay.txt" | head -5)"
expect 0 "ok, trace of 'fishing'" -- $bin check "$tmp/t.jsonl" scenarios/fishing.scn
LANG=zh_CN.UTF-8 timeout 30 $bin replay "$tmp/t.jsonl" | grep -q "第一阶段" && ok || bad "no Chinese narration"
timeout 30 $bin replay "$tmp/t.jsonl" --lang zh | grep -q "鱼咬了 A 的钩" && ok || bad "no Chinese caption"

# A recording cut mid-line (a killed run) still replays, minus that event.
size=$(wc -c <"$tmp/t.jsonl")
head -c $((size - 7)) "$tmp/t.jsonl" >"$tmp/cut.jsonl"
expect 0 "cut short" -- $bin replay "$tmp/cut.jsonl"

# Every model can be forced on every actor.
for m in blocking nonblocking; do
	expect 0 "" -- timeout 60 $bin run fishing --model $m --speed 40
done

# Bad input: one line naming the file, exit 2, nothing written.
expect 2 "unknown model 'pigeon' (expected one of: blocking, nonblocking" -- $bin run fishing --model pigeon --record "$tmp/no.jsonl"
[ ! -e "$tmp/no.jsonl" ] && ok || bad "a refused run wrote its record file"
expect 2 "unknown scenario 'nosuch'" -- $bin run nosuch
expect 2 "nosuch.scn: cannot open" -- $bin run "$tmp/nosuch.scn"
expect 2 "unknown option '--fast'" -- $bin run fishing --fast
expect 2 "--speed expects" -- $bin run fishing --speed 0
expect 2 "--speed expects" -- $bin run fishing --speed abc
expect 2 "--lang expects en or zh" -- $bin run fishing --lang fr
expect 2 "run expects one scenario" -- $bin run
expect 2 "unknown command" -- $bin fly
expect 2 "missing.jsonl: cannot open" -- $bin replay "$tmp/missing.jsonl"
: >"$tmp/empty.jsonl"
expect 2 "empty.jsonl: file is empty" -- $bin replay "$tmp/empty.jsonl"
head -c 300 /bin/sh >"$tmp/bin.jsonl"
expect 2 "bin.jsonl:1:" -- $bin replay "$tmp/bin.jsonl"
printf 'scenario x\nactor A blocking\nat soon write A.1 hi\n' >"$tmp/bad.scn"
expect 2 "^ioscope: .*bad.scn:3:4: expected a time" -- $bin check "$tmp/bad.scn"
expect 2 "^ioscope: nothere.md: cannot open" -- $bin check nothere.md
expect 2 "bad.scn:3:4:" -- $bin run "$tmp/bad.scn" --record "$tmp/no2.jsonl"
[ ! -e "$tmp/no2.jsonl" ] && ok || bad "a refused scenario wrote its record file"
printf 'scenario x\nactor A teleport\n' >"$tmp/model.scn"
expect 2 "model.scn:2:9: unknown model 'teleport'" -- $bin check "$tmp/model.scn"

# SIGTERM while A is asleep in recv: out within a second, trace readable.
$bin run fishing --speed 1 --record "$tmp/k.jsonl" >"$tmp/k.txt" 2>&1 &
pid=$!
expect_in_file '"kind":"state"' "$tmp/k.jsonl" "no state event within 5 s"
kill -TERM $pid
i=0
while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.01; i=$((i + 1)); done
if kill -0 $pid 2>/dev/null; then bad "still running 1 s after SIGTERM"; kill -KILL $pid; else ok; fi
wait $pid; rc=$?
[ $rc = 1 ] && ok || bad "SIGTERM exit status $rc, wanted 1"
grep -q "interrupted" "$tmp/k.txt" && ok || bad "no word of the interruption"
expect 0 "ok, trace" -- $bin check "$tmp/k.jsonl"

summary cli
