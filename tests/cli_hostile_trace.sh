#!/bin/sh
# Hostile traces and files that are not traces, through the real binary
# (issue 10, items 1, 3, 8, 9, 11, 12): check, replay and export refuse each
# with one line naming the file (and line), exit 2, write nothing, and never
# crash or hang.  Every command has a time limit.
set -u
. "$(dirname "$0")/lib.sh"
scratch hostile
expect_limit="timeout 30" expect_clip=300      # expect: 30 s; quote 300 bytes

hdr='{"format":"ioscope-trace","version":1,"scenario":"t","kernel":"k","started":"2026-11-26T14:09:36Z","actors":[{"name":"world","model":""},{"name":"A","model":"blocking"}]}'
# mk NAME LINE...: a trace of the header and these event lines
mk() {
	f="$tmp/$1"; shift
	printf '%s\n' "$hdr" >"$f"
	for l in "$@"; do printf '%s\n' "$l" >>"$f"; done
}

# Item 1 (and 3): a step the views cannot count to.  check used to accept
# it; export --format asciicast crashed and left OUT.tmp; the screen spun.
mk step.jsonl '{"seq":0,"t_ns":5,"actor":"A","kind":"arrive","fd":5,"bytes":4,"step":2147483647}'
expect 2 'step.jsonl:2:1: "step" of the "arrive" event is 2147483647 (expected an integer from 0 to 1048575)' -- "$bin" check "$tmp/step.jsonl"
expect 2 "step.jsonl:2:1: \"step\"" -- "$bin" export "$tmp/step.jsonl" --format asciicast -o "$tmp/out.cast"
[ ! -e "$tmp/out.cast" ] && [ ! -e "$tmp/out.cast.tmp" ] && ok || bad "export left $(ls "$tmp"/out.cast* 2>/dev/null)"
expect 2 "step.jsonl:2:1: \"step\"" -- "$bin" replay "$tmp/step.jsonl" --plain
expect 2 "step.jsonl:2:1: \"step\"" -- "$bin" replay "$tmp/step.jsonl"
# The largest step allowed exports.
mk maxstep.jsonl '{"seq":0,"t_ns":5,"actor":"A","kind":"arrive","fd":5,"bytes":4,"step":1048575}'
expect 0 "" -- "$bin" export "$tmp/maxstep.jsonl" --format asciicast -o "$tmp/max.cast"
grep -q '"m","step 1048576"' "$tmp/max.cast" && ok || bad "no marker for the last step"

# Item 8: two wait phases from 0 to INT64_MAX (a sum that overflowed), and
# "bytes": INT64_MIN (negated by the narrator).
w='"kind":"phase","phase":"wait","blocked":true,"fd":5'
mk phases.jsonl "{\"seq\":0,\"t_ns\":0,\"actor\":\"A\",$w,\"edge\":\"begin\"}" \
	"{\"seq\":1,\"t_ns\":9223372036854775807,\"actor\":\"A\",$w,\"edge\":\"end\"}" \
	"{\"seq\":2,\"t_ns\":0,\"actor\":\"A\",$w,\"edge\":\"begin\"}" \
	"{\"seq\":3,\"t_ns\":9223372036854775807,\"actor\":\"A\",$w,\"edge\":\"end\"}"
expect 2 'phases.jsonl:3:1: "t_ns" of the event is 9223372036854775807 (expected an integer from 0 to 9007199254740992)' -- "$bin" check "$tmp/phases.jsonl"
expect 2 'phases.jsonl:3:1:' -- "$bin" replay "$tmp/phases.jsonl" --plain
mk bytes.jsonl '{"seq":0,"t_ns":5,"actor":"A","kind":"arrive","fd":5,"bytes":-9223372036854775808}'
expect 2 'bytes.jsonl:2:1: "bytes" of the "arrive" event is -9223372036854775808 (expected an integer from -4095 to 2147483647)' -- "$bin" check "$tmp/bytes.jsonl"
expect 2 'bytes.jsonl:2:1:' -- "$bin" export "$tmp/bytes.jsonl" --format text
mk deliver.jsonl '{"seq":0,"t_ns":5,"actor":"A","kind":"deliver","fd":5,"bytes":-4}'
expect 2 'deliver.jsonl:2:1: "bytes"' -- "$bin" check "$tmp/deliver.jsonl"
mk fd.jsonl '{"seq":0,"t_ns":5,"actor":"A","kind":"enter","call":"recvfrom","fd":-2}'
expect 2 'fd.jsonl:2:1: "fd" of the "enter" event is -2' -- "$bin" check "$tmp/fd.jsonl"

# Item 9: a long header line is refused at its length, not parsed.
{ printf '{"format":"ioscope-trace","version":1,"x":['
  head -c 2100000 /dev/zero | tr '\0' '1' | sed 's/1/1,/g'
  printf '1]}\n'; } >"$tmp/long.jsonl"
expect 2 'long.jsonl:1:1: line is [0-9]* bytes long (expected the header of at most 256 KiB)' -- "$bin" check "$tmp/long.jsonl"

# Items 11 and 12: a FIFO with no writer must not hang; a directory, a
# device and an empty file get their own words.
mkfifo "$tmp/fifo.jsonl"
expect 2 'fifo.jsonl: not a regular file (a FIFO; expected a trace file)' -- "$bin" check "$tmp/fifo.jsonl"
expect 2 'fifo.jsonl: not a regular file (a FIFO' -- "$bin" replay "$tmp/fifo.jsonl" --plain
expect 2 'fifo.jsonl: not a regular file (a FIFO' -- "$bin" export "$tmp/fifo.jsonl" --format text
mkdir "$tmp/dir.jsonl"
expect 2 'dir.jsonl: cannot read: Is a directory (expected an ioscope trace file)' -- "$bin" check "$tmp/dir.jsonl"
expect 2 'dir.jsonl: cannot read: Is a directory' -- "$bin" replay "$tmp/dir.jsonl" --plain
: >"$tmp/empty.jsonl"
expect 2 'empty.jsonl: file is empty (expected an ioscope trace)' -- "$bin" check "$tmp/empty.jsonl"
expect 2 '/dev/zero: not a regular file (a character device; expected a trace file)' -- "$bin" replay /dev/zero --plain

# Issue 13: a trace is read a piece at a time, never whole.  A line past
# the first megabytes, and longer than a line may be, is still refused at
# its number with its whole length; the lines before it, across the edges
# of the reads, are all read (check counts them).
seq 0 39999 | sed 's/.*/{"seq":&,"t_ns":5,"actor":"A","kind":"lost","count":1}/' >"$tmp/body"
{ printf '%s\n' "$hdr"; cat "$tmp/body"; } >"$tmp/many.jsonl"
expect 0 'many.jsonl: ok, trace of .t.: 40000 events' -- "$bin" check "$tmp/many.jsonl"
{ printf '%s\n{"seq":0,"t_ns":5,"actor":"A","kind":"note","text":{"en":"' "$hdr"
  head -c 1100000 /dev/zero | tr '\0' x; printf '","zh":""}}\n'; } >"$tmp/longline.jsonl"
{ printf '%s\n' "$hdr"; cat "$tmp/body"; tail -n 1 "$tmp/longline.jsonl"; cat "$tmp/body"; } >"$tmp/late.jsonl"
expect 2 'late.jsonl:40002:1: line is 1100069 bytes long (expected an event object of at most 1024 KiB)' -- "$bin" check "$tmp/late.jsonl"

summary cli_hostile_trace
