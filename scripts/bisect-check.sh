#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every patch of the series must build: check out each prefix of the series
# in a separate worktree and build it incrementally, x86_64 with the guest's
# config plus KUnit (so the core, its tests and the driver-core hooks are all
# compiled), and the kselftests.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=$("$TOP/scripts/tree.sh")
wt=$BUILD/bisect
out=$BUILD/bisect-out
if ! git -C "$wt" rev-parse -q --verify HEAD >/dev/null 2>&1; then
	rm -rf "$wt"
	git -C "$src" worktree prune
	git -C "$src" worktree add -q --detach "$wt" base
fi
frag=$(guest_kunit_fragment)
n=0
for c in $(git -C "$src" rev-list --reverse base..series); do
	n=$((n + 1))
	git -C "$wt" checkout -q -f --detach "$c"
	subj=$(git -C "$wt" log -1 --format=%s)
	msg "patch $n: $subj"
	configure_kernel "$wt" "$out" "$frag"
	make -s -C "$wt" O="$out" CC="ccache gcc" -j"$JOBS" vmlinux ||
		die "patch $n ($subj) does not build"
	if [ -d "$wt/tools/testing/selftests/isolation" ]; then
		rm -rf "$out/selftests"
		mkdir -p "$out/selftests"
		CFLAGS=-Werror make -s -C "$wt/tools/testing/selftests/isolation" \
			OUTPUT="$out/selftests" KHDR_INCLUDES= ||
			die "patch $n ($subj): selftests do not build"
	fi
done
msg "all $n patches build"
