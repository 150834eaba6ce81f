#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Static gates, each of which must find nothing:
#   - checkpatch.pl --strict on every patch of the mailed series (make series)
#     and, with -f, on every new C file and header;
#   - kernel-doc -Wall -none on our C files and header;
#   - sparse (C=2) and W=1 on our objects, in an x86_64 tree configured like
#     the guest plus KUnit, so that the tests are checked too.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=$("$TOP/scripts/tree.sh")
# checkpatch's SPDX check runs scripts/spdxcheck.py with "python3", which
# must be Debian's (python3-ply, python3-git), not some other in PATH.
export PATH=/usr/bin:/bin:$PATH
fail=0
report() { # <what> <output>
	if [ -n "$2" ]; then
		printf '%s\n' "$2"
		printf '*** %s: findings above\n' "$1"
		fail=1
	else
		printf '%s: clean\n' "$1"
	fi
}

cfiles=$(cd "$TOP" && git ls-files --cached --others --exclude-standard \
	 drivers include lib tools | grep -E '\.[ch]$')

# checkpatch on the series as mailed
[ -d "$BUILD/series" ] || "$TOP/scripts/series.sh" >/dev/null
for p in "$BUILD"/series/*.patch; do
	case "$p" in *0000-cover-letter.patch) continue ;; esac
	o=$(cd "$src" && ./scripts/checkpatch.pl --strict --no-summary --quiet \
		--show-types "$p" 2>&1 || true)
	report "checkpatch --strict $(basename "$p")" "$o"
done
# checkpatch -f on the new files.  UNDOCUMENTED_SETUP looks for the
# parameter only among the lines a patch adds to kernel-parameters.txt, so
# with -f it flags every __setup(); the pass over the patches above, where
# patch 1 documents fail_isolation=, keeps that check.
for f in $cfiles; do
	o=$(cd "$src" && ./scripts/checkpatch.pl --strict --no-summary --quiet \
		--show-types --ignore UNDOCUMENTED_SETUP -f "$f" 2>&1 || true)
	report "checkpatch --strict -f $f" "$o"
done

# kernel-doc
kfiles=$(echo "$cfiles" | grep -v '^tools/')
o=$(cd "$src" && ./scripts/kernel-doc -Wall -none $kfiles 2>&1 || true)
report "kernel-doc -Wall -none" "$o"

# sparse and W=1, on x86_64 with the guest's config plus KUnit
out=$BUILD/static
configure_kernel "$src" "$out" "$(guest_kunit_fragment)"
objs=$(echo "$kfiles" | grep '\.c$' | sed 's/\.c$/.o/')
# Compile them every time: W=1 speaks only when an object is built.
(cd "$out" && rm -f $objs)
# --no-print-directory: under "make -C <clone> check" the sub-makes would
# announce each directory, and every line here counts as a finding.
o=$(make -s --no-print-directory -C "$src" O="$out" CC="ccache gcc" -j"$JOBS" \
	C=2 W=1 $objs 2>&1 | grep -v '^  CHECK' || true)
report "sparse (C=2) and W=1 on $(echo $objs)" "$o"

# lsisolation builds warning-free both ways its header promises
mkdir -p "$BUILD/static-tools"
o=$(make -s --no-print-directory -C "$src/tools/isolation" OUTPUT="$BUILD/static-tools/" \
	CFLAGS=-Werror 2>&1 && rm -rf "$BUILD/static-tools" || true)
report "make -C tools/isolation (-Werror)" "$o"
o=$(gcc -static -O2 -Wall -Wextra -Werror -o /dev/null \
	"$src/tools/isolation/lsisolation.c" 2>&1 || true)
report "gcc -static lsisolation.c (-Wall -Wextra -Werror)" "$o"

[ $fail = 0 ] || die "static gates found problems"
