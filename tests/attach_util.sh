# Sourced by the tests/cli_attach_*.sh suites that trace a server (not
# itself named cli_*.sh: tests/run.sh runs those), after lib.sh and
# scratch:
#
#	. "$(dirname "$0")/lib.sh"
#	. "$(dirname "$0")/attach_util.sh"
#	scratch NAME
#	attach_run NAME "CL_DRIVE OPTIONS" PROGRAM [ARGS...]
#	attach_models "$tmp/NAME.jsonl" "recvfrom read"   # "actor model" lines
#
# A server is started as `$bin attach --plain --record $tmp/NAME.jsonl --
# PROGRAM ARGS 0 $tmp/NAME.port` (port 0: the kernel picks a free one; the
# server writes it to the port file once it listens), driven by cl_drive,
# and stopped with SIGTERM to ioscope, which stops the program and
# completes the recording.  Every wait has a limit; everything started is
# killed at exit (cleanup).

# The test programs: $ATTACH_BIN, else beside the binary under test (make
# asan: build/asan/ioscope-asan, build/asan/tests/attach/), else build/.
att_dir=${ATTACH_BIN:-$(dirname "$bin")/tests/attach}
[ -x "$att_dir/cl_drive" ] || att_dir=${ATTACH_BIN:-build/tests/attach}
att_drive=$att_dir/cl_drive
att_wait=${ATTACH_WAIT:-20}        # seconds: port file, ioscope's exit
att_pids=""
# A signal ends the script through its EXIT trap (cleanup, set by scratch).
trap 'exit 143' TERM
trap 'exit 130' INT

cleanup() {
	for p in $att_pids; do
		kill -TERM "$p" 2>/dev/null
	done
	att_wait=3              # tests/run.sh's SIGKILL comes 5 s after its SIGTERM
	for p in $att_pids; do
		attach_reap "$p"
	done
	rm -rf "$tmp"
}

# attach_reap PID: wait for PID (a child of ours) to exit, at most
# $att_wait seconds, then SIGKILL it; its exit status in $att_reaped.
attach_reap() {
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt $((att_wait * 20)) ]; do
		sleep 0.05; i=$((i + 1))
	done
	if kill -0 "$1" 2>/dev/null; then
		echo "attach_util: $1 still running ${att_wait}s after SIGTERM: killed" >&2
		kill -KILL "$1" 2>/dev/null
	fi
	wait "$1" 2>/dev/null
	att_reaped=$?
}

# attach_built: true when cl_drive and the servers are built (make does it).
attach_built() {
	[ -x "$att_drive" ] && return 0
	echo "attach_util: $att_drive missing (run make check-tests, or make build/tests/attach/cl_drive)"
	return 1
}

# attach_python: the interpreter the Python servers run on, in $att_py
# (python3's own executable, not a pyenv shim: one process, no shell
# around it); false, with the reason printed, when there is none.
attach_python() {
	att_py=""
	if ! command -v python3 >/dev/null 2>&1; then
		echo "skip: python3 is not installed: the Python servers are not traced"
		return 1
	fi
	att_py=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
	if [ -z "$att_py" ] || [ ! -x "$att_py" ]; then
		echo "skip: python3 does not run here: the Python servers are not traced"
		return 1
	fi
}

# attach_start NAME PROGRAM [ARGS...]: the server under ioscope attach in
# the background ($att_pid), its narration and errors in $tmp/NAME.txt;
# waits for its port file.  True with $att_port set; false with $att_why.
attach_start() {
	att_name=$1; shift
	rm -f "$tmp/$att_name.port" "$tmp/$att_name.jsonl"
	"$bin" attach --plain --record "$tmp/$att_name.jsonl" -- \
		"$@" 0 "$tmp/$att_name.port" >"$tmp/$att_name.txt" 2>&1 &
	att_pid=$!
	att_pids="$att_pids $att_pid"
	att_port=""
	i=0
	while [ ! -s "$tmp/$att_name.port" ] && [ $i -lt $((att_wait * 100)) ]; do
		kill -0 "$att_pid" 2>/dev/null || break
		sleep 0.01; i=$((i + 1))
	done
	if [ -s "$tmp/$att_name.port" ]; then
		att_port=$(cat "$tmp/$att_name.port")
		return 0
	fi
	if kill -0 "$att_pid" 2>/dev/null; then
		att_why="no port file after ${att_wait}s"
	else
		att_why="ioscope attach exited before the server listened"
	fi
	att_why="$att_why: $(attach_said)"
	attach_stop
	return 1
}

# attach_said: the end of the narration and errors of the last start
attach_said() {
	tail -n 5 "$tmp/$att_name.txt" 2>/dev/null | tr '\n' '|' | cut -c1-600
}

# attach_stop: SIGTERM to ioscope, and wait for it (bounded); $att_rc.
attach_stop() {
	kill -TERM "$att_pid" 2>/dev/null
	attach_reap "$att_pid"
	att_rc=$att_reaped
	att_pids=$(echo "$att_pids" | sed "s/ $att_pid\b//")
}

# attach_run NAME "DRIVE OPTIONS" PROGRAM [ARGS...]: start, drive, stop.
# True when the server listened; then $att_drive_rc and $att_drive_out
# are cl_drive's exit status and words, and $tmp/NAME.jsonl the recording.
attach_run() {
	att_run_name=$1 att_opts=$2; shift 2
	attach_start "$att_run_name" "$@" || return 1
	# In the background, so that a SIGTERM to this script (the suite's time
	# limit) is taken at once and cleanup stops everything.
	# shellcheck disable=SC2086 # the options are words
	"$att_drive" "$att_port" $att_opts >"$tmp/$att_run_name.drive" 2>&1 &
	att_dpid=$!
	att_pids="$att_pids $att_dpid"
	wait $att_dpid
	att_drive_rc=$?
	att_pids=$(echo "$att_pids" | sed "s/ $att_dpid\b//")
	att_drive_out=$(cat "$tmp/$att_run_name.drive")
	attach_stop
	return 0
}

# attach_models FILE CALLS: one "actor model" line per actor of the server
# that made one of CALLS (names as in the trace's "call": "recvfrom read
# select"...), with the last model it was given ("-": none).  A read or a
# write counts only on a connection the process accepted (not the files
# an interpreter reads as it goes); waits, accept and the others count
# wherever.  The server is the process the header names (its "pid"; 0 when
# ioscope started it); when the header does not say, the processes that
# accepted a connection; when none did, all.
attach_models() {
	jq -rs --arg calls "$2" '
	  ($calls | split(" ")) as $want
	  | .[0] as $hdr | .[1:] as $ev
	  | ([$ev[] | select(.kind == "actor" and .edge == "begin")
	      | {key: .actor, value: .pid}] | from_entries) as $pid
	  | [$ev[] | select(.kind == "exit" and .call == "accept" and .ret >= 0)] as $acc
	  | ($acc | map("\($pid[.actor]):\(.ret)") | unique) as $conns
	  | (if ($hdr.pid // 0) > 0 then [$hdr.pid]
	     else $acc | map($pid[.actor]) | unique end) as $srv
	  | ([$ev[] | select(.kind == "exit" and (.call | IN($want[])))
	      | select(($srv | length) == 0 or ($pid[.actor] | IN($srv[])))
	      | select((.call | IN("read", "recvfrom", "recvmsg", "write") | not)
	               or ("\($pid[.actor]):\(.fd)" | IN($conns[])))
	      | .actor] | unique) as $io
	  | (reduce ($ev[] | select(.kind == "model"
	                            or (.kind == "actor" and .edge == "begin"))) as $e
	     ({}; .[$e.actor] = ($e.model // ""))) as $m
	  | $io[] | "\(.) \($m[.] // "" | if . == "" then "-" else . end)"
	' "$1"
}

# attach_why FILE ACTOR: the English evidence of ACTOR's last model
attach_why() {
	jq -r --arg a "$2" 'select(.kind == "model" and .actor == $a) | .why.en' "$1" |
		tail -n 1 | tr '\n' ' ' | cut -c1-300
}

# attach_sys_seen FILE SYS: true when some call of the recording was the
# kernel's SYS ("pselect6": "sys" when it differs from "call", else "call")
attach_sys_seen() {
	[ "$(jq -r --arg s "$2" 'select(.kind == "exit" and (.sys // .call) == $s) | 1' "$1" |
		head -n 1)" = 1 ]
}

# attach_valid FILE: the recording reads (jq) and has a header
attach_valid() {
	[ -s "$1" ] && jq -e -s '.[0].format == "ioscope-trace"' "$1" >/dev/null 2>&1
}
