#!/bin/sh
# The `m` key on a server scenario switches only to models that can play
# its server (model_ops.roles, as a run checks them): readers-only models
# are skipped, for serve=chat and for serve=echo.  The real binary in tmux;
# every wait polls, with a limit.
set -u
. "$(dirname "$0")/lib.sh"
scratch tuiroles
. "$(dirname "$0")/lib_tmux.sh"

printf '%s\n' 'scenario echo' 'actor S epoll role=server serve=echo work=10ms' \
	'at 0s connect alice to S' 'at 1s send alice "hi\n"' 'at 2s hangup alice' >"$tmp/echo.scn"
printf '%s\n' 'scenario chat' 'actor S epoll role=server' \
	'at 0s connect alice to S' 'at 0s connect bob to S' 'at 1s send alice "hi\n"' >"$tmp/chat.scn"

# serve=chat: select, poll, epoll, epoll-et, and round again.
start 80 24 run "$tmp/chat.scn" --paused
expect_screen "ioscope · chat"
for m in select poll epoll epoll-et select; do
	$T send-keys -t s m
	expect_screen "m: $m · "
done
$T send-keys -t s q
finished && ok || bad "q did not quit (chat)"

# serve=echo: the same four first; then the server models, in the
# table's order, and round again.
start 80 24 run "$tmp/echo.scn" --paused
expect_screen "ioscope · echo"
for m in select poll epoll epoll-et; do
	$T send-keys -t s m
	expect_screen "m: $m · "
done
for m in process-per-conn thread-per-conn thread-pool coroutines select; do
	$T send-keys -t s m
	expect_screen "m: $m · "
done
$T send-keys -t s q
finished && ok || bad "q did not quit (echo)"

summary cli_tui_roles
