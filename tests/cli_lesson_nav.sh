#!/bin/sh
# Lesson navigation in tmux (issue 9 review, F1): p shows the run a page
# reads in order whatever the direction; g lands on its step; End plays on.
# The helpers are tests/lib_tmux.sh's; every wait polls with a limit.
set -u
. "$(dirname "$0")/lib.sh"
scratch nav
. "$(dirname "$0")/lib_tmux.sh"

export XDG_STATE_HOME="$tmp/state"

# Lesson 7 starts without a run: its first page shows, text only.
start 80 24 lesson 7
expect_screen "ioscope · Limits and scale"
# not_shown PATTERN: the pane, as it is now, does not show it
not_shown() { $T capture-pane -p -t s | grep -q -- "$1" && bad "screen shows '$1'" || ok; }

# Lesson 9: page 3 has no run of its own and shows page 2's (D on
# io_uring at step 12), whether reached from page 2 or back from page 4.
start 80 24 lesson 9
expect_screen "(1/7)"
expect_screen "a answer"
$T send-keys -t s n
expect_screen "step 12/16"
not_shown "a answer"            # page 2 has no prediction
$T send-keys -t s n
expect_screen "Who does the copy?  (3/7)"
expect_screen "step 12/16"
$T send-keys -t s n
expect_screen "(4/7)"
expect_screen "A posix-aio"
expect_screen "step 2/16"
$T send-keys -t s p
expect_screen "Who does the copy?  (3/7)"
expect_screen "step 12/16" 20
expect_screen "D uring"
not_shown "posix-aio"
$T send-keys -t s q
finished && ok || bad "q did not quit lesson 9"
restored "lesson 9"

# Resumed at page 3: the same run, as if read in order.
start 80 24 lesson 9
expect_screen "resumed at page 3 of 7"
expect_screen "step 12/16" 20
expect_screen "D uring"
$T send-keys -t s q
finished && ok || bad "q did not quit lesson 9, resumed"

# In a lesson End plays the run to its end (help: "first / last event").
start 80 24 lesson 9
expect_screen "(3/7)"
$T send-keys -t s p
expect_screen "(2/7)"
expect_screen "step 12/16" 20
$T send-keys -t s End
expect_screen "step 16/16" 20
$T send-keys -t s q
finished && ok || bad "q did not quit lesson 9 after End"

# Lesson 16 (the review): page 1 has no run before it: text only, also coming back
# from page 2.
export XDG_STATE_HOME="$tmp/state-16"
start 80 24 lesson 16
expect_screen "One read, five ways  (1/7)"
not_shown "step [0-9]*/"
$T send-keys -t s n
expect_screen "(2/7)"
expect_screen "step 12/16" 20
$T send-keys -t s p
expect_screen "One read, five ways  (1/7)"
expect_gone "step 12/16"
not_shown "A blocking"
not_shown "→ step"
expect_screen "a answer"
$T send-keys -t s q
finished && ok || bad "q did not quit lesson 16"
restored "lesson 16"

# The last page of the last lesson (17): n opens nothing, and is not
# offered.
export XDG_STATE_HOME="$tmp/state-17"
start 80 24 lesson 17
expect_screen "(1/9)"
$T send-keys -t s n n n n n n n n
expect_screen "(9/9)"
expect_screen "p previous"
not_shown "n next"
$T send-keys -t s NPage NPage
expect_screen "the last of the lessons"
$T send-keys -t s n
expect_screen "(9/9)"
$T send-keys -t s q
finished && ok || bad "q did not quit lesson 17"
restored "lesson 17"

# g in a live run lands on the step asked for, as in a replay (steps 3
# and 4 of fishing happen at one instant, as do 5 and 6).
start 80 24 run fishing
expect_screen "step 1/16"
$T send-keys -t s g 3 Enter
expect_screen "step 3/16" 20
$T send-keys -t s g 5 Enter
expect_screen "step 5/16" 20
$T send-keys -t s Right
expect_screen "step 6/16" 20
$T send-keys -t s q
finished && ok || bad "q did not quit run fishing"
restored "run fishing"

summary cli_lesson_nav
