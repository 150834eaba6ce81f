#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: build what is missing, boot the patched kernel on the default
# VT-d topology and print the isolation groups as an administrator sees them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$TOP/scripts/deps.sh"
"$TOP/scripts/vm.sh" kernel
"$TOP/scripts/vm.sh" initramfs
echo
echo "Booting the patched kernel on q35 + intel-iommu (topology: default) ..."
echo "Topology:"
sed -n 's/^# \{0,1\}/  /p' "$TOP/vm/topologies/default.topo"
echo
"$TOP/scripts/vm.sh" run default demo
