#!/bin/sh
# `ioscope exercise`: the list, usage errors (exit 2), and the exercises
# played against real servers under attach: the reference solutions in
# tests/attach/ex_* pass (exit 0), the starters in lessons/exercises/ fail
# (exit 1) with the reason a student reads.  Every run has a limit.
set -u
. "$(dirname "$0")/lib.sh"
unset LC_ALL LC_MESSAGES LANGUAGE
LANG=C.UTF-8; export LANG
scratch exercise
build=${BUILD:-build}

# ---- the list, en and zh
expect 0 "echo-blocking" -- $bin exercise
for name in echo-blocking echo-select echo-epoll chat echo-nonblocking-writes; do
	$bin exercise | grep -q "^  $name " && ok || bad "the list lacks $name"
done
expect 0 "同时回显多个客户端" -- $bin exercise --lang zh
expect 0 "lessons/exercises" -- $bin exercise

# ---- bad usage: exit 2, a sentence
expect 2 "unknown exercise 'echo-epol'.*did you mean 'echo-epoll'" -- $bin exercise echo-epol
expect 2 "needs your server" -- $bin exercise echo-epoll
expect 2 "put {port} where your server takes its port" -- $bin exercise echo-epoll -- ./server 8080
expect 2 "在你的服务器接受端口的位置写 {port}" -- $bin exercise --lang zh echo-epoll -- ./server 8080

# ---- what the lessons quote exists: each exercise named, each file
n=0
for f in lessons/en/*.md lessons/zh/*.md; do
	grep -o '`ioscope exercise [^`]*`' "$f" | tr -d '`' >"$tmp/quoted" || continue
	while read -r _ _ name _; do
		n=$((n + 1))
		$bin exercise | grep -q "^  $name " && ok || bad "$f quotes an unknown exercise: $name"
	done <"$tmp/quoted"
	grep -o 'lessons/exercises/[a-z_]*\.[a-z]*' "$f" | while read -r file; do
		[ -f "$file" ] && echo ok || echo "bad $f quotes $file, which is not there"
	done >"$tmp/files"
	grep -q "^bad" "$tmp/files" && bad "$(grep "^bad" "$tmp/files")" || ok
done
[ $n -ge 10 ] && ok || bad "found $n exercise commands in the lessons, expected at least 10 (en and zh)"
# each exercise has its starters, Python and C, and they build
for name in echo_blocking echo_select echo_epoll chat echo_nonblocking_writes; do
	[ -f lessons/exercises/$name.py ] && ok || bad "no lessons/exercises/$name.py"
	cc -o "$tmp/$name" lessons/exercises/$name.c 2>"$tmp/cc.txt" && ok || bad "$name.c does not build: $(cat "$tmp/cc.txt")"
done

# ---- under attach
expect_limit="timeout 120"
ref=$build/tests/attach/ex_echo_epoll
if [ ! -x "$ref" ]; then
	bad "$ref is not built (make $ref)"
else
	expect 0 "PASS  readiness model seen: epoll" -- $bin exercise echo-epoll -- "$ref" "{port}"
	printf '%s\n' "$out" | grep -q "^PASS  served concurrently" && ok || bad "echo-epoll: no concurrency PASS: $out"
	printf '%s\n' "$out" | grep -q "^FAIL" && bad "echo-epoll with $ref: $out" || ok
	expect 0 "PASS  no write blocked the server" -- $bin exercise echo-nonblocking-writes -- "$ref" "{port}"
	# a recording of the session, in the trace format
	expect 0 "PASS" -- $bin exercise echo-epoll --record "$tmp/ex.jsonl" -- "$ref" "{port}"
	[ "$(head -1 "$tmp/ex.jsonl" | jq -r .format 2>/dev/null)" = ioscope-trace ] && ok ||
		bad "exercise --record wrote no trace"
fi

# The blocking starter, in C: FAIL, with the call, the client and the way out.
if cc -o "$tmp/echo_epoll" lessons/exercises/echo_epoll.c 2>"$tmp/cc.txt"; then
	expect 1 "FAIL  blocked [0-9.]* s in recvfrom on client 1's socket while client 2 waited: use a readiness model (select, poll, epoll)" \
		-- $bin exercise echo-epoll -- "$tmp/echo_epoll" "{port}"
	printf '%s\n' "$out" | grep -q "^      thread [^ ]*: recvfrom(fd [0-9]*)" && ok || bad "no evidence line: $out"
	printf '%s\n' "$out" | grep -q "^FAIL  no readiness model" && ok || bad "no model FAIL: $out"
	expect 1 "阻塞了 [0-9.]* 秒：在 recvfrom 里等客户端 1 的套接字" \
		-- $bin exercise --lang zh echo-epoll -- "$tmp/echo_epoll" "{port}"
else
	bad "cc lessons/exercises/echo_epoll.c: $(cat "$tmp/cc.txt")"
fi

# A server that exits before it listens: its status and its last words.
expect 1 "FAIL  your server exited (status 3) before it listened" -- $bin exercise echo-epoll -- sh -c 'echo "no such port" >&2; exit 3' sh "{port}"
printf '%s\n' "$out" | grep -q "| no such port" && ok || bad "the server's log is not quoted: $out"

# Python: the reference solutions pass, the starters fail.
if ! command -v python3 >/dev/null 2>&1; then
	echo "cli_exercise: skipped the Python servers: no python3 here"
else
	expect 0 "PASS  the model seen is blocking" -- $bin exercise echo-blocking -- python3 tests/attach/ex_echo_blocking.py "{port}"
	expect 1 "FAIL  the model seen is .*, not blocking" -- $bin exercise echo-blocking -- python3 tests/attach/ex_echo_select.py "{port}"
	expect 0 "PASS  select seen" -- $bin exercise echo-select -- python3 tests/attach/ex_echo_select.py "{port}"
	expect 0 "PASS  readiness model seen" -- $bin exercise echo-epoll -- python3 tests/attach/ex_echo_epoll.py "{port}"
	expect 0 "PASS  every line reached every other client" -- $bin exercise chat -- python3 tests/attach/ex_chat.py "{port}"
	expect 0 "PASS  no write blocked the server" \
		-- $bin exercise echo-nonblocking-writes -- python3 tests/attach/ex_echo_nbw.py "{port}"
	expect 1 "FAIL  no select (pselect6) call was seen" \
		-- $bin exercise echo-select -- python3 lessons/exercises/echo_select.py "{port}"
	expect 1 "FAIL  blocked [0-9.]* s in recvfrom on client 1's socket while client 2 waited" \
		-- $bin exercise echo-select -- python3 lessons/exercises/echo_select.py "{port}"
	expect 1 "FAIL  [0-9]* of [0-9]* deliveries missing" -- $bin exercise chat -- python3 lessons/exercises/chat.py "{port}"
	expect 1 "FAIL  a write slept [0-9.]* s in sendto on client 1's socket" \
		-- $bin exercise echo-nonblocking-writes -- python3 lessons/exercises/echo_nonblocking_writes.py "{port}"
	expect 1 "FAIL  [0-9]* of [0-9]* replies wrong or missing" \
		-- $bin exercise echo-blocking -- python3 lessons/exercises/echo_blocking.py "{port}"
fi

summary cli_exercise
