#!/bin/sh
# The views pick panes by what an actor's trace can show (its "caps"), not
# by its model's name: libuv keeps an interest list in the kernel, so its
# run shows the epoll pane like epoll's own.
set -u
. "$(dirname "$0")/lib.sh"
scratch caps

# libuv is linked into ioscope: its model always runs.
timeout 60 "$bin" run canteen --model libuv --speed 20 --record "$tmp/uv.jsonl" --plain \
	>"$tmp/uv.txt" 2>"$tmp/uv.err" && ok || bad "run canteen --model libuv: $(cat "$tmp/uv.err")"
grep -q '"kind":"set"' "$tmp/uv.jsonl" && ok || bad "libuv's run has no set event"
grep -q '"call":"epoll_wait"' "$tmp/uv.jsonl" && ok || bad "libuv's run has no epoll_wait"
for size in 120x40 80x24; do
	expect 0 "" -- "$bin" export "$tmp/uv.jsonl" --format asciicast --size $size -o "$tmp/uv-$size.cast"
	# The pane's title, and its interest row, in the frames.
	n=$(grep -c 'S · epoll, level-triggered' "$tmp/uv-$size.cast")
	[ "$n" -gt 0 ] && ok || bad "$size: no frame has S's epoll pane"
	grep -q 'E · epoll, level-triggered' "$tmp/uv-$size.cast" && ok || bad "$size: no frame has E's epoll pane"
	grep -q 'registered inside libuv' "$tmp/uv-$size.cast" && ok || bad "$size: no interest list in the pane"
	grep -q 'epoll_wait.*returned [0-9]' "$tmp/uv-$size.cast" && ok || bad "$size: no epoll_wait row in the pane"
done

summary cli_caps
