#!/bin/sh
# Lesson navigation in tmux (issue 9 review, F1): p shows the run a page
# reads in order whatever the direction; g lands on its step; End plays on.
# The helpers are cli_tui.sh's; every wait polls with a limit.
set -u
bin=$(cd "$(dirname "${IOSCOPE:-./ioscope}")" && pwd)/$(basename "${IOSCOPE:-./ioscope}")
top=$(pwd)
tmp=$(mktemp -d /tmp/ioscope-nav-XXXXXX)
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
# not_shown PATTERN: the pane, as it is now, does not show it
not_shown() { $T capture-pane -p -t s | grep -q -- "$1" && bad "screen shows '$1'" || ok; }

# Lesson 9: page 3 has no run of its own and shows page 2's (D on
# io_uring at step 12), whether reached from page 2 or back from page 4.
start 80 24 lesson 9
expect_screen "(1/6)"
expect_screen "a answer"
$T send-keys -t s n
expect_screen "step 12/16"
not_shown "a answer"            # page 2 has no prediction
$T send-keys -t s n
expect_screen "Who does the copy?  (3/6)"
expect_screen "step 12/16"
$T send-keys -t s n
expect_screen "(4/6)"
expect_screen "A posix-aio"
expect_screen "step 2/16"
$T send-keys -t s p
expect_screen "Who does the copy?  (3/6)"
expect_screen "step 12/16" 20
expect_screen "D uring"
not_shown "posix-aio"
$T send-keys -t s q
finished && ok || bad "q did not quit lesson 9"
restored "lesson 9"

# Resumed at page 3: the same run, as if read in order.
start 80 24 lesson 9
expect_screen "resumed at page 3 of 6"
expect_screen "step 12/16" 20
expect_screen "D uring"
$T send-keys -t s q
finished && ok || bad "q did not quit lesson 9, resumed"

# In a lesson End plays the run to its end (help: "first / last event").
start 80 24 lesson 9
expect_screen "(3/6)"
$T send-keys -t s p
expect_screen "(2/6)"
expect_screen "step 12/16" 20
$T send-keys -t s End
expect_screen "step 16/16" 20
$T send-keys -t s q
finished && ok || bad "q did not quit lesson 9 after End"

# Lesson 12: page 1 has no run before it: text only, also coming back
# from page 2.
export XDG_STATE_HOME="$tmp/state-12"
start 80 24 lesson 12
expect_screen "One read, five ways  (1/5)"
not_shown "step [0-9]*/"
$T send-keys -t s n
expect_screen "(2/5)"
expect_screen "step 12/16" 20
$T send-keys -t s p
expect_screen "One read, five ways  (1/5)"
expect_gone "step 12/16"
not_shown "A blocking"
not_shown "→ step"
expect_screen "a answer"
# The last page of the last lesson: n opens nothing, and is not offered.
$T send-keys -t s n
expect_screen "(2/5)"
expect_screen "step 12/16" 20
$T send-keys -t s n n n
expect_screen "(5/5)"
expect_screen "p previous"
not_shown "n next"
$T send-keys -t s NPage NPage
expect_screen "the last of the lessons"
$T send-keys -t s q
finished && ok || bad "q did not quit lesson 12"
restored "lesson 12"

# g in a live run lands on the step asked for, as in a replay (steps 3
# and 4 of fishing happen at one instant, as do 5 and 6).
start 80 24 run fishing
expect_screen "step 1/16"
$T send-keys -t s g 3 Enter
expect_screen "step 3/16" 20
$T send-keys -t s g 5 Enter
expect_screen "step 5/16" 20
$T send-keys -t s Right
expect_screen "step 6/16" 20
$T send-keys -t s q
finished && ok || bad "q did not quit run fishing"
restored "run fishing"

echo "cli_lesson_nav: $pass passed, $fail failed"
[ $fail = 0 ]
