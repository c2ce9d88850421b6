#!/bin/sh
# ioscope attach on the screen, in tmux: at 80x24 and 120x40, in English
# and Chinese; the title names the program and its pid; a lane for each of
# its threads; the kernel's word on where they sleep; space freezes the
# view and the arrows walk it; m says it does nothing here; q stops a
# started program (its output in a log file, never on the screen) or
# detaches from -p (the program runs on); the terminal restored.
#
# First without ptrace (IOSCOPE_ATTACH_PROC=1), then with it.
set -u
. "$(dirname "$0")/lib.sh"
scratch tui-attach
. "$(dirname "$0")/lib_tmux.sh"
unset LC_ALL LC_MESSAGES LC_CTYPE LANGUAGE
LANG=C.UTF-8; export LANG

make -s build/tests/attach/at_sleeper >/dev/null 2>&1 ||
	{ echo "FAIL: cannot build tests/attach/at_sleeper"; exit 1; }
sleeper=build/tests/attach/at_sleeper
pids=""
cleanup() {
	for s in "$tmp"/tmux.*.sock; do tmux -S "$s" kill-server 2>/dev/null; done
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
# wait_file PATTERN FILE: until FILE holds it (10 s at most)
wait_file() {
	i=0
	while ! grep -q -- "$1" "$2" 2>/dev/null && [ $i -lt 1000 ]; do sleep 0.01; i=$((i + 1)); done
	grep -q -- "$1" "$2" 2>/dev/null
}

# ---- a started program, without ptrace
for size in "80 24" "120 40"; do
	set -- $size
	envp="env IOSCOPE_ATTACH_PROC=1 TMPDIR=$tmp" start "$1" "$2" attach -- "$sleeper"
	expect_screen "ioscope · attach: build/tests/attach/at_sleeper" 10 "title ($size)"
	[ "$1" = 80 ] || expect_screen "attach: build/tests/attach/at_sleeper (pid [0-9]*)" 10 "the pid in the title ($size)"
	expect_screen "at_sleep\.[0-9]*" 10 "a lane of its thread ($size)"
	expect_screen "epoll_wait" 10 "the kernel's word ($size)"
	$T capture-pane -p -t s | grep -qx "ready" && bad "the program's output drew on the screen ($size)" || ok
	# its own keys: no steps, models, speed or go-to to offer
	$T send-keys -t s '?'
	expect_screen "freeze the view, or follow the newest event again" 5 "help: space ($size)"
	expect_screen "quit: stop the program" 5 "help: q ($size)"
	$T capture-pane -p -t s | grep -Eq "go to step|next action|speed ×2|the next model" &&
		bad "the help offers a scenario's keys on attach ($size)" || ok
	$T send-keys -t s Escape
	$T send-keys -t s m
	expect_screen "not in attach" 5 "m ($size)"
	$T send-keys -t s ' '
	expect_screen "view frozen" 5 "space ($size)"
	$T send-keys -t s Left Left Right ' '
	$T send-keys -t s q
	finished 10 && ok || bad "q did not quit ($size)"
	[ "$(cat "$tmp/rc" 2>/dev/null)" = 0 ] && ok || bad "exit status $(cat "$tmp/rc" 2>/dev/null) ($size): $(cat "$tmp/stderr")"
	restored "q at $size"
	grep -q "the program's output is in $tmp/ioscope-attach-.*\.log" "$tmp/stderr" && ok ||
		bad "the log is not named ($size): $(cat "$tmp/stderr")"
	log=$(sed -n "s/.*output is in \(.*\)$/\1/p" "$tmp/stderr")
	grep -q ready "$log" 2>/dev/null && ok || bad "the program's output is not in its log ($size)"
	grep -q "killed by signal 15" "$tmp/stderr" && ok || bad "q did not stop the program ($size): $(cat "$tmp/stderr")"
done

# ---- Chinese, and -p: q detaches, the program runs on
"$sleeper" >"$tmp/sleeper.out" 2>&1 &
sp=$!
pids="$pids $sp"
wait_file ready "$tmp/sleeper.out" || bad "at_sleeper never said ready"
for size in "80 24" "120 40"; do
	set -- $size
	envp="env IOSCOPE_ATTACH_PROC=1" start "$1" "$2" attach -p "$sp" --lang zh
	expect_screen "attach: 进程 $sp" 10 "the title, zh ($size)"
	expect_screen "已附着到进程 $sp：q 脱离，它继续运行" 10 "the note, zh ($size)"
	expect_screen "at_sleep\.$sp" 10 "the main thread's lane ($size)"
	expect_screen "睡在 epoll_wait 里" 10 "the model read from /proc, zh ($size)"
	$T send-keys -t s q
	finished 10 && ok || bad "q did not quit (-p, $size)"
	[ "$(cat "$tmp/rc" 2>/dev/null)" = 0 ] && ok || bad "exit status $(cat "$tmp/rc" 2>/dev/null) (-p, $size)"
	restored "q at $size, -p"
	grep -q "已从进程 $sp 脱离：它继续运行" "$tmp/stderr" && ok || bad "no detach said: $(cat "$tmp/stderr")"
	kill -0 "$sp" 2>/dev/null && ok || bad "q killed the program attached to ($size)"
done
# SIGTERM to ioscope on the screen: detached, restored, exit 1.
envp="env IOSCOPE_ATTACH_PROC=1" start 80 24 attach -p "$sp"
expect_screen "attach: pid $sp" 10 "the title, en"
expect_screen "attached to pid $sp: q detaches, it runs on" 10 "the note, en"
kill -TERM "$(ioscope_pid)"
finished 10 && ok || bad "SIGTERM did not end the screen"
[ "$(cat "$tmp/rc" 2>/dev/null)" = 1 ] && ok || bad "SIGTERM: exit $(cat "$tmp/rc" 2>/dev/null)"
restored "SIGTERM"
kill -0 "$sp" 2>/dev/null && ok || bad "SIGTERM to ioscope killed the program"

# ---- the same with ptrace
start 120 40 attach -p "$sp"
expect_screen "attach: pid $sp: " 10 "the title (ptrace)"
expect_screen "each call stopped costs the program ~[0-9]* µs" 10 "the tracer's cost (ptrace)"
$T send-keys -t s q
finished 10 && ok || bad "q did not quit (ptrace)"
restored "q, ptrace"
kill -0 "$sp" 2>/dev/null && ok || bad "q killed the program (ptrace)"
grep -q "^TracerPid:[[:space:]]*0$" /proc/"$sp"/status && ok || bad "still traced after q"

envp="env TMPDIR=$tmp" start 120 40 attach -- "$sleeper"
expect_screen "at_sleeper (pid [0-9]*)" 10 "the title (ptrace, started)"
$T send-keys -t s q
finished 10 && ok || bad "q did not quit (ptrace, started)"
restored "q, ptrace, started"

summary cli_tui_attach
