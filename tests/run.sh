#!/bin/sh
# Run every suite: cmocka binaries, fuzz corpora through their parsers, and
# the command-line tests against the real binary.  Each has a time limit.
# Usage: tests/run.sh BUILD_DIR   (IOSCOPE=path overrides ./ioscope)
set -u
build=${1:-build}
export IOSCOPE=${IOSCOPE:-./ioscope}
passed=0 failed=0 failures=""

suite() {       # name, timeout seconds, command...
	name=$1 limit=$2; shift 2
	echo "== $name"
	if timeout -k 5 "$limit" "$@"; then
		passed=$((passed + 1))
	else
		rc=$?
		[ $rc = 124 ] && echo "!! $name: timed out after ${limit}s"
		failed=$((failed + 1)); failures="$failures $name"
	fi
}

for t in "$build"/tests/test_*; do
	case $t in *.o|*.d) continue ;; esac
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
