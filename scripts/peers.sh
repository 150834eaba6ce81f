#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make peers: the suites of the code the series touches, as regression gates.
# Each runs on the unpatched base and with the series (CONFIG_ISOLATION_GROUPS
# =y), and every case that passes on the base must pass with the series.
#
#   KUnit on UML: the driver core's (drivers/base/test: root-device,
#     platform-device-devm, property-entry), lib/kunit's device and
#     platform tests (kunit-test.c, platform-test.c), and pm-qos.
#   kselftest in the x86_64 guest: tools/testing/selftests/iommu (iommufd
#     and iommufd_fail_nth, with CONFIG_IOMMUFD_TEST's mock IOMMU), on the
#     guest kernel of the series and on the same config built from the base.
#
# The base's results are kept in the build cache, keyed by what produced
# them; the base changes only with the pinned version.
#
#   peers.sh [--guest-built]   the suites (make check has built the guest)
#   peers.sh --base-kernel     only build the base's guest kernel (if it is
#                              not up to date) and print its path: what
#                              scripts/fuzz-topologies.sh boots
set -euo pipefail
. "$(dirname "$0")/lib.sh"
setup_build_dir

if [ "${1:-}" = --base-kernel ] &&
   src=$(ksrc 2>/dev/null) && git -C "$src" rev-parse -q --verify refs/tags/base >/dev/null; then
	# The base is the tree's "base" tag, which never moves: no need to
	# bring the series in the tree up to date (tree.sh) for it.
	:
else
	src=$("$TOP/scripts/tree.sh")
fi
base=$BUILD/linux-base

# The unpatched base, from the kernel tree's "base" tag.
base_rev=$(git -C "$src" rev-parse base)
if [ "$(cat "$base/.isolation-base" 2>/dev/null)" != "$base_rev" ]; then
	msg "extracting the unpatched base into $base"
	rm -rf "$base"
	mkdir -p "$base"
	git -C "$src" archive base | tar -x -C "$base"
	echo "$base_rev" > "$base/.isolation-base"
fi

# The base's guest kernel: the guest's config (vm/kernel.config) without the
# series' options, in $bout.
bout=$BUILD/vm-base
bfrag=$(grep -v 'ISOLATION' "$TOP/vm/kernel.config")
build_base_kernel() {
	configure_kernel "$base" "$bout" "$bfrag"
	msg "building the unpatched base's guest kernel in $bout"
	make -s -C "$base" O="$bout" CC="ccache gcc" -j"$JOBS" bzImage
}
if [ "${1:-}" = --base-kernel ]; then
	build_base_kernel >&2
	echo "$bout/arch/x86/boot/bzImage"
	exit 0
fi

PEERS_KUNIT='CONFIG_KUNIT=y
CONFIG_KUNIT_TEST=y
CONFIG_DM_KUNIT_TEST=y
CONFIG_DRIVER_PE_KUNIT_TEST=y
CONFIG_PM=y
CONFIG_PM_QOS_KUNIT_TEST=y
CONFIG_DEBUG_FS=y
# CONFIG_UML_PCI_OVER_VIRTIO is not set'

# kunit_peers <tree> <build dir> <extra config lines> <json out>
kunit_peers() {
	local tree=$1 out=$2 extra=$3 json=$4 cfg rc=0
	cfg=$out.kunitconfig
	mkdir -p "$out"
	printf '%s\n%s\n' "$PEERS_KUNIT" "$extra" > "$cfg"
	(cd "$tree" && python3 tools/testing/kunit/kunit.py run \
		--kunitconfig="$cfg" --build_dir="$out" --jobs="$JOBS" \
		--timeout=900 --json="$json" \
		--make_options CC="ccache gcc") > "$out.out" 2>&1 || rc=$?
	# Failed cases are judged against the base, not here; a build
	# failure or a run that did not complete is.
	if [ ! -s "$json" ] || ! grep -q 'Testing complete' "$out.out"; then
		tail -30 "$out.out" >&2
		die "KUnit peers in $tree did not complete (rc=$rc, $out.out)"
	fi
	# Some cases provoke reports on purpose (kunit_platform_device's
	# duplicate name): they are compared with the base's below.
	reports "$out/test.log" > "$json.reports"
}

# reports <log>: the kernel's report lines (WARNING, BUG, KASAN, lockdep,
# duplicate sysfs names...), without timestamps or addresses, sorted.
reports() {
	tr -d '\r' < "$1" | grep -Eo "$KERNEL_LOG_BAD.*" |
		sed -E 's/^\[ *[0-9.]+\] //; s/0x[0-9a-f]+/ADDR/g; s/\[<[0-9a-f]+>\]//g' |
		grep -v '^Call Trace:' | LC_ALL=C sort -u || true
}

# new_reports <what> <base reports> <series reports>: fail on a report the
# series' run has and the base's has not.
new_reports() {
	local new
	new=$(comm -13 "$2" "$3")
	[ -z "$new" ] || die "$1: kernel reports that the base does not have:
$new"
}

# kunit_cases <json>: "suite/case STATUS" for every case, sorted.
kunit_cases() {
	python3 - "$1" <<'PY'
import json, sys
def walk(group, path):
    for case in group.get("test_cases", []):
        print("%s%s %s" % (path + "/" if path else "", case["name"], case["status"]))
    for sub in group.get("sub_groups", []):
        walk(sub, (path + "/" if path else "") + sub["name"])
walk(json.load(open(sys.argv[1])), "")
PY
}

# tap_cases <log>: "suite/case STATUS" for the kselftest TAP of a guest log.
tap_cases() {
	tr -d '\r' < "$1" | sed -n '/ISOLATION-TAP-BEGIN/,/ISOLATION-TAP-END/p' |
	awk '/^# peer suite: / { suite = $4; next }
	     /^(not )?ok [0-9]+ / {
		st = ($1 == "ok") ? "PASS" : "FAIL"
		line = $0
		if (line ~ /# SKIP/) st = "SKIP"
		sub(/^(not )?ok [0-9]+ /, "", line)
		sub(/ # .*$/, "", line)
		print suite "/" line " " st
	     }' | LC_ALL=C sort
}

# compare <what> <base cases> <series cases>: every case passing on the
# base passes with the series; print the counts.
compare() {
	local what=$1 b=$2 s=$3 pass_b pass_s total lost
	pass_b=$(grep -c ' PASS$' "$b" || true)
	pass_s=$(grep -c ' PASS$' "$s" || true)
	total=$(wc -l < "$s")
	lost=$(comm -23 <(grep ' PASS$' "$b" | LC_ALL=C sort) \
			<(grep ' PASS$' "$s" | LC_ALL=C sort) || true)
	msg "$what: $pass_s of $total cases pass with the series; $pass_b pass on the base"
	grep -v ' PASS$' "$s" | sed 's/^/    not passing with the series (nor on the base): /' || true
	[ "$pass_b" -gt 0 ] || die "$what: nothing passed on the base"
	if [ -n "$lost" ]; then
		printf '    passes on the base, not with the series: %s\n' $lost >&2
		die "$what: the series breaks cases that pass on the base"
	fi
}

# KUnit, both trees.
key=$(printf '%s' "$PEERS_KUNIT" | sha1sum | cut -c1-12)
bjson=$BUILD/peers-kunit-base-$base_rev-$key.json
if [ ! -s "$bjson" ]; then
	msg "KUnit peers on the unpatched base"
	kunit_peers "$base" "$BUILD/kunit-peers-base" "" "$bjson.tmp"
	mv "$bjson.tmp.reports" "$bjson.reports"
	mv "$bjson.tmp" "$bjson"
fi
msg "KUnit peers with the series"
sjson=$BUILD/peers-kunit-series.json
rm -f "$sjson"
kunit_peers "$src" "$BUILD/kunit-peers" "CONFIG_ISOLATION_GROUPS=y" "$sjson"
kunit_cases "$bjson" > "$BUILD/peers-kunit-base.cases"
kunit_cases "$sjson" > "$BUILD/peers-kunit-series.cases"
compare "KUnit peers (UML)" "$BUILD/peers-kunit-base.cases" "$BUILD/peers-kunit-series.cases"
new_reports "KUnit peers (UML)" "$bjson.reports" "$sjson.reports"
for s in $(cut -d" " -f1 "$BUILD/peers-kunit-series.cases" | grep / | cut -d/ -f1 | sort -u); do
	printf '    %-24s %s passed\n' "$s" "$(grep -c "^$s/.* PASS$" "$BUILD/peers-kunit-series.cases" || true)"
done

# iommufd selftests in the guest: the series' kernel, and the base's.
# make check has built the guest already (--guest-built).
if [ "${1:-}" != --guest-built ]; then
	"$TOP/scripts/vm.sh" kernel
	"$TOP/scripts/vm.sh" initramfs
fi
bkey=$(printf '%s' "$bfrag" | sha1sum | cut -c1-12)
blog=$BUILD/peers-iommufd-base-$base_rev-$bkey.log
if [ ! -s "$blog" ]; then
	build_base_kernel
	VM_KERNEL=$bout/arch/x86/boot/bzImage "$TOP/scripts/vm.sh" peers "$blog.tmp"
	mv "$blog.tmp" "$blog"
fi
slog=$BUILD/peers-iommufd-series.log
"$TOP/scripts/vm.sh" peers "$slog"
tap_cases "$blog" > "$BUILD/peers-iommufd-base.cases"
tap_cases "$slog" > "$BUILD/peers-iommufd-series.cases"
compare "iommufd selftests (guest)" "$BUILD/peers-iommufd-base.cases" "$BUILD/peers-iommufd-series.cases"
for s in iommufd iommufd_fail_nth; do
	printf '    %-24s %s passed\n' "$s" "$(grep -c "^$s/.* PASS$" "$BUILD/peers-iommufd-series.cases" || true)"
done
