#!/bin/sh
# Every signal that ends the screen leaves the terminal as it was: echo and
# canonical mode back, the alternate screen left, the cursor shown.  The
# real binary in tmux (as tests/cli_tui.sh); the terminal's settings are
# read with stty in the pane before and after.  Every wait polls, with a
# limit.
set -u
. "$(dirname "$0")/lib.sh"
scratch sig
. "$(dirname "$0")/lib_tmux.sh"
pane_lines=30                   # a failure shows 30 lines of the pane

if ! command -v tmux >/dev/null 2>&1; then
	echo "skip: tmux not installed"
	echo "cli_signals: 0 passed, 0 failed"
	exit 0
fi

# start ARGS...: ioscope in a fresh 120x40 pane.  The wrapper traps QUIT
# and INT with a handler (so they do not end it, while ioscope, exec'd,
# gets the default disposition) and saves stty before and after.
start() {
	cat >"$tmp/wrap.sh" <<EOS
trap ':' QUIT INT
cd "$top"
stty -g >"$tmp/stty.before"
echo \$\$ >"$tmp/wrap.pid"
"$bin" "\$@" 2>"$tmp/stderr"
echo \$? >"$tmp/rc.tmp"
stty -g >"$tmp/stty.after"
stty -a >"$tmp/stty.a"
mv "$tmp/rc.tmp" "$tmp/rc"
echo IOSCOPE-DONE
sleep 60
EOS
	rm -f "$tmp/rc" "$tmp/rc.tmp" "$tmp/stty.after" "$tmp/stty.a" "$tmp/wrap.pid"
	$T kill-server 2>/dev/null
	n=$((n + 1)); sock="$tmp/tmux.$n.sock"; T="tmux -S $sock"
	$T -f /dev/null new-session -d -s s -x 120 -y 40 "sh $tmp/wrap.sh $*"
	$T set-option -t s status off >/dev/null
}
# restored WHAT: same settings as before, echo and icanon on, the
# alternate screen left (the wrapper's line is on the normal screen)
restored() {
	finished 5 || { bad "still running ($1)"; return; }
	cmp -s "$tmp/stty.before" "$tmp/stty.after" && ok || bad "stty differs after $1"
	grep -Eq '(^| )echo( |$)' "$tmp/stty.a" && grep -Eq '(^| )icanon( |$)' "$tmp/stty.a" \
		&& ok || bad "echo or icanon off after $1: $(cat "$tmp/stty.a")"
	wait_for IOSCOPE-DONE 5 && ok || bad "the normal screen did not come back after $1"
}
status_is() {
	[ "$(cat "$tmp/rc" 2>/dev/null)" = "$1" ] && ok || bad "exit status $(cat "$tmp/rc" 2>/dev/null) after $2, wanted $1"
}

# Ctrl-\ (SIGQUIT): out cleanly, as SIGINT and SIGTERM are.
start run fishing --paused
wait_for "S asleep in the kernel  recvfrom" && ok || bad "the screen never came up"
$T send-keys -t s 'C-\'
restored "Ctrl-\\"
status_is 1 "Ctrl-\\"
grep -q "interrupted by Quit" "$tmp/stderr" && ok || bad "no word of the interruption: $(cat "$tmp/stderr")"

# SIGHUP (the terminal window closed).
start run fishing --paused
wait_for "S asleep in the kernel  recvfrom" && ok || bad "the screen never came up"
kill -HUP "$(ioscope_pid)"
restored SIGHUP
status_is 1 SIGHUP

# Crash signals: the handler restores, then the process dies of the signal.
# A sanitizer build would take SEGV and BUS itself (a report, then abort):
# these are signals sent from outside, not faults, so let them through.
asan_before=${ASAN_OPTIONS-}
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0:handle_sigbus=0:handle_abort=0"
for pair in SEGV:11 BUS:7 ABRT:6; do
	sig=${pair%:*} num=${pair#*:}
	start run fishing --paused
	wait_for "S asleep in the kernel  recvfrom" && ok || bad "the screen never came up"
	kill -$sig "$(ioscope_pid)"
	restored "SIG$sig"
	status_is $((128 + num)) "SIG$sig"
done
export ASAN_OPTIONS="$asan_before"

# A second quit signal before the loop could act on the first (the process
# stopped meanwhile): the handler ends it at once, restored.
start replay tests/golden/fishing.jsonl --paused
wait_for "回放\|replay" && ok || bad "the replay never came up"
pid=$(ioscope_pid)
kill -STOP "$pid"
kill -INT "$pid"
kill -TERM "$pid"
kill -CONT "$pid"
restored "INT then TERM"
case $(cat "$tmp/rc" 2>/dev/null) in
1|130|143) ok ;;
*) bad "exit status $(cat "$tmp/rc" 2>/dev/null) after INT then TERM" ;;
esac

summary cli_signals
