#!/bin/sh
# ioscope export, as a user runs it: each format from a recorded trace,
# read back by the tools they are for (jq; asciinema when installed), and
# the failures: exit status, a message naming the file, no half-written file.
set -u
. "$(dirname "$0")/lib.sh"
scratch export
fish=tests/golden/fishing.jsonl

if "$bin" export 2>&1 | grep -q "unknown command"; then
	echo "SKIP: this ioscope has no export command"
	echo "cli_export: 0 passed, 0 failed"
	exit 0
fi

# Chrome trace JSON: jq reads it; the tracks are named; nothing left over.
expect 0 "" -- "$bin" export $fish --format chrome -o "$tmp/f.json"
jq -e '.displayTimeUnit == "ns" and (.traceEvents | length) > 100' "$tmp/f.json" >/dev/null \
	&& ok || bad "chrome output: not the expected JSON"
for track in "world" "A (blocking)" "A kernel" "C kernel fd 15" "D (uring)"; do
	jq -e --arg t "$track" '[.traceEvents[] | select(.ph == "M" and .args.name == $t)] | length == 1' \
		"$tmp/f.json" >/dev/null && ok || bad "chrome output: no track '$track'"
done
jq -e '[.traceEvents[] | select(.ph == "X" and (.ts < 0 or .dur < 0))] | length == 0' "$tmp/f.json" \
	>/dev/null && ok || bad "chrome output: a span with a negative ts or dur"
[ ! -e "$tmp/f.json.tmp" ] && ok || bad "f.json.tmp left behind"
"$bin" export $fish --format chrome | jq -e .traceEvents >/dev/null && ok || bad "chrome to stdout"

# A longer trace (fishing 30 times over, built here with jq): the export
# streams, so its events come in the order they became final, not sorted by
# time.  What it means is checked, not its order: a span per call and per
# phase begin, every async begin ended, the spans of each track nested.
jq -c -s '.[0] as $h | .[1:] as $e | ($e | length) as $n |
	($e | map(.t_ns) | max + 1000) as $span | ($e | map(.step // -1) | max + 1) as $steps |
	$h, (range(30) as $k | $e[] | .seq += $k * $n | .t_ns += $k * $span |
	     if (.step // -1) >= 0 then .step += $k * $steps else . end)' $fish >"$tmp/long.jsonl"
expect 0 "" -- "$bin" export "$tmp/long.jsonl" --format chrome -o "$tmp/long.json"
exits=$(jq -c 'select(.kind == "exit")' "$tmp/long.jsonl" | wc -l)
begins=$(jq -c 'select(.kind == "phase" and .edge == "begin")' "$tmp/long.jsonl" | wc -l)
jq -e --argjson exits "$exits" --argjson begins "$begins" '.traceEvents as $t |
	([$t[] | select(.ph == "X" and .cat == "syscall")] | length) == $exits and
	([$t[] | select(.cat == "phase" and (.ph == "X" or .ph == "b"))] | length) == $begins and
	.metadata.events == 30 * ('"$(($(wc -l <$fish) - 1))"')' "$tmp/long.json" >/dev/null \
	&& ok || bad "long chrome export: spans do not match the trace's calls and phases"
jq -e '[.traceEvents[] | select(.ph == "b" or .ph == "e")] | group_by([.cat, .id]) |
	all(length == 2 and (map(.ph) | sort) == ["b", "e"])' "$tmp/long.json" >/dev/null \
	&& ok || bad "long chrome export: an async begin without its end"
jq -e '[.traceEvents[] | select(.ph == "X") | {tid, ts: (.ts * 1000 | round),
	end: ((.ts + .dur) * 1000 | round)}] | group_by(.tid) | all(sort_by(.ts, -.end) |
	reduce .[] as $s ({ok: true, ends: []};
		until(.ends == [] or .ends[-1] > $s.ts; .ends |= .[:-1]) |
		if .ends != [] and .ends[-1] < $s.end then .ok = false else . end |
		.ends += [$s.end]) | .ok)' "$tmp/long.json" >/dev/null \
	&& ok || bad "long chrome export: spans of one track cross"

# asciicast v2: a header, then [time, "o"|"m", data] with times in order.
expect 0 "" -- "$bin" export $fish --format asciicast -o "$tmp/f.cast"
head -1 "$tmp/f.cast" | jq -e '.version == 2 and .width == 120 and .height == 40 and
	(.title | startswith("ioscope · fishing")) and .env.TERM == "xterm-256color"' >/dev/null \
	&& ok || bad "asciicast header: $(head -1 "$tmp/f.cast")"
tail -n +2 "$tmp/f.cast" | jq -e -s 'length > 16 and all(.[]; type == "array" and length == 3 and
	(.[0] | type) == "number" and (.[1] == "o" or .[1] == "m") and (.[2] | type) == "string")' \
	>/dev/null && ok || bad "asciicast events are not [time, \"o\"|\"m\", data]"
tail -n +2 "$tmp/f.cast" | jq -e -s '[.[][0]] as $t | $t == ($t | sort)' >/dev/null \
	&& ok || bad "asciicast times go backwards"
[ "$(tail -n +2 "$tmp/f.cast" | jq -s '[.[] | select(.[1] == "m")] | length')" -ge 16 ] \
	&& ok || bad "fewer markers than the 16 steps"
# It plays at the scenario's pace: the trace was recorded at --speed 10
# (0.42 s of real time), fishing's script runs to 3 s, and the last frame
# comes after it (it came at 0.42 s: a class saw a blur).
grep -q '"speed":10,' $fish && ok || bad "$fish was not recorded at --speed 10"
tail -n 1 "$tmp/f.cast" | jq -e '.[0] >= 3 and .[0] < 10' >/dev/null \
	&& ok || bad "the cast ends at $(tail -n 1 "$tmp/f.cast" | cut -c1-12): not the scenario's 3 s and more"
expect 0 "" -- "$bin" export $fish --format asciicast --size 80x24 --lang zh -o "$tmp/zh.cast"
head -1 "$tmp/zh.cast" | jq -e '.width == 80 and .height == 24' >/dev/null && ok || bad "--size 80x24"
if command -v asciinema >/dev/null 2>&1 && command -v script >/dev/null 2>&1; then
	# asciinema cat wants a terminal (it opens /dev/tty): script(1) gives it one.
	timeout 30 script -qec "asciinema cat '$tmp/f.cast'" /dev/null </dev/null >"$tmp/cat.txt" 2>&1 \
		&& grep -q "ioscope · fishing" "$tmp/cat.txt" && ok \
		|| bad "asciinema cat refused the cast: $(head -c 300 "$tmp/cat.txt")"
else
	echo "skip: asciinema or script(1) not installed (apt-get install asciinema)"
fi

# text: exactly the plain replay.
for lang in en zh; do
	"$bin" export $fish --format text --lang $lang -o "$tmp/t.txt" --force
	"$bin" replay $fish --plain --lang $lang >"$tmp/r.txt"
	cmp -s "$tmp/t.txt" "$tmp/r.txt" && ok || bad "text ($lang) differs from replay --plain"
done

# Bad usage and bad files: exit 2, the file named; nothing written.
expect 2 "--format expects chrome, asciicast or text, got 'gif'" -- "$bin" export $fish --format gif -o "$tmp/no"
expect 2 "export needs --format" -- "$bin" export $fish -o "$tmp/no"
expect 2 "--size expects" -- "$bin" export $fish --format asciicast --size 20x10 -o "$tmp/no"
expect 2 "export expects one trace file" -- "$bin" export --format chrome
expect 2 "nosuch.jsonl: cannot open" -- "$bin" export "$tmp/nosuch.jsonl" --format chrome -o "$tmp/no"
[ ! -e "$tmp/no" ] && [ ! -e "$tmp/no.tmp" ] && ok || bad "a refused export wrote its file"

# Unwritable outputs: exit 1 with the path, and no half-written file.
expect 1 "/nonexistent/ioscope/f.json: cannot write the chrome export" -- \
	"$bin" export $fish --format chrome -o /nonexistent/ioscope/f.json
mkdir "$tmp/dir"
expect 1 "$tmp/dir: cannot write" -- "$bin" export $fish --format chrome -o "$tmp/dir"
[ ! -e "$tmp/dir.tmp" ] && ok || bad "dir.tmp left behind"
if [ "$(id -u)" != 0 ]; then         # root writes anywhere
	mkdir "$tmp/ro" && chmod 500 "$tmp/ro"
	expect 1 "ro/f.json: cannot write" -- "$bin" export $fish --format text -o "$tmp/ro/f.json"
fi
echo old >"$tmp/keep.txt"
expect 2 "" -- "$bin" export "$tmp/nosuch.jsonl" --format text -o "$tmp/keep.txt"
[ "$(cat "$tmp/keep.txt")" = old ] && ok || bad "a failed export touched the existing output"

# The examples of trace/FORMAT.md's "Exports", run for real.
jq -r '(.traceEvents | map(select(.name == "thread_name") | {key: "\(.tid)", value: .args.name}) | from_entries) as $n | .traceEvents | map(select(.ph != "M")) | group_by(.tid)[] | "\($n["\(.[0].tid)"]): \(length)"' "$tmp/f.json" >"$tmp/tracks.txt"
grep -qx "A (blocking): 3" "$tmp/tracks.txt" && grep -qx "C kernel fd 15: 3" "$tmp/tracks.txt" \
	&& ok || bad "FORMAT.md's track count: $(cat "$tmp/tracks.txt")"
"$bin" export tests/golden/lt-vs-et.jsonl --format chrome -o "$tmp/l.json"
[ "$(jq -c '.traceEvents[] | select(.args.unfinished) | {name, tid, ts}' "$tmp/l.json" | grep -c 'phase 1: wait')" = 1 ] \
	&& ok || bad "FORMAT.md's unfinished spans"
tail -n +2 "$tmp/f.cast" | jq -c 'select(.[1] == "m")' | head -1 | grep -q '"m","step 1"\]$' \
	&& ok || bad "FORMAT.md's markers"

# A reader that leaves early (| head) ends the output quietly, as SIGPIPE
# would: no "Broken pipe" complaint.  A full disk still says why.
for cmd in "export scenarios/recordings/fishing.jsonl --format text" \
	   "export scenarios/recordings/fishing.jsonl --format chrome" \
	   "replay scenarios/recordings/fishing.jsonl --plain" \
	   "run fishing --plain --speed 10"; do
	# shellcheck disable=SC2086
	( timeout 60 $bin $cmd --lang en 2>"$tmp/pipe.err"; echo $? >"$tmp/pipe.rc" ) | head -c 100 >/dev/null
	[ ! -s "$tmp/pipe.err" ] && ok || bad "$cmd | head: $(cat "$tmp/pipe.err")"
done
timeout 30 $bin export scenarios/recordings/fishing.jsonl --format text >/dev/full 2>"$tmp/full.err"
[ $? = 1 ] && grep -q "No space left on device" "$tmp/full.err" && ok || bad "export to /dev/full: $(cat "$tmp/full.err")"

summary cli_export
