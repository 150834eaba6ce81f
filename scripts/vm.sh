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
#   vm.sh partition <name> <topology file> <log>
#                                print the partitions into IOMMU groups and
#                                isolation groups in every hot-plug phase
#                                (scripts/fuzz-topologies.sh); VM_KERNEL=
#                                <bzImage> boots another kernel
#   vm.sh test                   run every topology in test mode, under
#                                VT-d and under AMD-Vi
#   vm.sh kunit                  the isolation KUnit suites, built into the
#                                guest kernel, on 4 vCPUs (KASAN, lockdep)
#   vm.sh bench                  the PCI grouping benchmark, on a guest
#                                kernel without debugging, 262 functions
#   vm.sh model                  the sysfs-level manager model on the vfio
#                                topology: SEED= (first), SEEDS=, STEPS=
#   vm.sh peers <log>            the iommufd selftests (scripts/peers.sh);
#                                VM_KERNEL=<bzImage> boots another kernel
#
# ISOLATION_IOMMU=intel (the default) boots on VT-d (-device intel-iommu),
# ISOLATION_IOMMU=amd on AMD-Vi (-device amd-iommu, placed after the
# topology's devices so that it takes a free slot).  AMD-Vi guests boot
# with iommu.passthrough=1: QEMU 7.2's AMD-Vi emulation loses the DMA of
# devices behind root ports in translated domains (an NVMe there times out
# at probe), and the groups do not depend on the default domain type; an
# NVMe function 1 behind a root port times out all the same, so they also
# wait 5 s, not 60 s, for an NVMe admin command (nvme_core.admin_timeout).
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
	local frag=${kernel_config:-$(cat "$TOP/vm/kernel.config")}
	configure_kernel "$src" "$out" "$frag"
	missing=$(grep '^CONFIG_' <<< "$frag" | while read -r l; do
		grep -qx "$l" "$out/.config" || echo "$l"; done)
	[ -z "$missing" ] || die "guest config lacks: $missing"
	msg "building the guest kernel in $out"
	kmake bzImage
	ls -l "$out/arch/x86/boot/bzImage" >&2
}

# Copy program @1 into root @2 at its path, with the shared libraries and
# the loader it needs (none for a script).
copy_with_libs() {
	cp -L --parents "$1" "$2"
	{ ldd "$1" 2>/dev/null || true; } | awk '$2 == "=>" && $3 ~ /^\// { print $3 }
				  $1 ~ /^\// { print $1 }' |
		while read -r lib; do cp -L --parents "$lib" "$2"; done
}

build_initramfs() {
	src=$(ksrc)
	root=$BUILD/vm-root
	rm -rf "$root"
	mkdir -p "$root/bin" "$root/selftests" "$root/usr/bin"
	cp /bin/busybox "$root/bin/busybox"
	cp "$TOP/vm/init.sh" "$root/init"
	# Debian's driverctl, the administrators' way to bind vfio-pci (a bash
	# script), with bash and its libraries; its "modprobe vfio-pci" gets a
	# stand-in that succeeds for drivers built into the guest kernel.
	for f in /bin/bash /usr/sbin/driverctl; do
		[ -e "$f" ] || die "$f is missing: make deps installs bash and driverctl"
		copy_with_libs "$f" "$root"
	done
	mkdir -p "$root/sbin"
	printf '#!/bin/sh\n# modprobe for built-in drivers only (driverctl)\n[ "$1" = -q ] && shift\n[ -d "/sys/bus/pci/drivers/$1" ]\n' > "$root/sbin/modprobe"
	chmod +x "$root/sbin/modprobe"
	# The tree's uAPI headers: the VFIO test needs 6.12's vfio.h and iommufd.h.
	kmake headers
	for t in "$src"/tools/testing/selftests/isolation; do
		name=$(basename "$t")
		rm -rf "$BUILD/selftests/$name"
		mkdir -p "$BUILD/selftests/$name"
		CFLAGS=-Werror make -s -C "$t" OUTPUT="$BUILD/selftests/$name" \
			KHDR_INCLUDES="-isystem $out/usr/include" LDFLAGS=-static >&2
		find "$BUILD/selftests/$name" -maxdepth 1 -type f -executable \
			-exec cp {} "$root/selftests/" \;
	done
	# The iommufd selftests, the peers' regression gate (scripts/peers.sh),
	# against the uAPI headers of the tree; vm/iommufd-compat.h lets the
	# newer test source that 6.12.117 ships build against them.
	rm -rf "$BUILD/selftests/iommu"
	mkdir -p "$BUILD/selftests/iommu" "$root/peers"
	make -s -C "$src/tools/testing/selftests/iommu" \
		OUTPUT="$BUILD/selftests/iommu" \
		KHDR_INCLUDES="-isystem $out/usr/include -include $TOP/vm/iommufd-compat.h" \
		LDFLAGS=-static >&2
	cp "$BUILD/selftests/iommu/iommufd" "$BUILD/selftests/iommu/iommufd_fail_nth" \
		"$root/peers/"
	# lsisolation, built the way its header promises: one file, libc only.
	gcc -static -O2 -Wall -Wextra -Werror -o "$root/usr/bin/lsisolation" \
		"$src/tools/isolation/lsisolation.c"
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --owner=0:0 --quiet) > "$cpio"
	ls -l "$cpio" >&2
	build_qemu_cpio
}

# QEMU as a VFIO user inside the guest (isolation_vfio_test's qemu_vfio_user):
# the host's qemu-system-x86_64 with its libraries, its TCG accelerator
# module and the firmware a q35 machine loads; appended only for the
# topologies that name ISOLATION_VFIO_PAIR.
qemu_cpio=$BUILD/vm-qemu.cpio
build_qemu_cpio() {
	local qroot=$BUILD/vm-qemu-root f
	rm -rf "$qroot"
	mkdir -p "$qroot"
	for f in /usr/bin/qemu-system-x86_64 \
		 /usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so; do
		[ -e "$f" ] || die "$f is missing (qemu-system-x86)"
		copy_with_libs "$f" "$qroot"
	done
	for f in /usr/share/seabios/bios-256k.bin /usr/share/qemu/kvmvapic.bin \
		 /usr/share/qemu/linuxboot_dma.bin; do
		[ -e "$f" ] || die "$f is missing (qemu-system-x86, seabios)"
		cp -L --parents "$f" "$qroot"
	done
	(cd "$qroot" && find . | LC_ALL=C sort | cpio -o -H newc --owner=0:0 --quiet) > "$qemu_cpio"
	ls -l "$qemu_cpio" >&2
}

# A topology (vm/topologies/<name>.topo), one directive per line:
#   qemu <args>         arguments for QEMU (no quoting; split at blanks)
#   expect <line>       an expectation for isolation_iommu_test (see its header)
#   guest <command>     starts the next phase: run by the guest's shell (for
#                       instance sriov_numvfs), no QEMU monitor command
#   hotplug <command>   starts the next phase: sent to the QEMU monitor once
#                       the guest has checked the previous phase; several
#                       commands, separated by ";", are sent in turn
#   wait present|gone <pci device>
#                       the guest waits for this before checking the phase
#   append <args>       kernel command-line arguments for this topology
#   env <NAME>=<value>  exported to the guest's tests (/topology/env)
#   timeout <seconds>   the guest's time limit, if ISOLATION_VM_TIMEOUT is
#                       not set (default 300)
# '#' starts a comment.  Writes the guest's /topology/phase<n>.{expect,wait}
# and /topology/phases (the number of phases after phase 0) into a small
# cpio archive, appended to the initramfs.
parse_topology() { # <topology file> <cpio out>; sets topo_args, monitor_cmds, topo_append
	local file=$1 out=$2 dir kw rest n=0 lineno=0 words
	dir=$(mktemp -d)
	mkdir "$dir/topology"
	topo_args=() monitor_cmds=() topo_append= topo_timeout=
	while IFS= read -r line || [ -n "$line" ]; do
		lineno=$((lineno + 1))
		line=${line%%#*}
		read -r kw rest <<< "$line" || true
		case "$kw" in
		"")	;;
		qemu)	read -ra words <<< "$rest"; topo_args+=("${words[@]}") ;;
		expect)	echo "$rest" >> "$dir/topology/phase$n.expect" ;;
		hotplug) n=$((n + 1)); monitor_cmds+=("$rest") ;;
		guest)	n=$((n + 1)); monitor_cmds+=("")
			echo "$rest" > "$dir/topology/phase$n.guest" ;;
		wait)	echo "$rest" >> "$dir/topology/phase$n.wait" ;;
		append)	topo_append="$topo_append $rest" ;;
		env)	echo "export $rest" >> "$dir/topology/env" ;;
		timeout) topo_timeout=$rest ;;
		*)	rm -rf "$dir"; die "$file:$lineno: unknown directive '$kw'" ;;
		esac
	done < "$file"
	for i in $(seq 0 $n); do
		[ -s "$dir/topology/phase$i.expect" ] || [ "${TOPO_NO_EXPECT:-0}" = 1 ] ||
			{ rm -rf "$dir"; die "$file: phase $i has no expect lines"; }
	done
	echo "$n" > "$dir/topology/phases"
	(cd "$dir" && find . | LC_ALL=C sort | cpio -o -H newc --owner=0:0 --quiet) > "$out"
	rm -rf "$dir"
}

# Send commands, one after the other, to the QEMU human monitor at
# <socket>; print the replies.
monitor_send() { # <socket> <command>...
	python3 - "$@" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(2)
def drain():
    out = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            out += b
    except socket.timeout:
        pass
    return out
drain()
for cmd in sys.argv[2:]:
    s.sendall((cmd + "\n").encode())
    sys.stdout.write(drain().decode(errors="replace"))
PY
}

# run <topology> <mode> <log>
run_vm() {
	local topo=${TOPO_FILE:-$TOP/vm/topologies/$1.topo} mode=$2 log=$3 accel smp=2
	[ -f "$topo" ] || die "no topology $1 (vm/topologies/$1.topo)"
	accel=(-accel tcg)
	[ "${ISOLATION_KVM:-0}" = 1 ] && accel=(-accel kvm -cpu host)
	local initrd=$BUILD/vm-$1.cpio sock=$BUILD/vm-$1.monitor iommu_arg
	local iommu=() iommu_after=()
	case ${ISOLATION_IOMMU:-intel} in
	intel)	iommu=(-device intel-iommu) iommu_arg=intel_iommu=on ;;
	none)	iommu_arg=intel_iommu=off ;;
	amd)	iommu_after=(-device amd-iommu)
		# An NVMe function behind a root port still times out each
		# time it is probed: 5 s instead of 60 s for its admin command
		# (the multifunction topology ran 237 s, now about 70 s).
		iommu_arg="iommu.passthrough=1 nvme_core.admin_timeout=5" ;;
	*)	die "ISOLATION_IOMMU=${ISOLATION_IOMMU}: intel, amd or none" ;;
	esac
	parse_topology "$topo" "$initrd.topo"
	cat "$cpio" "$initrd.topo" > "$initrd"
	if grep -q '^env ISOLATION_VFIO_PAIR=' "$topo"; then
		[ -f "$qemu_cpio" ] || die "no $qemu_cpio: run make vm-initramfs"
		cat "$qemu_cpio" >> "$initrd"
	fi
	local rc=0 t0=$(date +%s) extra= phase=1 qpid mon_cmd mon_cmds c
	# The modes that step through the topology's hot-plug phases.
	local phased=0
	case $mode in test|partition) phased=1 ;; esac
	# The kselftests' companion module (lib/test_isolation.c) makes a group.
	# The sysfs-level model (isolation_model_test) runs one seed per
	# IOMMU: 1 on VT-d, 2 on AMD-Vi, unless ISOLATION_MODEL_SEED says.
	local mseed=1
	[ "${ISOLATION_IOMMU:-intel}" = amd ] && mseed=2
	[ "$mode" = test ] && extra="test_isolation.groups=1 isoseed=${ISOLATION_MODEL_SEED:-$mseed}"
	# The suites run at boot, before /init; SMP is what UML cannot give.
	[ "$mode" = kunit ] && extra="kunit.enable=1 kunit.filter_glob=isolation*" smp=4
	# The PCI grouping benchmark (isolation-pci-bench.c), no debugging.
	[ "$mode" = bench ] && extra="quiet kunit.enable=1 kunit.filter_glob=isolation-pci-bench $BENCH_ARGS"
	# 160 MiB of hugepages for the iommufd selftests' hugepage variants; VT-d
	# off, or it claims their mock devices and no mock domain can attach.
	[ "$mode" = peers ] && extra="hugepages=80 intel_iommu=off"
	# The sysfs-level model: first seed, number of seeds, steps per seed.
	[ "$mode" = model ] && extra="test_isolation.groups=1 isomodel=$MODEL_ARGS"
	# Two of these guests run at once (scripts/fuzz-topologies.sh): under
	# TCG on a busy host the IO-APIC timer check can miss its ticks, and
	# with interrupt remapping the kernel panics on that ("timer doesn't
	# work through Interrupt-remapped IO-APIC").
	[ "$mode" = partition ] && extra="no_timer_check"
	rm -f "$sock"
	local limit=$timeout_s
	[ -n "${ISOLATION_VM_TIMEOUT:-}" ] || [ -z "$topo_timeout" ] || limit=$topo_timeout
	timeout --foreground "$limit" qemu-system-x86_64 \
		-M q35 "${accel[@]}" -smp "$smp" -m 1G \
		"${iommu[@]}" \
		-nographic -no-reboot -nodefaults -serial stdio \
		-monitor "unix:$sock,server=on,wait=off" \
		-kernel "${VM_KERNEL:-$out/arch/x86/boot/bzImage}" -initrd "$initrd" \
		-append "console=ttyS0 $iommu_arg panic=-1 oops=panic isomode=$mode $extra$topo_append" \
		"${topo_args[@]}" \
		"${iommu_after[@]}" \
		< /dev/null > "$log" 2>&1 &
	qpid=$!
	# Hot-plug: the guest says when it is ready for the next phase.
	while kill -0 "$qpid" 2>/dev/null; do
		if [ $phased = 1 ] && [ "$phase" -le "${#monitor_cmds[@]}" ] &&
		   grep -q "ISOLATION-PHASE-READY $phase\b" "$log"; then
			mon_cmd=${monitor_cmds[$((phase - 1))]}
			if [ -z "$mon_cmd" ]; then
				msg "guest $1: phase $phase: run by the guest"
			else
				msg "guest $1: phase $phase: (qemu) $mon_cmd"
				mon_cmds=()
				IFS=';' read -ra c <<< "$mon_cmd"
				for mon_cmd in "${c[@]}"; do
					read -r mon_cmd <<< "$mon_cmd"	# trimmed
					[ -z "$mon_cmd" ] || mon_cmds+=("$mon_cmd")
				done
				# The monitor echoes each command with line-editing
				# codes: keep only what it answered.
				monitor_send "$sock" "${mon_cmds[@]}" |
					tr -d '\r' | sed 's/\x1b\[[0-9;]*[A-Za-z]//g' |
					grep -v '^(qemu)\|QEMU .* monitor' |
					grep -vF "${mon_cmds[@]/#/-e}" >&2 || true
			fi
			phase=$((phase + 1))
		fi
		sleep 0.5
	done
	wait "$qpid" || rc=$?
	rm -f "$sock"
	msg "guest $1 ($mode) ran $(( $(date +%s) - t0 ))s, log $log"
	if [ $rc = 124 ]; then
		tail -20 "$log" >&2
		die "guest $1: timeout after ${limit}s"
	fi
	if grep -Eq "$KERNEL_LOG_BAD" "$log"; then
		grep -En -B2 -A20 "$KERNEL_LOG_BAD" "$log" | head -80 >&2
		die "guest $1: kernel reported a problem (see $log)"
	fi
	grep -q 'ISOLATION-VM-RESULT rc=0' "$log" || {
		tail -30 "$log" >&2
		die "guest $1: did not finish with rc=0 (qemu rc=$rc)"
	}
	if [ $phased = 1 ] && [ "$phase" -le "${#monitor_cmds[@]}" ]; then
		die "guest $1: finished before hot-plug phase $phase"
	fi
	# A test that could not run is no pass here: the guest has everything.
	if [ "$mode" = test ] && grep -q '^ok .* # SKIP' "$log"; then
		grep '^ok .* # SKIP' "$log" | tr -d '\r' >&2
		die "guest $1: kselftests skipped (see above)"
	fi
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
kunit)
	log=$BUILD/vm-kunit.log
	run_vm default kunit "$log"
	grep -q 'smp: Brought up 1 node, 4 CPUs' "$log" ||
		die "the KUnit guest did not bring up 4 CPUs (see $log)"
	src=$(ksrc)
	rc=0
	tr -d '\r' < "$log" | python3 "$src/tools/testing/kunit/kunit.py" parse \
		> "$BUILD/vm-kunit.out" 2>&1 || rc=$?
	grep -E '^\[[0-9:]+\] (=+ |\[(FAILED|SKIPPED|CRASHED)\]|Testing complete)' \
		"$BUILD/vm-kunit.out" | sed 's/^\[[0-9:]*\] //' || true
	[ $rc = 0 ] || die "KUnit on the SMP guest failed (rc=$rc; $BUILD/vm-kunit.out)"
	isolation_kunit_counts "$log" "SMP guest (4 vCPUs, KASAN, lockdep)"
	;;
bench)
	# A guest kernel without debugging options, with the benchmarks.
	out=$BUILD/vm-bench
	# (Fault injection and the iommufd mock need DEBUG_KERNEL.)
	kernel_config=$(sed -e '/^# Debugging:/,$d' \
		-e '/FAULT_INJECTION\|FAILSLAB\|IOMMUFD_TEST/d' "$TOP/vm/kernel.config"
		echo CONFIG_ISOLATION_GROUPS_KUNIT_BENCH=y)
	build_kernel
	[ -f "$cpio" ] || die "no $cpio: run make vm-initramfs first"
	# 8 functions in slot 00:03 (grouped by the benchmark), and behind a
	# root port and a PCIe-to-PCI bridge 31 slots of 8: 262 functions.
	topo=$BUILD/bench-pci.topo
	{
		echo "qemu -device edu,bus=pcie.0,addr=0x3.0,multifunction=on"
		for f in 1 2 3 4 5 6 7; do echo "qemu -device edu,bus=pcie.0,addr=0x3.$f"; done
		echo "qemu -device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,slot=1,addr=0x4"
		echo "qemu -device pcie-pci-bridge,id=br1,bus=rp1"
		for d in $(seq 1 31); do
			echo "qemu -device edu,bus=br1,addr=$(printf 0x%x $d).0,multifunction=on"
			for f in 1 2 3 4 5 6 7; do
				echo "qemu -device edu,bus=br1,addr=$(printf 0x%x $d).$f"
			done
		done
	} > "$topo"
	log=$BUILD/vm-bench.log
	TOPO_FILE=$topo TOPO_NO_EXPECT=1 ISOLATION_IOMMU=none \
	VM_KERNEL=$out/arch/x86/boot/bzImage \
	BENCH_ARGS="isolation_pci_bench.slot=0000:00:03 isolation_pci_bench.subtree=0000:00:04.0" \
		run_vm bench-pci bench "$log"
	grep -qE '(^|\] )ok 1 isolation-pci-bench' <(tr -d '\r' < "$log") ||
		die "the PCI benchmark did not pass (see $log)"
	tr -d '\r' < "$log" | grep -oE 'isolation-bench: .*' ||
		die "no isolation-bench lines in $log"
	;;
model)
	# The sysfs-level model of the manager contract (isolation_model_test)
	# with many seeds on the vfio topology; make check runs one seed.
	seed=${SEED:-1} seeds=${SEEDS:-10} steps=${STEPS:-1000}
	timeout_s=${ISOLATION_VM_TIMEOUT:-$((300 + seeds * steps / 4))}
	log=$BUILD/vm-model.log
	MODEL_ARGS="$seed,$seeds,$steps" run_vm vfio model "$log" ||
		{ grep -a 'model mismatch\|^# *[0-9]*: \|seed\|not ok' "$log" | tr -d '\r' | tail -60; exit 1; }
	grep -a 'run against the model\|uevents ISOLATION\|^ok\|^not ok' "$log" | tr -d '\r'
	;;
partition)
	# The partitions into IOMMU groups and isolation groups, phase by
	# phase, of a topology that has no expectations (the random machines
	# of scripts/fuzz-topologies.sh); <name> keeps concurrent runs apart.
	[ $# = 4 ] || die "usage: vm.sh partition <name> <topology file> <log>"
	TOPO_FILE=$3 TOPO_NO_EXPECT=1 run_vm "$2" partition "$4"
	;;
peers)
	[ $# = 2 ] || die "usage: vm.sh peers <log>"
	timeout_s=${ISOLATION_VM_TIMEOUT:-1800}
	run_vm default peers "$2"
	;;
test)
	fail=0
	for iommu in intel amd; do
	for t in "$TOP"/vm/topologies/*.topo; do
		name=$(basename "$t" .topo)
		log=$BUILD/vm-$name-$iommu-test.log
		if ( ISOLATION_IOMMU=$iommu run_vm "$name" test "$log" ); then
			status=ok
		else
			status=FAILED fail=1
		fi
		echo "== topology $name ($iommu): $status"
		sed -n '/ISOLATION-TAP-BEGIN/,/ISOLATION-TAP-END/p' "$log" | sed '1d;$d' | tr -d '\r'
	done
	done
	[ $fail = 0 ] || die "VM tests failed"
	;;
*)	die "usage: vm.sh kernel|initramfs|run <topology> <mode>|test|kunit|model|partition <name> <topology file> <log>|peers <log>" ;;
esac
