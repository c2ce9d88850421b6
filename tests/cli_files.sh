#!/bin/sh
# Output files, as a careless user names them: --record and export -o into
# FIFOs, devices, symbolic links, directories, existing files; full disks
# and full stdouts; a run that fails to start or is killed.  Device nodes
# are made with mknod in the temporary folder (as root), never in /dev.
# Every wait has a limit; every command that could hang has a timeout.
set -u
. "$(dirname "$0")/lib.sh"
scratch files
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	chmod -R u+w "$tmp" 2>/dev/null
	rm -rf "$tmp"
}
fish=tests/golden/fishing.jsonl
expect_limit="timeout -k 2 30"          # expect: every command has 30 s
kind() { stat -c %F "$1" 2>/dev/null; }
# no_leftovers DIR: no new file beside the target was left behind
no_leftovers() {
	if ls -a "$1" | grep -q '\.tmp'; then bad "temporary file left in $1: $(ls -a "$1")"; else ok; fi
}
# reader_ready PID: the process is blocked opening a FIFO (so it counts as
# its reader); by the kernel's word in /proc
reader_ready() {
	i=0
	while [ $i -lt 500 ]; do
		[ "$(cat /proc/$1/wchan 2>/dev/null)" = wait_for_partner ] && return 0
		sleep 0.01; i=$((i + 1))
	done
	return 1
}
# ended PID: it ended within 10 s (killed otherwise)
ended() {
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 1000 ]; do sleep 0.01; i=$((i + 1)); done
	if kill -0 "$1" 2>/dev/null; then kill "$1"; return 1; fi
	return 0
}

# Character devices: /dev/null's and /dev/full's numbers, here.  Without
# mknod (not root), the real ones: only root could replace them.
null=$tmp/null full=$tmp/full
if ! mknod "$null" c 1 3 2>/dev/null || ! mknod "$full" c 1 7 2>/dev/null; then
	null=/dev/null full=/dev/full
	[ "$(id -u)" = 0 ] && full=""      # never aim at the real /dev/full as root
fi

# ---- issue 10 item 2: devices, FIFOs and links are written, not replaced

expect 0 "" -- $bin run fishing --plain --speed 50 --record "$null"
[ "$(kind "$null")" = "character special file" ] && ok || bad "--record replaced $null: $(kind "$null")"
expect 0 "" -- $bin export $fish --format chrome -o "$null"
[ "$(kind "$null")" = "character special file" ] && ok || bad "export -o replaced $null: $(kind "$null")"

# A FIFO with a reader gets the trace; without one, an error at once.
mkfifo "$tmp/rec.fifo"
cat "$tmp/rec.fifo" >"$tmp/from-fifo.jsonl" &
reader=$!; pids="$pids $reader"
reader_ready $reader && ok || bad "the FIFO's reader never opened it"
expect 0 "" -- $bin run fishing --plain --speed 50 --record "$tmp/rec.fifo"
ended $reader && ok || bad "the FIFO's reader never saw the end"
expect 0 "ok, trace of 'fishing'" -- $bin check "$tmp/from-fifo.jsonl"
[ "$(kind "$tmp/rec.fifo")" = fifo ] && ok || bad "--record replaced the FIFO"
expect 2 "rec.fifo: cannot write: no process reads this FIFO" -- \
	$bin run fishing --plain --speed 50 --record "$tmp/rec.fifo"
cat "$tmp/rec.fifo" >"$tmp/from-fifo.txt" &
reader=$!; pids="$pids $reader"
reader_ready $reader && ok || bad "the FIFO's reader never opened it"
expect 0 "" -- $bin export $fish --format text -o "$tmp/rec.fifo"
ended $reader && ok || bad "the FIFO's reader never saw the end"
$bin replay $fish --plain | cmp -s - "$tmp/from-fifo.txt" && ok || bad "export through the FIFO differs"
expect 1 "rec.fifo: cannot write the text export: no process reads this FIFO" -- \
	$bin export $fish --format text -o "$tmp/rec.fifo"
[ "$(kind "$tmp/rec.fifo")" = fifo ] && ok || bad "export -o replaced the FIFO"
# The reader leaves after one byte: the run says the recording failed.
head -c 1 "$tmp/rec.fifo" >/dev/null &
reader=$!; pids="$pids $reader"
reader_ready $reader && ok || bad "the FIFO's reader never opened it"
expect 1 "rec.fifo: recording failed: Broken pipe" -- $bin run fishing --plain --speed 5 --record "$tmp/rec.fifo"
no_leftovers "$tmp"

# Standard output by name, into a pipe: a magic link to "pipe:[N]", written
# as named.  (/proc/self/fd/1, not /dev/stdout: a broken build run as root
# must not be able to replace anything in /dev.)
timeout 30 $bin export $fish --format text -o /proc/self/fd/1 | cat >"$tmp/stdout.txt"
$bin replay $fish --plain | cmp -s - "$tmp/stdout.txt" && ok || bad "-o /proc/self/fd/1 into a pipe: $(head -c 200 "$tmp/stdout.txt")"

# A link to a regular file: the target is replaced (with --force), the link stays.
mkdir "$tmp/sub"
echo old >"$tmp/sub/target.jsonl"
ln -s sub/target.jsonl "$tmp/link.jsonl"
expect 2 "link.jsonl exists (use --force to replace it)" -- \
	$bin run fishing --plain --speed 50 --record "$tmp/link.jsonl"
expect 0 "" -- $bin run fishing --plain --speed 50 --record "$tmp/link.jsonl" --force
[ "$(kind "$tmp/link.jsonl")" = "symbolic link" ] && ok || bad "--record replaced the link"
expect 0 "ok, trace of 'fishing'" -- $bin check "$tmp/sub/target.jsonl"
expect 0 "" -- $bin export $fish --format text -o "$tmp/link.jsonl" --force
[ "$(kind "$tmp/link.jsonl")" = "symbolic link" ] && ok || bad "export -o replaced the link"
grep -q "fish bites" "$tmp/sub/target.jsonl" && ok || bad "export did not write through the link"
no_leftovers "$tmp/sub"
# A link to a device.
ln -s "$null" "$tmp/to-null"
expect 0 "" -- $bin run fishing --plain --speed 50 --record "$tmp/to-null"
expect 0 "" -- $bin export $fish --format chrome -o "$tmp/to-null"
[ "$(kind "$tmp/to-null")" = "symbolic link" ] && [ "$(kind "$null")" = "character special file" ] \
	&& ok || bad "a link to $null was replaced"

# A directory, a read-only folder: refused, nothing left.
mkdir "$tmp/d.jsonl"
expect 2 "d.jsonl: cannot write: is a directory" -- $bin run fishing --plain --record "$tmp/d.jsonl"
expect 1 "d.jsonl: cannot write the chrome export: is a directory" -- \
	$bin export $fish --format chrome -o "$tmp/d.jsonl"
[ "$(kind "$tmp/d.jsonl")" = directory ] && ok || bad "the directory was replaced"
if [ "$(id -u)" != 0 ]; then          # root writes anywhere
	mkdir "$tmp/ro" && chmod 500 "$tmp/ro"
	expect 2 "ro/r.jsonl: cannot write: Permission denied" -- \
		$bin run fishing --plain --record "$tmp/ro/r.jsonl"
	no_leftovers "$tmp/ro"
fi
no_leftovers "$tmp"

# ---- item 7: an existing recording is not lost

echo precious >"$tmp/e.jsonl"
expect 2 "e.jsonl exists (use --force to replace it)" -- \
	$bin run fishing --plain --speed 50 --record "$tmp/e.jsonl"
expect 2 "e.jsonl exists (use --force to replace it)" -- \
	$bin export $fish --format text -o "$tmp/e.jsonl"
[ "$(cat "$tmp/e.jsonl")" = precious ] && ok || bad "a refused command touched e.jsonl"
# A run that fails to start (too many open files) leaves it as it was.
expect 1 "Too many open files" -- sh -c "ulimit -n 16; exec $bin run fishing --plain --record '$tmp/e.jsonl' --force"
[ "$(cat "$tmp/e.jsonl")" = precious ] && ok || bad "a run that failed to start replaced e.jsonl"
no_leftovers "$tmp"
# Killed mid-run: what it recorded so far is at the target, readable.
$bin run fishing --plain --speed 1 --record "$tmp/e.jsonl" --force >/dev/null 2>&1 &
pid=$!; pids="$pids $pid"
expect_in_file '"kind":"state"' "$tmp/e.jsonl" "no state event at the target within 5 s"
kill -KILL $pid
wait $pid 2>/dev/null
expect 0 "ok, trace of 'fishing'" -- $bin check "$tmp/e.jsonl"
no_leftovers "$tmp"

# ---- item 5: write errors are never ignored

if [ -n "$full" ]; then
	expect 1 "full: cannot write the recording: No space left on device" -- \
		$bin run fishing --plain --speed 50 --record "$full"
	expect 1 "full: cannot write the chrome export: No space left on device" -- \
		$bin export $fish --format chrome -o "$full"
	expect 1 "standard output: No space left on device" -- sh -c "exec $bin run fishing --plain --speed 50 >'$full'"
	expect 1 "standard output: No space left on device" -- sh -c "exec $bin replay $fish --plain >'$full'"
	expect 1 "standard output: No space left on device" -- sh -c "exec $bin export $fish --format text >'$full'"
	expect 1 "standard output: No space left on device" -- sh -c "exec $bin check $fish >'$full'"
	[ "$(kind "$full")" = "character special file" ] && ok || bad "$full was replaced"
else
	echo "skip: no /dev/full node of our own (root without mknod)"
fi

# ---- item 12: an unknown TERM falls back to plain output (needs a terminal)
if command -v script >/dev/null 2>&1; then
	TERM=nonexistent-term timeout 30 script -qec "$bin replay $fish" /dev/null </dev/null >"$tmp/term.txt" 2>&1
	rc=$?
	[ $rc = 0 ] && ok || bad "unknown TERM: exit $rc: $(head -c 300 "$tmp/term.txt")"
	grep -q "TERM 'nonexistent-term' is unknown to curses; plain output instead" "$tmp/term.txt" \
		&& ok || bad "unknown TERM: no note: $(head -c 300 "$tmp/term.txt")"
	grep -q "fish bites" "$tmp/term.txt" && ok || bad "unknown TERM: no plain narration"
else
	echo "skip: script(1) not installed"
fi

summary cli_files
