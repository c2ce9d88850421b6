#!/bin/sh
# make install and make uninstall, as a packager runs them: into a DESTDIR,
# where the installed binary finds its data beside it (../share/ioscope),
# checks and runs from there; uninstall removes what install put there and
# nothing else.  It installs the binary under test ($IOSCOPE) and builds
# nothing (-o): under make test it inherits that build's BUILD, PREFIX and
# flags through MAKEFLAGS.
set -u
. "$(dirname "$0")/lib.sh"
scratch install
dest=$tmp/dest
mk() {          # make target: quiet unless it fails
	if make -s --no-print-directory -o "$bin" "$@" DESTDIR="$dest" BIN="$bin" \
		>"$tmp/make.txt" 2>&1; then ok; else bad "make $*: $(cat "$tmp/make.txt")"; fi
}

[ -x "$bin" ] || { echo "cli_install: $bin is not built"; exit 1; }
mk install
installed=$(find "$dest" -path '*/bin/ioscope' -type f)
[ -n "$installed" ] && [ -x "$installed" ] && ok || bad "no bin/ioscope under $dest"
share=${installed%/bin/ioscope}/share/ioscope
[ -f "$share/scenarios/fishing.scn" ] && [ -f "$share/models/blocking.c" ] && ok ||
	bad "no data in $share"

# From elsewhere, with no hint: the binary finds the tree it was installed in.
cd "$tmp" || exit 1
unset IOSCOPE_DATA
expect 0 "ok, scenario 'fishing'" -- "$installed" check "$share/scenarios/fishing.scn"
for l in "$share"/lessons/en/*.md "$share"/lessons/zh/*.md; do
	expect 0 "ok" -- "$installed" check "$l"     # quotes the installed sources
done
expect 0 "^fishing" -- "$installed" scenarios
# An unknown name is answered with the installed tree's own list.
expect 2 "scenarios: .*fishing" -- "$installed" run no-such --plain
expect 0 "phase 1 begins" -- timeout 60 "$installed" run fishing --plain --speed 100
cd - >/dev/null || exit 1

# Uninstall takes what install put there, and only that.
echo "scenario mine" >"$share/scenarios/mine.scn"
mk uninstall
[ -f "$share/scenarios/mine.scn" ] && ok || bad "uninstall removed a file it did not install"
left=$(find "$dest" -type f ! -name mine.scn)
[ -z "$left" ] && ok || bad "uninstall left: $left"
rm "$share/scenarios/mine.scn"
mk uninstall
left=$(find "$dest" -name '*ioscope*')
[ -z "$left" ] && [ -z "$(find "$dest" -type f)" ] && ok || bad "uninstall left: $left"

summary cli_install
