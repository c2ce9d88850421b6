#!/bin/sh
# Captions that match the cast: a run that puts actors on another model
# than the script wrote (--model) does not show the script's words about
# them, live or replayed, in English or Chinese; the script's own cast
# shows them unchanged.
set -u
. "$(dirname "$0")/lib.sh"
scratch captions
. "$(dirname "$0")/lib_tmux.sh"
has()  { grep -qF -- "$2" "$tmp/$1" && ok || bad "$1 lacks '$2'"; }
hasnt() { grep -qF -- "$2" "$tmp/$1" && bad "$1 has '$2': $(grep -F -- "$2" "$tmp/$1" | head -2)" || ok; }
run() {         # file, arguments...
	out=$1; shift
	LANG=C.UTF-8 timeout 60 "$bin" run "$@" --plain --speed 10 >"$tmp/$out" 2>"$tmp/err" ||
		bad "run $* exited $?: $(cat "$tmp/err")"
}

# fishing as written: the script's captions and labels.
run fish.txt fishing --lang en
has fish.txt "A grips his rod and will not look away"
has fish.txt "A holds one rod and waits"
hasnt fish.txt "written for"

# Everyone nonblocking: A, C and D are not what the captions describe;
# the scenario wrote its own captions for that model ("say for").
run fish-nb.txt fishing --model nonblocking --lang en --record "$tmp/fish-nb.jsonl"
hasnt fish-nb.txt "A grips his rod"
hasnt fish-nb.txt "A holds one rod and waits"
hasnt fish-nb.txt "The kernel wakes A"
hasnt fish-nb.txt "select() wakes C up"
hasnt fish-nb.txt "D's helper lands a fish"
has fish-nb.txt "── Everyone fishes B's way in this run"
has fish-nb.txt "── A fish bites A's hook. A does not know yet"
has fish-nb.txt "the script wrote blocking; here: recv() answers EAGAIN"
has fish-nb.txt "A fish bites B's hook while B is talking"      # B was written nonblocking
run fish-nb-zh.txt fishing --model nonblocking --lang zh
hasnt fish-nb-zh.txt "A 紧握鱼竿"
hasnt fish-nb-zh.txt "A 握着一根鱼竿"
has fish-nb-zh.txt "── 这次大家都像 B 那样钓鱼"
has fish-nb-zh.txt "鱼咬了 B 的钩"

# Everyone on select: no captions for it, so words made from the trace.
run fish-sel.txt fishing --model select --lang en
hasnt fish-sel.txt "A grips his rod"
hasnt fish-sel.txt "Everyone fishes B's way"
has fish-sel.txt "── [This caption was written for A on blocking, B on nonblocking and D on uring; here they run select.] Now A"
has fish-sel.txt "The bell on C's third rod rings"                # C was written select
run fish-sel-zh.txt fishing --model select --lang zh
has fish-sel-zh.txt "── ［这段说明是为 blocking 的 A、nonblocking 的 B 和 uring 的 D 写的；这次运行用的是 select。］现在："
hasnt fish-sel-zh.txt "A 紧握鱼竿"

# The recording knows its cast: the replay narrates what the run did.
[ "$(head -1 "$tmp/fish-nb.jsonl" | jq -r '.actors[1].script')" = blocking ] && ok || bad "no script key in the header"
[ "$(head -1 "$tmp/fish-nb.jsonl" | jq -r '.actors[2].script')" = null ] && ok || bad "B has a script key"
[ "$(head -1 "$tmp/fish-nb.jsonl" | jq -r '.captions | length')" = 7 ] && ok || bad "not 7 captions for nonblocking in the header"
LANG=C.UTF-8 timeout 30 "$bin" replay "$tmp/fish-nb.jsonl" --plain --lang en >"$tmp/replay.txt" 2>"$tmp/err" || bad "replay: $(cat "$tmp/err")"
cmp -s "$tmp/fish-nb.txt" "$tmp/replay.txt" && ok || bad "replay differs: $(diff "$tmp/fish-nb.txt" "$tmp/replay.txt" | head -4)"
timeout 30 "$bin" check "$tmp/fish-nb.jsonl" scenarios/fishing.scn >"$tmp/check" 2>&1 && ok || bad "check: $(cat "$tmp/check")"

# fd-limit on select: P and E are no longer poll and epoll.
run fd.txt fd-limit --lang en
has fd.txt "P uses poll(): an array has no such limit"
has fd.txt "P and E wait as usual"
run fd-sel.txt fd-limit --model select --lang en
hasnt fd-sel.txt "P uses poll()"
hasnt fd-sel.txt "E uses epoll"
hasnt fd-sel.txt "P and E wait as usual"
hasnt fd-sel.txt "P and E read both connections"
has fd-sel.txt "the script wrote poll; here: one select() waits on all its fds"
has fd-sel.txt "S tries select() on descriptors numbered above 1023"   # S was written select
has fd-sel.txt "Now P and E: fds refused, their numbers past what the model can watch."
run fd-sel-zh.txt fd-limit --model select --lang zh
hasnt fd-sel-zh.txt "P 用 poll()"
hasnt fd-sel-zh.txt "P 和 E 照常等待"

# Every shipped scenario: with each actor on another model, no caption
# that names an actor survives in either language.
for s in scenarios/*.scn; do
	sn=$(basename "$s" .scn)
	m=poll
	grep -q "^actor .* poll" "$s" && m=epoll
	run "$sn-$m.txt" "$sn" --model "$m" --lang zh
	for a in $(awk '$1 == "actor" && $3 != "'$m'" { print $2 }' "$s"); do
		grep "say zh" "$s" | grep -q "[^A-Za-z0-9_]$a[^A-Za-z0-9_]" || continue
		grep "say zh" "$s" | sed 's/^at [^ ]* *say zh *//' | grep "[^A-Za-z0-9_]$a[^A-Za-z0-9_]" |
			while IFS= read -r line; do
				grep -qF -- "$line" "$tmp/$sn-$m.txt" && echo "$sn --model $m still says: $line"
			done
	done >"$tmp/left"
	[ -s "$tmp/left" ] && bad "$(cat "$tmp/left")" || ok
done

# The screen: its caption box says the same, at 80x24, and follows m.
# (expect_screen's patterns are grep's: '[' and '.' escaped.)
envp="env LANG=C.UTF-8" start 80 24 run fishing --model select --paused --lang en
expect_screen "\[This caption was written for A on blocking, B on nonblocking and D on"
$T capture-pane -p -t s | grep -qF "grips" && bad "the screen shows the script's caption over select" || ok
$T send-keys -t s m
expect_screen "here they run poll\.] Now"
$T send-keys -t s m          # one at a time: a burst of m is issue 9's item 3
expect_screen "here they run epoll\.] Now"
for k in 1 2 3 4 5 6 7 8; do $T send-keys -t s Right; done
expect_screen "step 9/16"     # the steps were taken before the screen is read
$T capture-pane -p -t s | grep -qF "A grips" && bad "script caption after stepping" || ok
$T send-keys -t s q
expect_screen IOSCOPE-DONE
envp="env LANG=C.UTF-8" start 80 24 run fishing --model nonblocking --paused --lang zh
expect_screen "这次大家都像 B 那样钓鱼"
$T send-keys -t s q
expect_screen IOSCOPE-DONE

summary cli_captions
