#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# /init of the test guest.  isomode=test runs the kselftests, isomode=demo
# shows the isolation groups; either way the last line is the result marker
# that scripts/vm.sh looks for, and the guest powers off.
/bin/busybox mkdir -p /proc /sys /dev /tmp /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp

run_tests() {
	rc=0
	# Keep kernel messages off the TAP stream; they are dumped below.
	echo 1 > /proc/sys/kernel/printk
	echo "ISOLATION-TAP-BEGIN"
	for t in /selftests/*; do
		[ -x "$t" ] || continue
		"$t" || rc=1
	done
	echo "ISOLATION-TAP-END"
	echo "ISOLATION-DMESG-BEGIN"
	dmesg
	echo "ISOLATION-DMESG-END"
	return $rc
}

show_groups() {
	echo "ISOLATION-DEMO-BEGIN"
	if [ -x /usr/bin/lsisolation ]; then
		lsisolation
	elif [ ! -d /sys/isolation ]; then
		echo "/sys/isolation does not exist: the kernel lacks CONFIG_ISOLATION_GROUPS."
	elif [ -z "$(ls /sys/isolation)" ]; then
		echo "/sys/isolation exists and is empty: no isolation provider is"
		echo "registered in this kernel yet.  The series so far adds the core"
		echo "layer and managers; the Intel VT-d provider is what fills it."
	else
		for g in /sys/isolation/*; do
			echo "group $(basename $g): name $(cat $g/name), provider $(cat $g/provider)"
			for d in $g/devices/*; do
				[ -e "$d" ] || continue
				drv=-
				[ -e "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")")
				echo "    $(basename $d)  driver $drv"
			done
		done
	fi
	echo
	echo "For comparison, the IOMMU core's groups (/sys/kernel/iommu_groups):"
	for g in /sys/kernel/iommu_groups/*; do
		[ -d "$g" ] || { echo "    (none)"; break; }
		echo "    iommu group $(basename $g): $(ls $g/devices | tr '\n' ' ')"
	done
	echo "ISOLATION-DEMO-END"
}

mode=${isomode:-test}
case "$mode" in
test)	run_tests; rc=$? ;;
demo)	show_groups; rc=$? ;;
*)	echo "unknown isomode=$mode"; rc=2 ;;
esac
echo "ISOLATION-VM-RESULT rc=$rc"
poweroff -f
