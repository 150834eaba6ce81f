// SPDX-License-Identifier: GPL-2.0
/*
 * Isolation groups for IOMMU drivers
 *
 * An IOMMU driver that provides isolation groups (Documentation/isolation.txt)
 * puts every device it translates into the group that the IOMMU's
 * granularity implies.  For PCI devices that is what the PCI rules say
 * (drivers/pci/isolation.c), the same rules the IOMMU core's
 * pci_device_group() applies, so the groups and /sys/kernel/iommu_groups
 * partition the devices alike.  A device that is not PCI (an ACPI namespace
 * device, for instance) is a group of its own, named after the device.
 *
 * A PCI group is named after its key (struct pci_isolation): of the devices
 * on its boundary's bus that share the group (the boundary is the topmost
 * bridge without isolating ACS above the device, or the device itself), the
 * one with the lowest devfn, "segment:bus:device.function" as in
 * pci_name().  That and each member's reason follow from the PCI topology
 * and its DMA aliases, so they do not depend on the order in which the
 * devices are probed (an IOMMU driver that sets up DMA aliases only when it
 * probes the aliasing device, as AMD-Vi does with its IVRS aliases, makes
 * them depend on that too).
 *
 * The devices below a boundary find their group through it.  If the
 * boundary is in no group of the provider (its add failed, or another
 * provider grouped it), they are left out too: a group of their own would
 * claim an isolation from it that the platform does not give.
 *
 * Locking: the IOMMU core calls the drivers' probe_device() under its
 * iommu_probe_device_lock, so two adds never race.  A removal does not take
 * that lock (release_device() runs under the IOMMU group's mutex only) and
 * may run during an add: the peer's group that the add found is held by a
 * reference, so it stays valid if that peer leaves meanwhile, and the new
 * device joins it (a group lives on, under its name, while it has a
 * member).  The isolation core serialises the membership changes
 * themselves.
 */

#define pr_fmt(fmt) "iommu: isolation: " fmt

#include <kunit/visibility.h>
#include <linux/device.h>
#include <linux/isolation.h>
#include <linux/pci.h>
#include <linux/pci-isolation.h>

#include "iommu-isolation.h"

/* Room for "ssss:bb:dd.f" with a 32-bit segment, and for device names. */
#define IOMMU_ISOLATION_NAME_LEN	64

/* The group of @dev if @iso provides it, with a reference; else NULL. */
static struct isolation_group *iommu_isolation_group_of(struct iommu_isolation *iso,
							struct device *dev)
{
	struct isolation_group *group = isolation_group_get(dev);

	if (group && strcmp(isolation_group_provider_name(group),
			    iso->provider.name)) {
		isolation_group_put(group);
		group = NULL;
	}
	return group;
}

/**
 * struct iommu_isolation_find - the group a new PCI device joins
 * @iso: the provider
 * @pdev: the new device
 * @group: the first group of @iso found on a peer, with a reference
 * @peer: the peer @group was found on
 * @conflict: another peer is in another group of @iso
 */
struct iommu_isolation_find {
	struct iommu_isolation *iso;
	struct pci_dev *pdev;
	struct isolation_group *group;
	struct pci_dev *peer;
	bool conflict;
};

/*
 * Record the first group a peer is in.  A peer in another group means that
 * the new device relates two groups that claim to be isolated from each
 * other: it joins neither, which would make the claim of the other one
 * false, and that is said once, while the walk still holds both peers.
 */
static int iommu_isolation_peer_group(struct pci_dev *peer, void *data)
{
	struct iommu_isolation_find *find = data;
	struct isolation_group *group;

	group = iommu_isolation_group_of(find->iso, &peer->dev);
	if (!group)
		return 0;
	if (!find->group) {
		find->group = group;
		find->peer = peer;
		return 0;
	}
	if (group != find->group && !find->conflict) {
		pci_warn(find->pdev, "shares a group with %s (isolation group %s) and with %s (isolation group %s), which claim to be isolated from each other: in no isolation group\n",
			 pci_name(find->peer), isolation_group_name(find->group),
			 pci_name(peer), isolation_group_name(group));
		find->conflict = true;
	}
	isolation_group_put(group);
	return 0;
}

/*
 * A group that lost its devices lives on while a user, such as a manager,
 * holds it; a new group with its name then takes a suffixed one.
 */
static struct isolation_group *
iommu_isolation_new_group(struct iommu_isolation *iso, const char *name)
{
	char alt[IOMMU_ISOLATION_NAME_LEN + 8];
	struct isolation_group *group;
	unsigned int n;

	group = isolation_group_alloc(&iso->provider, name);
	for (n = 1; n < 100 && PTR_ERR_OR_ZERO(group) == -EEXIST; n++) {
		snprintf(alt, sizeof(alt), "%s-%u", name, n);
		group = isolation_group_alloc(&iso->provider, alt);
	}
	return group;
}

/*
 * Put @pdev in the group of its peers, or in a new one if it bounds it.
 * Returns 0 if it was added, 1 if it was left out and that was reported,
 * or a negative errno.
 */
static int iommu_isolation_add_pci(struct iommu_isolation *iso,
				   struct pci_dev *pdev)
{
	struct iommu_isolation_find find = { .iso = iso, .pdev = pdev };
	struct pci_isolation where;
	int ret;

	/* Where @pdev stands, and the group a peer has already. */
	ret = pci_isolation_get(pdev, &where, iommu_isolation_peer_group, &find);
	if (!ret && find.conflict)
		ret = 1;
	if (ret) {
		isolation_group_put(find.group);
		goto out_put_where;
	}
	if (!find.group && where.boundary != pdev) {
		dev_warn(&pdev->dev, "%s, whose group it shares, is in no group of %s\n",
			 pci_name(where.boundary), iso->provider.name);
		ret = 1;
		goto out_put_where;
	}
	if (!find.group) {
		find.group = iommu_isolation_new_group(iso, pci_name(where.key));
		if (IS_ERR(find.group)) {
			ret = PTR_ERR(find.group);
			goto out_put_where;
		}
	}

	ret = isolation_group_add_device_reason(find.group, &pdev->dev,
						where.reason,
						where.why ? &where.why->dev : NULL);
	isolation_group_put(find.group);
out_put_where:
	pci_isolation_put(&where);
	return ret;
}

static int iommu_isolation_add_other(struct iommu_isolation *iso,
				     struct device *dev)
{
	struct isolation_group *group;
	int ret;

	group = iommu_isolation_new_group(iso, dev_name(dev));
	if (IS_ERR(group))
		return PTR_ERR(group);
	ret = isolation_group_add_device_reason(group, dev,
						ISOLATION_REASON_BOUNDARY, NULL);
	isolation_group_put(group);
	return ret;
}

/**
 * iommu_isolation_register() - make an IOMMU driver an isolation provider
 * @iso: the driver's provider, defined with IOMMU_ISOLATION_INIT()
 *
 * Called once, before the driver registers its IOMMUs with the IOMMU core,
 * which probes the devices.  Failure is logged and leaves the driver
 * working without isolation groups.
 *
 * Context: Process context, boot.
 */
void iommu_isolation_register(struct iommu_isolation *iso)
{
	int ret;

	ret = isolation_provider_register(&iso->provider);
	if (ret) {
		pr_warn("%s: no isolation groups: registration failed: %d\n",
			iso->provider.name, ret);
		return;
	}
	iso->registered = true;
}
EXPORT_SYMBOL_IF_KUNIT(iommu_isolation_register);

/**
 * iommu_isolation_add_device() - put a device the IOMMU translates in its group
 * @iso: the driver's provider
 * @dev: a device the driver's probe_device() has taken on
 *
 * Isolation bookkeeping never costs a device its IOMMU: if the device
 * cannot be added (no memory, another provider grouped it already, a name
 * the core refuses), that is logged and the device stays in no isolation
 * group, translated as before.
 *
 * Context: Process context, from the driver's probe_device() with the IOMMU
 * core's iommu_probe_device_lock held.
 */
void iommu_isolation_add_device(struct iommu_isolation *iso, struct device *dev)
{
	int ret;

	if (!iso->registered)
		return;
	if (dev_is_pci(dev))
		ret = iommu_isolation_add_pci(iso, to_pci_dev(dev));
	else
		ret = iommu_isolation_add_other(iso, dev);
	if (ret < 0)
		dev_warn(dev, "in no isolation group: %d\n", ret);
}
EXPORT_SYMBOL_IF_KUNIT(iommu_isolation_add_device);

/**
 * iommu_isolation_remove_device() - take a device out of its group
 * @iso: the driver's provider
 * @dev: a device iommu_isolation_add_device() was called for
 *
 * A group that loses its last device goes away, unless a user such as a
 * manager still holds it.
 *
 * Context: Process context, from the driver's release_device().
 */
void iommu_isolation_remove_device(struct iommu_isolation *iso,
				   struct device *dev)
{
	struct isolation_group *group;

	if (!iso->registered)
		return;
	/* Adding may have failed, or another provider grouped the device. */
	group = iommu_isolation_group_of(iso, dev);
	if (group)
		isolation_group_remove_device(dev);
	isolation_group_put(group);
}
EXPORT_SYMBOL_IF_KUNIT(iommu_isolation_remove_device);
