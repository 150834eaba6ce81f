# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the isolation-groups tooling; sourced, not run.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
# Build trees and the unpacked base live outside the clone so that a fresh
# clone reuses them (warm runs); build/ points there.
CACHE=${ISOLATION_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/isolation-groups}
export CCACHE_DIR=${CCACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ccache}
JOBS=${JOBS:-$(nproc)}

msg()  { printf '==> %s\n' "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }
loud() {
	printf '\n%s\n' "************************************************************************" >&2
	printf '*** %s\n' "$@" >&2
	printf '%s\n\n' "************************************************************************" >&2
}

pinned_pkg_version() { grep -v '^#' "$TOP/BASE" | grep -m1 .; }

# Upstream version (e.g. 6.12.117) of the installed linux-source-6.12,
# from its Debian version (6.12.117-1~deb12u1).
installed_kernel_version() {
	dpkg-query -W -f='${Version}' linux-source-6.12 | sed 's/-[^-]*$//'
}

ksrc() { cat "$BUILD/ksrc-path"; }

# Print elapsed time of a stage; used by make check.
stage_begin() { STAGE_NAME=$1; STAGE_T0=$(date +%s); msg "stage $1"; }
stage_end() { printf '==> stage %s took %ss\n' "$STAGE_NAME" $(( $(date +%s) - STAGE_T0 )) >&2; }

setup_build_dir() {
	mkdir -p "$CACHE" "$CCACHE_DIR"
	if [ ! -e "$BUILD" ]; then
		ln -s "$CACHE" "$BUILD"
	fi
}
