#!/bin/sh
# Scenario options of a server (serve=, workers=, queue=, work=) and which
# model may play which actor (model_ops.roles), through the real binary:
# bad input exits 2 with one line naming the file, line and column, and
# nothing is recorded.
set -u
. "$(dirname "$0")/lib.sh"
scratch roles
expect_limit="timeout 60"

scn() {   # name, lines...: $tmp/name.scn
	name=$1; shift
	printf '%s\n' "$@" >"$tmp/$name.scn"
}

# ---- the options parse, and a reader may not have them
scn opts 'scenario o' 'actor S epoll role=server serve=echo workers=4 queue=8 work=50ms' \
	'at 0s connect alice to S' 'at 0.1s send alice "hi\n"'
expect 0 "opts.scn: ok" -- $bin check "$tmp/opts.scn"
scn reader 'scenario r' 'actor A blocking fds=2 queue=8'
expect 2 "reader.scn:2:24: expected queue= on a server actor only (add role=server), got 'queue=8'" -- \
	$bin check "$tmp/reader.scn"
scn badserve 'scenario b' 'actor S epoll role=server serve=mirror'
expect 2 "badserve.scn:2:27: expected serve=echo or serve=chat, got 'serve=mirror'" -- \
	$bin check "$tmp/badserve.scn"
scn badwork 'scenario b' 'actor S epoll role=server work=20s'
expect 2 "badwork.scn:2:32: expected a time of at most 10s after 'work='" -- $bin check "$tmp/badwork.scn"
scn badpool 'scenario b' 'actor S epoll role=server workers=65'
expect 2 "badpool.scn:2:27: expected workers=N with N from 1 to 64, got 'workers=65'" -- \
	$bin check "$tmp/badpool.scn"
scn badq 'scenario b' 'actor S epoll role=server queue=0'
expect 2 "badq.scn:2:27: expected queue=N with N from 1 to 1024, got 'queue=0'" -- $bin check "$tmp/badq.scn"

# ---- a server with serve=echo runs on a readiness model
expect 0 "" -- $bin run "$tmp/opts.scn" --speed 20 --record "$tmp/opts.jsonl"
[ -s "$tmp/opts.jsonl" ] && ok || bad "serve=echo on epoll recorded nothing"

# ---- refused: the models that can, by the role needed; nothing recorded
scn echo 'scenario e' 'actor S blocking role=server serve=echo' 'at 1s connect a to S'
expect 2 "echo.scn:2:9: actor S is a server with serve=echo, and model 'blocking' is a reader only (use select, poll, epoll" -- \
	$bin run "$tmp/echo.scn" --record "$tmp/no.jsonl"
[ ! -e "$tmp/no.jsonl" ] && ok || bad "a refused run wrote a recording"
expect 2 "echo.scn:2:7: actor S is a server with serve=echo, and model 'nonblocking' is a reader only" -- \
	$bin run "$tmp/echo.scn" --model nonblocking
scn chat 'scenario c' 'actor S blocking role=server' 'at 1s connect a to S'
expect 2 "chat.scn:2:9: actor S is a server, and model 'blocking' cannot serve many clients in one thread (use select, poll, epoll or epoll-et)" -- \
	$bin run "$tmp/chat.scn"

summary cli_roles
