#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: the isolation group benchmarks (KUnit cases in
# drivers/base/test/isolation/isolation-bench.c) on UML, built without
# debugging options, then drivers/iommu/isolation-pci-bench.c in a guest
# (vm.sh bench).  Prints the "isolation-bench: <name> <value>" lines;
# fails only if the cases cannot run, never on speed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$TOP/scripts/deps.sh"
src=$("$TOP/scripts/tree.sh")
out=$BUILD/kunit-bench
cd "$src"
rc=0
python3 tools/testing/kunit/kunit.py run \
	--kunitconfig=drivers/base/test/isolation/bench.kunitconfig \
	--build_dir="$out" --jobs="$JOBS" --timeout=1800 \
	--make_options CC="ccache gcc" > "$BUILD/bench.out" 2>&1 || rc=$?
if [ $rc != 0 ]; then
	tail -40 "$BUILD/bench.out"
	die "benchmark run failed (rc=$rc); full output in $BUILD/bench.out"
fi
grep -E '^isolation-bench: [a-z0-9_]+ [0-9.]+$' "$out/test.log" ||
	die "no isolation-bench lines in $out/test.log"

# The PCI grouping benchmark, in a guest on real (emulated) PCI devices;
# the guest's initramfs comes from the test guest's build.
"$TOP/scripts/vm.sh" kernel
"$TOP/scripts/vm.sh" initramfs
"$TOP/scripts/vm.sh" bench
