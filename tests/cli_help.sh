#!/bin/sh
# A command line that helps: the closest name for every unknown word, help
# for every command, errors that start with "ioscope:" (in English and in
# Chinese), the man page, bash completion, and the menu in Chinese on a
# machine without Chinese locales.  Every wait has a limit.
set -u
. "$(dirname "$0")/lib.sh"
scratch help
. "$(dirname "$0")/lib_tmux.sh"
bad_also() { :; }                # failures show no pane (the menus show their own)
# Messages in English unless a test asks otherwise.
unset LC_ALL LC_MESSAGES LC_CTYPE LANGUAGE
LANG=C.UTF-8; export LANG
# refused PATTERN -- command...: exit 2, nothing on stdout, stderr's first
# line starts with "ioscope: " and some line matches PATTERN
refused() {
	pat=$1; shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"; rc=$?
	if [ $rc != 2 ]; then bad "$* -> exit $rc, wanted 2: $(cat "$tmp/err")"; return; fi
	if [ -s "$tmp/out" ]; then bad "$* -> wrote to stdout: $(head -3 "$tmp/out")"; return; fi
	if ! head -1 "$tmp/err" | grep -q '^ioscope: '; then bad "$* -> error lacks 'ioscope: ': $(cat "$tmp/err")"; return; fi
	if ! grep -q -- "$pat" "$tmp/err"; then bad "$* -> error lacks '$pat': $(cat "$tmp/err")"; return; fi
	ok
}

# ---- did you mean: scenario, model, option, command, lesson, values
refused "unknown scenario 'fishin'; did you mean 'fishing'?" -- $bin run fishin
refused "scenarios: .*canteen.*fishing" -- $bin run fishin
grep -q "cannot open" "$tmp/err" && bad "run fishin still says: $(cat "$tmp/err")" || ok
refused "unknown scenario 'zzzzzzzz'" -- $bin run zzzzzzzz
grep -q "did you mean" "$tmp/err" && bad "a far word got a suggestion: $(cat "$tmp/err")" || ok
grep -q "scenarios: .*fishing" "$tmp/err" && ok || bad "no list of scenarios: $(cat "$tmp/err")"
refused "unknown model 'selct'; did you mean 'select'?" -- $bin run fishing --model selct
refused "expected one of: blocking, nonblocking" -- $bin run fishing --model selct
refused "unknown model 'pigeon' (expected one of: blocking" -- $bin run fishing --model pigeon --plain
refused "unknown option '--modle'; did you mean '--model'?" -- $bin run fishing --modle select
refused "try 'ioscope help run'" -- $bin run fishing --modle select
refused "unknown option '--pasued'; did you mean '--paused'?" -- $bin run --pasued fishing
refused "unknown option '--modle'" -- $bin --modle select run fishing
refused "option '--model' needs a value" -- $bin run fishing --model
refused "unknown option '-x'" -- $bin run fishing -x
refused "unknown command 'scenarioes'; did you mean 'scenarios'?" -- $bin scenarioes
refused "commands: .*lessons.*run.*replay" -- $bin scenarioes
refused "unknown command 'fishing'; did you mean 'ioscope run fishing'?" -- $bin fishing
refused "no lesson 'epol'; did you mean 'epoll'?" -- $bin lesson epol
refused "lessons: .*two-phases.*review" -- $bin lesson epol
refused "--theme expects default, classroom or mono, got 'clasroom'; did you mean 'classroom'?" -- $bin run fishing --theme clasroom
refused "--lang expects en or zh, got 'zn'" -- $bin lesson 1 --lang zn
refused "--format expects chrome, asciicast or text, got 'chrom'; did you mean 'chrome'?" -- \
	$bin export scenarios/recordings/fishing.jsonl --format chrom
refused "models takes no arguments" -- $bin models extra
refused "scenarios takes no arguments" -- $bin scenarios extra
refused "nothere.md: cannot open" -- $bin check nothere.md

# ---- help for every command, three ways, and the overview
expect 0 "usage: ioscope" -- $bin help
$bin help >"$tmp/help" 2>&1
$bin --help >"$tmp/help2" 2>&1
cmp -s "$tmp/help" "$tmp/help2" && ok || bad "'ioscope help' and 'ioscope --help' differ"
cmds="lessons lesson run replay check export scenarios models bench attach exercise help"
for c in $cmds; do
	grep -q "^  $c\b" "$tmp/help" && ok || bad "ioscope help does not list $c"
	expect 0 "^usage: ioscope $c" -- $bin help $c
	$bin help $c >"$tmp/h1" 2>&1
	$bin $c --help >"$tmp/h2" 2>&1 && ok || bad "$c --help: exit $?: $(cat "$tmp/h2")"
	$bin $c -h >"$tmp/h3" 2>&1 && ok || bad "$c -h: exit $?: $(cat "$tmp/h3")"
	cmp -s "$tmp/h1" "$tmp/h2" && cmp -s "$tmp/h1" "$tmp/h3" && ok ||
		bad "help $c, $c --help and $c -h differ"
	[ "$(wc -l <"$tmp/h1")" -ge 3 ] && ok || bad "help $c says too little: $(cat "$tmp/h1")"
	$bin help $c --lang zh >"$tmp/hz" 2>&1
	grep -q "用法" "$tmp/hz" && ok || bad "help $c --lang zh is not in Chinese: $(head -3 "$tmp/hz")"
done
# Every option a command's help lists, that command takes.
value() {
	case $1 in
	--model) echo select ;; --speed) echo 2 ;; --lang) echo en ;; --theme) echo mono ;;
	--format) echo text ;; --size) echo 80x24 ;; --fds|--conns) echo 10 ;; --models) echo poll ;;
	--low) echo 0,1000 ;; --events) echo 1000 ;;
	--record|--output) echo "$tmp/never" ;;
	esac
}
for c in $cmds; do
	for o in $($bin help $c | sed -n 's/^  \(--[a-z-]*\).*/\1/p'); do
		expect 0 "^usage: ioscope $c" -- $bin $c $o $(value $o) --help
	done
done
[ ! -e "$tmp/never" ] && ok || bad "--help wrote a file"
# And every long option the binary knows (its getopt table in cli/main.c,
# read here, and the man page's check below, the same way), some command's
# help lists (--help and --version, the overview's).
known=$(sed -n 's/.*{ "\([a-z-]*\)", [a-z_]*argument.*/\1/p' "$top/cli/main.c")
[ "$(echo "$known" | grep -cx 'model\|speed\|version\|force')" = 4 ] && ok ||
	bad "cli/main.c's option table not found: '$known'"
for c in $cmds; do $bin help $c; done >"$tmp/allhelp"
for o in $known; do
	case $o in help|version) continue ;; esac
	grep -q -- "^  --$o\b" "$tmp/allhelp" && ok || bad "no command's help lists --$o (cli/main.c knows it)"
done
expect 0 "--model" -- $bin help run
expect 0 "--format" -- $bin export --help
expect 0 "usage: ioscope run" -- $bin run fishing --model nosuch --help
refused "unknown command 'rnu'; did you mean 'run'?" -- $bin help rnu
expect 0 "用法" -- $bin --lang zh help
expect 0 "ioscope [0-9]" -- $bin --version

# ---- errors in Chinese: --lang zh (anywhere), or a zh_* LANG
refused "没有名为 'fishin' 的场景；是不是 'fishing'？" -- $bin run fishin --lang zh
refused "没有名为 'fishin' 的场景" -- $bin --lang zh run fishin
refused "没有名为 'fishin' 的场景" -- env LANG=zh_CN.UTF-8 $bin run fishin
refused "未知选项 '--modle'；是不是 '--model'？" -- env LANG=zh_CN.UTF-8 $bin run fishing --modle x
refused "未知命令 'fly'" -- env LANG=zh_CN.UTF-8 $bin fly
refused "--speed 应为" -- $bin --lang zh run fishing --speed 0
refused "没有名为 'epol' 的课程" -- $bin --lang zh lesson epol
refused "unknown scenario 'fishin'" -- env LANG=zh_CN.UTF-8 $bin run fishin --lang en

# Every usage error, in both languages: exit 2, first line "ioscope: ",
# and under --lang zh, Chinese in it.
while IFS= read -r args; do
	refused "" -- $bin $args
	refused "" -- $bin $args --lang zh
	head -1 "$tmp/err" | grep -q -P '[\x{4e00}-\x{9fff}]' && ok ||
		bad "$args --lang zh: not in Chinese: $(head -1 "$tmp/err")"
done <<'EOF'
run
replay
check
export x.jsonl
export scenarios/recordings/fishing.jsonl --format gif
bench extra
models extra
lessons extra
fly
help run replay
help fly
lesson
lesson 99
run nosuch
run fishing --model nope
run fishing --model
run fishing --speed abc
run fishing --theme pink
run fishing --lang fr
export x.jsonl --format text --size 1x1
run fishing --modle select
run fishing --plain=yes
run fishing -z
EOF
# ---- --lang and --theme everywhere, the menu included
expect 0 "一次读操作的两个阶段" -- $bin --lang zh
expect 0 "一次读操作的两个阶段" -- env LANG=zh_CN.UTF-8 $bin
expect 0 "two-phases" -- $bin --theme classroom
expect 0 "阻塞 IO" -- $bin --lang zh lessons
expect 0 "^fishing" -- $bin --theme mono scenarios

# ---- TERM=dumb and plain text: --paused does not apply, and we say so
if command -v script >/dev/null 2>&1; then
	TERM=dumb timeout 60 script -qec "$bin run fishing --paused --speed 50" /dev/null </dev/null >"$tmp/dumb.txt" 2>&1
	rc=$?
	[ $rc = 0 ] && ok || bad "TERM=dumb: exit $rc: $(head -c 300 "$tmp/dumb.txt")"
	grep -q "ioscope: TERM=dumb: plain text instead of the screen" "$tmp/dumb.txt" && ok ||
		bad "TERM=dumb: no note: $(head -c 300 "$tmp/dumb.txt")"
	grep -q "ioscope: --paused applies to the screen only; plain text plays through" "$tmp/dumb.txt" && ok ||
		bad "TERM=dumb --paused: no note: $(head -c 300 "$tmp/dumb.txt")"
	grep -q "fish bites" "$tmp/dumb.txt" && ok || bad "TERM=dumb: no narration"
else
	echo "skip: script(1) not installed"
fi
expect 0 "--paused applies to the screen only" -- timeout 60 $bin run fishing --plain --paused --speed 50
$bin run fishing --plain --speed 50 >/dev/null 2>"$tmp/quiet" && [ ! -s "$tmp/quiet" ] && ok ||
	bad "a plain run without --paused says: $(cat "$tmp/quiet")"

# ---- the man page renders, lists every command, without groff warnings
if command -v man >/dev/null 2>&1; then
	MANWIDTH=80 man -l "$top/ioscope.1" 2>"$tmp/man.err" | col -b >"$tmp/man.txt"
	grep -q "^NAME" "$tmp/man.txt" && grep -q "ioscope - " "$tmp/man.txt" && ok ||
		bad "man -l ioscope.1: no NAME: $(head -5 "$tmp/man.txt")"
	for s in SYNOPSIS COMMANDS OPTIONS "EXIT STATUS" ENVIRONMENT FILES EXAMPLES; do
		grep -q "^$s" "$tmp/man.txt" && ok || bad "man page has no $s section"
	done
	for c in $cmds; do
		grep -q "^ *ioscope $c\b" "$tmp/man.txt" && ok || bad "man page lacks 'ioscope $c'"
	done
	[ ! -s "$tmp/man.err" ] && ok || bad "man -l: $(cat "$tmp/man.err")"
	groff -man -ww -z "$top/ioscope.1" >"$tmp/groff.err" 2>&1
	[ ! -s "$tmp/groff.err" ] && ok || bad "groff warns: $(cat "$tmp/groff.err")"
	# Every long option the binary knows is in the man page.
	for o in $known; do
		grep -q -- "--$o" "$tmp/man.txt" && ok || bad "man page lacks --$o (cli/main.c knows it)"
	done
else
	echo "skip: man(1) not installed"
fi

# ---- bash completion: commands, scenarios, models, lessons, options
comp() {        # comp WORD... : what TAB offers for the last word
	bash -c '. "$1"/mk/ioscope.bash; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
		 COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; _ioscope; echo "${COMPREPLY[*]}"' \
		sh "$top" "$bin" "$@" 2>&1
}
# want EXPECTED WORD...: the completion is exactly EXPECTED
want() { exp=$1; shift; got=$(comp "$@"); [ "$got" = "$exp" ] && ok || bad "complete '$*': got '$got', wanted '$exp'"; }
# has WORD WORDS...: the completion includes WORD
has() { w=$1; shift; got=$(comp "$@"); case " $got " in *" $w "*) ok ;; *) bad "complete '$*': '$w' not in '$got'" ;; esac; }
if command -v bash >/dev/null 2>&1; then
	want "fishing" run fi
	want "scenarios" sc
	want "replay run" r
	want "select sigio" run fishing --model s
	want "epoll epoll-et" run fishing --model = ep
	has "nonblocking" run fishing --model = ""
	want "select,poll,epoll select,poll,epoll-et" bench --models select,poll,ep
	has "--low" bench --
	want "" bench --low ""
	want "--csv" bench --low 0,1000 --cs
	want "epoll epoll-et" --model ep
	want "epoll" lesson epo
	has "two-phases" lesson ""
	has "12" lesson ""
	want "en zh" run fishing --lang ""
	want "classroom" --theme cl
	want "chrome" export x.jsonl --format ch
	want "--model" run fishing --mode
	has "--paused" run fishing --
	has "--format" export x.jsonl --
	has "--version" --
	want "lt-vs-et" run lt
	want "" run fishing fi
	want "" run fishing --speed ""
	want "exercise export" help ex
	has "lessons" help ""
	mkdir -p "$tmp/d" && : >"$tmp/d/rec.jsonl"
	want "$tmp/d/rec.jsonl" replay "$tmp/d/re"
	# the installed name, found on PATH
	got=$(PATH="$(dirname "$bin"):$PATH" bash -c '. "$1"/mk/ioscope.bash; COMP_WORDS=(ioscope run fi); COMP_CWORD=2; _ioscope; echo "${COMPREPLY[*]}"' sh "$top" 2>&1)
	case $(basename "$bin") in
	ioscope) [ "$got" = fishing ] && ok || bad "completion through PATH: '$got'" ;;
	esac
	bash -c '. "$1"/mk/ioscope.bash; complete -p ioscope' sh "$top" | grep -q "_ioscope ioscope" && ok ||
		bad "the completion is not registered for ioscope"
else
	echo "skip: bash not installed"
fi

# ---- make install puts the man page and the completion in place; uninstall removes all
# The binary under test is installed as it is (BIN, and -o: never rebuilt;
# under make asan the environment carries that build's BUILD and CFLAGS,
# which would otherwise relink ./ioscope from the sanitizer's objects).
inst_bin=$(cd "$top" && realpath "${IOSCOPE:-./ioscope}" 2>/dev/null)
if [ -n "$inst_bin" ] && [ -x "$inst_bin" ] && command -v make >/dev/null 2>&1; then
	root="$tmp/root"
	(cd "$top" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -o "$inst_bin" install \
		BIN="$inst_bin" DESTDIR="$root" PREFIX=/usr) \
		>"$tmp/inst.txt" 2>&1 && ok || bad "make install: $(tail -5 "$tmp/inst.txt")"
	[ -f "$root/usr/share/man/man1/ioscope.1" ] && ok || bad "no installed man page"
	[ -f "$root/usr/share/bash-completion/completions/ioscope" ] && ok || bad "no installed completion"
	if command -v man >/dev/null 2>&1; then
		MANWIDTH=80 man -l "$root/usr/share/man/man1/ioscope.1" 2>/dev/null | grep -q "^NAME" && ok ||
			bad "the installed man page does not render"
	fi
	(cd / && IOSCOPE_DATA= "$root/usr/bin/ioscope" run fishn 2>&1) | grep -q "did you mean 'fishing'" && ok ||
		bad "the installed binary does not find its scenarios"
	(cd "$top" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -o "$inst_bin" uninstall \
		BIN="$inst_bin" DESTDIR="$root" PREFIX=/usr) \
		>"$tmp/uninst.txt" 2>&1 && ok || bad "make uninstall: $(tail -5 "$tmp/uninst.txt")"
	left=$(find "$root" -type f | head -5)
	[ -z "$left" ] && ok || bad "make uninstall left: $left"
else
	echo "skip: no ./ioscope or make to install"
fi

# ---- the menu in Chinese, in tmux: --lang zh, and a zh_* LANG this machine
# may not have (C.UTF-8 then draws the characters; the language stays)
# (start and wait_for, lib_tmux.sh's: until the pane shows it, 10 s)
menu() {        # menu 'ENV' ARGS...: the lesson menu at 80x24 under that environment
	e=$1; shift
	envp="env -u LC_ALL $e" start 80 24 "$@"
}
quit_menu() {   # q, and the process ends with status 0
	$T send-keys -t s q
	wait_for IOSCOPE-DONE && [ "$(cat "$tmp/rc")" = 0 ] && ok ||
		bad "menu ($1): did not quit with 0: $(cat "$tmp/stderr")"
}
if command -v tmux >/dev/null 2>&1; then
	for e in "LANG=C.UTF-8 --lang zh" "LANG=zh_CN.UTF-8" "LANG=zh_TW.UTF-8 LC_ALL=zh_TW.UTF-8" "LANG=C --lang zh"; do
		case $e in *--lang*) menu "${e% --lang zh}" --lang zh ;; *) menu "$e" ;; esac
		if wait_for "一次读操作的两个阶段"; then ok; else
			bad "menu ($e): no Chinese"; $T capture-pane -p -t s | head -8
		fi
		$T capture-pane -p -t s | grep -q '??' && bad "menu ($e): '?' for characters" || ok
		quit_menu "$e"
	done
	menu LANG=C.UTF-8 --theme classroom
	wait_for "The two phases of a read" && ok || bad "menu --theme classroom: not shown"
	quit_menu "--theme classroom"
else
	echo "skip: tmux not installed"
fi

summary cli_help
