#!/bin/sh
# Every shipped recording replays to the narration it was recorded with,
# and every run a lesson shows has its recording.
set -u
. "$(dirname "$0")/lib.sh"
scratch rec

for r in scenarios/recordings/*.jsonl; do
	[ -e "$r" ] || continue
	want=${r%.jsonl}.txt
	LANG=C.UTF-8 timeout 30 "$bin" replay "$r" --plain --lang en >"$tmp/got.txt" 2>"$tmp/err.txt" || bad "replay $r failed: $(cat "$tmp/err.txt")"
	if cmp -s "$want" "$tmp/got.txt"; then ok; else bad "$r replays differently: $(diff "$want" "$tmp/got.txt" | head -3)"; fi
done
"$bin" lessons --runs --lang en | while read -r scn model; do
	name=$scn
	[ "$model" != - ] && name="$scn--$model"
	[ -f "scenarios/recordings/$name.jsonl" ] || echo "missing scenarios/recordings/$name.jsonl (make recordings)"
done >"$tmp/missing.txt"
if [ -s "$tmp/missing.txt" ]; then bad "$(cat "$tmp/missing.txt")"; else ok; fi
summary cli_recordings
