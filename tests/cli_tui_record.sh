#!/bin/sh
# m with --record: the screen closes the run it shows (its recording
# finished and in place) before it opens the next model's, so the file holds
# one whole run, the one on screen, and a FIFO's reader gets one whole run
# after the other, never the two interleaved.
set -u
. "$(dirname "$0")/lib.sh"
scratch tui-record
. "$(dirname "$0")/lib_tmux.sh"

# The model the note names after m ("m: poll · ...").
noted_model() { $T capture-pane -p -t s | sed -n 's/.*m: \([a-z_-]*\) · .*/\1/p' | head -1; }
# The header's first model (every actor runs on it after m).
hdr_model() { head -n 1 "$1" | sed -n 's/.*"models":\["\([^"]*\)".*/\1/p'; }

# A regular file: after m it is the new model's whole run, readable.
start 80 24 run canteen --paused --speed 4 --record "$tmp/r.jsonl"
expect_screen "E · epoll"
$T send-keys -t s Right Right
expect_screen "step 3/"
$T send-keys -t s m
expect_screen "m: [a-z_-]* · "
expect_screen "r.jsonl"        # the note says what the recording now holds
model=$(noted_model)
$T send-keys -t s Right
expect_screen "step 2/"
$T send-keys -t s q
finished 5 && ok || bad "q did not quit after m"
[ "$(cat "$tmp/rc" 2>/dev/null)" = 0 ] && ok || bad "exit status $(cat "$tmp/rc" 2>/dev/null) after m: $(cat "$tmp/stderr")"
restored "m with --record"
"$bin" check "$tmp/r.jsonl" >/dev/null 2>&1 && ok || bad "the recording after m: $("$bin" check "$tmp/r.jsonl" 2>&1)"
[ -n "$model" ] && [ "$(hdr_model "$tmp/r.jsonl")" = "$model" ] && ok ||
	bad "the recording's model is '$(hdr_model "$tmp/r.jsonl")', the screen's '$model'"

# A FIFO is written straight into: its reader (which holds a write end too,
# so that it sees no end of file between the runs) gets the first run
# whole, its done events included, and then the second.
mkfifo "$tmp/rec.fifo"
cat 0<>"$tmp/rec.fifo" >"$tmp/fifo.out" &
reader=$!
start 80 24 run canteen --paused --speed 4 --record "$tmp/rec.fifo"
expect_screen "E · epoll"
$T send-keys -t s Right Right
expect_screen "step 3/"
$T send-keys -t s m
expect_screen "m: [a-z_-]* · "
model=$(noted_model)
$T send-keys -t s q
finished 5 && ok || bad "q did not quit after m (FIFO)"
restored "m with --record FIFO"
# Until the second run's two done events (S's and E's) have been read.
i=0
until [ "$(grep -c '"kind":"done"' "$tmp/fifo.out")" -ge 4 ] || [ $i -ge 500 ]; do
	sleep 0.01; i=$((i + 1))
done
kill $reader 2>/dev/null
wait $reader 2>/dev/null
[ "$(grep -c '"format":"ioscope-trace"' "$tmp/fifo.out")" = 2 ] && ok || bad "the FIFO did not get two runs"
awk '/"format":"ioscope-trace"/ { n++ } n == 1' "$tmp/fifo.out" >"$tmp/one.jsonl"
awk '/"format":"ioscope-trace"/ { n++ } n == 2' "$tmp/fifo.out" >"$tmp/two.jsonl"
[ "$(grep -c '"kind":"done"' "$tmp/one.jsonl")" = 2 ] && ok ||
	bad "the first run was not whole before the second began: $(grep -c '"kind":"done"' "$tmp/one.jsonl") done events before the second header"
# The second run's part holds its own events only: their seq climbs.
awk -F'"seq":' 'NR > 1 { split($2, a, ","); if (a[1] + 0 <= last) bad = 1; last = a[1] + 0 }
	END { exit bad }' last=-1 "$tmp/two.jsonl" && ok || bad "the second run's part holds events of the first"
"$bin" check "$tmp/one.jsonl" >/dev/null 2>&1 && ok || bad "the first run: $("$bin" check "$tmp/one.jsonl" 2>&1)"
"$bin" check "$tmp/two.jsonl" >/dev/null 2>&1 && ok || bad "the second run: $("$bin" check "$tmp/two.jsonl" 2>&1)"
[ -n "$model" ] && [ "$(hdr_model "$tmp/two.jsonl")" = "$model" ] && ok ||
	bad "the second run's model is '$(hdr_model "$tmp/two.jsonl")', the screen's '$model'"

summary cli_tui_record
