#!/bin/sh
# Lesson pages in tmux (issue 9, items 1, 2 and 7): a first page without a
# run, scrolling, the end of a lesson and the next one, the menu's ✓.
# The helpers are cli_tui.sh's; every wait polls with a limit.
set -u
bin=$(cd "$(dirname "${IOSCOPE:-./ioscope}")" && pwd)/$(basename "${IOSCOPE:-./ioscope}")
top=$(pwd)
tmp=$(mktemp -d /tmp/ioscope-pages-XXXXXX)
n=0
sock="$tmp/tmux.0.sock"
T="tmux -S $sock"
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; $T capture-pane -p -t s 2>/dev/null | sed 's/^/  | /' | head -45; }
cleanup() {
	for s in "$tmp"/tmux.*.sock; do tmux -S "$s" kill-server 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

# wait_for PATTERN [SECONDS]: until the pane shows it
wait_for() {
	i=0 limit=$(( ${2:-10} * 50 ))
	while [ $i -lt $limit ]; do
		$T capture-pane -p -t s 2>/dev/null | grep -q -- "$1" && return 0
		sleep 0.02; i=$((i + 1))
	done
	return 1
}
expect_screen() { wait_for "$1" "${2:-10}" && ok || bad "screen never showed '$1'"; }
# expect_gone PATTERN: until the pane no longer shows it
expect_gone() {
	i=0
	while [ $i -lt 500 ]; do
		$T capture-pane -p -t s 2>/dev/null | grep -q -- "$1" || { ok; return; }
		sleep 0.02; i=$((i + 1))
	done
	bad "screen still shows '$1'"
}

# start W H ARGS...: ioscope in a fresh tmux pane, stty saved around it
start() {
	w=$1 h=$2; shift 2
	cat >"$tmp/wrap.sh" <<EOS
cd "$top"
stty -g >"$tmp/stty.before"
echo \$\$ >"$tmp/wrap.pid"
"$bin" "\$@" 2>"$tmp/stderr"
echo \$? >"$tmp/rc"
stty -g >"$tmp/stty.after"
echo IOSCOPE-DONE
sleep 60
EOS
	rm -f "$tmp/rc" "$tmp/wrap.pid"
	$T kill-server 2>/dev/null
	n=$((n + 1)); sock="$tmp/tmux.$n.sock"; T="tmux -S $sock"
	$T -f /dev/null new-session -d -s s -x "$w" -y "$h" "sh $tmp/wrap.sh $*"
	$T set-option -t s status off >/dev/null
}
finished() {
	i=0; while [ ! -s "$tmp/rc" ] && [ $i -lt 100 ]; do sleep 0.01; i=$((i + 1)); done
	[ -s "$tmp/rc" ]
}
restored() {
	wait_for IOSCOPE-DONE 5 && cmp -s "$tmp/stty.before" "$tmp/stty.after" && ok || bad "terminal not restored ($1)"
}

export XDG_STATE_HOME="$tmp/state"

# Lesson 7 starts without a run: its first page shows, text only.
start 80 24 lesson 7
expect_screen "ioscope · Limits and scale"
expect_screen "select's bitmap has 1024 bits  (1/5)"
expect_screen "press a for the answer"
$T send-keys -t s a
expect_screen "Only P and E"
$T send-keys -t s n
expect_screen "Descriptors above 1023  (2/5)"
expect_screen "step 4/"
$T send-keys -t s q
finished && ok || bad "q did not quit lesson 7"
restored "lesson 7"

# In Chinese, the same (from a fresh start: the lesson resumes where it
# was left, and says so).
export XDG_STATE_HOME="$tmp/state-zh"
start 80 24 lesson 7 --lang zh
expect_screen "(1/5)"
expect_screen "先想一想"
$T send-keys -t s q
finished && ok || bad "q did not quit lesson 7 in Chinese"

# From the menu: Enter on lesson 7 opens its first page.
export XDG_STATE_HOME="$tmp/state-menu"
start 80 24
expect_screen "ioscope · lessons"
$T send-keys -t s Down Down Down Down Down Down Enter
expect_screen "select's bitmap has 1024 bits  (1/5)"
$T send-keys -t s q
finished && ok || bad "q did not quit lesson 7 opened from the menu"

# Opened again, lesson 7 resumes at page 2, where it was left, and says so.
export XDG_STATE_HOME="$tmp/state"
start 80 24 lesson 7
expect_screen "Descriptors above 1023  (2/5)"
expect_screen "resumed at page 2 of 5"
$T send-keys -t s p
expect_screen "select's bitmap has 1024 bits  (1/5)"
$T send-keys -t s q
finished && ok || bad "q did not quit lesson 7, resumed"

# A page longer than the screen scrolls, and says so.
start 80 24 lesson 4
expect_screen "One wait for four rods  (1/6)"
expect_screen "more rows below (↓)"
$T send-keys -t s Down Down Down
expect_screen "3 rows above (↑)"
$T send-keys -t s Up Up Up
expect_gone "rows above (↑)"
$T send-keys -t s a
expect_screen "Neither four nor one"
$T send-keys -t s q
finished && ok || bad "q did not quit lesson 4"
restored "lesson 4 scrolled"

# The last page of lesson 1 says it is finished; n opens lesson 2; the
# menu shows ✓ at once.
start 100 30
expect_screen "1. The two phases of a read"
$T send-keys -t s Enter
expect_screen "(1/6)"
for p in 2 3 4 5 6; do
	$T send-keys -t s n
	expect_screen "($p/6)"
done
expect_screen "marked finished in the lesson list"
expect_screen "2. Blocking IO: asleep through both phases"
$T send-keys -t s n
expect_screen "Blocking IO: asleep"
expect_screen "(1/[0-9]*)"
$T send-keys -t s l
expect_screen "✓  1\. The two phases"
$T send-keys -t s q
finished && ok || bad "q did not quit the menu"
restored "menu after lesson 1"
grep -q "01-two-phases 5 1" "$tmp/state/ioscope/progress" && ok || bad "lesson 1 not finished: $(cat "$tmp/state/ioscope/progress" 2>/dev/null)"

echo "cli_lesson_pages: $pass passed, $fail failed"
[ $fail = 0 ]
