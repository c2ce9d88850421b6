#!/bin/sh
# Lesson pages in tmux (issue 9, items 1, 2 and 7): a first page without a
# run, scrolling, the end of a lesson and the next one, the menu's ✓.
# The helpers are tests/lib_tmux.sh's; every wait polls with a limit.
set -u
. "$(dirname "$0")/lib.sh"
scratch pages
. "$(dirname "$0")/lib_tmux.sh"

export XDG_STATE_HOME="$tmp/state"

# Lesson 7 starts without a run: its first page shows, text only.
start 80 24 lesson 7
expect_screen "ioscope · Limits and scale"
expect_screen "select's bitmap has 1024 bits  (1/6)"
expect_screen "press a for the answer"
$T send-keys -t s a
expect_screen "Only P and E"
$T send-keys -t s n
expect_screen "Descriptors above 1023  (2/6)"
expect_screen "step 4/"
$T send-keys -t s q
finished && ok || bad "q did not quit lesson 7"
restored "lesson 7"

# In Chinese, the same (from a fresh start: the lesson resumes where it
# was left, and says so).
export XDG_STATE_HOME="$tmp/state-zh"
start 80 24 lesson 7 --lang zh
expect_screen "(1/6)"
expect_screen "先想一想"
$T send-keys -t s q
finished && ok || bad "q did not quit lesson 7 in Chinese"

# From the menu: Enter on lesson 7 opens its first page.
export XDG_STATE_HOME="$tmp/state-menu"
start 80 24
expect_screen "ioscope · lessons"
$T send-keys -t s Down Down Down Down Down Down Enter
expect_screen "select's bitmap has 1024 bits  (1/6)"
$T send-keys -t s q
finished && ok || bad "q did not quit lesson 7 opened from the menu"

# Opened again, lesson 7 resumes at page 2, where it was left, and says so.
export XDG_STATE_HOME="$tmp/state"
start 80 24 lesson 7
expect_screen "Descriptors above 1023  (2/6)"
expect_screen "resumed at page 2 of 6"
$T send-keys -t s p
expect_screen "select's bitmap has 1024 bits  (1/6)"
$T send-keys -t s q
finished && ok || bad "q did not quit lesson 7, resumed"

# A page longer than the screen scrolls, and says so.
start 80 24 lesson 4
expect_screen "One wait for four rods  (1/7)"
expect_screen "more rows below (↓)"
$T send-keys -t s Down Down Down
expect_screen "3 rows above (↑)"
$T send-keys -t s Up Up Up
expect_gone "rows above (↑)"
$T send-keys -t s a
expect_screen "Neither four nor one"
$T send-keys -t s q
finished && ok || bad "q did not quit lesson 4"
restored "lesson 4 scrolled"

# The last page of lesson 1 says it is finished; n opens lesson 2; the
# menu shows ✓ at once.
start 100 30
expect_screen "1. The two phases of a read"
$T send-keys -t s Enter
expect_screen "(1/7)"
for p in 2 3 4 5 6 7; do
	$T send-keys -t s n
	expect_screen "($p/7)"
done
expect_screen "marked finished in the lesson list"
expect_screen "2. Blocking IO: asleep through both phases"
$T send-keys -t s n
expect_screen "Blocking IO: asleep"
expect_screen "(1/[0-9]*)"
$T send-keys -t s l
expect_screen "✓  1\. The two phases"
$T send-keys -t s q
finished && ok || bad "q did not quit the menu"
restored "menu after lesson 1"
grep -q "01-two-phases 6 1" "$tmp/state/ioscope/progress" && ok || bad "lesson 1 not finished: $(cat "$tmp/state/ioscope/progress" 2>/dev/null)"

summary cli_lesson_pages
