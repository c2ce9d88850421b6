#!/bin/sh
# The lessons' exercises that are one command: every `ioscope run … | grep …`
# quoted in a lesson (en and zh) runs as written, under an English and a
# Chinese locale, and its grep finds lines,
# so a learner who types it sees what the lesson asks about.  Each command
# is taken from the lesson file itself; "ioscope" becomes the binary under
# test.  Each run has a limit.
set -u
. "$(dirname "$0")/lib.sh"
scratch exercises

n=0
for f in lessons/en/*.md lessons/zh/*.md; do
	# backquoted commands: `ioscope run … | grep …`
	grep -o '`ioscope run [^`]*| grep [^`]*`' "$f" | tr -d '`' >"$tmp/cmds" || continue
	while IFS= read -r cmd; do
		n=$((n + 1))
		run=$(printf '%s' "$cmd" | sed "s|^ioscope |$bin |")
		# whatever the learner's locale (a zh_* one need not be installed)
		for lang in C.UTF-8 zh_CN.UTF-8; do
			out=$(LANG=$lang LC_ALL= timeout 120 sh -c "$run" 2>&1); rc=$?
			lines=$(printf '%s' "$out" | grep -c .)
			[ "$rc" = 0 ] && [ "$lines" -gt 0 ] && ok ||
				bad "$f: LANG=$lang '$cmd' -> exit $rc, $lines lines: $(printf '%s' "$out" | head -3)"
		done
	done <"$tmp/cmds"
done
[ "$n" -ge 8 ] && ok || bad "found only $n exercise commands in the lessons"
summary cli_exercises
