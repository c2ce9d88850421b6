#!/bin/sh
# ioscope attach from the command line: bad input (exit 2, one line and the
# hint); a started program narrated with --plain and recorded, the
# recording replayed and exported; -p to a running program, which runs on
# after ioscope ends (SIGINT, SIGTERM); the /proc fallback
# (IOSCOPE_ATTACH_PROC=1) and the ptrace path.
#
set -u
. "$(dirname "$0")/lib.sh"
scratch attach
unset LC_ALL LC_MESSAGES LC_CTYPE LANGUAGE
LANG=C.UTF-8; export LANG

make -s build/tests/attach/hello_block build/tests/attach/at_sleeper >/dev/null 2>&1 ||
	{ echo "FAIL: cannot build the attach test programs"; exit 1; }
hello=build/tests/attach/hello_block
sleeper=build/tests/attach/at_sleeper
pids=""
cleanup() {
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$tmp"
}

# refused PATTERN -- command...: exit 2, nothing on stdout, the first line
# of stderr "ioscope: ..." matching PATTERN, and at most the hint after it
refused() {
	pat=$1; shift 2
	"$@" >"$tmp/out" 2>"$tmp/err" </dev/null; rc=$?
	if [ $rc != 2 ]; then bad "$* -> exit $rc, wanted 2: $(cat "$tmp/err")"; return; fi
	if [ -s "$tmp/out" ]; then bad "$* -> wrote to stdout: $(head -3 "$tmp/out")"; return; fi
	head -1 "$tmp/err" | grep -q "^ioscope: .*$pat" && ok || bad "$* -> first line lacks '$pat': $(cat "$tmp/err")"
	[ "$(grep -vc '^(try\|^（参见' "$tmp/err")" = 1 ] && ok || bad "$* -> more than one line: $(cat "$tmp/err")"
}

# wait_file PATTERN FILE [SECONDS]: until FILE holds a line matching it
wait_file() {
	i=0 limit=$(( ${3:-10} * 100 ))
	while ! grep -q -- "$1" "$2" 2>/dev/null && [ $i -lt $limit ]; do sleep 0.01; i=$((i + 1)); done
	grep -q -- "$1" "$2" 2>/dev/null
}
# wait_gone PID [SECONDS]: until the process is gone (and reaped by its parent)
wait_gone() {
	i=0 limit=$(( ${2:-10} * 100 ))
	while kill -0 "$1" 2>/dev/null && [ $i -lt $limit ]; do sleep 0.01; i=$((i + 1)); done
	! kill -0 "$1" 2>/dev/null
}
# sleeper: at_sleeper in the background, ready; its pid in $sp
sleeper_start() {
	"$sleeper" >"$tmp/sleeper.out" 2>&1 &
	sp=$!
	pids="$pids $sp"
	wait_file ready "$tmp/sleeper.out" 10 || bad "at_sleeper never said ready"
}

# ---- bad input: exit 2, one line each
refused "attach needs a program" -- $bin attach
refused "attach needs a program" -- $bin attach --plain
refused "no such program 'no-such-program-here'" -- $bin attach --plain no-such-program-here
refused "no such program './nothere'" -- $bin attach --plain -- ./nothere
refused "no process 4194303" -- $bin attach --plain -p 4194303
refused "-p expects a process id" -- $bin attach -p zero
refused "attach takes a program or -p PID, not both" -- $bin attach -p 1 -- true
refused "--model does not apply" -- $bin attach --model select -- true
refused "没有名为 'no-such-program-here' 的程序" -- $bin attach --lang zh --plain no-such-program-here
# what -p cannot watch: itself, the shell that runs it, a kernel thread, a zombie
refused "is the shell that runs ioscope" -- sh -c 'exec '"$bin"' attach --plain -p $PPID'
refused "is a kernel thread" -- $bin attach --plain -p 2
python3 -c 'import os, sys, time
p = os.fork()
if p == 0:
    os._exit(0)
print(p, flush=True)
time.sleep(20)' >"$tmp/zombie" 2>/dev/null &
zp=$!
pids="$pids $zp"
wait_file "[0-9]" "$tmp/zombie" 10
z=$(cat "$tmp/zombie")
i=0
while [ "$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' /proc/$z/status 2>/dev/null)" != Z ] && [ $i -lt 500 ]; do
	sleep 0.01; i=$((i + 1))
done
refused "has exited (a zombie" -- $bin attach --plain -p "$z"
kill "$zp" 2>/dev/null
$bin attach --verbose python3 >"$tmp/out" 2>"$tmp/err" </dev/null; rc=$?
[ $rc = 2 ] && head -1 "$tmp/err" | grep -q "^ioscope: unknown option '--verbose'" && ok ||
	bad "attach --verbose python3 -> exit $rc: $(cat "$tmp/err")"
grep -q "put it after the program's name, or -- before the program" "$tmp/err" && ok ||
	bad "an unknown option before the program gives no hint: $(cat "$tmp/err")"
# The program's own options are its own, with or without --.
expect 0 "" -- $bin help attach
expect 0 "usage: ioscope attach" -- $bin attach --pid --help

# ---- started, without ptrace (IOSCOPE_ATTACH_PROC=1): runs now
echo "a line" >"$tmp/in"
IOSCOPE_ATTACH_PROC=1 timeout 30 $bin attach --plain --record "$tmp/p.jsonl" -- "$sleeper" 3 \
	<"$tmp/in" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc = 0 ] && ok || bad "attach (proc) -> exit $rc: $(cat "$tmp/err")"
grep -q "the program exited with status 3" "$tmp/err" && ok || bad "no exit status said: $(cat "$tmp/err")"
grep -q "no ptrace (IOSCOPE_ATTACH_PROC=1" "$tmp/out" && ok || bad "no note on /proc: $(head -5 "$tmp/out")"
grep -q "only where its threads sleep: no copies, no EAGAIN tries, no call durations" "$tmp/out" && ok ||
	bad "the note does not say what is lost"
grep -q "at_sleep\.[0-9]* *appears" "$tmp/out" && ok || bad "no thread appears: $(cat "$tmp/out")"
grep -q '"scenario":"attach"' "$tmp/p.jsonl" && ok || bad "recording's header: $(head -1 "$tmp/p.jsonl")"
header_attach=1
grep -q '"command":"build/tests/attach/at_sleeper 3"' "$tmp/p.jsonl" && ok ||
	bad "recording's command: $(head -1 "$tmp/p.jsonl")"
expect 0 "ok, trace of 'attach'" -- $bin check "$tmp/p.jsonl"
expect 0 "appears" -- $bin replay --plain "$tmp/p.jsonl"
expect 0 "appears" -- $bin export --format text "$tmp/p.jsonl"
# The program's arguments are its own: "-5" is not an option of ioscope's.
IOSCOPE_ATTACH_PROC=1 timeout 30 $bin attach --plain "$sleeper" -5 <"$tmp/in" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc = 0 ] && grep -q "exited with status 251" "$tmp/err" && ok ||
	bad "attach PROGRAM -5 -> exit $rc: $(cat "$tmp/err")"

# ---- -p without ptrace: threads shown, the program runs on after SIGINT
sleeper_start
rm -f "$tmp/out"              # each wait below reads this run's lines, never the last one's
IOSCOPE_ATTACH_PROC=1 $bin attach --plain --record "$tmp/pp.jsonl" -p "$sp" >"$tmp/out" 2>"$tmp/err" &
ip=$!
pids="$pids $ip"
wait_file "model changes: none → epoll-et: sleeps in epoll_wait" "$tmp/out" 10 && ok ||
	bad "-p (proc): no epoll-et model: $(cat "$tmp/out")"
wait_file "model changes: none → blocking: sleeps in read" "$tmp/out" 10 && ok ||
	bad "-p (proc): the reader's model: $(cat "$tmp/out")"
grep -q "interest list in the kernel: {5}" "$tmp/out" && ok || bad "-p (proc): no interest list"
kill -INT $ip
wait $ip; rc=$?
[ $rc = 1 ] && ok || bad "SIGINT: exit $rc, wanted 1: $(cat "$tmp/err")"
grep -q "interrupted" "$tmp/err" && ok || bad "SIGINT: not said: $(cat "$tmp/err")"
grep -q "detached from pid $sp: it runs on" "$tmp/err" && ok || bad "SIGINT: no detach said: $(cat "$tmp/err")"
kill -0 "$sp" 2>/dev/null && ok || bad "the program died with ioscope (SIGINT, proc)"
expect 0 "ok, trace of 'attach'" -- $bin check "$tmp/pp.jsonl"
[ -z "$header_attach" ] || { grep -q "\"pid\":$sp" "$tmp/pp.jsonl" && ok || bad "recording lacks the pid attached to"; }
# SIGTERM likewise.
rm -f "$tmp/out"
IOSCOPE_ATTACH_PROC=1 $bin attach --plain -p "$sp" >"$tmp/out" 2>"$tmp/err" &
ip=$!
pids="$pids $ip"
wait_file "appears" "$tmp/out" 10 || bad "-p (proc) again: nothing shown"
kill -TERM $ip
wait $ip; rc=$?
[ $rc = 1 ] && ok || bad "SIGTERM: exit $rc, wanted 1"
kill -0 "$sp" 2>/dev/null && ok || bad "the program died with ioscope (SIGTERM, proc)"
# The program ends: so does ioscope, exit 0.
rm -f "$tmp/out"
IOSCOPE_ATTACH_PROC=1 $bin attach --plain -p "$sp" >"$tmp/out" 2>"$tmp/err" &
ip=$!
pids="$pids $ip"
wait_file "appears" "$tmp/out" 10 || bad "-p (proc) a third time: nothing shown"
kill -9 "$sp"
wait_gone "$ip" 10 && ok || bad "ioscope did not end when the program did"
wait $ip; rc=$?
[ $rc = 0 ] && ok || bad "the program's end: exit $rc: $(cat "$tmp/err")"
grep -q "leaves" "$tmp/out" && ok || bad "the threads did not leave: $(tail -5 "$tmp/out")"

# ---- the ptrace path

# a started program reads its stdin (a pipe): the read of fd 0
# narrated, the recording holds its enter and exit with the bytes.
printf 'hello\n' | timeout 30 $bin attach --plain --record "$tmp/h.jsonl" -- "$hello" \
	>"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc = 0 ] && ok || bad "attach hello_block -> exit $rc: $(cat "$tmp/err")"
grep -q "the program exited with status 0" "$tmp/err" && ok || bad "hello_block's status: $(cat "$tmp/err")"
grep -q "read(fd 0" "$tmp/out" && ok || bad "the read of fd 0 is not narrated: $(cat "$tmp/out")"
grep -q '"kind":"enter","call":"read","fd":0' "$tmp/h.jsonl" && ok || bad "no enter of read(0) recorded"
grep -q '"kind":"exit","call":"read","fd":0,"ret":6' "$tmp/h.jsonl" && ok ||
	bad "no exit of read(0) = 6 recorded: $(grep '"read"' "$tmp/h.jsonl" | head -3)"
[ -z "$header_attach" ] || { grep -q '"overhead_ns":[1-9]' "$tmp/h.jsonl" && ok ||
	bad "no overhead in the header: $(head -1 "$tmp/h.jsonl")"; }
expect 0 "read" -- $bin replay --plain "$tmp/h.jsonl"
expect 0 "read" -- $bin export --format text "$tmp/h.jsonl"
expect 0 "ok, trace of 'attach'" -- $bin check "$tmp/h.jsonl"

# -p with ptrace: threads shown, detached on SIGINT and SIGTERM,
# the program runs on.
sleeper_start
for sig in INT TERM; do
	rm -f "$tmp/out"
	$bin attach --plain -p "$sp" >"$tmp/out" 2>"$tmp/err" &
	ip=$!
	pids="$pids $ip"
	wait_file "appears" "$tmp/out" 10 && ok || bad "-p (ptrace): no thread appears: $(cat "$tmp/out" "$tmp/err")"
	grep -q "no ptrace" "$tmp/out" && bad "-p fell back to /proc: $(head -3 "$tmp/out")" || ok
	kill -$sig $ip
	wait $ip; rc=$?
	[ $rc = 1 ] && ok || bad "SIG$sig (ptrace): exit $rc: $(cat "$tmp/err")"
	grep -q "detached from pid $sp: it runs on" "$tmp/err" && ok || bad "SIG$sig (ptrace): $(cat "$tmp/err")"
	kill -0 "$sp" 2>/dev/null && ok || bad "the program died with ioscope (SIG$sig, ptrace)"
	grep -q "^State:.*t (tracing stop)" /proc/"$sp"/status && bad "left in tracing stop" || ok
	grep -q "^TracerPid:[[:space:]]*0$" /proc/"$sp"/status && ok || bad "still traced after SIG$sig"
done

# ptrace refused (another tracer holds it): /proc instead,
# and the note says why.
if command -v strace >/dev/null 2>&1; then
	strace -o /dev/null -p "$sp" 2>/dev/null &
	stp=$!
	pids="$pids $stp"
	i=0
	while grep -q "^TracerPid:[[:space:]]*0$" /proc/"$sp"/status && [ $i -lt 1000 ]; do sleep 0.01; i=$((i + 1)); done
	rm -f "$tmp/out"
	$bin attach --plain -p "$sp" >"$tmp/out" 2>"$tmp/err" &
	ip=$!
	pids="$pids $ip"
	wait_file "no ptrace (.*): watching pid $sp from /proc instead" "$tmp/out" 10 && ok ||
		bad "refused ptrace: no fallback: $(cat "$tmp/out" "$tmp/err")"
	wait_file "appears" "$tmp/out" 10 && ok || bad "refused ptrace: no thread shown"
	kill -INT $ip
	wait $ip
	kill $stp
	wait $stp 2>/dev/null
	kill -0 "$sp" 2>/dev/null && ok || bad "the program died (refused ptrace)"
else
	echo "skip: ptrace refused (strace is not installed to hold the program)"
fi

# SIGINT to a started program: stopped, the recording complete.
rm -f "$tmp/out"
$bin attach --plain --record "$tmp/s.jsonl" -- "$sleeper" >"$tmp/out" 2>"$tmp/err" &
ip=$!
pids="$pids $ip"
wait_file "appears" "$tmp/out" 10 && ok || bad "started sleeper: nothing shown: $(cat "$tmp/err")"
kill -INT $ip
wait $ip; rc=$?
[ $rc = 1 ] && ok || bad "SIGINT (started): exit $rc"
grep -q "interrupted" "$tmp/err" && ok || bad "SIGINT (started): $(cat "$tmp/err")"
expect 0 "ok, trace of 'attach'" -- $bin check "$tmp/s.jsonl"

# -p to a program that ends while watched: said so, not "it runs on".
sleeper_start
rm -f "$tmp/out"
$bin attach --plain -p "$sp" >"$tmp/out" 2>"$tmp/err" &
ip=$!
pids="$pids $ip"
wait_file "appears" "$tmp/out" 10 && ok || bad "-p: nothing shown: $(cat "$tmp/err")"
kill -TERM "$sp"
wait "$sp" 2>/dev/null
wait $ip; rc=$?
[ $rc = 0 ] && ok || bad "-p, the program ended: exit $rc: $(cat "$tmp/err")"
grep -q "pid $sp ended while ioscope watched it" "$tmp/err" && ok ||
	bad "-p, the program ended: $(cat "$tmp/err")"

summary cli_attach
