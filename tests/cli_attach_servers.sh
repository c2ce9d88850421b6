#!/bin/sh
# Textbook servers, none written for ioscope (tests/attach/srv_*.c and
# py_*.py), traced by `ioscope attach`: each is driven by cl_drive (all its
# replies must be right), and each of its threads that read from the
# network is given the IO model the server is written on.  The Python ones
# are skipped, with the reason, where python3 is missing.  Every wait has a
# limit (tests/attach_util.sh); nothing is left running.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/attach_util.sh"
unset LC_ALL LC_MESSAGES LANGUAGE
LANG=C.UTF-8; export LANG
scratch attach-servers
here=$(dirname "$0")/attach
started=$(date +%s) budget=110

# The calls that make a thread one of the server's readers: a read, or a
# wait for readiness or completion.
readers="recvfrom read recvmsg select poll epoll_wait io_uring_enter"

# serve NAME MODEL MIN "DRIVE OPTIONS" CALLS PROGRAM [ARGS...]: trace the
# server, drive it; at least MIN of its threads made one of CALLS, and the
# last model of each is MODEL.  True when the recording is there to look
# at further.
serve() {
	name=$1 want=$2 min=$3 opts=$4 calls=$5; shift 5
	# A tracer that hangs costs each server up to a minute: the suite
	# stops starting servers after $budget s, within run.sh's limit.
	if [ $(($(date +%s) - started)) -gt $budget ]; then
		bad "$name: not run: the suite's ${budget}s were spent"; return 1
	fi
	if ! attach_run "$name" "$opts" "$@"; then
		bad "$name: $att_why"; return 1
	fi
	[ "$att_drive_rc" = 0 ] && ok ||
		bad "$name: its replies were not right (cl_drive $opts): $att_drive_out"
	rec=$tmp/$name.jsonl
	if ! attach_valid "$rec"; then
		bad "$name: no readable recording (ioscope exited $att_rc): $(attach_said)"
		return 1
	fi
	models=$(attach_models "$rec" "$calls")
	n=$(printf '%s\n' "$models" | grep -c .)
	[ "$n" -ge "$min" ] && ok ||
		bad "$name: $n of its threads made one of ($calls), wanted $min or more: $(echo $models)"
	wrong=$(printf '%s\n' "$models" | awk -v m="$want" 'NF && $2 != m { print $1 "=" $2 }')
	if [ -z "$wrong" ]; then
		ok
	else
		first=${wrong%%=*}
		bad "$name: wanted $want for every reader, got: $(echo $wrong) (why $first: $(attach_why "$rec" "$first"))"
	fi
	return 0
}

attach_built || { bad "the attach test programs are not built"; summary attach-servers; exit; }

# The clients think 20 ms before each line (--pause), as people do: a
# read that sleeps (1 ms or more) is what says a thread blocks, and a
# client on the same machine that answers at once would leave nothing to
# see.  Client 1 also sends each line in three pieces (--slow), and an idle
# client stays connected, where the server can serve several at once.

# C, built by make to build/tests/attach/ (plain cc: a learner's build).
# One client at a time: no idle client (it would hold the server).
serve srv_blocking blocking 1 "--clients 2 --lines 4 --pause 20" "$readers" "$att_dir/srv_blocking"
# A thread per connection: each connection's thread is a blocking reader.
serve srv_threads blocking 3 "--clients 3 --lines 4 --pause 20" "$readers" "$att_dir/srv_threads"
# A chat: each line goes to the others.
serve srv_select select 1 "--clients 3 --lines 4 --chat --idle 1 --pause 20" "$readers" "$att_dir/srv_select"
serve srv_poll poll 1 "--clients 3 --lines 4 --idle 1 --slow --pause 20" "$readers" "$att_dir/srv_poll"
serve srv_epoll epoll 1 "--clients 3 --lines 4 --idle 1 --slow --pause 20" "$readers" "$att_dir/srv_epoll"
serve srv_epoll_et epoll-et 1 "--clients 3 --lines 4 --idle 1 --slow --pause 20" "$readers" "$att_dir/srv_epoll_et"
serve srv_nonblock nonblocking 1 "--clients 3 --lines 4 --idle 1 --slow --pause 20" "$readers" "$att_dir/srv_nonblock"
serve srv_sigio sigio 1 "--clients 3 --lines 4 --idle 1 --slow --pause 20" "$readers" "$att_dir/srv_sigio"
serve srv_uring uring 1 "--clients 3 --lines 4 --idle 1 --slow --pause 20" "$readers" "$att_dir/srv_uring"
# POSIX aio: glibc's helper thread reads the socket (pread64 -> ESPIPE,
# then read) while the caller waits in aio_suspend (futex); the caller
# accepts and writes the replies.  Both are posix-aio.
serve srv_aio posix-aio 2 "--clients 2 --lines 4 --pause 20" "recvfrom read write accept" "$att_dir/srv_aio"

if attach_python; then
	serve py_blocking blocking 1 "--clients 2 --lines 4 --pause 20" "$readers" "$att_py" "$here/py_blocking.py"
	serve py_threads blocking 3 "--clients 3 --lines 4 --pause 20" "$readers" "$att_py" "$here/py_threads.py"
	# select.select is the kernel's pselect6.
	if serve py_select select 1 "--clients 3 --lines 4 --chat --idle 1 --pause 20" "$readers" "$att_py" "$here/py_select.py"; then
		attach_sys_seen "$tmp/py_select.jsonl" pselect6 && ok ||
			bad "py_select: no pselect6 in the recording (select.select's syscall)"
	fi
	# selectors.DefaultSelector is epoll.
	serve py_selectors epoll 1 "--clients 3 --lines 4 --idle 1 --slow --pause 20" "$readers" "$att_py" "$here/py_selectors.py"
	# setblocking(False) is ioctl(FIONBIO); the evidence says so.
	if serve py_nonblock nonblocking 1 "--clients 3 --lines 4 --idle 1 --slow --pause 20" "$readers" "$att_py" "$here/py_nonblock.py"; then
		grep -q FIONBIO "$tmp/py_nonblock.jsonl" && ok ||
			bad "py_nonblock: nothing in the recording names ioctl(FIONBIO) (setblocking(False)): $(attach_why "$tmp/py_nonblock.jsonl" "$(attach_models "$tmp/py_nonblock.jsonl" "$readers" | head -n 1 | cut -d' ' -f1)")"
	fi
	# asyncio's loop is epoll (and adds epoll_wait with timeout 0).
	serve py_asyncio epoll 1 "--clients 3 --lines 4 --idle 1 --slow --pause 20" "$readers" "$att_py" "$here/py_asyncio.py"
	serve py_sigio sigio 1 "--clients 3 --lines 4 --idle 1 --slow --pause 20" "$readers" "$att_py" "$here/py_sigio.py"
	# The way a learner types it: `python3` on the PATH, which may be a
	# shim (pyenv: a shell that execs the interpreter): the exec is
	# followed and the server still named.
	if [ "$(command -v python3)" != "$att_py" ]; then
		serve py_shim blocking 1 "--clients 2 --lines 4 --pause 20" "$readers" python3 "$here/py_blocking.py"
	fi
fi

summary attach-servers
