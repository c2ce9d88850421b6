# Sourced by every tests/cli_*.sh (not itself named cli_*.sh: tests/run.sh
# runs those), right after "set -u":
#
#	. "$(dirname "$0")/lib.sh"
#	scratch NAME            # $tmp, a folder of our own, removed at exit
#	...
#	summary NAME            # last: "NAME: N passed, M failed", and the status
#
# $bin is the binary under test (IOSCOPE, ./ioscope by default).  A script
# changes what it must after sourcing, by a parameter below or by defining
# the function again (cleanup, bad_also); tests/lib_tmux.sh does the same
# for the tests in tmux.
bin=${IOSCOPE:-./ioscope}
pass=0 fail=0

ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; bad_also; }
# bad_also: what a failure shows after its line (nothing here)
bad_also() { :; }

# scratch NAME: $tmp, /tmp/ioscope-NAME-XXXXXX, and cleanup run at exit
scratch() {
	tmp=$(mktemp -d "/tmp/ioscope-$1-XXXXXX")
	trap cleanup EXIT
}
cleanup() { rm -rf "$tmp"; }

# expect STATUS PATTERN -- command...: exit status and a line on stdout+stderr
# Parameters: expect_limit, a command the command runs under ("timeout 30");
# expect_clip, the most bytes of its output a failure quotes.
expect() {
	want=$1 pat=$2; shift 3
	out=$(${expect_limit:-} "$@" 2>&1); rc=$?
	if [ "$rc" != "$want" ]; then bad "$* -> exit $rc, wanted $want: $(said)"; return; fi
	if [ -n "$pat" ] && ! printf '%s\n' "$out" | grep -q -- "$pat"; then
		bad "$* -> output lacks '$pat': $(said)"; return
	fi
	ok
}
# said: expect's command's output, as a failure quotes it
said() {
	if [ -n "${expect_clip:-}" ]; then printf '%s' "$out" | head -c "$expect_clip"
	else printf '%s' "$out"; fi
}

# expect_in_file PATTERN FILE WHAT: a check that FILE comes to hold a line
# matching PATTERN within 5 s (a recording a run is still writing)
expect_in_file() {
	i=0
	while ! grep -q -- "$1" "$2" 2>/dev/null && [ $i -lt 500 ]; do
		sleep 0.01; i=$((i + 1))
	done
	grep -q -- "$1" "$2" 2>/dev/null && ok || bad "$3"
}

# summary NAME: the closing line; true if nothing failed
summary() {
	echo "$1: $pass passed, $fail failed"
	[ "$fail" = 0 ]
}
