#!/bin/sh
# Run every suite: cmocka binaries, fuzz corpora through their parsers, and
# the command-line tests against the real binary.
# Usage: tests/run.sh BUILD_DIR   (IOSCOPE=path overrides ./ioscope)
#
# Time limits: every cmocka test has its own (tests/harness.c, a watchdog:
# a test that hangs names itself and its binary exits 124); the limit per
# suite here is only the backstop for a whole binary or script.
#
# Sanitizers (make asan): any report from any process fails the suite that
# ran it, whatever that process's exit status and wherever its stderr went
# (a CLI test that pipes the binary into grep, a run inside tmux).  Every
# report is written to a file in a folder of our own, and each suite must
# leave that folder empty; abort_on_error makes a report end the process
# with SIGABRT, never with an exit status a test might expect.
set -u
build=${1:-build}
export IOSCOPE=${IOSCOPE:-./ioscope}
passed=0 failed=0 failures=""

san=$(mktemp -d "${TMPDIR:-/tmp}/ioscope-san-XXXXXX") || exit 1
trap 'rm -rf "$san"' EXIT
trap 'exit 130' INT TERM
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:log_path=$san/asan${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$san/ubsan${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

# Print and remove the reports a suite left; true if there were none.
no_reports() {
	set -- "$san"/*
	[ -e "$1" ] || return 0
	for f in "$@"; do
		echo "!! sanitizer report ($(basename "$f")):"
		cat "$f"
		rm -f "$f"
	done
	return 1
}

suite() {       # name, timeout seconds, command...
	name=$1 limit=$2; shift 2
	echo "== $name"
	if timeout -k 5 "$limit" "$@"; then
		rc=0
	else
		rc=$?
		[ $rc = 124 ] && echo "!! $name: exited 124 (a test's own limit, or ${limit}s for the suite)"
	fi
	no_reports || { echo "!! $name: a sanitizer reported"; rc=1; }
	if [ $rc = 0 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1)); failures="$failures $name"
	fi
}

for t in "$build"/tests/test_*; do
	case $t in *.o|*.d) continue ;; esac
	[ -x "$t" ] || continue
	suite "$(basename "$t")" 300 "$t"
done
for f in "$build"/fuzz/fuzz_*-corpus; do
	[ -x "$f" ] || continue
	n=$(basename "$f" -corpus); n=${n#fuzz_}
	extra=""
	[ "$n" = scn ] && extra=$(ls scenarios/*.scn 2>/dev/null)
	[ "$n" = lesson ] && extra=$(ls lessons/en/*.md lessons/zh/*.md 2>/dev/null)
	suite "corpus $n" 120 "$f" tests/fuzz/corpus/$n $extra
done
for s in tests/cli_*.sh; do
	[ -f "$s" ] || continue
	suite "$(basename "$s" .sh)" 300 sh "$s"
done

echo
[ -n "$failures" ] && echo "failed suites:$failures"
echo "suites: $passed passed, $failed failed"
[ "$failed" = 0 ]
