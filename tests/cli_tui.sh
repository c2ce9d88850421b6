#!/bin/sh
# The screen, driven as a person would: the real binary in tmux, keys sent
# with send-keys, the screen read with capture-pane.  Every wait polls for
# what should appear, with a limit; none is a fixed sleep.
set -u
. "$(dirname "$0")/lib.sh"
scratch tui
. "$(dirname "$0")/lib_tmux.sh"

# Paused: the first actions, then step, step back, play, help, quit.
start 120 40 run fishing --paused
expect_screen "ioscope · fishing"
expect_screen "step 1/16"
expect_screen "S asleep in the kernel  recvfrom  wchan"
$T send-keys -t s Right
expect_screen "step 2/16"
$T send-keys -t s Right Right
# A's copy (▓) is on its user row or, where a call's label took that row's
# room, on its kernel row: either of A's two rows.
i=0
until $T capture-pane -p -t s | grep -A1 "^A blocking" | grep -q "▓" || [ $i -ge 500 ]; do
	sleep 0.02; i=$((i + 1))
done
[ $i -lt 500 ] && ok || bad "A's rows never showed its copy (▓)"
$T send-keys -t s Left
expect_screen "step [2-5]/16"
$T send-keys -t s '?'
expect_screen "step back (the view goes back"
$T send-keys -t s '?'
$T send-keys -t s ' '
expect_screen "▶"
$T send-keys -t s q
finished && ok || bad "q did not quit"
[ "$(cat "$tmp/rc" 2>/dev/null)" = 0 ] && ok || bad "exit status $(cat "$tmp/rc" 2>/dev/null) after q"
restored q

# 80×24, a model switch, a resize storm, too small, back.
start 80 24 run canteen --paused --speed 4
expect_screen "S · select"
expect_screen "E · epoll"
$T send-keys -t s m
# From the script's own models (select and epoll), the first m puts every
# actor on the first model of the table, then the next.
expect_screen "m: blocking · "
$T send-keys -t s m
expect_screen "m: nonblocking · "
for size in "100 30" "60 15" "200 50" "79 24" "80 23" "80 24"; do
	$T resize-window -t s -x ${size% *} -y ${size#* } 2>/dev/null
done
$T resize-window -t s -x 70 -y 20
expect_screen "ioscope needs 80×24; this terminal is 70×20"
$T resize-window -t s -x 80 -y 24
expect_screen "ioscope · canteen"
$T send-keys -t s t
expect_screen "ioscope · canteen"
$T send-keys -t s q
finished && ok || bad "q did not quit at 80x24"
restored resize

# SIGTERM while model threads sleep in the kernel: out within 1 s, restored.
start 120 40 run fishing --paused
expect_screen "S asleep in the kernel  recvfrom"
kill -TERM "$(ioscope_pid)"
finished && ok || bad "still running 1 s after SIGTERM"
[ "$(cat "$tmp/rc" 2>/dev/null)" = 1 ] && ok || bad "exit status $(cat "$tmp/rc" 2>/dev/null) after SIGTERM"
grep -q "interrupted by Terminated" "$tmp/stderr" && ok || bad "no word of the interruption on stderr"
restored SIGTERM

# A replay on the same screen, in Chinese.
"$bin" run lt-vs-et --speed 20 --record "$tmp/t.jsonl" >/dev/null 2>&1
start 120 40 replay "$tmp/t.jsonl" --paused --lang zh
expect_screen "ioscope · lt-vs-et · 回放"
$T send-keys -t s End
expect_screen "被 ioscope 停止"
$T send-keys -t s Home
expect_screen "步骤 0/"
$T send-keys -t s q
finished && ok || bad "q did not quit the replay"
restored replay

# The lesson menu, a lesson's pages, a prediction answered, back, quit.
export XDG_STATE_HOME="$tmp/state"
start 120 40
expect_screen "ioscope · lessons"
expect_screen "1. The two phases of a read"
$T send-keys -t s Enter
expect_screen "(1/[0-9]*)"
expect_screen "n next page"
$T send-keys -t s n
expect_screen "(2/[0-9]*)"
expect_screen "step 2/"
expect_screen "press a for the answer"
$T send-keys -t s a
expect_gone "press a for the answer"
$T send-keys -t s l
expect_screen "ioscope · lessons"
$T send-keys -t s q
finished && ok || bad "q did not quit the menu"
[ "$(cat "$tmp/rc" 2>/dev/null)" = 0 ] && ok || bad "menu exit status $(cat "$tmp/rc" 2>/dev/null)"
restored menu
grep -q "01-two-phases 1 0" "$tmp/state/ioscope/progress" && ok || bad "progress not remembered: $(cat "$tmp/state/ioscope/progress" 2>/dev/null)"

# A recording that fails mid-run (its FIFO's reader read one byte and
# left): the screen says so at once; the exit status and stderr say so too.
mkfifo "$tmp/rec.fifo"
head -c 1 "$tmp/rec.fifo" >/dev/null &
reader=$!
i=0
while [ "$(cat /proc/$reader/wchan 2>/dev/null)" != wait_for_partner ] && [ $i -lt 500 ]; do
	sleep 0.01; i=$((i + 1))
done
start 120 40 run fishing --play --speed 1 --record "$tmp/rec.fifo"
expect_screen "recording failed: .*rec.fifo: Broken pipe"
$T send-keys -t s q
finished && ok || bad "q did not quit after the recording failed"
[ "$(cat "$tmp/rc" 2>/dev/null)" = 1 ] && ok || bad "exit status $(cat "$tmp/rc" 2>/dev/null) after a failed recording"
grep -q "rec.fifo: recording failed: Broken pipe" "$tmp/stderr" && ok || bad "no word of the failed recording: $(cat "$tmp/stderr")"
restored "failed recording"
kill $reader 2>/dev/null

# Opened from the command line, a run and a replay wait for the class:
# paused until space, unless --play (issue 9, item 5).
start 80 24 run fishing
expect_screen "step 1/16 · ❚❚ 1×"
$T send-keys -t s ' '
expect_screen "· ▶ 1×"
$T send-keys -t s q
finished && ok || bad "q did not quit a run opened paused"
restored "run opened paused"
start 80 24 replay scenarios/recordings/fishing--blocking.jsonl
expect_screen "step 0/16 · ❚❚ 1×"
$T send-keys -t s q
finished && ok || bad "q did not quit a replay opened paused"
# A call that sleeps through a pause shows its real duration, the pause
# included: the key bar says so (it said "recvfrom 8.570 s" and nothing).
# The sleep is the learner reading before injecting, not a wait.
start 120 40 run fishing
expect_screen "S asleep in the kernel  recvfrom"
sleep 0.3
$T send-keys -t s i a
expect_screen "A's recvfrom [0-9.]* [mµ]*s: [0-9.]* [mµ]*s of it paused (durations are real time)"
$T send-keys -t s q
finished && ok || bad "q did not quit after an inject"
start 120 40 run fishing --lang zh
expect_screen "S 在内核中睡眠\|recvfrom"
sleep 0.3
$T send-keys -t s i a
expect_screen "A 的 recvfrom [0-9.]* [mµ]*s：其中 [0-9.]* [mµ]*s 是暂停（时长都是真实时间）"
$T send-keys -t s q
finished && ok || bad "q did not quit after an inject (zh)"
start 80 24 run fishing --play --speed 8
expect_screen "16/16 · ❚❚ 8× · the end"
$T send-keys -t s q
finished && ok || bad "q did not quit a run played to its end"
restored "run --play"

# A replay whose steps jump to the reader's largest (issue 10, item 3):
# → and ← cost one pass over the events, not steps x events, so the keys
# and q are answered (they used to spin at 100% CPU, deaf to q and TERM).
head -n 1 scenarios/recordings/fishing--blocking.jsonl >"$tmp/steps.jsonl"
awk 'BEGIN { for (i = 0; i < 20000; i++)
	printf "{\"seq\":%d,\"t_ns\":%d,\"actor\":\"A\",\"kind\":\"arrive\",\"fd\":5,\"bytes\":4,\"step\":%d}\n",
	       i, i + 1, i == 19999 ? 1048575 : int(i / 1000) }' >>"$tmp/steps.jsonl"
start 100 30 replay "$tmp/steps.jsonl" --paused
expect_screen "ioscope"
$T send-keys -t s Right Right Right Left End Right
$T send-keys -t s q
finished && ok || bad "q unanswered after stepping a replay with step 1048575"
[ "$(cat "$tmp/rc" 2>/dev/null)" = 0 ] && ok || bad "huge-step replay exit status $(cat "$tmp/rc" 2>/dev/null)"
restored "huge-step replay"

summary cli_tui
