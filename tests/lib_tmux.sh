# Sourced by the tests that drive the real binary in tmux, after lib.sh and
# scratch (it needs $tmp):
#
#	. "$(dirname "$0")/lib.sh"
#	scratch NAME
#	. "$(dirname "$0")/lib_tmux.sh"
#
# Each start runs ioscope in a fresh tmux server on its own socket in $tmp
# ($T is the tmux command for the current one, session "s"); cleanup kills
# them all.  Every wait polls, with a limit; none is a fixed sleep.
bin=$(cd "$(dirname "${IOSCOPE:-./ioscope}")" && pwd)/$(basename "${IOSCOPE:-./ioscope}")
top=$(pwd)
n=0
sock="$tmp/tmux.0.sock"
T="tmux -S $sock"

cleanup() {
	for s in "$tmp"/tmux.*.sock; do tmux -S "$s" kill-server 2>/dev/null; done
	rm -rf "$tmp"
}

# A failure shows the pane: its first $pane_lines lines (45 unless set).
show_pane() { $T capture-pane -p -t s 2>/dev/null | sed 's/^/  | /' | head -${pane_lines:-45}; }
bad_also() { show_pane; }

# wait_for PATTERN [SECONDS]: until the pane shows it.  With wait_ends=1,
# it stops looking once ioscope has ended (unless it waits for the
# wrapper's IOSCOPE-DONE): one last look then.
wait_for() {
	i=0 limit=$(( ${2:-10} * 50 ))
	while [ $i -lt $limit ]; do
		$T capture-pane -p -t s 2>/dev/null | grep -q -- "$1" && return 0
		[ -n "${wait_ends:-}" ] && [ "$1" != IOSCOPE-DONE ] && [ -s "$tmp/rc" ] &&
			{ $T capture-pane -p -t s 2>/dev/null | grep -q -- "$1"; return; }
		sleep 0.02; i=$((i + 1))
	done
	return 1
}
# expect_screen PATTERN [SECONDS [WHAT]]: a check that the pane shows it
expect_screen() { wait_for "$1" "${2:-10}" && ok || bad "screen never showed '$1'${3+ ($3)}"; }
# expect_gone PATTERN: until the pane no longer shows it
expect_gone() {
	i=0
	while [ $i -lt 500 ]; do
		$T capture-pane -p -t s 2>/dev/null | grep -q -- "$1" || { ok; return; }
		sleep 0.02; i=$((i + 1))
	done
	bad "screen still shows '$1'"
}

# start W H ARGS...: ioscope in a fresh tmux pane, stty saved around it;
# its status in $tmp/rc, its stderr in $tmp/stderr.  $envp, if set, goes
# before the wrapper (envp="env LANG=C" start ...).
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
	$T -f /dev/null new-session -d -s s -x "$w" -y "$h" "${envp:+$envp }sh $tmp/wrap.sh $*"
	$T set-option -t s status off >/dev/null
}
# finished [SECONDS]: the wrapper saw ioscope end (within 1 s unless given)
finished() {
	i=0 limit=$(( ${1:-1} * 100 ))
	while [ ! -s "$tmp/rc" ] && [ $i -lt $limit ]; do sleep 0.01; i=$((i + 1)); done
	[ -s "$tmp/rc" ]
}
# ioscope_pid: the wrapper's ioscope (not any ioscope on the machine)
ioscope_pid() {
	i=0; while [ ! -s "$tmp/wrap.pid" ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i + 1)); done
	pgrep -P "$(cat "$tmp/wrap.pid")" | head -1
}
# restored WHAT: the wrapper's line shows and stty is as before
restored() {
	wait_for IOSCOPE-DONE 5 && cmp -s "$tmp/stty.before" "$tmp/stty.after" && ok || bad "terminal not restored ($1)"
}
