#!/bin/sh
# A replay of more actors than the view's own (TRACE_MAX_ACTORS, 64): the
# hand-made tests/golden/lanes-300.jsonl, a server and 300 threads of one
# model (200 asleep in recvfrom, 60 running, 40 ended at its end).  The
# lanes' group and the kernel pane count all 300, at 80x24 and 120x40, in
# English and Chinese; keys one at a time and in a burst; q restores the
# terminal.
set -u
. "$(dirname "$0")/lib.sh"
scratch tui-actors
. "$(dirname "$0")/lib_tmux.sh"

trace=tests/golden/lanes-300.jsonl
words="blocking ×300: 200 asleep in recvfrom, 60 running, 40 ended"
words_zh="blocking ×300: 200 个在 recvfrom 中睡眠，60 个在运行，40 个已结束"

# count PATTERN: the pane's rows that hold it
count() { $T capture-pane -p -t s | grep -c -F -- "$1"; }
# rows_with N PATTERN: until N rows hold it (the lanes' group, the kernel pane's)
rows_with() {
	i=0
	until [ "$(count "$2")" -ge "$1" ] || [ $i -ge 500 ]; do sleep 0.02; i=$((i + 1)); done
	[ $i -lt 500 ] && ok || bad "fewer than $1 rows showed '$2'"
}

for size in "80 24" "120 40"; do
	set -- $size
	start "$1" "$2" replay "$trace"
	expect_screen "ioscope · c300"
	expect_screen "300 not started yet"
	$T send-keys -t s End
	expect_screen "the end"
	rows_with 2 "$words"
	# one at a time, then a burst, then back to the end
	$T send-keys -t s Left
	expect_screen "step 1/2"
	$T send-keys -t s Right
	expect_screen "the end"
	$T send-keys -t s Home Right Left Right Right Left Left End End
	expect_screen "the end"
	rows_with 2 "$words"
	$T send-keys -t s q
	finished 5 && ok || bad "q did not quit ($size)"
	[ "$(cat "$tmp/rc" 2>/dev/null)" = 0 ] && ok || bad "exit status $(cat "$tmp/rc" 2>/dev/null) ($size)"
	restored "q at $size"

	start "$1" "$2" replay "$trace" --lang zh
	expect_screen "回放"
	$T send-keys -t s End
	rows_with 2 "$words_zh"
	$T send-keys -t s q
	finished 5 && ok || bad "q did not quit (zh, $size)"
	restored "q at $size, zh"
done

summary cli_tui_actors
