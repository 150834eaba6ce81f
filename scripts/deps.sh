#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make deps: install what the tooling needs from Debian's archive, reusing
# what is there.  The base is linux-source-6.12 at the version pinned in
# BASE; if the archive no longer has that version, fall back loudly to the
# newest 6.12.y it has (or to the one installed).  Every failure says which
# package it wanted.  scripts/test-deps.sh runs this against stubbed
# dpkg-query/apt-get, the way a fresh machine sees it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PKGS="build-essential flex bison bc libelf-dev libssl-dev cpio busybox-static
      sparse ccache qemu-system-x86 python3 git xz-utils rsync kmod perl
      gawk libc6-dev python3-ply python3-git driverctl"
want=$(pinned_pkg_version)
[ -n "$want" ] || die "BASE names no package version"

missing=""
for p in $PKGS; do
	[ -n "$(installed_pkg_version "$p")" ] || missing="$missing $p"
done
have_src=$(installed_pkg_version linux-source-6.12)

is_root() { [ "$(id -u)" = 0 ]; }

# apt_install <package>...: install them, refreshing the package lists once
# if the first attempt fails (a fresh machine may have none).  Says which
# packages it could not get; returns non-zero then.
lists_updated=0
apt_install() {
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y --no-install-recommends "$@" && return 0
	if [ $lists_updated = 0 ]; then
		lists_updated=1
		msg "apt-get install $* failed; updating the package lists and retrying"
		if apt-get update; then
			apt-get install -y --no-install-recommends "$@" && return 0
		else
			printf 'error: apt-get update failed\n' >&2
		fi
	fi
	printf 'error: apt-get could not install: %s\n' "$*" >&2
	return 1
}

if [ -n "$missing" ]; then
	is_root || die "missing packages:$missing (run as root or install them)"
	msg "installing:$missing"
	# shellcheck disable=SC2086 # one word per package
	apt_install $missing || die "cannot install the packages:$missing"
fi

if [ "$have_src" != "$want" ]; then
	if ! is_root; then
		[ -n "$have_src" ] ||
			die "linux-source-6.12=$want is not installed (run as root or install it)"
		loud "pinned base linux-source-6.12=$want is not installed;" \
		     "FALLING BACK to the installed linux-source-6.12=$have_src"
	elif msg "installing linux-source-6.12=$want (the pinned base)" &&
	     apt_install "linux-source-6.12=$want"; then
		have_src=$want
	elif [ -n "$have_src" ]; then
		loud "pinned base linux-source-6.12=$want is not available;" \
		     "FALLING BACK to the installed linux-source-6.12=$have_src"
	elif apt_install linux-source-6.12; then
		have_src=$(installed_pkg_version linux-source-6.12)
		[ -n "$have_src" ] || die "apt-get installed linux-source-6.12 but dpkg does not list it"
		loud "pinned base linux-source-6.12=$want is not available;" \
		     "FALLING BACK to linux-source-6.12=$have_src from the archive"
	else
		die "cannot install linux-source-6.12 (pinned $want, nor any other version)"
	fi
fi
[ -f "$SRC_TARBALL" ] ||
	die "linux-source-6.12=$have_src is installed but $SRC_TARBALL is missing"
mkdir -p "$CACHE"
echo "$have_src" > "$CACHE/deps-ok"
msg "dependencies present (base linux-source-6.12=$have_src)"
