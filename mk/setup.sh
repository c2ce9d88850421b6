#!/bin/sh
# Install what ioscope needs to build and test, from Debian's packages.
# Quiet when everything is there; as root (or with sudo) it runs apt-get,
# otherwise it prints the exact command and fails.
set -u
need=""
have_pc() { pkg-config --exists "$1" 2>/dev/null; }
command -v pkg-config >/dev/null 2>&1 || need="$need pkg-config"
have_pc libuv    || need="$need libuv1-dev"
have_pc jansson  || need="$need libjansson-dev"
have_pc ncursesw || need="$need libncurses-dev"
have_pc cmocka   || need="$need libcmocka-dev"
have_pc liburing || need="$need liburing-dev"
have_pc md4c     || need="$need libmd4c-dev"
for tool in jq tmux asciinema strace; do
	command -v $tool >/dev/null 2>&1 || need="$need $tool"
done
command -v cc >/dev/null 2>&1 || need="$need gcc"
# tests/cli_help.sh renders the man page and tries the bash completion
command -v man >/dev/null 2>&1 || need="$need man-db"
command -v groff >/dev/null 2>&1 || need="$need groff-base"
command -v bash >/dev/null 2>&1 || need="$need bash"
[ -z "$need" ] && exit 0

cmd="apt-get install -y --no-install-recommends$need"
if [ "$(id -u)" = 0 ]; then sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"
else
	echo "ioscope needs:$need" >&2
	echo "run: sudo apt-get update && sudo $cmd" >&2
	exit 1
fi
echo "installing:$need"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null || true
$sudo $cmd >/dev/null || { echo "failed: $sudo $cmd" >&2; exit 1; }
