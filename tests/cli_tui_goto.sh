#!/bin/sh
# The replay screen as a learner meets it: a recording cut short says so
# on the screen (as check and --plain do); g 0 goes before the first step,
# as Home; the step prompt takes at most the digits a step can have; and
# "the end" is shown only at the end, in a live run stepped back too.
set -u
. "$(dirname "$0")/lib.sh"
scratch tui-goto
. "$(dirname "$0")/lib_tmux.sh"

trace=tests/golden/fishing.jsonl
# Cut in the middle of a line: the last line is lost, and said.
head -c "$(( $(wc -c <"$trace") - 40 ))" "$trace" >"$tmp/cut.jsonl"
start 120 40 replay "$tmp/cut.jsonl"
expect_screen "step 0/"
expect_screen "last line was cut short"
$T send-keys -t s q
finished 5 && ok || bad "q did not quit (cut trace)"

start 80 24 replay "$tmp/cut.jsonl" --lang zh
expect_screen "最后一行不完整" 10 "no cut-short note in Chinese"
$T send-keys -t s q
finished 5 && ok || bad "q did not quit (cut trace, zh)"

start 120 40 replay "$trace"
expect_screen "step 0/"
$T capture-pane -p -t s | grep -q "cut short" && bad "a whole file said it was cut" || ok
$T send-keys -t s Right Right Right
expect_screen "step 3/"
$T send-keys -t s g 0 Enter
expect_screen "step 0/" 10 "g 0 did not go to step 0"
# Ten digits, then one erased: had an eighth been taken, 1234567 would stay.
$T send-keys -t s g 1 2 3 4 5 6 7 8 9 0 BSpace
expect_screen "(Enter): 123456 " 10 "the prompt did not hold 7 digits"
$T send-keys -t s Escape q
finished 5 && ok || bad "q did not quit (goto)"

# A live run that ended, stepped back: not "the end" any more.
start 120 40 run fishing --play --speed 10
expect_screen "the end" 60
$T send-keys -t s Left
expect_gone "the end"
$T send-keys -t s End
expect_screen "the end"
$T send-keys -t s q
finished 5 && ok || bad "q did not quit (live)"

summary cli_tui_goto
