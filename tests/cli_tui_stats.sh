#!/bin/sh
# IOSCOPE_STATS=1: at exit one line on stderr with the frames' times and
# the slowest key, from its reading to the frame that shows it ("key max
# N µs"; "key max -" when no key was shown: q alone ends before a frame).
set -u
. "$(dirname "$0")/lib.sh"
scratch tui-stats
. "$(dirname "$0")/lib_tmux.sh"

trace=tests/golden/fishing.jsonl
line='^ioscope stats: [0-9]*x[0-9]*, [0-9]* frames, median [0-9]* µs, 90th [0-9]* µs, max [0-9]* µs, key max'

envp="env IOSCOPE_STATS=1"
start 120 40 replay "$trace"
expect_screen "step 0/"
$T send-keys -t s Right
expect_screen "step 1/"
$T send-keys -t s End
expect_screen "the end"
$T send-keys -t s q
finished 5 && ok || bad "q did not quit"
grep -q "$line [0-9][0-9]* µs, first frame [0-9.]* ms after start\$" "$tmp/stderr" && ok ||
	bad "no stats line with a key's time: $(cat "$tmp/stderr")"

start 120 40 replay "$trace"
expect_screen "step 0/"
$T send-keys -t s q
finished 5 && ok || bad "q did not quit (no key shown)"
grep -q "$line -, first frame [0-9.]* ms after start\$" "$tmp/stderr" && ok ||
	bad "no stats line with 'key max -': $(cat "$tmp/stderr")"
envp=

summary cli_tui_stats
