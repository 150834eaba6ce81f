#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make test-deps: run "make deps" the way a fresh machine sees it.  dpkg-query
# and apt-get are stubs on PATH over a throw-away package database; each case
# checks what deps.sh asked apt-get for, its exit status and its message:
#   fresh      nothing installed, archive works: everything requested, the
#              base at the pinned version
#   no-archive archive unreachable: non-zero, the message names the package
#   pin-gone   pinned version gone: falls back loudly to the archive's 6.12.y
#   pin-gone-installed  pinned version gone, an older one installed: uses it
#   present    everything installed: apt-get is not run at all
#   not-root   packages missing, not root: non-zero, names them, no apt-get
# and that a failing command in a script of ours says what failed and where.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
want=$(pinned_pkg_version)
newest=6.12.999-1~deb12u1
pkgs=$(sed -n '/^PKGS="/,/"$/p' "$TOP/scripts/deps.sh" | tr -d '"' | sed 's/^PKGS=//')
[ -n "$pkgs" ] || die "cannot read PKGS from scripts/deps.sh"

mkdir "$tmp/bin"
# dpkg-query -W -f=<format> <package>: from $FAKE_DB/<package>.
cat > "$tmp/bin/dpkg-query" <<'STUB'
#!/bin/bash
fmt= pkg=
for a in "$@"; do
	case "$a" in -f=*) fmt=${a#-f=} ;; -W) ;; *) pkg=$a ;; esac
done
if [ ! -f "$FAKE_DB/$pkg" ]; then
	echo "dpkg-query: no packages found matching $pkg" >&2
	exit 1
fi
v=$(cat "$FAKE_DB/$pkg")
fmt=${fmt//'${Status}'/install ok installed}
fmt=${fmt//'${Version}'/$v}
printf "$fmt"
STUB
# apt-get: logs its arguments; $FAKE_APT says what the archive has:
#   ok       every package, linux-source-6.12 at $FAKE_PINNED
#   fail     nothing (unreachable)
#   nopin    every package, linux-source-6.12 only at $FAKE_NEWEST
cat > "$tmp/bin/apt-get" <<'STUB'
#!/bin/bash
echo "apt-get $*" >> "$FAKE_LOG"
[ "$1" = update ] && { [ "$FAKE_APT" != fail ]; exit; }
[ "$FAKE_APT" = fail ] && { echo "E: Unable to locate package $*" >&2; exit 100; }
for a in "$@"; do
	case "$a" in
	-*|install) continue ;;
	linux-source-6.12=*)
		v=${a#*=}
		if [ "$FAKE_APT" = nopin ] && [ "$v" != "$FAKE_NEWEST" ]; then
			echo "E: Version '$v' for 'linux-source-6.12' was not found" >&2
			exit 100
		fi ;;
	esac
done
for a in "$@"; do
	case "$a" in
	-*|install) ;;
	linux-source-6.12=*) echo "${a#*=}" > "$FAKE_DB/linux-source-6.12"; : > "$ISOLATION_SRC_TARBALL" ;;
	linux-source-6.12)
		v=$FAKE_PINNED; [ "$FAKE_APT" = nopin ] && v=$FAKE_NEWEST
		echo "$v" > "$FAKE_DB/linux-source-6.12"; : > "$ISOLATION_SRC_TARBALL" ;;
	*)	echo 1.0 > "$FAKE_DB/$a" ;;
	esac
done
STUB
# id -u: root unless $FAKE_UID says otherwise.
cat > "$tmp/bin/id" <<'STUB'
#!/bin/bash
[ "$1" = -u ] && [ -n "$FAKE_UID" ] && { echo "$FAKE_UID"; exit 0; }
exec /usr/bin/id "$@"
STUB
chmod +x "$tmp/bin/"*

fails=0 n=0
ok()   { n=$((n + 1)); echo "ok $n $*"; }
fail() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n $*"; }
check() { # <description> <command...>
	if "$@"; then ok "$case_name: $desc"; else fail "$case_name: $desc"; sed 's/^/#   /' "$tmp/out"; fi
}

# run_case <name> <apt mode> <installed: all|none|base:<ver>|others> [uid]
run_case() {
	case_name=$1
	local db=$tmp/$1
	rm -rf "$db" && mkdir -p "$db/db" "$db/cache"
	: > "$db/apt.log"
	case "$3" in
	all)	for p in $pkgs; do echo 1.0 > "$db/db/$p"; done
		echo "$want" > "$db/db/linux-source-6.12"; : > "$db/src.tar.xz" ;;
	others)	for p in $pkgs; do echo 1.0 > "$db/db/$p"; done ;;
	base:*)	for p in $pkgs; do echo 1.0 > "$db/db/$p"; done
		echo "${3#base:}" > "$db/db/linux-source-6.12"; : > "$db/src.tar.xz" ;;
	none)	;;
	esac
	rc=0
	env PATH="$tmp/bin:$PATH" FAKE_DB="$db/db" FAKE_LOG="$db/apt.log" \
		FAKE_APT="$2" FAKE_PINNED="$want" FAKE_NEWEST="$newest" \
		FAKE_UID="${4:-}" ISOLATION_CACHE="$db/cache" \
		ISOLATION_SRC_TARBALL="$db/src.tar.xz" \
		make -s -C "$TOP" deps > "$tmp/out" 2>&1 || rc=$?
	log=$db/apt.log stamp=$db/cache/deps-ok
}
asked() { grep -qxF -- "$1" "$log"; }          # apt-get was run exactly so
said()  { grep -qF -- "$1" "$tmp/out"; }

run_case fresh ok none
desc="exit 0";				check test $rc = 0
desc="asks apt for every package";	check asked "apt-get install -y --no-install-recommends $(echo $pkgs)"
desc="asks apt for the pinned base";	check asked "apt-get install -y --no-install-recommends linux-source-6.12=$want"
desc="records the pinned base";		check grep -qxF "$want" "$stamp"
desc="no fallback banner";		check bash -c "! grep -q FALLING '$tmp/out'"

run_case no-archive fail others
desc="exit non-zero";			check test $rc != 0
desc="tried the pinned base";		check asked "apt-get install -y --no-install-recommends linux-source-6.12=$want"
desc="updated the lists once";		check test "$(grep -c 'apt-get update' "$log")" = 1
desc="names the package";		check said "error: cannot install linux-source-6.12 (pinned $want"
desc="names apt-get's failure";		check said "error: apt-get could not install: linux-source-6.12=$want"
desc="records nothing";			check test ! -e "$stamp"

run_case no-archive-fresh fail none
desc="exit non-zero";			check test $rc != 0
desc="names the packages";		check said "error: cannot install the packages: $(echo $pkgs)"
desc="stops before the base";		check bash -c "! grep -q linux-source '$log'"

run_case pin-gone nopin others
desc="exit 0";				check test $rc = 0
desc="tried the pinned base first";	check asked "apt-get install -y --no-install-recommends linux-source-6.12=$want"
desc="then any 6.12.y";			check asked "apt-get install -y --no-install-recommends linux-source-6.12"
desc="says it falls back, and to what";	check said "FALLING BACK to linux-source-6.12=$newest from the archive"
desc="records the fallback";		check grep -qxF "$newest" "$stamp"

run_case pin-gone-installed nopin base:6.12.100-1~deb12u1
desc="exit 0";				check test $rc = 0
desc="says it uses the installed one";	check said "FALLING BACK to the installed linux-source-6.12=6.12.100-1~deb12u1"
desc="does not replace it";		check bash -c "! grep -qx 'apt-get install -y --no-install-recommends linux-source-6.12' '$log'"
desc="records it";			check grep -qxF 6.12.100-1~deb12u1 "$stamp"

run_case present ok all
desc="exit 0";				check test $rc = 0
desc="runs no apt-get";			check test ! -s "$log"
desc="records the pinned base";		check grep -qxF "$want" "$stamp"

run_case not-root ok none 1000
desc="exit non-zero";			check test $rc != 0
desc="names the missing packages";	check said "error: missing packages: $(echo $pkgs) (run as root"
desc="runs no apt-get";			check test ! -s "$log"

# A failing command under set -e: the ERR trap names it and its place.
case_name=err-trap
rc=0
(cd "$tmp" && printf '%s\n' 'set -euo pipefail' ". '$TOP/scripts/lib.sh'" \
	'f() { false; }' 'x=$(f)' 'echo unreachable' > t.sh && bash t.sh) > "$tmp/out" 2>&1 || rc=$?
desc="exit non-zero";			check test $rc != 0
desc="names command and line";		check said 't.sh:3: "false" failed (exit 1)'
desc="stops there";			check bash -c "! grep -q unreachable '$tmp/out'"

echo "# deps test: $((n - fails)) of $n checks passed"
[ $fails = 0 ] || die "make deps misbehaves on a fresh machine (see above)"
