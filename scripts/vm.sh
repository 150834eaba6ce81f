#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The x86_64 guest: build its kernel and initramfs, boot it under QEMU on an
# emulated VT-d machine (q35 + intel-iommu), and judge the run.
#
#   vm.sh kernel                 build build/vm/arch/x86/boot/bzImage
#   vm.sh initramfs              busybox + kselftests -> build/vm-initramfs.cpio
#   vm.sh run <topology> <mode>  boot vm/topologies/<topology>.topo;
#                                mode "test" (kselftests) or "demo"
#   vm.sh test                   run every topology in test mode
#
# TCG by default; ISOLATION_KVM=1 uses KVM.  A run fails on a failed test, a
# timeout, a panic, or a WARNING/BUG/KASAN/lockdep report on the console.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
setup_build_dir

out=$BUILD/vm
cpio=$BUILD/vm-initramfs.cpio
timeout_s=${ISOLATION_VM_TIMEOUT:-300}

kmake() { make -s -C "$src" O="$out" CC="ccache gcc" -j"$JOBS" "$@"; }

build_kernel() {
	src=$("$TOP/scripts/tree.sh")
	frag=$TOP/vm/kernel.config
	configure_kernel "$src" "$out" "$(cat "$frag")"
	missing=$(grep '^CONFIG_' "$frag" | while read -r l; do
		grep -qx "$l" "$out/.config" || echo "$l"; done)
	[ -z "$missing" ] || die "guest config lacks: $missing"
	msg "building the guest kernel in $out"
	kmake bzImage
	ls -l "$out/arch/x86/boot/bzImage" >&2
}

build_initramfs() {
	src=$(ksrc)
	root=$BUILD/vm-root
	rm -rf "$root"
	mkdir -p "$root/bin" "$root/selftests" "$root/usr/bin"
	cp /bin/busybox "$root/bin/busybox"
	cp "$TOP/vm/init.sh" "$root/init"
	for t in "$src"/tools/testing/selftests/isolation; do
		name=$(basename "$t")
		rm -rf "$BUILD/selftests/$name"
		mkdir -p "$BUILD/selftests/$name"
		CFLAGS=-Werror make -s -C "$t" OUTPUT="$BUILD/selftests/$name" \
			KHDR_INCLUDES= LDFLAGS=-static >&2
		find "$BUILD/selftests/$name" -maxdepth 1 -type f -executable \
			-exec cp {} "$root/selftests/" \;
	done
	if [ -x "$BUILD/tools/lsisolation" ]; then
		cp "$BUILD/tools/lsisolation" "$root/usr/bin/"
	fi
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --owner=0:0 --quiet) > "$cpio"
	ls -l "$cpio" >&2
}

# run <topology> <mode> <log>
run_vm() {
	local topo=$TOP/vm/topologies/$1.topo mode=$2 log=$3 accel
	[ -f "$topo" ] || die "no topology $1 (vm/topologies/$1.topo)"
	accel=(-accel tcg)
	[ "${ISOLATION_KVM:-0}" = 1 ] && accel=(-accel kvm -cpu host)
	mapfile -t topo_args < <(sed -e 's/#.*//' "$topo" | xargs -n1)
	local rc=0 t0=$(date +%s) extra=
	# The kselftests' companion module (lib/test_isolation.c) makes a group.
	[ "$mode" = test ] && extra=test_isolation.groups=1
	timeout --foreground "$timeout_s" qemu-system-x86_64 \
		-M q35 "${accel[@]}" -smp 2 -m 1G \
		-device intel-iommu \
		-nographic -no-reboot -nodefaults -serial stdio \
		-kernel "$out/arch/x86/boot/bzImage" -initrd "$cpio" \
		-append "console=ttyS0 intel_iommu=on panic=-1 oops=panic isomode=$mode $extra" \
		"${topo_args[@]}" < /dev/null > "$log" 2>&1 || rc=$?
	msg "guest $1 ($mode) ran $(( $(date +%s) - t0 ))s, log $log"
	if [ $rc = 124 ]; then
		tail -20 "$log" >&2
		die "guest $1: timeout after ${timeout_s}s"
	fi
	if grep -Eq "$KERNEL_LOG_BAD" "$log"; then
		grep -En -B2 -A20 "$KERNEL_LOG_BAD" "$log" | head -80 >&2
		die "guest $1: kernel reported a problem (see $log)"
	fi
	grep -q 'ISOLATION-VM-RESULT rc=0' "$log" || {
		tail -30 "$log" >&2
		die "guest $1: did not finish with rc=0 (qemu rc=$rc)"
	}
}

cmd=${1:-}
case "$cmd" in
kernel)		build_kernel ;;
initramfs)	build_initramfs ;;
run)
	[ $# = 3 ] || die "usage: vm.sh run <topology> test|demo"
	run_vm "$2" "$3" "$BUILD/vm-$2-$3.log"
	if [ "$3" = demo ]; then
		sed -n '/ISOLATION-DEMO-BEGIN/,/ISOLATION-DEMO-END/p' "$BUILD/vm-$2-$3.log" |
			sed '1d;$d' | tr -d '\r'
	fi
	;;
test)
	fail=0
	for t in "$TOP"/vm/topologies/*.topo; do
		name=$(basename "$t" .topo)
		log=$BUILD/vm-$name-test.log
		if ( run_vm "$name" test "$log" ); then
			status=ok
		else
			status=FAILED fail=1
		fi
		echo "== topology $name: $status"
		sed -n '/ISOLATION-TAP-BEGIN/,/ISOLATION-TAP-END/p' "$log" | sed '1d;$d' | tr -d '\r'
	done
	[ $fail = 0 ] || die "VM tests failed"
	;;
*)	die "usage: vm.sh kernel|initramfs|run <topology> <mode>|test" ;;
esac
