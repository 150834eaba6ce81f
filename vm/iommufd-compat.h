/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Linux 6.12.117 ships tools/testing/selftests/iommu from a later kernel:
 * it uses uAPI and mock-driver names that 6.12 does not have, and does not
 * build against the tree's own headers.  scripts/vm.sh force-includes this
 * file to build it for the peers' regression gate (scripts/peers.sh), on
 * the base and with the series alike.  Cases that need what 6.12 lacks
 * fail on both kernels and are not counted by the gate.
 */
#ifndef IOMMU_HW_INFO_TYPE_DEFAULT
#define IOMMU_HW_INFO_TYPE_DEFAULT	0	/* IOMMU_HW_INFO_TYPE_NONE */
#define IOMMU_HW_INFO_FLAG_INPUT_TYPE	(1 << 0)
/* 6.12 has no input type: the field is reserved and must be zero. */
#define in_data_type			__reserved[0]
#endif
#define MOCK_FLAGS_DEVICE_PASID		(1 << 2)
#define MOCK_PASID_WIDTH		20
