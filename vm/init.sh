#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# /init of the test guest.  isomode=test runs the kselftests, isomode=demo
# shows the isolation groups, isomode=peers runs the iommufd selftests,
# isomode=bench prints the PCI benchmark's results from the kernel log,
# isomode=partition prints the groups' partitions in every hot-plug phase;
# either way the last line is the result marker
# that scripts/vm.sh looks for, and the guest powers off.
/bin/busybox mkdir -p /proc /sys /dev /tmp /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
# The root as on a real system: the cpio archives' "." entries (made in
# mktemp directories) may leave it 0700, which locks unprivileged users
# (delegated_user_session) out of every path.
chmod 755 /
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp

# Wait for each "present|gone <pci device>" line of $1, up to 60 s each.
wait_devices() {
	while read -r what dev; do
		[ -n "$what" ] || continue
		tries=0
		while :; do
			case "$what" in
			present) [ -e "/sys/bus/pci/devices/$dev/iommu_group" ] && break ;;
			gone)	[ -e "/sys/bus/pci/devices/$dev" ] || break ;;
			*)	echo "bad wait line: $what $dev"; return 1 ;;
			esac
			tries=$((tries + 1))
			if [ $tries -gt 120 ]; then
				echo "timeout waiting for $dev to be $what"
				return 1
			fi
			sleep 0.5
		done
		echo "# $dev is $what after $((tries / 2)) s"
	done < "$1"
}

# Every member of an IOMMU's group must be stated by the phase's
# expectations ($2): listed in the "group" line of its group and given a
# "reason" line of its own.  The kselftest that reads the expectations
# checks what the lines say, this that no member is left out.  The groups
# of the kselftests' own provider, isolation-test (test-0, claimed), are
# left out: the expectations cannot name them.  Says which device lacks
# what, keeps that in /tmp/unstated, and fails if any does.
check_stated() { # <phase> <expect file>
	for g in /sys/isolation/[0-9]*; do
		[ -d "$g" ] || continue
		[ "$(cat "$g/provider")" != isolation-test ] || continue
		name=$(cat "$g/name")
		for d in "$g"/devices/*; do
			[ -L "$d" ] || continue
			dev=${d##*/}
			awk -v n="$name" -v d="$dev" '
				$1 == "group" && $2 == n {
					for (i = 3; i <= NF; i++) if ($i == d) f = 1
				}
				END { exit !f }' "$2" ||
				echo "ISOLATION-UNSTATED phase $1: $dev (group $name): no 'expect group $name ... $dev ...' line"
			awk -v d="$dev" '$1 == "reason" && $2 == d { f = 1 }
				END { exit !f }' "$2" ||
				echo "ISOLATION-UNSTATED phase $1: $dev (group $name): no 'expect reason $dev ...' line"
		done
	done > /tmp/unstated.now
	if [ -s /tmp/unstated.now ]; then
		cat /tmp/unstated.now
		cat /tmp/unstated.now >> /tmp/unstated
		echo "not ok - phase $1: the topology leaves members of IOMMU groups unstated"
		return 1
	fi
	echo "# phase $1: every member of an IOMMU group has its group and reason stated"
}

# The kselftests, with the topology's expectations (/topology/phase0.expect);
# then each hot-plug phase: ask the host for it, wait, check again.
run_tests() {
	rc=0
	# Keep kernel messages off the TAP stream; they are dumped below.
	echo 1 > /proc/sys/kernel/printk
	echo "ISOLATION-TAP-BEGIN"
	export ISOLATION_IOMMU_EXPECT=/topology/phase0.expect
	export LSISOLATION=/usr/bin/lsisolation
	# The topology's devices for isolation_vfio_test (vfio.topo).
	[ -e /topology/env ] && . /topology/env
	for t in /selftests/*; do
		[ -x "$t" ] || continue
		case "$t" in
		*/isolation_vfio_test)
			# Only where the topology names its devices; the
			# hot-plug case runs in phase 1.
			[ -n "$ISOLATION_VFIO_ENDPOINT" ] || continue
			"$t" -T hotplug_into_held_group || rc=1
			continue ;;
		*/isolation_reserve_test)
			# Only on reserve.topo; the later cases run in its
			# guest phases.
			[ -n "$ISOLATION_RESERVE_DEV" ] || continue
			"$t" -t reserved_at_boot -t unreserved_sibling \
				-t bad_parameter || rc=1
			continue ;;
		*/isolation_model_test)
			# The random model needs the three groups it names;
			# the host chooses the seed (isoseed=).
			[ -n "$ISOLATION_VFIO_TRIO" ] || continue
			ISOLATION_MODEL_SEED=${isoseed:-1} "$t" || rc=1
			continue ;;
		esac
		"$t" || rc=1
	done
	check_stated 0 /topology/phase0.expect || rc=1
	phase=1
	while [ -e /topology/phase$phase.expect ]; do
		if [ $phase = 1 ] && [ -n "$ISOLATION_VFIO_HOTPLUG_NEW" ]; then
			# The VFIO test holds the group open, asks for the
			# hot-plug itself and waits for the device.
			/selftests/isolation_vfio_test -t hotplug_into_held_group || rc=1
		else
			# lsisolation keeps reading while the host plugs or unplugs.
			rm -f /tmp/hotplug-done
			ISOLATION_LSISOLATION_UNTIL=/tmp/hotplug-done \
				/selftests/isolation_lsisolation_test -t runs_during_hotplug &
			reader=$!
			echo "ISOLATION-PHASE-READY $phase"
			if [ -e /topology/phase$phase.guest ]; then
				echo "# phase $phase: $(cat /topology/phase$phase.guest)"
				sh /topology/phase$phase.guest || rc=1
			fi
		fi
		if [ -e /topology/phase$phase.wait ]; then
			wait_devices /topology/phase$phase.wait || rc=1
		fi
		if [ -n "$reader" ]; then
			touch /tmp/hotplug-done
			wait $reader || rc=1
			reader=
		fi
		echo "# hot-plug phase $phase"
		ISOLATION_IOMMU_EXPECT=/topology/phase$phase.expect \
			/selftests/isolation_iommu_test || rc=1
		/selftests/isolation_lsisolation_test || rc=1
		check_stated $phase /topology/phase$phase.expect || rc=1
		phase=$((phase + 1))
	done
	echo "ISOLATION-TAP-END"
	echo "ISOLATION-DMESG-BEGIN"
	dmesg
	echo "ISOLATION-DMESG-END"
	# Again after the kernel log, where the end of a failed run shows it.
	if [ -s /tmp/unstated ]; then
		echo "ISOLATION-UNSTATED: FAILED: every device in an IOMMU group needs"
		echo "ISOLATION-UNSTATED: an 'expect group' and an 'expect reason' line"
		echo "ISOLATION-UNSTATED: in each phase of the topology; missing:"
		cat /tmp/unstated
	fi
	return $rc
}

# Run case $1 of isolation_vfio_test on the device $3 named by variable $2,
# showing the group with lsisolation; print what it says but the TAP
# scaffolding.  Fails if the case fails.
demo_vfio_test() {
	env ISOLATION_VFIO_SHOW=1 LSISOLATION=/usr/bin/lsisolation "$2=$3" \
		/selftests/isolation_vfio_test -t "$1" > /tmp/vfio-demo.out 2>&1
	vrc=$?
	grep -v '^TAP version\|^1\.\.\|^# Totals\|^#  RUN\|^#    ' /tmp/vfio-demo.out
	[ $vrc = 0 ]
}

# The groups as an administrator reads them, with lsisolation: every group
# (id, name, provider, manager, locked) and each device with its driver, PCI
# ids and why it is in the group; then one device asked about with -d.
show_groups() {
	echo "ISOLATION-DEMO-BEGIN"
	echo "# lsisolation"
	lsisolation || return 1
	dev=$(grep -lx no-acs /sys/bus/pci/devices/*/isolation_reason | head -1)
	if [ -n "$dev" ]; then
		dev=$(basename "$(dirname "$dev")")
		echo
		echo "# lsisolation -d $dev"
		lsisolation -d "$dev" || return 1
		# VFIO takes that group (the port keeps pcieport), a VFIO
		# client maps DMA for the device, and the group goes back.
		echo
		echo "# VFIO as the manager of the group of $dev"
		echo 1 > /proc/sys/kernel/printk	# drivers' messages off
		demo_vfio_test handover_type1 ISOLATION_VFIO_ENDPOINT "$dev" ||
			return 1
		# The same group delegated to uid 1000, who takes it
		# without privileges and gives it back.
		echo
		echo "# Delegation: root sets /sys/isolation/<id>/owner, uid 1000 takes the group"
		demo_vfio_test delegated_user_session ISOLATION_VFIO_DELEGATE \
			"$dev" || return 1
	fi
	echo
	echo "For comparison, the IOMMU core's groups (/sys/kernel/iommu_groups):"
	for id in $(ls /sys/kernel/iommu_groups | sort -n); do
		echo "    iommu group $id: $(ls /sys/kernel/iommu_groups/$id/devices | tr '\n' ' ')"
	done
	echo "ISOLATION-DEMO-END"
}

# The iommufd selftests, as regression gates (scripts/peers.sh boots this on
# the unpatched base and on the series): debugfs for their fault injection,
# hugepages (reserved on the command line) for their hugepage variants.
run_peers() {
	rc=0
	mount -t debugfs debugfs /sys/kernel/debug || rc=1
	echo 1 > /proc/sys/kernel/printk
	echo "ISOLATION-TAP-BEGIN"
	for t in /peers/*; do
		[ -x "$t" ] || continue
		echo "# peer suite: $(basename "$t")"
		"$t" || rc=1
	done
	echo "ISOLATION-TAP-END"
	return $rc
}

# The PCI devices with their IOMMU groups, and the isolation groups: what
# settle() watches.
pci_state() {
	for d in /sys/bus/pci/devices/*; do
		[ -e "$d" ] && echo "${d##*/} $(readlink "$d/iommu_group")"
	done
	ls /sys/isolation 2>/dev/null
}

# Wait until that stops changing: the same for 2 s, at most 30 s.
settle() {
	prev= same=0 tries=0
	while [ $tries -lt 60 ]; do
		now=$(pci_state)
		if [ "$now" = "$prev" ]; then
			same=$((same + 1))
			[ $same -lt 4 ] || return 0
		else
			same=0
		fi
		prev=$now
		tries=$((tries + 1))
		sleep 0.5
	done
	echo "# the PCI devices did not settle in 30 s"
	return 1
}

# The partitions of phase $1, between markers: every IOMMU group
# (/sys/kernel/iommu_groups) and, if the kernel has them, every isolation
# group (/sys/isolation, with its provider) as its sorted list of devices,
# one line per group, the lines sorted, no group numbers; a PCI device in
# no IOMMU group is a "nogroup" line.
print_partition() {
	echo "ISOLATION-PARTITION-BEGIN $1"
	echo "pci $(ls /sys/bus/pci/devices | wc -l)"
	for g in /sys/kernel/iommu_groups/*; do
		[ -d "$g/devices" ] || continue
		echo "iommu" $(ls "$g/devices" | sort)
	done | sort
	for d in /sys/bus/pci/devices/*; do
		[ -e "$d/iommu_group" ] || echo "nogroup ${d##*/}"
	done
	if [ -d /sys/isolation ]; then
		for g in /sys/isolation/[0-9]*; do
			[ -d "$g" ] || continue
			echo "isolation $(cat "$g/provider")" $(
				for d in "$g"/devices/*; do
					[ -L "$d" ] && echo "${d##*/}"
				done | sort)
		done | sort
	fi
	echo "ISOLATION-PARTITION-END $1"
}

# scripts/fuzz-topologies.sh boots a random machine on the unpatched base
# and with the series and compares what this prints: the partitions at
# boot, then for each hot-plug phase (/topology/phases of them) the same
# after asking the host for it (as run_tests does) and waiting for its
# devices ("wait" lines) or, without them, for the number of PCI devices
# to change; then until nothing changes any more.
run_partition() {
	rc=0
	# Kernel messages would break the lines up: they come after them.
	echo 1 > /proc/sys/kernel/printk
	settle || rc=1
	print_partition 0
	phases=$(cat /topology/phases 2>/dev/null || echo 0)
	phase=1
	while [ $phase -le "$phases" ]; do
		before=$(ls /sys/bus/pci/devices | wc -l)
		echo "ISOLATION-PHASE-READY $phase"
		if [ -e /topology/phase$phase.guest ]; then
			echo "# phase $phase: $(cat /topology/phase$phase.guest)"
			sh /topology/phase$phase.guest || rc=1
		fi
		if [ -e /topology/phase$phase.wait ]; then
			wait_devices /topology/phase$phase.wait || rc=1
		else
			tries=0
			while [ "$(ls /sys/bus/pci/devices | wc -l)" = "$before" ]; do
				tries=$((tries + 1))
				if [ $tries -gt 120 ]; then
					echo "# phase $phase: still $before PCI devices after 60 s"
					rc=1
					break
				fi
				sleep 0.5
			done
		fi
		settle || rc=1
		print_partition $phase
		phase=$((phase + 1))
	done
	echo "ISOLATION-DMESG-BEGIN"
	dmesg
	echo "ISOLATION-DMESG-END"
	return $rc
}

# make guest-model: the sysfs-level model with many seeds (isomodel=
# <first seed>,<seeds>,<steps>), on the vfio topology.
run_model() {
	rc=0
	[ -e /topology/env ] && . /topology/env
	IFS=, read -r first seeds steps <<EOF
$isomodel
EOF
	echo 1 > /proc/sys/kernel/printk
	echo "ISOLATION-TAP-BEGIN"
	s=$first
	while [ "$s" -lt $((first + seeds)) ]; do
		ISOLATION_MODEL_SEED=$s ISOLATION_MODEL_STEPS=$steps \
			/selftests/isolation_model_test || { rc=1; break; }
		s=$((s + 1))
	done
	echo "ISOLATION-TAP-END"
	return $rc
}

mode=${isomode:-test}
case "$mode" in
test)	run_tests; rc=$? ;;
demo)	show_groups; rc=$? ;;
kunit)	rc=0 ;;	# the built-in suites ran before /init; the host parses them
bench)	# Booted quiet, so the console did not slow the benchmark down.
	dmesg | grep -E 'isolation-bench:|isolation-pci-bench|ipb_' ; rc=0 ;;
peers)	run_peers; rc=0 ;;	# the host compares the results with the base's
model)	run_model; rc=$? ;;
partition) run_partition; rc=$? ;;
*)	echo "unknown isomode=$mode"; rc=2 ;;
esac
echo "ISOLATION-VM-RESULT rc=$rc"
poweroff -f
