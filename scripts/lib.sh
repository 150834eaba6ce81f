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

# No script of ours stops without saying why: under "set -e" a failing
# command ends the script, so report that command and where it was.  errtrace
# makes functions, command substitutions and subshells report too (each
# level says where it was, innermost first).
on_err() { # <status> <command> <file> <line>
	printf 'error: %s:%s: "%s" failed (exit %s)\n' \
		"${3#"$TOP"/}" "$4" "$2" "$1" >&2
}
set -o errtrace
trap 'on_err $? "$BASH_COMMAND" "${BASH_SOURCE[0]}" "$LINENO"' ERR
loud() {
	printf '\n%s\n' "************************************************************************" >&2
	printf '*** %s\n' "$@" >&2
	printf '%s\n\n' "************************************************************************" >&2
}

pinned_pkg_version() { grep -v '^#' "$TOP/BASE" | grep -m1 .; }

# The source tarball that linux-source-6.12 installs.
SRC_TARBALL=${ISOLATION_SRC_TARBALL:-/usr/src/linux-source-6.12.tar.xz}

# installed_pkg_version <package>: its Debian version if it is installed,
# nothing (and status 0) if it is not: dpkg-query fails for a package it has
# never seen, which must not end a "set -e" script.
installed_pkg_version() {
	local out
	out=$(dpkg-query -W -f='${Status} ${Version}\n' "$1" 2>/dev/null) || return 0
	printf '%s\n' "$out" | sed -n 's/^install ok installed //p'
}

# Upstream version (e.g. 6.12.117) of the installed linux-source-6.12,
# from its Debian version (6.12.117-1~deb12u1).
installed_kernel_version() {
	local v
	v=$(installed_pkg_version linux-source-6.12)
	[ -n "$v" ] || die "linux-source-6.12 is not installed; run make deps"
	echo "${v%-*}"
}

# The kernel tree.  The path may have been written by another clone sharing
# the cache (CI), so fall back to the same tree under this clone's build/.
ksrc() {
	local p
	p=$(cat "$BUILD/ksrc-path")
	[ -d "$p" ] || p=$BUILD/$(basename "$p")
	echo "$p"
}

# Kernel log lines that fail a run (KUnit or guest), whatever the tests said.
KERNEL_LOG_BAD='(WARNING:|BUG:|KASAN|Kernel panic|Oops|general protection fault|UBSAN|Call Trace:|INFO: (possible|trying|task .* blocked)|possible circular locking|inconsistent lock state|sysfs: cannot create duplicate)'

# isolation_kunit_counts <kernel log> <where>: count the isolation KUnit
# cases of the log, say so, print the fault sweeps' counts, and fail unless
# both suites ran and none failed or skipped.
isolation_kunit_counts() {
	local log=$1 where=$2 core mgr model pci bad skipped sweeps
	core=$(grep -E '^\s*ok [0-9]+ iso_' "$log" | grep -vc '# SKIP' || true)
	mgr=$(grep -E '^\s*ok [0-9]+ im_' "$log" | grep -vc '# SKIP' || true)
	model=$(grep -E '^\s*ok [0-9]+ mt_' "$log" | grep -vc '# SKIP' || true)
	pci=$(grep -E '^\s*ok [0-9]+ ipr_' "$log" | grep -vc '# SKIP' || true)
	bad=$(grep -Ec '^\s*not ok [0-9]+ (iso|im|mt|ipr)_' "$log" || true)
	skipped=$(grep -E '^\s*ok [0-9]+ (iso|im|mt|ipr)_' "$log" | grep -c '# SKIP' || true)
	sweeps=$(grep -o 'fault sweep: .*' "$log" | sort -u || true)
	msg "$where: isolation KUnit cases passed: $core core, $mgr manager, $model model, $pci PCI rules; $bad failed; $skipped skipped; kernel log clean"
	[ -z "$sweeps" ] || printf '%s\n' "$sweeps" | sed 's/^fault sweep: /    fault sweep (KUnit): /'
	[ "$skipped" = 0 ] || die "$where: isolation KUnit cases skipped: $(grep -E '^\s*ok [0-9]+ (iso|im|mt|ipr)_.*# SKIP' "$log" | tr -s ' ' | head -5)"
	[ "$bad" = 0 ] && [ "$core" -gt 0 ] && [ "$mgr" -gt 0 ] && [ "$model" -gt 0 ] &&
		[ "$pci" -gt 0 ] ||
		die "$where: isolation KUnit cases failed or did not run"
	[ "$(printf '%s\n' "$sweeps" | grep -c .)" -ge 9 ] ||
		die "$where: the 9 fault sweeps did not all report"
}

# The config of the static checks and the bisect builds: the guest's, plus
# KUnit with our tests and benchmarks.
guest_kunit_fragment() {
	local l
	cat "$TOP/vm/kernel.config"
	for l in CONFIG_KUNIT=y CONFIG_ISOLATION_GROUPS_KUNIT_TEST=y \
		 CONFIG_ISOLATION_GROUPS_KUNIT_BENCH=y; do
		grep -qx "$l" "$TOP/vm/kernel.config" || echo "$l"
	done
}

# configure_kernel <src> <out> <fragment>: allnoconfig plus the fragment
# (text) in build tree <out>, redone only when the fragment changed or one
# of its lines is missing from the .config.
configure_kernel() {
	local src=$1 out=$2 frag=$3 line
	mkdir -p "$out"
	if [ -f "$out/.config" ] && cmp -s <(printf '%s\n' "$frag") "$out/.fragment"; then
		while read -r line; do
			case "$line" in CONFIG_*) grep -qx "$line" "$out/.config" || break ;; esac
		done <<< "$frag"
		[ -n "$line" ] || return 0
	fi
	make -s -C "$src" O="$out" allnoconfig
	printf '%s\n' "$frag" > "$out/.fragment.config"
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" \
		"$out/.fragment.config" >/dev/null
	make -s -C "$src" O="$out" olddefconfig
	printf '%s\n' "$frag" > "$out/.fragment"
}

setup_build_dir() {
	mkdir -p "$CACHE" "$CCACHE_DIR"
	if [ ! -e "$BUILD" ]; then
		ln -s "$CACHE" "$BUILD"
	fi
}
