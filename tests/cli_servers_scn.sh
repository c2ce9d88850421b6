#!/bin/sh
# The two scenarios of the server lessons (12-15).  servers.scn: ten-ish
# clients over about ten seconds, and every caption that names S (in its
# Chinese text, as the caption check reads it) has a version for each of
# the four other server models, in both languages, so that --model never
# shows words written for another model.  A run on each server model that
# this build has shows, at 1.2 s, the caption written for it.
# producer-consumer.scn: S is a thread pool with a queue, and its run says
# futex.  The runs need the server models and the scenario options
# (serve=, workers=, queue=, work=).
set -u
. "$(dirname "$0")/lib.sh"
unset LC_ALL LC_MESSAGES LANGUAGE
LANG=C.UTF-8; export LANG
scratch servers_scn

scn=scenarios/servers.scn
others="process-per-conn thread-pool coroutines epoll"

# ---- the script itself (text only)
grep -q '^actor S thread-per-conn role=server serve=echo$' "$scn" && ok || bad "$scn: S is not thread-per-conn serve=echo"
n=$(awk '$1 == "at" && $3 == "connect" { print $4 }' "$scn" | sort -u | wc -l)
[ "$n" -ge 8 ] && [ "$n" -le 12 ] && ok || bad "$scn: $n clients, wanted 8 to 12"
last=$(awk '$1 == "at" { t = $2 } END { sub(/s$/, "", t); print t }' "$scn")
awk -v t="$last" 'BEGIN { exit !(t >= 8 && t <= 12) }' && ok || bad "$scn: ends at ${last}s, wanted about 10 s"
# a send without an end of line: the slow client's piece
grep -E '^at [0-9.]+s +send [a-z_0-9]+ "[^"]*[^n"]"$' "$scn" >/dev/null && ok || bad "$scn: no piece of a line (a send without \\n)"

# Each caption (its 'say zh' line) that names S: the versions after it.
awk -v others="$others" '
	function flush() {
		if (names)
			for (m in want)
				for (l in langs)
					if (!((m, l) in got))
						printf "line %d: no \"say for %s %s\"\n", at_line, m, l
		names = 0; partner = 0; delete got
	}
	BEGIN { split(others, o, " "); for (i in o) want[o[i]] = 1; langs["en"]; langs["zh"] }
	$1 != "at" { next }
	$3 == "say" && $4 == "for" { got[$5, $6] = 1; next }
	$3 == "say" && ($4 == "en" || $4 == "zh") {
		if (partner && $2 == t) partner = 0
		else { flush(); t = $2; partner = 1 }
		if ($4 == "zh") {
			text = $0; sub(/^at [^ ]+ +say zh +/, "", text)
			if (text ~ /(^|[^A-Za-z0-9_])S([^A-Za-z0-9_]|$)/) { names = 1; at_line = NR }
		}
		next
	}
	{ flush() }
	END { flush() }
' "$scn" >"$tmp/missing"
[ -s "$tmp/missing" ] && bad "$scn: $(cat "$tmp/missing")" || ok
[ "$(grep -c 'say for' "$scn")" -ge 40 ] && ok || bad "$scn: fewer caption versions than five captions x four models x two languages"

# ---- runs: both scenarios check, and every server model runs them
$bin check "$scn" scenarios/producer-consumer.scn >"$tmp/check" 2>&1 && ok ||
	bad "ioscope check: $(head -1 "$tmp/check")"
$bin models >"$tmp/models"
for m in thread-per-conn $others; do
	grep -q "^$m  *available " "$tmp/models" || { bad "no model $m available in this build"; continue; }
	if [ "$m" = thread-per-conn ]; then
		want=$(grep '^at 1.2s *say en ' "$scn" | sed 's/^at 1.2s *say en *//')
		set --
	else
		want=$(grep "^at 1.2s say for $m en " "$scn" | sed "s/^at 1.2s say for $m en *//")
		set -- --model "$m"
	fi
	timeout 120 $bin run servers "$@" --plain --speed 10 --lang en >"$tmp/$m.txt" 2>"$tmp/err"
	rc=$?; [ $rc = 0 ] && ok || bad "run servers $*: exit $rc: $(head -3 "$tmp/err")"
	grep -qF -- "── $want" "$tmp/$m.txt" && ok || bad "run servers $*: the 1.2 s caption is not the one written for $m"
done
if grep -q '^thread-pool ' "$tmp/models"; then
	timeout 120 $bin run producer-consumer --plain --speed 10 --lang en >"$tmp/pc.txt" 2>"$tmp/err"
	rc=$?; [ $rc = 0 ] && ok || bad "run producer-consumer: exit $rc: $(head -3 "$tmp/err")"
	grep -q 'futex' "$tmp/pc.txt" && ok || bad "run producer-consumer: no futex in the narration"
fi
summary cli_servers_scn
