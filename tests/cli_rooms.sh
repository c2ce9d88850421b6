#!/bin/sh
# The source tree keeps its shape (README, "Where things are"): the root
# holds no code, each room includes only the rooms below it, and no file
# outside models/ knows a model by its name (views go by the capabilities
# an actor carries in the trace: trace/FORMAT.md, "Capabilities").
set -u
. "$(dirname "$0")/lib.sh"
scratch rooms

# ---- the root holds no code
set -- *.c *.h
if [ -e "$1" ]; then bad "code at the root: $*"; else ok; fi

# ---- each room includes only the rooms it may (lowest first)
may() {         # room, rooms it may include besides itself
	room=$1; shift
	for f in "$room"/*.c "$room"/*.h; do
		[ -e "$f" ] || continue
		sed -n 's/^#include "\([a-z]*\)\/.*/\1/p' "$f" | sort -u | while read -r to; do
			[ "$to" = "$room" ] && continue
			case " $* " in *" $to "*) ;; *) echo "$f includes $to/ (a $room/ file may include: $*)";; esac
		done
	done
}
{
	may trace
	may models trace
	may scenarios trace
	may attach trace models
	may lessons trace models scenarios
	may view trace lessons
	may live trace models attach scenarios view
	may tui trace lessons scenarios view live
	may cli trace models attach scenarios lessons view live tui
} >"$tmp/up.txt"
if [ -s "$tmp/up.txt" ]; then bad "$(cat "$tmp/up.txt")"; else ok; fi

# ---- no model compared by name outside models/: strcmp-like calls with a
# model's name, and tables of words keyed by one.  trace/trace.c holds the
# one allowed table: the capabilities of version 1's models, for old files.
names='blocking|nonblocking|select|poll|epoll|epoll-et|sigio|uring|posix-aio|libuv'
grep -nE "(strn?cmp|strcasecmp|is_model)[[:space:]]*\([^;]*\"($names)\"|^[[:space:]]*\{ \"($names)\", \{" \
	trace/*.c view/*.c live/*.c tui/*.c cli/*.c lessons/*.c scenarios/*.c 2>/dev/null |
	grep -v "^trace/trace\.c:" | grep -v "(sc, \"" >"$tmp/names.txt"
if [ -s "$tmp/names.txt" ]; then bad "a model compared by name outside models/: $(cat "$tmp/names.txt")"; else ok; fi
# ...and the check itself finds one (it cannot pass by matching nothing)
printf '%s\n' '	if (strcmp(a->model, "epoll-et") == 0)' '	{ "select", { "one"' >"$tmp/probe.c"
n=$(grep -cE "(strn?cmp|strcasecmp|is_model)[[:space:]]*\([^;]*\"($names)\"|^[[:space:]]*\{ \"($names)\", \{" "$tmp/probe.c")
[ "$n" = 2 ] && ok || bad "the name check finds $n of 2 planted comparisons"

summary cli_rooms
