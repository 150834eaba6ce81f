#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install what the tooling needs from Debian's archive, reusing what is there.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PKGS="build-essential flex bison bc libelf-dev libssl-dev cpio busybox-static
      sparse ccache qemu-system-x86 python3 git xz-utils rsync kmod perl
      gawk libc6-dev python3-ply python3-git"
stamp=$CACHE/deps-ok
want=$(pinned_pkg_version)

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
have_src=$(dpkg-query -W -f='${Status} ${Version}' linux-source-6.12 2>/dev/null |
	   sed -n 's/^install ok installed //p')

apt_install() {
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y --no-install-recommends "$@" ||
		{ apt-get update && apt-get install -y --no-install-recommends "$@"; }
}

if [ -n "$missing" ]; then
	[ "$(id -u)" = 0 ] || die "missing packages:$missing (run as root or install them)"
	msg "installing:$missing"
	apt_install $missing
fi

if [ "$have_src" != "$want" ]; then
	if [ "$(id -u)" = 0 ] && apt_install "linux-source-6.12=$want"; then
		have_src=$want
	elif [ -n "$have_src" ]; then
		loud "pinned base linux-source-6.12=$want is not available;" \
		     "FALLING BACK to the installed linux-source-6.12=$have_src"
	elif [ "$(id -u)" = 0 ] && apt_install linux-source-6.12; then
		have_src=$(dpkg-query -W -f='${Version}' linux-source-6.12)
		loud "pinned base linux-source-6.12=$want is not available;" \
		     "FALLING BACK to linux-source-6.12=$have_src from the archive"
	else
		die "cannot install linux-source-6.12 (pinned $want)"
	fi
fi
[ -f /usr/src/linux-source-6.12.tar.xz ] || die "/usr/src/linux-source-6.12.tar.xz missing"
mkdir -p "$CACHE"
echo "$have_src" > "$stamp"
