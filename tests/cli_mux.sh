#!/bin/sh
# The multiplexing scenarios through the real binary: what a newcomer reads.
set -u
. "$(dirname "$0")/lib.sh"
scratch mux
has() { grep -q -- "$2" "$1" && ok || bad "$1 lacks '$2'"; }

run() {   # name, args...: run, expect exit 0, keep the narration in $tmp/name.txt
	name=$1; shift
	if timeout 60 $bin run "$@" >"$tmp/$name.txt" 2>"$tmp/$name.err"; then ok
	else bad "run $* exited $?: $(cat "$tmp/$name.err")"; fi
}

run canteen-select canteen --model select --speed 20
has "$tmp/canteen-select.txt" "8 B of bitmap; the kernel polled the fds set in it (6)"
has "$tmp/canteen-select.txt" "scans .* descriptors with FD_ISSET"
has "$tmp/canteen-select.txt" "rebuilds its fd_set from scratch"
run canteen-epoll canteen --model epoll --speed 20
has "$tmp/canteen-epoll.txt" "straight from the ready list"
has "$tmp/canteen-epoll.txt" "joins the epoll ready list"
has "$tmp/canteen-epoll.txt" "touches only what it was given (1)"
run canteen-poll canteen --model poll --speed 20
has "$tmp/canteen-poll.txt" "walks all 6 entries' revents"
has "$tmp/canteen-poll.txt" "the kernel polled the entries with an fd (6) and wrote back 12 B of revents"

run fishing fishing --speed 20
has "$tmp/fishing.txt" "C      select"
has "$tmp/fishing.txt" "in pselect6(nfds"
run fishing-blocking fishing --model blocking --speed 20
# C on the blocking model waits on rod 1 while rod 3 has a fish.
c3=$(awk '$2 == "C" && /data arrives/ { print $1; exit }' "$tmp/fishing-blocking.txt")
[ -n "$c3" ] && ok || bad "no arrival for C"

run ltet lt-vs-et --speed 20
has "$tmp/ltet.txt" "E       stopped by ioscope while still waiting, with [48] bytes unread"
grep -q "D .*× EAGAIN" "$tmp/ltet.txt" && ok || bad "D did not drain to EAGAIN"

run fdlimit fd-limit --speed 20
has "$tmp/fdlimit.txt" "refuses fd 10[0-9][0-9]: an fd_set only holds descriptors 0..1023"
grep -q "^ *[0-9.]*  P .*← recvfrom(fd 10[0-9][0-9]) = 5 bytes" "$tmp/fdlimit.txt" && ok || bad "poll did not read fd >= 1024"

run chat chat --speed 20
has "$tmp/chat.txt" "a new client, on fd"
has "$tmp/chat.txt" "carol   resets the connection (RST)"
has "$tmp/chat.txt" "bob     receives 15 bytes from the server"

# Bad input: exit 2, one line, nothing recorded.
printf 'scenario x\nactor S blocking role=server\nat 1s connect a to S\n' >"$tmp/srv.scn"
out=$($bin run "$tmp/srv.scn" --record "$tmp/no.jsonl" 2>&1); rc=$?
[ $rc = 2 ] && ok || bad "blocking server: exit $rc"
printf '%s' "$out" | grep -q "srv.scn:2:.*cannot serve many clients in one thread (use select, poll, epoll or epoll-et)" && ok || bad "blocking server message: $out"
[ ! -e "$tmp/no.jsonl" ] && ok || bad "refused run wrote a record"
out=$($bin run chat --model nonblocking 2>&1); rc=$?
[ $rc = 2 ] && ok || bad "chat on nonblocking: exit $rc ($out)"
printf 'scenario x\nactor A select fds=0\n' >"$tmp/zero.scn"
out=$($bin check "$tmp/zero.scn" 2>&1); rc=$?
[ $rc = 2 ] && printf '%s' "$out" | grep -q "zero.scn:2:" && ok || bad "fds=0: exit $rc: $out"
printf 'scenario x\nactor A select fds=65\n' >"$tmp/many.scn"
out=$($bin check "$tmp/many.scn" 2>&1); rc=$?
[ $rc = 2 ] && printf '%s' "$out" | grep -q "many.scn:2:" && ok || bad "fds=65: exit $rc: $out"
printf 'scenario x\nactor A poll fds=64 low=65535\nat 1s write A.1 x\n' >"$tmp/high.scn"
out=$(sh -c "ulimit -Hn 4096 2>/dev/null; $bin run $tmp/high.scn" 2>&1); rc=$?
[ $rc = 2 ] && printf '%s' "$out" | grep -q "high.scn:2:.*low=65535 needs descriptors" && ok || bad "low=65535: exit $rc: $out"

summary cli_mux
