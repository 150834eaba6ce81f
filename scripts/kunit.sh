#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the isolation KUnit suites on UML through kunit.py, with the in-tree
# drivers/base/test/isolation/.kunitconfig (KASAN, lockdep, list and kobject-release
# debugging).  Fails on any failed test and on any KASAN, lockdep, WARNING or
# BUG report in the kernel log, and prints the KUnit summary.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=$("$TOP/scripts/tree.sh")
out=$BUILD/kunit

cd "$src"
rc=0
python3 tools/testing/kunit/kunit.py run \
	--kunitconfig=drivers/base/test/isolation \
	--build_dir="$out" --jobs="$JOBS" --timeout=600 \
	--make_options CC="ccache gcc" > "$BUILD/kunit.out" 2>&1 || rc=$?
# The summary: one line per suite and case, then the totals.
grep -E '^\[[0-9:]+\] (=+ |\[(PASSED|FAILED|SKIPPED|CRASHED)\]|Testing complete|Elapsed)' \
	"$BUILD/kunit.out" | sed 's/^\[[0-9:]*\] //' || true
if [ $rc != 0 ]; then
	tail -40 "$BUILD/kunit.out"
	die "kunit.py failed (rc=$rc); full output in $BUILD/kunit.out"
fi
log=$out/test.log
[ -s "$log" ] || die "no kernel log at $log"
if grep -Eq "$KERNEL_LOG_BAD" "$log"; then
	grep -En -B2 -A25 "$KERNEL_LOG_BAD" "$log" | head -100
	die "kernel log has a KASAN/lockdep/WARNING/BUG report ($log)"
fi
isolation_kunit_counts "$log" "UML"
