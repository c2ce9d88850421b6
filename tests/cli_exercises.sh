#!/bin/sh
# The lessons' exercises that are one command: every `ioscope run … --plain …`
# quoted in a lesson (en and zh) runs as written, under an English and a
# Chinese locale, and gives lines; where it pipes into grep, every
# alternative of the grep's pattern (each part of a grep -E 'a|b|c') finds
# a line in what ioscope printed, so a learner who types it sees each thing
# the lesson asks about, whatever LANG is.  Where it pipes into tail, the
# lines kept are the summary's (phase 1 … phase 2 …).  Each command is
# taken from the lesson file itself; "ioscope" becomes the binary under
# test, and a placeholder model M (lesson 12) each model the lesson names.
# Each run has a limit.
set -u
. "$(dirname "$0")/lib.sh"
scratch exercises

# A grep that does what grep does and keeps what it was given (its
# arguments, one a line, and its input) for the checks below.
real_grep=$(command -v grep)
mkdir "$tmp/shim"
cat >"$tmp/shim/grep" <<EOF
#!/bin/sh
cat >"$tmp/grep.in"
printf '%s\n' "\$@" >"$tmp/grep.args"
exec "$real_grep" "\$@" "$tmp/grep.in"
EOF
chmod +x "$tmp/shim/grep"

# check_alternatives FILE LANG CMD: each alternative of the pattern the
# shim was given matches a line of the input it was given
check_alternatives() {
	ext=; pat=
	while IFS= read -r a; do
		case $a in
		-E) ext=1 ;;
		-*) ;;
		*) [ -z "$pat" ] && pat=$a ;;
		esac
	done <"$tmp/grep.args"
	[ -n "$pat" ] || { bad "$1: LANG=$2 '$3': no pattern given to grep"; return; }
	if [ -n "$ext" ]; then
		printf '%s\n' "$pat" | tr '|' '\n' >"$tmp/alts"
	else
		printf '%s\n' "$pat" >"$tmp/alts"
	fi
	while IFS= read -r alt; do
		if [ -n "$ext" ]; then
			"$real_grep" -qE -- "$alt" "$tmp/grep.in"
		else
			"$real_grep" -q -- "$alt" "$tmp/grep.in"
		fi && ok || bad "$1: LANG=$2 '$3': '$alt' matches nothing ioscope printed"
	done <"$tmp/alts"
}

"$bin" models | cut -d' ' -f1 >"$tmp/models"
n=0 ng=0
for f in lessons/en/*.md lessons/zh/*.md; do
	# backquoted commands: `ioscope run … --plain …`, maybe `| grep …` or
	# `| tail …`; not those that run a file the learner writes (./x.scn)
	grep -o '`\(\./\)\?ioscope run [^`]*--plain[^`]*`' "$f" | tr -d '`' |
		grep -v 'run \./' >"$tmp/cmds" || continue
	while IFS= read -r cmd; do
		case $cmd in
		*"--model M "*)     # the models the lesson names, `each` in backquotes
			models=$("$real_grep" -o '`[a-z-]*`' "$f" | tr -d '`' | sort -u |
				"$real_grep" -Fx -f "$tmp/models" | tr '\n' ' ')
			[ -n "$models" ] || { bad "$f: '$cmd': which models are M?"; continue; } ;;
		*) models=- ;;
		esac
		for m in $models; do
			n=$((n + 1))
			run=$(printf '%s' "$cmd" | sed "s|^\(\./\)\?ioscope |$bin |; s|--model M |--model $m |")
			# whatever the learner's locale (a zh_* one need not be installed)
			for lang in C.UTF-8 zh_CN.UTF-8; do
				rm -f "$tmp/grep.args" "$tmp/grep.in"
				out=$(LANG=$lang LC_ALL= PATH="$tmp/shim:$PATH" timeout 120 sh -c "$run" 2>&1); rc=$?
				lines=$(printf '%s' "$out" | "$real_grep" -c .)
				[ "$rc" = 0 ] && [ "$lines" -gt 0 ] && ok ||
					bad "$f: LANG=$lang '$cmd' ($m) -> exit $rc, $lines lines: $(printf '%s' "$out" | head -3)"
				case $cmd in
				*"| grep "*)
					ng=$((ng + 1))
					if [ -f "$tmp/grep.args" ]; then check_alternatives "$f" "$lang" "$cmd"
					else bad "$f: LANG=$lang '$cmd': grep never ran"; fi ;;
				*"| tail "*)
					k=$(printf '%s\n' "$out" | "$real_grep" -cE 'phase 1 .*phase 2|第一阶段 .*第二阶段')
					[ "$k" -ge 4 ] && ok ||
						bad "$f: LANG=$lang '$cmd' ($m): $k summary lines, wanted 4: $out" ;;
				esac
			done
		done
	done <"$tmp/cmds"
done
[ "$n" -ge 20 ] && ok || bad "found only $n exercise commands in the lessons"
[ "$ng" -ge 16 ] && ok || bad "found only $ng grep runs in the lessons"
summary cli_exercises
