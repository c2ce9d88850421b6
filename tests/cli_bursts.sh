#!/bin/sh
# Keys are events, not races (issue 9, item 3): bursts of keys sent in one
# send-keys, as a paste, a double tap or a teacher flicking through models
# would send them.  The process must survive every burst, end where the
# keys say (page, step counter, model in the lanes), quit on q with status
# 0 and leave the terminal as it found it.  Every wait polls for what
# should appear, with a limit; none is a fixed sleep.
set -u
. "$(dirname "$0")/lib.sh"
scratch bursts
. "$(dirname "$0")/lib_tmux.sh"
# A failure shows ioscope's stderr too; waits stop once ioscope has ended.
bad_also() { show_pane; cat "$tmp/stderr" 2>/dev/null | head -${STDERR_LINES:-5}; }
wait_ends=1
export XDG_STATE_HOME="$tmp/state" HOME="$tmp"

alive() { [ ! -s "$tmp/rc" ] && ok || bad "ioscope ended (status $(cat "$tmp/rc")) after $1"; }
# quit WHAT: Escape (closes a prompt or the help), q; status 0, restored
quit() {
	$T send-keys -t s Escape
	$T send-keys -t s q
	i=0; while [ ! -s "$tmp/rc" ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i + 1)); done
	[ "$(cat "$tmp/rc" 2>/dev/null)" = 0 ] && ok || bad "$1: exit status '$(cat "$tmp/rc" 2>/dev/null)' after q: $(cat "$tmp/stderr")"
	wait_for IOSCOPE-DONE 5 && cmp -s "$tmp/stty.before" "$tmp/stty.after" && ok || bad "$1: terminal not restored: $(cat "$tmp/stty.before") -> $(cat "$tmp/stty.after" 2>/dev/null)"
}
# mix SEED COUNT KEY...: COUNT keys drawn from KEY... (reproducibly)
mix() {
	seed=$1 count=$2; shift 2
	echo "$@" | awk -v seed="$seed" -v count="$count" '{
		srand(seed); for (i = 0; i < count; i++) printf "%s ", $(1 + int(rand() * NF)) }'
}
# pages START NPAGES KEYS...: the page (1-based) n/Enter and p lead to
pages() {
	p=$1 max=$2; shift 2
	for k in "$@"; do
		case $k in n|Enter) [ "$p" -lt "$max" ] && p=$((p + 1)) ;; p) [ "$p" -gt 1 ] && p=$((p - 1)) ;; esac
	done
	echo "$p"
}

# ---- a lesson: n n n p p n in one burst ends on page 3 (it aborted in
# uv_close on the second n); a burst of → steps four times.
start 80 24 lesson 1
expect_screen "(1/7)" 10 "lesson 1"
$T send-keys -t s n n
expect_screen "(3/7)" 10 "n n"
$T send-keys -t s p p
expect_screen "(1/7)" 10 "p p"
$T send-keys -t s n n n p p n
expect_screen "(3/7)" 10 "n n n p p n"
alive "n n n p p n"
expect_screen "step 4/16" 10 "page 3 plays to its step"
$T send-keys -t s Right Right Right Right
expect_screen "step 8/16" 10 "→ → → → on a lesson page"
alive "→ → → → in a lesson"
# A long mix of every lesson key (g and i prompts are in the run's mix).
keys=$(mix $((9 + ${BURST_SEED:-0})) 150 n p a Right Left Space '?' t h l . , Home End + - Up Down PageUp PageDown Escape n n p)
# shellcheck disable=SC2086
$T send-keys -t s $keys
want=$(pages 3 7 $keys)
$T send-keys -t s Escape                  # closes the help, if the mix left it open
expect_screen "($want/7)" 20 "a mix of lesson keys"
alive "a mix of lesson keys"
quit lesson

# ---- a live run: m m m m switches four times, in order; → → → → steps
# four times (it stepped once, and one → advanced the counter by 2).
start 80 24 run fishing --paused
expect_screen "step 1/16" 10 "run fishing --paused"
$T send-keys -t s m m
expect_screen "A nonblocking" 10 "m m"
alive "m m"
$T send-keys -t s m m m m
expect_screen "A epoll-et" 10 "m m m m"
alive "m m m m"
$T send-keys -t s Right
expect_screen "step 2/16" 10 "→"
$T send-keys -t s Right
expect_screen "step 3/16" 10 "→ →: one action per →"
$T send-keys -t s Right Right Right Right
expect_screen "step 7/16" 10 "→ → → →"
$T send-keys -t s Left Left Right Right Right
expect_screen "step 8/16" 10 "← ← → → →"
keys=$(mix $((7 + ${BURST_SEED:-0})) 200 Right Left Space m '?' t + - . , Home End h l g 1 2 Enter i a b Escape Up Down n p)
# shellcheck disable=SC2086
$T send-keys -t s $keys
$T send-keys -t s Escape
alive "a mix of live-run keys"
expect_screen "ioscope · fishing" 10 "after the mix"
quit "live run"

# ---- a replay: → → → → steps four times; i and m say why they do nothing.
start 80 24 replay scenarios/recordings/fishing--blocking.jsonl --paused
expect_screen "ioscope · fishing" 10 "replay"
$T send-keys -t s Home Right Right Right Right
expect_screen "step 4/" 10 "→ → → → in a replay"
$T send-keys -t s m
expect_screen "m and i work in live runs" 10 "m in a replay"
$T send-keys -t s i
expect_screen "m and i work in live runs" 10 "i in a replay"
keys=$(mix $((5 + ${BURST_SEED:-0})) 200 Right Left Space m i '?' t + - . , Home End h l g 3 Enter a Escape Up Down)
# shellcheck disable=SC2086
$T send-keys -t s $keys
alive "a mix of replay keys"
quit replay

# ---- the menu: j j j k Enter opens lesson 3; a mix of menu and lesson keys.
start 80 24
expect_screen "ioscope · lessons" 10 "menu"
$T send-keys -t s j j j k Enter
expect_screen "Non-blocking IO" 10 "j j j k Enter"
# The menu opens on the lesson just left (3): down, down, up is lesson 4.
$T send-keys -t s l Down Down Up Enter
expect_screen "Multiplexing with select" 10 "l Down Down Up Enter"
# A lesson page with no run: keys that step or play have no trace to work
# on (End crashed on a NULL trace).
$T send-keys -t s l Home
for k in Down Down Down Down Down Down Down Down Down Down Down; do $T send-keys -t s $k; done
$T send-keys -t s Enter End Right Left Space . , m i g 1 Enter Home
alive "keys on a lesson page with no run"
$T send-keys -t s Escape l
keys=$(mix $((3 + ${BURST_SEED:-0})) 200 j k Up Down Enter Space Right n p a l '?' t Left Home End Escape)
# shellcheck disable=SC2086
$T send-keys -t s $keys
alive "a mix of menu keys"
$T send-keys -t s Escape l
expect_screen "ioscope · lessons" 10 "l back to the menu"
quit menu

summary cli_bursts
