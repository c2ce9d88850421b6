#!/bin/sh
# Themes and help on the screen: t names the theme for a while, ? shows
# the keys of the screen in a box, LANG=C has no "??" in the title.  Every
# wait polls for what should (dis)appear, with a limit; none is a fixed sleep.
set -u
. "$(dirname "$0")/lib.sh"
scratch theme
. "$(dirname "$0")/lib_tmux.sh"
export XDG_STATE_HOME="$tmp/state"

# t: the theme's name in the key bar, gone again by itself; the keys back.
start 80 24 run fishing --paused
expect_screen "ioscope · fishing"
expect_screen "? help"
$T send-keys -t s t
expect_screen "theme: classroom"
expect_gone "theme: classroom"
expect_screen "space play .*? help"
$T send-keys -t s t
expect_screen "theme: monochrome"
expect_gone "theme: monochrome"
$T send-keys -t s t
expect_screen "theme: default"
# A key ends the name at once.
$T send-keys -t s Right
expect_gone "theme: default"

# ?: a bordered box with this screen's keys (i: live), any key closes it.
$T send-keys -t s '?'
expect_screen "┌─ keys: a live run"
expect_screen "│ i  *write data now"
expect_screen "└─ any key closes"
$T send-keys -t s x
expect_gone "keys: a live run"
$T send-keys -t s q
finished && ok || bad "q did not quit"
restored "theme and help"

# A burst of t and ? (a teacher flicking through themes): the process
# lives, and three t from default end on default again.
start 80 24 run fishing --paused
expect_screen "step 1/16"
$T send-keys -t s t t t '?' '?' t t t
expect_screen "theme: default"
$T send-keys -t s q
finished && ok || bad "q did not quit after a burst of t and ?"
[ "$(cat "$tmp/rc" 2>/dev/null)" = 0 ] && ok || bad "exit status $(cat "$tmp/rc" 2>/dev/null) after a burst"
restored "burst of t"

# In Chinese, at 120 columns.
start 120 40 run fishing --paused --lang zh
expect_screen "步骤 1/16"
$T send-keys -t s t
expect_screen "主题：课堂"
expect_gone "主题：课堂"
$T send-keys -t s q
finished && ok || bad "q did not quit (zh)"
restored "zh theme"

# A lesson's help lists the lesson's keys; l is not "step" there.
start 80 24 lesson 1
expect_screen "n next"
$T send-keys -t s '?'
expect_screen "keys: a lesson"
expect_screen "n  Enter .*next page"
$T capture-pane -p -t s | grep -q "│ l .*step" && bad "l listed as step in a lesson" || ok
$T send-keys -t s '?'
expect_gone "keys: a lesson"
$T send-keys -t s q
finished && ok || bad "q did not quit the lesson"
restored "lesson help"

# LANG=C: ASCII for · and × in the title, no "??".
envp="env LANG=C LC_ALL=C" start 80 24 run fishing --paused
expect_screen "ioscope - fishing: .* - live  step 1/16 - || 1x"
$T capture-pane -p -t s | head -n 1 | grep -q '??' && bad "?? in the title under LANG=C" || ok
$T send-keys -t s q
finished && ok || bad "q did not quit (LANG=C)"
restored "LANG=C"

summary cli_theme
