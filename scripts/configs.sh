#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The series' objects built in the configurations a reviewer tries first,
# each from allnoconfig on x86_64 with what it needs, and no warning:
#   isolation-off   CONFIG_ISOLATION_GROUPS=n, with PCI, both IOMMUs, VFIO
#                   (the stubs of include/linux/isolation.h, VFIO's calls)
#   vfio-no-group   CONFIG_VFIO_GROUP=n: VFIO through the device cdev only
#                   (the hold taken at VFIO_DEVICE_BIND_IOMMUFD)
#   no-pci          CONFIG_PCI=n with VFIO on (drivers/vfio/isolation.c
#                   without pci_bus_type)
# Each builds drivers/base, drivers/pci, drivers/iommu and drivers/vfio
# (as far as the configuration has them) in build/configs/<name>.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=$("$TOP/scripts/tree.sh")

config_isolation_off="+ACPI +PCI_MSI PCI IOMMU_SUPPORT INTEL_IOMMU AMD_IOMMU IOMMUFD VFIO
	VFIO_GROUP VFIO_CONTAINER VFIO_DEVICE_CDEV VFIO_PCI -ISOLATION_GROUPS"
config_vfio_no_group="+ACPI +PCI_MSI PCI IOMMU_SUPPORT INTEL_IOMMU IOMMUFD VFIO VFIO_PCI
	VFIO_DEVICE_CDEV ISOLATION_GROUPS -VFIO_GROUP"
config_no_pci="IOMMU_SUPPORT IOMMUFD VFIO VFIO_DEVICE_CDEV ISOLATION_GROUPS -PCI"

build_config() { # <name> <options: NAME to enable, -NAME to disable, +NAME to enable unchecked>
	local name=$1 opts=$2 out=$BUILD/configs/$1 o log rc=0
	mkdir -p "$out"
	log=$out/build.log
	kmake_in() { make -s -C "$src" O="$out" ARCH=x86_64 CC="ccache gcc" "$@"; }
	kmake_in allnoconfig >/dev/null
	for o in 64BIT EXPERT $opts; do
		case $o in
		-*) "$src/scripts/config" --file "$out/.config" -d "${o#-}" ;;
		*) "$src/scripts/config" --file "$out/.config" -e "${o#+}" ;;
		esac
	done
	kmake_in olddefconfig >/dev/null
	# What olddefconfig dropped would be a configuration not tested.
	for o in $opts; do
		case $o in
		+*) ;;
		-*) ! grep -q "^CONFIG_${o#-}=y" "$out/.config" ||
			die "$name: CONFIG_${o#-} is still set" ;;
		*) grep -q "^CONFIG_$o=y" "$out/.config" ||
			die "$name: CONFIG_$o did not stay set (its dependencies?)" ;;
		esac
	done
	dirs="drivers/base/ drivers/iommu/ drivers/vfio/"
	grep -q '^CONFIG_PCI=y' "$out/.config" && dirs="$dirs drivers/pci/"
	kmake_in -j"$JOBS" $dirs > "$log" 2>&1 || rc=$?
	if [ $rc != 0 ] || grep -q 'warning:' "$log"; then
		grep -B2 -A6 'warning:\|error:' "$log" | head -60
		die "$name: building $dirs failed or warned (rc=$rc, $log)"
	fi
	msg "$name: $dirs built without warnings ($(grep -c '^CONFIG_.*=y' "$out/.config") options set)"
}

build_config isolation-off "$config_isolation_off"
build_config vfio-no-group "$config_vfio_no_group"
build_config no-pci "$config_no_pci"
