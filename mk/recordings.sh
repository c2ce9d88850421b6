#!/bin/sh
# make recordings: a recording of every run the lessons show, with the
# narration it was recorded with (tests replay each and compare), so that
# a lesson whose model cannot run on a machine can show the recording.
set -eu
bin=${1:-./ioscope}
out=scenarios/recordings
mkdir -p "$out"
"$bin" lessons --runs --lang en | while read -r scn model; do
	name=$scn
	set -- --plain --speed 10
	if [ "$model" != - ]; then
		name="$scn--$model"
		set -- "$@" --model "$model"
	fi
	echo "  REC     $out/$name.jsonl"
	LANG=C.UTF-8 "$bin" run "$scn" "$@" --lang en --record "$out/$name.jsonl.tmp" >"$out/$name.txt.tmp"
	mv "$out/$name.jsonl.tmp" "$out/$name.jsonl"
	mv "$out/$name.txt.tmp" "$out/$name.txt"
done
