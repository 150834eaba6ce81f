/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Isolation groups for IOMMU drivers (Documentation/isolation.txt)
 */
#ifndef __LINUX_IOMMU_ISOLATION_H
#define __LINUX_IOMMU_ISOLATION_H

#include <linux/isolation.h>

struct device;

/**
 * struct iommu_isolation - an IOMMU driver as an isolation group provider
 * @provider: the provider; its name is the one /sys/isolation shows
 * @registered: the provider is registered, so devices are grouped
 *
 * Define one with IOMMU_ISOLATION_INIT(), register it before the driver
 * registers its IOMMUs with the IOMMU core, and add and remove devices from
 * the driver's probe_device() and release_device().
 */
struct iommu_isolation {
	struct isolation_provider provider;
	bool registered;
};

#define IOMMU_ISOLATION_INIT(_name) { .provider = { .name = (_name) } }

#ifdef CONFIG_ISOLATION_GROUPS
void iommu_isolation_register(struct iommu_isolation *iso);
void iommu_isolation_add_device(struct iommu_isolation *iso,
				struct device *dev);
void iommu_isolation_remove_device(struct iommu_isolation *iso,
				   struct device *dev);
#else
static inline void iommu_isolation_register(struct iommu_isolation *iso)
{
}

static inline void iommu_isolation_add_device(struct iommu_isolation *iso,
					      struct device *dev)
{
}

static inline void iommu_isolation_remove_device(struct iommu_isolation *iso,
						 struct device *dev)
{
}
#endif /* CONFIG_ISOLATION_GROUPS */

#endif /* __LINUX_IOMMU_ISOLATION_H */
