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

# make model-soak: only the manager model, with many seeds.
extra=()
if [ "${1:-}" = --model-soak ]; then
	seeds=$2 steps=$3 first=$4
	msg "model soak: $seeds seeds from $first, $steps steps each"
	extra=(--filter_glob='isolation-manager-model*'
	       --kernel_args="isolation_model_test.seeds=$seeds"
	       --kernel_args="isolation_model_test.steps=$steps"
	       --kernel_args="isolation_model_test.seed=$first"
	       --timeout=$(( 600 + seeds * steps / 100 )))
fi

cd "$src"
rc=0
python3 tools/testing/kunit/kunit.py run \
	--kunitconfig=drivers/base/test/isolation \
	--build_dir="$out" --jobs="$JOBS" --timeout=600 "${extra[@]}" \
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
if [ ${#extra[@]} = 0 ]; then
	isolation_kunit_counts "$log" "UML"
elif grep -Eq '^\s*not ok [0-9]+ mt_' "$log" || ! grep -Eq '^\s*ok [0-9]+ mt_' "$log"; then
	grep -A3 'model mismatch' "$log" | head -80
	die "model soak failed ($log)"
fi
grep -ho 'isolation-model: .*' "$log" | sed 's/^/    /' || die "no result of the manager model in $log"
