#!/bin/sh
# Scenario and lesson files as a careless user or an attacker names them:
# FIFOs, devices, directories, NUL bytes, invalid UTF-8, lessons whose code
# blocks point outside the source tree.  Each must give exit 2 and one line
# naming the file (and the line and column where there is one), at once:
# every command runs under a timeout, so a hang is a failure, not a stall.
set -u
. "$(dirname "$0")/lib.sh"
scratch hostile

# refuse PATTERN -- command...: exit 2 within 10 s, nothing on stdout, and
# exactly one line on stderr, matching PATTERN.
refuse() {
	pat=$1; shift 2
	timeout -k 2 10 "$@" >"$tmp/out" 2>"$tmp/err" </dev/null; rc=$?
	if [ $rc = 124 ] || [ $rc = 137 ]; then bad "$* hung (killed after 10 s)"; return; fi
	if [ $rc != 2 ]; then bad "$* -> exit $rc, wanted 2: $(cat "$tmp/err")"; return; fi
	if [ -s "$tmp/out" ]; then bad "$* wrote to stdout: $(head -3 "$tmp/out")"; return; fi
	if [ "$(wc -l <"$tmp/err")" != 1 ]; then bad "$* -> not one line: $(cat "$tmp/err")"; return; fi
	if ! grep -q -- "$pat" "$tmp/err"; then bad "$* -> '$(cat "$tmp/err")' lacks '$pat'"; return; fi
	ok
}

# A data folder of our own, for the commands that find files by name
# (ioscope lesson N, ioscope lessons) and for code blocks' files.
data=$tmp/data
mkdir -p "$data/scenarios" "$data/lessons/en" "$data/lessons/zh" "$data/models"
cp scenarios/fishing.scn "$data/scenarios/"
cp models/blocking.c "$data/models/"

## Scenarios

mkfifo "$tmp/fifo.scn"
refuse "fifo.scn: not a regular file (a FIFO; expected a scenario file)" -- $bin check "$tmp/fifo.scn"
refuse "fifo.scn: not a regular file (a FIFO" -- $bin run "$tmp/fifo.scn" --plain --record "$tmp/no.jsonl"
[ ! -e "$tmp/no.jsonl" ] && ok || bad "a refused scenario wrote its record file"
mkfifo "$data/scenarios/pipe.scn"
refuse "pipe.scn: not a regular file (a FIFO" -- env IOSCOPE_DATA="$data" $bin run pipe --plain
mkdir "$tmp/dir.scn"
refuse "dir.scn: cannot read: Is a directory (expected a scenario file)" -- $bin check "$tmp/dir.scn"
ln -s /dev/zero "$tmp/zero.scn"
refuse "zero.scn: not a regular file (a character device; expected a scenario file)" -- $bin check "$tmp/zero.scn"
ln -s /dev/null "$tmp/null.scn"
refuse "null.scn: not a regular file (a character device" -- $bin check "$tmp/null.scn"
: >"$tmp/empty.scn"
refuse "empty.scn: file is empty (expected a scenario)" -- $bin check "$tmp/empty.scn"
printf 'scenario t\nactor A bl\000cking\n' >"$tmp/nul.scn"
refuse "nul.scn:2:11: binary data (NUL byte)" -- $bin check "$tmp/nul.scn"
printf 'scenario t\ntitle en caf\303\n' >"$tmp/utf8.scn"
refuse "utf8.scn:2:13: invalid UTF-8 (byte 0xc3)" -- $bin check "$tmp/utf8.scn"
printf 'scenario t\ntitle en \033[2J\n' >"$tmp/esc.scn"
refuse "esc.scn:2:10: control character 0x1b" -- $bin check "$tmp/esc.scn"
head -c 1048577 /dev/zero | tr '\000' '#' >"$tmp/big.scn"
refuse "big.scn: file is too large (1048577 bytes, at most 1048576)" -- $bin check "$tmp/big.scn"

## Lessons

mkfifo "$tmp/fifo.md"
refuse "fifo.md: not a regular file (a FIFO; expected a lesson file)" -- $bin check "$tmp/fifo.md"
mkdir "$tmp/x.md"
refuse "x.md: cannot read: Is a directory (expected a lesson file)" -- $bin check "$tmp/x.md"
ln -s /dev/zero "$tmp/zero.md"
refuse "zero.md: not a regular file (a character device; expected a lesson file)" -- $bin check "$tmp/zero.md"
: >"$tmp/empty.md"
refuse "empty.md: file is empty (expected a lesson)" -- $bin check "$tmp/empty.md"
head -c 262145 /dev/zero | tr '\000' 'a' >"$tmp/big.md"
refuse "big.md: file is too large (262145 bytes, at most 262144)" -- $bin check "$tmp/big.md"
printf '# T\n\n## S\n\nab\000c\n' >"$tmp/nul.md"
refuse "nul.md:5:3: binary data (NUL byte)" -- $bin check "$tmp/nul.md"
printf '# T\n\n## S\n\nab\377c\n\n```predict\nQ\n---\nA\n```\n' >"$tmp/utf8.md"
refuse "utf8.md:5:3: invalid UTF-8 (byte 0xff)" -- $bin check "$tmp/utf8.md"
printf '# T\n\n## S\n\n\303\251t\303\251 \355\240\200\n' >"$tmp/surrogate.md"
refuse "surrogate.md:5:5: invalid UTF-8 (byte 0xed)" -- $bin check "$tmp/surrogate.md"
printf '# T\n\n## S\n\nsay \033]0;pwned\007\n' >"$tmp/esc.md"
refuse "esc.md:5:5: control character 0x1b" -- $bin check "$tmp/esc.md"

# The commands that find lessons by number read them the same way.
mkfifo "$data/lessons/en/01-pipe.md"
refuse "01-pipe.md: not a regular file (a FIFO" -- env IOSCOPE_DATA="$data" $bin lesson 1 --plain
timeout -k 2 10 env IOSCOPE_DATA="$data" $bin lessons >"$tmp/out" 2>"$tmp/err" </dev/null; rc=$?
[ $rc != 124 ] && [ $rc != 137 ] && ok || bad "ioscope lessons hung on a FIFO"
grep -q "01-pipe.md: not a regular file" "$tmp/err" && ok || bad "ioscope lessons: $(cat "$tmp/err")"
rm "$data/lessons/en/01-pipe.md"

## Lessons' code blocks: only the project's own source files

# lesson FILE-BLOCK: a lesson whose code block (at line 5) names FILE-BLOCK.
code_lesson() {
	printf '# T\n\n## S\n\n```code\nfile: %s\nmarker: blocking-recv\n```\n' "$1" >"$tmp/code.md"
}
code_lesson ../../../../../../etc/passwd
refuse "code.md:6: file: expected a path inside the project's source tree, without '\.\.'.*got '\.\./\.\./\.\./\.\./\.\./\.\./etc/passwd'" -- $bin check "$tmp/code.md"
code_lesson models/../models/blocking.c
refuse "code.md:6: file: .*without '\.\.'.*got 'models/\.\./models/blocking.c'" -- $bin check "$tmp/code.md"
code_lesson /etc/passwd
refuse "code.md:6: file: expected a relative path.*got '/etc/passwd'" -- $bin check "$tmp/code.md"
code_lesson README.md
refuse "code.md:6: file: expected a C file of the project (\.c or \.h).*got 'README.md'" -- $bin check "$tmp/code.md"
mkfifo "$data/models/fifo.c"
code_lesson models/fifo.c
refuse "code.md:5: models/fifo.c: not a regular file (a FIFO" -- env IOSCOPE_DATA="$data" $bin check "$tmp/code.md"
ln -s /dev/zero "$data/models/zero.c"
code_lesson models/zero.c
refuse "code.md:5: models/zero.c: not a regular file (a character device" -- env IOSCOPE_DATA="$data" $bin check "$tmp/code.md"
mkdir "$data/models/dir.c"
code_lesson models/dir.c
refuse "code.md:5: models/dir.c: cannot read: Is a directory" -- env IOSCOPE_DATA="$data" $bin check "$tmp/code.md"
head -c 300000 /dev/zero | tr '\000' '/' >"$data/models/big.c"
code_lesson models/big.c
refuse "code.md:5: models/big.c: file is too large" -- env IOSCOPE_DATA="$data" $bin check "$tmp/code.md"
code_lesson models/none.c
refuse "code.md:5: models/none.c: cannot open: No such file or directory" -- env IOSCOPE_DATA="$data" $bin check "$tmp/code.md"

summary cli_hostile_files
